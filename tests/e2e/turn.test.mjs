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
import { spawn, execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ARTIFACTS,
  launchBrowser,
  waitFor,
  waitForMediaFrom,
  roomName,
  sleep,
} from './lib.mjs';
import { startServer, freePort } from './server.mjs';
import { joinRecorded, settledPairs } from './transport.mjs';
import { protocolClient } from './wsclient.mjs';

const TURNSERVER = '/usr/bin/turnserver';
const SECRET = 'e2e-turn-secret-not-for-production';
const haveCoturn = existsSync(TURNSERVER);

let browser, server, turn, turnDir;
const opened = [];

async function startCoturn() {
  const port = await freePort();
  turnDir = mkdtempSync(join(tmpdir(), 'samvei-coturn-'));
  const log = createWriteStream(join(ARTIFACTS, 'turn.coturn.log'));
  const args = [
    '-n', /* no config file: everything is on this command line */
    `--listening-ip=127.0.0.1`,
    `--relay-ip=127.0.0.1`,
    `--listening-port=${port}`,
    '--min-port=49160',
    '--max-port=49400',
    '--use-auth-secret',
    `--static-auth-secret=${SECRET}`,
    '--realm=samvei.test',
    /* Needed only here: samvei's ICE candidates are on 127.0.0.1, which a
     * production coturn must refuse (docker/coturn/turnserver.conf denies
     * loopback and private ranges). */
    '--allow-loopback-peers',
    '--no-tls',
    '--no-dtls',
    '--no-cli',
    `--db=${join(turnDir, 'turndb')}`,
    `--pidfile=${join(turnDir, 'turnserver.pid')}`,
    '--log-file=stdout',
    '--simple-log',
    '--verbose',
  ];
  const proc = spawn(TURNSERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.pipe(log);
  proc.stderr.pipe(log);
  const exited = new Promise((ok) => proc.on('exit', ok));
  /* Ready when its UDP port is bound. */
  await waitFor(
    () => {
      if (proc.exitCode !== null) throw new Error('coturn exited; see artifacts/turn.coturn.log');
      return execFileSync('ss', ['-lun']).toString().includes(`127.0.0.1:${port}`);
    },
    { timeoutMs: 15000, intervalMs: 200, what: 'coturn to listen' },
  );
  return { proc, port, exited };
}

before(async () => {
  if (!haveCoturn) return;
  turn = await startCoturn();
  server = await startServer('turn', {
    args: ['--turn-uris', `turn:127.0.0.1:${turn.port}?transport=udp`, '--turn-secret', SECRET],
  });
  browser = await launchBrowser();
});

after(async () => {
  for (const p of opened) await p.context.close().catch(() => {});
  await browser?.close();
  await server?.stopCleanly();
  if (turn && turn.proc.exitCode === null) {
    turn.proc.kill('SIGTERM');
    await Promise.race([turn.exited, sleep(5000)]);
    if (turn.proc.exitCode === null) turn.proc.kill('SIGKILL');
  }
  if (turnDir) rmSync(turnDir, { recursive: true, force: true });
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
