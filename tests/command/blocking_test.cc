// Blocking pops through the real dispatcher with the injected clock: one client blocks, another
// writes, and the first client's reply is read from its buffer — no sleeps anywhere.
#include <catch2/catch.hpp>
#include <string>

#include "tests/command/harness.h"

namespace baozi::testing {
namespace {

using std::chrono::milliseconds;

std::string Id(CommandHarness& h, std::string_view conn) {
  return std::to_string(h.client(conn).id());
}

std::string InfoField(CommandHarness& h, std::string_view field) {
  std::string info = h.RunValue({"INFO", "clients"}).str;
  auto pos = info.find(std::string(field) + ":");
  if (pos == std::string::npos) return "?";
  auto end = info.find("\r\n", pos);
  return info.substr(pos + field.size() + 1, end - pos - field.size() - 1);
}

TEST_CASE("BLPOP blocks until another client pushes", "[blocking]") {
  CommandHarness h;
  CHECK(h.Run({"BLPOP", "q", "0"}, "a").empty());
  CHECK(h.IsBlocked("a"));
  CHECK(InfoField(h, "blocked_clients") == "1");
  CHECK(h.Run({"RPUSH", "q", "job"}, "b") == "1");
  CHECK(h.TakeReply("a") == "[\"q\", \"job\"]");
  CHECK_FALSE(h.IsBlocked("a"));
  CHECK(h.Run({"EXISTS", "q"}, "b") == "0");
  CHECK(InfoField(h, "blocked_clients") == "0");
}

TEST_CASE("waiters are served first come first served, one element each", "[blocking]") {
  CommandHarness h;
  h.Run({"BRPOP", "q", "0"}, "a");
  h.Run({"BRPOP", "q", "0"}, "b");
  h.Run({"BRPOP", "q", "0"}, "c");
  // One push of three elements: the whole command is seen before anyone is served.
  CHECK(h.Run({"LPUSH", "q", "x", "y"}, "p") == "2");
  CHECK(h.TakeReply("a") == "[\"q\", \"x\"]");
  CHECK(h.TakeReply("b") == "[\"q\", \"y\"]");
  CHECK(h.TakeReply("c").empty());
  CHECK(h.IsBlocked("c"));
  CHECK(h.Run({"RPUSH", "q", "z"}, "p") == "1");
  CHECK(h.TakeReply("c") == "[\"q\", \"z\"]");
}

TEST_CASE("the first listed non-empty key wins", "[blocking]") {
  CommandHarness h;
  h.Run({"RPUSH", "k2", "two"});
  h.Run({"RPUSH", "k3", "three"});
  CHECK(h.Run({"BLPOP", "k1", "k2", "k3", "0"}) == "[\"k2\", \"two\"]");
  h.Run({"BLPOP", "k1", "k2", "0"}, "a");
  CHECK(h.Run({"RPUSH", "k2", "late"}, "p") == "1");
  CHECK(h.TakeReply("a") == "[\"k2\", \"late\"]");
}

TEST_CASE("timeouts are seconds as doubles and answer with a null array", "[blocking]") {
  CommandHarness h;
  h.Run({"BLPOP", "q", "0.5"}, "a");
  h.AdvanceTime(milliseconds(499));
  CHECK(h.IsBlocked("a"));
  h.AdvanceTime(milliseconds(1));
  CHECK(h.TakeReply("a") == "nil-array");
  CHECK_FALSE(h.IsBlocked("a"));

  h.Run({"HELLO", "3"}, "r3");
  h.Run({"BLPOP", "q", "0.001"}, "r3");
  h.AdvanceTime(milliseconds(1));
  CHECK(h.TakeReply("r3") == "nil");

  // BRPOPLPUSH times out with a null array too, as Redis 7.0 does.
  h.Run({"BRPOPLPUSH", "q", "d", "1"}, "a");
  h.AdvanceTime(milliseconds(1000));
  CHECK(h.TakeReply("a") == "nil-array");
}

TEST_CASE("timeout parsing follows Redis 7.0", "[blocking]") {
  CommandHarness h;
  CHECK(h.Run({"BLPOP", "q", "-1"}) == "(error) ERR timeout is negative");
  CHECK(h.Run({"BLPOP", "q", "abc"}) == "(error) ERR timeout is not a float or out of range");
  CHECK(h.Run({"BLPOP", "q", "nan"}) == "(error) ERR timeout is not a float or out of range");
  CHECK(h.Run({"BLPOP", "q", " 1"}) == "(error) ERR timeout is not a float or out of range");
  // Beyond the int64 range of milliseconds Redis's cast gives LLONG_MIN: "negative".
  CHECK(h.Run({"BLPOP", "q", "inf"}) == "(error) ERR timeout is negative");
  CHECK(h.Run({"BLPOP", "q", "1e400"}) == "(error) ERR timeout is negative");
  CHECK(h.Run({"BLPOP", "q", "9223372036854775807"}) == "(error) ERR timeout is negative");
  // Timeouts round up to whole milliseconds: a tiny one waits 1 ms, a tiny negative one
  // rounds to 0, which blocks forever.
  CHECK(h.Run({"BLPOP", "q", "0.0001"}, "a").empty());
  CHECK(InfoField(h, "clients_in_timeout_table") == "1");
  h.AdvanceTime(milliseconds(1));
  CHECK(h.TakeReply("a") == "nil-array");
  CHECK(h.Run({"BLPOP", "q", "-0.0001"}, "a").empty());
  h.AdvanceTime(milliseconds(60000));
  CHECK(h.IsBlocked("a"));
  CHECK(InfoField(h, "clients_in_timeout_table") == "0");
}

TEST_CASE("a woken client that finds the element gone keeps waiting", "[blocking]") {
  CommandHarness h;
  h.Run({"BLPOP", "q", "0"}, "a");
  h.Run({"BLPOP", "q", "0"}, "b");
  h.Run({"RPUSH", "q", "only"}, "p");
  CHECK(h.TakeReply("a") == "[\"q\", \"only\"]");
  CHECK(h.TakeReply("b").empty());
  CHECK(h.IsBlocked("b"));
  // A value of the wrong type does not wake it, and it survives the key's deletion.
  h.Run({"DEL", "q"}, "p");
  h.Run({"SET", "q", "string"}, "p");
  CHECK(h.IsBlocked("b"));
  h.Run({"DEL", "q"}, "p");
  h.Run({"RPUSH", "q", "next"}, "p");
  CHECK(h.TakeReply("b") == "[\"q\", \"next\"]");
}

TEST_CASE("the target of BLMOVE wakes its own waiters", "[blocking]") {
  CommandHarness h;
  h.Run({"BLPOP", "dst", "0"}, "a");
  h.Run({"BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"}, "b");
  CHECK(h.Run({"RPUSH", "src", "v"}, "p") == "1");
  CHECK(h.TakeReply("b") == "\"v\"");
  CHECK(h.TakeReply("a") == "[\"dst\", \"v\"]");
  CHECK(h.Run({"EXISTS", "src", "dst"}, "p") == "0");
}

TEST_CASE("RENAME, MOVE and SWAPDB wake waiters", "[blocking]") {
  CommandHarness h;
  h.Run({"BLPOP", "q", "0"}, "a");
  h.Run({"RPUSH", "tmp", "renamed"}, "p");
  CHECK(h.Run({"RENAME", "tmp", "q"}, "p") == "OK");
  CHECK(h.TakeReply("a") == "[\"q\", \"renamed\"]");

  h.Run({"BLPOP", "q", "0"}, "a");
  h.Run({"SELECT", "1"}, "p");
  h.Run({"RPUSH", "q", "moved"}, "p");
  CHECK(h.Run({"MOVE", "q", "0"}, "p") == "1");
  CHECK(h.TakeReply("a") == "[\"q\", \"moved\"]");

  h.Run({"BLPOP", "q", "0"}, "a");
  h.Run({"RPUSH", "q", "swapped"}, "p");  // in db 1
  CHECK(h.Run({"SWAPDB", "0", "1"}, "p") == "OK");
  CHECK(h.TakeReply("a") == "[\"q\", \"swapped\"]");
}

TEST_CASE("a client that goes away leaves no trace and loses no element", "[blocking]") {
  CommandHarness h;
  h.Run({"BLPOP", "q", "5"}, "a");
  h.Run({"BLPOP", "q", "0"}, "b");
  h.Disconnect("a");
  CHECK(InfoField(h, "blocked_clients") == "1");
  CHECK(InfoField(h, "clients_in_timeout_table") == "0");
  h.Disconnect("b");
  CHECK(h.Run({"RPUSH", "q", "kept"}, "p") == "1");
  CHECK(h.Run({"LRANGE", "q", "0", "-1"}, "p") == "[\"kept\"]");
  CHECK(InfoField(h, "blocked_clients") == "0");
}

TEST_CASE("CLIENT UNBLOCK ends a wait as a timeout or an error", "[blocking]") {
  CommandHarness h;
  h.Run({"BLPOP", "q", "0"}, "a");
  CHECK(h.Run({"CLIENT", "UNBLOCK", Id(h, "a")}, "p") == "1");
  CHECK(h.TakeReply("a") == "nil-array");
  CHECK(h.Run({"CLIENT", "UNBLOCK", Id(h, "a")}, "p") == "0");

  h.Run({"BRPOP", "q", "0"}, "a");
  CHECK(h.Run({"CLIENT", "UNBLOCK", Id(h, "a"), "ERROR"}, "p") == "1");
  CHECK(h.TakeReply("a") == "(error) UNBLOCKED client unblocked via CLIENT UNBLOCK");
  CHECK(h.Run({"CLIENT", "UNBLOCK", Id(h, "a"), "maybe"}, "p") ==
        "(error) ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
  CHECK(h.Run({"CLIENT", "UNBLOCK", "x"}, "p") ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"CLIENT", "UNBLOCK", "1", "timeout", "x"}, "p") ==
        "(error) ERR unknown subcommand or wrong number of arguments for 'unblock'. Try CLIENT "
        "HELP.");
}

TEST_CASE("sorted-set waiters are woken by ZADD, list waiters are not", "[blocking]") {
  CommandHarness h;
  h.Run({"BZPOPMIN", "z", "0"}, "a");
  h.Run({"BLPOP", "z", "0"}, "b");
  CHECK(h.Run({"ZADD", "z", "2", "two", "1", "one"}, "p") == "2");
  CHECK(h.TakeReply("a") == "[\"z\", \"one\", \"1\"]");
  CHECK(h.IsBlocked("b"));
  CHECK(h.Run({"ZCARD", "z"}, "p") == "1");
}

TEST_CASE("a key named twice is waited on once", "[blocking]") {
  CommandHarness h;
  h.Run({"BLPOP", "q", "q", "0"}, "a");
  h.Run({"RPUSH", "q", "1", "2"}, "p");
  CHECK(h.TakeReply("a") == "[\"q\", \"1\"]");
  CHECK(h.Run({"LLEN", "q"}, "p") == "1");
}

TEST_CASE("where blocking is denied the command answers as its non-blocking form", "[blocking]") {
  CommandHarness h;
  h.client("m").Set(kClientDenyBlocking);  // what MULTI and scripts set
  CHECK(h.Run({"BLPOP", "q", "0"}, "m") == "nil-array");
  CHECK(h.Run({"BZPOPMAX", "z", "0"}, "m") == "nil-array");
  CHECK_FALSE(h.IsBlocked("m"));
}

}  // namespace
}  // namespace baozi::testing
