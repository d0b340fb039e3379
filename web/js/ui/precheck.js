/*
 * precheck.js — the pre-call check on the join page: a camera preview, a
 * microphone level meter, a speaker test tone and whether the server (its
 * health endpoint and the signalling WebSocket) can be reached.
 *
 * Each device is reported on its own: a refused camera says "not allowed"
 * on the camera row and leaves a working microphone "working"; the person
 * joins with what there is (audio only, or watching and listening), and a
 * refusal brings the help for their device (devicehelp.js). Where the
 * browser lists devices there are pickers for camera, microphone and
 * (where it can choose one) speaker, and the choices to join with the
 * camera off or muted.
 *
 * It starts the person's camera and microphone through LocalMedia; joining
 * takes that LocalMedia over (takeMedia) so the devices are opened once.
 * Observers join without sending, so for them only the server is checked.
 */
import { t } from '../i18n.js';
import { h } from './dom.js';
import { LocalMedia, mediaErrorCode } from '../media.js';
import { PROTOCOL, signalingUrl } from '../signaling.js';
import { deviceHelp } from './devicehelp.js';

/* A getUserMedia error → the state its row shows. */
function deviceState(err) {
  switch (mediaErrorCode(err)) {
    case 'media-denied':
      return 'denied';
    case 'media-notfound':
      return 'missing';
    case 'media-busy':
      return 'busy';
    default:
      return 'failed';
  }
}

/* Whether the browser can send sound to a chosen output device. */
const canPickSpeaker = () => typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;

function row(id, label) {
  const value = h('span', { class: 'check-value', id: `${id}-value`, 'data-state': 'checking' }, t('check.checking'));
  const el = h('li', { class: 'check-row', id }, h('span', { class: 'check-label' }, label), value);
  el.set = (state, text) => {
    value.dataset.state = state;
    value.textContent = text ?? t(`check.${state}`);
  };
  return el;
}

/* Resolves true when a samvei-v1 WebSocket opens within ms. */
function wsReachable(ms = 5000) {
  return new Promise((resolve) => {
    let ws;
    const done = (ok) => {
      clearTimeout(timer);
      try {
        ws?.close(1000, 'check');
      } catch {
        /* closing a socket that never opened */
      }
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), ms);
    try {
      ws = new WebSocket(signalingUrl(), PROTOCOL);
    } catch {
      done(false);
      return;
    }
    ws.onopen = () => done(true);
    ws.onclose = () => done(false);
  });
}

