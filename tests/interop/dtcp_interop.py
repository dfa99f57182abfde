#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Shared helpers for the af_packet interop tests (tests/interop/test_*.py).

Each test builds its own pair of namespaces with tools/topo (a unique NAME per
test and process), runs dtcp-server in the stack namespace, drives Linux tools
from the other namespace and reads the stack's counters over telemetry.

    with Topology("png", "198.18.10") as topo, DtcpServer(topo) as srv:
        run(topo.in_linux("ping", "-c", "1", topo.stack_addr))
        stats = srv.stats()

Exit codes follow meson: 0 pass, 77 skip, anything else fail. main() maps a
Skip exception to 77 and everything else to 1, and turns SIGTERM (meson's
timeout) into an exception so that every context manager still tears down.

Run as a program, the module is the helper that executes inside a namespace
(ip netns exec NS /usr/bin/python3 dtcp_interop.py sendp|sniff-arp ...), where
the test process itself cannot go.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import traceback

PYTHON = "/usr/bin/python3"
HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = 77


class Skip(Exception):
    """The test cannot run here (not root, a tool missing): exit 77."""


class TestFailure(AssertionError):
    pass


def log(*args):
    print(*args, flush=True)


def check(cond, msg):
    """Fail the test with @msg unless @cond."""
    if not cond:
        raise TestFailure(msg)


def check_eq(actual, expected, what):
    if actual != expected:
        raise TestFailure(f"{what}: expected {expected!r}, got {actual!r}")


# --- environment ----------------------------------------------------------------------

def source_root():
    return os.environ.get("DTCP_SOURCE_ROOT") or os.path.normpath(os.path.join(HERE, "..", ".."))


def build_root():
    root = os.environ.get("DTCP_BUILD_ROOT")
    if not root:
        root = os.path.join(source_root(), "build")
    return root


def server_binary():
    path = os.path.join(build_root(), "app", "dtcp-server", "dtcp-server")
    # Not a skip: with the build root known, a missing server is a broken build.
    check(os.access(path, os.X_OK), f"dtcp-server not found at {path} (DTCP_BUILD_ROOT?)")
    return path


def sanitized():
    """True when the build under test has sanitizers on (meson's b_sanitize): its
    binaries then run several times slower, which rate-bound tests must allow for."""
    path = os.path.join(build_root(), "meson-info", "intro-buildoptions.json")
    try:
        with open(path) as f:
            opts = {o["name"]: o["value"] for o in json.load(f)}
    except (OSError, ValueError, KeyError):
        return False
    return opts.get("b_sanitize", "none") not in ("none", "")


def topo_script():
    path = os.path.join(source_root(), "tools", "topo")
    check(os.access(path, os.X_OK), f"tools/topo not found at {path} (DTCP_SOURCE_ROOT?)")
    return path


def require_root():
    if os.geteuid() != 0:
        raise Skip("needs root (network namespaces, af_packet)")


def require_tools(*tools):
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        raise Skip("missing tool(s): " + ", ".join(missing))


def require_scapy():
    r = subprocess.run([PYTHON, "-c", "import scapy.all"], capture_output=True, timeout=60)
    if r.returncode != 0:
        raise Skip(f"{PYTHON} cannot import scapy (apt-get install python3-scapy)")


def require_basics(*extra_tools):
    """Root plus the tools every af_packet test needs."""
    require_root()
    require_tools("ip", "ethtool", "taskset", "dpdk-telemetry.py", *extra_tools)
    if not os.access(PYTHON, os.X_OK):
        raise Skip(f"{PYTHON} missing")


# --- processes ------------------------------------------------------------------------

def run(cmd, timeout=60, check_rc=True, **kw):
    """Run @cmd (list) to completion with a time bound; return CompletedProcess (text)."""
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    except subprocess.TimeoutExpired as e:
        raise TestFailure(f"timed out after {timeout}s: {' '.join(cmd)}\n"
                          f"stdout: {e.stdout}\nstderr: {e.stderr}") from None
    if check_rc and r.returncode != 0:
        raise TestFailure(f"exit {r.returncode}: {' '.join(cmd)}\n"
                          f"stdout: {r.stdout}\nstderr: {r.stderr}")
    return r


def wait_for(predicate, timeout, what="condition", interval=0.05):
    """Poll @predicate until it returns a truthy value (returned) or @timeout seconds pass."""
    deadline = time.monotonic() + timeout
    polls = 0
    while True:
        value = predicate()
        polls += 1
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TestFailure(f"timed out after {timeout}s ({polls} polls) waiting for {what}")
        time.sleep(interval)


def stop_process(proc, timeout=10, sig=signal.SIGTERM):
    """Signal our own child @proc by PID and reap it; SIGKILL if it does not go."""
    if proc.poll() is not None:
        return proc.returncode
    try:
        os.kill(proc.pid, sig)
    except ProcessLookupError:
        pass
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        return None


class OutputReader:
    """Drains a child's pipe on a thread (so the child never blocks on a full pipe)
    and lets the test wait for some text to appear in it."""

    def __init__(self, pipe, name):
        self.text = ""
        self.closed = False
        self._cond = threading.Condition()
        self._pipe = pipe
        self._thread = threading.Thread(target=self._drain, name=name, daemon=True)
        self._thread.start()

    def _drain(self):
        fd = self._pipe.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            with self._cond:
                if not chunk:
                    self.closed = True
                    self._cond.notify_all()
                    return
                self.text += chunk.decode(errors="replace")
                self._cond.notify_all()

    def wait_for_text(self, pattern, timeout):
        """Wait until regex @pattern matches the output; return the match or None
        (timeout or end of output)."""
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern, re.M)
        with self._cond:
            while True:
                m = rx.search(self.text)
                if m or self.closed:
                    return m
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)

    def join(self, timeout=10):
        self._thread.join(timeout)
        return self.text


