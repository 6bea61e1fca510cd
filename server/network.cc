#include "server/network.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <memory>
#include <span>

#include "protocol/resp_parser.h"
#include "server/aof.h"
#include "server/client.h"
#include "server/commands/common.h"
#include "server/dispatcher.h"
#include "server/eviction.h"
#include "server/server.h"

namespace baozi {

namespace {
constexpr size_t kReadChunk = 16 * 1024;

// A connection's query buffer. It grows without zero-filling (std::string::resize would write
// every byte): the kernel maps pages only when they are written, so a client sending small
// requests keeps one page of its 16 KB resident, and 10,000 idle clients cost a page each.
class QueryBuffer {
 public:
  char* data() { return buf_.get(); }
  size_t size() const { return cap_; }
  // Makes room for `want` bytes, keeping the first `keep`.
  void Reserve(size_t want, size_t keep) {
    if (want <= cap_) return;
    const size_t cap = std::max(want, cap_ * 2);
    auto grown = std::make_unique_for_overwrite<char[]>(cap);
    if (keep != 0) std::memcpy(grown.get(), buf_.get(), keep);
    buf_ = std::move(grown);
    cap_ = cap;
  }
  void Release() {
    buf_.reset();
    cap_ = 0;
  }

 private:
  std::unique_ptr<char[]> buf_;
  size_t cap_ = 0;
};
constexpr size_t kMaxIdleBuffer = 64 * 1024;
// Output backpressure (network.h): stop running a client's commands over this much unsent
// output and start again below half of it.
constexpr size_t kOutputPauseBytes = 4 * 1024 * 1024;
constexpr size_t kOutputResumeBytes = kOutputPauseBytes / 2;

std::string FormatEndpoint(const asio::generic::stream_protocol::endpoint& ep, bool* loopback) {
  const sockaddr* sa = ep.data();
  char ip[INET6_ADDRSTRLEN] = {0};
  if (sa->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
    // Redis's connIsLocal compares the peer's text with "127.0.0.1" and "::1" only, so another
    // 127.x source address counts as remote for protected mode and enable-debug-command local.
    if (loopback) *loopback = ntohl(in->sin_addr.s_addr) == INADDR_LOOPBACK;
    return std::string(ip) + ":" + std::to_string(ntohs(in->sin_port));
  }
  if (sa->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
    if (loopback) *loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
    return "[" + std::string(ip) + "]:" + std::to_string(ntohs(in6->sin6_port));
  }
  if (loopback) *loopback = true;
  return "?:0";
}
}  // namespace

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Network& net, asio::generic::stream_protocol::socket socket, uint64_t id,
             int64_t now_ms)
      : net_(net), socket_(std::move(socket)), client_(id, now_ms) {}

  Client& client() { return client_; }
  size_t query_buffer_capacity() const { return in_.size(); }

  void Start() {
    net_.server().AddClient(&client_);
    StartRead();
  }

  // Reads wait for readiness and then read once. Asio's other option, an async read, first tries
  // the socket speculatively and, right after a reply went out, mostly gets EAGAIN; the wait
  // costs an epoll_ctl re-arm instead. Measured side by side both spend the same CPU per request
  // and the wait serves slightly more requests per second, so it stays.
  void StartRead() {
    if (reading_ || closed_ || client_.Has(kClientPaused) || client_.Has(kClientCloseAfterReply)) {
      return;
    }
    // A client held back by its unsent output (network.h) is still read: its requests wait in
    // the query buffer, which client-query-buffer-limit bounds as in Redis.
    reading_ = true;
    socket_.async_wait(
        asio::socket_base::wait_read,
        [self = shared_from_this()](const asio::error_code& ec) { self->OnReadable(ec); });
  }

  void OnReadable(const asio::error_code& wait_ec) {
    reading_ = false;
    if (closed_) return;
    if (wait_ec || client_.Has(kClientCloseAsap)) return Close();
    if (in_.size() - in_len_ < kReadChunk) in_.Reserve(in_len_ + kReadChunk, in_len_);
    asio::error_code ec;
    size_t n = socket_.read_some(asio::buffer(in_.data() + in_len_, in_.size() - in_len_), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) return StartRead();
    OnRead(ec, n);
  }

  void OnRead(const asio::error_code& ec, size_t n) {
    reading_ = false;
    if (closed_) return;
    if (ec) return Close();
    Server& s = net_.server();
    in_len_ += n;
    s.stats().total_net_input_bytes += n;
    s.stats().total_reads_processed++;
    client_.net_input_bytes += n;
    ProcessInput();
    if (!closed_) StartRead();
  }

  // Network::ProcessEventsWhileBlocked: reads what the socket holds now, without waiting, and
  // runs it. Only a connection waiting for input is read; its wait stays armed (network.h).
  // True when there was something (bytes or the peer's close).
  bool ReadWhileBlocked() {
    if (closed_ || !reading_ || client_.Has(kClientCloseAsap)) return false;
    if (in_.size() - in_len_ < kReadChunk) in_.Reserve(in_len_ + kReadChunk, in_len_);
    asio::error_code ec;
    size_t n = socket_.read_some(asio::buffer(in_.data() + in_len_, in_.size() - in_len_), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) return false;
    if (ec) {
      Close();
      return true;
    }
    Server& s = net_.server();
    in_len_ += n;
    s.stats().total_net_input_bytes += n;
    s.stats().total_reads_processed++;
    client_.net_input_bytes += n;
    ProcessInput();
    return true;
  }

  // Runs every complete command in the input buffer, in order.
  void ProcessInput() {
    Server& s = net_.server();
    const Config& cfg = s.config();
    while (in_start_ < in_len_ && !closed_ && !output_paused_) {
      if (client_.Has(kClientPaused) || client_.Has(kClientBlocked) ||
          client_.Has(kClientCloseAfterReply) || client_.Has(kClientCloseAsap)) {
        break;
      }
      parser_.set_limits(
          {cfg.proto_max_bulk_len, client_.authenticated() || cfg.requirepass.empty()});
      size_t consumed = 0;
      std::string_view input(in_.data() + in_start_, in_len_ - in_start_);
      auto st = parser_.Next(input, &consumed);
      if (st == protocol::RespParser::kNeedMore) break;
      if (st == protocol::RespParser::kError) {
        s.Log(Server::kVerbose, "Protocol error from client: " + std::string(parser_.error()));
        client_.rb().SendError(parser_.error());
        client_.Set(kClientCloseAfterReply);
        in_start_ = in_len_;
        break;
      }
      auto args = parser_.args();
      if (!args.empty()) {
        client_.qbuf = in_len_ - in_start_;
        // Nested when served while a script is busy: the script's client is executing outside.
        Client* outer = net_.executing();
        net_.set_executing(&client_);
        DispatchResult r = Dispatch(s, client_, args);
        net_.set_executing(outer);
        if (r == DispatchResult::kPaused) break;
      }
      in_start_ += consumed;
      // Its reply is queued: one look at the output per command.
      if (!CheckOutput()) break;
    }
    if (in_start_ == in_len_) {
      in_start_ = in_len_ = 0;
      // Give back a buffer grown for a big request once it is consumed.
      if (in_.size() > 4 * kReadChunk) in_.Release();
    } else if (in_start_ > 0 && in_len_ - in_start_ < in_start_) {
      std::memmove(in_.data(), in_.data() + in_start_, in_len_ - in_start_);
      in_len_ -= in_start_;
      in_start_ = 0;
    }
    client_.qbuf = in_len_ - in_start_;
    client_.qbuf_free = in_.size() - in_len_;
    if (in_len_ - in_start_ > static_cast<size_t>(cfg.client_query_buffer_limit)) {
      s.Log(Server::kWarning, "Closing client that reached max query buffer length");
      s.stats().client_query_buffer_limit_disconnections++;
      return Close();
    }
    if (!client_.out().empty() || client_.Has(kClientCloseAfterReply) ||
        client_.Has(kClientCloseAsap)) {
      net_.MarkPendingWrite(shared_from_this());
    }
  }

  // After each command: over its output-buffer limit the client is closed; over the
  // backpressure threshold it runs nothing more until the socket drains. False stops the loop.
  bool CheckOutput() {
    size_t unsent = client_.UnsentOutputBytes();
    if (net_.OverOutputLimit(client_, unsent)) {
      net_.CloseForOutputLimit(shared_from_this(), /*async=*/true);
      return false;
    }
    if (unsent > kOutputPauseBytes) {
      output_paused_ = true;
      return false;
    }
    return true;
  }

  // Processing may go on once the unsent output has drained below the resume mark. Posted, so
  // that it runs from the loop (this is called while BeforeSleep flushes) and the replies it
  // produces are flushed by the BeforeSleep that follows.
  void MaybeResumeOutput() {
    if (!output_paused_ || client_.UnsentOutputBytes() > kOutputResumeBytes) return;
    output_paused_ = false;
    asio::post(net_.io(), [self = shared_from_this()] { self->Resume(); });
  }

  void Resume() {
    if (closed_) return;
    ProcessInput();
    StartRead();
  }

  // Writes everything queued so far straight to the socket; only what the kernel does not take
  // waits for writability (Redis's writeToClient + a write handler for the remainder).
  void Flush() {
    client_.Clear(kClientPendingWrite);
    if (closed_) return;
    if (client_.Has(kClientCloseAsap)) return Close();
    if (writing_) return;
    if (!client_.shared_out.empty()) return FlushShared();
    std::string& out = client_.out();
    if (out.empty()) {
      if (client_.Has(kClientCloseAfterReply)) return Close();
      MaybeResumeOutput();
      return;
    }
    size_t n = WriteSome(out.data(), out.size());
    if (closed_) return;
    if (n == out.size()) {
      out.clear();
      if (out.capacity() > kMaxIdleBuffer) std::string().swap(out);
      if (client_.Has(kClientCloseAfterReply)) return Close();
      MaybeResumeOutput();
      return;
    }
    // The remainder moves aside without a copy; out() carries on with the idle write buffer.
    write_buf_.swap(out);
    write_off_ = n;
    out.clear();
    SyncPendingWrite();
    MaybeResumeOutput();
    WaitWritable();
  }

  // Shared pub/sub frames (Client::shared_out) and then out(), in one gathered write per call.
  void FlushShared() {
    constexpr size_t kMaxChunks = 16;
    std::array<asio::const_buffer, kMaxChunks + 1> bufs;
    size_t nb = 0;
    auto& chunks = client_.shared_out;
    for (size_t i = 0; i < chunks.size() && nb < kMaxChunks; ++i) {
      size_t off = i == 0 ? client_.shared_off : 0;
      bufs[nb++] = asio::buffer(chunks[i]->data() + off, chunks[i]->size() - off);
    }
    std::string& out = client_.out();
    if (nb == chunks.size() && !out.empty()) bufs[nb++] = asio::buffer(out);
    size_t left = WriteSome(std::span<const asio::const_buffer>(bufs.data(), nb));
    if (closed_) return;
    while (left > 0 && !chunks.empty()) {
      size_t avail = chunks.front()->size() - client_.shared_off;
      size_t take = std::min(left, avail);
      client_.shared_off += take;
      client_.shared_bytes -= take;
      left -= take;
      if (take == avail) {
        chunks.pop_front();
        client_.shared_off = 0;
      }
    }
    if (chunks.empty()) {
      out.erase(0, left);  // the part of out() that went in the same write
      return Flush();
    }
    SyncPendingWrite();
    MaybeResumeOutput();
    WaitWritable();
  }

  // Non-blocking write; returns the bytes taken (0 if the socket is full), closing on errors.
  size_t WriteSome(const char* data, size_t len) {
    return WriteSome(asio::const_buffer(data, len));
  }
  template <class Buffers>
  size_t WriteSome(const Buffers& buffers) {
    // A socket that became writable may carry replies of this loop turn before BeforeSleep ran:
    // under appendfsync always their AOF bytes go to disk first.
    net_.server().aof().FlushBeforeReply();
    asio::error_code ec;
    size_t n = socket_.write_some(buffers, ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) return 0;
    if (ec) {
      Close();
      return 0;
    }
    Server& s = net_.server();
    s.stats().total_net_output_bytes += n;
    s.stats().total_writes_processed++;
    client_.net_output_bytes += n;
    return n;
  }

  void WaitWritable() {
    writing_ = true;
    client_.events_write = true;
    socket_.async_wait(
        asio::socket_base::wait_write,
        [self = shared_from_this()](const asio::error_code& ec) { self->OnWritable(ec); });
  }

  void OnWritable(const asio::error_code& ec) {
    writing_ = false;
    client_.events_write = false;
    if (closed_) return;
    if (ec || client_.Has(kClientCloseAsap)) return Close();
    // (Nothing in write_buf_ when the wait was for shared frames: Flush() resumes them.)
    if (!write_buf_.empty()) {
      write_off_ += WriteSome(write_buf_.data() + write_off_, write_buf_.size() - write_off_);
    }
    if (closed_) return;
    if (write_off_ < write_buf_.size()) {
      SyncPendingWrite();
      MaybeResumeOutput();
      return WaitWritable();
    }
    write_buf_.clear();
    write_off_ = 0;
    if (write_buf_.capacity() > kMaxIdleBuffer) std::string().swap(write_buf_);
    SyncPendingWrite();
    Flush();
  }

  // A client being closed without a flush gives its output memory back at once — unless its
  // own reply is being built right now (it is the running client, or holds a deferred length),
  // in which case Close() does it a moment later.
  void DropOutput() {
    if (net_.executing() == &client_ || net_.IsProtected(&client_) || client_.rb().IsHolding()) {
      return;
    }
    std::string().swap(client_.out());
    std::string().swap(client_.pending_push);
    client_.DropShared();
    // A pending writability wait sees the close-ASAP flag before it touches write_buf_.
    std::string().swap(write_buf_);
    write_off_ = 0;
    SyncPendingWrite();
  }

  void Close() {
    if (closed_) return;
    if (net_.IsProtected(&client_)) {
      // Its script is still running on it (Redis freeClient of a protected client): later.
      client_.Set(kClientCloseAsap);
      asio::post(net_.io(), [self = shared_from_this()] { self->Close(); });
      return;
    }
    closed_ = true;
    asio::error_code ignored;
    socket_.shutdown(asio::socket_base::shutdown_both, ignored);
    socket_.close(ignored);
    // Pending handlers keep this object alive until they see the cancellation; the buffers go
    // now.
    std::string().swap(client_.out());
    std::string().swap(client_.pending_push);
    client_.DropShared();
    std::string().swap(write_buf_);
    in_.Release();
    in_start_ = in_len_ = write_off_ = 0;
    SyncPendingWrite();
    net_.server().RemoveClient(&client_);
    // Last: this may drop the final reference to the connection.
    net_.Remove(client_.id());
  }

  asio::generic::stream_protocol::socket& socket() { return socket_; }

 private:
  void SyncPendingWrite() {
    client_.pending_write_bytes = write_buf_.size() - write_off_;
    client_.pending_write_capacity = write_buf_.capacity();
  }

  Network& net_;
  asio::generic::stream_protocol::socket socket_;
  Client client_;
  protocol::RespParser parser_;
  QueryBuffer in_;
  size_t in_start_ = 0, in_len_ = 0;
  std::string write_buf_;  // the part of a reply the socket did not take yet
  size_t write_off_ = 0;
  bool reading_ = false, writing_ = false, closed_ = false;
  bool output_paused_ = false;  // too much unsent output: run no more commands (network.h)
};

