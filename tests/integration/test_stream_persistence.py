"""Streams through every persistence path, against redis-server 7.0.15: dump.rdb written by one
loaded by the other (SAVE + restart, and DEBUG RELOAD), DUMP payloads RESTOREd both ways, the
AOF rewrite compared command by command with Redis's, a restart from the AOF keeping groups and
PELs, DEBUG DIGEST alike, corrupt payloads refused with "Bad data format".

The dataset uses explicit IDs and fixes every PEL entry's delivery time and count with
XCLAIM ... TIME ... RETRYCOUNT, so that two servers given the same commands hold the same
bytes; only consumers' seen-times follow the clock, so values that moved through a file or a
payload are compared byte for byte (DUMP) while values built separately are compared without
them.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
import redis

from polling import wait_until
from serverproc import baozi_binary, is_redis_binary, oracle_binary
from test_rdb import with_footer

TOMB_PAYLOAD = (
    "13011000000000000000010000000000000001c3373f073f0000001b0003014000078161020001020100200102"
    "010104600940000204010320110002200a0004200780090781620202010601ff0301030101010304000a00a1e9"
    "442e9df790a4")

STREAM_KEYS = ["s:plain", "s:groups", "s:big", "s:empty", "s:trimmed", "s:ttl", "s:tomb"]


def fill_streams(c: redis.Redis):
    c.xadd("s:plain", {"a": 1, "b": "two"}, id="1-1")
    c.xadd("s:plain", {"a": 3, "b": "four"}, id="1-2")
    c.xadd("s:plain", {"other": "x" * 40}, id="5-0")

    c.xadd("s:groups", {"a": 1, "b": 2}, id="1-1")
    c.xadd("s:groups", {"a": 3, "b": 4}, id="1-2")
    c.xadd("s:groups", {"c": 5}, id="2-0")
    c.xadd("s:groups", {"a": 7, "b": 8}, id="3-0")
    c.xdel("s:groups", "1-2")
    c.xgroup_create("s:groups", "g1", "0")
    c.xreadgroup("g1", "alice", {"s:groups": ">"}, count=2)
    c.xreadgroup("g1", "bob", {"s:groups": ">"}, count=1)
    c.xclaim("s:groups", "g1", "alice", 0, ["1-1"], time=1000, retrycount=3, justid=True)
    c.xclaim("s:groups", "g1", "alice", 0, ["2-0"], time=2000, retrycount=1, justid=True)
    c.xclaim("s:groups", "g1", "bob", 0, ["3-0"], time=3000, retrycount=9, justid=True)
    c.execute_command("XGROUP", "CREATECONSUMER", "s:groups", "g1", "carol")
    c.xgroup_create("s:groups", "g0", "$")
    c.xgroup_create("s:groups", "g2", "1-1")

    p = c.pipeline(transaction=False)
    for i in range(700):
        p.xadd("s:big", {"field": i, "text": "v" * (i % 90), "n": -i}, id=f"{1000 + i}-{i % 4}")
    p.execute()
    c.xdel("s:big", "1005-1", "1300-0", "1699-3")
    c.xgroup_create("s:big", "readers", "0")
    c.xreadgroup("readers", "r1", {"s:big": ">"}, count=40)
    for i in range(41):  # 1005-1 is gone: the read went up to 1040-0
        c.xclaim("s:big", "readers", "r1", 0, [f"{1000 + i}-{i % 4}"], time=5000 + i,
                 retrycount=i, justid=True)
    c.xack("s:big", "readers", "1000-0", "1010-2")

    c.xgroup_create("s:empty", "g", "$", mkstream=True)

    for i in range(1, 50):
        c.xadd("s:trimmed", {"k": i}, id=f"{i}-0")
    c.xtrim("s:trimmed", maxlen=10)
    c.execute_command("XSETID", "s:trimmed", "100-5", "ENTRIESADDED", 500, "MAXDELETEDID", "90-0")

    c.xadd("s:ttl", {"k": "v"}, id="7-7")
    c.pexpire("s:ttl", 100_000_000)

    # XADD 1-1, 1-2, 1-3; XDEL 1-3; XSETID 1-2; XADD 1-3 b 2 — the new entry lands behind the
    # tombstone of the same ID. Made from Redis's DUMP of it.
    c.restore("s:tomb", 0, bytes.fromhex(TOMB_PAYLOAD))


def without_seen_times(info):
    """XINFO STREAM FULL with the consumers' seen-times left out (they follow the clock)."""
    out = dict(info)
    groups = []
    for g in info.get("groups", []):
        g = dict(g)
        consumers = []
        for c in g["consumers"]:  # flat [b"name", n, b"seen-time", t, ...] lists
            c = list(c)
            at = c.index(b"seen-time")
            consumers.append(c[:at] + c[at + 2:])
        g["consumers"] = consumers
        groups.append(g)
    out["groups"] = groups
    return out


