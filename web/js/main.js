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
 * An invitation link is /?room=R#token=T: the token stays in the URL
 * fragment, which the browser never sends to a server. Before joining, the
 * person sees the pre-call check and acknowledges the privacy notice.
 * Patients, relatives and interpreters first land on the waiting screen
 * until a host admits them; hosts get the waiting-room panel; observers
 * join without sending.
 *
 * If the WebSocket drops, the server forgets the session; once signaling.js
 * has reconnected, the client joins the room again with fresh
 * PeerConnections. window.samvei exposes a small read-only view of all this
 * for support and for the browser tests.
 *
 * Joining takes whatever devices the person has: a refused or missing
 * camera joins with sound only, no devices at all joins to watch and
 * listen (nothing is published then). Each participant tells the others
 * whether it is muted or its camera is off (`media-state`); tiles show it.
 * Leaving, being turned away or removed, and a consultation ended each
 * lead to an end screen (ui/end.js) with the camera and microphone off.
 * A lost server is retried by itself, with back-off, for as long as it
 * takes (signaling.js).
 *
 * Weak links: the server says which of our camera's simulcast layers anyone
 * receives (`layers`, applied by peer.js) and when it pauses video towards
 * us (`video-paused`); small tiles ask for the lowest layer (layerprefs.js);
 * "Audio only" asks for no video at all; getStats feeds the quality
 * indicators once a second (quality.js).
 *
 * The in-call chat (ui/chat.js) is there unless the join reply's
 * `features` say the server has chat off. Screen sharing, and the stage
 * that shows others' shares, is ui/screenshare.js.
 *
 * A group teaching (teaching.js): attendees join without devices and
 * publish only while they have the floor; presenters get the classroom.
 */
import { pickLanguage, setLanguage, t, errorText } from './i18n.js';
import { Signaling } from './signaling.js';
import { PeerSession } from './peer.js';
import { NetWatch } from './netwatch.js';
import { QualityMeter } from './quality.js';
import { LayerPrefs } from './layerprefs.js';
import { LocalMedia, mediaErrorCode } from './media.js';
import { JoinPage } from './ui/join.js';
import { gateLink, decodeInvite } from './ui/linkstate.js';
import { CallView } from './ui/call.js';
import { PreCheck } from './ui/precheck.js';
import { WaitingView } from './ui/waiting.js';
import { HostPanel, confirmRemove } from './ui/host.js';
import { EndView } from './ui/end.js';
import { RecordingUI } from './ui/recording.js';
import { ChatPanel } from './ui/chat.js';
import { ScreenShare } from './ui/screenshare.js';
import { Teaching, attendsOnly } from './teaching.js';
import { teachingNotice } from './ui/teaching.js';

setLanguage(pickLanguage());
document.title = t('app.name');

const root = document.getElementById('app');
const params = new URLSearchParams(location.search);
const fragment = new URLSearchParams(location.hash.slice(1));

const token = fragment.get('token') ?? '';
const invite = token ? decodeInvite(token) : null;

const app = {
  view: 'join',
  room: params.get('room') ?? invite?.room ?? '',
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
  precheck: null,
  waitingView: null,
  hostPanel: null,
  recording: null, /* RecordingUI while in the call */
  chat: null, /* ChatPanel while in the call, unless the server has chat off */
  screen: null, /* ScreenShare while in the call */
  teaching: null, /* Teaching while in the call of a group teaching */
  features: {}, /* from the join reply: {chat: false} when the server has chat off */
  waiting: new Map(), /* hosts: id → { id, name, role } of those waiting */
  notice: null, /* the server's privacy notice, or null for the built-in text */
  consultation: null, /* {title, start, end} from the join reply, when booked */
  link: null, /* the invitation as GET /api/link saw it on opening (ui/linkstate.js), or null */
  choices: { cameraOff: false, muted: false, speakerId: null }, /* from the pre-call check */
  watchOnly: false, /* joined with no camera and no microphone: publishes nothing */
  sentMediaState: '', /* the last media-state sent, so that only changes go */
  endView: null,
  endKind: null,
  connection: 'idle',
  reason: '',
  fatal: '', /* a reason that holds until the person retries */
  wsLost: false,
  rejoining: false,
  publishing: false,
  audioOnly: false, /* chose to receive no video */
  audioOnlyBusy: false, /* an audio-only request is on its way */
  cameraStoppedForAudio: false, /* the audio-only note's checkbox stopped the camera */
  videoPaused: null, /* the server paused video towards us: 'bandwidth', 'audio-only' or null */
  pausedFrom: null, /* ... from these participants (a Set), null: from everyone */
  quality: new QualityMeter(),
  layerPrefs: null, /* LayerPrefs while in the call */
};

