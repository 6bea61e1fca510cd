// Connection commands (networking.c, acl.c): PING, ECHO, QUIT, RESET, AUTH, HELLO, CLIENT.
#include <algorithm>
#include <cstdio>
#include <limits>

#include "server/cmd_context.h"
#include "server/commands/common.h"
#include "server/commands/help.h"
#include "server/dispatcher.h"
#include "server/version.h"
#include "storage/numbers.h"

namespace baozi {
namespace {

// PING [message]
void CmdPing(CmdContext& ctx) {
  if (ctx.argc() > 2) {
    return ctx.SendArityError();
  }
  // A subscribed RESP2 connection gets pub/sub frames only: [pong, message] (redis-py's
  // health check matches it).
  if (ctx.client().Has(kClientPubSub) && ctx.client().resp() == 2) {
    ctx.rb().StartArray(2);
    ctx.rb().SendBulk("pong");
    return ctx.rb().SendBulk(ctx.argc() == 1 ? std::string_view() : ctx.arg(1));
  }
  if (ctx.argc() == 1) return ctx.rb().SendSimple("PONG");
  ctx.rb().SendBulk(ctx.arg(1));
}

// ECHO message
void CmdEcho(CmdContext& ctx) { ctx.rb().SendBulk(ctx.arg(1)); }

// QUIT
void CmdQuit(CmdContext& ctx) {
  ctx.rb().SendOk();
  ctx.client().Set(kClientCloseAfterReply);
}

// A client is authenticated from the start when the default user needs no password.
bool DefaultUserNoPass(const Server& server) { return server.config().requirepass.empty(); }

// RESET
void CmdReset(CmdContext& ctx) {
  Client& c = ctx.client();
  // Leaves MULTI, drops WATCHes and subscriptions (silently: no unsubscribe frames).
  if (c.Has(kClientMulti)) DiscardTransaction(ctx.server(), c);
  ctx.server().watches().UnwatchAll(c);
  c.Clear(kClientDirtyCas);
  ctx.server().pubsub().RemoveClient(c);
  c.Clear(kClientPubSub);
  ctx.server().tracking().Disable(c);
  c.set_db(0);
  c.set_resp(2);
  c.set_authenticated(DefaultUserNoPass(ctx.server()));
  c.set_name("");
  c.Clear(kClientReplyOff);
  c.Clear(kClientReplySkipNext);
  c.Clear(kClientNoEvict);
  c.Clear(kClientNoTouch);
  if (c.Has(kClientMonitor)) {
    auto& m = ctx.server().monitors();
    m.erase(std::remove(m.begin(), m.end(), &c), m.end());
    c.Clear(kClientMonitor);
  }
  ctx.rb().SendSimple("RESET");
}

// Checks a user/password pair against the only user baozi has, "default".
bool CheckPassword(CmdContext& ctx, std::string_view user, std::string_view pass) {
  const std::string& required = ctx.config().requirepass;
  if (user != "default") return false;
  return required.empty() || pass == required;
}

void ReplyWrongPass(CmdContext& ctx) {
  ctx.SendError("-WRONGPASS invalid username-password pair or user is disabled.");
}

// AUTH [username] password
void CmdAuth(CmdContext& ctx) {
  if (ctx.argc() > 3) return ctx.SendError(Errc::kSyntax);
  std::string_view user = "default", pass;
  if (ctx.argc() == 2) {
    if (ctx.config().requirepass.empty()) {
      return ctx.SendError(
          "AUTH <password> called without any password configured for the default user. Are you "
          "sure your configuration is correct?");
    }
    pass = ctx.arg(1);
  } else {
    user = ctx.arg(1);
    pass = ctx.arg(2);
  }
  if (!CheckPassword(ctx, user, pass)) return ReplyWrongPass(ctx);
  ctx.client().set_authenticated(true);
  ctx.rb().SendOk();
}

// Client names and library attributes: printable ASCII without spaces (CLIENT LIST stays
// parseable as space-separated k=v pairs).
bool ValidClientAttr(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '!' && ch <= '~'; });
}
constexpr std::string_view kBadClientName =
    "Client names cannot contain spaces, newlines or special characters.";

