/*
 * wsclient.mjs — a protocol-level participant: a raw WebSocket speaking
 * samvei-v1 (docs/protocol.md), no browser and no media, so a hundred fit
 * on a small machine.
 *
 *   const c = await protocolClient(server.wsUrl, 'Astrid', sockets);
 *   await c.joinOk(room, token);           // or c.join(): the raw answer
 *   const m = await c.next((m) => m.type === 'floor', 'the floor');
 *   c.latest('attendee-count');            // newest of a type, not taken
 *   await c.request({ type: 'raise-hand' }); c.send(obj); c.close();
 *
 * `inbox` holds what next() has not taken yet; `all` every message as
 * received (text), for checks that a name never reached someone; `closed`
 * settles when the server closes the socket. Sockets go into `sockets`, for
 * the test to terminate at the end; wsOptions go to the WebSocket (e.g.
 * { rejectUnauthorized: false } for a server with dev certificates).
 */
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { waitFor } from './lib.mjs';

export async function protocolClient(wsUrl, label, sockets = [], wsOptions = {}) {
  const ws = new WebSocket(wsUrl, 'samvei-v1', wsOptions);
  sockets.push(ws);
  const closed = new Promise((ok) => ws.on('close', ok));
  const inbox = [];
  const all = [];
  ws.on('message', (data) => {
    const text = data.toString();
    inbox.push(JSON.parse(text));
    all.push(text);
  });
  await new Promise((ok, fail) => {
    ws.once('open', ok);
    ws.once('error', fail);
  });
  let id = 0;
  const c = {
    label,
    ws,
    inbox,
    all,
    closed,
    /* An object goes as JSON; a string as it is (a malformed frame). */
    send: (obj) => ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj)),
    next: (pred, what, timeoutMs = 20000) =>
      waitFor(
        () => {
          const i = inbox.findIndex(pred);
          return i < 0 ? false : inbox.splice(i, 1)[0];
        },
        { timeoutMs, intervalMs: 20, what: `${label}: ${what}` },
      ),
    /* The newest message of a type that matches pred, without taking it. */
    latest: (type, pred = () => true) => inbox.filter((m) => m.type === type && pred(m)).at(-1),
    async request(obj) {
      const n = ++id;
      c.send({ ...obj, id: n });
      return c.next((m) => m.id === n && (m.type === 'ok' || m.type === 'error'), `the answer to ${obj.type}`);
    },
    /* Joins with the privacy notice acknowledged; the answer as it came. */
    async join(room, token) {
      const r = await c.request({ type: 'join', room, name: label, token, noticeAck: true });
      if (r.type === 'ok') c.self = r.self;
      return r;
    },
    async joinOk(room, token) {
      const r = await c.join(room, token);
      assert.equal(r.type, 'ok', `${label} joins: ${JSON.stringify(r)}`);
      return r;
    },
    /* The connection drops (no leave): the server notices the close. */
    close: () => ws.terminate(),
  };
  return c;
}
