/*
 * selfview.js — the person's own small picture in the call, kept out of
 * the way: a "Minimise" button folds it to a small bar (the same button
 * brings it back), and it can go to any corner of the stage, dragged with
 * a finger or a mouse, or with the "Move" button, which steps through the
 * corners (bottom right, bottom left, top left, top right) for keyboards
 * and switch users. Where it went is said to screen readers.
 *
 * The corner and the minimised state are attributes of the self-view's
 * element (data-corner, data-minimised); stage.css places it.
 */
import { t } from '../i18n.js';
import { h, icon } from './dom.js';

export const CORNERS = ['br', 'bl', 'tl', 'tr'];
/* A press that moves less than this is not a drag. */
const DRAG_PX = 8;

export class SelfView {
  /* tile: the self-view's Tile; stage: the element it moves within;
   * announce(text): says where it went. */
  constructor({ tile, stage, announce }) {
    this.tile = tile;
    this.stage = stage;
    this.announce = announce ?? (() => {});
    this.corner = 'br';
    this.minimised = false;
    this.drag = null;

    this.minButton = h('button', { type: 'button', class: 'tile-tool self-minimise', 'data-action': 'minimise', onclick: () => this.setMinimised(!this.minimised) }, icon('minimise'));
    this.moveButton = h('button', { type: 'button', class: 'tile-tool self-move', 'data-action': 'move', onclick: () => this.next() }, icon('move'));
    this.moveButton.setAttribute('aria-label', t('self.move'));
    this.moveButton.title = t('self.move');
    tile.el.append(h('div', { class: 'tile-tools' }, this.minButton, this.moveButton));

    this.onDown = (e) => this.pointerDown(e);
    this.onMove = (e) => this.pointerMove(e);
    this.onUp = (e) => this.pointerUp(e);
    tile.el.addEventListener('pointerdown', this.onDown);
    tile.el.addEventListener('pointermove', this.onMove);
    tile.el.addEventListener('pointerup', this.onUp);
    tile.el.addEventListener('pointercancel', this.onUp);
    this.render();
  }

  setMinimised(on) {
    this.minimised = !!on;
    this.render();
    this.announce(t(on ? 'self.minimised' : 'self.restored'));
  }

  /* The "Move" button: the next corner. */
  next() {
    this.setCorner(CORNERS[(CORNERS.indexOf(this.corner) + 1) % CORNERS.length]);
  }

  setCorner(corner) {
    if (!CORNERS.includes(corner)) return;
    const moved = corner !== this.corner;
    this.corner = corner;
    this.render();
    if (moved) this.announce(t(`self.corner.${corner}`));
  }

  render() {
    const el = this.tile.el;
    el.dataset.corner = this.corner;
    el.dataset.minimised = String(this.minimised);
    const label = this.minimised ? t('self.restore') : t('self.minimise');
    this.minButton.setAttribute('aria-label', label);
    this.minButton.title = label;
    this.minButton.setAttribute('aria-expanded', String(!this.minimised));
  }

  /* Dragging: the picture follows the pointer and, let go, settles in the
   * corner nearest to where it was dropped. Presses on its buttons are
   * theirs. */
  pointerDown(e) {
    if (e.target.closest('button') || (e.pointerType === 'mouse' && e.button !== 0)) return;
    this.drag = { id: e.pointerId, x: e.clientX, y: e.clientY, moved: false };
    this.tile.el.setPointerCapture?.(e.pointerId);
  }

  pointerMove(e) {
    const d = this.drag;
    if (!d || e.pointerId !== d.id) return;
    const dx = e.clientX - d.x;
    const dy = e.clientY - d.y;
    if (!d.moved && Math.hypot(dx, dy) < DRAG_PX) return;
    d.moved = true;
    this.tile.el.classList.add('dragging');
    this.tile.el.style.transform = `translate(${dx}px, ${dy}px)`;
  }

  pointerUp(e) {
    const d = this.drag;
    if (!d || e.pointerId !== d.id) return;
    this.drag = null;
    this.tile.el.releasePointerCapture?.(e.pointerId);
    if (!d.moved) return;
    const r = this.tile.el.getBoundingClientRect();
    const s = this.stage.getBoundingClientRect();
    this.tile.el.classList.remove('dragging');
    this.tile.el.style.transform = '';
    const left = r.left + r.width / 2 < s.left + s.width / 2;
    const top = r.top + r.height / 2 < s.top + s.height / 2;
    this.setCorner(`${top ? 't' : 'b'}${left ? 'l' : 'r'}`);
  }

  /* For tests and support. */
  state() {
    return { corner: this.corner, minimised: this.minimised };
  }

  destroy() {
    this.tile.el.removeEventListener('pointerdown', this.onDown);
    this.tile.el.removeEventListener('pointermove', this.onMove);
    this.tile.el.removeEventListener('pointerup', this.onUp);
    this.tile.el.removeEventListener('pointercancel', this.onUp);
  }
}
