// Set commands through the real dispatcher. Expected replies are Redis 7.0.15's (checked against
// redis-server); hashtable order is hash-seed order, so those replies are compared as sets.
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "tests/command/harness.h"

using baozi::testing::CommandHarness;

namespace {

constexpr const char* kWrongType =
    "(error) WRONGTYPE Operation against a key holding the wrong kind of value";

// The elements of an array/set reply, whatever their order.
std::multiset<std::string> Bag(CommandHarness& h, const std::vector<std::string_view>& argv) {
  auto v = h.RunValue(argv);
  std::multiset<std::string> out;
  for (const auto& e : v.elems) out.insert(e.DebugString());
  return out;
}

std::multiset<std::string> Quoted(std::initializer_list<const char*> items) {
  std::multiset<std::string> out;
  for (const char* s : items) out.insert(std::string("\"") + s + "\"");
  return out;
}

// Adds "prefix0".."prefix<n-1>" (or the integers from `start`) in one SADD.
void AddMany(CommandHarness& h, std::string_view key, int n, int start = 0) {
  std::vector<std::string> storage;
  for (int i = 0; i < n; ++i) storage.push_back(std::to_string(start + i));
  std::vector<std::string_view> argv{"SADD", key};
  for (const auto& s : storage) argv.push_back(s);
  h.Run(argv);
}

}  // namespace

TEST_CASE("SADD, SREM, SCARD, SISMEMBER, SMISMEMBER", "[set]") {
  CommandHarness h;
  CHECK(h.Run({"SADD", "s", "3", "1", "2", "1"}) == "3");
  CHECK(h.Run({"SADD", "s", "2", "4"}) == "1");
  CHECK(h.Run({"SCARD", "s"}) == "4");
  CHECK(h.Run({"SCARD", "nokey"}) == "0");
  CHECK(h.Run({"SISMEMBER", "s", "4"}) == "1");
  CHECK(h.Run({"SISMEMBER", "s", "04"}) == "0");
  CHECK(h.Run({"SISMEMBER", "nokey", "4"}) == "0");
  CHECK(h.Run({"SMISMEMBER", "s", "1", "9", "x", "4"}) == "[1, 0, 0, 1]");
  CHECK(h.Run({"SMISMEMBER", "nokey", "a", "b"}) == "[0, 0]");
  CHECK(h.Run({"SREM", "s", "9", "1", "1", "x"}) == "1");
  CHECK(h.Run({"SREM", "nokey", "1"}) == "0");
  CHECK(h.Run({"SMEMBERS", "s"}) == "[\"2\", \"3\", \"4\"]");
  // Removing the last member deletes the key.
  CHECK(h.Run({"SREM", "s", "2", "3", "4", "5"}) == "3");
  CHECK(h.Run({"EXISTS", "s"}) == "0");
  CHECK(h.Run({"SADD", "s"}) == "(error) ERR wrong number of arguments for 'sadd' command");
  CHECK(h.Run({"SREM", "s"}) == "(error) ERR wrong number of arguments for 'srem' command");
  CHECK(h.Run({"SMISMEMBER", "s"}) ==
        "(error) ERR wrong number of arguments for 'smismember' command");
}

TEST_CASE("set commands on keys of another type", "[set]") {
  CommandHarness h;
  h.Run({"SET", "str", "x"});
  h.Run({"SADD", "s", "1"});
  for (std::vector<std::string_view> argv : std::vector<std::vector<std::string_view>>{
           {"SADD", "str", "a"},
           {"SREM", "str", "a"},
           {"SCARD", "str"},
           {"SISMEMBER", "str", "a"},
           {"SMISMEMBER", "str", "a"},
           {"SMEMBERS", "str"},
           {"SPOP", "str"},
           {"SPOP", "str", "1"},
           {"SPOP", "str", "0"},
           {"SRANDMEMBER", "str"},
           {"SRANDMEMBER", "str", "0"},
           {"SINTER", "s", "str"},
           {"SINTER", "nokey", "str"},  // checked before the empty shortcut
           {"SINTERSTORE", "d", "nokey", "str"},
           {"SINTERCARD", "2", "nokey", "str"},
           {"SUNION", "nokey", "str"},
           {"SUNIONSTORE", "d", "s", "str"},
           {"SDIFF", "s", "str"},
           {"SDIFF", "nokey", "str"},
           {"SDIFFSTORE", "d", "s", "str"},
           {"SMOVE", "str", "s", "a"},
           {"SMOVE", "s", "str", "1"},
           {"SSCAN", "str", "0"},
           {"SSCAN", "str", "0", "COUNT", "0"},  // the type is checked before the options
       }) {
    INFO(argv[0] << " " << argv[1]);
    CHECK(h.Run(argv) == kWrongType);
  }
  CHECK(h.Run({"SMEMBERS", "s"}) == "[\"1\"]");
  CHECK(h.Run({"EXISTS", "d"}) == "0");
}

