"""RDB snapshots against the real redis-server: files written by one load in the other with
the same DEBUG DIGEST and the same keys; BGSAVE in a forked child while the loop serves; save
points; SHUTDOWN/SIGTERM saving and restart cycles; bad files refused at start-up; DUMP/RESTORE
payloads in both directions; fuzzed payloads; -MISCONF after a failed background save.

The servers here are started by hand (serverproc.Server) because a restart must reuse the
same working directory.
"""

from __future__ import annotations

import random
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import redis

from polling import wait_until
from datasets import assert_same, digest, fill_every_encoding, snapshot
from serverproc import Server, baozi_binary, free_port, oracle_binary

MISCONF = (
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist "
    "to disk. Commands that may modify the data set are disabled, because this instance is "
    "configured to report errors during writes if RDB snapshotting fails "
    "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about the "
    "RDB error."
)


# --- the two directions -------------------------------------------------------------------------


@pytest.mark.parametrize("compression", ["yes", "no"])
def test_baozi_save_loads_in_redis(procs, tmp_path, compression):
    b = procs(baozi_binary(), tmp_path / "b", "--rdbcompression", compression)
    cb = b.client()
    fill_every_encoding(cb)
    assert cb.save() is True
    (tmp_path / "r").mkdir()
    shutil.copy(tmp_path / "b" / "dump.rdb", tmp_path / "r" / "dump.rdb")
    r = procs(oracle_binary(), tmp_path / "r")
    cr = r.client()
    assert cr.dbsize() == cb.dbsize()
    assert_same(cb, cr)
    info = cr.info("persistence")
    assert info["rdb_last_load_keys_loaded"] == sum(
        cb.info("keyspace")[f"db{i}"]["keys"] for i in (0, 1, 5, 15))


@pytest.mark.parametrize("compression", ["yes", "no"])
def test_redis_save_loads_in_baozi(procs, tmp_path, compression):
    r = procs(oracle_binary(), tmp_path / "r", "--rdbcompression", compression)
    cr = r.client()
    fill_every_encoding(cr)
    # A key already expired when saved: written by Redis, skipped (and counted) by the loader.
    cr.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    cr.set("expired", "v", px=1)
    time.sleep(0.01)
    assert cr.save() is True
    (tmp_path / "b").mkdir()
    shutil.copy(tmp_path / "r" / "dump.rdb", tmp_path / "b" / "dump.rdb")
    b = procs(baozi_binary(), tmp_path / "b")
    cb = b.client()
    info = cb.info("persistence")
    assert info["rdb_last_load_keys_expired"] == 1
    cr.delete("expired")
    assert_same(cr, cb)
    assert info["rdb_changes_since_last_save"] == 0
    log = b.log_path.read_text()
    assert "Loading RDB produced by version 7.0.15" in log
    assert re.search(r"Done loading RDB, keys loaded: \d+, keys expired: 1\.", log)


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rdb"


def fixture_limits() -> list[str]:
    """The encoding limits the Redis-made fixtures were written under (dataset.expected)."""
    first = (FIXTURES / "dataset.expected").read_text().splitlines()[0].split()
    assert first[0] == "limits"
    names = ["hash-max-listpack-entries", "hash-max-listpack-value", "zset-max-listpack-entries",
             "zset-max-listpack-value", "set-max-intset-entries", "list-max-listpack-size"]
    args = []
    for name, value in zip(names, first[1:]):
        args += [f"--{name}", value]
    return args


@pytest.mark.parametrize("name", ["dataset.rdb", "dataset_nocompress.rdb", "lru.rdb", "lfu.rdb"])
def test_redis_made_fixtures_load_alike(procs, tmp_path, name):
    args = fixture_limits()
    policy = {"lru.rdb": "allkeys-lru", "lfu.rdb": "allkeys-lfu"}.get(name)
    if policy:
        args += ["--maxmemory-policy", policy]
    servers = []
    for binary, sub in ((oracle_binary(), "r"), (baozi_binary(), "b")):
        (tmp_path / sub).mkdir()
        shutil.copy(FIXTURES / name, tmp_path / sub / "dump.rdb")
        servers.append(procs(binary, tmp_path / sub, *args).client())
    cr, cb = servers
    assert cb.dbsize() == cr.dbsize() and cb.dbsize() > 0
    # The access data the file carries (IDLE / FREQ opcodes) arrives in both servers alike.
    for key in cr.scan_iter(count=1000):
        if policy == "allkeys-lfu":
            assert cb.object("freq", key) == cr.object("freq", key), key
        elif policy == "allkeys-lru":
            assert abs(cb.object("idletime", key) - cr.object("idletime", key)) <= 2, key
    assert_same(cr, cb)


