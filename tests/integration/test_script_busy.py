"""Long-running scripts (Redis script.c scriptInterrupt, networking.c processEventsWhileBlocked).

A script that runs past busy-reply-threshold keeps the server inside one command, yet other
clients are still served: already-connected and brand-new connections get -BUSY for everything
but the allow-busy commands, SCRIPT KILL stops a script that has not written, SHUTDOWN NOSAVE
ends the server, and afterwards everyone is served normally. Every scenario runs against baozi
and Debian's redis-server (the oracle) and the replies are compared, so no error text here is
written from memory. Servers start with busy-reply-threshold 100 (ms).
"""

from __future__ import annotations

import re
import threading
import time

import pytest
import redis

import rawresp
from polling import wait_until

BUSY_EVAL = b"-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n"
SPIN = "while true do end"
WRITE_THEN_SPIN = "redis.call('set', 'written', '1') while true do end"
THRESHOLD = ("--busy-reply-threshold", "100")


class ScriptThread:
    """Runs EVAL on a redis-py client of its own, in a thread; `result` is the reply or the
    exception it raised."""

    def __init__(self, srv, script: str, *keys_and_args, numkeys: int = 0):
        self.client = srv.client(decode_responses=True, socket_timeout=30)
        self.client.ping()  # connected before the script starts
        self.result = None
        self.thread = threading.Thread(
            target=self._run, args=(script, numkeys, keys_and_args), daemon=True
        )
        self.thread.start()

    def _run(self, script, numkeys, keys_and_args):
        try:
            self.result = self.client.eval(script, numkeys, *keys_and_args)
        except Exception as e:  # noqa: BLE001 - the error is the result under test
            self.result = e

    def join(self, timeout: float = 10.0):
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the EVAL caller never got an answer"
        return self.result


def wait_busy(conn: rawresp.Conn) -> bytes:
    """PINGs until the server answers -BUSY (the script may not have started yet when the first
    PING arrives); returns that reply."""

    def probe():
        reply = conn.call_raw("PING")
        return reply if reply.startswith(b"-BUSY") else None

    return wait_until(probe, "the server to turn busy", step=0.01)


def kill_scenario(srv) -> list[bytes]:
    """A spinning script; an old and a new connection get -BUSY, the new one kills it."""
    out = []
    with srv.raw() as old:
        assert old.call_raw("SET", "k", "v") == b"+OK\r\n"
        spin = ScriptThread(srv, SPIN)
        out.append(wait_busy(old))
        out.append(old.call_raw("GET", "k"))
        with srv.raw() as new:
            # Accepted while busy, served while busy.
            out.append(new.call_raw("PING"))
            out.append(new.call_raw("FUNCTION", "KILL"))  # the wrong kill names the right one
            out.append(new.call_raw("SHUTDOWN"))
            out.append(new.call_raw("SHUTDOWN", "SAVE"))
            out.append(new.call_raw("SHUTDOWN", "NOW"))
            out.append(new.call_raw("SHUTDOWN", "ABORT"))
            out.append(new.call_raw("SHUTDOWN", "NOSAVE", "ABORT"))
            out.append(new.call_raw("SCRIPT", "KILL"))
            err = spin.join()
            assert isinstance(err, redis.ResponseError)
            out.append(str(err).encode())
            # Everyone is served normally afterwards, on the same connections.
            out.append(old.call_raw("GET", "k"))
            out.append(new.call_raw("PING"))
            out.append(new.call_raw("SCRIPT", "KILL"))
            out.append(new.call_raw("FUNCTION", "KILL"))
            assert spin.client.set("k", "w") is True
            out.append(old.call_raw("GET", "k"))
    return out


def test_busy_script_killed_by_a_new_connection(server_factory, oracle_factory):
    got = kill_scenario(server_factory(*THRESHOLD))
    want = kill_scenario(oracle_factory(*THRESHOLD))
    assert got == want
    assert got[0] == BUSY_EVAL
    assert got[2] == BUSY_EVAL
    assert got[9] == b"+OK\r\n"
    assert got[10].startswith(b"Script killed by user with SCRIPT KILL...")
    assert got[11:14] == [
        b"$1\r\nv\r\n",
        b"+PONG\r\n",
        b"-NOTBUSY No scripts in execution right now.\r\n",
    ]


