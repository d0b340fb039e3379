/*
 * language.test.mjs — the people's side in bokmål and English.
 *
 * API: the consultation's .ics and each invitation's own .ics in nb and en
 * (parsed strictly); the invitation's file carries that person's link and
 * no other person's token, the consultation's no token at all; a bad lang
 * is 400, an unknown or revoked invitation 404, no key 401.
 *
 * Pages: the coordinator page shows session-log events as phrases in both
 * languages (data-event keeps the code), and a new link comes with an
 * invitation text (link and time) that is copied, and the person's own
 * calendar file. A waiting patient switches language in the waiting room
 * and is still waiting: the host's panel still lists them.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { VIEWPORTS, BASE_URL, launchBrowser, newParticipant, shot } from './lib.mjs';
import { makeApiKey, api, assertError, parseIcs, prop, unescapeText } from './api.mjs';

let browser, key;
const opened = [];

before(async () => {
  key = makeApiKey('e2e language');
  browser = await launchBrowser();
});

after(async () => {
  for (const p of opened) await p.context.close().catch(() => {});
  await browser?.close();
});

async function participant(label, viewport) {
  const p = await newParticipant(browser, label, viewport);
  opened.push(p);
  return p;
}

const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

async function book(title) {
  const now = Math.floor(Date.now() / 60000) * 60000;
  const r = await api('POST', '/api/consultations', { key, body: { title, kind: 'guidance', start: iso(now), end: iso(now + 30 * 60000) } });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function invite(c, role, name) {
  const r = await api('POST', `/api/consultations/${c.id}/invitations`, { key, body: { role, name } });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

const description = (cal) => unescapeText(prop(cal.children.find((x) => x.name === 'VEVENT'), 'DESCRIPTION'));

test('calendar files in bokmål and English, one per person with their own link', { timeout: 60000 }, async () => {
  const c = await book('Sårveiledning; oppfølging, uke 48');
  const kari = await invite(c, 'patient', 'Kari Nordmann');
  const ola = await invite(c, 'relative', 'Ola Nordmann');

  /* The consultation's file: nb by default, en on request, never a token. */
  for (const [query, lang] of [['', 'nb'], ['?lang=nb', 'nb'], ['?lang=en', 'en']]) {
    const r = await api('GET', `/api/consultations/${c.id}.ics${query}`, { key });
    assert.equal(r.status, 200, r.text);
    const cal = parseIcs(r.text);
    assert.equal(unescapeText(prop(cal.children[0], 'SUMMARY')), c.title);
    assert.match(description(cal), lang === 'nb' ? /^Videokonsultasjon \(veiledning\)/ : /^Video consultation \(guidance\)/);
    assert.doesNotMatch(r.text, /token=|#/, 'no link in the consultation\'s file');
    assert.ok(!r.text.includes(kari.token.slice(-20)) && !r.text.includes(ola.token.slice(-20)), 'no token');
  }

  /* Each person's own file: their link, in their language, nobody else's token. */
  for (const [person, other] of [[kari, ola], [ola, kari]]) {
    for (const lang of ['nb', 'en']) {
      const r = await api('GET', `/api/invitations/${person.id}.ics?lang=${lang}`, { key });
      assert.equal(r.status, 200, r.text);
      assert.match(r.headers.get('content-type'), /^text\/calendar/);
      assert.match(r.headers.get('content-disposition'), /attachment; filename="invitation-[^"]+\.ics"/);
      const cal = parseIcs(r.text);
      const ev = cal.children[0];
      assert.equal(unescapeText(prop(ev, 'SUMMARY')), c.title);
      assert.match(prop(ev, 'UID'), new RegExp(`^${c.id}@`), 'the same event as the consultation\'s file');
      const text = description(cal);
      assert.ok(text.includes(person.link), `${lang}: ${person.name}'s own link (${person.link}) in ${JSON.stringify(text)}`);
      assert.ok(person.link.startsWith(`${BASE_URL}/?room=${c.id}#token=`));
      assert.ok(!r.text.replace(/\r\n /g, '').includes(other.token), `${lang}: not ${other.name}'s token`);
      assert.match(text, lang === 'nb' ? /Ha klart: et rolig sted/ : /Have ready: a quiet place/);
    }
  }

  /* Refusals. */
  assertError(await api('GET', `/api/consultations/${c.id}.ics?lang=de`, { key }), 400, 'bad-request', 'a lang not offered');
  assertError(await api('GET', `/api/invitations/${kari.id}.ics?lang=nb-NO`, { key }), 400, 'bad-request', 'a lang with a region');
  const bad = await api('GET', `/api/invitations/${kari.id}.ics?lang=EN`, { key });
  assertError(bad, 400, 'bad-request', 'a lang in capitals');
  assert.match(bad.json.error.message, /'lang' must be nb or en/);
  assertError(await api('GET', `/api/invitations/${kari.id}.ics`), 401, 'unauthorized', 'no API key');
  assertError(await api('GET', `/api/invitations/${kari.id}.ics`, { key: 'svk_wrong' }), 401, 'unauthorized', 'a wrong key');
  assertError(await api('GET', '/api/invitations/nosuchinvitation.ics', { key }), 404, 'not-found', 'an unknown invitation');
  assertError(await api('GET', `/api/invitations/${kari.id}.txt`, { key }), 404, 'not-found', 'another suffix');
  assertError(await api('POST', `/api/invitations/${kari.id}.ics`, { key, body: {} }), 405, 'method-not-allowed', 'POST');
  assert.equal((await api('DELETE', `/api/invitations/${ola.id}`, { key })).status, 204);
  assertError(await api('GET', `/api/invitations/${ola.id}.ics`, { key }), 404, 'not-found', 'a revoked invitation');
  assert.equal((await api('GET', `/api/invitations/${kari.id}.ics`, { key })).status, 200, 'the other one still works');
});

