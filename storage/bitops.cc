// How the bit operations work.
//
// A string is a bitmap read big-endian: bit i lives in byte i/8 at mask 0x80 >> (i%8). Every
// command reduces to a handful of primitives over that layout.
//
// Counting (BITCOUNT) and searching (BITPOS) first turn the request's start/end into a closed
// range of bit positions using Redis's rules: negative indexes count from the end, both ends are
// clamped into the string, and an inverted range is empty. BYTE ranges are bit ranges whose ends
// sit on byte boundaries, so one routine serves both units. Within a range the two partial edge
// bytes are masked and the whole bytes in between are processed eight at a time: popcount on
// 64-bit words for counting (hardware POPCNT when the CPU has it, chosen once at start-up), and
// for searching a skip over words that are entirely 0x00 (looking for a 1) or entirely 0xFF
// (looking for a 0), after which the first differing byte is resolved with a count of leading
// zeros. Loads go through memcpy, so any alignment is fine.
//
// BITOP seeds the result with the first source (zero-padded to the longest length) and folds
// each further source into it a word at a time. Bytes beyond a source's end act as zeros, which
// leaves OR/XOR untouched and clears everything past that source for AND.
//
// BITFIELD fields are at most 64 bits wide and can straddle nine bytes, so a field is read by
// gathering those bytes into a 128-bit accumulator and shifting it down; writing is the reverse
// read-modify-write. Overflow handling is decided before anything is written, exactly as Redis
// does: an unsigned field of width w holds [0, 2^w-1], a signed one [-2^(w-1), 2^(w-1)-1]; WRAP
// keeps the low w bits (sign-extending signed results), SAT clamps to the violated bound, and
// FAIL leaves the field alone and yields a nil reply. The checks compare the increment with the
// room left to each bound instead of computing value+incr, so i64 fields never overflow; for a
// SET of a value far outside the field, which bound counts as "violated" follows Redis's
// wrapping room arithmetic, reproduced in unsigned math (see CheckSigned).
#include "storage/bitops.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

#include "storage/numbers.h"

namespace baozi {
namespace {

using u128 = unsigned __int128;

uint64_t Load64(const unsigned char* p) {
  uint64_t w;
  std::memcpy(&w, p, sizeof(w));
  return w;
}

void Store64(unsigned char* p, uint64_t w) { std::memcpy(p, &w, sizeof(w)); }

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// --- popcount -----------------------------------------------------------------------------

uint64_t PopcountGeneric(const unsigned char* p, size_t n) {
  uint64_t c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    c0 += static_cast<uint64_t>(std::popcount(Load64(p + i)));
    c1 += static_cast<uint64_t>(std::popcount(Load64(p + i + 8)));
    c2 += static_cast<uint64_t>(std::popcount(Load64(p + i + 16)));
    c3 += static_cast<uint64_t>(std::popcount(Load64(p + i + 24)));
  }
  for (; i + 8 <= n; i += 8) c0 += static_cast<uint64_t>(std::popcount(Load64(p + i)));
  for (; i < n; ++i) c0 += static_cast<uint64_t>(std::popcount(static_cast<unsigned>(p[i])));
  return c0 + c1 + c2 + c3;
}

#if defined(__x86_64__) && defined(__GNUC__)
// Same loop compiled for the POPCNT instruction; without it std::popcount becomes a libgcc
// call per word, several times slower on large bitmaps.
[[gnu::target("popcnt")]] uint64_t PopcountHw(const unsigned char* p, size_t n) {
  uint64_t c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    c0 += static_cast<uint64_t>(__builtin_popcountll(Load64(p + i)));
    c1 += static_cast<uint64_t>(__builtin_popcountll(Load64(p + i + 8)));
    c2 += static_cast<uint64_t>(__builtin_popcountll(Load64(p + i + 16)));
    c3 += static_cast<uint64_t>(__builtin_popcountll(Load64(p + i + 24)));
  }
  for (; i + 8 <= n; i += 8) c0 += static_cast<uint64_t>(__builtin_popcountll(Load64(p + i)));
  for (; i < n; ++i) c0 += static_cast<uint64_t>(__builtin_popcount(p[i]));
  return c0 + c1 + c2 + c3;
}

using PopcountFn = uint64_t (*)(const unsigned char*, size_t);

uint64_t Popcount(const unsigned char* p, size_t n) {
  static const PopcountFn fn = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("popcnt") ? &PopcountHw : &PopcountGeneric;
  }();
  return fn(p, n);
}
#else
uint64_t Popcount(const unsigned char* p, size_t n) { return PopcountGeneric(p, n); }
#endif

