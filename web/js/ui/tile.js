/*
 * tile.js — one participant's tile: their video (which also plays their
 * sound), their name, and a placeholder with initials while no picture
 * arrives: no video track, the camera turned off, or no newly decoded frame
 * for a couple of seconds (a remote camera that was switched off sends
 * nothing). Decoded frames are counted from getStats by the caller
 * (noteFrames), not from rendering, which a covered video may skip.
 *
 * When the server pauses video towards us (a weak link, or we chose audio
 * only), the tile says so over the initials instead of showing a frozen
 * picture; a participant who chose audio only has a badge; remote tiles
 * carry a connection-quality badge. Pause and audio only are also in the
 * tile's accessible name.
 *
 * What each person says of their own devices (`participant-media-state`):
 * a muted microphone and a camera that is off show as badges on the label
 * and are in the accessible name; so is speaking, measured from the audio
 * that arrives (noteAudio), shown as a ring around the tile.
 *
 * Remote tiles have a Pin button (onPin: the call shows that tile large,
 * call.js) and a Full screen button (the Fullscreen API on the tile; Esc
 * or the same button leaves), where the browser can show an element full
 * screen.
 */
import { t } from '../i18n.js';
import { h, icon, initials } from './dom.js';
import { QualityBadge } from './qualitybadge.js';

const STALE_MS = 2500;
/* The RMS level (0..1) over a stats interval above which someone speaks:
 * about -40 dBFS, above the comfort noise of an open microphone. */
const SPEAKING_LEVEL = 0.01;

export class Tile {
  /* self: the local preview (muted, mirrored when asked, no sound). */
  /* onRemove: when given (hosts), the tile has a Remove button; onCapture:
   * a "Take still" button; onPin: a Pin button (remote tiles), which also
   * brings a Full screen button. */
  constructor({ id, name, role, self = false, onRemove = null, onCapture = null, onPin = null }) {
    this.id = id;
    this.self = self;
    this.audioTrack = null;
    this.videoTrack = null;
    this.lastFrameAt = 0;
    this.lastFrameCount = -1;
    this.paused = null; /* why video towards us is paused: 'bandwidth', 'audio-only' or null */
    this.audioOnly = false; /* this participant chose audio only */
    this.micMuted = false; /* said by the participant (media-state) */
    this.cameraOff = false;
    this.speaking = false;
    this.audioSample = null; /* { energy, duration } of the last noteAudio */
    this.onAudioBlocked = () => {};
    this.onFullscreenFailed = () => {};

    this.video = h('video', {
      class: 'tile-video',
      autoplay: true,
      playsInline: true,
      muted: self,
      disablePictureInPicture: true,
    });
    this.video.setAttribute('playsinline', '');
    if (self) this.video.setAttribute('muted', '');
    this.initials = h('span', { class: 'initials', 'aria-hidden': 'true' });
    this.pausedText = h('span', {});
    this.pausedEl = h('p', { class: 'tile-paused', hidden: true }, icon('video-paused'), this.pausedText);
    this.placeholder = h('div', { class: 'placeholder' }, this.initials, this.pausedEl);
    this.nameEl = h('span', { class: 'tile-name' });
    this.roleEl = h('span', { class: 'tile-role' });
    this.mutedEl = h('span', { class: 'tile-muted', hidden: true, title: t('call.muted') }, icon('mic-off'));
    this.cameraOffEl = h('span', { class: 'tile-muted tile-camera-off', hidden: true, title: t('call.camera-off') }, icon('camera-off'));
    this.audioOnlyEl = h('span', { class: 'tile-badge tile-audio-only', hidden: true }, icon('headphones'), h('span', {}, t('tile.audio-only')));
    this.label = h('figcaption', { class: 'tile-label' }, this.mutedEl, this.cameraOffEl, this.nameEl, this.roleEl, this.audioOnlyEl);
    this.quality = self ? null : new QualityBadge();
    if (onRemove) {
      this.removeButton = h('button', { type: 'button', class: 'tile-remove', onclick: () => onRemove(id) }, '×');
      this.label.append(this.removeButton);
    }
    if (onCapture) {
      this.captureButton = h('button', { type: 'button', class: 'btn btn-small tile-capture', 'data-action': 'capture', onclick: () => onCapture(id) }, t('rec.capture'));
    }
    if (onPin) {
      this.pinButton = h('button', { type: 'button', class: 'tile-tool tile-pin', 'data-action': 'pin', 'aria-pressed': 'false', onclick: () => onPin(id) }, icon('pin'));
      this.fullButton = h('button', { type: 'button', class: 'tile-tool tile-fullscreen', 'data-action': 'fullscreen', hidden: !document.fullscreenEnabled, onclick: () => this.toggleFullscreen() }, icon('fullscreen'));
      this.tools = h('div', { class: 'tile-tools' }, this.pinButton, this.fullButton);
    }
    this.el = h(
      'figure',
      { class: `tile${self ? ' tile-self' : ''}`, 'data-participant': id, 'data-video': 'off', 'data-muted': 'false', 'data-camera': 'on', 'data-speaking': 'false' },
      this.video,
      this.placeholder,
      this.label,
      this.quality?.el,
      this.captureButton,
      this.tools,
    );
    this.onFullscreen = () => this.updateTools();
    this.el.addEventListener('fullscreenchange', this.onFullscreen);
    this.stream = new MediaStream();
    this.video.srcObject = this.stream;
    this.setName(name, role);
    this.timer = setInterval(() => this.check(), 1000);
  }

