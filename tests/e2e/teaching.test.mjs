/*
 * teaching.test.mjs — group teaching through the real server: a booked
 * consultation of kind group-teaching, presenters and attendees, the hand
 * queue and the floor.
 *
 * Attendees are lightweight protocol clients (raw WebSockets speaking
 * samvei-v1), so a hundred of them fit on a 2-core machine; the presenter
 * is the web client in Chromium, publishing its fake camera and
 * microphone. Offers an attendee publishes come from a real
 * RTCPeerConnection in a Chromium page.
 *
 * - A hundred attendees each get a subscribe offer carrying the
 *   presenter's audio and video, the right attendee count, and never
 *   another attendee's name or id; one more than --max-teaching-size is
 *   refused with `room-full`. The server's memory (VmRSS, Pss) and CPU
 *   time with them in are logged, not asserted.
 * - An attendee's publish is `forbidden`; raised hands reach the host in
 *   order; give-floor lets the attendee publish (audio only: its video
 *   m-line is rejected) and another attendee gets its audio and its name;
 *   take-floor withdraws the tracks and its publish is `forbidden` again.
 *   Chat from an attendee reaches the presenters only; make-presenter and
 *   revoke-presenter show and hide a person to attendees.
 *
 * Each test starts a samvei of its own (server.mjs) with a token secret,
 * books with the REST API and its own API key.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { launchBrowser, newParticipant, waitFor } from './lib.mjs';
import { startServer } from './server.mjs';
import { bookTeaching } from './api.mjs';
import { protocolClient } from './wsclient.mjs';

const SECRET = 'e2e-teaching-secret-0123456789abcdef';

let browser;
const sockets = [];

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  for (const ws of sockets) ws.terminate();
  await browser?.close();
});

const book = (server) => bookTeaching(server, 'e2e teaching');

const client = (server, label) => protocolClient(server.wsUrl, label, sockets);

/* A real publish offer (Chromium's fake microphone and camera, sendonly),
 * made in a page of the server's origin (a secure context on loopback). */
async function makeOffer(page) {
  return page.evaluate(async () => {
    const pc = new RTCPeerConnection();
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    window.__pcs = [...(window.__pcs || []), pc];
    return pc.localDescription.sdp;
  });
}

/* The server's memory and CPU time from /proc (Linux). */
function usage(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] || 0);
  let pss = 0;
  try {
    pss = Number(/Pss:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] || 0);
  } catch {
    /* no smaps_rollup on this kernel */
  }
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const hz = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);
  const cpuS = (Number(fields[11]) + Number(fields[12])) / hz; /* utime + stime */
  return { rssKiB: rss, pssKiB: pss, cpuS };
}

function tracksFrom(offer, id) {
  return (offer?.tracks || []).filter((t) => t.participant === id).map((t) => t.kind).sort();
}

