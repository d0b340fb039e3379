/*
 * quality.mjs — what a receiver actually got, read from getStats() of the
 * page's RTCPeerConnections (recorded by transport.mjs's
 * recordPeerConnections, or put in window.__samveiPcs by a test page): the
 * frame rate decoded, freezes, the resolution of the frames, packet loss
 * and audio concealment, over a window of real time.
 *
 *   const s = startSampler(page, { participant: id }, { intervalMs: 250 });
 *   ... s.mark('cap') ...
 *   const samples = await s.stop();
 *   summarize(samples, { from: t0, to: t1 })   // one plain object
 *   await measure(page, 30, { select })          // the same in one call
 *
 * `select` picks the inbound streams: { participant: id } takes those that
 * play in that participant's tile of the samvei client (its <video>'s
 * tracks, looked up at every sample, so a rejoin or renegotiation is
 * followed); {} takes every inbound stream of the page (the newest of each
 * kind), as on a page with one PeerConnection.
 *
 * Counters are summed sample to sample for the same stream (same stats id),
 * so a stream that is replaced during the window is counted from where it
 * starts rather than giving a negative or doubled delta.
 */
import { sleep, waitFor } from './lib.mjs';

/* Runs in the page: one sample. */
async function pageSnapshot(select) {
  const pcs = (window.__samveiPcs ?? []).filter((pc) => pc.connectionState !== 'closed');
  let trackIds = null;
  if (select?.participant) {
    const video = document.querySelector(`figure.tile[data-participant="${CSS.escape(select.participant)}"] video`);
    trackIds = video?.srcObject ? video.srcObject.getTracks().map((t) => t.id) : [];
  }
  const VIDEO = ['framesDecoded', 'framesReceived', 'framesDropped', 'keyFramesDecoded', 'frameWidth', 'frameHeight',
    'framesPerSecond', 'freezeCount', 'totalFreezesDuration', 'pauseCount', 'totalPausesDuration', 'packetsLost',
    'packetsReceived', 'bytesReceived', 'nackCount', 'pliCount', 'firCount', 'retransmittedPacketsReceived',
    'jitter', 'lastPacketReceivedTimestamp', 'ssrc', 'decoderImplementation'];
  const AUDIO = ['concealedSamples', 'silentConcealedSamples', 'totalSamplesReceived', 'concealmentEvents',
    'packetsLost', 'packetsReceived', 'bytesReceived', 'jitter', 'lastPacketReceivedTimestamp', 'ssrc'];
  const out = { t: 0, video: null, audio: null, pair: null, self: window.samvei?.self?.()?.id ?? null };
  for (const pc of pcs) {
    const report = await pc.getStats();
    for (const r of report.values()) {
      if (r.type !== 'inbound-rtp' || (r.kind !== 'video' && r.kind !== 'audio')) continue;
      if (trackIds && !trackIds.includes(r.trackIdentifier)) continue;
      const cur = out[r.kind];
      if (cur && (cur.lastPacketReceivedTimestamp ?? 0) >= (r.lastPacketReceivedTimestamp ?? 0)) continue;
      const e = { id: r.id };
      for (const k of r.kind === 'video' ? VIDEO : AUDIO) if (r[k] !== undefined) e[k] = r[k];
      e.codec = report.get(r.codecId)?.mimeType;
      out[r.kind] = e;
      if (r.kind === 'video') {
        const transport = report.get(r.transportId);
        const pair = transport && report.get(transport.selectedCandidatePairId);
        const local = pair && report.get(pair.localCandidateId);
        const remote = pair && report.get(pair.remoteCandidateId);
        out.pair = pair
          ? {
              protocol: local?.protocol,
              local: `${local?.address}:${local?.port}`,
              remote: `${remote?.address}:${remote?.port}`,
              rtt: pair.currentRoundTripTime,
            }
          : null;
      }
    }
  }
  out.t = Date.now();
  return out;
}

/* One sample of the page's inbound streams (see the file comment). */
export function snapshot(page, select = {}) {
  return page.evaluate(pageSnapshot, select);
}

/* Every outbound video stream of the page (a publisher's simulcast layers
 * are one each): rid, resolution, bytes and frames sent, whether active,
 * and the repair it did: NACKs and PLIs it got, packets it retransmitted. */
export function outboundVideo(page) {
  return page.evaluate(async () => {
    const out = [];
    for (const pc of window.__samveiPcs ?? []) {
      if (pc.connectionState === 'closed') continue;
      for (const r of (await pc.getStats()).values()) {
        if (r.type !== 'outbound-rtp' || r.kind !== 'video') continue;
        out.push({
          id: r.id,
          rid: r.rid ?? null,
          ssrc: r.ssrc,
          active: r.active ?? null,
          frameWidth: r.frameWidth ?? 0,
          frameHeight: r.frameHeight ?? 0,
          framesEncoded: r.framesEncoded ?? 0,
          framesPerSecond: r.framesPerSecond ?? 0,
          bytesSent: r.bytesSent ?? 0,
          targetBitrate: r.targetBitrate ?? null,
          qualityLimitationReason: r.qualityLimitationReason ?? null,
          encoderImplementation: r.encoderImplementation ?? null,
          scalabilityMode: r.scalabilityMode ?? null,
          packetsSent: r.packetsSent ?? 0,
          retransmittedPacketsSent: r.retransmittedPacketsSent ?? 0,
          nackCount: r.nackCount ?? 0,
          pliCount: r.pliCount ?? 0,
        });
      }
    }
    return out;
  });
}

