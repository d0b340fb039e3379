/*
 * oncall.js — the on-call page (oncall.html#token=…): an on-call specialist
 * watches their team's urgent requests (docs/protocol.md, "Urgent
 * guidance").
 *
 * The page first asks, once, to turn on sound and browser notifications;
 * it says it is ready only when they are on, or when the person chose to
 * continue without (remembered in localStorage). A new request shows at
 * once as a highlighted card (with its category, when the nurse gave one)
 * and an alert banner, rings (a beep every few seconds until the person
 * touches the page or accepts) and, when the tab is in the background,
 * shows a system notification whose click brings the page forward.
 *
 * Accept opens the call in a new tab with the specialist's own token and
 * `direct` (the join page joins at once: the privacy notice is shown
 * here); this page keeps its WebSocket, so later requests still arrive
 * and ring while the call is open.
 */
import { h } from '../ui/dom.js';
import { Signaling } from '../signaling.js';
import { langSwitch } from '../ui/langswitch.js';
import { beep, enableSound, soundEnabled } from './beep.js';
import { initLanguage, st, staffError, joinLink, fragmentToken, privacyNotice } from './text.js';

initLanguage();
document.title = `${st('oncall.title')} – samvei`;
const token = fragmentToken();
const requests = new Map(); /* id → request, with fresh (waiting) and ringing */
const shown = new Map(); /* id → the system Notification shown for it */
const SILENT_KEY = 'samvei.oncall.silent';
const RING_EVERY_MS = 3000;
let beeps = 0;
let ringTimer = null;
let watching = null; /* the urgent-watch reply, once watching */
/* 'alerts': sound (and notifications where the browser has them) are on;
 * 'silent': the person chose to go on without; null: not asked yet. */
let mode = localStorage.getItem(SILENT_KEY) === '1' ? 'silent' : null;

const status = h('p', { class: 'staff-status', id: 'oncall-status', role: 'status', tabindex: '-1' }, st('oncall.connecting'));
const setupMsg = h('p', { class: 'staff-error', id: 'oncall-setup-msg', hidden: true });
const setupOn = h('button', { type: 'button', class: 'btn btn-primary', id: 'alerts-on', onclick: turnOn }, st('oncall.setup.on'));
const setup = h(
  'section',
  { class: 'staff-panel oncall-setup', id: 'oncall-setup', 'aria-labelledby': 'oncall-setup-h', hidden: true },
  h('h2', { id: 'oncall-setup-h' }, st('oncall.setup')),
  h('p', {}, st('oncall.setup.text')),
  h(
    'div',
    { class: 'staff-row' },
    setupOn,
    h('button', { type: 'button', class: 'btn', id: 'alerts-skip', onclick: goSilent }, st('oncall.setup.skip')),
  ),
  setupMsg,
);
const alertBox = h('div', { class: 'urgent-alert', id: 'urgent-alert', role: 'alert', hidden: true });
/* Below the cards: hiding it on a pointerdown must not move an Accept
 * button from under the pointer. */
const silence = h('button', { type: 'button', class: 'btn', id: 'ring-stop', hidden: true, onclick: () => seen() }, st('oncall.silence'));
const list = h('ul', { class: 'urgent-list', id: 'urgent-list', 'aria-live': 'polite' });
const empty = h('p', { class: 'staff-empty', id: 'urgent-empty' }, st('oncall.none'));
const note = h('p', { class: 'staff-note', id: 'oncall-note', role: 'status' });
const noticeText = h('p', { class: 'staff-note', id: 'oncall-notice' });
const headerOn = h('button', { type: 'button', class: 'btn', id: 'sound-on', hidden: true, onclick: turnOn }, st('oncall.setup.on'));

document.getElementById('app').replaceChildren(
  h('header', { class: 'staff-header' }, h('h1', {}, st('oncall.title')), headerOn, langSwitch()),
  setup,
  status,
  alertBox,
  list,
  silence,
  empty,
  note,
  noticeText,
);
privacyNotice().then((text) => (noticeText.textContent = st('oncall.notice', { notice: text })));

const hasNotifications = () => 'Notification' in window;

/* From a click: sound and notifications together. */
async function turnOn() {
  setupMsg.hidden = true;
  const permission = hasNotifications()
    ? Notification.permission === 'default'
      ? Notification.requestPermission()
      : Promise.resolve(Notification.permission)
    : Promise.resolve('unsupported');
  const [sound, perm] = await Promise.all([enableSound(), permission.catch(() => 'denied')]);
  if (!sound || perm === 'denied' || perm === 'default') {
    setupMsg.textContent = st(sound ? 'oncall.setup.denied' : 'oncall.setup.no-sound');
    setupMsg.hidden = false;
    setup.hidden = false;
    setupOn.focus();
    return;
  }
  /* 'unsupported': a browser without notifications rings only. */
  mode = 'alerts';
  localStorage.removeItem(SILENT_KEY);
  update();
  /* The panel with the pressed button is gone: focus the status it changed. */
  status.focus();
}

function goSilent() {
  mode = 'silent';
  localStorage.setItem(SILENT_KEY, '1');
  update();
  status.focus();
}

/* The setup panel, the ready status and the header button, from mode. */
function update() {
  setup.hidden = mode !== null;
  headerOn.hidden = mode !== 'silent';
  document.body.dataset.ready = mode ?? '';
  if (!watching) return;
  const params = { team: watching.team.name, name: watching.name };
  status.textContent = mode === 'alerts' ? st('oncall.watching', params) : mode === 'silent' ? st('oncall.watching-silent', params) : st('oncall.not-ready');
}

function time(iso) {
  return new Date(iso).toLocaleTimeString(document.documentElement.lang, { hour: '2-digit', minute: '2-digit' });
}