Network::Network(Server& server, asio::io_context& io)
    : server_(server),
      io_(io),
      cron_timer_(io),
      block_timer_(io),
      expire_timer_(io),
      signals_(io, SIGTERM, SIGINT) {
  server_.on_kill_client = [this](Client* c) {
    auto it = connections_.find(c->id());
    if (it == connections_.end()) return;
    asio::post(io_, [conn = it->second] { conn->Close(); });
  };
  server_.on_resume_client = [this](Client* c) {
    auto it = connections_.find(c->id());
    if (it == connections_.end()) return;
    asio::post(io_, [conn = it->second] { conn->Resume(); });
  };
  // Called for output a client did not ask for just now (pub/sub messages, MONITOR lines,
  // replies to unblocked clients), possibly from inside PubSub::Deliver's walk over a subscriber
  // list: it may flag and schedule, never close.
  server_.on_reply_ready = [this](Client* c) {
    auto it = connections_.find(c->id());
    if (it == connections_.end()) return;
    const std::shared_ptr<Connection>& conn = it->second;
    if (c->Has(kClientCloseAsap)) {
      // Being closed without a flush: what was just added is dropped right away.
      conn->DropOutput();
      return;
    }
    MarkPendingWrite(conn);
    if (OverOutputLimit(*c, c->UnsentOutputBytes())) CloseForOutputLimit(conn, /*async=*/true);
  };
  server_.process_events_while_blocked = [this] { ProcessEventsWhileBlocked(); };
  server_.on_listeners_changed = [this]() -> std::expected<void, std::string> {
    for (auto& a : tcp_acceptors_) {
      asio::error_code ignored;
      a->close(ignored);
    }
    tcp_acceptors_.clear();
    return ListenTcp();
  };
  WaitForSignal();
}

