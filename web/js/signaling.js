/*
 * signaling.js — the WebSocket client for samvei's signalling protocol v1
 * (docs/protocol.md): one JSON object per text frame on /ws with the
 * subprotocol samvei-v1, on the page's own origin.
 *
 * request() sends a message with a fresh id and returns a promise for the
 * reply: it resolves with the `ok` object and rejects with a SignalingError
 * carrying the server's `code` and `message`. Every other server message is
 * dispatched to the handlers registered with on(type, fn).
 *
 * When an open connection drops without close() having been called, the
 * client reconnects with exponential backoff and emits 'reconnecting' before
 * each attempt and 'reconnected' once it is back (the server has forgotten
 * the session then: the caller joins again). By default it never gives up:
 * a person in a consultation waits for a server that comes back rather than
 * start over; with a finite maxAttempts it emits 'failed' after the last.
 * A `server-restarting` message (graceful restart) sets the earliest time
 * of the next attempt to its retryAfterMs; reconnectNow() skips the wait
 * (the network came back).
 */

export const PROTOCOL = 'samvei-v1';

export class SignalingError extends Error {
  /* reason, opensAt: what a refused join adds (docs/protocol.md). */
  constructor(code, message, { reason, opensAt } = {}) {
    super(message || code);
    this.name = 'SignalingError';
    this.code = code;
    if (reason) this.reason = String(reason);
    if (opensAt) this.opensAt = String(opensAt);
  }
}

/* The WebSocket address on the page's origin: wss: for https, ws: for http. */
export function signalingUrl(loc = location) {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}/ws`;
}

/* Backoff 0.5, 1, 2, 4, 8, 16, 30, 30, ... s (±25 %), for as long as it
 * takes: a server back after a short restart is found within seconds, one
 * down for an hour costs a page an attempt every 30 s. Tests shorten the
 * steps (main.js reads them from window.samveiTestOptions). */
export const DEFAULTS = {
  requestTimeoutMs: 20000,
  backoffMinMs: 500,
  backoffMaxMs: 30000,
  maxAttempts: Infinity,
};

export class Signaling {
  constructor(url = signalingUrl(), options = {}) {
    this.url = url;
    this.options = { ...DEFAULTS, ...options };
    this.ws = null;
    this.nextId = 1;
    this.pending = new Map(); /* id → { resolve, reject, timer } */
    this.handlers = new Map(); /* type → Set of functions */
    this.closedByUs = false;
    this.attempt = 0;
    this.retryTimer = null;
    this.retryAfterMs = 0; /* from server-restarting: wait at least this before the next attempt */
  }

  /* Registers fn for a server message type ('subscribe', 'candidate', …) or
   * for one of the connection events 'open', 'close', 'reconnecting',
   * 'reconnected', 'failed'. Returns a function that unregisters it. */
  on(type, fn) {
    if (!this.handlers.has(type)) this.handlers.set(type, new Set());
    this.handlers.get(type).add(fn);
    return () => this.handlers.get(type)?.delete(fn);
  }

  emit(type, detail) {
    for (const fn of this.handlers.get(type) ?? []) {
      try {
        fn(detail);
      } catch (err) {
        console.error(`samvei: handler for '${type}' failed`, err);
      }
    }
  }

  get isOpen() {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /* Opens the connection; resolves once it is open, rejects if this first
   * attempt fails (the join page shows that at once rather than retrying). */
  connect() {
    this.closedByUs = false;
    return this.open(false);
  }

  open(isRetry) {
    return new Promise((resolve, reject) => {
      let ws;
      try {
        ws = new WebSocket(this.url, PROTOCOL);
      } catch (err) {
        reject(new SignalingError('connect', err.message));
        return;
      }
      this.ws = ws;
      let opened = false;
      ws.onopen = () => {
        opened = true;
        this.attempt = 0;
        this.emit('open', { reconnected: isRetry });
        if (isRetry) this.emit('reconnected', {});
        resolve();
      };
      ws.onmessage = (ev) => this.receive(ev.data);
      ws.onclose = (ev) => {
        if (this.ws !== ws) return;
        this.ws = null;
        this.failPending(new SignalingError('disconnected', 'the connection to the server closed'));
        const info = { code: ev.code, reason: ev.reason, wasOpen: opened };
        this.emit('close', info);
        if (!opened) reject(new SignalingError('connect', `could not open ${this.url} (code ${ev.code})`));
        /* A first attempt that never opened is the caller's to report;
         * a connection that was up, or a retry, keeps retrying. */
        if ((opened || isRetry) && !this.closedByUs) this.scheduleRetry(info);
      };
      ws.onerror = () => {
        /* onclose follows with the details. */
      };
    });
  }

  scheduleRetry(info) {
    if (this.attempt >= this.options.maxAttempts) {
      this.emit('failed', info);
      return;
    }
    const base = Math.min(this.options.backoffMaxMs, this.options.backoffMinMs * 2 ** this.attempt);
    const delay = Math.max(this.retryAfterMs, Math.round(base * (0.75 + Math.random() * 0.5)));
    this.retryAfterMs = 0;
    this.attempt += 1;
    this.emit('reconnecting', { ...info, attempt: this.attempt, delayMs: delay });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.closedByUs) return;
      this.open(true).catch(() => {});
    }, delay);
  }

  /* Whether a reconnect attempt is scheduled (not under way). */
  get waitingToReconnect() {
    return !!this.retryTimer;
  }

  /* The network is back (or changed), or the person asked: if waiting to
   * reconnect, try now. */
  reconnectNow() {
    if (this.closedByUs || this.isOpen || !this.retryTimer) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.open(true).catch(() => {});
  }

  receive(data) {
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      console.warn('samvei: ignoring a frame that is not JSON');
      return;
    }
    if (!msg || typeof msg !== 'object' || typeof msg.type !== 'string') return;
    if ((msg.type === 'ok' || msg.type === 'error') && msg.id !== undefined && this.pending.has(msg.id)) {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.type === 'ok') p.resolve(msg);
      else p.reject(new SignalingError(msg.code || 'internal', msg.message, msg));
      return;
    }
    if (msg.type === 'error') console.warn(`samvei: server error ${msg.code}: ${msg.message}`);
    if (msg.type === 'server-restarting' && Number.isFinite(msg.retryAfterMs))
      this.retryAfterMs = Math.min(Math.max(0, msg.retryAfterMs), 30000);
    this.emit(msg.type, msg);
  }

  /* Sends msg as it is; returns false if the connection is not open. */
  send(msg) {
    if (!this.isOpen) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  /* Sends {type, ...fields, id} and returns a promise for the reply. */
  request(type, fields = {}, timeoutMs = this.options.requestTimeoutMs) {
    return new Promise((resolve, reject) => {
      if (!this.isOpen) {
        reject(new SignalingError('disconnected', 'not connected to the server'));
        return;
      }
      const id = this.nextId++;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new SignalingError('timeout', `no reply to ${type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.ws.send(JSON.stringify({ type, id, ...fields }));
    });
  }

  failPending(err) {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
  }

  /* Closes for good: no reconnect. */
  close() {
    this.closedByUs = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const ws = this.ws;
    this.ws = null;
    this.failPending(new SignalingError('disconnected', 'closed'));
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000, 'bye');
  }
}
