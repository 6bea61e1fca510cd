"""Transactions and the pub/sub commands one connection can check on its own.

MULTI/EXEC/DISCARD/WATCH/UNWATCH sequences around commands drawn from the
other families, so EXEC arrays hold every reply type and WATCH checks that
each command signals the keys it really changes (a write to a watched key
between WATCH and EXEC turns EXEC into a null array; a failed or no-op write
must not).  Error paths: queue-time errors (unknown command, wrong arity) ->
EXECABORT, nested MULTI, WATCH inside MULTI, EXEC/DISCARD without MULTI, EXEC
refused itself, DISCARD with an arity error (which leaves MULTI open).

Rules that keep the single connection in step on both servers:
- every transaction ends with an EXEC or DISCARD that is never mutated, so no
  later command is swallowed into a queue; MULTI is never mutated either;
- commands queued inside MULTI are drawn only from generators whose commands
  all need no normalisation (their replies land unnormalised in EXEC's array);
- SUBSCRIBE & co. name one channel at a time and are never mutated, so each
  answers exactly one frame (the runner reads one reply per command), and
  every subscribed stretch ends with the argument-less unsubscribe of each
  kind used, which then also answers one frame;
- nothing publishes to a channel this connection listens to (that would add
  a push frame), and no pattern matches the keyspace-event channels.
"""

from .core import FAMILIES, Cmd, Gen, cmd, family
from .misc import WRONG_ARITY

W = 3.0

CHANNELS = [b"ch", b"ch:1", b"news.a", b"{t}ch", b"ax", b"sp ace"]
PATTERNS = [b"ch*", b"news.?", b"[ab]x", b"ch:\\*"]
# Matches none of PATTERNS and is never subscribed to.
ELSEWHERE = b"elsewhere"

_pool: tuple[list, list] | None = None


def _fixed(*args) -> Cmd:
    return cmd(*args, mutable=False)


def _name(g: Gen, name: bytes) -> bytes:
    """Random letter case for the never-mutated commands."""
    if not g.chance(0.15):
        return name
    return bytes(c ^ 0x20 if chr(c).isalpha() and g.chance(0.5) else c for c in name)


def _others() -> tuple[list, list]:
    global _pool
    if _pool is None:
        fns, weights = [], []
        for fam, (w, fs) in FAMILIES.items():
            # "expire" opens its own transactions and switches the maxmemory policy, and Redis
            # creates a queued command's arguments at queue time, before an earlier queued
            # CONFIG SET runs, so their LFU data would depend on its clock.
            if fam in ("multi", "expire"):
                continue
            total = sum(share for _, share in fs)
            for f, share in fs:
                fns.append(f)
                weights.append(w * share / total)
        _pool = (fns, weights)
    return _pool


def _draw(g: Gen) -> list[Cmd]:
    fns, weights = _others()
    made = g.rng.choices(fns, weights)[0](g)
    return made if isinstance(made, list) else [made]


def _queueable(g: Gen) -> list[Cmd]:
    """Commands of another family whose replies are deterministic as they are."""
    for _ in range(50):
        cs = _draw(g)
        if all(c.norm is None and c.kind == "plain" for c in cs):
            return cs
    return [cmd("PING")]


def _own_command(g: Gen) -> list[Cmd]:
    """Short commands on the shared keys, with WRONGTYPE now and then."""
    k = g.key()
    r = g.rng.random()
    if r < 0.2:
        return [cmd("SET", k, g.value())]
    if r < 0.35:
        return [cmd("GET", k)]
    if r < 0.45:
        return [cmd("INCR", k)]
    if r < 0.55:
        return [cmd("LPUSH", k, g.word())]
    if r < 0.62:
        return [cmd("DEL", k)]
    if r < 0.68:
        return [cmd("EXISTS", k)]
    if r < 0.74:
        return [cmd("SELECT", g.pick([b"0", b"0", b"1", b"2"]))]
    if r < 0.80:
        return [cmd("PUBLISH", g.pick(CHANNELS), g.word())]
    if r < 0.85:
        return [cmd("PUBSUB", "NUMSUB", g.pick(CHANNELS))]
    if r < 0.90:
        return [cmd("PING")]
    if r < 0.95:
        return [cmd("ECHO", g.value())]
    return [cmd("HSET", k, b"f", g.value())]


def _inner(g: Gen) -> list[Cmd]:
    out: list[Cmd] = []
    for _ in range(g.rng.randint(0, 5)):
        out += _queueable(g) if g.chance(0.5) else _own_command(g)
    return out


