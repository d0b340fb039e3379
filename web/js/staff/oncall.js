/*
 * oncall.js — the on-call page (oncall.html#token=…): an on-call specialist
 * watches their team's urgent requests (docs/protocol.md, "Urgent
 * guidance"). A new request shows at once as a highlighted card with an
 * alert banner and a beep; Accept takes the specialist to the join page of
 * the new consultation with their own token.
 */
import { h } from '../ui/dom.js';
import { Signaling } from '../signaling.js';
import { beep, enableSound, soundEnabled } from './beep.js';
import { initLanguage, st, staffError, joinLink, fragmentToken } from './text.js';

initLanguage();
document.title = `${st('oncall.title')} – samvei`;
const token = fragmentToken();
const requests = new Map(); /* id → request */
let beeps = 0;

const status = h('p', { class: 'staff-status', id: 'oncall-status' }, st('oncall.connecting'));
const alertBox = h('div', { class: 'urgent-alert', id: 'urgent-alert', role: 'alert', hidden: true });
const list = h('ul', { class: 'urgent-list', id: 'urgent-list', 'aria-live': 'polite' });
const empty = h('p', { class: 'staff-empty', id: 'urgent-empty' }, st('oncall.none'));
const note = h('p', { class: 'staff-note', id: 'oncall-note', role: 'status' });
const soundButton = h('button', { type: 'button', class: 'btn', id: 'sound-on', onclick: turnSoundOn }, st('oncall.sound'));

document.getElementById('app').replaceChildren(
  h('header', { class: 'staff-header' }, h('h1', {}, st('oncall.title')), soundButton),
  status,
  alertBox,
  list,
  empty,
  note,
);

async function turnSoundOn() {
  if (await enableSound()) {
    soundButton.textContent = st('oncall.sound-on');
    soundButton.disabled = true;
  }
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
  if (fresh.length) alertBox.textContent = st('oncall.alert', { team: fresh[fresh.length - 1].fromTeam.name });
  document.body.dataset.requests = String(requests.size);
}

function add(r, fresh) {
  requests.set(r.id, { ...r, fresh });
  render();
  if (fresh && beep()) beeps++;
  document.body.dataset.beeps = String(beeps);
}

function drop(id, text) {
  if (!requests.delete(id)) return;
  note.textContent = text;
  render();
}

async function accept(r) {
  note.textContent = '';
  try {
    const ok = await sig.request('urgent-accept', { request: r.id });
    location.href = joinLink(ok.room, ok.token);
  } catch (err) {
    drop(r.id, st('oncall.error', { detail: err.message }));
  }
}

const sig = new Signaling();

async function watch() {
  const ok = await sig.request('urgent-watch', { token });
  status.textContent = st('oncall.watching', { team: ok.team.name, name: ok.name });
  document.body.dataset.watching = ok.team.id;
  requests.clear();
  for (const r of ok.requests) add(r, true);
  render();
}

sig.on('urgent-requested', (m) => add(m.request, true));
sig.on('urgent-taken', (m) => drop(m.request, st('oncall.taken', { by: m.by })));
sig.on('urgent-withdrawn', (m) => drop(m.request, st('oncall.withdrawn')));
sig.on('reconnected', () => watch().catch((err) => (status.textContent = st('oncall.error', { detail: err.message }))));

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
/* Try sound at once (allowed where the browser remembers this site). */
enableSound().then((on) => {
  if (on && soundEnabled()) {
    soundButton.textContent = st('oncall.sound-on');
    soundButton.disabled = true;
  }
});

window.samveiOncall = Object.freeze({
  requests: () => [...requests.values()].map((r) => ({ id: r.id, name: r.name, team: r.fromTeam.name })),
  beeps: () => beeps,
});
