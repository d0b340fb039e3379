/*
 * exhaustion.test.mjs — the server's resource bounds, as an attacker and a
 * person meet them: with a low open-file limit, a flood of connections
 * leaves it idle and its log small, and it serves again once they close;
 * an API request without a valid key is answered (401) before its body,
 * and one whose body trickles is cut at --request-timeout; a WebSocket
 * that never joins is closed at --unjoined-timeout; an address gets at
 * most --max-conns-per-ip connections; a WebSocket from another site's
 * page (Origin) gets 403 while the server's own page connects; and a
 * consultation its host ended stays ended after a restart.
 *
 * Every wait is for the event itself, bounded by the limit under test
 * plus a margin: never a sleep standing in for it. The CPU sample is a
 * measurement over a fixed window, which is what is being tested.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync, statSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startServer, freePort, SAMVEI_BIN, ROOT } from './server.mjs';
import { makeApiKey, api } from './api.mjs';
import { ARTIFACTS, launchBrowser, sleep, waitFor } from './lib.mjs';

const cleanups = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

/* Opens a TCP connection; resolves with the socket once connected. What
 * the server sends, and its closing, are recorded from the start (a
 * refused socket may close before anyone reads it): s.ended resolves
 * with {data, at} when it closes. */
function connect(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    let data = '';
    let connected = false;
    s.on('connect', () => {
      connected = true;
    });
    s.on('data', (d) => {
      data += d;
    });
    s.ended = new Promise((done) => {
      const close = () => done({ data, at: Date.now() });
      s.on('close', close);
      s.on('end', close);
    });
    s.on('error', (err) => {
      if (!connected) reject(err);
    });
  });
}

/* What the server sent until it closed, or {closed: false} when it is
 * still open after timeoutMs. */
async function readUntilClose(sock, timeoutMs) {
  const started = Date.now();
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  const r = await Promise.race([sock.ended, timeout]);
  clearTimeout(timer);
  if (!r) return { closed: false, data: '', ms: Date.now() - started };
  return { closed: true, data: r.data, ms: Math.max(0, r.at - started) };
}

/* CPU seconds (user + system) the process has used. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; /* USER_HZ */
}

test('a connection flood at the open-file limit leaves the server idle, its log small, and it serves again', { timeout: 90000 }, async () => {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'samvei-fd-'));
  const logPath = join(ARTIFACTS, 'exhaustion-fd.server.log');
  const log = createWriteStream(logPath);
  const proc = spawn('prlimit', ['--nofile=64:64', SAMVEI_BIN, '--bind', '127.0.0.1', '--port', String(port),
    '--web-root', join(ROOT, 'web'), '--data-dir', dataDir, '--allow-open-rooms', '--drain-timeout', '0',
    '--workers', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.pipe(log);
  proc.stderr.pipe(log);
  const exited = new Promise((ok) => proc.on('exit', (code, signal) => ok({ code, signal })));
  cleanups.push(async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30000;
  for (;;) {
    assert.equal(proc.exitCode, null, 'samvei exited at start');
    if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) break;
    assert.ok(Date.now() < deadline, 'samvei answers /healthz within 30 s');
    await sleep(200);
  }

  /* More connections than the process may have files: the kernel's
   * backlog takes the rest. */
  const socks = [];
  for (let i = 0; i < 120; i++) socks.push(await connect(port));
  const logBefore = statSync(logPath).size;
  const cpuBefore = cpuSeconds(proc.pid);
  const windowMs = 3000;
  await sleep(windowMs); /* the measurement window itself */
  const cpuShare = (cpuSeconds(proc.pid) - cpuBefore) / (windowMs / 1000);
  const logGrowth = statSync(logPath).size - logBefore;
  assert.ok(cpuShare < 0.3, `the server idles at the limit (used ${(cpuShare * 100).toFixed(0)} % of a core)`);
  assert.ok(logGrowth < 20000, `its log stays small at the limit (grew ${logGrowth} bytes in 3 s)`);
  assert.equal(proc.exitCode, null, 'the server is still running');

  for (const s of socks) s.destroy();
  /* Once they are gone it serves again: a page and the health check. */
  const until = Date.now() + 20000;
  let page;
  for (;;) {
    page = await fetch(`${base}/`, { signal: AbortSignal.timeout(3000) }).catch(() => null);
    if (page?.ok) break;
    assert.ok(Date.now() < until, 'the page loads again within 20 s of the flood ending');
    await sleep(200);
  }
  assert.match(await page.text(), /<html/i);
  assert.equal((await fetch(`${base}/healthz`)).status, 200);
});

