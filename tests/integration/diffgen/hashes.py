"""Hash commands: HSET/HMSET/HSETNX, the readers, HDEL, HINCRBY/HINCRBYFLOAT
with edge numbers, HGETALL/HKEYS/HVALS, HRANDFIELD in deterministic shapes,
HSCAN, and OBJECT ENCODING to pin down when listpack turns into hashtable.

Three kinds of hash keys:
- "hs:*" keys only ever get fields from a pool of 15 names and values of at
  most 64 bytes, and HINCRBYFLOAT only small increments there, so they stay
  listpacks for good (< 512 entries, nothing longer than 64 bytes).  Listpack
  order is insertion order, identical in both servers, so every reply built
  from them (HGETALL, HKEYS, HVALS, HSCAN's single page, HRANDFIELD with a
  count of at least the size) is compared exactly.  Only this module writes
  them; a mutated write can only fail (odd HSET arguments) or touch pool
  fields.
- "hb:*" keys (and sometimes the shared pool, where other families leave
  strings, lists and sets for WRONGTYPE) get anything: values around the
  64-byte limit, long fields, huge HINCRBYFLOAT results and occasional HSETs
  of a few hundred fields that take them past 512 entries.  Once a hashtable
  their order is the hash seed's, so multi-field replies are compared as
  sorted pairs or sorted elements.
- "{hash}one" is a scratch hash of one field, where HRANDFIELD without a
  count and with a negative count is deterministic.

HRANDFIELD and HSCAN are never mutated: cutting the count off a deterministic
form makes it random.  Huge negative HRANDFIELD counts that pass the range
check are never sent: Redis would try to write them all.
"""

from .core import EDGE_NUMBERS, Gen, cmd, family

W = 5.0

SMALL_KEYS = [b"hs:0", b"hs:1", b"hs:2"]
BIG_KEYS = [b"hb:0", b"hb:1", b"hb:2"]
ONE = b"{hash}one"
MISSING = b"{hash}missing"

SMALL_FIELDS = [b"a", b"b", b"c", b"f1", b"f2", b"1", b"-5", b"100", b"", b"x y", b"\xff\x00",
                b"01", b"9223372036854775807", b"F" * 64, b"long" + b"z" * 58]
assert len(SMALL_FIELDS) < 16 and all(len(f) <= 64 for f in SMALL_FIELDS)

# Values for the small keys: nothing a float parser reads as huge, so HINCRBYFLOAT there stays
# short; a few right at the 64-byte limit.
SMALL_NUMBERS = [b"0", b"-0", b"1", b"-1", b"01", b"007", b" 1", b"1 ", b"+1", b"1.5", b"-3.14",
                 b"0.1", b".5", b"1.", b"0x10", b"abc", b"", b"9223372036854775807",
                 b"-9223372036854775808", b"9223372036854775806", b"inf", b"nan"]

FIELD_PATTERNS = [b"*", b"f*", b"f1?", b"[a-c]", b"*z*", b"1*", b"\\*", b"?", b"F*", b"x y",
                  b"f[0-9]", b"*0"]


def _small_value(g: Gen) -> bytes:
    r = g.rng.random()
    if r < 0.3:
        return str(g.rng.randint(-1000, 100000)).encode()
    if r < 0.45:
        return g.pick(SMALL_NUMBERS)
    if r < 0.65:
        return g.word()
    if r < 0.75:
        return g.binary(0, 12)
    if r < 0.85:
        return bytes([g.rng.choice(b"xyz")]) * g.pick([62, 63, 64])
    return repr(round(g.rng.uniform(-1000, 1000), g.rng.randint(0, 6))).encode()


def _field(g: Gen) -> bytes:
    r = g.rng.random()
    if r < 0.55:
        return b"f%d" % g.rng.randint(0, 30)
    if r < 0.8:
        return g.pick(SMALL_FIELDS)
    if r < 0.9:
        return b"k" * g.pick([63, 64, 65, 66])  # field length around the limit
    return g.value()


def _value(g: Gen) -> bytes:
    r = g.rng.random()
    if r < 0.15:
        return bytes([g.rng.choice(b"abc")]) * g.pick([63, 64, 65, 66, 200])
    if r < 0.3:
        return _small_value(g)
    return g.value()


def _big_key(g: Gen) -> bytes:
    return g.pick(BIG_KEYS) if g.chance(0.75) else g.key()


def _any_key(g: Gen) -> tuple[bytes, bool]:
    """A key and whether it is one of the always-listpack keys."""
    if g.chance(0.45):
        return g.pick(SMALL_KEYS), True
    return _big_key(g), False


