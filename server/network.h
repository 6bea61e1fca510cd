// The reactor: one Asio io_context on epoll, one thread. Listeners accept TCP and unix-socket
// clients; each Connection reads into its input buffer, runs every complete command it holds
// through the dispatcher, and queues itself for writing. Once per loop turn BeforeSleep() runs
// the server's before-sleep work and then starts one gathered write per client with output —
// Redis's beforeSleep/handleClientsWithPendingWrites, so a pipeline of N commands costs one
// read and one write.
//
// Output that the socket does not take stays in memory, so two mechanisms keep it bounded.
//
// client-output-buffer-limit (Redis's checkClientOutputBufferLimits): a client's unsent output
// (its reply buffer plus the tail held back for writability) is compared with its class's limits
// (pubsub when subscribed, else normal) whenever a reply is queued — after each of its own
// commands and on every out-of-band delivery (pub/sub messages, MONITOR lines, unblocked
// replies, through Server::on_reply_ready) — and once per cron tick, which is what notices a
// soft limit exceeded for longer than its seconds while nothing new arrives. Reaching the hard
// limit, or staying at or over the soft limit for more than `seconds`, closes the client. The
// close is never synchronous inside on_reply_ready, because PubSub::Deliver is then walking a
// subscriber list that closing would edit: the client is flagged close-ASAP, what it holds is
// dropped at once when no reply of its own is half-built, and the close is posted to the loop.
//
// Backpressure: with the normal class unlimited (the default, as in Redis), a client that
// pipelines requests and never reads would otherwise grow its reply buffer without bound.
// While more than 4 MB of a client's replies are unsent, the connection runs none of its
// further commands; they wait in the query buffer, which is still read and, as in Redis, closes
// the client past client-query-buffer-limit. A client that writes a whole
// pipeline before reading any reply (redis-py's pipelines) therefore always finishes writing and
// never deadlocks, while its replies cost at most 4 MB plus the largest single reply instead of
// growing with the pipeline. Processing resumes, from the loop, once the socket has drained
// below 2 MB. 4 MB is a few loopback socket buffers' worth: a client that reads keeps the buffer
// well under it and never pauses. The check is one comparison per command; nothing is allocated.
//
// Busy scripts (Redis processEventsWhileBlocked). A script runs inside its caller's command, so
// the loop is stuck in that handler; past busy-reply-threshold the engine calls
// ProcessEventsWhileBlocked every 100k Lua instructions. Asio forbids running the io_context
// from inside one of its own handlers, so this works beside it, without waiting: it accepts
// what the listeners hold, reads what each connection's socket holds, runs those commands
// through the usual ProcessInput (the dispatcher answers -BUSY to all but the allow-busy ones,
// such as SCRIPT KILL and SHUTDOWN NOSAVE) and writes the replies at once, up to four rounds
// while there is something to do. A connection read this way keeps its readiness wait armed:
// when the wait fires after the script it finds nothing to read and waits again. Only
// connections that are waiting for input are read (a paused client stays paused). Timers do not
// run meanwhile: no cron, expiry or blocked-client timeouts. The client running the script is
// protected, as Redis's protectClient: it is neither read nor written, and a close that reaches
// it is deferred until the script is over. A SHUTDOWN NOSAVE served here ends the server as
// Redis does, from inside the script: the loop stops before anything queued after it, the
// script's own effects and reply included, leaves the process.
#pragma once

#include <asio.hpp>
#include <expected>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace baozi {

class Server;
class Client;
class Connection;

class Network {
 public:
  Network(Server& server, asio::io_context& io);
  ~Network();

  // Opens the listeners the configuration asks for (bind/port, unixsocket).
  std::expected<void, std::string> Listen();
  // Runs until a shutdown is requested.
  void Run();

  Server& server() { return server_; }
  asio::io_context& io() { return io_; }
  void MarkPendingWrite(std::shared_ptr<Connection> c);
  void Remove(uint64_t id);

  // Redis checkClientOutputBufferLimits: true when `unsent` bytes put the client over its
  // class's hard limit, or over the soft limit for longer than allowed (starting or resetting
  // the soft-limit clock as a side effect).
  bool OverOutputLimit(Client& c, size_t unsent);
  // Redis closeClientOnOutputBufferLimitReached: logs the client and closes it, from the loop
  // (`async`) or at once (cron).
  void CloseForOutputLimit(const std::shared_ptr<Connection>& conn, bool async);
  // The client whose command is running, if any: its reply may be half-built, so its buffers
  // are never dropped under it.
  Client* executing() const { return executing_; }
  void set_executing(Client* c) { executing_ = c; }
  // The client whose script is running while others are served in between (Redis
  // protectClient): nothing closes it or drops its output until the script has finished.
  bool IsProtected(const Client* c) const { return c != nullptr && c == protected_; }

  // Redis processEventsWhileBlocked, called from a script past busy-reply-threshold (installed
  // as Server::process_events_while_blocked; see "Busy scripts" above).
  void ProcessEventsWhileBlocked();

 private:
  using Acceptor = asio::basic_socket_acceptor<asio::generic::stream_protocol>;
  void Accept(Acceptor& acceptor, bool unix_socket);
  void OnAccepted(asio::generic::stream_protocol::socket socket, bool unix_socket);
  void ScheduleCron();
  // Per-client cron work (Redis clientsCron): output limits and the recent buffer peaks INFO
  // reports.
  void ClientsCron();
  void BeforeSleep();
  void ArmExpireTimer();
  std::expected<void, std::string> ListenTcp();
  std::expected<void, std::string> ListenUnix();

  Server& server_;
  asio::io_context& io_;
  std::vector<std::unique_ptr<Acceptor>> tcp_acceptors_;
  std::unique_ptr<Acceptor> unix_acceptor_;
  std::unordered_map<uint64_t, std::shared_ptr<Connection>> connections_;
  std::vector<std::shared_ptr<Connection>> pending_writes_;
  std::vector<std::shared_ptr<Connection>> flushing_;
  std::vector<std::shared_ptr<Connection>> cron_victims_;
  Client* executing_ = nullptr;
  Client* protected_ = nullptr;
  bool running_ = false;             // Run() has started: clients may be served
  bool in_blocked_events_ = false;   // inside ProcessEventsWhileBlocked
  bool shutdown_in_script_ = false;  // SHUTDOWN NOSAVE arrived while a script was busy
  // ProcessEventsWhileBlocked's working lists (kept for their capacity).
  std::vector<std::shared_ptr<Connection>> blocked_read_;
  std::vector<std::shared_ptr<Connection>> blocked_flush_;
  size_t AcceptWhileBlocked(Acceptor& acceptor, bool unix_socket);
  asio::steady_timer cron_timer_;
  // Wakes the loop at the earliest blocking-command deadline (BeforeSleep answers it).
  asio::steady_timer block_timer_;
  int64_t block_timer_deadline_ = 0;
  // Wakes the loop for the next active-expiry slice (Server::NextActiveExpireMs).
  asio::steady_timer expire_timer_;
  int64_t expire_timer_deadline_ = 0;
  bool eviction_posted_ = false;  // a ContinueEvictions turn is queued
  void WaitForSignal();
  asio::signal_set signals_;
};

}  // namespace baozi
