/*
 * urgent.test.mjs — urgent guidance end to end, in the browser.
 *
 * The API makes a municipal nurse's urgent-help link and on-call links for
 * two members of an on-call specialist team. Both on-call pages are open
 * when the nurse presses "Ask for help now": the request appears live on
 * both (the alert banner and a card with an Accept button). One accepts;
 * the other sees it taken; the specialist (in a new tab) and the nurse both
 * go straight into the same new urgent consultation and decode each
 * other's video. The session log holds urgent-request and urgent-accept
 * with the wait, and the month's figures count the request. Over a raw
 * WebSocket: a request whose nurse leaves is withdrawn from the on-call
 * side and cannot be accepted; a second request while one waits is a
 * conflict; a forged on-call token and a join token are refused with
 * `unauthorized`, and an on-call token cannot join a call.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { protocolClient } from './wsclient.mjs';
import { VIEWPORTS, BASE_URL, WS_URL, launchBrowser, newParticipant, waitForMediaFrom, shot } from './lib.mjs';
import { makeApiKey, api } from './api.mjs';

let browser, key;
const opened = [];

before(async () => {
  key = makeApiKey('e2e urgent');
  browser = await launchBrowser();
});

const sockets = [];
after(async () => {
  for (const ws of sockets) ws.terminate();
  for (const p of opened) await p.context.close().catch(() => {});
  await browser?.close();
});

async function participant(label, viewport) {
  const p = await newParticipant(browser, label, viewport);
  opened.push(p);
  return p;
}

const withLang = (link) => link.replace(/\.html(\?|#)/, (m, c) => `.html?lang=en${c === '?' ? '&' : '#'}`);

/* Sends one message on a fresh WebSocket and returns the reply. */
async function wsOnce(msg) {
  const c = await protocolClient(WS_URL, 'once', sockets);
  const reply = await c.request(msg);
  c.close();
  return reply;
}

/* The join link of an accept joins at once (direct=1): no form to fill. */
async function inCall(page) {
  await page.waitForURL(/\/\?(lang=en&)?room=.*direct=1/, { timeout: 30000 });
  await page.locator('#call').waitFor({ state: 'visible', timeout: 30000 });
  return (await page.evaluate(() => window.samvei.self())).id;
}

/* Headless Chromium shows no OS notifications: a stand-in that grants. */
function grantingNotification() {
  window.Notification = class {
    static permission = 'default';
    static requestPermission() {
      this.permission = 'granted';
      return Promise.resolve('granted');
    }
    close() {}
  };
}