def full(c: redis.Redis, key: str):
    return c.xinfo_stream(key, full=True)


def digest(c: redis.Redis) -> bytes:
    return c.execute_command("DEBUG", "DIGEST")


def digest_value(c: redis.Redis, key: str) -> bytes:
    return c.execute_command("DEBUG", "DIGEST-VALUE", key)


def dumps(c: redis.Redis) -> dict:
    return {k: c.dump(k) for k in STREAM_KEYS}


def sanitize_args(binary) -> tuple:
    # Redis trusts payloads unless told to check them deeply; baozi always does.
    return ("--sanitize-dump-payload", "yes") if is_redis_binary(Path(binary)) else ()


@pytest.fixture
def pair(procs, tmp_path):
    b = procs(baozi_binary(), tmp_path / "b")
    r = procs(oracle_binary(), tmp_path / "r")
    return b, r


def test_same_commands_same_values(pair):
    b, r = pair
    cb, cr = b.client(), r.client()
    fill_streams(cb)
    fill_streams(cr)
    assert digest(cb) == digest(cr)
    for key in STREAM_KEYS:
        assert cb.type(key) == b"stream"
        assert cb.object("encoding", key) == b"stream"
        assert digest_value(cb, key) == digest_value(cr, key), key
        assert without_seen_times(full(cb, key)) == without_seen_times(full(cr, key)), key
    # Streams without consumers hold nothing clock-dependent: DUMP is Redis's byte for byte.
    for key in ("s:plain", "s:big", "s:empty", "s:trimmed", "s:ttl", "s:tomb"):
        if key == "s:big":
            continue  # has a consumer
        assert cb.dump(key) == cr.dump(key), key


@pytest.mark.parametrize("direction", ["baozi_to_redis", "redis_to_baozi"])
def test_dump_rdb_moves_between_servers(procs, tmp_path, direction):
    src_bin, dst_bin = baozi_binary(), oracle_binary()
    if direction == "redis_to_baozi":
        src_bin, dst_bin = dst_bin, src_bin
    src = procs(src_bin, tmp_path / "src")
    cs = src.client()
    fill_streams(cs)
    before = dumps(cs)
    infos = {k: full(cs, k) for k in STREAM_KEYS}
    assert cs.save() is True
    (tmp_path / "dst").mkdir()
    shutil.copy(tmp_path / "src" / "dump.rdb", tmp_path / "dst" / "dump.rdb")
    dst = procs(dst_bin, tmp_path / "dst")
    cd = dst.client()
    assert cd.dbsize() == cs.dbsize()
    assert digest(cd) == digest(cs)
    assert dumps(cd) == before
    for key in STREAM_KEYS:
        assert full(cd, key) == infos[key], key
    assert 99_000_000 < cd.pttl("s:ttl") <= 100_000_000


