/*
 * bad-input.test.mjs — hostile input on a raw WebSocket while a real call
 * runs in the same room.
 *
 * Malformed JSON, an unknown type, publish before join, a garbage SDP and a
 * 2 MB frame each get the error docs/protocol.md names (the last one may
 * instead just close the connection with 1009). Afterwards the server still
 * answers /healthz and the two pages keep decoding each other's video.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import {
  VIEWPORTS,
  WS_URL,
  launchBrowser,
  newParticipant,
  joinViaUi,
  waitFor,
  waitForMediaFrom,
  healthz,
  roomName,
} from './lib.mjs';

let browser;
const opened = [];
const sockets = [];

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  for (const ws of sockets) ws.terminate();
  for (const p of opened) await p.context.close().catch(() => {});
  await browser?.close();
});

/* A raw client: every message it receives lands in `inbox`; next(pred)
 * waits for the first not yet taken that matches. */
async function rawClient() {
  const ws = new WebSocket(WS_URL, 'samvei-v1');
  sockets.push(ws);
  const inbox = [];
  const client = { ws, inbox, closed: null, socketError: null };
  ws.on('message', (data, isBinary) => {
    let msg;
    try {
      msg = JSON.parse(data.toString());
    } catch {
      msg = { unparsable: data.toString().slice(0, 200), isBinary };
    }
    inbox.push(msg);
  });
  ws.on('close', (code, reason) => (client.closed = { code, reason: reason.toString() }));
  ws.on('error', (err) => (client.socketError = err));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  assert.equal(ws.protocol, 'samvei-v1', 'the server agrees on the subprotocol');
  client.next = (pred, what, timeoutMs = 10000) =>
    waitFor(
      () => {
        const i = inbox.findIndex(pred);
        return i < 0 ? false : inbox.splice(i, 1)[0];
      },
      { timeoutMs, intervalMs: 50, what },
    );
  client.send = (obj) => ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj));
  return client;
}

const errorWith = (code, id) => (m) => m.type === 'error' && m.code === code && (id === undefined || m.id === id);

test('hostile input on a raw WebSocket leaves the call and the server running', { timeout: 300000 }, async () => {
  const room = roomName('bad');
  const a = await newParticipant(browser, 'bad-a', VIEWPORTS.laptop);
  const b = await newParticipant(browser, 'bad-b', VIEWPORTS.tablet);
  opened.push(a, b);
  const idA = await joinViaUi(a.page, room, 'Kari Nordmann');
  const idB = await joinViaUi(b.page, room, 'Ola Hansen');
  await Promise.all([waitForMediaFrom(a.page, [idB], 'A'), waitForMediaFrom(b.page, [idA], 'B')]);
  const before = await a.page.evaluate(() => window.samvei.stats());

  const raw = await rawClient();

  /* Not JSON. */
  raw.send('{"type":"join","id":1,"room":');
  await raw.next(errorWith('bad-request'), 'bad-request for malformed JSON');

  /* JSON, but a type nobody knows; the id is echoed. */
  raw.send({ type: 'teleport', id: 'u1' });
  await raw.next(errorWith('unknown-type', 'u1'), 'unknown-type');

  /* Publish before join. */
  raw.send({ type: 'publish', id: 2, sdp: 'v=0\r\n' });
  await raw.next(errorWith('conflict', 2), 'conflict for publish before join');

  /* Binary frames are refused, the connection stays. */
  raw.ws.send(Buffer.from([1, 2, 3]), { binary: true });
  await raw.next(errorWith('bad-request'), 'bad-request for a binary frame');

  /* Joins the call's room: the pages see a new participant. */
  raw.send({ type: 'join', id: 3, room, name: 'Raw Socket' });
  const joined = await raw.next((m) => m.id === 3, 'join reply');
  assert.equal(joined.type, 'ok', `join refused: ${JSON.stringify(joined)}`);
  assert.deepEqual(joined.participants.map((p) => p.id).sort(), [idA, idB].sort());
  const rawId = joined.self;
  await a.page.locator(`#grid [data-participant="${rawId}"]`).waitFor({ timeout: 10000 });

  /* An SDP that is garbage: bad-request with a sentence. */
  raw.send({ type: 'publish', id: 4, sdp: 'this is not an SDP at all\r\nm=\u00ff\r\n' });
  const bad = await raw.next((m) => m.id === 4, 'reply to the garbage SDP');
  assert.equal(bad.type, 'error');
  assert.equal(bad.code, 'bad-request');
  assert.ok(typeof bad.message === 'string' && bad.message.length > 0, 'the error says what is wrong');

  /* A NUL inside a JSON string is refused while parsing (no id to echo). */
  raw.send('{"type":"publish","id":6,"sdp":"v=0\\u0000"}');
  await raw.next(errorWith('bad-request'), 'bad-request for a NUL in a string');

  /* The connection is still usable after all that. */
  raw.send({ type: 'chat', id: 5, text: 'still here' });
  await raw.next((m) => m.type === 'ok' && m.id === 5, 'ok for chat after the errors');

  /* A 2 MB text frame: too-big and/or the connection closed with 1009. */
  raw.send(JSON.stringify({ type: 'chat', text: 'x'.repeat(2 * 1024 * 1024) }));
  await waitFor(() => raw.inbox.some(errorWith('too-big')) || raw.closed, {
    timeoutMs: 20000,
    intervalMs: 100,
    what: 'too-big or a close',
  });
  const tooBig = raw.inbox.some(errorWith('too-big'));
  await waitFor(() => raw.closed, { timeoutMs: 20000, intervalMs: 100, what: 'the server to close the connection' });
  assert.ok(tooBig || raw.closed.code === 1009, `expected too-big or close 1009, got close ${raw.closed.code} and ${JSON.stringify(raw.inbox)}`);
  if (raw.closed.code !== 1006) assert.equal(raw.closed.code, 1009, 'close status for a frame over the cap');

  /* The raw participant is gone from the pages, the server is up and the
   * call goes on. */
  await a.page.locator(`#grid [data-participant="${rawId}"]`).waitFor({ state: 'detached', timeout: 10000 });
  const health = await healthz();
  assert.equal(health.status, 200);
  assert.equal(health.body?.status, 'ok');
  const [afterA] = await Promise.all([waitForMediaFrom(a.page, [idB], 'A'), waitForMediaFrom(b.page, [idA], 'B')]);
  assert.ok(afterA[idB].framesDecoded > before[idB].framesDecoded, 'A kept decoding B');
});