# --- topology -------------------------------------------------------------------------

class Topology:
    """tools/topo af_packet up NAME SUBNET ... down NAME, whatever happens in between.

    NAME is @tag plus our PID so that two runs (two build dirs) never share namespaces;
    at most 10 characters as tools/topo requires."""

    def __init__(self, tag, subnet):
        self.name = f"{tag}{os.getpid()}"[:10]
        self.subnet = subnet
        self.up = False

    def __enter__(self):
        self.up = True  # tear down even a half-built topology
        try:
            r = run([topo_script(), "af_packet", "up", self.name, self.subnet], timeout=60)
        except BaseException:
            self.__exit__()
            raise
        kv = dict(tok.split("=", 1) for tok in r.stdout.split() if "=" in tok)
        self.stack_ns, self.linux_ns = kv["STACK_NS"], kv["LINUX_NS"]
        self.stack_if, self.linux_if = kv["STACK_IF"], kv["LINUX_IF"]
        self.stack_addr, self.linux_addr = kv["STACK_ADDR"], kv["LINUX_ADDR"]
        self.prefix_len = int(kv["PREFIX"])
        self.stack_mac = self.link_mac(self.stack_ns, self.stack_if)
        self.linux_mac = self.link_mac(self.linux_ns, self.linux_if)
        log(f"topology {self.name}: {self.linux_if} {self.linux_addr} {self.linux_mac} <-> "
            f"{self.stack_if} {self.stack_addr} {self.stack_mac}")
        return self

    def __exit__(self, *exc):
        if self.up:
            subprocess.run([topo_script(), "af_packet", "down", self.name],
                           capture_output=True, timeout=60)
            self.up = False
        return False

    @staticmethod
    def link_mac(ns, ifname):
        r = run(["ip", "-n", ns, "-j", "link", "show", ifname])
        return json.loads(r.stdout)[0]["address"].lower()

    def in_linux(self, *cmd, cpu=0):
        """argv running @cmd in the Linux namespace, pinned away from the stack's core."""
        argv = ["ip", "netns", "exec", self.linux_ns]
        if cpu is not None:
            argv += ["taskset", "-c", str(cpu)]
        return argv + list(cmd)

    def helper(self, *args):
        """argv running this module's namespace helper in the Linux namespace."""
        return self.in_linux(PYTHON, os.path.join(HERE, "dtcp_interop.py"), *args)

    def ping(self, *opts, count=5, timeout=30, check_rc=True):
        """ping the stack from Linux; returns CompletedProcess. -w bounds ping itself."""
        return run(self.in_linux("ping", "-n", "-c", str(count), "-w", str(timeout), *opts,
                                 self.stack_addr),
                   timeout=timeout + 15, check_rc=check_rc)


class RelayTopology(Topology):
    """Like Topology (same attributes, same addresses), but the two ends do not meet: a
    third namespace, NAME-r, holds the far end of each veth, NAME-rs (the stack's peer)
    and NAME-rl (Linux's peer), so that a program there (netem_relay) carries every frame
    between them. The relay namespace has no address, IPv6 off and an nftables ingress
    chain that drops everything on both veths (as the stack's namespace: packet sockets
    still see the frames, its kernel never answers). Offloads off on every veth end.
    Built here, not by tools/topo; ip netns del removes all of it."""

    def __enter__(self):
        self.up = True
        n = self.name
        self.stack_ns, self.linux_ns, self.relay_ns = f"{n}-s", f"{n}-l", f"{n}-r"
        self.stack_if, self.linux_if = f"{n}-s0", f"{n}-l0"
        self.relay_stack_if, self.relay_linux_if = f"{n}-rs", f"{n}-rl"
        self.linux_addr, self.stack_addr, self.prefix_len = (f"{self.subnet}.1",
                                                             f"{self.subnet}.2", 24)
        try:
            self._down()
            for ns in (self.stack_ns, self.linux_ns, self.relay_ns):
                run(["ip", "netns", "add", ns])
                run(["ip", "netns", "exec", ns, "sysctl", "-qw",
                     "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1",
                     "net.ipv4.ip_forward=0"])
                run(["ip", "-n", ns, "link", "set", "lo", "up"])
            for ns, dev, peer in ((self.stack_ns, self.stack_if, self.relay_stack_if),
                                  (self.linux_ns, self.linux_if, self.relay_linux_if)):
                run(["ip", "link", "add", dev, "netns", ns, "type", "veth", "peer", "name",
                     peer, "netns", self.relay_ns])
            # af_packet (and the relay's packet sockets) must see complete, checksummed,
            # unmerged frames everywhere.
            for ns, dev in ((self.stack_ns, self.stack_if), (self.linux_ns, self.linux_if),
                            (self.relay_ns, self.relay_stack_if),
                            (self.relay_ns, self.relay_linux_if)):
                run(["ip", "netns", "exec", ns, "ethtool", "-K", dev, "tx", "off", "tso", "off",
                     "gso", "off", "gro", "off"])
            run(["ip", "-n", self.linux_ns, "addr", "add", f"{self.linux_addr}/24", "dev",
                 self.linux_if])
            for ns, devs in ((self.stack_ns, [self.stack_if]),
                             (self.relay_ns, [self.relay_stack_if, self.relay_linux_if])):
                if shutil.which("nft"):
                    chains = "".join(
                        f"chain in{i} {{ type filter hook ingress device \"{d}\" priority 0; "
                        f"policy drop; }}\n" for i, d in enumerate(devs))
                    run(["ip", "netns", "exec", ns, "nft", "-f", "-"],
                        input=f"table netdev dtcp_mute {{\n{chains}}}\n")
            for ns, dev in ((self.relay_ns, self.relay_stack_if),
                            (self.relay_ns, self.relay_linux_if),
                            (self.stack_ns, self.stack_if), (self.linux_ns, self.linux_if)):
                run(["ip", "-n", ns, "link", "set", dev, "up"])
            self.stack_mac = self.link_mac(self.stack_ns, self.stack_if)
            self.linux_mac = self.link_mac(self.linux_ns, self.linux_if)
        except BaseException:
            self.__exit__()
            raise
        log(f"relay topology {n}: {self.linux_if} {self.linux_addr} {self.linux_mac} <-> "
            f"[{self.relay_linux_if} {self.relay_ns} {self.relay_stack_if}] <-> "
            f"{self.stack_if} {self.stack_addr} {self.stack_mac}")
        return self

    def _down(self):
        for ns in (f"{self.name}-s", f"{self.name}-l", f"{self.name}-r"):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=60)

    def __exit__(self, *exc):
        if self.up:
            self._down()
            self.up = False
        return False

    def in_relay(self, *cmd, cpu=0):
        """argv running @cmd in the relay namespace, on the Linux side's core."""
        argv = ["ip", "netns", "exec", self.relay_ns]
        if cpu is not None:
            argv += ["taskset", "-c", str(cpu)]
        return argv + list(cmd)


