/*
 * precheck.js — the pre-call check on the join page: a camera preview, a
 * microphone level meter, a speaker test tone and whether the server (its
 * health endpoint and the signalling WebSocket) can be reached.
 *
 * It starts the person's camera and microphone through LocalMedia; joining
 * takes that LocalMedia over (takeMedia) so the devices are opened once.
 * Observers join without sending, so for them only the server is checked.
 */
import { t } from '../i18n.js';
import { h } from './dom.js';
import { LocalMedia } from '../media.js';
import { PROTOCOL, signalingUrl } from '../signaling.js';

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
    this.el = h(
      'section',
      { class: 'precheck', 'aria-labelledby': 'check-title' },
      h('h2', { id: 'check-title' }, t('check.title')),
      h('div', { class: 'check-body' }, this.wantMedia ? this.preview : null, h('ul', { class: 'check-list' }, this.camera, this.mic, this.server)),
      h('p', { class: 'check-speaker' }, this.speaker, h('span', { class: 'field-hint' }, t('check.speaker.hint'))),
    );
  }

  /* Runs every check; never throws (each row says what failed). */
  async run() {
    const server = this.checkServer();
    if (this.wantMedia) {
      const media = new LocalMedia();
      try {
        await media.start();
        this.media = media;
        this.camera.set(media.videoTrack ? 'ok' : 'failed');
        this.mic.set(media.audioTrack ? 'ok' : 'failed');
        this.preview.srcObject = media.stream;
        this.preview.play?.().catch(() => {});
        this.startMeter(media.audioTrack);
      } catch (err) {
        this.error = err;
        this.camera.set('failed');
        this.mic.set('failed');
      }
    } else {
      this.camera.set('skipped');
      this.mic.set('skipped');
      this.meter.hidden = true;
    }
    await server;
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
    if (!track || typeof AudioContext === 'undefined') return;
    try {
      this.audio = new AudioContext();
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
    clearInterval(this.meterTimer);
    this.audio?.close?.().catch?.(() => {});
    this.preview.srcObject = null;
    if (!this.taken) this.media?.stop();
  }
}
