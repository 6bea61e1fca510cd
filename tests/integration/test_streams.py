"""Streams where the differential generator cannot go: clients blocked in XREAD/XREADGROUP
and what wakes them (XADD, DEL, SET, XGROUP DESTROY, a MULTI that adds and deletes, CLIENT
UNBLOCK, the timeout), BLOCK where it must not block (MULTI, scripts), the keyspace events of
every stream command and the AOF form of stream writes, both compared with redis-server's,
and the redis-py stream API.

Exact bytes go through raw sockets (rawresp). Every wait is a poll with a deadline
(polling.wait_until) on INFO's blocked_clients; the only timeouts left to the server are a
few tens of milliseconds.
"""

from __future__ import annotations

import re

import pytest
import redis

import rawresp
from polling import wait_until
from test_aof_differential import incr_commands

ENTRY_1_1 = b"*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"


def _blocked(conn: rawresp.Conn, n: int):
    wait_until(lambda: b"blocked_clients:%d\r\n" % n in conn.call(b"INFO", b"clients"),
               f"{n} blocked clients")


def _one_stream_reply(resp3: bool, key: bytes, entries: bytes, n: int) -> bytes:
    head = b"%1\r\n" if resp3 else b"*1\r\n*2\r\n"
    return head + b"$%d\r\n%s\r\n*%d\r\n" % (len(key), key, n) + entries


@pytest.fixture(params=[2, 3], ids=["resp2", "resp3"])
def proto(request):
    return request.param


def _conn(server, proto):
    c = server.raw(timeout=10)
    if proto == 3:
        c.call(b"HELLO", b"3")
    return c


# --- XREAD BLOCK -------------------------------------------------------------------------

def test_xread_block_dollar_is_woken_by_xadd(server, proto):
    with _conn(server, proto) as c, server.raw() as p:
        p.call(b"XADD", b"s", b"0-5", b"old", b"x")
        c.send(rawresp.encode(b"XREAD", b"BLOCK", b"0", b"STREAMS", b"s", b"$"))
        _blocked(p, 1)
        assert p.call(b"XADD", b"s", b"1-1", b"f", b"v") == b"1-1"
        assert c.read_raw() == _one_stream_reply(proto == 3, b"s", ENTRY_1_1, 1)
        _blocked(p, 0)


def test_xread_block_on_several_streams_answers_with_the_one_that_grew(server, proto):
    with _conn(server, proto) as c, server.raw() as p:
        p.call(b"XADD", b"a", b"5-0", b"x", b"y")
        c.send(rawresp.encode(b"XREAD", b"BLOCK", b"0", b"STREAMS", b"a", b"b", b"$", b"$"))
        _blocked(p, 1)
        p.call(b"XADD", b"b", b"1-1", b"f", b"v")
        assert c.read_raw() == _one_stream_reply(proto == 3, b"b", ENTRY_1_1, 1)


def test_xread_block_with_count_and_a_missing_key_created_later(server):
    with server.raw() as c, server.raw() as p:
        c.send(rawresp.encode(b"XREAD", b"COUNT", b"2", b"BLOCK", b"0", b"STREAMS", b"s", b"0"))
        _blocked(p, 1)
        p.send(rawresp.encode(b"MULTI") + b"".join(
            rawresp.encode(b"XADD", b"s", b"%d-1" % i, b"f", b"v") for i in (1, 2, 3))
            + rawresp.encode(b"EXEC"))
        for _ in range(5):
            p.read_raw()
        entries = b"".join(b"*2\r\n$3\r\n%d-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n" % i for i in (1, 2))
        assert c.read_raw() == _one_stream_reply(False, b"s", entries, 2)


def test_xread_block_times_out_with_a_null_array(server, proto):
    with _conn(server, proto) as c:
        want = b"_\r\n" if proto == 3 else b"*-1\r\n"
        assert c.call_raw(b"XREAD", b"BLOCK", b"20", b"STREAMS", b"s", b"$") == want
        c.call(b"XADD", b"s", b"1-1", b"f", b"v")
        assert c.call_raw(b"XREAD", b"BLOCK", b"20", b"STREAMS", b"s", b"$") == want
        assert c.call_raw(b"XREADGROUP", b"GROUP", b"g", b"c", b"BLOCK", b"20", b"STREAMS",
                          b"s", b">")[:8] == b"-NOGROUP"
        c.call(b"XGROUP", b"CREATE", b"s", b"g", b"$")
        assert c.call_raw(b"XREADGROUP", b"GROUP", b"g", b"c", b"BLOCK", b"20", b"STREAMS",
                          b"s", b">") == want


