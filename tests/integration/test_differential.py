"""Differential tests: the server under test against Debian's redis-server.

Both are started fresh, side by side, and get the identical input; every reply
must be byte-identical (after the normalisation described in diffgen/core.py).
On a mismatch the failure names the seed, the command index, the command,
both replies and the commands before it; reproduce with
`cd tests/integration && /usr/bin/python3 -m diffgen --seed N --count M`.

DIFF_SEEDS (comma-separated) and DIFF_COUNT override the seeds and the number
of commands per seed.
"""

import os
import socket
import time

import pytest

import diffgen
from diffgen.harness import Runner, subscribe_events

DEFAULT_SEEDS = ",".join(str(s) for s in range(1, 21))
SEEDS = [int(s) for s in os.environ.get("DIFF_SEEDS", DEFAULT_SEEDS).split(",") if s]
COUNT = int(os.environ.get("DIFF_COUNT", "5000"))


@pytest.mark.parametrize("seed", SEEDS)
def test_random_command_sequence(seed, server, oracle):
    resp3 = seed % 2 == 0  # even seeds speak RESP3 after HELLO 3
    cmds = diffgen.generate(seed, COUNT)
    with server.raw(timeout=5) as a, oracle.raw(timeout=5) as b:
        if resp3:
            assert a.call_raw("HELLO", "3").startswith(b"%7\r\n")
            assert b.call_raw("HELLO", "3").startswith(b"%7\r\n")
        runner = Runner(a, b, label=f"seed {seed} ({'RESP3' if resp3 else 'RESP2'})")
        runner.run(cmds)
        assert len(runner.history) == len(cmds)


EVENT_SEEDS = [int(s) for s in os.environ.get("DIFF_EVENT_SEEDS", "101,102").split(",") if s]
EVENT_COUNT = int(os.environ.get("DIFF_EVENT_COUNT", "3000"))


@pytest.mark.parametrize("seed", EVENT_SEEDS)
def test_keyspace_events_match(seed, server, oracle):
    """notify-keyspace-events KEAn on both servers: after every command, the events it published
    (seen by a second connection subscribed to every keyspace and keyevent channel) must be the
    same, in the same order, as Redis's."""
    resp3 = seed % 2 == 0
    cmds = diffgen.generate(seed, EVENT_COUNT)
    events = subscribe_events(server, oracle, classes="KEAn")
    with server.raw(timeout=5) as a, oracle.raw(timeout=5) as b:
        if resp3:
            a.call_raw("HELLO", "3")
            b.call_raw("HELLO", "3")
        label = f"events seed {seed} ({'RESP3' if resp3 else 'RESP2'})"
        try:
            Runner(a, b, label=label, events=events).run(cmds)
        finally:
            for sub in events:
                sub.close()


