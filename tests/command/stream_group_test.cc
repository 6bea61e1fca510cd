// Consumer groups and XINFO through the real dispatcher: XGROUP, XACK, XPENDING, XCLAIM,
// XAUTOCLAIM, XINFO. Expected replies, events and propagated commands are redis-server 7.0.15's
// (checked against it), error precedence included; idle times come from the injected clock.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "tests/command/aof_capture.h"
#include "tests/command/harness.h"
#include "tests/command/notify_harness.h"

using baozi::testing::CapturingSink;
using baozi::testing::CommandHarness;
using baozi::testing::NotifyHarness;
using std::chrono::milliseconds;

namespace {

constexpr const char* kWrongType =
    "(error) WRONGTYPE Operation against a key holding the wrong kind of value";
constexpr const char* kBadId = "(error) ERR Invalid stream ID specified as stream command argument";
constexpr const char* kRequiresKey =
    "(error) ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may "
    "want to use the MKSTREAM option to create an empty stream automatically.";

// Stream s with entries 1-1..n-1 (field f, value i), group g at 0, and everything delivered to
// alice.
void Populate(CommandHarness& h, int n) {
  for (int i = 1; i <= n; ++i) {
    std::string id = std::to_string(i) + "-1";
    std::string v = std::to_string(i);
    h.Run({"XADD", "s", id, "f", v});
  }
  h.Run({"XGROUP", "CREATE", "s", "g", "0"});
  h.Run({"XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"});
}

std::string Ms(int64_t v) { return std::to_string(v); }

}  // namespace

TEST_CASE("XGROUP CREATE: MKSTREAM, ENTRIESREAD, $ and the error order", "[stream][xgroup]") {
  CommandHarness h;
  CHECK(h.Run({"XGROUP", "CREATE", "nokey", "g", "$"}) == kRequiresKey);
  CHECK(h.Run({"XGROUP", "CREATE", "nokey", "g", "$", "MKSTREAM"}) == "OK");
  CHECK(h.Run({"TYPE", "nokey"}) == "stream");
  CHECK(h.Run({"XGROUP", "CREATE", "nokey", "g", "$"}) ==
        "(error) BUSYGROUP Consumer Group name already exists");
  CHECK(h.Run({"XINFO", "GROUPS", "nokey"}) ==
        "[[\"name\", \"g\", \"consumers\", 0, \"pending\", 0, \"last-delivered-id\", \"0-0\", "
        "\"entries-read\", nil, \"lag\", 0]]");
  // Options are checked first, then the key, then the ID; nothing is created on a bad ID.
  CHECK(h.Run({"XGROUP", "CREATE", "k2", "g", "0", "MKSTREAM", "ENTRIESREAD"}) ==
        "(error) ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP "
        "HELP.");
  CHECK(h.Run({"XGROUP", "CREATE", "k2", "g", "0", "MKSTREAM", "ENTRIESREAD", "-2"}) ==
        "(error) ERR value for ENTRIESREAD must be positive or -1");
  CHECK(h.Run({"XGROUP", "CREATE", "k2", "g", "0", "MKSTREAM", "ENTRIESREAD", "abc"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"XGROUP", "CREATE", "k2", "g", "bad", "MKSTREAM"}) == kBadId);
  CHECK(h.Run({"XGROUP", "CREATE", "k2", "g", "-", "MKSTREAM"}) == kBadId);
  CHECK(h.Run({"XGROUP", "CREATE", "k2", "g", "+", "MKSTREAM"}) == kBadId);
  CHECK(h.Run({"EXISTS", "k2"}) == "0");
  CHECK(
      h.Run({"XGROUP", "CREATE", "k2", "g", "0", "MKSTREAM", "MKSTREAM", "MKSTREAM", "MKSTREAM"}) ==
      "(error) ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP "
      "HELP.");
  CHECK(h.Run({"XGROUP", "CREATE", "k2", "g", "0", "foo"}) ==
        "(error) ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP "
        "HELP.");
  h.Run({"SET", "str", "x"});
  CHECK(h.Run({"XGROUP", "CREATE", "str", "g", "0", "MKSTREAM"}) == kWrongType);
  CHECK(h.Run({"XGROUP", "CREATE", "str", "g", "bad"}) == kWrongType);
  CHECK(h.Run({"XGROUP", "CREATE", "str", "g", "0", "ENTRIESREAD", "-5"}) ==
        "(error) ERR value for ENTRIESREAD must be positive or -1");

  h.Run({"XADD", "s", "1-1", "a", "1"});
  h.Run({"XADD", "s", "2-1", "b", "2"});
  CHECK(h.Run({"XGROUP", "CREATE", "s", "last", "$"}) == "OK");
  CHECK(h.Run({"XGROUP", "CREATE", "s", "zero", "0"}) == "OK");
  CHECK(h.Run({"XGROUP", "CREATE", "s", "ahead", "0", "ENTRIESREAD", "100"}) == "OK");
  CHECK(h.Run({"XGROUP", "CREATE", "s", "five", "5", "ENTRIESREAD", "1"}) == "OK");
  CHECK(h.Run({"XINFO", "GROUPS", "s"}) ==
        "[[\"name\", \"ahead\", \"consumers\", 0, \"pending\", 0, \"last-delivered-id\", "
        "\"0-0\", \"entries-read\", 100, \"lag\", -98], "
        "[\"name\", \"five\", \"consumers\", 0, \"pending\", 0, \"last-delivered-id\", \"5-0\", "
        "\"entries-read\", 1, \"lag\", 1], "
        "[\"name\", \"last\", \"consumers\", 0, \"pending\", 0, \"last-delivered-id\", \"2-1\", "
        "\"entries-read\", nil, \"lag\", 0], "
        "[\"name\", \"zero\", \"consumers\", 0, \"pending\", 0, \"last-delivered-id\", \"0-0\", "
        "\"entries-read\", nil, \"lag\", 2]]");
  CHECK(h.Run({"XGROUP", "CREATE"}) ==
        "(error) ERR wrong number of arguments for 'xgroup|create' command");
  CHECK(h.Run({"XGROUP", "FOO"}) == "(error) ERR unknown subcommand 'FOO'. Try XGROUP HELP.");
}

