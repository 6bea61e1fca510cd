// How a snapshot is taken and recovered (the contract is in snapshot.h).
//
// Writing. WriteFile is Redis's rdbSave: rdb::Save streams the keyspace into an FdSink, a
// 256 KB buffer over the temp file's descriptor, so the codec's many small writes become few
// system calls; every 4 MB the data written so far is synced (rdb-save-incremental-fsync). The temp
// file is named after the writing process (temp-<pid>.rdb), which keeps a foreground SAVE and a
// background child from ever writing the same file. After the last byte: fsync the file, close it,
// rename it over dbfilename (atomic within the directory), and fsync the directory so the rename
// itself is durable. Every failure is logged with the step that failed and the temp file removed;
// the old dbfilename is untouched.
//
// Forking. BGSAVE forks; the child has a frozen copy-on-write image of the keyspace, closes
// every descriptor it inherited but its report pipe (the listeners and the epoll instance
// belong to the parent, and a child that outlived a crashed parent must not keep the port),
// restores default signal dispositions (SIGUSR1 is how the parent cancels it, as in Redis), and
// calls WriteFile. While writing, the sink measures the child's private dirty memory — pages
// that copy-on-write had to duplicate because the parent changed them — at most once a second
// and sends it over the pipe; a final report follows a successful save. The child leaves with
// _exit so no destructor or atexit handler of the parent's objects runs twice.
//
// Reaping. The parent never waits for a save in progress (only for a child it has just killed
// with SIGUSR1, which is exiting): Cron drains the pipe and calls waitpid(WNOHANG). An exit
// status of 0 is success (dirty counter reduced by what the snapshot covered, lastsave set);
// non-zero or a signal other than SIGUSR1 marks the last background save as failed, which is
// what -MISCONF keys on.
//
// Loading. The file is mapped read-only and handed to rdb::Load whole; the codec checks every
// length against the mapping, so a truncated file is an error at the offset where data ran out.
// At start-up any error ends the process (one log line with file, offset, reason). DEBUG RELOAD
// loads into a scratch keyspace first and only then replaces or merges into the live one, so a
// bad file leaves the dataset as it was.
#include "server/snapshot.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "persistence/rdb.h"
#include "server/aof.h"
#include "server/child_process.h"
#include "server/scripting/functions.h"
#include "server/scripting/scripting.h"
#include "server/server.h"

namespace baozi {
namespace {

// Redis CONFIG_BGSAVE_RETRY_DELAY: after a failed BGSAVE, save points wait this long.
constexpr int64_t kBgsaveRetryDelaySeconds = 5;

// What the child writes into its report pipe: one fixed-size record per report (well under
// PIPE_BUF, so each write is atomic and the parent reads whole records).
struct ChildReport {
  enum Type : uint32_t { kCurrent = 0, kFinal = 1 };
  uint32_t type;
  uint32_t reserved;
  uint64_t cow_bytes;
  int64_t measured_ms;
  uint64_t keys_written;
};

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void SendReport(int fd, ChildReport::Type type, uint64_t cow, uint64_t keys) {
  if (fd < 0) return;
  ChildReport r{type, 0, cow, SteadyMs(), keys};
  ssize_t n = write(fd, &r, sizeof(r));
  (void)n;  // the parent only loses a statistic
}

class FdSink final : public rdb::Sink {
 public:
  FdSink(int fd, int report_fd, bool incremental_fsync)
      : fd_(fd), report_fd_(report_fd), incremental_fsync_(incremental_fsync), buf_(kBufSize) {}
  // rdb::Save counts its keys here; the reports carry the count.
  uint64_t keys_written = 0;

  bool Write(const void* data, size_t len) override {
    if (error_ != 0) return false;
    const char* p = static_cast<const char*>(data);
    if (used_ + len > buf_.size()) {
      if (!Flush()) return false;
      if (len >= buf_.size()) return WriteAll(p, len);
    }
    std::memcpy(buf_.data() + used_, p, len);
    used_ += len;
    return true;
  }

  bool Flush() {
    if (error_ != 0) return false;
    if (used_ == 0) return true;
    bool ok = WriteAll(buf_.data(), used_);
    used_ = 0;
    return ok;
  }
  int error() const { return error_; }

