"""Lua scripting: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT LOAD/EXISTS/FLUSH.

Scripts come from a seeded corpus of templates in four groups:
- calls: a template wraps one redis.call on a key another family fills
  (strings and anything on the shared pool, lists l0-l3, small and big hashes,
  sets, sorted sets) and returns the reply as is, through pcall, after setresp(3),
  or described from inside Lua (its type, length, fields), so every reply type
  crosses the Redis -> Lua -> Redis conversions in both protocol versions;
- writes: scripts that write the shared pool and their own "sc:" keys (several
  writes in one script, loops, a write followed by a failing call, SELECT
  inside the script), so WATCH, keyspace events and MULTI see script effects;
- pure Lua: conversions of numbers (truncation, huge, inf, nan), tables with
  holes, {ok=}/{err=}/{double=}/{map=}/{set=} tables, error_reply and
  status_reply with arbitrary bytes, error() and pcall, the globals protection,
  the string, table and math libraries, bit, struct (packed bytes as hex),
  cjson and cmsgpack round trips (packed bytes as hex), math.random sequences
  and redis.sha1hex, most of them fed from ARGV with edge values;
- the cache: SCRIPT LOAD of a few fixed bodies, EVALSHA/EVALSHA_RO of their
  SHAs (hits or NOSCRIPT depending on what ran and on SCRIPT FLUSH), SCRIPT
  EXISTS, EVAL_RO and shebang flags.

What is left out because it differs by design or by time: redis.REDIS_VERSION
(baozi reports its own), tostring() of tables and functions (addresses),
error({}) and other error tables without a string err (Redis 7.0.15 crashes),
TIME, RANDOMKEY, INFO, OBJECT FREQ/IDLETIME, anything that sorts strings
inside Lua (table.sort on strings uses strcoll, the process locale), and Lua
tables with several string keys turned into a map or JSON (their iteration
order is the Lua build's hash order; both are Lua 5.1, but baozi's is
Debian's and Redis's its own copy).
"""

from .core import EDGE_NUMBERS, Gen, cmd, family

W = 5.0

LIST_KEYS = [b"l0", b"l1", b"l2", b"l3"]
SMALL_HASHES = [b"hs:0", b"hs:1", b"hs:2"]  # listpacks: replies in insertion order
BIG_HASHES = [b"hb:0", b"hb:1", b"hb:2"]  # may be hashtables: compared as pairs
SET_KEYS = [b"s0", b"s1", b"s2", b"is0", b"is1"]
ZSET_KEYS = [b"z0", b"z1", b"z2", b"zl0"]
OWN_KEYS = [b"sc:0", b"sc:1", b"sc:2", b"{sc}list", b"{sc}hash"]

WORDS = [b"a", b"b", b"c", b"hello", b"x y", b"", b"1", b"-1", b"2.5", b"\xff\x00", b"a\r\nb",
         b"\x00", b"nil", b"false", b"ok", b"err"]

# Lua-side helpers prepended to scripts that need them.
HEX = ("local function hex(s) return (string.gsub(s, '.', function(c) "
       "return string.format('%02x', string.byte(c)) end)) end\n")


def _ev(script: str | bytes, keys=(), args=(), norm=None, name=b"EVAL", mutable=True):
    body = script.encode() if isinstance(script, str) else script
    return cmd(name, body, len(keys), *keys, *args, norm=norm, mutable=mutable)


def _num(g: Gen) -> bytes:
    r = g.rng.random()
    if r < 0.4:
        return g.pick(EDGE_NUMBERS)
    if r < 0.7:
        return str(g.rng.randint(-1000, 1000)).encode()
    if r < 0.85:
        return str(g.rng.randint(-2**40, 2**40)).encode()
    return repr(round(g.rng.uniform(-1e6, 1e6), g.rng.randint(0, 8))).encode()


def _small_int(g: Gen) -> bytes:
    return str(g.rng.choice([0, 1, 2, 3, 5, 7, 8, 15, 16, 31, 32, 33, 63, 64, -1, -2, -32,
                             255, 256, 65535, 65536, 2**31 - 1, 2**31, 2**32, -2**31,
                             2**32 + 5, 0x12345678, -0x12345678])).encode()


def _word(g: Gen) -> bytes:
    return g.pick(WORDS) if g.chance(0.7) else g.value()


# --- calls: one command, several wrappers ------------------------------------------------------

