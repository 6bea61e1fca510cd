// Dispatcher checks, connection and server commands through the real dispatcher.
#include <catch2/catch.hpp>

#include "tests/command/harness.h"

using baozi::testing::CommandHarness;
using namespace std::chrono_literals;

TEST_CASE("dispatcher rejects unknown commands and bad arity like Redis 7", "[dispatch]") {
  CommandHarness h;
  CHECK(h.Run({"FOO", "a", "b"}) ==
        "(error) ERR unknown command 'FOO', with args beginning with: 'a' 'b' ");
  CHECK(h.Run({"FOO"}) == "(error) ERR unknown command 'FOO', with args beginning with: ");
  CHECK(h.Run({"GET"}) == "(error) ERR wrong number of arguments for 'get' command");
  CHECK(h.Run({"CONFIG"}) == "(error) ERR wrong number of arguments for 'config' command");
  CHECK(h.Run({"CONFIG", "GET"}) ==
        "(error) ERR wrong number of arguments for 'config|get' command");
  CHECK(h.Run({"CONFIG", "nope"}) == "(error) ERR unknown subcommand 'nope'. Try CONFIG HELP.");
  CHECK(h.Run({"gEt", "k"}) == "nil");
  std::string long_arg(200, 'x');
  std::string reply = h.Run({"NOPE", long_arg});
  CHECK(reply == "(error) ERR unknown command 'NOPE', with args beginning with: '" +
                     std::string(128, 'x') + "' ");
  CHECK(h.Run({"INFO", "errorstats"}).find("errorstat_ERR:count=") != std::string::npos);
}

TEST_CASE("AUTH and requirepass", "[auth]") {
  CommandHarness h("requirepass secret\n");
  CHECK(h.Run({"GET", "k"}) == "(error) NOAUTH Authentication required.");
  CHECK(h.Run({"AUTH", "wrong"}) ==
        "(error) WRONGPASS invalid username-password pair or user is disabled.");
  CHECK(h.Run({"AUTH", "a", "b", "c"}) == "(error) ERR syntax error");
  CHECK(h.Run({"HELLO", "3"}).rfind("(error) NOAUTH HELLO must be called", 0) == 0);
  CHECK(h.Run({"AUTH", "secret"}) == "OK");
  CHECK(h.Run({"GET", "k"}) == "nil");
  CHECK(h.Run({"AUTH", "default", "secret"}, "b") == "OK");
  CHECK(
      h.Run({"HELLO", "2", "AUTH", "default", "secret"}, "c").rfind("[\"server\", \"redis\"", 0) ==
      0);
  CHECK(h.Run({"RESET"}) == "RESET");
  CHECK(h.Run({"GET", "k"}) == "(error) NOAUTH Authentication required.");

  CommandHarness open;
  CHECK(open.Run({"AUTH", "x"}) ==
        "(error) ERR AUTH <password> called without any password configured for the default "
        "user. Are you sure your configuration is correct?");
  CHECK(open.Run({"AUTH", "default", "anything"}) == "OK");
  CHECK(open.Run({"AUTH", "bob", "anything"}) ==
        "(error) WRONGPASS invalid username-password pair or user is disabled.");
}

TEST_CASE("HELLO switches protocol and replies with Redis's map", "[hello]") {
  CommandHarness h;
  auto v = h.RunValue({"HELLO", "3", "SETNAME", "me"});
  REQUIRE(v.type == baozi::protocol::RespValue::kMap);
  REQUIRE(v.elems.size() == 14);
  CHECK(v.elems[0].str == "server");
  CHECK(v.elems[3].str == "7.2.4");
  CHECK(v.elems[5].integer == 3);
  CHECK(h.raw().rfind("%7\r\n", 0) == 0);
  CHECK(h.Run({"CLIENT", "GETNAME"}) == "\"me\"");
  CHECK(h.Run({"GET", "missing"}) == "nil");
  CHECK(h.raw() == "_\r\n");
  CHECK(h.Run({"HELLO", "4"}) == "(error) NOPROTO unsupported protocol version");
  CHECK(h.Run({"HELLO", "x"}) == "(error) ERR Protocol version is not an integer or out of range");
  CHECK(h.Run({"HELLO", "3", "FOO"}) == "(error) ERR Syntax error in HELLO option 'FOO'");
  h.Run({"HELLO", "2"});
  h.Run({"GET", "missing"});
  CHECK(h.raw() == "$-1\r\n");
}

