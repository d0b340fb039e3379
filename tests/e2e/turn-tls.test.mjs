/*
 * turn-tls.test.mjs — the firewall path: TURN over TLS. A coturn of the
 * test's own that listens only for TLS (no plain UDP or TCP listener), with
 * a certificate for localhost from a throwaway CA (certs/make-dev-certs.sh
 * in a temporary directory), and a samvei that hands out nothing but
 * turns:localhost:PORT?transport=tcp. Two Chromium participants forced to
 * relay (?relay=1) must decode each other's video, and every selected
 * candidate pair must have a local candidate of type "relay" whose
 * relayProtocol is "tls": the media really goes through TLS to coturn.
 *
 * Chromium trusts the CA the way a user's machine would: the browser runs
 * with $HOME at a temporary directory whose NSS database (.pki/nssdb, where
 * Chromium on Linux reads the roots a user trusts) has the CA imported with
 * certutil. No certificate checks are turned off (no
 * --ignore-certificate-errors), and a browser whose NSS database lacks the
 * CA gets no relay candidate at all, so the check is really made.
 *
 * Skipped (with a message) when coturn, openssl or certutil is missing;
 * `make test` installs them (scripts/install-deps.sh test).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, waitForMediaFrom, roomName } from './lib.mjs';
import { startServer, makeCerts } from './server.mjs';
import { startCoturn, haveCoturn, TURN_SECRET } from './coturn.mjs';
import { joinRecorded, settledPairs } from './transport.mjs';
import { protocolClient } from './wsclient.mjs';

const CERTUTIL = '/usr/bin/certutil';
const missing = [
  !haveCoturn && 'coturn',
  !existsSync('/usr/bin/openssl') && 'openssl',
  !existsSync(CERTUTIL) && 'certutil (libnss3-tools)',
].filter(Boolean);
const skip = missing.length > 0 && `${missing.join(', ')} not installed`;

let browser, server, turn, certs, home, uri;
const homes = [];
const opened = [];

/* A new $HOME for a browser, with an empty NSS database, or (trust) one
 * that trusts the CA in `certs` for TLS servers. */
function newHome(trust) {
  const dir = mkdtempSync(join(tmpdir(), 'samvei-home-'));
  homes.push(dir);
  const db = `sql:${join(dir, '.pki/nssdb')}`;
  mkdirSync(join(dir, '.pki/nssdb'), { recursive: true });
  execFileSync(CERTUTIL, ['-N', '-d', db, '--empty-password']);
  if (trust) execFileSync(CERTUTIL, ['-A', '-d', db, '-n', 'samvei test CA', '-t', 'C,,', '-i', join(certs, 'ca.pem')]);
  return dir;
}

before(async () => {
  if (skip) return;
  certs = makeCerts();
  turn = await startCoturn('turn-tls', { tls: { cert: join(certs, 'server.pem'), key: join(certs, 'server.key') } });
  uri = `turns:localhost:${turn.port}?transport=tcp`;
  server = await startServer('turn-tls', { args: ['--turn-uris', uri, '--turn-secret', TURN_SECRET] });
  home = newHome(true);
  browser = await launchBrowser([], { home });
});

after(async () => {
  for (const p of opened) await p.context.close().catch(() => {});
  await browser?.close();
  await server?.stopCleanly();
  await turn?.stop();
  for (const dir of [certs, ...homes]) if (dir) rmSync(dir, { recursive: true, force: true });
});

test('join reply hands out only TURN over TLS', { skip }, async () => {
  const c = await protocolClient(server.wsUrl, 'K');
  const reply = await c.join(roomName('turn-tls-creds'));
  c.close();
  assert.equal(reply.type, 'ok');
  assert.deepEqual(reply.iceServers.map((s) => s.urls), [[uri]]);
});

test('a browser that does not trust the CA gets no relay candidate from coturn over TLS', { skip, timeout: 60000 }, async () => {
  const c = await protocolClient(server.wsUrl, 'K');
  const reply = await c.join(roomName('turn-tls-untrusted'));
  c.close();
  const stranger = await launchBrowser([], { home: newHome(false) });
  try {
    const page = await stranger.newPage();
    await page.goto(server.url, { waitUntil: 'load' });
    /* Gathers with the credentials samvei handed out until gathering is
     * complete; with nothing but TURN over TLS and relay only, a refused
     * certificate leaves no candidate and an icecandidateerror. */
    const got = await page.evaluate(async (iceServers) => {
      const pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: 'relay' });
      const candidates = [];
      const errors = [];
      pc.onicecandidate = (e) => e.candidate && candidates.push(e.candidate.candidate);
      pc.onicecandidateerror = (e) => errors.push({ url: e.url, code: e.errorCode, text: e.errorText });
      const complete = new Promise((ok) => {
        pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && ok();
      });
      pc.createDataChannel('probe');
      await pc.setLocalDescription(await pc.createOffer());
      await complete;
      pc.close();
      return { candidates, errors };
    }, reply.iceServers);
    assert.deepEqual(got.candidates, [], 'no relay candidate without trusting the CA');
    assert.ok(got.errors.length > 0 && got.errors.every((e) => e.url === uri), JSON.stringify(got.errors));
  } finally {
    await stranger.close();
  }
});

test('two-party call relayed over TLS only decodes video through coturn', { skip }, async () => {
  const room = roomName('turn-tls');
  const a = await joinRecorded(browser, opened, server.url, 'turn-tls-a', room, 'Kari', { relay: '1' });
  const b = await joinRecorded(browser, opened, server.url, 'turn-tls-b', room, 'Ola', { relay: '1' });
  await waitForMediaFrom(a.page, [b.id], 'turn-tls-a');
  await waitForMediaFrom(b.page, [a.id], 'turn-tls-b');
  for (const p of [a, b]) {
    const pairs = await settledPairs(p);
    for (const pair of pairs) {
      assert.equal(pair.policy, 'relay');
      assert.equal(pair.localType, 'relay', `${p.label}: ${JSON.stringify(pair)}`);
      assert.equal(pair.relayProtocol, 'tls', `${p.label}: ${JSON.stringify(pair)}`);
    }
  }
});
