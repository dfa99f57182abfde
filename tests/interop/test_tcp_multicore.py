#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Two worker lcores against Linux: 1,000 connections each way, over two multi-queue PMDs.

The stack runs with -l 0,1 (two lcores, a queue pair each) over
  (a) net_af_packet,qpairs=2 on a veth (tools/topo af_packet): the PMD opens one packet
      socket per queue, all in one PACKET_FANOUT group with PACKET_FANOUT_HASH |
      PACKET_FANOUT_FLAG_DEFRAG | PACKET_FANOUT_FLAG_ROLLOVER (DPDK 22.11), so the kernel
      picks the queue from its own flow hash (not one the stack knows), and rolls a frame
      over to the other socket when its ring is full;
  (b) net_tap with 2 queues on a multi-queue tap device that Linux, in the same namespace,
      addresses (TapTopology): the kernel's tun driver picks the queue (its flow table,
      else its symmetric flow hash). net_tap's own RSS needs a BPF program and rte_flow;
      the test logs what the PMD granted ("RSS granted/..." and "N queue pair(s)" from
      the stack's port log) and skips this half, saying so, only if the stack cannot
      start with two queues on net_tap at all.
The machine has two cores that the Linux side shares: loads are bounded (8 connections
in flight), deadlines generous, and dtcp-perf naps when idle ([stack] idle_sleep_us).

For each PMD:
  server: dtcp-server --mode echo on lcores 0 and 1; tcp_peer.py echo-many in Linux opens
      1,000 connections, 8 at a time, each sending 4 KiB of its own pseudo-random bytes
      and comparing the echo byte for byte. Asserts: all 1,000 succeed; /dtcp/stats,0 and
      /dtcp/stats,1 (each lcore's own counters) show passive opens on both lcores adding
      up to 1,000 (the lcore that created a connection owns it); the connections all end
      (gauges polled); at exit 1,000 accepted and released, 4 MB echoed, no error.
  client: dtcp-perf --test crr --verify --size 4096 --count 1000 --concurrency 8 on lcores
      0 and 1 against tcp_peer.py echo-server in Linux. Asserts: exit 0, exactly 1,000
      transactions and connections, 4 MB read back and checked by --verify, no error; the
      echo server accepted 1,000 and echoed 4 MB without a socket error; polled while it
      runs (straight over its telemetry socket every 10 ms: it is done in under a
      second), /dtcp/stats,N of dtcp-perf shows active opens on both lcores.
  No drop for ownership reasons, on both sides: drop_steer_full = 0 (a segment for the
  other lcore found its ring full), tcp_tx_rst_reply = 0 and drop_tcp_no_conn = 0 (a
  segment no connection took: a segment on an lcore that does not own its flow, with no
  listener to catch it), tcp_rx_rst = 0, drop_tcp_rst_no_conn = 0, and no SYN-cookie
  rejection (tcp_syncookies_rejected_*: a handshake's last ACK at a listener of the other
  lcore looks like a cookie ACK). One exception, on tap, explained at LATE_ON_TAP: a
  handshake's last ACK that tun sent to the other queue may arrive after the connection
  ended and be answered with a RST; there the RST and no-connection counts must equal
  tcp_steered_no_conn exactly (no other cause), and af_packet must have none. The forwarded segments are printed (tcp_steered_out/in:
  on main, replies to an active open that land on the other lcore are passed to the owner
  chosen by port % lcores).

Conditional checks, so that this test tightens by itself when the flow-ownership work
(software Toeplitz owner function, RSS-aware ephemeral ports, RETA) lands: every
"must be zero" counter above is checked only if the stack has it (all exist on main
today), and so are the counters in OWNERSHIP_COUNTERS_LATER that main does not have yet
(none known today: add the steering branch's ownership-failure counters there). Per-lcore
connection ownership is read from /dtcp/stats,N (per-lcore counters exist on main); if
that command ever answers without per-lcore data, the test says so and falls back to
nothing weaker than the totals.

Every wait polls with a deadline; every process is ours, stopped by PID. Subnets
198.18.40 (af_packet) and 198.18.41 (tap).
"""
import re
import tempfile
import time

import dtcp_interop as di

SUBNET_AF_PACKET = "198.18.40"
SUBNET_TAP = "198.18.41"
LCORES = "0,1"
NB_LCORES = 2
PORT = 7
COUNT = 1000
SIZE = 4096
CONCURRENCY = 8

# Counters that are non-zero only when a segment reached an lcore that does not own its
# flow and was lost there (or reset its connection). Checked when the stack has them.
OWNERSHIP_COUNTERS = ("drop_steer_full", "tcp_tx_rst_reply", "drop_tcp_no_conn",
                      "tcp_rx_rst", "drop_tcp_rst_no_conn", "tcp_syncookies_rejected_mac",
                      "tcp_syncookies_rejected_stale")
# The steering branch's ownership-failure counters go here once they exist on main.
OWNERSHIP_COUNTERS_LATER = ()
STEER_COUNTERS = ("tcp_steered_out", "tcp_steered_in")
# tap only: the tun driver sends a handshake's last ACK to the queue it hashed the SYN to
# (the kernel answers our SYN-ACK inside our write, before tun learns the flow's queue
# from it) and every later segment of the flow to the queue we sent on, the owner's. The
# ACK then goes the long way round (the other lcore's queue and steer ring); when that
# lcore shares its core with the Linux clients it can be held for milliseconds, and an
# echo connection is over in less: the ACK finds no connection and is answered with a RST
# (RFC 9293 section 3.10.7.1), as a late duplicate would be. Those segments are counted as
# tcp_steered_no_conn; on tap, every RST and every no-connection drop must be one of them
# (no other cause), and there can be at most one per connection. af_packet has none.
LATE_HANDOVER = "tcp_steered_no_conn"
LATE_ON_TAP = ("tcp_tx_rst_reply", "drop_tcp_no_conn")


def port_grant(text):
    """What the stack's port log says it got: (queue pairs, RSS line) or (None, None)."""
    q = re.search(r"^dtcp: port 0 \(([^)]*)\): \S+, (\d+) queue pair", text, re.M)
    rss = re.search(r"^dtcp: port 0: (RSS .*)$", text, re.M)
    return (q.group(1) if q else None, int(q.group(2)) if q else None,
            rss.group(1) if rss else None)


def check_ownership(ctr, who):
    """The ownership-failure counters (those the stack has) are all zero; the steered
    counts are printed."""
    present = [n for n in OWNERSHIP_COUNTERS + OWNERSHIP_COUNTERS_LATER if n in ctr]
    absent = [n for n in OWNERSHIP_COUNTERS + OWNERSHIP_COUNTERS_LATER if n not in ctr]
    di.log(f"{who}: forwarded between lcores: " +
           ", ".join(f"{n} = {ctr.get(n, 'n/a')}" for n in STEER_COUNTERS))
    if absent:
        di.log(f"{who}: not checked (the stack has no such counter): {', '.join(absent)}")
    late = ctr.get(LATE_HANDOVER, 0)
    if who.startswith("tap"):
        di.log(f"{who}: {LATE_HANDOVER} = {late} (handed over after their connection ended)")
        di.check(late <= COUNT, f"{who}: {LATE_HANDOVER} = {late}, more than one per connection")
    else:
        di.check_eq(late, 0, f"{who}: {LATE_HANDOVER}")
    for n in present:
        if who.startswith("tap") and n in LATE_ON_TAP:
            di.check_eq(ctr[n], late, f"{who}: {n} vs {LATE_HANDOVER} (any other cause is a bug)")
            continue
        di.check_eq(ctr[n], 0, f"{who}: {n}")
    di.check_eq(ctr.get("tcp_steered_out", 0), ctr.get("tcp_steered_in", 0),
                f"{who}: segments forwarded to another lcore vs taken in by one")


def per_lcore(prefix, name, query=di.telemetry):
    """[counter @name of lcore i, ...] from /dtcp/stats,i; None if the stack answers
    without per-lcore data (an older or newer telemetry). Raises on no reply."""
    vals = []
    for i in range(NB_LCORES):
        s = query(prefix, f"/dtcp/stats,{i}")
        if not isinstance(s, dict) or name not in s:
            return None
        vals.append(s[name])
    return vals


def server_half(topo, label, vdev, after_ready=None):
    with di.DtcpServer(topo, lcores=LCORES, vdev=vdev, mem_mb=512,
                       extra_args=("--listen", str(PORT), "--mode", "echo")) as srv:
        driver, queues, rss = port_grant(srv.reader.text)
        di.log(f"{label} server: port driver {driver}, {queues} queue pair(s), {rss}")
        di.check_eq(queues, NB_LCORES, f"{label} server: queue pairs the port got")
        if after_ready:
            after_ready()
        res = di.run_peer(topo, "echo-many", topo.stack_addr, str(PORT), str(COUNT),
                          str(SIZE), str(CONCURRENCY), timeout=200)
        di.log(f"{label} server: {res['ok']} ok, {res['failed']} failed, "
               f"{res['bytes_checked']} bytes echoed and compared in {res['seconds']} s")
        di.check_eq(res["failed"], 0, f"{label}: failed echo connections ({res['failures']})")
        di.check_eq(res["ok"], COUNT, f"{label}: echo connections that succeeded")

        def quiet(st):  # every connection gone: only the listeners (one per lcore)
            busy = {k: v for k, v in st.items()
                    if k.startswith("tcp_state_") and v and k != "tcp_state_listen"}
            return not busy
        srv.wait_stats(quiet, 20, f"{label}: every echo connection closed")
        s = srv.settled_stats()
        opens = per_lcore(srv.prefix, "tcp_passive_opens")
        if opens is None:
            di.log(f"{label} server: /dtcp/stats,N has no per-lcore tcp_passive_opens: "
                   f"ownership per lcore NOT checked")
        else:
            di.log(f"{label} server: passive opens per lcore {opens}")
            di.check(all(o > 0 for o in opens),
                     f"{label} server: an lcore owned no connection (passive opens {opens})")
            di.check_eq(sum(opens), COUNT, f"{label} server: passive opens over the lcores")
        di.check_eq(s["tcp_passive_opens"], COUNT, f"{label} server: tcp_passive_opens")
        di.check_eq(s["tcp_established"], COUNT, f"{label} server: tcp_established")
        check_ownership(s, f"{label} server")
        final = srv.stop()
    di.check_eq(final.get("conns_accepted"), COUNT, f"{label} server: conns_accepted")
    di.check_eq(final.get("conns_released"), COUNT, f"{label} server: conns_released")
    di.check_eq(final.get("conns_error"), 0, f"{label} server: conns_error")
    di.check_eq(final.get("bytes_received"), COUNT * SIZE, f"{label} server: bytes received")
    di.check_eq(final.get("bytes_sent"), COUNT * SIZE, f"{label} server: bytes echoed")
    return set(s)  # every counter this stack has (telemetry lists zeros too)


def client_half(topo, label, vdev, config, known, after_ready=None):
    with di.linux_peer(topo, "echo-server", topo.linux_addr, str(PORT),
                       name=f"echo-server-{label}") as echo:
        perf = di.PerfProcess(topo, "--server", f"{topo.linux_addr}:{PORT}", "--test", "crr",
                              "--verify", "--size", str(SIZE), "--count", str(COUNT),
                              "--concurrency", str(CONCURRENCY), "--duration", "150",
                              config=config, mem_mb=512, lcores=LCORES, vdev=vdev)
        seen = None
        with perf:
            driver, queues, rss = port_grant(perf.text)
            di.log(f"{label} dtcp-perf: port driver {driver}, {queues} queue pair(s), {rss}")
            if after_ready:
                after_ready()
            # Each lcore's active opens, read while dtcp-perf runs (it exits when done,
            # within a second here): straight over the telemetry socket, every 10 ms,
            # until both lcores have some, or it ends.
            deadline = time.monotonic() + 160
            while perf.alive() and time.monotonic() < deadline:
                try:
                    seen = per_lcore(perf.prefix, "tcp_active_opens",
                                     query=di.telemetry_direct) or seen
                except (OSError, ValueError, KeyError):
                    if not perf.alive():
                        break  # gone between the check and the query
                if seen is not None and all(v > 0 for v in seen):
                    break
                time.sleep(0.01)
            p = perf.finish(timeout=170)
        di.check(echo.alive(), f"{label}: the echo server died")
    di.check_eq(queues, NB_LCORES, f"{label} dtcp-perf: queue pairs the port got")
    r = p.check_clean(f"{label} dtcp-perf")
    di.check_eq(r["lcores"], NB_LCORES, f"{label} dtcp-perf: lcores")
    di.check_eq(r["transactions"], COUNT, f"{label} dtcp-perf: transactions")
    di.check_eq(r["connections"], COUNT, f"{label} dtcp-perf: connections")
    di.check_eq(r["bytes_received"], COUNT * SIZE, f"{label} dtcp-perf: bytes read back")
    di.log(f"{label} dtcp-perf: {r['transactions']} transactions in {r['elapsed_s']:.2f} s, "
           f"p50 {r['latency_us']['p50']:.0f} us, p99 {r['latency_us']['p99']:.0f} us")
    stats = [line for line in echo.output.splitlines() if line.startswith("{")]
    di.check(stats, f"{label}: no summary from the echo server:\n{echo.output}")
    stats = di.json.loads(stats[-1])
    di.log(f"{label} echo server: {stats}")
    di.check_eq(stats["conns"], COUNT, f"{label}: connections the echo server accepted")
    di.check_eq(stats["bytes"], COUNT * SIZE, f"{label}: bytes the echo server echoed")
    di.check_eq(stats["errors"], 0, f"{label}: echo server socket errors "
                f"({stats['error_list']})")
    # --stats lists only non-zero counters: a counter the stack has but did not print is 0.
    ctr = dict(p.counters)
    for n in OWNERSHIP_COUNTERS + OWNERSHIP_COUNTERS_LATER:
        if n in known:
            ctr.setdefault(n, 0)
    check_ownership(ctr, f"{label} dtcp-perf")
    if seen is None:
        di.log(f"{label} dtcp-perf: no per-lcore reading before it exited: ownership per "
               f"lcore NOT checked")
        di.check(False, f"{label} dtcp-perf: could not read /dtcp/stats,N while it ran")
    di.log(f"{label} dtcp-perf: active opens per lcore (while running) {seen}")
    di.check(all(v > 0 for v in seen),
             f"{label} dtcp-perf: an lcore opened no connection (active opens {seen})")


def test():
    di.require_basics()
    with tempfile.TemporaryDirectory(prefix="dtcp-multicore-") as tmp:
        # dtcp-perf busy-polls by default; on two shared cores it naps when idle instead.
        cfg = di.write_config(tmp, "[stack]\nidle_sleep_us = 50\n")
        with di.Topology("tmca", SUBNET_AF_PACKET) as topo:
            vdev = di.af_packet_vdev(topo, f"qpairs={NB_LCORES}")
            known = server_half(topo, "af_packet", vdev)
            client_half(topo, "af_packet", vdev, cfg, known)
        with di.TapTopology("tmct", SUBNET_TAP) as topo:
            vdev = topo.vdev()
            try:
                server_half(topo, "tap", vdev, after_ready=topo.linux_mac_set)
            except di.TestFailure as e:
                if "not ready within" in str(e) and "queue" in str(e):
                    raise di.Skip(f"net_tap cannot run {NB_LCORES} queues here (af_packet "
                                  f"half passed): {str(e)[-400:]}") from None
                raise
            client_half(topo, "tap", vdev, cfg, known, after_ready=topo.linux_mac_set)


if __name__ == "__main__":
    di.main(test)
