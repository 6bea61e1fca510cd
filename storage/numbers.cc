// Conversions that must agree with Redis 7.0 byte for byte. Redis leans on libc (strtod, strtold,
// strtoull, snprintf) for everything but string2ll, so we call the same libc routines with the
// same pre- and post-checks instead of re-deriving float parsing; glibc is what Debian's
// redis-server links against, so rounding and the accepted spellings ("0x1p3", "infinity", "+5")
// come out identical. Everything libc sees is first copied into a NUL-terminated buffer, since
// our arguments are string_views that may hold embedded NULs; where Redis reads a C string
// (string2ull, strtoul for cursors) we cut the view at the first NUL exactly as strlen would.
#include "storage/numbers.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace baozi {
namespace {

// Redis's LONG_STR_SIZE: string2ll rejects anything this long or longer outright.
constexpr size_t kLongStrSize = 21;
// Redis's MAX_LONG_DOUBLE_CHARS: string2ld rejects inputs of this length or more.
constexpr size_t kMaxLongDoubleChars = 5 * 1024;

// isspace() in the C locale, which is the only locale Redis parses numbers in.
bool IsCSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// What a C routine reading `s` as a NUL-terminated string would see.
std::string_view UpToNul(std::string_view s) {
  size_t nul = s.find('\0');
  return nul == std::string_view::npos ? s : s.substr(0, nul);
}

// A NUL-terminated copy of `s` that lives on the stack when short.
class CString {
 public:
  explicit CString(std::string_view s) {
    if (s.size() < sizeof(small_)) {
      std::memcpy(small_, s.data(), s.size());
      small_[s.size()] = '\0';
      ptr_ = small_;
    } else {
      big_.assign(s);
      ptr_ = big_.c_str();
    }
  }
  CString(const CString&) = delete;
  CString& operator=(const CString&) = delete;

  const char* get() const { return ptr_; }

 private:
  char small_[128];
  std::string big_;
  const char* ptr_;
};

}  // namespace

std::optional<int64_t> ParseInt64(std::string_view s) {
  if (s.empty() || s.size() >= kLongStrSize) return std::nullopt;
  if (s.size() == 1 && s[0] == '0') return 0;

  size_t i = 0;
  bool negative = false;
  if (s[0] == '-') {
    negative = true;
    if (++i == s.size()) return std::nullopt;
  }
  // A leading zero is only allowed for "0" itself, which was handled above.
  if (s[i] < '1' || s[i] > '9') return std::nullopt;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c < '0' || c > '9') return std::nullopt;
    unsigned digit = static_cast<unsigned>(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - digit) / 10) return std::nullopt;
    v = v * 10 + digit;
  }
  if (negative) {
    constexpr uint64_t kMinMagnitude = uint64_t{1} << 63;
    if (v > kMinMagnitude) return std::nullopt;
    return static_cast<int64_t>(uint64_t{0} - v);
  }
  if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  return static_cast<int64_t>(v);
}

std::optional<uint64_t> ParseUint64(std::string_view s) {
  s = UpToNul(s);
  if (auto ll = ParseInt64(s)) {
    if (*ll < 0) return std::nullopt;
    return static_cast<uint64_t>(*ll);
  }
  // string2ull falls back to strtoull for values above INT64_MAX, and with it inherits
  // strtoull's leniency (leading blanks, '+', leading zeros, "-N" wrapping modulo 2^64).
  if (s.empty()) return std::nullopt;
  CString cs(s);
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(cs.get(), &end, 10);
  if (errno == EINVAL || errno == ERANGE || *end != '\0') return std::nullopt;
  return static_cast<uint64_t>(v);
}

std::optional<uint64_t> ParseScanCursor(std::string_view s) {
  s = UpToNul(s);
  CString cs(s);
  if (IsCSpace(cs.get()[0])) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(cs.get(), &end, 10);
  if (*end != '\0' || errno == ERANGE) return std::nullopt;
  return static_cast<uint64_t>(v);
}

std::optional<double> ParseDouble(std::string_view s) {
  if (s.empty() || IsCSpace(s[0])) return std::nullopt;
  CString cs(s);
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(cs.get(), &end);
  if (static_cast<size_t>(end - cs.get()) != s.size()) return std::nullopt;
  if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || v == 0)) return std::nullopt;
  if (std::isnan(v)) return std::nullopt;
  return v;
}

std::optional<double> ParseRangeDouble(std::string_view s) {
  CString cs(UpToNul(s));
  char* end = nullptr;
  double v = std::strtod(cs.get(), &end);
  if (*end != '\0' || std::isnan(v)) return std::nullopt;
  return v;
}

std::optional<long double> ParseLongDouble(std::string_view s) {
  if (s.empty() || s.size() >= kMaxLongDoubleChars) return std::nullopt;
  CString cs(s);
  errno = 0;
  char* end = nullptr;
  long double v = std::strtold(cs.get(), &end);
  if (IsCSpace(s[0]) || *end != '\0' || static_cast<size_t>(end - cs.get()) != s.size()) {
    return std::nullopt;
  }
  if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || v == 0)) return std::nullopt;
  if (errno == EINVAL || std::isnan(v)) return std::nullopt;
  return v;
}

size_t FormatInt64(int64_t v, char* buf) {
  auto [end, ec] = std::to_chars(buf, buf + 21, v);
  (void)ec;  // 21 bytes always fit "-9223372036854775808".
  return static_cast<size_t>(end - buf);
}

std::string Int64ToString(int64_t v) {
  char buf[21];
  return std::string(buf, FormatInt64(v, buf));
}

std::string LongDoubleToString(long double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  // Finite long doubles print in at most ~4950 characters with "%.17Lf", so the buffer only
  // grows for the rare huge value; Redis's 5 KB buffer never truncates either.
  char small[64];
  int n = std::snprintf(small, sizeof(small), "%.17Lf", v);
  std::string out;
  if (n < 0) return out;
  if (static_cast<size_t>(n) < sizeof(small)) {
    out.assign(small, static_cast<size_t>(n));
  } else {
    out.resize(static_cast<size_t>(n) + 1);
    std::snprintf(out.data(), out.size(), "%.17Lf", v);
    out.resize(static_cast<size_t>(n));
  }
  // Human form: drop trailing fractional zeros and a bare '.', so 10.60000000000000000 reads
  // "10.6"; values that round to zero from below would otherwise print as "-0".
  if (out.find('.') != std::string::npos) {
    size_t len = out.size();
    while (out[len - 1] == '0') --len;
    if (out[len - 1] == '.') --len;
    out.resize(len);
  }
  if (out == "-0") out = "0";
  return out;
}

std::string DoubleToString(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[40];
  int n = std::snprintf(buf, sizeof(buf), "%.17g", v);
  return std::string(buf, n > 0 ? static_cast<size_t>(n) : 0);
}

}  // namespace baozi