TEST_CASE("PING, ECHO, QUIT, TIME", "[connection]") {
  CommandHarness h;
  CHECK(h.Run({"PING"}) == "PONG");
  CHECK(h.Run({"PING", "hi"}) == "\"hi\"");
  CHECK(h.Run({"PING", "a", "b"}) == "(error) ERR wrong number of arguments for 'ping' command");
  CHECK(h.Run({"ECHO", "x"}) == "\"x\"");
  CHECK(h.RunValue({"TIME"}).elems.size() == 2);
  CHECK(h.Run({"QUIT"}) == "OK");
  CHECK(h.client().Has(baozi::kClientCloseAfterReply));
}

TEST_CASE("CLIENT subcommands", "[client]") {
  CommandHarness h;
  CHECK(h.Run({"CLIENT", "SETNAME", "has space"}) ==
        "(error) ERR Client names cannot contain spaces, newlines or special characters.");
  CHECK(h.Run({"CLIENT", "SETNAME", "worker-1"}) == "OK");
  CHECK(h.Run({"CLIENT", "SETINFO", "LIB-NAME", "redis-py"}) == "OK");
  CHECK(h.Run({"CLIENT", "SETINFO", "FOO", "x"}) == "(error) ERR Unrecognized option 'FOO'");
  std::string info = h.RunValue({"CLIENT", "INFO"}).str;
  CHECK(info.rfind("id=", 0) == 0);
  CHECK(info.find(" name=worker-1 ") != std::string::npos);
  CHECK(info.find(" lib-name=redis-py ") != std::string::npos);
  CHECK(info.back() == '\n');
  // Every token of a CLIENT LIST line is k=v (redis-py parse_client_list splits on '=').
  std::string list = h.RunValue({"CLIENT", "LIST"}).str;
  size_t start = 0;
  while (start < list.size()) {
    size_t end = list.find_first_of(" \n", start);
    std::string tok = list.substr(start, end - start);
    CHECK(tok.find('=') != std::string::npos);
    start = end + 1;
  }
  CHECK(h.Run({"CLIENT", "ID"}) == std::to_string(h.client().id()));
  CHECK(h.Run({"CLIENT", "LIST", "TYPE", "bogus"}) == "(error) ERR Unknown client type 'bogus'");
  CHECK(h.Run({"CLIENT", "KILL", "1.2.3.4:5"}) == "(error) ERR No such client");
  h.client("victim");
  CHECK(h.Run({"CLIENT", "KILL", "ID", std::to_string(h.client("victim").id())}) == "1");
  CHECK(h.client("victim").Has(baozi::kClientCloseAsap));
  CHECK(h.Run({"CLIENT", "REPLY", "OFF"}) == "");
  CHECK(h.Run({"PING"}) == "");
  CHECK(h.Run({"CLIENT", "REPLY", "ON"}) == "OK");
  CHECK(h.Run({"CLIENT", "REPLY", "SKIP"}) == "");
  CHECK(h.Run({"PING"}) == "");
  CHECK(h.Run({"PING"}) == "PONG");
  CHECK(h.Run({"CLIENT", "NO-EVICT", "maybe"}) == "(error) ERR syntax error");
  CHECK(h.Run({"CLIENT", "NO-TOUCH", "on"}) == "OK");
}