def test_debug_reload_keeps_streams(procs, tmp_path):
    s = procs(baozi_binary(), tmp_path / "b")
    c = s.client()
    fill_streams(c)
    before, d = dumps(c), digest(c)
    infos = {k: full(c, k) for k in STREAM_KEYS}
    assert c.execute_command("DEBUG", "RELOAD") == b"OK"
    assert dumps(c) == before
    assert digest(c) == d
    for key in STREAM_KEYS:
        assert full(c, key) == infos[key], key
    # The loaded streams keep working: new entries, reads, acks.
    c.xadd("s:groups", {"new": 1}, id="4-0")
    assert c.xreadgroup("g1", "carol", {"s:groups": ">"})[0][1][0][0] == b"4-0"
    assert c.xack("s:groups", "g1", "1-1", "4-0") == 2


def test_dump_restore_both_ways(pair):
    b, r = pair
    cb, cr = b.client(), r.client()
    fill_streams(cb)
    fill_streams(cr)
    for src, dst in ((cr, cb), (cb, cr)):
        for key in STREAM_KEYS:
            payload = src.dump(key)
            assert dst.restore(key + ":copy", max(src.pttl(key), 0), payload) == b"OK"
            assert dst.dump(key + ":copy") == payload, key
            assert digest_value(dst, key + ":copy") == digest_value(src, key)
            assert full(dst, key + ":copy") == full(src, key), key
        for key in STREAM_KEYS:
            dst.delete(key + ":copy")


def test_restore_of_streams_from_redis_7_0_payload(procs, tmp_path):
    """A fixed payload Redis 7.0.15 produced (see tests/unit/persistence/stream_rdb_test.cc)."""
    s = procs(baozi_binary(), tmp_path / "b")
    c = s.client()
    payload = bytes.fromhex(
        "13000000000000000000010167000081ffffffffffffffff00000a00a01a953dfb9cddde")
    assert c.restore("e", 0, payload) == b"OK"
    assert c.xlen("e") == 0
    assert c.xinfo_groups("e")[0]["name"] == b"g"
    assert c.dump("e") == payload


def aof_commands(work: Path) -> dict:
    """The commands of the newest base AOF, grouped by the key they touch."""
    base = sorted((work / "appendonlydir").glob("*.base.aof"),
                  key=lambda p: int(p.name.split(".")[2]))[-1]
    data = base.read_bytes()
    i, per_key = 0, {}
    while i < len(data):
        assert data[i:i + 1] == b"*", data[i:i + 40]
        j = data.index(b"\r\n", i)
        n, start, i = int(data[i + 1:j]), i, j + 2
        args = []
        for _ in range(n):
            j = data.index(b"\r\n", i)
            ln = int(data[i + 1:j])
            i = j + 2
            args.append(data[i:i + ln])
            i += ln + 2
        key = args[2] if args[0].upper() == b"XGROUP" else args[1] if len(args) > 1 else b""
        per_key.setdefault(key, b"")
        per_key[key] += data[start:i]
    return per_key


def test_aof_rewrite_equals_redis_and_restarts(procs, tmp_path):
    args = ("--appendonly", "yes", "--aof-use-rdb-preamble", "no")
    b = procs(baozi_binary(), tmp_path / "b", *args)
    r = procs(oracle_binary(), tmp_path / "r", *args)
    outs = []
    for s, sub in ((b, "b"), (r, "r")):
        c = s.client()
        fill_streams(c)
        c.bgrewriteaof()
        wait_until(lambda: c.info("persistence")["aof_rewrite_in_progress"] == 0
                   and c.info("persistence")["aof_rewrite_scheduled"] == 0,
                   "the rewrite to end", timeout=20)
        outs.append(aof_commands(tmp_path / sub))
    ours, theirs = outs
    for key in STREAM_KEYS:
        k = key.encode()
        if key == "s:ttl":
            # PEXPIREAT's deadline follows each server's clock.
            assert ours[k].split(b"PEXPIREAT")[0] == theirs[k].split(b"PEXPIREAT")[0]
        else:
            assert ours[k] == theirs[k], key

    # A restart from the rewritten AOF keeps entries, counters, groups and PELs.
    cb = b.client()
    before = {k: without_seen_times(full(cb, k)) for k in STREAM_KEYS}
    d = digest(cb)
    b.stop()
    b2 = procs(baozi_binary(), tmp_path / "b", *args)
    c2 = b2.client()
    assert digest(c2) == d
    for key in STREAM_KEYS:
        assert without_seen_times(full(c2, key)) == before[key], key
    pending = c2.xpending_range("s:groups", "g1", "-", "+", 10)
    assert [(p["message_id"], p["consumer"], p["times_delivered"]) for p in pending] == [
        (b"1-1", b"alice", 3), (b"2-0", b"alice", 1), (b"3-0", b"bob", 9)]


