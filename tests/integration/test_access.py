"""Access control, side by side with redis-server 7.0.15 (docs/security.md).

Every scenario runs on the server under test and on the oracle and the exact
reply bytes are compared; the texts clients match on are also spelled out.

- protected mode: with no password, a client whose peer address is not
  127.0.0.1/::1 gets the -DENIED text and is closed, whatever `bind` says.  The
  remote client runs inside a network namespace joined to the host by a veth
  pair; where one cannot be made (not root, no `ip`), those tests are skipped
  with the reason.  A 127.0.0.2 source address needs no namespace and already
  counts as remote for Redis.
- requirepass: nothing but AUTH/HELLO/QUIT/RESET runs before AUTH, even when
  pipelined in one write; unknown commands, arity errors and a refused DEBUG
  are reported before NOAUTH, as in Redis's processCommand.
- enable-protected-configs / enable-debug-command: no (default), yes, local.
- rename-command from the config file: new name, "" (disabled), COMMAND/INFO.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys

import pytest

import rawresp
from serverproc import Server, ServerError

DENIED = (
    b"-DENIED Redis is running in protected mode because protected mode is enabled and no "
    b"password is set for the default user. In this mode connections are only accepted from "
    b"the loopback interface. If you want to connect from external computers to Redis you may "
    b"adopt one of the following solutions: 1) Just disable protected mode sending the command "
    b"'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from "
    b"the same host the server is running, however MAKE SURE Redis is not publicly accessible "
    b"from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) "
    b"Alternatively you can just disable the protected mode by editing the Redis "
    b"configuration file, and setting the protected mode option to 'no', and then restarting "
    b"the server. 3) If you started the server manually just for testing, restart it with the "
    b"'--protected-mode no' option. 4) Setup a an authentication password for the default "
    b"user. NOTE: You only need to do one of the above things in order for the server to "
    b"start accepting connections from the outside.\r\n"
)
NOAUTH = b"-NOAUTH Authentication required.\r\n"
WRONGPASS = b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"
PROTECTED_DIR = (
    b"-ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config\r\n"
)
PROTECTED_DBFILENAME = (
    b"-ERR CONFIG SET failed (possibly related to argument 'dbfilename') - "
    b"can't set protected config\r\n"
)
DEBUG_DENIED = (
    b"-ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", "
    b"you can run it from a local connection, otherwise you need to set this option in the "
    b"configuration file, and then restart the server.\r\n"
)


# --- helpers ---------------------------------------------------------------


class ConfServer(Server):
    """A server started as `<binary> <config file> --port ... <args>`."""

    def __init__(self, binary, workdir, conf_text: str, args=(), name="conf"):
        super().__init__(binary, workdir, args, name=name)
        self.conf = self.workdir / f"{name}.conf"
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.conf.write_text(conf_text)

    def command_line(self, port: int) -> list[str]:
        line = super().command_line(port)
        return [line[0], str(self.conf), *line[1:]]


@pytest.fixture
def pair(server_binary, oracle_binary_path, tmp_path_factory):
    """start(conf_text, *args) -> (server under test, oracle), both with the same config."""
    started: list[Server] = []

    def start(conf_text: str = "", *args):
        out = []
        for name, binary in (("sut", server_binary), ("oracle", oracle_binary_path)):
            s = ConfServer(binary, tmp_path_factory.mktemp(name), conf_text, args, name=name)
            try:
                s.start()
            except ServerError as e:
                pytest.fail(str(e), pytrace=False)
            started.append(s)
            out.append(s)
        return tuple(out)

    yield start
    for s in started:
        s.stop()


def replies(srv: Server, payload: bytes, count: int, source: str | None = None) -> list[bytes]:
    """Sends `payload` in one write and reads `count` replies (raw bytes)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(10)
    if source:
        sock.bind((source, 0))
    sock.connect((srv.host, srv.port))
    c = rawresp.Conn.__new__(rawresp.Conn)
    c.sock, c.buf, c.timeout = sock, b"", 10.0
    try:
        c.send(payload)
        return [c.read_raw() for _ in range(count)]
    finally:
        c.close()


