// trace-replay: the client half of bench/evict_trace.py, a cache replay that
// compares how well baozi and redis-server keep the keys that matter under
// maxmemory, and what evicting costs them.  Python draws the trace and starts
// the servers; this program pushes the trace through one socket per server,
// because a Python client on two shared cores would cost more CPU than the
// servers it measures and make the run several times longer.
//
// How it works.  The keys file holds one "name value_size" line per key; the
// value of key i is a fixed slice of a pseudo-random lowercase pattern, so
// every server stores byte-identical values without the file carrying them.
// The trace file is an array of little-endian uint32: the low 31 bits are a
// key index, the top bit marks a direct write (SET, an update) instead of a
// read.  The trace is replayed cache-aside in batches of --batch entries.
// Each batch has a read phase (one write() carrying the batch's GETs, then
// every reply) and a write phase: one write() carrying, in trace order, a SET
// for each GET that missed (the "fill") and each direct SET, every reply, and
// then a PING.
// Batching keeps the replay fast and is the same for every server, so a key
// read twice in one batch misses twice everywhere.
//
// Several servers are driven in lockstep, batch by batch, so that the noise of
// a shared machine falls on all of them alike.  The CPU time of each server
// (clock_getcpuclockid on its pid: every thread, in nanoseconds) is read over
// the whole measured part and around every write phase of it.  A write
// phase's window closes after the PING's reply: the PING goes out only once
// the SETs are answered, so the server reads it in a later turn of its event
// loop, and work it defers to the end of the SETs' turn (after the replies
// went out) is inside the window too.
//
// The first --warmup entries fill the caches and are not counted.  INFO's
// evicted_keys and the whole-run CPU time are taken at the boundary and at
// the end; used_memory is sampled twenty times during the measured part and
// at the end, and the maximum is printed.  A reply to a write that is not +OK
// counts as a failed write (-OOM also separately); the first error text is
// printed.
//
// A profiler can be confined to the measured part: for every --perf-ctl
// CTL:ACK (the fifos of `perf record --control fifo:CTL,ACK --delay -1`), the
// tool sends "enable" at the warm-up boundary and "disable" at the end, each
// time waiting for perf's "ack", so the samples cover exactly the window the
// CPU times cover.
//
// Output: "NAME FIELD VALUE" lines on stdout (load mode: "FIELD VALUE").
//
// Usage:
//   trace-replay load   --port P --keys FILE [--batch N]
//   trace-replay replay --keys FILE --trace FILE [--warmup N] [--batch N]
//                       --server NAME:PORT:PID ... [--perf-ctl CTL:ACK ...]

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace baozi::bench {
namespace {

constexpr uint32_t kWriteBit = 1u << 31;
constexpr size_t kPatternSize = 16384;
constexpr int kUsedMemorySamples = 20;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "trace-replay: %s\n", what.c_str());
  std::exit(2);
}

struct ServerSpec {
  std::string name;
  int port = 0;
  int pid = 0;
};

struct Options {
  std::string mode;
  int port = 0;
  std::string keys_file;
  std::string trace_file;
  size_t warmup = 0;
  size_t batch = 100;
  std::vector<ServerSpec> servers;
  std::vector<std::string> perf_ctl;  // "CTL:ACK" fifo pairs
};

