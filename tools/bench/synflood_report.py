#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Report of tools/bench/synflood: reads its work directory (every run's generator JSON,
target logs, /proc snapshots and 0.5 s samples), prints the table, writes one JSON with
everything and a PNG (SYN-ACK rate and legitimate connect p99 over time, dtcp and Linux).

  synflood_report.py --work DIR --json FILE [--png FILE]

Exit status 0 when every phase that was asked for produced its figures, 1 otherwise (the
reasons are printed). Not meant to be run by hand except to redo a report from a work
directory kept with tools/bench/synflood --keep.
"""
import argparse
import glob
import json
import os
import re
import statistics
import sys

KIND_LABEL = {
    "dtcp-afp": "dtcp af_packet",
    "linux-afp": "Linux af_packet-veth (kernel)",
    "dtcp-vhost": "dtcp kernel-free (vhost)",
    "fwd-vhost": "raw forwarder ceiling (vhost)",
}
KINDS = ["dtcp-afp", "linux-afp", "dtcp-vhost", "fwd-vhost"]
CPU_FIELDS = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"]


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def kv_file(path):
    out = {}
    for line in read(path).splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            out[k] = v
    return out


def num(v):
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return int(f) if f.is_integer() and "." not in str(v) else f


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def counters(text):
    """'name value' lines (dtcp-server's and the Linux server's exit counters)."""
    out = {}
    for line in text.splitlines():
        f = line.split()
        if len(f) == 2 and re.fullmatch(r"[a-z0-9_]+", f[0]) and f[1].isdigit():
            out[f[0]] = int(f[1])
    return out


def telemetry(text, cmd="/dtcp/stats"):
    """The reply to cmd in dpdk-telemetry.py's output (one JSON object per line)."""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                d = json.loads(line)
            except ValueError:
                continue
            v = d.get(cmd)
            if isinstance(v, dict):
                return {k: x for k, x in v.items() if isinstance(x, (int, float))}
    return None


def softnet(text):
    """/proc/net/softnet_stat: per CPU, packets processed and dropped (backlog full)."""
    out = []
    for line in text.splitlines():
        f = [int(x, 16) for x in line.split()]
        if len(f) >= 2:
            out.append({"processed": f[0], "dropped": f[1]})
    return out


def meminfo(text):
    out = {}
    for line in text.splitlines():
        m = re.match(r"(\w+):\s+(\d+)", line)
        if m:
            out[m.group(1)] = int(m.group(2))
    return out


def status_kb(text, key):
    m = re.search(rf"^{key}:\s+(\d+) kB", text, re.M)
    return int(m.group(1)) if m else None


def sockstat(text):
    """/proc/net/sockstat: {'TCP': {'inuse': .., 'orphan': .., 'tw': .., 'alloc': .., 'mem': ..}}"""
    out = {}
    for line in text.splitlines():
        if ":" not in line:
            continue
        name, rest = line.split(":", 1)
        f = rest.split()
        out[name] = {f[i]: int(f[i + 1]) for i in range(0, len(f) - 1, 2) if f[i + 1].isdigit()}
    return out


def snmp_pairs(text):
    """/proc/net/netstat and /proc/net/snmp: header/value line pairs -> {'TcpExt': {...}}"""
    out, lines = {}, text.splitlines()
    for h, v in zip(lines[::2], lines[1::2]):
        hn, hf = h.split(":", 1)
        vn, vf = v.split(":", 1)
        if hn == vn:
            out[hn] = {k: int(x) for k, x in zip(hf.split(), vf.split())
                       if re.fullmatch(r"-?\d+", x)}
    return out


def diff(a, b):
    if not a or not b:
        return None
    return {k: b[k] - a.get(k, 0) for k in b if isinstance(b[k], (int, float))
            and b[k] - a.get(k, 0) != 0}


# ---------------------------------------------------------------------------------------
# 0.5 s samples: T uptime / P pid-stat fields / C cpu lines / N netdev

def load_samples(path):
    samples, cur = [], None
    for line in read(path).splitlines():
        tag, _, rest = line.partition(" ")
        if tag == "T":
            cur = {"t": float(rest), "cpu": {}, "net": None, "proc": None}
            samples.append(cur)
        elif cur is None:
            continue
        elif tag == "P":
            f = rest.split()
            # fields after "(comm)": state is f[0], utime f[11], stime f[12] (stat 14, 15)
            if len(f) > 21:
                cur["proc"] = {"utime": int(f[11]), "stime": int(f[12]),
                               "rss_pages": int(f[21])}
        elif tag == "C":
            f = rest.split()
            cur["cpu"][f[0]] = [int(x) for x in f[1:9]]
        elif tag == "N":
            f = rest.split()
            if len(f) >= 10:
                cur["net"] = {"rx_packets": int(f[1]), "rx_dropped": int(f[3]),
                              "tx_packets": int(f[9]), "tx_dropped": int(f[11])}
    return [s for s in samples if s["cpu"]]


