// The reactor: one Asio io_context on epoll, one thread. Listeners accept TCP and unix-socket
// clients; each Connection reads into its input buffer, runs every complete command it holds
// through the dispatcher, and queues itself for writing. Once per loop turn BeforeSleep() runs
// the server's before-sleep work and then starts one gathered write per client with output —
// Redis's beforeSleep/handleClientsWithPendingWrites, so a pipeline of N commands costs one
// read and one write.
#pragma once

#include <asio.hpp>
#include <expected>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace baozi {

class Server;
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

 private:
  using Acceptor = asio::basic_socket_acceptor<asio::generic::stream_protocol>;
  void Accept(Acceptor& acceptor, bool unix_socket);
  void OnAccepted(asio::generic::stream_protocol::socket socket, bool unix_socket);
  void ScheduleCron();
  void BeforeSleep();
  std::expected<void, std::string> ListenTcp();
  std::expected<void, std::string> ListenUnix();

  Server& server_;
  asio::io_context& io_;
  std::vector<std::unique_ptr<Acceptor>> tcp_acceptors_;
  std::unique_ptr<Acceptor> unix_acceptor_;
  std::unordered_map<uint64_t, std::shared_ptr<Connection>> connections_;
  std::vector<std::shared_ptr<Connection>> pending_writes_;
  std::vector<std::shared_ptr<Connection>> flushing_;
  asio::steady_timer cron_timer_;
  // Wakes the loop at the earliest blocking-command deadline (BeforeSleep answers it).
  asio::steady_timer block_timer_;
  int64_t block_timer_deadline_ = 0;
  asio::signal_set signals_;
};

}  // namespace baozi
