#!/usr/bin/env python3
"""baozi vs Redis running Lua: requests per second and per CPU-second of server time.

Starts baozi ($BAOZI_SERVER, default build/baozi-server) and Debian's redis-server side by
side, loads the same scripts and one function library into both, then runs redis-benchmark
against each in alternation, one workload at a time (50 clients, `-r 100000`), reading each
server's CPU time from /proc/<pid>/stat before and after the run. Workloads:

  eval_return   EVAL "return 1" 0                      the cost of entering a script
  evalsha_set   EVALSHA <set KEYS[1] ARGV[1]> 1 key val  one redis.call
  evalsha_incr  EVALSHA <10 x INCRBY> 1 key             ten redis.calls per script
  evalsha_lock  EVALSHA <redis-py Lock's release> ...    GET, compare, (no) DEL
  fcall_get     FCALL <function doing GET> 1 key         the same through FUNCTION
  evalsha_json  EVALSHA <cjson encode/decode> 0          library work, no command

Prints a markdown table of medians over --rounds alternating rounds: requests/s and
requests per server CPU-second for each, with baozi/redis ratios. Quote the ratios: the
machine is shared and absolute numbers move.

    /usr/bin/python3 bench/script_bench.py [--rounds 3] [--requests 200000] [--pipeline 1]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rdb_bench import Server  # noqa: E402  (shares the start/stop/CPU helpers)

SCRIPTS = {
    "set": "return redis.call('set', KEYS[1], ARGV[1])",
    "incr": "local v for i = 1, 10 do v = redis.call('incrby', KEYS[1], 1) end return v",
    # redis-py's Lock.release (LUA_RELEASE_SCRIPT): the token does not match here, so it is the
    # GET-and-compare path every failed release takes.
    "lock": ("local token = redis.call('get', KEYS[1]) "
             "if not token or token ~= ARGV[1] then return 0 end "
             "redis.call('del', KEYS[1]) return 1"),
    "json": "return cjson.encode(cjson.decode('{\"a\":[1,2,3],\"b\":{\"c\":\"d\"}}'))",
}
LIBRARY = ("#!lua name=benchlib\n"
           "redis.register_function{function_name='bget', flags={'no-writes'}, "
           "callback=function(keys, args) return redis.call('get', keys[1]) end}")


def sha_of(server: Server, body: str) -> str:
    out = subprocess.run(["redis-cli", "-p", str(server.port), "SCRIPT", "LOAD", body],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def workloads(shas: dict[str, str]) -> dict[str, list[str]]:
    return {
        "eval_return": ["EVAL", "return 1", "0"],
        "evalsha_set": ["EVALSHA", shas["set"], "1", "key:__rand_int__", "val"],
        "evalsha_incr": ["EVALSHA", shas["incr"], "1", "counter:__rand_int__"],
        "evalsha_lock": ["EVALSHA", shas["lock"], "1", "key:__rand_int__", "token"],
        "fcall_get": ["FCALL", "bget", "1", "key:__rand_int__"],
        "evalsha_json": ["EVALSHA", shas["json"], "0"],
    }


def run(server: Server, argv: list[str], requests: int, pipeline: int) -> tuple[float, float]:
    """(requests/s, requests per CPU-second of the server)."""
    cpu_before = server.cpu()[0]
    out = subprocess.run(
        ["redis-benchmark", "-p", str(server.port), "-c", "50", "-n", str(requests),
         "-r", "100000", "-P", str(pipeline), "-q", *argv],
        capture_output=True, text=True, timeout=900)
    cpu = server.cpu()[0] - cpu_before
    found = re.findall(r"([\d.]+) requests per second", out.stdout)
    rps = float(found[-1]) if found else 0.0
    return rps, requests / cpu if cpu > 0 else float("inf")


def run_rounds(servers: list[Server], work: dict[str, list[str]], rounds: int, requests: int,
               pipeline: int) -> dict[str, dict[str, list[tuple[float, float]]]]:
    """Runs every workload on every server, `rounds` times: {workload: {server: [(rps, per
    CPU-s)]}}. Which server goes first alternates, so neither always runs on a warm cache."""
    results: dict[str, dict[str, list[tuple[float, float]]]] = {}
    for r in range(rounds):
        for name, argv in work.items():
            order = servers if r % 2 == 0 else list(reversed(servers))
            for s in order:
                results.setdefault(name, {}).setdefault(s.name, []).append(
                    run(s, argv, requests, pipeline))
    return results


def print_table(results: dict[str, dict[str, list[tuple[float, float]]]], pipeline: int) -> None:
    """The markdown table of medians: requests/s and per CPU-second, with baozi/redis ratios."""
    print(f"| workload (-P {pipeline}) | baozi req/s | redis req/s | ratio | "
          "baozi req/CPU-s | redis req/CPU-s | ratio |")
    print("|---|---|---|---|---|---|---|")
    for name, by in results.items():
        b_rps = statistics.median(x[0] for x in by["baozi"])
        r_rps = statistics.median(x[0] for x in by["redis"])
        b_cpu = statistics.median(x[1] for x in by["baozi"])
        r_cpu = statistics.median(x[1] for x in by["redis"])
        print(f"| {name} | {b_rps:,.0f} | {r_rps:,.0f} | {b_rps / r_rps:.2f}x | "
              f"{b_cpu:,.0f} | {r_cpu:,.0f} | {b_cpu / r_cpu:.2f}x |")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=200000)
    ap.add_argument("--pipeline", type=int, default=1)
    opts = ap.parse_args()
    root = Path(__file__).resolve().parent.parent
    baozi_bin = os.environ.get("BAOZI_SERVER", str(root / "build" / "baozi-server"))
    with tempfile.TemporaryDirectory(prefix="script-bench-") as tmp:
        servers = [Server("baozi", baozi_bin, Path(tmp) / "baozi"),
                   Server("redis", "/usr/bin/redis-server", Path(tmp) / "redis")]
        try:
            for s in servers:
                s.start()
                subprocess.run(["redis-cli", "-p", str(s.port), "FUNCTION", "LOAD", LIBRARY],
                               capture_output=True, check=True)
            shas = {name: sha_of(servers[0], body) for name, body in SCRIPTS.items()}
            for name, body in SCRIPTS.items():
                assert sha_of(servers[1], body) == shas[name]
            results = run_rounds(servers, workloads(shas), opts.rounds, opts.requests,
                                 opts.pipeline)
        finally:
            for s in servers:
                s.stop()
    print_table(results, opts.pipeline)
    return 0


if __name__ == "__main__":
    sys.exit(main())
