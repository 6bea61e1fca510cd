"""Runs one command sequence against two servers and compares the replies.

Commands go out in pipelined batches over raw sockets; each reply is taken
as exact bytes, normalised only where the generator marked it (`norm`), and
compared.  A `scan` command is expanded into a full SCAN loop on each side
and compared as the sorted set of keys returned.

With `events`, each side also has a connection PSUBSCRIBEd to every keyspace
and keyevent channel (notify-keyspace-events set on both servers): commands
then go one at a time, and after each one the events it published are
collected on both sides (a PING on the subscriber marks the end) and compared
as an ordered list, so a wrong, missing or extra event names its command.
"""

from __future__ import annotations

import rawresp

from .core import Cmd

BATCH = 64
MAX_SCAN_CALLS = 100_000


class Mismatch(AssertionError):
    pass


def _bulk(x) -> bytes:
    """Re-encodes a parsed reply element in one canonical form for comparison."""
    if x is None or isinstance(x, rawresp.Null):
        return b"$-1\r\n"
    if isinstance(x, list):
        return b"*%d\r\n" % len(x) + b"".join(_bulk(y) for y in x)
    if isinstance(x, int):
        return b":%d\r\n" % x
    return b"$%d\r\n%s\r\n" % (len(x), x)


def _is_array(raw: bytes) -> bool:
    return raw.startswith(b"*") and not raw.startswith(b"*-")


def _is_array_or_set(raw: bytes) -> bool:
    # RESP3 answers SMEMBERS, SPOP with a count... with a set ("~"); its type byte is kept.
    return _is_array(raw) or raw.startswith(b"~")


def normalise(c: Cmd, raw: bytes) -> bytes:
    if c.norm == "xtimes":
        # Stream replies holding idle / seen / delivery times from each server's clock.
        from .streams import blank_times
        return blank_times(raw)
    if c.norm == "len":
        if _is_array_or_set(raw):
            return raw[:1] + b"%d <contents are random>" % len(rawresp.parse_one(raw))
        return raw
    if c.norm == "pairs" and raw.startswith(b"%"):
        # RESP3 HGETALL: a map; its type byte is kept, its pairs sorted.
        pairs = sorted(rawresp.parse_one(raw).items())
        return b"%%%d\r\n" % len(pairs) + b"".join(_bulk(k) + _bulk(v) for k, v in pairs)
    if c.norm == "pairs" and _is_array(raw):
        items = rawresp.parse_one(raw)
        pairs = sorted(zip(items[0::2], items[1::2]))
        return _bulk([x for p in pairs for x in p])
    if c.norm == "sortnested" and _is_array(raw):
        items = rawresp.parse_one(raw)
        return _bulk(sorted(items, key=repr))
    if c.norm == "near" and _is_array(raw):
        # Only the --self-events path gets here (Runner compares "near" with same()): keep
        # the shape, drop the times.
        return _bulk([b"<non-negative>" if isinstance(x, int) and x >= 0 else x
                      for x in rawresp.parse_one(raw)])
    if c.norm in ("ttl", "near"):
        # Clocks differ: keep only whether a TTL exists (-1), the key is
        # missing (-2) or a time is set (any value >= 0).
        if raw.startswith(b":") and not raw.startswith(b":-"):
            return b":<non-negative>\r\n"
        return raw
    if c.norm == "sort":
        # Hash-table order differs between servers with different seeds.
        if _is_array_or_set(raw):
            items = rawresp.parse_one(raw)
            # Nil elements (SORT ... GET of a missing key) sort first.
            items = sorted(items, key=lambda x: (isinstance(x, bytes), x if isinstance(x, bytes)
                                                 else b""))
            return raw[:1] + b"%d\r\n" % len(items) + b"".join(_bulk(x) for x in items)
        return raw
    return raw


# Tolerance of norm "near", in the reply's unit (milliseconds: PTTL / PEXPIRETIME of a key
# given a relative TTL).  The two servers run each pipelined batch within a few ms of each
# other, so a full second only absorbs scheduling noise; a unit or rounding bug is far larger.
NEAR_TOLERANCE = 1000


def _near(x, y) -> bool:
    if isinstance(x, list) and isinstance(y, list):
        return len(x) == len(y) and all(_near(a, b) for a, b in zip(x, y))
    if isinstance(x, int) and isinstance(y, int) and x >= 0 and y >= 0:
        return abs(x - y) <= NEAR_TOLERANCE
    return x == y


