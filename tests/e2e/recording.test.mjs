/*
 * recording.test.mjs — consented recording and still capture, driven
 * through the UI of two browsers in an open room (the first to join is a
 * specialist, so the host; the second is municipal staff).
 *
 * run.sh's server has a data dir and finds samvei-record next to itself, so
 * recording is on. The host asks to record: the guest (tablet, portrait)
 * gets the consent prompt and both see "asking"; the guest declines: both
 * see it off and the host is told it was declined. The host asks again and
 * the guest agrees: both see the recording indicator; after 4 s the host
 * stops: the indicator goes, and the host's list has one WebM file per
 * person, which downloads as video/webm of a real size. The host takes a
 * still of the guest (who allows it when asked; stills.test.mjs has the
 * consent itself): a link to a PNG, and the guest is told who took it.
 * Last, recording again (a still is refused meanwhile, and the host is told
 * why) and the guest withdraws consent: it stops for both.
 * The session log (`samvei audit export`) has each consent step.
 *
 * Someone who joins while a host is asking is asked too; someone who joins
 * while recording stops it for everyone, who are told why.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { protocolClient } from './wsclient.mjs';
import { VIEWPORTS, WS_URL, launchBrowser, newParticipant, joinViaUi, waitFor, waitForMediaFrom, shot, roomName, sleep } from './lib.mjs';

const BIN = process.env.SAMVEI_E2E_BIN;
const DATA_DIR = process.env.SAMVEI_E2E_DATA_DIR;
const SECRET = process.env.SAMVEI_E2E_TOKEN_SECRET;
const UI_TIMEOUT_MS = 15000;

let browser;
const opened = [];
const sockets = [];

before(async () => {
  assert.ok(BIN && DATA_DIR && SECRET, 'run.sh exports SAMVEI_E2E_BIN, _DATA_DIR and _TOKEN_SECRET');
  assert.ok(existsSync(join(dirname(BIN), 'samvei-record')), `samvei-record is built next to ${BIN}`);
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

/* The recording indicator as the person sees it: its state and text, or
 * 'off' when it is not shown. */
async function indicator(p) {
  const el = p.page.locator('#recording-indicator');
  if (!(await el.isVisible())) return { state: 'off', text: '' };
  return { state: await el.getAttribute('data-state'), text: await el.innerText() };
}

async function waitIndicator(p, state, text = null) {
  return waitFor(
    async () => {
      const i = await indicator(p);
      return i.state === state && (!text || text.test(i.text)) ? i : false;
    },
    { timeoutMs: UI_TIMEOUT_MS, intervalMs: 100, what: `${p.label} to show recording "${state}"` },
  );
}

/* Waits for a toast whose text matches re (toasts replace each other, so
 * the page keeps a log of them for this test). */
async function waitToast(p, re) {
  return waitFor(async () => (await p.page.evaluate(() => window.__toasts ?? [])).find((s) => re.test(s)), {
    timeoutMs: UI_TIMEOUT_MS,
    intervalMs: 100,
    what: `${p.label} to see a notice matching ${re}`,
  });
}

/* Records every text the toast shows from now on. */
async function logToasts(p) {
  await p.page.evaluate(() => {
    window.__toasts = [];
    const el = document.querySelector('.toast');
    new MutationObserver(() => {
      if (!el.hidden && el.textContent) window.__toasts.push(el.textContent);
    }).observe(el, { childList: true, characterData: true, subtree: true, attributes: true });
  });
}

/* Downloads url in the page (same origin, as a person's browser would). */
function fetchInPage(p, url) {
  return p.page.evaluate(async (u) => {
    const r = await fetch(u);
    const bytes = new Uint8Array(await r.arrayBuffer());
    return { status: r.status, type: r.headers.get('content-type'), size: bytes.length, head: Array.from(bytes.slice(0, 8)) };
  }, url);
}