  setName(name, role) {
    this.name = name || t('call.unknown');
    this.nameEl.textContent = this.self ? t('call.you') : this.name;
    this.roleEl.textContent = role && !this.self ? t(`role.${role}`) : '';
    this.roleEl.hidden = !this.roleEl.textContent;
    this.initials.textContent = initials(this.name);
    this.removeButton?.setAttribute('aria-label', t('host.remove-name', { name: this.name }));
    this.captureButton?.setAttribute('aria-label', t('rec.capture-name', { name: this.name }));
    this.audioOnlyEl.title = t('tile.audio-only.title', { name: this.name });
    this.updateLabel();
    this.updateTools();
  }

  /* The Pin and Full screen buttons' names and states. */
  updateTools() {
    if (!this.pinButton) return;
    const pin = t('stage.pin', { name: this.name });
    this.pinButton.setAttribute('aria-label', pin);
    this.pinButton.title = pin;
    const full = document.fullscreenElement === this.el ? t('stage.fullscreen-exit') : t('stage.fullscreen', { name: this.name });
    this.fullButton.setAttribute('aria-label', full);
    this.fullButton.title = full;
  }

  /* Shown large by the call (call.js), or not. */
  setPinned(on) {
    this.el.classList.toggle('pinned', !!on);
    this.pinButton?.setAttribute('aria-pressed', String(!!on));
  }

  /* The Full screen button: this tile alone on the whole screen, or back. */
  toggleFullscreen() {
    const done = document.fullscreenElement === this.el ? document.exitFullscreen() : this.el.requestFullscreen();
    done?.catch?.(() => this.onFullscreenFailed());
  }

  /* The accessible name: whose tile, and whether its video is paused or
   * they chose audio only. */
  updateLabel() {
    const parts = [this.self ? t('call.self-view') : t('call.video-of', { name: this.name })];
    if (this.paused) parts.push(t(`tile.paused.${this.paused}`));
    if (this.audioOnly) parts.push(t('tile.audio-only.state'));
    if (this.micMuted) parts.push(t('call.muted'));
    if (this.cameraOff) parts.push(t('call.camera-off'));
    if (this.speaking) parts.push(t('tile.speaking'));
    this.el.setAttribute('aria-label', parts.join('. '));
  }

  /* What the participant says of their devices: { audio, video } (false:
   * muted, camera off). */
  setMediaState({ audio = true, video = true } = {}) {
    const muted = audio === false;
    const off = video === false;
    if (muted === this.micMuted && off === this.cameraOff) return;
    this.micMuted = muted;
    this.cameraOff = off;
    this.mutedEl.hidden = !muted;
    this.cameraOffEl.hidden = !off;
    this.el.dataset.muted = String(muted);
    this.el.dataset.camera = off ? 'off' : 'on';
    if (muted) this.setSpeaking(false);
    this.updateLabel();
    this.check();
  }

