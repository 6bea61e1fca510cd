// Sorted-set commands through the real dispatcher. Expected replies are Redis 7.0.15's (checked
// against redis-server), errors and argument-check order included.
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "tests/command/harness.h"

using baozi::testing::CommandHarness;

namespace {

constexpr const char* kWrongType =
    "(error) WRONGTYPE Operation against a key holding the wrong kind of value";

// ZADD key with `n` members m0..m(n-1) scored 0..n-1.
void AddMany(CommandHarness& h, const std::string& key, int n) {
  std::vector<std::string> args = {"ZADD", key};
  for (int i = 0; i < n; ++i) {
    args.push_back(std::to_string(i));
    args.push_back("m" + std::to_string(i));
  }
  std::vector<std::string_view> views(args.begin(), args.end());
  h.Run(views);
}

}  // namespace

TEST_CASE("ZADD options and their conflicts", "[zset]") {
  CommandHarness h;
  CHECK(h.Run({"ZADD", "z", "1", "a", "2", "b"}) == "2");
  CHECK(h.Run({"ZADD", "z", "1", "a", "3", "b", "4", "c"}) == "1");
  CHECK(h.Run({"ZADD", "z", "CH", "1", "a", "5", "b", "7", "d"}) == "2");
  CHECK(h.Run({"ZADD", "z", "NX", "9", "a", "9", "e"}) == "1");
  CHECK(h.Run({"ZSCORE", "z", "a"}) == "\"1\"");
  CHECK(h.Run({"ZADD", "z", "XX", "CH", "9", "a", "9", "f"}) == "1");
  CHECK(h.Run({"ZSCORE", "z", "f"}) == "nil");
  CHECK(h.Run({"ZADD", "z", "GT", "CH", "1", "a", "10", "b"}) == "1");
  CHECK(h.Run({"ZADD", "z", "LT", "CH", "1", "a", "20", "b"}) == "1");
  CHECK(h.Run({"ZRANGE", "z", "0", "-1", "WITHSCORES"}) ==
        "[\"a\", \"1\", \"c\", \"4\", \"d\", \"7\", \"e\", \"9\", \"b\", \"10\"]");
  CHECK(h.Run({"ZADD", "z", "nx", "xx", "1", "a"}) ==
        "(error) ERR XX and NX options at the same time are not compatible");
  CHECK(h.Run({"ZADD", "z", "gt", "lt", "1", "a"}) ==
        "(error) ERR GT, LT, and/or NX options at the same time are not compatible");
  CHECK(h.Run({"ZADD", "z", "nx", "gt", "1", "a"}) ==
        "(error) ERR GT, LT, and/or NX options at the same time are not compatible");
  CHECK(h.Run({"ZADD", "z", "incr", "1", "a", "2", "b"}) ==
        "(error) ERR INCR option supports a single increment-element pair");
  CHECK(h.Run({"ZADD", "z", "1", "a", "2"}) == "(error) ERR syntax error");
  CHECK(h.Run({"ZADD", "z", "nx", "1"}) == "(error) ERR syntax error");
  CHECK(h.Run({"ZADD", "z", "x", "a"}) == "(error) ERR value is not a valid float");
  CHECK(h.Run({"ZADD", "z", "1", "a", "nan", "b"}) == "(error) ERR value is not a valid float");
  CHECK(h.Run({"ZADD", "z", "1"}) == "(error) ERR wrong number of arguments for 'zadd' command");
  // The score is checked before the key's type.
  h.Run({"SET", "s", "v"});
  CHECK(h.Run({"ZADD", "s", "x", "a"}) == "(error) ERR value is not a valid float");
  CHECK(h.Run({"ZADD", "s", "1", "a"}) == kWrongType);
  // XX on a missing key creates nothing.
  CHECK(h.Run({"ZADD", "none", "XX", "1", "a"}) == "0");
  CHECK(h.Run({"ZADD", "none", "XX", "INCR", "1", "a"}) == "nil");
  CHECK(h.Run({"EXISTS", "none"}) == "0");
}

