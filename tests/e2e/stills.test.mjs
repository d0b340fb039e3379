/*
 * stills.test.mjs — a still image only with the consent of the person whose
 * camera it is, through the UI of two real Chromium participants in an open
 * room (the first to join is a specialist, so the host; the guest is on a
 * tablet in portrait).
 *
 * 1. The host takes a still of the guest: the guest gets a dialog naming
 *    the host, with focus in it; the host panel says it waits for consent.
 *    The guest declines: the host panel says so, no still file exists, and
 *    the session log has the decline (who asked, whose camera).
 * 2. Asked again, the guest allows with the keyboard: a 3-2-1 countdown is
 *    shown and announced, then the host gets the still (a PNG that
 *    downloads), the panel says it was taken, focus is back where it was,
 *    and the session log has the consent and the capture.
 * 3. The request dialog at tablet and laptop size (screenshots), declined
 *    with Escape.
 * 4. Bad answers, on plain WebSockets: from someone who was not asked
 *    (forbidden), for an ask that does not exist (not-found), twice
 *    (conflict); a second ask while one is open is busy; the person leaving
 *    ends the ask for the host (left). None of them takes a still.
 *
 * Screenshots of the dialog and the countdown at iPad portrait and laptop
 * size go to artifacts/stills/.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { protocolClient } from './wsclient.mjs';
import { ARTIFACTS, VIEWPORTS, WS_URL, launchBrowser, newParticipant, joinViaUi, waitFor, waitForMediaFrom, shots, roomName } from './lib.mjs';

const BIN = process.env.SAMVEI_E2E_BIN;
const DATA_DIR = process.env.SAMVEI_E2E_DATA_DIR;
const SECRET = process.env.SAMVEI_E2E_TOKEN_SECRET;
const UI_TIMEOUT_MS = 15000;
const SHOTS = join(ARTIFACTS, 'stills');

let browser;
const opened = [];
const sockets = [];
/* The call of tests 1 and 2: one room, the same two people. */
let room, host, guest, idHost, idGuest;

before(async () => {
  assert.ok(BIN && DATA_DIR && SECRET, 'run.sh exports SAMVEI_E2E_BIN, _DATA_DIR and _TOKEN_SECRET');
  assert.ok(existsSync(join(dirname(BIN), 'samvei-record')), `samvei-record is built next to ${BIN}`);
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
});

after(async () => {
  for (const ws of sockets) ws.terminate();
  for (const p of opened) await p.context.close().catch(() => {});
  await browser?.close();
});

async function participant(label, viewport) {
  const p = await newParticipant(browser, label, viewport);
  opened.push(p);
  return p;
}

function auditEvents(r) {
  const out = spawnSync(BIN, ['audit', 'export', '--room', r, '--format', 'json', '--data-dir', DATA_DIR, '--token-secret', SECRET], {
    encoding: 'utf8',
    env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' },
  });
  assert.equal(out.status, 0, out.stderr);
  return JSON.parse(out.stdout);
}

function detailOf(e) {
  return typeof e.detail === 'string' ? JSON.parse(e.detail || '{}') : e.detail ?? {};
}

/* The still files of room on disk. */
function stillFiles(r) {
  const dir = join(DATA_DIR, 'recordings', r);
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith('still-')) : [];
}

/* Downloads url in the page (same origin, as a person's browser would). */
function fetchInPage(p, url) {
  return p.page.evaluate(async (u) => {
    const r = await fetch(u);
    const bytes = new Uint8Array(await r.arrayBuffer());
    return { status: r.status, type: r.headers.get('content-type'), size: bytes.length, head: Array.from(bytes.slice(0, 8)) };
  }, url);
}

/* The host panel's line for the guest: its state and text. */
function waitHostLine(state, re) {
  const li = host.page.locator(`#still-status li[data-participant="${idGuest}"]`);
  return waitFor(
    async () => {
      if (!(await li.isVisible())) return false;
      const now = { state: await li.getAttribute('data-state'), text: await li.innerText() };
      return now.state === state && re.test(now.text) ? now : false;
    },
    { timeoutMs: UI_TIMEOUT_MS, intervalMs: 100, what: `the host panel to say "${state}"` },
  );
}

