"""TTL commands compared exactly where the clock cancels out.

The keys and strings families already send EXPIRE*/TTL, but compare every time-valued reply
with norm "ttl" (only its sign survives), because the two servers' clocks read differently.
This family builds short sequences whose time-valued replies are exactly comparable anyway:

- absolute deadlines (EXPIREAT, PEXPIREAT, SET EXAT/PXAT, GETEX EXAT/PXAT) read back with
  EXPIRETIME / PEXPIRETIME: no clock involved, so the comparison is byte for byte, including
  EXPIRETIME's rounding of a millisecond deadline to the nearest second;
- NX/XX/GT/LT between absolute times, or between a relative time and an absolute one: every
  offset the generator hands out is >= 1000 s and 60 s away from every other (core.py), so
  which one is later never depends on when the command ran;
- TTL in seconds right after a relative TTL was set, inside MULTI/EXEC (or in the same
  pipelined batch): Redis rounds the remaining milliseconds to the nearest second, so a
  relative n s reads back as exactly n while less than 500 ms pass; a relative ms value
  whose last three digits are <= 400 likewise reads back exactly in seconds;
- PTTL / PEXPIRETIME after a relative TTL use norm "near" (harness.py: within a second);
- what carries a TTL along (RENAME, RENAMENX, MOVE, COPY, SET KEEPTTL, INCR, APPEND, SETRANGE,
  LPUSH onto a volatile list) and what drops it (SET, GETSET, PERSIST, GETEX PERSIST, *STORE,
  emptying a collection and re-creating it) read back with PEXPIRETIME;
- OBJECT FREQ / IDLETIME: the policy errors, and under allkeys-lfu with lfu-log-factor 0 and
  lfu-decay-time 0 (every access adds exactly 1, nothing decays) the exact counter of a
  fresh key after a known number of accesses; the configuration is restored afterwards.

Every sequence first puts its keys in a known state (SET or DEL, never mutated), because a
key left by another family may carry a relative TTL whose PEXPIRETIME differs between the
servers.  The commands under test stay mutable: a mutated one fails on both sides and leaves
the known state in place.  Past deadlines only go to commands that delete at once.
"""

from .core import Gen, cmd, family

W = 4.0

_FLAGS = [b"NX", b"XX", b"GT", b"LT"]


def _fixed(*args, **kw):
    return cmd(*args, mutable=False, **kw)


def _abs(g: Gen, unit: str) -> bytes:
    return g.expiry(unit, True)


def _rel_ms_exact(g: Gen) -> bytes:
    """A relative millisecond TTL that TTL reads back as an exact number of seconds."""
    return b"%d" % (g.future_secs() * 1000 + g.rng.randint(0, 400))


def _reset(g: Gen, k: bytes, volatile_ok: bool = True) -> list:
    """Puts `k` in a known state: missing, persistent, or with an absolute deadline."""
    r = g.rng.random()
    if r < 0.2:
        return [_fixed("DEL", k)]
    if r < 0.55 or not volatile_ok:
        return [_fixed("SET", k, g.value())]
    if r < 0.8:
        return [_fixed("SET", k, g.value(), "PXAT", _abs(g, "ms"))]
    return [_fixed("SET", k, g.value(), "EXAT", _abs(g, "s"))]


def _readback(k: bytes) -> list:
    return [_fixed("PEXPIRETIME", k), _fixed("EXPIRETIME", k)]


def _other(g: Gen, k: bytes) -> bytes:
    for _ in range(10):
        o = g.key()
        if o != k:
            return o
    return k + b"-other"


_EXTREME_ABSOLUTE = {
    "s": [b"9223372036854775", b"9223372036854774", b"9223372036854775806"],
    "ms": [b"9223372036854775807", b"9223372036854775806", b"9223372036854775000",
           b"9223372036854775499", b"9223372036854775500"],
}