TEST_CASE("ZADD INCR and ZINCRBY", "[zset]") {
  CommandHarness h;
  CHECK(h.Run({"ZINCRBY", "z", "2.5", "a"}) == "\"2.5\"");
  CHECK(h.Run({"ZADD", "z", "INCR", "1", "a"}) == "\"3.5\"");
  CHECK(h.Run({"ZADD", "z", "INCR", "NX", "1", "a"}) == "nil");
  CHECK(h.Run({"ZADD", "z", "INCR", "GT", "-1", "a"}) == "nil");
  CHECK(h.Run({"ZADD", "z", "INCR", "XX", "1", "nope"}) == "nil");
  CHECK(h.Run({"ZADD", "z", "INCR", "0", "a"}) == "\"3.5\"");
  CHECK(h.Run({"ZINCRBY", "z", "inf", "a"}) == "\"inf\"");
  CHECK(h.Run({"ZINCRBY", "z", "-inf", "a"}) ==
        "(error) ERR resulting score is not a number (NaN)");
  CHECK(h.Run({"ZSCORE", "z", "a"}) == "\"inf\"");
  CHECK(h.Run({"ZINCRBY", "z", "abc", "a"}) == "(error) ERR value is not a valid float");
  CHECK(h.Run({"ZINCRBY", "z", "1"}) ==
        "(error) ERR wrong number of arguments for 'zincrby' command");
  CHECK(h.Run({"ZINCRBY", "z", "0.1", "b"}) == "\"0.10000000000000001\"");
  h.Run({"HELLO", "3"});
  CHECK(h.Run({"ZINCRBY", "z", "1", "b"}) == "(double) 1.1000000000000001");
  CHECK(h.raw() == ",1.1000000000000001\r\n");
  CHECK(h.Run({"ZINCRBY", "z", "1", "a"}) == "(double) inf");
  CHECK(h.raw() == ",inf\r\n");
}

TEST_CASE("ZREM, ZCARD, ZSCORE, ZMSCORE", "[zset]") {
  CommandHarness h;
  h.Run({"ZADD", "z", "1", "a", "2", "b", "3", "c"});
  CHECK(h.Run({"ZCARD", "z"}) == "3");
  CHECK(h.Run({"ZCARD", "missing"}) == "0");
  CHECK(h.Run({"ZREM", "z", "a", "x", "a"}) == "1");
  CHECK(h.Run({"ZREM", "missing", "a"}) == "0");
  CHECK(h.Run({"ZSCORE", "z", "b"}) == "\"2\"");
  CHECK(h.Run({"ZSCORE", "z", "a"}) == "nil");
  CHECK(h.Run({"ZSCORE", "missing", "a"}) == "nil");
  CHECK(h.Run({"ZMSCORE", "z", "b", "a", "c"}) == "[\"2\", nil, \"3\"]");
  CHECK(h.Run({"ZMSCORE", "missing", "b", "a"}) == "[nil, nil]");
  CHECK(h.Run({"ZREM", "z", "b", "c", "d"}) == "2");
  CHECK(h.Run({"EXISTS", "z"}) == "0");
  h.Run({"SET", "s", "v"});
  CHECK(h.Run({"ZREM", "s", "a"}) == kWrongType);
  CHECK(h.Run({"ZCARD", "s"}) == kWrongType);
  CHECK(h.Run({"ZSCORE", "s", "a"}) == kWrongType);
  CHECK(h.Run({"ZMSCORE", "s", "a"}) == kWrongType);
  h.Run({"HELLO", "3"});
  h.Run({"ZADD", "z", "-inf", "a"});
  CHECK(h.Run({"ZMSCORE", "z", "a", "b"}) == "[(double) -inf, nil]");
  CHECK(h.raw() == "*2\r\n,-inf\r\n_\r\n");
}

TEST_CASE("ZRANK and ZREVRANK in both encodings", "[zset]") {
  for (const char* config : {"", "zset-max-listpack-entries 0"}) {
    INFO(config);
    CommandHarness h(config);
    h.Run({"ZADD", "z", "1", "b", "1", "a", "0", "c", "5", "d"});
    CHECK(h.Run({"OBJECT", "ENCODING", "z"}) == (*config ? "\"skiplist\"" : "\"listpack\""));
    CHECK(h.Run({"ZRANK", "z", "c"}) == "0");
    CHECK(h.Run({"ZRANK", "z", "a"}) == "1");
    CHECK(h.Run({"ZRANK", "z", "b"}) == "2");
    CHECK(h.Run({"ZREVRANK", "z", "d"}) == "0");
    CHECK(h.Run({"ZREVRANK", "z", "c"}) == "3");
    CHECK(h.Run({"ZRANK", "z", "x"}) == "nil");
    CHECK(h.Run({"ZRANK", "missing", "x"}) == "nil");
    CHECK(h.Run({"ZRANK", "z", "a", "WITHSCORE"}) ==
          "(error) ERR wrong number of arguments for 'zrank' command");
  }
}

