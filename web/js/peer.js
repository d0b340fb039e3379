/*
 * peer.js — the two PeerConnections of a participant (docs/protocol.md):
 *
 *  - publish: the client offers sendonly transceivers for microphone and
 *    camera, sends the offer in `publish` and applies the server's answer;
 *  - subscribe: the server offers the others' tracks in `subscribe`; each
 *    offer is applied and answered with `subscribe-answer` carrying its rev.
 *
 * ICE candidates trickle both ways as `candidate` with pc "publish" or
 * "subscribe". Remote candidates wait in a queue until their PeerConnection
 * has a remote description; local ones wait until the offer or answer they
 * belong to has been sent, so the server always sees the SDP first.
 *
 * The `tracks` list of the latest applied subscribe offer maps each mid to a
 * participant; remoteMedia() and stats() use it, so a reused m-line is
 * always attributed to whoever it carries now.
 *
 * The camera goes out as three simulcast layers (SIMULCAST); the server
 * forwards to each subscriber the one its link carries, and says in
 * `layers` which of them anybody receives, so the others are paused here at
 * the source (applyLayers).
 *
 * A screen share is one more sendonly video transceiver on the publish
 * connection (startScreen / stopScreen, each a new `publish` offer): one
 * encoding, no simulcast, a bitrate that keeps text readable, resolution
 * kept over frame rate; its m-line is marked a=content:slides (RFC 4796)
 * in the offer sent, which is how the server knows it as source "screen".
 * Stopped, the transceiver stays (inactive) and is used again next time.
 */

const PC_CONFIG = { bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' };

/* The camera's simulcast layers, lowest first: a quarter, half and full
 * resolution (320, 640 and 1280 pixels wide from a 1280x720 camera). The
 * order is the one the server reads as lowest to highest (a=simulcast), and
 * the one most SFUs expect. A server that does not accept simulcast gets
 * only the first encoding, so fullLayerOnly() then turns that one into the
 * full picture. One temporal layer each (L1T1): Chrome's default for
 * simulcast VP8 is three, which the relay does not use (it switches
 * spatial layers only), and under loss a receiver skips a frame of an upper
 * temporal layer whose retransmission comes after the next frame decoded:
 * with 8 % loss that was a tenth of the frames. */
export const SIMULCAST = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150000, scalabilityMode: 'L1T1' },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500000, scalabilityMode: 'L1T1' },
  { rid: 'f', scaleResolutionDownBy: 1, maxBitrate: 1500000, scalabilityMode: 'L1T1' },
];
const SINGLE_LAYER = { scaleResolutionDownBy: 1, maxBitrate: 1500000 };
/* The screen: one full-resolution encoding; text needs pixels more than
 * frames, so a narrow link lowers the frame rate, not the resolution. */
export const SCREEN_ENCODING = { scaleResolutionDownBy: 1, maxBitrate: 1500000, maxFramerate: 15 };
const RESTART_WAIT_MS = 10000; /* longest wait for the server's ICE-restart offer */

/* ?relay=1 sends all media through the TURN servers of the join reply
 * (iceTransportPolicy "relay"): for testing TURN, and for a network where
 * only the TURN server is reachable. */
const FORCE_RELAY = new URLSearchParams(globalThis.location?.search ?? '').get('relay') === '1';

export class PeerSession {
  /* options: iceServers (from the join reply), iceTransportPolicy ("all" or
   * "relay"; default "relay" with ?relay=1), onRemoteChange(),
   * onStateChange(), onStalled(pc), onError(kind, err) */
  constructor(signaling, options = {}) {
    this.signaling = signaling;
    this.iceServers = Array.isArray(options.iceServers) ? options.iceServers : [];
    this.iceTransportPolicy = options.iceTransportPolicy ?? (FORCE_RELAY ? 'relay' : 'all');
    this.onRemoteChange = options.onRemoteChange ?? (() => {});
    this.onStateChange = options.onStateChange ?? (() => {});
    this.onStalled = options.onStalled ?? (() => {});
    this.onError = options.onError ?? ((kind, err) => console.error(`samvei: ${kind}`, err));
    this.pub = null;
    this.sub = null;
    this.videoSender = null;
    this.videoTransceiver = null;
    this.screenTransceiver = null; /* the screen share's, once shared */
    this.pubChain = Promise.resolve(); /* screen renegotiations, one at a time */
    this.layerActive = null; /* rid → active, from the server's latest `layers` */
    this.layerChain = Promise.resolve();
    this.tracks = [];
    this.appliedRev = -1;
    this.latestOffer = null;
    this.subChain = Promise.resolve();
    this.remoteQueue = { publish: [], subscribe: [] };
    this.localQueue = { publish: [], subscribe: [] };
    this.localReady = { publish: false, subscribe: false };
    this.serverState = { publish: null, subscribe: null }; /* from pc-state */
    this.restarting = { publish: false, subscribe: false }; /* ICE restart under way */
    this.subUfrag = ''; /* ice-ufrag of the last applied subscribe offer */
    this.iceRestarts = 0;
    this.closed = false;
  }

