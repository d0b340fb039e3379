/*
 * urgent-guidance.test.mjs — urgent guidance as the on-call specialist and
 * the home-care nurse meet it, in real Chromium pages against a server of
 * the test's own (--urgent-fallback-after 4, so the phone fall-back shows
 * in seconds).
 *
 * Headless Chromium cannot show OS notifications, so an init script puts
 * a recording stand-in for window.Notification into every page (its
 * permission starts as "default", as in a fresh browser) and counts
 * window.focus(); a test sets window.__background to stand for a tab in
 * the background (document.hidden).
 *
 * - The on-call page asks for sound and notifications before it says it is
 *   ready; "continue without" is remembered across a reload.
 * - A request with a category rings (repeatedly), shows its category on the
 *   card and a system notification while in the background; clicking the
 *   notification focuses the page.
 * - Accept opens the call in a new tab; the specialist's and the nurse's
 *   pages join without a form and decode each other's video; the on-call
 *   page still watches: a second nurse's request shows and rings there.
 * - The second nurse cancels: the card goes, the session log has
 *   urgent-withdrawn (cancelled), /metrics counts it, and neither the
 *   database file nor the server log holds the categories.
 * - Nobody accepts: after the configured time the nurse sees the team's
 *   phone number to call.
 *
 * Screenshots of the new states (tablet portrait and laptop) go to
 * artifacts/urgent-guidance/.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VIEWPORTS, ARTIFACTS, launchBrowser, newParticipant, waitFor, waitForMediaFrom, shots } from './lib.mjs';
import { protocolClient } from './wsclient.mjs';
import { startServer } from './server.mjs';
import { makeApiKey, api } from './api.mjs';

const SHOTS = join(ARTIFACTS, 'urgent-guidance');
mkdirSync(SHOTS, { recursive: true });

let browser, server, key;
const opened = [];

/* In every page: a Notification that records, window.focus counted, and
 * document.hidden / hasFocus() following window.__background. */
function stubs() {
  window.__notes = [];
  window.__asked = 0;
  window.__focus = 0;
  window.__background = false;
  const focus = window.focus.bind(window);
  window.focus = () => {
    window.__focus++;
    focus();
  };
  let permission = 'default';
  class RecordedNotification {
    static get permission() {
      return permission;
    }
    static requestPermission() {
      window.__asked++;
      permission = 'granted';
      return Promise.resolve(permission);
    }
    constructor(title, options = {}) {
      Object.assign(this, { title, body: options.body, tag: options.tag, closed: false, onclick: null });
      window.__notes.push(this);
    }
    close() {
      this.closed = true;
    }
  }
  window.Notification = RecordedNotification;
  Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => window.__background });
  const hasFocus = Document.prototype.hasFocus;
  Document.prototype.hasFocus = function () {
    return !window.__background && hasFocus.call(this);
  };
}

before(async () => {
  server = await startServer('urgent-guidance', { args: ['--urgent-fallback-after', '4'] });
  key = makeApiKey('e2e urgent guidance', server.dataDir);
  browser = await launchBrowser();
});

after(async () => {
  for (const p of opened) await p.context.close().catch(() => {});
  await browser?.close();
  if (server) await server.stopCleanly();
});

async function person(label, viewport = VIEWPORTS.tablet) {
  const p = await newParticipant(browser, label, viewport);
  await p.context.addInitScript(stubs);
  /* A loaded 2-core machine under a sanitized server is slow to load pages. */
  p.context.setDefaultTimeout(60000);
  p.context.setDefaultNavigationTimeout(90000);
  opened.push(p);
  return p;
}