def pipeline_scenario(srv) -> list[bytes]:
    """Pipelines while busy: a new connection's transaction is refused (EXECABORT), the EVAL
    caller's own pipeline goes on after its script, and a served client's later input is read
    normally."""
    out = []
    with srv.raw() as runner, srv.raw() as other:
        runner.send(rawresp.encode("EVAL", SPIN, "0") + rawresp.encode("PING"))
        wait_busy(other)
        with srv.raw() as new:
            new.send(
                rawresp.encode("PING")
                + rawresp.encode("MULTI")
                + rawresp.encode("SET", "t", "1")
                + rawresp.encode("EXEC")
                + rawresp.encode("QUIT")
            )
            out.append(new.read_until_closed())
        # Half a command while busy, the rest after: the parser state survives.
        other.send(b"*3\r\n$3\r\nSET\r\n$1\r\np")
        time.sleep(0.05)
        other.send(b"\r\n$1\r\nq\r\n")
        out.append(other.read_raw())
        out.append(other.call_raw("SCRIPT", "KILL"))
        out.append(runner.read_raw())  # the script's error
        out.append(runner.read_raw())  # the PING pipelined behind it
        out.append(other.call_raw("GET", "p"))
        out.append(other.call_raw("EXISTS", "t"))
    return out


def test_pipelines_around_a_busy_script(server_factory, oracle_factory):
    got = pipeline_scenario(server_factory(*THRESHOLD))
    want = pipeline_scenario(oracle_factory(*THRESHOLD))
    assert got == want
    assert got[0].startswith(BUSY_EVAL + b"+OK\r\n" + BUSY_EVAL + b"-EXECABORT")


def unkillable_scenario(srv) -> tuple[list[bytes], int]:
    out = []
    srv.expect_exit = True
    with srv.raw() as c:
        spin = ScriptThread(srv, WRITE_THEN_SPIN)
        out.append(wait_busy(c))
        out.append(c.call_raw("SCRIPT", "KILL"))
        out.append(c.call_raw("FUNCTION", "KILL"))
        out.append(c.call_raw("SHUTDOWN"))
        c.send_command("SHUTDOWN", "NOSAVE")
        out.append(c.read_until_closed())
    err = spin.join()
    assert isinstance(err, redis.ConnectionError), err  # closed without a reply
    wait_until(lambda: not srv.alive(), "the server to exit", timeout=5)
    return out, srv.proc.returncode


def test_unkillable_script_and_shutdown_nosave(server_factory, oracle_factory):
    got = unkillable_scenario(server_factory(*THRESHOLD))
    want = unkillable_scenario(oracle_factory(*THRESHOLD))
    assert got == want
    out, code = got
    assert out[1].startswith(b"-UNKILLABLE Sorry the script already executed write commands")
    assert out[3] == BUSY_EVAL
    assert out[4] == b""
    assert code == 0


def test_shutdown_nosave_keeps_the_scripts_writes_out_of_the_aof(
    server_binary, oracle_binary_path, procs, tmp_path
):
    """Redis exits from inside the script, so the writes it made never reach the AOF."""
    for name, binary in (("baozi", server_binary), ("oracle", oracle_binary_path)):
        workdir = tmp_path / name
        srv = procs(binary, workdir, "--appendonly", "yes", *THRESHOLD)
        c = srv.client(decode_responses=True)
        c.set("before", "1")
        spin = ScriptThread(srv, WRITE_THEN_SPIN)
        with srv.raw() as k:
            wait_busy(k)
            k.send_command("SHUTDOWN", "NOSAVE")
            assert k.read_until_closed() == b""
        spin.join()
        wait_until(lambda: not srv.alive(), f"{name} to exit", timeout=5)
        assert srv.proc.returncode == 0
        again = procs(binary, workdir, "--appendonly", "yes")
        c = again.client(decode_responses=True)
        assert (name, c.get("before"), c.exists("written")) == (name, "1", 0)


def test_script_kill_without_a_script(server, oracle):
    steps = [(0, "SCRIPT", "KILL"), (0, "FUNCTION", "KILL")]
    got = rawresp.run_script(server, steps)
    assert got == rawresp.run_script(oracle, steps)
    assert got[0] == b"-NOTBUSY No scripts in execution right now.\r\n"


def slow_log_line(srv) -> str:
    spin = ScriptThread(srv, SPIN)
    with srv.raw() as c:
        wait_busy(c)
        assert c.call_raw("SCRIPT", "KILL") == b"+OK\r\n"
    spin.join()
    lines = wait_until(
        lambda: [ln for ln in srv.log_path.read_text().splitlines() if "Slow script" in ln],
        "the slow-script log line",
    )
    assert len(lines) == 1
    # "<pid>:M <date> # <message>": the message, with the elapsed milliseconds masked.
    message = lines[0].split(" # ", 1)[1]
    m = re.search(r"after (\d+) milliseconds", message)
    assert m and int(m.group(1)) >= 100
    return message.replace(m.group(1), "N")


def test_slow_script_log_line(server_factory, oracle_factory):
    got = slow_log_line(server_factory(*THRESHOLD))
    assert got == slow_log_line(oracle_factory(*THRESHOLD))
    assert got.startswith("Slow script detected: still in execution after N milliseconds.")