@pytest.mark.parametrize("policy", ["allkeys-lfu", "allkeys-lru"])
def test_access_data_moves_with_the_file(procs, tmp_path, policy):
    b = procs(baozi_binary(), tmp_path / "b", "--maxmemory-policy", policy)
    c = b.client()
    assert c.dump("nope") is None
    c.set("seed", "v")
    payload = c.dump("seed")
    for i in range(20):
        if policy == "allkeys-lfu":
            c.restore(f"k{i}", 0, payload, frequency=i * 10)
        else:
            c.restore(f"k{i}", 0, payload, idletime=i * 100)
    c.save()
    (tmp_path / "r").mkdir()
    shutil.copy(tmp_path / "b" / "dump.rdb", tmp_path / "r" / "dump.rdb")
    cr = procs(oracle_binary(), tmp_path / "r", "--maxmemory-policy", policy).client()
    for i in range(20):
        if policy == "allkeys-lfu":
            assert cr.object("freq", f"k{i}") == c.object("freq", f"k{i}") == i * 10
        else:
            assert abs(cr.object("idletime", f"k{i}") - i * 100) <= 2


def test_debug_reload_keeps_the_dataset(procs, tmp_path):
    b = procs(baozi_binary(), tmp_path / "b")
    c = b.client()
    fill_every_encoding(c)
    before = snapshot(c)
    d = digest(c)
    assert c.execute_command("DEBUG", "RELOAD") == b"OK"
    assert digest(c) == d
    assert snapshot(c) == before
    c.set("extra", "1")
    assert c.execute_command("DEBUG", "RELOAD", "NOSAVE") == b"OK"
    assert c.exists("extra") == 0
    assert digest(c) == d
    c.set("extra", "1")
    c.set("int", "changed")
    assert c.execute_command("DEBUG", "RELOAD", "NOSAVE", "NOFLUSH", "MERGE") == b"OK"
    assert c.get("extra") == b"1" and c.get("int") == b"12345"
    with pytest.raises(redis.ResponseError, match="only supports the MERGE, NOFLUSH and NOSAVE"):
        c.execute_command("DEBUG", "RELOAD", "BOGUS")


# --- BGSAVE, save points, shutdown ---------------------------------------------------------------


def test_bgsave_in_a_child_while_the_loop_serves(procs, tmp_path):
    b = procs(baozi_binary(), tmp_path / "b", "--rdbcompression", "no")
    c = b.client()
    p = c.pipeline(transaction=False)
    for i in range(400_000):
        p.set(f"key:{i}", "v" * 100)
        if i % 10000 == 9999:
            p.execute()
    p.execute()
    d = digest(c)
    assert c.bgsave() is True
    with pytest.raises(redis.ResponseError, match="Background save already in progress"):
        c.bgsave()
    with pytest.raises(redis.ResponseError, match="Background save already in progress"):
        c.save()
    # The loop keeps answering while the child writes, and writes land in memory at once.
    seen_in_progress = False
    served = 0
    while True:
        info = c.info("persistence")
        if info["rdb_bgsave_in_progress"] == 1:
            seen_in_progress = True
            assert info["current_save_keys_total"] == 400_000
            c.set(f"during:{served}", served)
            served += 1
        else:
            break
    assert seen_in_progress and served > 0
    info = c.info("persistence")
    assert info["rdb_last_bgsave_status"] == "ok"
    assert info["rdb_changes_since_last_save"] == served
    assert info["rdb_last_bgsave_time_sec"] >= 0
    assert c.info("stats")["total_forks"] == 1
    log = b.log_path.read_text()
    assert re.search(r"Background saving started by pid \d+", log)
    assert re.search(r"\d+:C .* DB saved on disk", log)
    assert "Background saving terminated with success" in log
    # The file holds the dataset as it was at the fork.
    (tmp_path / "r").mkdir()
    shutil.copy(tmp_path / "b" / "dump.rdb", tmp_path / "r" / "dump.rdb")
    r = procs(oracle_binary(), tmp_path / "r")
    assert digest(r.client()) == d
    assert not list((tmp_path / "b").glob("temp-*.rdb"))


