/*
 * teaching.js — what a group teaching adds to the call view for everyone,
 * and what an attendee sees (docs/protocol.md, "Group teaching"):
 *
 *  - the attendee count in the header ("87 deltakere"), instead of the
 *    count of tiles;
 *  - for an attendee: a line saying that the microphone and camera are off
 *    and how to ask for the floor, the "Raise hand" control (which says
 *    the place in the queue the server gave), and, while they have the
 *    floor, a plain notice "You have the floor" (an alert) with the
 *    microphone (and camera, when the host allowed video) back in the bar;
 *    the mic and camera controls are hidden while they only listen;
 *  - on the join page: the privacy notice says what a group teaching
 *    shares (teachingNotice).
 *
 * Everything sits in the header and the controls bar: nothing covers the
 * video. The controller is web/js/teaching.js; the host's panel ui/hands.js.
 */
import { t } from '../i18n.js';
import { h } from './dom.js';
import { controlButton } from './controls.js';

/* Adds the group-teaching paragraph to the join page's privacy notice:
 * who sees whom. attendee: this link joins as an attendee. */
export function teachingNotice(joinPage, attendee) {
  const text = h(
    'p',
    { class: 'notice-text notice-teaching', id: 'notice-teaching' },
    t('teach.notice'),
    ' ',
    t(attendee ? 'teach.notice.attendee' : 'teach.notice.presenter'),
  );
  joinPage.noticeText.after(text);
  joinPage.ackInput.setAttribute('aria-describedby', 'notice-ack-hint notice-teaching');
}

export class TeachingBar {
  /* onHand(): the raise-hand control (raise, lower, or hand the floor back). */
  constructor({ onHand }) {
    this.count = h('span', { class: 'teaching-count', id: 'teaching-count' });
    this.note = h('p', { class: 'teaching-note', id: 'teaching-note', role: 'status' });
    this.floorEl = h('p', { class: 'teaching-floor', id: 'teaching-floor', role: 'alert', hidden: true });
    this.el = h('section', { class: 'teaching-bar', id: 'teaching-bar', 'aria-label': t('teach.bar') }, this.floorEl, this.note);
    this.hand = controlButton('btn-hand', 'hand', t('teach.raise'), () => onHand(), {
      'data-on': 'false',
      'aria-describedby': 'teaching-note',
      hidden: true,
    });
  }

  mount(call) {
    this.call = call;
    call.el.classList.add('call-teaching');
    call.header.querySelector('.call-title').append(this.count);
    call.header.append(this.el);
    call.controls.add(this.hand);
  }

  setCount(n) {
    this.count.textContent = n === 1 ? t('teach.count.one') : t('teach.count.many', { n });
  }

  /* The attendee's state: { attendee, hand: 'down'|'up'|'floor', position,
   * floorVideo, busy }. A presenter sees none of the attendee's parts. */
  update({ attendee, hand = 'down', position = null, floorVideo = false, busy = false }) {
    const listening = attendee && hand !== 'floor';
    this.el.hidden = !attendee;
    this.hand.hidden = !attendee;
    const c = this.call?.controls;
    if (c) {
      c.mic.hidden = listening;
      c.camera.hidden = listening || (attendee && !floorVideo);
    }
    if (this.call) this.call.selfTile.el.hidden = listening;
    this.hand.dataset.on = hand === 'down' ? 'false' : 'true';
    this.hand.setAttribute('aria-busy', busy ? 'true' : 'false');
    this.hand.setCaption(t(hand === 'floor' ? 'teach.give-back' : hand === 'up' ? 'teach.lower' : 'teach.raise'));
    this.floorEl.hidden = hand !== 'floor';
    this.floorEl.textContent = hand === 'floor' ? t(floorVideo ? 'teach.floor.video' : 'teach.floor.audio') : '';
    if (hand === 'floor') this.note.textContent = '';
    else if (hand === 'up') this.note.textContent = position ? t('teach.hand.position', { n: position }) : t('teach.hand.up');
    else this.note.textContent = t('teach.listening');
  }

  focus() {
    if (!this.hand.hidden) this.hand.focus();
  }

  destroy() {
    this.call?.el.classList.remove('call-teaching');
    this.count.remove();
    this.el.remove();
    this.hand.remove();
  }
}
