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
   per key with the ratio;
3. runs the collection commands the same way (`--collection-tests`
   lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100,lrange_600):
   every run starts from FLUSHALL, the pops get their key prefilled with as
   many elements as the run pops (at most --pop-cap), and the LRANGE rows run
   `LRANGE mylist 0 99|599` on a prefilled 600-element list so that the
   LPUSH redis-benchmark would do first stays out of the CPU figures;
4. on a fresh server pair per dataset, loads --collection-elements
   (1,000,000) elements as 100-field hashes, 1,000-member sorted sets and
   1,000-element lists over a raw pipelined socket and prints used_memory
   growth per element with the ratio.

The request count of each test is calibrated against Redis so that a run
takes about --seconds; every server then gets the same count.  See
bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import random
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
    "lpush": "LPUSH",
    "rpush": "RPUSH",
    "lpop": "LPOP",
    "rpop": "RPOP",
    "sadd": "SADD",
    "hset": "HSET",
    "spop": "SPOP",
    "zadd": "ZADD",
    "zpopmin": "ZPOPMIN",
    "lrange_100": "LRANGE_100 (first 100 elements)",
    "lrange_300": "LRANGE_300 (first 300 elements)",
    "lrange_500": "LRANGE_500 (first 500 elements)",
    "lrange_600": "LRANGE_600 (first 600 elements)",
}

COLLECTION_TESTS = "lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100,lrange_600"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def add_server_args(ap: argparse.ArgumentParser):
    """--baozi and --redis, the two binaries every benchmark here compares."""
    ap.add_argument("--baozi", default=os.environ.get("BAOZI_SERVER",
                                                     str(REPO / "build" / "baozi-server")))
    ap.add_argument("--redis", default=os.environ.get("REDIS_ORACLE", "/usr/bin/redis-server"))


def stop_process(proc: subprocess.Popen):
    """SIGTERM, then SIGKILL if the server has not exited within 10 s."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


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
        stop_process(self.proc)


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
              keyspace: int, custom: list[str] | None = None) -> float:
    """requests/s of one redis-benchmark run: `-t test`, or the `custom` command when given
    (redis-benchmark then names the row after the command line)."""
    cmd = [tool, "-p", str(port), "-c", str(clients), "-P", str(pipeline), "-r", str(keyspace),
           "-n", str(requests), "--csv"]
    cmd += custom if custom else ["-t", test]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600,
                         stdin=subprocess.DEVNULL)
    want = " ".join(custom) if custom else TEST_NAMES[test]
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

# ---- Collections -----------------------------------------------------------------------------


def resp(*args: bytes | str) -> bytes:
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class RawClient:
    """A minimal RESP client for bulk loads: sends commands in large batches and reads back
    (and checks) one reply per command, so neither side ever waits on the other for long."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=600)
        self.buf = bytearray()
        self.pos = 0

    def close(self):
        self.sock.close()

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise RuntimeError("server closed the connection")
        if self.pos > (1 << 20):
            del self.buf[:self.pos]
            self.pos = 0
        self.buf += chunk

    def _line(self) -> bytes:
        while True:
            end = self.buf.find(b"\r\n", self.pos)
            if end >= 0:
                line = bytes(self.buf[self.pos:end])
                self.pos = end + 2
                return line
            self._fill()

    def reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"-":
            raise RuntimeError(f"server error: {rest.decode(errors='replace')[:120]}")
        if kind == b":":
            return int(rest)
        if kind == b"+":
            return rest.decode()
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) - self.pos < n + 2:
                self._fill()
            data = bytes(self.buf[self.pos:self.pos + n])
            self.pos += n + 2
            return data
        if kind in (b"*", b"~", b"%"):
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n * (2 if kind == b"%" else 1))]
        raise RuntimeError(f"unexpected reply line {line[:80]!r}")

    def call(self, *args):
        self.sock.sendall(resp(*args))
        return self.reply()

    def pipeline(self, commands, batch_bytes: int = 4 << 20) -> list:
        """Sends an iterable of encoded commands; returns every reply (errors raise)."""
        replies, batch, size = [], [], 0
        for c in commands:
            batch.append(c)
            size += len(c)
            if size >= batch_bytes:
                self.sock.sendall(b"".join(batch))
                replies += [self.reply() for _ in batch]
                batch, size = [], 0
        if batch:
            self.sock.sendall(b"".join(batch))
            replies += [self.reply() for _ in batch]
        return replies


