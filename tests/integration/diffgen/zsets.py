"""Sorted-set commands: ZADD with every option, ZINCRBY, ZREM, ZSCORE/ZMSCORE,
ZCARD, ZCOUNT/ZLEXCOUNT, ZRANK/ZREVRANK, the ZRANGE family (rank, score and lex
ranges, REV, LIMIT, WITHSCORES) and ZRANGESTORE, the ZREMRANGEBY* commands,
ZPOPMIN/ZPOPMAX, ZMPOP, the blocking pops in shapes that answer at once,
ZRANDMEMBER in deterministic shapes, and ZSCAN.

Sorted sets mostly live on a few keys of their own ("z*") and sometimes on the
shared pool, where they meet other types (WRONGTYPE). Members come from a small
pool and scores from a small range of integers, so ties are common and order
falls back to the members' bytes; scores also take infinities, -0, fractions
and exclusive bounds. Batches of more than 128 members and members longer than
64 bytes convert a set from listpack to skiplist; OBJECT ENCODING checks it.

Lex ranges are only defined when all scores are equal: on a skiplist with mixed
scores Redis's answer depends on its random node levels. So every lex command
(ZRANGEBYLEX & co., ZLEXCOUNT, ZREMRANGEBYLEX, BYLEX forms) works on the "zl*"
keys, which only ever get score 0 (or -0).

Every reply is deterministic: a sorted set's order is fully defined, so even
ZRANGESTORE results and whole-set ZRANDMEMBER replies are compared exactly.
ZRANDMEMBER with a smaller count is compared by length only (it changes
nothing), and ZSCAN as the set of pairs of a full scan. Blocking pops never
block: each is preceded by a ZADD of the first key it names (so it holds
members, or another type and the pop fails at once), and neither is mutated.
"""

from .core import Gen, cmd, family

W = 5.0

ZSET_KEYS = [b"z0", b"z1", b"z2", b"z3"]
LEX_KEYS = [b"zl0", b"zl1", b"zl2"]
MEMBERS = [b"a", b"b", b"c", b"d", b"e", b"aa", b"ab", b"1", b"2", b"10", b"-1", b"-0", b"",
           b"x y", b"\xff\x00", b"A", b"hello", b"9223372036854775807", b"1.5"]
SCORES = [b"0", b"1", b"2", b"3", b"-1", b"-2", b"1.5", b"-0", b"inf", b"-inf", b"+inf",
          b"0.1", b"1e3", b"-2.5", b"100", b"3.0", b"1e-5", b"4611686018427387904",
          b"4611686018427387903.5", b"1e17", b"123456789.123"]
BAD_SCORES = [b"nan", b"abc", b"", b"1x", b"(1", b"--1", b"1e", b" 1"]
RANGE_SCORES = [b"0", b"1", b"2", b"3", b"-1", b"-inf", b"+inf", b"inf", b"(0", b"(1", b"(2",
                b"(-1", b"(inf", b"(-inf", b"1.5", b"(1.5", b"5", b"-5", b"0.1"]
BAD_RANGE_SCORES = [b"abc", b"nan", b"(nan", b"((1", b"[1", b"1x", b"(", b""]
LEX_BOUNDS = [b"-", b"+", b"[a", b"(a", b"[b", b"(b", b"[c", b"(c", b"[aa", b"(aa", b"[",
              b"(", b"[e", b"(e", b"[1", b"(10", b"[z", b"[\xff"]
BAD_LEX_BOUNDS = [b"a", b"", b"++", b"-a", b"{a", b"1"]
SCRATCH = b"{zset}scratch"


def _key(g: Gen) -> bytes:
    return g.pick(ZSET_KEYS) if g.chance(0.85) else g.key()


def _lkey(g: Gen) -> bytes:
    return g.pick(LEX_KEYS)


def _member(g: Gen) -> bytes:
    r = g.rng.random()
    if r < 0.8:
        return g.pick(MEMBERS)
    if r < 0.9:
        return b"m%d" % g.rng.randint(0, 300)  # the big batches' members
    if r < 0.95:
        return bytes([g.rng.choice(b"lmn")]) * g.pick([64, 65, 100])
    return g.value()


def _score(g: Gen) -> bytes:
    r = g.rng.random()
    if r < 0.55:
        return str(g.rng.randint(-3, 3)).encode()
    if r < 0.9:
        return g.pick(SCORES)
    if r < 0.97:
        return str(round(g.rng.uniform(-10, 10), g.rng.randint(1, 3))).encode()
    return g.pick(BAD_SCORES)


def _range_score(g: Gen) -> bytes:
    if g.chance(0.03):
        return g.pick(BAD_RANGE_SCORES)
    if g.chance(0.3):
        return str(g.rng.randint(-3, 3)).encode()
    return g.pick(RANGE_SCORES)


