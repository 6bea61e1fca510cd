// ping-roofline: the fastest "server" this machine can run, as a ceiling for
// the benchmark table.
//
// How it works: one thread, one epoll instance, level-triggered, non-blocking
// sockets.  On each readable event the connection is read into one fixed
// 64 KB buffer (again only if a read filled it, so the usual cost is one
// read() per event, as in Redis); the bytes are scanned for complete requests
// (RESP multibulk `*N` followed by N `$len` bulk strings, or inline lines
// ending in '\n'), and every complete request is answered with `+PONG\r\n`,
// written at once.  Nothing is executed and nothing is stored, so a
// redis-benchmark run against it measures only the kernel's loopback path,
// the client and the cheapest possible framing.  If baozi's rps per
// CPU-second approaches this number there is nothing left to gain in the
// server itself.  An unfinished request is copied aside until more bytes
// arrive; a malformed one closes the connection.  Replies that the socket
// does not take at once wait in an output buffer flushed on EPOLLOUT.
//
// Usage: ping-roofline PORT [BIND_ADDRESS]   (default address 127.0.0.1)

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace baozi::bench {
namespace {

constexpr std::string_view kPong = "+PONG\r\n";
constexpr int kMaxEvents = 256;
constexpr size_t kReadChunk = 64 * 1024;

struct Connection {
  int fd = -1;
  std::string in;  // an unfinished request carried over between reads
  std::string out;
  size_t out_pos = 0;  // bytes of `out` already written
  bool want_write = false;
};

enum class ScanResult { kOk, kMalformed };

// Parses a decimal integer line body; false if it is not one.
bool ParseInt(std::string_view s, long long* value) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *value);
  return ec == std::errc() && ptr == s.data() + s.size();
}

// Counts the complete requests at the front of `buf`, advancing `*consumed`
// past them.  Stops at the first incomplete request.
ScanResult CountRequests(std::string_view buf, size_t* consumed, size_t* requests) {
  size_t pos = 0;
  while (pos < buf.size()) {
    if (buf[pos] == '*') {
      size_t eol = buf.find("\r\n", pos);
      if (eol == std::string_view::npos) break;
      long long argc = 0;
      if (!ParseInt(buf.substr(pos + 1, eol - pos - 1), &argc)) return ScanResult::kMalformed;
      size_t p = eol + 2;
      bool complete = true;
      for (long long i = 0; i < argc; ++i) {
        if (p >= buf.size()) {
          complete = false;
          break;
        }
        if (buf[p] != '$') return ScanResult::kMalformed;
        size_t len_eol = buf.find("\r\n", p);
        if (len_eol == std::string_view::npos) {
          complete = false;
          break;
        }
        long long len = 0;
        if (!ParseInt(buf.substr(p + 1, len_eol - p - 1), &len) || len < 0) {
          return ScanResult::kMalformed;
        }
        p = len_eol + 2 + static_cast<size_t>(len) + 2;
        if (p > buf.size()) {
          complete = false;
          break;
        }
      }
      if (!complete) break;
      if (argc > 0) ++*requests;
      pos = p;
    } else {
      size_t eol = buf.find('\n', pos);
      if (eol == std::string_view::npos) break;
      std::string_view line = buf.substr(pos, eol - pos);
      if (line.find_first_not_of(" \t\r") != std::string_view::npos) ++*requests;
      pos = eol + 1;
    }
  }
  *consumed = pos;
  return ScanResult::kOk;
}

class Server {
 public:
  explicit Server(int epoll_fd) : epoll_fd_(epoll_fd) {}

  void Accept(int listen_fd) {
    while (true) {
      int fd = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;  // EAGAIN, or a transient error: wait for the next event
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      if (static_cast<size_t>(fd) >= connections_.size()) connections_.resize(fd + 1);
      connections_[fd] = std::make_unique<Connection>();
      connections_[fd]->fd = fd;
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.fd = fd;
      epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
    }
  }

  void OnEvent(int fd, uint32_t events) {
    if (static_cast<size_t>(fd) >= connections_.size() || !connections_[fd]) return;
    Connection& c = *connections_[fd];
    if (events & (EPOLLERR | EPOLLHUP)) {
      Close(c);
      return;
    }
    bool peer_closed = false;
    if (events & EPOLLIN) {
      ReadResult r = Read(c);
      if (r == ReadResult::kError) {
        Close(c);
        return;
      }
      peer_closed = r == ReadResult::kPeerClosed;
    }
    // A peer that shut down its side still gets the replies to what it sent.
    if (!Flush(c) || peer_closed) Close(c);
  }