  newPc(kind) {
    const pc = new RTCPeerConnection({
      ...PC_CONFIG,
      iceServers: this.iceServers,
      iceTransportPolicy: this.iceTransportPolicy,
    });
    pc.onicecandidate = (ev) => this.localCandidate(kind, ev.candidate);
    pc.onconnectionstatechange = () => this.onStateChange();
    pc.oniceconnectionstatechange = () => this.onStateChange();
    return pc;
  }

  /* Offers the microphone and camera tracks (either may be null: its
   * transceiver is still made, so the track can be added later with
   * replaceTrack) and applies the server's answer. Throws a SignalingError
   * when the server refuses the offer. */
  async publish(audioTrack, videoTrack, stream) {
    const pc = (this.pub = this.newPc('publish'));
    const streams = stream ? [stream] : [];
    pc.addTransceiver(audioTrack ?? 'audio', { direction: 'sendonly', streams });
    this.videoTransceiver = pc.addTransceiver(videoTrack ?? 'video', {
      direction: 'sendonly',
      streams,
      sendEncodings: SIMULCAST.map((e) => ({ ...e })),
    });
    this.videoSender = this.videoTransceiver.sender;
    if (!(await this.negotiatePublish(pc))) return;
    await this.flushRemote('publish');
    this.onStateChange();
  }

  /* One offer/answer round of the publish PeerConnection: our offer in
   * `publish` (our candidates follow it), the server's answer applied.
   * False when the session closed or was replaced meanwhile. */
  async negotiatePublish(pc, offerOptions = {}) {
    const offer = await pc.createOffer(offerOptions);
    await pc.setLocalDescription(offer);
    const reply = this.signaling.request('publish', { sdp: this.markScreen(pc.localDescription.sdp) });
    this.releaseLocal('publish');
    const ok = await reply;
    if (this.closed || pc !== this.pub) return false;
    await pc.setRemoteDescription({ type: 'answer', sdp: ok.sdp });
    await this.fullLayerOnly();
    if (this.layerActive) this.queueLayers(); /* a `layers` that came during the negotiation */
    return true;
  }

  /* The offer as sent: the screen's m-line, while it sends, marked
   * a=content:slides after its a=mid. */
  markScreen(sdp) {
    const tr = this.screenTransceiver;
    if (!tr || tr.mid == null || tr.direction !== 'sendonly') return sdp;
    return sdp.replace(`\r\na=mid:${tr.mid}\r\n`, `\r\na=mid:${tr.mid}\r\na=content:slides\r\n`);
  }

  /* Publishes track (from getDisplayMedia) as the screen share. Throws a
   * SignalingError when the server refuses the offer, and an Error with
   * code 'forbidden' when its answer rejects the screen (no video may be
   * sent now); the share is then taken off again. */
  startScreen(track) {
    return this.queuePublish(async () => {
      const pc = this.pub;
      if (!pc || this.closed) throw Object.assign(new Error('not publishing'), { code: 'conflict' });
      if ('contentHint' in track) track.contentHint = 'detail';
      let tr = this.screenTransceiver;
      if (tr) {
        await tr.sender.replaceTrack(track);
        tr.direction = 'sendonly';
      } else {
        tr = this.screenTransceiver = pc.addTransceiver(track, { direction: 'sendonly', sendEncodings: [{ ...SCREEN_ENCODING }] });
      }
      const params = tr.sender.getParameters();
      params.degradationPreference = 'maintain-resolution';
      for (const enc of params.encodings ?? []) Object.assign(enc, SCREEN_ENCODING, { active: true });
      try {
        await tr.sender.setParameters(params);
      } catch (err) {
        console.warn('samvei: screen encoding not set:', err.message);
      }
      try {
        if (!(await this.negotiatePublish(pc))) return;
      } catch (err) {
        await this.takeScreenOff(pc);
        throw err;
      }
      if (tr.currentDirection !== 'sendonly') {
        await this.takeScreenOff(pc);
        throw Object.assign(new Error('the server did not take the screen'), { code: 'forbidden' });
      }
    });
  }

