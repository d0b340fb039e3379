/*
 * a11y.test.mjs — WCAG 2.1 AA, checked with axe-core (axe.mjs) on every
 * page and state a person meets, at iPad portrait (810×1080) and laptop
 * (1366×768) size: the join page (fresh; with a booked invitation; a link
 * that is too early or expired), the pre-call check (all devices, and a
 * refused camera), the waiting room, a call of two, the host's view with
 * someone waiting, the end screens (left, ended, removed, rejected), the
 * coordinator page with its booking form, the on-call and urgent pages,
 * and the accessibility statement (the template, and a deployment's own
 * from --accessibility-statement, shown as text). A serious or critical
 * violation fails the test; moderate and minor ones are printed.
 *
 * Also: the host's call at 200 % zoom (683×384 CSS px) does not scroll
 * sideways and every control can be reached; the language switch is in
 * the call (in place, the call goes on) and on the coordinator page, and
 * the choice is remembered by the next page.
 *
 * Screenshots of each state go to artifacts/a11y/.
 */
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACTS, BASE_URL, launchBrowser, pageUrl, roomName, waitFor } from './lib.mjs';
import { api, makeApiKey } from './api.mjs';
import { startServer } from './server.mjs';
import { checkPage } from './axe.mjs';

const SHOTS = join(ARTIFACTS, 'a11y');
mkdirSync(SHOTS, { recursive: true });

const SIZES = { tablet: { width: 810, height: 1080 }, laptop: { width: 1366, height: 768 } };
/* 1366×768 at 200 % zoom. */
const ZOOMED = { width: 683, height: 384 };

const BIN = process.env.SAMVEI_E2E_BIN;
const DATA_DIR = process.env.SAMVEI_E2E_DATA_DIR;
const SECRET = process.env.SAMVEI_E2E_TOKEN_SECRET;

let browser;
let key;
const opened = [];

before(async () => {
  assert.ok(BIN && DATA_DIR && SECRET, 'run.sh exports SAMVEI_E2E_BIN, _DATA_DIR and _TOKEN_SECRET');
  browser = await launchBrowser();
  key = makeApiKey('e2e a11y');
});

/* Each test's people leave with it: calls left running would load the
 * machine for the next test. */
async function closeAll() {
  for (const p of opened.splice(0)) await p.context.close().catch(() => {});
}

afterEach(closeAll);

after(async () => {
  await closeAll();
  await browser?.close();
});

/* A person: a context of its own (fake devices; refused camera with
 * mode 'no-camera'). */
async function person(label, { lang = 'en', mode = 'all' } = {}) {
  const context = await browser.newContext({
    viewport: SIZES.tablet,
    permissions: ['camera', 'microphone'],
    locale: lang === 'nb' ? 'nb-NO' : 'en-GB',
  });
  if (mode === 'no-camera')
    await context.addInitScript(() => {
      const md = navigator.mediaDevices;
      const gum = md.getUserMedia.bind(md);
      md.getUserMedia = async (c = {}) => {
        if (c.video) throw new DOMException('Permission denied', 'NotAllowedError');
        return gum(c);
      };
    });
  /* Forty ES modules from a sanitized server on a loaded 2-core machine. */
  context.setDefaultNavigationTimeout(90000);
  const page = await context.newPage();
  const log = join(ARTIFACTS, `${label}.console.log`);
  writeFileSync(log, '');
  page.on('console', (m) => appendFileSync(log, `[${m.type()}] ${m.text()}\n`));
  page.on('pageerror', (e) => appendFileSync(log, `[pageerror] ${e.stack || e}\n`));
  const p = { label, context, page };
  opened.push(p);
  return p;
}

const frame = (page) => page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));

/* axe at both sizes; returns the serious and critical findings as text
 * (empty when there are none). A screenshot of each size. */
async function audit(page, name) {
  const reports = [];
  const was = page.viewportSize();
  for (const [size, vp] of Object.entries(SIZES)) {
    await page.setViewportSize(vp);
    await frame(page);
    await page.screenshot({ path: join(SHOTS, `${name}-${size}.png`) });
    const { severe, report } = await checkPage(page, `${name} (${size})`);
    if (severe.length) reports.push(report);
  }
  await page.setViewportSize(was);
  return reports;
}