def window_usage(samples, t0, t1, hz):
    """CPU and netdev use between the first sample at or after t0 and the last at or
    before t1."""
    inside = [s for s in samples if t0 <= s["t"] <= t1]
    if len(inside) < 2:
        return None
    a, b = inside[0], inside[-1]
    dt = b["t"] - a["t"]
    if dt <= 0:
        return None
    out = {"from_uptime": a["t"], "to_uptime": b["t"], "seconds": round(dt, 2), "cpus": {}}
    if a["proc"] and b["proc"]:
        dj = (b["proc"]["utime"] + b["proc"]["stime"]) - (a["proc"]["utime"] + a["proc"]["stime"])
        out["process_cpu_pct"] = round(100.0 * dj / hz / dt, 1)
        out["process_user_pct"] = round(100.0 * (b["proc"]["utime"] - a["proc"]["utime"]) / hz / dt, 1)
        out["process_sys_pct"] = round(100.0 * (b["proc"]["stime"] - a["proc"]["stime"]) / hz / dt, 1)
    for name in b["cpu"]:
        if name not in a["cpu"]:
            continue
        d = [y - x for x, y in zip(a["cpu"][name], b["cpu"][name])]
        tot = sum(d)
        if tot <= 0:
            continue
        out["cpus"][name] = {k: round(100.0 * v / tot, 1) for k, v in zip(CPU_FIELDS, d)}
    if a["net"] and b["net"]:
        out["netdev_per_s"] = {k: round((b["net"][k] - a["net"][k]) / dt)
                               for k in a["net"]}
    return out


# ---------------------------------------------------------------------------------------
# The generator's timeline: per-interval rates whether it reports cumulative counts or
# counts per interval.

def timeline_series(gen):
    tl = (gen or {}).get("timeline") or []
    if not tl:
        return []
    tot = (gen.get("totals") or {})
    keys = ["syn_sent", "synack_rx", "rst_rx", "rx_frames", "legit_ok", "legit_failed"]
    # Cumulative when every counter is non-decreasing and the last entry is the total.
    cumulative = all(
        all((tl[i].get(k) or 0) <= (tl[i + 1].get(k) or 0) for i in range(len(tl) - 1))
        for k in keys if k in tl[0])
    if cumulative and "synack_rx" in tot and len(tl) > 1:
        last = tl[-1].get("synack_rx") or 0
        cumulative = abs(last - tot["synack_rx"]) <= max(1, 0.05 * tot["synack_rx"])
    out, prev_t, prev = [], 0.0, {k: 0 for k in keys}
    for e in tl:
        t = float(e.get("t", 0))
        dt = e.get("len_s") or (t - prev_t if t > prev_t else None)
        row = {"t": t}
        for k in keys:
            v = e.get(k)
            if v is None:
                continue
            cnt = v - prev[k] if cumulative else v
            row[k + "_per_s"] = cnt / dt if dt else None
            prev[k] = v
        row["connect_p99_us"] = e.get("connect_p99_us")
        out.append(row)
        prev_t = t
    return out


# ---------------------------------------------------------------------------------------
# One run

def testpmd_stats(text):
    """The 'Accumulated forward statistics' block (or port 0's) of testpmd's exit output."""
    out = {}
    blocks = re.split(r"[-+]{5,}\s*(Forward statistics for port \d+|Accumulated forward "
                      r"statistics for all ports)\s*[-+]{5,}", text)
    for i in range(1, len(blocks) - 1, 2):
        name = "all" if blocks[i].startswith("Accumulated") else "port0"
        body = blocks[i + 1]
        vals = {k.lower().replace("-", "_"): int(v)
                for k, v in re.findall(r"([A-Za-z-]+):\s+(\d+)", body)}
        out.setdefault(name, vals)
    return out


