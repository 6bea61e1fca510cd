// maxmemory eviction through the real dispatcher. Memory is made a function of the data (a base
// plus 1000 bytes per key, plus an adjustable extra), so each policy's choice and the OOM paths
// are deterministic: with maxmemory = base + 4500 the server holds four keys, and the fifth
// write makes it evict one right after that command.
#include "server/eviction.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <limits>
#include <string>

#include "tests/command/harness.h"

namespace baozi::testing {
namespace {

using std::chrono::milliseconds;

constexpr size_t kBase = 1'000'000;
constexpr std::string_view kOom = "(error) OOM command not allowed when used memory > 'maxmemory'.";

struct EvictHarness {
  CommandHarness h{"enable-debug-command yes"};
  size_t extra = 0;  // bytes on top of the keys (a transaction's queue, a client buffer...)

  explicit EvictHarness(std::string_view policy, size_t max_keys = 4) {
    h.server().memory_probe = [this] { return Used(); };
    REQUIRE(h.Run({"CONFIG", "SET", "maxmemory-policy", policy}) == "OK");
    REQUIRE(h.Run({"CONFIG", "SET", "maxmemory-samples", "10"}) == "OK");
    std::string limit = std::to_string(kBase + max_keys * 1000 + 500);
    REQUIRE(h.Run({"CONFIG", "SET", "maxmemory", limit}) == "OK");
  }
  size_t Keys() {
    size_t n = 0;
    Keyspace& ks = h.server().keyspace();
    for (int i = 0; i < ks.size(); ++i) n += ks.db(i).size();
    return n;
  }
  size_t Used() { return kBase + 1000 * Keys() + extra; }
  bool Exists(std::string_view key) { return h.Run({"EXISTS", key}) == "1"; }
  std::string Info(std::string_view field) {
    std::string info = h.RunValue({"INFO", "stats"}).str;
    std::string prefix = std::string(field) + ":";
    size_t at = info.find(prefix);
    if (at == std::string::npos) return "<missing>";
    at += prefix.size();
    return info.substr(at, info.find("\r\n", at) - at);
  }
  // A SET one second after the previous command, so LRU times differ.
  void SetLater(std::string_view key, std::string_view ttl = "") {
    h.AdvanceTime(milliseconds(1000));
    if (ttl.empty()) {
      REQUIRE(h.Run({"SET", key, "v"}) == "OK");
    } else {
      REQUIRE(h.Run({"SET", key, "v", "EX", ttl}) == "OK");
    }
  }
};

TEST_CASE("allkeys-lru evicts the least recently used key", "[eviction]") {
  EvictHarness e("allkeys-lru");
  for (std::string_view k : {"a", "b", "c", "d"}) e.SetLater(k);
  e.h.AdvanceTime(milliseconds(1000));
  CHECK(e.h.Run({"GET", "a"}) == "\"v\"");  // a is now the most recently used
  CHECK(e.Info("evicted_keys") == "0");
  e.SetLater("x");
  CHECK(e.Keys() == 4);
  CHECK_FALSE(e.Exists("b"));
  CHECK(e.Exists("a"));
  e.SetLater("y");
  CHECK_FALSE(e.Exists("c"));
  CHECK(e.Exists("a"));
  CHECK(e.Exists("d"));
  CHECK(e.Info("evicted_keys") == "2");
  // Evictions are no changes to save: only the six SETs count.
  CHECK(e.h.RunValue({"INFO", "persistence"}).str.find("rdb_changes_since_last_save:6\r\n") !=
        std::string::npos);
  // Never over the limit after a command.
  CHECK(e.Used() <= e.h.server().config().maxmemory);
}

TEST_CASE("lowering maxmemory evicts right after CONFIG SET", "[eviction]") {
  EvictHarness e("allkeys-lru");
  for (std::string_view k : {"a", "b", "c", "d"}) e.SetLater(k);
  CHECK(e.h.Run({"CONFIG", "SET", "maxmemory", std::to_string(kBase + 2500)}) == "OK");
  CHECK(e.Keys() == 2);
  CHECK(e.Exists("c"));
  CHECK(e.Exists("d"));
}

TEST_CASE("volatile-lru only evicts keys with a TTL, then refuses writes", "[eviction]") {
  EvictHarness e("volatile-lru");
  e.SetLater("p1");
  e.SetLater("v1", "1000");
  e.SetLater("p2");
  e.SetLater("v2", "1000");
  e.SetLater("x");
  CHECK_FALSE(e.Exists("v1"));
  CHECK(e.Exists("v2"));
  e.SetLater("y");
  CHECK_FALSE(e.Exists("v2"));
  CHECK(e.Exists("p1"));
  CHECK(e.Exists("p2"));
  CHECK(e.Info("evicted_keys") == "2");
  // Nothing volatile is left: the write stays and memory stays over the limit.
  e.SetLater("z");
  CHECK(e.Keys() == 5);
  CHECK(e.h.Run({"SET", "w", "v"}) == kOom);
  CHECK(e.h.Run({"GET", "p1"}) == "\"v\"");
  CHECK(e.h.Run({"DEL", "p1"}) == "1");
  CHECK(e.h.Run({"SET", "w", "v"}) == "OK");
  CHECK(e.Info("evicted_keys") == "2");
}

TEST_CASE("volatile-ttl evicts the nearest deadline first", "[eviction]") {
  EvictHarness e("volatile-ttl");
  e.SetLater("far", "1000");
  e.SetLater("near", "10");
  e.SetLater("mid", "100");
  e.SetLater("plain");
  e.SetLater("x");
  CHECK_FALSE(e.Exists("near"));
  CHECK(e.Exists("mid"));
  e.SetLater("y");
  CHECK_FALSE(e.Exists("mid"));
  CHECK(e.Exists("far"));
  CHECK(e.Exists("plain"));
}

TEST_CASE("allkeys-lfu keeps the frequently read keys", "[eviction]") {
  EvictHarness e("allkeys-lfu");
  // No clock moves here: crossing a minute boundary would decay every counter.
  for (std::string_view k : {"hot1", "cold1", "hot2", "cold2"}) e.h.Run({"SET", k, "v"});
  for (int i = 0; i < 20; ++i) {
    e.h.Run({"GET", "hot1"});
    e.h.Run({"GET", "hot2"});
  }
  // A new key's counter starts at 5 and its first read always counts.
  CHECK(e.h.Run({"OBJECT", "FREQ", "cold1"}) == "5");
  CHECK(std::stoi(e.h.Run({"OBJECT", "FREQ", "hot1"})) > 5);
  for (int i = 0; i < 20; ++i) e.h.Run({"SET", "new" + std::to_string(i), "v"});
  CHECK(e.Keys() == 4);
  CHECK(e.Exists("hot1"));
  CHECK(e.Exists("hot2"));
  CHECK_FALSE(e.Exists("cold1"));
  CHECK_FALSE(e.Exists("cold2"));
  CHECK(e.Info("evicted_keys") == "20");
}

TEST_CASE("volatile-lfu keeps keys without a TTL and the frequently read ones", "[eviction]") {
  EvictHarness e("volatile-lfu");
  e.SetLater("plain");
  e.SetLater("hot", "1000");
  e.SetLater("cold", "1000");
  e.SetLater("cold2", "1000");
  for (int i = 0; i < 5; ++i) e.h.Run({"GET", "hot"});
  e.SetLater("x");
  e.SetLater("y");
  CHECK(e.Exists("plain"));
  CHECK(e.Exists("hot"));
  CHECK_FALSE(e.Exists("cold"));
  CHECK_FALSE(e.Exists("cold2"));
}

TEST_CASE("allkeys-random evicts some key", "[eviction]") {
  EvictHarness e("allkeys-random");
  for (int i = 0; i < 4; ++i) e.SetLater("k" + std::to_string(i));
  for (int i = 0; i < 10; ++i) {
    e.SetLater("n" + std::to_string(i));
    CHECK(e.Keys() == 4);
  }
  CHECK(e.Info("evicted_keys") == "10");
}

TEST_CASE("volatile-random evicts only keys with a TTL", "[eviction]") {
  EvictHarness e("volatile-random");
  e.SetLater("p1");
  e.SetLater("p2");
  e.SetLater("v1", "100");
  e.SetLater("v2", "100");
  e.SetLater("x");
  e.SetLater("y");
  CHECK(e.Exists("p1"));
  CHECK(e.Exists("p2"));
  CHECK_FALSE(e.Exists("v1"));
  CHECK_FALSE(e.Exists("v2"));
  e.SetLater("z");  // nothing volatile left
  CHECK(e.h.Run({"SET", "w", "v"}) == kOom);
  CHECK(e.Info("evicted_keys") == "2");
}

TEST_CASE("a volatile policy with no key with a TTL refuses writes", "[eviction]") {
  for (std::string_view policy :
       {"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"}) {
    EvictHarness e(policy);
    for (int i = 0; i < 5; ++i) e.SetLater("k" + std::to_string(i));
    CHECK(e.Keys() == 5);
    CHECK(e.h.Run({"SET", "w", "v"}) == kOom);
    CHECK(e.h.Run({"GET", "k1"}) == "\"v\"");
    CHECK(e.Info("evicted_keys") == "0");
  }
}

TEST_CASE("noeviction refuses deny-oom commands, reads and deletes still work", "[eviction]") {
  EvictHarness e("noeviction");
  for (int i = 0; i < 5; ++i) e.SetLater("k" + std::to_string(i));
  CHECK(e.Keys() == 5);  // the write that crossed the limit was allowed (memory was under)
  CHECK(e.h.Run({"SET", "w", "v"}) == kOom);
  CHECK(e.h.Run({"APPEND", "k1", "x"}) == kOom);
  CHECK(e.h.Run({"GET", "k1"}) == "\"v\"");
  CHECK(e.h.Run({"DBSIZE"}) == "5");
  CHECK(e.h.Run({"DEL", "k1"}) == "1");
  CHECK(e.h.Run({"SET", "w", "v"}) == "OK");
  CHECK(e.Info("evicted_keys") == "0");
  CHECK(e.h.Run({"INFO", "errorstats"}).find("errorstat_OOM:count=2") != std::string::npos);
}

TEST_CASE("eviction_exceeded_time counts how long memory stayed over the limit", "[eviction]") {
  EvictHarness e("noeviction");
  for (int i = 0; i < 5; ++i) e.SetLater("k" + std::to_string(i));
  e.h.AdvanceTime(milliseconds(2500));
  CHECK(e.Info("current_eviction_exceeded_time") == "2500");
  CHECK(e.Info("total_eviction_exceeded_time") == "2500");
  e.h.Run({"DEL", "k0"});  // back under: the stretch ends with this command
  e.h.AdvanceTime(milliseconds(1000));
  CHECK(e.Info("current_eviction_exceeded_time") == "0");
  CHECK(e.Info("total_eviction_exceeded_time") == "2500");
  CHECK(e.Info("evicted_clients") == "0");
}

TEST_CASE("OOM inside MULTI: queuing is refused and EXEC aborts", "[eviction][multi]") {
  EvictHarness e("noeviction");
  for (int i = 0; i < 5; ++i) e.SetLater("k" + std::to_string(i));
  CHECK(e.h.Run({"MULTI"}) == "OK");
  CHECK(e.h.Run({"GET", "k1"}) == kOom);  // even a read: the queue grows
  CHECK(e.h.Run({"EXEC"}) == "(error) EXECABORT Transaction discarded because of previous errors.");
  CHECK(e.h.Run({"MULTI"}) == "OK");
  CHECK(e.h.Run({"SET", "k9", "v"}) == kOom);
  CHECK(e.h.Run({"DISCARD"}) == "OK");
}

TEST_CASE("EXEC of a deny-oom queue is refused once memory went over", "[eviction][multi]") {
  EvictHarness e("noeviction");
  for (int i = 0; i < 3; ++i) e.SetLater("k" + std::to_string(i));
  CHECK(e.h.Run({"MULTI"}) == "OK");
  CHECK(e.h.Run({"SET", "x", "v"}) == "QUEUED");
  CHECK(e.h.Run({"GET", "k1"}) == "QUEUED");
  e.extra = 5000;
  CHECK(e.h.Run({"EXEC"}) ==
        "(error) EXECABORT Transaction discarded because of: OOM command not allowed when used "
        "memory > 'maxmemory'.");
  CHECK_FALSE(e.Exists("x"));
  // A read-only queue still runs.
  CHECK(e.h.Run({"MULTI"}) == "OK");
  e.extra = 0;
  CHECK(e.h.Run({"GET", "k1"}) == "QUEUED");
  e.extra = 5000;
  CHECK(e.h.Run({"EXEC"}) == "[\"v\"]");
}

TEST_CASE("a transaction evicts once, after EXEC", "[eviction][multi]") {
  EvictHarness e("allkeys-lru");
  for (int i = 0; i < 3; ++i) e.SetLater("k" + std::to_string(i));
  CHECK(e.h.Run({"MULTI"}) == "OK");
  for (std::string_view k : {"a", "b", "c"}) CHECK(e.h.Run({"SET", k, "v"}) == "QUEUED");
  CHECK(e.h.Run({"EXEC"}) == "[OK, OK, OK]");
  CHECK(e.Keys() == 4);
  CHECK(e.Exists("a"));
  CHECK(e.Exists("c"));
  CHECK(e.Info("evicted_keys") == "2");
}

TEST_CASE("evicted keys publish 'evicted' and fail a WATCHing EXEC", "[eviction][notify]") {
  EvictHarness e("allkeys-lru");
  CHECK(e.h.Run({"CONFIG", "SET", "notify-keyspace-events", "Ee"}) == "OK");
  e.h.Run({"SUBSCRIBE", "__keyevent@0__:evicted"}, "sub");
  e.h.TakeFrames("sub");
  for (std::string_view k : {"a", "b", "c", "d"}) e.SetLater(k);
  CHECK(e.h.Run({"WATCH", "a"}, "watcher") == "OK");
  e.SetLater("x");
  CHECK_FALSE(e.Exists("a"));
  auto frames = e.h.TakeFrames("sub");
  REQUIRE(frames.size() == 1);
  CHECK(frames[0] == "[\"message\", \"__keyevent@0__:evicted\", \"a\"]");
  CHECK(e.h.Run({"MULTI"}, "watcher") == "OK");
  CHECK(e.h.Run({"PING"}, "watcher") == "QUEUED");
  CHECK(e.h.Run({"EXEC"}, "watcher") == "nil-array");
}

TEST_CASE("an expired key picked for eviction leaves as expired", "[eviction]") {
  EvictHarness e("volatile-ttl");
  CHECK(e.h.Run({"CONFIG", "SET", "notify-keyspace-events", "Exe"}) == "OK");
  CHECK(e.h.Run({"DEBUG", "SET-ACTIVE-EXPIRE", "0"}) == "OK");
  e.h.Run({"SUBSCRIBE", "__keyevent@0__:evicted", "__keyevent@0__:expired"}, "sub");
  e.h.TakeFrames("sub");
  e.SetLater("short", "1");
  for (std::string_view k : {"a", "b", "c"}) e.SetLater(k, "1000");
  e.SetLater("x");
  CHECK(e.Keys() == 4);
  CHECK(e.Info("evicted_keys") == "0");
  CHECK(e.Info("expired_keys") == "1");
  auto frames = e.h.TakeFrames("sub");
  REQUIRE(frames.size() == 1);
  CHECK(frames[0] == "[\"message\", \"__keyevent@0__:expired\", \"short\"]");
}

TEST_CASE("eviction samples every database", "[eviction]") {
  EvictHarness e("allkeys-lru");
  e.SetLater("old");
  CHECK(e.h.Run({"SELECT", "3"}) == "OK");
  for (std::string_view k : {"a", "b", "c", "d"}) e.SetLater(k);
  CHECK(e.Keys() == 4);
  CHECK(e.h.Run({"SELECT", "0"}) == "OK");
  CHECK_FALSE(e.Exists("old"));
}

TEST_CASE("OBJECT FREQ and IDLETIME follow the policy", "[eviction][object]") {
  CommandHarness h;
  h.Run({"SET", "k", "v"});
  constexpr std::string_view kNoLfu =
      "(error) ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please "
      "note that when switching between policies at runtime LRU and LFU data will take some time "
      "to adjust.";
  constexpr std::string_view kLfu =
      "(error) ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that "
      "when switching between policies at runtime LRU and LFU data will take some time to "
      "adjust.";
  for (std::string_view p : {"noeviction", "allkeys-lru", "volatile-lru", "allkeys-random",
                             "volatile-random", "volatile-ttl"}) {
    CHECK(h.Run({"CONFIG", "SET", "maxmemory-policy", p}) == "OK");
    CHECK(h.Run({"OBJECT", "FREQ", "k"}) == kNoLfu);
    CHECK(h.Run({"OBJECT", "IDLETIME", "k"}) == "0");
    CHECK(h.Run({"OBJECT", "FREQ", "missing"}) == "nil");
  }
  for (std::string_view p : {"allkeys-lfu", "volatile-lfu"}) {
    CHECK(h.Run({"CONFIG", "SET", "maxmemory-policy", p}) == "OK");
    std::string fresh = "fresh-" + std::string(p);
    CHECK(h.Run({"SET", fresh, "v"}) == "OK");
    CHECK(h.Run({"OBJECT", "FREQ", fresh}) == "5");
    CHECK(h.Run({"GET", fresh}) == "\"v\"");
    CHECK(h.Run({"OBJECT", "FREQ", fresh}) == "6");  // the first read always counts
    CHECK(h.Run({"OBJECT", "IDLETIME", fresh}) == kLfu);
    CHECK(h.Run({"OBJECT", "IDLETIME", "missing"}) == "nil");
  }
}

TEST_CASE("maxmemory 0 never evicts nor refuses", "[eviction]") {
  CommandHarness h;
  h.server().memory_probe = [] { return size_t{1} << 40; };
  CHECK(h.Run({"SET", "k", "v"}) == "OK");
  CHECK(h.Run({"SET", "k2", "v"}) == "OK");
  CHECK(h.Run({"DBSIZE"}) == "2");
}

}  // namespace
}  // namespace baozi::testing

