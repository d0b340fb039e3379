/*
 * controls.js — the controls bar at the bottom of the call: microphone,
 * camera, switch camera, audio only, what other modules add (chat) and
 * leave. Each button has a visible caption that is also its accessible
 * name, and the caption says what a press does now ("Mute", then "Unmute"; "Stop camera", then "Start
 * camera"; "Audio only", then "Show video"). So none has aria-pressed (a
 * toggle button must keep its name); data-off (microphone muted, camera
 * off) and data-on (audio only) say the state for styling (a struck-through
 * icon and colour) and for tests.
 */
import { t } from '../i18n.js';
import { h, icon } from './dom.js';

function button(id, iconName, label, onclick, extra = {}) {
  const iconBox = h('span', { class: 'control-icon' }, icon(iconName));
  const caption = h('span', { class: 'control-label' }, label);
  const el = h('button', { type: 'button', class: 'control', id, onclick, ...extra }, iconBox, caption);
  el.setIcon = (name) => iconBox.replaceChildren(icon(name));
  el.setCaption = (text) => (caption.textContent = text);
  return el;
}

/* A control of the bar, for modules that add their own (ui/chat.js). */
export { button as controlButton };

export class Controls {
  constructor({ onMute, onCamera, onSwitch, onLeave, onAudioOnly = () => {} }) {
    this.mic = button('btn-mic', 'mic', t('controls.mute'), () => onMute(), { 'data-off': 'false' });
    this.camera = button('btn-camera', 'camera', t('controls.camera'), () => onCamera(), { 'data-off': 'false' });
    this.switch = button('btn-switch', 'switch', t('controls.switch'), () => onSwitch(), { hidden: true });
    this.audioOnly = button('btn-audio-only', 'headphones', t('controls.audio-only'), () => onAudioOnly(), {
      'data-on': 'false',
      'aria-controls': 'audio-only-note',
    });
    this.leave = button('btn-leave', 'leave', t('controls.leave'), () => onLeave(), { class: 'control control-leave' });
    this.group = h('div', { class: 'controls-group' }, this.mic, this.camera, this.switch, this.audioOnly);
    this.el = h('nav', { class: 'controls', 'aria-label': t('controls.label') }, this.group, h('div', { class: 'controls-group' }, this.leave));
  }

  /* Adds a control after the others, before Leave. */
  add(el) {
    this.group.append(el);
  }

  /* state: { hasAudio, hasVideoDevice, micMuted, cameraOn, canSwitch } */
  update(s) {
    this.mic.disabled = !s.hasAudio;
    this.mic.dataset.off = String(!s.hasAudio || s.micMuted);
    this.mic.setIcon(s.micMuted || !s.hasAudio ? 'mic-off' : 'mic');
    this.mic.setCaption(!s.hasAudio ? t('controls.no-mic') : s.micMuted ? t('controls.unmute') : t('controls.mute'));

    this.camera.disabled = !s.hasVideoDevice;
    this.camera.dataset.off = String(!s.cameraOn);
    this.camera.setIcon(s.cameraOn ? 'camera' : 'camera-off');
    this.camera.setCaption(!s.hasVideoDevice ? t('controls.no-camera') : s.cameraOn ? t('controls.camera') : t('controls.camera-on'));

    this.switch.hidden = !s.canSwitch;
    this.switch.disabled = !s.cameraOn;
  }

  /* Audio only on: the button offers video back. */
  setAudioOnly(on) {
    this.audioOnly.dataset.on = on ? 'true' : 'false';
    this.audioOnly.setCaption(on ? t('controls.video-again') : t('controls.audio-only'));
    this.audioOnly.setIcon(on ? 'camera' : 'headphones');
  }

  setBusy(which, busy) {
    const el = this[which];
    if (el) el.setAttribute('aria-busy', busy ? 'true' : 'false');
  }
}
