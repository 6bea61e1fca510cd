// CLIENT LIST / CLIENT INFO fields that follow a client's state (subscriptions, MULTI, flags,
// output memory), CLIENT LIST/KILL TYPE, the client-output-buffer-limit parameter through
// CONFIG GET/SET, and INFO's pub/sub counts. Expected values were checked against
// redis-server 7.0.15 where Redis prints the same (multi-mem, flag order, error texts).
#include <catch2/catch.hpp>
#include <map>
#include <sstream>
#include <string>

#include "tests/command/harness.h"

namespace {

using baozi::testing::CommandHarness;

// The k=v fields of one CLIENT LIST line.
std::map<std::string, std::string> Fields(const std::string& line) {
  std::map<std::string, std::string> out;
  std::istringstream in(line);
  std::string kv;
  while (in >> kv) {
    auto eq = kv.find('=');
    REQUIRE(eq != std::string::npos);
    out[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return out;
}

// The line of client `id` in CLIENT LIST, run by `conn`.
std::map<std::string, std::string> ListFields(CommandHarness& h, uint64_t id,
                                              std::string_view conn = "admin") {
  std::string list = h.RunValue({"CLIENT", "LIST", "ID", std::to_string(id)}, conn).str;
  REQUIRE(!list.empty());
  REQUIRE(list.back() == '\n');
  return Fields(list.substr(0, list.size() - 1));
}

std::string Ids(CommandHarness& h, std::string_view type) {
  std::string list = h.RunValue({"CLIENT", "LIST", "TYPE", type}, "admin").str;
  std::istringstream in(list);
  std::string line, ids;
  while (std::getline(in, line)) {
    if (!ids.empty()) ids += ',';
    ids += Fields(line)["id"];
  }
  return ids;
}

TEST_CASE("CLIENT LIST shows subscriptions, flags P and pubsub type", "[client]") {
  CommandHarness h;
  h.Run({"SUBSCRIBE", "a", "b"}, "sub");
  h.Run({"PSUBSCRIBE", "p*"}, "sub");
  h.TakeFrames("sub");
  uint64_t sub = h.client("sub").id();
  auto f = ListFields(h, sub);
  CHECK(f["sub"] == "2");
  CHECK(f["psub"] == "1");
  CHECK(f["ssub"] == "0");
  CHECK(f["flags"] == "P");
  CHECK(f["multi"] == "-1");
  CHECK(f["omem"] == "0");
  CHECK(f["cmd"] == "psubscribe");

  // Messages it has not been sent yet count in omem (and obl), byte for byte.
  CHECK(h.Run({"PUBLISH", "a", "hello"}, "pub") == "1");
  std::string frame = "*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$5\r\nhello\r\n";
  f = ListFields(h, sub);
  CHECK(f["omem"] == std::to_string(frame.size()));
  CHECK(f["obl"] == std::to_string(frame.size()));
  CHECK(f["oll"] == "0");
  CHECK(std::stoul(f["tot-mem"]) > frame.size());
  h.TakeFrames("sub");

  h.client("pub");
  CHECK(Ids(h, "pubsub") == std::to_string(sub));
  CHECK(Ids(h, "PUBSUB") == std::to_string(sub));
  std::string normal = Ids(h, "normal");
  CHECK(normal.find(std::to_string(sub)) == std::string::npos);
  CHECK(normal.find(std::to_string(h.client("pub").id())) != std::string::npos);
  CHECK(Ids(h, "replica").empty());
  CHECK(Ids(h, "master").empty());

  // Shard channels too; unsubscribing from everything makes it a normal client again.
  h.Run({"SSUBSCRIBE", "s"}, "sub");
  CHECK(ListFields(h, sub)["ssub"] == "1");
  h.Run({"UNSUBSCRIBE"}, "sub");
  h.Run({"PUNSUBSCRIBE"}, "sub");
  CHECK(ListFields(h, sub)["flags"] == "P");
  h.Run({"SUNSUBSCRIBE"}, "sub");
  f = ListFields(h, sub);
  CHECK(f["flags"] == "N");
  CHECK((f["sub"] + f["psub"] + f["ssub"]) == "000");
  CHECK(Ids(h, "pubsub").empty());
}

TEST_CASE("CLIENT LIST shows MULTI: queued count, multi-mem and flags x, d", "[client]") {
  CommandHarness h;
  h.Run({"WATCH", "k"}, "tx");
  h.Run({"MULTI"}, "tx");
  h.Run({"SET", "a", "b"}, "tx");
  h.Run({"SET", "abc", "defgh"}, "tx");
  uint64_t tx = h.client("tx").id();
  auto f = ListFields(h, tx);
  CHECK(f["multi"] == "2");
  // (1+3+1 bytes + 3 pointers) + (3+3+5 bytes + 3 pointers), as redis-server 7.0.15 prints.
  CHECK(f["multi-mem"] == "64");
  CHECK(f["flags"] == "x");
  h.Run({"SET", "k", "1"}, "other");
  CHECK(ListFields(h, tx)["flags"] == "xd");
  h.Run({"EXEC"}, "tx");
  f = ListFields(h, tx);
  CHECK(f["multi"] == "-1");
  CHECK(f["multi-mem"] == "0");
  CHECK(f["flags"] == "N");
  // The client's own CLIENT INFO inside MULTI is queued, like any command.
  h.Run({"MULTI"}, "tx");
  CHECK(h.Run({"CLIENT", "INFO"}, "tx") == "QUEUED");
  CHECK(ListFields(h, tx)["multi-mem"] == "26");
}

TEST_CASE("CLIENT LIST flag order follows Redis", "[client]") {
  CommandHarness h;
  h.Run({"HELLO", "3"}, "c");
  h.Run({"SUBSCRIBE", "x"}, "c");
  h.Run({"MULTI"}, "c");
  h.client("c").Set(baozi::kClientCloseAfterReply);
  h.client("c").Set(baozi::kClientCloseAsap);
  h.Run({"CLIENT", "NO-EVICT", "on"}, "d");
  CHECK(ListFields(h, h.client("c").id())["flags"] == "PxcA");
  CHECK(ListFields(h, h.client("d").id())["flags"] == "e");
}

TEST_CASE("CLIENT LIST lines are not truncated by a long name", "[client]") {
  CommandHarness h;
  std::string name(3000, 'n');
  CHECK(h.Run({"CLIENT", "SETNAME", name}) == "OK");
  std::string info = h.RunValue({"CLIENT", "INFO"}).str;
  CHECK(info.find("name=" + name + " age=") != std::string::npos);
  CHECK(info.ends_with("lib-ver=\n"));
}

TEST_CASE("CLIENT KILL TYPE pubsub and normal", "[client]") {
  CommandHarness h;
  h.Run({"SUBSCRIBE", "a"}, "s1");
  h.Run({"PSUBSCRIBE", "b*"}, "s2");
  h.client("n1");
  CHECK(h.Run({"CLIENT", "KILL", "TYPE", "master"}) == "0");
  CHECK(h.Run({"CLIENT", "KILL", "TYPE", "slave"}) == "0");
  CHECK(h.Run({"CLIENT", "KILL", "TYPE", "pubsub"}) == "2");
  CHECK(h.client("s1").Has(baozi::kClientCloseAsap));
  CHECK(h.client("s2").Has(baozi::kClientCloseAsap));
  CHECK_FALSE(h.client("n1").Has(baozi::kClientCloseAsap));
  CHECK(h.Run({"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"}) == "1");
  CHECK(h.client("n1").Has(baozi::kClientCloseAsap));
  CHECK(h.Run({"CLIENT", "KILL", "TYPE", "bogus"}) == "(error) ERR Unknown client type 'bogus'");
  CHECK(h.Run({"CLIENT", "KILL", "ID", "0"}) == "(error) ERR client-id should be greater than 0");
}

TEST_CASE("CONFIG GET/SET client-output-buffer-limit", "[config]") {
  CommandHarness h;
  CHECK(h.Run({"CONFIG", "GET", "client-output-buffer-limit"}) ==
        "[\"client-output-buffer-limit\", \"normal 0 0 0 slave 268435456 67108864 60 pubsub "
        "33554432 8388608 60\"]");
  CHECK(h.Run({"CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 512kb 10"}) == "OK");
  const auto& limit = h.server().config().client_output_buffer_limit[baozi::kObufPubSub];
  CHECK(limit.hard_bytes == 1024 * 1024);
  CHECK(limit.soft_bytes == 512 * 1024);
  CHECK(limit.soft_seconds == 10);
  CHECK(h.Run({"CONFIG", "SET", "client-output-buffer-limit", "master 1 2 3"}) ==
        "(error) ERR CONFIG SET failed (possibly related to argument "
        "'client-output-buffer-limit') - Invalid client class specified in buffer limit "
        "configuration.");
  CHECK(h.Run({"CONFIG", "SET", "client-output-buffer-limit", "normal 1 2"}) ==
        "(error) ERR CONFIG SET failed (possibly related to argument "
        "'client-output-buffer-limit') - Wrong number of arguments in buffer limit "
        "configuration.");
  CHECK(h.Run({"CONFIG", "SET", "client-output-buffer-limit", "normal 1x 2 3"}) ==
        "(error) ERR CONFIG SET failed (possibly related to argument "
        "'client-output-buffer-limit') - Error in hard, soft or soft_seconds setting in buffer "
        "limit configuration.");
  CHECK(h.Run({"CONFIG", "GET", "client-output-buffer-limit"}) ==
        "[\"client-output-buffer-limit\", \"normal 0 0 0 slave 268435456 67108864 60 pubsub "
        "1048576 524288 10\"]");
}

TEST_CASE("INFO counts pub/sub channels, patterns and shard channels", "[info]") {
  CommandHarness h;
  auto field = [&](std::string_view name) {
    std::string info = h.RunValue({"INFO", "stats"}, "admin").str;
    std::string key = "\r\n" + std::string(name) + ":";
    auto at = info.find(key);
    REQUIRE(at != std::string::npos);
    at += key.size();
    return info.substr(at, info.find("\r\n", at) - at);
  };
  CHECK(field("pubsub_channels") == "0");
  h.Run({"SUBSCRIBE", "a", "b"}, "s1");
  h.Run({"SUBSCRIBE", "b", "c"}, "s2");
  h.Run({"PSUBSCRIBE", "p*", "q*"}, "s2");
  h.Run({"SSUBSCRIBE", "x"}, "s3");
  CHECK(field("pubsub_channels") == "3");
  CHECK(field("pubsub_patterns") == "2");
  CHECK(field("pubsubshard_channels") == "1");
  // Redis's order: ... keyspace_misses, pubsub_channels, pubsub_patterns, pubsubshard_channels,
  // (latest_fork_usec), total_forks.
  std::string info = h.RunValue({"INFO", "stats"}, "admin").str;
  CHECK(info.find("keyspace_misses:") < info.find("pubsub_channels:"));
  CHECK(info.find("pubsub_patterns:") < info.find("pubsubshard_channels:"));
  CHECK(info.find("pubsubshard_channels:") < info.find("total_forks:"));
  h.Disconnect("s2");
  CHECK(field("pubsub_channels") == "2");
  CHECK(field("pubsub_patterns") == "0");
}

}  // namespace