def load_run(d, meta):
    info = kv_file(os.path.join(d, "info"))
    kind = info.get("kind")
    hz = int(meta.get("hz", 100))
    duration = float(meta.get("duration", 0))
    r = {"kind": kind, "label": KIND_LABEL.get(kind, kind), "dir": os.path.basename(d),
         "rep": num(info.get("rep")), "order": num(info.get("order")),
         "target_cmd": info.get("target_cmd"), "gen_cmd": info.get("gen_cmd"),
         "server_config": info.get("server_config"),
         "gen_rc": info.get("gen_rc"), "target_rc": info.get("target_rc")}
    sysctl = {k[len("sysctl_"):]: v for k, v in info.items() if k.startswith("sysctl_")}
    if sysctl:
        r["sysctl"] = sysctl
    problems = []
    if info.get("error"):
        problems.append(info["error"])
    gen = None
    try:
        with open(os.path.join(d, "gen.json")) as f:
            gen = json.load(f)
    except (OSError, ValueError) as e:
        if not info.get("error"):
            tail = [l for l in read(os.path.join(d, "gen.err")).splitlines()
                    if not l.startswith("EAL:")][-3:]
            problems.append(f"no generator JSON ({type(e).__name__}; exit "
                            f"{info.get('gen_rc')}): {' / '.join(tail)}")
    r["generator"] = gen
    if info.get("gen_rc") not in (None, "0") and gen is not None:
        problems.append(f"generator exit {info.get('gen_rc')}")
    if kind != "fwd-vhost" and info.get("target_rc") not in (None, "0"):
        problems.append(f"target exit {info.get('target_rc')}")

    # The flood window: from the generator's "flooding" line when it printed one, else
    # its exit time less the duration; 0.5 s trimmed at each end.
    t_exit = num(info.get("t_gen_exit"))
    t_start = num(info.get("t_flood_start"))
    if t_start is None and t_exit is not None:
        t_start = t_exit - float((gen or {}).get("duration_s") or duration)
    usage = None
    if t_start is not None and t_exit is not None:
        end = min(t_start + duration, t_exit)
        trim = 0.5 if end - t_start >= 3 else 0.0
        usage = window_usage(load_samples(os.path.join(d, "samples")), t_start + trim,
                             end - trim, hz)
        if usage is not None:
            usage["window_from"] = "generator log" if info.get("t_flood_start") else \
                "generator exit - duration"
    r["cpu"] = usage

    # Memory and counters before/after the flood.
    snap = {}
    for when in ("before", "after"):
        sd = os.path.join(d, when)
        st = read(os.path.join(sd, "status"))
        mi = meminfo(read(os.path.join(sd, "meminfo")))
        snap[when] = {
            "vmrss_kb": status_kb(st, "VmRSS"), "vmhwm_kb": status_kb(st, "VmHWM"),
            "slab_kb": mi.get("Slab"), "sunreclaim_kb": mi.get("SUnreclaim"),
            "hugepages_free": mi.get("HugePages_Free"),
            "sockstat": sockstat(read(os.path.join(sd, "sockstat"))) or None,
            "netstat": snmp_pairs(read(os.path.join(sd, "netstat"))) or None,
            "snmp": snmp_pairs(read(os.path.join(sd, "snmp"))) or None,
            "telemetry": telemetry(read(os.path.join(sd, "telemetry"))),
            "ethdev": telemetry(read(os.path.join(sd, "telemetry")), "/ethdev/stats"),
            "softnet": softnet(read(os.path.join(sd, "softnet_stat"))),
        }
    r["memory"] = {w: {k: v for k, v in snap[w].items()
                       if k in ("vmrss_kb", "vmhwm_kb", "slab_kb", "sunreclaim_kb",
                                "hugepages_free")}
                   for w in snap}
    for w in snap:
        ss = snap[w]["sockstat"] or {}
        r["memory"][w]["sockstat_tcp"] = ss.get("TCP")
        r["memory"][w]["sockstat_sockets_used"] = (ss.get("sockets") or {}).get("used")
    if kind == "linux-afp":
        a, b = snap["before"], snap["after"]
        ext = diff((a["netstat"] or {}).get("TcpExt"), (b["netstat"] or {}).get("TcpExt")) or {}
        tcp = diff((a["snmp"] or {}).get("Tcp"), (b["snmp"] or {}).get("Tcp")) or {}
        r["kernel_counters_during_run"] = {
            "TcpExt": {k: v for k, v in ext.items()
                       if re.search(r"Syncookie|Listen|ReqQ|SYN|Backlog|Drop|Overflow", k)},
            "Tcp": tcp}
        r["syn_recv_sockets_after"] = len(read(os.path.join(d, "after", "syn_recv"))
                                          .splitlines())
    a, b = snap["before"]["softnet"], snap["after"]["softnet"]
    if a and b and len(a) == len(b):
        r["softnet_during_run"] = [{k: y[k] - x[k] for k in x} for x, y in zip(a, b)]
    if kind in ("dtcp-afp", "dtcp-vhost"):
        r["telemetry_during_run"] = diff(snap["before"]["telemetry"],
                                         snap["after"]["telemetry"])
        r["ethdev_during_run"] = diff(snap["before"]["ethdev"], snap["after"]["ethdev"])
        tel = snap["before"]["telemetry"] or {}
        r["busy_idle_counters"] = sorted(k for k in tel
                                         if re.search(r"busy|idle|poll|cycle", k))
    out_txt = read(os.path.join(d, "target.out"))
    if kind == "fwd-vhost":
        r["testpmd"] = testpmd_stats(out_txt)
    else:
        r["target_counters"] = counters(out_txt)

    # Figures for the table.
    f = {}
    if gen:
        rates, legit = gen.get("rates") or {}, gen.get("legit") or {}
        cu = legit.get("connect_us") or {}
        f = {"syn_per_s": rates.get("syn_per_s"), "synack_per_s": rates.get("synack_per_s"),
             "rx_frames_per_s": rates.get("rx_frames_per_s"),
             "answered_pct": rates.get("answered_pct"),
             "legit_success_pct": legit.get("success_pct"),
             "connect_p50_us": cu.get("p50") if cu.get("count") else None,
             "connect_p99_us": cu.get("p99") if cu.get("count") else None,
             "connect_count": cu.get("count"),
             "legit_attempted": (gen.get("totals") or {}).get("legit_attempted"),
             "rate_requested": gen.get("rate_requested")}
        if kind == "fwd-vhost":
            f["returned_per_s"] = rates.get("rx_frames_per_s")
    if usage:
        f["process_cpu_pct"] = usage.get("process_cpu_pct")
        f["cpus"] = usage.get("cpus")
    m = r["memory"]
    f["rss_kb"] = [m["before"]["vmrss_kb"], m["after"]["vmrss_kb"]]
    f["slab_kb"] = [m["before"]["slab_kb"], m["after"]["slab_kb"]]
    f["tcp_mem_pages"] = [(m["before"]["sockstat_tcp"] or {}).get("mem"),
                          (m["after"]["sockstat_tcp"] or {}).get("mem")]
    r["figures"] = f
    r["timeline"] = timeline_series(gen)
    # Per-second view of the flood (the generator's intervals up to the flood's end): the
    # seconds in which it got no SYN out at all (it or the target starved of CPU by other
    # work, or its TX ring stuck), which pull the whole-run rates down, and the median of
    # the other seconds.
    flood_s = [e for e in r["timeline"]
               if e["t"] <= float((gen or {}).get("duration_s") or duration) + 0.01]
    if flood_s:
        key = "rx_frames_per_s" if kind == "fwd-vhost" else "synack_rx_per_s"
        f["median_second_per_s"] = median([e.get(key) for e in flood_s
                                           if e.get("syn_sent_per_s")])
        f["stalled_seconds"] = sum(1 for e in flood_s if not e.get("syn_sent_per_s"))
    if gen is not None and not gen.get("rates"):
        problems.append("generator JSON without rates")
    r["problems"] = problems
    r["ok"] = not problems and gen is not None
    return r