function render() {
  list.replaceChildren(
    ...[...requests.values()].map((r) =>
      h(
        'li',
        { class: `urgent-card${r.fresh ? ' fresh' : ''}`, 'data-request': r.id },
        h('div', { class: 'urgent-who' }, st('oncall.from', { name: r.name, team: r.fromTeam.name })),
        r.category ? h('div', { class: 'urgent-category', 'data-category': r.category }, st(`cat.${r.category}`)) : null,
        h('div', { class: 'urgent-since' }, st('oncall.since', { time: time(r.requestedAt) })),
        h(
          'button',
          { type: 'button', class: 'btn btn-primary btn-accept', 'aria-label': st('oncall.accept-name', { name: r.name }), onclick: () => accept(r) },
          st('oncall.accept'),
        ),
      ),
    ),
  );
  empty.hidden = requests.size > 0;
  const fresh = [...requests.values()].filter((r) => r.fresh);
  alertBox.hidden = fresh.length === 0;
  if (fresh.length) {
    const last = fresh[fresh.length - 1];
    const what = last.category ? ` (${st(`cat.${last.category}`)})` : '';
    alertBox.textContent = `${st('oncall.alert', { team: last.fromTeam.name })}${what}`;
  }
  silence.hidden = !ringing();
  document.body.dataset.requests = String(requests.size);
}

const ringing = () => [...requests.values()].some((r) => r.ringing);

/* One beep of the ring; stops the ring once nothing rings. */
function ding() {
  if (!ringing()) {
    clearInterval(ringTimer);
    ringTimer = null;
    return;
  }
  if (beep()) beeps++;
  document.body.dataset.beeps = String(beeps);
}

function ring() {
  ding();
  if (!ringTimer) ringTimer = setInterval(ding, RING_EVERY_MS);
}

/* The person has seen the requests: the ringing stops (the cards and the
 * banner stay until someone accepts). The cards are not redrawn: this
 * runs on the pointerdown of a click on Accept. */
function seen() {
  for (const r of requests.values()) r.ringing = false;
  silence.hidden = true;
}

/* A system notification, for a page in the background. */
function notify(r) {
  if (mode !== 'alerts' || !hasNotifications() || Notification.permission !== 'granted') return;
  if (!document.hidden && document.hasFocus()) return;
  try {
    const n = new Notification(st('oncall.notify.title'), {
      body: st('oncall.notify.body', { name: r.name, team: r.fromTeam.name }),
      tag: `samvei-urgent-${r.id}`,
      requireInteraction: true,
    });
    n.onclick = () => {
      window.focus();
      n.close();
    };
    shown.set(r.id, n);
  } catch {
    /* Some browsers allow notifications only from a service worker: the ring and the banner remain. */
  }
}

function add(r, fresh) {
  requests.set(r.id, { ...r, fresh, ringing: fresh });
  render();
  if (fresh) {
    ring();
    notify(r);
  }
}

function drop(id, text) {
  shown.get(id)?.close();
  shown.delete(id);
  if (!requests.delete(id)) return;
  if (text !== undefined) note.replaceChildren(text);
  render();
}

async function accept(r) {
  note.replaceChildren();
  seen();
  /* Opened now, inside the click, so that the browser allows it; it is
   * sent to the call once the server answers. */
  const win = window.open('', '_blank');
  try {
    const ok = await sig.request('urgent-accept', { request: r.id });
    const href = joinLink(ok.room, ok.token, { direct: true });
    const again = h('a', { href, target: '_blank', rel: 'noopener', class: 'btn', id: 'open-call' }, st('oncall.open-call', { name: r.name }));
    if (win) {
      win.opener = null;
      win.location.href = href;
      drop(r.id, h('span', {}, st('oncall.opened', { name: r.name }), ' ', again));
    } else {
      drop(r.id, h('span', {}, st('oncall.blocked'), ' ', again));
      again.focus();
    }
  } catch (err) {
    win?.close();
    drop(r.id, st('oncall.error', { detail: err.message }));
  }
}

const sig = new Signaling();

async function watch() {
  const ok = await sig.request('urgent-watch', { token });
  watching = ok;
  document.body.dataset.watching = ok.team.id;
  update();
  requests.clear();
  for (const r of ok.requests) add(r, true);
  render();
}

sig.on('urgent-requested', (m) => add(m.request, true));
sig.on('urgent-taken', (m) => drop(m.request, st('oncall.taken', { by: m.by })));
sig.on('urgent-withdrawn', (m) => drop(m.request, st(m.reason === 'cancelled' ? 'oncall.cancelled' : 'oncall.withdrawn')));
sig.on('reconnected', () => watch().catch((err) => (status.textContent = st('oncall.error', { detail: err.message }))));

/* Touching the visible page means the person has seen what is there. */
for (const type of ['pointerdown', 'keydown']) document.addEventListener(type, () => !document.hidden && seen(), true);

if (!token) {
  status.textContent = st('oncall.no-link');
} else {
  sig
    .connect()
    .then(watch)
    .catch((err) => {
      status.textContent = staffError(err, 'oncall.error');
      status.dataset.code = err.code ?? 'connect';
    });
}

/* Where the browser remembers this site, sound and notifications may be
 * on without asking; else the setup panel asks once. */
enableSound().then((on) => {
  if (mode === null && on && soundEnabled() && (!hasNotifications() || Notification.permission === 'granted')) mode = 'alerts';
  update();
});
update();

window.samveiOncall = Object.freeze({
  requests: () => [...requests.values()].map((r) => ({ id: r.id, name: r.name, team: r.fromTeam.name, category: r.category ?? null })),
  beeps: () => beeps,
  ringing,
});