def test_xread_block_answers_at_once_when_data_is_there(server):
    with server.raw() as c:
        c.call(b"XADD", b"s", b"1-1", b"f", b"v")
        assert c.call_raw(b"XREAD", b"BLOCK", b"0", b"STREAMS", b"s", b"0") == \
            _one_stream_reply(False, b"s", ENTRY_1_1, 1)
        assert c.call_raw(b"XREAD", b"BLOCK", b"-1", b"STREAMS", b"s", b"0") == \
            b"-ERR timeout is negative\r\n"
        assert c.call_raw(b"XREAD", b"BLOCK", b"x", b"STREAMS", b"s", b"0") == \
            b"-ERR timeout is not an integer or out of range\r\n"


def test_blocked_xread_without_count_gets_at_most_1000_entries(server):
    with server.raw() as c, server.raw() as p:
        c.send(rawresp.encode(b"XREAD", b"BLOCK", b"0", b"STREAMS", b"s", b"$"))
        _blocked(p, 1)
        p.send(rawresp.encode(b"MULTI") + b"".join(
            rawresp.encode(b"XADD", b"s", b"%d-1" % i, b"f", b"v") for i in range(1, 1501))
            + rawresp.encode(b"EXEC"))
        for _ in range(1502):
            p.read_raw()
        reply = c.read()
        assert reply[0][0] == b"s"
        assert len(reply[0][1]) == 1000
        assert reply[0][1][0][0] == b"1-1" and reply[0][1][-1][0] == b"1000-1"
        # Not blocked, a read without COUNT has no limit.
        assert len(p.call(b"XREAD", b"STREAMS", b"s", b"0")[0][1]) == 1500


def test_several_xread_clients_are_all_served(server):
    with server.raw() as c1, server.raw() as c2, server.raw() as p:
        for c in (c1, c2):
            c.send(rawresp.encode(b"XREAD", b"BLOCK", b"0", b"STREAMS", b"s", b"$"))
        _blocked(p, 2)
        p.call(b"XADD", b"s", b"1-1", b"f", b"v")
        want = _one_stream_reply(False, b"s", ENTRY_1_1, 1)
        assert c1.read_raw() == want
        assert c2.read_raw() == want


# --- XREADGROUP BLOCK --------------------------------------------------------------------

def test_xreadgroup_block_is_woken_and_the_entry_becomes_pending(server, proto):
    with _conn(server, proto) as c, server.raw() as p:
        p.call(b"XGROUP", b"CREATE", b"s", b"g", b"$", b"MKSTREAM")
        c.send(rawresp.encode(b"XREADGROUP", b"GROUP", b"g", b"alice", b"BLOCK", b"0",
                              b"STREAMS", b"s", b">"))
        _blocked(p, 1)
        p.call(b"XADD", b"s", b"1-1", b"f", b"v")
        assert c.read_raw() == _one_stream_reply(proto == 3, b"s", ENTRY_1_1, 1)
        assert p.call(b"XPENDING", b"s", b"g") == [1, b"1-1", b"1-1", [[b"alice", b"1"]]]
        info = p.call(b"XINFO", b"GROUPS", b"s")[0]
        assert info[info.index(b"last-delivered-id") + 1] == b"1-1"
        assert info[info.index(b"entries-read") + 1] == 1


def test_xreadgroup_noack_block_leaves_nothing_pending(server):
    with server.raw() as c, server.raw() as p:
        p.call(b"XGROUP", b"CREATE", b"s", b"g", b"$", b"MKSTREAM")
        c.send(rawresp.encode(b"XREADGROUP", b"GROUP", b"g", b"c", b"NOACK", b"BLOCK", b"0",
                              b"STREAMS", b"s", b">"))
        _blocked(p, 1)
        p.call(b"XADD", b"s", b"1-1", b"f", b"v")
        assert c.read_raw() == _one_stream_reply(False, b"s", ENTRY_1_1, 1)
        assert p.call(b"XPENDING", b"s", b"g")[0] == 0


