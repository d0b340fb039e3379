/*
 * screenshare.js — screen sharing in the call (docs/protocol.md, "Screen
 * sharing"), for every kind of consultation: a specialist shows a care
 * plan, an X-ray or a procedure to the nurse.
 *
 * Sharing: a "Share screen" control, there only where the browser can
 * capture a screen (navigator.mediaDevices.getDisplayMedia: not on iPad
 * Safari or phones) and for those who send (not observers). A press asks
 * the browser for a screen, window or tab and publishes it as one more
 * video on the publish connection (peer.js startScreen, a new `publish`
 * offer); the server knows it as source "screen". Pressing again, the
 * browser's own "Stop sharing" bar (the track ends) and a host's
 * `stop-share` (the server's `share-stopped`) all stop it the same way:
 * the track is taken off the connection (a new offer) and the server
 * withdraws it from everyone. Who may not publish (an attendee without
 * the floor) is refused by the server and told so. After a reconnect
 * (a rejoin: new PeerConnections) a share whose track still runs is
 * published again on the new connection once it publishes (resume); when
 * it cannot be, the person is told that sharing stopped.
 *
 * Watching: a share from someone else shows large on a stage above the
 * tiles (beside them on a wide window), the tiles, the presenter's camera
 * among them, small; the stage's accessible name says whose screen it is
 * ("Screen share from Kari"). When the share ends the call goes back to
 * the usual grid. Hosts get a "Stop this share" button on the stage. With
 * several shares at once the latest is shown.
 */
import { t, errorText } from '../i18n.js';
import { h } from './dom.js';
import { controlButton } from './controls.js';

/* getDisplayMedia exists (desktop browsers; not iPad Safari or phones). */
export function canCaptureScreen() {
  return typeof navigator.mediaDevices?.getDisplayMedia === 'function';
}

const CAPTURE = { video: { frameRate: { ideal: 15, max: 30 } }, audio: false };

export class ScreenShare {
  /* call: the CallView; signaling: the Signaling; peer(): the current
   * PeerSession; canSend(): whether we publish at all (not an observer,
   * not watching only); isHost(): whether we may stop others' shares. */
  constructor({ call, signaling, peer, canSend, isHost }) {
    this.call = call;
    this.signaling = signaling;
    this.peer = peer;
    this.canSend = canSend;
    this.isHost = isHost;
    this.track = null; /* our screen while we share */
    this.sharedOn = null; /* the PeerSession it went out on */
    this.resuming = false; /* the connection was replaced: publish the track again */
    this.busy = false;
    this.shown = null; /* { id, track } of the share on the stage */
    this.seen = []; /* participant ids sharing, in the order they began */

    this.button = controlButton('btn-share', 'screen', t('controls.share'), () => this.toggle(), {
      'data-on': 'false',
      hidden: true,
    });
    call.controls.add(this.button);

    this.video = h('video', { class: 'screen-video', autoplay: true, playsInline: true, muted: true, disablePictureInPicture: true });
    this.video.setAttribute('playsinline', '');
    this.video.setAttribute('muted', '');
    this.caption = h('p', { class: 'screen-caption', 'aria-hidden': 'true' });
    this.hostStop = h('button', { type: 'button', class: 'btn btn-small screen-host-stop', id: 'screen-host-stop', hidden: true, onclick: () => this.hostStopShown() }, t('screen.host-stop'));
    this.el = h(
      'section',
      { class: 'screen-stage', id: 'screen-stage', role: 'region', hidden: true },
      this.video,
      h('div', { class: 'screen-bar' }, this.caption, this.hostStop),
    );
    call.stage.insertBefore(this.el, call.grid);

    this.unsubscribe = [signaling.on('share-stopped', () => this.stop('host'))];
    this.update();
  }

  /* The control: shown where a screen can be captured and we send. */
  update() {
    this.button.hidden = !canCaptureScreen() || !this.canSend();
    const on = !!this.track;
    this.button.dataset.on = String(on);
    this.button.setCaption(on ? t('controls.share-stop') : t('controls.share'));
    this.call.stage.classList.toggle('sharing-self', on);
  }

  toggle() {
    if (this.busy) return;
    if (this.track) this.stop('self');
    else this.start();
  }