def _pairs(g: Gen, small: bool, lo=1, hi=4) -> list[bytes]:
    out = []
    for _ in range(g.rng.randint(lo, hi)):
        if small:
            out += [g.pick(SMALL_FIELDS), _small_value(g)]
        else:
            out += [_field(g), _value(g)]
    return out


@family("hashes", W, share=3)
def gen_hset(g: Gen):
    key, small = _any_key(g)
    name = g.pick([b"HSET", b"HSET", b"HSET", b"HMSET"])
    if not small and g.chance(0.06):
        # A big batch: a few of these take a hash past hash-max-listpack-entries (512).
        base = g.rng.randint(0, 300)
        args = []
        for i in range(g.rng.randint(150, 520)):
            args += [b"f%d" % (base + i), str(g.rng.randint(0, 1000)).encode()]
        return cmd(name, key, *args)
    if g.chance(0.04):
        return cmd(name, key, *_pairs(g, small)[:-1])  # odd: arity error
    return cmd(name, key, *_pairs(g, small))


@family("hashes", W)
def gen_hsetnx(g: Gen):
    key, small = _any_key(g)
    if small:
        return cmd("HSETNX", key, g.pick(SMALL_FIELDS), _small_value(g))
    return cmd("HSETNX", key, _field(g), _value(g))


@family("hashes", W, share=1.5)
def gen_hdel(g: Gen):
    key, small = _any_key(g)
    n = g.rng.randint(1, 4)
    fields = [g.pick(SMALL_FIELDS) if small or g.chance(0.3) else _field(g) for _ in range(n)]
    return cmd("HDEL", key, *fields)


@family("hashes", W, share=0.3)
def gen_hdel_all(g: Gen):
    # A scratch hash losing its last field: "hdel" then "del".
    key = b"{hash}scratch"
    fields = [b"a", b"b", b"c"][:g.rng.randint(1, 3)]
    fill = cmd("HSET", key, *[x for f in fields for x in (f, b"1")], mutable=False)
    return [fill, cmd("HDEL", key, *g.rng.sample(fields + [b"zz"], len(fields) + 1))]


@family("hashes", W, share=3)
def gen_read(g: Gen):
    key, small = _any_key(g)
    f = (lambda: g.pick(SMALL_FIELDS)) if small else (lambda: _field(g))
    r = g.rng.random()
    if r < 0.35:
        return cmd("HGET", key, f())
    if r < 0.55:
        return cmd("HMGET", key, *[f() for _ in range(g.rng.randint(1, 5))])
    if r < 0.7:
        return cmd("HEXISTS", key, f())
    if r < 0.85:
        return cmd("HSTRLEN", key, f())
    return cmd("HLEN", key)


@family("hashes", W, share=2)
def gen_getall(g: Gen):
    key, small = _any_key(g)
    name = g.pick([b"HGETALL", b"HGETALL", b"HKEYS", b"HVALS"])
    if small:
        return cmd(name, key)
    return cmd(name, key, norm="pairs" if name == b"HGETALL" else "sort")


def _incr_int(g: Gen) -> bytes:
    r = g.rng.random()
    if r < 0.6:
        return str(g.rng.randint(-100, 100)).encode()
    if r < 0.8:
        return g.pick(EDGE_NUMBERS)
    return g.pick([b"9223372036854775807", b"-9223372036854775808", b"9223372036854775000",
                   b"-9223372036854775000", b"1000000000000000000"])


@family("hashes", W, share=2)
def gen_hincrby(g: Gen):
    key, small = _any_key(g)
    field = g.pick(SMALL_FIELDS[:8]) if small or g.chance(0.5) else _field(g)
    return cmd("HINCRBY", key, field, _incr_int(g))


def _incr_float_small(g: Gen) -> bytes:
    r = g.rng.random()
    if r < 0.4:
        return str(g.rng.randint(-100, 100)).encode()
    if r < 0.8:
        return repr(round(g.rng.uniform(-100, 100), g.rng.randint(0, 5))).encode()
    return g.pick([b"abc", b"nan", b"inf", b"-inf", b"+inf", b"1e", b"", b" 1", b"1e5000",
                   b"0x10", b"1E2", b"-0", b"5e-3"])


@family("hashes", W, share=2)
def gen_hincrbyfloat(g: Gen):
    key, small = _any_key(g)
    if small:
        return cmd("HINCRBYFLOAT", key, g.pick(SMALL_FIELDS[:8]), _incr_float_small(g))
    field = g.pick(SMALL_FIELDS[:8]) if g.chance(0.5) else _field(g)
    incr = g.float_arg() if g.chance(0.6) else _incr_float_small(g)
    if g.chance(0.05):
        incr = g.pick([b"1.1e4932", b"-1.1e4932", b"1e4933"])
    return cmd("HINCRBYFLOAT", key, field, incr)