def cmds(*commands) -> bytes:
    return b"".join(rawresp.encode(*c) for c in commands)


def both(sut: Server, oracle: Server, payload: bytes, count: int, **kw):
    got, want = replies(sut, payload, count, **kw), replies(oracle, payload, count, **kw)
    assert got == want
    return got


def until_closed(srv: Server, payload: bytes, source: str | None = None, host=None) -> bytes:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(5)
    if source:
        sock.bind((source, 0))
    sock.connect((host or srv.host, srv.port))
    c = rawresp.Conn.__new__(rawresp.Conn)
    c.sock, c.buf, c.timeout = sock, b"", 5.0
    try:
        if payload:
            try:
                c.send(payload)
            except OSError:
                pass
        return c.read_until_closed()
    finally:
        c.close()


# --- protected mode ----------------------------------------------------------

# Runs inside the namespace: connects to argv[1]:argv[2], sends the RESP on stdin, prints the
# bytes received (hex) and whether the server closed the connection within the timeout.
_REMOTE_CLIENT = r"""
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
s.sendall(sys.stdin.buffer.read())
want = int(sys.argv[3]); buf = b""; closed = False
deadline = time.monotonic() + 5
while time.monotonic() < deadline:
    try:
        d = s.recv(65536)
    except socket.timeout:
        break
    except ConnectionResetError:
        closed = True; break
    if not d:
        closed = True; break
    buf += d
    if want and buf.count(b"\r\n") >= want and not buf.startswith(b"-DENIED"):
        break
print(buf.hex()); print("closed" if closed else "open")
"""


class Netns:
    def __init__(self):
        tag = f"{os.getpid() % 100000}"
        self.name = f"baozi-acc-{tag}"
        self.host_if, self.ns_if = f"bza{tag}h", f"bza{tag}n"
        n = os.getpid() % 250 + 1
        self.host_ip, self.ns_ip = f"10.234.{n}.1", f"10.234.{n}.2"

    def _run(self, *argv):
        subprocess.run(argv, check=True, capture_output=True, timeout=10)

    def create(self):
        self.destroy()
        self._run("ip", "netns", "add", self.name)
        self._run("ip", "link", "add", self.host_if, "type", "veth", "peer", "name", self.ns_if)
        self._run("ip", "link", "set", self.ns_if, "netns", self.name)
        self._run("ip", "addr", "add", f"{self.host_ip}/24", "dev", self.host_if)
        self._run("ip", "link", "set", self.host_if, "up")
        ns = ("ip", "netns", "exec", self.name)
        self._run(*ns, "ip", "addr", "add", f"{self.ns_ip}/24", "dev", self.ns_if)
        self._run(*ns, "ip", "link", "set", self.ns_if, "up")
        self._run(*ns, "ip", "link", "set", "lo", "up")

    def destroy(self):
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True, timeout=10)
        subprocess.run(["ip", "link", "del", self.host_if], capture_output=True, timeout=10)

    def call(self, srv: Server, payload: bytes, want: int) -> tuple[bytes, bool]:
        """Sends `payload` from inside the namespace; returns (bytes received, closed)."""
        out = subprocess.run(
            ["ip", "netns", "exec", self.name, sys.executable, "-c", _REMOTE_CLIENT,
             self.host_ip, str(srv.port), str(want)],
            input=payload, capture_output=True, timeout=20, check=True,
        ).stdout.decode().split("\n")
        return bytes.fromhex(out[0]), out[1] == "closed"


