"""Stream commands: XADD in every ID form with MAXLEN/MINID (=, ~, LIMIT) and NOMKSTREAM,
XRANGE/XREVRANGE, XLEN, XDEL, XTRIM, XSETID, XREAD and XREADGROUP without blocking (BLOCK
only inside MULTI, where it cannot block), every XGROUP subcommand, XACK, both XPENDING forms,
XCLAIM with all its options, XAUTOCLAIM, XINFO STREAM [FULL]/GROUPS/CONSUMERS/HELP, plus
OBJECT ENCODING, TYPE, COPY/RENAME of streams and small stream-node-max-* settings so that
listpack nodes split and `~` trimming (which only drops whole nodes) shows.

Determinism:
- IDs are never `*` (a time-based ID differs between servers, and so would its AOF form):
  each stream key has a counter of milliseconds in the generator that only grows, and XADD
  takes "<ms>-<seq>", "<ms>-*" or "<ms>" near it, so most adds succeed and some are refused
  as not greater than the top item;
- a pending entry's delivery time and a consumer's seen time come from each server's clock.
  Only two "idle" thresholds are ever used (XPENDING IDLE, XCLAIM/XAUTOCLAIM min-idle-time):
  0, which everything passes, and 10^10 ms (about 4 months), which only entries whose delivery
  time was set by XCLAIM TIME to a time long past (or IDLE of 10^11) pass; every other
  XCLAIM IDLE/TIME leaves an entry idle for far less than that;
- replies that show those times (XPENDING's extended form, XINFO CONSUMERS, XINFO STREAM
  FULL) get norm "xtimes": `blank_times` replaces every idle, seen-time and delivery-time
  number with a placeholder and keeps everything else byte for byte.

Blocking forms inside MULTI, XREAD/XREADGROUP and the CONFIG SETs are never mutated (a
mutation could drop the MULTI or a junk argument could turn into a BLOCK timeout).
"""

import re

from .core import Gen, cmd, family

W = 5.0

STREAM_KEYS = [b"x:0", b"x:1", b"x:2"]
GROUPS = [b"g1", b"g1", b"g1", b"g2", b"g2", b"g3"]
CONSUMERS = [b"c1", b"c2", b"c3", b"", b"Alice"]
FIELDS = [b"a", b"b", b"f", b"field", b"1", b"", b"x y", b"\xff"]
FAR_IDLE = b"10000000000"  # 10^10 ms: only entries claimed with an old TIME are this idle

# --- normalisation -------------------------------------------------------------------------

_IDLE_RE = re.compile(rb"(\$4\r\nidle\r\n|\$9\r\nseen-time\r\n):\d+\r\n")
# A PEL entry: XPENDING's [id, consumer, idle, count], XINFO STREAM FULL's group entries
# [id, consumer, delivery-time, count] and consumer entries [id, delivery-time, count].
_PEL4_RE = re.compile(rb"(\*4\r\n\$\d+\r\n\d+-\d+\r\n\$\d+\r\n[^\r]*\r\n):\d+\r\n(:\d+\r\n)")
_PEL3_RE = re.compile(rb"(\*3\r\n\$\d+\r\n\d+-\d+\r\n):\d+\r\n(:\d+\r\n)")


def blank_times(raw: bytes) -> bytes:
    """The reply with every clock-derived number (idle, seen-time, delivery-time) replaced."""
    raw = _IDLE_RE.sub(rb"\1:<time>\r\n", raw)
    raw = _PEL4_RE.sub(rb"\1:<time>\r\n\2", raw)
    return _PEL3_RE.sub(rb"\1:<time>\r\n\2", raw)


def _fixed(*args, **kw):
    return cmd(*args, mutable=False, **kw)


# --- argument helpers ----------------------------------------------------------------------

def _state(g: Gen) -> dict:
    # One counter for all keys: COPY and RENAME move streams between the keys.
    return g.__dict__.setdefault("_stream_ms", {})


