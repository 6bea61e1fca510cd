// Bit operations. Expectations were produced by redis-server 7.0.15 (SETBIT/GETBIT, BITCOUNT,
// BITPOS, BITOP, BITFIELD with the same values and arguments), plus a brute-force cross-check of
// the word-at-a-time paths against a bit-by-bit reference.
#include "storage/bitops.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace baozi {
namespace {

using namespace std::string_literals;
using std::nullopt;

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr uint64_t kDefaultMaxBulk = 512ull * 1024 * 1024;

// 20 zero bytes, 0x10, 20 0xFF bytes: long enough for the word loops to matter.
const std::string kWide = std::string(20, '\0') + "\x10"s + std::string(20, '\xff');
const std::string kMixed = "\xff\xf0\x00"s;
const std::string kOnes = "\xff\xff\xff"s;
const std::string kZeros = "\x00\x00"s;
const std::string kLone = "\x00\x00\x01"s;

TEST_CASE("ParseBitOffset follows getBitOffsetFromArgument", "[bitops]") {
  CHECK(ParseBitOffset("0", false, 0, kDefaultMaxBulk) == 0u);
  CHECK(ParseBitOffset("4294967295", false, 0, kDefaultMaxBulk) == 4294967295u);
  CHECK(ParseBitOffset("4294967296", false, 0, kDefaultMaxBulk) == Fail(Errc::kBitOffset));
  CHECK(ParseBitOffset("-1", false, 0, kDefaultMaxBulk) == Fail(Errc::kBitOffset));
  CHECK(ParseBitOffset("x", false, 0, kDefaultMaxBulk) == Fail(Errc::kBitOffset));
  CHECK(ParseBitOffset("01", false, 0, kDefaultMaxBulk) == Fail(Errc::kBitOffset));
  // '#' is only understood where BITFIELD asks for it.
  CHECK(ParseBitOffset("#1", false, 0, kDefaultMaxBulk) == Fail(Errc::kBitOffset));
  CHECK(ParseBitOffset("#1", true, 8, kDefaultMaxBulk) == 8u);
  CHECK(ParseBitOffset("#536870911", true, 8, kDefaultMaxBulk) == 4294967288u);
  CHECK(ParseBitOffset("#536870912", true, 8, kDefaultMaxBulk) == Fail(Errc::kBitOffset));
  CHECK(ParseBitOffset("#-1", true, 8, kDefaultMaxBulk) == Fail(Errc::kBitOffset));
  CHECK(ParseBitOffset("#", true, 8, kDefaultMaxBulk) == Fail(Errc::kBitOffset));
  // The multiplication wraps like Redis's: 6148914691236517206 * 3 == 2 (mod 2^64).
  CHECK(ParseBitOffset("#6148914691236517206", true, 3, kDefaultMaxBulk) == 2u);
  CHECK(ParseBitOffset("#1152921504606846977", true, 8, kDefaultMaxBulk) == Fail(Errc::kBitOffset));
  // A smaller proto-max-bulk-len lowers the limit; UINT64_MAX lifts it (master/AOF clients).
  CHECK(ParseBitOffset("8", false, 0, 1) == Fail(Errc::kBitOffset));
  CHECK(ParseBitOffset("7", false, 0, 1) == 7u);
  CHECK(ParseBitOffset("9223372036854775807", false, 0, UINT64_MAX) == uint64_t{kMax});
}

TEST_CASE("GetBit and SetBit", "[bitops]") {
  const std::string foobar = "foobar";
  const std::vector<std::pair<uint64_t, int>> bits = {{0, 0}, {1, 1},  {2, 1},  {3, 0},   {6, 1},
                                                      {7, 0}, {47, 0}, {48, 0}, {1000, 0}};
  for (auto [offset, bit] : bits) {
    INFO("offset " << offset);
    CHECK(GetBit(foobar, offset) == bit);
  }

  std::string s;
  bool changed = false;
  CHECK(SetBit(s, 7, 1, &changed) == 0);
  CHECK(s == "\x01"s);
  CHECK(changed);
  CHECK(SetBit(s, 0, 1, &changed) == 0);
  CHECK(s == "\x81"s);
  CHECK(SetBit(s, 17, 1, &changed) == 0);
  CHECK(s == "\x81\x00@"s);
  CHECK(SetBit(s, 7, 0, &changed) == 1);
  CHECK(s == "\x80\x00@"s);
  CHECK(changed);

  // Rewriting the same bit changes nothing (Redis neither signals nor propagates)...
  CHECK(SetBit(s, 17, 1, &changed) == 1);
  CHECK_FALSE(changed);
  // ...but growing the string does, even when the bit written is 0.
  CHECK(SetBit(s, 40, 0, &changed) == 0);
  CHECK(changed);
  CHECK(s.size() == 6);
}

struct CountCase {
  std::string value;
  int64_t start, end;
  bool bit_unit;
  int64_t expected;
};

TEST_CASE("BitCount ranges", "[bitops]") {
  const std::vector<CountCase> cases = {
      {"foobar", 0, 0, false, 4},
      {"foobar", 1, 1, false, 6},
      {"foobar", 5, 30, true, 17},
      {"foobar", 0, -1, false, 26},
      {"foobar", -1, -1, false, 4},
      {"foobar", -2, -1, true, 1},
      // Both negative and inverted: empty before any clamping.
      {"foobar", -100, -200, false, 0},
      // Inverted the other way: both clamp to byte 0.
      {"foobar", -200, -100, false, 4},
      {"foobar", 0, -100, false, 4},
      {"foobar", kMin, kMax, false, 26},
      {"foobar", kMin, kMax, true, 26},
      {"foobar", kMax, kMax, true, 0},
      {"foobar", 3, 2, false, 0},
      {"foobar", 1, 6, true, 4},
      {"foobar", 7, 7, true, 0},
      {"foobar", 6, 6, true, 1},
      {"foobar", 47, 100, true, 0},
      {"foobar", 8, 15, true, 6},
      {"foobar", 5, 5, false, 4},
      {"foobar", 6, 10, false, 0},
      {"", 0, -1, false, 0},
      {"", 0, -1, true, 0},
      {kWide, 0, -1, false, 161},
      {kWide, 3, -3, true, 159},
      {kWide, 160, 167, true, 1},
      {kWide, 163, 163, true, 1},
  };
  for (const CountCase& c : cases) {
    INFO("start " << c.start << " end " << c.end << " bit " << c.bit_unit << " len "
                  << c.value.size());
    CHECK(BitCount(c.value, c.start, c.end, c.bit_unit) == c.expected);
  }
  CHECK(PopCount("foobar") == 26);
  CHECK(PopCount(kWide) == 161);
}

struct PosCase {
  std::string value;
  int bit;
  std::optional<int64_t> start, end;
  bool bit_unit;
  int64_t expected;
};

TEST_CASE("BitPos ranges and padding rules", "[bitops]") {
  const std::vector<PosCase> cases = {
      {kMixed, 0, nullopt, nullopt, false, 12},
      {kMixed, 1, nullopt, nullopt, false, 0},
      {kMixed, 1, 2, nullopt, false, -1},
      {kMixed, 0, 1, nullopt, false, 12},
      {kMixed, 0, 0, 0, false, -1},
      {kMixed, 0, 1, 1, false, 12},
      {kMixed, 0, 7, 11, true, -1},
      {kMixed, 0, 7, 12, true, 12},
      {kMixed, 1, 7, 11, true, 7},
      {kMixed, 1, 12, 23, true, -1},
      {kMixed, 0, -4, -1, true, 20},
      {kMixed, 1, -1, -1, false, -1},
      {kMixed, 0, -1, nullopt, false, 16},
      // No 0 bit: without an explicit end the answer is the first bit past the string...
      {kOnes, 0, nullopt, nullopt, false, 24},
      {kOnes, 0, 1, nullopt, false, 24},
      // ...with one it is -1.
      {kOnes, 0, 0, -1, false, -1},
      {kOnes, 0, 0, -1, true, -1},
      // A start past the end is an empty range, padding or not.
      {kOnes, 0, 3, nullopt, false, -1},
      {kOnes, 0, 5, nullopt, false, -1},
      {kOnes, 1, 2, 1, false, -1},
      {kOnes, 1, nullopt, nullopt, false, 0},
      {kOnes, 1, 23, 23, true, 23},
      {kZeros, 1, nullopt, nullopt, false, -1},
      {kZeros, 0, nullopt, nullopt, false, 0},
      {kZeros, 1, 0, -1, true, -1},
      {kZeros, 0, 9, 14, true, 9},
      // An existing empty string has no bits at all, not even padding.
      {"", 0, nullopt, nullopt, false, -1},
      {"", 1, nullopt, nullopt, false, -1},
      {"", 0, 0, nullopt, false, -1},
      {"", 0, 0, -1, false, -1},
      {"", 0, 0, -1, true, -1},
      {kLone, 1, nullopt, nullopt, false, 23},
      {kLone, 1, 0, -2, false, -1},
      {kLone, 1, 0, 22, true, -1},
      {kLone, 1, 0, 23, true, 23},
      {kLone, 1, 23, 23, true, 23},
      {kLone, 0, 16, 23, true, 16},
      {kLone, 0, kMin, kMax, false, 0},
      {kWide, 1, nullopt, nullopt, false, 163},
      {kWide, 1, 21, nullopt, false, 168},
      {kWide, 0, 21, nullopt, false, 328},
      {kWide, 0, 21, -1, false, -1},
      {kWide, 1, 161, nullopt, false, -1},
      {kWide, 0, 160, 167, true, 160},
      {kWide, 1, 164, 300, true, 168},
  };
  for (const PosCase& c : cases) {
    INFO("bit " << c.bit << " start " << (c.start ? std::to_string(*c.start) : "-") << " end "
                << (c.end ? std::to_string(*c.end) : "-") << " bit_unit " << c.bit_unit << " len "
                << c.value.size());
    CHECK(BitPos(c.value, c.bit, c.start, c.end, c.bit_unit) == c.expected);
  }
}

TEST_CASE("BitOp", "[bitops]") {
  CHECK(ParseBitOpKind("and") == BitOpKind::kAnd);
  CHECK(ParseBitOpKind("Or") == BitOpKind::kOr);
  CHECK(ParseBitOpKind("XOR") == BitOpKind::kXor);
  CHECK(ParseBitOpKind("nOt") == BitOpKind::kNot);
  CHECK_FALSE(ParseBitOpKind("nand").has_value());
  CHECK_FALSE(ParseBitOpKind("").has_value());

  auto op = [](BitOpKind k, std::vector<std::string_view> srcs) { return BitOp(k, srcs); };
  CHECK(op(BitOpKind::kAnd, {"abc", "ab"}) == "ab\x00"s);
  CHECK(op(BitOpKind::kOr, {"abc", "ab"}) == "abc");
  CHECK(op(BitOpKind::kXor, {"abc", "ab"}) ==
        "\x00\x00"
        "c"s);
  CHECK(op(BitOpKind::kNot, {"abc"}) == "\x9e\x9d\x9c"s);
  CHECK(op(BitOpKind::kAnd, {"abc", ""}) == "\x00\x00\x00"s);  // missing key
  CHECK(op(BitOpKind::kOr, {"abc", ""}) == "abc");
  CHECK(op(BitOpKind::kXor, {"abc", "abc"}) == "\x00\x00\x00"s);
  // Every source empty (or missing): empty result, so the destination gets deleted.
  CHECK(op(BitOpKind::kAnd, {"", ""}).empty());

  // Lengths past the word-at-a-time threshold.
  const std::string ff40(40, '\xff'), f33(33, '\x0f');
  CHECK(op(BitOpKind::kAnd, {ff40, f33}) == f33 + std::string(7, '\0'));
  CHECK(op(BitOpKind::kOr, {ff40, f33}) == ff40);
  CHECK(op(BitOpKind::kXor, {ff40, f33}) == std::string(33, '\xf0') + std::string(7, '\xff'));
  CHECK(op(BitOpKind::kNot, {f33}) == std::string(33, '\xf0'));
  CHECK(op(BitOpKind::kAnd, {ff40}) == ff40);
  CHECK(op(BitOpKind::kXor, {"ab", "abc", f33}) ==
        "\x0f\x0f"
        "l"s +
            std::string(30, '\x0f'));
}

// Reference implementations, bit by bit, to cross-check the word loops on random data.
int64_t SlowCount(const std::string& s, int64_t first, int64_t last) {
  int64_t n = 0;
  for (int64_t i = first; i <= last; ++i) n += GetBit(s, static_cast<uint64_t>(i));
  return n;
}

TEST_CASE("BitCount/BitPos/BitOp agree with bit-by-bit references", "[bitops]") {
  std::mt19937_64 rng(12345);
  for (int iter = 0; iter < 500; ++iter) {
    size_t len = rng() % 70;
    std::string s(len, '\0');
    int style = static_cast<int>(rng() % 3);
    for (char& c : s) {
      c = static_cast<char>(style == 0 ? rng() : style == 1 ? 0 : 0xff);
    }
    if (len > 0 && style != 0) s[rng() % len] ^= static_cast<char>(1 << (rng() % 8));
    int64_t bits = static_cast<int64_t>(len) * 8;
    int64_t first = bits ? static_cast<int64_t>(rng() % static_cast<uint64_t>(bits)) : 0;
    int64_t last = bits ? static_cast<int64_t>(rng() % static_cast<uint64_t>(bits)) : 0;
    if (first > last) std::swap(first, last);
    if (bits) {
      CHECK(BitCount(s, first, last, true) == SlowCount(s, first, last));
      for (int bit = 0; bit <= 1; ++bit) {
        int64_t expected = -1;
        for (int64_t i = first; i <= last; ++i) {
          if (GetBit(s, static_cast<uint64_t>(i)) == bit) {
            expected = i;
            break;
          }
        }
        CHECK(BitPos(s, bit, first, last, true) == expected);
      }
    }
    std::string t(rng() % 70, '\0');
    for (char& c : t) c = static_cast<char>(rng());
    std::vector<std::string_view> srcs = {s, t};
    std::string and_r = BitOp(BitOpKind::kAnd, srcs);
    std::string or_r = BitOp(BitOpKind::kOr, srcs);
    std::string xor_r = BitOp(BitOpKind::kXor, srcs);
    REQUIRE(and_r.size() == std::max(s.size(), t.size()));
    for (size_t i = 0; i < and_r.size(); ++i) {
      unsigned char a = i < s.size() ? static_cast<unsigned char>(s[i]) : 0;
      unsigned char b = i < t.size() ? static_cast<unsigned char>(t[i]) : 0;
      CHECK(static_cast<unsigned char>(and_r[i]) == (a & b));
      CHECK(static_cast<unsigned char>(or_r[i]) == (a | b));
      CHECK(static_cast<unsigned char>(xor_r[i]) == (a ^ b));
    }
  }
}

// BITFIELD <key> args..., run against `value` the way the command would: parse, then execute
// with the write or read path. Returns the replies (nullopt = nil) and updates `value`.
std::vector<std::optional<int64_t>> Bitfield(std::string& value, std::vector<std::string_view> args,
                                             size_t* changes = nullptr) {
  auto ops = ParseBitfield(args, false, kDefaultMaxBulk);
  REQUIRE(ops.has_value());
  if (BitfieldWrites(*ops)) return ExecBitfield(value, *ops, changes);
  return ExecBitfieldRead(value, *ops);
}

using Replies = std::vector<std::optional<int64_t>>;

TEST_CASE("BITFIELD signed and unsigned fields", "[bitops]") {
  std::string s;
  CHECK(Bitfield(s, {"SET", "u5", "7", "23", "GET", "u5", "7", "GET", "u8", "0", "GET", "u8",
                     "8"}) == Replies{0, 23, 1, 112});
  CHECK(s == "\x01p"s);

  s.clear();
  CHECK(Bitfield(s, {"SET", "i5", "#1", "-3", "GET", "i5", "#1", "GET", "u5", "5", "GET", "u16",
                     "0"}) == Replies{0, -3, 29, 1856});
  CHECK(s == "\x07@"s);

  s.clear();
  CHECK(Bitfield(s, {"SET", "i64", "3", "-2", "GET", "i64", "3", "GET", "u63", "4", "GET", "u8",
                     "64", "GET", "i8", "64"}) == Replies{0, -2, 9223372036854775806, 192, -64});
  CHECK(s == "\x1f\xff\xff\xff\xff\xff\xff\xff\xc0"s);

  s = "\x01\x02\x03"s;
  CHECK(Bitfield(s, {"SET", "u5", "7", "23", "GET", "u5", "7", "GET", "u8", "0", "GET", "u8",
                     "8"}) == Replies{16, 23, 1, 114});
  CHECK(s == "\x01r\x03"s);

  s = "\x01\x02\x03"s;
  CHECK(Bitfield(s, {"SET", "i64", "0", "9223372036854775807"}) == Replies{72623842526232576});

  // Reads past the end are zero and never grow the value.
  s = "\x01\x02\x03"s;
  CHECK(Bitfield(s, {"GET", "u8", "1000", "GET", "i64", "999"}) == Replies{0, 0});
  CHECK(s == "\x01\x02\x03"s);

  s.clear();
  CHECK(Bitfield(s, {"SET", "u1", "0", "1",      "SET", "u1", "1", "0",      "SET", "u1", "2", "3",
                     "GET", "u3", "0", "INCRBY", "i1",  "7",  "1", "INCRBY", "i1",  "7",  "1"}) ==
        Replies{0, 0, 0, 5, -1, 0});
  CHECK(s == "\xa0"s);
}

TEST_CASE("BITFIELD overflow: WRAP (default)", "[bitops]") {
  std::string s;
  CHECK(Bitfield(s, {"SET", "i8", "0", "100", "INCRBY", "i8", "0", "100", "GET", "i8", "0"}) ==
        Replies{0, -56, -56});
  CHECK(s == "\xc8"s);

  s.clear();
  CHECK(Bitfield(s, {"SET", "u8", "0", "255", "INCRBY", "u8", "0", "1", "INCRBY", "u8", "0", "-1",
                     "INCRBY", "u8", "0", "-300"}) == Replies{0, 0, 255, 211});

  s.clear();
  CHECK(Bitfield(s, {"SET", "i8", "0", "128", "SET", "i8", "0", "-129", "GET", "i8", "0", "SET",
                     "u8", "0", "-1", "GET", "u8", "0"}) == Replies{0, -128, 127, 127, 255});

  s.clear();
  CHECK(Bitfield(s, {"SET", "i64", "0", "9223372036854775807", "INCRBY", "i64", "0", "1", "INCRBY",
                     "i64", "0", "-1"}) == Replies{0, kMin, kMax});
  CHECK(s == "\x7f\xff\xff\xff\xff\xff\xff\xff"s);

  s.clear();
  CHECK(Bitfield(s, {"SET", "u63", "0", "9223372036854775807", "INCRBY", "u63", "0", "1", "INCRBY",
                     "u63", "0", "-1", "SET", "u63", "0", "-1"}) == Replies{0, 0, kMax, kMax});
  CHECK(s == "\xff\xff\xff\xff\xff\xff\xff\xfe"s);
}

TEST_CASE("BITFIELD overflow: SAT", "[bitops]") {
  std::string s;
  CHECK(Bitfield(s, {"OVERFLOW", "SAT", "SET", "i8", "0", "100", "INCRBY", "i8", "0", "100",
                     "INCRBY", "i8", "0", "-300", "GET", "i8", "0"}) ==
        Replies{0, 127, -128, -128});

  s.clear();
  CHECK(Bitfield(s, {"OVERFLOW", "SAT", "SET",    "u8", "0", "250",  "INCRBY", "u8",
                     "0",        "10",  "INCRBY", "u8", "0", "-300", "SET",    "u8",
                     "0",        "-1",  "SET",    "u8", "0", "256"}) == Replies{0, 255, 0, 0, 255});
  CHECK(s == "\xff"s);  // SET u8 -1 saturates *up*: Redis sees 2^64-1, not -1

  // Values far below an i8 count as too big (Redis's room arithmetic wraps), moderately
  // negative ones as too small.
  s.clear();
  CHECK(Bitfield(s, {"OVERFLOW",
                     "SAT",
                     "SET",
                     "i8",
                     "0",
                     "-9223372036854775808",
                     "GET",
                     "i8",
                     "0",
                     "SET",
                     "i8",
                     "0",
                     "9223372036854775807",
                     "GET",
                     "i8",
                     "0",
                     "SET",
                     "i8",
                     "0",
                     "-1000",
                     "GET",
                     "i8",
                     "0"}) == Replies{0, 127, 127, 127, 127, -128});

  s.clear();
  CHECK(Bitfield(s, {"OVERFLOW", "SAT",
                     "SET",      "i64",
                     "0",        "9223372036854775807",
                     "INCRBY",   "i64",
                     "0",        "1",
                     "INCRBY",   "i64",
                     "0",        "-9223372036854775808",
                     "INCRBY",   "i64",
                     "0",        "-9223372036854775808",
                     "INCRBY",   "i64",
                     "0",        "-1"}) == Replies{0, kMax, -1, kMin, kMin});

  s.clear();
  CHECK(Bitfield(s, {"OVERFLOW", "SAT", "SET", "u63", "0", "9223372036854775807", "INCRBY", "u63",
                     "0", "1", "INCRBY", "u63", "0", "-9223372036854775808", "SET", "u63", "0",
                     "-5"}) == Replies{0, kMax, 0, 0});
  CHECK(s == "\xff\xff\xff\xff\xff\xff\xff\xfe"s);
}

TEST_CASE("BITFIELD overflow: FAIL", "[bitops]") {
  std::string s;
  CHECK(Bitfield(s, {"OVERFLOW", "FAIL", "SET", "i8", "0", "100", "INCRBY", "i8", "0", "100", "GET",
                     "i8", "0", "INCRBY", "i8", "0", "27"}) == Replies{0, nullopt, 100, 127});

  s = "\x01\x02\x03"s;
  CHECK(Bitfield(s, {"OVERFLOW", "FAIL", "INCRBY", "u8", "0", "256", "INCRBY", "u8",
                     "0",        "-1",   "INCRBY", "u8", "0", "255", "SET",    "u8",
                     "0",        "256",  "SET",    "u8", "0", "-1"}) ==
        Replies{nullopt, 0, 255, nullopt, nullopt});
  CHECK(s == "\xff\x02\x03"s);

  s.clear();
  CHECK(Bitfield(s, {"OVERFLOW", "FAIL", "SET", "i64", "0", "-9223372036854775808", "INCRBY", "i64",
                     "0", "-1", "INCRBY", "i64", "0", "9223372036854775807", "INCRBY", "i64", "0",
                     "1"}) == Replies{0, nullopt, -1, 0});

  s = "\x01\x02\x03"s;
  CHECK(Bitfield(s, {"OVERFLOW", "FAIL", "INCRBY", "u63", "0", "-1", "INCRBY", "u63", "0",
                     "9223372036854775807", "INCRBY", "u63", "0", "1"}) ==
        Replies{36311921263116287, nullopt, 36311921263116288});
  CHECK(s == "\x01\x02\x03\x00\x00\x00\x00\x00"s);

  // OVERFLOW applies to the sub-commands after it only.
  s.clear();
  CHECK(Bitfield(s, {"INCRBY", "u2", "100", "1", "OVERFLOW", "FAIL", "INCRBY", "u2", "200", "7"}) ==
        Replies{1, nullopt});
  CHECK(s.size() == 26);  // grown for bit 201 although that write failed
  CHECK(s[12] == '\x04');
}

TEST_CASE("BITFIELD growth and change counting", "[bitops]") {
  // A write that fails still creates/grows the value, but counts as no change: Redis keeps the
  // grown key yet neither signals nor propagates it.
  std::string s;
  size_t changes = 99;
  CHECK(Bitfield(s, {"OVERFLOW", "FAIL", "INCRBY", "u2", "100", "7"}, &changes) ==
        Replies{nullopt});
  CHECK(s == std::string(13, '\0'));
  CHECK(changes == 0);

  s = "\x07"s;
  CHECK(Bitfield(s, {"SET", "u8", "0", "7"}, &changes) == Replies{7});
  CHECK(changes == 0);
  CHECK(Bitfield(s, {"SET", "u8", "0", "7", "SET", "u8", "8", "1"}, &changes) == Replies{7, 0});
  CHECK(changes == 2);  // the value grew, so even the no-op write counts (Redis: dirty += 2)
  CHECK(Bitfield(s, {"INCRBY", "u8", "0", "0", "INCRBY", "u8", "8", "1"}, &changes) ==
        Replies{7, 2});
  CHECK(changes == 1);
  s = "\x05"s;
  CHECK(Bitfield(s, {"SET", "u8", "0", "5", "SET", "u8", "0", "5"}, &changes) == Replies{5, 5});
  CHECK(changes == 0);
  CHECK(Bitfield(s, {"SET", "u8", "40", "0"}, &changes) == Replies{0});
  CHECK(changes == 1);
  CHECK(s.size() == 6);
}

TEST_CASE("ParseBitfield errors in Redis's order", "[bitops]") {
  const std::string type_error =
      "Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 "
      "is.";
  auto parse = [](std::vector<std::string_view> args, bool ro = false) {
    return ParseBitfield(args, ro, kDefaultMaxBulk);
  };
  auto error = [&](std::vector<std::string_view> args, bool ro = false) {
    auto r = parse(args, ro);
    return r ? std::string("<ok>") : r.error();
  };

  CHECK(parse({})->empty());
  CHECK(error({"GET", "u8"}) == "syntax error");
  CHECK(error({"SET", "u8", "0"}) == "syntax error");
  CHECK(error({"BOGUS"}) == "syntax error");
  CHECK(error({"OVERFLOW"}) == "syntax error");
  CHECK(error({"OVERFLOW", "bogus", "GET", "u8", "0"}) == "Invalid OVERFLOW type specified");
  for (std::string_view t : {"u64", "i65", "i0", "I8", "u08", "u", "", "x8", "u-1"}) {
    INFO("type " << t);
    CHECK(error({"GET", t, "0"}) == type_error);
  }
  CHECK(error({"GET", "u8", "-1"}) == "bit offset is not an integer or out of range");
  CHECK(error({"GET", "u8", "#-1"}) == "bit offset is not an integer or out of range");
  CHECK(error({"GET", "u8", "#"}) == "bit offset is not an integer or out of range");
  CHECK(error({"GET", "u8", "4294967296"}) == "bit offset is not an integer or out of range");
  CHECK(error({"GET", "u8", "#536870912"}) == "bit offset is not an integer or out of range");
  CHECK(error({"SET", "u8", "0", "x"}) == "value is not an integer or out of range");
  // Earlier errors win, and the BITFIELD_RO check only comes after a full parse.
  CHECK(error({"SET", "u8", "0", "1", "GET", "i8", "x"}) ==
        "bit offset is not an integer or out of range");
  CHECK(error({"GET", "u8", "0", "SET", "u8", "0", "1"}, true) ==
        "BITFIELD_RO only supports the GET subcommand");
  CHECK(error({"SET", "u8", "0", "1", "GET", "x", "0"}, true) == type_error);
  CHECK(error({"SET", "u8", "0", "1", "OVERFLOW", "x"}, true) == "Invalid OVERFLOW type specified");
  CHECK(parse({"GET", "u8", "0", "OVERFLOW", "sat"}, true).has_value());

  auto ops = parse({"get", "i16", "#2", "overflow", "fail", "IncrBy", "u7", "3", "-5"});
  REQUIRE(ops.has_value());
  REQUIRE(ops->size() == 2);
  CHECK((*ops)[0].kind == BitfieldOp::Kind::kGet);
  CHECK((*ops)[0].is_signed);
  CHECK((*ops)[0].bits == 16);
  CHECK((*ops)[0].offset == 32);
  CHECK((*ops)[0].overflow == BitfieldOp::Overflow::kWrap);
  CHECK((*ops)[1].kind == BitfieldOp::Kind::kIncrBy);
  CHECK_FALSE((*ops)[1].is_signed);
  CHECK((*ops)[1].bits == 7);
  CHECK((*ops)[1].offset == 3);
  CHECK((*ops)[1].value == -5);
  CHECK((*ops)[1].overflow == BitfieldOp::Overflow::kFail);
  CHECK(BitfieldWrites(*ops));
  CHECK_FALSE(BitfieldWrites(std::span<const BitfieldOp>(ops->data(), 1)));
}

}  // namespace
}  // namespace baozi