test('API: no valid key gets 401 before the body; a trickled body is cut at the limit', { timeout: 60000 }, async () => {
  const server = await startServer('exhaustion-api', { args: ['--request-timeout', '2'] });
  cleanups.push(() => server.stopCleanly());
  const key = makeApiKey('e2e exhaustion', server.dataDir);

  /* Headers only, a body announced but never sent: the answer comes. */
  for (const auth of ['', 'Authorization: Bearer not-a-key\r\n']) {
    const s = await connect(server.port);
    s.write(`POST /api/teams HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n`);
    const r = await readUntilClose(s, 5000);
    assert.match(r.data, /^HTTP\/1\.[01] 401/, `401 before the body (${auth ? 'bad key' : 'no key'})`);
    assert.match(r.data, /"unauthorized"/);
    assert.ok(r.closed, 'and the connection is closed');
  }

  /* With a good key, a body that trickles (one byte a second) is cut
   * within the limit (2 s) plus a margin. */
  const s = await connect(server.port);
  s.write(`POST /api/teams HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`);
  const drip = setInterval(() => s.writable && s.write(' '), 1000);
  const r = await readUntilClose(s, 6000);
  clearInterval(drip);
  assert.ok(r.closed, `a trickled body is cut (open after ${r.ms} ms)`);
  assert.ok(r.ms < 4500, `within the 2 s limit and a margin (${r.ms} ms)`);

  /* A complete request with the key still works. */
  const ok = await api('POST', '/api/teams', { key, base: server.url, body: { name: 'Team A', kind: 'specialist' } });
  assert.equal(ok.status, 201);
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(metrics, /samvei_connections_refused_total\{reason="slow-request"\} [1-9]/);
});

test('a WebSocket that never joins is closed; one address gets at most --max-conns-per-ip', { timeout: 60000 }, async () => {
  const server = await startServer('exhaustion-ws', { args: ['--unjoined-timeout', '2', '--max-conns-per-ip', '6'] });
  cleanups.push(() => server.stopCleanly());

  const ws = new WebSocket(server.wsUrl, 'samvei-v1');
  const opened = Date.now();
  const messages = [];
  ws.on('message', (d) => messages.push(JSON.parse(d)));
  const closed = await new Promise((resolve) => ws.on('close', (code) => resolve({ code, ms: Date.now() - opened })));
  assert.equal(closed.code, 1008, 'closed as a policy violation');
  assert.ok(closed.ms >= 1500 && closed.ms < 6000, `at the 2 s limit (${closed.ms} ms)`);
  assert.equal(messages[0]?.code, 'join-timeout');

  /* One that joins stays past the limit: its room shows it. */
  const joined = new WebSocket(server.wsUrl, 'samvei-v1');
  await new Promise((resolve) => joined.on('open', resolve));
  const reply = new Promise((resolve) => joined.on('message', (d) => resolve(JSON.parse(d))));
  joined.send(JSON.stringify({ type: 'join', id: 1, room: 'stay', name: 'Kari', noticeAck: true }));
  assert.equal((await reply).type, 'ok');
  let joinedClosed = false;
  joined.on('close', () => {
    joinedClosed = true;
  });
  /* A second, unjoined WebSocket opened now: when the server closes it,
   * the limit has passed for the joined one too. */
  const probe = new WebSocket(server.wsUrl, 'samvei-v1');
  const probeClosed = new Promise((resolve) => probe.on('close', resolve));

  /* Six connections per address (the joined WebSocket is one, and the
   * test's own HTTP client may keep one alive): of ten more, at most five
   * are kept and the rest closed at once; the joined one is untouched. */
  const socks = [];
  for (let i = 0; i < 10; i++) socks.push(await connect(server.port));
  const results = await Promise.all(socks.map((s) => readUntilClose(s, 1500)));
  const kept = results.filter((r) => !r.closed).length;
  assert.ok(kept >= 1 && kept <= 5, `at most 5 more are kept (kept ${kept} of 10)`);
  socks.forEach((s) => s.destroy());
  /* Closed connections give their places back, once the server has seen
   * them close: three new ones are all kept within a few seconds. */
  let refused = -1;
  await waitFor(async () => {
    const again = [];
    for (let i = 0; i < 3; i++) again.push(await connect(server.port));
    const reopened = await Promise.all(again.map((s) => readUntilClose(s, 1000)));
    again.forEach((s) => s.destroy());
    refused = reopened.filter((r) => r.closed).length;
    return refused === 0;
  }, { timeoutMs: 10000, intervalMs: 200, what: 'new connections accepted again' }).catch(() => {});
  assert.equal(refused, 0, 'new connections are accepted again');
  await probeClosed;
  assert.equal(joinedClosed, false, 'the joined WebSocket is still open past the limit');
  joined.close();
});

