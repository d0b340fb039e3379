/*
 * main.js — the web client's controller: the join page, then the call.
 *
 * Joining: camera and microphone first (so a refused permission is said on
 * the join page), then the WebSocket, `join`, and the publish offer. The
 * server's room events keep the participant list; the subscribe offers'
 * `tracks` say which media belongs to whom. The connection state shown in
 * the call comes from the WebSocket, the server's `pc-state` reports and the
 * PeerConnections' own connectionState.
 *
 * If the WebSocket drops, the server forgets the session; once signaling.js
 * has reconnected, the client joins the room again with fresh
 * PeerConnections. window.samvei exposes a small read-only view of all this
 * for support and for the browser tests.
 */
import { pickLanguage, setLanguage, t, errorText } from './i18n.js';
import { Signaling } from './signaling.js';
import { PeerSession } from './peer.js';
import { NetWatch } from './netwatch.js';
import { LocalMedia, mediaErrorCode } from './media.js';
import { JoinPage } from './ui/join.js';
import { CallView } from './ui/call.js';

setLanguage(pickLanguage());
document.title = t('app.name');

const root = document.getElementById('app');
const params = new URLSearchParams(location.search);

const app = {
  view: 'join',
  room: params.get('room') ?? '',
  name: params.get('name') ?? '',
  self: null, /* { id, name, role } */
  joinState: null, /* from the server's join reply: 'joined' or 'waiting' */
  participants: new Map(), /* id → { id, name, role, hadTracks } */
  gone: new Set(), /* ids that left: late `tracks` must not bring them back */
  signaling: null,
  peer: null,
  media: null,
  call: null,
  joinPage: null,
  connection: 'idle',
  reason: '',
  fatal: '', /* a reason that holds until the person retries */
  wsLost: false,
  rejoining: false,
  publishing: false,
};

/* ---- join page ---- */

function showJoin(notice) {
  app.view = 'join';
  app.joinPage = new JoinPage({ room: app.room, name: app.name, onSubmit: (v) => join(v) });
  root.replaceChildren(app.joinPage.el);
  if (notice) app.joinPage.showNotice(notice);
  app.joinPage.focus();
}

async function join({ room, name }) {
  const page = app.joinPage;
  app.room = room;
  app.name = name;
  page.setBusy(true);

  const media = new LocalMedia();
  try {
    await media.start();
  } catch (err) {
    const code = mediaErrorCode(err);
    page.showError(t(`error.${code}`, { detail: err?.message ?? String(err) }));
    page.setBusy(false);
    return;
  }

  const signaling = new Signaling();
  try {
    await signaling.connect();
  } catch {
    media.stop();
    page.showError(t('error.connect'));
    page.setBusy(false);
    return;
  }

  let reply;
  try {
    reply = await signaling.request('join', { room, name });
  } catch (err) {
    signaling.close();
    media.stop();
    page.showError(errorText(err.code, err.message));
    page.setBusy(false);
    return;
  }

  app.media = media;
  app.signaling = signaling;
  wireSignaling(signaling);
  enterCall();
  acceptJoin(reply);
}

/* ---- the call ---- */

function enterCall() {
  app.view = 'call';
  app.fatal = '';
  app.wsLost = false;
  app.call = new CallView({
    onMute: () => app.media.setMicMuted(!app.media.micMuted),
    onCamera: () => toggleCamera(),
    onSwitch: () => switchCamera(),
    onLeave: () => leave(),
    onRetry: () => retry(),
  });
  app.call.setRoom(app.room);
  root.replaceChildren(app.call.el);
  app.media.onChange = () => renderSelf();
  app.media.onVideoTrack = (track) => app.peer?.replaceVideoTrack(track);
  renderSelf();
  renderParticipants();
  updateConnection();
  app.call.controls.mic.focus();
  startLiveness();
}

/* Once a second, the decoded-frame counts tell each tile whether its
 * picture is moving (else it shows the initials). */
