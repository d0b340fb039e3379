/*
 * signals.test.mjs — what ops do to a running server, on a server of the
 * test's own (TLS with dev certificates):
 *
 * - SIGHUP after the certificate files were replaced: a new TLS connection
 *   (openssl s_client) sees the new certificate, while a WebSocket opened
 *   before stays open and keeps working;
 * - SIGTERM: connected clients are told {"type":"server-restarting",
 *   "retryAfterMs":N}, a new join is refused with `restarting`, and the
 *   server exits 0 as soon as the last participant leaves;
 * - SIGTERM with people staying: the server exits 0 after --drain-timeout.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { waitFor } from './lib.mjs';
import { startServer, makeCerts } from './server.mjs';
import { protocolClient } from './wsclient.mjs';

const cleanup = [];
after(async () => {
  for (const f of cleanup.reverse()) await f();
});

/* The servers use dev certificates: their WebSockets skip the check. */
const sockets = [];
cleanup.push(() => sockets.forEach((ws) => ws.terminate()));
const client = (url) => protocolClient(url, 'client', sockets, { rejectUnauthorized: false });

/* SHA-256 fingerprint of the certificate a new TLS connection is served. */
function servedFingerprint(port) {
  const pem = execFileSync(
    'openssl',
    ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost'],
    { input: '', stdio: ['pipe', 'pipe', 'ignore'], timeout: 10000 },
  ).toString();
  return execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], { input: pem })
    .toString()
    .trim();
}

function fileFingerprint(path) {
  return execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', path])
    .toString()
    .trim();
}

test('SIGHUP reloads the TLS certificate; an open WebSocket stays open', async () => {
  const a = makeCerts();
  const b = makeCerts();
  const live = makeCerts(); /* the files the server is told about; overwritten below */
  cleanup.push(() => [a, b, live].forEach((d) => rmSync(d, { recursive: true, force: true })));
  for (const f of ['server.pem', 'server.key']) copyFileSync(join(a, f), join(live, f));
  const tls = { cert: join(live, 'server.pem'), key: join(live, 'server.key') };
  const server = await startServer('signals-hup', { tls });
  cleanup.push(() => server.stop());

  const oldFp = fileFingerprint(join(a, 'server.pem'));
  const newFp = fileFingerprint(join(b, 'server.pem'));
  assert.notEqual(oldFp, newFp);
  assert.equal(servedFingerprint(server.port), oldFp);

  const c = await client(server.wsUrl);
  const joined = await c.request({ type: 'join', room: 'hup-room', name: 'Kari' });
  assert.equal(joined.type, 'ok');

  for (const f of ['server.pem', 'server.key']) copyFileSync(join(b, f), join(live, f));
  server.proc.kill('SIGHUP');
  await waitFor(() => servedFingerprint(server.port) === newFp, {
    timeoutMs: 10000,
    what: 'a new TLS connection to see the new certificate',
  });

  assert.equal(c.ws.readyState, WebSocket.OPEN, 'the WebSocket opened before SIGHUP is open');
  const chat = await c.request({ type: 'chat', text: 'still here' });
  assert.equal(chat.type, 'ok', 'and still answers');

  /* A broken pair (new cert, old key) is refused; the good one stays. */
  copyFileSync(join(a, 'server.key'), join(live, 'server.key'));
  server.proc.kill('SIGHUP');
  await waitFor(() => server.output().includes('TLS certificate not reloaded'), {
    timeoutMs: 10000,
    what: 'the refusal in the log',
  });
  assert.equal(servedFingerprint(server.port), newFp);
  assert.equal(server.proc.exitCode, null, 'the server still runs');
});

test('SIGTERM drains: clients told, joins refused, exit 0 when the rooms empty', async () => {
  const server = await startServer('signals-term', {
    args: ['--drain-timeout', '60', '--log-format', 'json'],
  });
  cleanup.push(() => server.stop());
  const a = await client(server.wsUrl);
  const b = await client(server.wsUrl);
  const joinedA = await a.request({ type: 'join', room: 'drain', name: 'Kari Nordmann' });
  assert.equal(joinedA.type, 'ok');
  assert.equal((await b.request({ type: 'join', room: 'drain', name: 'Ola Hansen' })).type, 'ok');
  const late = await client(server.wsUrl);

  server.proc.kill('SIGTERM');
  for (const c of [a, b, late]) {
    const msg = await c.next((m) => m.type === 'server-restarting', 'server-restarting', 5000);
    assert.ok(Number.isInteger(msg.retryAfterMs) && msg.retryAfterMs > 0, 'retryAfterMs given');
  }
  const refused = await late.request({ type: 'join', room: 'drain', name: 'C' });
  assert.equal(refused.type, 'error');
  assert.equal(refused.code, 'restarting');

  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(metrics, /^samvei_join_failures_total\{reason="restarting"\} 1$/m);

  assert.equal(server.proc.exitCode, null, 'still running while people are in the room');
  await a.request({ type: 'leave' });
  b.ws.close();
  const started = Date.now();
  const { code } = await server.exited;
  assert.equal(code, 0, 'exit status 0');
  assert.ok(Date.now() - started < 5000, 'exits soon after the last one left');

  /* --log-format json: every line is one JSON object with the four fields;
   * the join and leave lines carry the participant id as a field; no name
   * and no client address is logged. */
  const lines = server.output().split('\n').filter(Boolean);
  assert.ok(lines.length > 5);
  const entries = lines.map((l) => {
    try {
      return JSON.parse(l);
    } catch {
      assert.fail(`not a JSON line: ${l}`);
    }
  });
  for (const e of entries) {
    for (const k of ['ts', 'level', 'component', 'message']) assert.equal(typeof e[k], 'string', k);
  }
  const ofA = entries.filter((e) => e.participant === joinedA.self).map((e) => e.message);
  assert.ok(ofA.some((m) => m.includes('joined')), 'a join line for A');
  assert.ok(ofA.some((m) => m.includes('left')), 'a leave line for A');
  for (const secret of ['Kari', 'Ola', '127.0.0.1:'])
    assert.ok(!server.output().includes(secret), `the log must not contain '${secret}'`);
});

test('SIGTERM with people staying: exit 0 after --drain-timeout', async () => {
  const server = await startServer('signals-timeout', { args: ['--drain-timeout', '1'] });
  cleanup.push(() => server.stop());
  const a = await client(server.wsUrl);
  assert.equal((await a.request({ type: 'join', room: 'stay', name: 'A' })).type, 'ok');
  const started = Date.now();
  server.proc.kill('SIGTERM');
  const { code } = await server.exited;
  const took = Date.now() - started;
  assert.equal(code, 0);
  assert.ok(took >= 900 && took < 8000, `stopped after the 1 s timeout (took ${took} ms)`);
  await a.closed;
});
