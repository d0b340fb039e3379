/*
 * adapt.test.mjs — calls on weak links, the client and signalling side
 * simulcast publishing, the quality indicators, "Audio only",
 * thumbnails asking for the lowest layer, unwatched layers paused at the
 * source, the `layer` / `audio-only` messages on a raw WebSocket, and the
 * adaptation metrics.
 *
 * Two people, A and B (laptop size), share one call for most tests. A hook
 * on each page's WebSocket records the server messages it gets
 * (window.__samveiInbox) and lets the test send a message of its own on
 * the page's connection (sendAs): (a) asks for each layer in turn that way,
 * as a client with a tile of each size would.
 *
 * Assertions that need the relay's forwarding side of weak links (layer
 * selection, pausing video, `layers` and `video-paused` events) are marked
 * RELAY in their messages; the rest needs only signalling and the client.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { protocolClient } from './wsclient.mjs';
import {
  BASE_URL,
  VIEWPORTS,
  WS_URL,
  launchBrowser,
  newParticipant,
  joinViaUi,
  waitFor,
  waitForMediaFrom,
  roomName,
  shot,
  sleep,
  stats,
} from './lib.mjs';
import { startServer } from './server.mjs';
import { rateQuality, QualityMeter, expectedVideoKbps } from '../../web/js/quality.js';

let browser;
const opened = [];
const sockets = [];
const call = {}; /* the shared call: room, a, b, idA, idB */

/* Records every server message but the bulky ones into
 * window.__samveiInbox, keeps the latest socket in window.__samveiWs, and
 * drops the types in window.__samveiDrop before the client sees them.
 * Installed before the page's scripts run. */
async function hookWebSocket(context, drop = []) {
  await context.addInitScript((dropped) => {
    const Native = window.WebSocket;
    window.__samveiInbox = [];
    window.__samveiDrop = new Set(dropped);
    class Recording extends Native {
      constructor(...args) {
        super(...args);
        window.__samveiWs = this;
      }

      set onmessage(fn) {
        super.onmessage = (ev) => {
          let m = null;
          try {
            m = JSON.parse(ev.data);
          } catch {
            /* not ours to judge */
          }
          if (m && m.type !== 'subscribe' && m.type !== 'candidate') {
            window.__samveiInbox.push(m);
            if (window.__samveiInbox.length > 500) window.__samveiInbox.shift();
          }
          if (m && window.__samveiDrop.has(m.type)) return;
          fn?.call(this, ev);
        };
      }

      get onmessage() {
        return super.onmessage;
      }
    }
    window.WebSocket = Recording;
  }, drop);
}

async function participant(label, viewport, drop = []) {
  const p = await newParticipant(browser, label, viewport);
  await hookWebSocket(p.context, drop);
  opened.push(p);
  return p;
}

/* The samples of /metrics: name{labels} → value. */
async function metrics() {
  const text = await (await fetch(`${BASE_URL}/metrics`)).text();
  const out = new Map();
  for (const line of text.split('\n')) {
    const m = line.match(/^([a-z_]+(?:\{[^}]*\})?) (\S+)$/);
    if (m) out.set(m[1], Number(m[2]));
  }
  return out;
}

/* Sends msg (no id: nothing comes back unless it fails) on p's own
 * signalling connection, as its client would. */
const sendAs = (p, msg) => p.page.evaluate((m) => window.__samveiWs.send(JSON.stringify(m)), msg);
const inbox = (p, type) => p.page.evaluate((t) => window.__samveiInbox.filter((m) => m.type === t), type);
const tile = (p, id) => p.page.locator(`#grid [data-participant="${id}"]`);

const rawClient = () => protocolClient(WS_URL, 'raw', sockets);

/* Asks, as viewer, for each layer of publisher's video in turn (low,
 * medium, auto on loopback: the top), and waits each time for the
 * publisher's getStats to show that rid being sent at about its width
 * (q a quarter, h half, f the full 1280) and for the viewer to receive
 * it. Returns {rid: width seen}. */
