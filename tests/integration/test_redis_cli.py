"""redis-cli 7 (Debian redis-tools) driven against the server, compared with Redis itself.

Every mode the issue names runs unchanged against the server under test and, where
the output does not depend on timing, hash order or allocator sizes, the same
invocation runs against the oracle (Debian's redis-server 7.0.15) and the two
outputs must be identical byte for byte: one-shot commands (raw, --no-raw, --csv,
--json, -x, -r, -e, --eval), --scan --pattern, --bigkeys, -3, --pipe with 100,000
commands, -n, -a/--user/--pass/-u/REDISCLI_AUTH against --requirepass, and an
interactive session in tmux (hints as you type, HELP @string, commands and replies
read back from the screen).  --memkeys and --stat print memory sizes and counters
that legitimately differ between implementations, so those are checked against
the same server's own MEMORY USAGE / INFO instead.

redis-cli is never given the test's standard input (CI has none); when it is not
on a terminal it prints replies "raw", which is what most of these compare.
"""

from __future__ import annotations

import os
import queue
import re
import subprocess
import threading
import time

import pytest

PASSWORD_WARNING = (
    "Warning: Using a password with '-a' or '-u' option on the command line interface "
    "may not be safe.\n"
)


def run(args, stdin: bytes | None = None, timeout=60, env=None):
    return subprocess.run(
        args,
        input=stdin if stdin is not None else b"",
        capture_output=True,
        timeout=timeout,
        env=env,
    )


def cli(redis_cli, srv, *args, stdin: bytes | None = None, env=None):
    """Runs redis-cli against `srv`; returns (stdout, stderr, exit code) as text."""
    p = run([redis_cli, "-h", srv.host, "-p", str(srv.port), *args], stdin=stdin, env=env)
    return (p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace"),
            p.returncode)


def both(redis_cli, server, oracle, *args, stdin: bytes | None = None, env=None):
    """The same invocation against both servers; asserts equal output, returns it."""
    got = cli(redis_cli, server, *args, stdin=stdin, env=env)
    want = cli(redis_cli, oracle, *args, stdin=stdin, env=env)
    got_n = tuple(x.replace(str(server.port), "PORT") if isinstance(x, str) else x for x in got)
    want_n = tuple(x.replace(str(oracle.port), "PORT") if isinstance(x, str) else x
                   for x in want)
    assert got_n == want_n, f"redis-cli {' '.join(args)}\nserver: {got!r}\noracle: {want!r}"
    return got


def fill(srv, commands):
    c = srv.client()
    with c.pipeline(transaction=False) as p:
        for cmd in commands:
            p.execute_command(*cmd)
        p.execute()


# --- one-shot commands ----------------------------------------------------

ONE_SHOT = [
    ("set", "a", "hello"),
    ("get", "a"),
    ("get", "missing"),
    ("incr", "n"),
    ("incrbyfloat", "f", "1.5"),
    ("mget", "a", "missing", "n"),
    ("append", "a", " world"),
    ("strlen", "a"),
    ("rpush", "l", "x", "y", "z"),
    ("lrange", "l", "0", "-1"),
    ("lrange", "nolist", "0", "-1"),
    ("hset", "h", "f1", "v1", "f2", "v2"),
    ("hgetall", "h"),
    ("hget", "h", "nofield"),
    ("sadd", "ints", "3", "1", "2"),
    ("smembers", "ints"),
    ("zadd", "z", "1", "a", "2.5", "b"),
    ("zrange", "z", "0", "-1", "withscores"),
    ("zscore", "z", "b"),
    ("type", "z"),
    ("exists", "a", "l", "nope"),
    ("info", "keyspace"),  # before any EXPIRE: avg_ttl is an estimate
    ("ttl", "a"),
    ("expire", "a", "100"),
    ("persist", "a"),
    ("object", "encoding", "ints"),
    ("config", "get", "maxmemory"),
    ("echo", "line1\nline2"),
    ("set", "bin", "a\x01b\"c"),
    ("get", "bin"),
    ("incr", "a"),
    ("lpush", "a", "x"),
    ("get",),
    ("nosuchcommand", "arg"),
    ("dbsize",),
    ("del", "a", "l", "h"),
    ("dbsize",),
]


