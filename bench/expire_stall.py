#!/usr/bin/python3
"""Mass expiry stall: baozi against redis-server, one after the other in one run.

For each server: load N string keys (pipelined SET), then give every one of them a deadline
inside the same window (pipelined PEXPIREAT, deadlines spread uniformly over --window-ms,
the window starting after the load is surely done).  From just before the window until
DBSIZE reaches 0, one connection runs a PING loop (one request in flight, a 1 ms pause
between requests) and records each round trip, while another polls DBSIZE every 5 ms.

Reported per server: PING round trip max / p99.9 / p99 / median during the expiry, how long
after the first deadline and after the last one DBSIZE reached 0, the keys still there
one second after the last deadline, and the server CPU seconds spent meanwhile (from
/proc); then baozi/redis ratios (lower is better everywhere).

    /usr/bin/python3 bench/expire_stall.py             # 1,000,000 keys in one second
    /usr/bin/python3 bench/expire_stall.py --quick     # 200,000 keys

Redis expires by sampling (hz 10, at most ~25% of a core in its slow cycle), so it may
take many seconds to reach DBSIZE 0; --timeout bounds the wait (a run that hits it prints
how many keys were left).
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare import add_server_args, fmt_ratio, start_server  # noqa: E402


class Conn:
    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def close(self):
        self.sock.close()

    def line(self) -> bytes:
        while b"\r\n" not in self.buf:
            data = self.sock.recv(1 << 16)
            if not data:
                raise ConnectionError("server closed the connection")
            self.buf += data
        out, self.buf = self.buf.split(b"\r\n", 1)
        return out

    def call(self, *args) -> bytes:
        self.sock.sendall(encode(*args))
        return self.line()

    def info_field(self, section: str, field: str) -> str:
        self.sock.sendall(encode(b"INFO", section.encode()))
        n = int(self.line()[1:])
        while len(self.buf) < n + 2:
            self.buf += self.sock.recv(1 << 16)
        text, self.buf = self.buf[:n], self.buf[n + 2:]
        for ln in text.decode().splitlines():
            if ln.startswith(field + ":"):
                return ln.split(":", 1)[1]
        raise KeyError(field)

    def server_ms(self) -> int:
        self.sock.sendall(encode(b"TIME"))
        self.line()  # *2
        self.line()
        sec = int(self.line())
        self.line()
        usec = int(self.line())
        return sec * 1000 + usec // 1000

    def pipeline_exact(self, payload: bytes, reply: bytes, count: int):
        """Sends `payload` and reads `count` copies of `reply` (one per command)."""
        want = len(reply) * count
        self.sock.sendall(payload)
        got = bytearray(self.buf)
        self.buf = b""
        while len(got) < want:
            data = self.sock.recv(1 << 20)
            if not data:
                raise ConnectionError("server closed the connection while loading")
            got += data
        if bytes(got[:want]) != reply * count:
            i = next(i for i in range(0, want, len(reply)) if got[i:i + len(reply)] != reply)
            raise RuntimeError(f"unexpected reply while loading: {bytes(got[i:i + 80])!r}")
        self.buf = bytes(got[want:])


def encode(*args: bytes) -> bytes:
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def load(conn: Conn, n: int, chunk: int = 20000) -> float:
    t = time.perf_counter()
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        payload = b"".join(b"*3\r\n$3\r\nSET\r\n$%d\r\nexp:%d\r\n$16\r\nvvvvvvvvvvvvvvvv\r\n"
                           % (len(b"exp:%d" % i), i) for i in range(lo, hi))
        conn.pipeline_exact(payload, b"+OK\r\n", hi - lo)
    return time.perf_counter() - t


def set_deadlines(conn: Conn, n: int, t0: int, window: int, seed: int, chunk: int = 20000):
    rng = random.Random(seed)
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        parts = []
        for i in range(lo, hi):
            k = b"exp:%d" % i
            when = b"%d" % (t0 + rng.randrange(window))
            parts.append(b"*3\r\n$9\r\nPEXPIREAT\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n"
                         % (len(k), k, len(when), when))
        conn.pipeline_exact(b"".join(parts), b":1\r\n", hi - lo)


def run_server(name: str, binary: str, workdir: Path, opts) -> dict:
    proc = start_server(name, binary, workdir)
    try:
        cmd, ping, poll = Conn(proc.port), Conn(proc.port), Conn(proc.port)
        load_s = load(cmd, opts.keys)
        # PEXPIREAT costs about what SET did; start the window well after it is done.
        t0 = cmd.server_ms() + int(load_s * 1500) + 1000
        set_deadlines(cmd, opts.keys, t0, opts.window_ms, opts.seed)
        ready = cmd.server_ms()
        if ready >= t0 - 100:
            raise RuntimeError(f"{name}: setting the deadlines ran into the window; "
                               f"the machine is too loaded")
        assert int(cmd.call(b"DBSIZE")[1:]) == opts.keys
        mem_loaded = int(cmd.info_field("memory", "used_memory"))
        expired0 = int(cmd.info_field("stats", "expired_keys"))
        while time.time() * 1000 < t0 - 200:
            time.sleep(0.01)
        cpu0 = proc.cpu_seconds()
        lat: list[float] = []
        last = t0 + opts.window_ms
        left_after_1s = None
        gone_ms = None
        next_poll = 0.0
        while True:
            now = time.time() * 1000
            s = time.perf_counter()
            if ping.call(b"PING") != b"+PONG":
                raise RuntimeError(f"{name}: bad PING reply")
            lat.append((time.perf_counter() - s) * 1000)
            if now >= next_poll:
                next_poll = now + 5
                size = int(poll.call(b"DBSIZE")[1:])
                if left_after_1s is None and now >= last + 1000:
                    left_after_1s = size
                if size == 0 and now >= t0:
                    gone_ms = time.time() * 1000
                    break
                if now > last + opts.timeout * 1000:
                    left_after_1s = size if left_after_1s is None else left_after_1s
                    break
            time.sleep(0.001)
        cpu = proc.cpu_seconds() - cpu0
        expired = int(cmd.info_field("stats", "expired_keys")) - expired0
        mem_after = int(cmd.info_field("memory", "used_memory"))
        left = int(cmd.call(b"DBSIZE")[1:])
        for c in (cmd, ping, poll):
            c.close()
    finally:
        proc.stop()
    lat.sort()

    def pct(p):
        return lat[min(len(lat) - 1, int(len(lat) * p))]

    return {
        "load_s": load_s,
        "max": lat[-1], "p999": pct(0.999), "p99": pct(0.99), "p50": statistics.median(lat),
        "pings": len(lat),
        "gone_after_first": (gone_ms - t0) if gone_ms else None,
        "gone_after_last": (gone_ms - last) if gone_ms else None,
        "left_after_1s": left_after_1s if left_after_1s is not None else 0,
        "left": left, "expired": expired, "cpu": cpu,
        "mem_loaded": mem_loaded, "mem_after": mem_after,
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    add_server_args(ap)
    ap.add_argument("--keys", type=int, default=1_000_000)
    ap.add_argument("--quick", action="store_true", help="200,000 keys")
    ap.add_argument("--window-ms", type=int, default=1000,
                    help="every deadline falls inside this window")
    ap.add_argument("--timeout", type=float, default=60.0,
                    help="seconds after the last deadline to wait for DBSIZE 0")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", choices=["baozi", "redis"], help="run one server only")
    opts = ap.parse_args()
    if opts.quick:
        opts.keys = 200_000
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, binary in (("baozi", opts.baozi), ("redis", opts.redis)):
            if opts.only and opts.only != name:
                continue
            results[name] = run_server(name, binary, Path(tmp) / name, opts)

    def ms(x):
        return "-" if x is None else f"{x:,.1f} ms"

    rows = [
        ("PING max", "max", ms), ("PING p99.9", "p999", ms), ("PING p99", "p99", ms),
        ("PING median", "p50", ms),
        ("DBSIZE 0, after first deadline", "gone_after_first", ms),
        ("DBSIZE 0, after last deadline", "gone_after_last", ms),
        ("keys left 1 s after last deadline", "left_after_1s", lambda x: f"{x:,}"),
        ("server CPU during expiry", "cpu", lambda x: f"{x:.2f} s"),
    ]
    names = list(results)
    print(f"{opts.keys:,} keys, deadlines spread over {opts.window_ms} ms; "
          f"PINGs: " + ", ".join(f"{n} {results[n]['pings']:,}" for n in names))
    head = ["", *names] + (["baozi/redis"] if len(names) == 2 else [])
    table = [head]
    for label, key, fmt in rows:
        line = [label, *[fmt(results[n][key]) for n in names]]
        if len(names) == 2:
            line.append(fmt_ratio(results["baozi"][key], results["redis"][key]))
        table.append(line)
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]
    for r in table:
        print("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r,
                                                                                   widths))))
    for n in names:
        r = results[n]
        note = "" if r["left"] == 0 else f"; {r['left']:,} keys still there at the end"
        print(f"{n}: expired_keys +{r['expired']:,}, used_memory {r['mem_loaded'] / 2**20:,.1f}"
              f" MiB loaded -> {r['mem_after'] / 2**20:,.1f} MiB after{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
