// ConfigTable against redis-server 7.0.15: file syntax, error texts, CONFIG GET formatting,
// CONFIG SET validation and atomicity, CONFIG REWRITE output and the command line. Expected
// strings were taken from the real server (CONFIG GET/SET replies, FATAL CONFIG FILE ERROR
// reasons, and files written by its CONFIG REWRITE).
#include "server/config.h"

#include <stdlib.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace baozi {
namespace {

namespace fs = std::filesystem;

// A scratch directory, removed (and the working directory restored) at scope exit.
class TempDir {
 public:
  TempDir() : old_cwd_(fs::current_path()) {
    std::string tmpl = (fs::temp_directory_path() / "baozi_config_XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::current_path(old_cwd_, ec);
    fs::remove_all(path_, ec);
  }
  std::string File(std::string_view name) const { return (path_ / name).string(); }
  std::string Write(std::string_view name, std::string_view content) const {
    std::string p = File(name);
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path old_cwd_;
  fs::path path_;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Get1(const ConfigTable& t, std::string_view name) {
  std::string_view pats[] = {name};
  auto r = t.Get(pats);
  REQUIRE(r.size() == 1);
  return r[0].second;
}

std::expected<void, std::string> Set(ConfigTable& t, std::vector<std::string_view> args) {
  return t.Set(args);
}

std::string SetError(ConfigTable& t, std::vector<std::string_view> args) {
  auto r = t.Set(args);
  REQUIRE_FALSE(r.has_value());
  return r.error();
}

std::string LoadError(std::string_view text) {
  Config cfg;
  ConfigTable t(&cfg);
  auto r = t.LoadString(text, "test.conf");
  REQUIRE_FALSE(r.has_value());
  return r.error();
}

// The example file sits at the repository root, three levels above this test. __FILE__ is
// absolute under CMake; for a relative one, also try the working directory and its parents.
std::string ExampleConfPath() {
  fs::path p = fs::path(__FILE__).parent_path() / ".." / ".." / ".." / "redis.conf.example";
  if (fs::exists(p)) return fs::absolute(p).lexically_normal().string();
  for (fs::path d = fs::current_path(); !d.empty(); d = d.parent_path()) {
    if (fs::exists(d / "redis.conf.example")) return (d / "redis.conf.example").string();
    if (d == d.parent_path()) break;
  }
  return p.string();
}

TEST_CASE("config: defaults print as redis-server 7.0.15's CONFIG GET", "[config]") {
  Config cfg;
  ConfigTable t(&cfg);
  const std::map<std::string, std::string> expected = {
      {"active-expire-effort", "1"},
      {"appenddirname", "appendonlydir"},
      {"appendfilename", "appendonly.aof"},
      {"appendfsync", "everysec"},
      {"appendonly", "no"},
      {"aof-load-truncated", "yes"},
      {"aof-rewrite-incremental-fsync", "yes"},
      {"aof-disable-auto-gc", "no"},
      {"aof-timestamp-enabled", "no"},
      {"aof-use-rdb-preamble", "yes"},
      {"auto-aof-rewrite-min-size", "67108864"},
      {"auto-aof-rewrite-percentage", "100"},
      {"no-appendfsync-on-rewrite", "no"},
      {"bind", "* -::*"},
      {"busy-reply-threshold", "5000"},
      {"client-output-buffer-limit",
       "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"},
      {"client-query-buffer-limit", "1073741824"},
      {"daemonize", "no"},
      {"databases", "16"},
      {"dbfilename", "dump.rdb"},
      {"dir", fs::current_path().string()},
      {"enable-debug-command", "no"},
      {"enable-protected-configs", "no"},
      {"sanitize-dump-payload", "no"},
      {"hash-max-listpack-entries", "512"},
      {"hash-max-listpack-value", "64"},
      {"hash-max-ziplist-entries", "512"},
      {"hash-max-ziplist-value", "64"},
      {"hz", "10"},
      {"lazyfree-lazy-user-del", "no"},
      {"lazyfree-lazy-user-flush", "no"},
      {"lazyfree-lazy-eviction", "no"},
      {"lazyfree-lazy-expire", "no"},
      {"lazyfree-lazy-server-del", "no"},
      {"lfu-decay-time", "1"},
      {"latency-monitor-threshold", "0"},
      {"latency-tracking", "yes"},
      {"latency-tracking-info-percentiles", "50 99 99.9"},
      {"lua-time-limit", "5000"},
      {"list-max-listpack-size", "-2"},
      {"list-max-ziplist-size", "-2"},
      {"lfu-log-factor", "10"},
      {"logfile", ""},
      {"loglevel", "notice"},
      {"maxclients", "10000"},
      {"maxmemory", "0"},
      {"maxmemory-policy", "noeviction"},
      {"maxmemory-samples", "5"},
      {"maxmemory-eviction-tenacity", "10"},
      {"notify-keyspace-events", ""},
      {"pidfile", ""},
      {"port", "6379"},
      {"protected-mode", "yes"},
      {"proto-max-bulk-len", "536870912"},
      {"rdbchecksum", "yes"},
      {"rdb-save-incremental-fsync", "yes"},
      {"rdbcompression", "yes"},
      {"requirepass", ""},
      {"save", "3600 1 300 100 60 10000"},
      {"set-max-intset-entries", "512"},
      {"stream-node-max-bytes", "4096"},
      {"stream-node-max-entries", "100"},
      {"slowlog-log-slower-than", "10000"},
      {"slowlog-max-len", "128"},
      {"stop-writes-on-bgsave-error", "yes"},
      {"tcp-backlog", "511"},
      {"tcp-keepalive", "300"},
      {"timeout", "0"},
      {"tracking-table-max-keys", "1000000"},
      {"unixsocket", ""},
      {"unixsocketperm", "0"},
      {"zset-max-listpack-entries", "128"},
      {"zset-max-listpack-value", "64"},
      {"zset-max-ziplist-entries", "128"},
      {"zset-max-ziplist-value", "64"},
  };
  std::string_view all[] = {"*"};
  auto got = t.Get(all);
  std::map<std::string, std::string> got_map(got.begin(), got.end());
  CHECK(got.size() == expected.size());
  CHECK(got_map == expected);
  CHECK(cfg == [] {
    Config c;
    c.dir = fs::current_path().string();
    return c;
  }());
}

TEST_CASE("config: CONFIG GET patterns, spelling and de-duplication", "[config]") {
  Config cfg;
  ConfigTable t(&cfg);
  SECTION("exact names keep the caller's spelling") {
    std::string_view pats[] = {"PORT"};
    auto r = t.Get(pats);
    REQUIRE(r.size() == 1);
    CHECK(r[0].first == "PORT");
    CHECK(r[0].second == "6379");
  }
  SECTION("each parameter once across patterns") {
    std::string_view pats[] = {"port", "PORT", "p*t", "maxmemory*"};
    auto r = t.Get(pats);
    std::vector<std::string> names;
    for (auto& [n, v] : r) names.push_back(n);
    CHECK(names == std::vector<std::string>{"port", "maxmemory", "maxmemory-policy",
                                            "maxmemory-samples", "maxmemory-eviction-tenacity"});
  }
  SECTION("globs are case-insensitive and report canonical names") {
    std::string_view pats[] = {"*FSYNC", "lazyfree-lazy-user-[df]*", "h?"};
    auto r = t.Get(pats);
    std::vector<std::string> names;
    for (auto& [n, v] : r) names.push_back(n);
    CHECK(names == std::vector<std::string>{"appendfsync", "aof-rewrite-incremental-fsync",
                                            "rdb-save-incremental-fsync", "lazyfree-lazy-user-del",
                                            "lazyfree-lazy-user-flush", "hz"});
  }
  SECTION("no match gives an empty list") {
    std::string_view pats[] = {"nosuch", "zz*"};
    CHECK(t.Get(pats).empty());
  }
  SECTION("the parameters client tools ask for exist") {
    for (std::string_view n : {"save", "appendonly", "databases", "maxmemory", "maxmemory-policy",
                               "notify-keyspace-events", "timeout", "maxclients", "appendfsync"}) {
      std::string_view pats[] = {n};
      CHECK(t.Get(pats).size() == 1);
    }
  }
}

TEST_CASE("config: file syntax — quoting, escapes, comments, case", "[config]") {
  Config cfg;
  ConfigTable t(&cfg);
  REQUIRE(
      t.LoadString("# comment\n"
                   "   # indented comment\n"
                   "\n"
                   "   \t\n"
                   "  PORT   7000  \r\n"
                   "requirepass \"a\\x41\\n\\\"b\\\\\\t\\r\\b\\a\\q\"\n"
                   "dbfilename 'it\\'s.rdb'\n"
                   "pidfile a\"b c\"\n"
                   "LogLevel WARNING\n"
                   "maxmemory-policy AllKeys-LRU\n"
                   "lazyfree-lazy-user-del YES\n",
                   "t.conf"));
  CHECK(cfg.port == 7000);
  CHECK(cfg.requirepass == std::string("aA\n\"b\\\t\r\b\aq"));
  CHECK(cfg.dbfilename == "it's.rdb");
  CHECK(cfg.pidfile == "ab c");
  CHECK(cfg.loglevel == LogLevel::kWarning);
  CHECK(Get1(t, "loglevel") == "warning");
  CHECK(cfg.maxmemory_policy == MaxmemoryPolicy::kAllKeysLru);
  CHECK(Get1(t, "maxmemory-policy") == "allkeys-lru");
  CHECK(cfg.lazyfree_lazy_user_del);
}

TEST_CASE("config: memory units", "[config]") {
  struct Case {
    std::string_view text;
    uint64_t bytes;
  };
  const Case cases[] = {
      {"0", 0},
      {"1k", 1000},
      {"1kb", 1024},
      {"1K", 1000},
      {"1Kb", 1024},
      {"2m", 2000000},
      {"2mb", 2 * 1024 * 1024},
      {"3g", 3000000000ull},
      {"3GB", 3ull * 1024 * 1024 * 1024},
      {"7b", 7},
      {"05", 5},
      {"", 0},  // memtoull: no digits is 0
      {"kb", 0},
      {"99999999999999999999", 18446744073709551615ull},  // saturates
  };
  for (const Case& c : cases) {
    Config cfg;
    ConfigTable t(&cfg);
    INFO(c.text);
    REQUIRE(Set(t, {"maxmemory", c.text}));
    CHECK(cfg.maxmemory == c.bytes);
    CHECK(Get1(t, "maxmemory") == std::to_string(c.bytes));
  }
  Config cfg;
  ConfigTable t(&cfg);
  for (std::string_view bad : {"-1", "1.5", " 5", "5 ", "+5", "1gb1", "1t", "1kib"}) {
    INFO(bad);
    CHECK(SetError(t, {"maxmemory", bad}) ==
          "CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a "
          "memory value");
  }
  CHECK(SetError(t, {"proto-max-bulk-len", "1048575"}) ==
        "CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be "
        "between 1048576 and 9223372036854775807 inclusive");
  CHECK(SetError(t, {"proto-max-bulk-len", "9223372036854775808"}) ==
        "CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be "
        "between 1048576 and 9223372036854775807 inclusive");
  REQUIRE(Set(t, {"proto-max-bulk-len", "1mb", "client-query-buffer-limit", "2GB"}));
  CHECK(cfg.proto_max_bulk_len == 1048576);
  CHECK(cfg.client_query_buffer_limit == 2ull << 30);
  CHECK(SetError(t, {"client-query-buffer-limit", "1k"}) ==
        "CONFIG SET failed (possibly related to argument 'client-query-buffer-limit') - argument "
        "must be between 1048576 and 9223372036854775807 inclusive");
}

TEST_CASE("config: load errors name origin, line, text and Redis's reason", "[config]") {
  CHECK(LoadError("port 1\nfoo bar\n") ==
        "test.conf:2: 'foo bar' - Bad directive or wrong number of arguments");
  CHECK(LoadError("port 1 2") == "test.conf:1: 'port 1 2' - wrong number of arguments");
  CHECK(LoadError("  port  ") == "test.conf:1: 'port' - wrong number of arguments");
  CHECK(LoadError("port \"abc") ==
        "test.conf:1: 'port \"abc' - Unbalanced quotes in configuration line");
  CHECK(LoadError("port \"6379\"x") ==
        "test.conf:1: 'port \"6379\"x' - Unbalanced quotes in configuration line");
  CHECK(LoadError("port 'abc") ==
        "test.conf:1: 'port 'abc' - Unbalanced quotes in configuration line");
  CHECK(LoadError("port abc") ==
        "test.conf:1: 'port abc' - argument couldn't be parsed into an integer");
  CHECK(LoadError("port 99999") ==
        "test.conf:1: 'port 99999' - argument must be between 0 and 65535 inclusive");
  CHECK(LoadError("port 01") ==
        "test.conf:1: 'port 01' - argument couldn't be parsed into an integer");
  CHECK(LoadError("daemonize maybe") ==
        "test.conf:1: 'daemonize maybe' - argument must be 'yes' or 'no'");
  CHECK(LoadError("loglevel loud") ==
        "test.conf:1: 'loglevel loud' - argument(s) must be one of the following: debug, "
        "verbose, notice, warning");
  CHECK(LoadError("loglevel nothing") ==
        "test.conf:1: 'loglevel nothing' - argument(s) must be one of the following: debug, "
        "verbose, notice, warning");
  CHECK(LoadError("maxmemory-policy lru") ==
        "test.conf:1: 'maxmemory-policy lru' - argument(s) must be one of the following: "
        "volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, "
        "allkeys-random, noeviction");
  CHECK(LoadError("appendfsync sometimes") ==
        "test.conf:1: 'appendfsync sometimes' - argument(s) must be one of the following: "
        "everysec, always, no");
  CHECK(LoadError("enable-debug-command maybe") ==
        "test.conf:1: 'enable-debug-command maybe' - argument(s) must be one of the following: "
        "no, yes, local");
  CHECK(LoadError("maxmemory 1q") ==
        "test.conf:1: 'maxmemory 1q' - argument must be a memory value");
  CHECK(LoadError("save 1") == "test.conf:1: 'save 1' - Invalid save parameters");
  CHECK(LoadError("save 0 1") == "test.conf:1: 'save 0 1' - Invalid save parameters");
  CHECK(LoadError("save 1 -1") == "test.conf:1: 'save 1 -1' - Invalid save parameters");
  CHECK(LoadError("save 1e3 4") == "test.conf:1: 'save 1e3 4' - Invalid save parameters");
  CHECK(LoadError("notify-keyspace-events q") ==
        "test.conf:1: 'notify-keyspace-events q' - Invalid event class character. Use "
        "'Ag$lshzxeKEtmdn'.");
  CHECK(LoadError("notify-keyspace-events a b") ==
        "test.conf:1: 'notify-keyspace-events a b' - wrong number of arguments");
  CHECK(LoadError("dir /nonexistent/baozi") ==
        "test.conf:1: 'dir /nonexistent/baozi' - No such file or directory");
  CHECK(LoadError("dbfilename a/b") ==
        "test.conf:1: 'dbfilename a/b' - dbfilename can't be a path, just a filename");
  CHECK(LoadError("appendfilename \"\"") ==
        "test.conf:1: 'appendfilename \"\"' - appendfilename can't be empty");
  CHECK(LoadError("appendfilename x/y") ==
        "test.conf:1: 'appendfilename x/y' - appendfilename can't be a path, just a filename");
  CHECK(LoadError("appenddirname a/b") ==
        "test.conf:1: 'appenddirname a/b' - appenddirname can't be a path, just a dirname");
  CHECK(LoadError("appenddirname \"\"") ==
        "test.conf:1: 'appenddirname \"\"' - appenddirname can't be empty");
  CHECK(LoadError("unixsocketperm 800") ==
        "test.conf:1: 'unixsocketperm 800' - argument couldn't be parsed as an octal number");
  CHECK(LoadError("unixsocketperm 1000") ==
        "test.conf:1: 'unixsocketperm 1000' - argument must be between 0 and 777 inclusive");
  CHECK(LoadError("unixsocketperm -1") ==
        "test.conf:1: 'unixsocketperm -1' - argument must be between 0 and 777 inclusive");
  CHECK(LoadError("bind 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17") ==
        "test.conf:1: 'bind 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17' - Too many bind addresses "
        "specified.");
  CHECK(LoadError("include") ==
        "test.conf:1: 'include' - Bad directive or wrong number of arguments");
  CHECK(LoadError("logfile /nonexistent/baozi/log") ==
        "test.conf: Can't open the log file: No such file or directory");
}

TEST_CASE("config: multi-argument and special values in files", "[config]") {
  Config cfg;
  ConfigTable t(&cfg);
  REQUIRE(
      t.LoadString("bind 127.0.0.1    ::1\n"
                   "save 100 1\n"
                   "save 200 2 300 3\n"
                   "unixsocketperm \" +0700\"\n"
                   "notify-keyspace-events \"AmnKE\"\n"
                   "hz 1000\n",
                   "t.conf"));
  CHECK(cfg.bind == std::vector<std::string>{"127.0.0.1", "::1"});
  CHECK(Get1(t, "bind") == "127.0.0.1 ::1");
  // The first save line replaces the defaults, later ones add to it.
  CHECK(Get1(t, "save") == "100 1 200 2 300 3");
  CHECK(cfg.unixsocketperm == 0700);
  CHECK(Get1(t, "unixsocketperm") == "700");
  // "A" swallows n in the printed form but the mask keeps it.
  CHECK(Get1(t, "notify-keyspace-events") == "AKEm");
  CHECK(cfg.notify_keyspace_events ==
        (notify::kAll | notify::kKeyspace | notify::kKeyevent | notify::kKeyMiss | notify::kNew));
  CHECK(cfg.hz == 500);

  // Further loads keep adding save points (Redis's flag is process-wide); a bare `save`
  // adds nothing, while `save ""` empties the list even mid-file.
  REQUIRE(t.LoadString("save 60 5\nsave\nbind\n", "more.conf"));
  CHECK(Get1(t, "save") == "100 1 200 2 300 3 60 5");
  CHECK(cfg.bind.empty());
  REQUIRE(t.LoadString("save \"\"\nhz 0", "x"));
  CHECK(cfg.save.empty());
  CHECK(cfg.hz == 1);
  REQUIRE(t.LoadString("save 1 1\nsave \"\"\nsave 200 2\n", "x"));
  CHECK(Get1(t, "save") == "200 2");

  // One quoted argument of a multi-argument parameter is split again.
  REQUIRE(t.LoadString("save \"5 5  6 6\"\nbind \"1.1.1.1 2.2.2.2\"\n", "x"));
  CHECK(Get1(t, "save") == "200 2 5 5 6 6");
  CHECK(cfg.bind == std::vector<std::string>{"1.1.1.1", "2.2.2.2"});
  REQUIRE(t.LoadString("bind \"a \\\"b\"\n", "x"));  // unbalanced inside: no addresses
  CHECK(cfg.bind.empty());

  Config fresh;
  ConfigTable t2(&fresh);
  REQUIRE(t2.LoadString("save\n", "x"));  // the first save line drops the defaults
  CHECK(fresh.save.empty());
}

TEST_CASE("config: keyspace event letters round-trip like Redis", "[config]") {
  struct Case {
    std::string_view in, out;
  };
  const Case cases[] = {
      {"KEA", "AKE"}, {"Ex", "xE"},         {"g$lshzxetdn", "A"}, {"g$lshzxetd", "A"},
      {"nKE", "nKE"}, {"mKE", "KEm"},       {"AmnKE", "AKEm"},    {"", ""},
      {"xxK", "xK"},  {"zhsl$g", "g$lshz"}, {"te", "et"},
  };
  for (const Case& c : cases) {
    INFO(c.in);
    auto f = KeyspaceEventsFromString(c.in);
    REQUIRE(f.has_value());
    CHECK(KeyspaceEventsToString(*f) == c.out);
  }
  CHECK(*KeyspaceEventsFromString("E") == notify::kKeyevent);
  CHECK(*KeyspaceEventsFromString("Kx") == (notify::kKeyspace | notify::kExpired));
  CHECK(KeyspaceEventsFromString("KEq").error() ==
        "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
}

TEST_CASE("config: include files", "[config]") {
  TempDir dir;
  dir.Write("inc1.conf", "port 7001\nmaxmemory 1mb\n");
  dir.Write("conf.d-a.conf", "timeout 5\n");
  dir.Write("conf.d-b.conf", "timeout 6\ntcp-keepalive 7\n");
  dir.Write("bad.conf", "# ok\n\nport nope\n");
  std::string main_conf =
      dir.Write("main.conf", "port 1\ninclude " + dir.File("inc1.conf") + "\ninclude " +
                                 dir.File("conf.d-*.conf") + "\ninclude " +
                                 dir.File("nomatch*.conf") + "\ndatabases 4\n");
  Config cfg;
  ConfigTable t(&cfg);
  REQUIRE(t.LoadFile(main_conf));
  CHECK(cfg.port == 7001);
  CHECK(cfg.maxmemory == 1024 * 1024);
  CHECK(cfg.timeout == 6);  // glob matches load in sorted order
  CHECK(cfg.tcp_keepalive == 7);
  CHECK(cfg.databases == 4);
  CHECK(t.config_file() == main_conf);

  std::string with_bad = dir.Write("with_bad.conf", "port 1\ninclude " + dir.File("bad.conf"));
  auto r = t.LoadFile(with_bad);
  REQUIRE_FALSE(r);
  CHECK(r.error() ==
        dir.File("bad.conf") + ":3: 'port nope' - argument couldn't be parsed into an integer");

  std::string missing = dir.Write("missing.conf", "\ninclude " + dir.File("nope.conf"));
  r = t.LoadFile(missing);
  REQUIRE_FALSE(r);
  CHECK(r.error() == missing + ":2: 'include " + dir.File("nope.conf") +
                         "' - Fatal error, can't open config file '" + dir.File("nope.conf") +
                         "': No such file or directory");

  r = t.LoadFile(dir.File("absent.conf"));
  REQUIRE_FALSE(r);
  CHECK(r.error() == "Fatal error, can't open config file '" + dir.File("absent.conf") +
                         "': No such file or directory");

  std::string loop = dir.Write("loop.conf", "include " + dir.File("loop.conf") + "\n");
  r = t.LoadFile(loop);
  REQUIRE_FALSE(r);
  CHECK(r.error().find("include nesting is too deep") != std::string::npos);
}

TEST_CASE("config: CONFIG SET validation errors", "[config]") {
  Config cfg;
  ConfigTable t(&cfg);
  CHECK(SetError(t, {"foo", "bar"}) ==
        "Unknown option or number of arguments for CONFIG SET - 'foo'");
  CHECK(SetError(t, {"port", "1", "foo", "1"}) ==
        "Unknown option or number of arguments for CONFIG SET - 'foo'");
  // An unknown name is found before any value is parsed.
  CHECK(SetError(t, {"port", "99999", "foo", "1"}) ==
        "Unknown option or number of arguments for CONFIG SET - 'foo'");
  CHECK(
      SetError(t, {"daemonize", "yes"}) ==
      "CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config");
  CHECK(
      SetError(t, {"daemonize", "yes", "foo", "1"}) ==
      "CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config");
  CHECK(
      SetError(t, {"port", "1", "daemonize", "yes"}) ==
      "CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config");
  for (std::string_view name :
       {"databases", "unixsocket", "unixsocketperm", "tcp-backlog", "pidfile", "logfile",
        "appendfilename", "appenddirname", "enable-debug-command", "rdbchecksum"}) {
    INFO(name);
    CHECK(SetError(t, {name, "1"}) == "CONFIG SET failed (possibly related to argument '" +
                                          std::string(name) + "') - can't set immutable config");
  }
  CHECK(SetError(t, {"dir", "/tmp"}) ==
        "CONFIG SET failed (possibly related to argument 'dir') - can't set protected config");
  CHECK(SetError(t, {"dbfilename", "x.rdb"}) ==
        "CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected "
        "config");
  CHECK(SetError(t, {"Port", "1", "port", "2"}) ==
        "CONFIG SET failed (possibly related to argument 'port') - duplicate parameter");
  CHECK(SetError(t, {"port"}) == "syntax error");
  // Value errors name the canonical parameter.
  CHECK(SetError(t, {"PORT", "abc"}) ==
        "CONFIG SET failed (possibly related to argument 'port') - argument couldn't be parsed "
        "into an integer");
  CHECK(SetError(t, {"port", "70000"}) ==
        "CONFIG SET failed (possibly related to argument 'port') - argument must be between 0 and "
        "65535 inclusive");
  CHECK(SetError(t, {"maxclients", "0"}) ==
        "CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between "
        "1 and 4294967295 inclusive");
  CHECK(SetError(t, {"maxclients", "-1"}) ==
        "CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between "
        "1 and 4294967295 inclusive");
  CHECK(SetError(t, {"maxclients", "4294967296"}) ==
        "CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between "
        "1 and 4294967295 inclusive");
  CHECK(SetError(t, {"timeout", "-1"}) ==
        "CONFIG SET failed (possibly related to argument 'timeout') - argument must be between 0 "
        "and 2147483647 inclusive");
  CHECK(SetError(t, {"slowlog-log-slower-than", "-2"}) ==
        "CONFIG SET failed (possibly related to argument 'slowlog-log-slower-than') - argument "
        "must be between -1 and 9223372036854775807 inclusive");
  CHECK(SetError(t, {"slowlog-max-len", "-1"}) ==
        "CONFIG SET failed (possibly related to argument 'slowlog-max-len') - argument must be "
        "between 0 and 9223372036854775807 inclusive");
  CHECK(SetError(t, {"active-expire-effort", "11"}) ==
        "CONFIG SET failed (possibly related to argument 'active-expire-effort') - argument must "
        "be between 1 and 10 inclusive");
  CHECK(SetError(t, {"maxmemory-samples", "0"}) ==
        "CONFIG SET failed (possibly related to argument 'maxmemory-samples') - argument must be "
        "between 1 and 2147483647 inclusive");
  CHECK(SetError(t, {"lfu-log-factor", "-1"}) ==
        "CONFIG SET failed (possibly related to argument 'lfu-log-factor') - argument must be "
        "between 0 and 2147483647 inclusive");
  CHECK(SetError(t, {"appendonly", "maybe"}) ==
        "CONFIG SET failed (possibly related to argument 'appendonly') - argument must be 'yes' "
        "or 'no'");
  CHECK(SetError(t, {"maxmemory-policy", "bogus"}) ==
        "CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must "
        "be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, "
        "allkeys-lru, allkeys-lfu, allkeys-random, noeviction");
  CHECK(SetError(t, {"notify-keyspace-events", "KEq"}) ==
        "CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid "
        "event class character. Use 'Ag$lshzxeKEtmdn'.");
  CHECK(cfg == [] {
    Config c;
    c.dir = fs::current_path().string();
    return c;
  }());
}

TEST_CASE("config: CONFIG SET values and formatting", "[config]") {
  Config cfg;
  ConfigTable t(&cfg);
  REQUIRE(Set(t, {"maxmemory", "100mb", "maxmemory-policy", "ALLKEYS-LRU", "rdbcompression", "no",
                  "appendfsync", "Always", "notify-keyspace-events", "KEA", "requirepass", "pw",
                  "protected-mode", "NO", "timeout", "30", "slowlog-log-slower-than", "-1"}));
  CHECK(cfg.maxmemory == 100ull * 1024 * 1024);
  CHECK(Get1(t, "maxmemory") == "104857600");
  CHECK(Get1(t, "maxmemory-policy") == "allkeys-lru");
  CHECK(Get1(t, "rdbcompression") == "no");
  CHECK(Get1(t, "appendfsync") == "always");
  CHECK(Get1(t, "notify-keyspace-events") == "AKE");
  CHECK(cfg.requirepass == "pw");
  CHECK(!cfg.protected_mode);
  CHECK(cfg.timeout == 30);
  CHECK(cfg.slowlog_log_slower_than == -1);

  SECTION("save") {
    REQUIRE(Set(t, {"save", "3600 1 300 100"}));
    CHECK(Get1(t, "save") == "3600 1 300 100");
    REQUIRE(Set(t, {"save", ""}));
    CHECK(cfg.save.empty());
    CHECK(Get1(t, "save") == "");
    REQUIRE(Set(t, {"save", "10 5 10 5"}));
    CHECK(Get1(t, "save") == "10 5 10 5");
    // Split on single spaces with a bare strtoll, exactly like Redis.
    REQUIRE(Set(t, {"save", "10 "}));
    CHECK(Get1(t, "save") == "10 0");
    REQUIRE(Set(t, {"save", "010 5"}));
    CHECK(Get1(t, "save") == "10 5");
    REQUIRE(Set(t, {"save", "+10 5"}));
    CHECK(Get1(t, "save") == "10 5");
    REQUIRE(Set(t, {"save", "10 99999999999"}));
    CHECK(Get1(t, "save") == "10 1215752191");
    for (std::string_view bad :
         {"1", "0 1", "1 -1", "1 x", "  10   5  ", " 10 5", "1e3 4", "10 5 20", "\"\""}) {
      INFO(bad);
      CHECK(SetError(t, {"save", bad}) ==
            "CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters");
    }
    CHECK(Get1(t, "save") == "10 1215752191");
  }
  SECTION("bind") {
    REQUIRE(Set(t, {"bind", "127.0.0.1  ::1"}));
    CHECK(cfg.bind == std::vector<std::string>{"127.0.0.1", "", "::1"});
    REQUIRE(Set(t, {"bind", ""}));
    CHECK(cfg.bind.empty());
    CHECK(Get1(t, "bind") == "");
    REQUIRE(Set(t, {"bind", "* -::*"}));
    CHECK(Get1(t, "bind") == "* -::*");
  }
  SECTION("hz is clamped") {
    REQUIRE(Set(t, {"hz", "0"}));
    CHECK(Get1(t, "hz") == "1");
    REQUIRE(Set(t, {"hz", "1000"}));
    CHECK(Get1(t, "hz") == "500");
    REQUIRE(Set(t, {"hz", "50"}));
    CHECK(cfg.hz == 50);
  }
  SECTION("empty strings clear") {
    REQUIRE(Set(t, {"requirepass", ""}));
    CHECK(cfg.requirepass.empty());
    CHECK(Get1(t, "requirepass") == "");
  }
}

TEST_CASE("config: CONFIG SET is atomic", "[config]") {
  Config cfg;
  ConfigTable t(&cfg);
  const Config before = cfg;

  SECTION("a bad value rolls back earlier ones") {
    CHECK(SetError(t, {"maxmemory", "10mb", "save", "", "hz", "5", "port", "abc"}) ==
          "CONFIG SET failed (possibly related to argument 'port') - argument couldn't be parsed "
          "into an integer");
    CHECK(cfg == before);
  }

  SECTION("hooks run once per changed parameter, after all values are set") {
    std::vector<std::string> calls;
    t.SetApplyHook("port", [&](const Config& c) -> std::expected<void, std::string> {
      calls.push_back("port " + std::to_string(c.port) + " mm " + std::to_string(c.maxmemory));
      return {};
    });
    t.SetApplyHook("maxmemory", [&](const Config& c) -> std::expected<void, std::string> {
      calls.push_back("maxmemory " + std::to_string(c.maxmemory) + " port " +
                      std::to_string(c.port));
      return {};
    });
    REQUIRE(Set(t, {"port", "7000", "maxmemory", "1k"}));
    CHECK(calls == std::vector<std::string>{"port 7000 mm 1000", "maxmemory 1000 port 7000"});
    calls.clear();
    // Unchanged values do not run hooks.
    REQUIRE(Set(t, {"port", "7000", "maxmemory", "1000"}));
    CHECK(calls.empty());
  }

  SECTION("a hook shared by several parameters runs once") {
    int runs = 0;
    t.SetApplyHook({"port", "bind"}, [&](const Config&) -> std::expected<void, std::string> {
      ++runs;
      return {};
    });
    REQUIRE(Set(t, {"port", "7000", "bind", "127.0.0.1"}));
    CHECK(runs == 1);
    REQUIRE(Set(t, {"bind", "::1"}));
    CHECK(runs == 2);
    // Installing it per name makes separate hooks again.
    auto count = [&](const Config&) -> std::expected<void, std::string> {
      ++runs;
      return {};
    };
    t.SetApplyHook("port", count);
    t.SetApplyHook("bind", count);
    REQUIRE(Set(t, {"port", "7001", "bind", "127.0.0.1"}));
    CHECK(runs == 4);
  }

  SECTION("a failing hook restores everything and re-runs the hooks") {
    std::vector<std::string> calls;
    t.SetApplyHook("maxmemory", [&](const Config& c) -> std::expected<void, std::string> {
      calls.push_back("maxmemory " + std::to_string(c.maxmemory));
      return {};
    });
    t.SetApplyHook("port", [&](const Config& c) -> std::expected<void, std::string> {
      calls.push_back("port " + std::to_string(c.port));
      if (c.port == 7001)
        return std::unexpected("Unable to listen on this port. Check server logs.");
      return {};
    });
    CHECK(SetError(t, {"maxmemory", "5mb", "port", "7001", "timeout", "9"}) ==
          "CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this "
          "port. Check server logs.");
    CHECK(cfg == before);
    CHECK(calls ==
          std::vector<std::string>{"maxmemory 5242880", "port 7001", "maxmemory 0", "port 6379"});
  }

  SECTION("a hook failing without a message gives Redis's short form") {
    t.SetApplyHook("bind", [](const Config&) -> std::expected<void, std::string> {
      return std::unexpected(std::string());
    });
    CHECK(SetError(t, {"bind", "10.0.0.1"}) ==
          "CONFIG SET failed (possibly related to argument 'bind')");
    CHECK(cfg.bind == before.bind);
    t.SetApplyHook("bind", nullptr);
    REQUIRE(Set(t, {"bind", "10.0.0.1"}));
    CHECK(cfg.bind == std::vector<std::string>{"10.0.0.1"});
  }
}

TEST_CASE("config: REWRITE keeps the file's shape like Redis", "[config]") {
  TempDir dir;
  dir.Write("empty.conf", "");
  std::string path = dir.Write("r.conf",
                               "port 16404\nmaxmemory 100mb\nsave 10 1\nsave 20 2\n"
                               "unixsocket /tmp/r.sock\nunixsocketperm 0700\n");
  Config cfg;
  ConfigTable t(&cfg);
  REQUIRE(t.LoadFile(path));
  REQUIRE(t.config_file() == path);
  // The file as it is on disk when REWRITE runs: the same one real redis-server 7.0.15
  // rewrote in our checks (plus a directive we do not know), and below, its output.
  dir.Write("r.conf",
            "# top comment\n"
            "  port 16404  \n"
            "\n"
            "bind * -::*\n"
            "\n"
            "\n"
            "\n"
            "maxmemory 100mb\n"
            "bogus-directive 1\n"
            "include " +
                dir.File("empty.conf") +
                "\n"
                "save 10 1\n"
                "save 20 2\n"
                "unixsocket /tmp/r.sock\n"
                "unixsocketperm 0700\n"
                "loglevel NOTICE\n");
  REQUIRE(Set(t, {"maxmemory", "3000000", "save", "30 3", "requirepass", "p\"w\\x01",
                  "notify-keyspace-events", "Ex", "hz", "1000", "proto-max-bulk-len", "2gb",
                  "client-query-buffer-limit", "1048577", "bind", "127.0.0.1"}));
  REQUIRE(t.Rewrite());
  CHECK(ReadFile(path) ==
        "# top comment\n"
        "port 16404\n"
        "\n"
        "bind 127.0.0.1\n"
        "\n"
        "maxmemory 3000000\n"
        "# ??? bogus-directive 1\n"
        "include " +
            dir.File("empty.conf") +
            "\n"
            "save 30 3\n"
            "\n"
            "unixsocket \"/tmp/r.sock\"\n"
            "unixsocketperm 700\n"
            "loglevel notice\n"
            "\n"
            "# Generated by CONFIG REWRITE\n"
            "requirepass \"p\\\"w\\\\x01\"\n"
            "dir \"" +
            cfg.dir +
            "\"\n"
            "notify-keyspace-events \"xE\"\n"
            "latency-tracking-info-percentiles 50 99 99.9\n"
            "proto-max-bulk-len 2gb\n"
            "client-query-buffer-limit 1048577\n"
            "hz 500\n");

  // Like Redis, the file's final newline reads back as one more (blank) line, so a second
  // rewrite adds a blank line at the end; runs of blank lines are squeezed, so a third
  // rewrite changes nothing.
  std::string first = ReadFile(path);
  REQUIRE(t.Rewrite());
  std::string second = ReadFile(path);
  CHECK(second == first + "\n");
  REQUIRE(t.Rewrite());
  CHECK(ReadFile(path) == second);

  // Back at defaults: bind's line goes, save "" is kept explicit.
  REQUIRE(Set(t, {"bind", "* -::*", "save", "", "notify-keyspace-events", ""}));
  REQUIRE(t.Rewrite());
  std::string text = ReadFile(path);
  CHECK(text.find("bind") == std::string::npos);
  CHECK(text.find("save \"\"\n") != std::string::npos);
  CHECK(text.find("notify-keyspace-events \"\"\n") != std::string::npos);
}

TEST_CASE("config: REWRITE round trip reloads to the same Config", "[config]") {
  TempDir dir;
  std::string path = dir.Write("rt.conf", "# my settings\nport 7777\n\ndatabases 4\n");
  Config cfg;
  ConfigTable t(&cfg);
  REQUIRE(t.LoadFile(path));
  REQUIRE(Set(t, {"maxmemory",
                  "1gb",
                  "maxmemory-policy",
                  "volatile-ttl",
                  "save",
                  "900 1 30 7",
                  "lazyfree-lazy-user-flush",
                  "yes",
                  "appendfsync",
                  "no",
                  "notify-keyspace-events",
                  "Kgx",
                  "requirepass",
                  "tab\there \"q\" \x01",
                  "timeout",
                  "12",
                  "bind",
                  "127.0.0.1 ::1",
                  "loglevel",
                  "debug",
                  "slowlog-max-len",
                  "1000",
                  "lazyfree-lazy-user-del",
                  "yes",
                  "rdbcompression",
                  "no",
                  "maxclients",
                  "77",
                  "hz",
                  "20"}));
  REQUIRE(t.Rewrite());
  std::string text = ReadFile(path);
  CHECK(text.starts_with("# my settings\nport 7777\n\ndatabases 4\n"));

  Config again;
  ConfigTable t2(&again);
  REQUIRE(t2.LoadFile(path));
  CHECK(again == cfg);

  // Missing file: REWRITE creates it.
  Config fresh;
  ConfigTable t3(&fresh);
  REQUIRE(t3.LoadString("port 8000", "x"));
  REQUIRE_FALSE(t3.Rewrite());
  CHECK(t3.Rewrite().error() == "The server is running without a config file");
  std::string empty = dir.Write("empty.conf", "");
  REQUIRE(t3.LoadFile(empty));
  REQUIRE(t3.Rewrite());
  // save lines are always written, even at the default schedule, and so are the latency
  // percentiles (as Redis does).
  CHECK(ReadFile(empty) == "# Generated by CONFIG REWRITE\nport 8000\ndir \"" + fresh.dir +
                               "\"\nsave 3600 1\nsave 300 100\nsave 60 10000\n"
                               "latency-tracking-info-percentiles 50 99 99.9\n");
}

TEST_CASE("config: command line like redis-server's", "[config]") {
  TempDir dir;
  std::string conf = dir.Write("base.conf", "port 6000\nsave 100 1\nmaxmemory 1mb\n");
  auto load = [&](std::vector<std::string> args, Config* cfg) {
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    ConfigTable t(cfg);
    return t.LoadCommandLine(static_cast<int>(argv.size()), argv.data());
  };
  SECTION("example file plus overrides") {
    Config cfg;
    REQUIRE(load({"baozi-server", ExampleConfPath(), "--port", "7000", "--save", ""}, &cfg));
    CHECK(cfg.port == 7000);
    CHECK(cfg.save.empty());
  }
  SECTION("options add to the file's save points and override its values") {
    Config cfg;
    REQUIRE(load({"baozi-server", conf, "--save", "60", "5", "--maxmemory", "2mb"}, &cfg));
    CHECK(cfg.port == 6000);
    CHECK(cfg.save == std::vector<SavePoint>{{100, 1}, {60, 5}});
    CHECK(cfg.maxmemory == 2 * 1024 * 1024);
  }
  SECTION("--save without a value means save \"\"") {
    Config cfg;
    REQUIRE(load({"baozi-server", "--save", "--port", "7001"}, &cfg));
    CHECK(cfg.save.empty());
    CHECK(cfg.port == 7001);
    Config last;
    REQUIRE(load({"baozi-server", "--port", "7002", "--save"}, &last));
    CHECK(last.save.empty());
    CHECK(last.port == 7002);
  }
  SECTION("multi-value options and name+value in one argument") {
    Config cfg;
    REQUIRE(load({"baozi-server", "--bind", "127.0.0.1", "::1", "--maxmemory 100mb",
                  "--requirepass", "a b\"c"},
                 &cfg));
    CHECK(cfg.bind == std::vector<std::string>{"127.0.0.1", "::1"});
    CHECK(cfg.maxmemory == 100ull * 1024 * 1024);
    CHECK(cfg.requirepass == "a b\"c");
    Config one;
    REQUIRE(load({"baozi-server", "--save", "900 1 60 5", "--bind", "127.0.0.1 ::1"}, &one));
    CHECK(one.save == std::vector<SavePoint>{{900, 1}, {60, 5}});
    CHECK(one.bind == std::vector<std::string>{"127.0.0.1", "::1"});
  }
  SECTION("a --x right after a bare option name is its value") {
    Config cfg;
    REQUIRE(load({"baozi-server", "--requirepass", "--port", "--timeout", "3"}, &cfg));
    CHECK(cfg.requirepass == "--port");
    CHECK(cfg.timeout == 3);
  }
  SECTION("errors") {
    Config cfg;
    auto r = load({"baozi-server", "--port", "abc"}, &cfg);
    REQUIRE_FALSE(r);
    CHECK(r.error() ==
          "command line:1: 'port \"abc\"' - argument couldn't be parsed into an integer");
    r = load({"baozi-server", conf, "--port", "1", "--bogus", "1"}, &cfg);
    REQUIRE_FALSE(r);
    CHECK(r.error() ==
          "command line:2: 'bogus \"1\"' - Bad directive or wrong number of arguments");
    r = load({"baozi-server", "--port", "1", "--loglevel"}, &cfg);
    REQUIRE_FALSE(r);
    CHECK(r.error() == "command line:2: 'loglevel' - wrong number of arguments");
    r = load({"baozi-server", "-p", "1"}, &cfg);
    REQUIRE_FALSE(r);
    CHECK(r.error() ==
          "command line:1: '\"-p\" \"1\"' - Bad directive or wrong number of arguments");
    r = load({"baozi-server", dir.File("nope.conf")}, &cfg);
    REQUIRE_FALSE(r);
    CHECK(r.error().starts_with("Fatal error, can't open config file"));
  }
  SECTION("the config file path is remembered absolute") {
    fs::current_path(dir.path());
    Config cfg;
    ConfigTable t(&cfg);
    std::string a0 = "baozi-server", a1 = "base.conf";
    char* argv[] = {a0.data(), a1.data()};
    REQUIRE(t.LoadCommandLine(2, argv));
    CHECK(t.config_file() == dir.File("base.conf"));
  }
}

TEST_CASE("config: redis.conf.example loads cleanly to the defaults", "[config]") {
  Config cfg;
  ConfigTable t(&cfg);
  std::string path = ExampleConfPath();
  INFO(path);
  REQUIRE(fs::exists(path));
  auto r = t.LoadFile(path);
  INFO((r ? std::string() : r.error()));
  REQUIRE(r);
  Config defaults;
  defaults.dir = fs::current_path().string();
  CHECK(cfg == defaults);

  // Every parameter is documented in it with its default value.
  std::string text = ReadFile(path);
  std::string_view all[] = {"*"};
  for (const auto& [name, value] : t.Get(all)) {
    INFO(name);
    // Aliases are named in a comment next to the parameter they stand for.
    if (name.find("-ziplist-") != std::string::npos || name == "lua-time-limit") continue;
    CHECK(text.find("\n" + name + " ") != std::string::npos);
  }
}

TEST_CASE("config: sensitive parameters", "[config]") {
  Config cfg;
  ConfigTable t(&cfg);
  CHECK(t.IsSensitive("requirepass"));
  CHECK(t.IsSensitive("REQUIREPASS"));
  CHECK_FALSE(t.IsSensitive("port"));
  CHECK_FALSE(t.IsSensitive("nosuch"));
}

TEST_CASE("config: the *-ziplist-* names are aliases of the listpack parameters", "[config]") {
  Config cfg;
  ConfigTable t(&cfg);
  std::string_view set[] = {"hash-max-ziplist-entries", "7"};
  REQUIRE(t.Set(set));
  CHECK(cfg.hash_max_listpack_entries == 7);
  std::string_view exact[] = {"HASH-MAX-ZIPLIST-ENTRIES"};
  auto got = t.Get(exact);
  REQUIRE(got.size() == 1);
  CHECK(got[0] == std::pair<std::string, std::string>{"HASH-MAX-ZIPLIST-ENTRIES", "7"});
  std::string_view glob[] = {"hash-max-*-entries"};
  got = t.Get(glob);
  std::map<std::string, std::string> m(got.begin(), got.end());
  CHECK(m == std::map<std::string, std::string>{{"hash-max-listpack-entries", "7"},
                                                {"hash-max-ziplist-entries", "7"}});
  // Redis spots duplicates by name, so both names in one CONFIG SET apply in order.
  std::string_view both[] = {"hash-max-ziplist-entries", "1", "hash-max-listpack-entries", "2"};
  REQUIRE(t.Set(both));
  CHECK(cfg.hash_max_listpack_entries == 2);
  std::string_view twice[] = {"hash-max-listpack-entries", "1", "HASH-max-listpack-entries", "2"};
  CHECK_FALSE(t.Set(twice));
  // Values are memory values; entry counts are plain integers.
  std::string_view mem[] = {"zset-max-ziplist-value", "1kb"};
  REQUIRE(t.Set(mem));
  CHECK(cfg.zset_max_listpack_value == 1024);
  std::string_view bad[] = {"set-max-intset-entries", "1kb"};
  CHECK_FALSE(t.Set(bad));
}

// Every reply below was printed by redis-server 7.0.15 for the same input.
TEST_CASE("config: client-output-buffer-limit parsing and errors", "[config]") {
  Config cfg;
  ConfigTable t(&cfg);
  constexpr std::string_view kName = "client-output-buffer-limit";
  constexpr std::string_view kDefault =
      "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60";
  CHECK(Get1(t, kName) == kDefault);
  CHECK(cfg.client_output_buffer_limit[kObufPubSub] ==
        OutputBufferLimit{32ull << 20, 8ull << 20, 60});

  const std::string prefix =
      "CONFIG SET failed (possibly related to argument "
      "'client-output-buffer-limit') - ";
  const std::string wrong = prefix + "Wrong number of arguments in buffer limit configuration.";
  const std::string bad_class =
      prefix + "Invalid client class specified in buffer limit configuration.";
  const std::string bad_value =
      prefix + "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
  CHECK(SetError(t, {kName, "wrong number"}) == wrong);
  CHECK(SetError(t, {kName, "normal 1 2 3 pubsub"}) == wrong);
  CHECK(SetError(t, {kName, "normal 0 0 7 "}) == wrong);  // a fifth, empty, argument
  CHECK(SetError(t, {kName, "invalid_class 10mb 10mb 60"}) == bad_class);
  CHECK(SetError(t, {kName, "master 10mb 10mb 60"}) == bad_class);
  for (std::string_view v :
       {"normal 10mbs 10mb 60", "normal 10mb 10mbs 60", "normal 10mb 10mb 60s",
        "normal 10mb 10mb -1", "normal -1 10mb 1", "normal 0 0 0x5", "normal 0 0 3000000000",
        "normal 0 0 4294967295", "normal 0 0 9223372036854775808"}) {
    INFO(v);
    CHECK(SetError(t, {kName, v}) == bad_value);
  }
  // A bad group anywhere rejects the whole value, earlier good groups included.
  CHECK(SetError(t, {kName, "pubsub 1 2 3 bad 1 2 3"}) == bad_class);
  CHECK(Get1(t, kName) == kDefault);

  struct Case {
    std::string_view value, get;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"NORMAL 1 2 3", "normal 1 2 3 slave 268435456 67108864 60 pubsub 33554432 8388608 60"},
           {"normal 1k 2kb 3 replica 1mb 2gb 4294967297 pubsub 5 6 7",
            "normal 1000 2048 3 slave 1048576 2147483648 1 pubsub 5 6 7"},
           {"normal 0 0 +5", "normal 0 0 5 slave 1048576 2147483648 1 pubsub 5 6 7"},
           {"normal 0 0 2147483647",
            "normal 0 0 2147483647 slave 1048576 2147483648 1 pubsub 5 6 7"},
           // Single spaces split: an empty hard limit is 0, an empty seconds value too.
           {"normal  1 2", "normal 0 1 2 slave 1048576 2147483648 1 pubsub 5 6 7"},
           {"normal 1 2 ", "normal 1 2 0 slave 1048576 2147483648 1 pubsub 5 6 7"},
           {"normal 1B 2K 0", "normal 1 2000 0 slave 1048576 2147483648 1 pubsub 5 6 7"},
           {"normal 1GB 2G 0",
            "normal 1073741824 2000000000 0 slave 1048576 2147483648 1 pubsub 5 6 7"},
           {"normal 18446744073709551615 99999999999999999999 0",
            "normal 18446744073709551615 18446744073709551615 0 slave 1048576 2147483648 1 "
            "pubsub 5 6 7"},
           {"normal 1 2 3 normal 4 5 6", "normal 4 5 6 slave 1048576 2147483648 1 pubsub 5 6 7"},
           {"slave 1 2 3", "normal 4 5 6 slave 1 2 3 pubsub 5 6 7"},
           {"normal 0 0 05", "normal 0 0 5 slave 1 2 3 pubsub 5 6 7"},
           {"normal 0 0 -0", "normal 0 0 0 slave 1 2 3 pubsub 5 6 7"},
           {"normal 0 0 -4294967296", "normal 0 0 0 slave 1 2 3 pubsub 5 6 7"},
           {"normal 0 0 \t7", "normal 0 0 7 slave 1 2 3 pubsub 5 6 7"},
           // No arguments at all: accepted, nothing changes.
           {"", "normal 0 0 7 slave 1 2 3 pubsub 5 6 7"},
       }) {
    INFO(c.value);
    REQUIRE(Set(t, {kName, c.value}));
    CHECK(Get1(t, kName) == c.get);
  }
  CHECK(cfg.client_output_buffer_limit[kObufReplica] == OutputBufferLimit{1, 2, 3});
}

TEST_CASE("config: client-output-buffer-limit in files and REWRITE", "[config]") {
  CHECK(LoadError("client-output-buffer-limit normal 1 2") ==
        "test.conf:1: 'client-output-buffer-limit normal 1 2' - Wrong number of arguments in "
        "buffer limit configuration.");
  CHECK(LoadError("client-output-buffer-limit \"\"") ==
        "test.conf:1: 'client-output-buffer-limit \"\"' - Wrong number of arguments in buffer "
        "limit configuration.");
  CHECK(LoadError("client-output-buffer-limit \"normal 1 2\"") ==
        "test.conf:1: 'client-output-buffer-limit \"normal 1 2\"' - Wrong number of arguments "
        "in buffer limit configuration.");
  CHECK(LoadError("client-output-buffer-limit master 1 2 3") ==
        "test.conf:1: 'client-output-buffer-limit master 1 2 3' - Invalid client class "
        "specified in buffer limit configuration.");
  CHECK(LoadError("client-output-buffer-limit normal x 2 3") ==
        "test.conf:1: 'client-output-buffer-limit normal x 2 3' - Error in hard, soft or "
        "soft_seconds setting in buffer limit configuration.");

  TempDir dir;
  std::string path = dir.Write("o.conf",
                               "port 17401\n"
                               "save \"\"\n"
                               "client-output-buffer-limit normal 1mb 2mb 3\n"
                               "client-output-buffer-limit replica 1 2 3 pubsub 4 5 6\n"
                               "client-output-buffer-limit \"pubsub 1024 3kb 9\"\n"
                               "client-output-buffer-limit\n");
  Config cfg;
  ConfigTable t(&cfg);
  REQUIRE(t.LoadFile(path));
  CHECK(Get1(t, "client-output-buffer-limit") ==
        "normal 1048576 2097152 3 slave 1 2 3 pubsub 1024 3072 9");
  REQUIRE(Set(t, {"client-output-buffer-limit", "normal 1gb 0 0"}));
  REQUIRE(t.Rewrite());
  // The replica class is written under its new name; the three lines reuse the old ones and
  // the fourth, now unused, line goes.
  CHECK(ReadFile(path) ==
        "port 17401\n"
        "save \"\"\n"
        "client-output-buffer-limit normal 1gb 0 0\n"
        "client-output-buffer-limit replica 1 2 3\n"
        "client-output-buffer-limit pubsub 1kb 3kb 9\n"
        "\n"
        "# Generated by CONFIG REWRITE\n"
        "dir \"" +
            cfg.dir +
            "\"\n"
            "latency-tracking-info-percentiles 50 99 99.9\n");
  // Back at the defaults, the existing lines are still rewritten in place (as Redis does).
  REQUIRE(Set(t, {"client-output-buffer-limit",
                  "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"}));
  REQUIRE(t.Rewrite());
  CHECK(
      ReadFile(path).starts_with("port 17401\n"
                                 "save \"\"\n"
                                 "client-output-buffer-limit normal 0 0 0\n"
                                 "client-output-buffer-limit replica 256mb 64mb 60\n"
                                 "client-output-buffer-limit pubsub 32mb 8mb 60\n"));
  // A file without the option gets lines only for classes that differ from the defaults.
  std::string path2 = dir.Write("p.conf", "port 17402\nsave \"\"\n");
  Config cfg2;
  ConfigTable t2(&cfg2);
  REQUIRE(t2.LoadFile(path2));
  REQUIRE(Set(t2, {"client-output-buffer-limit", "pubsub 0 0 0"}));
  REQUIRE(t2.Rewrite());
  CHECK(ReadFile(path2) ==
        "port 17402\n"
        "save \"\"\n"
        "\n"
        "# Generated by CONFIG REWRITE\n"
        "dir \"" +
            cfg2.dir +
            "\"\n"
            "latency-tracking-info-percentiles 50 99 99.9\n"
            "client-output-buffer-limit pubsub 0 0 0\n");
}

}  // namespace
}  // namespace baozi