def _recent(g: Gen, key: bytes) -> list:
    """IDs recently given to XADD on `key`: XDEL, XACK and XCLAIM mostly name real entries."""
    return g.__dict__.setdefault("_stream_ids", [])


def _remember(g: Gen, key: bytes, i: bytes) -> bytes:
    ids = _recent(g, key)
    ids.append(i)
    del ids[:-40]
    return i


def _key(g: Gen) -> bytes:
    r = g.rng.random()
    if r < 0.85:
        return g.pick(STREAM_KEYS)
    if r < 0.92:
        return b"x:missing"
    return g.key()  # the shared pool: other types (WRONGTYPE) or a stream of its own


def _top(g: Gen, key: bytes) -> int:
    return _state(g).get(b"top", 0)


def _add_id(g: Gen, key: bytes) -> bytes:
    st = _state(g)
    ms = st.get(b"top", 0)
    r = g.rng.random()
    if r < 0.03:
        return g.pick([b"0-0", b"0", b"abc", b"1-", b"-1", b"+", b"-", b"1-x", b"",
                       b"18446744073709551616", b"0-*", b"*-1", b"(5"])
    if r < 0.10:
        return b"%d-%d" % (max(0, ms - g.rng.randint(0, 3)), g.rng.randint(0, 3))  # often low
    if r < 0.102 and key == b"x:2":
        # The last possible ID: later adds fail until the key is reset.
        return g.pick([b"18446744073709551615-18446744073709551615",
                       b"18446744073709551615-*", b"18446744073709551615"])
    ms += g.rng.randint(1, 3) if g.chance(0.8) else 0
    st[b"top"] = ms
    r = g.rng.random()
    if r < 0.6:
        return _remember(g, key, b"%d-%d" % (ms, g.rng.randint(0, 4)))
    if r < 0.9:
        return b"%d-*" % ms
    return _remember(g, key, b"%d-0" % ms)


def _id(g: Gen, key: bytes, exclusive_ok=True) -> bytes:
    """An ID around the key's entries, for ranges, XDEL, XACK, XCLAIM..."""
    top = _top(g, key)
    recent = _recent(g, key)
    r = g.rng.random()
    if recent and g.chance(0.5):
        i = g.pick(recent)
    elif r < 0.55:
        i = b"%d-%d" % (g.rng.randint(0, top + 2), g.rng.randint(0, 4))
    elif r < 0.75:
        i = b"%d" % g.rng.randint(0, top + 2)
    elif r < 0.9:
        i = g.pick([b"0", b"0-0", b"0-1", b"18446744073709551615-18446744073709551615",
                    b"18446744073709551615", b"%d-18446744073709551615" % top])
    else:
        return g.pick([b"abc", b"1-", b"-1", b"1-x", b"", b"18446744073709551616", b"1.5",
                       b"1-18446744073709551616", b" 1", b"01-01", b"*", b"$", b">"])
    if exclusive_ok and g.chance(0.15):
        return b"(" + i
    return i


def _start(g: Gen, key: bytes) -> bytes:
    return g.pick([b"-", b"-", b"(-", b"+"]) if g.chance(0.35) else _id(g, key)


def _end(g: Gen, key: bytes) -> bytes:
    return g.pick([b"+", b"+", b"(+", b"-"]) if g.chance(0.35) else _id(g, key)


def _count(g: Gen) -> bytes:
    r = g.rng.random()
    if r < 0.85:
        return b"%d" % g.rng.randint(0, 12)
    return g.pick([b"-1", b"abc", b"9223372036854775807", b"", b"-9223372036854775808",
                   b"9223372036854775808", b"1.5"])


def _value(g: Gen) -> bytes:
    r = g.rng.random()
    if r < 0.5:
        return g.pick([b"1", b"2", b"-7", b"v", b"hello", b"", b"123456789", b"x" * 20])
    if r < 0.85:
        return g.value()
    return bytes([g.rng.choice(b"abc")]) * g.rng.randint(60, 500)


