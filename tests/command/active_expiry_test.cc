// Active expiry through the real dispatcher: keys leave on the injected clock, with no client
// reading them, via the same Server::ActiveExpireSlice the network layer's timer runs.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "tests/command/harness.h"

namespace baozi::testing {
namespace {

using std::chrono::milliseconds;

TEST_CASE("keys with a TTL leave on time without being read", "[expiry]") {
  CommandHarness h;
  for (int i = 0; i < 100; ++i) {
    std::string k = "k" + std::to_string(i);
    h.Run({"SET", k, "v", "PX", std::to_string(10 * (i + 1))});
  }
  h.Run({"SET", "persistent", "v"});
  CHECK(h.Run({"DBSIZE"}) == "101");
  // At exactly a deadline the key is still alive; one millisecond later it is gone.
  h.AdvanceTime(milliseconds(500));
  CHECK(h.Run({"DBSIZE"}) == "52");
  h.AdvanceTime(milliseconds(1));
  CHECK(h.Run({"DBSIZE"}) == "51");
  h.AdvanceTime(milliseconds(500));
  CHECK(h.Run({"DBSIZE"}) == "1");
  CHECK(h.Run({"INFO", "stats"}).find("expired_keys:100") != std::string::npos);
}

TEST_CASE("changing or dropping a TTL reschedules the key", "[expiry]") {
  CommandHarness h;
  h.Run({"SET", "later", "v", "PX", "100"});
  h.Run({"SET", "earlier", "v", "PX", "10000"});
  h.Run({"SET", "persisted", "v", "PX", "100"});
  h.Run({"SET", "overwritten", "v", "PX", "100"});
  h.Run({"SET", "kept", "v", "PX", "100"});
  h.Run({"SET", "renamed", "v", "PX", "100"});
  h.Run({"SET", "moved", "v", "PX", "100"});
  h.Run({"PEXPIRE", "later", "10000"});
  h.Run({"PEXPIRE", "earlier", "50"});
  h.Run({"PERSIST", "persisted"});
  h.Run({"SET", "overwritten", "w"});
  h.Run({"SET", "kept", "w", "KEEPTTL"});
  h.Run({"RENAME", "renamed", "renamed2"});
  h.Run({"MOVE", "moved", "1"});
  h.AdvanceTime(milliseconds(60));
  CHECK(h.Run({"EXISTS", "earlier"}) == "0");
  h.AdvanceTime(milliseconds(60));
  CHECK(h.Run({"DBSIZE"}) == "3");  // later, persisted, overwritten
  CHECK(h.Run({"EXISTS", "later", "persisted", "overwritten"}) == "3");
  h.Run({"SELECT", "1"});
  CHECK(h.Run({"DBSIZE"}) == "0");
}

TEST_CASE("FLUSHDB and SWAPDB carry the schedule with the data", "[expiry]") {
  CommandHarness h;
  h.Run({"SET", "a", "v", "PX", "100"});
  h.Run({"SET", "b", "v", "PX", "100"});
  h.Run({"FLUSHDB"});
  h.Run({"SET", "a", "v"});  // same names, no TTL: the old records must not touch them
  h.Run({"SET", "b", "v", "PX", "1000"});
  h.AdvanceTime(milliseconds(200));
  CHECK(h.Run({"DBSIZE"}) == "2");
  h.Run({"SWAPDB", "0", "1"});
  h.AdvanceTime(milliseconds(900));
  CHECK(h.Run({"DBSIZE"}) == "0");
  h.Run({"SELECT", "1"});
  CHECK(h.Run({"DBSIZE"}) == "1");
  CHECK(h.Run({"EXISTS", "a"}) == "1");
}

TEST_CASE("expired events follow deadline order", "[expiry]") {
  CommandHarness h("notify-keyspace-events Ex");
  h.Run({"SUBSCRIBE", "__keyevent@0__:expired"}, "sub");
  h.TakeFrames("sub");
  h.Run({"SET", "c", "v", "PX", "30"});
  h.Run({"SET", "a", "v", "PX", "10"});
  h.Run({"SET", "b", "v", "PX", "20"});
  h.AdvanceTime(milliseconds(100));
  std::vector<std::string> frames = h.TakeFrames("sub");
  auto event = [](const char* key) {
    return "[\"message\", \"__keyevent@0__:expired\", \"" + std::string(key) + "\"]";
  };
  CHECK(frames == std::vector<std::string>{event("a"), event("b"), event("c")});
}

TEST_CASE("DEBUG SET-ACTIVE-EXPIRE 0 leaves expiry to lookups", "[expiry]") {
  CommandHarness h("enable-debug-command yes");
  CHECK(h.Run({"DEBUG", "SET-ACTIVE-EXPIRE", "0"}) == "OK");
  h.Run({"SET", "a", "v", "PX", "10"});
  h.Run({"SET", "b", "v", "PX", "10"});
  h.AdvanceTime(milliseconds(100));
  CHECK(h.Run({"DBSIZE"}) == "2");
  CHECK(h.Run({"GET", "a"}) == "nil");  // lazy expiry still applies
  CHECK(h.Run({"DBSIZE"}) == "1");
  CHECK(h.Run({"DEBUG", "SET-ACTIVE-EXPIRE", "1"}) == "OK");
  h.AdvanceTime(milliseconds(1));
  CHECK(h.Run({"DBSIZE"}) == "0");
}

TEST_CASE("a mass expiry runs in slices, all keys leave", "[expiry]") {
  CommandHarness h;
  for (int i = 0; i < 20000; ++i) {
    h.Run({"SET", "k" + std::to_string(i), "v", "PX", std::to_string(1000 + i % 100)});
  }
  h.AdvanceTime(milliseconds(1200));
  CHECK(h.Run({"DBSIZE"}) == "0");
  CHECK(h.Run({"INFO", "keyspace"}).find("db0") == std::string::npos);
}

}  // namespace
}  // namespace baozi::testing
