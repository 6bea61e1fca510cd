#include "storage/set.h"

#include <catch2/catch.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace baozi {
namespace {

std::vector<std::string> Members(const SetObject& s) {
  std::vector<std::string> out;
  s.ForEach([&](std::string_view m) { out.emplace_back(m); });
  return out;
}

std::multiset<std::string> MemberBag(const SetObject& s) {
  auto v = Members(s);
  return {v.begin(), v.end()};
}

constexpr size_t kLimit = 512;

TEST_CASE("SetObject picks its first encoding from the first member", "[set]") {
  CHECK(SetObject().encoding() == Encoding::kIntset);
  CHECK(SetObject::ForMember("12").encoding() == Encoding::kIntset);
  CHECK(SetObject::ForMember("-9223372036854775808").encoding() == Encoding::kIntset);
  CHECK(SetObject::ForMember("x").encoding() == Encoding::kHashtable);
  // Not canonical integers (Redis string2ll): strings.
  for (const char* s : {"01", "+1", " 1", "1 ", "-0", "1.0", "9223372036854775808", ""}) {
    INFO(s);
    CHECK(SetObject::ForMember(s).encoding() == Encoding::kHashtable);
  }
}

TEST_CASE("SetObject converts to a hashtable past set-max-intset-entries", "[set]") {
  SetObject s;
  for (int i = 0; i < 512; ++i) CHECK(s.Add(std::to_string(i * 3), kLimit));
  CHECK(s.encoding() == Encoding::kIntset);
  CHECK(s.size() == 512);
  CHECK_FALSE(s.Add("0", kLimit));  // a duplicate does not count
  CHECK(s.encoding() == Encoding::kIntset);
  CHECK(s.Add("1", kLimit));  // the 513th
  CHECK(s.encoding() == Encoding::kHashtable);
  CHECK(s.size() == 513);
  CHECK(s.Contains("1"));
  CHECK(s.Contains("1533"));
  CHECK_FALSE(s.Contains("2"));
  // Never back: removing members keeps the hashtable.
  for (int i = 0; i < 500; ++i) s.Remove(std::to_string(i * 3));
  CHECK(s.encoding() == Encoding::kHashtable);
}

TEST_CASE("SetObject converts on the first non-integer", "[set]") {
  SetObject s;
  s.Add("3", kLimit);
  s.Add("-1", kLimit);
  CHECK(Members(s) == std::vector<std::string>{"-1", "3"});
  CHECK(s.Add("01", kLimit));
  CHECK(s.encoding() == Encoding::kHashtable);
  CHECK(MemberBag(s) == std::multiset<std::string>{"-1", "3", "01"});
  CHECK_FALSE(s.Add("3", kLimit));
  CHECK(s.Add("1", kLimit));  // "01" and "1" are different members
}

TEST_CASE("SetObject limits of 0 and huge values", "[set]") {
  SetObject s;
  CHECK(s.Add("1", 0));
  CHECK(s.encoding() == Encoding::kHashtable);
  CHECK(SetObject::EffectiveIntsetLimit(size_t{1} << 40) == size_t{1} << 30);
  CHECK(SetObject::EffectiveIntsetLimit(7) == 7);
}

TEST_CASE("SetObject membership and removal in both encodings", "[set]") {
  for (bool hashtable : {false, true}) {
    INFO("hashtable " << hashtable);
    SetObject s = hashtable ? SetObject::Hashtable(0) : SetObject();
    for (const char* m : {"5", "-3", "70000", "9223372036854775807"}) CHECK(s.Add(m, kLimit));
    CHECK(s.encoding() == (hashtable ? Encoding::kHashtable : Encoding::kIntset));
    CHECK(s.Contains("5"));
    CHECK(s.ContainsInt(70000));
    CHECK(s.Contains(SetMember::Int(-3)));
    CHECK(s.Contains(SetMember::Str("9223372036854775807")));
    CHECK_FALSE(s.Contains("05"));
    CHECK_FALSE(s.Contains("x"));
    CHECK_FALSE(s.ContainsInt(6));
    CHECK_FALSE(s.Remove("x"));
    CHECK_FALSE(s.Remove("+5"));
    CHECK(s.Remove("5"));
    CHECK(s.Remove(SetMember::Int(-3)));
    CHECK(s.Remove(SetMember::Str("70000")));
    CHECK(s.size() == 1);
    CHECK(Members(s) == std::vector<std::string>{"9223372036854775807"});
  }
}

TEST_CASE("SetObject intsets iterate in ascending order", "[set]") {
  SetObject s;
  for (const char* m : {"10", "-20", "3", "100000", "-9223372036854775808"}) s.Add(m, kLimit);
  CHECK(Members(s) == std::vector<std::string>{"-9223372036854775808", "-20", "3", "10", "100000"});
  std::vector<std::string> scanned;
  uint64_t next = s.Scan(0, [&](const SetMember& m) {
    char buf[kIntBufSize];
    scanned.emplace_back(m.View(buf));
  });
  CHECK(next == 0);
  CHECK(scanned == Members(s));
}

TEST_CASE("SetObject hashtable scan sees every member", "[set]") {
  SetObject s = SetObject::ForMember("m");
  std::set<std::string> want;
  for (int i = 0; i < 300; ++i) {
    std::string m = "m" + std::to_string(i);
    s.Add(m, kLimit);
    want.insert(m);
  }
  std::set<std::string> seen;
  uint64_t cursor = 0;
  do {
    cursor = s.Scan(cursor, [&](const SetMember& m) { seen.emplace(m.str); });
  } while (cursor != 0);
  CHECK(seen == want);
}

TEST_CASE("SetObject copies deeply and keeps the encoding", "[set]") {
  SetObject a;
  a.Add("1", kLimit);
  a.Add("2", kLimit);
  SetObject b(a);
  CHECK(b.encoding() == Encoding::kIntset);
  b.Add("3", kLimit);
  CHECK(a.size() == 2);
  a.Add("x", kLimit);
  SetObject c(a);
  CHECK(c.encoding() == Encoding::kHashtable);
  CHECK(MemberBag(c) == MemberBag(a));
  c.Remove("x");
  CHECK(a.Contains("x"));
  CHECK(b.encoding() == Encoding::kIntset);
}

TEST_CASE("SetObject MemoryUsage counts the encoding's bytes", "[set]") {
  SetObject s;
  const size_t empty = s.MemoryUsage();
  CHECK(empty == sizeof(SetObject));
  s.Add("1", kLimit);
  CHECK(s.MemoryUsage() == sizeof(SetObject) + Intset::kHeaderBytes + 2);
  s.Add("100000", kLimit);
  CHECK(s.MemoryUsage() == sizeof(SetObject) + Intset::kHeaderBytes + 2 * 4);
  const size_t intset_bytes = s.MemoryUsage();
  s.Add("hello", kLimit);
  CHECK(s.MemoryUsage() > intset_bytes);
  const size_t three = s.MemoryUsage();
  for (int i = 0; i < 100; ++i) s.Add("member-" + std::to_string(i), kLimit);
  CHECK(s.MemoryUsage() > three + 100 * 10);
}

TEST_CASE("SetObject random picks and pops", "[set]") {
  std::mt19937_64 rng(7);
  for (bool hashtable : {false, true}) {
    INFO("hashtable " << hashtable);
    SetObject s = hashtable ? SetObject::Hashtable(0) : SetObject();
    std::set<std::string> model;
    for (int i = 0; i < 50; ++i) {
      s.Add(std::to_string(i * 7), kLimit);
      model.insert(std::to_string(i * 7));
    }
    std::set<std::string> picked;
    for (int i = 0; i < 2000; ++i) {
      char buf[kIntBufSize];
      std::string m(s.RandomMember(rng).View(buf));
      CHECK(model.contains(m));
      picked.insert(m);
    }
    CHECK(picked.size() == model.size());  // 2000 draws of 50 members: all come up
    while (!s.empty()) {
      std::string popped;
      s.PopRandom(rng, [&](const SetMember& m) {
        char buf[kIntBufSize];
        popped = m.View(buf);
      });
      CHECK(model.erase(popped) == 1);
      CHECK(s.size() == model.size());
    }
  }
}

TEST_CASE("SetObject from RDB intset bytes", "[set]") {
  Intset is;
  for (int i = 0; i < 10; ++i) is.Add(i);
  auto small = SetObject::FromIntsetBlob(is.Blob(), kLimit);
  REQUIRE(small.has_value());
  CHECK(small->encoding() == Encoding::kIntset);
  CHECK(small->size() == 10);
  CHECK(small->intset().Blob() == is.Blob());
  auto converted = SetObject::FromIntsetBlob(is.Blob(), 5);
  REQUIRE(converted.has_value());
  CHECK(converted->encoding() == Encoding::kHashtable);
  CHECK(converted->Contains("9"));
  CHECK_FALSE(SetObject::FromIntsetBlob("garbage", kLimit).has_value());
}

}  // namespace
}  // namespace baozi
