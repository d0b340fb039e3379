/*
 * recording.js — consented recording and still capture in the call
 * (docs/protocol.md, "Recording").
 *
 * Everyone sees the recording indicator in the call header: a red dot and
 * "Recording" while the server records, or how many have agreed while a
 * host asks. Whoever has not answered a request gets the consent prompt
 * (an alertdialog over the stage); while recording, everyone has "Withdraw
 * consent". Hosts get Record / Stop recording and the room's files with
 * download links in the host panel, and "Take still" on every remote tile;
 * a finished still comes as a notice with its link and a thumbnail. A
 * still is asked for first (stills.js): the person whose camera it is
 * allows it, then is told it was taken and by whom.
 *
 * The state is the server's: this module only shows the last `recording`
 * message and sends the person's answers. It listens on the Signaling
 * object itself and lets go in destroy().
 */
import { t, errorText } from '../i18n.js';
import { h } from './dom.js';
import { StillsUI } from './stills.js';

const NOTICES_MAX = 3;
const LIST_RECHECK_MS = 3000; /* files are finalised a moment after a stop */

/* The sentence for an error reply to one of the recording requests. */
function recError(err) {
  const code = err?.code ?? 'internal';
  const known = ['conflict', 'busy', 'consent-missing', 'unsupported', 'not-found', 'no-video', 'unsupported-codec', 'timeout', 'declined', 'consent-timeout', 'left'];
  if (known.includes(code)) return t(`rec.error.${code}`, { detail: err.message ?? '' });
  return errorText(code, err?.message ?? '');
}

