/*
 * audit.test.mjs — the session log after a real consultation, read with
 * `samvei audit export` from the server's own database (run.sh's data dir).
 *
 * A consultation is booked and two invitations issued with the CLI
 * (`samvei consultation create`, `samvei invite`). The patient opens the
 * link, waits and sees the consultation's title; the specialist joins and
 * admits them; both decode each other's video; both leave. The export for
 * the room holds booked, invitation-issued, then waiting, joined,
 * admitted, media-started, media-stopped, left and the relay's quality
 * summary, in that order per person, with roles and display names; the
 * consultation is now "held".
 * Then one stored event is changed with the sqlite3 command-line tool:
 * `samvei audit verify` exits 1 and names that event by seq; putting the
 * row back makes the chain intact again.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { VIEWPORTS, launchBrowser, newParticipant, waitFor, waitForMediaFrom, pageUrl } from './lib.mjs';

const BIN = process.env.SAMVEI_E2E_BIN;
const DATA_DIR = process.env.SAMVEI_E2E_DATA_DIR;
const SECRET = process.env.SAMVEI_E2E_TOKEN_SECRET;
const ENV = { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' };

let browser;
const opened = [];

before(async () => {
  assert.ok(BIN && DATA_DIR && SECRET, 'run.sh exports SAMVEI_E2E_BIN, _DATA_DIR and _TOKEN_SECRET');
  browser = await launchBrowser();
});

after(async () => {
  for (const p of opened) await p.context.close().catch(() => {});
  await browser?.close();
});

function samvei(args) {
  return spawnSync(BIN, [...args, '--data-dir', DATA_DIR, '--token-secret', SECRET], { encoding: 'utf8', env: ENV });
}

function run(args) {
  const r = samvei(args);
  assert.equal(r.status, 0, `samvei ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

function exportRoom(room, format = 'json') {
  const r = samvei(['audit', 'export', '--room', room, '--format', format]);
  assert.equal(r.status, 0, r.stderr);
  return format === 'json' ? JSON.parse(r.stdout) : r.stdout;
}

function sqlite(sql) {
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', join(DATA_DIR, 'samvei.db'), sql], { encoding: 'utf8' }).trim();
}

async function participant(label, viewport) {
  const p = await newParticipant(browser, label, viewport);
  opened.push(p);
  await keepPeerConnections(p.page);
  return p;
}

/* Keeps every RTCPeerConnection the page makes, so that the test can read
 * the subscribe side's reports (the client does not expose them). */
function keepPeerConnections(page) {
  return page.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    const kept = (window.__svPeerConnections = []);
    window.RTCPeerConnection = class extends Native {
      constructor(...args) {
        super(...args);
        kept.push(this);
      }
    };
  });
}

/* The fewest sender reports from the relay that any of the page's video
 * receivers has had (0 before the first). */
function senderReportsReceived(page) {
  return page.evaluate(async () => {
    let fewest = Infinity;
    for (const pc of window.__svPeerConnections ?? []) {
      if (pc.connectionState === 'closed') continue;
      for (const r of (await pc.getStats()).values())
        if (r.type === 'remote-outbound-rtp' && r.kind === 'video') fewest = Math.min(fewest, r.reportsSent ?? 0);
    }
    return Number.isFinite(fewest) ? fewest : 0;
  });
}

async function joinWithLink(p, room, token) {
  await p.page.goto(`${pageUrl({ room })}#token=${token}`, { waitUntil: 'load' });
  await p.page.getByLabel('I have read this and want to join').check();
  await p.page.getByRole('button', { name: 'Join' }).click();
}

/* The events of one participant, as "event" strings in log order. */
function eventsOf(events, id) {
  return events.filter((e) => e.participant === id).map((e) => e.event);
}