/* ---- join page ---- */

const isObserver = () => (app.self?.role ?? invite?.role) === 'observer';
/* Observers, and attendees of a group teaching, join without devices. */
const joinsWithoutDevices = () => invite?.role === 'observer' || attendsOnly(app.link, invite);

async function loadNotice() {
  try {
    const res = await fetch('/api/notice', { cache: 'no-store' });
    const body = res.ok ? await res.json() : null;
    app.notice = typeof body?.notice === 'string' ? body.notice : null;
  } catch {
    app.notice = null;
  }
}

function showJoin(notice) {
  app.view = 'join';
  app.endView = null;
  app.endKind = null;
  app.precheck?.destroy();
  app.precheck = new PreCheck({ media: !joinsWithoutDevices() });
  app.joinPage = new JoinPage({
    room: app.room,
    name: app.name,
    invite,
    title: app.link?.title,
    notice: app.notice,
    precheck: app.precheck,
    onSubmit: (v) => join(v),
  });
  if (app.link?.kind === 'group-teaching') teachingNotice(app.joinPage, attendsOnly(app.link, invite));
  root.replaceChildren(app.joinPage.el);
  if (notice) app.joinPage.showNotice(notice);
  app.joinPage.focus();
  app.precheck.run();
}

function joinFields() {
  const fields = { room: app.room, name: app.name, noticeAck: true };
  if (token) fields.token = token;
  return fields;
}

/* The camera and microphone to join with: the pre-call check's when it got
 * them, else started now; with the person's choices (camera off, muted)
 * applied. Never fails for want of devices: a LocalMedia without tracks
 * joins to watch and listen. Observers send nothing: an unstarted
 * LocalMedia. */
async function joinMedia() {
  await app.precheck?.ready;
  app.choices = app.precheck?.choices() ?? { cameraOff: false, muted: false, speakerId: null };
  let media = app.precheck?.takeMedia();
  if (joinsWithoutDevices()) return media ?? new LocalMedia();
  if (!media) {
    media = new LocalMedia();
    try {
      await media.start();
    } catch (err) {
      media.errors = { audio: err, video: err }; /* no getUserMedia: watch and listen */
    }
  }
  if (app.choices.cameraOff && media.cameraOn) await media.setCameraOn(false);
  if (app.choices.muted && media.hasAudio) media.setMicMuted(true);
  return media;
}

async function join({ room, name }) {
  const page = app.joinPage;
  app.room = room;
  app.name = name;
  page.setBusy(true);

  const media = await joinMedia();
  /* On a refusal the media goes back to the pre-call check, still running. */
  const giveBack = () => {
    if (app.precheck && app.precheck.media === media) app.precheck.taken = false;
    else media.stop();
  };

  /* Tests shorten the reconnect back-off (an init script sets
   * window.samveiTestOptions); people get signaling.js's defaults. */
  const signaling = new Signaling(undefined, window.samveiTestOptions?.signaling ?? {});
  try {
    await signaling.connect();
  } catch {
    giveBack();
    page.showError(t('error.connect'), 'connect');
    page.setBusy(false);
    return;
  }

  let reply;
  try {
    reply = await signaling.request('join', joinFields());
  } catch (err) {
    signaling.close();
    giveBack();
    page.showError(errorText(err.code, err.message, err), err.code);
    page.setBusy(false);
    return;
  }

  app.precheck?.destroy();
  app.precheck = null;
  app.media = media;
  app.signaling = signaling;
  wireSignaling(signaling);
  applyJoinReply(reply);
}

