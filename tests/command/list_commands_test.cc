// List commands through the real dispatcher. Expected replies are Redis 7.0.15's (checked
// against redis-server), errors and argument-check order included.
#include <catch2/catch.hpp>

#include "tests/command/harness.h"

using baozi::testing::CommandHarness;

namespace {

constexpr const char* kWrongType =
    "(error) WRONGTYPE Operation against a key holding the wrong kind of value";

}  // namespace

TEST_CASE("LPUSH, RPUSH, the X forms and LLEN", "[list]") {
  CommandHarness h;
  CHECK(h.Run({"LPUSH", "l", "a", "b"}) == "2");
  CHECK(h.Run({"RPUSH", "l", "c", "1", "-5"}) == "5");
  CHECK(h.Run({"LRANGE", "l", "0", "-1"}) == "[\"b\", \"a\", \"c\", \"1\", \"-5\"]");
  CHECK(h.Run({"LLEN", "l"}) == "5");
  CHECK(h.Run({"LLEN", "missing"}) == "0");
  CHECK(h.Run({"LPUSHX", "missing", "a"}) == "0");
  CHECK(h.Run({"RPUSHX", "missing", "a", "b"}) == "0");
  CHECK(h.Run({"EXISTS", "missing"}) == "0");
  CHECK(h.Run({"LPUSHX", "l", "x", "y"}) == "7");
  CHECK(h.Run({"RPUSHX", "l", "z"}) == "8");
  CHECK(h.Run({"LRANGE", "l", "0", "-1"}) ==
        "[\"y\", \"x\", \"b\", \"a\", \"c\", \"1\", \"-5\", \"z\"]");
  CHECK(h.Run({"TYPE", "l"}) == "list");
  CHECK(h.Run({"OBJECT", "ENCODING", "l"}) == "\"quicklist\"");
  CHECK(h.Run({"LPUSH", "l"}) == "(error) ERR wrong number of arguments for 'lpush' command");
  h.Run({"SET", "s", "v"});
  CHECK(h.Run({"LPUSH", "s", "a"}) == kWrongType);
  CHECK(h.Run({"RPUSHX", "s", "a"}) == kWrongType);
  CHECK(h.Run({"LLEN", "s"}) == kWrongType);
}

TEST_CASE("LPOP and RPOP with and without a count", "[list]") {
  CommandHarness h;
  h.Run({"RPUSH", "l", "a", "b", "c", "d", "e"});
  CHECK(h.Run({"LPOP", "l"}) == "\"a\"");
  CHECK(h.Run({"RPOP", "l"}) == "\"e\"");
  CHECK(h.Run({"LPOP", "l", "0"}) == "[]");
  CHECK(h.Run({"RPOP", "l", "2"}) == "[\"d\", \"c\"]");
  CHECK(h.Run({"LPOP", "l", "10"}) == "[\"b\"]");
  CHECK(h.Run({"EXISTS", "l"}) == "0");
  CHECK(h.Run({"LPOP", "l"}) == "nil");
  CHECK(h.Run({"RPOP", "l"}) == "nil");
  CHECK(h.Run({"LPOP", "l", "0"}) == "nil-array");
  CHECK(h.Run({"RPOP", "l", "3"}) == "nil-array");
  CHECK(h.Run({"LPOP", "l", "-1"}) == "(error) ERR value is out of range, must be positive");
  CHECK(h.Run({"LPOP", "l", "abc"}) == "(error) ERR value is out of range, must be positive");
  CHECK(h.Run({"LPOP", "l", "99999999999999999999"}) ==
        "(error) ERR value is out of range, must be positive");
  CHECK(h.Run({"LPOP", "l", "1", "2"}) ==
        "(error) ERR wrong number of arguments for 'lpop' command");
  h.Run({"SET", "s", "v"});
  CHECK(h.Run({"LPOP", "s"}) == kWrongType);
  CHECK(h.Run({"RPOP", "s", "0"}) == kWrongType);
  // The count is parsed before the key is looked at.
  CHECK(h.Run({"RPOP", "s", "-1"}) == "(error) ERR value is out of range, must be positive");

  h.Run({"HELLO", "3"});
  CHECK(h.Run({"LPOP", "nokey"}) == "nil");
  CHECK(h.raw() == "_\r\n");
  CHECK(h.Run({"LPOP", "nokey", "2"}) == "nil");
  CHECK(h.raw() == "_\r\n");
  h.Run({"RPUSH", "l", "x"});
  CHECK(h.Run({"LPOP", "l", "0"}) == "[]");
}

