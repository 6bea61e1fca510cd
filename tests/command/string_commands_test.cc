// String commands through the real dispatcher. Expected replies are Redis 7.0's.
#include <catch2/catch.hpp>

#include "tests/command/harness.h"

using baozi::testing::CommandHarness;
using namespace std::chrono_literals;

TEST_CASE("SET and GET with options", "[string]") {
  CommandHarness h;
  CHECK(h.Run({"SET", "k", "v"}) == "OK");
  CHECK(h.Run({"GET", "k"}) == "\"v\"");
  CHECK(h.Run({"SET", "k", "w", "NX"}) == "nil");
  CHECK(h.Run({"SET", "k", "w", "XX", "GET"}) == "\"v\"");
  CHECK(h.Run({"SET", "new", "x", "XX"}) == "nil");
  CHECK(h.Run({"SET", "new", "x", "NX", "GET"}) == "nil");
  CHECK(h.Run({"GET", "new"}) == "\"x\"");
  CHECK(h.Run({"SET", "k", "v", "NX", "XX"}) == "(error) ERR syntax error");
  CHECK(h.Run({"SET", "k", "v", "EX", "10", "PX", "100"}) == "(error) ERR syntax error");
  CHECK(h.Run({"SET", "k", "v", "KEEPTTL", "EX", "1"}) == "(error) ERR syntax error");
  CHECK(h.Run({"SET", "k", "v", "EX"}) == "(error) ERR syntax error");
  CHECK(h.Run({"SET", "k", "v", "EX", "0"}) == "(error) ERR invalid expire time in 'set' command");
  CHECK(h.Run({"SET", "k", "v", "EX", "-5"}) == "(error) ERR invalid expire time in 'set' command");
  CHECK(h.Run({"SET", "k", "v", "EX", "abc"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"SET", "k", "v", "PX", "9223372036854775807"}) ==
        "(error) ERR invalid expire time in 'set' command");
  CHECK(h.Run({"SET", "k"}) == "(error) ERR wrong number of arguments for 'set' command");
  CHECK(h.Run({"set", "K2", "lower"}) == "OK");
}

TEST_CASE("expiry is lazy and follows the injected clock", "[string][expire]") {
  CommandHarness h;
  CHECK(h.Run({"SET", "k", "v", "PX", "100"}) == "OK");
  CHECK(h.Run({"PTTL", "k"}) == "100");
  h.AdvanceTime(100ms);
  // At its deadline a key is still alive: Redis expires it once the clock is past it.
  CHECK(h.Run({"GET", "k"}) == "\"v\"");
  h.AdvanceTime(1ms);
  CHECK(h.Run({"GET", "k"}) == "nil");
  CHECK(h.Run({"TTL", "k"}) == "-2");
  CHECK(h.Run({"SET", "k", "v", "EX", "10"}) == "OK");
  CHECK(h.Run({"SET", "k", "v2", "KEEPTTL"}) == "OK");
  CHECK(h.Run({"TTL", "k"}) == "10");
  CHECK(h.Run({"SET", "k", "v3"}) == "OK");
  CHECK(h.Run({"TTL", "k"}) == "-1");
  CHECK(h.Run({"SETEX", "s", "0", "v"}) == "(error) ERR invalid expire time in 'setex' command");
  CHECK(h.Run({"PSETEX", "s", "1500", "v"}) == "OK");
  CHECK(h.Run({"TTL", "s"}) == "2");
  CHECK(h.Run({"GETEX", "s", "PERSIST"}) == "\"v\"");
  CHECK(h.Run({"TTL", "s"}) == "-1");
  CHECK(h.Run({"GETEX", "s", "EX", "5"}) == "\"v\"");
  CHECK(h.Run({"TTL", "s"}) == "5");
  CHECK(h.Run({"GETEX", "s", "NX"}) == "(error) ERR syntax error");
  CHECK(h.Run({"GETEX", "missing", "EX", "5"}) == "nil");
  CHECK(h.Run({"INFO", "stats"}).find("expired_keys:1") != std::string::npos);
}

