/*
 * call.js — the call view: a header with the room and the connection state,
 * a grid of remote tiles that fills the stage, the small mirrored self-view
 * and the controls bar at the bottom.
 *
 * The grid picks the number of columns that gives the largest 16:9 tiles for
 * the stage's current size (1–16 tiles; portrait tablets get one column for
 * two people, laptops two side by side) and recomputes on every resize.
 *
 * Any remote tile can be pinned: it moves out of the grid onto a pin stage
 * and the call takes the screen share's layout (screenshare.css): the
 * pinned tile large, the others a small strip. Pinning it again, or
 * pinning another, puts it back. The self-view can be minimised and moved
 * (selfview.js).
 *
 * For weak links: the header shows the participant's own connection
 * quality, every tile its own; when the server pauses our video, every
 * remote tile says so; the note about audio only sits between the stage
 * and the controls, covering nobody's tile.
 */
import { t } from '../i18n.js';
import { h } from './dom.js';
import { Tile } from './tile.js';
import { Controls } from './controls.js';
import { StatusBanner } from './status.js';
import { QualityBadge } from './qualitybadge.js';
import { AudioOnlyNote } from './audioonly.js';
import { SelfView } from './selfview.js';

const GAP = 8;
const ASPECT = 16 / 9;

/* Columns and rows for n tiles of aspect ASPECT in a w×h box. */
export function gridShape(n, w, hgt, gap = GAP) {
  if (n <= 0 || w <= 0 || hgt <= 0) return { cols: 1, rows: 1 };
  let best = { cols: 1, rows: n, size: 0 };
  for (let cols = 1; cols <= n; cols++) {
    const rows = Math.ceil(n / cols);
    const cw = (w - gap * (cols - 1)) / cols;
    const ch = (hgt - gap * (rows - 1)) / rows;
    if (cw <= 0 || ch <= 0) continue;
    const tw = Math.min(cw, ch * ASPECT);
    if (tw > best.size + 0.5) best = { cols, rows, size: tw };
  }
  return { cols: best.cols, rows: best.rows };
}

export class CallView {
  /* onTile(id, element) / onTileGone(id): a remote tile came or went (for
   * layer preferences by tile size). onAudioOnly(): the audio-only button;
   * onStopCamera(stop): the checkbox of the audio-only note. */
  constructor({ onMute, onCamera, onSwitch, onLeave, onRetry, onAudioOnly, onStopCamera, onTile, onTileGone }) {
    this.tiles = new Map(); /* participant id → Tile */
    this.order = []; /* participant ids in the order of the last setParticipants */
    this.pinned = null; /* the participant id shown large, or null */
    this.onTile = onTile ?? (() => {});
    this.onTileGone = onTileGone ?? (() => {});
    this.paused = null; /* why the server pauses video towards us, or null */
    this.pausedFrom = null; /* whose video: a Set of participant ids, null = everyone's */
    this.status = new StatusBanner({ onRetry });
    this.selfQuality = new QualityBadge({ self: true });
    this.selfQuality.el.id = 'self-quality';
    this.audioOnlyNote = new AudioOnlyNote({ onStopCamera: onStopCamera ?? (() => {}) });
    this.announcer = h('p', { class: 'sr-only', role: 'status', id: 'announcer' });
    this.controls = new Controls({ onMute, onCamera, onSwitch, onLeave, onAudioOnly });
    this.roomEl = h('h1', { class: 'call-room' });
    this.countEl = h('span', { class: 'call-count' });
    this.grid = h('div', { class: 'grid', id: 'grid', role: 'list', 'aria-label': t('call.grid') });
    this.emptyHint = h('p', { class: 'empty-hint' });
    this.empty = h('div', { class: 'empty', id: 'empty' }, h('p', { class: 'empty-title' }, t('call.alone')), this.emptyHint);
    this.soundButton = h(
      'button',
      { type: 'button', class: 'btn btn-primary sound-button', hidden: true, onclick: () => this.unblockAudio() },
      t('call.audio-blocked'),
    );
    this.toastEl = h('p', { class: 'toast', role: 'alert', hidden: true });
    this.selfTile = new Tile({ id: 'self', name: '', self: true });
    this.selfTile.el.classList.add('self-view');
    this.pinStage = h('section', { class: 'pin-stage', id: 'pin-stage', role: 'region', hidden: true });
    this.stage = h(
      'div',
      { class: 'stage' },
      this.pinStage,
      this.grid,
      this.empty,
      this.selfTile.el,
      this.soundButton,
      this.toastEl,
      this.announcer,
    );
    this.el = h(
      'main',
      { class: 'call', id: 'call' },
      (this.header = h(
        'header',
        { class: 'call-header' },
        h('div', { class: 'call-title' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), this.roomEl, this.countEl),
        this.status.el,
        this.selfQuality.el,
      )),
      this.stage,
      this.audioOnlyNote.el,
      this.controls.el,
    );
    this.selfView = new SelfView({ tile: this.selfTile, stage: this.stage, announce: (text) => this.announce(text) });
    this.resizeObserver = new ResizeObserver(() => this.layout());
    this.resizeObserver.observe(this.stage);
  }