# ---------------------------------------------------------------------------------------
# Summary

def summarize(runs):
    rows = {}
    for kind in KINDS:
        rs = [r for r in runs if r["kind"] == kind]
        if not rs:
            continue
        ok = [r for r in rs if r["ok"]]
        row = {"kind": kind, "label": KIND_LABEL[kind], "runs": len(rs), "runs_ok": len(ok)}
        for k in ("syn_per_s", "synack_per_s", "rx_frames_per_s", "answered_pct",
                  "legit_success_pct", "connect_p50_us", "connect_p99_us", "process_cpu_pct",
                  "returned_per_s", "median_second_per_s", "stalled_seconds"):
            vals = [r["figures"].get(k) for r in ok]
            row[k] = median(vals)
            if len(ok) > 1 and any(v is not None for v in vals):
                row[k + "_all"] = vals
        for k in ("rss_kb", "slab_kb", "tcp_mem_pages"):
            row[k] = [median([r["figures"][k][i] for r in ok]) for i in (0, 1)] if ok else None
        cpus = {}
        for c in ("cpu0", "cpu1"):
            for fld in ("user", "system", "softirq", "irq", "idle", "steal"):
                v = median([((r["figures"].get("cpus") or {}).get(c) or {}).get(fld)
                            for r in ok])
                if v is not None:
                    cpus.setdefault(c, {})[fld] = v
        row["cpus"] = cpus
        # Core 1's user + system time not spent by the target process: other work on the
        # target's core (the machine's noise), per run, median.
        row["core1_other_pct"] = median([core1_other(r) for r in ok])
        # Rate per CPU-second of the target process (what it would do with a whole core;
        # meaningful where the target does all its work in its own process: vhost).
        if kind in ("dtcp-vhost", "fwd-vhost"):
            key = "returned_per_s" if kind == "fwd-vhost" else "synack_per_s"
            row["per_process_cpu_s"] = median([
                r["figures"][key] / (r["figures"]["process_cpu_pct"] / 100.0)
                for r in ok if r["figures"].get(key) and r["figures"].get("process_cpu_pct")])
        rows[kind] = row
    return rows


def core1_other(r):
    """User time on core 1 that is not the target process's: other programs (noise).
    (System time cannot be split the same way: with tick-based accounting the kernel
    charges softirq work to whichever task it interrupted, so the target's stime holds
    some of core 1's softirq time.)"""
    c1 = ((r["figures"].get("cpus") or {}).get("cpu1")) or {}
    p = (r.get("cpu") or {}).get("process_user_pct")
    if not c1 or p is None:
        return None
    return max(0.0, round(c1["user"] + c1["nice"] - p, 1))


