/*
 * chat.test.mjs — the in-call chat, with real Chromium pages on servers of
 * the test's own (server.mjs): one with chat on and `--log-level debug`,
 * one started with `--chat off`.
 *
 * Two people in a call (a laptop in English, a tablet in portrait in
 * bokmål) write to each other with æøå ÆØÅ: each sees the other's message
 * with the name and the time, their own marked as theirs; while the panel
 * is closed the Chat button counts unread messages and a screen reader is
 * told. Too many messages at once get the person's-language "too fast"
 * message from the server's `rate-limited`; a text over 2000 characters is
 * not sent from the page, and on a raw WebSocket gets `too-long`. With
 * `--chat off` there is no Chat button and `chat` is refused with
 * `unsupported`. Afterwards no message text is in the server's log (at
 * debug level, malformed chat frames included) nor anywhere in its data
 * directory (the SQLite database and its WAL), and the session log says
 * only that chat was used.
 *
 * Screenshots of the open panel at iPad portrait and laptop size go to
 * artifacts/chat/.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { protocolClient } from './wsclient.mjs';
import { ARTIFACTS, VIEWPORTS, launchBrowser, newParticipant, joinViaUi, waitFor, roomName, shots, waitForMediaFrom } from './lib.mjs';
import { startServer, SAMVEI_BIN } from './server.mjs';

const SHOTS = join(ARTIFACTS, 'chat');
mkdirSync(SHOTS, { recursive: true });

let browser;
const opened = [];
const sockets = [];
const servers = [];

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  for (const ws of sockets) ws.terminate();
  for (const p of opened) await p.context.close().catch(() => {});
  await browser?.close();
  for (const s of servers) await s.stop().catch(() => {});
});

async function participant(label, viewport) {
  const p = await newParticipant(browser, label, viewport);
  opened.push(p);
  return p;
}

/* Joins through the bokmål join page (lib.mjs's joinViaUi knows the English one). */
async function joinNb(page, base, room, name) {
  await page.goto(`${base}/?${new URLSearchParams({ lang: 'nb' })}`, { waitUntil: 'load' });
  await page.getByLabel('Rom', { exact: true }).fill(room);
  await page.getByLabel('Navnet ditt').fill(name);
  await page.getByLabel('Jeg har lest dette og vil bli med').check();
  await page.getByRole('button', { name: 'Bli med' }).click();
  await page.locator('#call').waitFor({ state: 'visible', timeout: 20000 });
  return (await page.evaluate(() => window.samvei.self())).id;
}

const rawClient = (server) => protocolClient(server.wsUrl, 'raw', sockets);

/* What the panel shows: each message's name, time, text and whether it is
 * marked as the person's own. */
function shownMessages(page) {
  return page.locator('#chat-messages li').evaluateAll((items) =>
    items.map((li) => ({
      name: li.querySelector('.chat-name').textContent,
      time: li.querySelector('.chat-time').textContent,
      text: li.querySelector('.chat-text').textContent,
      own: li.classList.contains('chat-own'),
      visible: li.getBoundingClientRect().height > 0,
    })),
  );
}

async function badge(page) {
  return page.locator('#btn-chat .chat-badge').evaluate((el) => (el.hidden ? '' : el.textContent));
}

/* Every file under dir, recursively. */
function filesUnder(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}