  /* Takes the screen share off the publish connection (a new offer); the
   * server withdraws it from everyone. */
  stopScreen() {
    return this.queuePublish(async () => {
      const pc = this.pub;
      if (!pc || this.closed || !this.screenTransceiver || this.screenTransceiver.direction === 'inactive') return;
      await this.takeScreenOff(pc);
    });
  }

  async takeScreenOff(pc) {
    const tr = this.screenTransceiver;
    if (!tr) return;
    if (tr.currentDirection === 'stopped') {
      this.screenTransceiver = null; /* rejected by the server: a new one next time */
      return;
    }
    await tr.sender.replaceTrack(null);
    tr.direction = 'inactive';
    if (pc.signalingState === 'stable') await this.negotiatePublish(pc);
  }

  queuePublish(job) {
    const run = this.pubChain.then(job);
    this.pubChain = run.catch(() => {});
    return run;
  }

  /* When the answer did not take simulcast, the browser keeps only the
   * first (lowest) encoding: make it the full picture. */
  async fullLayerOnly() {
    const sender = this.videoSender;
    if (!sender) return;
    const params = sender.getParameters();
    const [enc] = params.encodings ?? [];
    if (params.encodings?.length !== 1 || enc.scaleResolutionDownBy === SINGLE_LAYER.scaleResolutionDownBy) return;
    Object.assign(enc, SINGLE_LAYER, { active: true });
    try {
      await sender.setParameters(params);
    } catch (err) {
      console.warn('samvei: could not send the full picture on one layer:', err.message);
    }
  }

  /* A server `layers` message: which of our camera's simulcast layers
   * anybody receives. The others are paused (encodings[i].active), so a
   * weak uplink does not carry a layer nobody watches. Changes are applied
   * one at a time, the newest wins. */
  applyLayers(msg) {
    if (!msg || typeof msg.active !== 'object' || msg.active === null) return;
    const tr = this.videoTransceiver;
    if (!tr || (tr.mid != null && String(msg.mid) !== tr.mid)) return;
    this.layerActive = { ...msg.active };
    this.queueLayers();
  }

  queueLayers() {
    this.layerChain = this.layerChain
      .then(() => this.setLayers())
      .catch((err) => console.warn('samvei: could not switch simulcast layers:', err.message));
  }

  async setLayers() {
    const sender = this.videoSender;
    const want = this.layerActive;
    if (!sender || !want || this.closed) return;
    const params = sender.getParameters();
    if (!params.encodings || params.encodings.length < 2) return; /* no simulcast */
    let changed = false;
    for (const enc of params.encodings) {
      if (typeof want[enc.rid] !== 'boolean' || enc.active === want[enc.rid]) continue;
      enc.active = want[enc.rid];
      changed = true;
    }
    if (changed) await sender.setParameters(params);
  }

  /* rid → active of the camera's encodings now (for tests and support). */
  layerState() {
    const out = {};
    for (const enc of this.videoSender?.getParameters().encodings ?? []) out[enc.rid ?? ''] = enc.active !== false;
    return out;
  }

  /* ICE restart on both PeerConnections, as after a network change: the
   * same PeerConnections, DTLS sessions and tracks, new ICE credentials and
   * candidates. The publish side offers with iceRestart; for the subscribe
   * side the server sends a new offer (`ice-restart`). Until the new
   * descriptions are applied, the server's candidates wait (they belong to
   * the new credentials). */
  async restartIce() {
    if (this.closed) return;
    this.iceRestarts++;
    const jobs = [];
    if (this.sub?.remoteDescription) {
      this.restarting.subscribe = true;
      const done = () => {
        if (!this.restarting.subscribe) return;
        this.restarting.subscribe = false;
        this.flushRemote('subscribe');
      };
      /* Refused, or no new offer came: stop holding the server's candidates. */
      setTimeout(done, RESTART_WAIT_MS);
      jobs.push(this.signaling.request('ice-restart', {}).catch((err) => (done(), Promise.reject(err))));
    }
    const pc = this.pub;
    if (pc?.remoteDescription && pc.signalingState === 'stable') {
      this.restarting.publish = true;
      this.localReady.publish = false; /* the new candidates go after the new offer */
      try {
        if (!(await this.negotiatePublish(pc, { iceRestart: true }))) return;
      } finally {
        this.restarting.publish = false;
        this.releaseLocal('publish');
      }
      await this.flushRemote('publish');
    }
    await Promise.all(jobs);
  }

