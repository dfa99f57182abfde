#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""10 MB through dtcp-server --mode echo over af_packet, with nc and with Python.

Asserts: `nc -N` (netcat-openbsd: shut the socket down for writing at the end of its
input) sends 10 MiB of random data and gets back exactly 10 MiB with the same SHA-256,
and exits 0; a Python client (a writer thread, then SHUT_WR, reading concurrently)
does the same with other random data; the stack counts two passive opens, at least
10 MiB x 2 of payload in each direction (the server's bytes_received / bytes_sent),
no TCP checksum drop, no RST and no connection error; Linux counts no TCP checksum
or input error; the server exits 0 with both connections released.
"""
import hashlib
import os
import tempfile

import dtcp_interop as di

SUBNET = "198.18.31"
PORT = 7
SIZE = 10 * 1024 * 1024


def test():
    di.require_basics("nc")
    r = di.run(["nc", "-h"], check_rc=False)
    if "OpenBSD netcat" not in r.stdout + r.stderr:
        raise di.Skip("nc is not netcat-openbsd (-N needed)")
    with di.Topology("tech", SUBNET) as topo, \
            di.DtcpServer(topo, extra_args=("--listen", str(PORT), "--mode", "echo")) as srv, \
            tempfile.TemporaryDirectory(prefix="dtcp-echo-") as tmp:
        mib0 = di.linux_snmp(topo)["Tcp"]

        # nc: stdin from a file, stdout to a file; -N sends our FIN at the end of the
        # input, the server echoes the rest and closes, nc sees EOF and exits.
        src, dst = os.path.join(tmp, "in"), os.path.join(tmp, "out")
        data = os.urandom(SIZE)
        with open(src, "wb") as f:
            f.write(data)
        want = hashlib.sha256(data).hexdigest()
        r = di.run(topo.in_linux("sh", "-c", f"exec nc -N -w 30 {topo.stack_addr} {PORT} "
                                 f"<'{src}' >'{dst}'"), timeout=90, check_rc=False)
        di.check_eq(r.returncode, 0, f"nc exit status (stderr: {r.stderr.strip()})")
        with open(dst, "rb") as f:
            got = f.read()
        di.log(f"nc: sent {SIZE} bytes, received {len(got)}")
        di.check_eq(len(got), SIZE, "bytes nc read back")
        di.check_eq(hashlib.sha256(got).hexdigest(), want, "SHA-256 of what nc read back")

        # Python: other random data, writing and reading at once.
        res = di.run_peer(topo, "echo-client", topo.stack_addr, str(PORT), str(SIZE),
                          "0x7e57ec40", timeout=150)
        di.log(f"python echo client: {res}")
        di.check(res["error"] is None, f"python echo client: {res['error']}")
        di.check_eq(res["sent"], SIZE, "bytes the Python client sent")
        di.check_eq(res["received"], SIZE, "bytes the Python client read back")
        di.check_eq(res["received_sha256"], res["sent_sha256"],
                    "SHA-256 of what the Python client read back")

        s = srv.settled_stats()
        di.check_eq(s["tcp_passive_opens"], 2, "tcp_passive_opens")
        for name in ("drop_tcp_bad_checksum", "drop_tcp_truncated", "tcp_tx_rst",
                     "tcp_rx_rst", "drop_ipv4_bad_checksum"):
            di.check_eq(s[name], 0, name)
        mib = di.linux_snmp(topo)["Tcp"]
        di.check_eq(mib["InCsumErrors"] - mib0["InCsumErrors"], 0, "Linux Tcp InCsumErrors")
        di.check_eq(mib["InErrs"] - mib0["InErrs"], 0, "Linux Tcp InErrs")
        di.log("stack TCP: " + ", ".join(f"{k}={v}" for k, v in s.items()
                                         if k.startswith(("tcp_", "drop_tcp")) and v))
        final = srv.stop()
        di.check_eq(final.get("conns_accepted"), 2, "conns_accepted")
        di.check_eq(final.get("conns_released"), 2, "conns_released")
        di.check_eq(final.get("conns_error"), 0, "conns_error")
        di.check_eq(final.get("bytes_received"), 2 * SIZE, "server bytes_received")
        di.check_eq(final.get("bytes_sent"), 2 * SIZE, "server bytes_sent")


if __name__ == "__main__":
    di.main(test)
