"""SORT and SORT_RO over lists, sets and sorted sets, with BY/GET patterns that
reach strings and hash fields, LIMIT (huge values included), ALPHA, DESC and
STORE.

Determinism: Redis breaks ties between equal numeric sort keys by comparing
the elements, so numeric sorts are exact.  Two things are not: a set sorted
with a constant BY and no STORE comes out in hash order (compared as a
multiset), and ALPHA with a BY pattern leaves ties in the order the elements
were loaded, which for sets and sorted sets is hash order; so ALPHA+BY is only
generated on lists, which both servers load in list order and sort stably.

Redis also tests `errno == ERANGE` after strtod without clearing errno first,
so a numeric SORT fails spuriously when an earlier command left ERANGE behind
(an overflowing SCAN cursor does).  That is process state no client can see;
each numeric SORT is therefore preceded by an INCRBYFLOAT, whose float parser
clears errno in Redis.
"""

from .core import Gen, cmd, family

W = 2.0

LIST_KEYS = [b"l0", b"l1", b"l2", b"l3", b"sl0", b"sl1"]
SET_KEYS = [b"s0", b"s1", b"is0", b"is1", b"ss0"]
ZSET_KEYS = [b"z0", b"z1", b"sz0"]
ELEMS = [b"1", b"2", b"3", b"10", b"-1", b"0", b"1.5", b"a", b"b", b"k1", b"", b"007",
         b"1e3", b" 1", b"inf", b"nan", b"x y", b"\xff"]
BY_PATTERNS = [b"k*", b"n*", b"w_*", b"w_*->f", b"h_*->score", b"nosort", b"#", b"*",
               b"h_*->", b"k*->f"]
GET_PATTERNS = [b"#", b"k*", b"w_*", b"h_*->score", b"h_*->f", b"nokey", b"*", b"h_*->"]


def _source(g: Gen) -> tuple[bytes, str]:
    r = g.rng.random()
    if r < 0.45:
        return g.pick(LIST_KEYS), "list"
    if r < 0.7:
        return g.pick(SET_KEYS), "set"
    if r < 0.9:
        return g.pick(ZSET_KEYS), "zset"
    return g.key(), "any"


@family("sort", W, share=1.5)
def gen_sort(g: Gen):
    key, kind = _source(g)
    ro = g.chance(0.25)
    args: list[bytes] = [b"SORT_RO" if ro else b"SORT", key]
    by = None
    if g.chance(0.5):
        by = g.pick(BY_PATTERNS)
        args += [b"BY", by]
    alpha = g.chance(0.35)
    if alpha and by is not None and b"*" in by and kind != "list":
        alpha = False
    if alpha:
        args.append(b"ALPHA")
    if g.chance(0.4):
        args.append(g.pick([b"DESC", b"ASC", b"desc"]))
    if g.chance(0.3) and not (alpha and by is not None):
        r = g.rng.random()
        if r < 0.6:
            lim = [g.rng.randint(-2, 6), g.rng.randint(-2, 6)]
        elif r < 0.85:
            lim = [g.pick([0, 1, 9223372036854775807, -9223372036854775808]),
                   g.pick([1, -1, 9223372036854775807, -9223372036854775808])]
        else:
            lim = [g.pick([b"x", b"1.5", b""]), 1]
        args += [b"LIMIT", *lim]
    for _ in range(g.rng.choice([0, 0, 1, 2])):
        args += [b"GET", g.pick(GET_PATTERNS)]
    store = not ro and g.chance(0.25)
    if store:
        args += [b"STORE", g.pick([b"sorted", b"sl0", b"sl1", key])]
    constant_by = by is not None and b"*" not in by
    unordered = kind in ("set", "any") and constant_by and not store
    # Unsorted set elements come in hash order: compared as a multiset, or, when LIMIT picks
    # a slice of that order, only by how many there are.
    norm = None
    if unordered:
        norm = "len" if b"LIMIT" in args else "sort"
    sort = cmd(*args, norm=norm)
    if alpha or constant_by:
        return sort
    return [cmd("INCRBYFLOAT", b"sort:errno", b"0", mutable=False), sort]


@family("sort", W, share=1.0)
def gen_sort_material(g: Gen):
    """Elements for the sources and the keys their BY/GET patterns reach."""
    r = g.rng.random()
    if r < 0.3:
        return cmd("RPUSH", g.pick(LIST_KEYS[4:]), *[g.pick(ELEMS) for _ in range(g.rng.randint(1, 6))])
    if r < 0.45:
        return cmd("SADD", b"ss0", *[g.pick(ELEMS) for _ in range(g.rng.randint(1, 6))])
    if r < 0.55:
        pairs = []
        for _ in range(g.rng.randint(1, 4)):
            pairs += [g.rng.randint(-5, 5), g.pick(ELEMS)]
        return cmd("ZADD", b"sz0", *pairs)
    elem = g.pick(ELEMS)
    if r < 0.8:
        return cmd("SET", g.pick([b"w_", b"k"]) + elem, g.pick(ELEMS + [b"2.5", b"-3"]))
    return cmd("HSET", b"h_" + elem, g.pick([b"score", b"f"]), g.pick(ELEMS + [b"2.5", b"-3"]))


@family("sort", W, share=0.3)
def gen_sort_reset(g: Gen):
    return cmd("DEL", *[g.pick(LIST_KEYS[4:] + [b"ss0", b"sz0", b"sorted"]) for _ in range(2)])
