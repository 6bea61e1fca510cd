"""10,000 idle clients, client 10,001 refused with Redis's text, memory per idle client
no worse than Redis 7.0.15's, and clients killed mid-pipeline / mid-MULTI / blocked /
subscribed leave no half-applied transaction and no lingering client.

The servers inherit this process's RLIMIT_NOFILE, so the test raises it first (Redis
also raises its own limit to maxclients + 32; baozi relies on the inherited one).
"""

from __future__ import annotations

import resource
import socket
import struct

import pytest

import rawresp
from polling import wait_until
from serverproc import sanitizer

N = 10_000


def raise_nofile(need: int):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < need:
        pytest.skip(f"RLIMIT_NOFILE hard limit {hard} < {need}")
    if soft == resource.RLIM_INFINITY or soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))



def rst_close(s: socket.socket):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def connected(c) -> int:
    info = c.call("INFO", "clients").decode()
    return int(info.split("connected_clients:")[1].split("\r\n")[0])


def fill(srv) -> tuple[list[socket.socket], float]:
    """Opens N idle clients, checks each answers PING, returns them and bytes/client."""
    with srv.raw() as admin:
        base = srv.rss_bytes()
        socks = []
        for _ in range(N - 1):  # admin is the N-th client
            s = socket.create_connection((srv.host, srv.port), timeout=10)
            socks.append(s)
        for s in socks:
            s.sendall(b"PING\r\n")
        for s in socks:
            got = b""
            while len(got) < 7:
                chunk = s.recv(7 - len(got))
                assert chunk, "client closed"
                got += chunk
            assert got == b"+PONG\r\n"
        assert connected(admin) == N
        per_client = (srv.rss_bytes() - base) / (N - 1)
        # Client N+1 is refused with Redis's exact text, then closed.
        with srv.raw() as extra:
            assert extra.read_until_closed() == b"-ERR max number of clients reached\r\n"
        assert admin.call_raw("PING") == b"+PONG\r\n"
    return socks, per_client


def test_ten_thousand_idle_clients(server_factory, oracle_factory):
    raise_nofile(N + 1000)
    results = {}
    for name, factory in (("server", server_factory), ("redis", oracle_factory)):
        srv = factory("--maxclients", str(N))
        socks, per_client = fill(srv)
        for s in socks:
            rst_close(s)  # RST: no TIME_WAIT, so both runs fit in the ephemeral port range
        with srv.raw() as admin:
            wait_until(lambda: connected(admin) == 1, "clients released")
        results[name] = per_client
    print(f"idle client RSS: server under test {results['server']:.0f} B, "
          f"Redis 7.0.15 {results['redis']:.0f} B")
    if not sanitizer():  # under ASan the 10,000 clients and the LSan check at exit still count
        assert results["server"] <= results["redis"] * 1.05 + 256


def test_killed_clients_leave_no_half_transaction(server):
    with server.raw() as admin:
        base = connected(admin)
        # Mid-MULTI: queued commands never run.
        m = server.raw()
        assert m.call_raw("MULTI") == b"+OK\r\n"
        assert m.call_raw("SET", "tx1", "v") == b"+QUEUED\r\n"
        assert m.call_raw("INCR", "tx2") == b"+QUEUED\r\n"
        m.send(rawresp.encode("SET", "tx3", "v") + b"*1\r\n$4\r\nEXE")  # EXEC cut short
        rst_close(m.sock)
        # Mid-pipeline: a partial command is never executed.
        p = server.raw()
        p.send(rawresp.encode("SET", "p1", "v") * 100 + b"*3\r\n$3\r\nSET\r\n$2\r\np2\r\n$5\r\nab")
        rst_close(p.sock)
        # Blocked and subscribed.
        b = server.raw()
        b.send_command("BLPOP", "bq", 0)
        s = server.raw()
        s.send_command("SUBSCRIBE", "ch")
        s.read_raw()
        wait_until(lambda: connected(admin) == base + 2, "only blocked/subscribed left")
        rst_close(b.sock)
        rst_close(s.sock)
        wait_until(lambda: connected(admin) == base, "client count back to baseline")
        assert admin.call("EXISTS", "tx1", "tx2", "tx3", "p2") == 0
        info = admin.call("INFO", "clients").decode()
        assert "blocked_clients:0\r\n" in info
        assert admin.call("PUBSUB", "NUMSUB", "ch") == [b"ch", 0]
        assert admin.call("RPUSH", "bq", "x") == 1  # nobody took it