  /* Hosts: the waiting-room panel in the header, and Remove and Take still
   * on every tile made from now on. */
  setHost(panel, onRemove, onCapture = null) {
    this.onRemove = onRemove;
    this.onCapture = onCapture;
    this.header.append(panel.el);
    this.el.classList.add('call-host');
  }

  /* The title the header shows: the consultation's, else the room's. */
  setTitle(title) {
    if (title) this.roomEl.textContent = title;
  }

  setRoom(room) {
    this.room = room;
    this.roomEl.textContent = t('call.room', { room });
    this.emptyHint.textContent = t('call.alone.hint', { room });
  }

  setSelf({ name, stream, mirrored, cameraOn, micMuted }) {
    this.selfTile.setName(name);
    this.selfTile.setTracks(null, cameraOn ? stream.getVideoTracks()[0] ?? null : null);
    this.selfTile.setMirrored(mirrored);
    this.selfTile.setMuted(micMuted);
    this.selfTile.check();
  }

  /* participants: [{id, name, role, audio, video, audioOnly}] — the
   * remote tiles to show, in order. Tiles of anyone not in the list go at
   * once. */
  setParticipants(list) {
    const keep = new Set(list.map((p) => p.id));
    for (const [id, tile] of this.tiles) {
      if (!keep.has(id)) {
        tile.destroy();
        this.tiles.delete(id);
        this.onTileGone(id);
        if (id === this.pinned) this.showPinned(null);
      }
    }
    this.order = list.map((p) => p.id);
    let prev = null; /* the grid's tile before this one */
    for (const p of list) {
      let tile = this.tiles.get(p.id);
      let added = false;
      if (!tile) {
        tile = new Tile({ id: p.id, name: p.name, role: p.role, onRemove: this.onRemove, onCapture: this.onCapture, onPin: (id) => this.togglePin(id) });
        tile.el.setAttribute('role', 'listitem');
        tile.onAudioBlocked = () => (this.soundButton.hidden = false);
        tile.onFullscreenFailed = () => this.toast(t('stage.fullscreen-failed'));
        tile.setPaused(this.pausedFor(p.id));
        this.tiles.set(p.id, tile);
        added = true;
      } else if (tile.name !== p.name) {
        tile.setName(p.name, p.role);
      }
      tile.setAudioOnly(!!p.audioOnly);
      /* Observers send nothing: no badges for devices they do not use. */
      tile.setMediaState(p.role === 'observer' ? {} : { audio: p.audioOn, video: p.videoOn });
      if (added) tile.setSink(this.sinkId);
      tile.setTracks(p.audio ?? null, p.video ?? null);
      if (p.id !== this.pinned) {
        this.placeInGrid(tile.el, prev); /* keeps the list order */
        prev = tile.el;
      }
      if (added) this.onTile(p.id, tile.el);
    }
    if (this.pinned) this.pinStage.setAttribute('aria-label', t('stage.pinned-region', { name: this.tiles.get(this.pinned).name }));
    const n = this.tiles.size;
    this.countEl.textContent = n + 1 === 1 ? t('call.count.one') : t('call.count.many', { n: n + 1 });
    this.empty.hidden = n > 0;
    this.layout();
  }

  /* Puts el right after prev (null: first) in the grid, moving it only
   * when it is elsewhere: a moved element loses the keyboard focus. */
  placeInGrid(el, prev) {
    const want = prev ? prev.nextElementSibling : this.grid.firstElementChild;
    if (want !== el) this.grid.insertBefore(el, want);
  }

  /* A tile's Pin button: that tile large, or (pinned already) back to the
   * grid. */
  togglePin(id) {
    const on = id !== this.pinned;
    this.showPinned(on ? id : null);
    this.announce(on ? t('stage.pinned', { name: this.tiles.get(id)?.name ?? '' }) : t('stage.unpinned'));
  }

