#!/usr/bin/env python3
"""baozi vs Redis on streams: requests per second and per CPU-second, and bytes per entry.

Starts baozi ($BAOZI_SERVER, default build/baozi-server) and Debian's redis-server side by
side, preloads the same stream into both, then runs redis-benchmark against each in
alternation, one workload at a time (50 clients), reading each server's CPU time from
/proc/<pid>/stat before and after the run. Workloads:

  xadd           XADD s:__rand_int__ * f v                      appends over 100,000 streams
  xadd_maxlen    XADD capped MAXLEN ~ 1000 * f v               RQ's capped result stream
  xrange         XRANGE big - + COUNT 10                       the oldest ten entries
  xrevrange_1    XREVRANGE big + - COUNT 1                     RQ's "latest result" read
  xread          XREAD COUNT 10 STREAMS big <an ID mid-way>    a reader catching up
  xreadgroup     XREADGROUP GROUP g c NOACK COUNT 1 STREAMS big >   a consumer group

Then the memory of 1,000,000 entries of one field/value pair in one stream (used_memory
before and after), as bytes per entry.

Prints markdown tables of medians over --rounds alternating rounds with baozi/redis ratios.
Quote the ratios: the machine is shared and absolute numbers move.

    /usr/bin/python3 bench/stream_bench.py [--rounds 3] [--requests 200000] [--pipeline 1]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rdb_bench import Server  # noqa: E402  (start/stop/CPU helpers)
from script_bench import print_table, run_rounds  # noqa: E402  (alternating runs; the table)

BIG_ENTRIES = 200_000
MEMORY_ENTRIES = 1_000_000

WORKLOADS = {
    "xadd": ["XADD", "s:__rand_int__", "*", "f", "v"],
    "xadd_maxlen": ["XADD", "capped", "MAXLEN", "~", "1000", "*", "f", "v"],
    "xrange": ["XRANGE", "big", "-", "+", "COUNT", "10"],
    "xrevrange_1": ["XREVRANGE", "big", "+", "-", "COUNT", "1"],
    "xread": ["XREAD", "COUNT", "10", "STREAMS", "big", f"{BIG_ENTRIES // 2}-0"],
    "xreadgroup": ["XREADGROUP", "GROUP", "g", "c", "NOACK", "COUNT", "1", "STREAMS", "big", ">"],
}


def preload(port: int) -> None:
    c = redis.Redis(port=port)
    p = c.pipeline(transaction=False)
    for i in range(1, BIG_ENTRIES + 1):
        p.xadd("big", {"field": f"value-{i}", "n": i}, id=f"{i}-0")
        if i % 10_000 == 0:
            p.execute()
    p.execute()
    c.xgroup_create("big", "g", id="0")


def bytes_per_entry(port: int) -> float:
    c = redis.Redis(port=port)
    c.delete("mem")
    before = c.info("memory")["used_memory"]
    p = c.pipeline(transaction=False)
    for i in range(1, MEMORY_ENTRIES + 1):
        p.xadd("mem", {"f": f"v{i % 1000}"}, id=f"{i}-1")
        if i % 20_000 == 0:
            p.execute()
    p.execute()
    after = c.info("memory")["used_memory"]
    c.delete("mem")
    return (after - before) / MEMORY_ENTRIES


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=200000)
    ap.add_argument("--pipeline", type=int, default=1)
    opts = ap.parse_args()
    root = Path(__file__).resolve().parent.parent
    baozi_bin = os.environ.get("BAOZI_SERVER", str(root / "build" / "baozi-server"))
    with tempfile.TemporaryDirectory(prefix="stream-bench-") as tmp:
        servers = [Server("baozi", baozi_bin, Path(tmp) / "baozi"),
                   Server("redis", "/usr/bin/redis-server", Path(tmp) / "redis")]
        memory: dict[str, float] = {}
        try:
            for s in servers:
                s.start()
                preload(s.port)
            results = run_rounds(servers, WORKLOADS, opts.rounds, opts.requests, opts.pipeline)
            for s in servers:
                memory[s.name] = bytes_per_entry(s.port)
        finally:
            for s in servers:
                s.stop()
    print_table(results, opts.pipeline)
    print()
    print("| memory | baozi | redis | ratio |")
    print("|---|---|---|---|")
    print(f"| bytes per entry ({MEMORY_ENTRIES:,} entries, one field) | {memory['baozi']:.1f} | "
          f"{memory['redis']:.1f} | {memory['baozi'] / memory['redis']:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
