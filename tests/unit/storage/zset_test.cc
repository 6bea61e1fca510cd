// ZsetObject: both encodings behave alike, convert exactly at Redis's thresholds, and store
// scores the way Redis's listpack does.
#include "storage/zset.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace baozi {
namespace {

using Pairs = std::vector<std::pair<std::string, double>>;

Pairs All(const ZsetObject& z) {
  Pairs out;
  z.ForEach([&](std::string_view m, double s) { out.emplace_back(std::string(m), s); });
  return out;
}

Pairs AllBackwards(const ZsetObject& z) {
  Pairs out;
  for (auto it = z.Last(); !it.done(); it.Prev())
    out.emplace_back(std::string(it.member()), it.score());
  std::reverse(out.begin(), out.end());
  return out;
}

EncodingLimits Limits(size_t entries = 128, size_t value = 64) {
  EncodingLimits l;
  l.zset_max_listpack_entries = entries;
  l.zset_max_listpack_value = value;
  return l;
}

TEST_CASE("zset converts to skiplist exactly past the entry limit", "[zset]") {
  EncodingLimits lim = Limits(4, 64);
  ZsetObject z;
  for (int i = 0; i < 4; ++i) CHECK(z.Insert("m" + std::to_string(i), i, lim));
  CHECK(z.encoding() == Encoding::kListpack);
  // Updating or re-adding an existing member never converts.
  CHECK_FALSE(z.Insert("m0", 10, lim));
  CHECK(z.encoding() == Encoding::kListpack);
  CHECK(z.Insert("m4", 4, lim));
  CHECK(z.encoding() == Encoding::kSkiplist);
  CHECK(z.size() == 5);
  CHECK(All(z) == Pairs{{"m1", 1}, {"m2", 2}, {"m3", 3}, {"m4", 4}, {"m0", 10}});
  // Never back down on removal.
  z.Remove("m4");
  z.Remove("m3");
  CHECK(z.encoding() == Encoding::kSkiplist);
}

TEST_CASE("zset converts on a member longer than the value limit", "[zset]") {
  EncodingLimits lim = Limits(128, 8);
  ZsetObject z;
  CHECK(z.Insert(std::string(8, 'a'), 1, lim));
  CHECK(z.encoding() == Encoding::kListpack);
  // XX on a missing long member changes nothing, so nothing converts.
  auto r = z.Add(std::string(9, 'b'), 1, ZsetObject::kAddXx, lim);
  CHECK(r.status == ZsetObject::AddStatus::kNop);
  CHECK(z.encoding() == Encoding::kListpack);
  CHECK(z.Insert(std::string(9, 'b'), 2, lim));
  CHECK(z.encoding() == Encoding::kSkiplist);
  CHECK(z.Score(std::string(9, 'b')) == 2);
}

TEST_CASE("zset sizing constructor follows zsetTypeCreate", "[zset]") {
  EncodingLimits lim = Limits(128, 64);
  CHECK(ZsetObject(128, 64, lim).encoding() == Encoding::kListpack);
  CHECK(ZsetObject(129, 0, lim).encoding() == Encoding::kSkiplist);
  CHECK(ZsetObject(0, 65, lim).encoding() == Encoding::kSkiplist);
}

TEST_CASE("zset add flags", "[zset]") {
  for (bool big : {false, true}) {
    INFO("skiplist " << big);
    EncodingLimits lim = Limits();
    ZsetObject z;
    if (big) z.ConvertToSkiplist();
    using S = ZsetObject::AddStatus;
    CHECK(z.Add("a", 5, 0, lim).status == S::kAdded);
    CHECK(z.Add("a", 5, 0, lim).status == S::kSame);
    CHECK(z.Add("a", 6, 0, lim).status == S::kUpdated);
    CHECK(z.Add("a", 1, ZsetObject::kAddNx, lim).status == S::kNop);
    CHECK(z.Add("b", 1, ZsetObject::kAddXx, lim).status == S::kNop);
    CHECK(z.Add("a", 7, ZsetObject::kAddLt, lim).status == S::kNop);
    CHECK(z.Add("a", 5, ZsetObject::kAddLt, lim).status == S::kUpdated);
    CHECK(z.Add("a", 5, ZsetObject::kAddGt, lim).status == S::kNop);
    auto r = z.Add("a", 2.5, ZsetObject::kAddIncr, lim);
    CHECK(r.status == S::kUpdated);
    CHECK(r.score == 7.5);
    r = z.Add("a", -1, ZsetObject::kAddIncr | ZsetObject::kAddGt, lim);
    CHECK(r.status == S::kNop);
    CHECK(z.Score("a") == 7.5);
    CHECK(z.Add("a", INFINITY, ZsetObject::kAddIncr, lim).status == S::kUpdated);
    CHECK(z.Add("a", -INFINITY, ZsetObject::kAddIncr, lim).status == S::kNan);
    CHECK(z.Score("a") == INFINITY);
    CHECK(z.Add("new", 3, ZsetObject::kAddIncr, lim).score == 3);
    CHECK(z.encoding() == (big ? Encoding::kSkiplist : Encoding::kListpack));
  }
}

TEST_CASE("listpack scores round-trip as Redis stores them", "[zset]") {
  EncodingLimits lim = Limits();
  ZsetObject z;
  const double scores[] = {0.1,
                           1e17,
                           4611686018427387904.0,
                           -4611686018427387904.0,
                           4e18 + 0.5,
                           1.0 / 3,
                           -2.5,
                           INFINITY,
                           -INFINITY,
                           123456789.0};
  int i = 0;
  for (double s : scores) z.Insert("m" + std::to_string(i++), s, lim);
  i = 0;
  for (double s : scores) CHECK(z.Score("m" + std::to_string(i++)) == s);
  // -0 becomes the integer 0 in a listpack, and stays -0 in a skiplist.
  z.Insert("negzero", -0.0, lim);
  CHECK_FALSE(std::signbit(*z.Score("negzero")));
  ZsetObject big;
  big.ConvertToSkiplist();
  big.Insert("negzero", -0.0, lim);
  CHECK(std::signbit(*big.Score("negzero")));
  // ZSCAN shows the stored form: a listpack's integer entries in full, a skiplist via %.17g.
  ZsetObject small;
  small.Insert("x", 1e17, lim);
  std::string shown;
  small.Scan(0, 10, [&](std::string_view, std::string_view s) { shown = s; });
  CHECK(shown == "100000000000000000");
  small.ConvertToSkiplist();
  small.Scan(0, 10, [&](std::string_view, std::string_view s) { shown = s; });
  CHECK(shown == "1e+17");
  char buf[kScoreBufSize];
  CHECK(std::string_view(buf, FormatScore(-0.0, buf)) == "-0");
  CHECK(std::string_view(buf, FormatScore(-INFINITY, buf)) == "-inf");
  CHECK(std::string_view(buf, FormatScore(0.1, buf)) == "0.10000000000000001");
}

// Runs the same random operations on a listpack and a skiplist and compares everything.
TEST_CASE("zset encodings agree under random operations", "[zset]") {
  EncodingLimits lim = Limits(100000, 100000);  // the listpack side never converts
  std::mt19937_64 rng(1);
  ZsetObject lp;
  ZsetObject sl;
  sl.ConvertToSkiplist();
  auto member = [&] {
    static const char* kPool[] = {"a", "b", "c", "aa", "ab", "1", "2", "10", "-1", "", "x y"};
    if (rng() % 3 == 0) return std::string(kPool[rng() % 11]);
    return "m" + std::to_string(rng() % 60);
  };
  for (int step = 0; step < 2000; ++step) {
    const double score = static_cast<double>(static_cast<int>(rng() % 9) - 4);
    switch (rng() % 8) {
      case 0:
      case 1:
      case 2: {
        std::string m = member();
        const uint32_t flags = rng() % 2 ? ZsetObject::kAddIncr : ZsetObject::kAddNone;
        auto a = lp.Add(m, score, flags, lim);
        auto b = sl.Add(m, score, flags, lim);
        CHECK(a.status == b.status);
        CHECK(a.score == b.score);
        break;
      }
      case 3: {
        std::string m = member();
        CHECK(lp.Remove(m) == sl.Remove(m));
        break;
      }
      case 4: {
        ZScoreRange r{score, score + static_cast<double>(rng() % 3), rng() % 2 == 0,
                      rng() % 2 == 0};
        CHECK(lp.Count(r) == sl.Count(r));
        if (rng() % 4 == 0) CHECK(lp.RemoveRange(r) == sl.RemoveRange(r));
        break;
      }
      case 5: {
        if (lp.empty()) break;
        size_t a = rng() % lp.size();
        size_t b = rng() % lp.size();
        if (a > b) std::swap(a, b);
        CHECK(lp.RemoveRankRange(a, b) == sl.RemoveRankRange(a, b));
        break;
      }
      case 6: {
        std::string m = member();
        CHECK(lp.Rank(m, false) == sl.Rank(m, false));
        CHECK(lp.Rank(m, true) == sl.Rank(m, true));
        CHECK(lp.Score(m) == sl.Score(m));
        break;
      }
      case 7:
        if (lp.empty()) break;
        if (rng() % 2) {
          lp.PopFront();
          sl.PopFront();
        } else {
          lp.PopBack();
          sl.PopBack();
        }
        break;
    }
    REQUIRE(lp.size() == sl.size());
    REQUIRE(All(lp) == All(sl));
    REQUIRE(AllBackwards(lp) == All(lp));
    REQUIRE(AllBackwards(sl) == All(sl));
  }
}

TEST_CASE("zset score and lex iterators find range edges", "[zset]") {
  EncodingLimits lim = Limits();
  for (bool big : {false, true}) {
    INFO("skiplist " << big);
    ZsetObject z;
    if (big) z.ConvertToSkiplist();
    for (const char* m : {"a", "b", "c", "d"}) z.Insert(m, 0, lim);
    ZLexRange lr;
    REQUIRE(ParseLexRange("(a", "[c", &lr));
    CHECK(z.FirstIn(lr).member() == "b");
    CHECK(z.LastIn(lr).member() == "c");
    CHECK(z.Count(lr) == 2);
    REQUIRE(ParseLexRange("(d", "+", &lr));
    CHECK(z.FirstIn(lr).done());
    CHECK(z.LastIn(lr).done());
    CHECK(z.Count(lr) == 0);
    REQUIRE(ParseLexRange("-", "(b", &lr));
    CHECK(z.RemoveRange(lr) == 1);
    CHECK(All(z) == Pairs{{"b", 0}, {"c", 0}, {"d", 0}});

    z.Insert("x", 5, lim);
    z.Insert("y", 7, lim);
    ZScoreRange sr{0, 5, true, false};
    CHECK(z.FirstIn(sr).member() == "x");
    CHECK(z.LastIn(sr).member() == "x");
    sr = ZScoreRange{-INFINITY, INFINITY, false, false};
    CHECK(z.FirstIn(sr).member() == "b");
    CHECK(z.LastIn(sr).member() == "y");
    CHECK(z.Count(sr) == 5);
    sr = ZScoreRange{7, 7, false, true};
    CHECK(z.FirstIn(sr).done());
    CHECK(z.AtRank(4).member() == "y");
    CHECK(z.AtRank(5).done());
  }
}

TEST_CASE("zset copy, conversion back and memory", "[zset]") {
  EncodingLimits lim = Limits(128, 64);
  ZsetObject z;
  for (int i = 0; i < 300; ++i) z.Insert("member:" + std::to_string(i), i % 7, lim);
  CHECK(z.encoding() == Encoding::kSkiplist);
  ZsetObject copy(z);
  CHECK(copy.encoding() == Encoding::kSkiplist);
  CHECK(All(copy) == All(z));
  CHECK(copy.Score("member:5") == 5);
  copy.Remove("member:5");
  CHECK(z.Score("member:5") == 5);  // deep copy
  const size_t big_bytes = z.MemoryUsage();
  CHECK(big_bytes > 300 * 40);
  // Memory per element stays well under Redis's (~110 bytes with jemalloc).
  CHECK(big_bytes < 300 * 100);

  // Small enough again: ZUNIONSTORE-style conversion back to a listpack.
  z.RemoveRankRange(0, 199);
  z.ConvertToListpackIfNeeded(10, 1000, lim);
  CHECK(z.encoding() == Encoding::kListpack);
  CHECK(z.size() == 100);
  ZsetObject lp_copy(z);
  CHECK(lp_copy.encoding() == Encoding::kListpack);
  CHECK(All(lp_copy) == All(z));
  CHECK(z.MemoryUsage() < big_bytes);
  // Too long a member keeps it a skiplist.
  ZsetObject w;
  w.ConvertToSkiplist();
  w.Insert("a", 1, lim);
  w.ConvertToListpackIfNeeded(65, 65, lim);
  CHECK(w.encoding() == Encoding::kSkiplist);
}

TEST_CASE("zset bulk append from sorted data converts like Add", "[zset]") {
  EncodingLimits lim = Limits(3, 64);
  ZsetObject z;
  z.AppendSorted("a", 1, lim);
  z.AppendSorted("b", 1, lim);
  z.AppendSorted("aa", 2, lim);
  CHECK(z.encoding() == Encoding::kListpack);
  z.AppendSorted("c", 2.5, lim);
  CHECK(z.encoding() == Encoding::kSkiplist);
  z.AppendSorted("d", INFINITY, lim);
  CHECK(All(z) == Pairs{{"a", 1}, {"b", 1}, {"aa", 2}, {"c", 2.5}, {"d", INFINITY}});
  CHECK(z.Score("aa") == 2);
  CHECK(z.Rank("d", false) == 4u);
}

TEST_CASE("zset scan of a skiplist reports everything once", "[zset]") {
  EncodingLimits lim = Limits(0, 64);
  ZsetObject z;
  for (int i = 0; i < 1000; ++i) z.Insert("m" + std::to_string(i), i, lim);
  REQUIRE(z.encoding() == Encoding::kSkiplist);
  std::map<std::string, std::string> seen;
  uint64_t cursor = 0;
  size_t calls = 0;
  do {
    cursor = z.Scan(cursor, 10, [&](std::string_view m, std::string_view s) {
      CHECK(seen.emplace(std::string(m), std::string(s)).second);
    });
    ++calls;
  } while (cursor != 0);
  CHECK(seen.size() == 1000);
  CHECK(seen["m42"] == "42");
  CHECK(calls > 50);
}

}  // namespace
}  // namespace baozi