async function eachLayer(publisher, viewer, publisherId, what) {
  const steps = [
    ['low', 'q', 320],
    ['medium', 'h', 640],
    ['auto', 'f', 1280],
  ];
  const seen = {};
  let previous = null;
  for (const [max, rid, width] of steps) {
    await sendAs(viewer, { type: 'layer', participant: publisherId, max });
    let last = null;
    try {
      await waitFor(
        async () => {
          const link = await publisher.page.evaluate(() => window.samvei.link());
          const was = previous?.layers?.[rid];
          const l = (last = link?.layers?.[rid]);
          previous = link;
          /* The browser may scale a layer down a notch while its bandwidth
           * estimate ramps up: roughly is enough. */
          if (!l || !was || !(l.bytesSent > was.bytesSent) || !(l.frameWidth >= width * 0.75 && l.frameWidth <= width))
            return false;
          const got = (await stats(viewer.page))[publisherId]?.videoWidth ?? 0;
          return got >= width * 0.75 && got <= width;
        },
        { timeoutMs: 45000, intervalMs: 1000 },
      );
    } catch {
      const got = (await stats(viewer.page))[publisherId]?.videoWidth;
      throw new Error(
        `${what}, max "${max}": RELAY: layer ${rid} to be sent at about ${width} wide and reach the viewer; ` +
          `publisher's ${rid}: ${JSON.stringify(last)}, viewer receives ${got} wide, layers so far ${JSON.stringify(seen)}`,
      );
    }
    seen[rid] = last.frameWidth;
  }
  return { seen, link: previous };
}

before(async () => {
  browser = await launchBrowser();
  call.room = roomName('adapt');
  call.a = await participant('adapt-a', VIEWPORTS.laptop);
  call.b = await participant('adapt-b', VIEWPORTS.laptop);
  call.idA = await joinViaUi(call.a.page, call.room, 'Kari Nordmann');
  call.idB = await joinViaUi(call.b.page, call.room, 'Ola Hansen');
  await Promise.all([waitForMediaFrom(call.a.page, [call.idB], 'A'), waitForMediaFrom(call.b.page, [call.idA], 'B')]);
});

after(async () => {
  for (const ws of sockets) ws.terminate();
  for (const p of opened) await p.context.close().catch(() => {});
  await browser?.close();
});

test('rateQuality and QualityMeter (pure)', () => {
  assert.equal(rateQuality({}), 'good', 'nothing known is nothing wrong');
  assert.equal(rateQuality({ lossFraction: 0.005, rttMs: 40, kbps: 1200, expectedKbps: 1500 }), 'good');
  assert.equal(rateQuality({ lossFraction: 0.03 }), 'fair');
  assert.equal(rateQuality({ lossFraction: 0.1 }), 'poor');
  assert.equal(rateQuality({ rttMs: 300 }), 'fair');
  assert.equal(rateQuality({ rttMs: 800 }), 'poor');
  assert.equal(rateQuality({ kbps: 300, expectedKbps: 1500 }), 'fair', 'a fifth of the layer\'s bitrate');
  assert.equal(rateQuality({ kbps: 60, expectedKbps: 1500 }), 'poor');
  assert.equal(rateQuality({ kbps: 0, expectedKbps: 0 }), 'good', 'no video expected (camera off): bitrate does not count');
  assert.equal(rateQuality({ bandwidthLimited: true }), 'fair');
  assert.equal(rateQuality({ videoPaused: true, rttMs: 5 }), 'poor');
  assert.equal(expectedVideoKbps(1280), 1500);
  assert.equal(expectedVideoKbps(640), 500);
  assert.equal(expectedVideoKbps(320), 150);

  /* Worse at once, better only after three samples. */
  const meter = new QualityMeter();
  const s = { packetsReceived: 0, packetsLost: 0, videoBytes: 0, framesDecoded: 0, frameWidth: 640, rttMs: 20 };
  const step = (t, received, lost) => {
    s.packetsReceived += received;
    s.packetsLost += lost;
    s.videoBytes += 60000;
    s.framesDecoded += 30;
    return meter.add('x', { ...s }, t);
  };
  assert.equal(step(0, 100, 0), null, 'one sample rates nothing');
  assert.equal(step(1000, 100, 0), 'good');
  assert.equal(step(2000, 80, 20), 'poor', '20 % loss shows at once');
  let t = 3000;
  const levels = [];
  for (let i = 0; i < 8; i++) levels.push(step((t += 1000), 100, 0));
  assert.equal(levels[0], 'poor', 'one good sample is not enough');
  assert.equal(levels.at(-1), 'good', `recovers: ${levels.join(' ')}`);
});

