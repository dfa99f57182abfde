#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The load balancers and backends of test_lb.py and tools/bench/lb, on an
dtcp_interop.LbTopology.

    DtcpLb(topo, port, backends, ...)      app/dtcp-lb on net_af_packet in the LB namespace
    HaproxyLb(topo, port, backends, ...)   HAProxy (Debian package, TCP mode, one thread)
                                           on the kernel's VIP in the same namespace
Both are context managers with the same interface: enter starts the LB and waits
(bounded) until it is ready; wait_state(i, "up"|"down", timeout) waits for backend i's
health transition as the LB reports it and returns the time.monotonic() at which the
report was seen; backends() and stats() read the live figures (dtcp-lb: telemetry
/dtcp_lb/backends and /dtcp_lb/stats; HAProxy: "show stat" on its stats socket) in
dtcp-lb's final-JSON schema, HAProxy's fields it has no figure for set to None;
stop() stops the LB by PID and returns {"lb": {...}, "backends": [...]} (dtcp-lb: its
final JSON line, exit status 0 demanded; HAProxy: "show stat" read just before).

BackendProcess(topo, i, port): lb_peer.py backend in backend namespace i (core 0);
counters() asks it for its counters (SIGUSR1), stop() stops it by PID (SIGTERM: refuses
new connections at once, lets those in flight finish) and returns its final counters.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time

import dtcp_interop as di

LB_FIELDS = ("accepted", "proxied", "active_pairs", "backend_connect_failed", "no_backend",
             "client_resets_propagated", "backend_resets_propagated", "idle_timeouts",
             "half_closes", "payload_copies", "bytes_to_backend", "bytes_to_client")
BACKEND_FIELDS = ("addr", "port", "state", "active", "total", "bytes_to_backend",
                  "bytes_to_client", "checks_ok", "checks_failed", "connect_failed")


def peer_script():
    return os.path.join(di.HERE, "lb_peer.py")


def lb_binary():
    path = os.path.join(di.build_root(), "app", "dtcp-lb", "dtcp-lb")
    di.check(os.access(path, os.X_OK), f"dtcp-lb not found at {path} (DTCP_BUILD_ROOT? is "
             f"the load balancer built?)")
    return path


def json_lines(text):
    out = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


# --- backends ---------------------------------------------------------------------------

class BackendProcess(di.Background):
    def __init__(self, topo, i, port):
        self.index, self.port = i, port
        self.addr = topo.backend_addrs[i]
        super().__init__(topo.in_backend(i, di.PYTHON, "-u", peer_script(), "backend",
                                         self.addr, str(port), str(i)),
                         f"backend{i}", r"^ready backend", comm="python3")

    def counters(self, timeout=10):
        """Its counters now (SIGUSR1, then the next JSON line it prints)."""
        di.check(self.alive(), f"backend {self.index} exited:\n{self.text}")
        before = len(json_lines(self.text))
        os.kill(self.proc.pid, signal.SIGUSR1)
        di.wait_for(lambda: len(json_lines(self.text)) > before, timeout,
                    f"backend {self.index}'s counters", interval=0.02)
        return json_lines(self.text)[-1]

    def stop(self, sig=None, timeout=15):
        """SIGTERM by PID; returns its final counters."""
        rc = super().stop(sig=sig, timeout=timeout)
        lines = json_lines(self.output)
        di.check(rc == 0 and lines, f"backend {self.index} exit {rc}, output:\n{self.output}")
        self.final = lines[-1]
        return self.final


# --- dtcp-lb ----------------------------------------------------------------------------