@family("expire", W)
def gen_absolute_setters(g: Gen):
    """Absolute deadlines, read back exactly."""
    k = g.key()
    unit = g.pick(["s", "ms"])
    r = g.rng.random()
    if r < 0.12:
        t = g.pick(_EXTREME_ABSOLUTE[unit])
    elif r < 0.3:
        # Milliseconds right on EXPIRETIME's rounding boundary.
        unit = "ms"
        t = b"%d" % (int(_abs(g, "ms")) // 1000 * 1000 + g.pick([0, 1, 499, 500, 501, 999]))
    else:
        t = _abs(g, unit)
    r = g.rng.random()
    if r < 0.35:
        opts = [b"EXAT" if unit == "s" else b"PXAT", t]
        if g.chance(0.3):
            opts.append(b"GET")
        if g.chance(0.2):
            opts.append(g.pick([b"NX", b"XX"]))
        if g.chance(0.05):
            opts.append(g.pick([b"KEEPTTL", b"EX", b"PX", b"PERSIST"]))  # syntax errors
        subject = cmd("SET", k, g.value(), *opts)
    elif r < 0.55:
        subject = cmd("GETEX", k, b"EXAT" if unit == "s" else b"PXAT", t)
    else:
        subject = cmd(b"EXPIREAT" if unit == "s" else b"PEXPIREAT", k, t)
    return [*_reset(g, k), subject, *_readback(k), _fixed("TTL", k, norm="ttl")]


@family("expire", W)
def gen_flags_absolute(g: Gen):
    """NX/XX/GT/LT between absolute deadlines (and against no deadline)."""
    k = g.key()
    out = _reset(g, k)
    for _ in range(g.rng.randint(1, 3)):
        name = g.pick([b"EXPIREAT", b"PEXPIREAT"])
        unit = "ms" if name == b"PEXPIREAT" else "s"
        flags = [g.pick(_FLAGS)] if g.chance(0.85) else []
        if g.chance(0.08):
            flags.append(g.pick(_FLAGS + [b"BOGUS"]))
        out.append(cmd(name, k, _abs(g, unit), *flags))
    return out + _readback(k)


@family("expire", W)
def gen_flags_relative(g: Gen):
    """Relative EXPIRE/PEXPIRE with flags against absolute deadlines or none: the 0/1 reply
    is exact, the resulting times near (whichever deadline won may be the relative one)."""
    k = g.key()
    name = g.pick([b"EXPIRE", b"PEXPIRE"])
    t = b"%d" % g.future_secs() if name == b"EXPIRE" else _rel_ms_exact(g)
    flags = [g.pick(_FLAGS)] if g.chance(0.8) else []
    return [*_reset(g, k), cmd(name, k, t, *flags), _fixed("PTTL", k, norm="near"),
            _fixed("PEXPIRETIME", k, norm="near")]


@family("expire", W)
def gen_relative_ttl_exact(g: Gen):
    """A relative TTL set and read back as TTL seconds in one transaction, or adjacent in
    one pipelined batch."""
    k = g.key()
    r = g.rng.random()
    secs = g.future_secs()
    if r < 0.2:
        setter = cmd("SET", k, g.value(), "EX", secs)
    elif r < 0.35:
        setter = cmd("SET", k, g.value(), "PX", _rel_ms_exact(g))
    elif r < 0.5:
        setter = cmd("SETEX", k, secs, g.value())
    elif r < 0.6:
        setter = cmd("PSETEX", k, _rel_ms_exact(g), g.value())
    elif r < 0.75:
        setter = cmd("GETEX", k, "EX", secs)
    elif r < 0.85:
        setter = cmd("EXPIRE", k, secs)
    else:
        # Huge but valid: the absolute deadline still fits in a signed 64-bit ms count.
        if g.chance(0.5):
            setter = cmd("EXPIRE", k, g.huge_valid_expiry("s"))
        else:
            setter = cmd("PEXPIRE", k, g.huge_valid_expiry("ms"))
    # The key starts missing or persistent: whether the setter applies or not (GETEX and
    # EXPIRE on a missing key, a mutated setter), TTL's answer is exact.  PTTL is only
    # near, so it stays out of the EXEC array, which is compared exactly.
    reset = _reset(g, k, volatile_ok=False)
    pttl = [_fixed("PTTL", k, norm="near")] if g.chance(0.5) else []
    if g.chance(0.5):
        return [*reset, _fixed("MULTI"), setter, _fixed("TTL", k), _fixed("EXEC"), *pttl]
    return [*reset, setter, _fixed("TTL", k), *pttl]


@family("expire", W)
def gen_invalid_times(g: Gen):
    """Out-of-range and malformed times leave the key as it was."""
    k = g.key()
    name = g.pick([b"EXPIRE", b"PEXPIRE", b"EXPIREAT", b"PEXPIREAT", b"SET", b"GETEX",
                   b"SETEX", b"PSETEX"])
    bad = g.pick([b"9223372036854775807", b"9223372036854775", b"9223372036854776",
                  b"-9223372036854775808", b"-9223372036854775", b"9223372036854775808",
                  b"92233720368547758", b"abc", b"1.5", b"", b" 1", b"0x10"])
    if name == b"SET":
        subject = cmd("SET", k, "v", g.pick([b"EX", b"PX", b"EXAT", b"PXAT"]),
                      g.pick([bad, b"0", b"-1"]))
    elif name == b"GETEX":
        subject = cmd("GETEX", k, g.pick([b"EX", b"PX", b"EXAT", b"PXAT"]),
                      g.pick([bad, b"0", b"-1"]))
    elif name in (b"SETEX", b"PSETEX"):
        subject = cmd(name, k, g.pick([bad, b"0", b"-1"]), "v")
    else:
        subject = cmd(name, k, bad)
    # A past deadline or non-positive relative time deletes the key (-2 afterwards) on both
    # sides; anything unparsable or overflowing is an error that changes nothing; a huge
    # relative time that still fits (PEXPIRE 9223372036854775) is a valid deadline: near.
    return [*_reset(g, k), subject, _fixed("PEXPIRETIME", k, norm="near"),
            _fixed("EXPIRETIME", k, norm="near")]


@family("expire", W)
def gen_delete_now(g: Gen):
    """Times already past delete at once (reply 1 only when the key existed)."""
    k = g.key()
    name = g.pick([b"EXPIRE", b"PEXPIRE", b"EXPIREAT", b"PEXPIREAT", b"GETEX"])
    if name == b"GETEX":
        subject = cmd("GETEX", k, g.pick([b"EXAT", b"PXAT"]), g.pick([b"1", b"1000"]))
    elif name.endswith(b"AT"):
        subject = cmd(name, k, g.pick([b"0", b"1", b"1000", b"-5"]),
                      *([g.pick(_FLAGS)] if g.chance(0.3) else []))
    else:
        subject = cmd(name, k, g.pick([b"0", b"-1", b"-100"]),
                      *([g.pick(_FLAGS)] if g.chance(0.3) else []))
    return [*_reset(g, k), subject, _fixed("EXISTS", k), *_readback(k)]


@family("expire", W)
def gen_persist(g: Gen):
    k = g.key()
    subject = g.pick([lambda: cmd("PERSIST", k), lambda: cmd("GETEX", k, "PERSIST")])()
    again = subject if g.chance(0.3) else _fixed("TTL", k, norm="ttl")
    return [*_reset(g, k), subject, again, *_readback(k)]


@family("expire", W)
def gen_ttl_carried(g: Gen):
    """Commands that keep, move or drop a key's deadline, read back exactly."""
    k = g.key()
    o = _other(g, k)
    out = [*_reset(g, o), _fixed("SET", k, g.value(), "PXAT", _abs(g, "ms"))]
    r = g.rng.random()
    if r < 0.12:
        out.append(cmd(g.pick([b"RENAME", b"RENAMENX"]), k, o))
    elif r < 0.2:
        out.append(cmd("COPY", k, o, *([b"REPLACE"] if g.chance(0.6) else [])))
    elif r < 0.3:
        out.append(cmd("SET", k, g.value(), *([b"KEEPTTL"] if g.chance(0.6) else []),
                       *([b"GET"] if g.chance(0.3) else [])))
    elif r < 0.36:
        out.append(cmd("GETSET", k, g.value()))
    elif r < 0.46:
        out[-1] = _fixed("SET", k, g.pick([b"10", b"-3", b"abc"]), "PXAT", _abs(g, "ms"))
        out.append(g.pick([
            lambda: cmd("INCR", k),
            lambda: cmd("DECRBY", k, g.rng.randint(-5, 5)),
            lambda: cmd("INCRBYFLOAT", k, "1.5"),
            lambda: cmd("APPEND", k, g.word()),
            lambda: cmd("SETRANGE", k, g.rng.randint(0, 8), g.word()),
            lambda: cmd("SETBIT", k, g.rng.randint(0, 40), 1),
        ])())
    elif r < 0.56:
        # A list or set given a deadline, grown (keeps it), emptied (the key goes) and
        # re-created (no deadline).
        out[-1] = _fixed("DEL", k)
        kind = g.pick(["list", "set", "hash"])
        add = {"list": ("RPUSH", k, "a"), "set": ("SADD", k, "a"), "hash": ("HSET", k, "f",
                                                                             "v")}[kind]
        rm = {"list": ("LPOP", k), "set": ("SREM", k, "a"), "hash": ("HDEL", k, "f")}[kind]
        out += [_fixed(*add), _fixed("PEXPIREAT", k, _abs(g, "ms")), cmd(*add)]
        out += _readback(k)
        out += [cmd(*rm)]
        out += _readback(k)
        out += [cmd(*add)]
    elif r < 0.66:
        # *STORE into a volatile destination replaces the key: no deadline (or no key).
        src = o
        out = [_fixed("DEL", src), _fixed("SADD", src, "a", "b") if g.chance(0.7)
               else _fixed("DEL", src), _fixed("SET", k, g.value(), "PXAT", _abs(g, "ms"))]
        out.append(cmd(g.pick([b"SUNIONSTORE", b"SINTERSTORE", b"SDIFFSTORE"]), k, src))
        out += _readback(src)
    elif r < 0.74:
        out.append(cmd("PERSIST", k))
    elif r < 0.82:
        out.append(cmd("GETDEL", k))
    else:
        out.append(cmd("COPY", k, o, "REPLACE"))
        out.append(cmd("PEXPIREAT", o, _abs(g, "ms"), g.pick(_FLAGS)))
    return out + _readback(k) + _readback(o)


@family("expire", W, share=0.6)
def gen_ttl_other_db(g: Gen):
    """MOVE, COPY ... DB and SWAPDB carry the deadline into another db."""
    k = g.key()
    db = g.pick([1, 2, 9, 15])
    setup = [_fixed("SELECT", db), *_reset(g, k), _fixed("SELECT", 0),
             _fixed("SET", k, g.value(), "PXAT", _abs(g, "ms"))]
    r = g.rng.random()
    if r < 0.45:
        subject = [cmd("MOVE", k, db)]
    elif r < 0.85:
        subject = [cmd("COPY", k, k, "DB", db, *([b"REPLACE"] if g.chance(0.6) else []))]
    else:
        subject = [_fixed("SWAPDB", 0, db)]
    return [*setup, *subject, *_readback(k), _fixed("SELECT", db), *_readback(k),
            _fixed("SELECT", 0)]


@family("expire", W, share=0.5)
def gen_object_policy(g: Gen):
    """OBJECT FREQ / IDLETIME: their policy errors, and exact LFU counting on a fresh key
    (lfu-log-factor 0: every access increments; lfu-decay-time 0: no decay)."""
    k = g.key()
    if g.chance(0.4):
        # Default policy (noeviction): FREQ is an error, IDLETIME a number or nil.
        return [*_reset(g, k), cmd("OBJECT", "FREQ", k),
                cmd("OBJECT", "IDLETIME", k, norm="ttl")]
    # Each command looks the key up once: +1 (an error after the lookup still counts: INCR
    # of "v"; an in-place write does not count again), and an overwrite (SET) keeps the old
    # object's counter under an LFU policy.
    kind = g.pick(["string", "string", "list", "set", "hash"])
    create, choices = {
        "string": (("SET", k, "v"), [
            ("GET", k), ("TOUCH", k), ("GETRANGE", k, 0, 1), ("STRLEN", k), ("APPEND", k, "x"),
            ("SETRANGE", k, 0, "w"), ("INCR", k), ("SET", k, "w"), ("SET", k, "w", "GET"),
            ("GETEX", k), ("GETSET", k, "v"), ("SET", k, "w", "KEEPTTL")]),
        "list": (("RPUSH", k, "a", "b"), [
            ("RPUSH", k, "c"), ("LLEN", k), ("LRANGE", k, 0, -1), ("LINDEX", k, 0),
            ("LSET", k, 0, "z"), ("LPOS", k, "b")]),
        "set": (("SADD", k, "a", "b"), [
            ("SADD", k, "c"), ("SCARD", k), ("SISMEMBER", k, "a"), ("SREM", k, "zz"),
            ("SMISMEMBER", k, "a", "q")]),
        "hash": (("HSET", k, "f", "v", "g", "w"), [
            ("HSET", k, "h", "x"), ("HGET", k, "f"), ("HLEN", k), ("HINCRBY", k, "n", 1),
            ("HEXISTS", k, "f"), ("HDEL", k, "zz")]),
    }[kind]
    access = [g.pick(choices) for _ in range(g.rng.randint(0, 6))]
    # These look the key up without touching it: the count must not move.
    notouch = [g.pick([("EXISTS", k), ("TYPE", k), ("TTL", k), ("OBJECT", "ENCODING", k),
                       ("PTTL", k), ("OBJECT", "FREQ", k)]) for _ in range(g.rng.randint(0, 2))]
    policy = g.pick([b"allkeys-lfu", b"volatile-lfu"])
    return [_fixed("CONFIG", "SET", "maxmemory-policy", policy),
            _fixed("CONFIG", "SET", "lfu-log-factor", 0),
            _fixed("CONFIG", "SET", "lfu-decay-time", 0),
            _fixed("DEL", k), _fixed(*create),
            cmd("OBJECT", "FREQ", k),
            *[_fixed(*a) for a in access + notouch],
            cmd("OBJECT", "FREQ", k),
            cmd("OBJECT", "IDLETIME", k),
            _fixed("OBJECT", "FREQ", "missing-key"),
            _fixed("CONFIG", "SET", "maxmemory-policy", "noeviction"),
            _fixed("CONFIG", "SET", "lfu-log-factor", 10),
            _fixed("CONFIG", "SET", "lfu-decay-time", 1),
            cmd("OBJECT", "FREQ", k)]
