// DUMP/RESTORE, DEBUG DIGEST/DIGEST-VALUE, SAVE/BGSAVE/LASTSAVE replies and INFO persistence
// through the real dispatcher. Payloads and digests were taken from redis-server 7.0.15 holding
// the same data, so equality here means byte-for-byte compatibility with it.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <random>
#include <string>

#include "persistence/rdb.h"
#include "server/sha1.h"
#include "tests/command/harness.h"

using baozi::testing::CommandHarness;
using namespace std::chrono_literals;

namespace {

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// The dataset Redis digested for the constants below.
void Fill(CommandHarness& h) {
  REQUIRE(h.Run({"SET", "s", "hello"}) == "OK");
  REQUIRE(h.Run({"SET", "n", "42"}) == "OK");
  REQUIRE(h.Run({"RPUSH", "l", "a", "b", "1"}) == "3");
  REQUIRE(h.Run({"HSET", "h", "f", "v", "n", "7"}) == "2");
  REQUIRE(h.Run({"ZADD", "z", "1.5", "a", "2", "b", "-0.25", "c"}) == "3");
  REQUIRE(h.Run({"SADD", "st", "x", "1"}) == "2");
  REQUIRE(h.Run({"SADD", "si", "3", "1", "2"}) == "3");
  REQUIRE(h.Run({"SET", "t", "v", "EX", "1000"}) == "OK");
  REQUIRE(h.Run({"SELECT", "2"}) == "OK");
  REQUIRE(h.Run({"SET", "s", "hello"}) == "OK");
  REQUIRE(h.Run({"SELECT", "0"}) == "OK");
}

// redis-server 7.0.15: DUMP of each key of Fill().
const std::pair<const char*, const char*> kRedisDumps[] = {
    {"s", "000568656c6c6f0a006372df766534200a"},
    {"n", "00c02a0a0081fb5cfa86634f50"},
    {"l", "1201020f0f00000003008161028162020101ff0a00e01bab4a47ce5922"},
    {"h", "1012120000000400816602817602816e020701ff0a00b82adea8407ffaa8"},
    {"z", "111e1e0000000600816302852d302e32350681610283312e35048162020201ff0a00a607a69d3195514d"},
    {"st", "0202c00101780a002d1a8a175e6e4bd2"},
    {"si", "0b0e02000000030000000100020003000a00a5025ce26d6e4d1b"},
};

// `body` (type byte and object) with the version-10 footer and a valid CRC-64, as DUMP ends it.
std::string WithFooter(std::string body) {
  body += '\x0a';
  body += '\x00';
  uint64_t crc = baozi::rdb::Crc64(0, body.data(), body.size());
  for (int i = 0; i < 8; ++i) body.push_back(static_cast<char>(crc >> (8 * i)));
  return body;
}

}  // namespace

