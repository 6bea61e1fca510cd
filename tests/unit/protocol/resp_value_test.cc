#include "protocol/resp_value.h"

#include <catch2/catch.hpp>
#include <string>

#include "protocol/reply_builder.h"

namespace baozi::protocol {
namespace {

using namespace std::string_literals;

RespValue Parsed(std::string_view bytes) {
  RespValue v;
  long used = ParseReply(bytes, &v);
  INFO("bytes: " << bytes);
  REQUIRE(used == static_cast<long>(bytes.size()));
  return v;
}

RespValue Bulk(std::string s) { return RespValue{.type = RespValue::kBulk, .str = std::move(s)}; }
RespValue Int(int64_t i) { return RespValue{.type = RespValue::kInteger, .integer = i}; }

TEST_CASE("parses every reply type", "[resp_value]") {
  CHECK(Parsed("+OK\r\n") == RespValue{.type = RespValue::kSimple, .str = "OK"});
  CHECK(Parsed("-ERR bad\r\n") == RespValue{.type = RespValue::kError, .str = "ERR bad"});
  CHECK(Parsed(":-12\r\n") == Int(-12));
  CHECK(Parsed("$3\r\na\r\n\r\n") == Bulk("a\r\n"));
  CHECK(Parsed("$0\r\n\r\n") == Bulk(""));
  CHECK(Parsed("$-1\r\n").type == RespValue::kNull);
  CHECK(Parsed("_\r\n").type == RespValue::kNull);
  CHECK(Parsed("*-1\r\n").type == RespValue::kNullArray);
  CHECK(Parsed(",1.5\r\n") == RespValue{.type = RespValue::kDouble, .str = "1.5"});
  CHECK(Parsed(",-inf\r\n") == RespValue{.type = RespValue::kDouble, .str = "-inf"});
  CHECK(Parsed("#t\r\n") == RespValue{.type = RespValue::kBool, .integer = 1});
  CHECK(Parsed("#f\r\n") == RespValue{.type = RespValue::kBool, .integer = 0});
  CHECK(Parsed("=8\r\ntxt:a\nbc\r\n") == RespValue{.type = RespValue::kVerbatim, .str = "a\nbc"});
  CHECK(Parsed("(123456789012345678901\r\n") ==
        RespValue{.type = RespValue::kBigNumber, .str = "123456789012345678901"});
  CHECK(Parsed("!5\r\nERR x\r\n") == RespValue{.type = RespValue::kError, .str = "ERR x"});

  RespValue arr = Parsed("*3\r\n:1\r\n$1\r\na\r\n*0\r\n");
  REQUIRE(arr.type == RespValue::kArray);
  REQUIRE(arr.elems.size() == 3);
  CHECK(arr.elems[0] == Int(1));
  CHECK(arr.elems[1] == Bulk("a"));
  CHECK(arr.elems[2] == RespValue{.type = RespValue::kArray});

  RespValue map = Parsed("%2\r\n$1\r\nk\r\n:1\r\n$2\r\nk2\r\n_\r\n");
  REQUIRE(map.type == RespValue::kMap);
  REQUIRE(map.elems.size() == 4);
  CHECK(map.elems[2] == Bulk("k2"));
  CHECK(map.elems[3].type == RespValue::kNull);

  CHECK(Parsed("~1\r\n+a\r\n").type == RespValue::kSet);
  RespValue push = Parsed(">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nx\r\n");
  CHECK(push.type == RespValue::kPush);
  CHECK(push.elems.size() == 3);

  // Attributes are read and dropped.
  CHECK(Parsed("|1\r\n+key\r\n+val\r\n:7\r\n") == Int(7));
}

TEST_CASE("every proper prefix is incomplete", "[resp_value]") {
  const std::string samples[] = {
      "+OK\r\n",          "$5\r\nhello\r\n",          "*2\r\n%1\r\n+a\r\n~1\r\n:1\r\n>1\r\n$-1\r\n",
      "=6\r\ntxt:ab\r\n", "|1\r\n+k\r\n+v\r\n#t\r\n", "*-1\r\n",
  };
  for (const std::string& s : samples) {
    RespValue v;
    for (size_t i = 0; i < s.size(); ++i) {
      INFO(s << " prefix " << i);
      CHECK(ParseReply(std::string_view(s).substr(0, i), &v) == 0);
    }
    CHECK(ParseReply(s, &v) == static_cast<long>(s.size()));
    // Trailing bytes are not consumed.
    CHECK(ParseReply(s + "+next\r\n", &v) == static_cast<long>(s.size()));
  }
}

TEST_CASE("malformed replies", "[resp_value]") {
  for (std::string bad : {"?x\r\n", ":12a\r\n", ":\r\n", "+a\rb\r\n", "$3\r\nabcd\r\n", "$-2\r\n",
                          "*-2\r\n", "%-1\r\n", "#x\r\n", "=3\r\nabc\r\n", "=5\r\ntxtab\r\n",
                          "_x\r\n", ",\r\n", "*1\r\n?\r\n"}) {
    RespValue v;
    INFO(bad);
    CHECK(ParseReply(bad, &v) == -1);
  }
  // Nesting deep enough to threaten the stack is refused, not followed.
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += "*1\r\n";
  deep += ":1\r\n";
  RespValue v;
  CHECK(ParseReply(deep, &v) == -1);
}

TEST_CASE("encode is the inverse of parse", "[resp_value]") {
  const std::string samples[] = {
      "+OK\r\n",
      "-WRONGTYPE x\r\n",
      ":-9223372036854775808\r\n",
      "$3\r\n\0\r\n\r\n"s,
      "_\r\n",
      "*-1\r\n",
      ",0.10000000000000001\r\n",
      "#t\r\n",
      "#f\r\n",
      "=6\r\ntxt:ab\r\n",
      "(99999999999999999999999\r\n",
      "*0\r\n",
      "*3\r\n%1\r\n+a\r\n~2\r\n:1\r\n:2\r\n>1\r\n$0\r\n\r\n*1\r\n_\r\n",
  };
  for (const std::string& s : samples) {
    INFO(s);
    RespValue v = Parsed(s);
    CHECK(EncodeReply(v) == s);
    CHECK(Parsed(EncodeReply(v)) == v);
  }
  // RESP2 spellings map to their RESP3 equivalents.
  CHECK(EncodeReply(Parsed("$-1\r\n")) == "_\r\n");
  CHECK(EncodeReply(Parsed("!3\r\nERR\r\n")) == "-ERR\r\n");
  std::string appended = "x";
  EncodeReply(Int(5), &appended);
  CHECK(appended == "x:5\r\n");
}

TEST_CASE("reads what the ReplyBuilder writes", "[resp_value]") {
  for (bool resp3 : {false, true}) {
    std::string out;
    ReplyBuilder rb(&out);
    rb.set_resp3(resp3);
    rb.StartMap(2);
    rb.SendBulk("score");
    rb.SendDouble(2.5);
    rb.SendBulk("tags");
    auto h = rb.DeferSetLen();
    rb.SendBulk("a");
    rb.SendBulk("b");
    rb.SetDeferredLen(h, 2);
    RespValue v = Parsed(out);
    REQUIRE(v.elems.size() == 4);
    CHECK(v.type == (resp3 ? RespValue::kMap : RespValue::kArray));
    CHECK(v.elems[1] ==
          (resp3 ? RespValue{.type = RespValue::kDouble, .str = "2.5"} : Bulk("2.5")));
    CHECK(v.elems[3].type == (resp3 ? RespValue::kSet : RespValue::kArray));
    CHECK(v.elems[3].elems == std::vector<RespValue>{Bulk("a"), Bulk("b")});
    if (resp3) CHECK(EncodeReply(v) == out);
  }
}

TEST_CASE("DebugString", "[resp_value]") {
  CHECK(Parsed("*4\r\n+OK\r\n:5\r\n$3\r\na\"\n\r\n_\r\n").DebugString() ==
        "[OK, 5, \"a\\\"\\n\", nil]");
  CHECK(Parsed("%1\r\n$1\r\nk\r\n~1\r\n#t\r\n").DebugString() == "{\"k\" => ~{true}}");
  CHECK(Parsed("-ERR x\r\n").DebugString() == "(error) ERR x");
  CHECK(Parsed(",1.5\r\n").DebugString() == "(double) 1.5");
  CHECK(Parsed("$2\r\n\x01\xff\r\n").DebugString() == "\"\\x01\\xff\"");
}

}  // namespace
}  // namespace baozi::protocol
