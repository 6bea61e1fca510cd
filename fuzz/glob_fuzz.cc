// Fuzzes the glob matcher (KEYS, SCAN MATCH, PSUBSCRIBE). Input: byte 0 holds flags (bit 0:
// nocase) and the pattern length (bits 1..7, capped by the input); the pattern follows, then
// the subject. Beyond "no crash", the matcher must stay within its O(|pattern| * |subject|)
// bound: libFuzzer's -timeout catches an exponential case (CVE-2022-36021), and a matcher with
// a tiny star-nesting limit must never match where the real limit does not.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "storage/glob.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  bool nocase = data[0] & 1;
  size_t plen = data[0] >> 1;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (plen > rest.size()) plen = rest.size();
  std::string_view pattern = rest.substr(0, plen);
  std::string_view subject = rest.substr(plen);
  bool m = baozi::GlobMatch(pattern, subject, nocase);
  // The whole input as a pattern too (long patterns, many stars).
  bool m2 = baozi::GlobMatch(rest, subject, nocase);
  (void)m2;
  bool limited = baozi::glob_internal::GlobMatchWithNestingLimit(pattern, subject, nocase, 2);
  if (limited && !m) {
    __builtin_printf("glob_fuzz: the nesting limit made a pattern match\n");
    std::abort();
  }
  return 0;
}
