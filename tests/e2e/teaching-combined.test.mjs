/*
 * teaching-combined.test.mjs — a group teaching from end to end, and what
 * a dropped connection keeps (docs/protocol.md, "Group teaching",
 * "Reconnecting in a group teaching").
 *
 * 1. Over the protocol (raw WebSocket clients, no media): someone a host
 *    made presenter who drops and joins again with the same link presents
 *    again; one who left on purpose, or was revoked, does not. An attendee
 *    with the floor who drops gets it back on joining again (`floor`
 *    granted, `resumed`), and everyone sees them again; a floor the host
 *    took back meanwhile is not given back. The host messages that name a
 *    participant share one lookup: not-found, conflict for oneself, for
 *    someone waiting (except admit).
 * 2. In real Chromium pages: a group teaching booked through the API; the
 *    host is a protocol client, the presenter (an attendee the host made
 *    presenter) publishes camera and screen (Chromium's fake display
 *    capture), and six attendees (receive-only pages in the one browser)
 *    each decode the screen, shown large, and the presenter's camera, see
 *    "6 attendees" and no other attendee's name; the host sees all six.
 *    One raises a hand, the host gives the floor, the other five decode
 *    that attendee's audio.
 *    The presenter's WebSocket is then cut: the page reconnects by itself,
 *    is still presenter, its screen share is published again, and every
 *    attendee decodes the screen from it again. Screenshots go to
 *    artifacts/teaching-combined/.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, newParticipant, waitFor, waitForMediaFrom, stats, shots, ARTIFACTS } from './lib.mjs';
import { startServer } from './server.mjs';
import { bookTeaching } from './api.mjs';
import { protocolClient } from './wsclient.mjs';

const SECRET = 'e2e-teaching-combined-secret-0123456789ab';
const SHOTS = join(ARTIFACTS, 'teaching-combined');
mkdirSync(SHOTS, { recursive: true });
const SMALL = { width: 640, height: 480 };
const TINY = { width: 480, height: 360 };
const ATTENDEES = ['Astrid', 'Bendik', 'Cathrine', 'Dag', 'Eli', 'Frode'];

let browser;
const sockets = [];
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  for (const ws of sockets) ws.terminate();
  await browser?.close();
});

const book = (server) => bookTeaching(server, 'e2e teaching combined');

const client = (server, label) => protocolClient(server.wsUrl, label, sockets);

test('a dropped connection keeps a made presenter and the floor; the host messages share one lookup', { timeout: 120000 }, async () => {
  const server = await startServer('teaching-rejoin', { args: ['--token-secret', SECRET] });
  try {
    const { room, invite } = await book(server);
    const host = await client(server, 'Dr. Vert');
    await host.joinOk(room, await invite('specialist', 'Dr. Vert'));
    const tokens = {};
    for (const n of ['Petter', 'Astrid', 'Bendik']) tokens[n] = await invite('municipal', n);
    let petter = await client(server, 'Petter');
    await petter.joinOk(room, tokens.Petter);
    let astrid = await client(server, 'Astrid');
    await astrid.joinOk(room, tokens.Astrid);
    const bendik = await client(server, 'Bendik');
    await bendik.joinOk(room, tokens.Bendik);
    const kari = await client(server, 'Kari');
    const kariJoin = await kari.joinOk(room, await invite('patient', 'Kari'));
    assert.equal(kariJoin.state, 'waiting');

    /* One lookup for every host message that names someone. */
    const missing = await host.request({ type: 'stop-share', participant: 'pnobody00000' });
    assert.equal(missing.code, 'not-found', JSON.stringify(missing));
    const self = await host.request({ type: 'stop-share', participant: host.self });
    assert.equal(self.code, 'conflict', JSON.stringify(self));
    const selfRemove = await host.request({ type: 'remove', participant: host.self });
    assert.equal(selfRemove.code, 'conflict', JSON.stringify(selfRemove));
    for (const type of ['make-presenter', 'give-floor', 'stop-share']) {
      const waiting = await host.request({ type, participant: kari.self });
      assert.equal(waiting.code, 'conflict', `${type} for someone waiting: ${JSON.stringify(waiting)}`);
      assert.match(waiting.message, /waiting/);
    }
    const admitted = await host.request({ type: 'admit', participant: kari.self });
    assert.equal(admitted.type, 'ok', `admit takes someone waiting: ${JSON.stringify(admitted)}`);

    /* Petter made presenter, then his connection drops. */
    const made = await host.request({ type: 'make-presenter', participant: petter.self });
    assert.equal(made.type, 'ok', JSON.stringify(made));
    await bendik.next((m) => m.type === 'participant-joined' && m.participant.id === petter.self && m.participant.presenter === true, 'Petter shown as presenter');
    const oldPetter = petter.self;
    petter.close();
    await host.next((m) => m.type === 'participant-left' && m.participant === oldPetter && m.reason === 'disconnected', 'Petter dropped');
    petter = await client(server, 'Petter');
    const again = await petter.joinOk(room, tokens.Petter);
    assert.equal(again.presenter, true, 'Petter presents again after joining with the same link');
    await petter.next((m) => m.type === 'hands', 'the hand queue, as to every presenter');
    await bendik.next((m) => m.type === 'participant-joined' && m.participant.id === petter.self && m.participant.presenter === true, 'attendees see Petter again as presenter');

    /* Astrid gets the floor; her connection drops; she comes back to it. */
    assert.equal((await astrid.request({ type: 'raise-hand' })).position, 1);
    assert.equal((await host.request({ type: 'give-floor', participant: astrid.self, video: false })).type, 'ok');
    await astrid.next((m) => m.type === 'floor' && m.granted === true, 'Astrid has the floor');
    await bendik.next((m) => m.type === 'participant-joined' && m.participant.id === astrid.self, 'Bendik sees Astrid');
    const oldAstrid = astrid.self;
    astrid.close();
    await bendik.next((m) => m.type === 'participant-left' && m.participant === oldAstrid, 'Astrid gone from Bendik');
    await host.next((m) => m.type === 'hands' && m.floor === null, 'nobody has the floor while Astrid is away');
    astrid = await client(server, 'Astrid');
    await astrid.joinOk(room, tokens.Astrid);
    const back = await astrid.next((m) => m.type === 'floor', 'the floor back');
    assert.equal(back.granted, true);
    assert.equal(back.resumed, true);
    assert.equal(back.audio, true);
    assert.equal(back.video, false, 'as the host gave it: sound only');
    assert.equal(back.by, host.self);
    await host.next((m) => m.type === 'hands' && m.floor?.id === astrid.self, 'the host sees Astrid on the floor again');
    await bendik.next((m) => m.type === 'participant-joined' && m.participant.id === astrid.self && m.participant.floor === true, 'Bendik sees Astrid again, on the floor');
    const up = await astrid.request({ type: 'raise-hand' });
    assert.equal(up.code, 'conflict', 'the floor holder raises no hand');

    /* Dropped again, and the host takes the kept floor back meanwhile: not given back. */
    const oldAstrid2 = astrid.self;
    astrid.close();
    await host.next((m) => m.type === 'participant-left' && m.participant === oldAstrid2, 'Astrid dropped again');
    assert.equal((await host.request({ type: 'take-floor' })).type, 'ok', 'take-floor takes a kept floor back');
    assert.equal((await host.request({ type: 'take-floor' })).code, 'conflict', 'then nobody has it');
    astrid = await client(server, 'Astrid');
    await astrid.joinOk(room, tokens.Astrid);
    const hand = await astrid.request({ type: 'raise-hand' });
    assert.equal(hand.type, 'ok', `no floor: she may raise her hand (${JSON.stringify(hand)})`);
    assert.ok(!astrid.inbox.some((m) => m.type === 'floor'), 'no floor was given back');

    /* Revoked, then dropped: an attendee again. Left on purpose: likewise. */
    assert.equal((await host.request({ type: 'revoke-presenter', participant: petter.self })).type, 'ok');
    petter.close();
    petter = await client(server, 'Petter');
    assert.equal((await petter.joinOk(room, tokens.Petter)).presenter, false, 'revoked: not a presenter after rejoining');
    assert.equal((await host.request({ type: 'make-presenter', participant: petter.self })).type, 'ok');
    assert.equal((await petter.request({ type: 'leave' })).type, 'ok');
    petter.close();
    petter = await client(server, 'Petter');
    assert.equal((await petter.joinOk(room, tokens.Petter)).presenter, false, 'left on purpose: not a presenter after joining again');
  } finally {
    await server.stopCleanly();
  }
});

