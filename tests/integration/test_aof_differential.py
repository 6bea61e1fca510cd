"""The append-only file against Redis's, differentially.

A seeded random command sequence (the diffgen families, without the short-TTL `expire` family
whose deletions depend on when each server's active expiry runs) goes to baozi and to
redis-server side by side, both with appendonly yes, appendfsync always and the default
aof-use-rdb-preamble. Every reply must match (as in test_differential.py), and then:

1. the incremental AOF files hold the same commands, in the same order: the propagated form of
   every write is Redis's, byte for byte, except for absolute times a server derives from its
   own clock (PXAT, PEXPIREAT, ABSTTL), which must agree within a few seconds, and the members
   of random pops from diffgen's scratch keys (deleted right after);
2. each server restarted on its own AOF directory holds the dataset it had (DEBUG DIGEST);
3. baozi started on a copy of Redis's AOF directory holds Redis's dataset, and Redis started on
   a copy of baozi's holds baozi's.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import diffgen
from diffgen.harness import Runner
from serverproc import Server

SEEDS = [int(s) for s in os.environ.get("AOF_DIFF_SEEDS", "201,202,203").split(",") if s]
COUNT = int(os.environ.get("AOF_DIFF_COUNT", "3000"))
TIME_TOLERANCE_MS = 5000

AOF_ARGS = ("--appendonly", "yes", "--appendfsync", "always", "--enable-debug-command", "yes")


def families() -> list[str]:
    diffgen.load_families()
    return sorted(f for f in diffgen.FAMILIES if f != "expire")


def read_commands(path: Path) -> list[list[bytes]]:
    """The RESP commands of one AOF file (no RDB preamble: incr files never have one)."""
    data = path.read_bytes()
    out, pos = [], 0
    while pos < len(data):
        assert data[pos:pos + 1] == b"*", f"{path} at {pos}: {data[pos:pos + 20]!r}"
        eol = data.index(b"\r\n", pos)
        argc = int(data[pos + 1:eol])
        pos = eol + 2
        argv = []
        for _ in range(argc):
            eol = data.index(b"\r\n", pos)
            n = int(data[pos + 1:eol])
            argv.append(data[eol + 2:eol + 2 + n])
            pos = eol + 2 + n + 2
        out.append(argv)
    return out


def incr_commands(workdir: Path) -> list[list[bytes]]:
    """Every command of the incremental files, in the manifest's order."""
    d = workdir / "appendonlydir"
    manifest = (d / "appendonly.aof.manifest").read_text().splitlines()
    cmds = []
    for line in manifest:
        words = line.split()
        if words[words.index("type") + 1] == "i":
            cmds += read_commands(d / words[words.index("file") + 1])
    return cmds


def time_positions(argv: list[bytes]) -> list[int]:
    """Indexes of the arguments that are absolute times taken from the server's clock."""
    name = argv[0].upper()
    if name in (b"PEXPIREAT", b"EXPIREAT") and len(argv) > 2:
        return [2]
    if name == b"SET":
        return [i + 1 for i, a in enumerate(argv[:-1]) if a.upper() in (b"PXAT", b"EXAT")]
    if name == b"RESTORE" and any(a.upper() == b"ABSTTL" for a in argv[4:]):
        return [2]
    if name == b"XCLAIM":
        # XREADGROUP, XAUTOCLAIM and XCLAIM IDLE propagate the delivery time as TIME <unix ms>.
        return [i + 1 for i, a in enumerate(argv[5:-1], 5) if a.upper() == b"TIME"]
    return []


def same_command(a: list[bytes], b: list[bytes]) -> bool:
    if len(a) != len(b) or a[0].upper() != b[0].upper():
        return False
    # Random pops (SPOP, ZRANDMEMBER...) only ever run on diffgen's scratch keys, which are
    # deleted right after: their propagated members are random on both sides.
    if len(a) > 1 and b"scratch" in a[1] and a[1] == b[1]:
        return True
    times = set(time_positions(a))
    for i, (x, y) in enumerate(zip(a, b)):
        if i in times:
            if abs(int(x) - int(y)) > TIME_TOLERANCE_MS:
                return False
        elif x != y:
            return False
    return True


def digest(s: Server) -> bytes:
    with s.raw() as c:
        return c.call_raw("DEBUG", "DIGEST")


def restart_on_copy(src: Server, binary: Path, workdir: Path, name: str) -> Server:
    workdir.mkdir(parents=True)
    shutil.copytree(src.workdir / "appendonlydir", workdir / "appendonlydir")
    return Server(binary, workdir, AOF_ARGS, name=name).start()


@pytest.mark.parametrize("seed", SEEDS)
def test_aof_matches_redis(seed, server_factory, oracle_factory, tmp_path):
    a = server_factory(*AOF_ARGS)
    b = oracle_factory(*AOF_ARGS)
    cmds = diffgen.generate(seed, COUNT, families())
    with a.raw(timeout=5) as ca, b.raw(timeout=5) as cb:
        Runner(ca, cb, label=f"aof seed {seed}").run(cmds)
    want = {"baozi": digest(a), "redis": digest(b)}
    assert want["baozi"] == want["redis"]

    ours, theirs = incr_commands(a.workdir), incr_commands(b.workdir)
    for i, (x, y) in enumerate(zip(ours, theirs)):
        assert same_command(x, y), (
            f"seed {seed}: AOF command {i} differs\n  baozi: {x!r}\n  redis: {y!r}\n"
            f"  before: {ours[max(0, i - 3):i]!r}")
    assert len(ours) == len(theirs), f"seed {seed}: {len(ours)} commands against {len(theirs)}"

    a.stop()
    b.stop()
    a.start()
    b.start()
    assert digest(a) == want["baozi"]
    assert digest(b) == want["redis"]
    crossed_a = restart_on_copy(b, a.binary, tmp_path / "baozi-on-redis", "baozi-on-redis")
    crossed_b = restart_on_copy(a, b.binary, tmp_path / "redis-on-baozi", "redis-on-baozi")
    try:
        assert digest(crossed_a) == want["redis"]
        assert digest(crossed_b) == want["baozi"]
    finally:
        crossed_a.stop()
        crossed_b.stop()
