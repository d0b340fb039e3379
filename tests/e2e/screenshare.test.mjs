/*
 * screenshare.test.mjs — screen sharing in a 1:1 guidance call, in real
 * Chromium: the specialist (host) and a municipal nurse in one room.
 *
 * Headless Chromium with --use-fake-ui-for-media-stream (lib.mjs) answers
 * getDisplayMedia with a fake screen (the window's size), so the whole path runs:
 * the "Share screen" control, a new publish offer with the screen's m-line
 * marked a=content:slides, the relay forwarding it as source "screen", and
 * the other side decoding a second video at the screen's resolution,
 * shown large on the stage with an accessible name. Stopping (the control,
 * the browser's own stop: the track ends) takes it off everyone's page;
 * a host's `stop-share` stops the nurse's share and the nurse is told;
 * and it is the relay that withdraws the share, so a client that ignores
 * the host's stop cannot keep showing its screen.
 * The audit export has the starts and stops, with who stopped it.
 * Screenshots of the stage at tablet and laptop size.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS, launchBrowser, newParticipant, joinViaUi, waitFor, waitForMediaFrom, shots, roomName } from './lib.mjs';

const BIN = process.env.SAMVEI_E2E_BIN;
const DATA_DIR = process.env.SAMVEI_E2E_DATA_DIR;
const SECRET = process.env.SAMVEI_E2E_TOKEN_SECRET;
const SHOTS = join(ARTIFACTS, 'screenshare');
const STOP_WITHIN_MS = 2000;

let browser;
const opened = [];

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
});

after(async () => {
  for (const p of opened) await p.context.close().catch(() => {});
  await browser?.close();
});

async function participant(label) {
  const p = await newParticipant(browser, label);
  opened.push(p);
  await keepScreenTrack(p.page);
  p.deaf = await deafenable(p.page);
  return p;
}

/* Lets the test make a page deaf to `share-stopped`, as a client that
 * ignores a host's stop would be: the page's WebSocket goes through a
 * route that drops that message while `deaf.on` is true. */
async function deafenable(page) {
  const deaf = { on: false };
  await page.routeWebSocket(/\/ws/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((m) => server.send(m));
    server.onMessage((m) => {
      if (deaf.on && typeof m === 'string' && m.includes('"share-stopped"')) return;
      ws.send(m);
    });
  });
  return deaf;
}

/* Keeps the last track getDisplayMedia gave the page, so the test can end
 * it as the browser's own "Stop sharing" bar would. */
function keepScreenTrack(page) {
  return page.addInitScript(() => {
    const md = navigator.mediaDevices;
    if (!md?.getDisplayMedia) return;
    const native = md.getDisplayMedia.bind(md);
    md.getDisplayMedia = async (...args) => {
      const stream = await native(...args);
      window.__svScreenTrack = stream.getVideoTracks()[0];
      return stream;
    };
  });
}

const screenState = (page) => page.evaluate(() => window.samvei.screen());
const statsOf = (page, id) => page.evaluate((pid) => window.samvei.stats().then((s) => s[pid] ?? null), id);

/* Waits until page decodes a screen share from `from` whose frames keep
 * coming; returns its last stats. */
async function waitForScreenFrom(page, from, what) {
  let before = null;
  return waitFor(
    async () => {
      const s = await statsOf(page, from);
      const prev = before;
      before = s;
      return prev && s && s.screenFrames > prev.screenFrames && s.screenWidth > 0 ? s : false;
    },
    { what, intervalMs: 1000 },
  );
}

/* The stage as a person (and a screen reader) finds it. */
function stage(page, name) {
  return page.getByRole('region', { name: `Screen share from ${name}` });
}

/* How long from now until the stage is gone and no screen is decoded
 * from `from`; fails after STOP_WITHIN_MS. */
async function waitStageGone(page, from) {
  const t0 = Date.now();
  await page.locator('#screen-stage').waitFor({ state: 'hidden', timeout: STOP_WITHIN_MS });
  const ms = Date.now() - t0;
  const s = await statsOf(page, from);
  assert.equal(s?.screenWidth ?? 0, 0, 'no screen track is attributed to the sharer any more');
  return ms;
}

