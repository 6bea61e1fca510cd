// The stream entry commands through the real dispatcher: XADD, XRANGE, XREVRANGE, XLEN, XDEL,
// XTRIM, XSETID, XREAD and XREADGROUP, their propagated forms, keyspace events and blocking.
// Every expected reply, event and propagated command was taken from redis-server 7.0.15 running
// the same commands (replies as redis-cli would show them, propagation from its incr AOF, with
// XCLAIM's TIME being the injected clock here); IDs made by "*" come from the harness clock,
// which starts at 1700000000000 ms.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "tests/command/aof_capture.h"
#include "tests/command/harness.h"
#include "tests/command/notify_harness.h"

namespace baozi::testing {
namespace {

using std::chrono::milliseconds;
using Cmds = std::vector<std::vector<std::string>>;

TEST_CASE("XADD: ID rules, options and every error text", "[stream]") {
  CommandHarness h;
  CHECK(h.Run({"XADD", "s", "0-0", "f", "v"}) ==
        "(error) ERR The ID specified in XADD must be greater than 0-0");
  CHECK(h.Run({"XADD", "s", "0", "f", "v"}) ==
        "(error) ERR The ID specified in XADD must be greater than 0-0");
  CHECK(h.Run({"XADD", "s", "0-*", "f", "v"}) == "\"0-1\"");
  CHECK(h.Run({"XADD", "s", "1-1", "f"}) ==
        "(error) ERR wrong number of arguments for 'xadd' command");
  CHECK(h.Run({"XADD", "s", "1-1"}) == "(error) ERR wrong number of arguments for 'xadd' command");
  CHECK(h.Run({"XADD", "s", "1-1", "f", "v", "g"}) ==
        "(error) ERR wrong number of arguments for 'xadd' command");
  CHECK(h.Run({"XADD", "s", "MAXLEN", "5", "1-1"}) ==
        "(error) ERR wrong number of arguments for 'xadd' command");
  CHECK(h.Run({"XADD", "s", "MAXLEN", "-1", "1-1", "f", "v"}) ==
        "(error) ERR The MAXLEN argument must be >= 0.");
  CHECK(h.Run({"XADD", "s", "MAXLEN", "abc", "1-1", "f", "v"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"XADD", "s", "MAXLEN", "~", "f", "v"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"XADD", "s", "MAXLEN", "1", "MINID", "1", "1-1", "f", "v"}) ==
        "(error) ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
  CHECK(h.Run({"XADD", "s", "MINID", "1", "MAXLEN", "1", "1-1", "f", "v"}) ==
        "(error) ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
  CHECK(h.Run({"XADD", "s", "LIMIT", "10", "1-1", "f", "v"}) ==
        "(error) ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
  CHECK(h.Run({"XADD", "s", "MAXLEN", "1", "LIMIT", "10", "1-1", "f", "v"}) ==
        "(error) ERR syntax error, LIMIT cannot be used without the special ~ option");
  CHECK(h.Run({"XADD", "s", "MAXLEN", "~", "1", "LIMIT", "-1", "1-1", "f", "v"}) ==
        "(error) ERR The LIMIT argument must be >= 0.");
  CHECK(h.Run({"XADD", "s", "MAXLEN", "~", "1", "LIMIT", "x", "1-1", "f", "v"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"XADD", "s", "MINID", "-", "1-1", "f", "v"}) ==
        "(error) ERR Invalid stream ID specified as stream command argument");
  CHECK(h.Run({"XADD", "s", "MINID", "~", "+", "1-1", "f", "v"}) ==
        "(error) ERR Invalid stream ID specified as stream command argument");
  CHECK(h.Run({"XADD", "s", "5-", "f", "v"}) ==
        "(error) ERR Invalid stream ID specified as stream command argument");
  CHECK(h.Run({"XADD", "s", "NOMKSTREAM", "1-1", "f", "v"}) == "\"1-1\"");
  CHECK(h.Run({"EXISTS", "s"}) == "1");
  CHECK(h.Run({"XADD", "s", "MAXLEN", "0", "1-1", "f", "v"}) ==
        "(error) ERR The ID specified in XADD is equal or smaller than the target stream top item");
  CHECK(h.Run({"XLEN", "s"}) == "2");
  CHECK(h.Run({"XRANGE", "s", "-", "+"}) ==
        "[[\"0-1\", [\"f\", \"v\"]], [\"1-1\", [\"f\", \"v\"]]]");
  CHECK(h.Run({"XADD", "s", "5-5", "f", "v"}) == "\"5-5\"");
  CHECK(h.Run({"XADD", "s", "5-5", "f", "v"}) ==
        "(error) ERR The ID specified in XADD is equal or smaller than the target stream top item");
  CHECK(h.Run({"XADD", "s", "5-4", "f", "v"}) ==
        "(error) ERR The ID specified in XADD is equal or smaller than the target stream top item");
  CHECK(h.Run({"XADD", "s", "5-*", "f", "v"}) == "\"5-6\"");
  CHECK(h.Run({"XADD", "s", "4-*", "f", "v"}) ==
        "(error) ERR The ID specified in XADD is equal or smaller than the target stream top item");
  CHECK(h.Run({"XADD", "s", "6-*", "f", "v"}) == "\"6-0\"");
  CHECK(h.Run({"XADD", "s", "nomkstream", "MAXLEN", "=", "2", "7-0", "f", "v"}) == "\"7-0\"");
  CHECK(h.Run({"XRANGE", "s", "-", "+"}) ==
        "[[\"6-0\", [\"f\", \"v\"]], [\"7-0\", [\"f\", \"v\"]]]");
  CHECK(h.Run({"XADD", "s", "maxlen", "1", "limit", "0", "8-0", "f", "v"}) ==
        "(error) ERR syntax error, LIMIT cannot be used without the special ~ option");
  CHECK(h.Run({"XADD", "s", "MAXLEN", "~", "1", "LIMIT", "0", "9-0", "f", "v"}) == "\"9-0\"");
  CHECK(h.Run({"XLEN", "s"}) == "3");
  CHECK(h.Run({"XADD", "s", "MINID", "9", "10-0", "a", "1", "b", "2"}) == "\"10-0\"");
  CHECK(h.Run({"XRANGE", "s", "-", "+"}) ==
        "[[\"9-0\", [\"f\", \"v\"]], [\"10-0\", [\"a\", \"1\", \"b\", \"2\"]]]");
  CHECK(h.Run({"SET", "str", "x"}) == "OK");
  CHECK(h.Run({"XADD", "str", "1-1", "f", "v"}) ==
        "(error) WRONGTYPE Operation against a key holding the wrong kind of value");
  CHECK(h.Run({"XADD", "str", "NOMKSTREAM", "1-1", "f", "v"}) ==
        "(error) WRONGTYPE Operation against a key holding the wrong kind of value");
  CHECK(h.Run({"XADD", "x", "18446744073709551615-18446744073709551615", "f", "v"}) ==
        "\"18446744073709551615-18446744073709551615\"");
  CHECK(h.Run({"XADD", "x", "*", "f", "v"}) ==
        "(error) ERR The stream has exhausted the last possible ID, unable to add more items");
  CHECK(h.Run({"XADD", "x", "18446744073709551615-*", "f", "v"}) ==
        "(error) ERR The stream has exhausted the last possible ID, unable to add more items");
  CHECK(h.Run({"XADD", "x", "bad", "f", "v"}) ==
        "(error) ERR Invalid stream ID specified as stream command argument");
  CHECK(h.Run({"XADD", "y", "18446744073709551615-*", "f", "v"}) == "\"18446744073709551615-0\"");
  CHECK(h.Run({"XADD", "y", "18446744073709551615-*", "f", "v"}) == "\"18446744073709551615-1\"");
  CHECK(h.Run({"XADD", "y", "MAXLEN", "1", "MINID", "1", "1-1", "f", "v"}) ==
        "(error) ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
  CHECK(h.Run({"XADD", "s", "1-1", "MAXLEN", "1", "f", "v"}) ==
        "(error) ERR The ID specified in XADD is equal or smaller than the target stream top item");
  CHECK(h.Run({"XRANGE", "s", "-", "+", "COUNT", "1"}) == "[[\"9-0\", [\"f\", \"v\"]]]");
}

TEST_CASE("XRANGE, XREVRANGE and XLEN: bounds, exclusive bounds, COUNT and errors", "[stream]") {
  CommandHarness h{"stream-node-max-entries 3"};
  h.Run({"XADD", "s", "1-1", "f", "1"});
  h.Run({"XADD", "s", "2-2", "f", "2"});
  h.Run({"XADD", "s", "3-0", "f", "3"});
  h.Run({"XADD", "s", "4-1", "f", "4"});
  h.Run({"XADD", "s", "5-2", "f", "5"});
  h.Run({"XADD", "s", "6-0", "f", "6"});
  h.Run({"XADD", "s", "7-1", "f", "7"});
  h.Run({"XADD", "s", "8-2", "f", "8"});
  h.Run({"XADD", "s", "9-0", "f", "9"});
  h.Run({"XADD", "s", "10-1", "f", "10"});
  CHECK(h.Run({"XRANGE", "s", "-", "+"}) ==
        "[[\"1-1\", [\"f\", \"1\"]], [\"2-2\", [\"f\", \"2\"]], [\"3-0\", [\"f\", \"3\"]], "
        "[\"4-1\", [\"f\", \"4\"]], [\"5-2\", [\"f\", \"5\"]], [\"6-0\", [\"f\", \"6\"]], "
        "[\"7-1\", [\"f\", \"7\"]], [\"8-2\", [\"f\", \"8\"]], [\"9-0\", [\"f\", \"9\"]], "
        "[\"10-1\", [\"f\", \"10\"]]]");
  CHECK(h.Run({"XREVRANGE", "s", "+", "-"}) ==
        "[[\"10-1\", [\"f\", \"10\"]], [\"9-0\", [\"f\", \"9\"]], [\"8-2\", [\"f\", \"8\"]], "
        "[\"7-1\", [\"f\", \"7\"]], [\"6-0\", [\"f\", \"6\"]], [\"5-2\", [\"f\", \"5\"]], "
        "[\"4-1\", [\"f\", \"4\"]], [\"3-0\", [\"f\", \"3\"]], [\"2-2\", [\"f\", \"2\"]], "
        "[\"1-1\", [\"f\", \"1\"]]]");
  CHECK(h.Run({"XRANGE", "s", "+", "-"}) == "[]");
  CHECK(h.Run({"XREVRANGE", "s", "-", "+"}) == "[]");
  CHECK(h.Run({"XRANGE", "s", "3", "5"}) ==
        "[[\"3-0\", [\"f\", \"3\"]], [\"4-1\", [\"f\", \"4\"]], [\"5-2\", [\"f\", \"5\"]]]");
  CHECK(h.Run({"XREVRANGE", "s", "5", "3"}) ==
        "[[\"5-2\", [\"f\", \"5\"]], [\"4-1\", [\"f\", \"4\"]], [\"3-0\", [\"f\", \"3\"]]]");
  CHECK(h.Run({"XRANGE", "s", "3-3", "5-2"}) ==
        "[[\"4-1\", [\"f\", \"4\"]], [\"5-2\", [\"f\", \"5\"]]]");
  CHECK(h.Run({"XREVRANGE", "s", "5-2", "3-3"}) ==
        "[[\"5-2\", [\"f\", \"5\"]], [\"4-1\", [\"f\", \"4\"]]]");
  CHECK(h.Run({"XRANGE", "s", "(3-0", "(5-2"}) == "[[\"4-1\", [\"f\", \"4\"]]]");
  CHECK(h.Run({"XREVRANGE", "s", "(5-2", "(3-0"}) == "[[\"4-1\", [\"f\", \"4\"]]]");
  CHECK(h.Run({"XRANGE", "s", "(3-0", "(5-1"}) == "[[\"4-1\", [\"f\", \"4\"]]]");
  CHECK(h.Run({"XREVRANGE", "s", "(5-1", "(3-0"}) == "[[\"4-1\", [\"f\", \"4\"]]]");
  CHECK(h.Run({"XRANGE", "s", "(0-0", "+"}) ==
        "[[\"1-1\", [\"f\", \"1\"]], [\"2-2\", [\"f\", \"2\"]], [\"3-0\", [\"f\", \"3\"]], "
        "[\"4-1\", [\"f\", \"4\"]], [\"5-2\", [\"f\", \"5\"]], [\"6-0\", [\"f\", \"6\"]], "
        "[\"7-1\", [\"f\", \"7\"]], [\"8-2\", [\"f\", \"8\"]], [\"9-0\", [\"f\", \"9\"]], "
        "[\"10-1\", [\"f\", \"10\"]]]");
  CHECK(h.Run({"XREVRANGE", "s", "+", "(0-0"}) ==
        "[[\"10-1\", [\"f\", \"10\"]], [\"9-0\", [\"f\", \"9\"]], [\"8-2\", [\"f\", \"8\"]], "
        "[\"7-1\", [\"f\", \"7\"]], [\"6-0\", [\"f\", \"6\"]], [\"5-2\", [\"f\", \"5\"]], "
        "[\"4-1\", [\"f\", \"4\"]], [\"3-0\", [\"f\", \"3\"]], [\"2-2\", [\"f\", \"2\"]], "
        "[\"1-1\", [\"f\", \"1\"]]]");
  CHECK(h.Run({"XRANGE", "s", "-", "(0-0"}) == "(error) ERR invalid end ID for the interval");
  CHECK(h.Run({"XREVRANGE", "s", "(0-0", "-"}) == "(error) ERR invalid end ID for the interval");
  CHECK(h.Run({"XRANGE", "s", "(18446744073709551615-18446744073709551615", "+"}) ==
        "(error) ERR invalid start ID for the interval");
  CHECK(h.Run({"XREVRANGE", "s", "+", "(18446744073709551615-18446744073709551615"}) ==
        "(error) ERR invalid start ID for the interval");
  CHECK(h.Run({"XRANGE", "s", "-", "(18446744073709551615-18446744073709551615"}) ==
        "[[\"1-1\", [\"f\", \"1\"]], [\"2-2\", [\"f\", \"2\"]], [\"3-0\", [\"f\", \"3\"]], "
        "[\"4-1\", [\"f\", \"4\"]], [\"5-2\", [\"f\", \"5\"]], [\"6-0\", [\"f\", \"6\"]], "
        "[\"7-1\", [\"f\", \"7\"]], [\"8-2\", [\"f\", \"8\"]], [\"9-0\", [\"f\", \"9\"]], "
        "[\"10-1\", [\"f\", \"10\"]]]");
  CHECK(h.Run({"XREVRANGE", "s", "(18446744073709551615-18446744073709551615", "-"}) ==
        "[[\"10-1\", [\"f\", \"10\"]], [\"9-0\", [\"f\", \"9\"]], [\"8-2\", [\"f\", \"8\"]], "
        "[\"7-1\", [\"f\", \"7\"]], [\"6-0\", [\"f\", \"6\"]], [\"5-2\", [\"f\", \"5\"]], "
        "[\"4-1\", [\"f\", \"4\"]], [\"3-0\", [\"f\", \"3\"]], [\"2-2\", [\"f\", \"2\"]], "
        "[\"1-1\", [\"f\", \"1\"]]]");
  CHECK(h.Run({"XRANGE", "s", "(-", "+"}) ==
        "(error) ERR Invalid stream ID specified as stream command argument");
  CHECK(h.Run({"XREVRANGE", "s", "+", "(-"}) ==
        "(error) ERR Invalid stream ID specified as stream command argument");
  CHECK(h.Run({"XRANGE", "s", "-", "(+"}) ==
        "(error) ERR Invalid stream ID specified as stream command argument");
  CHECK(h.Run({"XREVRANGE", "s", "(+", "-"}) ==
        "(error) ERR Invalid stream ID specified as stream command argument");
  CHECK(h.Run({"XRANGE", "s", "(", "+"}) ==
        "(error) ERR Invalid stream ID specified as stream command argument");
  CHECK(h.Run({"XREVRANGE", "s", "+", "("}) ==
        "(error) ERR Invalid stream ID specified as stream command argument");
  CHECK(h.Run({"XRANGE", "s", "((1", "+"}) ==
        "(error) ERR Invalid stream ID specified as stream command argument");
  CHECK(h.Run({"XREVRANGE", "s", "+", "((1"}) ==
        "(error) ERR Invalid stream ID specified as stream command argument");
  CHECK(h.Run({"XRANGE", "s", "( 1", "+"}) ==
        "[[\"1-1\", [\"f\", \"1\"]], [\"2-2\", [\"f\", \"2\"]], [\"3-0\", [\"f\", \"3\"]], "
        "[\"4-1\", [\"f\", \"4\"]], [\"5-2\", [\"f\", \"5\"]], [\"6-0\", [\"f\", \"6\"]], "
        "[\"7-1\", [\"f\", \"7\"]], [\"8-2\", [\"f\", \"8\"]], [\"9-0\", [\"f\", \"9\"]], "
        "[\"10-1\", [\"f\", \"10\"]]]");
  CHECK(h.Run({"XREVRANGE", "s", "+", "( 1"}) ==
        "[[\"10-1\", [\"f\", \"10\"]], [\"9-0\", [\"f\", \"9\"]], [\"8-2\", [\"f\", \"8\"]], "
        "[\"7-1\", [\"f\", \"7\"]], [\"6-0\", [\"f\", \"6\"]], [\"5-2\", [\"f\", \"5\"]], "
        "[\"4-1\", [\"f\", \"4\"]], [\"3-0\", [\"f\", \"3\"]], [\"2-2\", [\"f\", \"2\"]], "
        "[\"1-1\", [\"f\", \"1\"]]]");
  CHECK(h.Run({"XRANGE", "s", "(1-", "+"}) ==
        "(error) ERR Invalid stream ID specified as stream command argument");
  CHECK(h.Run({"XREVRANGE", "s", "+", "(1-"}) ==
        "(error) ERR Invalid stream ID specified as stream command argument");
  CHECK(h.Run({"XRANGE", "s", "(5", "(5"}) == "[[\"5-2\", [\"f\", \"5\"]]]");
  CHECK(h.Run({"XREVRANGE", "s", "(5", "(5"}) == "[[\"5-2\", [\"f\", \"5\"]]]");
  CHECK(h.Run({"XRANGE", "s", "5", "5"}) == "[[\"5-2\", [\"f\", \"5\"]]]");
  CHECK(h.Run({"XREVRANGE", "s", "5", "5"}) == "[[\"5-2\", [\"f\", \"5\"]]]");
  CHECK(h.Run({"XRANGE", "s", "9-0", "9-1"}) == "[[\"9-0\", [\"f\", \"9\"]]]");
  CHECK(h.Run({"XREVRANGE", "s", "9-1", "9-0"}) == "[[\"9-0\", [\"f\", \"9\"]]]");
  CHECK(h.Run({"XRANGE", "s", "-", "+", "COUNT", "0"}) == "nil-array");
  CHECK(h.Run({"XREVRANGE", "s", "+", "-", "COUNT", "0"}) == "nil-array");
  CHECK(h.Run({"XRANGE", "s", "-", "+", "COUNT", "-1"}) == "nil-array");
  CHECK(h.Run({"XREVRANGE", "s", "+", "-", "COUNT", "-1"}) == "nil-array");
  CHECK(h.Run({"XRANGE", "s", "-", "+", "COUNT", "2"}) ==
        "[[\"1-1\", [\"f\", \"1\"]], [\"2-2\", [\"f\", \"2\"]]]");
  CHECK(h.Run({"XREVRANGE", "s", "+", "-", "COUNT", "2"}) ==
        "[[\"10-1\", [\"f\", \"10\"]], [\"9-0\", [\"f\", \"9\"]]]");
  CHECK(h.Run({"XRANGE", "s", "-", "+", "COUNT", "abc"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"XREVRANGE", "s", "+", "-", "COUNT", "abc"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"XRANGE", "s", "-", "+", "COUNT", "18446744073709551615"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"XREVRANGE", "s", "+", "-", "COUNT", "18446744073709551615"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"XRANGE", "s", "-", "+", "COUNT"}) == "(error) ERR syntax error");
  CHECK(h.Run({"XRANGE", "s", "-", "+", "COUNT", "1", "COUNT", "2"}) ==
        "[[\"1-1\", [\"f\", \"1\"]], [\"2-2\", [\"f\", \"2\"]]]");
  CHECK(h.Run({"XRANGE", "s", "-", "+", "LIMIT", "1"}) == "(error) ERR syntax error");
  CHECK(h.Run({"XRANGE", "s", "bad", "+", "COUNT", "x"}) ==
        "(error) ERR Invalid stream ID specified as stream command argument");
  CHECK(h.Run({"XRANGE", "s", "-", "bad", "COUNT", "x"}) ==
        "(error) ERR Invalid stream ID specified as stream command argument");
  CHECK(h.Run({"XRANGE", "s", "-", "+", "COUNT", "x"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"XRANGE", "nokey", "-", "+"}) == "[]");
  CHECK(h.Run({"XRANGE", "nokey", "-", "+", "COUNT", "0"}) == "[]");
  CHECK(h.Run({"XREVRANGE", "nokey", "+", "-"}) == "[]");
  CHECK(h.Run({"XRANGE", "nokey", "bad", "+"}) ==
        "(error) ERR Invalid stream ID specified as stream command argument");
  CHECK(h.Run({"SET", "str", "x"}) == "OK");
  CHECK(h.Run({"XRANGE", "str", "-", "+"}) ==
        "(error) WRONGTYPE Operation against a key holding the wrong kind of value");
  CHECK(h.Run({"XRANGE", "str", "bad", "+"}) ==
        "(error) ERR Invalid stream ID specified as stream command argument");
  CHECK(h.Run({"XREVRANGE", "str", "+", "-"}) ==
        "(error) WRONGTYPE Operation against a key holding the wrong kind of value");
  CHECK(h.Run({"XRANGE", "s", "-"}) ==
        "(error) ERR wrong number of arguments for 'xrange' command");
  CHECK(h.Run({"XLEN", "s"}) == "10");
  CHECK(h.Run({"XLEN", "nokey"}) == "0");
  CHECK(h.Run({"XLEN", "str"}) ==
        "(error) WRONGTYPE Operation against a key holding the wrong kind of value");
}

TEST_CASE("XDEL, XTRIM and XSETID replies and errors", "[stream]") {
  CommandHarness h{"stream-node-max-entries 3"};
  h.Run({"XADD", "s", "1-1", "f", "1"});
  h.Run({"XADD", "s", "2-2", "f", "2"});
  h.Run({"XADD", "s", "3-0", "f", "3"});
  h.Run({"XADD", "s", "4-1", "f", "4"});
  h.Run({"XADD", "s", "5-2", "f", "5"});
  h.Run({"XADD", "s", "6-0", "f", "6"});
  h.Run({"XADD", "s", "7-1", "f", "7"});
  h.Run({"XADD", "s", "8-2", "f", "8"});
  h.Run({"XADD", "s", "9-0", "f", "9"});
  h.Run({"XADD", "s", "10-1", "f", "10"});
  h.Run({"SET", "str", "x"});
  CHECK(h.Run({"XDEL", "s", "2-2", "bad", "3-0"}) ==
        "(error) ERR Invalid stream ID specified as stream command argument");
  CHECK(h.Run({"XLEN", "s"}) == "10");
  CHECK(h.Run({"XDEL", "s", "2-2", "2-2", "3-0", "99-0", "4"}) == "2");
  CHECK(h.Run({"XDEL", "s", "2-2"}) == "0");
  CHECK(h.Run({"XDEL", "nokey", "1-1"}) == "0");
  CHECK(h.Run({"XDEL", "nokey", "bad"}) == "0");
  CHECK(h.Run({"XDEL", "str", "1-1"}) ==
        "(error) WRONGTYPE Operation against a key holding the wrong kind of value");
  CHECK(h.Run({"XDEL", "s", "-"}) ==
        "(error) ERR Invalid stream ID specified as stream command argument");
  CHECK(h.Run({"XDEL", "s"}) == "(error) ERR wrong number of arguments for 'xdel' command");
  CHECK(h.Run({"XRANGE", "s", "-", "+", "COUNT", "3"}) ==
        "[[\"1-1\", [\"f\", \"1\"]], [\"4-1\", [\"f\", \"4\"]], [\"5-2\", [\"f\", \"5\"]]]");
  CHECK(h.Run({"XREVRANGE", "s", "+", "-", "COUNT", "3"}) ==
        "[[\"10-1\", [\"f\", \"10\"]], [\"9-0\", [\"f\", \"9\"]], [\"8-2\", [\"f\", \"8\"]]]");
  // XTRIM
  CHECK(h.Run({"XTRIM", "s"}) == "(error) ERR wrong number of arguments for 'xtrim' command");
  CHECK(h.Run({"XTRIM", "s", "MAXLEN"}) ==
        "(error) ERR wrong number of arguments for 'xtrim' command");
  CHECK(h.Run({"XTRIM", "s", "FOO", "1"}) == "(error) ERR syntax error");
  CHECK(h.Run({"XTRIM", "s", "MAXLEN", "1", "EXTRA"}) == "(error) ERR syntax error");
  CHECK(h.Run({"XTRIM", "s", "LIMIT", "1", "MAXLEN", "1"}) ==
        "(error) ERR syntax error, LIMIT cannot be used without the special ~ option");
  CHECK(h.Run({"XTRIM", "s", "MAXLEN", "1", "LIMIT", "1"}) ==
        "(error) ERR syntax error, LIMIT cannot be used without the special ~ option");
  CHECK(h.Run({"XTRIM", "s", "MAXLEN", "-5"}) == "(error) ERR The MAXLEN argument must be >= 0.");
  CHECK(h.Run({"XTRIM", "s", "MINID", "bad"}) ==
        "(error) ERR Invalid stream ID specified as stream command argument");
  CHECK(h.Run({"XTRIM", "s", "MINID", "1", "MAXLEN", "1"}) ==
        "(error) ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
  CHECK(h.Run({"XTRIM", "s", "NOMKSTREAM", "MAXLEN", "1"}) == "(error) ERR syntax error");
  CHECK(h.Run({"XTRIM", "s", "MAXLEN", "1", "*"}) == "(error) ERR syntax error");
  CHECK(h.Run({"XTRIM", "nokey", "MAXLEN", "1"}) == "0");
  CHECK(h.Run({"XTRIM", "str", "MAXLEN", "1"}) ==
        "(error) WRONGTYPE Operation against a key holding the wrong kind of value");
  CHECK(h.Run({"XTRIM", "s", "MAXLEN", "~", "5"}) == "1");
  CHECK(h.Run({"XTRIM", "s", "MAXLEN", "~", "5", "LIMIT", "2"}) == "0");
  CHECK(h.Run({"XTRIM", "s", "MAXLEN", "100"}) == "0");
  CHECK(h.Run({"XTRIM", "s", "MINID", "~", "7"}) == "3");
  CHECK(h.Run({"XTRIM", "s", "MAXLEN", "=", "2"}) == "2");
  CHECK(h.Run({"XRANGE", "s", "-", "+"}) ==
        "[[\"9-0\", [\"f\", \"9\"]], [\"10-1\", [\"f\", \"10\"]]]");
  CHECK(h.Run({"XTRIM", "s", "MINID", "=", "100"}) == "2");
  CHECK(h.Run({"XLEN", "s"}) == "0");
  CHECK(h.Run({"EXISTS", "s"}) == "1");
  CHECK(h.Run({"XRANGE", "s", "-", "+"}) == "[]");
  CHECK(h.Run({"XADD", "s", "10-0", "f", "v"}) ==
        "(error) ERR The ID specified in XADD is equal or smaller than the target stream top item");
  CHECK(h.Run({"XADD", "s", "10-1", "f", "v"}) ==
        "(error) ERR The ID specified in XADD is equal or smaller than the target stream top item");
  // XSETID
  CHECK(h.Run({"XSETID", "s", "10-0"}) == "OK");
  CHECK(h.Run({"XSETID", "s", "10-1"}) == "OK");
  CHECK(h.Run({"XSETID", "s", "bad"}) ==
        "(error) ERR Invalid stream ID specified as stream command argument");
  CHECK(h.Run({"XSETID", "s", "20-0", "ENTRIESADDED"}) == "(error) ERR syntax error");
  CHECK(h.Run({"XSETID", "s", "20-0", "ENTRIESADDED", "-1"}) ==
        "(error) ERR entries_added must be positive");
  CHECK(h.Run({"XSETID", "s", "20-0", "ENTRIESADDED", "x"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"XSETID", "s", "20-0", "ENTRIESADDED", "0"}) == "OK");
  CHECK(h.Run({"XSETID", "s", "20-0", "MAXDELETEDID", "30-0"}) ==
        "(error) ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
  CHECK(h.Run({"XSETID", "s", "20-0", "MAXDELETEDID", "bad"}) ==
        "(error) ERR Invalid stream ID specified as stream command argument");
  CHECK(h.Run({"XSETID", "s", "20-0", "FOO", "1"}) == "(error) ERR syntax error");
  CHECK(h.Run({"XSETID", "s", "20", "ENTRIESADDED", "100", "MAXDELETEDID", "15"}) == "OK");
  CHECK(h.Run({"XINFO", "STREAM", "s"}) ==
        "[\"length\", 0, \"radix-tree-keys\", 0, \"radix-tree-nodes\", 1, \"last-generated-id\", "
        "\"20-0\", \"max-deleted-entry-id\", \"15-0\", \"entries-added\", 100, "
        "\"recorded-first-entry-id\", \"0-0\", \"groups\", 0, \"first-entry\", nil, "
        "\"last-entry\", nil]");
  CHECK(h.Run({"XADD", "s", "19-0", "f", "v"}) ==
        "(error) ERR The ID specified in XADD is equal or smaller than the target stream top item");
  CHECK(h.Run({"XSETID", "nokey", "1-1"}) == "(error) ERR no such key");
  CHECK(h.Run({"XSETID", "nokey", "bad"}) ==
        "(error) ERR Invalid stream ID specified as stream command argument");
  CHECK(h.Run({"XSETID", "str", "1-1"}) ==
        "(error) WRONGTYPE Operation against a key holding the wrong kind of value");
  CHECK(h.Run({"XDEL", "s", "10-0", "10-1"}) == "0");
  CHECK(h.Run({"XSETID", "s", "1-1"}) == "OK");
  CHECK(h.Run({"XINFO", "STREAM", "s"}) ==
        "[\"length\", 0, \"radix-tree-keys\", 0, \"radix-tree-nodes\", 1, \"last-generated-id\", "
        "\"1-1\", \"max-deleted-entry-id\", \"15-0\", \"entries-added\", 100, "
        "\"recorded-first-entry-id\", \"0-0\", \"groups\", 0, \"first-entry\", nil, "
        "\"last-entry\", nil]");
  CHECK(h.Run({"XSETID", "s", "0-0", "ENTRIESADDED", "0"}) == "OK");
  CHECK(h.Run({"XINFO", "STREAM", "s"}) ==
        "[\"length\", 0, \"radix-tree-keys\", 0, \"radix-tree-nodes\", 1, \"last-generated-id\", "
        "\"0-0\", \"max-deleted-entry-id\", \"15-0\", \"entries-added\", 0, "
        "\"recorded-first-entry-id\", \"0-0\", \"groups\", 0, \"first-entry\", nil, "
        "\"last-entry\", nil]");
  CHECK(h.Run({"XSETID", "s", "18446744073709551615-18446744073709551615"}) == "OK");
  CHECK(h.Run({"XADD", "s", "*", "f", "v"}) ==
        "(error) ERR The stream has exhausted the last possible ID, unable to add more items");
  CHECK(h.Run({"XSETID", "s", "5-5", "ENTRIESADDED", "1", "MAXDELETEDID", "-"}) ==
        "(error) ERR Invalid stream ID specified as stream command argument");
  CHECK(h.Run({"XSETID", "s", "+"}) ==
        "(error) ERR Invalid stream ID specified as stream command argument");
}

TEST_CASE("XREAD: replies in RESP2 and RESP3, and errors", "[stream]") {
  CommandHarness h;
  h.Run({"HELLO", "3"}, "r3");
  h.Run({"XADD", "s1", "1-0", "f", "1"});
  h.Run({"XADD", "s1", "2-0", "f", "2"});
  h.Run({"XADD", "s1", "3-0", "f", "3"});
  h.Run({"XADD", "s1", "4-0", "f", "4"});
  h.Run({"XADD", "s2", "2-5", "a", "x", "b", "y"});
  h.Run({"SET", "str", "x"});
  CHECK(
      h.Run({"XREAD", "STREAMS", "s1", "s2", "0", "0"}) ==
      "[[\"s1\", [[\"1-0\", [\"f\", \"1\"]], [\"2-0\", [\"f\", \"2\"]], [\"3-0\", [\"f\", \"3\"]], "
      "[\"4-0\", [\"f\", \"4\"]]]], [\"s2\", [[\"2-5\", [\"a\", \"x\", \"b\", \"y\"]]]]]");
  CHECK(h.Run({"XREAD", "COUNT", "2", "STREAMS", "s1", "s2", "nokey", "2-0", "0", "0"}) ==
        "[[\"s1\", [[\"3-0\", [\"f\", \"3\"]], [\"4-0\", [\"f\", \"4\"]]]], [\"s2\", [[\"2-5\", "
        "[\"a\", \"x\", \"b\", \"y\"]]]]]");
  CHECK(h.Run({"XREAD", "STREAMS", "s1", "4-0"}) == "nil-array");
  CHECK(h.Run({"XREAD", "STREAMS", "s1", "s2", "$", "$"}) == "nil-array");
  CHECK(h.Run({"XREAD", "STREAMS", "nokey", "0"}) == "nil-array");
  CHECK(h.Run({"XREAD", "COUNT", "0", "STREAMS", "s1", "3"}) ==
        "[[\"s1\", [[\"4-0\", [\"f\", \"4\"]]]]]");
  CHECK(h.Run({"XREAD", "COUNT", "-3", "STREAMS", "s1", "3"}) ==
        "[[\"s1\", [[\"4-0\", [\"f\", \"4\"]]]]]");
  CHECK(
      h.Run({"XREAD", "STREAMS", "s1", "s2", "0", "0"}, "r3") ==
      "{\"s1\" => [[\"1-0\", [\"f\", \"1\"]], [\"2-0\", [\"f\", \"2\"]], [\"3-0\", [\"f\", "
      "\"3\"]], [\"4-0\", [\"f\", \"4\"]]], \"s2\" => [[\"2-5\", [\"a\", \"x\", \"b\", \"y\"]]]}");
  CHECK(h.Run({"XREAD", "COUNT", "2", "STREAMS", "s1", "s2", "nokey", "2-0", "0", "0"}, "r3") ==
        "{\"s1\" => [[\"3-0\", [\"f\", \"3\"]], [\"4-0\", [\"f\", \"4\"]]], \"s2\" => [[\"2-5\", "
        "[\"a\", \"x\", \"b\", \"y\"]]]}");
  CHECK(h.Run({"XREAD", "STREAMS", "s1", "4-0"}, "r3") == "nil");
  CHECK(h.Run({"XREAD", "STREAMS", "s1", "s2", "$", "$"}, "r3") == "nil");
  CHECK(h.Run({"XREAD", "STREAMS", "nokey", "0"}, "r3") == "nil");
  CHECK(h.Run({"XREAD", "COUNT", "0", "STREAMS", "s1", "3"}, "r3") ==
        "{\"s1\" => [[\"4-0\", [\"f\", \"4\"]]]}");
  CHECK(h.Run({"XREAD", "COUNT", "-3", "STREAMS", "s1", "3"}, "r3") ==
        "{\"s1\" => [[\"4-0\", [\"f\", \"4\"]]]}");
  CHECK(h.Run({"XREAD", "STREAMS", "s1"}) ==
        "(error) ERR wrong number of arguments for 'xread' command");
  CHECK(h.Run({"XREAD", "STREAMS", "s1", "s2", "0"}) ==
        "(error) ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be "
        "specified.");
  CHECK(h.Run({"XREAD", "COUNT", "x", "STREAMS", "s1", "0"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"XREAD", "BLOCK", "x", "STREAMS", "s1", "0"}) ==
        "(error) ERR timeout is not an integer or out of range");
  CHECK(h.Run({"XREAD", "BLOCK", "-1", "STREAMS", "s1", "0"}) == "(error) ERR timeout is negative");
  CHECK(h.Run({"XREAD", "FOO", "STREAMS", "s1", "0"}) == "(error) ERR syntax error");
  CHECK(h.Run({"XREAD", "COUNT", "1", "s1", "0"}) == "(error) ERR syntax error");
  CHECK(h.Run({"XREAD", "STREAMS", "s1", ">"}) ==
        "(error) ERR The > ID can be specified only when calling XREADGROUP using the GROUP "
        "<group> <consumer> option.");
  CHECK(h.Run({"XREAD", "STREAMS", "s1", "bad"}) ==
        "(error) ERR Invalid stream ID specified as stream command argument");
  CHECK(h.Run({"XREAD", "STREAMS", "str", "0"}) ==
        "(error) WRONGTYPE Operation against a key holding the wrong kind of value");
  CHECK(h.Run({"XREAD", "STREAMS", "s1", "str", "0", "0"}) ==
        "(error) WRONGTYPE Operation against a key holding the wrong kind of value");
  CHECK(h.Run({"XREAD", "STREAMS", "s1", "str", "bad", "0"}) ==
        "(error) ERR Invalid stream ID specified as stream command argument");
  CHECK(h.Run({"XREAD", "STREAMS", "str", "s1", "0", "bad"}) ==
        "(error) WRONGTYPE Operation against a key holding the wrong kind of value");
  CHECK(h.Run({"XREAD", "GROUP", "g", "c", "STREAMS", "s1", "0"}) ==
        "(error) ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
  CHECK(h.Run({"XREAD", "NOACK", "STREAMS", "s1", "0"}) ==
        "(error) ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
  CHECK(h.Run({"XREAD", "COUNT", "1", "COUNT"}) == "(error) ERR syntax error");
  CHECK(h.Run({"XREAD", "STREAMS", "s1", "+"}) ==
        "(error) ERR Invalid stream ID specified as stream command argument");
  CHECK(h.Run({"XREAD", "STREAMS", "s1", "-"}) ==
        "(error) ERR Invalid stream ID specified as stream command argument");
  CHECK(h.Run({"XREAD", "STREAMS", "s1", "18446744073709551615-18446744073709551615"}) ==
        "nil-array");
}

TEST_CASE("XREADGROUP: replies in RESP2 and RESP3, history, NOACK and errors", "[stream]") {
  CommandHarness h;
  h.Run({"HELLO", "3"}, "r3");
  h.Run({"XADD", "s1", "1-0", "f", "1"});
  h.Run({"XADD", "s1", "2-0", "f", "2"});
  h.Run({"XADD", "s1", "3-0", "f", "3"});
  h.Run({"XADD", "s1", "4-0", "f", "4"});
  h.Run({"XADD", "s2", "2-5", "a", "x", "b", "y"});
  h.Run({"SET", "str", "x"});
  h.Run({"XGROUP", "CREATE", "s1", "g", "0"});
  h.Run({"XGROUP", "CREATE", "s2", "g", "0"});
  CHECK(h.Run({"XREADGROUP", "STREAMS", "s1", ">"}) ==
        "(error) ERR wrong number of arguments for 'xreadgroup' command");
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "STREAMS", "s1", ">"}) ==
        "(error) ERR wrong number of arguments for 'xreadgroup' command");
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c", "s1", ">"}) ==
        "(error) ERR wrong number of arguments for 'xreadgroup' command");
  CHECK(h.Run({"XREADGROUP", "GROUP", "nog", "c", "STREAMS", "s1", ">"}) ==
        "(error) NOGROUP No such key 's1' or consumer group 'nog' in XREADGROUP with GROUP option");
  CHECK(
      h.Run({"XREADGROUP", "GROUP", "g", "c", "STREAMS", "nokey", ">"}) ==
      "(error) NOGROUP No such key 'nokey' or consumer group 'g' in XREADGROUP with GROUP option");
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c", "STREAMS", "str", ">"}) ==
        "(error) WRONGTYPE Operation against a key holding the wrong kind of value");
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s1", "$"}) ==
        "(error) ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the "
        "history of this consumer by specifying a proper ID, or use the > ID to get new messages. "
        "The $ ID would just return an empty result set.");
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s1", "bad"}) ==
        "(error) ERR Invalid stream ID specified as stream command argument");
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s1", "s2", ">"}) ==
        "(error) ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be "
        "specified.");
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c", "COUNT", "x", "STREAMS", "s1", ">"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(
      h.Run({"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s1", "nokey", ">", ">"}) ==
      "(error) NOGROUP No such key 'nokey' or consumer group 'g' in XREADGROUP with GROUP option");
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c", "BLOCK", "-1", "STREAMS", "s1", ">"}) ==
        "(error) ERR timeout is negative");
  CHECK(h.Run({"XINFO", "GROUPS", "s1"}) ==
        "[[\"name\", \"g\", \"consumers\", 0, \"pending\", 0, \"last-delivered-id\", \"0-0\", "
        "\"entries-read\", nil, \"lag\", 4]]");
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c-default", "COUNT", "2", "STREAMS", "s1", "s2", ">",
               ">"}) ==
        "[[\"s1\", [[\"1-0\", [\"f\", \"1\"]], [\"2-0\", [\"f\", \"2\"]]]], [\"s2\", [[\"2-5\", "
        "[\"a\", \"x\", \"b\", \"y\"]]]]]");
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c-default", "STREAMS", "s1", "s2", "0", "0"}) ==
        "[[\"s1\", [[\"1-0\", [\"f\", \"1\"]], [\"2-0\", [\"f\", \"2\"]]]], [\"s2\", [[\"2-5\", "
        "[\"a\", \"x\", \"b\", \"y\"]]]]]");
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c-default", "STREAMS", "s1", "s2", "2-0", "+"}) ==
        "(error) ERR Invalid stream ID specified as stream command argument");
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c-r3", "COUNT", "2", "STREAMS", "s1", "s2", ">", ">"},
              "r3") == "{\"s1\" => [[\"3-0\", [\"f\", \"3\"]], [\"4-0\", [\"f\", \"4\"]]]}");
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c-r3", "STREAMS", "s1", "s2", "0", "0"}, "r3") ==
        "{\"s1\" => [[\"3-0\", [\"f\", \"3\"]], [\"4-0\", [\"f\", \"4\"]]], \"s2\" => []}");
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c-r3", "STREAMS", "s1", "s2", "2-0", "+"}, "r3") ==
        "(error) ERR Invalid stream ID specified as stream command argument");
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c-default", "STREAMS", "s1", "s2", ">", ">"}) ==
        "nil-array");
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c-default", "STREAMS", "s1", "s2", ">", ">"}) ==
        "nil-array");
  CHECK(h.Run({"XDEL", "s1", "1-0"}) == "1");
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c-default", "STREAMS", "s1", "0"}) ==
        "[[\"s1\", [[\"1-0\", nil-array], [\"2-0\", [\"f\", \"2\"]]]]]");
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c-r3", "STREAMS", "s1", "0"}, "r3") ==
        "{\"s1\" => [[\"3-0\", [\"f\", \"3\"]], [\"4-0\", [\"f\", \"4\"]]]}");
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c-default", "COUNT", "1", "STREAMS", "s1", "0"}) ==
        "[[\"s1\", [[\"1-0\", nil-array]]]]");
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "newc", "STREAMS", "s1", "0"}) == "[[\"s1\", []]]");
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "newc2", "STREAMS", "s1", ">"}) == "nil-array");
  CHECK(h.Run({"XINFO", "GROUPS", "s1"}) ==
        "[[\"name\", \"g\", \"consumers\", 3, \"pending\", 4, \"last-delivered-id\", \"4-0\", "
        "\"entries-read\", 4, \"lag\", 0]]");
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c", "NOACK", "STREAMS", "s1", ">"}) == "nil-array");
  h.Run({"XADD", "s1", "9-0", "f", "9"});
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c3", "NOACK", "STREAMS", "s1", ">"}) ==
        "[[\"s1\", [[\"9-0\", [\"f\", \"9\"]]]]]");
  CHECK(h.Run({"XPENDING", "s1", "g"}) ==
        "[4, \"1-0\", \"4-0\", [[\"c-default\", \"2\"], [\"c-r3\", \"2\"]]]");
  CHECK(h.Run({"XINFO", "GROUPS", "s1"}) ==
        "[[\"name\", \"g\", \"consumers\", 4, \"pending\", 4, \"last-delivered-id\", \"9-0\", "
        "\"entries-read\", 5, \"lag\", 0]]");
}