@pytest.fixture(scope="module")
def netns():
    reason = None
    if os.geteuid() != 0:
        reason = "network namespaces need root (euid is %d)" % os.geteuid()
    elif shutil.which("ip") is None:
        reason = "the `ip` tool (iproute2) is not installed"
    ns = Netns()
    if reason is None:
        try:
            ns.create()
        except (subprocess.CalledProcessError, OSError) as e:
            err = getattr(e, "stderr", b"") or b""
            reason = f"cannot create a network namespace: {e} {err.decode(errors='replace')}"
            ns.destroy()
    if reason is not None:
        print(f"SKIP test_access protected-mode tests: {reason}", file=sys.stderr)
        pytest.skip(reason)
    yield ns
    ns.destroy()


def _bind_args(ns: Netns, bind: str):
    return ("--bind", *(["*", "-::*"] if bind == "default" else [ns.host_ip, "127.0.0.1"]))


@pytest.mark.parametrize("bind", ["default", "explicit"])
def test_protected_mode_denies_remote(pair, netns, bind):
    for s in pair("", *_bind_args(netns, bind)):
        got, closed = netns.call(s, cmds(("SET", "k", "v")), 1)
        assert (got, closed) == (DENIED, True), s
        # The refused SET did nothing; loopback clients are served.
        assert replies(s, cmds(("GET", "k"), ("PING",)), 2) == [b"$-1\r\n", b"+PONG\r\n"]
        # Only 127.0.0.1 and ::1 count as local, not the rest of 127/8.
        assert until_closed(s, b"", source="127.0.0.2") == DENIED


def test_protected_mode_served_with_password_or_off(pair, netns):
    payload = cmds(("PING",), ("AUTH", "pw"), ("PING",))
    for s in pair("", *_bind_args(netns, "default"), "--requirepass", "pw"):
        assert netns.call(s, payload, 3) == (NOAUTH + b"+OK\r\n+PONG\r\n", False), s
    for s in pair("", *_bind_args(netns, "default"), "--protected-mode", "no"):
        assert netns.call(s, cmds(("PING",)), 1) == (b"+PONG\r\n", False), s
    # Turned off at run time from the loopback interface, as the DENIED text suggests.
    for s in pair("", *_bind_args(netns, "default")):
        assert netns.call(s, cmds(("PING",)), 1)[1] is True
        assert replies(s, cmds(("CONFIG", "SET", "protected-mode", "no")), 1) == [b"+OK\r\n"]
        assert netns.call(s, cmds(("PING",)), 1) == (b"+PONG\r\n", False), s


def test_local_options_refuse_remote_clients(pair, netns):
    conf = "enable-protected-configs local\nenable-debug-command local\n"
    sut, oracle = pair(conf, *_bind_args(netns, "default"), "--protected-mode", "no")
    payload = cmds(("CONFIG", "SET", "dbfilename", "x.rdb"), ("DEBUG", "SLEEP", "0"))
    for s in (sut, oracle):
        assert netns.call(s, payload, 2) == (PROTECTED_DBFILENAME + DEBUG_DENIED, False), s
        assert until_closed(s, payload + cmds(("QUIT",)), source="127.0.0.2") == (
            PROTECTED_DBFILENAME + DEBUG_DENIED + b"+OK\r\n"
        )
        assert replies(s, payload, 2) == [b"+OK\r\n", b"+OK\r\n"]


# --- requirepass -------------------------------------------------------------

BEFORE_AUTH = [
    ("SET", "k", "v"),
    ("INCR", "n"),
    ("LPUSH", "l", "a"),
    ("FLUSHALL",),
    ("SELECT", "1"),
    ("CONFIG", "SET", "maxmemory", "1"),
    ("CLIENT", "SETNAME", "x"),
    ("MULTI",),
    ("SET", "k", "queued?"),
    ("EXEC",),
    ("SUBSCRIBE", "ch"),
    ("EVAL", "redis.call('set','k','lua') return 1", "0"),
    ("PING",),
    ("ECHO", "hi"),
    ("GET",),  # arity is checked before authentication
    ("NOSUCHCOMMAND", "a"),  # so is the command's existence
    ("DEBUG", "SLEEP", "0"),  # and enable-debug-command
    ("HELLO", "3"),
    ("HELLO", "2", "AUTH", "default", "wrong"),
    ("HELLO", "2", "AUTH", "nosuchuser", "pw"),
    ("AUTH", "wrong"),
    ("AUTH", "default", "wrong"),
    ("AUTH", "a", "b", "c"),
    ("RESET",),
    ("GET", "k"),
]