test('a WebSocket from another site gets 403; the page\'s own origin connects', { timeout: 60000 }, async () => {
  const server = await startServer('exhaustion-origin');
  cleanups.push(() => server.stopCleanly());
  const status = await new Promise((resolve) => {
    const ws = new WebSocket(server.wsUrl, 'samvei-v1', { origin: 'https://evil.example' });
    ws.on('unexpected-response', (req, res) => resolve(res.statusCode));
    ws.on('open', () => resolve('open'));
    ws.on('error', () => {});
  });
  assert.equal(status, 403);
  /* The test tools send no Origin: allowed. */
  const plain = new WebSocket(server.wsUrl, 'samvei-v1');
  await new Promise((resolve, reject) => {
    plain.on('open', resolve);
    plain.on('error', reject);
  });
  plain.close();

  /* The page, loaded from both spellings of the loopback address. */
  const browser = await launchBrowser();
  cleanups.push(() => browser.close());
  for (const host of ['127.0.0.1', 'localhost']) {
    const page = await browser.newPage();
    await page.goto(`http://${host}:${server.port}/`);
    const state = await page.evaluate(
      (url) =>
        new Promise((resolve) => {
          const ws = new WebSocket(url, 'samvei-v1');
          ws.onopen = () => resolve('open');
          ws.onerror = () => resolve('error');
        }),
      `ws://${host}:${server.port}/ws`,
    );
    assert.equal(state, 'open', `the page at ${host} connects`);
    await page.close();
  }
});

/* Joins over a WebSocket, optionally sends one more message after the
 * join's reply, and returns the replies. */
function joinAnd(wsUrl, room, token, then) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, 'samvei-v1');
    const replies = {};
    ws.on('open', () => ws.send(JSON.stringify({ type: 'join', id: 1, room, name: 'Dr. Berg', token, noticeAck: true })));
    ws.on('message', (data) => {
      const m = JSON.parse(data);
      if (m.id === 1) {
        replies.join = m;
        if (m.type === 'ok' && then) ws.send(JSON.stringify({ ...then, id: 2 }));
        else {
          ws.close();
          resolve(replies);
        }
      }
      if (m.id === 2) {
        replies.then = m;
        ws.close();
        resolve(replies);
      }
    });
    ws.on('error', reject);
  });
}

test('a consultation its host ended stays ended after a restart', { timeout: 90000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'samvei-ended-'));
  let server = await startServer('exhaustion-ended', { dataDir });
  cleanups.push(async () => {
    await server.stopCleanly();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const key = makeApiKey('e2e ended', dataDir);
  const base = server.url;
  const start = new Date(Date.now() + 5 * 60000).toISOString();
  const c = (await api('POST', '/api/consultations', { key, base, body: { title: 'Avsluttet', kind: 'guidance', start, durationMin: 60 } })).json;
  const inv = (await api('POST', `/api/consultations/${c.id}/invitations`, { key, base, body: { role: 'specialist', name: 'Dr. Berg' } })).json;
  const token = inv.link.split('#token=')[1];

  const first = await joinAnd(server.wsUrl, c.id, token, { type: 'end' });
  assert.equal(first.join.type, 'ok', JSON.stringify(first.join));
  assert.equal(first.then.type, 'ok', 'the host ended it');
  const again = await joinAnd(server.wsUrl, c.id, token);
  assert.equal(again.join.code, 'ended', 'refused while the server runs');

  await server.stop('SIGKILL');
  server = await startServer('exhaustion-ended', { dataDir, port: server.port });
  const afterRestart = await joinAnd(server.wsUrl, c.id, token);
  assert.equal(afterRestart.join.type, 'error');
  assert.equal(afterRestart.join.code, 'ended', `refused after the restart: ${JSON.stringify(afterRestart.join)}`);
  const check = await fetch(`${server.url}/api/link`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal((await check.json()).status, 'ended', 'the link check says ended too');
});
