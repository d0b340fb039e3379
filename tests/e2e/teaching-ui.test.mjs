/*
 * teaching-ui.test.mjs — the web client in a group teaching, in real
 * Chromium pages: the presenter (the host, a specialist, publishing its
 * fake camera and microphone), two attendees in the web client and a third
 * attendee as a protocol-level client (raw WebSocket), so the machine's two
 * cores carry it.
 *
 * - The join page's privacy notice says what a group teaching shares, and
 *   an attendee is asked for no camera or microphone.
 * - Attendees decode the presenter's video, see the attendee count (3), no
 *   other attendee's name or tile, and no mic or camera controls.
 * - Astrid raises her hand (place 1); the host's classroom panel shows the
 *   queue and announces the hand; the host gives her the floor (sound
 *   only): she is told "You have the floor", Bendik's page decodes her
 *   audio; the host takes it back: she is told, her tile goes from
 *   Bendik's page and her microphone is off.
 * - Screenshots of the presenter, attendee and host views at tablet and
 *   laptop size go to artifacts/teaching-ui/.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, newParticipant, waitFor, waitForMediaFrom, stats, shots, ARTIFACTS } from './lib.mjs';
import { startServer } from './server.mjs';
import { bookTeaching } from './api.mjs';
import { protocolClient } from './wsclient.mjs';

const SECRET = 'e2e-teaching-ui-secret-0123456789abcdef';
const SHOTS = join(ARTIFACTS, 'teaching-ui');
mkdirSync(SHOTS, { recursive: true });
const SMALL = { width: 640, height: 480 };

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const book = (server) => bookTeaching(server, 'e2e teaching ui');

/* Opens the link, checks the privacy notice of a group teaching, joins. */
async function joinPage(p, server, room, token, { attendee }) {
  const { page } = p;
  await page.goto(`${server.url}/?lang=en&room=${room}#token=${token}`, { waitUntil: 'load' });
  const notice = page.locator('#notice-teaching');
  await notice.waitFor({ state: 'visible', timeout: 20000 });
  const text = await notice.textContent();
  assert.match(text, /Attendees do not see each other's names or video/);
  assert.match(text, /The host and the presenters see the list of attendees/);
  if (attendee) {
    assert.match(text, /with your microphone and camera off/);
    /* No camera or microphone is asked for before joining. */
    await waitFor(async () => (await page.locator('#check-camera-value').textContent()).startsWith('Not used'), { timeoutMs: 10000, intervalMs: 100, what: 'the camera row says not used' });
    assert.equal(await page.locator('#check-mic-value').getAttribute('data-state'), 'skipped');
    assert.equal(await page.locator('.check-preview').count(), 0, 'no camera preview');
  }
  await page.getByLabel('I have read this and want to join').check();
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  await page.locator('#call').waitFor({ state: 'visible', timeout: 30000 });
  return (await page.evaluate(() => window.samvei.self())).id;
}

/* A protocol-level attendee (wsclient.mjs); `all` keeps every message's text. */
async function wsAttendee(server, room, token, name) {
  const c = await protocolClient(server.wsUrl, name);
  const reply = await c.joinOk(room, token);
  assert.equal(reply.presenter, false);
  return c;
}

/* Whether the page receives more of `id`'s audio than at the last call. */
function audioGrowing(page, id) {
  let last = null;
  return async () => {
    const s = (await stats(page))[id];
    const now = s ? { packets: s.audioPackets, samples: s.totalSamplesReceived } : null;
    const prev = last;
    last = now;
    return !!(now && prev && now.packets > prev.packets && now.samples > prev.samples && prev.samples > 0);
  };
}

test('group teaching in the web client: attendees watch, a hand, the floor given and taken back', { timeout: 300000 }, async () => {
  const server = await startServer('teaching-ui', { args: ['--token-secret', SECRET] });
  const host = await newParticipant(browser, 'tui-host', SMALL);
  const a = await newParticipant(browser, 'tui-astrid', SMALL);
  const b = await newParticipant(browser, 'tui-bendik', SMALL);
  let c = null;
  try {
    const { room, invite } = await book(server);

    /* The presenter (host) joins and publishes its camera. */
    const hostId = await joinPage(host, server, room, await invite('specialist', 'Dr. Foreleser'), { attendee: false });
    await host.page.locator('#class-panel').waitFor({ state: 'visible', timeout: 10000 });

    /* Two attendees in the web client, one over the protocol. */
    const aId = await joinPage(a, server, room, await invite('municipal', 'Astrid'), { attendee: true });
    const bId = await joinPage(b, server, room, await invite('municipal', 'Bendik'), { attendee: true });
    c = await wsAttendee(server, room, await invite('municipal', 'Cathrine'), 'Cathrine');

    for (const [p, name] of [[a, 'Astrid'], [b, 'Bendik']]) {
      const { page } = p;
      /* The presenter's video and sound are decoded. */
      await waitForMediaFrom(page, [hostId], name);
      /* The count of attendees, in the header. */
      await waitFor(async () => (await page.locator('#teaching-count').textContent()) === '3 attendees', { timeoutMs: 15000, intervalMs: 200, what: `${name}: 3 attendees` });
      /* One tile, the presenter's; nobody else's name anywhere. */
      assert.deepEqual(await page.locator('#grid [data-participant]').evaluateAll((els) => els.map((e) => e.dataset.participant)), [hostId]);
      const body = await page.locator('body').innerText();
      for (const other of ['Astrid', 'Bendik', 'Cathrine'].filter((n) => n !== name)) assert.ok(!body.includes(other), `${name} sees ${other}'s name`);
      /* Listening: no microphone or camera controls, nothing published. */
      assert.equal(await page.locator('#btn-mic').isVisible(), false);
      assert.equal(await page.locator('#btn-camera').isVisible(), false);
      assert.match(await page.locator('#teaching-note').textContent(), /microphone and camera are off/);
      const st = await page.evaluate(() => window.samvei.state());
      assert.equal(st.hasAudio, false);
      assert.equal(st.hasVideo, false);
      assert.equal(st.connection, 'connected');
    }

    /* The host's classroom lists the three attendees. */
    await waitFor(async () => (await host.page.locator('#attendee-list > li').count()) === 3, { timeoutMs: 15000, intervalMs: 200, what: 'the host lists 3 attendees' });
    assert.equal(await host.page.locator('#grid [data-participant]').count(), 0, 'attendees have no tiles on the host page');
    await shots(host.page, SHOTS, 'host-classroom');
    await shots(a.page, SHOTS, 'attendee-listening');

    /* Astrid raises her hand: first in the queue. */
    await a.page.getByRole('button', { name: 'Raise hand' }).click();
    await waitFor(async () => /number 1 in the queue/.test(await a.page.locator('#teaching-note').textContent()), { timeoutMs: 10000, intervalMs: 100, what: 'Astrid told her place' });
    await a.page.getByRole('button', { name: 'Lower hand' }).waitFor({ timeout: 5000 });

    /* The host sees the queue and hears about it. */
    const item = host.page.locator('#hands-queue > li');
    await waitFor(async () => (await item.count()) === 1 && (await item.first().innerText()).includes('1. Astrid'), { timeoutMs: 10000, intervalMs: 100, what: "Astrid's hand on the host page" });
    await waitFor(async () => (await host.page.locator('#announcer').textContent()) === 'Astrid raises a hand.', { timeoutMs: 5000, intervalMs: 100, what: 'the new hand announced' });
    await shots(host.page, SHOTS, 'host-hand-raised');

    /* The floor to Astrid, sound only. */
    await host.page.getByRole('button', { name: 'Give the floor to Astrid', exact: true }).click();
    await a.page.locator('#teaching-floor').waitFor({ state: 'visible', timeout: 10000 });
    assert.match(await a.page.locator('#teaching-floor').textContent(), /You have the floor/);
    await waitFor(async () => (await a.page.evaluate(() => window.samvei.state())).hasAudio, { timeoutMs: 15000, intervalMs: 200, what: "Astrid's microphone on" });
    assert.equal(await a.page.locator('#btn-mic').isVisible(), true, 'the mic control is back (to mute)');
    assert.equal(await a.page.locator('#btn-camera').isVisible(), false, 'no camera: the host allowed sound only');
    assert.equal((await a.page.evaluate(() => window.samvei.state())).hasVideo, false);

    /* Bendik sees her tile and decodes her audio. */
    await b.page.locator(`#grid [data-participant="${aId}"]`).waitFor({ timeout: 15000 });
    assert.match(await b.page.locator(`#grid [data-participant="${aId}"] .tile-name`).textContent(), /Astrid/);
    const grows = audioGrowing(b.page, aId);
    await waitFor(grows, { intervalMs: 1000, what: "Bendik decoding Astrid's audio" });
    await waitFor(grows, { intervalMs: 1000, what: "Bendik's audio from Astrid still growing" });
    await waitFor(async () => /Astrid has the floor/.test(await host.page.locator('#class-floor-text').textContent()), { timeoutMs: 10000, intervalMs: 100, what: 'the host sees who has the floor' });
    await shots(a.page, SHOTS, 'attendee-floor');
    await shots(b.page, SHOTS, 'attendee-sees-floor');
    await shots(host.page, SHOTS, 'host-floor-given');

    /* The floor back: Astrid is told and stops; her tile goes from Bendik's page. */
    await host.page.getByRole('button', { name: 'Take the floor back' }).click();
    await a.page.locator('#teaching-floor').waitFor({ state: 'hidden', timeout: 10000 });
    await waitFor(async () => /The floor was taken back/.test(await a.page.locator('.toast').textContent()), { timeoutMs: 5000, intervalMs: 100, what: 'Astrid told the floor is gone' });
    const st = await a.page.evaluate(() => window.samvei.state());
    assert.equal(st.hasAudio, false, "Astrid's microphone is off");
    assert.equal(await a.page.locator('#btn-mic').isVisible(), false);
    await b.page.locator(`#grid [data-participant="${aId}"]`).waitFor({ state: 'detached', timeout: 15000 });
    assert.ok(!(await b.page.locator('body').innerText()).includes('Astrid'), "Astrid's name is gone from Bendik's page");
    await waitFor(async () => (await host.page.locator('#class-floor').isVisible()) === false, { timeoutMs: 10000, intervalMs: 100, what: 'nobody has the floor on the host page' });
    await shots(a.page, SHOTS, 'attendee-floor-ended');

    /* The protocol attendee never got Bendik's name or id (Astrid's, only with the floor). */
    const text = c.all.join('\n');
    assert.ok(!text.includes('Bendik') && !text.includes(bId), 'Cathrine never got Bendik');
  } finally {
    c?.close();
    for (const p of [host, a, b]) await p.context.close().catch(() => {});
    await server.stopCleanly();
  }
});
