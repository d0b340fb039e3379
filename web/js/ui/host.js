/*
 * host.js — what a host sees besides the call: the waiting room list with
 * Admit and Reject for each person, a short message to those waiting, and
 * "End for all", whose confirmation says that the links stop working.
 * Shown in the call header for specialists only. confirmRemove() asks
 * before a tile's Remove takes someone out.
 */
import { t } from '../i18n.js';
import { h } from './dom.js';

/* Asks before a host removes someone: their link stops working in this
 * room, so a slip of the finger must not do it. */
export function confirmRemove(name) {
  return window.confirm(t('host.remove-confirm', { name }));
}

export class HostPanel {
  constructor({ onAdmit, onReject, onMessage, onEnd }) {
    this.onAdmit = onAdmit;
    this.onReject = onReject;
    this.heading = h('h2', { class: 'host-heading', id: 'host-waiting-title' });
    this.list = h('ul', { class: 'host-waiting', id: 'host-waiting', 'aria-labelledby': 'host-waiting-title' });
    this.empty = h('p', { class: 'host-empty' }, t('host.none-waiting'));
    this.input = h('input', { type: 'text', id: 'host-message', maxlength: '200', autocomplete: 'off', 'aria-label': t('host.message'), placeholder: t('host.message') });
    this.form = h(
      'form',
      {
        class: 'host-message-form',
        onsubmit: (e) => {
          e.preventDefault();
          const text = this.input.value.trim();
          if (text) onMessage(text).then(() => (this.input.value = '')).catch(() => {});
        },
      },
      this.input,
      h('button', { type: 'submit', class: 'btn btn-small', id: 'host-message-send' }, t('host.send')),
    );
    this.end = h(
      'button',
      {
        type: 'button',
        class: 'btn btn-small btn-danger',
        id: 'btn-end',
        onclick: () => {
          if (window.confirm(t('host.end-confirm'))) onEnd();
        },
      },
      t('host.end'),
    );
    this.el = h('section', { class: 'host-panel', id: 'host-panel' }, h('div', { class: 'host-top' }, this.heading, this.end), this.list, this.empty, this.form);
    this.setWaiting([]);
  }

  /* list: [{id, name, role}] of those waiting, in arrival order. */
  setWaiting(list) {
    this.heading.textContent = t('host.waiting', { n: list.length });
    this.empty.hidden = list.length > 0;
    this.form.hidden = list.length === 0;
    this.list.replaceChildren(
      ...list.map((p) =>
        h(
          'li',
          { class: 'host-waiting-item', 'data-participant': p.id },
          h('span', { class: 'host-waiting-name' }, p.name || t('call.unknown'), h('span', { class: 'tile-role' }, t(`role.${p.role}`))),
          h('button', { type: 'button', class: 'btn btn-small btn-primary', 'aria-label': t('host.admit-name', { name: p.name }), onclick: () => this.onAdmit(p.id) }, t('host.admit')),
          h('button', { type: 'button', class: 'btn btn-small', 'aria-label': t('host.reject-name', { name: p.name }), onclick: () => this.onReject(p.id) }, t('host.reject')),
        ),
      ),
    );
  }
}