// HELLO [protover [AUTH username password] [SETNAME clientname]]
void CmdHello(CmdContext& ctx) {
  int64_t ver = 0;
  size_t j = 1;
  if (ctx.argc() >= 2) {
    auto v = ArgInt(ctx, ctx.arg(1), "Protocol version is not an integer or out of range");
    if (!v) return;
    if (*v < 2 || *v > 3) return ctx.SendError("-NOPROTO unsupported protocol version");
    ver = *v;
    j = 2;
  }
  std::optional<std::string_view> user, pass, name;
  for (; j < ctx.argc(); ++j) {
    size_t more = ctx.argc() - 1 - j;
    if (EqualsIgnoreCase(ctx.arg(j), "AUTH") && more >= 2) {
      user = ctx.arg(j + 1);
      pass = ctx.arg(j + 2);
      j += 2;
    } else if (EqualsIgnoreCase(ctx.arg(j), "SETNAME") && more >= 1) {
      name = ctx.arg(j + 1);
      if (!ValidClientAttr(*name)) return ctx.SendError(kBadClientName);
      ++j;
    } else {
      return ctx.SendError("Syntax error in HELLO option '" + std::string(ctx.arg(j)) + "'");
    }
  }
  Client& c = ctx.client();
  if (user && pass) {
    if (!CheckPassword(ctx, *user, *pass)) return ReplyWrongPass(ctx);
    c.set_authenticated(true);
  }
  if (!c.authenticated() && !ctx.config().requirepass.empty()) {
    return ctx.SendError(
        "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
        "AUTH <user> <pass> option can be used to authenticate the client and select the RESP "
        "protocol version at the same time");
  }
  if (name) c.set_name(*name);
  if (ver != 0) c.set_resp(static_cast<int>(ver));
  auto& rb = ctx.rb();
  rb.StartMap(7);
  rb.SendBulk("server");
  rb.SendBulk("redis");
  rb.SendBulk("version");
  rb.SendBulk(kRedisVersion);
  rb.SendBulk("proto");
  rb.SendLong(c.resp());
  rb.SendBulk("id");
  rb.SendLong(static_cast<int64_t>(c.id()));
  rb.SendBulk("mode");
  rb.SendBulk("standalone");
  rb.SendBulk("role");
  rb.SendBulk("master");
  rb.SendBulk("modules");
  rb.StartArray(0);
}

// --- CLIENT ---------------------------------------------------------------------------------

// Flag letters in Redis 7.2's order (catClientInfoString). baozi has no replicas, masters or
// READONLY, so S, M and r never show; a client held by CLIENT PAUSE
// shows b as in Redis, where a pause blocks it.
std::string FlagsString(const Client& c) {
  std::string f;
  if (c.Has(kClientMonitor)) f += 'O';
  if (c.Has(kClientPubSub)) f += 'P';
  if (c.Has(kClientMulti)) f += 'x';
  if (c.Has(kClientPaused) || c.Has(kClientBlocked)) f += 'b';
  if (c.Has(kClientTracking)) f += 't';
  if (c.Has(kClientTrackingBrokenRedir)) f += 'R';
  if (c.Has(kClientTrackingBcast)) f += 'B';
  if (c.Has(kClientDirtyCas)) f += 'd';
  if (c.Has(kClientCloseAfterReply)) f += 'c';
  if (c.Has(kClientCloseAsap)) f += 'A';
  if (c.Has(kClientUnixSocket)) f += 'U';
  if (c.Has(kClientNoEvict)) f += 'e';
  if (c.Has(kClientNoTouch)) f += 'T';
  if (f.empty()) f = "N";
  return f;
}

// multi-mem=: the queued commands' argument bytes plus one pointer per argument, as Redis 7
// counts mstate.argv_len_sums.
size_t MultiMemory(const Client& c) {
  if (!c.multi) return 0;
  size_t mem = 0;
  for (const QueuedCommand& q : c.multi->commands) {
    for (const std::string& a : q.argv) mem += a.size() + sizeof(void*);
  }
  return mem;
}

// The client's own subscription sets: hash nodes, bucket arrays and names too long for the
// string's inline buffer.
size_t SubscriptionMemory(const ClientPubSub& ps) {
  size_t mem = sizeof(ClientPubSub);
  for (const auto* set : {&ps.channels, &ps.patterns, &ps.shard_channels}) {
    mem += set->bucket_count() * sizeof(void*);
    for (const std::string& name : *set) {
      mem += sizeof(std::string) + 2 * sizeof(void*);  // node: next pointer, cached hash
      if (name.capacity() > 15) mem += name.capacity() + 1;
    }
  }
  return mem;
}

}  // namespace

