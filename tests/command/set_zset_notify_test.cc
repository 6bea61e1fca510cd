// Keyspace events and WATCH signals of the set and sorted-set commands, checked against what
// redis-server 7.0.15 publishes (t_set.c, t_zset.c, blocked.c). A subscriber client listens on
// every keyevent channel; each row runs its setup, drains the subscriber, runs one command and
// compares the "event key" pairs it published, in order. "new" is enabled so that a key's
// creation shows in its place, before the command's own event.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/command/notify_harness.h"

namespace baozi::testing {
namespace {

TEST_CASE("set commands publish t_set.c's events", "[notify][set]") {
  const Argv ab = {"SADD", "s", "a", "b"};
  CheckRows({
      {{}, {"SADD", "s", "a"}, {"new s", "sadd s"}},
      {{ab}, {"SADD", "s", "a", "c"}, {"sadd s"}},
      {{ab}, {"SADD", "s", "a"}, {}},
      {{{"SET", "s", "x"}}, {"SADD", "s", "a"}, {}},
      {{ab}, {"SREM", "s", "a", "z"}, {"srem s"}},
      {{ab}, {"SREM", "s", "a", "b", "z"}, {"srem s", "del s"}},
      {{ab}, {"SREM", "s", "z"}, {}},
      // SMOVE: the source side first, then the destination's creation and "sadd".
      {{{"SADD", "t", "1"}}, {"SMOVE", "t", "u", "1"}, {"srem t", "del t", "new u", "sadd u"}},
      {{ab, {"SADD", "d", "a"}}, {"SMOVE", "s", "d", "a"}, {"srem s"}},
      {{ab}, {"SMOVE", "s", "s", "a"}, {}},
      {{ab}, {"SMOVE", "s", "d", "z"}, {}},
      // SPOP reports before popping, once, whatever the count.
      {{ab}, {"SPOP", "s", "0"}, {}},
      {{ab}, {"SPOP", "s", "1"}, {"spop s"}},
      {{ab}, {"SPOP", "s", "9"}, {"spop s", "del s"}},
      {{{"SADD", "s", "1", "2", "3", "4", "5", "6", "7"}}, {"SPOP", "s", "6"}, {"spop s"}},
      {{{"SADD", "s", "a"}}, {"SPOP", "s"}, {"spop s", "del s"}},
      {{}, {"SPOP", "s", "3"}, {}},
      // The STOREs: a result is stored with the command's event, an empty one deletes.
      {{ab}, {"SINTERSTORE", "d", "s"}, {"new d", "sinterstore d"}},
      {{ab, {"SET", "d", "x"}}, {"SUNIONSTORE", "d", "s", "nokey"}, {"sunionstore d"}},
      {{ab}, {"SDIFFSTORE", "d", "s", "nokey"}, {"new d", "sdiffstore d"}},
      {{ab, {"SADD", "d", "x"}}, {"SINTERSTORE", "d", "s", "nokey"}, {"del d"}},
      {{ab, {"SADD", "d", "x"}}, {"SDIFFSTORE", "d", "s", "s"}, {"del d"}},
      {{ab}, {"SINTERSTORE", "d", "nokey"}, {}},
      {{ab}, {"SUNIONSTORE", "d", "nokey"}, {}},
      {{ab, {"SADD", "d", "x"}, {"SET", "w", "x"}}, {"SINTERSTORE", "d", "s", "w"}, {}},
  });
}

TEST_CASE("sorted-set commands publish t_zset.c's events", "[notify][zset]") {
  const Argv abc = {"ZADD", "z", "1", "a", "2", "b", "3", "c"};
  CheckRows({
      {{}, {"ZADD", "z", "1", "a"}, {"new z", "zadd z"}},
      {{abc}, {"ZADD", "z", "1", "a"}, {}},
      {{abc}, {"ZADD", "z", "CH", "5", "a"}, {"zadd z"}},
      {{abc}, {"ZADD", "z", "XX", "1", "q"}, {}},
      {{}, {"ZADD", "z", "XX", "1", "q"}, {}},
      {{abc}, {"ZADD", "z", "NX", "INCR", "1", "a"}, {}},
      {{abc}, {"ZADD", "z", "INCR", "1", "a"}, {"zincr z"}},
      {{}, {"ZINCRBY", "z", "1", "a"}, {"new z", "zincr z"}},
      {{abc}, {"ZINCRBY", "z", "0", "a"}, {}},
      {{{"ZADD", "z", "inf", "a"}}, {"ZINCRBY", "z", "-inf", "a"}, {}},  // NaN: refused
      {{abc}, {"ZREM", "z", "a", "q"}, {"zrem z"}},
      {{abc}, {"ZREM", "z", "a", "b", "c"}, {"zrem z", "del z"}},
      {{abc}, {"ZREM", "z", "q"}, {}},
      {{abc}, {"ZREMRANGEBYRANK", "z", "0", "0"}, {"zremrangebyrank z"}},
      {{abc}, {"ZREMRANGEBYRANK", "z", "5", "6"}, {}},
      {{abc}, {"ZREMRANGEBYSCORE", "z", "-inf", "+inf"}, {"zremrangebyscore z", "del z"}},
      {{abc}, {"ZREMRANGEBYLEX", "z", "[b", "[b"}, {"zremrangebylex z"}},
      // Pops report once, whatever the count, then "del" if the set emptied.
      {{abc}, {"ZPOPMIN", "z", "0"}, {}},
      {{abc}, {"ZPOPMIN", "z"}, {"zpopmin z"}},
      {{abc}, {"ZPOPMAX", "z", "5"}, {"zpopmax z", "del z"}},
      {{}, {"ZPOPMIN", "z"}, {}},
      {{abc}, {"ZMPOP", "2", "nokey", "z", "MAX", "COUNT", "2"}, {"zpopmax z"}},
      {{abc}, {"BZPOPMIN", "nokey", "z", "0"}, {"zpopmin z"}},
      {{abc}, {"BZMPOP", "0", "1", "z", "MIN", "COUNT", "3"}, {"zpopmin z", "del z"}},
      // ZRANGESTORE and the set operations: the result's event, or "del" for an empty one.
      {{abc}, {"ZRANGESTORE", "d", "z", "0", "0"}, {"new d", "zrangestore d"}},
      {{abc, {"SET", "d", "x"}}, {"ZRANGESTORE", "d", "z", "0", "0"}, {"zrangestore d"}},
      {{abc, {"ZADD", "d", "1", "x"}}, {"ZRANGESTORE", "d", "z", "5", "6"}, {"del d"}},
      {{abc, {"ZADD", "d", "1", "x"}}, {"ZRANGESTORE", "d", "nokey", "0", "-1"}, {"del d"}},
      {{}, {"ZRANGESTORE", "d", "nokey", "0", "-1"}, {}},
      {{abc}, {"ZUNIONSTORE", "d", "1", "z"}, {"new d", "zunionstore d"}},
      {{abc, {"SADD", "s", "a"}}, {"ZINTERSTORE", "d", "2", "z", "s"}, {"new d", "zinterstore d"}},
      {{abc, {"SET", "d", "x"}}, {"ZDIFFSTORE", "d", "1", "z"}, {"zdiffstore d"}},
      {{abc, {"ZADD", "d", "1", "x"}}, {"ZINTERSTORE", "d", "2", "z", "nokey"}, {"del d"}},
      {{abc, {"ZADD", "d", "1", "x"}}, {"ZDIFFSTORE", "d", "2", "z", "z"}, {"del d"}},
      {{}, {"ZUNIONSTORE", "d", "1", "nokey"}, {}},
  });
}

TEST_CASE("a blocked sorted-set pop served later publishes the pop's events",
          "[notify][zset][blocking]") {
  NotifyHarness n;
  CHECK(n.h.Run({"BZPOPMIN", "bz", "0"}, "b1").empty());
  CHECK(n.h.Run({"BZMPOP", "0", "1", "bz", "MAX", "COUNT", "5"}, "b2").empty());
  CHECK(n.h.Run({"ZADD", "bz", "1", "a", "2", "b", "3", "c"}) == "3");
  CHECK(n.h.TakeReply("b1") == "[\"bz\", \"a\", \"1\"]");
  CHECK(n.h.TakeReply("b2") == "[\"bz\", [[\"c\", \"3\"], [\"b\", \"2\"]]]");
  CHECK(n.Take() == Events{"new bz", "zadd bz", "zpopmin bz", "zpopmax bz", "del bz"});
}

TEST_CASE("set and sorted-set writes invalidate WATCH only when Redis signals",
          "[notify][set][zset][multi]") {
  struct WatchRow {
    std::vector<Argv> setup;
    std::string_view key;
    Argv change;
    bool aborts;
  };
  const Argv sa = {"SADD", "s", "a"};
  const Argv za = {"ZADD", "z", "1", "a"};
  const std::vector<WatchRow> rows = {
      {{sa}, "s", {"SADD", "s", "a"}, false},
      {{sa}, "s", {"SADD", "s", "b"}, true},
      {{sa}, "s", {"SREM", "s", "b"}, false},
      {{sa}, "s", {"SPOP", "s", "0"}, false},
      {{sa}, "s", {"SPOP", "s", "1"}, true},
      {{sa}, "s", {"SMOVE", "s", "s", "a"}, false},
      // SMOVE signals its destination only when the member is new there.
      {{sa, {"SADD", "d", "a"}}, "s", {"SMOVE", "s", "d", "a"}, true},
      {{sa, {"SADD", "d", "a"}}, "d", {"SMOVE", "s", "d", "a"}, false},
      {{sa}, "d", {"SMOVE", "s", "d", "a"}, true},
      // A STORE with an empty result signals only if it deleted something.
      {{}, "d", {"SINTERSTORE", "d", "nokey"}, false},
      {{{"SADD", "d", "x"}}, "d", {"SUNIONSTORE", "d", "nokey"}, true},
      {{sa, {"SADD", "d", "a"}}, "d", {"SUNIONSTORE", "d", "s"}, true},
      {{za}, "z", {"ZADD", "z", "1", "a"}, false},
      {{za}, "z", {"ZADD", "z", "GT", "0", "a"}, false},
      {{za}, "z", {"ZADD", "z", "2", "a"}, true},
      {{za}, "z", {"ZINCRBY", "z", "0", "a"}, false},
      {{za}, "z", {"ZREM", "z", "b"}, false},
      {{za}, "z", {"ZREMRANGEBYSCORE", "z", "5", "6"}, false},
      {{za}, "z", {"ZPOPMIN", "z", "0"}, false},
      {{za}, "z", {"ZMPOP", "1", "z", "MIN"}, true},
      {{za}, "d", {"ZRANGESTORE", "d", "z", "5", "6"}, false},
      {{za}, "d", {"ZRANGESTORE", "d", "z", "0", "-1"}, true},
      {{}, "d", {"ZUNIONSTORE", "d", "1", "nokey"}, false},
      {{{"ZADD", "d", "1", "x"}}, "d", {"ZDIFFSTORE", "d", "1", "nokey"}, true},
  };
  for (const WatchRow& row : rows) {
    std::string shown;
    for (std::string_view a : row.change) shown += std::string(a) + " ";
    INFO(shown << "(watching " << row.key << ")");
    CHECK(WatchedExec(row.setup, row.key, row.change) ==
          (row.aborts ? kAborted : std::string_view("[PONG]")));
  }
}

}  // namespace
}  // namespace baozi::testing

namespace baozi::testing {
namespace {

TEST_CASE("an empty *STORE result deletes an expired destination as it stands, like dbDelete",
          "[notify][set][zset]") {
  for (Argv store :
       {Argv{"SINTERSTORE", "d", "nosuch"}, Argv{"SUNIONSTORE", "d", "nosuch"},
        Argv{"ZUNIONSTORE", "d", "1", "nosuch"}, Argv{"ZRANGESTORE", "d", "nosuch", "0", "-1"},
        Argv{"BITOP", "AND", "d", "nosuch"}, Argv{"SORT", "nosuch", "STORE", "d"}}) {
    INFO(store[0]);
    // Redis replies before deleting for the computed cases and after for the early ones; the
    // event is "del" either way, never "expired".
    CHECK(NotifyHarness().Run({{"SET", "d", "v", "PX", "100"}, {"@wait"}}, store) ==
          Events{"del d"});
  }
}

}  // namespace
}  // namespace baozi::testing
