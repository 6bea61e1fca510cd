#include "server/dispatcher.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "server/aof.h"
#include "server/cmd_context.h"
#include "server/eviction.h"
#include "server/latency.h"
#include "server/propagate.h"
#include "server/scripting/scripting.h"
#include "server/server.h"
#include "server/snapshot.h"

namespace baozi {
namespace {

// What printf's "%.*s" prints of an argument: Redis formats these errors with it, so every
// argument stops at its first NUL byte.
std::string_view CString(std::string_view s) { return s.substr(0, s.find('\0')); }

std::string UnknownCommandError(std::span<const std::string_view> argv) {
  // Redis 7: "unknown command '<name>', with args beginning with: '<a1>' '<a2>' " with the
  // argument list cut once it reaches 128 bytes.
  std::string msg = "unknown command '";
  msg.append(CString(argv[0]).substr(0, 128));
  msg += "', with args beginning with: ";
  std::string args;
  for (size_t i = 1; i < argv.size() && args.size() < 128; ++i) {
    size_t room = 128 - args.size();
    args += '\'';
    args.append(CString(argv[i]).substr(0, room));
    args += "' ";
  }
  msg += args;
  return msg;
}

constexpr std::string_view kErrDebugNotAllowed =
    "DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can "
    "run it from a local connection, otherwise you need to set this option in the configuration "
    "file, and then restart the server.";

// Redis allowProtectedAction: yes, or local for a loopback/unix-socket client.
bool DebugCommandAllowed(const Config& cfg, const Client& client) {
  return cfg.enable_debug_command == ProtectedAction::kYes ||
         (cfg.enable_debug_command == ProtectedAction::kLocal && client.Has(kClientLocal));
}

}  // namespace

void FeedMonitors(Server& server, Client& client, std::span<const std::string_view> argv) {
  int64_t us = server.clock().NowUs();
  char head[96];
  std::string who = client.Has(kClientUnixSocket) ? "unix:" + client.laddr : client.addr;
  int n =
      std::snprintf(head, sizeof(head), "%lld.%06lld [%d ", static_cast<long long>(us / 1000000),
                    static_cast<long long>(us % 1000000), client.db());
  std::string line(head, n);
  line += who;
  line += "]";
  for (std::string_view a : argv) {
    line += " \"";
    for (unsigned char ch : a) {
      switch (ch) {
        case '\\':
          line += "\\\\";
          break;
        case '"':
          line += "\\\"";
          break;
        case '\n':
          line += "\\n";
          break;
        case '\r':
          line += "\\r";
          break;
        case '\t':
          line += "\\t";
          break;
        case '\a':
          line += "\\a";
          break;
        case '\b':
          line += "\\b";
          break;
        default:
          if (std::isprint(ch)) {
            line += static_cast<char>(ch);
          } else {
            char hex[8];
            std::snprintf(hex, sizeof(hex), "\\x%02x", ch);
            line += hex;
          }
      }
    }
    line += '"';
  }
  for (Client* m : server.monitors()) {
    m->rb().SendSimple(line);
    if (server.on_reply_ready) server.on_reply_ready(m);
  }
}

namespace {

void AddSlowlogEntry(Server& server, Client& client, std::span<const std::string_view> argv,
                     int64_t duration_us) {
  const Config& cfg = server.config();
  if (cfg.slowlog_log_slower_than < 0 || duration_us < cfg.slowlog_log_slower_than) return;
  SlowLogEntry e;
  e.id = server.NextSlowlogId();
  e.time_s = server.clock().NowMs() / 1000;
  e.duration_us = duration_us;
  // Redis keeps at most 32 arguments and 128 bytes of each.
  size_t keep = std::min<size_t>(argv.size(), 32);
  for (size_t i = 0; i < keep; ++i) {
    if (keep != argv.size() && i == keep - 1) {
      e.args.push_back("... (" + std::to_string(argv.size() - keep + 1) + " more arguments)");
      break;
    }
    std::string_view a = argv[i];
    if (a.size() > 128) {
      e.args.push_back(std::string(a.substr(0, 128)) + "... (" + std::to_string(a.size() - 128) +
                       " more bytes)");
    } else {
      e.args.emplace_back(a);
    }
  }
  e.peer = client.addr;
  e.name = client.name();
  auto& log = server.slowlog();
  log.push_front(std::move(e));
  while (log.size() > cfg.slowlog_max_len) log.pop_back();
}

// Counts the error replies written since the last count (a command inside EXEC counts its own,
// so EXEC itself only counts what it wrote after them).
void CountErrors(Server& server, Client& client) {
  uint64_t total = client.rb().error_count();
  uint64_t n = total - client.errors_accounted;
  client.errors_accounted = total;
  if (n == 0) return;
  CountErrorReplies(server, client.rb().last_error_code(), n);
}

}  // namespace

void CountErrorReplies(Server& server, std::string_view code, uint64_t n) {
  server.stats().total_error_replies += n;
  auto& codes = server.stats().error_codes;
  auto it = codes.find(code);
  if (it == codes.end()) {
    // Redis stops tracking new error codes after 128 distinct ones.
    if (codes.size() >= 128) return;
    it = codes.emplace(std::string(code), 0).first;
  }
  it->second += n;
}

namespace {

bool PausedFor(Server& server, const Command& cmd, uint32_t cmd_flags, const Client& client) {
  if (!server.IsPaused(server.keyspace().now_ms())) return false;
  if (server.pause().all) return true;
  uint32_t flags = cmd_flags;
  // EXEC writes if anything it queued writes.
  if (client.multi && cmd.name() == "exec") flags |= client.multi->cmd_flags;
  return (flags & (kWrite | kMayReplicate)) != 0;
}

// The commands that act on the transaction itself instead of being queued (processCommand's
// list); only looked at while a client is inside MULTI.
bool ControlsTransaction(const Command& cmd) {
  std::string_view n = cmd.name();
  return n == "exec" || n == "discard" || n == "multi" || n == "watch" || n == "quit" ||
         n == "reset";
}

// Redis's rejectCommand: the error, the rejected-call count, and a failed transaction — a
// command refused while queuing makes EXEC answer EXECABORT, and EXEC refused itself aborts at
// once with the reason.
void Reject(Server& server, Client& client, std::span<const std::string_view> argv, Command* cmd,
            std::string_view error) {
  if (client.Has(kClientMulti)) client.Set(kClientDirtyExec);
  if (cmd != nullptr) cmd->stats().rejected_calls++;
  if (cmd != nullptr && cmd->name() == "exec") {
    // Inside MULTI or not, a refused EXEC ends whatever transaction and WATCHes there were, and
    // MONITOR sees it (execCommandAbort).
    DiscardTransaction(server, client);
    if (!server.monitors().empty()) FeedMonitors(server, client, argv);
    std::string_view reason = error;
    if (!reason.empty() && reason[0] == '-') {
      reason.remove_prefix(1);
    } else if (reason.starts_with("ERR ")) {
      reason.remove_prefix(4);
    }
    std::string msg = "-EXECABORT Transaction discarded because of: ";
    msg.append(reason);
    client.rb().SendError(msg);
  } else {
    client.rb().SendError(error);
  }
  CountErrors(server, client);
}

}  // namespace

void DiscardTransaction(Server& server, Client& client) {
  client.multi.reset();
  client.Clear(kClientMulti);
  client.Clear(kClientDirtyCas);
  client.Clear(kClientDirtyExec);
  server.watches().UnwatchAll(client);
}

void Call(Server& server, Client& client, const Command& cmd,
          std::span<const std::string_view> argv) {
  client.last_cmd = &cmd;
  CmdContext ctx(server, client, cmd, argv);
  const uint64_t uncounted_before = client.rb().uncounted_errors();
  auto start = std::chrono::steady_clock::now();
  // The handler, then Redis call()'s propagation of what it changed (server/propagate.h).
  propagation::RunHandler(server, ctx);
  int64_t duration_us = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::steady_clock::now() - start)
                            .count();