// One CLIENT LIST line, in Redis's exact field order. The output fields map onto baozi's
// buffers like this: the reply buffer out() is Redis's static reply buffer and reply list in
// one (rbs = its allocation, rbp and obl = the bytes queued in it); a reply tail the socket did
// not take is held in one separate block until the socket is writable (oll = 1 while it
// exists). omem is every unsent reply byte (queued + held back), the number the
// client-output-buffer-limit checks compare; tot-mem adds up the allocations: the client
// itself, query buffer, argument bytes, reply buffers, MULTI queue, WATCH and subscription
// bookkeeping.
std::string ClientInfoLine(Server& server, const Client& c) {
  int64_t now = server.clock().NowMs();
  std::string cmd = c.last_cmd ? c.last_cmd->full_name() : "NULL";
  size_t sub = c.pubsub ? c.pubsub->channels.size() : 0;
  size_t psub = c.pubsub ? c.pubsub->patterns.size() : 0;
  size_t ssub = c.ShardSubscriptionCount();
  long long multi =
      c.Has(kClientMulti) && c.multi ? static_cast<long long>(c.multi->commands.size()) : -1;
  size_t multi_mem = MultiMemory(c);
  size_t omem = c.UnsentOutputBytes();
  // oll: queued chunks (shared pub/sub frames, a held-back tail), as Redis counts reply nodes.
  size_t oll = c.shared_out.size() + (c.pending_write_bytes > 0 ? 1 : 0);
  // Shared frames count in full for every client holding them: each keeps them alive.
  size_t tot_mem = sizeof(Client) + c.qbuf + c.qbuf_free + c.argv_mem + c.out().capacity() +
                   c.pending_push.capacity() + c.pending_write_capacity + c.shared_bytes +
                   multi_mem + c.watched.capacity() * sizeof(WatchedKey);
  if (c.multi) tot_mem += sizeof(MultiState) + c.multi->commands.capacity() * sizeof(QueuedCommand);
  if (c.pubsub) tot_mem += SubscriptionMemory(*c.pubsub);
  const char* events = c.events_write ? "rw" : "r";
  const long long redir = c.Has(kClientTracking) ? static_cast<long long>(c.tracking_redirect) : -1;
  // Client names and library names have no length limit: format twice when the first try
  // does not fit.
  auto format = [&](char* dst, size_t cap) {
    return std::snprintf(
        dst, cap,
        "id=%llu addr=%s laddr=%s fd=%d name=%s age=%lld idle=%lld flags=%s db=%d sub=%zu psub=%zu "
        "ssub=%zu multi=%lld qbuf=%zu qbuf-free=%zu argv-mem=%zu multi-mem=%zu rbs=%zu rbp=%zu "
        "obl=%zu oll=%zu omem=%zu tot-mem=%zu events=%s cmd=%s user=default redir=%lld resp=%d "
        "lib-name=%s lib-ver=%s",
        static_cast<unsigned long long>(c.id()), c.addr.c_str(), c.laddr.c_str(), c.fd,
        c.name().c_str(), static_cast<long long>((now - c.ctime_ms()) / 1000),
        static_cast<long long>((now - c.last_interaction_ms()) / 1000), FlagsString(c).c_str(),
        c.db(), sub, psub, ssub, multi, c.qbuf, c.qbuf_free, c.argv_mem, multi_mem,
        c.out().capacity(), c.out().size(), c.out().size(), oll, omem, tot_mem, events, cmd.c_str(),
        redir, c.resp(), c.lib_name.c_str(), c.lib_ver.c_str());
  };
  char buf[1024];
  int n = format(buf, sizeof(buf));
  if (n < 0) return {};
  if (static_cast<size_t>(n) < sizeof(buf)) return std::string(buf, n);
  std::string line(n, '\0');
  format(line.data(), line.size() + 1);
  return line;
}