EXPECTED_COMMANDS = {
    b"SET", b"GET", b"GETEX", b"GETDEL", b"GETSET", b"SETNX", b"SETEX", b"PSETEX", b"MSET",
    b"MSETNX", b"MGET", b"APPEND", b"STRLEN", b"GETRANGE", b"SUBSTR", b"SETRANGE", b"INCR",
    b"DECR", b"INCRBY", b"DECRBY", b"INCRBYFLOAT", b"LCS", b"SETBIT", b"GETBIT", b"BITCOUNT",
    b"BITPOS", b"BITOP", b"BITFIELD", b"BITFIELD_RO", b"DEL", b"UNLINK", b"EXISTS", b"TYPE",
    b"RENAME", b"RENAMENX", b"DBSIZE", b"TOUCH", b"COPY", b"MOVE", b"SELECT", b"SWAPDB",
    b"EXPIRE", b"PEXPIRE", b"EXPIREAT", b"PEXPIREAT", b"TTL", b"PTTL", b"EXPIRETIME",
    b"PEXPIRETIME", b"PERSIST", b"OBJECT", b"KEYS", b"SCAN", b"FLUSHDB", b"FLUSHALL", b"PING",
    b"ECHO",
    # typed stores
    b"HSET", b"HSETNX", b"HMSET", b"HGET", b"HMGET", b"HGETALL", b"HDEL", b"HEXISTS", b"HLEN",
    b"HSTRLEN", b"HKEYS", b"HVALS", b"HINCRBY", b"HINCRBYFLOAT", b"HRANDFIELD", b"HSCAN",
    b"LPUSH", b"RPUSH", b"LPUSHX", b"RPUSHX", b"LPOP", b"RPOP", b"LLEN", b"LRANGE", b"LINDEX",
    b"LSET", b"LINSERT", b"LREM", b"LTRIM", b"LPOS", b"RPOPLPUSH", b"LMOVE", b"LMPOP", b"BLPOP",
    b"BRPOP", b"BRPOPLPUSH", b"BLMOVE", b"BLMPOP",
    b"SADD", b"SREM", b"SMEMBERS", b"SISMEMBER", b"SMISMEMBER", b"SCARD", b"SPOP", b"SRANDMEMBER",
    b"SMOVE", b"SINTER", b"SINTERCARD", b"SINTERSTORE", b"SUNION", b"SUNIONSTORE", b"SDIFF",
    b"SDIFFSTORE", b"SSCAN",
    b"ZADD", b"ZINCRBY", b"ZREM", b"ZSCORE", b"ZMSCORE", b"ZCARD", b"ZCOUNT", b"ZLEXCOUNT",
    b"ZRANK", b"ZREVRANK", b"ZRANGE", b"ZRANGESTORE", b"ZRANGEBYSCORE", b"ZREVRANGEBYSCORE",
    b"ZRANGEBYLEX", b"ZREVRANGEBYLEX", b"ZREVRANGE", b"ZREMRANGEBYRANK", b"ZREMRANGEBYSCORE",
    b"ZREMRANGEBYLEX", b"ZPOPMIN", b"ZPOPMAX", b"ZMPOP", b"ZRANDMEMBER", b"ZUNION", b"ZINTER",
    b"ZDIFF", b"ZUNIONSTORE", b"ZINTERSTORE", b"ZDIFFSTORE", b"ZINTERCARD", b"ZSCAN",
    b"SORT", b"SORT_RO",
    b"XADD", b"XRANGE", b"XREVRANGE", b"XLEN", b"XDEL", b"XTRIM", b"XSETID", b"XREAD",
    b"XREADGROUP", b"XGROUP", b"XACK", b"XPENDING", b"XCLAIM", b"XAUTOCLAIM", b"XINFO",
    # transactions and pub/sub
    b"MULTI", b"EXEC", b"DISCARD", b"WATCH", b"UNWATCH", b"PUBLISH", b"SPUBLISH", b"PUBSUB",
    b"SUBSCRIBE", b"UNSUBSCRIBE", b"PSUBSCRIBE", b"PUNSUBSCRIBE", b"SSUBSCRIBE", b"SUNSUBSCRIBE",
}


def test_generator_covers_every_command_family():
    seen = set()
    # Generation is cheap: enough commands that every family's rarest command shows up
    # whatever DIFF_COUNT a run uses.
    for seed in SEEDS[:4]:
        seen.update(c.args[0].upper() for c in diffgen.generate(seed, 20_000))
    missing = EXPECTED_COMMANDS - seen
    assert not missing, f"never generated: {sorted(missing)}"


def test_generator_is_deterministic():
    a = diffgen.generate(42, 300, now=1_700_000_000)
    b = diffgen.generate(42, 300, now=1_700_000_000)
    assert [c.args for c in a] == [c.args for c in b]