// Set bits in the closed bit range [first, last]; both lie inside `s`.
uint64_t CountBitRange(std::string_view s, uint64_t first, uint64_t last) {
  const unsigned char* p = Bytes(s);
  uint64_t first_byte = first >> 3, last_byte = last >> 3;
  uint64_t count = Popcount(p + first_byte, last_byte - first_byte + 1);
  // Subtract the bits of the edge bytes that lie outside the range.
  unsigned head = (0xFFu << (8 - (first & 7))) & 0xFF;  // bits before `first`
  unsigned tail = (1u << (7 - (last & 7))) - 1;         // bits after `last`
  count -= static_cast<uint64_t>(std::popcount(p[first_byte] & head));
  count -= static_cast<uint64_t>(std::popcount(p[last_byte] & tail));
  return count;
}

// --- searching ----------------------------------------------------------------------------

// Position of the first bit equal to `bit` in `byte` (0 = MSB), or 8.
int FirstBitInByte(unsigned byte, int bit) {
  unsigned x = (bit ? byte : ~byte) & 0xFF;
  return x == 0 ? 8 : std::countl_zero(static_cast<uint8_t>(x));
}

// First bit equal to `bit` in the closed bit range [first, last] of `s`, or -1.
int64_t FindBit(std::string_view s, int bit, uint64_t first, uint64_t last) {
  const unsigned char* p = Bytes(s);
  uint64_t first_byte = first >> 3, last_byte = last >> 3;
  // Bits outside the range are forced to the value we are *not* looking for.
  unsigned head = (0xFFu << (8 - (first & 7))) & 0xFF;
  unsigned tail = (1u << (7 - (last & 7))) - 1;
  auto masked = [&](uint64_t i) {
    unsigned b = p[i];
    unsigned outside = (i == first_byte ? head : 0) | (i == last_byte ? tail : 0);
    return bit ? (b & ~outside) : (b | outside);
  };
  auto found = [&](uint64_t i, unsigned b) -> int64_t {
    return static_cast<int64_t>(i * 8 + static_cast<uint64_t>(FirstBitInByte(b, bit)));
  };

  unsigned b = masked(first_byte);
  if (FirstBitInByte(b, bit) < 8) return found(first_byte, b);
  if (first_byte == last_byte) return -1;

  const uint64_t skip_word = bit ? 0 : ~uint64_t{0};
  uint64_t i = first_byte + 1;
  while (i + 8 <= last_byte && Load64(p + i) == skip_word) i += 8;
  for (; i < last_byte; ++i) {
    if (FirstBitInByte(p[i], bit) < 8) return found(i, p[i]);
  }
  b = masked(last_byte);
  if (FirstBitInByte(b, bit) < 8) return found(last_byte, b);
  return -1;
}

// Redis's index normalisation shared by BITCOUNT and BITPOS; false when the range is empty.
bool NormalizeRange(int64_t totlen, int64_t& start, int64_t& end) {
  if (start < 0) start += totlen;
  if (end < 0) end += totlen;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= totlen) end = totlen - 1;
  return start <= end;
}

// --- bitfield -----------------------------------------------------------------------------

// Bytes [offset/8, offset/8 + n) of `s`, zero-padded, as a big-endian number.
u128 LoadField(std::string_view s, uint64_t byte, size_t n) {
  u128 acc = 0;
  for (size_t i = 0; i < n; ++i) {
    uint64_t at = byte + i;
    unsigned char c = at < s.size() ? static_cast<unsigned char>(s[at]) : 0;
    acc = (acc << 8) | c;
  }
  return acc;
}

uint64_t GetUnsignedField(std::string_view s, uint64_t offset, int bits) {
  uint64_t byte = offset >> 3;
  size_t span = static_cast<size_t>(((offset & 7) + static_cast<uint64_t>(bits) + 7) >> 3);
  u128 acc = LoadField(s, byte, span);
  unsigned shift = static_cast<unsigned>(span * 8 - (offset & 7) - static_cast<uint64_t>(bits));
  u128 mask = (u128{1} << bits) - 1;
  return static_cast<uint64_t>((acc >> shift) & mask);
}

int64_t GetSignedField(std::string_view s, uint64_t offset, int bits) {
  uint64_t u = GetUnsignedField(s, offset, bits);
  if (bits < 64 && (u >> (bits - 1)) & 1) u |= ~uint64_t{0} << bits;
  return static_cast<int64_t>(u);
}