TEST_CASE("LRANGE index arithmetic", "[list]") {
  CommandHarness h;
  h.Run({"RPUSH", "l", "a", "b", "c", "d"});
  CHECK(h.Run({"LRANGE", "l", "1", "2"}) == "[\"b\", \"c\"]");
  CHECK(h.Run({"LRANGE", "l", "-2", "-1"}) == "[\"c\", \"d\"]");
  CHECK(h.Run({"LRANGE", "l", "-100", "1"}) == "[\"a\", \"b\"]");
  CHECK(h.Run({"LRANGE", "l", "2", "100"}) == "[\"c\", \"d\"]");
  CHECK(h.Run({"LRANGE", "l", "3", "1"}) == "[]");
  CHECK(h.Run({"LRANGE", "l", "4", "10"}) == "[]");
  CHECK(h.Run({"LRANGE", "l", "0", "-5"}) == "[]");
  CHECK(h.Run({"LRANGE", "l", "-9223372036854775808", "9223372036854775807"}) ==
        "[\"a\", \"b\", \"c\", \"d\"]");
  CHECK(h.Run({"LRANGE", "missing", "0", "-1"}) == "[]");
  CHECK(h.Run({"LRANGE", "l", "abc", "1"}) ==
        "(error) ERR value is not an integer or out of range");
  // Numbers first, then the key.
  CHECK(h.Run({"LRANGE", "missing", "0", "01"}) ==
        "(error) ERR value is not an integer or out of range");
  h.Run({"SET", "s", "v"});
  CHECK(h.Run({"LRANGE", "s", "0", "1"}) == kWrongType);
}

