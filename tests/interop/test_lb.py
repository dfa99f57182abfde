#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""app/dtcp-lb, the full-proxy L4 load balancer, between Linux clients and 3 Linux backends.

Topology (dtcp_interop.LbTopology, subnet 198.18.50): a bridge in a switch namespace; the
client (.1), dtcp-lb's veth (VIP .2, net_af_packet, -l 1, --no-huge) and three backends
(.11, .12, .13), each in its own namespace. Every backend is lb_peer.py backend on port 80
(HTTP file / identity, IDNT identity, RSET reset, echo: chosen by a connection's first 4
bytes), on core 0 with the clients. dtcp-lb listens on VIP:80, health interval 200 ms,
rise 2, fall 2, policy maglev (the default). Asserted, in order:

 1. download: curl fetches /file/10485760 three times through the LB; the body's SHA-256
    is that of the pattern (byte i = i mod 251) computed here. Over each download the
    LB's bytes_to_backend grew by exactly the request curl sent and bytes_to_client by
    exactly the header plus body curl received (/dtcp_lb/stats).
 2. echo with half-close: nc -N uploads 4 MB of random bytes three times to the echo
    service; nc shuts its write side at EOF, the backend sees EOF, finishes and closes;
    nc must get back every byte (SHA-256 of the echo = the file's) and then EOF (exit 0).
    Stats deltas as in 1 (4 MB each way); half_closes grew.
 3. 1,000 short IDNT connections, 8 at a time: all succeed; each backend got 25-42 % of
    them (maglev's table gives each of 3 backends ~1/3; 25-42 % is > 5 standard
    deviations of a binomial with n = 1000, p = 1/3, either side); the LB's per-backend
    totals grew by exactly what the clients saw. Stability: 61 client ports, each used
    twice (aborted with RST in between, so the 4-tuple is free again): every port gets
    the same backend both times, and the ports cover more than one backend. The client
    RSTs reach the backends (client_resets_propagated and the backends' peer resets grew
    by 122).
 4. reset: a backend that answers "RSET" with SO_LINGER 0 (a RST) makes the client's
    recv() fail with ECONNRESET; backend_resets_propagated grew by 1.
 5. dtcp-ss --tag: during a rate-limited 10 MB download from a fixed client port, the
    client-side connection's tag lists exactly two rows: VIP:80 <-> client:port and
    VIP:eph <-> the backend that served it (its X-Backend header), both ESTAB.
 6. health: 4 clients loop over IDNT connections; backend 1 is stopped (SIGTERM by PID:
    it refuses new connections at once and finishes those in flight); the LB reports it
    down (stdout line) within interval x fall + 1.5 s and /dtcp_lb/backends says "down";
    every connection started after that succeeds on another backend; every failure
    before it is one the LB attributes to backend 1 (failures <= its connect_failed
    growth); its total and connect_failed do not move while it is down. Restarted, it is
    reported up within interval x rise + 1.5 s and gets connections again.
 7. final JSON (SIGTERM, exit 0): payload_copies = 0; active_pairs = 0; per backend,
    total = the connections its backend processes counted (health checks, which carry
    no byte, apart), bytes_to_backend / bytes_to_client = the bytes they read / wrote;
    the LB's bytes_to_backend / bytes_to_client = the sums over the backends.
 8. roundrobin (a second dtcp-lb, --policy roundrobin, one lcore): 999 IDNT connections
    split exactly 333/333/333 (clients' view and the LB's totals); and the stability
    check of 3 has teeth: under roundrobin the 61 ports all change backend.
 9. two lcores (dtcp-lb only: a third instance, -l 0,1 on net_af_packet,qpairs=2, maglev):
    1,000 IDNT connections all succeed, spread as in 3; each lcore accepted some
    (/dtcp/stats,N tcp_passive_opens > 0, summing to the LB's accepted count); every
    backend connection was opened by the lcore that accepted its client: lcore 1 (no
    health checks) made exactly as many active opens as it accepted clients, lcore 0
    that many plus its health checks (backend checks_ok + checks_failed); no segment
    was lost on the way to its owner (drop_steer_full 0) and no RST answered a segment
    that found no connection (tcp_tx_rst_reply 0).

With --netem (test lb_netem, subnet 198.18.51): netem_relay between the client and the
bridge loses 2 % of the frames each way; a 10 MB download and a 4 MB echo through the LB
must stay byte-exact, and the relay must have lost frames in both directions.

DTCP_LB_IMPL=haproxy runs the same checks against HAProxy (TCP mode, one thread, balance
hash src_port / roundrobin, the same health settings) on the kernel's VIP, to validate
the harness; the checks only dtcp-lb can answer (payload_copies, its counters of resets
and half-closes, dtcp-ss --tag) are then skipped, saying so. Every wait polls with a
deadline; every process is ours, stopped by PID. Skips (77) only without root or a tool.
"""
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager

import dtcp_interop as di
import lb_interop as li

IMPL = os.environ.get("DTCP_LB_IMPL", "dtcp")
NETEM = "--netem" in sys.argv[1:]
SUBNET = "198.18.51" if NETEM else "198.18.50"
PORT = 80
NB = 3
INTERVAL_MS, RISE, FALL, CHECK_TIMEOUT_MS = 200, 2, 2, 150
SLACK_S = 1.5
FILE_BYTES = 10 * 1024 * 1024
ECHO_BYTES = 4 * 1024 * 1024
MANY, CONC = 1000, 8
SHARE_LO, SHARE_HI = 0.25, 0.42
STABLE_PORT0, STABLE_COUNT = 61000, 61
RR_COUNT = 999
LOSS_PCT = 2
IS_DTCP = IMPL == "dtcp"


def pattern_sha256(n):
    block = bytes(range(251)) * 4096
    h = hashlib.sha256()
    for _ in range(n // len(block)):
        h.update(block)
    h.update(block[:n % len(block)])
    return h.hexdigest()


def file_sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def peer(topo, *args, timeout=200):
    """lb_peer.py client ARGS in the client namespace to completion: its JSON result."""
    r = di.run(topo.in_client(di.PYTHON, "-u", li.peer_script(), *args), timeout=timeout,
               check_rc=False)
    res = li.json_lines(r.stdout)
    if r.returncode != 0 or not res:
        raise di.TestFailure(f"lb_peer.py {' '.join(args)}: exit {r.returncode}\n"
                             f"stdout: {r.stdout[-2000:]}\nstderr: {r.stderr[-2000:]}")
    return res[-1]


class Test:
    def __init__(self, topo, tmp, es):
        self.topo, self.tmp, self.es = topo, tmp, es
        self.addrs = [(a, PORT) for a in topo.backend_addrs]
        self.backends = [self.start_backend(i) for i in range(NB)]
        self.lives = [[] for _ in range(NB)]  # final counters of stopped backend processes
        self.skipped = []

    def start_backend(self, i):
        b = li.BackendProcess(self.topo, i, PORT)
        self.es.enter_context(b)
        return b

    def stop_backend(self, i):
        self.lives[i].append(self.backends[i].stop())

    @contextmanager
    def running_lb(self, **kw):
        lb = li.make_lb(IMPL, self.topo, PORT, self.addrs, self.tmp, interval_ms=INTERVAL_MS,
                        rise=RISE, fall=FALL, health_timeout_ms=CHECK_TIMEOUT_MS, **kw)
        with lb:
            self.lb = lb
            # Whether the LB starts with its backends up or proves them first: all up.
            di.wait_for(lambda: all(b["state"] == "up" for b in lb.backends()),
                        (INTERVAL_MS * RISE) / 1000 + 5, "every backend up at the LB")
            yield lb

    def skip(self, what):
        self.skipped.append(what)
        di.log(f"NOT CHECKED with {IMPL}: {what}")

    def stats_delta(self, body, what, sent, received, extra=None):
        """Run body(); the LB's bytes_to_backend / bytes_to_client must grow by exactly
        @sent / @received (functions of body's result, called after it)."""
        s0 = self.lb.stats()
        res = body()
        want_b, want_c = sent(res), received(res)
        box = {}

        def settled():
            box["s"] = s = self.lb.stats()
            return (s["bytes_to_backend"] - s0["bytes_to_backend"] == want_b and
                    s["bytes_to_client"] - s0["bytes_to_client"] == want_c)
        try:
            di.wait_for(settled, 5, f"{what}: LB byte counters", interval=0.05)
        except di.TestFailure:
            s = box["s"]
            raise di.TestFailure(
                f"{what}: LB bytes_to_backend grew by "
                f"{s['bytes_to_backend'] - s0['bytes_to_backend']} (client sent {want_b}), "
                f"bytes_to_client by {s['bytes_to_client'] - s0['bytes_to_client']} "
                f"(client received {want_c})") from None
        if extra:
            extra(s0, box["s"])
        return res

    # --- 1. download ----------------------------------------------------------------
    def download(self, label, n=FILE_BYTES, extra_curl=(), local_port=None, bg=False):
        path = os.path.join(self.tmp, f"dl-{label}")
        hdr = path + ".hdr"
        argv = ["curl", "--silent", "--show-error", "--fail", "--max-time", "120",
                "--output", path, "--dump-header", hdr, "--write-out",
                "%{size_request} %{size_header} %{size_download} %{local_port}",
                *extra_curl]
        if local_port:
            argv += ["--local-port", str(local_port)]
        argv.append(f"http://{self.topo.vip}:{PORT}/file/{n}")
        argv = self.topo.in_client(*argv)
        if bg:
            return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    stdin=subprocess.DEVNULL, text=True), path
        return self.finish_download(di.run(argv, timeout=150, check_rc=False), path, n,
                                    label)

    def finish_download(self, r, path, n, label):
        di.check(r.returncode == 0, f"{label}: curl exit {r.returncode}: {r.stderr.strip()}")
        req, head, body, lport = (int(x) for x in r.stdout.split())
        di.check_eq(body, n, f"{label}: bytes downloaded")
        sha = file_sha256(path)
        di.check_eq(sha, pattern_sha256(n), f"{label}: SHA-256 of the body")
        with open(path + ".hdr") as f:
            backend = [line.split(":", 1)[1].strip() for line in f
                       if line.lower().startswith("x-backend:")]
        os.unlink(path)
        return {"sent": req, "received": head + body, "port": lport,
                "backend": backend[0] if backend else None}

    def downloads(self, count=3):
        for k in range(count):
            t0 = time.monotonic()
            res = self.stats_delta(lambda: self.download(f"download {k + 1}"),
                                   f"download {k + 1}", lambda r: r["sent"],
                                   lambda r: r["received"])
            di.log(f"download {k + 1}: {FILE_BYTES} bytes byte-exact from backend "
                   f"{res['backend']} in {time.monotonic() - t0:.2f} s")

    # --- 2. echo with half-close -------------------------------------------------------
    def echoes(self, count=3):
        src = os.path.join(self.tmp, "upload")
        with open(src, "wb") as f:
            data = bytearray(os.urandom(ECHO_BYTES))
            data[0] = 0  # never a service word: the backend echoes
            f.write(data)
        want = hashlib.sha256(data).hexdigest()
        for k in range(count):
            dst = os.path.join(self.tmp, "echoed")

            def body():
                with open(src, "rb") as fin, open(dst, "wb") as fout:
                    t0 = time.monotonic()
                    r = subprocess.run(self.topo.in_client("nc", "-N", "-w", "30",
                                                           self.topo.vip, str(PORT)),
                                       stdin=fin, stdout=fout, stderr=subprocess.PIPE,
                                       timeout=120)
                return r, time.monotonic() - t0

            def halfclose(s0, s1):
                if IS_DTCP:
                    di.check(s1["half_closes"] > s0["half_closes"],
                             f"echo {k + 1}: half_closes did not grow "
                             f"({s0['half_closes']} -> {s1['half_closes']})")

            r, sec = self.stats_delta(body, f"echo {k + 1}", lambda _: ECHO_BYTES,
                                      lambda _: ECHO_BYTES, extra=halfclose)
            got = os.path.getsize(dst)
            di.check(r.returncode == 0, f"echo {k + 1}: nc -N exit {r.returncode} "
                     f"({got} of {ECHO_BYTES} bytes back): {r.stderr.decode()[-300:]}")
            di.check_eq(got, ECHO_BYTES, f"echo {k + 1}: bytes echoed back before EOF")
            di.check_eq(file_sha256(dst), want, f"echo {k + 1}: SHA-256 of the echo")
            di.log(f"echo {k + 1}: {ECHO_BYTES} bytes up and back byte-exact, then EOF, "
                   f"in {sec:.2f} s")
        if not IS_DTCP:
            self.skip("half_closes counter")

    # --- 3. spread and stability -----------------------------------------------------------
    def spread(self, count, conc, policy):
        totals0 = [b["total"] for b in self.lb.backends()]
        res = peer(self.topo, "idnt-many", self.topo.vip, str(PORT), str(count), str(conc))
        fails = [r for r in res["results"] if r["error"]]
        di.check(not fails, f"{len(fails)} of {count} connections failed, e.g. "
                 f"{[r['error'] for r in fails[:5]]}")
        di.check_eq(len(res["results"]), count, "connections made")
        per = [sum(1 for r in res["results"] if r["backend"] == str(i)) for i in range(NB)]
        di.log(f"{policy}: {count} connections over backends {per} "
               f"({', '.join(f'{p / count:.1%}' for p in per)})")
        di.check_eq(sum(per), count, "connections answered by a known backend")
        totals = [b["total"] for b in self.lb.backends()]
        di.check_eq([t - t0 for t, t0 in zip(totals, totals0)], per,
                    f"{policy}: the LB's per-backend totals' growth vs what clients saw")
        return per

    def stability(self, expect_stable):
        res = peer(self.topo, "stable", self.topo.vip, str(PORT), str(STABLE_PORT0),
                   str(STABLE_COUNT))
        r1, r2 = res["rounds"]
        errs = [r for r in r1 + r2 if r["error"]]
        di.check(not errs, f"stability: {len(errs)} connections failed: "
                 f"{[r['error'] for r in errs[:5]]}")
        same = [a["backend"] == b["backend"] for a, b in zip(r1, r2)]
        seen = {a["backend"] for a in r1}
        di.log(f"stability ({'expect stable' if expect_stable else 'roundrobin control'}): "
               f"{sum(same)} of {STABLE_COUNT} ports kept their backend; backends seen {seen}")
        if expect_stable:
            moved = [(a["port"], a["backend"], b["backend"]) for a, b, s in zip(r1, r2, same)
                     if not s]
            di.check(not moved, f"client ports that changed backend with the set unchanged "
                     f"(port, first, second): {moved[:10]}")
            di.check(len(seen) > 1, f"all {STABLE_COUNT} ports went to backend(s) {seen}: "
                     f"the stability check proves nothing")
        else:
            di.check(not any(same), f"roundrobin kept {sum(same)} ports on their backend: the "
                     f"stability check would not catch a non-hashing policy")

    def spread_and_stability(self):
        per = self.spread(MANY, CONC, "maglev")
        for i, p in enumerate(per):
            di.check(SHARE_LO * MANY <= p <= SHARE_HI * MANY,
                     f"maglev: backend {i} got {p} of {MANY} connections, outside "
                     f"{SHARE_LO:.0%}-{SHARE_HI:.0%}")
        peer_resets0 = sum(b.counters()["peer_resets"] for b in self.backends)
        s0 = self.lb.stats()
        self.stability(True)
        s1 = self.lb.stats()
        want = 2 * STABLE_COUNT
        di.wait_for(lambda: sum(b.counters()["peer_resets"] for b in self.backends)
                    - peer_resets0 == want, 10,
                    f"the backends to see {want} resets from the aborted clients")
        if IS_DTCP:
            di.check_eq(s1["client_resets_propagated"] - s0["client_resets_propagated"], want,
                        "client_resets_propagated growth over the stability check")
        else:
            self.skip("client_resets_propagated counter")

    # --- 4. reset --------------------------------------------------------------------
    def reset(self):
        s0 = self.lb.stats()
        r = peer(self.topo, "reset", self.topo.vip, str(PORT))
        if not IS_DTCP and r["errno_name"] is None:
            # HAProxy closes the client side with a FIN whatever the server did, unless
            # "option nolinger" (which would turn every close into a RST).
            self.skip(f"reset propagation (HAProxy answered the backend's RST with: "
                      f"{r['error']})")
            return
        di.check_eq(r["errno_name"], "ECONNRESET",
                    f"what the client saw when its backend reset ({r})")
        di.log(f"reset: the client saw {r['error']}")
        if IS_DTCP:
            di.wait_for(lambda: self.lb.stats()["backend_resets_propagated"] -
                        s0["backend_resets_propagated"] == 1, 5,
                        "backend_resets_propagated to grow by 1")
        else:
            self.skip("backend_resets_propagated counter")

    # --- 5. dtcp-ss --tag ---------------------------------------------------------------
    def tags(self):
        if not IS_DTCP:
            self.skip("dtcp-ss --tag")
            return
        lport = 62000
        proc, path = self.download("tagged", extra_curl=("--limit-rate", "2M"),
                                   local_port=lport, bg=True)
        try:
            def client_row():
                rows = di.dtcp_ss(self.lb.prefix)
                hit = [r for r in rows if r["remote_addr"] == self.topo.client_addr and
                       r["remote_port"] == lport and r["state"] == "ESTAB"]
                return hit[0] if hit else None
            row = di.wait_for(client_row, 20, f"dtcp-ss to list the client's connection "
                              f"from port {lport}", interval=0.1)
            di.check("tag" in row, f"dtcp-ss rows carry no tag: {row}")
            pair = di.dtcp_ss(self.lb.prefix, "--tag", str(row["tag"]))
            di.log(f"dtcp-ss --tag {row['tag']}: " + "; ".join(
                f"{r['local_addr']}:{r['local_port']} <-> {r['remote_addr']}:"
                f"{r['remote_port']} {r['state']}" for r in pair))
            di.check_eq(len(pair), 2, f"rows with tag {row['tag']} (a proxied pair: {pair})")
            to_client = [r for r in pair if r["remote_addr"] == self.topo.client_addr]
            to_backend = [r for r in pair if r["remote_addr"] in self.topo.backend_addrs]
            di.check(len(to_client) == 1 and len(to_backend) == 1,
                     f"tag {row['tag']}: want one row to the client and one to a backend: {pair}")
            c, b = to_client[0], to_backend[0]
            di.check((c["local_addr"], c["local_port"], c["remote_port"]) ==
                     (self.topo.vip, PORT, lport), f"client half: {c}")
            di.check(b["remote_port"] == PORT and b["state"] == "ESTAB", f"backend half: {b}")
            out, err = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                di.stop_process(proc, sig=signal.SIGKILL)
        res = self.finish_download(subprocess.CompletedProcess(proc.args, proc.returncode,
                                                               out, err), path, FILE_BYTES,
                                   "tagged download")
        di.check_eq(b["remote_addr"], self.topo.backend_addrs[int(res["backend"])],
                    "the tagged backend half vs the backend that served the body")

    # --- 6. health -------------------------------------------------------------------
    def health(self, k=1):
        loop = di.Background(self.topo.in_client(di.PYTHON, "-u", li.peer_script(),
                                                 "idnt-loop", self.topo.vip, str(PORT), "4",
                                                 "60"), "idnt-loop", r"^started$",
                             comm="python3")
        with loop:
            b0 = self.lb.backends()
            di.wait_for(lambda: self.lb.backends()[k]["total"] > b0[k]["total"] + 5, 20,
                        f"clients reaching backend {k} before the kill")
            t_kill = time.monotonic()
            self.stop_backend(k)
            bound = INTERVAL_MS * FALL / 1000 + SLACK_S
            t_down, line = self.lb.wait_state(k, "down", bound + 5)
            di.log(f"health: backend {k} stopped; LB said '{line.strip()}' after "
                   f"{t_down - t_kill:.2f} s")
            di.check(t_down - t_kill <= bound, f"backend {k} reported down after "
                     f"{t_down - t_kill:.2f} s, bound interval x fall + {SLACK_S} = {bound} s")
            at_down = di.wait_for(lambda: (lambda b: b if b[k]["state"] == "down" else None)(
                self.lb.backends()), 2, f"the LB's backend list to show backend {k} down")
            # Connections that began before the down report (the LB may still be retrying
            # them on backend k) end first; from then on its total and failed connects
            # must stay put: no new connection is sent to it.
            def pre_down_done():
                n = len(li.json_lines(loop.text))
                os.kill(loop.proc.pid, signal.SIGUSR1)
                di.wait_for(lambda: len(li.json_lines(loop.text)) > n, 5, "the client loop")
                since = li.json_lines(loop.text)[-1]["inflight_since"]
                return since is None or since > t_down
            di.wait_for(pre_down_done, 30, "client connections begun before the down report "
                        "to end", interval=0.1)
            quiet = self.lb.backends()
            # Connections go on for a while against the two others.
            di.wait_for(lambda: sum(b["total"] for i, b in enumerate(self.lb.backends())
                                    if i != k) >= sum(b["total"] for i, b in enumerate(quiet)
                                                      if i != k) + 100, 30,
                        "100 connections to the healthy backends while one is down")
            still = self.lb.backends()[k]
            t_restart = time.monotonic()
            self.backends[k] = self.start_backend(k)
            bound_up = INTERVAL_MS * RISE / 1000 + SLACK_S
            t_up, line = self.lb.wait_state(k, "up", bound_up + 5)
            di.log(f"health: backend {k} restarted; LB said '{line.strip()}' after "
                   f"{t_up - t_restart:.2f} s")
            di.check(t_up - t_restart <= bound_up, f"backend {k} reported up after "
                     f"{t_up - t_restart:.2f} s, bound interval x rise + {SLACK_S} = {bound_up} s")
            di.wait_for(lambda: self.lb.backends()[k]["total"] > still["total"] + 5, 20,
                        f"clients reaching backend {k} again")
            os.kill(loop.proc.pid, signal.SIGTERM)  # it ends its connections, reports, exits
            try:
                loop.proc.wait(40)
            except subprocess.TimeoutExpired:
                raise di.TestFailure(f"the client loop did not exit: {loop.text[-500:]}")
            loop.stop()
        res = [j for j in li.json_lines(loop.output) if "results" in j]
        di.check(res, f"no result from the client loop (exit {loop.rc}): "
                 f"{loop.output[:300]} ... {loop.output[-300:]}")
        res = res[-1]["results"]
        for key in ("total", "connect_failed"):
            if still[key] is not None:
                di.check_eq(still[key], quiet[k][key], f"backend {k}'s {key} while it was "
                            f"down (once its last connection ended vs just before restart)")
        after = [r for r in res if t_down < r["t0"] and r["t1"] < t_restart]
        bad = [r for r in after if r["error"] or r["backend"] == str(k)]
        di.check(not bad, f"{len(bad)} of {len(after)} connections started after the down "
                 f"report failed or reached backend {k}: {bad[:5]}")
        fails = [r for r in res if r["error"]]
        late = [r for r in fails if r["t0"] >= t_down]
        di.check(not late, f"client connections failed after backend {k} was reported down "
                 f"(only the dead backend may fail a connection): {late[:5]}")
        grew = quiet[k]["connect_failed"] - b0[k]["connect_failed"]
        di.check(len(fails) <= grew, f"{len(fails)} client connections failed across the "
                 f"kill, but the LB attributes only {grew} failed connects to backend {k}: "
                 f"a healthy backend's connection failed ({fails[:5]})")
        back = [r for r in res if r["t0"] > t_up and r["backend"] == str(k)]
        di.log(f"health: {len(res)} client connections across kill and restart, "
               f"{len(fails)} failed (all before the down report, each a failed connect "
               f"to backend {k}: {grew}), {len(after)} while it was down, {len(back)} to "
               f"it after it came back")
        di.check(back, f"no client connection reached backend {k} after it came back up")

    # --- 7. final ----------------------------------------------------------------------
    def final(self):
        di.wait_for(lambda: self.lb.stats()["active_pairs"] == 0, 20,
                    "the LB's active pairs to drop to 0")
        fin = self.lb.stop()
        di.log("final: " + str(fin))
        for i in range(NB):
            self.stop_backend(i)
        lb, backends = fin["lb"], fin["backends"]
        di.check_eq(len(backends), NB, "backends in the final JSON")
        if IS_DTCP:
            for key in li.LB_FIELDS:
                di.check(key in lb, f"final JSON: lb.{key} missing")
            for b in backends:
                for key in li.BACKEND_FIELDS:
                    di.check(key in b, f"final JSON: backends[].{key} missing ({b})")
            di.check_eq(lb["payload_copies"], 0, "final JSON: payload_copies")
        else:
            self.skip("payload_copies")
        di.check_eq(lb["active_pairs"], 0, "final JSON: active_pairs")
        sums = {"total": 0, "bytes_to_backend": 0, "bytes_to_client": 0}
        for i, b in enumerate(backends):
            lives = self.lives[i]
            counted = {"total": sum(x["conns"] for x in lives),
                       "bytes_to_backend": sum(x["bytes_in"] for x in lives),
                       "bytes_to_client": sum(x["bytes_out"] for x in lives)}
            di.check_eq((b["addr"], int(b["port"])), self.addrs[i],
                        f"final JSON: backend {i}'s address")
            for key, want in counted.items():
                got = b[key]
                if not IS_DTCP and key == "bytes_to_backend" and b["connect_failed"]:
                    # HAProxy counts the 4 bytes of an IDNT whose connects all failed as
                    # sent to the server ("bin"); nothing reached it.
                    di.check(0 <= got - want <= 4 * b["connect_failed"],
                             f"haproxy: backend {i} bytes_to_backend {got}, counted {want}, "
                             f"{b['connect_failed']} failed sessions")
                    got = want
                di.check_eq(got, want, f"final JSON: backend {i} {key} vs what its "
                            f"{len(lives)} process(es) counted")
                sums[key] += want
            sums["undelivered"] = sums.get("undelivered", 0) + b[
                "bytes_to_backend"] - counted["bytes_to_backend"]
            di.log(f"backend {i}: {counted['total']} connections (+ "
                   f"{sum(x['empty'] for x in lives)} health checks), "
                   f"{counted['bytes_to_backend']} bytes in, {counted['bytes_to_client']} out")
        di.check_eq(lb["bytes_to_backend"], sums["bytes_to_backend"] + sums["undelivered"],
                    "final JSON: lb.bytes_to_backend vs the backends' sum")
        di.check_eq(lb["bytes_to_client"], sums["bytes_to_client"],
                    "final JSON: lb.bytes_to_client vs the backends' sum")
        if IS_DTCP:
            di.check_eq(lb["proxied"], sums["total"],
                        "final JSON: lb.proxied vs connections the backends counted")

    # --- 8. roundrobin ------------------------------------------------------------------
    def roundrobin(self):
        with self.running_lb(policy="roundrobin"):
            per = self.spread(RR_COUNT, CONC, "roundrobin")
            di.check_eq(per, [RR_COUNT // NB] * NB, "roundrobin, one lcore: connections "
                        "per backend")
            self.stability(False)


    # --- 9. two lcores --------------------------------------------------------------------
    def two_lcores(self):
        def checks_done():
            return sum(b["checks_ok"] + b["checks_failed"] for b in lb.backends())

        with self.running_lb(lcores="0,1") as lb:
            per = self.spread(MANY, CONC, "maglev, two lcores")
            for i, p in enumerate(per):
                di.check(SHARE_LO * MANY <= p <= SHARE_HI * MANY,
                         f"maglev, two lcores: backend {i} got {p} of {MANY}, outside "
                         f"{SHARE_LO:.0%}-{SHARE_HI:.0%}")
            # Quiet first: every pair closed, so the per-lcore reads below are final.
            di.wait_for(lambda: lb.stats()["active_pairs"] == 0, 20, "every pair closed")
            # Health checks go on meanwhile: counted before and after the per-lcore reads.
            checks_lo = checks_done()
            st = [di.telemetry(lb.prefix, f"/dtcp/stats,{i}") for i in range(2)]
            checks_hi = checks_done()
            passive = [s["tcp_passive_opens"] for s in st]
            active = [s["tcp_active_opens"] for s in st]
            di.log(f"two lcores: passive opens {passive}, active opens {active}, health "
                   f"checks {checks_lo}..{checks_hi} (lcore 0)")
            di.check(all(p > 0 for p in passive), f"an lcore accepted no client: {passive}")
            di.check_eq(sum(passive), lb.stats()["accepted"],
                        "passive opens over the lcores vs the LB's accepted")
            di.check_eq(active[1], passive[1], "lcore 1: backend connects vs clients accepted")
            # lcore 0 opened one per client it accepted plus its checks: those done by
            # the first count at least, those done by the second plus one in flight per
            # backend at most.
            di.check(passive[0] + checks_lo <= active[0] <= passive[0] + checks_hi + NB,
                     f"lcore 0: active opens {active[0]}, want clients {passive[0]} + "
                     f"health checks {checks_lo}..{checks_hi} (+ {NB} in flight)")
            for i, s in enumerate(st):
                for n in ("drop_steer_full", "tcp_tx_rst_reply"):
                    di.check_eq(s.get(n, 0), 0, f"lcore {i}: {n}")


def netem_test(t, topo):
    relay = di.Background(topo.in_relay(di.relay_binary(), topo.relay_client_if,
                                        topo.relay_switch_if, "--loss", str(LOSS_PCT),
                                        "--seed", "11"), "netem_relay", r"^ready ",
                          comm="netem_relay")
    with relay:
        with t.running_lb():
            t.downloads(1)
            t.echoes(1)
        relay.stop()
    ctr = li.json_lines(relay.output)[-1]
    di.log(f"netem_relay: {ctr}")
    for d in ("a2b", "b2a"):
        di.check(ctr[d]["lost"] > 0, f"netem_relay lost nothing {d}: the path was not impaired")
        di.check_eq(ctr[d]["rx_socket_drops"], 0, f"netem_relay socket drops {d}")


def test():
    di.require_basics("curl", "nc")
    if IMPL == "haproxy":
        di.require_tools("haproxy")
    elif IMPL != "dtcp":
        raise di.TestFailure(f"DTCP_LB_IMPL={IMPL!r}: dtcp or haproxy")
    else:
        li.lb_binary()
    with tempfile.TemporaryDirectory(prefix="dtcp-lb-test-") as tmp, \
            di.LbTopology("lbt" if not NETEM else "lbn", SUBNET, NB, relay=NETEM) as topo, \
            ExitStack() as es:
        t = Test(topo, tmp, es)
        if NETEM:
            netem_test(t, topo)
            return
        with t.running_lb():
            t.downloads()
            t.echoes()
            t.spread_and_stability()
            t.reset()
            t.tags()
            t.health()
            t.final()
        for i in range(NB):
            t.backends[i] = t.start_backend(i)
        t.roundrobin()
        if IS_DTCP:
            t.two_lcores()
        if t.skipped:
            di.log(f"{IMPL}: not checked (dtcp-lb only): {', '.join(t.skipped)}")


if __name__ == "__main__":
    di.main(test)
