#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Packet capture of the running stack with dpdk-dumpcap (rte_pdump, secondary process).

The stack runs on hugepages (a secondary process cannot attach to --no-huge memory);
the test mounts hugetlbfs and reserves pages itself when it can and skips (77) with
the reason when it cannot.

dpdk-dumpcap takes no EAL options, so it cannot be given --no-pci; it runs with
SYSFS_PCI_DEVICES pointing at an empty directory, so its EAL finds no PCI device at
all and the machine's own NIC is never looked at.

Asserts: dumpcap attaches (prints "Packets captured:" once rte_pdump is enabled in
the stack), captures exactly the 4 ICMP packets of "ping -c 2" (capture filter icmp)
and exits by itself; tshark reads from the pcapng file 2 echo requests (type 8) from
Linux to the stack and 2 echo replies (type 0) from the stack to Linux, each reply
matching its request's identifier and sequence number.
"""
import os
import signal
import subprocess
import tempfile

import dtcp_interop as di

SUBNET = "198.18.13"
HUGE_MB = 320  # the server's -m 256 plus dumpcap's ring and mbufs


def test():
    di.require_basics("ping", "dpdk-dumpcap", "tshark")
    di.ensure_hugepages(HUGE_MB)
    with di.Topology("cap", SUBNET) as topo, \
            di.DtcpServer(topo, hugepages=True, mem_mb=256) as srv, \
            tempfile.TemporaryDirectory(prefix="dtcp-capture-") as tmp:
        # Resolve ARP both ways first, so that the capture sees only the pings.
        topo.ping("-i", "0.05", count=1, timeout=10)

        pcap = os.path.join(tmp, "capture.pcapng")
        no_pci = os.path.join(tmp, "no-pci")
        os.mkdir(no_pci)
        env = dict(os.environ, SYSFS_PCI_DEVICES=no_pci)
        cmd = ["taskset", "-c", "0", "dpdk-dumpcap", f"--file-prefix={srv.prefix}",
               "-i", "0", "-p", "-f", "icmp", "-c", "4", "-a", "duration:60", "-w", pcap]
        di.log("starting: " + " ".join(cmd))
        dumpcap = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            out = di.OutputReader(dumpcap.stdout, "dumpcap")
            di.check(out.wait_for_text("Packets captured:", 30) is not None,
                     f"dpdk-dumpcap did not start capturing (exit {dumpcap.poll()}):\n"
                     f"{out.text}")
            di.log("dpdk-dumpcap is capturing")

            r = topo.ping("-i", "0.1", count=2, timeout=10)
            di.check(" 0% packet loss" in r.stdout, f"ping under capture:\n{r.stdout}")
            try:
                rc = dumpcap.wait(30)
            except subprocess.TimeoutExpired:
                raise di.TestFailure(f"dpdk-dumpcap did not stop after 4 packets:\n"
                                     f"{out.text}") from None
            text = out.join()
            di.log("dpdk-dumpcap output:\n" + text.replace("\b", "").rstrip())
            di.check_eq(rc, 0, "dpdk-dumpcap exit status")
        finally:
            di.stop_process(dumpcap, timeout=10, sig=signal.SIGINT)

        di.check(srv.alive(), "dtcp-server died during the capture")
        r = di.run(["tshark", "-n", "-r", pcap, "-T", "fields", "-E", "separator=/t", "-E", "aggregator=+",
                    "-e", "icmp.type", "-e", "ip.src", "-e", "ip.dst", "-e", "icmp.ident",
                    "-e", "icmp.seq"], timeout=60)
        rows = [line.split("\t") for line in r.stdout.splitlines() if line.strip()]
        di.log("capture:\n" + r.stdout.rstrip())
        di.check_eq(len(rows), 4, "packets in the capture")
        requests = [x for x in rows if x[0] == "8"]
        replies = [x for x in rows if x[0] == "0"]
        di.check_eq(len(requests), 2, "echo requests captured")
        di.check_eq(len(replies), 2, "echo replies captured")
        for q in requests:
            di.check_eq((q[1], q[2]), (topo.linux_addr, topo.stack_addr),
                        "echo request addresses")
        for p in replies:
            di.check_eq((p[1], p[2]), (topo.stack_addr, topo.linux_addr), "echo reply addresses")
        di.check_eq(sorted((p[3], p[4]) for p in replies), sorted((q[3], q[4]) for q in requests),
                    "reply identifiers and sequence numbers vs requests")


if __name__ == "__main__":
    di.main(test)