/* Opens the link and joins (an attendee: no devices asked for). */
async function joinPage(p, server, room, token) {
  const { page } = p;
  await page.goto(`${server.url}/?lang=en&room=${room}#token=${token}`, { waitUntil: 'load' });
  await page.locator('#notice-teaching').waitFor({ state: 'visible', timeout: 20000 });
  await page.getByLabel('I have read this and want to join').check();
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  await page.locator('#call').waitFor({ state: 'visible', timeout: 30000 });
  return (await page.evaluate(() => window.samvei.self())).id;
}

/* Routes the page's WebSocket through the test, so that it can be cut as
 * a network drop would: both ends close, the page reconnects by itself. */
async function cuttable(page) {
  const link = { current: null };
  await page.routeWebSocket(/\/ws/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((m) => server.send(m));
    server.onMessage((m) => ws.send(m));
    link.current = { ws, server };
  });
  link.cut = async () => {
    const { ws, server } = link.current;
    link.current = null;
    await server.close({ code: 1001 });
    await ws.close({ code: 4000, reason: 'test: network drop' });
  };
  return link;
}

const statsOf = async (page, id) => (await stats(page))[id] ?? null;

/* Waits until page decodes a screen share from `from` whose frames keep coming. */
async function waitForScreenFrom(page, from, what) {
  let last = null;
  return waitFor(
    async () => {
      const s = await statsOf(page, from);
      const prev = last;
      last = s;
      return prev && s && s.screenFrames > prev.screenFrames && s.screenWidth > 0 ? s : false;
    },
    { what, intervalMs: 1000 },
  );
}