  /* Swaps the camera track without renegotiation; null sends nothing. */
  async replaceVideoTrack(track) {
    if (this.videoSender) await this.videoSender.replaceTrack(track);
  }

  /* A `subscribe` message. Offers are applied one at a time; if several
   * arrive while one is being applied, only the newest is applied next. */
  handleSubscribe(msg) {
    if (typeof msg.sdp !== 'string' || !Number.isInteger(msg.rev)) return;
    if (!this.latestOffer || msg.rev > this.latestOffer.rev) this.latestOffer = msg;
    this.subChain = this.subChain
      .then(() => this.applyLatestOffer())
      .catch((err) => this.onError('subscribe', err));
  }

  async applyLatestOffer() {
    const msg = this.latestOffer;
    if (this.closed || !msg || msg.rev <= this.appliedRev) return;
    this.appliedRev = msg.rev;
    if (!this.sub) {
      this.sub = this.newPc('subscribe');
      this.sub.ontrack = () => this.onRemoteChange();
    }
    const pc = this.sub;
    await pc.setRemoteDescription({ type: 'offer', sdp: msg.sdp });
    /* New credentials: the ICE restart's offer has arrived. */
    const ufrag = /a=ice-ufrag:(\S+)/.exec(msg.sdp)?.[1] ?? '';
    if (ufrag !== this.subUfrag) this.restarting.subscribe = false;
    this.subUfrag = ufrag;
    this.tracks = Array.isArray(msg.tracks) ? msg.tracks : [];
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    if (this.closed) return;
    this.signaling.send({ type: 'subscribe-answer', rev: msg.rev, sdp: pc.localDescription.sdp });
    this.releaseLocal('subscribe');
    await this.flushRemote('subscribe');
    this.onRemoteChange();
    this.onStateChange();
  }

  localCandidate(kind, cand) {
    const msg = {
      type: 'candidate',
      pc: kind,
      candidate: cand ? cand.candidate : '',
    };
    if (cand?.sdpMid != null) msg.sdpMid = cand.sdpMid;
    if (!this.localReady[kind]) this.localQueue[kind].push(msg);
    else this.signaling.send(msg);
  }

  releaseLocal(kind) {
    if (this.localReady[kind]) return;
    this.localReady[kind] = true;
    for (const msg of this.localQueue[kind].splice(0)) this.signaling.send(msg);
  }

  /* A server `candidate` message. */
  handleCandidate(msg) {
    const kind = msg.pc === 'subscribe' ? 'subscribe' : msg.pc === 'publish' ? 'publish' : null;
    if (!kind || typeof msg.candidate !== 'string') return;
    const pc = kind === 'publish' ? this.pub : this.sub;
    if (!pc || !pc.remoteDescription || this.restarting[kind]) {
      this.remoteQueue[kind].push(msg);
      return;
    }
    this.addRemote(pc, msg);
  }

  async addRemote(pc, msg) {
    try {
      if (!msg.candidate) {
        await pc.addIceCandidate();
        return;
      }
      const init = { candidate: msg.candidate };
      if (typeof msg.sdpMid === 'string') init.sdpMid = msg.sdpMid;
      else init.sdpMLineIndex = 0;
      await pc.addIceCandidate(init);
    } catch (err) {
      console.warn(`samvei: could not add a remote candidate for ${msg.pc}:`, err.message);
    }
  }

  async flushRemote(kind) {
    const pc = kind === 'publish' ? this.pub : this.sub;
    for (const msg of this.remoteQueue[kind].splice(0)) await this.addRemote(pc, msg);
  }

