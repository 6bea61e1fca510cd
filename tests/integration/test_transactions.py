"""MULTI/EXEC/DISCARD/WATCH/UNWATCH end to end.

redis-py's pipeline() drives transactions the way applications do (MULTI, the
queued commands and EXEC in one write; WatchError on a null EXEC). Raw-socket
tests pin the exact bytes, and most of them run the same command sequence
against Debian's redis-server (the `oracle` fixture) and require identical
replies, so a test that is wrong about Redis fails on the oracle first.
"""

from __future__ import annotations

import threading
import time

import pytest
import redis

import rawresp
from polling import wait_until

DEADLINE_S = 5.0


def blocked_clients(conn: rawresp.Conn) -> int:
    info = conn.call("INFO", "clients").decode()
    for line in info.splitlines():
        if line.startswith("blocked_clients:"):
            return int(line.split(":")[1])
    raise AssertionError(f"no blocked_clients in INFO: {info!r}")


def same_on_both(server, oracle, steps, ignore=()) -> list[bytes]:
    """Runs `steps` on both servers; every reply but those at `ignore` must match."""
    got = rawresp.run_script(server, steps)
    want = rawresp.run_script(oracle, steps)
    for i, (step, g, w) in enumerate(zip(steps, got, want)):
        if i not in ignore:
            assert g == w, f"step {i} {step}: baozi {g!r} != redis {w!r}"
    return got


# --- redis-py pipelines -------------------------------------------------------


def test_pipeline_transaction_mixed_commands(r):
    with r.pipeline() as p:  # transaction=True is the default
        (p.set("s", "1").incr("s").incrbyfloat("s", 0.5).lpush("l", "a", "b").lrange("l", 0, -1)
         .hset("h", mapping={"f": "v", "g": "w"}).hgetall("h").sadd("set", "x", "y", "x")
         .get("missing").expire("l", 100).ttl("l").delete("h").exists("h"))
        assert p.execute() == [
            True, 2, 2.5, 2, ["b", "a"], 2, {"f": "v", "g": "w"}, 2, None, True, 100, 1, 0,
        ]
    stats = r.info("commandstats")
    assert stats["cmdstat_multi"]["calls"] == 1
    assert stats["cmdstat_exec"]["calls"] == 1


def test_pipeline_long_transaction(r):
    with r.pipeline() as p:
        for i in range(1000):
            p.rpush("big", i)
        p.llen("big")
        res = p.execute()
    assert res == list(range(1, 1001)) + [1000]


def test_pipeline_without_transaction(r):
    r.set("str", "x")
    with r.pipeline(transaction=False) as p:
        p.set("a", "1").incr("a").lpush("str", "y").get("a").get("str")
        res = p.execute(raise_on_error=False)
    assert res[:2] == [True, 2]
    assert isinstance(res[2], redis.ResponseError) and "WRONGTYPE" in str(res[2])
    assert res[3:] == ["2", "x"]
    assert "cmdstat_multi" not in r.info("commandstats")


def test_runtime_error_inside_transaction_other_commands_run(r):
    r.set("str", "x")
    p = r.pipeline()
    p.set("a", "1").lpush("str", "y").incr("a").rpush("list", "z")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        p.execute()
    # EXEC ran every command; only the failing one had no effect.
    assert r.get("a") == "2"
    assert r.get("str") == "x"
    assert r.lrange("list", 0, -1) == ["z"]

    p.set("b", "1").lpush("str", "y").incr("b")
    res = p.execute(raise_on_error=False)
    assert res[0] is True and res[2] == 2
    assert isinstance(res[1], redis.ResponseError)
    assert str(res[1]).endswith("Operation against a key holding the wrong kind of value")


