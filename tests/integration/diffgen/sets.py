"""Set commands: SADD/SREM/SMOVE, membership, SMEMBERS, the SINTER/SUNION/SDIFF
families with their STORE forms, SINTERCARD, SPOP/SRANDMEMBER in deterministic
shapes, and SSCAN.

Two kinds of set keys:
- "s*" keys (and sometimes the shared pool) hold anything: integers and
  strings, batches of integers that push them past set-max-intset-entries, so
  they convert intset -> hashtable.  Their replies are in hash order, which
  differs between servers, so multi-member replies are compared sorted.
- "is*" keys only ever hold integers from a domain of fewer than 512 values,
  so they are intsets for good, and every reply built from them alone comes in
  Redis's deterministic ascending order and is compared exactly.  Commands
  that write into them are never mutated (a junk member would be a string).

Random picks (none of these commands is ever mutated: a cut-off count turns a
deterministic form into a random one): SRANDMEMBER with a count is compared by
length only (it has no effect); SPOP with a count runs on a scratch copy that
is deleted right after; SPOP and SRANDMEMBER without a count only meet
one-member sets.  Huge negative SRANDMEMBER counts are never sent: Redis would
try to write them all.
"""

from .core import LLONG_MAX, LLONG_MIN, Gen, cmd, family

W = 5.0

SET_KEYS = [b"s0", b"s1", b"s2", b"s3"]
INT_SET_KEYS = [b"is0", b"is1", b"is2"]
SCRATCH = b"{set}scratch"

# The integer domain of the is* keys: 401 small values and the width boundaries (< 512 total).
INT_EDGES = [32767, 32768, -32768, -32769, 2147483647, 2147483648, -2147483648, -2147483649,
             LLONG_MAX, LLONG_MIN, 65535, 100000, -100000]
STRINGS = [b"a", b"b", b"c", b"hello", b"x y", b"", b"\xff\x00", b"01", b"+1", b" 1", b"-0",
           b"1.0", b"1e3", b"9223372036854775808", b"-9223372036854775809", b"0x10", b"abc" * 20]


def _int_member(g: Gen) -> bytes:
    r = g.rng.random()
    if r < 0.1:
        return str(g.pick(INT_EDGES)).encode()
    if r < 0.3:
        return str(g.rng.randint(-200, 200)).encode()
    return str(g.rng.randint(-15, 15)).encode()


def _member(g: Gen) -> bytes:
    r = g.rng.random()
    if r < 0.15:
        return str(g.rng.randint(0, 1500)).encode()  # the big batches' range
    if r < 0.6:
        return str(g.rng.randint(-8, 8)).encode()
    if r < 0.67:
        return str(g.pick(INT_EDGES)).encode()
    if r < 0.75:
        return g.pick(STRINGS)
    if r < 0.95:
        return g.pick(STRINGS[:4])
    return g.value()


def _key(g: Gen) -> bytes:
    return g.pick(SET_KEYS) if g.chance(0.85) else g.key()


def _keys(g: Gen, lo: int, hi: int) -> list[bytes]:
    return [_key(g) for _ in range(g.rng.randint(lo, hi))]


def _ikeys(g: Gen, lo: int, hi: int) -> list[bytes]:
    return [g.pick(INT_SET_KEYS) for _ in range(g.rng.randint(lo, hi))]


def _big_batch(g: Gen) -> list[bytes]:
    # Consecutive integers: a few batches take a set past 512 members.
    base = g.rng.randint(0, 1000)
    return [str(base + i).encode() for i in range(g.rng.randint(100, 500))]


@family("sets", W)
def gen_sadd(g: Gen):
    r = g.rng.random()
    if r < 0.3:
        members = [_int_member(g) for _ in range(g.rng.randint(1, 8))]
        return cmd("SADD", g.pick(INT_SET_KEYS), *members, mutable=False)
    if r < 0.5:
        return cmd("SADD", g.pick(SET_KEYS), *_big_batch(g))
    if r < 0.45:
        # All-integer batches on the shared pool too (intset, then past the limit).
        return cmd("SADD", g.key(), *[_int_member(g) for _ in range(g.rng.randint(1, 30))])
    return cmd("SADD", _key(g), *[_member(g) for _ in range(g.rng.randint(1, 5))])


