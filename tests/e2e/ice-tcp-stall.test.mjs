/*
 * ice-tcp-stall.test.mjs — a call over ICE-TCP survives strangers that
 * connect to the relay's TCP candidates and stall.
 *
 * UDP between the browsers and the relay's --rtp-ports range is dropped by
 * an nftables table of the test's own (as in ice-tcp.test.mjs), so the call
 * runs over ICE-TCP. Once both sides decode video, the test itself opens
 * TCP connections to every TCP candidate the relay gave the browsers and
 * sends an RFC 4571 length header promising 1500 bytes (0x05 0xDC) and
 * nothing more, keeping the connections open; a second set sends a frame
 * that is not STUN. Both sides must go on decoding video for 10 s, and
 * /metrics must show the stalled and garbage connections closed.
 *
 * Skipped (with a message) without root or nft.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { keepsDecoding, launchBrowser, metric, waitForMediaFrom, waitFor, stats, roomName } from './lib.mjs';
import { startServer } from './server.mjs';
import { canBlock, joinRecorded, nftTable, relayPorts, settledPairs } from './transport.mjs';

const block = nftTable('samvei_e2e_tcp_stall');
const PORT_MIN = 46000 + (process.pid % 40) * 20;
const PORT_MAX = PORT_MIN + 19;
const RANGE = `${PORT_MIN}-${PORT_MAX}`;

let browser, server;
const opened = [];
const sockets = [];

before(async () => {
  if (!canBlock) return;
  /* UDP between the range and anything outside it: the browsers' media.
   * The relay's own loopback datagrams (range to range) pass. */
  block.drop(`meta l4proto udp ip daddr 127.0.0.1 udp dport ${RANGE} udp sport != ${RANGE} counter drop
    meta l4proto udp ip saddr 127.0.0.1 udp sport ${RANGE} udp dport != ${RANGE} counter drop`);
  server = await startServer('ice-tcp-stall', { args: ['--rtp-ports', RANGE, '--ice-tcp'] });
  browser = await launchBrowser();
});

after(async () => {
  for (const s of sockets) s.destroy();
  for (const p of opened) await p.context.close().catch(() => {});
  await browser?.close();
  await server?.stopCleanly();
  block.remove();
});

const join = (label, room, name) => joinRecorded(browser, opened, server.url, label, room, name);

/* Opens a connection to port and writes bytes; resolves once they are sent. */
function strangerConnection(port, bytes) {
  return new Promise((ok, fail) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => s.write(Buffer.from(bytes), () => ok(s)));
    s.on('error', () => {}); /* the relay closes it: expected */
    s.once('error', fail);
    sockets.push(s);
  });
}

test('stalled and garbage TCP connections to the relay do not freeze an ICE-TCP call', { skip: !canBlock && 'needs root and nft' }, async () => {
  const room = roomName('tcp-stall');
  const a = await join('tcp-stall-a', room, 'Kari');
  const b = await join('tcp-stall-b', room, 'Ola');
  await waitForMediaFrom(a.page, [b.id], 'tcp-stall-a');
  await waitForMediaFrom(b.page, [a.id], 'tcp-stall-b');
  for (const p of [a, b]) {
    for (const pair of await settledPairs(p)) assert.equal(pair.protocol, 'tcp', `${p.label}: ${JSON.stringify(pair)}`);
  }
  /* A call past its start-up (bandwidth ramp, first keyframes). */
  for (const [p, from] of [[a, b.id], [b, a.id]]) {
    await waitFor(async () => ((await stats(p.page))[from]?.framesDecoded ?? 0) >= 60, {
      what: `${p.label} to decode 60 frames`,
    });
  }
  const ports = [...new Set([...(await relayPorts(a.page, 'tcp')), ...(await relayPorts(b.page, 'tcp'))])];
  assert.ok(ports.length >= 2, `the relay offered TCP candidates: ${ports}`);
  const closedBefore = await metric(server.url, 'samvei_ice_tcp_closed_total');

  /* Two stalled headers on every relay TCP port, and one garbage frame. */
  for (const port of ports) {
    await strangerConnection(port, [0x05, 0xdc]);
    await strangerConnection(port, [0x05, 0xdc]);
    await strangerConnection(port, [0x00, 0x04, 0xde, 0xad, 0xbe, 0xef]);
  }

  await Promise.all([
    keepsDecoding(a.page, b.id, 10000, 'tcp-stall-a'),
    keepsDecoding(b.page, a.id, 10000, 'tcp-stall-b'),
  ]);

  /* The garbage ones at once, the stalled ones after the relay's 5 s. */
  await waitFor(async () => (await metric(server.url, 'samvei_ice_tcp_closed_total')) - closedBefore >= ports.length * 3, {
    timeoutMs: 10000,
    what: `samvei_ice_tcp_closed_total to count ${ports.length * 3} closed connections`,
  });
  assert.ok(block.dropped() > 0, 'UDP towards the relay was tried and dropped');
});
