"""Lua scripting end to end, the way client libraries use it.

redis-py's `Lock` (acquire, extend, reacquire and release are EVALSHA of registered scripts,
which fall back to SCRIPT LOAD and EVALSHA again on NOSCRIPT) across two clients and across a
SCRIPT FLUSH; `register_script` on its own and inside a MULTI pipeline, as Bull queues batch
their scripts; a script's LPUSH waking a BLPOP client on another connection; keyspace
notifications and MONITOR lines for a script's writes; the incremental AOF a few scripts leave
behind; INFO's count of cached scripts.

Most tests run the same steps against the server under test and against Debian's redis-server
(the `oracle` fixture) and compare what they saw, so a test that is wrong about Redis fails on
the oracle first.
"""

from __future__ import annotations

import hashlib
import threading
import time

import pytest
from redis.exceptions import LockError, LockNotOwnedError, ResponseError

from polling import wait_until
from test_aof_differential import AOF_ARGS, incr_commands, same_command


def _both(server, oracle, fn):
    """Runs `fn(server)` and `fn(oracle)`; each returns a log of what it saw. They must agree."""
    got, want = fn(server), fn(oracle)
    for i, (g, w) in enumerate(zip(got, want)):
        assert g == w, f"entry {i}: server {g!r} != redis {w!r}\nserver: {got!r}\nredis:  {want!r}"
    assert len(got) == len(want)
    return got


def _err(e: Exception) -> str:
    return f"{type(e).__name__}: {e}"


# --- redis-py Lock -------------------------------------------------------------------------------

def _lock_session(srv) -> list:
    log = []
    r1, r2 = srv.client(), srv.client()
    a = r1.lock("resource", timeout=10)
    b = r2.lock("resource", timeout=10)
    log.append(("a acquires", a.acquire(blocking=False)))
    log.append(("b cannot", b.acquire(blocking=False)))
    log.append(("a owns", a.owned(), "b owns", b.owned(), "locked", b.locked()))
    log.append(("a extends", a.extend(5)))
    log.append(("ttl after extend in (10, 15]", 10_000 < r1.pttl("resource") <= 15_000))
    log.append(("a extends, replacing ttl", a.extend(3, replace_ttl=True)))
    log.append(("ttl replaced", 0 < r1.pttl("resource") <= 3_000))
    log.append(("a reacquires", a.reacquire()))
    log.append(("ttl reset", 3_000 < r1.pttl("resource") <= 10_000))
    for what, fn in (("b extends", lambda: b.extend(5)), ("b releases", b.release)):
        try:
            fn()
            log.append((what, "no error"))
        except LockError as e:
            log.append((what, _err(e)))
    a.release()
    log.append(("released", r1.exists("resource")))
    log.append(("b acquires", b.acquire(blocking=False)))

    # After SCRIPT FLUSH every Lock script is gone from the cache: EVALSHA answers NOSCRIPT and
    # redis-py loads the script again.
    r1.script_flush()
    log.append(("b extends after flush", b.extend(1)))
    log.append(("b reacquires after flush", b.reacquire()))
    # Someone else took the key over: the release script sees another token.
    r1.set("resource", "someone-else")
    try:
        b.release()
        log.append(("b releases a stolen lock", "no error"))
    except LockNotOwnedError as e:
        log.append(("b releases a stolen lock", _err(e)))
    log.append(("key kept", r1.get("resource")))
    r1.script_flush()
    c = r2.lock("other", timeout=5)
    log.append(("c acquires", c.acquire(blocking=False)))
    try:
        c.do_release(b"not-the-token")
        log.append(("release with a wrong token", "no error"))
    except LockNotOwnedError as e:
        log.append(("release with a wrong token", _err(e)))
    c.release()
    log.append(("c released", r1.exists("other")))
    log.append(("scripts cached", sorted(r1.script_exists(
        c.lua_release.sha, c.lua_extend.sha, c.lua_reacquire.sha))))
    return log


def test_lock_across_two_clients_and_script_flush(server, oracle):
    log = _both(server, oracle, _lock_session)
    assert ("a acquires", True) in log
    assert ("b cannot", False) in log
    assert ("b extends after flush", True) in log
    assert ("key kept", b"someone-else") in log


def test_lock_blocking_acquire_waits_for_release(server):
    r1, r2 = server.client(), server.client()
    a = r1.lock("job", timeout=30)
    assert a.acquire(blocking=False)
    # thread_local=False: the token taken in the thread stays visible here.
    b = r2.lock("job", timeout=30, sleep=0.01, blocking_timeout=10, thread_local=False)
    got = {}
    t = threading.Thread(target=lambda: got.setdefault("b", b.acquire()))
    t.start()
    wait_until(lambda: r1.exists("job"), "the lock held")
    a.release()
    t.join(10)
    assert got.get("b") is True
    assert b.owned()
    b.release()
    assert r1.exists("job") == 0


# --- register_script -----------------------------------------------------------------------------

def _command_calls(r, names) -> dict:
    stats = r.info("commandstats")
    out = {}
    for n in names:
        s = stats.get(f"cmdstat_{n}", {})
        out[n] = (s.get("calls", 0), s.get("rejected_calls", 0), s.get("failed_calls", 0))
    return out