TEST_CASE("LINDEX and LSET", "[list]") {
  CommandHarness h;
  h.Run({"RPUSH", "l", "a", "b", "c"});
  CHECK(h.Run({"LINDEX", "l", "0"}) == "\"a\"");
  CHECK(h.Run({"LINDEX", "l", "-1"}) == "\"c\"");
  CHECK(h.Run({"LINDEX", "l", "3"}) == "nil");
  CHECK(h.Run({"LINDEX", "l", "-4"}) == "nil");
  CHECK(h.Run({"LINDEX", "l", "abc"}) == "(error) ERR value is not an integer or out of range");
  // The key is looked up before the index is parsed.
  CHECK(h.Run({"LINDEX", "missing", "abc"}) == "nil");
  CHECK(h.Run({"LSET", "l", "1", "B"}) == "OK");
  CHECK(h.Run({"LSET", "l", "-1", "42"}) == "OK");
  CHECK(h.Run({"LRANGE", "l", "0", "-1"}) == "[\"a\", \"B\", \"42\"]");
  CHECK(h.Run({"LSET", "l", "3", "x"}) == "(error) ERR index out of range");
  CHECK(h.Run({"LSET", "l", "-4", "x"}) == "(error) ERR index out of range");
  CHECK(h.Run({"LSET", "l", "abc", "x"}) == "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"LSET", "missing", "abc", "x"}) == "(error) ERR no such key");
  CHECK(h.Run({"LSET", "missing", "0", "x"}) == "(error) ERR no such key");
  h.Run({"SET", "s", "v"});
  CHECK(h.Run({"LINDEX", "s", "0"}) == kWrongType);
  CHECK(h.Run({"LSET", "s", "0", "x"}) == kWrongType);
}

TEST_CASE("LINSERT", "[list]") {
  CommandHarness h;
  h.Run({"RPUSH", "l", "a", "b", "a"});
  CHECK(h.Run({"LINSERT", "l", "BEFORE", "a", "x"}) == "4");
  CHECK(h.Run({"LINSERT", "l", "after", "a", "y"}) == "5");
  CHECK(h.Run({"LRANGE", "l", "0", "-1"}) == "[\"x\", \"a\", \"y\", \"b\", \"a\"]");
  CHECK(h.Run({"LINSERT", "l", "before", "zz", "q"}) == "-1");
  CHECK(h.Run({"LINSERT", "missing", "before", "a", "q"}) == "0");
  CHECK(h.Run({"EXISTS", "missing"}) == "0");
  CHECK(h.Run({"LINSERT", "l", "middle", "a", "q"}) == "(error) ERR syntax error");
  // The direction is checked before the key.
  CHECK(h.Run({"LINSERT", "missing", "bogus", "a", "q"}) == "(error) ERR syntax error");
  h.Run({"SET", "s", "v"});
  CHECK(h.Run({"LINSERT", "s", "before", "a", "q"}) == kWrongType);
  CHECK(h.Run({"LINSERT", "s", "bogus", "a", "q"}) == "(error) ERR syntax error");
}

TEST_CASE("LREM counts from either end", "[list]") {
  CommandHarness h;
  h.Run({"RPUSH", "l", "a", "b", "a", "c", "a", "1"});
  CHECK(h.Run({"LREM", "l", "-2", "a"}) == "2");
  CHECK(h.Run({"LRANGE", "l", "0", "-1"}) == "[\"a\", \"b\", \"c\", \"1\"]");
  CHECK(h.Run({"LREM", "l", "1", "01"}) == "0");
  CHECK(h.Run({"LREM", "l", "1", "1"}) == "1");
  CHECK(h.Run({"LREM", "l", "0", "zz"}) == "0");
  CHECK(h.Run({"LREM", "l", "0", "a"}) == "1");
  CHECK(h.Run({"LREM", "l", "-9223372036854775808", "b"}) == "1");
  CHECK(h.Run({"LREM", "l", "5", "c"}) == "1");
  CHECK(h.Run({"EXISTS", "l"}) == "0");
  CHECK(h.Run({"LREM", "l", "0", "a"}) == "0");
  CHECK(h.Run({"LREM", "missing", "x", "a"}) ==
        "(error) ERR value is not an integer or out of range");
  h.Run({"SET", "s", "v"});
  CHECK(h.Run({"LREM", "s", "0", "a"}) == kWrongType);
}

TEST_CASE("LTRIM", "[list]") {
  CommandHarness h;
  h.Run({"RPUSH", "l", "a", "b", "c", "d", "e"});
  CHECK(h.Run({"LTRIM", "l", "1", "-2"}) == "OK");
  CHECK(h.Run({"LRANGE", "l", "0", "-1"}) == "[\"b\", \"c\", \"d\"]");
  CHECK(h.Run({"LTRIM", "l", "-100", "100"}) == "OK");
  CHECK(h.Run({"LLEN", "l"}) == "3");
  CHECK(h.Run({"LTRIM", "l", "1", "1"}) == "OK");
  CHECK(h.Run({"LRANGE", "l", "0", "-1"}) == "[\"c\"]");
  CHECK(h.Run({"LTRIM", "l", "2", "1"}) == "OK");
  CHECK(h.Run({"EXISTS", "l"}) == "0");
  CHECK(h.Run({"LTRIM", "missing", "0", "1"}) == "OK");
  CHECK(h.Run({"LTRIM", "missing", "x", "1"}) ==
        "(error) ERR value is not an integer or out of range");
  h.Run({"SET", "s", "v"});
  CHECK(h.Run({"LTRIM", "s", "0", "1"}) == kWrongType);
}

TEST_CASE("LPOS options", "[list]") {
  CommandHarness h;
  h.Run({"RPUSH", "l", "a", "b", "a", "c", "a"});
  CHECK(h.Run({"LPOS", "l", "a"}) == "0");
  CHECK(h.Run({"LPOS", "l", "a", "RANK", "2"}) == "2");
  CHECK(h.Run({"LPOS", "l", "a", "RANK", "-1"}) == "4");
  CHECK(h.Run({"LPOS", "l", "a", "RANK", "-2", "COUNT", "2"}) == "[2, 0]");
  CHECK(h.Run({"LPOS", "l", "a", "COUNT", "0"}) == "[0, 2, 4]");
  CHECK(h.Run({"LPOS", "l", "a", "COUNT", "0", "MAXLEN", "3"}) == "[0, 2]");
  CHECK(h.Run({"LPOS", "l", "a", "RANK", "2", "COUNT", "0"}) == "[2, 4]");
  CHECK(h.Run({"LPOS", "l", "a", "RANK", "4"}) == "nil");
  CHECK(h.Run({"LPOS", "l", "c", "MAXLEN", "3"}) == "nil");
  CHECK(h.Run({"LPOS", "l", "zz", "COUNT", "2"}) == "[]");
  CHECK(h.Run({"LPOS", "l", "a", "RANK", "9223372036854775807"}) == "nil");
  // LLONG_MIN stays negative when Redis negates it: every match from the tail, COUNT ignored.
  CHECK(h.Run({"LPOS", "l", "a", "RANK", "-9223372036854775808"}) == "4");
  CHECK(h.Run({"LPOS", "l", "a", "RANK", "-9223372036854775808", "COUNT", "1"}) == "[4, 2, 0]");
  CHECK(h.Run({"LPOS", "l", "a", "RANK", "0"}) ==
        "(error) ERR RANK can't be zero: use 1 to start from the first match, 2 from the "
        "second ... or use negative to start from the end of the list");
  CHECK(h.Run({"LPOS", "l", "a", "RANK", "x"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"LPOS", "l", "a", "COUNT", "-1"}) == "(error) ERR COUNT can't be negative");
  CHECK(h.Run({"LPOS", "l", "a", "COUNT", "x"}) == "(error) ERR COUNT can't be negative");
  CHECK(h.Run({"LPOS", "l", "a", "MAXLEN", "-1"}) == "(error) ERR MAXLEN can't be negative");
  CHECK(h.Run({"LPOS", "l", "a", "RANK"}) == "(error) ERR syntax error");
  CHECK(h.Run({"LPOS", "l", "a", "BOGUS"}) == "(error) ERR syntax error");
  CHECK(h.Run({"LPOS", "missing", "a"}) == "nil");
  CHECK(h.Run({"LPOS", "missing", "a", "COUNT", "0"}) == "[]");
  CHECK(h.Run({"LPOS", "missing", "a", "RANK", "0"}) ==
        "(error) ERR RANK can't be zero: use 1 to start from the first match, 2 from the "
        "second ... or use negative to start from the end of the list");
  h.Run({"SET", "s", "v"});
  CHECK(h.Run({"LPOS", "s", "a"}) == kWrongType);
  h.Run({"HELLO", "3"});
  CHECK(h.Run({"LPOS", "missing", "a"}) == "nil");
  CHECK(h.raw() == "_\r\n");
}

TEST_CASE("RPOPLPUSH and LMOVE", "[list]") {
  CommandHarness h;
  h.Run({"RPUSH", "src", "a", "b", "c"});
  CHECK(h.Run({"RPOPLPUSH", "src", "dst"}) == "\"c\"");
  CHECK(h.Run({"LMOVE", "src", "dst", "LEFT", "RIGHT"}) == "\"a\"");
  CHECK(h.Run({"LRANGE", "dst", "0", "-1"}) == "[\"c\", \"a\"]");
  CHECK(h.Run({"LMOVE", "dst", "dst", "left", "right"}) == "\"c\"");
  CHECK(h.Run({"LRANGE", "dst", "0", "-1"}) == "[\"a\", \"c\"]");
  CHECK(h.Run({"LMOVE", "src", "dst", "right", "left"}) == "\"b\"");
  CHECK(h.Run({"EXISTS", "src"}) == "0");
  CHECK(h.Run({"LRANGE", "dst", "0", "-1"}) == "[\"b\", \"a\", \"c\"]");
  CHECK(h.Run({"RPOPLPUSH", "src", "dst"}) == "nil");
  // Rotating a one-element list keeps it.
  h.Run({"RPUSH", "one", "x"});
  CHECK(h.Run({"RPOPLPUSH", "one", "one"}) == "\"x\"");
  CHECK(h.Run({"LRANGE", "one", "0", "-1"}) == "[\"x\"]");
  CHECK(h.Run({"LMOVE", "dst", "x", "up", "left"}) == "(error) ERR syntax error");
  CHECK(h.Run({"LMOVE", "missing", "x", "left", "bogus"}) == "(error) ERR syntax error");
  h.Run({"SET", "s", "v"});
  // The destination's type is checked before anything is popped.
  CHECK(h.Run({"RPOPLPUSH", "dst", "s"}) == kWrongType);
  CHECK(h.Run({"LMOVE", "dst", "s", "left", "left"}) == kWrongType);
  CHECK(h.Run({"LLEN", "dst"}) == "3");
  CHECK(h.Run({"LMOVE", "s", "dst", "left", "left"}) == kWrongType);
  CHECK(h.Run({"RPOPLPUSH", "missing", "s"}) == "nil");
}

TEST_CASE("LMPOP", "[list]") {
  CommandHarness h;
  h.Run({"RPUSH", "l", "a", "b", "c", "d"});
  CHECK(h.Run({"LMPOP", "2", "missing", "l", "LEFT"}) == "[\"l\", [\"a\"]]");
  CHECK(h.Run({"LMPOP", "1", "l", "RIGHT", "COUNT", "2"}) == "[\"l\", [\"d\", \"c\"]]");
  CHECK(h.Run({"LMPOP", "1", "l", "left", "count", "10"}) == "[\"l\", [\"b\"]]");
  CHECK(h.Run({"EXISTS", "l"}) == "0");
  CHECK(h.Run({"LMPOP", "1", "l", "left"}) == "nil-array");
  CHECK(h.Run({"LMPOP", "0", "l", "left"}) == "(error) ERR numkeys should be greater than 0");
  CHECK(h.Run({"LMPOP", "-1", "l", "left"}) == "(error) ERR numkeys should be greater than 0");
  CHECK(h.Run({"LMPOP", "abc", "l", "left"}) == "(error) ERR numkeys should be greater than 0");
  CHECK(h.Run({"LMPOP", "2", "l", "left"}) == "(error) ERR syntax error");
  CHECK(h.Run({"LMPOP", "9223372036854775807", "l", "left"}) == "(error) ERR syntax error");
  CHECK(h.Run({"LMPOP", "1", "l", "up"}) == "(error) ERR syntax error");
  CHECK(h.Run({"LMPOP", "1", "l", "left", "count", "0"}) ==
        "(error) ERR count should be greater than 0");
  CHECK(h.Run({"LMPOP", "1", "l", "left", "count", "x"}) ==
        "(error) ERR count should be greater than 0");
  CHECK(h.Run({"LMPOP", "1", "l", "left", "count", "1", "count", "1"}) ==
        "(error) ERR syntax error");
  CHECK(h.Run({"LMPOP", "1", "l", "left", "count"}) == "(error) ERR syntax error");
  CHECK(h.Run({"LMPOP", "1", "l", "left", "bogus"}) == "(error) ERR syntax error");
  CHECK(h.Run({"LMPOP", "1", "l"}) == "(error) ERR wrong number of arguments for 'lmpop' command");
  h.Run({"SET", "s", "v"});
  h.Run({"RPUSH", "l", "z"});
  CHECK(h.Run({"LMPOP", "2", "s", "l", "left"}) == kWrongType);
  // The first non-empty list answers; later keys are not checked.
  CHECK(h.Run({"LMPOP", "2", "l", "s", "left"}) == "[\"l\", [\"z\"]]");
  h.Run({"HELLO", "3"});
  CHECK(h.Run({"LMPOP", "1", "l", "left"}) == "nil");
  CHECK(h.raw() == "_\r\n");
}

TEST_CASE("blocking pops: immediate answers and errors", "[list][blocking]") {
  CommandHarness h;
  h.Run({"RPUSH", "l", "a", "b", "c", "d", "e"});
  h.Run({"SET", "s", "v"});
  CHECK(h.Run({"BLPOP", "missing", "l", "0"}) == "[\"l\", \"a\"]");
  CHECK(h.Run({"BRPOP", "l", "1.5"}) == "[\"l\", \"e\"]");
  CHECK(h.Run({"BLPOP", "s", "0"}) == kWrongType);
  CHECK(h.Run({"BLPOP", "l", "abc"}) == "(error) ERR timeout is not a float or out of range");
  CHECK(h.Run({"BLPOP", "l", "-1"}) == "(error) ERR timeout is negative");
  CHECK(h.Run({"BLPOP", "l", "1e400"}) == "(error) ERR timeout is negative");
  CHECK(h.Run({"BLPOP", "l", "inf"}) == "(error) ERR timeout is negative");
  CHECK(h.Run({"BLPOP", "l", "nan"}) == "(error) ERR timeout is not a float or out of range");
  // The timeout is parsed before any key is looked at.
  CHECK(h.Run({"BLPOP", "s", "l", "abc"}) == "(error) ERR timeout is not a float or out of range");

  CHECK(h.Run({"BLMPOP", "0", "2", "missing", "l", "RIGHT", "COUNT", "2"}) ==
        "[\"l\", [\"d\", \"c\"]]");
  CHECK(h.Run({"BLMPOP", "abc", "0", "l", "left"}) ==
        "(error) ERR numkeys should be greater than 0");
  // numkeys, direction and COUNT come before the timeout.
  CHECK(h.Run({"BLMPOP", "abc", "1", "l", "left"}) ==
        "(error) ERR timeout is not a float or out of range");
  CHECK(h.Run({"BLMPOP", "abc", "1", "l", "bogus"}) == "(error) ERR syntax error");
  CHECK(h.Run({"BLMPOP", "-1", "1", "l", "left", "count", "0"}) ==
        "(error) ERR count should be greater than 0");
  CHECK(h.Run({"BLMPOP", "-1", "1", "l", "left"}) == "(error) ERR timeout is negative");
  CHECK(h.Run({"BLMPOP", "0", "5", "l", "left"}) == "(error) ERR syntax error");
  CHECK(h.Run({"BLMPOP", "0", "1", "s", "left"}) == kWrongType);
  CHECK(h.Run({"BLMPOP", "0", "2", "l"}) ==
        "(error) ERR wrong number of arguments for 'blmpop' command");

  h.Run({"RPUSH", "l", "x", "y"});  // l: b x y
  CHECK(h.Run({"BRPOPLPUSH", "l", "d", "abc"}) ==
        "(error) ERR timeout is not a float or out of range");
  CHECK(h.Run({"BRPOPLPUSH", "l", "s", "0"}) == kWrongType);
  CHECK(h.Run({"BRPOPLPUSH", "l", "d", "0"}) == "\"y\"");
  CHECK(h.Run({"BLMOVE", "l", "d", "left", "bogus", "abc"}) == "(error) ERR syntax error");
  CHECK(h.Run({"BLMOVE", "l", "d", "left", "left", "abc"}) ==
        "(error) ERR timeout is not a float or out of range");
  CHECK(h.Run({"BLMOVE", "l", "d", "left", "right", "0"}) == "\"b\"");
  CHECK(h.Run({"BLMOVE", "l", "s", "left", "left", "0"}) == kWrongType);
  CHECK(h.Run({"BLMOVE", "s", "d", "left", "left", "0"}) == kWrongType);
  CHECK(h.Run({"BLMOVE", "l", "l", "left", "right", "0"}) == "\"x\"");
  CHECK(h.Run({"LRANGE", "d", "0", "-1"}) == "[\"y\", \"b\"]");
  CHECK(h.Run({"LRANGE", "l", "0", "-1"}) == "[\"x\"]");
}

TEST_CASE("where blocking is denied (MULTI, scripts) list pops answer at once",
          "[list][blocking]") {
  CommandHarness h;
  h.client().Set(baozi::kClientDenyBlocking);
  // A null array for the pops, a null bulk for the moves, as Redis 7.0 answers.
  CHECK(h.Run({"BLPOP", "none", "0"}) == "nil-array");
  CHECK(h.Run({"BLMOVE", "none", "d", "left", "left", "0"}) == "nil");
  CHECK(h.raw() == "$-1\r\n");
  CHECK(h.Run({"BRPOPLPUSH", "none", "d", "0"}) == "nil");
  CHECK(h.Run({"BLMPOP", "0", "1", "none", "left", "count", "3"}) == "nil-array");
  CHECK_FALSE(h.IsBlocked("default"));
}

TEST_CASE("blocking pops block on missing keys", "[list][blocking]") {
  CommandHarness h;
  CHECK(h.Run({"BLPOP", "q", "0"}, "a").empty());
  CHECK(h.IsBlocked("a"));
  CHECK(h.Run({"LPUSH", "q", "1", "2"}, "b") == "2");
  CHECK(h.TakeReply("a") == "[\"q\", \"2\"]");
  CHECK(h.Run({"BLMOVE", "src", "dst", "right", "left", "0"}, "a").empty());
  CHECK(h.Run({"RPUSH", "src", "v"}, "b") == "1");
  CHECK(h.TakeReply("a") == "\"v\"");
  CHECK(h.Run({"LRANGE", "dst", "0", "-1"}, "b") == "[\"v\"]");
  CHECK(h.Run({"EXISTS", "src"}, "b") == "0");
}

TEST_CASE("lists spanning many nodes", "[list]") {
  CommandHarness h("list-max-listpack-size 4");
  std::vector<std::string> values;
  for (int i = 0; i < 50; ++i) values.push_back(std::to_string(i));
  std::vector<std::string_view> argv = {"RPUSH", "l"};
  for (const auto& v : values) argv.push_back(v);
  CHECK(h.Run(argv) == "50");
  CHECK(h.Run({"LINDEX", "l", "37"}) == "\"37\"");
  CHECK(h.Run({"LINSERT", "l", "AFTER", "21", "x"}) == "51");
  CHECK(h.Run({"LRANGE", "l", "20", "23"}) == "[\"20\", \"21\", \"x\", \"22\"]");
  CHECK(h.Run({"LREM", "l", "0", "x"}) == "1");
  CHECK(h.Run({"LTRIM", "l", "5", "-6"}) == "OK");
  CHECK(h.Run({"LLEN", "l"}) == "40");
  CHECK(h.Run({"LRANGE", "l", "-2", "-1"}) == "[\"43\", \"44\"]");
  CHECK(h.Run({"LPOS", "l", "30"}) == "25");
  CHECK(h.Run({"RPOP", "l", "3"}) == "[\"44\", \"43\", \"42\"]");
  CHECK(h.Run({"LSET", "l", "10", "ten"}) == "OK");
  CHECK(h.Run({"LINDEX", "l", "10"}) == "\"ten\"");
  CHECK(h.Run({"COPY", "l", "l2"}) == "1");
  CHECK(h.Run({"LRANGE", "l2", "9", "11"}) == "[\"14\", \"ten\", \"16\"]");
}