TEST_CASE("CLIENT PAUSE holds writes until the deadline", "[client]") {
  CommandHarness h;
  CHECK(h.Run({"CLIENT", "PAUSE", "100", "WRITE"}) == "OK");
  CHECK(h.Run({"GET", "k"}, "other") == "nil");
  CHECK(h.Run({"SET", "k", "v"}, "other") == "");
  CHECK(h.client("other").Has(baozi::kClientPaused));
  h.AdvanceTime(150ms);
  CHECK_FALSE(h.client("other").Has(baozi::kClientPaused));
  CHECK(h.Run({"CLIENT", "PAUSE", "-1"}) == "(error) ERR timeout is negative");
}

TEST_CASE("CONFIG GET and SET", "[config]") {
  CommandHarness h;
  CHECK(h.Run({"CONFIG", "GET", "maxmemory"}) == "[\"maxmemory\", \"0\"]");
  CHECK(h.Run({"CONFIG", "SET", "maxmemory", "1mb"}) == "OK");
  CHECK(h.Run({"CONFIG", "GET", "maxmemory"}) == "[\"maxmemory\", \"1048576\"]");
  CHECK(h.Run({"CONFIG", "GET", "nonexistent"}) == "[]");
  CHECK(h.Run({"CONFIG", "SET", "maxmemory"}) ==
        "(error) ERR wrong number of arguments for 'config|set' command");
  CHECK(h.RunValue({"CONFIG", "GET", "*"}).elems.size() > 40);
  CHECK(h.Run({"CONFIG", "RESETSTAT"}) == "OK");
}

TEST_CASE("INFO has Redis's sections and fields", "[info]") {
  CommandHarness h;
  h.Run({"SET", "k", "v", "EX", "100"});
  h.Run({"GET", "k"});
  h.Run({"GET", "nope"});
  std::string info = h.RunValue({"INFO"}).str;
  for (const char* field : {"# Server\r\n",
                            "redis_version:7.2.4\r\n",
                            "redis_mode:standalone\r\n",
                            "run_id:",
                            "tcp_port:6379\r\n",
                            "uptime_in_seconds:",
                            "# Clients\r\n",
                            "connected_clients:",
                            "# Memory\r\n",
                            "used_memory:",
                            "used_memory_human:",
                            "maxmemory:0\r\n",
                            "maxmemory_policy:noeviction\r\n",
                            "loading:0\r\n",
                            "role:master\r\n",
                            "connected_slaves:0\r\n",
                            "total_commands_processed:",
                            "instantaneous_ops_per_sec:",
                            "keyspace_hits:1\r\n",
                            "keyspace_misses:1\r\n",
                            "expired_keys:0\r\n",
                            "evicted_keys:0\r\n",
                            "rdb_last_save_time:",
                            "cluster_enabled:0\r\n",
                            "db0:keys=1,expires=1,avg_ttl="}) {
    INFO(field);
    CHECK(info.find(field) != std::string::npos);
  }
  CHECK(h.RunValue({"INFO", "keyspace"}).str.rfind("# Keyspace\r\n", 0) == 0);
  CHECK(h.RunValue({"INFO", "commandstats"}).str.find("cmdstat_get:calls=2,") != std::string::npos);
  CHECK(h.RunValue({"INFO", "bogus"}).str.empty());
}

TEST_CASE("SLOWLOG records slow commands", "[slowlog]") {
  CommandHarness h("slowlog-log-slower-than 0\n");
  h.Run({"SET", "k", "v"});
  CHECK(h.Run({"SLOWLOG", "LEN"}) == "1");
  // SLOWLOG itself is logged too, as in Redis: newest first.
  auto v = h.RunValue({"SLOWLOG", "GET", "2"});
  REQUIRE(v.elems.size() == 2);
  CHECK(v.elems[1].elems.size() == 6);
  CHECK(v.elems[0].elems[3].DebugString() == "[\"SLOWLOG\", \"LEN\"]");
  CHECK(v.elems[1].elems[3].DebugString() == "[\"SET\", \"k\", \"v\"]");
  CHECK(v.elems[1].elems[4].str == h.client().addr);
  CHECK(h.Run({"SLOWLOG", "RESET"}) == "OK");
  CHECK(h.Run({"SLOWLOG", "GET", "-2"}) ==
        "(error) ERR count should be greater than or equal to -1");
}