def chunked(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


# The payload redis-benchmark pushes by default (-d 3) and its member names.
BENCH_DATA = b"xxx"


def bench_member(i: int) -> bytes:
    return b"element:%012d" % i


def prefill_commands(test: str, n: int) -> list[bytes]:
    """What a collection test needs before it runs: the key its pops take from, holding as many
    elements as the run pops, or the 600-element list the LRANGE rows read."""
    if test in ("lpop", "rpop"):
        return [resp(b"RPUSH", b"mylist", *([BENCH_DATA] * len(c)))
                for c in chunked(range(n), 1000)]
    if test == "spop":
        return [resp(b"SADD", b"myset", *(bench_member(i) for i in c))
                for c in chunked(range(n), 1000)]
    if test == "zpopmin":
        return [resp(b"ZADD", b"myzset", *(x for i in c for x in (b"%d" % i, bench_member(i))))
                for c in chunked(range(n), 1000)]
    if test.startswith("lrange_"):
        return [resp(b"RPUSH", b"mylist", *([BENCH_DATA] * 600))]
    return []


def lrange_custom(test: str) -> list[str] | None:
    if not test.startswith("lrange_"):
        return None
    return ["LRANGE", "mylist", "0", str(int(test.split("_")[1]) - 1)]


def prepare(port: int, test: str, n: int):
    c = RawClient(port)
    try:
        c.call("FLUSHALL")
        c.pipeline(prefill_commands(test, n))
    except RuntimeError as e:  # a server without the command: the row shows what it does
        print(f"  warning: prefill for {test} on port {port} failed: {e}", file=sys.stderr)
    finally:
        c.close()


def run_collection_throughput(servers: dict[str, Proc], opts) -> list[tuple]:
    """The collection rows: same calibration, alternation and CPU accounting as
    run_throughput, with a FLUSHALL (and the prefill the test needs) before every run."""
    rows = []
    tests = [t for t in opts.collection_tests.split(",") if t]
    for t in tests:
        if t not in TEST_NAMES:
            raise SystemExit(f"unknown collection test {t}")
    pops = ("lpop", "rpop", "spop", "zpopmin")
    for pipeline in [int(p) for p in opts.pipelines.split(",")]:
        for test in tests:
            custom = lrange_custom(test)
            probe = max(2000, opts.clients * 200)
            prepare(servers["redis"].port, test, probe)
            rps = benchmark(opts.redis_benchmark, servers["redis"].port, test, pipeline,
                            opts.clients, probe, opts.keyspace, custom)
            n = max(10_000, int(rps * opts.seconds))
            if test in pops:
                n = min(n, max(opts.pop_cap, 10_000))
            results: dict[str, list[tuple[float, float]]] = {name: [] for name in servers}
            names = list(servers)
            failed: set[str] = set()
            for rnd in range(opts.rounds):
                order = names if rnd % 2 == 0 else names[::-1]
                for name in order:
                    s = servers[name]
                    prepare(s.port, test, n)
                    cpu0 = s.cpu_seconds()
                    t0 = time.monotonic()
                    try:
                        rps = benchmark(opts.redis_benchmark, s.port, test, pipeline,
                                        opts.clients, n, opts.keyspace, custom)
                    except RuntimeError as e:  # e.g. the command is missing: row shows "-"
                        print(f"  {test} -P {pipeline} {name}: FAILED: "
                              f"{str(e).strip().splitlines()[-1]}", file=sys.stderr)
                        failed.add(name)
                        continue
                    wall = time.monotonic() - t0
                    cpu = s.cpu_seconds() - cpu0
                    per_cpu = n / cpu if cpu > 0 else float("nan")
                    results[name].append((rps, per_cpu))
                    if opts.verbose:
                        print(f"  {test} -P {pipeline} {name}: {rps:,.0f} rps, cpu {cpu:.2f}s,"
                              f" wall {wall:.2f}s", file=sys.stderr)
            med = {name: (None, None) if name in failed or not rs else
                   (statistics.median(r[0] for r in rs), statistics.median(r[1] for r in rs))
                   for name, rs in results.items()}
            rows.append((TEST_NAMES[test], pipeline, n, med))
            print_progress(rows[-1])
    for s in servers.values():
        prepare(s.port, "", 0)  # leave the servers empty
    return rows


@dataclass
class Dataset:
    label: str
    keys: int
    per_key: int
    check: str  # the length command (HLEN, ZCARD, LLEN)

    def commands(self):
        """One variadic command per key (HSET/ZADD/RPUSH with every element at once)."""
        rng = random.Random(1)
        for k in range(self.keys):
            if self.check == "HLEN":
                args = [b"HSET", b"hash:%d" % k]
                for f in range(self.per_key):
                    args += [b"field:%d" % f, b"v:%d" % rng.randrange(10**7)]
            elif self.check == "ZCARD":
                args = [b"ZADD", b"zset:%d" % k]
                for m in range(self.per_key):
                    args += [b"%.6f" % (rng.random() * 1000), b"member:%d" % m]
            else:
                args = [b"RPUSH", b"list:%d" % k]
                args += [b"element:%d" % (k * self.per_key + e) for e in range(self.per_key)]
            yield resp(*args)

    @property
    def sample_key(self) -> bytes:
        return {"HLEN": b"hash:0", "ZCARD": b"zset:0", "LLEN": b"list:0"}[self.check]


def collection_datasets(elements: int) -> list[Dataset]:
    return [
        Dataset(f"hash ({max(1, elements // 100):,} keys x 100 fields)",
                max(1, elements // 100), 100, "HLEN"),
        Dataset(f"zset ({max(1, elements // 1000):,} keys x 1,000 members)",
                max(1, elements // 1000), 1000, "ZCARD"),
        Dataset(f"list ({max(1, elements // 1000):,} keys x 1,000 elements)",
                max(1, elements // 1000), 1000, "LLEN"),
    ]


def load_dataset(port: int, ds: Dataset) -> str:
    """Loads the dataset, checks it, and returns the sample key's OBJECT ENCODING."""
    c = RawClient(port)
    try:
        replies = c.pipeline(ds.commands())
        if replies and replies[0] != ds.per_key:
            raise RuntimeError(f"{ds.label}: first load command answered {replies[0]!r}")
    finally:
        c.close()  # its query buffer would otherwise count in used_memory
    c = RawClient(port)
    try:
        dbsize = c.call("DBSIZE")
        length = c.call(ds.check, ds.sample_key)
        try:
            enc = c.call("OBJECT", "ENCODING", ds.sample_key)
            enc = enc.decode() if isinstance(enc, bytes) else str(enc)
        except RuntimeError:
            enc = "?"
    finally:
        c.close()
    if dbsize != ds.keys or length != ds.per_key:
        raise RuntimeError(f"{ds.label}: DBSIZE {dbsize} (want {ds.keys}), {ds.check} "
                           f"{length} (want {ds.per_key})")
    return enc


def run_collection_memory(binaries: dict[str, str], opts, workdir: Path):
    lines = [["dataset", "elements", "baozi B/elem", "redis B/elem", "baozi/redis",
              "encoding baozi/redis"]]
    for i, ds in enumerate(collection_datasets(opts.collection_elements)):
        elements = ds.keys * ds.per_key
        per_elem, enc = {}, {}
        for name in ("baozi", "redis"):
            s = start_server(f"{name}-coll{i}", binaries[name], workdir / f"{name}-coll{i}")
            try:
                time.sleep(0.2)
                used0 = info_used_memory(opts.redis_cli, s.port)
                t0 = time.monotonic()
                enc[name] = load_dataset(s.port, ds)
                load_s = time.monotonic() - t0
                time.sleep(0.3)
                used1 = info_used_memory(opts.redis_cli, s.port)
                per_elem[name] = (used1 - used0) / elements
                if opts.verbose:
                    print(f"  {ds.label} {name}: loaded in {load_s:.1f}s, used_memory "
                          f"{used0:,} -> {used1:,}", file=sys.stderr)
            except (RuntimeError, OSError) as e:  # keep the other rows
                print(f"  {ds.label} {name}: FAILED: {e}", file=sys.stderr)
                per_elem[name], enc[name] = None, "failed"
            finally:
                s.stop()
        b, r = per_elem["baozi"], per_elem["redis"]
        fb = "-" if b is None else f"{b:.1f} B"
        fr = "-" if r is None else f"{r:.1f} B"
        lines.append([ds.label, f"{elements:,}", fb, fr, fmt_ratio(b, r),
                      f"{enc['baozi']}/{enc['redis']}"])
        print(f"  done {ds.label}: baozi {fb}/elem, redis {fr}/elem", file=sys.stderr)
    print("\nMemory, collections: used_memory growth over the empty server / elements "
          "(fresh server pair per dataset; target baozi/redis <= 1.00)\n")
    print_markdown(lines)



def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    add_server_args(ap)
    ap.add_argument("--roofline", default=str(REPO / "build" / "ping-roofline"),
                    help="ping-roofline binary; skipped if missing")
    ap.add_argument("--tests", default="ping_mbulk,set,get,incr,mset")
    ap.add_argument("--pipelines", default="1,16")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--keyspace", type=int, default=100_000, help="redis-benchmark -r")
    ap.add_argument("--seconds", type=float, default=3.0, help="target length of one run")
    ap.add_argument("--rounds", type=int, default=1, help="runs per server per test (median)")
    ap.add_argument("--keys", type=int, default=1_000_000, help="keys for the memory test")
    ap.add_argument("--collection-tests", default=COLLECTION_TESTS,
                    help="redis-benchmark collection tests ('' to skip)")
    ap.add_argument("--pop-cap", type=int, default=1_000_000,
                    help="most elements prefilled (and popped) in one lpop/rpop/spop/zpopmin run")
    ap.add_argument("--collection-elements", type=int, default=1_000_000,
                    help="elements per dataset in the collections memory test")
    ap.add_argument("--quick", action="store_true",
                    help="short runs: --seconds 0.5, --keys 100000, --collection-elements "
                         "100000, --pop-cap 200000")
    ap.add_argument("--skip-throughput", action="store_true",
                    help="skip every redis-benchmark row (strings and collections)")
    ap.add_argument("--skip-memory", action="store_true",
                    help="skip both memory tests (string keys and collections)")
    ap.add_argument("--skip-collections", action="store_true",
                    help="skip the collection rows and the collections memory test")
    ap.add_argument("--verbose", "-v", action="store_true")
    opts = ap.parse_args()
    if opts.quick:
        opts.seconds = min(opts.seconds, 0.5)
        opts.keys = min(opts.keys, 100_000)
        opts.collection_elements = min(opts.collection_elements, 100_000)
        opts.pop_cap = min(opts.pop_cap, 200_000)
    if opts.skip_collections:
        opts.collection_tests = ""
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
                rows = run_throughput(servers, opts) if opts.tests else []
                coll_rows = []
                if opts.collection_tests:
                    # The roofline only answers PONG: no collection rows for it.
                    coll_rows = run_collection_throughput(
                        {k: v for k, v in servers.items() if k != "roofline"}, opts)
            finally:
                for s in servers.values():
                    s.stop()
            if rows:
                print(f"\nThroughput: redis-benchmark -c {opts.clients} -r {opts.keyspace}, "
                      f"one test per run, median of {opts.rounds} round(s)\n")
                print_throughput_table(rows, have_roofline)
            if coll_rows:
                print(f"\nThroughput, collections: redis-benchmark -c {opts.clients} "
                      f"-r {opts.keyspace}, FLUSHALL + prefill before each run (pops: N "
                      f"elements, N <= {opts.pop_cap:,}; LRANGE: a 600-element list), median of "
                      f"{opts.rounds} round(s)\n")
                print_throughput_table(coll_rows, False)
        if not opts.skip_memory:
            run_memory(binaries, opts, workdir)
            if not opts.skip_collections:
                run_collection_memory(binaries, opts, workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