def test_queue_time_error_discards_transaction(r, server):
    p = r.pipeline()
    p.set("q1", "1").execute_command("NOSUCHCOMMAND", "x").set("q2", "2")
    with pytest.raises(redis.ResponseError, match="unknown command 'NOSUCHCOMMAND'"):
        p.execute()
    p.set("q1", "1").execute_command("GET").set("q2", "2")  # arity error while queuing
    with pytest.raises(redis.ResponseError, match="wrong number of arguments for 'get'"):
        p.execute()
    assert r.exists("q1", "q2") == 0

    # redis-py reports the queuing error above; EXEC itself answers EXECABORT, which
    # redis-py turns into ExecAbortError.
    c = server.client(decode_responses=True, single_connection_client=True)
    c.execute_command("MULTI")
    assert c.execute_command("SET", "q1", "1") is False  # the +QUEUED reply
    with pytest.raises(redis.ResponseError, match="unknown command"):
        c.execute_command("NOSUCHCOMMAND")
    with pytest.raises(
        redis.exceptions.ExecAbortError,
        match="Transaction discarded because of previous errors",
    ):
        c.execute_command("EXEC")
    assert c.exists("q1") == 0

    # The same through a plain pipeline carrying MULTI/EXEC itself.
    with r.pipeline(transaction=False) as p:
        p.execute_command("MULTI").set("q1", "1").execute_command("GET").execute_command("EXEC")
        res = p.execute(raise_on_error=False)
    assert res[0] == "OK" and res[1] is False
    assert isinstance(res[2], redis.ResponseError)
    assert isinstance(res[3], redis.exceptions.ExecAbortError)
    assert r.exists("q1") == 0


def test_watch_error(r, server):
    other = server.client(decode_responses=True)
    r.set("w", "1")
    with r.pipeline() as p:
        p.watch("w")
        assert p.get("w") == "1"  # immediate mode while watching
        other.set("w", "2")
        p.multi()
        p.set("w", "3")
        with pytest.raises(redis.WatchError):
            p.execute()
    assert r.get("w") == "2"

    # The same transaction succeeds when nothing interferes.
    with r.pipeline() as p:
        p.watch("w")
        v = int(p.get("w"))
        p.multi()
        p.set("w", v + 10)
        assert p.execute() == [True]
    assert r.get("w") == "12"


def test_transaction_helper_retries_on_watch_error(r, server):
    other = server.client(decode_responses=True)
    r.set("t", "0")
    attempts = []

    def body(pipe):
        attempts.append(1)
        v = int(pipe.get("t"))
        if len(attempts) == 1:
            other.incr("t")  # interfere once: the first EXEC must fail
        pipe.multi()
        pipe.set("t", v + 100)

    r.transaction(body, "t")
    assert len(attempts) == 2
    assert r.get("t") == "101"


def test_watch_retry_loop_two_threads_exact_count(server):
    per_thread = 200
    server.client().set("counter", 0)
    retries = [0, 0]
    errors = []
    start = threading.Barrier(2)

    def worker(idx):
        try:
            c = server.client(decode_responses=True)
            start.wait(timeout=DEADLINE_S)
            deadline = time.monotonic() + 30
            with c.pipeline() as p:
                for _ in range(per_thread):
                    while True:
                        assert time.monotonic() < deadline, "WATCH loop made no progress"
                        try:
                            p.watch("counter")
                            v = int(p.get("counter"))
                            p.multi()
                            p.set("counter", v + 1)
                            p.execute()
                            break
                        except redis.WatchError:
                            retries[idx] += 1
        except BaseException as e:  # reported by the main thread
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(40)
        assert not t.is_alive()
    assert not errors, errors
    assert int(server.client().get("counter")) == 2 * per_thread
    # Every failed attempt is one EXEC that answered null; none was lost.
    stats = server.client().info("commandstats")
    assert stats["cmdstat_exec"]["calls"] == 2 * per_thread + sum(retries)


# --- WATCH invalidation, cause by cause -------------------------------------