class DtcpLb(di.Background):
    kind = "dtcp-lb"
    STATE_RX = r"^dtcp-lb: backend (\d+) ([0-9.]+):(\d+) {state}\b.*$"

    def __init__(self, topo, port, backends, policy=None, interval_ms=None, rise=None,
                 fall=None, health_timeout_ms=None, retries=None, idle_timeout_s=None,
                 lcores="1", config=None, mem_mb=256, extra=()):
        self.topo = topo
        self.backends_list = list(backends)
        self.prefix = f"lb-{topo.name}"
        self.lcores = lcores
        nl = len(lcores.split(","))
        vdev = di.af_packet_vdev(topo, *([f"qpairs={nl}"] if nl > 1 else []))
        argv = topo.in_lb(lb_binary(), "-l", lcores, "--no-pci", "--no-huge", "-m",
                          str(mem_mb), "--file-prefix", self.prefix, "--vdev", vdev, "--",
                          "--addr", f"{topo.vip}/{topo.prefix_len}", "--listen", str(port),
                          "--backend", ",".join(f"{a}:{p}" for a, p in self.backends_list),
                          cpu=lcores)
        for opt, val in (("--policy", policy), ("--health-interval", interval_ms),
                         ("--health-rise", rise), ("--health-fall", fall),
                         ("--health-timeout", health_timeout_ms),
                         ("--connect-retries", retries), ("--idle-timeout", idle_timeout_s),
                         ("--config", config)):
            if val is not None:
                argv += [opt, str(val)]
        argv += list(extra)
        super().__init__(argv, "dtcp-lb", r"^dtcp-lb: ready$", comm="dtcp-lb")
        self.final = None

    def __enter__(self):
        try:
            return super().__enter__()
        except BaseException:
            shutil.rmtree(f"/var/run/dpdk/{self.prefix}", ignore_errors=True)
            raise

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.stop()
        else:  # failing already: stop it, show its output, keep the first error
            super().stop()
            shutil.rmtree(f"/var/run/dpdk/{self.prefix}", ignore_errors=True)
            di.log("dtcp-lb output (tail):\n" + "\n".join(self.output.splitlines()[-60:]))
        return False

    def wait_state(self, i, state, timeout):
        addr, port = self.backends_list[i]
        rx = self.STATE_RX.format(state=state).replace(r"([0-9.]+):(\d+)",
                                                       re.escape(f"{addr}:{port}"))
        m = self.reader.wait_for_text(rx, timeout)
        t = time.monotonic()
        di.check(m is not None, f"dtcp-lb did not report backend {i} ({addr}:{port}) "
                 f"{state} within {timeout:.1f} s; its output:\n{self.text[-3000:]}")
        return t, m.group(0)

    def telemetry(self, cmd):
        return di.telemetry_direct(self.prefix, cmd)

    def backends(self):
        raw = self.telemetry("/dtcp_lb/backends")
        di.check(isinstance(raw, dict), f"/dtcp_lb/backends answered {raw!r}")
        return [raw[f"backend{i}"] for i in range(len(self.backends_list))]

    def stats(self):
        return self.telemetry("/dtcp_lb/stats")

    def stop(self, sig=None, timeout=20):
        if self.final is not None:
            return self.final
        if sig == signal.SIGKILL or (self.proc is not None and self.rc is not None):
            super().stop(sig=sig, timeout=timeout)  # failing already: no checks
            shutil.rmtree(f"/var/run/dpdk/{self.prefix}", ignore_errors=True)
            return None
        rc = super().stop(sig=sig, timeout=timeout)
        shutil.rmtree(f"/var/run/dpdk/{self.prefix}", ignore_errors=True)
        di.log("dtcp-lb output (tail):\n" + "\n".join(
            line for line in self.output.splitlines()[-80:] if not line.startswith("EAL:")))
        di.check(rc is not None, "dtcp-lb did not exit within 20 s of SIGTERM (killed)")
        di.check_eq(rc, 0, "dtcp-lb exit status")
        finals = [j for j in json_lines(self.output) if "lb" in j and "backends" in j]
        di.check(finals, "dtcp-lb printed no final JSON line ({\"lb\": ..., \"backends\": ...})")
        self.final = finals[-1]
        self.counters = di.parse_counters_after(self.output, "final counters")
        return self.final


# --- HAProxy ----------------------------------------------------------------------------