/* Whether the page receives more of `id`'s audio than at the last call. */
function audioGrowing(page, id) {
  let last = null;
  return async () => {
    const s = await statsOf(page, id);
    const now = s ? { packets: s.audioPackets, samples: s.totalSamplesReceived } : null;
    const prev = last;
    last = now;
    return !!(now && prev && now.packets > prev.packets && now.samples > prev.samples && prev.samples > 0);
  };
}

test('group teaching in Chromium: camera and screen to six attendees, the floor, and the presenter reconnecting', { timeout: 420000 }, async () => {
  const server = await startServer('teaching-combined', { args: ['--token-secret', SECRET] });
  const pages = [];
  try {
    const { room, invite } = await book(server);
    const host = await client(server, 'Dr. Vert');
    await host.joinOk(room, await invite('specialist', 'Dr. Vert'));

    /* The presenter joins as an attendee and is made presenter. */
    const pres = await newParticipant(browser, 'tc-presenter', SMALL);
    pages.push(pres);
    const link = await cuttable(pres.page);
    let presId = await joinPage(pres, server, room, await invite('municipal', 'Kari Lærer'));
    assert.equal((await host.request({ type: 'make-presenter', participant: presId })).type, 'ok');
    await waitFor(async () => {
      const st = await pres.page.evaluate(() => window.samvei.state());
      return st.hasVideo && st.hasAudio;
    }, { timeoutMs: 20000, intervalMs: 200, what: 'the presenter sends camera and microphone' });
    assert.equal((await pres.page.evaluate(() => window.samvei.teaching())).presenter, true);

    /* Shares the screen (Chromium's fake display capture). */
    await pres.page.getByRole('button', { name: 'Share screen' }).click();
    await waitFor(async () => (await pres.page.evaluate(() => window.samvei.screen())).sharing, { timeoutMs: 20000, intervalMs: 200, what: 'the presenter shares the screen' });

    /* Six attendees, receive-only pages in the one browser. */
    const att = [];
    for (const name of ATTENDEES) {
      const p = await newParticipant(browser, `tc-${name.toLowerCase()}`, TINY);
      pages.push(p);
      p.name = name;
      p.id = await joinPage(p, server, room, await invite('municipal', name));
      att.push(p);
    }
    /* The host sees every attendee, by name (attendees see none). */
    for (const p of att) {
      const m = await host.next((m) => m.type === 'participant-joined' && m.participant.id === p.id, `the host sees ${p.name}`);
      assert.equal(m.participant.name, p.name);
    }

    for (const p of att) {
      await waitForMediaFrom(p.page, [presId], `${p.name}: the presenter's camera`);
      const s = await waitForScreenFrom(p.page, presId, `${p.name}: the screen share`);
      assert.ok(s.screenWidth >= 320, `${p.name}: the screen at its size (${s.screenWidth}x${s.screenHeight})`);
      await p.page.getByRole('region', { name: 'Screen share from Kari Lærer' }).waitFor({ state: 'visible', timeout: 10000 });
      await waitFor(async () => (await p.page.locator('#teaching-count').textContent()) === '6 attendees', { timeoutMs: 15000, intervalMs: 200, what: `${p.name}: 6 attendees` });
      const body = await p.page.locator('body').innerText();
      for (const other of ATTENDEES.filter((n) => n !== p.name)) assert.ok(!body.includes(other), `${p.name} sees ${other}'s name`);
      assert.equal((await p.page.evaluate(() => window.samvei.state())).hasAudio, false, `${p.name} sends nothing`);
    }
    /* The screen is large: wider than the presenter's camera tile. */
    const first = att[0].page;
    const stageBox = await first.locator('#screen-stage').boundingBox();
    const tileBox = await first.locator(`#grid [data-participant="${presId}"]`).boundingBox();
    assert.ok(stageBox && tileBox && stageBox.width * stageBox.height > tileBox.width * tileBox.height, 'the screen share shows larger than the camera tile');
    await shots(first, SHOTS, 'attendee-screen');
    await shots(pres.page, SHOTS, 'presenter-sharing');

    /* Astrid raises her hand; the host gives her the floor. */
    const [astrid, ...others] = att;
    await astrid.page.getByRole('button', { name: 'Raise hand' }).click();
    await host.next((m) => m.type === 'hands' && m.queue.some((h) => h.id === astrid.id), "Astrid's hand reaches the host");
    assert.equal((await host.request({ type: 'give-floor', participant: astrid.id, video: false })).type, 'ok');
    await astrid.page.locator('#teaching-floor').waitFor({ state: 'visible', timeout: 10000 });
    for (const p of others) {
      const grows = audioGrowing(p.page, astrid.id);
      await waitFor(grows, { intervalMs: 1000, what: `${p.name} decoding Astrid's audio` });
      await waitFor(grows, { intervalMs: 1000, what: `${p.name}: Astrid's audio still growing` });
    }
    await shots(others[0].page, SHOTS, 'attendee-sees-floor');
    assert.equal((await host.request({ type: 'take-floor' })).type, 'ok');
    await astrid.page.locator('#teaching-floor').waitFor({ state: 'hidden', timeout: 10000 });

    /* The presenter's connection drops; the page reconnects by itself. */
    const oldId = presId;
    await link.cut();
    await waitFor(async () => (await pres.page.evaluate(() => window.samvei.self()))?.id !== oldId, { timeoutMs: 30000, intervalMs: 200, what: 'the presenter joined again' });
    presId = (await pres.page.evaluate(() => window.samvei.self())).id;
    await waitFor(async () => (await pres.page.evaluate(() => window.samvei.state())).connection === 'connected', { timeoutMs: 30000, intervalMs: 200, what: 'the presenter connected again' });
    assert.equal((await pres.page.evaluate(() => window.samvei.teaching())).presenter, true, 'still presenter after the reconnect');
    await pres.page.locator('#class-panel').waitFor({ state: 'visible', timeout: 10000 });
    await waitFor(async () => (await pres.page.evaluate(() => window.samvei.screen())).sharing, { timeoutMs: 20000, intervalMs: 200, what: 'the screen share published again' });
    for (const p of att) {
      await waitForScreenFrom(p.page, presId, `${p.name}: the screen share after the reconnect`);
      await p.page.getByRole('region', { name: 'Screen share from Kari Lærer' }).waitFor({ state: 'visible', timeout: 10000 });
    }
    await waitForMediaFrom(first, [presId], "Astrid: the presenter's camera after the reconnect");
    /* Astrid, who spoke, is still connected: her closed publish connection is no failure. */
    for (const p of att) assert.equal((await p.page.evaluate(() => window.samvei.state())).connection, 'connected', `${p.name} connected`);
    await shots(first, SHOTS, 'attendee-screen-after-reconnect');
  } finally {
    for (const p of pages) await p.context.close().catch(() => {});
    await server.stopCleanly();
  }
});
