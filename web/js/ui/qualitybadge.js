/*
 * qualitybadge.js — the connection-quality indicator: signal bars and a
 * word (good / fair / poor), so the level is never told by colour alone,
 * large enough to read on a tablet. For screen readers it is one image
 * whose name says it all ("Connection quality: fair"); it is not a live
 * region, so a changing level does not interrupt anyone.
 *
 * self: the participant's own connection ("Your connection: fair"), shown
 * in the call header; otherwise one remote participant's, on their tile.
 */
import { t } from '../i18n.js';
import { h, icon } from './dom.js';

export class QualityBadge {
  constructor({ self = false } = {}) {
    this.self = self;
    this.level = null;
    this.text = h('span', { class: 'quality-text' });
    this.el = h(
      'span',
      { class: `quality${self ? ' quality-self' : ' tile-quality'}`, role: 'img', hidden: true },
      icon('signal', 'icon quality-icon'),
      this.text,
    );
  }

  /* 'good', 'fair' or 'poor'; null hides the badge (nothing measured yet). */
  set(level) {
    if (level === this.level) return;
    this.level = level;
    this.el.hidden = !level;
    if (!level) return;
    this.el.dataset.quality = level;
    this.text.textContent = this.self ? t(`quality.self.${level}`) : t(`quality.${level}`);
    this.el.setAttribute('aria-label', this.self ? t(`quality.self.${level}`) : t(`quality.label.${level}`));
    this.el.title = this.el.getAttribute('aria-label');
  }
}
