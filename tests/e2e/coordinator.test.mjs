/*
 * coordinator.test.mjs — the coordinator page on a portrait tablet: the
 * API key is entered, a consultation booked with the form shows in the
 * day's list, an invitation link is made (shown with a copy button), the
 * .ics and the session log's CSV download, and the log view lists the
 * booking and the invitation. A wrong key is refused on the page.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { VIEWPORTS, BASE_URL, launchBrowser, newParticipant, shot } from './lib.mjs';
import { makeApiKey, api, parseIcs, prop, unescapeText } from './api.mjs';

let browser, key, p;

before(async () => {
  key = makeApiKey('e2e coordinator page');
  browser = await launchBrowser();
  p = await newParticipant(browser, 'coordinator-tablet', VIEWPORTS.tablet);
});

after(async () => {
  await p?.context.close().catch(() => {});
  await browser?.close();
});

test('a coordinator books, invites and reads the log on a tablet', { timeout: 120000 }, async () => {
  const team = (await api('POST', '/api/teams', { key, body: { name: 'Sårteamet', kind: 'specialist' } })).json;
  const page = p.page;
  await page.goto(`${BASE_URL}/coordinator.html?lang=en`, { waitUntil: 'load' });
  await page.getByLabel('API key').fill('svk_wrong');
  await page.getByRole('button', { name: 'Use the key' }).click();
  await page.getByText(/The key was not accepted/).waitFor({ timeout: 10000 });

  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Use the key' }).click();
  await page.locator('#coordinator').waitFor({ state: 'visible', timeout: 10000 });

  const title = `Veiledning ${Date.now().toString(36)}`;
  await page.getByLabel('Title (no patient names)').fill(title);
  await page.getByLabel('Specialist team').selectOption(team.id);
  await page.getByRole('button', { name: 'Book', exact: true }).click();
  await page.getByText(`Booked: ${title}`).waitFor({ timeout: 10000 });
  const card = page.locator('.cons-card', { hasText: title });
  await card.waitFor({ timeout: 10000 });
  assert.match(await card.innerText(), /Sårteamet/);
  const id = await card.getAttribute('data-id');

  await card.getByLabel('Name shown').fill('Kari Nordmann');
  await card.getByRole('button', { name: 'Make link' }).click();
  const link = card.getByLabel('Link for Kari Nordmann');
  await link.waitFor({ timeout: 10000 });
  assert.match(await link.inputValue(), new RegExp(`/\\?room=${id}#token=`));
  await card.getByRole('button', { name: 'Copy link' }).waitFor();
  await card.getByText(/Kari Nordmann \(patient\)/).waitFor({ timeout: 10000 });
  await shot(page, 'coordinator-tablet.png');

  const [ics] = await Promise.all([page.waitForEvent('download'), card.getByRole('button', { name: 'Download .ics' }).click()]);
  assert.match(ics.suggestedFilename(), /\.ics$/);
  const cal = parseIcs(readFileSync(await ics.path(), 'utf8'));
  assert.equal(unescapeText(prop(cal.children[0], 'SUMMARY')), title);

  await card.getByRole('button', { name: 'Session log' }).click();
  const table = page.locator('#log-table');
  await table.waitFor({ timeout: 10000 });
  await table.locator('tr[data-event="booked"]').waitFor();
  await table.locator('tr[data-event="invitation-issued"]').waitFor();
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
  assert.match(csv.suggestedFilename(), /\.csv$/);
  const text = readFileSync(await csv.path(), 'utf8');
  assert.match(text, /^seq,ts,time,consultation,event/);
  assert.match(text, /invitation-issued/);

  /* Teams: an on-call team added on the page, and an on-call link for it. */
  const teamName = `Vaktteamet ${Date.now().toString(36)}`;
  await page.getByLabel('Team name').fill(teamName);
  await page.getByLabel('On call (takes urgent requests)').check();
  await page.getByRole('button', { name: 'Add team' }).click();
  const row = page.locator('#team-list .cons-card').filter({ has: page.locator('.cons-title', { hasText: teamName }) });
  await row.waitFor({ timeout: 10000 });
  await row.getByLabel(`Name of the person (${teamName})`).fill('Dr. Lie');
  await row.getByRole('button', { name: 'Make link' }).click();
  const oncall = row.getByLabel('On-call link for Dr. Lie');
  await oncall.waitFor({ timeout: 10000 });
  assert.match(await oncall.inputValue(), /\/oncall\.html#token=/);

  page.once('dialog', (d) => d.accept());
  await card.getByRole('button', { name: 'Cancel' }).click();
  await page.locator(`.cons-card[data-id="${id}"][data-status="cancelled"]`).waitFor({ timeout: 10000 });
});
