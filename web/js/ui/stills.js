/*
 * stills.js — a still image only with the consent of the person whose
 * camera it is (docs/protocol.md, "Recording and still capture").
 *
 * The person asked (`capture-request`) gets a dialog over the stage: who
 * asks, Allow / Decline (Escape declines). Allow starts a 3-2-1 countdown,
 * shown large and announced, so they can hold the tablet still; at its end
 * the client answers `capture-consent` and the server takes the still.
 * Cancel during the countdown declines. Focus moves into the dialog and
 * back to where it was when it closes; Tab stays inside while it is open.
 *
 * A host's "Take still" asks; the host panel keeps one line per person
 * with where each ask stands: waiting for consent, allowed, taken,
 * declined, no answer in time, failed.
 *
 * Owned by RecordingUI; listens on the Signaling object and lets go in
 * destroy().
 */
import { t } from '../i18n.js';
import { h } from './dom.js';

const COUNTDOWN_FROM = 3;
const COUNTDOWN_STEP_MS = 1000;

export class StillsUI {
  /* call: the CallView; panel: the element the host's status list goes in
   * (hosts) or null; signaling: the Signaling; nameOf(id): a name;
   * errorOf(err): the sentence for an error reply or capture-failed. */
  constructor({ call, panel, signaling, nameOf, errorOf }) {
    this.call = call;
    this.signaling = signaling;
    this.nameOf = nameOf;
    this.errorOf = errorOf;
    this.ask = null; /* the capture-request being shown */
    this.timer = 0;

    this.text = h('p', { class: 'consent-asker', id: 'still-text' });
    this.choice = h(
      'div',
      { class: 'consent-buttons still-choice' },
      h('button', { type: 'button', class: 'btn btn-primary', id: 'still-allow', onclick: () => this.allow() }, t('still.allow')),
      h('button', { type: 'button', class: 'btn btn-secondary', id: 'still-decline', onclick: () => this.decline() }, t('still.decline')),
    );
    this.count = h('p', { class: 'still-count', id: 'still-count', 'aria-hidden': 'true' });
    /* Present (empty) before it speaks, so the first number is announced. */
    this.live = h('p', { class: 'sr-only', id: 'still-count-live', 'aria-live': 'assertive', 'aria-atomic': 'true' });
    this.cancelButton = h('button', { type: 'button', class: 'btn btn-secondary', id: 'still-cancel', onclick: () => this.decline() }, t('still.cancel'));
    this.countdown = h(
      'div',
      { class: 'still-countdown', id: 'still-countdown', hidden: true },
      h('p', { class: 'still-hold' }, t('still.hold')),
      this.count,
      h('div', { class: 'consent-buttons' }, this.cancelButton),
    );
    this.dialog = h(
      'section',
      {
        class: 'consent-prompt still-prompt',
        id: 'still-prompt',
        role: 'alertdialog',
        'aria-modal': 'true',
        'aria-labelledby': 'still-title',
        'aria-describedby': 'still-text still-what',
        tabindex: '-1',
        hidden: true,
        onkeydown: (e) => this.onKey(e),
      },
      h('h2', { class: 'consent-title', id: 'still-title' }, t('still.title')),
      this.text,
      h('p', { class: 'consent-what', id: 'still-what' }, t('still.what')),
      this.choice,
      this.countdown,
      this.live,
    );
    call.stage.append(this.dialog);

    if (panel) {
      this.status = h('ul', { class: 'still-status', id: 'still-status', 'aria-labelledby': 'still-status-title', 'aria-live': 'polite' });
      this.statusEl = h('div', { class: 'still-host', hidden: true }, h('h3', { class: 'rec-files-title', id: 'still-status-title' }, t('still.host.title')), this.status);
      panel.append(this.statusEl);
    }

    this.unsubscribe = [
      signaling.on('capture-request', (m) => this.onRequest(m)),
      signaling.on('capture-request-ended', (m) => this.onEnded(m)),
      signaling.on('capture-allowed', (m) => this.hostStatus(m.participant, 'allowed')),
      signaling.on('capture-ready', (m) => this.hostStatus(m.participant, 'ready')),
      signaling.on('capture-failed', (m) => this.hostStatus(m.participant, m.code, m)),
      signaling.on('reconnecting', () => this.close()),
    ];
  }