test('(a) the camera goes out as three simulcast layers (VP8)', { timeout: 180000 }, async () => {
  const { a, b, idA } = call;
  const enc = await a.page.evaluate(() => window.samvei.adapt().layers);
  assert.deepEqual(Object.keys(enc).sort(), ['f', 'h', 'q'], 'three encodings: the server accepted simulcast (a=simulcast in its answer)');
  const { seen, link } = await eachLayer(a, b, idA, 'A (VP8)');
  assert.equal(link.videoCodec, 'video/VP8');
  console.log(`# VP8 layers seen: ${JSON.stringify(seen)}`);
});

test('(a) the camera goes out as three simulcast layers (H.264)', { timeout: 180000 }, async () => {
  const server = await startServer('adapt-h264', { args: ['--video-codecs', 'h264'] });
  try {
    const room = roomName('adapt-h264');
    const p = await participant('adapt-h264-a', VIEWPORTS.laptop);
    const q = await participant('adapt-h264-b', VIEWPORTS.laptop);
    const idP = await joinViaUi(p.page, room, 'Kari Nordmann', { base: server.url });
    const idQ = await joinViaUi(q.page, room, 'Ola Hansen', { base: server.url });
    await Promise.all([waitForMediaFrom(p.page, [idQ], 'P'), waitForMediaFrom(q.page, [idP], 'Q')]);
    const enc = await p.page.evaluate(() => window.samvei.adapt().layers);
    assert.deepEqual(Object.keys(enc).sort(), ['f', 'h', 'q'], 'three encodings with H.264 too');
    const { seen, link } = await eachLayer(p, q, idP, 'P (H.264)');
    assert.equal(link.videoCodec, 'video/H264');
    console.log(`# H.264 layers seen: ${JSON.stringify(seen)}`);
    await p.context.close();
    await q.context.close();
  } finally {
    await server.stopCleanly();
  }
});

test('(c) the quality indicators say "good" on loopback, with accessible names', { timeout: 120000 }, async () => {
  const { a, b, idA, idB } = call;
  for (const [p, other] of [
    [a, idB],
    [b, idA],
  ]) {
    const self = p.page.getByRole('img', { name: 'Your connection: good' });
    const theirs = tile(p, other).getByRole('img', { name: 'Connection quality: good' });
    try {
      await waitFor(async () => (await self.isVisible()) && (await theirs.isVisible()), { timeoutMs: 60000 });
    } catch {
      /* Poor because video is paused means the relay paused it (RELAY). */
      const q = await p.page.evaluate(() => window.samvei.quality());
      throw new Error(`${p.label}'s indicators do not say good on loopback: ${JSON.stringify(q)}`);
    }
    assert.match(await self.innerText(), /Your connection: good/);
    assert.match(await theirs.innerText(), /Good/, 'the word is on the tile, not only the colour');
    const box = await theirs.boundingBox();
    assert.ok(box.height >= 24, `readable on a tablet (${box.height}px high)`);
  }
  await shot(a.page, 'adapt-quality-laptop.png');
});

test('/metrics shows how the relay adapts', async () => {
  const m = await metrics();
  for (const name of ['samvei_layer_switches_total', 'samvei_subscribers_video_paused', 'samvei_probe_padding_bytes_total'])
    assert.ok(Number.isFinite(m.get(name)), `${name} is there`);
  const count = m.get('samvei_bandwidth_estimate_kbps_count');
  assert.equal(m.get('samvei_bandwidth_estimate_kbps_bucket{le="+Inf"}'), count, 'the +Inf bucket holds every sample');
  assert.ok(m.get('samvei_bandwidth_estimate_kbps_bucket{le="100"}') <= m.get('samvei_bandwidth_estimate_kbps_bucket{le="3000"}'), 'cumulative buckets');
  assert.ok(count > 0, 'RELAY: estimates towards the subscribers of the call are sampled');
  assert.ok(m.get('samvei_bandwidth_estimate_kbps_sum') > 0);
  assert.ok(m.get('samvei_layer_switches_total') > 0, 'RELAY: (a) switched layers');
});

