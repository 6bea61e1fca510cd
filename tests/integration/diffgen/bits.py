"""Bit commands: SETBIT/GETBIT, BITCOUNT/BITPOS with BYTE|BIT ranges, BITOP,
BITFIELD and BITFIELD_RO.  Valid offsets stay small: a valid offset near
2^32 bits would make both servers allocate 512 MB."""

from .core import Gen, cmd, family

W = 2.0

BAD_BIT_OFFSETS = [b"-1", b"4294967296", b"9223372036854775807", b"abc", b"", b"1.5"]


def _bit_offset(g: Gen, read_only=False) -> bytes:
    r = g.rng.random()
    if r < 0.85:
        return str(g.rng.randint(0, 2000)).encode()
    if read_only and r < 0.9:
        return b"4294967295"  # largest valid offset: reading it allocates nothing
    return g.pick(BAD_BIT_OFFSETS)


@family("bits", W)
def gen_setbit(g: Gen):
    bit = g.pick([b"0", b"1", b"1", b"0", b"2", b"-1", b"a", b""]) if g.chance(0.15) else \
        g.pick([b"0", b"1"])
    return cmd("SETBIT", g.key(), _bit_offset(g), bit)


@family("bits", W)
def gen_getbit(g: Gen):
    return cmd("GETBIT", g.key(), _bit_offset(g, read_only=True))


def _range_args(g: Gen, max_parts: int) -> list[bytes]:
    parts = []
    n = g.rng.randint(0, max_parts)
    for i in range(n):
        if i < 2:
            parts.append(str(g.rng.randint(-40, 300)).encode() if g.chance(0.9)
                         else g.pick([b"abc", b"9223372036854775807", b"-9223372036854775808"]))
        else:
            parts.append(g.pick([b"BYTE", b"BIT", b"bit", b"byte", b"WORD"]))
    return parts


@family("bits", W)
def gen_bitcount(g: Gen):
    return cmd("BITCOUNT", g.key(), *_range_args(g, 3))


@family("bits", W)
def gen_bitpos(g: Gen):
    bit = g.pick([b"0", b"1"]) if g.chance(0.9) else g.pick([b"2", b"-1", b"x"])
    return cmd("BITPOS", g.key(), bit, *_range_args(g, 3))


@family("bits", W)
def gen_bitop(g: Gen):
    op = g.pick([b"AND", b"OR", b"XOR", b"NOT", b"and", b"not", b"NAND"])
    n = 1 if op.upper() == b"NOT" and g.chance(0.8) else g.rng.randint(1, 4)
    return cmd("BITOP", op, g.key(), *g.nkeys(n, n))


def _bf_type(g: Gen) -> bytes:
    if g.chance(0.9):
        sign = g.pick([b"i", b"u"])
        width = g.rng.randint(1, 64 if sign == b"i" else 63)
        return sign + str(width).encode()
    return g.pick([b"u64", b"i65", b"i0", b"u0", b"x8", b"i", b"8"])


def _bf_offset(g: Gen) -> bytes:
    r = g.rng.random()
    if r < 0.6:
        return str(g.rng.randint(0, 1000)).encode()
    if r < 0.9:
        return b"#" + str(g.rng.randint(0, 15)).encode()
    return g.pick([b"-1", b"#-1", b"abc", b"4294967296", b"#", b""])


def _bf_value(g: Gen) -> bytes:
    if g.chance(0.7):
        return str(g.rng.randint(-300, 300)).encode()
    return g.pick([b"9223372036854775807", b"-9223372036854775808", b"abc", b"1.5",
                   b"18446744073709551615", b"4294967296"])


@family("bits", W)
def gen_bitfield(g: Gen):
    ops: list[bytes] = []
    for _ in range(g.rng.randint(0, 4)):
        r = g.rng.random()
        if r < 0.3:
            ops += [b"GET", _bf_type(g), _bf_offset(g)]
        elif r < 0.55:
            ops += [b"SET", _bf_type(g), _bf_offset(g), _bf_value(g)]
        elif r < 0.85:
            ops += [b"INCRBY", _bf_type(g), _bf_offset(g), _bf_value(g)]
        elif r < 0.97:
            ops += [b"OVERFLOW", g.pick([b"WRAP", b"SAT", b"FAIL", b"fail", b"BOGUS"])]
        else:
            ops.append(b"BOGUS")
    return cmd("BITFIELD", g.key(), *ops)


@family("bits", W)
def gen_bitfield_ro(g: Gen):
    ops: list[bytes] = []
    for _ in range(g.rng.randint(0, 3)):
        if g.chance(0.9):
            ops += [b"GET", _bf_type(g), _bf_offset(g)]
        else:
            ops += [b"SET", _bf_type(g), _bf_offset(g), _bf_value(g)]
    return cmd("BITFIELD_RO", g.key(), *ops)
