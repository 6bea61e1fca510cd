#include "storage/list.h"

#include <catch2/catch.hpp>
#include <deque>
#include <random>
#include <string>
#include <vector>

namespace baozi {
namespace {

using Where = ListObject::Where;

std::vector<std::string> Contents(const ListObject& l) {
  std::vector<std::string> out;
  l.ForEach([&](std::string_view v) { out.emplace_back(v); });
  return out;
}

std::vector<std::string> Strings(std::initializer_list<const char*> xs) {
  return std::vector<std::string>(xs.begin(), xs.end());
}

std::vector<size_t> NodeSizes(const ListObject& l) {
  std::vector<size_t> out;
  l.ForEachNode([&](const Listpack& lp) { out.push_back(lp.size()); });
  return out;
}

ListObject Numbers(int fill, int n) {
  ListObject l(fill);
  for (int i = 1; i <= n; ++i) l.PushTail(std::to_string(i));
  return l;
}

// Node-level invariants: no empty node, counts add up, and every multi-entry node within the
// fill limit (a merge's size estimate allows 4 bytes over it). The limit holds only for lists
// built by pushes, pops and deletes: like Redis 7.0, LSET replaces in place and an insert that
// splits a full node adds the element to the split-off half unchecked.
void CheckNodes(const ListObject& l, bool check_limits) {
  size_t total = 0, nodes = 0;
  l.ForEachNode([&](const Listpack& lp) {
    INFO("fill " << l.fill() << " node bytes " << lp.bytes() << " entries " << lp.size());
    REQUIRE(lp.size() > 0);
    total += lp.size();
    ++nodes;
    if (!check_limits || lp.size() == 1) return;
    if (l.fill() < 0) {
      static constexpr size_t kLimits[] = {4096, 8192, 16384, 32768, 65536};
      CHECK(lp.bytes() <= kLimits[-l.fill() - 1] + 4);
    } else {
      CHECK(lp.size() <= static_cast<size_t>(l.fill()));
      CHECK(lp.bytes() <= ListObject::kSizeSafetyLimit + 4);
    }
  });
  CHECK(total == l.size());
  CHECK(nodes == l.node_count());
}

TEST_CASE("ListObject push and pop at both ends", "[list]") {
  ListObject l;
  CHECK(l.empty());
  CHECK(l.encoding() == Encoding::kQuicklist);
  CHECK_FALSE(l.Pop(Where::kHead, [](std::string_view) { FAIL("popped from empty list"); }));
  l.PushTail("b");
  l.PushHead("a");
  l.PushTail("12345");
  l.PushTail("-7");
  l.PushHead("007");
  CHECK(l.size() == 5);
  CHECK(Contents(l) == Strings({"007", "a", "b", "12345", "-7"}));
  std::string got;
  CHECK(l.Pop(Where::kTail, [&](std::string_view v) { got = v; }));
  CHECK(got == "-7");
  CHECK(l.PopString(Where::kHead) == "007");
  CHECK(l.PopString(Where::kTail) == "12345");
  CHECK(l.size() == 2);
  CHECK(l.PopString(Where::kHead) == "a");
  CHECK(l.PopString(Where::kHead) == "b");
  CHECK(l.empty());
  CHECK(l.node_count() == 0);
  l.PushTail("again");
  CHECK(Contents(l) == Strings({"again"}));
}

TEST_CASE("ListObject index, seek and cursors across nodes", "[list]") {
  ListObject l = Numbers(3, 10);  // nodes [1 2 3] [4 5 6] [7 8 9] [10]
  CHECK(NodeSizes(l) == std::vector<size_t>{3, 3, 3, 1});
  char buf[kIntBufSize];
  for (int i = 0; i < 10; ++i) {
    auto c = l.Seek(i);
    REQUIRE(c.valid());
    CHECK(c.View(buf) == std::to_string(i + 1));
    auto r = l.Seek(-1 - i);
    REQUIRE(r.valid());
    CHECK(r.View(buf) == std::to_string(10 - i));
  }
  CHECK_FALSE(l.Seek(10).valid());
  CHECK_FALSE(l.Seek(-11).valid());
  CHECK_FALSE(l.Seek(INT64_MIN).valid());
  CHECK_FALSE(l.Seek(INT64_MAX).valid());
  std::string fwd, back;
  for (auto c = l.Seek(2); c.valid(); c.Next()) fwd += std::string(c.View(buf)) + ",";
  for (auto c = l.Seek(-5); c.valid(); c.Prev()) back += std::string(c.View(buf)) + ",";
  CHECK(fwd == "3,4,5,6,7,8,9,10,");
  CHECK(back == "6,5,4,3,2,1,");
  std::vector<std::string> range;
  l.ForRange(5, 100, Where::kHead, [&](std::string_view v) { range.emplace_back(v); });
  CHECK(range == Strings({"6", "5", "4", "3", "2", "1"}));
  CHECK(l.Seek(4).Equals("5"));
  CHECK_FALSE(l.Seek(4).Equals("05"));
}

TEST_CASE("ListObject positive fill: entries per node, bounded by 8 KB", "[list]") {
  ListObject l = Numbers(4, 10);
  CHECK(NodeSizes(l) == std::vector<size_t>{4, 4, 2});
  ListObject h(4);
  for (int i = 1; i <= 10; ++i) h.PushHead(std::to_string(i));
  CHECK(NodeSizes(h) == std::vector<size_t>{2, 4, 4});

  // Large elements hit the 8 KB safety limit before the count limit.
  ListObject big(100);
  std::string s(3000, 'x');
  for (int i = 0; i < 6; ++i) big.PushTail(s);
  CHECK(NodeSizes(big) == std::vector<size_t>{2, 2, 2});
  // An element bigger than any limit still gets its own node.
  big.PushTail(std::string(20000, 'y'));
  CHECK(NodeSizes(big) == std::vector<size_t>{2, 2, 2, 1});
  big.PushTail("small");
  CHECK(NodeSizes(big) == std::vector<size_t>{2, 2, 2, 1, 1});
  CheckNodes(big, true);
}

TEST_CASE("ListObject size-based fill (-2: 8 KB nodes)", "[list]") {
  ListObject l(-2);
  std::string v(100, 'a');
  for (int i = 0; i < 1000; ++i) l.PushTail(v);
  CheckNodes(l, true);
  // 100-byte strings take 100 + 2 (12-bit length) + 1 backlen bytes; the estimate adds 8 to
  // the string length, so a node stops just before 8192 - 108 bytes.
  size_t first = NodeSizes(l).front();
  CHECK(first == (8192 - 7 - 108) / 103 + 1);
  CHECK(l.node_count() == (1000 + first - 1) / first);
  l.ForEachNode([](const Listpack& lp) { CHECK(lp.bytes() <= 8192); });

  ListObject small(-1);
  for (int i = 0; i < 3000; ++i) small.PushHead("x");
  CheckNodes(small, true);
  small.ForEachNode([](const Listpack& lp) { CHECK(lp.bytes() <= 4096); });

  // Out-of-range fills are clamped as Redis clamps them.
  CHECK(ListObject(-100).fill() == -5);
  CHECK(ListObject(100000).fill() == 32767);
  // fill 0: every element in a node of its own.
  ListObject zero(0);
  for (int i = 0; i < 5; ++i) zero.PushTail("z");
  CHECK(zero.node_count() == 5);
}

TEST_CASE("ListObject insert splits full nodes and merges neighbours", "[list]") {
  SECTION("insert into a node with room") {
    ListObject l = Numbers(4, 6);  // [1 2 3 4] [5 6]
    CHECK(l.InsertNear("5", "x", true));
    CHECK(NodeSizes(l) == std::vector<size_t>{4, 3});
    CHECK(Contents(l) == Strings({"1", "2", "3", "4", "5", "x", "6"}));
  }
  SECTION("at a full node's tail the next node takes it") {
    ListObject l = Numbers(4, 6);
    CHECK(l.InsertNear("4", "x", true));
    CHECK(NodeSizes(l) == std::vector<size_t>{4, 3});
    CHECK(Contents(l) == Strings({"1", "2", "3", "4", "x", "5", "6"}));
  }
  SECTION("at a full node's head with a full previous node: a new node") {
    ListObject l = Numbers(4, 8);  // [1 2 3 4] [5 6 7 8]
    CHECK(l.InsertNear("5", "x", false));
    CHECK(NodeSizes(l) == std::vector<size_t>{4, 1, 4});
    CHECK(Contents(l) == Strings({"1", "2", "3", "4", "x", "5", "6", "7", "8"}));
    CHECK(l.InsertNear("1", "y", false));
    CHECK(NodeSizes(l) == std::vector<size_t>{1, 4, 1, 4});
  }
  SECTION("in the middle of a full node: split, then merge what fits") {
    ListObject l = Numbers(4, 12);  // [1-4] [5-8] [9-12]
    CHECK(l.Remove("6", 0, Where::kHead) == 1);
    CHECK(l.Remove("7", 0, Where::kHead) == 1);
    CHECK(l.Remove("2", 0, Where::kHead) == 1);
    CHECK(l.Remove("3", 0, Where::kHead) == 1);
    CHECK(NodeSizes(l) == std::vector<size_t>{2, 2, 4});  // deletes never merge
    CHECK(l.InsertNear("10", "x", true));
    // [9 10 | x 11 12] split; then [1 4] and [5 8] merge; nothing else fits within 4.
    CHECK(NodeSizes(l) == std::vector<size_t>{4, 2, 3});
    CHECK(Contents(l) == Strings({"1", "4", "5", "8", "9", "10", "x", "11", "12"}));
    CheckNodes(l, true);
  }
  SECTION("split before an element") {
    ListObject l = Numbers(4, 4);
    CHECK(l.InsertNear("3", "x", false));
    CHECK(NodeSizes(l) == std::vector<size_t>{3, 2});
    CHECK(Contents(l) == Strings({"1", "2", "x", "3", "4"}));
  }
  SECTION("missing pivot") {
    ListObject l = Numbers(4, 4);
    CHECK_FALSE(l.InsertNear("nope", "x", true));
    CHECK(l.size() == 4);
  }
}

TEST_CASE("ListObject set, remove and delete ranges across nodes", "[list]") {
  ListObject l = Numbers(3, 9);  // [1 2 3] [4 5 6] [7 8 9]
  CHECK(l.Set(3, "four"));
  CHECK(l.Set(-1, "nine"));
  CHECK_FALSE(l.Set(9, "x"));
  CHECK_FALSE(l.Set(-10, "x"));
  CHECK(Contents(l) == Strings({"1", "2", "3", "four", "5", "6", "7", "8", "nine"}));
  l.DeleteRange(2, 5);  // 3 four 5 6 7
  CHECK(Contents(l) == Strings({"1", "2", "8", "nine"}));
  CHECK(NodeSizes(l) == std::vector<size_t>{2, 2});
  l.DeleteRange(-1, 100);
  CHECK(Contents(l) == Strings({"1", "2", "8"}));
  l.DeleteRange(5, 1);  // out of range: nothing
  l.DeleteRange(-10, 1);
  CHECK(l.size() == 3);
  l.DeleteRange(0, 3);
  CHECK(l.empty());
  CHECK(l.node_count() == 0);

  ListObject r(2);
  for (const char* v : {"a", "b", "a", "c", "a", "a", "d", "a"}) r.PushTail(v);
  CHECK(r.Remove("a", 2, Where::kTail) == 2);
  CHECK(Contents(r) == Strings({"a", "b", "a", "c", "a", "d"}));
  CHECK(r.Remove("a", 1, Where::kHead) == 1);
  CHECK(Contents(r) == Strings({"b", "a", "c", "a", "d"}));
  CHECK(r.Remove("a", 0, Where::kHead) == 2);
  CHECK(Contents(r) == Strings({"b", "c", "d"}));
  CHECK(r.Remove("zz", 0, Where::kTail) == 0);
  CheckNodes(r, true);
}

TEST_CASE("ListObject PopMany from either end", "[list]") {
  ListObject l = Numbers(2, 7);
  std::vector<std::string> got;
  CHECK(l.PopMany(Where::kTail, 3, [&](std::string_view v) { got.emplace_back(v); }) == 3);
  CHECK(got == Strings({"7", "6", "5"}));
  got.clear();
  CHECK(l.PopMany(Where::kHead, 10, [&](std::string_view v) { got.emplace_back(v); }) == 4);
  CHECK(got == Strings({"1", "2", "3", "4"}));
  CHECK(l.empty());
  CHECK(l.node_count() == 0);
}

TEST_CASE("ListObject copy is deep and keeps the node layout", "[list]") {
  ListObject a = Numbers(3, 8);
  ListObject b(a);
  CHECK(Contents(b) == Contents(a));
  CHECK(NodeSizes(b) == NodeSizes(a));
  CHECK(b.fill() == 3);
  b.PushTail("only-in-b");
  a.Set(0, "only-in-a");
  CHECK(b.size() == 9);
  CHECK(a.size() == 8);
  CHECK(Contents(b).front() == "1");
  CHECK(Contents(a).back() == "8");
  CHECK(b.MemoryUsage() > sizeof(ListObject));
}

TEST_CASE("ListObject adopts whole listpacks", "[list]") {
  ListObject l;
  Listpack lp;
  lp.Append("a");
  lp.AppendInt(42);
  l.AppendListpack(std::move(lp));
  l.AppendListpack(Listpack());  // an empty one is dropped
  Listpack lp2;
  lp2.Append("z");
  l.AppendListpack(std::move(lp2));
  CHECK(Contents(l) == Strings({"a", "42", "z"}));
  CHECK(l.node_count() == 2);
  CHECK(l.size() == 3);
}

std::string RandomValue(std::mt19937_64& rng) {
  switch (rng() % 6) {
    case 0:
      return std::to_string(static_cast<int64_t>(rng() % 2000) - 1000);
    case 1:
      return std::to_string(static_cast<int64_t>(rng()));
    case 2:
      return std::string(1 + rng() % 3, static_cast<char>('a' + rng() % 3));
    case 3:
      return std::string(50 + rng() % 300, static_cast<char>('a' + rng() % 3));
    case 4:
      return rng() % 8 == 0 ? std::string(2000 + rng() % 5000, 'L') : "v";
    default:
      return "x" + std::to_string(rng() % 5);
  }
}

void RunModel(int fill, uint64_t seed, bool edits) {
  INFO("fill " << fill << " seed " << seed);
  std::mt19937_64 rng(seed);
  ListObject l(fill);
  std::deque<std::string> m;
  for (int step = 0; step < 4000; ++step) {
    int64_t n = static_cast<int64_t>(m.size());
    switch (rng() % 11) {
      case 0:
      case 1: {
        std::string v = RandomValue(rng);
        l.PushTail(v);
        m.push_back(v);
        break;
      }
      case 2:
      case 3: {
        std::string v = RandomValue(rng);
        l.PushHead(v);
        m.push_front(v);
        break;
      }
      case 4: {
        if (m.empty()) break;
        bool head = rng() % 2 == 0;
        std::string got = l.PopString(head ? Where::kHead : Where::kTail);
        CHECK(got == (head ? m.front() : m.back()));
        head ? m.pop_front() : m.pop_back();
        break;
      }
      case 5: {
        if (m.empty()) break;
        int64_t i = static_cast<int64_t>(rng() % m.size());
        if (rng() % 2) i -= n;  // negative form
        char buf[kIntBufSize];
        auto c = l.Seek(i);
        REQUIRE(c.valid());
        CHECK(c.View(buf) == m[i < 0 ? i + n : i]);
        if (edits) {
          std::string v = RandomValue(rng);
          CHECK(l.Set(i, v));
          m[i < 0 ? i + n : i] = v;
        }
        break;
      }
      case 6: {
        if (m.empty() || !edits) break;
        std::string pivot = m[rng() % m.size()];
        std::string v = RandomValue(rng);
        bool after = rng() % 2;
        CHECK(l.InsertNear(pivot, v, after));
        auto it = std::find(m.begin(), m.end(), pivot);
        m.insert(after ? it + 1 : it, v);
        break;
      }
      case 7: {
        std::string v = "x" + std::to_string(rng() % 5);
        uint64_t limit = rng() % 3;
        bool from_tail = rng() % 2;
        size_t expect = 0;
        if (!from_tail) {
          for (auto it = m.begin(); it != m.end();) {
            if (*it == v && (limit == 0 || expect < limit)) {
              it = m.erase(it);
              ++expect;
            } else {
              ++it;
            }
          }
        } else {
          for (int64_t i = static_cast<int64_t>(m.size()) - 1; i >= 0; --i) {
            if (m[i] == v && (limit == 0 || expect < limit)) {
              m.erase(m.begin() + i);
              ++expect;
            }
          }
        }
        CHECK(l.Remove(v, limit, from_tail ? Where::kTail : Where::kHead) == expect);
        break;
      }
      case 8: {
        if (rng() % 4 != 0 || m.empty()) break;
        int64_t start = static_cast<int64_t>(rng() % (m.size() + 2)) - (rng() % 2 ? n : 0);
        size_t cnt = rng() % 20;
        l.DeleteRange(start, cnt);
        int64_t first = start < 0 ? start + n : start;
        if (first >= 0 && first < n) {
          size_t extent = std::min<size_t>(cnt, static_cast<size_t>(n - first));
          m.erase(m.begin() + first, m.begin() + first + static_cast<int64_t>(extent));
        }
        break;
      }
      case 9: {
        size_t cnt = rng() % 5;
        bool head = rng() % 2;
        std::vector<std::string> got;
        size_t popped = l.PopMany(head ? Where::kHead : Where::kTail, cnt,
                                  [&](std::string_view v) { got.emplace_back(v); });
        CHECK(popped == std::min(cnt, m.size()));
        for (size_t k = 0; k < popped; ++k) {
          CHECK(got[k] == (head ? m.front() : m.back()));
          head ? m.pop_front() : m.pop_back();
        }
        break;
      }
      default: {
        if (m.empty()) break;
        int64_t start = static_cast<int64_t>(rng() % m.size());
        size_t cnt = rng() % 30;
        std::vector<std::string> got;
        l.ForRange(start, cnt, Where::kTail, [&](std::string_view v) { got.emplace_back(v); });
        size_t expect = std::min<size_t>(cnt, m.size() - static_cast<size_t>(start));
        REQUIRE(got.size() == expect);
        for (size_t k = 0; k < expect; ++k) CHECK(got[k] == m[start + k]);
        break;
      }
    }
    REQUIRE(l.size() == m.size());
    if (step % 250 == 0) {
      CHECK(Contents(l) == std::vector<std::string>(m.begin(), m.end()));
      CheckNodes(l, !edits);
      ListObject copy(l);
      CHECK(Contents(copy) == Contents(l));
    }
  }
  CHECK(Contents(l) == std::vector<std::string>(m.begin(), m.end()));
  CheckNodes(l, !edits);
}

TEST_CASE("ListObject matches a deque under random operations", "[list][model]") {
  for (int fill : {-2, -1, -5, 1, 2, 4, 16, 128}) {
    for (uint64_t seed : {1, 2, 3}) {
      RunModel(fill, seed, false);
      RunModel(fill, seed + 100, true);
    }
  }
}

}  // namespace
}  // namespace baozi
