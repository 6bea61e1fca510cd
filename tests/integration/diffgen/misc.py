"""Connection-level and error-path commands: PING/ECHO, unknown commands
(whose error quotes up to 128 bytes of arguments) and arity errors."""

from .core import Gen, cmd, family

W = 1.0

# name -> an argument count that is always wrong for it.
WRONG_ARITY = {
    b"GET": [0, 2], b"SET": [0, 1], b"GETDEL": [0, 2], b"GETSET": [1, 3], b"SETNX": [1, 3],
    b"SETEX": [2, 4], b"PSETEX": [2], b"MSET": [0, 1, 3], b"MSETNX": [0, 3], b"MGET": [0],
    b"APPEND": [1, 3], b"STRLEN": [0, 2], b"GETRANGE": [2, 4], b"SETRANGE": [2, 4],
    b"INCR": [0, 2], b"DECR": [0], b"INCRBY": [1, 3], b"DECRBY": [3], b"INCRBYFLOAT": [1, 3],
    b"LCS": [0, 1], b"SETBIT": [2, 4], b"GETBIT": [1, 3], b"BITCOUNT": [0], b"BITPOS": [1],
    b"BITOP": [0, 1, 2], b"BITFIELD": [0], b"BITFIELD_RO": [0], b"DEL": [0], b"UNLINK": [0],
    b"EXISTS": [0], b"TYPE": [0, 2], b"RENAME": [1, 3], b"RENAMENX": [1], b"DBSIZE": [1],
    b"TOUCH": [0], b"COPY": [0, 1], b"MOVE": [1, 3], b"SELECT": [0, 2], b"SWAPDB": [1, 3],
    b"EXPIRE": [0, 1], b"PEXPIRE": [1], b"EXPIREAT": [1], b"PEXPIREAT": [0], b"TTL": [0, 2],
    b"PTTL": [2], b"EXPIRETIME": [0], b"PEXPIRETIME": [2], b"PERSIST": [0, 2], b"KEYS": [0, 2],
    b"SCAN": [0], b"GETEX": [0], b"SUBSTR": [1], b"ECHO": [0, 2], b"PING": [2, 3],
    b"OBJECT": [0], b"FLUSHDB": [2], b"FLUSHALL": [2],
}


@family("misc", W)
def gen_ping_echo(g: Gen):
    r = g.rng.random()
    if r < 0.4:
        return cmd("PING")
    if r < 0.7:
        return cmd("PING", g.value())
    return cmd("ECHO", g.value())


@family("misc", W)
def gen_wrong_arity(g: Gen):
    name = g.pick(sorted(WRONG_ARITY))
    n = g.pick(WRONG_ARITY[name])
    # Not mutable: an added argument could turn e.g. SCAN into a valid call
    # whose reply depends on hash order.
    return cmd(name, *[g.key() for _ in range(n)], mutable=False)


@family("misc", W)
def gen_unknown(g: Gen):
    # No NUL in names: Redis compares command names as C strings but hashes
    # all their bytes, so whether "GET\0" runs GET depends on its hash seed.
    name = g.pick([b"FOO", b"GETT", b"SETX", b"MSETT", b"xyzzy", b"", b"SET GET", b"CONFIGX",
                   b"a\r\nb", b"G\xc3\x89T"])
    args = []
    for _ in range(g.rng.randint(0, 5)):
        r = g.rng.random()
        if r < 0.6:
            args.append(g.value())
        elif r < 0.8:
            args.append(bytes([g.rng.choice(b"abc")]) * g.rng.randint(20, 140))
        else:
            args.append(g.pick([b"a\nb", b"x\r\ny", b"'", b"%s%n", b""]))
    return cmd(name, *args)
