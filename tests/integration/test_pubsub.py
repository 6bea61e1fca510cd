"""Publish/subscribe end to end: redis-py's PubSub object (get_message,
run_in_thread, health checks), raw RESP2 and RESP3 subscribers, shard
channels, PUBSUB introspection and keyspace notifications.

The installed redis-py (4.3) speaks RESP2 only, so RESP3 behaviour is checked
over raw sockets after HELLO 3. Raw-socket tests run the same bytes against
Debian's redis-server (the `oracle` fixture) and require identical replies
wherever Redis's order is deterministic (unsubscribe-all walks a hash table,
so those tests use one channel).
"""

from __future__ import annotations

import threading
import time

import pytest

import rawresp
from polling import wait_until

DEADLINE_S = 5.0


def next_message(p, timeout: float = DEADLINE_S):
    """The next non-None get_message() result, within `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = p.get_message(timeout=max(0.0, deadline - time.monotonic()))
        if m is not None:
            return m
    pytest.fail(f"no pub/sub message within {timeout}s")


def frames(*items) -> bytes:
    """Encodes a RESP2 array of bulk strings / integers (None = null bulk)."""
    out = [b"*%d\r\n" % len(items)]
    for it in items:
        if it is None:
            out.append(b"$-1\r\n")
        elif isinstance(it, int):
            out.append(b":%d\r\n" % it)
        else:
            it = it.encode() if isinstance(it, str) else it
            out.append(b"$%d\r\n%s\r\n" % (len(it), it))
    return b"".join(out)


def push(*items) -> bytes:
    """The RESP3 push form of frames(): same bytes with '>' for '*'."""
    return b">" + frames(*items)[1:]


def same_on_both(server, oracle, steps, ignore=(), timeout: float = 10.0) -> list[bytes]:
    got = rawresp.run_script(server, steps, timeout)
    want = rawresp.run_script(oracle, steps, timeout)
    for i, (step, g, w) in enumerate(zip(steps, got, want)):
        if i not in ignore:
            assert g == w, f"step {i} {step}: baozi {g!r} != redis {w!r}"
    return got


def numsub(conn: rawresp.Conn, channel) -> int:
    return conn.call("PUBSUB", "NUMSUB", channel)[1]


# --- redis-py PubSub -------------------------------------------------------------


def test_get_message_loop(r, server):
    p = r.pubsub()
    p.subscribe("news")
    assert next_message(p) == {"type": "subscribe", "pattern": None, "channel": "news", "data": 1}
    pub = server.client(decode_responses=True)
    for i in range(5):
        assert pub.publish("news", f"item {i}") == 1
    assert pub.publish("other", "nobody") == 0
    got = [next_message(p) for _ in range(5)]
    assert got == [
        {"type": "message", "pattern": None, "channel": "news", "data": f"item {i}"}
        for i in range(5)
    ]
    assert p.get_message(timeout=0.05) is None
    p.close()


def test_subscribe_confirmations_and_counts(r):
    p = r.pubsub()
    p.subscribe("a", "b")
    p.psubscribe("p.*")
    p.subscribe("a")  # already subscribed: confirmed again, count unchanged
    got = [next_message(p) for _ in range(4)]
    assert got == [
        {"type": "subscribe", "pattern": None, "channel": "a", "data": 1},
        {"type": "subscribe", "pattern": None, "channel": "b", "data": 2},
        {"type": "psubscribe", "pattern": None, "channel": "p.*", "data": 3},
        {"type": "subscribe", "pattern": None, "channel": "a", "data": 3},
    ]
    p.unsubscribe("a")
    assert next_message(p) == {"type": "unsubscribe", "pattern": None, "channel": "a", "data": 2}
    p.unsubscribe("never")
    assert next_message(p) == {"type": "unsubscribe", "pattern": None, "channel": "never",
                               "data": 2}
    p.punsubscribe()
    assert next_message(p) == {"type": "punsubscribe", "pattern": None, "channel": "p.*",
                               "data": 1}
    p.unsubscribe()
    assert next_message(p) == {"type": "unsubscribe", "pattern": None, "channel": "b", "data": 0}
    assert not p.subscribed
    p.close()


def test_pattern_messages(r, server):
    p = r.pubsub(ignore_subscribe_messages=True)
    p.psubscribe("user.*.login", "user.[ab]?")
    wait_until(lambda: r.pubsub_numpat() == 2, "two patterns")
    pub = server.client(decode_responses=True)
    assert pub.publish("user.42.login", "x") == 1
    assert pub.publish("user.a1", "y") == 1
    assert pub.publish("user.c1", "z") == 0
    assert next_message(p) == {"type": "pmessage", "pattern": "user.*.login",
                               "channel": "user.42.login", "data": "x"}
    assert next_message(p) == {"type": "pmessage", "pattern": "user.[ab]?",
                               "channel": "user.a1", "data": "y"}
    p.close()


def test_run_in_thread(r, server):
    received = []
    done = threading.Event()

    def handler(message):
        received.append(message["data"])
        if len(received) == 50:
            done.set()

    p = r.pubsub(ignore_subscribe_messages=True)
    p.subscribe(**{"jobs": handler})
    p.psubscribe(**{"jobs.*": handler})
    t = p.run_in_thread(sleep_time=0.01, daemon=True)
    try:
        pub = server.client(decode_responses=True)
        wait_until(lambda: pub.pubsub_numsub("jobs") == [("jobs", 1)]
                   and pub.pubsub_numpat() == 1, "thread's subscriptions")
        for i in range(25):
            assert pub.publish("jobs", f"j{i}") == 1
            assert pub.publish(f"jobs.{i}", f"p{i}") == 1
        assert done.wait(DEADLINE_S)
    finally:
        t.stop()
        t.join(DEADLINE_S)
    assert not t.is_alive()
    assert received == [x for i in range(25) for x in (f"j{i}", f"p{i}")]


def test_health_check_while_subscribed(server):
    # health_check_interval makes redis-py send `PING redis-py-health-check` on a
    # subscribed connection once the interval has passed; the reply must be the
    # subscribed-mode ["pong", "redis-py-health-check"] that redis-py swallows.
    stats = server.client(decode_responses=True)
    r = server.client(decode_responses=True, health_check_interval=0.05)
    p = r.pubsub()
    p.subscribe("hc")
    assert next_message(p)["type"] == "subscribe"
    pings_before = stats.info("commandstats").get("cmdstat_ping", {}).get("calls", 0)
    for _ in range(3):
        until = time.monotonic() + 0.08
        wait_until(lambda: time.monotonic() > until, "the health-check interval")
        assert p.get_message(timeout=0.2) is None  # sends the check, swallows the reply
        wait_until(lambda: p.get_message(timeout=0.01) is None
                   and p.health_check_response_counter == 0, "health-check reply")
    pings_after = stats.info("commandstats")["cmdstat_ping"]["calls"]
    assert pings_after - pings_before >= 3
    # A health check also precedes the next command on the connection (SUBSCRIBE).
    until = time.monotonic() + 0.08
    wait_until(lambda: time.monotonic() > until, "the health-check interval")
    p.subscribe("hc2")
    assert next_message(p) == {"type": "subscribe", "pattern": None, "channel": "hc2", "data": 2}
    assert stats.publish("hc", "still works") == 1
    assert next_message(p) == {"type": "message", "pattern": None, "channel": "hc",
                               "data": "still works"}
    # An explicit PING in subscribed mode comes back as a pong message.
    p.ping("hello")
    assert next_message(p) == {"type": "pong", "pattern": None, "channel": None,
                               "data": "hello"}
    p.close()


def test_binary_channels_and_payloads(rb, server):
    payload = bytes(range(256)) + b"\r\n$-1\r\n*3\r\n" + b"\x00" * 10
    channel = b"bin\x00\xff\r\nchan"
    p = rb.pubsub(ignore_subscribe_messages=True)
    p.subscribe(channel)
    p.psubscribe(b"bin\x00*")
    wait_until(lambda: rb.pubsub_numpat() == 1, "the binary pattern")
    assert rb.pubsub_numsub(channel) == [(channel, 1)]
    assert rb.publish(channel, payload) == 2
    assert rb.publish(b"bin\x00other", b"") == 1
    assert next_message(p) == {"type": "message", "pattern": None, "channel": channel,
                               "data": payload}
    assert next_message(p) == {"type": "pmessage", "pattern": b"bin\x00*", "channel": channel,
                               "data": payload}
    assert next_message(p) == {"type": "pmessage", "pattern": b"bin\x00*",
                               "channel": b"bin\x00other", "data": b""}
    assert channel in rb.pubsub_channels()
    big = b"\xab" * (1 << 20)
    assert rb.publish(channel, big) == 2
    assert next_message(p)["data"] == big
    assert next_message(p)["data"] == big
    p.close()


# --- receiver counts and introspection -------------------------------------------


def test_publish_receiver_counts(server):
    conns = [server.raw() for _ in range(6)]
    try:
        subs = [
            ("SUBSCRIBE", "ch"),
            ("SUBSCRIBE", "ch"),
            ("PSUBSCRIBE", "c*"),
            ("SUBSCRIBE", "ch", "other"),   # this one also has a matching pattern:
            ("PSUBSCRIBE", "x*"),           # (no match)
            ("PSUBSCRIBE", "c*", "?h"),     # two matching patterns on one client
        ]
        for c, cmd in zip(conns, subs):
            c.send_command(*cmd)
            for _ in cmd[1:]:
                c.read()
        conns[3].send_command("PSUBSCRIBE", "ch*")
        conns[3].read()
        with server.raw() as pub:
            # channel: 0, 1, 3; patterns: 2 (c*), 3 (ch*), 5 (c*, ?h)
            assert pub.call("PUBLISH", "ch", "hi") == 7
            assert pub.call("PUBLISH", "other", "o") == 1
            assert pub.call("PUBLISH", "xy", "x") == 1
            assert pub.call("PUBLISH", "nobody", "n") == 0
            assert pub.call("PUBSUB", "NUMSUB", "ch", "other", "c*", "none") == [
                b"ch", 3, b"other", 1, b"c*", 0, b"none", 0]
            assert pub.call("PUBSUB", "NUMPAT") == 4  # distinct patterns: c*, x*, ?h, ch*
            assert sorted(pub.call("PUBSUB", "CHANNELS")) == [b"ch", b"other"]
            assert pub.call("PUBSUB", "CHANNELS", "o*") == [b"other"]
            assert pub.call("PUBSUB", "CHANNELS", "zz*") == []
        assert conns[0].read_raw() == frames("message", "ch", "hi")
        assert conns[1].read_raw() == frames("message", "ch", "hi")
        assert conns[2].read_raw() == frames("pmessage", "c*", "ch", "hi")
        # Channel subscribers are served before pattern subscribers.
        assert conns[3].read_raw() == frames("message", "ch", "hi")
        assert conns[3].read_raw() == frames("pmessage", "ch*", "ch", "hi")
        assert conns[3].read_raw() == frames("message", "other", "o")
        assert conns[4].read_raw() == frames("pmessage", "x*", "xy", "x")
        got5 = {conns[5].read_raw(), conns[5].read_raw()}
        assert got5 == {frames("pmessage", "c*", "ch", "hi"), frames("pmessage", "?h", "ch", "hi")}
        # Nothing else arrived: the next reply on each is its PING's.
        for c in conns:
            c.send_command("PING")
            assert c.read_raw() == frames("pong", "")
    finally:
        for c in conns:
            c.close()


def test_disconnect_and_reset_drop_subscriptions(server, oracle):
    for srv in (server, oracle):
        with srv.raw() as admin:
            a = srv.raw()
            a.send_command("SUBSCRIBE", "gone")
            a.read()
            a.send_command("PSUBSCRIBE", "g*")
            a.read()
            assert numsub(admin, "gone") == 1
            a.close()
            wait_until(lambda: numsub(admin, "gone") == 0 and admin.call("PUBSUB", "NUMPAT") == 0,
                       "the closed subscriber to be dropped")
            assert admin.call("PUBLISH", "gone", "x") == 0
        got = rawresp.run_script(srv, [
            (0, "SUBSCRIBE", "r"),
            (0, "RESET"),
            (1, "PUBSUB", "NUMSUB", "r"),
            (0, "GET", "k"),  # out of subscribed mode
            (1, "PUBLISH", "r", "x"),
        ])
        assert got == [frames("subscribe", "r", 1), b"+RESET\r\n", frames("r", 0),
                       b"$-1\r\n", b":0\r\n"]


def test_client_list_and_info_show_subscriptions(server, oracle):
    def run(srv):
        with srv.raw() as admin, srv.raw() as sub, srv.raw() as sub3:
            sub_id = sub.call("CLIENT", "ID")
            sub3_id = sub3.call("CLIENT", "ID")
            sub3.call("HELLO", "3")
            sub.send_command("SUBSCRIBE", "a", "b")
            sub.read(), sub.read()
            sub.send_command("PSUBSCRIBE", "p*")
            sub.read()
            sub3.send_command("SSUBSCRIBE", "s1", "s2")
            sub3.read(), sub3.read()
            sub3.send_command("SUBSCRIBE", "a")
            sub3.read()
            seen = []
            for line in admin.call("CLIENT", "LIST").decode().splitlines():
                f = dict(x.split("=", 1) for x in line.split(" "))
                if int(f["id"]) in (sub_id, sub3_id):
                    seen.append({k: f[k] for k in ("flags", "sub", "psub", "ssub", "cmd", "resp")})
            info = admin.call("INFO", "stats").decode()
            stats = {k: v for k, v in (l.split(":", 1) for l in info.splitlines() if ":" in l)
                     if k.startswith("pubsub")}
            return seen, stats

    got, want = run(server), run(oracle)
    assert got == want
    assert got[1] == {"pubsub_channels": "2", "pubsub_patterns": "1", "pubsubshard_channels": "2"}


def test_pubsub_introspection_bytes_match_redis(server, oracle):
    steps = [
        (1, "SUBSCRIBE", "a"),
        (2, "SUBSCRIBE", "a"),
        (2, "PSUBSCRIBE", "p*"),
        (3, "PSUBSCRIBE", "p*"),
        (4, "SSUBSCRIBE", "s"),
        (0, "PUBSUB", "NUMSUB"),
        (0, "PUBSUB", "NUMSUB", "a", "b", "p*", "s"),
        (0, "PUBSUB", "NUMPAT"),
        (0, "PUBSUB", "CHANNELS"),
        (0, "PUBSUB", "CHANNELS", "a"),
        (0, "PUBSUB", "CHANNELS", "[a-c]"),
        (0, "PUBSUB", "SHARDCHANNELS"),
        (0, "PUBSUB", "SHARDNUMSUB", "s", "a"),
        (0, "PUBSUB", "SHARDNUMSUB"),
        (0, "PUBSUB", "CHANNELS", "a", "b"),
        (0, "PUBSUB", "NUMPAT", "x"),
        (0, "PUBSUB", "NOPE"),
        (0, "PUBSUB"),
        (0, "PUBSUB", "HELP"),
        (0, "HELLO", "3"),
        (0, "PUBSUB", "NUMSUB", "a", "b"),  # still a flat array in RESP3 (7.0)
        (0, "PUBSUB", "SHARDNUMSUB", "s"),
        (0, "PUBSUB", "CHANNELS", "*"),
        (0, "PUBLISH", "a", "m"),
        (0, "SPUBLISH", "s", "m"),
        (0, "PUBLISH", "s", "not for shard subscribers"),
    ]
    got = same_on_both(server, oracle, steps, ignore={19})
    assert got[6] == frames("a", 2, "b", 0, "p*", 0, "s", 0)
    assert got[7] == b":1\r\n"
    assert got[20] == frames("a", 2, "b", 0)
    assert got[23] == b":2\r\n"
    assert got[24] == b":1\r\n"
    assert got[25] == b":0\r\n"


# --- RESP2 subscribed context -------------------------------------------------------


def test_resp2_subscribed_context_matches_redis(server, oracle):
    steps = [
        (0, "SUBSCRIBE", "ch"),
        (0, "GET", "k"),
        (0, "SET", "k", "v"),
        (0, "MULTI"),
        (0, "PUBSUB", "NUMSUB", "ch"),
        (0, "PING"),
        (0, "PING", "payload"),
        (0, "PSUBSCRIBE", "c*"),
        (0, "SSUBSCRIBE", "sh"),
        (1, "PUBLISH", "ch", "m1"),
        (0, "<read>"),
        (0, "<read>"),
        (0, "UNSUBSCRIBE", "ch"),
        (0, "GET", "k"),  # still subscribed to a pattern and a shard channel
        (0, "PUNSUBSCRIBE", "c*"),
        (0, "GET", "k"),  # a shard subscription still counts
        (0, "SUNSUBSCRIBE", "sh"),
        (0, "GET", "k"),  # out of subscribed mode now
        (0, "PING"),
    ]
    got = same_on_both(server, oracle, steps)
    err = (b"-ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
           b"RESET are allowed in this context\r\n")
    assert got[1] == err % b"get"
    assert got[2] == err % b"set"
    assert got[3] == err % b"multi"
    assert got[4] == err % b"pubsub|numsub"
    assert got[5] == frames("pong", "")
    assert got[6] == frames("pong", "payload")
    assert got[10] == frames("message", "ch", "m1")
    assert got[11] == frames("pmessage", "c*", "ch", "m1")
    assert got[13] == err % b"get"
    assert got[15] == err % b"get"
    assert got[17] == b"$-1\r\n"
    assert got[18] == b"+PONG\r\n"


def test_unsubscribe_without_subscriptions_matches_redis(server, oracle):
    steps = [
        (0, "UNSUBSCRIBE"),
        (0, "PUNSUBSCRIBE"),
        (0, "SUNSUBSCRIBE"),
        (0, "UNSUBSCRIBE", "x", "y"),
        (0, "<read>"),
        (0, "PUNSUBSCRIBE", "x*"),
        (0, "GET", "k"),  # not in subscribed mode
        (0, "HELLO", "3"),
        (0, "UNSUBSCRIBE"),
        (0, "PUNSUBSCRIBE"),
        (0, "SUNSUBSCRIBE", "s"),
        (0, "PING"),
    ]
    got = same_on_both(server, oracle, steps, ignore={7})
    assert got[0] == frames("unsubscribe", None, 0)
    assert got[1] == frames("punsubscribe", None, 0)
    assert got[2] == frames("sunsubscribe", None, 0)
    assert got[3] == frames("unsubscribe", "x", 0)
    assert got[4] == frames("unsubscribe", "y", 0)
    assert got[5] == frames("punsubscribe", "x*", 0)
    assert got[6] == b"$-1\r\n"
    assert got[8] == b">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n"
    assert got[10] == push("sunsubscribe", "s", 0)
    assert got[11] == b"+PONG\r\n"


@pytest.mark.parametrize("resp", [2, 3])
def test_client_reply_off_still_gets_pubsub_frames(server, oracle, resp):
    # Redis writes pub/sub frames as pushes, which CLIENT REPLY OFF/SKIP do not silence:
    # only ordinary replies (PING's here) are dropped.
    steps = [
        (0, "HELLO", str(resp)),
        (0, "<noreply>", "CLIENT", "REPLY", "OFF"),
        (0, "<noreply>", "PING"),
        (0, "SUBSCRIBE", "ch"),
        (1, "PUBLISH", "ch", "x"),
        (0, "<read>"),
        (0, "<noreply>", "PING"),
        (0, "PSUBSCRIBE", "c*"),
        (1, "PUBLISH", "ch", "y"),
        (0, "<read>"),
        (0, "<read>"),
        (0, "UNSUBSCRIBE", "ch"),
        (0, "PUNSUBSCRIBE"),
        (0, "CLIENT", "REPLY", "ON"),
        (0, "<noreply>", "CLIENT", "REPLY", "SKIP"),
        (0, "SUBSCRIBE", "z"),
        (0, "PING"),  # SKIP dropped one reply only
    ]
    got = same_on_both(server, oracle, steps, ignore={0}, timeout=2.0)
    p = frames if resp == 2 else push
    assert got[3:6] == [p("subscribe", "ch", 1), b":1\r\n", p("message", "ch", "x")]
    assert got[7:14] == [p("psubscribe", "c*", 2), b":2\r\n", p("message", "ch", "y"),
                         p("pmessage", "c*", "ch", "y"), p("unsubscribe", "ch", 1),
                         p("punsubscribe", "c*", 0), b"+OK\r\n"]
    assert got[15:] == [p("subscribe", "z", 1),
                        frames("pong", "") if resp == 2 else b"+PONG\r\n"]


def test_subscribe_inside_multi_matches_redis(server, oracle):
    steps = [
        (0, "MULTI"),
        (0, "SUBSCRIBE", "t1", ),
        (0, "PSUBSCRIBE", "t*"),
        (0, "EXEC"),
        (0, "GET", "k"),
        (1, "PUBLISH", "t1", "m"),
        (0, "<read>"),
        (0, "<read>"),
    ]
    got = same_on_both(server, oracle, steps)
    assert got[3] == b"*2\r\n" + frames("subscribe", "t1", 1) + frames("psubscribe", "t*", 2)
    assert got[5] == b":2\r\n"


# --- RESP3 ------------------------------------------------------------------------------


def test_resp3_subscriber_runs_any_command_and_gets_pushes(server, oracle):
    steps = [
        (0, "HELLO", "3"),
        (0, "SUBSCRIBE", "ch"),
        (0, "PSUBSCRIBE", "c?"),
        (0, "SET", "k", "v"),
        (0, "GET", "k"),
        (0, "PING"),
        (0, "PING", "x"),
        (0, "HSET", "h", "f", "v"),
        (0, "HGETALL", "h"),
        (1, "PUBLISH", "ch", "hello"),
        (0, "<read>"),
        (0, "<read>"),
        (0, "PUBSUB", "NUMSUB", "ch"),
        (0, "PUBLISH", "ch", "to myself"),
        (0, "<read>"),
        (0, "<read>"),
        (0, "SSUBSCRIBE", "sh"),
        (1, "SPUBLISH", "sh", "shard"),
        (0, "<read>"),
        (0, "UNSUBSCRIBE", "ch"),
        (0, "PUNSUBSCRIBE", "c?"),
        (0, "SUNSUBSCRIBE", "sh"),
        (0, "GET", "k"),
    ]
    got = same_on_both(server, oracle, steps, ignore={0})
    assert got[1] == push("subscribe", "ch", 1)
    assert got[2] == push("psubscribe", "c?", 2)
    assert got[3] == b"+OK\r\n"
    assert got[4] == b"$1\r\nv\r\n"
    assert got[5] == b"+PONG\r\n"
    assert got[6] == b"$1\r\nx\r\n"
    assert got[8] == b"%1\r\n$1\r\nf\r\n$1\r\nv\r\n"
    assert got[10] == push("message", "ch", "hello")
    assert got[11] == push("pmessage", "c?", "ch", "hello")
    # A client publishing to itself gets its own messages before PUBLISH's reply.
    assert got[13] == push("message", "ch", "to myself")
    assert got[14] == push("pmessage", "c?", "ch", "to myself")
    assert got[15] == b":2\r\n"
    assert got[16] == push("ssubscribe", "sh", 1)
    assert got[18] == push("smessage", "sh", "shard")
    assert got[19] == push("unsubscribe", "ch", 1)
    assert got[20] == push("punsubscribe", "c?", 0)
    assert got[21] == push("sunsubscribe", "sh", 0)


def test_resp3_push_interleaves_with_replies(server):
    with server.raw() as sub, server.raw() as pub:
        sub.call("HELLO", "3")
        sub.send_command("SUBSCRIBE", "ch")
        assert rawresp.parse_one(sub.read_raw()) == rawresp.Push([b"subscribe", b"ch", 1])
        assert pub.call("PUBLISH", "ch", "first") == 1
        # The push already queued on the socket arrives before the GET's reply.
        sub.send_command("GET", "missing")
        assert sub.read() == rawresp.Push([b"message", b"ch", b"first"])
        assert sub.read() == rawresp.Null()


def test_resp3_publish_to_self_inside_exec(server, oracle, is_baozi):
    steps = [
        (0, "HELLO", "3"),
        (0, "SUBSCRIBE", "ch"),
        (0, "MULTI"),
        (0, "PUBLISH", "ch", "m"),
        (0, "PING"),
        (0, "EXEC"),
    ]
    got = rawresp.run_script(server, steps)
    want = rawresp.run_script(oracle, steps)
    assert got[:5] == [got[0]] + want[1:5]
    if is_baozi:
        # As Redis 7.2 does (baozi reports 7.2.4): the message waits until EXEC's array is
        # complete. Redis 7.0 writes it inside the array, between the elements.
        assert got[5] == b"*2\r\n:1\r\n+PONG\r\n"
        with server.raw() as c:
            for cmd in steps[:5]:
                c.call_raw(*cmd[1:])
            c.send_command("EXEC")
            assert c.read_raw() == b"*2\r\n:1\r\n+PONG\r\n"
            assert c.read_raw() == push("message", "ch", "m")
    else:
        assert got[5].startswith(b"*2\r\n" + push("message", "ch", "m"))


# --- shard channels ------------------------------------------------------------------


def test_ssubscribe_spublish(server, oracle):
    steps = [
        (1, "SSUBSCRIBE", "orders"),
        (1, "SSUBSCRIBE", "orders", "stock"),  # the first is a repeat
        (1, "<read>"),
        (2, "SUBSCRIBE", "orders"),  # a plain channel of the same name is separate
        (0, "SPUBLISH", "orders", "o1"),
        (1, "<read>"),
        (0, "PUBLISH", "orders", "p1"),
        (2, "<read>"),
        (0, "PUBSUB", "SHARDNUMSUB", "orders", "stock", "none"),
        (0, "PUBSUB", "SHARDCHANNELS", "st*"),
        (1, "GET", "k"),
        (1, "SUBSCRIBE", "plain"),  # counts of the two kinds are separate
        (1, "SUNSUBSCRIBE", "orders"),
        (1, "SUNSUBSCRIBE"),
        (1, "UNSUBSCRIBE"),
        (0, "SPUBLISH", "orders", "o2"),
    ]
    got = same_on_both(server, oracle, steps)
    assert got[0] == frames("ssubscribe", "orders", 1)
    assert got[1] == frames("ssubscribe", "orders", 1)
    assert got[2] == frames("ssubscribe", "stock", 2)
    assert got[4] == b":1\r\n"
    assert got[5] == frames("smessage", "orders", "o1")
    assert got[6] == b":1\r\n"
    assert got[7] == frames("message", "orders", "p1")
    assert got[8] == frames("orders", 1, "stock", 1, "none", 0)
    assert got[9] == frames("stock")
    assert got[10].startswith(b"-ERR Can't execute 'get'")
    assert got[11] == frames("subscribe", "plain", 1)
    assert got[12] == frames("sunsubscribe", "orders", 1)
    assert got[13] == frames("sunsubscribe", "stock", 0)
    assert got[14] == frames("unsubscribe", "plain", 0)
    assert got[15] == b":0\r\n"


# --- many subscribers ---------------------------------------------------------------


def test_200_subscribers_each_receive_once(server):
    n_channel, n_pattern = 150, 50
    conns = []
    try:
        for i in range(n_channel + n_pattern):
            c = server.raw()
            conns.append(c)
            if i < n_channel:
                c.send_command("SUBSCRIBE", "fan")
            else:
                c.send_command("PSUBSCRIBE", "f?n")
        for i, c in enumerate(conns):
            kind = b"subscribe" if i < n_channel else b"psubscribe"
            assert c.read()[0] == kind
        with server.raw() as pub:
            assert numsub(pub, "fan") == n_channel
            assert pub.call("PUBLISH", "fan", "payload") == n_channel + n_pattern
            assert pub.call("PUBLISH", "fan", "second") == n_channel + n_pattern
        for i, c in enumerate(conns):
            if i < n_channel:
                want = [frames("message", "fan", "payload"), frames("message", "fan", "second")]
            else:
                want = [frames("pmessage", "f?n", "fan", "payload"),
                        frames("pmessage", "f?n", "fan", "second")]
            assert [c.read_raw(), c.read_raw()] == want, i
            c.send_command("PING")
        # The next reply after the two messages is the PING's: nothing was duplicated.
        for c in conns:
            assert c.read_raw() == frames("pong", "")
    finally:
        for c in conns:
            c.close()


def test_subscriber_that_stops_reading_is_disconnected(server, oracle):
    # The pubsub output-buffer class: a subscriber over its hard limit is closed and its
    # subscriptions dropped, while a reading subscriber is unaffected.
    chunk = "x" * (256 * 1024)
    for srv in (server, oracle):
        with srv.raw() as admin, srv.raw() as slow, srv.raw() as fast:
            assert admin.call("CONFIG", "SET", "client-output-buffer-limit",
                              "pubsub 1mb 0 0") == b"OK"
            slow.send_command("SUBSCRIBE", "firehose")
            assert slow.read() == [b"subscribe", b"firehose", 1]
            fast.send_command("SUBSCRIBE", "firehose")
            fast.read()
            sent = 0
            deadline = time.monotonic() + DEADLINE_S
            while numsub(admin, "firehose") == 2:
                assert time.monotonic() < deadline, f"{srv}: slow subscriber never dropped"
                assert sent < 400, f"{srv}: 100 MB published and the subscriber is still on"
                admin.call("PUBLISH", "firehose", chunk)
                sent += 1
                assert fast.read()[2] == chunk.encode()
            assert admin.call("PUBLISH", "firehose", "after") == 1
            assert fast.read() == [b"message", b"firehose", b"after"]
            # Whatever the kernel had buffered, then the close.
            got = 0
            with pytest.raises(ConnectionError):
                while True:
                    assert slow.read(timeout=DEADLINE_S)[2] == chunk.encode()
                    got += 1
            assert got < sent


# --- keyspace notifications -----------------------------------------------------------


def keyspace_stream(srv, config: str, commands, wait_expired_key=None) -> list[bytes]:
    """All frames a `__key*__:*` pattern subscriber sees while `commands` run."""
    with srv.raw() as sub, srv.raw() as c:
        assert c.call("CONFIG", "SET", "notify-keyspace-events", config) == b"OK"
        sub.send_command("PSUBSCRIBE", "__key*__:*")
        sub.read()
        sub.send_command("SUBSCRIBE", "sentinel")
        sub.read()
        for cmd in commands:
            c.call(*cmd)
        if wait_expired_key is not None:
            # EXISTS deletes the key lazily once it is past its TTL, if the expiry cycle
            # has not already; either way exactly one "expired" event is published.
            wait_until(lambda: c.call("EXISTS", wait_expired_key) == 0, "the key to expire")
        c.call("PUBLISH", "sentinel", "end")
        out = []
        while True:
            raw = sub.read_raw()
            if raw == frames("message", "sentinel", "end"):
                return out
            out.append(raw)


def keyspace_pair(key, event, db=0):
    return [
        frames("pmessage", "__key*__:*", f"__keyspace@{db}__:{key}", event),
        frames("pmessage", "__key*__:*", f"__keyevent@{db}__:{event}", key),
    ]


def test_keyspace_notifications_basic(server, oracle):
    commands = [
        ("SET", "foo", "bar"),
        ("GET", "foo"),
        ("EXPIRE", "foo", "100"),
        ("PERSIST", "foo"),
        ("PERSIST", "foo"),  # no TTL left: no event
        ("RENAME", "foo", "foo2"),
        ("DEL", "foo2"),
        ("DEL", "foo2"),  # nothing deleted: no event
        ("SET", "e", "v", "EX", "100"),
        ("EXPIRE", "e", "-1"),  # expiring in the past deletes: "del"
    ]
    got = keyspace_stream(server, "KEA", commands)
    assert got == keyspace_stream(oracle, "KEA", commands)
    assert got == (keyspace_pair("foo", "set") + keyspace_pair("foo", "expire")
                   + keyspace_pair("foo", "persist") + keyspace_pair("foo", "rename_from")
                   + keyspace_pair("foo2", "rename_to") + keyspace_pair("foo2", "del")
                   + keyspace_pair("e", "set") + keyspace_pair("e", "expire")
                   + keyspace_pair("e", "del"))


def test_keyspace_notifications_expired(server, oracle):
    commands = [("SET", "k", "v", "PX", "30")]
    got = keyspace_stream(server, "KEA", commands, wait_expired_key="k")
    assert got == keyspace_stream(oracle, "KEA", commands, wait_expired_key="k")
    assert got == keyspace_pair("k", "set") + keyspace_pair("k", "expire") + keyspace_pair(
        "k", "expired")


@pytest.mark.parametrize("config", ["E$", "Kg", "Ex", "KEg$", "", "A"])
def test_keyspace_notification_classes(server, oracle, config):
    # "A" alone enables no channel (neither K nor E): nothing is published.
    commands = [("SET", "s", "1"), ("EXPIRE", "s", "100"), ("DEL", "s"), ("SET", "t", "2"),
                ("SELECT", "0")]
    got = keyspace_stream(server, config, commands)
    assert got == keyspace_stream(oracle, config, commands)


def test_resp3_client_receives_its_own_keyspace_events_in_redis_order(server, oracle):
    # In RESP3 the client running the command can be the subscriber. Whether the push comes
    # before or after the command's reply depends on where Redis's handler notifies (SET
    # notifies before replying, HSET after), so the byte streams must match exactly.
    commands = [
        ("SET", "k", "v"),
        ("GET", "k"),
        ("SET", "k", "v2", "EX", "100"),
        ("EXPIRE", "k", "200"),
        ("PEXPIRE", "k", "300000"),
        ("PERSIST", "k"),
        ("RENAME", "k", "k2"),
        ("DEL", "k2", "missing"),
        ("INCR", "n"),
        ("HSET", "h", "f", "v"),
        ("LPUSH", "l", "a"),
        ("EXPIRE", "n", "-1"),
        ("SETEX", "s", "100", "v"),
        ("GETDEL", "s"),
    ]

    def run(srv):
        with srv.raw() as c:
            c.call("HELLO", "3")
            c.call("CONFIG", "SET", "notify-keyspace-events", "KEA")
            c.send_command("PSUBSCRIBE", "__key*__:*")
            c.read()
            out = []
            for cmd in commands:
                c.send_command(*cmd)
                c.send_command("PING")  # +PONG marks the end of this command's output
                frames_of_cmd = []
                while (raw := c.read_raw()) != b"+PONG\r\n":
                    frames_of_cmd.append(raw)
                out.append(frames_of_cmd)
            return out

    got, want = run(server), run(oracle)
    diffs = [f"{cmd}: baozi {g!r} != redis {w!r}"
             for cmd, g, w in zip(commands, got, want) if g != w]
    assert not diffs, "\n".join(diffs)


def test_keyspace_notifications_other_db(server, oracle):
    def run(srv):
        with srv.raw() as sub, srv.raw() as c:
            c.call("CONFIG", "SET", "notify-keyspace-events", "KEA")
            sub.send_command("SUBSCRIBE", "__keyspace@5__:k", "__keyevent@5__:del")
            sub.read(), sub.read()
            c.call("SELECT", "5")
            c.call("SET", "k", "v")
            c.call("DEL", "k")
            c.call("SELECT", "0")
            c.call("SET", "k", "v")  # db 0: not subscribed
            c.call("PUBLISH", "__keyspace@5__:k", "end")
            return [sub.read_raw() for _ in range(4)]

    got = run(server)
    assert got == run(oracle)
    assert got == [
        frames("message", "__keyspace@5__:k", "set"),
        frames("message", "__keyspace@5__:k", "del"),
        frames("message", "__keyevent@5__:del", "k"),
        frames("message", "__keyspace@5__:k", "end"),
    ]