function formatSize(bytes) {
  const n = Number(bytes) || 0;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${Math.round(n / 1e3)} kB`;
  return `${n} B`;
}

export class RecordingUI {
  /* call: the CallView; hostPanel: the HostPanel (hosts) or null;
   * signaling: the Signaling; selfId(): our participant id; nameOf(id): a
   * participant's name; people(): how many are in the call, us included. */
  constructor({ call, hostPanel, signaling, selfId, nameOf, people }) {
    this.call = call;
    this.signaling = signaling;
    this.selfId = selfId;
    this.nameOf = nameOf;
    this.people = people;
    this.host = !!hostPanel;
    this.state = 'off';
    this.agreed = [];
    this.by = '';
    this.byName = '';
    this.answered = false; /* answered the current round here, before the server said so */

    /* Header: indicator and, while recording, Withdraw consent. */
    this.indicatorText = h('span', { class: 'rec-text' });
    this.withdraw = h(
      'button',
      { type: 'button', class: 'btn btn-small rec-withdraw', id: 'consent-withdraw', hidden: true, onclick: () => this.answer(false) },
      t('rec.withdraw'),
    );
    this.indicator = h(
      'div',
      { class: 'rec-indicator', id: 'recording-indicator', role: 'status', 'aria-live': 'polite', 'data-state': 'off', hidden: true },
      h('span', { class: 'rec-dot', 'aria-hidden': 'true' }),
      this.indicatorText,
      this.withdraw,
    );
    call.header.insertBefore(this.indicator, call.status.el);

    /* The consent prompt. */
    this.promptAsker = h('p', { class: 'consent-asker', id: 'consent-asker' });
    this.prompt = h(
      'section',
      {
        class: 'consent-prompt',
        id: 'consent-prompt',
        role: 'alertdialog',
        'aria-modal': 'false',
        'aria-labelledby': 'consent-title',
        'aria-describedby': 'consent-asker consent-what',
        tabindex: '-1',
        hidden: true,
      },
      h('h2', { class: 'consent-title', id: 'consent-title' }, t('rec.prompt.title')),
      this.promptAsker,
      h('p', { class: 'consent-what', id: 'consent-what' }, t('rec.prompt.what')),
      h(
        'div',
        { class: 'consent-buttons' },
        h('button', { type: 'button', class: 'btn btn-primary', id: 'consent-agree', onclick: () => this.answer(true) }, t('rec.agree')),
        h('button', { type: 'button', class: 'btn btn-secondary', id: 'consent-decline', onclick: () => this.answer(false) }, t('rec.decline')),
      ),
    );
    /* Notices that stay until closed: stills (with their link), being captured. */
    this.notices = h('div', { class: 'rec-notices', id: 'rec-notices', 'aria-live': 'polite' });
    call.stage.append(this.prompt, this.notices);

    if (hostPanel) this.buildHostControls(hostPanel);
    /* Stills are asked for: the person whose camera it is agrees first. */
    this.stills = new StillsUI({ call, panel: this.hostEl ?? null, signaling, nameOf, errorOf: recError });

    this.unsubscribe = [
      signaling.on('recording', (m) => this.onRecording(m)),
      signaling.on('capture-ready', (m) => this.onCaptureReady(m)),
      signaling.on('capture-failed', (m) => this.call.toast(t('rec.capture.failed', { name: this.nameOf(m.participant), detail: recError(m) }))),
      signaling.on('captured', (m) => this.notice('captured', t('rec.captured', { name: this.nameOf(m.by) }))),
      signaling.on('reconnecting', () => this.reset()),
    ];
    this.render();
    if (this.host) this.refreshList();
  }

  buildHostControls(panel) {
    this.recordButton = h('button', { type: 'button', class: 'btn btn-small btn-record', id: 'btn-record', onclick: () => this.hostRequest('record-request') }, h('span', { class: 'rec-dot', 'aria-hidden': 'true' }), t('rec.record'));
    this.stopButton = h('button', { type: 'button', class: 'btn btn-small btn-danger', id: 'btn-record-stop', hidden: true, onclick: () => this.hostRequest('record-stop') }, t('rec.stop'));
    this.listEmpty = h('p', { class: 'host-empty rec-files-empty' }, t('rec.files.none'));
    this.list = h('ul', { class: 'rec-files', id: 'recordings-list', 'aria-labelledby': 'recordings-title' });
    this.hostEl = h(
      'section',
      { class: 'rec-host', id: 'recording-panel', 'aria-labelledby': 'recording-panel-title' },
      h('div', { class: 'host-top' }, h('h2', { class: 'host-heading', id: 'recording-panel-title' }, t('rec.host.title')), h('div', { class: 'rec-host-buttons' }, this.recordButton, this.stopButton)),
      h('h3', { class: 'rec-files-title', id: 'recordings-title' }, t('rec.files')),
      this.list,
      this.listEmpty,
    );
    panel.el.append(this.hostEl);
  }

  /* ---- the server's messages ---- */

  onRecording(m) {
    const before = this.state;
    const state = ['off', 'asking', 'on'].includes(m.state) ? m.state : 'off';
    this.state = state;
    this.agreed = Array.isArray(m.agreed) ? m.agreed : [];
    if (state === 'asking' && m.reason === 'requested') {
      this.by = m.by ?? '';
      this.byName = m.name || this.nameOf(m.by);
      this.answered = false;
    }
    if (state === 'off') this.answered = false;
    this.render();
    const name = m.by === this.selfId() ? t('rec.you') : m.name || this.nameOf(m.by);
    if (state === 'on' && before !== 'on') this.call.toast(t('rec.started'));
    else if (state === 'asking' && m.reason === 'requested' && m.by === this.selfId()) this.call.toast(t('rec.asking.host'));
    else if (state === 'off' && before !== 'off') {
      const reason = m.reason === 'stopped' && before === 'asking' ? 'cancelled' : m.reason;
      const key = ['stopped', 'cancelled', 'declined', 'withdrawn', 'participant-joined', 'empty'].includes(reason) ? reason : 'other';
      this.call.toast(t(`rec.off.${key}`, { name }), 10000);
    }
    if (this.host && state === 'off' && before === 'on') {
      this.refreshList();
      clearTimeout(this.listTimer);
      this.listTimer = setTimeout(() => this.refreshList(), LIST_RECHECK_MS);
    }
  }

  onCaptureReady(m) {
    const name = this.nameOf(m.participant);
    const link = h('a', { class: 'capture-link', href: m.url, download: m.file || true, target: '_blank', rel: 'noopener' }, t('rec.capture.open'));
    const thumb = h('img', { class: 'capture-thumb', src: m.url, alt: t('rec.capture.thumb', { name }), loading: 'lazy' });
    this.call.toast(t('rec.capture.ready', { name }));
    this.notice('capture-ready', t('rec.capture.ready', { name }), h('a', { href: m.url, target: '_blank', rel: 'noopener', tabindex: '-1', 'aria-hidden': 'true' }, thumb), link);
    this.refreshList();
  }

  /* ---- what the person does ---- */

  answer(agree) {
    this.answered = true;
    this.render();
    this.signaling.request('record-consent', { agree }).catch((err) => {
      this.answered = false;
      this.render();
      this.call.toast(recError(err));
    });
  }

  hostRequest(type) {
    return this.signaling.request(type, {}).catch((err) => this.call.toast(recError(err)));
  }

  /* A host's "Take still" on participant id's tile: asks them first. */
  capture(id) {
    return this.stills.capture(id);
  }

  async refreshList() {
    if (!this.host || !this.list) return;
    let files;
    try {
      files = (await this.signaling.request('recordings', {})).files ?? [];
    } catch (err) {
      if (this.destroyed) return;
      this.listEmpty.textContent = recError(err);
      this.listEmpty.hidden = false;
      if (err.code === 'unsupported') this.recordButton.disabled = true;
      return;
    }
    if (this.destroyed) return;
    this.listEmpty.textContent = t('rec.files.none');
    this.listEmpty.hidden = files.length > 0;
    this.list.replaceChildren(
      ...files.map((f) =>
        h(
          'li',
          { class: 'rec-file', 'data-file': f.file },
          h('a', { class: 'rec-file-link', href: f.url, download: f.file, 'aria-label': t('rec.download', { file: f.file }) }, f.file),
          h('span', { class: 'rec-file-size' }, formatSize(f.bytes)),
        ),
      ),
    );
  }

  /* ---- rendering ---- */

  /* The server forgot us (reconnect) or we joined again: nothing is known. */
  reset() {
    this.state = 'off';
    this.agreed = [];
    this.answered = false;
    this.render();
  }

  render() {
    const { state } = this;
    const self = this.selfId();
    this.indicator.dataset.state = state;
    this.indicator.hidden = state === 'off';
    this.call.el.dataset.recording = state;
    if (state === 'on') this.indicatorText.textContent = t('rec.indicator.on');
    else if (state === 'asking') this.indicatorText.textContent = t('rec.indicator.asking', { k: this.agreed.length, n: Math.max(this.people(), this.agreed.length) });
    this.withdraw.hidden = state !== 'on';

    const ask = state === 'asking' && !this.answered && !this.agreed.includes(self);
    if (ask) {
      this.promptAsker.textContent = t('rec.prompt.text', { name: this.byName || t('call.unknown') });
      if (this.prompt.hidden) {
        this.prompt.hidden = false;
        this.prompt.focus();
      }
    } else {
      this.prompt.hidden = true;
    }

    if (this.recordButton) {
      this.recordButton.hidden = state !== 'off';
      this.stopButton.hidden = state === 'off';
    }
  }

  /* A notice that stays until closed; the newest NOTICES_MAX are kept. */
  notice(kind, text, ...extra) {
    const close = h('button', { type: 'button', class: 'rec-notice-close', 'aria-label': t('rec.close') }, '×');
    const el = h(
      'div',
      { class: 'rec-notice', 'data-kind': kind, role: 'status' },
      h('div', { class: 'rec-notice-top' }, h('p', { class: 'rec-notice-text' }, text), close),
      extra.length ? h('div', { class: 'rec-notice-body' }, ...extra) : null,
    );
    close.addEventListener('click', () => el.remove());
    this.notices.prepend(el);
    while (this.notices.children.length > NOTICES_MAX) this.notices.lastElementChild.remove();
  }

  destroy() {
    this.destroyed = true;
    clearTimeout(this.listTimer);
    for (const off of this.unsubscribe) off();
    this.stills.destroy();
    this.indicator.remove();
    this.prompt.remove();
    this.notices.remove();
    this.hostEl?.remove();
  }
}
