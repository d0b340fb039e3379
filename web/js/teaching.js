/*
 * teaching.js — the web client in a group teaching (docs/protocol.md,
 * "Group teaching"): presenters publish, attendees receive only.
 *
 * An attendee joins with the microphone and camera off and publishes
 * nothing (main.js asks for no devices before joining: attendsOnly). It
 * sees the presenters' tiles, presenters first, and the floor holder's,
 * and the attendee count; it can raise its hand (the `ok` gives its place
 * in the queue). Given the floor (`floor` granted), it starts the
 * microphone (and camera, when the host allowed video) and publishes
 * through main.js's usual path (startSending); when the floor is taken
 * back it stops and says so. Someone made presenter publishes likewise
 * until revoked.
 *
 * Presenters get the classroom panel (ui/hands.js): the hand queue, the
 * floor and the attendees; hosts also give and take the floor and make
 * and revoke presenters. A new raised hand is announced to screen readers.
 * Presenters' tiles are the presenters' and the floor holder's only: the
 * attendees are in the panel's list.
 */
import { t, errorText } from './i18n.js';
import { TeachingBar } from './ui/teaching.js';
import { ClassPanel } from './ui/hands.js';

/* Whether an invitation link joins a group teaching as an attendee: the
 * link check's kind, and a role that is not the host team's. */
export function attendsOnly(link, invite) {
  return link?.kind === 'group-teaching' && !!invite && invite.role !== 'specialist';
}

export class Teaching {
  /* call: the CallView; signaling; host: this person is a host (gives the
   * floor); participants, waiting: main.js's maps (id → participant);
   * render(): draw the tiles again; setPeople(list): replace the
   * participant list (a `presenter` message); startSending(video) /
   * stopSending(): publish or stop (async; startSending throws when the
   * devices cannot be had). */
  constructor({ call, signaling, host, participants, waiting, render, setPeople, startSending, stopSending }) {
    Object.assign(this, { call, signaling, host, participants, waiting, render, setPeople, startSending, stopSending });
    this.presenter = null; /* unknown until the join reply */
    this.attendees = 0;
    this.hand = 'down'; /* attendee: 'down', 'up' or 'floor' */
    this.position = null;
    this.floorVideo = false;
    this.busy = false;
    this.queue = [];
    this.floor = null; /* presenters: {id, name, video} of the floor holder */
    this.panel = null;
    this.bar = new TeachingBar({ onHand: () => this.toggleHand() });
    this.bar.mount(call);
    this.off = [
      signaling.on('attendee-count', (m) => this.setCount(m.attendees)),
      signaling.on('hands', (m) => this.onHands(m)),
      signaling.on('floor', (m) => this.onFloor(m)),
      signaling.on('presenter', (m) => this.onPresenter(m)),
      signaling.on('participant-presenter', (m) => {
        const p = this.participants.get(m.participant);
        if (!p) return;
        p.presenter = m.on === true;
        p.madePresenter = m.on === true && p.role !== 'specialist';
        this.render();
      }),
    ];
  }

  /* A join reply (or `admitted`): a new session on the server, so no hand
   * and no floor (after a dropped connection the server may give the floor
   * back: a `floor` message follows). True when this person only listens
   * (an attendee). */
  accept(reply) {
    const first = this.presenter === null;
    if (typeof reply.presenter === 'boolean') this.presenter = reply.presenter;
    if (this.presenter === null) this.presenter = false;
    this.setCount(reply.attendees);
    this.hand = 'down';
    this.position = null;
    this.floorVideo = false;
    this.queue = [];
    this.floor = null;
    this.syncPanel();
    this.updateBar();
    if (first && !this.presenter) this.bar.focus();
    return !this.presenter;
  }

  setCount(n) {
    if (!Number.isInteger(n) || n < 0) return;
    this.attendees = n;
    this.bar.setCount(n);
  }

  updateBar() {
    this.bar.update({ attendee: !this.presenter, hand: this.hand, position: this.position, floorVideo: this.floorVideo, busy: this.busy });
  }

  /* The classroom panel is there for presenters. */
  syncPanel() {
    if (this.presenter && !this.panel) {
      this.panel = new ClassPanel({
        host: this.host,
        onGive: (id, video) => this.hostRequest('give-floor', { participant: id, video }),
        onTake: () => this.hostRequest('take-floor', {}),
        onMake: (id) => this.hostRequest('make-presenter', { participant: id }),
        onRevoke: (id) => this.hostRequest('revoke-presenter', { participant: id }),
      });
      this.call.header.append(this.panel.el);
    } else if (!this.presenter && this.panel) {
      this.panel.destroy();
      this.panel = null;
    }
    this.renderPanel();
  }

