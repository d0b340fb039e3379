/*
 * netwatch.js — notices when the media path has probably broken under the
 * participant: the browser came back online, the network type changed (a
 * tablet moving from Wi-Fi to 4G), or a PeerConnection has been
 * "disconnected" for a while. It only decides *when* to recover; main.js
 * decides *how* (reconnect the WebSocket, restart ICE on the existing
 * PeerConnections, or, if that did not help, leave and rejoin with new
 * ones).
 *
 *   const w = new NetWatch({ onRecover: (why) => ..., stuckMs: 5000 });
 *   w.update(states)   // on every PeerConnection state change: {publish, subscribe}
 *
 * A PeerConnection "disconnected" or "failed" for stuckMs asks for recovery;
 * if that does not help, the next request waits twice as long (up to 60 s),
 * so a network that stays broken is not hammered.
 *   w.stop()
 */

export class NetWatch {
  constructor({ onRecover, stuckMs = 5000, checkDelaysMs = [1500, 5000] } = {}) {
    this.onRecover = onRecover ?? (() => {});
    this.stuckMs = stuckMs;
    this.stuckDelayMs = stuckMs; /* doubles after each recovery that did not help, up to 60 s */
    this.checkDelaysMs = checkDelaysMs;
    this.states = { publish: 'none', subscribe: 'none' };
    this.stuckTimer = null;
    this.checkTimers = [];
    this.onNetwork = () => this.networkChanged();
    window.addEventListener('online', this.onNetwork);
    navigator.connection?.addEventListener?.('change', this.onNetwork);
  }

  get broken() {
    return Object.values(this.states).some((s) => s === 'disconnected' || s === 'failed');
  }

  /* After a network change the old path may still look "connected" for a
   * few seconds, so check at once and again a little later. */
  networkChanged() {
    this.onRecover('network', this.broken);
    for (const t of this.checkTimers) clearTimeout(t);
    this.checkTimers = this.checkDelaysMs.map((ms) =>
      setTimeout(() => {
        if (this.broken) this.onRecover('network', true);
      }, ms),
    );
  }

  update(states) {
    this.states = { ...states };
    const all = Object.values(this.states);
    if (all.length && all.every((s) => s === 'connected')) this.stuckDelayMs = this.stuckMs;
    if (!this.broken) {
      clearTimeout(this.stuckTimer);
      this.stuckTimer = null;
      return;
    }
    if (this.stuckTimer) return;
    this.stuckTimer = setTimeout(() => {
      this.stuckTimer = null;
      if (!this.broken) return;
      this.stuckDelayMs = Math.min(this.stuckDelayMs * 2, 60000);
      this.onRecover('stuck', true);
    }, this.stuckDelayMs);
  }

  stop() {
    window.removeEventListener('online', this.onNetwork);
    navigator.connection?.removeEventListener?.('change', this.onNetwork);
    clearTimeout(this.stuckTimer);
    for (const t of this.checkTimers) clearTimeout(t);
  }
}
