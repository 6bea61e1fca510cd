"""redis-py (Debian's python3-redis 4.3) used the way applications use it.

Issue 8's "redis-py" line: a ConnectionPool and a BlockingConnectionPool shared
by 64 threads running mixed commands with every reply checked; connections the
server closes (CLIENT KILL TYPE normal, CLIENT KILL ID, the `timeout` idle
limit) recovered by the pool and by redis-py's retry option; pipelines with and
without MULTI/EXEC (WATCH, queued errors, EXECABORT); pub/sub through
get_message and run_in_thread, including resubscription after the server drops
the subscriber; redis.lock.Lock (blocking acquire, extend, reacquire, release,
a second client waiting, the NOSCRIPT fallback of its scripts); scan_iter over
10,000 keys; from_url with a password and a database number; and gevent with
1,000 greenlets on one pool.

The gevent part runs in a child interpreter: monkey.patch_all() rewrites the
socket and threading modules process-wide and must not leak into pytest.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time

import pytest
import redis
from redis.backoff import NoBackoff
from redis.exceptions import LockError, LockNotOwnedError
from redis.retry import Retry

from polling import wait_until

THREADS = 64


def admin_client(server) -> redis.Redis:
    """A client outside the pool under test, for CLIENT KILL / CLIENT LIST."""
    return server.client(decode_responses=True)


def client_ids(admin: redis.Redis) -> set[int]:
    return {int(c["id"]) for c in admin.client_list()}


def run_threads(n: int, target) -> list[str]:
    """Runs target(i) in n threads released together; returns the failures."""
    barrier = threading.Barrier(n)
    errors: list[str] = []

    def body(i):
        try:
            barrier.wait(timeout=30)
            target(i)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(f"thread {i}: {e!r}")

    threads = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "worker threads did not finish"
    return errors


# --- 64 threads on one pool --------------------------------------------------------------

ROUNDS = 20


def mixed_commands(r: redis.Redis, tid: int):
    """One thread's work: every data type plus pipelines, replies checked as it goes."""
    p = f"t{tid}:"
    for i in range(ROUNDS):
        assert r.set(p + "s", f"v{i}") is True
        assert r.get(p + "s") == f"v{i}"
        assert r.incrby(p + "n", 3) == 3 * (i + 1)
        assert r.append(p + "app", "x") == i + 1
        assert r.mget([p + "s", p + "n", p + "missing"]) == [f"v{i}", str(3 * (i + 1)), None]

        assert r.hset(p + "h", mapping={f"f{i}": i, "last": i}) == (2 if i == 0 else 1)
        assert r.hget(p + "h", "last") == str(i)
        assert r.hincrby(p + "h", "count", 1) == i + 1
        assert r.hlen(p + "h") == i + 3

        assert r.rpush(p + "l", i) == i + 1
        assert r.lrange(p + "l", 0, -1) == [str(k) for k in range(i + 1)]
        assert r.lindex(p + "l", -1) == str(i)

        assert r.sadd(p + "set", i, i) == 1
        assert r.scard(p + "set") == i + 1
        assert r.sismember(p + "set", i) is True

        assert r.zadd(p + "z", {f"m{i}": -i}) == 1
        assert r.zrange(p + "z", 0, 0, withscores=True) == [(f"m{i}", float(-i))]
        assert r.zscore(p + "z", "m0") == 0.0
        assert r.zcard(p + "z") == i + 1

        pipe = r.pipeline(transaction=(i % 2 == 0))
        pipe.incr("shared:counter")
        pipe.get(p + "s")
        pipe.llen(p + "l")
        pipe.expire(p + "tmp", 100)
        pipe.set(p + "tmp", "t", ex=100)
        pipe.ttl(p + "tmp")
        res = pipe.execute()
        assert res[0] >= 1
        assert res[1:5] == [f"v{i}", i + 1, False, True]
        assert 0 < res[5] <= 100
        assert r.delete(p + "tmp") == 1


