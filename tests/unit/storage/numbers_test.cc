// Number conversions. Every expectation here was taken from redis-server 7.0.15: integers via
// INCRBY, doubles via ZADD/ZSCORE on a skiplist-encoded zset, long doubles via INCRBYFLOAT, SCAN
// cursors via SCAN, string2ull via XADD's millisecond part.
#include "storage/numbers.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <string>

namespace baozi {
namespace {

using namespace std::literals;

// What INCRBYFLOAT stores/replies for `incr` applied to `current`, or "" on a parse error.
std::string IncrByFloat(std::string_view current, std::string_view incr) {
  auto a = ParseLongDouble(current);
  auto b = ParseLongDouble(incr);
  if (!a || !b) return "";
  return LongDoubleToString(*a + *b);
}

TEST_CASE("ParseInt64 follows string2ll", "[numbers]") {
  CHECK(ParseInt64("0") == 0);
  CHECK(ParseInt64("123") == 123);
  CHECK(ParseInt64("-123") == -123);
  CHECK(ParseInt64("9223372036854775807") == std::numeric_limits<int64_t>::max());
  CHECK(ParseInt64("-9223372036854775808") == std::numeric_limits<int64_t>::min());

  // Each of these is "value is not an integer or out of range" for INCRBY.
  for (std::string_view bad : std::initializer_list<std::string_view>{
           "-0", "+1", "01", "00", " 1", "1 ", "", "-", "1\0"sv, "1.0", "1e3", "0x10",
           "9223372036854775808", "-9223372036854775809", "18446744073709551616",
           "000000000000000000001"}) {
    INFO("input: " << bad);
    CHECK_FALSE(ParseInt64(bad).has_value());
  }
}

TEST_CASE("ParseUint64 follows string2ull", "[numbers]") {
  CHECK(ParseUint64("0") == 0u);
  CHECK(ParseUint64("5") == 5u);
  CHECK(ParseUint64("9223372036854775808") == uint64_t{1} << 63);
  CHECK(ParseUint64("18446744073709551615") == std::numeric_limits<uint64_t>::max());
  // The strtoull fallback is lenient where string2ll is strict.
  CHECK(ParseUint64("+5") == 5u);
  CHECK(ParseUint64("007") == 7u);
  CHECK(ParseUint64(" 5") == 5u);
  // ...and only sees the C string up to the first NUL.
  CHECK(ParseUint64("7\0x"sv) == 7u);

  CHECK_FALSE(ParseUint64("-1").has_value());
  CHECK_FALSE(ParseUint64("18446744073709551616").has_value());
  CHECK_FALSE(ParseUint64("").has_value());
  CHECK_FALSE(ParseUint64("5 ").has_value());
  CHECK_FALSE(ParseUint64("0x10").has_value());
  CHECK_FALSE(ParseUint64("1.5").has_value());
}

TEST_CASE("ParseScanCursor follows SCAN's strtoul parsing", "[numbers]") {
  CHECK(ParseScanCursor("0") == 0u);
  CHECK(ParseScanCursor("") == 0u);
  CHECK(ParseScanCursor("+0") == 0u);
  CHECK(ParseScanCursor("-0") == 0u);
  CHECK(ParseScanCursor("00") == 0u);
  CHECK(ParseScanCursor("+5") == 5u);
  CHECK(ParseScanCursor("-1") == std::numeric_limits<uint64_t>::max());
  CHECK(ParseScanCursor("18446744073709551615") == std::numeric_limits<uint64_t>::max());
  CHECK(ParseScanCursor("9223372036854775808") == uint64_t{1} << 63);
  CHECK(ParseScanCursor("0\0x"sv) == 0u);

  for (std::string_view bad :
       {" 0", "0 ", "abc", "1e3", "0x10", "18446744073709551616", "-18446744073709551616"}) {
    INFO("input: " << bad);
    CHECK_FALSE(ParseScanCursor(bad).has_value());
  }
}

TEST_CASE("ParseDouble follows string2d", "[numbers]") {
  CHECK(ParseDouble("1.5e10") == 15000000000.0);
  CHECK(ParseDouble("0x1p3") == 8.0);
  CHECK(ParseDouble("0x10") == 16.0);
  CHECK(ParseDouble("+1.5") == 1.5);
  CHECK(ParseDouble(".5") == 0.5);
  CHECK(ParseDouble("5.") == 5.0);
  CHECK(ParseDouble("inf") == std::numeric_limits<double>::infinity());
  CHECK(ParseDouble("+inf") == std::numeric_limits<double>::infinity());
  CHECK(ParseDouble("-inf") == -std::numeric_limits<double>::infinity());
  CHECK(ParseDouble("infinity") == std::numeric_limits<double>::infinity());
  // Underflow to a subnormal is accepted; underflow to zero is not.
  REQUIRE(ParseDouble("1e-310").has_value());
  CHECK(DoubleToString(*ParseDouble("1e-310")) == "9.9999999999999694e-311");

  for (std::string_view bad : std::initializer_list<std::string_view>{
           "nan", "1e400", "1e-400", "", " 1", "1 ", "1\0"sv, "1e", "abc"}) {
    INFO("input: " << bad);
    CHECK_FALSE(ParseDouble(bad).has_value());
  }
}

TEST_CASE("ParseRangeDouble follows zslParseRange's strtod", "[numbers]") {
  // Checked with ZCOUNT z <s> <s> (and "(<s>") against members scored 0, 1 and 16.
  CHECK(ParseRangeDouble(" 1") == 1.0);
  CHECK(ParseRangeDouble("\t1") == 1.0);
  CHECK(ParseRangeDouble("+1") == 1.0);
  CHECK(ParseRangeDouble("") == 0.0);
  CHECK(ParseRangeDouble("1\0x"sv) == 1.0);
  CHECK(ParseRangeDouble("0x10") == 16.0);
  CHECK(ParseRangeDouble("1e400") == std::numeric_limits<double>::infinity());
  CHECK(ParseRangeDouble("1e-400") == 0.0);
  CHECK(ParseRangeDouble("-inf") == -std::numeric_limits<double>::infinity());
  for (std::string_view bad : std::initializer_list<std::string_view>{"1 ", "nan", "1e", "abc"}) {
    INFO("input: " << bad);
    CHECK_FALSE(ParseRangeDouble(bad).has_value());
  }
}

TEST_CASE("DoubleToString is %.17g with explicit infinities", "[numbers]") {
  CHECK(DoubleToString(*ParseDouble("0.1")) == "0.10000000000000001");
  CHECK(DoubleToString(*ParseDouble("1.5e10")) == "15000000000");
  CHECK(DoubleToString(*ParseDouble("1e308")) == "1e+308");
  CHECK(DoubleToString(*ParseDouble("1e-30")) == "1.0000000000000001e-30");
  CHECK(DoubleToString(*ParseDouble("2.5e-320")) == "2.4999721679567075e-320");
  CHECK(DoubleToString(*ParseDouble("-1e-320")) == "-9.9998886718268301e-321");
  CHECK(DoubleToString(*ParseDouble("123456789012345678901234567890")) == "1.2345678901234568e+29");
  CHECK(DoubleToString(*ParseDouble("1.7976931348623157e308")) == "1.7976931348623157e+308");
  CHECK(DoubleToString(*ParseDouble("3.0")) == "3");
  CHECK(DoubleToString(*ParseDouble("5.")) == "5");
  CHECK(DoubleToString(*ParseDouble("inf")) == "inf");
  CHECK(DoubleToString(*ParseDouble("-inf")) == "-inf");
  // ZSCORE of a skiplist member added with score -0.
  CHECK(DoubleToString(*ParseDouble("-0")) == "-0");
}

TEST_CASE("ParseLongDouble follows string2ld", "[numbers]") {
  CHECK(ParseLongDouble("1.5").has_value());
  CHECK(ParseLongDouble("0x1p3") == 8.0L);
  // Long double range: these overflow or underflow a double but not a long double.
  CHECK(ParseLongDouble("1e400").has_value());
  CHECK(ParseLongDouble("1e-4940").has_value());
  CHECK(ParseLongDouble("1.18e4932").has_value());
  // Inputs of 5120 bytes or more are rejected outright.
  CHECK(ParseLongDouble("1." + std::string(5117, '0')).has_value());
  CHECK_FALSE(ParseLongDouble("1." + std::string(5118, '0')).has_value());

  for (std::string_view bad :
       std::initializer_list<std::string_view>{"nan", "", " 1", "1 ", "1\0"sv, "1\0x"sv, "1e",
                                               "1e5000", "1e-5000", "1.19e4932", "abc"}) {
    INFO("input: " << bad);
    CHECK_FALSE(ParseLongDouble(bad).has_value());
  }
}

TEST_CASE("LongDoubleToString matches INCRBYFLOAT replies", "[numbers]") {
  // INCRBYFLOAT on a missing key: 0 + incr.
  CHECK(IncrByFloat("0", "1.5e10") == "15000000000");
  CHECK(IncrByFloat("0", "0x1p3") == "8");
  CHECK(IncrByFloat("0", "0x1.8p1") == "3");
  CHECK(IncrByFloat("0", "3.0e3") == "3000");
  CHECK(IncrByFloat("0", "0.1") == "0.1");
  CHECK(IncrByFloat("0", "1e17") == "100000000000000000");
  CHECK(IncrByFloat("0", "1e20") == "100000000000000000000");
  CHECK(IncrByFloat("0", "1e-17") == "0.00000000000000001");
  CHECK(IncrByFloat("0", "1.0000000000000000001") == "1");
  CHECK(IncrByFloat("0", "1e-400") == "0");
  CHECK(IncrByFloat("0", "-0") == "0");
  CHECK(IncrByFloat("0", "-0.0") == "0");
  CHECK(IncrByFloat("0", "-1e-18") == "0");  // "-0.00000000000000000" trims to "-0" -> "0"

  // INCRBYFLOAT on an existing value.
  CHECK(IncrByFloat("10.5", "0.1") == "10.6");
  CHECK(IncrByFloat("5.0e3", "2.0e2") == "5200");
  CHECK(IncrByFloat("1.1", "2.2") == "3.3");
  CHECK(IncrByFloat("0.1", "0.2") == "0.3");
  CHECK(IncrByFloat("1", "-1") == "0");
  CHECK(IncrByFloat("-1", "0.5") == "-0.5");

  // Huge values print every integer digit.
  std::string big = IncrByFloat("0", "1e400");
  CHECK(big.size() == 401);
  CHECK(big.starts_with("10000000000000000000281880683947586514586453433629052038625910693539"));
  CHECK(IncrByFloat("0", "1e4932").size() == 4933);
  CHECK(IncrByFloat("0", "-1.18e4932").size() == 4934);
  CHECK(IncrByFloat("1e300", "1e300").size() == 301);

  CHECK(LongDoubleToString(std::numeric_limits<long double>::infinity()) == "inf");
  CHECK(LongDoubleToString(-std::numeric_limits<long double>::infinity()) == "-inf");
}

TEST_CASE("FormatInt64 and Int64ToString", "[numbers]") {
  char buf[21];
  CHECK(std::string(buf, FormatInt64(0, buf)) == "0");
  CHECK(std::string(buf, FormatInt64(-42, buf)) == "-42");
  CHECK(std::string(buf, FormatInt64(std::numeric_limits<int64_t>::min(), buf)) ==
        "-9223372036854775808");
  CHECK(Int64ToString(std::numeric_limits<int64_t>::max()) == "9223372036854775807");
  // Round trip through the strict parser.
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{1} << 40,
                    std::numeric_limits<int64_t>::min()}) {
    CHECK(ParseInt64(Int64ToString(v)) == v);
  }
}

}  // namespace
}  // namespace baozi
