/*
 * link.test.mjs — the invitation link checked as the page opens: a link that is too early says when it opens, in the page's
 * language and the browser's time zone, and the page goes on by itself
 * then; expired, revoked, cancelled, ended and broken links each say so
 * plainly in bokmål and in English before anything is filled in; invited
 * people see no room field, and the call header shows the consultation's
 * title. A join the server refuses is told in the page's language, never
 * with the server's English sentence.
 *
 * A server of its own (server.mjs) runs with --waiting-room-open-min 0, so
 * a patient's waiting room opens at the booked start: a consultation booked
 * a few seconds ahead is too early now and opens by itself a little later.
 * No sleeps: every wait is for a condition on the page.
 *
 * Screenshots at iPad portrait go to artifacts/link/.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { protocolClient } from './wsclient.mjs';
import { ARTIFACTS, VIEWPORTS, launchBrowser, shots } from './lib.mjs';
import { startServer, SAMVEI_BIN } from './server.mjs';
import { api } from './api.mjs';

const SHOTS = join(ARTIFACTS, 'link');
mkdirSync(SHOTS, { recursive: true });

const SECRET = 'link-test-secret-0123456789abcdef0123456789';
const OPENS_IN_S = 12; /* the too-early consultation starts this long after booking */
const TITLE = 'Sårveiledning, hjemmesykepleien';
const ENV = { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' };

/* What the person reads for each kind of link (web/js/i18n.js). */
const TEXT = {
  nb: {
    join: 'Bli med i en konsultasjon',
    'too-early': 'Det er ikke tid ennå',
    expired: 'Lenken er utløpt',
    revoked: 'Invitasjonen er trukket tilbake',
    cancelled: 'Konsultasjonen er avlyst',
    ended: 'Konsultasjonen er avsluttet',
    invalid: 'Lenken kan ikke brukes',
    revokedText: 'Den som ordnet konsultasjonen, har trukket tilbake denne invitasjonen. Lenken virker ikke lenger.',
  },
  en: {
    join: 'Join a consultation',
    'too-early': 'It is not time yet',
    expired: 'This link has expired',
    revoked: 'The invitation was withdrawn',
    cancelled: 'The consultation was cancelled',
    ended: 'The consultation has ended',
    invalid: 'This link cannot be used',
    revokedText: 'The organiser of the consultation has withdrawn this invitation. The link no longer works.',
  },
};

let browser;
let server;
let key;
const opened = [];
const sockets = [];

before(async () => {
  browser = await launchBrowser();
  server = await startServer('link', { args: ['--token-secret', SECRET, '--waiting-room-open-min', '0'] });
  const made = spawnSync(SAMVEI_BIN, ['apikey', 'create', '--name', 'e2e link', '--data-dir', server.dataDir], { encoding: 'utf8', env: ENV });
  assert.equal(made.status, 0, `samvei apikey create: ${made.stderr}`);
  key = made.stdout.trim();
});

after(async () => {
  for (const ws of sockets) ws.terminate();
  for (const p of opened) await p.context.close().catch(() => {});
  await browser?.close();
  if (server) {
    /* The token never reaches the server's log (it travels in a header). */
    assert.doesNotMatch(server.output(), /eyJ[\w-]+\.eyJ/, 'no token in the server log');
    await server.stopCleanly();
  }
});

const iso = (ms) => new Date(Math.ceil(ms / 1000) * 1000).toISOString();

async function book(startMs, durationMin = 30) {
  const r = await api('POST', '/api/consultations', { key, base: server.url, body: { title: TITLE, start: iso(startMs), durationMin } });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function invite(id, role, name) {
  const r = await api('POST', `/api/consultations/${id}/invitations`, { key, base: server.url, body: { role, name } });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

/* A page at iPad portrait in lang and timezoneId, with fake devices. */
async function person(label, { lang = 'en', timezoneId = 'Europe/Oslo' } = {}) {
  const context = await browser.newContext({
    viewport: VIEWPORTS.tablet,
    permissions: ['camera', 'microphone'],
    locale: lang === 'nb' ? 'nb-NO' : 'en-GB',
    timezoneId,
  });
  const page = await context.newPage();
  const p = { label, context, page, lang };
  opened.push(p);
  return p;
}

function open(p, link) {
  return p.page.goto(link.replace('?room=', `?lang=${p.lang}&room=`), { waitUntil: 'load' });
}

/* The state the page shows for a link: kind, heading, text, region role. */
async function linkState(p, kind) {
  const el = p.page.locator(`#link-page[data-kind="${kind}"]`);
  await el.waitFor({ state: 'visible', timeout: 20000 });
  return {
    heading: await p.page.locator('#link-title').innerText(),
    text: await p.page.locator('#link-text').innerText(),
    role: await p.page.locator('#link-state').getAttribute('role'),
    forms: await p.page.locator('form, #join-room, #join-name').count(),
    h1: await p.page.locator('h1').innerText(),
  };
}

async function assertRefused(p, kind) {
  const s = await linkState(p, kind);
  const text = TEXT[p.lang];
  assert.equal(s.heading, text[kind], `${p.label}: the heading says ${kind}`);
  assert.equal(s.h1, text.join);
  assert.equal(s.role, 'alert', `${p.label}: an alert region`);
  assert.equal(s.forms, 0, `${p.label}: nothing to fill in`);
  await shots(p.page, SHOTS, `${kind}-${p.lang}`);
  return s;
}

/* The hour and minute of t as the person's clock shows them. */
function clock(t, timezoneId) {
  return new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: timezoneId }).format(new Date(t));
}

test('a too-early link shows the opening time and lets the person in by itself when it opens', { timeout: 120000 }, async () => {
  const start = Date.now() + OPENS_IN_S * 1000;
  const c = await book(start);
  const patient = await invite(c.id, 'patient', 'Kari Nordmann');
  const nb = await person('link-early-nb', { lang: 'nb', timezoneId: 'Europe/Oslo' });
  const en = await person('link-early-en', { lang: 'en', timezoneId: 'America/New_York' });
  await Promise.all([open(nb, patient.link), open(en, patient.link)]);

  for (const [p, zone] of [[nb, 'Europe/Oslo'], [en, 'America/New_York']]) {
    const s = await linkState(p, 'too-early');
    assert.ok(Date.now() < Date.parse(c.start), `${p.label}: shown before the opening`);
    assert.equal(s.heading, TEXT[p.lang]['too-early']);
    assert.equal(s.role, 'status', 'news, not an alert');
    assert.equal(s.forms, 0, 'nothing to fill in yet');
    assert.ok(s.text.includes(clock(c.start, zone)), `${p.label}: the opening in its own time zone (${clock(c.start, zone)}): ${s.text}`);
    assert.match(s.text, p.lang === 'nb' ? /^Du kan bli med fra / : /^You can join from /);
    assert.equal(await p.page.locator('#link-text').getAttribute('data-opens-at'), c.start);
    assert.equal(await p.page.locator('#link-consultation').innerText(), TITLE);
    await shots(p.page, SHOTS, `too-early-${p.lang}`);
  }
  assert.ok(clock(c.start, 'Europe/Oslo') !== clock(c.start, 'America/New_York'), 'two zones, two clocks');
  assert.match(await nb.page.locator('#link-text').innerText(), /[a-zæøå]+dag/, 'the weekday in bokmål');

  /* Nobody touches the page: it opens by itself at the opening time. */
  const deadline = OPENS_IN_S * 1000 + 30000;
  await Promise.all([nb, en].map((p) => p.page.waitForSelector('#join-page', { timeout: deadline })));
  assert.ok(Date.now() >= Date.parse(c.start) - 1000, 'not before the opening');
  for (const p of [nb, en]) {
    assert.equal(await p.page.locator('#join-room').count(), 0, `${p.label}: no room field for an invited person`);
    assert.match(await p.page.locator('#join-consultation').innerText(), new RegExp(TITLE));
  }
  await shots(nb.page, SHOTS, 'opened-nb');

  /* And the server agrees: the patient goes on into the waiting room. */
  await nb.page.locator('#notice-ack').check();
  await nb.page.locator('#join-button').click();
  await nb.page.waitForSelector('#waiting', { timeout: 20000 });
  assert.equal(await nb.page.locator('#waiting-consultation').innerText(), TITLE);
});

test('expired, revoked, cancelled, ended and broken links say so on opening, in bokmål and English', { timeout: 120000 }, async () => {
  const now = Date.now();
  /* Expired: an invitation whose consultation was moved into the past. */
  const past = await book(now);
  const late = await invite(past.id, 'relative', 'Per Hansen');
  const moved = await api('PATCH', `/api/consultations/${past.id}`, { key, base: server.url, body: { start: iso(now - 3 * 3600000) } });
  assert.equal(moved.status, 200, moved.text);
  /* Expired too: a token whose own validity ended (samvei token). */
  const minted = spawnSync(
    SAMVEI_BIN,
    ['token', '--room', 'adhoc-room', '--role', 'patient', '--name', 'Ola', '--valid-from', '2020-01-01T08:00:00Z',
      '--valid-minutes', '30', '--data-dir', server.dataDir, '--token-secret', SECRET],
    { encoding: 'utf8', env: ENV },
  );
  assert.equal(minted.status, 0, minted.stderr);
  const oldLink = `${server.url}/?room=adhoc-room#token=${minted.stdout.trim()}`;
  /* Revoked. */
  const c = await book(now);
  const revoked = await invite(c.id, 'patient', 'Kari Nordmann');
  assert.equal((await api('DELETE', `/api/invitations/${revoked.id}`, { key, base: server.url })).status, 204);
  /* Cancelled. */
  const gone = await book(now);
  const cancelled = await invite(gone.id, 'patient', 'Kari Nordmann');
  assert.equal((await api('DELETE', `/api/consultations/${gone.id}`, { key, base: server.url })).status, 200);
  /* Ended by its host, who joins and ends it (a protocol-level client, no browser). */
  const held = await book(now);
  const host = await invite(held.id, 'specialist', 'Dr. Berg');
  const ended = await invite(held.id, 'patient', 'Kari Nordmann');
  await endAsHost(held.id, host.token);
  /* Broken: the link's signature changed in copying. */
  const broken = revoked.link.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A'));

  const cases = [
    ['expired', late.link],
    ['expired', oldLink],
    ['revoked', revoked.link],
    ['cancelled', cancelled.link],
    ['ended', ended.link],
    ['invalid', broken],
  ];
  for (const lang of ['nb', 'en']) {
    for (const [kind, link] of cases) {
      const p = await person(`link-${kind}-${lang}`, { lang });
      await open(p, link);
      const s = await assertRefused(p, kind);
      if (kind === 'revoked') assert.equal(s.text, TEXT[lang].revokedText);
      if (lang === 'nb') assert.doesNotMatch(s.text, /\b(the|invitation|link|consultation)\b/i, 'no English inside bokmål');
      await p.context.close();
    }
  }
});

test('invited people see no room field; the call header shows the title; a refused join is told in bokmål', { timeout: 120000 }, async () => {
  const c = await book(Date.now());
  const specialist = await invite(c.id, 'specialist', 'Dr. Berg');
  const p = await person('link-header', { lang: 'nb' });
  await open(p, specialist.link);
  await p.page.waitForSelector('#join-page', { timeout: 20000 });
  assert.equal(await p.page.locator('#join-room').count(), 0, 'no room field');
  assert.doesNotMatch(await p.page.locator('#join-page').innerText(), new RegExp(c.id), 'the room id is nowhere on the page');
  await p.page.locator('#notice-ack').check();
  await p.page.locator('#join-button').click();
  await p.page.waitForSelector('#call', { timeout: 20000 });
  const header = p.page.locator('.call-room');
  assert.equal(await header.innerText(), TITLE);
  assert.doesNotMatch(await p.page.locator('#call').innerText(), new RegExp(c.id), 'the room id is nowhere in the call');
  await shots(p.page, SHOTS, 'call-title-nb');

  /* Revoked after the page opened: the join refusal is the same plain
   * bokmål text, never the server's English sentence. */
  const patient = await invite(c.id, 'patient', 'Kari Nordmann');
  const q = await person('link-refused-nb', { lang: 'nb' });
  await open(q, patient.link);
  await q.page.waitForSelector('#join-page', { timeout: 20000 });
  assert.equal((await api('DELETE', `/api/invitations/${patient.id}`, { key, base: server.url })).status, 204);
  await q.page.locator('#notice-ack').check();
  await q.page.locator('#join-button').click();
  const err = q.page.locator('#join-error');
  await err.waitFor({ state: 'visible', timeout: 20000 });
  assert.equal(await err.getAttribute('data-code'), 'unauthorized');
  assert.equal(await err.getAttribute('role'), 'alert');
  const text = await err.innerText();
  assert.ok(text.startsWith(TEXT.nb.revokedText), text);
  assert.doesNotMatch(text, /revoked|organiser|ask for/i, 'not the server English');
  await shots(q.page, SHOTS, 'join-refused-nb');
});

/* Joins held's room as its host over a protocol-level client and ends it. */
async function endAsHost(room, token) {
  const c = await protocolClient(server.wsUrl, 'x', sockets);
  await c.joinOk(room, token);
  const ended = await c.request({ type: 'end' });
  assert.equal(ended.type, 'ok', JSON.stringify(ended));
  c.close();
}