// Writes the low `bits` bits of `value`; the bytes must already exist in `s`.
void SetField(std::string& s, uint64_t offset, int bits, uint64_t value) {
  uint64_t byte = offset >> 3;
  size_t span = static_cast<size_t>(((offset & 7) + static_cast<uint64_t>(bits) + 7) >> 3);
  u128 acc = LoadField(s, byte, span);
  unsigned shift = static_cast<unsigned>(span * 8 - (offset & 7) - static_cast<uint64_t>(bits));
  u128 mask = ((u128{1} << bits) - 1) << shift;
  acc = (acc & ~mask) | ((u128{value} << shift) & mask);
  for (size_t i = span; i-- > 0;) {
    s[byte + i] = static_cast<char>(static_cast<unsigned char>(acc & 0xFF));
    acc >>= 8;
  }
}

using Overflow = BitfieldOp::Overflow;

// Whether value+incr leaves [0, 2^bits-1] (+1 above, -1 below, 0 fits). On overflow, WRAP and
// SAT store the value to write in *limit; FAIL leaves it untouched. The comparisons mirror
// Redis's int64 "room left" arithmetic (done here in unsigned, so wrapping is defined), because
// that arithmetic decides which bound a SET of an out-of-range value saturates to: SET u8 -1
// counts as too big, so SAT stores 255.
int CheckUnsigned(uint64_t value, int64_t incr, int bits, Overflow ow, uint64_t* limit) {
  const uint64_t max = (uint64_t{1} << bits) - 1;  // bits <= 63 for unsigned fields
  const int64_t max_incr = static_cast<int64_t>(max - value);
  const int64_t min_incr = static_cast<int64_t>(uint64_t{0} - value);
  int result = 0;
  if (value > max || (incr > 0 && incr > max_incr)) {
    result = 1;
  } else if (incr < 0 && incr < min_incr) {
    result = -1;
  }
  if (result == 0) return 0;
  if (ow == Overflow::kWrap) {
    *limit = (value + static_cast<uint64_t>(incr)) & max;
  } else if (ow == Overflow::kSat) {
    *limit = result > 0 ? max : 0;
  }
  return result;
}

// Signed counterpart over [-2^(bits-1), 2^(bits-1)-1]. For values far outside the range the
// int64 room computations wrap, and Redis's answer depends on that: SET i8 to INT64_MIN is
// classed as an overflow *above* the range, so SAT stores 127. The i64 branch only trusts the
// room when it cannot have wrapped (same-sign operands).
int CheckSigned(int64_t value, int64_t incr, int bits, Overflow ow, int64_t* limit) {
  const int64_t max = bits == 64 ? std::numeric_limits<int64_t>::max()
                                 : static_cast<int64_t>((uint64_t{1} << (bits - 1)) - 1);
  const int64_t min = -max - 1;
  const int64_t max_incr =
      static_cast<int64_t>(static_cast<uint64_t>(max) - static_cast<uint64_t>(value));
  const int64_t min_incr =
      static_cast<int64_t>(static_cast<uint64_t>(min) - static_cast<uint64_t>(value));
  int result = 0;
  if (value > max || (bits != 64 && incr > max_incr) ||
      (value >= 0 && incr > 0 && incr > max_incr)) {
    result = 1;
  } else if (value < min || (bits != 64 && incr < min_incr) ||
             (value < 0 && incr < 0 && incr < min_incr)) {
    result = -1;
  }
  if (result == 0) return 0;
  if (ow == Overflow::kWrap) {
    uint64_t c = static_cast<uint64_t>(value) + static_cast<uint64_t>(incr);
    if (bits < 64) {
      uint64_t high = ~uint64_t{0} << bits;
      c = (c >> (bits - 1)) & 1 ? (c | high) : (c & ~high);
    }
    *limit = static_cast<int64_t>(c);
  } else if (ow == Overflow::kSat) {
    *limit = result > 0 ? max : min;
  }
  return result;
}

