/*
 * quality.js — how good a connection is, in the three words people see on
 * a tile: good, fair or poor.
 *
 * rateQuality() is a pure function of measured rates (packet loss, round
 * trip, the video bitrate that arrives compared with what the layer being
 * received is sent at, and what the browser or the server say about
 * bandwidth). The frame rate is measured too, but does not count: a busy
 * device decodes fewer frames on a perfect link, and this indicator is
 * about the connection. QualityMeter turns the cumulative counters of getStats()
 * samples, one a second, into those rates over a short window, and steadies
 * the result: a level gets worse at once, but better only after it has held
 * for a few samples, so the indicator does not flicker.
 *
 * No DOM and no clock here: the caller passes the time of each sample, so
 * this runs (and is tested) anywhere.
 */

export const LEVELS = ['good', 'fair', 'poor'];

/* Loss above 2 % is audible as concealment and visible as freezes; above
 * 8 % a call is hard to follow. A round trip above 250 ms makes people talk
 * over each other; above 500 ms conversation breaks down (ITU-T G.114). */
const LOSS_FAIR = 0.02;
const LOSS_POOR = 0.08;
const RTT_FAIR_MS = 250;
const RTT_POOR_MS = 500;
/* Received video bitrate as a share of what its layer is sent at. Encoders
 * spend far less on a still picture, so only a large shortfall counts. */
const RATE_FAIR = 0.25;
const RATE_POOR = 0.08;

/* The simulcast layers the web client publishes (peer.js): width → the
 * bitrate that layer is sent at, kbit/s. */
const LAYER_KBPS = [
  [960, 1500],
  [480, 500],
  [0, 150],
];

const known = (x) => typeof x === 'number' && Number.isFinite(x);

/* What a video of this frame width should arrive at, kbit/s (0: unknown). */
export function expectedVideoKbps(frameWidth) {
  if (!known(frameWidth) || frameWidth <= 0) return 0;
  for (const [minWidth, kbps] of LAYER_KBPS) if (frameWidth >= minWidth) return kbps;
  return 0;
}

/* m: { lossFraction (0..1), rttMs, kbps, expectedKbps,
 *      bandwidthLimited (the sender's encoder is held back by bandwidth),
 *      videoPaused (the server paused video for a weak link) }
 * Every field is optional; unknown ones do not count, and the video
 * bitrate counts only where video is expected (expectedKbps > 0).
 * Returns 'good', 'fair' or 'poor'. */
export function rateQuality(m = {}) {
  let level = 0;
  const atLeast = (l) => {
    level = Math.max(level, l);
  };
  if (m.videoPaused) atLeast(2);
  if (m.bandwidthLimited) atLeast(1);
  if (known(m.lossFraction)) atLeast(m.lossFraction >= LOSS_POOR ? 2 : m.lossFraction >= LOSS_FAIR ? 1 : 0);
  if (known(m.rttMs)) atLeast(m.rttMs >= RTT_POOR_MS ? 2 : m.rttMs >= RTT_FAIR_MS ? 1 : 0);
  if (known(m.expectedKbps) && m.expectedKbps > 0 && known(m.kbps)) {
    const share = m.kbps / m.expectedKbps;
    atLeast(share < RATE_POOR ? 2 : share < RATE_FAIR ? 1 : 0);
  }
  return LEVELS[level];
}

/* The rates of the window between two samples of cumulative counters:
 *   packetsReceived, packetsLost: RTP received and lost (inbound)
 *   videoBytes, framesDecoded, frameWidth: the video received, if any
 *   remoteLoss: a loss fraction reported by the other end (0..1)
 *   rttMs, bandwidthLimited, videoPaused: as they are now
 * The video's rates count only when frames were decoded in the window:
 * a remote camera that is off sends nothing, which says nothing about the
 * link (a link too weak for video is what videoPaused says). */
export function windowRates(first, last) {
  const dt = (last.at - first.at) / 1000;
  const delta = (k) => (known(last[k]) && known(first[k]) ? Math.max(0, last[k] - first[k]) : NaN);
  const out = { rttMs: last.rttMs, bandwidthLimited: !!last.bandwidthLimited, videoPaused: !!last.videoPaused };
  const received = delta('packetsReceived');
  const lost = delta('packetsLost');
  let loss = received + lost > 0 ? lost / (received + lost) : NaN;
  if (known(last.remoteLoss)) loss = known(loss) ? Math.max(loss, last.remoteLoss) : last.remoteLoss;
  out.lossFraction = loss;
  const frames = delta('framesDecoded');
  if (dt > 0 && frames > 0) {
    out.fps = frames / dt;
    out.kbps = (delta('videoBytes') * 8) / 1000 / dt;
    out.expectedKbps = expectedVideoKbps(last.frameWidth);
  }
  return out;
}

const WINDOW_MS = 3000; /* rates over about the last three samples */
const BETTER_AFTER = 3; /* samples a better level must hold before it shows */

/* Keeps a few samples per key ('self', or a participant id) and rates
 * each. add() returns the level to show, or null until two samples span
 * some time. */
export class QualityMeter {
  constructor({ windowMs = WINDOW_MS, betterAfter = BETTER_AFTER } = {}) {
    this.windowMs = windowMs;
    this.betterAfter = betterAfter;
    this.keys = new Map(); /* key → { samples, level, better, rates } */
  }

  add(key, sample, at) {
    let k = this.keys.get(key);
    if (!k) this.keys.set(key, (k = { samples: [], level: null, better: 0, rates: null }));
    k.samples.push({ ...sample, at });
    while (k.samples.length > 2 && at - k.samples[1].at >= this.windowMs) k.samples.shift();
    if (k.samples.length < 2) return k.level;
    k.rates = windowRates(k.samples[0], k.samples[k.samples.length - 1]);
    const level = rateQuality(k.rates);
    const now = LEVELS.indexOf(level);
    const shown = k.level === null ? -1 : LEVELS.indexOf(k.level);
    if (shown < 0 || now >= shown) {
      k.level = level; /* first rating, or worse (or the same): at once */
      k.better = 0;
    } else if (++k.better >= this.betterAfter) {
      k.level = level;
      k.better = 0;
    }
    return k.level;
  }

  level(key) {
    return this.keys.get(key)?.level ?? null;
  }

  /* The rates behind the level, for support (window.samvei.quality()). */
  rates(key) {
    return this.keys.get(key)?.rates ?? null;
  }

  /* Forgets keys not in `keep` (participants who left). */
  retain(keep) {
    for (const key of this.keys.keys()) if (!keep.has(key)) this.keys.delete(key);
  }

  clear() {
    this.keys.clear();
  }
}
