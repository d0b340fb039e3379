/*
 * main.js — the web client's entry point and its views: the join page, the
 * waiting screen, the call and the end screen, and window.samvei. The call
 * session (join, publish, the server's events, reconnecting) is
 * session.js, the tiles and what they show render.js, the shared state
 * state.js.
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
 * person sees the pre-call check and acknowledges the privacy notice;
 * with ?direct=1 (links from the urgent-guidance pages, which showed the
 * notice) the page joins at once with the token's name.
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
import { pickLanguage, setLanguage, rememberLanguage, t, errorText } from './i18n.js';
import { Signaling } from './signaling.js';
import { LayerPrefs } from './layerprefs.js';
import { LocalMedia } from './media.js';
import { JoinPage } from './ui/join.js';
import { gateLink } from './ui/linkstate.js';
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
import { app, root, invite, token, isObserver, joinsWithoutDevices } from './state.js';
import { startLiveness, renderSelf, renderPaused, renderParticipants, renderWaiting } from './render.js';
import { langSwitch } from './ui/langswitch.js';
import {
  joinFields,
  applyJoinReply,
  startSending,
  stopSending,
  hostRequest,
  sendMediaState,
  addParticipant,
  wireSignaling,
  retry,
  toggleCamera,
  toggleAudioOnly,
  stopCameraForAudio,
  switchCamera,
  leave,
  updateConnection,
} from './session.js';

setLanguage(pickLanguage());
document.title = t('app.name');

async function loadNotice() {
  try {
    const res = await fetch('/api/notice', { cache: 'no-store' });
    const body = res.ok ? await res.json() : null;
    app.notice = typeof body?.notice === 'string' ? body.notice : null;
  } catch {
    app.notice = null;
  }
}

export function showJoin(notice) {
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

export function closeViews() {
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

export function enterWaiting() {
  closeViews();
  app.view = 'waiting';
  app.waitingView = new WaitingView({ onLeave: () => leave(), onLanguage: (lang) => relabelWaiting(lang) });
  app.waitingView.setStream(app.media?.stream ?? null);
  root.replaceChildren(app.waitingView.el);
  document.body.dataset.connection = 'waiting';
}

export function enterCall() {
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
  /* A group teaching keeps its state (the floor, hands) in its view: no
   * redrawing it there. */
  if (!app.teaching) app.call.selfQuality.el.after(langSwitch({ onSwitch: (lang) => relabelCall(lang) }));
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

/* The language switch in the call: the call view is drawn again in the new
 * language; the connections and the media go on untouched. Not while a
 * recording or our own screen share runs, whose state lives in the view. */
function relabelCall(lang) {
  if ((app.recording && app.recording.state !== 'off') || app.screen?.state().sharing) {
    app.call.toast(t('lang.busy'));
    return;
  }
  rememberLanguage(lang);
  setLanguage(lang);
  document.title = t('app.name');
  /* The new view's status line is drawn afresh (updateConnection draws
   * only changes). */
  app.connection = null;
  app.reasonShown = null;
  enterCall();
  renderWaiting();
  app.call.announce(t('lang.changed'));
  document.getElementById('lang-switch')?.focus();
}

/* The language switch in the waiting room: the text is drawn again in
 * place; the connection, and so the place in the queue, goes on. */
function relabelWaiting(lang) {
  rememberLanguage(lang);
  setLanguage(lang);
  document.title = t('app.name');
  app.waitingView?.relabel();
  app.waitingView?.announceLanguage();
}

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

/* The chat panel is there in the call when the server has chat on. */
export function syncChat() {
  const on = app.view === 'call' && !!app.call && app.features.chat !== false;
  if (on && !app.chat) app.chat = new ChatPanel({ call: app.call, signaling: app.signaling, selfId: () => app.self?.id });
  if (!on && app.chat) {
    app.chat.destroy();
    app.chat = null;
  }
}

/* The end of a participation: everything stops (the camera light goes
 * out), then the end screen for `kind` (ui/end.js: left, rejected,
 * removed, ended, cancelled, revoked, replaced). */
export function endSession(kind) {
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
    /* ?direct=1 (the urgent-guidance pages, which showed the privacy
     * notice): join at once with the name in the token. */
    if (new URLSearchParams(location.search).get('direct') === '1' && invite?.name && app.room) join({ room: app.room, name: invite.name });
  },
});