def test_consumers_of_one_group_get_one_entry_each(server):
    with server.raw() as c1, server.raw() as c2, server.raw() as p:
        p.call(b"XGROUP", b"CREATE", b"s", b"g", b"$", b"MKSTREAM")
        for i, c in enumerate((c1, c2)):
            c.send(rawresp.encode(b"XREADGROUP", b"GROUP", b"g", b"c%d" % i, b"BLOCK", b"0",
                                  b"STREAMS", b"s", b">"))
        _blocked(p, 2)
        p.call(b"XADD", b"s", b"1-1", b"f", b"v")
        # The first one blocked gets the entry; the other stays blocked for the next one.
        assert c1.read_raw() == _one_stream_reply(False, b"s", ENTRY_1_1, 1)
        _blocked(p, 1)
        p.call(b"XADD", b"s", b"2-1", b"f", b"v")
        assert c2.read_raw() == _one_stream_reply(
            False, b"s", b"*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n", 1)
        assert p.call(b"XPENDING", b"s", b"g", b"-", b"+", b"10")[0][:2] == [b"1-1", b"c0"]


@pytest.mark.parametrize("action,want", [
    ([b"DEL", b"s"], b"-UNBLOCKED the stream key no longer exists\r\n"),
    ([b"SET", b"s", b"x"], b"-UNBLOCKED the stream key no longer exists\r\n"),
    ([b"XGROUP", b"DESTROY", b"s", b"g"],
     b"-NOGROUP the consumer group this client was blocked on no longer exists\r\n"),
])
def test_xreadgroup_blocked_on_a_key_that_goes_away(server, action, want):
    with server.raw() as c, server.raw() as p:
        p.call(b"XADD", b"s", b"1-1", b"f", b"v")
        p.call(b"XGROUP", b"CREATE", b"s", b"g", b"$")
        c.send(rawresp.encode(b"XREADGROUP", b"GROUP", b"g", b"c", b"BLOCK", b"0",
                              b"STREAMS", b"s", b">"))
        _blocked(p, 1)
        p.call(*action)
        assert c.read_raw() == want
        _blocked(p, 0)


def test_xread_blocked_survives_del_and_set_of_its_key(server):
    with server.raw() as c, server.raw() as p:
        p.call(b"XADD", b"s", b"1-1", b"f", b"v")
        c.send(rawresp.encode(b"XREAD", b"BLOCK", b"0", b"STREAMS", b"s", b"$"))
        _blocked(p, 1)
        p.call(b"SET", b"s", b"x")
        p.call(b"DEL", b"s")
        assert p.call(b"PING") == b"PONG"
        _blocked(p, 1)
        p.call(b"XADD", b"s", b"5-1", b"a", b"b")
        assert c.read_raw() == _one_stream_reply(
            False, b"s", b"*2\r\n$3\r\n5-1\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n", 1)


@pytest.mark.parametrize("group", [False, True])
def test_multi_adding_and_deleting_wakes_the_reader_with_nothing(server, group):
    with server.raw() as c, server.raw() as p:
        p.call(b"XADD", b"s", b"1-1", b"f", b"v")
        if group:
            p.call(b"XGROUP", b"CREATE", b"s", b"g", b"$")
            c.send(rawresp.encode(b"XREADGROUP", b"GROUP", b"g", b"c", b"BLOCK", b"0",
                                  b"STREAMS", b"s", b">"))
        else:
            c.send(rawresp.encode(b"XREAD", b"BLOCK", b"0", b"STREAMS", b"s", b"$"))
        _blocked(p, 1)
        p.call(b"MULTI")
        p.call(b"XADD", b"s", b"2-1", b"a", b"b")
        p.call(b"XDEL", b"s", b"2-1")
        assert p.call_raw(b"EXEC") == b"*2\r\n$3\r\n2-1\r\n:1\r\n"
        assert c.read_raw() == b"*1\r\n*2\r\n$1\r\ns\r\n*0\r\n"


def test_client_unblock_of_xread(server, proto):
    with _conn(server, proto) as c, server.raw() as p:
        cid = c.call(b"CLIENT", b"ID")
        c.send(rawresp.encode(b"XREAD", b"BLOCK", b"0", b"STREAMS", b"s", b"$"))
        _blocked(p, 1)
        assert p.call(b"CLIENT", b"UNBLOCK", cid, b"TIMEOUT") == 1
        assert c.read_raw() == (b"_\r\n" if proto == 3 else b"*-1\r\n")
        c.send(rawresp.encode(b"XREAD", b"BLOCK", b"0", b"STREAMS", b"s", b"$"))
        _blocked(p, 1)
        assert p.call(b"CLIENT", b"UNBLOCK", cid, b"ERROR") == 1
        assert c.read_raw() == b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"
        assert p.call(b"CLIENT", b"UNBLOCK", cid) == 0