// strcasecmp against a C string: Redis compares NUL-terminated argv, so "get\0x" matches "get".
bool EqualsNoCaseC(std::string_view arg, std::string_view word) {
  size_t nul = arg.find('\0');
  if (nul != std::string_view::npos) arg = arg.substr(0, nul);
  if (arg.size() != word.size()) return false;
  for (size_t i = 0; i < arg.size(); ++i) {
    char a = arg[i], b = word[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (b >= 'A' && b <= 'Z') b = static_cast<char>(b - 'A' + 'a');
    if (a != b) return false;
  }
  return true;
}

constexpr char kBitfieldTypeError[] =
    "Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

// "i<1..64>" or "u<1..63>"; the digits are read as a C string, like Redis's strlen(p+1).
bool ParseBitfieldType(std::string_view arg, bool* is_signed, int* bits) {
  if (arg.empty()) return false;
  if (arg[0] == 'i') {
    *is_signed = true;
  } else if (arg[0] == 'u') {
    *is_signed = false;
  } else {
    return false;
  }
  std::string_view digits = arg.substr(1);
  size_t nul = digits.find('\0');
  if (nul != std::string_view::npos) digits = digits.substr(0, nul);
  auto n = ParseInt64(digits);
  if (!n || *n < 1 || *n > (*is_signed ? 64 : 63)) return false;
  *bits = static_cast<int>(*n);
  return true;
}

}  // namespace

Result<uint64_t> ParseBitOffset(std::string_view arg, bool hash_allowed, int bits,
                                uint64_t max_bulk_len) {
  bool use_hash = !arg.empty() && arg[0] == '#' && hash_allowed && bits > 0;
  auto parsed = ParseInt64(use_hash ? arg.substr(1) : arg);
  if (!parsed) return Fail(Errc::kBitOffset);
  int64_t offset = *parsed;
  // Redis multiplies in signed 64-bit arithmetic, which wraps on x86; overflowing products are
  // accepted if they wrap to a small non-negative number.
  if (use_hash) {
    offset = static_cast<int64_t>(static_cast<uint64_t>(offset) * static_cast<uint64_t>(bits));
  }
  if (offset < 0 || (static_cast<uint64_t>(offset) >> 3) >= max_bulk_len) {
    return Fail(Errc::kBitOffset);
  }
  return static_cast<uint64_t>(offset);
}

int GetBit(std::string_view s, uint64_t bitoffset) {
  uint64_t byte = bitoffset >> 3;
  if (byte >= s.size()) return 0;
  return (static_cast<unsigned char>(s[byte]) >> (7 - (bitoffset & 7))) & 1;
}

int SetBit(std::string& s, uint64_t bitoffset, int on, bool* changed) {
  uint64_t byte = bitoffset >> 3;
  bool grew = false;
  if (byte >= s.size()) {
    s.resize(byte + 1, '\0');
    grew = true;
  }
  unsigned mask = 0x80u >> (bitoffset & 7);
  unsigned char c = static_cast<unsigned char>(s[byte]);
  int old = (c & mask) ? 1 : 0;
  if (on) {
    c = static_cast<unsigned char>(c | mask);
  } else {
    c = static_cast<unsigned char>(c & ~mask);
  }
  s[byte] = static_cast<char>(c);
  if (changed) *changed = grew || old != (on ? 1 : 0);
  return old;
}

int64_t PopCount(std::string_view s) { return static_cast<int64_t>(Popcount(Bytes(s), s.size())); }

int64_t BitCount(std::string_view s, int64_t start, int64_t end, bool bit_unit) {
  // Checked on the raw values: a range like -1 -5 is empty even when clamping would turn both
  // ends into 0.
  if (start < 0 && end < 0 && start > end) return 0;
  int64_t totlen = static_cast<int64_t>(s.size());
  if (bit_unit) totlen *= 8;
  if (!NormalizeRange(totlen, start, end)) return 0;
  uint64_t first = static_cast<uint64_t>(start), last = static_cast<uint64_t>(end);
  if (!bit_unit) {
    first *= 8;
    last = last * 8 + 7;
  }
  return static_cast<int64_t>(CountBitRange(s, first, last));
}

int64_t BitPos(std::string_view s, int bit, std::optional<int64_t> start_arg,
               std::optional<int64_t> end_arg, bool bit_unit) {
  int64_t totlen = static_cast<int64_t>(s.size());
  int64_t start = start_arg.value_or(0);
  int64_t end = end_arg ? *end_arg : (bit_unit ? totlen * 8 + 7 : totlen - 1);
  if (bit_unit) totlen *= 8;
  if (!NormalizeRange(totlen, start, end)) return -1;
  uint64_t first = static_cast<uint64_t>(start), last = static_cast<uint64_t>(end);
  if (!bit_unit) {
    first *= 8;
    last = last * 8 + 7;
  }
  int64_t pos = FindBit(s, bit, first, last);
  if (pos >= 0) return pos;
  // No 0 bit before the end of the string: without an explicit end Redis treats the value as
  // zero-padded, so the answer is the first bit after it.
  if (bit == 0 && !end_arg) return static_cast<int64_t>(last + 1);
  return -1;
}

