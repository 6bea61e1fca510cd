// SkipList and MemberIndex against a sorted-vector model: every operation is mirrored on the
// model and the invariants (order, spans, backward links, level) are checked after each one.
#include "storage/skiplist.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace baozi {
namespace {

using Elem = std::pair<double, std::string>;  // (score, member): the model's order is the list's

std::vector<Elem> Contents(const SkipList& sl) {
  std::vector<Elem> out;
  for (const SkipList::Node* n = sl.first(); n != nullptr; n = n->next()) {
    out.emplace_back(n->score(), std::string(n->member()));
  }
  return out;
}

// Backwards through the prev() links must give the same sequence reversed.
std::vector<Elem> ContentsBackwards(const SkipList& sl) {
  std::vector<Elem> out;
  for (const SkipList::Node* n = sl.last(); n != nullptr; n = n->prev()) {
    out.emplace_back(n->score(), std::string(n->member()));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

struct Fixture {
  SkipList sl;
  MemberIndex idx;
  std::vector<Elem> model;  // sorted

  void Insert(double score, const std::string& m) {
    REQUIRE(idx.Find(m) == nullptr);
    idx.Insert(sl.Insert(score, m));
    model.emplace(std::lower_bound(model.begin(), model.end(), Elem{score, m}), score, m);
  }
  void Erase(const std::string& m) {
    SkipList::Node* n = idx.Find(m);
    REQUIRE(n != nullptr);
    Elem e{n->score(), m};
    idx.Erase(n);
    sl.Erase(n);
    model.erase(std::lower_bound(model.begin(), model.end(), e));
  }
  void Update(const std::string& m, double score) {
    SkipList::Node* n = idx.Find(m);
    REQUIRE(n != nullptr);
    Elem e{n->score(), m};
    sl.UpdateScore(n, score);
    CHECK(idx.Find(m) == n);  // the node stays where the index points
    model.erase(std::lower_bound(model.begin(), model.end(), e));
    model.emplace(std::lower_bound(model.begin(), model.end(), Elem{score, m}), score, m);
  }
  void Check() {
    REQUIRE(sl.CheckInvariants());
    REQUIRE(sl.size() == model.size());
    REQUIRE(idx.size() == model.size());
    REQUIRE(Contents(sl) == model);
    REQUIRE(ContentsBackwards(sl) == model);
  }
};

TEST_CASE("skiplist orders by score, then member bytes", "[skiplist]") {
  Fixture f;
  f.Insert(1, "b");
  f.Insert(1, "a");
  f.Insert(0, "z");
  f.Insert(1, "ab");
  f.Insert(-1, "\xff");
  f.Insert(1, "");
  f.Insert(1, std::string("a\0", 2));
  f.Check();
  std::vector<std::string> order;
  for (auto& [s, m] : f.model) order.push_back(m);
  CHECK(order == std::vector<std::string>{"\xff", "z", "", "a", std::string("a\0", 2), "ab", "b"});
  for (size_t r = 1; r <= f.model.size(); ++r) {
    SkipList::Node* n = f.sl.AtRank(r);
    REQUIRE(n != nullptr);
    CHECK(std::string(n->member()) == f.model[r - 1].second);
    CHECK(f.sl.Rank(n) == r);
  }
  CHECK(f.sl.AtRank(0) == nullptr);
  CHECK(f.sl.AtRank(f.model.size() + 1) == nullptr);
}

TEST_CASE("skiplist random inserts, deletes and updates keep ranks and spans", "[skiplist]") {
  std::mt19937_64 rng(42);
  Fixture f;
  std::vector<std::string> present;
  for (int step = 0; step < 3000; ++step) {
    const int op = static_cast<int>(rng() % 10);
    // Few distinct scores, so ties (ordered by member) are common.
    const double score = static_cast<double>(static_cast<int>(rng() % 21) - 10) / 2;
    if (op < 5 || present.empty()) {
      std::string m = "m" + std::to_string(rng() % 2000);
      if (f.idx.Find(m) != nullptr) continue;
      f.Insert(score, m);
      present.push_back(m);
    } else if (op < 8) {
      size_t i = rng() % present.size();
      f.Erase(present[i]);
      present[i] = present.back();
      present.pop_back();
    } else {
      f.Update(present[rng() % present.size()], score);
    }
    f.Check();
    // Rank lookups against the model, both ways.
    if (!f.model.empty()) {
      size_t r = rng() % f.model.size();
      SkipList::Node* n = f.sl.AtRank(r + 1);
      REQUIRE(n != nullptr);
      CHECK(std::string(n->member()) == f.model[r].second);
      SkipList::Node* by_member = f.idx.Find(f.model[r].second);
      CHECK(by_member == n);
      CHECK(f.sl.Rank(n) == r + 1);
    }
  }
}

TEST_CASE("skiplist score ranges with exclusive bounds", "[skiplist]") {
  Fixture f;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 300; ++i) f.Insert(static_cast<double>(rng() % 20), "m" + std::to_string(i));
  f.Insert(-INFINITY, "ninf");
  f.Insert(INFINITY, "pinf");
  f.Check();
  const double bounds[] = {-INFINITY, -1, 0, 3, 3.5, 10, 19, 20, INFINITY};
  for (double lo : bounds) {
    for (double hi : bounds) {
      for (int ex = 0; ex < 4; ++ex) {
        ZScoreRange r{lo, hi, (ex & 1) != 0, (ex & 2) != 0};
        std::vector<Elem> want;
        for (auto& e : f.model) {
          if (r.GteMin(e.first) && r.LteMax(e.first)) want.push_back(e);
        }
        const SkipList::Node* first = f.sl.FirstInRange(r);
        const SkipList::Node* last = f.sl.LastInRange(r);
        if (want.empty()) {
          CHECK(first == nullptr);
          CHECK(last == nullptr);
          continue;
        }
        REQUIRE(first != nullptr);
        REQUIRE(last != nullptr);
        CHECK(std::string(first->member()) == want.front().second);
        CHECK(std::string(last->member()) == want.back().second);
        CHECK(f.sl.Rank(last) - f.sl.Rank(first) + 1 == want.size());
      }
    }
  }
}

TEST_CASE("skiplist lex ranges with sentinels and exclusive bounds", "[skiplist]") {
  Fixture f;
  for (const char* m : {"a", "aa", "ab", "b", "ba", "c", "d", "e"}) f.Insert(0, m);
  f.Check();
  auto members = [&](const char* lo, const char* hi) {
    ZLexRange r;
    REQUIRE(ParseLexRange(lo, hi, &r));
    std::vector<std::string> out;
    const SkipList::Node* first = f.sl.FirstInRange(r);
    const SkipList::Node* last = f.sl.LastInRange(r);
    CHECK((first == nullptr) == (last == nullptr));
    for (const SkipList::Node* n = first; n != nullptr; n = n->next()) {
      out.emplace_back(n->member());
      if (n == last) break;
    }
    return out;
  };
  using V = std::vector<std::string>;
  CHECK(members("-", "+") == V{"a", "aa", "ab", "b", "ba", "c", "d", "e"});
  CHECK(members("[aa", "(b") == V{"aa", "ab"});
  CHECK(members("(aa", "[b") == V{"ab", "b"});
  CHECK(members("(a", "(aa") == V{});
  CHECK(members("[", "(b") == V{"a", "aa", "ab"});
  CHECK(members("+", "-") == V{});
  CHECK(members("-", "-") == V{});
  CHECK(members("[b", "[a") == V{});
  CHECK(members("[c", "+") == V{"c", "d", "e"});
  CHECK(members("(e", "+") == V{});
  ZLexRange r;
  CHECK_FALSE(ParseLexRange("a", "+", &r));
  CHECK_FALSE(ParseLexRange("", "+", &r));
  CHECK_FALSE(ParseLexRange("-", "++", &r));
  CHECK(ParseLexRange(std::string_view("-\0x", 3), "+", &r));  // checked as a C string
}

TEST_CASE("skiplist range detaching", "[skiplist]") {
  Fixture f;
  for (int i = 0; i < 200; ++i) f.Insert(i % 10, "m" + std::to_string(1000 + i));
  f.Check();
  auto drop = [&](SkipList::Node* chain) {
    size_t n = 0;
    while (chain != nullptr) {
      SkipList::Node* next = chain->next();
      Elem e{chain->score(), std::string(chain->member())};
      f.idx.Erase(chain);
      SkipList::FreeNode(chain);
      f.model.erase(std::lower_bound(f.model.begin(), f.model.end(), e));
      chain = next;
      ++n;
    }
    return n;
  };
  size_t count;
  ZScoreRange sr{2, 4, true, false};  // (2, 4]
  size_t removed = drop(f.sl.DetachRange(sr, &count));
  CHECK(removed == count);
  CHECK(count == 40);
  f.Check();
  removed = drop(f.sl.DetachRankRange(5, 24, &count));
  CHECK(removed == 20);
  CHECK(count == 20);
  f.Check();
  removed = drop(f.sl.DetachRankRange(1, 1000, &count));
  CHECK(count == 140);
  CHECK(f.sl.empty());
  f.Check();

  // Lex ranges assume equal scores.
  for (int i = 0; i < 100; ++i) f.Insert(0, "m" + std::to_string(1000 + i));
  ZLexRange lr;
  REQUIRE(ParseLexRange("[m1010", "(m1020", &lr));
  removed = drop(f.sl.DetachRange(lr, &count));
  CHECK(count == 10);
  CHECK(removed == 10);
  f.Check();
  CHECK(f.idx.Find("m1010") == nullptr);
  CHECK(f.idx.Find("m1020") != nullptr);
}

TEST_CASE("skiplist copy and append", "[skiplist]") {
  SkipList sl;
  for (int i = 0; i < 500; ++i) sl.Append(i / 3, "m" + std::to_string(100000 + i));
  REQUIRE(sl.CheckInvariants());
  SkipList copy(sl);
  REQUIRE(copy.CheckInvariants());
  CHECK(Contents(copy) == Contents(sl));
  CHECK(copy.MemoryUsage() > 500 * 30);
}

TEST_CASE("member index finds, erases and scans across resizes", "[skiplist]") {
  SkipList sl;
  MemberIndex idx;
  std::vector<SkipList::Node*> nodes;
  for (int i = 0; i < 5000; ++i) {
    SkipList::Node* n = sl.Insert(i, "member:" + std::to_string(i));
    idx.Insert(n);
    nodes.push_back(n);
  }
  CHECK(idx.size() == 5000);
  CHECK(idx.capacity() * 4 >= idx.size() * 5);  // at most 80% full
  for (int i = 0; i < 5000; ++i) CHECK(idx.Find("member:" + std::to_string(i)) == nodes[i]);
  CHECK(idx.Find("member:5000") == nullptr);
  CHECK(idx.Find("") == nullptr);

  // A full scan while the table shrinks and grows in between calls: every entry present for
  // the whole scan is seen exactly once.
  std::map<std::string, int> seen;
  uint64_t cursor = 0;
  int calls = 0;
  do {
    cursor =
        idx.Scan(cursor, 10, [&](const SkipList::Node* n) { ++seen[std::string(n->member())]; });
    ++calls;
    if (calls == 20) {
      // Shrink: drop the odd members (they may or may not be reported).
      for (int i = 1; i < 5000; i += 2) {
        idx.Erase(nodes[i]);
        sl.Erase(nodes[i]);
        nodes[i] = nullptr;
      }
    }
    if (calls == 40) {
      for (int i = 5000; i < 9000; ++i) idx.Insert(sl.Insert(i, "member:" + std::to_string(i)));
    }
  } while (cursor != 0);
  for (int i = 0; i < 5000; i += 2) {
    INFO("member " << i);
    CHECK(seen["member:" + std::to_string(i)] == 1);
  }
  for (auto& [m, c] : seen) CHECK(c == 1);
  CHECK(idx.size() == 2500 + 4000);
  CHECK(sl.CheckInvariants());

  // Erasing everything empties the index.
  for (SkipList::Node* n = sl.first(); n != nullptr;) {
    SkipList::Node* next = n->next();
    idx.Erase(n);
    sl.Erase(n);
    n = next;
  }
  CHECK(idx.size() == 0);
  CHECK(idx.Find("member:0") == nullptr);
  CHECK(idx.Scan(0, 10, [](const SkipList::Node*) { FAIL("empty index reported a node"); }) == 0);
}

TEST_CASE("score range parsing follows zslParseRange", "[skiplist]") {
  ZScoreRange r;
  REQUIRE(ParseScoreRange("(1", "+inf", &r));
  CHECK(r.min == 1);
  CHECK(r.minex);
  CHECK(std::isinf(r.max));
  CHECK_FALSE(r.maxex);
  CHECK_FALSE(ParseScoreRange("nan", "1", &r));
  CHECK_FALSE(ParseScoreRange("(nan", "1", &r));
  CHECK_FALSE(ParseScoreRange("1", "x", &r));
  CHECK_FALSE(ParseScoreRange("((1", "2", &r));
  REQUIRE(ParseScoreRange("(", "1e400", &r));  // strtod of "" is 0; overflow is inf
  CHECK(r.min == 0);
  CHECK(r.minex);
  CHECK(std::isinf(r.max));
  CHECK(ZScoreRange{1, 1, true, false}.Empty());
  CHECK_FALSE(ZScoreRange{1, 1, false, false}.Empty());
  CHECK(ZScoreRange{2, 1, false, false}.Empty());
}

}  // namespace
}  // namespace baozi
