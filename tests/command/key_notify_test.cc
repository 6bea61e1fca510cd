// Keyspace events and WATCH signals of the string, bit, keyspace and SORT commands. Every
// expected value was taken from redis-server 7.0.15: each row's setup and command were replayed
// there with notify-keyspace-events KEAn and active expiry off, and what it published recorded.
//
// A "sub" client listens on every keyevent channel of every database; a row runs its setup,
// drains the subscriber, runs one command and compares the events it published, in order, as
// "event key" ("event@N key" for database N other than 0). "new" is enabled so a key's creation
// shows in its place before the command's own event. "@wait" in a setup moves the clock past
// the short TTLs the row set, without running the cron, so the key expires lazily on the command.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/command/notify_harness.h"

namespace baozi::testing {
namespace {

std::string Shown(const Argv& argv) {
  std::string s;
  for (std::string_view a : argv) s += std::string(a) + " ";
  return s;
}

TEST_CASE("string commands publish t_string.c's events", "[notify][string]") {
  CheckRows({
      {{}, {"SET", "k", "v"}, {"new k", "set k"}},
      {{{"SET", "k", "v"}}, {"SET", "k", "w"}, {"set k"}},
      {{}, {"SET", "k", "v", "EX", "100"}, {"new k", "set k", "expire k"}},
      {{}, {"SET", "k", "v", "PXAT", "1"}, {"new k", "set k", "expire k"}},
      {{{"SET", "k", "v"}}, {"SET", "k", "w", "NX"}, {}},
      {{}, {"SET", "k", "w", "XX"}, {}},
      {{{"SET", "k", "v", "EX", "100"}}, {"SET", "k", "w", "KEEPTTL", "GET"}, {"set k"}},
      {{{"RPUSH", "k", "a"}}, {"SET", "k", "w", "GET"}, {}},
      {{{"SET", "k", "v", "PX", "100"}, {"@wait"}},
       {"SET", "k", "w"},
       {"expired k", "new k", "set k"}},
      {{}, {"SETNX", "k", "v"}, {"new k", "set k"}},
      {{{"SET", "k", "v"}}, {"SETNX", "k", "w"}, {}},
      {{}, {"SETEX", "k", "100", "v"}, {"new k", "set k", "expire k"}},
      {{}, {"PSETEX", "k", "100", "v"}, {"new k", "set k", "expire k"}},
      {{}, {"SETEX", "k", "0", "v"}, {}},
      {{{"SET", "k", "v"}}, {"GETSET", "k", "w"}, {"set k"}},
      {{{"RPUSH", "k", "a"}}, {"GETSET", "k", "w"}, {}},
      {{{"SET", "k", "v"}}, {"GETDEL", "k"}, {"del k"}},
      {{}, {"GETDEL", "k"}, {}},
      {{{"SET", "k", "v"}}, {"GETEX", "k"}, {}},
      {{{"SET", "k", "v"}}, {"GETEX", "k", "EX", "100"}, {"expire k"}},
      {{{"SET", "k", "v"}}, {"GETEX", "k", "PXAT", "1"}, {"del k"}},
      {{{"SET", "k", "v", "EX", "100"}}, {"GETEX", "k", "PERSIST"}, {"persist k"}},
      {{{"SET", "k", "v"}}, {"GETEX", "k", "PERSIST"}, {}},
      {{}, {"GETEX", "k", "EX", "100"}, {}},
      {{{"SET", "b", "x"}}, {"MSET", "a", "1", "b", "2"}, {"new a", "set a", "set b"}},
      {{{"SET", "b", "x"}}, {"MSETNX", "a", "1", "b", "2"}, {}},
      {{}, {"MSETNX", "a", "1", "b", "2"}, {"new a", "set a", "new b", "set b"}},
      {{}, {"APPEND", "k", "x"}, {"new k", "append k"}},
      {{{"SET", "k", "v"}}, {"APPEND", "k", "x"}, {"append k"}},
      {{}, {"SETRANGE", "k", "2", "x"}, {"new k", "setrange k"}},
      {{}, {"SETRANGE", "k", "2", ""}, {}},
      {{{"SET", "k", "v"}}, {"SETRANGE", "k", "0", ""}, {}},
      {{{"SET", "k", "v"}}, {"SETRANGE", "k", "5", "x"}, {"setrange k"}},
      {{}, {"INCR", "k"}, {"new k", "incrby k"}},
      {{{"SET", "k", "5"}}, {"DECR", "k"}, {"incrby k"}},
      {{{"SET", "k", "5"}}, {"INCRBY", "k", "3"}, {"incrby k"}},
      {{{"SET", "k", "5"}}, {"DECRBY", "k", "3"}, {"incrby k"}},
      {{{"SET", "k", "v"}}, {"INCR", "k"}, {}},
      {{}, {"INCRBYFLOAT", "k", "1.5"}, {"new k", "incrbyfloat k"}},
      {{{"SET", "k", "1"}}, {"INCRBYFLOAT", "k", "1.5"}, {"incrbyfloat k"}},
      {{{"SET", "a", "x"}, {"SET", "b", "y"}}, {"LCS", "a", "b"}, {}},
      {{{"SET", "k", "v", "PX", "100"}, {"@wait"}}, {"GET", "k"}, {"expired k"}},
  });
}

TEST_CASE("bit commands publish bitops.c's events, only when a bit changed", "[notify][bit]") {
  CheckRows({
      {{}, {"SETBIT", "k", "7", "1"}, {"new k", "setbit k"}},
      {{{"SETBIT", "k", "7", "1"}}, {"SETBIT", "k", "7", "1"}, {}},
      {{{"SETBIT", "k", "7", "1"}}, {"SETBIT", "k", "7", "0"}, {"setbit k"}},
      {{{"SETBIT", "k", "7", "1"}}, {"SETBIT", "k", "100", "0"}, {"setbit k"}},
      {{{"SETBIT", "k", "7", "1"}}, {"SETBIT", "k", "7", "2"}, {}},
      {{{"SET", "a", "ab"}, {"SET", "b", "cd"}},
       {"BITOP", "AND", "d", "a", "b"},
       {"new d", "set d"}},
      {{{"SET", "a", "ab"}, {"SET", "d", "x"}}, {"BITOP", "NOT", "d", "a"}, {"set d"}},
      {{{"SET", "d", "x"}}, {"BITOP", "OR", "d", "m1", "m2"}, {"del d"}},
      {{}, {"BITOP", "OR", "d", "m1", "m2"}, {}},
      {{}, {"BITFIELD", "k", "SET", "u8", "0", "1"}, {"new k", "setbit k"}},
      {{{"BITFIELD", "k", "SET", "u8", "0", "1"}}, {"BITFIELD", "k", "SET", "u8", "0", "1"}, {}},
      {{{"BITFIELD", "k", "SET", "u8", "0", "1"}},
       {"BITFIELD", "k", "INCRBY", "u8", "0", "1"},
       {"setbit k"}},
      {{{"SET", "k", "v"}}, {"BITFIELD", "k", "GET", "u8", "0"}, {}},
      {{}, {"BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "5"}, {"new k"}},
      {{{"SET", "k", "v"}}, {"BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "5"}, {}},
      {{{"SET", "k", "v"}}, {"BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "100", "5"}, {}},
      {{{"SET", "k", "v"}}, {"BITFIELD_RO", "k", "GET", "u8", "0"}, {}},
  });
}

TEST_CASE("keyspace commands publish db.c's and expire.c's events", "[notify][keys]") {
  CheckRows({
      {{{"SET", "a", "1"}, {"SET", "c", "3"}}, {"DEL", "a", "b", "c"}, {"del a", "del c"}},
      {{{"SET", "a", "1"}}, {"UNLINK", "a", "b"}, {"del a"}},
      {{{"SET", "a", "1", "PX", "100"}, {"@wait"}}, {"DEL", "a"}, {"expired a"}},
      {{{"SET", "a", "1"}}, {"EXISTS", "a"}, {}},
      {{{"SET", "a", "1"}}, {"TOUCH", "a"}, {}},
      {{{"SET", "a", "1"}}, {"RENAME", "a", "b"}, {"new b", "rename_from a", "rename_to b"}},
      {{{"SET", "a", "1"}, {"SET", "b", "2"}},
       {"RENAME", "a", "b"},
       {"new b", "rename_from a", "rename_to b"}},
      {{{"SET", "a", "1", "EX", "100"}},
       {"RENAME", "a", "b"},
       {"new b", "rename_from a", "rename_to b"}},
      {{{"SET", "a", "1"}}, {"RENAME", "a", "a"}, {}},
      {{}, {"RENAME", "a", "b"}, {}},
      {{{"SET", "a", "1"}}, {"RENAMENX", "a", "b"}, {"new b", "rename_from a", "rename_to b"}},
      {{{"SET", "a", "1"}, {"SET", "b", "2"}}, {"RENAMENX", "a", "b"}, {}},
      {{{"SET", "a", "1"}}, {"MOVE", "a", "1"}, {"new@1 a", "move_from a", "move_to@1 a"}},
      {{{"SET", "a", "1"}, {"SELECT", "1"}, {"SET", "a", "2"}, {"SELECT", "0"}},
       {"MOVE", "a", "1"},
       {}},
      {{}, {"MOVE", "a", "1"}, {}},
      {{{"SET", "a", "1"}}, {"COPY", "a", "b"}, {"new b", "copy_to b"}},
      {{{"SET", "a", "1"}}, {"COPY", "a", "b", "DB", "1"}, {"new@1 b", "copy_to@1 b"}},
      {{{"SET", "a", "1"}, {"SET", "b", "2"}}, {"COPY", "a", "b"}, {}},
      {{{"SET", "a", "1"}, {"SET", "b", "2"}},
       {"COPY", "a", "b", "REPLACE"},
       {"new b", "copy_to b"}},
      {{}, {"COPY", "a", "b"}, {}},
      {{{"SET", "a", "1"}}, {"EXPIRE", "a", "100"}, {"expire a"}},
      {{{"SET", "a", "1"}}, {"EXPIRE", "a", "0"}, {"del a"}},
      {{{"SET", "a", "1"}}, {"PEXPIREAT", "a", "1"}, {"del a"}},
      {{{"SET", "a", "1", "EX", "100"}}, {"EXPIRE", "a", "200", "NX"}, {}},
      {{{"SET", "a", "1", "EX", "100"}}, {"EXPIRE", "a", "200", "GT"}, {"expire a"}},
      {{}, {"EXPIRE", "a", "100"}, {}},
      {{{"SET", "a", "1", "EX", "100"}}, {"PERSIST", "a"}, {"persist a"}},
      {{{"SET", "a", "1"}}, {"PERSIST", "a"}, {}},
      {{{"SET", "a", "1"}}, {"FLUSHDB"}, {}},
      {{{"SET", "a", "1"}}, {"FLUSHALL"}, {}},
      {{{"SET", "a", "1"}}, {"SWAPDB", "0", "1"}, {}},
      {{{"SET", "a", "1"}}, {"TYPE", "a"}, {}},
  });
}

TEST_CASE("SORT ... STORE publishes sortstore, or del when the result is empty", "[notify][sort]") {
  CheckRows({
      {{{"RPUSH", "l", "3", "1", "2"}}, {"SORT", "l", "STORE", "d"}, {"new d", "sortstore d"}},
      {{{"RPUSH", "l", "3", "1", "2"}, {"SET", "d", "x"}},
       {"SORT", "l", "STORE", "d"},
       {"sortstore d"}},
      {{{"SET", "d", "x"}}, {"SORT", "missing", "STORE", "d"}, {"del d"}},
      {{}, {"SORT", "missing", "STORE", "d"}, {}},
      {{{"RPUSH", "l", "3", "1", "2"}}, {"SORT", "l"}, {}},
      {{{"RPUSH", "l", "3", "1", "2"}}, {"SORT_RO", "l"}, {}},
      {{{"RPUSH", "l", "3", "1", "2"}, {"SET", "d", "x"}},
       {"SORT", "l", "LIMIT", "5", "1", "STORE", "d"},
       {"del d"}},
  });
}

// WATCH: a row's command runs on "default" after "w" watched `key`; EXEC on "w" tells whether it
// was signalled (Redis's signalModifiedKey). Writes that change nothing signal nothing.
struct WatchRow {
  std::vector<Argv> setup;
  std::string_view key;
  Argv command;
  bool aborts;
};

void CheckWatchRows(const std::vector<WatchRow>& rows) {
  for (const WatchRow& row : rows) {
    NotifyHarness n;
    n.Setup(row.setup);
    INFO(Shown(row.command));
    CHECK(n.h.Run({"WATCH", row.key}, "w") == "OK");
    n.h.Run(row.command);
    CHECK(n.h.Run({"MULTI"}, "w") == "OK");
    CHECK(n.h.Run({"PING"}, "w") == "QUEUED");
    CHECK(n.h.Run({"EXEC"}, "w") == (row.aborts ? kAborted : kRan));
  }
}

TEST_CASE("WATCH: string, bit, keyspace and SORT writes signal the keys they change",
          "[notify][watch]") {
  CheckWatchRows({
      {{}, "k", {"SET", "k", "v"}, true},
      {{{"SET", "k", "v"}}, "k", {"APPEND", "k", "x"}, true},
      {{{"SET", "k", "v"}}, "k", {"SETRANGE", "k", "1", "x"}, true},
      {{}, "k", {"INCR", "k"}, true},
      {{}, "k", {"INCRBYFLOAT", "k", "2"}, true},
      {{{"SET", "k", "v"}}, "k", {"GETDEL", "k"}, true},
      {{{"SET", "k", "v"}}, "k", {"GETEX", "k", "EX", "100"}, true},
      {{{"SET", "k", "v", "EX", "100"}}, "k", {"GETEX", "k", "PERSIST"}, true},
      {{}, "b", {"MSET", "a", "1", "b", "2"}, true},
      {{}, "k", {"SETBIT", "k", "3", "1"}, true},
      {{{"SET", "k", "v"}}, "k", {"BITFIELD", "k", "INCRBY", "u8", "0", "1"}, true},
      {{{"SET", "a", "x"}}, "d", {"BITOP", "NOT", "d", "a"}, true},
      {{{"SET", "d", "x"}}, "d", {"BITOP", "AND", "d", "m"}, true},
      {{{"SET", "k", "v"}}, "k", {"EXPIRE", "k", "100"}, true},
      {{{"SET", "k", "v"}}, "k", {"PEXPIRE", "k", "0"}, true},
      {{{"SET", "k", "v", "EX", "100"}}, "k", {"PERSIST", "k"}, true},
      {{{"SET", "k", "v"}}, "k", {"UNLINK", "k"}, true},
      {{{"SET", "a", "v"}}, "k", {"COPY", "a", "k"}, true},
      {{{"RPUSH", "l", "1"}}, "d", {"SORT", "l", "STORE", "d"}, true},
      {{{"SET", "d", "x"}}, "d", {"SORT", "l", "STORE", "d"}, true},
      {{{"SET", "a", "v"}}, "a", {"RENAMENX", "a", "b"}, true},
  });
}

TEST_CASE("WATCH: writes that change nothing leave EXEC running", "[notify][watch]") {
  CheckWatchRows({
      {{{"SET", "k", "v"}}, "k", {"SET", "k", "w", "NX"}, false},
      {{{"SET", "k", "v"}}, "k", {"SETNX", "k", "w"}, false},
      {{{"SET", "b", "v"}}, "b", {"MSETNX", "a", "1", "b", "2"}, false},
      {{{"SET", "k", "v"}}, "k", {"SETRANGE", "k", "1", ""}, false},
      {{{"SET", "k", "v"}}, "k", {"GETEX", "k"}, false},
      {{{"SET", "k", "v"}}, "k", {"GETEX", "k", "PERSIST"}, false},
      {{{"SET", "k", "v"}}, "k", {"INCR", "k"}, false},
      {{{"SETBIT", "k", "3", "1"}}, "k", {"SETBIT", "k", "3", "1"}, false},
      {{{"BITFIELD", "k", "SET", "u8", "0", "7"}},
       "k",
       {"BITFIELD", "k", "SET", "u8", "0", "7"},
       false},
      {{{"SET", "k", "v"}}, "k", {"BITFIELD", "k", "GET", "u8", "0"}, false},
      {{}, "d", {"BITOP", "OR", "d", "m1"}, false},
      {{{"SET", "k", "v", "EX", "100"}}, "k", {"EXPIRE", "k", "200", "NX"}, false},
      {{{"SET", "k", "v"}}, "k", {"PERSIST", "k"}, false},
      {{}, "k", {"DEL", "k"}, false},
      {{{"SET", "a", "v"}, {"SET", "k", "w"}}, "k", {"COPY", "a", "k"}, false},
      {{{"SET", "k", "v"}}, "k", {"RENAME", "k", "k"}, false},
      {{{"SET", "k", "v"}}, "k", {"MOVE", "k", "0"}, false},
      {{}, "d", {"SORT", "l", "STORE", "d"}, false},
      {{{"SET", "k", "v"}}, "k", {"LCS", "k", "k"}, false},
  });
}

TEST_CASE("WATCH: COPY ... DB and MOVE signal the key in the destination database",
          "[notify][watch]") {
  for (Argv command : {Argv{"COPY", "a", "k", "DB", "1"}, Argv{"MOVE", "k", "1"}}) {
    INFO(Shown(command));
    NotifyHarness n;
    n.h.Run({"SET", "a", "v"});
    n.h.Run({"SET", "k", "v"});
    CHECK(n.h.Run({"SELECT", "1"}, "w") == "OK");
    CHECK(n.h.Run({"WATCH", "k"}, "w") == "OK");
    CHECK(n.h.Run(command) == "1");
    CHECK(n.h.Run({"MULTI"}, "w") == "OK");
    CHECK(n.h.Run({"PING"}, "w") == "QUEUED");
    CHECK(n.h.Run({"EXEC"}, "w") == kAborted);
  }
}

}  // namespace
}  // namespace baozi::testing