def test_bgsave_schedule_and_multi(procs, tmp_path):
    b = procs(baozi_binary(), tmp_path / "b")
    c = b.client()
    c.set("k", "v")
    with b.raw() as conn:
        assert conn.call_raw("MULTI") == b"+OK\r\n"
        assert conn.call_raw("BGSAVE") == b"+QUEUED\r\n"
        assert conn.call_raw("EXEC") == b"*1\r\n+Background saving scheduled\r\n"
    wait_until(lambda: (tmp_path / "b" / "dump.rdb").exists()
               and c.info("persistence")["rdb_bgsave_in_progress"] == 0, "the scheduled BGSAVE")
    with pytest.raises(redis.ResponseError, match="syntax error"):
        c.execute_command("BGSAVE", "NOW")


def test_save_points_fire(procs, tmp_path):
    b = procs(baozi_binary(), tmp_path / "b", "--save", "1 2")
    c = b.client()
    c.set("a", 1)
    time.sleep(1.5)
    assert not (tmp_path / "b" / "dump.rdb").exists()  # one change is not enough
    c.set("b", 2)
    wait_until(lambda: (tmp_path / "b" / "dump.rdb").exists(), "the save point's dump", timeout=5)
    wait_until(lambda: c.info("persistence")["rdb_changes_since_last_save"] == 0,
               "the change counter reset by the save")
    assert "2 changes in 1 seconds. Saving..." in b.log_path.read_text()


def test_restart_cycles_keep_the_data(procs, tmp_path):
    work = tmp_path / "b"
    expected = None
    for cycle in range(3):
        s = procs(baozi_binary(), work, "--save", "3600 1")
        c = s.client()
        if expected is not None:
            assert snapshot(c) == expected
        if cycle == 0:
            fill_every_encoding(c)
        c.incr("cycle")
        c.rpush("log", cycle)
        expected = snapshot(c)
        try:
            c.shutdown()
        except redis.ConnectionError:
            pass
        assert s.proc.wait(10) == 0
        log = s.log_path.read_text()
        assert "Saving the final RDB snapshot before exiting." in log
    # SIGTERM saves too; SHUTDOWN NOSAVE does not.
    s = procs(baozi_binary(), work, "--save", "3600 1")
    c = s.client()
    assert snapshot(c) == expected
    c.set("by-sigterm", 1)
    s.proc.send_signal(signal.SIGTERM)
    assert s.proc.wait(10) == 0
    s = procs(baozi_binary(), work, "--save", "3600 1")
    c = s.client()
    assert c.get("by-sigterm") == b"1"
    c.set("lost", 1)
    try:
        c.shutdown(nosave=True)
    except redis.ConnectionError:
        pass
    assert s.proc.wait(10) == 0
    s = procs(baozi_binary(), work)
    assert s.client().exists("lost") == 0
    # Without save points SHUTDOWN does not save, SHUTDOWN SAVE does.
    c = s.client()
    c.set("forced", 1)
    try:
        c.shutdown(save=True)
    except redis.ConnectionError:
        pass
    assert s.proc.wait(10) == 0
    s = procs(baozi_binary(), work)
    assert s.client().get("forced") == b"1"


def test_shutdown_refuses_when_the_save_fails(procs, tmp_path):
    for binary in (oracle_binary(), baozi_binary()):
        work = tmp_path / Path(binary).name
        sub = work / "data"
        sub.mkdir(parents=True)
        s = procs(binary, work, "--dir", str(sub), "--save", "3600 1")
        c = s.client()
        c.set("k", "v")
        shutil.rmtree(sub)
        with pytest.raises(redis.ResponseError, match="^Errors trying to SHUTDOWN. Check logs.$"):
            c.shutdown()
        assert s.alive()
        try:
            c.shutdown(save=True, force=True) if binary == baozi_binary() else c.execute_command(
                "SHUTDOWN", "FORCE")
        except redis.ConnectionError:
            pass
        assert s.proc.wait(10) == 0
        assert "Error trying to save the DB, can't exit." in s.log_path.read_text()