void Network::WaitForSignal() {
  signals_.async_wait([this](const asio::error_code& ec, int sig) {
    if (ec) return;
    server_.Log(Server::kWarning, sig == SIGINT ? "Received SIGINT scheduling shutdown..."
                                                : "Received SIGTERM scheduling shutdown...");
    server_.RequestShutdown();
    // A shutdown whose final save failed is cancelled; the next signal tries again.
    if (!server_.shutdown_requested()) WaitForSignal();
  });
}

Network::~Network() {
  server_.on_kill_client = nullptr;
  server_.on_resume_client = nullptr;
  server_.on_reply_ready = nullptr;
  server_.on_listeners_changed = nullptr;
  server_.process_events_while_blocked = nullptr;
}

std::expected<void, std::string> Network::ListenTcp() {
  const Config& cfg = server_.config();
  if (cfg.port == 0) return {};
  std::vector<std::string> addrs = cfg.bind;
  if (addrs.empty()) addrs = {"*", "-::*"};
  size_t opened = 0;
  std::string last_error;
  for (std::string addr : addrs) {
    bool optional = !addr.empty() && addr[0] == '-';
    if (optional) addr.erase(0, 1);
    asio::ip::address ip;
    if (addr == "*") {
      ip = asio::ip::address_v4::any();
    } else if (addr == "::*") {
      ip = asio::ip::address_v6::any();
    } else {
      asio::error_code ec;
      ip = asio::ip::make_address(addr, ec);
      if (ec) {
        last_error = "Invalid bind address '" + addr + "'";
        if (optional) continue;
        return std::unexpected(last_error);
      }
    }
    asio::ip::tcp::endpoint tcp_ep(ip, static_cast<uint16_t>(cfg.port));
    asio::generic::stream_protocol::endpoint ep(tcp_ep);
    auto acceptor = std::make_unique<Acceptor>(io_);
    asio::error_code ec;
    acceptor->open(ep.protocol(), ec);
    if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec && ip.is_v6()) {
      int on = 1;
      setsockopt(acceptor->native_handle(), IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
    }
    if (!ec) acceptor->bind(ep, ec);
    if (!ec) acceptor->listen(cfg.tcp_backlog, ec);
    if (ec) {
      last_error = "Could not create server TCP listening socket " + addr + ":" +
                   std::to_string(cfg.port) + ": " + ec.message();
      if (optional) continue;
      return std::unexpected(last_error);
    }
    Accept(*acceptor, false);
    tcp_acceptors_.push_back(std::move(acceptor));
    ++opened;
  }
  if (opened == 0) return std::unexpected(last_error.empty() ? "no listening socket" : last_error);
  return {};
}

