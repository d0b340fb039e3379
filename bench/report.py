#!/usr/bin/env python3
"""bench/report.py — collects one bench run and renders docs/benchmarks.md.

  report.py --collect DIR --quick 0|1 > all.json
      merges the load generator's JSON files, the callgrind summaries and
      the machine facts of one run of bench/run.sh into one object;
  report.py --render all.json --doc docs/benchmarks.md --plots docs/bench
      writes the Markdown page and its gnuplot PNGs.

Every number in the page comes from the JSON; nothing is typed in by hand.
"""
import argparse
import glob
import json
import os
import re
import statistics
import subprocess
import sys

SERVERS = ["samvei", "janus"]
SCENARIO_TEXT = {
    "1to1": "1:1 consultation (2 participants, audio + video each way)",
    "presenter": "one presenter to 15 viewers (an ordinary room of 16)",
    "4party": "4-party room (everyone publishes audio + video)",
    "audio": "audio-only 1:1",
    "simulcast": "one camera sent as three simulcast layers (q/h/f: 150/500/1,500 kbit/s, "
                 "keyframes of 4/10/30 kB) to three viewers behind virtual links of no cap, "
                 "1 Mbit/s and 400 kbit/s; the viewers answer like a browser (transport-cc, RTX) "
                 "and send transport-cc feedback every 50 ms, so samvei picks each one's layer "
                 "from its bandwidth estimate, and Janus's viewers ask for the layer samvei's "
                 "rule gives their link (`configure` `substream`)",
    "teaching": "one presenter to 50 attendees (rooms of 51). On samvei each room is a real group "
                "teaching: a consultation of kind `group-teaching` booked through the REST API with "
                "an API key, the presenter joining with a specialist link and the attendees with "
                "municipal links, so they receive only (the server refuses their `publish`); on "
                "Janus a VideoRoom of 51 with one publisher and 50 subscribers",
}
LAYERS = ["q", "h", "f"]


def parse_callgrind(path):
    """Total instructions and the top functions (self cost) of a
    callgrind_annotate summary."""
    total, top = None, []
    with open(path) as f:
        for line in f:
            m = re.match(r"\s*([\d,]+)\s+(?:\(\s*[\d.]+%\)\s+)?PROGRAM TOTALS", line)
            if m:
                total = int(m.group(1).replace(",", ""))
                continue
            m = re.match(r"\s*([\d,]+)\s+\(\s*([\d.]+)%\)\s+(\S.*?)\s*(\[.*\])?$", line)
            if m and total is not None and "PROGRAM TOTALS" not in line:
                fn = m.group(3)
                obj = (m.group(4) or "").strip("[]")
                fn = fn.split(":", 1)[1] if ":" in fn and not fn.startswith("0x") else fn
                top.append({"ir": int(m.group(1).replace(",", "")), "pct": float(m.group(2)),
                            "function": fn, "object": os.path.basename(obj)})
    return total, top[:80]


def syscalls_of(d, server, data):
    """System calls per forwarded packet from the perf stat counts (-x,) of
    the syscalls run's window."""
    res = {"rooms": None, "per_packet": {}, "total": None}
    steps = data.get("steps") or []
    path = os.path.join(d, server + "-syscalls.txt")
    if not steps or not os.path.exists(path):
        return res
    st = steps[0]
    fwd = st["forwarded_pps"] * st["window_s"]
    res["rooms"] = st["rooms"]
    res["forwarded_pps"] = st["forwarded_pps"]
    if st.get("server_cpu_s"):
        res["sys_share"] = st.get("server_sys_s", 0) / st["server_cpu_s"]
    with open(path) as f:
        for line in f:
            parts = line.strip().split(",")
            if len(parts) < 3 or line.startswith("#") or not parts[0].isdigit():
                continue
            name = parts[2].rsplit("sys_enter_", 1)[-1]
            n = int(parts[0])
            if n and fwd:
                res["per_packet"][name] = n / fwd
    if fwd and res["per_packet"]:
        res["total"] = sum(res["per_packet"].values())
    return res