class TapTopology:
    """One namespace, NAME-t, holding a persistent multi-queue tap device NAME-t0 that
    the stack drives through net_tap (vdev()) while Linux, in the same namespace, owns
    the kernel side: SUBNET.1/24 on NAME-t0, the stack SUBNET.2. The device is made
    here (ip tuntap ... multi_queue) before any DPDK process, so the Linux address and
    route exist before the stack sends its first frame and outlive each DPDK process
    (net_tap attaches to it by name and leaves it down when it closes). IPv6 off.
    Same attributes as Topology (stack_ns == linux_ns, stack_if == linux_if); ip netns
    del removes all of it. Raises Skip if this kernel cannot make a multi-queue tap.

    net_tap gives the kernel device the PMD's own MAC when it attaches; linux_mac()
    puts back a MAC of our own (call it once the stack is ready), so that the two ends
    of the tap are told apart on the wire and in neighbour tables."""

    LINUX_MAC = "02:00:00:00:00:01"

    def __init__(self, tag, subnet):
        self.name = f"{tag}{os.getpid()}"[:10]
        self.subnet = subnet
        self.up = False

    def __enter__(self):
        self.up = True
        n = self.name
        self.stack_ns = self.linux_ns = f"{n}-t"
        self.stack_if = self.linux_if = f"{n}-t0"
        self.linux_addr, self.stack_addr, self.prefix_len = (f"{self.subnet}.1",
                                                             f"{self.subnet}.2", 24)
        try:
            self._down()
            run(["ip", "netns", "add", self.linux_ns])
            run(["ip", "netns", "exec", self.linux_ns, "sysctl", "-qw",
                 "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1",
                 "net.ipv4.ip_forward=0"])
            run(["ip", "-n", self.linux_ns, "link", "set", "lo", "up"])
            r = run(["ip", "-n", self.linux_ns, "tuntap", "add", "dev", self.linux_if, "mode",
                     "tap", "multi_queue"], check_rc=False)
            if r.returncode != 0:
                raise Skip(f"cannot create a multi-queue tap device: {r.stderr.strip()}")
            self.linux_mac_set()
            run(["ip", "-n", self.linux_ns, "addr", "add", f"{self.linux_addr}/24", "dev",
                 self.linux_if])
        except BaseException:
            self.__exit__()
            raise
        log(f"tap topology {n}: {self.linux_ns} {self.linux_if} {self.linux_addr} (Linux) "
            f"<-> net_tap {self.stack_addr} (the stack)")
        return self

    def vdev(self, *args):
        """The --vdev of the stack's net_tap port on the tap device; @args: more devargs."""
        return ",".join([f"net_tap0,iface={self.linux_if}", *args])

    def linux_mac_set(self):
        """Give the kernel end of the tap our MAC again and forget learned neighbours
        (the stack's MAC changes with every DPDK process)."""
        run(["ip", "-n", self.linux_ns, "link", "set", "dev", self.linux_if, "address",
             self.LINUX_MAC])
        run(["ip", "-n", self.linux_ns, "neigh", "flush", "dev", self.linux_if],
            check_rc=False)

    def _down(self):
        subprocess.run(["ip", "netns", "del", f"{self.name}-t"], capture_output=True,
                       timeout=60)

    def __exit__(self, *exc):
        if self.up:
            self._down()
            self.up = False
        return False

    def in_linux(self, *cmd, cpu=0):
        return Topology.in_linux(self, *cmd, cpu=cpu)


def relay_binary():
    path = os.path.join(build_root(), "tests", "interop", "netem_relay")
    check(os.access(path, os.X_OK), f"netem_relay not found at {path} (DTCP_BUILD_ROOT?)")
    return path


# --- the stack ------------------------------------------------------------------------

def af_packet_vdev(topo, *args):
    """The --vdev of the stack's af_packet port on topo.stack_if; @args are more of the
    PMD's key=value devargs (e.g. "qdisc_bypass=0": by default net_af_packet sets
    PACKET_QDISC_BYPASS, so its frames skip the veth's qdisc, netem included)."""
    return ",".join([f"net_af_packet0,iface={topo.stack_if}", *args])


def parse_counter_lines(text):
    """'  name   value' lines after 'dtcp-server: final counters' -> dict."""
    head, sep, tail = text.partition("dtcp-server: final counters")
    ctr = {}
    for line in tail.splitlines():
        m = re.match(r"^\s+([a-z0-9_]+)\s+(\d+)\s*$", line)
        if m:
            ctr[m.group(1)] = int(m.group(2))
    return ctr


HUGE_BASE_VIRTADDR = 0x200000000000  # 32 TiB; see DtcpServer