@family("sets", W)
def gen_srem(g: Gen):
    if g.chance(0.3):
        members = [_int_member(g) for _ in range(g.rng.randint(1, 6))]
        return cmd("SREM", g.pick(INT_SET_KEYS), *members)
    if g.chance(0.05):
        return cmd("SREM", g.pick(SET_KEYS), *_big_batch(g))
    return cmd("SREM", _key(g), *[_member(g) for _ in range(g.rng.randint(1, 5))])


@family("sets", W)
def gen_smove(g: Gen):
    if g.chance(0.3):
        src, dst = g.pick(INT_SET_KEYS), g.pick(INT_SET_KEYS)
        return cmd("SMOVE", src, dst, _int_member(g), mutable=False)
    src = _key(g)
    dst = src if g.chance(0.1) else _key(g)
    return cmd("SMOVE", src, dst, _member(g))


@family("sets", W)
def gen_membership(g: Gen):
    r = g.rng.random()
    key = g.pick(INT_SET_KEYS) if g.chance(0.3) else _key(g)
    if r < 0.35:
        return cmd("SISMEMBER", key, _member(g))
    if r < 0.7:
        return cmd("SMISMEMBER", key, *[_member(g) for _ in range(g.rng.randint(1, 5))])
    if r < 0.9:
        return cmd("SCARD", key)
    return cmd("OBJECT", "ENCODING", key)


@family("sets", W)
def gen_smembers(g: Gen):
    if g.chance(0.4):
        return cmd("SMEMBERS", g.pick(INT_SET_KEYS))
    return cmd("SMEMBERS", _key(g), norm="sort")


@family("sets", W)
def gen_algebra(g: Gen):
    name = g.pick([b"SINTER", b"SUNION", b"SDIFF"])
    if g.chance(0.4):
        return cmd(name, *_ikeys(g, 1, 4))
    return cmd(name, *_keys(g, 1, 4), norm="sort")


@family("sets", W)
def gen_store(g: Gen):
    name = g.pick([b"SINTERSTORE", b"SUNIONSTORE", b"SDIFFSTORE"])
    if g.chance(0.4):
        dst = g.pick(INT_SET_KEYS)
        return [cmd(name, dst, *_ikeys(g, 1, 3), mutable=False), cmd("SMEMBERS", dst)]
    # Any destination, including keys of other types, which the store overwrites.
    dst = _key(g) if g.chance(0.7) else g.key()
    return [cmd(name, dst, *_keys(g, 1, 3)), cmd("OBJECT", "ENCODING", dst),
            cmd("SCARD", dst)]


@family("sets", W)
def gen_sintercard(g: Gen):
    r = g.rng.random()
    if r < 0.75:
        keys = _ikeys(g, 1, 3) if g.chance(0.3) else _keys(g, 1, 4)
        opts: list[bytes] = []
        if g.chance(0.5):
            opts = [g.pick([b"LIMIT", b"limit"]), g.pick([b"0", b"1", b"2", b"3", b"10"])]
        return cmd("SINTERCARD", len(keys), *keys, *opts)
    keys = _keys(g, 1, 3)
    bad = g.pick([
        [b"0", *keys], [b"-1", *keys], [b"abc", *keys], [b"1.5", *keys],
        [str(len(keys) + 1).encode(), *keys], [b"9223372036854775808", *keys],
        [b"9223372036854775807", *keys], [b"1", keys[0], b"LIMIT", b"-1"],
        [b"1", keys[0], b"LIMIT", b"abc"], [b"1", keys[0], b"LIMIT"],
        [b"1", keys[0], b"BOGUS", b"1"], [b"1", keys[0], b"LIMIT", b"1", b"LIMIT", b"0"],
        [b"1", keys[0], b"LIMIT", b"9223372036854775808"],
    ])
    return cmd("SINTERCARD", *bad)


