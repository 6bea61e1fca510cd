#!/usr/bin/env python3
"""RDB snapshots: baozi vs Redis on the same dataset.

Builds one dataset of --keys keys (default 1,000,000) of mixed types and
encodings, loads it into baozi ($BAOZI_SERVER, default build/baozi-server) and
Debian's redis-server through `redis-cli --pipe`, then for each server:

  * SAVE: wall time of the command (the loop writes the file itself), and the
    size of the dump.rdb it wrote;
  * BGSAVE: wall time from the command until INFO says the child is done
    (polled every 5 ms), with the copy-on-write size the server reports;
  * start-up load: the server is stopped and started again on its own file;
    the time from exec to the first PONG (the load happens before the server
    accepts connections, in both), and the "DB loaded from disk" time each
    logs;
  * cross-load: each starts on the other's file of the same round, and DEBUG
    DIGEST must equal the digest of the dataset as loaded (the files carry the
    same data).

Every measurement is repeated --rounds times (default 3) on fresh processes
and the median is printed with the baozi/redis ratio (lower is better for
time and size). Both servers run with --save '' --appendonly no and
rdbcompression yes (the default). The dataset:

  * 55% strings: a third integers, a third 16-byte values, a third 200-byte
    values that LZF compresses;
  * 15% small hashes (5 fields: listpack), 10% small lists (10 elements:
    one listpack node), 5% small integer sets (intset), 5% small string sets
    (hashtable), 10% small sorted sets (5 members: listpack);
  * plus 200 big keys of each collection type (1,000 elements each:
    hashtable, quicklist of several nodes, hashtable set, skiplist);
  * 10% of all keys carry a TTL an hour away.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from compare import (CLK_TCK, add_server_args, free_port, print_markdown, resp, stop_process,
                     wait_ping)

BIG_KEYS_PER_TYPE = 200
BIG_ELEMENTS = 1000


def write_dataset(path: Path, keys: int, seed: int):
    rng = random.Random(seed)
    out: list[bytes] = []
    with open(path, "wb") as f:
        def flush(force=False):
            if force or len(out) >= 5000:
                f.write(b"".join(out))
                out.clear()

        for i in range(keys):
            r = rng.random()
            k = f"k:{i}"
            if r < 0.55:
                kind = i % 3
                if kind == 0:
                    v = str(rng.randrange(-10**9, 10**12))
                elif kind == 1:
                    v = f"v{i:015d}"
                else:
                    v = ("payload-%d-" % (i % 97)) * 20
                    v = v[:200]
                out.append(resp("SET", k, v))
            elif r < 0.70:
                args = ["HSET", k]
                for j in range(5):
                    args += [f"field{j}", f"value-{i}-{j}"]
                out.append(resp(*args))
            elif r < 0.80:
                out.append(resp("RPUSH", k, *[f"item-{i}-{j}" for j in range(10)]))
            elif r < 0.85:
                out.append(resp("SADD", k, *[str(i * 7 + j) for j in range(5)]))
            elif r < 0.90:
                out.append(resp("SADD", k, *[f"m-{i}-{j}" for j in range(5)]))
            else:
                args = ["ZADD", k]
                for j in range(5):
                    args += [repr(rng.random() * 1000), f"z-{i}-{j}"]
                out.append(resp(*args))
            if rng.random() < 0.10:
                out.append(resp("EXPIRE", k, "3600"))
            flush()
        for t in range(BIG_KEYS_PER_TYPE):
            for kind in ("hash", "list", "set", "zset"):
                k = f"big:{kind}:{t}"
                for start in range(0, BIG_ELEMENTS, 100):
                    rng_part = range(start, start + 100)
                    if kind == "hash":
                        args = ["HSET", k]
                        for j in rng_part:
                            args += [f"f{j}", f"value-{t}-{j}"]
                    elif kind == "list":
                        args = ["RPUSH", k] + [f"element-{t}-{j}" for j in rng_part]
                    elif kind == "set":
                        args = ["SADD", k] + [f"member-{t}-{j}" for j in rng_part]
                    else:
                        args = ["ZADD", k]
                        for j in rng_part:
                            args += [str(j * 1.5), f"member-{t}-{j}"]
                    out.append(resp(*args))
                flush()
        flush(force=True)


class Server:
    def __init__(self, name: str, binary: str, workdir: Path):
        self.name, self.binary, self.workdir = name, binary, workdir
        self.port = 0
        self.proc: subprocess.Popen | None = None
        workdir.mkdir(parents=True, exist_ok=True)

    def start(self, *extra: str) -> float:
        """Starts the server (`extra` overrides the defaults: later arguments win); returns
        seconds from exec to the first PONG."""
        self.port = free_port()
        cmd = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--dir", str(self.workdir), "--enable-debug-command", "yes",
               "--logfile", str(self.workdir / "server.log"), *extra]
        t0 = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=self.workdir,
                                     start_new_session=True)
        wait_ping(self.port, self.proc, timeout=300)
        return time.monotonic() - t0

    def cpu(self) -> tuple[float, float]:
        """(own CPU seconds, CPU seconds of its reaped children) from /proc."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        own = (int(fields[11]) + int(fields[12])) / CLK_TCK
        children = (int(fields[13]) + int(fields[14])) / CLK_TCK
        return own, children

    def stop(self):
        if self.proc is not None:
            stop_process(self.proc)
            self.proc = None

    def call(self, *args: str) -> bytes:
        with socket.create_connection(("127.0.0.1", self.port), timeout=600) as s:
            s.sendall(resp(*args))
            data = b""
            while True:
                data += s.recv(1 << 20)
                head, sep, rest = data.partition(b"\r\n")
                if not sep:
                    continue
                if head[:1] != b"$":
                    return head
                n = int(head[1:])
                if n < 0:
                    return b""
                if len(rest) >= n + 2:
                    return rest[:n]

    def info(self, section: str) -> dict[str, str]:
        return dict(re.findall(r"^(\w+):(.*?)\r?$", self.call("INFO", section).decode(), re.M))

    def load(self, dataset: Path):
        with open(dataset, "rb") as f:
            out = subprocess.run(["redis-cli", "-p", str(self.port), "--pipe"], stdin=f,
                                 capture_output=True, text=True, timeout=1800)
        if out.returncode != 0 or "errors: 0" not in out.stdout:
            raise RuntimeError(f"{self.name}: loading failed: {out.stdout}{out.stderr}")

    def log_load_seconds(self) -> float | None:
        m = re.findall(r"DB loaded from disk: ([\d.]+) seconds",
                       (self.workdir / "server.log").read_text(errors="replace"))
        return float(m[-1]) if m else None