@pytest.mark.parametrize("mode", [(), ("--no-raw",), ("--csv",), ("-e",)],
                         ids=["raw", "no-raw", "csv", "exit-code"])
def test_one_shot_commands_match_redis(redis_cli, server, oracle, mode):
    for cmd in ONE_SHOT:
        both(redis_cli, server, oracle, *mode, *cmd)
    out = cli(redis_cli, server, *mode, "dbsize")[0]
    assert out == ("(integer) 5\n" if mode == ("--no-raw",) else "5\n")


def test_one_shot_spot_checks(redis_cli, server):
    """A few outputs spelled out, so a wrong oracle cannot make this file pass."""
    assert cli(redis_cli, server, "set", "a", "b") == ("OK\n", "", 0)
    assert cli(redis_cli, server, "get", "a")[0] == "b\n"
    assert cli(redis_cli, server, "get", "missing")[0] == "\n"
    assert cli(redis_cli, server, "--no-raw", "get", "missing")[0] == "(nil)\n"
    assert cli(redis_cli, server, "rpush", "l", "1", "2")[0] == "2\n"
    assert cli(redis_cli, server, "--no-raw", "lrange", "l", "0", "-1")[0] == '1) "1"\n2) "2"\n'
    assert cli(redis_cli, server, "--csv", "lrange", "l", "0", "-1")[0] == '"1","2"\n'
    # -e: the error goes to stderr and the exit code says it failed.
    out, err, rc = cli(redis_cli, server, "-e", "incr", "a")
    assert (out, err.strip(), rc) == ("", "ERR value is not an integer or out of range", 1)
    out, _, rc = cli(redis_cli, server, "incr", "a")
    assert (out, rc) == ("ERR value is not an integer or out of range\n\n", 0)


def test_stdin_repeat_and_eval_match_redis(redis_cli, server, oracle, tmp_path):
    # -x: the last argument comes from standard input, newlines and all.
    blob = b"line one\nline two\x00end"
    both(redis_cli, server, oracle, "-x", "set", "blob", stdin=blob)
    assert server.client().get("blob") == blob
    both(redis_cli, server, oracle, "--no-raw", "get", "blob")
    both(redis_cli, server, oracle, "strlen", "blob")
    # -r: the same command N times.
    out = both(redis_cli, server, oracle, "-r", "5", "incr", "counter")[0]
    assert out == "1\n2\n3\n4\n5\n"
    out = both(redis_cli, server, oracle, "-r", "3", "--no-raw", "lpush", "rl", "v")[0]
    assert out == "(integer) 1\n(integer) 2\n(integer) 3\n"
    # --eval: keys before the comma, arguments after it.
    script = tmp_path / "s.lua"
    script.write_text("redis.call('set', KEYS[1], ARGV[1])\n"
                      "return {KEYS[1], KEYS[2], ARGV[1], ARGV[2], redis.call('incr', KEYS[2]),"
                      " tonumber(redis.call('get', KEYS[1])) * 2}\n")
    out = both(redis_cli, server, oracle, "--eval", str(script), "k1", "k2", ",", "21", "x")[0]
    assert out == "k1\nk2\n21\nx\n1\n42\n"
    both(redis_cli, server, oracle, "--no-raw", "--eval", str(script), "k1", "k2", ",", "4", "y")
    bad = tmp_path / "bad.lua"
    bad.write_text("return redis.call('nosuch')\n")
    out = both(redis_cli, server, oracle, "--eval", str(bad))[0]
    assert "Unknown Redis command called from script" in out


# --- --scan ----------------------------------------------------------------

def _scan_data():
    cmds = [("set", f"user:{i}", "v") for i in range(300)]
    cmds += [("hset", f"user:{i}:profile", "name", "n") for i in range(50)]
    cmds += [("set", f"session:{i}", "v") for i in range(200)]
    cmds += [("set", "user?", "q"), ("set", "us*er", "star")]
    return cmds


