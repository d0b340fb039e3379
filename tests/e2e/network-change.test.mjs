/*
 * network-change.test.mjs — the media path breaks under a participant and
 * the client repairs it by itself.
 *
 * Two people are in a call on a samvei of the test's own (UDP only, a port
 * range of its own, 400 ports wide).
 *
 * First, as when a tablet moves to another network: every local UDP port
 * of A's browser stops working (an nftables rule drops what it sends and
 * what is sent to it), and the browser says it is online again. A's client
 * must restart ICE on the PeerConnections it has: the same participant and
 * the same PeerConnections (new ICE credentials, new local ports), and
 * video flows both ways again.
 *
 * Then the cases ICE restart cannot repair: an nftables rule drops the UDP
 * of A's current PeerConnections (the relay's ports of A's selected
 * candidate pairs), as when a tablet leaves one network: A's
 * PeerConnections go "disconnected".
 * The browser then reports it is online again (the `online` event, as
 * after a Wi-Fi → 4G switch). A's client must rejoin on its own, with new
 * PeerConnections on new ports, and both sides decode video again; the
 * rule stays in place throughout, so the old path never comes back. A
 * second test sends no event at all: a PeerConnection disconnected for 5 s
 * is reason enough to rejoin.
 *
 * Last, only the way towards the relay breaks: what A's browser sends to
 * the relay's ports is dropped, what comes back still arrives. The browser
 * goes on calling its PeerConnections connected (it still receives) until
 * its consent checks run out after 30 s; the relay, which keeps sending
 * and hears nothing, tells the client (`pc-state` `stalled`) after 5 s,
 * and the client restarts ICE on new local ports: the same participant,
 * and B decodes A's video again.
 *
 * Skipped without root or nft; the nftables table is deleted afterwards.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join as joinPath } from 'node:path';
import { ARTIFACTS, launchBrowser, waitFor, waitForMediaFrom, roomName } from './lib.mjs';
import { startServer } from './server.mjs';
import { canBlock, joinRecorded, nftTable, selectedPairs } from './transport.mjs';

const block = nftTable('samvei_e2e_netchange');
const PORT_MIN = 50000 + (process.pid % 10) * 400;
const PORT_MAX = PORT_MIN + 399;

let browser, server;
const opened = [];

/* Drops UDP to and from the relay's `ports` (relay: true), or from and to
 * the browser's own `ports` (relay: false). */
function blockPorts(ports, { relay = true } = {}) {
  const set = [...new Set(ports)].join(', ');
  const rules = relay
    ? `meta l4proto udp ip daddr 127.0.0.1 udp dport { ${set} } counter drop
    meta l4proto udp ip saddr 127.0.0.1 udp sport { ${set} } counter drop`
    : `meta l4proto udp udp sport { ${set} } counter drop
    meta l4proto udp udp dport { ${set} } counter drop`;
  block.drop(rules);
}

/* The UDP ports of every local candidate of the page's PeerConnections. */
function browserPorts(page) {
  return page.evaluate(async () => {
    const ports = [];
    for (const pc of window.__samveiPcs ?? []) {
      if (pc.connectionState === 'closed') continue;
      for (const r of (await pc.getStats()).values())
        if (r.type === 'local-candidate' && r.protocol === 'udp' && r.port) ports.push(r.port);
    }
    return ports;
  });
}

/* The ice-ufrag of each open PeerConnection's remote description. */
function remoteUfrags(page) {
  return page.evaluate(() =>
    (window.__samveiPcs ?? [])
      .filter((pc) => pc.connectionState !== 'closed')
      .map((pc) => /a=ice-ufrag:(\S+)/.exec(pc.remoteDescription?.sdp ?? '')?.[1] ?? ''),
  );
}

before(async () => {
  if (!canBlock) return;
  server = await startServer('netchange', {
    args: ['--rtp-ports', `${PORT_MIN}-${PORT_MAX}`, '--no-ice-tcp'],
  });
  browser = await launchBrowser();
});

after(async () => {
  for (const p of opened) await p.context.close().catch(() => {});
  await browser?.close();
  await server?.stopCleanly();
  block.remove();
});

const join = (label, room, name) => joinRecorded(browser, opened, server.url, label, room, name);

const selfId = (p) => p.page.evaluate(() => window.samvei.self()?.id);

/* Two new participants in a room of their own, each decoding the other. */
async function callOfTwo(label) {
  const room = roomName(label);
  const a = await join(`${label}-a`, room, 'Kari');
  const b = await join(`${label}-b`, room, 'Ola');
  const idA = await selfId(a);
  const idB = await selfId(b);
  await waitForMediaFrom(a.page, [idB], `${label}-a`);
  await waitForMediaFrom(b.page, [idA], `${label}-b`);
  return { a, b, idA, idB };
}

/* Waits until p's client sees one of its PeerConnections no longer
 * connected, or has already restarted ICE because the relay said it hears
 * nothing (`pc-state` `stalled`, often before the browser notices). */
function noticeBroken(p) {
  return waitFor(
    async () => {
      const { pc, iceRestarts } = await p.page.evaluate(() => window.samvei.state());
      return iceRestarts > 0 || (pc && (pc.publish !== 'connected' || pc.subscribe !== 'connected'));
    },
    { timeoutMs: 30000, intervalMs: 250, what: `${p.label}'s PeerConnections to notice the broken path` },
  );
}

/* A call between two new participants; then A's current UDP paths are
 * dropped and `nudge` runs (or not); A must rejoin by itself within
 * rejoinMs and video must flow both ways again on new paths. */