  /* A server `pc-state` message: kept for its failure reason. `stalled`
   * (the relay hears nothing from us on that connection although it keeps
   * sending) is passed on: our path towards the relay is broken even if
   * the browser still calls the connection connected. */
  handlePcState(msg) {
    /* The end of a publish connection we closed (unpublish: the floor taken
     * back) is no failure. */
    if (msg.pc === 'publish' && !this.pub) return;
    if (msg.state === 'stalled') {
      this.onStalled(msg.pc);
      return;
    }
    if (msg.pc === 'publish' || msg.pc === 'subscribe') {
      this.serverState[msg.pc] = { state: msg.state, reason: msg.reason ?? '' };
      /* The reason is the server's English, for support: not shown on the page. */
      if (msg.state === 'failed' && msg.reason) console.warn(`samvei: ${msg.pc} failed on the server: ${msg.reason}`);
      this.onStateChange();
    }
  }

  /* connectionState of each PeerConnection ('none' if not made yet). */
  states() {
    return {
      publish: this.pub ? this.pub.connectionState : 'none',
      subscribe: this.sub ? this.sub.connectionState : 'none',
    };
  }

  /* participant id → { audio, video, screen, mids } with the receiving
   * tracks of the mids that `tracks` currently gives that participant
   * (screen: the video whose source is "screen"). */
  remoteMedia() {
    const out = new Map();
    if (!this.sub) return out;
    const byMid = new Map();
    for (const tr of this.sub.getTransceivers()) if (tr.mid != null) byMid.set(tr.mid, tr);
    for (const t of this.tracks) {
      if (!t || typeof t.participant !== 'string') continue;
      const entry = out.get(t.participant) ?? { audio: null, video: null, screen: null, mids: [] };
      entry.mids.push(t.mid);
      const tr = byMid.get(String(t.mid));
      const slot = t.kind === 'video' && t.source === 'screen' ? 'screen' : t.kind;
      if (tr && (slot === 'audio' || slot === 'video' || slot === 'screen') && !entry[slot]) entry[slot] = tr.receiver.track;
      out.set(t.participant, entry);
    }
    return out;
  }

  /* participant id → { framesDecoded, totalSamplesReceived, audioLevel,
   * totalAudioEnergy, totalSamplesDuration, videoWidth, videoPackets,
   * audioPackets, packetsLost, videoBytes, and of a screen share
   * screenFrames, screenWidth, screenHeight } from
   * the subscribe PeerConnection's inbound-rtp reports (counters since the
   * m-line started). Where a reused mid still has an old report, the
   * freshest one counts. */
  async stats() {
    const out = {};
    for (const t of this.tracks) {
      if (t && typeof t.participant === 'string')
        out[t.participant] ??= {
          framesDecoded: 0,
          totalSamplesReceived: 0,
          audioLevel: 0,
          totalAudioEnergy: 0,
          totalSamplesDuration: 0,
          videoWidth: 0,
          videoPackets: 0,
          audioPackets: 0,
          packetsLost: 0,
          videoBytes: 0,
          screenFrames: 0,
          screenWidth: 0,
          screenHeight: 0,
        };
    }
    if (!this.sub) return out;
    const midOf = new Map(); /* receiver track id → mid, for reports without mid */
    for (const tr of this.sub.getTransceivers()) if (tr.mid != null) midOf.set(tr.receiver.track.id, tr.mid);
    const owner = new Map(this.tracks.map((t) => [String(t.mid), t]));
    const best = new Map(); /* "pid/kind" → report */
    const report = await this.sub.getStats();
    for (const r of report.values()) {
      if (r.type !== 'inbound-rtp') continue;
      const mid = r.mid ?? midOf.get(r.trackIdentifier);
      const t = owner.get(String(mid));
      if (!t || t.kind !== r.kind) continue;
      const key = `${t.participant}/${t.source === 'screen' ? 'screen' : r.kind}`;
      const prev = best.get(key);
      if (!prev || (r.lastPacketReceivedTimestamp ?? 0) >= (prev.lastPacketReceivedTimestamp ?? 0)) best.set(key, r);
    }
    for (const [key, r] of best) {
      const e = out[key.slice(0, key.lastIndexOf('/'))];
      e.packetsLost += Math.max(0, r.packetsLost ?? 0);
      if (key.endsWith('/screen')) {
        e.screenFrames = r.framesDecoded ?? 0;
        e.screenWidth = r.frameWidth ?? 0;
        e.screenHeight = r.frameHeight ?? 0;
      } else if (r.kind === 'video') {
        e.framesDecoded = r.framesDecoded ?? 0;
        e.videoWidth = r.frameWidth ?? 0;
        e.videoPackets = r.packetsReceived ?? 0;
        e.videoBytes = r.bytesReceived ?? 0;
      } else {
        e.totalSamplesReceived = r.totalSamplesReceived ?? 0;
        e.audioLevel = r.audioLevel ?? 0;
        e.totalAudioEnergy = r.totalAudioEnergy ?? 0;
        e.totalSamplesDuration = r.totalSamplesDuration ?? 0;
        e.audioPackets = r.packetsReceived ?? 0;
      }
    }
    return out;
  }