function startLiveness() {
  clearInterval(app.livenessTimer);
  app.livenessTimer = setInterval(async () => {
    if (!app.call || !app.peer) return;
    try {
      const stats = await app.peer.stats();
      app.call?.noteStats(stats);
    } catch {
      /* the PeerConnection closed meanwhile */
    }
  }, 1000);
}

/* Applies a `join` reply: who we are, who is there, then publish. */
function acceptJoin(reply) {
  app.self = { id: reply.self, name: app.name, role: reply.role };
  app.joinState = reply.state;
  app.iceServers = reply.iceServers ?? []; /* TURN credentials, fresh on every join */
  app.participants.clear();
  app.gone.clear();
  for (const p of reply.participants ?? []) addParticipant(p);
  newPeer();
  renderParticipants();
  if (reply.state === 'waiting') {
    updateConnection();
    return; /* `admitted` starts the publish */
  }
  publish();
}

function newPeer() {
  app.peer?.close();
  app.peer = new PeerSession(app.signaling, {
    iceServers: app.iceServers,
    onRemoteChange: () => renderParticipants(),
    onStateChange: () => updateConnection(),
    onError: (kind, err) => {
      console.error(`samvei: ${kind} failed`, err);
      app.fatal = t('reason.publish', { detail: err.message ?? String(err) });
      updateConnection();
    },
  });
}

async function publish() {
  const peer = app.peer;
  app.publishing = true;
  updateConnection();
  try {
    await peer.publish(app.media.audioTrack, app.media.videoTrack, app.media.stream);
  } catch (err) {
    if (peer !== app.peer) return; /* replaced by a rejoin meanwhile */
    console.error('samvei: publish failed', err);
    if (err.code !== 'disconnected') app.fatal = t('reason.publish', { detail: err.message ?? String(err) });
  } finally {
    if (peer === app.peer) app.publishing = false;
    updateConnection();
  }
}

function addParticipant(p) {
  if (!p || typeof p.id !== 'string' || p.id === app.self?.id) return;
  const old = app.participants.get(p.id);
  app.participants.set(p.id, { id: p.id, name: p.name ?? '', role: p.role ?? '', hadTracks: old?.hadTracks ?? false });
  app.gone.delete(p.id);
}

