// What a handler sees: the server, the calling client, argv, and a reply builder. Handlers parse
// their arguments (ArgParser), call storage operations that return Result<T>, and hand the result
// to Reply(), whose overloads turn values into RESP and Errc into Redis's exact error text.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "server/client.h"
#include "server/command.h"
#include "server/reply_errors.h"
#include "server/server.h"
#include "storage/errc.h"

namespace baozi {

class CmdContext {
 public:
  CmdContext(Server& server, Client& client, const Command& cmd,
             std::span<const std::string_view> args)
      : server_(server), client_(client), cmd_(cmd), args_(args) {}

  Server& server() { return server_; }
  Client& client() { return client_; }
  const Command& cmd() const { return cmd_; }
  std::span<const std::string_view> args() const { return args_; }
  std::string_view arg(size_t i) const { return args_[i]; }
  size_t argc() const { return args_.size(); }
  protocol::ReplyBuilder& rb() { return client_.rb(); }
  Db& db() { return server_.keyspace().db(client_.db()); }
  int64_t now_ms() const { return server_.keyspace().now_ms(); }
  const Config& config() const { return server_.config(); }

  // Blocking commands. A handler that finds nothing to pop asks CanBlock(): false inside MULTI
  // and scripts, where it must answer as its non-blocking form would (a null array). Otherwise it
  // calls Block() and returns without replying. When one of `keys` later receives a value of
  // `type` the command runs again from the start with the same arguments; if it finds nothing
  // again it calls Block() again and keeps its place in line. At the deadline (unix ms, 0 =
  // never) the client gets a null array.
  bool CanBlock() const;
  void Block(std::span<const std::string_view> keys, ObjType type, int64_t deadline_ms);

  // What a write reports, in Redis's order (signalModifiedKey, then notifyKeyspaceEvent): every
  // key a command changes is signalled (WATCH), and each change publishes the event Redis
  // publishes for it, e.g. ctx.SignalModifiedKey(key); ctx.Notify(notify::kList, "lpush", key).
  void SignalModifiedKey(std::string_view key) { server_.SignalModifiedKey(db(), key); }
  void Notify(uint32_t type, std::string_view event, std::string_view key) {
    server_.NotifyKeyspaceEvent(type, event, key, client_.db());
  }

  void SendError(Errc e) { rb().SendError(ErrorText(e)); }
  void SendError(std::string_view msg) { rb().SendError(msg); }
  void SendArityError() { rb().SendError(ArityError(cmd_.full_name())); }

 private:
  Server& server_;
  Client& client_;
  const Command& cmd_;
  std::span<const std::string_view> args_;
};

}  // namespace baozi