test('the coordinator page: event names, invitation text and calendar file in both languages', { timeout: 120000 }, async () => {
  const c = await book(`Språk ${Date.now().toString(36)}`);
  const p = await participant('language-coordinator', VIEWPORTS.tablet);
  const page = p.page;
  /* The copied text is read where the page puts it. */
  await page.addInitScript(() => {
    window.copied = [];
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText: async (text) => window.copied.push(text) } });
  });
  await page.goto(`${BASE_URL}/coordinator.html?lang=en`, { waitUntil: 'load' });
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Use the key' }).click();
  await page.locator('#coordinator').waitFor({ state: 'visible', timeout: 10000 });
  const card = page.locator(`.cons-card[data-id="${c.id}"]`);
  await card.waitFor({ timeout: 10000 });

  await card.getByLabel('Name shown').fill('Kari Nordmann');
  await card.getByRole('button', { name: 'Make link' }).click();
  const linkInput = card.getByLabel('Link for Kari Nordmann');
  await linkInput.waitFor({ timeout: 10000 });
  const link = await linkInput.inputValue();
  await card.getByRole('button', { name: 'Copy invitation text' }).click();
  await card.getByRole('button', { name: 'Text copied' }).waitFor({ timeout: 5000 });
  const copied = await page.evaluate(() => window.copied.at(-1));
  assert.ok(copied.includes(link), `the link in ${JSON.stringify(copied)}`);
  assert.ok(copied.includes(c.title));
  const time = new Date(c.start).toLocaleTimeString('en', { hour: '2-digit', minute: '2-digit', timeZone: await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone) });
  assert.ok(copied.includes(time), `the time ${time} in ${JSON.stringify(copied)}`);
  assert.match(copied, /Have ready: a quiet place, a charged tablet or phone, camera and microphone/);
  assert.equal(await card.getByLabel('Invitation text for Kari Nordmann').inputValue(), copied, 'the text is shown too');

  const [ics] = await Promise.all([page.waitForEvent('download'), card.getByRole('button', { name: 'Calendar file for Kari Nordmann' }).click()]);
  assert.match(ics.suggestedFilename(), /^invitation-.+\.ics$/);
  const cal = parseIcs(readFileSync(await ics.path(), 'utf8'));
  assert.ok(description(cal).includes(link), 'the downloaded file has the link made on the page');
  assert.match(description(cal), /^Video consultation/);
  await shot(page, 'language-coordinator-invite-en.png');

  /* The log: phrases, with the code kept in data-event. */
  await card.getByRole('button', { name: 'Session log' }).click();
  const row = page.locator('#log-table tr[data-event="invitation-issued"]');
  await row.waitFor({ timeout: 10000 });
  assert.match(await row.innerText(), /Invitation issued/);
  assert.match(await page.locator('#log-table tr[data-event="booked"]').innerText(), /Booked/);

  await page.goto(`${BASE_URL}/coordinator.html?lang=nb`, { waitUntil: 'load' });
  await page.locator('#coordinator').waitFor({ state: 'visible', timeout: 10000 });
  await page.getByLabel('ID').fill(c.id);
  await page.getByRole('button', { name: 'Vis logg' }).click();
  const nbRow = page.locator('#log-table tr[data-event="invitation-issued"]');
  await nbRow.waitFor({ timeout: 10000 });
  assert.match(await nbRow.innerText(), /Invitasjon laget/);
  assert.doesNotMatch(await nbRow.innerText(), /invitation-issued/);

  /* In bokmål, the invitation text is in bokmål. */
  const nbCard = page.locator(`.cons-card[data-id="${c.id}"]`);
  await nbCard.getByLabel('Navn som vises').fill('Ola Nordmann');
  await nbCard.getByRole('button', { name: 'Lag lenke' }).click();
  await nbCard.getByRole('button', { name: 'Kopier invitasjonsteksten' }).click();
  await nbCard.getByRole('button', { name: 'Teksten er kopiert' }).waitFor({ timeout: 5000 });
  const nbText = await page.evaluate(() => window.copied.at(-1));
  assert.match(nbText, /Ha klart: et rolig sted, et ladet nettbrett eller en ladet telefon, kamera og mikrofon/);
  assert.ok(nbText.includes(await nbCard.getByLabel('Lenke for Ola Nordmann').inputValue()));
});