# (name, setup on conn 1, keys conn 0 watches, interference on conn 1, EXEC aborted?)
WATCH_CASES = [
    ("set-by-other", [("SET", "k", "v")], ["k"], [("SET", "k", "v2")], True),
    ("set-same-value", [("SET", "k", "v")], ["k"], [("SET", "k", "v")], True),
    ("create-missing", [], ["k"], [("SET", "k", "v")], True),
    ("one-of-many", [("SET", "k", "v")], ["a", "b", "k", "c"], [("APPEND", "k", "x")], True),
    ("del", [("SET", "k", "v")], ["k"], [("DEL", "k")], True),
    ("unlink", [("SET", "k", "v")], ["k"], [("UNLINK", "k")], True),
    ("del-missing", [], ["k"], [("DEL", "k")], False),
    ("expire-cmd", [("SET", "k", "v")], ["k"], [("EXPIRE", "k", "100")], True),
    ("pexpire-cmd", [("SET", "k", "v")], ["k"], [("PEXPIRE", "k", "100000")], True),
    ("expire-in-past", [("SET", "k", "v")], ["k"], [("EXPIRE", "k", "-1")], True),
    ("persist", [("SET", "k", "v", "EX", "100")], ["k"], [("PERSIST", "k")], True),
    ("persist-no-ttl", [("SET", "k", "v")], ["k"], [("PERSIST", "k")], False),
    ("incr", [("SET", "k", "1")], ["k"], [("INCR", "k")], True),
    ("lpush", [], ["k"], [("LPUSH", "k", "a")], True),
    ("lpop-to-empty", [("RPUSH", "k", "a")], ["k"], [("LPOP", "k")], True),
    ("hset", [("HSET", "k", "f", "v")], ["k"], [("HSET", "k", "g", "w")], True),
    ("sadd", [], ["k"], [("SADD", "k", "m")], True),
    ("zadd", [], ["k"], [("ZADD", "k", "1", "m")], True),
    ("flushdb", [("SET", "k", "v")], ["k"], [("FLUSHDB",)], True),
    ("flushdb-missing", [("SET", "other", "v")], ["k"], [("FLUSHDB",)], False),
    ("flushall", [("SET", "k", "v")], ["k"], [("FLUSHALL",)], True),
    ("flushall-missing", [("SET", "other", "v")], ["k"], [("FLUSHALL",)], False),
    ("flushall-from-other-db", [("SET", "k", "v")], ["k"],
     [("SELECT", "3"), ("FLUSHALL",)], True),
    ("swapdb-key-leaves", [("SET", "k", "v")], ["k"], [("SWAPDB", "0", "1")], True),
    ("swapdb-key-arrives", [("SELECT", "1"), ("SET", "k", "v"), ("SELECT", "0")], ["k"],
     [("SWAPDB", "0", "1")], True),
    ("swapdb-missing-both", [("SET", "other", "v")], ["k"], [("SWAPDB", "0", "1")], False),
    ("rename-source", [("SET", "k", "v")], ["k"], [("RENAME", "k", "k2")], True),
    ("rename-destination", [("SET", "src", "v")], ["k"], [("RENAME", "src", "k")], True),
    ("renamenx-destination", [("SET", "src", "v")], ["k"], [("RENAMENX", "src", "k")], True),
    ("move", [("SET", "k", "v")], ["k"], [("MOVE", "k", "1")], True),
    ("copy-destination", [("SET", "src", "v")], ["k"], [("COPY", "src", "k")], True),
    ("other-db-write", [], ["k"], [("SELECT", "1"), ("SET", "k", "v")], False),
    ("read-only", [("SET", "k", "v")], ["k"],
     [("GET", "k"), ("EXISTS", "k"), ("TTL", "k"), ("STRLEN", "k")], False),
]