def _fields(g: Gen) -> list[bytes]:
    out = []
    n = g.rng.randint(1, 3) if g.chance(0.9) else g.rng.randint(4, 12)
    same = g.chance(0.5)  # SAMEFIELDS entries: the node's master fields again
    for i in range(n):
        out += [FIELDS[i % len(FIELDS)] if same else g.pick(FIELDS), _value(g)]
    if g.chance(0.01):
        out.pop()  # odd: arity error
    return out


def _threshold(g: Gen, key: bytes, minid: bool) -> bytes:
    if minid:
        if g.chance(0.1):
            return g.pick([b"-", b"+", b"abc", b"(5", b"0", b"18446744073709551615-1"])
        return b"%d-%d" % (max(0, _top(g, key) - g.rng.randint(0, 12)), g.rng.randint(0, 3))
    if g.chance(0.1):
        return g.pick([b"-1", b"abc", b"", b"9223372036854775807", b"9223372036854775808",
                       b"1.5"])
    return b"%d" % g.rng.randint(0, 15)


def _trim_args(g: Gen, key: bytes) -> list[bytes]:
    minid = g.chance(0.35)
    out = [g.pick([b"MINID", b"minid"]) if minid else g.pick([b"MAXLEN", b"maxlen"])]
    r = g.rng.random()
    approx = False
    if r < 0.4:
        out.append(b"~")
        approx = True
    elif r < 0.6:
        out.append(b"=")
    out.append(_threshold(g, key, minid))
    if g.chance(0.3 if approx else 0.05):
        out += [b"LIMIT", g.pick([b"0", b"1", b"2", b"5", b"100", b"-1", b"abc"])]
    return out


# --- writes --------------------------------------------------------------------------------

@family("streams", W, share=5)
def gen_xadd(g: Gen):
    key = _key(g)
    args = [b"XADD", key]
    if g.chance(0.1):
        args.append(b"NOMKSTREAM")
    if g.chance(0.3):
        args += _trim_args(g, key)
    if g.chance(0.03):
        args.insert(2 + g.rng.randint(0, len(args) - 2), g.pick([b"NOMKSTREAM", b"LIMIT", b"~"]))
    args.append(_add_id(g, key))
    args += _fields(g)
    return cmd(*args)


@family("streams", W, share=0.5)
def gen_xadd_batch(g: Gen):
    # A run of adds: the node limits split them into several listpacks.
    key = g.pick(STREAM_KEYS)
    out = []
    for _ in range(g.rng.randint(5, 30)):
        out.append(cmd(b"XADD", key, _add_id(g, key), *_fields(g)))
    return out


@family("streams", W, share=1.2)
def gen_xtrim(g: Gen):
    key = _key(g)
    args = [b"XTRIM", key, *_trim_args(g, key)]
    if g.chance(0.05):
        args = g.pick([[b"XTRIM", key], [b"XTRIM", key, b"MAXLEN"], [b"XTRIM", key, b"FOO", b"1"],
                       [b"XTRIM", key, b"MAXLEN", b"~"], [b"XTRIM", key, b"MAXLEN", b"1", b"MINID",
                                                           b"1"]])
    return cmd(*args)


@family("streams", W, share=1.5)
def gen_xdel(g: Gen):
    key = _key(g)
    return cmd(b"XDEL", key, *[_id(g, key, False) for _ in range(g.rng.randint(1, 4))])


@family("streams", W, share=0.6)
def gen_xsetid(g: Gen):
    key = _key(g)
    top = _top(g, key)
    args = [b"XSETID", key, _id(g, key, False) if g.chance(0.7) else b"%d-9" % (top + 1)]
    if g.chance(0.4):
        args += [b"ENTRIESADDED", g.pick([b"0", b"1", b"5", b"100", b"-1", b"abc",
                                          b"9223372036854775807"])]
    if g.chance(0.4):
        args += [b"MAXDELETEDID", _id(g, key, False)]
    if g.chance(0.05):
        args.append(g.pick([b"ENTRIESADDED", b"junk"]))
    return cmd(*args)