def same(c: Cmd, ra: bytes, rb: bytes) -> bool:
    """Whether two replies agree: equal after `normalise`, or for norm "near" (a reply that
    holds absolute or relative times of a key given a relative TTL: the servers' clocks read
    a few ms apart) with non-negative integers, also inside an EXEC array, within
    NEAR_TOLERANCE of each other and everything else identical, type bytes included."""
    if c.norm == "near" and ra != rb:
        if ra[:1] != rb[:1] or ra.startswith(b"-"):
            return False
        try:
            return _near(rawresp.parse_one(ra), rawresp.parse_one(rb))
        except (ValueError, AssertionError):
            return False
    return normalise(c, ra) == normalise(c, rb)


def full_scan(conn: rawresp.Conn, c: Cmd) -> bytes:
    """Runs a SCAN (kind "scan") or HSCAN/SSCAN/ZSCAN (kind "kscan") loop to the
    end and returns the set of what it saw; pairs stay pairs with norm "pairs"."""
    cursor = b"0"
    keys = set()
    head = c.args[:1] if c.kind == "scan" else c.args[:2]
    tail = c.args[len(head) + 1:]
    for _ in range(MAX_SCAN_CALLS):
        conn.send(rawresp.encode(*head, cursor, *tail))
        raw = conn.read_raw()
        if raw.startswith(b"-"):
            return raw
        cursor, batch = rawresp.parse_one(raw)
        if c.norm == "pairs":
            batch = list(zip(batch[0::2], batch[1::2]))
        keys.update(batch)
        if cursor == b"0":
            return b"SCAN keys: " + repr(sorted(keys)).encode()
    return b"SCAN did not finish"


def _signature(c: Cmd, ra: bytes, rb: bytes) -> tuple:
    """What makes two mismatches alike: the command (any unknown command
    counts as one), and each reply's type or its error text up to the first
    quote."""

    def shape(raw: bytes) -> bytes:
        return raw.split(b"'")[0][:40] if raw.startswith(b"-") else raw[:1]

    unknown = ra.startswith(b"-ERR unknown command") or rb.startswith(b"-ERR unknown command")
    return (b"<unknown>" if unknown else c.args[0].upper(), shape(ra), shape(rb))


def _short(raw: bytes, n: int = 400) -> str:
    s = repr(raw[:n])
    return s + (f"... ({len(raw)} bytes)" if len(raw) > n else "")