 private:
  static constexpr size_t kBufSize = 256 * 1024;
  static constexpr size_t kAutoSyncBytes = 4 * 1024 * 1024;  // Redis REDIS_AUTOSYNC_BYTES

  bool WriteAll(const char* p, size_t len) {
    while (len > 0) {
      ssize_t n = write(fd_, p, len);
      if (n < 0) {
        if (errno == EINTR) continue;
        error_ = errno;
        return false;
      }
      p += n;
      len -= static_cast<size_t>(n);
      unsynced_ += static_cast<size_t>(n);
    }
    // rdb-save-incremental-fsync (Redis's default): flush to disk every few MB so the final
    // fsync does not have gigabytes of dirty pages to write at once.
    if (incremental_fsync_ && unsynced_ >= kAutoSyncBytes) {
      if (fdatasync(fd_) != 0) {
        error_ = errno;
        return false;
      }
      unsynced_ = 0;
    }
    MaybeReport();
    return true;
  }

  // A child measures its copy-on-write cost about once a second (reading smaps is not free).
  void MaybeReport() {
    if (report_fd_ < 0) return;
    int64_t now = SteadyMs();
    if (now - last_report_ms_ < 1000) return;
    last_report_ms_ = now;
    SendReport(report_fd_, ChildReport::kCurrent, PrivateDirtyBytes(), keys_written);
  }

