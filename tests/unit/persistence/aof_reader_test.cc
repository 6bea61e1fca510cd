// The AOF command reader: good streams, every truncation of a sample (truncated, never
// corrupt, with the right valid prefix), MULTI/EXEC at the tail, Redis's loader leniencies and
// format errors, and seeded random mutations that must never crash or read out of bounds.
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "persistence/aof.h"

namespace baozi::aof {
namespace {

using Argv = std::vector<std::string>;

std::string Resp(std::initializer_list<std::string_view> args) {
  std::vector<std::string_view> v(args);
  std::string out;
  AppendCommand(&out, v);
  return out;
}

struct ReadAll {
  std::vector<Argv> cmds;
  std::vector<size_t> ends;
  ReadStatus status;
  size_t valid_prefix;
  size_t error_offset;
  bool reverted;
};

ReadAll Read(std::string_view data, size_t start = 0) {
  CommandReader r(data, start);
  ReadAll out;
  while (r.Next()) {
    Argv a;
    for (std::string_view s : r.argv()) {
      // Views point into the input.
      REQUIRE(s.data() >= data.data());
      REQUIRE(s.data() + s.size() <= data.data() + data.size());
      a.emplace_back(s);
    }
    out.cmds.push_back(std::move(a));
    out.ends.push_back(r.command_end());
  }
  out.status = r.status();
  out.valid_prefix = r.valid_prefix();
  out.error_offset = r.error_offset();
  out.reverted = r.reverted_multi();
  return out;
}

TEST_CASE("aof reader: a good stream", "[aof][reader]") {
  const std::string a = Resp({"SELECT", "0"});
  const std::string b = Resp({"SET", "k", std::string_view("a\r\nb\0c", 6)});
  const std::string c = Resp({"DEL", ""});
  const std::string data = "#TS:1700000000\r\n" + a + b + "#TS:1700000001\r\n" + c;
  const ReadAll r = Read(data);
  CHECK(r.status == ReadStatus::kOk);
  REQUIRE(r.cmds.size() == 3);
  CHECK(r.cmds[0] == Argv{"SELECT", "0"});
  CHECK(r.cmds[1] == Argv{"SET", "k", std::string("a\r\nb\0c", 6)});
  CHECK(r.cmds[2] == Argv{"DEL", ""});
  CHECK(r.ends.back() == data.size());
  CHECK(r.valid_prefix == data.size());

  // Empty input is fine; so is a start offset (the tail after an RDB preamble).
  CHECK(Read("").status == ReadStatus::kOk);
  const std::string pre = "REDIS0010garbage" + a;
  const ReadAll t = Read(pre, 16);
  CHECK(t.status == ReadStatus::kOk);
  CHECK(t.cmds.size() == 1);
}

TEST_CASE("aof reader: Redis's loader leniencies", "[aof][reader]") {
  // Trailing junk after the digits, unchecked CRLF after a bulk, LF-only lines.
  const ReadAll r = Read("*2 junk\n$3xx\r\nGETxx$1\nk\r\n");
  CHECK(r.status == ReadStatus::kOk);
  REQUIRE(r.cmds.size() == 1);
  CHECK(r.cmds[0] == Argv{"GET", "k"});
  // A length line without digits is a zero length.
  const ReadAll z = Read("*1\r\n$\r\n\r\n");
  CHECK(z.status == ReadStatus::kOk);
  CHECK(z.cmds.at(0) == Argv{""});
}

TEST_CASE("aof reader: format errors are corruption", "[aof][reader]") {
  const std::string good = Resp({"SET", "a", "1"});
  struct Case {
    std::string tail;
    size_t offset;  // relative to the start of the tail
  };
  const std::vector<Case> cases = {
      {"X", 0},
      {"\r\n", 0},
      {"*0\r\n", 0},
      {"*-1\r\n", 0},
      {"*abc\r\n", 0},
      {std::string("*\0\r\n", 4), 0},
      {"*1\r\nGET\r\n", 4},
      {"*2\r\n$3\r\nGET\r\n:1\r\n", 13},
      {"*1\r\n$-1\r\n", 4},
  };
  for (const Case& c : cases) {
    const std::string data = good + c.tail;
    INFO(c.tail);
    CommandReader r(data);
    REQUIRE(r.Next());
    CHECK_FALSE(r.Next());
    CHECK(r.status() == ReadStatus::kCorrupt);
    CHECK(r.error_offset() == good.size() + c.offset);
    CHECK(r.valid_prefix() == good.size());
    CHECK_FALSE(r.Next());
  }
}

TEST_CASE("aof reader: every truncation of a sample", "[aof][reader]") {
  std::string sample;
  std::vector<size_t> bounds = {0};
  for (const std::string& cmd :
       {Resp({"SELECT", "0"}), Resp({"SET", "key", "value"}), Resp({"RPUSH", "l", "", "x"}),
        Resp({"SET", "bin", std::string(300, '\n')}), Resp({"DEL", "key"})}) {
    sample += cmd;
    bounds.push_back(sample.size());
  }
  for (size_t n = 0; n <= sample.size(); ++n) {
    const std::string cut = sample.substr(0, n);
    const ReadAll r = Read(cut);
    size_t last = 0;
    for (size_t b : bounds) {
      if (b <= n) last = b;
    }
    INFO("cut at " << n);
    if (last == n) {
      CHECK(r.status == ReadStatus::kOk);
    } else {
      REQUIRE(r.status == ReadStatus::kTruncated);
      CHECK(r.valid_prefix == last);
      CHECK(r.error_offset == last);  // the command cut short starts there
    }
    CHECK(r.cmds.size() ==
          static_cast<size_t>(std::find(bounds.begin(), bounds.end(), last) - bounds.begin()));
  }
}

TEST_CASE("aof reader: MULTI without EXEC at the end", "[aof][reader]") {
  const std::string set_a = Resp({"SET", "a", "1"});
  const std::string multi = Resp({"multi"});
  const std::string set_b = Resp({"SET", "b", "2"});
  const std::string exec = Resp({"EXEC"});

  // Complete transaction: fine.
  CHECK(Read(set_a + multi + set_b + exec).status == ReadStatus::kOk);

  // Open at the end: reverted to before the MULTI.
  const ReadAll open = Read(set_a + "#TS:1\r\n" + multi + set_b);
  CHECK(open.status == ReadStatus::kTruncated);
  CHECK(open.reverted);
  CHECK(open.valid_prefix == set_a.size());
  CHECK(open.error_offset == set_a.size() + 7);
  CHECK(open.cmds.size() == 3);  // the caller saw them; it discards the queued ones

  // Cut inside a transaction: the prefix ends before the MULTI, not after SET b.
  const std::string cut = set_a + multi + set_b + exec.substr(0, 5);
  const ReadAll c = Read(cut);
  CHECK(c.status == ReadStatus::kTruncated);
  CHECK_FALSE(c.reverted);
  CHECK(c.valid_prefix == set_a.size());

  // A second MULTI inside the first keeps the outermost revert point (Redis would move it
  // into the open transaction, leaving a prefix that does not read back clean).
  const std::string nested = set_a + multi + set_b + multi + set_b;
  const ReadAll n = Read(nested);
  CHECK(n.status == ReadStatus::kTruncated);
  CHECK(n.valid_prefix == set_a.size());

  // DISCARD does not close it (Redis's loader queues it); EXEC without MULTI is not tracked.
  CHECK(Read(multi + Resp({"DISCARD"})).status == ReadStatus::kTruncated);
  CHECK(Read(exec + set_a).status == ReadStatus::kOk);
  // After EXEC the prefix moves on.
  const ReadAll after = Read(multi + set_b + exec + set_a + multi);
  CHECK(after.valid_prefix == multi.size() + set_b.size() + exec.size() + set_a.size());
}

TEST_CASE("aof reader: huge declared lengths allocate nothing", "[aof][reader]") {
  for (const std::string& data :
       {std::string("*1\r\n$9223372036854775807\r\nabc"),
        std::string("*1\r\n$99999999999999999999999\r\nabc"),
        std::string("*2147483647\r\n$1\r\na\r\n"), std::string("*1\r\n$4000000000\r\n")}) {
    const ReadAll r = Read(data);
    CHECK(r.status == ReadStatus::kTruncated);
    CHECK(r.valid_prefix == 0);
  }
  // atoi narrows: 4294967297 is argc 1.
  CHECK(Read("*4294967297\r\n$1\r\na\r\n").status == ReadStatus::kOk);
}

TEST_CASE("aof reader: seeded random mutations never crash", "[aof][reader]") {
  std::string base;
  for (int i = 0; i < 20; ++i) {
    base += Resp({"SET", "key" + std::to_string(i), std::string(static_cast<size_t>(i * 7), 'v')});
    if (i % 5 == 0) base += Resp({"MULTI"});
    if (i % 5 == 3) base += Resp({"EXEC"});
    if (i % 6 == 0) base += "#TS:" + std::to_string(i) + "\r\n";
  }
  std::mt19937_64 rng(20261122);
  uint64_t statuses[3] = {};
  for (int iter = 0; iter < 20000; ++iter) {
    std::string d = base;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !d.empty(); ++e) {
      const size_t at = rng() % d.size();
      switch (rng() % 5) {
        case 0:
          d[at] = static_cast<char>(rng());
          break;
        case 1:
          d.insert(at, 1, "*$\r\n0123456789-"[rng() % 15]);
          break;
        case 2:
          d.erase(at, 1 + rng() % 8);
          break;
        case 3:
          d.resize(at);
          break;
        default:
          d.insert(at, std::to_string(rng()));
          break;
      }
    }
    CommandReader r(d);
    size_t prev_end = 0;
    while (r.Next()) {
      REQUIRE(r.command_end() <= d.size());
      REQUIRE(r.command_end() > prev_end);
      prev_end = r.command_end();
      for (std::string_view s : r.argv()) {
        REQUIRE(s.data() + s.size() <= d.data() + d.size());
      }
    }
    REQUIRE(r.valid_prefix() <= d.size());
    REQUIRE(r.error_offset() <= d.size());
    REQUIRE(r.valid_prefix() <= std::max(prev_end, r.valid_prefix()));
    statuses[static_cast<int>(r.status())]++;
    // The valid prefix always reads back clean.
    if (r.status() != ReadStatus::kOk) {
      const ReadAll again = Read(std::string_view(d).substr(0, r.valid_prefix()));
      CHECK(again.status == ReadStatus::kOk);
    }
  }
  CHECK(statuses[0] > 0);
  CHECK(statuses[1] > 0);
  CHECK(statuses[2] > 0);
}

}  // namespace
}  // namespace baozi::aof