def _queue_error(g: Gen) -> Cmd:
    """A command refused while queuing: EXEC will answer EXECABORT."""
    if g.chance(0.5):
        name = g.pick(sorted(WRONG_ARITY))
        return _fixed(name, *[g.key() for _ in range(g.pick(WRONG_ARITY[name]))])
    return _fixed(g.pick([b"NOPE", b"GETT", b"MULTIX", b"EXECC"]), *g.nkeys(0, 2))


def _end(g: Gen) -> list[Cmd]:
    """The command that closes a transaction."""
    r = g.rng.random()
    if r < 0.85:
        return [_fixed(_name(g, b"EXEC"))]
    if r < 0.95:
        return [_fixed(_name(g, b"DISCARD"))]
    # EXEC refused itself aborts at once with its reason.
    return [_fixed(_name(g, b"EXEC"), g.pick([b"junk", b""]))]


def _transaction(g: Gen, body: list[Cmd]) -> list[Cmd]:
    out = [_fixed(_name(g, b"MULTI")), *body]
    r = g.rng.random()
    if r < 0.06:
        out.insert(g.rng.randint(1, len(out)), _queue_error(g))
    elif r < 0.09:
        out.insert(g.rng.randint(1, len(out)), _fixed("MULTI"))
    elif r < 0.12:
        out.insert(g.rng.randint(1, len(out)), _fixed("WATCH", g.key()))
    elif r < 0.14:
        # Refused for its arity: the transaction stays open (and failed).
        out.append(_fixed("DISCARD", b"junk"))
    return out + _end(g)


@family("multi", W, share=3)
def gen_transaction(g: Gen):
    return _transaction(g, _inner(g))


@family("multi", W, share=3)
def gen_watch(g: Gen):
    keys = [g.key() for _ in range(g.rng.randint(1, 3))]
    out = [cmd("WATCH", *keys)]
    for _ in range(g.rng.randint(0, 2)):
        r = g.rng.random()
        k = g.pick(keys)
        if r < 0.35:
            out += _draw(g)  # anything at all, often on a watched key
        elif r < 0.55:
            # A write by this same connection.
            out.append(g.pick([
                lambda: cmd("SET", k, g.value()),
                lambda: cmd("SET", k, g.value(), "NX"),
                lambda: cmd("DEL", k),
                lambda: cmd("RPUSH", k, g.word()),
                lambda: cmd("INCR", k),
                lambda: cmd("APPEND", k, g.word()),
                lambda: cmd("EXPIRE", k, g.expiry("s", False)),
                lambda: cmd("PERSIST", k),
                lambda: cmd("RENAME", k, g.key()),
                lambda: cmd("PEXPIREAT", k, b"1"),
            ])())
        elif r < 0.7:
            out.append(cmd("GET", k))
        elif r < 0.8:
            out.append(cmd("UNWATCH"))
        elif r < 0.86:
            out.append(cmd("WATCH", g.key()))
        elif r < 0.92:
            out += [_fixed("SWAPDB", b"0", b"1"), _fixed("SWAPDB", b"0", b"1")]
        elif r < 0.95:
            out.append(cmd("FLUSHDB"))
        else:
            # The same name in another database is another key.
            out += [_fixed("SELECT", b"9"), cmd("SET", k, b"x"), _fixed("SELECT", b"0")]
    body = _inner(g) if g.chance(0.7) else [cmd("GET", keys[0])]
    return out + _transaction(g, body)


@family("multi", W, share=0.7)
def gen_watch_past_expiry(g: Gen):
    # PEXPIREAT in the past deletes at once: a change when the key existed.
    k = g.key()
    if g.chance(0.5):
        out = [cmd("PEXPIREAT", k, g.pick([b"1", b"1000"])), cmd("WATCH", k)]
    else:
        out = [cmd("WATCH", k), cmd("PEXPIREAT", k, g.pick([b"1", b"1000"]))]
    return out + _transaction(g, [cmd("EXISTS", k), cmd("SET", k, g.value())])


@family("multi", W, share=0.6)
def gen_transaction_misuse(g: Gen):
    r = g.rng.random()
    if r < 0.25:
        return cmd("EXEC")
    if r < 0.45:
        return cmd("DISCARD")
    if r < 0.6:
        return cmd("UNWATCH")
    if r < 0.7:
        return _fixed("WATCH")
    if r < 0.8:
        return _fixed("MULTI", b"junk")
    if r < 0.9:
        # EXEC refused outside MULTI is still an EXECABORT, and unwatches.
        k = g.key()
        return [cmd("WATCH", k), _fixed("EXEC", b"junk"), cmd("SET", k, g.value()),
                *_transaction(g, [cmd("GET", k)])]
    return _fixed("UNWATCH", b"junk")


