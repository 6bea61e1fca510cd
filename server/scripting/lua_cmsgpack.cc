// The `cmsgpack` library Redis gives scripts (antirez's lua-cmsgpack 0.4.0 with Redis's
// stack-safety fixes), rewritten here from its behaviour: MessagePack encoding of Lua values.
//
// MessagePack tags every value with a leading byte; big-endian lengths/values follow:
//   0x00-0x7f positive fixint    0xe0-0xff negative fixint (-32..-1)
//   0xcc/cd/ce/cf  uint 8/16/32/64       0xd0/d1/d2/d3  int 8/16/32/64
//   0xca float32   0xcb float64          0xc0 nil   0xc2 false   0xc3 true
//   0xa0-0xbf fixstr (len < 32)          0xd9/da/db  str 8/16/32
//   0x90-0x9f fixarray (n < 16)          0xdc/dd  array 16/32
//   0x80-0x8f fixmap (n < 16)            0xde/df  map 16/32
// Everything else (bin, ext, 0xc1) is rejected when decoding.
//
// Encoding (cmsgpack.pack(v1, ...), each argument encoded and the results concatenated):
// - A number that is a whole value in [-2^63, 2^63) becomes an integer in the smallest form:
//   fixint, then unsigned forms for positives and signed forms for negatives. Any other number
//   becomes float32 when converting it to float and back is exact (0.5, inf, 2^63), else
//   float64 (0.1, NaN).
// - A table is an array when every key is a whole number in [1, INT_MAX] and the largest key
//   equals the number of keys (so keys 1..n without holes; the empty table is an empty array);
//   otherwise it is a map, its pairs in lua_next order. Tables nest at most 16 deep: a table
//   below 16 enclosing ones (level 16, the top level being 0) is written as nil, which is what
//   stops cyclic tables from recursing forever.
// - Strings keep their bytes; booleans are booleans; anything else (functions, nil...) is nil.
//
// Decoding: unpack(s) returns every value in s; unpack_one(s [, offset]) and
// unpack_limit(s, limit [, offset]) decode at most 1 / limit values starting at byte offset and
// return first the offset after them (-1 once the input is used up); a zero limit with a zero
// offset means "all, without the offset", like unpack. Integers come back as Lua numbers; a
// uint64 above 2^63-1 wraps negative, since Redis pushes it through a signed lua_Integer. A
// decode that runs out of bytes fails with "Missing bytes in input.", an unknown tag with "Bad
// data format in input.".
//
// Stack discipline matters for exactness: the same luaL_checkstack calls with the same messages
// run in the same order as in Redis, so the rare "stack overflow (...)" errors for huge argument
// lists or deep nesting match. The encoder's byte buffer lives outside the Lua stack (one
// reusable buffer; a Lua error can longjmp out of the encoder, which must leave nothing to
// destroy behind).
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "server/scripting/lua_libs.h"

