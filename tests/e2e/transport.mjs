/*
 * transport.mjs — what a test needs to see which network path a call took:
 * a hook that records every RTCPeerConnection a page makes (installed
 * before the page's scripts run; the client itself is unchanged), and the
 * selected candidate pair of each from getStats().
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { newParticipant, joinViaUi, waitFor } from './lib.mjs';

const NFT = '/usr/sbin/nft';
/* Blocking traffic needs root and nft (`make test` installs nftables). */
export const canBlock = process.getuid?.() === 0 && existsSync(NFT);

/* An nftables table of the test's own with one output chain: drop(rules)
 * installs it with those rules (each line a rule, e.g. "meta l4proto udp
 * udp dport { 5000 } counter drop"), remove() deletes it (also done at
 * exit, so a failed test leaves nothing behind), dropped() sums the
 * packets its counters saw. */
export function nftTable(name) {
  const table = `${name}_${process.pid}`;
  let added = false;
  const t = {
    drop(rules) {
      t.remove();
      process.on('exit', t.remove);
      execFileSync(NFT, ['-f', '-'], {
        input: `table inet ${table} {
  chain out {
    type filter hook output priority 0; policy accept;
    ${rules}
  }
}
`,
      });
      added = true;
    },
    remove() {
      if (!added) return;
      try {
        execFileSync(NFT, ['delete', 'table', 'inet', table], { stdio: 'ignore' });
      } catch {
        /* already gone */
      }
      added = false;
    },
    dropped() {
      const out = execFileSync(NFT, ['list', 'table', 'inet', table]).toString();
      return [...out.matchAll(/counter packets (\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
    },
  };
  return t;
}

/* Call on a browser context before opening its page. */
export async function recordPeerConnections(context) {
  await context.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    const made = [];
    window.__samveiPcs = made;
    window.RTCPeerConnection = function (...args) {
      const pc = new Native(...args);
      made.push(pc);
      return pc;
    };
    window.RTCPeerConnection.prototype = Native.prototype;
    Object.setPrototypeOf(window.RTCPeerConnection, Native);
  });
}

/* For each open PeerConnection of the page: {policy, localType,
 * remoteType, protocol, relayProtocol, localPort, remotePort} of its selected
 * candidate pair, or
 * null while it has none. */
export function selectedPairs(page) {
  return page.evaluate(async () => {
    const out = [];
    for (const pc of window.__samveiPcs ?? []) {
      if (pc.connectionState === 'closed') continue;
      const stats = await pc.getStats();
      let pair = null;
      for (const r of stats.values()) {
        if (r.type === 'transport' && r.selectedCandidatePairId) pair = stats.get(r.selectedCandidatePairId);
      }
      if (!pair) {
        for (const r of stats.values()) if (r.type === 'candidate-pair' && r.nominated && r.state === 'succeeded') pair = r;
      }
      if (!pair) {
        out.push(null);
        continue;
      }
      const local = stats.get(pair.localCandidateId);
      const remote = stats.get(pair.remoteCandidateId);
      out.push({
        policy: pc.getConfiguration().iceTransportPolicy,
        localType: local?.candidateType,
        remoteType: remote?.candidateType,
        protocol: local?.protocol,
        relayProtocol: local?.relayProtocol,
        localPort: local?.port,
        remotePort: remote?.port,
      });
    }
    return out;
  });
}

/* A new participant whose PeerConnections are recorded, joined through the
 * page of the server at `base`; pushed on `opened` for cleanup. */
export async function joinRecorded(browser, opened, base, label, room, name, query = {}) {
  const p = await newParticipant(browser, label);
  opened.push(p);
  await recordPeerConnections(p.context);
  p.id = await joinViaUi(p.page, room, name, { base, query });
  return p;
}

/* Waits until every PeerConnection of p has a selected pair; returns them. */
export function settledPairs(p) {
  return waitFor(
    async () => {
      const list = await selectedPairs(p.page);
      return list.length >= 2 && list.every(Boolean) ? list : false;
    },
    { timeoutMs: 10000, what: `${p.label}'s selected candidate pairs` },
  );
}

/* The relay's candidate ports of `protocol` ('udp' or 'tcp'), from the
 * page's remote candidates (the discard port 9 of active TCP left out). */
export function relayPorts(page, protocol) {
  return page.evaluate(async (protocol) => {
    const ports = new Set();
    for (const pc of window.__samveiPcs ?? []) {
      if (pc.connectionState === 'closed') continue;
      for (const r of (await pc.getStats()).values()) {
        if (r.type === 'remote-candidate' && r.protocol === protocol && r.port && r.port !== 9) ports.add(r.port);
      }
    }
    return [...ports];
  }, protocol);
}
