// Keyspace commands through the real dispatcher. Expected replies are Redis 7.0's.
#include <catch2/catch.hpp>
#include <set>

#include "tests/command/harness.h"

using baozi::testing::CommandHarness;
using namespace std::chrono_literals;

TEST_CASE("DEL, EXISTS, TYPE, RENAME", "[keys]") {
  CommandHarness h;
  h.Run({"MSET", "a", "1", "b", "2"});
  CHECK(h.Run({"EXISTS", "a", "a", "b", "c"}) == "3");
  CHECK(h.Run({"TYPE", "a"}) == "string");
  CHECK(h.Run({"TYPE", "zz"}) == "none");
  CHECK(h.Run({"DEL", "a", "c"}) == "1");
  CHECK(h.Run({"UNLINK", "b"}) == "1");
  CHECK(h.Run({"DBSIZE"}) == "0");
  h.Run({"SET", "x", "1", "EX", "100"});
  CHECK(h.Run({"RENAME", "x", "y"}) == "OK");
  CHECK(h.Run({"TTL", "y"}) == "100");
  CHECK(h.Run({"RENAME", "x", "y"}) == "(error) ERR no such key");
  CHECK(h.Run({"RENAME", "y", "y"}) == "OK");
  h.Run({"SET", "z", "2"});
  CHECK(h.Run({"RENAMENX", "y", "z"}) == "0");
  CHECK(h.Run({"RENAMENX", "y", "w"}) == "1");
  CHECK(h.Run({"GET", "w"}) == "\"1\"");
}

TEST_CASE("EXPIRE family with NX XX GT LT", "[keys][expire]") {
  CommandHarness h;
  h.Run({"SET", "k", "v"});
  CHECK(h.Run({"EXPIRE", "k", "100", "XX"}) == "0");
  CHECK(h.Run({"EXPIRE", "k", "100", "GT"}) == "0");
  CHECK(h.Run({"EXPIRE", "k", "100", "NX"}) == "1");
  CHECK(h.Run({"EXPIRE", "k", "50", "GT"}) == "0");
  CHECK(h.Run({"EXPIRE", "k", "50", "LT"}) == "1");
  CHECK(h.Run({"TTL", "k"}) == "50");
  CHECK(h.Run({"EXPIRE", "k", "50", "NX", "XX"}) ==
        "(error) ERR NX and XX, GT or LT options at the same time are not compatible");
  CHECK(h.Run({"EXPIRE", "k", "50", "GT", "LT"}) ==
        "(error) ERR GT and LT options at the same time are not compatible");
  CHECK(h.Run({"EXPIRE", "k", "50", "foo"}) == "(error) ERR Unsupported option foo");
  CHECK(h.Run({"EXPIRE", "k", "9223372036854775807"}) ==
        "(error) ERR invalid expire time in 'expire' command");
  CHECK(h.Run({"PERSIST", "k"}) == "1");
  CHECK(h.Run({"PERSIST", "k"}) == "0");
  CHECK(h.Run({"EXPIRETIME", "k"}) == "-1");
  CHECK(h.Run({"PEXPIREAT", "k", "1"}) == "1");
  CHECK(h.Run({"EXISTS", "k"}) == "0");
  h.Run({"SET", "k", "v"});
  CHECK(h.Run({"EXPIRE", "k", "-1"}) == "1");
  CHECK(h.Run({"GET", "k"}) == "nil");
  h.Run({"SET", "k", "v"});
  int64_t now_s = h.clock().NowMs() / 1000;
  std::string at = std::to_string(now_s + 1000);
  CHECK(h.Run({"EXPIREAT", "k", at}) == "1");
  CHECK(h.Run({"EXPIRETIME", "k"}) == at);
  CHECK(h.Run({"TTL", "missing"}) == "-2");
}

