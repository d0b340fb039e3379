/*
 * server.mjs — starts a samvei of a test's own (for tests that need their
 * own options, TLS, or to stop and restart the server), on a free loopback
 * port with a throwaway data dir. Its log goes to artifacts/<label>.server.log.
 *
 * The binary is SAMVEI_BIN (run.sh exports it), relative to the repository.
 */
import { spawn, execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ARTIFACTS, sleep } from './lib.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SAMVEI_BIN = resolve(ROOT, process.env.SAMVEI_BIN || 'build/samvei');

export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/* Makes a dev CA and server certificate in a new temporary directory (see
 * certs/make-dev-certs.sh) and returns the directory. */
export function makeCerts() {
  const dir = mkdtempSync(join(tmpdir(), 'samvei-certs-'));
  execFileSync('bash', [join(ROOT, 'certs/make-dev-certs.sh'), dir], { stdio: 'ignore' });
  return dir;
}

/* Starts samvei with `args` added to the usual test options and waits for
 * /healthz. port: reuse a port (restart tests); tls: {cert, key}; dataDir:
 * a data dir of the caller's, kept when the server stops (restart tests;
 * default: a new one, removed on stop). */
export async function startServer(label, { args = [], port, tls, dataDir: keptDir } = {}) {
  port = port || (await freePort());
  const dataDir = keptDir || mkdtempSync(join(tmpdir(), 'samvei-e2e-'));
  const all = ['--bind', '127.0.0.1', '--port', String(port), '--web-root', join(ROOT, 'web'),
    '--data-dir', dataDir, '--allow-open-rooms', '--drain-timeout', '0', ...args];
  if (tls) all.push('--cert', tls.cert, '--key', tls.key);
  const log = createWriteStream(join(ARTIFACTS, `${label}.server.log`), { flags: 'a' });
  const proc = spawn(SAMVEI_BIN, all, { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.pipe(log, { end: false });
  proc.stderr.pipe(log, { end: false });
  let output = '';
  proc.stderr.on('data', (d) => {
    output += d;
  });
  const exited = new Promise((ok) => proc.on('exit', (code, signal) => ok({ code, signal })));
  const scheme = tls ? 'https' : 'http';
  const url = `${scheme}://127.0.0.1:${port}`;
  const server = {
    url,
    wsUrl: url.replace(/^http/, 'ws') + '/ws',
    port,
    dataDir,
    proc,
    exited,
    output: () => output,
    /* SIGTERM (drain timeout 0 unless the test set one), then checks the
     * server exited 0 without a sanitizer report (the ASan build exits
     * non-zero on a leak). Throws otherwise. */
    async stopCleanly() {
      const r = await server.stop('SIGTERM');
      if (r.code !== 0 || /AddressSanitizer|LeakSanitizer|runtime error:/.test(output))
        throw new Error(`samvei (${label}) did not stop cleanly: ${JSON.stringify(r)}\n${output.slice(-3000)}`);
      return r;
    },
    async stop(signal = 'SIGKILL') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const r = await exited;
      if (!keptDir) rmSync(dataDir, { recursive: true, force: true });
      return r;
    },
  };
  const end = Date.now() + 30000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`samvei exited at start: ${output.slice(-2000)}`);
    const ok = await healthy(server);
    if (ok) return server;
    if (Date.now() > end) {
      await server.stop();
      throw new Error(`samvei did not answer /healthz on ${url} within 30 s`);
    }
    await sleep(200);
  }
}

async function healthy(server) {
  try {
    const https = server.url.startsWith('https');
    if (!https) return (await fetch(`${server.url}/healthz`)).ok;
    /* fetch() cannot be told to trust a dev CA; curl can skip the check. */
    execFileSync('curl', ['-fsSk', '-o', '/dev/null', '--max-time', '2', `${server.url}/healthz`], {
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  }
}