TEST_CASE(
    "stream commands: option order, tombstones at the tail, XSETID back to the last live entry, "
    "repeated keys",
    "[stream]") {
  CommandHarness h;
  h.Run({"HELLO", "3"}, "r3");
  CHECK(h.Run({"XADD", "nokey", "NOMKSTREAM", "0-0", "f", "v"}) ==
        "(error) ERR The ID specified in XADD must be greater than 0-0");
  CHECK(h.Run({"XADD", "nokey", "NOMKSTREAM", "MAXLEN", "x", "1-1", "f", "v"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"XADD", "nokey", "NOMKSTREAM", "1-1", "f"}) ==
        "(error) ERR wrong number of arguments for 'xadd' command");
  CHECK(h.Run({"XADD", "s", "MAXLEN", "5", "NOMKSTREAM", "1-1", "f", "v"}) == "nil");
  CHECK(h.Run({"EXISTS", "s"}) == "0");
  CHECK(h.Run({"XADD", "s", "MAXLEN", "MAXLEN", "1", "f", "v"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"XADD", "s", "MAXLEN", "=", "~", "1", "2-0", "f", "v"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"XADD", "s", "MAXLEN", "~", "=", "2-0", "f", "v"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"XADD", "s", "LIMIT", "5", "MAXLEN", "~", "5", "2-0", "f", "v"}) == "\"2-0\"");
  CHECK(h.Run({"XADD", "s", "MAXLEN", "~", "5", "LIMIT", "5", "LIMIT", "6", "2-1", "f", "v"}) ==
        "\"2-1\"");
  CHECK(h.Run({"XADD", "s", "MAXLEN", "1", "MAXLEN", "2", "2-2", "f", "v"}) ==
        "(error) ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
  CHECK(h.Run({"XADD", "s", "1000-0", "nomkstream", "v", "f", "v", "f", "w"}) == "\"1000-0\"");
  CHECK(h.Run({"XRANGE", "s", "2-2", "2-2"}) == "[]");
  CHECK(h.Run({"XADD", "s", "MAXLEN", "00", "3-0", "f", "v"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"XINFO", "STREAM", "s"}) ==
        "[\"length\", 3, \"radix-tree-keys\", 1, \"radix-tree-nodes\", 2, \"last-generated-id\", "
        "\"1000-0\", \"max-deleted-entry-id\", \"0-0\", \"entries-added\", 3, "
        "\"recorded-first-entry-id\", \"2-0\", \"groups\", 0, \"first-entry\", [\"2-0\", [\"f\", "
        "\"v\"]], \"last-entry\", [\"1000-0\", [\"nomkstream\", \"v\", \"f\", \"v\", \"f\", "
        "\"w\"]]]");
  CHECK(h.Run({"XADD", "s", "3-0", "f", "v"}) ==
        "(error) ERR The ID specified in XADD is equal or smaller than the target stream top item");
  CHECK(h.Run({"XADD", "s", "MAXLEN", "9223372036854775807", "4-0", "f", "v"}) ==
        "(error) ERR The ID specified in XADD is equal or smaller than the target stream top item");
  CHECK(h.Run({"XADD", "s", "MAXLEN", "9223372036854775808", "5-0", "f", "v"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"XTRIM", "s", "MINID", "=", "5", "LIMIT", "10"}) ==
        "(error) ERR syntax error, LIMIT cannot be used without the special ~ option");
  CHECK(h.Run({"XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "0"}) == "3");
  CHECK(h.Run({"XTRIM", "s", "MAXLEN", "0", "LIMIT"}) == "(error) ERR syntax error");
  CHECK(h.Run({"XLEN", "s"}) == "0");
  h.Run({"XADD", "s2", "10-0", "f", "10"});
  h.Run({"XADD", "s2", "11-0", "f", "11"});
  h.Run({"XADD", "s2", "12-0", "f", "12"});
  h.Run({"XADD", "s2", "13-0", "f", "13"});
  h.Run({"XADD", "s2", "14-0", "f", "14"});
  h.Run({"XADD", "s2", "15-0", "f", "15"});
  CHECK(h.Run({"XDEL", "s2", "10-0"}) == "1");
  CHECK(h.Run({"XINFO", "STREAM", "s2"}) ==
        "[\"length\", 5, \"radix-tree-keys\", 1, \"radix-tree-nodes\", 2, \"last-generated-id\", "
        "\"15-0\", \"max-deleted-entry-id\", \"10-0\", \"entries-added\", 6, "
        "\"recorded-first-entry-id\", \"11-0\", \"groups\", 0, \"first-entry\", [\"11-0\", [\"f\", "
        "\"11\"]], \"last-entry\", [\"15-0\", [\"f\", \"15\"]]]");
  CHECK(h.Run({"XDEL", "s2", "15-0", "14-0"}) == "2");
  CHECK(h.Run({"XSETID", "s2", "12-0"}) ==
        "(error) ERR The ID specified in XSETID is smaller than the target stream top item");
  CHECK(h.Run({"XSETID", "s2", "13-0"}) == "OK");
  CHECK(h.Run({"XINFO", "STREAM", "s2"}) ==
        "[\"length\", 3, \"radix-tree-keys\", 1, \"radix-tree-nodes\", 2, \"last-generated-id\", "
        "\"13-0\", \"max-deleted-entry-id\", \"15-0\", \"entries-added\", 6, "
        "\"recorded-first-entry-id\", \"11-0\", \"groups\", 0, \"first-entry\", [\"11-0\", [\"f\", "
        "\"11\"]], \"last-entry\", [\"13-0\", [\"f\", \"13\"]]]");
  CHECK(h.Run({"XADD", "s2", "13-*", "f", "v"}) == "\"13-1\"");
  CHECK(h.Run({"XREAD", "STREAMS", "s2", "s2", "0", "12"}) ==
        "[[\"s2\", [[\"11-0\", [\"f\", \"11\"]], [\"12-0\", [\"f\", \"12\"]], [\"13-0\", [\"f\", "
        "\"13\"]], [\"13-1\", [\"f\", \"v\"]]]], [\"s2\", [[\"13-0\", [\"f\", \"13\"]], [\"13-1\", "
        "[\"f\", \"v\"]]]]]");
  CHECK(h.Run({"XREAD", "STREAMS", "s2", "s2", "0", "12"}, "r3") ==
        "{\"s2\" => [[\"11-0\", [\"f\", \"11\"]], [\"12-0\", [\"f\", \"12\"]], [\"13-0\", [\"f\", "
        "\"13\"]], [\"13-1\", [\"f\", \"v\"]]], \"s2\" => [[\"13-0\", [\"f\", \"13\"]], [\"13-1\", "
        "[\"f\", \"v\"]]]}");
  CHECK(h.Run({"XREAD", "STREAMS", "s2", "1"}) ==
        "[[\"s2\", [[\"11-0\", [\"f\", \"11\"]], [\"12-0\", [\"f\", \"12\"]], [\"13-0\", [\"f\", "
        "\"13\"]], [\"13-1\", [\"f\", \"v\"]]]]]");
  CHECK(h.Run({"XGROUP", "CREATE", "s2", "g", "0"}) == "OK");
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s2", "s2", ">", ">"}) ==
        "[[\"s2\", [[\"11-0\", [\"f\", \"11\"]]]], [\"s2\", [[\"12-0\", [\"f\", \"12\"]]]]]");
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c", "COUNT", "0", "STREAMS", "s2", ">"}) ==
        "[[\"s2\", [[\"13-0\", [\"f\", \"13\"]], [\"13-1\", [\"f\", \"v\"]]]]]");
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s2", ">"}) == "nil-array");
  CHECK(h.Run({"XDEL", "s2", "13-1"}) == "1");
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s2", ">"}) == "nil-array");
  CHECK(h.Run({"XREAD", "STREAMS", "s2", "13-0"}) == "nil-array");
  CHECK(h.Run({"XINFO", "GROUPS", "s2"}) ==
        "[[\"name\", \"g\", \"consumers\", 1, \"pending\", 4, \"last-delivered-id\", \"13-1\", "
        "\"entries-read\", 7, \"lag\", 0]]");
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c", "NOACK", "STREAMS", "s2", "0"}) ==
        "[[\"s2\", [[\"11-0\", [\"f\", \"11\"]], [\"12-0\", [\"f\", \"12\"]], [\"13-0\", [\"f\", "
        "\"13\"]], [\"13-1\", nil-array]]]]");
  CHECK(h.Run({"XPENDING", "s2", "g"}) == "[4, \"11-0\", \"13-1\", [[\"c\", \"4\"]]]");
  CHECK(h.Run({"XTRIM", "s2", "MAXLEN", "0"}) == "3");
  CHECK(h.Run({"XLEN", "s2"}) == "0");
  CHECK(h.Run({"EXISTS", "s2"}) == "1");
  CHECK(h.Run({"XREAD", "STREAMS", "s2", "0"}) == "nil-array");
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s2", "0"}) ==
        "[[\"s2\", [[\"11-0\", nil-array], [\"12-0\", nil-array], [\"13-0\", nil-array], "
        "[\"13-1\", nil-array]]]]");
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s2", ">"}) == "nil-array");
  CHECK(h.Run({"XADD", "s2", "13-1", "f", "v"}) ==
        "(error) ERR The ID specified in XADD is equal or smaller than the target stream top item");
  CHECK(h.Run({"XADD", "s2", "13-*", "f", "v"}) == "\"13-2\"");
  CHECK(h.Run({"XRANGE", "s2", "-", "+"}) == "[[\"13-2\", [\"f\", \"v\"]]]");
  CHECK(h.Run({"XREVRANGE", "s2", "+", "-", "COUNT", "1"}) == "[[\"13-2\", [\"f\", \"v\"]]]");
  CHECK(h.Run({"XRANGE", "s2", "(13-2", "+"}) == "[]");
  CHECK(h.Run({"XRANGE", "s2", "-", "(13-2"}) == "[]");
  CHECK(h.Run({"XRANGE", "s2", "(13-2", "(13-2"}) == "[]");
  CHECK(h.Run({"XRANGE", "s2", "13", "13"}) == "[[\"13-2\", [\"f\", \"v\"]]]");
  CHECK(h.Run({"XREVRANGE", "s2", "13", "13"}) == "[[\"13-2\", [\"f\", \"v\"]]]");
  CHECK(h.Run({"XRANGE", "s2", "(13", "+"}) == "[[\"13-2\", [\"f\", \"v\"]]]");
  CHECK(h.Run({"XRANGE", "s2", "-", "(13"}) == "[[\"13-2\", [\"f\", \"v\"]]]");
}

