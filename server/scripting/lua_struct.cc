// The `struct` library Redis gives scripts: Roberto Ierusalimschy's struct 0.2 (2012) with the
// bounds checks Redis added (CVE-2020-14147 and later), rewritten here from its behaviour.
//
// struct.pack(fmt, v1, v2, ...) lays values out as a C struct would; struct.unpack(fmt, s
// [, pos]) reads them back and returns them followed by the position after the last byte read;
// struct.size(fmt) is the byte length of a format without variable-length items.
//
// The format language, read one option character at a time (an optional decimal count may
// follow some of them):
//   ' '       ignored
//   '>' '<'   switch to big / little endian (the default is the machine's, little on x86)
//   '!n'      set the maximum alignment to n (a power of 2; a bare '!' means 8)
//   'x'       one zero byte of padding
//   'b' 'B'   signed / unsigned char (1 byte)       'h' 'H'  short (2)
//   'l' 'L'   long (8)                              'T'      size_t (8)
//   'in' 'In' signed / unsigned integer of n bytes, n <= 32 (default 4); any n, not only
//             powers of two, and bytes beyond the eighth are zero (values are 64-bit)
//   'f' 'd'   float (4) / double (8), IEEE bytes in the chosen endianness
//   'cn'      n raw bytes (a bare 'c' is c1); packing 'c0' takes the whole string, unpacking
//             'c0' takes its length from the number unpacked just before it (and drops it)
//   's'       zero-terminated string
// There is no '=' option (Redis rejects it as invalid). Alignment: an item of size k > 0 (other
// than 'c') starts at the next multiple of min(k, align); align starts at 1, so nothing is
// padded until '!' raises it. For k that is not a power of two (i3) the padding comes from the
// same mask arithmetic, which gives Redis's odd but deterministic answers.
//
// Numbers are Lua doubles. Packing converts with C's casts as x86-64 performs them: a negative
// value goes through a signed 64-bit conversion, anything else through an unsigned one, and
// out-of-range or NaN values give the bit patterns the hardware gives (emulated below, since
// in C++ those casts are undefined). Unpacking builds the unsigned 64-bit value from the bytes
// and, for signed options, extends the sign bit of the item's most significant byte (for sizes
// 0 and above 8 the shift count wraps mod 64, as on x86).
//
// Error texts (and which argument number they blame) are Redis's; they go through luaL_error /
// luaL_argerror so the "bad argument #n to 'pack'" decoration and position prefix match.
#include <climits>
#include <cstdint>
#include <cstring>
#include <utility>

#include "server/scripting/lua_libs.h"

