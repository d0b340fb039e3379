/*
 * limits.test.mjs — limits and revocation that a probe of the running
 * server showed missing.
 *
 * Urgent-help links: 20 requests over 20 connections with one link get 3
 * waiting requests and 17 `rate-limited` (reason "link"); the team's
 * requests in an hour stop at 10 (reason "team"); a link revoked through
 * the API is refused with `unauthorized` (reason "revoked"), and the
 * urgent-help page tells the person so in their language. The links are
 * listed by the API and by `samvei urgent-link list`.
 * API keys: `samvei apikey list` shows a key, `samvei apikey revoke ID`
 * revokes it, and the API then answers it with 401.
 * Still capture: ten `capture` requests for one participant ask them once
 * and, allowed, start one samvei-record (counted in /proc), the rest get
 * `busy`; a participant who
 * sends no video ends with `capture-failed` (code "timeout") within the
 * deadline, and the recorder is gone.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { protocolClient } from './wsclient.mjs';
import { ARTIFACTS, VIEWPORTS, WS_URL, launchBrowser, newParticipant, waitFor, shots, roomName } from './lib.mjs';
import { makeApiKey, api, assertError } from './api.mjs';

const BIN = process.env.SAMVEI_E2E_BIN;
const DATA_DIR = process.env.SAMVEI_E2E_DATA_DIR;
const SECRET = process.env.SAMVEI_E2E_TOKEN_SECRET;
const SHOTS = join(ARTIFACTS, 'limits');
const CAPTURE_DEADLINE_S = 15;

let browser, key;

before(async () => {
  key = makeApiKey('e2e limits');
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  for (const ws of sockets) ws.terminate();
  await browser?.close();
});

/* samvei's own subcommands against run.sh's database. */
function samvei(...args) {
  return spawnSync(BIN, [...args, '--data-dir', DATA_DIR, '--token-secret', SECRET], {
    encoding: 'utf8',
    env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' },
  });
}

/* A protocol-level client (wsclient.mjs); closed with the test. */
const sockets = [];
const newClient = (label) => protocolClient(WS_URL, label, sockets);

const tokenOf = (link) => decodeURIComponent(link.split('#token=')[1]);

async function makeTeams(label) {
  const oncall = (await api('POST', '/api/teams', {
    key,
    body: { name: `Vakt ${label}`, kind: 'specialist', organisation: 'Sykehuset', onCall: true },
  })).json;
  const home = (await api('POST', '/api/teams', {
    key,
    body: { name: `Sykehjem ${label}`, kind: 'municipal', organisation: 'Kommunen' },
  })).json;
  return { oncall, home };
}