@family("streams", W, share=0.4)
def gen_config(g: Gen):
    if g.chance(0.5):
        return _fixed(b"CONFIG", b"SET", b"stream-node-max-entries",
                      g.pick([b"1", b"2", b"3", b"5", b"10", b"100", b"0"]))
    # Only 0 (no limit), 1 (one entry per node) and the default: byte limits in between (60,
    # 200, 1000 with these entry sizes) make Redis 7.0.15 itself crash now and then (a listpack
    # assertion in lpFirst under XREVRANGE, heap corruption in later commands).
    return _fixed(b"CONFIG", b"SET", b"stream-node-max-bytes", g.pick([b"0", b"1", b"4096"]))


@family("streams", W, share=0.5)
def gen_reset(g: Gen):
    key = _key(g)
    r = g.rng.random()
    if r < 0.5:
        return cmd(b"DEL", key)
    if r < 0.7:
        return cmd(b"COPY", key, g.pick(STREAM_KEYS), *([b"REPLACE"] if g.chance(0.6) else []))
    if r < 0.8:
        return cmd(b"RENAME", key, g.pick(STREAM_KEYS))
    return cmd(b"EXISTS", key)


# --- reads ---------------------------------------------------------------------------------

@family("streams", W, share=3)
def gen_range(g: Gen):
    key = _key(g)
    rev = g.chance(0.4)
    a, z = _start(g, key), _end(g, key)
    if rev:
        a, z = z, a
    args = [b"XREVRANGE" if rev else b"XRANGE", key, a, z]
    if g.chance(0.4):
        args += [b"COUNT", _count(g)]
    if g.chance(0.03):
        args.append(g.pick([b"COUNT", b"junk"]))
    return cmd(*args)


@family("streams", W, share=1)
def gen_small(g: Gen):
    key = _key(g)
    r = g.rng.random()
    if r < 0.5:
        return cmd(b"XLEN", key)
    if r < 0.75:
        return cmd(b"TYPE", key)
    return cmd(b"OBJECT", b"ENCODING", key)


def _read_ids(g: Gen, keys: list[bytes]) -> list[bytes]:
    out = []
    for k in keys:
        r = g.rng.random()
        if r < 0.15:
            out.append(b"$")
        elif r < 0.3:
            out.append(b"0")
        else:
            out.append(_id(g, k, False) if g.chance(0.9) else g.pick([b"+", b"-", b">"]))
    return out


@family("streams", W, share=2)
def gen_xread(g: Gen):
    keys = [_key(g) for _ in range(g.rng.randint(1, 3))]
    args = [b"XREAD"]
    if g.chance(0.5):
        args += [b"COUNT", _count(g)]
    args.append(g.pick([b"STREAMS", b"streams"]))
    args += keys + _read_ids(g, keys)
    r = g.rng.random()
    if r < 0.04:
        args.pop()  # unbalanced
    elif r < 0.06:
        args = g.pick([[b"XREAD"], [b"XREAD", b"STREAMS"], [b"XREAD", b"COUNT", b"1"],
                       [b"XREAD", b"NOACK", b"STREAMS", keys[0], b"0"],
                       [b"XREAD", b"GROUP", b"g1", b"c1", b"STREAMS", keys[0], b"0"]])
    return _fixed(*args)