const call = (method, path, body) => api(method, path, { key, body, base: server.url });
const english = (link) => link.replace(`${new URL(link).origin}`, server.url).replace(/\.html(\?|#)/, (m, c) => `.html?lang=en${c === '?' ? '&' : '#'}`);

async function teams(phone) {
  const oncall = (await call('POST', '/api/teams', { name: 'Ambulant geriatrisk team', kind: 'specialist', onCall: true, ...(phone ? { phone } : {}) })).json;
  const home = (await call('POST', '/api/teams', { name: 'Hjemmesykepleien Vågå', kind: 'municipal' })).json;
  const link = async (team, body) => {
    const r = await call('POST', `/api/teams/${team}/urgent-links`, body);
    assert.equal(r.status, 201, r.text);
    return english(r.json.link);
  };
  return { oncall, home, link };
}

async function beeps(page) {
  return page.evaluate(() => window.samveiOncall.beeps());
}

test('the team phone: set, shown, checked', async () => {
  const t = (await call('POST', '/api/teams', { name: 'Vakt', kind: 'specialist', onCall: true, phone: '+47 61 23 45 67' })).json;
  assert.equal(t.phone, '+47 61 23 45 67');
  let r = await call('PATCH', `/api/teams/${t.id}`, { phone: 'call me; DROP' });
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.error.code, 'bad-request');
  assert.match(r.json.error.message, /'phone'/);
  r = await call('PATCH', `/api/teams/${t.id}`, { phone: '' });
  assert.equal(r.status, 200);
  assert.equal((await call('GET', `/api/teams/${t.id}`)).json.phone, '');
});

test('on call: ready only with alerts on; a request rings, notifies and shows its category; accept keeps watching; one tap into the call; cancel', { timeout: 480000 }, async () => {
  const { oncall, home, link } = await teams('+47 61 00 00 00');
  const berg = await link(oncall.id, { role: 'on-call', name: 'Dr. Berg' });

  /* "Continue without" is the person's explicit choice, and remembered. */
  const quiet = await person('ug-oncall-quiet');
  await quiet.page.goto(berg, { waitUntil: 'load' });
  await quiet.page.getByRole('heading', { name: 'Before your shift starts' }).waitFor({ timeout: 20000 });
  await quiet.page.getByText(/Not ready yet/).waitFor();
  await quiet.page.getByRole('button', { name: 'Continue without sound and notifications' }).click();
  await quiet.page.getByText(/You are on call for Ambulant geriatrisk team as Dr\. Berg, without sound/).waitFor();
  await quiet.page.reload({ waitUntil: 'load' });
  await quiet.page.getByText(/without sound and notifications: keep this page in view/).waitFor({ timeout: 20000 });
  assert.equal(await quiet.page.locator('#oncall-setup').isVisible(), false, 'not asked again');
  assert.equal(await quiet.page.evaluate(() => window.__asked), 0);
  await quiet.context.close();

  const doc = await person('ug-oncall');
  await doc.page.goto(berg, { waitUntil: 'load' });
  await doc.page.getByRole('heading', { name: 'Before your shift starts' }).waitFor({ timeout: 20000 });
  await doc.page.getByText(/Not ready yet/).waitFor();
  assert.equal(await doc.page.getByText(/You are on call for/).count(), 0, 'no ready status before the alerts are on');
  await shots(doc.page, SHOTS, 'oncall-setup');
  await doc.page.getByRole('button', { name: 'Turn on sound and notifications' }).click();
  await doc.page.getByText(/You are on call for Ambulant geriatrisk team as Dr\. Berg\. Requests appear here/).waitFor();
  assert.equal(await doc.page.evaluate(() => window.__asked), 1, 'notification permission asked');
  assert.equal(await doc.page.locator('#oncall-setup').isVisible(), false);

  /* The first nurse asks about a wound while the on-call tab is in the background. */
  await doc.page.evaluate(() => (window.__background = true));
  const kari = await person('ug-nurse-kari');
  await kari.page.goto(await link(home.id, { role: 'requester', name: 'Kari', to: oncall.id }), { waitUntil: 'load' });
  await kari.page.getByRole('group', { name: 'What is it about? (optional)' }).waitFor({ timeout: 20000 });
  await kari.page.getByLabel('Wound').check();
  await kari.page.getByRole('button', { name: 'Ask for help now' }).click();
  await kari.page.getByText(/Your request is sent/).waitFor({ timeout: 20000 });
  assert.equal(await kari.page.evaluate(() => document.activeElement?.id), 'cancel-urgent', 'focus on Cancel');

  const card = doc.page.locator('.urgent-card', { hasText: 'Kari, Hjemmesykepleien Vågå' });
  await card.waitFor({ timeout: 10000 });
  assert.equal((await card.locator('.urgent-category').innerText()).trim(), 'Wound');
  assert.match(await doc.page.locator('#urgent-alert').innerText(), /Urgent request from Hjemmesykepleien Vågå \(Wound\)/);
  const notes = await doc.page.evaluate(() => window.__notes.map((n) => ({ title: n.title, body: n.body })));
  assert.deepEqual(notes, [{ title: 'Urgent request', body: 'Kari, Hjemmesykepleien Vågå' }]);
  /* It rings again and again until seen. */
  await waitFor(async () => (await beeps(doc.page)) >= 2, { timeoutMs: 15000, what: 'the ring to repeat' });
  assert.equal(await doc.page.getByRole('button', { name: 'Stop ringing' }).isVisible(), true);
  await shots(doc.page, SHOTS, 'oncall-ringing');
  /* The notification's click brings the page forward. */
  await doc.page.evaluate(() => {
    window.__background = false;
    window.__notes[0].onclick();
  });
  assert.equal(await doc.page.evaluate(() => window.__focus), 1, 'the notification click focused the page');
  assert.equal(await doc.page.evaluate(() => window.__notes[0].closed), true);

  /* Accept: the call opens in a new tab and joins without a form. */
  const [callPage] = await Promise.all([
    doc.context.waitForEvent('page'),
    doc.page.getByRole('button', { name: 'Accept the request from Kari' }).click(),
  ]);
  await callPage.waitForURL(/direct=1/, { timeout: 20000 });
  await callPage.locator('#call').waitFor({ state: 'visible', timeout: 30000 });
  await kari.page.waitForURL(/direct=1/, { timeout: 20000 });
  await kari.page.locator('#call').waitFor({ state: 'visible', timeout: 30000 });
  const specialist = await callPage.evaluate(() => window.samvei.self());
  const nurse = await kari.page.evaluate(() => window.samvei.self());
  assert.equal(specialist.role, 'specialist');
  assert.equal(nurse.role, 'municipal');
  assert.equal(specialist.name, 'Dr. Berg');
  assert.equal(nurse.name, 'Kari');
  await waitForMediaFrom(callPage, [nurse.id], 'specialist');
  await waitForMediaFrom(kari.page, [specialist.id], 'nurse');
  await doc.page.getByText('The call with Kari opened in a new tab. This page still watches for new requests.').waitFor();
  assert.equal(await doc.page.evaluate(() => window.samveiOncall.ringing()), false, 'ringing stopped');

  /* The watch goes on: a second nurse's request shows and rings on the on-call page. */
  const before = await beeps(doc.page);
  const ola = await person('ug-nurse-ola');
  await ola.page.goto(await link(home.id, { role: 'requester', name: 'Ola', to: oncall.id }), { waitUntil: 'load' });
  await ola.page.getByLabel('Breathing').check();
  await ola.page.getByRole('button', { name: 'Ask for help now' }).click();
  await ola.page.getByText(/Your request is sent/).waitFor({ timeout: 20000 });
  const second = doc.page.locator('.urgent-card', { hasText: 'Ola, Hjemmesykepleien Vågå' });
  await second.waitFor({ timeout: 10000 });
  assert.equal((await second.locator('.urgent-category').innerText()).trim(), 'Breathing');
  await waitFor(async () => (await beeps(doc.page)) > before, { timeoutMs: 10000, what: 'the second request to ring' });
  assert.equal(await callPage.evaluate(() => window.samvei.state().connection), 'connected', 'the call is still up');
  await shots(doc.page, SHOTS, 'oncall-second-request');
  const olaRequest = await ola.page.evaluate(() => document.body.dataset.request);

  /* Ola cancels: the card goes from the on-call page. */
  await ola.page.getByRole('button', { name: 'Cancel the request' }).click();
  await ola.page.getByText('The request is cancelled. You can ask for help again.').waitFor({ timeout: 10000 });
  await doc.page.getByText('The nurse cancelled the request.').waitFor({ timeout: 10000 });
  assert.equal(await second.count(), 0, 'the card is gone');
  assert.equal(await doc.page.locator('#urgent-alert').isVisible(), false);
  await shots(ola.page, SHOTS, 'urgent-cancelled');

  /* Logged and counted as withdrawn; the categories are nowhere in the store or the log. */
  const stored = (await call('GET', `/api/audit`)).json.events;
  const withdrawn = stored.find((e) => e.event === 'urgent-withdrawn' && e.detail?.request === olaRequest);
  assert.ok(withdrawn, JSON.stringify(stored.map((e) => e.event)));
  assert.equal(withdrawn.detail.reason, 'cancelled');
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(metrics, /samvei_urgent_withdrawn_total\{reason="cancelled"\} 1\n/);
  for (const file of readdirSync(server.dataDir).filter((f) => f.startsWith('samvei.db'))) {
    const bytes = readFileSync(join(server.dataDir, file)).toString('latin1');
    for (const word of ['wound', 'breathing']) assert.ok(!bytes.includes(word), `${file} holds "${word}"`);
  }
  assert.ok(!/wound|breathing/.test(JSON.stringify(stored)), 'the session log holds no category');
  assert.ok(!/wound|breathing/.test(server.output()), 'the server log holds no category');
});

test('nobody answers: the nurse is shown the team phone after the configured time', { timeout: 240000 }, async () => {
  const { oncall, home, link } = await teams('+47 61 00 00 00');
  const nurse = await person('ug-nurse-alone');
  await nurse.page.goto(await link(home.id, { role: 'requester', name: 'Siri', to: oncall.id }), { waitUntil: 'load' });
  await nurse.page.getByRole('button', { name: 'Ask for help now' }).click();
  await nurse.page.getByText(/Nobody from the team is online right now/).waitFor({ timeout: 20000 });
  assert.equal(await nurse.page.locator('#urgent-fallback').isVisible(), false, 'not before the time');
  const phone = nurse.page.getByRole('link', { name: 'Call +47 61 00 00 00' });
  await phone.waitFor({ timeout: 15000 });
  assert.equal(await phone.getAttribute('href'), 'tel:+4761000000');
  await nurse.page.getByText('Nobody has answered yet. Call the on-call team:').waitFor();
  await shots(nurse.page, SHOTS, 'urgent-unanswered');
  /* The Norwegian page, by the language switch (remembered). */
  await nurse.page.getByRole('link', { name: 'Norsk (bokmål)' }).click();
  await nurse.page.getByRole('button', { name: 'Be om hjelp nå' }).waitFor({ timeout: 20000 });
  assert.equal(await nurse.page.evaluate(() => localStorage.getItem('samvei.lang')), 'nb');
  await shots(nurse.page, SHOTS, 'urgent-nb');
});

/* A raw WebSocket (wsclient.mjs): what the server refuses and tells. */
const client = (label) => protocolClient(server.wsUrl, label);

test('over the wire: a category outside the list is refused; cancel with nothing waiting is a conflict; a nurse who leaves is withdrawn as left', async () => {
  const { oncall, home, link } = await teams('');
  const tokenOf = async (body) => (await link(body.to ? home.id : oncall.id, body)).split('#token=')[1];
  const watcher = await client('watcher');
  watcher.send({ type: 'urgent-watch', id: 1, token: await tokenOf({ role: 'on-call', name: 'Dr. W' }) });
  assert.equal((await watcher.next((m) => m.id === 1, 'watch', 10000)).type, 'ok');
  const nurse = await client('nurse');
  const token = await tokenOf({ role: 'requester', name: 'Per', to: oncall.id });
  nurse.send({ type: 'urgent-request', id: 1, token, team: oncall.id, category: 'the patient Hansen fell' });
  assert.equal((await nurse.next((m) => m.id === 1, 'free text', 10000)).code, 'bad-request');
  nurse.send({ type: 'urgent-cancel', id: 2 });
  assert.equal((await nurse.next((m) => m.id === 2, 'cancel', 10000)).code, 'conflict');
  nurse.send({ type: 'urgent-request', id: 3, token, team: oncall.id, category: 'fall' });
  const ok = await nurse.next((m) => m.id === 3, 'request', 10000);
  assert.equal(ok.type, 'ok', JSON.stringify(ok));
  assert.equal(ok.fallbackAfterS, 4);
  assert.equal(ok.team.phone, undefined, 'no phone set');
  assert.equal((await watcher.next((m) => m.type === 'urgent-requested', 'pushed', 10000)).request.category, 'fall');
  nurse.ws.close();
  const gone = await watcher.next((m) => m.type === 'urgent-withdrawn', 'withdrawn', 10000);
  assert.equal(gone.reason, 'left');
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(metrics, /samvei_urgent_withdrawn_total\{reason="left"\} [1-9]/);
  watcher.ws.close();
});
