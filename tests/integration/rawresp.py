"""Raw RESP over a plain socket, for tests that must see the exact bytes.

redis-py hides the wire format (it decodes replies, retries and hides how a
connection ended), so the protocol tests and the differential harness talk to
the server through this module instead.  It knows RESP2 and RESP3 replies:
`read_raw()` returns the exact bytes of one complete reply and `parse()` turns
such bytes into Python values (RESP3 types become small tagged classes so a
test can tell a map from an array or a verbatim string from a bulk string).
"""

from __future__ import annotations

import socket
import time


def encode(*args) -> bytes:
    """Encodes one command as a RESP multibulk request."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, int):
            a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Error(Exception):
    """An error reply (`-...`); str() is the message without the dash."""

    def __init__(self, message: bytes):
        super().__init__(message.decode(errors="replace"))
        self.message = message


class Map(dict):
    """RESP3 map (`%`) as a dict; kept distinct from attribute replies."""


class Set(list):
    """RESP3 set (`~`), kept in wire order."""


class Push(list):
    """RESP3 push (`>`)."""


class Verbatim(bytes):
    """RESP3 verbatim string (`=`); `.format` is the three-letter type."""

    format: bytes = b""


class Double(float):
    """RESP3 double (`,`)."""


class BigNumber(int):
    """RESP3 big number (`(`)."""


class Null:
    """RESP3 null (`_`)."""

    def __eq__(self, other):
        return isinstance(other, Null)

    def __hash__(self):
        return 0

    def __repr__(self):
        return "Null()"


class Incomplete(Exception):
    """The buffer does not yet hold a whole reply."""


def _line(buf: bytes, pos: int) -> tuple[bytes, int]:
    end = buf.find(b"\r\n", pos)
    if end < 0:
        raise Incomplete()
    return buf[pos:end], end + 2


def reply_end(buf: bytes, pos: int = 0) -> int:
    """Returns the offset just past the reply starting at `pos`."""
    if pos >= len(buf):
        raise Incomplete()
    kind = buf[pos : pos + 1]
    line, nxt = _line(buf, pos + 1)
    if kind in (b"+", b"-", b":", b",", b"(", b"_", b"#"):
        return nxt
    if kind in (b"$", b"=", b"!"):
        n = int(line)
        if n < 0:
            return nxt
        if len(buf) < nxt + n + 2:
            raise Incomplete()
        return nxt + n + 2
    if kind in (b"*", b"~", b">", b"%", b"|"):
        n = int(line)
        if n < 0:
            return nxt
        if kind in (b"%", b"|"):
            n *= 2
        for _ in range(n):
            nxt = reply_end(buf, nxt)
        if kind == b"|":  # an attribute is followed by the real reply
            nxt = reply_end(buf, nxt)
        return nxt
    raise ValueError(f"bad RESP type byte {kind!r} at {pos} in {buf[pos:pos + 40]!r}")


def parse(buf: bytes, pos: int = 0):
    """Parses one reply; returns (value, next_pos).  Errors become Error values."""
    kind = buf[pos : pos + 1]
    line, nxt = _line(buf, pos + 1)
    if kind == b"+":
        return line, nxt
    if kind == b"-":
        return Error(line), nxt
    if kind == b":":
        return int(line), nxt
    if kind == b",":
        return Double(float(line)), nxt
    if kind == b"(":
        return BigNumber(int(line)), nxt
    if kind == b"_":
        return Null(), nxt
    if kind == b"#":
        return line == b"t", nxt
    if kind in (b"$", b"=", b"!"):
        n = int(line)
        if n < 0:
            return None, nxt
        data = buf[nxt : nxt + n]
        if kind == b"=":
            v = Verbatim(data[4:])
            v.format = data[:3]
            return v, nxt + n + 2
        if kind == b"!":
            return Error(data), nxt + n + 2
        return data, nxt + n + 2
    if kind in (b"*", b"~", b">"):
        n = int(line)
        if n < 0:
            return None, nxt
        items = []
        for _ in range(n):
            v, nxt = parse(buf, nxt)
            items.append(v)
        if kind == b"~":
            return Set(items), nxt
        if kind == b">":
            return Push(items), nxt
        return items, nxt
    if kind in (b"%", b"|"):
        n = int(line)
        m = Map()
        for _ in range(n):
            k, nxt = parse(buf, nxt)
            v, nxt = parse(buf, nxt)
            m[k if not isinstance(k, list) else tuple(k)] = v
        if kind == b"|":
            return parse(buf, nxt)
        return m, nxt
    raise ValueError(f"bad RESP type byte {kind!r}")


def parse_one(raw: bytes):
    value, end = parse(raw)
    assert end == len(raw), f"trailing bytes after reply: {raw[end:]!r}"
    return value


class Conn:
    """A blocking socket with a reply-framing buffer."""

    def __init__(self, port: int, host: str = "127.0.0.1", timeout: float = 10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.timeout = timeout

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, data: bytes):
        self.sock.sendall(data)

    def send_command(self, *args):
        self.sock.sendall(encode(*args))

    def _fill(self, deadline: float):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"no complete reply; buffered {self.buf[:200]!r}")
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(1 << 20)
        except socket.timeout:
            raise TimeoutError(f"no complete reply; buffered {self.buf[:200]!r}") from None
        if not data:
            raise ConnectionError(f"connection closed; buffered {self.buf[:200]!r}")
        self.buf += data

    def read_raw(self, timeout: float | None = None) -> bytes:
        """Returns the exact bytes of the next complete reply."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            try:
                end = reply_end(self.buf)
                raw, self.buf = self.buf[:end], self.buf[end:]
                return raw
            except Incomplete:
                self._fill(deadline)

    def read(self, timeout: float | None = None):
        return parse_one(self.read_raw(timeout))

    def call_raw(self, *args) -> bytes:
        self.send_command(*args)
        return self.read_raw()

    def call(self, *args):
        self.send_command(*args)
        return self.read()

    def read_until_closed(self, timeout: float = 5.0) -> bytes:
        """Reads everything until the peer closes; raises TimeoutError if it stays open."""
        deadline = time.monotonic() + timeout
        out, self.buf = self.buf, b""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"connection still open; got {out[:300]!r}")
            self.sock.settimeout(remaining)
            try:
                data = self.sock.recv(1 << 20)
            except socket.timeout:
                continue
            except ConnectionResetError:
                return out
            if not data:
                return out
            out += data


def run_script(srv, steps, timeout: float = 10.0) -> list[bytes]:
    """Runs (connection index, *command) steps on fresh connections to `srv` (a
    serverproc.Server); each step yields the exact bytes of one reply, in order.

    ("<read>",) only reads; ("<noreply>", *command) only sends and yields b"".
    """
    conns: dict[int, Conn] = {}
    out = []
    try:
        for idx, *cmd in steps:
            c = conns.get(idx) or conns.setdefault(idx, srv.raw(timeout))
            if cmd[0] == "<noreply>":
                c.send_command(*cmd[1:])
                out.append(b"")
                continue
            if cmd != ["<read>"]:
                c.send_command(*cmd)
            out.append(c.read_raw())
    finally:
        for c in conns.values():
            c.close()
    return out