# Wrappers around a call; {c} is the Lua argument list of redis.call/pcall.
WRAPPERS = [
    ("return redis.call({c})", True),
    ("return redis.pcall({c})", True),
    ("redis.setresp(3); return redis.call({c})", True),
    ("redis.setresp(3); return redis.pcall({c})", True),
    ("local r = redis.pcall({c})\n"
     "if type(r) == 'table' then return {{'table', #r, r.err or '-', r.ok or '-'}} end\n"
     "return {{type(r), tostring(r)}}", False),
    ("redis.setresp(3)\nlocal r = redis.pcall({c})\nlocal t = type(r)\n"
     "if t ~= 'table' then return {{t, tostring(r)}} end\n"
     "if r.map then local n = 0 for _ in pairs(r.map) do n = n + 1 end return {{'map', n}} end\n"
     "if r.set then local n = 0 for _ in pairs(r.set) do n = n + 1 end return {{'set', n}} end\n"
     "if r.double then return {{'double', tostring(r.double)}} end\n"
     "if r.err then return {{'err', r.err}} end\n"
     "if r.ok then return {{'ok', r.ok}} end\n"
     "local kinds = {{}} for i = 1, #r do kinds[i] = type(r[i]) end\n"
     "return {{'array', #r, table.concat(kinds, ',')}}", False),
    ("local r = redis.call({c})\nif type(r) == 'table' then return #r end\nreturn r", False),
    ("local ok, e = pcall(redis.call, {c})\nreturn {{tostring(ok), type(e) == 'string' and e "
     "or type(e)}}", False),
]


def _call(g: Gen):
    """A command on a key of some type: (lua args, keys, argv, norm of the bare reply)."""
    r = g.rng.random()
    if r < 0.25:
        k = g.key()
        c = g.pick([
            ("'get', KEYS[1]", []), ("'strlen', KEYS[1]", []), ("'type', KEYS[1]", []),
            ("'exists', KEYS[1]", []), ("'getrange', KEYS[1], ARGV[1], ARGV[2]",
                                        [g.int_arg(-5, 5), g.int_arg(-5, 5)]),
            ("'ttl', KEYS[1]", []), ("'mget', KEYS[1], 'nokey', KEYS[1]", []),
            ("'incrbyfloat', KEYS[1], ARGV[1]", [g.pick([b"0", b"1.5", b"-2", b"1e3", b"x"])]),
            ("'incr', KEYS[1]", []), ("'append', KEYS[1], ARGV[1]", [_word(g)]),
            ("'get', 'nokey'", []), ("'ping'", []), ("'echo', ARGV[1]", [_word(g)]),
            ("'set', KEYS[1], ARGV[1]", [g.value()]),
            ("'set', KEYS[1], ARGV[1], 'GET'", [g.value()]),
        ])
        ttl_like = "ttl" in c[0]
        return c[0], [k], c[1], "ttl" if ttl_like else None
    if r < 0.4:
        k = g.pick(LIST_KEYS) if g.chance(0.8) else g.key()
        c = g.pick([
            ("'lrange', KEYS[1], 0, -1", []), ("'llen', KEYS[1]", []),
            ("'lindex', KEYS[1], ARGV[1]", [g.int_arg(-3, 3)]),
            ("'lpos', KEYS[1], ARGV[1]", [g.pick([b"a", b"b", b"1", b"x"])]),
            ("'lpos', KEYS[1], ARGV[1], 'COUNT', 0", [g.pick([b"a", b"b", b"1", b"x"])]),
            ("'lrange', KEYS[1], ARGV[1], ARGV[2]", [g.int_arg(-5, 5), g.int_arg(-5, 5)]),
            ("'rpush', KEYS[1], ARGV[1]", [g.pick([b"a", b"b", b"1", b"x"])]),
            ("'lpop', KEYS[1]", []), ("'lpop', KEYS[1], ARGV[1]", [g.int_arg(0, 3)]),
            ("'lpop', 'nokey', 2", []),
        ])
        return c[0], [k], c[1], None
    if r < 0.55:
        big = g.chance(0.4)
        k = g.pick(BIG_HASHES if big else SMALL_HASHES)
        c = g.pick([
            # Other families may have grown a small hash into a hash table, whose order is
            # baozi's own: every whole-hash reply is compared as a multiset.
            ("'hgetall', KEYS[1]", [], "pairs"),
            ("'hget', KEYS[1], ARGV[1]", [g.pick([b"a", b"b", b"f1", b"1", b"x"])], None),
            ("'hmget', KEYS[1], 'a', 'b', 'f1'", [], None),
            ("'hlen', KEYS[1]", [], None), ("'hexists', KEYS[1], 'a'", [], None),
            ("'hkeys', KEYS[1]", [], "sort"),
            ("'hvals', KEYS[1]", [], "sort"),
            ("'hincrbyfloat', KEYS[1], 'sc_float', ARGV[1]",
             [g.pick([b"1.5", b"-0.25", b"3", b"1e2"])], None),
            ("'hstrlen', KEYS[1], 'a'", [], None),
        ] if not big else [
            ("'hgetall', KEYS[1]", [], "pairs"), ("'hlen', KEYS[1]", [], None),
            ("'hkeys', KEYS[1]", [], "sort"), ("'hvals', KEYS[1]", [], "sort"),
            ("'hget', KEYS[1], ARGV[1]", [g.pick([b"a", b"b", b"f1", b"1", b"x"])], None),
        ])
        return c[0], [k], c[1], c[2]
    if r < 0.7:
        k = g.pick(SET_KEYS) if g.chance(0.8) else g.key()
        c = g.pick([
            ("'smembers', KEYS[1]", [], "sort"), ("'scard', KEYS[1]", [], None),
            ("'sismember', KEYS[1], ARGV[1]", [g.pick([b"a", b"b", b"1", b"2", b"x"])], None),
            ("'smismember', KEYS[1], 'a', '1', 'x'", [], None),
            ("'sinter', KEYS[1], KEYS[1]", [], "sort"),
            ("'smembers', 'nokey'", [], None),
        ])
        return c[0], [k], c[1], c[2]
    if r < 0.88:
        k = g.pick(ZSET_KEYS) if g.chance(0.8) else g.key()
        c = g.pick([
            ("'zrange', KEYS[1], 0, -1", []), ("'zrange', KEYS[1], 0, -1, 'WITHSCORES'", []),
            ("'zscore', KEYS[1], ARGV[1]", [g.pick([b"a", b"b", b"1", b"10", b"x"])]),
            ("'zmscore', KEYS[1], 'a', 'b', 'x'", []), ("'zcard', KEYS[1]", []),
            ("'zrank', KEYS[1], 'a'", []),
            ("'zrangebyscore', KEYS[1], '-inf', '+inf', 'WITHSCORES', 'LIMIT', 0, 3", []),
            ("'zincrby', KEYS[1], ARGV[1], 'sc_member'",
             [g.pick([b"1", b"-1.5", b"0.1", b"inf", b"nan"])]),
            ("'zadd', KEYS[1], 'INCR', ARGV[1], 'sc_member'", [g.pick([b"1", b"2.5", b"x"])]),
            ("'zpopmin', 'nokey'", []), ("'zrandmember', 'nokey'", []),
            ("'zscore', 'nokey', 'a'", []),
        ])
        return c[0], [k], c[1], None
    # HSCAN's page and cursor depend on the encoding other families leave: only its length.
    return "'hscan', KEYS[1], 0, 'COUNT', 1000", [g.pick(SMALL_HASHES)], [], "len"