test('a hundred attendees: the presenter\'s tracks, the count, nobody else\'s name; one more is room-full', { timeout: 600000 }, async () => {
  const ATTENDEES = 100;
  const server = await startServer('teaching-100', {
    /* A hundred people from one address: above the default per-address cap. */
    args: ['--token-secret', SECRET, '--max-teaching-size', String(ATTENDEES + 1), '--max-conns-per-ip', '1000'],
  });
  const p = await newParticipant(browser, 'teaching-presenter');
  try {
    const { room, invite } = await book(server);
    const idle = usage(server.proc.pid);

    /* The presenter (a specialist of the host team) joins with the web client. */
    const hostToken = await invite('specialist', 'Dr. Foreleser');
    await p.page.goto(`${server.url}/?lang=en&room=${room}#token=${hostToken}`, { waitUntil: 'load' });
    await p.page.getByLabel('I have read this and want to join').check();
    await p.page.getByRole('button', { name: 'Join' }).click();
    await p.page.locator('#call').waitFor({ state: 'visible', timeout: 30000 });
    const presenterId = (await p.page.evaluate(() => window.samvei.self())).id;

    const names = Array.from({ length: ATTENDEES + 1 }, (_, i) => `Deltaker ${String(i + 1).padStart(3, '0')}`);
    const tokens = [];
    for (const name of names) tokens.push(await invite('municipal', name));

    /* A hundred attendees join, ten at a time. */
    const attendees = [];
    const started = Date.now();
    for (let i = 0; i < ATTENDEES; i += 10) {
      const batch = await Promise.all(
        names.slice(i, i + 10).map(async (name, k) => {
          const c = await client(server, name);
          const r = await c.join(room, tokens[i + k]);
          assert.equal(r.type, 'ok', `${name} joins: ${JSON.stringify(r)}`);
          assert.equal(r.role, 'municipal');
          assert.equal(r.presenter, false, `${name} is an attendee`);
          assert.equal(r.consultation?.kind, 'group-teaching');
          assert.deepEqual(r.participants.map((x) => x.id), [presenterId], `${name} is listed the presenter only`);
          assert.ok(r.attendees >= 1 && r.attendees <= ATTENDEES, `${name}: attendees ${r.attendees}`);
          c.self = r.self;
          return c;
        }),
      );
      attendees.push(...batch);
    }
    console.log(`# ${ATTENDEES} attendees joined in ${Date.now() - started} ms`);

    /* Every attendee gets the presenter's audio and video, and the count. */
    for (const c of attendees) {
      await waitFor(() => {
        const offer = c.latest('subscribe');
        return offer && tracksFrom(offer, presenterId).join(',') === 'audio,video';
      }, { timeoutMs: 60000, intervalMs: 50, what: `${c.label}: a subscribe offer with the presenter's audio and video` });
      const offer = c.latest('subscribe');
      assert.ok(offer.tracks.every((t) => t.participant === presenterId), `${c.label}: only the presenter's tracks`);
      assert.equal((offer.sdp.match(/^m=/gm) || []).length, offer.tracks.length, `${c.label}: no m-line for anyone else`);
      await waitFor(() => c.latest('attendee-count')?.attendees === ATTENDEES, {
        timeoutMs: 10000,
        intervalMs: 50,
        what: `${c.label}: attendee-count ${ATTENDEES}`,
      });
    }
    const joined = usage(server.proc.pid);

    /* One more than the room holds is refused, with its own code. */
    const extra = await client(server, names[ATTENDEES]);
    const full = await extra.join(room, tokens[ATTENDEES]);
    assert.equal(full.type, 'error');
    assert.equal(full.code, 'room-full', JSON.stringify(full));
    extra.close();

    /* No attendee ever got another attendee's name or id. */
    const ids = attendees.map((c) => c.self);
    for (const c of attendees) {
      const text = c.all.join('\n');
      for (const other of attendees) {
        if (other === c) continue;
        assert.ok(!text.includes(other.label), `${c.label} got ${other.label}'s name`);
        assert.ok(!text.includes(other.self), `${c.label} got ${other.label}'s id`);
      }
    }
    assert.equal(new Set(ids).size, ATTENDEES);

    /* Ten seconds of the presenter publishing to a full hall: a
     * measuring window, not a wait for anything. */
    const before10 = usage(server.proc.pid);
    await new Promise((done) => setTimeout(done, 10000));
    const after10 = usage(server.proc.pid);
    console.log(
      `# server with no room: VmRSS ${idle.rssKiB} KiB, Pss ${idle.pssKiB} KiB, CPU ${idle.cpuS.toFixed(2)} s\n` +
        `# with 1 presenter publishing and ${ATTENDEES} attendees joined: VmRSS ${joined.rssKiB} KiB, Pss ${joined.pssKiB} KiB, ` +
        `CPU ${joined.cpuS.toFixed(2)} s (joining took ${(joined.cpuS - idle.cpuS).toFixed(2)} s of CPU)\n` +
        `# per attendee: ~${Math.round((joined.rssKiB - idle.rssKiB) / ATTENDEES)} KiB RSS (sanitizer build; attendees do not answer their offers, so no media flows to them)\n` +
        `# over 10 s with all in: ${(((after10.cpuS - before10.cpuS) / 10) * 100).toFixed(1)} % of one core, VmRSS ${after10.rssKiB} KiB, Pss ${after10.pssKiB} KiB`,
    );
  } finally {
    await p.context.close().catch(() => {});
    for (const ws of sockets) ws.terminate();
    await server.stopCleanly();
  }
});