test('(d) layer and audio-only on a raw WebSocket: validation and errors', { timeout: 60000 }, async () => {
  const { room, a, b, idA, idB } = call;
  const raw = await rawClient();
  let r = await raw.request({ type: 'layer', participant: idA, max: 'low' });
  assert.equal(r.code, 'conflict', `layer before join: ${JSON.stringify(r)}`);
  r = await raw.request({ type: 'audio-only', on: true });
  assert.equal(r.code, 'conflict', 'audio-only before join');

  r = await raw.request({ type: 'join', room, name: 'Raw Socket' });
  assert.equal(r.type, 'ok', JSON.stringify(r));
  const rawId = r.self;
  assert.ok(r.participants.every((p) => p.audioOnly === false), 'the participant list carries audioOnly');

  r = await raw.request({ type: 'layer', participant: 'pnobody00000', max: 'low' });
  assert.equal(r.type, 'error');
  assert.equal(r.code, 'not-found', JSON.stringify(r));
  r = await raw.request({ type: 'layer', participant: idA, max: 'ultra' });
  assert.equal(r.code, 'bad-request');
  assert.match(r.message, /field 'max'/);
  r = await raw.request({ type: 'layer', participant: idA });
  assert.equal(r.code, 'bad-request');
  r = await raw.request({ type: 'layer', participant: '../etc', max: 'low' });
  assert.equal(r.code, 'bad-request');
  r = await raw.request({ type: 'layer', participant: rawId, max: 'low' });
  assert.equal(r.code, 'bad-request', 'nobody receives their own video');
  r = await raw.request({ type: 'layer', participant: idA, max: 'medium' });
  assert.equal(r.type, 'ok', JSON.stringify(r));
  r = await raw.request({ type: 'layer', participant: idA, max: 'auto' });
  assert.equal(r.type, 'ok');

  r = await raw.request({ type: 'audio-only' });
  assert.equal(r.code, 'bad-request');
  r = await raw.request({ type: 'audio-only', on: 'yes' });
  assert.equal(r.code, 'bad-request');

  /* Identity comes from the connection: a participant field is ignored. */
  r = await raw.request({ type: 'audio-only', on: true, participant: idA });
  assert.equal(r.type, 'ok', JSON.stringify(r));
  for (const p of [a, b]) {
    await waitFor(
      async () => (await inbox(p, 'participant-audio-only')).some((m) => m.participant === rawId && m.on === true),
      { timeoutMs: 10000, what: `${p.label} to hear that Raw Socket chose audio only` },
    );
    assert.ok(
      !(await inbox(p, 'participant-audio-only')).some((m) => m.participant === idA),
      'nobody can switch someone else',
    );
    await tile(p, rawId).locator('.tile-audio-only').waitFor({ state: 'visible', timeout: 10000 });
  }

  /* A late joiner learns it from the participant list. */
  const late = await rawClient();
  r = await late.request({ type: 'join', room, name: 'Late Socket' });
  assert.equal(r.type, 'ok');
  assert.equal(r.participants.find((p) => p.id === rawId)?.audioOnly, true, 'audioOnly in the join reply');
  assert.equal(r.participants.find((p) => p.id === idA)?.audioOnly, false);

  r = await raw.request({ type: 'audio-only', on: false });
  assert.equal(r.type, 'ok');
  await late.next((m) => m.type === 'participant-audio-only' && m.participant === rawId && m.on === false, 'audio only off, told');
  await tile(a, rawId).locator('.tile-audio-only').waitFor({ state: 'hidden', timeout: 10000 });

  for (const c of [raw, late]) {
    assert.equal((await c.request({ type: 'leave' })).type, 'ok');
    c.ws.close();
  }
  for (const p of [a, b]) await tile(p, rawId).waitFor({ state: 'detached', timeout: 10000 });
});