namespace baozi::lua {
namespace {

constexpr int kMaxNesting = 16;

// The encoder's output. Reused across calls so small packs do not allocate; trimmed back when a
// huge pack has inflated it. Scripts run on one thread, and encoding never re-enters Lua code.
std::string& PackBuffer() {
  static std::string* buffer = new std::string();
  return *buffer;
}

void PutBigEndian(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void EncodeTaggedLength(std::string& out, uint64_t n, unsigned char fix_tag, size_t fix_limit,
                        unsigned char tag16, unsigned char tag32) {
  if (n < fix_limit) {
    out.push_back(static_cast<char>(fix_tag | n));
  } else if (n <= 0xffff) {
    out.push_back(static_cast<char>(tag16));
    PutBigEndian(out, n, 2);
  } else {
    out.push_back(static_cast<char>(tag32));
    PutBigEndian(out, n & 0xffffffff, 4);
  }
}

void EncodeBytes(std::string& out, const char* s, size_t len) {
  if (len < 32) {
    out.push_back(static_cast<char>(0xa0 | len));
  } else if (len <= 0xff) {
    out.push_back(static_cast<char>(0xd9));
    out.push_back(static_cast<char>(len));
  } else if (len <= 0xffff) {
    out.push_back(static_cast<char>(0xda));
    PutBigEndian(out, len, 2);
  } else {
    out.push_back(static_cast<char>(0xdb));
    PutBigEndian(out, len & 0xffffffff, 4);
  }
  out.append(s, len);
}

void EncodeDouble(std::string& out, double d) {
  float f = static_cast<float>(d);
  if (d == static_cast<double>(f)) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    out.push_back(static_cast<char>(0xca));
    PutBigEndian(out, bits, 4);
  } else {
    uint64_t bits;
    std::memcpy(&bits, &d, 8);
    out.push_back(static_cast<char>(0xcb));
    PutBigEndian(out, bits, 8);
  }
}

void EncodeInt(std::string& out, int64_t n) {
  if (n >= 0) {
    if (n <= 127) {
      out.push_back(static_cast<char>(n));
    } else if (n <= 0xff) {
      out.push_back(static_cast<char>(0xcc));
      PutBigEndian(out, n, 1);
    } else if (n <= 0xffff) {
      out.push_back(static_cast<char>(0xcd));
      PutBigEndian(out, n, 2);
    } else if (n <= 0xffffffffLL) {
      out.push_back(static_cast<char>(0xce));
      PutBigEndian(out, n, 4);
    } else {
      out.push_back(static_cast<char>(0xcf));
      PutBigEndian(out, n, 8);
    }
  } else {
    auto u = static_cast<uint64_t>(n);
    if (n >= -32) {
      out.push_back(static_cast<char>(u & 0xff));
    } else if (n >= -128) {
      out.push_back(static_cast<char>(0xd0));
      PutBigEndian(out, u, 1);
    } else if (n >= -32768) {
      out.push_back(static_cast<char>(0xd1));
      PutBigEndian(out, u, 2);
    } else if (n >= INT32_MIN) {
      out.push_back(static_cast<char>(0xd2));
      PutBigEndian(out, u, 4);
    } else {
      out.push_back(static_cast<char>(0xd3));
      PutBigEndian(out, u, 8);
    }
  }
}

// Whether (int64_t)x == x, as x86-64 evaluates it (out-of-range casts give INT64_MIN, which
// compares equal only to -2^63 itself).
bool IsInt64Equivalent(double x) {
  return x >= -9223372036854775808.0 && x < 9223372036854775808.0 && std::trunc(x) == x;
}

// Whether (int)x == x with x86's out-of-range INT_MIN, for the x > 0 the caller checks.
bool IsPositiveIntEquivalent(double x) { return x <= INT_MAX && std::trunc(x) == x; }

void EncodeValue(lua_State* L, std::string& out, int level);

// Keys 1..n exactly (see the essay). Leaves the stack unchanged.
bool TableIsArray(lua_State* L) {
  int top = lua_gettop(L);
  int count = 0;
  int max = 0;
  luaL_checkstack(L, 2, "in function table_is_an_array");
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pop(L, 1);
    lua_Number n;
    if (lua_type(L, -1) != LUA_TNUMBER || (n = lua_tonumber(L, -1)) <= 0 ||
        !IsPositiveIntEquivalent(n)) {
      lua_settop(L, top);
      return false;
    }
    if (n > max) max = static_cast<int>(n);
    ++count;
  }
  lua_settop(L, top);
  return max == count;
}

void EncodeArray(lua_State* L, std::string& out, int level) {
  size_t len = lua_objlen(L, -1);
  EncodeTaggedLength(out, len, 0x90, 16, 0xdc, 0xdd);
  luaL_checkstack(L, 1, "in function mp_encode_lua_table_as_array");
  for (size_t j = 1; j <= len; ++j) {
    lua_pushnumber(L, static_cast<lua_Number>(j));
    lua_gettable(L, -2);
    EncodeValue(L, out, level + 1);
  }
}

void EncodeMap(lua_State* L, std::string& out, int level) {
  size_t len = 0;
  luaL_checkstack(L, 3, "in function mp_encode_lua_table_as_map");
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pop(L, 1);
    ++len;
  }
  EncodeTaggedLength(out, len, 0x80, 16, 0xde, 0xdf);
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pushvalue(L, -2);            // key value key
    EncodeValue(L, out, level + 1);  // pops the key copy
    EncodeValue(L, out, level + 1);  // pops the value, leaving the key for lua_next
  }
}

