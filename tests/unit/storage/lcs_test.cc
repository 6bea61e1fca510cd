// LCS. Expectations are redis-server 7.0.15's replies to LCS, LCS LEN and LCS IDX WITHMATCHLEN
// (MINMATCHLEN n) for the same two values.
#include "storage/lcs.h"

#include <catch2/catch.hpp>
#include <string>
#include <tuple>
#include <vector>

namespace baozi {
namespace {

constexpr uint64_t kDefaultMaxBulk = 512ull * 1024 * 1024;

using Run = std::tuple<size_t, size_t, size_t, size_t, size_t>;  // a_start a_end b_start b_end len

std::vector<Run> Runs(const LcsResult& r) {
  std::vector<Run> out;
  for (const auto& m : r.matches) out.emplace_back(m.a_start, m.a_end, m.b_start, m.b_end, m.len);
  return out;
}

struct LcsCase {
  std::string a, b;
  std::string lcs;
  std::vector<Run> runs;  // IDX WITHMATCHLEN, no MINMATCHLEN
};

TEST_CASE("Lcs picks Redis's subsequence and runs", "[lcs]") {
  const std::vector<LcsCase> cases = {
      // The example from the LCS documentation.
      {"ohmytext", "mynewtext", "mytext", {{4, 7, 5, 8, 4}, {2, 3, 0, 1, 2}}},
      // Ties: the walk prefers moving left in `b`, which decides the subsequence.
      {"abc", "acb", "ac", {{2, 2, 1, 1, 1}, {0, 0, 0, 0, 1}}},
      {"acb", "abc", "ab", {{2, 2, 1, 1, 1}, {0, 0, 0, 0, 1}}},
      {"ab", "ba", "b", {{1, 1, 0, 0, 1}}},
      {"abcabc", "cbacba", "cbc", {{5, 5, 3, 3, 1}, {4, 4, 1, 1, 1}, {2, 2, 0, 0, 1}}},
      {"aaaa", "aa", "aa", {{2, 3, 0, 1, 2}}},
      {"GATTACA", "TAGACCA", "TACA", {{5, 6, 5, 6, 2}, {4, 4, 3, 3, 1}, {3, 3, 0, 0, 1}}},
      {"abcdefgh", "xxabcyyefgh", "abcefgh", {{4, 7, 7, 10, 4}, {0, 2, 2, 4, 3}}},
      {"", "abc", "", {}},
      {"abc", "def", "", {}},
  };
  for (const LcsCase& c : cases) {
    INFO("a=" << c.a << " b=" << c.b);
    auto str = Lcs(c.a, c.b, true, false, 0, kDefaultMaxBulk);
    REQUIRE(str.has_value());
    CHECK(str->lcs == c.lcs);
    CHECK(str->len == c.lcs.size());
    CHECK(str->matches.empty());

    auto len = Lcs(c.a, c.b, false, false, 0, kDefaultMaxBulk);
    REQUIRE(len.has_value());
    CHECK(len->len == c.lcs.size());
    CHECK(len->lcs.empty());

    auto idx = Lcs(c.a, c.b, false, true, 0, kDefaultMaxBulk);
    REQUIRE(idx.has_value());
    CHECK(idx->len == c.lcs.size());
    CHECK(Runs(*idx) == c.runs);
  }
}

TEST_CASE("Lcs MINMATCHLEN drops short runs but not the length", "[lcs]") {
  auto r = Lcs("ohmytext", "mynewtext", false, true, 4, kDefaultMaxBulk);
  REQUIRE(r.has_value());
  CHECK(r->len == 6);
  CHECK(Runs(*r) == std::vector<Run>{{4, 7, 5, 8, 4}});

  r = Lcs("ohmytext", "mynewtext", false, true, 2, kDefaultMaxBulk);
  REQUIRE(r.has_value());
  CHECK(Runs(*r) == std::vector<Run>{{4, 7, 5, 8, 4}, {2, 3, 0, 1, 2}});

  r = Lcs("GATTACA", "TAGACCA", false, true, 2, kDefaultMaxBulk);
  REQUIRE(r.has_value());
  CHECK(r->len == 4);
  CHECK(Runs(*r) == std::vector<Run>{{5, 6, 5, 6, 2}});

  r = Lcs("abc", "acb", false, true, 2, kDefaultMaxBulk);
  REQUIRE(r.has_value());
  CHECK(r->len == 2);
  CHECK(r->matches.empty());

  r = Lcs("ohmytext", "mynewtext", false, true, 100, kDefaultMaxBulk);
  REQUIRE(r.has_value());
  CHECK(r->matches.empty());
}

TEST_CASE("Lcs table size limit follows proto-max-bulk-len", "[lcs]") {
  const std::string x1000(1000, 'x'), y1000(1000, 'y'), x500(500, 'x'), y500(500, 'y');
  const uint64_t one_mb = 1024 * 1024;
  // 1001*1001*4 bytes > 1mb: refused in every mode, LEN included.
  for (bool want_string : {false, true}) {
    auto r = Lcs(x1000, y1000, want_string, false, 0, one_mb);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error() == "Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
  }
  auto r = Lcs(x500, y500, false, false, 0, one_mb);
  REQUIRE(r.has_value());
  CHECK(r->len == 0);
  // 512*512*4 bytes is exactly 1mb, which is still allowed; one more row is not.
  const std::string x511(511, 'x'), x512(512, 'x');
  r = Lcs(x511, x511, false, false, 0, one_mb);
  REQUIRE(r.has_value());
  CHECK(r->len == 511);
  CHECK_FALSE(Lcs(x512, x511, false, false, 0, one_mb).has_value());
}

TEST_CASE("Lcs length-only path agrees with the full table", "[lcs]") {
  std::string a, b;
  uint32_t seed = 7;
  auto next = [&] {
    seed = seed * 1103515245 + 12345;
    return (seed >> 16) & 3;
  };
  for (int i = 0; i < 300; ++i) a.push_back(static_cast<char>('a' + next()));
  for (int i = 0; i < 250; ++i) b.push_back(static_cast<char>('a' + next()));
  auto full = Lcs(a, b, true, true, 0, kDefaultMaxBulk);
  auto len = Lcs(a, b, false, false, 0, kDefaultMaxBulk);
  REQUIRE(full.has_value());
  REQUIRE(len.has_value());
  CHECK(full->len == len->len);
  CHECK(full->lcs.size() == full->len);
  size_t covered = 0;
  for (const auto& m : full->matches) {
    CHECK(a.substr(m.a_start, m.len) == b.substr(m.b_start, m.len));
    covered += m.len;
  }
  CHECK(covered == full->len);
}

}  // namespace
}  // namespace baozi
