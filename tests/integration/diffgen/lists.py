"""List commands: pushes and pops at both ends, LRANGE/LINDEX/LSET/LINSERT/
LREM/LTRIM/LPOS, the moves between lists, LMPOP, and the blocking forms in
shapes that answer at once.

Lists mostly live on a few keys of their own (so they grow past quicklist node
boundaries: batches of long elements fill an 8 KB node quickly) and sometimes
on the shared pool, where they meet strings and the other types (WRONGTYPE).
Elements come from a small pool so that LREM, LPOS and LINSERT pivots hit.

Blocking commands never block here: each is preceded by an RPUSH of its
source key (either the list is then non-empty, or the key holds another type
and the blocking command fails with WRONGTYPE at once), and neither command
is mutated, since a cut-off RPUSH or a junk timeout could leave a client
waiting.
"""

from .core import Gen, cmd, family

W = 5.0

LIST_KEYS = [b"l0", b"l1", b"l2", b"l3"]
ELEMS = [b"a", b"b", b"c", b"x", b"hello", b"1", b"2", b"-1", b"007", b"100000",
         b"9223372036854775807", b"", b"a b", b"\xff\x00"]
DIRS = [b"LEFT", b"RIGHT", b"left", b"right"]


def _key(g: Gen) -> bytes:
    return g.pick(LIST_KEYS) if g.chance(0.85) else g.key()


def _elem(g: Gen) -> bytes:
    r = g.rng.random()
    if r < 0.7:
        return g.pick(ELEMS)
    if r < 0.85:
        return bytes([g.rng.choice(b"abc")]) * g.rng.randint(50, 400)
    return g.value()


def _elems(g: Gen) -> list[bytes]:
    r = g.rng.random()
    if r < 0.75:
        return [_elem(g) for _ in range(g.rng.randint(1, 4))]
    if r < 0.93:
        return [_elem(g) for _ in range(g.rng.randint(10, 60))]
    # One long run of long elements: several nodes at once.
    size = g.rng.randint(100, 1200)
    return [bytes([g.rng.choice(b"xyz")]) * size for _ in range(g.rng.randint(10, 40))]


def _index(g: Gen) -> bytes:
    r = g.rng.random()
    if r < 0.85:
        return str(g.rng.randint(-120, 120)).encode()
    return g.pick([b"0", b"-1", b"9223372036854775807", b"-9223372036854775808", b"abc", b"",
                   b"1.5", b"01", b"-0", b"9223372036854775808"])


def _count(g: Gen) -> bytes:
    r = g.rng.random()
    if r < 0.8:
        return str(g.rng.randint(0, 12)).encode()
    return g.pick([b"-1", b"abc", b"9223372036854775807", b"", b"0", b"1000"])


def _dir(g: Gen) -> bytes:
    return g.pick(DIRS) if g.chance(0.95) else g.pick([b"UP", b"middle", b""])


@family("lists", W, share=3.0)
def gen_push(g: Gen):
    name = g.pick([b"LPUSH", b"RPUSH", b"LPUSH", b"RPUSH", b"LPUSHX", b"RPUSHX"])
    return cmd(name, _key(g), *_elems(g))


@family("lists", W, share=1.5)
def gen_pop(g: Gen):
    name = g.pick([b"LPOP", b"RPOP"])
    if g.chance(0.5):
        return cmd(name, _key(g))
    return cmd(name, _key(g), _count(g))


@family("lists", W, share=0.5)
def gen_llen(g: Gen):
    return cmd("LLEN", _key(g))


@family("lists", W, share=2.0)
def gen_lrange(g: Gen):
    return cmd("LRANGE", _key(g), _index(g), _index(g))


@family("lists", W)
def gen_lindex(g: Gen):
    return cmd("LINDEX", _key(g), _index(g))


@family("lists", W)
def gen_lset(g: Gen):
    return cmd("LSET", _key(g), _index(g), _elem(g))


@family("lists", W)
def gen_linsert(g: Gen):
    where = g.pick([b"BEFORE", b"AFTER", b"before", b"after"]) if g.chance(0.95) else b"NEAR"
    return cmd("LINSERT", _key(g), where, _elem(g), _elem(g))


@family("lists", W)
def gen_lrem(g: Gen):
    r = g.rng.random()
    if r < 0.9:
        count = str(g.rng.randint(-4, 4)).encode()
    else:
        count = g.pick([b"abc", b"-9223372036854775808", b"9223372036854775807", b""])
    return cmd("LREM", _key(g), count, _elem(g))


@family("lists", W, share=0.4)
def gen_ltrim(g: Gen):
    # Mostly wide windows, so lists keep most of their length.
    r = g.rng.random()
    if r < 0.7:
        start = str(g.rng.randint(-3, 3)).encode()
        stop = str(g.rng.randint(-3, 400)).encode()
        return cmd("LTRIM", _key(g), start, stop)
    return cmd("LTRIM", _key(g), _index(g), _index(g))