// Encodes the value on top of the stack and pops it.
void EncodeValue(lua_State* L, std::string& out, int level) {
  int type = lua_type(L, -1);
  if (type == LUA_TTABLE && level == kMaxNesting) type = LUA_TNIL;
  switch (type) {
    case LUA_TSTRING: {
      size_t len;
      const char* s = lua_tolstring(L, -1, &len);
      EncodeBytes(out, s, len);
      break;
    }
    case LUA_TBOOLEAN:
      out.push_back(static_cast<char>(lua_toboolean(L, -1) ? 0xc3 : 0xc2));
      break;
    case LUA_TNUMBER: {
      lua_Number n = lua_tonumber(L, -1);
      if (IsInt64Equivalent(n)) {
        EncodeInt(out, static_cast<int64_t>(n));
      } else {
        EncodeDouble(out, n);
      }
      break;
    }
    case LUA_TTABLE:
      if (TableIsArray(L)) {
        EncodeArray(L, out, level);
      } else {
        EncodeMap(L, out, level);
      }
      break;
    default:
      out.push_back(static_cast<char>(0xc0));
  }
  lua_pop(L, 1);
}

int Pack(lua_State* L) {
  int nargs = lua_gettop(L);
  if (nargs == 0) return luaL_argerror(L, 0, "MessagePack pack needs input.");
  if (!lua_checkstack(L, nargs)) {
    return luaL_argerror(L, 0, "Too many arguments for MessagePack pack.");
  }
  std::string& out = PackBuffer();
  for (int i = 1; i <= nargs; ++i) {
    luaL_checkstack(L, 1, "in function mp_check");
    lua_pushvalue(L, i);
    out.clear();
    EncodeValue(L, out, 0);
    lua_pushlstring(L, out.data(), out.size());
  }
  if (out.capacity() > (1 << 20)) std::string().swap(out);
  lua_concat(L, nargs);
  return 1;
}

// ---------------------------------------------------------------------------------------------
// Decoding.

enum class DecodeError { kNone, kEof, kBadFormat };

struct Cursor {
  const unsigned char* p;
  size_t left;
  DecodeError err;
};

// Sets kEof and returns false when fewer than n bytes remain.
bool Need(Cursor* c, size_t n) {
  if (c->left < n) {
    c->err = DecodeError::kEof;
    return false;
  }
  return true;
}

void Consume(Cursor* c, size_t n) {
  c->p += n;
  c->left -= n;
}

uint64_t ReadBigEndian(const unsigned char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
  return v;
}

// Redis pushes unsigned values through lua_pushinteger (a signed 64-bit lua_Integer).
void PushUnsigned(lua_State* L, uint64_t v) {
  lua_pushinteger(L, static_cast<lua_Integer>(static_cast<int64_t>(v)));
}

void DecodeValue(lua_State* L, Cursor* c);

void DecodeArray(lua_State* L, Cursor* c, size_t len) {
  lua_newtable(L);
  luaL_checkstack(L, 1, "in function mp_decode_to_lua_array");
  for (int index = 1; len > 0; --len, ++index) {
    lua_pushnumber(L, index);
    DecodeValue(L, c);
    if (c->err != DecodeError::kNone) return;
    lua_settable(L, -3);
  }
}

void DecodeMap(lua_State* L, Cursor* c, size_t len) {
  lua_newtable(L);
  for (; len > 0; --len) {
    DecodeValue(L, c);  // key
    if (c->err != DecodeError::kNone) return;
    DecodeValue(L, c);  // value
    if (c->err != DecodeError::kNone) return;
    lua_settable(L, -3);
  }
}

