"""maxmemory on a real server with its real allocator.

As Redis's own unit/maxmemory.tcl: with maxmemory set a little above the
current usage, write ten times the headroom and check after every command that
used_memory stays below maxmemory + 4096 (INFO memory is pipelined after each
write, so it reports the state right after that write).  Runs against
redis-server too (BAOZI_SERVER=/usr/bin/redis-server) to check the test."""

from __future__ import annotations

import random
import re

import pytest

import rawresp

HEADROOM = 2 * 1024 * 1024
SLACK = 4096
OOM = b"-OOM command not allowed when used memory > 'maxmemory'.\r\n"
USED_RE = re.compile(rb"\r\nused_memory:(\d+)\r\n")

EVICTING = [
    "allkeys-lru",
    "volatile-lru",
    "allkeys-lfu",
    "volatile-lfu",
    "allkeys-random",
    "volatile-random",
    "volatile-ttl",
]


def pipeline(conn: rawresp.Conn, commands) -> list[bytes]:
    """Sends every command at once; returns the raw replies in order."""
    conn.send(b"".join(rawresp.encode(*c) for c in commands))
    replies, buf, pos = [], b"", 0
    while len(replies) < len(commands):
        try:
            end = rawresp.reply_end(buf, pos)
        except rawresp.Incomplete:
            chunk = conn.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("server closed the connection")
            buf = buf[pos:] + chunk
            pos = 0
            continue
        replies.append(buf[pos:end])
        pos = end
    return replies


def used_memory(info_reply: bytes) -> int:
    m = USED_RE.search(info_reply)
    assert m, info_reply[:200]
    return int(m.group(1))


def stat(r, name) -> int:
    return int(r.info("stats")[name])


def set_limit(r, policy, headroom=HEADROOM) -> int:
    r.config_set("maxmemory-policy", policy)
    limit = int(r.info("memory")["used_memory"]) + headroom
    r.config_set("maxmemory", limit)
    return limit


def write_and_check(conn, limit, commands, batch=200) -> int:
    """Runs the writes, each followed by INFO memory; returns the highest used_memory seen."""
    highest = 0
    for i in range(0, len(commands), batch):
        chunk = commands[i : i + batch]
        replies = pipeline(conn, [c for cmd in chunk for c in (cmd, ("INFO", "memory"))])
        for cmd, reply, info in zip(chunk, replies[0::2], replies[1::2]):
            assert reply == b"+OK\r\n", (cmd[:2], reply)
            used = used_memory(info)
            highest = max(highest, used)
            assert used < limit + SLACK, f"{cmd[:2]}: used_memory {used} > {limit} + {SLACK}"
    return highest


@pytest.mark.parametrize("policy", EVICTING)
def test_memory_limit_is_honoured(server, policy):
    r = server.client(decode_responses=True)
    limit = set_limit(r, policy)
    rng = random.Random(policy)
    volatile = policy.startswith("volatile")
    # Under a volatile policy a few keys without a TTL must survive everything.
    keep = [f"keep:{i}" for i in range(200)] if volatile else []
    for k in keep:
        assert r.set(k, "x" * 50)
    commands, written, n = [], 0, 0
    while written < 10 * HEADROOM:
        size = rng.choice((16, 64, 100, 300, 1000))
        key = f"key:{n}:{rng.randrange(1 << 30)}"
        if volatile or n % 2 == 0:
            commands.append(("SETEX", key, "10000", "v" * size))
        else:
            commands.append(("SET", key, "v" * size))
        written += size + len(key)
        n += 1
    with server.raw(timeout=60) as conn:
        write_and_check(conn, limit, commands)
    assert int(r.info("memory")["used_memory"]) < limit + SLACK
    assert stat(r, "evicted_keys") > 0
    # Most of what was written is gone: the key count stays bounded by the limit.
    assert 0 < r.dbsize() < len(commands) // 3
    for k in keep:
        assert r.exists(k), f"{policy} evicted {k}, which has no TTL"


