// SORT and SORT_RO through the dispatcher, with the expected replies taken from redis-server.
#include <catch2/catch.hpp>

#include "tests/command/harness.h"

namespace baozi::testing {
namespace {

TEST_CASE("SORT orders numbers, strings and honours DESC and LIMIT", "[sort]") {
  CommandHarness h;
  h.Run({"RPUSH", "l", "3", "10", "1", "2.5", ""});
  CHECK(h.Run({"SORT", "l"}) == "[\"\", \"1\", \"2.5\", \"3\", \"10\"]");
  CHECK(h.Run({"SORT", "l", "DESC"}) == "[\"10\", \"3\", \"2.5\", \"1\", \"\"]");
  CHECK(h.Run({"SORT", "l", "ALPHA"}) == "[\"\", \"1\", \"10\", \"2.5\", \"3\"]");
  CHECK(h.Run({"SORT", "l", "LIMIT", "1", "2"}) == "[\"1\", \"2.5\"]");
  CHECK(h.Run({"SORT", "l", "LIMIT", "-5", "2"}) == "[\"\", \"1\"]");
  CHECK(h.Run({"SORT", "l", "LIMIT", "3", "-1"}) == "[\"3\", \"10\"]");
  // Huge values are clamped before anything is allocated (CVE-2022-35977).
  CHECK(h.Run({"SORT", "l", "LIMIT", "9223372036854775807", "9223372036854775807"}) == "[]");
  CHECK(h.Run({"SORT", "l", "LIMIT", "1", "9223372036854775807"}) ==
        "[\"1\", \"2.5\", \"3\", \"10\"]");
  h.Run({"RPUSH", "bad", "1", "x"});
  CHECK(h.Run({"SORT", "bad"}) == "(error) ERR One or more scores can't be converted into double");
  CHECK(h.Run({"SORT", "bad", "ALPHA"}) == "[\"1\", \"x\"]");
  CHECK(h.Run({"SORT", "missing"}) == "[]");
}

TEST_CASE("SORT option errors come before the key lookup", "[sort]") {
  CommandHarness h;
  h.Run({"SET", "s", "v"});
  CHECK(h.Run({"SORT", "s"}) ==
        "(error) WRONGTYPE Operation against a key holding the wrong kind of value");
  CHECK(h.Run({"SORT", "s", "LIMIT", "x", "1"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"SORT", "s", "LIMIT", "1"}) == "(error) ERR syntax error");
  CHECK(h.Run({"SORT_RO", "s", "STORE", "d"}) == "(error) ERR syntax error");
  CHECK(h.Run({"SORT", "l", "BY"}) == "(error) ERR syntax error");
}

TEST_CASE("SORT BY and GET patterns read strings and hash fields", "[sort]") {
  CommandHarness h;
  h.Run({"RPUSH", "ids", "1", "2", "3"});
  h.Run({"SET", "w_1", "30"});
  h.Run({"SET", "w_2", "10"});
  h.Run({"SET", "w_3", "20"});
  h.Run({"HSET", "obj_1", "name", "one"});
  h.Run({"HSET", "obj_2", "name", "two"});
  CHECK(h.Run({"SORT", "ids", "BY", "w_*"}) == "[\"2\", \"3\", \"1\"]");
  CHECK(h.Run({"SORT", "ids", "BY", "w_*", "GET", "#", "GET", "obj_*->name", "GET", "nostar"}) ==
        "[\"2\", \"two\", nil, \"3\", nil, nil, \"1\", \"one\", nil]");
  // A constant BY means no sorting: list order, reversed by DESC.
  CHECK(h.Run({"SORT", "ids", "BY", "nosort", "DESC", "LIMIT", "0", "2"}) == "[\"3\", \"2\"]");
  // Missing sort keys weigh 0; ties are broken by the element itself.
  h.Run({"DEL", "w_3"});
  CHECK(h.Run({"SORT", "ids", "BY", "w_*"}) == "[\"3\", \"2\", \"1\"]");
  CHECK(h.Run({"SORT", "ids", "BY", "obj_*->name", "ALPHA"}) == "[\"3\", \"1\", \"2\"]");
}

TEST_CASE("SORT STORE writes a list, replacing any value and its TTL", "[sort]") {
  CommandHarness h;
  h.Run({"SADD", "s", "b", "a", "c"});
  h.Run({"SET", "dst", "old", "EX", "100"});
  // A set with a constant BY is still sorted when stored, so the result is deterministic.
  CHECK(h.Run({"SORT", "s", "BY", "nosort", "STORE", "dst"}) == "3");
  CHECK(h.Run({"LRANGE", "dst", "0", "-1"}) == "[\"a\", \"b\", \"c\"]");
  CHECK(h.Run({"TTL", "dst"}) == "-1");
  CHECK(h.Run({"SORT", "s", "ALPHA", "GET", "nostar", "STORE", "dst"}) == "3");
  CHECK(h.Run({"LRANGE", "dst", "0", "-1"}) == "[\"\", \"\", \"\"]");
  // An empty result deletes the destination.
  CHECK(h.Run({"SORT", "missing", "STORE", "dst"}) == "0");
  CHECK(h.Run({"EXISTS", "dst"}) == "0");
}

TEST_CASE("SORT on a sorted set converts it to a skiplist, as Redis does", "[sort]") {
  CommandHarness h;
  h.Run({"ZADD", "z", "3", "c", "1", "a", "2", "b"});
  CHECK(h.Run({"OBJECT", "ENCODING", "z"}) == "\"listpack\"");
  CHECK(h.Run({"SORT", "z", "BY", "nosort", "DESC"}) == "[\"c\", \"b\", \"a\"]");
  CHECK(h.Run({"OBJECT", "ENCODING", "z"}) == "\"skiplist\"");
  CHECK(h.Run({"SORT_RO", "z", "ALPHA", "LIMIT", "1", "5"}) == "[\"b\", \"c\"]");
}

}  // namespace
}  // namespace baozi::testing
