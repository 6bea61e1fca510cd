// Runs one command for one client, in Redis's processCommand order: lookup -> arity -> auth ->
// pause -> monitor feed -> call (with stats, slow log and error accounting). Every check that
// can reject a command lives here, once, so handlers start from valid argv.
#pragma once

#include <span>
#include <string_view>

namespace baozi {

class Server;
class Client;

enum class DispatchResult {
  kDone,    // the command ran or was rejected; its reply is in the client's buffer
  kPaused,  // CLIENT PAUSE holds this command: keep it unconsumed and retry after the pause
};

DispatchResult Dispatch(Server& server, Client& client, std::span<const std::string_view> argv);

class Command;
// Runs a command that passed every check (Redis's call()): the handler, command statistics,
// error counts, the slow log and MONITOR. EXEC calls it for each queued command.
void Call(Server& server, Client& client, const Command& cmd,
          std::span<const std::string_view> argv);
// Leaves MULTI: drops the queue, the transaction's error flags and every WATCH.
void DiscardTransaction(Server& server, Client& client);

}  // namespace baozi