TEST_CASE("encodings convert at set-max-intset-entries and on the first string", "[set]") {
  CommandHarness h;
  AddMany(h, "s", 512);
  CHECK(h.Run({"OBJECT", "ENCODING", "s"}) == "\"intset\"");
  CHECK(h.Run({"SADD", "s", "0"}) == "0");
  CHECK(h.Run({"OBJECT", "ENCODING", "s"}) == "\"intset\"");
  CHECK(h.Run({"SADD", "s", "512"}) == "1");
  CHECK(h.Run({"OBJECT", "ENCODING", "s"}) == "\"hashtable\"");
  CHECK(h.Run({"SADD", "t", "1", "2"}) == "2");
  CHECK(h.Run({"SADD", "t", "01"}) == "1");
  CHECK(h.Run({"OBJECT", "ENCODING", "t"}) == "\"hashtable\"");
  CHECK(h.Run({"SADD", "u", "x"}) == "1");
  CHECK(h.Run({"OBJECT", "ENCODING", "u"}) == "\"hashtable\"");
  // Removing members never converts back.
  CHECK(h.Run({"SREM", "t", "01"}) == "1");
  CHECK(h.Run({"OBJECT", "ENCODING", "t"}) == "\"hashtable\"");
}

TEST_CASE("the intset limit follows the config", "[set]") {
  CommandHarness h("set-max-intset-entries 4");
  CHECK(h.Run({"SADD", "s", "1", "2", "3", "4"}) == "4");
  CHECK(h.Run({"OBJECT", "ENCODING", "s"}) == "\"intset\"");
  CHECK(h.Run({"SADD", "s", "5"}) == "1");
  CHECK(h.Run({"OBJECT", "ENCODING", "s"}) == "\"hashtable\"");
  CHECK(h.Run({"CONFIG", "SET", "set-max-intset-entries", "0"}) == "OK");
  CHECK(h.Run({"SADD", "z", "1"}) == "1");
  CHECK(h.Run({"OBJECT", "ENCODING", "z"}) == "\"hashtable\"");
}

TEST_CASE("SMEMBERS and SINTER order: intsets ascend", "[set]") {
  CommandHarness h;
  h.Run({"SADD", "a", "10", "-5", "3", "9223372036854775807", "-9223372036854775808"});
  CHECK(h.Run({"SMEMBERS", "a"}) ==
        "[\"-9223372036854775808\", \"-5\", \"3\", \"10\", \"9223372036854775807\"]");
  CHECK(h.Run({"SMEMBERS", "nokey"}) == "[]");
  h.Run({"SADD", "b", "3", "10", "11", "x"});
  // The smaller set leads: b, a hashtable, so hash order.
  CHECK(Bag(h, {"SINTER", "a", "b"}) == Quoted({"3", "10"}));
  h.Run({"SADD", "c", "10", "3", "-5", "4", "5", "6"});
  CHECK(h.Run({"SINTER", "c", "a"}) == "[\"-5\", \"3\", \"10\"]");  // a leads: ascending
  CHECK(h.Run({"SINTER", "a", "nokey"}) == "[]");
  CHECK(h.Run({"SINTER", "a", "a"}) == h.Run({"SMEMBERS", "a"}));
  CHECK(Bag(h, {"SINTER", "b"}) == Quoted({"3", "10", "11", "x"}));
  CHECK(h.Run({"SINTER"}) == "(error) ERR wrong number of arguments for 'sinter' command");
}