test('(b) "Audio only": the control, the note, the badge on the others\' tiles', { timeout: 60000 }, async () => {
  const { a, b, idA, idB } = call;
  const button = b.page.getByRole('button', { name: 'Audio only' });
  const box = await button.boundingBox();
  assert.ok(box.height >= 44 && box.width >= 44, `a large touch target (${box.width}x${box.height})`);
  await button.click();
  const back = b.page.getByRole('button', { name: 'Show video' });
  await back.waitFor({ timeout: 10000 });
  assert.equal(await back.getAttribute('aria-pressed'), null, 'its name changes, so it is no toggle button');
  await b.page.locator('#audio-only-note').waitFor({ state: 'visible' });
  await waitFor(async () => /Audio only is on/.test(await b.page.locator('#announcer').textContent()), {
    timeoutMs: 5000,
    intervalMs: 100,
    what: 'screen readers to be told (the live region)',
  });

  /* B's tiles say why there is no picture, in text and in their name. */
  const notice = tile(b, idA).locator('.tile-paused');
  await notice.waitFor({ state: 'visible', timeout: 10000 });
  assert.equal(await notice.innerText(), 'Audio only: video paused');
  assert.match(await tile(b, idA).getAttribute('aria-label'), /Video from Kari Nordmann\. Audio only: video paused/);
  assert.equal(await tile(b, idA).getAttribute('data-video'), 'off', 'no frozen picture');

  /* A sees the badge on B's tile, and it is in the tile's name. */
  const badge = tile(a, idB).locator('.tile-audio-only');
  await badge.waitFor({ state: 'visible', timeout: 10000 });
  assert.match(await badge.innerText(), /Audio only/);
  assert.match(await tile(a, idB).getAttribute('aria-label'), /Has chosen audio only/);
  await shot(b.page, 'adapt-audio-only-b.png');
  await shot(a.page, 'adapt-audio-only-a.png');
});

test('(b) "Audio only": no video packets reach the participant, audio goes on (RELAY)', { timeout: 60000 }, async () => {
  const { b, idA } = call;
  assert.equal((await b.page.evaluate(() => window.samvei.state())).audioOnly, true, 'the previous test turned it on');
  await waitFor(async () => (await b.page.evaluate(() => window.samvei.state().videoPaused)) === 'audio-only', {
    timeoutMs: 10000,
    what: 'RELAY: video-paused with reason audio-only for B',
  });
  /* What was on its way when the relay stopped has arrived: the count
   * stands still over half a second (never, if video keeps coming). */
  let prev = null;
  const s1 = await waitFor(async () => {
    const now = (await stats(b.page))[idA];
    const still = prev && now.videoPackets === prev.videoPackets;
    prev = now;
    return still ? now : false;
  }, { timeoutMs: 10000, intervalMs: 500, what: 'RELAY: video packets to B to stop' });
  await sleep(4000); /* the window over which nothing more may arrive */
  const s2 = (await stats(b.page))[idA];
  assert.equal(s2.videoPackets, s1.videoPackets, `RELAY: no video packets reach B (${s1.videoPackets} → ${s2.videoPackets})`);
  assert.ok(s2.audioPackets > s1.audioPackets + 50, `audio goes on (${s1.audioPackets} → ${s2.audioPackets})`);
  const m = await metrics();
  assert.ok(m.get('samvei_subscribers_video_paused') >= 1, `RELAY: /metrics counts B as paused (${m.get('samvei_subscribers_video_paused')})`);
});