def check_final_state(r: redis.Redis):
    assert r.get("shared:counter") == str(THREADS * ROUNDS)
    for tid in range(THREADS):
        p = f"t{tid}:"
        assert r.get(p + "n") == str(3 * ROUNDS)
        assert r.llen(p + "l") == ROUNDS
        assert r.hget(p + "h", "count") == str(ROUNDS)
        assert r.smembers(p + "set") == {str(k) for k in range(ROUNDS)}
        assert r.zrange(p + "z", 0, -1) == [f"m{k}" for k in reversed(range(ROUNDS))]
    # t{i}: s n app h l set z for each thread, plus the shared counter.
    assert r.dbsize() == THREADS * 7 + 1


def test_connection_pool_shared_by_64_threads(server):
    pool = redis.ConnectionPool(host=server.host, port=server.port, decode_responses=True,
                                socket_timeout=30)
    r = redis.Redis(connection_pool=pool)
    errors = run_threads(THREADS, lambda i: mixed_commands(r, i))
    assert errors == []
    # Threads overlapped on the pool (more than one connection) and every connection was
    # handed back (none left in use); the pool never opens more than one per thread.
    assert 1 < pool._created_connections <= THREADS
    assert len(pool._in_use_connections) == 0
    assert len(pool._available_connections) == pool._created_connections
    check_final_state(r)
    admin = admin_client(server)
    assert len(admin.client_list()) == pool._created_connections + 1
    pool.disconnect()


def test_blocking_connection_pool_shared_by_64_threads(server):
    cap = 8
    pool = redis.BlockingConnectionPool(host=server.host, port=server.port, max_connections=cap,
                                        timeout=60, decode_responses=True, socket_timeout=30,
                                        client_name="bpool")
    r = redis.Redis(connection_pool=pool)
    admin = admin_client(server)
    peak_clients = []

    def work(i):
        mixed_commands(r, i)
        if i % 16 == 0:
            names = [c["name"] for c in admin.client_list()]
            peak_clients.append(names.count("bpool"))

    errors = run_threads(THREADS, work)
    assert errors == []
    created = [c for c in pool._connections]
    # 64 threads had to wait for 8 connections: the cap held on the client and the server.
    assert len(created) == cap
    assert 0 < max(peak_clients) <= cap
    assert pool.pool.qsize() == cap  # every connection returned
    check_final_state(r)
    pool.disconnect()


# --- connections closed by the server ----------------------------------------------------


def fill_pool(pool: redis.ConnectionPool, n: int) -> list[int]:
    """Makes the pool hold n idle connected connections; returns their server ids."""
    conns = [pool.get_connection("PING") for _ in range(n)]
    ids = []
    for c in conns:
        c.send_command("CLIENT", "ID")
        ids.append(int(c.read_response()))
    for c in conns:
        pool.release(c)
    return ids


def use_every_connection(pool: redis.ConnectionPool, n: int) -> list[int]:
    """Checks out n connections at once and runs a command on each; returns their ids."""
    conns = [pool.get_connection("PING") for _ in range(n)]
    ids = []
    try:
        for k, c in enumerate(conns):
            c.send_command("SET", f"after:{k}", k)
            assert c.read_response() in (b"OK", "OK")
            c.send_command("CLIENT", "ID")
            ids.append(int(c.read_response()))
    finally:
        for c in conns:
            pool.release(c)
    return ids


def test_pool_recovers_after_client_kill_type_normal(server):
    pool = redis.ConnectionPool(host=server.host, port=server.port, decode_responses=True)
    r = redis.Redis(connection_pool=pool)
    admin = admin_client(server)
    old = fill_pool(pool, 6)
    assert set(old) <= client_ids(admin)

    # SKIPME defaults to yes: every normal client but the admin goes.
    assert admin.execute_command("CLIENT", "KILL", "TYPE", "normal") == 6
    wait_until(lambda: client_ids(admin).isdisjoint(old), "killed clients to disappear")

    # The pool notices the closed sockets when handing them out and reconnects.
    assert r.set("k", "v") is True
    assert r.get("k") == "v"
    new = use_every_connection(pool, 6)
    assert set(new).isdisjoint(old)
    assert set(new) <= client_ids(admin)
    assert [r.get(f"after:{k}") for k in range(6)] == [str(k) for k in range(6)]
    assert pool._created_connections == 6
    pool.disconnect()