@family("multi", W, share=1.0)
def gen_pubsub_single(g: Gen):
    r = g.rng.random()
    if r < 0.2:
        return cmd("PUBLISH", g.pick(CHANNELS + [ELSEWHERE]), g.value())
    if r < 0.28:
        return cmd("SPUBLISH", g.pick(CHANNELS), g.value())
    if r < 0.4:
        return cmd("PUBSUB", "NUMSUB", *[g.pick(CHANNELS) for _ in range(g.rng.randint(0, 3))])
    if r < 0.47:
        return cmd("PUBSUB", "SHARDNUMSUB", *[g.pick(CHANNELS) for _ in range(g.rng.randint(0, 2))])
    if r < 0.55:
        return cmd("PUBSUB", "NUMPAT")
    if r < 0.65:
        return cmd("PUBSUB", g.pick([b"CHANNELS", b"SHARDCHANNELS", b"channels"]),
                   *([g.pick(PATTERNS)] if g.chance(0.5) else []))
    if r < 0.7:
        return cmd("PUBSUB", g.pick([b"CHANNELS", b"shardchannels"]), b"a", b"b")
    if r < 0.75:
        extra = [b"x"] if g.chance(0.3) else []
        return cmd("PUBSUB", g.pick([b"HELP", b"FOO", b"NUMPAT"]), *extra)
    # Unsubscribing with nothing subscribed: one frame, a null or the named channel, count 0.
    name = g.pick([b"UNSUBSCRIBE", b"PUNSUBSCRIBE", b"SUNSUBSCRIBE"])
    arg = [g.pick(CHANNELS)] if g.chance(0.4) else []
    return _fixed(_name(g, name), *arg)


def _stretch_body(g: Gen, channel: bytes, sub_kind: bytes) -> list[Cmd]:
    """Commands while subscribed: RESP2 refuses most of them, RESP3 runs them."""
    out: list[Cmd] = []
    for _ in range(g.rng.randint(0, 3)):
        r = g.rng.random()
        if r < 0.25:
            out.append(cmd("PING"))
        elif r < 0.4:
            out.append(cmd("PING", g.word()))
        elif r < 0.55:
            out.append(cmd("GET", g.key()))
        elif r < 0.65:
            out.append(cmd("PUBSUB", "NUMSUB", channel))
        elif r < 0.72:
            out.append(cmd("PUBLISH", ELSEWHERE, g.word()))
        elif r < 0.8:
            # Subscribing again to the same name: one frame, same count.
            out.append(_fixed(_name(g, sub_kind), channel))
        elif r < 0.88:
            # Unsubscribing from a name never subscribed: one frame.
            unsub = {b"SUBSCRIBE": b"UNSUBSCRIBE", b"PSUBSCRIBE": b"PUNSUBSCRIBE",
                     b"SSUBSCRIBE": b"SUNSUBSCRIBE"}[sub_kind]
            out.append(_fixed(unsub, b"never"))
        elif r < 0.94:
            out.append(cmd("SET", g.key(), g.value()))
        else:
            out.append(_fixed("MULTI", b"junk"))  # refused in RESP2, an arity error in RESP3
    return out


@family("multi", W, share=1.2)
def gen_subscribed_stretch(g: Gen):
    kinds = [(b"SUBSCRIBE", b"UNSUBSCRIBE", CHANNELS), (b"PSUBSCRIBE", b"PUNSUBSCRIBE", PATTERNS),
             (b"SSUBSCRIBE", b"SUNSUBSCRIBE", CHANNELS)]
    used = [g.pick(kinds)]
    if g.chance(0.3):
        other = g.pick(kinds)
        if other not in used:
            used.append(other)
    out: list[Cmd] = []
    names = []
    for sub, _, pool in used:
        name = g.pick(pool)
        names.append(name)
        if g.chance(0.2) and len(used) == 1:
            # Subscribed by EXEC: the subscribe frame is an element of EXEC's array.
            out += [_fixed("MULTI"), _fixed(_name(g, sub), name), _fixed("EXEC")]
        else:
            out.append(_fixed(_name(g, sub), name))
    out += _stretch_body(g, names[0], used[0][0])
    order = list(range(len(used)))
    g.rng.shuffle(order)
    for i in order:
        unsub = used[i][1]
        # With one subscription of the kind, naming it or not gives the same single frame.
        out.append(_fixed(_name(g, unsub), *([names[i]] if g.chance(0.3) else [])))
    return out