# Raw inputs whose exact reply bytes and connection fate (closed or kept open)
# must match Redis.  Each is sent on a fresh connection in one write.  No
# inline line longer than 64 KB that does end in '\n': whether Redis accepts
# it depends on how its 16 KB reads happen to split the input.
PROTOCOL_CORPUS = [
    # multibulk framing
    b"*abc\r\n", b"*\r\n", b"*+1\r\n", b"* 1\r\n", b"*-1\r\n", b"*0\r\n", b"*1\r\n$abc\r\n",
    b"*1\r\n$-5\r\n", b"*1\r\n$\r\n", b"*1\r\n$+4\r\nPING\r\n", b"*1\r\n$04\r\nPING\r\n",
    b"*1\r\n$4\r\nPING\r\n", b"*1\r\nfoo\r\n", b"*1\r\n:4\r\n",
    b"*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\n", b"*1\r\n$600000000\r\n", b"*1\r\n$536870913\r\n",
    b"*2147483648\r\n", b"*1048577\r\n", b"*1\r\n$9999999999999999999\r\n",
    b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$-1\r\n", b"*1\r\n$4\r\nPING\r\n*x\r\n",
    b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", b"*1\r\n$4\r\nPINGxx\r\n",
    # inline commands, quoting and escapes
    b"PING\r\n", b"PING\n", b"ping \"a b\"\r\n", b"ECHO 'it\\'s'\r\n",
    b"ECHO \"\\x41\\x4g\\n\"\r\n",
    b"ECHO \"a\"b\r\n", b"ECHO 'a'b\r\n", b"SET k \"abc\r\n", b"SET k 'abc\r\n",
    b"\r\n\r\nPING\r\n", b"   \r\n", b"ECHO \"\\\"\"\r\n", b"ECHO \"\\u\"\r\n",
    b"ECHO \"\\t\\r\\b\\a\"\r\n", b"ECHO a\tb\r\n", b"ECHO \"\"\r\n", b"ECHO ''\r\n",
    b"\x00PING\r\n", b"PI\x00NG\r\n", b"GET\r\nSET\r\nNOPE a b\r\n",
    b"a" * 70000, b"ECHO " + b"b" * 60000 + b"\r\n",
]


def _collect(port, corpus, wait=0.5):
    socks = []
    for data in corpus:
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(data)
        socks.append(s)
    time.sleep(wait)  # the server has answered (and maybe closed) by now
    results = []
    for s in socks:
        s.setblocking(False)
        out = b""
        state = "open"
        try:
            while True:
                d = s.recv(1 << 20)
                if not d:
                    state = "closed"
                    break
                out += d
        except BlockingIOError:
            pass
        except ConnectionResetError:
            state = "reset"
        s.close()
        results.append((out, state))
    return results


def test_protocol_corpus_matches_redis(server, oracle):
    got = _collect(server.port, PROTOCOL_CORPUS)
    want = _collect(oracle.port, PROTOCOL_CORPUS)
    diffs = []
    for data, g, w in zip(PROTOCOL_CORPUS, got, want):
        if g != w:
            diffs.append(f"input {data[:60]!r}:\n   got  {g[0][:200]!r} ({g[1]})\n"
                         f"   want {w[0][:200]!r} ({w[1]})")
    assert not diffs, "\n".join(diffs)


def test_pathological_globs_answer_fast(server):
    with server.raw() as c:
        c.call("SET", "a" * 5000, "v")
        c.call("SET", "a" * 60, "v")
        for pattern in (b"*a" * 40 + b"b", b"[a-" * 5000, b"*" * 5000 + b"b", b"a*" * 1000 + b"b",
                        b"*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b",
                        b"?" * 6000):
            t0 = time.monotonic()
            assert c.call("KEYS", pattern) == []
            t1 = time.monotonic()
            assert c.call("SCAN", "0", "MATCH", pattern, "COUNT", "1000")[1] == []
            assert time.monotonic() - t1 < 0.5 and t1 - t0 < 0.5, pattern[:40]
        assert sorted(c.call("KEYS", "*")) == sorted([b"a" * 5000, b"a" * 60])
