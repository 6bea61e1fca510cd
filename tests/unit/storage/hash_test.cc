#include "storage/hash.h"

#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace baozi {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

Pairs Contents(const HashObject& h) {
  Pairs out;
  h.ForEach([&](std::string_view f, std::string_view v) { out.emplace_back(f, v); });
  return out;
}

std::map<std::string, std::string> Sorted(const HashObject& h) {
  std::map<std::string, std::string> out;
  h.ForEach([&](std::string_view f, std::string_view v) { out.emplace(f, v); });
  return out;
}

std::optional<std::string> Get(const HashObject& h, std::string_view f) {
  char buf[kIntBufSize];
  auto v = h.Get(f, buf);
  if (!v) return std::nullopt;
  return std::string(*v);
}

EncodingLimits Limits(size_t entries, size_t value) {
  EncodingLimits l;
  l.hash_max_listpack_entries = entries;
  l.hash_max_listpack_value = value;
  return l;
}

TEST_CASE("HashTable matches a model through growth, shrinking and updates", "[hash]") {
  HashTable t;
  std::map<std::string, std::string> model;
  std::mt19937_64 rng(42);
  for (int i = 0; i < 20000; ++i) {
    const std::string f = "f" + std::to_string(rng() % (i < 10000 ? 3000 : 100));
    const uint64_t op = rng() % 10;
    if (op < 3) {
      CHECK(t.Erase(f) == (model.erase(f) == 1));
    } else {
      // Lengths that stay, grow past the node's allocation and shrink far below it.
      const std::string v(rng() % 3 == 0 ? rng() % 300 : rng() % 12,
                          static_cast<char>('a' + i % 26));
      CHECK(t.Set(f, v) == !model.contains(f));
      model[f] = v;
    }
    if (i % 997 == 0) {
      REQUIRE(t.size() == model.size());
      for (const auto& [k, v] : model) {
        const HashNode* n = t.Find(k);
        REQUIRE(n != nullptr);
        CHECK(n->value() == v);
      }
    }
  }
  std::map<std::string, std::string> seen;
  t.ForEach([&](const HashNode& n) { seen.emplace(n.field(), n.value()); });
  CHECK(seen == model);
  CHECK(t.Find("absent") == nullptr);
  // A value may be set from a view of itself, in place or through a new node.
  t.Set("self", std::string(100, 'q'));
  t.Set("self", t.Find("self")->value().substr(10));
  CHECK(t.Find("self")->value() == std::string(90, 'q'));
  t.Set("self", t.Find("self")->value().substr(0, 3));
  CHECK(t.Find("self")->value() == "qqq");
  // Empty fields and values are entries like any other.
  CHECK(t.Set("", ""));
  CHECK(t.Find("")->value().empty());
  CHECK(t.Erase(""));
  // Deleting everything shrinks the table step by step.
  const size_t peak = t.bucket_count();
  for (const auto& [k, v] : model) CHECK(t.Erase(k));
  CHECK(t.Erase("self"));
  CHECK(t.empty());
  CHECK(peak >= 2048);
  CHECK(t.bucket_count() <= 16);
  t.Set("again", "v");
  t.Clear();
  CHECK(t.empty());
  CHECK(t.MemoryUsage() == sizeof(HashTable));
}

TEST_CASE("HashTable scan reports every entry present throughout, across rehashes", "[hash]") {
  HashTable t;
  for (int i = 0; i < 200; ++i) t.Set("k" + std::to_string(i), "v");
  std::map<std::string, int> seen;
  uint64_t cursor = 0;
  int calls = 0;
  do {
    cursor = t.Scan(cursor, [&](const HashNode& n) { ++seen[std::string(n.field())]; });
    // Between calls the table grows to 4096 buckets and shrinks back (3200 extra entries come
    // and go); k0..k199 stay put.
    if (calls % 6 == 0) {
      for (int j = 0; j < 3000; ++j) t.Set("x" + std::to_string(j), "y");
    } else if (calls % 6 == 3) {
      for (int j = 0; j < 3000; ++j) t.Erase("x" + std::to_string(j));
    }
    REQUIRE(++calls < 100000);
  } while (cursor != 0);
  for (int i = 0; i < 200; ++i) CHECK(seen.contains("k" + std::to_string(i)));
  CHECK(calls > 10);
}

TEST_CASE("HashTable RandomEntry reaches every entry", "[hash]") {
  HashTable t;
  for (int i = 0; i < 50; ++i) t.Set(std::to_string(i), "v" + std::to_string(i));
  std::mt19937_64 rng(9);
  std::map<std::string, int> hits;
  for (int i = 0; i < 5000; ++i) {
    const HashNode& n = t.RandomEntry(rng);
    CHECK(n.value() == "v" + std::string(n.field()));
    ++hits[std::string(n.field())];
  }
  CHECK(hits.size() == 50);
}

