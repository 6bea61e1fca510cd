// Keyspace events and WATCH signals of the list and hash commands, checked against what
// redis-server 7.0.15 publishes (t_list.c, t_hash.c, blocked.c). A subscriber client listens on
// every keyevent channel; each row runs its setup, drains the subscriber, runs one command and
// compares the "event key" pairs it published, in order. "new" is enabled so that a key's
// creation is seen in its place before the command's own event.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/command/notify_harness.h"

namespace baozi::testing {
namespace {

TEST_CASE("list commands publish t_list.c's events", "[notify][list]") {
  CheckRows({
      {{}, {"LPUSH", "l", "a", "b"}, {"new l", "lpush l"}},
      {{{"RPUSH", "l", "a"}}, {"RPUSH", "l", "b"}, {"rpush l"}},
      {{}, {"LPUSHX", "l", "a"}, {}},
      {{{"RPUSH", "l", "a"}}, {"RPUSHX", "l", "b"}, {"rpush l"}},
      {{{"RPUSH", "l", "a"}}, {"LPUSHX", "l", "b"}, {"lpush l"}},
      {{{"SET", "l", "x"}}, {"LPUSH", "l", "a"}, {}},
      {{{"RPUSH", "l", "a", "b"}}, {"LPOP", "l"}, {"lpop l"}},
      {{{"RPUSH", "l", "a"}}, {"RPOP", "l"}, {"rpop l", "del l"}},
      {{{"RPUSH", "l", "a", "b"}}, {"RPOP", "l", "5"}, {"rpop l", "del l"}},
      {{{"RPUSH", "l", "a"}}, {"LPOP", "l", "0"}, {}},
      {{}, {"LPOP", "l"}, {}},
      {{{"RPUSH", "l", "a"}}, {"LSET", "l", "0", "b"}, {"lset l"}},
      {{{"RPUSH", "l", "a"}}, {"LSET", "l", "5", "b"}, {}},
      {{{"RPUSH", "l", "a"}}, {"LINSERT", "l", "BEFORE", "a", "z"}, {"linsert l"}},
      {{{"RPUSH", "l", "a"}}, {"LINSERT", "l", "AFTER", "q", "z"}, {}},
      {{{"RPUSH", "l", "a", "b", "a"}}, {"LREM", "l", "0", "a"}, {"lrem l"}},
      {{{"RPUSH", "l", "a", "a"}}, {"LREM", "l", "-2", "a"}, {"lrem l", "del l"}},
      {{{"RPUSH", "l", "a"}}, {"LREM", "l", "0", "z"}, {}},
      // LTRIM reports even a trim that removes nothing.
      {{{"RPUSH", "l", "a", "b"}}, {"LTRIM", "l", "0", "-1"}, {"ltrim l"}},
      {{{"RPUSH", "l", "a", "b"}}, {"LTRIM", "l", "5", "6"}, {"ltrim l", "del l"}},
      {{}, {"LTRIM", "l", "0", "1"}, {}},
      // A move: the push on the destination first, then the pop on the source.
      {{{"RPUSH", "s", "a", "b"}},
       {"LMOVE", "s", "d", "LEFT", "RIGHT"},
       {"new d", "rpush d", "lpop s"}},
      {{{"RPUSH", "s", "a"}, {"RPUSH", "d", "x"}},
       {"RPOPLPUSH", "s", "d"},
       {"lpush d", "rpop s", "del s"}},
      {{{"RPUSH", "s", "a"}}, {"LMOVE", "s", "s", "LEFT", "RIGHT"}, {"rpush s", "lpop s"}},
      {{{"RPUSH", "s", "a"}, {"SET", "d", "x"}}, {"LMOVE", "s", "d", "LEFT", "LEFT"}, {}},
      {{}, {"LMOVE", "s", "d", "LEFT", "LEFT"}, {}},
      {{{"RPUSH", "b", "x"}}, {"LMPOP", "2", "a", "b", "RIGHT", "COUNT", "5"}, {"rpop b", "del b"}},
      {{}, {"LMPOP", "1", "a", "LEFT"}, {}},
      {{{"RPUSH", "b", "x", "y"}}, {"BLPOP", "a", "b", "0"}, {"lpop b"}},
      {{{"RPUSH", "b", "x"}}, {"BRPOP", "b", "0"}, {"rpop b", "del b"}},
      {{{"RPUSH", "s", "x"}},
       {"BLMOVE", "s", "d", "RIGHT", "LEFT", "0"},
       {"new d", "lpush d", "rpop s", "del s"}},
      {{{"RPUSH", "s", "x", "y"}}, {"BRPOPLPUSH", "s", "d", "0"}, {"new d", "lpush d", "rpop s"}},
  });
}

TEST_CASE("hash commands publish t_hash.c's events", "[notify][hash]") {
  CheckRows({
      {{}, {"HSET", "h", "f", "v"}, {"new h", "hset h"}},
      // HSET reports even when no value changed.
      {{{"HSET", "h", "f", "v"}}, {"HSET", "h", "f", "v"}, {"hset h"}},
      {{{"HSET", "h", "f", "v"}}, {"HMSET", "h", "g", "w"}, {"hset h"}},
      {{{"HSET", "h", "f", "v"}}, {"HSET", "h", "f"}, {}},
      {{{"SET", "h", "x"}}, {"HSET", "h", "f", "v"}, {}},
      {{}, {"HSETNX", "h", "f", "v"}, {"new h", "hset h"}},
      {{{"HSET", "h", "f", "v"}}, {"HSETNX", "h", "f", "w"}, {}},
      {{{"HSET", "h", "f", "v"}}, {"HSETNX", "h", "g", "w"}, {"hset h"}},
      {{{"HSET", "h", "f", "v", "g", "w"}}, {"HDEL", "h", "f", "zz"}, {"hdel h"}},
      {{{"HSET", "h", "f", "v"}}, {"HDEL", "h", "f", "g"}, {"hdel h", "del h"}},
      {{{"HSET", "h", "f", "v"}}, {"HDEL", "h", "zz"}, {}},
      {{}, {"HDEL", "h", "f"}, {}},
      {{}, {"HINCRBY", "h", "f", "2"}, {"new h", "hincrby h"}},
      {{{"HSET", "h", "f", "1"}}, {"HINCRBY", "h", "f", "2"}, {"hincrby h"}},
      {{{"HSET", "h", "f", "x"}}, {"HINCRBY", "h", "f", "1"}, {}},
      {{}, {"HINCRBY", "h", "f", "x"}, {}},
      {{}, {"HINCRBYFLOAT", "h", "f", "1.5"}, {"new h", "hincrbyfloat h"}},
      {{{"HSET", "h", "f", "1"}}, {"HINCRBYFLOAT", "h", "f", "0.5"}, {"hincrbyfloat h"}},
      {{{"HSET", "h", "f", "x"}}, {"HINCRBYFLOAT", "h", "f", "1"}, {}},
      {{}, {"HINCRBYFLOAT", "h", "f", "inf"}, {}},
  });
}

TEST_CASE("a blocked client served by a push publishes the pop after the push",
          "[notify][list][blocking]") {
  SECTION("BLPOP takes one element; the list stays") {
    NotifyHarness n;
    CHECK(n.h.Run({"BLPOP", "l", "0"}, "b").empty());
    CHECK(n.h.Run({"RPUSH", "l", "a", "b"}) == "2");
    CHECK(n.h.TakeReply("b") == "[\"l\", \"a\"]");
    CHECK(n.Take() == Events{"new l", "rpush l", "lpop l"});
  }
  SECTION("BLMOVE: the source is created, moved out and deleted") {
    NotifyHarness n;
    CHECK(n.h.Run({"BLMOVE", "s", "d", "LEFT", "RIGHT", "0"}, "b").empty());
    CHECK(n.h.Run({"LPUSH", "s", "x"}) == "1");
    CHECK(n.h.TakeReply("b") == "\"x\"");
    CHECK(n.Take() == Events{"new s", "lpush s", "new d", "rpush d", "lpop s", "del s"});
  }
  SECTION("BLMPOP empties the list it pops from") {
    NotifyHarness n;
    CHECK(n.h.Run({"BLMPOP", "0", "2", "a", "l", "RIGHT", "COUNT", "3"}, "b").empty());
    CHECK(n.h.Run({"RPUSH", "l", "x", "y"}) == "2");
    CHECK(n.h.TakeReply("b") == "[\"l\", [\"y\", \"x\"]]");
    CHECK(n.Take() == Events{"new l", "rpush l", "rpop l", "del l"});
  }
  SECTION("two waiters share one push in arrival order") {
    NotifyHarness n;
    n.h.Run({"BRPOP", "l", "0"}, "b1");
    n.h.Run({"BLPOP", "l", "0"}, "b2");
    CHECK(n.h.Run({"LPUSH", "l", "a", "b"}) == "2");
    CHECK(n.h.TakeReply("b1") == "[\"l\", \"a\"]");
    CHECK(n.h.TakeReply("b2") == "[\"l\", \"b\"]");
    CHECK(n.Take() == Events{"new l", "lpush l", "rpop l", "lpop l", "del l"});
  }
}

TEST_CASE("list and hash writes invalidate WATCH only when Redis signals",
          "[notify][list][hash][multi]") {
  struct WatchRow {
    std::vector<Argv> setup;
    std::string_view key;
    Argv change;
    bool aborts;
  };
  const std::vector<WatchRow> rows = {
      {{}, "l", {"LPUSH", "l", "a"}, true},
      {{}, "l", {"LPUSHX", "l", "a"}, false},
      {{{"RPUSH", "l", "a"}}, "l", {"LPOP", "l", "0"}, false},
      {{{"RPUSH", "l", "a"}}, "l", {"RPOP", "l"}, true},
      {{{"RPUSH", "l", "a"}}, "l", {"LREM", "l", "0", "z"}, false},
      {{{"RPUSH", "l", "a"}}, "l", {"LINSERT", "l", "BEFORE", "z", "b"}, false},
      {{{"RPUSH", "l", "a"}}, "l", {"LSET", "l", "3", "b"}, false},
      // LTRIM signals even when nothing was trimmed.
      {{{"RPUSH", "l", "a"}}, "l", {"LTRIM", "l", "0", "-1"}, true},
      {{{"RPUSH", "s", "a"}}, "d", {"LMOVE", "s", "d", "LEFT", "LEFT"}, true},
      {{{"RPUSH", "s", "a"}, {"SET", "d", "x"}}, "s", {"LMOVE", "s", "d", "LEFT", "LEFT"}, false},
      {{{"HSET", "h", "f", "v"}}, "h", {"HSET", "h", "f", "v"}, true},
      {{{"HSET", "h", "f", "v"}}, "h", {"HSETNX", "h", "f", "w"}, false},
      {{{"HSET", "h", "f", "v"}}, "h", {"HDEL", "h", "zz"}, false},
      {{{"HSET", "h", "f", "v"}}, "h", {"HDEL", "h", "f"}, true},
      {{{"HSET", "h", "f", "x"}}, "h", {"HINCRBY", "h", "f", "1"}, false},
      {{}, "h", {"HINCRBYFLOAT", "h", "f", "1"}, true},
  };
  for (const WatchRow& row : rows) {
    std::string shown;
    for (std::string_view a : row.change) shown += std::string(a) + " ";
    INFO(shown);
    CHECK(WatchedExec(row.setup, row.key, row.change) ==
          (row.aborts ? kAborted : std::string_view("[PONG]")));
  }
}

TEST_CASE("a BLMOVE served by a push invalidates a WATCH on its destination",
          "[notify][list][blocking][multi]") {
  CommandHarness h;
  CHECK(h.Run({"BLMOVE", "s", "d", "LEFT", "LEFT", "0"}, "b").empty());
  CHECK(h.Run({"WATCH", "d"}, "w") == "OK");
  CHECK(h.Run({"RPUSH", "s", "x"}) == "1");
  CHECK(h.TakeReply("b") == "\"x\"");
  CHECK(h.Run({"MULTI"}, "w") == "OK");
  CHECK(h.Run({"PING"}, "w") == "QUEUED");
  CHECK(h.Run({"EXEC"}, "w") == kAborted);
}

}  // namespace
}  // namespace baozi::testing