std::optional<BitOpKind> ParseBitOpKind(std::string_view name) {
  if (EqualsNoCaseC(name, "and")) return BitOpKind::kAnd;
  if (EqualsNoCaseC(name, "or")) return BitOpKind::kOr;
  if (EqualsNoCaseC(name, "xor")) return BitOpKind::kXor;
  if (EqualsNoCaseC(name, "not")) return BitOpKind::kNot;
  return std::nullopt;
}

std::string BitOp(BitOpKind op, std::span<const std::string_view> srcs) {
  if (srcs.empty()) return {};
  if (op == BitOpKind::kNot) srcs = srcs.first(1);
  size_t maxlen = 0;
  for (std::string_view src : srcs) maxlen = std::max(maxlen, src.size());
  std::string result(maxlen, '\0');
  if (maxlen == 0) return result;
  unsigned char* r = reinterpret_cast<unsigned char*>(result.data());
  // An empty source may have a null data(), which memcpy must not be given even for 0 bytes.
  if (!srcs[0].empty()) std::memcpy(r, srcs[0].data(), srcs[0].size());

  if (op == BitOpKind::kNot) {
    size_t i = 0;
    for (; i + 8 <= maxlen; i += 8) Store64(r + i, ~Load64(r + i));
    for (; i < maxlen; ++i) r[i] = static_cast<unsigned char>(~r[i]);
    return result;
  }

  // For AND, only the prefix every source covers can hold set bits.
  size_t live = srcs[0].size();
  for (std::string_view src : srcs.subspan(1)) {
    const unsigned char* p = Bytes(src);
    size_t n = src.size();
    size_t i = 0;
    switch (op) {
      case BitOpKind::kAnd:
        n = std::min(n, live);
        for (; i + 8 <= n; i += 8) Store64(r + i, Load64(r + i) & Load64(p + i));
        for (; i < n; ++i) r[i] &= p[i];
        if (n < live) std::memset(r + n, 0, live - n);
        live = n;
        break;
      case BitOpKind::kOr:
        for (; i + 8 <= n; i += 8) Store64(r + i, Load64(r + i) | Load64(p + i));
        for (; i < n; ++i) r[i] |= p[i];
        break;
      case BitOpKind::kXor:
        for (; i + 8 <= n; i += 8) Store64(r + i, Load64(r + i) ^ Load64(p + i));
        for (; i < n; ++i) r[i] ^= p[i];
        break;
      case BitOpKind::kNot:
        break;
    }
  }
  return result;
}

std::expected<std::vector<BitfieldOp>, std::string> ParseBitfield(
    std::span<const std::string_view> args, bool read_only, uint64_t max_bulk_len) {
  using Kind = BitfieldOp::Kind;
  std::vector<BitfieldOp> ops;
  Overflow overflow = Overflow::kWrap;
  bool writes = false;
  for (size_t j = 0; j < args.size(); ++j) {
    size_t remaining = args.size() - j - 1;
    std::string_view sub = args[j];
    BitfieldOp op;
    if (EqualsNoCaseC(sub, "get") && remaining >= 2) {
      op.kind = Kind::kGet;
    } else if (EqualsNoCaseC(sub, "set") && remaining >= 3) {
      op.kind = Kind::kSet;
    } else if (EqualsNoCaseC(sub, "incrby") && remaining >= 3) {
      op.kind = Kind::kIncrBy;
    } else if (EqualsNoCaseC(sub, "overflow") && remaining >= 1) {
      std::string_view mode = args[++j];
      if (EqualsNoCaseC(mode, "wrap")) {
        overflow = Overflow::kWrap;
      } else if (EqualsNoCaseC(mode, "sat")) {
        overflow = Overflow::kSat;
      } else if (EqualsNoCaseC(mode, "fail")) {
        overflow = Overflow::kFail;
      } else {
        return std::unexpected<std::string>("Invalid OVERFLOW type specified");
      }
      continue;
    } else {
      return std::unexpected<std::string>("syntax error");
    }

    if (!ParseBitfieldType(args[j + 1], &op.is_signed, &op.bits)) {
      return std::unexpected<std::string>(kBitfieldTypeError);
    }
    auto offset = ParseBitOffset(args[j + 2], true, op.bits, max_bulk_len);
    if (!offset) {
      return std::unexpected<std::string>("bit offset is not an integer or out of range");
    }
    op.offset = *offset;
    if (op.kind != Kind::kGet) {
      writes = true;
      auto value = ParseInt64(args[j + 3]);
      if (!value) return std::unexpected<std::string>("value is not an integer or out of range");
      op.value = *value;
    }
    op.overflow = overflow;
    ops.push_back(op);
    j += op.kind == Kind::kGet ? 2 : 3;
  }
  if (read_only && writes) {
    return std::unexpected<std::string>("BITFIELD_RO only supports the GET subcommand");
  }
  return ops;
}

