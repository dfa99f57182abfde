#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""dtcp-perf (the stack's active open) against Linux servers over af_packet.

dtcp-perf runs in the stack namespace on core 1, each run with its own ephemeral
port range (see Ports); the servers run in the Linux namespace on core 0:
tcp_peer.py echo-server (a thread per connection, echoes until EOF, then closes) and
`python3 -m http.server` serving files bytes/N that hold the pattern dtcp-perf checks
(byte i = i mod 251).

Asserts, for each run: dtcp-perf exits 0 with a JSON result, more than 0 transactions
(bytes for stream), 0 errors, and its stack counted no TCP checksum drop and no
connection timeout; then:
  crr --verify, 64 B and 20,000 B requests (multi-segment both ways), --count 300,
      concurrency 4: exactly 300 transactions, 300 connections and 300 x size bytes
      read back, every byte equal to what was sent (dtcp-perf checks each one); the
      echo server accepted exactly those 600 connections, echoed exactly those bytes
      and saw no socket error;
  stream --verify, 2 connections for 3 s (another echo server): data flowed both ways
      and every byte echoed matches; the server accepted 2 connections and saw at most
      one reset each, and none unless the stack sent RSTs (closing with echoed data
      still arriving resets, as Linux does);
  crr --http /bytes/65536 and /bytes/1 (--count 100, concurrency 4): exactly 100
      transactions, each a 200 response whose Content-Length matches and whose body
      dtcp-perf compared byte for byte with the pattern; http.server logged them.
"""
import os
import signal
import tempfile

import dtcp_interop as di

SUBNET = "198.18.34"
ECHO_PORT = 7
STREAM_PORT = 17
HTTP_PORT = 8080


def echo_summary(echo):
    """The JSON summary the echo server printed when stopped."""
    summary = [line for line in echo.output.splitlines() if line.startswith("{")]
    di.check(summary, f"no summary from the echo server:\n{echo.output}")
    stats = di.json.loads(summary[-1])
    di.log(f"echo server: {stats}")
    return stats


def pattern(n):
    return (bytes(range(251)) * (n // 251 + 1))[:n]


class Ports:
    """A config file per dtcp-perf run with its own [tcp] ephemeral port range.

    dtcp-perf starts from the bottom of its range in every process, and http.server
    closes first, so Linux holds a TIME_WAIT for each 4-tuple of the previous run.
    Whether Linux takes a new SYN on such a tuple depends on the new ISN and TCP
    timestamp lying beyond the old connection's (RFC 6191, PAWS); with a per-process
    timestamp offset it is refused about half the time (Linux ACKs, the stack resets,
    the SYN goes again after 1 s): correct, but slow. Fresh tuples keep each run
    independent of the one before."""

    def __init__(self, tmp, first=33000, span=2000):
        self.tmp, self.next, self.span = tmp, first, span

    def config(self):
        lo, hi = self.next, self.next + self.span - 1
        self.next += self.span
        return di.write_config(self.tmp, f"[tcp]\nport_min = {lo}\nport_max = {hi}\n",
                               name=f"ports-{lo}.ini")


def check_run(p, what, transactions=None):
    r = p.check_clean(what)
    if transactions is not None:
        di.check_eq(r["transactions"], transactions, f"{what}: transactions")
    for name in ("drop_tcp_bad_checksum", "tcp_timeouts"):
        di.check_eq(p.counters.get(name, 0), 0, f"{what}: stack counter {name}")
    return r


def test():
    di.require_basics()
    with di.Topology("tprf", SUBNET) as topo, \
            tempfile.TemporaryDirectory(prefix="dtcp-perf-linux-") as tmp:
        server = f"{topo.linux_addr}:{ECHO_PORT}"
        ports = Ports(tmp)
        made = 0
        with di.linux_peer(topo, "echo-server", topo.linux_addr, str(ECHO_PORT),
                           name="echo-server") as echo:
            for size in (64, 20000):
                p = di.run_perf(topo, "--server", server, "--test", "crr", "--verify",
                                "--size", str(size), "--count", "300", "--concurrency", "4",
                                "--duration", "60", config=ports.config(), timeout=120)
                r = check_run(p, f"crr --verify --size {size}", transactions=300)
                di.check_eq(r["connections"], 300, f"crr size {size}: connections")
                di.check_eq(r["bytes_received"], 300 * size, f"crr size {size}: bytes back")
                made += r["connections"]
            di.check(echo.alive(), "the echo server died")
        stats = echo_summary(echo)
        di.check_eq(stats["conns"], made, "connections the echo server accepted (crr)")
        di.check_eq(stats["errors"], 0, f"echo server socket errors ({stats['error_list']})")
        di.check_eq(stats["bytes"], 300 * (64 + 20000), "bytes the echo server echoed (crr)")

        # The stream ends with dtcp-perf closing while echoed data is still arriving:
        # the stack then resets (unread data, or data after the close), so the server
        # may see resets, no more than the stack sent.
        with di.linux_peer(topo, "echo-server", topo.linux_addr, str(STREAM_PORT),
                           name="echo-server-stream") as echo:
            p = di.run_perf(topo, "--server", f"{topo.linux_addr}:{STREAM_PORT}",
                            "--test", "stream", "--verify", "--concurrency", "2",
                            "--duration", "3", config=ports.config(), timeout=120)
            r = check_run(p, "stream --verify")
            di.check(r["bytes_sent"] > 0 and r["bytes_received"] > 0,
                     f"stream: bytes sent {r['bytes_sent']}, received {r['bytes_received']}")
            di.check_eq(r["connections"], 2, "stream: connections")
            di.check(echo.alive(), "the echo server died")
        stats = echo_summary(echo)
        di.check_eq(stats["conns"], 2, "connections the echo server accepted (stream)")
        resets = p.counters.get("tcp_tx_rst", 0)
        di.check(stats["errors"] <= 2, f"stream: echo server socket errors "
                 f"({stats['error_list']}) for 2 connections")
        di.check(stats["errors"] == 0 or resets > 0,
                 f"stream: echo server socket errors ({stats['error_list']}) but the stack "
                 f"sent no RST")

        root = os.path.join(tmp, "www")
        os.makedirs(os.path.join(root, "bytes"))
        for n in (65536, 1):
            with open(os.path.join(root, "bytes", str(n)), "wb") as f:
                f.write(pattern(n))
        http = di.Background(
            topo.in_linux(di.PYTHON, "-u", "-m", "http.server", "--bind", topo.linux_addr,
                          "--directory", root, str(HTTP_PORT)),
            "http.server", r"Serving HTTP on", comm="python3", stop_signal=signal.SIGINT)
        with http:
            for n in (65536, 1):
                p = di.run_perf(topo, "--server", f"{topo.linux_addr}:{HTTP_PORT}",
                                "--test", "crr", "--http", f"/bytes/{n}", "--count", "100",
                                "--concurrency", "4", "--duration", "60", config=ports.config(),
                                timeout=120)
                r = check_run(p, f"crr --http /bytes/{n}", transactions=100)
                di.check(r["bytes_received"] > 100 * n,
                         f"/bytes/{n}: {r['bytes_received']} bytes received for 100 responses")
            di.check(http.alive(), "http.server died")
        got = http.output.count('"GET /bytes/')
        di.check(got >= 200, f"http.server logged {got} GET /bytes/ requests, want >= 200")


if __name__ == "__main__":
    di.main(test)