std::expected<void, std::string> Network::ListenUnix() {
  const Config& cfg = server_.config();
  if (cfg.unixsocket.empty()) return {};
  ::unlink(cfg.unixsocket.c_str());
  asio::local::stream_protocol::endpoint local_ep(cfg.unixsocket);
  asio::generic::stream_protocol::endpoint ep(local_ep);
  unix_acceptor_ = std::make_unique<Acceptor>(io_);
  asio::error_code ec;
  unix_acceptor_->open(ep.protocol(), ec);
  if (!ec) unix_acceptor_->bind(ep, ec);
  // Permissions are applied before listen so no client can connect through looser ones.
  if (!ec && cfg.unixsocketperm != 0) ::chmod(cfg.unixsocket.c_str(), cfg.unixsocketperm);
  if (!ec) unix_acceptor_->listen(cfg.tcp_backlog, ec);
  if (ec) return std::unexpected("Failed opening Unix socket: " + ec.message());
  Accept(*unix_acceptor_, true);
  return {};
}

std::expected<void, std::string> Network::Listen() {
  if (auto r = ListenTcp(); !r) return r;
  if (auto r = ListenUnix(); !r) return r;
  return {};
}

void Network::Accept(Acceptor& acceptor, bool unix_socket) {
  acceptor.async_accept([this, &acceptor, unix_socket](const asio::error_code& ec,
                                                       asio::generic::stream_protocol::socket s) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) OnAccepted(std::move(s), unix_socket);
    if (acceptor.is_open()) Accept(acceptor, unix_socket);
  });
}

