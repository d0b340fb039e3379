/*
 * api.mjs — what the REST API tests share: an API key made with
 * `samvei apikey create` against the running server's database, a small
 * client for /api over real HTTP, a group teaching booked with it, and an
 * iCalendar (RFC 5545) parser that
 * checks what a calendar program would: CRLF line ends, lines of at most 75
 * octets, folding, BEGIN/END nesting, and the properties of each component.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { BASE_URL } from './lib.mjs';
import { SAMVEI_BIN } from './server.mjs';

const ENV = { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' };

/* A new API key in the database of run.sh's server (or of dataDir, a
 * server of the test's own). */
export function makeApiKey(name = 'e2e', dataDir = process.env.SAMVEI_E2E_DATA_DIR) {
  const bin = process.env.SAMVEI_E2E_BIN || SAMVEI_BIN;
  assert.ok(dataDir, 'run.sh exports SAMVEI_E2E_DATA_DIR, or the test names its server\'s data dir');
  const r = spawnSync(bin, ['apikey', 'create', '--name', name, '--data-dir', dataDir], { encoding: 'utf8', env: ENV });
  assert.equal(r.status, 0, `samvei apikey create: ${r.stderr}`);
  const key = r.stdout.trim();
  assert.match(key, /^svk_[0-9a-f]{64}$/);
  return key;
}

/* One request. body: an object (sent as JSON) or a string/Buffer (sent as
 * is). Returns {status, headers, text, json}. */
export async function api(method, path, { key, body, base = BASE_URL, headers = {} } = {}) {
  const h = { ...headers };
  if (key) h.authorization = `Bearer ${key}`;
  let payload;
  if (body !== undefined) {
    payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    h['content-type'] = 'application/json';
  }
  const res = await fetch(`${base}${path}`, { method, headers: h, body: payload });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON (iCalendar, CSV) */
  }
  return { status: res.status, headers: res.headers, text, json };
}

/* Books a group teaching starting now on `server` (a samvei of the test's
 * own, server.mjs), with an API key of its own; returns {room,
 * invite(role, name) → token}. */
export async function bookTeaching(server, keyName = 'e2e teaching') {
  const key = makeApiKey(keyName, server.dataDir);
  const base = server.url;
  const r = await api('POST', '/api/consultations', {
    key,
    base,
    body: { title: 'Kurs i sårbehandling', kind: 'group-teaching', start: new Date().toISOString(), durationMin: 60 },
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.kind, 'group-teaching');
  const room = r.json.id;
  const invite = async (role, name) => {
    const inv = await api('POST', `/api/consultations/${room}/invitations`, { key, base, body: { role, name } });
    assert.equal(inv.status, 201, inv.text);
    return inv.json.token;
  };
  return { room, invite };
}

/* Asserts an error response: the HTTP status and {"error":{code,message}}. */
export function assertError(r, status, code, what) {
  assert.equal(r.status, status, `${what}: HTTP ${status} (got ${r.status}: ${r.text})`);
  assert.equal(r.json?.error?.code, code, `${what}: error code ${code} (got ${r.text})`);
  assert.ok(typeof r.json.error.message === 'string' && r.json.error.message.length > 10, `${what}: a sentence`);
}

/* Parses iCalendar text into nested components {name, props: [{name,
 * params, value}], children}. Throws on anything a strict reader refuses. */
export function parseIcs(text) {
  assert.ok(text.endsWith('\r\n'), 'the last line ends with CRLF');
  const physical = text.slice(0, -2).split('\r\n');
  for (const line of physical) {
    assert.ok(!line.includes('\n') && !line.includes('\r'), `a bare LF or CR in ${JSON.stringify(line)}`);
    assert.ok(Buffer.byteLength(line, 'utf8') <= 75, `a line over 75 octets: ${JSON.stringify(line)}`);
  }
  /* Unfold: a line starting with a space or tab continues the previous. */
  const lines = [];
  for (const line of physical) {
    if (line.startsWith(' ') || line.startsWith('\t')) {
      assert.ok(lines.length > 0, 'a continuation line first');
      lines[lines.length - 1] += line.slice(1);
    } else {
      lines.push(line);
    }
  }
  const root = { name: 'ROOT', props: [], children: [] };
  const stack = [root];
  for (const line of lines) {
    const m = /^([A-Za-z0-9-]+)((?:;[A-Za-z0-9-]+=(?:"[^"]*"|[^;:,]*)(?:,(?:"[^"]*"|[^;:,]*))*)*):(.*)$/.exec(line);
    assert.ok(m, `not a content line: ${JSON.stringify(line)}`);
    const name = m[1].toUpperCase();
    const params = Object.fromEntries(
      m[2].split(';').filter(Boolean).map((p) => p.split('=')).map(([k, v]) => [k.toUpperCase(), v]),
    );
    const value = m[3];
    const top = stack[stack.length - 1];
    if (name === 'BEGIN') {
      const child = { name: value.toUpperCase(), props: [], children: [] };
      top.children.push(child);
      stack.push(child);
    } else if (name === 'END') {
      assert.equal(value.toUpperCase(), top.name, `END:${value} closes BEGIN:${top.name}`);
      stack.pop();
    } else {
      assert.ok(stack.length > 1, `${name} outside any component`);
      top.props.push({ name, params, value });
    }
  }
  assert.equal(stack.length, 1, 'every BEGIN has its END');
  assert.equal(root.children.length, 1, 'one VCALENDAR');
  return root.children[0];
}

export function prop(component, name) {
  return component.props.find((p) => p.name === name)?.value;
}

/* TEXT value unescaping (RFC 5545 3.3.11). */
export function unescapeText(v) {
  return v.replace(/\\([\\;,nN])/g, (_, c) => (c === 'n' || c === 'N' ? '\n' : c));
}

/* DATE-TIME in UTC form (YYYYMMDDTHHMMSSZ) to Unix seconds. */
export function icsTime(v) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(v);
  assert.ok(m, `a UTC DATE-TIME: ${v}`);
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000;
}
