// What a handler sees: the server, the calling client, argv, and a reply builder. Handlers parse
// their arguments (ArgParser), call storage operations that return Result<T>, and hand the result
// to Reply(), whose overloads turn values into RESP and Errc into Redis's exact error text.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "server/client.h"
#include "server/command.h"
#include "server/propagate.h"
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
  // The same, saving `argv` to run again instead of the command's own (XREAD saves the IDs
  // that '$' stood for when it blocked).
  void Block(std::span<const std::string_view> keys, ObjType type, int64_t deadline_ms,
             std::span<const std::string_view> argv);

  // What a write reports, in Redis's order (signalModifiedKey, then notifyKeyspaceEvent): every
  // key a command changes is signalled (WATCH), and each change publishes the event Redis
  // publishes for it, e.g. ctx.SignalModifiedKey(key); ctx.Notify(notify::kList, "lpush", key).
  void SignalModifiedKey(std::string_view key) { server_.SignalModifiedKey(db(), key); }
  void Notify(uint32_t type, std::string_view event, std::string_view key) {
    server_.NotifyKeyspaceEvent(type, event, key, client_.db());
  }

  // Propagation (server/propagate.h): by default a command that changed the dataset propagates
  // its own argv and one that did not propagates nothing, so most commands say nothing here.
  // Every call below is a no-op while no sink listens; test propagating() before building
  // arguments that cost something (formatting a deadline).
  bool propagating() const { return server_.propagation_sink != nullptr; }
  // The command propagates as `argv` instead (Redis rewriteClientCommandVector), still only if
  // it changed something. Call it after the command's own lookups (lazy expiry's DELs go first).
  void PropagateAs(std::initializer_list<std::string_view> argv) {
    if (propagating()) SetPropagatedForm({argv.begin(), argv.size()});
  }
  void PropagateAs(std::span<const std::string_view> argv) {
    if (propagating()) SetPropagatedForm(argv);
  }
  // One more command, in this client's db, ahead of the command's own (alsoPropagate).
  void AlsoPropagate(std::initializer_list<std::string_view> argv) {
    if (propagating()) propagation::Also(server_, client_.db(), argv);
  }
  void AlsoPropagate(std::span<const std::string_view> argv) {
    if (propagating()) propagation::Also(server_, client_.db(), argv);
  }
  // The command's own argv is not propagated (preventCommandPropagation): what it did was said
  // with AlsoPropagate, or needs no saying (EXEC).
  void PreventPropagation() { prop_flags_ |= kPropPrevent; }
  // Propagated even when nothing changed (forceCommandPropagation: FLUSHDB on an empty db).
  void ForcePropagation() { prop_flags_ |= kPropForce; }

  void SendError(Errc e) { rb().SendError(ErrorText(e)); }
  void SendError(std::string_view msg) { rb().SendError(msg); }
  void SendArityError() { rb().SendError(ArityError(cmd_.full_name())); }

 private:
  friend void propagation::RunHandler(Server&, CmdContext&);
  static constexpr uint8_t kPropPrevent = 1, kPropForce = 2;
  void SetPropagatedForm(std::span<const std::string_view> argv);

  Server& server_;
  Client& client_;
  const Command& cmd_;
  std::span<const std::string_view> args_;
  uint8_t prop_flags_ = 0;
  uint32_t propagated_form_ = UINT32_MAX;  // index of the PropagateAs op in the pending unit
};

}  // namespace baozi