@pytest.mark.parametrize(
    "setup,watch,interfere,aborted",
    [c[1:] for c in WATCH_CASES],
    ids=[c[0] for c in WATCH_CASES],
)
def test_watch_invalidation(server, oracle, setup, watch, interfere, aborted):
    steps = [(1, *cmd) for cmd in setup]
    steps += [(0, "WATCH", *watch)]
    steps += [(1, *cmd) for cmd in interfere]
    steps += [(0, "MULTI"), (0, "PING"), (0, "EXEC")]
    got = same_on_both(server, oracle, steps)
    assert got[-1] == (b"*-1\r\n" if aborted else b"*1\r\n+PONG\r\n")


def test_watch_invalidated_by_own_write_and_cleared_by_exec(server, oracle):
    steps = [
        (0, "SET", "x", "30"),
        (0, "WATCH", "x"),
        (0, "SET", "x", "40"),  # the watching client itself: still a change
        (0, "MULTI"), (0, "PING"), (0, "EXEC"),
        # EXEC (failed or not) unwatches everything.
        (0, "SET", "x", "50"),
        (0, "MULTI"), (0, "PING"), (0, "EXEC"),
        # UNWATCH clears a pending abort.
        (0, "WATCH", "x"), (1, "SET", "x", "60"), (0, "UNWATCH"),
        (0, "MULTI"), (0, "PING"), (0, "EXEC"),
        # DISCARD unwatches too.
        (0, "WATCH", "x"), (0, "MULTI"), (0, "DISCARD"), (1, "SET", "x", "70"),
        (0, "MULTI"), (0, "PING"), (0, "EXEC"),
        # UNWATCH with nothing watched.
        (0, "UNWATCH"),
        # WATCH remembers the db a key belongs to.
        (0, "WATCH", "x"), (0, "SELECT", "1"), (1, "SET", "x", "80"),
        (0, "MULTI"), (0, "PING"), (0, "EXEC"),
    ]
    got = same_on_both(server, oracle, steps)
    assert got[5] == b"*-1\r\n"
    assert got[9] == b"*1\r\n+PONG\r\n"
    assert got[15] == b"*1\r\n+PONG\r\n"
    assert got[22] == b"*1\r\n+PONG\r\n"
    assert got[-1] == b"*-1\r\n"


@pytest.mark.parametrize("blocking,push", [
    (("BLMOVE", "src", "k", "LEFT", "RIGHT", "0"), ("RPUSH", "src", "x")),
    (("BRPOPLPUSH", "src", "k", "0"), ("RPUSH", "src", "x")),
    (("BZPOPMIN", "k", "0"), ("ZADD", "k", "1", "m")),  # k is filled, then popped empty
], ids=["blmove-destination", "brpoplpush-destination", "bzpopmin-source"])
def test_watch_invalidated_by_served_blocked_client(server, oracle, blocking, push):
    for srv in (server, oracle):
        with srv.raw() as a, srv.raw() as waiter, srv.raw() as pusher:
            assert a.call("WATCH", "k") == b"OK"
            waiter.send_command(*blocking)
            wait_until(lambda: blocked_clients(a) == 1, "the blocking command to block")
            pusher.call(*push)
            waiter.read()
            a.call("MULTI")
            a.call("PING")
            assert a.call_raw("EXEC") == b"*-1\r\n", srv


def client_fields(conn: rawresp.Conn, names=("flags", "multi", "multi-mem", "cmd")):
    """CLIENT LIST as {client id: {field: value}} for the given fields."""
    out = {}
    for line in conn.call("CLIENT", "LIST").decode().splitlines():
        fields = dict(f.split("=", 1) for f in line.split(" "))
        out[int(fields["id"])] = {n: fields[n] for n in names}
    return out