ServerSpec ParseServer(std::string_view s) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t colon = s.find(':', start);
    parts.emplace_back(s.substr(start, colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (parts.size() != 3) Die("--server wants NAME:PORT:PID");
  return ServerSpec{parts[0], std::atoi(parts[1].c_str()), std::atoi(parts[2].c_str())};
}

Options ParseOptions(int argc, char** argv) {
  if (argc < 2) Die("usage: trace-replay load|replay ... (see bench/trace_replay.cc)");
  Options o;
  o.mode = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string_view a = argv[i];
    if (i + 1 >= argc) Die("missing value after " + std::string(a));
    const char* v = argv[++i];
    if (a == "--port") {
      o.port = std::atoi(v);
    } else if (a == "--keys") {
      o.keys_file = v;
    } else if (a == "--trace") {
      o.trace_file = v;
    } else if (a == "--warmup") {
      o.warmup = std::strtoull(v, nullptr, 10);
    } else if (a == "--batch") {
      o.batch = std::max<size_t>(1, std::strtoull(v, nullptr, 10));
    } else if (a == "--server") {
      o.servers.push_back(ParseServer(v));
    } else if (a == "--perf-ctl") {
      o.perf_ctl.emplace_back(v);
    } else {
      Die("unknown option " + std::string(a));
    }
  }
  if (o.keys_file.empty()) Die("--keys is required");
  if (o.mode == "load" && o.port <= 0) Die("load needs --port");
  if (o.mode == "replay" && (o.trace_file.empty() || o.servers.empty())) {
    Die("replay needs --trace and at least one --server");
  }
  return o;
}

std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Die("cannot open " + path);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

int64_t WallNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// Encodes GET and SET commands for the key set.  Values are lowercase letters
// from a fixed LCG: never integers (which servers store in a smaller
// encoding) and the same on every run.
class Commands {
 public:
  explicit Commands(const std::string& keys_path) : pattern_(kPatternSize, 'a') {
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (char& c : pattern_) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      c = static_cast<char>('a' + (x >> 33) % 26);
    }
    std::ifstream in(keys_path);
    if (!in) Die("cannot open " + keys_path);
    std::string name;
    uint32_t size = 0;
    while (in >> name >> size) {
      if (size > kPatternSize / 2) Die("value too large: " + std::to_string(size));
      heads_.push_back("$" + std::to_string(name.size()) + "\r\n" + name + "\r\n");
      sizes_.push_back(size);
    }
  }

  size_t size() const { return heads_.size(); }

  void AppendGet(std::string& out, uint32_t k) const {
    out += "*2\r\n$3\r\nGET\r\n";
    out += heads_[k];
  }

  void AppendSet(std::string& out, uint32_t k) const {
    out += "*3\r\n$3\r\nSET\r\n";
    out += heads_[k];
    out += '$';
    out += std::to_string(sizes_[k]);
    out += "\r\n";
    size_t off = (static_cast<uint64_t>(k) * 2654435761u) % (kPatternSize / 2);
    out.append(pattern_, off, sizes_[k]);
    out += "\r\n";
  }

 private:
  std::string pattern_;
  std::vector<std::string> heads_;  // "$len\r\nname\r\n", shared by GET and SET
  std::vector<uint32_t> sizes_;
};

class Connection {
 public:
  explicit Connection(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) Die("socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      Die("connect to port " + std::to_string(port) + " failed");
    }
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    buf_.resize(1 << 20);
  }
  ~Connection() { close(fd_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // One batch of requests is small next to the socket buffers and the server
  // keeps reading while it queues replies, so writing a whole batch before
  // reading cannot deadlock.
  void Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        Die("write failed");
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
  }

  struct Reply {
    char type;
    int64_t len;            // bulk length (-1 = nil) or integer
    std::string_view data;  // bulk payload or simple/error line; valid until the next call
  };

  Reply Next() {
    size_t eol = FindLine();
    char type = buf_[pos_];
    std::string_view line(buf_.data() + pos_ + 1, eol - pos_ - 1);
    pos_ = eol + 2;
    Reply r{type, 0, line};
    if (type == '$' || type == ':') {
      std::from_chars(line.data(), line.data() + line.size(), r.len);
      if (type == '$' && r.len >= 0) {
        size_t need = static_cast<size_t>(r.len) + 2;
        while (end_ - pos_ < need) Fill();
        r.data = std::string_view(buf_.data() + pos_, static_cast<size_t>(r.len));
        pos_ += need;
      }
    } else if (type != '+' && type != '-') {
      Die("unexpected reply type " + std::string(1, type));
    }
    return r;
  }

 private:
  size_t FindLine() {
    size_t from = pos_;
    while (true) {
      const void* p = end_ > from ? std::memchr(buf_.data() + from, '\n', end_ - from) : nullptr;
      if (p != nullptr) {
        size_t nl = static_cast<size_t>(static_cast<const char*>(p) - buf_.data());
        if (nl == pos_ || buf_[nl - 1] != '\r') Die("malformed reply");
        return nl - 1;
      }
      size_t scanned = end_ - pos_;
      Fill();
      from = pos_ + scanned;
    }
  }

  // Moves the unread tail to the front (earlier string_views die here), grows
  // the buffer when a reply is larger than it, and reads once.
  void Fill() {
    if (pos_ > 0) {
      std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
      end_ -= pos_;
      pos_ = 0;
    }
    if (end_ == buf_.size()) buf_.resize(buf_.size() * 2);
    ssize_t n;
    do {
      n = read(fd_, buf_.data() + end_, buf_.size() - end_);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) Die("server closed the connection");
    end_ += static_cast<size_t>(n);
  }

  int fd_ = -1;
  std::string buf_;
  size_t pos_ = 0;
  size_t end_ = 0;
};