@family("scripts", W, share=4.0)
def gen_call(g: Gen):
    lua_args, keys, argv, norm = _call(g)
    wrapper, bare = g.pick(WRAPPERS)
    script = wrapper.format(c=lua_args)
    if norm == "ttl" and not bare:
        # Only the bare reply can be normalised; a TTL inside a description is dropped.
        script = script.replace("'ttl'", "'exists'")
    return _ev(script, keys, argv, norm=norm if bare else None)


# --- writes ----------------------------------------------------------------------------------

@family("scripts", W, share=2.0)
def gen_write(g: Gen):
    k = g.key() if g.chance(0.6) else g.pick(OWN_KEYS)
    k2 = g.key() if g.chance(0.5) else g.pick(OWN_KEYS)
    r = g.rng.random()
    if r < 0.12:
        return _ev("redis.call('set', KEYS[1], ARGV[1])\nreturn redis.call('get', KEYS[1])",
                   [k], [g.value()])
    if r < 0.22:
        return _ev("return redis.call('incrby', KEYS[1], ARGV[1])", [k], [g.int_arg()])
    if r < 0.3:
        return _ev("redis.call('del', KEYS[1])\n"
                   "return redis.call('rpush', KEYS[1], unpack(ARGV))",
                   [k], [_word(g) for _ in range(g.rng.randint(1, 5))])
    if r < 0.38:
        return _ev("for i = 1, tonumber(ARGV[1]) do redis.call('rpush', KEYS[1], i) end\n"
                   "return redis.call('lrange', KEYS[1], -3, -1)", [k],
                   [str(g.rng.randint(0, 40)).encode()])
    if r < 0.46:
        # A write, then a call that may fail: the write stays.
        return _ev("redis.call('set', KEYS[1], ARGV[1])\nreturn redis.call('incr', KEYS[1])",
                   [k], [g.pick([b"1", b"x", b"9223372036854775807", b"-5"])])
    if r < 0.54:
        return _ev("local r = redis.pcall('incr', KEYS[1])\n"
                   "if type(r) == 'table' then return redis.error_reply('wrapped: ' .. r.err) end\n"
                   "return r + 1", [k])
    if r < 0.62:
        return _ev("redis.call('select', ARGV[1])\nredis.call('set', KEYS[1], 'from-script')\n"
                   "return redis.call('dbsize')", [k], [g.db()])
    if r < 0.7:
        return _ev("return {redis.call('rename', KEYS[1], KEYS[2]), redis.call('exists', KEYS[1]),"
                   " redis.call('type', KEYS[2])}", [k, k2])
    if r < 0.76:
        return _ev("redis.call('hset', KEYS[1], 'f', ARGV[1], 'g', ARGV[2])\n"
                   "return redis.call('hmget', KEYS[1], 'f', 'g', 'h')", [k],
                   [g.value(), _word(g)])
    if r < 0.82:
        return _ev("return redis.call('expire', KEYS[1], ARGV[1])", [k],
                   [g.expiry("s", False) if g.chance(0.8) else g.bad_expiry()])
    if r < 0.88:
        return _ev("redis.call('zadd', KEYS[1], ARGV[1], 'm')\n"
                   "return redis.call('zrange', KEYS[1], 0, -1, 'WITHSCORES')", [k],
                   [g.pick([b"1", b"1.5", b"-inf", b"nan", b"x", b"1e308"])])
    if r < 0.94:
        return _ev("redis.call('sadd', KEYS[1], ARGV[1])\n"
                   "return {redis.call('scard', KEYS[1]), redis.call('sismember', KEYS[1], "
                   "ARGV[1])}", [k], [_word(g)])
    return _ev("return redis.call('del', unpack(KEYS))", [k, k2])