TEST_CASE("XADD *: IDs from the injected clock, never going back", "[stream]") {
  CommandHarness h;
  CHECK(h.Run({"XADD", "s", "*", "f", "v"}) == "\"1700000000000-0\"");
  CHECK(h.Run({"XADD", "s", "*", "f", "v"}) == "\"1700000000000-1\"");
  h.AdvanceTime(milliseconds(5));
  CHECK(h.Run({"XADD", "s", "*", "f", "v"}) == "\"1700000000005-0\"");
  CHECK(h.Run({"XADD", "s", "1700000000010-*", "f", "v"}) == "\"1700000000010-0\"");
  // The clock is behind the last ID: the sequence grows instead.
  CHECK(h.Run({"XADD", "s", "*", "f", "v"}) == "\"1700000000010-1\"");
  CHECK(h.Run({"XADD", "s", "1700000000010-7", "f", "v"}) == "\"1700000000010-7\"");
  CHECK(h.Run({"XADD", "s", "*", "f", "v"}) == "\"1700000000010-8\"");
  CHECK(h.Run({"XADD", "s", "1700000000010-*", "f", "v"}) == "\"1700000000010-9\"");
  h.AdvanceTime(milliseconds(10));
  CHECK(h.Run({"XADD", "s", "*", "f", "v"}) == "\"1700000000015-0\"");
  CHECK(h.Run({"XLEN", "s"}) == "9");
  CHECK(h.Run({"XADD", "t", "MAXLEN", "1", "*", "f", "v"}) == "\"1700000000015-0\"");
  CHECK(h.Run({"XADD", "t", "MAXLEN", "1", "*", "f", "w"}) == "\"1700000000015-1\"");
  CHECK(h.Run({"XRANGE", "t", "-", "+"}) == "[[\"1700000000015-1\", [\"f\", \"w\"]]]");
  CHECK(h.Run({"TYPE", "t"}) == "stream");
  CHECK(h.Run({"OBJECT", "ENCODING", "t"}) == "\"stream\"");
}

