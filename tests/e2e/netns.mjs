/*
 * netns.mjs — a constrained link of a test's own: a network namespace joined
 * to the root namespace by a veth pair, with a rate cap (tc tbf) and random
 * UDP loss (nftables numgen) on it, and a Chromium that runs inside it.
 * This kernel has no netem: rates come from tbf (and htb), loss from
 * nftables, both on interfaces the test makes and removes itself.
 *
 *   const link = await createNetns('weaklink');
 *   link.hostAddr  // 10.231.X.Y+1, the root side (the server is reached here)
 *   link.nsAddr    // 10.231.X.Y+2, the namespace side (the browser inside)
 *   link.setRate(300)        // downlink towards the namespace, kbit/s
 *   link.setUplinkRate(500)  // uplink out of the namespace, kbit/s
 *   link.setLoss(8)          // % of UDP arriving inside the namespace dropped
 *   link.setUplinkLoss(8)    // % of UDP leaving the namespace dropped
 *   link.clearRate(); link.clearUplinkRate(); link.clearLoss(); link.clearUplinkLoss();
 *   const browser = await link.launchBrowser();  // Chromium inside
 *   link.cleanup()           // also runs at process exit and on SIGINT/SIGTERM
 *
 * Names carry the process id and a counter, so parallel runs never share a
 * namespace or veth; the /30 is one that no interface of the machine has
 * yet. Namespaces left by a run that was killed (its pid gone) are removed
 * when the next one is made. No traffic leaves for anything but the two
 * veth addresses: IPv6 is off on the pair (no router solicitations), the
 * namespace has no default route.
 *
 * Needs root, ip, tc and nft: canUseNetns says whether this machine has
 * them, netnsSkipReason why not.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const IP = '/usr/sbin/ip';
const TC = '/usr/sbin/tc';
const NFT = '/usr/sbin/nft';
const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const NS_PREFIX = 'samvei-wl-';

function missingTools() {
  const missing = [];
  if (process.getuid?.() !== 0) missing.push('root');
  for (const [name, path] of [['ip', IP], ['tc', TC], ['nft', NFT]]) if (!existsSync(path)) missing.push(name);
  return missing;
}

const missing = missingTools();
/* What this machine lacks of root, ip, tc and nft (empty: nothing). */
export const netnsMissing = Object.freeze([...missing]);
export const canUseNetns = missing.length === 0;
export const netnsSkipReason = canUseNetns
  ? ''
  : `weak-link tests need root, ip, tc and nft (network namespaces, tbf, nftables); missing: ${missing.join(', ')}`;

/* The Chromium options of lib.mjs's launchBrowser, plus what a browser in a
 * namespace needs: the dev certificate of https://10.231.x.1 accepted, and
 * real host candidates instead of mDNS names (no multicast to resolve
 * them, and the other side could not resolve them across namespaces). */
export const NETNS_CHROMIUM_ARGS = [
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
  '--ignore-certificate-errors',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

function run(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], ...opts }).toString();
}

function quiet(cmd, args) {
  try {
    run(cmd, args);
    return true;
  } catch {
    return false;
  }
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/* Namespaces named by a run whose process is gone: deleting one also
 * deletes its veth (the root side goes with its peer). */
function sweepStale() {
  let list = '';
  try {
    list = run(IP, ['netns', 'list']);
  } catch {
    return;
  }
  for (const line of list.split('\n')) {
    const name = line.split(/\s+/)[0];
    const m = name?.startsWith(NS_PREFIX) && /-(\d+)-\d+$/.exec(name);
    if (m && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]))) quiet(IP, ['netns', 'del', name]);
  }
}

/* A /30 in 10.231.0.0/16 that no interface uses: starts at a place given by
 * the pid and counter and walks on past ones in use. */