void DecodeString(lua_State* L, Cursor* c, size_t header, size_t len) {
  if (!Need(c, header + len)) return;
  lua_pushlstring(L, reinterpret_cast<const char*>(c->p) + header, len);
  Consume(c, header + len);
}

// Pushes the value at the cursor (or sets c->err, possibly after pushing part of it).
void DecodeValue(lua_State* L, Cursor* c) {
  if (!Need(c, 1)) return;
  // The result count of a top-level unpack is unknown up front: grow the stack one slot per
  // value, as Redis does, so an enormous stream fails the same way.
  luaL_checkstack(L, 1, "too many return values at once; use unpack_one or unpack_limit instead.");
  const unsigned char tag = c->p[0];
  switch (tag) {
    case 0xcc:  // uint 8/16/32/64
    case 0xcd:
    case 0xce:
    case 0xcf: {
      int bytes = 1 << (tag - 0xcc);
      if (!Need(c, 1 + bytes)) return;
      PushUnsigned(L, ReadBigEndian(c->p + 1, bytes));
      Consume(c, 1 + bytes);
      return;
    }
    case 0xd0:
      if (!Need(c, 2)) return;
      lua_pushinteger(L, static_cast<int8_t>(c->p[1]));
      Consume(c, 2);
      return;
    case 0xd1:
      if (!Need(c, 3)) return;
      lua_pushinteger(L, static_cast<int16_t>(ReadBigEndian(c->p + 1, 2)));
      Consume(c, 3);
      return;
    case 0xd2:
      if (!Need(c, 5)) return;
      lua_pushinteger(L, static_cast<int32_t>(ReadBigEndian(c->p + 1, 4)));
      Consume(c, 5);
      return;
    case 0xd3:
      if (!Need(c, 9)) return;
      lua_pushnumber(L, static_cast<lua_Number>(static_cast<int64_t>(ReadBigEndian(c->p + 1, 8))));
      Consume(c, 9);
      return;
    case 0xc0:
      lua_pushnil(L);
      Consume(c, 1);
      return;
    case 0xc3:
    case 0xc2:
      lua_pushboolean(L, tag == 0xc3);
      Consume(c, 1);
      return;
    case 0xca: {
      if (!Need(c, 5)) return;
      auto bits = static_cast<uint32_t>(ReadBigEndian(c->p + 1, 4));
      float f;
      std::memcpy(&f, &bits, 4);
      lua_pushnumber(L, f);
      Consume(c, 5);
      return;
    }
    case 0xcb: {
      if (!Need(c, 9)) return;
      uint64_t bits = ReadBigEndian(c->p + 1, 8);
      double d;
      std::memcpy(&d, &bits, 8);
      lua_pushnumber(L, d);
      Consume(c, 9);
      return;
    }
    case 0xd9:
      if (!Need(c, 2)) return;
      DecodeString(L, c, 2, c->p[1]);
      return;
    case 0xda:
      if (!Need(c, 3)) return;
      DecodeString(L, c, 3, ReadBigEndian(c->p + 1, 2));
      return;
    case 0xdb:
      if (!Need(c, 5)) return;
      DecodeString(L, c, 5, ReadBigEndian(c->p + 1, 4));
      return;
    case 0xdc:
    case 0xde: {
      if (!Need(c, 3)) return;
      size_t n = ReadBigEndian(c->p + 1, 2);
      Consume(c, 3);
      tag == 0xdc ? DecodeArray(L, c, n) : DecodeMap(L, c, n);
      return;
    }
    case 0xdd:
    case 0xdf: {
      if (!Need(c, 5)) return;
      size_t n = ReadBigEndian(c->p + 1, 4);
      Consume(c, 5);
      tag == 0xdd ? DecodeArray(L, c, n) : DecodeMap(L, c, n);
      return;
    }
    default:
      break;
  }
  if ((tag & 0x80) == 0) {
    PushUnsigned(L, tag);
    Consume(c, 1);
  } else if ((tag & 0xe0) == 0xe0) {
    lua_pushinteger(L, static_cast<int8_t>(tag));
    Consume(c, 1);
  } else if ((tag & 0xe0) == 0xa0) {
    DecodeString(L, c, 1, tag & 0x1f);
  } else if ((tag & 0xf0) == 0x90) {
    Consume(c, 1);
    DecodeArray(L, c, tag & 0xf);
  } else if ((tag & 0xf0) == 0x80) {
    Consume(c, 1);
    DecodeMap(L, c, tag & 0xf);
  } else {
    c->err = DecodeError::kBadFormat;
  }
}