def test_nothing_runs_before_auth(pair):
    sut, oracle = pair("requirepass pw\n")
    got = both(sut, oracle, cmds(*BEFORE_AUTH), len(BEFORE_AUTH))
    assert got[0] == got[1] == got[3] == got[4] == got[8] == got[-1] == NOAUTH
    assert got[14] == b"-ERR wrong number of arguments for 'get' command\r\n"
    assert got[15].startswith(b"-ERR unknown command 'NOSUCHCOMMAND'")
    assert got[16] == DEBUG_DENIED
    assert got[17].startswith(b"-NOAUTH HELLO must be called with the client already authenticated")
    assert got[18] == got[19] == got[20] == got[21] == WRONGPASS
    assert got[22] == b"-ERR syntax error\r\n"
    assert got[23] == b"+RESET\r\n"
    # Nothing above changed anything, and the client name was not set.
    after = [("AUTH", "pw"), ("DBSIZE",), ("SELECT", "1"), ("DBSIZE",), ("CONFIG", "GET",
             "maxmemory"), ("CLIENT", "GETNAME"), ("EXEC",)]
    got = both(sut, oracle, cmds(*after), len(after))
    assert got[:4] == [b"+OK\r\n", b":0\r\n", b"+OK\r\n", b":0\r\n"]
    assert got[4] == b"*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n"
    assert got[5] == b"$-1\r\n"
    assert got[6] == b"-ERR EXEC without MULTI\r\n"


def test_auth_and_hello_auth(pair):
    sut, oracle = pair("", "--requirepass", "pw")
    steps = [("AUTH", "pw"), ("SET", "k", "v"), ("AUTH", "default", "pw"), ("AUTH", "x"),
             ("GET", "k")]
    got = both(sut, oracle, cmds(*steps), len(steps))
    # A failed AUTH does not log an authenticated client out.
    assert got == [b"+OK\r\n", b"+OK\r\n", b"+OK\r\n", WRONGPASS, b"$1\r\nv\r\n"]
    # HELLO 3 AUTH: the map's server/version/id differ by design, its shape does not.
    hello = cmds(("HELLO", "3", "AUTH", "default", "pw", "SETNAME", "me"), ("CLIENT", "GETNAME"),
                 ("GET", "k"))
    for s in (sut, oracle):
        r = replies(s, hello, 3)
        m = rawresp.parse_one(r[0])
        assert isinstance(m, rawresp.Map)
        assert m[b"proto"] == 3 and m[b"role"] == b"master" and m[b"mode"] == b"standalone"
        assert r[1:] == [b"$2\r\nme\r\n", b"$1\r\nv\r\n"], s
    # QUIT is allowed before AUTH and closes the connection.
    for s in (sut, oracle):
        assert until_closed(s, cmds(("GET", "k"), ("QUIT",), ("GET", "k"))) == NOAUTH + b"+OK\r\n"


def test_requirepass_at_run_time(pair):
    sut, oracle = pair()
    both(sut, oracle, cmds(("AUTH", "pw")), 1)  # no password configured yet: Redis's hint
    assert replies(sut, cmds(("AUTH", "pw")), 1) == [
        b"-ERR AUTH <password> called without any password configured for the default user. "
        b"Are you sure your configuration is correct?\r\n"
    ]
    for s in (sut, oracle):
        keep = rawresp.Conn(s.port, s.host)
        assert keep.call_raw("CONFIG", "SET", "requirepass", "pw") == b"+OK\r\n"
        # A connection made before the password stays usable; new ones must authenticate.
        assert keep.call_raw("SET", "k", "v") == b"+OK\r\n"
        assert replies(s, cmds(("GET", "k"), ("AUTH", "pw"), ("GET", "k")), 3) == [
            NOAUTH, b"+OK\r\n", b"$1\r\nv\r\n"]
        keep.close()


