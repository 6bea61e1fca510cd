// Hash commands through the real dispatcher. Expected replies are Redis 7.0.15's (checked
// against redis-server).
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "tests/command/harness.h"

using baozi::testing::CommandHarness;

namespace {

const char* kWrongType =
    "(error) WRONGTYPE Operation against a key holding the wrong kind of value";

// A full HSCAN as a sorted list of "field=value".
std::vector<std::string> FullHscan(CommandHarness& h, const std::string& key,
                                   std::vector<std::string> extra = {}) {
  std::set<std::string> seen;
  std::string cursor = "0";
  int calls = 0;
  do {
    std::vector<std::string> args = {"HSCAN", key, cursor};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<std::string_view> views(args.begin(), args.end());
    auto v = h.RunValue(views);
    REQUIRE(v.elems.size() == 2);
    cursor = v.elems[0].str;
    const auto& items = v.elems[1].elems;
    REQUIRE(items.size() % 2 == 0);
    for (size_t i = 0; i < items.size(); i += 2) seen.insert(items[i].str + "=" + items[i + 1].str);
    REQUIRE(++calls < 10000);
  } while (cursor != "0");
  return {seen.begin(), seen.end()};
}

}  // namespace

TEST_CASE("HSET, HMSET, HSETNX, HGET, HMGET", "[hash]") {
  CommandHarness h;
  CHECK(h.Run({"HSET", "h", "a", "1", "b", "2", "a", "3"}) == "2");
  CHECK(h.Run({"HGET", "h", "a"}) == "\"3\"");
  CHECK(h.Run({"HGET", "h", "nope"}) == "nil");
  CHECK(h.Run({"HGET", "nokey", "a"}) == "nil");
  CHECK(h.Run({"HMSET", "h", "c", "x"}) == "OK");
  CHECK(h.Run({"HSET", "h", "c", "y"}) == "0");
  CHECK(h.Run({"HMGET", "h", "a", "nope", "c"}) == R"(["3", nil, "y"])");
  CHECK(h.Run({"HMGET", "nokey", "a", "b"}) == "[nil, nil]");
  CHECK(h.Run({"HSETNX", "h", "a", "9"}) == "0");
  CHECK(h.Run({"HSETNX", "h", "d", "9"}) == "1");
  CHECK(h.Run({"HSETNX", "new", "f", "v"}) == "1");
  CHECK(h.Run({"HGETALL", "h"}) == R"(["a", "3", "b", "2", "c", "y", "d", "9"])");
  CHECK(h.Run({"HGET", "h", ""}) == "nil");
  CHECK(h.Run({"HSET", "h", "", ""}) == "1");
  CHECK(h.Run({"HGET", "h", ""}) == "\"\"");

  CHECK(h.Run({"HSET", "h"}) == "(error) ERR wrong number of arguments for 'hset' command");
  CHECK(h.Run({"HSET", "h", "a"}) == "(error) ERR wrong number of arguments for 'hset' command");
  CHECK(h.Run({"HSET", "h", "a", "b", "c"}) ==
        "(error) ERR wrong number of arguments for 'hset' command");
  CHECK(h.Run({"HMSET", "h", "a", "b", "c"}) ==
        "(error) ERR wrong number of arguments for 'hmset' command");
  CHECK(h.Run({"HSETNX", "h", "a"}) ==
        "(error) ERR wrong number of arguments for 'hsetnx' command");
  CHECK(h.Run({"HMGET", "h"}) == "(error) ERR wrong number of arguments for 'hmget' command");
}