def test_scan_pattern(redis_cli, server, oracle):
    for s in (server, oracle):
        fill(s, _scan_data())
    for pattern, expect in [
        ("user:*", {f"user:{i}" for i in range(300)} | {f"user:{i}:profile" for i in range(50)}),
        ("user:*:profile", {f"user:{i}:profile" for i in range(50)}),
        ("session:1?", {f"session:{i}" for i in range(10, 20)}),
        ("user:[12]", {"user:1", "user:2"}),
        ("user\\?", {"user?"}),
        ("us\\*er", {"us*er"}),
        ("nothing*", set()),
    ]:
        results = []
        for s in (server, oracle):
            out, err, rc = cli(redis_cli, s, "--scan", "--pattern", pattern)
            assert rc == 0 and err == "", (pattern, err)
            keys = out.splitlines()
            assert len(keys) == len(set(keys)), f"{s}: --scan returned a key twice"
            results.append(set(keys))
        assert results[0] == expect, pattern
        assert results[1] == expect, pattern
    # Every key, and a small -i interval between SCAN calls still visits all of them.
    out, _, rc = cli(redis_cli, server, "--scan")
    assert rc == 0 and len(set(out.split())) == 552
    out, _, rc = cli(redis_cli, server, "--scan", "--pattern", "session:*", "-i", "0.001")
    assert rc == 0 and set(out.split()) == {f"session:{i}" for i in range(200)}
    # --quoted-pattern takes a quoted (escaped) pattern.
    out = cli(redis_cli, server, "--scan", "--quoted-pattern", '"user:29*"')[0]
    assert set(out.split()) == ({"user:29", "user:29:profile"}
                                | {f"user:{i}" for i in range(290, 300)})
    # --scan honours -n.
    c = server.client(db=4)
    c.set("db4key", "x")
    assert cli(redis_cli, server, "-n", "4", "--scan")[0] == "db4key\n"


# --- --bigkeys / --memkeys -------------------------------------------------

def _typed_data():
    cmds = [
        ("set", "s:short", "ab"),
        ("set", "s:long", "x" * 5000),
        ("set", "s:int", "123456"),
        ("rpush", "l:big", *[f"e{i}" for i in range(1000)]),
        ("rpush", "l:small", "a", "b", "c"),
        ("hset", "h:big", *[x for i in range(700) for x in (f"f{i}", f"v{i}")]),
        ("hset", "h:small", "f", "v"),
        ("sadd", "set:big", *[f"m{i}" for i in range(400)]),
        ("sadd", "set:ints", *range(20)),
        ("zadd", "z:big", *[x for i in range(300) for x in (i, f"m{i}")]),
        ("zadd", "z:small", 1, "a"),
    ]
    cmds += [("set", f"pad:{i}", "v" * (i % 7)) for i in range(40)]
    return cmds


def _summary(out: str) -> str:
    i = out.find("-------- summary -------")
    assert i >= 0, out
    return out[i:]


def test_bigkeys_matches_redis(redis_cli, server, oracle):
    for s in (server, oracle):
        fill(s, _typed_data())
    got = cli(redis_cli, server, "--bigkeys")
    want = cli(redis_cli, oracle, "--bigkeys")
    assert got[2] == 0 and got[1] == "", got
    # The progress lines follow SCAN order; the header and the summary do not.
    assert got[0].split("[")[0] == want[0].split("[")[0]
    assert _summary(got[0]) == _summary(want[0])
    summary = _summary(got[0])
    assert "Sampled 51 keys in the keyspace!" in summary
    assert "Biggest   list found '\"l:big\"' has 1000 items" in summary
    assert "Biggest   hash found '\"h:big\"' has 700 fields" in summary
    assert "Biggest string found '\"s:long\"' has 5000 bytes" in summary
    assert "Biggest    set found '\"set:big\"' has 400 members" in summary
    assert "Biggest   zset found '\"z:big\"' has 300 members" in summary
    assert "2 lists with 1003 items" in summary
    assert "0 streams with 0 entries" in summary
    # With a pattern only the matching keys are sampled.
    got = cli(redis_cli, server, "--bigkeys", "--pattern", "l:*")[0]
    want = cli(redis_cli, oracle, "--bigkeys", "--pattern", "l:*")[0]
    assert _summary(got) == _summary(want)
    assert "Sampled 2 keys in the keyspace!" in got


def _normalise_sizes(text: str) -> str:
    text = re.sub(r"has \d+ bytes", "has N bytes", text)
    text = re.sub(r"with \d+ bytes", "with N bytes", text)
    return re.sub(r"avg size [\d.]+", "avg size N", text)


