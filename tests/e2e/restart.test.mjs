/*
 * restart.test.mjs — the server dies during a call and comes back.
 *
 * Two people are in a call on a samvei of the test's own. The server is
 * killed (SIGKILL: no goodbye, as in a crash or an OOM kill): both pages
 * show "reconnecting". The server is started again on the same port; both
 * pages reconnect and rejoin by themselves and decode each other's video
 * again within 10 s, and show "connected".
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser,
  newParticipant,
  joinViaUi,
  waitFor,
  waitForMediaFrom,
  connectionState,
  roomName,
  shot,
} from './lib.mjs';
import { startServer } from './server.mjs';

let browser, server;
const opened = [];

before(async () => {
  server = await startServer('restart');
  browser = await launchBrowser();
});

after(async () => {
  for (const p of opened) await p.context.close().catch(() => {});
  await browser?.close();
  await server?.stopCleanly();
});

async function join(label, room, name) {
  const p = await newParticipant(browser, label);
  opened.push(p);
  p.id = await joinViaUi(p.page, room, name, { base: server.url });
  return p;
}

const selfId = (p) => p.page.evaluate(() => window.samvei.self()?.id);

test('server killed and restarted: both sides decode video again within 10 s', async () => {
  const room = roomName('restart');
  const a = await join('restart-a', room, 'Kari');
  const b = await join('restart-b', room, 'Ola');
  await waitForMediaFrom(a.page, [await selfId(b)], 'restart-a');
  await waitForMediaFrom(b.page, [await selfId(a)], 'restart-b');

  const port = server.port;
  const { signal } = await server.stop('SIGKILL');
  assert.equal(signal, 'SIGKILL');
  for (const p of [a, b]) {
    await waitFor(async () => (await connectionState(p.page)) === 'reconnecting', {
      timeoutMs: 10000,
      intervalMs: 100,
      what: `${p.label} to show "reconnecting"`,
    });
  }
  await shot(a.page, 'restart-reconnecting.png');

  server = await startServer('restart', { port });
  const restarted = Date.now();
  /* New participant ids after the rejoin: wait for them, then for video. */
  const deadline = { timeoutMs: 10000, intervalMs: 250 };
  await Promise.all(
    [
      [a, b],
      [b, a],
    ].map(async ([p, other]) => {
      await waitFor(
        async () => {
          const id = await selfId(other);
          const s = await p.page.evaluate(() => window.samvei.stats());
          return id && s[id]?.framesDecoded > 0;
        },
        { ...deadline, what: `${p.label} to decode video from the rejoined ${other.label}` },
      );
    }),
  );
  const took = Date.now() - restarted;
  console.log(`# video again ${took} ms after the restart`);
  assert.ok(took <= 10000, `video again ${took} ms after the restart`);
  /* And it keeps flowing (not one stray frame). */
  await waitForMediaFrom(a.page, [await selfId(b)], 'restart-a');
  await waitForMediaFrom(b.page, [await selfId(a)], 'restart-b');
  for (const p of [a, b]) {
    await waitFor(async () => (await connectionState(p.page)) === 'connected', {
      timeoutMs: 10000,
      what: `${p.label} to show "connected"`,
    });
  }
  await shot(a.page, 'restart-back.png');
});