@family("streams", W, share=3)
def gen_xreadgroup(g: Gen):
    keys = [_key(g) for _ in range(1 if g.chance(0.8) else 2)]
    args = [b"XREADGROUP", b"GROUP", g.pick(GROUPS), g.pick(CONSUMERS)]
    if g.chance(0.5):
        args += [b"COUNT", _count(g) if g.chance(0.3) else b"%d" % g.rng.randint(1, 4)]
    if g.chance(0.2):
        args.append(b"NOACK")
    args.append(b"STREAMS")
    args += keys
    for k in keys:
        args.append(b">" if g.chance(0.7) else (b"0" if g.chance(0.5) else _id(g, k, False)))
    r = g.rng.random()
    if r < 0.03:
        args.pop()
    elif r < 0.06:
        args = g.pick([[b"XREADGROUP", b"STREAMS", keys[0], b">"],
                       [b"XREADGROUP", b"GROUP", b"g1", b"STREAMS", keys[0], b">"],
                       [b"XREADGROUP", b"GROUP", b"g1", b"c1", b"STREAMS", keys[0], b"$"],
                       [b"XREADGROUP", b"GROUP", b"g1", b"c1", b"COUNT", b"-1", b"STREAMS",
                        keys[0], b">"]])
    return _fixed(*args)


@family("streams", W, share=0.5)
def gen_block_in_multi(g: Gen):
    # Inside MULTI a BLOCK never blocks: the reply is the same as without it.
    key = _key(g)
    if g.chance(0.5):
        inner = _fixed(b"XREAD", b"BLOCK", g.pick([b"0", b"100"]), b"STREAMS", key,
                       g.pick([b"$", b"0", _id(g, key, False)]))
    else:
        inner = _fixed(b"XREADGROUP", b"GROUP", g.pick(GROUPS), g.pick(CONSUMERS), b"BLOCK",
                       g.pick([b"0", b"100"]), b"STREAMS", key, g.pick([b">", b"0"]))
    return [_fixed(b"MULTI"), inner, _fixed(b"EXEC")]


# --- consumer groups -----------------------------------------------------------------------

@family("streams", W, share=2.5)
def gen_xgroup(g: Gen):
    key = _key(g)
    grp = g.pick(GROUPS)
    r = g.rng.random()
    if r < 0.35:
        args = [b"XGROUP", b"CREATE", key, grp,
                g.pick([b"$", b"0", b"0-0"]) if g.chance(0.5) else _id(g, key, False)]
        if g.chance(0.4):
            args.append(b"MKSTREAM")
        if g.chance(0.3):
            args += [b"ENTRIESREAD", g.pick([b"0", b"1", b"3", b"-1", b"-2", b"abc", b"100"])]
        return cmd(*args)
    if r < 0.5:
        args = [b"XGROUP", b"SETID", key, grp,
                g.pick([b"$", b"0"]) if g.chance(0.4) else _id(g, key, False)]
        if g.chance(0.3):
            args += [b"ENTRIESREAD", g.pick([b"0", b"2", b"-1", b"-3", b"x"])]
        return cmd(*args)
    if r < 0.62:
        return cmd(b"XGROUP", b"DESTROY", key, grp)
    if r < 0.77:
        return cmd(b"XGROUP", b"CREATECONSUMER", key, grp, g.pick(CONSUMERS))
    if r < 0.92:
        return cmd(b"XGROUP", b"DELCONSUMER", key, grp, g.pick(CONSUMERS))
    return cmd(*g.pick([[b"XGROUP", b"HELP"], [b"XGROUP", b"help"], [b"XGROUP", b"FOO"],
                        [b"XGROUP"], [b"XGROUP", b"CREATE", key],
                        [b"XGROUP", b"HELP", b"x"], [b"XGROUP", b"DESTROY", key]]))


@family("streams", W, share=1.5)
def gen_xack(g: Gen):
    key = _key(g)
    return cmd(b"XACK", key, g.pick(GROUPS), *[_id(g, key, False)
                                               for _ in range(g.rng.randint(1, 4))])