namespace baozi::lua {
namespace {

constexpr int kMaxIntSize = 32;
// max(alignment of double, sizeof(int)) on x86-64: what a bare '!' selects.
constexpr int kMaxAlign = 8;

struct Header {
  bool little = true;  // x86-64 is little endian
  int align = 1;
};

bool IsDigit(int c) { return c >= '0' && c <= '9'; }
bool IsAlnum(int c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsPowerOf2(int x) { return x > 0 && (x & (x - 1)) == 0; }

// (int64_t)d as x86-64's cvttsd2si computes it: NaN and out-of-range values give INT64_MIN.
int64_t TruncToInt64(double d) {
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return INT64_MIN;
  return static_cast<int64_t>(d);
}

// (uint64_t)d as gcc compiles it for x86-64: below 2^63 (or NaN) a signed conversion, else a
// signed conversion of d - 2^63 with the top bit flipped back.
uint64_t TruncToUint64(double d) {
  constexpr double kTwo63 = 9223372036854775808.0;
  if (!(d >= kTwo63)) return static_cast<uint64_t>(TruncToInt64(d));
  return static_cast<uint64_t>(TruncToInt64(d - kTwo63)) ^ (uint64_t{1} << 63);
}

// Reads the decimal count after an option, if any.
int ReadCount(lua_State* L, const char** fmt, int dflt) {
  if (!IsDigit(**fmt)) return dflt;
  int a = 0;
  do {
    int digit = **fmt - '0';
    if (a > INT_MAX / 10 || a * 10 > INT_MAX - digit) luaL_error(L, "integral size overflow");
    a = a * 10 + digit;
    ++*fmt;
  } while (IsDigit(**fmt));
  return a;
}

// The byte size of an option (consuming its count); 0 for options that take no room.
size_t OptionSize(lua_State* L, char opt, const char** fmt) {
  switch (opt) {
    case 'B':
    case 'b':
    case 'x':
      return 1;
    case 'H':
    case 'h':
      return 2;
    case 'f':
      return 4;
    case 'L':
    case 'l':
    case 'T':
    case 'd':
      return 8;
    case 'c':
      return ReadCount(L, fmt, 1);
    case 'i':
    case 'I': {
      int sz = ReadCount(L, fmt, 4);
      if (sz > kMaxIntSize) {
        luaL_error(L, "integral size %d is larger than limit of %d", sz, kMaxIntSize);
      }
      return sz;
    }
    default:
      return 0;
  }
}

// Padding needed before an item of `size` bytes at offset `len`.
size_t PaddingBefore(size_t len, const Header& h, int opt, size_t size) {
  if (size == 0 || opt == 'c') return 0;
  if (size > static_cast<size_t>(h.align)) size = h.align;
  return (size - (len & (size - 1))) & (size - 1);
}

// The options that change the header rather than produce data; anything else is invalid.
void ControlOption(lua_State* L, int opt, const char** fmt, Header* h) {
  switch (opt) {
    case ' ':
      return;
    case '>':
      h->little = false;
      return;
    case '<':
      h->little = true;
      return;
    case '!': {
      int a = ReadCount(L, fmt, kMaxAlign);
      if (!IsPowerOf2(a)) luaL_error(L, "alignment %d is not a power of 2", a);
      h->align = a;
      return;
    }
    default:
      luaL_argerror(L, 1, lua_pushfstring(L, "invalid format option '%c'", opt));
  }
}

void PutInteger(lua_State* L, luaL_Buffer* b, int arg, bool little, size_t size) {
  lua_Number n = luaL_checknumber(L, arg);
  uint64_t value = n < 0 ? static_cast<uint64_t>(TruncToInt64(n)) : TruncToUint64(n);
  char bytes[kMaxIntSize];
  for (size_t i = 0; i < size; ++i) {
    bytes[little ? i : size - 1 - i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  luaL_addlstring(b, bytes, size);
}

// Copies a float or double's native (little-endian) bytes into `out` in the wanted order.
void OrderedBytes(const void* native, size_t size, bool little, char* out) {
  std::memcpy(out, native, size);
  if (!little) {
    for (size_t i = 0; i < size / 2; ++i) std::swap(out[i], out[size - 1 - i]);
  }
}

// A float or double stored in `little` or big-endian order.
template <class T>
T GetFloating(const char* p, bool little) {
  char bytes[sizeof(T)];
  OrderedBytes(p, sizeof(T), little, bytes);
  T v;
  std::memcpy(&v, bytes, sizeof(T));
  return v;
}

lua_Number GetInteger(const char* p, bool little, bool is_signed, size_t size) {
  uint64_t v = 0;
  for (size_t i = 0; i < size; ++i) {
    v = (v << 8) | static_cast<unsigned char>(p[little ? size - 1 - i : i]);
  }
  if (!is_signed) return static_cast<lua_Number>(v);
  // The sign mask is ~0 << (8*size - 1); x86 takes shift counts mod 64, which decides what
  // i0 and sizes above 8 give.
  uint64_t mask = ~uint64_t{0} << ((size * 8 - 1) & 63);
  if (v & mask) v |= mask;
  return static_cast<lua_Number>(static_cast<int64_t>(v));
}

int StructPack(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  Header h;
  int arg = 2;
  size_t total = 0;
  lua_pushnil(L);  // keeps the buffer's stack slots apart from the arguments
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  while (*fmt != '\0') {
    int opt = *fmt++;
    size_t size = OptionSize(L, static_cast<char>(opt), &fmt);
    size_t pad = PaddingBefore(total, h, opt, size);
    total += pad;
    for (; pad > 0; --pad) luaL_addchar(&b, '\0');
    switch (opt) {
      case 'b':
      case 'B':
      case 'h':
      case 'H':
      case 'l':
      case 'L':
      case 'T':
      case 'i':
      case 'I':
        PutInteger(L, &b, arg++, h.little, size);
        break;
      case 'x':
        luaL_addchar(&b, '\0');
        break;
      case 'f': {
        float f = static_cast<float>(luaL_checknumber(L, arg++));
        char bytes[4];
        OrderedBytes(&f, 4, h.little, bytes);
        luaL_addlstring(&b, bytes, 4);
        break;
      }
      case 'd': {
        double d = luaL_checknumber(L, arg++);
        char bytes[8];
        OrderedBytes(&d, 8, h.little, bytes);
        luaL_addlstring(&b, bytes, 8);
        break;
      }
      case 'c':
      case 's': {
        size_t l;
        const char* s = luaL_checklstring(L, arg++, &l);
        if (size == 0) size = l;
        // Redis blames the argument after the string (arg was already advanced).
        luaL_argcheck(L, l >= size, arg, "string too short");
        luaL_addlstring(&b, s, size);
        if (opt == 's') {
          luaL_addchar(&b, '\0');
          ++size;
        }
        break;
      }
      default:
        ControlOption(L, opt, &fmt, &h);
    }
    total += size;
  }
  luaL_pushresult(&b);
  return 1;
}

bool DataFits(size_t pos, size_t size, size_t len) { return size <= len && pos <= len - size; }

int StructUnpack(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  size_t len;
  const char* data = luaL_checklstring(L, 2, &len);
  // Unsigned on purpose: a negative offset passes this check and fails the length check.
  size_t pos = static_cast<size_t>(luaL_optinteger(L, 3, 1));
  luaL_argcheck(L, pos > 0, 3, "offset must be 1 or greater");
  --pos;
  int n = 0;  // values pushed
  Header h;
  while (*fmt != '\0') {
    int opt = *fmt++;
    size_t size = OptionSize(L, static_cast<char>(opt), &fmt);
    pos += PaddingBefore(pos, h, opt, size);
    luaL_argcheck(L, DataFits(pos, size, len), 2, "data string too short");
    luaL_checkstack(L, 2, "too many results");
    switch (opt) {
      case 'b':
      case 'B':
      case 'h':
      case 'H':
      case 'l':
      case 'L':
      case 'T':
      case 'i':
      case 'I': {
        bool is_signed = opt >= 'a' && opt <= 'z';
        lua_pushnumber(L, GetInteger(data + pos, h.little, is_signed, size));
        ++n;
        break;
      }
      case 'x':
        break;
      case 'f':
        lua_pushnumber(L, GetFloating<float>(data + pos, h.little));
        ++n;
        break;
      case 'd':
        lua_pushnumber(L, GetFloating<double>(data + pos, h.little));
        ++n;
        break;
      case 'c': {
        if (size == 0) {
          // The length is the value unpacked just before (a number or numeric string).
          if (n == 0 || !lua_isnumber(L, -1)) luaL_error(L, "format 'c0' needs a previous size");
          size = TruncToUint64(lua_tonumber(L, -1));
          lua_pop(L, 1);
          --n;
          luaL_argcheck(L, DataFits(pos, size, len), 2, "data string too short");
        }
        lua_pushlstring(L, data + pos, size);
        ++n;
        break;
      }
      case 's': {
        const void* end = std::memchr(data + pos, '\0', len - pos);
        if (end == nullptr) luaL_error(L, "unfinished string in data");
        size = static_cast<const char*>(end) - (data + pos) + 1;
        lua_pushlstring(L, data + pos, size - 1);
        ++n;
        break;
      }
      default:
        ControlOption(L, opt, &fmt, &h);
    }
    pos += size;
  }
  lua_pushinteger(L, static_cast<lua_Integer>(pos + 1));
  return n + 1;
}

int StructSize(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  Header h;
  size_t pos = 0;
  while (*fmt != '\0') {
    int opt = *fmt++;
    size_t size = OptionSize(L, static_cast<char>(opt), &fmt);
    pos += PaddingBefore(pos, h, opt, size);
    if (opt == 's') {
      luaL_argerror(L, 1, "option 's' has no fixed size");
    } else if (opt == 'c' && size == 0) {
      luaL_argerror(L, 1, "option 'c0' has no fixed size");
    }
    // Unknown letters and digits are skipped here, unlike in pack/unpack.
    if (!IsAlnum(opt)) ControlOption(L, opt, &fmt, &h);
    pos += size;
  }
  lua_pushinteger(L, static_cast<lua_Integer>(pos));
  return 1;
}

const luaL_Reg kStructFunctions[] = {
    {"pack", StructPack},
    {"unpack", StructUnpack},
    {"size", StructSize},
    {nullptr, nullptr},
};

}  // namespace

void OpenStruct(lua_State* L) {
  luaL_register(L, "struct", kStructFunctions);
  lua_pop(L, 1);
}

}  // namespace baozi::lua
