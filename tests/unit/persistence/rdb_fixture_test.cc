// Redis-made files (tests/fixtures/rdb, written by make_fixtures.py with redis-server 7.0)
// load with the keys, types, encodings, values and deadlines Redis itself reported; and no
// truncation or corruption of them, or of DUMP payloads, makes the reader crash.
#include <array>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "persistence/rdb.h"
#include "rdb_test_util.h"

namespace baozi::rdb {
namespace {

using testing::FixtureDir;
using testing::ReadExpected;
using testing::ReadFile;
using testing::Snapshot;

constexpr int64_t kNow = 1700000000000;

// BAOZI_RDB_FUZZ_ROUNDS scales the random-corruption tests (default 2000 per fixture) for a
// longer run, e.g. under the sanitizer build.
int FuzzRounds() {
  const char* env = std::getenv("BAOZI_RDB_FUZZ_ROUNDS");
  return env != nullptr ? std::atoi(env) : 2000;
}

std::string Fixture(const char* name) {
  std::string data = ReadFile(FixtureDir() / name);
  REQUIRE_FALSE(data.empty());
  return data;
}

TEST_CASE("Redis-made dataset fixtures load as Redis reported them", "[rdb][fixture]") {
  const auto expected = ReadExpected(FixtureDir() / "dataset.expected");
  REQUIRE(expected.keys.size() > 20);
  for (const char* name : {"dataset.rdb", "dataset_nocompress.rdb"}) {
    INFO(name);
    Keyspace ks(16);
    ks.limits = expected.limits;
    LoadOptions lo;
    lo.now_ms = kNow;
    auto stats = Load(Fixture(name), ks, lo);
    INFO((stats ? std::string() : stats.error().reason));
    REQUIRE(stats.has_value());
    CHECK(stats->rdb_version == 10);
    CHECK(stats->keys_loaded == expected.keys.size());
    const auto got = Snapshot(ks);
    for (const auto& [key, want] : expected.keys) {
      INFO(key);
      auto it = got.find(key);
      REQUIRE(it != got.end());
      CHECK(it->second == want);
    }
    bool saw_ver = false;
    for (const auto& [k, v] : stats->aux) saw_ver |= k == "redis-ver" && v == "7.0.15";
    CHECK(saw_ver);
  }
}

std::string Unhex(std::string_view h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

TEST_CASE("Redis DUMP payloads load, and ours match them byte for byte", "[rdb][fixture][dump]") {
  const auto expected = ReadExpected(FixtureDir() / "dataset.expected");
  std::ifstream in(FixtureDir() / "payloads.expected");
  std::string line;
  int checked = 0;
  int identical = 0;
  while (std::getline(in, line)) {
    const size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    const std::string key_hex = line.substr(0, tab);
    const std::string payload = Unhex(std::string_view(line).substr(tab + 1));
    INFO(key_hex);
    REQUIRE(VerifyPayload(payload));
    auto v = LoadPayload(payload, expected.limits);
    REQUIRE(v.has_value());
    const std::string want = expected.keys.at("0\t" + key_hex);
    // The expected line without its deadline field (a payload carries none).
    const size_t d1 = want.find('\t', want.find('\t') + 1);
    const size_t d2 = want.find('\t', d1 + 1);
    CHECK(testing::DescribeValue(*v) == want.substr(0, d1) + want.substr(d2));
    ++checked;
    // Hashtable iteration order is Redis's own; every other encoding serialises identically,
    // except quicklist nodes that Redis made "plain" below its 1 GB threshold (DEBUG
    // QUICKLIST-PACKED-THRESHOLD), which load as ordinary one-entry nodes here.
    if (v->encoding() != Encoding::kHashtable && key_hex != testing::Hex("l:plain")) {
      CHECK(testing::Hex(DumpPayload(*v, true)) == testing::Hex(payload));
      ++identical;
    }
  }
  CHECK(checked > 20);
  CHECK(identical > 15);
}

TEST_CASE("A dataset re-saved by baozi loads back equal", "[rdb][fixture]") {
  const auto expected = ReadExpected(FixtureDir() / "dataset.expected");
  Keyspace ks(16);
  ks.limits = expected.limits;
  REQUIRE(Load(Fixture("dataset.rdb"), ks, LoadOptions{}).has_value());
  std::string out;
  StringSink sink(&out);
  REQUIRE(Save(ks, sink, SaveOptions{}));
  Keyspace again(16);
  again.limits = expected.limits;
  REQUIRE(Load(out, again, LoadOptions{}).has_value());
  CHECK(Snapshot(again) == Snapshot(ks));
}

TEST_CASE("LRU and LFU fixtures load", "[rdb][fixture]") {
  Keyspace lru(16);
  auto a = Load(Fixture("lru.rdb"), lru, LoadOptions{});
  REQUIRE(a.has_value());
  CHECK(a->keys_loaded == 2);
  Keyspace lfu(16);
  lfu.SetPolicyMode(true, true);
  lfu.set_now_ms(kNow);
  auto b = Load(Fixture("lfu.rdb"), lfu, LoadOptions{});
  REQUIRE(b.has_value());
  CHECK(b->keys_loaded == 2);
  // "a" was read 20 times: its logarithmic counter is above the initial 5.
  CHECK(lfu.LfuFrequency(lfu.db(0).Peek("a")->value) > 5);
}

// Walks a loaded keyspace fully, so that values adopted from corrupt input are used, not just
// built.
size_t Exercise(Keyspace& ks) {
  size_t n = 0;
  for (const auto& [k, v] : Snapshot(ks)) n += k.size() + v.size();
  return n;
}

TEST_CASE("Every truncation of a fixture is an error", "[rdb][fuzz]") {
  for (const char* name : {"dataset.rdb", "dataset_nocompress.rdb", "lfu.rdb"}) {
    const std::string data = Fixture(name);
    for (size_t cut = 0; cut < data.size(); ++cut) {
      Keyspace ks(16);
      auto r = Load(std::string_view(data).substr(0, cut), ks, LoadOptions{});
      INFO(name << " cut at " << cut);
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().offset <= cut);
    }
  }
}

TEST_CASE("Random corruption of fixtures never crashes the reader", "[rdb][fuzz]") {
  const auto expected = ReadExpected(FixtureDir() / "dataset.expected");
  std::mt19937_64 rng(20261122);
  int ok = 0;
  int failed = 0;
  for (const char* name : {"dataset.rdb", "dataset_nocompress.rdb"}) {
    const std::string data = Fixture(name);
    for (int round = 0; round < FuzzRounds(); ++round) {
      std::string bad = data;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int i = 0; i < flips; ++i) {
        const size_t at = 9 + rng() % (bad.size() - 9);
        switch (rng() % 3) {
          case 0:
            bad[at] = static_cast<char>(rng());
            break;
          case 1:
            bad[at] ^= static_cast<char>(1 << (rng() % 8));
            break;
          default:
            bad[at] = static_cast<char>(rng() % 2 ? 0xFF : 0x00);
            break;
        }
      }
      Keyspace ks(16);
      ks.limits = expected.limits;
      LoadOptions lo;
      lo.verify_checksum = false;  // let the corruption reach the parsers
      auto r = Load(bad, ks, lo);
      if (r.has_value()) {
        ++ok;
      } else {
        ++failed;
        CHECK(r.error().offset <= bad.size());
      }
      Exercise(ks);
    }
  }
  CHECK(failed > 0);
  INFO("valid loads: " << ok);
}

TEST_CASE("Random corruption of DUMP payloads never crashes LoadPayload", "[rdb][fuzz]") {
  const auto expected = ReadExpected(FixtureDir() / "dataset.expected");
  Keyspace ks(16);
  ks.limits = expected.limits;
  REQUIRE(Load(Fixture("dataset.rdb"), ks, LoadOptions{}).has_value());
  std::vector<std::string> payloads;
  ks.db(0).ForEach([&](std::string_view, DbEntry& e) {
    payloads.push_back(DumpPayload(e.value, true));
    payloads.push_back(DumpPayload(e.value, false));
  });
  std::mt19937_64 rng(42);
  for (const std::string& p : payloads) {
    for (int round = 0; round < FuzzRounds() / 30; ++round) {
      std::string bad = p;
      const int flips = 1 + static_cast<int>(rng() % 3);
      for (int i = 0; i < flips; ++i) bad[rng() % (bad.size() - 10)] = static_cast<char>(rng());
      auto v = LoadPayload(bad, ks.limits);
      if (v.has_value()) {
        testing::DescribeValue(*v);
        Value copy = *v;
        (void)copy;
      }
      // Truncations too.
      auto t = LoadPayload(std::string_view(bad).substr(0, rng() % bad.size()), ks.limits);
      if (t.has_value()) testing::DescribeValue(*t);
    }
  }
  SUCCEED();
}

}  // namespace
}  // namespace baozi::rdb

