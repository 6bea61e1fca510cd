#!/usr/bin/env python3
"""Eviction quality: baozi vs Redis on the same cache trace.

Draws one seeded key-access trace per Zipf skew and replays it, cache-aside,
against baozi ($BAOZI_SERVER, default build/baozi-server) and Debian's
redis-server side by side, under allkeys-lru and allkeys-lfu with maxmemory at
10% and 50% of the working set. For each (policy, skew, memory) cell it prints
both servers' GET hit ratio, the server CPU time that eviction itself costs
per write, and all server CPU per write.

The trace
  * --keys keys (default 200,000) with names of mixed length (4 to 65 bytes,
    five shapes such as `u:N` and `cache:v2:/api/items/N?lang=..`) and a value
    size fixed per key, log-normal with median 300 B (sigma 1), clamped to
    32 B..4 KB (mean about 490 B);
  * --accesses entries per skew (default 1,000,000), key ranks drawn from a
    Zipf law P(rank r) ~ 1/r^s for each --skews s (0.8, 0.99, 1.2) and mapped
    to keys by one fixed random permutation, so popularity is independent of
    a key's name, value size and index;
  * each entry is a GET, or with probability --set-fraction (3%) a direct SET
    of the key's value (an update);
  * replay is cache-aside in batches of --batch (100) entries: a read phase
    (the batch's GETs in one write, then their replies) and a write phase (in
    trace order a SET for every GET that missed, the "fill", and the batch's
    direct SETs). A "write" below is a fill or a direct SET;
  * the first --warmup entries (default 300,000) fill the cache and are not
    counted: hit ratio = hits / GETs over the rest.

Memory limits
  The working set is what Redis itself reports for the whole key set: load
  every key into a fresh redis-server without a limit and take used_memory
  minus the empty server's used_memory. By default both servers get the same
  maxmemory: Redis's empty used_memory + 10% (or 50%) of that working set, so
  a server that starts smaller or stores keys in fewer bytes keeps more keys
  under the same limit. --limit own-baseline gives each server its own empty
  used_memory + the same share instead, which compares the eviction policies
  alone. Both servers' empty and loaded used_memory are printed.

Eviction cost
  Each cell starts one redis and one baozi with the limit; the replay tool
  drives both in lockstep, batch by batch, and reads each server's CPU clock
  (every thread, ns) over the measured part and around every write phase.
  Eviction's own cost is profiled: `perf record --call-graph dwarf` samples
  each server's CPU time over exactly the measured part (the tool switches
  perf on at the warm-up boundary and off at the end), and the share of
  samples whose call stack passes through the server's eviction routine
  (Redis's performEvictions, baozi's PerformEvictions: sampling, choosing,
  deleting and freeing victims, the events and bookkeeping) times the
  server's CPU time is what evicting cost it. Per write, that is the "evict"
  column. Both servers are measured the same way; Debian's redis-server
  keeps its dynamic symbol table and .eh_frame, which is all the unwinding
  needs. Without a usable perf (--no-profile) the column shows '-'.
  An earlier version subtracted a control server without maxmemory; that
  control grows to the whole working set, whose cache misses and dict
  rehashing cost each server differently, so the difference measured the
  dataset size as much as eviction.
  All servers and the tool are pinned to one CPU (--cpu): they take turns
  anyway, and the noise of other work on the machine then falls on all of
  them alike. Replaying redis against itself (--baozi /usr/bin/redis-server)
  shows the noise floor.

Both servers run with --save '' --appendonly no, maxmemory-samples and the
LFU settings at their defaults, one fresh process per cell. Needs the
trace-replay tool (bench/trace_replay.cc, built by CMake next to
baozi-server). See bench/README.md.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from array import array
from dataclasses import dataclass, field
from pathlib import Path

# Run as a script from any directory: its own directory is on sys.path, so the sibling
# benchmark's server-start helper is shared rather than copied.
from compare import REPO, add_server_args, stop_process, wait_ping

WRITE_BIT = 1 << 31


# ---- Trace -----------------------------------------------------------------------------------


def key_name(i: int, rng: random.Random) -> str:
    """Five shapes of key name, 4 to 65 bytes; every name contains i, so all are distinct."""
    shape = rng.randrange(5)
    if shape == 0:
        return f"u:{i}"
    if shape == 1:
        return f"user:{i}:profile"
    if shape == 2:
        return f"session:{rng.getrandbits(64):016x}:{i}"
    if shape == 3:
        return f"product:{i}:reviews:page:{rng.randrange(1, 40)}"
    return f"cache:v2:/api/items/{i}?lang=en&fields=name,price,stock,rating"


def value_size(rng: random.Random) -> int:
    return max(32, min(4096, int(math.exp(rng.gauss(math.log(300), 1.0)))))


@dataclass
class Trace:
    keys_file: Path
    value_bytes: int
    name_bytes: int
    files: dict[float, Path] = field(default_factory=dict)


def write_trace(workdir: Path, opts) -> Trace:
    rng = random.Random(f"keys:{opts.seed}")
    names, sizes = [], []
    for i in range(opts.keys):
        names.append(key_name(i, rng))
        sizes.append(value_size(rng))
    keys_file = workdir / "keys.txt"
    keys_file.write_text("".join(f"{n} {s}\n" for n, s in zip(names, sizes)))
    trace = Trace(keys_file, sum(sizes), sum(len(n) for n in names))

    perm = list(range(opts.keys))
    random.Random(f"perm:{opts.seed}").shuffle(perm)
    for skew in opts.skews:
        cum, total = [], 0.0
        for r in range(1, opts.keys + 1):
            total += r ** -skew
            cum.append(total)
        rng = random.Random(f"trace:{opts.seed}:{skew}")
        entries = array("I", rng.choices(perm, cum_weights=cum, k=opts.accesses))
        frac = opts.set_fraction
        rnd = rng.random
        for j in range(len(entries)):
            if rnd() < frac:
                entries[j] |= WRITE_BIT
        if sys.byteorder != "little":
            entries.byteswap()
        path = workdir / f"trace-{skew}.bin"
        with open(path, "wb") as f:
            entries.tofile(f)
        trace.files[skew] = path
    return trace


# ---- Servers ---------------------------------------------------------------------------------


class PortPool:
    def __init__(self, base: int):
        self.base, self.next = base, 0

    def get(self) -> int:
        if not self.base:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                return s.getsockname()[1]
        for _ in range(100):
            port = self.base + self.next % 100
            self.next += 1
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                    return port
                except OSError:
                    continue
        raise RuntimeError(f"no free port in {self.base}..{self.base + 99}")


@dataclass
class Server:
    name: str
    port: int
    proc: subprocess.Popen

    def info(self, section: str) -> dict[str, str]:
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as s:
            s.sendall(b"*2\r\n$4\r\nINFO\r\n$%d\r\n%s\r\n" % (len(section), section.encode()))
            data = b""
            while b"\r\n" not in data:
                data += s.recv(65536)
            head, rest = data.split(b"\r\n", 1)
            n = int(head[1:])
            while len(rest) < n + 2:
                rest += s.recv(65536)
        return dict(re.findall(r"^(\w+):(.*?)\r?$", rest[:n].decode(), re.M))

    def used_memory(self) -> int:
        return int(self.info("memory")["used_memory"])

    def stop(self):
        stop_process(self.proc)


PIN_CPU: int | None = None


def pin_preexec():
    """Every server and the replay tool run on one CPU: they take turns anyway (the replay is
    lockstep), and on one core the noise of other processes on the machine (their cache traffic
    above all) falls on every server alike instead of on whichever the scheduler put next to
    it."""
    if PIN_CPU is None:
        return None
    cpu = PIN_CPU
    return lambda: os.sched_setaffinity(0, {cpu})


def start_server(name: str, binary: str, workdir: Path, ports: PortPool,
                 extra: list[str]) -> Server:
    port = ports.get()
    rundir = workdir / name
    rundir.mkdir(parents=True, exist_ok=True)
    cmd = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
           "--dir", str(rundir)] + extra
    log = open(rundir / "server.log", "ab")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            cwd=rundir, start_new_session=True, preexec_fn=pin_preexec())
    s = Server(name, port, proc)
    try:
        wait_ping(port, proc)
    except RuntimeError:
        s.stop()
        sys.stderr.write((rundir / "server.log").read_text(errors="replace")[-2000:])
        raise
    return s


def run_driver(opts, args: list[str]) -> list[str]:
    out = subprocess.run([opts.driver] + args, capture_output=True, text=True, timeout=3600,
                         stdin=subprocess.DEVNULL, preexec_fn=pin_preexec())
    if out.returncode != 0:
        raise RuntimeError(f"trace-replay {' '.join(args)} failed:\n{out.stdout}{out.stderr}")
    return out.stdout.splitlines()


# ---- Measurements ----------------------------------------------------------------------------


def measure_working_set(name: str, binary: str, trace: Trace, workdir: Path, ports: PortPool,
                        opts) -> tuple[int, int]:
    """(empty used_memory, used_memory with every key loaded) of a fresh server."""
    s = start_server(f"{name}-ws", binary, workdir, ports, [])
    try:
        time.sleep(0.2)
        empty = s.used_memory()
        res = dict(line.split(" ", 1) for line in run_driver(
            opts, ["load", "--port", str(s.port), "--keys", str(trace.keys_file),
                   "--batch", "1000"]))
        if int(res["failed_writes"]):
            raise RuntimeError(f"{name}: loading the key set failed: {res}")
        return empty, s.used_memory()
    finally:
        s.stop()


@dataclass
class Run:
    maxmemory: int
    hits: int = 0
    gets: int = 0
    writes: int = 0
    evicted: int = 0
    oom: int = 0
    failed: int = 0
    cpu: float = 0.0
    write_cpu: float = 0.0
    max_used: int = 0
    warm_gets: int = 0
    first_error: str = ""
    evict_share: float | None = None  # of the CPU samples, under the eviction routine

    @property
    def hit_ratio(self) -> float:
        return self.hits / self.gets if self.gets else float("nan")

    def cpu_per_write_us(self) -> float:
        return self.cpu / self.writes * 1e6 if self.writes else float("nan")

    def evict_per_write_us(self) -> float | None:
        if self.evict_share is None or not self.writes:
            return None
        return self.evict_share * self.cpu / self.writes * 1e6

    def add(self, o: Run):
        """Folds another round of the same cell in: the rounds count as one longer run."""
        for f in ("hits", "gets", "writes", "evicted", "oom", "failed", "cpu", "write_cpu",
                  "warm_gets"):
            setattr(self, f, getattr(self, f) + getattr(o, f))
        self.max_used = max(self.max_used, o.max_used)
        self.first_error = self.first_error or o.first_error
        if o.evict_share is not None:
            # Weighted by CPU time, so the sum is the share of the rounds' CPU together.
            mine = (self.evict_share or 0.0) * (self.cpu - o.cpu)
            self.evict_share = (mine + o.evict_share * o.cpu) / self.cpu if self.cpu else None


# The routine each server runs to evict, everything it calls included.
EVICTION_SYMBOLS = ("performEvictions", "baozi::PerformEvictions")


class Profiler:
    """perf record on one server, switched on and off by the replay tool through perf's
    control fifos so that it samples exactly the measured part."""

    def __init__(self, server: Server, workdir: Path):
        d = workdir / server.name
        self.data, self.ctl, self.ack = d / "perf.data", d / "perf.ctl", d / "perf.ack"
        for f in (self.ctl, self.ack):
            f.unlink(missing_ok=True)
            os.mkfifo(f)
        self.proc = subprocess.Popen(
            ["perf", "record", "-q", "-F", "997", "--call-graph", "dwarf,8192", "--delay", "-1",
             "--control", f"fifo:{self.ctl},{self.ack}", "-o", str(self.data),
             "-p", str(server.proc.pid)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)

    def ctl_arg(self) -> str:
        return f"{self.ctl}:{self.ack}"

    def finish(self) -> float:
        """Stops perf and returns the share of samples under the eviction routine."""
        self.proc.send_signal(signal.SIGINT)
        _, err = self.proc.communicate(timeout=120)
        out = subprocess.run(["perf", "report", "-i", str(self.data), "--children",
                              "--sort", "symbol", "--stdio", "-g", "none",
                              "--percent-limit", "0"],
                             capture_output=True, text=True, timeout=1800).stdout
        share = {}
        for m in re.finditer(r"^\s*([\d.]+)%\s+[\d.]+%\s+\[\.\]\s+(\S+)", out, re.M):
            share.setdefault(m.group(2), float(m.group(1)) / 100)
        if "main" not in share:
            raise RuntimeError(f"perf report found no samples in main: {err.decode()[-500:]}")
        if share["main"] < 0.9:
            # Stacks cut short would hide eviction frames: say so rather than under-report.
            print(f"    warning: only {share['main']:.0%} of samples unwound to main",
                  file=sys.stderr)
        return sum(share.get(s, 0.0) for s in EVICTION_SYMBOLS)


def perf_usable() -> bool:
    try:
        out = subprocess.run(["perf", "record", "-q", "-o", "/dev/null", "--", "true"],
                             capture_output=True, timeout=30)
        return out.returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def run_cell(binaries: dict[str, str], limits: dict[str, int], trace: Trace, skew: float,
             policy: str, workdir: Path, ports: PortPool, opts) -> tuple[dict[str, Run], float]:
    """Starts one server of each kind with the cell's limit, profiles them unless
    --no-profile, and replays the trace through all of them in lockstep."""
    servers: list[Server] = []
    profilers: dict[str, Profiler] = {}
    try:
        for name, binary in binaries.items():
            servers.append(start_server(name, binary, workdir, ports,
                                        ["--maxmemory", str(limits[name]),
                                         "--maxmemory-policy", policy]))
        args = ["replay", "--keys", str(trace.keys_file), "--trace", str(trace.files[skew]),
                "--warmup", str(opts.warmup), "--batch", str(opts.batch)]
        for s in servers:
            args += ["--server", f"{s.name}:{s.port}:{s.proc.pid}"]
            if opts.profile:
                profilers[s.name] = Profiler(s, workdir)
                args += ["--perf-ctl", profilers[s.name].ctl_arg()]
        out = run_driver(opts, args)
        shares = {name: p.finish() for name, p in profilers.items()}
    finally:
        for p in profilers.values():
            if p.proc.poll() is None:
                p.proc.kill()
        for s in servers:
            s.stop()
    res: dict[str, dict[str, str]] = {}
    for line in out:
        who, fld, value = line.split(" ", 2)
        res.setdefault(who, {})[fld] = value
    runs = {}
    for name in binaries:
        r = res[name]
        run = Run(maxmemory=limits[name], hits=int(r["hits"]), gets=int(r["gets"]),
                  writes=int(r["fills"]) + int(r["direct_sets"]),
                  evicted=int(r["evicted_keys"]), oom=int(r["oom"]) + int(r["warmup_oom"]),
                  failed=int(r["failed_writes"]) + int(r["warmup_failed_writes"]),
                  cpu=float(r["cpu_s"]), write_cpu=float(r["write_cpu_s"]),
                  max_used=int(r["used_memory_max_sampled"]), warm_gets=int(r["warmup_gets"]),
                  first_error=r.get("first_error", ""), evict_share=shares.get(name))
        runs[name] = run
        if opts.verbose:
            prof = f", evict share {run.evict_share:.1%}" if run.evict_share is not None else ""
            print(f"    {name}: hit {run.hit_ratio:.4f}, writes {run.writes:,}, evicted "
                  f"{run.evicted:,}, failed {run.failed:,}, cpu {run.cpu:.2f}s / writes "
                  f"{run.write_cpu:.2f}s{prof}, max used_memory {run.max_used:,}",
                  file=sys.stderr)
    return runs, float(res["all"]["wall_s"])


# ---- Output ----------------------------------------------------------------------------------


def print_markdown(lines: list[list[str]]):
    widths = [max(len(row[i]) for row in lines) for i in range(len(lines[0]))]
    for k, row in enumerate(lines):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |")
        if k == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")


def fmt_us(x: float | None) -> str:
    return "-" if x is None or math.isnan(x) else f"{x:.2f}"


def fmt_ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b <= 0 or math.isnan(a) or math.isnan(b):
        return "-"
    return f"{a / b:.2f}x"


# Replaying redis against itself, the two evict us/w figures of a cell agree within about
# 0.05 us; a ratio to a Redis figure below this says nothing.
EVICT_FLOOR_US = 0.1


def print_tables(cells, opts):
    print("\nHit ratio = GET hits / GETs after the warm-up. Evict us/w = server CPU time spent "
          "in its eviction routine and everything it calls (perf call-graph samples of the "
          "measured part), per write ('-' without evictions). CPU us/w = all server CPU "
          "time of the measured part (reads included) per write. Ratios are baozi/redis; for "
          f"CPU lower is better; no evict ratio where Redis's figure is under {EVICT_FLOOR_US} "
          "us, the noise floor.\n")
    head = ["policy", "skew", "maxmemory", "redis hit", "baozi hit", "delta",
            "redis evict us/w", "baozi evict us/w", "ratio", "redis CPU us/w", "baozi CPU us/w",
            "ratio"]
    lines = [head]
    for (policy, skew, pct), runs in cells:
        r, b = runs["redis"], runs["baozi"]
        # Without a single eviction the difference is only noise.
        re_ = r.evict_per_write_us() if r.evicted else None
        be = b.evict_per_write_us() if b.evicted else None
        lines.append([policy, f"{skew:g}", f"{pct}% ({r.maxmemory / 2**20:.1f} MiB)",
                      f"{r.hit_ratio * 100:.2f}%", f"{b.hit_ratio * 100:.2f}%",
                      f"{(b.hit_ratio - r.hit_ratio) * 100:+.2f} pp", fmt_us(re_), fmt_us(be),
                      fmt_ratio(be, re_ if re_ is not None and re_ >= EVICT_FLOOR_US else None),
                      fmt_us(r.cpu_per_write_us()),
                      fmt_us(b.cpu_per_write_us()),
                      fmt_ratio(b.cpu_per_write_us(), r.cpu_per_write_us())])
    print_markdown(lines)

    print("\nDetails of the measured part: writes = fills + direct SETs; failed = error replies "
          "to writes over the whole run, OOM among them; CPU in seconds (all / write phases); "
          "evict share = the part of the CPU samples under the eviction routine; max used = the "
          "largest of 20 samples of used_memory and the end value, over maxmemory.\n")
    head = ["policy", "skew", "mem", "server", "maxmemory", "GETs", "writes", "evicted_keys",
            "failed (OOM)", "CPU all", "CPU writes", "evict share", "max used / limit"]
    lines = [head]
    for (policy, skew, pct), runs in cells:
        for name in ("redis", "baozi"):
            x = runs[name]
            lines.append([policy, f"{skew:g}", f"{pct}%", name, f"{x.maxmemory:,}",
                          f"{x.gets:,}", f"{x.writes:,}", f"{x.evicted:,}",
                          f"{x.failed:,} ({x.oom:,})", f"{x.cpu:.2f}", f"{x.write_cpu:.2f}",
                          "-" if x.evict_share is None else f"{x.evict_share:.1%}",
                          f"{x.max_used / x.maxmemory:.3f}"])
    print_markdown(lines)
    errors = [(cell, name, runs[name].first_error) for cell, runs in cells for name in runs
              if runs[name].first_error]
    for cell, name, text in errors[:4]:
        print(f"\nfirst error ({name}, {cell[0]} skew {cell[1]:g} {cell[2]}%): {text}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    add_server_args(ap)
    ap.add_argument("--driver", default=None,
                    help="trace-replay binary (default: next to --baozi, else build/)")
    ap.add_argument("--keys", type=int, default=200_000)
    ap.add_argument("--accesses", type=int, default=1_000_000, help="trace entries per skew")
    ap.add_argument("--warmup", type=int, default=300_000, help="entries not counted")
    ap.add_argument("--skews", default="0.8,0.99,1.2")
    ap.add_argument("--memory", default="10,50", help="maxmemory as %% of the working set")
    ap.add_argument("--policies", default="allkeys-lru,allkeys-lfu")
    ap.add_argument("--set-fraction", type=float, default=0.03)
    ap.add_argument("--batch", type=int, default=100, help="trace entries per pipelined batch")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=1,
                    help="replays per cell on fresh servers, summed as one longer run")
    ap.add_argument("--limit", choices=("same", "own-baseline"), default="same",
                    help="same: both get Redis's empty used_memory + %% of the working set; "
                         "own-baseline: each gets its own empty used_memory + %%")
    ap.add_argument("--no-profile", dest="profile", action="store_false",
                    help="do not run perf (no eviction cost column)")
    ap.add_argument("--cpu", type=int, default=None,
                    help="CPU to pin every server and the replay tool to (default: the last "
                         "one this process may use; -1: no pinning)")
    ap.add_argument("--port-base", type=int, default=0,
                    help="take ports from base..base+99 (default: any free port)")
    ap.add_argument("--quick", action="store_true",
                    help="100,000 keys, 300,000 entries (100,000 warm-up): about a minute")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--verbose", "-v", action="store_true")
    opts = ap.parse_args()
    if opts.quick:
        opts.keys, opts.accesses, opts.warmup = 100_000, 300_000, 100_000
    opts.skews = [float(s) for s in opts.skews.split(",")]
    opts.memory = [int(m) for m in opts.memory.split(",")]
    opts.policies = opts.policies.split(",")
    if opts.driver is None:
        near = Path(opts.baozi).resolve().parent / "trace-replay"
        opts.driver = str(near if near.exists() else REPO / "build" / "trace-replay")
    for b in (opts.baozi, opts.redis, opts.driver):
        if not os.access(b, os.X_OK):
            print(f"not executable: {b}", file=sys.stderr)
            return 2
    global PIN_CPU
    allowed = sorted(os.sched_getaffinity(0))
    PIN_CPU = allowed[-1] if opts.cpu is None else (None if opts.cpu < 0 else opts.cpu)
    if opts.profile and not perf_usable():
        print("perf record does not work here: the evict column will be empty (--no-profile "
              "silences this)", file=sys.stderr)
        opts.profile = False
    if opts.warmup >= opts.accesses:
        print("--warmup must be smaller than --accesses", file=sys.stderr)
        return 2

    workdir = Path(tempfile.mkdtemp(prefix="evict-trace-"))
    ports = PortPool(opts.port_base)
    t_start = time.monotonic()
    try:
        trace = write_trace(workdir, opts)
        print(f"trace: {opts.keys:,} keys (names {trace.name_bytes / opts.keys:.1f} B, values "
              f"{trace.value_bytes / opts.keys:.1f} B on average), {opts.accesses:,} entries per "
              f"skew of which {opts.warmup:,} warm-up, {opts.set_fraction:.0%} direct SETs, "
              f"batch {opts.batch}, seed {opts.seed}, pinned to CPU {PIN_CPU} "
              f"({time.monotonic() - t_start:.1f}s)",
              file=sys.stderr)
        binaries = {"redis": opts.redis, "baozi": opts.baozi}
        empty, full = {}, {}
        for name, binary in binaries.items():
            empty[name], full[name] = measure_working_set(name, binary, trace, workdir, ports,
                                                          opts)
        ws = full["redis"] - empty["redis"]
        print(f"working set (redis used_memory, all keys minus empty): {ws:,} B "
              f"({ws / 2**20:.1f} MiB); empty used_memory: redis {empty['redis']:,} B, baozi "
              f"{empty['baozi']:,} B; baozi holds all keys in {full['baozi'] - empty['baozi']:,} "
              f"B ({(full['baozi'] - empty['baozi']) / ws:.3f}x redis)", file=sys.stderr)

        cells = []
        k = 0
        for policy in opts.policies:
            for skew in opts.skews:
                for pct in opts.memory:
                    base = {n: empty["redis" if opts.limit == "same" else n] for n in binaries}
                    limits = {n: base[n] + ws * pct // 100 for n in binaries}
                    print(f"  {policy} skew {skew:g} maxmemory {pct}% ({limits['redis']:,} B) "
                          f"[{time.monotonic() - t_start:.0f}s]", file=sys.stderr)
                    total: dict[str, Run] = {}
                    for _ in range(opts.rounds):
                        order = list(binaries) if k % 2 == 0 else list(binaries)[::-1]
                        k += 1
                        runs, wall = run_cell({n: binaries[n] for n in order}, limits, trace,
                                              skew, policy, workdir, ports, opts)
                        if opts.verbose:
                            print(f"    measured part took {wall:.1f}s", file=sys.stderr)
                        for n, run in runs.items():
                            if n in total:
                                total[n].add(run)
                            else:
                                total[n] = run
                    cells.append(((policy, skew, pct), total))

        warm = cells[0][1]["redis"].warm_gets // opts.rounds if cells else 0
        limit_txt = ("Redis's empty used_memory "
                     f"({empty['redis'] / 2**20:.2f} MiB) + % of it for both servers"
                     if opts.limit == "same" else "each server's own empty used_memory (redis "
                     f"{empty['redis'] / 2**20:.2f} MiB, baozi {empty['baozi'] / 2**20:.2f} MiB)"
                     " + % of it")
        print(f"\nEviction trace: {opts.keys:,} keys, names {trace.name_bytes / opts.keys:.0f} B "
              f"and values {trace.value_bytes / opts.keys:.0f} B on average (log-normal values, "
              f"32 B..4 KB); Zipf accesses, {opts.accesses:,} per skew, the first "
              f"{opts.warmup:,} ({warm:,} GETs) warm-up; {opts.set_fraction:.0%} direct SETs; "
              f"batch {opts.batch}; seed {opts.seed}; {opts.rounds} round(s) per cell. Working "
              f"set {ws / 2**20:.1f} MiB (Redis used_memory with every key); maxmemory = "
              f"{limit_txt}. baozi holds every key in "
              f"{(full['baozi'] - empty['baozi']) / 2**20:.1f} MiB and starts at "
              f"{empty['baozi'] / 2**20:.2f} MiB.")
        print_tables(cells, opts)
        print(f"\n(total {time.monotonic() - t_start:.0f}s)", file=sys.stderr)
    finally:
        if opts.keep:
            print(f"work directory kept: {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