def measure_save(s: Server) -> tuple[float, float, int]:
    """(wall seconds, server CPU seconds, file size)."""
    cpu0 = s.cpu()[0]
    t0 = time.monotonic()
    reply = s.call("SAVE")
    elapsed = time.monotonic() - t0
    if reply != b"+OK":
        raise RuntimeError(f"{s.name}: SAVE answered {reply!r}")
    return elapsed, s.cpu()[0] - cpu0, (s.workdir / "dump.rdb").stat().st_size


def measure_bgsave(s: Server) -> tuple[float, float, int]:
    """(wall seconds, the child's CPU seconds, copy-on-write bytes)."""
    child0 = s.cpu()[1]
    t0 = time.monotonic()
    reply = s.call("BGSAVE")
    if not reply.startswith(b"+Background saving started"):
        raise RuntimeError(f"{s.name}: BGSAVE answered {reply!r}")
    while True:
        info = s.info("persistence")
        if info["rdb_bgsave_in_progress"] == "0":
            break
        time.sleep(0.005)
    elapsed = time.monotonic() - t0
    if info["rdb_last_bgsave_status"] != "ok":
        raise RuntimeError(f"{s.name}: BGSAVE failed")
    return elapsed, s.cpu()[1] - child0, int(info["rdb_last_cow_size"])


def fmt_s(x: float) -> str:
    return f"{x * 1000:,.0f} ms"


