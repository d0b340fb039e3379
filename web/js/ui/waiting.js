/*
 * waiting.js — the waiting screen for those who wait to be admitted
 * (patients, relatives, interpreters): the consultation's title and start
 * time when known, the messages hosts send to the waiting room, whether a
 * host is present, a small self-view and a leave button.
 */
import { t, language } from '../i18n.js';
import { h } from './dom.js';

function formatTime(unixSeconds) {
  const d = new Date(unixSeconds * 1000);
  return d.toLocaleString(language() === 'nb' ? 'nb-NO' : 'en-GB', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    hour: '2-digit',
    minute: '2-digit',
  });
}

export class WaitingView {
  constructor({ onLeave }) {
    this.titleEl = h('p', { class: 'waiting-consultation', id: 'waiting-consultation', hidden: true });
    this.startEl = h('p', { class: 'waiting-start', id: 'waiting-start', hidden: true });
    this.hostAway = h('p', { class: 'form-notice waiting-host-away', id: 'waiting-host-away', role: 'status', hidden: true }, t('waiting.host-away'));
    this.messages = h('ul', { class: 'waiting-messages', id: 'waiting-messages', 'aria-live': 'polite' });
    this.preview = h('video', { class: 'waiting-preview', autoplay: true, muted: true, playsInline: true, 'aria-label': t('call.self-view') });
    this.preview.setAttribute('playsinline', '');
    this.preview.setAttribute('muted', '');
    this.el = h(
      'main',
      { class: 'join-page waiting-page', id: 'waiting' },
      h(
        'section',
        { class: 'join-card waiting-card' },
        h('header', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), h('span', { class: 'brand-name' }, t('app.name'))),
        h('h1', { id: 'waiting-title' }, t('waiting.title')),
        this.titleEl,
        this.startEl,
        h('p', { class: 'waiting-text', role: 'status' }, h('span', { class: 'waiting-pulse', 'aria-hidden': 'true' }), t('waiting.text')),
        this.hostAway,
        this.messages,
        this.preview,
        h('button', { type: 'button', class: 'btn btn-leave-waiting', id: 'waiting-leave', onclick: () => onLeave() }, t('waiting.leave')),
      ),
    );
  }

  /* consultation: {title, start, end} or undefined. */
  setConsultation(c) {
    if (!c) return;
    if (c.title) {
      this.titleEl.textContent = c.title;
      this.titleEl.hidden = false;
    }
    if (c.start) {
      this.startEl.textContent = t('waiting.start', { time: formatTime(c.start) });
      this.startEl.hidden = false;
    }
  }

  setHostAway(away) {
    this.hostAway.hidden = !away;
  }

  addMessage({ name, text }) {
    this.messages.append(
      h('li', { class: 'waiting-message' }, h('span', { class: 'waiting-message-from' }, t('waiting.message-from', { name: name || t('call.unknown') })), h('span', { class: 'waiting-message-text' }, text)),
    );
  }

  setStream(stream) {
    this.preview.srcObject = stream;
    this.preview.hidden = !stream || !stream.getVideoTracks().length;
  }

  destroy() {
    this.preview.srcObject = null;
    this.el.remove();
  }
}