test('declined: the host sees it, no still is taken, the session log has the decline', { timeout: 240000 }, async () => {
  room = roomName('still');
  host = await participant('still-host-laptop', VIEWPORTS.laptop);
  guest = await participant('still-guest-tablet', VIEWPORTS.tablet);
  idHost = await joinViaUi(host.page, room, 'Kari Nordmann');
  idGuest = await joinViaUi(guest.page, room, 'Ola Hansen');
  await Promise.all([waitForMediaFrom(host.page, [idGuest], 'host'), waitForMediaFrom(guest.page, [idHost], 'guest')]);

  const dialog = guest.page.locator('#still-prompt');
  assert.equal(await dialog.isVisible(), false, 'no dialog before anyone asks');
  await host.page.locator(`#grid [data-participant="${idGuest}"] [data-action="capture"]`).click();

  await dialog.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  assert.equal(await dialog.getAttribute('role'), 'alertdialog');
  assert.match(await dialog.innerText(), /Kari Nordmann asks to take a still image of your camera/);
  assert.ok(await dialog.evaluate((d) => d.contains(document.activeElement)), 'focus moved into the dialog');
  assert.equal(await guest.page.locator('#still-allow').getAttribute('type'), 'button');
  await waitHostLine('asking', /Ola Hansen: waiting for consent/);

  await guest.page.locator('#still-decline').click();
  await dialog.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
  await waitHostLine('declined', /Ola Hansen declined the still/);
  await shots(host.page, SHOTS, 'still-host-declined');

  const events = await waitFor(
    () => {
      const all = auditEvents(room);
      return all.some((e) => e.event === 'capture-consent') ? all : false;
    },
    { timeoutMs: UI_TIMEOUT_MS, what: 'the decline in the session log' },
  );
  const asked = events.find((e) => e.event === 'capture-requested');
  assert.equal(asked.participant, idGuest, 'whose camera');
  assert.equal(asked.actor, idHost, 'who asked');
  const answer = events.find((e) => e.event === 'capture-consent');
  assert.equal(answer.participant, idGuest);
  assert.equal(answer.actor, idHost);
  assert.equal(detailOf(answer).agree, false);
  assert.equal(events.some((e) => e.event === 'capture'), false, 'no capture event');
  assert.deepEqual(stillFiles(room), [], 'no still file');
});

