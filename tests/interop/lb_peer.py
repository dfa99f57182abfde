#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Backends and clients for the load-balancer tests (test_lb.py, tools/bench/lb); runs
inside a namespace (ip netns exec NS taskset -c 0 /usr/bin/python3 -u lb_peer.py CMD ...).
Standard library only. Every loop is bounded in count and time.

Server (one per backend namespace):

  backend ADDR PORT ID     one port, the service chosen by the connection's first 4 bytes:
      "GET "  HTTP/1.1: GET /file/N answers N bytes where byte i = i mod 251, GET /id
              answers "backend ID\\n"; header X-Backend: ID; Connection: close (we close
              after the body)
      "IDNT"  answers "backend ID\\n", then reads to EOF and closes (the client closes first)
      "RSET"  closes at once with SO_LINGER 0: the peer gets a RST
      other   echo, the first 4 bytes included, until EOF; then shuts down and closes
    A connection that ends before 4 bytes arrive is a health check ("empty"), counted
    apart. Prints "ready backend ID ADDR:PORT"; SIGUSR1 prints the counters as a JSON
    line; SIGTERM closes the listener at once (new connections are refused), lets the
    connections in flight finish (at most 5 s), prints the counters and exits 0.
    Counters: conns (connections that carried data), empty, bytes_in, bytes_out, per
    service counts, resets_sent, peer_resets (ECONNRESET while reading), errors.