# --- pure Lua --------------------------------------------------------------------------------

def _pure_numbers(g: Gen):
    x, y = _num(g), _num(g)
    return g.pick([
        ("return tonumber(ARGV[1])", [x]),
        ("return {tostring(tonumber(ARGV[1])), type(tonumber(ARGV[1]))}", [x]),
        ("return -tonumber(ARGV[1])", [x]),
        ("return tonumber(ARGV[1]) * tonumber(ARGV[2])", [x, y]),
        ("return tostring(tonumber(ARGV[1]) / tonumber(ARGV[2]))", [x, y]),
        ("return {double=tonumber(ARGV[1])}", [x]),
        ("return {tonumber(ARGV[1]), tonumber(ARGV[2])}", [x, y]),
        ("return string.format('%d|%5.2f|%g|%.17g|%x', tonumber(ARGV[1]), tonumber(ARGV[1]), "
         "tonumber(ARGV[1]), tonumber(ARGV[1]), tonumber(ARGV[1]) % 65536)", [x]),
        ("return tostring(math.floor(tonumber(ARGV[1]))) .. ' ' .. "
         "tostring(math.ceil(tonumber(ARGV[1]))) .. ' ' .. tostring(math.abs(tonumber(ARGV[1])))",
         [x]),
        ("return {tostring(math.fmod(tonumber(ARGV[1]), tonumber(ARGV[2]))), "
         "tostring(math.max(tonumber(ARGV[1]), tonumber(ARGV[2]))), "
         "tostring(math.min(tonumber(ARGV[1]), tonumber(ARGV[2])))}", [x, y]),
        ("return {tostring(math.sqrt(tonumber(ARGV[1]))), tostring(math.log(tonumber(ARGV[1]))), "
         "tostring(math.exp(tonumber(ARGV[1]) % 50)), "
         "tostring(math.pow(2, tonumber(ARGV[1]) % 70))}",
         [x]),
        ("local a, b = math.modf(tonumber(ARGV[1])) return {tostring(a), tostring(b)}", [x]),
        ("return tostring(tonumber(ARGV[1], 16))", [g.pick([b"ff", b"FF", b"10", b"zz", b"-1",
                                                            b"7fffffff", b""])]),
        ("return tostring(ARGV[1] + 0)", [x]),
        ("return ARGV[1] .. tonumber(ARGV[2])", [_word(g), y]),
    ])