TEST_CASE("a listpack hash keeps insertion order and updates in place", "[hash]") {
  HashObject h;
  const EncodingLimits lim;
  CHECK(h.empty());
  CHECK(h.encoding() == Encoding::kListpack);
  CHECK(h.Set("b", "1", lim));
  CHECK(h.Set("a", "two", lim));
  CHECK(h.Set("c", "-5", lim));
  CHECK_FALSE(h.Set("b", "updated", lim));
  CHECK(h.size() == 3);
  CHECK(Contents(h) == Pairs{{"b", "updated"}, {"a", "two"}, {"c", "-5"}});
  CHECK(Get(h, "c") == "-5");
  CHECK(Get(h, "x") == std::nullopt);
  CHECK(h.Contains("a"));
  CHECK_FALSE(h.Contains("A"));
  // Integer-looking fields are stored as integers and still found by their text.
  CHECK(h.Set("100", "7", lim));
  CHECK(Get(h, "100") == "7");
  CHECK(Get(h, "0100") == std::nullopt);
  CHECK(h.Delete("a"));
  CHECK_FALSE(h.Delete("a"));
  CHECK(Contents(h) == Pairs{{"b", "updated"}, {"c", "-5"}, {"100", "7"}});
  CHECK(h.listpack() != nullptr);
  CHECK(h.listpack()->size() == 6);
  CHECK(h.Delete("b"));
  CHECK(h.Delete("c"));
  CHECK(h.Delete("100"));
  CHECK(h.empty());
  CHECK(h.encoding() == Encoding::kListpack);
}

TEST_CASE("conversion happens at the exact entry threshold", "[hash]") {
  const EncodingLimits lim = Limits(4, 64);
  HashObject h;
  for (int i = 0; i < 4; ++i) h.Set("f" + std::to_string(i), "v", lim);
  CHECK(h.encoding() == Encoding::kListpack);
  CHECK_FALSE(h.Set("f3", "again", lim));  // an update at the limit stays
  CHECK(h.encoding() == Encoding::kListpack);
  CHECK(h.Set("f4", "v", lim));  // the fifth entry converts
  CHECK(h.encoding() == Encoding::kHashtable);
  CHECK(h.listpack() == nullptr);
  CHECK(h.size() == 5);
  CHECK(Get(h, "f3") == "again");
  // Never back down.
  for (int i = 0; i < 5; ++i) CHECK(h.Delete("f" + std::to_string(i)));
  CHECK(h.empty());
  CHECK(h.encoding() == Encoding::kHashtable);

  // A lowered limit converts on the next write, even an update.
  HashObject g;
  for (int i = 0; i < 4; ++i) g.Set("f" + std::to_string(i), "v", lim);
  g.Set("f0", "w", Limits(2, 64));
  CHECK(g.encoding() == Encoding::kHashtable);

  HashObject zero;
  zero.Set("a", "b", Limits(0, 64));
  CHECK(zero.encoding() == Encoding::kHashtable);
}

TEST_CASE("conversion happens at the exact length threshold, field or value", "[hash]") {
  const EncodingLimits lim = Limits(128, 8);
  HashObject h;
  h.Set("f", "12345678", lim);
  h.Set("12345678", "v", lim);
  CHECK(h.encoding() == Encoding::kListpack);
  HashObject by_value = h;
  by_value.Set("g", "123456789", lim);
  CHECK(by_value.encoding() == Encoding::kHashtable);
  HashObject by_field = h;
  by_field.Set("123456789", "v", lim);
  CHECK(by_field.encoding() == Encoding::kHashtable);
  HashObject by_update = h;
  by_update.Set("f", "123456789", lim);
  CHECK(by_update.encoding() == Encoding::kHashtable);
  CHECK(Sorted(by_update) ==
        std::map<std::string, std::string>{{"f", "123456789"}, {"12345678", "v"}});
  // The originals are untouched by the copies' conversions.
  CHECK(h.encoding() == Encoding::kListpack);
  CHECK(Contents(h) == Pairs{{"f", "12345678"}, {"12345678", "v"}});
}

TEST_CASE("a hashtable hash sets, gets, deletes and iterates", "[hash]") {
  const EncodingLimits lim = Limits(16, 64);
  HashObject h;
  std::map<std::string, std::string> model;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string f = "field:" + std::to_string(rng() % 300);
    std::string v = std::string(rng() % 40, 'a' + static_cast<char>(i % 26));
    if (rng() % 4 == 0) {
      CHECK(h.Delete(f) == (model.erase(f) == 1));
    } else {
      CHECK(h.Set(f, v, lim) == !model.contains(f));
      model[f] = v;
    }
  }
  CHECK(h.encoding() == Encoding::kHashtable);
  CHECK(h.size() == model.size());
  CHECK(Sorted(h) == model);
  for (const auto& [f, v] : model) CHECK(Get(h, f) == v);
  CHECK(Get(h, "field:nope") == std::nullopt);
}

