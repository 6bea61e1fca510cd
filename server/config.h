// Server configuration with Redis 7.0.15's syntax, validation, error texts and formatting.
//
// `Config` is a plain struct the hot path reads directly (cfg.port, cfg.maxmemory, ...).
// `ConfigTable` is the one table that knows, for each parameter, its name, type, default,
// bounds, flags and how to parse, print and rewrite it. Everything that touches configuration
// text goes through it: redis.conf loading, the command line, CONFIG GET/SET/REWRITE.
//
//   Config cfg;
//   ConfigTable table(&cfg);
//   if (auto r = table.LoadCommandLine(argc, argv); !r) { Die(r.error()); }
//   table.SetApplyHook("port", [&](const Config& c) { return Relisten(c.port); });
//   std::string_view args[] = {"maxmemory", "100mb", "maxmemory-policy", "allkeys-lru"};
//   auto r = table.Set(args);   // atomic: both or neither; r.error() has no "ERR " prefix
//
// Behaviour notes (all checked against redis-server 7.0.15):
//  - Names are case-insensitive. CONFIG GET reports an exact (non-glob) name in the caller's
//    spelling and glob matches in canonical spelling, each parameter at most once.
//  - dir and dbfilename are "protected": CONFIG SET refuses them unless enable-protected-configs
//    (immutable, default no) is yes, or local and the caller is on a loopback/unix connection.
//    Immutable ones (daemonize, databases, ...) are always refused by CONFIG SET.
//  - `rename-command old new` lines (config file or command line) go to the renamer hook, in
//    order, while loading; an empty `new` disables the command.
//  - Setting `dir` changes the process's working directory (chdir), as Redis does, so the RDB
//    and AOF file names stay relative to it.
//  - In config files (and command-line options) repeated `save` lines accumulate and the first
//    one replaces the default schedule; CONFIG SET save replaces the schedule.
//  - hz is clamped to [1, 500] after being set, so CONFIG GET hz may differ from what was set.
#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/keyspace_events.h"

