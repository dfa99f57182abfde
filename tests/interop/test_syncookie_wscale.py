#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Which TCP options a SYN-cookie handshake keeps, seen from Linux.

A cookie SYN-ACK keeps no state: MSS rides in the cookie itself, and window scale and
SACK-permitted only in the low bits of the TSval, so they survive only when the peer's
SYN had timestamps. Three cases, each a 4 MB curl download (--limit-rate, so the
connection stays open long enough for `ss -tin` in the Linux namespace to show it):

  (a) [tcp] syncookies = always, Linux timestamps on (the default)
  (b) syncookies = always, sysctl net.ipv4.tcp_timestamps = 0 in the Linux namespace
  (c) syncookies = auto without a flood (the SYN queue has room: the stateful path),
      timestamps off

tshark on the Linux end of the veth records the handshake and the server's segments
with their TCP options.

Asserts, in every case: the body is exactly the 4 MB pattern (byte i = i mod 251), the
SYN carried timestamps exactly when the sysctl says so, and the SYN-ACK carries an MSS.
(a): the SYN-ACK carries window scale, SACK-permitted and a timestamp echoing the SYN's
TSval; ss shows wscale:S,R with S the SYN-ACK's shift, and ts and sack; every later
segment of the server carries a timestamp; its window field, scaled by S, advertises
more than 65535 bytes at some point (it scales its own window); and at some point more
than 65535 bytes were in flight from the server (so it recovered and applied Linux's
window scale from the cookie).
(b): the SYN-ACK carries MSS and nothing else (NOP/EOL padding aside); ss shows
neither wscale nor ts nor sack; no segment of the server carries a timestamp nor is
ever more than 65535 bytes ahead of Linux's ACK (an unscaled window); the transfer is
byte-exact all the same.
(c): the SYN-ACK carries window scale and SACK-permitted although the SYN had no
timestamps, and ss shows wscale.
tcp_syncookies_validated moves by exactly 1 in (a) and in (b) (one connection each),
tcp_syncookies_sent by at least 1, and neither moves in (c); no cookie is rejected.
"""
import hashlib
import os
import re
import subprocess
import tempfile
import time

import dtcp_interop as di

SUBNET = "198.18.37"
PORT = 80
NBYTES = 4 * 1024 * 1024
LIMIT_RATE = "4M"  # ~1 s per download: long enough for ss to see the connection
SYN, ACK = 0x002, 0x010


def pattern_sha256(n):
    h = hashlib.sha256()
    block = bytes(range(251)) * 4096
    while n > 0:
        h.update(block[:min(n, len(block))])
        n -= min(n, len(block))
    return h.hexdigest()


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def ss_info(topo, stack_addr):
    """`ss -tino` in the Linux namespace (-o adds the ts and sack flags): the info line
    of the established connection to the stack's port, or None while there is none."""
    r = di.run(topo.in_linux("ss", "-tinoH", "state", "established",
                             "dst", f"{stack_addr}:{PORT}"), check_rc=False)
    lines = r.stdout.splitlines()
    for i, line in enumerate(lines):
        if f"{stack_addr}:{PORT}" in line and i + 1 < len(lines) \
                and lines[i + 1][:1].isspace():
            return lines[i + 1].strip()
    return None


def opt_kinds(opts):
    return [k for k, _ in opts if k not in (di.TCP_OPT_EOL, di.TCP_OPT_NOP)]


def opt_value(opts, kind):
    for k, v in opts:
        if k == kind:
            return v
    return None