namespace baozi::testing {
namespace {

TEST_CASE("maxmemory-eviction-tenacity bounds one eviction run", "[eviction]") {
  CHECK(EvictionTimeLimitUs(0) == 0);
  CHECK(EvictionTimeLimitUs(10) == 500);
  CHECK(EvictionTimeLimitUs(11) == 575);
  CHECK(EvictionTimeLimitUs(100) == std::numeric_limits<int64_t>::max());

  EvictHarness e("allkeys-lru", 1000);
  for (int i = 0; i < 200; ++i) REQUIRE(e.h.Run({"SET", "k" + std::to_string(i), "v"}) == "OK");
  CHECK(e.h.Run({"CONFIG", "GET", "maxmemory-eviction-tenacity"}) ==
        "[\"maxmemory-eviction-tenacity\", \"10\"]");
  CHECK(e.h.Run({"CONFIG", "SET", "maxmemory-eviction-tenacity", "101"}).starts_with("(error)"));
  // Tenacity 0: no time at all, so a run stops at its first clock check, after 16 keys, and
  // the rest is left to later loop turns; commands meanwhile are served, not refused.
  REQUIRE(e.h.Run({"CONFIG", "SET", "maxmemory-eviction-tenacity", "0"}) == "OK");
  REQUIRE(e.h.Run({"CONFIG", "SET", "maxmemory", std::to_string(kBase + 100 * 1000 + 500)}) ==
          "OK");
  // CONFIG SET grew no memory itself, so the run after it is time-limited: 16 keys.
  CHECK(e.Keys() == 200 - 16);
  CHECK(e.h.server().stats().eviction_continues);
  ContinueEvictions(e.h.server());
  ContinueEvictions(e.h.server());
  CHECK(e.Keys() == 200 - 48);
  // A write: 16 keys before it; after it, since it grew memory, everything needed at once.
  CHECK(e.h.Run({"SET", "new", "v"}) == "OK");
  CHECK(e.Keys() == 100);
  // The continuation still queued finds memory under the limit and ends.
  CHECK(e.h.server().stats().eviction_continues);
  ContinueEvictions(e.h.server());
  CHECK_FALSE(e.h.server().stats().eviction_continues);
  CHECK(e.Keys() == 100);
  CHECK(e.Info("evicted_keys") == "101");

  // The default finishes within one run.
  REQUIRE(e.h.Run({"CONFIG", "SET", "maxmemory-eviction-tenacity", "10"}) == "OK");
  REQUIRE(e.h.Run({"CONFIG", "SET", "maxmemory", std::to_string(kBase + 50 * 1000 + 500)}) == "OK");
  CHECK(e.Keys() == 50);
  CHECK_FALSE(e.h.server().stats().eviction_continues);
}

TEST_CASE("lazyfree-lazy-eviction is accepted and evicts as before", "[eviction]") {
  EvictHarness e("allkeys-lru");
  REQUIRE(e.h.Run({"CONFIG", "SET", "lazyfree-lazy-eviction", "yes"}) == "OK");
  for (std::string_view k : {"a", "b", "c", "d", "x"}) e.SetLater(k);
  CHECK(e.Keys() == 4);
  CHECK_FALSE(e.Exists("a"));
}

}  // namespace
}  // namespace baozi::testing