def ratio(b: float, r: float) -> str:
    return f"{b / r:.2f}x" if r > 0 else "-"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    add_server_args(ap)
    ap.add_argument("--keys", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    opts = ap.parse_args()
    for b in (opts.baozi, opts.redis):
        if not os.access(b, os.X_OK):
            print(f"not executable: {b}", file=sys.stderr)
            return 2

    work = Path(tempfile.mkdtemp(prefix="rdb-bench-"))
    try:
        dataset = work / "dataset.resp"
        write_dataset(dataset, opts.keys, opts.seed)
        names = {"redis": opts.redis, "baozi": opts.baozi}
        results: dict[str, dict[str, list[float]]] = {n: {} for n in names}
        digests: dict[str, bytes] = {}
        keycount: dict[str, str] = {}

        def add(name, what, v):
            results[name].setdefault(what, []).append(v)

        for rnd in range(opts.rounds):
            order = list(names) if rnd % 2 == 0 else list(names)[::-1]
            for name in order:
                s = Server(name, names[name], work / f"{name}-{rnd}")
                try:
                    s.start()
                    s.load(dataset)
                    digests[name] = s.call("DEBUG", "DIGEST")
                    keycount[name] = s.info("keyspace").get("db0", "")
                    add(name, "used_memory", int(s.info("memory")["used_memory"]))
                    t, cpu, size = measure_save(s)
                    add(name, "save", t)
                    add(name, "save_cpu", cpu)
                    add(name, "size", size)
                    t, cpu, cow = measure_bgsave(s)
                    add(name, "bgsave", t)
                    add(name, "bgsave_cpu", cpu)
                    add(name, "cow", cow)
                    s.stop()
                    add(name, "startup", s.start())
                    add(name, "startup_cpu", s.cpu()[0])
                    add(name, "logged_load", s.log_load_seconds() or float("nan"))
                    if s.call("DEBUG", "DIGEST") != digests[name]:
                        raise RuntimeError(f"{name}: the reloaded dataset differs")
                finally:
                    s.stop()
                print(f"  round {rnd + 1} {name}: save {results[name]['save'][-1]:.3f}s, "
                      f"load {results[name]['startup'][-1]:.3f}s", file=sys.stderr)
        if digests["redis"] != digests["baozi"]:
            raise RuntimeError("baozi and redis hold different datasets after the same load")

        # Each server on the other's files: the formats are one format.
        for rnd in range(opts.rounds):
            for name, other in (("baozi", "redis"), ("redis", "baozi")):
                d = work / f"cross-{name}-{rnd}"
                d.mkdir()
                shutil.copy(work / f"{other}-{rnd}" / "dump.rdb", d / "dump.rdb")
                s = Server(name, names[name], d)
                try:
                    add(name, "cross_startup", s.start())
                    add(name, "cross_startup_cpu", s.cpu()[0])
                    if s.call("DEBUG", "DIGEST") != digests[other]:
                        raise RuntimeError(f"{name} loaded {other}'s file into another dataset")
                finally:
                    s.stop()

        med = {n: {k: statistics.median(v) for k, v in r.items()} for n, r in results.items()}
        r, b = med["redis"], med["baozi"]
        print(f"\nRDB: {opts.keys:,} keys of mixed types ({keycount['redis']}), plus "
              f"{BIG_KEYS_PER_TYPE} keys of {BIG_ELEMENTS:,} elements per collection type; "
              f"median of {opts.rounds} rounds on fresh servers; DEBUG DIGEST equal in both "
              f"servers and across the files.\n")
        rows = [["", "redis", "baozi", "baozi/redis"],
                ["SAVE", fmt_s(r["save"]), fmt_s(b["save"]), ratio(b["save"], r["save"])],
                ["SAVE, server CPU", fmt_s(r["save_cpu"]), fmt_s(b["save_cpu"]),
                 ratio(b["save_cpu"], r["save_cpu"])],
                ["dump.rdb size", f"{r['size'] / 2**20:.1f} MiB", f"{b['size'] / 2**20:.1f} MiB",
                 ratio(b["size"], r["size"])],
                ["BGSAVE (until the child is reaped)", fmt_s(r["bgsave"]), fmt_s(b["bgsave"]),
                 ratio(b["bgsave"], r["bgsave"])],
                ["BGSAVE, the child's CPU", fmt_s(r["bgsave_cpu"]), fmt_s(b["bgsave_cpu"]),
                 ratio(b["bgsave_cpu"], r["bgsave_cpu"])],
                ["start-up on its own file (exec to PONG)", fmt_s(r["startup"]),
                 fmt_s(b["startup"]), ratio(b["startup"], r["startup"])],
                ["start-up on its own file, server CPU", fmt_s(r["startup_cpu"]),
                 fmt_s(b["startup_cpu"]), ratio(b["startup_cpu"], r["startup_cpu"])],
                ["load time it logs", fmt_s(r["logged_load"]), fmt_s(b["logged_load"]),
                 ratio(b["logged_load"], r["logged_load"])],
                ["start-up on the other's file", fmt_s(r["cross_startup"]),
                 fmt_s(b["cross_startup"]), ratio(b["cross_startup"], r["cross_startup"])],
                ["start-up on the other's file, server CPU", fmt_s(r["cross_startup_cpu"]),
                 fmt_s(b["cross_startup_cpu"]),
                 ratio(b["cross_startup_cpu"], r["cross_startup_cpu"])],
                ["used_memory with the dataset", f"{r['used_memory'] / 2**20:.1f} MiB",
                 f"{b['used_memory'] / 2**20:.1f} MiB",
                 ratio(b["used_memory"], r["used_memory"])]]
        print_markdown(rows)
    finally:
        if opts.keep:
            print(f"work directory kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
