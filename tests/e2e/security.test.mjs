/*
 * security.test.mjs — the security findings through the real server,
 * without a browser: raw WebSockets, HTTP over plain sockets (so a request
 * can carry what fetch() refuses to send), and the data directory on disk.
 *
 * Each test starts a samvei of its own (server.mjs) with a known token
 * secret and makes an API key in its database with `samvei apikey create`.
 *
 * - Join links: every re-spelling of a link (the signature's last
 *   character has two unused bits) is refused for a revoked invitation, a
 *   removed participant and a cancelled consultation; revoking or
 *   cancelling removes whoever is already in the room; a link minted
 *   without an invitation does not open a booked consultation.
 * - HTTP: Content-Length with Transfer-Encoding (and chunked alone) gets
 *   400 and the connection closes, so no second request hides in a body;
 *   a 17th query parameter and a value over 256 bytes get 400.
 * - Files: everything under the data dir is 0600 (directories 0700), and
 *   a data dir, token secret or database loosened by hand is warned about.
 * - Floods: chat beyond 5 a second (bursts of 20) gets `rate-limited`, so
 *   a receiver that reads slowly is not dropped for the sender's flood.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep, waitFor } from './lib.mjs';
import { startServer, SAMVEI_BIN } from './server.mjs';
import { api, assertError } from './api.mjs';
import { protocolClient } from './wsclient.mjs';

const SECRET = 'e2e-security-secret-0123456789abcdef';
const ENV = { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' };

function apiKey(dataDir) {
  const r = spawnSync(SAMVEI_BIN, ['apikey', 'create', '--name', 'e2e security', '--data-dir', dataDir], {
    encoding: 'utf8',
    env: ENV,
  });
  assert.equal(r.status, 0, `samvei apikey create: ${r.stderr}`);
  return r.stdout.trim();
}

/* The token and its three other spellings (the same bytes, once accepted). */
function spellings(token) {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const v = abc.indexOf(token.at(-1));
  return [0, 1, 2, 3].map((low) => token.slice(0, -1) + abc[(v & ~3) | low]);
}

/* Every spelling of token is refused (none gets in, none takes a seat). */
async function everySpellingRefused(server, room, token, what) {
  for (const t of spellings(token)) {
    const c = await protocolClient(server.wsUrl, 'x');
    const r = await c.join(room, t);
    c.close();
    assert.equal(r.type, 'error', `${what}: the spelling ${t.slice(-3)} must be refused, got ${JSON.stringify(r)}`);
    assert.ok(['unauthorized', 'forbidden'].includes(r.code), `${what}: ${JSON.stringify(r)}`);
  }
}

