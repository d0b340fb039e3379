/*
 * api.test.mjs — the REST API over real HTTP against run.sh's server, with
 * an API key made by `samvei apikey create` in the server's database.
 *
 * A coordinator's day: two teams, a consultation booked, found by day,
 * week, team and status, rescheduled, exported as iCalendar (parsed
 * strictly), invitations issued; the specialist's link opens the call in
 * the browser; a revoked link says so as the join page opens; cancelling
 * revokes the rest. The session log lists what happened
 * (JSON and CSV) and the monthly figures name both teams. No key, a forged
 * key and bad input get the documented errors, and the server stays up.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { VIEWPORTS, BASE_URL, launchBrowser, newParticipant, healthz } from './lib.mjs';
import { makeApiKey, api, assertError, parseIcs, prop, unescapeText, icsTime } from './api.mjs';

let browser, key;
const opened = [];

before(async () => {
  key = makeApiKey('e2e coordinator');
  browser = await launchBrowser();
});

after(async () => {
  for (const p of opened) await p.context.close().catch(() => {});
  await browser?.close();
});

const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const day = (ms) => new Date(ms).toISOString().slice(0, 10);

/* ISO 8601 week (YYYY-Www) of a time. */
function isoWeek(ms) {
  const d = new Date(ms);
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const dow = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - dow);
  const y = t.getUTCFullYear();
  const week = Math.ceil(((t - Date.UTC(y, 0, 1)) / 86400000 + 1) / 7);
  return `${y}-W${String(week).padStart(2, '0')}`;
}

async function joinPage(label, link) {
  const p = await newParticipant(browser, label, VIEWPORTS.tablet);
  opened.push(p);
  await p.page.goto(link.replace(/\?room=/, '?lang=en&room='), { waitUntil: 'load' });
  await p.page.getByLabel('I have read this and want to join').check();
  await p.page.getByRole('button', { name: 'Join' }).click();
  return p;
}

test('no key and a forged key are refused with 401 unauthorized; the notice stays public', async () => {
  assertError(await api('GET', '/api/consultations'), 401, 'unauthorized', 'no key');
  const r = await api('GET', '/api/teams', { key: 'svk_' + '0'.repeat(64) });
  assertError(r, 401, 'unauthorized', 'a forged key');
  assert.match(r.headers.get('www-authenticate') || '', /^Bearer/);
  assertError(await api('GET', '/api/teams', { headers: { authorization: 'Basic Zm9vOmJhcg==' } }), 401, 'unauthorized', 'Basic auth');
  assert.equal((await api('GET', '/api/notice')).status, 200);
});