async function breakAndRecover(label, { nudge, rejoinMs }) {
  const { a, b, idA } = await callOfTwo(label);

  const pairs = (await selectedPairs(a.page)).filter(Boolean);
  assert.ok(pairs.length >= 2, 'A has a publish and a subscribe path');
  /* The relay's ports: blocking the browser's would not do, as the browser
   * switches to a pair from another of its interfaces. The range is wide
   * so that the rejoin rarely gets a blocked (freed) port again; if it
   * does, the client's next repair comes 10 s later. */
  blockPorts(pairs.map((p) => p.remotePort));
  try {
    await noticeBroken(a);
    if (nudge) await a.page.evaluate(nudge);

    await waitFor(async () => (await selfId(a)) !== idA, {
      timeoutMs: rejoinMs,
      what: 'A to rejoin by itself (a new participant id)',
    });
    const newA = await selfId(a);
    await waitForMediaFrom(a.page, [await selfId(b)], `${label}-a`);
    await waitForMediaFrom(b.page, [newA], `${label}-b`);
    const now = (await selectedPairs(a.page)).filter(Boolean);
    for (const p of now)
      assert.ok(!pairs.some((old) => old.remotePort === p.remotePort), 'new paths, not the blocked ones');
  } finally {
    block.remove();
    for (const p of [a, b]) await p.context.close().catch(() => {});
  }
}

test('network change under a participant: ICE restarts on the same PeerConnections and video flows again', { skip: !canBlock && 'needs root and nft' }, async () => {
  const label = 'icerestart';
  const { a, b, idA, idB } = await callOfTwo(label);
  const ufrags = await remoteUfrags(a.page);
  assert.equal(ufrags.length, 2, 'A has a publish and a subscribe PeerConnection');
  const ports = await browserPorts(a.page);
  assert.ok(ports.length >= 2, 'A has local candidates');
  /* A's browser loses every address it had: nothing it sent from its old
   * ports arrives any more, as after leaving a Wi-Fi network. */
  blockPorts(ports, { relay: false });
  try {
    await noticeBroken(a);
    await a.page.evaluate(() => window.dispatchEvent(new Event('online')));
    await waitFor(async () => (await a.page.evaluate(() => window.samvei.state().iceRestarts)) > 0, {
      timeoutMs: 10000,
      what: 'A to restart ICE',
    });
    await waitFor(
      async () => {
        const pc = await a.page.evaluate(() => window.samvei.state().pc);
        return pc?.publish === 'connected' && pc?.subscribe === 'connected';
      },
      { timeoutMs: 15000, intervalMs: 250, what: "A's PeerConnections to connect again" },
    );
    /* Fresh decoding on both sides, after the break. */
    await waitForMediaFrom(a.page, [idB], `${label}-a-after`);
    await waitForMediaFrom(b.page, [idA], `${label}-b-after`);
    assert.equal(await selfId(a), idA, 'A is still the same participant: no rejoin');
    const now = await remoteUfrags(a.page);
    assert.equal(now.length, 2, 'still the same two PeerConnections');
    assert.notEqual(now[0], ufrags[0], 'the relay answered with new ICE credentials (publish)');
    assert.notEqual(now[1], ufrags[1], 'the relay offered new ICE credentials (subscribe)');
    const newPorts = await browserPorts(a.page);
    assert.ok(
      newPorts.some((p) => !ports.includes(p)),
      'the browser gathered new local ports',
    );
    const log = server.output();
    assert.match(log, /restarted ICE on its publish connection/);
    assert.match(log, /asked for an ICE restart of its subscribe connection/);
  } finally {
    block.remove();
    for (const p of [a, b]) await p.context.close().catch(() => {});
  }
});

test('media path broken, network back: the client rejoins and video flows again', { skip: !canBlock && 'needs root and nft' }, async () => {
  /* As after a Wi-Fi → 4G switch: the browser says it is online again. */
  await breakAndRecover('netchange', {
    nudge: () => window.dispatchEvent(new Event('online')),
    rejoinMs: 15000,
  });
});

test('media path stuck without any network event: the client rejoins by itself', { skip: !canBlock && 'needs root and nft' }, async () => {
  /* Only the PeerConnections' own state tells: "disconnected" for 5 s. */
  /* First an ICE restart (on the same, still blocked relay ports), then,
   * with the path still stuck, the rejoin. */
  await breakAndRecover('stuck', { nudge: null, rejoinMs: 30000 });
});

test('only the way towards the relay breaks: the relay says so and the client restarts ICE', { skip: !canBlock && 'needs root and nft' }, async () => {
  const label = 'oneway';
  const { a, b, idA, idB } = await callOfTwo(label);
  const ports = [...new Set(await browserPorts(a.page))].join(', ');
  /* What A sends to the relay is lost; what the relay sends A arrives. */
  block.drop(`meta l4proto udp ip daddr 127.0.0.1 udp sport { ${ports} } udp dport ${PORT_MIN}-${PORT_MAX} counter drop`);
  try {
    await waitFor(async () => (await a.page.evaluate(() => window.samvei.state().iceRestarts)) > 0, {
      timeoutMs: 25000,
      what: 'A to restart ICE',
    });
    /* Because the relay said so, not because A's browser noticed. */
    const consoleLog = readFileSync(joinPath(ARTIFACTS, `${label}-a.console.log`), 'utf8');
    assert.match(consoleLog, /media path broken \(the relay hears nothing on the (publish|subscribe) connection\)/);
    assert.match(server.output(), /asking it to restart ICE/);
    await waitForMediaFrom(b.page, [idA], `${label}-b-after`);
    await waitForMediaFrom(a.page, [idB], `${label}-a-after`);
    assert.equal(await selfId(a), idA, 'A is still the same participant: no rejoin');
    assert.ok(block.dropped() > 0, "A's packets towards the relay were dropped");
  } finally {
    block.remove();
    for (const p of [a, b]) await p.context.close().catch(() => {});
  }
});