TEST_CASE("SUNION, SDIFF and SPOP-all reply from a fresh set", "[set]") {
  CommandHarness h;
  // A hashtable holding only integers (it went past the limit, then shrank).
  AddMany(h, "h", 600, 1);
  std::vector<std::string> extra;
  std::vector<std::string_view> srem{"SREM", "h"};
  for (int i = 11; i <= 600; ++i) extra.push_back(std::to_string(i));
  for (const auto& s : extra) srem.push_back(s);
  CHECK(h.Run(srem) == "590");
  CHECK(h.Run({"OBJECT", "ENCODING", "h"}) == "\"hashtable\"");
  const std::string sorted = R"(["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"])";
  CHECK(h.Run({"SUNION", "h"}) == sorted);
  CHECK(h.Run({"SDIFF", "h", "nokey"}) == sorted);
  CHECK(h.Run({"SUNIONSTORE", "copy", "h"}) == "10");
  CHECK(h.Run({"OBJECT", "ENCODING", "copy"}) == "\"intset\"");
  CHECK(h.Run({"SRANDMEMBER", "copy", "100"}) == sorted);
  CHECK(h.Run({"SPOP", "h", "100"}) == sorted);
  CHECK(h.Run({"EXISTS", "h"}) == "0");
  // With a string in it the result is a hashtable.
  h.Run({"SADD", "m", "2", "1", "x"});
  CHECK(Bag(h, {"SUNION", "m"}) == Quoted({"1", "2", "x"}));
  CHECK(h.Run({"SUNIONSTORE", "m2", "m"}) == "3");
  CHECK(h.Run({"OBJECT", "ENCODING", "m2"}) == "\"hashtable\"");
}

TEST_CASE("SUNION and SDIFF", "[set]") {
  CommandHarness h;
  h.Run({"SADD", "a", "1", "2", "3", "4"});
  h.Run({"SADD", "b", "3", "4", "5"});
  h.Run({"SADD", "c", "4", "x"});
  CHECK(h.Run({"SUNION", "a", "b"}) == R"(["1", "2", "3", "4", "5"])");
  CHECK(h.Run({"SUNION", "nokey", "b", "nokey2"}) == R"(["3", "4", "5"])");
  CHECK(h.Run({"SUNION", "nokey"}) == "[]");
  CHECK(Bag(h, {"SUNION", "a", "c"}) == Quoted({"1", "2", "3", "4", "x"}));
  CHECK(h.Run({"SDIFF", "a", "b"}) == R"(["1", "2"])");
  CHECK(h.Run({"SDIFF", "a", "b", "c"}) == R"(["1", "2"])");
  CHECK(h.Run({"SDIFF", "a", "nokey"}) == R"(["1", "2", "3", "4"])");
  CHECK(h.Run({"SDIFF", "nokey", "a"}) == "[]");
  CHECK(h.Run({"SDIFF", "a", "b", "a"}) == "[]");  // the first key again: empty
  CHECK(h.Run({"SDIFF", "c", "a"}) == R"(["x"])");
  // A big first set takes the copy-and-remove path.
  AddMany(h, "big", 100);
  h.Run({"SADD", "small", "5"});
  CHECK(h.Run({"SDIFF", "small", "big"}) == "[]");
  CHECK(h.Run({"SCARD", "big"}) == "100");
  CHECK(h.Run({"SDIFFSTORE", "d", "big", "a", "b", "c"}) == "95");
  CHECK(h.Run({"SISMEMBER", "d", "5"}) == "0");
  CHECK(h.Run({"SISMEMBER", "d", "6"}) == "1");
}