def test_corrupt_stream_payloads_are_refused(procs, tmp_path):
    binary = baozi_binary()
    s = procs(binary, tmp_path / "b", *sanitize_args(binary))
    c = s.client()
    fill_streams(c)
    payloads = [c.dump(k) for k in ("s:plain", "s:groups", "s:empty", "s:tomb", "s:trimmed")]
    rnd = random.Random(20261122)
    outcomes = {"ok": 0, "bad": 0}
    for _ in range(2000):
        body = bytearray(rnd.choice(payloads)[:-10])
        for _ in range(rnd.randint(1, 2)):
            body[rnd.randrange(1, len(body))] ^= rnd.randrange(1, 256)
        try:
            c.restore("fuzz", 0, with_footer(bytes(body)), replace=True)
        except redis.ResponseError as e:
            assert str(e) == "Bad data format", str(e)
            outcomes["bad"] += 1
            continue
        outcomes["ok"] += 1
        if c.type("fuzz") == b"stream":
            c.xrange("fuzz")
            c.xrevrange("fuzz")
            c.xinfo_stream("fuzz", full=True)
            c.dump("fuzz")
            digest_value(c, "fuzz")
    assert s.alive() and c.ping()
    assert outcomes["bad"] > 100 and outcomes["ok"] > 0


@pytest.mark.parametrize("case", ["short_node_key", "empty_listpack", "missing_nack", "nack_owner"])
def test_specific_corruptions_give_bad_data_format(procs, tmp_path, case):
    binary = baozi_binary()
    s = procs(binary, tmp_path / "b", *sanitize_args(binary))
    c = s.client()
    # XADD k 1-1 a 1; no groups. Layout: type, 1 node, key (16 bytes), listpack, length 1,
    # last 1-1, first 1-1, max-deleted 0-0, entries-added 1, 0 groups.
    c.xadd("k", {"a": 1}, id="1-1")
    body = bytearray(c.dump("k")[:-10])
    assert body[:3] == b"\x13\x01\x10"
    lp_at = 3 + 16
    lp_len = body[lp_at]
    tail = lp_at + 1 + lp_len
    assert body[tail:] == b"\x01\x01\x01\x01\x01\x00\x00\x01\x00"
    if case == "short_node_key":
        body = body[:2] + b"\x0f" + body[3:18] + body[19:]
    elif case == "empty_listpack":
        body = body[:lp_at] + b"\x07\x07\x00\x00\x00\x00\x00\xff" + body[tail:]
    elif case == "missing_nack":
        # One group "g" with an empty PEL and a consumer "c" claiming to own 1-1.
        raw_id = bytes.fromhex("00000000000000010000000000000001")
        body = body[:-1] + b"\x01\x01g\x01\x01\x01\x00\x01\x01c" + bytes(8) + b"\x01" + raw_id
    else:
        # One group "g" at 1-1 (entries read 1) whose PEL holds 1-1, owned by no consumer.
        raw_id = bytes.fromhex("00000000000000010000000000000001")
        body = body[:-1] + b"\x01\x01g\x01\x01\x01\x01" + raw_id + bytes(8) + b"\x01\x00"
    with pytest.raises(redis.ResponseError, match="^Bad data format$"):
        c.restore("bad", 0, with_footer(bytes(body)))
    assert c.ping()