def ratios(rows, runs):
    out = {}
    d, l = rows.get("dtcp-afp"), rows.get("linux-afp")
    if d and l:
        if d["synack_per_s"] is not None and l["synack_per_s"]:
            out["synack_rate_dtcp_over_linux"] = d["synack_per_s"] / l["synack_per_s"]
        if d["connect_p99_us"] is not None and l["connect_p99_us"]:
            out["legit_p99_dtcp_over_linux"] = d["connect_p99_us"] / l["connect_p99_us"]
        if d["connect_p50_us"] is not None and l["connect_p50_us"]:
            out["legit_p50_dtcp_over_linux"] = d["connect_p50_us"] / l["connect_p50_us"]
    c, f = rows.get("dtcp-vhost"), rows.get("fwd-vhost")
    if c and f and c["synack_per_s"] is not None and f["returned_per_s"]:
        out["kernel_free_over_ceiling"] = c["synack_per_s"] / f["returned_per_s"]
        # The same ratio within each rep (the two runs next to each other in time).
        per = []
        for rep in sorted({r["rep"] for r in runs if r["kind"] == "dtcp-vhost"}):
            a = [r for r in runs if r["kind"] == "dtcp-vhost" and r["rep"] == rep and r["ok"]]
            b = [r for r in runs if r["kind"] == "fwd-vhost" and r["rep"] == rep and r["ok"]]
            if a and b and a[0]["figures"].get("synack_per_s") is not None and \
                    b[0]["figures"].get("returned_per_s"):
                per.append(a[0]["figures"]["synack_per_s"] / b[0]["figures"]["returned_per_s"])
        if per:
            out["kernel_free_over_ceiling_per_rep"] = per
            out["kernel_free_over_ceiling_median_of_reps"] = median(per)
        if c.get("median_second_per_s") and f.get("median_second_per_s"):
            out["kernel_free_over_ceiling_median_second"] = c["median_second_per_s"] / \
                f["median_second_per_s"]
        if c.get("per_process_cpu_s") and f.get("per_process_cpu_s"):
            out["kernel_free_over_ceiling_per_cpu_s"] = c["per_process_cpu_s"] / \
                f["per_process_cpu_s"]
        out["kernel_free_goal"] = 0.80
        out["kernel_free_goal_met"] = out["kernel_free_over_ceiling"] >= 0.80
    return out


def callgrind(work):
    d = os.path.join(work, "callgrind")
    if not os.path.isdir(d):
        return None
    info = kv_file(os.path.join(d, "info"))
    out = {"command": info.get("cmd"), "syns": num(info.get("syns"))}
    if info.get("skipped"):
        out["skipped"] = info["skipped"]
        return out
    if info.get("error"):
        out["error"] = info["error"]
        return out
    txt = read(os.path.join(d, "callgrind.out"))
    m = re.search(r"^events:\s*(.*)$", txt, re.M)
    events = m.group(1).split() if m else ["Ir"]
    tot = None
    for key in ("totals", "summary"):
        m = re.search(rf"^{key}:\s*(.*)$", txt, re.M)
        if m:
            tot = [int(x) for x in m.group(1).split()]
            break
    if info.get("rc") != "0" or tot is None:
        tail = [l for l in read(os.path.join(d, "err")).splitlines()
                if not l.startswith(("EAL:", "=="))][-3:]
        out["error"] = f"exit {info.get('rc')}, no totals: {' / '.join(tail)}"
        return out
    ir = tot[events.index("Ir")] if "Ir" in events else tot[0]
    out["ir_total"] = ir
    out["ir_per_syn"] = ir / out["syns"] if out["syns"] else None
    out["note"] = ("valgrind's simulated CPU (no AVX-512): runtime-dispatched DPDK code may "
                   "take other paths than natively; only syncookie_bench_loop and what it "
                   "calls is counted")
    return out


# ---------------------------------------------------------------------------------------
# Output

def fmt(v, spec=",.0f", none="-"):
    return none if v is None else format(v, spec)


def cpu_txt(row):
    """Core 1 (/proc/stat): user, system, softirq, idle, and other programs' user time."""
    c1 = (row.get("cpus") or {}).get("cpu1") or {}
    if not c1:
        return "-"
    txt = (f"usr {fmt(c1.get('user'), '.0f')} sys {fmt(c1.get('system'), '.0f')} "
           f"si {fmt(c1.get('softirq'), '.0f')} idle {fmt(c1.get('idle'), '.0f')}")
    if (row.get("core1_other_pct") or 0) >= 1:
        txt += f" oth {row['core1_other_pct']:.0f}"
    if (c1.get("steal") or 0) >= 1:
        txt += f" st {c1['steal']:.0f}"
    return txt