test('two people chat in a call; limits are said in their language; no text is logged or stored', { timeout: 300000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'samvei-chat-'));
  const server = await startServer('chat', { args: ['--log-level', 'debug'], dataDir });
  servers.push(server);
  const room = roomName('chat');
  const a = await participant('chat-anne-laptop', VIEWPORTS.laptop);
  const b = await participant('chat-bjorn-tablet', VIEWPORTS.tablet);
  const idA = await joinViaUi(a.page, room, 'Anne Ødegård', { base: server.url });
  const idB = await joinNb(b.page, server.url, room, 'Bjørn Æsøy');

  /* Texts with Norwegian letters, each with a marker the log and the
   * database must not contain. */
  const mark = Date.now().toString(36);
  const first = `Hei! Kan du vise såret på kneet? æøå ÆØÅ ${mark}-1`;
  const second = `Og blåbærsyltetøyet på nattbordet, takk. ${mark}-2`;
  const reply = `Ja, her er kneet – ser det bra ut?\nÆrlig talt: øm på nattestid. ${mark}-3`;

  /* Both have the Chat control; A opens the panel and the focus is in the field. */
  const chatA = a.page.getByRole('button', { name: /^Chat/ });
  const chatB = b.page.getByRole('button', { name: /^Chat/ });
  await chatA.waitFor({ state: 'visible' });
  await chatB.waitFor({ state: 'visible' });
  assert.equal(await chatA.getAttribute('aria-expanded'), 'false');
  await chatA.click();
  assert.equal(await chatA.getAttribute('aria-expanded'), 'true');
  await waitFor(() => a.page.evaluate(() => document.activeElement?.id === 'chat-input'), { timeoutMs: 5000, what: 'focus in the chat field' });
  const fieldA = a.page.getByLabel('Message to everyone in the call');
  assert.equal(await a.page.locator('#chat-count').textContent(), '0 of 2000 characters');

  /* A writes; Enter sends. */
  await fieldA.fill(first);
  assert.match(await a.page.locator('#chat-count').textContent(), /^\d+ of 2000 characters$/);
  await fieldA.press('Enter');
  await waitFor(async () => (await shownMessages(a.page)).length === 1, { timeoutMs: 10000, what: 'A to see her own message' });
  const [ownA] = await shownMessages(a.page);
  assert.deepEqual({ name: ownA.name, text: ownA.text, own: ownA.own }, { name: 'You', text: first, own: true });
  assert.match(ownA.time, /^\d{2}:\d{2}$/, 'the local time, hours and minutes');
  assert.equal(await fieldA.inputValue(), '', 'the field empties once sent');

  /* B's panel is closed: the badge counts, the button's name says it, a screen reader hears it. */
  await waitFor(async () => (await badge(b.page)) === '1', { timeoutMs: 10000, what: 'B to see 1 unread' });
  assert.match(await chatB.textContent(), /1 ulest melding/);
  await waitFor(async () => /Ny melding fra Anne Ødegård\. 1 ulest melding/.test(await b.page.locator('#announcer').textContent()), {
    timeoutMs: 5000,
    what: 'the new message announced to screen readers on B',
  });
  assert.equal(await b.page.locator('#chat-panel').isVisible(), false);
  await fieldA.fill(second);
  await fieldA.press('Enter');
  await waitFor(async () => (await badge(b.page)) === '2', { timeoutMs: 10000, what: 'B to see 2 unread' });
  assert.match(await chatB.textContent(), /2 uleste meldinger/);
  assert.equal(await badge(a.page), '', 'no badge for the one who has the panel open');
  await shots(b.page, SHOTS, 'chat-unread-nb');

  /* B opens: the count goes, A's messages are there with her name, nothing is B's own. */
  await chatB.click();
  await waitFor(() => b.page.evaluate(() => document.activeElement?.id === 'chat-input'), { timeoutMs: 5000, what: 'focus in B\'s chat field' });
  assert.equal(await badge(b.page), '');
  const seenByB = await shownMessages(b.page);
  assert.deepEqual(
    seenByB.map((m) => [m.name, m.text, m.own, m.visible]),
    [
      ['Anne Ødegård', first, false, true],
      ['Anne Ødegård', second, false, true],
    ],
  );
  /* On a portrait tablet the panel is a drawer under the video, which keeps a good part of the height. */
  const layoutB = await b.page.evaluate(() => {
    const r = (sel) => document.querySelector(sel).getBoundingClientRect();
    return { stage: r('.stage'), panel: r('#chat-panel'), controls: r('.controls'), h: innerHeight };
  });
  assert.ok(layoutB.stage.height >= 0.35 * layoutB.h, `the stage keeps ${layoutB.stage.height}px of ${layoutB.h}`);
  assert.ok(layoutB.panel.top >= layoutB.stage.bottom - 1 && layoutB.panel.bottom <= layoutB.controls.top + 1, 'the panel sits between the stage and the controls');
  /* The screenshots show the call as it is once each sees the other. */
  await Promise.all([waitForMediaFrom(a.page, [idB], 'A'), waitForMediaFrom(b.page, [idA], 'B')]);
  await shots(b.page, SHOTS, 'chat-open-nb');

  /* B answers with a line break (Shift+Enter), Enter sends; A sees it with B's name. */
  const fieldB = b.page.getByLabel('Melding til alle i samtalen');
  const [line1, line2] = reply.split('\n');
  await fieldB.fill(line1);
  await fieldB.press('Shift+Enter');
  await fieldB.pressSequentially(line2);
  await fieldB.press('Enter');
  await waitFor(async () => (await shownMessages(a.page)).length === 3, { timeoutMs: 10000, what: 'A to see B\'s answer' });
  const seenByA = await shownMessages(a.page);
  assert.deepEqual(seenByA[2].name, 'Bjørn Æsøy');
  assert.equal(seenByA[2].text, reply);
  assert.equal(seenByA[2].own, false);
  const ownB = (await shownMessages(b.page))[2];
  assert.deepEqual([ownB.name, ownB.own], ['Du', true]);
  /* On a laptop the panel is a column beside the stage. */
  const layoutA = await a.page.evaluate(() => {
    const r = (sel) => document.querySelector(sel).getBoundingClientRect();
    return { stage: r('.stage'), panel: r('#chat-panel'), w: innerWidth };
  });
  assert.ok(layoutA.panel.left >= layoutA.stage.right - 1, 'the panel is beside the stage');
  assert.ok(layoutA.stage.width >= 0.6 * layoutA.w, `the stage keeps ${layoutA.stage.width}px of ${layoutA.w}`);
  await shots(a.page, SHOTS, 'chat-open-en');

  /* Escape closes and gives the focus back to the button. */
  await fieldB.press('Escape');
  assert.equal(await b.page.locator('#chat-panel').isVisible(), false);
  assert.equal(await chatB.getAttribute('aria-expanded'), 'false');
  assert.equal(await b.page.evaluate(() => document.activeElement?.id), 'btn-chat');
  await chatB.press('Enter'); /* the keyboard opens it again */
  await b.page.locator('#chat-panel').waitFor({ state: 'visible' });

  /* Too long: the page says so at once and sends nothing. */
  const countBefore = (await shownMessages(a.page)).length;
  await fieldA.fill('å'.repeat(2001));
  assert.equal(await a.page.locator('#chat-count').textContent(), '2001 of 2000 characters');
  assert.equal(await a.page.locator('#chat-count').getAttribute('data-over'), 'true');
  await fieldA.press('Enter');
  assert.equal(
    await a.page.getByRole('alert').filter({ hasText: 'too long' }).textContent(),
    'The message is too long: it may have at most 2000 characters. Shorten it and send again.',
  );
  await fieldA.fill('');

  /* Too fast: 40 at once from B's form; the server's rate-limited is said in bokmål. */
  const flood = `Flom ${mark}-4`;
  await b.page.evaluate((text) => {
    const input = document.getElementById('chat-input');
    const form = document.getElementById('chat-form');
    for (let i = 0; i < 40; i++) {
      input.value = text;
      form.requestSubmit();
    }
  }, flood);
  await waitFor(async () => (await b.page.locator('#chat-error').textContent()) === 'Du sender meldinger for fort. Vent litt og send igjen.', {
    timeoutMs: 10000,
    what: 'B to be told that she sends too fast',
  });
  assert.equal(await b.page.locator('#chat-error').isVisible(), true);
  await waitFor(async () => (await shownMessages(a.page)).length > countBefore, { timeoutMs: 10000, what: 'the flood\'s first messages at A' });

  /* A raw WebSocket: too long is `too-long` (not cut short), too fast `rate-limited`. */
  const raw = await rawClient(server);
  raw.send({ type: 'join', id: 1, room, name: 'Rå klient' });
  const joined = await raw.next((m) => m.id === 1, 'the raw join reply');
  assert.equal(joined.type, 'ok');
  assert.deepEqual(joined.features, { chat: true });
  const long = `${mark}-5 ` + 'ø'.repeat(2001);
  raw.send({ type: 'chat', id: 2, text: long });
  const tooLong = await raw.next((m) => m.id === 2, 'the answer to an over-long chat');
  assert.equal(tooLong.type, 'error');
  assert.equal(tooLong.code, 'too-long');
  assert.match(tooLong.message, /at most 2000/);
  const atLimit = `${mark}-5 `.padEnd(2000, 'ø');
  raw.send({ type: 'chat', id: 3, text: atLimit });
  const okAtLimit = await raw.next((m) => m.id === 3, 'the answer to a 2000-character chat');
  assert.equal(okAtLimit.type, 'ok', JSON.stringify(okAtLimit));
  for (let i = 0; i < 30; i++) raw.send({ type: 'chat', id: 100 + i, text: `Rask ${mark}-6 ${i}` });
  await waitFor(() => raw.inbox.filter((m) => m.id >= 100 && (m.type === 'ok' || m.type === 'error')).length === 30, {
    timeoutMs: 10000,
    what: 'all 30 quick chats answered',
  });
  const limited = raw.inbox.filter((m) => m.id >= 100 && m.type === 'error');
  assert.ok(limited.length >= 5, `${limited.length} of 30 refused`);
  assert.ok(limited.every((m) => m.code === 'rate-limited'), JSON.stringify(limited[0]));
  /* Malformed chat frames (the JSON parser quotes what it choked on). */
  raw.send(`{"type":"chat","id":7,"text":"Ødelagt ${mark}-7`);
  raw.send(`{"type":"chat","id":8,"text":"Kontroll ${mark}-8\u0001"}`);
  await raw.next((m) => m.type === 'error' && m.code === 'bad-request', 'the first malformed frame refused');
  await raw.next((m) => m.type === 'error' && m.code === 'bad-request', 'the second malformed frame refused');
  /* A got the one at the limit, whole, and nothing of the over-long one. */
  await waitFor(async () => (await shownMessages(a.page)).some((m) => m.text === atLimit), { timeoutMs: 10000, what: 'the 2000-character chat at A' });
  assert.ok(!(await shownMessages(a.page)).some((m) => m.text.length > 2000), 'nothing over-long reached A');
  raw.close();

  /* Leave, stop the server, and look for the texts everywhere it writes. */
  for (const p of [a, b]) await p.page.getByRole('button', { name: /^(Leave|Forlat)$/ }).click();
  await server.stopCleanly();
  const log = readFileSync(join(ARTIFACTS, 'chat.server.log'), 'utf8');
  assert.match(log, /DEBUG|debug/, 'the log is at debug level');
  const texts = [first, second, reply, flood, ...['1', '2', '3', '4', '5', '6', '7', '8'].map((n) => `${mark}-${n}`), 'æøå ÆØÅ', 'blåbærsyltetøyet'];
  for (const text of texts) assert.ok(!log.includes(text), `the server log holds "${text}"`);
  const files = filesUnder(dataDir);
  assert.ok(files.some((f) => f.endsWith('samvei.db')), `a database in ${files.join(', ')}`);
  for (const file of files) {
    const bytes = readFileSync(file);
    for (const text of texts) assert.ok(!bytes.includes(Buffer.from(text, 'utf8')), `${file} holds "${text}"`);
  }
  /* The session log says that chat was used, once per person, and nothing of it. */
  const r = spawnSync(SAMVEI_BIN, ['audit', 'export', '--room', room, '--format', 'json', '--data-dir', dataDir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const events = JSON.parse(r.stdout);
  const list = Array.isArray(events) ? events : events.events;
  const chatUsed = list.filter((e) => e.event === 'chat-used');
  assert.deepEqual(chatUsed.map((e) => e.name).sort(), ['Anne Ødegård', 'Bjørn Æsøy', 'Rå klient'].sort());
  for (const text of texts) assert.ok(!r.stdout.includes(text), `the audit export holds "${text}"`);
  rmSync(dataDir, { recursive: true, force: true });
});