def test_unauthenticated_request_limits(pair):
    sut, oracle = pair("requirepass pw\n")
    for payload in (b"*11\r\n", b"*1\r\n$16385\r\n", b"*10\r\n$16384\r\n"):
        got = until_closed(sut, payload) if payload != b"*10\r\n$16384\r\n" else None
        if got is not None:
            assert got == until_closed(oracle, payload)
            assert got.startswith(b"-ERR Protocol error: unauthenticated")
    # Inside the limits the request is read and refused.
    ok = b"*2\r\n$3\r\nGET\r\n$16384\r\n" + b"x" * 16384 + b"\r\n"
    assert both(sut, oracle, ok, 1) == [NOAUTH]


# --- enable-protected-configs / enable-debug-command ------------------------


def test_protected_configs_and_debug_default(pair, tmp_path):
    sut, oracle = pair()
    steps = [
        ("CONFIG", "SET", "dir", str(tmp_path)),
        ("CONFIG", "SET", "dbfilename", "other.rdb"),
        ("CONFIG", "SET", "maxmemory", "0", "dir", str(tmp_path)),
        ("CONFIG", "GET", "enable-protected-configs"),
        ("CONFIG", "GET", "enable-debug-command"),
        ("CONFIG", "SET", "enable-protected-configs", "yes"),
        ("CONFIG", "SET", "enable-debug-command", "yes"),
        ("DEBUG", "SLEEP", "0"),
        ("MULTI",), ("DEBUG", "SLEEP", "0"), ("EXEC",),
        ("CONFIG", "GET", "dbfilename"),
    ]
    got = both(sut, oracle, cmds(*steps), len(steps))
    assert got[0] == got[2] == PROTECTED_DIR
    assert got[1] == PROTECTED_DBFILENAME
    assert got[3] == b"*2\r\n$24\r\nenable-protected-configs\r\n$2\r\nno\r\n"
    assert got[4] == b"*2\r\n$20\r\nenable-debug-command\r\n$2\r\nno\r\n"
    assert got[5].endswith(b"can't set immutable config\r\n")
    assert got[7] == got[9] == DEBUG_DENIED
    assert got[10].startswith(b"-EXECABORT")
    assert got[11] == b"*2\r\n$10\r\ndbfilename\r\n$8\r\ndump.rdb\r\n"


@pytest.mark.parametrize("mode", ["yes", "local"])
def test_protected_configs_and_debug_enabled(pair, tmp_path, mode):
    sut, oracle = pair(f"enable-protected-configs {mode}\nenable-debug-command {mode}\n")
    for s, sub in ((sut, "a"), (oracle, "b")):
        d = tmp_path / sub
        d.mkdir()
        steps = [("CONFIG", "SET", "dir", str(d)), ("CONFIG", "SET", "dbfilename", "x.rdb"),
                 ("CONFIG", "GET", "dir"), ("CONFIG", "GET", "dbfilename"),
                 ("DEBUG", "SLEEP", "0"), ("CONFIG", "GET", "enable-protected-configs")]
        got = replies(s, cmds(*steps), len(steps))
        assert got[:2] == [b"+OK\r\n", b"+OK\r\n"], s
        assert rawresp.parse_one(got[2]) == [b"dir", str(d).encode()]
        assert rawresp.parse_one(got[3]) == [b"dbfilename", b"x.rdb"]
        assert got[4] == b"+OK\r\n"
        assert rawresp.parse_one(got[5]) == [b"enable-protected-configs", mode.encode()]


# --- rename-command ------------------------------------------------------------

RENAMES = 'rename-command set myset\nrename-command flushall ""\nrename-command CONFIG cfg\n'


