/*
 * controls.js — the controls bar at the bottom of the call: microphone mute,
 * camera on/off and switch camera as toggle buttons (aria-pressed), and
 * leave. Each button has a visible caption that is also its accessible
 * name; the pressed state is announced by aria-pressed and shown by colour
 * and a struck-through icon.
 *
 * "Audio only" is the exception: its caption says what a press does now
 * ("Audio only", then "Show video"), so it has no aria-pressed (a toggle
 * button must keep its name); data-on styles it while audio only is on.
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

export class Controls {
  constructor({ onMute, onCamera, onSwitch, onLeave, onAudioOnly = () => {} }) {
    this.mic = button('btn-mic', 'mic', t('controls.mute'), () => onMute(), { 'aria-pressed': 'false' });
    this.camera = button('btn-camera', 'camera', t('controls.camera'), () => onCamera(), { 'aria-pressed': 'false' });
    this.switch = button('btn-switch', 'switch', t('controls.switch'), () => onSwitch(), { hidden: true });
    this.audioOnly = button('btn-audio-only', 'headphones', t('controls.audio-only'), () => onAudioOnly(), {
      'data-on': 'false',
      'aria-controls': 'audio-only-note',
    });
    this.leave = button('btn-leave', 'leave', t('controls.leave'), () => onLeave(), { class: 'control control-leave' });
    this.el = h(
      'nav',
      { class: 'controls', 'aria-label': t('controls.label') },
      h('div', { class: 'controls-group' }, this.mic, this.camera, this.switch, this.audioOnly),
      h('div', { class: 'controls-group' }, this.leave),
    );
  }

  /* state: { hasAudio, hasVideoDevice, micMuted, cameraOn, canSwitch } */
  update(s) {
    this.mic.disabled = !s.hasAudio;
    this.mic.setAttribute('aria-pressed', s.micMuted ? 'true' : 'false');
    this.mic.setIcon(s.micMuted || !s.hasAudio ? 'mic-off' : 'mic');
    this.mic.title = s.hasAudio ? '' : t('controls.no-mic');

    this.camera.disabled = !s.hasVideoDevice;
    this.camera.setAttribute('aria-pressed', s.cameraOn ? 'false' : 'true');
    this.camera.setIcon(s.cameraOn ? 'camera' : 'camera-off');
    this.camera.title = s.hasVideoDevice ? '' : t('controls.no-camera');

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
