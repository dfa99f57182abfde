#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""1,000 sequential short connections from Linux, then nothing left behind.

The server runs with [tcp] time_wait_s = 2 (a config file) so TIME_WAIT ends quickly.

Phase 1, the client closes first (--mode echo): 1,000 Python connections each send a
few bytes, read them back and close. The stack is the passive closer (CLOSE-WAIT,
LAST-ACK, then gone; Linux keeps the TIME_WAITs). Asserts: all 1,000 succeed; the
stack counts 1,000 passive opens and 1,000 established, sends no RST; tools/dtcp-ss
soon shows no ESTAB, CLOSE-WAIT or LAST-ACK connection (polled), and then nothing but
the one LISTEN entry on the port (the passive closer keeps no TIME_WAIT). Every
dtcp-ss check is made against the tcp_state_* gauges too.

Phase 2, the server closes first (--mode http, "Connection: close"): 1,000 requests,
each read to EOF and then closed. The stack is the active closer (FIN-WAIT-1/2, then
TIME-WAIT). Asserts: all 1,000 get "200" and the body "dtcp\\n"; once the last FINs
are exchanged (gauges polled), the gauges count all 1,000 in TIME_WAIT but for those
a new SYN from Linux took over (tcp_time_wait_reused: Linux, the passive closer, may
reuse a port at once), when the churn took well under time_wait_s; dtcp-ss shows TIME-WAIT entries, each with a timer of
at most time_wait_s, and lists exactly as many sockets per state as the /dtcp/stats
tcp_state_* gauges count (checked last, so the rest is still observed); no ESTAB,
CLOSE-WAIT or LAST-ACK is left (polled); and within time_wait_s plus slack dtcp-ss
shows nothing but the LISTEN entry (polled); the counters agree (1,000 passive opens,
no RST, every connection released, no connection error). The server exits 0 in both.

All waits poll dtcp-ss with a deadline; nothing sleeps for a fixed time.
"""
import tempfile
import time

import dtcp_interop as di

SUBNET = "198.18.32"
PORT = 7
COUNT = 1000
TIME_WAIT_S = 2


def gauges(srv):
    """The stack's per-state gauges (/dtcp/stats tcp_state_*) that are not zero."""
    return {k[len("tcp_state_"):]: v for k, v in srv.stats().items()
            if k.startswith("tcp_state_") and v}


def ss(srv):
    """dtcp-ss rows and {state: count}; also the gauges read just before and after, so
    a caller can tell whether the listing is complete (gauges unchanged around it)."""
    before = gauges(srv)
    rows = di.dtcp_ss(srv.prefix)
    after = gauges(srv)
    return rows, di.ss_states(rows), (before if before == after else None)


def as_gauges(states):
    """dtcp-ss {"TIME-WAIT": n} in the gauges' naming {"time_wait": n}."""
    return {k.lower().replace("-", "_"): v for k, v in states.items()}


def only_listener(srv, port):
    """dtcp-ss lists exactly one row, LISTEN on @port, and the gauges agree."""
    rows, states, g = ss(srv)
    if len(rows) == 1 and rows[0]["state"] == "LISTEN" and rows[0]["local_port"] == port \
            and g == {"listen": 1}:
        return rows
    di.log(f"dtcp-ss: {states}, gauges: {g}")
    return None


def no_busy(srv):
    """Neither dtcp-ss nor the gauges show ESTAB, CLOSE-WAIT or LAST-ACK."""
    rows, states, g = ss(srv)
    busy = {k: v for k, v in states.items() if k in ("ESTAB", "CLOSE-WAIT", "LAST-ACK")}
    gbusy = {k: v for k, v in (g or {}).items() if k in ("estab", "close_wait", "last_ack")}
    if busy or gbusy or g is None:
        di.log(f"dtcp-ss: still {busy}, gauges: {g}")
        return None
    return rows


def churn(topo, mode):
    res = di.run_peer(topo, "churn", topo.stack_addr, str(PORT), str(COUNT), mode,
                      timeout=170)
    di.log(f"churn {mode}: {res['ok']} ok, {res['failed']} failed in {res['seconds']} s")
    di.check_eq(res["failed"], 0, f"failed {mode} connections ({res['failures']})")
    di.check_eq(res["ok"], COUNT, f"{mode} connections that succeeded")
    return res["seconds"]


def settled_listing(srv):
    """A dtcp-ss listing taken while the gauges held still and showed only LISTEN and
    TIME-WAIT (the last FINs of the churn exchanged): (rows, states, gauges)."""
    rows, states, g = ss(srv)
    if g is None or set(g) - {"listen", "time_wait"}:
        di.log(f"dtcp-ss: {states}, gauges: {g} (not settled)")
        return None
    return rows, states, g


def check_counters(s, final, mode):
    di.check_eq(s["tcp_passive_opens"], COUNT, f"{mode}: tcp_passive_opens")
    di.check_eq(s["tcp_established"], COUNT, f"{mode}: tcp_established")
    for name in ("tcp_tx_rst", "tcp_rx_rst", "drop_tcp_bad_checksum", "tcp_timeouts",
                 "drop_tcp_syn_backlog", "drop_tcp_table_full", "drop_tcp_accept_full"):
        di.check_eq(s[name], 0, f"{mode}: {name}")
    di.check_eq(final.get("conns_accepted"), COUNT, f"{mode}: conns_accepted")
    di.check_eq(final.get("conns_released"), COUNT, f"{mode}: conns_released")
    di.check_eq(final.get("conns_error"), 0, f"{mode}: conns_error")