// The sequence of Redis's incr AOF for these commands (stream-node-max-entries 2).
TEST_CASE("stream writes propagate as Redis 7.0 writes them to the AOF", "[stream]") {
  CommandHarness h("stream-node-max-entries 2");
  CapturingSink sink;
  h.server().propagation_sink = &sink;
  const Cmds commands = {
      {"XADD", "s", "1-1", "f", "v"},
      {"XADD", "s", "1-*", "f", "v"},
      {"XADD", "s", "2-0", "f", "v"},
      {"XADD", "s", "3-0", "f", "v"},
      {"XADD", "s", "MAXLEN", "~", "2", "4-0", "f", "v"},
      {"XADD", "s", "MAXLEN", "~", "100", "5-0", "f", "v"},
      {"XADD", "s", "MAXLEN", "=", "4", "LIMIT", "0", "6-*", "f", "v"},  // an error
      {"XADD", "s", "MINID", "~", "5-5", "7-0", "f", "v"},
      {"XADD", "s", "MAXLEN", "~", "1", "LIMIT", "1", "8-0", "f", "v"},
      {"XADD", "s", "NOMKSTREAM", "minid", "~", "0", "9-*", "f", "v"},
      {"XTRIM", "s", "MAXLEN", "~", "100"},  // trims nothing: not propagated
      {"XTRIM", "s", "MAXLEN", "~", "2"},    // nothing either: whole nodes only
      {"XTRIM", "s", "MINID", "=", "8"},
      {"XDEL", "s", "9-0", "100-0"},
      {"XDEL", "s", "100-0"},
      {"XSETID", "s", "20-0"},
      {"XGROUP", "CREATE", "s", "g", "0"},
      {"XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", ">"},
      {"XADD", "s", "21-0", "f", "v"},
      {"XADD", "s", "22-0", "f", "v"},
      {"XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"},
      {"XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"},  // history: nothing
      {"XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"},  // nothing new
      {"XADD", "s", "23-0", "f", "v"},
      {"XADD", "s", "24-0", "f", "v"},
      {"XREADGROUP", "GROUP", "g", "bob", "NOACK", "STREAMS", "s", ">"},
      {"XADD", "s", "25-0", "f", "v"},
      {"XREADGROUP", "GROUP", "g", "bob", "NOACK", "STREAMS", "s", ">"},
      {"XREADGROUP", "GROUP", "g", "carol", "NOACK", "STREAMS", "s", ">"},
      {"XREAD", "STREAMS", "s", "0"},
      {"XTRIM", "s", "MINID", "~", "100"},
      {"XADD", "t", "MAXLEN", "~", "0", "1-0", "f", "v"},
  };
  for (const auto& c : commands) h.Run(std::vector<std::string_view>(c.begin(), c.end()));
  const std::string t = std::to_string(h.clock().NowMs());
  const Cmds expected = {
      {"XADD", "s", "1-1", "f", "v"},
      {"XADD", "s", "1-2", "f", "v"},
      {"XADD", "s", "2-0", "f", "v"},
      {"XADD", "s", "3-0", "f", "v"},
      {"XADD", "s", "MAXLEN", "=", "3", "4-0", "f", "v"},
      {"XADD", "s", "MAXLEN", "=", "4", "5-0", "f", "v"},
      {"XADD", "s", "MINID", "=", "7-0", "7-0", "f", "v"},
      {"XADD", "s", "MAXLEN", "=", "2", "LIMIT", "1", "8-0", "f", "v"},
      {"XADD", "s", "NOMKSTREAM", "minid", "=", "7-0", "9-0", "f", "v"},
      {"XTRIM", "s", "MINID", "=", "8"},
      {"XDEL", "s", "9-0", "100-0"},
      {"XSETID", "s", "20-0"},
      {"XGROUP", "CREATE", "s", "g", "0"},
      {"XCLAIM", "s", "g", "alice", "0", "8-0", "TIME", t, "RETRYCOUNT", "1", "FORCE", "JUSTID",
       "LASTID", "8-0"},
      {"XADD", "s", "21-0", "f", "v"},
      {"XADD", "s", "22-0", "f", "v"},
      {"MULTI"},
      {"XCLAIM", "s", "g", "alice", "0", "21-0", "TIME", t, "RETRYCOUNT", "1", "FORCE", "JUSTID",
       "LASTID", "21-0"},
      {"XCLAIM", "s", "g", "alice", "0", "22-0", "TIME", t, "RETRYCOUNT", "1", "FORCE", "JUSTID",
       "LASTID", "22-0"},
      {"EXEC"},
      {"XADD", "s", "23-0", "f", "v"},
      {"XADD", "s", "24-0", "f", "v"},
      {"MULTI"},
      {"XGROUP", "CREATECONSUMER", "s", "g", "bob"},
      {"XGROUP", "SETID", "s", "g", "24-0", "ENTRIESREAD", "13"},
      {"EXEC"},
      {"XADD", "s", "25-0", "f", "v"},
      {"XGROUP", "SETID", "s", "g", "25-0", "ENTRIESREAD", "14"},
      {"XTRIM", "s", "MINID", "=", "18446744073709551615-18446744073709551615"},
      {"XADD", "t", "MAXLEN", "=", "0", "1-0", "f", "v"},
  };
  CHECK(sink.commands == expected);
  h.server().propagation_sink = nullptr;
}