function wireSignaling(sig) {
  sig.on('participant-joined', (m) => {
    addParticipant(m.participant);
    renderParticipants();
  });
  sig.on('participant-left', (m) => {
    app.participants.delete(m.participant);
    app.gone.add(m.participant);
    renderParticipants();
  });
  sig.on('subscribe', (m) => app.peer?.handleSubscribe(m));
  sig.on('candidate', (m) => app.peer?.handleCandidate(m));
  sig.on('pc-state', (m) => app.peer?.handlePcState(m));
  sig.on('admitted', () => {
    if (app.joinState === 'waiting') {
      app.joinState = 'joined';
      publish();
    }
  });
  sig.on('reconnecting', (info) => {
    app.wsLost = true;
    app.reason = info.code === 1009 ? t('reason.too-big') : t('reason.ws-closed', { code: info.code });
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
async function rejoin() {
  if (app.view !== 'call' || app.rejoining) return;
  app.rejoining = true;
  app.fatal = '';
  updateConnection();
  try {
    const reply = await app.signaling.request('join', { room: app.room, name: app.name });
    app.wsLost = false;
    acceptJoin(reply);
  } catch (err) {
    if (err.code !== 'disconnected') app.fatal = t('reason.rejoin', { detail: errorText(err.code, err.message) });
  } finally {
    app.rejoining = false;
    updateConnection();
  }
}

/* The retry button: back on the WebSocket if it is down, leave if still in
 * the room, then join again. */
async function retry() {
  if (app.view !== 'call') return;
  app.fatal = '';
  app.peer?.close();
  updateConnection();
  const sig = app.signaling;
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

async function toggleCamera() {
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

async function switchCamera() {
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

async function leave() {
  if (app.view !== 'call') return;
  const { signaling, peer, media, call } = app;
  app.view = 'leaving';
  try {
    if (signaling.isOpen) await signaling.request('leave', {}, 3000);
  } catch {
    /* we go anyway */
  }
  clearInterval(app.livenessTimer);
  signaling.close();
  peer?.close();
  media.stop();
  call.destroy();
  Object.assign(app, { signaling: null, peer: null, media: null, call: null, self: null, connection: 'idle', reason: '' });
  app.participants.clear();
  showJoin(t('join.left'));
}

/* ---- rendering ---- */

function renderSelf() {
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
}

/* The remote tiles: everyone in the room, except those whose tracks were
 * there and are gone (they are leaving or their media failed). */
function renderParticipants() {
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
    list.push({ ...p, audio: m?.audio ?? null, video: m?.video ?? null });
  }
  app.call.setParticipants(list);
}

function computeConnection() {
  if (app.fatal) return ['failed', app.fatal];
  const sig = app.signaling;
  if (!sig || !sig.isOpen || app.rejoining) return [app.wsLost ? 'reconnecting' : 'connecting', app.wsLost ? app.reason : ''];
  if (!app.peer) return ['connecting', ''];
  const s = app.peer.states();
  const server = app.peer.serverState;
  for (const kind of ['publish', 'subscribe']) {
    if (s[kind] === 'failed' || server[kind]?.state === 'failed') {
      const why = server[kind]?.reason;
      return ['failed', why ? t('reason.pc-failed-server', { reason: why }) : t('reason.pc-failed', { pc: t(`pc.${kind}`) })];
    }
  }
  if (s.publish === 'disconnected' || s.subscribe === 'disconnected') return ['reconnecting', ''];
  if (app.publishing || (app.joinState !== 'waiting' && s.publish !== 'connected')) return ['connecting', ''];
  if (s.subscribe !== 'none' && s.subscribe !== 'connected') return ['connecting', ''];
  return ['connected', ''];
}

/* The network changed or media has been stuck: reconnect the WebSocket at
 * once if it is down, else leave and rejoin (new PeerConnections, fresh ICE). */
function recoverMedia(why, broken) {
  if (app.view !== 'call' || !app.signaling) return;
  if (!app.signaling.isOpen) return app.signaling.reconnectNow();
  if (!broken || app.rejoining || app.joinState === 'waiting') return;
  console.info(`samvei: media path broken (${why}): rejoining`);
  retry();
}
const netwatch = new NetWatch({ onRecover: recoverMedia });

function updateConnection() {
  if (!app.call || app.view !== 'call') return;
  netwatch.update(app.peer ? app.peer.states() : {});
  const [state, reason] = computeConnection();
  if (state === app.connection && reason === app.reasonShown) return;
  app.connection = state;
  app.reasonShown = reason;
  app.call.status.set(state, reason);
  document.body.dataset.connection = state;
}

/* ---- diagnostics for support and tests ---- */

window.samvei = Object.freeze({
  state: () => ({
    view: app.view,
    connection: app.view === 'call' ? app.connection : 'idle',
    reason: app.view === 'call' ? app.reasonShown ?? '' : '',
    room: app.view === 'call' ? app.room : null,
    joinState: app.joinState,
    pc: app.peer ? app.peer.states() : null,
    micMuted: app.media?.micMuted ?? false,
    cameraOn: app.media?.cameraOn ?? false,
  }),
  self: () => (app.self ? { ...app.self } : null),
  participants: () =>
    [...app.participants.values()].map((p) => ({
      id: p.id,
      name: p.name,
      role: p.role,
      tile: !!app.call?.tiles.has(p.id),
    })),
  stats: async () => {
    const out = {};
    if (!app.peer) return out;
    const stats = await app.peer.stats();
    for (const [id, s] of Object.entries(stats)) {
      if (app.gone.has(id)) continue;
      out[id] = { name: app.participants.get(id)?.name ?? '', ...s };
    }
    return out;
  },
});

window.addEventListener('pagehide', () => app.signaling?.close());

showJoin();
