/*
 * stranger-media.test.mjs — media sent to the relay's ports from an
 * address that is not the client's is dropped by the kernel before the
 * relay reads it (relay/pathguard.h), and the call goes on.
 *
 * Two browsers call through the relay on loopback. Once both decode
 * video, the test itself sends, from a UDP socket of its own, datagrams
 * that look like SRTP, SRTCP and DTLS to every port the relay's
 * candidates gave the browsers. libnice would drop them after reading
 * them (its own check of the source against its valid pairs), without a
 * trace; the socket filter drops them in the kernel, before the relay
 * wakes. /metrics counts them as dropped by the kernel, none of them
 * reaches the relay's SRTP check (`malformed` does not move), and both
 * sides go on decoding video.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { keepsDecoding, launchBrowser, metric, roomName, stats, waitFor, waitForMediaFrom } from './lib.mjs';
import { startServer } from './server.mjs';
import { joinRecorded, relayPorts } from './transport.mjs';

const KERNEL = 'samvei_dropped_packets_total{reason="kernel"}';
const MALFORMED = 'samvei_dropped_packets_total{reason="malformed"}';

let browser, server;
const opened = [];

before(async () => {
  server = await startServer('stranger-media');
  browser = await launchBrowser();
});

after(async () => {
  for (const p of opened) await p.context.close().catch(() => {});
  await browser?.close();
  await server?.stopCleanly();
});

/* Datagrams shaped like SRTP (RTP version 2, dynamic payload type), SRTCP
 * (a sender report) and DTLS (a handshake record), random after the
 * header: what a stranger who learnt a port would try. */
function forged(kind, i) {
  const b = Buffer.alloc(kind === 'rtp' ? 1100 : 120);
  for (let k = 0; k < b.length; k++) b[k] = (Math.random() * 256) | 0;
  if (kind === 'rtp') b.set([0x80, 0x60, (i >> 8) & 0xff, i & 0xff]);
  if (kind === 'rtcp') b.set([0x80, 0xc8, 0x00, 0x06]);
  if (kind === 'dtls') b.set([0x16, 0xfe, 0xfd, 0x00, 0x00]);
  return b;
}

test('media from a stranger is dropped before the relay reads it; the call goes on', async () => {
  const room = roomName('stranger');
  const a = await joinRecorded(browser, opened, server.url, 'stranger-a', room, 'Kari');
  const b = await joinRecorded(browser, opened, server.url, 'stranger-b', room, 'Ola');
  await waitForMediaFrom(a.page, [b.id], 'stranger-a');
  await waitForMediaFrom(b.page, [a.id], 'stranger-b');
  for (const [p, from] of [[a, b.id], [b, a.id]]) {
    await waitFor(async () => ((await stats(p.page))[from]?.framesDecoded ?? 0) >= 60, {
      what: `${p.label} to decode 60 frames`,
    });
  }
  const ports = [...new Set([...(await relayPorts(a.page, 'udp')), ...(await relayPorts(b.page, 'udp'))])];
  assert.ok(ports.length >= 4, `the relay's UDP candidates, two PeerConnections each: ${ports}`);
  const kernelBefore = await metric(server.url, KERNEL);
  const malformedBefore = await metric(server.url, MALFORMED);

  const sock = dgram.createSocket('udp4');
  await new Promise((ok) => sock.bind(0, '127.0.0.1', ok));
  let sent = 0;
  for (const port of ports) {
    for (let i = 0; i < 60; i++) {
      for (const kind of ['rtp', 'rtcp', 'dtls']) {
        await new Promise((ok, fail) => sock.send(forged(kind, i), port, '127.0.0.1', (e) => (e ? fail(e) : ok())));
        sent++;
      }
    }
  }
  sock.close();

  await Promise.all([
    keepsDecoding(a.page, b.id, 5000, 'stranger-a'),
    keepsDecoding(b.page, a.id, 5000, 'stranger-b'),
  ]);
  /* The relay adds the kernel's drop counts up once a second. */
  const kernel = await waitFor(
    async () => {
      const d = (await metric(server.url, KERNEL)) - kernelBefore;
      return d >= sent ? d : false;
    },
    { timeoutMs: 10000, what: `${KERNEL} to count the ${sent} forged datagrams` },
  );
  const malformed = (await metric(server.url, MALFORMED)) - malformedBefore;
  assert.ok(malformed < sent / 10, `the relay did not read the forged datagrams: malformed +${malformed} of ${sent} (kernel +${kernel})`);
});