def download(topo, srv, tmp, label, timestamps):
    """One curl download with the capture and ss running; returns a dict of what was
    seen (syn, synack, server segments, ss line, counter deltas)."""
    di.run(topo.in_linux("sysctl", "-qw", f"net.ipv4.tcp_timestamps={1 if timestamps else 0}"))
    s0 = srv.settled_stats()
    path = os.path.join(tmp, f"body-{label}")
    cap = di.Capture(topo, f"tcp port {PORT}",
                     extra_fields=(("tcp.options", "options"), ("tcp.window_size_value", "win")))
    with cap:
        argv = topo.in_linux("curl", "--silent", "--show-error", "--noproxy", "*",
                             "--max-time", "30", "--limit-rate", LIMIT_RATE,
                             "--write-out", "%{http_code} %{size_download}",
                             "--output", path, f"http://{topo.stack_addr}:{PORT}/bytes/{NBYTES}")
        curl = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        try:
            info = di.wait_for(lambda: ss_info(topo, topo.stack_addr) or curl.poll() is not None,
                               20, f"({label}) the connection in ss -tin", interval=0.05)
            out, err = curl.communicate(timeout=45)
        finally:
            di.stop_process(curl)
        cap.mark()
        pkts = cap.packets()
    di.check(isinstance(info, str), f"({label}) curl ended before ss saw the connection")
    di.check_eq(curl.returncode, 0, f"({label}) curl exit status ({err.strip()})")
    di.check_eq(out.split(), ["200", str(NBYTES)], f"({label}) curl status and size")
    di.check_eq(sha256_file(path), pattern_sha256(NBYTES), f"({label}) SHA-256 of the body")
    os.unlink(path)
    s1 = srv.settled_stats()

    syns = [p for p in pkts if p["flags"] & (SYN | ACK) == SYN and p["dst"] == topo.stack_addr]
    synacks = [p for p in pkts if p["flags"] & (SYN | ACK) == SYN | ACK
               and p["src"] == topo.stack_addr]
    di.check(syns and synacks, f"({label}) no SYN or SYN-ACK in the capture: {pkts[:4]}")
    di.check(len({p["sport"] for p in syns}) == 1, f"({label}) more than one connection")
    client_port = syns[0]["sport"]
    server = [p for p in pkts if p["src"] == topo.stack_addr and p["dport"] == client_port
              and not p["flags"] & SYN]
    client = [p for p in pkts if p["dst"] == topo.stack_addr and p["sport"] == client_port
              and not p["flags"] & SYN]
    deltas = {k: s1[k] - s0[k] for k in ("tcp_syncookies_sent", "tcp_syncookies_validated",
                                         "tcp_syncookies_rejected_stale",
                                         "tcp_syncookies_rejected_mac", "tcp_passive_opens")}
    res = {"syn": di.tcp_options(syns[0]["options"]),
           "synack": di.tcp_options(synacks[-1]["options"]), "ss": info, "deltas": deltas,
           "server": server, "in_flight": max_in_flight(pkts, client_port, topo.stack_addr)}
    di.log(f"({label}) SYN options {res['syn']}")
    di.log(f"({label}) SYN-ACK options {res['synack']}")
    di.log(f"({label}) ss: {info}")
    di.log(f"({label}) counters: {deltas}; {len(server)} server segments, {len(client)} "
           f"from Linux; most bytes in flight from the server {res['in_flight']}")
    return res


def max_in_flight(pkts, client_port, stack_addr):
    """The most bytes the server had sent beyond Linux's latest ACK, as the capture on
    the Linux end saw them (sequence numbers relative to the server's ISN)."""
    isn = None
    top = acked = best = 0
    for p in pkts:
        if p["src"] == stack_addr and p["dport"] == client_port:
            if p["flags"] & SYN:
                isn = p["seq"]
                continue
            if isn is None or not p["len"]:
                continue
            top = max(top, (p["seq"] - isn + p["len"]) % (1 << 32))
            best = max(best, top - acked)
        elif p["dst"] == stack_addr and p["sport"] == client_port and isn is not None \
                and p["flags"] & ACK:
            acked = max(acked, (p["ack"] - isn) % (1 << 32))
    return best


def ss_tokens(info):
    return set(info.split())


def ss_wscale(info):
    m = re.search(r"\bwscale:(\d+),(\d+)", info)
    return (int(m.group(1)), int(m.group(2))) if m else None


def check_syn(res, label, timestamps):
    di.check_eq(di.TCP_OPT_TS in opt_kinds(res["syn"]), timestamps,
                f"({label}) Linux's SYN carries timestamps")
    di.check(di.TCP_OPT_MSS in opt_kinds(res["synack"]), f"({label}) SYN-ACK without MSS")
    di.check_eq(res["deltas"]["tcp_syncookies_rejected_stale"], 0,
                f"({label}) tcp_syncookies_rejected_stale")
    di.check_eq(res["deltas"]["tcp_syncookies_rejected_mac"], 0,
                f"({label}) tcp_syncookies_rejected_mac")