test('allowed: a countdown, then the host gets the still; the session log has consent and capture', { timeout: 180000 }, async () => {
  assert.ok(idGuest, 'test 1 set up the call');
  /* Where the guest's focus is before the request: it comes back there. */
  const mic = guest.page.locator('#btn-mic');
  await mic.focus();
  await host.page.locator(`#grid [data-participant="${idGuest}"] [data-action="capture"]`).click();
  const dialog = guest.page.locator('#still-prompt');
  await dialog.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  await waitHostLine('asking', /Ola Hansen: waiting for consent/);

  /* With the keyboard: Tab reaches Allow, Enter presses it. */
  await guest.page.keyboard.press('Tab');
  assert.equal(await guest.page.evaluate(() => document.activeElement?.id), 'still-allow');
  await guest.page.keyboard.press('Enter');
  const count = guest.page.locator('#still-count');
  await count.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  const first = await count.innerText();
  assert.ok(['3', '2', '1'].includes(first.trim()), `the countdown shows a number: "${first}"`);
  assert.match(await guest.page.locator('#still-count-live').innerText(), /^[123] …$/, 'the number is announced');
  assert.equal(await guest.page.locator('#still-count-live').getAttribute('aria-live'), 'assertive');
  assert.match(await dialog.innerText(), /Hold the camera still/);
  await shots(guest.page, SHOTS, 'still-countdown');
  /* It counts down: a lower number follows, unless it has just ended. */
  await waitFor(
    async () => !(await dialog.isVisible()) || Number((await count.innerText()).trim()) < Number(first.trim()) || first.trim() === '1',
    { timeoutMs: UI_TIMEOUT_MS, intervalMs: 100, what: 'the countdown to go down' },
  );

  await dialog.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
  assert.equal(await guest.page.evaluate(() => document.activeElement?.id), 'btn-mic', 'focus is back where it was');
  const link = host.page.locator('.rec-notice[data-kind="capture-ready"] a.capture-link');
  await link.waitFor({ state: 'visible', timeout: 30000 });
  await waitHostLine('ready', /Ola Hansen: the still was taken/);
  const still = await fetchInPage(host, await link.evaluate((a) => a.href));
  assert.equal(still.status, 200);
  assert.equal(still.type, 'image/png');
  assert.deepEqual(still.head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG signature');
  assert.ok(still.size > 1000, `a real picture (${still.size} bytes)`);
  const captured = guest.page.locator('.rec-notice[data-kind="captured"]');
  await captured.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  assert.match(await captured.innerText(), /A still image of your camera was taken by Kari Nordmann/);
  assert.equal(stillFiles(room).length, 1, 'one still file');

  const events = await waitFor(
    () => {
      const all = auditEvents(room);
      return all.some((e) => e.event === 'capture') ? all : false;
    },
    { timeoutMs: UI_TIMEOUT_MS, what: 'the capture in the session log' },
  );
  const answers = events.filter((e) => e.event === 'capture-consent').map((e) => detailOf(e).agree);
  assert.deepEqual(answers, [false, true], 'the decline, then the consent');
  const consent = events.filter((e) => e.event === 'capture-consent')[1];
  assert.equal(consent.participant, idGuest);
  assert.equal(consent.actor, idHost);
  const capture = events.find((e) => e.event === 'capture');
  assert.equal(capture.participant, idGuest);
  assert.equal(capture.actor, idHost);
  assert.ok(events.indexOf(consent) < events.indexOf(capture), 'consent comes before the capture');
});

/* Screenshots of the request at both sizes take a while on a loaded
 * machine, so they have a step of their own, where the answer may also
 * come too late: then the ask has timed out, which the host sees as such.
 * The keyboard's Escape declines. */
test('the request dialog at tablet and laptop size; Escape declines', { timeout: 120000 }, async () => {
  assert.ok(idGuest, 'test 1 set up the call');
  const before = stillFiles(room).length;
  await host.page.locator(`#grid [data-participant="${idGuest}"] [data-action="capture"]`).click();
  const dialog = guest.page.locator('#still-prompt');
  await dialog.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  await waitHostLine('asking', /Ola Hansen: waiting for consent/);
  await shots(guest.page, SHOTS, 'still-request');
  await shots(host.page, SHOTS, 'still-host-waiting');
  if (await dialog.isVisible()) await guest.page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
  const line = host.page.locator(`#still-status li[data-participant="${idGuest}"]`);
  await waitFor(async () => ['declined', 'consent-timeout'].includes(await line.getAttribute('data-state')), {
    timeoutMs: UI_TIMEOUT_MS,
    intervalMs: 100,
    what: 'the host panel to say declined (or no answer in time)',
  });
  assert.equal(stillFiles(room).length, before, 'no new still file');
});

/* A participant on a plain WebSocket (no media, wsclient.mjs): enough to
 * be asked. */
const client = (label) => protocolClient(WS_URL, label, sockets);

test('bad answers get a clear error and never a still', { timeout: 60000 }, async () => {
  const r = roomName('stillbad');
  const h = await client('Kari Vert');
  const g = await client('Ola Gjest');
  const o = await client('Per Annen');
  const hj = await h.request({ type: 'join', room: r, name: 'Kari Vert', noticeAck: true });
  assert.equal(hj.type, 'ok', JSON.stringify(hj));
  const gj = await g.request({ type: 'join', room: r, name: 'Ola Gjest', noticeAck: true });
  const oj = await o.request({ type: 'join', room: r, name: 'Per Annen', noticeAck: true });
  assert.equal(gj.type, 'ok', JSON.stringify(gj));
  assert.equal(oj.type, 'ok', JSON.stringify(oj));

  const asked = await h.request({ type: 'capture', participant: gj.self });
  assert.equal(asked.type, 'ok', JSON.stringify(asked));
  assert.equal(asked.state, 'asking');
  const req = await g.next((m) => m.type === 'capture-request', 'capture-request', 10000);
  assert.equal(req.request, asked.request);
  assert.equal(req.by, hj.self);
  assert.equal(req.name, 'Kari Vert');
  assert.equal(o.all.map((t) => JSON.parse(t)).some((m) => m.type === 'capture-request'), false, 'only the person asked is asked');

  /* Busy while asking: one at a time per participant. */
  const again = await h.request({ type: 'capture', participant: gj.self });
  assert.equal(again.code, 'busy', JSON.stringify(again));
  /* Someone who was not asked. */
  const notAsked = await o.request({ type: 'capture-consent', request: asked.request, agree: true });
  assert.equal(notAsked.code, 'forbidden', JSON.stringify(notAsked));
  /* An ask that does not exist. */
  const unknown = await g.request({ type: 'capture-consent', request: 'nosuchrequest', agree: true });
  assert.equal(unknown.code, 'not-found', JSON.stringify(unknown));
  /* Malformed. */
  const malformed = await g.request({ type: 'capture-consent', request: asked.request });
  assert.equal(malformed.code, 'bad-request', JSON.stringify(malformed));
  /* The answer, then the same answer again. */
  const no = await g.request({ type: 'capture-consent', request: asked.request, agree: false });
  assert.equal(no.type, 'ok', JSON.stringify(no));
  const failed = await h.next((m) => m.type === 'capture-failed', 'capture-failed', 10000);
  assert.equal(failed.code, 'declined');
  assert.equal(failed.participant, gj.self);
  const twice = await g.request({ type: 'capture-consent', request: asked.request, agree: true });
  assert.equal(twice.code, 'conflict', JSON.stringify(twice));

  /* Asked again, the person leaves: the host is told, nothing is taken. */
  const third = await h.request({ type: 'capture', participant: gj.self });
  assert.equal(third.type, 'ok', JSON.stringify(third));
  await g.next((m) => m.type === 'capture-request' && m.request === third.request, 'the second capture-request', 10000);
  const left = await g.request({ type: 'leave' });
  assert.equal(left.type, 'ok');
  const gone = await h.next((m) => m.type === 'capture-failed' && m.code === 'left', 'capture-failed (left)', 10000);
  assert.equal(gone.participant, gj.self);

  assert.equal(h.all.map((t) => JSON.parse(t)).some((m) => m.type === 'capture-ready' || m.type === 'capture-allowed'), false, 'no still was started');
  assert.deepEqual(stillFiles(r), [], 'no still file');
  const reasons = auditEvents(r)
    .filter((e) => e.event === 'capture-consent')
    .map((e) => `${detailOf(e).agree}:${detailOf(e).reason ?? 'answered'}`);
  assert.deepEqual(reasons, ['false:answered', 'false:left']);
});