bool BitfieldWrites(std::span<const BitfieldOp> ops) {
  return std::any_of(ops.begin(), ops.end(),
                     [](const BitfieldOp& op) { return op.kind != BitfieldOp::Kind::kGet; });
}

std::vector<std::optional<int64_t>> ExecBitfield(std::string& s, std::span<const BitfieldOp> ops,
                                                 size_t* changes) {
  using Kind = BitfieldOp::Kind;
  // Redis sizes the string for the farthest write before running anything.
  bool any_write = false;
  uint64_t highest = 0;
  for (const BitfieldOp& op : ops) {
    if (op.kind == Kind::kGet) continue;
    any_write = true;
    highest = std::max(highest, op.offset + static_cast<uint64_t>(op.bits) - 1);
  }
  bool grew = false;
  if (any_write && (highest >> 3) >= s.size()) {
    s.resize((highest >> 3) + 1, '\0');
    grew = true;
  }

  size_t change_count = 0;
  std::vector<std::optional<int64_t>> out;
  out.reserve(ops.size());
  for (const BitfieldOp& op : ops) {
    if (op.kind == Kind::kGet) {
      out.push_back(op.is_signed ? GetSignedField(s, op.offset, op.bits)
                                 : static_cast<int64_t>(GetUnsignedField(s, op.offset, op.bits)));
      continue;
    }
    bool incr = op.kind == Kind::kIncrBy;
    bool failed = false;
    uint64_t old_bits = 0, new_bits = 0;
    int64_t reply = 0;
    if (op.is_signed) {
      int64_t old = GetSignedField(s, op.offset, op.bits);
      int64_t wrapped = 0;
      int64_t candidate =
          incr ? static_cast<int64_t>(static_cast<uint64_t>(old) + static_cast<uint64_t>(op.value))
               : op.value;
      int of = incr ? CheckSigned(old, op.value, op.bits, op.overflow, &wrapped)
                    : CheckSigned(op.value, 0, op.bits, op.overflow, &wrapped);
      int64_t now = of ? wrapped : candidate;
      failed = of != 0 && op.overflow == Overflow::kFail;
      reply = incr ? now : old;
      old_bits = static_cast<uint64_t>(old);
      new_bits = static_cast<uint64_t>(now);
    } else {
      uint64_t old = GetUnsignedField(s, op.offset, op.bits);
      uint64_t wrapped = 0;
      uint64_t candidate =
          incr ? old + static_cast<uint64_t>(op.value) : static_cast<uint64_t>(op.value);
      int of =
          incr ? CheckUnsigned(old, op.value, op.bits, op.overflow, &wrapped)
               : CheckUnsigned(static_cast<uint64_t>(op.value), 0, op.bits, op.overflow, &wrapped);
      uint64_t now = of ? wrapped : candidate;
      failed = of != 0 && op.overflow == Overflow::kFail;
      reply = static_cast<int64_t>(incr ? now : old);
      old_bits = old;
      new_bits = now;
    }
    if (failed) {
      out.push_back(std::nullopt);
      continue;
    }
    out.push_back(reply);
    SetField(s, op.offset, op.bits, new_bits);
    if (grew || old_bits != new_bits) ++change_count;
  }
  if (changes) *changes = change_count;
  return out;
}

std::vector<std::optional<int64_t>> ExecBitfieldRead(std::string_view s,
                                                     std::span<const BitfieldOp> ops) {
  std::vector<std::optional<int64_t>> out;
  out.reserve(ops.size());
  for (const BitfieldOp& op : ops) {
    out.push_back(op.is_signed ? GetSignedField(s, op.offset, op.bits)
                               : static_cast<int64_t>(GetUnsignedField(s, op.offset, op.bits)));
  }
  return out;
}

}  // namespace baozi
