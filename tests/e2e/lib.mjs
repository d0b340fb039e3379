/*
 * lib.mjs — shared helpers of the browser tests: Debian's Chromium through
 * playwright-core with fake camera and microphone, one browser context per
 * participant, joining through the UI, and polling window.samvei.stats()
 * until the media that must arrive has arrived.
 *
 * run.sh starts the server and sets SAMVEI_URL; the tests only talk to it.
 */
import { mkdirSync, writeFileSync, appendFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const BASE_URL = process.env.SAMVEI_URL || 'http://127.0.0.1:8080';
export const WS_URL = BASE_URL.replace(/^http/, 'ws') + '/ws';
export const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), 'artifacts');
mkdirSync(ARTIFACTS, { recursive: true });

export const VIEWPORTS = {
  tablet: { width: 768, height: 1024 },
  laptop: { width: 1366, height: 768 },
};

/* Media takes a while on a 2-core machine under a sanitized server. */
export const MEDIA_TIMEOUT_MS = Number(process.env.SAMVEI_E2E_MEDIA_TIMEOUT_MS || 60000);

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
];

/* extraArgs come after the defaults; Chromium takes the last value of a
 * switch given twice. home: the browser's $HOME instead of the test's (its
 * .pki/nssdb is where Chromium on Linux finds the roots a user trusts). */
export async function launchBrowser(extraArgs = [], { home } = {}) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
    ...(home && { env: { ...process.env, HOME: home } }),
  });
}

/* A participant: its own context (own cookies, own fake devices) and page.
 * Console messages and page errors go to artifacts/<label>.console.log. */
export async function newParticipant(browser, label, viewport = VIEWPORTS.laptop) {
  const context = await browser.newContext({
    viewport,
    permissions: ['camera', 'microphone'],
    locale: 'en-US',
  });
  const page = await context.newPage();
  const logFile = join(ARTIFACTS, `${label}.console.log`);
  writeFileSync(logFile, '');
  page.on('console', (m) => appendFileSync(logFile, `[${m.type()}] ${m.text()}\n`));
  page.on('pageerror', (e) => appendFileSync(logFile, `[pageerror] ${e.stack || e}\n`));
  return { label, context, page };
}

export function pageUrl(params = {}) {
  const q = new URLSearchParams({ lang: 'en', ...params });
  return `${BASE_URL}/?${q}`;
}

/* Opens the join page (of `base`, default the shared server; `query` adds
 * URL parameters), fills room and name, ticks the privacy notice, clicks
 * join and waits for the call view. Returns the participant's own id. */
export async function joinViaUi(page, room, name, { base, query = {} } = {}) {
  const q = new URLSearchParams({ lang: 'en', ...query });
  await page.goto(base ? `${base}/?${q}` : pageUrl(query), { waitUntil: 'load' });
  await page.getByLabel('Room').fill(room);
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('I have read this and want to join').check();
  await page.getByRole('button', { name: 'Join' }).click();
  await page.locator('#call').waitFor({ state: 'visible', timeout: 20000 });
  const self = await page.evaluate(() => window.samvei.self());
  if (!self?.id) throw new Error(`${name} has no participant id after joining`);
  return self.id;
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/* Polls fn() until it returns a truthy value; throws with the last value
 * (or error) when timeoutMs passes. */
export async function waitFor(fn, { timeoutMs = MEDIA_TIMEOUT_MS, intervalMs = 500, what = 'condition' } = {}) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${detail}`);
    }
    await sleep(intervalMs);
  }
}

export function stats(page) {
  return page.evaluate(() => window.samvei.stats());
}

/* Waits until page decodes video from every id in `from` (framesDecoded
 * grows between two samples) and receives their audio. Returns the last
 * stats. */
export async function waitForMediaFrom(page, from, label = 'page') {
  let previous = null;
  return waitFor(
    async () => {
      const s = await stats(page);
      const prev = previous;
      previous = s;
      if (!prev) return false;
      for (const id of from) {
        const now = s[id];
        const before = prev[id];
        if (!now || !before) return false;
        if (!(now.framesDecoded > before.framesDecoded && now.framesDecoded > 0)) return false;
        if (!(now.totalSamplesReceived > 0 || now.audioLevel > 0)) return false;
      }
      return s;
    },
    { what: `${label} to decode video and audio from ${from.join(', ')}`, intervalMs: 1000 },
  );
}

export async function connectionState(page) {
  return page.evaluate(() => window.samvei.state().connection);
}

export async function healthz() {
  const res = await fetch(`${BASE_URL}/healthz`);
  return { status: res.status, body: await res.json().catch(() => null) };
}

/* Screenshots of the page as it is, at iPad portrait and at laptop size,
 * as dir/<name>-tablet.png and -laptop.png; each after the page has drawn
 * a frame at that size. */
export async function shots(page, dir, name) {
  const before = page.viewportSize();
  for (const [size, vp] of Object.entries({ tablet: VIEWPORTS.tablet, laptop: VIEWPORTS.laptop })) {
    await page.setViewportSize(vp);
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    await page.screenshot({ path: join(dir, `${name}-${size}.png`) });
  }
  await page.setViewportSize(before);
}

export function shot(page, name) {
  return page.screenshot({ path: join(ARTIFACTS, name), fullPage: false });
}

/* A room name of its own for each test, so tests never meet. */
export function roomName(prefix) {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

/* The sum of every sample of the /metrics family `name` (all labels) of
 * the server at base. */
export async function metric(base, name) {
  const text = await (await fetch(`${base}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(name)) sum += Number(line.split(' ').pop());
  return sum;
}

/* Checks that page's framesDecoded from `from` grows in every window of at
 * most 5 s for `ms`: a freeze of more than 5 s fails (5 s leaves room for a
 * loaded test machine). */
export async function keepsDecoding(page, from, ms, label) {
  const end = Date.now() + ms;
  let last = (await stats(page))[from]?.framesDecoded ?? 0;
  while (Date.now() < end) {
    last = await waitFor(
      async () => {
        const now = (await stats(page))[from]?.framesDecoded ?? 0;
        return now > last ? now : false;
      },
      { timeoutMs: 5000, intervalMs: 250, what: `${label} to keep decoding video (framesDecoded > ${last})` },
    );
  }
}
