#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A connect() to a closed port of the stack is refused at once by a well-formed RST.

dtcp-server listens on port 7 only; Linux connects to port 5555 five times, one after
the other, while tshark captures on the Linux end of the veth. ARP is resolved first
(one ping) so that the timing covers TCP alone.

Asserts: every connect() fails with ECONNREFUSED within 100 ms; the capture holds
exactly 5 SYNs to port 5555 (Linux retransmitted none: each was answered) and exactly
5 segments back, each answering its SYN as RFC 9293 3.10.7.1 says for a segment
without ACK reaching a CLOSED port: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, so
seq 0, ack = the client's ISN + 1, flags exactly RST|ACK, no payload, ports and
addresses swapped; the stack counts 5 more tcp_tx_rst and drop_tcp_no_conn and
opens no connection; the server exits 0.
"""
import errno

import dtcp_interop as di

SUBNET = "198.18.33"
LISTEN = 7
CLOSED = 5555
TRIES = 5
LIMIT_S = 0.100
RST_ACK = 0x014  # RST | ACK
SYN = 0x002


def test():
    di.require_basics("tshark", "ping")
    with di.Topology("tref", SUBNET) as topo, \
            di.DtcpServer(topo, extra_args=("--listen", str(LISTEN))) as srv:
        topo.ping("-i", "0.05", count=1, timeout=10)  # ARP both ways before timing
        s0 = srv.settled_stats()
        with di.Capture(topo, f"tcp port {CLOSED}") as cap:
            res = di.run_peer(topo, "refused", topo.stack_addr, str(CLOSED), str(TRIES),
                              timeout=60)
            cap.mark()
            pkts = cap.packets()
        di.log(f"connect() results: {res['tries']}")
        di.log("capture:\n" + "\n".join(str(p) for p in pkts))

        for i, t in enumerate(res["tries"]):
            di.check_eq(t["errno"], errno.ECONNREFUSED, f"connect #{i} errno")
            di.check(t["seconds"] < LIMIT_S,
                     f"connect #{i} refused after {t['seconds'] * 1000:.1f} ms "
                     f"(limit {LIMIT_S * 1000:.0f} ms)")

        syns = [p for p in pkts if p["src"] == topo.linux_addr and p["dport"] == CLOSED]
        back = [p for p in pkts if p["src"] == topo.stack_addr]
        di.check_eq(len(syns), TRIES, "SYNs captured (a retransmitted SYN shows here)")
        di.check_eq(len(set(p["sport"] for p in syns)), TRIES, "distinct client ports")
        di.check_eq(len(back), TRIES, "segments from the stack")
        for i, syn in enumerate(syns):
            di.check_eq(syn["flags"], SYN, f"SYN #{i} flags")
            rst = [p for p in back if p["dport"] == syn["sport"]]
            di.check_eq(len(rst), 1, f"answers to SYN #{i} (port {syn['sport']})")
            rst = rst[0]
            what = f"RST to SYN #{i} (client ISN {syn['seq']})"
            di.check_eq(rst["flags"], RST_ACK, f"{what}: flags (want RST|ACK)")
            di.check_eq(rst["seq"], 0, f"{what}: seq")
            di.check_eq(rst["ack"], (syn["seq"] + 1) & 0xFFFFFFFF, f"{what}: ack")
            di.check_eq(rst["len"], 0, f"{what}: payload length")
            di.check_eq((rst["src"], rst["dst"], rst["sport"]),
                        (topo.stack_addr, topo.linux_addr, CLOSED), f"{what}: addresses")
            di.check(rst["time"] >= syn["time"], f"{what} captured before its SYN")

        s1 = srv.settled_stats()
        di.check_eq(di.delta(s1, s0, "tcp_tx_rst"), TRIES, "tcp_tx_rst delta")
        di.check_eq(di.delta(s1, s0, "drop_tcp_no_conn"), TRIES, "drop_tcp_no_conn delta")
        di.check_eq(di.delta(s1, s0, "tcp_passive_opens"), 0, "tcp_passive_opens delta")
        di.check_eq(di.delta(s1, s0, "drop_tcp_bad_checksum"), 0, "drop_tcp_bad_checksum")


if __name__ == "__main__":
    di.main(test)