def _pure_tables(g: Gen):
    a, b = _word(g), _word(g)
    return g.pick([
        ("return {ARGV[1], nil, ARGV[2]}", [a, b]),
        ("local t = {} t[1] = ARGV[1] t[3] = ARGV[2] return t", [a, b]),
        ("local t = {ARGV[1], ARGV[2], ARGV[3]} t[2] = nil return t", [a, b, b"c"]),
        ("return {1, {2, {ARGV[1], {false, true}}}, ARGV[2]}", [a, b]),
        ("return {true, false, 1.5, -1.5, 'x'}", []),
        ("return {{}, {{}}, {{{}}}}", []),
        ("return {ok=ARGV[1]}", [a]), ("return {err=ARGV[1]}", [a]),
        ("return {1, {ok=ARGV[1]}, {err=ARGV[2]}}", [a, b]),
        ("return redis.status_reply(ARGV[1])", [a]),
        ("return redis.error_reply(ARGV[1])", [a]),
        ("return redis.error_reply(ARGV[1]).err", [a]),
        ("return {double=ARGV[1]}", [a]),
        ("return {big_number=ARGV[1]}", [a]),
        ("return {map={[ARGV[1]]=ARGV[2]}}", [a, b]),
        ("return {set={[ARGV[1]]=true}}", [a]),
        ("return {map={ARGV[1], ARGV[2]}}", [a, b]),
        ("return {set={ARGV[1], ARGV[2]}}", [a, b]),
        ("return {verbatim_string={format=ARGV[1], string=ARGV[2]}}", [a, b]),
        ("return {map={x={map={y={set={z=true}}}}}}", []),
        ("return ARGV", [a, b]),
        ("return {#ARGV, select('#', unpack(ARGV))}", [a, b]),
        ("return {unpack({1, 2, 3}, 2)}", []),
        ("local t = {5, 3, 9, 1} table.sort(t) return t", []),
        ("local t = {5, 3, 9, 1} table.sort(t, function(x, y) return x > y end) return t", []),
        ("local t = {ARGV[1]} table.insert(t, ARGV[2]) table.insert(t, 1, 'first') "
         "table.remove(t, 2) return {table.concat(t, ','), #t, table.getn(t), table.maxn(t)}",
         [a, b]),
        ("redis.setresp(3) return {true, false, ARGV[1]}", [a]),
        ("redis.setresp(3) return false", []), ("redis.setresp(3) return true", []),
        ("return {1, 2, nil, 4}", []), ("return {nil}", []), ("return nil", []),
        ("return false", []), ("return true", []),
    ])


def _pure_strings(g: Gen):
    a = _word(g)
    n = g.pick([b"-3", b"-1", b"0", b"1", b"2", b"5", b"100", b"x"])
    return g.pick([
        ("return {string.len(ARGV[1]), string.upper(ARGV[1]), string.lower(ARGV[1]), "
         "string.reverse(ARGV[1])}", [a]),
        ("return string.rep(ARGV[1], tonumber(ARGV[2]) or 2)", [a, n]),
        ("return {string.sub(ARGV[1], tonumber(ARGV[2]) or 1), "
         "string.sub(ARGV[1], 2, tonumber(ARGV[2]) or -1)}", [b"hello world", n]),
        ("return {string.byte(ARGV[1], 1, -1)}", [a]),
        ("return string.char(tonumber(ARGV[1]) or 65, 66)", [g.pick([b"0", b"255", b"256",
                                                                    b"-1", b"65"])]),
        ("return {string.find(ARGV[1], ARGV[2])}", [b"hello world", g.pick([b"o", b"l+",
                                                                             b"%s", b"(", b"x",
                                                                             b"w(or)"])]),
        ("return {string.find(ARGV[1], ARGV[2], 1, true)}", [b"a.b(c", g.pick([b".", b"(", b"z"])]),
        ("return {string.gsub(ARGV[1], ARGV[2], ARGV[3])}", [b"hello world",
                                                            g.pick([b"o", b"%w+", b"l", b"["]),
                                                            g.pick([b"0", b"%0%0", b"<%1>", b""])]),
        ("return {string.match(ARGV[1], '(%d+)-(%d+)')}", [g.pick([b"12-34", b"a-b", b"1-2-3"])]),
        ("local t = {} for w in string.gmatch(ARGV[1], '%a+') do t[#t + 1] = w end return t",
         [b"one two  three4four"]),
        ("return string.format('%q', ARGV[1])", [a]),
        ("return string.format('%s|%10s|%-5s|', ARGV[1], 'r', 'l')", [a]),
        ("return string.format(ARGV[1], 42)", [g.pick([b"%d", b"%5d", b"%-5d|", b"%x", b"%X",
                                                      b"%o", b"%c", b"%e", b"%.3f", b"%g",
                                                      b"%i", b"%u", b"%%", b"%z", b"%"])]),
        ("return ('x'):rep(3) .. ARGV[1]:upper()", [a]),
        ("return #ARGV[1]", [g.value()]),
        ("return ARGV[1]", [g.value()]),
        ("return redis.sha1hex(ARGV[1])", [g.value()]),
        ("return tostring(nil) .. tostring(true) .. tostring(1e15) .. tostring(1e16) .. "
         "tostring(-0) .. tostring(0.1) .. tostring(1/3)", []),
    ])