test('book, list, reschedule, export, invite, join, revoke and cancel', { timeout: 180000 }, async () => {
  const spec = await api('POST', '/api/teams', {
    key,
    body: { name: 'Ambulant sårteam', kind: 'specialist', organisation: 'Sykehuset Innlandet', onCall: true },
  });
  assert.equal(spec.status, 201, spec.text);
  const muni = await api('POST', '/api/teams', {
    key,
    body: { name: 'Hjemmesykepleien Vågå', kind: 'municipal', organisation: 'Vågå kommune', distanceKm: 85 },
  });
  assert.equal(muni.status, 201, muni.text);
  assert.equal(muni.json.distanceKm, 85);
  const teams = (await api('GET', '/api/teams', { key })).json.teams.map((t) => t.id);
  assert.ok(teams.includes(spec.json.id) && teams.includes(muni.json.id));
  const renamed = await api('PATCH', `/api/teams/${muni.json.id}`, { key, body: { distanceKm: 90 } });
  assert.equal(renamed.json.distanceKm, 90);
  assert.equal(renamed.json.name, 'Hjemmesykepleien Vågå', 'a PATCH keeps what it does not name');

  /* Booked to start now, 45 minutes. */
  const now = Date.now();
  const title = 'Sårveiledning, oppfølging; uke 48 — ' + 'lang tittel æøå '.repeat(4);
  const booked = await api('POST', '/api/consultations', {
    key,
    body: { title, start: iso(now), durationMin: 45, hostTeam: spec.json.id, guestTeam: muni.json.id },
  });
  assert.equal(booked.status, 201, booked.text);
  const c = booked.json;
  assert.match(c.id, /^[a-z0-9]{20}$/, 'an opaque id, also the room id');
  assert.equal(c.status, 'booked');
  assert.equal(c.kind, 'guidance');
  assert.equal(c.durationMin, 45);

  const ids = async (q) => (await api('GET', `/api/consultations?${q}`, { key })).json.consultations.map((x) => x.id);
  assert.ok((await ids(`day=${day(now)}`)).includes(c.id), 'listed on its day');
  assert.ok((await ids(`week=${isoWeek(now)}`)).includes(c.id), 'listed in its ISO week');
  assert.ok((await ids(`team=${muni.json.id}&status=booked`)).includes(c.id), 'listed by guest team and status');
  assert.ok(!(await ids(`status=cancelled`)).includes(c.id), 'not among the cancelled');
  assert.ok(!(await ids(`day=${day(now + 3 * 86400000)}`)).includes(c.id), 'not on another day');

  /* Rescheduled by two days, then back to now with a new title. */
  const later = now + 2 * 86400000;
  const moved = await api('PATCH', `/api/consultations/${c.id}`, { key, body: { start: iso(later) } });
  assert.equal(moved.status, 200, moved.text);
  assert.equal(moved.json.start, iso(later));
  assert.equal(moved.json.durationMin, 45, 'moving keeps the length');
  assert.ok((await ids(`day=${day(later)}`)).includes(c.id));
  assert.ok(!(await ids(`day=${day(now)}&team=${spec.json.id}`)).includes(c.id));
  const back = await api('PATCH', `/api/consultations/${c.id}`, {
    key,
    body: { start: iso(now), end: iso(now + 30 * 60000), title: 'Sårveiledning, hjemmesykepleien' },
  });
  assert.equal(back.status, 200, back.text);
  assert.equal(back.json.title, 'Sårveiledning, hjemmesykepleien');
  const got = await api('GET', `/api/consultations/${c.id}`, { key });
  assert.equal(got.json.end, iso(now + 30 * 60000));

  /* iCalendar, parsed strictly. */
  const ics = await api('GET', `/api/consultations/${c.id}.ics`, { key });
  assert.equal(ics.status, 200);
  assert.match(ics.headers.get('content-type'), /^text\/calendar/);
  assert.match(ics.headers.get('content-disposition'), /attachment; filename="[^"]+\.ics"/);
  const cal = parseIcs(ics.text);
  assert.equal(cal.name, 'VCALENDAR');
  assert.equal(prop(cal, 'VERSION'), '2.0');
  assert.ok(prop(cal, 'PRODID'));
  const events = cal.children.filter((x) => x.name === 'VEVENT');
  assert.equal(events.length, 1, 'one VEVENT');
  const ev = events[0];
  assert.equal(icsTime(prop(ev, 'DTSTART')), Math.floor(now / 1000));
  assert.equal(icsTime(prop(ev, 'DTEND')), Math.floor(now / 1000) + 1800);
  assert.ok(icsTime(prop(ev, 'DTSTAMP')) > 0);
  assert.equal(unescapeText(prop(ev, 'SUMMARY')), 'Sårveiledning, hjemmesykepleien');
  assert.match(prop(ev, 'UID'), new RegExp(`^${c.id}@`));
  assert.doesNotMatch(ics.text, /token=|Kari|#/, 'no link or person in the calendar entry');

  /* A long title folds and unfolds intact. */
  const longTitle = await api('PATCH', `/api/consultations/${c.id}`, { key, body: { title } });
  assert.equal(longTitle.status, 200, longTitle.text);
  const longIcs = parseIcs((await api('GET', `/api/consultations/${c.id}.ics`, { key })).text);
  assert.equal(unescapeText(prop(longIcs.children[0], 'SUMMARY')), title);

  /* Invitations: links for the specialist and a patient. */
  const inv = async (role, name) => {
    const r = await api('POST', `/api/consultations/${c.id}/invitations`, { key, body: { role, name } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.role, role);
    assert.equal(r.json.name, name);
    assert.ok(Date.parse(r.json.expires) > Date.now());
    assert.match(r.json.link, new RegExp(`^${BASE_URL}/\\?room=${c.id}#token=[\\w-]+\\.[\\w-]+\\.[\\w-]+$`));
    return r.json;
  };
  const specialist = await inv('specialist', 'Dr. Berg');
  const patient = await inv('patient', 'Kari Nordmann');
  /* A move the links do not cover says so; a small one within them not. */
  const small = await api('PATCH', `/api/consultations/${c.id}`, { key, body: { end: iso(now + 25 * 60000) } });
  assert.equal(small.json.staleInvitations, 0);
  const far = await api('PATCH', `/api/consultations/${c.id}`, { key, body: { start: iso(now + 86400000) } });
  assert.equal(far.json.staleInvitations, 2, 'both links would have expired by then');
  await api('PATCH', `/api/consultations/${c.id}`, { key, body: { start: iso(now), end: iso(now + 30 * 60000) } });
  const listed = (await api('GET', `/api/consultations/${c.id}/invitations`, { key })).json.invitations;
  assert.deepEqual(listed.map((i) => i.id).sort(), [specialist.id, patient.id].sort());
  assert.ok(listed.every((i) => !('token' in i) && !('link' in i) && !('token_hash' in i)), 'links are shown once');

  const host = await joinPage('api-specialist', specialist.link);
  await host.page.locator('#call').waitFor({ state: 'visible', timeout: 20000 });
  assert.equal((await host.page.evaluate(() => window.samvei.self())).role, 'specialist');

  const revoked = await api('DELETE', `/api/invitations/${patient.id}`, { key });
  assert.equal(revoked.status, 204);
  assertError(await api('DELETE', `/api/invitations/${patient.id}`, { key }), 409, 'conflict', 'revoking twice');
  /* The page says so as it opens, before anything is filled in. */
  const refusedPage = await newParticipant(browser, 'api-revoked-patient', VIEWPORTS.tablet);
  opened.push(refusedPage);
  await refusedPage.page.goto(patient.link.replace(/\?room=/, '?lang=en&room='), { waitUntil: 'load' });
  await refusedPage.page.locator('#link-page[data-kind="revoked"]').waitFor({ timeout: 20000 });
  assert.match(await refusedPage.page.locator('#link-title').innerText(), /withdrawn/);

  /* Cancelling: status cancelled, every invitation revoked, no new ones. */
  const cancelled = await api('DELETE', `/api/consultations/${c.id}`, { key });
  assert.equal(cancelled.status, 200, cancelled.text);
  assert.equal(cancelled.json.status, 'cancelled');
  const after = (await api('GET', `/api/consultations/${c.id}/invitations`, { key })).json.invitations;
  assert.ok(after.every((i) => i.revoked), 'every invitation revoked');
  assert.ok((await ids(`status=cancelled&team=${spec.json.id}`)).includes(c.id));
  assertError(await api('POST', `/api/consultations/${c.id}/invitations`, { key, body: { role: 'patient', name: 'Ny' } }), 409, 'conflict', 'inviting to a cancelled one');
  assertError(await api('PATCH', `/api/consultations/${c.id}`, { key, body: { durationMin: 60 } }), 409, 'conflict', 'moving a cancelled one');
  assert.match((await api('GET', `/api/consultations/${c.id}.ics`, { key })).text, /STATUS:CANCELLED\r\n/);

  /* The session log, in order, as JSON and CSV. */
  const log = await api('GET', `/api/audit?consultation=${c.id}`, { key });
  assert.equal(log.status, 200);
  const names = log.json.events.map((e) => e.event);
  const order = ['booked', 'changed', 'invitation-issued', 'joined', 'invitation-revoked', 'cancelled'];
  let at = -1;
  for (const e of order) {
    const i = names.indexOf(e, at + 1);
    assert.ok(i > at, `${e} after the events before it (${names.join(', ')})`);
    at = i;
  }
  assert.equal(names.filter((e) => e === 'invitation-issued').length, 2);
  assert.ok(log.json.events.filter((e) => e.event === 'booked').every((e) => e.actor === 'e2e coordinator'), 'the key name is the actor');
  const csv = await api('GET', `/api/audit?consultation=${c.id}&format=csv&from=${day(now - 86400000)}&to=${day(now + 86400000)}`, { key });
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  assert.match(csv.headers.get('content-disposition'), /^attachment; filename=".+\.csv"$/);
  const rows = csv.text.trimEnd().split('\r\n');
  assert.match(rows[0], /^seq,ts,time,consultation,event/);
  assert.equal(rows.length - 1, names.length, 'one CSV row per event');

  /* Monthly figures name both teams and their organisations. */
  const month = new Date(now).toISOString().slice(0, 7);
  const stats = await api('GET', `/api/stats?month=${month}`, { key });
  assert.equal(stats.status, 200, stats.text);
  assert.equal(stats.json.month, month);
  const row = stats.json.teams.find((t) => t.team === muni.json.id);
  for (const f of ['held', 'minutes', 'urgentRequests', 'urgentMedianWaitS', 'travelAvoidedKm']) assert.equal(typeof row[f], 'number', f);
  assert.ok(stats.json.organisations.some((o) => o.organisation === 'Vågå kommune'));

  /* A team with history cannot be deleted; a fresh one can. */
  assertError(await api('DELETE', `/api/teams/${muni.json.id}`, { key }), 409, 'conflict', 'deleting a team with history');
  const spare = await api('POST', '/api/teams', { key, body: { name: 'Reserve', kind: 'municipal' } });
  assert.equal((await api('DELETE', `/api/teams/${spare.json.id}`, { key })).status, 204);
  assertError(await api('GET', `/api/teams/${spare.json.id}`, { key }), 404, 'not-found', 'a deleted team');
});

test('bad input gets 400 bad-request (or 404/405/413) with a sentence, and the server stays up', async () => {
  const bad = [
    ['POST', '/api/consultations', '{"title": "x", "start": ', 400, 'bad-request', 'truncated JSON'],
    ['POST', '/api/consultations', '[1,2,3]', 400, 'bad-request', 'an array'],
    ['POST', '/api/consultations', '"text"', 400, 'bad-request', 'a string'],
    ['POST', '/api/consultations', '', 400, 'bad-request', 'no body'],
    ['POST', '/api/consultations', '{"title":"a","title":"b","start":"2026-01-01T10:00:00Z","durationMin":5}', 400, 'bad-request', 'a duplicate key'],
    ['POST', '/api/consultations', { start: '2026-11-30T10:00:00Z', durationMin: 30 }, 400, 'bad-request', 'no title'],
    ['POST', '/api/consultations', { title: 'x', start: '2026-11-30T10:00:00', durationMin: 30 }, 400, 'bad-request', 'a time without a zone'],
    ['POST', '/api/consultations', { title: 'x', start: '2026-02-30T10:00:00Z', durationMin: 30 }, 400, 'bad-request', 'February 30th'],
    ['POST', '/api/consultations', { title: 'x', start: 'tomorrow', durationMin: 30 }, 400, 'bad-request', 'words for a date'],
    ['POST', '/api/consultations', { title: 'x', start: '1970-01-01T00:00:00Z', durationMin: 30 }, 400, 'bad-request', 'the epoch'],
    ['POST', '/api/consultations', { title: 'x', start: 99999999999999, durationMin: 30 }, 400, 'bad-request', 'a huge number'],
    ['POST', '/api/consultations', { title: 'x', start: '2026-11-30T10:00:00Z', end: '2026-11-30T09:00:00Z' }, 400, 'bad-request', 'end before start'],
    ['POST', '/api/consultations', { title: 'x', start: '2026-11-30T10:00:00Z', durationMin: -5 }, 400, 'bad-request', 'a negative length'],
    ['POST', '/api/consultations', { title: 'x', start: '2026-11-30T10:00:00Z', durationMin: 30, kind: 'party' }, 400, 'bad-request', 'an unknown kind'],
    ['POST', '/api/consultations', { title: 'x', start: '2026-11-30T10:00:00Z', durationMin: 30, hostTeam: 'nope' }, 400, 'bad-request', 'an unknown team'],
    ['POST', '/api/consultations', { title: 'a\u0007b', start: '2026-11-30T10:00:00Z', durationMin: 30 }, 400, 'bad-request', 'a control character'],
    ['POST', '/api/consultations', { title: 'x'.repeat(500), start: '2026-11-30T10:00:00Z', durationMin: 30 }, 400, 'bad-request', 'a long title'],
    ['POST', '/api/consultations', { title: 'æ'.repeat(120), start: '2026-11-30T10:00:00Z', durationMin: 30 }, 400, 'bad-request', 'a title over 199 bytes'],
    ['POST', '/api/teams', { name: 'x', kind: 'hospital' }, 400, 'bad-request', 'an unknown team kind'],
    ['POST', '/api/teams', { name: 7, kind: 'municipal' }, 400, 'bad-request', 'a number for a name'],
    ['POST', '/api/teams', { name: 'x', kind: 'municipal', distanceKm: 'far' }, 400, 'bad-request', 'a word for a distance'],
    ['GET', '/api/consultations?day=2026-13-01', undefined, 400, 'bad-request', 'month 13'],
    ['GET', '/api/consultations?day=yesterday', undefined, 400, 'bad-request', 'a word for a day'],
    ['GET', '/api/consultations?week=2026-W60', undefined, 400, 'bad-request', 'week 60'],
    ['GET', '/api/consultations?week=2025-W53', undefined, 400, 'bad-request', 'week 53 of 2025, which has 52'],
    ['GET', '/api/consultations?day=%ff%fe', undefined, 400, 'bad-request', 'a query that is not UTF-8'],
    ['GET', `/api/consultations?team=${'a'.repeat(400)}`, undefined, 400, 'bad-request', 'a long query value'],
    ['GET', '/api/consultations?status=maybe', undefined, 400, 'bad-request', 'an unknown status'],
    ['GET', '/api/consultations?day=2026-11-23&tz=../../etc/passwd', undefined, 400, 'bad-request', 'a path for a zone'],
    ['GET', '/api/audit?from=last-week', undefined, 400, 'bad-request', 'a word for from'],
    ['GET', '/api/audit?format=xml', undefined, 400, 'bad-request', 'an unknown format'],
    ['GET', '/api/stats?month=2026-00', undefined, 400, 'bad-request', 'month 0'],
    ['GET', '/api/stats', undefined, 400, 'bad-request', 'no month'],
    ['GET', '/api/consultations/nosuchid', undefined, 404, 'not-found', 'an unknown consultation'],
    ['GET', '/api/consultations/nosuchid.ics', undefined, 404, 'not-found', 'the .ics of an unknown one'],
    ['DELETE', '/api/invitations/nosuchid', undefined, 404, 'not-found', 'an unknown invitation'],
    ['GET', '/api/nothing', undefined, 404, 'not-found', 'an unknown resource'],
    ['PUT', '/api/audit', undefined, 405, 'method-not-allowed', 'changing the log'],
    ['DELETE', '/api/consultations', undefined, 405, 'method-not-allowed', 'deleting the list'],
  ];
  for (const [method, path, body, status, code, what] of bad) {
    assertError(await api(method, path, { key, body }), status, code, what);
  }
  /* Over the 64 KiB cap, and far over it. */
  const big = JSON.stringify({ title: 'x'.repeat(70 * 1024) });
  assertError(await api('POST', '/api/consultations', { key, body: big }), 413, 'too-big', 'a 70 KiB body');
  const huge = Buffer.alloc(8 * 1024 * 1024, 0x7b);
  assertError(await api('POST', '/api/teams', { key, body: huge }), 413, 'too-big', 'an 8 MiB body');
  /* Random bytes as a body. */
  for (let i = 0; i < 20; i++) {
    const junk = Buffer.from(Array.from({ length: 1 + Math.floor(Math.random() * 400) }, () => Math.floor(Math.random() * 256)));
    const r = await api('POST', i % 2 ? '/api/teams' : '/api/consultations', { key, body: junk });
    assert.equal(r.status, 400, `random bytes: ${r.text}`);
  }
  const h = await healthz();
  assert.equal(h.status, 200, 'the server is still up');
});