  // Client tracking remembers what a read-only command read, for the client that sent it or
  // the one running the script (a read-only script itself is not looked into, only the
  // commands it runs).
  if (cmd.Has(kReadOnly) && server.tracking().clients() > 0) {
    std::string_view n = cmd.name();
    if (n != "eval_ro" && n != "evalsha_ro" && n != "fcall_ro") {
      ScriptRun* run = server.scripting().running();
      Client& caller = run != nullptr && run->caller != nullptr ? *run->caller : client;
      if (caller.Has(kClientTracking) && !caller.Has(kClientTrackingBcast)) {
        server.tracking().RememberKeys(caller, cmd, argv);
      }
    }
  }

  CommandStats& st = cmd.stats();
  st.calls++;
  st.usec += duration_us;
  // An error that was not counted again (a script passing on its command's error) still makes
  // the command a failed call, as Redis's afterErrorReply does.
  if (client.rb().error_count() != client.errors_accounted ||
      client.rb().uncounted_errors() != uncounted_before) {
    st.failed_calls++;
  }
  CountErrors(server, client);
  server.stats().total_commands_processed++;
  client.commands_processed++;
  // Redis call(): the "command"/"fast-command" latency event, and the command's latency
  // histogram (nanoseconds).
  LatencyAddSampleIfNeeded(server, cmd.Has(kFast) ? "fast-command" : "command", duration_us / 1000);
  if (server.config().latency_tracking) cmd.RecordLatency(duration_us * 1000);
  if (!cmd.Has(kSkipSlowlog)) AddSlowlogEntry(server, client, argv, duration_us);
  // Redis 7.0 feeds MONITOR after the call, so a transaction shows as MULTI, its commands,
  // then EXEC.
  if (!server.monitors().empty() && !cmd.Has(kSkipMonitor) && !cmd.Has(kAdmin)) {
    FeedMonitors(server, client, argv);
  }
}