def _pure_bit(g: Gen):
    a, b = _small_int(g), _small_int(g)
    return g.pick([
        ("return {bit.band(ARGV[1], ARGV[2]), bit.bor(ARGV[1], ARGV[2]), "
         "bit.bxor(ARGV[1], ARGV[2])}", [a, b]),
        ("return {bit.bnot(ARGV[1]), bit.tobit(ARGV[1]), bit.bswap(ARGV[1])}", [a]),
        ("return {bit.lshift(ARGV[1], ARGV[2]), bit.rshift(ARGV[1], ARGV[2]), "
         "bit.arshift(ARGV[1], ARGV[2])}", [a, b]),
        ("return {bit.rol(ARGV[1], ARGV[2]), bit.ror(ARGV[1], ARGV[2])}", [a, b]),
        ("return {bit.tohex(ARGV[1]), bit.tohex(ARGV[1], tonumber(ARGV[2]) % 9), "
         "bit.tohex(ARGV[1], -4)}", [a, b]),
        ("return bit.band()", []),
        ("return bit.band(ARGV[1])", [g.pick([b"x", b"1.5", b"1e20"])]),
    ])


STRUCT_FORMATS = [b">I2", b"<I2", b">i4", b"<i4", b"b", b"B", b"h", b"H", b">l", b"<L", b">i8",
                  b"<I3", b"!4>i2", b"d", b"f", b"<d", b">f", b"x", b"c1"]


def _pure_struct(g: Gen):
    fmt, n = g.pick(STRUCT_FORMATS), _small_int(g)
    return g.pick([
        (HEX + "return hex(struct.pack(ARGV[1], tonumber(ARGV[2])))", [fmt, n]),
        (HEX + "local s = struct.pack(ARGV[1], tonumber(ARGV[2]))\n"
         "local v, nxt = struct.unpack(ARGV[1], s)\nreturn {tostring(v), nxt}", [fmt, n]),
        ("return struct.size(ARGV[1])", [fmt]),
        (HEX + "return hex(struct.pack('>I2sBc0', #ARGV[1], ARGV[1], 7, 'tail'))", [_word(g)]),
        ("local a, b, c = struct.unpack('>I2I2', ARGV[1]) return {a, b, c}",
         [g.pick([b"\x00\x01\x00\x02", b"\xff\xff\x00\x00", b"\x01", b""])]),
        ("return {struct.unpack('s', ARGV[1])}", [g.pick([b"abc\x00def", b"abc", b""])]),
        ("return {struct.unpack('<I' .. ARGV[1], string.rep('\\1', 8))}", [g.pick([b"1", b"2",
                                                                                 b"4", b"8",
                                                                                 b"9", b"0"])]),
        (HEX + "return hex(struct.pack(ARGV[1], 1))", [g.pick([b"i17", b"q", b"<>", b"!3i",
                                                                b"c", b"s", b"I0"])]),
    ])


JSON_DOCS = [b"[1,2,3]", b"{\"a\":1}", b"\"str\"", b"12.5", b"-0", b"1e400", b"true", b"null",
             b"[]", b"{}", b"[1,[2,[3,[4]]]]", b"{\"a\":[1,{\"b\":null}]}", b"\"\\u00e9\\n\"",
             b"[1,2", b"{\"a\" 1}", b"nul", b"", b"[1,]", b"\"\\x\"", b"0x10", b"[1e2, 2E-2]",
             b"\"\\ud83d\\ude00\"", b"[true,false,null]", b"  [ 1 ,  2 ]  ", b"{\"k\":\"v\"}"]


def _pure_cjson(g: Gen):
    return g.pick([
        ("return cjson.encode(cjson.decode(ARGV[1]))", [g.pick(JSON_DOCS)]),
        ("local v = cjson.decode(ARGV[1]) return type(v)", [g.pick(JSON_DOCS)]),
        ("return cjson.encode({1, 'two', false, {3, 4}, {}})", []),
        ("return cjson.encode({a = {1, 2}})", []),
        ("return cjson.encode(ARGV[1])", [g.value()]),
        ("return cjson.encode(tonumber(ARGV[1]))", [_num(g)]),
        ("return cjson.encode({[1] = 'a', [3] = 'c'})", []),
        ("return cjson.encode({[1] = 'a', [2] = 'b', [4] = 'd'})", []),
        ("return cjson.encode(cjson.null)", []),
        ("return cjson.decode('[1, null, 3]')[2] == cjson.null", []),
        ("return cjson.encode(function() end)", []),
        ("local t = {} t[1] = t return cjson.encode(t)", []),
        ("return cjson.decode(ARGV[1])", [g.pick([b"[1,2,3]", b"[\"a\",[\"b\"]]", b"5", b"1.9",
                                                  b"\"s\"", b"true", b"false"])]),
        ("return cjson.encode({ARGV[1], ARGV[2]})", [_word(g), g.value()]),
        ("return cjson.encode({n = tonumber(ARGV[1])})", [_num(g)]),
    ])


