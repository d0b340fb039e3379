/*
 * call.test.mjs — real calls through the relay, driven through the UI.
 *
 * Two people join one room: each decodes the other's video and receives the
 * other's sound. A third joins: everyone decodes everyone. The third leaves
 * with the leave button: the others' tile for them is gone within 2 s.
 * Screenshots of the join page and the call at tablet (768×1024, portrait)
 * and laptop (1366×768) size go to artifacts/.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  VIEWPORTS,
  launchBrowser,
  newParticipant,
  joinViaUi,
  waitFor,
  waitForMediaFrom,
  connectionState,
  shot,
  roomName,
  pageUrl,
} from './lib.mjs';

let browser;
const opened = [];

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  for (const p of opened) await p.context.close().catch(() => {});
  await browser?.close();
});

async function participant(label, viewport) {
  const p = await newParticipant(browser, label, viewport);
  opened.push(p);
  return p;
}

function tile(page, id) {
  return page.locator(`#grid [data-participant="${id}"]`);
}

async function waitConnected(p) {
  await waitFor(async () => (await connectionState(p.page)) === 'connected', {
    what: `${p.label} to show "connected"`,
  });
}

/* Waits for a control to show the state its click asked for (the camera
 * starts and stops asynchronously): data-off, and the caption that offers
 * the way back. */
async function pressed(button, value, caption) {
  await waitFor(async () => (await button.getAttribute('data-off')) === value && (await button.innerText()) === caption, {
    timeoutMs: 10000,
    intervalMs: 100,
    what: `data-off="${value}" and the caption "${caption}"`,
  });
}

/* Every remote tile on the page shows moving video (not the initials). */
async function waitTilesShowVideo(p, ids) {
  await waitFor(
    async () => {
      for (const id of ids) if ((await tile(p.page, id).getAttribute('data-video')) !== 'on') return false;
      return true;
    },
    { what: `${p.label}'s tiles to show video` },
  );
}

test('join page at tablet and laptop size', async () => {
  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    const p = await participant(`join-${size}`, viewport);
    await p.page.goto(pageUrl({ room: 'r7k2m9' }), { waitUntil: 'load' });
    const room = p.page.getByLabel('Room');
    await room.waitFor();
    assert.equal(await room.inputValue(), 'r7k2m9', 'room is prefilled from ?room=');
    const button = p.page.getByRole('button', { name: 'Join' });
    const box = await button.boundingBox();
    assert.ok(box.height >= 44, `join button is a large touch target (${box.height}px)`);
    await shot(p.page, `join-${size}.png`);

    /* An empty name is refused on the page, next to the field. */
    await button.click();
    const error = p.page.locator('#join-name-error');
    await error.waitFor({ state: 'visible' });
    assert.equal(await p.page.getByLabel('Your name').getAttribute('aria-invalid'), 'true');
    await p.context.close();
  }
  /* Norwegian for Norwegian browsers, English on request. */
  const nb = await participant('join-nb', VIEWPORTS.laptop);
  await nb.page.goto(pageUrl({ lang: 'nb' }));
  await nb.page.getByLabel('Navnet ditt').waitFor();
  await nb.context.close();
});

test('two, then three participants see and hear each other; a leaver disappears at once', { timeout: 420000 }, async () => {
  const room = roomName('call');
  const a = await participant('call-a-laptop', VIEWPORTS.laptop);
  const b = await participant('call-b-tablet', VIEWPORTS.tablet);

  const idA = await joinViaUi(a.page, room, 'Kari Nordmann');
  const idB = await joinViaUi(b.page, room, 'Ola Hansen');

  await Promise.all([waitForMediaFrom(a.page, [idB], 'A'), waitForMediaFrom(b.page, [idA], 'B')]);
  await Promise.all([waitConnected(a), waitConnected(b)]);

  /* Tiles are named after the people in them. */
  assert.match(await tile(a.page, idB).innerText(), /Ola Hansen/);
  assert.match(await tile(b.page, idA).innerText(), /Kari Nordmann/);
  const statsA = await a.page.evaluate(() => window.samvei.stats());
  assert.equal(statsA[idB].name, 'Ola Hansen');
  assert.ok(statsA[idB].videoWidth > 0, 'A knows the width of B\'s video');

  /* A third person joins; everyone decodes everyone. */
  const c = await participant('call-c-laptop', VIEWPORTS.laptop);
  const idC = await joinViaUi(c.page, room, 'Åse Berg');
  await Promise.all([
    waitForMediaFrom(a.page, [idB, idC], 'A'),
    waitForMediaFrom(b.page, [idA, idC], 'B'),
    waitForMediaFrom(c.page, [idA, idB], 'C'),
  ]);
  await Promise.all([waitConnected(a), waitConnected(b), waitConnected(c)]);
  for (const [p, ids] of [
    [a, [idB, idC]],
    [b, [idA, idC]],
    [c, [idA, idB]],
  ]) {
    assert.equal(await p.page.locator('#grid [data-participant]').count(), 2, `${p.label} shows two remote tiles`);
    await waitTilesShowVideo(p, ids);
  }
  await shot(b.page, 'call-tablet.png');
  await shot(a.page, 'call-laptop.png');

  /* Controls: mute and camera off say what a press does now. */
  const mute = c.page.locator('#btn-mic');
  await mute.click();
  await pressed(mute, 'true', 'Unmute');
  await mute.click();
  await pressed(mute, 'false', 'Mute');

  /* B stops the camera: A sees B's initials instead of a frozen picture,
   * and B's picture again when the camera is back (replaceTrack, no
   * renegotiation). */
  const camera = b.page.locator('#btn-camera');
  await camera.click();
  await pressed(camera, 'true', 'Start camera');
  await waitFor(async () => (await tile(a.page, idB).getAttribute('data-video')) === 'off', {
    timeoutMs: 15000,
    what: "A's tile for B to show initials",
  });
  assert.equal(await tile(a.page, idB).locator('.initials').innerText(), 'OH');
  await camera.click();
  await pressed(camera, 'false', 'Stop camera');
  await waitTilesShowVideo(a, [idB]);

  /* C leaves with the button; A and B lose C's tile within 2 s. */
  const leftAt = Date.now();
  await c.page.getByRole('button', { name: 'Leave' }).click();
  await Promise.all(
    [a, b].map((p) => tile(p.page, idC).waitFor({ state: 'detached', timeout: 2000 })),
  );
  const took = Date.now() - leftAt;
  assert.ok(took <= 2000, `tiles went in ${took} ms`);
  await c.page.locator('#end[data-kind="left"]').waitFor();

  /* A and B carry on. */
  await Promise.all([waitForMediaFrom(a.page, [idB], 'A'), waitForMediaFrom(b.page, [idA], 'B')]);
  assert.equal(await a.page.locator('#grid [data-participant]').count(), 1);
});