def collect(d, quick):
    out = {"quick": bool(int(quick)), "runs": {s: {} for s in SERVERS}, "callgrind": {},
           "syscalls": {}}
    for path in sorted(glob.glob(os.path.join(d, "*-*.json"))):
        name = os.path.basename(path)[:-5]
        server, scen = name.split("-", 1)
        if server not in SERVERS:
            continue
        with open(path) as f:
            data = json.load(f)
        if scen == "syscalls":
            out["syscalls"][server] = syscalls_of(d, server, data)
            continue
        if scen == "callgrind":
            cg = {"steps": data.get("steps", [])}
            txt = os.path.join(d, server + "-callgrind.txt")
            if os.path.exists(txt):
                total, top = parse_callgrind(txt)
                cg["ir_window"] = total
                cg["top"] = top
                if data.get("steps"):
                    s = data["steps"][0]
                    fwd = s["forwarded_pps"] * s["window_s"]
                    cg["forwarded_packets"] = fwd
                    cg["ir_per_packet"] = total / fwd if total and fwd else None
            out["callgrind"][server] = cg
        else:
            out["runs"][server][scen] = data
    mt = os.path.join(d, "machine.txt")
    if os.path.exists(mt):
        lines = open(mt).read().splitlines() + [""] * 6
        out["machine"] = {"cpu": lines[0], "cores": lines[1], "mem_mb": lines[2],
                          "loadavg_end": lines[3], "janus": lines[4], "commit": lines[5]}
    json.dump(out, sys.stdout, indent=1)


# ---------------------------------------------------------------- render


def fmt(v, digits=2):
    if v is None:
        return "–"
    if isinstance(v, str):
        return v
    if isinstance(v, float) and abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.{digits}f}" if isinstance(v, float) else str(v)


def ratio(a, b):
    """janus / samvei, as text."""
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) or a == 0:
        return "–"
    return f"{b / a:.2f}×"


def usable_steps(run):
    """Steps that forwarded packets and where the generator was not the
    bottleneck."""
    return [s for s in run.get("steps", []) if s["forwarded_pps"] > 0 and
            s.get("loadgen_cpu_frac", 0) < 0.9]


def cpu_per_1000(run):
    xs = [s["cpu_s_per_1000_pkts"] for s in usable_steps(run) if s["server_cpu_s"] > 0]
    return statistics.median(xs) if xs else None


def sys_share(run):
    """The kernel's share of the server's CPU time over a ramp (median of
    the steps that measured it)."""
    xs = [s["server_sys_s"] / s["server_cpu_s"] for s in usable_steps(run)
          if s.get("server_cpu_s", 0) > 0 and "server_sys_s" in s]
    return statistics.median(xs) if xs else None


def cv(xs):
    if len(xs) < 2:
        return None
    m = statistics.mean(xs)
    return statistics.stdev(xs) / m if m else None


def top_step(runs, scen):
    """The heaviest load both servers ran in this scenario."""
    a = usable_steps(runs["samvei"].get(scen, {}))
    b = usable_steps(runs["janus"].get(scen, {}))
    common = set(s["forwarded_streams"] for s in a) & set(s["forwarded_streams"] for s in b)
    if not common:
        return None, None, None
    n = max(common)
    pick = lambda steps: next(s for s in steps if s["forwarded_streams"] == n)
    return n, pick(a), pick(b)


def slope(points):
    """Least-squares slope of PSS (kB) over participants."""
    xs = [p["participants"] for p in points]
    ys = [p["pss_kb"] for p in points]
    if len(xs) < 2:
        return None
    mx, my = statistics.mean(xs), statistics.mean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else None


def plot(plots, runs, scenarios, key, ylabel, fname, title, log=False):
    os.makedirs(plots, exist_ok=True)
    series = []
    for scen in scenarios:
        for server in SERVERS:
            steps = runs[server].get(scen, {}).get("steps", [])
            if not steps:
                continue
            dat = os.path.join(plots, f".{server}-{scen}-{key}.dat")
            with open(dat, "w") as f:
                for s in steps:
                    f.write(f"{s['forwarded_streams']} {key(s) if callable(key) else s[key]}\n")
            series.append((dat, f"{server} {scen}"))
    if not series:
        return None
    png = os.path.join(plots, fname)
    cmds = [
        "set terminal pngcairo size 900,540 noenhanced" if has_cairo() else
        "set terminal png size 900,540 noenhanced",
        f"set output '{png}'", f"set title '{title}'", "set xlabel 'forwarded streams'",
        f"set ylabel '{ylabel}'", "set key outside right top", "set grid",
    ] + (["set logscale y", "set yrange [0.1:*]"] if log else ["set yrange [0:*]"])
    parts = []
    for i, (dat, label) in enumerate(series):
        dash = "dt 1" if label.startswith("samvei") else "dt 2"
        parts.append(f"'{dat}' using 1:2 with linespoints lw 2 {dash} title '{label}'")
    cmds.append("plot " + ", ".join(parts))
    subprocess.run(["gnuplot"], input="\n".join(cmds), text=True, check=True)
    for dat, _ in series:
        os.unlink(dat)
    return png


_cairo = None


def has_cairo():
    global _cairo
    if _cairo is None:
        r = subprocess.run(["gnuplot", "-e", "set terminal"], capture_output=True, text=True)
        _cairo = "pngcairo" in (r.stdout + r.stderr)
    return _cairo