@family("streams", W, share=2)
def gen_xpending(g: Gen):
    key = _key(g)
    grp = g.pick(GROUPS)
    if g.chance(0.35):
        return cmd(b"XPENDING", key, grp)
    args = [b"XPENDING", key, grp]
    if g.chance(0.3):
        args += [b"IDLE", g.pick([b"0", FAR_IDLE, FAR_IDLE, b"-1", b"abc"])]
    args += [_start(g, key), _end(g, key), _count(g) if g.chance(0.3) else b"10"]
    if g.chance(0.4):
        args.append(g.pick(CONSUMERS))
    if g.chance(0.03):
        args.append(b"junk")
    return cmd(*args, norm="xtimes")


def _claim_opts(g: Gen, key: bytes) -> list[bytes]:
    out = []
    for _ in range(g.rng.randint(0, 3)):
        r = g.rng.random()
        if r < 0.2:
            out += [b"IDLE", g.pick([b"0", b"5000", b"100000000000", b"-5", b"abc"])]
        elif r < 0.4:
            out += [b"TIME", g.pick([b"0", b"1000", b"1600000000000", b"99999999999999",
                                     b"-1", b"x"])]
        elif r < 0.55:
            out += [b"RETRYCOUNT", g.pick([b"0", b"3", b"-1", b"abc"])]
        elif r < 0.7:
            out.append(b"FORCE")
        elif r < 0.85:
            out.append(b"JUSTID")
        elif r < 0.97:
            out += [b"LASTID", _id(g, key, False)]
        else:
            out.append(g.pick([b"junk", b"IDLE", b"LASTID"]))
    return out


@family("streams", W, share=2)
def gen_xclaim(g: Gen):
    key = _key(g)
    min_idle = g.pick([b"0", b"0", FAR_IDLE]) if g.chance(0.95) else g.pick([b"-1", b"x"])
    ids = [_id(g, key, False) for _ in range(g.rng.randint(1, 4))]
    return cmd(b"XCLAIM", key, g.pick(GROUPS), g.pick(CONSUMERS), min_idle, *ids,
               *_claim_opts(g, key))


@family("streams", W, share=1.5)
def gen_xautoclaim(g: Gen):
    key = _key(g)
    min_idle = g.pick([b"0", b"0", FAR_IDLE]) if g.chance(0.95) else g.pick([b"-1", b"x"])
    args = [b"XAUTOCLAIM", key, g.pick(GROUPS), g.pick(CONSUMERS), min_idle,
            g.pick([b"0", b"-", b"0-0"]) if g.chance(0.5) else _id(g, key, True)]
    if g.chance(0.5):
        args += [b"COUNT", g.pick([b"1", b"2", b"5", b"100", b"0", b"-1",
                                   b"9223372036854775807", b"abc"])]
    if g.chance(0.3):
        args.append(b"JUSTID")
    if g.chance(0.03):
        args.append(b"junk")
    return cmd(*args)


@family("streams", W, share=2)
def gen_xinfo(g: Gen):
    key = _key(g)
    r = g.rng.random()
    if r < 0.35:
        return cmd(b"XINFO", b"STREAM", key)
    if r < 0.6:
        args = [b"XINFO", b"STREAM", key, b"FULL"]
        if g.chance(0.5):
            args += [b"COUNT", g.pick([b"0", b"1", b"2", b"5", b"-1", b"abc"])]
        return cmd(*args, norm="xtimes")
    if r < 0.75:
        return cmd(b"XINFO", b"GROUPS", key)
    if r < 0.92:
        return cmd(b"XINFO", b"CONSUMERS", key, g.pick(GROUPS), norm="xtimes")
    # A mutation may cut "COUNT" off the second form: a real FULL reply, hence the norm.
    return cmd(*g.pick([[b"XINFO", b"HELP"], [b"XINFO"], [b"XINFO", b"FOO", key],
                        [b"XINFO", b"STREAM"], [b"XINFO", b"STREAM", key, b"FULL", b"COUNT"],
                        [b"XINFO", b"STREAM", key, b"junk"], [b"XINFO", b"CONSUMERS", key]]),
               norm="xtimes")