function auditEvents(room) {
  const r = spawnSync(BIN, ['audit', 'export', '--room', room, '--format', 'json', '--data-dir', DATA_DIR, '--token-secret', SECRET], {
    encoding: 'utf8',
    env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' },
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

function detailOf(e) {
  return typeof e.detail === 'string' ? JSON.parse(e.detail || '{}') : e.detail ?? {};
}

test('recording needs everyone\'s consent, shows to everyone, and gives the host files and stills', { timeout: 420000 }, async () => {
  const room = roomName('rec');
  const host = await participant('rec-host-laptop', VIEWPORTS.laptop);
  const guest = await participant('rec-guest-tablet', VIEWPORTS.tablet);
  const idHost = await joinViaUi(host.page, room, 'Kari Nordmann');
  const idGuest = await joinViaUi(guest.page, room, 'Ola Hansen');
  assert.equal((await host.page.evaluate(() => window.samvei.self())).role, 'specialist');
  await Promise.all([waitForMediaFrom(host.page, [idGuest], 'host'), waitForMediaFrom(guest.page, [idHost], 'guest')]);
  await Promise.all([logToasts(host), logToasts(guest)]);

  /* Only the host has the recording controls and Take still. */
  const record = host.page.locator('#btn-record');
  const stop = host.page.locator('#btn-record-stop');
  const captureGuest = host.page.locator(`#grid [data-participant="${idGuest}"] [data-action="capture"]`);
  await record.waitFor({ state: 'visible' });
  assert.equal(await captureGuest.getAttribute('aria-label'), 'Take still of Ola Hansen');
  assert.equal(await guest.page.locator('#btn-record').count(), 0, 'the guest has no Record button');
  assert.equal(await guest.page.locator('[data-action="capture"]').count(), 0, 'the guest has no Take still');
  assert.equal((await indicator(host)).state, 'off');

  /* a. Asked, then declined. */
  await record.click();
  const prompt = guest.page.locator('#consent-prompt');
  await prompt.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  assert.equal(await prompt.getAttribute('role'), 'alertdialog');
  assert.match(await prompt.innerText(), /Kari Nordmann asks to record this consultation/);
  assert.match(await prompt.innerText(), /your audio and video are recorded and kept in the hospital's system/);
  assert.equal(await host.page.locator('#consent-prompt').isVisible(), false, 'the asker is not asked');
  await waitIndicator(host, 'asking', /waiting for everyone's consent \(1 of 2\)/);
  await waitIndicator(guest, 'asking', /waiting for everyone's consent \(1 of 2\)/);
  await waitToast(host, /Asking everyone for consent/);
  const agreeBox = await guest.page.locator('#consent-agree').boundingBox();
  assert.ok(agreeBox.height >= 44, `"I agree" is a large touch target (${agreeBox.height}px)`);
  await shot(guest.page, 'recording-consent-tablet.png');

  await guest.page.locator('#consent-decline').click();
  await Promise.all([waitIndicator(host, 'off'), waitIndicator(guest, 'off')]);
  await prompt.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
  await waitToast(host, /No recording: Ola Hansen did not agree/);
  await record.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });

  /* b. Asked again, agreed: recording for 4 s, stopped by the host. */
  await record.click();
  await prompt.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  await guest.page.locator('#consent-agree').click();
  await Promise.all([waitIndicator(host, 'on', /^Recording/), waitIndicator(guest, 'on', /^Recording/)]);
  assert.equal(await prompt.isVisible(), false);
  await waitToast(guest, /Recording started: everyone agreed/);
  assert.ok(await guest.page.locator('#consent-withdraw').isVisible(), 'the guest can withdraw consent');
  assert.ok(await host.page.locator('#consent-withdraw').isVisible(), 'the host can withdraw consent');
  assert.ok(await stop.isVisible(), 'the host has Stop recording');
  assert.equal(await record.isVisible(), false);
  await shot(host.page, 'recording-on-laptop.png');
  await shot(guest.page, 'recording-on-tablet.png');
  await sleep(4000);
  await stop.click();
  await Promise.all([waitIndicator(host, 'off'), waitIndicator(guest, 'off')]);
  await waitToast(guest, /Recording stopped by Kari Nordmann/);

  const files = await waitFor(
    async () => {
      const links = await host.page.locator('#recordings-list a').evaluateAll((as) => as.map((a) => ({ name: a.textContent, url: a.href })));
      const webm = links.filter((l) => l.name.endsWith('.webm'));
      return webm.length === 2 ? webm : false;
    },
    { timeoutMs: UI_TIMEOUT_MS, what: "two WebM files in the host's list of recordings" },
  );
  for (const id of [idHost, idGuest]) assert.ok(files.some((f) => f.name.includes(id)), `a file for ${id}`);
  const video = await waitFor(
    async () => {
      const r = await fetchInPage(host, files.find((f) => f.name.includes(idGuest)).url);
      return r.size > 20000 ? r : false;
    },
    { timeoutMs: UI_TIMEOUT_MS, what: "the guest's recording to download with some size" },
  );
  assert.equal(video.status, 200);
  assert.equal(video.type, 'video/webm');
  assert.deepEqual(video.head.slice(0, 4), [0x1a, 0x45, 0xdf, 0xa3], 'an EBML (WebM) header');

  /* c. A still of the guest, who is asked first and allows it. */
  await captureGuest.click();
  await guest.page.locator('#still-prompt').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  await guest.page.locator('#still-allow').click();
  const link = host.page.locator('.rec-notice[data-kind="capture-ready"] a.capture-link');
  await link.waitFor({ state: 'visible', timeout: 30000 });
  assert.match(await host.page.locator('.rec-notice[data-kind="capture-ready"]').innerText(), /The still of Ola Hansen is ready/);
  const still = await fetchInPage(host, await link.evaluate((a) => a.href));
  assert.equal(still.status, 200);
  assert.equal(still.type, 'image/png');
  assert.deepEqual(still.head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG signature');
  assert.ok(still.size > 1000, `a real picture (${still.size} bytes)`);
  await waitFor(() => host.page.locator('.capture-thumb').evaluate((img) => img.complete && img.naturalWidth > 0), {
    timeoutMs: UI_TIMEOUT_MS,
    what: 'the thumbnail to load',
  });
  const captured = guest.page.locator('.rec-notice[data-kind="captured"]');
  await captured.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  assert.match(await captured.innerText(), /A still image of your camera was taken by Kari Nordmann/);
  await shot(host.page, 'recording-still-laptop.png');
  await shot(guest.page, 'recording-captured-tablet.png');
  await waitFor(async () => (await host.page.locator('#recordings-list a').allTextContents()).some((n) => n.endsWith('.png')), {
    timeoutMs: UI_TIMEOUT_MS,
    what: 'the still in the list',
  });

  /* Withdrawn while recording: it stops for both. */
  await record.click();
  await prompt.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  await guest.page.locator('#consent-agree').click();
  await Promise.all([waitIndicator(host, 'on'), waitIndicator(guest, 'on')]);
  /* No still of someone being recorded: the refusal is shown. */
  await captureGuest.click();
  await waitToast(host, /Not possible now: Ola Hansen is being recorded/);
  await guest.page.locator('#consent-withdraw').click();
  await Promise.all([waitIndicator(host, 'off'), waitIndicator(guest, 'off')]);
  await waitToast(host, /Recording stopped: Ola Hansen withdrew consent/);

  /* The session log has every step. */
  const events = await waitFor(
    () => {
      const all = auditEvents(room);
      return all.filter((e) => e.event === 'recording-file').length >= 4 && all.some((e) => e.event === 'capture') ? all : false;
    },
    { timeoutMs: UI_TIMEOUT_MS, what: 'the recording events in the session log' },
  );
  const steps = events
    .filter((e) => ['record-requested', 'record-consent', 'record-request-ended', 'recording-started', 'recording-stopped'].includes(e.event))
    .map((e) => `${e.event}:${e.participant === idHost ? 'host' : 'guest'}${e.event === 'record-consent' ? `:${detailOf(e).agree}` : ''}`);
  assert.deepEqual(steps, [
    'record-requested:host',
    'record-consent:guest:false',
    'record-request-ended:guest',
    'record-requested:host',
    'record-consent:guest:true',
    'recording-started:host',
    'recording-stopped:host',
    'record-requested:host',
    'record-consent:guest:true',
    'recording-started:host',
    'record-consent:guest:false',
    'recording-stopped:guest',
  ]);
  const capture = events.find((e) => e.event === 'capture');
  assert.equal(capture.participant, idGuest);
  assert.equal(capture.actor, idHost);
});

/* Joins room on a protocol-level client (no media): enough to be in the call. */
async function rawJoin(room, name) {
  return (await protocolClient(WS_URL, name, sockets)).joinOk(room);
}

test('a late joiner is asked too; a newcomer stops a running recording', { timeout: 300000 }, async () => {
  const room = roomName('rec-late');
  const host = await participant('rec-late-host', VIEWPORTS.laptop);
  const guest = await participant('rec-late-guest', VIEWPORTS.laptop);
  const idHost = await joinViaUi(host.page, room, 'Kari Nordmann');
  await joinViaUi(guest.page, room, 'Ola Hansen');
  await waitForMediaFrom(guest.page, [idHost], 'guest');
  await logToasts(guest);

  await host.page.locator('#btn-record').click();
  await waitIndicator(guest, 'asking', /\(1 of 2\)/);

  /* A third person comes in while the guest has not answered. */
  const late = await participant('rec-late-third', VIEWPORTS.tablet);
  await joinViaUi(late.page, room, 'Åse Berg');
  const prompt = late.page.locator('#consent-prompt');
  await prompt.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  assert.match(await prompt.innerText(), /Kari Nordmann asks to record/);
  await Promise.all([host, guest, late].map((p) => waitIndicator(p, 'asking', /\(1 of 3\)/)));

  await guest.page.locator('#consent-agree').click();
  await Promise.all([host, guest, late].map((p) => waitIndicator(p, 'asking', /\(2 of 3\)/)));
  await late.page.locator('#consent-agree').click();
  await Promise.all([host, guest, late].map((p) => waitIndicator(p, 'on')));

  /* A fourth joins: nobody is recorded without having agreed. */
  await rawJoin(room, 'Per Olsen');
  await Promise.all([host, guest, late].map((p) => waitIndicator(p, 'off')));
  await waitToast(guest, /Recording stopped: Per Olsen joined and has not agreed/);
});