test('an urgent request reaches the on-call pages live; accept puts both in one call', { timeout: 240000 }, async () => {
  const oncallTeam = (await api('POST', '/api/teams', {
    key,
    body: { name: 'Ambulant geriatrisk team', kind: 'specialist', organisation: 'Sykehuset', onCall: true },
  })).json;
  const home = (await api('POST', '/api/teams', {
    key,
    body: { name: 'Hjemmesykepleien Lom', kind: 'municipal', organisation: 'Lom kommune', distanceKm: 120 },
  })).json;
  const link = async (team, body) => {
    const r = await api('POST', `/api/teams/${team}/urgent-links`, { key, body });
    assert.equal(r.status, 201, r.text);
    return r.json.link;
  };
  const berg = await link(oncallTeam.id, { role: 'on-call', name: 'Dr. Berg' });
  const lie = await link(oncallTeam.id, { role: 'on-call', name: 'Dr. Lie' });
  const nurseLink = await link(home.id, { role: 'requester', name: 'Kari, hjemmesykepleien', to: oncallTeam.id });
  assert.match(berg, new RegExp(`^${BASE_URL}/oncall\\.html#token=`));
  assert.match(nurseLink, new RegExp(`^${BASE_URL}/urgent\\.html\\?team=${oncallTeam.id}#token=`));
  /* On-call links are only for on-call specialist teams. */
  const refused = await api('POST', `/api/teams/${home.id}/urgent-links`, { key, body: { role: 'on-call', name: 'X' } });
  assert.equal(refused.status, 409);

  const a = await participant('urgent-oncall-berg', VIEWPORTS.laptop);
  const b = await participant('urgent-oncall-lie', VIEWPORTS.tablet);
  for (const [p, l] of [[a, berg], [b, lie]]) {
    await p.context.addInitScript(grantingNotification);
    await p.page.goto(withLang(l), { waitUntil: 'load' });
    await p.page.getByRole('button', { name: 'Turn on sound and notifications' }).click();
    await p.page.getByText(/You are on call for Ambulant geriatrisk team/).waitFor({ timeout: 20000 });
    assert.equal(await p.page.locator('#urgent-alert').isVisible(), false, 'no alert before a request');
  }

  const nurse = await participant('urgent-nurse', VIEWPORTS.tablet);
  await nurse.page.goto(withLang(nurseLink), { waitUntil: 'load' });
  await nurse.page.getByRole('button', { name: 'Ask for help now' }).click();
  await nurse.page.getByText(/Your request is sent/).waitFor({ timeout: 20000 });

  /* Live on both on-call pages: the banner and the request's card. */
  for (const p of [a, b]) {
    const alert = p.page.locator('#urgent-alert');
    await alert.waitFor({ state: 'visible', timeout: 10000 });
    assert.match(await alert.innerText(), /Urgent request from Hjemmesykepleien Lom/);
    await p.page.getByRole('button', { name: 'Accept the request from Kari, hjemmesykepleien' }).waitFor({ timeout: 5000 });
    assert.ok((await p.page.evaluate(() => window.samveiOncall.beeps())) >= 1, `${p.label} beeped`);
  }
  await shot(b.page, 'oncall-alert-tablet.png');

  /* Accept opens the call in a new tab; the on-call page stays. */
  const [callPage] = await Promise.all([
    a.context.waitForEvent('page'),
    a.page.getByRole('button', { name: 'Accept the request from Kari, hjemmesykepleien' }).click(),
  ]);
  await b.page.getByText('Dr. Berg took the request.').waitFor({ timeout: 10000 });
  assert.equal(await b.page.locator('#urgent-alert').isVisible(), false, 'the alert is gone for the other');

  const specialistId = await inCall(callPage);
  const nurseId = await inCall(nurse.page);
  const room = await callPage.evaluate(() => window.samvei.state().room);
  assert.equal(await nurse.page.evaluate(() => window.samvei.state().room), room, 'one room for both');
  assert.equal((await callPage.evaluate(() => window.samvei.self())).role, 'specialist');
  assert.equal((await nurse.page.evaluate(() => window.samvei.self())).role, 'municipal');
  await waitForMediaFrom(callPage, [nurseId], 'specialist');
  await waitForMediaFrom(nurse.page, [specialistId], 'nurse');

  /* Stored: an urgent consultation, the request and the accept with the wait. */
  const cons = (await api('GET', `/api/consultations/${room}`, { key })).json;
  assert.equal(cons.kind, 'urgent');
  assert.equal(cons.hostTeam, oncallTeam.id);
  assert.equal(cons.guestTeam, home.id);
  const events = (await api('GET', `/api/audit?consultation=${room}`, { key })).json.events;
  const names = events.map((e) => e.event);
  assert.ok(names.indexOf('urgent-request') >= 0 && names.indexOf('urgent-accept') > names.indexOf('urgent-request'), names.join(', '));
  const accepted = events.find((e) => e.event === 'urgent-accept');
  assert.equal(typeof Object.values(accepted.detail).find((v) => typeof v === 'number'), 'number', 'the wait is recorded');
  const month = new Date().toISOString().slice(0, 7);
  const stats = (await api('GET', `/api/stats?month=${month}`, { key })).json;
  const row = stats.teams.find((t) => t.team === home.id);
  assert.equal(row.urgentRequests, 1);
  assert.equal(row.urgentAccepted, 1);
});