test('(b) "Also stop my camera", then "Show video" brings everything back', { timeout: 90000 }, async () => {
  const { a, b, idA, idB } = call;
  if (!(await b.page.evaluate(() => window.samvei.state().audioOnly)))
    await b.page.getByRole('button', { name: 'Audio only' }).click();
  const box = b.page.getByLabel('Also stop my camera');
  await box.check();
  await waitFor(async () => !(await b.page.evaluate(() => window.samvei.state().cameraOn)), { timeoutMs: 10000, what: "B's camera off" });
  await waitFor(async () => (await tile(a, idB).getAttribute('data-video')) === 'off', {
    timeoutMs: 15000,
    what: "A's tile for B to show initials",
  });

  await b.page.getByRole('button', { name: 'Show video' }).click();
  await b.page.getByRole('button', { name: 'Audio only' }).waitFor({ timeout: 10000 });
  await b.page.locator('#audio-only-note').waitFor({ state: 'hidden' });
  await tile(a, idB).locator('.tile-audio-only').waitFor({ state: 'hidden', timeout: 10000 });
  assert.equal(await b.page.evaluate(() => window.samvei.state().cameraOn), true, 'the camera the note stopped is back');
  /* The audio-only notice goes at once; a bandwidth pause would be the
   * relay's (RELAY: none on loopback). */
  await waitFor(async () => (await tile(b, idA).getAttribute('data-paused')) !== 'audio-only', {
    timeoutMs: 5000,
    what: "B's tiles to drop the audio-only notice",
  });
  await waitFor(async () => !(await tile(b, idA).locator('.tile-paused').isVisible()), {
    timeoutMs: 15000,
    what: `RELAY: no paused notice on B's tile (video-paused: ${await b.page.evaluate(() => window.samvei.state().videoPaused)})`,
  });
  assert.doesNotMatch(await tile(b, idA).getAttribute('aria-label'), /paused/);
  /* RELAY: video flows to B again, and B's camera reaches A. */
  await Promise.all([waitForMediaFrom(b.page, [idA], 'B (RELAY: video again after audio only)'), waitForMediaFrom(a.page, [idB], 'A')]);
});

test('thumbnails: a small tile asks for the lowest layer, a large one for "auto"', { timeout: 90000 }, async () => {
  const { b, idA } = call;
  const wanted = () => b.page.evaluate((id) => window.samvei.adapt().wanted[id], idA);
  assert.equal(await wanted(), 'auto', 'a laptop-sized tile wants as much as the link carries');
  await b.page.setViewportSize({ width: 300, height: 480 });
  await waitFor(async () => (await wanted()) === 'low', { timeoutMs: 10000, what: "B's small tile to ask for the lowest layer" });
  /* The controls, the new button included, still fit (no sideways scrolling). */
  const overflow = await b.page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  assert.ok(overflow <= 0, `the call view fits a 300px window (${overflow}px too wide)`);
  await shot(b.page, 'adapt-small-window.png');
  /* RELAY: what reaches B is then the quarter-size layer. */
  await waitFor(
    async () => {
      const s = (await stats(b.page))[idA];
      return s.videoWidth > 0 && s.videoWidth <= 400;
    },
    { timeoutMs: 20000, what: "RELAY: B to receive A's lowest layer (about 320 wide)" },
  );
  await b.page.setViewportSize(VIEWPORTS.laptop);
  await waitFor(async () => (await wanted()) === 'auto', { timeoutMs: 10000, what: 'B to ask for "auto" again' });
  await waitFor(async () => (await stats(b.page))[idA].videoWidth >= 960, {
    timeoutMs: 30000,
    what: "RELAY: B to receive A's top layer again on loopback",
  });
});

test('unwatched layers are paused at the source (RELAY)', { timeout: 90000 }, async () => {
  /* B's page follows `layers`: with only A watching B on a big tile, the
   * relay names the layer(s) A gets; B's other encodings stop. */
  const { b } = call;
  await waitFor(async () => (await inbox(b, 'layers')).length > 0, {
    timeoutMs: 30000,
    what: 'RELAY: a layers message to B',
  });
  const last = async () => (await inbox(b, 'layers')).at(-1);
  await waitFor(
    async () => {
      const want = (await last()).active;
      const have = await b.page.evaluate(() => window.samvei.adapt().layers);
      return Object.entries(want).every(([rid, on]) => have[rid] === on) && Object.values(want).some(Boolean);
    },
    { timeoutMs: 10000, what: `B's encodings to follow the layers message (${JSON.stringify(await last())})` },
  );
  const { mid, active } = await last();
  assert.equal(typeof mid, 'string');
  assert.deepEqual(Object.keys(active).sort(), ['f', 'h', 'q']);
  const l1 = (await b.page.evaluate(() => window.samvei.link())).layers;
  await sleep(3000);
  const l2 = (await b.page.evaluate(() => window.samvei.link())).layers;
  for (const [rid, on] of Object.entries((await last()).active)) {
    if (on) assert.ok(l2[rid].bytesSent > l1[rid].bytesSent, `layer ${rid} is watched and sent`);
    else assert.equal(l2[rid].bytesSent, l1[rid].bytesSent, `layer ${rid} is watched by nobody and not sent`);
  }
});