@family("streams", W, share=1)
def gen_group_setup(g: Gen):
    # A group (often there already: BUSYGROUP) and a delivery to it, so XACK, XCLAIM,
    # XAUTOCLAIM and XPENDING meet pending entries.
    key = g.pick(STREAM_KEYS)
    grp = g.pick(GROUPS)
    out = [_fixed(b"XGROUP", b"CREATE", key, grp, g.pick([b"0", b"0", b"$"]), b"MKSTREAM")]
    for _ in range(g.rng.randint(1, 3)):
        out.append(_fixed(b"XREADGROUP", b"GROUP", grp, g.pick(CONSUMERS), b"COUNT",
                          b"%d" % g.rng.randint(1, 5), b"STREAMS", key, b">"))
    return out


@family("streams", W, share=1.5)
def gen_pel_scenario(g: Gen):
    # A known stream with known pending entries, then claims, acks and reads naming them.
    key = b"x:s"
    n = g.rng.randint(3, 8)
    ids = [b"%d-1" % i for i in range(1, n + 1)]
    out = [_fixed(b"DEL", key)]
    out += [_fixed(b"XADD", key, i, b"f", b"v" + i) for i in ids]
    out.append(_fixed(b"XGROUP", b"CREATE", key, b"g1", b"0"))
    for c in g.rng.sample([b"c1", b"c2", b"c3"], g.rng.randint(1, 3)):
        opts = [b"NOACK"] if g.chance(0.15) else []
        out.append(_fixed(b"XREADGROUP", b"GROUP", b"g1", c, b"COUNT", b"%d" % g.rng.randint(1, 3),
                          *opts, b"STREAMS", key, b">"))
    if g.chance(0.3):
        out.append(cmd(b"XDEL", key, g.pick(ids)))  # a pending entry gone from the stream
    pick = lambda: g.pick(ids) if g.chance(0.9) else g.pick([b"99-1", b"0-1", b"1"])
    for _ in range(g.rng.randint(2, 7)):
        r = g.rng.random()
        c = g.pick([b"c1", b"c2", b"c3", b"c4"])
        if r < 0.3:
            out.append(cmd(b"XCLAIM", key, b"g1", c, g.pick([b"0", b"0", FAR_IDLE]),
                           *[pick() for _ in range(g.rng.randint(1, 3))], *_claim_opts(g, key)))
        elif r < 0.45:
            args = [b"XAUTOCLAIM", key, b"g1", c, g.pick([b"0", b"0", FAR_IDLE]),
                    g.pick([b"0", b"-", pick(), b"(" + pick()])]
            if g.chance(0.6):
                args += [b"COUNT", g.pick([b"1", b"2", b"3", b"100"])]
            if g.chance(0.3):
                args.append(b"JUSTID")
            out.append(cmd(*args))
        elif r < 0.58:
            out.append(cmd(b"XACK", key, b"g1", *[pick() for _ in range(g.rng.randint(1, 3))]))
        elif r < 0.72:
            args = [b"XPENDING", key, b"g1"]
            if g.chance(0.7):
                if g.chance(0.3):
                    args += [b"IDLE", g.pick([b"0", FAR_IDLE])]
                args += [g.pick([b"-", pick()]), g.pick([b"+", pick()]), g.pick([b"1", b"10"])]
                if g.chance(0.4):
                    args.append(c)
            out.append(cmd(*args, norm="xtimes"))
        elif r < 0.82:
            out.append(_fixed(b"XREADGROUP", b"GROUP", b"g1", c, b"STREAMS", key,
                              g.pick([b"0", pick()])))
        elif r < 0.9:
            out.append(cmd(b"XINFO", b"STREAM", key, b"FULL", norm="xtimes"))
        elif r < 0.95:
            out.append(cmd(b"XINFO", b"CONSUMERS", key, b"g1", norm="xtimes"))
        else:
            out.append(cmd(b"XINFO", b"GROUPS", key))
    return out