void Network::OnAccepted(asio::generic::stream_protocol::socket socket, bool unix_socket) {
  const Config& cfg = server_.config();
  if (server_.client_count() >= static_cast<size_t>(cfg.maxclients)) {
    static constexpr std::string_view kErr = "-ERR max number of clients reached\r\n";
    asio::error_code ignored;
    asio::write(socket, asio::buffer(kErr.data(), kErr.size()), ignored);
    server_.stats().rejected_connections++;
    return;
  }
  int fd = socket.native_handle();
  bool loopback = unix_socket;
  std::string peer, local;
  if (!unix_socket) {
    asio::error_code ec;
    auto remote = socket.remote_endpoint(ec);
    if (!ec) peer = FormatEndpoint(remote, &loopback);
    auto here = socket.local_endpoint(ec);
    if (!ec) local = FormatEndpoint(here, nullptr);
  }
  // Protected mode: with no password only loopback and unix-socket clients may talk to the
  // server. Since Redis 7.0 this holds whatever `bind` says (checked against 7.0.15).
  if (!loopback && cfg.protected_mode && cfg.requirepass.empty()) {
    // Word for word Redis 7.0.15's text, "Setup a an" included: clients match on it.
    static constexpr std::string_view kDenied =
        "-DENIED Redis is running in protected mode because protected mode is enabled and no "
        "password is set for the default user. In this mode connections are only accepted from "
        "the loopback interface. If you want to connect from external computers to Redis you may "
        "adopt one of the following solutions: 1) Just disable protected mode sending the command "
        "'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from "
        "the same host the server is running, however MAKE SURE Redis is not publicly accessible "
        "from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) "
        "Alternatively you can just disable the protected mode by editing the Redis "
        "configuration file, and setting the protected mode option to 'no', and then restarting "
        "the server. 3) If you started the server manually just for testing, restart it with the "
        "'--protected-mode no' option. 4) Setup a an authentication password for the default "
        "user. NOTE: You only need to do one of the above things in order for the server to "
        "start accepting connections from the outside.\r\n";
    asio::error_code ignored;
    asio::write(socket, asio::buffer(kDenied.data(), kDenied.size()), ignored);
    server_.stats().rejected_connections++;
    return;
  }
  if (!unix_socket) {
    int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
    if (cfg.tcp_keepalive > 0) {
      int idle = cfg.tcp_keepalive, intvl = std::max(cfg.tcp_keepalive / 3, 1), cnt = 3;
      setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
      setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
      setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
      setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
    }
  }
  socket.non_blocking(true);
  uint64_t id = server_.NextClientId();
  auto conn = std::make_shared<Connection>(*this, std::move(socket), id, server_.clock().NowMs());
  Client& c = conn->client();
  c.fd = fd;
  if (unix_socket) {
    c.Set(kClientUnixSocket);
    c.Set(kClientLocal);
    c.addr = cfg.unixsocket + ":0";
    c.laddr = cfg.unixsocket + ":0";
  } else {
    if (!peer.empty()) c.addr = peer;
    if (!local.empty()) c.laddr = local;
    if (loopback) c.Set(kClientLocal);
  }
  connections_[id] = conn;
  conn->Start();
}