const client = (label) => protocolClient(WS_URL, label, sockets);

test('a request whose nurse leaves is withdrawn; one request at a time', async () => {
  const team = (await api('POST', '/api/teams', { key, body: { name: 'Vakt B', kind: 'specialist', onCall: true } })).json;
  const home = (await api('POST', '/api/teams', { key, body: { name: 'Sykehjemmet', kind: 'municipal' } })).json;
  const tok = async (t, body) => (await api('POST', `/api/teams/${t}/urgent-links`, { key, body })).json.link.split('#token=')[1];
  const watcher = await client('watcher');
  await watcher.send({ type: 'urgent-watch', id: 1, token: await tok(team.id, { role: 'on-call', name: 'Dr. W' }) });
  assert.equal((await watcher.next((m) => m.id === 1, 'watch ok')).type, 'ok');
  const nurse = await client('nurse');
  const nurseToken = await tok(home.id, { role: 'requester', name: 'Ola', to: team.id });
  await nurse.send({ type: 'urgent-request', id: 1, token: nurseToken, team: team.id });
  const ok = await nurse.next((m) => m.id === 1, 'request ok');
  assert.equal(ok.type, 'ok', JSON.stringify(ok));
  assert.equal(ok.watchers, 1);
  const pushed = await watcher.next((m) => m.type === 'urgent-requested', 'the live request');
  assert.equal(pushed.request.id, ok.request);
  assert.equal(pushed.request.name, 'Ola');
  assert.equal(pushed.request.fromTeam.name, 'Sykehjemmet');
  await nurse.send({ type: 'urgent-request', id: 2, token: nurseToken, team: team.id });
  assert.equal((await nurse.next((m) => m.id === 2, 'second request')).code, 'conflict');
  nurse.ws.close();
  const withdrawn = await watcher.next((m) => m.type === 'urgent-withdrawn', 'the withdrawal');
  assert.equal(withdrawn.request, ok.request);
  assert.equal(withdrawn.reason, 'left');
  await watcher.send({ type: 'urgent-accept', id: 3, request: ok.request });
  assert.equal((await watcher.next((m) => m.id === 3, 'accept of a withdrawn request')).code, 'not-found');
  watcher.ws.close();
});

test('forged and wrong tokens cannot watch or ask', async () => {
  const team = (await api('POST', '/api/teams', { key, body: { name: 'Vakt', kind: 'specialist', onCall: true } })).json;
  const link = (await api('POST', `/api/teams/${team.id}/urgent-links`, { key, body: { role: 'on-call', name: 'Dr. X' } })).json.link;
  const token = link.split('#token=')[1];
  const [head, body, sig] = token.split('.');
  const claims = JSON.parse(Buffer.from(body, 'base64url'));
  const forged = `${head}.${Buffer.from(JSON.stringify({ ...claims, room: 'oncall-someoneelse' })).toString('base64url')}.${sig}`;
  let r = await wsOnce({ type: 'urgent-watch', token: forged });
  assert.equal(r.code, 'unauthorized', JSON.stringify(r));
  r = await wsOnce({ type: 'urgent-request', token, team: team.id });
  assert.equal(r.code, 'unauthorized', 'an on-call token cannot ask');
  r = await wsOnce({ type: 'urgent-accept', request: 'nosuchrequest' });
  assert.equal(r.code, 'forbidden', 'accepting needs a watch first');
  r = await wsOnce({ type: 'join', room: `oncall-${team.id}`, name: 'x', token, noticeAck: true });
  assert.equal(r.code, 'unauthorized', 'an on-call token cannot join a call');
  r = await wsOnce({ type: 'urgent-watch', token });
  assert.equal(r.type, 'ok');
  assert.equal(r.team.id, team.id);
});
