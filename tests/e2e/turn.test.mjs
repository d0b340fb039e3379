/*
 * turn.test.mjs — a call through TURN: a real coturn on 127.0.0.1 with the
 * TURN REST shared secret, a samvei of the test's own that hands out
 * credentials for it (--turn-uris, --turn-secret), and two Chromium
 * participants forced to relay (?relay=1 → iceTransportPolicy "relay").
 * Both must decode each other's video, and every PeerConnection's selected
 * candidate pair must have a local candidate of type "relay".
 *
 * Skipped (with a message) when coturn is not installed; `make test`
 * installs it (scripts/install-deps.sh test).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, waitForMediaFrom, roomName } from './lib.mjs';
import { startServer } from './server.mjs';
import { startCoturn, haveCoturn, TURN_SECRET as SECRET } from './coturn.mjs';
import { joinRecorded, settledPairs } from './transport.mjs';
import { protocolClient } from './wsclient.mjs';

let browser, server, turn;
const opened = [];

before(async () => {
  if (!haveCoturn) return;
  turn = await startCoturn('turn');
  server = await startServer('turn', {
    args: ['--turn-uris', `turn:127.0.0.1:${turn.port}?transport=udp`, '--turn-secret', SECRET],
  });
  browser = await launchBrowser();
});

after(async () => {
  for (const p of opened) await p.context.close().catch(() => {});
  await browser?.close();
  await server?.stopCleanly();
  await turn?.stop();
});

const joinRelayed = (label, room, name) =>
  joinRecorded(browser, opened, server.url, label, room, name, { relay: '1' });

test('join reply carries TURN REST credentials for coturn', { skip: !haveCoturn && 'coturn not installed' }, async () => {
  const c = await protocolClient(server.wsUrl, 'K');
  const reply = await c.join(roomName('turn-creds'));
  c.close();
  assert.equal(reply.type, 'ok');
  assert.equal(reply.iceServers.length, 1);
  const s = reply.iceServers[0];
  assert.deepEqual(s.urls, [`turn:127.0.0.1:${turn.port}?transport=udp`]);
  const [expiry, who] = s.username.split(':');
  assert.equal(who, reply.self);
  const ttl = Number(expiry) - Date.now() / 1000;
  assert.ok(ttl > 86000 && ttl <= 86401, `expires in about a day (${ttl} s)`);
  const { createHmac } = await import('node:crypto');
  assert.equal(s.credential, createHmac('sha1', SECRET).update(s.username).digest('base64'));
});

test('two-party call with iceTransportPolicy "relay" decodes video through coturn', { skip: !haveCoturn && 'coturn not installed' }, async () => {
  const room = roomName('turn');
  const a = await joinRelayed('turn-a', room, 'Kari');
  const b = await joinRelayed('turn-b', room, 'Ola');
  await waitForMediaFrom(a.page, [b.id], 'turn-a');
  await waitForMediaFrom(b.page, [a.id], 'turn-b');
  for (const p of [a, b]) {
    const pairs = await settledPairs(p);
    for (const pair of pairs) {
      assert.equal(pair.policy, 'relay');
      assert.equal(pair.localType, 'relay', `${p.label}: ${JSON.stringify(pair)}`);
    }
  }
});