struct Counters {
  int64_t gets = 0, hits = 0, fills = 0, direct_sets = 0, failed = 0, oom = 0;
};

class Target {
 public:
  Target(const ServerSpec& spec, const Commands& cmds)
      : spec_(spec), cmds_(cmds), conn_(spec.port) {
    // clock_gettime on the clock of a pid that is gone can read 0 rather than fail.
    if (spec.pid <= 0 || kill(spec.pid, 0) != 0) {
      Die("no process " + std::to_string(spec.pid) + " for " + spec.name);
    }
  }

  const ServerSpec& spec() const { return spec_; }
  Counters warm, meas;
  int64_t write_cpu_ns = 0;  // measured write phases only
  int64_t max_used = 0;
  std::string first_error;
  std::vector<uint8_t> missed;  // per entry of the current batch

  // CPU time of every thread of the server, in nanoseconds.
  int64_t CpuNs() const {
    clockid_t clk;
    timespec ts{};
    if (clock_getcpuclockid(spec_.pid, &clk) != 0 || clock_gettime(clk, &ts) != 0) {
      Die("cannot read the CPU clock of pid " + std::to_string(spec_.pid));
    }
    return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
  }

  int64_t InfoField(std::string_view section, std::string_view field) {
    out_.clear();
    out_ += "*2\r\n$4\r\nINFO\r\n$" + std::to_string(section.size()) + "\r\n";
    out_ += section;
    out_ += "\r\n";
    conn_.Send(out_);
    Connection::Reply r = conn_.Next();
    if (r.type != '$' || r.len < 0) Die(spec_.name + ": INFO failed");
    std::string text = "\n" + std::string(r.data);
    std::string needle = "\n" + std::string(field) + ":";
    size_t at = text.find(needle);
    if (at == std::string::npos) return -1;
    return std::strtoll(text.c_str() + at + needle.size(), nullptr, 10);
  }

  void SampleUsedMemory() { max_used = std::max(max_used, InfoField("memory", "used_memory")); }

  void ReadPhase(const uint32_t* entries, size_t n, Counters& c) {
    out_.clear();
    for (size_t j = 0; j < n; ++j) {
      if (!(entries[j] & kWriteBit)) cmds_.AppendGet(out_, entries[j]);
    }
    missed.assign(n, 0);
    if (out_.empty()) return;
    conn_.Send(out_);
    for (size_t j = 0; j < n; ++j) {
      if (entries[j] & kWriteBit) continue;
      Connection::Reply r = conn_.Next();
      if (r.type == '-') Die(spec_.name + ": GET failed: " + std::string(r.data));
      ++c.gets;
      bool hit = r.type == '$' && r.len >= 0;
      c.hits += hit;
      missed[j] = !hit;
    }
  }