function pickSubnet(seed) {
  const used = new Set();
  for (const m of run(IP, ['-o', '-4', 'addr', 'show']).matchAll(/inet 10\.231\.(\d+)\.(\d+)/g))
    used.add(`${m[1]}.${Math.floor(Number(m[2]) / 4)}`);
  for (let i = 0; i < 16384; i++) {
    const idx = (seed + i * 7919) % 16384; /* 256 × 64 blocks of 4 */
    const third = Math.floor(idx / 64);
    const block = idx % 64;
    if (third === 0 || used.has(`${third}.${block}`)) continue;
    return { third, base: block * 4 };
  }
  throw new Error('no free /30 in 10.231.0.0/16');
}

let counter = 0;
const live = new Set();

function cleanupAll() {
  for (const link of [...live]) link.cleanup();
}
let handlersInstalled = false;
function installHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', cleanupAll);
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => {
      cleanupAll();
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}

/* tbf needs a bucket of at least one MTU and of rate/HZ; a few kbit more
 * than that lets a keyframe's first packets through without smoothing the
 * cap away. */
function burstKbit(kbit) {
  return Math.max(32, Math.ceil(kbit / 30));
}

/* Makes the namespace and veth pair; throws (after undoing what it made)
 * when a step fails. `label` only helps to recognise it in `ip netns`. */