TEST_CASE("STORE variants overwrite, drop the TTL, and delete on empty results", "[set]") {
  CommandHarness h;
  h.Run({"SADD", "a", "1", "2", "3"});
  h.Run({"SADD", "b", "2", "3", "4"});
  h.Run({"SET", "dst", "string", "EX", "100"});
  CHECK(h.Run({"SINTERSTORE", "dst", "a", "b"}) == "2");
  CHECK(h.Run({"TYPE", "dst"}) == "set");
  CHECK(h.Run({"TTL", "dst"}) == "-1");
  CHECK(h.Run({"SMEMBERS", "dst"}) == R"(["2", "3"])");
  CHECK(h.Run({"SUNIONSTORE", "dst", "a", "b"}) == "4");
  CHECK(h.Run({"SDIFFSTORE", "dst", "a", "b"}) == "1");
  CHECK(h.Run({"SMEMBERS", "dst"}) == R"(["1"])");
  // Empty results delete the destination, whatever it held.
  CHECK(h.Run({"SINTERSTORE", "dst", "a", "nokey"}) == "0");
  CHECK(h.Run({"EXISTS", "dst"}) == "0");
  h.Run({"SET", "dst", "x"});
  CHECK(h.Run({"SDIFFSTORE", "dst", "a", "a"}) == "0");
  CHECK(h.Run({"EXISTS", "dst"}) == "0");
  h.Run({"RPUSH", "dst", "x"});
  CHECK(h.Run({"SUNIONSTORE", "dst", "nokey"}) == "0");
  CHECK(h.Run({"EXISTS", "dst"}) == "0");
  h.Run({"SADD", "dst", "9"});
  CHECK(h.Run({"SINTERSTORE", "dst", "a", "b", "nokey"}) == "0");
  CHECK(h.Run({"EXISTS", "dst"}) == "0");
  // A source can be the destination.
  CHECK(h.Run({"SINTERSTORE", "a", "a", "b"}) == "2");
  CHECK(h.Run({"SMEMBERS", "a"}) == R"(["2", "3"])");
  CHECK(h.Run({"SUNIONSTORE", "b", "b", "a"}) == "3");
  // Results start as intsets whatever the sources were.
  h.Run({"SADD", "h", "x", "7"});
  h.Run({"SREM", "h", "x"});
  CHECK(h.Run({"OBJECT", "ENCODING", "h"}) == "\"hashtable\"");
  CHECK(h.Run({"SINTERSTORE", "r", "h"}) == "1");
  CHECK(h.Run({"OBJECT", "ENCODING", "r"}) == "\"intset\"");
  CHECK(h.Run({"SINTERSTORE", "r"}) ==
        "(error) ERR wrong number of arguments for 'sinterstore' command");
}

TEST_CASE("SINTERCARD", "[set]") {
  CommandHarness h;
  h.Run({"SADD", "a", "1", "2", "3", "4", "x"});
  h.Run({"SADD", "b", "2", "3", "4", "x", "y"});
  CHECK(h.Run({"SINTERCARD", "2", "a", "b"}) == "4");
  CHECK(h.Run({"SINTERCARD", "1", "a"}) == "5");
  CHECK(h.Run({"SINTERCARD", "2", "a", "nokey"}) == "0");
  CHECK(h.Run({"SINTERCARD", "2", "a", "b", "LIMIT", "2"}) == "2");
  CHECK(h.Run({"SINTERCARD", "2", "a", "b", "limit", "0"}) == "4");
  CHECK(h.Run({"SINTERCARD", "2", "a", "b", "LIMIT", "10"}) == "4");
  CHECK(h.Run({"SINTERCARD", "2", "a", "b", "LIMIT", "1", "LIMIT", "3"}) == "3");
  CHECK(h.Run({"SINTERCARD", "0", "a"}) == "(error) ERR numkeys should be greater than 0");
  CHECK(h.Run({"SINTERCARD", "-1", "a"}) == "(error) ERR numkeys should be greater than 0");
  CHECK(h.Run({"SINTERCARD", "x", "a"}) == "(error) ERR numkeys should be greater than 0");
  CHECK(h.Run({"SINTERCARD", "9223372036854775808", "a"}) ==
        "(error) ERR numkeys should be greater than 0");
  CHECK(h.Run({"SINTERCARD", "2", "a"}) ==
        "(error) ERR Number of keys can't be greater than number of args");
  CHECK(h.Run({"SINTERCARD", "1", "a", "LIMIT", "-1"}) == "(error) ERR LIMIT can't be negative");
  CHECK(h.Run({"SINTERCARD", "1", "a", "LIMIT", "x"}) == "(error) ERR LIMIT can't be negative");
  CHECK(h.Run({"SINTERCARD", "1", "a", "LIMIT"}) == "(error) ERR syntax error");
  CHECK(h.Run({"SINTERCARD", "1", "a", "FOO", "1"}) == "(error) ERR syntax error");
  CHECK(h.Run({"SINTERCARD", "1"}) ==
        "(error) ERR wrong number of arguments for 'sintercard' command");
}

