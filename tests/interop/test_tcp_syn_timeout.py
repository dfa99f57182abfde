#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""dtcp-perf --test connect to a Linux port whose SYNs are dropped: backoff, ETIMEDOUT.

An nftables rule in the Linux namespace drops (and counts) TCP SYNs to port 5001, so
Linux neither answers nor resets. dtcp-perf runs with a config file setting [tcp]
syn_retries = 3 and rto_initial_ms = 200; tshark on the Linux end of the veth records
every TCP segment to or from that port.

Asserts: dtcp-perf exits 1 (errors) with exactly one error, ETIMEDOUT, 0 transactions
and 0 connections, and its stack counted 1 active open, 3 SYN retransmissions and 1
timeout; the ETIMEDOUT comes 3.0 s after the first SYN (0.2 + 0.4 + 0.8 + 1.6 s, checked
as dtcp-perf's elapsed time, 2.9..3.6 s); the capture holds exactly 4 SYNs from the
stack, all with the same ports and sequence number (the same connection), sent at
0.2, 0.6 and 1.4 s after the first, each within +-50 ms (the timer wheel ticks every
1 ms), and nothing else at all on that port, in either direction, until dtcp-perf has
exited (the capture is closed by a marker sent after the exit); the nftables rule
counted those 4 SYNs.
"""
import json
import tempfile

import dtcp_interop as di

SUBNET = "198.18.35"
PORT = 5001
SYN_RETRIES = 3
RTO_MS = 200
EXPECTED = (0.2, 0.6, 1.4)  # seconds after the first SYN
TOLERANCE = 0.050
SYN = 0x002


def nft_syn_count(topo):
    r = di.run(topo.in_linux("nft", "-j", "list", "table", "inet", "dtcp_blackhole"))
    for item in json.loads(r.stdout)["nftables"]:
        rule = item.get("rule")
        if rule:
            for e in rule["expr"]:
                if "counter" in e:
                    return e["counter"]["packets"]
    raise di.TestFailure(f"no counter in the nftables rule:\n{r.stdout}")


def test():
    di.require_basics("tshark", "nft")
    with di.Topology("tsyn", SUBNET) as topo, \
            tempfile.TemporaryDirectory(prefix="dtcp-syn-timeout-") as tmp:
        di.run(topo.in_linux("nft", "-f", "-"), input=f"""
table inet dtcp_blackhole {{
    chain input {{
        type filter hook input priority -10; policy accept;
        tcp dport {PORT} tcp flags & (syn | ack) == syn counter drop
    }}
}}
""")
        cfg = di.write_config(tmp, f"[tcp]\nsyn_retries = {SYN_RETRIES}\n"
                                   f"rto_initial_ms = {RTO_MS}\n")
        with di.Capture(topo, f"tcp port {PORT}") as cap:
            p = di.run_perf(topo, "--server", f"{topo.linux_addr}:{PORT}", "--test", "connect",
                            "--count", "1", "--duration", "30", config=cfg, timeout=60)
            cap.mark()  # dtcp-perf has exited: nothing of it can still be on the way
            pkts = cap.packets()
        di.log("capture:\n" + "\n".join(str(x) for x in pkts))
        try:
            r = p.result
            di.check(r is not None, "dtcp-perf printed no JSON result")
            di.check_eq(r["errors"], {"ETIMEDOUT": 1}, "dtcp-perf errors")
            di.check_eq(r["transactions"], 0, "transactions")
            di.check_eq(r["connections"], 0, "connections")
            di.check_eq(p.rc, 1, "dtcp-perf exit status (1: errors)")
            di.check_eq(p.counters.get("tcp_active_opens"), 1, "tcp_active_opens")
            di.check_eq(p.counters.get("tcp_tx_syn_retransmits"), SYN_RETRIES,
                        "tcp_tx_syn_retransmits")
            di.check_eq(p.counters.get("tcp_timeouts"), 1, "tcp_timeouts")
            di.check(2.9 <= r["elapsed_s"] <= 3.6,
                     f"ETIMEDOUT after {r['elapsed_s']:.3f} s, want ~3.0 s "
                     f"(0.2 + 0.4 + 0.8 + 1.6)")
        except di.TestFailure:
            di.log(p.describe())
            raise

        syns = [x for x in pkts if x["src"] == topo.stack_addr and x["dport"] == PORT]
        others = [x for x in pkts if x not in syns]
        di.check_eq(others, [], "other segments on the port (an answer, a RST, ...)")
        di.check_eq(len(syns), 1 + SYN_RETRIES, "SYNs captured (first + retransmissions)")
        for x in syns:
            di.check_eq(x["flags"], SYN, "flags of a SYN")
            di.check_eq(x["len"], 0, "payload of a SYN")
        di.check_eq(len({(x["sport"], x["seq"]) for x in syns}), 1,
                    "distinct (port, ISN) among the SYNs: retransmissions of one SYN")
        t0 = syns[0]["time"]
        offsets = [round(x["time"] - t0, 4) for x in syns[1:]]
        di.log(f"retransmissions at {offsets} s after the first SYN (want {EXPECTED})")
        for got, want in zip(offsets, EXPECTED):
            di.check(abs(got - want) <= TOLERANCE,
                     f"SYN retransmission at {got:.4f} s, want {want} s +- {TOLERANCE} s "
                     f"(all: {offsets})")
        di.check_eq(nft_syn_count(topo), 1 + SYN_RETRIES, "SYNs the nftables rule dropped")


if __name__ == "__main__":
    di.main(test)
