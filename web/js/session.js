/*
 * session.js — the call session: the `join` reply, the PeerConnections and
 * publishing, the server's room events, reconnecting, and the person's
 * own devices (camera, microphone, audio only) during the call.
 *
 * Joining: camera and microphone first (main.js), then the WebSocket,
 * `join`, and the publish offer. The server's room events keep the
 * participant list; the subscribe offers' `tracks` say which media belongs
 * to whom. The connection state shown in the call comes from the
 * WebSocket, the server's `pc-state` reports and the PeerConnections' own
 * connectionState.
 *
 * If the WebSocket drops, the server forgets the session; once signaling.js
 * has reconnected, the client joins the room again with fresh
 * PeerConnections. A changed network restarts ICE first (netwatch.js).
 */
import { t, errorText } from './i18n.js';
import { PeerSession } from './peer.js';
import { NetWatch } from './netwatch.js';
import { mediaErrorCode } from './media.js';
import { app, token, isObserver } from './state.js';
import { enterWaiting, enterCall, syncChat, endSession } from './main.js';
import { renderWaiting, renderSelf, renderAudioOnly, renderPaused, renderParticipants } from './render.js';

export function joinFields() {
  const fields = { room: app.room, name: app.name, noticeAck: true };
  if (token) fields.token = token;
  return fields;
}

/* Shows the view a join reply calls for (waiting screen or call), then
 * applies it. Also used after a reconnect. */
export function applyJoinReply(reply) {
  app.self = { id: reply.self, name: app.name, role: reply.role };
  if (reply.consultation) app.consultation = reply.consultation;
  app.features = reply.features ?? {};
  syncChat();
  if (reply.state === 'waiting') {
    if (app.view !== 'waiting') enterWaiting();
    app.waitingView.setConsultation(reply.consultation);
    app.waitingView.setHostAway(!reply.host);
  } else if (app.view !== 'call') {
    enterCall();
  }
  acceptJoin(reply);
}

/* An attendee given the floor (or made presenter): the microphone, and
 * the camera when allowed, through the usual publish path. */
export async function startSending(video) {
  app.peer?.unpublish();
  app.media.stop();
  await app.media.start({}, { video });
  app.watchOnly = false;
  renderSelf();
  sendMediaState();
  await publish();
}

/* The floor taken back: stop publishing, the devices go off. */
export function stopSending() {
  app.peer?.unpublish();
  app.media?.stop();
  app.watchOnly = true;
  renderSelf();
  sendMediaState();
  updateConnection();
}

/* A host's request; a refusal is shown as a toast. */
export function hostRequest(type, fields) {
  return app.signaling.request(type, fields).catch((err) => app.call?.toast(errorText(err.code, err.message)));
}

/* Applies a `join` reply (or an `admitted`): who we are, who is there, then
 * publish, unless waiting or observing. */
export function acceptJoin(reply) {
  app.self = { id: reply.self, name: app.name, role: reply.role };
  app.joinState = reply.state;
  app.iceServers = reply.iceServers ?? []; /* TURN credentials, fresh on every join */
  app.participants.clear();
  app.waiting.clear();
  app.gone.clear();
  /* A new session on the server: no pause, no preferences yet. */
  app.videoPaused = null;
  app.pausedFrom = null;
  app.quality.clear();
  app.layerPrefs?.reset();
  renderPaused();
  for (const p of reply.participants ?? []) {
    if (p.state === 'waiting') app.waiting.set(p.id, p);
    else addParticipant(p);
  }
  renderWaiting();
  app.recording?.reset(); /* the server tells us again if a request is open */
  app.sentMediaState = ''; /* a new session: say it again */
  sendMediaState();
  if (reply.state === 'waiting') {
    app.peer?.close();
    app.peer = null;
    return; /* `admitted` starts the media */
  }
  newPeer();
  renderParticipants();
  if (app.audioOnly) sendAudioOnly(true).catch((err) => console.warn('samvei: audio only not restored:', err.message));
  /* An attendee of a group teaching listens until given the floor. */
  if (app.teaching?.accept(reply)) {
    stopSending();
    app.screen?.resume(null); /* a share from before cannot go on */
    return;
  }
  if (isObserver()) {
    app.screen?.resume(null);
    app.call?.toast(t('call.observer'), 10000);
    updateConnection();
    return;
  }
  /* No camera and no microphone: watch and listen, publish nothing. */
  const m = app.media;
  app.watchOnly = !m.hasAudio && !m.hasVideo && !m.deviceId;
  if (app.watchOnly) {
    app.screen?.resume(null);
    app.call?.toast(t('call.joined-none'), 10000);
    updateConnection();
    return;
  }
  if (!m.hasVideo && !m.deviceId && m.errors?.video) app.call?.toast(t('call.joined-audio'), 10000);
  publish();
}

