/*
 * peer_browser.mjs — the body of peer_browser.sh: a Chromium page (the web
 * client, served by samvei on 127.0.0.1) and a samvei-peer in one room.
 * Passes when the page's getStats shows video frames decoded from the peer
 * and the peer's JSON lines show at least 30 frames of SAMVEI_CODEC decoded
 * from the page, and its Opus decoded from the page's RED (stripped by the
 * relay, since webrtcbin does not take RED).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { launchBrowser, newParticipant, joinViaUi, waitFor, stats, roomName, WS_URL } from '../e2e/lib.mjs';

const codec = process.env.SAMVEI_CODEC;
const peerBin = process.env.SAMVEI_PEER;
const room = roomName(`pb-${codec}`);

function fail(msg) {
  console.error(`FAIL: ${msg}`);
  process.exitCode = 1;
}

const browser = await launchBrowser();
let peer;
try {
  const { page } = await newParticipant(browser, `peer-browser-${codec}`);
  const pageId = await joinViaUi(page, room, 'Browser');

  const lines = [];
  let peerId = null;
  peer = spawn(peerBin, ['--url', WS_URL, '--room', room, '--name', 'GstPeer', '--codec', codec,
    '--duration', '25', '--expect-peers', '1', '--min-frames', '30'],
  { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=0' } });
  const exited = new Promise((ok) => peer.on('exit', (code) => ok(code)));
  let stderr = '';
  peer.stderr.on('data', (d) => { stderr += d; });
  createInterface({ input: peer.stdout }).on('line', (line) => {
    lines.push(line);
    try {
      const ev = JSON.parse(line);
      if (ev.event === 'joined') peerId = ev.self;
    } catch { /* not JSON: kept for the failure message */ }
  });

  await waitFor(() => peerId, { timeoutMs: 20000, what: 'samvei-peer to join' });
  /* The page decodes the peer's video: framesDecoded grows past 30. */
  const seen = await waitFor(async () => {
    const s = await stats(page);
    return s[peerId]?.framesDecoded > 30 ? s[peerId] : false;
  }, { what: `the page to decode 30 ${codec} frames from samvei-peer` });
  console.log(`page decoded ${seen.framesDecoded} frames (width ${seen.videoWidth}) from samvei-peer`);

  /* samvei-peer publishes only `codec`, so the page decoded that codec. */
  const code = await exited;
  const final = lines.map((l) => { try { return JSON.parse(l); } catch { return null; } })
    .filter((e) => e?.event === 'stats' && e.final).pop();
  const video = final?.tracks?.find((t) => t.participant === pageId && t.kind === 'video');
  if (code !== 0) fail(`samvei-peer exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  if (!video) fail(`samvei-peer has no video track from the page; last line: ${lines.at(-1)}`);
  else if (video.codec !== codec) fail(`samvei-peer received ${video.codec}, not ${codec}`);
  else if (video.decoded < 30) fail(`samvei-peer decoded only ${video.decoded} frames from the page`);
  else console.log(`samvei-peer decoded ${video.decoded} ${video.codec} frames from the page`);
  /* Chromium sends redundant audio (RED) because the relay's answer lists
   * it first; webrtcbin did not take RED, so the relay strips each packet
   * to its primary Opus payload, which samvei-peer must decode. */
  const audio = final?.tracks?.find((t) => t.participant === pageId && t.kind === 'audio');
  const metrics = await fetch(`${process.env.SAMVEI_URL}/metrics`).then((r) => r.text());
  const stripped = Number(/^samvei_red_stripped_total (\d+)/m.exec(metrics)?.[1] ?? 0);
  if (!audio || audio.decoded < 200) fail(`samvei-peer decoded ${audio?.decoded ?? 0} Opus frames from the page, expected 200 or more (its tracks: ${JSON.stringify(final?.tracks)})`);
  else if (stripped < 200) fail(`the relay stripped ${stripped} RED packets to Opus for samvei-peer, expected 200 or more`);
  else console.log(`samvei-peer decoded ${audio.decoded} Opus frames; the relay stripped ${stripped} RED packets for it`);
} catch (err) {
  fail(err.message);
} finally {
  if (peer && peer.exitCode === null) peer.kill('SIGTERM');
  await browser.close();
}