export async function createNetns(label = 'link') {
  if (!canUseNetns) throw new Error(netnsSkipReason);
  sweepStale();
  installHandlers();
  const n = ++counter;
  const ns = `${NS_PREFIX}${process.pid}-${n}`;
  const hostIf = `swl${process.pid}x${n}a`.slice(-15);
  const nsIf = `swl${process.pid}x${n}b`.slice(-15);
  const { third, base } = pickSubnet(process.pid * 31 + n);
  const hostAddr = `10.231.${third}.${base + 1}`;
  const nsAddr = `10.231.${third}.${base + 2}`;
  const tmp = mkdtempSync(join(tmpdir(), 'samvei-netns-'));
  const wrapper = join(tmp, 'chromium-in-netns');
  let done = false;

  const link = {
    label,
    ns,
    hostIf,
    nsIf,
    hostAddr,
    nsAddr,
    wrapper,
    rateKbit: null,
    uplinkKbit: null,
    lossPercent: 0,
    uplinkLossPercent: 0,

    /* Caps what the root namespace sends into the namespace (the
     * receiver's downlink) at kbit/s; replaces an earlier cap at once. */
    setRate(kbit) {
      run(TC, ['qdisc', 'replace', 'dev', hostIf, 'root', 'tbf', 'rate', `${kbit}kbit`,
        'burst', `${burstKbit(kbit)}kbit`, 'latency', '200ms']);
      link.rateKbit = kbit;
    },
    clearRate() {
      quiet(TC, ['qdisc', 'del', 'dev', hostIf, 'root']);
      link.rateKbit = null;
    },
    /* The same for what the namespace sends out (its uplink). */
    setUplinkRate(kbit) {
      run(IP, ['netns', 'exec', ns, TC, 'qdisc', 'replace', 'dev', nsIf, 'root', 'tbf', 'rate', `${kbit}kbit`,
        'burst', `${burstKbit(kbit)}kbit`, 'latency', '200ms']);
      link.uplinkKbit = kbit;
    },
    clearUplinkRate() {
      quiet(IP, ['netns', 'exec', ns, TC, 'qdisc', 'del', 'dev', nsIf, 'root']);
      link.uplinkKbit = null;
    },
    /* Drops `percent` % of the UDP arriving inside the namespace, at
     * random (0 removes the rule). */
    setLoss(percent) {
      link.clearLoss();
      if (!(percent > 0)) return;
      run(IP, ['netns', 'exec', ns, NFT, '-f', '-'], {
        input: `table inet samvei_loss {
  chain in {
    type filter hook input priority 0; policy accept;
    meta l4proto udp counter
    meta l4proto udp numgen random mod 100 < ${Math.round(percent)} counter drop
  }
}
`,
      });
      link.lossPercent = percent;
    },
    clearLoss() {
      quiet(IP, ['netns', 'exec', ns, NFT, 'delete', 'table', 'inet', 'samvei_loss']);
      link.lossPercent = 0;
    },
    /* Drops `percent` % of the UDP leaving the namespace (sent by a
     * browser inside: a publisher's lossy uplink), at random (0 removes
     * the rule). A table of its own, so it combines with setLoss. */
    setUplinkLoss(percent) {
      link.clearUplinkLoss();
      if (!(percent > 0)) return;
      run(IP, ['netns', 'exec', ns, NFT, '-f', '-'], {
        input: `table inet samvei_loss_out {
  chain out {
    type filter hook output priority 0; policy accept;
    meta l4proto udp counter
    meta l4proto udp numgen random mod 100 < ${Math.round(percent)} counter drop
  }
}
`,
      });
      link.uplinkLossPercent = percent;
    },
    clearUplinkLoss() {
      quiet(IP, ['netns', 'exec', ns, NFT, 'delete', 'table', 'inet', 'samvei_loss_out']);
      link.uplinkLossPercent = 0;
    },
    /* What a loss rule has seen so far: { packets, dropped } UDP packets
     * arriving in the namespace (lossCounters) or leaving it
     * (uplinkLossCounters); null without the rule. So a test can say how
     * much loss there really was. */
    lossCounters() {
      return counters('samvei_loss');
    },
    uplinkLossCounters() {
      return counters('samvei_loss_out');
    },
    /* A Chromium inside the namespace (lib.mjs's options, see
     * NETNS_CHROMIUM_ARGS); close it before cleanup(). */
    launchBrowser(extraArgs = []) {
      return chromium.launch({
        executablePath: wrapper,
        headless: true,
        args: [...NETNS_CHROMIUM_ARGS, ...extraArgs],
      });
    },
    /* Idempotent; synchronous so that it can run in an 'exit' handler. */
    cleanup() {
      if (done) return;
      done = true;
      live.delete(link);
      quiet(IP, ['netns', 'del', ns]);
      quiet(IP, ['link', 'del', hostIf]);
      rmSync(tmp, { recursive: true, force: true });
    },
  };
  live.add(link);

  function counters(table) {
    let out;
    try {
      out = run(IP, ['netns', 'exec', ns, NFT, 'list', 'table', 'inet', table]);
    } catch {
      return null;
    }
    const n = [...out.matchAll(/counter packets (\d+)/g)].map((m) => Number(m[1]));
    return n.length >= 2 ? { packets: n[0], dropped: n[1] } : null;
  }

  try {
    run(IP, ['netns', 'add', ns]);
    run(IP, ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf]);
    run(IP, ['link', 'set', nsIf, 'netns', ns]);
    /* No IPv6 on the pair: no link-local candidates, no solicitations. */
    quiet('/usr/sbin/sysctl', ['-qw', `net.ipv6.conf.${hostIf}.disable_ipv6=1`]);
    quiet(IP, ['netns', 'exec', ns, '/usr/sbin/sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1']);
    quiet(IP, ['netns', 'exec', ns, '/usr/sbin/sysctl', '-qw', `net.ipv6.conf.${nsIf}.disable_ipv6=1`]);
    run(IP, ['addr', 'add', `${hostAddr}/30`, 'dev', hostIf]);
    run(IP, ['link', 'set', hostIf, 'up']);
    run(IP, ['-n', ns, 'addr', 'add', `${nsAddr}/30`, 'dev', nsIf]);
    run(IP, ['-n', ns, 'link', 'set', nsIf, 'up']);
    run(IP, ['-n', ns, 'link', 'set', 'lo', 'up']);
    writeFileSync(wrapper, `#!/bin/sh\nexec ${IP} netns exec ${ns} ${CHROMIUM} "$@"\n`, { mode: 0o755 });
  } catch (err) {
    link.cleanup();
    throw new Error(`could not make network namespace ${ns}: ${err.stderr?.toString() || err.message}`);
  }
  return link;
}
