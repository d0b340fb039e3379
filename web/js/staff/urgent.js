/*
 * urgent.js — the "ask for urgent help" page (urgent.html?team=…#token=…)
 * for municipal staff: an optional category from a fixed list (never free
 * text) and one large button that sends `urgent-request` to the on-call
 * team. While it waits the request can be cancelled (`urgent-cancel`);
 * when nobody has accepted after the server's `fallbackAfterS`, the page
 * shows the team's phone number to call instead. When a specialist
 * accepts, the page goes straight into the call (the join link's `direct`:
 * the privacy notice is shown here).
 */
import { h } from '../ui/dom.js';
import { Signaling } from '../signaling.js';
import { langSwitch } from '../ui/langswitch.js';
import { initLanguage, st, staffError, joinLink, fragmentToken, privacyNotice, CATEGORIES } from './text.js';

initLanguage();
document.title = `${st('urgent.title')} – samvei`;
const token = fragmentToken();
const team = new URLSearchParams(location.search).get('team') ?? '';
let fallbackTimer = null;

const status = h('p', { class: 'staff-status', id: 'urgent-status', role: 'status' }, st('urgent.intro'));
const ask = h('button', { type: 'button', class: 'btn btn-primary btn-urgent', id: 'ask-urgent', onclick: send }, st('urgent.ask'));
const cancel = h('button', { type: 'button', class: 'btn', id: 'cancel-urgent', hidden: true, onclick: cancelRequest }, st('urgent.cancel'));
const fallback = h('div', { class: 'urgent-fallback', id: 'urgent-fallback', role: 'alert', hidden: true });
const radios = CATEGORIES.map((c) => h('input', { type: 'radio', name: 'category', value: c, id: `cat-${c}` }));
const categories = h(
  'fieldset',
  { class: 'urgent-categories', id: 'urgent-categories' },
  h('legend', {}, st('cat.label')),
  ...CATEGORIES.map((c, i) => h('label', { for: `cat-${c}`, class: 'urgent-cat' }, radios[i], h('span', {}, st(`cat.${c}`)))),
);
const noticeText = h('p', { class: 'staff-note', id: 'urgent-notice' });

document.getElementById('app').replaceChildren(
  h('header', { class: 'staff-header' }, h('h1', {}, st('urgent.title')), langSwitch()),
  status,
  categories,
  ask,
  cancel,
  fallback,
  noticeText,
);
privacyNotice().then((text) => (noticeText.textContent = st('urgent.notice', { notice: text })));

const sig = new Signaling();

/* Back to the start: the button to ask, no request waiting. */
function idle(text) {
  clearTimeout(fallbackTimer);
  fallbackTimer = null;
  delete document.body.dataset.request;
  ask.disabled = false;
  categories.disabled = false;
  cancel.hidden = true;
  fallback.hidden = true;
  status.textContent = text;
}

/* Nobody accepted in time: the team's phone, when it has one. */
function showFallback(phone) {
  const tel = phone ? `tel:${phone.replace(/[^0-9+]/g, '')}` : null;
  fallback.replaceChildren(
    h('p', {}, st(phone ? 'urgent.unanswered' : 'urgent.unanswered-nophone')),
    phone ? h('a', { href: tel, class: 'btn btn-primary urgent-phone', id: 'urgent-phone' }, st('urgent.call', { phone })) : null,
  );
  fallback.hidden = false;
}

async function send() {
  ask.disabled = true;
  categories.disabled = true;
  const category = radios.find((r) => r.checked)?.value;
  try {
    if (!sig.isOpen) await sig.connect();
    const ok = await sig.request('urgent-request', { token, team, ...(category ? { category } : {}) });
    status.textContent = `${st('urgent.to', { team: ok.team.name })}. ${st(ok.watchers > 0 ? 'urgent.waiting' : 'urgent.nobody')}`;
    document.body.dataset.request = ok.request;
    cancel.hidden = false;
    cancel.focus();
    const after = Number(ok.fallbackAfterS) || 120;
    fallbackTimer = setTimeout(() => showFallback(ok.team.phone ?? ''), after * 1000);
  } catch (err) {
    ask.disabled = false;
    categories.disabled = false;
    status.textContent = staffError(err, 'urgent.error');
    status.dataset.code = err.code ?? 'connect';
    if (err.reason) status.dataset.reason = err.reason;
    /* A revoked or unknown link will not work again: no button to retry. */
    if (err.code === 'unauthorized') ask.disabled = true;
  }
}

async function cancelRequest() {
  cancel.disabled = true;
  try {
    await sig.request('urgent-cancel', {});
    idle(st('urgent.cancelled'));
    ask.focus();
  } catch (err) {
    /* `conflict`: accepted meanwhile; urgent-accepted takes the page on. */
    status.textContent = st('urgent.error', { detail: err.message });
  } finally {
    cancel.disabled = false;
  }
}

sig.on('urgent-accepted', (m) => {
  clearTimeout(fallbackTimer);
  cancel.hidden = true;
  status.textContent = st('urgent.accepted', { by: m.by });
  setTimeout(() => (location.href = joinLink(m.room, m.token, { direct: true })), 800);
});

/* A dropped connection withdraws the request (the server tells the on-call
 * pages): ask again. */
sig.on('reconnected', () => {
  if (document.body.dataset.request) idle(st('urgent.intro'));
});

if (!token || !team) {
  status.textContent = st('urgent.no-link');
  ask.disabled = true;
}
