/*
 * hands.js — the classroom panel of a group teaching, for presenters
 * (hosts included): the raised hands in the order they went up, who has the
 * floor, and the attendees (name, role, whether they wait or are in). Hosts
 * also get the actions: "Give the floor" (sound only) or "… with video" for
 * each raised hand, "Take the floor back", and make / revoke presenter.
 *
 * It is a collapsible section of the call header (its toggle says how many
 * attendees and raised hands there are), so it never covers the video and
 * fits a tablet in portrait. Every button names the person it acts on.
 * After a re-render the focus goes back to the same button (or to the
 * toggle), so working through the queue by keyboard keeps its place. The
 * controller (web/js/teaching.js) announces new hands.
 */
import { t } from '../i18n.js';
import { h } from './dom.js';

export class ClassPanel {
  /* host: the actions are shown. onGive(id, video), onTake(),
   * onMake(id), onRevoke(id). */
  constructor({ host, onGive, onTake, onMake, onRevoke }) {
    this.host = host;
    this.on = { onGive, onTake, onMake, onRevoke };
    this.open = true;
    this.summary = h('span', { class: 'class-summary' });
    this.toggleButton = h(
      'button',
      { type: 'button', class: 'btn btn-small class-toggle', id: 'class-toggle', 'aria-expanded': 'true', 'aria-controls': 'class-body', onclick: () => this.setOpen(!this.open) },
      h('span', { class: 'class-toggle-title' }, t('teach.panel')),
      this.summary,
    );
    this.handsList = h('ol', { class: 'class-list', id: 'hands-queue', 'aria-labelledby': 'hands-title' });
    this.handsEmpty = h('p', { class: 'class-empty' }, t('teach.hands.none'));
    this.floorText = h('p', { class: 'class-floor-text', id: 'class-floor-text' });
    this.takeButton = h('button', { type: 'button', class: 'btn btn-small btn-danger', id: 'btn-take-floor', 'data-key': 'take', onclick: () => this.on.onTake() }, t('teach.take'));
    this.floorBox = h('div', { class: 'class-floor', id: 'class-floor' }, this.floorText, this.host ? this.takeButton : null);
    this.peopleTitle = h('h3', { class: 'class-heading', id: 'attendees-title' });
    this.peopleList = h('ul', { class: 'class-list', id: 'attendee-list', 'aria-labelledby': 'attendees-title' });
    this.peopleEmpty = h('p', { class: 'class-empty' }, t('teach.people.none'));
    this.body = h(
      'div',
      { class: 'class-body', id: 'class-body' },
      h('div', { class: 'class-col' }, h('h3', { class: 'class-heading', id: 'hands-title' }, t('teach.hands')), this.handsList, this.handsEmpty, this.floorBox),
      h('div', { class: 'class-col' }, this.peopleTitle, this.peopleList, this.peopleEmpty),
    );
    this.el = h('section', { class: 'class-panel', id: 'class-panel', 'aria-label': t('teach.panel') }, this.toggleButton, this.body);
    this.update({ queue: [], floor: null, people: [] });
  }

  setOpen(open) {
    this.open = open;
    this.body.hidden = !open;
    this.toggleButton.setAttribute('aria-expanded', String(open));
  }

  /* queue: [{id, name}] in order; floor: {id, name, video} or null;
   * people: [{id, name, role, waiting, presenter, madePresenter, hand}]. */
  update({ queue, floor, people }) {
    const focused = this.el.contains(document.activeElement) ? document.activeElement.dataset.key : null;
    const attendees = people.filter((p) => !p.presenter);
    const hands = queue.length === 1 ? t('teach.panel.hands.one') : t('teach.panel.hands.many', { n: queue.length });
    this.summary.textContent = t('teach.panel.summary', { n: attendees.length, hands });
    this.handsEmpty.hidden = queue.length > 0;
    this.handsList.replaceChildren(...queue.map((p, i) => this.handItem(p, i + 1)));
    this.floorBox.hidden = !floor;
    if (floor) this.floorText.textContent = t(floor.video ? 'teach.floor-holder.video' : 'teach.floor-holder', { name: floor.name || t('call.unknown') });
    this.peopleTitle.textContent = t('teach.people', { n: attendees.length });
    this.peopleEmpty.hidden = people.length > 0;
    this.peopleList.replaceChildren(...people.map((p) => this.personItem(p, floor)));
    if (focused) (this.el.querySelector(`[data-key="${CSS.escape(focused)}"]`) ?? this.toggleButton).focus();
  }

  handItem(p, n) {
    const name = p.name || t('call.unknown');
    return h(
      'li',
      { class: 'class-item', 'data-participant': p.id },
      h('span', { class: 'class-name' }, t('teach.hands.item', { n, name })),
      this.host
        ? h(
            'span',
            { class: 'class-actions' },
            h('button', { type: 'button', class: 'btn btn-small btn-primary', 'data-key': `give:${p.id}`, 'aria-label': t('teach.give-name', { name }), onclick: () => this.on.onGive(p.id, false) }, t('teach.give')),
            h('button', { type: 'button', class: 'btn btn-small', 'data-key': `givev:${p.id}`, 'aria-label': t('teach.give-video-name', { name }), onclick: () => this.on.onGive(p.id, true) }, t('teach.give-video')),
          )
        : null,
    );
  }

  personItem(p, floor) {
    const name = p.name || t('call.unknown');
    const state = p.waiting
      ? t('teach.state.waiting')
      : floor?.id === p.id
        ? t('teach.state.floor')
        : p.presenter
          ? t('teach.state.presenter')
          : p.hand
            ? t('teach.state.hand')
            : t('teach.state.in');
    let action = null;
    if (this.host && !p.waiting && p.madePresenter)
      action = h('button', { type: 'button', class: 'btn btn-small', 'data-key': `revoke:${p.id}`, 'aria-label': t('teach.revoke-name', { name }), onclick: () => this.on.onRevoke(p.id) }, t('teach.revoke'));
    else if (this.host && !p.waiting && !p.presenter && p.role !== 'observer')
      action = h('button', { type: 'button', class: 'btn btn-small', 'data-key': `make:${p.id}`, 'aria-label': t('teach.make-name', { name }), onclick: () => this.on.onMake(p.id) }, t('teach.make'));
    return h(
      'li',
      { class: 'class-item', 'data-participant': p.id, 'data-state': p.waiting ? 'waiting' : 'joined' },
      h('span', { class: 'class-name' }, name, p.role ? h('span', { class: 'tile-role' }, t(`role.${p.role}`)) : null, h('span', { class: 'class-state' }, state)),
      action ? h('span', { class: 'class-actions' }, action) : null,
    );
  }

  destroy() {
    this.el.remove();
  }
}