void Network::MarkPendingWrite(std::shared_ptr<Connection> c) {
  if (c->client().Has(kClientPendingWrite)) return;
  c->client().Set(kClientPendingWrite);
  pending_writes_.push_back(std::move(c));
}

void Network::Remove(uint64_t id) { connections_.erase(id); }

bool Network::OverOutputLimit(Client& c, size_t unsent) {
  // Redis's fix for CVE-2025-21605: a client that has not authenticated may not leave more than
  // 1 KB of replies (its -NOAUTH errors) unread, or a pipeline it never reads grows unbounded.
  // Redis counts only what overflows a client's 16 KB reply buffer, so that is the allowance.
  constexpr size_t kUnauthenticatedLimit = 16 * 1024 + 1024;
  if (unsent > kUnauthenticatedLimit && !c.authenticated() &&
      !server_.config().requirepass.empty()) {
    return true;
  }
  // Redis classes a subscribed client as pubsub and every other one (MONITOR too) as normal;
  // baozi has no replicas.
  const OutputBufferLimit& limit =
      server_.config().client_output_buffer_limit[c.Has(kClientPubSub) ? kObufPubSub : kObufNormal];
  if (limit.soft_bytes == 0 || unsent < limit.soft_bytes) {
    // Under the soft limit: its clock starts again next time.
    if (c.obuf_soft_limit_reached_s != 0) c.obuf_soft_limit_reached_s = 0;
    return limit.hard_bytes != 0 && unsent >= limit.hard_bytes;
  }
  if (limit.hard_bytes != 0 && unsent >= limit.hard_bytes) return true;
  int64_t now_s = server_.clock().NowMs() / 1000;
  if (c.obuf_soft_limit_reached_s == 0) {
    c.obuf_soft_limit_reached_s = now_s;
    return false;
  }
  // Like Redis, whole seconds and strictly more than the allowance.
  return now_s - c.obuf_soft_limit_reached_s > limit.soft_seconds;
}