export class PreCheck {
  constructor({ media = true } = {}) {
    this.wantMedia = media;
    this.media = null;
    this.taken = false;
    this.preview = h('video', { class: 'check-preview', autoplay: true, muted: true, playsInline: true, 'aria-label': t('check.preview') });
    this.preview.setAttribute('playsinline', '');
    this.preview.setAttribute('muted', '');
    this.meterBar = h('span', { class: 'meter-bar' });
    this.meter = h(
      'span',
      { class: 'meter', id: 'mic-meter', role: 'meter', 'aria-label': t('check.mic-level'), 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0' },
      this.meterBar,
    );
    this.camera = row('check-camera', t('check.camera'));
    this.mic = row('check-mic', t('check.mic'));
    this.server = row('check-server', t('check.server'));
    this.mic.append(this.meter);
    this.speaker = h('button', { type: 'button', class: 'btn btn-small', id: 'check-speaker', onclick: () => this.playTone() }, t('check.speaker'));
    const picker = (id, label, kind) => {
      const select = h('select', { id, onchange: () => this.pick(kind, select.value) });
      return [select, h('div', { class: 'check-picker field', hidden: true }, h('label', { for: id }, label), select)];
    };
    let camBox, micBox, spkBox;
    [this.cameraPick, camBox] = picker('pick-camera', t('check.pick.camera'), 'video');
    [this.micPick, micBox] = picker('pick-mic', t('check.pick.mic'), 'audio');
    [this.speakerPick, spkBox] = picker('pick-speaker', t('check.pick.speaker'), 'speaker');
    this.pickers = h('div', { class: 'check-pickers', hidden: true }, camBox, micBox, spkBox);
    const choice = (id, label) => {
      const input = h('input', { type: 'checkbox', id });
      return [input, h('label', { class: 'check-choice', for: id, hidden: true }, input, h('span', {}, label))];
    };
    [this.cameraOffInput, this.cameraOffChoice] = choice('join-camera-off', t('check.choice.camera-off'));
    [this.mutedInput, this.mutedChoice] = choice('join-muted', t('check.choice.muted'));
    this.summary = h('p', { class: 'check-summary', id: 'check-summary', role: 'status' });
    this.help = h('div', { class: 'check-help' });
    this.el = h(
      'section',
      { class: 'precheck', 'aria-labelledby': 'check-title' },
      h('h2', { id: 'check-title' }, t('check.title')),
      h('div', { class: 'check-body' }, this.wantMedia ? this.preview : null, h('ul', { class: 'check-list' }, this.camera, this.mic, this.server)),
      this.wantMedia ? this.summary : null,
      this.help,
      this.pickers,
      h('div', { class: 'check-choices' }, this.cameraOffChoice, this.mutedChoice),
      h('p', { class: 'check-speaker' }, this.speaker, h('span', { class: 'field-hint' }, t('check.speaker.hint'))),
    );
    this.ready = Promise.resolve();
  }

  /* Runs every check; never throws (each row says what failed). */
  async run() {
    const server = this.checkServer();
    let mediaDone;
    this.ready = new Promise((r) => (mediaDone = r));
    if (this.wantMedia) await this.startMedia();
    else {
      this.camera.set('skipped');
      this.mic.set('skipped');
      this.meter.hidden = true;
    }
    mediaDone();
    await server;
  }

  /* Starts camera and microphone (again, after a retry or a new device)
   * and shows each row's answer, the pickers, the choices and the help. */
  async startMedia(devices = {}) {
    this.stopMedia();
    this.camera.set('checking');
    this.mic.set('checking');
    const media = new LocalMedia();
    try {
      await media.start(devices);
    } catch (err) {
      media.errors = { audio: err, video: err }; /* no getUserMedia at all */
    }
    if (this.destroyed) {
      media.stop();
      return;
    }
    this.media = media;
    this.camera.set(media.videoTrack ? 'ok' : deviceState(media.errors.video));
    this.mic.set(media.audioTrack ? 'ok' : deviceState(media.errors.audio));
    this.preview.srcObject = media.stream;
    this.preview.hidden = !media.videoTrack;
    this.preview.play?.().catch(() => {});
    this.meter.hidden = !media.audioTrack;
    this.startMeter(media.audioTrack);
    this.cameraOffChoice.hidden = !media.videoTrack;
    this.mutedChoice.hidden = !media.audioTrack;
    this.summary.textContent = t(media.audioTrack ? (media.videoTrack ? 'check.summary.both' : 'check.summary.audio') : media.videoTrack ? 'check.summary.video' : 'check.summary.none');
    this.summary.dataset.mode = media.audioTrack ? (media.videoTrack ? 'both' : 'audio') : media.videoTrack ? 'video' : 'none';
    const denied = [media.errors.audio, media.errors.video].some((e) => e && deviceState(e) === 'denied');
    this.help.replaceChildren(denied ? deviceHelp({ onRetry: () => this.startMedia() }) : '');
    await this.fillPickers();
  }

  /* The device pickers: shown for a kind once there is a choice. */
  async fillPickers() {
    const list = await LocalMedia.devices();
    const fill = (select, devices, current, fallback) => {
      select.replaceChildren(
        ...devices.map((d, i) => h('option', { value: d.deviceId, selected: d.deviceId === current }, d.label || t(fallback, { n: i + 1 }))),
      );
      select.closest('.check-picker').hidden = devices.length < 2;
    };
    fill(this.cameraPick, list.videoinput, this.media?.deviceOf('video'), 'check.device.camera');
    fill(this.micPick, list.audioinput, this.media?.deviceOf('audio'), 'check.device.mic');
    if (canPickSpeaker()) fill(this.speakerPick, list.audiooutput, this.speakerId, 'check.device.speaker');
    else this.speakerPick.closest('.check-picker').hidden = true;
    this.pickers.hidden = [this.cameraPick, this.micPick, this.speakerPick].every((s) => s.closest('.check-picker').hidden);
  }

  /* A picker changed: that device instead. */
  async pick(kind, deviceId) {
    if (!this.media || !deviceId) return;
    if (kind === 'speaker') {
      this.speakerId = deviceId;
      this.audio?.setSinkId?.(deviceId).catch?.(() => {});
      return;
    }
    try {
      await this.media.useDevice(kind, deviceId);
      (kind === 'audio' ? this.mic : this.camera).set('ok');
    } catch (err) {
      (kind === 'audio' ? this.mic : this.camera).set(deviceState(err));
    }
    this.preview.srcObject = this.media.stream;
    this.preview.hidden = !this.media.videoTrack;
    if (kind === 'audio') this.startMeter(this.media.audioTrack);
  }

  /* What the person chose for joining: { cameraOff, muted, speakerId }. */
  choices() {
    return {
      cameraOff: !this.cameraOffChoice.hidden && this.cameraOffInput.checked,
      muted: !this.mutedChoice.hidden && this.mutedInput.checked,
      speakerId: this.speakerId ?? null,
    };
  }

  stopMedia() {
    clearInterval(this.meterTimer);
    if (this.media && !this.taken) this.media.stop();
    this.media = null;
  }

  async checkServer() {
    let ok = false;
    try {
      const res = await fetch('/healthz', { cache: 'no-store' });
      ok = res.ok && (await wsReachable());
    } catch {
      ok = false;
    }
    this.server.set(ok ? 'ok' : 'failed');
  }

  startMeter(track) {
    clearInterval(this.meterTimer);
    if (!track || typeof AudioContext === 'undefined') return;
    try {
      this.audio ??= new AudioContext();
      const source = this.audio.createMediaStreamSource(new MediaStream([track]));
      const analyser = this.audio.createAnalyser();
      analyser.fftSize = 512;
      source.connect(analyser);
      const data = new Uint8Array(analyser.fftSize);
      this.meterTimer = setInterval(() => {
        analyser.getByteTimeDomainData(data);
        let peak = 0;
        for (const v of data) peak = Math.max(peak, Math.abs(v - 128));
        const level = Math.min(100, Math.round((peak / 128) * 180));
        this.meterBar.style.width = `${level}%`;
        this.meter.setAttribute('aria-valuenow', String(level));
      }, 100);
    } catch {
      /* no meter, the rest still works */
    }
  }

  playTone() {
    try {
      const ctx = this.audio ?? new AudioContext();
      this.audio = ctx;
      ctx.resume?.();
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = 660;
      gain.gain.setValueAtTime(0.2, ctx.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.8);
      osc.connect(gain).connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + 0.8);
    } catch {
      /* a browser without Web Audio: nothing to play */
    }
  }

  /* Hands the started LocalMedia (or null) to the caller, who stops it. */
  takeMedia() {
    this.taken = true;
    return this.media;
  }

  destroy() {
    this.destroyed = true;
    clearInterval(this.meterTimer);
    this.audio?.close?.().catch?.(() => {});
    this.preview.srcObject = null;
    if (!this.taken) this.media?.stop();
  }
}
