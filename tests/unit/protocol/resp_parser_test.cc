// RespParser against the behaviour of redis-server 7.0.15. Every expectation in the tables below
// was first observed by sending the same bytes to a real server over a socket.
#include "protocol/resp_parser.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace baozi::protocol {
namespace {

using Args = std::vector<std::string>;

struct Outcome {
  std::vector<Args> commands;
  RespParser::Status last = RespParser::kNeedMore;  // kNeedMore or kError after the last byte
  std::string error;
  size_t leftover = 0;  // bytes never consumed (0 after an error)

  bool operator==(const Outcome&) const = default;
};

std::string Describe(const Outcome& o) {
  std::string s = "{";
  for (const Args& c : o.commands) {
    s += "[";
    for (const std::string& a : c) s += "'" + a + "' ";
    s += "]";
  }
  s += o.last == RespParser::kError ? " error='" + o.error + "'" : " need-more";
  s += " leftover=" + std::to_string(o.leftover) + "}";
  return s;
}

// Plays the part of a connection: appends each chunk to its buffer, parses every complete
// command, drops consumed bytes. The buffer is copied to fresh storage before every call so views
// into an old buffer would be caught reading freed memory under ASan, and would show wrong bytes
// otherwise.
Outcome Feed(const std::vector<std::string_view>& chunks, ParserLimits limits = {}) {
  RespParser parser(limits);
  Outcome out;
  std::string buf;
  for (std::string_view chunk : chunks) {
    std::string grown;
    grown.reserve(buf.size() + chunk.size() + 7);
    grown.append(buf).append(chunk);
    buf = std::move(grown);
    while (true) {
      size_t consumed = 12345;
      RespParser::Status st = parser.Next(buf, &consumed);
      if (st == RespParser::kOk) {
        REQUIRE(consumed > 0);
        REQUIRE(consumed <= buf.size());
        Args args;
        for (std::string_view a : parser.args()) args.emplace_back(a);
        out.commands.push_back(std::move(args));
        buf.erase(0, consumed);
        continue;
      }
      REQUIRE(consumed == 0);
      if (st == RespParser::kError) {
        out.last = RespParser::kError;
        out.error = std::string(parser.error());
        // How much is left after an error depends on where the bytes were split; the
        // connection is closed anyway.
        return out;
      }
      break;
    }
  }
  out.leftover = buf.size();
  return out;
}

Outcome FeedWhole(std::string_view in, ParserLimits limits = {}) { return Feed({in}, limits); }

// Feeds `in` whole, one byte at a time, split once at every position and split twice at every
// pair of positions; all must agree.
Outcome FeedAllSplits(std::string_view in, ParserLimits limits = {}) {
  const Outcome whole = FeedWhole(in, limits);
  std::vector<std::string_view> bytes;
  for (size_t i = 0; i < in.size(); ++i) bytes.push_back(in.substr(i, 1));
  Outcome one_by_one = Feed(bytes, limits);
  INFO("input: " << in);
  INFO("whole: " << Describe(whole));
  INFO("byte by byte: " << Describe(one_by_one));
  REQUIRE(one_by_one == whole);
  for (size_t i = 0; i <= in.size(); ++i) {
    Outcome o = Feed({in.substr(0, i), in.substr(i)}, limits);
    INFO("split at " << i << ": " << Describe(o));
    REQUIRE(o == whole);
  }
  for (size_t i = 0; i <= in.size(); ++i) {
    for (size_t j = i; j <= in.size(); ++j) {
      Outcome o = Feed({in.substr(0, i), in.substr(i, j - i), in.substr(j)}, limits);
      INFO("split at " << i << "," << j << ": " << Describe(o));
      REQUIRE(o == whole);
    }
  }
  return whole;
}

Outcome Ok(std::vector<Args> commands, size_t leftover = 0) {
  return Outcome{std::move(commands), RespParser::kNeedMore, "", leftover};
}

Outcome Err(std::string_view error, std::vector<Args> commands = {}) {
  return Outcome{std::move(commands), RespParser::kError, std::string(error), 0};
}

struct Case {
  std::string input;
  Outcome expected;
};

void Check(const Case& c, ParserLimits limits = {}) {
  Outcome got = FeedAllSplits(c.input, limits);
  const Outcome& want = c.expected;
  INFO("input: " << c.input);
  INFO("got: " << Describe(got) << " want: " << Describe(want));
  REQUIRE(got == want);
}

using namespace std::string_literals;

TEST_CASE("multibulk requests", "[parser]") {
  const std::vector<Case> cases = {
      {"*1\r\n$4\r\nPING\r\n", Ok({{"PING"}})},
      {"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n", Ok({{"SET", "k", ""}})},
      // Payloads are binary: CR, LF and NUL inside are data.
      {"*2\r\n$4\r\nECHO\r\n$5\r\na\r\n\0b\r\n"s, Ok({{"ECHO", "a\r\n\0b"s}})},
      // Empty and negative counts are complete requests without arguments.
      {"*0\r\n*-1\r\n*-10\r\n*1\r\n$1\r\nx\r\n", Ok({{}, {}, {}, {"x"}})},
      {"*-9223372036854775808\r\n", Ok({{}})},
      // Redis skips the byte after a header's '\r' and the two bytes after a payload unchecked.
      {"*1\rX$4\r\nPINGxx*1\r\n$4\r\nPING\r\n", Ok({{"PING"}, {"PING"}})},
      {"*2\r\n$1\rZa\r\n$2\r\nbcQQ", Ok({{"a", "bc"}})},
      // Incomplete requests wait.
      {"*2\r\n$3\r\nGET\r\n$1\r\nk", Ok({}, 18)},
      {"*1\r\n$4\r\nPING\r", Ok({}, 13)},
      {"*1\r", Ok({}, 3)},
      // A NUL before a header's '\r' hides it from Redis's strchr: the request never completes.
      {"*1\r\n$4\0\r\nPING\r\n"s, Ok({}, 15)},
      {"*1\0\r\n$4\r\nPING\r\n"s, Ok({}, 15)},
      // A mixed pipeline.
      {"PING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\nECHO x\n",
       Ok({{"PING"}, {"ECHO", "hi"}, {"ECHO", "x"}})},
  };
  for (const Case& c : cases) Check(c);
}

TEST_CASE("multibulk errors have Redis's texts", "[parser]") {
  const std::vector<Case> cases = {
      {"*3000000000\r\n", Err("Protocol error: invalid multibulk length")},
      {"*2147483648\r\n", Err("Protocol error: invalid multibulk length")},
      {"*99999999999999999999\r\n", Err("Protocol error: invalid multibulk length")},
      {"*-0\r\n", Err("Protocol error: invalid multibulk length")},
      {"*00\r\n", Err("Protocol error: invalid multibulk length")},
      {"*01\r\n", Err("Protocol error: invalid multibulk length")},
      {"*+1\r\n", Err("Protocol error: invalid multibulk length")},
      {"*\r\n", Err("Protocol error: invalid multibulk length")},
      {"* 1\r\n", Err("Protocol error: invalid multibulk length")},
      {"*1 \r\n", Err("Protocol error: invalid multibulk length")},
      {"*1\n$4\r\nPING\r\n", Err("Protocol error: invalid multibulk length")},
      {"*1\r\n$-1\r\n", Err("Protocol error: invalid bulk length")},
      {"*1\r\n$\r\n", Err("Protocol error: invalid bulk length")},
      {"*1\r\n$ 4\r\nPING\r\n", Err("Protocol error: invalid bulk length")},
      {"*1\r\n$4 \r\nPING\r\n", Err("Protocol error: invalid bulk length")},
      {"*1\r\n$04\r\nPING\r\n", Err("Protocol error: invalid bulk length")},
      {"*1\r\n$536870913\r\n", Err("Protocol error: invalid bulk length")},
      {"*1\r\nfoo\r\n", Err("Protocol error: expected '$', got 'f'")},
      {"*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n", Err("Protocol error: expected '$', got 'f'")},
      // The offending byte is a line break here; Redis shows it as a space.
      {"*1\r\n\r\n", Err("Protocol error: expected '$', got ' '")},
      {"*1\r\n\n\r\n", Err("Protocol error: expected '$', got ' '")},
      // Commands before the bad one still run.
      {"*1\r\n$4\r\nPING\r\n*1\r\n:1\r\n",
       Err("Protocol error: expected '$', got ':'", {{"PING"}})},
  };
  for (const Case& c : cases) Check(c);
}

TEST_CASE("inline requests", "[parser]") {
  const std::vector<Case> cases = {
      {"PING\r\n", Ok({{"PING"}})},
      {"PING\n", Ok({{"PING"}})},
      {"PING\r\r\n", Ok({{"PING"}})},  // only one '\r' is stripped; the other is a blank
      {"SET k v\r\n", Ok({{"SET", "k", "v"}})},
      {"  \r\n PING \n", Ok({{}, {"PING"}})},
      {"\r\n\n", Ok({{}, {}})},
      {"a\rb\n", Ok({{"a", "b"}})},
      {"ECHO \"\"\n", Ok({{"ECHO", ""}})},
      {"ECHO ''\n", Ok({{"ECHO", ""}})},
      {"\"PI\\x4eG\"\n", Ok({{"PING"}})},
      {"ECHO \"a\\n\\r\\t\\b\\a\\\\\\\"\\q\\x4g\"\n", Ok({{"ECHO", "a\n\r\t\b\a\\\"qx4g"}})},
      {"ECHO \"\\x00\\xFf\"\n", Ok({{"ECHO", "\0\xff"s}})},
      {"ECHO 'a\\nb'\n", Ok({{"ECHO", "a\\nb"}})},
      {"ECHO 'it\\'s'\n", Ok({{"ECHO", "it's"}})},
      {"'PI\\'NG'\n", Ok({{"PI'NG"}})},
      {"ECHO 'a\"b'\n", Ok({{"ECHO", "a\"b"}})},
      {"ECHO \"a'b\"\n", Ok({{"ECHO", "a'b"}})},
      // A quote opening inside a word joins the word.
      {"ECHO a\"b c\"\n", Ok({{"ECHO", "ab c"}})},
      {"ECHO \"a\"\t\"b\"\n", Ok({{"ECHO", "a", "b"}})},
      {"ECHO \"a\"\x0b\n", Ok({{"ECHO", "a"}})},
      // \v and \f are skipped between words but do not end one.
      {"ECHO \x0b"
       "a\x0c"
       "b\n",
       Ok({{"ECHO",
            "a\x0c"
            "b"}})},
      {"ECHO a\x0b"
       "b\n",
       Ok({{"ECHO",
            "a\x0b"
            "b"}})},
      {"ECHO \xff\xfe\n", Ok({{"ECHO", "\xff\xfe"}})},
      // A NUL hides the newline from Redis: the line never ends.
      {"ECHO a\0b\n"s, Ok({}, 9)},
      {"PING", Ok({}, 4)},
  };
  for (const Case& c : cases) Check(c);
}

TEST_CASE("inline quoting errors", "[parser]") {
  const char* kUnbalanced = "Protocol error: unbalanced quotes in request";
  const std::vector<Case> cases = {
      {"\"PING\"x\n", Err(kUnbalanced)},
      {"'PING'x\n", Err(kUnbalanced)},
      {"\"PING\n", Err(kUnbalanced)},
      {"'PING\n", Err(kUnbalanced)},
      {"ECHO a\"b c\"d\n", Err(kUnbalanced)},
      {"ECHO \"abc\\\n", Err(kUnbalanced)},
      {"ECHO \"abc\\\"\n", Err(kUnbalanced)},
      {"ECHO 'abc\\'\n", Err(kUnbalanced)},
      {"PING\nECHO \"x\n", Err(kUnbalanced, {{"PING"}})},
  };
  for (const Case& c : cases) Check(c);
}

TEST_CASE("authentication limits", "[parser]") {
  ParserLimits unauth{.authenticated = false};
  const std::vector<Case> cases = {
      {"*10\r\n", Ok({}, 5)},
      {"*11\r\n", Err("Protocol error: unauthenticated multibulk length")},
      {"*1\r\n$16384\r\n", Ok({}, 12)},
      {"*1\r\n$16385\r\n", Err("Protocol error: unauthenticated bulk length")},
      // The validity checks come first.
      {"*11x\r\n", Err("Protocol error: invalid multibulk length")},
      {"*1\r\n$536870913\r\n", Err("Protocol error: invalid bulk length")},
      {"*12\r\n$536870913\r\n", Err("Protocol error: unauthenticated multibulk length")},
      {"*-100\r\n", Ok({{}})},
      {"*2\r\n$4\r\nAUTH\r\n$3\r\npwd\r\n", Ok({{"AUTH", "pwd"}})},
  };
  for (const Case& c : cases) Check(c, unauth);
  // Authenticated clients are not limited.
  CHECK(FeedWhole("*11\r\n").last == RespParser::kNeedMore);
  CHECK(FeedWhole("*1\r\n$16385\r\n").last == RespParser::kNeedMore);
}

TEST_CASE("bulk and multibulk bounds", "[parser]") {
  CHECK(FeedWhole("*2147483647\r\n") == Ok({}, 13));
  CHECK(FeedWhole("*1\r\n$536870912\r\n") == Ok({}, 16));
  ParserLimits small{.max_bulk_len = 10};
  Check({"*1\r\n$10\r\n0123456789\r\n", Ok({{"0123456789"}})}, small);
  Check({"*1\r\n$11\r\n", Err("Protocol error: invalid bulk length")}, small);
}

bool FailsWith(const Outcome& o, std::string_view error) {
  return o.last == RespParser::kError && o.error == error && o.commands.empty();
}

std::vector<std::string_view> Chunks(std::string_view s, size_t n) {
  std::vector<std::string_view> out;
  for (size_t i = 0; i < s.size(); i += n) out.push_back(s.substr(i, n));
  return out;
}

// Lines are limited to 64KB before their terminator, counted the way Redis counts them when bytes
// trickle in: with 65536 bytes buffered it still waits, with 65537 it gives up.
TEST_CASE("line length limits", "[parser]") {
  const std::string a64k(65536, 'a');
  for (size_t chunk : {size_t{1000}, size_t{65536}, size_t{1 << 20}}) {
    INFO("chunk " << chunk);
    CHECK(Feed(Chunks(a64k, chunk)) == Ok({}, 65536));
    CHECK(FailsWith(Feed(Chunks(a64k + "a", chunk)), "Protocol error: too big inline request"));
    CHECK(Feed(Chunks(a64k + "\n", chunk)) == Ok({{a64k}}));
    CHECK(FailsWith(Feed(Chunks(a64k + "a\n", chunk)), "Protocol error: too big inline request"));
    std::string nul = "a\0"s + std::string(70000, 'b') + "\n";
    CHECK(FailsWith(Feed(Chunks(nul, chunk)), "Protocol error: too big inline request"));

    std::string count = "*" + std::string(65535, '1');
    CHECK(Feed(Chunks(count, chunk)) == Ok({}, 65536));
    CHECK(
        FailsWith(Feed(Chunks(count + "1", chunk)), "Protocol error: too big mbulk count string"));
    // A complete but overlong count line is still just an invalid number.
    CHECK(
        FailsWith(Feed(Chunks(count + "\r\n", chunk)), "Protocol error: invalid multibulk length"));
    std::string bulk = "*1\r\n$" + std::string(65535, '1');
    CHECK(Feed(Chunks(bulk, chunk)) == Ok({}, 65540));
    CHECK(FailsWith(Feed(Chunks(bulk + "1", chunk)), "Protocol error: too big bulk count string"));
    std::string bulk_nul = "*1\r\n$1\0"s + std::string(70000, '\r');
    CHECK(FailsWith(Feed(Chunks(bulk_nul, chunk)), "Protocol error: too big bulk count string"));
  }
}

TEST_CASE("a huge argument count arriving in pieces is parsed in linear time", "[parser]") {
  constexpr size_t kArgs = 1'000'000;
  std::string req = "*" + std::to_string(kArgs) + "\r\n";
  for (size_t i = 0; i < kArgs; ++i) {
    std::string a = std::to_string(i % 1000);
    req += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  }
  // Grow one buffer in 4KB steps, as a connection would; a parser that re-scanned from the start
  // on every call would do ~2000x more work and time out.
  RespParser parser;
  std::string buf;
  size_t consumed = 0;
  RespParser::Status st = RespParser::kNeedMore;
  for (size_t off = 0; off < req.size(); off += 4096) {
    buf.append(req, off, 4096);
    st = parser.Next(buf, &consumed);
    if (off + 4096 < req.size()) REQUIRE(st == RespParser::kNeedMore);
  }
  REQUIRE(st == RespParser::kOk);
  REQUIRE(consumed == req.size());
  REQUIRE(parser.args().size() == kArgs);
  CHECK(parser.args()[0] == "0");
  CHECK(parser.args()[999] == "999");
  CHECK(parser.args()[kArgs - 1] == "999");
  for (size_t i = 0; i < kArgs; i += 7919) CHECK(parser.args()[i] == std::to_string(i % 1000));
}

TEST_CASE("views survive the caller moving its buffer", "[parser]") {
  RespParser parser;
  size_t consumed;
  std::string buf = "*2\r\n$3\r\nGET\r\n$5\r\nhel";
  REQUIRE(parser.Next(buf, &consumed) == RespParser::kNeedMore);
  // Move the bytes somewhere else entirely and poison the old copy.
  std::string moved = buf + "lo\r\n";
  std::fill(buf.begin(), buf.end(), 'X');
  REQUIRE(parser.Next(moved, &consumed) == RespParser::kOk);
  REQUIRE(consumed == moved.size());
  auto args = parser.args();
  REQUIRE(args.size() == 2);
  CHECK(args[0] == "GET");
  CHECK(args[1] == "hello");
  CHECK(args[0].data() >= moved.data());
  CHECK(args[1].data() + args[1].size() <= moved.data() + moved.size());
}

TEST_CASE("inline arguments live in the parser", "[parser]") {
  RespParser parser;
  size_t consumed;
  std::string buf = "SET \"a b\" 'c'\r\n";
  REQUIRE(parser.Next(buf, &consumed) == RespParser::kOk);
  CHECK(consumed == buf.size());
  buf.assign(buf.size(), 'X');  // the caller may drop its bytes
  auto args = parser.args();
  REQUIRE(args.size() == 3);
  CHECK(args[0] == "SET");
  CHECK(args[1] == "a b");
  CHECK(args[2] == "c");
}

TEST_CASE("errors stick until Reset", "[parser]") {
  RespParser parser;
  size_t consumed;
  REQUIRE(parser.Next("*x\r\n", &consumed) == RespParser::kError);
  CHECK(parser.error() == "Protocol error: invalid multibulk length");
  CHECK(parser.Next("PING\r\n", &consumed) == RespParser::kError);
  parser.Reset();
  CHECK(parser.error().empty());
  REQUIRE(parser.Next("PING\r\n", &consumed) == RespParser::kOk);
  CHECK(consumed == 6);
  REQUIRE(parser.args().size() == 1);
  CHECK(parser.args()[0] == "PING");
}

TEST_CASE("Reset forgets a partial command", "[parser]") {
  RespParser parser;
  size_t consumed;
  REQUIRE(parser.Next("*2\r\n$3\r\nGET\r\n", &consumed) == RespParser::kNeedMore);
  parser.Reset();
  REQUIRE(parser.Next("*1\r\n$4\r\nPING\r\n", &consumed) == RespParser::kOk);
  REQUIRE(parser.args().size() == 1);
  CHECK(parser.args()[0] == "PING");
}

TEST_CASE("empty input needs more", "[parser]") {
  RespParser parser;
  size_t consumed = 7;
  CHECK(parser.Next("", &consumed) == RespParser::kNeedMore);
  CHECK(consumed == 0);
  CHECK(parser.args().empty());
}

TEST_CASE("PendingBulkBytes reports the bytes the current bulk needs", "[parser]") {
  RespParser parser;
  size_t consumed;
  CHECK(parser.PendingBulkBytes() == 0);
  std::string buf = "*2\r\n$3\r\nSET\r\n";
  REQUIRE(parser.Next(buf, &consumed) == RespParser::kNeedMore);
  CHECK(parser.PendingBulkBytes() == 0);  // the next "$len" line has not arrived
  buf += "$100000\r\nabc";
  REQUIRE(parser.Next(buf, &consumed) == RespParser::kNeedMore);
  // 13 bytes before "$100000\r\n" (9 bytes), then the payload and its CRLF.
  CHECK(parser.PendingBulkBytes() == 13 + 9 + 100000 + 2);
  buf.resize(parser.PendingBulkBytes(), 'x');
  REQUIRE(parser.Next(buf, &consumed) == RespParser::kOk);
  CHECK(parser.args()[1].size() == 100000);
  CHECK(parser.PendingBulkBytes() == 0);
}

TEST_CASE("set_limits applies to the next header", "[parser]") {
  RespParser parser(ParserLimits{.authenticated = false});
  size_t consumed;
  CHECK(parser.Next("*11\r\n", &consumed) == RespParser::kError);
  parser.Reset();
  parser.set_limits(ParserLimits{.authenticated = true});
  CHECK(parser.Next("*11\r\n", &consumed) == RespParser::kNeedMore);
}

}  // namespace
}  // namespace baozi::protocol
