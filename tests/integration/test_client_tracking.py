"""CLIENT TRACKING (server-assisted client-side caching) side by side with redis-server 7.0.15.

Each scenario runs the same steps on the server under test and on the oracle over raw
sockets and compares the exact bytes of every frame: replies, RESP3 `invalidate` pushes, the
`__redis__:invalidate` messages a RESP2 subscriber gets through REDIRECT, and
`tracking-redir-broken`. Client ids appear in replies, so both servers are brought to the same
next id first (see side_by_side). Frames that arrive outside a connection's own commands are
collected by sending PING and reading until +PONG (or the RESP2 subscriber's pong), so the
transcript does not depend on timing. Key frames are also checked against literal bytes, so the
test fails on its own when both servers are wrong in the same way.
"""

from __future__ import annotations

import re
import time

import rawresp

PONG_FRAMES = (b"+PONG\r\n", b"*2\r\n$4\r\npong\r\n$0\r\n\r\n")


def inval(*keys: bytes) -> bytes:
    out = b">2\r\n$10\r\ninvalidate\r\n*%d\r\n" % len(keys)
    for k in keys:
        out += b"$%d\r\n%s\r\n" % (len(k), k)
    return out


class Session:
    """Named raw connections to one server, recording a normalised transcript."""

    def __init__(self, srv):
        self.srv = srv
        self.conns: dict[str, rawresp.Conn] = {}
        self.ids: dict[str, int] = {}
        self.log: list[tuple[str, bytes]] = []

    def conn(self, name: str) -> rawresp.Conn:
        if name not in self.conns:
            c = self.srv.raw(timeout=5.0)
            self.conns[name] = c
            self.ids[name] = c.call("CLIENT", "ID")
        return self.conns[name]

    def norm(self, raw: bytes) -> bytes:
        # baozi reports redis_version 7.2.4 (HELLO's version field) on purpose.
        return re.sub(rb"\$\d+\r\n7\.\d+\.\d+\r\n", b"<version>", raw)

    def next_id(self) -> int:
        with self.srv.raw(timeout=5.0) as c:
            return c.call("CLIENT", "ID")

    def call(self, name: str, *args) -> bytes:
        """One command's reply (pushes after it are read by frames())."""
        c = self.conn(name)
        c.send_command(*args)
        raw = c.read_raw()
        self.log.append((f"{name} {' '.join(map(str, args))}", self.norm(raw)))
        return raw

    def frames(self, name: str) -> list[bytes]:
        """Everything that arrived for `name`, up to the reply to a PING sent now."""
        c = self.conn(name)
        c.send_command("PING")
        got = []
        while True:
            raw = c.read_raw()
            if raw in PONG_FRAMES:
                break
            got.append(raw)
        self.log.append((f"{name} <frames>", b"".join(got)))
        return got

    def client_field(self, name: str, field: str) -> str:
        line = self.conn(name).call("CLIENT", "INFO")
        line = line.decode() if isinstance(line, bytes) else str(line)
        value = re.search(rf"\b{field}=(\S*)", line).group(1)
        self.log.append((f"{name} CLIENT INFO {field}", value.encode()))
        return value

    def info_field(self, section: str, field: str) -> int:
        text = self.conn("info").call("INFO", section).decode()
        value = int(re.search(rf"^{field}:(\d+)", text, re.M).group(1))
        self.log.append((f"INFO {field}", str(value).encode()))
        return value

    def close(self):
        for c in self.conns.values():
            c.close()


def side_by_side(server, oracle, scenario):
    sessions = [Session(server), Session(oracle)]
    # Client ids appear in replies (GETREDIR, redir=, tracking-redir-broken): spend ids on the
    # server that is behind until both hand out the same next id, then open the same
    # connections in the same order.
    ids = [s.next_id() for s in sessions]
    while ids[0] != ids[1]:
        lower = 0 if ids[0] < ids[1] else 1
        ids[lower] = sessions[lower].next_id()
    for s in sessions:
        try:
            scenario(s)
        finally:
            s.close()
    ours, theirs = sessions[0].log, sessions[1].log
    for (step_o, got), (step_r, want) in zip(ours, theirs):
        assert step_o == step_r
        assert got == want, f"{step_o}: server {got!r}, redis {want!r}"
    assert len(ours) == len(theirs)