  /* ---- the person asked ---- */

  onRequest(m) {
    if (typeof m.request !== 'string') return;
    this.stopCountdown();
    this.ask = m;
    this.text.textContent = t('still.text', { name: m.name || this.nameOf(m.by) });
    this.choice.hidden = false;
    this.countdown.hidden = true;
    this.live.textContent = '';
    if (this.dialog.hidden) {
      const active = document.activeElement;
      this.returnTo = active && active !== document.body ? active : null;
      this.dialog.hidden = false;
    }
    this.dialog.focus();
  }

  onEnded(m) {
    if (!this.ask || m.request !== this.ask.request) return;
    this.close();
    this.call.toast(t(m.reason === 'timeout' ? 'still.ended.timeout' : 'still.ended.cancelled'), 10000);
  }

  allow() {
    if (!this.ask) return;
    this.choice.hidden = true;
    this.countdown.hidden = false;
    this.cancelButton.focus();
    let n = COUNTDOWN_FROM;
    const step = () => {
      if (n === 0) {
        this.timer = 0;
        this.answer(true);
        return;
      }
      this.count.textContent = String(n);
      this.live.textContent = t('still.count', { n });
      n -= 1;
      this.timer = setTimeout(step, COUNTDOWN_STEP_MS);
    };
    step();
  }

  decline() {
    if (!this.ask) return;
    this.answer(false);
  }

  answer(agree) {
    const { request } = this.ask;
    this.close();
    this.call.toast(t(agree ? 'still.taking' : 'still.declined'));
    this.signaling.request('capture-consent', { request, agree }).catch((err) => {
      this.call.toast(err?.code === 'not-found' ? t('still.error.gone') : this.errorOf(err), 10000);
    });
  }

  onKey(e) {
    if (e.key === 'Escape') {
      e.preventDefault();
      this.decline();
    } else if (e.key === 'Tab') {
      /* Keep focus in the dialog while it is open. */
      const buttons = [...this.dialog.querySelectorAll('button')].filter((b) => b.offsetParent !== null);
      if (!buttons.length) return;
      const first = buttons[0];
      const last = buttons[buttons.length - 1];
      if (e.shiftKey && (document.activeElement === first || document.activeElement === this.dialog)) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    }
  }

  stopCountdown() {
    clearTimeout(this.timer);
    this.timer = 0;
  }

  close() {
    this.stopCountdown();
    this.ask = null;
    if (this.dialog.hidden) return;
    const hadFocus = this.dialog.contains(document.activeElement);
    this.dialog.hidden = true;
    if (hadFocus && this.returnTo?.isConnected) this.returnTo.focus();
    this.returnTo = null;
  }

  /* ---- the host ---- */

  /* A host's "Take still" on participant id's tile: asks them. */
  capture(id) {
    this.call.toast(t('rec.capture.asked', { name: this.nameOf(id) }));
    return this.signaling
      .request('capture', { participant: id })
      .then(() => this.hostStatus(id, 'asking'))
      .catch((err) => this.call.toast(this.errorOf(err)));
  }

  /* One line per person: where the latest ask for their camera stands. */
  hostStatus(id, state, failed = null) {
    if (!this.status || typeof id !== 'string') return;
    const known = ['asking', 'allowed', 'ready', 'declined', 'consent-timeout', 'left'];
    const key = known.includes(state) ? state : 'failed';
    const text = t(`still.host.${key}`, { name: this.nameOf(id), detail: failed ? this.errorOf(failed) : '' });
    let li = [...this.status.children].find((el) => el.dataset.participant === id);
    if (!li) {
      li = h('li', { class: 'still-state', 'data-participant': id });
      this.status.append(li);
    }
    li.dataset.state = key;
    li.textContent = text;
    this.statusEl.hidden = false;
  }

  destroy() {
    this.close();
    for (const off of this.unsubscribe) off();
    this.dialog.remove();
    this.statusEl?.remove();
  }
}