def test_client_list_during_transaction(server, oracle):
    def run(srv):
        with srv.raw() as admin, srv.raw() as tx, srv.raw() as other:
            tx_id = tx.call("CLIENT", "ID")
            seen = []
            tx.call("WATCH", "w")
            seen.append(client_fields(admin)[tx_id])
            tx.call("MULTI")
            seen.append(client_fields(admin)[tx_id])
            tx.call("SET", "a", "b")
            tx.call("RPUSH", "list", "x" * 100, "y")
            seen.append(client_fields(admin)[tx_id])  # the last command queued is shown
            other.call("SET", "w", "changed")
            seen.append(client_fields(admin)[tx_id])  # d: the WATCH failed
            tx.send_command("NOSUCHCOMMAND")
            tx.read_raw()
            seen.append(client_fields(admin)[tx_id])
            tx.call_raw("EXEC")
            seen.append(client_fields(admin)[tx_id])
            return seen

    got, want = run(server), run(oracle)
    assert got == want
    assert [s["flags"] for s in got] == ["N", "x", "x", "xd", "xd", "N"]
    assert [s["multi"] for s in got] == ["-1", "0", "2", "2", "2", "-1"]


@pytest.fixture
def debug_pair(server_factory, oracle_factory):
    """baozi and Redis with DEBUG enabled (for DEBUG SET-ACTIVE-EXPIRE)."""
    return (server_factory("--enable-debug-command", "yes"),
            oracle_factory("--enable-debug-command", "yes"))


def _watched_key_expires(srv, active_expire: bool, lazy_touch: bool) -> bytes:
    with srv.raw() as a, srv.raw() as b:
        assert b.call("DEBUG", "SET-ACTIVE-EXPIRE", "1" if active_expire else "0") == b"OK"
        assert b.call("SET", "k", "v") == b"OK"
        assert b.call("PEXPIRE", "k", "50") == 1
        assert a.call("WATCH", "k") == b"OK"
        if active_expire:
            # The expiry cycle deletes the key on its own; DBSIZE counts it until then
            # without touching it.
            wait_until(lambda: b.call("DBSIZE") == 0, "active expiry to delete k")
        else:
            until = time.monotonic() + 0.06
            wait_until(lambda: time.monotonic() > until, "the TTL to pass")
            if lazy_touch:
                assert b.call("GET", "k") is None  # lazily deleted here
            else:
                assert b.call("DBSIZE") == 1  # expired but still stored
        a.call("MULTI")
        a.call("PING")
        return a.call_raw("EXEC")


@pytest.mark.parametrize(
    "active_expire,lazy_touch",
    [(True, False), (False, False), (False, True)],
    ids=["active-expiry-deletes", "deadline-passes-untouched", "lazy-delete-by-read"],
)
def test_watch_invalidated_by_expiry(debug_pair, active_expire, lazy_touch):
    for srv in debug_pair:
        assert _watched_key_expires(srv, active_expire, lazy_touch) == b"*-1\r\n", srv


STALE_CASES = {
    # A key already expired (but not yet deleted) when WATCHed is logically absent, so
    # deleting it later is no change.
    "lazy-delete": [(1, "EXISTS", "x")],
    "del": [(1, "DEL", "x")],
    "flushdb": [(1, "FLUSHDB")],
    "flushall": [(1, "FLUSHALL")],
    "swapdb-with-empty": [(1, "SWAPDB", "0", "1")],
    "nothing": [],
}


@pytest.mark.parametrize("interfere", list(STALE_CASES.values()), ids=list(STALE_CASES))
def test_watch_stale_key_deleted_does_not_abort(debug_pair, interfere):
    server, oracle = debug_pair
    steps = [
        (1, "DEBUG", "SET-ACTIVE-EXPIRE", "0"),
        (1, "SET", "x", "foo"),
        (1, "PEXPIRE", "x", "1"),
    ]
    # Wait out the 1 ms TTL outside the scripts (on both servers at once).
    for srv in (server, oracle):
        rawresp.run_script(srv, steps)
    time.sleep(0.005)  # past the 1 ms TTL; active expiry is off, so x stays stored
    steps2 = [(0, "WATCH", "x"), *interfere, (0, "MULTI"), (0, "PING"), (0, "EXEC")]
    got = same_on_both(server, oracle, steps2)
    assert got[-1] == b"*1\r\n+PONG\r\n"