@family("lists", W)
def gen_lpos(g: Gen):
    opts: list[bytes] = []
    for _ in range(g.rng.choice([0, 0, 1, 1, 2, 3])):
        r = g.rng.random()
        if r < 0.35:
            rank = g.pick([b"1", b"2", b"3", b"-1", b"-2", b"-3", b"0", b"abc",
                           b"9223372036854775807", b"-9223372036854775808",
                           b"-9223372036854775807"])
            opts += [b"RANK", rank]
        elif r < 0.7:
            opts += [b"COUNT", g.pick([b"0", b"1", b"2", b"5", b"-1", b"abc"])]
        elif r < 0.95:
            opts += [b"MAXLEN", g.pick([b"0", b"1", b"3", b"10", b"-1", b"abc"])]
        else:
            opts.append(g.pick([b"RANK", b"BOGUS"]))
    return cmd("LPOS", _key(g), _elem(g), *opts)


@family("lists", W)
def gen_move(g: Gen):
    src = _key(g)
    dst = src if g.chance(0.2) else _key(g)
    if g.chance(0.3):
        return cmd("RPOPLPUSH", src, dst)
    return cmd("LMOVE", src, dst, _dir(g), _dir(g))


def _mpop_args(g: Gen) -> list[bytes]:
    keys = [_key(g) for _ in range(g.rng.randint(1, 3))]
    r = g.rng.random()
    if r < 0.85:
        numkeys = str(len(keys)).encode()
    else:
        numkeys = g.pick([b"0", b"-1", b"abc", str(len(keys) + 1).encode(), b"4",
                          b"9223372036854775807"])
    opts: list[bytes] = []
    if g.chance(0.5):
        opts = [b"COUNT", g.pick([b"1", b"2", b"5", b"100", b"0", b"-1", b"abc"])]
    if g.chance(0.05):
        opts.append(g.pick([b"COUNT", b"BOGUS"]))
    return [numkeys, *keys, _dir(g), *opts]


@family("lists", W)
def gen_lmpop(g: Gen):
    return cmd("LMPOP", *_mpop_args(g))


def _timeout(g: Gen) -> bytes:
    if g.chance(0.85):
        return g.pick([b"0", b"1", b"0.5", b"100"])
    return g.pick([b"abc", b"-1", b"1e400", b"inf", b"nan", b""])


@family("lists", W)
def gen_blocking(g: Gen):
    r = g.rng.random()
    if r < 0.3:
        keys = [_key(g) for _ in range(g.rng.randint(1, 3))]
        guard = keys[-1]
        main = cmd(g.pick([b"BLPOP", b"BRPOP"]), *keys, _timeout(g), mutable=False)
    elif r < 0.55:
        src, dst = _key(g), _key(g)
        guard = src
        if g.chance(0.4):
            main = cmd("BRPOPLPUSH", src, dst, _timeout(g), mutable=False)
        else:
            main = cmd("BLMOVE", src, dst, _dir(g), _dir(g), _timeout(g), mutable=False)
    else:
        keys = [_key(g) for _ in range(g.rng.randint(1, 3))]
        guard = keys[-1]
        opts = [b"COUNT", g.pick([b"1", b"3", b"0", b"abc"])] if g.chance(0.5) else []
        numkeys = str(len(keys)).encode() if g.chance(0.9) else g.pick([b"0", b"abc", b"9"])
        main = cmd("BLMPOP", _timeout(g), numkeys, *keys, _dir(g), *opts, mutable=False)
    return [cmd("RPUSH", guard, _elem(g), mutable=False), main]


@family("lists", W, share=0.3)
def gen_empty(g: Gen):
    # A scratch list emptied by each kind of removal, so every command's trailing "del" event
    # (and, for the moves, the push on a fresh destination) is compared.
    src, dst = b"{l}scratch", g.pick([b"{l}dst", b"{l}scratch", b"l0"])
    n = g.rng.randint(1, 3)
    fill = cmd("RPUSH", src, *[b"e"] * n, mutable=False)
    r = g.rng.random()
    if r < 0.2:
        last = cmd("LREM", src, g.pick([b"0", str(n).encode(), b"-%d" % n]), b"e")
    elif r < 0.35:
        last = cmd("LTRIM", src, g.pick([b"1", b"5"]), b"0")
    elif r < 0.5:
        last = cmd(g.pick([b"LPOP", b"RPOP"]), src, str(n).encode())
    elif r < 0.65:
        last = cmd("LMPOP", b"2", b"{l}none", src, _dir(g), b"COUNT", str(n).encode())
    elif r < 0.8:
        last = cmd(g.pick([b"BLMPOP", b"BLPOP"]), *([b"0", b"1", src, b"LEFT", b"COUNT", b"5"]
                                                  if g.chance(0.5) else [src, b"0"]),
                   mutable=False)
        if last.args[0] == b"BLPOP":
            fill = cmd("RPUSH", src, b"e", mutable=False)
    else:
        fill = cmd("RPUSH", src, b"e", mutable=False)
        last = cmd("LMOVE", src, dst, _dir(g), _dir(g))
    return [cmd("DEL", b"{l}dst", mutable=False), fill, last]


@family("lists", W, share=0.3)
def gen_other_types(g: Gen):
    # Strings on shared keys (and, rarely, on a list key) for WRONGTYPE; DELs bring keys back
    # into play as lists.
    r = g.rng.random()
    if r < 0.4:
        return cmd("SET", g.key(), g.word())
    if r < 0.45:
        return cmd("SET", g.pick(LIST_KEYS), g.word())
    if r < 0.75:
        return cmd("DEL", g.key())
    return cmd("DEL", g.pick(LIST_KEYS))