@family("hashes", W, share=2)
def gen_hrandfield(g: Gen):
    r = g.rng.random()
    if r < 0.2:
        # Deterministic forms on a one-field scratch hash.
        f, v = g.pick(SMALL_FIELDS), _small_value(g)
        count = [] if g.chance(0.3) else [str(g.rng.randint(-5, 5)).encode()]
        wv = [b"WITHVALUES"] if count and g.chance(0.5) else []
        return [cmd("DEL", ONE, mutable=False), cmd("HSET", ONE, f, v, mutable=False),
                cmd("HRANDFIELD", ONE, *count, *wv, mutable=False)]
    if r < 0.35:
        # The whole of an always-listpack hash: listpack order, compared exactly.
        count = g.pick([b"16", b"100", b"4611686018427387903", b"9223372036854775807"])
        wv = [b"WITHVALUES"] if count != b"9223372036854775807" and g.chance(0.5) else []
        return cmd("HRANDFIELD", g.pick(SMALL_KEYS), count, *wv, mutable=False)
    if r < 0.5:
        # The whole of any hash, in hash order.
        wv = g.chance(0.5)
        return cmd("HRANDFIELD", _big_key(g), g.pick([b"100000", b"4611686018427387903"]),
                   *([b"WITHVALUES"] if wv else []), norm="sortnested" if wv else "sort",
                   mutable=False)
    if r < 0.65:
        # Errors and empty answers, whatever the key holds.
        key, _ = _any_key(g)
        args = g.pick([
            [b"0"], [b"0", b"WITHVALUES"], [b"-9223372036854775808"],
            [b"-9223372036854775808", b"WITHVALUES"], [b"9223372036854775807", b"WITHVALUES"],
            [b"-9223372036854775807", b"WITHVALUES"], [b"4611686018427387904", b"WITHVALUES"],
            [b"-4611686018427387904", b"WITHVALUES"], [b"abc"], [b"1.5"], [b""],
            [b"9223372036854775808"], [b"1", b"WITHVALUE"], [b"1", b"WITHVALUES", b"x"],
            [b"-1", b"junk"],
        ])
        return cmd("HRANDFIELD", key, *args, mutable=False)
    if r < 0.7:
        return cmd("HRANDFIELD", MISSING, *g.pick([[], [b"3"], [b"-3", b"WITHVALUES"]]),
                   mutable=False)
    # Random picks: only the length is compared (they have no effect).
    key, _ = _any_key(g)
    count = str(g.rng.randint(-40, 40)).encode()
    wv = [b"WITHVALUES"] if g.chance(0.5) else []
    return cmd("HRANDFIELD", key, count, *wv, norm="len", mutable=False)


@family("hashes", W, share=2)
def gen_hscan(g: Gen):
    key, small = _any_key(g)
    r = g.rng.random()
    if r < 0.15:
        # Invalid options: an error, or an empty page for a missing key, never a real page.
        opts = g.pick([[b"COUNT", b"0"], [b"COUNT", b"-1"], [b"COUNT", b"x"], [b"junk"],
                       [b"MATCH"], [b"MATCH", b"*", b"COUNT"]])
        return cmd("HSCAN", key, b"0", *opts, mutable=False)
    if r < 0.22:
        return cmd("HSCAN", key, g.pick([b"x", b"-", b"18446744073709551616", b" 1"]),
                   mutable=False)
    opts = []
    if g.chance(0.4):
        opts += [b"MATCH", g.pick(FIELD_PATTERNS) if g.chance(0.7) else g.pattern()]
    if g.chance(0.4):
        opts += [b"COUNT", str(g.rng.randint(1, 20)).encode()]
    if small and g.chance(0.4):
        # A listpack answers one page, whatever the cursor: compared exactly.
        return cmd("HSCAN", key, g.pick([b"0", b"0", b"7", b"123456"]), *opts, mutable=False)
    return cmd("HSCAN", key, *opts, kind="kscan", norm="pairs", mutable=False)


@family("hashes", W)
def gen_encoding(g: Gen):
    key, _ = _any_key(g)
    return cmd("OBJECT", "ENCODING", key)


@family("hashes", W, share=0.4)
def gen_reset(g: Gen):
    # Start a key over (small keys may also turn into strings for WRONGTYPE replies).
    key, small = _any_key(g)
    r = g.rng.random()
    if r < 0.6:
        return cmd("DEL", key)
    if r < 0.8 and small:
        return cmd("SET", key, g.word())
    return cmd("EXISTS", key)
