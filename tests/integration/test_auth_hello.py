"""AUTH with requirepass, and the HELLO handshake (RESP3 through a raw socket,
since this redis-py has no protocol=3)."""

import subprocess

import pytest
import redis

import rawresp

NOAUTH = b"-NOAUTH Authentication required.\r\n"
WRONGPASS = b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"


@pytest.fixture
def secured(server_factory):
    return server_factory("--requirepass", "s3cret")


def test_noauth_before_auth(secured):
    with secured.raw() as c:
        assert c.call_raw("GET", "x") == NOAUTH
        assert c.call_raw("SET", "x", "1") == NOAUTH
        assert c.call_raw("PING") == NOAUTH
        assert c.call_raw("AUTH", "wrong") == WRONGPASS
        assert c.call_raw("AUTH", "default", "wrong") == WRONGPASS
        assert c.call_raw("AUTH", "nosuchuser", "s3cret") == WRONGPASS
        assert c.call_raw("AUTH", "a", "b", "c") == b"-ERR syntax error\r\n"
        assert c.call_raw("AUTH") == b"-ERR wrong number of arguments for 'auth' command\r\n"
        assert c.call_raw("AUTH", "s3cret") == b"+OK\r\n"
        assert c.call_raw("SET", "x", "1") == b"+OK\r\n"
    with secured.raw() as c:
        assert c.call_raw("AUTH", "default", "s3cret") == b"+OK\r\n"
        assert c.call_raw("GET", "x") == b"$1\r\n1\r\n"


def test_unauthenticated_limits(secured):
    with secured.raw() as c:
        c.send(b"*20\r\n")
        assert c.read_until_closed() == (
            b"-ERR Protocol error: unauthenticated multibulk length\r\n"
        )
    with secured.raw() as c:
        c.send(b"*1\r\n$20000\r\n")
        assert c.read_until_closed() == b"-ERR Protocol error: unauthenticated bulk length\r\n"


def test_redis_py_password(secured):
    c = secured.client(password="s3cret", decode_responses=True)
    assert c.set("a", "b")
    assert c.get("a") == "b"
    c2 = secured.client(username="default", password="s3cret", decode_responses=True)
    assert c2.get("a") == "b"
    # redis-py 4.3 maps WRONGPASS to a plain ResponseError, newer ones to AuthenticationError.
    with pytest.raises(redis.ResponseError, match="WRONGPASS"):
        secured.client(password="nope").ping()
    with pytest.raises(redis.AuthenticationError):
        secured.client().get("a")


def test_auth_without_password_configured(server):
    with server.raw() as c:
        assert c.call_raw("AUTH", "foo") == (
            b"-ERR AUTH <password> called without any password configured for the default "
            b"user. Are you sure your configuration is correct?\r\n"
        )
        assert c.call_raw("AUTH", "default", "anything") == b"+OK\r\n"
        assert c.call_raw("AUTH", "bob", "anything") == WRONGPASS


def test_redis_cli_with_password(secured, redis_cli):
    out = subprocess.run(
        [redis_cli, "-p", str(secured.port), "--no-auth-warning", "-a", "s3cret", "set", "a", "1"],
        capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
    )
    assert out.stdout.strip() == "OK", out.stderr
    out = subprocess.run(
        [redis_cli, "-p", str(secured.port), "get", "a"], capture_output=True, text=True,
        timeout=30, stdin=subprocess.DEVNULL,
    )
    assert "NOAUTH" in out.stdout


def hello_map(value):
    assert isinstance(value, rawresp.Map), value
    return {k.decode(): v for k, v in value.items()}


def check_hello(m, is_baozi, proto):
    assert list(m) == ["server", "version", "proto", "id", "mode", "role", "modules"]
    assert m["server"] == b"redis"
    if is_baozi:
        assert m["version"] == b"7.2.4"
    else:
        assert all(p.isdigit() for p in m["version"].split(b"."))
    assert m["proto"] == proto
    assert isinstance(m["id"], int) and m["id"] > 0
    assert m["mode"] == b"standalone"
    assert m["role"] == b"master"
    assert m["modules"] == []


def test_hello3_map(server, is_baozi):
    with server.raw() as c:
        raw = c.call_raw("HELLO", "3")
        assert raw.startswith(b"%7\r\n")
        m = hello_map(rawresp.parse_one(raw))
        check_hello(m, is_baozi, 3)
        assert c.call("CLIENT", "ID") == m["id"]
        # RESP3 shapes after the switch.
        assert c.call_raw("CONFIG", "GET", "save") == b"%1\r\n$4\r\nsave\r\n$0\r\n\r\n"
        assert c.call_raw("GET", "missing") == b"_\r\n"
        info = c.call("INFO", "server")
        assert isinstance(info, rawresp.Verbatim) and info.format == b"txt"
        assert b"# Server\r\n" in info
        # HELLO with no version keeps the protocol; HELLO 2 switches back.
        assert hello_map(c.call("HELLO"))["proto"] == 3
        raw2 = c.call_raw("HELLO", "2")
        assert raw2.startswith(b"*14\r\n")
        assert c.call_raw("GET", "missing") == b"$-1\r\n"
        assert c.call_raw("CONFIG", "GET", "save") == b"*2\r\n$4\r\nsave\r\n$0\r\n\r\n"


def test_hello2_array(server, is_baozi):
    with server.raw() as c:
        v = c.call("HELLO", "2")
        assert isinstance(v, list) and len(v) == 14
        check_hello(dict(zip([k.decode() for k in v[::2]], v[1::2])), is_baozi, 2)


def test_hello_errors_and_setname(server):
    with server.raw() as c:
        assert c.call_raw("HELLO", "4") == b"-NOPROTO unsupported protocol version\r\n"
        assert c.call_raw("HELLO", "1") == b"-NOPROTO unsupported protocol version\r\n"
        assert c.call_raw("HELLO", "abc") == (
            b"-ERR Protocol version is not an integer or out of range\r\n"
        )
        assert c.call_raw("HELLO", "3", "SETNAME", "myname").startswith(b"%7\r\n")
        assert c.call("CLIENT", "GETNAME") == b"myname"
        reply = c.call_raw("HELLO", "3", "BOGUS")
        assert reply.startswith(b"-ERR Syntax error in HELLO option 'BOGUS'")


def test_hello_auth(secured, is_baozi):
    with secured.raw() as c:
        raw = c.call_raw("HELLO", "3")
        assert raw.startswith(b"-NOAUTH HELLO must be called with the client already authenticated")
        assert c.call_raw("HELLO", "3", "AUTH", "default", "bad") == WRONGPASS
        m = hello_map(c.call("HELLO", "3", "AUTH", "default", "s3cret", "SETNAME", "n1"))
        check_hello(m, is_baozi, 3)
        assert c.call_raw("SET", "a", "1") == b"+OK\r\n"
        assert c.call("CLIENT", "GETNAME") == b"n1"
