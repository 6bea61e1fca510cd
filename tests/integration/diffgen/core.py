"""Core of the differential generator: the command record, the per-seed state
(`Gen`) with its argument helpers, the family registry and `generate()`.

How it works: a family is a function `fn(g: Gen) -> Cmd` registered with
`@family(name, weight)`.  `generate(seed, n)` draws families by weight and
lets each produce one command from a small shared key pool, so commands keep
colliding on the same keys.  A few commands are then mutated (arguments cut
off or a junk argument added, command names in random case) to reach arity
and syntax errors.  Later issues add families (lists, hashes, ...) by adding
a module that registers more functions; nothing here changes.

Determinism rules the generator keeps so that two correct servers always give
the same bytes even though their clocks and hash seeds differ:
- every valid relative or absolute expiry is far in the future (>= 1000 s),
  and the ones fed to EXPIRE-family commands are at least 60 s apart, so
  NX/XX/GT/LT comparisons never depend on when a command ran;
- past times only go to commands that delete at once (EXPIRE* with a past
  time, GETEX EXAT past), never to SET, which would leave a logically
  expired key whose DBSIZE count depends on active expiry;
- replies that depend on time (TTL & co.) or hash order (KEYS) are
  normalised, and SCAN is compared as the set of keys of a full scan.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

LLONG_MAX = 9223372036854775807
LLONG_MIN = -9223372036854775808


@dataclass
class Cmd:
    args: list[bytes]
    # "ttl" | "sort" (array as a multiset) | "pairs" (flat array of pairs as a multiset of
    # pairs) | "len" (only an array's length: random picks) | "sortnested" (array of arrays
    # whose order is hash order, each inner array compared as is) | None
    norm: str | None = None
    # "plain" | "scan" (full SCAN compared as a key set) | "kscan" (full HSCAN/SSCAN/ZSCAN of
    # args[1]: cursor goes at args[2], elements compared as a set, as pairs with norm="pairs")
    kind: str = "plain"
    mutable: bool = True

    def __repr__(self):
        shown = []
        for a in self.args:
            s = a[:60].decode("latin-1").encode("unicode_escape").decode()
            if len(a) > 60:
                s += f"...({len(a)} bytes)"
            shown.append(s if s and " " not in s else repr(s))
        return " ".join(shown)


def b(x) -> bytes:
    if isinstance(x, bytes):
        return x
    return str(x).encode()


def cmd(*args, **kw) -> Cmd:
    return Cmd([b(a) for a in args], **kw)


KEY_POOL = [
    b"k0", b"k1", b"k2", b"k3", b"k4", b"k5", b"k6", b"k7", b"k8", b"k9",
    b"{t}a", b"{t}b", b"key:1", b"key:2", b"sp ace", b"\x00bin\xff", b"k*", b"k?x", b"[k]",
    b"K0", b"n1", b"n2",
]

# Keys the counter commands prefer, so INCR & co. mostly meet integers.
COUNTER_KEYS = [b"n1", b"n2"]

EDGE_NUMBERS = [
    b"0", b"1", b"-1", b"2", b"10", b"100", b"9999", b"10000", b"-0", b"01", b"007",
    b"9223372036854775807", b"-9223372036854775808", b"9223372036854775808",
    b"-9223372036854775809", b"9223372036854775806", b"-9223372036854775807",
    b"1e308", b"1e309", b"-1e308", b"1.7976931348623157e308", b"1e-320", b"5e3", b"1E2",
    b"3.14", b"-3.14", b"0.1", b"1.0", b"1.", b".5", b"1e", b"e1",
    b"abc", b" 1", b"1 ", b"+1", b"0x10", b"inf", b"-inf", b"+inf", b"nan", b"NaN", b"",
    b"123456789012345678901", b"18446744073709551615", b"4294967296",
]

WORDS = [b"hello", b"world", b"foo", b"bar", b"ohmytext", b"mynewtext", b"abcdef", b"a", b"aa",
         b"baozi", b"\xff\xfe", b"\r\n", b"x y"]

PATTERN_TOKENS = [
    b"k", b"*", b"?", b"[0-9]", b"[^0-5]", b"[a-z]", b"\\*", b"\\", b"[", b"]", b"key:", b"{t}",
    b"x", b"[k]", b"[!a]", b"[z-a]", b"\\[", b"sp", b"*?*", b"[^", b"-", b"K", b"[\\]]", b"1",
]


class Gen:
    """Per-seed generator state and argument helpers."""

    def __init__(self, seed: int, now: float | None = None, keys=None):
        self.seed = seed
        self.rng = random.Random(seed)
        self.now = int(time.time() if now is None else now)
        self.keys = list(keys or KEY_POOL)
        self._expiry_offsets: list[int] = []

    # --- basic draws -------------------------------------------------------
    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, seq):
        return self.rng.choice(seq)

    def key(self) -> bytes:
        # Skew towards the first keys so that most commands collide.
        r = self.rng
        if r.random() < 0.6:
            return self.keys[r.randrange(min(6, len(self.keys)))]
        return r.choice(self.keys)

    def nkeys(self, lo: int, hi: int) -> list[bytes]:
        return [self.key() for _ in range(self.rng.randint(lo, hi))]

    def word(self) -> bytes:
        return self.rng.choice(WORDS)

    def binary(self, lo=0, hi=12) -> bytes:
        return bytes(self.rng.randrange(256) for _ in range(self.rng.randint(lo, hi)))

    def value(self) -> bytes:
        r = self.rng.random()
        if r < 0.28:
            return self.pick(EDGE_NUMBERS)
        if r < 0.45:
            return b(self.rng.randint(-1000, 100000))
        if r < 0.70:
            return self.word()
        if r < 0.80:
            return self.binary()
        if r < 0.88:
            n = self.pick([43, 44, 45, 46])  # embstr/raw boundary
            return bytes([self.rng.choice(b"abcxyz")]) * n
        if r < 0.94:
            return self.binary(60, 300)
        return b""

    def int_arg(self, lo=-50, hi=50) -> bytes:
        if self.chance(0.2):
            return self.pick(EDGE_NUMBERS)
        return b(self.rng.randint(lo, hi))

    def float_arg(self) -> bytes:
        r = self.rng.random()
        if r < 0.35:
            return self.pick(EDGE_NUMBERS)
        if r < 0.7:
            return b(self.rng.randint(-100, 100))
        return b(repr(round(self.rng.uniform(-1000, 1000), self.rng.randint(0, 6))))

    def db(self) -> bytes:
        r = self.rng.random()
        if r < 0.85:
            return b(self.rng.choice([0, 0, 1, 2, 3, 15]))
        return self.pick([b"16", b"-1", b"abc", b"100", b"9223372036854775808", b""])

    def pattern(self) -> bytes:
        if self.chance(0.15):
            return b"*"
        return b"".join(self.pick(PATTERN_TOKENS) for _ in range(self.rng.randint(1, 4)))

    # --- time arguments ----------------------------------------------------
    def future_secs(self) -> int:
        """A relative offset >= 1000 s, at least 60 s from every other one."""
        for _ in range(1000):
            s = self.rng.randint(1000, 100_000_000)
            if all(abs(s - o) >= 60 for o in self._expiry_offsets):
                self._expiry_offsets.append(s)
                return s
        raise RuntimeError("ran out of distinct expiry offsets")

    def expiry(self, unit: str, absolute: bool) -> bytes:
        """A valid far-future expiry in `unit` ("s" or "ms")."""
        s = self.future_secs()
        if absolute:
            s += self.now
        if unit == "ms":
            return b(s * 1000 + self.rng.randrange(1000))
        return b(s)

    def huge_valid_expiry(self, unit: str) -> bytes:
        # Relative values whose absolute time still fits in milliseconds.
        top = 9_000_000_000_000 if unit == "s" else 9_000_000_000_000_000
        return b(self.rng.randint(top // 1000, top))

    def bad_expiry(self) -> bytes:
        return self.pick([b"0", b"-1", b"-100", b"abc", b"1.5", b"", b" 5",
                          b"9223372036854775807", b"9223372036854775", b"-9223372036854775808",
                          b"18446744073709551616"])


FAMILIES: dict[str, tuple[float, list]] = {}


def family(name: str, weight: float = 1.0, share: float = 1.0):
    """Registers `fn(g) -> Cmd` under family `name`.  A function may also
    return a list of commands that must run in order (e.g. a random SPOP on a
    scratch key followed by the DEL that keeps both keyspaces identical).

    The family's weight (from its first registration) is split between its
    functions in proportion to their `share`, so adding a command to a family
    does not change how often the family as a whole is drawn.
    """

    def deco(fn):
        _, fns = FAMILIES.setdefault(name, (weight, []))
        fns.append((fn, share))
        return fn

    return deco


def mutate(g: Gen, c: Cmd) -> Cmd:
    if not c.mutable:
        return c
    args = list(c.args)
    r = g.rng.random()
    if r < 0.03 and len(args) > 1:
        args = args[: g.rng.randrange(1, len(args))]
    elif r < 0.05:
        args.append(g.pick([b"junk", b"NX", b"1", b"", b"EX", b"GET"]))
    if g.chance(0.15):
        name = args[0].decode("latin-1")
        name = "".join(ch.upper() if g.chance(0.5) else ch.lower() for ch in name)
        args[0] = name.encode("latin-1")
    return Cmd(args, c.norm, c.kind, c.mutable)


def generate(seed: int, n: int, families: list[str] | None = None, now=None) -> list[Cmd]:
    from . import load_families

    load_families()
    g = Gen(seed, now=now)
    names = families or sorted(FAMILIES)
    fns, weights = [], []
    for name in names:
        w, fs = FAMILIES[name]
        total = sum(share for _, share in fs)
        for f, share in fs:
            fns.append(f)
            weights.append(w * share / total)
    out = []
    for _ in range(n):
        fn = g.rng.choices(fns, weights)[0]
        made = fn(g)
        if isinstance(made, list):
            out.extend(mutate(g, c) for c in made)
        else:
            out.append(mutate(g, made))
    return out