  /* The running totals of the received audio (getStats totalAudioEnergy
   * and totalSamplesDuration): the level over the last interval says
   * whether the participant is speaking. */
  noteAudio(energy, duration) {
    const prev = this.audioSample;
    this.audioSample = { energy, duration };
    if (!prev || !(duration > prev.duration)) return;
    const level = Math.sqrt(Math.max(0, energy - prev.energy) / (duration - prev.duration));
    this.setSpeaking(!this.micMuted && level > SPEAKING_LEVEL);
  }

  setSpeaking(on) {
    if (on === this.speaking) return;
    this.speaking = on;
    this.el.classList.toggle('speaking', on);
    this.el.dataset.speaking = String(on);
    this.updateLabel();
  }

  /* Plays the sound on this output device (the speaker picker), where the
   * browser can. */
  setSink(deviceId) {
    if (deviceId && this.video.setSinkId) this.video.setSinkId(deviceId).catch(() => {});
  }

  /* Video towards us is paused ('bandwidth' or 'audio-only') or not (null):
   * the tile shows the notice over the initials, not a frozen picture. */
  setPaused(reason) {
    const why = reason === 'bandwidth' || reason === 'audio-only' ? reason : null;
    if (why === this.paused) return;
    this.paused = why;
    this.pausedEl.hidden = !why;
    this.pausedText.textContent = why ? t(`tile.paused.${why}`) : '';
    if (why) this.el.dataset.paused = why;
    else delete this.el.dataset.paused;
    this.updateLabel();
    this.check();
  }

  /* This participant chose to receive audio only. */
  setAudioOnly(on) {
    if (!!on === this.audioOnly) return;
    this.audioOnly = !!on;
    this.audioOnlyEl.hidden = !on;
    this.updateLabel();
  }

  /* 'good', 'fair', 'poor' or null (not measured). */
  setQuality(level) {
    this.quality?.set(level);
  }

  /* Shows these tracks (either may be null); unchanged tracks are kept, so
   * the picture does not flicker on every renegotiation. */
  setTracks(audioTrack, videoTrack) {
    let changed = false;
    for (const [kind, track] of [['audioTrack', audioTrack], ['videoTrack', videoTrack]]) {
      if (this[kind] === track) continue;
      if (this[kind]) this.stream.removeTrack(this[kind]);
      if (track) this.stream.addTrack(track);
      this[kind] = track;
      changed = true;
    }
    if (!changed) return;
    this.lastFrameCount = -1;
    this.lastFrameAt = 0;
    this.play();
    this.check();
  }

  play() {
    if (!this.audioTrack && !this.videoTrack) return;
    const p = this.video.play();
    p?.catch?.((err) => {
      if (err?.name === 'NotAllowedError') this.onAudioBlocked(this);
    });
  }

  setMirrored(mirrored) {
    this.el.classList.toggle('mirrored', !!mirrored);
  }

  /* The self-view's own badges. */
  setMuted(muted) {
    this.mutedEl.hidden = !muted;
  }

  /* The running count of decoded frames of this tile's video. */
  noteFrames(count) {
    if (count === this.lastFrameCount) return;
    if (count > 0) this.lastFrameAt = performance.now();
    this.lastFrameCount = count;
    this.check();
  }

  /* Whether a picture is arriving: a live video track and, for a remote
   * participant, a frame decoded within the last STALE_MS. */
  hasPicture() {
    const tr = this.videoTrack;
    if (!tr || tr.readyState === 'ended' || !tr.enabled) return false;
    if (this.self) return true;
    if (this.paused || this.cameraOff) return false; /* they said it is off: initials at once */
    return performance.now() - this.lastFrameAt < STALE_MS;
  }

  check() {
    const on = this.hasPicture();
    if (this.el.dataset.video !== (on ? 'on' : 'off')) this.el.dataset.video = on ? 'on' : 'off';
  }

  destroy() {
    this.destroyed = true;
    clearInterval(this.timer);
    if (document.fullscreenElement === this.el) document.exitFullscreen().catch(() => {});
    this.el.removeEventListener('fullscreenchange', this.onFullscreen);
    this.video.srcObject = null;
    this.el.remove();
  }
}
