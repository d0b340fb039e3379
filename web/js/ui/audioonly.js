/*
 * audioonly.js — the note shown while the person has chosen audio only: it
 * says what that means (they hear everyone, video is not sent to them) and
 * offers the second choice, a checkbox to stop their own camera too. Focus
 * stays on the "Audio only" button; the call view announces the change to
 * screen readers (CallView.announce).
 */
import { t } from '../i18n.js';
import { h, icon } from './dom.js';

export class AudioOnlyNote {
  /* onStopCamera(stop: boolean): the checkbox was ticked or cleared. */
  constructor({ onStopCamera }) {
    this.checkbox = h('input', {
      type: 'checkbox',
      id: 'audio-only-camera',
      onchange: () => onStopCamera(this.checkbox.checked),
    });
    this.cameraRow = h(
      'label',
      { class: 'audio-only-camera', for: 'audio-only-camera' },
      this.checkbox,
      h('span', {}, t('audio-only.stop-camera')),
    );
    this.text = h('p', { class: 'audio-only-text' });
    this.el = h(
      'div',
      { class: 'audio-only-note', id: 'audio-only-note', hidden: true },
      h('div', { class: 'audio-only-top' }, icon('headphones'), this.text),
      this.cameraRow,
    );
  }

  /* on: audio only is chosen; cameraOff: the own camera is off now;
   * hasCamera: there is a camera to stop at all. */
  update({ on, cameraOff, hasCamera }) {
    this.el.hidden = !on;
    this.text.textContent = on ? t('audio-only.on') : '';
    this.cameraRow.hidden = !hasCamera;
    this.checkbox.checked = !!cameraOff;
  }
}
