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
// Shows a command to every MONITOR client, as Call() does after each command. EVAL and FCALL,
// which MONITOR skips, call it themselves before running, so their script's commands follow
// them.
void FeedMonitors(Server& server, Client& client, std::span<const std::string_view> argv);
// Adds n error replies with this code to INFO's total_error_replies and errorstats (Redis stops
// tracking new codes after 128 distinct ones).
void CountErrorReplies(Server& server, std::string_view code, uint64_t n = 1);
// Leaves MULTI: drops the queue, the transaction's error flags and every WATCH.
void DiscardTransaction(Server& server, Client& client);

}  // namespace baozi