TEST_CASE("COMMAND reflects the registry", "[command]") {
  CommandHarness h;
  auto count = h.RunValue({"COMMAND", "COUNT"}).integer;
  CHECK(count == static_cast<int64_t>(h.server().registry().all().size()));
  auto info = h.RunValue({"COMMAND", "INFO", "get", "nosuch"});
  REQUIRE(info.elems.size() == 2);
  CHECK(info.elems[0].elems[0].str == "get");
  CHECK(info.elems[0].elems[1].integer == 2);
  CHECK(info.elems[1].type == baozi::protocol::RespValue::kNull);  // $-1, as 7.0 sends
  CHECK(h.Run({"COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"}) == "[\"a\", \"b\"]");
  CHECK(h.Run({"COMMAND", "GETKEYS", "PING", "x"}) ==
        "(error) ERR The command has no key arguments");
  CHECK(h.Run({"COMMAND", "GETKEYS", "nosuch", "x"}) == "(error) ERR Invalid command specified");
  auto docs = h.RunValue({"COMMAND", "DOCS", "set"});
  REQUIRE(docs.elems.size() == 2);
  CHECK(docs.elems[0].str == "set");
  CHECK(h.RunValue({"COMMAND", "LIST"}).elems.size() > static_cast<size_t>(count));
}

// Keys of movable-key commands, from their key specs or, where those cannot be followed, their
// own key finder; every expected reply is redis-server 7.0.15's.
TEST_CASE("COMMAND GETKEYS follows key specs and key finders as Redis 7.0", "[command]") {
  CommandHarness h;
  CHECK(h.Run({"COMMAND", "GETKEYS", "zunionstore", "d", "1", "a"}) == "[\"d\", \"a\"]");
  CHECK(h.Run({"COMMAND", "GETKEYS", "zunionstore", "d", "0", "a"}) ==
        "(error) ERR Invalid arguments specified for command");
  CHECK(h.Run({"COMMAND", "GETKEYS", "zunionstore", "d", "2", "a"}) ==
        "(error) ERR Invalid arguments specified for command");
  CHECK(h.Run({"COMMAND", "GETKEYS", "zunionstore", "d", "1", "a", "b"}) == "[\"d\", \"a\"]");
  CHECK(h.Run({"COMMAND", "GETKEYS", "zunion", "0", "a"}) ==
        "(error) ERR Invalid arguments specified for command");
  CHECK(h.Run({"COMMAND", "GETKEYS", "zunion", "1", "a", "x"}) == "[\"a\"]");
  CHECK(h.Run({"COMMAND", "GETKEYS", "lmpop", "0", "a", "left"}) ==
        "(error) ERR Invalid arguments specified for command");
  CHECK(h.Run({"COMMAND", "GETKEYS", "eval", "x", "0", "a"}) == "[]");
  CHECK(h.Run({"COMMAND", "GETKEYS", "eval", "x", "2", "a"}) == "[]");
  CHECK(h.Run({"COMMAND", "GETKEYS", "fcall", "f", "2", "a"}) == "[]");
  CHECK(h.Run({"COMMAND", "GETKEYS", "zinterstore", "d", "1abc", "a"}) == "[\"a\", \"d\"]");
  CHECK(h.Run({"COMMAND", "GETKEYS", "sort", "k", "store", "d"}) == "[\"k\", \"d\"]");
  CHECK(h.Run({"COMMAND", "GETKEYS", "sort", "k", "by", "w", "get", "x", "limit", "0", "1", "store",
               "e"}) == "[\"k\", \"e\"]");
  CHECK(h.Run({"COMMAND", "GETKEYS", "zunionstore", "d", "2", "a", "b", "weights", "1", "2"}) ==
        "[\"d\", \"a\", \"b\"]");
  CHECK(h.Run({"COMMAND", "GETKEYS", "eval", "x", "1abc", "a"}) == "[\"a\"]");
  CHECK(h.Run({"COMMAND", "GETKEYS", "fcall", "f", "1", "a", "b"}) == "[\"a\"]");
  CHECK(h.Run({"COMMAND", "GETKEYS", "sintercard", "2", "a", "b", "limit", "1"}) ==
        "[\"a\", \"b\"]");
  CHECK(h.Run({"COMMAND", "GETKEYS", "zunionstore", "d", "0"}) ==
        "(error) ERR Invalid number of arguments specified for command");
  CHECK(h.Run({"COMMAND", "GETKEYS", "blmpop", "0", "2", "a", "b", "left"}) == "[\"a\", \"b\"]");
  CHECK(h.Run({"COMMAND", "GETKEYS", "object", "encoding", "k"}) == "[\"k\"]");
  CHECK(h.Run({"COMMAND", "GETKEYS", "memory", "usage", "k"}) == "[\"k\"]");
  CHECK(h.Run({"COMMAND", "GETKEYS", "copy", "a", "b", "db", "2"}) == "[\"a\", \"b\"]");
  CHECK(h.Run({"COMMAND", "GETKEYS", "sort_ro", "k", "by", "x"}) == "[\"k\"]");
  CHECK(h.Run({"COMMAND", "GETKEYS", "bitop", "and", "d", "a", "b"}) == "[\"d\", \"a\", \"b\"]");
  CHECK(h.Run({"COMMAND", "GETKEYS", "bzmpop", "1", "1", "a", "min"}) == "[\"a\"]");
  CHECK(h.Run({"COMMAND", "GETKEYS", "rename", "a", "b"}) == "[\"a\", \"b\"]");
}