  // Fills and direct SETs in trace order, then a PING; returns the server CPU
  // time the phase took when `timed`.
  int64_t WritePhase(const uint32_t* entries, size_t n, Counters& c, bool timed) {
    out_.clear();
    size_t writes = 0;
    for (size_t j = 0; j < n; ++j) {
      if (entries[j] & kWriteBit) {
        cmds_.AppendSet(out_, entries[j] & ~kWriteBit);
        ++c.direct_sets;
      } else if (missed[j]) {
        cmds_.AppendSet(out_, entries[j]);
        ++c.fills;
      } else {
        continue;
      }
      ++writes;
    }
    if (writes == 0) return 0;
    int64_t cpu0 = timed ? CpuNs() : 0;
    conn_.Send(out_);
    for (size_t w = 0; w < writes; ++w) CheckWrite(c);
    // Sent only after the SET replies arrived, the PING is read in a later
    // turn of the server's loop, so its reply means the SETs' turn has ended.
    conn_.Send("*1\r\n$4\r\nPING\r\n");
    if (conn_.Next().type != '+') Die(spec_.name + ": PING failed");
    return timed ? CpuNs() - cpu0 : 0;
  }

 private:
  void CheckWrite(Counters& c) {
    Connection::Reply r = conn_.Next();
    if (r.type == '+') return;
    ++c.failed;
    if (r.type == '-' && r.data.starts_with("OOM")) ++c.oom;
    if (first_error.empty()) first_error = std::string(r.data);
  }

  ServerSpec spec_;
  const Commands& cmds_;
  Connection conn_;
  std::string out_;
};

void Load(const Options& o, const Commands& cmds) {
  Connection conn(o.port);
  std::string out;
  int64_t t0 = WallNs(), failed = 0;
  std::string first_error;
  for (size_t i = 0; i < cmds.size(); i += o.batch) {
    size_t end = std::min(cmds.size(), i + o.batch);
    out.clear();
    for (size_t k = i; k < end; ++k) cmds.AppendSet(out, static_cast<uint32_t>(k));
    conn.Send(out);
    for (size_t k = i; k < end; ++k) {
      Connection::Reply r = conn.Next();
      if (r.type == '+') continue;
      ++failed;
      if (first_error.empty()) first_error = std::string(r.data);
    }
  }
  std::printf("keys %zu\nfailed_writes %lld\nwall_s %.3f\n", cmds.size(),
              static_cast<long long>(failed), (WallNs() - t0) / 1e9);
  if (!first_error.empty()) std::printf("first_error %s\n", first_error.c_str());
}

// Sends `command` to each perf control fifo and waits for its "ack".
void PerfControl(const std::vector<std::string>& ctls, const char* command) {
  for (const std::string& spec : ctls) {
    size_t colon = spec.find(':');
    if (colon == std::string::npos) Die("--perf-ctl wants CTL:ACK");
    std::string ctl = spec.substr(0, colon), ack = spec.substr(colon + 1);
    int fd = open(ctl.c_str(), O_WRONLY);
    if (fd < 0) Die("cannot open " + ctl);
    std::string line = std::string(command) + "\n";
    bool sent = write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    close(fd);
    if (!sent) Die("cannot write to " + ctl);
    fd = open(ack.c_str(), O_RDONLY);
    if (fd < 0) Die("cannot open " + ack);
    char buf[16];
    ssize_t got = read(fd, buf, sizeof(buf));
    close(fd);
    if (got < 3 || std::string_view(buf, 3) != "ack") Die("perf did not ack on " + ack);
  }
}