  async start() {
    const peer = this.peer();
    if (!peer || this.track) return;
    this.busy = true;
    this.button.setAttribute('aria-busy', 'true');
    let track = null;
    try {
      const stream = await navigator.mediaDevices.getDisplayMedia(CAPTURE);
      track = stream.getVideoTracks()[0] ?? null;
      for (const extra of stream.getAudioTracks()) extra.stop();
      if (!track) return;
      if (peer !== this.peer()) throw Object.assign(new Error('reconnected'), { code: 'conflict' });
      this.track = track;
      this.sharedOn = peer;
      track.addEventListener('ended', () => this.stop('ended'));
      await peer.startScreen(track);
      this.call.announce(t('screen.you-share'));
    } catch (err) {
      if (track && this.track === track) {
        this.track = null;
        this.sharedOn = null;
      }
      track?.stop();
      /* The person closed the browser's picker: nothing to say. */
      if (err?.name === 'NotAllowedError' || err?.name === 'AbortError') return;
      if (err?.code === 'forbidden') this.call.toast(t('screen.refused'));
      else this.call.toast(t('screen.failed', { detail: err?.code ? errorText(err.code, err.message) : err?.message ?? '' }));
    } finally {
      this.busy = false;
      this.button.setAttribute('aria-busy', 'false');
      this.update();
    }
  }

  /* why: 'self' (the control), 'ended' (the browser's own stop bar),
   * 'host' (a host stopped it), 'reset' (the connection was replaced). */
  async stop(why) {
    const track = this.track;
    const peer = this.sharedOn;
    this.resuming = false;
    if (!track) return;
    this.track = null;
    this.sharedOn = null;
    track.stop();
    this.update();
    if (why === 'host') this.call.toast(t('screen.host-stopped'));
    else if (why === 'lost') this.call.toast(t('screen.lost'), 10000);
    else this.call.announce(t('screen.stopped'));
    if (why === 'reset' || why === 'lost' || !peer || peer !== this.peer()) return;
    try {
      await peer.stopScreen();
    } catch (err) {
      console.warn('samvei: could not take the screen share off:', err?.message ?? err);
    }
  }

  /* The PeerSession was replaced (a rejoin): the share ended with it on
   * the server. A track that still runs waits for resume(). */
  reset() {
    if (this.track?.readyState !== 'live') return this.stop('reset');
    this.sharedOn = null;
    this.resuming = true;
  }

  /* The new connection publishes (peer), or will not (null): the share
   * kept by reset() goes out again as source "screen", or stops and the
   * person is told. */
  async resume(peer) {
    if (!this.resuming) return;
    this.resuming = false;
    const track = this.track;
    if (!track) return;
    if (!peer || peer !== this.peer() || track.readyState !== 'live' || !this.canSend()) return this.stop('lost');
    this.busy = true;
    this.button.setAttribute('aria-busy', 'true');
    try {
      this.sharedOn = peer;
      await peer.startScreen(track);
      if (this.track === track) this.call.announce(t('screen.resumed'));
    } catch (err) {
      console.warn('samvei: screen share not resumed:', err?.message ?? err);
      if (this.track === track) {
        this.sharedOn = null; /* startScreen took it off again */
        await this.stop('lost');
      }
    } finally {
      this.busy = false;
      this.button.setAttribute('aria-busy', 'false');
      this.update();
    }
  }

  /* media: participant id → {screen, …} (peer.remoteMedia()); nameOf(id).
   * Shows the latest share on the stage, or none. */
  render(media, nameOf) {
    const sharing = [...media].filter(([, m]) => m.screen).map(([id]) => id);
    const began = sharing.filter((id) => !this.seen.includes(id));
    const ended = this.seen.filter((id) => !sharing.includes(id));
    this.seen = [...this.seen.filter((id) => sharing.includes(id)), ...began];
    for (const id of began) this.call.announce(t('screen.started-by', { name: nameOf(id) }));
    for (const id of ended) this.call.announce(t('screen.ended-by', { name: nameOf(id) }));
    const id = this.seen[this.seen.length - 1] ?? null;
    const track = id ? media.get(id).screen : null;
    if (id !== this.shown?.id || track !== this.shown?.track) {
      this.shown = id ? { id, track } : null;
      this.video.srcObject = track ? new MediaStream([track]) : null;
      if (track) this.video.play().catch(() => {});
    }
    const on = !!this.shown;
    if (on) {
      const label = t('screen.from', { name: nameOf(id) });
      this.el.setAttribute('aria-label', label);
      this.el.dataset.participant = id;
      this.caption.textContent = label;
    }
    this.hostStop.hidden = !on || !this.isHost();
    if (on === this.el.hidden) {
      this.el.hidden = !on;
      this.call.stage.classList.toggle('has-screen', on);
      this.call.layout();
    }
  }

  hostStopShown() {
    const id = this.shown?.id;
    if (!id) return;
    this.signaling.request('stop-share', { participant: id }).catch((err) => this.call.toast(errorText(err.code, err.message)));
  }

  /* For tests and support. */
  state() {
    return { sharing: !!this.track && !this.resuming, resuming: this.resuming, showing: this.shown?.id ?? null, available: !this.button.hidden };
  }

  destroy() {
    for (const off of this.unsubscribe) off();
    this.track?.stop();
    this.track = null;
    this.call.stage.classList.remove('has-screen', 'sharing-self');
    this.button.remove();
    this.el.remove();
  }
}