/* Tells the others whether our microphone is muted and our camera on
 * (`media-state`), once per change. Observers send nothing. */
export function sendMediaState() {
  const m = app.media;
  if (!m || !app.signaling?.isOpen || !app.self || isObserver()) return;
  const state = { audio: m.hasAudio && !m.micMuted, video: m.cameraOn };
  const key = JSON.stringify(state);
  if (key === app.sentMediaState) return;
  app.sentMediaState = key;
  app.signaling.request('media-state', state).catch((err) => {
    app.sentMediaState = '';
    console.warn('samvei: media-state not taken:', err.message);
  });
}

export function newPeer() {
  app.peer?.close();
  app.screen?.reset(); /* a share ends with its connection */
  app.peer = new PeerSession(app.signaling, {
    iceServers: app.iceServers,
    onRemoteChange: () => renderParticipants(),
    onStateChange: () => updateConnection(),
    onStalled: (pc) => recoverMedia(`the relay hears nothing on the ${pc} connection`, true),
    onError: (kind, err) => {
      console.error(`samvei: ${kind} failed`, err);
      app.fatal = t('reason.publish', { detail: err.message ?? String(err) });
      updateConnection();
    },
  });
}

export async function publish() {
  const peer = app.peer;
  app.publishing = true;
  updateConnection();
  try {
    await peer.publish(app.media.audioTrack, app.media.videoTrack, app.media.stream);
    /* A screen share from before a rejoin goes out again on this connection. */
    if (peer === app.peer) app.screen?.resume(peer);
  } catch (err) {
    if (peer !== app.peer) return; /* replaced by a rejoin meanwhile */
    app.screen?.resume(null);
    console.error('samvei: publish failed', err);
    if (err.code !== 'disconnected') app.fatal = t('reason.publish', { detail: err.message ?? String(err) });
  } finally {
    if (peer === app.peer) app.publishing = false;
    updateConnection();
  }
}

export function addParticipant(p) {
  if (!p || typeof p.id !== 'string' || p.id === app.self?.id) return;
  const old = app.participants.get(p.id);
  app.participants.set(p.id, {
    id: p.id,
    name: p.name ?? '',
    role: p.role ?? '',
    audioOnly: p.audioOnly === true,
    audioOn: p.audio !== false, /* media-state: microphone on */
    videoOn: p.video !== false, /* media-state: camera on */
    hadTracks: old?.hadTracks ?? false,
    presenter: p.presenter === true, /* group teaching */
    madePresenter: p.presenter === true && p.role !== 'specialist',
    floor: p.floor === true,
  });
  app.gone.delete(p.id);
}