TEST_CASE("SMOVE", "[set]") {
  CommandHarness h;
  h.Run({"SADD", "a", "1", "2"});
  h.Run({"SADD", "b", "x"});
  CHECK(h.Run({"SMOVE", "a", "b", "1"}) == "1");
  CHECK(h.Run({"SMEMBERS", "a"}) == R"(["2"])");
  CHECK(Bag(h, {"SMEMBERS", "b"}) == Quoted({"1", "x"}));
  CHECK(h.Run({"SMOVE", "a", "b", "9"}) == "0");
  // Moving a member the destination already has still removes it from the source.
  h.Run({"SADD", "b", "2"});
  CHECK(h.Run({"SMOVE", "a", "b", "2"}) == "1");
  CHECK(h.Run({"EXISTS", "a"}) == "0");  // emptied: deleted
  // A new destination is created with an encoding that fits the member.
  CHECK(h.Run({"SMOVE", "b", "n1", "1"}) == "1");
  CHECK(h.Run({"OBJECT", "ENCODING", "n1"}) == "\"intset\"");
  CHECK(h.Run({"SMOVE", "b", "n2", "x"}) == "1");
  CHECK(h.Run({"OBJECT", "ENCODING", "n2"}) == "\"hashtable\"");
  // Same source and destination: only a membership test.
  CHECK(h.Run({"SMOVE", "n1", "n1", "1"}) == "1");
  CHECK(h.Run({"SMOVE", "n1", "n1", "7"}) == "0");
  CHECK(h.Run({"SMEMBERS", "n1"}) == R"(["1"])");
  // A missing source answers 0 before the destination's type is looked at.
  h.Run({"SET", "str", "v"});
  CHECK(h.Run({"SMOVE", "nokey", "str", "1"}) == "0");
  CHECK(h.Run({"SMOVE", "n1", "str", "1"}) == kWrongType);
  CHECK(h.Run({"SMEMBERS", "n1"}) == R"(["1"])");
}

TEST_CASE("SPOP", "[set]") {
  CommandHarness h;
  CHECK(h.Run({"SPOP", "nokey"}) == "nil");
  CHECK(h.Run({"SPOP", "nokey", "3"}) == "[]");
  CHECK(h.Run({"SPOP", "nokey", "0"}) == "[]");
  h.Run({"SADD", "s", "1"});
  CHECK(h.Run({"SPOP", "s"}) == "\"1\"");
  CHECK(h.Run({"EXISTS", "s"}) == "0");
  h.Run({"SADD", "s", "1", "2", "3"});
  CHECK(h.Run({"SPOP", "s", "0"}) == "[]");
  CHECK(h.Run({"SPOP", "s", "-1"}) == "(error) ERR value is out of range, must be positive");
  CHECK(h.Run({"SPOP", "s", "x"}) == "(error) ERR value is out of range, must be positive");
  CHECK(h.Run({"SPOP", "nokey", "x"}) == "(error) ERR value is out of range, must be positive");
  CHECK(h.Run({"SPOP", "s", "1", "2"}) == "(error) ERR syntax error");
  CHECK(h.Run({"SPOP", "s", "3"}) == R"(["1", "2", "3"])");
  CHECK(h.Run({"EXISTS", "s"}) == "0");
  h.Run({"SADD", "s", "1", "2", "3"});
  CHECK(h.Run({"SPOP", "s", "9223372036854775807"}) == R"(["1", "2", "3"])");

  for (const char* first : {"0", "a"}) {
    INFO("first member " << first);
    // Popping a few, and popping most (the path that keeps the survivors in a new set).
    for (int count : {3, 19, 20}) {
      INFO("count " << count);
      std::vector<std::string> members;
      std::vector<std::string_view> sadd{"SADD", "p", first};
      for (int i = 1; i < 20; ++i) members.push_back(std::to_string(i));
      for (const auto& m : members) sadd.push_back(m);
      h.Run({"DEL", "p"});
      h.Run(sadd);
      const auto before = Bag(h, {"SMEMBERS", "p"});
      const auto popped = Bag(h, {"SPOP", "p", std::to_string(count)});
      CHECK(popped.size() == static_cast<size_t>(count));
      auto after = count == 20 ? std::multiset<std::string>{} : Bag(h, {"SMEMBERS", "p"});
      CHECK(after.size() == 20u - count);
      after.insert(popped.begin(), popped.end());
      CHECK(after == before);
    }
  }
  // The TTL survives a pop that rebuilds the set.
  h.Run({"DEL", "p"});
  AddMany(h, "p", 30);
  h.Run({"EXPIRE", "p", "100"});
  CHECK(h.Run({"SPOP", "p", "28"}).size() > 0);
  CHECK(h.Run({"SCARD", "p"}) == "2");
  CHECK(h.Run({"TTL", "p"}) == "100");
  CHECK(h.Run({"OBJECT", "ENCODING", "p"}) == "\"intset\"");
}