def advice(top, sc=None):
    """Where samvei's instructions go, from the top functions of its
    profile, and the next lever."""
    if not top:
        return "No profile was recorded in this run."

    def share(pat, field="both"):
        total = 0.0
        for t in top:
            text = t["function"] if field == "function" else t["function"] + " " + t["object"]
            if re.search(pat, text.lower()):
                total += t["pct"]
        return total

    crypto = share(r"libcrypto|libsrtp|aes|gcm|hmac|sha1|srtp|evp|ossl|freebl|softokn|libnss")
    params = share(r"^(ossl_param_locate|__strcmp\w*|strcmp|evp_cipher_ctx_ctrl|"
                   r"evp_cipher_ctx_get_iv_length)$", "function")
    nss = share(r"freebl|softokn|libnss|pk11|nspr|plds")
    loop = share(r"g_main|g_source|g_poll|libglib|libgio|g_socket|nice_|libnice")
    own = sum(t["pct"] for t in top if t["object"] == "samvei")
    lines = [f"Of samvei's instructions in the window (self cost, top functions): SRTP and its "
             f"crypto {crypto:.0f}%, of which {params:.0f} points are OpenSSL 3's parameter "
             f"lookups (`OSSL_PARAM_locate`, `strcmp`) behind each GCM IV and tag call; "
             f"GLib's main loop, GIO and libnice {loop:.0f}%; samvei's own code {own:.0f}%."]
    if nss > crypto / 2:
        lines.append("NSS does most of the crypto: libsrtp2's cipher types were not replaced "
                     "(relay/srtp_ossl.c), which is the first thing to check.")
    total = (sc or {}).get("total")
    if total:
        lines.append(f"The relay makes {total:.1f} counted system calls per forwarded packet: one "
                     "send (sendto) per packet per subscriber, the recvmsg calls (one more per wakeup "
                     "that finds the socket empty) and one epoll_wait per wakeup.")
    lines.append("Once ICE has chosen a pair that is not relayed, samvei sends on that pair's "
                 "socket itself (one sendto, no agent lock or GIO address objects per packet), "
                 "which cut its CPU per forwarded packet by about 4% (presenter) to 18% "
                 "(teaching) in A/B runs. Batching the sends (one socket per worker, sendmmsg) "
                 "was measured and not built: on this kernel, with no CPU-vulnerability "
                 "mitigations, a system call costs about 0.1 µs, and 16 datagrams to 16 "
                 "addresses cost 1.7-1.9 µs of kernel time each whether sent by 16 sendto calls "
                 "on 16 sockets or one sendmmsg on one socket: the UDP/IP path itself (and, on "
                 "loopback, the receiver's delivery, which a network card would take over) is "
                 "the kernel share. Two later changes came from the profile: the workers wait "
                 "with epoll (relay/fastpoll.c) instead of a poll() over every socket "
                 "(do_sys_poll was 7.4% of samvei's CPU in presenter with 64 PeerConnections; "
                 "epoll_wait and the poll function are 2.7%), and one stall watch per worker "
                 "replaced a 1 s timer per PeerConnection that GLib walked at every wakeup. "
                 "Together they took about 7% off the CPU per forwarded packet in presenter and "
                 "4party (A/B, 3 runs each, perf task-clock). The levers left: GLib still walks "
                 "two sources per PeerConnection at each wakeup (libnice's socket and its "
                 "keepalive timer, about 6% in presenter), and OpenSSL 3.0 asks its provider "
                 "for the IV length at every GCM IV and goes through parameter arrays for every "
                 "tag; its public low-level GCM (CRYPTO_gcm128_*) has no AES-NI stitched path, "
                 "so it would be slower overall.")
    return " ".join(lines)


def floor_text(runs, scenarios):
    """Where a scenario misses half of Janus's CPU per packet: each server's
    kernel and user time per forwarded packet, and the user time samvei
    would have to get down to with its kernel time as it is."""
    rows = []
    for sc in scenarios:
        a, b = runs["samvei"].get(sc, {}), runs["janus"].get(sc, {})
        ca, cb, ka, kb = cpu_per_1000(a), cpu_per_1000(b), sys_share(a), sys_share(b)
        if None in (ca, cb, ka, kb) or cb / ca >= 2:
            continue
        rows.append((sc, ca * 1000, cb * 1000, ka, kb))  # µs per packet
    if not rows:
        return ("In every scenario of this run samvei needed at most half of Janus's CPU per "
                "forwarded packet.")
    out = ["Where samvei needed more than half of Janus's CPU per forwarded packet, µs per "
           "packet split into kernel and user time (medians over the ramp):", "",
           "| scenario | samvei kernel | samvei user | Janus kernel | Janus user | "
           "samvei user for 2× |", "|---|---:|---:|---:|---:|---:|"]
    for sc, ca, cb, ka, kb in rows:
        need = cb / 2 - ca * ka
        out.append(f"| {sc} | {ca * ka:.2f} | {ca * (1 - ka):.2f} | {cb * kb:.2f} | "
                   f"{cb * (1 - kb):.2f} | {need:.2f} |")
    out += ["", "Both servers send each packet to each subscriber with one system call, and "
            "their kernel time per packet is about the same: the UDP/IP send path and, on this "
            "loopback bench, the delivery into the load generator's socket (`do_softirq` under "
            "`sendto`: 18% of samvei's CPU in a perf profile of teaching with 2 rooms, taken "
            "apart from the runs), which on a real network the receiving machines would do. With the kernel share fixed, half of Janus's "
            "CPU leaves samvei the user time in the last column, against what it spends now "
            "on SRTP alone (libsrtp2 and OpenSSL are about 20% of its CPU)."]
    return "\n".join(out)


