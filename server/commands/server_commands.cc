// Server commands (server.c, config.c, debug.c, slowlog.c): INFO, CONFIG, TIME, LASTSAVE,
// SHUTDOWN, MONITOR, DEBUG, SLOWLOG, CLUSTER.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <thread>

#include "persistence/rdb.h"
#include "server/cmd_context.h"
#include "server/commands/common.h"
#include "server/commands/help.h"
#include "server/digest.h"
#include "server/info.h"
#include "server/scripting/scripting.h"
#include "server/snapshot.h"
#include "storage/numbers.h"

namespace baozi {
namespace {

// INFO [section ...]
void CmdInfo(CmdContext& ctx) {
  std::string info = GenerateInfo(ctx.server(), ctx.args().subspan(1));
  ctx.rb().SendVerbatim(info);
}

// CONFIG GET parameter [parameter ...]
void CmdConfigGet(CmdContext& ctx) {
  auto pairs = ctx.server().config_table().Get(ctx.args().subspan(2));
  ctx.rb().StartMap(pairs.size());
  for (auto& [name, value] : pairs) {
    ctx.rb().SendBulk(name);
    ctx.rb().SendBulk(value);
  }
}

// CONFIG SET parameter value [parameter value ...]
void CmdConfigSet(CmdContext& ctx) {
  if ((ctx.argc() - 2) % 2 != 0) {
    return ctx.SendArityError();
  }
  auto r = ctx.server().config_table().Set(ctx.args().subspan(2), ctx.client().Has(kClientLocal));
  if (!r) return ctx.SendError(r.error());
  ctx.rb().SendOk();
}

// CONFIG RESETSTAT
void CmdConfigResetStat(CmdContext& ctx) {
  Server& s = ctx.server();
  ServerStats fresh;
  s.stats() = fresh;
  KeyspaceStats& ks = s.keyspace().stats();
  uint64_t dirty = ks.dirty;
  ks = KeyspaceStats{};
  ks.dirty = dirty;
  // Latency histograms go too (Redis's resetCommandTableStats).
  s.registry().ForEachIncludingSubcommands([](const Command& c) {
    c.stats() = CommandStats{};
    c.ResetLatencyHistogram();
  });
  ctx.rb().SendOk();
}

// CONFIG REWRITE
void CmdConfigRewrite(CmdContext& ctx) {
  if (ctx.server().config_table().config_file().empty()) {
    return ctx.SendError("The server is running without a config file");
  }
  auto r = ctx.server().config_table().Rewrite();
  if (!r) {
    ctx.server().Log(Server::kWarning, "CONFIG REWRITE failed: " + r.error());
    return ctx.SendError("Rewriting config file: " + r.error());
  }
  ctx.server().Log(Server::kNotice, "CONFIG REWRITE executed with success.");
  ctx.rb().SendOk();
}

// CONFIG HELP
void CmdConfigHelp(CmdContext& ctx) {
  SendHelp(ctx, {
                    "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                    "GET <pattern>",
                    "    Return parameters matching the glob-like <pattern> and their values.",
                    "SET <directive> <value>",
                    "    Set the configuration <directive> to <value>.",
                    "RESETSTAT",
                    "    Reset statistics reported by the INFO command.",
                    "REWRITE",
                    "    Rewrite the configuration file.",
                });
}

// ROLE: a standalone server is a master with replication offset 0 and no replicas (what INFO
// replication says too); Sentinel-aware clients and node-redis ask it.
void CmdRole(CmdContext& ctx) {
  ctx.rb().StartArray(3);
  ctx.rb().SendBulk("master");
  ctx.rb().SendLong(0);
  ctx.rb().StartArray(0);
}

// TIME
void CmdTime(CmdContext& ctx) {
  int64_t us = ctx.server().clock().NowUs();
  char a[kIntBufSize], b[kIntBufSize];
  ctx.rb().StartArray(2);
  ctx.rb().SendBulk({a, FormatInt64(us / 1000000, a)});
  ctx.rb().SendBulk({b, FormatInt64(us % 1000000, b)});
}

// LASTSAVE
void CmdLastSave(CmdContext& ctx) { ctx.rb().SendLong(ctx.server().lastsave_s()); }

// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]
void CmdShutdown(CmdContext& ctx) {
  bool nosave = false, save = false, now = false, force = false, abort = false;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    if (EqualsIgnoreCase(a, "nosave")) {
      nosave = true;
    } else if (EqualsIgnoreCase(a, "save")) {
      save = true;
    } else if (EqualsIgnoreCase(a, "now")) {
      now = true;
    } else if (EqualsIgnoreCase(a, "force")) {
      force = true;
    } else if (EqualsIgnoreCase(a, "abort")) {
      abort = true;
    } else {
      return ctx.SendError(Errc::kSyntax);
    }
  }
  if ((abort && ctx.argc() != 2) || (nosave && save)) return ctx.SendError(Errc::kSyntax);
  // No replicas to wait for, so a shutdown is never in progress when ABORT arrives.
  if (abort) return ctx.SendError("No shutdown in progress.");
  (void)now;
  Server& s = ctx.server();
  // While a script is busy only NOSAVE may stop the server (a save would persist the script's
  // partial effects); the network layer then ends the process from inside the script.
  if (!nosave && s.scripting().busy()) return ctx.SendError(s.scripting().BusyError());
  if (!s.snapshot().PrepareForShutdown(nosave, save, force)) {
    return ctx.SendError("Errors trying to SHUTDOWN. Check logs.");
  }
  s.ConfirmShutdown();
  ctx.client().Set(kClientCloseAsap);
}

// MONITOR
void CmdMonitor(CmdContext& ctx) {
  Client& c = ctx.client();
  // A client that expects one reply per command (EXEC, scripts) cannot turn into a stream.
  if (c.Has(kClientDenyBlocking))
    return ctx.SendError("MONITOR isn't allowed for DENY BLOCKING client");
  if (c.Has(kClientMonitor)) return;
  c.Set(kClientMonitor);
  ctx.server().monitors().push_back(&c);
  ctx.rb().SendOk();
}

// DEBUG subcommand [arguments]
bool DebugAllowed(CmdContext& ctx) {
  ProtectedAction mode = ctx.config().enable_debug_command;
  if (mode == ProtectedAction::kYes) return true;
  if (mode == ProtectedAction::kLocal && ctx.client().Has(kClientLocal)) return true;
  ctx.SendError(
      "DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you "
      "can run it from a local connection, otherwise you need to set this option in the "
      "configuration file, and then restart the server.");
  return false;
}

// Redis rdbSavedObjectLen: the bytes of the value's RDB object form, which is a DUMP payload
// without its type byte and its 10-byte footer (version and CRC-64).
size_t RdbObjectLen(const Value& v, bool compress) {
  return rdb::DumpPayload(v, compress).size() - 11;
}

void CmdDebug(CmdContext& ctx) {
  if (!DebugAllowed(ctx)) return;
  std::string_view sub = ctx.arg(1);
  if (EqualsIgnoreCase(sub, "help") && ctx.argc() == 2) {
    return SendHelp(ctx, {
                             "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                             "DIGEST",
                             "    Output a hex signature representing the current DB content.",
                             "DIGEST-VALUE <key> [<key> ...]",
                             "    Output a hex signature of the values of all the specified keys.",
                             "OBJECT <key>",
                             "    Show low level info about the key and associated value.",
                             "RELOAD [option ...]",
                             "    Save the RDB on disk and reload it back to memory. Valid "
                             "<option> values:",
                             "    * MERGE: conflicting keys will be loaded from RDB.",
                             "    * NOFLUSH: the existing database will not be removed before "
                             "load, but",
                             "      conflicting keys make the reload fail (Redis stops the "
                             "server).",
                             "    * NOSAVE: the database will be loaded from an existing RDB file.",
                             "SET-ACTIVE-EXPIRE <0|1>",
                             "    Setting it to 0 disables expiring keys in background when they "
                             "are not accessed (otherwise the Redis behavior). Setting it to 1 "
                             "reenables back the default.",
                             "SLEEP <seconds>",
                             "    Stop the server for <seconds>. Decimals allowed.",
                         });
  }
  if (EqualsIgnoreCase(sub, "sleep") && ctx.argc() == 3) {
    auto secs = ParseDouble(ctx.arg(2));
    double d = secs.value_or(0);
    if (d > 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(static_cast<int64_t>(d * 1e6)));
    }
    return ctx.rb().SendOk();
  }
  if (EqualsIgnoreCase(sub, "set-active-expire") && ctx.argc() == 3) {
    auto v = ParseInt64(ctx.arg(2));
    ctx.server().set_active_expire_enabled(v.value_or(0) != 0);
    return ctx.rb().SendOk();
  }
  if (EqualsIgnoreCase(sub, "object") && ctx.argc() == 3) {
    DbEntry* e = ctx.db().Find(ctx.arg(2));
    if (e == nullptr) return ctx.SendError(Errc::kNoSuchKey);
    const Value& v = e->value;
    std::string_view enc = EncodingName(v.encoding());
    bool shared = v.is_int() && v.int_value() >= 0 && v.int_value() < 10000;
    char buf[256];
    std::snprintf(buf, sizeof(buf),
                  "Value at:%p refcount:%d encoding:%.*s serializedlength:%zu lru:%u "
                  "lru_seconds_idle:%lld",
                  static_cast<const void*>(&v), shared ? 2147483647 : 1,
                  static_cast<int>(enc.size()), enc.data(),
                  RdbObjectLen(v, ctx.config().rdbcompression),
                  ctx.server().keyspace().RedisLruField(v),
                  static_cast<long long>(ctx.server().keyspace().IdleSeconds(v)));
    return ctx.rb().SendSimple(buf);
  }
  if (EqualsIgnoreCase(sub, "digest") && ctx.argc() == 2) {
    return ctx.rb().SendSimple(Sha1::Hex(DatasetDigest(ctx.server().keyspace())));
  }
  if (EqualsIgnoreCase(sub, "digest-value") && ctx.argc() >= 2) {
    // The raw dictionary, not a lookup: a debug command sees logically expired keys too.
    ctx.rb().StartArray(ctx.argc() - 2);
    for (size_t j = 2; j < ctx.argc(); ++j) {
      const DbEntry* e = ctx.db().Peek(ctx.arg(j));
      ctx.rb().SendSimple(Sha1::Hex(e ? ValueDigest(ctx.db(), *e) : Sha1::Digest{}));
    }
    return;
  }
  if (EqualsIgnoreCase(sub, "reload")) {
    bool flush = true, save = true, merge = false;
    for (size_t j = 2; j < ctx.argc(); ++j) {
      std::string_view opt = ctx.arg(j);
      if (EqualsIgnoreCase(opt, "merge")) {
        merge = true;
      } else if (EqualsIgnoreCase(opt, "noflush")) {
        flush = false;
      } else if (EqualsIgnoreCase(opt, "nosave")) {
        save = false;
      } else {
        return ctx.SendError("DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
      }
    }
    Snapshot& snap = ctx.server().snapshot();
    if (save && !snap.SaveSync()) return ctx.SendError("-ERR");
    if (!snap.Reload(flush, merge)) {
      return ctx.SendError("Error trying to load the RDB dump");
    }
    ctx.server().Log(Server::kWarning, "DB reloaded by DEBUG RELOAD");
    return ctx.rb().SendOk();
  }
  ctx.SendError("unknown subcommand or wrong number of arguments for '" + std::string(sub) +
                "'. Try DEBUG HELP.");
}

// SLOWLOG GET [count]
void CmdSlowlogGet(CmdContext& ctx) {
  int64_t count = 10;
  if (ctx.argc() == 3) {
    auto c = ParseInt64(ctx.arg(2));
    if (!c || *c < -1) return ctx.SendError("count should be greater than or equal to -1");
    count = *c;
  }
  auto& log = ctx.server().slowlog();
  size_t n = count == -1 ? log.size() : std::min<size_t>(log.size(), static_cast<size_t>(count));
  auto& rb = ctx.rb();
  rb.StartArray(n);
  for (size_t i = 0; i < n; ++i) {
    const SlowLogEntry& e = log[i];
    rb.StartArray(6);
    rb.SendLong(static_cast<int64_t>(e.id));
    rb.SendLong(e.time_s);
    rb.SendLong(e.duration_us);
    rb.StartArray(e.args.size());
    for (const std::string& a : e.args) rb.SendBulk(a);
    rb.SendBulk(e.peer);
    rb.SendBulk(e.name);
  }
}

// SLOWLOG LEN
void CmdSlowlogLen(CmdContext& ctx) {
  ctx.rb().SendLong(static_cast<int64_t>(ctx.server().slowlog().size()));
}

// SLOWLOG RESET
void CmdSlowlogReset(CmdContext& ctx) {
  ctx.server().slowlog().clear();
  ctx.rb().SendOk();
}

// SLOWLOG HELP
void CmdSlowlogHelp(CmdContext& ctx) {
  SendHelp(ctx, {
                    "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                    "GET [<count>]",
                    "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
                    "    Entries are made of:",
                    "    id, timestamp, time in microseconds, arguments array, client IP and port,",
                    "    client name",
                    "LEN",
                    "    Return the length of the slowlog.",
                    "RESET",
                    "    Reset the slowlog.",
                });
}

// CLUSTER ... / READONLY / READWRITE in a standalone server.
void CmdClusterDisabled(CmdContext& ctx) {
  ctx.SendError("This instance has cluster support disabled");
}

}  // namespace

