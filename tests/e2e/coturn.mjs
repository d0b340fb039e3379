/*
 * coturn.mjs — a real coturn of a test's own on 127.0.0.1 with the TURN
 * REST shared secret TURN_SECRET, on a free port; its log in
 * artifacts/<label>.coturn.log. Plain TURN over UDP, or (tls: {cert, key})
 * TURN over TLS only: no plain UDP or TCP listener at all.
 *
 * haveCoturn is false when coturn is not installed; `make test` installs it
 * (scripts/install-deps.sh test).
 */
import { spawn, execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACTS, waitFor, sleep } from './lib.mjs';
import { freePort } from './server.mjs';

const TURNSERVER = '/usr/bin/turnserver';
export const TURN_SECRET = 'e2e-turn-secret-not-for-production';
export const haveCoturn = existsSync(TURNSERVER);

/* Returns {port, proc, stop()}; ready once its port is bound. */
export async function startCoturn(label, { tls } = {}) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'samvei-coturn-'));
  const logName = `${label}.coturn.log`;
  const log = createWriteStream(join(ARTIFACTS, logName));
  const listen = tls
    ? [
        /* coturn always binds its plain port too unless told not to. */
        '--no-udp',
        '--no-tcp',
        `--tls-listening-port=${port}`,
        `--cert=${tls.cert}`,
        `--pkey=${tls.key}`,
        /* As docker/coturn/turnserver.conf. */
        '--no-tlsv1',
        '--no-tlsv1_1',
        '--cipher-list=ECDHE+AESGCM:ECDHE+CHACHA20',
      ]
    : [`--listening-port=${port}`, '--no-tls'];
  const args = [
    '-n', /* no config file: everything is on this command line */
    `--listening-ip=127.0.0.1`,
    `--relay-ip=127.0.0.1`,
    ...listen,
    '--min-port=49160',
    '--max-port=49400',
    '--use-auth-secret',
    `--static-auth-secret=${TURN_SECRET}`,
    '--realm=samvei.test',
    /* Needed only here: samvei's ICE candidates are on 127.0.0.1, which a
     * production coturn must refuse (docker/coturn/turnserver.conf denies
     * loopback and private ranges). */
    '--allow-loopback-peers',
    '--no-dtls',
    '--no-cli',
    `--db=${join(dir, 'turndb')}`,
    `--pidfile=${join(dir, 'turnserver.pid')}`,
    '--log-file=stdout',
    '--simple-log',
    '--verbose',
  ];
  const proc = spawn(TURNSERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.pipe(log);
  proc.stderr.pipe(log);
  const exited = new Promise((ok) => proc.on('exit', ok));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      () => {
        if (proc.exitCode !== null) throw new Error(`coturn exited; see artifacts/${logName}`);
        return execFileSync('ss', [tls ? '-ltn' : '-lun']).toString().includes(`127.0.0.1:${port}`);
      },
      { timeoutMs: 15000, intervalMs: 200, what: 'coturn to listen' },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, proc, stop };
}