TEST_CASE("SHA-1 matches the FIPS test vectors", "[persistence][sha1]") {
  using baozi::Sha1;
  CHECK(Sha1::Hex(Sha1::Of("abc")) == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(Sha1::Hex(Sha1::Of("")) == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  CHECK(Sha1::Hex(Sha1::Of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  // Split updates give the same result as one.
  std::string million(1000000, 'a');
  Sha1 h;
  for (size_t i = 0; i < million.size(); i += 997) {
    h.Update(million.data() + i, std::min<size_t>(997, million.size() - i));
  }
  CHECK(Sha1::Hex(h.Final()) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST_CASE("DEBUG DIGEST and DIGEST-VALUE equal redis-server's", "[persistence][digest]") {
  CommandHarness h("enable-debug-command yes\n");
  CHECK(h.Run({"DEBUG", "DIGEST"}) == "0000000000000000000000000000000000000000");
  Fill(h);
  CHECK(h.Run({"DEBUG", "DIGEST"}) == "76bd594405b4e799628f0c671b3808bc626534e4");
  CHECK(h.Run({"DEBUG", "DIGEST-VALUE", "s", "n", "l", "h", "z", "st", "si", "t", "nope"}) ==
        "[36b23a1456b2dce2c3ed252c456761301dba8060, 547a004a370bc71c2d611f010c52f2e7b64c77a4, "
        "981fd62c1655c074205cff40b800bd5a5bfdcd41, 4f27ca621cb2752866d01527a40541bd50df9e80, "
        "f1e551bd37f1d16db2c2868ff500c6fa5fc88e07, 96257d5cc29f1c46ff96a88360b5c99de66ae13f, "
        "2a462a3f51a1db89738ebbeef0c47ce1bbc85246, 311b17018163335616e089f6b951c82c477335ac, "
        "0000000000000000000000000000000000000000]");
  CHECK(h.Run({"DEBUG", "DIGEST-VALUE"}) == "[]");
  CHECK(h.raw() == "*0\r\n");
  // Status replies, as Redis sends them.
  h.Run({"DEBUG", "DIGEST"});
  CHECK(h.raw() == "+76bd594405b4e799628f0c671b3808bc626534e4\r\n");
  // Encodings do not matter: the same content converted to big encodings digests the same.
  CommandHarness big(
      "enable-debug-command yes\nhash-max-listpack-entries 0\nzset-max-listpack-entries 0\n"
      "set-max-intset-entries 0\nlist-max-listpack-size 1\n");
  Fill(big);
  CHECK(big.Run({"DEBUG", "DIGEST"}) == "76bd594405b4e799628f0c671b3808bc626534e4");
  CHECK(big.Run({"DEBUG", "DIGEST", "extra"}) ==
        "(error) ERR unknown subcommand or wrong number of arguments for 'DIGEST'. Try DEBUG "
        "HELP.");
}

TEST_CASE("DEBUG needs enable-debug-command", "[persistence][digest]") {
  CommandHarness h;
  CHECK(h.Run({"DEBUG", "DIGEST"}).rfind("(error) ERR DEBUG command not allowed.", 0) == 0);
}

TEST_CASE("DUMP writes Redis's payloads and RESTORE reads them", "[persistence][dump]") {
  CommandHarness h;
  Fill(h);
  for (auto [key, hex] : kRedisDumps) {
    INFO(key);
    auto v = h.RunValue({"DUMP", key});
    // A hashtable set is written in table order, which depends on the hash seed (in Redis too).
    if (std::string_view(key) == "st") {
      CHECK(v.str.size() == Unhex(hex).size());
    } else {
      CHECK(v.str == Unhex(hex));
    }
  }
  CHECK(h.Run({"DUMP", "nope"}) == "nil");
  // Each Redis payload restores to a value whose DUMP is the same payload.
  for (auto [key, hex] : kRedisDumps) {
    INFO(key);
    std::string payload = Unhex(hex);
    std::string copy = std::string(key) + "_copy";
    CHECK(h.Run({"RESTORE", copy, "0", payload}) == "OK");
    if (std::string_view(key) != "st") CHECK(h.RunValue({"DUMP", copy}).str == payload);
    CHECK(h.Run({"TYPE", copy}) == h.Run({"TYPE", key}));
  }
  CHECK(h.Run({"LRANGE", "l_copy", "0", "-1"}) == "[\"a\", \"b\", \"1\"]");
  CHECK(h.Run({"OBJECT", "ENCODING", "si_copy"}) == "\"intset\"");
  CHECK(h.Run({"SISMEMBER", "st_copy", "x"}) == "1");
  CHECK(h.Run({"SISMEMBER", "st_copy", "1"}) == "1");
  CHECK(h.Run({"SCARD", "st_copy"}) == "2");
  CHECK(h.Run({"OBJECT", "ENCODING", "z_copy"}) == "\"listpack\"");
}

TEST_CASE("RESTORE errors and their order", "[persistence][restore]") {
  CommandHarness h;
  const std::string good = Unhex(kRedisDumps[0].second);
  REQUIRE(h.Run({"SET", "s", "x"}) == "OK");
  CHECK(h.Run({"RESTORE", "s", "0", "x"}) == "(error) BUSYKEY Target key name already exists.");
  CHECK(h.Run({"RESTORE", "new", "-1", "x"}) == "(error) ERR Invalid TTL value, must be >= 0");
  CHECK(h.Run({"RESTORE", "new", "abc", "x"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"RESTORE", "s", "abc", "x", "REPLACE"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"RESTORE", "new", "0", "xxxxxxxxxxxxxxxxx"}) ==
        "(error) ERR DUMP payload version or checksum are wrong");
  CHECK(h.Run({"RESTORE", "new", "0", "x"}) ==
        "(error) ERR DUMP payload version or checksum are wrong");
  CHECK(h.Run({"RESTORE", "s", "0", "x", "IDLETIME", "1", "FREQ", "2"}) ==
        "(error) ERR syntax error");
  CHECK(h.Run({"RESTORE", "s", "0", "x", "FREQ", "2", "IDLETIME", "1"}) ==
        "(error) ERR syntax error");
  CHECK(h.Run({"RESTORE", "new", "0", "x", "IDLETIME", "-1"}) ==
        "(error) ERR Invalid IDLETIME value, must be >= 0");
  CHECK(h.Run({"RESTORE", "new", "0", "x", "FREQ", "256"}) ==
        "(error) ERR Invalid FREQ value, must be >= 0 and <= 255");
  CHECK(h.Run({"RESTORE", "new", "0", "x", "IDLETIME"}) == "(error) ERR syntax error");
  CHECK(h.Run({"RESTORE", "new", "0", "x", "IDLETIME", "abc"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"RESTORE", "new", "0", "x", "foo"}) == "(error) ERR syntax error");
  CHECK(h.Run({"RESTORE", "new"}) == "(error) ERR wrong number of arguments for 'restore' command");
  // A changed byte breaks the checksum ...
  std::string bad = good;
  bad[1] = '\x3f';  // string length 63 > the bytes present
  CHECK(h.Run({"RESTORE", "new", "0", bad}) ==
        "(error) ERR DUMP payload version or checksum are wrong");
  // ... and with the checksum made valid again the object itself is refused.
  CHECK(h.Run({"RESTORE", "new", "0", WithFooter(bad.substr(0, bad.size() - 10))}) ==
        "(error) ERR Bad data format");
  // A newer RDB version than 10 is refused like a bad checksum.
  std::string v11 = good.substr(0, good.size() - 10);
  v11 += '\x0b';
  v11 += '\x00';
  uint64_t crc = baozi::rdb::Crc64(0, v11.data(), v11.size());
  for (int i = 0; i < 8; ++i) v11.push_back(static_cast<char>(crc >> (8 * i)));
  CHECK(h.Run({"RESTORE", "new", "0", v11}) ==
        "(error) ERR DUMP payload version or checksum are wrong");
  CHECK(h.Run({"EXISTS", "new"}) == "0");
}

TEST_CASE("RESTORE TTLs, REPLACE, ABSTTL, IDLETIME, FREQ", "[persistence][restore]") {
  CommandHarness h;
  const std::string hello = Unhex(kRedisDumps[0].second);
  CHECK(h.Run({"RESTORE", "k", "5000", hello}) == "OK");
  CHECK(h.Run({"PTTL", "k"}) == "5000");
  CHECK(h.Run({"GET", "k"}) == "\"hello\"");
  CHECK(h.Run({"RESTORE", "k", "0", hello, "REPLACE"}) == "OK");
  CHECK(h.Run({"TTL", "k"}) == "-1");
  const int64_t now = h.server().clock().NowMs();
  CHECK(h.Run({"RESTORE", "a", std::to_string(now + 3000), hello, "ABSTTL"}) == "OK");
  CHECK(h.Run({"PTTL", "a"}) == "3000");
  // An absolute deadline in the past: OK, and nothing is created.
  CHECK(h.Run({"RESTORE", "gone", "1", hello, "ABSTTL"}) == "OK");
  CHECK(h.Run({"EXISTS", "gone"}) == "0");
  // ... and with REPLACE an existing key is deleted.
  CHECK(h.Run({"RESTORE", "k", "1", hello, "ABSTTL", "REPLACE"}) == "OK");
  CHECK(h.Run({"EXISTS", "k"}) == "0");
  CHECK(h.Run({"RESTORE", "i", "0", hello, "IDLETIME", "1000"}) == "OK");
  CHECK(h.Run({"OBJECT", "IDLETIME", "i"}) == "1000");
  CommandHarness lfu("maxmemory-policy allkeys-lfu\n");
  CHECK(lfu.Run({"RESTORE", "f", "0", hello, "FREQ", "100"}) == "OK");
  CHECK(lfu.Run({"OBJECT", "FREQ", "f"}) == "100");
}

TEST_CASE("RESTORE counts one change, signals WATCH and publishes restore",
          "[persistence][restore]") {
  CommandHarness h("notify-keyspace-events KEA\n");
  const std::string hello = Unhex(kRedisDumps[0].second);
  h.Run({"SUBSCRIBE", "__keyevent@0__:restore", "__keyevent@0__:del"}, "sub");
  h.Run({"WATCH", "k"}, "w");
  auto dirty = [&] {
    std::string info = h.RunValue({"INFO", "persistence"}).str;
    auto p = info.find("rdb_changes_since_last_save:");
    return std::stoll(info.substr(p + 28));
  };
  int64_t before = dirty();
  CHECK(h.Run({"RESTORE", "k", "0", hello}) == "OK");
  CHECK(dirty() == before + 1);
  CHECK(h.Run({"RESTORE", "k", "0", hello, "REPLACE"}) == "OK");
  CHECK(dirty() == before + 2);
  CHECK(h.Run({"RESTORE", "k", "1", hello, "REPLACE", "ABSTTL"}) == "OK");
  CHECK(dirty() == before + 3);
  std::string pushed;
  for (const std::string& f : h.TakeFrames("sub")) pushed += f;
  CHECK(pushed.find("restore") != std::string::npos);
  CHECK(pushed.find("__keyevent@0__:del") != std::string::npos);
  h.Run({"MULTI"}, "w");
  h.Run({"PING"}, "w");
  CHECK(h.Run({"EXEC"}, "w") == "nil-array");
}

TEST_CASE("corrupt payloads with a valid footer never crash", "[persistence][restore][fuzz]") {
  CommandHarness h;
  Fill(h);
  std::mt19937_64 rng(12345);
  for (auto [key, hex] : kRedisDumps) {
    const std::string payload = Unhex(hex);
    for (int round = 0; round < 300; ++round) {
      // Mutate the body, then let DUMP's own CRC make the footer valid: RESTORE then runs the
      // object decoder on garbage instead of stopping at the checksum.
      std::string body = payload.substr(0, payload.size() - 10);
      int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f) {
        body[rng() % body.size()] = static_cast<char>(rng());
      }
      if (rng() % 5 == 0) body.resize(rng() % body.size() + 1);
      std::string reply = h.Run({"RESTORE", "fuzz", "0", WithFooter(body), "REPLACE"});
      CHECK((reply == "OK" || reply.rfind("(error) ERR", 0) == 0));
      h.Run({"DEL", "fuzz"});
    }
  }
  CHECK(h.Run({"DBSIZE"}) == "8");
}

TEST_CASE("SAVE, BGSAVE argument errors and LASTSAVE", "[persistence][save]") {
  auto dir = std::filesystem::temp_directory_path() /
             ("baozi-persistence-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  // `dir` chdirs the process, as in Redis; the other tests expect the old cwd back.
  const auto cwd = std::filesystem::current_path();
  CommandHarness h("dir " + dir.string() + "\nsave \"\"\n");
  CHECK(h.Run({"SAVE", "x"}) == "(error) ERR wrong number of arguments for 'save' command");
  CHECK(h.Run({"BGSAVE", "x"}) == "(error) ERR syntax error");
  CHECK(h.Run({"BGSAVE", "schedule", "x"}) == "(error) ERR syntax error");
  h.Run({"SET", "k", "v"});
  h.AdvanceTime(5s);
  CHECK(h.Run({"SAVE"}) == "OK");
  CHECK(std::filesystem::exists(dir / "dump.rdb"));
  CHECK(h.Run({"LASTSAVE"}) == std::to_string(h.server().clock().NowMs() / 1000));
  std::string info = h.RunValue({"INFO", "persistence"}).str;
  CHECK(info.find("rdb_changes_since_last_save:0\r\n") != std::string::npos);
  CHECK(info.find("rdb_saves:1\r\n") != std::string::npos);
  CHECK(info.find("rdb_last_bgsave_status:ok\r\n") != std::string::npos);
  // SAVE inside MULTI is refused; BGSAVE inside it is scheduled.
  CHECK(h.Run({"MULTI"}) == "OK");
  CHECK(h.Run({"SAVE"}) == "(error) ERR Command not allowed inside a transaction");
  CHECK(h.Run({"DISCARD"}) == "OK");
  CHECK(h.Run({"MULTI"}) == "OK");
  CHECK(h.Run({"BGSAVE"}) == "QUEUED");
  CHECK(h.Run({"EXEC"}) == "[Background saving scheduled]");
  std::filesystem::current_path(cwd);
  std::filesystem::remove_all(dir);
}

TEST_CASE("INFO persistence lists Redis 7.0's fields in order", "[persistence][info]") {
  CommandHarness h;
  std::string info = h.RunValue({"INFO", "persistence"}).str;
  const char* fields[] = {"loading",
                          "async_loading",
                          "current_cow_peak",
                          "current_cow_size",
                          "current_cow_size_age",
                          "current_fork_perc",
                          "current_save_keys_processed",
                          "current_save_keys_total",
                          "rdb_changes_since_last_save",
                          "rdb_bgsave_in_progress",
                          "rdb_last_save_time",
                          "rdb_last_bgsave_status",
                          "rdb_last_bgsave_time_sec",
                          "rdb_current_bgsave_time_sec",
                          "rdb_saves",
                          "rdb_last_cow_size",
                          "rdb_last_load_keys_expired",
                          "rdb_last_load_keys_loaded",
                          "aof_enabled",
                          "aof_rewrite_in_progress",
                          "aof_rewrite_scheduled",
                          "aof_last_rewrite_time_sec",
                          "aof_current_rewrite_time_sec",
                          "aof_last_bgrewrite_status",
                          "aof_rewrites",
                          "aof_rewrites_consecutive_failures",
                          "aof_last_write_status",
                          "aof_last_cow_size",
                          "module_fork_in_progress",
                          "module_fork_last_cow_size"};
  size_t pos = 0;
  for (const char* f : fields) {
    INFO(f);
    size_t p = info.find(std::string("\r\n") + f + ":", pos);
    REQUIRE(p != std::string::npos);
    pos = p + 1;
  }
  std::string stats = h.RunValue({"INFO", "stats"}).str;
  CHECK(stats.find("latest_fork_usec:0\r\ntotal_forks:0\r\n") != std::string::npos);
}