  /* Shows the tile of `id` large on the pin stage (null: none); the one
   * pinned before goes back to its place in the grid. */
  showPinned(id) {
    const tile = id ? this.tiles.get(id) : null;
    const old = this.pinned ? this.tiles.get(this.pinned) : null;
    const focused = document.activeElement; /* a moved tile's button keeps the focus */
    this.pinned = tile ? id : null;
    if (old && old !== tile) {
      old.setPinned(false);
      old.el.setAttribute('role', 'listitem');
      let prev = null;
      for (const pid of this.order) {
        const el = pid !== this.pinned ? this.tiles.get(pid)?.el : null;
        if (!el) continue;
        this.placeInGrid(el, prev);
        prev = el;
      }
    }
    if (tile) {
      tile.setPinned(true);
      tile.el.removeAttribute('role'); /* not an item of the grid's list now */
      this.pinStage.replaceChildren(tile.el);
      this.pinStage.setAttribute('aria-label', t('stage.pinned-region', { name: tile.name }));
    } else {
      this.pinStage.replaceChildren();
    }
    this.pinStage.hidden = !tile;
    this.stage.classList.toggle('has-pin', !!tile);
    if (focused?.isConnected && document.activeElement !== focused) focused.focus();
    this.layout();
  }

  layout() {
    const n = this.tiles.size - (this.pinned ? 1 : 0);
    this.grid.hidden = n === 0;
    if (!n) return;
    const r = this.stage.getBoundingClientRect();
    const style = getComputedStyle(this.stage);
    const w = r.width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const hgt = r.height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    const { cols, rows } = gridShape(n, w, hgt);
    this.grid.style.setProperty('--cols', String(cols));
    this.grid.style.setProperty('--rows', String(rows));
    this.grid.dataset.count = String(n);
  }

  /* Feeds each tile its decoded-frame count and received audio energy
   * (participant id → stats). */
  noteStats(stats) {
    for (const [id, tile] of this.tiles) {
      tile.noteFrames(stats[id]?.framesDecoded ?? 0);
      if (stats[id]) tile.noteAudio(stats[id].totalAudioEnergy ?? 0, stats[id].totalSamplesDuration ?? 0);
    }
  }

  /* The speaker the person picked before joining (null: the default). */
  setSink(deviceId) {
    this.sinkId = deviceId ?? null;
    for (const tile of this.tiles.values()) tile.setSink(this.sinkId);
  }

  /* Connection quality: self ('good', 'fair', 'poor' or null) and
   * participant id → level. */
  noteQuality(self, levels) {
    this.selfQuality.set(self);
    for (const [id, tile] of this.tiles) tile.setQuality(levels[id] ?? null);
  }

  /* The server paused video towards us ('bandwidth', 'audio-only') from
   * the participants in `from` (a Set; null: from everyone), or resumed it
   * (reason null): those tiles say so. */
  setVideoPaused(reason, from = null) {
    this.paused = reason ?? null;
    this.pausedFrom = from;
    for (const [id, tile] of this.tiles) tile.setPaused(this.pausedFor(id));
  }

  pausedFor(id) {
    return this.paused && (!this.pausedFrom || this.pausedFrom.has(id)) ? this.paused : null;
  }

  /* The audio-only button and note: on, whether the own camera is off, and
   * whether there is a camera at all. */
  setAudioOnly(state) {
    this.controls.setAudioOnly(state.on);
    this.audioOnlyNote.update(state);
  }

  /* Says text to screen readers without showing it (a polite live region). */
  announce(text) {
    this.announcer.textContent = '';
    /* A new text node after a tick, so the same sentence twice is heard twice. */
    setTimeout(() => (this.announcer.textContent = text), 50);
  }

  /* A short message over the stage (a camera that would not start, …). */
  toast(text, ms = 6000) {
    clearTimeout(this.toastTimer);
    this.toastEl.textContent = text;
    this.toastEl.hidden = false;
    this.toastTimer = setTimeout(() => (this.toastEl.hidden = true), ms);
  }

  unblockAudio() {
    this.soundButton.hidden = true;
    for (const tile of this.tiles.values()) tile.play();
  }

  destroy() {
    clearTimeout(this.toastTimer);
    this.resizeObserver.disconnect();
    for (const [id, tile] of this.tiles) {
      tile.destroy();
      this.onTileGone(id);
    }
    this.tiles.clear();
    this.selfView.destroy();
    this.selfTile.destroy();
    this.el.remove();
  }
}

