#!/usr/bin/env python3
"""baozi vs Redis: throughput, CPU efficiency and memory per key.

Starts baozi ($BAOZI_SERVER, default build/baozi-server), Debian's
redis-server and the ping roofline (build/ping-roofline) side by side on free
loopback ports, then

1. runs redis-benchmark against each in alternation, one test at a time
   (`-t ping_mbulk,set,get,incr,mset`, 50 clients, `-P 1` and `-P 16`,
   `-r 100000`), reading every server's CPU time from /proc/<pid>/stat
   before and after each run, and prints requests/s and requests per
   CPU-second for each server with the baozi/redis ratios;
2. on fresh servers, loads 1,000,000 string keys (`key:N`, 16-byte values)
   through `redis-cli --pipe` and prints RSS (/proc) and used_memory (INFO)
   per key with the ratio.

The request count of each test is calibrated against Redis so that a run
takes about --seconds; every server then gets the same count.  See
bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")

TEST_NAMES = {
    "ping_mbulk": "PING_MBULK",
    "ping_inline": "PING_INLINE",
    "set": "SET",
    "get": "GET",
    "incr": "INCR",
    "mset": "MSET (10 keys)",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ping(port: int, proc: subprocess.Popen, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                if s.recv(64).startswith(b"+PONG"):
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"server on port {port} did not answer PING")


@dataclass
class Proc:
    name: str
    port: int
    proc: subprocess.Popen

    def cpu_seconds(self) -> float:
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def rss_bytes(self) -> int:
        with open(f"/proc/{self.proc.pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_server(name: str, binary: str, workdir: Path, redis_like: bool = True) -> Proc:
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    if redis_like:
        cmd = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
               "--dir", str(workdir)]
    else:
        cmd = [binary, str(port)]
    log = open(workdir / f"{name}.log", "wb")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            cwd=workdir, start_new_session=True)
    p = Proc(name, port, proc)
    try:
        wait_ping(port, proc)
    except RuntimeError:
        p.stop()
        sys.stderr.write((workdir / f"{name}.log").read_text(errors="replace")[-2000:])
        raise
    return p


def benchmark(tool: str, port: int, test: str, pipeline: int, clients: int, requests: int,
              keyspace: int) -> float:
    cmd = [tool, "-p", str(port), "-c", str(clients), "-P", str(pipeline), "-r", str(keyspace),
           "-n", str(requests), "-t", test, "--csv"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600,
                         stdin=subprocess.DEVNULL)
    want = TEST_NAMES[test]
    for line in out.stdout.splitlines():
        cells = [c.strip('"') for c in line.split('","')]
        if cells and cells[0] == want and len(cells) > 1:
            return float(cells[1])
    raise RuntimeError(f"no result for {test} on port {port}:\n{out.stdout}\n{out.stderr}")


def info_used_memory(cli: str, port: int) -> int:
    out = subprocess.run([cli, "-p", str(port), "info", "memory"], capture_output=True, text=True,
                         timeout=60, stdin=subprocess.DEVNULL).stdout
    m = re.search(r"^used_memory:(\d+)", out, re.M)
    if not m:
        raise RuntimeError(f"no used_memory in INFO memory on port {port}")
    return int(m.group(1))


def fmt_rate(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x / 1e3:,.0f}k" if x < 1e6 else f"{x / 1e6:,.2f}M"


def fmt_ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "-"
    return f"{a / b:.2f}x"


def run_throughput(servers: dict[str, Proc], opts) -> list[tuple]:
    rows = []
    tests = opts.tests.split(",")
    for pipeline in [int(p) for p in opts.pipelines.split(",")]:
        for test in tests:
            # Calibrate on Redis so each run takes about --seconds.
            probe = max(2000, opts.clients * 200)
            rps = benchmark(opts.redis_benchmark, servers["redis"].port, test, pipeline,
                            opts.clients, probe, opts.keyspace)
            n = max(10_000, int(rps * opts.seconds))
            results: dict[str, list[tuple[float, float]]] = {name: [] for name in servers}
            names = list(servers)
            for rnd in range(opts.rounds):
                order = names if rnd % 2 == 0 else names[::-1]
                for name in order:
                    s = servers[name]
                    cpu0 = s.cpu_seconds()
                    t0 = time.monotonic()
                    rps = benchmark(opts.redis_benchmark, s.port, test, pipeline, opts.clients, n,
                                    opts.keyspace)
                    wall = time.monotonic() - t0
                    cpu = s.cpu_seconds() - cpu0
                    per_cpu = n / cpu if cpu > 0 else float("nan")
                    results[name].append((rps, per_cpu))
                    if opts.verbose:
                        print(f"  {test} -P {pipeline} {name}: {rps:,.0f} rps, cpu {cpu:.2f}s,"
                              f" wall {wall:.2f}s", file=sys.stderr)
            med = {name: (statistics.median(r[0] for r in rs), statistics.median(r[1] for r in rs))
                   for name, rs in results.items()}
            rows.append((TEST_NAMES[test], pipeline, n, med))
            print_progress(rows[-1])
    return rows


def print_progress(row):
    test, pipeline, n, med = row
    parts = ", ".join(f"{k} {fmt_rate(v[0])} rps" for k, v in med.items())
    print(f"  done {test} -P {pipeline} (n={n}): {parts}", file=sys.stderr)


def print_throughput_table(rows, have_roofline: bool):
    head = ["test", "-P", "baozi rps", "redis rps", "ratio", "baozi rps/CPU-s",
            "redis rps/CPU-s", "ratio"]
    if have_roofline:
        head += ["roofline rps", "roofline rps/CPU-s"]
    lines = [head]
    for test, pipeline, _, med in rows:
        b, r = med["baozi"], med["redis"]
        line = [test, str(pipeline), fmt_rate(b[0]), fmt_rate(r[0]), fmt_ratio(b[0], r[0]),
                fmt_rate(b[1]), fmt_rate(r[1]), fmt_ratio(b[1], r[1])]
        if have_roofline:
            line += [fmt_rate(med["roofline"][0]), fmt_rate(med["roofline"][1])]
        lines.append(line)
    print_markdown(lines)


def print_markdown(lines):
    widths = [max(len(row[i]) for row in lines) for i in range(len(lines[0]))]
    out = []
    for k, row in enumerate(lines):
        out.append("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |")
        if k == 0:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    print("\n".join(out))


def write_load_file(path: Path, keys: int):
    with open(path, "wb") as f:
        chunk = []
        for i in range(keys):
            k = b"key:%d" % i
            v = b"val:%012d" % i  # 16 bytes, not an integer
            chunk.append(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$16\r\n%s\r\n" % (len(k), k, v))
            if len(chunk) == 10000:
                f.write(b"".join(chunk))
                chunk.clear()
        f.write(b"".join(chunk))


def run_memory(binaries: dict[str, str], opts, workdir: Path):
    load = workdir / "load.resp"
    write_load_file(load, opts.keys)
    results = {}
    for name in ("baozi", "redis"):
        s = start_server(f"{name}-mem", binaries[name], workdir / f"{name}-mem")
        try:
            time.sleep(0.2)
            rss0, used0 = s.rss_bytes(), info_used_memory(opts.redis_cli, s.port)
            with open(load, "rb") as f:
                out = subprocess.run([opts.redis_cli, "-p", str(s.port), "--pipe"], stdin=f,
                                     capture_output=True, text=True, timeout=1200)
            if "errors: 0" not in out.stdout:
                raise RuntimeError(f"{name}: redis-cli --pipe failed:\n{out.stdout}{out.stderr}")
            dbsize = subprocess.run([opts.redis_cli, "-p", str(s.port), "dbsize"],
                                    capture_output=True, text=True,
                                    stdin=subprocess.DEVNULL).stdout.strip()
            if dbsize != str(opts.keys):
                raise RuntimeError(f"{name}: DBSIZE {dbsize}, expected {opts.keys}")
            time.sleep(0.5)
            rss1, used1 = s.rss_bytes(), info_used_memory(opts.redis_cli, s.port)
            results[name] = (rss1, used1, (rss1 - rss0) / opts.keys, (used1 - used0) / opts.keys)
        finally:
            s.stop()
    lines = [["", "baozi", "redis", "baozi/redis"]]
    b, r = results["baozi"], results["redis"]
    lines.append(["RSS after load", f"{b[0] / 2**20:,.1f} MiB", f"{r[0] / 2**20:,.1f} MiB",
                  fmt_ratio(b[0], r[0])])
    lines.append(["used_memory after load", f"{b[1] / 2**20:,.1f} MiB",
                  f"{r[1] / 2**20:,.1f} MiB", fmt_ratio(b[1], r[1])])
    lines.append(["RSS per key", f"{b[2]:.1f} B", f"{r[2]:.1f} B", fmt_ratio(b[2], r[2])])
    lines.append(["used_memory per key", f"{b[3]:.1f} B", f"{r[3]:.1f} B",
                  fmt_ratio(b[3], r[3])])
    print(f"\nMemory: {opts.keys:,} keys `key:N` with 16-byte values "
          "(per key = growth over the empty server / keys)\n")
    print_markdown(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--baozi", default=os.environ.get("BAOZI_SERVER",
                                                     str(REPO / "build" / "baozi-server")))
    ap.add_argument("--redis", default=os.environ.get("REDIS_ORACLE", "/usr/bin/redis-server"))
    ap.add_argument("--roofline", default=str(REPO / "build" / "ping-roofline"),
                    help="ping-roofline binary; skipped if missing")
    ap.add_argument("--tests", default="ping_mbulk,set,get,incr,mset")
    ap.add_argument("--pipelines", default="1,16")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--keyspace", type=int, default=100_000, help="redis-benchmark -r")
    ap.add_argument("--seconds", type=float, default=3.0, help="target length of one run")
    ap.add_argument("--rounds", type=int, default=1, help="runs per server per test (median)")
    ap.add_argument("--keys", type=int, default=1_000_000, help="keys for the memory test")
    ap.add_argument("--quick", action="store_true",
                    help="short runs: --seconds 0.5, --keys 100000")
    ap.add_argument("--skip-throughput", action="store_true")
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--verbose", "-v", action="store_true")
    opts = ap.parse_args()
    if opts.quick:
        opts.seconds = min(opts.seconds, 0.5)
        opts.keys = min(opts.keys, 100_000)
    opts.redis_benchmark = shutil.which("redis-benchmark") or "/usr/bin/redis-benchmark"
    opts.redis_cli = shutil.which("redis-cli") or "/usr/bin/redis-cli"

    # Servers run with their work directory as cwd: make the paths absolute.
    opts.baozi, opts.redis, opts.roofline = (
        str(Path(p).absolute()) for p in (opts.baozi, opts.redis, opts.roofline))
    for label, path in (("baozi", opts.baozi), ("redis", opts.redis)):
        if not Path(path).exists():
            print(f"{label} binary {path} not found", file=sys.stderr)
            return 2
    binaries = {"baozi": opts.baozi, "redis": opts.redis}

    with tempfile.TemporaryDirectory(prefix="baozi-bench-") as tmp:
        workdir = Path(tmp)
        print(f"baozi: {opts.baozi}\nredis: {opts.redis}\nmachine: {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.2f}\n")
        if not opts.skip_throughput:
            servers: dict[str, Proc] = {}
            try:
                servers["baozi"] = start_server("baozi", opts.baozi, workdir / "baozi")
                servers["redis"] = start_server("redis", opts.redis, workdir / "redis")
                have_roofline = Path(opts.roofline).exists()
                if have_roofline:
                    servers["roofline"] = start_server("roofline", opts.roofline,
                                                       workdir / "roofline", redis_like=False)
                rows = run_throughput(servers, opts)
            finally:
                for s in servers.values():
                    s.stop()
            print(f"\nThroughput: redis-benchmark -c {opts.clients} -r {opts.keyspace}, "
                  f"one test per run, median of {opts.rounds} round(s)\n")
            print_throughput_table(rows, have_roofline)
        if not opts.skip_memory:
            run_memory(binaries, opts, workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