test('re-spelled links: revoked, removed and cancelled stay out; those inside are removed', { timeout: 120000 }, async () => {
  const server = await startServer('security-links', { args: ['--token-secret', SECRET] });
  try {
    const key = apiKey(server.dataDir);
    const base = server.url;
    const now = Date.now();
    const booked = await api('POST', '/api/consultations', {
      key,
      base,
      body: { title: 'Sårveiledning', start: new Date(now).toISOString(), durationMin: 60 },
    });
    assert.equal(booked.status, 201, booked.text);
    const room = booked.json.id;
    const invite = async (role, name) => {
      const r = await api('POST', `/api/consultations/${room}/invitations`, { key, base, body: { role, name } });
      assert.equal(r.status, 201, r.text);
      return r.json;
    };
    const host = await invite('specialist', 'Dr. Berg');
    const revokedEarly = await invite('patient', 'Tilbakekalt');
    const nurse = await invite('municipal', 'Sykepleier');
    const patient = await invite('patient', 'Kari');

    /* Revoked before anyone used it: no spelling opens the room. */
    assert.equal((await api('DELETE', `/api/invitations/${revokedEarly.id}`, { key, base })).status, 204);
    await everySpellingRefused(server, room, revokedEarly.token, 'a revoked invitation');

    /* A link minted by `samvei token` has no invitation: a booked room refuses it. */
    const minted = spawnSync(
      SAMVEI_BIN,
      ['token', '--room', room, '--role', 'specialist', '--name', 'Ukjent', '--data-dir', server.dataDir, '--token-secret', SECRET],
      { encoding: 'utf8', env: ENV },
    );
    assert.equal(minted.status, 0, minted.stderr);
    await everySpellingRefused(server, room, minted.stdout.trim(), 'a link without an invitation');

    /* Host, nurse and patient in the room. */
    const h = await protocolClient(server.wsUrl, 'x');
    const hok = await h.join(room, host.token);
    assert.equal(hok.type, 'ok', JSON.stringify(hok));
    const n = await protocolClient(server.wsUrl, 'x');
    assert.equal((await n.join(room, nurse.token)).type, 'ok');
    const p = await protocolClient(server.wsUrl, 'x');
    const pok = await p.join(room, patient.token);
    assert.equal(pok.state, 'waiting');
    assert.equal((await h.request({ type: 'admit', participant: pok.self })).type, 'ok');

    /* The host removes the patient: no spelling of the link comes back. */
    assert.equal((await h.request({ type: 'remove', participant: pok.self })).type, 'ok');
    await p.next((m) => m.type === 'removed', 'the patient to be told removed');
    await everySpellingRefused(server, room, patient.token, 'a removed participant');

    /* The organiser revokes the nurse's invitation while the nurse is in
     * the call: the nurse is removed at once, and stays out. */
    assert.equal((await api('DELETE', `/api/invitations/${nurse.id}`, { key, base })).status, 204);
    const removed = await n.next((m) => m.type === 'removed', 'the nurse to be removed on revocation');
    assert.equal(removed.by, 'organiser');
    await h.next((m) => m.type === 'participant-left' && m.participant !== pok.self, 'the host to see the nurse go');
    await everySpellingRefused(server, room, nurse.token, 'a revoked invitation of someone who was inside');

    /* Cancelling ends the call for the host, and every link stays out. */
    assert.equal((await api('DELETE', `/api/consultations/${room}`, { key, base })).status, 200);
    const ended = await h.next((m) => m.type === 'ended', 'the host to be told the consultation ended');
    assert.equal(ended.reason, 'cancelled');
    await everySpellingRefused(server, room, host.token, 'a cancelled consultation');
    const health = await (await fetch(`${base}/healthz`)).json();
    assert.equal(health.participants, 0, 'nobody is left in the room');
    for (const c of [h, n, p]) c.close();
  } finally {
    await server.stopCleanly();
  }
});

/* Sends raw bytes on a new TCP connection and collects everything the
 * server sends until it closes (or ms pass). */
function rawHttp(server, bytes, ms = 3000) {
  return new Promise((ok, fail) => {
    const sock = connect(server.port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => {
      sock.destroy();
      ok({ text: got, closed: false });
    }, ms);
    sock.on('data', (d) => (got += d.toString('latin1')));
    sock.on('error', (e) => (got ? null : fail(e)));
    sock.on('close', () => {
      clearTimeout(timer);
      ok({ text: got, closed: true });
    });
    sock.write(bytes);
  });
}