test('a consultation leaves its events in the log, in order, and a changed event is named', { timeout: 300000 }, async () => {
  const room = run(['consultation', 'create', '--title', 'Sårveiledning, hjemmesykepleien', '--minutes', '30']);
  assert.match(room, /^[a-z0-9]{20}$/, 'an opaque room id');
  const patientToken = run(['invite', '--consultation', room, '--role', 'patient', '--name', 'Kari Nordmann']);
  const specialistToken = run(['invite', '--consultation', room, '--role', 'specialist', '--name', 'Dr. Berg']);

  const patient = await participant('audit-patient', VIEWPORTS.tablet);
  await joinWithLink(patient, room, patientToken);
  await patient.page.locator('#waiting').waitFor({ state: 'visible', timeout: 20000 });
  await patient.page.locator('#waiting').getByText('Sårveiledning, hjemmesykepleien').waitFor({ timeout: 10000 });
  const patientId = (await patient.page.evaluate(() => window.samvei.self())).id;

  const specialist = await participant('audit-specialist', VIEWPORTS.laptop);
  await joinWithLink(specialist, room, specialistToken);
  await specialist.page.locator('#call').waitFor({ state: 'visible', timeout: 20000 });
  const specialistId = (await specialist.page.evaluate(() => window.samvei.self())).id;

  await specialist.page.getByRole('button', { name: 'Admit Kari Nordmann' }).click();
  await patient.page.locator('#call').waitFor({ state: 'visible', timeout: 20000 });
  await Promise.all([
    waitForMediaFrom(patient.page, [specialistId], 'patient'),
    waitForMediaFrom(specialist.page, [patientId], 'specialist'),
  ]);
  /* The round trip in the summary comes from the subscribers' receiver
   * reports on the relay's sender reports. A receiver reports about once a
   * second, so once each side has had three sender reports its reports on
   * them have gone out: wait for that, not for a fixed time. */
  await waitFor(
    async () => (await senderReportsReceived(patient.page)) >= 3 && (await senderReportsReceived(specialist.page)) >= 3,
    { timeoutMs: 30000, what: 'three sender reports from the relay at each participant' },
  );

  await patient.page.getByRole('button', { name: 'Leave' }).click();
  await specialist.page.getByRole('button', { name: 'Leave' }).click();

  /* The leaves reach the log as the server handles the closes. */
  let events = [];
  await waitFor(
    () => {
      events = exportRoom(room);
      return eventsOf(events, patientId).includes('quality') && eventsOf(events, specialistId).includes('quality');
    },
    { timeoutMs: 20000, what: 'both quality summaries in the audit export' },
  );

  assert.deepEqual(
    events.slice(0, 3).map((e) => `${e.event}:${e.role}:${e.actor}`),
    ['booked::cli', 'invitation-issued:patient:cli', 'invitation-issued:specialist:cli'],
  );
  assert.ok(!JSON.stringify(events).includes(patientToken), 'no token in the log');
  assert.deepEqual(eventsOf(events, patientId), ['waiting', 'admitted', 'media-started', 'media-stopped', 'left', 'quality']);
  assert.deepEqual(eventsOf(events, specialistId), ['joined', 'media-started', 'media-stopped', 'left', 'quality']);
  const order = events.map((e) => `${e.event}:${e.participant}`);
  const at = (s) => order.indexOf(s);
  assert.ok(at(`waiting:${patientId}`) < at(`joined:${specialistId}`), 'the patient waited before the specialist came');
  assert.ok(at(`joined:${specialistId}`) < at(`admitted:${patientId}`), 'admitted after the host joined');
  assert.ok(at(`left:${patientId}`) < at(`left:${specialistId}`), 'the patient left first');
  for (let i = 1; i < events.length; i++) assert.ok(events[i].seq > events[i - 1].seq, 'ordered by seq');

  const waiting = events.find((e) => e.event === 'waiting');
  assert.equal(waiting.role, 'patient');
  assert.equal(waiting.name, 'Kari Nordmann');
  assert.equal(waiting.detail.notice_ack, true, 'the privacy notice acknowledgement is logged');
  const admitted = events.find((e) => e.event === 'admitted');
  assert.equal(admitted.actor, specialistId, 'who admitted is recorded');
  const left = events.find((e) => e.event === 'left' && e.participant === patientId);
  assert.equal(typeof left.detail.duration_s, 'number');
  assert.match(left.hash, /^[0-9a-f]{64}$/);
  /* The relay's summary of what each sent: real packets at a real bitrate. */
  for (const id of [patientId, specialistId]) {
    const q = events.find((e) => e.event === 'quality' && e.participant === id).detail;
    assert.ok(q.packets > 20, `packets received from ${id}: ${JSON.stringify(q)}`);
    assert.ok(q.avg_kbps > 10, `average bitrate of ${id}: ${JSON.stringify(q)}`);
    assert.equal(typeof q.packets_lost, 'number');
    assert.equal(typeof q.jitter_ms, 'number');
    /* Round trip from the receiver reports on the relay's sender reports. */
    assert.ok(q.rtt_samples > 0, `round-trip samples for ${id}: ${JSON.stringify(q)}`);
    assert.ok(q.rtt_ms >= 0 && q.rtt_ms < 1000, `round trip to ${id}: ${JSON.stringify(q)}`);
  }

  /* The first join marked the consultation held and the invitations used. */
  assert.equal(sqlite(`SELECT status FROM consultations WHERE id = '${room}'`), 'held');
  assert.equal(sqlite(`SELECT COUNT(*) FROM invitations WHERE consultation = '${room}' AND used > 0`), '2');

  /* CSV: a header and one line per event. */
  const csv = exportRoom(room, 'csv');
  const lines = csv.trimEnd().split('\r\n');
  assert.equal(lines[0], 'seq,ts,time,consultation,event,participant,role,name,actor,detail,prev_hash,hash');
  assert.equal(lines.length, events.length + 1);

  /* A period, from ISO 8601 to Unix seconds: [first, last] holds them all,
   * and nothing of this room is before the first. */
  const last = events[events.length - 1].ts;
  const inPeriod = JSON.parse(run(['audit', 'export', '--room', room, '--from', events[0].time, '--to', String(last + 1)]));
  assert.equal(inPeriod.length, events.length);
  const before = JSON.parse(run(['audit', 'export', '--room', room, '--to', events[0].time]));
  assert.deepEqual(before, []);

  /* The chain is intact... */
  let verify = samvei(['audit', 'verify']);
  assert.equal(verify.status, 0, verify.stderr);
  assert.match(verify.stdout, /^chain intact, \d+ events$/m);

  /* ...until someone edits the stored duration of the patient's stay. */
  const original = JSON.stringify(left.detail);
  sqlite(`UPDATE audit_events SET detail = '{"reason":"left","duration_s":1}' WHERE seq = ${left.seq}`);
  verify = samvei(['audit', 'verify']);
  assert.equal(verify.status, 1, `verify must fail: ${verify.stdout} ${verify.stderr}`);
  assert.match(verify.stderr, new RegExp(`event ${left.seq} \\(${left.time}, left\\)`));

  /* Put back byte for byte, the chain verifies again (later tests share it). */
  sqlite(`UPDATE audit_events SET detail = '${original.replace(/'/g, "''")}' WHERE seq = ${left.seq}`);
  verify = samvei(['audit', 'verify']);
  assert.equal(verify.status, 0, verify.stderr);
});
