/*
 * waiting.js — the waiting screen for those who wait to be admitted
 * (patients, relatives, interpreters): the consultation's title and start
 * time when known, the messages hosts send to the waiting room, whether a
 * host is present, a small self-view, a leave button and the language
 * switch, which redraws the text in place (relabel): the person stays in
 * the queue.
 */
import { t, language } from '../i18n.js';
import { h } from './dom.js';
import { langSwitch } from './langswitch.js';

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
  /* onLanguage(lang): the switch was used (the caller sets the language
   * and then calls relabel()). */
  constructor({ onLeave, onLanguage = null }) {
    this.onLanguage = onLanguage;
    this.consultation = null;
    this.titleEl = h('p', { class: 'waiting-consultation', id: 'waiting-consultation', hidden: true });
    this.startEl = h('p', { class: 'waiting-start', id: 'waiting-start', hidden: true });
    this.hostAway = h('p', { class: 'form-notice waiting-host-away', id: 'waiting-host-away', role: 'status', hidden: true });
    this.messages = h('ul', { class: 'waiting-messages', id: 'waiting-messages', 'aria-live': 'polite' });
    this.preview = h('video', { class: 'waiting-preview', autoplay: true, muted: true, playsInline: true });
    this.preview.setAttribute('playsinline', '');
    this.preview.setAttribute('muted', '');
    this.heading = h('h1', { id: 'waiting-title' });
    this.text = h('p', { class: 'waiting-text', role: 'status' });
    this.leave = h('button', { type: 'button', class: 'btn btn-leave-waiting', id: 'waiting-leave', onclick: () => onLeave() });
    this.brandName = h('span', { class: 'brand-name' });
    this.switchBox = h('span', { class: 'waiting-lang' });
    /* Said once after a switch, in the new language. */
    this.announcer = h('p', { class: 'sr-only', role: 'status', id: 'waiting-announce' });
    this.el = h(
      'main',
      { class: 'join-page waiting-page', id: 'waiting' },
      h(
        'section',
        { class: 'join-card waiting-card' },
        h('header', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), this.brandName, this.switchBox),
        this.heading,
        this.titleEl,
        this.startEl,
        this.text,
        this.hostAway,
        this.messages,
        this.preview,
        this.leave,
        this.announcer,
      ),
    );
    this.relabel();
  }

  /* Draws every text in the current language; the rest stays as it is. */
  relabel() {
    this.brandName.textContent = t('app.name');
    this.heading.textContent = t('waiting.title');
    this.text.replaceChildren(h('span', { class: 'waiting-pulse', 'aria-hidden': 'true' }), t('waiting.text'));
    this.hostAway.textContent = t('waiting.host-away');
    this.preview.setAttribute('aria-label', t('call.self-view'));
    this.leave.textContent = t('waiting.leave');
    if (this.consultation?.start) this.startEl.textContent = t('waiting.start', { time: formatTime(this.consultation.start) });
    for (const from of this.messages.querySelectorAll('.waiting-message-from'))
      from.textContent = t('waiting.message-from', { name: from.dataset.name || t('call.unknown') });
    this.switchBox.replaceChildren(...(this.onLanguage ? [langSwitch({ onSwitch: (lang) => this.onLanguage(lang) })] : []));
  }

  /* After a switch: the change is said, and focus stays on the switch. */
  announceLanguage() {
    this.announcer.textContent = t('lang.changed');
    this.switchBox.querySelector('#lang-switch')?.focus();
  }

  /* consultation: {title, start, end} or undefined. */
  setConsultation(c) {
    if (!c) return;
    this.consultation = c;
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
      h('li', { class: 'waiting-message' }, h('span', { class: 'waiting-message-from', 'data-name': name || '' }, t('waiting.message-from', { name: name || t('call.unknown') })), h('span', { class: 'waiting-message-text' }, text)),
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
