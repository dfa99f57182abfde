#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Linux-side TCP peers for the interop tests; runs inside the Linux namespace
(ip netns exec NS taskset -c 0 /usr/bin/python3 -u tcp_peer.py CMD ARGS), where the
test process itself cannot open sockets. Standard library only.

Clients run to completion and print one JSON object as their last line (exit 0 even
when the exchange failed: the test judges the JSON; exit 1 only on a usage error).
Servers print "ready ..." once listening, serve until SIGTERM, then print a JSON
summary and exit 0.

  echo-client ADDR PORT NBYTES SEED       send NBYTES pseudo-random bytes (a writer
                                          thread), read the echo back, shut down after
                                          writing; SHA-256 of both sides
  churn ADDR PORT COUNT echo|http         COUNT sequential connections: echo sends a
                                          few bytes, reads them back and closes first;
                                          http sends "GET / ... Connection: close",
                                          reads to EOF (the server closes first), closes
  echo-many ADDR PORT COUNT NBYTES CONC  COUNT connections, CONC at a time (threads):
                                          each sends NBYTES pseudo-random bytes (its own
                                          seed), reads the echo back, compares it byte
                                          for byte, then closes
  refused ADDR PORT COUNT                 COUNT connect()s, each timed: errno + seconds
  echo-server ADDR PORT                   threaded echo server (until EOF, then close)
  sink ADDR PORT NBYTES                   accept one connection and read it: SHA-256 of
                                          its first NBYTES, reported (a JSON line with
                                          "event": "reached") as soon as they are in, then
                                          read on and drop the rest until EOF or SIGTERM
