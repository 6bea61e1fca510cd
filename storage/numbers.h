// Number <-> string conversions with Redis's exact rules. Redis is strict: "+1", " 1", "01" and
// "1 " are not integers (string2ll), and floats reject spaces, empty strings and "nan". Commands,
// stored values and the config parser all go through these, so they agree with each other.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace baozi {

// Redis string2ll: optional '-', no '+', no leading zeros (except "0"), no spaces, fits int64.
std::optional<int64_t> ParseInt64(std::string_view s);
// Redis string2ull (stream IDs): string2ll when that parses (negative -> error), otherwise
// strtoull over the C string (cut at the first NUL), so it also takes " 5", "+5" and "007".
std::optional<uint64_t> ParseUint64(std::string_view s);
// SCAN/HSCAN/SSCAN/ZSCAN cursors in Redis 7.0 (parseScanCursorOrReply): strtoul over the C string,
// rejecting a leading blank, trailing garbage and ERANGE. So "" and "+0" are 0, "-1" is 2^64-1,
// and "18446744073709551616" fails. On failure the reply is "invalid cursor".
std::optional<uint64_t> ParseScanCursor(std::string_view s);
// Redis getDoubleFromObject/string2d: strtod over the whole string, no leading space, no NaN;
// accepts "inf", "+inf", "-inf", "1e5", "0x10"... exactly as strtod does in Redis.
std::optional<double> ParseDouble(std::string_view s);
// ZRANGEBYSCORE/ZCOUNT/... min and max (zslParseRange), after the caller strips a leading '(':
// plain strtod over the C string (cut at the first NUL) that must consume all of it and must
// not give NaN. Unlike ParseDouble it accepts leading blanks, "" (= 0) and out-of-range values
// ("1e400" = inf, "1e-400" = 0). On failure the reply is "min or max is not a float".
std::optional<double> ParseRangeDouble(std::string_view s);
// Redis string2ld (INCRBYFLOAT): strtold over the whole string, no spaces, no NaN.
std::optional<long double> ParseLongDouble(std::string_view s);

// Writes v in decimal into buf (>= 21 bytes); returns the length. Allocation-free.
size_t FormatInt64(int64_t v, char* buf);
std::string Int64ToString(int64_t v);
// Unsigned variant (SCAN cursors).
inline size_t FormatUint64(uint64_t v, char* buf) {
  char tmp[24];
  size_t n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  for (size_t i = 0; i < n; ++i) buf[i] = tmp[n - 1 - i];
  return n;
}
// Redis ld2string in LD_STR_HUMAN mode (INCRBYFLOAT replies and stored values): "%.17Lf" with
// trailing zeros (and a trailing '.') removed, "-0" normalised to "0".
std::string LongDoubleToString(long double v);
// Redis "%.17g" formatting used for doubles in replies (ZSCORE in RESP2, INFO ...).
std::string DoubleToString(double v);

}  // namespace baozi