TEST_CASE("hash commands on a key of another type", "[hash]") {
  CommandHarness h;
  h.Run({"SET", "s", "x"});
  for (std::vector<std::string_view> cmd : std::vector<std::vector<std::string_view>>{
           {"HSET", "s", "a", "b"},
           {"HMSET", "s", "a", "b"},
           {"HSETNX", "s", "a", "b"},
           {"HGET", "s", "a"},
           {"HMGET", "s", "a"},
           {"HDEL", "s", "a"},
           {"HLEN", "s"},
           {"HSTRLEN", "s", "a"},
           {"HEXISTS", "s", "a"},
           {"HGETALL", "s"},
           {"HKEYS", "s"},
           {"HVALS", "s"},
           {"HINCRBY", "s", "a", "1"},
           {"HINCRBYFLOAT", "s", "a", "1"},
           {"HRANDFIELD", "s"},
           {"HRANDFIELD", "s", "1", "WITHVALUES"},
           {"HSCAN", "s", "0"},
           {"HSCAN", "s", "0", "junk"},
       }) {
    CHECK(h.Run(cmd) == kWrongType);
  }
  // Argument errors that need no key come first.
  CHECK(h.Run({"HINCRBY", "s", "a", "x"}) == "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"HINCRBYFLOAT", "s", "a", "x"}) == "(error) ERR value is not a valid float");
  CHECK(h.Run({"HRANDFIELD", "s", "x"}) == "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"HRANDFIELD", "s", "1", "x"}) == "(error) ERR syntax error");
  CHECK(h.Run({"HSCAN", "s", "x"}) == "(error) ERR invalid cursor");
  CHECK(h.Run({"HSET", "s", "a"}) == "(error) ERR wrong number of arguments for 'hset' command");
  CHECK(h.Run({"GET", "s"}) == "\"x\"");
}

TEST_CASE("HDEL, HLEN, HSTRLEN, HEXISTS and deleting the emptied key", "[hash]") {
  CommandHarness h;
  h.Run({"HSET", "h", "a", "1", "b", "hello", "c", "-42"});
  CHECK(h.Run({"HLEN", "h"}) == "3");
  CHECK(h.Run({"HLEN", "nokey"}) == "0");
  CHECK(h.Run({"HSTRLEN", "h", "b"}) == "5");
  CHECK(h.Run({"HSTRLEN", "h", "c"}) == "3");
  CHECK(h.Run({"HSTRLEN", "h", "nope"}) == "0");
  CHECK(h.Run({"HSTRLEN", "nokey", "a"}) == "0");
  CHECK(h.Run({"HEXISTS", "h", "a"}) == "1");
  CHECK(h.Run({"HEXISTS", "h", "z"}) == "0");
  CHECK(h.Run({"HEXISTS", "nokey", "a"}) == "0");
  CHECK(h.Run({"HDEL", "h", "a", "nope", "a"}) == "1");
  CHECK(h.Run({"HDEL", "nokey", "a"}) == "0");
  CHECK(h.Run({"HDEL", "h", "b", "c", "b"}) == "2");
  CHECK(h.Run({"EXISTS", "h"}) == "0");
  CHECK(h.Run({"HDEL", "h"}) == "(error) ERR wrong number of arguments for 'hdel' command");

  // The same in hashtable encoding.
  CommandHarness t("hash-max-listpack-entries 2");
  t.Run({"HSET", "h", "a", "1", "b", "2", "c", "3"});
  CHECK(t.Run({"OBJECT", "ENCODING", "h"}) == "\"hashtable\"");
  CHECK(t.Run({"HDEL", "h", "a", "b"}) == "2");
  CHECK(t.Run({"OBJECT", "ENCODING", "h"}) == "\"hashtable\"");
  CHECK(t.Run({"HDEL", "h", "c"}) == "1");
  CHECK(t.Run({"EXISTS", "h"}) == "0");
}

TEST_CASE("HGETALL, HKEYS, HVALS in both encodings and protocols", "[hash]") {
  CommandHarness h;
  h.Run({"HSET", "h", "z", "1", "a", "2", "m", "3"});
  CHECK(h.Run({"HGETALL", "h"}) == R"(["z", "1", "a", "2", "m", "3"])");
  CHECK(h.Run({"HKEYS", "h"}) == R"(["z", "a", "m"])");
  CHECK(h.Run({"HVALS", "h"}) == R"(["1", "2", "3"])");
  CHECK(h.Run({"HGETALL", "nokey"}) == "[]");
  CHECK(h.Run({"HKEYS", "nokey"}) == "[]");
  h.Run({"HELLO", "3"});
  CHECK(h.Run({"HGETALL", "h"}) == R"({"z" => "1", "a" => "2", "m" => "3"})");
  CHECK(h.raw().rfind("%3\r\n", 0) == 0);
  CHECK(h.Run({"HGETALL", "nokey"}) == "{}");
  CHECK(h.raw() == "%0\r\n");
  CHECK(h.Run({"HKEYS", "nokey"}) == "[]");
  CHECK(h.Run({"HGET", "h", "nope"}) == "nil");
  CHECK(h.raw() == "_\r\n");
  CHECK(h.Run({"HMGET", "h", "nope"}) == "[nil]");

  CommandHarness t("hash-max-listpack-value 4");
  t.Run({"HSET", "h", "long-field", "1", "a", "2"});
  CHECK(t.Run({"OBJECT", "ENCODING", "h"}) == "\"hashtable\"");
  auto all = t.RunValue({"HGETALL", "h"});
  REQUIRE(all.elems.size() == 4);
  std::set<std::string> pairs;
  for (size_t i = 0; i < 4; i += 2) pairs.insert(all.elems[i].str + "=" + all.elems[i + 1].str);
  CHECK(pairs == std::set<std::string>{"a=2", "long-field=1"});
}

TEST_CASE("encoding conversions happen where Redis converts", "[hash]") {
  CommandHarness h("hash-max-listpack-entries 4\nhash-max-listpack-value 8");
  auto enc = [&](std::string_view k) { return h.Run({"OBJECT", "ENCODING", k}); };
  h.Run({"HSET", "a", "f1", "v", "f2", "v", "f3", "v", "f4", "v"});
  CHECK(enc("a") == "\"listpack\"");
  h.Run({"HSET", "a", "f5", "v"});
  CHECK(enc("a") == "\"hashtable\"");
  h.Run({"HSET", "b", "f", "12345678"});
  CHECK(enc("b") == "\"listpack\"");
  h.Run({"HSET", "b", "f", "123456789"});
  CHECK(enc("b") == "\"hashtable\"");
  h.Run({"HSET", "c", "123456789", "v"});
  CHECK(enc("c") == "\"hashtable\"");
  // HSETNX on an existing field does not look at the value.
  h.Run({"HSET", "d", "f", "v"});
  CHECK(h.Run({"HSETNX", "d", "f", "123456789"}) == "0");
  CHECK(enc("d") == "\"listpack\"");
  CHECK(h.Run({"HSETNX", "d", "g", "123456789"}) == "1");
  CHECK(enc("d") == "\"hashtable\"");
  // HINCRBY/HINCRBYFLOAT check the field and the new value.
  h.Run({"HINCRBY", "e", "123456789", "1"});
  CHECK(enc("e") == "\"hashtable\"");
  h.Run({"HINCRBY", "e2", "f", "12345678"});
  CHECK(enc("e2") == "\"listpack\"");
  h.Run({"HINCRBY", "e2", "f", "100000000"});
  CHECK(enc("e2") == "\"hashtable\"");
  h.Run({"HINCRBYFLOAT", "e3", "f", "1000"});
  CHECK(enc("e3") == "\"listpack\"");
  CHECK(h.Run({"HINCRBYFLOAT", "e3", "f", "0.1"}) == "\"1000.09999999999999998\"");
  CHECK(enc("e3") == "\"hashtable\"");
  // CONFIG SET lowers the limit: the next write converts, even an update.
  h.Run({"HSET", "g", "a", "1", "b", "2", "c", "3"});
  h.Run({"CONFIG", "SET", "hash-max-listpack-entries", "2"});
  CHECK(enc("g") == "\"listpack\"");
  h.Run({"HSET", "g", "a", "5"});
  CHECK(enc("g") == "\"hashtable\"");
}

TEST_CASE("HINCRBY", "[hash]") {
  CommandHarness h;
  CHECK(h.Run({"HINCRBY", "c", "f", "5"}) == "5");
  CHECK(h.Run({"HINCRBY", "c", "f", "-10"}) == "-5");
  CHECK(h.Run({"HINCRBY", "c", "f", "-9223372036854775808"}) ==
        "(error) ERR increment or decrement would overflow");
  CHECK(h.Run({"HINCRBY", "c", "g", "9223372036854775807"}) == "9223372036854775807");
  CHECK(h.Run({"HINCRBY", "c", "g", "1"}) == "(error) ERR increment or decrement would overflow");
  CHECK(h.Run({"HINCRBY", "c", "g", "-1"}) == "9223372036854775806");
  h.Run({"HSET", "c", "s", "1.5", "t", "007", "u", " 1", "v", "-0"});
  for (const char* f : {"s", "t", "u", "v"}) {
    CHECK(h.Run({"HINCRBY", "c", f, "1"}) == "(error) ERR hash value is not an integer");
  }
  CHECK(h.Run({"HINCRBY", "c", "f", "1.5"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"HINCRBY", "c", "f", "9223372036854775808"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"HINCRBY", "c", "f"}) ==
        "(error) ERR wrong number of arguments for 'hincrby' command");
  // A failed increment never creates the key.
  CHECK(h.Run({"HINCRBY", "nokey", "f", "x"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"EXISTS", "nokey"}) == "0");
}

TEST_CASE("HINCRBYFLOAT", "[hash]") {
  CommandHarness h;
  CHECK(h.Run({"HINCRBYFLOAT", "c", "f", "10.5"}) == "\"10.5\"");
  CHECK(h.Run({"HINCRBYFLOAT", "c", "f", "0.1"}) == "\"10.6\"");
  CHECK(h.Run({"HINCRBYFLOAT", "c", "f", "-10.6"}) == "\"0\"");
  CHECK(h.Run({"HINCRBYFLOAT", "c", "f", "1000"}) == "\"1000\"");
  CHECK(h.Run({"HINCRBYFLOAT", "c", "f", "0.1"}) == "\"1000.09999999999999998\"");
  CHECK(h.Run({"HINCRBYFLOAT", "c", "g", "3.0"}) == "\"3\"");
  CHECK(h.Run({"HINCRBYFLOAT", "c", "g", "1e3"}) == "\"1003\"");
  CHECK(h.Run({"HINCRBYFLOAT", "c", "g", "0x10"}) == "\"1019\"");
  CHECK(h.Run({"HSET", "c", "i", "9223372036854775807"}) == "1");
  CHECK(h.Run({"HINCRBYFLOAT", "c", "i", "1.5"}) == "\"9223372036854775808\"");
  CHECK(h.Run({"HINCRBYFLOAT", "c", "g", "inf"}) == "(error) ERR value is NaN or Infinity");
  CHECK(h.Run({"HINCRBYFLOAT", "c", "g", "-inf"}) == "(error) ERR value is NaN or Infinity");
  CHECK(h.Run({"HINCRBYFLOAT", "c", "g", "nan"}) == "(error) ERR value is not a valid float");
  CHECK(h.Run({"HINCRBYFLOAT", "c", "g", " 1"}) == "(error) ERR value is not a valid float");
  CHECK(h.Run({"HINCRBYFLOAT", "c", "g", ""}) == "(error) ERR value is not a valid float");
  CHECK(h.Run({"HINCRBYFLOAT", "c", "g", "1e5000"}) == "(error) ERR value is not a valid float");
  h.Run({"HSET", "c", "s", "abc"});
  CHECK(h.Run({"HINCRBYFLOAT", "c", "s", "1"}) == "(error) ERR hash value is not a float");
  CHECK(h.Run({"HINCRBYFLOAT", "c", "x", "1.1e4932"}).size() > 4900);
  CHECK(h.Run({"HINCRBYFLOAT", "c", "x", "1.1e4932"}) ==
        "(error) ERR increment would produce NaN or Infinity");
  CHECK(h.Run({"HINCRBYFLOAT", "c", "x", "-1.1e4932"}) == "\"0\"");
  // A failed increment on a missing key leaves no empty hash behind (CVE-2023-28856).
  CHECK(h.Run({"HINCRBYFLOAT", "nokey", "f", "inf"}) == "(error) ERR value is NaN or Infinity");
  CHECK(h.Run({"HINCRBYFLOAT", "nokey", "f", "abc"}) == "(error) ERR value is not a valid float");
  CHECK(h.Run({"EXISTS", "nokey"}) == "0");
}

TEST_CASE("HRANDFIELD argument checks and deterministic forms", "[hash]") {
  CommandHarness h;
  h.Run({"HSET", "h", "a", "1", "b", "2", "c", "3"});
  CHECK(h.Run({"HRANDFIELD", "nokey"}) == "nil");
  CHECK(h.Run({"HRANDFIELD", "nokey", "5"}) == "[]");
  CHECK(h.Run({"HRANDFIELD", "nokey", "-5", "WITHVALUES"}) == "[]");
  CHECK(h.Run({"HRANDFIELD", "h", "0"}) == "[]");
  CHECK(h.Run({"HRANDFIELD", "h", "0", "withvalues"}) == "[]");
  // A count at least the size returns the whole hash in listpack order.
  CHECK(h.Run({"HRANDFIELD", "h", "3"}) == R"(["a", "b", "c"])");
  CHECK(h.Run({"HRANDFIELD", "h", "100", "WITHVALUES"}) == R"(["a", "1", "b", "2", "c", "3"])");
  CHECK(h.Run({"HRANDFIELD", "h", "x"}) == "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"HRANDFIELD", "h", "1", "WITHVALUE"}) == "(error) ERR syntax error");
  CHECK(h.Run({"HRANDFIELD", "h", "1", "WITHVALUES", "x"}) == "(error) ERR syntax error");
  const char* kRange =
      "(error) ERR value is out of range, value must between -9223372036854775807 and "
      "9223372036854775807";
  CHECK(h.Run({"HRANDFIELD", "h", "-9223372036854775808"}) == kRange);
  CHECK(h.Run({"HRANDFIELD", "nokey", "-9223372036854775808", "junk"}) == kRange);
  CHECK(h.Run({"HRANDFIELD", "nokey", "9223372036854775807", "junk"}) ==
        "(error) ERR syntax error");
  for (const char* n : {"9223372036854775807", "-9223372036854775807", "4611686018427387904",
                        "-4611686018427387904"}) {
    CHECK(h.Run({"HRANDFIELD", "nokey", n, "WITHVALUES"}) == "(error) ERR value is out of range");
  }
  CHECK(h.Run({"HRANDFIELD", "nokey", "4611686018427387903", "WITHVALUES"}) == "[]");
  CHECK(h.Run({"HRANDFIELD", "nokey", "-4611686018427387903", "WITHVALUES"}) == "[]");
  CHECK(h.Run({"HRANDFIELD", "nokey", "9223372036854775807"}) == "[]");

  // Random forms: sizes, membership and distinctness.
  for (int i = 0; i < 20; ++i) {
    auto one = h.Run({"HRANDFIELD", "h"});
    CHECK((one == "\"a\"" || one == "\"b\"" || one == "\"c\""));
    auto v = h.RunValue({"HRANDFIELD", "h", "-7", "WITHVALUES"});
    REQUIRE(v.elems.size() == 14);
    for (size_t j = 0; j < 14; j += 2) {
      CHECK(v.elems[j + 1].str == std::to_string(v.elems[j].str[0] - 'a' + 1));
    }
    auto d = h.RunValue({"HRANDFIELD", "h", "2"});
    REQUIRE(d.elems.size() == 2);
    CHECK(d.elems[0].str != d.elems[1].str);
  }
}

TEST_CASE("HRANDFIELD covers all four cases in both encodings", "[hash]") {
  for (const char* config : {"", "hash-max-listpack-entries 8"}) {
    CommandHarness h(config);
    std::vector<std::string> args = {"HSET", "h"};
    for (int i = 0; i < 100; ++i) {
      args.push_back("f" + std::to_string(i));
      args.push_back(std::to_string(i));
    }
    h.Run(std::vector<std::string_view>(args.begin(), args.end()));
    for (const char* count : {"1", "10", "50", "99", "100", "200"}) {
      auto v = h.RunValue({"HRANDFIELD", "h", count, "WITHVALUES"});
      const size_t want = std::min<size_t>(std::stoul(count), 100);
      REQUIRE(v.elems.size() == want * 2);
      std::set<std::string> fields;
      for (size_t j = 0; j < v.elems.size(); j += 2) {
        CHECK(v.elems[j].str == "f" + v.elems[j + 1].str);
        fields.insert(v.elems[j].str);
      }
      CHECK(fields.size() == want);
    }
    auto rep = h.RunValue({"HRANDFIELD", "h", "-300"});
    CHECK(rep.elems.size() == 300);
  }
}

TEST_CASE("HRANDFIELD in RESP3 nests the pairs", "[hash][resp3]") {
  CommandHarness h;
  h.Run({"HELLO", "3"});
  h.Run({"HSET", "h", "a", "1", "b", "2"});
  CHECK(h.Run({"HRANDFIELD", "h", "5", "WITHVALUES"}) == R"([["a", "1"], ["b", "2"]])");
  CHECK(h.Run({"HRANDFIELD", "h", "5"}) == R"(["a", "b"])");
  auto v = h.RunValue({"HRANDFIELD", "h", "-3", "WITHVALUES"});
  REQUIRE(v.elems.size() == 3);
  for (const auto& p : v.elems) CHECK(p.elems.size() == 2);
  CHECK(h.Run({"HRANDFIELD", "nokey"}) == "nil");
  CHECK(h.raw() == "_\r\n");
  CHECK(h.Run({"HRANDFIELD", "nokey", "3"}) == "[]");
  CHECK(h.raw() == "*0\r\n");
}

TEST_CASE("HSCAN", "[hash]") {
  CommandHarness h;
  h.Run({"HSET", "h", "a", "1", "b", "2", "ab", "3"});
  // A listpack answers everything at once, whatever the cursor and count.
  CHECK(h.Run({"HSCAN", "h", "0"}) == R"(["0", ["a", "1", "b", "2", "ab", "3"]])");
  CHECK(h.Run({"HSCAN", "h", "7", "COUNT", "1"}) == R"(["0", ["a", "1", "b", "2", "ab", "3"]])");
  CHECK(h.Run({"HSCAN", "h", "0", "MATCH", "a*"}) == R"(["0", ["a", "1", "ab", "3"]])");
  CHECK(h.Run({"HSCAN", "h", "0", "MATCH", "2"}) == R"(["0", []])");
  CHECK(h.Run({"HSCAN", "nokey", "0"}) == R"(["0", []])");
  // A missing key answers an empty page before the options are looked at.
  CHECK(h.Run({"HSCAN", "nokey", "0", "junk"}) == R"(["0", []])");
  CHECK(h.Run({"HSCAN", "nokey", "x"}) == "(error) ERR invalid cursor");
  CHECK(h.Run({"HSCAN", "h", "0", "junk"}) == "(error) ERR syntax error");
  CHECK(h.Run({"HSCAN", "h", "0", "COUNT", "0"}) == "(error) ERR syntax error");
  CHECK(h.Run({"HSCAN", "h", "0", "COUNT", "x"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"HSCAN", "h", "0", "MATCH"}) == "(error) ERR syntax error");

  CommandHarness t("hash-max-listpack-entries 16");
  std::vector<std::string> args = {"HSET", "h"};
  std::vector<std::string> want;
  for (int i = 0; i < 500; ++i) {
    args.push_back("f" + std::to_string(i));
    args.push_back("v" + std::to_string(i));
    want.push_back("f" + std::to_string(i) + "=v" + std::to_string(i));
  }
  std::sort(want.begin(), want.end());
  t.Run(std::vector<std::string_view>(args.begin(), args.end()));
  CHECK(FullHscan(t, "h") == want);
  CHECK(FullHscan(t, "h", {"COUNT", "3"}) == want);
  CHECK(FullHscan(t, "h", {"MATCH", "f1?"}).size() == 10);
  auto page = t.RunValue({"HSCAN", "h", "0"});
  CHECK(page.elems[0].str != "0");
}

TEST_CASE("HGET on a listpack allocates nothing to reply", "[hash]") {
  // The reply path views the listpack bytes; a sanity check that big values come back intact.
  CommandHarness h;
  std::string v(60, 'x');
  h.Run({"HSET", "h", "f", v, "n", "12345"});
  CHECK(h.Run({"HGET", "h", "f"}) == "\"" + v + "\"");
  CHECK(h.raw() == "$60\r\n" + v + "\r\n");
  CHECK(h.Run({"HGET", "h", "n"}) == "\"12345\"");
}