void Network::CloseForOutputLimit(const std::shared_ptr<Connection>& conn, bool async) {
  Client& c = conn->client();
  if (c.Has(kClientCloseAsap) && async) return;
  // Described as it was when it went over, before the flag shows.
  std::string info = ClientInfoLine(server_, c);
  c.Set(kClientCloseAsap);
  if (async) {
    conn->DropOutput();
    asio::post(io_, [conn] { conn->Close(); });
    server_.Log(Server::kWarning, "Client " + info +
                                      " scheduled to be closed ASAP for overcoming of output "
                                      "buffer limits.");
  } else {
    conn->Close();
    server_.Log(Server::kWarning,
                "Client " + info + " closed for overcoming of output buffer limits.");
  }
}

void Network::ClientsCron() {
  ServerStats& st = server_.stats();
  int64_t now_s = server_.clock().NowMs() / 1000;
  int slot = static_cast<int>(now_s % ServerStats::kClientPeakSlots);
  // The next slot starts empty, so each slot holds only its own second's peaks (Redis
  // clientsCron).
  int next = (slot + 1) % ServerStats::kClientPeakSlots;
  st.client_peak_input[next] = 0;
  st.client_peak_output[next] = 0;
  for (auto& [id, conn] : connections_) {
    Client& c = conn->client();
    size_t in = conn->query_buffer_capacity() + c.argv_mem;
    size_t out = c.UnsentOutputBytes();
    st.client_peak_input[slot] = std::max(st.client_peak_input[slot], in);
    st.client_peak_output[slot] = std::max(st.client_peak_output[slot], out);
    // The soft limit's seconds run out here when nothing new arrives for the client.
    if (out == 0 && c.obuf_soft_limit_reached_s == 0) continue;
    if (!c.Has(kClientCloseAsap) && OverOutputLimit(c, out)) cron_victims_.push_back(conn);
  }
  for (auto& conn : cron_victims_) CloseForOutputLimit(conn, /*async=*/false);
  cron_victims_.clear();
}

void Network::BeforeSleep() {
  server_.BeforeSleep();
  ArmExpireTimer();
  // An eviction run that ran out of time goes on in the next loop turn, after I/O (Redis's
  // 0 ms evictionTimeProc); the posted handler keeps the loop from sleeping meanwhile.
  if (server_.stats().eviction_continues && !eviction_posted_) {
    eviction_posted_ = true;
    asio::post(io_, [this] {
      eviction_posted_ = false;
      ContinueEvictions(server_);
    });
  }
  int64_t deadline = server_.blocking().NextDeadline();
  if (deadline != 0 && deadline != block_timer_deadline_) {
    block_timer_deadline_ = deadline;
    int64_t wait = std::max<int64_t>(0, deadline - server_.clock().NowMs());
    block_timer_.expires_after(std::chrono::milliseconds(wait));
    block_timer_.async_wait([this, deadline](const asio::error_code& ec) {
      // Firing only wakes the loop; if the clock is not quite there yet, the next BeforeSleep
      // arms the timer again.
      if (!ec && block_timer_deadline_ == deadline) block_timer_deadline_ = 0;
    });
  }
  // The turn's AOF bytes reach the file (and under `always` the disk) before any reply of the
  // turn is written to a socket.
  server_.aof().BeforeSleep();
  // Writes may queue more writes (monitors), so flush from a second list; both keep their
  // capacity, so a loop turn allocates nothing here.
  flushing_.swap(pending_writes_);
  for (auto& c : flushing_) c->Flush();
  flushing_.clear();
}

