"""redis-cli and redis-benchmark (Debian's redis-tools) against the server."""

import re
import subprocess


def run(args, stdin=None, timeout=120):
    # CI has no standard input: never let a tool inherit it.
    if stdin is None:
        return subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=timeout)
    return subprocess.run(args, input=stdin, capture_output=True, timeout=timeout)


def cli(redis_cli, server, *args, stdin=None):
    p = run([redis_cli, "-p", str(server.port), *args], stdin=stdin)
    return p.stdout.decode(), p.stderr.decode(), p.returncode


def test_redis_cli_one_shot(redis_cli, server):
    assert cli(redis_cli, server, "set", "a", "b")[0] == "OK\n"
    assert cli(redis_cli, server, "get", "a")[0] == "b\n"
    assert cli(redis_cli, server, "get", "missing")[0] == "\n"
    assert cli(redis_cli, server, "incr", "n")[0] == "1\n"
    assert cli(redis_cli, server, "mget", "a", "missing", "n")[0] == "b\n\n1\n"
    # Not a tty: an error prints as "ERR ..." plus an empty line.
    out = cli(redis_cli, server, "incr", "a")[0]
    assert out == "ERR value is not an integer or out of range\n\n"
    assert cli(redis_cli, server, "ping")[0] == "PONG\n"
    assert cli(redis_cli, server, "dbsize")[0] == "2\n"


def test_redis_cli_select_db(redis_cli, server):
    assert cli(redis_cli, server, "-n", "2", "set", "x", "in2")[0] == "OK\n"
    assert cli(redis_cli, server, "-n", "2", "get", "x")[0] == "in2\n"
    assert cli(redis_cli, server, "get", "x")[0] == "\n"
    assert cli(redis_cli, server, "-n", "2", "dbsize")[0] == "1\n"


def test_redis_cli_resp3(redis_cli, server):
    assert cli(redis_cli, server, "-3", "set", "a", "b")[0] == "OK\n"
    assert cli(redis_cli, server, "-3", "get", "a")[0] == "b\n"
    # A RESP3 map prints as "key value" lines; an array would print one item per line.
    out = cli(redis_cli, server, "-3", "config", "get", "save")[0]
    assert out == "save \n"
    out = cli(redis_cli, server, "-3", "hello", "3")[0]
    assert out.startswith("server redis\nversion ") and "\nproto 3\n" in out


def test_redis_cli_raw_and_tty_style_output(redis_cli, server):
    assert cli(redis_cli, server, "set", "k", "v1")[0] == "OK\n"
    out = cli(redis_cli, server, "--no-raw", "get", "k")[0]
    assert out == '"v1"\n'
    out = cli(redis_cli, server, "--no-raw", "mget", "k", "missing")[0]
    assert out == '1) "v1"\n2) (nil)\n'


def test_redis_cli_scan(redis_cli, server):
    c = server.client(decode_responses=True)
    with c.pipeline(transaction=False) as p:
        for i in range(500):
            p.set(f"k{i}", "v")
            p.set(f"other{i}", "v")
        p.execute()
    out, err, rc = cli(redis_cli, server, "--scan", "--pattern", "k*")
    assert rc == 0, err
    keys = out.split()
    assert set(keys) == {f"k{i}" for i in range(500)}
    out = cli(redis_cli, server, "--scan")[0]
    assert len(set(out.split())) == 1000


def test_redis_cli_pipe(redis_cli, server):
    n = 5000
    payload = b"".join(
        b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n"
        % (len(k := f"pipe:{i}".encode()), k, len(v := str(i * 7).encode()), v)
        for i in range(n)
    )
    payload += b"INCR counter\r\n" * 100
    out, err, rc = cli(redis_cli, server, "--pipe", stdin=payload)
    assert rc == 0, (out, err)
    assert "All data transferred" in out
    m = re.search(r"errors: (\d+), replies: (\d+)", out)
    assert m, out
    assert m.group(1) == "0" and int(m.group(2)) == n + 100
    c = server.client(decode_responses=True)
    assert c.dbsize() == n + 1
    assert c.get("pipe:4999") == str(4999 * 7)
    assert c.get("counter") == "100"


def test_redis_benchmark_completes_without_errors(redis_benchmark, server):
    p = run(
        [redis_benchmark, "-p", str(server.port), "-q", "-t", "ping,set,get,incr,mset",
         "-n", "20000"],
        timeout=300,
    )
    out = p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace")
    assert p.returncode == 0, out
    lines = [seg.strip() for seg in re.split(r"[\r\n]", out) if seg.strip()]
    bad = [l for l in lines if "ERR" in l or "Error" in l or "error" in l.lower()]
    assert not bad, out
    finished = {l.split(":")[0] for l in lines if "requests per second" in l}
    assert finished >= {"PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "MSET (10 keys)"}, out
    c = server.client(decode_responses=True)
    assert c.get("counter:__rand_int__") == "20000"
    assert c.strlen("key:__rand_int__") == 3


def test_redis_benchmark_pipelined_and_random_keys(redis_benchmark, server):
    p = run(
        [redis_benchmark, "-p", str(server.port), "-q", "-t", "set,get", "-n", "20000",
         "-P", "16", "-r", "1000", "-c", "20"],
        timeout=300,
    )
    out = p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace")
    assert p.returncode == 0 and "Error" not in out and "ERR" not in out, out
    c = server.client(decode_responses=True)
    assert 0 < c.dbsize() <= 1000
    assert all(k.startswith("key:") for k in c.keys("*"))