TEST_CASE("SPOP on a hashtable pops distinct members", "[set]") {
  CommandHarness h;
  std::vector<std::string> names;
  for (int i = 0; i < 100; ++i) names.push_back("m" + std::to_string(i));
  std::vector<std::string_view> sadd{"SADD", "s"};
  for (const auto& n : names) sadd.push_back(n);
  h.Run(sadd);
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string r = h.Run({"SPOP", "s"});
    CHECK(seen.insert(r).second);
  }
  CHECK(h.Run({"EXISTS", "s"}) == "0");
}

TEST_CASE("SRANDMEMBER", "[set]") {
  CommandHarness h;
  CHECK(h.Run({"SRANDMEMBER", "nokey"}) == "nil");
  CHECK(h.Run({"SRANDMEMBER", "nokey", "5"}) == "[]");
  CHECK(h.Run({"SRANDMEMBER", "nokey", "-5"}) == "[]");
  CHECK(h.Run({"SRANDMEMBER", "nokey", "x"}) ==
        "(error) ERR value is not an integer or out of range");
  h.Run({"SADD", "s", "1", "2", "3"});
  CHECK(h.Run({"SRANDMEMBER", "s", "0"}) == "[]");
  CHECK(h.Run({"SRANDMEMBER", "s", "1", "2"}) == "(error) ERR syntax error");
  CHECK(h.Run({"SRANDMEMBER", "s", "-9223372036854775808"}) ==
        "(error) ERR value is out of range, value must between -9223372036854775807 and "
        "9223372036854775807");
  CHECK(h.Run({"SRANDMEMBER", "s", "3"}) == R"(["1", "2", "3"])");
  CHECK(h.Run({"SRANDMEMBER", "s", "9223372036854775807"}) == R"(["1", "2", "3"])");
  CHECK(h.Run({"SCARD", "s"}) == "3");  // no effect

  for (bool hashtable : {false, true}) {
    INFO("hashtable " << hashtable);
    h.Run({"DEL", "r"});
    AddMany(h, "r", 40);
    if (hashtable) h.Run({"SADD", "r", "x"});
    const size_t size = hashtable ? 41 : 40;
    const auto all = Bag(h, {"SMEMBERS", "r"});
    std::string one = h.Run({"SRANDMEMBER", "r"});
    CHECK(all.contains(one));
    // Negative: repeats allowed, exactly |count| of them.
    auto many = Bag(h, {"SRANDMEMBER", "r", "-100"});
    CHECK(many.size() == 100);
    for (const auto& m : many) CHECK(all.contains(m));
    // Positive: distinct; both strategies (most of the set, a small part of it).
    for (const char* count : {"1", "5", "30", "39"}) {
      INFO("count " << count);
      auto some = Bag(h, {"SRANDMEMBER", "r", count});
      CHECK(some.size() == static_cast<size_t>(std::stoi(count)));
      CHECK(std::set<std::string>(some.begin(), some.end()).size() == some.size());
      for (const auto& m : some) CHECK(all.contains(m));
    }
    CHECK(Bag(h, {"SRANDMEMBER", "r", "1000"}).size() == size);
  }
}