 private:
  enum class ReadResult { kOpen, kPeerClosed, kError };

  // Reads what the socket holds and queues one PONG per complete request.
  // A read that does not fill the buffer means the socket is drained, so
  // the common case costs one read() and no EAGAIN round trip, as in Redis.
  ReadResult Read(Connection& c) {
    while (true) {
      ssize_t n = read(c.fd, read_buffer_.data(), read_buffer_.size());
      if (n == 0) return ReadResult::kPeerClosed;
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return ReadResult::kOpen;
        return ReadResult::kError;
      }
      if (!Consume(c, std::string_view(read_buffer_.data(), static_cast<size_t>(n)))) {
        return ReadResult::kError;
      }
      if (static_cast<size_t>(n) < read_buffer_.size()) return ReadResult::kOpen;
    }
  }

  // Counts the requests completed by `data`; keeps any unfinished tail.
  bool Consume(Connection& c, std::string_view data) {
    size_t consumed = 0;
    size_t requests = 0;
    if (c.in.empty()) {
      // Fast path: whole requests straight from the read buffer, no copy.
      if (CountRequests(data, &consumed, &requests) == ScanResult::kMalformed) return false;
      c.in.assign(data.substr(consumed));
    } else {
      c.in.append(data);
      if (CountRequests(c.in, &consumed, &requests) == ScanResult::kMalformed) return false;
      c.in.erase(0, consumed);
    }
    for (size_t i = 0; i < requests; ++i) c.out.append(kPong);
    return true;
  }

  bool Flush(Connection& c) {
    while (c.out_pos < c.out.size()) {
      ssize_t n = write(c.fd, c.out.data() + c.out_pos, c.out.size() - c.out_pos);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        return false;
      }
      c.out_pos += static_cast<size_t>(n);
    }
    if (c.out_pos == c.out.size()) {
      c.out.clear();
      c.out_pos = 0;
    }
    bool want_write = !c.out.empty();
    if (want_write != c.want_write) {
      epoll_event ev{};
      ev.events = EPOLLIN | (want_write ? EPOLLOUT : 0u);
      ev.data.fd = c.fd;
      epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev);
      c.want_write = want_write;
    }
    return true;
  }

  void Close(Connection& c) {
    int fd = c.fd;
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    close(fd);
    connections_[fd].reset();
  }

  int epoll_fd_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::array<char, kReadChunk> read_buffer_;
};

int Listen(const char* address, int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, address, &addr.sin_addr) != 1) {
    close(fd);
    errno = EINVAL;
    return -1;
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) < 0 || listen(fd, 511) < 0) {
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

int Run(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s PORT [BIND_ADDRESS]\n", argv[0]);
    return 2;
  }
  long long port = 0;
  if (!ParseInt(argv[1], &port) || port <= 0 || port > 65535) {
    std::fprintf(stderr, "invalid port '%s'\n", argv[1]);
    return 2;
  }
  const char* address = argc == 3 ? argv[2] : "127.0.0.1";
  signal(SIGPIPE, SIG_IGN);

  int listen_fd = Listen(address, static_cast<int>(port));
  if (listen_fd < 0) {
    std::fprintf(stderr, "cannot listen on %s:%lld: %s\n", address, port, std::strerror(errno));
    return 1;
  }
  int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) {
    std::fprintf(stderr, "epoll_create1: %s\n", std::strerror(errno));
    return 1;
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listen_fd;
  epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listen_fd, &ev);
  std::printf("ping-roofline listening on %s:%lld\n", address, port);
  std::fflush(stdout);

  Server server(epoll_fd);
  epoll_event events[kMaxEvents];
  while (true) {
    int n = epoll_wait(epoll_fd, events, kMaxEvents, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::fprintf(stderr, "epoll_wait: %s\n", std::strerror(errno));
      return 1;
    }
    for (int i = 0; i < n; ++i) {
      if (events[i].data.fd == listen_fd) {
        server.Accept(listen_fd);
      } else {
        server.OnEvent(events[i].data.fd, events[i].events);
      }
    }
  }
}

}  // namespace
}  // namespace baozi::bench

int main(int argc, char** argv) { return baozi::bench::Run(argc, argv); }