def mem_txt(row):
    if row["kind"] == "linux-afp":
        s, t = row.get("slab_kb") or [None, None], row.get("tcp_mem_pages") or [None, None]
        return (f"slab {fmt(s[0] and s[0] / 1024, '.1f')}->{fmt(s[1] and s[1] / 1024, '.1f')} MB, "
                f"tcp {fmt(t[0], 'd')}->{fmt(t[1], 'd')} pg")
    r = row.get("rss_kb") or [None, None]
    return f"RSS {fmt(r[0] and r[0] / 1024, '.1f')}->{fmt(r[1] and r[1] / 1024, '.1f')} MB"


def print_table(meta, rows, rat, cg, runs):
    print()
    print(f"SYN flood, {meta.get('date')}: veth {meta.get('duration')} s at "
          f"{int(meta.get('rate', 0)):,} SYN/s offered + {meta.get('legit_rate')} legitimate "
          f"connections/s (GET {meta.get('legit_path')}); vhost --rate max, flood only, "
          f"{meta.get('runs')} run(s) each, medians")
    hdr = (f"{'target':<31} {'SYN/s sent':>11} {'SYN-ACK/s':>11} {'answ %':>7} "
           f"{'legit %':>8} {'conn p50/p99 us':>17} {'proc CPU':>8}  {'core 1 %':<28} "
           f"{'memory before->after':<30} runs")
    print(hdr)
    print("-" * len(hdr))
    for kind in KINDS:
        row = rows.get(kind)
        if not row:
            continue
        synack = row["returned_per_s"] if kind == "fwd-vhost" else row["synack_per_s"]
        lat = (f"{fmt(row['connect_p50_us'], ',.0f')}/{fmt(row['connect_p99_us'], ',.0f')}"
               if row.get("connect_p50_us") is not None else "-")
        answered = row["answered_pct"] if kind != "fwd-vhost" else None
        print(f"{row['label']:<31} {fmt(row['syn_per_s']):>11} {fmt(synack):>11} "
              f"{fmt(answered, '.1f'):>7} {fmt(row['legit_success_pct'], '.1f'):>8} "
              f"{lat:>17} {fmt(row['process_cpu_pct'], '.0f'):>7}%  {cpu_txt(row):<28} "
              f"{mem_txt(row):<30} {row['runs_ok']}/{row['runs']}")
    if "fwd-vhost" in rows:
        print("  (the ceiling's SYN-ACK/s column is the frames it returned a second: every SYN,"
              " MACs swapped)" if meta.get("fwd_mode") == "macswap" else
              "  (the ceiling's SYN-ACK/s column is the frames it returned a second)")
    print()
    if "synack_rate_dtcp_over_linux" in rat:
        print(f"dtcp / Linux, same veth path and flood: SYN-ACK rate "
              f"{rat['synack_rate_dtcp_over_linux']:.2f}x"
              + (f", legit connect p99 {rat['legit_p99_dtcp_over_linux']:.2f}x"
                 if "legit_p99_dtcp_over_linux" in rat else "")
              + (f", p50 {rat['legit_p50_dtcp_over_linux']:.2f}x"
                 if "legit_p50_dtcp_over_linux" in rat else ""))
    if "kernel_free_over_ceiling" in rat:
        per = rat.get("kernel_free_over_ceiling_per_rep") or []
        print(f"kernel-free SYN-ACK rate / raw forwarding ceiling: "
              f"{100 * rat['kernel_free_over_ceiling']:.0f}% (medians; per run pair: "
              f"{', '.join(f'{100 * x:.0f}%' for x in per)}); goal >= 80%: "
              f"{'met' if rat['kernel_free_goal_met'] else 'NOT met'}")
        if "kernel_free_over_ceiling_median_second" in rat:
            print(f"  the same from each run's median second (dtcp-server "
                  f"{rows['dtcp-vhost']['median_second_per_s']:,.0f}/s, dpdk-testpmd "
                  f"{rows['fwd-vhost']['median_second_per_s']:,.0f}/s): "
                  f"{100 * rat['kernel_free_over_ceiling_median_second']:.0f}%")
        if "kernel_free_over_ceiling_per_cpu_s" in rat:
            print(f"  the same per CPU-second of the target process (dtcp-server "
                  f"{rows['dtcp-vhost']['per_process_cpu_s']:,.0f} SYN-ACKs, dpdk-testpmd "
                  f"{rows['fwd-vhost']['per_process_cpu_s']:,.0f} frames): "
                  f"{100 * rat['kernel_free_over_ceiling_per_cpu_s']:.0f}%")
    if cg is not None:
        if cg.get("ir_per_syn") is not None:
            print(f"instructions per SYN on the cookie path (callgrind, {cg['syns']:,} SYNs, "
                  f"syncookies = always): {cg['ir_per_syn']:,.0f} Ir")
        else:
            print(f"instructions per SYN: not measured: {cg.get('skipped') or cg.get('error')}")
    for r in runs:
        c = cookie_line(r)
        if c:
            print(f"{r['dir']}: {c}")
        cpus = (r.get("cpu") or {}).get("cpus") or {}
        if r["kind"].endswith("-afp") and cpus:
            print(f"{r['dir']}: CPU % by core over the flood: " + "; ".join(
                f"{n} usr {v['user']:.0f} sys {v['system']:.0f} si {v['softirq']:.0f} "
                f"idle {v['idle']:.0f}" for n, v in sorted(cpus.items()) if n != "cpu"))
    if any(r.get("cpu") for r in runs):
        print("CPU over the flood: 'proc CPU' = the target process (/proc/PID/stat; dtcp-server "
              "and testpmd poll, so near 100% when")
        print("  busy; dtcp exports no busy/idle counters; softirq work done while the process "
              "ran is charged to it too); 'core 1 %'")
        print("  = /proc/stat for the target's core: si = softirq, the kernel's receive path "
              "(RPS-steered there: af_packet delivery")
        print("  for dtcp, all of TCP for Linux), oth = other programs' user time (noise); "
              "core 0 (the generator) is in the JSON")
    stalls = [f"{r['dir']} {r['figures']['stalled_seconds']} s" for r in runs
              if r["figures"].get("stalled_seconds")]
    if stalls:
        print(f"WARNING: seconds of the flood in which the generator sent no SYN at all: "
              f"{', '.join(stalls)} (the whole-run rates include them; the median-second "
              "figures do not)")
    noisy = [k for k, row in rows.items() if (row.get("core1_other_pct") or 0) > 10]
    if noisy:
        print(f"WARNING: other work took more than 10% of core 1 during "
              f"{', '.join(KIND_LABEL[k] for k in noisy)}: those figures are low; rerun on a "
              "quiet machine")


