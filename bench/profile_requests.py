#!/usr/bin/env python3
"""Where a request's work goes: instructions and system calls per request, baozi and Redis.

For each server (baozi, Debian's redis-server) and each redis-benchmark test and pipeline
depth, this prints

- instructions per request, counted by `valgrind --tool=callgrind` in the server (counters
  zeroed with callgrind_control after a warm-up, dumped after the run). Instruction counts do
  not depend on what else the machine is doing, so they compare two servers honestly on a
  shared, noisy machine where seconds do not;
- system calls per request, by name, counted by `strace -c -f` attached to an uninstrumented
  server for the same run.

With --annotate, the top functions of each baozi profile (self cost) are printed as well, and the callgrind files are kept in --out.

    /usr/bin/python3 bench/profile_requests.py                       # get,set,ping_mbulk at -P 1,16
    /usr/bin/python3 bench/profile_requests.py --tests get --pipelines 1 --annotate
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare import (TEST_NAMES, Proc, add_server_args, print_markdown,  # noqa: E402
                     start_server, stop_process, wait_ping, free_port)


def run_benchmark(port: int, test: str, pipeline: int, requests: int, clients: int,
                  keyspace: int):
    cmd = ["redis-benchmark", "-p", str(port), "-c", str(clients), "-P", str(pipeline),
           "-r", str(keyspace), "-n", str(requests), "-t", test, "-q"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=3600,
                         stdin=subprocess.DEVNULL)
    if out.returncode != 0:
        raise RuntimeError(f"redis-benchmark failed: {out.stdout}{out.stderr}")


def start_callgrind(name: str, binary: str, workdir: Path) -> Proc:
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    out = workdir / "callgrind.out"
    cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}.%p", binary,
           "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
           "--dir", str(workdir)]
    log = open(workdir / f"{name}.log", "wb")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            cwd=workdir, start_new_session=True)
    wait_ping(port, proc, timeout=60)
    return Proc(name, port, proc)


def callgrind_phase(p: Proc, workdir: Path, label: str, work) -> tuple[int, Path]:
    """Zeroes the counters, runs `work`, dumps; returns (instructions, dump file)."""
    subprocess.run(["callgrind_control", "-z", str(p.proc.pid)], check=True,
                   capture_output=True)
    work()
    before = set(workdir.glob("callgrind.out.*"))
    subprocess.run(["callgrind_control", "-d", label, str(p.proc.pid)], check=True,
                   capture_output=True)
    for _ in range(100):
        new = set(workdir.glob("callgrind.out.*")) - before
        if new:
            break
        time.sleep(0.1)
    dump = sorted(new, key=lambda f: f.stat().st_mtime)[-1]
    time.sleep(0.2)  # the dump is written in one go, but let it finish
    text = dump.read_text(errors="replace")
    m = re.search(r"^(?:summary|totals): *(\d+)", text, re.M)
    if not m:
        raise RuntimeError(f"no totals in {dump}")
    return int(m.group(1)), dump


def strace_phase(p: Proc, workdir: Path, work) -> dict[str, int]:
    """Counts the server's system calls while `work` runs."""
    out = workdir / "strace.txt"
    tracer = subprocess.Popen(["strace", "-c", "-f", "-o", str(out), "-p", str(p.proc.pid)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)  # attached
    work()
    tracer.terminate()
    tracer.wait(30)
    calls: dict[str, int] = {}
    for line in out.read_text().splitlines():
        cells = line.split()
        # % time, seconds, usecs/call, calls, [errors], syscall
        if len(cells) >= 5 and cells[0][0].isdigit() and cells[-1] != "total":
            calls[cells[-1]] = int(cells[3])
    return calls


def annotate(dump: Path, top: int) -> str:
    out = subprocess.run(["callgrind_annotate", "--threshold=100", str(dump)],
                         capture_output=True, text=True).stdout
    # A dump taken while the loop runs charges the frames still on the stack (main, the
    # loop) with everything below them; they show as ~100% and are left out.
    lines = [ln for ln in out.splitlines()
             if (m := re.match(r"^\s*[\d,]+ \(\s*([\d.]+)%\)", ln)) and float(m.group(1)) < 99]
    return "\n".join(lines[:top])


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    add_server_args(ap)
    ap.add_argument("--tests", default="ping_mbulk,get,set")
    ap.add_argument("--pipelines", default="1,16")
    ap.add_argument("--requests", type=int, default=20000,
                    help="requests per measured run (callgrind runs the server ~50x slower)")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--keyspace", type=int, default=100000)
    ap.add_argument("--annotate", action="store_true")
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--out", default=None, help="keep the callgrind files here")
    opts = ap.parse_args()

    tests = opts.tests.split(",")
    pipelines = [int(x) for x in opts.pipelines.split(",")]
    binaries = {"baozi": opts.baozi, "redis": opts.redis}
    base = Path(opts.out) if opts.out else Path(tempfile.mkdtemp(prefix="baozi-profile-"))
    ir: dict[tuple, float] = {}
    sys_calls: dict[tuple, dict[str, int]] = {}
    notes = []
    for name, binary in binaries.items():
        wd = base / f"{name}-cg"
        p = start_callgrind(name, binary, wd)
        try:
            for test in tests:
                for pl in pipelines:
                    def work():
                        run_benchmark(p.port, test, pl, opts.requests, opts.clients,
                                      opts.keyspace)
                    run_benchmark(p.port, test, pl, 2000, opts.clients, opts.keyspace)
                    total, dump = callgrind_phase(p, wd, f"{test}-P{pl}", work)
                    ir[(name, test, pl)] = total / opts.requests
                    print(f"  {name} {test} -P {pl}: {total / opts.requests:,.0f} instr/request",
                          file=sys.stderr)
                    if opts.annotate and name == "baozi":
                        notes.append(f"\nbaozi {TEST_NAMES[test]} -P {pl}, self cost per "
                                     f"function over {opts.requests} requests:\n"
                                     + annotate(dump, opts.top))
        finally:
            stop_process(p.proc)
        p = start_server(f"{name}-st", binary, base / f"{name}-st")
        try:
            for test in tests:
                for pl in pipelines:
                    run_benchmark(p.port, test, pl, 2000, opts.clients, opts.keyspace)
                    sys_calls[(name, test, pl)] = strace_phase(
                        p, base / f"{name}-st",
                        lambda: run_benchmark(p.port, test, pl, opts.requests, opts.clients,
                                              opts.keyspace))
        finally:
            p.stop()

    lines = [["test", "-P", "baozi instr/req", "redis instr/req", "ratio",
              "baozi syscalls/req", "redis syscalls/req"]]
    for test in tests:
        for pl in pipelines:
            b, r = ir[("baozi", test, pl)], ir[("redis", test, pl)]
            row = [TEST_NAMES[test], str(pl), f"{b:,.0f}", f"{r:,.0f}", f"{b / r:.2f}x"]
            for name in ("baozi", "redis"):
                calls = sys_calls[(name, test, pl)]
                top = sorted(calls.items(), key=lambda kv: -kv[1])[:3]
                total = sum(calls.values()) / opts.requests
                row.append(f"{total:.2f} (" + ", ".join(
                    f"{k} {v / opts.requests:.2f}" for k, v in top) + ")")
            lines.append(row)
    print(f"\n{opts.requests:,} requests per run, {opts.clients} clients, -r {opts.keyspace}:\n")
    print_markdown(lines)
    for n in notes:
        print(n)
    if opts.out:
        print(f"\ncallgrind files in {base}")


if __name__ == "__main__":
    main()