TEST_CASE("encoding converts at the listpack limits", "[zset]") {
  CommandHarness h("zset-max-listpack-entries 4\nzset-max-listpack-value 8");
  AddMany(h, "z", 4);
  CHECK(h.Run({"OBJECT", "ENCODING", "z"}) == "\"listpack\"");
  h.Run({"ZADD", "z", "9", "m9"});
  CHECK(h.Run({"OBJECT", "ENCODING", "z"}) == "\"skiplist\"");
  h.Run({"ZADD", "v", "1", "12345678"});
  CHECK(h.Run({"OBJECT", "ENCODING", "v"}) == "\"listpack\"");
  h.Run({"ZADD", "v", "1", "123456789"});
  CHECK(h.Run({"OBJECT", "ENCODING", "v"}) == "\"skiplist\"");
  // A first member over the value limit creates a skiplist at once.
  h.Run({"ZADD", "w", "1", "123456789"});
  CHECK(h.Run({"OBJECT", "ENCODING", "w"}) == "\"skiplist\"");
  // Removing members never converts back.
  h.Run({"ZREMRANGEBYRANK", "z", "0", "-2"});
  CHECK(h.Run({"OBJECT", "ENCODING", "z"}) == "\"skiplist\"");
  // Redis 7.0 sizes a new key by its first member only: duplicates do not count.
  CommandHarness one("zset-max-listpack-entries 1");
  one.Run({"ZADD", "k", "1", "a", "2", "a"});
  CHECK(one.Run({"OBJECT", "ENCODING", "k"}) == "\"listpack\"");
}

TEST_CASE("score -0 is 0 in a listpack and -0 in a skiplist", "[zset]") {
  CommandHarness h;
  h.Run({"ZADD", "lp", "-0", "a"});
  CHECK(h.Run({"ZSCORE", "lp", "a"}) == "\"0\"");
  CommandHarness s("zset-max-listpack-entries 0");
  s.Run({"ZADD", "sl", "-0", "a"});
  CHECK(s.Run({"ZSCORE", "sl", "a"}) == "\"-0\"");
  CHECK(s.Run({"ZRANGE", "sl", "0", "-1", "WITHSCORES"}) == "[\"a\", \"-0\"]");
  CHECK(s.Run({"ZSCAN", "sl", "0"}) == "[\"0\", [\"a\", \"-0\"]]");
  // -0 + 0 is 0, but equal to the old score, so the stored -0 stays.
  CHECK(s.Run({"ZINCRBY", "sl", "0", "a"}) == "\"0\"");
  CHECK(s.Run({"ZSCORE", "sl", "a"}) == "\"-0\"");
}

TEST_CASE("ZRANGE by rank, REV and WITHSCORES", "[zset]") {
  CommandHarness h;
  h.Run({"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"});
  CHECK(h.Run({"ZRANGE", "z", "0", "-1"}) == "[\"a\", \"b\", \"c\", \"d\"]");
  CHECK(h.Run({"ZRANGE", "z", "1", "2", "WITHSCORES"}) == "[\"b\", \"2\", \"c\", \"3\"]");
  CHECK(h.Run({"ZRANGE", "z", "0", "1", "REV"}) == "[\"d\", \"c\"]");
  CHECK(h.Run({"ZREVRANGE", "z", "-2", "-1"}) == "[\"b\", \"a\"]");
  CHECK(h.Run({"ZRANGE", "z", "-100", "100"}) == "[\"a\", \"b\", \"c\", \"d\"]");
  CHECK(h.Run({"ZRANGE", "z", "3", "1"}) == "[]");
  CHECK(h.Run({"ZRANGE", "z", "5", "10"}) == "[]");
  CHECK(h.Run({"ZRANGE", "missing", "0", "-1"}) == "[]");
  CHECK(h.Run({"ZRANGE", "z", "a", "1"}) == "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"ZRANGE", "z", "0", "1", "LIMIT", "0", "1"}) ==
        "(error) ERR syntax error, LIMIT is only supported in combination with either BYSCORE or "
        "BYLEX");
  CHECK(h.Run({"ZRANGE", "z", "0", "1", "LIMIT", "1"}) == "(error) ERR syntax error");
  CHECK(h.Run({"ZRANGE", "z", "0", "1", "REV", "REV"}) == "(error) ERR syntax error");
  CHECK(h.Run({"ZREVRANGE", "z", "0", "1", "REV"}) == "(error) ERR syntax error");
  CHECK(h.Run({"ZRANGEBYSCORE", "z", "0", "1", "BYSCORE"}) == "(error) ERR syntax error");
  CHECK(h.Run({"ZRANGE", "z", "a", "b", "BYLEX", "WITHSCORES"}) ==
        "(error) ERR syntax error, WITHSCORES not supported in combination with BYLEX");
  h.Run({"SET", "s", "v"});
  CHECK(h.Run({"ZRANGE", "s", "0", "1"}) == kWrongType);
  // Options are parsed before the key's type is checked.
  CHECK(h.Run({"ZRANGE", "s", "0", "1", "junk"}) == "(error) ERR syntax error");

  h.Run({"HELLO", "3"});
  CHECK(h.Run({"ZRANGE", "z", "0", "1", "WITHSCORES"}) ==
        "[[\"a\", (double) 1], [\"b\", (double) 2]]");
  CHECK(h.raw() == "*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n");
  CHECK(h.Run({"ZRANGEBYSCORE", "z", "3", "+inf", "WITHSCORES"}) ==
        "[[\"c\", (double) 3], [\"d\", (double) 4]]");
}