def test_client_kill_id_then_next_command(server):
    admin = admin_client(server)

    # Without a retry policy the command that meets the closed socket fails, the one after
    # reconnects.
    plain = redis.Redis(host=server.host, port=server.port, decode_responses=True,
                        single_connection_client=True)
    first_id = plain.client_id()
    assert admin.execute_command("CLIENT", "KILL", "ID", first_id) == 1
    wait_until(lambda: first_id not in client_ids(admin), "killed client to disappear")
    with pytest.raises(redis.ConnectionError):
        plain.get("k")
    assert plain.set("k", "1") is True
    assert plain.client_id() not in (first_id, None)
    plain.close()

    # With retry_on_error the failure is invisible: redis-py reconnects and resends.
    retrying = redis.Redis(host=server.host, port=server.port, decode_responses=True,
                           single_connection_client=True, retry=Retry(NoBackoff(), 3),
                           retry_on_error=[redis.ConnectionError])
    victim = retrying.client_id()
    assert admin.execute_command("CLIENT", "KILL", "ID", victim) == 1
    wait_until(lambda: victim not in client_ids(admin), "killed client to disappear")
    assert retrying.incr("k") == 2
    assert retrying.client_id() != victim
    # A second kill of the same id finds nobody.
    assert admin.execute_command("CLIENT", "KILL", "ID", victim) == 0
    retrying.close()


def test_idle_timeout_closes_pool_connections_but_not_subscribers_or_blocked(server):
    pool = redis.ConnectionPool(host=server.host, port=server.port, decode_responses=True)
    r = redis.Redis(connection_pool=pool)
    admin = admin_client(server)
    old = fill_pool(pool, 4)

    sub = server.client(decode_responses=True).pubsub()
    sub.subscribe("alive")
    assert sub.get_message(timeout=5)["type"] == "subscribe"
    blocked = server.client(decode_responses=True)
    popped = []
    blocker = threading.Thread(target=lambda: popped.append(blocked.blpop("q", 0)), daemon=True)
    blocker.start()
    wait_until(lambda: int(admin.info("clients")["blocked_clients"]) == 1, "BLPOP to block")

    assert admin.config_set("timeout", 1) is True
    try:
        # The admin polls every 50 ms, so it never idles for a second.
        wait_until(lambda: client_ids(admin).isdisjoint(old), "idle clients to be closed",
                   timeout=10, step=0.05)
        # Subscribers and blocked clients are exempt from the idle limit.
        kinds = sorted(c["flags"] for c in admin.client_list())
        assert kinds == ["N", "P", "b"], kinds
    finally:
        admin.config_set("timeout", 0)

    assert r.set("after-timeout", "ok") is True
    assert set(use_every_connection(pool, 4)).isdisjoint(old)
    assert admin.publish("alive", "still here") == 1
    msg = sub.get_message(timeout=5)
    assert msg is not None and msg["data"] == "still here"
    assert admin.rpush("q", "job") == 1
    blocker.join(timeout=10)
    assert popped == [("q", "job")]
    sub.close()
    pool.disconnect()


# --- pipelines ---------------------------------------------------------------------------