def srtp_text(runs):
    """The SRTP profiles each server negotiated with the load generator (it
    records every profile its PeerConnections got, per side), as text for
    the Method."""
    seen = {}
    for server in SERVERS:
        for run in runs[server].values():
            for side, profs in (run.get("srtp") or {}).items():
                if isinstance(profs, str):  # results from before the list
                    profs = [profs]
                for prof in profs:
                    if prof != "unknown":
                        seen.setdefault(server, {}).setdefault(side, set()).add(prof)
    if not seen:
        return "the profile DTLS chose (not recorded in this run)"
    parts = []
    for server, sides in seen.items():
        txt = ", ".join(f"{side} {' and '.join(sorted(p))}" for side, p in sorted(sides.items()))
        parts.append(f"{server}: {txt}")
    return ("the profile DTLS chose: the load generator offers Chrome's list in Chrome's order "
            "(SRTP_AES128_CM_SHA1_80, then SRTP_AEAD_AES_256_GCM, SRTP_AEAD_AES_128_GCM), and the "
            "DTLS server's preference decides; they got " + "; ".join(parts))


def layer_text(step):
    """'q 2 · h 2 · f 2 · none 0' for a simulcast step."""
    lay = step.get("layers") or {}
    return " · ".join(f"{k} {lay.get(k, 0)}" for k in LAYERS + ["none"])