SWAPDB_STALE_CASES = {
    # (x in db 0, x in db 1) -> does SWAPDB 0 1 abort a WATCH on x in db 0?
    "stale-replaced-by-live": ("stale", "live", True),
    "stale-replaced-by-stale": ("stale", "stale", False),
    "missing-replaced-by-stale": (None, "stale", False),
    "missing-replaced-by-live": (None, "live", True),
    "live-replaced-by-stale": ("live", "stale", True),
}


@pytest.mark.parametrize("db0,db1,aborted", list(SWAPDB_STALE_CASES.values()),
                         ids=list(SWAPDB_STALE_CASES))
def test_swapdb_with_stale_keys(debug_pair, db0, db1, aborted):
    def put(state):
        if state is None:
            return []
        steps = [(1, "SET", "x", state)]
        return steps + [(1, "PEXPIRE", "x", "1")] if state == "stale" else steps

    setup = [(1, "DEBUG", "SET-ACTIVE-EXPIRE", "0"), *put(db0), (1, "SELECT", "1"), *put(db1)]
    for srv in debug_pair:
        rawresp.run_script(srv, setup)
    time.sleep(0.005)  # past the 1 ms TTLs; active expiry is off, so the keys stay stored
    got = same_on_both(*debug_pair, [
        (0, "WATCH", "x"), (1, "SWAPDB", "0", "1"),
        (0, "MULTI"), (0, "PING"), (0, "EXEC"),
    ])
    assert got[-1] == (b"*-1\r\n" if aborted else b"*1\r\n+PONG\r\n")


# --- transaction error texts ---------------------------------------------------


def test_multi_error_texts(server, oracle):
    got = same_on_both(server, oracle, [
        (0, "EXEC"),
        (0, "DISCARD"),
        (0, "MULTI"),
        (0, "MULTI"),
        (0, "WATCH", "k"),
        (0, "SET", "k", "v"),
        (0, "EXEC"),
        (0, "MULTI"),
        (0, "SHUTDOWN"),  # a no-multi command: refused, and EXEC aborts
        (0, "SET", "k", "v2"),
        (0, "EXEC"),
        (0, "GET", "k"),
        (0, "MULTI"),
        (0, "SET", "k"),
        (0, "EXEC"),
        (0, "MULTI"),
        (0, "SET", "k", "v3"),
        (0, "DISCARD"),
        (0, "GET", "k"),
    ])
    assert got == [
        b"-ERR EXEC without MULTI\r\n",
        b"-ERR DISCARD without MULTI\r\n",
        b"+OK\r\n",
        b"-ERR MULTI calls can not be nested\r\n",
        b"-ERR WATCH inside MULTI is not allowed\r\n",
        b"+QUEUED\r\n",
        b"*1\r\n+OK\r\n",  # neither error above fails the transaction
        b"+OK\r\n",
        b"-ERR Command not allowed inside a transaction\r\n",
        b"+QUEUED\r\n",
        b"-EXECABORT Transaction discarded because of previous errors.\r\n",
        b"$1\r\nv\r\n",
        b"+OK\r\n",
        b"-ERR wrong number of arguments for 'set' command\r\n",
        b"-EXECABORT Transaction discarded because of previous errors.\r\n",
        b"+OK\r\n",
        b"+QUEUED\r\n",
        b"+OK\r\n",
        b"$1\r\nv\r\n",
    ]


def test_exec_replies_in_resp3(server, oracle):
    got = same_on_both(server, oracle, [
        (0, "HELLO", "3"),
        (0, "MULTI"),
        (0, "GET", "missing"),
        (0, "HSET", "h", "f", "v"),
        (0, "HGETALL", "h"),
        (0, "EXEC"),
        (0, "WATCH", "h"),
        (1, "DEL", "h"),
        (0, "MULTI"),
        (0, "PING"),
        (0, "EXEC"),
    ], ignore={0})  # HELLO names the server and its version
    assert got[5] == b"*3\r\n_\r\n:1\r\n%1\r\n$1\r\nf\r\n$1\r\nv\r\n"
    assert got[-1] == b"_\r\n"


