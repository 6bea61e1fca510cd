#include "storage/eviction.h"

#include <catch2/catch.hpp>
#include <set>
#include <string>

namespace baozi {
namespace {

constexpr int64_t kStart = 1'700'000'000'000;

struct Fixture {
  Keyspace ks{16};
  EvictionPool pool;
  Fixture() { ks.set_now_ms(kStart); }

  // Adds `key` to db `db` at time `at_ms` (its last access), with an optional deadline.
  void Add(std::string_view key, int64_t at_ms, int64_t expire_ms = kNoExpire, int db = 0) {
    int64_t now = ks.now_ms();
    ks.set_now_ms(at_ms);
    ks.db(db).Set(key, Value::FromString("v"), expire_ms);
    ks.set_now_ms(now);
  }
  std::string Pick(EvictPolicy p, int samples = 20) {
    auto v = pool.PickVictim(ks, p, samples);
    if (!v) return "<none>";
    return (v->db != 0 ? std::to_string(v->db) + ":" : "") + std::string(v->key) +
           (v->expired ? " (expired)" : "");
  }
  // Picks and removes, as the server does.
  std::string Evict(EvictPolicy p, int samples = 20) {
    auto v = pool.PickVictim(ks, p, samples);
    if (!v) return "<none>";
    std::string name = (v->db != 0 ? std::to_string(v->db) + ":" : "") + std::string(v->key);
    ks.db(v->db).Remove(v->key);
    return name;
  }
};

const EvictPolicy kAll[] = {EvictPolicy::kNoEviction,     EvictPolicy::kAllKeysLru,
                            EvictPolicy::kVolatileLru,    EvictPolicy::kAllKeysLfu,
                            EvictPolicy::kVolatileLfu,    EvictPolicy::kAllKeysRandom,
                            EvictPolicy::kVolatileRandom, EvictPolicy::kVolatileTtl};

TEST_CASE("nothing to evict: empty keyspace, noeviction, volatile without TTLs", "[eviction]") {
  Fixture f;
  for (EvictPolicy p : kAll) CHECK(f.Pick(p) == "<none>");
  f.Add("a", kStart);
  CHECK(f.Pick(EvictPolicy::kNoEviction) == "<none>");
  CHECK(f.Pick(EvictPolicy::kVolatileLru) == "<none>");
  CHECK(f.Pick(EvictPolicy::kVolatileLfu) == "<none>");
  CHECK(f.Pick(EvictPolicy::kVolatileRandom) == "<none>");
  CHECK(f.Pick(EvictPolicy::kVolatileTtl) == "<none>");
  CHECK(f.Pick(EvictPolicy::kAllKeysLru) == "a");
  CHECK(f.Pick(EvictPolicy::kAllKeysRandom) == "a");
}

TEST_CASE("LRU evicts in order of last access, across databases", "[eviction]") {
  Fixture f;
  f.Add("t3", kStart - 3000);
  f.Add("t1", kStart - 1000, kNoExpire, 5);
  f.Add("t4", kStart - 4000, kNoExpire, 2);
  f.Add("t2", kStart - 2000);
  CHECK(f.Evict(EvictPolicy::kAllKeysLru) == "2:t4");
  CHECK(f.Evict(EvictPolicy::kAllKeysLru) == "t3");
  CHECK(f.Evict(EvictPolicy::kAllKeysLru) == "t2");
  CHECK(f.Evict(EvictPolicy::kAllKeysLru) == "5:t1");
  CHECK(f.Evict(EvictPolicy::kAllKeysLru) == "<none>");
}

TEST_CASE("LRU tells apart accesses within the same second", "[eviction]") {
  Fixture f;
  f.Add("later", kStart - 100);
  f.Add("earlier", kStart - 600);
  CHECK(f.Evict(EvictPolicy::kAllKeysLru) == "earlier");
}

TEST_CASE("the pool keeps candidates and skips stale ones", "[eviction]") {
  Fixture f;
  for (int i = 0; i < 10; ++i) f.Add("k" + std::to_string(i), kStart - 10000 + i * 1000);
  CHECK(f.Pick(EvictPolicy::kAllKeysLru) == "k0");
  CHECK(f.pool.size() == 9);  // k0 left the pool when picked; the rest wait
  // A candidate deleted since it was sampled is a ghost.
  f.ks.db(0).Remove("k0");
  f.ks.db(0).Remove("k1");
  // A candidate read since it was sampled scores lower now: skipped.
  f.ks.db(0).FindRead("k2");
  CHECK(f.Evict(EvictPolicy::kAllKeysLru) == "k3");
  // A policy change starts over.
  f.pool.PickVictim(f.ks, EvictPolicy::kAllKeysLfu, 20);
  CHECK(f.pool.size() <= EvictionPool::kSize);
}

TEST_CASE("the pool holds at most 16 of the best candidates", "[eviction]") {
  Fixture f;
  for (int i = 0; i < 100; ++i) f.Add("k" + std::to_string(i), kStart - 100000 + i * 1000);
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    std::string v = f.Evict(EvictPolicy::kAllKeysLru, 64);
    CHECK(f.pool.size() <= EvictionPool::kSize);
    seen.insert(v);
  }
  // Sampling 64 of the keys each time, the evicted are (nearly) the 50 oldest.
  int old = 0;
  for (int i = 0; i < 60; ++i) old += seen.count("k" + std::to_string(i));
  CHECK(old >= 48);
}

TEST_CASE("volatile-lru only picks keys with a TTL", "[eviction]") {
  Fixture f;
  for (int i = 0; i < 200; ++i) f.Add("p" + std::to_string(i), kStart - 100000);
  f.Add("v", kStart, kStart + 100000);
  CHECK(f.Evict(EvictPolicy::kVolatileLru, 5) == "v");
  CHECK(f.Evict(EvictPolicy::kVolatileLru, 5) == "<none>");
}

TEST_CASE("a key that lost its TTL is no volatile candidate", "[eviction]") {
  Fixture f;
  f.Add("a", kStart - 5000, kStart + 100000);
  f.Add("b", kStart - 1000, kStart + 100000);
  CHECK(f.Pick(EvictPolicy::kVolatileLru) == "a");
  f.Add("x", kStart - 9000, kStart + 100000);
  f.Add("y", kStart - 8000, kStart + 100000);
  CHECK(f.Evict(EvictPolicy::kVolatileLru) == "x");  // y stays in the pool
  DbEntry* y = f.ks.db(0).Find("y");
  REQUIRE(y != nullptr);
  f.ks.db(0).SetExpire(*y, kNoExpire);
  std::string v = f.Pick(EvictPolicy::kVolatileLru);
  CHECK(v != "y");
}

TEST_CASE("volatile-ttl picks the nearest deadline", "[eviction]") {
  Fixture f;
  f.Add("far", kStart, kStart + 1'000'000);
  f.Add("near", kStart, kStart + 10'000);
  f.Add("plain", kStart - 100000);
  f.Add("mid", kStart, kStart + 100'000);
  CHECK(f.Evict(EvictPolicy::kVolatileTtl) == "near");
  CHECK(f.Evict(EvictPolicy::kVolatileTtl) == "mid");
  CHECK(f.Evict(EvictPolicy::kVolatileTtl) == "far");
  CHECK(f.Evict(EvictPolicy::kVolatileTtl) == "<none>");
}

TEST_CASE("LFU evicts the least frequently used", "[eviction]") {
  Fixture f;
  f.ks.SetPolicyMode(true, true);
  f.Add("cold", kStart);
  f.Add("hot", kStart);
  for (int i = 0; i < 10; ++i) f.ks.db(0).FindRead("hot");
  CHECK(f.ks.LfuFrequency(f.ks.db(0).Find("hot")->value) > 5);
  CHECK(f.Evict(EvictPolicy::kAllKeysLfu) == "cold");
  CHECK(f.Evict(EvictPolicy::kAllKeysLfu) == "hot");
}

TEST_CASE("an expired key scores best and is reported as expired", "[eviction]") {
  Fixture f;
  f.Add("old", kStart - 100000);
  f.Add("dead", kStart, kStart - 1);
  CHECK(f.Pick(EvictPolicy::kAllKeysLru) == "dead (expired)");
  CHECK(EvictionScore(f.ks, f.ks.db(0), *f.ks.db(0).Peek("dead"), EvictPolicy::kVolatileTtl) ==
        UINT64_MAX);
}

TEST_CASE("random policies pick from every database, volatile only with a TTL", "[eviction]") {
  Fixture f;
  f.Add("a", kStart, kNoExpire, 0);
  f.Add("b", kStart, kStart + 1000, 3);
  f.Add("c", kStart, kNoExpire, 7);
  std::set<std::string> all, vol;
  // Databases are taken in turn, as Redis's next_db.
  for (int i = 0; i < 3; ++i) all.insert(f.Pick(EvictPolicy::kAllKeysRandom));
  for (int i = 0; i < 10; ++i) vol.insert(f.Pick(EvictPolicy::kVolatileRandom));
  CHECK(all == std::set<std::string>{"a", "3:b", "7:c"});
  CHECK(vol == std::set<std::string>{"3:b"});
}

TEST_CASE("a sparse table still yields a victim", "[eviction]") {
  Fixture f;
  for (int i = 0; i < 5000; ++i) f.Add("k" + std::to_string(i), kStart);
  for (int i = 1; i < 5000; ++i) f.ks.db(0).Remove("k" + std::to_string(i));
  CHECK(f.Pick(EvictPolicy::kAllKeysLru, 1) == "k0");
  CHECK(f.Pick(EvictPolicy::kAllKeysRandom) == "k0");
}

}  // namespace
}  // namespace baozi
