// Glob-style matching with the exact semantics of Redis 7.0.15's stringmatchlen(), used by
// KEYS, SCAN/HSCAN/SSCAN/ZSCAN MATCH, PSUBSCRIBE, PUBSUB CHANNELS and friends.
//
//   GlobMatch("h?llo", "hello")          -> true
//   GlobMatch("h[^e]llo", "hallo")       -> true
//   GlobMatch("H*", "hello", /*nocase=*/true) -> true
//
// Syntax: `*` any run of bytes, `?` one byte, `[abc]` `[^abc]` `[a-z]` classes, `\x` a literal x.
// The odd corners follow Redis byte for byte (tests/unit/storage/glob_test.cc pins them against
// the real server): an unterminated `[` class runs to the end of the pattern, a trailing `\`
// is a literal backslash, `[z-a]` is the same range as `[a-z]`, `[a-]` uses `]` as the range's
// end, range bounds compare as signed chars, and an escape inside a class compares
// case-sensitively even when nocase is set. An empty subject matches only the empty pattern,
// so `*` alone does not match "" — KEYS and SCAN special-case the lone `*` before calling this.
// Like Redis (CVE-2024-31228), a pattern whose 1001st `*` group is not at its end never
// matches. Matching is iterative and takes O(|pattern| * |str|) time at worst.
#pragma once

#include <cstddef>
#include <string_view>

namespace baozi {

bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase = false);

namespace glob_internal {

// Redis gives up on a pattern after this many nested `*` groups.
inline constexpr size_t kMaxStarNesting = 1000;

// GlobMatch with the star-group limit as a parameter, so tests can exercise the limit on
// short inputs.
bool GlobMatchWithNestingLimit(std::string_view pattern, std::string_view str, bool nocase,
                               size_t max_nesting);

}  // namespace glob_internal
}  // namespace baozi