namespace baozi::rdb {
namespace {

// Blobs with a plausible frame (right total size, right terminator) and random insides, so
// that the entry-by-entry validators, not the header checks, have to catch the damage.
TEST_CASE("Random blobs in a valid frame never crash the blob readers", "[rdb][fuzz]") {
  std::mt19937_64 rng(7);
  EncodingLimits lim;
  lim.zset_max_listpack_entries = 4;
  lim.hash_max_listpack_entries = 4;
  lim.set_max_intset_entries = 4;
  const uint8_t types[] = {9, 10, 11, 12, 13, 16, 17};
  int loaded = 0;
  for (int round = 0; round < FuzzRounds() * 5; ++round) {
    const uint8_t type = types[rng() % std::size(types)];
    const size_t body = rng() % 40;
    std::string blob;
    auto le = [&](uint64_t v, int n) {
      for (int i = 0; i < n; ++i) blob.push_back(static_cast<char>(v >> (8 * i)));
    };
    // A bias towards small byte values makes short, well-formed-looking entries likely.
    auto rnd_byte = [&] { return static_cast<char>(rng() % 3 == 0 ? rng() : rng() % 8); };
    switch (type) {
      case 16:
      case 17:  // listpack: u32 size, u16 count, entries, 0xFF
        le(6 + body + 1, 4);
        le(rng() % 8, 2);
        for (size_t i = 0; i < body; ++i) blob.push_back(rnd_byte());
        blob.push_back(static_cast<char>(0xFF));
        break;
      case 11: {  // intset: u32 width, u32 count, entries
        const uint32_t width = std::array<uint32_t, 3>{2, 4, 8}[rng() % 3];
        const uint32_t count = 1 + static_cast<uint32_t>(rng() % 5);
        le(width, 4);
        le(count, 4);
        for (size_t i = 0; i < width * count; ++i) blob.push_back(static_cast<char>(rng()));
        break;
      }
      case 9:  // zipmap: count, pairs, 0xFF
        blob.push_back(static_cast<char>(rng() % 4));
        for (size_t i = 0; i < body; ++i) blob.push_back(rnd_byte());
        blob.push_back(static_cast<char>(0xFF));
        break;
      default:  // ziplist: u32 size, u32 tail, u16 count, entries, 0xFF
        le(10 + body + 1, 4);
        le(10 + rng() % (body + 1), 4);
        le(rng() % 8, 2);
        for (size_t i = 0; i < body; ++i) blob.push_back(rnd_byte());
        blob.push_back(static_cast<char>(0xFF));
        break;
    }
    std::string p(1, static_cast<char>(type));
    p.push_back(static_cast<char>(blob.size()));  // < 64: a 6-bit length
    p += blob;
    p += std::string("\x0a\x00", 2) + std::string(8, '\0');
    auto v = LoadPayload(p, lim);
    if (v.has_value()) {
      ++loaded;
      testing::DescribeValue(*v);
      Value copy = *v;
      testing::DescribeValue(copy);
    }
  }
  INFO("loaded " << loaded);
  SUCCEED();
}

}  // namespace
}  // namespace baozi::rdb