TEST_CASE("DEBUG is gated by enable-debug-command", "[debug]") {
  CommandHarness closed;
  CHECK(closed.Run({"DEBUG", "SLEEP", "0"}).rfind("(error) ERR DEBUG command not allowed.", 0) ==
        0);
  CommandHarness h("enable-debug-command local\n");
  CHECK(h.Run({"DEBUG", "SLEEP", "0"}) == "OK");
  h.Run({"SET", "k", "hello"});
  CHECK(h.Run({"DEBUG", "OBJECT", "k"}).find("encoding:embstr serializedlength:6") !=
        std::string::npos);
  CHECK(h.Run({"DEBUG", "SET-ACTIVE-EXPIRE", "0"}) == "OK");
  CHECK(h.Run({"CLUSTER", "INFO"}) == "(error) ERR This instance has cluster support disabled");
}

TEST_CASE("MONITOR sees other clients' commands", "[monitor]") {
  CommandHarness h;
  CHECK(h.Run({"MONITOR"}, "mon") == "OK");
  h.Run({"SET", "k", "v\n"});
  std::string out = h.client("mon").out();
  CHECK(out.find("[0 127.0.0.1:") != std::string::npos);
  CHECK(out.find("\"SET\" \"k\" \"v\\n\"") != std::string::npos);
}

TEST_CASE("maxmemory refuses memory-growing commands once exceeded", "[oom]") {
  CommandHarness h;
  h.Run({"SET", "k", "v"});
  CHECK(h.Run({"CONFIG", "SET", "maxmemory", "1"}) == "OK");
  CHECK(h.Run({"SET", "k2", "v"}) ==
        "(error) OOM command not allowed when used memory > 'maxmemory'.");
  CHECK(h.Run({"GET", "k"}) == "\"v\"");
  CHECK(h.Run({"DEL", "k"}) == "1");
  CHECK(h.Run({"INFO", "errorstats"}).find("errorstat_OOM:count=1") != std::string::npos);
  CHECK(h.Run({"CONFIG", "SET", "maxmemory", "0"}) == "OK");
  CHECK(h.Run({"SET", "k2", "v"}) == "OK");
}

TEST_CASE("ROLE answers as a standalone Redis 7.0 master", "[command]") {
  CommandHarness h;
  CHECK(h.Run({"ROLE"}) == "[\"master\", 0, []]");
  CHECK(h.Run({"ROLE", "x"}) == "(error) ERR wrong number of arguments for 'role' command");
}