class DtcpServer:
    """dtcp-server in the stack namespace, pinned to core 1 (@lcores: an EAL core list
    such as "0,1", used for both -l and taskset; @vdev: the whole --vdev instead of the
    af_packet port on topo.stack_if, e.g. a net_tap one).

    Enter: start it and wait for "dtcp-server: ready" (bounded). Exit: SIGTERM by PID,
    demand exit status 0 and keep its final counters (self.final_counters). The EAL
    runtime directory and hugepage files of its own --file-prefix are removed."""

    READY = "dtcp-server: ready"

    def __init__(self, topo, hugepages=False, mem_mb=256, ready_timeout=30, extra_args=(),
                 vdev_args=(), lcores="1", vdev=None):
        self.topo = topo
        self.prefix = f"dtcp-{topo.name}"
        self.hugepages = hugepages
        argv = ["ip", "netns", "exec", topo.stack_ns, "taskset", "-c", lcores, server_binary(),
                "-l", lcores, "--no-pci", "-m", str(mem_mb), "--file-prefix", self.prefix,
                "--vdev", vdev or af_packet_vdev(topo, *vdev_args)]
        if hugepages:
            # A secondary process (dpdk-dumpcap) must map the primary's memory at the
            # same addresses. Left to the kernel, the primary's 16 GiB reservation lands
            # just below the shared libraries, where the secondary's own libraries may
            # already sit (seen with the ASan build, 1 run in 5). Put it in the middle of
            # the address space instead: free in both, and outside ASan's shadow and
            # allocator regions.
            argv.append(f"--base-virtaddr={HUGE_BASE_VIRTADDR:#x}")
        else:
            argv.append("--no-huge")
        argv += ["--", "--addr", f"{topo.stack_addr}/{topo.prefix_len}", *extra_args]
        self.argv = argv
        self.ready_timeout = ready_timeout
        self.proc = None
        self.output = ""
        self.final_counters = None

    def __enter__(self):
        log("starting: " + " ".join(self.argv))
        # ip netns exec and taskset both exec: proc.pid is dtcp-server itself.
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.reader = OutputReader(self.proc.stdout, "dtcp-server-output")
        try:
            m = self.reader.wait_for_text("^" + re.escape(self.READY) + "$", self.ready_timeout)
            if m is None:
                raise TestFailure(f"dtcp-server not ready within {self.ready_timeout}s "
                                  f"(exit {self.proc.poll()}):\n{self.reader.text}")
            # We stop it by PID: make sure the PID is the server, not a wrapper.
            with open(f"/proc/{self.proc.pid}/comm") as f:
                comm = f.read().strip()
            check_eq(comm, "dtcp-server", f"process name of pid {self.proc.pid}")
        except BaseException:
            self._kill()
            raise
        log(f"dtcp-server ready (pid {self.proc.pid}, file-prefix {self.prefix})")
        return self

    def _kill(self):
        stop_process(self.proc, timeout=5, sig=signal.SIGKILL)
        self.output = self.reader.join()
        self._cleanup_runtime()

    def stop(self):
        """SIGTERM, wait, check exit 0; returns the final counters (dict)."""
        if self.proc is None or self.final_counters is not None:
            return self.final_counters
        rc = stop_process(self.proc, timeout=15)
        self.output = self.reader.join()
        self._cleanup_runtime()
        log("dtcp-server output:\n" + self.output.rstrip())
        check(rc is not None, "dtcp-server did not exit within 15s of SIGTERM (killed)")
        check_eq(rc, 0, "dtcp-server exit status")
        check("dtcp-server: final counters" in self.output, "no final counters printed")
        self.final_counters = parse_counter_lines(self.output)
        return self.final_counters

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.stop()
        elif self.proc is not None and self.proc.poll() is None:
            # Already failing: stop it and show its output, but keep the first error.
            stop_process(self.proc, timeout=10)
            self.output = self.reader.join()
            self._cleanup_runtime()
            log("dtcp-server output:\n" + self.output.rstrip())
        return False

    def _cleanup_runtime(self):
        shutil.rmtree(f"/var/run/dpdk/{self.prefix}", ignore_errors=True)
        if self.hugepages:
            for mnt in hugetlbfs_mounts():
                for f in os.listdir(mnt):
                    if f.startswith(self.prefix + "map_"):
                        try:
                            os.unlink(os.path.join(mnt, f))
                        except OSError:
                            pass

    def alive(self):
        return self.proc.poll() is None

    def telemetry(self, cmd):
        return telemetry(self.prefix, cmd)

    def stats(self):
        return self.telemetry("/dtcp/stats")

    def wait_stats(self, predicate, timeout, what):
        """Poll /dtcp/stats until predicate(stats) holds; return those stats."""
        box = {}

        def poll():
            box["s"] = self.stats()
            return predicate(box["s"])

        wait_for(poll, timeout, what, interval=0.1)
        return box["s"]

    def settled_stats(self, timeout=10):
        """Stats once two reads in a row agree: the lcore has finished the burst it
        was counting (rx_packets is counted before the burst is processed)."""
        box = {"prev": self.stats()}

        def poll():
            cur = self.stats()
            same = cur == box["prev"]
            box["prev"] = cur
            return same

        wait_for(poll, timeout, "the counters to settle", interval=0.1)
        return box["prev"]


def telemetry(prefix, cmd, timeout=15):
    """One telemetry command through dpdk-telemetry.py; returns the command's JSON value.
    @cmd may carry a parameter ("/dtcp/stats,1"): the reply is keyed by the command alone."""
    r = run(["dpdk-telemetry.py", "-f", prefix], input=cmd + "\n", timeout=timeout)
    key = cmd.split(",", 1)[0]
    for line in r.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            reply = json.loads(line)
            if key in reply:
                return reply[key]
    raise TestFailure(f"no reply to telemetry {cmd} (prefix {prefix}):\n{r.stdout}\n{r.stderr}")