  hostRequest(type, fields) {
    return this.signaling.request(type, fields).catch((err) => this.call.toast(errorText(err.code, err.message)));
  }

  renderPanel() {
    if (!this.panel) return;
    const hands = new Set(this.queue.map((p) => p.id));
    const people = [];
    for (const p of this.participants.values()) {
      if (p.role === 'specialist') continue; /* the hosts present; they are not attendees */
      people.push({ ...p, waiting: false, hand: hands.has(p.id) });
    }
    for (const p of this.waiting.values()) people.push({ id: p.id, name: p.name, role: p.role, waiting: true });
    this.panel.update({ queue: this.queue, floor: this.floor, people });
  }

  /* Presenters: the queue and the floor. */
  onHands(m) {
    const queue = Array.isArray(m.queue) ? m.queue.filter((p) => typeof p?.id === 'string') : [];
    const before = new Set(this.queue.map((p) => p.id));
    const raised = queue.filter((p) => !before.has(p.id));
    this.queue = queue;
    this.floor = m.floor && typeof m.floor.id === 'string' ? m.floor : null;
    for (const p of raised) this.call.announce(t('teach.hand.new', { name: p.name || t('call.unknown') }));
    this.render();
  }

  /* Attendee: raise the hand, lower it, or hand the floor back. */
  async toggleHand() {
    if (this.busy || this.presenter) return;
    this.busy = true;
    this.updateBar();
    try {
      if (this.hand === 'down') {
        const ok = await this.signaling.request('raise-hand', {});
        this.hand = 'up';
        this.position = Number.isInteger(ok.position) ? ok.position : null;
        this.call.announce(this.position ? t('teach.hand.position', { n: this.position }) : t('teach.hand.up'));
      } else {
        await this.signaling.request('lower-hand', {});
        if (this.hand === 'up') {
          this.hand = 'down';
          this.position = null;
          this.call.announce(t('teach.hand.down'));
        } /* from the floor: the `floor` message that follows ends it */
      }
    } catch (err) {
      this.call.toast(errorText(err.code, err.message));
    } finally {
      this.busy = false;
      this.updateBar();
    }
  }

  /* Attendee: the floor given (publish) or taken back (stop). */
  async onFloor(m) {
    if (m.granted === true) {
      this.hand = 'floor';
      this.position = null;
      this.floorVideo = m.video === true;
      this.updateBar();
      this.call.announce(t(this.floorVideo ? 'teach.floor.video' : 'teach.floor.audio'));
      try {
        await this.startSending(this.floorVideo);
      } catch (err) {
        this.call.toast(t('teach.floor.failed', { detail: err?.message ?? String(err) }));
      }
    } else if (this.hand === 'floor') {
      this.hand = 'down';
      this.floorVideo = false;
      await this.stopSending();
      this.updateBar();
      this.call.toast(t('teach.floor.ended'));
      this.call.announce(t('teach.floor.ended'));
    }
  }

  /* Made presenter (or back to attendee): the people one sees change. */
  async onPresenter(m) {
    const on = m.on === true;
    if (on === this.presenter) return;
    this.presenter = on;
    this.hand = 'down';
    this.position = null;
    this.setPeople(Array.isArray(m.participants) ? m.participants : []);
    this.syncPanel();
    this.updateBar();
    this.call.toast(t(on ? 'teach.presenter.on' : 'teach.presenter.off'));
    try {
      if (on) await this.startSending(true);
      else await this.stopSending();
    } catch (err) {
      this.call.toast(t('teach.floor.failed', { detail: err?.message ?? String(err) }));
    }
  }

  /* Whether a participant gets a tile: presenters and the floor holder;
   * an attendee only while their tracks come (the floor). */
  showsTile(p, media) {
    return p.presenter === true || p.floor === true || p.id === this.floor?.id || !!(media?.audio || media?.video);
  }

  /* Tiles in order: the hosts, the other presenters, then the floor. */
  order(list) {
    const rank = (p) => (p.role === 'specialist' ? 0 : p.presenter ? 1 : 2);
    return list.map((p, i) => [p, i]).sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1]).map(([p]) => p);
  }

  /* For tests and support. */
  state() {
    return { presenter: this.presenter, attendees: this.attendees, hand: this.hand, position: this.position, queue: this.queue.map((p) => p.id), floor: this.floor?.id ?? null };
  }

  destroy() {
    for (const off of this.off) off();
    this.panel?.destroy();
    this.bar.destroy();
  }
}