# --- bad files at start-up -----------------------------------------------------------------------


def make_dump(procs, tmp_path) -> bytes:
    s = procs(baozi_binary(), tmp_path / "src")
    c = s.client()
    fill_every_encoding(c)
    c.save()
    return (tmp_path / "src" / "dump.rdb").read_bytes()


def test_bad_dump_files_stop_the_start(procs, tmp_path):
    good = make_dump(procs, tmp_path)
    cases = {
        "truncated": good[: len(good) // 2],
        "header_only": good[:9],
        "empty": b"",
        "flipped": good[:200] + bytes([good[200] ^ 0xFF]) + good[201:],
        "bad_magic": b"XEDIS" + good[5:],
    }
    for name, data in cases.items():
        work = tmp_path / name
        work.mkdir()
        (work / "dump.rdb").write_bytes(data)
        s = Server(baozi_binary(), work, name="bad")
        with open(s.log_path, "wb") as log:
            proc = subprocess.run(s.command_line(free_port()), cwd=work, stdout=log,
                                  stderr=subprocess.STDOUT, timeout=20)
        assert proc.returncode == 1, name
        text = s.log_path.read_text()
        lines = [l for l in text.splitlines() if "Bad RDB file" in l]
        assert len(lines) == 1, (name, text)
        assert re.search(r"Bad RDB file .*dump\.rdb at offset \d+: .+\. Exiting\.", lines[0]), lines
        assert "Ready to accept connections" not in text


# --- DUMP / RESTORE ------------------------------------------------------------------------------


def crc64(data: bytes) -> int:
    poly = 0x95AC9329AC4BC9B5
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
    return crc


def with_footer(body: bytes) -> bytes:
    body = body + b"\x0a\x00"
    return body + crc64(body).to_bytes(8, "little")


def test_crc64_check_value():
    assert crc64(b"123456789") == 0xE9C6D914C4B8D9CA


def test_dump_restore_between_redis_and_baozi(procs, tmp_path):
    r = procs(oracle_binary(), tmp_path / "r")
    b = procs(baozi_binary(), tmp_path / "b")
    cr, cb = r.client(), b.client()
    fill_every_encoding(cr)
    for key in cr.scan_iter(count=1000):
        payload = cr.dump(key)
        ttl = max(cr.pttl(key), 0)
        assert cb.restore(key, ttl, payload) == b"OK"
        assert cb.execute_command("DEBUG", "DIGEST-VALUE", key) == cr.execute_command(
            "DEBUG", "DIGEST-VALUE", key)
        back = cb.dump(key)
        cr.restore(key, 0, back, replace=True)
        if ttl:
            cr.pexpire(key, ttl)
    for key in cb.scan_iter(count=1000):
        assert cb.execute_command("DEBUG", "DIGEST-VALUE", key) == cr.execute_command(
            "DEBUG", "DIGEST-VALUE", key)


def test_fuzzed_payloads_never_crash(procs, tmp_path):
    b = procs(baozi_binary(), tmp_path / "b")
    c = b.client()
    fill_every_encoding(c)
    payloads = [c.dump(k) for k in c.scan_iter(count=1000)]
    rnd = random.Random(20261122)
    outcomes = {"ok": 0, "bad": 0}
    for i in range(3000):
        body = bytearray(rnd.choice(payloads)[:-10])
        for _ in range(rnd.randint(1, 6)):
            body[rnd.randrange(len(body))] = rnd.randrange(256)
        if rnd.random() < 0.2:
            del body[rnd.randrange(1, len(body) + 1):]
        if rnd.random() < 0.1:
            body += bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 20)))
        try:
            c.restore("fuzz", 0, with_footer(bytes(body)), replace=True)
            outcomes["ok"] += 1
            # Whatever was accepted must be usable.
            t = c.type("fuzz")
            c.dump("fuzz")
            c.execute_command("DEBUG", "DIGEST-VALUE", "fuzz")
            if t == b"list":
                c.lrange("fuzz", 0, -1)
            elif t == b"hash":
                c.hgetall("fuzz")
            elif t == b"set":
                c.smembers("fuzz")
            elif t == b"zset":
                c.zrange("fuzz", 0, -1, withscores=True)
        except redis.ResponseError as e:
            assert str(e) == "Bad data format", str(e)
            outcomes["bad"] += 1
    assert b.alive()
    assert c.ping()
    assert outcomes["bad"] > 0