test('names given on the command line follow the API\'s plain-text rule: no control or formatting characters', { timeout: 60000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'samvei-names-'));
  try {
    const run = (...args) => spawnSync(SAMVEI_BIN, [...args, '--data-dir', dataDir, '--token-secret', SECRET], { encoding: 'utf8', env: ENV });
    /* A right-to-left override makes "Dr. Berg" out of other letters; a
     * zero-width space makes a second "Dr. Berg" that is not the same. */
    for (const bad of ['Dr. \u202egreB', 'Dr.\u200b Berg', 'Kari\u0007']) {
      const token = run('token', '--room', 'names-room', '--role', 'patient', '--name', bad);
      assert.equal(token.status, 2, `samvei token --name ${JSON.stringify(bad)}: ${token.stderr}`);
      assert.match(token.stderr, /control or formatting characters/);
      const team = run('team', 'create', '--name', bad, '--kind', 'specialist');
      assert.equal(team.status, 2, `samvei team create --name ${JSON.stringify(bad)}: ${team.stderr}`);
      const key = run('apikey', 'create', '--name', bad);
      assert.equal(key.status, 2, `samvei apikey create --name ${JSON.stringify(bad)}: ${key.stderr}`);
    }
    const good = run('token', '--room', 'names-room', '--role', 'patient', '--name', 'Kari Ødegård-Nilsen');
    assert.equal(good.status, 0, good.stderr);
    assert.equal(run('team', 'create', '--name', 'Hjemmetjenesten Ås', '--kind', 'municipal').status, 0);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('Content-Length with Transfer-Encoding gets 400 and the connection closes; nothing hides in the body', { timeout: 60000 }, async () => {
  const server = await startServer('security-http', { args: ['--token-secret', SECRET] });
  try {
    const key = apiKey(server.dataDir);
    /* TE.CL: a proxy in front frames by the chunks and forwards them all;
     * framed by Content-Length (only the chunk's size line), the chunk's
     * data would be a second request of its own. */
    const hidden = `GET /api/teams HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\n\r\n`;
    const sizeLine = `${hidden.length.toString(16)}\r\n`;
    const smuggle =
      `POST /api/teams HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${sizeLine.length}\r\nTransfer-Encoding: chunked\r\n\r\n` +
      `${sizeLine}${hidden}\r\n0\r\n\r\n`;
    const r = await rawHttp(server, smuggle);
    assert.match(r.text, /^HTTP\/1\.1 400 /, `400 first: ${r.text.slice(0, 200)}`);
    assert.match(r.text, /"code":"bad-request"/);
    assert.equal((r.text.match(/HTTP\/1\.1 /g) || []).length, 1, `one response only: ${r.text}`);
    assert.ok(r.closed, 'the connection is closed');
    /* Chunked alone: also 400 and closed (the chunk is never read as a request). */
    const chunked =
      `POST /api/teams HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nTransfer-Encoding: chunked\r\n\r\n` +
      `${hidden.length.toString(16)}\r\n${hidden}\r\n0\r\n\r\n`;
    const c = await rawHttp(server, chunked);
    assert.match(c.text, /^HTTP\/1\.1 400 /);
    assert.equal((c.text.match(/HTTP\/1\.1 /g) || []).length, 1, `one response only: ${c.text}`);
    /* The server still serves. */
    assert.equal((await api('GET', '/api/teams', { key, base: server.url })).status, 200);
  } finally {
    await server.stopCleanly();
  }
});

test('17 query parameters, or a value over 256 bytes, get 400 instead of being ignored', { timeout: 60000 }, async () => {
  const server = await startServer('security-query', { args: ['--token-secret', SECRET] });
  try {
    const key = apiKey(server.dataDir);
    const base = server.url;
    const sixteen = Array.from({ length: 16 }, (_, i) => `x${i}=1`).join('&');
    assert.equal((await api('GET', `/api/consultations?${sixteen}`, { key, base })).status, 200, '16 are read');
    const r = await api('GET', `/api/consultations?${sixteen}&status=nope`, { key, base });
    assertError(r, 400, 'bad-request', '17 query parameters');
    assert.match(r.json.error.message, /at most 16/);
    const long = await api('GET', `/api/consultations?status=${'a'.repeat(257)}`, { key, base });
    assertError(long, 400, 'bad-request', 'a value of 257 bytes');
    assert.equal((await api('GET', `/api/consultations?x=${'a'.repeat(256)}`, { key, base })).status, 200, '256 bytes are fine');
  } finally {
    await server.stopCleanly();
  }
});

/* Every file under dir with its mode, as [relative path, mode, isDir]. */
function modes(dir, rel = '') {
  const out = [];
  for (const name of readdirSync(join(dir, rel))) {
    const path = join(rel, name);
    const st = statSync(join(dir, path));
    out.push([path, st.mode & 0o777, st.isDirectory()]);
    if (st.isDirectory()) out.push(...modes(dir, path));
  }
  return out;
}

test('every file samvei creates is 0600 (directories 0700); loose modes are warned about at start', { timeout: 60000 }, async () => {
  /* A data dir inside a fresh one, so samvei creates it itself. */
  const parent = mkdtempSync(join(tmpdir(), 'samvei-modes-'));
  const dataDir = join(parent, 'data');
  let server = await startServer('security-modes', { dataDir });
  try {
    /* Write to the database (a consultation) so -wal/-shm exist too. */
    const key = apiKey(dataDir);
    const booked = await api('POST', '/api/consultations', {
      key,
      base: server.url,
      body: { title: 'Modus', start: new Date().toISOString(), durationMin: 30 },
    });
    assert.equal(booked.status, 201, booked.text);
    const all = modes(dataDir);
    const names = all.map(([p]) => p);
    for (const want of ['samvei.db', 'token-secret']) assert.ok(names.includes(want), `${want} exists: ${names}`);
    assert.equal(statSync(dataDir).mode & 0o777, 0o700, 'the data dir is 0700');
    for (const [path, mode, dir] of all)
      assert.equal(mode, dir ? 0o700 : 0o600, `${path} is ${mode.toString(8)}, not ${dir ? '700' : '600'}`);
    assert.doesNotMatch(server.output(), /can be read by other users/);
  } finally {
    await server.stopCleanly();
  }
  /* Loosened by hand: samvei says so, naming the chmod. */
  chmodSync(dataDir, 0o755);
  chmodSync(join(dataDir, 'token-secret'), 0o644);
  chmodSync(join(dataDir, 'samvei.db'), 0o644);
  server = await startServer('security-modes-loose', { dataDir });
  try {
    const log = server.output();
    assert.match(log, /data dir .* can be read by other users \(mode 755\): run 'chmod 700/);
    assert.match(log, /token secret .* can be read by other users \(mode 644\): run 'chmod 600/);
    assert.match(log, /database .* can be read by other users \(mode 644\): run 'chmod 600/);
  } finally {
    await server.stopCleanly();
    rmSync(parent, { recursive: true, force: true });
  }
});

test('a chat flood is throttled with rate-limited, and the slow receiver stays connected', { timeout: 90000 }, async () => {
  const server = await startServer('security-flood');
  try {
    const room = `flood-${Date.now()}`;
    const a = await protocolClient(server.wsUrl, 'x');
    const b = await protocolClient(server.wsUrl, 'x');
    for (const c of [a, b]) assert.equal((await c.request({ type: 'join', room, name: 'x', noticeAck: true })).type, 'ok');
    /* B stops reading; A floods as fast as it can. */
    b.ws._socket.pause();
    let closed = false;
    b.ws.on('close', () => (closed = true));
    const text = 'x'.repeat(1900);
    for (let i = 0; i < 3000; i++) a.send({ type: 'chat', id: 1000 + i, text });
    await waitFor(() => a.inbox.filter((m) => m.id >= 1000 && (m.type === 'ok' || m.type === 'error')).length >= 3000, {
      timeoutMs: 60000,
      intervalMs: 100,
      what: 'every chat of the flood to be answered',
    });
    b.ws._socket.resume();
    await sleep(1000);
    assert.ok(!closed, 'the slow receiver is still connected');
    await waitFor(() => b.inbox.some((m) => m.type === 'chat'), { timeoutMs: 10000, intervalMs: 50, what: 'B to read the chats' });
    const limited = a.inbox.filter((m) => m.type === 'error' && m.code === 'rate-limited');
    assert.ok(limited.length > 2900, `most of the flood is refused (${limited.length} rate-limited)`);
    assert.ok(limited[0].message.length > 20, 'with a sentence');
    assert.equal((await b.request({ type: 'chat', text: 'still here' })).type, 'ok');
    a.close();
    b.close();
  } finally {
    await server.stopCleanly();
  }
});