Clients (one JSON object as the last line; exit 0 unless a usage error):

  idnt-many ADDR PORT COUNT CONC      COUNT "IDNT" connections, CONC at a time: per
      connection its local port, the backend that answered, start and end
      (time.monotonic(), CLOCK_MONOTONIC: comparable with the test's own clock) and the
      error if any
  idnt-loop ADDR PORT CONC SECONDS    the same, as many as fit in SECONDS (at most
      100,000), or until SIGTERM; SIGUSR1 prints {"inflight_since": the start of the
      oldest connection in flight (or null), "done": connections finished, "now"}
  stable ADDR PORT PORT0 COUNT        for local ports PORT0 .. PORT0+COUNT-1: connect from
      the port, "IDNT", read the answer, abort (SO_LINGER 0: no TIME_WAIT, the same 4-tuple
      can come again), twice over; both backends per port
  reset ADDR PORT                     send "RSET", read: the error seen (ECONNRESET wanted)
"""
import errno
import json
import os
import signal
import socket
import struct
import sys
import threading
import time

SOCK_TIMEOUT = 10.0
PATTERN = bytes(range(251)) * 4096  # whole periods: any slice of it at a multiple of 251


def out(obj):
    """One JSON line, written whole (os.write until done: a large line to a pipe is
    written in pieces, and signals may arrive meanwhile)."""
    sys.stdout.flush()
    view = memoryview((json.dumps(obj) + "\n").encode())
    while view:
        view = view[os.write(1, view):]


def pattern(n):
    """n bytes where byte i = i mod 251."""
    reps = n // len(PATTERN)
    return PATTERN * reps + PATTERN[:n - reps * len(PATTERN)]


# --- backend ----------------------------------------------------------------------------

class Backend:
    def __init__(self, addr, port, ident):
        self.addr, self.port, self.ident = addr, int(port), ident
        self.lock = threading.Lock()
        self.stats = {"id": ident, "conns": 0, "empty": 0, "bytes_in": 0, "bytes_out": 0,
                      "http": 0, "idnt": 0, "rset": 0, "echo": 0, "resets_sent": 0,
                      "peer_resets": 0, "errors": 0, "error_list": []}
        self.active = 0
        self.files = {}

    def count(self, **kw):
        with self.lock:
            for k, v in kw.items():
                self.stats[k] += v

    def snapshot(self):
        with self.lock:
            return dict(self.stats, active=self.active)

    def send(self, c, data):
        view = memoryview(data)
        for off in range(0, len(data), 1 << 20):
            piece = view[off:off + (1 << 20)]
            c.sendall(piece)
            self.count(bytes_out=len(piece))

    def recv(self, c, n=262144):
        chunk = c.recv(n)
        self.count(bytes_in=len(chunk))
        return chunk

    def body(self, n):
        if n not in self.files:
            self.files = {n: pattern(n)}  # keep one size: memory bounded
        return self.files[n]

    def http(self, c, head):
        buf = head
        for _ in range(64):  # headers: bounded
            if b"\r\n\r\n" in buf or len(buf) > 16384:
                break
            chunk = self.recv(c, 4096)
            if not chunk:
                return
            buf += chunk
        line = buf.split(b"\r\n", 1)[0].decode(errors="replace").split()
        path = line[1] if len(line) > 1 else "/"
        if path.startswith("/file/") and path[6:].isdigit() and int(path[6:]) > 64 << 20:
            n = int(path[6:])  # large: streamed from whole periods, memory bounded
            self.send(c, (f"HTTP/1.1 200 OK\r\nContent-Length: {n}\r\nX-Backend: "
                          f"{self.ident}\r\nConnection: close\r\n\r\n").encode())
            view = memoryview(PATTERN)
            for off in range(0, n, len(PATTERN)):
                piece = view[:min(len(PATTERN), n - off)]
                c.sendall(piece)
                self.count(bytes_out=len(piece))
            c.shutdown(socket.SHUT_WR)
            self.drain(c)
            return
        if path.startswith("/file/") and path[6:].isdigit():
            data = self.body(int(path[6:]))
        elif path == "/id":
            data = f"backend {self.ident}\n".encode()
        else:
            hdr = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            self.send(c, hdr)
            return
        hdr = (f"HTTP/1.1 200 OK\r\nContent-Length: {len(data)}\r\nX-Backend: {self.ident}"
               f"\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n")
        self.send(c, hdr.encode())
        self.send(c, data)
        c.shutdown(socket.SHUT_WR)
        self.drain(c)  # the client closes once it has the body: then we close

    def drain(self, c):
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if not self.recv(c):
                return

    def serve(self, c):
        with self.lock:
            self.active += 1
        try:
            c.settimeout(60)
            head = b""
            try:
                while len(head) < 4:
                    chunk = self.recv(c, 4 - len(head))
                    if not chunk:
                        break
                    head += chunk
            except ConnectionResetError:
                pass
            if not head:
                self.count(empty=1)
                return
            self.count(conns=1)
            if head == b"GET ":
                self.count(http=1)
                self.http(c, head)
            elif head == b"IDNT":
                self.count(idnt=1)
                self.send(c, f"backend {self.ident}\n".encode())
                self.drain(c)
            elif head == b"RSET":
                self.count(rset=1, resets_sent=1)
                c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                self.count(echo=1)
                data = head
                deadline = time.monotonic() + 600
                while data and time.monotonic() < deadline:
                    self.send(c, data)
                    data = self.recv(c)
                c.shutdown(socket.SHUT_WR)
        except ConnectionResetError:
            self.count(peer_resets=1)
        except OSError as e:
            with self.lock:
                self.stats["errors"] += 1
                if len(self.stats["error_list"]) < 10:
                    self.stats["error_list"].append(repr(e))
        finally:
            c.close()
            with self.lock:
                self.active -= 1

    def run(self):
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((self.addr, self.port))
        ls.listen(4096)
        stop = threading.Event()

        def on_term(signum, frame):
            stop.set()
            ls.shutdown(socket.SHUT_RDWR)  # wakes accept(); the port refuses from now on

        signal.signal(signal.SIGTERM, on_term)
        signal.signal(signal.SIGUSR1, lambda s, f: out(self.snapshot()))
        print(f"ready backend {self.ident} {self.addr}:{self.port}", flush=True)
        while not stop.is_set():
            try:
                c, _ = ls.accept()
            except OSError:
                continue  # EINVAL after shutdown: stop is set
            threading.Thread(target=self.serve, args=(c,), daemon=True).start()
        ls.close()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and self.snapshot()["active"]:
            time.sleep(0.01)
        out(self.snapshot())


# --- clients ----------------------------------------------------------------------------

def idnt_one(addr, port, bind_port=None, abort=False):
    """One IDNT exchange: {"port", "backend", "t0", "t1", "error"}."""
    res = {"port": None, "backend": None, "t0": time.monotonic(), "t1": None, "error": None}
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.settimeout(SOCK_TIMEOUT)
        if bind_port is not None:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", bind_port))
        s.connect((addr, int(port)))
        res["port"] = s.getsockname()[1]
        s.sendall(b"IDNT")
        got = b""
        for _ in range(100):
            if got.endswith(b"\n"):
                break
            chunk = s.recv(256)
            if not chunk:
                break
            got += chunk
        line = got.decode(errors="replace").strip()
        if not line.startswith("backend "):
            raise ValueError(f"answer {got!r}")
        res["backend"] = line.split()[1]
        if abort:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:
            s.shutdown(socket.SHUT_WR)
            for _ in range(100):  # to the backend's EOF
                if not s.recv(256):
                    break
    except (OSError, ValueError) as e:
        res["error"] = repr(e)
    finally:
        s.close()
    res["t1"] = time.monotonic()
    return res


def idnt_pool(addr, port, count, conc, seconds):
    """COUNT connections (or until SECONDS or SIGTERM), CONC at a time."""
    lock = threading.Lock()
    state = {"next": 0}
    results = []
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda s, f: stop.set())
    t_end = time.monotonic() + seconds

    inflight = {}  # thread -> when its current connection began

    def report(signum, frame):
        with lock:
            since = min(inflight.values()) if inflight else None
            done = len(results)
        out({"inflight_since": since, "done": done, "now": time.monotonic()})

    signal.signal(signal.SIGUSR1, report)

    def worker():
        me = threading.get_ident()
        while not stop.is_set() and time.monotonic() < t_end:
            with lock:
                if state["next"] >= count:
                    return
                state["next"] += 1
                inflight[me] = time.monotonic()
            r = idnt_one(addr, port)
            with lock:
                results.append(r)
                del inflight[me]

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(int(conc))]
    for t in threads:
        t.start()
    print("started", flush=True)
    for t in threads:
        while t.is_alive() and time.monotonic() < t_end + 2 * SOCK_TIMEOUT:
            t.join(0.1)
    with lock:
        fails = [r for r in results if r["error"]]
        out({"results": results, "ok": len(results) - len(fails), "failed": len(fails)})


def idnt_many(addr, port, count, conc):
    idnt_pool(addr, port, int(count), int(conc), 150)


def idnt_loop(addr, port, conc, seconds):
    idnt_pool(addr, port, 100000, int(conc), float(seconds))


def stable(addr, port, port0, count):
    port0, count = int(port0), int(count)
    rounds = [[idnt_one(addr, port, bind_port=port0 + i, abort=True) for i in range(count)]
              for _ in range(2)]
    out({"rounds": rounds})


def reset(addr, port):
    res = {"error": None, "errno": None, "errno_name": None, "received": 0}
    s = socket.create_connection((addr, int(port)), timeout=SOCK_TIMEOUT)
    try:
        s.settimeout(SOCK_TIMEOUT)
        s.sendall(b"RSET")
        for _ in range(100):
            chunk = s.recv(4096)
            if not chunk:
                res["error"] = "EOF (a FIN, not a reset)"
                break
            res["received"] += len(chunk)
    except OSError as e:
        res["error"] = repr(e)
        res["errno"] = e.errno
        res["errno_name"] = errno.errorcode.get(e.errno) if e.errno else None
    finally:
        s.close()
    out(res)


COMMANDS = {
    "backend": (lambda a, p, i: Backend(a, p, i).run(), 3),
    "idnt-many": (idnt_many, 4),
    "idnt-loop": (idnt_loop, 4),
    "stable": (stable, 4),
    "reset": (reset, 2),
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS or \
            len(sys.argv) - 2 != COMMANDS[sys.argv[1]][1]:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]][0](*sys.argv[2:])
    sys.stdout.flush()
    os._exit(0)  # do not wait for daemon threads