def test_default_mode_resp3_pushes(server, oracle):
    def scenario(s: Session):
        s.call("a", "HELLO", "3")
        assert s.call("a", "CLIENT", "TRACKING", "ON") == b"+OK\r\n"
        assert s.client_field("a", "flags") == "t"
        s.call("a", "GET", "k")
        s.call("b", "SET", "k", "1")
        assert s.frames("a") == [inval(b"k")]
        s.call("b", "SET", "k", "2")  # not read since: no second message
        assert s.frames("a") == []
        s.call("a", "MGET", "k", "j")
        s.call("a", "ZUNION", "2", "z1", "z2")
        s.call("b", "ZADD", "z2", "1", "x")
        s.call("b", "DEL", "j")
        assert s.frames("a") == [inval(b"z2")]  # DEL of a missing key changes nothing
        # The client's own write: the invalidation follows the reply.
        assert s.call("a", "SET", "k", "3") == b"+OK\r\n"
        assert s.frames("a") == [inval(b"k")]
        s.call("a", "GET", "k")
        s.call("a", "MULTI")
        s.call("a", "INCR", "k")
        s.call("a", "GET", "k")
        assert s.call("a", "EXEC") == b"*2\r\n:4\r\n$1\r\n4\r\n"
        assert s.frames("a") == [inval(b"k")]
        assert s.info_field("clients", "tracking_clients") == 1
        s.call("a", "GET", "t1")
        s.call("a", "GET", "t2")
        # k (read again inside EXEC), j, z1, t1, t2.
        assert s.info_field("stats", "tracking_total_keys") == 5
        assert s.info_field("stats", "tracking_total_items") == 5
        # FLUSHALL: a null instead of a key list, for every tracking client.
        assert s.call("b", "FLUSHALL") == b"+OK\r\n"
        assert s.frames("a") == [b">2\r\n$10\r\ninvalidate\r\n_\r\n"]
        assert s.info_field("stats", "tracking_total_keys") == 0
        # Expiry invalidates too (B's EXISTS deletes the key if active expiry has not yet).
        s.call("b", "SET", "e", "1", "PX", "30")
        s.call("a", "GET", "e")
        time.sleep(0.15)
        s.call("b", "EXISTS", "e")
        assert s.frames("a") == [inval(b"e")]
        assert s.call("a", "CLIENT", "TRACKING", "OFF") == b"+OK\r\n"
        assert s.info_field("clients", "tracking_clients") == 0

    side_by_side(server, oracle, scenario)


def test_optin_optout_noloop(server, oracle):
    def scenario(s: Session):
        s.call("a", "HELLO", "3")
        s.call("a", "CLIENT", "TRACKING", "ON", "OPTIN", "NOLOOP")
        s.call("a", "CLIENT", "TRACKINGINFO")
        s.call("a", "GET", "o1")
        s.call("b", "SET", "o1", "x")
        assert s.frames("a") == []
        s.call("a", "CLIENT", "CACHING", "yes")
        s.call("a", "CLIENT", "TRACKINGINFO")
        s.call("a", "GET", "o2")
        s.call("a", "GET", "o3")  # CACHING yes covered one command only
        s.call("b", "MSET", "o2", "x", "o3", "y")
        assert s.frames("a") == [inval(b"o2")]
        # NOLOOP: the client's own write is not reported.
        s.call("a", "CLIENT", "CACHING", "yes")
        s.call("a", "GET", "o4")
        assert s.call("a", "SET", "o4", "z") == b"+OK\r\n"
        assert s.frames("a") == []
        # CACHING yes before MULTI covers the whole transaction.
        s.call("a", "CLIENT", "CACHING", "yes")
        s.call("a", "MULTI")
        s.call("a", "GET", "o5")
        s.call("a", "EXEC")
        s.call("b", "SET", "o5", "x")
        assert s.frames("a") == [inval(b"o5")]
        s.call("a", "CLIENT", "TRACKING", "OFF")
        s.call("a", "CLIENT", "TRACKING", "ON", "OPTOUT")
        s.call("a", "CLIENT", "CACHING", "no")
        s.call("a", "GET", "p1")
        s.call("a", "GET", "p2")
        s.call("b", "MSET", "p1", "x", "p2", "y")
        assert s.frames("a") == [inval(b"p2")]

    side_by_side(server, oracle, scenario)


