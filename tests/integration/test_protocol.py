"""Wire-level behaviour seen through a raw socket: framing, inline commands,
pipelining order, protocol errors (reply, then close), large and binary values."""

import os

import pytest

import rawresp


def expect_error_then_close(server, data: bytes, message: bytes):
    with server.raw() as c:
        c.send(data)
        assert c.read_until_closed() == b"-" + message + b"\r\n"


@pytest.mark.parametrize(
    "data,message",
    [
        (b"*abc\r\n", b"ERR Protocol error: invalid multibulk length"),
        (b"*\r\n", b"ERR Protocol error: invalid multibulk length"),
        (b"*+1\r\n", b"ERR Protocol error: invalid multibulk length"),
        (b"*1\r\n$abc\r\n", b"ERR Protocol error: invalid bulk length"),
        (b"*1\r\n$-5\r\n", b"ERR Protocol error: invalid bulk length"),
        (b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$-1\r\n", b"ERR Protocol error: invalid bulk length"),
        (b"*1\r\n$600000000\r\n", b"ERR Protocol error: invalid bulk length"),
        (b"*1\r\nfoo\r\n", b"ERR Protocol error: expected '$', got 'f'"),
        (b'SET k "abc\r\n', b"ERR Protocol error: unbalanced quotes in request"),
        (b"a" * 70000, b"ERR Protocol error: too big inline request"),
    ],
)
def test_protocol_error_replies_then_closes(server, data, message):
    expect_error_then_close(server, data, message)


def test_commands_before_a_protocol_error_are_answered(server):
    with server.raw() as c:
        c.send(b"*1\r\n$4\r\nPING\r\nECHO hi\r\n*x\r\n*1\r\n$4\r\nPING\r\n")
        assert c.read_until_closed() == (
            b"+PONG\r\n$2\r\nhi\r\n-ERR Protocol error: invalid multibulk length\r\n"
        )


def test_empty_and_negative_multibulk_are_ignored(server):
    with server.raw() as c:
        c.send(b"*0\r\n*-1\r\n\r\n\n*1\r\n$4\r\nPING\r\n")
        assert c.read_raw() == b"+PONG\r\n"
        assert c.call_raw("PING") == b"+PONG\r\n"


def test_inline_commands(server):
    with server.raw() as c:
        c.send(b"PING\r\n")
        assert c.read_raw() == b"+PONG\r\n"
        c.send(b"ping\n")  # bare LF terminates an inline command too
        assert c.read_raw() == b"+PONG\r\n"
        c.send(b'SET k "a\\x41\\n b"\r\n')
        assert c.read_raw() == b"+OK\r\n"
        c.send(b"GET k\r\n")
        assert c.read_raw() == b"$5\r\naA\n b\r\n"
        c.send(b"ECHO 'it\\'s'\r\n")
        assert c.read_raw() == b"$4\r\nit's\r\n"
        c.send(b"   EcHo    spaced   \r\n")
        assert c.read_raw() == b"$6\r\nspaced\r\n"
        c.send(b"SET k2 \"\"\r\nSTRLEN k2\r\n")
        assert c.read_raw() == b"+OK\r\n"
        assert c.read_raw() == b":0\r\n"


def test_request_split_at_every_byte(server):
    req = (rawresp.encode("SET", "split", "value") + b"GET split\r\n"
           + rawresp.encode("GET", "split"))
    with server.raw() as c:
        for i in range(len(req)):
            c.send(req[i : i + 1])
        assert c.read_raw() == b"+OK\r\n"
        assert c.read_raw() == b"$5\r\nvalue\r\n"
        assert c.read_raw() == b"$5\r\nvalue\r\n"


def test_pipelined_replies_in_order(server):
    cmds, expected = [], []
    for i in range(300):
        k = f"p{i % 7}"
        match i % 5:
            case 0:
                cmds.append(rawresp.encode("SET", k, str(i)))
                expected.append(b"+OK\r\n")
            case 1:
                cmds.append(rawresp.encode("GET", k))
                expected.append(None)  # filled from the model below
            case 2:
                cmds.append(rawresp.encode("ECHO", f"e{i}"))
                expected.append(b"$%d\r\ne%d\r\n" % (len(str(i)) + 1, i))
            case 3:
                cmds.append(rawresp.encode("NOSUCHCMD", "x"))
                expected.append(
                    b"-ERR unknown command 'NOSUCHCMD', with args beginning with: 'x' \r\n"
                )
            case 4:
                cmds.append(f"PING {i}\r\n".encode())
                expected.append(b"$%d\r\n%d\r\n" % (len(str(i)), i))
    model = {}
    for i in range(300):
        k = f"p{i % 7}"
        if i % 5 == 0:
            model[k] = str(i).encode()
        elif i % 5 == 1:
            v = model.get(k)
            expected[i] = b"$-1\r\n" if v is None else b"$%d\r\n%s\r\n" % (len(v), v)
    with server.raw() as c:
        c.send(b"".join(cmds))
        got = [c.read_raw() for _ in cmds]
    assert got == expected


def test_big_value_1mb(server, rb):
    value = os.urandom(1 << 20)
    assert rb.set("big", value)
    assert rb.get("big") == value
    assert rb.strlen("big") == 1 << 20
    with server.raw() as c:
        assert c.call_raw("GET", "big") == b"$1048576\r\n" + value + b"\r\n"


def test_binary_safe_values_and_keys(rb):
    value = bytes(range(256)) * 4 + b"\r\n$-1\r\n*3\r\n"
    key = b"bin\x00key\r\n\xff"
    assert rb.set(key, value)
    assert rb.get(key) == value
    assert rb.exists(key) == 1
    assert rb.append(key, b"\x00") == len(value) + 1
    assert rb.get(key) == value + b"\x00"
    assert rb.getrange(key, 0, 3) == b"\x00\x01\x02\x03"
    assert key in rb.keys(b"bin*")


def test_case_insensitive_command_names(r):
    assert r.execute_command("set", "ci", "1") is True
    assert r.execute_command("gEt", "ci") == "1"
    assert r.execute_command("INCRby", "ci", "2") == 3


def test_unknown_command_and_arity_errors(server):
    with server.raw() as c:
        assert c.call_raw("FOO", "a", "b") == (
            b"-ERR unknown command 'FOO', with args beginning with: 'a' 'b' \r\n"
        )
        assert c.call_raw("GET") == b"-ERR wrong number of arguments for 'get' command\r\n"
        assert c.call_raw("set", "k") == b"-ERR wrong number of arguments for 'set' command\r\n"
        assert c.call_raw("CLIENT", "NOPE") == (
            b"-ERR unknown subcommand 'NOPE'. Try CLIENT HELP.\r\n"
        )
        assert c.call_raw("CONFIG", "GET") == (
            b"-ERR wrong number of arguments for 'config|get' command\r\n"
        )


def test_ping_echo_quit(server):
    with server.raw() as c:
        assert c.call_raw("PING") == b"+PONG\r\n"
        assert c.call_raw("PING", "hello") == b"$5\r\nhello\r\n"
        assert c.call_raw("ECHO", "") == b"$0\r\n\r\n"
        c.send_command("QUIT")
        assert c.read_until_closed() == b"+OK\r\n"


def test_many_connections(server):
    conns = [server.raw() for _ in range(200)]
    try:
        for i, c in enumerate(conns):
            c.send_command("SET", f"mc{i}", str(i))
        for c in conns:
            assert c.read_raw() == b"+OK\r\n"
        for i, c in enumerate(conns):
            assert c.call("GET", f"mc{(i + 1) % 200}") == str((i + 1) % 200).encode()
    finally:
        for c in conns:
            c.close()
