#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""curl and wrk against dtcp-server --mode http over af_packet.

Asserts: curl fetches /bytes/1048576 with status 200, exactly 1048576 bytes, and the
SHA-256 of the body equals that of the pattern (byte i = i mod 251) computed here;
one curl invocation fetching /bytes/1000 then /bytes/70000 reuses the connection
(num_connects 1 then 0, one more passive open on the stack) and both bodies are the
pattern; the stack counts exactly one passive open and one established connection per
TCP connection curl opened, no TCP checksum, truncation or header-length drop and no
RST sent; wrk with 8 keep-alive connections for 2 s completes requests with no socket
error and no non-2xx answer, over 8 more passive opens (9 with wrk's address probe), still without a
checksum drop or a RST from the stack; Linux counts no TCP checksum or input error; the
server's own counters show at least the 3 curl requests plus wrk's, no HTTP error,
every connection accepted released, none in error but those wrk reset when it stopped
(at most 8, as many as the RSTs received); the server exits 0.
"""
import hashlib
import os
import re
import tempfile

import dtcp_interop as di

SUBNET = "198.18.30"
PORT = 80
WRK_CONNS = 8


def pattern(n):
    return (bytes(range(251)) * (n // 251 + 1))[:n]


def curl(topo, urls_outs, timeout=60):
    """One curl invocation fetching every (url, file); returns one line per transfer
    'code size num_connects'."""
    argv = ["curl", "--silent", "--show-error", "--max-time", str(timeout - 10),
            "--write-out", "%{http_code} %{size_download} %{num_connects}\\n"]
    for url, path in urls_outs:
        argv += [url, "--output", path]
    r = di.run(topo.in_linux(*argv), timeout=timeout)
    lines = r.stdout.strip().splitlines()
    di.log(f"curl {' '.join(u for u, _ in urls_outs)}: {lines}")
    di.check_eq(len(lines), len(urls_outs), "curl transfers reported")
    return [tuple(int(x) for x in line.split()) for line in lines]


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def test():
    di.require_basics("curl", "wrk")
    with di.Topology("thtp", SUBNET) as topo, \
            di.DtcpServer(topo, extra_args=("--listen", str(PORT), "--mode", "http")) as srv, \
            tempfile.TemporaryDirectory(prefix="dtcp-http-") as tmp:
        base = f"http://{topo.stack_addr}:{PORT}"
        s0 = srv.stats()
        mib0 = di.linux_snmp(topo)["Tcp"]

        # 1 MiB, byte-exact.
        big = 1048576
        path = os.path.join(tmp, "big")
        (code, size, conns), = curl(topo, [(f"{base}/bytes/{big}", path)])
        di.check_eq(code, 200, "HTTP status of /bytes/1048576")
        di.check_eq(size, big, "curl size_download")
        di.check_eq(conns, 1, "curl num_connects")
        di.check_eq(os.path.getsize(path), big, "bytes written by curl")
        want = hashlib.sha256(pattern(big)).hexdigest()
        di.check_eq(sha256_file(path), want, "SHA-256 of /bytes/1048576")
        s1 = srv.settled_stats()
        di.check_eq(di.delta(s1, s0, "tcp_passive_opens"), 1, "passive opens for one curl")

        # Keep-alive: two requests over one connection in one curl invocation.
        p1, p2 = os.path.join(tmp, "k1"), os.path.join(tmp, "k2")
        res = curl(topo, [(f"{base}/bytes/1000", p1), (f"{base}/bytes/70000", p2)])
        di.check_eq(res, [(200, 1000, 1), (200, 70000, 0)],
                    "keep-alive transfers (code, size, num_connects)")
        for p, n in ((p1, 1000), (p2, 70000)):
            with open(p, "rb") as f:
                di.check(f.read() == pattern(n), f"/bytes/{n} body is not the pattern")
        s2 = srv.settled_stats()
        di.check_eq(di.delta(s2, s1, "tcp_passive_opens"), 1,
                    "passive opens for the keep-alive pair (connection reused)")

        di.check_eq(di.delta(s2, s0, "tcp_established"), 2, "tcp_established")
        for name in ("drop_tcp_bad_checksum", "drop_tcp_truncated", "drop_tcp_bad_hdr_len",
                     "drop_ipv4_bad_checksum", "tcp_tx_rst", "drop_tx_full", "drop_no_mbuf"):
            di.check_eq(s2[name], 0, name)
        # wrk: 8 keep-alive connections for 2 s, pipelining nothing, every answer 2xx.
        r = di.run(topo.in_linux("wrk", "-t", "1", "-c", str(WRK_CONNS), "-d", "2s",
                                 "--timeout", "5s", f"{base}/bytes/1000"), timeout=60)
        di.log("wrk:\n" + r.stdout.rstrip())
        m = re.search(r"^\s*(\d+) requests in", r.stdout, re.M)
        di.check(m is not None, "no request count in wrk's output")
        wrk_requests = int(m.group(1))
        di.check(wrk_requests > 0, "wrk completed no request")
        di.check("Socket errors" not in r.stdout, "wrk reports socket errors")
        di.check("Non-2xx" not in r.stdout, "wrk got non-2xx responses")
        s3 = srv.settled_stats()
        # wrk first connects once on its own to check the address, then opens its 8.
        wrk_opens = di.delta(s3, s2, "tcp_passive_opens")
        di.check(wrk_opens in (WRK_CONNS, WRK_CONNS + 1),
                 f"passive opens for wrk: {wrk_opens}, want {WRK_CONNS} (+1 for its probe)")
        di.check_eq(s3["drop_tcp_bad_checksum"], 0, "drop_tcp_bad_checksum after wrk")
        di.check_eq(s3["tcp_tx_rst"], 0, "tcp_tx_rst after wrk")

        mib = di.linux_snmp(topo)["Tcp"]
        di.check_eq(mib["InCsumErrors"] - mib0["InCsumErrors"], 0,
                    "Linux Tcp InCsumErrors (bad checksums from the stack)")
        di.check_eq(mib["InErrs"] - mib0["InErrs"], 0, "Linux Tcp InErrs")
        final = srv.stop()
        di.check_eq(final.get("tcp_passive_opens", 0), 2 + wrk_opens, "final tcp_passive_opens")
        di.check_eq(final.get("drop_tcp_bad_checksum", 0), 0, "final drop_tcp_bad_checksum")
        di.check(final.get("http_requests", 0) >= 3 + wrk_requests,
                 f"http_requests {final.get('http_requests')}, want >= 3 + {wrk_requests}")
        di.check_eq(final.get("http_errors"), 0, "http_errors")
        di.check_eq(final.get("http_bad_requests"), 0, "http_bad_requests")
        di.check_eq(final.get("conns_accepted"), 2 + wrk_opens, "conns_accepted")
        di.check_eq(final.get("conns_released"), 2 + wrk_opens, "conns_released")
        # wrk stops by closing sockets with answers still arriving: Linux resets those,
        # and only those may end in error (curl's two closed cleanly).
        di.check(final.get("conns_error", 0) <= WRK_CONNS,
                 f"conns_error {final.get('conns_error')}, want <= {WRK_CONNS} (wrk's resets)")
        di.check_eq(final.get("conns_error", 0), final.get("tcp_rx_rst", 0),
                    "conns_error vs RSTs received")


if __name__ == "__main__":
    di.main(test)
