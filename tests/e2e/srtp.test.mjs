/*
 * srtp.test.mjs — which SRTP protection profile a browser call through
 * samvei ends up with. The relay offers AEAD_AES_128_GCM first and is the
 * DTLS server on both of a participant's PeerConnections (it answers the
 * publish offer with a=setup:passive and offers subscribe as actpass), so
 * its preference decides: both PeerConnections of both pages must report
 * GCM in getStats() (transport srtpCipher). Clients that offer only
 * AES-CM still call: samvei-peer's DTLS (GStreamer) does, in
 * tests/integration (peers, peer_browser).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, waitForMediaFrom, waitFor, roomName, BASE_URL } from './lib.mjs';
import { joinRecorded } from './transport.mjs';

const opened = [];
let browser;
after(async () => {
  for (const p of opened) await p.context.close().catch(() => {});
  await browser?.close();
});

function ciphers(page) {
  return page.evaluate(async () => {
    const out = [];
    for (const pc of window.__samveiPcs ?? []) {
      if (pc.connectionState !== 'connected') continue;
      const stats = await pc.getStats();
      /* Chromium says SRTP_AEAD_AES_128_GCM; the spec's name has no prefix. */
      for (const r of stats.values()) if (r.type === 'transport') out.push((r.srtpCipher ?? '').replace(/^SRTP_/, ''));
    }
    return out;
  });
}

test('a browser call is protected with AEAD_AES_128_GCM on both PeerConnections', async () => {
  browser = await launchBrowser();
  const room = roomName('srtp');
  const a = await joinRecorded(browser, opened, BASE_URL, 'srtp-a', room, 'Anne');
  const b = await joinRecorded(browser, opened, BASE_URL, 'srtp-b', room, 'Bjørn');
  await waitForMediaFrom(a.page, [b.id], 'A');
  await waitForMediaFrom(b.page, [a.id], 'B');
  for (const p of [a, b]) {
    const list = await waitFor(async () => {
      const c = await ciphers(p.page);
      return c.length >= 2 ? c : false;
    }, { timeoutMs: 10000, what: `${p.label}'s connected PeerConnections` });
    console.log(`${p.label}: ${list.join(', ')}`);
    assert.deepEqual(list, list.map(() => 'AEAD_AES_128_GCM'), `${p.label}'s SRTP ciphers`);
  }
});