TEST_CASE("XGROUP SETID, DESTROY, CREATECONSUMER, DELCONSUMER, HELP", "[stream][xgroup]") {
  CommandHarness h;
  h.Run({"XADD", "s", "1-1", "a", "1"});
  h.Run({"XADD", "s", "2-1", "b", "2"});
  h.Run({"XGROUP", "CREATE", "s", "g", "0"});
  CHECK(h.Run({"XGROUP", "SETID", "s", "nog", "0"}) ==
        "(error) NOGROUP No such consumer group 'nog' for key name 's'");
  CHECK(h.Run({"XGROUP", "SETID", "nokey", "g", "0"}) == kRequiresKey);
  CHECK(h.Run({"XGROUP", "SETID", "s", "g", "0", "MKSTREAM"}) ==
        "(error) ERR unknown subcommand or wrong number of arguments for 'SETID'. Try XGROUP "
        "HELP.");
  // SETID takes "-" and "+" (non-strict IDs), and "$".
  CHECK(h.Run({"XGROUP", "SETID", "s", "g", "+"}) == "OK");
  CHECK(h.Run({"XINFO", "GROUPS", "s"}) ==
        "[[\"name\", \"g\", \"consumers\", 0, \"pending\", 0, \"last-delivered-id\", "
        "\"18446744073709551615-18446744073709551615\", \"entries-read\", nil, \"lag\", nil]]");
  CHECK(h.Run({"XGROUP", "SETID", "s", "g", "1", "ENTRIESREAD", "1"}) == "OK");
  CHECK(h.Run({"XINFO", "GROUPS", "s"}) ==
        "[[\"name\", \"g\", \"consumers\", 0, \"pending\", 0, \"last-delivered-id\", \"1-0\", "
        "\"entries-read\", 1, \"lag\", 1]]");
  CHECK(h.Run({"XGROUP", "SETID", "s", "g", "$", "ENTRIESREAD", "x"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"XGROUP", "SETID", "s", "g", "bad", "ENTRIESREAD", "-5"}) ==
        "(error) ERR value for ENTRIESREAD must be positive or -1");
  CHECK(h.Run({"XGROUP", "SETID", "s", "g", "bad"}) == kBadId);
  CHECK(h.Run({"XGROUP", "SETID", "s", "g", "$"}) == "OK");
  CHECK(h.Run({"XINFO", "GROUPS", "s"}) ==
        "[[\"name\", \"g\", \"consumers\", 0, \"pending\", 0, \"last-delivered-id\", \"2-1\", "
        "\"entries-read\", nil, \"lag\", 0]]");
  // ENTRIESREAD twice: parsed, then the argument count fails.
  CHECK(h.Run({"XGROUP", "SETID", "s", "g", "1", "ENTRIESREAD", "5", "ENTRIESREAD", "6"}) ==
        "(error) ERR unknown subcommand or wrong number of arguments for 'SETID'. Try XGROUP "
        "HELP.");

  CHECK(h.Run({"XGROUP", "CREATECONSUMER", "s", "nog", "c"}) ==
        "(error) NOGROUP No such consumer group 'nog' for key name 's'");
  CHECK(h.Run({"XGROUP", "CREATECONSUMER", "nokey", "g", "c"}) == kRequiresKey);
  CHECK(h.Run({"XGROUP", "CREATECONSUMER", "s", "g", "c"}) == "1");
  CHECK(h.Run({"XGROUP", "CREATECONSUMER", "s", "g", "c"}) == "0");
  h.Run({"XGROUP", "SETID", "s", "g", "0"});
  h.Run({"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"});
  CHECK(h.Run({"XGROUP", "DELCONSUMER", "s", "g", "c"}) == "2");
  CHECK(h.Run({"XGROUP", "DELCONSUMER", "s", "g", "c"}) == "0");
  CHECK(h.Run({"XPENDING", "s", "g"}) == "[0, nil, nil, nil-array]");
  CHECK(h.Run({"XGROUP", "DELCONSUMER", "s", "nog", "c"}) ==
        "(error) NOGROUP No such consumer group 'nog' for key name 's'");

  CHECK(h.Run({"XGROUP", "DESTROY", "s", "nog"}) == "0");
  CHECK(h.Run({"XGROUP", "DESTROY", "s", "g"}) == "1");
  CHECK(h.Run({"XGROUP", "DESTROY", "s", "g"}) == "0");
  CHECK(h.Run({"XGROUP", "DESTROY", "nokey", "g"}) == kRequiresKey);
  CHECK(h.Run({"XGROUP", "DESTROY", "s", "g", "x"}) ==
        "(error) ERR wrong number of arguments for 'xgroup|destroy' command");
  h.Run({"SET", "str", "x"});
  CHECK(h.Run({"XGROUP", "DESTROY", "str", "g"}) == kWrongType);
  CHECK(h.Run({"XGROUP", "SETID", "str", "g", "0"}) == kWrongType);

  auto help = h.RunValue({"XGROUP", "HELP"});
  REQUIRE(help.elems.size() == 17);
  CHECK(help.elems[0].str == "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  CHECK(help.elems[14].str == "    Set the current group ID and entries_read counter.");
  CHECK(help.elems[16].str == "    Prints this help.");
  CHECK(h.Run({"XGROUP", "HELP", "x"}) ==
        "(error) ERR wrong number of arguments for 'xgroup|help' command");
}

TEST_CASE("XGROUP DESTROY wakes XREADGROUP clients blocked on the group", "[stream][xgroup]") {
  CommandHarness h;
  h.Run({"XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"});
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"}, "b") == "");
  CHECK(h.IsBlocked("b"));
  CHECK(h.Run({"XGROUP", "DESTROY", "s", "g"}) == "1");
  h.AdvanceTime(milliseconds(0));
  CHECK(h.TakeReply("b") ==
        "(error) NOGROUP the consumer group this client was blocked on no longer exists");
  CHECK_FALSE(h.IsBlocked("b"));
}

TEST_CASE("XACK checks the group before the IDs, and every ID before acknowledging",
          "[stream][xack]") {
  CommandHarness h;
  CHECK(h.Run({"XACK", "nokey", "g", "1", "bad"}) == "0");
  h.Run({"SET", "str", "x"});
  CHECK(h.Run({"XACK", "str", "g", "bad"}) == kWrongType);
  Populate(h, 3);
  CHECK(h.Run({"XACK", "s", "nog", "bad"}) == "0");
  CHECK(h.Run({"XACK", "s", "g", "bad"}) == kBadId);
  CHECK(h.Run({"XACK", "s", "g", "1-1", "-"}) == kBadId);
  CHECK(h.Run({"XPENDING", "s", "g"}) == "[3, \"1-1\", \"3-1\", [[\"alice\", \"3\"]]]");
  CHECK(h.Run({"XACK", "s", "g", "1-1", "1-1", "1", "5"}) == "1");
  CHECK(h.Run({"XPENDING", "s", "g"}) == "[2, \"2-1\", \"3-1\", [[\"alice\", \"2\"]]]");
}

TEST_CASE("XPENDING: summary and extended forms, IDLE, ranges and errors", "[stream][xpending]") {
  CommandHarness h;
  h.Run({"SET", "str", "x"});
  CHECK(h.Run({"XPENDING", "str", "g"}) == kWrongType);
  CHECK(h.Run({"XPENDING", "nokey", "g"}) ==
        "(error) NOGROUP No such key 'nokey' or consumer group 'g'");
  // Arguments are parsed before the key is looked up.
  CHECK(h.Run({"XPENDING", "str", "g", "-", "+", "x"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"XPENDING", "nokey", "g", "bad", "+", "10"}) == kBadId);
  Populate(h, 3);
  h.AdvanceTime(milliseconds(100));
  h.Run({"XCLAIM", "s", "g", "bob", "0", "3-1"});
  h.AdvanceTime(milliseconds(50));
  CHECK(h.Run({"XPENDING", "s", "g"}) ==
        "[3, \"1-1\", \"3-1\", [[\"alice\", \"2\"], [\"bob\", \"1\"]]]");
  CHECK(h.Run({"XPENDING", "s", "nog"}) ==
        "(error) NOGROUP No such key 's' or consumer group 'nog'");
  CHECK(h.Run({"XPENDING", "s", "g", "-", "+"}) == "(error) ERR syntax error");
  CHECK(h.Run({"XPENDING", "s", "g", "IDLE", "10", "-", "+"}) == "(error) ERR syntax error");
  CHECK(h.Run({"XPENDING", "s", "g", "IDLE", "x", "-", "+", "10"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"XPENDING", "s", "g", "(", "+", "10"}) == kBadId);
  CHECK(h.Run({"XPENDING", "s", "g", "(-", "+", "10"}) == kBadId);
  CHECK(h.Run({"XPENDING", "s", "g", "(18446744073709551615-18446744073709551615", "+", "10"}) ==
        "(error) ERR invalid start ID for the interval");
  CHECK(h.Run({"XPENDING", "s", "g", "-", "(0-0", "10"}) ==
        "(error) ERR invalid end ID for the interval");

  CHECK(h.Run({"XPENDING", "s", "g", "-", "+", "10"}) ==
        "[[\"1-1\", \"alice\", 150, 1], [\"2-1\", \"alice\", 150, 1], [\"3-1\", \"bob\", 50, 2]]");
  CHECK(h.Run({"XPENDING", "s", "g", "-", "+", "-1"}) == "[]");
  CHECK(h.Run({"XPENDING", "s", "g", "-", "+", "2"}) ==
        "[[\"1-1\", \"alice\", 150, 1], [\"2-1\", \"alice\", 150, 1]]");
  CHECK(h.Run({"XPENDING", "s", "g", "(1-1", "(3-1", "10"}) == "[[\"2-1\", \"alice\", 150, 1]]");
  CHECK(h.Run({"XPENDING", "s", "g", "2", "+", "10", "bob"}) == "[[\"3-1\", \"bob\", 50, 2]]");
  CHECK(h.Run({"XPENDING", "s", "g", "-", "+", "10", "nobody"}) == "[]");
  // Arguments past the consumer are ignored.
  CHECK(h.Run({"XPENDING", "s", "g", "-", "+", "10", "bob", "x", "y"}) ==
        "[[\"3-1\", \"bob\", 50, 2]]");
  CHECK(h.Run({"XPENDING", "s", "g", "IDLE", "100", "-", "+", "10"}) ==
        "[[\"1-1\", \"alice\", 150, 1], [\"2-1\", \"alice\", 150, 1]]");
  CHECK(h.Run({"XPENDING", "s", "g", "IDLE", "100", "-", "+", "10", "bob"}) == "[]");
  CHECK(h.Run({"XPENDING", "s", "g", "IDLE", "-5", "-", "+", "1"}) ==
        "[[\"1-1\", \"alice\", 150, 1]]");
}

TEST_CASE("XCLAIM: options, errors, FORCE, JUSTID, LASTID and deleted entries",
          "[stream][xclaim]") {
  CommandHarness h;
  h.Run({"SET", "str", "x"});
  CHECK(h.Run({"XCLAIM", "str", "g", "c", "x", "1-1"}) == kWrongType);
  CHECK(h.Run({"XCLAIM", "nokey", "g", "c", "x", "1-1"}) ==
        "(error) NOGROUP No such key 'nokey' or consumer group 'g'");
  Populate(h, 3);
  const int64_t t0 = h.clock().NowMs();
  CHECK(h.Run({"XCLAIM", "s", "nog", "c", "x", "1-1"}) ==
        "(error) NOGROUP No such key 's' or consumer group 'nog'");
  CHECK(h.Run({"XCLAIM", "s", "g", "c", "x", "1-1"}) ==
        "(error) ERR Invalid min-idle-time argument for XCLAIM");
  CHECK(h.Run({"XCLAIM", "s", "g", "c", "0", "bad"}) ==
        "(error) ERR Unrecognized XCLAIM option 'bad'");
  CHECK(h.Run({"XCLAIM", "s", "g", "c", "0", "-"}) == "(error) ERR Unrecognized XCLAIM option '-'");
  CHECK(h.Run({"XCLAIM", "s", "g", "c", "0", "1-1", "IDLE"}) ==
        "(error) ERR Unrecognized XCLAIM option 'IDLE'");
  CHECK(h.Run({"XCLAIM", "s", "g", "c", "0", "1-1", "IDLE", "x"}) ==
        "(error) ERR Invalid IDLE option argument for XCLAIM");
  CHECK(h.Run({"XCLAIM", "s", "g", "c", "0", "1-1", "TIME", "x"}) ==
        "(error) ERR Invalid TIME option argument for XCLAIM");
  CHECK(h.Run({"XCLAIM", "s", "g", "c", "0", "1-1", "RETRYCOUNT", "x"}) ==
        "(error) ERR Invalid RETRYCOUNT option argument for XCLAIM");
  CHECK(h.Run({"XCLAIM", "s", "g", "c", "0", "1-1", "LASTID", "-"}) == kBadId);
  CHECK(h.Run({"XCLAIM", "s", "g", "c", "0", "1-1", "LASTID", "9-0", "4-0"}) ==
        "(error) ERR Unrecognized XCLAIM option '4-0'");
  // Nothing was claimed (and no consumer created) by the failed calls.
  CHECK(h.Run({"XINFO", "CONSUMERS", "s", "g"}) ==
        "[[\"name\", \"alice\", \"pending\", 3, \"idle\", 0]]");

  h.AdvanceTime(milliseconds(100));
  // Not idle long enough: nothing claimed, no consumer created.
  CHECK(h.Run({"XCLAIM", "s", "g", "carol", "1000", "1-1", "2-1"}) == "[]");
  CHECK(h.Run({"XCLAIM", "s", "g", "bob", "50", "2-1", "RETRYCOUNT", "7", "IDLE", "5000"}) ==
        "[[\"2-1\", [\"f\", \"2\"]]]");
  CHECK(h.Run({"XPENDING", "s", "g", "2-1", "2-1", "1"}) == "[[\"2-1\", \"bob\", 5000, 7]]");
  // A time in the future or before the epoch means now; IDLE wraps like Redis's arithmetic.
  CHECK(h.Run({"XCLAIM", "s", "g", "bob", "0", "2-1", "TIME", "99999999999999", "JUSTID"}) ==
        "[\"2-1\"]");
  CHECK(h.Run({"XCLAIM", "s", "g", "bob", "0", "2-1", "IDLE", "-9223372036854775808", "JUSTID"}) ==
        "[\"2-1\"]");
  CHECK(h.Run({"XPENDING", "s", "g", "2-1", "2-1", "1"}) == "[[\"2-1\", \"bob\", 0, 7]]");
  CHECK(h.Run({"XCLAIM", "s", "g", "bob", "0", "2-1", "TIME", Ms(t0 + 10), "RETRYCOUNT", "-5"}) ==
        "[[\"2-1\", [\"f\", \"2\"]]]");
  CHECK(h.Run({"XPENDING", "s", "g", "2-1", "2-1", "1"}) == "[[\"2-1\", \"bob\", 90, 8]]");
  // The same ID twice is claimed twice; an ID that is not pending is skipped.
  CHECK(h.Run({"XCLAIM", "s", "g", "dave", "0", "1-1", "9-9", "1-1", "JUSTID"}) ==
        "[\"1-1\", \"1-1\"]");
  // FORCE creates a NACK for an existing entry nobody has pending, never for a missing one.
  h.Run({"XACK", "s", "g", "3-1"});
  CHECK(h.Run({"XCLAIM", "s", "g", "dave", "999999", "3-1", "9-1", "FORCE"}) ==
        "[[\"3-1\", [\"f\", \"3\"]]]");
  CHECK(h.Run({"XPENDING", "s", "g", "-", "+", "10", "dave"}) ==
        "[[\"1-1\", \"dave\", 0, 1], [\"3-1\", \"dave\", 0, 2]]");
  // LASTID moves the group forward only.
  CHECK(h.Run({"XCLAIM", "s", "g", "dave", "999999", "1-1", "LASTID", "100-0"}) == "[]");
  CHECK(h.Run({"XCLAIM", "s", "g", "dave", "999999", "1-1", "LASTID", "50-0"}) == "[]");
  CHECK(h.Run({"XINFO", "GROUPS", "s"}) ==
        "[[\"name\", \"g\", \"consumers\", 3, \"pending\", 3, \"last-delivered-id\", \"100-0\", "
        "\"entries-read\", 3, \"lag\", 0]]");
  // A pending entry deleted from the stream is dropped from the PEL and left out of the reply.
  h.Run({"XDEL", "s", "1-1"});
  CHECK(h.Run({"XCLAIM", "s", "g", "erin", "0", "1-1", "2-1"}) == "[[\"2-1\", [\"f\", \"2\"]]]");
  CHECK(h.Run({"XPENDING", "s", "g"}) ==
        "[2, \"2-1\", \"3-1\", [[\"dave\", \"1\"], [\"erin\", \"1\"]]]");
  // Even when the idle time would not have qualified.
  h.Run({"XDEL", "s", "3-1"});
  CHECK(h.Run({"XCLAIM", "s", "g", "erin", "999999", "3-1"}) == "[]");
  CHECK(h.Run({"XPENDING", "s", "g"}) == "[1, \"2-1\", \"2-1\", [[\"erin\", \"1\"]]]");
}

TEST_CASE("XCLAIM refreshes the claiming consumer's seen time only when it claims",
          "[stream][xclaim]") {
  CommandHarness h;
  Populate(h, 2);
  h.Run({"XGROUP", "CREATECONSUMER", "s", "g", "c"});
  h.AdvanceTime(milliseconds(1000));
  CHECK(h.Run({"XCLAIM", "s", "g", "c", "99999", "1-1"}) == "[]");
  CHECK(h.Run({"XAUTOCLAIM", "s", "g", "c", "99999", "0"}) == "[\"0-0\", [], []]");
  CHECK(h.Run({"XPENDING", "s", "g", "-", "+", "10", "c"}) == "[]");
  CHECK(h.Run({"XINFO", "CONSUMERS", "s", "g"}) ==
        "[[\"name\", \"alice\", \"pending\", 2, \"idle\", 1000], "
        "[\"name\", \"c\", \"pending\", 0, \"idle\", 1000]]");
  CHECK(h.Run({"XCLAIM", "s", "g", "c", "0", "1-1", "JUSTID"}) == "[\"1-1\"]");
  CHECK(h.Run({"XINFO", "CONSUMERS", "s", "g"}) ==
        "[[\"name\", \"alice\", \"pending\", 1, \"idle\", 1000], "
        "[\"name\", \"c\", \"pending\", 1, \"idle\", 0]]");
}

TEST_CASE("XAUTOCLAIM: cursor, COUNT, JUSTID, deleted IDs and errors", "[stream][xautoclaim]") {
  CommandHarness h;
  h.Run({"SET", "str", "x"});
  CHECK(h.Run({"XAUTOCLAIM", "str", "g", "c", "0", "0"}) == kWrongType);
  CHECK(h.Run({"XAUTOCLAIM", "str", "g", "c", "x", "0"}) ==
        "(error) ERR Invalid min-idle-time argument for XAUTOCLAIM");
  CHECK(h.Run({"XAUTOCLAIM", "nokey", "g", "c", "0", "0", "foo"}) == "(error) ERR syntax error");
  CHECK(h.Run({"XAUTOCLAIM", "nokey", "g", "c", "0", "0", "COUNT", "0"}) ==
        "(error) ERR COUNT must be > 0");
  CHECK(h.Run({"XAUTOCLAIM", "nokey", "g", "c", "0", "0", "COUNT", "576460752303423487"}) ==
        "(error) NOGROUP No such key 'nokey' or consumer group 'g'");
  Populate(h, 6);
  CHECK(h.Run({"XAUTOCLAIM", "s", "nog", "c", "0", "0"}) ==
        "(error) NOGROUP No such key 's' or consumer group 'nog'");
  CHECK(h.Run({"XAUTOCLAIM", "s", "g", "c", "0", "bad"}) == kBadId);
  CHECK(h.Run({"XAUTOCLAIM", "s", "g", "c", "0", "("}) == kBadId);
  CHECK(h.Run({"XAUTOCLAIM", "s", "g", "c", "0", "(18446744073709551615-18446744073709551615"}) ==
        "(error) ERR invalid start ID for the interval");
  CHECK(h.Run({"XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "-1"}) ==
        "(error) ERR COUNT must be > 0");
  CHECK(h.Run({"XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "1.5"}) ==
        "(error) ERR COUNT must be > 0");
  CHECK(h.Run({"XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "576460752303423488"}) ==
        "(error) ERR COUNT must be > 0");
  CHECK(h.Run({"XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "576460752303423487"}) ==
        "(error) ERR Insufficient memory, failed allocating transient memory, COUNT too high.");
  CHECK(h.Run({"XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT"}) == "(error) ERR syntax error");

  CHECK(h.Run({"XAUTOCLAIM", "s", "g", "c", "0", "+"}) == "[\"0-0\", [], []]");
  CHECK(h.Run({"XAUTOCLAIM", "s", "g", "c", "0", "(1-1", "COUNT", "2"}) ==
        "[\"4-1\", [[\"2-1\", [\"f\", \"2\"]], [\"3-1\", [\"f\", \"3\"]]], []]");
  h.Run({"XDEL", "s", "4-1", "5-1"});
  CHECK(h.Run({"XAUTOCLAIM", "s", "g", "d", "0", "0", "COUNT", "2", "JUSTID"}) ==
        "[\"3-1\", [\"1-1\", \"2-1\"], []]");
  // Deleted entries count against COUNT and come back in the third element.
  CHECK(h.Run({"XAUTOCLAIM", "s", "g", "d", "0", "(3-1", "COUNT", "2"}) ==
        "[\"6-1\", [], [\"4-1\", \"5-1\"]]");
  CHECK(h.Run({"XPENDING", "s", "g", "-", "+", "10"}) ==
        "[[\"1-1\", \"d\", 0, 1], [\"2-1\", \"d\", 0, 2], [\"3-1\", \"c\", 0, 2], "
        "[\"6-1\", \"alice\", 0, 1]]");
  // COUNT * 10 attempts: entries too recent to claim still use them up.
  h.AdvanceTime(milliseconds(10));
  CHECK(h.Run({"XAUTOCLAIM", "s", "g", "e", "100000000", "0", "COUNT", "1"}) ==
        "[\"0-0\", [], []]");
  CHECK(h.Run({"XAUTOCLAIM", "s", "g", "e", "-5", "0", "COUNT", "1", "JUSTID"}) ==
        "[\"2-1\", [\"1-1\"], []]");
  CHECK(h.Run({"XAUTOCLAIM", "s", "g", "e", "0", "0", "COUNT", "1", "COUNT", "3", "JUSTID"}) ==
        "[\"6-1\", [\"1-1\", \"2-1\", \"3-1\"], []]");
  CHECK(h.Run({"XAUTOCLAIM", "s", "g", "e", "0", "-"}) ==
        "[\"0-0\", [[\"1-1\", [\"f\", \"1\"]], [\"2-1\", [\"f\", \"2\"]], [\"3-1\", [\"f\", "
        "\"3\"]], [\"6-1\", [\"f\", \"6\"]]], []]");
  CHECK(h.Run({"XPENDING", "s", "g", "-", "+", "10"}) ==
        "[[\"1-1\", \"e\", 0, 2], [\"2-1\", \"e\", 0, 3], [\"3-1\", \"e\", 0, 3], "
        "[\"6-1\", \"e\", 0, 2]]");
  // Attempts run out before the PEL does: the cursor is the next entry.
  for (int i = 0; i < 25; ++i) {
    std::string id = std::to_string(10 + i) + "-1";
    h.Run({"XADD", "s", id, "f", "x"});
  }
  h.Run({"XREADGROUP", "GROUP", "g", "zed", "STREAMS", "s", ">"});
  // Nothing has been idle for 5 ms: 10 attempts examine 1-1..15-1.
  CHECK(h.Run({"XAUTOCLAIM", "s", "g", "e", "5", "0", "COUNT", "1", "JUSTID"}) ==
        "[\"16-1\", [], []]");
  CHECK(h.Run({"XAUTOCLAIM", "s", "g", "e", "5", "16-1", "COUNT", "2", "JUSTID"}) ==
        "[\"0-0\", [], []]");
  CHECK(h.Run({"XAUTOCLAIM", "s", "g", "e", "5", "15-1", "COUNT", "2", "JUSTID"}) ==
        "[\"0-0\", [], []]");
  CHECK(h.Run({"XAUTOCLAIM", "s", "g", "e", "5", "14-1", "COUNT", "2", "JUSTID"}) ==
        "[\"34-1\", [], []]");
}

TEST_CASE("XINFO STREAM, GROUPS, CONSUMERS and HELP", "[stream][xinfo]") {
  CommandHarness h;
  h.Run({"SET", "str", "x"});
  CHECK(h.Run({"XINFO", "STREAM", "nokey"}) == "(error) ERR no such key");
  CHECK(h.Run({"XINFO", "STREAM", "str"}) == kWrongType);
  CHECK(h.Run({"XINFO", "GROUPS", "str"}) == kWrongType);
  CHECK(h.Run({"XINFO", "CONSUMERS", "nokey", "g"}) == "(error) ERR no such key");
  CHECK(h.Run({"XINFO", "STREAM", "nokey", "FULL", "COUNT", "1", "x"}) ==
        "(error) ERR no such key");
  CHECK(h.Run({"XINFO", "STREAM"}) ==
        "(error) ERR wrong number of arguments for 'xinfo|stream' command");
  CHECK(h.Run({"XINFO", "FOO", "s"}) == "(error) ERR unknown subcommand 'FOO'. Try XINFO HELP.");

  h.Run({"XGROUP", "CREATE", "e", "g", "$", "MKSTREAM"});
  CHECK(h.Run({"XINFO", "STREAM", "e"}) ==
        "[\"length\", 0, \"radix-tree-keys\", 0, \"radix-tree-nodes\", 1, "
        "\"last-generated-id\", \"0-0\", \"max-deleted-entry-id\", \"0-0\", \"entries-added\", "
        "0, \"recorded-first-entry-id\", \"0-0\", \"groups\", 1, \"first-entry\", nil, "
        "\"last-entry\", nil]");

  Populate(h, 3);
  h.AdvanceTime(milliseconds(20));
  h.Run({"XCLAIM", "s", "g", "bob", "0", "3-1"});
  h.AdvanceTime(milliseconds(5));
  const int64_t now = h.clock().NowMs();
  CHECK(h.Run({"XINFO", "CONSUMERS", "s", "nog"}) ==
        "(error) NOGROUP No such consumer group 'nog' for key name 's'");
  CHECK(h.Run({"XINFO", "CONSUMERS", "s", "g"}) ==
        "[[\"name\", \"alice\", \"pending\", 2, \"idle\", 25], "
        "[\"name\", \"bob\", \"pending\", 1, \"idle\", 5]]");
  CHECK(h.Run({"XINFO", "STREAM", "s", "foo"}) ==
        "(error) ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO "
        "HELP.");
  CHECK(h.Run({"XINFO", "STREAM", "s", "FULL", "COUNT"}) ==
        "(error) ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO "
        "HELP.");
  CHECK(h.Run({"XINFO", "STREAM", "s", "FULL", "foo", "1"}) ==
        "(error) ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO "
        "HELP.");
  CHECK(h.Run({"XINFO", "STREAM", "s", "FULL", "COUNT", "x"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"XINFO", "STREAM", "s"}) ==
        "[\"length\", 3, \"radix-tree-keys\", 1, \"radix-tree-nodes\", 2, "
        "\"last-generated-id\", \"3-1\", \"max-deleted-entry-id\", \"0-0\", \"entries-added\", "
        "3, \"recorded-first-entry-id\", \"1-1\", \"groups\", 1, \"first-entry\", [\"1-1\", "
        "[\"f\", \"1\"]], \"last-entry\", [\"3-1\", [\"f\", \"3\"]]]");
  const std::string t_read = Ms(now - 25);
  const std::string t_claim = Ms(now - 5);
  CHECK(h.Run({"XINFO", "STREAM", "s", "FULL", "COUNT", "1"}) ==
        "[\"length\", 3, \"radix-tree-keys\", 1, \"radix-tree-nodes\", 2, "
        "\"last-generated-id\", \"3-1\", \"max-deleted-entry-id\", \"0-0\", \"entries-added\", "
        "3, \"recorded-first-entry-id\", \"1-1\", \"entries\", [[\"1-1\", [\"f\", \"1\"]]], "
        "\"groups\", [[\"name\", \"g\", \"last-delivered-id\", \"3-1\", \"entries-read\", 3, "
        "\"lag\", 0, \"pel-count\", 3, \"pending\", [[\"1-1\", \"alice\", " +
            t_read + ", 1]], \"consumers\", [[\"name\", \"alice\", \"seen-time\", " + t_read +
            ", \"pel-count\", 2, \"pending\", [[\"1-1\", " + t_read +
            ", 1]]], [\"name\", \"bob\", \"seen-time\", " + t_claim +
            ", \"pel-count\", 1, \"pending\", [[\"3-1\", " + t_claim + ", 2]]]]]]]");
  // COUNT 0 is everything; a negative COUNT the default 10.
  auto all = h.RunValue({"XINFO", "STREAM", "s", "FULL", "COUNT", "0"});
  REQUIRE(all.elems.size() == 18);
  CHECK(all.elems[15].elems.size() == 3);
  CHECK(all.elems[17].elems[0].elems[11].elems.size() == 3);

  // Lag: unknown once an entry past the group's position is deleted, known again when the
  // group has read past it.
  h.Run({"XGROUP", "CREATE", "s", "late", "1-1", "ENTRIESREAD", "1"});
  h.Run({"XDEL", "s", "2-1"});
  CHECK(h.Run({"XINFO", "GROUPS", "s"}) ==
        "[[\"name\", \"g\", \"consumers\", 2, \"pending\", 3, \"last-delivered-id\", \"3-1\", "
        "\"entries-read\", 3, \"lag\", 0], "
        "[\"name\", \"late\", \"consumers\", 0, \"pending\", 0, \"last-delivered-id\", \"1-1\", "
        "\"entries-read\", 1, \"lag\", nil]]");

  auto help = h.RunValue({"XINFO", "HELP"});
  REQUIRE(help.elems.size() == 9);
  CHECK(help.elems[5].str == "STREAM <key> [FULL [COUNT <count>]");
  CHECK(h.Run({"XINFO", "HELP", "x"}) ==
        "(error) ERR wrong number of arguments for 'xinfo|help' command");
}

TEST_CASE("XINFO and XPENDING reply with RESP3 maps and nulls", "[stream][xinfo]") {
  CommandHarness h;
  h.Run({"HELLO", "3"});
  h.Run({"XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"});
  CHECK(h.Run({"XPENDING", "s", "g"}) == "[0, nil, nil, nil]");
  CHECK(h.raw() == "*4\r\n:0\r\n_\r\n_\r\n_\r\n");
  CHECK(h.Run({"XINFO", "GROUPS", "s"}) ==
        "[{\"name\" => \"g\", \"consumers\" => 0, \"pending\" => 0, \"last-delivered-id\" => "
        "\"0-0\", \"entries-read\" => nil, \"lag\" => 0}]");
  CHECK(h.Run({"XINFO", "STREAM", "s", "FULL"}) ==
        "{\"length\" => 0, \"radix-tree-keys\" => 0, \"radix-tree-nodes\" => 1, "
        "\"last-generated-id\" => \"0-0\", \"max-deleted-entry-id\" => \"0-0\", "
        "\"entries-added\" => 0, \"recorded-first-entry-id\" => \"0-0\", \"entries\" => [], "
        "\"groups\" => [{\"name\" => \"g\", \"last-delivered-id\" => \"0-0\", \"entries-read\" "
        "=> nil, \"lag\" => 0, \"pel-count\" => 0, \"pending\" => [], \"consumers\" => []}]}");
}

TEST_CASE("consumer-group commands publish 7.0's events and touch WATCH only for MKSTREAM",
          "[stream][notify]") {
  NotifyHarness n;
  auto& h = n.h;
  CHECK(n.Run({}, {"XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"}) ==
        baozi::testing::Events{"new s", "xgroup-create s"});
  h.Run({"XADD", "s", "1-1", "f", "1"});
  h.Run({"XADD", "s", "2-1", "f", "2"});
  CHECK(n.Run({}, {"XGROUP", "SETID", "s", "g", "0"}) == baozi::testing::Events{"xgroup-setid s"});
  CHECK(n.Run({}, {"XGROUP", "CREATECONSUMER", "s", "g", "c"}) ==
        baozi::testing::Events{"xgroup-createconsumer s"});
  CHECK(n.Run({}, {"XGROUP", "CREATECONSUMER", "s", "g", "c"}).empty());
  h.Run({"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"});
  CHECK(n.Run({}, {"XCLAIM", "s", "g", "d", "0", "1-1"}) ==
        baozi::testing::Events{"xgroup-createconsumer s"});
  CHECK(n.Run({}, {"XAUTOCLAIM", "s", "g", "d", "0", "0"}).empty());
  CHECK(n.Run({}, {"XACK", "s", "g", "1-1"}).empty());
  CHECK(n.Run({}, {"XGROUP", "DELCONSUMER", "s", "g", "d"}) ==
        baozi::testing::Events{"xgroup-delconsumer s"});
  CHECK(n.Run({}, {"XGROUP", "DELCONSUMER", "s", "g", "d"}).empty());
  CHECK(n.Run({}, {"XGROUP", "DESTROY", "s", "g"}) == baozi::testing::Events{"xgroup-destroy s"});

  // WATCH: only the key MKSTREAM creates is signalled.
  auto touched = [&](std::vector<std::string_view> cmd, std::string_view key) {
    h.Run({"WATCH", key}, "w");
    h.Run(cmd);
    h.Run({"MULTI"}, "w");
    h.Run({"PING"}, "w");
    return h.Run({"EXEC"}, "w") == "nil-array";
  };
  h.Run({"XGROUP", "CREATE", "s", "g", "0"});
  CHECK(touched({"XGROUP", "CREATE", "new", "g", "$", "MKSTREAM"}, "new"));
  CHECK_FALSE(touched({"XGROUP", "CREATE", "s", "g2", "0"}, "s"));
  CHECK_FALSE(touched({"XGROUP", "SETID", "s", "g", "0"}, "s"));
  CHECK_FALSE(touched({"XGROUP", "CREATECONSUMER", "s", "g", "x"}, "s"));
  h.Run({"XREADGROUP", "GROUP", "g", "x", "STREAMS", "s", ">"});
  CHECK_FALSE(touched({"XCLAIM", "s", "g", "y", "0", "1-1"}, "s"));
  CHECK_FALSE(touched({"XAUTOCLAIM", "s", "g", "z", "0", "0"}, "s"));
  CHECK_FALSE(touched({"XACK", "s", "g", "1-1"}, "s"));
  CHECK_FALSE(touched({"XGROUP", "DELCONSUMER", "s", "g", "x"}, "s"));
  CHECK_FALSE(touched({"XGROUP", "DESTROY", "s", "g"}, "s"));
}

TEST_CASE("XCLAIM and XAUTOCLAIM propagate as Redis 7.0's AOF shows", "[stream][propagation]") {
  CommandHarness h;
  CapturingSink sink;
  for (int i = 1; i <= 4; ++i) {
    std::string id = std::to_string(i) + "-1";
    h.Run({"XADD", "s", id, "f", "x"});
  }
  h.Run({"XGROUP", "CREATE", "s", "g", "0"});
  h.Run({"XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"});
  const std::string t0 = Ms(h.clock().NowMs());
  h.AdvanceTime(milliseconds(10));
  const std::string t1 = Ms(h.clock().NowMs());
  h.Run({"XDEL", "s", "2-1"});
  h.server().propagation_sink = &sink;
  h.Run({"XCLAIM", "s", "g", "bob", "0", "2-1", "1-1"});
  h.Run({"XCLAIM", "s", "g", "bob", "99999", "1-1", "LASTID", "100-0"});
  h.Run({"XCLAIM", "s", "g", "bob", "99999", "1-1", "LASTID", "50-0"});
  h.Run({"XACK", "s", "g", "9-9"});
  h.Run({"XDEL", "s", "3-1"});
  h.Run({"XAUTOCLAIM", "s", "g", "carl", "0", "0", "COUNT", "2", "JUSTID"});
  h.Run({"XGROUP", "CREATECONSUMER", "s", "g", "bob"});
  h.Run({"XGROUP", "SETID", "s", "g", "$", "ENTRIESREAD", "2"});
  h.server().propagation_sink = nullptr;
  auto xclaim = [](std::string consumer, std::string id, std::string t, std::string n,
                   std::string last) {
    return "XCLAIM s g " + consumer + " 0 " + id + " TIME " + t + " RETRYCOUNT " + n +
           " FORCE JUSTID LASTID " + last;
  };
  std::vector<std::string> got;
  for (const auto& c : sink.commands) {
    std::string line;
    for (const auto& a : c) line += (line.empty() ? "" : " ") + a;
    got.push_back(line);
  }
  const std::vector<std::string> want = {
      "MULTI", xclaim("alice", "2-1", t0, "1", "4-1"),  xclaim("bob", "1-1", t1, "2", "4-1"),
      "EXEC",  "XGROUP SETID s g 100-0 ENTRIESREAD 4",  "XDEL s 3-1",
      "MULTI", xclaim("carl", "1-1", t1, "2", "100-0"), xclaim("alice", "3-1", t0, "1", "100-0"),
      "EXEC",  "XGROUP SETID s g $ ENTRIESREAD 2",
  };
  CHECK(got == want);
}

TEST_CASE("names in NOGROUP errors end at a NUL byte, as Redis's %s formats them",
          "[stream][xgroup]") {
  CommandHarness h;
  using namespace std::string_view_literals;
  const std::string_view key = "k\0ey"sv;
  h.Run({"XADD", key, "1-1", "f", "v"});
  CHECK(h.Run({"XGROUP", "SETID", key, "g\0x"sv, "0"}) ==
        "(error) NOGROUP No such consumer group 'g' for key name 'k'");
  CHECK(h.Run({"XPENDING", "n\0o"sv, "g"}) ==
        "(error) NOGROUP No such key 'n' or consumer group 'g'");
  CHECK(h.Run({"XINFO", "CONSUMERS", key, "g\0x"sv}) ==
        "(error) NOGROUP No such consumer group 'g' for key name 'k'");
}