def test_pipeline_transaction_and_plain(r, server):
    with r.pipeline() as pipe:  # transaction=True: MULTI ... EXEC
        pipe.set("a", 1).incr("a").rpush("l", "x", "y").lrange("l", 0, -1).hset("h", "f", "v")
        pipe.zadd("z", {"m": 1.5}).zincrby("z", 1, "m").get("missing")
        assert pipe.execute() == [True, 2, 2, ["x", "y"], 1, 1, 2.5, None]

    with r.pipeline(transaction=False) as pipe:
        for i in range(500):
            pipe.set(f"p:{i}", i)
        for i in range(500):
            pipe.get(f"p:{i}")
        res = pipe.execute()
    assert res == [True] * 500 + [str(i) for i in range(500)]

    # A runtime error inside MULTI fails one command, not the transaction.
    pipe = r.pipeline()
    pipe.set("s", "str").lpush("s", "x").get("s")
    res = pipe.execute(raise_on_error=False)
    assert res[0] is True and res[2] == "str"
    assert isinstance(res[1], redis.ResponseError) and str(res[1]).startswith("WRONGTYPE")
    pipe = r.pipeline(transaction=False)
    pipe.incr("s").set("t", 1)
    with pytest.raises(redis.ResponseError, match="not an integer"):
        pipe.execute()
    assert r.get("t") == "1"  # a plain pipeline still ran the rest

    # A command rejected while queueing aborts the whole transaction.
    pipe = r.pipeline()
    pipe.set("never", 1).execute_command("NO-SUCH-COMMAND")
    with pytest.raises(redis.ResponseError, match="unknown command 'NO-SUCH-COMMAND'"):
        pipe.execute()
    assert r.exists("never") == 0


def test_pipeline_watch(r, server):
    other = server.client(decode_responses=True)
    r.set("balance", 10)

    def debit(pipe):
        value = int(pipe.get("balance"))
        pipe.multi()
        pipe.set("balance", value - 1)

    assert r.transaction(debit, "balance") == [True]
    assert r.get("balance") == "9"

    with r.pipeline() as pipe:
        pipe.watch("balance")
        assert pipe.get("balance") == "9"
        other.set("balance", 100)  # touched after WATCH
        pipe.multi()
        pipe.set("balance", 8)
        with pytest.raises(redis.WatchError):
            pipe.execute()
    assert r.get("balance") == "100"

    # transaction() retries on WatchError until it wins.
    tries = []

    def racing(pipe):
        tries.append(1)
        value = int(pipe.get("balance"))
        if len(tries) == 1:
            other.incr("balance")
        pipe.multi()
        pipe.set("balance", value * 2)

    r.transaction(racing, "balance")
    assert len(tries) == 2
    assert r.get("balance") == "202"


# --- pub/sub -----------------------------------------------------------------------------


