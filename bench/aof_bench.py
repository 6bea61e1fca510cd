#!/usr/bin/env python3
"""Writes with the append-only file on: baozi vs Redis.

Starts baozi ($BAOZI_SERVER, default build/baozi-server) and Debian's
redis-server with `appendonly yes` and each --policies appendfsync policy
(default everysec, the one Redis recommends, and always), in fresh
directories, and runs `redis-benchmark -t set` against each in alternation
(--clients 50, `-P 1` and `-P 16`, `-r 100000`, -d 16), --rounds times. It
prints the median requests/s and server CPU time per request (utime+stime
from /proc, the fsync thread included) with baozi/redis ratios, and the size
each server's AOF directory reached.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from compare import add_server_args, print_markdown
from rdb_bench import Server


def dir_size(d: Path) -> int:
    return sum(f.stat().st_size for f in d.rglob("*") if f.is_file())


def run(binary: str, name: str, work: Path, policy: str, pipeline: int, opts) -> tuple:
    s = Server(name, binary, work)
    try:
        s.start("--appendonly", "yes", "--appendfsync", policy)
        cpu0 = s.cpu()[0]
        out = subprocess.run(["redis-benchmark", "-p", str(s.port), "-t", "set", "-n",
                              str(opts.requests), "-c", str(opts.clients), "-P", str(pipeline),
                              "-r", "100000", "-d", "16", "-q"],
                             capture_output=True, text=True, timeout=1800)
        cpu = s.cpu()[0] - cpu0
        lines = [l for l in out.stdout.replace("\r", "\n").splitlines()
                 if "requests per second" in l]
        if not lines:
            raise RuntimeError(f"{name}: no result from redis-benchmark: {out.stdout[-300:]}")
        rps = float(lines[-1].split(":")[1].split()[0])
        return rps, cpu / opts.requests * 1e6, dir_size(work / "appendonlydir")
    finally:
        s.stop()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    add_server_args(ap)
    ap.add_argument("--policies", default="everysec,always")
    ap.add_argument("--requests", type=int, default=500_000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=3)
    opts = ap.parse_args()
    for b in (opts.baozi, opts.redis):
        if not os.access(b, os.X_OK):
            print(f"not executable: {b}", file=sys.stderr)
            return 2
    work = Path(tempfile.mkdtemp(prefix="aof-bench-"))
    names = {"redis": opts.redis, "baozi": opts.baozi}
    rows = [["appendfsync", "pipeline", "redis req/s", "baozi req/s", "ratio",
             "redis CPU us/req", "baozi CPU us/req", "ratio", "redis AOF", "baozi AOF"]]
    try:
        for policy in opts.policies.split(","):
            for pipeline in (1, 16):
                got = {n: [] for n in names}
                for rnd in range(opts.rounds):
                    order = list(names) if rnd % 2 == 0 else list(names)[::-1]
                    for n in order:
                        d = work / f"{n}-{policy}-{pipeline}-{rnd}"
                        got[n].append(run(names[n], n, d, policy, pipeline, opts))
                        shutil.rmtree(d, ignore_errors=True)
                med = {n: [statistics.median(x[i] for x in got[n]) for i in range(3)]
                       for n in names}
                r, b = med["redis"], med["baozi"]
                rows.append([policy, str(pipeline), f"{r[0]:,.0f}", f"{b[0]:,.0f}",
                             f"{b[0] / r[0]:.2f}x", f"{r[1]:.2f}", f"{b[1]:.2f}",
                             f"{b[1] / r[1]:.2f}x", f"{r[2] / 2**20:.1f} MiB",
                             f"{b[2] / 2**20:.1f} MiB"])
                print(f"  {policy} -P {pipeline}: redis {r[0]:,.0f}/s, baozi {b[0]:,.0f}/s",
                      file=sys.stderr)
        print(f"\nredis-benchmark -t set -n {opts.requests:,} -c {opts.clients} -r 100000 -d 16 "
              f"with appendonly yes; median of {opts.rounds} rounds on fresh servers; req/s "
              "higher is better, CPU per request lower is better.\n")
        print_markdown(rows)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
