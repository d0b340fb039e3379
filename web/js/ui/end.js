/*
 * end.js — the screen at the end of a participation: left, turned away
 * from the waiting room (rejected), removed by a host, the consultation
 * ended by its host or cancelled by its organiser, or the same link opened
 * elsewhere (replaced). Each says what happened and what to do next; the
 * camera and microphone are already off when it shows (main.js stops them
 * first), and nothing here starts them again. Where joining again makes
 * sense there is a button for it, which goes back to the join page.
 */
import { t } from '../i18n.js';
import { h } from './dom.js';
import { langSwitch } from './langswitch.js';
import { pageFooter } from './footer.js';

export const END_KINDS = ['left', 'rejected', 'removed', 'ended', 'cancelled', 'revoked', 'replaced'];

/* Those who may come back with the same link. */
const CAN_REJOIN = new Set(['left', 'rejected', 'replaced']);

export class EndView {
  /* kind: one of END_KINDS; onRejoin(): back to the join page. */
  constructor({ kind, onRejoin }) {
    this.kind = END_KINDS.includes(kind) ? kind : 'left';
    this.heading = h('h1', { id: 'end-title', tabindex: '-1' }, t(`end.${this.kind}.title`));
    this.el = h(
      'main',
      { class: 'join-page end-page', id: 'end', 'data-kind': this.kind },
      h(
        'section',
        { class: 'join-card end-card', 'aria-labelledby': 'end-title' },
        h('header', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), h('span', { class: 'brand-name' }, t('app.name')), langSwitch()),
        this.heading,
        h('p', { class: 'end-text', id: 'end-text' }, t(`end.${this.kind}.text`)),
        h('p', { class: 'end-next', id: 'end-next' }, t(`end.${this.kind}.next`)),
        h('p', { class: 'end-devices' }, t('end.devices-off')),
        CAN_REJOIN.has(this.kind)
          ? h('button', { type: 'button', class: 'btn btn-primary', id: 'end-rejoin', onclick: () => onRejoin() }, t('end.rejoin'))
          : null,
        pageFooter(),
      ),
    );
  }

  /* Focus on the heading, so a screen reader starts with what happened. */
  focus() {
    this.heading.focus();
  }
}