def telemetry_direct(prefix, cmd, timeout=5):
    """One telemetry command straight over the process's socket (no dpdk-telemetry.py
    start-up: milliseconds, for polling a short-lived process). Returns the command's JSON
    value; raises OSError or ValueError if the process is gone or answers nothing."""
    import socket
    path = f"/var/run/dpdk/{prefix}/dpdk_telemetry.v2"
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as s:
        s.settimeout(timeout)
        s.connect(path)
        info = json.loads(s.recv(1024).decode())
        s.send(cmd.encode())
        reply = json.loads(s.recv(info.get("max_output_len", 16384)).decode())
    return reply[cmd.split(",", 1)[0]]


def delta(after, before, name):
    return after[name] - before[name]


# --- hugepages ------------------------------------------------------------------------

def hugetlbfs_mounts():
    mounts = []
    with open("/proc/mounts") as f:
        for line in f:
            fields = line.split()
            if len(fields) >= 3 and fields[2] == "hugetlbfs":
                mounts.append(fields[1])
    return mounts


def meminfo(key):
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def ensure_hugepages(mb):
    """Make at least @mb MB of free default-size hugepages available, mounting hugetlbfs
    and reserving pages if needed (we are root). Raises Skip with the reason if impossible.
    What it sets up stays (like dpdk-hugepages.py --setup)."""
    size_kb = meminfo("Hugepagesize")
    if size_kb == 0 or not os.path.exists("/proc/sys/vm/nr_hugepages"):
        raise Skip("kernel without hugepage support")
    if not hugetlbfs_mounts():
        os.makedirs("/dev/hugepages", exist_ok=True)
        r = subprocess.run(["mount", "-t", "hugetlbfs", "nodev", "/dev/hugepages"],
                           capture_output=True, text=True, timeout=30)
        if r.returncode != 0 or not hugetlbfs_mounts():
            raise Skip(f"cannot mount hugetlbfs on /dev/hugepages: {r.stderr.strip()}")
        log("mounted hugetlbfs on /dev/hugepages")
    need = (mb * 1024 + size_kb - 1) // size_kb

    def available():  # free pages minus those promised to mappings not yet faulted in
        return meminfo("HugePages_Free") - meminfo("HugePages_Rsvd")

    free = available()
    if free < need:
        total = meminfo("HugePages_Total")
        try:
            with open("/proc/sys/vm/nr_hugepages", "w") as f:
                f.write(str(total + need - free))
        except OSError as e:
            raise Skip(f"cannot reserve hugepages: {e}") from None
        free = available()
        log(f"reserved hugepages: total {meminfo('HugePages_Total')}, free {free}")
        if free < need:
            raise Skip(f"only {free} free hugepages of {size_kb} kB, need {need} "
                       f"(memory too fragmented or too small)")
    return need


# --- TCP tests: dtcp-perf, dtcp-ss, configuration, Linux peers, captures ------------------

def perf_binary():
    path = os.path.join(build_root(), "app", "dtcp-perf", "dtcp-perf")
    check(os.access(path, os.X_OK), f"dtcp-perf not found at {path} (DTCP_BUILD_ROOT?)")
    return path


def ss_script():
    path = os.path.join(source_root(), "tools", "dtcp-ss")
    check(os.access(path, os.X_OK), f"tools/dtcp-ss not found at {path} (DTCP_SOURCE_ROOT?)")
    return path


def peer_script():
    """tcp_peer.py: the TCP clients and servers that run in the Linux namespace."""
    return os.path.join(HERE, "tcp_peer.py")


def write_config(directory, text, name="dtcp.ini"):
    """Write an INI file for --config (e.g. "[tcp]\\ntime_wait_s = 2\\n"); return its path.
    [port0] address may be left out: --addr sets it."""
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def parse_counters_after(text, header):
    """'  name   value' lines following the line @header (up to the next non-counter line)."""
    ctr = {}
    _, sep, tail = text.partition(header)
    if not sep:
        return ctr
    for line in tail.splitlines()[1:]:
        m = re.match(r"^\s+([a-z0-9_]+)\s+(\d+)\s*$", line)
        if not m:
            break
        ctr[m.group(1)] = int(m.group(2))
    return ctr


def dtcp_ss(prefix, *args, timeout=30):
    """tools/dtcp-ss -f PREFIX --json ARGS: the rows (dicts) it lists."""
    r = run([PYTHON, ss_script(), "-f", prefix, "--json", *args], timeout=timeout)
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]


def ss_states(rows):
    """{state: count} of dtcp_ss() rows."""
    out = {}
    for row in rows:
        out[row["state"]] = out.get(row["state"], 0) + 1
    return out


def ns_mib(ns, path="/proc/net/snmp"):
    """A namespace's /proc/net/snmp (or netstat: same layout) as
    {"Tcp": {"InCsumErrors": n, ...}, ...}."""
    r = run(["ip", "netns", "exec", ns, "cat", path])
    lines = [line.split() for line in r.stdout.splitlines()]
    mib = {}
    for head, vals in zip(lines[::2], lines[1::2]):
        if head and vals and head[0] == vals[0]:
            mib[head[0].rstrip(":")] = {k: int(v) for k, v in zip(head[1:], vals[1:])}
    return mib


def linux_snmp(topo):
    """The Linux namespace's /proc/net/snmp as {"Tcp": {"InCsumErrors": n, ...}, ...}."""
    return ns_mib(topo.linux_ns)


def linux_netstat(topo):
    """The Linux namespace's /proc/net/netstat as {"TcpExt": {"TCPOFOQueue": n, ...},
    "IpExt": {...}}."""
    return ns_mib(topo.linux_ns, "/proc/net/netstat")


