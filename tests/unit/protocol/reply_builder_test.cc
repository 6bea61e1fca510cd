// Exact bytes for every ReplyBuilder method in both protocol versions. The expected strings are
// what redis-server 7.0.15 writes for the same reply (checked with ZSCORE, HGETALL, SMEMBERS, ...
// over RESP2 and after HELLO 3).
#include "protocol/reply_builder.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <string>

namespace baozi::protocol {
namespace {

using namespace std::string_literals;

// Runs `write` against a fresh builder in each protocol version and returns the bytes.
std::string Resp2(const std::function<void(ReplyBuilder&)>& write) {
  std::string out;
  ReplyBuilder rb(&out);
  write(rb);
  return out;
}

std::string Resp3(const std::function<void(ReplyBuilder&)>& write) {
  std::string out;
  ReplyBuilder rb(&out);
  rb.set_resp3(true);
  write(rb);
  return out;
}

struct Expect {
  const char* name;
  std::function<void(ReplyBuilder&)> write;
  std::string resp2;
  std::string resp3;
};

TEST_CASE("every method in RESP2 and RESP3", "[reply]") {
  const std::vector<Expect> cases = {
      {"ok", [](ReplyBuilder& rb) { rb.SendOk(); }, "+OK\r\n", "+OK\r\n"},
      {"simple", [](ReplyBuilder& rb) { rb.SendSimple("PONG"); }, "+PONG\r\n", "+PONG\r\n"},
      {"simple empty", [](ReplyBuilder& rb) { rb.SendSimple(""); }, "+\r\n", "+\r\n"},
      {"long", [](ReplyBuilder& rb) { rb.SendLong(42); }, ":42\r\n", ":42\r\n"},
      {"long zero", [](ReplyBuilder& rb) { rb.SendLong(0); }, ":0\r\n", ":0\r\n"},
      {"long min", [](ReplyBuilder& rb) { rb.SendLong(std::numeric_limits<int64_t>::min()); },
       ":-9223372036854775808\r\n", ":-9223372036854775808\r\n"},
      {"long max", [](ReplyBuilder& rb) { rb.SendLong(std::numeric_limits<int64_t>::max()); },
       ":9223372036854775807\r\n", ":9223372036854775807\r\n"},
      {"bulk", [](ReplyBuilder& rb) { rb.SendBulk("hello"); }, "$5\r\nhello\r\n",
       "$5\r\nhello\r\n"},
      {"bulk empty", [](ReplyBuilder& rb) { rb.SendBulk(""); }, "$0\r\n\r\n", "$0\r\n\r\n"},
      {"bulk binary", [](ReplyBuilder& rb) { rb.SendBulk("a\r\n\0"s); }, "$4\r\na\r\n\0\r\n"s,
       "$4\r\na\r\n\0\r\n"s},
      {"null", [](ReplyBuilder& rb) { rb.SendNull(); }, "$-1\r\n", "_\r\n"},
      {"null array", [](ReplyBuilder& rb) { rb.SendNullArray(); }, "*-1\r\n", "_\r\n"},
      {"bool true", [](ReplyBuilder& rb) { rb.SendBool(true); }, ":1\r\n", "#t\r\n"},
      {"bool false", [](ReplyBuilder& rb) { rb.SendBool(false); }, ":0\r\n", "#f\r\n"},
      {"verbatim", [](ReplyBuilder& rb) { rb.SendVerbatim("hi\nthere"); }, "$8\r\nhi\nthere\r\n",
       "=12\r\ntxt:hi\nthere\r\n"},
      {"verbatim mkd", [](ReplyBuilder& rb) { rb.SendVerbatim("# x", "mkd"); }, "$3\r\n# x\r\n",
       "=7\r\nmkd:# x\r\n"},
      {"big number", [](ReplyBuilder& rb) { rb.SendBigNumber("1234567890123456789012"); },
       "$22\r\n1234567890123456789012\r\n", "(1234567890123456789012\r\n"},
      {"array", [](ReplyBuilder& rb) { rb.StartArray(2); }, "*2\r\n", "*2\r\n"},
      {"array empty", [](ReplyBuilder& rb) { rb.StartArray(0); }, "*0\r\n", "*0\r\n"},
      {"map", [](ReplyBuilder& rb) { rb.StartMap(3); }, "*6\r\n", "%3\r\n"},
      {"set", [](ReplyBuilder& rb) { rb.StartSet(3); }, "*3\r\n", "~3\r\n"},
      {"push", [](ReplyBuilder& rb) { rb.StartPush(3); }, "*3\r\n", ">3\r\n"},
      {"bulk array",
       [](ReplyBuilder& rb) {
         rb.SendBulkArray({"a", "bc"});
       },
       "*2\r\n$1\r\na\r\n$2\r\nbc\r\n", "*2\r\n$1\r\na\r\n$2\r\nbc\r\n"},
      {"bulk array empty", [](ReplyBuilder& rb) { rb.SendBulkArray({}); }, "*0\r\n", "*0\r\n"},
      {"raw", [](ReplyBuilder& rb) { rb.SendRaw(":1\r\n"); }, ":1\r\n", ":1\r\n"},
      {"map reply",
       [](ReplyBuilder& rb) {
         rb.StartMap(2);
         rb.SendBulk("proto");
         rb.SendLong(3);
         rb.SendBulk("mode");
         rb.SendBulk("standalone");
       },
       "*4\r\n$5\r\nproto\r\n:3\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n",
       "%2\r\n$5\r\nproto\r\n:3\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n"},
  };
  for (const Expect& e : cases) {
    INFO(e.name);
    CHECK(Resp2(e.write) == e.resp2);
    CHECK(Resp3(e.write) == e.resp3);
  }
}

TEST_CASE("doubles", "[reply]") {
  struct D {
    double d;
    std::string text;
  };
  const std::vector<D> cases = {
      {1.5, "1.5"},
      {0.1, "0.10000000000000001"},
      {1e300, "1.0000000000000001e+300"},
      {3.0, "3"},
      {-2.25, "-2.25"},
      {0.0, "0"},
      {-0.0, "-0"},
      {1e17, "1e+17"},
      {123456789012345678.0, "1.2345678901234568e+17"},
      {5e-324, "4.9406564584124654e-324"},
      {std::numeric_limits<double>::infinity(), "inf"},
      {-std::numeric_limits<double>::infinity(), "-inf"},
      {std::nan(""), "nan"},
  };
  for (const D& c : cases) {
    INFO(c.text);
    CHECK(Resp2([&](ReplyBuilder& rb) { rb.SendDouble(c.d); }) ==
          "$" + std::to_string(c.text.size()) + "\r\n" + c.text + "\r\n");
    CHECK(Resp3([&](ReplyBuilder& rb) { rb.SendDouble(c.d); }) == "," + c.text + "\r\n");
  }
}

// Redis prints doubles with printf("%.17g"); compare against it on many random bit patterns.
TEST_CASE("doubles match printf %.17g", "[reply]") {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    uint64_t bits = rng();
    double d;
    std::memcpy(&d, &bits, sizeof d);
    if (i % 2 == 0)
      d = std::ldexp(static_cast<double>(rng() % 1000000), static_cast<int>(rng() % 40) - 20);
    if (std::isinf(d)) continue;
    char want[64];
    std::snprintf(want, sizeof want, "%.17g", d);
    std::string got = Resp3([&](ReplyBuilder& rb) { rb.SendDouble(d); });
    INFO("bits " << bits);
    REQUIRE(got == "," + std::string(want) + "\r\n");
  }
}

TEST_CASE("errors", "[reply]") {
  std::string out;
  ReplyBuilder rb(&out);
  CHECK(rb.error_count() == 0);

  rb.SendError("syntax error");
  CHECK(out == "-ERR syntax error\r\n");
  CHECK(rb.error_count() == 1);
  CHECK(rb.last_error_code() == "ERR");

  out.clear();
  rb.SendError("-WRONGTYPE Operation against a key holding the wrong kind of value");
  CHECK(out == "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  CHECK(rb.error_count() == 2);
  CHECK(rb.last_error_code() == "WRONGTYPE");

  // User text cannot break the framing.
  out.clear();
  rb.SendError("unknown command 'a\r\nb', with args beginning with: \n");
  CHECK(out == "-ERR unknown command 'a  b', with args beginning with:  \r\n");
  CHECK(rb.last_error_code() == "ERR");

  out.clear();
  rb.SendError("-NOSCRIPT No\rmatching\nscript");
  CHECK(out == "-NOSCRIPT No matching script\r\n");
  CHECK(rb.last_error_code() == "NOSCRIPT");

  // Without a space in its first 32 bytes the code cannot be told, and Redis counts "ERR".
  out.clear();
  rb.SendError("-NOSPACEATALL");
  CHECK(out == "-NOSPACEATALL\r\n");
  CHECK(rb.last_error_code() == "ERR");
  out.clear();
  rb.SendError("-" + std::string(40, 'X') + " tail");
  CHECK(rb.last_error_code() == "ERR");

  // A message that merely starts with "ERR" still gets the prefix, as in Redis.
  out.clear();
  rb.SendError("ERR x");
  CHECK(out == "-ERR ERR x\r\n");

  out.clear();
  rb.SendError("");
  CHECK(out == "-ERR \r\n");
  CHECK(rb.error_count() == 8);

  // Sanitising touches only the error, never what was written before it.
  out = "$2\r\nab\r\n";
  rb.SendError("x\ny");
  CHECK(out == "$2\r\nab\r\n-ERR x y\r\n");
}

TEST_CASE("deferred lengths", "[reply]") {
  auto nested = [](ReplyBuilder& rb) {
    auto outer = rb.DeferArrayLen();
    rb.SendLong(1);
    auto inner = rb.DeferMapLen();
    rb.SendBulk("k");
    rb.SendBulk("v");
    auto set = rb.DeferSetLen();
    rb.SetDeferredLen(set, 0);
    rb.SendNull();
    rb.SetDeferredLen(inner, 2);
    auto empty = rb.DeferArrayLen();
    rb.SetDeferredLen(empty, 0);
    rb.SetDeferredLen(outer, 3);
  };
  CHECK(Resp2(nested) == "*3\r\n:1\r\n*4\r\n$1\r\nk\r\n$1\r\nv\r\n*0\r\n$-1\r\n*0\r\n");
  CHECK(Resp3(nested) == "*3\r\n:1\r\n%2\r\n$1\r\nk\r\n$1\r\nv\r\n~0\r\n_\r\n*0\r\n");

  // Siblings, and a buffer that already holds earlier replies.
  auto siblings = [](ReplyBuilder& rb) {
    rb.SendOk();
    auto a = rb.DeferSetLen();
    for (int i = 0; i < 12; ++i) rb.SendLong(i);
    rb.SetDeferredLen(a, 12);
    auto b = rb.DeferArrayLen();
    rb.SetDeferredLen(b, 0);
  };
  std::string body;
  for (int i = 0; i < 12; ++i) body += ":" + std::to_string(i) + "\r\n";
  CHECK(Resp2(siblings) == "+OK\r\n*12\r\n" + body + "*0\r\n");
  CHECK(Resp3(siblings) == "+OK\r\n~12\r\n" + body + "*0\r\n");

  // Many elements: the header grows by several digits.
  auto big = [](ReplyBuilder& rb) {
    auto h = rb.DeferMapLen();
    for (int i = 0; i < 54321; ++i) {
      rb.SendLong(i);
      rb.SendLong(i);
    }
    rb.SetDeferredLen(h, 54321);
  };
  CHECK(Resp2(big).substr(0, 9) == "*108642\r\n");
  CHECK(Resp3(big).substr(0, 8) == "%54321\r\n");
  CHECK(Resp3(big).substr(8, 8) == ":0\r\n:0\r\n");
}

TEST_CASE("set_buffer redirects output", "[reply]") {
  std::string a, b;
  ReplyBuilder rb(&a);
  rb.SendLong(1);
  rb.set_buffer(&b);
  CHECK(rb.buffer() == &b);
  rb.SendLong(2);
  CHECK(a == ":1\r\n");
  CHECK(b == ":2\r\n");
  CHECK_FALSE(rb.resp3());
  rb.set_resp3(true);
  CHECK(rb.resp3());
}

}  // namespace
}  // namespace baozi::protocol
