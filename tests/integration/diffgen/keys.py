"""Keyspace commands: DEL/UNLINK/EXISTS/TYPE/RENAME/COPY/MOVE, databases
(SELECT/SWAPDB/FLUSHDB), the EXPIRE family with NX/XX/GT/LT, TTL readers,
OBJECT, KEYS and SCAN."""

from .core import Gen, cmd, family

W = 3.0


@family("keys", W)
def gen_del(g: Gen):
    return cmd(g.pick([b"DEL", b"UNLINK"]), *g.nkeys(1, 3))


@family("keys", W)
def gen_exists(g: Gen):
    return cmd(g.pick([b"EXISTS", b"TOUCH"]), *g.nkeys(1, 4))


@family("keys", W)
def gen_type(g: Gen):
    return cmd("TYPE", g.key())


@family("keys", W)
def gen_rename(g: Gen):
    src = g.key()
    dst = src if g.chance(0.1) else g.key()
    return cmd(g.pick([b"RENAME", b"RENAMENX"]), src, dst)


@family("keys", W)
def gen_copy(g: Gen):
    src = g.key()
    dst = src if g.chance(0.1) else g.key()
    opts: list[bytes] = []
    if g.chance(0.4):
        opts += [b"DB", g.db()]
    if g.chance(0.4):
        opts.append(b"REPLACE")
    if g.chance(0.05):
        opts.append(b"BOGUS")
    if g.chance(0.2):
        g.rng.shuffle(opts)
    return cmd("COPY", src, dst, *opts)


@family("keys", W)
def gen_move(g: Gen):
    return cmd("MOVE", g.key(), g.db())


@family("keys", W, share=0.5)
def gen_select(g: Gen):
    # Mostly db 0 so keys written elsewhere come back into play.
    db = b"0" if g.chance(0.5) else g.db()
    return cmd("SELECT", db)


@family("keys", W)
def gen_swapdb(g: Gen):
    return cmd("SWAPDB", g.db(), g.db())


@family("keys", W)
def gen_dbsize(g: Gen):
    return cmd("DBSIZE")


@family("keys", W, share=0.1)
def gen_flush(g: Gen):
    # Rare: it wipes the state the other commands build up.
    name = g.pick([b"FLUSHDB", b"FLUSHDB", b"FLUSHALL"])
    opt = g.pick([[], [b"ASYNC"], [b"SYNC"], [b"sync"], [b"BOGUS"]])
    return cmd(name, *opt)


_EXPIRE_FLAGS = [b"NX", b"XX", b"GT", b"LT", b"nx", b"gt"]


@family("keys", W)
def gen_expire(g: Gen):
    name = g.pick([b"EXPIRE", b"PEXPIRE", b"EXPIREAT", b"PEXPIREAT"])
    unit = "ms" if name.startswith(b"P") else "s"
    absolute = name.endswith(b"AT")
    r = g.rng.random()
    if r < 0.7:
        t = g.expiry(unit, absolute)
    elif r < 0.8:
        # Deletes the key at once: a relative time <= 0 or a past timestamp.
        t = g.pick([b"0", b"-1", b"-100"]) if not absolute else g.pick([b"1", b"1000", b"0"])
    elif r < 0.85 and not absolute:
        t = g.huge_valid_expiry(unit)
    else:
        t = g.bad_expiry()
    flags = [g.pick(_EXPIRE_FLAGS) for _ in range(g.rng.choice([0, 0, 1, 1, 2]))]
    if g.chance(0.03):
        flags.append(b"BOGUS")
    return cmd(name, g.key(), t, *flags)


@family("keys", W)
def gen_ttl(g: Gen):
    name = g.pick([b"TTL", b"PTTL", b"EXPIRETIME", b"PEXPIRETIME"])
    return cmd(name, g.key(), norm="ttl")


@family("keys", W)
def gen_persist(g: Gen):
    return cmd("PERSIST", g.key())


@family("keys", W)
def gen_object(g: Gen):
    r = g.rng.random()
    if r < 0.85:
        return cmd("OBJECT", "ENCODING", g.key())
    if r < 0.9:
        return cmd("OBJECT", "FREQ", g.key())
    if r < 0.95:
        return cmd("OBJECT", g.pick([b"BOGUS", b"encodings"]), g.key())
    return cmd("OBJECT", "ENCODING", g.key(), b"extra")


@family("keys", W)
def gen_keys(g: Gen):
    return cmd("KEYS", g.pattern(), norm="sort")


@family("keys", W)
def gen_scan(g: Gen):
    r = g.rng.random()
    if r < 0.8:
        opts: list[bytes] = []
        if g.chance(0.6):
            opts += [b"MATCH", g.pattern()]
        if g.chance(0.6):
            opts += [b"COUNT", str(g.pick([1, 2, 5, 10, 100, 1000])).encode()]
        if g.chance(0.3):
            opts += [b"TYPE", g.pick([b"string", b"STRING", b"list", b"hash", b"none", b"foo"])]
        return cmd("SCAN", *opts, kind="scan", mutable=False)
    # Invalid forms only: any valid SCAN reply depends on the hash order.
    bad = g.pick([
        [b"abc"], [b"-1x"], [b"0", b"COUNT", b"0"], [b"0", b"COUNT", b"-1"],
        [b"0", b"COUNT", b"abc"], [b"0", b"MATCH"], [b"0", b"BOGUS", b"x"], [b"0", b"TYPE"],
        [b"18446744073709551616"],
    ])
    return cmd("SCAN", *bad, mutable=False)


@family("keys", W, share=0.4)
def gen_ttl_move(g: Gen):
    """A key given a TTL, then a command that moves, copies, renames or persists it: the TTL
    must follow the value and each command publishes its own pair of events."""
    k = g.key()
    setup = cmd("SET", k, g.value(), "PX", g.expiry("ms", False), mutable=False)
    other = g.key()
    follow = g.pick([
        lambda: [b"MOVE", k, g.db()],
        lambda: [b"COPY", k, other, b"DB", g.db(), b"REPLACE"],
        lambda: [b"COPY", k, other],
        lambda: [b"RENAME", k, other],
        lambda: [b"RENAMENX", k, other],
        lambda: [b"PERSIST", k],
        lambda: [b"EXPIRE", k, g.expiry("s", False), g.pick([b"GT", b"LT", b"XX", b"NX"])],
        lambda: [b"PEXPIREAT", k, b"1"],
    ])()
    return [setup, cmd(*follow), cmd("PTTL", other, norm="ttl")]