/* The publisher's top layer: rid "f" if there is one, else the encoding
 * sending the widest frames (a single-layer publisher: its only one). */
export function topLayer(outbound) {
  if (!outbound.length) return null;
  const f = outbound.find((o) => o.rid === 'f');
  if (f) return f;
  return [...outbound].sort((a, b) => b.frameWidth - a.frameWidth || b.bytesSent - a.bytesSent)[0];
}

/* Samples the page every intervalMs until stop(); mark(name) notes a moment
 * (an event of the test) on the same clock as the samples. */
export function startSampler(page, select = {}, { intervalMs = 1000 } = {}) {
  const samples = [];
  const marks = {};
  let stopped = false;
  let error = null;
  const loop = (async () => {
    let next = Date.now();
    while (!stopped) {
      try {
        samples.push(await snapshot(page, select));
      } catch (err) {
        error = err;
        break;
      }
      next += intervalMs;
      const wait = next - Date.now();
      if (wait > 0) await sleep(wait);
      else next = Date.now();
    }
  })();
  return {
    samples,
    marks,
    mark(name) {
      marks[name] = Date.now();
      return marks[name];
    },
    /* Ends sampling (after one last sample) and returns the samples; throws
     * if the page could not be read. */
    async stop() {
      stopped = true;
      await loop;
      if (error && samples.length < 2) throw error;
      if (!error) samples.push(await snapshot(page, select));
      return samples;
    },
  };
}

function increments(samples, kind, field) {
  const out = [0];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1][kind];
    const b = samples[i][kind];
    if (!b || b[field] === undefined) out.push(0);
    else if (a && a.id === b.id) out.push((b[field] ?? 0) - (a[field] ?? 0));
    else out.push(b[field]); /* a new stream: all of it is new */
  }
  return out;
}

const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const round = (x, digits = 2) => (x == null || Number.isNaN(x) ? null : Math.round(x * 10 ** digits) / 10 ** digits);

/* One plain object describing samples[from..to] (times in ms since the
 * epoch, default: all of them): video frame rate; freezes: totalFreezeS is
 * getStats's totalFreezesDuration over the window (statsFreezeS) plus a
 * freeze still going on at its end (openFreezeS: no frame decoded since
 * that sample, a lower bound), maxFreezeS the longest single one of those,
 * longestStallS the longest run of samples without a newly decoded frame (a
 * lower bound, at the sampling interval's resolution); frame widths (of
 * samples with a decoded frame), loss, bitrate; audio concealment; and a
 * timeline of one entry per sample. */
