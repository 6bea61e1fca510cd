"""Redis 7.0 functions against the real redis-server: libraries that survive restarts with RDB and
AOF persistence, RDB files and FUNCTION DUMP payloads moving between baozi and Redis in both
directions, a long function answered with BUSY and ended by FUNCTION KILL, and a list of
scenarios whose replies must be byte for byte Redis's in RESP2 and RESP3.
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest
import redis

from polling import wait_until
from serverproc import baozi_binary, oracle_binary

LIB = ("#!lua name=mylib\n"
       "redis.register_function('myset', function(keys, args) "
       "return redis.call('set', keys[1], args[1]) end)\n"
       "redis.register_function{function_name='myget', callback=function(keys) "
       "return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads'}")
# One function per library wherever a listing is compared byte for byte: Redis lists a
# library's functions in hash order.
LIB1 = ("#!lua name=one\n"
        "redis.register_function{function_name='only', callback=function(keys) "
        "return redis.call('get', keys[1]) end, flags={'no-writes', 'allow-stale'}, "
        "description='the only one'}")
LIB2 = ("#!lua name=counter\nlocal n = 0\n"
        "redis.register_function('bump', function() n = n + 1 return n end)")


def libraries(c) -> list:
    """FUNCTION LIST WITHCODE in a canonical order (Redis lists in hash order)."""
    out = []
    for lib in c.execute_command("FUNCTION", "LIST", "WITHCODE"):
        d = dict(zip(lib[::2], lib[1::2]))
        funcs = sorted((dict(zip(f[::2], f[1::2])) for f in d[b"functions"]),
                       key=lambda f: f[b"name"])
        out.append((d[b"library_name"], d[b"engine"], d[b"library_code"],
                    [(f[b"name"], f[b"description"], sorted(f[b"flags"])) for f in funcs]))
    return sorted(out)


def wait_rewrite(c):
    wait_until(lambda: c.info("persistence")["aof_rewrite_in_progress"] == 0
               and c.info("persistence")["aof_rewrite_scheduled"] == 0,
               "the rewrite to end", timeout=20)


# --- persistence ---------------------------------------------------------------------------------


def test_functions_survive_a_restart_with_rdb(procs, tmp_path):
    work = tmp_path / "w"
    s = procs(baozi_binary(), work)
    c = s.client()
    assert c.function_load(LIB) == b"mylib"
    assert c.function_load(LIB2) == b"counter"
    assert c.fcall("myset", 1, "k", "v") == b"OK"
    want = libraries(c)
    assert c.save() is True
    s.stop()
    s = procs(baozi_binary(), work)
    c = s.client()
    assert libraries(c) == want
    assert c.fcall("myget", 1, "k") == b"v"
    assert c.fcall_ro("myget", 1, "k") == b"v"
    assert c.fcall("bump", 0) == 1
    # DEBUG RELOAD keeps them; FLUSHALL does not touch them.
    assert c.execute_command("DEBUG", "RELOAD") == b"OK"
    assert libraries(c) == want
    assert c.flushall() is True
    assert libraries(c) == want


@pytest.mark.parametrize("preamble", ["yes", "no"])
def test_functions_survive_a_restart_with_aof(procs, tmp_path, preamble):
    args = ("--appendonly", "yes", "--aof-use-rdb-preamble", preamble)
    work = tmp_path / "w"
    s = procs(baozi_binary(), work, *args)
    c = s.client()
    assert c.function_load(LIB) == b"mylib"
    assert c.fcall("myset", 1, "k", "v1") == b"OK"
    assert c.function_load(LIB2) == b"counter"
    assert c.execute_command("FUNCTION", "DELETE", "counter") == b"OK"
    want = libraries(c)
    s.stop()
    # The incr file replays FUNCTION LOAD / DELETE as they were run.
    s = procs(baozi_binary(), work, *args)
    c = s.client()
    assert libraries(c) == want
    assert c.fcall("myget", 1, "k") == b"v1"
    # A rewrite writes the libraries into the new base.
    c.bgrewriteaof()
    wait_rewrite(c)
    base = next((work / "appendonlydir").glob("*.base.*"))
    if preamble == "no":
        assert base.read_bytes().startswith(
            b"*3\r\n$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n$%d\r\n%s\r\n" % (len(LIB), LIB.encode()))
    else:
        assert base.read_bytes().startswith(b"REDIS0010")
    assert c.fcall("myset", 1, "k", "v2") == b"OK"
    s.stop()
    s = procs(baozi_binary(), work, *args)
    c = s.client()
    assert libraries(c) == want
    assert c.fcall("myget", 1, "k") == b"v2"


@pytest.mark.parametrize("preamble", ["yes", "no"])
def test_aof_with_functions_moves_between_redis_and_baozi(procs, tmp_path, preamble):
    args = ("--appendonly", "yes", "--aof-use-rdb-preamble", preamble)
    rwork = tmp_path / "redis"
    r = procs(oracle_binary(), rwork, *args)
    rc = r.client()
    rc.function_load(LIB)
    rc.bgrewriteaof()
    wait_rewrite(rc)
    rc.function_load(LIB2)
    rc.fcall("myset", 1, "k", "from-redis")
    want = libraries(rc)
    r.stop()
    bwork = tmp_path / "baozi"
    bwork.mkdir()
    shutil.copytree(rwork / "appendonlydir", bwork / "appendonlydir")
    b = procs(baozi_binary(), bwork, *args)
    bc = b.client()
    assert libraries(bc) == want
    assert bc.fcall("myget", 1, "k") == b"from-redis"
    bc.execute_command("FUNCTION", "DELETE", "counter")
    bc.bgrewriteaof()
    wait_rewrite(bc)
    bc.fcall("myset", 1, "k", "from-baozi")
    want = libraries(bc)
    b.stop()
    rwork2 = tmp_path / "redis2"
    rwork2.mkdir()
    shutil.copytree(bwork / "appendonlydir", rwork2 / "appendonlydir")
    r2 = procs(oracle_binary(), rwork2, *args)
    assert libraries(r2.client()) == want
    assert r2.client().fcall("myget", 1, "k") == b"from-baozi"


@pytest.mark.parametrize("direction", ["redis-to-baozi", "baozi-to-redis"])
def test_rdb_with_functions_moves_between_servers(procs, tmp_path, direction):
    first, second = ((oracle_binary(), baozi_binary()) if direction == "redis-to-baozi"
                     else (baozi_binary(), oracle_binary()))
    a = procs(first, tmp_path / "a")
    ca = a.client()
    ca.function_load(LIB)
    ca.function_load(LIB2)
    ca.set("plain", "key")
    want = libraries(ca)
    assert ca.save() is True
    (tmp_path / "b").mkdir()
    shutil.copy(tmp_path / "a" / "dump.rdb", tmp_path / "b" / "dump.rdb")
    b = procs(second, tmp_path / "b")
    cb = b.client()
    assert libraries(cb) == want
    assert cb.get("plain") == b"key"
    assert cb.fcall("bump", 0) == 1


def test_function_dump_payloads_move_both_ways(procs, tmp_path):
    b = procs(baozi_binary(), tmp_path / "b")
    r = procs(oracle_binary(), tmp_path / "r")
    cb, cr = b.client(), r.client()
    for c in (cb, cr):
        c.function_load(LIB)
        c.function_load(LIB2)
    # Same libraries, same payload bytes (both list `counter` before `mylib` here only if the
    # hash order says so: compare one library at a time).
    for c in (cb, cr):
        c.execute_command("FUNCTION", "DELETE", "counter")
    for comp in ("yes", "no"):
        cb.config_set("rdbcompression", comp)
        cr.config_set("rdbcompression", comp)
        assert cb.function_dump() == cr.function_dump()
    cb.function_load(LIB2)
    cr.function_load(LIB2)
    payload_b = cb.function_dump()
    payload_r = cr.function_dump()
    cr.function_flush()
    assert cr.function_restore(payload_b) is True
    assert libraries(cr) == libraries(cb)
    cb.function_flush()
    assert cb.function_restore(payload_r) is True
    assert libraries(cb) == libraries(cr)
    assert cb.fcall("bump", 0) == 1


# --- a long-running function -------------------------------------------------------------------


def test_busy_function_is_killed_with_function_kill(procs, tmp_path):
    for binary in (baozi_binary(), oracle_binary()):
        s = procs(binary, tmp_path / binary.name, "--busy-reply-threshold", "50")
        c = s.client()
        c.function_load("#!lua name=slow\nredis.register_function{function_name='spin', "
                        "callback=function() local i = 0 while true do i = i + 1 end end, "
                        "flags={'no-writes'}}")
        result = {}

        def run():
            try:
                s.client().fcall("spin", 0, "arg")
            except redis.ResponseError as e:
                result["err"] = str(e)

        t = threading.Thread(target=run)
        t.start()
        other = s.client()

        def busy():
            try:
                other.ping()
                return False
            except redis.exceptions.BusyLoadingError:
                return True
            except redis.ResponseError as e:
                return str(e).startswith("BUSY")

        wait_until(busy, "the function to turn the server busy")
        with pytest.raises(redis.ResponseError) as e:
            other.get("x")
        assert str(e.value) == ("BUSY Redis is busy running a script. You can only call "
                                "FUNCTION KILL or SHUTDOWN NOSAVE.")
        stats = other.execute_command("FUNCTION", "STATS")
        running = dict(zip(stats[1][::2], stats[1][1::2]))
        assert running[b"name"] == b"spin"
        assert running[b"command"] == [b"FCALL", b"spin", b"0", b"arg"]
        assert running[b"duration_ms"] >= 0
        with pytest.raises(redis.ResponseError) as e:
            other.execute_command("SCRIPT", "KILL")
        assert str(e.value).startswith("BUSY")
        assert other.execute_command("FUNCTION", "KILL") == b"OK"
        t.join(10)
        assert result["err"] == "Script killed by user with SCRIPT KILL... script: spin, on " \
                                "@user_function:2."
        assert other.ping() is True
        s.stop()


# --- replies side by side ----------------------------------------------------------------------

SCENARIOS = [
    [("FUNCTION", "LOAD", LIB1), ("FUNCTION", "LIST"), ("FUNCTION", "LIST", "WITHCODE"),
     ("FUNCTION", "LIST", "LIBRARYNAME", "O*"), ("FUNCTION", "LIST", "LIBRARYNAME", "x"),
     ("FCALL", "only", "1", "k"), ("FUNCTION", "LOAD", LIB),
     ("FCALL", "myset", "1", "k", "v"), ("FCALL_RO", "myget", "1", "k"),
     ("FCALL_RO", "myset", "1", "k", "v"), ("FCALL", "MYGET", "1", "k"),
     ("FUNCTION", "STATS"), ("FUNCTION", "LOAD", LIB), ("FUNCTION", "LOAD", "REPLACE", LIB),
     ("FUNCTION", "DELETE", "mylib"), ("FUNCTION", "DELETE", "mylib"), ("FUNCTION", "STATS")],
    [("FUNCTION", "LOAD", "#!lua name=conv\nredis.register_function('c', function(keys, args) "
      "return {1, 'two', {ok='fine'}, false, true, 3.99, {err='inner'}, {1, {2, {3}}}, nil, 5} "
      "end)"),
     ("FCALL", "c", "0"),
     ("FUNCTION", "LOAD", "#!lua name=conv2\nredis.register_function('c2', function() "
      "redis.setresp(3) return {redis.call('hgetall', 'nope'), {double=1.5}, {map={a=1}}, "
      "{set={x=true}}, {big_number='123'}} end)"),
     ("FCALL", "c2", "0"),
     ("FUNCTION", "LOAD", "#!lua name=conv3\nredis.register_function('c3', function() "
      "return redis.pcall('incr', 'str') end)"),
     ("SET", "str", "abc"), ("FCALL", "c3", "0"),
     ("FUNCTION", "LOAD", "#!lua name=conv4\nredis.register_function('c4', function(k, a) "
      "return redis.call(unpack(a)) end)"),
     ("FCALL", "c4", "0", "lpush", "l", "a", "b"), ("FCALL", "c4", "0", "lrange", "l", "0", "-1"),
     ("FCALL", "c4", "0", "eval", "return 1", "0"), ("FCALL", "c4", "0", "blpop", "nol", "0"),
     ("FCALL", "c4", "0", "fcall", "c", "0"), ("FCALL", "c4", "0", "get"),
     ("FCALL", "c4", "0", "nosuch")],
    [("FUNCTION", "LOAD", "#!lua name=e\nredis.register_function('e1', function() "
      "error('plain') end) redis.register_function('e2', function() "
      "error({err='MYCODE custom'}) end) redis.register_function('e3', function() "
      "return redis.error_reply('X y') end) redis.register_function('e4', function() "
      "return redis.status_reply('FINE') end)"),
     ("FCALL", "e1", "0"), ("FCALL", "e2", "0"), ("FCALL", "e3", "0"), ("FCALL", "e4", "0"),
     ("FCALL", "e1", "x"), ("FCALL", "e1", "-1"), ("FCALL", "e1", "3", "a"), ("FCALL", "none", "0"),
     ("FCALL",), ("FCALL_RO", "e1")],
    [("FUNCTION", "LOAD", "#!lua name=f\nredis.register_function{function_name='w', "
      "callback=function(k) return redis.call('set', k[1], 'x') end, flags={'no-writes'}}"),
     ("FCALL", "w", "1", "k"), ("FCALL_RO", "w", "1", "k"),
     ("FUNCTION", "LOAD", "#!lua name=g\nredis.register_function('w', function() end)"),
     ("FUNCTION", "LOAD", "#!lua name=g\nredis.register_function('W', function() end)"),
     ("FUNCTION", "LOAD", "#!lua name=g\nredis.register_function('w2', function() end) "
      "redis.register_function('w2', function() end)"),
     ("FUNCTION", "LOAD", "REPLACE", "#!lua name=f\nredis.register_function('nw', "
      "function() return 1 end)"),
     ("FCALL", "w", "1", "k"), ("FCALL", "nw", "0"), ("FUNCTION", "LIST", "LIBRARYNAME", "f")],
    [("FUNCTION", "LOAD", "return 1"), ("FUNCTION", "LOAD", "#!lua"),
     ("FUNCTION", "LOAD", "#!lua name=a b=c\n"), ("FUNCTION", "LOAD", "#!lua name=a name=b\n"),
     ("FUNCTION", "LOAD", "#!lua name=\n"), ("FUNCTION", "LOAD", "#!lua name=a-b\n"),
     ("FUNCTION", "LOAD", "#!js name=a\n"), ("FUNCTION", "LOAD", "#!lua name=\"a b\"\n"),
     ("FUNCTION", "LOAD", "#!lua name=\"unbalanced\n"), ("FUNCTION", "LOAD", "#!lua name=ok\n"),
     ("FUNCTION", "LOAD", "#!lua name=ok\nlocal x = string.len('a')"),
     ("FUNCTION", "LOAD", "#!lua name=ok\nredis.call('ping')"),
     ("FUNCTION", "LOAD", "#!lua name=ok\nx = 5"),
     ("FUNCTION", "LOAD", "#!lua name=ok\nredis.register_function('a', function() end"),
     ("FUNCTION", "LOAD", "#!lua name=ok\nredis.register_function({function_name='a', "
      "callback=function() end, flags={'no-writes', 'bogus'}})"),
     ("FUNCTION", "LOAD", "#!lua name=ok\nredis.register_function('a', 'b')"),
     ("FUNCTION", "LOAD", "#!lua name=ok\nredis.register_function()"),
     ("FUNCTION", "LOAD", "foo", "#!lua name=ok\n"), ("FUNCTION", "LOAD")],
    [("FUNCTION", "LIST", "bad"), ("FUNCTION", "LIST", "LIBRARYNAME"),
     ("FUNCTION", "LIST", "WITHCODE", "WITHCODE"), ("FUNCTION", "DELETE", "x"),
     ("FUNCTION", "FLUSH", "bad"), ("FUNCTION", "FLUSH", "sync", "async"),
     ("FUNCTION", "FLUSH", "SYNC"), ("FUNCTION", "FLUSH", "async"), ("FUNCTION", "FLUSH"),
     ("FUNCTION", "RESTORE", "x"), ("FUNCTION", "RESTORE", "x", "bad"),
     ("FUNCTION", "RESTORE", "x", "flush", "y"), ("FUNCTION", "DUMP"), ("FUNCTION", "KILL"),
     ("FUNCTION", "HELP"), ("FUNCTION", "nope"), ("FUNCTION",), ("FUNCTION", "STATS", "x")],
    [("FUNCTION", "LOAD", LIB), ("FUNCTION", "DUMP"), ("FUNCTION", "FLUSH"),
     ("FUNCTION", "LOAD", LIB2), ("FUNCTION", "DUMP"),
     ("MULTI",), ("FCALL", "bump", "0"), ("FCALL", "bump", "0"), ("EXEC",),
     ("COMMAND", "INFO", "fcall", "fcall_ro")],
]


@pytest.mark.parametrize("resp", [2, 3])
def test_replies_match_redis(server_factory, oracle_factory, resp):
    b = server_factory()
    o = oracle_factory()
    for n, steps in enumerate(SCENARIOS):
        with b.raw() as cb, o.raw() as co:
            if resp == 3:  # (HELLO's own reply names the versions, which differ)
                cb.call_raw("HELLO", "3")
                co.call_raw("HELLO", "3")
            for step in steps:
                got, want = cb.call_raw(*step), co.call_raw(*step)
                assert got == want, f"scenario {n} step {step}"
            cb.call_raw("FUNCTION", "FLUSH")
            co.call_raw("FUNCTION", "FLUSH")
            cb.call_raw("FLUSHALL")
            co.call_raw("FLUSHALL")