void Network::ProcessEventsWhileBlocked() {
  if (!running_ || in_blocked_events_ || shutdown_in_script_) return;
  in_blocked_events_ = true;
  protected_ = executing_;
  // Like Redis, a few rounds at most, and only while each round found something to do.
  for (int round = 0; round < 4 && !shutdown_in_script_; ++round) {
    size_t events = 0;
    for (auto& a : tcp_acceptors_) events += AcceptWhileBlocked(*a, false);
    if (unix_acceptor_) events += AcceptWhileBlocked(*unix_acceptor_, true);
    blocked_read_.clear();
    for (auto& [id, conn] : connections_) {
      if (&conn->client() != protected_) blocked_read_.push_back(conn);
    }
    for (auto& conn : blocked_read_) {
      if (conn->ReadWhileBlocked()) ++events;
      if (server_.shutdown_requested()) {
        // SHUTDOWN NOSAVE (the only shutdown a busy script lets through): the script stops at
        // its next check, its caller gets no reply, and the loop ends before anything else
        // runs (Run).
        shutdown_in_script_ = true;
        if (protected_ != nullptr) protected_->Set(kClientCloseAsap);
        io_.stop();
        break;
      }
    }
    blocked_read_.clear();
    if (shutdown_in_script_) break;
    // Replies go out now, everyone's but the protected client's (Redis's
    // handleClientsWithPendingWrites skips it); that one waits in the list for BeforeSleep.
    blocked_flush_.swap(pending_writes_);
    for (auto& conn : blocked_flush_) {
      if (&conn->client() == protected_) {
        pending_writes_.push_back(std::move(conn));
      } else {
        conn->Flush();
      }
    }
    blocked_flush_.clear();
    if (events == 0) break;
  }
  protected_ = nullptr;
  in_blocked_events_ = false;
}

size_t Network::AcceptWhileBlocked(Acceptor& acceptor, bool unix_socket) {
  if (!acceptor.is_open()) return 0;
  asio::error_code ec;
  // Never wait here; the pending async_accept is unaffected (it finds nothing and goes on
  // waiting).
  acceptor.non_blocking(true, ec);
  size_t accepted = 0;
  // Redis's MAX_ACCEPTS_PER_CALL.
  while (accepted < 1000) {
    asio::generic::stream_protocol::socket socket(io_);
    acceptor.accept(socket, ec);
    if (ec) break;
    OnAccepted(std::move(socket), unix_socket);
    ++accepted;
  }
  return accepted;
}

void Network::ArmExpireTimer() {
  int64_t next = server_.NextActiveExpireMs();
  if (next == std::numeric_limits<int64_t>::max()) return;
  // Re-arm only for an earlier event (a command filed a nearer deadline); a later one is picked
  // up when the armed timer fires.
  if (expire_timer_deadline_ != 0 && expire_timer_deadline_ <= next) return;
  expire_timer_deadline_ = next;
  int64_t wait = std::max<int64_t>(0, next - server_.clock().NowMs());
  expire_timer_.expires_after(std::chrono::milliseconds(wait));
  expire_timer_.async_wait([this, next](const asio::error_code& ec) {
    if (ec || expire_timer_deadline_ != next) return;
    expire_timer_deadline_ = 0;
    server_.ActiveExpireSlice();
  });
}

void Network::ScheduleCron() {
  int hz = std::clamp(server_.config().hz, 1, 500);
  cron_timer_.expires_after(std::chrono::milliseconds(1000 / hz));
  cron_timer_.async_wait([this](const asio::error_code& ec) {
    if (ec) return;
    server_.Cron();
    ClientsCron();
    ScheduleCron();
  });
}

void Network::Run() {
  ScheduleCron();
  running_ = true;
  while (!server_.shutdown_requested()) {
    io_.run_one();
    io_.poll();
    // SHUTDOWN NOSAVE from inside a busy script: Redis exits right there, so nothing queued
    // after it (the script's effects and reply) may leave the process.
    if (shutdown_in_script_) break;
    BeforeSleep();
  }
  running_ = false;
  // A shutdown from inside a busy script stopped the io_context (ProcessEventsWhileBlocked).
  if (io_.stopped()) io_.restart();
  // Send what is queued (the SHUTDOWN caller gets no reply, as in Redis) and close everything.
  for (auto& [id, c] : std::unordered_map<uint64_t, std::shared_ptr<Connection>>(connections_)) {
    c->Close();
  }
  for (auto& a : tcp_acceptors_) {
    asio::error_code ignored;
    a->close(ignored);
  }
  if (unix_acceptor_) {
    asio::error_code ignored;
    unix_acceptor_->close(ignored);
    ::unlink(server_.config().unixsocket.c_str());
  }
  cron_timer_.cancel();
  block_timer_.cancel();
  expire_timer_.cancel();
  signals_.cancel();
  io_.poll();
}

}  // namespace baozi