def test_memkeys(redis_cli, server, oracle):
    for s in (server, oracle):
        fill(s, _typed_data())
    got = cli(redis_cli, server, "--memkeys")
    want = cli(redis_cli, oracle, "--memkeys")
    assert got[2] == 0 and got[1] == "", got
    # Byte counts are the server's own; the shape and the biggest keys are Redis's.
    assert _normalise_sizes(_summary(got[0])) == _normalise_sizes(_summary(want[0]))
    summary = _summary(got[0])
    c = server.client(decode_responses=True)
    usage = {k: c.memory_usage(k) for k in c.keys("*")}
    assert all(isinstance(v, int) and v > 0 for v in usage.values()), usage
    for kind, key in [("list", "l:big"), ("hash", "h:big"), ("string", "s:long"),
                      ("set", "set:big"), ("zset", "z:big")]:
        m = re.search(rf"Biggest +{kind} found '\"([^\"]+)\"' has (\d+) bytes", summary)
        assert m, (kind, summary)
        assert m.group(1) == key
        assert int(m.group(2)) == usage[key], (key, usage[key])
    by_type: dict[str, int] = {}
    for k, v in usage.items():
        t = c.type(k)
        by_type[t] = by_type.get(t, 0) + v
    for kind, plural in [("list", "lists"), ("hash", "hashs"), ("string", "strings"),
                         ("set", "sets"), ("zset", "zsets")]:
        m = re.search(rf"^(\d+) {plural} with (\d+) bytes", summary, re.M)
        assert m, (plural, summary)
        assert int(m.group(2)) == by_type[kind], (kind, by_type)
    # A big value costs more than a small one of the same type.
    assert usage["s:long"] > 5000 > usage["s:short"]
    assert usage["l:big"] > usage["l:small"]


# --- --stat ----------------------------------------------------------------

# keys, mem, clients, blocked, requests (+delta), connections, child
STAT_ROW = re.compile(r"^(\d+)\s+(\d+(?:\.\d+)?[BKMGT])\s+(\d+)\s+(\d+)\s+"
                      r"(\d+) \(\+(\d+)\)\s+(\d+)\s*(.*)$")


class LineReader:
    """Reads a process's stdout line by line on a thread, so reads can have deadlines."""

    def __init__(self, proc):
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, args=(proc.stdout,), daemon=True).start()

    def _pump(self, stream):
        for raw in stream:
            self.lines.put(raw.decode(errors="replace").rstrip("\n"))
        self.lines.put(None)

    def next(self, deadline: float) -> str:
        try:
            line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            pytest.fail(f"no output line in time; so far: {self.seen!r}")
        if line is None:
            pytest.fail(f"process ended; output: {self.seen!r}")
        self.seen.append(line)
        return line