test('a waiting patient switches language and stays in the queue', { timeout: 180000 }, async () => {
  const c = await book('Venterom på to språk');
  const patientInv = await invite(c, 'patient', 'Kari Nordmann');
  const hostInv = await invite(c, 'specialist', 'Dr. Berg');
  const withLang = (link) => link.replace('/?', '/?lang=en&');

  const patient = await participant('language-waiting', VIEWPORTS.tablet);
  await patient.page.goto(withLang(patientInv.link), { waitUntil: 'load' });
  await patient.page.getByLabel('I have read this and want to join').check();
  await patient.page.getByRole('button', { name: 'Join' }).click();
  await patient.page.locator('#waiting').waitFor({ state: 'visible', timeout: 20000 });
  const patientId = (await patient.page.evaluate(() => window.samvei.self())).id;

  const host = await participant('language-host', VIEWPORTS.laptop);
  await host.page.goto(withLang(hostInv.link), { waitUntil: 'load' });
  await host.page.getByLabel('I have read this and want to join').check();
  await host.page.getByRole('button', { name: 'Join' }).click();
  const entry = host.page.locator(`#host-waiting [data-participant="${patientId}"]`);
  await entry.waitFor({ timeout: 20000 });
  await host.page.getByLabel('Message to those waiting').fill('Two minutes');
  await host.page.locator('#host-message-send').click();
  await patient.page.locator('#waiting-messages').getByText('Two minutes').waitFor({ timeout: 10000 });

  const wp = patient.page;
  assert.equal(await wp.locator('#waiting-title').innerText(), 'Waiting room');
  await wp.getByRole('button', { name: 'Norsk (bokmål)' }).click();
  await wp.locator('#waiting-title', { hasText: 'Venterommet' }).waitFor({ timeout: 5000 });
  assert.equal(await wp.evaluate(() => document.documentElement.lang), 'nb');
  assert.equal(await wp.getByRole('button', { name: 'Forlat venterommet' }).count(), 1);
  assert.match(await wp.locator('#waiting-messages').innerText(), /Melding fra Dr\. Berg/);
  assert.match(await wp.locator('#waiting-messages').innerText(), /Two minutes/, 'the message is kept');
  assert.match(await wp.locator('#waiting-announce').innerText(), /norsk/);
  assert.equal(await wp.evaluate(() => document.activeElement?.id), 'lang-switch', 'focus stays on the switch');
  assert.equal(await wp.evaluate(() => window.samvei.self()?.id), patientId, 'the same participant: no reload');
  await shot(wp, 'language-waiting-nb.png');

  /* Still in the queue: the host still lists them and can let them in. */
  await entry.waitFor({ timeout: 5000 });
  assert.match(await entry.innerText(), /Kari Nordmann/);
  await wp.getByRole('button', { name: 'English' }).click();
  await wp.locator('#waiting-title', { hasText: 'Waiting room' }).waitFor({ timeout: 5000 });
  await host.page.getByRole('button', { name: 'Admit Kari Nordmann' }).click();
  await wp.locator('#call').waitFor({ state: 'visible', timeout: 20000 });
});
