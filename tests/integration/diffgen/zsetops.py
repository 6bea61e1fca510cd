"""ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD over sorted sets,
plain sets (members score 1) and keys of other types, with WEIGHTS (inf, nan
and bad floats included) and every AGGREGATE.  The results are ordered by
(score, member), so replies compare exactly.

The family feeds its own sources (ZADD/SADD/RPUSH/DEL on them), so that run
alone its STORE forms store results, overwrite destinations and delete them
when a result comes out empty: each of those publishes a different keyspace
event ("zunionstore"..., "del", or nothing when there was nothing to delete)."""

from .core import Gen, cmd, family

W = 1.5

SOURCES = [b"z0", b"z1", b"z2", b"z3", b"zl0", b"s0", b"is0", b"l0", b"nokey"]
WEIGHTS = [b"1", b"2", b"0", b"-1", b"0.5", b"inf", b"-inf", b"nan", b"x", b"1e308", b""]


def _numkeys(g: Gen, n: int) -> bytes:
    r = g.rng.random()
    if r < 0.9:
        return b"%d" % n
    return g.pick([b"0", b"-1", b"%d" % (n + 1), b"x", b"9223372036854775807"])


def _sources(g: Gen) -> list[bytes]:
    return [g.pick(SOURCES) if g.chance(0.85) else g.key() for _ in range(g.rng.randint(1, 3))]


def _options(g: Gen, n: int, weighted: bool, withscores: bool) -> list[bytes]:
    opts: list[bytes] = []
    for _ in range(g.rng.choice([0, 1, 1, 2])):
        r = g.rng.random()
        if weighted and r < 0.4:
            opts += [b"WEIGHTS", *[g.pick(WEIGHTS) for _ in range(n)]]
        elif weighted and r < 0.7:
            opts += [b"AGGREGATE", g.pick([b"SUM", b"MIN", b"MAX", b"max", b"avg"])]
        elif withscores and r < 0.9:
            opts.append(b"WITHSCORES")
        else:
            opts.append(g.pick([b"LIMIT", b"junk", b"WEIGHTS"]))
    return opts


@family("zsetops", W)
def gen_zsetop(g: Gen):
    name = g.pick([b"ZUNION", b"ZINTER", b"ZDIFF"])
    store = g.chance(0.35)
    keys = _sources(g)
    weighted = name != b"ZDIFF"
    head = [name + b"STORE", g.pick([b"zdst", b"z3", b"s0"])] if store else [name]
    return cmd(*head, _numkeys(g, len(keys)), *keys,
               *_options(g, len(keys), weighted, withscores=not store))


@family("zsetops", W, share=0.4)
def gen_zintercard(g: Gen):
    keys = _sources(g)
    opts: list[bytes] = []
    if g.chance(0.5):
        opts = [b"LIMIT", g.pick([b"0", b"1", b"2", b"-1", b"x", b"100"])]
    return cmd("ZINTERCARD", _numkeys(g, len(keys)), *keys, *opts)


ZSET_SOURCES = [b"z0", b"z1", b"z2", b"z3"]
MEMBERS = [b"a", b"b", b"c", b"d", b"e", b"1", b"2", b"3"]


@family("zsetops", W, share=0.35)
def gen_feed(g: Gen):
    r = g.rng.random()
    if r < 0.55:
        # zl0 belongs to the zsets family's lex ranges: its scores stay 0.
        lex = g.chance(0.2)
        scores = [b"0"] if lex else [b"0", b"1", b"2", b"-1", b"1.5", b"inf", b"-inf"]
        pairs: list[bytes] = []
        for _ in range(g.rng.randint(1, 4)):
            pairs += [g.pick(scores), g.pick(MEMBERS)]
        return cmd("ZADD", b"zl0" if lex else g.pick(ZSET_SOURCES), *pairs, mutable=not lex)
    if r < 0.75:
        # s0 and is0 also belong to the sets family: is0 only ever holds small integers.
        if g.chance(0.5):
            return cmd("SADD", b"is0", *[b"%d" % g.rng.randint(-3, 3) for _ in range(2)],
                       mutable=False)
        return cmd("SADD", b"s0", *[g.pick(MEMBERS) for _ in range(g.rng.randint(1, 3))])
    if r < 0.8:
        return cmd("RPUSH", b"l0", b"x")
    return cmd("DEL", g.pick([*ZSET_SOURCES, b"zl0", b"zdst", b"s0"]))