export function wireSignaling(sig) {
  sig.on('participant-joined', (m) => {
    app.waiting.delete(m.participant?.id);
    renderWaiting();
    addParticipant(m.participant);
    renderParticipants();
  });
  sig.on('participant-left', (m) => {
    app.waiting.delete(m.participant);
    renderWaiting();
    /* Told briefly: who left or was taken out (not a reconnect's old self). */
    const who = app.participants.get(m.participant);
    if (who && app.view === 'call' && (m.reason === 'left' || m.reason === 'removed' || m.reason === 'disconnected'))
      app.call?.toast(t(m.reason === 'removed' ? 'call.removed-name' : 'call.left-name', { name: who.name || t('call.unknown') }));
    app.participants.delete(m.participant);
    app.gone.add(m.participant);
    renderParticipants();
  });
  sig.on('participant-waiting', (m) => {
    const p = m.participant;
    if (!p?.id) return;
    app.waiting.set(p.id, p);
    renderWaiting();
    app.call?.toast(t('host.arrived', { name: p.name }));
  });
  sig.on('waiting-message', (m) => app.waitingView?.addMessage(m));
  sig.on('host-away', () => {
    app.waitingView?.setHostAway(true);
    app.call?.toast(t('call.host-away'));
  });
  sig.on('host-changed', (m) => {
    app.waitingView?.setHostAway(false);
    app.call?.toast(m.host === app.self?.id ? t('call.you-host') : t('call.host-changed', { name: m.name }));
  });
  sig.on('rejected', () => endSession('rejected'));
  sig.on('removed', (m) => endSession(m.reason === 'invitation-revoked' ? 'revoked' : 'removed'));
  sig.on('ended', (m) => endSession(m.reason === 'cancelled' ? 'cancelled' : 'ended'));
  sig.on('replaced', () => endSession('replaced'));
  sig.on('participant-media-state', (m) => {
    const p = app.participants.get(m.participant);
    if (!p) return;
    p.audioOn = m.audio !== false;
    p.videoOn = m.video !== false;
    renderParticipants();
  });
  sig.on('subscribe', (m) => app.peer?.handleSubscribe(m));
  sig.on('candidate', (m) => app.peer?.handleCandidate(m));
  sig.on('pc-state', (m) => app.peer?.handlePcState(m));
  sig.on('layers', (m) => app.peer?.applyLayers(m));
  sig.on('video-paused', (m) => {
    const reason = m.reason === 'audio-only' ? 'audio-only' : 'bandwidth';
    if (reason === 'audio-only' && !app.audioOnly) return; /* from before we turned it off */
    app.videoPaused = reason;
    app.pausedFrom = Array.isArray(m.participants) ? new Set(m.participants) : null;
    renderPaused();
  });
  sig.on('video-resumed', () => {
    app.videoPaused = null;
    app.pausedFrom = null;
    renderPaused();
  });
  sig.on('participant-audio-only', (m) => {
    const p = app.participants.get(m.participant);
    if (!p) return;
    p.audioOnly = m.on === true;
    renderParticipants();
  });
  sig.on('admitted', (m) => {
    if (app.joinState !== 'waiting') return;
    enterCall();
    acceptJoin({ self: app.self.id, role: app.self.role, state: 'joined', participants: m.participants, presenter: m.presenter, attendees: m.attendees });
  });
  sig.on('reconnecting', (info) => {
    app.wsLost = true;
    app.reconnectAttempts = info.attempt ?? 0;
    app.reason = info.code === 1009 ? t('reason.too-big') : t('reason.ws-retrying', { n: info.attempt ?? 1 });
    app.peer?.close();
    updateConnection();
  });
  sig.on('reconnected', () => rejoin());
  sig.on('failed', () => {
    app.fatal = t('reason.ws-gave-up');
    updateConnection();
  });
}

/* Joins the same room again on the (re)opened WebSocket. */
export async function rejoin() {
  if (app.view !== 'call' || app.rejoining) return;
  app.rejoining = true;
  app.fatal = '';
  updateConnection();
  try {
    const reply = await app.signaling.request('join', joinFields());
    app.wsLost = false;
    applyJoinReply(reply);
  } catch (err) {
    if (err.code !== 'disconnected') app.fatal = t('reason.rejoin', { detail: errorText(err.code, err.message, err) });
  } finally {
    app.rejoining = false;
    updateConnection();
  }
}

/* The retry button: back on the WebSocket if it is down, leave if still in
 * the room, then join again. */
export async function retry() {
  if (app.view !== 'call') return;
  app.fatal = '';
  app.peer?.close();
  updateConnection();
  const sig = app.signaling;
  if (!sig.isOpen && sig.waitingToReconnect) {
    /* Reconnecting by itself: try at once instead of after the back-off. */
    sig.reconnectNow();
    return;
  }
  if (!sig.isOpen) {
    /* The same Signaling object keeps its handlers across connect(). */
    try {
      await sig.connect();
    } catch {
      app.fatal = t('reason.ws-gave-up');
      updateConnection();
      return;
    }
  } else {
    try {
      await sig.request('leave', {}, 5000);
    } catch {
      /* not in the room any more: fine */
    }
  }
  await rejoin();
}

export async function toggleCamera() {
  const c = app.call.controls;
  c.setBusy('camera', true);
  try {
    await app.media.setCameraOn(!app.media.cameraOn);
  } catch (err) {
    app.call.toast(t(`error.${mediaErrorCode(err)}`, { detail: err?.message ?? String(err) }));
  } finally {
    c.setBusy('camera', false);
  }
}

export function sendAudioOnly(on) {
  return app.signaling.request('audio-only', { on });
}

/* The "Audio only" button: no video is sent to us while it is on. Turning
 * it off also brings back a camera its note stopped. */