function audit(room) {
  const r = spawnSync(BIN, ['audit', 'export', '--room', room, '--format', 'json', '--data-dir', DATA_DIR, '--token-secret', SECRET], {
    encoding: 'utf8',
    env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' },
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('a screen share in a guidance call: shown large, stopped three ways, the host’s stop enforced, audited', async () => {
  assert.ok(BIN && DATA_DIR && SECRET, 'run.sh exports SAMVEI_E2E_BIN, _DATA_DIR and _TOKEN_SECRET');
  const room = roomName('share');
  const spec = await participant('share-specialist');
  const nurse = await participant('share-nurse');
  const specId = await joinViaUi(spec.page, room, 'Dr. Berg');
  const nurseId = await joinViaUi(nurse.page, room, 'Kari');
  await waitForMediaFrom(nurse.page, [specId], 'nurse');
  await waitForMediaFrom(spec.page, [nurseId], 'specialist');

  /* The control is there, with its name, where a screen can be captured. */
  const share = spec.page.getByRole('button', { name: 'Share screen' });
  await share.waitFor({ state: 'visible' });
  assert.equal((await screenState(spec.page)).available, true);

  /* Share: the nurse decodes a second video at the screen's resolution,
   * while the specialist's camera goes on, and sees it on the stage. */
  await share.click();
  await spec.page.getByRole('button', { name: 'Stop sharing' }).waitFor({ state: 'visible', timeout: 20000 });
  const shared = await spec.page.evaluate(() => window.__svScreenTrack.getSettings());
  assert.ok(shared.width > 0 && shared.height > 0, `the captured screen has a size: ${JSON.stringify(shared)}`);
  const got = await waitForScreenFrom(nurse.page, specId, 'the nurse to decode the specialist’s screen');
  assert.equal(got.screenWidth, shared.width, 'the screen arrives at its full width');
  assert.equal(got.screenHeight, shared.height, 'and its full height');
  await waitForMediaFrom(nurse.page, [specId], 'nurse (camera beside the screen)');
  await stage(nurse.page, 'Dr. Berg').waitFor({ state: 'visible', timeout: 10000 });
  assert.equal((await screenState(nurse.page)).showing, specId);
  /* Only hosts may stop someone else's share: the nurse has no such button. */
  assert.equal(await nurse.page.locator('#screen-host-stop').isVisible(), false);
  await waitFor(() => nurse.page.locator('#screen-stage video').evaluate((v, w) => v.videoWidth === w && !v.paused, shared.width), {
    what: 'the stage to play the screen',
  });
  await shots(nurse.page, SHOTS, 'stage');

  /* Stop with the control: gone from the nurse's page within 2 s. */
  await spec.page.getByRole('button', { name: 'Stop sharing' }).click();
  const byControl = await waitStageGone(nurse.page, specId);
  console.log(`# stage gone ${byControl} ms after Stop sharing`);
  await share.waitFor({ state: 'visible' });

  /* Again, stopped the way the browser's own "Stop sharing" bar does: the
   * captured track ends. */
  await share.click();
  await stage(nurse.page, 'Dr. Berg').waitFor({ state: 'visible', timeout: 20000 });
  await endCapturedTrack(spec.page);
  const byBrowser = await waitStageGone(nurse.page, specId);
  console.log(`# stage gone ${byBrowser} ms after the capture ended`);
  await share.waitFor({ state: 'visible' });

  /* The nurse shares; the host stops it; the nurse is told. */
  await nurse.page.getByRole('button', { name: 'Share screen' }).click();
  await stage(spec.page, 'Kari').waitFor({ state: 'visible', timeout: 20000 });
  await waitForScreenFrom(spec.page, nurseId, 'the specialist to decode the nurse’s screen');
  await shots(spec.page, SHOTS, 'stage-host');
  await spec.page.getByRole('button', { name: 'Stop this share' }).click();
  await nurse.page.getByText('The host stopped your screen share.').waitFor({ state: 'visible', timeout: 5000 });
  await waitStageGone(spec.page, nurseId);
  await nurse.page.getByRole('button', { name: 'Share screen' }).waitFor({ state: 'visible' });
  assert.equal((await screenState(nurse.page)).sharing, false);

  /* A client that ignores the host's stop: the relay withdraws the share
   * all the same, and the host's page stops showing it. */
  nurse.deaf.on = true;
  await nurse.page.getByRole('button', { name: 'Share screen' }).click();
  await stage(spec.page, 'Kari').waitFor({ state: 'visible', timeout: 20000 });
  await waitForScreenFrom(spec.page, nurseId, 'the specialist to decode the nurse’s screen again');
  await spec.page.getByRole('button', { name: 'Stop this share' }).click();
  const enforced = await waitStageGone(spec.page, nurseId);
  console.log(`# stage gone ${enforced} ms after the host's stop, the sharer's client ignoring it`);
  assert.equal((await screenState(nurse.page)).sharing, true, 'the deaf client still thinks it shares');
  nurse.deaf.on = false;

  /* The session log: four shares started and stopped, nothing of their
   * content; the last two stopped by the host. */
  const events = await waitFor(
    () => {
      const list = audit(room).filter((e) => e.event.startsWith('screen-share-'));
      return list.length >= 8 ? list : false;
    },
    { what: 'eight screen-share events in the audit log', timeoutMs: 10000 },
  );
  assert.deepEqual(
    events.map((e) => [e.event, e.participant]),
    [
      ['screen-share-started', specId],
      ['screen-share-stopped', specId],
      ['screen-share-started', specId],
      ['screen-share-stopped', specId],
      ['screen-share-started', nurseId],
      ['screen-share-stopped', nurseId],
      ['screen-share-started', nurseId],
      ['screen-share-stopped', nurseId],
    ],
  );
  for (const last of [events[5], events[7]]) {
    assert.equal(last.actor, specId, 'the host who stopped it is the actor');
    assert.equal(last.detail.reason, 'host');
  }
  assert.equal(events[1].detail.reason, 'stopped');
});

/* Ends the captured screen track as the browser does when its own "Stop
 * sharing" bar is pressed: the track stops and `ended` fires on it. */
async function endCapturedTrack(page) {
  const ended = await page.evaluate(() => {
    const track = window.__svScreenTrack;
    if (!track) return false;
    track.stop();
    track.dispatchEvent(new Event('ended'));
    return true;
  });
  assert.ok(ended, 'the captured screen track was found');
}