TEST_CASE("counters", "[string]") {
  CommandHarness h;
  CHECK(h.Run({"INCR", "n"}) == "1");
  CHECK(h.Run({"INCRBY", "n", "41"}) == "42");
  CHECK(h.Run({"DECRBY", "n", "2"}) == "40");
  CHECK(h.Run({"DECR", "n"}) == "39");
  CHECK(h.Run({"OBJECT", "ENCODING", "n"}) == "\"int\"");
  CHECK(h.Run({"INCRBY", "n", "x"}) == "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"SET", "big", "9223372036854775807"}) == "OK");
  CHECK(h.Run({"INCR", "big"}) == "(error) ERR increment or decrement would overflow");
  CHECK(h.Run({"DECRBY", "n", "-9223372036854775808"}) == "(error) ERR decrement would overflow");
  CHECK(h.Run({"SET", "s", "abc"}) == "OK");
  CHECK(h.Run({"INCR", "s"}) == "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"SET", "f", "10.5"}) == "OK");
  CHECK(h.Run({"INCRBYFLOAT", "f", "0.1"}) == "\"10.6\"");
  CHECK(h.Run({"INCRBYFLOAT", "f", "-5.6"}) == "\"5\"");
  CHECK(h.Run({"OBJECT", "ENCODING", "f"}) == "\"embstr\"");
  CHECK(h.Run({"INCRBYFLOAT", "f", "abc"}) == "(error) ERR value is not a valid float");
  CHECK(h.Run({"INCRBYFLOAT", "s", "1"}) == "(error) ERR value is not a valid float");
  CHECK(h.Run({"INCRBYFLOAT", "f", "inf"}) ==
        "(error) ERR increment would produce NaN or Infinity");
  CHECK(h.Run({"INCRBYFLOAT", "nf", "3.0e3"}) == "\"3000\"");
}

TEST_CASE("APPEND, STRLEN, GETRANGE, SETRANGE", "[string]") {
  CommandHarness h;
  CHECK(h.Run({"APPEND", "a", "Hello"}) == "5");
  CHECK(h.Run({"APPEND", "a", " World"}) == "11");
  CHECK(h.Run({"OBJECT", "ENCODING", "a"}) == "\"raw\"");
  CHECK(h.Run({"STRLEN", "a"}) == "11");
  CHECK(h.Run({"STRLEN", "nope"}) == "0");
  CHECK(h.Run({"GETRANGE", "a", "0", "4"}) == "\"Hello\"");
  CHECK(h.Run({"GETRANGE", "a", "-5", "-1"}) == "\"World\"");
  CHECK(h.Run({"GETRANGE", "a", "-1", "-5"}) == "\"\"");
  CHECK(h.Run({"GETRANGE", "a", "5", "1000"}) == "\" World\"");
  CHECK(h.Run({"SUBSTR", "a", "0", "0"}) == "\"H\"");
  CHECK(h.Run({"SETRANGE", "a", "6", "Redis"}) == "11");
  CHECK(h.Run({"GET", "a"}) == "\"Hello Redis\"");
  CHECK(h.Run({"SETRANGE", "z", "3", "x"}) == "4");
  CHECK(h.Run({"GET", "z"}) == "\"\\x00\\x00\\x00x\"");
  CHECK(h.Run({"SETRANGE", "z", "-1", "x"}) == "(error) ERR offset is out of range");
  CHECK(h.Run({"SETRANGE", "empty", "5", ""}) == "0");
  CHECK(h.Run({"EXISTS", "empty"}) == "0");
  CHECK(h.Run({"SETRANGE", "z", "536870911", "xx"}) ==
        "(error) ERR string exceeds maximum allowed size (proto-max-bulk-len)");
}

TEST_CASE("multi-key string commands", "[string]") {
  CommandHarness h;
  CHECK(h.Run({"MSET", "a", "1", "b", "2"}) == "OK");
  CHECK(h.Run({"MSET", "a", "1", "b"}) ==
        "(error) ERR wrong number of arguments for 'mset' command");
  CHECK(h.Run({"MGET", "a", "b", "c"}) == "[\"1\", \"2\", nil]");
  CHECK(h.Run({"MSETNX", "c", "3", "a", "x"}) == "0");
  CHECK(h.Run({"MSETNX", "c", "3", "d", "4"}) == "1");
  CHECK(h.Run({"GETSET", "a", "9"}) == "\"1\"");
  CHECK(h.Run({"GETDEL", "a"}) == "\"9\"");
  CHECK(h.Run({"GETDEL", "a"}) == "nil");
  CHECK(h.Run({"SETNX", "b", "x"}) == "0");
  CHECK(h.Run({"SETNX", "e", "x"}) == "1");
}

TEST_CASE("string encodings follow Redis", "[string]") {
  CommandHarness h;
  h.Run({"SET", "i", "12345"});
  h.Run({"SET", "e", "hello"});
  h.Run({"SET", "lead0", "0123"});
  h.Run({"SET", "r", std::string(45, 'x')});
  CHECK(h.Run({"OBJECT", "ENCODING", "i"}) == "\"int\"");
  CHECK(h.Run({"OBJECT", "ENCODING", "e"}) == "\"embstr\"");
  CHECK(h.Run({"OBJECT", "ENCODING", "lead0"}) == "\"embstr\"");
  CHECK(h.Run({"OBJECT", "ENCODING", "r"}) == "\"raw\"");
  CHECK(h.Run({"OBJECT", "ENCODING", "missing"}) == "nil");
  CHECK(h.Run({"OBJECT", "REFCOUNT", "i"}) == "1");
  h.Run({"SET", "small", "7"});
  CHECK(h.Run({"OBJECT", "REFCOUNT", "small"}) == "2147483647");
}