def qdisc_stats(ns, dev):
    """The root qdisc of @dev in namespace @ns (tc -s -j): dict with kind, packets, bytes,
    drops, qlen, backlog (as tc prints them)."""
    r = run(["tc", "-n", ns, "-s", "-j", "qdisc", "show", "dev", dev, "root"])
    rows = json.loads(r.stdout or "[]")
    check(rows, f"no root qdisc on {dev} in {ns}")
    return rows[0]


def kernel_has_qdisc(kind):
    """Whether this kernel can create a @kind qdisc (probes on a dummy veth pair inside a
    namespace of its own, removed again)."""
    ns = f"qprobe{os.getpid()}"[:15]
    try:
        run(["ip", "netns", "add", ns])
        run(["ip", "-n", ns, "link", "add", "qp0", "type", "veth", "peer", "name", "qp1"])
        r = run(["tc", "-n", ns, "qdisc", "add", "dev", "qp0", "root", kind], check_rc=False)
        return r.returncode == 0
    finally:
        subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=30)


class PerfRun:
    """The outcome of one dtcp-perf run: rc, result (its --json object or None), the
    stack counters it printed with --stats, and its raw output."""

    def __init__(self, argv, completed):
        self.argv = argv
        self.rc = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr
        self.result = None
        for line in reversed(self.stdout.splitlines()):
            line = line.strip()
            if line.startswith("{"):
                try:
                    self.result = json.loads(line)
                except ValueError:
                    pass
                break
        self.counters = parse_counters_after(self.stderr, "dtcp-perf: stack counters")

    def describe(self):
        return (f"dtcp-perf exit {self.rc}: {' '.join(self.argv)}\n--- stdout\n{self.stdout}"
                f"--- stderr (EAL lines dropped)\n" +
                "".join(line + "\n" for line in self.stderr.splitlines()
                        if not line.startswith(("EAL:", "TELEMETRY:"))))

    def check_clean(self, what="dtcp-perf"):
        """Exit 0, a JSON result, >0 transactions (bytes for stream), 0 errors."""
        try:
            check(self.result is not None, f"{what}: no JSON result")
            check_eq(self.result["errors_total"], 0, f"{what}: errors_total")
            if self.result["test"] == "stream":
                check(self.result["bytes_received"] > 0, f"{what}: no bytes received")
            else:
                check(self.result["transactions"] > 0, f"{what}: no transactions")
            check_eq(self.rc, 0, f"{what}: exit status")
        except TestFailure:
            log(self.describe())
            raise
        return self.result


def perf_argv(topo, *args, config=None, prefix=None, mem_mb=256, vdev_args=(), lcores="1",
              vdev=None):
    """argv of dtcp-perf over af_packet in the stack namespace, pinned to core 1, with
    --json and --stats; @args are its own options after --addr. @lcores and @vdev as for
    DtcpServer. Returns (argv, prefix)."""
    prefix = prefix or f"perf-{topo.name}"
    argv = ["ip", "netns", "exec", topo.stack_ns, "taskset", "-c", lcores, perf_binary(),
            "-l", lcores, "--no-pci", "--no-huge", "-m", str(mem_mb), "--file-prefix", prefix,
            "--vdev", vdev or af_packet_vdev(topo, *vdev_args),
            "--", "--addr", f"{topo.stack_addr}/{topo.prefix_len}", "--json", "--stats"]
    if config is not None:
        argv += ["--config", config]
    return argv + list(args), prefix


def _log_perf(p):
    if p.result is not None:
        log(f"dtcp-perf exit {p.rc}: " + json.dumps(p.result))
    if p.counters:
        log("dtcp-perf stack counters: " +
            " ".join(f"{k}={v}" for k, v in p.counters.items()
                     if k.startswith(("tcp_", "drop_"))))


def run_perf(topo, *args, config=None, prefix=None, mem_mb=256, timeout=120, vdev_args=()):
    """dtcp-perf over af_packet in the stack namespace, pinned to core 1, to completion.

    @args are dtcp-perf's own options after --addr (--server, --test, ...); --json and
    --stats are added. Returns a PerfRun; the caller judges rc (errors exit 1)."""
    argv, prefix = perf_argv(topo, *args, config=config, prefix=prefix, mem_mb=mem_mb,
                             vdev_args=vdev_args)
    log("running: " + " ".join(argv))
    try:
        r = run(argv, timeout=timeout, check_rc=False)
    finally:
        shutil.rmtree(f"/var/run/dpdk/{prefix}", ignore_errors=True)
    p = PerfRun(argv, r)
    _log_perf(p)
    return p


class Background:
    """A process of ours that runs beside the test (a Linux server, a capture), usually
    in a namespace: enter starts it and waits (bounded) for regex @ready in its merged
    stdout/stderr; exit (or stop()) signals it by PID and reaps it.

    @comm: the expected /proc/PID/comm (ip netns exec and taskset exec, so the PID is
    the program itself); checked before we ever signal it."""

    def __init__(self, argv, name, ready, comm=None, ready_timeout=30,
                 stop_signal=signal.SIGTERM, env=None):
        self.argv = list(argv)
        self.name = name
        self.ready = ready
        self.comm = comm
        self.ready_timeout = ready_timeout
        self.stop_signal = stop_signal
        self.env = env
        self.proc = None
        self.reader = None
        self.rc = None

    def __enter__(self):
        log(f"starting {self.name}: " + " ".join(self.argv))
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, env=self.env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.reader = OutputReader(self.proc.stdout, self.name)
        try:
            m = self.reader.wait_for_text(self.ready, self.ready_timeout)
            if m is None:
                raise TestFailure(f"{self.name} not ready within {self.ready_timeout}s "
                                  f"(exit {self.proc.poll()}):\n{self.reader.text}")
            if self.comm is not None:
                with open(f"/proc/{self.proc.pid}/comm") as f:
                    comm = f.read().strip()
                check_eq(comm, self.comm, f"process name of {self.name} (pid {self.proc.pid})")
        except BaseException:
            self.stop(sig=signal.SIGKILL)
            raise
        return self

    @property
    def text(self):
        return self.reader.text

    def alive(self):
        return self.proc.poll() is None

    def stop(self, sig=None, timeout=10):
        """Signal and reap it (SIGKILL if it lingers); return its exit status and keep
        the whole output in self.output."""
        if self.proc is None:
            return None
        if self.rc is None:
            self.rc = stop_process(self.proc, timeout=timeout, sig=sig or self.stop_signal)
            self.output = self.reader.join()
        return self.rc

    def __exit__(self, *exc):
        self.stop()
        return False


