// Helpers shared by the AOF sources: the C library's parsing and line reading as Redis's
// loader and checker see the bytes (through fgets, atoi and strtol), so we classify the same
// inputs the same way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace baozi::aof::internal {

// The bytes fgets(buf, size) returns from `pos`: at most size - 1 bytes, through the first
// '\n'. `hit_eof` tells whether the read tried to go past the end (feof becomes true).
inline std::string_view FgetsChunk(std::string_view data, size_t pos, size_t size, bool* hit_eof) {
  const size_t max = size - 1;
  size_t n = 0;
  const size_t avail = data.size() - pos;
  while (n < max && n < avail) {
    if (data[pos + n++] == '\n') {
      *hit_eof = false;
      return data.substr(pos, n);
    }
  }
  *hit_eof = n < max;  // stopped for lack of bytes, not for a full buffer
  return data.substr(pos, n);
}

// What C string functions see of a buffer: up to the first NUL.
inline std::string_view CString(std::string_view s) {
  const size_t nul = s.find('\0');
  return nul == std::string_view::npos ? s : s.substr(0, nul);
}

inline bool IsCSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

struct StrToLResult {
  int64_t value = 0;
  size_t end = 0;  // index just past the digits; 0 when nothing was converted (endptr = nptr)
};
// strtol/strtoll base 10 on a C string (64-bit long): leading blanks, a sign, digits;
// saturates at INT64_MIN/INT64_MAX on overflow as glibc does.
inline StrToLResult StrToL(std::string_view s) {
  s = CString(s);
  size_t i = 0;
  while (i < s.size() && IsCSpace(s[i])) ++i;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  const size_t digits_from = i;
  uint64_t acc = 0;
  bool overflow = false;
  const uint64_t limit = neg ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    const uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (acc > (limit - d) / 10) overflow = true;
    if (!overflow) acc = acc * 10 + d;
    ++i;
  }
  if (i == digits_from) return {0, 0};
  StrToLResult r;
  r.end = i;
  if (overflow) {
    r.value = neg ? INT64_MIN : INT64_MAX;
  } else {
    r.value = neg ? static_cast<int64_t>(0 - acc) : static_cast<int64_t>(acc);
  }
  return r;
}

inline bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace baozi::aof::internal