def test_commands_pipelined_behind_a_blocked_xread_wait(server):
    with server.raw() as c, server.raw() as p:
        c.send(rawresp.encode(b"XREAD", b"BLOCK", b"0", b"STREAMS", b"s", b"$")
               + rawresp.encode(b"XLEN", b"s"))
        _blocked(p, 1)
        p.call(b"XADD", b"s", b"1-1", b"f", b"v")
        assert c.read_raw() == _one_stream_reply(False, b"s", ENTRY_1_1, 1)
        assert c.read_raw() == b":1\r\n"


def test_block_inside_multi_and_scripts_does_not_block(server):
    with server.raw() as c:
        c.call(b"MULTI")
        c.call(b"XREAD", b"BLOCK", b"0", b"STREAMS", b"s", b"$")
        c.call(b"XGROUP", b"CREATE", b"s", b"g", b"$", b"MKSTREAM")
        c.call(b"XREADGROUP", b"GROUP", b"g", b"c", b"BLOCK", b"0", b"STREAMS", b"s", b">")
        assert c.call_raw(b"EXEC") == b"*3\r\n*-1\r\n+OK\r\n*-1\r\n"
        for script, name in [
                (b"return redis.call('XREAD','BLOCK','0','STREAMS','s','$')", b"XREAD"),
                (b"return redis.call('XREAD','BLOCK','0','STREAMS','s','0')", b"XREAD"),
                (b"return redis.call('XREADGROUP','GROUP','g','c','BLOCK','0','STREAMS','s',"
                 b"'>')", b"XREADGROUP")]:
            reply = c.call_raw(b"EVAL", script, b"0")
            assert reply.startswith(b"-ERR %s command is not allowed with BLOCK option from "
                                    b"scripts script: " % name), reply
        assert c.call(b"INFO", b"clients").count(b"blocked_clients:0") == 1


# --- keyspace events and the AOF, against redis-server ----------------------------------

# Commands with `*` IDs are fine for events (their payload is the key only).
EVENT_SCRIPT = [
    [b"XADD", b"s", b"1-1", b"f", b"v"],
    [b"XADD", b"s", b"*", b"f", b"v"],
    [b"XADD", b"s", b"MAXLEN", b"2", b"*", b"f", b"v"],
    [b"XADD", b"s", b"MAXLEN", b"=", b"100", b"*", b"f", b"v"],  # no trim: no xtrim event
    [b"XADD", b"nos", b"NOMKSTREAM", b"*", b"f", b"v"],
    [b"XADD", b"t", b"5-1", b"a", b"1"],
    [b"XADD", b"t", b"5-2", b"a", b"2"],
    [b"XADD", b"t", b"5-3", b"a", b"3"],
    [b"XDEL", b"t", b"5-1", b"9-9"],
    [b"XDEL", b"t", b"9-9"],
    [b"XTRIM", b"t", b"MAXLEN", b"1"],
    [b"XTRIM", b"t", b"MAXLEN", b"5"],
    [b"XTRIM", b"t", b"MINID", b"6"],
    [b"XSETID", b"t", b"100-1"],
    [b"XSETID", b"t", b"1-1"],
    [b"XGROUP", b"CREATE", b"t", b"g", b"0"],
    [b"XGROUP", b"CREATE", b"t", b"g", b"0"],
    [b"XGROUP", b"CREATE", b"m", b"g", b"$", b"MKSTREAM"],
    [b"XGROUP", b"CREATECONSUMER", b"t", b"g", b"alice"],
    [b"XGROUP", b"CREATECONSUMER", b"t", b"g", b"alice"],
    [b"XADD", b"t", b"200-1", b"a", b"4"],
    [b"XADD", b"t", b"200-2", b"a", b"5"],
    [b"XREADGROUP", b"GROUP", b"g", b"bob", b"COUNT", b"1", b"STREAMS", b"t", b">"],
    [b"XREADGROUP", b"GROUP", b"g", b"bob", b"STREAMS", b"t", b"0"],
    [b"XREADGROUP", b"GROUP", b"g", b"carol", b"NOACK", b"STREAMS", b"t", b">"],
    [b"XREADGROUP", b"GROUP", b"g", b"dave", b"STREAMS", b"t", b">"],
    [b"XCLAIM", b"t", b"g", b"erin", b"0", b"200-1"],
    [b"XCLAIM", b"t", b"g", b"erin", b"0", b"200-1", b"JUSTID"],
    [b"XCLAIM", b"t", b"g", b"erin", b"0", b"9-9"],
    [b"XAUTOCLAIM", b"t", b"g", b"frank", b"0", b"0"],
    [b"XAUTOCLAIM", b"t", b"g", b"frank", b"0", b"0", b"JUSTID"],
    [b"XACK", b"t", b"g", b"200-1"],
    [b"XACK", b"t", b"g", b"200-1"],
    [b"XGROUP", b"SETID", b"t", b"g", b"0"],
    [b"XGROUP", b"SETID", b"t", b"g", b"$", b"ENTRIESREAD", b"2"],
    [b"XGROUP", b"DELCONSUMER", b"t", b"g", b"alice"],
    [b"XGROUP", b"DELCONSUMER", b"t", b"g", b"nobody"],
    [b"XGROUP", b"DESTROY", b"t", b"g"],
    [b"XGROUP", b"DESTROY", b"t", b"g"],
    [b"XINFO", b"STREAM", b"t"],
    [b"XRANGE", b"t", b"-", b"+"],
    [b"XREAD", b"STREAMS", b"t", b"0"],
    [b"XLEN", b"t"],
    [b"XTRIM", b"t", b"MAXLEN", b"0"],
    [b"XADD", b"u", b"MAXLEN", b"~", b"1", b"1-1", b"a", b"b"],
    [b"XADD", b"u", b"MAXLEN", b"~", b"1", b"1-2", b"a", b"b"],
    [b"XADD", b"u", b"MAXLEN", b"~", b"1", b"1-3", b"a", b"b"],
    [b"XTRIM", b"u", b"MAXLEN", b"~", b"0", b"LIMIT", b"1"],
    [b"COPY", b"u", b"u2"],
    [b"RENAME", b"u2", b"u3"],
    [b"DEL", b"u3", b"u", b"t", b"s", b"m"],
]