def test_select_inside_transaction_sticks(server, oracle):
    got = same_on_both(server, oracle, [
        (0, "MULTI"), (0, "SELECT", "2"), (0, "SET", "k", "in2"), (0, "EXEC"),
        (0, "GET", "k"), (0, "SELECT", "0"), (0, "EXISTS", "k"),
    ])
    assert got[3] == b"*2\r\n+OK\r\n+OK\r\n"
    assert got[4] == b"$3\r\nin2\r\n"
    assert got[6] == b":0\r\n"


# --- blocking commands and transactions ---------------------------------------


def test_blocking_commands_inside_multi_return_immediately(server, oracle):
    steps = [
        (0, "MULTI"),
        (0, "BLPOP", "empty", "0"),
        (0, "BRPOP", "empty", "0"),
        (0, "BRPOPLPUSH", "e1", "e2", "0"),
        (0, "BLMOVE", "e1", "e2", "LEFT", "RIGHT", "0"),
        (0, "BZPOPMIN", "ez", "0"),
        (0, "BZPOPMAX", "ez", "0"),
        (0, "BLMPOP", "0", "1", "el", "LEFT"),
        (0, "BZMPOP", "0", "1", "ez", "MIN"),
        (0, "RPUSH", "full", "a"),
        (0, "BLPOP", "full", "0"),
        (0, "EXEC"),
    ]
    t0 = time.monotonic()
    got = same_on_both(server, oracle, steps)
    assert time.monotonic() - t0 < DEADLINE_S
    assert got[-1] == (b"*10\r\n*-1\r\n*-1\r\n$-1\r\n$-1\r\n*-1\r\n*-1\r\n*-1\r\n*-1\r\n:1\r\n"
                       b"*2\r\n$4\r\nfull\r\n$1\r\na\r\n")


def test_blocked_client_served_only_after_exec(server, oracle):
    for srv in (server, oracle):
        with srv.raw() as a, srv.raw() as waiter:
            waiter.send_command("BLPOP", "k", "0")
            wait_until(lambda: blocked_clients(a) == 1, "BLPOP to block")
            assert a.call("MULTI") == b"OK"
            assert a.call("RPUSH", "k", "a") == b"QUEUED"
            assert a.call("LLEN", "k") == b"QUEUED"
            assert a.call("RPUSH", "k", "b") == b"QUEUED"
            assert a.call("LRANGE", "k", "0", "-1") == b"QUEUED"
            # Inside the transaction nobody has popped yet.
            assert a.call_raw("EXEC") == (b"*4\r\n:1\r\n:1\r\n:2\r\n"
                                          b"*2\r\n$1\r\na\r\n$1\r\nb\r\n")
            assert waiter.read() == [b"k", b"a"]
            assert a.call("LRANGE", "k", "0", "-1") == [b"b"]


def test_key_filled_and_deleted_inside_transaction_keeps_client_blocked(server, oracle):
    for srv in (server, oracle):
        with srv.raw() as a, srv.raw() as waiter:
            waiter.send_command("BLPOP", "k", "0")
            wait_until(lambda: blocked_clients(a) == 1, "BLPOP to block")
            a.call("MULTI")
            a.call("RPUSH", "k", "a")
            a.call("DEL", "k")
            assert a.call_raw("EXEC") == b"*2\r\n:1\r\n:1\r\n"
            # Still blocked: the key was empty again by the time EXEC finished.
            assert blocked_clients(a) == 1
            assert a.call("RPUSH", "k", "z") == 1
            assert waiter.read() == [b"k", b"z"]
            assert blocked_clients(a) == 0