class PerfProcess(Background):
    """dtcp-perf in the background (stack namespace, core 1), for runs whose end the test
    decides: enter waits for "dtcp-perf: ready"; interrupt() sends SIGINT (dtcp-perf then
    winds down: closes its connections, reports and exits); finish() waits (bounded) for
    the exit and returns the PerfRun. The output is merged (stdout and stderr): the JSON
    result is still its last line starting with "{", the counters follow their header."""

    def __init__(self, topo, *args, config=None, prefix=None, mem_mb=256, vdev_args=(),
                 ready_timeout=30, lcores="1", vdev=None):
        argv, self.prefix = perf_argv(topo, *args, config=config, prefix=prefix,
                                      mem_mb=mem_mb, vdev_args=vdev_args, lcores=lcores,
                                      vdev=vdev)
        super().__init__(argv, "dtcp-perf", r"^dtcp-perf: ready$", comm="dtcp-perf",
                         ready_timeout=ready_timeout, stop_signal=signal.SIGINT)

    def interrupt(self):
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGINT)

    def finish(self, timeout=30):
        """Wait up to @timeout s for dtcp-perf to exit (SIGKILL after that: a failure)."""
        try:
            self.proc.wait(timeout)
            killed = False
        except subprocess.TimeoutExpired:
            killed = True
        self.stop(sig=signal.SIGKILL)
        shutil.rmtree(f"/var/run/dpdk/{self.prefix}", ignore_errors=True)
        out = subprocess.CompletedProcess(self.argv, self.rc, self.output, self.output)
        p = PerfRun(self.argv, out)
        _log_perf(p)
        check(not killed, f"dtcp-perf did not exit within {timeout}s (killed):\n"
              f"{p.describe()}")
        return p

    def __exit__(self, *exc):
        super().__exit__(*exc)
        shutil.rmtree(f"/var/run/dpdk/{self.prefix}", ignore_errors=True)
        return False


def linux_peer(topo, *args, name="tcp_peer", ready=r"^ready\b", **kw):
    """Background tcp_peer.py ARGS in the Linux namespace (core 0)."""
    return Background(topo.in_linux(PYTHON, "-u", peer_script(), *args), name, ready,
                      comm="python3", **kw)


def run_peer(topo, *args, timeout=120):
    """tcp_peer.py ARGS in the Linux namespace to completion; returns its last JSON line."""
    r = run(topo.in_linux(PYTHON, "-u", peer_script(), *args), timeout=timeout, check_rc=False)
    out = None
    for line in reversed(r.stdout.splitlines()):
        if line.startswith("{"):
            out = json.loads(line)
            break
    if r.returncode != 0 or out is None:
        raise TestFailure(f"tcp_peer.py {' '.join(args)}: exit {r.returncode}\n"
                          f"stdout: {r.stdout}\nstderr: {r.stderr}")
    return out


class Capture(Background):
    """tshark on the Linux end of the veth (Linux namespace, core 0), printing one
    tab-separated line per packet as it arrives (-l). mark() sends a UDP broadcast from
    Linux and waits until the capture shows it: every packet on the wire before it has
    then been captured, with no guessing how long to wait.

    packets(): dicts keyed as in FIELDS (ints where numeric, tcp flags as an int, None
    where the packet has no such field), marker datagrams left out. @extra_fields, more
    (tshark field, key) pairs, are kept as tshark prints them (strings; None if empty),
    e.g. ("tcp.options", "options") for tcp_options()."""

    MARK_PORT = 9  # discard
    FIELDS = (("frame.time_epoch", "time"), ("ip.src", "src"), ("ip.dst", "dst"),
              ("tcp.srcport", "sport"), ("tcp.dstport", "dport"), ("tcp.seq_raw", "seq"),
              ("tcp.ack_raw", "ack"), ("tcp.flags", "flags"), ("tcp.len", "len"),
              ("udp.dstport", "udp_dport"))

    def __init__(self, topo, bpf, duration=150, extra_fields=()):
        self.topo = topo
        self.fields = self.FIELDS + tuple(extra_fields)
        self.raw_keys = {key for _, key in extra_fields}
        argv = topo.in_linux("tshark", "-n", "-l", "-i", topo.linux_if,
                             "-f", f"({bpf}) or (udp dst port {self.MARK_PORT})",
                             "-a", f"duration:{duration}", "-T", "fields",
                             "-E", "separator=/t", "-E", "occurrence=f")
        for field, _ in self.fields:
            argv += ["-e", field]
        super().__init__(argv, "tshark", r"Capturing on", comm="tshark",
                         stop_signal=signal.SIGINT)

    def __enter__(self):
        super().__enter__()
        try:
            self.mark()  # "Capturing on" comes a little before the socket is live
        except BaseException:
            self.stop()
            raise
        return self

    def _rows(self):
        rows = []
        for line in self.text.splitlines():
            parts = line.split("\t")
            if len(parts) != len(self.fields) or not re.match(r"^\d+\.\d+$", parts[0]):
                continue
            row = {}
            for (_, key), val in zip(self.fields, parts):
                if key in self.raw_keys:
                    row[key] = val if val != "" else None
                elif key == "time":
                    row[key] = float(val)
                elif key in ("src", "dst"):
                    row[key] = val
                else:
                    row[key] = int(val, 0) if val != "" else None
            rows.append(row)
        return rows

    def _is_mark(self, row):
        return row["udp_dport"] == self.MARK_PORT and row["sport"] is None

    def packets(self):
        return [r for r in self._rows() if not self._is_mark(r)]

    def mark(self, timeout=15):
        """Send a marker datagram from Linux and wait until the capture shows it."""
        before = sum(1 for r in self._rows() if self._is_mark(r))
        bcast = self.topo.linux_addr.rsplit(".", 1)[0] + ".255"
        code = ("import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
                "s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1); "
                f"s.sendto(b'dtcp-mark', ('{bcast}', {self.MARK_PORT}))")
        deadline = time.monotonic() + timeout
        for _ in range(int(timeout) + 1):  # resend: the first may precede the socket
            run(self.topo.in_linux(PYTHON, "-c", code), timeout=30)
            try:
                wait_for(lambda: sum(1 for r in self._rows() if self._is_mark(r)) > before,
                         max(0.05, min(1.0, deadline - time.monotonic())), "capture marker")
                return
            except TestFailure:
                if time.monotonic() >= deadline or not self.alive():
                    break
        raise TestFailure(f"tshark never showed the marker datagram (exit "
                          f"{self.proc.poll()}):\n{self.text}")