def cookie_line(r):
    """What the target's own counters say about the SYNs during the flood."""
    if r["kind"] in ("dtcp-afp", "dtcp-vhost"):
        t = r.get("telemetry_during_run") or {}
        keys = ["tcp_syncookies_sent", "tcp_syn_queue_overflows", "tcp_passive_opens",
                "tcp_syncookies_validated", "tcp_established", "drop_no_mbuf", "drop_tx_full",
                "drop_tcp_syn_backlog", "drop_tcp_table_full"]
        have = [f"{k} {t[k]:,}" for k in keys if t.get(k)]
        e = r.get("ethdev_during_run") or {}
        if e.get("ipackets") is not None:
            have.append(f"port 0 ipackets {e['ipackets']:,}, imissed {e.get('imissed', 0):,}")
        sn = r.get("softnet_during_run") or []
        if len(sn) > 1 and any(c["dropped"] for c in sn):
            have.append("backlog drops " + "/".join(f"{c['dropped']:,}" for c in sn))
        return "dtcp-server during the flood: " + (", ".join(have) if have else "no counters")
    if r["kind"] == "linux-afp":
        k = r.get("kernel_counters_during_run") or {}
        ext, tcp = k.get("TcpExt") or {}, k.get("Tcp") or {}
        keys = ["SyncookiesSent", "SyncookiesRecv", "SyncookiesFailed", "ListenOverflows",
                "ListenDrops", "TCPReqQFullDoCookies", "TCPReqQFullDrop", "TCPBacklogDrop"]
        have = [f"{x} {ext[x]:,}" for x in keys if ext.get(x)]
        if tcp.get("PassiveOpens"):
            have.append(f"PassiveOpens {tcp['PassiveOpens']:,}")
        sn = r.get("softnet_during_run") or []
        if len(sn) > 1 and any(c["dropped"] for c in sn):
            have.append("backlog drops " + "/".join(f"{c['dropped']:,}" for c in sn))
        return "Linux (T's TcpExt/Tcp) during the flood: " + (", ".join(have) if have else
                                                              "no counters")
    return None