namespace baozi {

enum class LogLevel : uint8_t { kDebug = 0, kVerbose = 1, kNotice = 2, kWarning = 3 };
enum class AppendFsync : uint8_t { kEverySec, kAlways, kNo };
enum class MaxmemoryPolicy : uint8_t {
  kVolatileLru,
  kVolatileLfu,
  kVolatileRandom,
  kVolatileTtl,
  kAllKeysLru,
  kAllKeysLfu,
  kAllKeysRandom,
  kNoEviction,
};
// enable-debug-command / enable-protected-configs: never, always, or only for clients on a
// loopback (127.0.0.1, ::1) or unix-socket connection.
enum class ProtectedAction : uint8_t { kNo, kYes, kLocal };
// sanitize-dump-payload. baozi validates every RESTORE payload and RDB file deeply whatever
// the setting says: the parameter exists so that configurations and tools setting it work.
enum class SanitizeDump : uint8_t { kNo, kYes, kClients };

// Parses Redis's notify-keyspace-events letters ("KEA", "Ex", ...) into a mask. Any other
// character fails with Redis's message.
std::expected<uint32_t, std::string> KeyspaceEventsFromString(std::string_view classes);
// The canonical letters Redis prints back: "A" stands for the whole kAll set, then K, E, m.
std::string KeyspaceEventsToString(uint32_t flags);

// client-output-buffer-limit classes, in Redis's order (CLIENT_TYPE_NORMAL, _SLAVE, _PUBSUB).
enum ObufClass : uint8_t { kObufNormal = 0, kObufReplica = 1, kObufPubSub = 2, kObufClasses = 3 };

// One class's limits: over `hard_bytes` a client is closed at once; over `soft_bytes` for more
// than `soft_seconds` it is closed too. 0 bytes = no such limit.
struct OutputBufferLimit {
  uint64_t hard_bytes = 0;
  uint64_t soft_bytes = 0;
  int soft_seconds = 0;
  bool operator==(const OutputBufferLimit&) const = default;
};

struct SavePoint {
  int64_t seconds;  // BGSAVE after this many seconds ...
  int changes;      // ... if at least this many writes happened
  bool operator==(const SavePoint&) const = default;
};

// Defaults are Redis 7.0.15's (an instance started without a config file).
struct Config {
  // Network
  std::vector<std::string> bind = {"*", "-::*"};  // empty = listen on no TCP address
  int port = 6379;
  int tcp_backlog = 511;
  std::string unixsocket;       // empty = no unix socket
  unsigned unixsocketperm = 0;  // octal permission bits; 0 = leave umask's
  int timeout = 0;              // idle client timeout in seconds, 0 = never
  int tcp_keepalive = 300;
  unsigned maxclients = 10000;
  bool protected_mode = true;
  // General
  int databases = 16;
  std::string requirepass;  // empty = no password
  bool daemonize = false;
  std::string pidfile;
  LogLevel loglevel = LogLevel::kNotice;
  std::string logfile;  // empty = stdout
  int hz = 10;
  ProtectedAction enable_debug_command = ProtectedAction::kNo;
  ProtectedAction enable_protected_configs = ProtectedAction::kNo;
  SanitizeDump sanitize_dump_payload = SanitizeDump::kNo;
  // Persistence
  std::string dir;  // absolute working directory; ConfigTable fills it in
  std::string dbfilename = "dump.rdb";
  std::vector<SavePoint> save = {{3600, 1}, {300, 100}, {60, 10000}};
  bool stop_writes_on_bgsave_error = true;
  bool rdbcompression = true;
  bool rdbchecksum = true;
  bool appendonly = false;
  std::string appendfilename = "appendonly.aof";
  AppendFsync appendfsync = AppendFsync::kEverySec;
  std::string appenddirname = "appendonlydir";  // under `dir`, holds the multi-part AOF
  bool aof_use_rdb_preamble = true;
  bool aof_load_truncated = true;
  int auto_aof_rewrite_percentage = 100;
  int64_t auto_aof_rewrite_min_size = 64LL * 1024 * 1024;
  bool aof_timestamp_enabled = false;
  bool aof_rewrite_incremental_fsync = true;
  bool aof_disable_auto_gc = false;        // keep the history files a rewrite leaves
  bool rdb_save_incremental_fsync = true;  // fdatasync every 4 MB while writing an RDB
  bool no_appendfsync_on_rewrite = false;
  // Memory and eviction
  uint64_t maxmemory = 0;  // bytes, 0 = no limit
  MaxmemoryPolicy maxmemory_policy = MaxmemoryPolicy::kNoEviction;
  int maxmemory_samples = 5;
  int maxmemory_eviction_tenacity = 10;
  int lfu_log_factor = 10;
  int lfu_decay_time = 1;
  int active_expire_effort = 1;
  bool lazyfree_lazy_user_del = false;
  bool lazyfree_lazy_user_flush = false;
  // Accepted for redis.conf compatibility: baozi frees an evicted key's memory at once, so
  // "lazy" eviction behaves as Redis's does once its free thread has caught up.
  bool lazyfree_lazy_eviction = false;
  // Freeing is synchronous either way; these choose what a deletion propagates to the AOF:
  // UNLINK (yes) or DEL (no), as Redis's propagateDeletion does.
  bool lazyfree_lazy_expire = false;
  bool lazyfree_lazy_server_del = false;
  // Compact encodings (storage/encoding_limits.h); Redis 7.0's compiled-in defaults.
  int64_t hash_max_listpack_entries = 512;
  int64_t hash_max_listpack_value = 64;
  int64_t stream_node_max_bytes = 4096;
  int64_t stream_node_max_entries = 100;
  int64_t zset_max_listpack_entries = 128;
  int64_t zset_max_listpack_value = 64;
  int64_t set_max_intset_entries = 512;
  int list_max_listpack_size = -2;
  // Events, limits, introspection
  uint32_t notify_keyspace_events = 0;      // notify:: bits
  int64_t slowlog_log_slower_than = 10000;  // microseconds; negative disables the slow log
  // How long a script runs before other clients get -BUSY and SCRIPT/FUNCTION KILL may stop it
  // (ms; 0 = never). lua-time-limit is its pre-7.0 name.
  int64_t busy_reply_threshold = 5000;
  uint64_t slowlog_max_len = 128;
  uint64_t tracking_table_max_keys = 1000000;  // 0 = no limit
  // Latency monitoring (server/latency.h): events at or above this many ms are kept (0 = off);
  // per-command latency histograms, and the percentiles INFO latencystats prints from them.
  int64_t latency_monitor_threshold = 0;
  bool latency_tracking = true;
  std::vector<double> latency_tracking_info_percentiles = {50.0, 99.0, 99.9};
  int64_t proto_max_bulk_len = 512ll * 1024 * 1024;
  uint64_t client_query_buffer_limit = 1024ull * 1024 * 1024;
  // Indexed by ObufClass.
  std::array<OutputBufferLimit, kObufClasses> client_output_buffer_limit = {{
      {0, 0, 0},
      {256ull * 1024 * 1024, 64ull * 1024 * 1024, 60},
      {32ull * 1024 * 1024, 8ull * 1024 * 1024, 60},
  }};

