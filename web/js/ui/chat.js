/*
 * chat.js — the in-call chat (docs/protocol.md, "chat"): a "Chat" button in
 * the controls bar with an unread badge, and a panel with the messages and
 * a field to write in.
 *
 * The panel is a drawer: on a tablet in portrait (and any narrow or tall
 * window) it opens under the stage, which keeps most of the height; on a
 * laptop it opens as a column beside the stage. The button says whether
 * it is open (aria-expanded); opening puts the focus in the text field,
 * closing (the close button, Escape, the button again) puts it back on the
 * button. While the panel is closed, messages from the others count on
 * the badge and are announced to screen readers (CallView.announce).
 *
 * Enter sends, Shift+Enter starts a new line. The field shows how many of
 * the SV_MESSAGE_MAX_CHAT characters (code points, as the server counts
 * them) are used; a longer text is not sent. The server passes each
 * message to everyone in the call, the sender included, so a message shows
 * once the server has passed it on, in the order everyone sees. Refusals
 * (too long, too fast, chat off) are said in the person's language from
 * the error code. Texts are put in as text nodes, never as markup, and are
 * kept only in this page: the server stores none.
 *
 * The module listens on the Signaling object itself and lets go in
 * destroy().
 */
import { t, errorText, language } from '../i18n.js';
import { h, icon } from './dom.js';
import { controlButton } from './controls.js';

export const CHAT_MAX_CHARS = 2000; /* SV_MESSAGE_MAX_CHAT, in characters */
const KEEP_MESSAGES = 200; /* the oldest go when there are more */

/* The text as it is sent: trimmed, tabs as spaces (the server takes line
 * breaks but no other control characters). */
export function chatText(value) {
  return value.replace(/\r\n?/g, '\n').replace(/\t/g, ' ').trim();
}

/* Characters as the server counts them (Unicode code points). */
export function chatLength(text) {
  return Array.from(text).length;
}

/* The sentence for a refused chat message. */
function chatError(err) {
  const code = err?.code ?? 'internal';
  if (code === 'too-long') return t('chat.error.too-long', { max: CHAT_MAX_CHARS });
  if (code === 'rate-limited') return t('chat.error.rate-limited');
  if (code === 'unsupported') return t('chat.error.off');
  return t('chat.error.send', { detail: errorText(code, err?.message ?? '') });
}

export class ChatPanel {
  /* call: the CallView; signaling: the Signaling; selfId(): our
   * participant id. */
  constructor({ call, signaling, selfId }) {
    this.call = call;
    this.signaling = signaling;
    this.selfId = selfId;
    this.unread = 0;
    this.open = false;
    this.timeFormat = new Intl.DateTimeFormat(language() === 'nb' ? 'nb-NO' : 'en-GB', { hour: '2-digit', minute: '2-digit' });

    this.badge = h('span', { class: 'chat-badge', 'aria-hidden': 'true', hidden: true });
    this.badgeText = h('span', { class: 'sr-only' });
    this.button = controlButton('btn-chat', 'chat', t('controls.chat'), () => this.toggle(), {
      'aria-expanded': 'false',
      'aria-controls': 'chat-panel',
    });
    this.button.querySelector('.control-icon').append(this.badge);
    this.button.querySelector('.control-label').append(this.badgeText);

    this.list = h('ol', { class: 'chat-list' });
    this.log = h('div', { class: 'chat-messages', id: 'chat-messages', role: 'log', 'aria-labelledby': 'chat-title' }, this.list);
    this.empty = h('p', { class: 'chat-empty', id: 'chat-empty' }, t('chat.empty'));
    this.input = h('textarea', {
      id: 'chat-input',
      class: 'chat-input',
      rows: 2,
      autocomplete: 'off',
      'aria-describedby': 'chat-count chat-hint',
      oninput: () => this.renderCount(),
      onkeydown: (e) => this.onKey(e),
    });
    this.count = h('span', { class: 'chat-count', id: 'chat-count' });
    this.error = h('p', { class: 'chat-error', id: 'chat-error', role: 'alert', hidden: true });
    this.form = h(
      'form',
      { class: 'chat-form', id: 'chat-form', onsubmit: (e) => (e.preventDefault(), this.send()) },
      h('label', { class: 'chat-label', for: 'chat-input' }, t('chat.label')),
      this.input,
      h(
        'div',
        { class: 'chat-form-bottom' },
        h('span', { class: 'chat-hint', id: 'chat-hint' }, t('chat.hint')),
        this.count,
        h('button', { type: 'submit', class: 'btn btn-small btn-primary', id: 'chat-send' }, t('chat.send')),
      ),
      this.error,
    );
    this.closeButton = h(
      'button',
      { type: 'button', class: 'chat-close', id: 'chat-close', 'aria-label': t('chat.close'), onclick: () => this.setOpen(false) },
      '×',
    );
    this.el = h(
      'section',
      { class: 'chat-panel', id: 'chat-panel', 'aria-labelledby': 'chat-title', hidden: true, onkeydown: (e) => this.onPanelKey(e) },
      h('div', { class: 'chat-top' }, h('h2', { class: 'chat-title', id: 'chat-title' }, t('chat.title')), this.closeButton),
      this.empty,
      this.log,
      this.form,
    );

    call.controls.add(this.button);
    call.el.insertBefore(this.el, call.audioOnlyNote.el);
    this.unsubscribe = [signaling.on('chat', (m) => this.onMessage(m))];
    this.renderCount();
    this.renderUnread();
  }

