/*
 * render.js — what the call view shows of the session: the self-view and
 * the controls' state, the remote tiles (everyone in the room whose media
 * is there), paused video and audio only, the waiting list of hosts, and
 * once a second the decoded frames and the connection-quality indicators
 * from getStats (quality.js). Small tiles ask for the lowest simulcast
 * layer (layerprefs.js).
 */
import { t } from './i18n.js';
import { app, isObserver } from './state.js';

/* Once a second, the decoded-frame counts tell each tile whether its
 * picture is moving (else it shows the initials), and the counters feed
 * the connection-quality indicators. */
export function startLiveness() {
  clearInterval(app.livenessTimer);
  app.livenessTimer = setInterval(async () => {
    if (!app.call || !app.peer) return;
    try {
      const stats = await app.peer.stats();
      app.call?.noteStats(stats);
      noteQuality(stats, await app.peer.linkStats());
    } catch {
      /* the PeerConnection closed meanwhile */
    }
  }, 1000);
}

/* Rates each remote participant's connection (what arrives from them,
 * over our subscribe link) and our own (both PeerConnections). */
export function noteQuality(stats, link) {
  if (!app.call) return;
  const now = performance.now();
  const q = app.quality;
  const weak = app.videoPaused === 'bandwidth' && !app.audioOnly;
  const weakFrom = (id) => weak && (!app.pausedFrom || app.pausedFrom.has(id));
  const levels = {};
  for (const [id, s] of Object.entries(stats)) {
    if (app.gone.has(id)) continue;
    /* A camera turned off still sends a black frame now and then, whose
     * trickle says nothing about the link. */
    const video = app.participants.get(id)?.videoOn !== false;
    levels[id] = q.add(
      id,
      {
        packetsReceived: s.videoPackets + s.audioPackets,
        packetsLost: s.packetsLost,
        videoBytes: video ? s.videoBytes : undefined,
        framesDecoded: video ? s.framesDecoded : undefined,
        frameWidth: video ? s.videoWidth : undefined,
        rttMs: link.rttMs,
        videoPaused: weakFrom(id),
      },
      now,
    );
  }
  q.retain(new Set(['self', ...Object.keys(levels)]));
  const self = q.add(
    'self',
    {
      packetsReceived: link.packetsReceived,
      packetsLost: link.packetsLost,
      remoteLoss: link.remoteLoss,
      rttMs: link.rttMs,
      bandwidthLimited: link.bandwidthLimited,
      videoPaused: weak,
    },
    now,
  );
  app.call.noteQuality(self, levels);
}

export function renderWaiting() {
  app.hostPanel?.setWaiting([...app.waiting.values()]);
  app.teaching?.renderPanel();
}

export function renderSelf() {
  const m = app.media;
  if (!app.call || !m) return;
  app.call.setSelf({ name: app.name, stream: m.stream, mirrored: m.mirrored, cameraOn: m.cameraOn, micMuted: m.micMuted });
  app.call.controls.update({
    hasAudio: m.hasAudio,
    hasVideoDevice: m.cameraCount > 0,
    micMuted: m.micMuted,
    cameraOn: m.cameraOn,
    canSwitch: m.cameraCount > 1,
  });
  if (m.cameraOn) app.cameraStoppedForAudio = false;
  renderAudioOnly();
  app.screen?.update();
}

export function renderAudioOnly() {
  app.call?.setAudioOnly({
    on: app.audioOnly,
    cameraOff: !app.media?.cameraOn,
    hasCamera: (app.media?.cameraCount ?? 0) > 0 && !isObserver(),
  });
}

/* The tiles whose video is paused say why; our own choice (audio only)
 * is the reason shown on every tile even before the server confirms it.
 * A new pause is also said to screen readers. */
export function renderPaused() {
  if (!app.call) return;
  const reason = app.audioOnly ? 'audio-only' : app.videoPaused;
  const from = reason === 'bandwidth' ? app.pausedFrom : null;
  /* Said when video from someone more pauses for bandwidth (null: everyone). */
  const was = app.call.paused === 'bandwidth' ? app.call.pausedFrom : new Set();
  if (reason === 'bandwidth' && was !== null && (from === null || [...from].some((id) => !was.has(id))))
    app.call.announce(t('tile.paused.bandwidth'));
  app.call.setVideoPaused(reason, from);
}

/* The remote tiles: everyone in the room, except those whose tracks were
 * there and are gone (they are leaving or their media failed). */
export function renderParticipants() {
  if (!app.call) return;
  const media = app.peer ? app.peer.remoteMedia() : new Map();
  for (const id of media.keys()) {
    if (!app.participants.has(id) && !app.gone.has(id) && id !== app.self?.id)
      app.participants.set(id, { id, name: '', role: '', hadTracks: false });
    const p = app.participants.get(id);
    if (p) p.hadTracks = true;
  }
  const list = [];
  for (const p of app.participants.values()) {
    const m = media.get(p.id);
    if (p.hadTracks && !m) continue;
    if (app.teaching && !app.teaching.showsTile(p, m)) continue;
    if (m?.video && m.video.id !== p.videoTrackId) {
      p.videoTrackId = m.video.id;
      app.layerPrefs?.refresh(p.id);
    }
    list.push({ ...p, audio: m?.audio ?? null, video: m?.video ?? null });
  }
  app.call.setParticipants(app.teaching ? app.teaching.order(list) : list);
  app.teaching?.renderPanel();
  app.screen?.render(media, (id) => app.participants.get(id)?.name || t('call.unknown'));
  app.recording?.render();
}