def _lex(g: Gen) -> bytes:
    if g.chance(0.03):
        return g.pick(BAD_LEX_BOUNDS)
    return g.pick(LEX_BOUNDS)


def _index(g: Gen) -> bytes:
    r = g.rng.random()
    if r < 0.9:
        return str(g.rng.randint(-8, 8)).encode()
    return g.pick([b"0", b"-1", b"9223372036854775807", b"-9223372036854775808", b"abc", b"",
                   b"1.5", b"-200", b"200", b"9223372036854775808"])


def _big_batch(g: Gen) -> list[bytes]:
    # 100-200 members at once: a set passes zset-max-listpack-entries (128).
    base = g.rng.randint(0, 150)
    out = []
    for i in range(g.rng.randint(100, 200)):
        out += [str(g.rng.randint(-20, 20)).encode(), b"m%d" % (base + i)]
    return out


@family("zsets", W)
def gen_zadd(g: Gen):
    r = g.rng.random()
    if r < 0.06:
        return [cmd("ZADD", g.pick(ZSET_KEYS), *_big_batch(g)),
                cmd("OBJECT", "ENCODING", g.pick(ZSET_KEYS))]
    opts = []
    if g.chance(0.5):
        for o in (b"NX", b"XX", b"GT", b"LT", b"CH", b"INCR"):
            if g.chance(0.2):
                opts.append(o if g.chance(0.7) else o.lower())
        g.rng.shuffle(opts)
    pairs = []
    n = 1 if b"INCR" in [o.upper() for o in opts] and g.chance(0.9) else g.rng.randint(1, 4)
    for _ in range(n):
        pairs += [_score(g), _member(g)]
    if g.chance(0.03):
        pairs = pairs[:-1]  # odd: syntax error
    return cmd("ZADD", _key(g), *opts, *pairs)


@family("zsets", W)
def gen_zadd_lex(g: Gen):
    key = _lkey(g)
    r = g.rng.random()
    if r < 0.05:
        base = g.rng.randint(0, 150)
        batch = []
        for i in range(g.rng.randint(100, 200)):
            batch += [b"0", b"m%d" % (base + i)]
        return [cmd("ZADD", key, *batch, mutable=False), cmd("OBJECT", "ENCODING", key)]
    if r < 0.15:
        return cmd("ZINCRBY", key, g.pick([b"0", b"-0"]), _member(g), mutable=False)
    pairs = []
    for _ in range(g.rng.randint(1, 5)):
        pairs += [g.pick([b"0", b"-0", b"0.0"]), _member(g)]
    opts = [g.pick([b"NX", b"XX", b"CH", b"GT", b"LT"])] if g.chance(0.2) else []
    return cmd("ZADD", key, *opts, *pairs, mutable=False)


@family("zsets", W)
def gen_zincrby(g: Gen):
    return cmd("ZINCRBY", _key(g), _score(g), _member(g))


@family("zsets", W)
def gen_zrem(g: Gen):
    return cmd("ZREM", _key(g), *[_member(g) for _ in range(g.rng.randint(1, 4))])


@family("zsets", W)
def gen_point_reads(g: Gen):
    r = g.rng.random()
    key = _key(g) if g.chance(0.85) else _lkey(g)
    if r < 0.25:
        return cmd("ZSCORE", key, _member(g))
    if r < 0.4:
        return cmd("ZMSCORE", key, *[_member(g) for _ in range(g.rng.randint(1, 4))])
    if r < 0.55:
        return cmd("ZCARD", key)
    if r < 0.75:
        return cmd(g.pick([b"ZRANK", b"ZREVRANK"]), key, _member(g))
    if r < 0.85:
        return cmd("OBJECT", "ENCODING", key)
    if r < 0.93:
        return cmd("ZCOUNT", key, _range_score(g), _range_score(g))
    return cmd("ZLEXCOUNT", _lkey(g), _lex(g), _lex(g))


def _limit(g: Gen) -> list[bytes]:
    if g.chance(0.1):
        return [b"LIMIT", g.pick([b"abc", b"-1", b"0", b"1.5"]), g.pick([b"1", b"x"])]
    return [g.pick([b"LIMIT", b"limit"]), str(g.rng.randint(-1, 5)).encode(),
            str(g.rng.randint(-2, 5)).encode()]


