#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Linux ping against the stack over af_packet.

Asserts: 100 pings at 10 ms intervals all answered; pings with fill patterns and
payload sizes 0, 1 and 1472 (a full 1500-byte datagram) all answered and ping finds
no corrupted byte (it compares every reply byte with what it sent) and no duplicate;
the stack's icmp_rx_echo_requests and icmp_tx_echo_replies both equal exactly the
number of echo requests ping transmitted, with no checksum, truncation or TX drops;
the server exits 0 on SIGTERM and its final counters agree with telemetry.

Fragments cannot be tested here: net_af_packet joins a PACKET_FANOUT group with
PACKET_FANOUT_FLAG_DEFRAG, so the kernel reassembles them before the stack sees them.
"""
import re

import dtcp_interop as di

SUBNET = "198.18.10"


def ping_ok(topo, *opts, count):
    """Ping @count times, demand every reply and intact payloads; return transmitted."""
    r = topo.ping(*opts, count=count, timeout=30, check_rc=False)
    out = r.stdout + r.stderr
    what = "ping " + " ".join(opts)
    di.log(f"{what}: " + " / ".join(out.strip().splitlines()[-2:]))
    try:
        return _check_ping(r, out, what, count)
    except di.TestFailure:
        di.log(out)
        raise


def _check_ping(r, out, what, count):
    m = re.search(r"(\d+) packets transmitted, (\d+) received", out)
    di.check(m is not None, f"no ping summary in: {out}")
    sent, received = int(m.group(1)), int(m.group(2))
    di.check_eq(sent, count, f"{what}: transmitted")
    di.check_eq(received, count, f"{what}: received")
    di.check(" 0% packet loss" in out, f"{what}: loss reported")
    di.check("wrong data" not in out, f"{what}: corrupted reply payload")
    di.check("DUP!" not in out, f"{what}: duplicate replies")
    di.check_eq(r.returncode, 0, f"{what}: exit status")
    return sent


def test():
    di.require_basics("ping")
    with di.Topology("png", SUBNET) as topo, di.DtcpServer(topo) as srv:
        before = srv.stats()
        transmitted = 0

        # 100 quick pings, zero loss.
        transmitted += ping_ok(topo, "-i", "0.01", count=100)

        # Payload integrity: fill patterns and edge sizes (ping verifies every byte).
        for opts in (("-p", "a5"), ("-p", "deadbeef", "-s", "200"),
                     ("-p", "00ff", "-s", "1000"), ("-s", "0"), ("-s", "1"),
                     ("-s", "1472"), ("-p", "5a", "-s", "1472")):
            transmitted += ping_ok(topo, "-i", "0.05", *opts, count=3)

        after = srv.stats()
        di.check_eq(di.delta(after, before, "icmp_rx_echo_requests"), transmitted,
                    "icmp_rx_echo_requests delta")
        di.check_eq(di.delta(after, before, "icmp_tx_echo_replies"), transmitted,
                    "icmp_tx_echo_replies delta")
        di.check(after["icmp_rx_echo_requests"] >= 100, "fewer than 100 echo requests counted")
        for name in ("drop_icmp_bad_checksum", "drop_icmp_truncated", "drop_ipv4_bad_checksum",
                     "drop_ipv4_truncated", "drop_tx_full", "drop_no_mbuf"):
            di.check_eq(di.delta(after, before, name), 0, f"{name} delta")

        final = srv.stop()
        for name in ("icmp_rx_echo_requests", "icmp_tx_echo_replies"):
            di.check_eq(final.get(name, 0), after[name], f"final counter {name} vs telemetry")


if __name__ == "__main__":
    di.main(test)