def check_cookie_ts(res):
    label = "a"
    check_syn(res, label, True)
    kinds = opt_kinds(res["synack"])
    for kind, name in ((di.TCP_OPT_WSCALE, "window scale"),
                       (di.TCP_OPT_SACK_PERM, "SACK-permitted"), (di.TCP_OPT_TS, "timestamps")):
        di.check(kind in kinds, f"(a) cookie SYN-ACK without {name}: {res['synack']}")
    syn_tsval = opt_value(res["syn"], di.TCP_OPT_TS)[:4]
    di.check_eq(opt_value(res["synack"], di.TCP_OPT_TS)[4:8], syn_tsval,
                "(a) SYN-ACK TSecr (the SYN's TSval)")
    shift = opt_value(res["synack"], di.TCP_OPT_WSCALE)[0]
    ws = ss_wscale(res["ss"])
    di.check(ws is not None, f"(a) ss shows no wscale: {res['ss']}")
    di.check_eq(ws[0], shift, "(a) ss snd_wscale (the SYN-ACK's shift)")
    toks = ss_tokens(res["ss"])
    di.check("ts" in toks and "sack" in toks, f"(a) ss shows no ts/sack: {res['ss']}")
    no_ts = [p for p in res["server"]
             if di.TCP_OPT_TS not in opt_kinds(di.tcp_options(p["options"]))]
    di.check_eq(len(no_ts), 0, "(a) server segments after the SYN-ACK without a timestamp")
    wins = [p["win"] for p in res["server"] if p["win"] is not None]
    di.check(wins and max(int(w) << shift for w in wins) > 65535,
             f"(a) the server never advertised more than 65535 bytes (shift {shift})")
    di.check(res["in_flight"] > 65535,
             f"(a) at most {res['in_flight']} bytes in flight: the server did not use "
             f"Linux's window scale")
    di.check_eq(res["deltas"]["tcp_syncookies_validated"], 1, "(a) tcp_syncookies_validated")
    di.check(res["deltas"]["tcp_syncookies_sent"] >= 1, "(a) no cookie sent")


def check_cookie_no_ts(res):
    check_syn(res, "b", False)
    di.check_eq(opt_kinds(res["synack"]), [di.TCP_OPT_MSS],
                "(b) cookie SYN-ACK option kinds without timestamps (MSS only)")
    toks = ss_tokens(res["ss"])
    di.check(ss_wscale(res["ss"]) is None, f"(b) ss shows wscale: {res['ss']}")
    di.check("ts" not in toks and "sack" not in toks, f"(b) ss shows ts or sack: {res['ss']}")
    with_opts = [p for p in res["server"] if opt_kinds(di.tcp_options(p["options"]))]
    di.check_eq(len(with_opts), 0, "(b) server segments with TCP options after the SYN-ACK")
    di.check(res["in_flight"] <= 65535,
             f"(b) {res['in_flight']} bytes in flight beyond an unscaled window")
    di.check_eq(res["deltas"]["tcp_syncookies_validated"], 1, "(b) tcp_syncookies_validated")
    di.check(res["deltas"]["tcp_syncookies_sent"] >= 1, "(b) no cookie sent")


def check_stateful_no_ts(res):
    check_syn(res, "c", False)
    kinds = opt_kinds(res["synack"])
    di.check(di.TCP_OPT_WSCALE in kinds and di.TCP_OPT_SACK_PERM in kinds,
             f"(c) stateful SYN-ACK without window scale or SACK-permitted: {res['synack']}")
    ws = ss_wscale(res["ss"])
    di.check(ws is not None, f"(c) ss shows no wscale: {res['ss']}")
    di.check_eq(ws[0], opt_value(res["synack"], di.TCP_OPT_WSCALE)[0], "(c) ss snd_wscale")
    di.check_eq(res["deltas"]["tcp_syncookies_sent"], 0, "(c) tcp_syncookies_sent")
    di.check_eq(res["deltas"]["tcp_syncookies_validated"], 0, "(c) tcp_syncookies_validated")
    di.check_eq(res["deltas"]["tcp_passive_opens"], 1, "(c) tcp_passive_opens")


def test():
    di.require_basics("curl", "tshark", "ss", "sysctl")
    with di.Topology("tsck", SUBNET) as topo, \
            tempfile.TemporaryDirectory(prefix="dtcp-syncookie-") as tmp:
        always = di.write_config(tmp, "[tcp]\nsyncookies = always\n", name="always.ini")
        t0 = time.monotonic()
        with di.DtcpServer(topo, extra_args=("--config", always, "--listen", str(PORT),
                                             "--mode", "http")) as srv:
            a = download(topo, srv, tmp, "a", timestamps=True)
            b = download(topo, srv, tmp, "b", timestamps=False)
            check_cookie_ts(a)
            check_cookie_no_ts(b)
            final = srv.stop()
            di.check_eq(final.get("tcp_syncookies_validated"), 2, "final tcp_syncookies_validated")
        # (c) the default, auto: no flood, so the SYN queue takes the SYN.
        with di.DtcpServer(topo, extra_args=("--listen", str(PORT), "--mode", "http")) as srv:
            c = download(topo, srv, tmp, "c", timestamps=False)
            check_stateful_no_ts(c)
            final = srv.stop()
            di.check_eq(final.get("tcp_syncookies_sent", 0), 0, "(c) final tcp_syncookies_sent")
        di.log(f"three downloads of {NBYTES} bytes in {time.monotonic() - t0:.1f} s; "
               f"(a) wscale {ss_wscale(a['ss'])} in flight {a['in_flight']}, "
               f"(b) no wscale, in flight {b['in_flight']}, (c) wscale {ss_wscale(c['ss'])}")


if __name__ == "__main__":
    di.main(test)