@family("zsets", W * 2)
def gen_zrange(g: Gen):
    key = _key(g)
    r = g.rng.random()
    if r < 0.25:
        args = [_index(g), _index(g)]
        if g.chance(0.4):
            args.append(b"WITHSCORES")
        return cmd(g.pick([b"ZRANGE", b"ZREVRANGE"]), key, *args)
    if r < 0.45:
        name = g.pick([b"ZRANGEBYSCORE", b"ZREVRANGEBYSCORE"])
        opts = []
        if g.chance(0.4):
            opts.append(b"WITHSCORES")
        if g.chance(0.4):
            opts += _limit(g)
        g.rng.shuffle(opts) if g.chance(0.2) else None
        return cmd(name, key, _range_score(g), _range_score(g), *opts)
    if r < 0.6:
        name = g.pick([b"ZRANGEBYLEX", b"ZREVRANGEBYLEX"])
        opts = _limit(g) if g.chance(0.4) else []
        if g.chance(0.05):
            opts.append(b"WITHSCORES")
        return cmd(name, _lkey(g), _lex(g), _lex(g), *opts)
    # The unified ZRANGE, options in any order, including conflicting ones.
    by = g.pick([None, None, b"BYSCORE", b"BYLEX", b"byscore", b"bylex"])
    if by is None:
        lo, hi = _index(g), _index(g)
    elif by.upper() == b"BYSCORE":
        lo, hi = _range_score(g), _range_score(g)
    else:
        key = _lkey(g)
        lo, hi = _lex(g), _lex(g)
    opts = []
    if by is not None:
        opts.append(by)
    if g.chance(0.4):
        opts.append(g.pick([b"REV", b"rev"]))
    if g.chance(0.4 if by else 0.08):
        opts += _limit(g)
    if g.chance(0.4 if by is None or by.upper() == b"BYSCORE" else 0.08):
        opts.append(b"WITHSCORES")
    if g.chance(0.05):
        opts.append(g.pick([b"BYSCORE", b"REV", b"BYLEX", b"junk"]))
    if g.chance(0.3):
        g.rng.shuffle(opts)
    return cmd("ZRANGE", key, lo, hi, *opts)


@family("zsets", W)
def gen_zrangestore(g: Gen):
    dst = _key(g) if g.chance(0.8) else g.key()
    src = _key(g)
    by = g.pick([None, b"BYSCORE", b"BYLEX"])
    if by is None:
        lo, hi = _index(g), _index(g)
    elif by == b"BYSCORE":
        lo, hi = _range_score(g), _range_score(g)
    else:
        src = _lkey(g)
        lo, hi = _lex(g), _lex(g)
    if src in LEX_KEYS and g.chance(0.5):
        dst = _lkey(g)  # a copy of equal scores stays fit for lex ranges
    opts = [by] if by else []
    if g.chance(0.3):
        opts.append(b"REV")
    if by and g.chance(0.3):
        opts += _limit(g)
    if g.chance(0.03):
        opts.append(b"WITHSCORES")  # a syntax error for the STORE form
    return [cmd("ZRANGESTORE", dst, src, lo, hi, *opts),
            cmd("OBJECT", "ENCODING", dst, mutable=False),
            cmd("ZRANGE", dst, 0, -1, "WITHSCORES", mutable=False)]


@family("zsets", W)
def gen_zremrange(g: Gen):
    key = _key(g)
    r = g.rng.random()
    if r < 0.35:
        return cmd("ZREMRANGEBYRANK", key, _index(g), _index(g))
    if r < 0.7:
        return cmd("ZREMRANGEBYSCORE", key, _range_score(g), _range_score(g))
    return cmd("ZREMRANGEBYLEX", _lkey(g), _lex(g), _lex(g))


def _pop_count(g: Gen) -> list[bytes]:
    r = g.rng.random()
    if r < 0.4:
        return []
    if r < 0.9:
        return [str(g.rng.randint(0, 6)).encode()]
    return [g.pick([b"-1", b"abc", b"300", b"9223372036854775807", b"1.5"])]


@family("zsets", W)
def gen_pops(g: Gen):
    r = g.rng.random()
    if r < 0.4:
        key = _key(g) if g.chance(0.85) else _lkey(g)
        return cmd(g.pick([b"ZPOPMIN", b"ZPOPMAX"]), key, *_pop_count(g))
    if r < 0.7:
        keys = [_key(g) for _ in range(g.rng.randint(1, 3))]
        opts = []
        if g.chance(0.5):
            opts = [b"COUNT", g.pick([b"1", b"2", b"5", b"300", b"0", b"-1", b"abc"])]
        where = g.pick([b"MIN", b"MAX", b"min", b"max"])
        if g.chance(0.05):
            where = b"MID"
        numkeys = str(len(keys)).encode()
        if g.chance(0.05):
            numkeys = g.pick([b"0", b"-1", b"abc", b"5"])
        return cmd("ZMPOP", numkeys, *keys, where, *opts)
    # Blocking forms, made non-blocking by a ZADD to their first key.
    keys = [_key(g) for _ in range(g.rng.randint(1, 3))]
    prep = cmd("ZADD", keys[0], str(g.rng.randint(-3, 3)), _member(g), mutable=False)
    if g.chance(0.5):
        blk = cmd(g.pick([b"BZPOPMIN", b"BZPOPMAX"]), *keys, g.pick([b"0", b"1", b"0.5"]),
                  mutable=False)
    else:
        opts = [b"COUNT", g.pick([b"1", b"2", b"10"])] if g.chance(0.5) else []
        blk = cmd("BZMPOP", g.pick([b"0", b"1"]), len(keys), *keys,
                  g.pick([b"MIN", b"MAX"]), *opts, mutable=False)
    return [prep, blk]