class Runner:
    """Sends `cmds` to both connections and compares every reply.

    After a mismatch the run goes on (each command still has exactly one
    reply on each side), so one report shows several independent
    differences; it stops after `max_mismatches` because by then the two
    keyspaces may have drifted apart and later differences may only be echoes.
    Mismatches that look alike (same command name, same first reply bytes on
    each side) are reported once and counted.
    """

    def __init__(self, a: rawresp.Conn, b: rawresp.Conn, names=("baozi", "redis"), label="",
                 max_mismatches: int = 5, events=None, self_events: bool = False):
        self.a, self.b = a, b
        self.events = events
        # The command connections themselves subscribed (RESP3): each reply is compared with
        # the push frames around it, so the order of a reply and its own events counts.
        self.self_events = self_events
        self.names = names
        self.label = label
        self.max_mismatches = max_mismatches
        self.history: list[tuple[int, Cmd, bytes]] = []
        self.mismatches: list[str] = []
        self.alike: dict[tuple, list] = {}

    def _record(self, index: int, c: Cmd, ra: bytes, rb: bytes, note: str = ""):
        signature = _signature(c, ra, rb)
        if signature in self.alike:
            self.alike[signature][1] += 1
            return
        self.alike[signature] = [len(self.mismatches), 0]
        lines = [f"mismatch {len(self.mismatches) + 1} at command #{index}{note}",
                 f"  command: {c!r}",
                 f"  {self.names[0]:>6}: {_short(ra)}",
                 f"  {self.names[1]:>6}: {_short(rb)}"]
        if not self.mismatches:
            lines.append(f"  preceding commands (newest last) with the {self.names[1]} reply:")
            for i, hc, hr in self.history[-15:]:
                lines.append(f"    #{i}: {hc!r}  ->  {_short(hr, 120)}")
        self.mismatches.append("\n".join(lines))
        if len(self.mismatches) >= self.max_mismatches:
            self._raise(index)

    def _raise(self, last_index: int):
        for slot, more in self.alike.values():
            if more:
                self.mismatches[slot] += f"\n  (+{more} more like this)"
        self.alike.clear()
        head = (f"{self.label}: {len(self.mismatches)} mismatching repl"
                f"{'y' if len(self.mismatches) == 1 else 'ies'} "
                f"(stopped after command #{last_index})")
        raise Mismatch("\n".join([head, *self.mismatches]))

    def _read(self, conn: rawresp.Conn, name: str, index: int, c: Cmd) -> bytes:
        try:
            return conn.read_raw()
        except (ConnectionError, TimeoutError, OSError) as e:
            self.mismatches.append(f"{name} gave no reply to command #{index} {c!r}: {e}")
            self._raise(index)

    def _drain_events(self, conn: rawresp.Conn, name: str, index: int, c: Cmd) -> list:
        """The (channel, message) pairs published since the last call, in order."""
        conn.send(rawresp.encode(b"PING", b"diffgen-sync"))
        out = []
        while True:
            frame = rawresp.parse_one(self._read(conn, name, index, c))
            if frame[0] == b"pong":
                return out
            if frame[0] == b"pmessage":
                out.append((frame[2], frame[3]))

    def _self_frames(self, conn: rawresp.Conn, name: str, index: int, c: Cmd) -> list:
        conn.send(rawresp.encode(*c.args) + rawresp.encode(b"PING", b"diffgen-sync"))
        frames = []
        while True:
            raw = self._read(conn, name, index, c)
            if raw == b"$12\r\ndiffgen-sync\r\n":
                break
            frames.append(("push", raw) if raw.startswith(b">") else ("reply", normalise(c, raw)))
        return sorted(frames) if c.norm else frames

    def _scan(self, conn: rawresp.Conn, name: str, index: int, c: Cmd) -> bytes:
        try:
            return full_scan(conn, c)
        except (ConnectionError, TimeoutError, OSError, ValueError) as e:
            self.mismatches.append(f"{name} failed the full SCAN at command #{index} {c!r}: {e}")
            self._raise(index)

    def run(self, cmds: list[Cmd], start_index: int = 0):
        i = 0
        while i < len(cmds):
            if cmds[i].kind in ("scan", "kscan"):
                c = cmds[i]
                ra = self._scan(self.a, self.names[0], start_index + i, c)
                rb = self._scan(self.b, self.names[1], start_index + i, c)
                if ra != rb:
                    self._record(start_index + i, c, ra, rb, " (full SCAN key sets)")
                self.history.append((start_index + i, c, rb))
                i += 1
                continue
            j = i
            batch = 1 if self.events or self.self_events else BATCH
            while j < len(cmds) and j - i < batch and cmds[j].kind == "plain":
                j += 1
            if self.self_events:
                c = cmds[i]
                fa = self._self_frames(self.a, self.names[0], start_index + i, c)
                fb = self._self_frames(self.b, self.names[1], start_index + i, c)
                if fa != fb:
                    self._record(start_index + i, c, repr(fa).encode(), repr(fb).encode(),
                                 " (reply and own pushes)")
                self.history.append((start_index + i, c, repr(fb).encode()))
                i += 1
                continue
            payload = b"".join(rawresp.encode(*c.args) for c in cmds[i:j])
            self.a.send(payload)
            self.b.send(payload)
            for k in range(i, j):
                c = cmds[k]
                ra = self._read(self.a, self.names[0], start_index + k, c)
                rb = self._read(self.b, self.names[1], start_index + k, c)
                if not same(c, ra, rb):
                    self._record(start_index + k, c, ra, rb)
                if self.events:
                    ea = self._drain_events(self.events[0], self.names[0], start_index + k, c)
                    eb = self._drain_events(self.events[1], self.names[1], start_index + k, c)
                    if c.norm or c.args[0].upper() in (b"SORT", b"SORT_RO"):
                        # A reply in hash-table order (SPOP...) means the lookups behind it ran
                        # in that order too, and SORT loads a set or a big sorted set in its
                        # table's order before sorting (its BY/GET lookups raise keymiss events
                        # in that order): compare as multisets.
                        ea, eb = sorted(ea), sorted(eb)
                    if ea != eb:
                        self._record(start_index + k, c, repr(ea).encode(), repr(eb).encode(),
                                     " (keyspace events)")
                self.history.append((start_index + k, c, rb))
            i = j
        if self.mismatches:
            self._raise(start_index + len(cmds) - 1)


def subscribe_events(*servers, classes="KEA"):
    """Turns keyspace notifications on and returns one subscriber per server."""
    subs = []
    for srv in servers:
        with srv.raw(timeout=5) as c:
            assert c.call_raw("CONFIG", "SET", "notify-keyspace-events", classes) == b"+OK\r\n"
        sub = srv.raw(timeout=5)
        sub.call_raw("PSUBSCRIBE", "__key*__:*")
        subs.append(sub)
    return tuple(subs)