export async function toggleAudioOnly() {
  if (!app.call || !app.signaling || app.audioOnlyBusy) return;
  const on = !app.audioOnly;
  const c = app.call.controls;
  app.audioOnlyBusy = true;
  c.setBusy('audioOnly', true);
  try {
    await sendAudioOnly(on);
    app.audioOnly = on;
    /* The pause was our own choice: it ends with it (video-resumed follows). */
    if (!on && app.videoPaused === 'audio-only') app.videoPaused = null;
    if (!on && app.cameraStoppedForAudio && !app.media.cameraOn) await stopCameraForAudio(false);
    app.cameraStoppedForAudio = false;
    app.call?.announce(t(on ? 'audio-only.on' : 'audio-only.off'));
  } catch (err) {
    app.call?.toast(t('audio-only.failed', { detail: errorText(err.code, err.message) }));
  } finally {
    app.audioOnlyBusy = false;
    c.setBusy('audioOnly', false);
    renderAudioOnly();
    renderPaused();
  }
}

/* The audio-only note's "Also stop my camera". */
export async function stopCameraForAudio(stop) {
  try {
    await app.media.setCameraOn(!stop);
    app.cameraStoppedForAudio = stop;
  } catch (err) {
    app.call?.toast(t(`error.${mediaErrorCode(err)}`, { detail: err?.message ?? String(err) }));
  } finally {
    renderAudioOnly();
  }
}

export async function switchCamera() {
  const c = app.call.controls;
  c.setBusy('switch', true);
  try {
    await app.media.switchCamera();
  } catch (err) {
    app.call.toast(t(`error.${mediaErrorCode(err)}`, { detail: err?.message ?? String(err) }));
  } finally {
    c.setBusy('switch', false);
  }
}

export async function leave() {
  if (app.view !== 'call' && app.view !== 'waiting') return;
  const { signaling } = app;
  app.view = 'leaving';
  try {
    if (signaling.isOpen) await signaling.request('leave', {}, 3000);
  } catch {
    /* we go anyway */
  }
  endSession('left');
}

export function computeConnection() {
  if (app.fatal) return ['failed', app.fatal];
  const sig = app.signaling;
  if (!sig || !sig.isOpen || app.rejoining) return [app.wsLost ? 'reconnecting' : 'connecting', app.wsLost ? app.reason : ''];
  if (!app.peer) return ['connecting', ''];
  const s = app.peer.states();
  const server = app.peer.serverState;
  for (const kind of ['publish', 'subscribe']) {
    if (s[kind] === 'failed' || server[kind]?.state === 'failed') {
      return ['failed', t('reason.pc-failed', { pc: t(`pc.${kind}`) })]; /* the server's English reason: console (peer.js) */
    }
  }
  if (s.publish === 'disconnected' || s.subscribe === 'disconnected') return ['reconnecting', ''];
  const sends = app.joinState !== 'waiting' && !isObserver() && !app.watchOnly;
  if (app.publishing || (sends && s.publish !== 'connected')) return ['connecting', ''];
  if (s.subscribe !== 'none' && s.subscribe !== 'connected') return ['connecting', ''];
  return ['connected', ''];
}

/* The network changed or media has been stuck: reconnect the WebSocket at
 * once if it is down; else restart ICE on the PeerConnections we have (new
 * candidates for the new network, the call goes on); and if that has not
 * helped a few seconds later, leave and rejoin (new PeerConnections). */
const ICE_RESTART_SETTLE_MS = 4000; /* a restart gets this long before anything else is tried */
const ICE_RESTART_AGAIN_MS = 30000; /* within this, a second breakage means rejoin */
export function recoverMedia(why, broken) {
  if (app.view !== 'call' || !app.signaling) return;
  if (!app.signaling.isOpen) return app.signaling.reconnectNow();
  if (!broken || app.rejoining || app.joinState === 'waiting') return;
  const since = Date.now() - (app.iceRestartAt ?? -Infinity);
  if (app.peer && since > ICE_RESTART_AGAIN_MS) {
    app.iceRestartAt = Date.now();
    console.info(`samvei: media path broken (${why}): restarting ICE`);
    app.peer.restartIce().catch((err) => console.warn('samvei: ICE restart failed:', err.message ?? err));
    return;
  }
  if (since < ICE_RESTART_SETTLE_MS) return;
  console.info(`samvei: media path still broken (${why}): rejoining`);
  retry();
}

const netwatch = new NetWatch({ onRecover: recoverMedia });

export function updateConnection() {
  if (!app.call || app.view !== 'call') return;
  netwatch.update(app.peer ? app.peer.states() : {});
  const [state, reason] = computeConnection();
  if (state === app.connection && reason === app.reasonShown) return;
  app.connection = state;
  app.reasonShown = reason;
  app.call.status.set(state, reason, app.wsLost);
  document.body.dataset.connection = state;
}