def _pure_msgpack(g: Gen):
    v = _word(g)
    n = _num(g)
    return g.pick([
        (HEX + "return hex(cmsgpack.pack(tonumber(ARGV[1])))", [n]),
        (HEX + "return hex(cmsgpack.pack(ARGV[1]))", [g.value()]),
        (HEX + "return hex(cmsgpack.pack(string.rep('x', tonumber(ARGV[1]))))",
         [g.pick([b"0", b"31", b"32", b"255", b"256", b"65535", b"65536"])]),
        (HEX + "return hex(cmsgpack.pack({1, 2, {ARGV[1]}, true, false}))", [v]),
        (HEX + "local t = {} for i = 1, tonumber(ARGV[1]) do t[i] = i end\n"
         "return hex(string.sub(cmsgpack.pack(t), 1, 8))", [g.pick([b"0", b"15", b"16", b"100",
                                                                   b"65536"])]),
        (HEX + "return hex(cmsgpack.pack({k = ARGV[1]}))", [v]),
        (HEX + "return hex(cmsgpack.pack(1, 'a', nil, 2))", []),
        ("return {cmsgpack.unpack(cmsgpack.pack(tonumber(ARGV[1]), ARGV[2]))}", [n, v]),
        ("local t = cmsgpack.unpack(cmsgpack.pack({1, {2, 3}, 'x'})) return {t[1], t[2], t[3]}",
         []),
        ("return {tostring(cmsgpack.unpack(cmsgpack.pack(tonumber(ARGV[1]))))}", [n]),
        ("return {cmsgpack.unpack(ARGV[1])}", [g.pick([b"\x93\x01\x02\x03", b"\xc0", b"\xc3",
                                                        b"\xa3abc", b"\xcd\x01\x00", b"\xd0\xff",
                                                        b"\xcb\x3f\xf8\x00\x00\x00\x00\x00\x00",
                                                        b"\x91", b"", b"\xc1", b"\x01\x02"])]),
        ("return {cmsgpack.unpack_one(ARGV[1])}", [b"\x01\x02\x03"]),
        ("return {cmsgpack.unpack_limit(ARGV[1], 2)}", [b"\x01\x02\x03"]),
        ("return {cmsgpack.unpack_one(ARGV[1], 1)}", [b"\x01\x02\x03"]),
        ("return cmsgpack.pack()", []),
    ])


def _pure_random(g: Gen):
    n = g.pick([b"1", b"2", b"10", b"100", b"1000000", b"0", b"-5"])
    return g.pick([
        ("local t = {} for i = 1, 10 do t[i] = math.random(tonumber(ARGV[1])) end return t", [n]),
        ("local t = {} for i = 1, 5 do t[i] = tostring(math.random()) end return t", []),
        ("math.randomseed(tonumber(ARGV[1])) local t = {} for i = 1, 5 do "
         "t[i] = math.random(1000) end return t", [_small_int(g)]),
        ("return math.random(ARGV[1], ARGV[2])", [g.int_arg(-10, 10), g.int_arg(-10, 10)]),
        ("return {math.random(10), math.random(10, 20)}", []),
    ])


