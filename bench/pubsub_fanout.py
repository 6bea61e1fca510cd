#!/usr/bin/python3
"""Pub/sub fan-out: baozi against redis-server, side by side in one run.

N subscribers (raw sockets, one process, drained with epoll) subscribe to one
channel; a publisher pipelines M PUBLISHes of a P-byte payload. A run ends when
every subscriber has received every message. Reported per server: the server's
own CPU time per delivered message (from /proc, so the Python drain loop does
not count) and the wall time, then baozi/redis ratios. Lower is better for both.

    /usr/bin/python3 bench/pubsub_fanout.py --subscribers 9000 --messages 50 --payload 256
"""

import argparse
import os
import select
import socket
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare import add_server_args, start_server  # noqa: E402


def resp(*args: bytes) -> bytes:
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def subscribe_all(port: int, n: int) -> list[socket.socket]:
    confirm = len(resp(b"subscribe", b"ch")) + len(b":1\r\n") - len(b"*2\r\n") + len(b"*3\r\n")
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(resp(b"SUBSCRIBE", b"ch"))
        socks.append(s)
    for s in socks:
        got = b""
        while len(got) < confirm:
            got += s.recv(4096)
        s.setblocking(False)
    return socks


def run_once(proc, subscribers: int, messages: int, payload: int) -> tuple[float, float]:
    socks = subscribe_all(proc.port, subscribers)
    frame = resp(b"message", b"ch", b"x" * payload)
    want = len(frame) * messages
    got = {s.fileno(): 0 for s in socks}
    ep = select.epoll()
    for s in socks:
        ep.register(s.fileno(), select.EPOLLIN)
    by_fd = {s.fileno(): s for s in socks}
    pub = socket.create_connection(("127.0.0.1", proc.port))
    cmd = resp(b"PUBLISH", b"ch", b"x" * payload) * messages
    cpu0 = proc.cpu_seconds()
    t0 = time.perf_counter()
    pub.sendall(cmd)
    done = 0
    while done < subscribers:
        for fd, _ in ep.poll(5):
            while True:
                try:
                    data = by_fd[fd].recv(1 << 20)
                except BlockingIOError:
                    break
                if not data:
                    raise RuntimeError("subscriber disconnected (output buffer limit?)")
                got[fd] += len(data)
                if got[fd] == want:
                    done += 1
                    ep.unregister(fd)
                    break
    wall = time.perf_counter() - t0
    cpu = proc.cpu_seconds() - cpu0
    ep.close()
    for s in socks:
        s.close()
    pub.close()
    return cpu / (subscribers * messages), wall


def main() -> int:
    ap = argparse.ArgumentParser()
    add_server_args(ap)
    ap.add_argument("--subscribers", type=int, default=9000)
    ap.add_argument("--messages", type=int, default=50)
    ap.add_argument("--payload", type=int, default=256)
    ap.add_argument("--rounds", type=int, default=3, help="runs per server (best kept)")
    opts = ap.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, binary in (("baozi", opts.baozi), ("redis", opts.redis)):
            proc = start_server(name, binary, Path(tmp) / name)
            try:
                runs = [run_once(proc, opts.subscribers, opts.messages, opts.payload)
                        for _ in range(opts.rounds)]
            finally:
                proc.stop()
            results[name] = (min(r[0] for r in runs), min(r[1] for r in runs))
    print(f"{opts.subscribers} subscribers x {opts.messages} messages of {opts.payload} bytes")
    print(f"{'':8} {'server CPU/delivery':>20} {'wall':>10}")
    for name, (cpu, wall) in results.items():
        print(f"{name:8} {cpu * 1e9:>17.0f} ns {wall:>9.3f}s")
    b, r = results["baozi"], results["redis"]
    print(f"ratio baozi/redis: CPU {b[0] / r[0]:.2f}x, wall {b[1] / r[1]:.2f}x (lower is better)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