def next_message(p, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = p.get_message(timeout=max(0.0, deadline - time.monotonic()))
        if m is not None:
            return m
    pytest.fail(f"no pub/sub message within {timeout}s")


def test_pubsub_subscribe_psubscribe_get_message(r, server):
    pub = server.client(decode_responses=True)
    p = r.pubsub()
    p.subscribe("orders", "news.sport")
    p.psubscribe("news.*")
    assert [next_message(p) for _ in range(3)] == [
        {"type": "subscribe", "pattern": None, "channel": "orders", "data": 1},
        {"type": "subscribe", "pattern": None, "channel": "news.sport", "data": 2},
        {"type": "psubscribe", "pattern": None, "channel": "news.*", "data": 3},
    ]
    assert p.get_message(timeout=0.05) is None
    assert pub.publish("orders", "o1") == 1
    assert pub.publish("news.sport", "goal") == 2  # channel and pattern both match
    assert pub.publish("news.tech", "chip") == 1
    assert pub.publish("elsewhere", "x") == 0
    assert [next_message(p) for _ in range(4)] == [
        {"type": "message", "pattern": None, "channel": "orders", "data": "o1"},
        {"type": "message", "pattern": None, "channel": "news.sport", "data": "goal"},
        {"type": "pmessage", "pattern": "news.*", "channel": "news.sport", "data": "goal"},
        {"type": "pmessage", "pattern": "news.*", "channel": "news.tech", "data": "chip"},
    ]
    assert pub.pubsub_numsub("orders", "news.sport") == [("orders", 1), ("news.sport", 1)]
    assert pub.pubsub_numpat() == 1

    p.unsubscribe("orders")
    assert next_message(p) == {"type": "unsubscribe", "pattern": None, "channel": "orders",
                               "data": 2}
    p.punsubscribe()
    assert next_message(p) == {"type": "punsubscribe", "pattern": None, "channel": "news.*",
                               "data": 1}
    assert pub.publish("orders", "late") == 0
    p.ping("hi")
    assert next_message(p) == {"type": "pong", "pattern": None, "channel": None, "data": "hi"}
    p.close()


def test_pubsub_run_in_thread(r, server):
    pub = server.client(decode_responses=True)
    got = []
    lock = threading.Lock()

    def handler(msg):
        with lock:
            got.append((msg["type"], msg["channel"], msg["data"]))

    p = r.pubsub(ignore_subscribe_messages=True)
    p.subscribe(**{"jobs": handler})
    p.psubscribe(**{"log.*": handler})
    worker = p.run_in_thread(sleep_time=0.01, daemon=True)
    try:
        wait_until(lambda: pub.pubsub_numsub("jobs") == [("jobs", 1)] and pub.pubsub_numpat() == 1,
                   "the worker's subscriptions")
        for i in range(100):
            assert pub.publish("jobs", f"j{i}") == 1
            assert pub.publish(f"log.{i % 3}", f"l{i}") == 1
        want = []
        for i in range(100):
            want += [("message", "jobs", f"j{i}"), ("pmessage", f"log.{i % 3}", f"l{i}")]
        wait_until(lambda: len(got) >= 200, "200 handled messages")
        assert got == want
    finally:
        worker.stop()
        worker.join(timeout=5)
    assert not worker.is_alive()
    p.close()


def test_pubsub_resubscribes_after_client_kill(r, server):
    admin = admin_client(server)
    p = r.pubsub()
    p.subscribe("ch")
    p.psubscribe("pat.*")
    assert next_message(p)["type"] == "subscribe"
    assert next_message(p)["type"] == "psubscribe"
    assert admin.execute_command("CLIENT", "KILL", "TYPE", "pubsub") == 1
    wait_until(lambda: admin.pubsub_numpat() == 0, "the subscriber to be gone")

    # The read that meets the closed socket fails; the next one reconnects and redis-py
    # resubscribes to everything on its own.
    with pytest.raises(redis.ConnectionError):
        p.get_message(timeout=1)
    again = {next_message(p)["type"], next_message(p)["type"]}
    assert again == {"subscribe", "psubscribe"}
    assert admin.publish("ch", "back") == 1
    assert admin.publish("pat.x", "too") == 1
    assert next_message(p)["data"] == "back"
    assert next_message(p)["data"] == "too"
    p.close()


# --- Lock --------------------------------------------------------------------------------


def test_lock_acquire_extend_reacquire_release(r, server):
    lock = r.lock("res", timeout=5, sleep=0.01)
    assert lock.acquire(blocking=False) is True
    assert lock.locked() and lock.owned()
    assert 4000 < r.pttl("res") <= 5000

    other = server.client(decode_responses=True)
    rival = other.lock("res", timeout=5, sleep=0.01)
    assert rival.acquire(blocking=False) is False
    start = time.monotonic()
    assert rival.acquire(blocking_timeout=0.3) is False
    assert time.monotonic() - start >= 0.25
    assert rival.locked() and not rival.owned()

    assert lock.extend(10) is True  # adds to the remaining time
    assert 10000 < r.pttl("res") <= 15000
    assert lock.extend(2, replace_ttl=True) is True
    assert 1000 < r.pttl("res") <= 2000
    assert lock.reacquire() is True  # back to the lock's own timeout
    assert 4000 < r.pttl("res") <= 5000
    # The rival never held it: redis-py refuses locally, the holder's token is untouched.
    with pytest.raises(LockError):
        rival.extend(1)
    with pytest.raises(LockError):
        rival.release()
    assert r.get("res").encode() == lock.local.token

    # The scripts behind release/extend survive SCRIPT FLUSH (EVALSHA -> NOSCRIPT -> load).
    r.script_flush()
    lock.release()
    assert r.exists("res") == 0
    assert not lock.locked()
    with pytest.raises(LockError, match="unlocked lock"):
        lock.release()


def test_lock_second_client_waits_then_gets_it(r, server):
    holder = r.lock("job", timeout=10)
    assert holder.acquire() is True
    waiter_client = server.client(decode_responses=True)
    result = {}
    trying = threading.Event()

    def wait_for_lock():
        waiter = waiter_client.lock("job", timeout=10, sleep=0.01)
        trying.set()
        t0 = time.monotonic()
        result["acquired"] = waiter.acquire(blocking=True, blocking_timeout=10)
        result["waited"] = time.monotonic() - t0
        result["owner"] = waiter_client.get("job")
        result["token"] = waiter.local.token
        waiter.release()

    t = threading.Thread(target=wait_for_lock, daemon=True)
    t.start()
    assert trying.wait(timeout=10)
    time.sleep(0.2)  # let the waiter poll a while before the holder lets go
    assert t.is_alive() and "acquired" not in result
    holder.release()
    t.join(timeout=10)
    assert result["acquired"] is True
    assert result["waited"] >= 0.15
    assert result["owner"].encode() == result["token"]
    assert r.exists("job") == 0


def test_lock_expires_and_context_manager(r):
    lock = r.lock("short", timeout=0.2)
    assert lock.acquire() is True
    wait_until(lambda: r.exists("short") == 0, "the lock to expire")
    with pytest.raises(LockNotOwnedError):
        lock.extend(1)
    with pytest.raises(LockNotOwnedError):
        lock.release()
    with r.lock("ctx", timeout=5, blocking_timeout=1) as held:
        assert held.owned()
        assert r.lock("ctx", blocking_timeout=0.05).acquire() is False
    assert r.exists("ctx") == 0


# --- scan_iter ---------------------------------------------------------------------------


def test_scan_iter_every_key_exactly_once(r):
    n = 10_000
    pipe = r.pipeline(transaction=False)
    for start in range(0, n, 1000):
        pipe.mset({f"user:{i}": i for i in range(start, start + 1000)})
    for i in range(300):
        pipe.hset(f"other:{i}", "f", i)
    pipe.execute()

    users = list(r.scan_iter(match="user:*", count=100))
    assert len(users) == n
    assert set(users) == {f"user:{i}" for i in range(n)}

    everything = list(r.scan_iter(count=1000))
    assert len(everything) == n + 300 and len(set(everything)) == n + 300
    hashes = list(r.scan_iter(match="*", count=500, _type="hash"))
    assert sorted(hashes) == sorted(f"other:{i}" for i in range(300))
    assert list(r.scan_iter(match="user:1234?", count=200)) == []
    tail = sorted(r.scan_iter(match="user:999?", count=200))
    assert tail == [f"user:{i}" for i in range(9990, 10000)]


def test_collection_scan_iters(r):
    n = 2_000
    r.hset("h", mapping={f"f{i}": i for i in range(n)})
    r.sadd("s", *range(n))
    r.zadd("z", {f"m{i}": i for i in range(n)})
    fields = list(r.hscan_iter("h", count=100))
    assert len(fields) == n and dict(fields) == {f"f{i}": str(i) for i in range(n)}
    members = list(r.sscan_iter("s", match="1*", count=100))
    assert sorted(members) == sorted(str(i) for i in range(n) if str(i).startswith("1"))
    scored = list(r.zscan_iter("z", count=100))
    assert len(scored) == n and dict(scored) == {f"m{i}": float(i) for i in range(n)}


# --- from_url with a password and a database ---------------------------------------------


def test_from_url_password_and_db(server_factory):
    s = server_factory("--requirepass", "pw")
    base = f"{s.host}:{s.port}"
    c = redis.from_url(f"redis://:pw@{base}/2", decode_responses=True)
    try:
        assert c.ping() is True
        assert c.client_info()["db"] == 2
        assert c.set("where", "db2") is True

        db0 = redis.from_url(f"redis://:pw@{base}/0", decode_responses=True)
        assert db0.get("where") is None
        assert db0.info("keyspace") == {"db2": {"keys": 1, "expires": 0, "avg_ttl": 0}}
        db0.close()

        # The username form (AUTH default pw), with a query option, and the failures.
        named = redis.from_url(f"redis://default:pw@{base}/2?socket_timeout=5",
                               decode_responses=True)
        assert named.get("where") == "db2"
        info = named.client_info()
        assert (info["user"], info["db"]) == ("default", 2)
        named.close()
        # redis-py 4.3 surfaces WRONGPASS as a plain ResponseError, NOAUTH as
        # AuthenticationError.
        with pytest.raises(redis.ResponseError, match="^WRONGPASS invalid username-password"):
            redis.from_url(f"redis://:wrong@{base}/2").ping()
        with pytest.raises(redis.AuthenticationError, match="^Authentication required"):
            redis.from_url(f"redis://{base}/2").get("where")
    finally:
        c.close()


# --- gevent: 1,000 greenlets on one pool -------------------------------------------------

GEVENT_CHILD = r"""
from gevent import monkey
monkey.patch_all()

import json
import sys

import gevent
import redis

host, port, jobs, cap = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
pool = redis.BlockingConnectionPool(host=host, port=port, max_connections=cap, timeout=60,
                                    decode_responses=True, socket_timeout=30)
r = redis.Redis(connection_pool=pool)
state = {"inflight": 0, "peak": 0}


def job(i):
    assert r.set(f"g:{i}", i) is True
    state["inflight"] += 1
    state["peak"] = max(state["peak"], state["inflight"])
    try:
        got = r.get(f"g:{i}")  # yields to other greenlets while waiting on the socket
    finally:
        state["inflight"] -= 1
    n = r.incr("g:counter")
    r.rpush("g:list", i)
    r.hset("g:hash", f"f{i}", 2 * i)
    pipe = r.pipeline()
    pipe.incrby("g:sum", i).get(f"g:{i}").sadd("g:set", i)
    res = pipe.execute()
    r.zadd("g:z", {f"m{i}": i})
    return {"i": i, "get": got, "incr": n, "pipe": res[1:]}


greenlets = [gevent.spawn(job, i) for i in range(jobs)]
gevent.joinall(greenlets, timeout=90)
print(json.dumps({
    "patched": monkey.is_module_patched("socket") and monkey.is_module_patched("threading"),
    "errors": [repr(g.exception) for g in greenlets if not g.successful()],
    "results": [g.value for g in greenlets if g.successful()],
    "connections": len(pool._connections),
    "peak": state["peak"],
}))
"""


def test_gevent_1000_greenlets_on_one_pool(server, r):
    jobs, cap = 1000, 50
    proc = subprocess.run(
        [sys.executable, "-c", GEVENT_CHILD, server.host, str(server.port), str(jobs), str(cap)],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["patched"] is True
    assert out["errors"] == []
    results = out["results"]
    assert len(results) == jobs
    for res in results:
        assert res["get"] == str(res["i"])
        assert res["pipe"] == [str(res["i"]), 1]
    assert sorted(res["incr"] for res in results) == list(range(1, jobs + 1))
    # Greenlets really overlapped on the pool, within its cap.
    assert out["peak"] > 1
    assert 1 < out["connections"] <= cap

    assert r.get("g:counter") == str(jobs)
    assert sorted(map(int, r.lrange("g:list", 0, -1))) == list(range(jobs))
    assert r.hlen("g:hash") == jobs and r.hget("g:hash", "f999") == "1998"
    assert r.get("g:sum") == str(sum(range(jobs)))
    assert r.scard("g:set") == jobs and r.zcard("g:z") == jobs
    assert r.mget([f"g:{i}" for i in range(jobs)]) == [str(i) for i in range(jobs)]
    # monkey-patching stayed in the child.
    assert socket.socket.__module__ == "socket"
    assert threading.Lock.__module__ != "gevent.thread"
