"""INFO memory and MEMORY against redis-server: the same fields in the same order, and a
used_memory that follows the data (it rises by what is written and falls back when it goes)."""

from __future__ import annotations

import pytest


def info_fields(client) -> list[str]:
    # redis-py parses INFO into a dict that keeps the server's field order.
    return list(client.info("memory").keys())


def info_value(client, field: str) -> int:
    return int(client.info("memory")[field])


def load_shape(client):
    """The same small dataset on both servers: keys in db 0 (some with a TTL) and db 2."""
    p = client.pipeline(transaction=False)
    for i in range(50):
        p.set(f"k{i}", "v" * i)
    p.set("ttl", "x", ex=100)
    p.hset("h", mapping={"a": "1", "b": "2"})
    p.rpush("l", "a", "b")
    p.execute()
    client.execute_command("SELECT", 2)
    client.sadd("s", "x", "y")
    client.execute_command("SELECT", 0)


def stats_shape(client) -> list:
    """MEMORY STATS keys in order, with the nested per-db keys."""
    raw = client.execute_command("MEMORY", "STATS")
    if isinstance(raw, dict):
        items = list(raw.items())
    else:
        items = list(zip(raw[0::2], raw[1::2]))
    shape = []
    for key, value in items:
        key = key.decode() if isinstance(key, bytes) else key
        if key.startswith("db."):
            if isinstance(value, dict):
                nested = list(value.keys())
            else:
                nested = value[0::2]
            shape.append((key, [k.decode() if isinstance(k, bytes) else k for k in nested]))
        else:
            shape.append(key)
    return shape


def test_info_memory_fields_match_redis(server, oracle):
    ours = server.client(decode_responses=True)
    theirs = oracle.client(decode_responses=True)
    assert info_fields(ours) == info_fields(theirs)
    info = ours.info("memory")
    assert info["mem_allocator"] in ("jemalloc-5.3.0", "libc")
    assert info["used_memory_startup"] > 0
    assert info["used_memory_startup"] <= info["used_memory"]
    # Redis prints this one with a percent sign (redis-py leaves it a string).
    assert str(info["used_memory_peak_perc"]).endswith("%")


def test_memory_stats_keys_match_redis(server, oracle):
    ours = server.client()
    theirs = oracle.client()
    # redis-py parses MEMORY STATS into a dict; the raw reply keeps the order Redis sends.
    for c in (ours, theirs):
        c.set_response_callback("MEMORY STATS", lambda r, **kw: r)
    assert stats_shape(ours) == stats_shape(theirs)
    load_shape(ours)
    load_shape(theirs)
    assert stats_shape(ours) == stats_shape(theirs)
    flat = ours.execute_command("MEMORY", "STATS")
    stats = {flat[i].decode(): flat[i + 1] for i in range(0, len(flat), 2)}
    assert stats["keys.count"] == 54
    assert stats["dataset.bytes"] == stats["total.allocated"] - stats["overhead.total"]


def test_used_memory_follows_writes_and_flushall(r):
    r.execute_command("FLUSHALL")
    base = info_value(r, "used_memory")
    value = "x" * 1000
    for batch in range(10):
        p = r.pipeline(transaction=False)
        for i in range(1000):
            p.set(f"key:{batch}:{i}", value)
        p.execute()
    loaded = info_value(r, "used_memory")
    grown = loaded - base
    # 10,000 values of 1000 bytes (1024 with the allocator's rounding) plus keys and entries.
    assert grown >= 10_000_000
    assert grown < 12_000_000
    assert r.dbsize() == 10_000
    r.execute_command("FLUSHALL")
    after = info_value(r, "used_memory")
    assert after - base < 200_000
    info = r.info("memory")
    assert info["used_memory_peak"] >= loaded


def test_memory_usage_of_a_megabyte_string(r):
    r.set("big", "z" * 1_000_000)
    usage = r.memory_usage("big")
    assert 1_000_000 <= usage < 1_100_000
    assert r.memory_usage("nosuchkey") is None
    assert r.memory_usage("big", samples=0) == usage


def test_memory_usage_errors_match_redis(server, oracle):
    for srv in (server, oracle):
        c = srv.client(decode_responses=True)
        c.set("k", "v")
        for args, message in [
            (("k", "SAMPLES"), "syntax error"),
            (("k", "SAMPLES", "-1"), "syntax error"),
            (("k", "SAMPLES", "x"), "value is not an integer or out of range"),
            (("k", "bogus"), "syntax error"),
        ]:
            with pytest.raises(Exception) as e:
                c.execute_command("MEMORY", "USAGE", *args)
            assert message in str(e.value), (srv, args)
        assert c.execute_command("MEMORY", "PURGE") == "OK"
        assert c.execute_command("MEMORY", "DOCTOR").startswith("Hi Sam")