def config_scenario(srv) -> list[bytes]:
    steps = [
        (0, "CONFIG", "GET", "busy-reply-threshold"),
        (0, "CONFIG", "GET", "lua-time-limit"),
        (0, "CONFIG", "SET", "lua-time-limit", "250"),
        (0, "CONFIG", "GET", "busy-reply-threshold"),
        (0, "CONFIG", "GET", "lua-time-limit"),
        (0, "CONFIG", "SET", "busy-reply-threshold", "100"),
        (0, "CONFIG", "GET", "lua-time-limit"),
        (0, "CONFIG", "GET", "*-time-limit"),
        (0, "CONFIG", "SET", "busy-reply-threshold", "-1"),
        (0, "CONFIG", "SET", "busy-reply-threshold", "abc"),
        (0, "CONFIG", "GET", "busy-reply-threshold"),
    ]
    return rawresp.run_script(srv, steps)


def test_config_busy_reply_threshold_round_trip(server, oracle):
    got = config_scenario(server)
    assert got == config_scenario(oracle)
    assert got[3] == b"*2\r\n$20\r\nbusy-reply-threshold\r\n$3\r\n250\r\n"


def test_threshold_set_at_runtime_applies_to_the_next_script(server_factory):
    srv = server_factory("--busy-reply-threshold", "60000")
    c = srv.client()
    c.config_set("lua-time-limit", "100")
    spin = ScriptThread(srv, SPIN)
    with srv.raw() as k:
        assert wait_busy(k) == BUSY_EVAL
        assert k.call_raw("SCRIPT", "KILL") == b"+OK\r\n"
    assert isinstance(spin.join(), redis.ResponseError)
    assert c.ping()


def test_many_clients_while_busy(server_factory):
    """Several connections, old and new, are all answered in the same busy stretch, and keep
    working afterwards (their readiness waits stayed armed)."""
    srv = server_factory(*THRESHOLD)
    old = [srv.raw() for _ in range(5)]
    try:
        spin = ScriptThread(srv, SPIN)
        wait_busy(old[0])
        new = [srv.raw() for _ in range(5)]
        try:
            for c in old + new:
                c.send_command("PING")
            for c in old + new:
                assert c.read_raw() == BUSY_EVAL
            assert new[-1].call_raw("SCRIPT", "KILL") == b"+OK\r\n"
            spin.join()
            for i, c in enumerate(old + new):
                assert c.call_raw("SET", f"k{i}", i) == b"+OK\r\n"
                assert c.call_raw("GET", f"k{i}") == b"$%d\r\n%d\r\n" % (len(str(i)), i)
        finally:
            for c in new:
                c.close()
    finally:
        for c in old:
            c.close()


def test_client_closing_while_busy_and_script_caller_disconnecting(server_factory):
    """A served client that disconnects while busy is dropped; the EVAL caller disconnecting
    does not disturb the script, which is still killable; the server goes on."""
    srv = server_factory(*THRESHOLD)
    runner = srv.raw()
    runner.send_command("EVAL", SPIN, "0")
    with srv.raw() as c:
        wait_busy(c)
        gone = srv.raw()
        gone.send_command("PING")
        gone.close()
        runner.close()
        time.sleep(0.05)
        assert c.call_raw("SCRIPT", "KILL") == b"+OK\r\n"
        assert wait_until(lambda: c.call_raw("PING") == b"+PONG\r\n", "the script to end")
        clients = c.call("CLIENT", "LIST")
        assert clients.count(b"\n") == 1, clients


def test_function_kill(server_factory, oracle_factory):
    """FUNCTION KILL stops a busy FCALL; SCRIPT KILL names FUNCTION KILL."""

    def scenario(srv):
        c = srv.client()
        try:
            c.execute_command(
                "FUNCTION", "LOAD",
                "#!lua name=busylib\nredis.register_function('spin', function() while true do end end)",
            )
        except redis.ResponseError as e:
            pytest.skip(f"FUNCTION LOAD not available: {e}")
        out = []
        result = {}

        def run():
            try:
                result["r"] = srv.client().fcall("spin", 0)
            except Exception as e:  # noqa: BLE001
                result["r"] = e

        t = threading.Thread(target=run, daemon=True)
        t.start()
        with srv.raw() as k:
            out.append(wait_busy(k))
            out.append(k.call_raw("SCRIPT", "KILL"))
            out.append(k.call_raw("FUNCTION", "KILL"))
        t.join(10)
        assert not t.is_alive()
        out.append(str(result["r"]).encode())
        out.append(c.execute_command("PING"))
        return out

    got = scenario(server_factory(*THRESHOLD))
    assert got == scenario(oracle_factory(*THRESHOLD))
    assert got[0].startswith(b"-BUSY Redis is busy running a script. You can only call FUNCTION KILL")
    assert got[2] == b"+OK\r\n"
