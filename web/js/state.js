/*
 * state.js — the web client's state, shared by main.js (the page and its
 * views), session.js (the call session: join, publish, the server's
 * events, reconnecting) and render.js (the tiles and what they show): who
 * we are, who is in the room, the connections and the views on the page.
 *
 * An invitation link is /?room=R#token=T: the token stays in the URL
 * fragment, which the browser never sends to a server.
 */
import { decodeInvite } from './ui/linkstate.js';
import { QualityMeter } from './quality.js';
import { attendsOnly } from './teaching.js';

export const root = document.getElementById('app');
const params = new URLSearchParams(location.search);
const fragment = new URLSearchParams(location.hash.slice(1));

export const token = fragment.get('token') ?? '';
export const invite = token ? decodeInvite(token) : null;

export const app = {
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

export const isObserver = () => (app.self?.role ?? invite?.role) === 'observer';

/* Observers, and attendees of a group teaching, join without devices. */
export const joinsWithoutDevices = () => invite?.role === 'observer' || attendsOnly(app.link, invite);