  /* The participant's own link, for the quality indicator:
   *   rttMs: the larger round trip of the two PeerConnections' selected
   *     candidate pairs (null before one is selected);
   *   packetsReceived, packetsLost: everything received on subscribe;
   *   remoteLoss: the loss the server reports of what we send (0..1);
   *   bandwidthLimited: the browser holds back an active camera layer for
   *     want of bandwidth;
   *   layers: rid → { active, frameWidth, bytesSent } of the camera;
   *   videoCodec: the camera's codec ("video/VP8", "video/H264"). */
  async linkStats() {
    const out = {
      rttMs: null,
      packetsReceived: 0,
      packetsLost: 0,
      remoteLoss: null,
      bandwidthLimited: false,
      layers: {},
      videoCodec: null,
    };
    const rtt = (report) => {
      for (const r of report.values()) {
        if (r.type !== 'transport' || !r.selectedCandidatePairId) continue;
        const pair = report.get(r.selectedCandidatePairId);
        if (pair && typeof pair.currentRoundTripTime === 'number')
          out.rttMs = Math.max(out.rttMs ?? 0, pair.currentRoundTripTime * 1000);
      }
    };
    if (this.sub) {
      const report = await this.sub.getStats();
      rtt(report);
      for (const r of report.values()) {
        if (r.type !== 'inbound-rtp') continue;
        out.packetsReceived += r.packetsReceived ?? 0;
        out.packetsLost += Math.max(0, r.packetsLost ?? 0);
      }
    }
    if (this.pub) {
      const report = await this.pub.getStats();
      rtt(report);
      const active = this.layerState();
      for (const r of report.values()) {
        if (r.type === 'remote-inbound-rtp' && typeof r.fractionLost === 'number')
          out.remoteLoss = Math.max(out.remoteLoss ?? 0, r.fractionLost);
        if (r.type !== 'outbound-rtp' || r.kind !== 'video') continue;
        if (r.mid != null && r.mid === this.screenTransceiver?.mid) continue; /* the camera's only */
        const rid = r.rid ?? '';
        const on = active[rid] !== false && (r.active ?? true);
        out.layers[rid] = { active: on, frameWidth: r.frameWidth ?? 0, bytesSent: r.bytesSent ?? 0 };
        if (r.codecId) out.videoCodec = report.get(r.codecId)?.mimeType ?? out.videoCodec;
        if (on && r.qualityLimitationReason === 'bandwidth') out.bandwidthLimited = true;
      }
    }
    return out;
  }

  /* Stops sending: the publish PeerConnection closes; the subscribe one
   * goes on (group teaching: the floor taken back). publish() may follow. */
  unpublish() {
    const pc = this.pub;
    if (!pc) return;
    pc.onicecandidate = pc.onconnectionstatechange = pc.oniceconnectionstatechange = null;
    pc.close();
    this.pub = this.videoSender = this.videoTransceiver = this.screenTransceiver = null;
    this.layerActive = null;
    this.remoteQueue.publish = [];
    this.localQueue.publish = [];
    this.localReady.publish = false;
    this.serverState.publish = null;
    this.onStateChange();
  }

  close() {
    this.closed = true;
    for (const pc of [this.pub, this.sub]) {
      if (!pc) continue;
      pc.onicecandidate = pc.onconnectionstatechange = pc.oniceconnectionstatechange = pc.ontrack = null;
      pc.close();
    }
    this.pub = this.sub = this.videoSender = this.videoTransceiver = this.screenTransceiver = null;
    this.tracks = [];
  }
}
