/*
 * join.js — the join page: room and display name (prefilled from ?room= and
 * ?name=; with an invitation token both come from the invitation, and the
 * technical room field is not shown, the consultation's title is), the
 * pre-call check, the privacy notice to acknowledge, a join button, and
 * errors next to the field they are about or, for the server's and the
 * browser's refusals, above the button.
 */
import { t } from '../i18n.js';
import { h } from './dom.js';
import { langSwitch } from './langswitch.js';
import { pageFooter } from './footer.js';

export const ROOM_RE = /^[A-Za-z0-9_-]{1,64}$/;

/* Trims a name and checks it as the server will: 1–64 characters. */
export function cleanName(name) {
  const trimmed = String(name ?? '').trim();
  const length = Array.from(trimmed).length;
  return length >= 1 && length <= 64 ? trimmed : null;
}

export class JoinPage {
  /* onSubmit({room, name}) is called with checked values once the notice
   * is acknowledged. invite: {name, role} from the token, or null; title:
   * the consultation's, when the link check gave one.
   * precheck: a PreCheck whose element is shown on the page, or null. */
  constructor({ room = '', name = '', invite = null, title = '', notice = null, precheck = null, onSubmit }) {
    this.onSubmit = onSubmit;
    if (invite?.name) name = invite.name;
    this.roomInput = h('input', {
      id: 'join-room',
      name: 'room',
      type: 'text',
      value: room,
      required: true,
      maxlength: '64',
      autocomplete: 'off',
      autocapitalize: 'none',
      spellcheck: 'false',
      pattern: '[A-Za-z0-9_\\-]{1,64}',
      'aria-describedby': 'join-room-hint',
    });
    this.nameInput = h('input', {
      id: 'join-name',
      name: 'name',
      type: 'text',
      value: name,
      required: true,
      maxlength: '64',
      autocomplete: 'name',
      'aria-describedby': 'join-name-hint',
    });
    this.roomError = h('p', { class: 'field-error', id: 'join-room-error', hidden: true });
    this.nameError = h('p', { class: 'field-error', id: 'join-name-error', hidden: true });
    this.formError = h('p', { class: 'form-error', id: 'join-error', role: 'alert', hidden: true });
    this.notice = h('p', { class: 'form-notice', role: 'status', hidden: true });
    this.button = h('button', { class: 'btn btn-primary btn-join', type: 'submit', id: 'join-button' }, t('join.submit'));
    if (invite) {
      this.roomInput.readOnly = true;
      this.nameInput.readOnly = !!invite.name;
    }
    this.noticeText = h('p', { class: 'notice-text', id: 'notice-ack-hint' }, notice || t('notice.default'));
    this.ackInput = h('input', { type: 'checkbox', id: 'notice-ack', name: 'notice-ack', 'aria-describedby': 'notice-ack-hint' });
    this.ackError = h('p', { class: 'field-error', id: 'notice-ack-error', hidden: true });
    const noticeBox = h(
      'fieldset',
      { class: 'notice', id: 'privacy-notice' },
      h('legend', {}, t('notice.title')),
      this.noticeText,
      h('label', { class: 'notice-ack', for: 'notice-ack' }, this.ackInput, h('span', {}, t('notice.ack'))),
      this.ackError,
    );

    this.form = h(
      'form',
      { class: 'join-form', novalidate: true, 'aria-labelledby': 'join-title', onsubmit: (e) => this.submit(e) },
      this.notice,
      title ? h('p', { class: 'join-consultation', id: 'join-consultation' }, t('join.consultation', { title })) : null,
      invite ? h('p', { class: 'form-notice', id: 'join-invite' }, t('join.invited-as', { name: invite.name || name, role: t(`role.${invite.role}`) })) : null,
      /* The room comes with the invitation: invited people never see it. */
      invite
        ? null
        : h(
            'div',
            { class: 'field' },
            h('label', { for: 'join-room' }, t('join.room')),
            this.roomInput,
            h('p', { class: 'field-hint', id: 'join-room-hint' }, t('join.room.hint')),
            this.roomError,
          ),
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'join-name' }, t('join.name')),
        this.nameInput,
        h('p', { class: 'field-hint', id: 'join-name-hint' }, t('join.name.hint')),
        this.nameError,
      ),
      precheck ? precheck.el : null,
      noticeBox,
      this.formError,
      this.button,
      h('p', { class: 'privacy' }, t('join.privacy')),
    );

    this.el = h(
      'main',
      { class: 'join-page', id: 'join-page' },
      h(
        'section',
        { class: 'join-card' },
        h('header', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), h('span', { class: 'brand-name' }, t('app.name')), langSwitch()),
        h('h1', { id: 'join-title' }, t('join.title')),
        h('p', { class: 'tagline' }, t('app.tagline')),
        this.form,
        pageFooter(),
      ),
    );
  }

  /* Puts focus where the person has something to do. */
  focus() {
    (this.roomInput.value || !this.roomInput.isConnected ? (this.nameInput.value ? this.button : this.nameInput) : this.roomInput).focus();
  }

  fieldError(input, errorEl, text) {
    errorEl.textContent = text ?? '';
    errorEl.hidden = !text;
    if (text) {
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', `${input.id}-hint ${errorEl.id}`);
    } else {
      input.removeAttribute('aria-invalid');
      input.setAttribute('aria-describedby', `${input.id}-hint`);
    }
  }

  submit(e) {
    e.preventDefault();
    if (this.busy) return;
    const room = this.roomInput.value.trim();
    const name = cleanName(this.nameInput.value);
    const roomOk = ROOM_RE.test(room);
    this.fieldError(this.roomInput, this.roomError, roomOk ? null : t('join.error.room'));
    this.fieldError(this.nameInput, this.nameError, name ? null : t('join.error.name'));
    const ack = this.ackInput.checked;
    this.fieldError(this.ackInput, this.ackError, ack ? null : t('join.error.notice'));
    this.showError(null);
    this.showNotice(null);
    /* A hidden room (an invitation) that is not valid: the link is broken. */
    if (!roomOk && !this.roomInput.isConnected) return this.showError(t('link.invalid.text'), 'invalid');
    if (!roomOk) return this.roomInput.focus();
    if (!name) return this.nameInput.focus();
    if (!ack) return this.ackInput.focus();
    this.onSubmit({ room, name });
  }

  setBusy(busy) {
    this.busy = busy;
    this.button.disabled = busy;
    this.button.setAttribute('aria-busy', busy ? 'true' : 'false');
    this.button.textContent = busy ? t('join.submitting') : t('join.submit');
  }

  /* code: the server's error code, kept on the element for support. */
  showError(text, code = '') {
    this.formError.textContent = text ?? '';
    this.formError.hidden = !text;
    this.formError.dataset.code = text ? code : '';
  }

  showNotice(text) {
    this.notice.textContent = text ?? '';
    this.notice.hidden = !text;
  }
}