TEST_CASE("copies are deep and keep the encoding", "[hash]") {
  const EncodingLimits lim = Limits(3, 64);
  HashObject lp;
  lp.Set("a", "1", lim);
  lp.Set("b", std::string(30, 'x'), lim);
  HashObject lp_copy(lp);
  lp.Set("a", "changed", lim);
  CHECK(lp_copy.encoding() == Encoding::kListpack);
  CHECK(Contents(lp_copy) == Pairs{{"a", "1"}, {"b", std::string(30, 'x')}});

  HashObject ht;
  for (int i = 0; i < 10; ++i) ht.Set(std::to_string(i), std::string(i * 5, 'v'), lim);
  HashObject ht_copy(ht);
  ht.Delete("3");
  ht.Set("4", "short", lim);
  CHECK(ht_copy.encoding() == Encoding::kHashtable);
  CHECK(ht_copy.size() == 10);
  CHECK(Get(ht_copy, "3") == std::string(15, 'v'));
  CHECK(Get(ht_copy, "4") == std::string(20, 'v'));
  CHECK(ht_copy.MemoryUsage() > ht.MemoryUsage() - 100);

  HashObject moved(std::move(ht_copy));
  CHECK(moved.size() == 10);
  CHECK(moved.encoding() == Encoding::kHashtable);
}

TEST_CASE("MemoryUsage moves with the contents", "[hash]") {
  const EncodingLimits lim = Limits(128, 64);
  HashObject h;
  const size_t empty = h.MemoryUsage();
  for (int i = 0; i < 100; ++i)
    h.Set("field" + std::to_string(i), "value" + std::to_string(i), lim);
  const size_t full_lp = h.MemoryUsage();
  CHECK(full_lp > empty + 100 * 12);
  // A listpack of 100 short pairs costs a few bytes over their text, no per-entry allocations.
  CHECK(full_lp < empty + 100 * 32);
  for (int i = 0; i < 50; ++i) h.Delete("field" + std::to_string(i));
  CHECK(h.MemoryUsage() < full_lp);

  h.ConvertToHashtable();
  const size_t ht = h.MemoryUsage();
  CHECK(h.size() == 50);
  // One allocation per entry: a node of 16 bytes plus the text, rounded up by malloc.
  CHECK(ht < sizeof(HashObject) + sizeof(HashTable) + 64 * sizeof(void*) + 50 * 48);
  h.Set("big", std::string(1000, 'x'), lim);
  CHECK(h.MemoryUsage() >= ht + 1000);
  h.Set("big", "small", lim);
  CHECK(h.MemoryUsage() < ht + 200);
  h.Delete("big");
  CHECK(h.MemoryUsage() <= ht + 100);
}

TEST_CASE("Scan reports everything at once for a listpack and pages a hashtable", "[hash]") {
  HashObject lp;
  const EncodingLimits lim = Limits(128, 64);
  for (int i = 0; i < 20; ++i) lp.Set("f" + std::to_string(i), std::to_string(i), lim);
  size_t seen = 0;
  CHECK(lp.Scan(12345, 1, [&](const HashEntryRef&) { ++seen; }) == 0);
  CHECK(seen == 20);

  HashObject ht;
  for (int i = 0; i < 1000; ++i) ht.Set("f" + std::to_string(i), std::to_string(i), Limits(8, 64));
  std::map<std::string, std::string> got;
  uint64_t cursor = 0;
  int calls = 0;
  do {
    cursor = ht.Scan(cursor, 10, [&](const HashEntryRef& r) {
      char fb[kIntBufSize], vb[kIntBufSize];
      got.emplace(r.field.View(fb), r.value.View(vb));
    });
    ++calls;
  } while (cursor != 0);
  CHECK(calls > 10);
  CHECK(got == Sorted(ht));
}

TEST_CASE("RandomEntry and CollectRefs cover the hash", "[hash]") {
  std::mt19937_64 rng(1);
  for (size_t entries : {size_t{128}, size_t{2}}) {
    HashObject h;
    for (int i = 0; i < 10; ++i)
      h.Set(std::to_string(i), "v" + std::to_string(i), Limits(entries, 64));
    std::map<std::string, int> hits;
    for (int i = 0; i < 2000; ++i) {
      HashEntryRef r = h.RandomEntry(rng);
      char fb[kIntBufSize], vb[kIntBufSize];
      std::string f(r.field.View(fb));
      CHECK(r.value.View(vb) == "v" + f);
      ++hits[f];
    }
    CHECK(hits.size() == 10);
    std::vector<HashEntryRef> refs;
    h.CollectRefs(refs);
    CHECK(refs.size() == 10);
  }
}

TEST_CASE("a listpack can be adopted as it is", "[hash]") {
  Listpack lp;
  lp.AppendPair("f", "1");
  lp.AppendPair("g", "text");
  HashObject h(std::move(lp));
  CHECK(h.size() == 2);
  CHECK(Get(h, "g") == "text");
  CHECK(Get(h, "f") == "1");
}

}  // namespace
}  // namespace baozi