TEST_CASE("XADD * propagates the ID it generated", "[stream]") {
  CommandHarness h;
  CapturingSink sink;
  h.server().propagation_sink = &sink;
  h.Run({"XADD", "s", "*", "f", "v"});
  h.Run({"XADD", "s", "MAXLEN", "~", "5", "*", "f", "v"});
  h.Run({"XADD", "s", "1700000000000-*", "a", "b"});
  h.Run({"XADD", "s", "NOMKSTREAM", "MINID", "0", "*", "f", "v"});
  h.Run({"XADD", "nokey", "NOMKSTREAM", "*", "f", "v"});  // nothing written
  const Cmds expected = {
      {"XADD", "s", "1700000000000-0", "f", "v"},
      {"XADD", "s", "MAXLEN", "=", "2", "1700000000000-1", "f", "v"},
      {"XADD", "s", "1700000000000-2", "a", "b"},
      {"XADD", "s", "NOMKSTREAM", "MINID", "0", "1700000000000-3", "f", "v"},
  };
  CHECK(sink.commands == expected);
  h.server().propagation_sink = nullptr;
}

TEST_CASE("stream commands publish Redis's keyspace events", "[stream]") {
  CheckRows({
      {{}, {"XADD", "s", "1-0", "f", "v"}, {"new s", "xadd s"}},
      {{{"XADD", "s", "1-0", "f", "v"},
        {"XADD", "s", "2-0", "f", "v"},
        {"XADD", "s", "3-0", "f", "v"}},
       {"XADD", "s", "4-0", "f", "v"},
       {"xadd s"}},
      {{{"XADD", "s", "1-0", "f", "v"},
        {"XADD", "s", "2-0", "f", "v"},
        {"XADD", "s", "3-0", "f", "v"}},
       {"XADD", "s", "MAXLEN", "1", "4-0", "f", "v"},
       {"xadd s", "xtrim s"}},
      {{{"XADD", "s", "1-0", "f", "v"},
        {"XADD", "s", "2-0", "f", "v"},
        {"XADD", "s", "3-0", "f", "v"}},
       {"XADD", "s", "MAXLEN", "~", "1", "4-0", "f", "v"},
       {"xadd s"}},
      {{{"XADD", "s", "1-0", "f", "v"},
        {"XADD", "s", "2-0", "f", "v"},
        {"XADD", "s", "3-0", "f", "v"}},
       {"XADD", "s", "MAXLEN", "100", "4-0", "f", "v"},
       {"xadd s"}},
      {{}, {"XADD", "s", "NOMKSTREAM", "1-0", "f", "v"}, {}},
      {{{"XADD", "s", "1-0", "f", "v"},
        {"XADD", "s", "2-0", "f", "v"},
        {"XADD", "s", "3-0", "f", "v"}},
       {"XADD", "s", "1-0", "f", "v"},
       {}},
      {{{"XADD", "s", "1-0", "f", "v"},
        {"XADD", "s", "2-0", "f", "v"},
        {"XADD", "s", "3-0", "f", "v"}},
       {"XDEL", "s", "1-0", "2-0"},
       {"xdel s"}},
      {{{"XADD", "s", "1-0", "f", "v"},
        {"XADD", "s", "2-0", "f", "v"},
        {"XADD", "s", "3-0", "f", "v"}},
       {"XDEL", "s", "5-0"},
       {}},
      {{{"XADD", "s", "1-0", "f", "v"},
        {"XADD", "s", "2-0", "f", "v"},
        {"XADD", "s", "3-0", "f", "v"}},
       {"XTRIM", "s", "MAXLEN", "1"},
       {"xtrim s"}},
      {{{"XADD", "s", "1-0", "f", "v"},
        {"XADD", "s", "2-0", "f", "v"},
        {"XADD", "s", "3-0", "f", "v"}},
       {"XTRIM", "s", "MAXLEN", "10"},
       {}},
      {{{"XADD", "s", "1-0", "f", "v"},
        {"XADD", "s", "2-0", "f", "v"},
        {"XADD", "s", "3-0", "f", "v"}},
       {"XSETID", "s", "10-0"},
       {"xsetid s"}},
      {{{"XADD", "s", "1-0", "f", "v"},
        {"XADD", "s", "2-0", "f", "v"},
        {"XADD", "s", "3-0", "f", "v"}},
       {"XGROUP", "CREATE", "s", "g", "0"},
       {"xgroup-create s"}},
      {{{"XADD", "s", "1-0", "f", "v"},
        {"XADD", "s", "2-0", "f", "v"},
        {"XADD", "s", "3-0", "f", "v"},
        {"XGROUP", "CREATE", "s", "g", "0"}},
       {"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"},
       {"xgroup-createconsumer s"}},
      {{{"XADD", "s", "1-0", "f", "v"},
        {"XADD", "s", "2-0", "f", "v"},
        {"XADD", "s", "3-0", "f", "v"},
        {"XGROUP", "CREATE", "s", "g", "0"}},
       {"XREADGROUP", "GROUP", "g", "c", "NOACK", "STREAMS", "s", ">"},
       {"xgroup-createconsumer s"}},
      {{{"XADD", "s", "1-0", "f", "v"},
        {"XADD", "s", "2-0", "f", "v"},
        {"XADD", "s", "3-0", "f", "v"},
        {"XGROUP", "CREATE", "s", "g", "$"}},
       {"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"},
       {}},
      {{{"XADD", "s", "1-0", "f", "v"},
        {"XADD", "s", "2-0", "f", "v"},
        {"XADD", "s", "3-0", "f", "v"},
        {"XGROUP", "CREATE", "s", "g", "0"}},
       {"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0"},
       {"xgroup-createconsumer s"}},
      {{{"XADD", "s", "1-0", "f", "v"},
        {"XADD", "s", "2-0", "f", "v"},
        {"XADD", "s", "3-0", "f", "v"}},
       {"XREAD", "STREAMS", "s", "0"},
       {}},
  });
}