void Replay(const Options& o, const Commands& cmds) {
  std::vector<uint8_t> raw = ReadFile(o.trace_file);
  size_t n = raw.size() / 4;
  std::vector<uint32_t> trace(n);
  std::memcpy(trace.data(), raw.data(), n * 4);
  for (uint32_t e : trace) {
    if ((e & ~kWriteBit) >= cmds.size()) Die("the trace names a key past the keys file");
  }
  std::vector<std::unique_ptr<Target>> targets;
  for (const ServerSpec& s : o.servers) targets.push_back(std::make_unique<Target>(s, cmds));
  size_t warmup = std::min(o.warmup, n);
  if (warmup == n) Die("nothing to measure: --warmup covers the whole trace");
  size_t sample_every = std::max<size_t>(1, (n - warmup) / kUsedMemorySamples);
  size_t next_sample = warmup + sample_every;
  size_t m = targets.size();
  std::vector<int64_t> evicted0(m), cpu0(m), cpu(m), evicted(m), used_end(m);
  int64_t t0 = 0;
  uint64_t round = 0;
  for (size_t i = 0; i < n; ++round) {
    if (i == warmup) {
      for (size_t t = 0; t < m; ++t) {
        evicted0[t] = targets[t]->InfoField("stats", "evicted_keys");
        cpu0[t] = targets[t]->CpuNs();
      }
      PerfControl(o.perf_ctl, "enable");
      t0 = WallNs();
    }
    bool measured = i >= warmup;
    size_t stop = std::min(i + o.batch, measured ? n : warmup);
    const uint32_t* entries = trace.data() + i;
    // The order of the servers rotates every batch.
    for (size_t r = 0; r < m; ++r) {
      Target& t = *targets[(r + round) % m];
      t.ReadPhase(entries, stop - i, measured ? t.meas : t.warm);
    }
    for (size_t r = 0; r < m; ++r) {
      Target& t = *targets[(r + round) % m];
      t.write_cpu_ns += t.WritePhase(entries, stop - i, measured ? t.meas : t.warm, measured);
    }
    i = stop;
    if (measured && i >= next_sample) {
      for (auto& t : targets) t->SampleUsedMemory();
      next_sample += sample_every;
    }
  }
  int64_t wall = WallNs() - t0;
  for (size_t t = 0; t < m; ++t) cpu[t] = targets[t]->CpuNs() - cpu0[t];
  PerfControl(o.perf_ctl, "disable");
  for (size_t t = 0; t < m; ++t) {
    evicted[t] = targets[t]->InfoField("stats", "evicted_keys") - evicted0[t];
    used_end[t] = targets[t]->InfoField("memory", "used_memory");
  }
  std::printf("all entries %zu\nall warmup_entries %zu\nall wall_s %.6f\n", n, warmup, wall / 1e9);
  for (size_t t = 0; t < m; ++t) {
    Target& x = *targets[t];
    const char* name = x.spec().name.c_str();
    auto field = [&](const char* f, long long v) { std::printf("%s %s %lld\n", name, f, v); };
    field("warmup_gets", x.warm.gets);
    field("warmup_hits", x.warm.hits);
    field("warmup_failed_writes", x.warm.failed);
    field("warmup_oom", x.warm.oom);
    field("gets", x.meas.gets);
    field("hits", x.meas.hits);
    field("fills", x.meas.fills);
    field("direct_sets", x.meas.direct_sets);
    field("failed_writes", x.meas.failed);
    field("oom", x.meas.oom);
    field("evicted_keys", evicted[t]);
    field("used_memory_end", used_end[t]);
    field("used_memory_max_sampled", std::max(x.max_used, used_end[t]));
    std::printf("%s cpu_s %.6f\n%s write_cpu_s %.6f\n", name, cpu[t] / 1e9, name,
                x.write_cpu_ns / 1e9);
    if (!x.first_error.empty()) std::printf("%s first_error %s\n", name, x.first_error.c_str());
  }
}

}  // namespace
}  // namespace baozi::bench

int main(int argc, char** argv) {
  using namespace baozi::bench;
  Options o = ParseOptions(argc, argv);
  Commands cmds(o.keys_file);
  if (o.mode == "load") {
    Load(o, cmds);
  } else if (o.mode == "replay") {
    Replay(o, cmds);
  } else {
    Die("unknown mode " + o.mode);
  }
  return 0;
}