def test_large_value_under_allkeys_lru(server, is_baozi):
    if not is_baozi:
        # Redis stops each eviction cycle after maxmemory-eviction-tenacity's time budget and
        # finishes from a timer, so right after a large write it can be megabytes over.
        pytest.skip("redis-server evicts only before commands, within a time budget")
    r = server.client(decode_responses=True)
    limit = set_limit(r, "allkeys-lru", headroom=4 * 1024 * 1024)
    with server.raw(timeout=60) as conn:
        small = [("SET", f"small:{i}", "s" * 100) for i in range(30000)]
        write_and_check(conn, limit, small)
        big = "B" * (1024 * 1024)
        highest = write_and_check(conn, limit, [("SET", "big", big)])
        assert highest < limit + SLACK
    assert r.strlen("big") == len(big)
    assert stat(r, "evicted_keys") > 0


def test_noeviction_refuses_writes(server):
    r = server.client(decode_responses=True)
    limit = set_limit(r, "noeviction", headroom=512 * 1024)
    refused = None
    with server.raw() as conn:
        for i in range(5000):
            reply = conn.call_raw("SET", f"k{i}", "v" * 1000)
            if reply != b"+OK\r\n":
                refused = (i, reply)
                break
        assert refused is not None, "writes were never refused"
        i, reply = refused
        assert reply == OOM
        # Usage hovers around the limit (buffers come and go); go clearly over it.
        used = int(r.info("memory")["used_memory"])
        limit = used - 128 * 1024
        r.config_set("maxmemory", limit)
        assert conn.call_raw("SETEX", "other", "100", "v") == OOM
        assert conn.call_raw("APPEND", "k0", "x") == OOM
        # Reads and deletes still work.
        assert conn.call_raw("GET", "k1") == b"$1000\r\n" + b"v" * 1000 + b"\r\n"
        assert conn.call_raw("EXISTS", "k0") == b":1\r\n"
        assert conn.call_raw("DBSIZE") == b":%d\r\n" % i
        dels = pipeline(conn, [("DEL", f"k{j}") for j in range(i)])
        assert all(d == b":1\r\n" for d in dels)
        assert conn.call_raw("SET", "again", "v") == b"+OK\r\n"
    assert stat(r, "evicted_keys") == 0
    assert int(r.info("memory")["used_memory"]) < limit


def lfu_sequence(srv):
    r = srv.client(decode_responses=True)
    r.config_set("maxmemory-policy", "allkeys-lfu")
    r.set("hot", "v")
    r.set("cold", "v")
    before = r.object("freq", "hot")
    for _ in range(300):
        r.get("hot")
    after = r.object("freq", "hot")
    cold = r.object("freq", "cold")
    with pytest.raises(Exception, match="An LFU maxmemory policy is selected"):
        r.object("idletime", "hot")
    r.config_set("maxmemory-policy", "allkeys-lru")
    with pytest.raises(Exception, match="An LFU maxmemory policy is not selected"):
        r.object("freq", "hot")
    return before, after, cold


def test_object_freq_rises_with_reads_as_in_redis(server, oracle):
    ours = lfu_sequence(server)
    theirs = lfu_sequence(oracle)
    for before, after, cold in (ours, theirs):
        # A new key starts at LFU_INIT_VAL (5); 300 reads at lfu-log-factor 10 reach ~11.
        assert before == 5
        assert cold == 5
        assert 8 <= after <= 20
    assert abs(ours[1] - theirs[1]) <= 4


def lfu_survivors(srv) -> int:
    r = srv.client(decode_responses=True)
    limit = set_limit(r, "allkeys-lfu")
    hot = [f"hot:{i}" for i in range(100)]
    for k in hot:
        r.set(k, "h" * 100)
    with srv.raw(timeout=60) as conn:
        # Enough hits that one LFU decay step (a minute boundary crossed mid-test) still leaves
        # the hot keys well above new keys' initial counter.
        pipeline(conn, [("GET", k) for _ in range(100) for k in hot])
        writes = [("SET", f"new:{i}", "n" * 200) for i in range(10 * HEADROOM // 250)]
        write_and_check(conn, limit, writes)
    return sum(r.exists(k) for k in hot)


def test_allkeys_lfu_keeps_hot_keys_as_redis(server, oracle):
    ours = lfu_survivors(server)
    theirs = lfu_survivors(oracle)
    assert ours >= 90
    assert ours >= theirs - 5