  bool operator==(const Config&) const = default;
};

// Called after CONFIG SET changed a parameter, with the new configuration. An error makes the
// whole CONFIG SET fail and roll back.
using ConfigApplyHook = std::function<std::expected<void, std::string>(const Config&)>;
// Applies one `rename-command from to` line (to == "" disables `from`); the error is Redis's
// reason ("No such command in rename-command", ...).
using CommandRenamer =
    std::function<std::expected<void, std::string>(std::string_view from, std::string_view to)>;

class ConfigTable {
 public:
  // `cfg` must outlive the table. An empty cfg->dir is set to the current directory.
  explicit ConfigTable(Config* cfg);
  ~ConfigTable();
  ConfigTable(const ConfigTable&) = delete;
  ConfigTable& operator=(const ConfigTable&) = delete;

  // Loads a redis.conf file and remembers it (absolute path) as the file CONFIG REWRITE
  // writes. Errors name the file, the line number, the line and Redis's reason:
  //   "redis.conf:12: 'foo bar' - Bad directive or wrong number of arguments"
  std::expected<void, std::string> LoadFile(const std::string& path);
  // Loads configuration text; `origin` names it in error messages.
  std::expected<void, std::string> LoadString(std::string_view text, std::string_view origin);
  // redis-server's command line: `prog [configfile] [-] [--name value ...] [--name v1 v2]`.
  // `-` (first or last) appends stdin to the file. Options are applied after the file, with
  // origin "command line". -v/--version/--help are the caller's business.
  std::expected<void, std::string> LoadCommandLine(int argc, char** argv);

  // CONFIG GET: (name, value) for every parameter matching any of the patterns.
  std::vector<std::pair<std::string, std::string>> Get(
      std::span<const std::string_view> patterns) const;
  // CONFIG SET name value [name value ...]. On failure nothing changed and the error is
  // Redis's text without the "ERR " prefix. `local_caller` (a loopback or unix-socket client)
  // matters only for protected parameters under enable-protected-configs local.
  std::expected<void, std::string> Set(std::span<const std::string_view> name_value_pairs,
                                       bool local_caller = false);
  // CONFIG REWRITE of config_file(). Error text without "ERR ".
  std::expected<void, std::string> Rewrite();

  // Installs (or, with an empty function, removes) the hook run when `name` changes.
  void SetApplyHook(std::string_view name, ConfigApplyHook hook);
  // One hook for several parameters, run once per CONFIG SET however many of them changed
  // (Redis dedups its apply functions the same way), e.g. {"port", "bind"} -> re-listen.
  void SetApplyHook(std::initializer_list<std::string_view> names, ConfigApplyHook hook);

  // Where rename-command lines go while loading; without one they are refused as bad
  // directives.
  void SetCommandRenamer(CommandRenamer renamer) { renamer_ = std::move(renamer); }

  // Absolute path of the file loaded by LoadFile/LoadCommandLine; empty if none.
  const std::string& config_file() const { return config_file_; }
  // True for parameters whose CONFIG SET value must be redacted from logs (requirepass).
  bool IsSensitive(std::string_view name) const;

  struct Param;  // the table row; defined in config.cc

 private:
  struct LoadState;
  std::expected<void, std::string> LoadText(std::string_view text, std::string_view origin,
                                            LoadState& st);
  std::expected<void, std::string> LoadPath(const std::string& path, LoadState& st,
                                            bool is_include);
  std::expected<void, std::string> FinishLoad(std::string_view origin);
  const Param* Find(std::string_view name) const;

  Config* cfg_;
  std::vector<Param> params_;
  std::string config_file_;
  CommandRenamer renamer_;
  bool save_loaded_ = false;  // a config file's first `save` line drops the defaults
};

}  // namespace baozi
