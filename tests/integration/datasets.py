"""Datasets for the persistence tests: one that hits every encoding, and two ways to compare
a dataset across servers (Redis's DEBUG DIGEST, and key by key with types, encodings and TTLs).
"""

from __future__ import annotations

import random

import redis


def snapshot(c: redis.Redis, dbs=16) -> dict:
    """Every key of every db: (type, encoding, contents, has_ttl)."""
    out = {}
    for db in range(dbs):
        c.execute_command("SELECT", db)
        for key in c.scan_iter(count=1000):
            t = c.type(key).decode()
            if t == "string":
                v = c.get(key)
            elif t == "list":
                v = c.lrange(key, 0, -1)
            elif t == "hash":
                v = c.hgetall(key)
            elif t == "set":
                v = sorted(c.smembers(key))
            elif t == "zset":
                v = c.zrange(key, 0, -1, withscores=True)
            else:
                v = None
            enc = c.object("encoding", key)
            out[(db, key)] = (t, enc, v, c.pttl(key) > 0)
    c.execute_command("SELECT", 0)
    return out


def digest(c: redis.Redis) -> str:
    d = c.execute_command("DEBUG", "DIGEST")
    return d.decode() if isinstance(d, bytes) else d


def fill_every_encoding(c: redis.Redis, seed=7):
    """A dataset with every type in its small and big encodings, TTLs, several dbs."""
    rnd = random.Random(seed)
    p = c.pipeline(transaction=False)
    p.set("int", 12345)
    p.set("negint", -987654321)
    p.set("bigint", 2**62)
    p.set("embstr", "hello")
    p.set("raw", "x" * 100)
    p.set("compressible", "ab" * 2000)
    p.set("random", bytes(rnd.getrandbits(8) for _ in range(3000)))
    p.set("empty", "")
    p.set("ttl", "v", ex=10000)
    p.rpush("list_small", "a", "b", 1, 2, -3, "c" * 50)
    p.rpush("list_big", *[f"element-{i}" for i in range(5000)])
    p.rpush("list_ints", *range(1000))
    p.rpush("list_long_elems", *["y" * 10000 for _ in range(5)])
    p.hset("hash_small", mapping={"f1": "v1", "f2": 2, "n": -5})
    p.hset("hash_big", mapping={f"field{i}": f"value{i}" for i in range(1000)})
    p.hset("hash_long_value", mapping={"f": "z" * 100})
    p.sadd("set_ints", 1, 2, 3, -100, 2**40)
    p.sadd("set_strs", "a", "b", "c")
    p.sadd("set_big_ints", *range(1000))
    p.sadd("set_big", *[f"member{i}" for i in range(2000)])
    p.zadd("zset_small", {"a": 1, "b": 2.5, "c": -0.125, "d": 1e100, "e": 3})
    p.zadd("zset_big", {f"m{i}": i * 1.5 for i in range(1000)})
    p.zadd("zset_long", {"m" * 100: 1})
    p.zadd("zset_inf", {"pinf": float("inf"), "ninf": float("-inf")})
    p.expire("list_big", 5000)
    p.pexpire("hash_big", 5000000)
    p.execute()
    for db in (1, 5, 15):
        c.execute_command("SELECT", db)
        c.set(f"db{db}", db)
        c.hset(f"h{db}", "f", "v")
    c.execute_command("SELECT", 0)


def assert_same(a: redis.Redis, b: redis.Redis):
    assert digest(a) == digest(b)
    sa, sb = snapshot(a), snapshot(b)
    assert sa.keys() == sb.keys()
    for k in sa:
        assert sa[k] == sb[k], k