def stat_rows(redis_cli, srv, on_row, wanted):
    """Runs `--stat -i 0.25` (line-buffered through stdbuf) and returns (header, rows):
    rows as tuples of ints/str; on_row(rows) runs after each row and returns True to stop."""
    p = subprocess.Popen(
        ["stdbuf", "-oL", redis_cli, "-h", srv.host, "-p", str(srv.port), "--stat", "-i", "0.25"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        reader = LineReader(p)
        deadline = time.monotonic() + 15
        header = [reader.next(deadline), reader.next(deadline)]
        rows = []
        while True:
            line = reader.next(deadline)
            if line.startswith("---") or line.startswith("keys"):
                continue  # the header repeats every 20 rows
            m = STAT_ROW.match(line)
            assert m, f"unparsable --stat row {line!r}"
            g = m.groups()
            rows.append((int(g[0]), g[1], int(g[2]), int(g[3]), int(g[4]), int(g[5]), int(g[6]),
                         g[7].strip()))
            if on_row(rows) or len(rows) >= wanted:
                return header, rows
    finally:
        p.kill()
        p.wait()
        if p.stderr:
            p.stderr.close()
        if p.stdout:
            p.stdout.close()


def test_stat(redis_cli, server, oracle):
    writer = server.client()
    fill(server, [("set", f"pre:{i}", "v") for i in range(25)])

    def on_row(rows):
        # After each of the first three rows, 100 more keys; the next rows must show them.
        if len(rows) <= 3:
            fill(server, [("set", f"k{len(rows)}:{i}", "v") for i in range(100)])
            writer.ping()
            return False
        return rows[-1][0] == 325

    header, rows = stat_rows(redis_cli, server, on_row, wanted=40)
    o_header, o_rows = stat_rows(redis_cli, oracle, lambda rows: False, wanted=2)
    assert header == o_header
    assert header[1].split() == ["keys", "mem", "clients", "blocked", "requests", "connections"]
    assert rows[0][0] == 25, rows
    assert rows[-1][0] == 325, rows  # else the reader gave up at 40 rows
    keys = [r[0] for r in rows]
    assert keys == sorted(keys), rows
    for prev, cur in zip(rows, rows[1:]):
        # "requests" is total_commands_processed and "(+d)" the change since the last row.
        assert cur[4] - prev[4] == cur[5], (prev, cur)
        assert cur[4] > prev[4]  # at least redis-cli's own INFO
        assert cur[6] >= prev[6]  # total connections never go down
    for r in rows:
        assert r[2] >= 2, r  # redis-cli plus the writer
        assert r[3] == 0, r  # nobody blocked
        assert r[7] == "", r  # no child process
    info = server.client(decode_responses=True).info()
    assert rows[-1][4] <= info["total_commands_processed"]
    assert rows[-1][6] <= info["total_connections_received"]
    assert o_rows[0][0] == 0 and o_rows[0][2] >= 1


# --- -3 (RESP3) -------------------------------------------------------------

RESP3_SETUP = [
    ("hset", "h", "f1", "v1", "f2", "v2"),
    ("zadd", "z", "1", "a", "2.5", "b"),
    ("sadd", "ints", "3", "1", "2"),
    ("rpush", "l", "x", "y"),
    ("set", "s", "str"),
]
RESP3_CMDS = [
    ("hgetall", "h"),
    ("hgetall", "nohash"),
    ("zscore", "z", "b"),
    ("zscore", "z", "nomember"),
    ("zrange", "z", "0", "-1", "withscores"),
    ("zincrby", "z", "0.25", "a"),
    ("zpopmin", "z"),
    ("smembers", "ints"),
    ("lrange", "l", "0", "-1"),
    ("get", "s"),
    ("get", "missing"),
    ("config", "get", "maxmemory"),
    ("exists", "s"),
    ("incr", "s"),
    ("eval", "return true", "0"),
    ("eval", "return false", "0"),
    ("eval", "redis.setresp(3); return redis.call('hgetall', KEYS[1])", "1", "h"),
    ("eval", "return {double=3.5}", "0"),
    ("eval", "return {1, 'two', {3}}", "0"),
]


@pytest.mark.parametrize("mode", [(), ("--no-raw",), ("--json",)], ids=["raw", "no-raw", "json"])
def test_resp3_output_matches_redis(redis_cli, server, oracle, mode):
    for s in (server, oracle):
        fill(s, RESP3_SETUP)
    for cmd in RESP3_CMDS:
        both(redis_cli, server, oracle, "-3", *mode, *cmd)
    # HELLO's version and id differ by design; the rest of the map is Redis's.
    got = cli(redis_cli, server, "-3", *mode, "hello", "3")[0]
    want = cli(redis_cli, oracle, "-3", *mode, "hello", "3")[0]
    scrub = lambda t: re.sub(r'("?(version|id)"?[ :=>]+)(\(integer\) )?("?[\w.]+"?)', r"\1X", t)
    assert scrub(got) == scrub(want)


def test_resp3_spot_checks(redis_cli, server):
    fill(server, RESP3_SETUP)
    assert cli(redis_cli, server, "-3", "--no-raw", "hgetall", "h")[0] == (
        '1# "f1" => "v1"\n2# "f2" => "v2"\n')
    assert cli(redis_cli, server, "-3", "--no-raw", "zscore", "z", "b")[0] == "(double) 2.5\n"
    assert cli(redis_cli, server, "-3", "--no-raw", "smembers", "ints")[0] == (
        '1~ "1"\n2~ "2"\n3~ "3"\n')
    assert cli(redis_cli, server, "-3", "--no-raw", "get", "missing")[0] == "(nil)\n"
    assert cli(redis_cli, server, "-3", "hgetall", "h")[0] == "f1 v1\nf2 v2\n"
    # Without -3 the same map is a flat array.
    assert cli(redis_cli, server, "--no-raw", "hgetall", "h")[0] == (
        '1) "f1"\n2) "v1"\n3) "f2"\n4) "v2"\n')


# --- --pipe ------------------------------------------------------------------

def _mass_insert_payload() -> bytes:
    """100,000 commands: 90,000 SETs in RESP, 5,000 RPUSHes inline, 5,000 INCRs in RESP."""
    out = bytearray()
    for i in range(90000):
        k = b"key:%d" % i
        v = b"value-%d" % (i * 7)
        out += b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, len(v), v)
    for i in range(5000):
        out += b"RPUSH mylist %d\r\n" % i
    out += b"*2\r\n$4\r\nINCR\r\n$7\r\ncounter\r\n" * 5000
    return bytes(out)


def test_pipe_mass_insertion_100k(redis_cli, server, oracle):
    payload = _mass_insert_payload()
    out, err, rc = both(redis_cli, server, oracle, "--pipe", stdin=payload)
    assert rc == 0, (out, err)
    assert out.splitlines() == [
        "All data transferred. Waiting for the last reply...",
        "Last reply received from server.",
        "errors: 0, replies: 100000",
    ]
    c = server.client(decode_responses=True)
    assert c.dbsize() == 90002
    assert cli(redis_cli, server, "dbsize")[0] == "90002\n"
    assert c.get("key:0") == "value-0"
    assert c.get("key:89999") == f"value-{89999 * 7}"
    assert c.llen("mylist") == 5000
    assert c.lrange("mylist", 0, 2) == ["0", "1", "2"]
    assert c.get("counter") == "5000"


def test_pipe_counts_errors(redis_cli, server, oracle):
    payload = b"SET a 1\r\nINCR a\r\nLPUSH a x\r\nNOSUCH\r\n*1\r\n$4\r\nPING\r\n"
    out, err, rc = both(redis_cli, server, oracle, "--pipe", stdin=payload)
    assert "errors: 2, replies: 5" in out
    assert rc == 1


# --- -n ----------------------------------------------------------------------

def test_select_database_with_n(redis_cli, server, oracle):
    for db, key in [("0", "zero"), ("3", "three"), ("15", "fifteen")]:
        assert both(redis_cli, server, oracle, "-n", db, "set", key, db)[0] == "OK\n"
    c = server.client(decode_responses=True)
    assert c.get("zero") == "0" and c.get("three") is None
    assert server.client(decode_responses=True, db=3).get("three") == "3"
    assert server.client(decode_responses=True, db=15).keys("*") == ["fifteen"]
    assert both(redis_cli, server, oracle, "-n", "3", "dbsize")[0] == "1\n"
    assert both(redis_cli, server, oracle, "-n", "3", "get", "zero")[0] == "\n"
    both(redis_cli, server, oracle, "-n", "15", "--no-raw", "keys", "*")
    # Out of range: redis-cli reports the failed SELECT and carries on in db 0.
    out, err, rc = both(redis_cli, server, oracle, "-n", "16", "get", "zero")
    assert "SELECT 16 failed: ERR DB index is out of range" in out + err
    # A URI's path picks the database too.
    both(redis_cli, server, oracle, "-u", "redis://127.0.0.1:%d/3" % server.port, "get", "three")
    out = cli(redis_cli, server, "-u", "redis://127.0.0.1:%d/3" % server.port, "get", "three")
    assert out[0] == "3\n"
    both(redis_cli, server, oracle, "--no-raw", "info", "keyspace")


# --- -a password ----------------------------------------------------------------

def test_password_auth(redis_cli, server_factory, oracle_factory):
    server = server_factory("--requirepass", "s3cret")
    oracle = oracle_factory("--requirepass", "s3cret")

    def b(*args, env=None):
        return both(redis_cli, server, oracle, *args, env=env)

    assert b("-a", "s3cret", "ping") == ("PONG\n", PASSWORD_WARNING, 0)
    assert b("-a", "s3cret", "set", "k", "v") == ("OK\n", PASSWORD_WARNING, 0)
    assert b("--no-auth-warning", "-a", "s3cret", "get", "k") == ("v\n", "", 0)
    # No password: the command's NOAUTH error.
    out = b("get", "k")[0]
    assert out == "NOAUTH Authentication required.\n\n"
    b("--no-raw", "get", "k")
    # A wrong one: redis-cli reports the failed AUTH, then the command's NOAUTH.
    out, err, _ = b("-a", "wrong", "get", "k")
    assert err.startswith(PASSWORD_WARNING)
    assert "AUTH failed: WRONGPASS invalid username-password pair or user is disabled." in err + out
    b("--user", "default", "--pass", "s3cret", "get", "k")
    b("--user", "default", "--pass", "nope", "get", "k")
    b("--user", "nobody", "--pass", "s3cret", "get", "k")
    assert b("-u", "redis://default:s3cret@127.0.0.1:%d/0" % server.port, "get", "k")[0] == "v\n"
    env = dict(os.environ, REDISCLI_AUTH="s3cret")
    assert b("get", "k", env=env) == ("v\n", "", 0)
    assert b("-a", "s3cret", "-n", "2", "set", "in2", "x")[0] == "OK\n"
    assert b("-a", "s3cret", "--no-raw", "-n", "2", "dbsize")[0] == "(integer) 1\n"
    assert b("-a", "s3cret", "--scan")[0] == "k\n"
    assert b("-a", "s3cret", "auth", "wrong")[0].startswith("WRONGPASS")


# --- interactive session in tmux ---------------------------------------------------


class Tmux:
    """A private tmux server (own socket) running one redis-cli session."""

    def __init__(self, workdir, width=220, height=60):
        self.sock = str(workdir / "tmux.sock")
        self.env = dict(os.environ, HOME=str(workdir), REDISCLI_HISTFILE=str(workdir / "hist"),
                        REDISCLI_RCFILE=str(workdir / "rc"), TERM="xterm")
        self.width, self.height = width, height

    def tmux(self, *args, check=True):
        return subprocess.run(["tmux", "-S", self.sock, "-f", "/dev/null", *args],
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=20,
                              env=self.env, check=check)

    def start(self, command: list[str]):
        self.tmux("new-session", "-d", "-s", "cli", "-x", str(self.width), "-y",
                  str(self.height), " ".join(command))

    def screen(self) -> list[str]:
        """The whole pane, scroll-back included, trailing blank lines dropped."""
        out = self.tmux("capture-pane", "-p", "-J", "-S", "-", "-E", "-", "-t", "cli",
                        check=False).stdout.decode(errors="replace")
        lines = [l.rstrip() for l in out.split("\n")]
        while lines and not lines[-1]:
            lines.pop()
        return lines

    def wait(self, predicate, what: str, timeout=10.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while True:
            lines = self.screen()
            if predicate(lines):
                return lines
            if time.monotonic() > deadline:
                pytest.fail(f"tmux: timed out waiting for {what}; screen:\n" + "\n".join(lines))
            time.sleep(0.02)

    def type(self, text: str):
        self.tmux("send-keys", "-t", "cli", "-l", text)

    def enter(self):
        self.tmux("send-keys", "-t", "cli", "Enter")

    def alive(self) -> bool:
        return self.tmux("has-session", "-t", "cli", check=False).returncode == 0

    def close(self):
        self.tmux("kill-server", check=False)


def interactive_session(redis_cli, srv, workdir) -> list[list[str]]:
    """Drives one redis-cli session; returns the screens seen at each step (port masked)."""
    workdir.mkdir(parents=True, exist_ok=True)
    t = Tmux(workdir)
    prompt = f"127.0.0.1:{srv.port}> "
    screens = []

    def snap(lines):
        screens.append([l.replace(str(srv.port), "PORT") for l in lines])
        return lines

    def run_command(text: str):
        """Types a command and Enter, waits for the reply and the next prompt."""
        before = len(t.screen())
        t.type(text)
        t.wait(lambda ls: ls and ls[-1].startswith(prompt + text), f"echo of {text!r}")
        t.enter()
        return snap(t.wait(lambda ls: len(ls) > before + 1 and ls[-1] == prompt.rstrip(),
                           f"the reply to {text!r}"))

    try:
        t.start([redis_cli, "-h", srv.host, "-p", str(srv.port)])
        # Start-up: just the prompt, no error or warning.
        snap(t.wait(lambda ls: ls == [prompt.rstrip()], "the first prompt"))
        # Hints: typing "SET " shows the arguments still to come, greyed after the cursor.
        t.type("SET ")
        snap(t.wait(lambda ls: ls and len(ls[-1]) > len(prompt + "SET "), "the SET hint"))
        t.type("greeting hello")
        snap(t.wait(lambda ls: ls and ls[-1].startswith(prompt + "SET greeting hello ["),
                    "the updated SET hint"))
        t.enter()
        snap(t.wait(lambda ls: ls[-1] == prompt.rstrip() and "OK" in ls, "OK"))
        # A hint for a 7.0 command comes from the server's COMMAND DOCS.
        t.type("LMPOP ")
        snap(t.wait(lambda ls: ls and len(ls[-1]) > len(prompt + "LMPOP "), "the LMPOP hint"))
        t.type("1 nolist LEFT")
        t.enter()
        snap(t.wait(lambda ls: ls[-1] == prompt.rstrip() and "(nil)" in ls, "LMPOP's (nil)"))
        run_command("GET greeting")
        run_command("HELP @string")
        run_command("HELP SET")
        run_command("RPUSH mylist a b c")
        run_command("LRANGE mylist 0 -1")
        run_command("HGETALL nohash")
        run_command("INCR greeting")
        run_command("NOSUCHCOMMAND x")
        # After SELECT the prompt shows the database.
        t.type("SELECT 2")
        t.enter()
        t.wait(lambda ls: ls[-1] == f"127.0.0.1:{srv.port}[2]>", "the db 2 prompt")
        t.type("DBSIZE")
        t.enter()
        snap(t.wait(lambda ls: ls[-1] == f"127.0.0.1:{srv.port}[2]>" and ls[-2] == "(integer) 0",
                    "DBSIZE in db 2"))
        t.type("exit")
        t.enter()
        deadline = time.monotonic() + 10
        while t.alive():
            assert time.monotonic() < deadline, "redis-cli did not exit"
            time.sleep(0.02)
    finally:
        t.close()
    return screens


def test_interactive_session_in_tmux(redis_cli, server, oracle, tmp_path):
    got = interactive_session(redis_cli, server, tmp_path / "server")
    want = interactive_session(redis_cli, oracle, tmp_path / "oracle")
    # Screen by screen, the session looks exactly as it does against Redis.
    for i, (g, w) in enumerate(zip(got, want)):
        assert g == w, f"screen {i} differs\n--- server ---\n" + "\n".join(g) + \
            "\n--- oracle ---\n" + "\n".join(w)
    assert len(got) == len(want)
    first, set_hint, set_hint2, after_set, lmpop_hint = got[:5]
    assert first == ["127.0.0.1:PORT>"]
    assert set_hint[-1] == ("127.0.0.1:PORT> SET key value [NX|XX] [GET] "
                            "[EX seconds|PX milliseconds|EXAT unix-time-seconds|"
                            "PXAT unix-time-milliseconds|KEEPTTL]")
    assert set_hint2[-1].startswith("127.0.0.1:PORT> SET greeting hello [NX|XX] [GET]")
    assert after_set[-2:] == ["OK", "127.0.0.1:PORT>"]
    assert lmpop_hint[-1] == ("127.0.0.1:PORT> LMPOP numkeys key [key ...] LEFT|RIGHT "
                              "[COUNT count]")
    final = got[-1]
    text = "\n".join(final)
    assert '127.0.0.1:PORT> GET greeting\n"hello"\n' in text
    help_string = text.split("127.0.0.1:PORT> HELP @string\n", 1)[1].split("127.0.0.1:PORT>")[0]
    assert "  APPEND key value\n  summary: Append a value to a key\n  since: 2.0.0" in help_string
    for cmd in ["GETEX", "LCS", "MSET", "SETRANGE", "STRLEN", "SUBSTR"]:
        assert f"\n  {cmd} " in help_string, cmd
    assert "HSET" not in help_string
    assert '1) "a"\n2) "b"\n3) "c"' in text
    assert "(empty array)" in text
    assert "(error) ERR value is not an integer or out of range" in text
    assert "(error) ERR unknown command 'NOSUCHCOMMAND', with args beginning with: 'x'" in text
    assert "127.0.0.1:PORT[2]> DBSIZE\n(integer) 0" in text
    c = server.client(decode_responses=True)
    assert c.get("greeting") == "hello" and c.lrange("mylist", 0, -1) == ["a", "b", "c"]