TEST_CASE("SELECT, MOVE, COPY, SWAPDB, FLUSHDB", "[keys]") {
  CommandHarness h;
  h.Run({"SET", "k", "v"});
  CHECK(h.Run({"SELECT", "16"}) == "(error) ERR DB index is out of range");
  CHECK(h.Run({"SELECT", "x"}) == "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"MOVE", "k", "1"}) == "1");
  CHECK(h.Run({"MOVE", "k", "0"}) == "(error) ERR source and destination objects are the same");
  CHECK(h.Run({"EXISTS", "k"}) == "0");
  CHECK(h.Run({"SELECT", "1"}) == "OK");
  CHECK(h.Run({"GET", "k"}) == "\"v\"");
  CHECK(h.Run({"COPY", "k", "k2"}) == "1");
  CHECK(h.Run({"COPY", "k", "k2"}) == "0");
  CHECK(h.Run({"COPY", "k", "k2", "REPLACE"}) == "1");
  CHECK(h.Run({"COPY", "k", "k", "DB", "1"}) ==
        "(error) ERR source and destination objects are the same");
  CHECK(h.Run({"COPY", "k", "k", "DB", "0"}) == "1");
  CHECK(h.Run({"COPY", "k", "k", "DB", "99"}) == "(error) ERR DB index is out of range");
  CHECK(h.Run({"COPY", "k", "k", "FOO"}) == "(error) ERR syntax error");
  CHECK(h.Run({"SWAPDB", "0", "1"}) == "OK");
  CHECK(h.Run({"DBSIZE"}) == "1");
  CHECK(h.Run({"SWAPDB", "0", "x"}) == "(error) ERR invalid second DB index");
  CHECK(h.Run({"FLUSHDB", "ASYNC"}) == "OK");
  CHECK(h.Run({"DBSIZE"}) == "0");
  CHECK(h.Run({"FLUSHDB", "FOO"}) == "(error) ERR syntax error");
  CHECK(h.Run({"FLUSHALL"}) == "OK");
}

TEST_CASE("SCAN returns every key and honours MATCH, COUNT and TYPE", "[keys][scan]") {
  CommandHarness h;
  for (int i = 0; i < 500; ++i) h.Run({"SET", "key:" + std::to_string(i), "v"});
  h.Run({"SET", "other", "v"});
  std::set<std::string> seen;
  std::string cursor = "0";
  int rounds = 0;
  do {
    auto v = h.RunValue({"SCAN", cursor, "MATCH", "key:*", "COUNT", "50"});
    REQUIRE(v.elems.size() == 2);
    cursor = v.elems[0].str;
    for (auto& k : v.elems[1].elems) seen.insert(k.str);
    ++rounds;
  } while (cursor != "0" && rounds < 10000);
  CHECK(seen.size() == 500);
  CHECK(seen.count("other") == 0);
  CHECK(h.Run({"SCAN", "0", "TYPE", "list"}).find("[]") != std::string::npos);
  CHECK(h.Run({"SCAN", "abc"}) == "(error) ERR invalid cursor");
  CHECK(h.Run({"SCAN", "0", "COUNT", "0"}) == "(error) ERR syntax error");
  CHECK(h.Run({"SCAN", "0", "FOO"}) == "(error) ERR syntax error");
  CHECK(h.Run({"SCAN"}) == "(error) ERR wrong number of arguments for 'scan' command");
}

TEST_CASE("KEYS skips expired keys and matches globs", "[keys]") {
  CommandHarness h;
  h.Run({"MSET", "hello", "1", "hallo", "2", "hxllo", "3", "world", "4"});
  h.Run({"SET", "hillo", "5", "PX", "10"});
  h.AdvanceTime(20ms);
  auto v = h.RunValue({"KEYS", "h[ae]llo"});
  std::set<std::string> keys;
  for (auto& k : v.elems) keys.insert(k.str);
  CHECK(keys == std::set<std::string>{"hello", "hallo"});
  CHECK(h.RunValue({"KEYS", "*"}).elems.size() == 4);
}

TEST_CASE("RANDOMKEY and TOUCH", "[keys]") {
  CommandHarness h;
  CHECK(h.Run({"RANDOMKEY"}) == "nil");
  h.Run({"SET", "only", "v"});
  CHECK(h.Run({"RANDOMKEY"}) == "\"only\"");
  CHECK(h.Run({"TOUCH", "only", "nope"}) == "1");
}

TEST_CASE("OBJECT IDLETIME and FREQ follow the maxmemory policy", "[keys]") {
  CommandHarness h;
  h.Run({"SET", "k", "v"});
  h.AdvanceTime(5000ms);
  CHECK(h.Run({"OBJECT", "IDLETIME", "k"}) == "5");
  CHECK(h.Run({"OBJECT", "FREQ", "k"}).rfind("(error) ERR An LFU maxmemory policy is not", 0) == 0);
  CHECK(h.Run({"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"}) == "OK");
  h.Run({"SET", "f", "v"});
  CHECK(h.Run({"OBJECT", "FREQ", "f"}) == "5");
  CHECK(h.Run({"OBJECT", "IDLETIME", "f"}).rfind("(error) ERR An LFU maxmemory policy is", 0) == 0);
  CHECK(h.Run({"OBJECT", "FOO", "k"}) == "(error) ERR unknown subcommand 'FOO'. Try OBJECT HELP.");
}

TEST_CASE("active expiry removes keys nobody reads, unless DEBUG turns it off", "[keys][expire]") {
  CommandHarness h("enable-debug-command yes\n");
  for (int i = 0; i < 1000; ++i) h.Run({"SET", "v:" + std::to_string(i), "x", "PX", "50"});
  h.Run({"SET", "keep", "x"});
  CHECK(h.Run({"DBSIZE"}) == "1001");
  for (int i = 0; i < 20; ++i) h.AdvanceTime(100ms);
  CHECK(h.Run({"DBSIZE"}) == "1");
  CHECK(h.Run({"INFO", "stats"}).find("expired_keys:1000") != std::string::npos);

  CHECK(h.Run({"DEBUG", "SET-ACTIVE-EXPIRE", "0"}) == "OK");
  h.Run({"SET", "lazy", "x", "PX", "50"});
  for (int i = 0; i < 20; ++i) h.AdvanceTime(100ms);
  CHECK(h.Run({"DBSIZE"}) == "2");
  CHECK(h.Run({"DEBUG", "SET-ACTIVE-EXPIRE", "1"}) == "OK");
  h.AdvanceTime(100ms);
  CHECK(h.Run({"DBSIZE"}) == "1");
}

TEST_CASE("introspection does not refresh a key's idle time, reads do", "[keys]") {
  CommandHarness h;
  h.Run({"SET", "k", "v"});
  h.AdvanceTime(3000ms);
  h.Run({"EXISTS", "k"});
  h.Run({"TYPE", "k"});
  h.Run({"TTL", "k"});
  CHECK(h.Run({"OBJECT", "IDLETIME", "k"}) == "3");
  h.Run({"GET", "k"});
  CHECK(h.Run({"OBJECT", "IDLETIME", "k"}) == "0");
}