def render(path, doc, plots):
    with open(path) as f:
        r = json.load(f)
    runs = r["runs"]
    scen_all = [s for s in ["1to1", "presenter", "4party", "audio", "simulcast", "teaching"]
                if runs["samvei"].get(s) or runs["janus"].get(s)]
    m = r.get("machine", {})
    rel = os.path.relpath(plots, os.path.dirname(os.path.abspath(doc)))
    L = []
    w = L.append
    w("# Benchmarks: samvei and Janus side by side")
    w("")
    w("This page is written by `bench/report.py` from the results of `make bench` "
      f"(`{os.path.relpath(path, os.path.dirname(os.path.dirname(os.path.abspath(doc))))}`); "
      "run `make bench` to measure again and rewrite it. Every number below comes from that run.")
    if r.get("quick"):
        w("")
        w("**This is a quick smoke run (`make bench QUICK=1`): short windows and few steps. "
          "Do not quote its numbers.**")
    w("")
    w("## Method")
    w("")
    w("- **Servers.** samvei (release build, one relay worker, `--log-level warn`) and Janus "
      f"({m.get('janus', '?')}, VideoRoom plugin, WebSocket transport only, one event loop, "
      "`debug_level = 3` (warnings)). Both forward VP8 and Opus without transcoding, negotiate "
      f"DTLS-SRTP with {srtp_text(runs)}, record "
      "nothing, and use full ICE on UDP only (Janus's `ice_tcp = false`, samvei's "
      "`--no-ice-tcp`). Each server runs alone, pinned to CPU 0 (`taskset`); the "
      "load generator runs on CPU 1. The order alternates scenario by scenario.")
    w("- **Network.** A private network namespace made by `bench/run.sh` whose only address is "
      "127.0.0.1 (on a veth, because Janus gathers no candidates on a loopback interface). No "
      "packet leaves the machine.")
    w("- **Load.** `samvei-loadgen` (bench/loadgen/, C, on samvei's own relay code: libnice, "
      "OpenSSL DTLS, libsrtp2) runs every participant in one process and one GLib main loop. "
      "Publishers send pre-packetized VP8 at 1.5 Mbit/s (30 frames/s, a 30 kB keyframe every 3 s "
      "or on PLI) and Opus at 32 kbit/s (20 ms), and answer NACKs from a ring of sent packets. "
      "Every payload ends in a send stamp; subscribers count every packet from its clear RTP "
      f"header (loss from sequence numbers) and decrypt one packet in {r['runs']['samvei'].get('1to1', {}).get('samples_every', 8)} "
      "to read the stamp.")
    w("- **Scenarios** ramp by adding rooms step by step; each step waits for all PeerConnections, "
      "settles, then measures over a window. A ramp stops at the first step with loss over 0.1% or "
      "p99 latency over 5 ms once a minimum number of steps is done, or when the generator's core "
      "is saturated, or at the run's room limit.")
    for s in scen_all:
        w(f"  - `{s}`: {SCENARIO_TEXT[s]}.")
    w("- **CPU per packet**: the server's utime+stime from `/proc/PID/stat` over each window, "
      "divided by the RTP packets the subscribers received in it (forwarded packets); the median "
      "over the ramp's steps. Packets/s per core is its inverse.")
    w("- **Instructions per forwarded packet**: each server under `valgrind --tool=callgrind` with "
      "one 1:1 room; counters are zeroed at the window start and dumped at its end "
      "(`callgrind_control`). This machine has no hardware counters, so `perf stat` cannot count "
      "instructions; it counts system calls (below).")
    w("- **Latency** is the time from the publisher's send stamp to the subscriber's receive "
      "callback, both in the generator's process (so it includes the generator's own loop delay "
      "and two loopback hops): it is what the relay adds plus a floor. Keyframe packets (bursts of "
      "about 28 packets) are reported apart.")
    w("- **Memory**: the server's PSS from `/proc/PID/smaps_rollup` as audio-only 1:1 participants "
      "join, from 0 up to the run's maximum (slope = memory per participant); then all but 20 "
      "leave, and with those 20 present come the join/leave cycles (the oldest room's participants "
      "leave and a new room joins, at most 10 rooms joining at once); drift is the PSS difference "
      "across the cycles. **Join** time is from opening the WebSocket to both PeerConnections up (ICE + "
      "DTLS); CPU per join is the server's CPU during the joins less what the media already "
      "flowing costs.")
    w("")
    w("## Machine")
    w("")
    w(f"- CPU: {m.get('cpu', '?')}, {m.get('cores', '?')} cores; memory {m.get('mem_mb', '?')} MB "
      f"(`/proc/cpuinfo`, `free`)")
    w(f"- samvei commit {m.get('commit', '?')}; load average at the end of the run: "
      f"{m.get('loadavg_end', '?')}")
    w("")

    # ---- the table
    w("## samvei vs Janus")
    w("")
    w("Ratio = Janus / samvei: above 1 means Janus needs more (or, for packets/s, that samvei "
      "forwards less).")
    w("")
    w("| measure | samvei | Janus | ratio |")
    w("|---|---:|---:|---:|")
    rows = []
    for s in scen_all:
        a = cpu_per_1000(runs["samvei"].get(s, {}))
        b = cpu_per_1000(runs["janus"].get(s, {}))
        rows.append((f"CPU ms per 1,000 forwarded packets, {s}", a and a * 1000, b and b * 1000))
    for s in scen_all:
        a = cpu_per_1000(runs["samvei"].get(s, {}))
        b = cpu_per_1000(runs["janus"].get(s, {}))
        rows.append((f"forwarded packets/s per core, {s}", a and 1000 / a, b and 1000 / b))
    cg = r.get("callgrind", {})
    rows.append(("instructions per forwarded packet (callgrind, 1:1)",
                 cg.get("samvei", {}).get("ir_per_packet"), cg.get("janus", {}).get("ir_per_packet")))
    sc = r.get("syscalls", {})
    sca, scb = sc.get("samvei", {}), sc.get("janus", {})
    if sca.get("total") or scb.get("total"):
        rooms = sca.get("rooms") or scb.get("rooms")
        rows.append((f"system calls per forwarded packet (1:1, {rooms} rooms)", sca.get("total"),
                     scb.get("total")))
    for s in scen_all:
        a, b = sys_share(runs["samvei"].get(s, {})), sys_share(runs["janus"].get(s, {}))
        if a is not None or b is not None:
            rows.append((f"kernel share of the server's CPU %, {s}", a and 100 * a, b and 100 * b))
    for s in scen_all:
        n, sa, sb = top_step(runs, s)
        if not n:
            continue
        for key, label in (("latency", "latency"), ("latency_keyframe", "keyframe latency")):
            if not sa[key]["samples"] and not sb[key]["samples"]:
                continue
            for q in ("p50", "p99", "p999"):
                rows.append((f"{label} {q.replace('p999', 'p99.9')} ms, {s} at {n} streams",
                             sa[key][q + "_ms"], sb[key][q + "_ms"]))
        rows.append((f"loss %, {s} at {n} streams", 100 * sa["loss"], 100 * sb["loss"]))
    for s in scen_all:
        fa = runs["samvei"].get(s, {}).get("first_over_limit")
        fb = runs["janus"].get(s, {}).get("first_over_limit")
        rows.append((f"forwarded streams at the first step over a limit, {s}",
                     fa and fa["forwarded_streams"], fb and fb["forwarded_streams"]))
    ma, mb = runs["samvei"].get("memory", {}), runs["janus"].get("memory", {})
    sa, sb = slope(ma.get("memory_points", [])), slope(mb.get("memory_points", []))
    rows.append(("memory per participant, kB PSS (audio-only 1:1)", sa, sb))
    ca, cb = ma.get("churn") or {}, mb.get("churn") or {}
    da = ca["pss_after_kb"] - ca["pss_before_kb"] if ca else None
    db = cb["pss_after_kb"] - cb["pss_before_kb"] if cb else None
    fa = ca["pss_before_kb"] - ca["pss_full_kb"] if ca.get("pss_full_kb") else None
    fb = cb["pss_before_kb"] - cb["pss_full_kb"] if cb.get("pss_full_kb") else None
    rows.append(("PSS change when all but 20 participants had left, kB (negative: given back)",
                 fa, fb))
    cyc = ca.get("join_leave_cycles") or cb.get("join_leave_cycles") or "the"
    rows.append((f"PSS drift after {cyc} join/leave cycles, kB", da, db))
    rows.append(("join time p50 ms (WebSocket to ICE + DTLS up)", ma.get("join", {}).get("p50_ms"),
                 mb.get("join", {}).get("p50_ms")))
    rows.append(("join time p99 ms", ma.get("join", {}).get("p99_ms"), mb.get("join", {}).get("p99_ms")))
    rows.append(("server CPU ms per join", ma.get("join_cpu_ms"), mb.get("join_cpu_ms")))
    n, sa, sb = top_step(runs, "simulcast")
    if n:
        rows.append((f"layers received, simulcast at {n} streams (video streams per layer)",
                     layer_text(sa), layer_text(sb)))
        rows.append((f"RTX and probe packets/s, simulcast at {n} streams", sa.get("rtx_pps"),
                     sb.get("rtx_pps")))
        rows.append((f"transport-cc feedback packets/s, simulcast at {n} streams",
                     sa.get("feedback_pps"), sb.get("feedback_pps")))
    for label, a, b in rows:
        w(f"| {label} | {fmt(a)} | {fmt(b)} | {ratio(a, b)} |")
    w("")
    simulcast_section(w, runs)

    # ---- plots
    p1 = plot(plots, runs, scen_all, "server_cpu_frac", "server CPU (fraction of one core)",
              "cpu.png", "Server CPU against forwarded streams")
    p2 = plot(plots, runs, scen_all, lambda s: s["latency"]["p99_ms"], "p99 latency (ms)",
              "latency.png", "p99 latency (non-keyframe packets) against forwarded streams", log=True)
    w("## Plots")
    w("")
    if p1:
        w(f"![Server CPU against forwarded streams]({rel}/cpu.png)")
        w("")
    if p2:
        w(f"![p99 latency against forwarded streams]({rel}/latency.png)")
        w("")

    # ---- per-step detail
    w("## Every step")
    w("")
    w("| server | scenario | streams | fwd pkt/s | server CPU % | CPU ms/1k pkt | p50 ms | p99 ms "
      "| key p99 ms | loss % | generator CPU % |")
    w("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for s in scen_all:
        for server in SERVERS:
            for st in runs[server].get(s, {}).get("steps", []):
                w(f"| {server} | {s} | {st['forwarded_streams']} | {st['forwarded_pps']:.0f} | "
                  f"{100 * st['server_cpu_frac']:.1f} | {1000 * st['cpu_s_per_1000_pkts']:.2f} | "
                  f"{st['latency']['p50_ms']:.2f} | {st['latency']['p99_ms']:.2f} | "
                  f"{st['latency_keyframe']['p99_ms']:.2f} | {100 * st['loss']:.3f} | "
                  f"{100 * st.get('loadgen_cpu_frac', 0):.0f} |")
    w("")
    for server in SERVERS:
        for s in scen_all + ["memory"]:
            run = runs[server].get(s)
            if run:
                w(f"- {server} {s}: stopped because: {run.get('stop_reason')}.")
    w("")

    # ---- profile
    w("## Hot path (callgrind, self cost, 1:1 at low load)")
    w("")
    w("callgrind counts user-space instructions only: the kernel's work in the socket calls is in "
      "the CPU seconds above, not here. NSS's `libfreeblpriv3.so` ships without symbols, so its "
      "functions show as addresses.")
    w("")
    for server in SERVERS:
        c = cg.get(server, {})
        if not c.get("top"):
            w(f"- {server}: no profile in this run.")
            continue
        w(f"**{server}**: {c.get('ir_window') or 0:,} instructions for "
          f"{fmt(c.get('forwarded_packets'), 0)} forwarded packets.")
        w("")
        w("| % | function | object |")
        w("|---:|---|---|")
        for t in c["top"][:10]:
            w(f"| {t['pct']:.1f} | `{t['function']}` | {t['object']} |")
        w("")
    w("## System calls per forwarded packet")
    w("")
    if not (sca.get("per_packet") or scb.get("per_packet")):
        w("Not counted in this run (no `perf` with syscall tracepoints).")
    else:
        w(f"Each server with {sca.get('rooms') or scb.get('rooms')} 1:1 rooms, counted by the "
          "kernel's syscall tracepoints (`perf stat -e syscalls:sys_enter_*`, all threads) over "
          "one window, divided by the packets the subscribers received in it.")
        w("")
        w("| system call | samvei | Janus |")
        w("|---|---:|---:|")
        names = sorted(set(sca.get("per_packet", {})) | set(scb.get("per_packet", {})),
                       key=lambda n: -(sca.get("per_packet", {}).get(n, 0)
                                       + scb.get("per_packet", {}).get(n, 0)))
        for n in names:
            w(f"| `{n}` | {fmt(sca.get('per_packet', {}).get(n), 2)} | "
              f"{fmt(scb.get('per_packet', {}).get(n), 2)} |")
        w(f"| all counted | {fmt(sca.get('total'), 2)} | {fmt(scb.get('total'), 2)} |")
    w("")
    w("## What to optimise next")
    w("")
    w(advice(cg.get("samvei", {}).get("top"), sca))
    w("")
    w(floor_text(runs, scen_all))
    w("")

    # ---- noise
    w("## How noisy the runs were")
    w("")
    w("The CPU cost of one packet should not depend on the load, so its spread over a ramp's steps "
      "(coefficient of variation) is a measure of noise:")
    w("")
    for server in SERVERS:
        parts = []
        for s in scen_all:
            xs = [x["cpu_s_per_1000_pkts"] for x in usable_steps(runs[server].get(s, {}))]
            c = cv(xs)
            if c is not None:
                parts.append(f"{s} {100 * c:.0f}% over {len(xs)} steps")
        w(f"- {server}: " + (", ".join(parts) if parts else "too few steps to say") + ".")
    w("")
    for server in SERVERS:
        flips = 0
        for s in scen_all:
            st = runs[server].get(s, {}).get("steps", [])
            flips += sum(1 for a, b in zip(st, st[1:]) if a.get("over_limit") and not b.get("over_limit"))
        w(f"- {server}: {flips} step(s) over a limit followed by a heavier step within the limits "
          "(a spike, not a capacity limit).")
    peak = max([st["server_cpu_frac"] for sv in SERVERS for s in scen_all
                for st in runs[sv].get(s, {}).get("steps", [])] or [0])
    gen = [(st.get("loadgen_cpu_frac", 0), st["server_cpu_frac"]) for sv in SERVERS for s in scen_all
           for st in runs[sv].get(s, {}).get("steps", []) if st["server_cpu_frac"] > 0]
    w("")
    if peak < 0.8:
        w(f"No ramp reached a server's CPU limit: the busiest step used {100 * peak:.0f}% of the "
          "server's core. The ramps stopped at latency or loss spikes (or at the run's limits), so "
          "the capacity at which either server saturates is not measured here; the CPU cost per "
          "packet is the number to compare, and packets/s per core is its extrapolation.")
        w("")
    if gen:
        g = statistics.median(a / b for a, b in gen)
        w(f"The load generator used {g:.1f}× the server's CPU in the median step: it receives "
          "every forwarded packet through the same libnice/GLib receive path as the server, so it "
          "is not much cheaper per packet than the server, and its core fills about as fast as the "
          "server's. Making it cheaper (reading its sockets in batches once ICE is done) is what "
          "would let one generator core drive a server to saturation.")
        w("")
    w("The machine has 2 cores and was shared with other work during the run (test suites, "
      "browsers), which the pinning cannot keep off the two cores: the load average at the end "
      f"of the run was {m.get('loadavg_end', '?')}. Latency is hit hardest, because every "
      "preemption of the server or the generator shows up in the tail; CPU seconds per packet is "
      "the steadier measure. The CPU clock ticks at 10 ms, so short windows at low load carry a "
      "few percent of rounding error. Treat differences under about 20% as noise.")
    w("")
    with open(doc, "w") as f:
        f.write("\n".join(L))


def simulcast_section(w, runs):
    """Per step of the simulcast scenario: what it cost and which layers the
    viewers received; then each viewer of the heaviest step."""
    if not (runs["samvei"].get("simulcast") or runs["janus"].get("simulcast")):
        return
    w("## Simulcast")
    w("")
    w("The cost of layer selection: samvei runs a bandwidth estimator per viewer on its "
      "transport-cc feedback, picks a layer with hysteresis, switches at keyframes, rewrites "
      "sequence numbers, timestamps and VP8 picture IDs, and probes with RTX; Janus forwards the "
      "substream each viewer asked for (the feedback reaches it too, but its VideoRoom does not "
      "choose layers from it). Both receive all three layers "
      "(the load generator's publishers do not pause layers when samvei says nobody receives "
      "them). The virtual links only shape the arrival times reported in the feedback (a token "
      "bucket like the weak-link browser tests' `tc tbf`, 200 ms of queue); the packets "
      "themselves arrive at once, so loss and latency are the server's. CPU per packet counts "
      "forwarded media packets only; RTX and probe padding are counted apart. The arrival "
      "times in the feedback are the load generator's: when the machine is busy and the "
      "generator falls behind (it then skips frames, counted below), samvei's estimator sees "
      "that delay as congestion and moves viewers down, which Janus, asked for fixed layers, "
      "does not; compare steps where both servers' viewers got the layers their links call "
      "for.")
    w("")
    w("| server | streams | fwd pkt/s | CPU ms/1k pkt | layers (q · h · f · none) | as the link "
      "calls for | RTX pkt/s | feedback pkt/s | virtual-link drops | frames the generator skipped |")
    w("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|")
    for server in SERVERS:
        for st in runs[server].get("simulcast", {}).get("steps", []):
            lay = st.get("layers") or {}
            total = sum(lay.get(k, 0) for k in LAYERS + ["none"])
            w(f"| {server} | {st['forwarded_streams']} | {st['forwarded_pps']:.0f} | "
              f"{1000 * st['cpu_s_per_1000_pkts']:.2f} | {layer_text(st)} | "
              f"{lay.get('as_wanted', 0)} of {total} | {st.get('rtx_pps', 0):.0f} | "
              f"{st.get('feedback_pps', 0):.0f} | {st.get('virtual_link_drops', 0)} | "
              f"{st.get('frames_skipped', 0)} |")
    w("")
    for server in SERVERS:
        run = runs[server].get("simulcast", {})
        rec = run.get("receivers") or []
        if not rec:
            continue
        by = {}
        for r in rec:
            cap = f"{r['cap_kbps']} kbit/s" if r["cap_kbps"] else "no cap"
            for v in r["video"]:
                key = (cap, r["want_layer"], v["layer"])
                n, kbps = by.get(key, (0, 0.0))
                by[key] = (n + 1, kbps + v["kbps"])
        parts = [f"{cap} → {got} ({n}×, {kb / n:.0f} kbit/s{'' if got == want else f', wanted {want}'})"
                 for (cap, want, got), (n, kb) in sorted(by.items())]
        w(f"- {server}, last step: " + "; ".join(parts) + ".")
    w("")


def check(path):
    """The smoke test: every server produced numbers in every part of the run.
    Prints 'bench: N passed, N failed' and returns the failure count."""
    with open(path) as f:
        r = json.load(f)
    passed = failed = 0
    for server in SERVERS:
        runs = r["runs"][server]
        checks = []
        for scen, run in sorted(runs.items()):
            if scen == "memory":
                checks.append((f"{scen}: PSS points and joins",
                               len(run.get("memory_points", [])) >= 2 and run["join"]["samples"] > 0))
            else:
                checks.append((f"{scen}: forwarded packets and latency samples",
                               any(s["forwarded_pps"] > 0 and s["latency_all"]["samples"] > 0
                                   for s in run.get("steps", []))))
            if scen == "simulcast":
                checks.append((f"{scen}: video layers seen by the viewers",
                               any(sum((s.get("layers") or {}).get(k, 0) for k in LAYERS) > 0
                                   for s in run.get("steps", []))))
        checks.append(("callgrind: instructions per packet",
                       bool(r["callgrind"].get(server, {}).get("ir_per_packet"))))
        if len(runs) < 2:
            checks.append(("ran its scenarios", False))
        for name, ok in checks:
            print(f"bench: {server} {name}: {'ok' if ok else 'FAILED'}")
            passed += ok
            failed += not ok
    print(f"bench: {passed} passed, {failed} failed")
    return failed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--collect")
    ap.add_argument("--quick", default="0")
    ap.add_argument("--render")
    ap.add_argument("--doc")
    ap.add_argument("--plots")
    ap.add_argument("--check")
    a = ap.parse_args()
    if a.check:
        sys.exit(1 if check(a.check) else 0)
    elif a.collect:
        collect(a.collect, a.quick)
    elif a.render and a.doc and a.plots:
        render(a.render, a.doc, a.plots)
    else:
        ap.error("give --collect DIR or --render FILE --doc DOC --plots DIR")


if __name__ == "__main__":
    main()