test('hands, the floor, presenters and chat with a room of five', { timeout: 180000 }, async () => {
  const server = await startServer('teaching-floor', { args: ['--token-secret', SECRET, '--max-teaching-size', '5'] });
  const page = await browser.newPage();
  try {
    await page.goto(`${server.url}/healthz`);
    const { room, invite } = await book(server);
    const host = await client(server, 'Dr. Vert');
    const hostJoin = await host.join(room, await invite('specialist', 'Dr. Vert'));
    assert.equal(hostJoin.type, 'ok', JSON.stringify(hostJoin));
    assert.equal(hostJoin.presenter, true);
    assert.equal(hostJoin.attendees, 0);
    await host.next((m) => m.type === 'hands' && m.queue.length === 0, 'the (empty) queue on joining');
    const [a, b, c, d] = await Promise.all(['Astrid', 'Bendik', 'Cathrine', 'Dag'].map((n) => client(server, n)));
    for (const x of [a, b, c, d]) {
      const r = await x.join(room, await invite('municipal', x.label));
      assert.equal(r.type, 'ok', JSON.stringify(r));
      x.self = r.self;
    }
    /* The sixth is one too many for --max-teaching-size 5. */
    const e = await client(server, 'Eirik');
    const full = await e.join(room, await invite('municipal', 'Eirik'));
    assert.equal(full.code, 'room-full', JSON.stringify(full));
    e.close();
    /* The host sees everyone; the count reaches everyone. */
    for (const x of [a, b, c, d])
      await host.next((m) => m.type === 'participant-joined' && m.participant.id === x.self, `${x.label} joined`);
    await waitFor(() => b.latest('attendee-count')?.attendees === 4, { timeoutMs: 5000, intervalMs: 20, what: 'count 4' });

    /* An attendee receives only. */
    const offer = await makeOffer(page);
    const refused = await a.request({ type: 'publish', sdp: offer });
    assert.equal(refused.type, 'error');
    assert.equal(refused.code, 'forbidden', JSON.stringify(refused));

    /* Hands go up; the host gets the queue in order. */
    const upA = await a.request({ type: 'raise-hand' });
    assert.equal(upA.position, 1);
    const upB = await b.request({ type: 'raise-hand' });
    assert.equal(upB.position, 2);
    const queue = await host.next((m) => m.type === 'hands' && m.queue.length === 2, 'the queue of two');
    assert.deepEqual(queue.queue.map((h) => h.name), ['Astrid', 'Bendik']);
    assert.equal(queue.floor, null);
    const notHost = await a.request({ type: 'give-floor', participant: a.self });
    assert.equal(notHost.code, 'forbidden');

    /* The floor to Astrid, audio only: she publishes, Bendik hears her. */
    const given = await host.request({ type: 'give-floor', participant: a.self, video: false });
    assert.equal(given.type, 'ok', JSON.stringify(given));
    const floor = await a.next((m) => m.type === 'floor', 'the floor');
    assert.equal(floor.granted, true);
    assert.equal(floor.video, false);
    const shown = await b.next((m) => m.type === 'participant-joined' && m.participant.id === a.self, 'the floor holder shown');
    assert.equal(shown.participant.id, a.self);
    assert.equal(shown.participant.name, 'Astrid');
    assert.equal(shown.participant.floor, true);
    const afterGive = await host.next((m) => m.type === 'hands' && m.floor, 'the queue with the floor');
    assert.deepEqual(afterGive.queue.map((h) => h.name), ['Bendik']);
    assert.equal(afterGive.floor.id, a.self);
    const accepted = await a.request({ type: 'publish', sdp: offer });
    assert.equal(accepted.type, 'ok', JSON.stringify(accepted));
    assert.match(accepted.sdp, /^m=audio [1-9]/m, 'the audio m-line is taken');
    assert.match(accepted.sdp, /^m=video 0 /m, 'the video m-line is rejected (audio only)');
    const heard = await b.next((m) => m.type === 'subscribe' && tracksFrom(m, a.self).length > 0, "Astrid's audio");
    assert.deepEqual(tracksFrom(heard, a.self), ['audio']);
    await host.next((m) => m.type === 'subscribe' && tracksFrom(m, a.self).length > 0, "the host gets Astrid's audio");

    /* Chat from an attendee goes to the presenters (and back), not to the others. */
    const said = await c.request({ type: 'chat', text: 'Et spørsmål' });
    assert.equal(said.type, 'ok', JSON.stringify(said));
    await host.next((m) => m.type === 'chat' && m.text === 'Et spørsmål', 'the host gets the chat');
    await c.next((m) => m.type === 'chat' && m.text === 'Et spørsmål', 'the sender gets it back');

    /* The floor back: the tracks go, a publish is forbidden again. */
    const taken = await host.request({ type: 'take-floor' });
    assert.equal(taken.type, 'ok', JSON.stringify(taken));
    const ended = await a.next((m) => m.type === 'floor', 'the floor taken');
    assert.equal(ended.granted, false);
    const gone = await b.next((m) => m.type === 'participant-left' && m.participant === a.self, 'the floor holder hidden again');
    assert.equal(gone.participant, a.self);
    assert.equal(gone.reason, 'floor-ended');
    const silent = await b.next((m) => m.type === 'subscribe' && tracksFrom(m, a.self).length === 0, "Astrid's tracks withdrawn");
    assert.ok(!silent.tracks.some((t) => t.participant === a.self));
    const again = await a.request({ type: 'publish', sdp: offer });
    assert.equal(again.code, 'forbidden', JSON.stringify(again));

    /* Lowering a hand takes it off the queue. */
    await b.request({ type: 'lower-hand' });
    await host.next((m) => m.type === 'hands' && m.queue.length === 0 && !m.floor, 'an empty queue');

    /* A presenter made by the host is shown to attendees, and hidden again. */
    const made = await host.request({ type: 'make-presenter', participant: c.self });
    assert.equal(made.type, 'ok', JSON.stringify(made));
    const role = await c.next((m) => m.type === 'presenter', 'Cathrine told she presents');
    assert.equal(role.on, true);
    assert.deepEqual(role.participants.map((x) => x.name).sort(), ['Astrid', 'Bendik', 'Dag', 'Dr. Vert']);
    const seen = await d.next((m) => m.type === 'participant-joined' && m.participant.id === c.self, 'Dag sees Cathrine');
    assert.equal(seen.participant.name, 'Cathrine');
    assert.equal(seen.participant.presenter, true);
    await waitFor(() => d.latest('attendee-count')?.attendees === 3, { timeoutMs: 5000, intervalMs: 20, what: 'count 3' });
    const revoked = await host.request({ type: 'revoke-presenter', participant: c.self });
    assert.equal(revoked.type, 'ok', JSON.stringify(revoked));
    const hidden = await d.next((m) => m.type === 'participant-left' && m.participant === c.self, 'Dag no longer sees Cathrine');
    assert.equal(hidden.reason, 'presenter-revoked');

    /* No attendee ever got the name of an attendee who had no floor and
     * was no presenter (Cathrine, once presenter, saw everyone). */
    for (const x of [a, b]) assert.ok(!x.all.join('\n').includes('Dag'), `${x.label} never got Dag's name`);
    assert.ok(!d.all.join('\n').includes('Bendik'), "Dag never got Bendik's name");

    /* Leaving with a raised hand clears the queue. */
    host.inbox.length = 0;
    await d.request({ type: 'raise-hand' });
    await host.next((m) => m.type === 'hands' && m.queue.map((h) => h.name).join() === 'Dag', "Dag's hand");
    d.close();
    await host.next((m) => m.type === 'hands' && m.queue.length === 0, 'the queue empty after Dag left');
  } finally {
    await page.close().catch(() => {});
    for (const ws of sockets) ws.terminate();
    await server.stopCleanly();
  }
});
