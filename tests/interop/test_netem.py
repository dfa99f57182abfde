#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Reliable transfer against Linux over af_packet with the path impaired both ways.

For each impairment profile (a case), three transfers of DTCP_NETEM_BYTES each, every
one checked by SHA-256 and bounded in time:
  down    curl (Linux) downloads /bytes/N from dtcp-server --mode http; the body must
          be the pattern byte i = i mod 251 (its SHA-256 computed here);
  up      nc -N (Linux) uploads N random bytes to dtcp-server --mode echo and reads
          the echo back: the echo's SHA-256 must be that of the file sent (so every
          byte crossed the path both ways);
  stream  dtcp-perf --test stream (the stack's active open) sends to a Linux sink
          (tcp_peer.py sink) until the sink has N bytes, whose SHA-256 must be that of
          the pattern; then dtcp-perf is interrupted and must exit 0 without errors.
A transfer fails on a wrong or short body, a tool's error exit, or its time bound:
    timeout = 30 s + N / floor(case)   (floors in CASES, in MB/s)
and the test reports every transfer's seconds and goodput (N / seconds, MB = 10^6
bytes) in a table on stdout, then fails if any transfer or impairment check failed.

Cases (DTCP_NETEM_CASES=name,... picks some; default all):
  none       no impairment (the engine still carries every frame)
  loss1/5/10 loss 1 %, 5 %, 10 %
  delay50    delay 50 ms
  jitter     delay 20 ms +- 5 ms (uniform; reorders)
  reorder25  delay 10 ms, 25 % of frames sent at once instead (reorders)
  dup5       duplicate 5 %
  corrupt1   corrupt 1 % (the receivers' checksums must catch every one)
  rate10m    rate 10 Mbit/s (queue limit 1000 frames, netem's default)
Every profile applies to both directions, each with its own state, and each queue
holds up to 10,000 frames (1,000 for rate10m) so that a delay does not turn into loss.

The impairment engine (DTCP_NETEM_ENGINE=auto|netem|relay, default auto):
  netem  tc netem as the root qdisc of both veth ends (tools/topo af_packet). The
         af_packet PMD sets PACKET_QDISC_BYPASS unless told not to, and its frames
         would then never meet the stack-side qdisc: the stack runs with
         qdisc_bypass=0. Proof that both directions were impaired: each qdisc passed
         (or dropped) at least 95 % of the frames its sender handed in (the stack's
         tx_packets, Linux's Ip OutRequests) and its drop / duplicate (sent + dropped
         - handed in) counts match the profile; receivers' checksum and out-of-order
         counters for corrupt and reorder.
  relay  for kernels without sch_netem: netem_relay (a user-space netem, same profile
         semantics, see netem_relay.c) in a third namespace between the two veths
         (dtcp_interop.RelayTopology), on core 0 with the Linux side. It counts per
         direction what it lost, duplicated, corrupted and reordered: those counts must
         match the profile, it must have lost nothing on its own (socket drops), and
         the receivers must have refused every corrupted frame (their checksum and
         malformed-packet drop counters add up to at least the corruptions: the relay
         flips bits only inside IPv4 datagrams, where a checksum covers every bit; 99 %
         on Linux's side, which discards a few kinds without counting them).
  auto   netem if the kernel can create a netem qdisc, else relay.
In both engines: a ping (1400 B, Linux -> stack) before the transfers gives the RTT,
which for delay50 / jitter / rate10m must be what the profile puts on BOTH directions
together (e.g. >= 95 ms for 2 x 50 ms); for rate10m each transfer's goodput must also
stay under the rate.

Environment: DTCP_NETEM_BYTES (default 4M; K, M, G suffixes are powers of 1024),
DTCP_NETEM_CASES, DTCP_NETEM_TRANSFERS (down,up,stream), DTCP_NETEM_ENGINE,
DTCP_NETEM_LINUX_CC (Linux's congestion control in its namespace, default cubic),
DTCP_NETEM_DEADLINE (seconds for the whole test: 540 with the default size, unbounded
but for the per-transfer bounds with DTCP_NETEM_BYTES set; a transfer's bound is cut to
what is left, a case not started by then is a failure). Subnet 198.18.38.
"""
import hashlib
import json
import math
import os
import re
import select
import signal
import subprocess
import tempfile
import time

import dtcp_interop as di

SUBNET = "198.18.38"
HTTP_PORT, ECHO_PORT, SINK_PORT0 = 80, 7, 20000
DEFAULT_BYTES = "4M"
DEFAULT_DEADLINE = 540  # s, with the default size (meson's timeout is above it)
QUEUE_LIMIT = 10000
PING_SIZE = 1400  # ICMP data: 1442-byte frames

# name: (profile, floor MB/s for the time bound). Profile keys: loss, duplicate, corrupt
# and reorder in %, delay and jitter in ms, rate in kbit/s, limit in frames.
CASES = {
    "none": ({}, 4.0),
    "loss1": ({"loss": 1}, 0.5),
    "loss5": ({"loss": 5}, 0.2),
    "loss10": ({"loss": 10}, 0.1),
    "delay50": ({"delay": 50}, 0.5),
    "jitter": ({"delay": 20, "jitter": 5}, 0.5),
    "reorder25": ({"delay": 10, "reorder": 25}, 0.5),
    "dup5": ({"duplicate": 5}, 1.0),
    "corrupt1": ({"corrupt": 1}, 0.5),
    "rate10m": ({"rate": 10000, "limit": 1000}, 0.8),
}
TRANSFERS = ("down", "up", "stream")


def parse_size(text):
    m = re.fullmatch(r"\s*(\d+)\s*([KMG]?)i?B?\s*", text, re.I)
    di.check(m is not None, f"DTCP_NETEM_BYTES={text!r}: want a number with K, M or G")
    return int(m.group(1)) * 1024 ** " KMG".index((m.group(2) or " ").upper())


def pattern_sha256(n):
    """SHA-256 of n bytes of the pattern byte i = i mod 251, computed here."""
    block = bytes(range(251)) * 4096  # a whole number of periods
    h = hashlib.sha256()
    for _ in range(n // len(block)):
        h.update(block)
    h.update(block[:n % len(block)])
    return h.hexdigest()


def write_random(path, n):
    h = hashlib.sha256()
    with open(path, "wb") as f:
        left = n
        while left > 0:
            chunk = os.urandom(min(left, 1 << 20))
            f.write(chunk)
            h.update(chunk)
            left -= len(chunk)
    return h.hexdigest()


def mb(n):
    return n / 1e6


# --- impairment engines ------------------------------------------------------------------

class NetemEngine:
    """tc netem on both veth ends; the stack's af_packet port does not bypass the qdisc."""
    name = "netem"
    vdev_args = ("qdisc_bypass=0",)

    def __init__(self, topo):
        self.topo = topo
        self.ends = {"s2l": (topo.stack_ns, topo.stack_if), "l2s": (topo.linux_ns, topo.linux_if)}

    @staticmethod
    def spec(profile):
        args = ["limit", str(profile.get("limit", QUEUE_LIMIT))]
        if "delay" in profile:
            args += ["delay", f"{profile['delay']}ms"]
            if "jitter" in profile:
                args += [f"{profile['jitter']}ms"]
        if "reorder" in profile:
            args += ["reorder", f"{profile['reorder']}%"]
        for key in ("loss", "duplicate", "corrupt"):
            if key in profile:
                args += [key, f"{profile[key]}%"]
        if "rate" in profile:
            args += ["rate", f"{profile['rate']}kbit"]
        return args

    def apply(self, profile):
        for ns, dev in self.ends.values():
            di.run(["tc", "-n", ns, "qdisc", "replace", "dev", dev, "root", "netem",
                    *self.spec(profile)])
        return "tc qdisc replace dev <both veth ends> root netem " + " ".join(self.spec(profile))

    def snapshot(self):
        return {path: di.qdisc_stats(ns, dev) for path, (ns, dev) in self.ends.items()}

    def idle(self):
        """Wait (bounded) until both qdiscs hold nothing."""
        di.wait_for(lambda: all(s.get("qlen", 0) == 0 for s in self.snapshot().values()),
                    30, "the netem queues to drain", interval=0.1)

    def delta(self, before, after, offered):
        out = {}
        for path in self.ends:
            b, a = before[path], after[path]
            sent, dropped = a["packets"] - b["packets"], a["drops"] - b["drops"]
            out[path] = {"offered": offered[path], "passed": sent, "lost": dropped,
                         "duplicated": max(0, sent + dropped - offered[path]),
                         "corrupted": None, "reordered": None, "socket_drops": 0}
        return out

    def stop(self):
        pass


class RelayEngine:
    """netem_relay between the stack's veth and Linux's, restarted for every profile."""
    name = "relay"
    vdev_args = ()

    def __init__(self, topo):
        self.topo = topo
        self.proc = None
        self.seed = 1

    @staticmethod
    def spec(profile):
        args = ["--limit", str(profile.get("limit", QUEUE_LIMIT))]
        for key in ("loss", "duplicate", "corrupt", "delay", "jitter", "reorder", "rate"):
            if key in profile:
                args += [f"--{key}", str(profile[key])]
        return args

    def apply(self, profile):
        self.stop()
        self.seed += 1
        argv = self.topo.in_relay(di.relay_binary(), self.topo.relay_stack_if,
                                  self.topo.relay_linux_if, *self.spec(profile),
                                  "--seed", str(self.seed))
        self.proc = di.Background(argv, "netem_relay", r"^ready ", comm="netem_relay")
        self.proc.__enter__()
        return "netem_relay " + " ".join(self.spec(profile))

    def snapshot(self):
        """The relay's counters now: SIGUSR1, then its next JSON line."""
        check = self.proc.alive()
        di.check(check, f"netem_relay exited: {self.proc.text}")
        before = self.proc.text.count("\n{")
        os.kill(self.proc.proc.pid, signal.SIGUSR1)
        di.wait_for(lambda: self.proc.text.count("\n{") > before, 10, "netem_relay counters",
                    interval=0.02)
        line = [x for x in self.proc.text.splitlines() if x.startswith("{")][-1]
        raw = json.loads(line)
        return {"s2l": raw["a2b"], "l2s": raw["b2a"]}

    def idle(self):
        di.wait_for(lambda: all(s["queued"] == 0 for s in self.snapshot().values()), 30,
                    "the relay's queues to drain", interval=0.1)

    def delta(self, before, after, offered):
        out = {}
        for path in ("s2l", "l2s"):
            b, a = before[path], after[path]

            def d(k):
                return a[k] - b[k]
            out[path] = {"offered": d("rx"), "passed": d("tx"),
                         "lost": d("lost") + d("limit_drops"), "duplicated": d("duplicated"),
                         "corrupted": d("corrupted"), "reordered": d("reordered"),
                         "socket_drops": d("rx_socket_drops"), "limit_drops": d("limit_drops"),
                         "tx_retries": d("tx_retries")}
        return out

    def stop(self):
        if self.proc is not None:
            self.proc.stop()
            self.proc = None


# --- counters --------------------------------------------------------------------------

# Drops by which a receiver refuses a damaged frame (corrupt1 must show them).
DTCP_DAMAGE = ("drop_eth_not_ours", "drop_eth_unknown_type", "drop_eth_truncated",
               "drop_arp_truncated", "drop_arp_unsupported", "drop_arp_bad_op",
               "drop_arp_not_for_us", "drop_ipv4_truncated", "drop_ipv4_bad_version",
               "drop_ipv4_bad_hdr_len", "drop_ipv4_bad_total_len", "drop_ipv4_bad_checksum",
               "drop_ipv4_fragment", "drop_ipv4_options", "drop_ipv4_not_ours",
               "drop_ipv4_bad_source", "drop_ipv4_unknown_proto", "drop_icmp_bad_checksum",
               "drop_tcp_truncated", "drop_tcp_bad_hdr_len", "drop_tcp_bad_checksum",
               "drop_tcp_bad_option")
# Each refused frame once: InHdrErrors includes the IP checksum errors (IpExt InCsumErrors),
# Tcp InErrs the TCP ones (InCsumErrors) and bad header lengths, Icmp InErrors likewise.
LINUX_DAMAGE = (("Ip", "InHdrErrors"), ("Ip", "InAddrErrors"), ("Ip", "InUnknownProtos"),
                ("IpExt", "InTruncatedPkts"), ("Tcp", "InErrs"), ("Icmp", "InErrors"),
                ("Udp", "InErrors"))


def dtcp_ooo(ctr):
    """Out-of-order arrivals the stack counted (whatever the counter is called today)."""
    return sum(v for k, v in ctr.items() if "out_of_order" in k or "ooo" in k)


class LinuxCounters:
    """The Linux namespace's MIBs, plus the stack namespace's kernel IP counters under
    "StackNsIp": net_af_packet joins a PACKET_FANOUT with FLAG_DEFRAG, so the stack
    namespace's kernel holds back every frame that looks like an IP fragment for
    reassembly (Ip ReasmReqds there) before the stack's socket sees it. A corrupted frame
    whose flipped bit sets MF or a fragment offset ends there: refused, though not by
    the stack."""

    def __init__(self, topo):
        self.topo = topo

    def read(self):
        mib = di.linux_snmp(self.topo)
        mib.update(di.linux_netstat(self.topo))
        mib["StackNsIp"] = di.ns_mib(self.topo.stack_ns).get("Ip", {})
        return mib

    @staticmethod
    def delta(after, before):
        return {sec: {k: v - before.get(sec, {}).get(k, 0) for k, v in vals.items()}
                for sec, vals in after.items()}


def dict_delta(after, before):
    return {k: v - before.get(k, 0) for k, v in after.items() if isinstance(v, int)}


# --- transfers -------------------------------------------------------------------------

class Outcome:
    def __init__(self, case, transfer):
        self.case, self.transfer = case, transfer
        self.ok = False
        self.seconds = None
        self.bytes = 0
        self.error = None
        self.notes = []
        self.paths = None  # engine delta
        self.dtcp = {}  # stack counter deltas
        self.linux = {}  # Linux MIB deltas

    @property
    def goodput(self):
        return mb(self.bytes) / self.seconds if self.ok and self.seconds else None


def hash_pipe(proc, limit, deadline):
    """Read @proc's stdout to EOF (at most @limit bytes kept hashing, bounded by
    @deadline): returns (bytes, sha256, timed_out)."""
    h = hashlib.sha256()
    got = 0
    fd = proc.stdout.fileno()
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return got, h.hexdigest(), True
        r, _, _ = select.select([fd], [], [], min(left, 1.0))
        if not r:
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return got, h.hexdigest(), False
        got += len(chunk)
        if got <= limit:
            h.update(chunk)


def run_hashed(argv, timeout, limit, stdin=subprocess.DEVNULL):
    """Run @argv (our child; it execs down to the tool itself), hash its stdout. Returns
    (rc, bytes, sha256, seconds, stderr, timed_out); a tool still running at the deadline
    is killed by its PID."""
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        got, sha, timed_out = hash_pipe(proc, limit, t0 + timeout)
        seconds = time.monotonic() - t0
        if timed_out:
            di.stop_process(proc, timeout=5, sig=signal.SIGKILL)
        try:
            _, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            di.stop_process(proc, timeout=5, sig=signal.SIGKILL)
            _, err = proc.communicate(timeout=10)
            timed_out = True
    finally:
        if proc.poll() is None:
            di.stop_process(proc, timeout=5, sig=signal.SIGKILL)
        proc.stdout.close()
        proc.stderr.close()
    return proc.returncode, got, sha, seconds, err.decode(errors="replace"), timed_out


class Run:
    """Everything one test run shares: topology, engine, sizes, expected digests."""

    def __init__(self, topo, engine, nbytes, tmp, deadline):
        self.topo, self.engine, self.nbytes, self.tmp = topo, engine, nbytes, tmp
        self.deadline = deadline
        self.linux = LinuxCounters(topo)
        self.pattern_sha = pattern_sha256(nbytes)
        self.src = os.path.join(tmp, "upload")
        self.src_sha = write_random(self.src, nbytes)
        self.ports_next = 33000
        # Every counter this stack has (telemetry lists zeros; dtcp-perf --stats does not).
        self.known_counters = set()

    def timeout(self, floor):
        """The time bound of one transfer: 30 s + N / floor, and never past the deadline."""
        left = self.deadline - time.monotonic()
        return max(5.0, min(30 + self.nbytes / (floor * 1e6), left))

    def server(self, mode, port):
        return di.DtcpServer(self.topo, extra_args=("--listen", str(port), "--mode", mode),
                             vdev_args=self.engine.vdev_args)

    def measured(self, out, body, stack_counters):
        """Run body() between two snapshots of the engine, the stack (stack_counters(), or
        None: dtcp-perf reports its own) and Linux; keep the deltas in @out."""
        e0, l0 = self.engine.snapshot(), self.linux.read()
        s0 = stack_counters() if stack_counters else {}
        try:
            body()
        finally:
            try:
                self.engine.idle()
            except di.TestFailure as e:
                out.notes.append(str(e))
            e1, l1 = self.engine.snapshot(), self.linux.read()
            if stack_counters:
                out.dtcp = dict_delta(stack_counters(), s0)
                self.known_counters.update(out.dtcp)
            out.linux = LinuxCounters.delta(l1, l0)
            offered = {"s2l": out.dtcp.get("tx_packets", 0),
                       "l2s": out.linux.get("Ip", {}).get("OutRequests", 0)}
            out.paths = self.engine.delta(e0, e1, offered)

    def download(self, case, floor, srv):
        out = Outcome(case, "down")
        timeout = self.timeout(floor)
        n = self.nbytes
        url = f"http://{self.topo.stack_addr}:{HTTP_PORT}/bytes/{n}"
        argv = self.topo.in_linux("curl", "--silent", "--show-error", "--fail",
                                  "--max-time", str(math.ceil(timeout)), "--output", "-",
                                  "--write-out", "%{stderr}curl: %{http_code} %{size_download}\\n",
                                  url)

        def body():
            rc, got, sha, sec, err, timed_out = run_hashed(argv, timeout + 5, n)
            out.seconds, out.bytes = sec, got
            if timed_out or rc == 28:
                out.error = f"timeout after {sec:.0f} s ({got} of {n} bytes)"
            elif rc != 0:
                out.error = f"curl exit {rc}: {err.strip()[-300:]} ({got} of {n} bytes)"
            elif got != n:
                out.error = f"{got} bytes, want {n}"
            elif sha != self.pattern_sha:
                out.error = f"SHA-256 mismatch: {sha} != {self.pattern_sha}"
            else:
                out.ok = True

        self.measured(out, body, lambda: srv.settled_stats())
        return out

    def upload(self, case, floor):
        out = Outcome(case, "up")
        timeout = self.timeout(floor)
        n = self.nbytes
        # -w bounds nc's own waits (connect, idle); the test's deadline bounds the whole.
        idle = min(120, math.ceil(timeout))
        argv = self.topo.in_linux("nc", "-N", "-w", str(idle), self.topo.stack_addr,
                                  str(ECHO_PORT))
        with self.server("echo", ECHO_PORT) as srv:
            def body():
                with open(self.src, "rb") as src:
                    rc, got, sha, sec, err, timed_out = run_hashed(argv, timeout, n, stdin=src)
                out.seconds, out.bytes = sec, got
                if timed_out:
                    out.error = f"timeout after {sec:.0f} s ({got} of {n} bytes echoed)"
                elif rc != 0:
                    out.error = f"nc exit {rc}: {err.strip()[-300:]} ({got} of {n} bytes)"
                elif got != n and sec >= idle:
                    out.error = (f"stalled: nc gave up after {idle} s without data (-w) at "
                                 f"{sec:.0f} s, {got} of {n} bytes echoed")
                elif got != n:
                    out.error = f"{got} bytes echoed, want {n}"
                elif sha != self.src_sha:
                    out.error = f"SHA-256 mismatch: {sha} != {self.src_sha}"
                else:
                    out.ok = True

            self.measured(out, body, lambda: srv.settled_stats())
        return out

    def stream(self, case, floor, index):
        out = Outcome(case, "stream")
        timeout = self.timeout(floor)
        n = self.nbytes
        port = SINK_PORT0 + index  # a fresh 4-tuple per case (Linux may linger on the old)
        lo = self.ports_next
        self.ports_next += 1000
        cfg = di.write_config(self.tmp, f"[tcp]\nport_min = {lo}\nport_max = {lo + 999}\n",
                              name=f"ports-{lo}.ini")
        sink = di.linux_peer(self.topo, "sink", self.topo.linux_addr, str(port), str(n),
                             name="sink")
        perf = di.PerfProcess(self.topo, "--server", f"{self.topo.linux_addr}:{port}",
                              "--test", "stream", "--concurrency", "1",
                              "--duration", str(math.ceil(timeout) + 5), config=cfg,
                              vdev_args=self.engine.vdev_args)
        box = {}

        def body():
            with sink, perf:
                t0 = time.monotonic()
                m = None
                while time.monotonic() < t0 + timeout and perf.alive():
                    m = sink.reader.wait_for_text(r'^\{"event": "reached".*$', 1.0)
                    if m:
                        break
                sec = time.monotonic() - t0
                perf.interrupt()
                box["perf"] = p = perf.finish(30)
                sink.stop()
                if m:
                    reached = json.loads(m.group(0))
                    out.seconds, out.bytes = reached["seconds"], n
                    if reached["sha256"] != self.pattern_sha:
                        out.error = f"SHA-256 mismatch: {reached['sha256']} != {self.pattern_sha}"
                    elif p.rc != 0 or p.result is None or p.result["errors_total"] != 0:
                        out.error = (f"dtcp-perf exit {p.rc}, errors "
                                     f"{p.result and p.result['errors_total']}")
                    else:
                        out.ok = True
                else:
                    ends = [json.loads(x) for x in sink.output.splitlines()
                            if x.startswith('{"event": "end"')]
                    got = ends[-1]["received"] if ends else 0
                    out.seconds, out.bytes = sec, got
                    why = "timeout" if perf.rc in (0, None) or sec >= timeout else \
                        f"dtcp-perf exit {perf.rc}"
                    out.error = f"{why} after {sec:.0f} s ({got} of {n} bytes)"

        self.measured(out, body, None)
        if "perf" in box:
            out.dtcp = box["perf"].counters
            # The stack's frames are only known now: redo the netem estimate with them.
            if self.engine.name == "netem" and out.paths:
                s = out.paths["s2l"]
                s["offered"] = out.dtcp.get("tx_packets", 0)
                s["duplicated"] = max(0, s["passed"] + s["lost"] - s["offered"])
        return out


# --- evidence that the impairment applied ----------------------------------------------

def ping_probe(topo):
    """ping the stack from Linux through the impaired path: (min, avg, max, mdev) ms or
    None, and the loss %."""
    r = topo.ping("-s", str(PING_SIZE), "-i", "0.2", "-W", "2", count=10, timeout=25,
                  check_rc=False)
    m = re.search(r"= ([\d.]+)/([\d.]+)/([\d.]+)/([\d.]+) ms", r.stdout)
    loss = re.search(r"([\d.]+)% packet loss", r.stdout)
    return (tuple(float(x) for x in m.groups()) if m else None,
            float(loss.group(1)) if loss else 100.0)


def sum_paths(outcomes):
    tot = {}
    for o in outcomes:
        for path, d in (o.paths or {}).items():
            t = tot.setdefault(path, {})
            for k, v in d.items():
                if v is not None:
                    t[k] = t.get(k, 0) + v
                else:
                    t.setdefault(k, None)
    return tot


def rate_check(what, count, offered, pct, problems):
    """@count of @offered frames should be near @pct %; sure enough only with some
    volume (50 expected: within 0.5x..1.5x; 5 expected: at least one)."""
    want = offered * pct / 100
    if want >= 50:
        if not 0.5 * want <= count <= 1.5 * want:
            problems.append(f"{what}: {count} of {offered} frames "
                            f"({100 * count / max(1, offered):.2f} %), want about {pct} %")
    elif want >= 5 and count == 0:
        problems.append(f"{what}: none of {offered} frames, want about {pct} %")


def check_applied(engine, profile, outcomes, ping, nbytes):
    """What shows that @profile was applied to both directions; returns (problems, facts)."""
    problems, facts = [], []
    paths = sum_paths(outcomes)
    dtcp = {}
    linux = {}
    for o in outcomes:
        # Stack-side receive counters: those of the l2s path. Linux: the s2l path.
        for k, v in o.dtcp.items():
            dtcp[k] = dtcp.get(k, 0) + v
        for sec, vals in o.linux.items():
            for k, v in vals.items():
                linux.setdefault(sec, {})
                linux[sec][k] = linux[sec].get(k, 0) + v
    reasm = linux.get("StackNsIp", {}).get("ReasmReqds", 0)
    caught = {"l2s": sum(dtcp.get(k, 0) for k in DTCP_DAMAGE) + reasm,
              "s2l": sum(linux.get(s, {}).get(k, 0) for s, k in LINUX_DAMAGE)}
    ooo = {"l2s": dtcp_ooo(dtcp), "s2l": linux.get("TcpExt", {}).get("TCPOFOQueue", 0)}
    for path, who in (("s2l", "stack -> Linux"), ("l2s", "Linux -> stack")):
        p = paths.get(path)
        if not p:
            problems.append(f"{who}: no engine counters")
            continue
        facts.append(f"{who}: {p['offered']} frames in, {p['passed']} out, {p['lost']} lost, "
                     f"{p['duplicated']} duplicated, corrupted {p['corrupted']}, reordered "
                     f"{p['reordered']}" +
                     (f", {p['tx_retries']} send retries" if p.get("tx_retries") else "") +
                     f"; receiver refused {caught[path]} damaged" +
                     (f" ({reasm} held as IP fragments by the stack namespace's kernel)"
                      if path == "l2s" and reasm else "") +
                     f", saw {ooo[path]} out of order")
        if p["offered"] < 100:
            problems.append(f"{who}: only {p['offered']} frames handed to the path")
            continue
        if engine.name == "netem" and p["passed"] + p["lost"] < 0.95 * p["offered"]:
            problems.append(f"{who}: the qdisc saw {p['passed'] + p['lost']} of "
                            f"{p['offered']} frames: bypassed?")
        if engine.name == "relay" and p.get("socket_drops"):
            problems.append(f"{who}: the relay dropped {p['socket_drops']} frames it could not "
                            f"read in time (loss the profile did not ask for)")
        if "loss" in profile:
            rate_check(f"{who} loss", p["lost"], p["offered"], profile["loss"], problems)
        elif p["lost"] and "rate" not in profile:
            # Only a full queue drops here: the profile would not be what it says.
            problems.append(f"{who}: {p['lost']} frames dropped (queue limit) without a loss "
                            f"profile")
        if "duplicate" in profile:
            rate_check(f"{who} duplicate", p["duplicated"], p["offered"], profile["duplicate"],
                       problems)
        if "corrupt" in profile:
            if p["corrupted"] is not None:
                rate_check(f"{who} corrupt", p["corrupted"], p["offered"], profile["corrupt"],
                           problems)
                # Every one is an IPv4 datagram with a bit flipped: each must be refused,
                # and the stack must count each refusal. Linux, the reference, drops a
                # segment whose data offset points past its end without a MIB counter
                # (tcp_v4_rcv: pskb_may_pull(doff * 4) -> discard_it): a flip that grows a
                # pure ACK's offset, seen 2 times in 2,330 corruptions.
                need = p["corrupted"] if path == "l2s" else math.floor(0.99 * p["corrupted"])
                if caught[path] < need:
                    problems.append(f"{who}: {p['corrupted']} frames corrupted but the "
                                    f"receiver refused only {caught[path]}")
            elif caught[path] == 0:
                problems.append(f"{who}: corrupt profile but the receiver refused no frame")
        if "reorder" in profile or "jitter" in profile:
            if p["reordered"] is not None:
                if p["reordered"] == 0:
                    problems.append(f"{who}: nothing reordered")
            elif ooo[path] == 0:
                problems.append(f"{who}: the receiver saw nothing out of order")
    if ping[0] is None:
        if "loss" not in profile:
            problems.append(f"ping: no reply ({ping[1]} % loss)")
    else:
        mn, avg, mx, mdev = ping[0]
        facts.append(f"ping {PING_SIZE} B: min/avg/max/mdev {mn}/{avg}/{mx}/{mdev} ms, "
                     f"{ping[1]} % loss")
        if "delay" in profile:
            low = 2 * (profile["delay"] - profile.get("jitter", 0))
            if "reorder" not in profile and mn < 0.95 * low:
                problems.append(f"ping min RTT {mn} ms < {0.95 * low:.1f} ms: the delay is not "
                                f"on both directions")
        if "rate" in profile:
            serial = 2 * (PING_SIZE + 42) * 8 / (profile["rate"] * 1e3) * 1e3  # ms, both ways
            if mn < 0.9 * serial:
                problems.append(f"ping min RTT {mn} ms < {0.9 * serial:.2f} ms: the rate limit "
                                f"is not on both directions")
    if "rate" in profile:
        cap = profile["rate"] * 1e3 / 8 / 1e6 * 1.05
        for o in outcomes:
            if o.goodput is not None and o.goodput > cap:
                problems.append(f"{o.transfer}: {o.goodput:.2f} MB/s beats the rate limit")
    return problems, facts


# --- the test --------------------------------------------------------------------------

def choose_engine():
    want = os.environ.get("DTCP_NETEM_ENGINE", "auto")
    di.check(want in ("auto", "netem", "relay"), f"DTCP_NETEM_ENGINE={want!r}")
    has_netem = di.kernel_has_qdisc("netem")
    if want == "netem" and not has_netem:
        raise di.Skip("DTCP_NETEM_ENGINE=netem but this kernel cannot create a netem qdisc "
                      "(CONFIG_NET_SCH_NETEM)")
    if want == "auto":
        want = "netem" if has_netem else "relay"
    di.log(f"engine: {want} (kernel netem qdisc {'available' if has_netem else 'unavailable'})")
    return want


def linux_cc(topo):
    """Linux's congestion control in its namespace: DTCP_NETEM_LINUX_CC, default cubic
    (stock kernels' default; some set bbr, which shrugs off random loss and would make
    the up column incomparable between machines). A namespace other than the initial
    one may only pick what net.ipv4.tcp_allowed_congestion_control allows (EPERM
    otherwise), and that is the host's to change, not ours: then it stays as it is, and
    the table says which it was."""
    want = os.environ.get("DTCP_NETEM_LINUX_CC", "cubic")
    key = "net.ipv4.tcp_congestion_control"
    r = di.run(topo.in_linux("sysctl", "-qw", f"{key}={want}"), check_rc=False)
    now = di.run(topo.in_linux("sysctl", "-n", key)).stdout.strip()
    di.log(f"Linux congestion control: {now}" +
           ("" if r.returncode == 0 else f" (could not set {want}: {r.stderr.strip()})"))
    return now


def print_table(results, facts, nbytes, engine, known_counters, cc):
    di.log("")
    di.log(f"netem results: {nbytes} bytes per transfer ({mb(nbytes):.1f} MB), engine {engine}, "
           f"Linux congestion control {cc}")
    di.log(f"{'case':<10} {'transfer':<7} {'result':<6} {'seconds':>8} {'MB/s':>8} "
           f"{'rexmit':>7} {'rto':>5}  notes")
    for o in results:
        if o.transfer == "up":
            rex = o.linux.get("Tcp", {}).get("RetransSegs", 0)
            rto = o.linux.get("TcpExt", {}).get("TCPTimeouts", 0)
        else:
            rex = o.dtcp.get("tcp_tx_retransmits", 0)
            rto = o.dtcp.get("tcp_rto_expired",
                             0 if "tcp_rto_expired" in known_counters else "?")
        gp = f"{o.goodput:8.2f}" if o.goodput is not None else f"{'-':>8}"
        sec = f"{o.seconds:8.1f}" if o.seconds is not None else f"{'-':>8}"
        note = o.error or ""
        if o.notes:
            note += (" " if note else "") + "; ".join(o.notes)
        di.log(f"{o.case:<10} {o.transfer:<7} {'PASS' if o.ok else 'FAIL':<6} {sec} {gp} "
               f"{rex:>7} {rto:>5}  {note}")
    di.log("(MB/s: N / seconds, MB = 10^6 bytes; up moves N bytes each way (echo). rexmit, "
           "rto: segments the data sender retransmitted and its retransmission timeouts: "
           "the stack for down and stream (rto '?': no such counter), Linux for up)")
    for case, lines in facts.items():
        di.log(f"{case}: " + " | ".join(lines))


def test():
    di.require_basics("tc", "curl", "nc", "ping")
    r = di.run(["nc", "-h"], check_rc=False)
    if "OpenBSD netcat" not in r.stdout + r.stderr:
        raise di.Skip("nc is not netcat-openbsd (-N needed)")
    di.require_tools("nft")
    nbytes = parse_size(os.environ.get("DTCP_NETEM_BYTES", DEFAULT_BYTES))
    names = [c for c in os.environ.get("DTCP_NETEM_CASES", ",".join(CASES)).split(",") if c]
    for c in names:
        di.check(c in CASES, f"DTCP_NETEM_CASES: unknown case {c!r} (known: {', '.join(CASES)})")
    transfers = [t for t in os.environ.get("DTCP_NETEM_TRANSFERS", ",".join(TRANSFERS))
                 .split(",") if t]
    for t in transfers:
        di.check(t in TRANSFERS, f"DTCP_NETEM_TRANSFERS: unknown transfer {t!r}")
    # The CI size gets a deadline that keeps the suite within its budget however badly the
    # stack does; a size asked for explicitly runs every transfer to its own bound.
    explicit = "DTCP_NETEM_BYTES" in os.environ
    deadline = time.monotonic() + float(os.environ.get(
        "DTCP_NETEM_DEADLINE", 86400 if explicit else DEFAULT_DEADLINE))
    engine_name = choose_engine()
    # Hashing and bookkeeping here stay on the Linux side's core, off the stack's.
    os.sched_setaffinity(0, {0})

    topo_cls = di.Topology if engine_name == "netem" else di.RelayTopology
    results, facts, problems = [], {}, []
    with topo_cls("tnem", SUBNET) as topo, \
            tempfile.TemporaryDirectory(prefix="dtcp-netem-") as tmp:
        cc = linux_cc(topo)
        engine = NetemEngine(topo) if engine_name == "netem" else RelayEngine(topo)
        run = Run(topo, engine, nbytes, tmp, deadline)
        try:
            for index, case in enumerate(names):
                profile, floor = CASES[case]
                if time.monotonic() >= deadline:
                    problems.append(f"{case}: not run (DTCP_NETEM_DEADLINE passed)")
                    continue
                what = engine.apply(profile)
                di.log(f"=== case {case}: {what}; time bound per transfer "
                       f"{run.timeout(floor):.0f} s")
                outcomes = []
                ping = (None, 100.0)
                try:
                    with run.server("http", HTTP_PORT) as srv:
                        ping = ping_probe(topo)
                        if "down" in transfers:
                            outcomes.append(run.download(case, floor, srv))
                    if "up" in transfers:
                        outcomes.append(run.upload(case, floor))
                    if "stream" in transfers:
                        outcomes.append(run.stream(case, floor, index))
                except di.TestFailure as e:
                    problems.append(f"{case}: {e}")
                for o in outcomes:
                    di.log(f"{case} {o.transfer}: {'PASS' if o.ok else 'FAIL'} "
                           f"{o.seconds and round(o.seconds, 1)} s "
                           f"{o.goodput and round(o.goodput, 2)} MB/s {o.error or ''}")
                    di.log(f"  paths {json.dumps(o.paths)}")
                    di.log("  stack " + " ".join(f"{k}={v}" for k, v in sorted(o.dtcp.items())
                                                 if v and k.startswith(("tcp_", "drop_"))))
                    if not o.ok:
                        problems.append(f"{case} {o.transfer}: {o.error}")
                results += outcomes
                bad, facts[case] = check_applied(engine, profile, outcomes, ping, nbytes)
                problems += [f"{case}: impairment: {b}" for b in bad]
                for b in bad:
                    di.log(f"{case}: impairment check failed: {b}")
        finally:
            engine.stop()
    print_table(results, facts, nbytes, engine_name, run.known_counters, cc)
    if problems:
        raise di.TestFailure(f"{len(problems)} problem(s):\n  " + "\n  ".join(problems))


if __name__ == "__main__":
    di.main(test)
