/*
 * shaped.mjs — what the shaped-link tests (weaklink.test.mjs, a capped
 * link; loss.test.mjs, a lossy one) share: the test's link and server,
 * cleanup in reverse order, checks that can be reported instead of
 * failing, the results files, and the relay's own account of a stretch of
 * the test when a check failed.
 *
 *   const env = await setUp(t, label, { certs, ports: [min, max], browserArgs });
 *   env.defer(fn)                     // closed when the test ends
 *   const c = checker('moving cap', { reportOnly, trace: () => relayTrace(env, from) });
 *   c.check(ok, what, { hard, gap }); c.done();
 *   const results = resultsFile('weaklink'); results.save(key, value);
 *   console.log(table(title, rows, columns)); logTo(page, label);
 *   const p = await joinRoom(env, browser, { label, room, name, host });
 *   const d = await directPage(env.defer, browser, label); directCall(d1, d2);
 */
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { ARTIFACTS, VIEWPORTS, joinViaUi, waitFor } from './lib.mjs';
import { recordPeerConnections } from './transport.mjs';
import { startServer } from './server.mjs';
import { createNetns } from './netns.mjs';

/* What a test opened, closed in reverse order when it ends (also when it
 * fails): defer(fn) adds one. Everything is closed even if one fails; the
 * first failure then fails the test. */
export function scope(t) {
  const stack = [];
  t.after(async () => {
    let first = null;
    while (stack.length) {
      try {
        await stack.pop()();
      } catch (err) {
        first ??= err;
      }
    }
    if (first) throw first; /* e.g. the server did not stop cleanly */
  });
  return (fn) => stack.push(fn);
}

/* The test's link (a namespace with a Chromium inside, started with
 * browserArgs) and a samvei of its own reachable from there: TLS with the
 * certificates in `certs` (makeCerts), --bind 0.0.0.0 (it comes after
 * startServer's own --bind 127.0.0.1 and overrides it), ICE on loopback
 * and the veth address, media on the port range `ports`, logging at debug
 * level (relayTrace reads it). The server is stopped, and checked to stop
 * cleanly, at the end of the test. */
export async function setUp(t, label, { certs, ports, browserArgs = [], args = [] }) {
  const defer = scope(t);
  const link = await createNetns(label);
  defer(async () => link.cleanup());
  const inside = await link.launchBrowser(browserArgs);
  defer(() => inside.close());
  const server = await startServer(label, {
    args: ['--bind', '0.0.0.0', '--ice-addresses', `127.0.0.1,${link.hostAddr}`,
      '--rtp-ports', `${ports[0]}-${ports[1]}`, '--log-level', 'debug', ...args],
    tls: { cert: join(certs, 'server.pem'), key: join(certs, 'server.key') },
  });
  defer(() => server.stopCleanly());
  return { defer, link, inside, server, label, startedAt: Date.now() };
}

/* The relay's own account of a stretch of the test (its estimate of each
 * subscriber's link, the layers and the probing, once a second), printed
 * when a check fails so that a failure on another machine can be read
 * from the test's output alone. from, to: Date.now() values. */
export function relayTrace(env, from = env.startedAt, to = Date.now()) {
  let text = '';
  try {
    text = readFileSync(join(ARTIFACTS, `${env.label}.server.log`), 'utf8');
  } catch (err) {
    console.log(`relay trace: no server log to read (${err.message})`);
    return;
  }
  const lines = text.split('\n').filter((l) => {
    if (!/ adapt /.test(l)) return false;
    const at = Date.parse(l.slice(0, 24));
    return at >= from && at <= to;
  });
  console.log(`relay trace (${lines.length} lines, adapt, ${new Date(from).toISOString()} on):`);
  for (const l of lines.slice(-80)) console.log(`  ${l.slice(11)}`);
}

/* check(ok, what): a quality threshold (reportOnly reports it instead of
 * failing); check(ok, what, { hard: true }): fails always;
 * check(ok, what, { gap: 'why' }): a target that is known
 * not to be met yet, printed as such with the reason and never failing, so
 * the number stays in front of everyone until it is met. done() fails the
 * test if a check failed, after calling trace(). reportOnly names the
 * environment variable that set it, for the message. */
export function checker(label, { reportOnly = null, trace } = {}) {
  const failures = [];
  let hard = false;
  return {
    failures,
    check(ok, what, opts = {}) {
      const mark = ok ? 'ok  ' : opts.gap ? 'GAP ' : 'FAIL';
      console.log(`  ${mark} ${label}: ${what}${!ok && opts.gap ? ` — known gap: ${opts.gap}` : ''}`);
      if (ok || opts.gap) return;
      failures.push(what);
      hard ||= !!opts.hard;
    },
    done() {
      if (!failures.length) return;
      trace?.();
      const text = `${label}: ${failures.length} check(s) failed:\n  - ${failures.join('\n  - ')}`;
      if (reportOnly && !hard) console.log(`(${reportOnly}: not failing)\n${text}`);
      else assert.fail(text);
    },
  };
}

/* artifacts/<name>-results.json (one entry per result key, with the time)
 * and artifacts/<name>-results.txt (the tables as printed), emptied by
 * reset() at the start of a run. */
