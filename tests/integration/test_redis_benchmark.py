"""redis-benchmark (Debian redis-tools 7.0.15): the full default suite against the server.

Each run is the tool's own default test list (no -t), quiet, with a small request
count so it stays fast, plain and with -P 16, -3 and --dbnum 3.  A run passes when
every default test reports its requests per second, in Redis's order, and nothing
else is printed: no "Error from server", no "WARNING: Could not fetch server CONFIG".
No error line is tolerated.  7.0.15's default list has no XADD test (later
redis-benchmarks run one), so XADD gets an explicit run of its own.  After each
run the keyspace the suite leaves behind (types, lengths, values) must equal what
the same run leaves in Redis itself.
"""

from __future__ import annotations

import re
import subprocess

import pytest
import redis

REQUESTS = 2000

DEFAULT_TESTS = [
    "PING_INLINE",
    "PING_MBULK",
    "SET",
    "GET",
    "INCR",
    "LPUSH",
    "RPUSH",
    "LPOP",
    "RPOP",
    "SADD",
    "HSET",
    "SPOP",
    "ZADD",
    "ZPOPMIN",
    "LPUSH (needed to benchmark LRANGE)",
    "LRANGE_100 (first 100 elements)",
    "LRANGE_300 (first 300 elements)",
    "LRANGE_500 (first 500 elements)",
    "LRANGE_600 (first 600 elements)",
    "MSET (10 keys)",
]

RESULT = re.compile(r"^(.+): (\d+(?:\.\d+)?) requests per second, p50=\d+(?:\.\d+)? msec$")
def benchmark(redis_benchmark, srv, *args, timeout=120):
    """Runs redis-benchmark; returns ({test: rps}, other output lines, exit code)."""
    p = subprocess.run(
        [redis_benchmark, "-h", srv.host, "-p", str(srv.port), "-q", "-n", str(REQUESTS),
         *args],
        stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    text = p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace")
    results: dict[str, float] = {}
    order: list[str] = []
    other: list[str] = []
    # Progress lines end in \r and are overwritten; results end in \n.
    for seg in re.split(r"[\r\n]", text):
        line = seg.strip()
        if not line or "rps=" in line:
            continue
        m = RESULT.match(line)
        if m:
            order.append(m.group(1))
            results[m.group(1)] = float(m.group(2))
        else:
            other.append(line)
    return order, results, other, p.returncode


def keyspace(srv) -> dict:
    """{db: {key: (type, content)}} for every non-empty database."""
    out = {}
    for db in range(16):
        c = srv.client(decode_responses=True, db=db)
        keys = c.keys("*")
        if not keys:
            continue
        snapshot = {}
        for k in keys:
            t = c.type(k)
            if t == "string":
                v = c.get(k)
            elif t == "list":
                v = c.lrange(k, 0, -1)
            elif t == "hash":
                v = sorted(c.hgetall(k).items())
            elif t == "set":
                v = sorted(c.smembers(k))
            elif t == "zset":
                v = c.zrange(k, 0, -1, withscores=True)
            else:
                v = None
            snapshot[k] = (t, v)
        out[db] = snapshot
    return out


def check_run(order, results, other, rc):
    # An error reply makes redis-benchmark exit 1.
    assert rc == 0, (rc, other)
    assert not other, "unexpected output lines:\n" + "\n".join(other)
    assert order == DEFAULT_TESTS, order
    assert all(rps > 0 for rps in results.values()), results


VARIANTS = {
    "default": (),
    "pipeline16": ("-P", "16"),
    "resp3": ("-3",),
    "dbnum3": ("--dbnum", "3"),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_default_suite(redis_benchmark, server, oracle, variant):
    args = VARIANTS[variant]
    check_run(*benchmark(redis_benchmark, server, *args))
    o_order, _, o_other, o_rc = benchmark(redis_benchmark, oracle, *args)
    assert o_rc == 0 and o_order == DEFAULT_TESTS and not o_other, o_other
    got, want = keyspace(server), keyspace(oracle)
    assert got == want
    db = 3 if variant == "dbnum3" else 0
    assert list(got) == [db], list(got)
    keys = got[db]
    # INCR ran REQUESTS times on one key; MSET and SET wrote 3-byte values;
    # LPUSH/RPUSH/LPOP/RPOP net to nothing before the LRANGE fill; the pops emptied
    # the set and the sorted set, which are therefore gone.
    assert keys["counter:__rand_int__"] == ("string", str(REQUESTS))
    assert keys["key:__rand_int__"][0] == "string" and len(keys["key:__rand_int__"][1]) == 3
    assert keys["mylist"][0] == "list" and len(keys["mylist"][1]) == REQUESTS
    assert keys["myhash"] == ("hash", [("element:__rand_int__", keys["myhash"][1][0][1])])
    assert set(keys) == {"counter:__rand_int__", "key:__rand_int__", "mylist", "myhash"}


def test_all_options_together(redis_benchmark, server):
    check_run(*benchmark(redis_benchmark, server, "-P", "16", "-3", "--dbnum", "3", "-c", "20",
                         "-r", "1000"))
    c = server.client(decode_responses=True, db=3)
    assert server.client(db=0).dbsize() == 0
    keys = c.keys("*")
    # -r: keys spread over random 12-digit suffixes instead of the literal placeholder.
    assert any(re.fullmatch(r"key:\d{12}", k) for k in keys), keys[:20]
    assert any(re.fullmatch(r"counter:\d{12}", k) for k in keys), keys[:20]
    total = sum(int(c.get(k)) for k in keys if k.startswith("counter:"))
    assert total == REQUESTS


def test_xadd_runs_like_redis(redis_benchmark, server, oracle):
    """XADD, which later redis-benchmarks run by default: it runs cleanly on both servers and
    leaves a stream of REQUESTS entries."""
    for s in (server, oracle):
        redis.Redis(host=s.host, port=s.port).delete("bench:s")
        order, _, other, rc = benchmark(redis_benchmark, s, "xadd", "bench:s", "*", "f", "v")
        assert rc == 0 and order == ["xadd bench:s * f v"] and not other, (order, other)
        c = redis.Redis(host=s.host, port=s.port)
        assert c.type("bench:s") == b"stream"
        assert c.xlen("bench:s") == REQUESTS
        assert c.xinfo_stream("bench:s")["entries-added"] == REQUESTS
    # A command that exists nowhere is an error on both: the filter above is not blind.
    for s in (server, oracle):
        order, _, other, rc = benchmark(redis_benchmark, s, "nosuchcommand", "x")
        assert not order and rc == 1
        assert other == ["Error from server: ERR unknown command 'nosuchcommand', with args "
                         "beginning with: 'x'"], other


def test_custom_commands(redis_benchmark, server, oracle):
    """Commands given on the command line, including a script, with -r placeholders."""
    for s in (server, oracle):
        order, _, other, rc = benchmark(redis_benchmark, s, "-r", "100", "-c", "10", "eval",
                                        "return redis.call('incr', KEYS[1])", "1",
                                        "ctr:__rand_int__")
        assert rc == 0 and not other and len(order) == 1, other
        order, _, other, rc = benchmark(redis_benchmark, s, "-r", "50", "-c", "10", "hset",
                                        "h", "f:__rand_int__", "v")
        assert rc == 0 and not other and len(order) == 1, other
    for s in (server, oracle):
        c = s.client(decode_responses=True)
        ctrs = [k for k in c.keys("ctr:*")]
        assert 0 < len(ctrs) <= 100
        assert sum(int(c.get(k)) for k in ctrs) == REQUESTS
        assert 0 < c.hlen("h") <= 50