def _pure_errors(g: Gen):
    a = _word(g)
    return g.pick([
        ("x = 1", []), ("return undefinedvar", []), ("string.x = 1", []),
        ("rawset(_G, 'x', 1)", []), ("setmetatable(_G, {})", []), ("redis.call = nil", []),
        ("_G.KEYS = nil", []), ("cjson.encode = nil", []),
        ("local t = getmetatable('') t.x = 1", []),
        ("return loadstring('y = 2')()", []), ("return type(os)", []), ("return print('x')", []),
        ("error(ARGV[1])", [a]), ("error(ARGV[1], 0)", [a]),
        # An error table must hold a string: Redis 7.0.15 crashes on {err=nil}.
        ("error({err=tostring(ARGV[1])})", [a]),
        ("error(redis.error_reply(ARGV[1]))", [a]),
        ("local ok, e = pcall(error, ARGV[1]) return {tostring(ok), e}", [a]),
        ("local ok, e = pcall(error, {err=ARGV[1]}) return {tostring(ok), e}", [a]),
        ("local ok, e = pcall(redis.call, 'nosuch') return {tostring(ok), e}", []),
        ("local ok, e = pcall(redis.call, 'get') return {tostring(ok), e}", []),
        ("return redis.pcall('nosuch', ARGV[1])", [a]),
        ("return redis.call('nosuch', ARGV[1])", [a]),
        ("return redis.call('get', {})", []), ("return redis.call()", []),
        ("return redis.call('eval', 'return 1', 0)", []),
        ("return redis.pcall('multi')", []),
        ("redis.setresp(ARGV[1])", [g.pick([b"1", b"2", b"3", b"4", b"x"])]),
        ("redis.set_repl(tonumber(ARGV[1]))", [g.pick([b"0", b"3", b"4", b"-1"])]),
        ("redis.log(tonumber(ARGV[1]), 'from diffgen')", [g.pick([b"0", b"3", b"4", b"x"])]),
        ("return 1 +", []), ("return 'unfinished", []), ("local t = nil return t.x", []),
        ("return #nil", []), ("\n\nlocal a = 1\nreturn redis.call('nosuch')", []),
        # Redis's Lua compiles every chunk as source: bytecode is a syntax error.
        ("local f, e = loadstring(string.dump(function() return 1 end)) return {type(f), e}", []),
    ])


@family("scripts", W, share=4.0)
def gen_pure(g: Gen):
    fn = g.pick([_pure_numbers, _pure_numbers, _pure_tables, _pure_tables, _pure_strings,
                 _pure_bit, _pure_struct, _pure_cjson, _pure_msgpack, _pure_random,
                 _pure_errors, _pure_errors])
    script, argv = fn(g)
    return _ev(script, [], argv)


# --- the script cache, EVAL_RO and shebangs --------------------------------------------------

CACHED = [
    "return redis.call('get', KEYS[1])",
    "return {KEYS[1], ARGV[1]}",
    "return redis.call('incr', KEYS[1])",
    "#!lua flags=no-writes\nreturn redis.call('exists', KEYS[1])",
    "#!lua\nreturn redis.call('set', KEYS[1], ARGV[1])",
    "return redis.pcall('lpush', KEYS[1], ARGV[1])",
    "return math.random(100)",
]


def _sha(body: str) -> bytes:
    import hashlib
    return hashlib.sha1(body.encode()).hexdigest().encode()


@family("scripts", W, share=2.0)
def gen_cache(g: Gen):
    body = g.pick(CACHED)
    r = g.rng.random()
    if r < 0.25:
        return cmd("SCRIPT", "LOAD", body)
    if r < 0.6:
        sha = _sha(body)
        if g.chance(0.1):
            sha = sha.upper()
        return cmd(g.pick([b"EVALSHA", b"EVALSHA", b"EVALSHA_RO"]), sha, 1, g.key(), g.value())
    if r < 0.7:
        shas = [_sha(g.pick(CACHED)) for _ in range(g.rng.randint(1, 4))]
        if g.chance(0.3):
            shas.append(g.pick([b"f" * 40, b"x", b""]))
        return cmd("SCRIPT", "EXISTS", *shas)
    if r < 0.74:
        return cmd("SCRIPT", "FLUSH", *g.pick([[], [b"SYNC"], [b"ASYNC"], [b"async"], [b"bad"]]))
    if r < 0.78:
        return cmd("EVALSHA", g.pick([b"f" * 40, b"short", b""]), 0)
    if r < 0.86:
        return cmd("EVAL", body, 1, g.key(), g.value())
    # EVAL_RO with reads and writes, and shebang flags.
    k = g.key()
    script = g.pick([
        "return redis.call('get', KEYS[1])", "return redis.call('set', KEYS[1], 'ro')",
        "return redis.pcall('del', KEYS[1])",
        "#!lua flags=no-writes\nreturn redis.call('type', KEYS[1])",
        "#!lua flags=no-writes\nreturn redis.call('incr', KEYS[1])",
        "#!lua\nreturn redis.call('strlen', KEYS[1])",
        "#!lua flags=allow-oom,no-writes\nreturn 1", "#!lua flags=bogus\nreturn 1",
        "#!lua name=x\nreturn 1", "#!nolua\nreturn 1",
    ])
    return _ev(script, [k], [], name=g.pick([b"EVAL", b"EVAL_RO", b"eval_ro"]))
