/*
 * stage.test.mjs — arranging the call's stage, in real Chromium with three
 * people in one room: the specialist pins the nurse's tile (a wound on her
 * rear camera, seen large), unpins it, shows it full screen (the
 * Fullscreen API, from a real click), and keeps their own self-view out
 * of the way: minimised and restored, moved to other corners with the
 * "Move" button (mouse and keyboard) and by dragging. Every assertion is
 * about what the person sees: sizes and places on the page, buttons found
 * by their accessible names, the element shown full screen.
 * Screenshots at tablet portrait and laptop size go to artifacts/stage/.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS, VIEWPORTS, launchBrowser, newParticipant, joinViaUi, waitFor, waitForMediaFrom, shots, roomName } from './lib.mjs';

const SHOTS = join(ARTIFACTS, 'stage');

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
  return p;
}

const area = (box) => (box ? box.width * box.height : 0);

/* Waits until fn(page) holds; fn runs in the page. */
function until(page, fn, arg, what) {
  return waitFor(() => page.evaluate(fn, arg), { what, timeoutMs: 10000, intervalMs: 100 });
}

test('pin a tile large and back, full screen, self-view minimised and moved', async () => {
  const room = roomName('stage');
  const spec = await participant('stage-specialist');
  const nurse = await participant('stage-nurse');
  const other = await participant('stage-other');
  const specId = await joinViaUi(spec.page, room, 'Dr. Berg');
  const nurseId = await joinViaUi(nurse.page, room, 'Kari');
  const otherId = await joinViaUi(other.page, room, 'Ola');
  const page = spec.page;
  await waitForMediaFrom(page, [nurseId, otherId], 'specialist');
  await waitForMediaFrom(nurse.page, [specId, otherId], 'nurse');

  const kari = page.locator(`.tile[data-participant="${nurseId}"]`);
  const ola = page.locator(`.tile[data-participant="${otherId}"]`);
  const pin = page.getByRole('button', { name: 'Pin Kari large' });

  /* Before: the two tiles are the same size. */
  const [k0, o0] = [await kari.boundingBox(), await ola.boundingBox()];
  assert.ok(Math.abs(area(k0) - area(o0)) < 0.05 * area(k0), `equal tiles in the grid: ${JSON.stringify([k0, o0])}`);

  /* Pin: Kari's tile is the large one, on a region named for her. */
  await pin.click();
  await page.getByRole('region', { name: 'Pinned: Kari' }).waitFor({ state: 'visible', timeout: 5000 });
  assert.equal(await pin.getAttribute('aria-pressed'), 'true');
  for (const vp of [VIEWPORTS.laptop, VIEWPORTS.tablet]) {
    await page.setViewportSize(vp);
    await waitFor(async () => area(await kari.boundingBox()) > 4 * area(await ola.boundingBox()), {
      what: `Kari's pinned tile to be far larger than Ola's at ${vp.width}×${vp.height}`,
      timeoutMs: 5000,
      intervalMs: 100,
    });
    assert.ok(await ola.isVisible(), 'the others stay visible, small');
  }
  await page.setViewportSize(VIEWPORTS.laptop);
  await shots(page, SHOTS, 'pinned');

  /* Unpin: back to equal tiles in the grid. */
  await pin.click();
  await page.locator('#pin-stage').waitFor({ state: 'hidden', timeout: 5000 });
  assert.equal(await pin.getAttribute('aria-pressed'), 'false');
  await waitFor(
    async () => {
      const [k, o] = [await kari.boundingBox(), await ola.boundingBox()];
      return Math.abs(area(k) - area(o)) < 0.05 * area(k);
    },
    { what: 'equal tiles again after unpinning', timeoutMs: 5000, intervalMs: 100 },
  );

  /* Pinning works from the keyboard too: Ola this time. */
  const pinOla = page.getByRole('button', { name: 'Pin Ola large' });
  await pinOla.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('region', { name: 'Pinned: Ola' }).waitFor({ state: 'visible', timeout: 5000 });
  assert.ok(area(await ola.boundingBox()) > 4 * area(await kari.boundingBox()), 'Ola is the large one');
  await page.keyboard.press('Enter');
  await page.locator('#pin-stage').waitFor({ state: 'hidden', timeout: 5000 });

  /* Full screen: Kari's tile is the full-screen element; the button then
   * leaves full screen. */
  await page.getByRole('button', { name: 'Show Kari full screen' }).click();
  await until(page, (id) => document.fullscreenElement?.dataset.participant === id, nurseId, 'Kari’s tile in full screen');
  const full = await kari.boundingBox();
  assert.ok(full.width >= VIEWPORTS.laptop.width - 1, `the tile fills the screen: ${JSON.stringify(full)}`);
  await page.screenshot({ path: join(SHOTS, 'fullscreen-laptop.png') });
  await page.getByRole('button', { name: 'Leave full screen' }).click();
  await until(page, () => document.fullscreenElement === null, null, 'full screen to end');
  /* (Esc is the browser's own: headless Chromium has no such key handling,
   * so it is not tested here.) */
  await page.getByRole('button', { name: 'Show Kari full screen' }).waitFor({ state: 'visible', timeout: 5000 });

  /* The self-view: minimised, its video goes; restored, it is back. */
  const selfView = page.locator('.self-view');
  const selfVideo = selfView.locator('video');
  assert.ok(await selfVideo.isVisible(), 'the self-view shows its video');
  await page.getByRole('button', { name: 'Minimise your own picture' }).click();
  await selfVideo.waitFor({ state: 'hidden', timeout: 5000 });
  const restore = page.getByRole('button', { name: 'Show your own picture' });
  await restore.waitFor({ state: 'visible' });
  await shots(page, SHOTS, 'self-minimised');
  await restore.click();
  await selfVideo.waitFor({ state: 'visible', timeout: 5000 });

  /* Move: from bottom right to bottom left (click), then top left (keyboard). */
  const move = page.getByRole('button', { name: 'Move your own picture to the next corner' });
  const b0 = await selfView.boundingBox();
  await move.click();
  const b1 = await selfView.boundingBox();
  assert.ok(b1.x < b0.x - 100 && Math.abs(b1.y - b0.y) < 2, `moved left: ${JSON.stringify([b0, b1])}`);
  await move.focus();
  await page.keyboard.press('Enter');
  const b2 = await selfView.boundingBox();
  assert.ok(b2.y < b1.y - 100 && Math.abs(b2.x - b1.x) < 2, `moved up: ${JSON.stringify([b1, b2])}`);
  await shots(page, SHOTS, 'self-top-left');

  /* Drag it with the mouse into the stage's bottom right quarter: it
   * settles in that corner. */
  const st = await page.locator('.stage').boundingBox();
  await page.mouse.move(b2.x + b2.width / 2, b2.y + b2.height / 2);
  await page.mouse.down();
  await page.mouse.move(st.x + st.width * 0.75, st.y + st.height * 0.8, { steps: 8 });
  await page.mouse.up();
  const b3 = await selfView.boundingBox();
  assert.ok(b3.x > st.x + st.width / 2 && b3.y > b2.y + 100, `dragged to the bottom right: ${JSON.stringify(b3)}`);
  assert.ok(Math.abs(b3.x - b0.x) < 2 && Math.abs(b3.y - b0.y) < 2, 'it settled in the corner it started in');
});