@family("zsets", W, share=0.5)
def gen_blocking_errors(g: Gen):
    # Errors detected before any key is looked at never block.
    key = _key(g)
    return g.pick([
        cmd("BZPOPMIN", key, g.pick([b"-1", b"abc", b"", b"nan"]), mutable=False),
        cmd("BZPOPMAX", key, g.pick([b"-1", b"abc"]), mutable=False),
        cmd("BZMPOP", b"0", b"0", key, b"MIN", mutable=False),
        cmd("BZMPOP", b"0", b"1", key, b"MID", mutable=False),
        cmd("BZMPOP", b"-1", b"1", key, b"MIN", mutable=False),
        cmd("BZMPOP", b"0", b"1", key, b"MIN", b"COUNT", b"0", mutable=False),
        cmd("BZMPOP", b"0", b"2", key, b"MIN", mutable=False),
    ])


@family("zsets", W)
def gen_zrandmember(g: Gen):
    r = g.rng.random()
    if r < 0.35:
        # Deterministic: a missing key, count 0, errors, or a count covering the whole set.
        key = _key(g)
        arg = g.pick([[b"0"], [b"0", b"WITHSCORES"], [b"abc"], [b"1.5"],
                      [b"-9223372036854775808"], [b"9223372036854775808"],
                      [b"9223372036854775807", b"WITHSCORES"], [b"4611686018427387904",
                                                              b"withscores"],
                      [b"-4611686018427387904", b"WITHSCORES"], [b"1", b"WITHSCORE"],
                      [b"1", b"WITHSCORES", b"x"], [b"1000"], [b"1000", b"WITHSCORES"],
                      [b"9223372036854775807"]])
        return cmd("ZRANDMEMBER", key, *arg, mutable=False)
    if r < 0.5:
        m, s = _member(g), g.pick([b"1", b"-0", b"inf", b"2.5"])
        return [cmd("DEL", SCRATCH, mutable=False), cmd("ZADD", SCRATCH, s, m, mutable=False),
                cmd("ZRANDMEMBER", SCRATCH, mutable=False),
                cmd("ZRANDMEMBER", SCRATCH, g.pick([b"1", b"-3", b"5"]),
                    *g.pick([[], [b"WITHSCORES"]]), mutable=False),
                cmd("DEL", SCRATCH, mutable=False)]
    if r < 0.55:
        return cmd("ZRANDMEMBER", b"{zset}missing", mutable=False)
    count = g.rng.randint(-20, 20)
    if g.chance(0.2):
        count = g.pick([100, 150, 300, -300])
    opts = [b"WITHSCORES"] if g.chance(0.4) else []
    return cmd("ZRANDMEMBER", _key(g), count, *opts, norm="len", mutable=False)


@family("zsets", W)
def gen_zscan(g: Gen):
    r = g.rng.random()
    if r < 0.8:
        opts = []
        if g.chance(0.4):
            opts += [b"MATCH", g.pick([b"*", b"m1*", b"a*", b"?", b"[a-c]*", b"*0", b"h*"])]
        if g.chance(0.5):
            opts += [b"COUNT", str(g.pick([1, 2, 5, 10, 100, 1000])).encode()]
        key = _key(g) if g.chance(0.85) else _lkey(g)
        return cmd("ZSCAN", key, *opts, kind="kscan", norm="pairs", mutable=False)
    bad = g.pick([[b"abc"], [b"-1x"], [b"0", b"COUNT", b"0"], [b"0", b"COUNT", b"-1"],
                  [b"0", b"COUNT", b"abc"], [b"0", b"MATCH"], [b"0", b"BOGUS", b"x"],
                  [b"18446744073709551616"], [b"0", b"TYPE", b"zset"]])
    return cmd("ZSCAN", _key(g), *bad, mutable=False)


@family("zsets", W, share=0.3)
def gen_other_types(g: Gen):
    # Keys of other types for WRONGTYPE, and deletes that restart sets from scratch.
    r = g.rng.random()
    key = _key(g) if g.chance(0.85) else _lkey(g)
    if r < 0.4:
        return cmd("SET", key, g.pick([b"str", b"1"]))
    if r < 0.6:
        return cmd("RPUSH", key, b"x")
    return cmd("DEL", key, *[_key(g) for _ in range(g.rng.randint(0, 1))])
