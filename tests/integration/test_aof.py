"""The append-only file against the real redis-server: restart cycles keep the data; multi-part
AOF directories written by one server load in the other with the same DEBUG DIGEST (both
aof-use-rdb-preamble settings); BGREWRITEAOF while clients write; CONFIG SET appendonly at run
time; a truncated last incr file loads its valid prefix (or is refused); a corrupt file stops
the start; and what a crash costs under each appendfsync policy: the process SIGKILLed at random
moments, and a power cut simulated by cutting the incr file back to what was known to be on
disk. Recovered data must always be an unbroken prefix of what writers sent, and under `always`
contain every acknowledged write.
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
import redis

from serverproc import Server, baozi_binary, free_port, oracle_binary
from datasets import digest, fill_every_encoding
from polling import wait_until

AOF_DIR = "appendonlydir"


def info(c: redis.Redis) -> dict:
    return c.info("persistence")


def wait_rewrite(c: redis.Redis):
    wait_until(lambda: info(c)["aof_rewrite_in_progress"] == 0
               and info(c)["aof_rewrite_scheduled"] == 0, "the rewrite to end", timeout=20)


def manifest(work: Path) -> list[tuple[str, str]]:
    out = []
    for line in (work / AOF_DIR / "appendonly.aof.manifest").read_text().splitlines():
        f = line.split()
        out.append((f[1], f[5]))
    return out


def last_incr(work: Path) -> Path:
    incrs = [n for n, t in manifest(work) if t == "i"]
    return work / AOF_DIR / incrs[-1]


def run_to_exit(binary, work: Path, *args) -> tuple[int, str]:
    """Starts a server that is expected to refuse to start; returns (exit code, log)."""
    s = Server(binary, work, args, name="refused")
    with open(s.log_path, "wb") as log:
        proc = subprocess.run(s.command_line(free_port()), cwd=work, stdout=log,
                              stderr=subprocess.STDOUT, timeout=20)
    return proc.returncode, s.log_path.read_text()


# --- restarts and interchange with Redis -------------------------------------------------------


@pytest.mark.parametrize("preamble", ["yes", "no"])
def test_restart_cycles_keep_the_data(procs, tmp_path, preamble):
    args = ("--appendonly", "yes", "--aof-use-rdb-preamble", preamble)
    work = tmp_path / "w"
    s = procs(baozi_binary(), work, *args)
    c = s.client()
    fill_every_encoding(c)
    c.incr("counter")
    want = digest(c)
    s.stop()  # SIGTERM: flush + fsync
    s = procs(baozi_binary(), work, *args)
    c = s.client()
    assert digest(c) == want
    # A rewrite folds everything into a new base; writes after it land in the new incr.
    assert c.bgrewriteaof() in (b"Background append only file rewriting started", True,
                                "Background append only file rewriting started")
    wait_rewrite(c)
    files = manifest(work)
    assert [t for _, t in files] == ["b", "i"]
    assert files[0][0].endswith(".base.rdb" if preamble == "yes" else ".base.aof")
    c.rpush("list_small", "after-rewrite")
    c.hset("hash_small", "new", "field")
    want = digest(c)
    s.proc.send_signal(signal.SIGKILL)
    s.proc.wait()
    s = procs(baozi_binary(), work, *args)
    assert digest(s.client()) == want
    # Only the files the manifest names remain.
    assert sorted(p.name for p in (work / AOF_DIR).iterdir()) == sorted(
        [n for n, _ in manifest(work)] + ["appendonly.aof.manifest"])


@pytest.mark.parametrize("preamble", ["yes", "no"])
def test_aof_directories_move_between_redis_and_baozi(procs, tmp_path, preamble):
    args = ("--appendonly", "yes", "--aof-use-rdb-preamble", preamble)
    # Redis writes, baozi loads.
    rwork = tmp_path / "redis"
    r = procs(oracle_binary(), rwork, *args)
    rc = r.client()
    fill_every_encoding(rc)
    rc.bgrewriteaof()
    wait_rewrite(rc)
    rc.rpush("list_small", "tail")
    rc.incrby("counter", 5)
    rc.execute_command("SELECT", 3)
    rc.sadd("s3", "a", "b")
    rc.execute_command("SELECT", 0)
    want = digest(rc)
    r.stop()
    bwork = tmp_path / "baozi"
    bwork.mkdir()
    shutil.copytree(rwork / AOF_DIR, bwork / AOF_DIR)
    b = procs(baozi_binary(), bwork, *args)
    bc = b.client()
    assert digest(bc) == want
    # baozi writes on, rewrites, and Redis loads the result.
    bc.lpush("list_small", "head")
    bc.bgrewriteaof()
    wait_rewrite(bc)
    bc.hset("hash_small", "x", "y")
    want = digest(bc)
    b.stop()
    rwork2 = tmp_path / "redis2"
    rwork2.mkdir()
    shutil.copytree(bwork / AOF_DIR, rwork2 / AOF_DIR)
    r2 = procs(oracle_binary(), rwork2, *args)
    assert digest(r2.client()) == want


def test_bgrewriteaof_while_writing(procs, tmp_path):
    work = tmp_path / "w"
    args = ("--appendonly", "yes", "--appendfsync", "everysec")
    s = procs(baozi_binary(), work, *args)
    c = s.client()
    c.rpush("big", *range(20000))
    stop = threading.Event()
    acked = [0]

    def writer():
        w = s.client()
        while not stop.is_set():
            w.rpush("seq", acked[0])
            acked[0] += 1

    t = threading.Thread(target=writer)
    t.start()
    try:
        for _ in range(4):
            reply = c.bgrewriteaof()
            assert reply in (True, b"Background append only file rewriting started")
            with pytest.raises(redis.ResponseError, match="already in progress"):
                # The child takes longer than one round trip with 20000 elements.
                if info(c)["aof_rewrite_in_progress"]:
                    c.bgrewriteaof()
                else:
                    raise redis.ResponseError("already in progress")
            wait_rewrite(c)
    finally:
        stop.set()
        t.join()
    assert info(c)["aof_rewrites"] == 4
    assert info(c)["aof_last_bgrewrite_status"] == "ok"
    want = digest(c)
    s.stop()
    s = procs(baozi_binary(), work, *args)
    c = s.client()
    assert digest(c) == want
    assert c.lrange("seq", 0, -1) == [str(i).encode() for i in range(acked[0])]


def test_rewrite_and_bgsave_take_turns_like_redis(procs, tmp_path):
    replies = {}
    for name, binary in (("baozi", baozi_binary()), ("redis", oracle_binary())):
        s = procs(binary, tmp_path / name, "--appendonly", "yes")
        c = s.client()
        c.rpush("big", *range(200000))
        got = []
        for cmd in (["BGREWRITEAOF"], ["BGSAVE"], ["BGREWRITEAOF"]):
            try:
                got.append(c.execute_command(*cmd))
            except redis.ResponseError as e:
                got.append("ERR " + str(e))
        got.append(c.execute_command("BGSAVE", "SCHEDULE"))
        wait_until(lambda: info(c)["aof_rewrite_in_progress"] == 0
                   and info(c)["rdb_bgsave_in_progress"] == 0
                   and c.lastsave() is not None, "the rewrite and the save to end", timeout=20)
        replies[name] = got
    assert replies["baozi"] == replies["redis"]


def test_config_set_appendonly_at_run_time(procs, tmp_path):
    work = tmp_path / "w"
    s = procs(baozi_binary(), work)
    c = s.client()
    assert info(c)["aof_enabled"] == 0
    fill_every_encoding(c)
    assert c.config_set("appendonly", "yes")
    assert info(c)["aof_enabled"] == 1
    wait_rewrite(c)
    assert [t for _, t in manifest(work)] == ["b", "i"]
    c.set("after", "on")
    want = digest(c)
    assert c.config_set("appendonly", "no")
    assert info(c)["aof_enabled"] == 0
    assert "aof_current_size" not in info(c)
    c.set("not-logged", "x")
    s.stop()
    s = procs(baozi_binary(), work, "--appendonly", "yes")
    c = s.client()
    assert digest(c) == want
    assert c.get("not-logged") is None


def test_automatic_rewrite_on_growth(procs, tmp_path):
    work = tmp_path / "w"
    args = ("--appendonly", "yes", "--auto-aof-rewrite-min-size", "4096",
            "--auto-aof-rewrite-percentage", "100")
    s = procs(baozi_binary(), work, *args)
    c = s.client()
    for i in range(200):
        c.set(f"k{i}", "v" * 40)
    wait_until(lambda: info(c)["aof_rewrites"] >= 1, "an automatic rewrite", timeout=10)
    wait_rewrite(c)
    i = info(c)
    assert i["aof_base_size"] > 0 and i["aof_current_size"] >= i["aof_base_size"]
    assert "Starting automatic rewriting of AOF on" in s.log_path.read_text()
    want = digest(c)
    s.stop()
    s = procs(baozi_binary(), work, *args)
    assert digest(s.client()) == want


# --- damaged files -------------------------------------------------------------------------------


def make_aof(procs, work: Path, n=50) -> Path:
    s = procs(baozi_binary(), work, "--appendonly", "yes")
    c = s.client()
    for i in range(n):
        c.rpush("l", i)
    s.stop()
    return last_incr(work)


def test_truncated_last_incr_loads_its_prefix(procs, tmp_path):
    work = tmp_path / "w"
    incr = make_aof(procs, work)
    data = incr.read_bytes()
    cut = len(data) - 7  # inside the last RPUSH
    incr.write_bytes(data[:cut])
    code, log = run_to_exit(baozi_binary(), work, "--appendonly", "yes", "--aof-load-truncated", "no")
    assert code == 1
    assert "Unexpected end of file reading the append only file" in log
    s = procs(baozi_binary(), work, "--appendonly", "yes")
    c = s.client()
    assert c.lrange("l", 0, -1) == [str(i).encode() for i in range(49)]
    text = s.log_path.read_text()
    assert "!!! Warning: short read while loading the AOF file" in text
    assert "loaded anyway because aof-load-truncated is enabled" in text
    # The file was cut back to its last complete command, and appending goes on after it.
    assert data.startswith(incr.read_bytes()) and len(incr.read_bytes()) < cut
    c.rpush("l", "x")
    s.stop()
    s = procs(baozi_binary(), work, "--appendonly", "yes")
    assert s.client().llen("l") == 50


def test_truncated_file_that_is_not_the_last_stops_the_start(procs, tmp_path):
    work = tmp_path / "w"
    incr = make_aof(procs, work)
    data = incr.read_bytes()
    incr.write_bytes(data[:-7])
    second = incr.with_name("appendonly.aof.2.incr.aof")
    second.write_bytes(b"*3\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\nz\r\n")
    m = work / AOF_DIR / "appendonly.aof.manifest"
    m.write_text(m.read_text() + f"file {second.name} seq 2 type i\n")
    code, log = run_to_exit(baozi_binary(), work, "--appendonly", "yes")
    assert code == 1
    assert "Fatal error: the truncated file is not the last file" in log
    assert incr.read_bytes() == data[:-7]  # nothing was cut from a file that is not the last


def test_corrupt_file_stops_the_start(procs, tmp_path):
    work = tmp_path / "w"
    incr = make_aof(procs, work)
    data = bytearray(incr.read_bytes())
    pos = data.index(b"*3\r\n", len(data) // 2)
    data[pos] = ord("!")
    incr.write_bytes(bytes(data))
    code, log = run_to_exit(baozi_binary(), work, "--appendonly", "yes")
    assert code == 1
    lines = [l for l in log.splitlines() if "Bad file format reading the append only file" in l]
    assert len(lines) == 1, log
    assert "Ready to accept connections" not in log


def full_disk_server(procs, work: Path, binary, policy) -> Server:
    """A server whose AOF incr file is /dev/full once CONFIG SET appendonly yes opened it."""
    (work / AOF_DIR).mkdir(parents=True)
    (work / AOF_DIR / "temp-appendonly.aof.incr").symlink_to("/dev/full")
    s = procs(binary, work, "--appendfsync", policy)
    c = s.client()
    assert c.config_set("appendonly", "yes")
    wait_rewrite(c)
    return s


def test_write_errors_deny_writes_like_redis(procs, tmp_path):
    seen = {}
    for name, binary in (("baozi", baozi_binary()), ("redis", oracle_binary())):
        s = full_disk_server(procs, tmp_path / name, binary, "everysec")
        c = s.client()
        got = [c.set("a", 1)]  # acknowledged: its write fails after the reply under everysec
        for cmd in (["SET", "b", "1"], ["PING"], ["GET", "a"]):
            try:
                got.append(c.execute_command(*cmd))
            except redis.ResponseError as e:
                got.append("ERR " + str(e))
        i = info(c)
        got += [i["aof_last_write_status"], i["aof_buffer_length"]]
        seen[name] = got
    assert seen["baozi"] == seen["redis"]
    assert seen["baozi"][1] == "ERR MISCONF Errors writing to the AOF file: No space left on device"


def test_write_error_under_always_exits_before_the_reply(procs, tmp_path):
    s = full_disk_server(procs, tmp_path / "w", baozi_binary(), "always")
    c = s.client()
    with pytest.raises(redis.ConnectionError):
        c.set("a", 1)
    assert s.proc.wait(10) == 1
    assert "Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting..." \
        in s.log_path.read_text()


def test_missing_file_or_bad_manifest_stops_the_start(procs, tmp_path):
    for case in ("missing", "manifest"):
        work = tmp_path / case
        incr = make_aof(procs, work)
        if case == "missing":
            incr.unlink()
            want = f"Unable to obtain the AOF file {incr.name} length. stat: No such file or directory"
        else:
            (work / AOF_DIR / "appendonly.aof.manifest").write_text("file x seq 1 type q\n")
            want = "Unknown AOF file type"
        code, log = run_to_exit(baozi_binary(), work, "--appendonly", "yes")
        assert code == 1, case
        assert want in log, log
        assert "Ready to accept connections" not in log


# --- what a crash costs ----------------------------------------------------------------------------


class Writers:
    """N threads, each pushing 0, 1, 2, ... to its own list and counting acknowledged pushes."""

    def __init__(self, server: Server, n: int, start: list[int], on_ack=None):
        self.server = server
        self.acked = list(start)
        self.stop = threading.Event()
        self.on_ack = on_ack
        self.threads = [threading.Thread(target=self.run, args=(i,)) for i in range(n)]
        for t in self.threads:
            t.start()

    def run(self, i):
        c = redis.Redis(port=self.server.port, socket_timeout=5)
        try:
            while not self.stop.is_set():
                c.rpush(f"w{i}", self.acked[i])
                self.acked[i] += 1
                if self.on_ack:
                    self.on_ack()
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            pass

    def join(self):
        self.stop.set()
        for t in self.threads:
            t.join()


def check_prefix(c: redis.Redis, n: int) -> list[int]:
    lens = []
    for i in range(n):
        got = c.lrange(f"w{i}", 0, -1)
        assert got == [str(j).encode() for j in range(len(got))], f"w{i} is not an unbroken prefix"
        lens.append(len(got))
    return lens


@pytest.mark.parametrize("policy", ["always", "everysec", "no"])
def test_sigkill_at_random_moments(procs, tmp_path, policy):
    rnd = random.Random(sum(policy.encode()))
    work = tmp_path / "w"
    args = ("--appendonly", "yes", "--appendfsync", policy)
    n = 3
    recovered = [0] * n
    for round_ in range(4):
        s = procs(baozi_binary(), work, *args)
        c = s.client()
        assert check_prefix(c, n) == recovered
        if round_ == 2:
            c.bgrewriteaof()  # a kill may land during or after a rewrite
        w = Writers(s, n, recovered)
        time.sleep(rnd.uniform(0.2, 0.8))
        s.proc.send_signal(signal.SIGKILL)
        s.proc.wait()
        w.join()
        assert sum(w.acked) > sum(recovered) + 100  # the writers did work before the kill
        s = procs(baozi_binary(), work, *args)
        lens = check_prefix(s.client(), n)
        for i in range(n):
            # Every acknowledged push survives a crash of the process: the turn's AOF write
            # precedes its replies (under everysec a postponed write is the one exception Redis
            # allows too, so only `always` is held to it strictly).
            if policy == "always":
                assert lens[i] >= w.acked[i], (i, lens[i], w.acked[i])
            assert lens[i] <= w.acked[i] + 1  # at most the one in flight
        recovered = lens
        s.stop()


@pytest.mark.parametrize("policy", ["always", "everysec", "no"])
def test_power_cut_keeps_a_prefix(procs, tmp_path, policy):
    """A power cut loses what was not fsynced: simulated by SIGKILL and then cutting the incr file
    back. Under `always` the file length when the last acknowledged reply arrived is on disk, so
    the cut never goes below it; under the other policies it may go anywhere."""
    rnd = random.Random(7 + len(policy))
    work = tmp_path / "w"
    args = ("--appendonly", "yes", "--appendfsync", policy)
    n = 2
    recovered = [0] * n
    for _ in range(3):
        s = procs(baozi_binary(), work, *args)
        incr = last_incr(work)
        lock = threading.Lock()
        holder = {}
        # (acknowledged pushes, file length) taken in that order after a reply arrived: every
        # push counted was written (under `always` fsynced) before its reply, so before the
        # length was read.
        record = [(list(recovered), incr.stat().st_size)]

        def on_ack():
            with lock:
                snap = list(holder["w"].acked)
                record[0] = (snap, incr.stat().st_size)

        w = Writers.__new__(Writers)
        holder["w"] = w
        Writers.__init__(w, s, n, recovered, on_ack if policy == "always" else None)
        time.sleep(rnd.uniform(0.2, 0.6))
        s.proc.send_signal(signal.SIGKILL)
        s.proc.wait()
        w.join()
        snap, floor = record[0]
        size = incr.stat().st_size
        low = floor if policy == "always" else 0
        cut = rnd.randint(min(low, size), size)
        with open(incr, "r+b") as f:
            f.truncate(cut)
        s = procs(baozi_binary(), work, *args)
        lens = check_prefix(s.client(), n)
        if policy == "always":
            for i in range(n):
                assert lens[i] >= snap[i], (i, lens[i], snap[i])
        recovered = lens
        s.stop()


def old_style_aof(procs, tmp_path, preamble: str) -> bytes:
    """A Redis 6 style single-file AOF: commands, or an RDB preamble followed by commands."""
    head = b""
    if preamble == "yes":
        s = procs(oracle_binary(), tmp_path / "rdb-maker")
        c = s.client()
        fill_every_encoding(c)
        c.save()
        head = (tmp_path / "rdb-maker" / "dump.rdb").read_bytes()
    tail = (b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
            b"*3\r\n$3\r\nSET\r\n$4\r\nlast\r\n$3\r\none\r\n"
            b"*3\r\n$5\r\nRPUSH\r\n$4\r\nlist\r\n$1\r\nx\r\n")
    return head + tail


@pytest.mark.parametrize("preamble", ["no", "yes"])
def test_old_single_file_aof_is_migrated_like_redis(procs, tmp_path, preamble):
    """A Redis < 7 appendonly.aof in `dir`, started with appendonly yes: Redis 7 moves it into
    appenddirname as the base of a manifest and loads it; so must baozi, with the same files."""
    data = old_style_aof(procs, tmp_path, preamble)
    seen = {}
    for name, binary in (("redis", oracle_binary()), ("baozi", baozi_binary())):
        work = tmp_path / name
        work.mkdir()
        (work / "appendonly.aof").write_bytes(data)
        s = procs(binary, work, "--appendonly", "yes")
        c = s.client()
        assert c.get("last") == b"one"
        seen[name] = (digest(c), manifest(work), (work / "appendonly.aof").exists(),
                      (work / AOF_DIR / "appendonly.aof").read_bytes() == data)
        s.stop()
        s.start()
        assert digest(s.client()) == seen[name][0]
    assert seen["baozi"] == seen["redis"]
    assert seen["baozi"][2:] == (False, True)


def test_aof_disable_auto_gc_keeps_history_like_redis(procs, tmp_path):
    """aof-disable-auto-gc yes keeps the files a rewrite replaced, listed as history; turning it
    off deletes them. The manifest and the directory must look as Redis's do at each step."""
    seen = {}
    for name, binary in (("redis", oracle_binary()), ("baozi", baozi_binary())):
        work = tmp_path / name
        s = procs(binary, work, "--appendonly", "yes", "--aof-disable-auto-gc", "yes")
        c = s.client()
        c.set("a", 1)
        c.bgrewriteaof()
        wait_rewrite(c)
        kept = (manifest(work), sorted(p.name for p in (work / AOF_DIR).iterdir()))
        c.config_set("aof-disable-auto-gc", "no")
        gone = (manifest(work), sorted(p.name for p in (work / AOF_DIR).iterdir()))
        seen[name] = (kept, gone)
    assert seen["baozi"] == seen["redis"]
    assert any(t == "h" for _, t in seen["baozi"][0][0])