TEST_CASE("ZRANGEBYSCORE and ZREVRANGEBYSCORE bounds and LIMIT", "[zset]") {
  for (const char* config : {"", "zset-max-listpack-entries 0"}) {
    INFO(config);
    CommandHarness h(config);
    h.Run({"ZADD", "z", "-inf", "n", "1", "a", "2", "b", "2", "bb", "3", "c", "inf", "p"});
    CHECK(h.Run({"ZRANGEBYSCORE", "z", "-inf", "+inf"}) ==
          "[\"n\", \"a\", \"b\", \"bb\", \"c\", \"p\"]");
    CHECK(h.Run({"ZRANGEBYSCORE", "z", "(1", "2"}) == "[\"b\", \"bb\"]");
    CHECK(h.Run({"ZRANGEBYSCORE", "z", "(1", "(3", "WITHSCORES"}) ==
          "[\"b\", \"2\", \"bb\", \"2\"]");
    CHECK(h.Run({"ZRANGEBYSCORE", "z", "(-inf", "(inf"}) == "[\"a\", \"b\", \"bb\", \"c\"]");
    CHECK(h.Run({"ZRANGEBYSCORE", "z", "(inf", "+inf"}) == "[]");
    CHECK(h.Run({"ZRANGEBYSCORE", "z", "2", "1"}) == "[]");
    CHECK(h.Run({"ZRANGEBYSCORE", "z", "(2", "2"}) == "[]");
    CHECK(h.Run({"ZREVRANGEBYSCORE", "z", "2", "-inf"}) == "[\"bb\", \"b\", \"a\", \"n\"]");
    CHECK(h.Run({"ZREVRANGEBYSCORE", "z", "+inf", "-inf", "LIMIT", "1", "2"}) == "[\"c\", \"bb\"]");
    CHECK(h.Run({"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "1", "-1"}) ==
          "[\"a\", \"b\", \"bb\", \"c\", \"p\"]");
    CHECK(h.Run({"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "-1", "2"}) == "[]");
    CHECK(h.Run({"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "1", "0"}) == "[]");
    CHECK(h.Run({"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "6", "1"}) == "[]");
    CHECK(h.Run({"ZRANGE", "z", "(3", "1", "BYSCORE", "REV"}) == "[\"bb\", \"b\", \"a\"]");
    CHECK(h.Run({"ZRANGEBYSCORE", "z", "a", "1"}) == "(error) ERR min or max is not a float");
    CHECK(h.Run({"ZRANGEBYSCORE", "z", "nan", "1"}) == "(error) ERR min or max is not a float");
    CHECK(h.Run({"ZRANGEBYSCORE", "z", "1", "2", "LIMIT", "x", "1"}) ==
          "(error) ERR value is not an integer or out of range");
    CHECK(h.Run({"ZCOUNT", "z", "(1", "3"}) == "3");
    CHECK(h.Run({"ZCOUNT", "z", "-inf", "+inf"}) == "6");
    CHECK(h.Run({"ZCOUNT", "z", "4", "5"}) == "0");
    CHECK(h.Run({"ZCOUNT", "missing", "0", "1"}) == "0");
    CHECK(h.Run({"ZCOUNT", "z", "x", "1"}) == "(error) ERR min or max is not a float");
  }
}

TEST_CASE("lex ranges", "[zset]") {
  for (const char* config : {"", "zset-max-listpack-entries 0"}) {
    INFO(config);
    CommandHarness h(config);
    h.Run({"ZADD", "z", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", "aa"});
    CHECK(h.Run({"ZRANGEBYLEX", "z", "-", "+"}) == "[\"a\", \"aa\", \"b\", \"c\", \"d\", \"e\"]");
    CHECK(h.Run({"ZRANGEBYLEX", "z", "[aa", "(c"}) == "[\"aa\", \"b\"]");
    CHECK(h.Run({"ZRANGEBYLEX", "z", "(a", "[c", "LIMIT", "1", "1"}) == "[\"b\"]");
    CHECK(h.Run({"ZREVRANGEBYLEX", "z", "+", "[c"}) == "[\"e\", \"d\", \"c\"]");
    CHECK(h.Run({"ZRANGE", "z", "[d", "-", "BYLEX", "REV", "LIMIT", "0", "2"}) == "[\"d\", \"c\"]");
    CHECK(h.Run({"ZRANGEBYLEX", "z", "+", "-"}) == "[]");
    CHECK(h.Run({"ZRANGEBYLEX", "z", "a", "+"}) ==
          "(error) ERR min or max not valid string range item");
    CHECK(h.Run({"ZRANGEBYLEX", "z", "-", "+", "WITHSCORES"}) ==
          "(error) ERR syntax error, WITHSCORES not supported in combination with BYLEX");
    CHECK(h.Run({"ZLEXCOUNT", "z", "[b", "+"}) == "4");
    CHECK(h.Run({"ZLEXCOUNT", "z", "(e", "+"}) == "0");
    CHECK(h.Run({"ZLEXCOUNT", "z", "b", "+"}) ==
          "(error) ERR min or max not valid string range item");
    CHECK(h.Run({"ZREMRANGEBYLEX", "z", "(a", "[b"}) == "2");
    CHECK(h.Run({"ZRANGE", "z", "0", "-1"}) == "[\"a\", \"c\", \"d\", \"e\"]");
    CHECK(h.Run({"ZREMRANGEBYLEX", "z", "-", "+"}) == "4");
    CHECK(h.Run({"EXISTS", "z"}) == "0");
  }
}

TEST_CASE("ZREMRANGEBYRANK and ZREMRANGEBYSCORE", "[zset]") {
  CommandHarness h;
  AddMany(h, "z", 10);
  CHECK(h.Run({"ZREMRANGEBYRANK", "z", "0", "1"}) == "2");
  CHECK(h.Run({"ZREMRANGEBYRANK", "z", "-2", "-1"}) == "2");
  CHECK(h.Run({"ZREMRANGEBYRANK", "z", "5", "1"}) == "0");
  CHECK(h.Run({"ZREMRANGEBYRANK", "z", "a", "1"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"ZRANGE", "z", "0", "-1"}) == "[\"m2\", \"m3\", \"m4\", \"m5\", \"m6\", \"m7\"]");
  CHECK(h.Run({"ZREMRANGEBYSCORE", "z", "(2", "4"}) == "2");
  CHECK(h.Run({"ZREMRANGEBYSCORE", "z", "x", "4"}) == "(error) ERR min or max is not a float");
  CHECK(h.Run({"ZREMRANGEBYSCORE", "missing", "0", "4"}) == "0");
  CHECK(h.Run({"ZREMRANGEBYSCORE", "z", "-inf", "+inf"}) == "4");
  CHECK(h.Run({"EXISTS", "z"}) == "0");
  h.Run({"SET", "s", "v"});
  CHECK(h.Run({"ZREMRANGEBYRANK", "s", "0", "1"}) == kWrongType);
  CHECK(h.Run({"ZREMRANGEBYRANK", "s", "x", "1"}) ==
        "(error) ERR value is not an integer or out of range");
}

TEST_CASE("ZRANGESTORE", "[zset]") {
  CommandHarness h;
  h.Run({"ZADD", "src", "1", "a", "2", "b", "3", "c"});
  CHECK(h.Run({"ZRANGESTORE", "dst", "src", "0", "1"}) == "2");
  CHECK(h.Run({"ZRANGE", "dst", "0", "-1", "WITHSCORES"}) == "[\"a\", \"1\", \"b\", \"2\"]");
  // REV takes max first: here the range (1, +inf] reversed is empty, which deletes dst.
  CHECK(h.Run({"ZRANGESTORE", "dst", "src", "(1", "+inf", "BYSCORE", "REV", "LIMIT", "0", "1"}) ==
        "0");
  CHECK(h.Run({"EXISTS", "dst"}) == "0");
  CHECK(h.Run({"ZRANGESTORE", "dst", "src", "+inf", "(1", "BYSCORE", "REV", "LIMIT", "0", "1"}) ==
        "1");
  CHECK(h.Run({"ZRANGE", "dst", "0", "-1"}) == "[\"c\"]");
  CHECK(h.Run({"ZRANGESTORE", "dst", "src", "0", "1", "WITHSCORES"}) == "(error) ERR syntax error");
  // An empty result deletes the destination; so does a missing source.
  h.Run({"SET", "str", "x"});
  CHECK(h.Run({"ZRANGESTORE", "str", "src", "5", "6"}) == "0");
  CHECK(h.Run({"EXISTS", "str"}) == "0");
  CHECK(h.Run({"ZRANGESTORE", "dst", "missing", "0", "-1"}) == "0");
  CHECK(h.Run({"EXISTS", "dst"}) == "0");
  // Any type is overwritten; a wrong-type source is an error and leaves the destination.
  h.Run({"SET", "str", "x"});
  CHECK(h.Run({"ZRANGESTORE", "str", "src", "0", "0"}) == "1");
  CHECK(h.Run({"TYPE", "str"}) == "zset");
  h.Run({"SET", "bad", "x"});
  CHECK(h.Run({"ZRANGESTORE", "str", "bad", "0", "0"}) == kWrongType);
  CHECK(h.Run({"TYPE", "str"}) == "zset");
  // Onto itself.
  CHECK(h.Run({"ZRANGESTORE", "src", "src", "1", "-1"}) == "2");
  CHECK(h.Run({"ZRANGE", "src", "0", "-1"}) == "[\"b\", \"c\"]");
}

TEST_CASE("ZPOPMIN, ZPOPMAX and ZMPOP", "[zset]") {
  CommandHarness h;
  h.Run({"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"});
  CHECK(h.Run({"ZPOPMIN", "z"}) == "[\"a\", \"1\"]");
  CHECK(h.Run({"ZPOPMAX", "z", "2"}) == "[\"d\", \"4\", \"c\", \"3\"]");
  CHECK(h.Run({"ZPOPMIN", "z", "0"}) == "[]");
  CHECK(h.Run({"ZPOPMIN", "missing"}) == "[]");
  CHECK(h.Run({"ZPOPMIN", "missing", "0"}) == "[]");
  CHECK(h.Run({"ZPOPMIN", "z", "-1"}) == "(error) ERR value is out of range, must be positive");
  CHECK(h.Run({"ZPOPMIN", "z", "x"}) == "(error) ERR value is out of range, must be positive");
  CHECK(h.Run({"ZPOPMIN", "z", "1", "2"}) == "(error) ERR syntax error");
  CHECK(h.Run({"ZPOPMAX", "z", "10"}) == "[\"b\", \"2\"]");
  CHECK(h.Run({"EXISTS", "z"}) == "0");

  h.Run({"ZADD", "z2", "1", "a", "2", "b", "3", "c"});
  CHECK(h.Run({"ZMPOP", "2", "missing", "z2", "MIN"}) == "[\"z2\", [[\"a\", \"1\"]]]");
  CHECK(h.Run({"ZMPOP", "1", "z2", "max", "COUNT", "5"}) ==
        "[\"z2\", [[\"c\", \"3\"], [\"b\", \"2\"]]]");
  CHECK(h.Run({"EXISTS", "z2"}) == "0");
  CHECK(h.Run({"ZMPOP", "1", "z2", "MIN"}) == "nil-array");
  CHECK(h.Run({"ZMPOP", "0", "z2", "MIN"}) == "(error) ERR numkeys should be greater than 0");
  CHECK(h.Run({"ZMPOP", "2", "z2", "MIN"}) == "(error) ERR syntax error");
  CHECK(h.Run({"ZMPOP", "1", "z2", "MID"}) == "(error) ERR syntax error");
  CHECK(h.Run({"ZMPOP", "1", "z2", "MIN", "COUNT", "0"}) ==
        "(error) ERR count should be greater than 0");
  CHECK(h.Run({"ZMPOP", "1", "z2", "MIN", "COUNT", "1", "COUNT", "1"}) ==
        "(error) ERR syntax error");
  h.Run({"SET", "s", "v"});
  CHECK(h.Run({"ZPOPMIN", "s"}) == kWrongType);
  CHECK(h.Run({"ZMPOP", "2", "missing", "s", "MIN"}) == kWrongType);

  h.Run({"HELLO", "3"});
  h.Run({"ZADD", "z", "1", "a", "2", "b"});
  CHECK(h.Run({"ZPOPMIN", "z"}) == "[\"a\", (double) 1]");
  h.Run({"ZADD", "z", "1", "a"});
  CHECK(h.Run({"ZPOPMIN", "z", "1"}) == "[[\"a\", (double) 1]]");
  CHECK(h.Run({"ZMPOP", "1", "z", "MIN"}) == "[\"z\", [[\"b\", (double) 2]]]");
  CHECK(h.Run({"ZMPOP", "1", "z", "MIN"}) == "nil");
}

TEST_CASE("blocking pops answer at once when they can", "[zset]") {
  CommandHarness h;
  h.Run({"ZADD", "z", "1", "a", "2", "b"});
  CHECK(h.Run({"BZPOPMIN", "missing", "z", "0"}) == "[\"z\", \"a\", \"1\"]");
  CHECK(h.Run({"BZPOPMAX", "z", "0"}) == "[\"z\", \"b\", \"2\"]");
  CHECK(h.Run({"EXISTS", "z"}) == "0");
  h.Run({"ZADD", "z", "1", "a", "2", "b"});
  CHECK(h.Run({"BZMPOP", "0", "1", "z", "MAX", "COUNT", "5"}) ==
        "[\"z\", [[\"b\", \"2\"], [\"a\", \"1\"]]]");
  CHECK(h.Run({"BZPOPMIN", "z", "-1"}) == "(error) ERR timeout is negative");
  CHECK(h.Run({"BZPOPMIN", "z", "x"}) == "(error) ERR timeout is not a float or out of range");
  CHECK(h.Run({"BZMPOP", "-1", "1", "z", "MIN"}) == "(error) ERR timeout is negative");
  CHECK(h.Run({"BZMPOP", "0", "0", "z", "MIN"}) == "(error) ERR numkeys should be greater than 0");
  // numkeys and the direction are checked before the timeout.
  CHECK(h.Run({"BZMPOP", "x", "1", "z", "MID"}) == "(error) ERR syntax error");
  h.Run({"SET", "s", "v"});
  CHECK(h.Run({"BZPOPMIN", "s", "0"}) == kWrongType);
  CHECK(h.Run({"BZMPOP", "0", "1", "s", "MIN"}) == kWrongType);
  // Otherwise they block (and say nothing yet) until a sorted set appears.
  CHECK(h.Run({"BZPOPMIN", "nothing", "0"}, "waiter") == "");
  CHECK(h.IsBlocked("waiter"));
  h.Run({"ZADD", "nothing", "5", "x"}, "pusher");
  CHECK(h.TakeReply("waiter") == "[\"nothing\", \"x\", \"5\"]");
  CHECK(h.Run({"EXISTS", "nothing"}) == "0");
  // Inside MULTI they cannot block and answer a null array.
  CommandHarness m;
  if (m.Run({"MULTI"}) == "OK") {
    m.Run({"BZPOPMIN", "nothing", "0"});
    m.Run({"BZMPOP", "0", "1", "nothing", "MIN"});
    CHECK(m.Run({"EXEC"}) == "[nil-array, nil-array]");
  }
}

TEST_CASE("ZRANDMEMBER deterministic forms and checks", "[zset]") {
  CommandHarness h;
  h.Run({"ZADD", "z", "1", "a", "2", "b", "3", "c"});
  // A count covering the set returns it from the highest score down.
  CHECK(h.Run({"ZRANDMEMBER", "z", "10"}) == "[\"c\", \"b\", \"a\"]");
  CHECK(h.Run({"ZRANDMEMBER", "z", "3", "WITHSCORES"}) ==
        "[\"c\", \"3\", \"b\", \"2\", \"a\", \"1\"]");
  CHECK(h.Run({"ZRANDMEMBER", "z", "0"}) == "[]");
  CHECK(h.Run({"ZRANDMEMBER", "missing", "5"}) == "[]");
  CHECK(h.Run({"ZRANDMEMBER", "missing"}) == "nil");
  CHECK(h.Run({"ZRANDMEMBER", "z", "x"}) == "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"ZRANDMEMBER", "z", "-9223372036854775808"}) ==
        "(error) ERR value is out of range, value must between -9223372036854775807 and "
        "9223372036854775807");
  CHECK(h.Run({"ZRANDMEMBER", "z", "9223372036854775807", "WITHSCORES"}) ==
        "(error) ERR value is out of range");
  CHECK(h.Run({"ZRANDMEMBER", "z", "1", "WITHSCORE"}) == "(error) ERR syntax error");
  CHECK(h.Run({"ZRANDMEMBER", "z", "1", "WITHSCORES", "x"}) == "(error) ERR syntax error");
  // Random picks: sizes and membership.
  CHECK(h.RunValue({"ZRANDMEMBER", "z", "-7"}).elems.size() == 7);
  CHECK(h.RunValue({"ZRANDMEMBER", "z", "2"}).elems.size() == 2);
  CHECK(h.RunValue({"ZRANDMEMBER", "z", "-2", "WITHSCORES"}).elems.size() == 4);
  auto one = h.Run({"ZRANDMEMBER", "z"});
  CHECK((one == "\"a\"" || one == "\"b\"" || one == "\"c\""));
  auto two = h.RunValue({"ZRANDMEMBER", "z", "2"});
  CHECK(two.elems[0].str != two.elems[1].str);
  h.Run({"SET", "s", "v"});
  CHECK(h.Run({"ZRANDMEMBER", "s"}) == kWrongType);
  CHECK(h.Run({"ZRANDMEMBER", "s", "1"}) == kWrongType);
  h.Run({"HELLO", "3"});
  CHECK(h.Run({"ZRANDMEMBER", "z", "2", "WITHSCORES"}).rfind("[[", 0) == 0);
  CHECK(h.Run({"ZRANDMEMBER", "z", "5", "WITHSCORES"}) ==
        "[[\"c\", (double) 3], [\"b\", (double) 2], [\"a\", (double) 1]]");
}

TEST_CASE("ZSCAN", "[zset]") {
  CommandHarness h;
  h.Run({"ZADD", "z", "1", "a", "1e17", "b", "1.5", "c"});
  CHECK(h.Run({"ZSCAN", "z", "0"}) ==
        "[\"0\", [\"a\", \"1\", \"c\", \"1.5\", \"b\", \"100000000000000000\"]]");
  CHECK(h.Run({"ZSCAN", "z", "0", "MATCH", "[ab]"}) ==
        "[\"0\", [\"a\", \"1\", \"b\", \"100000000000000000\"]]");
  CHECK(h.Run({"ZSCAN", "missing", "0", "BOGUS"}) == "[\"0\", []]");
  CHECK(h.Run({"ZSCAN", "z", "x"}) == "(error) ERR invalid cursor");
  CHECK(h.Run({"ZSCAN", "z", "0", "COUNT", "0"}) == "(error) ERR syntax error");
  CHECK(h.Run({"ZSCAN", "z", "0", "TYPE", "zset"}) == "(error) ERR syntax error");
  h.Run({"SET", "s", "v"});
  CHECK(h.Run({"ZSCAN", "s", "0"}) == kWrongType);

  // A skiplist pages through its index until the cursor comes back to 0.
  AddMany(h, "big", 500);
  CHECK(h.Run({"OBJECT", "ENCODING", "big"}) == "\"skiplist\"");
  std::set<std::string> seen;
  std::string cursor = "0";
  int calls = 0;
  do {
    auto v = h.RunValue({"ZSCAN", "big", cursor, "COUNT", "20"});
    REQUIRE(v.elems.size() == 2);
    cursor = v.elems[0].str;
    for (size_t i = 0; i + 1 < v.elems[1].elems.size(); i += 2) {
      CHECK(v.elems[1].elems[i + 1].str == v.elems[1].elems[i].str.substr(1));
      seen.insert(v.elems[1].elems[i].str);
    }
    ++calls;
  } while (cursor != "0" && calls < 10000);
  CHECK(seen.size() == 500);
  CHECK(calls > 10);
}

TEST_CASE("arity errors", "[zset]") {
  CommandHarness h;
  CHECK(h.Run({"ZSCORE", "z"}) == "(error) ERR wrong number of arguments for 'zscore' command");
  CHECK(h.Run({"ZCOUNT", "z", "1"}) ==
        "(error) ERR wrong number of arguments for 'zcount' command");
  CHECK(h.Run({"ZRANGESTORE", "d", "s", "0"}) ==
        "(error) ERR wrong number of arguments for 'zrangestore' command");
  CHECK(h.Run({"BZPOPMIN", "z"}) == "(error) ERR wrong number of arguments for 'bzpopmin' command");
  CHECK(h.Run({"BZMPOP", "0", "1", "z"}) ==
        "(error) ERR wrong number of arguments for 'bzmpop' command");
}