export function resultsFile(name) {
  const json = join(ARTIFACTS, `${name}-results.json`);
  const txt = join(ARTIFACTS, `${name}-results.txt`);
  return {
    json,
    txt,
    reset() {
      writeFileSync(json, '{}\n');
      writeFileSync(txt, '');
    },
    save(key, value) {
      let all = {};
      try {
        all = JSON.parse(readFileSync(json, 'utf8'));
      } catch {
        /* first result of this run, or a broken file */
      }
      all[key] = { at: new Date().toISOString(), ...value };
      writeFileSync(json, JSON.stringify(all, null, 2) + '\n');
    },
    print(text) {
      appendFileSync(txt, text);
    },
  };
}

export const fmt = (x, digits = 1) =>
  x == null || Number.isNaN(x) ? '–' : typeof x === 'number' ? x.toFixed(digits) : String(x);

/* Results side by side as text: rows [label, (result) => cell], columns
 * {name: result}; `extra` lines go under the table. Adds a note when the
 * machine was so busy that the browsers were short of CPU. */
export function table(title, rows, columns, extra = []) {
  const names = Object.keys(columns);
  const cells = rows.map(([label, f]) => [label, ...names.map((n) => f(columns[n]))]);
  const widths = [0, ...names].map((_, i) => Math.max(...[['', ...names], ...cells].map((row) => String(row[i]).length)));
  const line = (row) => row.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  const busy = Math.max(...names.map((n) => columns[n].loadAverage ?? 0));
  const note = busy > 2 * cpus().length
    ? [`note: load average ${busy.toFixed(1)} on ${cpus().length} cores; the browsers were short of CPU, so these numbers are noisy`]
    : [];
  return [`\n${title}`, line(['', ...names]), ...cells.map(line), ...extra, ...note, ''].join('\n');
}

/* The page's console and errors into artifacts/<label>.console.log. */
export function logTo(page, label) {
  const file = join(ARTIFACTS, `${label}.console.log`);
  writeFileSync(file, '');
  page.on('console', (m) => appendFileSync(file, `[${m.type()}] ${m.text()}\n`));
  page.on('pageerror', (e) => appendFileSync(file, `[pageerror] ${e.stack || e}\n`));
}

/* ---- participants ---- */

/* A page in its own context of `browser`, with its PeerConnections recorded
 * and the dev certificate accepted; the context is closed by close() or at
 * the end of the test (defer). */
export async function newPage(defer, browser, label, viewport = VIEWPORTS.laptop) {
  const context = await browser.newContext({
    viewport,
    permissions: ['camera', 'microphone'],
    locale: 'en-US',
    ignoreHTTPSErrors: true,
  });
  const close = () => context.close().catch(() => {});
  defer(close);
  await recordPeerConnections(context);
  const page = await context.newPage();
  logTo(page, label);
  return { label, context, page, close };
}

/* Joins the test's samvei room through the UI, from https://<host>:PORT. */
export async function joinRoom(env, browser, { label, room, name, host, viewport }) {
  const p = await newPage(env.defer, browser, label, viewport);
  p.id = await joinViaUi(p.page, room, name, { base: `https://${host}:${env.server.port}` });
  return p;
}

/* ---- the direct reference: one RTCPeerConnection per page ---- */

/* Served by page.route() at http://localhost/ (a secure context, so
 * getUserMedia works) without any network. The same camera and microphone
 * constraints as web/js/media.js, so both calls send the same. */
const DIRECT_HTML = `<!doctype html>
<meta charset="utf-8"><title>direct</title>
<button id="go">start</button>
<video id="remote" autoplay playsinline></video>
<script>
window.__samveiPcs = [];
const VIDEO = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30, max: 30 } };
const AUDIO = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
function gathered(pc) {
  return new Promise((ok) => {
    if (pc.iceGatheringState === 'complete') return ok();
    pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && ok());
  });
}
window.direct = {
  async start() {
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    window.__samveiPcs.push(pc);
    window.pc = pc;
    const remote = document.getElementById('remote');
    pc.ontrack = (ev) => {
      remote.srcObject = ev.streams[0] ?? new MediaStream([ev.track]);
      remote.play().catch((err) => console.log('play: ' + err));
    };
    const s = await navigator.mediaDevices.getUserMedia({ audio: AUDIO, video: VIDEO });
    for (const t of s.getTracks()) pc.addTrack(t, s);
  },
  async offer() {
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    return pc.localDescription.sdp;
  },
  async answer(sdp) {
    await pc.setRemoteDescription({ type: 'offer', sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    return pc.localDescription.sdp;
  },
  async accept(sdp) {
    await pc.setRemoteDescription({ type: 'answer', sdp });
  },
};
</script>`;

export async function directPage(defer, browser, label) {
  const p = await newPage(defer, browser, label);
  await p.page.route('http://localhost/**', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: DIRECT_HTML }),
  );
  await p.page.goto('http://localhost/direct.html');
  await p.page.click('#go'); /* a click, so the page may play sound */
  return p;
}

/* A direct call between two pages (either may be inside the namespace);
 * the SDP, with all candidates, goes through the test process. */
export async function directCall(sender, receiver) {
  await sender.page.evaluate(() => window.direct.start());
  await receiver.page.evaluate(() => window.direct.start());
  const offer = await sender.page.evaluate(() => window.direct.offer());
  const answer = await receiver.page.evaluate((sdp) => window.direct.answer(sdp), offer);
  await sender.page.evaluate((sdp) => window.direct.accept(sdp), answer);
  await waitFor(() => receiver.page.evaluate(() => window.pc.connectionState === 'connected'), {
    timeoutMs: 20000,
    what: 'the direct call to connect',
  });
}