  toggle() {
    this.setOpen(!this.open);
  }

  /* Opens (focus to the field) or closes (focus back to the button). */
  setOpen(open) {
    if (open === this.open) return;
    this.open = open;
    this.el.hidden = !open;
    this.call.el.classList.toggle('chat-open', open);
    this.button.setAttribute('aria-expanded', String(open));
    this.button.dataset.on = String(open);
    if (open) {
      this.unread = 0;
      this.renderUnread();
      this.scrollToEnd();
      this.input.focus();
    } else {
      this.button.focus();
    }
  }

  onPanelKey(e) {
    if (e.key === 'Escape') {
      e.preventDefault();
      this.setOpen(false);
    }
  }

  onKey(e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.send();
    }
  }

  async send() {
    const text = chatText(this.input.value);
    if (!text) return;
    if (chatLength(text) > CHAT_MAX_CHARS) {
      this.showError(t('chat.error.too-long', { max: CHAT_MAX_CHARS }));
      return;
    }
    this.showError('');
    try {
      await this.signaling.request('chat', { text });
      /* Sent: the field empties unless the person has written on. */
      if (chatText(this.input.value) === text) this.input.value = '';
      this.renderCount();
    } catch (err) {
      if (!this.destroyed) this.showError(chatError(err));
    }
  }

  showError(text) {
    this.error.textContent = text;
    this.error.hidden = !text;
  }

  /* {from, name, text, ts} from the server. */
  onMessage(m) {
    if (this.destroyed || typeof m.text !== 'string') return;
    const own = m.from === this.selfId();
    const name = own ? t('chat.you') : String(m.name || t('call.unknown'));
    const when = Number.isFinite(m.ts) ? new Date(m.ts) : new Date();
    const item = h(
      'li',
      { class: own ? 'chat-message chat-own' : 'chat-message', 'data-own': String(own), 'data-from': String(m.from ?? '') },
      h(
        'div',
        { class: 'chat-meta' },
        h('span', { class: 'chat-name' }, name),
        h('time', { class: 'chat-time', datetime: when.toISOString() }, this.timeFormat.format(when)),
      ),
      h('p', { class: 'chat-text' }, m.text),
    );
    this.list.append(item);
    while (this.list.children.length > KEEP_MESSAGES) this.list.firstElementChild.remove();
    this.empty.hidden = true;
    if (this.open) {
      this.scrollToEnd();
    } else if (!own) {
      this.unread += 1;
      this.renderUnread();
      this.call.announce(`${t('chat.new-from', { name })} ${this.unreadText()}`);
    }
  }

  scrollToEnd() {
    this.log.scrollTop = this.log.scrollHeight;
  }

  unreadText() {
    return this.unread === 1 ? t('chat.unread.one') : t('chat.unread.many', { n: this.unread });
  }

  renderUnread() {
    const n = this.unread;
    this.badge.hidden = n === 0;
    this.badge.textContent = n > 99 ? '99+' : String(n);
    this.badgeText.textContent = n ? `, ${this.unreadText()}` : '';
    this.button.dataset.unread = String(n);
  }

  renderCount() {
    const n = chatLength(chatText(this.input.value));
    this.count.textContent = t('chat.count', { n, max: CHAT_MAX_CHARS });
    this.count.dataset.over = String(n > CHAT_MAX_CHARS);
    if (n <= CHAT_MAX_CHARS && this.error.textContent === t('chat.error.too-long', { max: CHAT_MAX_CHARS })) this.showError('');
  }

  destroy() {
    this.destroyed = true;
    for (const off of this.unsubscribe) off();
    this.call.el.classList.remove('chat-open');
    this.button.remove();
    this.el.remove();
  }
}