// ---------------------------------------------------------------------------------------------
// Blocking

TEST_CASE("XREAD BLOCK is woken by XADD, '$' meaning the last ID when it blocked", "[stream]") {
  CommandHarness h;
  CHECK(h.Run({"XREAD", "BLOCK", "0", "STREAMS", "s", "$"}, "a").empty());
  CHECK(h.IsBlocked("a"));
  CHECK(h.Run({"XADD", "s", "1-0", "f", "v"}) == "\"1-0\"");
  CHECK(h.TakeReply("a") == "[[\"s\", [[\"1-0\", [\"f\", \"v\"]]]]]");
  CHECK_FALSE(h.IsBlocked("a"));

  // '$' is the last ID at the time of blocking: only what comes after.
  CHECK(h.Run({"XREAD", "BLOCK", "0", "STREAMS", "s", "$"}, "a").empty());
  h.Run({"XADD", "s", "2-0", "f", "v"});
  h.Run({"XADD", "s", "3-0", "f", "v"});
  CHECK(h.TakeReply("a") == "[[\"s\", [[\"2-0\", [\"f\", \"v\"]]]]]");

  // An explicit ID: an entry at or below it does not serve the reader.
  CHECK(h.Run({"XREAD", "BLOCK", "0", "STREAMS", "s", "5-0"}, "a").empty());
  h.Run({"XADD", "s", "4-0", "f", "v"});
  CHECK(h.TakeReply("a").empty());
  CHECK(h.IsBlocked("a"));
  h.Run({"XADD", "s", "6-0", "f", "v"});
  CHECK(h.TakeReply("a") == "[[\"s\", [[\"6-0\", [\"f\", \"v\"]]]]]");

  // Only the key that was written is in the reply, in RESP2 and RESP3.
  h.Run({"HELLO", "3"}, "r3");
  CHECK(h.Run({"XREAD", "BLOCK", "0", "STREAMS", "s", "b", "$", "$"}, "a").empty());
  CHECK(h.Run({"XREAD", "BLOCK", "0", "STREAMS", "s", "b", "$", "$"}, "r3").empty());
  h.Run({"XADD", "b", "1-0", "f", "v"});
  CHECK(h.TakeReply("a") == "[[\"b\", [[\"1-0\", [\"f\", \"v\"]]]]]");
  CHECK(h.TakeReply("r3") == "{\"b\" => [[\"1-0\", [\"f\", \"v\"]]]}");
}