class HaproxyLb:
    """HAProxy in the LB namespace on the kernel's VIP (topo.kernel_lb(True) first), one
    thread on core 1. Policies: roundrobin (balance roundrobin) and "maglev" (balance hash
    src_port, map-based: a hash of the client's port over the servers, stable per client
    port while the set is unchanged, as maglev is; the test has one client address)."""
    kind = "haproxy"

    def __init__(self, topo, port, backends, tmp, policy="maglev", interval_ms=1000, rise=2,
                 fall=2, health_timeout_ms=None, retries=None, idle_timeout_s=None,
                 lcores="1", maxconn=8000):
        self.topo = topo
        self.backends_list = list(backends)
        self.sock = os.path.join(tmp, f"haproxy-{port}.sock")
        self.cfg = os.path.join(tmp, f"haproxy-{port}.cfg")
        balance = ("roundrobin" if policy == "roundrobin"
                   else "hash src_port\n    hash-type map-based")
        idle = f"{idle_timeout_s}s" if idle_timeout_s else "300s"
        servers = "".join(f"    server b{i} {a}:{p}\n"
                          for i, (a, p) in enumerate(self.backends_list))
        chk = f"inter {interval_ms} rise {rise} fall {fall}"
        with open(self.cfg, "w") as f:
            f.write(f"""global
    nbthread {len(lcores.split(','))}
    maxconn {maxconn}
    stats socket {self.sock} mode 600 level admin
defaults
    mode tcp
    timeout connect 5s
    timeout client {idle}
    timeout server {idle}
    timeout check {health_timeout_ms or interval_ms}ms
    retries {retries if retries is not None else 3}
frontend fe
    bind {topo.vip}:{port}
    maxconn {maxconn}
    default_backend be
backend be
    balance {balance}
    default-server check {chk}
{servers}""")
        self.argv = topo.in_lb("haproxy", "-db", "-f", self.cfg, cpu=lcores)
        self.bg = di.Background(self.argv, "haproxy", r".", comm="haproxy")
        self.final = None

    @property
    def proc(self):
        return self.bg.proc

    @property
    def text(self):
        return self.bg.reader.text

    def alive(self):
        return self.bg.alive()

    def __enter__(self):
        di.log(f"starting haproxy: {' '.join(self.argv)}")
        self.bg.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.bg.reader = di.OutputReader(self.bg.proc.stdout, "haproxy")
        try:
            def ready():
                di.check(self.alive(), f"haproxy exited: {self.text}")
                try:
                    rows = self.show_stat()
                except OSError:
                    return False
                return any(r["svname"] == "FRONTEND" and r["status"] == "OPEN" for r in rows)
            di.wait_for(ready, 30, "haproxy's stats socket and frontend", interval=0.05)
            if self.bg.comm:
                with open(f"/proc/{self.proc.pid}/comm") as f:
                    di.check_eq(f.read().strip(), self.bg.comm,
                                f"process name of pid {self.proc.pid}")
        except BaseException:
            self.bg.stop(sig=signal.SIGKILL)
            raise
        return self

    def __exit__(self, *exc):
        self.bg.stop()
        return False

    def command(self, cmd):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(5)
            s.connect(self.sock)
            s.sendall(cmd.encode() + b"\n")
            data = b""
            for _ in range(10000):
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        return data.decode(errors="replace")

    def show_stat(self):
        lines = self.command("show stat").splitlines()
        head = lines[0].lstrip("# ").split(",")
        return [dict(zip(head, line.split(","))) for line in lines[1:] if line.strip()]

    @staticmethod
    def _int(v):
        return int(v) if v not in ("", None) else 0

    def backends(self):
        rows = {r["svname"]: r for r in self.show_stat() if r["pxname"] == "be"}
        out = []
        for i, (addr, port) in enumerate(self.backends_list):
            r = rows[f"b{i}"]
            out.append({"addr": addr, "port": port,
                        "state": "up" if r["status"].startswith("UP") else "down",
                        "active": self._int(r["scur"]),
                        # stot counts every attempt: failed connects (econ) and their
                        # retries (wretr) too; "total" is connections that reached it.
                        "total": self._int(r["stot"]) - self._int(r["econ"]) -
                        self._int(r["wretr"]),
                        "bytes_to_backend": self._int(r["bin"]),
                        "bytes_to_client": self._int(r["bout"]), "checks_ok": None,
                        "checks_failed": self._int(r["chkfail"]),
                        "connect_failed": self._int(r["econ"]), "haproxy_status": r["status"]})
        return out

    def stats(self):
        rows = {(r["pxname"], r["svname"]): r for r in self.show_stat()}
        fe, be = rows[("fe", "FRONTEND")], rows[("be", "BACKEND")]
        lb = {k: None for k in LB_FIELDS}
        lb.update(accepted=self._int(fe["stot"]), proxied=self._int(be["stot"]),
                  active_pairs=self._int(fe["scur"]),
                  backend_connect_failed=self._int(be["econ"]),
                  bytes_to_backend=self._int(be["bin"]), bytes_to_client=self._int(be["bout"]))
        return lb

    def wait_state(self, i, state, timeout):
        word = {"down": "DOWN", "up": "UP"}[state]
        m = self.bg.reader.wait_for_text(rf"^.*Server be/b{i} is {word}\b.*$", timeout)
        t = time.monotonic()
        di.check(m is not None, f"haproxy did not report server b{i} {word} within "
                 f"{timeout:.1f} s; its output:\n{self.text[-3000:]}")
        return t, m.group(0)

    def stop(self, sig=None, timeout=20):
        if self.final is None:
            self.final = {"lb": self.stats(), "backends": self.backends()}
            self.bg.stop(sig=sig, timeout=timeout)
        return self.final


def make_lb(kind, topo, port, backends, tmp, **kw):
    """DtcpLb or HaproxyLb (kind "dtcp" | "haproxy"); switches the LB namespace's veth
    between the stack (muted, no address) and the kernel (the VIP) as needed."""
    topo.kernel_lb(kind == "haproxy")
    if kind == "haproxy":
        return HaproxyLb(topo, port, backends, tmp, **kw)
    return DtcpLb(topo, port, backends, **kw)