def _events(srv, commands, classes=b"KEA") -> list:
    with srv.raw() as c, srv.raw() as sub:
        c.call(b"CONFIG", b"SET", b"notify-keyspace-events", classes)
        c.call(b"CONFIG", b"SET", b"stream-node-max-entries", b"2")
        sub.call(b"PSUBSCRIBE", b"__key*__:*")
        out = []
        for cmd in commands:
            reply = c.call_raw(*cmd)
            sub.send(rawresp.encode(b"PING", b"sync"))
            got = []
            while True:
                frame = sub.read()
                if frame == [b"pong", b"sync"]:
                    break
                got.append((frame[2], frame[3]))
            out.append((cmd, reply[:1] if b"*" in cmd else reply, got))
        return out


def test_keyspace_events_of_stream_commands_match_redis(server, oracle):
    ours, theirs = _events(server, EVENT_SCRIPT), _events(oracle, EVENT_SCRIPT)
    for (cmd, ra, ea), (_, rb, eb) in zip(ours, theirs):
        assert (ra, ea) == (rb, eb), f"{cmd!r}"
    names = {ch.split(b":", 1)[1] for _, _, ev in theirs for ch, _ in ev
             if ch.startswith(b"__keyevent")}
    assert {b"xadd", b"xdel", b"xtrim", b"xsetid", b"xgroup-create", b"xgroup-createconsumer",
            b"xgroup-delconsumer", b"xgroup-destroy", b"xgroup-setid"} <= names


AOF_ARGS = ("--appendonly", "yes", "--appendfsync", "always", "--stream-node-max-entries", "3")