"""
import hashlib
import json
import os
import random
import signal
import socket
import sys
import threading
import time

# Every loop here is bounded in count and in time.
SOCK_TIMEOUT = 10.0


def out(obj):
    print(json.dumps(obj), flush=True)


# --- clients ----------------------------------------------------------------------------

def echo_client(addr, port, nbytes, seed):
    nbytes, seed = int(nbytes), int(seed, 0)
    rng = random.Random(seed)
    data = rng.randbytes(nbytes)
    sent_sha = hashlib.sha256(data).hexdigest()
    res = {"sent": 0, "received": 0, "sent_sha256": sent_sha, "error": None}
    t0 = time.monotonic()
    s = socket.create_connection((addr, int(port)), timeout=SOCK_TIMEOUT)
    s.settimeout(SOCK_TIMEOUT)
    werr = []

    def writer():
        try:
            view = memoryview(data)
            for off in range(0, nbytes, 65536):
                s.sendall(view[off:off + 65536])
                res["sent"] = off + len(view[off:off + 65536])
            s.shutdown(socket.SHUT_WR)
        except OSError as e:
            werr.append(f"send: {e!r}")

    w = threading.Thread(target=writer, daemon=True)
    w.start()
    h = hashlib.sha256()
    got = 0
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            chunk = s.recv(262144)
            if not chunk:
                break
            h.update(chunk)
            got += len(chunk)
            if got > nbytes:
                break
        else:
            res["error"] = "read deadline passed"
    except OSError as e:
        res["error"] = f"recv: {e!r}"
    w.join(SOCK_TIMEOUT)
    s.close()
    if werr and res["error"] is None:
        res["error"] = werr[0]
    res.update(received=got, received_sha256=h.hexdigest(),
               seconds=round(time.monotonic() - t0, 3))
    out(res)


def churn(addr, port, count, mode):
    count = int(count)
    ok, failures = 0, []
    t0 = time.monotonic()
    deadline = t0 + 150
    req = b"GET / HTTP/1.1\r\nHost: dtcp\r\nConnection: close\r\n\r\n"
    for i in range(count):
        if time.monotonic() >= deadline:
            failures.append(f"#{i}: overall deadline passed")
            break
        try:
            with socket.create_connection((addr, int(port)), timeout=SOCK_TIMEOUT) as s:
                s.settimeout(SOCK_TIMEOUT)
                if mode == "echo":
                    msg = b"churn %06d\n" % i
                    s.sendall(msg)
                    got = b""
                    while len(got) < len(msg):
                        chunk = s.recv(4096)
                        if not chunk:
                            break
                        got += chunk
                    if got != msg:
                        raise ValueError(f"echo {msg!r} came back as {got!r}")
                    # Leaving the with-block closes: we send the first FIN.
                else:
                    s.sendall(req)
                    got = b""
                    for _ in range(1000):  # to EOF: the server closes first
                        chunk = s.recv(4096)
                        if not chunk:
                            break
                        got += chunk
                    head, _, body = got.partition(b"\r\n\r\n")
                    if not head.startswith(b"HTTP/1.1 200") or body != b"dtcp\n":
                        raise ValueError(f"bad response {got[:200]!r}")
            ok += 1
        except (OSError, ValueError) as e:
            failures.append(f"#{i}: {e!r}")
            if len(failures) >= 20:
                break
    out({"ok": ok, "failed": len(failures), "failures": failures[:20],
         "seconds": round(time.monotonic() - t0, 3)})


def echo_many(addr, port, count, nbytes, conc):
    count, nbytes, conc = int(count), int(nbytes), int(conc)
    lock = threading.Lock()
    state = {"next": 0, "ok": 0, "bytes": 0, "failures": []}
    t0 = time.monotonic()
    deadline = t0 + 150

    def one(i):
        data = random.Random(i).randbytes(nbytes)
        with socket.create_connection((addr, int(port)), timeout=SOCK_TIMEOUT) as s:
            s.settimeout(SOCK_TIMEOUT)
            s.sendall(data)  # a few KB: fits the buffers both ways, no writer thread
            got = bytearray()
            while len(got) < nbytes:
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += chunk
            if bytes(got) != data:
                raise ValueError(f"{len(got)} of {nbytes} bytes came back, "
                                 f"{'equal' if data.startswith(bytes(got)) else 'different'}")

    def worker():
        while True:
            with lock:
                i = state["next"]
                if i >= count or len(state["failures"]) >= 20 or time.monotonic() >= deadline:
                    return
                state["next"] += 1
            try:
                one(i)
                with lock:
                    state["ok"] += 1
                    state["bytes"] += nbytes
            except (OSError, ValueError) as e:
                with lock:
                    state["failures"].append(f"#{i}: {e!r}")

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(conc)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(1.0, deadline + 2 * SOCK_TIMEOUT - time.monotonic()))
    with lock:
        out({"ok": state["ok"], "failed": len(state["failures"]),
             "failures": state["failures"][:20], "bytes_checked": state["bytes"],
             "seconds": round(time.monotonic() - t0, 3)})


def refused(addr, port, count):
    tries = []
    for _ in range(int(count)):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(5.0)
        t0 = time.monotonic()
        try:
            s.connect((addr, int(port)))
            err = 0
        except socket.timeout:
            err = "timeout"
        except OSError as e:
            err = e.errno
        dt = time.monotonic() - t0
        s.close()
        tries.append({"errno": err, "seconds": round(dt, 6)})
    out({"tries": tries, "ECONNREFUSED": __import__("errno").ECONNREFUSED})


# --- servers ----------------------------------------------------------------------------

class Stop(Exception):
    pass


def _on_term(signum, frame):
    raise Stop()


def echo_server(addr, port):
    stats = {"conns": 0, "bytes": 0, "errors": 0, "error_list": []}
    lock = threading.Lock()
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, int(port)))
    ls.listen(4096)

    def serve(c):
        try:
            c.settimeout(60)
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                chunk = c.recv(262144)
                if not chunk:
                    break
                with lock:  # counted before the client can see the echo
                    stats["bytes"] += len(chunk)
                c.sendall(chunk)
        except OSError as e:
            with lock:
                stats["errors"] += 1
                if len(stats["error_list"]) < 10:
                    stats["error_list"].append(repr(e))
        finally:
            c.close()

    signal.signal(signal.SIGTERM, _on_term)
    print(f"ready echo-server {addr}:{port}", flush=True)
    try:
        while True:
            c, _ = ls.accept()
            with lock:
                stats["conns"] += 1
            threading.Thread(target=serve, args=(c,), daemon=True).start()
    except Stop:
        pass
    ls.close()
    with lock:
        out(stats)


def sink(addr, port, nbytes):
    nbytes = int(nbytes)
    res = {"event": "end", "received": 0, "sha256": None, "seconds": None, "error": None}
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, int(port)))
    ls.listen(1)
    signal.signal(signal.SIGTERM, _on_term)
    print(f"ready sink {addr}:{port}", flush=True)
    h = hashlib.sha256()
    got = 0
    try:
        c, _ = ls.accept()
        t0 = time.monotonic()
        c.settimeout(SOCK_TIMEOUT)
        deadline = t0 + 3600
        buf = bytearray(1 << 20)
        view = memoryview(buf)
        while time.monotonic() < deadline:
            try:
                n = c.recv_into(buf)
            except socket.timeout:
                continue  # a stalled transfer: the test's own deadline decides
            if n == 0:
                break
            if got < nbytes:
                take = min(n, nbytes - got)
                h.update(view[:take])
                if got + take == nbytes:
                    res["sha256"] = h.hexdigest()
                    res["seconds"] = round(time.monotonic() - t0, 3)
                    out({"event": "reached", "bytes": nbytes, "sha256": res["sha256"],
                         "seconds": res["seconds"]})
            got += n
        c.close()
    except Stop:
        pass
    except OSError as e:
        res["error"] = repr(e)
    res["received"] = got
    if res["sha256"] is None:
        res["partial_sha256"] = h.hexdigest()
    out(res)


COMMANDS = {
    "echo-client": (echo_client, 4),
    "churn": (churn, 4),
    "echo-many": (echo_many, 5),
    "refused": (refused, 3),
    "echo-server": (echo_server, 2),
    "sink": (sink, 3),
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS or \
            len(sys.argv) - 2 != COMMANDS[sys.argv[1]][1]:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]][0](*sys.argv[2:])
    sys.stdout.flush()
    os._exit(0)  # do not wait for daemon threads
