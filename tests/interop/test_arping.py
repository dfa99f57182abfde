#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""ARP between Linux and the stack over af_packet.

Asserts:
  - at start the stack announces itself: a scapy sniffer on the Linux side, opened
    before the server starts, sees exactly one gratuitous ARP (a broadcast request with
    sender IP == target IP == the stack's address, sender MAC == Ethernet source == the
    MAC of the stack's interface), and arp_tx_gratuitous is 1;
  - arping (broadcast requests, then requests sent to the stack's MAC) gets one reply
    per request, every one from the stack's MAC and for the stack's address; the stack
    counts exactly those requests in arp_rx_requests and arp_tx_replies and drops no ARP;
  - telemetry /dtcp/arp holds Linux's address and MAC (reachable), /dtcp/ports the
    stack's own MAC and address;
  - after a ping, Linux's neighbour table maps the stack's address to the stack's MAC.
"""
import json
import re
import subprocess

import dtcp_interop as di

SUBNET = "198.18.11"
BROADCAST = "ff:ff:ff:ff:ff:ff"


def arping(topo, count, *opts):
    """arping the stack @count times; return the list of (mac, ip) replies."""
    r = di.run(topo.in_linux("arping", "-i", topo.linux_if, "-c", str(count), "-W", "0.05",
                             "-w", "10", *opts, topo.stack_addr),
               timeout=30, check_rc=False)
    di.log(r.stdout.rstrip())
    replies = re.findall(r"bytes from ([0-9a-f:]{17}) \(([0-9.]+)\): index=", r.stdout.lower())
    di.check_eq(r.returncode, 0, f"arping {' '.join(opts)} exit status ({r.stderr.strip()})")
    return replies


def gratuitous_arps(lines, topo):
    found = []
    for line in lines:
        if not line.startswith("{"):
            continue
        a = json.loads(line)
        if a["psrc"] == topo.stack_addr and a["pdst"] == topo.stack_addr:
            found.append(a)
    return found


def test():
    di.require_basics("arping", "ping")
    di.require_scapy()
    with di.Topology("arp", SUBNET) as topo:
        # The sniffer must be listening before the stack starts.
        sniffer = subprocess.Popen(topo.helper("sniff-arp", topo.linux_if, "60"),
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT)
        try:
            out = di.OutputReader(sniffer.stdout, "sniffer")
            di.check(out.wait_for_text("^sniffing$", 60) is not None,
                     f"ARP sniffer did not start:\n{out.text}")
            with di.DtcpServer(topo) as srv:
                di.check(out.wait_for_text(r'"psrc": "%s", "hwdst": "[0-9a-f:]+", "pdst": "%s"'
                                           % (re.escape(topo.stack_addr),
                                              re.escape(topo.stack_addr)), 10) is not None,
                         f"no gratuitous ARP from the stack within 10s:\n{out.text}")
                stats0 = srv.wait_stats(lambda s: s["arp_tx_gratuitous"] >= 1, 10,
                                        "arp_tx_gratuitous")
                di.stop_process(sniffer, timeout=10)
                lines = out.join().splitlines()
                garps = gratuitous_arps(lines, topo)
                di.log(f"gratuitous ARP(s) seen: {garps}")
                di.check_eq(len(garps), 1, "gratuitous ARPs seen")
                g = garps[0]
                di.check_eq(g["op"], 1, "gratuitous ARP opcode (request, RFC 5227)")
                di.check_eq(g["hwsrc"], topo.stack_mac, "gratuitous ARP sender MAC")
                di.check_eq(g["eth_src"], topo.stack_mac, "gratuitous ARP Ethernet source")
                di.check_eq(g["eth_dst"], BROADCAST, "gratuitous ARP Ethernet destination")
                di.check_eq(stats0["arp_tx_gratuitous"], 1, "arp_tx_gratuitous")

                # arping: broadcast requests, then requests unicast to the stack's MAC.
                bcast = arping(topo, 5)
                ucast = arping(topo, 3, "-t", topo.stack_mac)
                for what, replies, n in (("broadcast", bcast, 5), ("unicast", ucast, 3)):
                    di.check_eq(len(replies), n, f"arping {what}: replies")
                    for mac, ip in replies:
                        di.check_eq(mac, topo.stack_mac, f"arping {what}: reply MAC")
                        di.check_eq(ip, topo.stack_addr, f"arping {what}: reply address")
                stats1 = srv.stats()
                di.check_eq(di.delta(stats1, stats0, "arp_rx_requests"), 8,
                            "arp_rx_requests delta")
                di.check_eq(di.delta(stats1, stats0, "arp_tx_replies"), 8,
                            "arp_tx_replies delta")
                # The stack learned Linux from the requests (telemetry /dtcp/arp), and
                # /dtcp/ports shows the MAC the stack answers with.
                arp = srv.telemetry("/dtcp/arp")
                di.log(f"/dtcp/arp: {arp}")
                entries = [e for e in (arp.values() if isinstance(arp, dict) else arp)
                           if isinstance(e, dict) and e.get("ip") == topo.linux_addr]
                di.check_eq(len(entries), 1, "/dtcp/arp entries for Linux's address")
                di.check_eq(entries[0].get("mac", "").lower(), topo.linux_mac,
                            "/dtcp/arp MAC of Linux")
                di.check_eq(entries[0].get("state"), "reachable", "/dtcp/arp state of Linux")
                ports = srv.telemetry("/dtcp/ports")
                di.log(f"/dtcp/ports: {ports}")
                ports = list(ports.values() if isinstance(ports, dict) else ports)
                di.check_eq(len(ports), 1, "/dtcp/ports entries")
                di.check_eq((ports[0].get("mac", "").lower(), ports[0].get("address")),
                            (topo.stack_mac, topo.stack_addr), "/dtcp/ports MAC and address")
                for name in ("drop_arp_truncated", "drop_arp_unsupported", "drop_arp_bad_op",
                             "drop_arp_not_for_us", "drop_arp_table_full"):
                    di.check_eq(stats1[name], 0, name)

                # Linux resolves the stack through ARP for a ping; its neighbour table must
                # hold the stack's MAC.
                r = topo.ping("-i", "0.05", count=2, timeout=10)
                di.check(" 0% packet loss" in r.stdout, f"ping failed:\n{r.stdout}")
                neigh = json.loads(di.run(["ip", "-n", topo.linux_ns, "-j", "neigh", "show",
                                           "dev", topo.linux_if, "to", topo.stack_addr]).stdout)
                di.log(f"Linux neighbour entry: {neigh}")
                di.check_eq(len(neigh), 1, "neighbour entries for the stack's address")
                di.check_eq(neigh[0].get("lladdr", "").lower(), topo.stack_mac,
                            "neighbour MAC of the stack's address")
                di.check(not set(neigh[0].get("state", [])) & {"FAILED", "INCOMPLETE"},
                         f"neighbour state {neigh[0].get('state')}")
        finally:
            di.stop_process(sniffer, timeout=10)


if __name__ == "__main__":
    di.main(test)