AOF_SCRIPT = [
    [b"XADD", b"s", b"*", b"f", b"v"],
    [b"XADD", b"s", b"*", b"f", b"w"],
    [b"XADD", b"s", b"1000-*", b"f", b"v"],  # refused: smaller than the top item
    [b"XADD", b"t", b"1-*", b"a", b"1"],
    [b"XADD", b"t", b"1-*", b"a", b"2"],
    [b"XADD", b"t", b"5", b"a", b"3"],
    [b"XADD", b"t", b"MAXLEN", b"~", b"2", b"6-1", b"a", b"4"],
    [b"XADD", b"t", b"MAXLEN", b"~", b"2", b"LIMIT", b"1", b"*", b"a", b"5"],
    [b"XADD", b"t", b"MINID", b"~", b"6", b"*", b"a", b"6"],
    [b"XADD", b"t", b"MAXLEN", b"=", b"3", b"*", b"a", b"7"],
    [b"XADD", b"nope", b"NOMKSTREAM", b"*", b"a", b"b"],
    [b"XTRIM", b"t", b"MAXLEN", b"~", b"1"],
    [b"XTRIM", b"t", b"MINID", b"0"],
    [b"XDEL", b"s", b"0-1"],
    [b"XGROUP", b"CREATE", b"t", b"g", b"0"],
    [b"XGROUP", b"CREATE", b"new", b"g", b"$", b"MKSTREAM", b"ENTRIESREAD", b"0"],
    [b"XGROUP", b"CREATECONSUMER", b"t", b"g", b"alice"],
    [b"XADD", b"t", b"*", b"a", b"8"],
    [b"XADD", b"t", b"*", b"a", b"9"],
    [b"XREADGROUP", b"GROUP", b"g", b"bob", b"COUNT", b"1", b"STREAMS", b"t", b">"],
    [b"XREADGROUP", b"GROUP", b"g", b"carol", b"NOACK", b"COUNT", b"1", b"STREAMS", b"t", b">"],
    [b"XREADGROUP", b"GROUP", b"g", b"bob", b"STREAMS", b"t", b"0"],
    [b"XREADGROUP", b"GROUP", b"g", b"dave", b"STREAMS", b"t", b">"],
    [b"XCLAIM", b"t", b"g", b"erin", b"0", b"<pending>", b"RETRYCOUNT", b"5"],
    [b"XCLAIM", b"t", b"g", b"erin", b"0", b"<pending>", b"JUSTID", b"TIME", b"1000"],
    [b"XCLAIM", b"t", b"g", b"erin", b"0", b"<pending>", b"IDLE", b"0", b"LASTID",
     b"999999999999999"],
    [b"XAUTOCLAIM", b"t", b"g", b"frank", b"0", b"0", b"COUNT", b"1"],
    [b"XAUTOCLAIM", b"t", b"g", b"frank", b"0", b"0", b"JUSTID"],
    [b"XACK", b"t", b"g", b"<pending>"],
    [b"XGROUP", b"SETID", b"t", b"g", b"$", b"ENTRIESREAD", b"3"],
    [b"XGROUP", b"DELCONSUMER", b"t", b"g", b"alice"],
    [b"XSETID", b"t", b"99999999999999-0", b"ENTRIESADDED", b"100", b"MAXDELETEDID", b"1-1"],
    [b"XGROUP", b"DESTROY", b"new", b"g"],
    [b"XADD", b"u", b"1-1", b"a", b"b"],
    [b"XDEL", b"u", b"1-1"],
    [b"XREADGROUP", b"GROUP", b"g", b"zed", b"STREAMS", b"t", b">"],
]

_TIME_ID = re.compile(rb"^1\d{12}-\d+$")  # an ID from the clock (2001..2286)


def _run_aof_script(srv) -> list[bytes]:
    replies = []
    with srv.raw() as c:
        pending = None
        for cmd in AOF_SCRIPT:
            if b"<pending>" in cmd:
                pel = c.call(b"XPENDING", b"t", b"g", b"-", b"+", b"1")
                pending = pel[0][0] if pel else b"0-1"
                cmd = [pending if a == b"<pending>" else a for a in cmd]
            replies.append(c.call_raw(*cmd))
    return replies


def _normalise_aof(cmds: list[list[bytes]]) -> list[list[bytes]]:
    ids: dict[bytes, bytes] = {}
    out = []
    for argv in cmds:
        norm = []
        for i, a in enumerate(argv):
            if _TIME_ID.match(a):
                a = ids.setdefault(a, b"<id%d>" % len(ids))
            elif i > 0 and argv[i - 1].upper() == b"TIME" and argv[0].upper() == b"XCLAIM" \
                    and a != b"1000":
                a = b"<now>"
            norm.append(a)
        out.append(norm)
    return out


def test_aof_of_stream_commands_matches_redis(server_factory, oracle_factory):
    a, b = server_factory(*AOF_ARGS), oracle_factory(*AOF_ARGS)
    ra, rb = _run_aof_script(a), _run_aof_script(b)
    for cmd, x, y in zip(AOF_SCRIPT, ra, rb):
        if b"*" not in cmd and cmd[0] != b"XREADGROUP" and cmd[0] != b"XAUTOCLAIM" \
                and b"<pending>" not in cmd:
            assert x == y, f"{cmd!r}"
        assert x[:1] == y[:1], f"{cmd!r}: {x!r} vs {y!r}"
    ours = _normalise_aof(incr_commands(a.workdir))
    theirs = _normalise_aof(incr_commands(b.workdir))
    for i, (x, y) in enumerate(zip(ours, theirs)):
        assert x == y, (f"AOF command {i}:\n  baozi: {x!r}\n  redis: {y!r}\n"
                        f"  before: {ours[:i][-3:]!r}")
    assert len(ours) == len(theirs), f"{ours[len(theirs):]!r} / {theirs[len(ours):]!r}"
    # Each restarts on its own AOF into the same logical dataset.
    with a.raw() as c:
        before = [c.call(b"XRANGE", k, b"-", b"+") for k in (b"s", b"t", b"u", b"new")]
        groups = c.call(b"XINFO", b"GROUPS", b"t")
    a.stop()
    a.start()
    with a.raw() as c:
        assert [c.call(b"XRANGE", k, b"-", b"+") for k in (b"s", b"t", b"u", b"new")] == before
        assert c.call(b"XINFO", b"GROUPS", b"t") == groups