async function requesterLink(home, oncall, name) {
  const r = await api('POST', `/api/teams/${home.id}/urgent-links`, { key, body: { role: 'requester', name, to: oncall.id } });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

test('urgent requests stop at 3 waiting per link and 10 an hour per team; a revoked link is refused', { timeout: 120000 }, async () => {
  const { oncall, home } = await makeTeams('grense');
  const first = await requesterLink(home, oncall, 'Sykepleier 1');
  const clients = [];
  try {
    /* 20 connections, one link: the first 3 wait, the other 17 are refused. */
    const replies = [];
    for (let i = 0; i < 20; i++) {
      const c = await newClient('client');
      clients.push(c);
      replies.push(await c.request({ type: 'urgent-request', token: tokenOf(first.link), team: oncall.id }));
    }
    const ok = replies.filter((r) => r.type === 'ok');
    const refused = replies.filter((r) => r.type === 'error');
    assert.equal(ok.length, 3, `3 requests wait (got ${JSON.stringify(replies.slice(0, 5))})`);
    assert.deepEqual(replies.slice(0, 3).map((r) => r.type), ['ok', 'ok', 'ok']);
    assert.equal(refused.length, 17);
    for (const r of refused) {
      assert.equal(r.code, 'rate-limited');
      assert.equal(r.reason, 'link');
      assert.match(r.message, /already has 3 requests waiting/);
    }

    /* The team's hourly limit: links 2-4 bring it to 10, the 11th is refused. */
    const more = [];
    for (let i = 2; i <= 5; i++) more.push(await requesterLink(home, oncall, `Sykepleier ${i}`));
    const teamReplies = [];
    for (const l of more.slice(0, 3)) {
      for (let i = 0; i < 3; i++) {
        const c = await newClient('client');
        clients.push(c);
        teamReplies.push(await c.request({ type: 'urgent-request', token: tokenOf(l.link), team: oncall.id }));
      }
    }
    assert.equal(teamReplies.filter((r) => r.type === 'ok').length, 7, 'requests 4-10 of the hour wait');
    const over = teamReplies.filter((r) => r.type === 'error');
    assert.equal(over.length, 2);
    for (const r of over) {
      assert.equal(r.code, 'rate-limited');
      assert.equal(r.reason, 'team');
    }

    /* Listed by the API and the CLI; revoked through the API. */
    for (const l of [first, ...more]) assert.match(l.id ?? '', /^[a-z0-9]+$/, 'a new link has an id to revoke it by');
    const listed = await api('GET', `/api/teams/${home.id}/urgent-links`, { key });
    assert.equal(listed.status, 200, listed.text);
    assert.deepEqual(listed.json.links.map((l) => l.id).sort(), [first, ...more].map((l) => l.id).sort());
    assert.ok(listed.json.links.every((l) => l.role === 'requester' && l.to === oncall.id && !l.revoked));
    const cli = samvei('urgent-link', 'list', '--team', home.id);
    assert.equal(cli.status, 0, cli.stderr);
    assert.equal(cli.stdout.trim().split('\n').length, 5);
    assert.ok(cli.stdout.includes(`${first.id}\t${home.id}\trequester\t${oncall.id}\t`));

    const last = more[3];
    const del = await api('DELETE', `/api/teams/${home.id}/urgent-links/${last.id}`, { key });
    assert.equal(del.status, 204, del.text);
    assertError(await api('DELETE', `/api/teams/${home.id}/urgent-links/${last.id}`, { key }), 409, 'conflict', 'revoking twice');
    assertError(await api('DELETE', `/api/teams/${oncall.id}/urgent-links/${first.id}`, { key }), 404, 'not-found', 'another team\'s link');
    const after = (await api('GET', `/api/teams/${home.id}/urgent-links`, { key })).json.links.find((l) => l.id === last.id);
    assert.match(after.revoked, /^\d{4}-\d\d-\d\dT/);

    const c = await newClient('client');
    clients.push(c);
    const r = await c.request({ type: 'urgent-request', token: tokenOf(last.link), team: oncall.id });
    assert.equal(r.type, 'error');
    assert.equal(r.code, 'unauthorized');
    assert.equal(r.reason, 'revoked');

    /* Revoked with the CLI: an on-call link stops working too. */
    const oc = await api('POST', `/api/teams/${oncall.id}/urgent-links`, { key, body: { role: 'on-call', name: 'Dr. Berg' } });
    assert.equal(oc.status, 201, oc.text);
    const watcher = await newClient('client');
    clients.push(watcher);
    assert.equal((await watcher.request({ type: 'urgent-watch', token: tokenOf(oc.json.link) })).type, 'ok');
    const rv = samvei('urgent-link', 'revoke', oc.json.id);
    assert.equal(rv.status, 0, rv.stderr);
    assert.equal(samvei('urgent-link', 'revoke', oc.json.id).status, 2, 'revoking twice is an error');
    const again = await newClient('client');
    clients.push(again);
    const w = await again.request({ type: 'urgent-watch', token: tokenOf(oc.json.link) });
    assert.equal(w.code, 'unauthorized');
    assert.equal(w.reason, 'revoked');
  } finally {
    for (const c of clients) c.close();
  }
});

test('the urgent-help page says the link was revoked, in bokmål and English', { timeout: 120000 }, async () => {
  const { oncall, home } = await makeTeams('side');
  const link = await requesterLink(home, oncall, 'Sykepleier Side');
  assert.equal((await api('DELETE', `/api/teams/${home.id}/urgent-links/${link.id}`, { key })).status, 204);
  browser = browser ?? (await launchBrowser());
  for (const [lang, re] of [
    ['en', /This link has been revoked\. Ask the coordinator for a new one\./],
    ['nb', /Denne lenken er trukket tilbake\. Be koordinatoren om en ny\./],
  ]) {
    const p = await newParticipant(browser, `urgent-revoked-${lang}`, VIEWPORTS.tablet);
    try {
      await p.page.goto(link.link.replace('urgent.html?', `urgent.html?lang=${lang}&`));
      const ask = p.page.locator('#ask-urgent');
      await ask.click();
      const status = p.page.locator('#urgent-status');
      await waitFor(async () => re.test(await status.innerText()), { timeoutMs: 10000, intervalMs: 100, what: `the revoked text (${lang})` });
      assert.equal(await status.getAttribute('data-reason'), 'revoked');
      assert.ok(await ask.isDisabled(), 'no button to try a revoked link again');
      await shots(p.page, SHOTS, `urgent-revoked-${lang}`);
    } finally {
      await p.context.close();
    }
  }
});

test('a revoked API key gets 401; apikey list shows it revoked', async () => {
  const name = `e2e revoke ${Date.now()}`;
  const mine = makeApiKey(name);
  assert.equal((await api('GET', '/api/teams', { key: mine })).status, 200);
  const list = samvei('apikey', 'list');
  assert.equal(list.status, 0, list.stderr);
  const row = list.stdout.split('\n').find((l) => l.endsWith(`\t${name}`));
  assert.ok(row, `apikey list shows the key: ${list.stdout}`);
  const [id, , revokedBefore] = row.split('\t');
  assert.equal(revokedBefore, '-');
  const rv = samvei('apikey', 'revoke', id);
  assert.equal(rv.status, 0, rv.stderr);
  assertError(await api('GET', '/api/teams', { key: mine }), 401, 'unauthorized', 'a revoked key');
  assert.equal((await api('GET', '/api/teams', { key })).status, 200, 'other keys still work');
  const row2 = samvei('apikey', 'list').stdout.split('\n').find((l) => l.startsWith(`${id}\t`));
  assert.match(row2.split('\t')[2], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const twice = samvei('apikey', 'revoke', id);
  assert.equal(twice.status, 2);
  assert.match(twice.stderr, /already revoked/);
  assert.equal(samvei('apikey', 'revoke', 'nosuchkey').status, 2);
});

/* The samvei-record processes writing into room's folder (their argument
 * is the output path). */
function recordersOf(room) {
  let n = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let argv;
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; /* gone meanwhile */
    }
    if (argv[0]?.endsWith('samvei-record') && argv.some((a) => a.includes(`/${room}/`))) n++;
  }
  return n;
}