# TCP option kinds (RFC 9293, 7323, 2018).
TCP_OPT_EOL, TCP_OPT_NOP, TCP_OPT_MSS, TCP_OPT_WSCALE = 0, 1, 2, 3
TCP_OPT_SACK_PERM, TCP_OPT_TS = 4, 8


def tcp_options(hexstr):
    """A TCP header's options as tshark's tcp.options prints them (hex, no separators)
    -> [(kind, value bytes), ...] in wire order, NOP and EOL included (empty value).
    Raises TestFailure on a malformed option list."""
    data = bytes.fromhex(hexstr or "")
    opts, i = [], 0
    while i < len(data):
        kind = data[i]
        if kind in (TCP_OPT_EOL, TCP_OPT_NOP):
            opts.append((kind, b""))
            i += 1
            if kind == TCP_OPT_EOL:
                break
            continue
        check(i + 1 < len(data) and data[i + 1] >= 2 and i + data[i + 1] <= len(data),
              f"malformed TCP options {hexstr} at byte {i}")
        opts.append((kind, data[i + 2:i + data[i + 1]]))
        i += data[i + 1]
    return opts


def synflood_binary():
    path = os.path.join(build_root(), "app", "dtcp-synflood", "dtcp-synflood")
    check(os.access(path, os.X_OK), f"dtcp-synflood not found at {path} (DTCP_BUILD_ROOT?)")
    return path


def vm_rss_kb(pid):
    """VmRSS of process @pid in kB (/proc/PID/status)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise TestFailure(f"no VmRSS in /proc/{pid}/status")


# --- test entry point -----------------------------------------------------------------

def _on_sigterm(signum, frame):
    raise SystemExit(f"killed by signal {signum} (meson timeout?)")


def main(test):
    """Run test() and exit 0 / 77 (Skip) / 1 (anything else)."""
    signal.signal(signal.SIGTERM, _on_sigterm)
    signal.signal(signal.SIGHUP, _on_sigterm)
    try:
        test()
    except Skip as e:
        log(f"SKIP: {e}")
        sys.exit(SKIP)
    except TestFailure as e:
        log(f"FAIL: {e}")
        traceback.print_exc(file=sys.stdout)
        sys.exit(1)
    except BaseException as e:  # noqa: B902 - SystemExit from SIGTERM included
        traceback.print_exc(file=sys.stdout)
        log(f"FAIL: {type(e).__name__}: {e}")
        sys.exit(1)
    log("PASS")
    sys.exit(0)


# --- namespace helper (runs under ip netns exec) --------------------------------------

def _helper_sendp(iface, path):
    """Send every frame of @path (one hex frame per line) on @iface, in order, from one
    socket. Prints the number sent."""
    from scapy.all import Raw, conf, sendp
    conf.verb = 0
    with open(path) as f:
        frames = [Raw(bytes.fromhex(line.strip())) for line in f if line.strip()]
    sock = conf.L2socket(iface=iface)
    try:
        sendp(frames, socket=sock, verbose=False)
    finally:
        sock.close()
    print(json.dumps({"sent": len(frames)}), flush=True)


def _helper_sniff_arp(iface, seconds):
    """Print every ARP frame seen on @iface as a JSON line, for at most @seconds.
    Prints "sniffing" once the capture socket is open."""
    from scapy.all import ARP, AsyncSniffer, Ether

    def show(p):
        a = p[ARP]
        print(json.dumps({"eth_src": p[Ether].src.lower(), "eth_dst": p[Ether].dst.lower(),
                          "op": int(a.op), "hwsrc": a.hwsrc.lower(), "psrc": a.psrc,
                          "hwdst": a.hwdst.lower(), "pdst": a.pdst}), flush=True)

    sniffer = AsyncSniffer(iface=iface, store=False, prn=show, timeout=float(seconds),
                           lfilter=lambda p: p.haslayer(ARP),
                           started_callback=lambda: print("sniffing", flush=True))
    sniffer.start()
    sniffer.join()


if __name__ == "__main__":
    helpers = {"sendp": _helper_sendp, "sniff-arp": _helper_sniff_arp}
    if len(sys.argv) < 2 or sys.argv[1] not in helpers:
        sys.exit(f"usage: {sys.argv[0]} {'|'.join(helpers)} ARGS (runs inside a namespace)")
    signal.signal(signal.SIGTERM, lambda s, f: sys.exit(0))
    helpers[sys.argv[1]](*sys.argv[2:])
