/*
 * ice-tcp.test.mjs — a call with UDP blocked: the media must connect over
 * ICE-TCP (the relay's passive TCP candidates on its --rtp-ports range).
 *
 * The test runs a samvei of its own on a port range of its own and adds an
 * nftables table that drops UDP to and from that range on loopback (the
 * browsers and the relay are both on 127.0.0.1), so only this test's media
 * is affected (datagrams from the range to the range, the relay's own
 * ICE-TCP bridge, pass); the table is deleted afterwards, also when the
 * test fails.
 * The drop rules count packets: the test checks UDP was tried and dropped,
 * and that every selected candidate pair is TCP.
 *
 * Skipped (with a message) without root or nft; `make test` installs
 * nftables (scripts/install-deps.sh test) and CI runs as root.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, waitForMediaFrom, roomName } from './lib.mjs';
import { startServer } from './server.mjs';
import { canBlock, joinRecorded, nftTable, settledPairs } from './transport.mjs';

const block = nftTable('samvei_e2e_udp_block');
/* A range of its own, away from the default 40000-40999 of other servers. */
const PORT_MIN = 47000 + (process.pid % 40) * 20;
const PORT_MAX = PORT_MIN + 19;

let browser, server;
const opened = [];

before(async () => {
  if (!canBlock) return;
  /* UDP between the range and anything outside it: the browsers' media.
   * The relay's ICE-TCP bridge talks to libnice from the range to the
   * range on loopback, and that passes. */
  const range = `${PORT_MIN}-${PORT_MAX}`;
  block.drop(`meta l4proto udp ip daddr 127.0.0.1 udp dport ${range} udp sport != ${range} counter drop
    meta l4proto udp ip saddr 127.0.0.1 udp sport ${range} udp dport != ${range} counter drop`);
  server = await startServer('ice-tcp', { args: ['--rtp-ports', `${PORT_MIN}-${PORT_MAX}`, '--ice-tcp'] });
  browser = await launchBrowser();
});

after(async () => {
  for (const p of opened) await p.context.close().catch(() => {});
  await browser?.close();
  await server?.stopCleanly();
  block.remove();
});

const join = (label, room, name) => joinRecorded(browser, opened, server.url, label, room, name);

test('UDP blocked: a two-party call connects over ICE-TCP', { skip: !canBlock && 'needs root and nft' }, async () => {
  const room = roomName('ice-tcp');
  const a = await join('ice-tcp-a', room, 'Kari');
  const b = await join('ice-tcp-b', room, 'Ola');
  await waitForMediaFrom(a.page, [b.id], 'ice-tcp-a');
  await waitForMediaFrom(b.page, [a.id], 'ice-tcp-b');
  for (const p of [a, b]) {
    const pairs = await settledPairs(p);
    for (const pair of pairs) assert.equal(pair.protocol, 'tcp', `${p.label}: ${JSON.stringify(pair)}`);
  }
  assert.ok(block.dropped() > 0, 'UDP towards the relay was tried and dropped');
});
