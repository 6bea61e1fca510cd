"""Server-level behaviour that only the real reactor exercises: unix sockets, maxclients,
idle timeouts, CLIENT PAUSE/REPLY/KILL across connections, MONITOR, SHUTDOWN, config errors,
daemonize/pidfile/logfile and CONFIG SET port. Each test passes against Redis 7.0 too."""

from __future__ import annotations

import os
import re
import socket
import stat
import subprocess
import time

import pytest

import rawresp
from polling import wait_until


def test_unix_socket_with_permissions(server_factory, tmp_path):
    path = tmp_path / "baozi.sock"
    s = server_factory("--unixsocket", str(path), "--unixsocketperm", "700")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o700
    with socket.socket(socket.AF_UNIX) as u:
        u.connect(str(path))
        u.sendall(rawresp.encode("SET", "k", "v") + rawresp.encode("CLIENT", "INFO"))
        data = b""
        while data.count(b"\n") < 3:
            data += u.recv(65536)
    assert data.startswith(b"+OK\r\n")
    assert f"addr={path}:0".encode() in data
    assert b"flags=U" in data
    assert s.client().get("k") == b"v"


def test_maxclients_rejects_extra_connections(server_factory):
    s = server_factory("--maxclients", "2")
    with s.raw() as a, s.raw() as b:
        assert a.call_raw("PING") == b"+PONG\r\n"
        assert b.call_raw("PING") == b"+PONG\r\n"
        with s.raw() as c:
            c.send(rawresp.encode("PING"))
            assert c.read_until_closed() == b"-ERR max number of clients reached\r\n"


def test_idle_timeout_closes_clients(server_factory):
    s = server_factory("--timeout", "1")
    with s.raw() as c:
        assert c.call_raw("PING") == b"+PONG\r\n"
        assert c.read_until_closed(timeout=5.0) == b""


def test_client_pause_holds_writes_then_resumes(server):
    with server.raw() as admin, server.raw() as writer:
        assert admin.call_raw("CLIENT", "PAUSE", "300", "WRITE") == b"+OK\r\n"
        start = time.monotonic()
        assert writer.call_raw("GET", "k") == b"$-1\r\n"
        writer.send_command("SET", "k", "v")
        assert writer.read_raw(timeout=5.0) == b"+OK\r\n"
        assert time.monotonic() - start >= 0.2
        assert admin.call_raw("CLIENT", "PAUSE", "10000") == b"+OK\r\n"
        writer.send_command("GET", "k")
        time.sleep(0.2)
        assert admin.call_raw("CLIENT", "UNPAUSE") == b"+OK\r\n"
        assert writer.read_raw(timeout=5.0) == b"$1\r\nv\r\n"


def test_client_reply_off_and_skip(server):
    with server.raw() as c:
        c.send(rawresp.encode("CLIENT", "REPLY", "OFF") + rawresp.encode("SET", "a", "1")
               + rawresp.encode("CLIENT", "REPLY", "ON"))
        assert c.read_raw() == b"+OK\r\n"
        c.send(rawresp.encode("CLIENT", "REPLY", "SKIP") + rawresp.encode("GET", "a")
               + rawresp.encode("GET", "a"))
        assert c.read_raw() == b"$1\r\n1\r\n"


def test_client_kill_by_id_closes_the_other_connection(server):
    with server.raw() as victim, server.raw() as killer:
        victim_id = victim.call("CLIENT", "ID")
        assert killer.call("CLIENT", "KILL", "ID", str(victim_id)) == 1
        assert victim.read_until_closed() == b""
        assert killer.call_raw("CLIENT", "KILL", "ID", str(victim_id)) == b":0\r\n"


def test_monitor_streams_other_clients_commands(server):
    with server.raw() as mon, server.raw() as c:
        assert mon.call_raw("MONITOR") == b"+OK\r\n"
        c.call_raw("SET", "key", "va lue")
        line = mon.read_raw()
        assert re.fullmatch(rb'\+\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "SET" "key" "va lue"\r\n', line)


def test_query_buffer_limit_closes_client(server_factory):
    s = server_factory("--client-query-buffer-limit", "1mb")
    with s.raw() as c:
        c.send(b"*2\r\n$3\r\nGET\r\n$2000000\r\n" + b"x" * 1_100_000)
        assert c.read_until_closed() == b""
    assert s.client().ping()


def test_shutdown_nosave_stops_the_server(server_factory):
    s = server_factory()
    s.expect_exit = True
    with s.raw() as c:
        c.send_command("SHUTDOWN", "NOSAVE")
        assert c.read_until_closed() == b""
    wait_until(lambda: not s.alive(), "the server to exit", timeout=5)
    assert s.proc.returncode == 0


def test_sigterm_exits_cleanly(server_factory):
    s = server_factory()
    s.expect_exit = True
    s.client().set("k", "v")
    assert s.stop() == 0


def test_bad_config_directive_exits_with_one_line(server_binary, tmp_path):
    conf = tmp_path / "bad.conf"
    conf.write_text("port 0\nbogus-directive 1\n")
    p = subprocess.run([str(server_binary), str(conf)], capture_output=True, text=True, timeout=10)
    assert p.returncode == 1
    out = p.stdout + p.stderr
    assert "bogus-directive" in out
    assert "line 2" in out or ":2:" in out


def test_daemonize_pidfile_and_logfile(server_binary, tmp_path):
    port = socket.socket()
    port.bind(("127.0.0.1", 0))
    portno = port.getsockname()[1]
    port.close()
    pidfile, logfile = tmp_path / "b.pid", tmp_path / "b.log"
    subprocess.run([str(server_binary), "--port", str(portno), "--bind", "127.0.0.1",
                    "--save", "", "--daemonize", "yes", "--pidfile", str(pidfile),
                    "--logfile", str(logfile), "--dir", str(tmp_path)],
                   check=True, timeout=10)
    try:
        wait_until(lambda: pidfile.exists() and pidfile.read_text().strip(), "the pidfile", timeout=5)
        pid = int(pidfile.read_text())
        wait_until(lambda: _pings(portno), "PONG", timeout=5)
        # Redis's log line format: "pid:M 21 Nov 2026 14:00:00.123 * message".
        wait_until(lambda: logfile.exists() and logfile.read_text(), "the log file", timeout=5)
        first = logfile.read_text().splitlines()[0]
        assert re.match(r"\d+:[MCSX] \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2}\.\d{3} [.\-*#] ", first), first
    finally:
        with rawresp.Conn(portno) as c:
            c.send_command("SHUTDOWN", "NOSAVE")
            c.read_until_closed()
    wait_until(lambda: not _alive(pid), "the daemon to exit", timeout=5)


def _pings(port):
    try:
        with rawresp.Conn(port, timeout=1.0) as c:
            return c.call_raw("PING") == b"+PONG\r\n"
    except OSError:
        return False


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split()[2] != "Z"


def test_config_set_port_moves_the_listener(server):
    new = socket.socket()
    new.bind(("127.0.0.1", 0))
    port = new.getsockname()[1]
    new.close()
    with server.raw() as c:
        assert c.call_raw("CONFIG", "SET", "port", str(port)) == b"+OK\r\n"
        assert c.call_raw("PING") == b"+PONG\r\n"
    wait_until(lambda: _pings(port), "PONG", timeout=5)
    server.port = port