export function summarize(allSamples, { from = -Infinity, to = Infinity } = {}) {
  const s = allSamples.filter((x) => x.t >= from && x.t <= to);
  if (s.length < 2) return { error: 'fewer than two samples', samples: s.length };
  const t0 = s[0].t;
  const durationS = (s.at(-1).t - t0) / 1000;
  const frames = increments(s, 'video', 'framesDecoded');
  const freezeCount = increments(s, 'video', 'freezeCount');
  const freezeDur = increments(s, 'video', 'totalFreezesDuration');
  const bytes = increments(s, 'video', 'bytesReceived');
  const lost = increments(s, 'video', 'packetsLost');
  const received = increments(s, 'video', 'packetsReceived');
  const concealed = increments(s, 'audio', 'concealedSamples');
  const samplesRx = increments(s, 'audio', 'totalSamplesReceived');
  const audioLost = increments(s, 'audio', 'packetsLost');
  const audioRx = increments(s, 'audio', 'packetsReceived');

  let statsMaxFreezeS = 0;
  for (let i = 1; i < s.length; i++)
    if (freezeCount[i] > 0) statsMaxFreezeS = Math.max(statsMaxFreezeS, freezeDur[i] / freezeCount[i]);
  let lastProgress = t0;
  let longestStallMs = 0;
  for (let i = 1; i < s.length; i++) {
    if (frames[i] > 0) {
      /* The frame came after s[i-1]: the gap lasted at least until then. */
      longestStallMs = Math.max(longestStallMs, s[i - 1].t - lastProgress);
      lastProgress = s[i].t;
    }
  }
  /* getStats counts a freeze only when the next frame ends it: a picture
   * still frozen at the end of the window (or frozen all along) is not in
   * totalFreezesDuration. The run without frames up to the last sample is
   * (at least) that freeze. */
  const stallAtEndMs = s.at(-1).t - lastProgress;
  longestStallMs = Math.max(longestStallMs, stallAtEndMs);
  /* As getStats would count it when it ends: longer than three frame
   * intervals and than one plus 150 ms (at the window's mean frame rate). */
  const framesInWindow = sum(frames);
  const meanFrameMs = framesInWindow > 0 ? (s.at(-1).t - t0) / framesInWindow : 0;
  const openStallMs =
    framesInWindow === 0 || stallAtEndMs > Math.max(3 * meanFrameMs, meanFrameMs + 150) ? stallAtEndMs : 0;
  const statsFreezeS = sum(freezeDur);

  /* Widths of frames decoded in the window: a frozen picture's old width
   * is not what the link carries now. */
  const decoding = s.filter((x, i) => frames[i] > 0 && x.video?.frameWidth > 0);
  const widths = decoding.map((x) => x.video.frameWidth);
  const last = s.at(-1);
  const totalFrames = framesInWindow;
  /* packetsLost falls when late or retransmitted packets fill a gap of
   * an earlier window: none lost here then. */
  const totalLost = Math.max(0, sum(lost));
  const totalRx = sum(received);
  const audioSamples = sum(samplesRx);
  const timeline = s.map((x, i) => ({
    t: round((x.t - t0) / 1000, 2),
    frames: frames[i],
    width: x.video?.frameWidth ?? 0,
    height: x.video?.frameHeight ?? 0,
    kbps: i ? round((bytes[i] * 8) / (x.t - s[i - 1].t), 0) : 0,
    lost: lost[i],
    freezes: freezeCount[i],
  }));
  return {
    durationS: round(durationS, 1),
    samples: s.length,
    video: {
      fps: round(totalFrames / durationS, 1),
      framesDecoded: totalFrames,
      freezeCount: sum(freezeCount) + (openStallMs > 0 ? 1 : 0),
      totalFreezeS: round(statsFreezeS + openStallMs / 1000, 2),
      maxFreezeS: round(Math.max(statsMaxFreezeS, openStallMs / 1000), 2),
      statsFreezeS: round(statsFreezeS, 2),
      openFreezeS: round(openStallMs / 1000, 2),
      longestStallS: round(longestStallMs / 1000, 2),
      widthLast: decoding.at(-1)?.video.frameWidth ?? 0,
      heightLast: decoding.at(-1)?.video.frameHeight ?? 0,
      widthMin: widths.length ? Math.min(...widths) : 0,
      widthMax: widths.length ? Math.max(...widths) : 0,
      packetsLost: totalLost,
      packetsReceived: totalRx,
      lossPct: totalLost + totalRx > 0 ? round((100 * totalLost) / (totalLost + totalRx), 1) : null,
      kbps: round((sum(bytes) * 8) / durationS / 1000, 0),
      nacks: sum(increments(s, 'video', 'nackCount')),
      plis: sum(increments(s, 'video', 'pliCount')),
      keyFrames: sum(increments(s, 'video', 'keyFramesDecoded')),
      retransmittedPackets: sum(increments(s, 'video', 'retransmittedPacketsReceived')),
      codec: last.video?.codec ?? null,
      streams: new Set(s.filter((x) => x.video).map((x) => x.video.id)).size,
    },
    audio: {
      concealedPct: audioSamples > 0 ? round((100 * sum(concealed)) / audioSamples, 2) : null,
      concealedSamples: sum(concealed),
      totalSamplesReceived: audioSamples,
      packetsLost: sum(audioLost),
      packetsReceived: sum(audioRx),
      codec: last.audio?.codec ?? null,
    },
    pair: last.pair,
    selfIds: [...new Set(s.map((x) => x.self).filter(Boolean))],
    timeline,
  };
}

/* Samples the page for `seconds` (a measurement, not a wait for something)
 * and summarises the window. */
export async function measure(page, seconds, { select = {}, intervalMs = 1000 } = {}) {
  const sampler = startSampler(page, select, { intervalMs });
  await sleep(seconds * 1000);
  return summarize(await sampler.stop());
}

/* Polls the page until pred(video, previous) holds for its inbound video
 * of `select` (video: this sample's stats, previous: the last poll's);
 * returns the milliseconds that took, or null when timeoutMs passed (the
 * caller measures anyway: not getting there is a result too). */
export async function videoReaches(page, select, pred, { timeoutMs = 30000, what = 'a video condition' } = {}) {
  const start = Date.now();
  let previous = null;
  try {
    await waitFor(
      async () => {
        const video = (await snapshot(page, select)).video;
        const ok = !!video && pred(video, previous);
        previous = video;
        return ok;
      },
      { timeoutMs, intervalMs: 250, what },
    );
    return Date.now() - start;
  } catch {
    return null;
  }
}

/* Milliseconds until a first decoded video frame of `select`, or null. */
export function firstFrame(page, select = {}, timeoutMs = 30000) {
  return videoReaches(page, select, (v) => v.framesDecoded > 0, { timeoutMs, what: 'a first decoded video frame' });
}

/* Milliseconds until frames at least `width` wide are being decoded (the
 * frame count grew since the last poll), or null. */
export function widthReaches(page, select, width, timeoutMs = 30000) {
  return videoReaches(
    page,
    select,
    (v, prev) => v.frameWidth >= width && !!prev && prev.id === v.id && v.framesDecoded > prev.framesDecoded,
    { timeoutMs, what: `frames ${width} wide` },
  );
}