// limit == 0 && offset == 0 means "everything, and no offset result" (plain unpack; also
// unpack_limit(s, 0)).
int Unpack(lua_State* L, lua_Integer limit, lua_Integer offset) {
  size_t len;
  const char* s = luaL_checklstring(L, 1, &len);
  if (offset < 0 || limit < 0) {
    // Redis prints the input length where the limit belongs.
    return luaL_error(L, "Invalid request to unpack with offset of %d and limit of %d.",
                      static_cast<int>(offset), static_cast<int>(len));
  }
  if (static_cast<size_t>(offset) > len) {
    return luaL_error(L, "Start offset %d greater than input length %d.", static_cast<int>(offset),
                      static_cast<int>(len));
  }
  bool decode_all = limit == 0 && offset == 0;
  if (decode_all) limit = INT_MAX;
  Cursor c{reinterpret_cast<const unsigned char*>(s) + offset, len - offset, DecodeError::kNone};
  int count = 0;
  for (; c.left > 0 && count < limit; ++count) {
    DecodeValue(L, &c);
    if (c.err == DecodeError::kEof) return luaL_error(L, "Missing bytes in input.");
    if (c.err == DecodeError::kBadFormat) return luaL_error(L, "Bad data format in input.");
  }
  if (!decode_all) {
    luaL_checkstack(L, 1, "in function mp_unpack_full");
    lua_pushinteger(L, c.left == 0 ? -1 : static_cast<lua_Integer>(len - c.left));
    lua_insert(L, 2);  // the offset goes first, right after the input argument
    ++count;
  }
  return count;
}

int UnpackAll(lua_State* L) { return Unpack(L, 0, 0); }

int UnpackOne(lua_State* L) {
  lua_Integer offset = luaL_optinteger(L, 2, 0);
  lua_pop(L, lua_gettop(L) - 1);
  return Unpack(L, 1, offset);
}

int UnpackLimit(lua_State* L) {
  lua_Integer limit = luaL_checkinteger(L, 2);
  lua_Integer offset = luaL_optinteger(L, 3, 0);
  lua_pop(L, lua_gettop(L) - 1);
  return Unpack(L, limit, offset);
}

}  // namespace

void OpenCmsgpack(lua_State* L) {
  // Field insertion order matters to pairs(cmsgpack); it is Redis's.
  lua_newtable(L);
  lua_pushcfunction(L, Pack);
  lua_setfield(L, -2, "pack");
  lua_pushcfunction(L, UnpackAll);
  lua_setfield(L, -2, "unpack");
  lua_pushcfunction(L, UnpackOne);
  lua_setfield(L, -2, "unpack_one");
  lua_pushcfunction(L, UnpackLimit);
  lua_setfield(L, -2, "unpack_limit");
  lua_pushliteral(L, "cmsgpack");
  lua_setfield(L, -2, "_NAME");
  lua_pushliteral(L, "lua-cmsgpack 0.4.0");
  lua_setfield(L, -2, "_VERSION");
  lua_pushliteral(L, "Copyright (C) 2012, Salvatore Sanfilippo");
  lua_setfield(L, -2, "_COPYRIGHT");
  lua_pushliteral(L, "MessagePack C implementation for Lua");
  lua_setfield(L, -2, "_DESCRIPTION");
  lua_setglobal(L, "cmsgpack");
}

}  // namespace baozi::lua
