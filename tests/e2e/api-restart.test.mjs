/*
 * api-restart.test.mjs — bookings, invitations and the session log survive
 * the server: a samvei of the test's own with a data dir that outlives it
 * is killed (SIGKILL, as in a crash) after a booking, a move, two
 * invitations and a revocation, then started again on the same data. The
 * consultation, both invitations (one revoked), every log event with its
 * hash are as before, `samvei audit verify` finds the chain intact, the
 * kept invitation link still joins (the token secret is kept too) and the
 * revoked one is still refused; the log keeps growing on the same chain.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startServer } from './server.mjs';
import { makeApiKey, api } from './api.mjs';
import { protocolClient } from './wsclient.mjs';

const dataDir = mkdtempSync(join(tmpdir(), 'samvei-api-restart-'));
let server;

after(async () => {
  await server?.stopCleanly().catch(() => {});
  rmSync(dataDir, { recursive: true, force: true });
});

/* Joins over a WebSocket and returns the reply to the join. */
async function joinOnce(wsUrl, room, token) {
  const c = await protocolClient(wsUrl, 'x');
  const reply = await c.join(room, token);
  c.close();
  return reply;
}

test('bookings, invitations and log entries survive a crash and restart', { timeout: 120000 }, async () => {
  server = await startServer('api-restart', { dataDir });
  const key = makeApiKey('e2e restart', dataDir);
  const base = server.url;
  const start = new Date(Date.now() + 5 * 60000).toISOString();
  const c = (await api('POST', '/api/consultations', { key, base, body: { title: 'Oppfølging etter utskriving', kind: 'follow-up', start, durationMin: 60 } })).json;
  const moved = await api('PATCH', `/api/consultations/${c.id}`, { key, base, body: { durationMin: 45 } });
  assert.equal(moved.status, 200);
  const keep = (await api('POST', `/api/consultations/${c.id}/invitations`, { key, base, body: { role: 'specialist', name: 'Dr. Berg' } })).json;
  const gone = (await api('POST', `/api/consultations/${c.id}/invitations`, { key, base, body: { role: 'relative', name: 'Per' } })).json;
  assert.equal((await api('DELETE', `/api/invitations/${gone.id}`, { key, base })).status, 204);
  const before = {
    consultation: (await api('GET', `/api/consultations/${c.id}`, { key, base })).json,
    invitations: (await api('GET', `/api/consultations/${c.id}/invitations`, { key, base })).json.invitations,
    events: (await api('GET', `/api/audit?consultation=${c.id}`, { key, base })).json.events,
  };
  assert.deepEqual(before.events.map((e) => e.event), ['booked', 'changed', 'invitation-issued', 'invitation-issued', 'invitation-revoked']);

  const { signal } = await server.stop('SIGKILL');
  assert.equal(signal, 'SIGKILL');
  server = await startServer('api-restart', { dataDir, port: server.port });

  const after = {
    consultation: (await api('GET', `/api/consultations/${c.id}`, { key, base })).json,
    invitations: (await api('GET', `/api/consultations/${c.id}/invitations`, { key, base })).json.invitations,
    events: (await api('GET', `/api/audit?consultation=${c.id}`, { key, base })).json.events,
  };
  assert.deepEqual(after, before, 'the same consultation, invitations and log after the restart');
  const verify = spawnSync(process.env.SAMVEI_E2E_BIN, ['audit', 'verify', '--data-dir', dataDir], { encoding: 'utf8' });
  assert.equal(verify.status, 0, `audit verify: ${verify.stdout}${verify.stderr}`);

  const token = (link) => link.split('#token=')[1];
  const ok = await joinOnce(server.wsUrl, c.id, token(keep.link));
  assert.equal(ok.type, 'ok', JSON.stringify(ok));
  assert.equal(ok.role, 'specialist');
  assert.equal(ok.consultation.title, 'Oppfølging etter utskriving');
  const refused = await joinOnce(server.wsUrl, c.id, token(gone.link));
  assert.equal(refused.code, 'unauthorized');
  assert.match(refused.message, /revoked/);

  /* The chain goes on from where it was. */
  await api('DELETE', `/api/consultations/${c.id}`, { key, base });
  const events = (await api('GET', `/api/audit?consultation=${c.id}`, { key, base })).json.events;
  assert.deepEqual(events.slice(0, before.events.length), before.events, 'the old events stay as they were');
  assert.ok(events.slice(before.events.length).some((e) => e.event === 'cancelled'), 'new events follow them');
  const verify2 = spawnSync(process.env.SAMVEI_E2E_BIN, ['audit', 'verify', '--data-dir', dataDir], { encoding: 'utf8' });
  assert.equal(verify2.status, 0, verify2.stdout + verify2.stderr);
});