def plot(runs, png, title):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("plot: python3-matplotlib not installed (tools/deps installs it); no PNG")
        return False
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
    colors = {"dtcp-afp": "tab:blue", "linux-afp": "tab:orange"}
    drawn = False
    for kind in ("dtcp-afp", "linux-afp"):
        rs = [r for r in runs if r["kind"] == kind and r["timeline"]]
        if not rs:
            continue
        r = rs[0]
        t = [e["t"] for e in r["timeline"]]
        ax1.plot(t, [e.get("synack_rx_per_s") for e in r["timeline"]], color=colors[kind],
                 label=f"{r['label']}: SYN-ACK/s")
        ax1.plot(t, [e.get("syn_sent_per_s") for e in r["timeline"]], color=colors[kind],
                 linestyle=":", linewidth=1, label=f"SYN/s sent (run against {kind.split('-')[0]})")
        ax2.plot(t, [e.get("connect_p99_us") for e in r["timeline"]], color=colors[kind],
                 marker=".", label=r["label"])
        drawn = True
    dur = max([float((r["generator"] or {}).get("duration_s") or 0) for r in runs
               if r["kind"].endswith("-afp")] or [0])
    if drawn and dur:
        for ax in (ax1, ax2):
            ax.axvline(dur, color="gray", linewidth=0.8, linestyle="--")
        ax1.annotate(" flood ends; clients drain", (dur, 0), fontsize=7, color="gray",
                     va="bottom")
    if not drawn:
        plt.close(fig)
        print("plot: no generator timeline from the veth phase; no PNG")
        return False
    ax1.set_ylabel("per second")
    ax1.set_title("SYN-ACKs received by the generator (and SYNs it sent)")
    ax1.legend(fontsize=8)
    ax1.grid(alpha=0.3)
    ax1.set_ylim(bottom=0)
    ax2.set_ylabel("microseconds")
    if any((e.get("connect_p99_us") or 0) > 0 for r in runs if r["kind"].endswith("-afp")
           for e in r["timeline"]):
        ax2.set_yscale("log")
    else:
        ax2.text(0.5, 0.5, "no legitimate connection completed", ha="center",
                 transform=ax2.transAxes)
    ax2.set_title("legitimate clients: connect latency p99 per interval")
    ax2.set_xlabel("seconds since the flood started")
    ax2.legend(fontsize=8)
    ax2.grid(alpha=0.3, which="both")
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    plt.close(fig)
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", required=True)
    ap.add_argument("--json", required=True)
    ap.add_argument("--png")
    a = ap.parse_args()
    meta = kv_file(os.path.join(a.work, "meta"))
    for k in ("duration", "rate", "legit_rate", "runs", "veth_runs", "syns", "ncpu", "hz",
              "elapsed_s"):
        if k in meta:
            meta[k] = num(meta[k])
    wanted = set(meta.get("phases", "").split(","))
    runs = [load_run(d, meta) for d in sorted(glob.glob(os.path.join(a.work, "runs", "*")))]
    rows = summarize(runs)
    rat = ratios(rows, runs)
    cg = callgrind(a.work)
    # Steal: what the hypervisor gave to others of our vCPUs over the whole run.
    s0 = read(os.path.join(a.work, "stat.start")).splitlines()
    s1 = read(os.path.join(a.work, "stat.end")).splitlines()
    if s0 and s1:
        d = [int(y) - int(x) for x, y in zip(s0[0].split()[1:9], s1[0].split()[1:9])]
        meta["steal_pct"] = round(100.0 * d[7] / sum(d), 2) if sum(d) else None

    print_table(meta, rows, rat, cg, runs)
    problems = []
    for r in runs:
        for p in r["problems"]:
            problems.append(f"{r['dir']}: {p}")
    if "veth" in wanted:
        for k in ("dtcp-afp", "linux-afp"):
            if not rows.get(k) or not rows[k]["runs_ok"]:
                problems.append(f"veth: no valid run of {KIND_LABEL[k]}")
    if "vhost" in wanted:
        for k in ("dtcp-vhost", "fwd-vhost"):
            if not rows.get(k) or not rows[k]["runs_ok"]:
                problems.append(f"vhost: no valid run of {KIND_LABEL[k]}")
    if "cg" in wanted and cg is not None and cg.get("error"):
        problems.append(f"cg: {cg['error']}")

    report = {"meta": meta, "table": rows, "ratios": rat, "instructions": cg, "runs": runs,
              "problems": problems,
              "notes": [
                  "veth: dtcp-server's RX/TX go through the kernel's af_packet (TPACKET rings);"
                  " RPS puts t0's receive processing (af_packet delivery for dtcp, all of TCP "
                  "for Linux) on core 1 and g0's on core 0",
                  "process CPU of dtcp-server is ~100% by design (it polls); core 1's split "
                  "is from /proc/stat over the flood window",
                  "Linux memory: Slab is machine-wide (/proc/meminfo); sockstat is T's "
                  "namespace (TCP mem in pages is the protocol's global accounting)",
                  "vhost: rate max, flood only; the ceiling is dpdk-testpmd returning every "
                  "frame on the same net_vhost port and core"]}
    os.makedirs(os.path.dirname(os.path.abspath(a.json)), exist_ok=True)
    with open(a.json, "w") as f:
        json.dump(report, f, indent=1)
    print()
    print(f"synflood: wrote {a.json}")
    if a.png:
        title = (f"SYN flood, same af_packet veth path: {int(meta.get('rate', 0)):,} SYN/s "
                 f"offered, {meta.get('legit_rate')} legit/s; {meta.get('cpu_model', '')}, "
                 f"{meta.get('date', '')}")
        if plot(runs, a.png, title):
            print(f"synflood: wrote {a.png}")
    print(f"synflood: {meta.get('elapsed_s')} s; CPU steal {meta.get('steal_pct')}%; load "
          f"average {meta.get('loadavg_start')} -> {meta.get('loadavg_end')}")
    if problems:
        for p in problems:
            print(f"synflood: PROBLEM: {p}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
