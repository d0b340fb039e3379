/*
 * status.js — the connection state shown at the top of the call: a coloured
 * dot and a word ("connecting", "connected", "reconnecting", "failed") and,
 * when something went wrong, the reason and a retry button (also while
 * reconnecting by itself, to try at once). It is a live region, so screen
 * readers hear the changes.
 */
import { t } from '../i18n.js';
import { h, icon } from './dom.js';

export const STATES = ['connecting', 'connected', 'reconnecting', 'failed'];

export class StatusBanner {
  constructor({ onRetry }) {
    this.text = h('span', { class: 'status-text' });
    this.reason = h('span', { class: 'status-reason' });
    this.retry = h(
      'button',
      { type: 'button', class: 'btn btn-small status-retry', id: 'btn-retry', hidden: true, onclick: () => onRetry() },
      icon('retry'),
      h('span', {}, t('status.retry')),
    );
    this.el = h(
      'div',
      { class: 'status', id: 'status', role: 'status', 'aria-live': 'polite', 'data-state': 'connecting' },
      h('span', { class: 'status-dot', 'aria-hidden': 'true' }),
      this.text,
      this.reason,
      this.retry,
    );
    this.set('connecting');
  }

  /* retry: show the retry button (always when failed). */
  set(state, reason = '', retry = false) {
    this.state = state;
    this.el.dataset.state = state;
    this.text.textContent = t(`status.${state}`);
    this.reason.textContent = reason && state !== 'connected' ? reason : '';
    this.reason.hidden = !this.reason.textContent;
    this.retry.hidden = !(state === 'failed' || (retry && state === 'reconnecting'));
  }
}