TEST_CASE("a blocked XREAD keeps its COUNT, or gets at most 1000 entries", "[stream]") {
  CommandHarness h;
  CHECK(h.Run({"XREAD", "COUNT", "2", "BLOCK", "0", "STREAMS", "s", "0"}, "a").empty());
  CHECK(h.Run({"XREAD", "BLOCK", "0", "STREAMS", "s", "$"}, "b").empty());
  h.Run({"MULTI"});
  std::vector<std::string> ids;
  for (int i = 1; i <= 1005; ++i) ids.push_back(std::to_string(i) + "-0");
  for (const auto& id : ids) CHECK(h.Run({"XADD", "s", id, "f", "v"}) == "QUEUED");
  h.Run({"EXEC"});
  CHECK(h.TakeReply("a") == "[[\"s\", [[\"1-0\", [\"f\", \"v\"]], [\"2-0\", [\"f\", \"v\"]]]]]");
  protocol::RespValue v;
  std::string raw = h.client("b").TakeOutput();
  REQUIRE(protocol::ParseReply(raw, &v) > 0);
  REQUIRE(v.elems.size() == 1);
  REQUIRE(v.elems[0].elems.size() == 2);
  const auto& entries = v.elems[0].elems[1].elems;
  CHECK(entries.size() == 1000);
  CHECK(entries.front().elems[0].str == "1-0");
  CHECK(entries.back().elems[0].str == "1000-0");
}