# --- redis-py ----------------------------------------------------------------------------

def test_redis_py_stream_api_round_trips(r):
    first = r.xadd("s", {"name": "a", "n": "1"})
    ms, seq = first.split("-")
    assert int(ms) > 1_600_000_000_000 and seq == "0"
    second = r.xadd("s", {"name": "b"}, id=f"{int(ms) + 1}-5")
    assert second == f"{int(ms) + 1}-5"
    with pytest.raises(redis.ResponseError, match="equal or smaller"):
        r.xadd("s", {"x": "y"}, id="1-1")
    assert r.xlen("s") == 2
    assert r.xrange("s") == [(first, {"name": "a", "n": "1"}), (second, {"name": "b"})]
    assert r.xrevrange("s", count=1) == [(second, {"name": "b"})]
    assert r.xread({"s": first}) == [["s", [(second, {"name": "b"})]]]
    assert r.xgroup_create("s", "g", id="0") is True
    got = r.xreadgroup("g", "alice", {"s": ">"}, count=1)
    assert got == [["s", [(first, {"name": "a", "n": "1"})]]]
    assert r.xpending("s", "g")["pending"] == 1
    rng = r.xpending_range("s", "g", min="-", max="+", count=10)
    assert [(p["message_id"], p["consumer"], p["times_delivered"]) for p in rng] == [
        (first, "alice", 1)]
    assert r.xclaim("s", "g", "bob", 0, [first]) == [(first, {"name": "a", "n": "1"})]
    assert r.xclaim("s", "g", "bob", 0, [first], justid=True) == [first]
    r.xreadgroup("g", "alice", {"s": ">"})
    nxt, claimed, deleted = r.xautoclaim("s", "g", "carol", 0, start_id="0-0", count=10)
    assert [c[0] for c in claimed] == [first, second] and nxt == "0-0" and deleted == []
    assert r.xack("s", "g", first, second) == 2
    info = r.xinfo_stream("s")
    assert info["length"] == 2 and info["last-generated-id"] == second
    assert info["first-entry"] == (first, {"name": "a", "n": "1"})
    assert r.xinfo_groups("s")[0]["name"] == "g"
    assert {c["name"] for c in r.xinfo_consumers("s", "g")} == {"alice", "bob", "carol"}
    full = r.xinfo_stream("s", full=True)
    assert full["length"] == 2 and len(full["groups"]) == 1
    assert r.xdel("s", first) == 1
    assert r.xtrim("s", maxlen=0) == 1
    assert r.xlen("s") == 0 and r.type("s") == "stream"
    assert r.object("encoding", "s") == "stream"
    assert r.xgroup_destroy("s", "g") == 1


# --- DUMP/RESTORE and RDB files, crossed with redis-server --------------------------------