def _register_session(srv) -> list:
    r = srv.client()
    log = []
    s = r.register_script("return {KEYS[1], ARGV[1], redis.call('incr', KEYS[1])}")
    log.append(s(keys=["n"], args=["a"]))
    log.append(r.script_exists(s.sha))
    r.script_flush()
    log.append(r.script_exists(s.sha))
    log.append(s(keys=["n"], args=["b"]))  # NOSCRIPT, SCRIPT LOAD, EVALSHA
    log.append(r.script_exists(s.sha))
    bad = r.register_script("return redis.call('nosuch')")
    try:
        bad()
        log.append("no error")
    except ResponseError as e:
        log.append(str(e))
    log.append(_command_calls(r, ["evalsha", "script|load", "script|flush", "script|exists"]))
    return log


def test_register_script_falls_back_on_noscript(server, oracle):
    log = _both(server, oracle, _register_session)
    assert log[0] == [b"n", b"a", 1]
    assert log[2] == [False]
    assert log[3] == [b"n", b"b", 2]
    assert log[-1]["evalsha"][0] >= 3


# --- MULTI pipelines (Bull) ----------------------------------------------------------------------

ADD_JOB = """
local id = redis.call('incr', KEYS[1])
redis.call('hset', KEYS[2] .. id, 'name', ARGV[1], 'data', ARGV[2])
redis.call('lpush', KEYS[3], id)
return id
"""
MOVE_JOB = """
local id = redis.call('rpoplpush', KEYS[1], KEYS[2])
if not id then return false end
return {id, redis.call('hget', KEYS[3] .. id, 'name')}
"""


def _pipeline_session(srv) -> list:
    r = srv.client()
    add, move = r.register_script(ADD_JOB), r.register_script(MOVE_JOB)
    log = []
    for round_ in range(2):
        pipe = r.pipeline(transaction=True)
        for i in range(3):
            add(keys=["q:id", "q:job:", "q:wait"], args=[f"job{round_}{i}", "{}"], client=pipe)
        move(keys=["q:wait", "q:active", "q:job:"], client=pipe)
        pipe.llen("q:wait")
        log.append(pipe.execute())
        r.script_flush()  # the next pipeline loads both scripts again before MULTI
    pipe = r.pipeline(transaction=True)
    move(keys=["q:empty", "q:active", "q:job:"], client=pipe)
    r.set("q:str", "x")
    add(keys=["q:str", "q:job:", "q:wait"], args=["bad", "{}"], client=pipe)
    pipe.get("q:str")
    log.append([r if not isinstance(r, Exception) else _err(r)
                for r in pipe.execute(raise_on_error=False)])
    log.append(r.lrange("q:active", 0, -1))
    return log


def test_scripts_in_a_multi_pipeline(server, oracle):
    log = _both(server, oracle, _pipeline_session)
    assert log[0] == [1, 2, 3, [b"1", b"job00"], 2]
    assert log[2][0] is None
    assert log[2][1].startswith("ResponseError: value is not an integer")


def test_evalsha_queued_in_multi_sees_the_cache_at_exec(server, oracle):
    def session(srv):
        r = srv.client()
        sha = r.script_load("return 'cached'")
        pipe = r.pipeline(transaction=True)
        pipe.evalsha(sha, 0)
        pipe.script_flush()
        pipe.evalsha(sha, 0)
        return [x if not isinstance(x, Exception) else _err(x)
                for x in pipe.execute(raise_on_error=False)]

    log = _both(server, oracle, session)
    assert log[0] == b"cached"
    assert "NoScriptError" in log[2]


# --- blocked clients, notifications, MONITOR -----------------------------------------------------

def test_script_lpush_wakes_blpop_client(server, oracle):
    def session(srv):
        r, waiter = srv.client(), srv.client()
        got = {}
        t = threading.Thread(target=lambda: got.setdefault("pop", waiter.blpop(["q"], timeout=10)))
        t.start()
        wait_until(lambda: r.info("clients")["blocked_clients"] == 1, "the BLPOP client blocked")
        reply = r.eval("redis.call('lpush', KEYS[1], 'a'); local n = redis.call('llen', KEYS[1]);"
                       " redis.call('lpush', KEYS[1], 'b'); return n", 1, "q")
        t.join(10)
        return [reply, got.get("pop"), r.lrange("q", 0, -1), r.info("clients")["blocked_clients"]]

    log = _both(server, oracle, session)
    assert log == [1, (b"q", b"b"), [b"a"], 0]


