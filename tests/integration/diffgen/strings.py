"""String commands: SET and its options, the GET variants, MSET/MGET, ranges,
counters and INCRBYFLOAT formatting, LCS."""

from .core import COUNTER_KEYS, Gen, cmd, family

W = 4.0


def _set_options(g: Gen) -> list[bytes]:
    opts: list[bytes] = []
    for _ in range(g.rng.choice([0, 0, 1, 1, 1, 2, 2, 3])):
        r = g.rng.random()
        if r < 0.12:
            opts.append(b"NX")
        elif r < 0.24:
            opts.append(b"XX")
        elif r < 0.38:
            opts.append(b"GET")
        elif r < 0.46:
            opts.append(b"KEEPTTL")
        else:
            name = g.pick([b"EX", b"PX", b"EXAT", b"PXAT"])
            unit = "s" if name in (b"EX", b"EXAT") else "ms"
            absolute = name in (b"EXAT", b"PXAT")
            x = g.rng.random()
            if x < 0.75:
                val = g.expiry(unit, absolute)
            elif x < 0.85 and not absolute:
                val = g.huge_valid_expiry(unit)
            else:
                val = g.bad_expiry()
            opts += [name, val]
    return opts


@family("strings", W)
def gen_set(g: Gen):
    return cmd("SET", g.key(), g.value(), *_set_options(g))


@family("strings", W)
def gen_get(g: Gen):
    return cmd("GET", g.key())


@family("strings", W)
def gen_getex(g: Gen):
    r = g.rng.random()
    if r < 0.25:
        opts = []
    elif r < 0.35:
        opts = [b"PERSIST"]
    elif r < 0.75:
        name = g.pick([b"EX", b"PX", b"EXAT", b"PXAT"])
        unit = "s" if name in (b"EX", b"EXAT") else "ms"
        absolute = name in (b"EXAT", b"PXAT")
        x = g.rng.random()
        if x < 0.7:
            val = g.expiry(unit, absolute)
        elif x < 0.8 and absolute:
            val = g.pick([b"1", b"1000"])  # in the past: GETEX deletes at once
        else:
            val = g.bad_expiry()
        opts = [name, val]
    else:
        # Conflicting or unsupported options.
        opts = g.pick([
            lambda: [b"EX", g.expiry("s", False), b"PERSIST"],
            lambda: [b"PERSIST", b"PX", g.expiry("ms", False)],
            lambda: [b"EX", g.expiry("s", False), b"PX", g.expiry("ms", False)],
            lambda: [b"PERSIST", b"PERSIST"],
            lambda: [b"KEEPTTL"],
            lambda: [b"GET"],
            lambda: [b"EX"],
        ])()
    return cmd("GETEX", g.key(), *opts)


@family("strings", W)
def gen_getdel(g: Gen):
    return cmd("GETDEL", g.key())


@family("strings", W)
def gen_getset(g: Gen):
    return cmd("GETSET", g.key(), g.value())


@family("strings", W)
def gen_setnx(g: Gen):
    return cmd("SETNX", g.key(), g.value())


@family("strings", W)
def gen_setex(g: Gen):
    name = g.pick([b"SETEX", b"PSETEX"])
    unit = "s" if name == b"SETEX" else "ms"
    x = g.rng.random()
    t = g.expiry(unit, False) if x < 0.75 else g.bad_expiry()
    return cmd(name, g.key(), t, g.value())


@family("strings", W)
def gen_mset(g: Gen):
    name = g.pick([b"MSET", b"MSETNX"])
    args = []
    for _ in range(g.rng.randint(1, 4)):
        args += [g.key(), g.value()]
    return cmd(name, *args)


@family("strings", W)
def gen_mget(g: Gen):
    return cmd("MGET", *g.nkeys(1, 5))


@family("strings", W)
def gen_append(g: Gen):
    return cmd("APPEND", g.key(), g.value())


@family("strings", W)
def gen_strlen(g: Gen):
    return cmd("STRLEN", g.key())


def _index(g: Gen) -> bytes:
    r = g.rng.random()
    if r < 0.8:
        return str(g.rng.randint(-60, 60)).encode()
    return g.pick([b"9223372036854775807", b"-9223372036854775808", b"abc", b"", b"1.5",
                   b"9223372036854775808", b"4294967296"])


@family("strings", W)
def gen_getrange(g: Gen):
    return cmd(g.pick([b"GETRANGE", b"SUBSTR"]), g.key(), _index(g), _index(g))


@family("strings", W)
def gen_setrange(g: Gen):
    r = g.rng.random()
    if r < 0.8:
        off = str(g.rng.randint(0, 200)).encode()
    else:
        # Only invalid big offsets: a valid one near 512 MB would allocate it.
        off = g.pick([b"-1", b"536870912", b"536870913", b"9223372036854775807", b"abc", b""])
    val = g.value() if g.chance(0.85) else b""
    return cmd("SETRANGE", g.key(), off, val)


@family("strings", W)
def gen_counter(g: Gen):
    r = g.rng.random()
    k = g.pick(COUNTER_KEYS) if g.chance(0.6) else g.key()
    if r < 0.2:
        return cmd("INCR", k)
    if r < 0.35:
        return cmd("DECR", k)
    if r < 0.6:
        return cmd("INCRBY", k, g.int_arg(-1000, 1000))
    if r < 0.75:
        return cmd("DECRBY", k, g.int_arg(-1000, 1000))
    return cmd("INCRBYFLOAT", k, g.float_arg())


@family("strings", W)
def gen_lcs(g: Gen):
    opts: list[bytes] = []
    for _ in range(g.rng.choice([0, 0, 1, 2, 3])):
        r = g.rng.random()
        if r < 0.25:
            opts.append(b"LEN")
        elif r < 0.5:
            opts.append(b"IDX")
        elif r < 0.75:
            opts += [b"MINMATCHLEN", g.pick([b"0", b"1", b"2", b"3", b"-1", b"abc", b"100"])]
        else:
            opts.append(b"WITHMATCHLEN")
    if g.chance(0.05):
        opts.append(b"BOGUS")
    return cmd("LCS", g.key(), g.key(), *opts)


@family("strings", W, share=0.4)
def gen_ttl_change(g: Gen):
    """A key given a TTL, then a string command that keeps, changes or drops it, so the
    expire/persist/del events of GETEX and SET's TTL options come up often."""
    k = g.key()
    setup = cmd("SET", k, g.value(), "EX", g.expiry("s", False), mutable=False)
    follow = g.pick([
        lambda: [b"GETEX", k, b"PERSIST"],
        lambda: [b"GETEX", k, b"EXAT", b"1"],
        lambda: [b"GETEX", k, b"PX", g.expiry("ms", False)],
        lambda: [b"GETEX", k],
        lambda: [b"SET", k, g.value(), b"KEEPTTL"],
        lambda: [b"SET", k, g.value(), b"XX", b"PX", g.expiry("ms", False)],
        lambda: [b"GETSET", k, g.value()],
        lambda: [b"APPEND", k, g.value()],
        lambda: [b"INCRBYFLOAT", k, b"1"],
    ])()
    return [setup, cmd(*follow)]