void RegisterPersistenceCommands(CommandRegistry& r);  // persistence_commands.cc
void RegisterAofCommands(CommandRegistry& r);          // aof_commands.cc

void RegisterServerCommands(CommandRegistry& r) {
  RegisterPersistenceCommands(r);
  RegisterAofCommands(r);
  r.Add({"info", -1, kLoading | kStale, {}, CmdInfo, "server"});
  Command* config = r.Add({"config", -2, 0, {}, CmdContainer, "server"});
  config->AddSubcommand(
      {"get", -3, kAdmin | kNoScript | kLoading | kStale, {}, CmdConfigGet, "server"});
  config->AddSubcommand(
      {"set", -4, kAdmin | kNoScript | kLoading | kStale, {}, CmdConfigSet, "server"});
  config->AddSubcommand(
      {"resetstat", 2, kAdmin | kNoScript | kLoading | kStale, {}, CmdConfigResetStat, "server"});
  config->AddSubcommand(
      {"rewrite", 2, kAdmin | kNoScript | kLoading | kStale, {}, CmdConfigRewrite, "server"});
  config->AddSubcommand({"help", 2, kLoading | kStale, {}, CmdConfigHelp, "server"});
  r.Add({"time", 1, kLoading | kStale | kFast, {}, CmdTime, "server"});
  r.Add({"role", 1, kNoScript | kLoading | kStale | kFast, {}, CmdRole, "server"});
  r.Add({"lastsave", 1, kLoading | kStale | kFast, {}, CmdLastSave, "server"});
  r.Add({"shutdown",
         -1,
         kAdmin | kNoScript | kLoading | kStale | kNoMulti | kAllowBusy,
         {},
         CmdShutdown,
         "server"});
  r.Add({"monitor", 1, kAdmin | kNoScript | kLoading | kStale, {}, CmdMonitor, "server"});
  r.Add({"debug", -2, kAdmin | kNoScript | kLoading | kStale | kProtected, {}, CmdDebug, "server"});
  Command* slowlog = r.Add({"slowlog", -2, 0, {}, CmdContainer, "server"});
  slowlog->AddSubcommand({"get", -2, kAdmin | kLoading | kStale, {}, CmdSlowlogGet, "server"});
  slowlog->AddSubcommand({"len", 2, kAdmin | kLoading | kStale, {}, CmdSlowlogLen, "server"});
  slowlog->AddSubcommand({"reset", 2, kAdmin | kLoading | kStale, {}, CmdSlowlogReset, "server"});
  slowlog->AddSubcommand({"help", 2, kLoading | kStale, {}, CmdSlowlogHelp, "server"});
  r.Add({"cluster", -2, 0, {}, CmdClusterDisabled, "cluster"});
  r.Add({"readonly", 1, kLoading | kStale | kFast, {}, CmdClusterDisabled, "cluster"});
  r.Add({"readwrite", 1, kLoading | kStale | kFast, {}, CmdClusterDisabled, "cluster"});
}

}  // namespace baozi