  int fd_;
  int report_fd_;
  bool incremental_fsync_;
  std::vector<char> buf_;
  size_t used_ = 0;
  size_t unsynced_ = 0;
  int error_ = 0;
  int64_t last_report_ms_ = SteadyMs();
};

std::string CurrentDir() {
  char buf[PATH_MAX];
  return getcwd(buf, sizeof(buf)) != nullptr ? std::string(buf) : std::string("unknown");
}

std::string Errno(int e) { return std::strerror(e); }

std::string TempFileName(pid_t pid) { return "temp-" + std::to_string(pid) + ".rdb"; }

// The directory holding `path` (relative to the working directory, which is `dir`).
std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

uint64_t& Dirty(Server& s) { return s.keyspace().stats().dirty; }

bool IsLfu(MaxmemoryPolicy p) {
  return p == MaxmemoryPolicy::kVolatileLfu || p == MaxmemoryPolicy::kAllKeysLfu;
}
bool IsLru(MaxmemoryPolicy p) {
  return p == MaxmemoryPolicy::kVolatileLru || p == MaxmemoryPolicy::kAllKeysLru;
}

// A read-only mapping of a whole file; empty for an empty file.
class MappedFile {
 public:
  ~MappedFile() {
    if (data_ != nullptr) munmap(data_, size_);
  }
  // errno-style error, 0 on success.
  int Open(const std::string& path) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    struct stat st {};
    if (fstat(fd, &st) != 0) {
      int e = errno;
      close(fd);
      return e;
    }
    size_ = static_cast<size_t>(st.st_size);
    if (size_ > 0) {
      void* p = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        int e = errno;
        close(fd);
        size_ = 0;
        return e;
      }
      data_ = p;
      madvise(data_, size_, MADV_SEQUENTIAL);
    }
    close(fd);
    return 0;
  }
  std::string_view view() const { return {static_cast<const char*>(data_), size_}; }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace

Snapshot::Snapshot(Server& server) : server_(server) {}

Snapshot::~Snapshot() {
  if (info_pipe_ != -1) close(info_pipe_);
}

bool Snapshot::WriteFile(int info_fd) {
  const Config& cfg = server_.config();
  const std::string tmp = TempFileName(getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    int e = errno;
    server_.Log(Server::kWarning, "Failed opening the temp RDB file " + tmp +
                                      " (in server root dir " + CurrentDir() +
                                      ") for saving: " + Errno(e));
    return false;
  }
  rdb::SaveOptions opts;
  opts.compress = cfg.rdbcompression;
  opts.checksum = cfg.rdbchecksum;
  opts.now_ms = server_.clock().NowMs();
  opts.used_mem = server_.UsedMemory();
  opts.save_lru = IsLru(cfg.maxmemory_policy);
  opts.save_lfu = IsLfu(cfg.maxmemory_policy);
  opts.function_libraries = server_.scripting().functions().Codes();
  FdSink sink(fd, info_fd, cfg.rdb_save_incremental_fsync);
  opts.keys_written = &sink.keys_written;
  const char* op = nullptr;
  int err = 0;
  if (!rdb::Save(server_.keyspace(), sink, opts) || !sink.Flush()) {
    op = "rdbSaveRio";
    err = sink.error();
  } else if (fsync(fd) != 0) {
    op = "fsync";
    err = errno;
  }
  if (close(fd) != 0 && op == nullptr) {
    op = "fclose";
    err = errno;
  }
  if (op != nullptr) {
    server_.Log(Server::kWarning, std::string("Write error saving DB on disk(") + op +
                                      "): " + (err != 0 ? Errno(err) : "unknown error"));
    unlink(tmp.c_str());
    return false;
  }
  const std::string& filename = cfg.dbfilename;
  if (rename(tmp.c_str(), filename.c_str()) == -1) {
    int e = errno;
    server_.Log(Server::kWarning, "Error moving temp DB file " + tmp +
                                      " on the final destination " + filename +
                                      " (in server root dir " + CurrentDir() + "): " + Errno(e));
    unlink(tmp.c_str());
    return false;
  }
  int dfd = open(DirOf(filename).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0 || (fsync(dfd) != 0 && errno != EINVAL)) {
    int e = errno;
    if (dfd >= 0) close(dfd);
    server_.Log(Server::kWarning, "Write error saving DB on disk(fsyncFileDir): " + Errno(e));
    return false;
  }
  close(dfd);
  server_.Log(Server::kNotice, "DB saved on disk");
  return true;
}

bool Snapshot::SaveSync() {
  if (!WriteFile(-1)) return false;
  Dirty(server_) = 0;
  server_.set_lastsave_s(server_.clock().NowMs() / 1000);
  last_bgsave_ok_ = true;
  return true;
}

bool Snapshot::StartBackgroundSave() {
  // One child at a time: a BGSAVE never runs beside an AOF rewrite.
  if (child_running() || server_.aof().child_running()) return false;
  rdb_saves_++;
  dirty_before_bgsave_ = Dirty(server_);
  last_bgsave_try_s_ = server_.clock().NowMs() / 1000;
  int fds[2] = {-1, -1};
  if (pipe2(fds, O_CLOEXEC) != 0) fds[0] = fds[1] = -1;
  pid_t pid = ForkChild(server_, "baozi-rdb-bgsave", fds[1]);
  if (pid == 0) {
    // The child: see the header comment of this file.
    int keep = fds[1];
    bool ok = WriteFile(keep);
    if (ok) {
      uint64_t cow = PrivateDirtyBytes();
      if (cow != 0) {
        server_.Log(Server::kNotice, "Fork CoW for RDB: current " + std::to_string(cow >> 20) +
                                         " MB, peak " + std::to_string(cow >> 20) +
                                         " MB, average " + std::to_string(cow >> 20) + " MB");
      }
      SendReport(keep, ChildReport::kFinal, cow, 0);
    }
    _exit(ok ? 0 : 1);
  }
  if (fds[1] != -1) close(fds[1]);
  if (pid == -1) {
    int e = errno;
    if (fds[0] != -1) close(fds[0]);
    last_bgsave_ok_ = false;
    server_.Log(Server::kWarning, "Can't save in background: fork: " + Errno(e));
    return false;
  }
  server_.Log(Server::kNotice, "Background saving started by pid " + std::to_string(pid));
  child_pid_ = pid;
  info_pipe_ = fds[0];
  if (info_pipe_ != -1) fcntl(info_pipe_, F_SETFL, fcntl(info_pipe_, F_GETFL) | O_NONBLOCK);
  save_time_start_s_ = server_.clock().NowMs() / 1000;
  current_save_keys_total_ = 0;
  Keyspace& ks = server_.keyspace();
  for (int i = 0; i < ks.size(); ++i) current_save_keys_total_ += ks.db(i).size();
  return true;
}

void Snapshot::ReadChildInfo() {
  if (info_pipe_ == -1) return;
  ChildReport r;
  while (read(info_pipe_, &r, sizeof(r)) == static_cast<ssize_t>(sizeof(r))) {
    if (r.type == ChildReport::kFinal) {
      final_cow_size_ = r.cow_bytes;
    } else {
      current_cow_size_ = r.cow_bytes;
      current_cow_peak_ = std::max(current_cow_peak_, r.cow_bytes);
      current_cow_updated_ms_ = server_.clock().NowMs();
      current_save_keys_processed_ = r.keys_written;
    }
  }
}

void Snapshot::ResetChildState() {
  if (info_pipe_ != -1) close(info_pipe_);
  info_pipe_ = -1;
  child_pid_ = -1;
  current_cow_peak_ = current_cow_size_ = 0;
  current_cow_updated_ms_ = 0;
  current_save_keys_total_ = 0;
  current_save_keys_processed_ = 0;
  final_cow_size_ = 0;
  const int64_t now_s = server_.clock().NowMs() / 1000;
  save_time_last_s_ = save_time_start_s_ == -1 ? -1 : now_s - save_time_start_s_;
  save_time_start_s_ = -1;
}

void Snapshot::ReapChild() {
  auto exit = baozi::ReapChild(server_, child_pid_, "RDB");
  if (!exit) return;
  if (exit->waitpid_failed) {
    last_bgsave_ok_ = false;
    ResetChildState();
    return;
  }
  ReadChildInfo();
  const int bysignal = exit->bysignal;
  if (exit->ok()) {
    server_.Log(Server::kNotice, "Background saving terminated with success");
    uint64_t& dirty = Dirty(server_);
    dirty = dirty >= dirty_before_bgsave_ ? dirty - dirty_before_bgsave_ : 0;
    server_.set_lastsave_s(server_.clock().NowMs() / 1000);
    last_bgsave_ok_ = true;
    last_cow_size_ = final_cow_size_;
  } else if (bysignal == 0) {
    server_.Log(Server::kWarning, "Background saving error");
    last_bgsave_ok_ = false;
  } else {
    server_.Log(Server::kWarning,
                "Background saving terminated by signal " + std::to_string(bysignal));
    unlink(TempFileName(child_pid_).c_str());
    // SIGUSR1 is how the server itself cancels a save: not a failure.
    if (bysignal != SIGUSR1) last_bgsave_ok_ = false;
  }
  ResetChildState();
}

void Snapshot::KillChild() {
  if (!child_running()) return;
  kill(child_pid_, SIGUSR1);
  // Wait for it: a child that still renamed its file after this point could overwrite the
  // snapshot the caller is about to write. It is exiting, so this is short.
  int status = 0;
  while (waitpid(child_pid_, &status, 0) == -1 && errno == EINTR) {
  }
  unlink(TempFileName(child_pid_).c_str());
  ResetChildState();
}

void Snapshot::Cron() {
  const Config& cfg = server_.config();
  const int64_t now_s = server_.clock().NowMs() / 1000;
  if (child_running()) {
    ReadChildInfo();
    ReapChild();
  } else if (!server_.aof().child_running()) {
    for (const SavePoint& sp : cfg.save) {
      if (Dirty(server_) >= static_cast<uint64_t>(sp.changes) &&
          now_s - server_.lastsave_s() > sp.seconds &&
          (now_s - last_bgsave_try_s_ > kBgsaveRetryDelaySeconds || last_bgsave_ok_)) {
        server_.Log(Server::kNotice, std::to_string(sp.changes) + " changes in " +
                                         std::to_string(sp.seconds) + " seconds. Saving...");
        StartBackgroundSave();
        break;
      }
    }
  }
  if (!child_running() && !server_.aof().child_running() && bgsave_scheduled_ &&
      (now_s - last_bgsave_try_s_ > kBgsaveRetryDelaySeconds || last_bgsave_ok_)) {
    if (StartBackgroundSave()) bgsave_scheduled_ = false;
  }
}

bool Snapshot::PrepareForShutdown(bool nosave, bool save, bool force) {
  server_.Log(Server::kWarning, "User requested shutdown...");
  if (child_running()) {
    server_.Log(Server::kWarning, "There is a child saving an .rdb. Killing it!");
    KillChild();
  }
  if (!server_.aof().PrepareForShutdown(force)) {
    server_.Log(Server::kWarning,
                "Errors trying to shut down the server. Check the logs for more information.");
    return false;
  }
  if ((!server_.config().save.empty() && !nosave) || save) {
    server_.Log(Server::kNotice, "Saving the final RDB snapshot before exiting.");
    if (!SaveSync()) {
      if (force) {
        server_.Log(Server::kWarning, "Error trying to save the DB. Exit anyway.");
      } else {
        server_.Log(Server::kWarning, "Error trying to save the DB, can't exit.");
        server_.Log(Server::kWarning,
                    "Errors trying to shut down the server. Check the logs for more information.");
        return false;
      }
    }
  }
  return true;
}

void Snapshot::AfterFlushAll() {
  KillChild();
  if (!server_.config().save.empty()) SaveSync();
}

bool Snapshot::DeniedByConfig() const {
  const Config& cfg = server_.config();
  return cfg.stop_writes_on_bgsave_error && !cfg.save.empty();
}

bool Snapshot::LoadAtStartup() {
  const Config& cfg = server_.config();
  const std::string& file = cfg.dbfilename;
  MappedFile map;
  if (int e = map.Open(file); e != 0) {
    if (e == ENOENT) return true;
    server_.Log(Server::kWarning,
                "Fatal error loading the DB (" + file + "): " + Errno(e) + ". Exiting.");
    return false;
  }
  const auto start = std::chrono::steady_clock::now();
  Keyspace& ks = server_.keyspace();
  const int64_t now_ms = server_.clock().NowMs();
  ks.set_now_ms(now_ms);
  rdb::LoadOptions opts;
  opts.now_ms = now_ms;
  opts.verify_checksum = cfg.rdbchecksum;
  auto r = rdb::Load(map.view(), ks, opts);
  if (!r) {
    server_.Log(Server::kWarning, "Bad RDB file " + cfg.dir + "/" + file + " at offset " +
                                      std::to_string(r.error().offset) + ": " + r.error().reason +
                                      ". Exiting.");
    return false;
  }
  for (const auto& [name, value] : r->aux) {
    if (name == "redis-ver") {
      server_.Log(Server::kNotice, "Loading RDB produced by version " + value);
    } else if (name == "ctime") {
      int64_t age = now_ms / 1000 - std::strtoll(value.c_str(), nullptr, 10);
      server_.Log(Server::kNotice,
                  "RDB age " + std::to_string(std::max<int64_t>(age, 0)) + " seconds");
    } else if (name == "used-mem") {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "%.2f",
                    std::strtoull(value.c_str(), nullptr, 10) / 1024.0 / 1024.0);
      server_.Log(Server::kNotice, std::string("RDB memory usage when created ") + buf + " Mb");
    }
  }
  // Redis compiles each library as it reads it and stops the start-up on the first that fails.
  if (auto f =
          server_.scripting().functions().LoadAll(r->function_libraries, LibraryPolicy::kAppend);
      !f) {
    server_.Log(Server::kWarning, "Failed loading library, " + f.error());
    return false;
  }
  keys_loaded_ = r->keys_loaded;
  keys_expired_ = r->expired_skipped;
  ks.stats().dirty = 0;
  server_.Log(Server::kNotice, "Done loading RDB, keys loaded: " + std::to_string(keys_loaded_) +
                                   ", keys expired: " + std::to_string(keys_expired_) + ".");
  char secs[64];
  std::snprintf(secs, sizeof(secs), "%.3f",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  server_.Log(Server::kNotice, std::string("DB loaded from disk: ") + secs + " seconds");
  return true;
}

bool Snapshot::Reload(bool flush, bool merge) {
  const Config& cfg = server_.config();
  MappedFile map;
  if (int e = map.Open(cfg.dbfilename); e != 0) {
    server_.Log(Server::kWarning, "Failed opening the RDB file " + cfg.dbfilename +
                                      " (in server root dir " + CurrentDir() +
                                      ") for reading: " + Errno(e));
    return false;
  }
  Keyspace& ks = server_.keyspace();
  Keyspace scratch(ks.size());
  scratch.limits = ks.limits;
  scratch.SetPolicyMode(ks.lfu_mode(), ks.lfu_or_lru_policy());
  scratch.lfu_log_factor = ks.lfu_log_factor;
  scratch.lfu_decay_time = ks.lfu_decay_time;
  const int64_t now_ms = server_.clock().NowMs();
  scratch.set_now_ms(now_ms);
  rdb::LoadOptions opts;
  opts.now_ms = now_ms;
  opts.verify_checksum = cfg.rdbchecksum;
  auto r = rdb::Load(map.view(), scratch, opts);
  if (!r) {
    server_.Log(Server::kWarning, "Bad RDB file " + cfg.dbfilename + " at offset " +
                                      std::to_string(r.error().offset) + ": " + r.error().reason);
    return false;
  }
  std::vector<std::vector<std::string>> keys(ks.size());
  for (int i = 0; i < ks.size(); ++i) {
    scratch.db(i).ForEach([&](std::string_view k, DbEntry&) { keys[i].emplace_back(k); });
  }
  if (!flush && !merge) {
    // Redis stops the server on a duplicate here; baozi refuses the reload instead.
    for (int i = 0; i < ks.size(); ++i) {
      for (const std::string& k : keys[i]) {
        if (ks.db(i).Peek(k) != nullptr) {
          server_.Log(Server::kWarning,
                      "RDB has duplicated key '" + k + "' in DB " + std::to_string(i));
          return false;
        }
      }
    }
  }
  // The file's function libraries replace the current ones when the dataset is flushed, join
  // them otherwise (MERGE replaces a library of the same name, as Redis's ALLOW_DUP load
  // does); compiling them and joining is all or nothing, so a failure leaves everything as it
  // was.
  FunctionRegistry& functions = server_.scripting().functions();
  std::unique_ptr<FunctionLibraries> libs = functions.NewLibraries();
  for (const std::string& code : r->function_libraries) {
    if (auto c = functions.Create(code, /*replace=*/false, *libs, /*timeout_ms=*/0); !c) {
      server_.Log(Server::kWarning, "Failed loading library, " + c.error());
      return false;
    }
  }
  const LibraryPolicy policy = flush   ? LibraryPolicy::kFlush
                               : merge ? LibraryPolicy::kReplace
                                       : LibraryPolicy::kAppend;
  if (auto j = functions.Join(*libs, policy); !j) {
    server_.Log(Server::kWarning, "Failed loading library, " + j.error());
    return false;
  }
  const uint64_t dirty = ks.stats().dirty;
  // Loading is no keyspace event (Redis's rdbLoad adds keys silently), and each key keeps the
  // access data the file gave it.
  const uint32_t notify_flags = ks.notify_flags;
  ks.notify_flags = 0;
  for (int i = 0; i < ks.size(); ++i) {
    Db& db = ks.db(i);
    if (flush) {
      server_.watches().TouchAllInDb(db, nullptr);
      db.Clear();
    }
    for (const std::string& k : keys[i]) {
      auto moved = scratch.db(i).Extract(k);
      if (!moved) continue;
      if (db.Peek(k) != nullptr) {
        server_.SignalModifiedKey(db, k);
        db.Remove(k);
      }
      const uint32_t access = moved->value.lru();
      DbEntry& e = db.Add(k, std::move(moved->value));
      e.value.set_lru(access);
      if (moved->expire_ms != kNoExpire) db.SetExpire(e, moved->expire_ms);
    }
  }
  ks.notify_flags = notify_flags;
  ks.stats().dirty = dirty;
  keys_loaded_ = r->keys_loaded;
  keys_expired_ = r->expired_skipped;
  return true;
}

Snapshot::Info Snapshot::info() const {
  const int64_t now_ms = server_.clock().NowMs();
  Info i{};
  i.bgsave_in_progress = child_running();
  i.last_bgsave_ok = last_bgsave_ok_;
  i.last_bgsave_time_sec = save_time_last_s_;
  i.current_bgsave_time_sec = save_time_start_s_ == -1 ? -1 : now_ms / 1000 - save_time_start_s_;
  i.rdb_saves = rdb_saves_;
  i.last_cow_size = last_cow_size_;
  i.current_cow_peak = current_cow_peak_;
  i.current_cow_size = current_cow_size_;
  i.current_cow_size_age =
      current_cow_updated_ms_ == 0 ? 0 : (now_ms - current_cow_updated_ms_) / 1000;
  i.current_save_keys_total = current_save_keys_total_;
  i.current_save_keys_processed = current_save_keys_processed_;
  i.keys_loaded = keys_loaded_;
  i.keys_expired = keys_expired_;
  return i;
}

}  // namespace baozi