DispatchResult Dispatch(Server& server, Client& client, std::span<const std::string_view> argv) {
  if (argv.empty()) return DispatchResult::kDone;
  int64_t now_ms = server.clock().NowMs();
  server.keyspace().set_now_ms(now_ms);
  client.set_last_interaction_ms(now_ms);

  // CLIENT REPLY OFF/SKIP: the reply is built as usual and then dropped, unless the command
  // itself turned replies back on (CLIENT REPLY ON answers +OK).
  if (client.Has(kClientReplySkipNext)) {
    client.Clear(kClientReplySkipNext);
    client.Set(kClientReplySkip);
  }
  // Pub/sub frames are pushes and are delivered whatever CLIENT REPLY says (Redis's
  // CLIENT_PUSHING): they wait in pending_push (PubSub writes there while replies are off) and
  // join the output after the command's own reply was dropped.
  struct DropSkippedReply {
    Client& c;
    size_t out_before;
    ~DropSkippedReply() {
      if (c.Has(kClientReplySkip) || c.Has(kClientReplyOff)) c.out().resize(out_before);
      c.Clear(kClientReplySkip);
      c.executing = false;
      c.FlushPendingPushes();
    }
  } drop{client, client.out().size()};
  client.executing = true;

  Command* cmd = server.registry().Find(argv[0]);
  // The client whose command this is, for client tracking (NOLOOP, and its own invalidations
  // waiting for its reply); CLIENT CACHING's yes/no lasts one command, or one transaction
  // (Redis resetClient).
  struct TrackingScope {
    Server& server;
    Client& c;
    const Command* cmd;
    Client* outer;
    bool outer_executing;  // a script's client, while other clients are served mid-script
    ~TrackingScope() {
      server.tracking().set_current(outer, outer_executing);
      if (!c.Has(kClientMulti) && (cmd == nullptr || cmd->name() != "client")) {
        c.Clear(kClientTrackingCaching);
      }
    }
  } tracking_scope{server, client, cmd, server.tracking().current(), server.tracking().executing()};
  server.tracking().set_current(&client, false);
  if (cmd != nullptr && cmd->IsContainer() && argv.size() >= 2) {
    Command* sub = cmd->FindSubcommand(argv[1]);
    if (sub == nullptr) {
      client.last_cmd = nullptr;
      // Redis names the command as typed (a rename-command alias included).
      std::string upper(CString(argv[0]));
      for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      std::string msg = "unknown subcommand '";
      msg.append(CString(argv[1]).substr(0, 128));
      msg += "'. Try " + upper + " HELP.";
      Reject(server, client, argv, nullptr, msg);
      return DispatchResult::kDone;
    }
    cmd = sub;
  }
  // CLIENT LIST's cmd= names the last command looked up, whether it then ran, was queued or was
  // refused (NULL when unknown).
  client.last_cmd = cmd;
  if (cmd == nullptr) {
    Reject(server, client, argv, nullptr, UnknownCommandError(argv));
    return DispatchResult::kDone;
  }
  int argc = static_cast<int>(argv.size());
  if ((cmd->arity() > 0 && cmd->arity() != argc) || argc < -cmd->arity()) {
    Reject(server, client, argv, cmd, ArityError(cmd->full_name()));
    return DispatchResult::kDone;
  }
  // Redis getCommandFlags: a script that declares flags (a shebang, a function's flags) makes
  // its EVAL/FCALL a write or not, deny-oom or not, for every check below.
  uint32_t cmd_flags = cmd->flags();
  if ((cmd_flags & (kSkipMonitor | kNoMandatoryKeys)) == (kSkipMonitor | kNoMandatoryKeys)) {
    cmd_flags = server.scripting().CommandFlags(*cmd, argv);
  }
  // DEBUG under enable-debug-command is refused before AUTH is asked for, as in Redis's
  // processCommand (and so is queued as an error inside MULTI).
  if (cmd->Has(kProtected) && !DebugCommandAllowed(server.config(), client)) {
    Reject(server, client, argv, cmd, kErrDebugNotAllowed);
    return DispatchResult::kDone;
  }
  if (!client.authenticated() && !server.config().requirepass.empty() && !cmd->Has(kNoAuth)) {
    Reject(server, client, argv, cmd, kErrNoAuth);
    return DispatchResult::kDone;
  }
  bool in_multi = client.Has(kClientMulti);
  if (in_multi && cmd->Has(kNoMulti)) {
    Reject(server, client, argv, cmd, "Command not allowed inside a transaction");
    return DispatchResult::kDone;
  }
  // maxmemory (processCommand's order): evict before every command, whatever it is; if that
  // could not bring memory under the limit, refuse the commands that may grow it. Inside MULTI
  // the queue itself grows, so everything but EXEC/DISCARD/QUIT/RESET is refused, and EXEC is
  // refused when it queued a deny-oom command.
  const bool busy = server.scripting().busy();
  if (server.config().maxmemory != 0 && !busy) {
    bool out_of_memory = PerformEvictions(server) == EvictResult::kFail;
    if (out_of_memory) {
      bool deny = (cmd_flags & kDenyOom) != 0;
      if (in_multi) {
        std::string_view n = cmd->name();
        if (n == "exec") {
          deny = deny || (client.multi->cmd_flags & kDenyOom) != 0;
        } else if (n != "discard" && n != "quit" && n != "reset") {
          deny = true;
        }
      }
      if (deny) {
        Reject(server, client, argv, cmd,
               "-OOM command not allowed when used memory > 'maxmemory'.");
        return DispatchResult::kDone;
      }
    }
  }
  // A failed background save, or a failed AOF write or background fsync (under everysec/no),
  // stops writes (Redis writeCommandsDeniedByDiskError), and PING too, so a health check
  // notices; EXEC counts as a write when it queued one.
  int aof_errno = 0;
  const bool rdb_denied = server.snapshot().WritesDenied();
  if (rdb_denied || server.aof().WritesDenied(&aof_errno)) {
    bool is_write = (cmd_flags & kWrite) ||
                    (cmd->name() == "exec" && client.multi && (client.multi->cmd_flags & kWrite));
    if (is_write || cmd->name() == "ping") {
      Reject(server, client, argv, cmd,
             rdb_denied ? std::string(kErrMisconf)
                        : std::string("-MISCONF Errors writing to the AOF file: ") +
                              std::strerror(aof_errno));
      return DispatchResult::kDone;
    }
  }
  // Bounded tracking table (Redis processCommand's trackingLimitUsedSlots).
  if (server.tracking().clients() > 0) server.tracking().LimitUsedSlots();
  // A RESP2 connection that subscribed speaks the pub/sub protocol: only these commands.
  if (client.Has(kClientPubSub) && client.resp() == 2) {
    std::string_view n = cmd->name();
    if (n != "ping" && n != "subscribe" && n != "ssubscribe" && n != "unsubscribe" &&
        n != "sunsubscribe" && n != "psubscribe" && n != "punsubscribe" && n != "quit" &&
        n != "reset") {
      Reject(server, client, argv, cmd,
             "Can't execute '" + cmd->full_name() +
                 "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in "
                 "this context");
      return DispatchResult::kDone;
    }
  }
  // A script past busy-reply-threshold is running (this command arrived while it yields): only
  // allow-busy commands run.
  if (busy && !cmd->Has(kAllowBusy)) {
    Reject(server, client, argv, cmd, server.scripting().BusyError());
    return DispatchResult::kDone;
  }
  if (PausedFor(server, *cmd, cmd_flags, client)) {
    client.Set(kClientPaused);
    server.paused_clients().push_back(client.id());
    return DispatchResult::kPaused;
  }

  if (in_multi && !ControlsTransaction(*cmd)) {
    client.multi->commands.push_back({cmd, std::vector<std::string>(argv.begin(), argv.end())});
    client.multi->cmd_flags |= cmd_flags;
    client.rb().SendSimple("QUEUED");
    return DispatchResult::kDone;
  }

  const size_t used_before = server.config().maxmemory != 0 ? server.UsedMemory() : 0;
  server.tracking().set_current(&client, true);
  Call(server, client, *cmd, argv);
  // Invalidations this command caused for its own client follow its reply (not while a busy
  // script's client has its own waiting: they follow the script's reply).
  if (!busy) server.tracking().HandlePending();
  server.tracking().set_current(&client, false);
  // Clients blocked on keys this command filled are served now that it has finished whole (for
  // EXEC: after the whole transaction).
  if (busy) return DispatchResult::kDone;  // nothing may run inside the script but this command
  if (server.blocking().HasReady()) server.blocking().ServeReady();
  // Redis only evicts before the next command; evicting after this one as well keeps used
  // memory within the limit between commands even when one of them wrote a large value (for
  // EXEC once, after the whole transaction): after a command that grew memory the run is not
  // cut short by maxmemory-eviction-tenacity. One that did not (CONFIG SET maxmemory lowering
  // the limit) gets Redis's time-limited run, the rest following in later loop turns. A
  // command that brought memory back under the limit ends an over-the-limit stretch (INFO's
  // eviction_exceeded_time) here too.
  if (uint64_t limit = server.config().maxmemory;
      limit != 0 &&
      (server.UsedMemory() > limit || server.stats().eviction_exceeded_since_us != 0)) {
    PerformEvictions(server, /*bounded=*/server.UsedMemory() <= used_before);
  }
  return DispatchResult::kDone;
}

}  // namespace baozi
