/*
 * urgent.js — the "ask for urgent help" page (urgent.html?team=…#token=…)
 * for municipal staff: one large button sends `urgent-request` to the
 * on-call team; the page waits, and when a specialist accepts it goes to
 * the join page of the new consultation with the token it was given.
 */
import { h } from '../ui/dom.js';
import { Signaling } from '../signaling.js';
import { initLanguage, st, staffError, joinLink, fragmentToken } from './text.js';

initLanguage();
document.title = `${st('urgent.title')} – samvei`;
const token = fragmentToken();
const team = new URLSearchParams(location.search).get('team') ?? '';

const status = h('p', { class: 'staff-status', id: 'urgent-status', role: 'status' }, st('urgent.intro'));
const ask = h('button', { type: 'button', class: 'btn btn-primary btn-urgent', id: 'ask-urgent', onclick: send }, st('urgent.ask'));
document.getElementById('app').replaceChildren(
  h('header', { class: 'staff-header' }, h('h1', {}, st('urgent.title'))),
  status,
  ask,
);

const sig = new Signaling();

async function send() {
  ask.disabled = true;
  try {
    if (!sig.isOpen) await sig.connect();
    const ok = await sig.request('urgent-request', { token, team });
    status.textContent = `${st('urgent.to', { team: ok.team.name })}. ${st(ok.watchers > 0 ? 'urgent.waiting' : 'urgent.nobody')}`;
    document.body.dataset.request = ok.request;
  } catch (err) {
    ask.disabled = false;
    status.textContent = staffError(err, 'urgent.error');
    status.dataset.code = err.code ?? 'connect';
    if (err.reason) status.dataset.reason = err.reason;
    /* A revoked or unknown link will not work again: no button to retry. */
    if (err.code === 'unauthorized') ask.disabled = true;
  }
}

sig.on('urgent-accepted', (m) => {
  status.textContent = st('urgent.accepted', { by: m.by });
  setTimeout(() => (location.href = joinLink(m.room, m.token)), 800);
});

/* A dropped connection withdraws the request (the server tells the on-call
 * pages): ask again. */
sig.on('reconnected', () => {
  if (!document.body.dataset.request) return;
  delete document.body.dataset.request;
  ask.disabled = false;
  status.textContent = st('urgent.intro');
});

if (!token || !team) {
  status.textContent = st('urgent.no-link');
  ask.disabled = true;
}
