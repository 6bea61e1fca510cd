// MEMORY USAGE / STATS / DOCTOR / MALLOC-STATS / PURGE / HELP and INFO memory, in process.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "server/allocator.h"
#include "tests/command/harness.h"

using baozi::protocol::RespValue;
using baozi::testing::CommandHarness;

namespace {

int64_t Usage(CommandHarness& h, std::vector<std::string_view> argv) {
  RespValue v = h.RunValue(argv);
  REQUIRE(v.type == RespValue::kInteger);
  return v.integer;
}

// The keys of a map reply (RESP2: every other element of the flat array).
std::vector<std::string> MapKeys(const RespValue& v) {
  std::vector<std::string> keys;
  for (size_t i = 0; i < v.elems.size(); i += 2) keys.push_back(v.elems[i].str);
  return keys;
}

const RespValue* MapGet(const RespValue& v, std::string_view key) {
  for (size_t i = 0; i + 1 < v.elems.size(); i += 2) {
    if (v.elems[i].str == key) return &v.elems[i + 1];
  }
  return nullptr;
}

}  // namespace

TEST_CASE("MEMORY errors and HELP", "[memory]") {
  CommandHarness h;
  CHECK(h.Run({"MEMORY"}) == "(error) ERR wrong number of arguments for 'memory' command");
  CHECK(h.Run({"MEMORY", "foo"}) == "(error) ERR unknown subcommand 'foo'. Try MEMORY HELP.");
  CHECK(h.Run({"MEMORY", "USAGE"}) ==
        "(error) ERR wrong number of arguments for 'memory|usage' command");
  CHECK(h.Run({"MEMORY", "STATS", "x"}) ==
        "(error) ERR wrong number of arguments for 'memory|stats' command");
  CHECK(h.Run({"MEMORY", "DOCTOR", "x"}) ==
        "(error) ERR wrong number of arguments for 'memory|doctor' command");
  CHECK(h.Run({"MEMORY", "PURGE", "x"}) ==
        "(error) ERR wrong number of arguments for 'memory|purge' command");
  CHECK(h.Run({"MEMORY", "HELP", "x"}) ==
        "(error) ERR wrong number of arguments for 'memory|help' command");

  RespValue help = h.RunValue({"MEMORY", "HELP"});
  REQUIRE(help.type == RespValue::kArray);
  REQUIRE(help.elems.size() == 14);
  CHECK(help.elems.front().str ==
        "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  CHECK(help.elems[9].str == "USAGE <key> [SAMPLES <count>]");
  CHECK(help.elems[12].str == "HELP");
  CHECK(help.elems[13].str == "    Prints this help.");
}

TEST_CASE("MEMORY USAGE syntax", "[memory]") {
  CommandHarness h;
  h.Run({"SET", "k", "v"});
  CHECK(h.Run({"MEMORY", "USAGE", "missing"}) == "nil");
  CHECK(h.Run({"MEMORY", "USAGE", "k", "SAMPLES"}) == "(error) ERR syntax error");
  CHECK(h.Run({"MEMORY", "USAGE", "k", "foo"}) == "(error) ERR syntax error");
  CHECK(h.Run({"MEMORY", "USAGE", "k", "SAMPLES", "-1"}) == "(error) ERR syntax error");
  CHECK(h.Run({"MEMORY", "USAGE", "k", "SAMPLES", "x"}) ==
        "(error) ERR value is not an integer or out of range");
  // Options are checked before the key is looked up.
  CHECK(h.Run({"MEMORY", "USAGE", "missing", "SAMPLES", "x"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"MEMORY", "USAGE", "missing", "SAMPLES", "3"}) == "nil");
  // Repeated options: the last one counts, and case does not matter.
  CHECK(Usage(h, {"MEMORY", "USAGE", "k", "samples", "1", "SAMPLES", "0"}) > 0);
  // No keyspace hit or miss, as Redis's dictFind.
  std::string stats = h.RunValue({"INFO", "stats"}).str;
  CHECK(stats.find("keyspace_hits:0\r\n") != std::string::npos);
  CHECK(stats.find("keyspace_misses:0\r\n") != std::string::npos);
}

TEST_CASE("MEMORY USAGE follows the value's size", "[memory]") {
  CommandHarness h;
  h.Run({"SET", "int", "12345"});
  h.Run({"SET", "short", "abc"});
  std::string s100(100, 'x'), s10k(10000, 'y'), s1m(1000000, 'z');
  h.Run({"SET", "s100", s100});
  h.Run({"SET", "s10k", s10k});
  h.Run({"SET", "s1m", s1m});
  const int64_t u_int = Usage(h, {"MEMORY", "USAGE", "int"});
  const int64_t u_short = Usage(h, {"MEMORY", "USAGE", "short"});
  const int64_t u100 = Usage(h, {"MEMORY", "USAGE", "s100"});
  const int64_t u10k = Usage(h, {"MEMORY", "USAGE", "s10k"});
  const int64_t u1m = Usage(h, {"MEMORY", "USAGE", "s1m"});
  CHECK(u_int > 0);
  CHECK(u_short == u_int);  // both live inside the entry
  CHECK(u100 > u_short + 100);
  CHECK(u10k >= 10000);
  CHECK(u10k < 10000 + 2048);
  CHECK(u1m >= 1000000);
  CHECK(u1m < 1100000);
  // A longer key costs more.
  h.Run({"SET", std::string(200, 'k'), "abc"});
  CHECK(Usage(h, {"MEMORY", "USAGE", std::string(200, 'k')}) > u_short + 150);
}

TEST_CASE("MEMORY USAGE of collections grows with their elements", "[memory]") {
  CommandHarness h;
  auto fill = [&](std::string_view type, int n) {
    for (int i = 0; i < n; ++i) {
      std::string m = "member:" + std::to_string(i) + std::string(20, 'x');
      if (type == "list") h.Run({"RPUSH", "list", m});
      if (type == "hash") h.Run({"HSET", "hash", m, "value"});
      if (type == "set") h.Run({"SADD", "set", m});
      if (type == "zset") h.Run({"ZADD", "zset", std::to_string(i), m});
    }
  };
  for (std::string_view type : {"list", "hash", "set", "zset"}) {
    INFO(type);
    fill(type, 10);
    const int64_t small = Usage(h, {"MEMORY", "USAGE", type});
    fill(type, 1000);  // past every listpack limit: quicklist, hashtable, skiplist
    const int64_t big = Usage(h, {"MEMORY", "USAGE", type});
    const int64_t all = Usage(h, {"MEMORY", "USAGE", type, "SAMPLES", "0"});
    const int64_t one = Usage(h, {"MEMORY", "USAGE", type, "SAMPLES", "1"});
    CHECK(small > 10 * 20);
    CHECK(big > small * 10);
    // Members are of similar sizes: sampling estimates within a few percent of walking all.
    CHECK(all > 1000 * 28);
    CHECK(one > all * 8 / 10);
    CHECK(one < all * 12 / 10);
  }
  // Integer sets are intsets: a few bytes per member.
  for (int i = 0; i < 100; ++i) h.Run({"SADD", "ints", std::to_string(i)});
  const int64_t ints = Usage(h, {"MEMORY", "USAGE", "ints"});
  CHECK(ints > 200);
  CHECK(ints < 600);
}

TEST_CASE("MEMORY USAGE reports an expired key still in memory, as Redis does", "[memory]") {
  CommandHarness h("enable-debug-command yes");
  h.Run({"DEBUG", "SET-ACTIVE-EXPIRE", "0"});
  h.Run({"SET", "k", "v", "PX", "100"});
  h.AdvanceTime(std::chrono::milliseconds(200));
  CHECK(Usage(h, {"MEMORY", "USAGE", "k"}) > 0);
  CHECK(h.Run({"DBSIZE"}) == "1");
  CHECK(h.Run({"GET", "k"}) == "nil");
  CHECK(h.Run({"MEMORY", "USAGE", "k"}) == "nil");
}

TEST_CASE("MEMORY STATS has Redis 7.0's fields in order", "[memory]") {
  CommandHarness h;
  const std::vector<std::string> head = {
      "peak.allocated", "total.allocated", "startup.allocated", "replication.backlog",
      "clients.slaves", "clients.normal",  "cluster.links",     "aof.buffer",
      "lua.caches",     "functions.caches"};
  const std::vector<std::string> tail = {"overhead.total",
                                         "keys.count",
                                         "keys.bytes-per-key",
                                         "dataset.bytes",
                                         "dataset.percentage",
                                         "peak.percentage",
                                         "allocator.allocated",
                                         "allocator.active",
                                         "allocator.resident",
                                         "allocator-fragmentation.ratio",
                                         "allocator-fragmentation.bytes",
                                         "allocator-rss.ratio",
                                         "allocator-rss.bytes",
                                         "rss-overhead.ratio",
                                         "rss-overhead.bytes",
                                         "fragmentation",
                                         "fragmentation.bytes"};
  auto expected = [&](std::vector<std::string> dbs) {
    std::vector<std::string> all = head;
    all.insert(all.end(), dbs.begin(), dbs.end());
    all.insert(all.end(), tail.begin(), tail.end());
    return all;
  };
  RespValue empty = h.RunValue({"MEMORY", "STATS"});
  REQUIRE(empty.type == RespValue::kArray);
  CHECK(MapKeys(empty) == expected({}));
  CHECK(MapGet(empty, "keys.count")->integer == 0);
  CHECK(MapGet(empty, "keys.bytes-per-key")->integer == 0);

  h.Run({"SET", "a", "1"});
  h.Run({"SET", "b", "2", "EX", "100"});
  h.Run({"SELECT", "3"});
  h.Run({"HSET", "h", "f", "v"});
  h.Run({"SELECT", "0"});
  RespValue v = h.RunValue({"MEMORY", "STATS"});
  CHECK(MapKeys(v) == expected({"db.0", "db.3"}));
  const RespValue* db0 = MapGet(v, "db.0");
  REQUIRE(db0 != nullptr);
  CHECK(MapKeys(*db0) == std::vector<std::string>{"overhead.hashtable.main",
                                                  "overhead.hashtable.expires",
                                                  "overhead.hashtable.slot-to-keys"});
  CHECK(MapGet(*db0, "overhead.hashtable.main")->integer > 0);
  CHECK(MapGet(*db0, "overhead.hashtable.expires")->integer > 0);
  CHECK(MapGet(*MapGet(v, "db.3"), "overhead.hashtable.expires")->integer == 0);
  CHECK(MapGet(v, "keys.count")->integer == 3);
  const int64_t total = MapGet(v, "total.allocated")->integer;
  const int64_t overhead = MapGet(v, "overhead.total")->integer;
  const int64_t startup = MapGet(v, "startup.allocated")->integer;
  CHECK(MapGet(v, "dataset.bytes")->integer == total - overhead);
  CHECK(MapGet(v, "keys.bytes-per-key")->integer == (total - startup) / 3);
  CHECK(MapGet(v, "dataset.percentage")->type == RespValue::kBulk);  // a double, in RESP2

  // RESP3: a map, with a nested map per database and real doubles.
  h.Run({"HELLO", "3"});
  RespValue v3 = h.RunValue({"MEMORY", "STATS"});
  REQUIRE(v3.type == RespValue::kMap);
  CHECK(MapKeys(v3) == expected({"db.0", "db.3"}));
  CHECK(MapGet(v3, "db.0")->type == RespValue::kMap);
  CHECK(MapGet(v3, "fragmentation")->type == RespValue::kDouble);
}

TEST_CASE("MEMORY DOCTOR, MALLOC-STATS and PURGE", "[memory]") {
  CommandHarness h;
  RespValue doctor = h.RunValue({"MEMORY", "DOCTOR"});
  CHECK(doctor.type == RespValue::kBulk);
  CHECK(doctor.str.rfind("Hi Sam, ", 0) == 0);
  h.Run({"HELLO", "3"});
  CHECK(h.RunValue({"MEMORY", "DOCTOR"}).type == RespValue::kVerbatim);
  RespValue stats = h.RunValue({"MEMORY", "MALLOC-STATS"});
  if (baozi::alloc::IsJemalloc()) {
    CHECK(stats.type == RespValue::kVerbatim);
    CHECK(stats.str.rfind("___ Begin jemalloc statistics ___", 0) == 0);
  } else {
    CHECK(stats.str == "Stats not supported for the current allocator");
  }
  CHECK(h.Run({"MEMORY", "PURGE"}) == "OK");
}

TEST_CASE("INFO memory reports the counter, the split and the allocator", "[memory]") {
  CommandHarness h;
  std::string info = h.RunValue({"INFO", "memory"}).str;
  CHECK(info.rfind("# Memory\r\nused_memory:", 0) == 0);
  CHECK(info.find("\r\nmem_allocator:" + std::string(baozi::alloc::Name()) + "\r\n") !=
        std::string::npos);
  // The Lua interpreter exists from the start, and is reported apart from used_memory.
  const size_t lua_at = info.find("\r\nused_memory_lua:");
  REQUIRE(lua_at != std::string::npos);
  CHECK(std::stoull(info.substr(lua_at + 18)) > 0);
  CHECK(info.find("\r\nmem_clients_normal:") != std::string::npos);
  CHECK(info.find("%\r\nused_memory_overhead:") != std::string::npos);  // peak_perc has its %
}