@family("sets", W)
def gen_spop(g: Gen):
    r = g.rng.random()
    if r < 0.25:
        # Deterministic: no count on missing keys, count 0, errors, syntax.
        key = _key(g)
        arg = g.pick([[], [b"0"], [b"-1"], [b"abc"], [b"1.5"], [b"-9223372036854775808"],
                      [b"9223372036854775808"], [b"1", b"2"]])
        if not arg:
            key = b"{set}missing"
        return cmd("SPOP", key, *arg, norm="sort", mutable=False)
    if r < 0.3:
        # Everything: the whole set back (exact on intsets) and the key deleted.
        if g.chance(0.5):
            return cmd("SPOP", g.pick(INT_SET_KEYS), g.pick([b"100000", b"9223372036854775807"]),
                       mutable=False)
        return cmd("SPOP", _key(g), g.pick([b"100000", b"9223372036854775807"]), norm="sort",
                   mutable=False)
    if r < 0.5:
        # One-member scratch set: SPOP without a count is deterministic.
        m = _member(g)
        return [cmd("DEL", SCRATCH, mutable=False), cmd("SADD", SCRATCH, m, mutable=False),
                cmd("SPOP", SCRATCH, mutable=False), cmd("EXISTS", SCRATCH, mutable=False)]
    # Random pops from a scratch copy: only the count and what is left are compared.
    src = g.pick(INT_SET_KEYS) if g.chance(0.3) else _key(g)
    count = g.pick([1, 2, 3, 5, 10, 50, 100, 300, 600])
    return [cmd("DEL", SCRATCH, mutable=False),
            cmd("SUNIONSTORE", SCRATCH, src, mutable=False),
            cmd("SPOP", SCRATCH, count, norm="len", mutable=False),
            cmd("SCARD", SCRATCH, mutable=False),
            cmd("DEL", SCRATCH, mutable=False)]


@family("sets", W)
def gen_srandmember(g: Gen):
    r = g.rng.random()
    if r < 0.3:
        key = g.pick(INT_SET_KEYS) if g.chance(0.3) else _key(g)
        arg = g.pick([[b"0"], [b"abc"], [b"1.5"], [b"-9223372036854775808"],
                      [b"9223372036854775808"], [b"1", b"2"], [b"100000"],
                      [b"9223372036854775807"]])
        exact = key in INT_SET_KEYS
        return cmd("SRANDMEMBER", key, *arg, norm=None if exact else "sort", mutable=False)
    if r < 0.45:
        m = _member(g)
        return [cmd("DEL", SCRATCH, mutable=False), cmd("SADD", SCRATCH, m, mutable=False),
                cmd("SRANDMEMBER", SCRATCH, mutable=False),
                cmd("SRANDMEMBER", SCRATCH, g.pick([b"1", b"-3", b"5"]), mutable=False),
                cmd("DEL", SCRATCH, mutable=False)]
    # Random picks, compared by length: positive (distinct) and negative (repeats) counts.
    key = g.pick(INT_SET_KEYS) if g.chance(0.3) else _key(g)
    count = g.rng.randint(-40, 40)
    if g.chance(0.2):
        count = g.pick([100, 300, 500, -600, 2000])
    return cmd("SRANDMEMBER", key, count, norm="len", mutable=False)


@family("sets", W)
def gen_sscan(g: Gen):
    r = g.rng.random()
    if r < 0.7:
        opts: list[bytes] = []
        if g.chance(0.4):
            opts += [b"MATCH", g.pick([b"*", b"1*", b"-*", b"?", b"[a-c]*", b"*0", b"h*"])]
        if g.chance(0.5):
            opts += [b"COUNT", str(g.pick([1, 2, 5, 10, 100, 1000])).encode()]
        return cmd("SSCAN", _key(g), *opts, kind="kscan", mutable=False)
    if r < 0.8:
        # An intset answers in one step, cursor 0, in order.
        return cmd("SSCAN", g.pick(INT_SET_KEYS), g.pick([b"0", b"5"]),
                   *g.pick([[], [b"COUNT", b"1"], [b"MATCH", b"1*"]]))
    bad = g.pick([[b"abc"], [b"-1x"], [b"0", b"COUNT", b"0"], [b"0", b"COUNT", b"-1"],
                  [b"0", b"COUNT", b"abc"], [b"0", b"MATCH"], [b"0", b"BOGUS", b"x"],
                  [b"18446744073709551616"], [b"0", b"TYPE", b"set"]])
    return cmd("SSCAN", _key(g), *bad, mutable=False)


@family("sets", W, share=0.3)
def gen_other_types(g: Gen):
    # Keys of other types for WRONGTYPE, and deletes that restart sets from scratch.
    r = g.rng.random()
    if r < 0.5:
        return cmd("SET", _key(g), g.pick([b"str", b"1"]))
    if r < 0.7:
        return cmd("RPUSH", _key(g), b"x")
    return cmd("DEL", *_keys(g, 1, 2))