TEST_CASE("SSCAN", "[set]") {
  CommandHarness h;
  CHECK(h.Run({"SSCAN", "nokey", "0"}) == "[\"0\", []]");
  CHECK(h.Run({"SSCAN", "nokey", "0", "COUNT", "0"}) == "[\"0\", []]");  // options unread
  CHECK(h.Run({"SSCAN", "nokey", "x"}) == "(error) ERR invalid cursor");
  h.Run({"SADD", "i", "3", "1", "2", "10", "-1"});
  // An intset comes back whole, in order, whatever the cursor and COUNT.
  CHECK(h.Run({"SSCAN", "i", "0"}) == R"(["0", ["-1", "1", "2", "3", "10"]])");
  CHECK(h.Run({"SSCAN", "i", "5", "COUNT", "1"}) == R"(["0", ["-1", "1", "2", "3", "10"]])");
  CHECK(h.Run({"SSCAN", "i", "0", "MATCH", "1*"}) == R"(["0", ["1", "10"]])");
  CHECK(h.Run({"SSCAN", "i", "0", "COUNT", "0"}) == "(error) ERR syntax error");
  CHECK(h.Run({"SSCAN", "i", "0", "MATCH"}) == "(error) ERR syntax error");
  CHECK(h.Run({"SSCAN", "i", "0", "TYPE", "set"}) == "(error) ERR syntax error");
  CHECK(h.Run({"SSCAN", "i", "18446744073709551616"}) == "(error) ERR invalid cursor");
  CHECK(h.Run({"SSCAN", "i"}) == "(error) ERR wrong number of arguments for 'sscan' command");

  std::set<std::string> want;
  std::vector<std::string> names;
  for (int i = 0; i < 200; ++i) names.push_back("m" + std::to_string(i));
  std::vector<std::string_view> sadd{"SADD", "h"};
  for (const auto& n : names) {
    sadd.push_back(n);
    want.insert("\"" + n + "\"");
  }
  h.Run(sadd);
  for (const char* count : {"1", "10", "1000"}) {
    std::set<std::string> seen;
    std::string cursor = "0";
    int calls = 0;
    do {
      auto v = h.RunValue({"SSCAN", "h", cursor, "COUNT", count});
      REQUIRE(v.elems.size() == 2);
      cursor = v.elems[0].str;
      for (const auto& e : v.elems[1].elems) seen.insert(e.DebugString());
      ++calls;
    } while (cursor != "0");
    CHECK(seen == want);
    if (std::string(count) == "1000") CHECK(calls == 1);
  }
  std::set<std::string> matched;
  std::string cursor = "0";
  do {
    auto v = h.RunValue({"SSCAN", "h", cursor, "MATCH", "m1?"});
    cursor = v.elems[0].str;
    for (const auto& e : v.elems[1].elems) matched.insert(e.str);
  } while (cursor != "0");
  CHECK(matched.size() == 10);
}

TEST_CASE("set replies in RESP3", "[set][resp3]") {
  CommandHarness h;
  h.Run({"HELLO", "3"});
  h.Run({"SADD", "s", "3", "1", "2"});
  CHECK(h.Run({"SMEMBERS", "s"}) == R"(~{"1", "2", "3"})");
  CHECK(h.raw() == "~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
  CHECK(h.Run({"SMEMBERS", "nokey"}) == "~{}");
  CHECK(h.Run({"SINTER", "s", "nokey"}) == "~{}");
  CHECK(h.Run({"SINTER", "s", "s"}) == R"(~{"1", "2", "3"})");
  CHECK(h.Run({"SUNION", "s"}) == R"(~{"1", "2", "3"})");
  CHECK(h.Run({"SDIFF", "nokey"}) == "~{}");
  CHECK(h.Run({"SPOP", "nokey"}) == "nil");
  CHECK(h.raw() == "_\r\n");
  CHECK(h.Run({"SPOP", "nokey", "2"}) == "~{}");
  CHECK(h.Run({"SPOP", "s", "0"}) == "~{}");
  // SRANDMEMBER with a count answers an array, even in RESP3.
  CHECK(h.Run({"SRANDMEMBER", "s", "5"}) == R"(["1", "2", "3"])");
  CHECK(h.Run({"SRANDMEMBER", "s", "0"}) == "[]");
  CHECK(h.Run({"SRANDMEMBER", "nokey", "5"}) == "[]");
  CHECK(h.Run({"SMISMEMBER", "s", "1", "9"}) == "[1, 0]");
  CHECK(h.Run({"SSCAN", "s", "0"}) == R"(["0", ["1", "2", "3"]])");
  CHECK(h.RunValue({"SPOP", "s", "2"}).elems.size() == 2);
  CHECK(h.raw().rfind("~2\r\n", 0) == 0);
  CHECK(h.Run({"SPOP", "s", "5"}).rfind("~{", 0) == 0);
}

TEST_CASE("SADD counts in the dirty counter", "[set]") {
  CommandHarness h;
  auto dirty = [&] {
    std::string info = h.Run({"INFO", "persistence"});
    auto pos = info.find("rdb_changes_since_last_save:");
    return std::stoll(info.substr(pos + 28));
  };
  const auto before = dirty();
  h.Run({"SADD", "s", "1", "2", "3"});
  CHECK(dirty() == before + 3);
  h.Run({"SADD", "s", "3", "4"});
  CHECK(dirty() == before + 4);
}
