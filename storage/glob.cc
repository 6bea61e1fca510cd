// How the matcher works, and why it agrees with Redis.
//
// Redis matches globs with a recursive function: at each `*` it calls itself on the rest of the
// pattern against every non-empty suffix of the subject. Unchecked, that is exponential in the
// number of stars (CVE-2022-36021), so Redis added a flag that stops the search once a later
// star has failed against every suffix, and a depth limit of 1000 nested star groups
// (CVE-2024-31228) so long patterns cannot blow the stack. We reach the same answers without
// recursion.
//
// Tokens. The pattern is read left to right as tokens: a run of `*`, or a token that consumes
// exactly one subject byte (`?`, a `[...]` class, `\x`, a literal). Where a token ends depends
// only on the pattern, never on the subject, so we can re-parse tokens from any pattern offset
// we saved. Redis's pattern is a NUL-terminated string and its class parser looks one byte
// past the end (it sees '\0', which is neither `\` nor `]`), so PatternAt() returns '\0' there.
//
// Backtracking only to the last star. Every non-star token consumes exactly one byte, so if the
// pattern after the latest star S cannot match from subject offset i, giving an earlier star
// more bytes cannot help: it only moves the start of S's tail further right, and S can still
// absorb any bytes the earlier star would have taken. So we keep one saved state, (the pattern
// offset just after the last star, the subject offset where that star's tail was tried), and
// on a mismatch hand the star one more byte. When the star has no bytes left to give, the
// whole match fails. This is the same search Redis's pruning flag performs, in the same order,
// in O(|pattern| * |subject|) steps.
//
// The nesting limit. Redis's recursion depth at a star is that star group's ordinal, and a call
// deeper than 1000 returns "no match"; every outer star then fails its suffixes too. So once
// the matcher reaches star group 1001 while subject bytes remain and that group is not the
// pattern's trailing star (a trailing star matches at once, before recursing), the answer is
// false. Reaching it is exactly the moment we pass it here, since we never re-pass a star.
//
// End of subject. Redis loops only while both pattern and subject remain: an empty subject
// matches only an empty pattern, and once the last byte is consumed any `*` left in the
// pattern are skipped and the pattern must then be exhausted.
#include "storage/glob.h"

#include <cstdint>
#include <utility>

namespace baozi {
namespace {

inline char PatternAt(std::string_view pattern, size_t i) {
  return i < pattern.size() ? pattern[i] : '\0';
}

// ASCII-only, as C's tolower() in the "C" locale that Redis runs with for ctype.
inline int Lower(int c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }

// Redis compares range bounds as (signed) char values.
inline int SignedByte(char c) { return static_cast<signed char>(c); }

inline bool SameByte(char a, char b, bool nocase) {
  if (!nocase) return a == b;
  return Lower(static_cast<unsigned char>(a)) == Lower(static_cast<unsigned char>(b));
}

// Matches the class whose body starts at `i` (just after `[`) against `c`. Returns the offset
// just past the class; an unterminated class runs to the end of the pattern.
size_t MatchClass(std::string_view pattern, size_t i, char c, bool nocase, bool* matched) {
  const size_t n = pattern.size();
  const bool negate = PatternAt(pattern, i) == '^';
  if (negate) ++i;
  bool hit = false;
  while (true) {
    const char pc = PatternAt(pattern, i);
    if (pc == '\\' && n - i >= 2) {
      ++i;
      if (pattern[i] == c) hit = true;  // escapes ignore nocase, as in Redis
    } else if (pc == ']') {
      break;
    } else if (i == n) {
      --i;  // so the caller's step past the class lands exactly on the end
      break;
    } else if (n - i >= 3 && pattern[i + 1] == '-') {
      int lo = SignedByte(pattern[i]);
      int hi = SignedByte(pattern[i + 2]);
      int ch = SignedByte(c);
      if (lo > hi) std::swap(lo, hi);
      if (nocase) {
        lo = Lower(lo);
        hi = Lower(hi);
        ch = Lower(ch);
      }
      if (ch >= lo && ch <= hi) hit = true;
      i += 2;
    } else if (SameByte(pc, c, nocase)) {
      hit = true;
    }
    ++i;
  }
  *matched = hit != negate;
  return i + 1;
}

// Matches the one-byte token starting at `i` (anything but `*`) against `c`. Returns the offset
// just past the token.
size_t MatchOne(std::string_view pattern, size_t i, char c, bool nocase, bool* matched) {
  switch (pattern[i]) {
    case '?':
      *matched = true;
      return i + 1;
    case '[':
      return MatchClass(pattern, i + 1, c, nocase, matched);
    case '\\':
      if (pattern.size() - i >= 2) ++i;  // a trailing backslash is a literal
      [[fallthrough]];
    default:
      *matched = SameByte(pattern[i], c, nocase);
      return i + 1;
  }
}

}  // namespace

namespace glob_internal {

bool GlobMatchWithNestingLimit(std::string_view pattern, std::string_view str, bool nocase,
                               size_t max_nesting) {
  if (str.empty()) return pattern.empty();
  constexpr size_t kNoStar = SIZE_MAX;
  const size_t pn = pattern.size();
  const size_t sn = str.size();
  size_t p = 0;
  size_t s = 0;
  size_t star_tail = kNoStar;  // pattern offset just after the last star group passed
  size_t star_from = 0;        // subject offset where that tail is being tried
  size_t star_groups = 0;
  while (s < sn) {
    if (p < pn && pattern[p] == '*') {
      while (p + 1 < pn && pattern[p + 1] == '*') ++p;
      if (p + 1 == pn) return true;
      if (++star_groups > max_nesting) return false;
      star_tail = ++p;
      star_from = s;
      continue;
    }
    if (p < pn) {
      bool matched = false;
      const size_t next = MatchOne(pattern, p, str[s], nocase, &matched);
      if (matched) {
        p = next;
        ++s;
        continue;
      }
    }
    // Mismatch, or pattern exhausted with subject left: give the last star one more byte. The
    // tail is non-empty and starts with a one-byte token, so it never matches an empty suffix.
    if (star_tail == kNoStar || ++star_from >= sn) return false;
    p = star_tail;
    s = star_from;
  }
  while (p < pn && pattern[p] == '*') ++p;
  return p == pn;
}

}  // namespace glob_internal

bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase) {
  return glob_internal::GlobMatchWithNestingLimit(pattern, str, nocase,
                                                  glob_internal::kMaxStarNesting);
}

}  // namespace baozi