def test_bcast_prefixes(server, oracle):
    def scenario(s: Session):
        s.call("a", "HELLO", "3")
        s.call("a", "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "user:", "PREFIX", "item:")
        s.call("a", "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "order:")
        s.call("a", "CLIENT", "TRACKINGINFO")
        assert s.client_field("a", "flags") == "tB"
        assert s.info_field("stats", "tracking_total_prefixes") == 3
        s.call("b", "MSET", "user:2", "a", "item:1", "b", "other", "c", "user:1", "d")
        assert sorted(s.frames("a")) == [inval(b"item:1"), inval(b"user:1", b"user:2")]
        s.call("a", "SET", "order:9", "x")
        assert s.frames("a") == [inval(b"order:9")]
        s.call("a", "CLIENT", "TRACKING", "OFF")
        assert s.info_field("stats", "tracking_total_prefixes") == 0
        s.call("a", "CLIENT", "TRACKING", "ON", "BCAST", "NOLOOP")
        s.call("a", "SET", "n1", "x")
        s.call("b", "SET", "n2", "x")
        assert s.frames("a") == [inval(b"n2")]

    side_by_side(server, oracle, scenario)


def test_redirect_resp2_subscriber_and_broken_redirect(server, oracle):
    def scenario(s: Session):
        s.call("sub", "SUBSCRIBE", "__redis__:invalidate")
        sub = s.ids["sub"]
        assert s.call("t", "CLIENT", "TRACKING", "ON", "REDIRECT", str(sub)) == b"+OK\r\n"
        assert s.call("t", "CLIENT", "GETREDIR") == b":%d\r\n" % sub
        assert s.client_field("t", "redir") == str(sub)
        s.call("t", "CLIENT", "TRACKINGINFO")
        s.call("t", "GET", "r1")
        s.call("w", "SET", "r1", "z")
        assert s.frames("t") == []
        assert s.frames("sub") == [
            b"*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$2\r\nr1\r\n"
        ]
        s.call("t", "GET", "r2")
        s.call("t", "FLUSHALL")
        assert s.frames("sub") == [b"*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n"]
        # The target goes away: the next invalidation finds it missing.
        s.conns.pop("sub").close()
        time.sleep(0.1)
        s.call("t", "GET", "r3")
        s.call("w", "SET", "r3", "1")
        s.call("t", "CLIENT", "TRACKINGINFO")
        assert s.client_field("t", "flags") == "tR"
        s.call("t", "HELLO", "3")
        s.call("t", "GET", "r4")
        s.call("w", "SET", "r4", "1")
        assert s.frames("t") == [b">2\r\n$21\r\ntracking-redir-broken\r\n:%d\r\n" % sub]
        assert s.call("t", "RESET") == b"+RESET\r\n"
        assert s.client_field("t", "flags") == "N"

    side_by_side(server, oracle, scenario)


def test_tracking_errors(server, oracle):
    def scenario(s: Session):
        s.conn("b")
        other = str(s.ids["b"])
        for args in (
            ("CLIENT", "TRACKING", "ON", "PREFIX", "x"),
            ("CLIENT", "TRACKING", "ON", "OPTIN", "OPTOUT"),
            ("CLIENT", "TRACKING", "ON", "BCAST", "OPTIN"),
            ("CLIENT", "TRACKING", "ON", "FOO"),
            ("CLIENT", "TRACKING", "MAYBE"),
            ("CLIENT", "TRACKING"),
            ("CLIENT", "TRACKING", "ON", "REDIRECT", "99999"),
            ("CLIENT", "TRACKING", "ON", "REDIRECT", "abc"),
            ("CLIENT", "TRACKING", "ON", "REDIRECT", other, "REDIRECT", other),
            ("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "ab", "PREFIX", "a"),
            ("CLIENT", "CACHING", "yes"),
            ("CLIENT", "GETREDIR"),
            ("CLIENT", "TRACKINGINFO"),
            ("CLIENT", "TRACKING", "ON", "OPTIN"),
            ("CLIENT", "CACHING", "no"),
            ("CLIENT", "CACHING", "maybe"),
            ("CLIENT", "TRACKING", "ON", "OPTOUT"),
            ("CLIENT", "TRACKING", "ON", "BCAST"),
            ("CLIENT", "GETREDIR"),
            ("CLIENT", "TRACKING", "OFF"),
            ("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "user:"),
            ("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "user:1"),
            ("CLIENT", "TRACKINGINFO"),
            ("CONFIG", "GET", "tracking-table-max-keys"),
        ):
            s.call("a", *args)
        assert s.log[1][1] == b"-ERR You can't specify both OPTIN mode and OPTOUT mode\r\n"

    side_by_side(server, oracle, scenario)


def test_tracking_table_max_keys(server_factory, oracle_factory):
    # Over the limit, the next command first invalidates keys until the table fits. Which key
    # goes is random in Redis: only the count is compared.
    for srv in (server_factory("--tracking-table-max-keys", "2"),
                oracle_factory("--tracking-table-max-keys", "2")):
        s = Session(srv)
        s.call("a", "HELLO", "3")
        s.call("a", "CLIENT", "TRACKING", "ON")
        s.call("a", "MGET", "x1", "x2", "x3", "x4")
        got = s.frames("a")
        assert len(got) == 2 and all(f.startswith(b">2\r\n$10\r\ninvalidate\r\n*1\r\n") for f in got)
        assert s.info_field("stats", "tracking_total_keys") == 2
        s.close()