def test_rename_command(pair):
    sut, oracle = pair(RENAMES)
    steps = [
        ("SET", "k", "v"),
        ("myset", "k", "v"),
        ("MYSET", "k"),
        ("GET", "k"),
        ("FLUSHALL",),
        ("CONFIG", "GET", "maxmemory"),
        ("CFG", "GET", "maxmemory"),
        ("CFG", "NOSUCH"),
        ("COMMAND", "INFO", "set", "flushall", "config"),
        ("COMMAND", "GETKEYS", "myset", "a", "b"),
        ("EVAL", "return redis.call('set', 'x', 'y')", "0"),
        ("EVAL", "return redis.call('myset', 'x', 'y')", "0"),
        ("MULTI",), ("SET", "a", "b"), ("EXEC",),
        ("DBSIZE",),
    ]
    got = both(sut, oracle, cmds(*steps), len(steps))
    assert got[0] == b"-ERR unknown command 'SET', with args beginning with: 'k' 'v' \r\n"
    assert got[1] == b"+OK\r\n"
    # Errors, stats and COMMAND keep the command's own name.
    assert got[2] == b"-ERR wrong number of arguments for 'set' command\r\n"
    assert got[3] == b"$1\r\nv\r\n"
    assert got[4].startswith(b"-ERR unknown command 'FLUSHALL'")
    assert got[5].startswith(b"-ERR unknown command 'CONFIG'")
    assert got[6] == b"*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n"
    assert got[7] == b"-ERR unknown subcommand 'NOSUCH'. Try CFG HELP.\r\n"
    assert got[8] == b"*3\r\n$-1\r\n$-1\r\n$-1\r\n"
    assert got[9] == b"*1\r\n$1\r\na\r\n"
    assert got[10].startswith(b"-ERR Unknown Redis command called from script")
    assert got[11] == b"+OK\r\n"
    assert got[15] == b":2\r\n"
    # COMMAND INFO under the new name describes the original command.
    for s in (sut, oracle):
        info = rawresp.parse_one(replies(s, cmds(("COMMAND", "INFO", "myset", "cfg")), 1)[0])
        assert [e[0] for e in info] == [b"set", b"config"]
        names = set(rawresp.parse_one(replies(s, cmds(("COMMAND", "LIST"),), 1)[0]))
        assert b"set" in names and b"config" in names
        assert b"flushall" not in names and b"myset" not in names
        stats = replies(s, cmds(("INFO", "commandstats"),), 1)[0]
        assert b"cmdstat_set:calls=" in stats and b"cmdstat_myset" not in stats


def test_rename_command_count(pair, server_binary, oracle_binary_path, tmp_path_factory):
    renamed = pair(RENAMES)
    plain = pair()
    for r, p in zip(renamed, plain):
        n_r = replies(r, cmds(("COMMAND", "COUNT"),), 1)[0]
        n_p = replies(p, cmds(("COMMAND", "COUNT"),), 1)[0]
        # Renamed commands stay, the disabled one is gone.
        assert int(n_p[1:-2]) - int(n_r[1:-2]) == 1, r


@pytest.mark.parametrize(
    "line,reason",
    [
        ("rename-command nosuchcmd foo", "No such command in rename-command"),
        ("rename-command set get", "Target command name already exists"),
        ("rename-command set", "Bad directive or wrong number of arguments"),
    ],
)
def test_rename_command_errors(server_binary, oracle_binary_path, tmp_path, line, reason):
    for binary in (server_binary, oracle_binary_path):
        conf = tmp_path / f"{binary.name}.conf"
        conf.write_text(line + "\n")
        out = subprocess.run([str(binary), str(conf), "--port", "0", "--save", ""],
                             capture_output=True, timeout=20, cwd=tmp_path)
        text = (out.stdout + out.stderr).decode(errors="replace")
        assert out.returncode != 0, (binary, text)
        assert reason in text and line in text, (binary, text)