def test_keyspace_notifications_from_script_writes(server, oracle):
    def session(srv):
        r = srv.client()
        r.config_set("notify-keyspace-events", "KEA")
        p = r.pubsub(ignore_subscribe_messages=True)
        p.psubscribe("__key*__:*")
        wait_until(lambda: r.pubsub_numpat() == 1, "the pattern subscription")
        r.eval("redis.call('set', KEYS[1], 'v'); redis.call('rpush', KEYS[2], 'a');"
               " redis.call('expire', KEYS[2], 100); redis.call('del', KEYS[1]);"
               " redis.pcall('incr', KEYS[2]); redis.call('select', '2');"
               " redis.call('set', KEYS[1], 'w'); return 1", 2, "k", "l")
        r.set("end-marker", "x")  # its events close the list
        events = []
        deadline = time.monotonic() + 10
        while (b"__keyevent@0__:set", b"end-marker") not in events:
            assert time.monotonic() < deadline, f"events so far: {events}"
            # None also stands for a skipped subscribe confirmation.
            m = p.get_message(timeout=1)
            if m is not None:
                events.append((m["channel"], m["data"]))
        p.close()
        return events

    log = _both(server, oracle, session)
    assert log[:2] == [(b"__keyspace@0__:k", b"set"), (b"__keyevent@0__:set", b"k")]
    assert log[-4:-2] == [(b"__keyspace@2__:k", b"set"), (b"__keyevent@2__:set", b"k")]
    assert len(log) == 12


def test_monitor_shows_script_commands_as_lua(server, oracle):
    def session(srv):
        r = srv.client()
        seen = []
        with r.monitor() as m:
            r.eval("redis.call('set', KEYS[1], ARGV[1]); redis.call('select', '3');"
                   " return redis.call('get', KEYS[1])", 1, "mk", "mv")
            r.ping()
            while True:
                c = m.next_command()
                if c["command"] == "PING":
                    break
                seen.append((c["db"], c["client_type"], c["command"]))
        return seen

    log = _both(server, oracle, session)
    assert log[0][1] == "tcp" and log[0][2].startswith("EVAL ")
    assert log[1:] == [(0, "lua", "set mk mv"), (3, "lua", "select 3"), (3, "lua", "get mk")]


# --- AOF -----------------------------------------------------------------------------------------

AOF_STEPS = [
    ("EVAL", "redis.call('set', KEYS[1], ARGV[1]); return redis.call('incr', KEYS[2])", "2",
     "a", "n", "v"),
    ("EVAL", "return redis.call('set', KEYS[1], 'one-write')", "1", "b"),
    ("EVAL", "return redis.call('get', KEYS[1])", "1", "a"),
    ("EVAL", "redis.call('rpush', 'l', 1, 2, 3); redis.call('lpop', 'l');"
             " redis.call('set', 'e', 'x', 'EX', 1000); return redis.call('llen', 'l')", "0"),
    ("EVAL", "redis.call('set', 'c', 1); redis.set_repl(redis.REPL_NONE);"
             " redis.call('set', 'd', 1);"
             " redis.set_repl(redis.REPL_ALL); return redis.call('incrbyfloat', 'c', '0.5')", "0"),
    ("EVAL", "redis.call('select', 4); redis.call('set', 'in4', 1); redis.call('select', 0);"
             " return redis.call('set', 'in0', 1)", "0"),
    ("EVAL", "redis.call('set', 'before-error', 1); return redis.call('nosuch')", "0"),
    ("SCRIPT", "LOAD",
     "redis.call('hset', KEYS[1], 'f', ARGV[1]); return redis.call('hincrby', KEYS[1], 'g', 2)"),
    ("MULTI",),
    ("EVAL", "return redis.call('sadd', 's', 'only')", "0"),
    ("SET", "plain", "1"),
    ("EXEC",),
    ("EVAL_RO", "return redis.call('exists', 'a')", "0"),
    ("EVAL", "redis.call('sadd', 's2', 'm'); return redis.call('spop', 's2')", "0"),
]


def test_aof_holds_script_effects_as_redis_writes_them(server_factory, oracle_factory):
    a, b = server_factory(*AOF_ARGS), oracle_factory(*AOF_ARGS)
    loaded = AOF_STEPS[7][2].encode()
    sha = hashlib.sha1(loaded).hexdigest()
    steps = AOF_STEPS + [("EVALSHA", sha, "1", "h", "v")]
    replies = []
    for srv in (a, b):
        with srv.raw() as c:
            replies.append([c.call_raw(*s) for s in steps])
    assert replies[0] == replies[1]
    ours, theirs = incr_commands(a.workdir), incr_commands(b.workdir)
    for i, (x, y) in enumerate(zip(ours, theirs)):
        assert same_command(x, y), f"AOF command {i}\n  baozi: {x!r}\n  redis: {y!r}"
    assert len(ours) == len(theirs), f"{ours!r}\n{theirs!r}"
    assert [b"MULTI"] in theirs


# --- INFO ----------------------------------------------------------------------------------------

def test_info_counts_cached_scripts(server, oracle):
    def session(srv):
        r = srv.client()
        log = [r.info("memory")["number_of_cached_scripts"]]
        r.script_load("return 1")
        r.script_load("return 2")
        r.eval("return 3", 0)
        r.eval("return 3", 0)
        log.append(r.info("memory")["number_of_cached_scripts"])
        with pytest.raises(ResponseError):
            r.eval("return +", 0)
        log.append(r.info("memory")["number_of_cached_scripts"])
        r.script_flush("ASYNC")
        log.append(r.info("memory")["number_of_cached_scripts"])
        return log

    assert _both(server, oracle, session) == [0, 3, 3, 0]