/* Shows the view a join reply calls for (waiting screen or call), then
 * applies it. Also used after a reconnect. */
function applyJoinReply(reply) {
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

/* ---- the waiting screen ---- */

function closeViews() {
  app.waitingView?.destroy();
  app.waitingView = null;
  app.recording?.destroy();
  app.recording = null;
  app.chat?.destroy();
  app.chat = null;
  app.screen?.destroy();
  app.screen = null;
  app.teaching?.destroy();
  app.teaching = null;
  app.call?.destroy();
  app.call = null;
  app.layerPrefs?.destroy();
  app.layerPrefs = null;
  app.hostPanel = null;
}

function enterWaiting() {
  closeViews();
  app.view = 'waiting';
  app.waitingView = new WaitingView({ onLeave: () => leave() });
  app.waitingView.setStream(app.media?.stream ?? null);
  root.replaceChildren(app.waitingView.el);
  document.body.dataset.connection = 'waiting';
}

/* ---- the call ---- */

function enterCall() {
  closeViews();
  app.view = 'call';
  app.fatal = '';
  app.wsLost = false;
  app.layerPrefs = new LayerPrefs({
    send: (participant, max) => app.signaling.request('layer', { participant, max }),
  });
  app.call = new CallView({
    onMute: () => app.media.setMicMuted(!app.media.micMuted),
    onCamera: () => toggleCamera(),
    onSwitch: () => switchCamera(),
    onLeave: () => leave(),
    onRetry: () => retry(),
    onAudioOnly: () => toggleAudioOnly(),
    onStopCamera: (stop) => stopCameraForAudio(stop),
    onTile: (id, el) => app.layerPrefs?.observe(id, el),
    onTileGone: (id) => app.layerPrefs?.unobserve(id),
  });
  if (app.self?.role === 'specialist') {
    app.hostPanel = new HostPanel({
      onAdmit: (id) => hostRequest('admit', { participant: id }),
      onReject: (id) => hostRequest('reject', { participant: id }),
      onMessage: (text) =>
        app.signaling.request('waiting-message', { text }).then((r) => app.call?.toast(t('host.sent', { n: r.delivered ?? 0 }))),
      onEnd: () => hostRequest('end', {}),
    });
    const remove = (id) => {
      if (confirmRemove(app.participants.get(id)?.name || t('call.unknown'))) hostRequest('remove', { participant: id });
    };
    app.call.setHost(app.hostPanel, remove, (id) => app.recording?.capture(id));
  }
  app.recording = new RecordingUI({
    call: app.call,
    hostPanel: app.hostPanel,
    signaling: app.signaling,
    selfId: () => app.self?.id,
    nameOf: (id) => (id === app.self?.id ? app.name : app.participants.get(id)?.name) || t('call.unknown'),
    people: () => app.participants.size + 1,
  });
  syncChat();
  app.screen = new ScreenShare({
    call: app.call,
    signaling: app.signaling,
    peer: () => app.peer,
    canSend: () => !isObserver() && !app.watchOnly && app.joinState !== 'waiting',
    isHost: () => app.self?.role === 'specialist',
  });
  if (app.consultation?.kind === 'group-teaching') startTeaching();
  /* Invited people see the consultation, never the technical room id. */
  if (!invite) app.call.setRoom(app.room);
  app.call.setTitle(app.consultation?.title ?? app.link?.title ?? (invite ? t('call.consultation') : null));
  app.call.setSink(app.choices.speakerId);
  root.replaceChildren(app.call.el);
  app.media.onChange = () => {
    renderSelf();
    sendMediaState();
  };
  app.media.onVideoTrack = (track) => app.peer?.replaceVideoTrack(track);
  renderSelf();
  renderParticipants();
  renderPaused();
  updateConnection();
  app.call.controls.mic.focus();
  startLiveness();
}

/* ---- group teaching (teaching.js) ---- */

function startTeaching() {
  app.teaching = new Teaching({
    call: app.call,
    signaling: app.signaling,
    host: app.self?.role === 'specialist',
    participants: app.participants,
    waiting: app.waiting,
    render: () => renderParticipants(),
    setPeople: (list) => {
      app.participants.clear();
      for (const p of list) addParticipant(p);
      renderParticipants();
    },
    startSending: (video) => startSending(video),
    stopSending: () => stopSending(),
  });
}

/* An attendee given the floor (or made presenter): the microphone, and
 * the camera when allowed, through the usual publish path. */
async function startSending(video) {
  app.peer?.unpublish();
  app.media.stop();
  await app.media.start({}, { video });
  app.watchOnly = false;
  renderSelf();
  sendMediaState();
  await publish();
}

/* The floor taken back: stop publishing, the devices go off. */
function stopSending() {
  app.peer?.unpublish();
  app.media?.stop();
  app.watchOnly = true;
  renderSelf();
  sendMediaState();
  updateConnection();
}

/* The chat panel is there in the call when the server has chat on. */
function syncChat() {
  const on = app.view === 'call' && !!app.call && app.features.chat !== false;
  if (on && !app.chat) app.chat = new ChatPanel({ call: app.call, signaling: app.signaling, selfId: () => app.self?.id });
  if (!on && app.chat) {
    app.chat.destroy();
    app.chat = null;
  }
}

/* Once a second, the decoded-frame counts tell each tile whether its
 * picture is moving (else it shows the initials), and the counters feed
 * the connection-quality indicators. */
function startLiveness() {
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
function noteQuality(stats, link) {
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

/* A host's request; a refusal is shown as a toast. */
function hostRequest(type, fields) {
  return app.signaling.request(type, fields).catch((err) => app.call?.toast(errorText(err.code, err.message)));
}

/* Applies a `join` reply (or an `admitted`): who we are, who is there, then
 * publish, unless waiting or observing. */
function acceptJoin(reply) {
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
    return;
  }
  if (isObserver()) {
    app.call?.toast(t('call.observer'), 10000);
    updateConnection();
    return;
  }
  /* No camera and no microphone: watch and listen, publish nothing. */
  const m = app.media;
  app.watchOnly = !m.hasAudio && !m.hasVideo && !m.deviceId;
  if (app.watchOnly) {
    app.call?.toast(t('call.joined-none'), 10000);
    updateConnection();
    return;
  }
  if (!m.hasVideo && !m.deviceId && m.errors?.video) app.call?.toast(t('call.joined-audio'), 10000);
  publish();
}

/* Tells the others whether our microphone is muted and our camera on
 * (`media-state`), once per change. Observers send nothing. */
function sendMediaState() {
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

function renderWaiting() {
  app.hostPanel?.setWaiting([...app.waiting.values()]);
  app.teaching?.renderPanel();
}

/* The end of a participation: everything stops (the camera light goes
 * out), then the end screen for `kind` (ui/end.js: left, rejected,
 * removed, ended, cancelled, revoked, replaced). */
function endSession(kind) {
  clearInterval(app.livenessTimer);
  app.signaling?.close();
  app.peer?.close();
  app.media?.stop();
  closeViews();
  Object.assign(app, {
    signaling: null,
    peer: null,
    media: null,
    self: null,
    joinState: null,
    connection: 'idle',
    reason: '',
    audioOnly: false,
    cameraStoppedForAudio: false,
    videoPaused: null,
  });
  app.quality.clear();
  app.participants.clear();
  app.waiting.clear();
  app.watchOnly = false;
  app.sentMediaState = '';
  delete document.body.dataset.connection;
  app.view = 'ended';
  app.endKind = kind;
  app.endView = new EndView({ kind, onRejoin: () => showJoin() });
  root.replaceChildren(app.endView.el);
  app.endView.focus();
}

function newPeer() {
  app.peer?.close();
  app.screen?.reset(); /* a share ends with its connection */
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

function wireSignaling(sig) {
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
async function rejoin() {
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
async function retry() {
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

/* ---- audio only ---- */

function sendAudioOnly(on) {
  return app.signaling.request('audio-only', { on });
}

/* The "Audio only" button: no video is sent to us while it is on. Turning
 * it off also brings back a camera its note stopped. */
async function toggleAudioOnly() {
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
async function stopCameraForAudio(stop) {
  try {
    await app.media.setCameraOn(!stop);
    app.cameraStoppedForAudio = stop;
  } catch (err) {
    app.call?.toast(t(`error.${mediaErrorCode(err)}`, { detail: err?.message ?? String(err) }));
  } finally {
    renderAudioOnly();
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
  if (m.cameraOn) app.cameraStoppedForAudio = false;
  renderAudioOnly();
  app.screen?.update();
}

function renderAudioOnly() {
  app.call?.setAudioOnly({
    on: app.audioOnly,
    cameraOff: !app.media?.cameraOn,
    hasCamera: (app.media?.cameraCount ?? 0) > 0 && !isObserver(),
  });
}

/* The tiles whose video is paused say why; our own choice (audio only)
 * is the reason shown on every tile even before the server confirms it.
 * A new pause is also said to screen readers. */
function renderPaused() {
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

function computeConnection() {
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
function recoverMedia(why, broken) {
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

function updateConnection() {
  if (!app.call || app.view !== 'call') return;
  netwatch.update(app.peer ? app.peer.states() : {});
  const [state, reason] = computeConnection();
  if (state === app.connection && reason === app.reasonShown) return;
  app.connection = state;
  app.reasonShown = reason;
  app.call.status.set(state, reason, app.wsLost);
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
    iceRestarts: app.peer?.iceRestarts ?? 0,
    micMuted: app.media?.micMuted ?? false,
    cameraOn: app.media?.cameraOn ?? false,
    audioOnly: app.audioOnly,
    videoPaused: app.videoPaused,
    endKind: app.endKind,
    watchOnly: app.watchOnly,
    hasAudio: app.media?.hasAudio ?? false,
    hasVideo: app.media?.hasVideo ?? false,
    reconnectAttempts: app.wsLost ? app.reconnectAttempts ?? 0 : 0,
  }),
  /* Weak links: our camera's simulcast layers (rid → active), the layer
   * each remote tile asks for, and the quality levels with their rates. */
  adapt: () => ({
    layers: app.peer?.layerState() ?? {},
    wanted: app.layerPrefs?.wanted() ?? {},
  }),
  quality: () => {
    const out = { self: { level: app.quality.level('self'), rates: app.quality.rates('self') }, participants: {} };
    for (const id of app.participants.keys())
      out.participants[id] = { level: app.quality.level(id), rates: app.quality.rates(id) };
    return out;
  },
  link: async () => (app.peer ? app.peer.linkStats() : null),
  screen: () => app.screen?.state() ?? null,
  self: () => (app.self ? { ...app.self } : null),
  teaching: () => app.teaching?.state() ?? null,
  waiting: () => [...app.waiting.values()].map((p) => ({ id: p.id, name: p.name, role: p.role })),
  participants: () =>
    [...app.participants.values()].map((p) => ({
      id: p.id,
      name: p.name,
      role: p.role,
      audio: p.audioOn,
      video: p.videoOn,
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

/* The link is checked as the page opens; the join page follows once it opens. */
const noticeLoaded = loadNotice();
gateLink({
  token,
  room: app.room,
  root,
  onOpen: async (link) => {
    app.link = link;
    await noticeLoaded;
    showJoin();
  },
});