test('repeated captures start one recorder; one that gets no frame ends in capture-failed at the deadline', { timeout: 90000 }, async () => {
  const room = roomName('cap');
  const host = await newClient('host');
  const guest = await newClient('guest');
  try {
    const h = await host.request({ type: 'join', room, name: 'Kari Vert' });
    assert.equal(h.type, 'ok', JSON.stringify(h));
    const g = await guest.request({ type: 'join', room, name: 'Ola Uten Kamera' });
    assert.equal(g.type, 'ok', JSON.stringify(g));
    /* The guest publishes nothing: no frame can ever arrive. */
    const replies = [];
    for (let i = 0; i < 10; i++) replies.push(await host.request({ type: 'capture', participant: g.self }));
    assert.equal(replies[0].type, 'ok', JSON.stringify(replies[0]));
    for (const r of replies.slice(1)) {
      assert.equal(r.type, 'error');
      assert.equal(r.code, 'busy');
    }
    /* The guest is asked once and allows it; the still starts then. */
    const asked = await guest.next((m) => m.type === 'capture-request', 'capture-request');
    assert.equal(guest.all.filter((t) => JSON.parse(t).type === 'capture-request').length, 1, 'asked once, not ten times');
    const started = Date.now();
    const allowed = await guest.request({ type: 'capture-consent', request: asked.request, agree: true });
    assert.equal(allowed.type, 'ok', JSON.stringify(allowed));
    const busy = await host.request({ type: 'capture', participant: g.self });
    assert.equal(busy.code, 'busy', 'busy while the still is taken');
    await waitFor(() => recordersOf(room) === 1, { timeoutMs: 5000, intervalMs: 100, what: 'the one recorder to run' });
    assert.equal(recordersOf(room), 1, 'one recorder, not ten');

    const failed = await host.next((m) => m.type === 'capture-failed', 'capture-failed', (CAPTURE_DEADLINE_S + 10) * 1000);
    const took = (Date.now() - started) / 1000;
    assert.equal(failed.participant, g.self);
    assert.equal(failed.code, 'timeout');
    assert.ok(took >= CAPTURE_DEADLINE_S - 1 && took < CAPTURE_DEADLINE_S + 10, `failed after ${took} s`);
    await waitFor(() => recordersOf(room) === 0, { timeoutMs: 5000, intervalMs: 100, what: 'the recorder to be gone' });
    /* After it, a new capture may be asked for again. */
    const again = await host.request({ type: 'capture', participant: g.self });
    assert.equal(again.type, 'ok', JSON.stringify(again));
    assert.equal(again.state, 'asking');
  } finally {
    host.close();
    guest.close();
  }
});