def test():
    di.require_basics()
    with di.Topology("tchn", SUBNET) as topo, \
            tempfile.TemporaryDirectory(prefix="dtcp-churn-") as tmp:
        cfg = di.write_config(tmp, f"[tcp]\ntime_wait_s = {TIME_WAIT_S}\n")
        deferred = []

        # Phase 1: the client closes first; the stack goes CLOSE-WAIT -> LAST-ACK -> gone.
        with di.DtcpServer(topo, extra_args=("--config", cfg, "--listen", str(PORT),
                                             "--mode", "echo")) as srv:
            rows, states, g = ss(srv)
            di.check_eq(states, {"LISTEN": 1}, "dtcp-ss before the churn")
            churn(topo, "echo")
            di.wait_for(lambda: no_busy(srv), 10, "no ESTAB/CLOSE-WAIT/LAST-ACK (echo)",
                        interval=0.2)
            # The passive closer keeps no TIME_WAIT: only the listener, and quickly.
            rows = di.wait_for(lambda: only_listener(srv, PORT), 5,
                               "only the LISTEN entry (echo)", interval=0.2)
            di.log(f"echo phase: dtcp-ss {rows}")
            s = srv.settled_stats()
            di.check_eq(s["tcp_state_time_wait"], 0, "echo: tcp_state_time_wait gauge")
            final = srv.stop()
            check_counters(s, final, "echo")
            di.check_eq(final.get("bytes_received"), final.get("bytes_sent"),
                        "echo: bytes echoed")

        # Phase 2: the server closes first; the stack goes through TIME_WAIT.
        with di.DtcpServer(topo, extra_args=("--config", cfg, "--listen", str(PORT),
                                             "--mode", "http")) as srv:
            t_start = time.monotonic()
            churn(topo, "http")
            t_end = time.monotonic()

            def tw_settled():  # the last FINs exchanged: only LISTEN and TIME_WAIT left
                st = srv.stats()
                busy = {k: v for k, v in st.items() if k.startswith("tcp_state_") and v
                        and k not in ("tcp_state_listen", "tcp_state_time_wait")}
                return None if busy else st

            st = di.wait_for(tw_settled, 5, "the last closes of the churn", interval=0.05)
            if time.monotonic() - t_start < TIME_WAIT_S - 0.3:
                # None can have expired yet: every connection the server closed first is
                # in TIME_WAIT, but for those whose tuple Linux reused (it keeps no
                # TIME_WAIT as the passive closer), which a new connection took over.
                reused = st["tcp_time_wait_reused"]
                di.log(f"TIME_WAIT: {st['tcp_state_time_wait']}, taken over by a new SYN: "
                       f"{reused}")
                di.check_eq(st["tcp_state_time_wait"] + reused, COUNT,
                            "TIME_WAIT gauge + tcp_time_wait_reused after the churn")
            else:
                di.log("the churn took too long to count TIME_WAITs before any expires")
            rows, states, g = di.wait_for(lambda: settled_listing(srv), 5,
                                          "a dtcp-ss listing with the gauges still",
                                          interval=0.1)
            di.log(f"http phase, right after the churn: dtcp-ss {states}, gauges {g}")
            tw = [r for r in rows if r["state"] == "TIME-WAIT"]
            di.check(len(tw) > 0, "no TIME-WAIT entry right after the server closed first "
                     f"({states})")
            # The listing must be complete: what the gauges count, dtcp-ss shows. Checked
            # at the end, so that a failure here still lets the rest be observed.
            if as_gauges(states) != g:
                deferred.append(f"right after the http churn dtcp-ss listed {states} but "
                                f"the /dtcp/stats gauges count {g}: the listing is "
                                f"incomplete")
            worst = max(r["timer_ms"] for r in tw)
            di.check(worst <= TIME_WAIT_S * 1000 + 10,
                     f"TIME-WAIT timer {worst} ms is longer than time_wait_s = {TIME_WAIT_S}")
            di.check(all(r["remote_addr"] == topo.linux_addr and r["local_port"] == PORT
                         for r in tw), f"unexpected TIME-WAIT rows: {tw[:3]}")
            di.wait_for(lambda: no_busy(srv), 10, "no ESTAB/CLOSE-WAIT/LAST-ACK (http)",
                        interval=0.2)
            rows = di.wait_for(lambda: only_listener(srv, PORT), TIME_WAIT_S + 5,
                               "TIME_WAIT to end: only the LISTEN entry (http)", interval=0.2)
            di.log(f"http phase: only LISTEN {time.monotonic() - t_end:.2f} s after the churn")
            s = srv.settled_stats()
            di.check_eq(s["tcp_state_time_wait"], 0, "http: tcp_state_time_wait gauge")
            final = srv.stop()
            check_counters(s, final, "http")
            di.check_eq(final.get("http_requests"), COUNT, "http_requests")
        if deferred:
            raise di.TestFailure("; ".join(deferred))


if __name__ == "__main__":
    di.main(test)