def test_restore_errors_match_redis(procs, tmp_path):
    r = procs(oracle_binary(), tmp_path / "r")
    b = procs(baozi_binary(), tmp_path / "b")
    for c in (r.client(), b.client()):
        c.set("s", "hello")
    payload = r.client().dump("s")
    cases = [
        ("RESTORE", "s", 0, payload),
        ("RESTORE", "n", -5, payload),
        ("RESTORE", "n", "x", payload),
        ("RESTORE", "n", 0, payload[:-1]),
        ("RESTORE", "n", 0, payload, "IDLETIME", -1),
        ("RESTORE", "n", 0, payload, "FREQ", 300),
        ("RESTORE", "n", 0, payload, "IDLETIME", 1, "FREQ", 1),
        ("RESTORE", "n", 0, payload, "BOGUS"),
        ("RESTORE", "n", 0, with_footer(b"\x00\x3fhello")),
        ("RESTORE", "n", 0, with_footer(b"\x15\x00")),  # a stream/module type baozi lacks
        ("DUMP", "nope"),
        ("DUMP",),
    ]
    for cmd in cases:
        replies = []
        for s in (r, b):
            try:
                replies.append(s.client().execute_command(*cmd))
            except redis.ResponseError as e:
                replies.append(("err", str(e)))
        assert replies[0] == replies[1], cmd


# --- -MISCONF ------------------------------------------------------------------------------------


def test_misconf_after_a_failed_bgsave(procs, tmp_path):
    results = {}
    for binary in (oracle_binary(), baozi_binary()):
        work = tmp_path / Path(binary).name
        sub = work / "data"
        sub.mkdir(parents=True)
        s = procs(binary, work, "--dir", str(sub), "--save", "3600 1")
        c = s.client(decode_responses=True)
        c.set("k", "v")
        # The working directory disappears: the child cannot create its temp file.
        shutil.rmtree(sub)
        assert c.bgsave() is True
        wait_until(lambda: c.info("persistence")["rdb_bgsave_in_progress"] == 0,
                   "the failing BGSAVE to end")
        assert c.info("persistence")["rdb_last_bgsave_status"] == "err"
        out = []
        for cmd in (("SET", "k", "2"), ("PING",), ("GET", "k"), ("DEL", "k")):
            try:
                out.append(c.execute_command(*cmd))
            except redis.ResponseError as e:
                out.append("-" + str(e))
        # Inside MULTI the write is refused when queued and EXEC aborts.
        c2 = s.client(decode_responses=True)
        p = c2.pipeline(transaction=True)
        p.set("k", "3")
        try:
            p.execute()
            out.append("exec ran")
        except redis.ResponseError as e:
            out.append("-" + str(e))
        c.config_set("stop-writes-on-bgsave-error", "no")
        out.append(c.set("k", "4"))
        c.config_set("stop-writes-on-bgsave-error", "yes")
        c.config_set("save", "")
        out.append(c.set("k", "5"))  # no save points: no MISCONF either
        results[Path(binary).name] = out
        assert "Background saving error" in s.log_path.read_text()
    assert results["redis-server"] == results[baozi_binary().name]
    assert results["redis-server"][0] == "-" + MISCONF


@pytest.mark.parametrize("save", ["3600 1", ""])
def test_flushall_saves_the_empty_dataset_like_redis(procs, tmp_path, save):
    """With save points FLUSHALL writes the now empty dataset at once (a restart must not bring
    the keys back) and the change counter restarts from 0; without them nothing is written and
    the flush counts one change per key removed."""
    seen = {}
    for name, binary in (("redis", oracle_binary()), ("baozi", baozi_binary())):
        d = tmp_path / name
        s = procs(binary, d, "--save", save)
        c = s.client()
        c.mset({"a": "1", "b": "2"})
        assert c.flushall()
        changes = int(c.info("persistence")["rdb_changes_since_last_save"])
        dumped = (d / "dump.rdb").exists()
        c.set("after", "1")
        s.stop()
        seen[name] = (changes, dumped)
    assert seen["baozi"] == seen["redis"]
    assert seen["baozi"] == ((0, True) if save else (4, False))