namespace {

// CLIENT ID
void CmdClientId(CmdContext& ctx) { ctx.rb().SendLong(static_cast<int64_t>(ctx.client().id())); }

// CLIENT SETNAME name
void CmdClientSetName(CmdContext& ctx) {
  if (!ValidClientAttr(ctx.arg(2))) return ctx.SendError(kBadClientName);
  ctx.client().set_name(ctx.arg(2));
  ctx.rb().SendOk();
}

// CLIENT GETNAME
void CmdClientGetName(CmdContext& ctx) {
  if (ctx.client().name().empty()) return ctx.rb().SendNull();
  ctx.rb().SendBulk(ctx.client().name());
}

// CLIENT SETINFO LIB-NAME|LIB-VER value
void CmdClientSetInfo(CmdContext& ctx) {
  std::string* dest;
  if (EqualsIgnoreCase(ctx.arg(2), "lib-name")) {
    dest = &ctx.client().lib_name;
  } else if (EqualsIgnoreCase(ctx.arg(2), "lib-ver")) {
    dest = &ctx.client().lib_ver;
  } else {
    return ctx.SendError("Unrecognized option '" + std::string(ctx.arg(2)) + "'");
  }
  if (!ValidClientAttr(ctx.arg(3))) {
    return ctx.SendError(std::string(ctx.arg(2)) +
                         " cannot contain spaces, newlines or special characters.");
  }
  *dest = ctx.arg(3);
  ctx.rb().SendOk();
}

// CLIENT INFO
void CmdClientInfo(CmdContext& ctx) {
  ctx.rb().SendVerbatim(ClientInfoLine(ctx.server(), ctx.client()) + "\n");
}

enum class ClientType { kNormal, kReplica, kMaster, kPubSub };

std::optional<ClientType> ParseClientType(std::string_view s) {
  if (EqualsIgnoreCase(s, "normal")) return ClientType::kNormal;
  if (EqualsIgnoreCase(s, "slave") || EqualsIgnoreCase(s, "replica")) return ClientType::kReplica;
  if (EqualsIgnoreCase(s, "master")) return ClientType::kMaster;
  if (EqualsIgnoreCase(s, "pubsub")) return ClientType::kPubSub;
  return std::nullopt;
}

// Redis getClientType: a client subscribed to anything is of type pubsub, every other one is
// normal (baozi has no replicas or masters, and Redis counts MONITOR clients as normal too).
bool IsType(const Client& c, ClientType t) {
  return t == (c.Has(kClientPubSub) ? ClientType::kPubSub : ClientType::kNormal);
}

// CLIENT LIST [TYPE normal|master|replica|pubsub] [ID client-id ...]
void CmdClientList(CmdContext& ctx) {
  std::optional<ClientType> type;
  std::vector<uint64_t> ids;
  if (ctx.argc() == 4 && EqualsIgnoreCase(ctx.arg(2), "type")) {
    type = ParseClientType(ctx.arg(3));
    if (!type) return ctx.SendError("Unknown client type '" + std::string(ctx.arg(3)) + "'");
  } else if (ctx.argc() > 3 && EqualsIgnoreCase(ctx.arg(2), "id")) {
    for (size_t j = 3; j < ctx.argc(); ++j) {
      auto id = ParseInt64(ctx.arg(j));
      if (!id || *id < 1) return ctx.SendError("Invalid client ID");
      ids.push_back(static_cast<uint64_t>(*id));
    }
  } else if (ctx.argc() != 2) {
    return ctx.SendError(Errc::kSyntax);
  }
  std::string out;
  auto add = [&](Client* c) {
    out += ClientInfoLine(ctx.server(), *c);
    out += '\n';
  };
  if (!ids.empty()) {
    for (uint64_t id : ids) {
      if (Client* c = ctx.server().FindClient(id)) add(c);
    }
  } else {
    for (auto& [id, c] : ctx.server().clients()) {
      if (!type || IsType(*c, *type)) add(c);
    }
  }
  ctx.rb().SendVerbatim(out);
}

// CLIENT KILL ip:port | CLIENT KILL <filter> <value> ... [SKIPME yes|no]
void CmdClientKill(CmdContext& ctx) {
  Server& server = ctx.server();
  Client& self = ctx.client();
  std::optional<std::string_view> addr, laddr, user;
  std::optional<uint64_t> id;
  std::optional<ClientType> type;
  bool skipme = true;
  bool old_form = ctx.argc() == 3;
  if (old_form) {
    addr = ctx.arg(2);
    skipme = false;
  } else if (ctx.argc() > 3 && ctx.argc() % 2 == 0) {
    for (size_t i = 2; i + 1 < ctx.argc(); i += 2) {
      std::string_view opt = ctx.arg(i), val = ctx.arg(i + 1);
      if (EqualsIgnoreCase(opt, "id")) {
        auto v = ParseInt64(val);
        if (!v || *v < 1) return ctx.SendError("client-id should be greater than 0");
        id = static_cast<uint64_t>(*v);
      } else if (EqualsIgnoreCase(opt, "type")) {
        type = ParseClientType(val);
        if (!type) return ctx.SendError("Unknown client type '" + std::string(val) + "'");
      } else if (EqualsIgnoreCase(opt, "addr")) {
        addr = val;
      } else if (EqualsIgnoreCase(opt, "laddr")) {
        laddr = val;
      } else if (EqualsIgnoreCase(opt, "user")) {
        if (val != "default") return ctx.SendError("No such user '" + std::string(val) + "'");
        user = val;
      } else if (EqualsIgnoreCase(opt, "skipme")) {
        if (EqualsIgnoreCase(val, "yes")) {
          skipme = true;
        } else if (EqualsIgnoreCase(val, "no")) {
          skipme = false;
        } else {
          return ctx.SendError(Errc::kSyntax);
        }
      } else {
        return ctx.SendError(Errc::kSyntax);
      }
    }
  } else {
    return ctx.SendError(Errc::kSyntax);
  }
  std::vector<Client*> victims;
  for (auto& [cid, c] : server.clients()) {
    if (addr && c->addr != *addr) continue;
    if (laddr && c->laddr != *laddr) continue;
    if (id && c->id() != *id) continue;
    if (type && !IsType(*c, *type)) continue;
    if (skipme && c == &self) continue;
    victims.push_back(c);
  }
  for (Client* c : victims) {
    if (c == &self) {
      self.Set(kClientCloseAfterReply);
    } else {
      c->Set(kClientCloseAsap);
      if (server.on_kill_client) server.on_kill_client(c);
    }
  }
  if (old_form) {
    if (victims.empty()) return ctx.SendError("No such client");
    return ctx.rb().SendOk();
  }
  ctx.rb().SendLong(static_cast<int64_t>(victims.size()));
}

// CLIENT REPLY ON|OFF|SKIP
void CmdClientReply(CmdContext& ctx) {
  Client& c = ctx.client();
  if (EqualsIgnoreCase(ctx.arg(2), "on")) {
    c.Clear(kClientReplyOff);
    c.Clear(kClientReplySkipNext);
    ctx.rb().SendOk();
  } else if (EqualsIgnoreCase(ctx.arg(2), "off")) {
    c.Set(kClientReplyOff);
  } else if (EqualsIgnoreCase(ctx.arg(2), "skip")) {
    if (!c.Has(kClientReplyOff)) c.Set(kClientReplySkipNext);
  } else {
    ctx.SendError(Errc::kSyntax);
  }
}

// CLIENT PAUSE timeout [WRITE|ALL]
void CmdClientPause(CmdContext& ctx) {
  auto ms = ParseInt64(ctx.arg(2));
  if (!ms) return ctx.SendError("timeout is not an integer or out of range");
  if (*ms < 0) return ctx.SendError("timeout is negative");
  bool all = true;
  if (ctx.argc() == 4) {
    if (EqualsIgnoreCase(ctx.arg(3), "write")) {
      all = false;
    } else if (!EqualsIgnoreCase(ctx.arg(3), "all")) {
      return ctx.SendError("CLIENT PAUSE mode must be WRITE or ALL");
    }
  }
  auto deadline = CheckedAdd(*ms, ctx.server().clock().NowMs());
  if (!deadline) return ctx.SendError("timeout is out of range");
  auto& p = ctx.server().pause();
  // A new pause never shortens or weakens one in force (Redis pauseClients).
  if (p.deadline_ms > ctx.server().clock().NowMs()) {
    p.all = p.all || all;
    p.deadline_ms = std::max(p.deadline_ms, *deadline);
  } else {
    p.all = all;
    p.deadline_ms = *deadline;
  }
  ctx.rb().SendOk();
}

// CLIENT UNPAUSE
void CmdClientUnpause(CmdContext& ctx) {
  ctx.server().pause() = {};
  ctx.rb().SendOk();
}

// CLIENT NO-EVICT on|off / CLIENT NO-TOUCH on|off
void OnOffFlag(CmdContext& ctx, ClientFlag flag) {
  if (EqualsIgnoreCase(ctx.arg(2), "on")) {
    ctx.client().Set(flag);
  } else if (EqualsIgnoreCase(ctx.arg(2), "off")) {
    ctx.client().Clear(flag);
  } else {
    return ctx.SendError(Errc::kSyntax);
  }
  ctx.rb().SendOk();
}
void CmdClientNoEvict(CmdContext& ctx) { OnOffFlag(ctx, kClientNoEvict); }
void CmdClientNoTouch(CmdContext& ctx) { OnOffFlag(ctx, kClientNoTouch); }

// CLIENT UNBLOCK client-id [TIMEOUT|ERROR]
void CmdClientUnblock(CmdContext& ctx) {
  if (ctx.argc() > 4) {
    return ctx.SendError(
        "unknown subcommand or wrong number of arguments for 'unblock'. Try CLIENT HELP.");
  }
  bool as_error = false;
  if (ctx.argc() == 4) {
    if (EqualsIgnoreCase(ctx.arg(3), "error")) {
      as_error = true;
    } else if (!EqualsIgnoreCase(ctx.arg(3), "timeout")) {
      return ctx.SendError("CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
    }
  }
  auto id = ArgInt(ctx, ctx.arg(2));
  if (!id) return;
  Client* target = ctx.server().FindClient(static_cast<uint64_t>(*id));
  bool done = target != nullptr && ctx.server().blocking().Unblock(*target, as_error);
  ctx.rb().SendLong(done ? 1 : 0);
}

// CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX prefix ...] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]
void CmdClientTracking(CmdContext& ctx) {
  Client& c = ctx.client();
  int64_t redir = 0;
  uint32_t options = 0;
  std::vector<std::string_view> prefixes;
  for (size_t j = 3; j < ctx.argc(); ++j) {
    const bool more = j + 1 < ctx.argc();
    std::string_view opt = ctx.arg(j);
    if (EqualsIgnoreCase(opt, "redirect") && more) {
      ++j;
      if (redir != 0) return ctx.SendError("A client can only redirect to a single other client");
      auto id = ArgInt(ctx, ctx.arg(j));
      if (!id) return;
      redir = *id;
      if (ctx.server().FindClient(static_cast<uint64_t>(redir)) == nullptr) {
        return ctx.SendError("The client ID you want redirect to does not exist");
      }
    } else if (EqualsIgnoreCase(opt, "bcast")) {
      options |= kClientTrackingBcast;
    } else if (EqualsIgnoreCase(opt, "optin")) {
      options |= kClientTrackingOptin;
    } else if (EqualsIgnoreCase(opt, "optout")) {
      options |= kClientTrackingOptout;
    } else if (EqualsIgnoreCase(opt, "noloop")) {
      options |= kClientTrackingNoloop;
    } else if (EqualsIgnoreCase(opt, "prefix") && more) {
      prefixes.push_back(ctx.arg(++j));
    } else {
      return ctx.SendError(Errc::kSyntax);
    }
  }
  Tracking& tracking = ctx.server().tracking();
  if (EqualsIgnoreCase(ctx.arg(2), "on")) {
    const bool bcast = (options & kClientTrackingBcast) != 0;
    if (!bcast && !prefixes.empty()) {
      return ctx.SendError("PREFIX option requires BCAST mode to be enabled");
    }
    if (c.Has(kClientTracking) && c.Has(kClientTrackingBcast) != bcast) {
      return ctx.SendError(
          "You can't switch BCAST mode on/off before disabling tracking for this client, and "
          "then re-enabling it with a different mode.");
    }
    if (bcast && (options & (kClientTrackingOptin | kClientTrackingOptout))) {
      return ctx.SendError("OPTIN and OPTOUT are not compatible with BCAST");
    }
    if ((options & kClientTrackingOptin) && (options & kClientTrackingOptout)) {
      return ctx.SendError("You can't specify both OPTIN mode and OPTOUT mode");
    }
    if (((options & kClientTrackingOptin) && c.Has(kClientTrackingOptout)) ||
        ((options & kClientTrackingOptout) && c.Has(kClientTrackingOptin))) {
      return ctx.SendError(
          "You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and "
          "then re-enabling it with a different mode.");
    }
    if (bcast) {
      std::string err = tracking.PrefixCollision(c, prefixes);
      if (!err.empty()) return ctx.SendError(err);
    }
    tracking.Enable(c, static_cast<uint64_t>(redir), options, prefixes);
  } else if (EqualsIgnoreCase(ctx.arg(2), "off")) {
    tracking.Disable(c);
  } else {
    return ctx.SendError(Errc::kSyntax);
  }
  ctx.rb().SendOk();
}

// CLIENT CACHING YES|NO
void CmdClientCaching(CmdContext& ctx) {
  Client& c = ctx.client();
  if (!c.Has(kClientTracking)) {
    return ctx.SendError(
        "CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or "
        "OPTOUT mode enabled");
  }
  if (EqualsIgnoreCase(ctx.arg(2), "yes")) {
    if (!c.Has(kClientTrackingOptin)) {
      return ctx.SendError(
          "CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
    }
  } else if (EqualsIgnoreCase(ctx.arg(2), "no")) {
    if (!c.Has(kClientTrackingOptout)) {
      return ctx.SendError(
          "CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
    }
  } else {
    return ctx.SendError(Errc::kSyntax);
  }
  c.Set(kClientTrackingCaching);
  ctx.rb().SendOk();
}

// CLIENT GETREDIR
void CmdClientGetRedir(CmdContext& ctx) {
  const Client& c = ctx.client();
  ctx.rb().SendLong(c.Has(kClientTracking) ? static_cast<int64_t>(c.tracking_redirect) : -1);
}

// CLIENT TRACKINGINFO
void CmdClientTrackingInfo(CmdContext& ctx) {
  const Client& c = ctx.client();
  auto& rb = ctx.rb();
  rb.StartMap(3);
  rb.SendBulk("flags");
  std::vector<std::string_view> flags;
  flags.push_back(c.Has(kClientTracking) ? "on" : "off");
  if (c.Has(kClientTrackingBcast)) flags.push_back("bcast");
  if (c.Has(kClientTrackingOptin)) {
    flags.push_back("optin");
    if (c.Has(kClientTrackingCaching)) flags.push_back("caching-yes");
  }
  if (c.Has(kClientTrackingOptout)) {
    flags.push_back("optout");
    if (c.Has(kClientTrackingCaching)) flags.push_back("caching-no");
  }
  if (c.Has(kClientTrackingNoloop)) flags.push_back("noloop");
  if (c.Has(kClientTrackingBrokenRedir)) flags.push_back("broken_redirect");
  rb.StartSet(flags.size());
  for (std::string_view f : flags) rb.SendBulk(f);
  rb.SendBulk("redirect");
  rb.SendLong(c.Has(kClientTracking) ? static_cast<int64_t>(c.tracking_redirect) : -1);
  rb.SendBulk("prefixes");
  rb.StartArray(c.tracking_prefixes.size());
  for (const std::string& p : c.tracking_prefixes) rb.SendBulk(p);
}

// CLIENT HELP
void CmdClientHelp(CmdContext& ctx) {
  SendHelp(ctx, {
                    "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                    "CACHING (YES|NO)",
                    "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT "
                    "modes.",
                    "GETREDIR",
                    "    Return the client ID we are redirecting to when tracking is enabled.",
                    "GETNAME",
                    "    Return the name of the current connection.",
                    "ID",
                    "    Return the ID of the current connection.",
                    "INFO",
                    "    Return information about the current client connection.",
                    "KILL <ip:port>",
                    "    Kill connection made from <ip:port>.",
                    "KILL <option> <value> [<option> <value> [...]]",
                    "    Kill connections. Options are:",
                    "    * ADDR (<ip:port>|<unixsocket>:0)",
                    "      Kill connections made from the specified address",
                    "    * LADDR (<ip:port>|<unixsocket>:0)",
                    "      Kill connections made to specified local address",
                    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                    "      Kill connections by type.",
                    "    * USER <username>",
                    "      Kill connections authenticated by <username>.",
                    "    * SKIPME (YES|NO)",
                    "      Skip killing current connection (default: yes).",
                    "    * ID <client-id>",
                    "      Kill connections by client id.",
                    "LIST [options ...]",
                    "    Return information about client connections. Options:",
                    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                    "      Return clients of specified type.",
                    "    * ID <client-id> [<client-id> ...]",
                    "      Return clients of specified IDs only.",
                    "PAUSE <timeout> [WRITE|ALL]",
                    "    Suspend all, or just write, clients for <timeout> milliseconds.",
                    "UNPAUSE",
                    "    Stop the current client pause, resuming traffic.",
                    "SETNAME <name>",
                    "    Assign the name <name> to the current connection.",
                    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
                    "    Unblock the specified blocked client.",
                    "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
                    "         [OPTIN] [OPTOUT] [NOLOOP]",
                    "    Control server assisted client side caching.",
                    "TRACKINGINFO",
                    "    Report tracking status for the current connection.",
                    "SETINFO <option> <value>",
                    "    Set client meta attr. Options are:",
                    "    * LIB-NAME: the client lib name.",
                    "    * LIB-VER: the client lib version.",
                    "REPLY (ON|OFF|SKIP)",
                    "    Control the replies sent to the current connection.",
                    "NO-EVICT (ON|OFF)",
                    "    Protect current client connection from eviction.",
                    "NO-TOUCH (ON|OFF)",
                    "    Will not touch LRU/LFU stats when this mode is on.",
                });
}

}  // namespace

void RegisterConnectionCommands(CommandRegistry& r) {
  r.Add({"ping", -1, kFast, {}, CmdPing, "connection"});
  r.Add({"echo", 2, kLoading | kStale | kFast, {}, CmdEcho, "connection"});
  r.Add({"quit",
         -1,
         kNoScript | kLoading | kStale | kFast | kNoAuth | kAllowBusy,
         {},
         CmdQuit,
         "connection"});
  r.Add({"reset",
         1,
         kNoScript | kLoading | kStale | kFast | kNoAuth | kAllowBusy,
         {},
         CmdReset,
         "connection"});
  r.Add({"auth",
         -2,
         kNoScript | kLoading | kStale | kFast | kNoAuth | kAllowBusy,
         {},
         CmdAuth,
         "connection"});
  r.Add({"hello",
         -1,
         kNoScript | kLoading | kStale | kFast | kNoAuth | kAllowBusy,
         {},
         CmdHello,
         "connection"});

  Command* client = r.Add({"client", -2, 0, {}, CmdContainer, "connection"});
  client->AddSubcommand({"id", 2, kNoScript | kLoading | kStale, {}, CmdClientId, "connection"});
  client->AddSubcommand(
      {"setname", 3, kNoScript | kLoading | kStale, {}, CmdClientSetName, "connection"});
  client->AddSubcommand(
      {"getname", 2, kNoScript | kLoading | kStale, {}, CmdClientGetName, "connection"});
  client->AddSubcommand({"setinfo",
                         4,
                         kNoScript | kLoading | kStale | kSentinel,
                         {},
                         CmdClientSetInfo,
                         "connection"});
  client->AddSubcommand(
      {"info", 2, kNoScript | kLoading | kStale, {}, CmdClientInfo, "connection"});
  client->AddSubcommand(
      {"list", -2, kAdmin | kNoScript | kLoading | kStale, {}, CmdClientList, "connection"});
  client->AddSubcommand(
      {"kill", -3, kAdmin | kNoScript | kLoading | kStale, {}, CmdClientKill, "connection"});
  client->AddSubcommand(
      {"reply", 3, kNoScript | kLoading | kStale, {}, CmdClientReply, "connection"});
  client->AddSubcommand(
      {"pause", -3, kAdmin | kNoScript | kLoading | kStale, {}, CmdClientPause, "connection"});
  client->AddSubcommand(
      {"unpause", 2, kAdmin | kNoScript | kLoading | kStale, {}, CmdClientUnpause, "connection"});
  client->AddSubcommand(
      {"no-evict", 3, kAdmin | kNoScript | kLoading | kStale, {}, CmdClientNoEvict, "connection"});
  client->AddSubcommand(
      {"no-touch", 3, kNoScript | kLoading | kStale, {}, CmdClientNoTouch, "connection"});
  client->AddSubcommand(
      {"unblock", -3, kAdmin | kNoScript | kLoading | kStale, {}, CmdClientUnblock, "connection"});
  client->AddSubcommand(
      {"tracking", -3, kNoScript | kLoading | kStale, {}, CmdClientTracking, "connection"});
  client->AddSubcommand(
      {"caching", 3, kNoScript | kLoading | kStale, {}, CmdClientCaching, "connection"});
  client->AddSubcommand(
      {"getredir", 2, kNoScript | kLoading | kStale, {}, CmdClientGetRedir, "connection"});
  client->AddSubcommand(
      {"trackinginfo", 2, kNoScript | kLoading | kStale, {}, CmdClientTrackingInfo, "connection"});
  client->AddSubcommand({"help", 2, kLoading | kStale, {}, CmdClientHelp, "connection"});
}

}  // namespace baozi