BUILD_SCRIPT = [
    [b"CONFIG", b"SET", b"stream-node-max-entries", b"4"],
    *[[b"XADD", b"plain", b"%d-%d" % (i // 3 + 1, i % 3), b"f", b"v%d" % i, b"n", b"%d" % i]
      for i in range(40)],
    [b"XADD", b"plain", b"100-1", b"other", b"fields", b"x" * 300, b"long"],
    [b"XDEL", b"plain", b"1-1", b"5-0", b"5-1", b"5-2"],
    [b"XTRIM", b"plain", b"MINID", b"2-1"],
    *[[b"XADD", b"grp", b"%d-1" % i, b"f", b"%d" % i] for i in range(1, 30)],
    [b"XGROUP", b"CREATE", b"grp", b"g1", b"0"],
    [b"XGROUP", b"CREATE", b"grp", b"g2", b"$", b"ENTRIESREAD", b"7"],
    [b"XGROUP", b"CREATECONSUMER", b"grp", b"g2", b"idle-one"],
    [b"XREADGROUP", b"GROUP", b"g1", b"alice", b"COUNT", b"5", b"STREAMS", b"grp", b">"],
    [b"XREADGROUP", b"GROUP", b"g1", b"bob", b"COUNT", b"3", b"STREAMS", b"grp", b">"],
    [b"XREADGROUP", b"GROUP", b"g1", b"carol", b"NOACK", b"COUNT", b"2", b"STREAMS", b"grp",
     b">"],
    [b"XCLAIM", b"grp", b"g1", b"bob", b"0", b"1-1", b"TIME", b"1000", b"RETRYCOUNT", b"9"],
    [b"XACK", b"grp", b"g1", b"2-1"],
    [b"XDEL", b"grp", b"3-1", b"29-1"],
    [b"XSETID", b"grp", b"500-7", b"ENTRIESADDED", b"40", b"MAXDELETEDID", b"450-0"],
    [b"XGROUP", b"CREATE", b"empty", b"g", b"$", b"MKSTREAM"],
    [b"XADD", b"emptied", b"7-7", b"a", b"b"],
    [b"XDEL", b"emptied", b"7-7"],
]
STREAM_KEYS = [b"plain", b"grp", b"empty", b"emptied"]


def _build(srv):
    with srv.raw() as c:
        for cmd in BUILD_SCRIPT:
            reply = c.call_raw(*cmd)
            assert not reply.startswith(b"-"), (cmd, reply)


def _full(c, key) -> bytes:
    return c.call_raw(b"XINFO", b"STREAM", key, b"FULL", b"COUNT", b"0")


def test_dump_and_restore_cross_with_redis(server_factory, oracle_factory):
    a = server_factory("--enable-debug-command", "yes")
    b = oracle_factory("--enable-debug-command", "yes")
    _build(a)
    _build(b)
    with a.raw() as ca, b.raw() as cb:
        for key in STREAM_KEYS:
            assert ca.call_raw(b"DEBUG", b"DIGEST-VALUE", key) == \
                cb.call_raw(b"DEBUG", b"DIGEST-VALUE", key), key
            assert ca.call_raw(b"XINFO", b"STREAM", key) == cb.call_raw(b"XINFO", b"STREAM", key)
        # Without consumer groups the payload holds no times: the very same bytes.
        for key in (b"plain", b"emptied"):
            assert ca.call_raw(b"DUMP", key) == cb.call_raw(b"DUMP", key), key
        # With groups, each restores the other's payload and shows the very same stream,
        # delivery and seen times included (they come from the payload).
        for src, dst in ((ca, cb), (cb, ca)):
            for key in STREAM_KEYS:
                payload = src.call(b"DUMP", key)
                assert dst.call_raw(b"RESTORE", b"copy:" + key, b"0", payload, b"REPLACE") == \
                    b"+OK\r\n"
                assert _full(dst, b"copy:" + key) == _full(src, key), key
                assert dst.call_raw(b"DEBUG", b"DIGEST-VALUE", b"copy:" + key) == \
                    src.call_raw(b"DEBUG", b"DIGEST-VALUE", key)
                assert dst.call(b"DUMP", b"copy:" + key) == payload, key
        assert ca.call_raw(b"RESTORE", b"bad", b"0", b"\x13\x00junk") == \
            cb.call_raw(b"RESTORE", b"bad", b"0", b"\x13\x00junk")


def test_rdb_files_cross_load_with_redis(server_factory, oracle_factory, tmp_path):
    from serverproc import Server

    a = server_factory("--enable-debug-command", "yes")
    b = oracle_factory("--enable-debug-command", "yes")
    _build(a)
    _build(b)
    want = {}
    for srv in (a, b):
        with srv.raw() as c:
            want[srv.name] = [_full(c, k) for k in STREAM_KEYS]
            assert c.call(b"SAVE") == b"OK"
    for src, dst in ((a, b), (b, a)):
        work = tmp_path / f"{dst.name}-on-{src.name}"
        work.mkdir()
        (work / "dump.rdb").write_bytes((src.workdir / "dump.rdb").read_bytes())
        s = Server(dst.binary, work, ("--enable-debug-command", "yes"), name="crossed").start()
        try:
            with s.raw() as c:
                assert [_full(c, k) for k in STREAM_KEYS] == want[src.name]
                assert c.call(b"OBJECT", b"ENCODING", b"grp") == b"stream"
        finally:
            s.stop()