function assertClean(reports) {
  assert.equal(reports.length, 0, `serious or critical WCAG 2.1 AA violations:\n${reports.join('\n')}`);
}

function mint(room, role, name) {
  return execFileSync(BIN, ['token', '--room', room, '--role', role, '--name', name, '--data-dir', DATA_DIR, '--token-secret', SECRET], {
    encoding: 'utf8',
    env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' },
  }).trim();
}

async function openLink(p, room, role, name, lang = 'en') {
  await p.page.goto(`${pageUrl({ room, lang })}#token=${mint(room, role, name)}`, { waitUntil: 'load' });
  await p.page.locator('#join-page').waitFor({ timeout: 20000 });
}

/* The pre-call check has an answer for every row. */
async function checked(page) {
  await page.locator('#check-summary[data-mode]').waitFor({ timeout: 20000 });
  await waitFor(async () => (await page.locator('.check-value[data-state="checking"]').count()) === 0, { timeoutMs: 20000, intervalMs: 200, what: 'the pre-call check to finish' });
}

async function enter(p) {
  await p.page.locator('#notice-ack').check();
  await p.page.locator('#join-button').click();
}

const iso = (ms) => new Date(Math.ceil(ms / 1000) * 1000).toISOString();

async function book(startMs) {
  const r = await api('POST', '/api/consultations', { key, body: { title: 'Sårveiledning', start: iso(startMs), durationMin: 30 } });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function invite(id, role, name) {
  const r = await api('POST', `/api/consultations/${id}/invitations`, { key, body: { role, name } });
  assert.equal(r.status, 201, r.text);
  return r.json.link;
}

test('join page, invitation, too-early and expired links, and the pre-call check pass axe', { timeout: 240000 }, async () => {
  const reports = [];
  const p = await person('a11y-join');

  /* Fresh, in both languages; the check finished. */
  for (const lang of ['en', 'nb']) {
    await p.page.goto(pageUrl({ lang }), { waitUntil: 'load' });
    await p.page.locator('#join-page').waitFor();
    await checked(p.page);
    assert.equal(await p.page.locator('html').getAttribute('lang'), lang);
    assert.equal(await p.page.locator('#a11y-link').count(), 1, 'the footer links to the accessibility statement');
    reports.push(...(await audit(p.page, `join-${lang}`)));
  }

  /* A field error shown. */
  await p.page.locator('#join-button').click();
  await p.page.locator('#join-room-error').waitFor();
  reports.push(...(await audit(p.page, 'join-errors')));

  /* A booked invitation. */
  const now = Date.now();
  const c = await book(now);
  await p.page.goto(`${(await invite(c.id, 'patient', 'Kari Nordmann')).replace('?', '?lang=en&')}`, { waitUntil: 'load' });
  await p.page.locator('#join-consultation').waitFor({ timeout: 20000 });
  await checked(p.page);
  reports.push(...(await audit(p.page, 'join-invitation')));

  /* Too early: two hours ahead. */
  const early = await book(now + 2 * 3600000);
  await p.page.goto((await invite(early.id, 'patient', 'Kari Nordmann')).replace('?', '?lang=en&'), { waitUntil: 'load' });
  await p.page.locator('#link-page[data-kind="too-early"]').waitFor({ timeout: 20000 });
  reports.push(...(await audit(p.page, 'link-too-early')));

  /* Expired: the consultation moved into the past. */
  const past = await book(now);
  const late = await invite(past.id, 'relative', 'Per Hansen');
  const moved = await api('PATCH', `/api/consultations/${past.id}`, { key, body: { start: iso(now - 3 * 3600000) } });
  assert.equal(moved.status, 200, moved.text);
  await p.page.goto(late.replace('?', '?lang=en&'), { waitUntil: 'load' });
  await p.page.locator('#link-page[data-kind="expired"]').waitFor({ timeout: 20000 });
  reports.push(...(await audit(p.page, 'link-expired')));

  /* The pre-call check with the camera refused: the help is shown. */
  const refused = await person('a11y-precheck-denied', { mode: 'no-camera' });
  await refused.page.goto(pageUrl({ lang: 'en' }), { waitUntil: 'load' });
  await checked(refused.page);
  await refused.page.locator('#check-camera-value[data-state="denied"]').waitFor({ timeout: 20000 });
  reports.push(...(await audit(refused.page, 'precheck-camera-denied')));
  assertClean(reports);
});

test('waiting room, a call of two, the host with someone waiting, and the end screens pass axe', { timeout: 300000 }, async () => {
  const reports = [];
  const room = roomName('a11y');
  const host = await person('a11y-host');
  await openLink(host, room, 'specialist', 'Dr. Berg');
  await enter(host);
  await host.page.locator('#call').waitFor({ timeout: 20000 });

  const nurse = await person('a11y-nurse');
  await openLink(nurse, room, 'municipal', 'Sykepleier Aas');
  await enter(nurse);
  await nurse.page.locator('#call').waitFor({ timeout: 20000 });
  /* Two in the call: each sees the other's tile. */
  for (const p of [host, nurse]) await p.page.locator('#grid [data-participant]').first().waitFor({ timeout: 30000 });
  reports.push(...(await audit(nurse.page, 'call-two')));

  /* A patient waits: the host's panel lists them. */
  const patient = await person('a11y-patient');
  await openLink(patient, room, 'patient', 'Kari Nordmann');
  await enter(patient);
  await patient.page.locator('#waiting').waitFor({ timeout: 20000 });
  reports.push(...(await audit(patient.page, 'waiting')));
  await host.page.getByRole('button', { name: 'Admit Kari Nordmann' }).waitFor({ timeout: 10000 });
  reports.push(...(await audit(host.page, 'host-waiting')));

  /* Rejected. */
  await host.page.getByRole('button', { name: 'Reject Kari Nordmann' }).click();
  await patient.page.locator('#end[data-kind="rejected"]').waitFor({ timeout: 10000 });
  reports.push(...(await audit(patient.page, 'end-rejected')));

  /* Removed. */
  host.page.once('dialog', (d) => d.accept());
  await host.page.getByRole('button', { name: 'Remove Sykepleier Aas' }).click();
  await nurse.page.locator('#end[data-kind="removed"]').waitFor({ timeout: 10000 });
  reports.push(...(await audit(nurse.page, 'end-removed')));

  /* Left. */
  const gp = await person('a11y-gp');
  await openLink(gp, room, 'municipal', 'Lege Li');
  await enter(gp);
  await gp.page.locator('#call').waitFor({ timeout: 20000 });
  await gp.page.getByRole('button', { name: 'Leave' }).click();
  await gp.page.locator('#end[data-kind="left"]').waitFor({ timeout: 10000 });
  reports.push(...(await audit(gp.page, 'end-left')));

  /* Ended by the host. */
  host.page.once('dialog', (d) => d.accept());
  await host.page.getByRole('button', { name: 'End for all' }).click();
  await host.page.locator('#end[data-kind="ended"]').waitFor({ timeout: 10000 });
  reports.push(...(await audit(host.page, 'end-ended')));
  assertClean(reports);
});

/* Whether the element's middle, once scrolled to, is the element itself
 * (not covered, not clipped away). */
function reachable(page, selector) {
  return page.locator(selector).evaluateAll((els) =>
    els
      .filter((el) => !el.hidden && el.getClientRects().length)
      .map((el) => {
        el.scrollIntoView({ block: 'center', inline: 'center' });
        const r = el.getBoundingClientRect();
        const x = r.left + r.width / 2;
        const y = r.top + r.height / 2;
        const hit = document.elementFromPoint(x, y);
        const inView = x >= 0 && y >= 0 && x <= innerWidth && y <= innerHeight;
        const ok = inView && !!hit && (hit === el || el.contains(hit));
        const what = el.id || el.getAttribute('aria-label') || el.textContent.trim();
        return ok ? { what, ok } : { what, ok, covered: hit ? `${hit.tagName}.${hit.className?.baseVal ?? hit.className}` : null, at: [Math.round(x), Math.round(y)] };
      }),
  );
}

test('the host at 200 % zoom: no sideways scrolling, every control reachable; the language switch works in the call', { timeout: 240000 }, async () => {
  const room = roomName('a11y-zoom');
  const host = await person('a11y-zoom-host');
  await openLink(host, room, 'specialist', 'Dr. Berg');
  await enter(host);
  await host.page.locator('#call').waitFor({ timeout: 20000 });
  const nurse = await person('a11y-zoom-nurse');
  await openLink(nurse, room, 'municipal', 'Sykepleier Aas');
  await enter(nurse);
  await host.page.locator('#grid [data-participant]').first().waitFor({ timeout: 30000 });
  const patient = await person('a11y-zoom-patient');
  await openLink(patient, room, 'patient', 'Kari Nordmann');
  await enter(patient);
  await host.page.getByRole('button', { name: 'Admit Kari Nordmann' }).waitFor({ timeout: 10000 });

  await host.page.setViewportSize(ZOOMED);
  await frame(host.page);
  await host.page.screenshot({ path: join(SHOTS, 'host-zoom200.png') });
  const widths = await host.page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  assert.ok(widths.scroll <= widths.client, `no horizontal scroll at 683 px: ${JSON.stringify(widths)}`);
  const controls = await reachable(host.page, '#call button, #call input, #call a, #call select');
  assert.ok(controls.length >= 6, `the call's controls are there: ${JSON.stringify(controls)}`);
  const hidden = controls.filter((c) => !c.ok);
  if (hidden.length) await host.page.screenshot({ path: join(SHOTS, 'host-zoom200-covered.png') });
  assert.deepEqual(hidden, [], 'every control can be scrolled to and is not covered');
  const { severe, report } = await checkPage(host.page, 'host-zoom200');
  assert.equal(severe.length, 0, report);

  /* The language switch in the call: in place, the call goes on. */
  await host.page.setViewportSize(SIZES.laptop);
  const before = await host.page.evaluate(() => window.samvei.self().id);
  await host.page.locator('#lang-switch').click({ timeout: 60000 });
  await host.page.getByRole('button', { name: 'Forlat', exact: true }).waitFor({ timeout: 20000 });
  assert.equal(await host.page.locator('html').getAttribute('lang'), 'nb');
  await host.page.getByRole('button', { name: 'Slipp inn Kari Nordmann' }).waitFor({ timeout: 20000 });
  assert.equal(await host.page.evaluate(() => window.samvei.self().id), before, 'the same participant: no rejoin');
  assert.equal(await host.page.evaluate(() => window.samvei.state().view), 'call');
  await host.page.locator('#call .status[data-state="connected"]').waitFor({ timeout: 20000 });
  /* The nurse's picture plays on in the redrawn view. */
  await host.page.locator('#grid [data-participant][data-video="on"]').first().waitFor({ timeout: 20000 });
  await waitFor(() => host.page.evaluate(() => document.activeElement?.id === 'lang-switch'), { timeoutMs: 10000, intervalMs: 100, what: 'focus back on the switch' });
  assert.equal(await host.page.locator('#lang-switch').innerText(), 'English');
  assertClean(await audit(host.page, 'call-host-nb'));

  /* Remembered: the coordinator page opens in bokmål without ?lang=. */
  await host.page.goto(`${BASE_URL}/coordinator.html`, { waitUntil: 'load' });
  await host.page.locator('html[lang="nb"]').waitFor();
  assert.equal(await host.page.locator('h1').innerText(), 'Koordinator');
  await host.page.locator('#lang-switch').click();
  await host.page.locator('html[lang="en"]').waitFor();
  await host.page.goto(`${BASE_URL}/accessibility`, { waitUntil: 'load' });
  assert.equal(await host.page.locator('h1').innerText(), 'Accessibility statement');
});

test('coordinator, on-call and urgent pages pass axe', { timeout: 180000 }, async () => {
  const reports = [];
  const p = await person('a11y-staff');
  await p.page.goto(`${BASE_URL}/coordinator.html?lang=en`, { waitUntil: 'load' });
  await p.page.getByLabel('API key').waitFor();
  assert.equal(await p.page.locator('#lang-switch').count(), 1, 'the language switch');
  assert.equal(await p.page.locator('#a11y-link').count(), 1, 'the footer links to the accessibility statement');
  reports.push(...(await audit(p.page, 'coordinator-key')));
  await p.page.getByLabel('API key').fill(key);
  await p.page.getByRole('button', { name: 'Use the key' }).click();
  await p.page.locator('#coordinator:not([hidden])').waitFor({ timeout: 10000 });
  await p.page.getByLabel('Title (no patient names)').waitFor();
  reports.push(...(await audit(p.page, 'coordinator-booking')));

  for (const page of ['oncall.html', 'urgent.html']) {
    await p.page.goto(`${BASE_URL}/${page}?lang=en`, { waitUntil: 'load' });
    await p.page.locator('#app h1').first().waitFor({ timeout: 10000 });
    reports.push(...(await audit(p.page, page.replace('.html', ''))));
  }
  assertClean(reports);
});

test('the accessibility statement: the template in both languages, and a deployment\'s own shown as text', { timeout: 120000 }, async () => {
  const reports = [];
  const p = await person('a11y-statement');
  for (const lang of ['nb', 'en']) {
    await p.page.goto(`${BASE_URL}/accessibility?lang=${lang}`, { waitUntil: 'load' });
    await p.page.locator('#statement[data-source="template"]').waitFor({ timeout: 10000 });
    assert.equal(await p.page.locator('h1').innerText(), lang === 'nb' ? 'Tilgjengelighetserklæring' : 'Accessibility statement');
    assert.match(await p.page.locator('#statement').innerText(), /WCAG 2\.1/);
    reports.push(...(await audit(p.page, `statement-${lang}`)));
  }
  /* Reached from the join page's footer, in the page's language. */
  await p.page.goto(pageUrl({ lang: 'nb' }), { waitUntil: 'load' });
  await p.page.getByRole('link', { name: 'Tilgjengelighetserklæring' }).click();
  await p.page.locator('#statement').waitFor({ timeout: 10000 });
  assert.equal(await p.page.locator('h1').innerText(), 'Tilgjengelighetserklæring');

  /* A deployment's own statement: plain text, markup shown as it is. */
  const dir = mkdtempSync(join(tmpdir(), 'samvei-a11y-'));
  const file = join(dir, 'statement.txt');
  writeFileSync(file, 'Erklæring for Helse Nord.\nOppdatert 1. mars.\n\n<img src=x onerror="window.__owned=1">Kontakt: post@example.org\n');
  const server = await startServer('a11y-statement', { args: ['--accessibility-statement', file] });
  try {
    await p.page.goto(`${server.url}/accessibility?lang=en`, { waitUntil: 'load' });
    await p.page.locator('#statement[data-source="deployment"]').waitFor({ timeout: 10000 });
    const paras = await p.page.locator('.statement-text').allInnerTexts();
    assert.deepEqual(paras, ['Erklæring for Helse Nord.\nOppdatert 1. mars.', '<img src=x onerror="window.__owned=1">Kontakt: post@example.org']);
    assert.equal(await p.page.locator('#statement img').count(), 0, 'no markup from the file');
    assert.equal(await p.page.evaluate(() => window.__owned ?? null), null);
    reports.push(...(await audit(p.page, 'statement-deployment')));
    const r = await api('GET', '/api/accessibility', { base: server.url });
    assert.equal(r.status, 200);
    assert.match(r.json.statement, /^Erklæring for Helse Nord\./);
  } finally {
    await server.stopCleanly();
    rmSync(dir, { recursive: true, force: true });
  }
  /* Without one, the API says so and the page shows the template. */
  const none = await api('GET', '/api/accessibility');
  assert.deepEqual(none.json, { statement: null });
  /* A file that cannot be used stops the server at start, with the reason. */
  await assert.rejects(startServer('a11y-statement-bad', { args: ['--accessibility-statement', '/nonexistent/statement.txt'] }), /accessibility-statement/);
  assertClean(reports);
});