TEST_CASE("XREAD BLOCK times out with a null on the injected clock", "[stream]") {
  CommandHarness h;
  h.Run({"XADD", "s", "1-0", "f", "v"});
  CHECK(h.Run({"XREAD", "BLOCK", "100", "STREAMS", "s", "$"}, "a").empty());
  h.AdvanceTime(milliseconds(99));
  CHECK(h.IsBlocked("a"));
  CHECK(h.TakeReply("a").empty());
  h.AdvanceTime(milliseconds(1));
  CHECK(h.TakeReply("a") == "nil-array");
  CHECK_FALSE(h.IsBlocked("a"));

  h.Run({"HELLO", "3"}, "r3");
  CHECK(h.Run({"XREADGROUP", "GROUP", "nog", "c", "BLOCK", "10", "STREAMS", "s", ">"}, "r3") ==
        "(error) NOGROUP No such key 's' or consumer group 'nog' in XREADGROUP with GROUP option");
  h.Run({"XGROUP", "CREATE", "s", "g", "$"});
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c", "BLOCK", "10", "STREAMS", "s", ">"}, "r3").empty());
  h.AdvanceTime(milliseconds(10));
  CHECK(h.TakeReply("r3") == "nil");
  // A blocked XREAD inside MULTI answers at once.
  h.Run({"MULTI"}, "m");
  h.Run({"XREAD", "BLOCK", "0", "STREAMS", "s", "$"}, "m");
  CHECK(h.Run({"EXEC"}, "m") == "[nil-array]");
}

TEST_CASE("a blocked XREAD survives the key's deletion and waits past its ID", "[stream]") {
  CommandHarness h;
  h.Run({"XADD", "s", "1-0", "f", "v"});
  CHECK(h.Run({"XREAD", "BLOCK", "0", "STREAMS", "s", "$"}, "a").empty());
  h.Run({"DEL", "s"});
  h.Run({"SET", "s", "x"});
  h.Run({"DEL", "s"});
  CHECK(h.Run({"XADD", "s", "0-5", "f", "v"}) == "\"0-5\"");  // below the 1-0 '$' stood for
  CHECK(h.TakeReply("a").empty());
  CHECK(h.IsBlocked("a"));
  // XSETID moves the last ID without adding: nothing to serve.
  CHECK(h.Run({"XSETID", "s", "5-0"}) == "OK");
  CHECK(h.TakeReply("a").empty());
  CHECK(h.IsBlocked("a"));
  h.Run({"XADD", "s", "6-0", "f", "v"});
  CHECK(h.TakeReply("a") == "[[\"s\", [[\"6-0\", [\"f\", \"v\"]]]]]");
}

TEST_CASE("MULTI { XADD; XDEL } serves blocked readers an empty list", "[stream]") {
  CommandHarness h;
  h.Run({"XADD", "s", "1-0", "f", "v"});
  h.Run({"XGROUP", "CREATE", "s", "g", "$"});
  CHECK(h.Run({"XREAD", "BLOCK", "0", "STREAMS", "s", "$"}, "a").empty());
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"}, "b").empty());
  h.Run({"MULTI"});
  h.Run({"XADD", "s", "2-0", "f", "v"});
  h.Run({"XDEL", "s", "2-0"});
  CHECK(h.Run({"EXEC"}) == "[\"2-0\", 1]");
  CHECK(h.TakeReply("a") == "[[\"s\", []]]");
  CHECK(h.TakeReply("b") == "[[\"s\", []]]");
  CHECK(h.Run({"XINFO", "GROUPS", "s"}) ==
        "[[\"name\", \"g\", \"consumers\", 1, \"pending\", 0, \"last-delivered-id\", \"1-0\", "
        "\"entries-read\", nil, \"lag\", nil]]");
}

TEST_CASE(
    "a blocked XREADGROUP is served, or unblocked with an error when its stream or "
    "group goes",
    "[stream]") {
  CommandHarness h;
  auto setup = [&] {
    h.Run({"FLUSHALL"});
    h.Run({"XADD", "s", "1-0", "f", "v"});
    h.Run({"XGROUP", "CREATE", "s", "g", "$"});
    CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"}, "a").empty());
    CHECK(h.IsBlocked("a"));
  };
  setup();
  h.Run({"XADD", "s", "2-0", "f", "v"});
  CHECK(h.TakeReply("a") == "[[\"s\", [[\"2-0\", [\"f\", \"v\"]]]]]");
  CHECK(h.Run({"XPENDING", "s", "g"}) == "[1, \"2-0\", \"2-0\", [[\"c\", \"1\"]]]");

  setup();
  h.Run({"DEL", "s"});
  CHECK(h.TakeReply("a") == "(error) UNBLOCKED the stream key no longer exists");
  CHECK_FALSE(h.IsBlocked("a"));

  setup();
  h.Run({"SET", "s", "x"});
  CHECK(h.TakeReply("a") == "(error) UNBLOCKED the stream key no longer exists");

  setup();
  h.Run({"FLUSHALL"});
  CHECK(h.TakeReply("a") == "(error) UNBLOCKED the stream key no longer exists");

  setup();
  CHECK(h.Run({"XGROUP", "DESTROY", "s", "g"}) == "1");
  CHECK(h.TakeReply("a") ==
        "(error) NOGROUP the consumer group this client was blocked on no longer exists");
  CHECK_FALSE(h.IsBlocked("a"));

  // XGROUP SETID back in time does not wake it.
  setup();
  h.Run({"XADD", "s", "2-0", "f", "v"});
  CHECK(h.TakeReply("a") == "[[\"s\", [[\"2-0\", [\"f\", \"v\"]]]]]");
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"}, "a").empty());
  CHECK(h.Run({"XGROUP", "SETID", "s", "g", "0"}) == "OK");
  CHECK(h.TakeReply("a").empty());
  CHECK(h.IsBlocked("a"));
  h.Disconnect("a");

  // NOACK in RESP3: served, nothing pending, the consumer created.
  h.Run({"HELLO", "3"}, "r3");
  h.Run({"FLUSHALL"});
  h.Run({"XADD", "s", "1-0", "f", "v"});
  h.Run({"XGROUP", "CREATE", "s", "g", "$"});
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c", "NOACK", "BLOCK", "0", "STREAMS", "s", ">"}, "r3")
            .empty());
  h.Run({"XADD", "s", "2-0", "f", "v"});
  CHECK(h.TakeReply("r3") == "{\"s\" => [[\"2-0\", [\"f\", \"v\"]]]}");
  CHECK(h.Run({"XPENDING", "s", "g"}) == "[0, nil, nil, nil-array]");
  CHECK(h.Run({"XINFO", "CONSUMERS", "s", "g"}) ==
        "[[\"name\", \"c\", \"pending\", 0, \"idle\", 0]]");
}

TEST_CASE("a blocked XREADGROUP propagates its XCLAIM after the XADD that served it", "[stream]") {
  CommandHarness h;
  h.Run({"XADD", "s", "1-0", "f", "v"});
  h.Run({"XGROUP", "CREATE", "s", "g", "$"});
  CapturingSink sink;
  h.server().propagation_sink = &sink;
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"}, "a").empty());
  h.Run({"XADD", "s", "2-0", "f", "v"});
  CHECK(h.TakeReply("a") == "[[\"s\", [[\"2-0\", [\"f\", \"v\"]]]]]");
  const std::string t = std::to_string(h.clock().NowMs());
  const Cmds expected = {
      {"XADD", "s", "2-0", "f", "v"},
      {"XCLAIM", "s", "g", "c", "0", "2-0", "TIME", t, "RETRYCOUNT", "1", "FORCE", "JUSTID",
       "LASTID", "2-0"},
  };
  CHECK(sink.commands == expected);
  h.server().propagation_sink = nullptr;
}

}  // namespace
}  // namespace baozi::testing
