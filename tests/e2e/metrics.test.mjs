/*
 * metrics.test.mjs — GET /metrics after a real call.
 *
 * Two people join one room through the UI and decode each other's video;
 * /metrics, parsed as Prometheus text, then shows two participants, one
 * room, forwarded packets and bytes, exactly two more accepted joins, a
 * join-to-first-frame observation per participant, and no room id or name
 * anywhere in its labels. Then a join with a bad token and a join into a
 * full room (on raw WebSockets) must each move their own failure counter by
 * one and no other: counts that change, not labels that are always there.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { protocolClient } from './wsclient.mjs';
import {
  BASE_URL,
  WS_URL,
  launchBrowser,
  newParticipant,
  joinViaUi,
  waitFor,
  waitForMediaFrom,
  roomName,
} from './lib.mjs';

let browser;
const opened = [];
const sockets = [];

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  for (const ws of sockets) ws.terminate();
  for (const p of opened) await p.context.close().catch(() => {});
  await browser?.close();
});

/* Parses the text exposition format: every sample line into
 * {name, labels, value}; checks each family has HELP and TYPE first. */
export function parseMetrics(text) {
  const samples = [];
  const typed = new Set();
  for (const line of text.split('\n')) {
    if (!line) continue;
    const t = line.match(/^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/);
    if (t) {
      typed.add(t[1]);
      continue;
    }
    if (line.startsWith('# HELP ')) continue;
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? (\S+)$/);
    assert.ok(m, `not a sample line: ${line}`);
    const labels = {};
    if (m[2]) {
      for (const pair of m[2].split(',')) {
        const l = pair.match(/^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"$/);
        assert.ok(l, `bad label ${pair} in: ${line}`);
        labels[l[1]] = l[2];
      }
    }
    const family = m[1].replace(/_(bucket|sum|count)$/, '');
    assert.ok(typed.has(m[1]) || typed.has(family), `${m[1]} has no TYPE line before it`);
    const value = Number(m[3]);
    assert.ok(!Number.isNaN(value) || m[3] === '+Inf', `bad value in: ${line}`);
    samples.push({ name: m[1], labels, value });
  }
  return samples;
}

function value(samples, name, labels = {}) {
  const s = samples.find(
    (x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v),
  );
  return s?.value;
}

/* Every join failure counter by reason. */
function joinFailures(samples) {
  const out = {};
  for (const x of samples) if (x.name === 'samvei_join_failures_total') out[x.labels.reason] = x.value;
  return out;
}

/* Joins room on a protocol-level client and resolves with the reply (ok
 * or error); the socket stays open (a seat in the room) until the test ends. */
async function rawJoin(room, name, token) {
  return (await protocolClient(WS_URL, name, sockets)).join(room, token);
}

async function metrics() {
  const res = await fetch(`${BASE_URL}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  return { text, samples: parseMetrics(text) };
}

test('/metrics shows the call: two participants, forwarded packets, no personal data', async () => {
  const room = roomName('metrics');
  const names = ['Kari Nordmann', 'Ola Hansen'];
  const a = await newParticipant(browser, 'metrics-a');
  const b = await newParticipant(browser, 'metrics-b');
  opened.push(a, b);
  const before = (await metrics()).samples;
  const joinsBefore = value(before, 'samvei_joins_total');
  const failuresBefore = joinFailures(before);
  const idA = await joinViaUi(a.page, room, names[0]);
  const idB = await joinViaUi(b.page, room, names[1]);
  await waitForMediaFrom(a.page, [idB], 'metrics-a');
  await waitForMediaFrom(b.page, [idA], 'metrics-b');

  const { text, samples } = await waitFor(
    async () => {
      const m = await metrics();
      return value(m.samples, 'samvei_participants') === 2 ? m : false;
    },
    { timeoutMs: 10000, what: 'samvei_participants == 2' },
  );
  assert.equal(value(samples, 'samvei_participants'), 2);
  assert.equal(value(samples, 'samvei_rooms'), 1);
  assert.equal(value(samples, 'samvei_joins_total'), joinsBefore + 2, 'two joins counted');
  assert.ok(value(samples, 'samvei_forwarded_packets_total') > 0, 'forwarded packets > 0');
  assert.ok(value(samples, 'samvei_forwarded_bytes_total') > 0, 'forwarded bytes > 0');
  assert.ok(value(samples, 'samvei_received_packets_total', { kind: 'rtp' }) > 0);
  assert.ok(value(samples, 'samvei_relay_peer_connections') >= 4, 'two PeerConnections each');
  assert.ok(
    value(samples, 'samvei_join_to_first_frame_seconds_count') >= 2,
    'both participants got their first video frame',
  );
  assert.equal(
    value(samples, 'samvei_join_to_first_frame_seconds_bucket', { le: '+Inf' }),
    value(samples, 'samvei_join_to_first_frame_seconds_count'),
  );
  assert.match(text, /^samvei_build_info\{version="[^"]+"\} 1$/m);
  assert.ok(samples.some((s) => s.name === 'samvei_worker_rooms' && s.labels.worker === '0'));
  assert.deepEqual(joinFailures(samples), failuresBefore, 'a good call moves no join failure counter');
  for (const secret of [room, idA, idB, ...names])
    assert.ok(!text.includes(secret), `/metrics must not contain '${secret}'`);

  await a.context.close();
  await b.context.close();
  await waitFor(async () => value((await metrics()).samples, 'samvei_participants') === 0, {
    timeoutMs: 10000,
    what: 'samvei_participants back to 0 after both left',
  });
});

test('/metrics counts failed joins by reason: a bad token, a full room', async () => {
  const before = joinFailures((await metrics()).samples);
  assert.ok('auth' in before && 'room-full' in before, `reasons: ${JSON.stringify(before)}`);

  const bad = await rawJoin(roomName('metrics-auth'), 'Kari', 'not.a.token');
  assert.equal(bad.type, 'error');
  assert.equal(bad.code, 'unauthorized');

  /* An open room takes 16 (the default --max-room-size); the 17th is refused. */
  const room = roomName('metrics-full');
  for (let i = 0; i < 16; i++) assert.equal((await rawJoin(room, `p${i}`)).type, 'ok', `join ${i + 1} of 16`);
  const full = await rawJoin(room, 'one too many');
  assert.equal(full.type, 'error');
  assert.equal(full.code, 'room-full');

  const after = joinFailures((await metrics()).samples);
  assert.deepEqual(after, { ...before, auth: before.auth + 1, 'room-full': before['room-full'] + 1 });
  for (const ws of sockets.splice(0)) ws.close();
  await waitFor(async () => value((await metrics()).samples, 'samvei_participants') === 0, {
    timeoutMs: 10000,
    what: 'samvei_participants back to 0 after the raw clients left',
  });
});