test('with --chat off there is no Chat control and chat is refused with unsupported', { timeout: 120000 }, async () => {
  const server = await startServer('chat-off', { args: ['--chat', 'off'] });
  servers.push(server);
  const room = roomName('nochat');
  const a = await participant('chat-off-laptop', VIEWPORTS.laptop);
  await joinViaUi(a.page, room, 'Kari Nordmann', { base: server.url });
  await a.page.locator('#btn-mic').waitFor({ state: 'visible' });
  assert.equal(await a.page.locator('#btn-chat').count(), 0, 'no Chat control');
  assert.equal(await a.page.locator('#chat-panel').count(), 0, 'no chat panel');
  assert.equal(await a.page.getByRole('button', { name: /^Chat/ }).count(), 0);

  const raw = await rawClient(server);
  raw.send({ type: 'join', id: 1, room, name: 'Ola' });
  const joined = await raw.next((m) => m.id === 1, 'the join reply');
  assert.equal(joined.type, 'ok');
  assert.deepEqual(joined.features, { chat: false });
  raw.send({ type: 'chat', id: 2, text: 'Hei på deg' });
  const refused = await raw.next((m) => m.id === 2, 'the answer to chat');
  assert.equal(refused.type, 'error');
  assert.equal(refused.code, 'unsupported');
  raw.close();
  await a.page.getByRole('button', { name: 'Leave' }).click();
  await server.stopCleanly();
  assert.ok(!readFileSync(join(ARTIFACTS, 'chat-off.server.log'), 'utf8').includes('Hei på deg'));
});
