#include "storage/dict.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace baozi {
namespace {

// Runs a full scan and counts how often each key was reported.
template <class V>
std::unordered_map<std::string, int> FullScan(Dict<V>& d) {
  std::unordered_map<std::string, int> seen;
  uint64_t cursor = 0;
  do {
    cursor = d.Scan(cursor, [&](std::string_view k, V&) { ++seen[std::string(k)]; });
  } while (cursor != 0);
  return seen;
}

// While rehashing, bucket_count() is the sum of two distinct powers of two, so its lowest set
// bit is the smaller table: the granularity a Scan call works at.
size_t ScanGranularity(size_t bucket_count) { return bucket_count & (~bucket_count + 1); }

std::string KeyName(size_t i) {
  // Every third key is too long for the small-string buffer, to exercise key heap accounting.
  std::string k = "key:" + std::to_string(i);
  if (i % 3 == 0) k += ":a-long-suffix-beyond-sso";
  return k;
}

TEST_CASE("Dict empty behaviour", "[dict]") {
  Dict<int> d;
  CHECK(d.size() == 0);
  CHECK(d.empty());
  CHECK(d.bucket_count() == 0);
  CHECK(d.Find("x") == nullptr);
  CHECK(std::as_const(d).Find("x") == nullptr);
  CHECK_FALSE(d.FindKey("x").has_value());
  CHECK_FALSE(d.Erase("x"));
  CHECK_FALSE(d.Extract("x").has_value());
  CHECK(d.Scan(0, [](std::string_view, int&) { FAIL("callback on empty dict"); }) == 0);
  CHECK(d.Scan(12345, [](std::string_view, int&) { FAIL("callback on empty dict"); }) == 0);
  std::mt19937_64 rng(1);
  CHECK(d.RandomEntry(rng).first.empty());
  CHECK(d.RandomEntry(rng).second == nullptr);
  CHECK_FALSE(d.IsRehashing());
  CHECK_FALSE(d.RehashStep(10));
  CHECK_FALSE(d.RehashForMicros(100));

  // Emptied after use: scan still ends at once.
  *d.FindOrInsert("a").first = 1;
  CHECK(d.Erase("a"));
  CHECK(d.Scan(0, [](std::string_view, int&) { FAIL("callback on empty dict"); }) == 0);
}

TEST_CASE("Dict basic operations", "[dict]") {
  Dict<std::string> d;
  auto [v, inserted] = d.FindOrInsert("alpha");
  REQUIRE(inserted);
  CHECK(v->empty());  // default-constructed
  *v = "one";
  auto [v2, inserted2] = d.FindOrInsert("alpha");
  CHECK_FALSE(inserted2);
  CHECK(v2 == v);
  CHECK(*d.Find("alpha") == "one");
  CHECK(*d.FindKey("alpha") == "alpha");
  auto [k, val] = d.FindEntry("alpha");
  REQUIRE(val != nullptr);
  CHECK(k == "alpha");
  CHECK(*val == "one");

  auto [v3, inserted3] = d.TryEmplace("beta", 3, 'x');
  CHECK(inserted3);
  CHECK(*v3 == "xxx");
  CHECK(d.size() == 2);

  std::optional<std::string> out = d.Extract("beta");
  REQUIRE(out.has_value());
  CHECK(*out == "xxx");
  CHECK(d.Find("beta") == nullptr);
  CHECK(d.size() == 1);

  // Keys are byte strings: embedded NULs and the empty key are distinct keys.
  *d.FindOrInsert(std::string_view("a\0b", 3)).first = "nul";
  *d.FindOrInsert("").first = "empty";
  CHECK(*d.Find(std::string_view("a\0b", 3)) == "nul");
  CHECK(d.Find("a") == nullptr);
  CHECK(*d.Find("") == "empty");
  CHECK(d.size() == 3);

  d.Clear();
  CHECK(d.empty());
  CHECK(d.bucket_count() == 0);
  CHECK(d.Find("alpha") == nullptr);
}

TEST_CASE("Dict resize policy: grow at load 1, shrink below 10% fill", "[dict]") {
  Dict<int> d;
  for (int i = 0; i < 4; ++i) d.FindOrInsert(KeyName(i));
  CHECK(d.bucket_count() == 4);
  CHECK_FALSE(d.IsRehashing());
  d.FindOrInsert(KeyName(4));  // used (4) >= buckets (4): grow to 8
  CHECK(d.IsRehashing());
  CHECK(d.bucket_count() == 4 + 8);
  CHECK_FALSE(d.RehashForMicros(1'000'000));
  CHECK(d.bucket_count() == 8);

  for (int i = 5; i < 1000; ++i) d.FindOrInsert(KeyName(i));
  d.RehashForMicros(1'000'000);
  REQUIRE(d.bucket_count() == 1024);

  // used * 100 / 1024 < 10 first holds at used == 102; the shrink target is 128.
  int i = 0;
  while (!d.IsRehashing()) REQUIRE(d.Erase(KeyName(i++)));
  CHECK(d.size() == 102);
  CHECK(d.bucket_count() == 1024 + 128);
  CHECK_FALSE(d.RehashForMicros(1'000'000));
  CHECK(d.bucket_count() == 128);
  for (int j = i; j < 1000; ++j) CHECK(*d.FindKey(KeyName(j)) == KeyName(j));

  // Never below the initial 4 buckets.
  while (d.size() > 0) {
    REQUIRE(d.Erase(KeyName(i++)));
    d.RehashForMicros(1'000'000);
  }
  CHECK(d.bucket_count() == 4);

  // Explicit ShrinkIfNeeded, for a table that became sparse without any Erase.
  Dict<int> e;
  REQUIRE(e.Reserve(1000));
  for (int j = 0; j < 5; ++j) e.FindOrInsert(KeyName(j));
  REQUIRE(e.bucket_count() == 1024);
  e.ShrinkIfNeeded();
  CHECK(e.IsRehashing());
  e.RehashForMicros(1'000'000);
  CHECK(e.bucket_count() == 8);
  CHECK(e.size() == 5);
}

TEST_CASE("Dict incremental rehash moves one bucket per operation", "[dict]") {
  Dict<int> d;
  for (int i = 0; i < 1025; ++i) *d.FindOrInsert(KeyName(i)).first = i;
  REQUIRE(d.IsRehashing());  // 1024 -> 2048 started by the last insert
  // Each lookup does a step; a step moves a bucket (1024 old buckets, ~37% empty).
  int lookups = 0;
  while (d.IsRehashing()) {
    REQUIRE(*d.Find(KeyName(lookups % 1025)) == lookups % 1025);
    ++lookups;
  }
  CHECK(lookups > 300);
  CHECK(lookups <= 1024);
  CHECK(d.bucket_count() == 2048);

  // The const Find never steps.
  Dict<int> e;
  for (int i = 0; i < 1025; ++i) e.FindOrInsert(KeyName(i));
  const size_t buckets = e.bucket_count();
  for (int i = 0; i < 5000; ++i) REQUIRE(std::as_const(e).Find(KeyName(i % 1025)) != nullptr);
  CHECK(e.IsRehashing());
  CHECK(e.bucket_count() == buckets);
  // RehashStep(n) bounds the work: one call cannot finish 1024 buckets with n = 1.
  CHECK(e.RehashStep(1));
}

TEST_CASE("Dict matches std::unordered_map under 100k random operations", "[dict]") {
  std::mt19937_64 rng(42);
  Dict<uint64_t> d;
  std::unordered_map<std::string, uint64_t> ref;
  constexpr size_t kKeySpace = 4000;
  size_t max_buckets = 0;
  bool saw_shrink = false;
  for (int op = 0; op < 100000; ++op) {
    // Every 25k operations, purge most keys so the table shrinks.
    if (op % 25000 == 24999) {
      for (size_t i = 0; i < kKeySpace; ++i) {
        if (i % 20 == 0) continue;
        const std::string k = KeyName(i);
        REQUIRE(d.Erase(k) == (ref.erase(k) == 1));
      }
    }
    const std::string key = KeyName(rng() % kKeySpace);
    const uint64_t which = rng() % 100;
    if (which < 40) {
      const uint64_t value = rng();
      auto [slot, inserted] = d.FindOrInsert(key);
      auto [it, ref_inserted] = ref.try_emplace(key, 0);
      REQUIRE(inserted == ref_inserted);
      REQUIRE(*slot == it->second);
      *slot = value;
      it->second = value;
    } else if (which < 65) {
      REQUIRE(d.Erase(key) == (ref.erase(key) == 1));
    } else if (which < 70) {
      std::optional<uint64_t> got = d.Extract(key);
      auto it = ref.find(key);
      REQUIRE(got.has_value() == (it != ref.end()));
      if (got) {
        REQUIRE(*got == it->second);
        ref.erase(it);
      }
    } else if (which < 90) {
      uint64_t* got = d.Find(key);
      auto it = ref.find(key);
      REQUIRE((got != nullptr) == (it != ref.end()));
      if (got) REQUIRE(*got == it->second);
    } else if (which < 97) {
      std::optional<std::string_view> k = std::as_const(d).FindKey(key);
      const uint64_t* v = std::as_const(d).Find(key);
      auto it = ref.find(key);
      REQUIRE(k.has_value() == (it != ref.end()));
      REQUIRE((v != nullptr) == (it != ref.end()));
      if (k) {
        REQUIRE(*k == key);
        REQUIRE(*v == it->second);
      }
    } else if (which < 99) {
      d.RehashStep(static_cast<int>(rng() % 4));
    } else {
      d.ShrinkIfNeeded();
    }
    REQUIRE(d.size() == ref.size());
    if (d.bucket_count() < max_buckets && !d.IsRehashing()) saw_shrink = true;
    max_buckets = std::max(max_buckets, d.bucket_count());
  }
  CHECK(saw_shrink);
  CHECK(max_buckets >= 2048);

  std::unordered_map<std::string, uint64_t> all;
  d.ForEach(
      [&](std::string_view k, uint64_t& v) { REQUIRE(all.emplace(std::string(k), v).second); });
  CHECK(all == ref);
  auto seen = FullScan(d);
  CHECK(seen.size() == ref.size());
  for (const auto& [k, v] : ref) CHECK(seen.count(k) == 1);

  // Key heap accounting returns to zero once every key is gone.
  for (const auto& [k, v] : ref) REQUIRE(d.Erase(k));
  CHECK(d.MemoryUsage() == sizeof(Dict<uint64_t>) + d.bucket_count() * sizeof(void*));
}

TEST_CASE("Dict scan of an unchanging dict reports each key exactly once", "[dict]") {
  for (int n : {1, 3, 4, 5, 100, 1025, 5000}) {
    Dict<int> d;
    for (int i = 0; i < n; ++i) *d.FindOrInsert(KeyName(i)).first = i;
    INFO("n=" << n << " rehashing=" << d.IsRehashing());
    auto seen = FullScan(d);
    REQUIRE(seen.size() == static_cast<size_t>(n));
    for (const auto& [k, count] : seen) CHECK(count == 1);
  }
  // Also mid-shrink: the old table is the large one.
  Dict<int> d;
  for (int i = 0; i < 3000; ++i) d.FindOrInsert(KeyName(i));
  d.RehashForMicros(1'000'000);
  int i = 0;
  while (!d.IsRehashing()) d.Erase(KeyName(i++));
  d.RehashStep(3);
  REQUIRE(d.IsRehashing());
  auto seen = FullScan(d);
  CHECK(seen.size() == d.size());
  for (const auto& [k, count] : seen) CHECK(count == 1);
}

// The SCAN guarantee: a key present from the first to the last call is reported, whatever grows,
// shrinks and rehash steps happen between calls. Duplicates come only from a Scan call working at
// a coarser granularity than the call before (a shrink began), which moves the cursor back by at
// most one coarse bucket, so each key is reported at most 1 + (number of such calls) times.
TEST_CASE("Dict scan guarantee across grows, shrinks and rehashing", "[dict]") {
  size_t total_grows = 0;
  size_t total_coarser = 0;
  size_t calls_while_rehashing = 0;
  size_t wrong_values = 0;
  for (uint64_t trial = 0; trial < 16; ++trial) {
    std::mt19937_64 rng(1000 + trial);
    Dict<int> d;
    const int stable_count = trial % 2 == 0 ? 300 : 2000;
    for (int i = 0; i < stable_count; ++i) *d.FindOrInsert("stable:" + std::to_string(i)).first = i;
    // Keys that come and go during the scan; no guarantee applies to them.
    std::vector<std::string> churn;
    size_t churn_serial = 0;
    for (size_t i = 0, n = rng() % 3000; i < n; ++i) {
      churn.push_back("churn:" + std::to_string(churn_serial++));
      d.FindOrInsert(churn.back());
    }

    std::unordered_map<std::string, int> seen;
    uint64_t cursor = 0;
    size_t prev_granularity = 0;
    size_t coarser_calls = 0;
    bool growing = true;
    int phase_left = 50 + static_cast<int>(rng() % 200);
    do {
      const size_t g = ScanGranularity(d.bucket_count());
      if (prev_granularity != 0 && g < prev_granularity) ++coarser_calls;
      if (prev_granularity != 0 && g > prev_granularity) ++total_grows;
      prev_granularity = g;
      if (d.IsRehashing()) ++calls_while_rehashing;
      cursor = d.Scan(cursor, [&](std::string_view sk, int& v) {
        std::string k(sk);
        if (k.starts_with("stable:") && std::to_string(v) != k.substr(7)) ++wrong_values;
        ++seen[k];
      });

      // Mutate between calls.
      if (--phase_left == 0) {
        growing = !growing;
        phase_left =
            growing ? 50 + static_cast<int>(rng() % 300) : 1 + static_cast<int>(rng() % 10);
      }
      if (growing) {
        for (uint64_t n = rng() % 40; n > 0; --n) {
          churn.push_back("churn:" + std::to_string(churn_serial++));
          d.FindOrInsert(churn.back());
        }
      } else {
        // Purge the churn in a few big bites: the table drops below 10% fill and shrinks.
        const size_t bite = churn.size() / static_cast<size_t>(phase_left) + 1;
        for (size_t n = 0; n < bite && !churn.empty(); ++n) {
          const size_t at = rng() % churn.size();
          REQUIRE(d.Erase(churn[at]));
          churn[at] = std::move(churn.back());
          churn.pop_back();
        }
      }
      switch (rng() % 4) {
        case 0:
          d.RehashStep(1 + static_cast<int>(rng() % 3));
          break;
        case 1:
          REQUIRE(d.Find("stable:" + std::to_string(rng() % stable_count)) != nullptr);
          break;
        default:
          break;
      }
    } while (cursor != 0);

    INFO("trial " << trial);
    for (int i = 0; i < stable_count; ++i) {
      const std::string k = "stable:" + std::to_string(i);
      auto it = seen.find(k);
      REQUIRE(it != seen.end());
      CHECK(it->second <= 1 + static_cast<int>(coarser_calls));
    }
    total_coarser += coarser_calls;
  }
  CHECK(wrong_values == 0);
  // The schedule really did exercise what the guarantee is about.
  CHECK(total_grows > 10);
  CHECK(total_coarser > 10);
  CHECK(calls_while_rehashing > 1000);
}

TEST_CASE("Dict scan cursor survives a rehash finishing and the table changing size", "[dict]") {
  // Walk half the table, then grow it 8x and finish rehashing, then shrink it: every original
  // key must still come back.
  Dict<int> d;
  for (int i = 0; i < 300; ++i) d.FindOrInsert(KeyName(i));
  d.RehashForMicros(1'000'000);
  REQUIRE(d.bucket_count() == 512);
  std::unordered_map<std::string, int> seen;
  uint64_t cursor = 0;
  for (int calls = 0; calls < 256; ++calls) {
    cursor = d.Scan(cursor, [&](std::string_view k, int&) { ++seen[std::string(k)]; });
  }
  REQUIRE(cursor != 0);
  for (int i = 300; i < 4000; ++i) d.FindOrInsert(KeyName(i));
  d.RehashForMicros(1'000'000);
  REQUIRE(d.bucket_count() == 4096);
  for (int calls = 0; calls < 100; ++calls) {
    cursor = d.Scan(cursor, [&](std::string_view k, int&) { ++seen[std::string(k)]; });
  }
  for (int i = 300; i < 4000; ++i) d.Erase(KeyName(i));
  d.RehashForMicros(1'000'000);
  REQUIRE(d.bucket_count() == 512);
  while (cursor != 0)
    cursor = d.Scan(cursor, [&](std::string_view k, int&) { ++seen[std::string(k)]; });
  for (int i = 0; i < 300; ++i) CHECK(seen.count(KeyName(i)) == 1);
}

TEST_CASE("Dict RandomEntry returns only live entries and reaches all of them", "[dict]") {
  std::mt19937_64 rng(7);
  Dict<int> d;
  std::unordered_set<std::string> live;
  for (int i = 0; i < 5000; ++i) {
    *d.FindOrInsert(KeyName(i)).first = i;
    live.insert(KeyName(i));
  }
  // Erase most, leaving a sparse table (and a shrink in flight part of the time).
  for (int i = 0; i < 5000; ++i) {
    if (i % 50 == 0) continue;
    d.Erase(KeyName(i));
    live.erase(KeyName(i));
  }
  std::unordered_map<std::string, int> hits;
  for (int draw = 0; draw < 20000; ++draw) {
    auto [k, v] = d.RandomEntry(rng);
    REQUIRE(v != nullptr);
    REQUIRE(live.count(std::string(k)) == 1);
    REQUIRE(KeyName(static_cast<size_t>(*v)) == k);
    ++hits[std::string(k)];
    if (draw == 10000) d.RehashForMicros(1'000'000);
  }
  CHECK(hits.size() == live.size());                // 100 keys, 20000 draws
  for (const auto& [k, n] : hits) CHECK(n < 1000);  // no key hogs the draws (mean is 200)

  // SampleEntries: bounded count, live entries only.
  size_t sampled = d.SampleEntries(
      rng, 16, [&](std::string_view k, int&) { REQUIRE(live.count(std::string(k)) == 1); });
  CHECK(sampled >= 1);
  CHECK(sampled <= 16);
  CHECK(d.SampleEntries(rng, 1000, [](std::string_view, int&) {}) <= d.size());

  Dict<int> one;
  *one.FindOrInsert("only").first = 9;
  for (int draw = 0; draw < 10; ++draw) {
    auto [k, v] = one.RandomEntry(rng);
    REQUIRE(v != nullptr);
    CHECK(k == "only");
    CHECK(*v == 9);
  }
}

TEST_CASE("Dict memory usage grows with entries and key length", "[dict]") {
  Dict<int> d;
  const size_t empty_usage = d.MemoryUsage();
  size_t prev = empty_usage;
  size_t prev_buckets = 0;
  for (int i = 0; i < 2000; ++i) {
    d.FindOrInsert(KeyName(i));
    const size_t now = d.MemoryUsage();
    // Each insert adds a node; only a finishing rehash (old table freed) may give memory back.
    if (d.bucket_count() >= prev_buckets) CHECK(now > prev);
    prev = now;
    prev_buckets = d.bucket_count();
  }
  d.RehashForMicros(1'000'000);
  const size_t at_2000 = d.MemoryUsage();
  for (int i = 2000; i < 4000; ++i) d.FindOrInsert(KeyName(i));
  d.RehashForMicros(1'000'000);
  CHECK(d.MemoryUsage() > at_2000 + 2000 * (sizeof(void*) + sizeof(int)));
  Dict<int> short_keys;
  Dict<int> long_keys;
  for (int i = 0; i < 100; ++i) {
    short_keys.FindOrInsert("k" + std::to_string(i));
    long_keys.FindOrInsert(std::string(200, 'x') + std::to_string(i));
  }
  short_keys.RehashForMicros(1'000'000);
  long_keys.RehashForMicros(1'000'000);
  REQUIRE(short_keys.bucket_count() == long_keys.bucket_count());
  CHECK(long_keys.MemoryUsage() >= short_keys.MemoryUsage() + 100 * 190);
  d.Clear();
  CHECK(d.MemoryUsage() == empty_usage);
}

TEST_CASE("Dict keys and values stay put across rehashing", "[dict]") {
  Dict<int> d;
  *d.FindOrInsert("anchor").first = 77;
  const char* key = d.FindKey("anchor")->data();
  int* value = d.Find("anchor");
  for (int i = 0; i < 10000; ++i) d.FindOrInsert(KeyName(i));
  for (int i = 0; i < 10000; ++i) d.Erase(KeyName(i));
  d.RehashForMicros(1'000'000);
  CHECK(d.FindKey("anchor")->data() == key);
  CHECK(d.Find("anchor") == value);
  CHECK(*value == 77);
}

TEST_CASE("Dict move, swap and owning values", "[dict]") {
  Dict<std::unique_ptr<int>> a;
  for (int i = 0; i < 100; ++i) *a.FindOrInsert(KeyName(i)).first = std::make_unique<int>(i);
  Dict<std::unique_ptr<int>> b(std::move(a));
  CHECK(a.empty());
  CHECK(a.bucket_count() == 0);
  CHECK(b.size() == 100);
  CHECK(**b.Find(KeyName(42)) == 42);

  Dict<std::unique_ptr<int>> c;
  *c.FindOrInsert("c").first = std::make_unique<int>(-1);
  c = std::move(b);
  CHECK(c.size() == 100);
  CHECK(c.Find("c") == nullptr);

  Dict<std::unique_ptr<int>> e;
  *e.FindOrInsert("e").first = std::make_unique<int>(5);
  e.Swap(c);
  CHECK(e.size() == 100);
  CHECK(c.size() == 1);
  CHECK(**c.Find("e") == 5);

  std::optional<std::unique_ptr<int>> taken = e.Extract(KeyName(7));
  REQUIRE(taken.has_value());
  CHECK(**taken == 7);
  CHECK(e.size() == 99);

  // Reserve sizes the table up front: no rehash while loading.
  Dict<int> r;
  CHECK(r.Reserve(1000));
  CHECK(r.bucket_count() == 1024);
  for (int i = 0; i < 1000; ++i) r.FindOrInsert(KeyName(i));
  CHECK_FALSE(r.IsRehashing());
  CHECK(r.bucket_count() == 1024);
}

TEST_CASE("Dict reads from inside Scan do not disturb it", "[dict]") {
  Dict<int> d;
  for (int i = 0; i < 1025; ++i) *d.FindOrInsert(KeyName(i)).first = i;
  REQUIRE(d.IsRehashing());
  std::map<std::string, int> seen;
  uint64_t cursor = 0;
  do {
    cursor = d.Scan(cursor, [&](std::string_view sk, int& v) {
      std::string k(sk);
      ++seen[k];
      REQUIRE(d.Find(k) == &v);  // would step the rehash if it were not paused
    });
  } while (cursor != 0);
  CHECK(seen.size() == 1025);
  for (const auto& [k, n] : seen) CHECK(n == 1);
}

TEST_CASE("HashKey depends on the seed", "[dict]") {
  const uint64_t saved = HashSeed();
  SetHashSeed(1);
  const uint64_t h1 = HashKey("hello");
  CHECK(HashKey("hello") == h1);
  SetHashSeed(2);
  CHECK(HashKey("hello") != h1);
  SetHashSeed(1);
  CHECK(HashKey("hello") == h1);
  CHECK(HashKey("hello") != HashKey("hellO"));
  SetHashSeed(saved);
}

}  // namespace
}  // namespace baozi
