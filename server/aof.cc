// How the append-only file is kept (the contract is in aof.h).
//
// Feeding and flushing. Feed appends the RESP form of each propagated command to buf_; nothing
// touches the file while commands run. Flush (Redis's flushAppendOnlyFile) does one write(2) of
// the whole buffer per loop turn. Under `always` it then fdatasyncs on the loop thread before
// returning, and the network layer calls it before the first byte of any reply of the turn goes
// to a socket, so an acknowledged write is on disk before the acknowledgement exists outside
// the process. Under `everysec` the fdatasync is handed to a background thread once per second;
// if the previous one is still running the write itself is postponed (up to 2 s) because on
// Linux a write to a file being fsynced blocks anyway. A failed or short write under everysec/no
// keeps the unwritten bytes (a short write is first cut back with ftruncate so the file never
// ends in half a command), records the errno (-MISCONF) and is retried from the cron; under
// `always` it ends the process, because replies to the writes may already be built.
//
// The background thread runs jobs in order: fsync an fd, or fsync-and-close one. Closing the
// previous incr file goes through it too, so an fd is never closed under a pending fsync and
// the bytes of an incr file are durable before anything is built on the next one.
//
// Files. The manifest (persistence/aof.h) is the source of truth: every change is made on a
// copy, persisted (temp file, fsync, rename, directory fsync) and only then adopted, so a crash
// at any point leaves a manifest that names complete files. A rewrite first opens a new incr
// file (persisting a manifest that lists it) so writes made while the child runs land in a
// file the new base does not cover; the child writes the base as temp-rewriteaof-bg-<pid>.aof
// in `dir`; the reaped child's file is renamed to the new base name in appenddirname, the incrs
// that the base covers become history, the manifest is persisted, and history files are
// deleted. When the AOF is being turned on (wait-rewrite) the incr is a temp file that gets its
// real name only when the first base exists.
//
// Loading. Each file listed is read whole; a base that starts with "REDIS" is loaded by
// rdb::Load, everything else is replayed command by command through Dispatch with a fake client
// (replies off, its own selected database, MULTI/EXEC as for any client). A last file cut short
// (a crash in the middle of a write) is loaded up to its last complete command and truncated
// there under aof-load-truncated; any other damage stops the server with one log line.
#include "server/aof.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

#include "persistence/rdb.h"
#include "server/child_process.h"
#include "server/client.h"
#include "server/dispatcher.h"
#include "server/latency.h"
#include "server/scripting/functions.h"
#include "server/scripting/scripting.h"
#include "server/server.h"
#include "server/snapshot.h"

namespace baozi {
namespace {

constexpr int64_t kWriteErrorLogRate = 30;          // Redis AOF_WRITE_LOG_ERROR_RATE
constexpr size_t kAutoSyncBytes = 4 * 1024 * 1024;  // Redis REDIS_AUTOSYNC_BYTES
constexpr int64_t kMaxPostponeSeconds = 2;          // flushAppendOnlyFile's delay limit

std::string Errno(int e) { return std::strerror(e); }

int64_t FileSize(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
}

std::string Seconds(std::chrono::steady_clock::time_point start) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.3f",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return buf;
}

// aofWrite: keeps writing until everything is written or an error; the bytes written before
// an error count.
ssize_t WriteAll(int fd, const char* p, size_t len) {
  ssize_t total = 0;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return total != 0 ? total : -1;
    }
    p += n;
    len -= static_cast<size_t>(n);
    total += n;
  }
  return total;
}

// A buffered sink over a file for the rewritten base, fsyncing every 4 MB with
// aof-rewrite-incremental-fsync.
class BaseSink final : public rdb::Sink {
 public:
  BaseSink(int fd, bool incremental_fsync) : fd_(fd), incremental_(incremental_fsync) {
    buf_.reserve(kBufSize);
  }
  bool Write(const void* data, size_t len) override {
    if (error_ != 0) return false;
    buf_.append(static_cast<const char*>(data), len);
    return buf_.size() < kBufSize || Flush();
  }
  bool Flush() {
    if (error_ != 0) return false;
    if (buf_.empty()) return true;
    ssize_t n = WriteAll(fd_, buf_.data(), buf_.size());
    if (n != static_cast<ssize_t>(buf_.size())) {
      error_ = n < 0 ? errno : ENOSPC;
      return false;
    }
    unsynced_ += buf_.size();
    buf_.clear();
    if (incremental_ && unsynced_ >= kAutoSyncBytes) {
      if (fdatasync(fd_) != 0) {
        error_ = errno;
        return false;
      }
      unsynced_ = 0;
    }
    return true;
  }
  int error() const { return error_; }

 private:
  static constexpr size_t kBufSize = 256 * 1024;
  int fd_;
  bool incremental_;
  std::string buf_;
  size_t unsynced_ = 0;
  int error_ = 0;
};

// rewriteAppendOnlyFile: writes the whole dataset as a base file at `path` (through a temp
// file named after this process, renamed into place once it is fsynced).
bool WriteBaseFile(Server& server, const std::string& path) {
  const Config& cfg = server.config();
  const std::string tmp = "temp-rewriteaof-" + std::to_string(getpid()) + ".aof";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    server.Log(Server::kWarning,
               "Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): " + Errno(errno));
    return false;
  }
  BaseSink sink(fd, cfg.aof_rewrite_incremental_fsync);
  bool ok;
  if (cfg.aof_use_rdb_preamble) {
    rdb::SaveOptions opts;
    opts.compress = cfg.rdbcompression;
    opts.checksum = cfg.rdbchecksum;
    opts.now_ms = server.clock().NowMs();
    opts.used_mem = server.UsedMemory();
    opts.aof_base = true;
    opts.function_libraries = server.scripting().functions().Codes();
    ok = rdb::Save(server.keyspace(), sink, opts);
  } else {
    aof::RewriteOptions opts;
    opts.timestamp = cfg.aof_timestamp_enabled;
    opts.now_seconds = server.clock().NowMs() / 1000;
    opts.function_libraries = server.scripting().functions().Codes();
    ok = aof::RewriteAsCommands(server.keyspace(), sink, opts);
  }
  ok = ok && sink.Flush();
  int err = sink.error();
  if (ok && fsync(fd) != 0) {
    ok = false;
    err = errno;
  }
  close(fd);
  if (!ok) {
    server.Log(Server::kWarning,
               "Write error writing append only file on disk: " + Errno(err != 0 ? err : EIO));
    unlink(tmp.c_str());
    return false;
  }
  if (rename(tmp.c_str(), path.c_str()) == -1) {
    server.Log(Server::kWarning,
               "Error moving temp append only file on the final destination: " + Errno(errno));
    unlink(tmp.c_str());
    return false;
  }
  return true;
}

}  // namespace

AofWriter::AofWriter(Server& server) : server_(server) {}

AofWriter::~AofWriter() {
  {
    std::lock_guard lock(bio_mu_);
    bio_stop_ = true;
  }
  bio_cv_.notify_all();
  if (bio_.joinable()) bio_.join();
  if (fd_ != -1) close(fd_);
  if (child_pipe_ != -1) close(child_pipe_);
}

std::string AofWriter::Path(std::string_view name) const {
  return server_.config().appenddirname + "/" + std::string(name);
}

void AofWriter::ApplyPolicy() {
  always_ = state_ != State::kOff && server_.config().appendfsync == AppendFsync::kAlways;
}

// ---------------------------------------------------------------------------------------------
// Feeding and flushing
// ---------------------------------------------------------------------------------------------

void AofWriter::Feed(int db, std::span<const std::string_view> argv) {
  // While the AOF is being turned on only a running rewrite's incr file collects commands: the
  // base the rewrite writes covers everything before it.
  if (state_ == State::kOff || (state_ == State::kWaitRewrite && !child_running())) return;
  if (server_.config().aof_timestamp_enabled) {
    const int64_t now_s = server_.clock().NowMs() / 1000;
    if (cur_timestamp_ < now_s) {
      cur_timestamp_ = now_s;
      buf_ += aof::TimestampAnnotation(now_s);
    }
  }
  feed_.Append(&buf_, db, argv);
}

void AofWriter::Flush(bool force) {
  if (fd_ == -1) return;
  const Config& cfg = server_.config();
  const int64_t now_s = server_.clock().NowMs() / 1000;
  bool sync_in_progress = false;
  if (buf_.empty()) {
    // Under everysec, bytes written in the last second still need their fsync even when no
    // write follows them.
    if (cfg.appendfsync == AppendFsync::kEverySec && fsync_offset_ != current_size_ &&
        now_s > last_fsync_s_ && !FsyncInProgress()) {
      goto try_fsync;
    }
    return;
  }
  if (cfg.appendfsync == AppendFsync::kEverySec) sync_in_progress = FsyncInProgress();
  if (cfg.appendfsync == AppendFsync::kEverySec && !force && sync_in_progress) {
    if (flush_postponed_start_ == 0) {
      flush_postponed_start_ = now_s;
      return;
    }
    if (now_s - flush_postponed_start_ < kMaxPostponeSeconds) return;
    delayed_fsync_++;
    server_.Log(Server::kNotice,
                "Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer "
                "without waiting for fsync to complete, this may slow down Redis.");
  }
  {
    const auto write_start = std::chrono::steady_clock::now();
    ssize_t n = WriteAll(fd_, buf_.data(), buf_.size());
    // Latency events, told apart by what the disk was also doing (Redis's flushAppendOnlyFile).
    const int64_t write_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::steady_clock::now() - write_start)
                                 .count();
    if (sync_in_progress) {
      LatencyAddSampleIfNeeded(server_, "aof-write-pending-fsync", write_ms);
    } else if (child_running() || server_.snapshot().child_running()) {
      LatencyAddSampleIfNeeded(server_, "aof-write-active-child", write_ms);
    } else {
      LatencyAddSampleIfNeeded(server_, "aof-write-alone", write_ms);
    }
    LatencyAddSampleIfNeeded(server_, "aof-write", write_ms);
    flush_postponed_start_ = 0;
    if (n != static_cast<ssize_t>(buf_.size())) {
      const bool can_log = now_s - last_write_error_log_ > kWriteErrorLogRate;
      if (can_log) last_write_error_log_ = now_s;
      if (n == -1) {
        last_write_errno_ = errno;
        if (can_log) {
          server_.Log(Server::kWarning,
                      "Error writing to the AOF file: " + Errno(last_write_errno_));
        }
      } else {
        if (can_log) {
          server_.Log(Server::kWarning,
                      "Short write while writing to the AOF file: (nwritten=" + std::to_string(n) +
                          ", expected=" + std::to_string(buf_.size()) + ")");
        }
        // Never leave half a command at the end of the file.
        if (ftruncate(fd_, last_incr_size_) == -1) {
          if (can_log) {
            server_.Log(Server::kWarning,
                        "Could not remove short write from the append-only file.  Redis may "
                        "refuse to load the AOF the next time it starts.  ftruncate: " +
                            Errno(errno));
          }
        } else {
          n = -1;
        }
        last_write_errno_ = ENOSPC;
      }
      if (cfg.appendfsync == AppendFsync::kAlways) {
        // Replies to these writes may already be built: the contract (nothing acknowledged is
        // lost) can only be kept by not going on.
        server_.Log(Server::kWarning,
                    "Can't recover from AOF write error when the AOF fsync policy is 'always'. "
                    "Exiting...");
        std::_Exit(1);
      }
      last_write_ok_ = false;
      if (n > 0) {
        current_size_ += n;
        last_incr_size_ += n;
        buf_.erase(0, static_cast<size_t>(n));
      }
      return;
    }
    if (!last_write_ok_) {
      server_.Log(Server::kWarning, "AOF write error looks solved, Redis can write again.");
      last_write_ok_ = true;
    }
    current_size_ += n;
    last_incr_size_ += n;
    if (buf_.capacity() < 4000) {
      buf_.clear();
    } else {
      std::string().swap(buf_);
    }
  }
try_fsync:
  if (cfg.no_appendfsync_on_rewrite && (child_running() || server_.snapshot().child_running())) {
    return;
  }
  if (cfg.appendfsync == AppendFsync::kAlways) {
    const auto fsync_start = std::chrono::steady_clock::now();
    const int fsync_rc = fdatasync(fd_);
    LatencyAddSampleIfNeeded(server_, "aof-fsync-always",
                             std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::steady_clock::now() - fsync_start)
                                 .count());
    if (fsync_rc == -1) {
      server_.Log(Server::kWarning,
                  "Can't persist AOF for fsync error when the AOF fsync policy is 'always': " +
                      Errno(errno) + ". Exiting...");
      std::_Exit(1);
    }
    fsync_offset_ = current_size_;
    last_fsync_s_ = now_s;
  } else if (cfg.appendfsync == AppendFsync::kEverySec && now_s > last_fsync_s_) {
    if (!sync_in_progress) {
      BioSubmit(fd_, false);
      fsync_offset_ = current_size_;
    }
    last_fsync_s_ = now_s;
  }
}

// ---------------------------------------------------------------------------------------------
// Background fsync
// ---------------------------------------------------------------------------------------------

void AofWriter::BioSubmit(int fd, bool close_only) {
  // Started on first use, never in the constructor: a server that daemonizes forks after it
  // is constructed, and a thread does not survive fork().
  if (!bio_.joinable()) bio_ = std::thread([this] { BioLoop(); });
  bio_pending_.fetch_add(1, std::memory_order_acq_rel);
  {
    std::lock_guard lock(bio_mu_);
    bio_jobs_.push_back({fd, close_only});
  }
  bio_cv_.notify_one();
}

void AofWriter::BioLoop() {
  std::unique_lock lock(bio_mu_);
  for (;;) {
    bio_cv_.wait(lock, [this] { return bio_stop_ || !bio_jobs_.empty(); });
    if (bio_jobs_.empty()) return;  // stopping, nothing left
    BioJob job = bio_jobs_.front();
    bio_jobs_.pop_front();
    lock.unlock();
    // The file being retired is synced before it is closed: what was acknowledged in it must
    // not depend on the kernel's writeback once the next incr file takes over.
    if (fdatasync(job.fd) == -1 && errno != EBADF && errno != EINVAL) {
      bio_fsync_errno_.store(errno, std::memory_order_relaxed);
    } else {
      bio_fsync_errno_.store(0, std::memory_order_relaxed);
    }
    if (job.close_only) close(job.fd);
    bio_pending_.fetch_sub(1, std::memory_order_acq_rel);
    lock.lock();
  }
}

// ---------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------

bool AofWriter::Replay(std::string_view data, size_t start, const std::string& name, bool last,
                       const std::string& path) {
  Client fake(0, server_.clock().NowMs());
  fake.set_authenticated(true);
  fake.Set(kClientReplyOff);
  fake.Set(kClientMustObey);
  aof::CommandReader reader(data, start);
  while (reader.Next()) {
    auto argv = reader.argv();
    if (server_.registry().Find(argv[0]) == nullptr) {
      server_.Log(Server::kWarning, "Unknown command '" + std::string(argv[0]) +
                                        "' reading the append only file " + name);
      return false;
    }
    Dispatch(server_, fake, argv);
    fake.out().clear();
  }
  if (fake.Has(kClientMulti)) DiscardTransaction(server_, fake);
  if (reader.status() == aof::ReadStatus::kOk && !reader.reverted_multi()) return true;
  if (reader.status() == aof::ReadStatus::kCorrupt) {
    server_.Log(Server::kWarning,
                "Bad file format reading the append only file " + name +
                    ": make a backup of your AOF file, then use ./redis-check-aof --fix "
                    "<filename.manifest>");
    return false;
  }
  if (reader.reverted_multi()) {
    server_.Log(Server::kWarning, "Revert incomplete MULTI/EXEC transaction in AOF file " + name);
  }
  if (server_.config().aof_load_truncated) {
    const size_t valid = reader.valid_prefix();
    server_.Log(Server::kWarning,
                "!!! Warning: short read while loading the AOF file " + name + "!!!");
    if (!last) {
      server_.Log(Server::kWarning, "Fatal error: the truncated file is not the last file");
      return false;
    }
    server_.Log(Server::kWarning,
                "!!! Truncating the AOF " + name + " at offset " + std::to_string(valid) + " !!!");
    if (truncate(path.c_str(), static_cast<off_t>(valid)) == -1) {
      server_.Log(Server::kWarning, "Error truncating the AOF file " + name + ": " + Errno(errno));
    } else {
      server_.Log(Server::kWarning,
                  "AOF " + name + " loaded anyway because aof-load-truncated is enabled");
      return true;
    }
  }
  server_.Log(Server::kWarning,
              "Unexpected end of file reading the append only file " + name +
                  ". You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix "
                  "<filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' "
                  "configuration option to yes and restart the server.");
  return false;
}

bool AofWriter::LoadFile(const aof::FileInfo& f, bool last, int64_t* size) {
  const std::string path = Path(f.name);
  auto data = aof::ReadWholeFile(path);
  if (!data) {
    server_.Log(Server::kWarning, "Fatal error: can't open the append log file " + f.name +
                                      " for reading: " + data.error());
    return false;
  }
  const auto start = std::chrono::steady_clock::now();
  const bool is_base = f.type == aof::FileType::kBase;
  if (!data->empty()) {
    if (aof::HasRdbPreamble(*data)) {
      server_.Log(Server::kNotice, is_base && f.name.ends_with(".rdb")
                                       ? "Reading RDB base file on AOF loading..."
                                       : "Reading RDB preamble from AOF file...");
      rdb::LoadOptions opts;  // now_ms 0: keys already expired are loaded, as Redis does here
      opts.verify_checksum = server_.config().rdbchecksum;
      auto r = rdb::Load(*data, server_.keyspace(), opts);
      if (!r) {
        server_.Log(Server::kWarning, "Error reading the RDB base file " + f.name + " at offset " +
                                          std::to_string(r.error().offset) + ": " +
                                          r.error().reason + ", AOF loading aborted");
        return false;
      }
      if (auto fn = server_.scripting().functions().LoadAll(r->function_libraries,
                                                            LibraryPolicy::kAppend);
          !fn) {
        server_.Log(Server::kWarning, "Failed loading library, " + fn.error());
        return false;
      }
      for (const auto& [key, value] : r->aux) {
        if (key == "redis-ver") {
          server_.Log(Server::kNotice, "Loading RDB produced by version " + value);
        } else if (key == "aof-base" && value != "0") {
          server_.Log(Server::kNotice, "RDB is base AOF");
        }
      }
      server_.Log(Server::kNotice,
                  "Done loading RDB, keys loaded: " + std::to_string(r->keys_loaded) +
                      ", keys expired: " + std::to_string(r->expired_skipped) + ".");
      // A pre-7.0 AOF (or any .aof) that starts with an RDB goes on with commands.
      if (r->end_offset < data->size()) {
        server_.Log(Server::kNotice, "Reading the remaining AOF tail...");
        if (!Replay(*data, r->end_offset, f.name, last, path)) return false;
      }
    } else if (!Replay(*data, 0, f.name, last, path)) {
      return false;
    }
  }
  *size = FileSize(path);
  server_.Log(Server::kNotice, std::string("DB loaded from ") + (is_base ? "base" : "incr") +
                                   " file " + f.name + ": " + Seconds(start) + " seconds");
  return true;
}

bool AofWriter::LoadAtStartup() {
  Config& cfg = server_.config();
  const auto start = std::chrono::steady_clock::now();
  // aofLoadManifestFromDisk
  struct stat st {};
  if (stat(cfg.appenddirname.c_str(), &st) != 0) {
    server_.Log(Server::kNotice, "The AOF directory " + cfg.appenddirname + " doesn't exist");
  } else {
    const std::string mpath = Path(aof::ManifestFileName(cfg.appendfilename));
    if (stat(mpath.c_str(), &st) != 0) {
      server_.Log(
          Server::kNotice,
          "The AOF manifest file " + aof::ManifestFileName(cfg.appendfilename) + " doesn't exist");
    } else {
      auto text = aof::ReadWholeFile(mpath);
      if (!text) {
        server_.Log(Server::kWarning, "Can't open the AOF manifest file " +
                                          aof::ManifestFileName(cfg.appendfilename) +
                                          " for reading: " + text.error());
        return false;
      }
      auto m = aof::Manifest::Parse(*text);
      if (!m) {
        const std::string log_text = m.error().LogText();  // lines views into it
        std::string_view lines = log_text;
        while (!lines.empty()) {
          size_t nl = lines.find('\n');
          server_.Log(Server::kWarning, lines.substr(0, nl));
          lines = nl == std::string_view::npos ? std::string_view() : lines.substr(nl + 1);
        }
        return false;
      }
      manifest_ = std::move(*m);
    }
  }
  // A single-file AOF of Redis < 7 in `dir` becomes the base of a multi-part AOF (Redis 7's
  // aofUpgradePrepare): when the directory is missing, its manifest lists nothing, or it lists
  // only that file as its base without holding it (an upgrade cut short).
  if (struct stat old{}; stat(cfg.appendfilename.c_str(), &old) == 0 && S_ISREG(old.st_mode)) {
    const bool dir_missing = stat(cfg.appenddirname.c_str(), &st) != 0;
    const bool nothing_listed = !manifest_.base() && manifest_.incrs().empty();
    const bool upgrade_cut_short = manifest_.base() && manifest_.incrs().empty() &&
                                   manifest_.base()->name == cfg.appendfilename &&
                                   stat(Path(cfg.appendfilename).c_str(), &st) != 0;
    if ((dir_missing || nothing_listed || upgrade_cut_short) && !UpgradeSingleFile()) {
      return false;
    }
  }
  // loadAppendOnlyFiles. Loading is not subject to maxmemory: the data was accepted once.
  const uint64_t maxmemory = cfg.maxmemory;
  cfg.maxmemory = 0;
  bool ok = true;
  int64_t total = 0;
  const size_t count = manifest_.load_file_count();
  // Every file the manifest names must exist before anything is loaded: loading the others
  // would silently lose the missing one's writes (getBaseAndIncrAppendOnlyFilesSize).
  std::vector<const aof::FileInfo*> files;
  if (manifest_.base()) files.push_back(&*manifest_.base());
  for (const aof::FileInfo& f : manifest_.incrs()) files.push_back(&f);
  for (const aof::FileInfo* f : files) {
    struct stat fst {};
    if (stat(Path(f->name).c_str(), &fst) != 0) {
      server_.Log(Server::kWarning,
                  "Unable to obtain the AOF file " + f->name + " length. stat: " + Errno(errno));
      cfg.maxmemory = maxmemory;
      return false;
    }
  }
  size_t index = 0;
  if (manifest_.base()) {
    int64_t size = 0;
    ok = LoadFile(*manifest_.base(), ++index == count, &size);
    total += size;
    base_size_ = size;
  }
  for (const aof::FileInfo& f : manifest_.incrs()) {
    if (!ok) break;
    int64_t size = 0;
    ok = LoadFile(f, ++index == count, &size);
    total += size;
  }
  cfg.maxmemory = maxmemory;
  if (!ok) return false;
  // Replaying is not serving: like Redis (which calls the command procs directly), leave no
  // trace in the command statistics or the slow log. Nothing else has run yet. The dirty
  // counter keeps the replayed changes, as Redis's does.
  const uint64_t dirty = server_.keyspace().stats().dirty;
  server_.stats() = ServerStats{};
  server_.keyspace().stats() = KeyspaceStats{};
  server_.keyspace().stats().dirty = dirty;
  server_.registry().ForEachIncludingSubcommands(
      [](const Command& c) { c.stats() = CommandStats{}; });
  server_.slowlog().clear();
  if (count != 0) {
    server_.Log(Server::kNotice, "DB loaded from append only file: " + Seconds(start) + " seconds");
  }
  current_size_ = total;
  fsync_offset_ = total;
  return OpenAtStartup();
}

// aofOpenIfNeededOnServerStart.
bool AofWriter::OpenAtStartup() {
  const Config& cfg = server_.config();
  if (!MakeDir()) return false;
  const bool had_incr = !manifest_.incrs().empty();
  if (!manifest_.base() && !had_incr) {
    const std::string base = manifest_.NewBase(cfg.appendfilename, cfg.aof_use_rdb_preamble);
    if (!WriteBaseFile(server_, Path(base))) return false;
    server_.Log(Server::kNotice, "Creating AOF base file " + base + " on server start");
  }
  const std::string name = manifest_.LastIncrOrNew(cfg.appendfilename);
  const std::string path = Path(name);
  fd_ = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ == -1) {
    server_.Log(Server::kWarning, "Can't open the append-only file " + path + ": " + Errno(errno));
    return false;
  }
  if (!PersistManifest(manifest_)) return false;
  last_incr_size_ = FileSize(path);
  server_.Log(Server::kNotice, std::string(had_incr ? "Opening" : "Creating") + " AOF incr file " +
                                   name + " on server start");
  DeleteHistory();
  state_ = State::kOn;
  last_fsync_s_ = server_.clock().NowMs() / 1000;
  feed_.Reset();
  server_.propagation_sink = this;
  ApplyPolicy();
  return true;
}

// ---------------------------------------------------------------------------------------------
// Manifest and files
// ---------------------------------------------------------------------------------------------

bool AofWriter::MakeDir() {
  const std::string& dir = server_.config().appenddirname;
  if (mkdir(dir.c_str(), 0755) == 0 || errno == EEXIST) return true;
  server_.Log(Server::kWarning,
              "Can't open or create append-only dir " + dir + ": " + Errno(errno));
  return false;
}

bool AofWriter::UpgradeSingleFile() {
  const Config& cfg = server_.config();
  if (!MakeDir()) return false;
  manifest_.SetUpgradeBase(cfg.appendfilename);
  if (!PersistManifest(manifest_)) return false;
  if (rename(cfg.appendfilename.c_str(), Path(cfg.appendfilename).c_str()) == -1) {
    server_.Log(Server::kWarning, "Error trying to rename the existing AOF to new AOF directory " +
                                      cfg.appenddirname + ": " + Errno(errno));
    return false;
  }
  server_.Log(Server::kNotice, "Successfully migrated an old-style AOF file (" +
                                   cfg.appendfilename + ") into the AOF directory (" +
                                   cfg.appenddirname + ").");
  return true;
}

bool AofWriter::PersistManifest(aof::Manifest& m) {
  if (!m.dirty()) return true;
  auto r = aof::WriteManifestFile(server_.config().appenddirname, server_.config().appendfilename,
                                  m.ToString());
  if (!r) {
    server_.Log(Server::kWarning, r.error());
    return false;
  }
  m.set_dirty(false);
  return true;
}

void AofWriter::DeleteHistory() {
  // aof-disable-auto-gc keeps them, listed as history, until it is turned off again.
  if (server_.config().aof_disable_auto_gc || manifest_.history().empty()) return;
  for (const aof::FileInfo& f : manifest_.TakeHistory()) {
    server_.Log(Server::kNotice, "Removing the history file " + f.name + " in the background");
    unlink(Path(f.name).c_str());
  }
  manifest_.set_dirty(true);
  PersistManifest(manifest_);
}

bool AofWriter::OpenNewIncr() {
  if (state_ == State::kOff) return true;
  const Config& cfg = server_.config();
  aof::Manifest m = manifest_;
  std::string name;
  int flags = O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC;
  if (state_ == State::kWaitRewrite) {
    name = aof::TempIncrFileName(cfg.appendfilename);
  } else {
    name = m.NewIncr(cfg.appendfilename);
    flags |= O_APPEND;
  }
  const std::string path = Path(name);
  int fd = open(path.c_str(), flags, 0644);
  if (fd == -1) {
    server_.Log(Server::kWarning, "Can't open the append-only file " + name + ": " + Errno(errno));
    return false;
  }
  if (state_ == State::kOn) {
    if (!PersistManifest(m)) {
      close(fd);
      unlink(path.c_str());
      return false;
    }
    manifest_ = std::move(m);
  }
  server_.Log(Server::kNotice, "Creating AOF incr file " + name + " on background rewrite");
  if (fd_ != -1) BioSubmit(fd_, true);
  fd_ = fd;
  last_incr_size_ = 0;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Rewrite
// ---------------------------------------------------------------------------------------------

bool AofWriter::StartRewrite() {
  if (child_running() || server_.snapshot().child_running()) return false;
  const Config& cfg = server_.config();
  if (!MakeDir()) {
    last_bgrewrite_ok_ = false;
    return false;
  }
  // The new incr file starts with a SELECT, and everything buffered goes to the old one.
  feed_.Reset();
  Flush(true);
  if (!OpenNewIncr()) {
    last_bgrewrite_ok_ = false;
    return false;
  }
  rewrites_++;
  int fds[2] = {-1, -1};
  if (pipe2(fds, O_CLOEXEC) != 0) fds[0] = fds[1] = -1;
  pid_t pid = ForkChild(server_, "baozi-aof-rewrite", fds[1]);
  if (pid == 0) {
    const int keep = fds[1];
    const std::string tmp = aof::TempRewriteFileName(getpid());
    bool ok = WriteBaseFile(server_, tmp);
    if (ok) {
      server_.Log(Server::kNotice, "Successfully created the temporary AOF base file " + tmp);
      uint64_t cow = PrivateDirtyBytes();
      server_.Log(Server::kNotice, "Fork CoW for AOF rewrite: current " +
                                       std::to_string(cow >> 20) + " MB, peak " +
                                       std::to_string(cow >> 20) + " MB, average " +
                                       std::to_string(cow >> 20) + " MB");
      if (keep >= 0) {
        ssize_t n = write(keep, &cow, sizeof(cow));
        (void)n;
      }
    }
    _exit(ok ? 0 : 1);
  }
  if (fds[1] != -1) close(fds[1]);
  if (pid == -1) {
    int e = errno;
    if (fds[0] != -1) close(fds[0]);
    last_bgrewrite_ok_ = false;
    server_.Log(Server::kWarning,
                "Can't rewrite append only file in background: fork: " + Errno(e));
    return false;
  }
  server_.Log(Server::kNotice,
              "Background append only file rewriting started by pid " + std::to_string(pid));
  child_pid_ = pid;
  child_pipe_ = fds[0];
  child_preamble_ = cfg.aof_use_rdb_preamble;
  rewrite_scheduled_ = false;
  rewrite_time_start_ = server_.clock().NowMs() / 1000;
  return true;
}

void AofWriter::ReapChild() {
  if (auto exit = baozi::ReapChild(server_, child_pid_, "AOF")) {
    RewriteDone(exit->ok(), exit->bysignal);
  }
}

// backgroundRewriteDoneHandler.
void AofWriter::RewriteDone(bool ok, int bysignal) {
  const Config& cfg = server_.config();
  const std::string tmp = aof::TempRewriteFileName(child_pid_);
  const std::string temp_incr = Path(aof::TempIncrFileName(cfg.appendfilename));
  bool success = false;
  if (child_pipe_ != -1) {
    uint64_t cow = 0;
    if (ok && read(child_pipe_, &cow, sizeof(cow)) == static_cast<ssize_t>(sizeof(cow))) {
      last_cow_size_ = cow;
    }
    close(child_pipe_);
    child_pipe_ = -1;
  }
  if (ok) {
    server_.Log(Server::kNotice, "Background AOF rewrite terminated with success");
    aof::Manifest m = manifest_;
    const std::string base = m.NewBase(cfg.appendfilename, child_preamble_);
    const std::string base_path = Path(base);
    std::string new_incr_path;
    if (rename(tmp.c_str(), base_path.c_str()) == -1) {
      server_.Log(Server::kWarning, "Error trying to rename the temporary AOF base file " + tmp +
                                        " into " + base + ": " + Errno(errno));
    } else {
      server_.Log(Server::kNotice,
                  "Successfully renamed the temporary AOF base file " + tmp + " into " + base);
      bool renamed = true;
      if (state_ == State::kWaitRewrite) {
        const std::string incr = m.NewIncr(cfg.appendfilename);
        new_incr_path = Path(incr);
        if (rename(temp_incr.c_str(), new_incr_path.c_str()) == -1) {
          server_.Log(Server::kWarning, "Error trying to rename the temporary AOF incr file " +
                                            aof::TempIncrFileName(cfg.appendfilename) + " into " +
                                            incr + ": " + Errno(errno));
          unlink(base_path.c_str());
          renamed = false;
        } else {
          server_.Log(Server::kNotice, "Successfully renamed the temporary AOF incr file " +
                                           aof::TempIncrFileName(cfg.appendfilename) + " into " +
                                           incr);
        }
      }
      if (renamed) {
        m.MarkRewrittenIncrsAsHistory(fd_ != -1);
        if (!PersistManifest(m)) {
          unlink(base_path.c_str());
          if (!new_incr_path.empty()) rename(new_incr_path.c_str(), temp_incr.c_str());
        } else {
          manifest_ = std::move(m);
          if (fd_ != -1) {
            current_size_ = FileSize(base_path) + last_incr_size_;
            base_size_ = current_size_;
            fsync_offset_ = current_size_;
            last_fsync_s_ = server_.clock().NowMs() / 1000;
          }
          DeleteHistory();
          success = true;
          last_bgrewrite_ok_ = true;
          consecutive_failures_ = 0;
          server_.Log(Server::kNotice, "Background AOF rewrite finished successfully");
          if (state_ == State::kWaitRewrite) {
            state_ = State::kOn;
            ApplyPolicy();
          }
        }
      }
    }
  } else if (bysignal == 0) {
    server_.Log(Server::kWarning, "Background AOF rewrite terminated with error");
  } else if (bysignal != SIGUSR1) {
    server_.Log(Server::kWarning,
                "Background AOF rewrite terminated by signal " + std::to_string(bysignal));
  }
  if (!success && bysignal != SIGUSR1) {
    last_bgrewrite_ok_ = false;
    consecutive_failures_++;
  }
  unlink(tmp.c_str());
  if (!success && state_ == State::kWaitRewrite) {
    // The temp incr only makes sense with the base that failed: start over next time.
    buf_.clear();
    unlink(temp_incr.c_str());
    if (fd_ != -1) BioSubmit(fd_, true);
    fd_ = -1;
    rewrite_scheduled_ = true;
  }
  child_pid_ = -1;
  const int64_t now_s = server_.clock().NowMs() / 1000;
  rewrite_time_last_ = rewrite_time_start_ == -1 ? -1 : now_s - rewrite_time_start_;
  rewrite_time_start_ = -1;
}

void AofWriter::KillChild() {
  if (!child_running()) return;
  server_.Log(Server::kNotice, "Killing running AOF rewrite child: " + std::to_string(child_pid_));
  if (kill(child_pid_, SIGUSR1) != -1) {
    int status = 0;
    while (waitpid(child_pid_, &status, 0) == -1 && errno == EINTR) {
    }
  }
  unlink(aof::TempRewriteFileName(child_pid_).c_str());
  if (child_pipe_ != -1) close(child_pipe_);
  child_pipe_ = -1;
  child_pid_ = -1;
  rewrite_time_start_ = -1;
}

void AofWriter::Cron() {
  const Config& cfg = server_.config();
  const int64_t now_s = server_.clock().NowMs() / 1000;
  if (!child_running() && !server_.snapshot().child_running() && rewrite_scheduled_) {
    StartRewrite();
  }
  if (child_running()) {
    ReapChild();
  } else if (state_ == State::kOn && !server_.snapshot().child_running() &&
             cfg.auto_aof_rewrite_percentage != 0 &&
             current_size_ > cfg.auto_aof_rewrite_min_size) {
    const int64_t base = base_size_ != 0 ? base_size_ : 1;
    const int64_t growth = current_size_ * 100 / base - 100;
    if (growth >= cfg.auto_aof_rewrite_percentage) {
      server_.Log(Server::kNotice,
                  "Starting automatic rewriting of AOF on " + std::to_string(growth) + "% growth");
      StartRewrite();
    }
  }
  // The background thread does not log; its failures are reported from here, once each.
  if (int e = bio_fsync_errno_.load(std::memory_order_relaxed); e != bio_errno_logged_) {
    if (e != 0) server_.Log(Server::kWarning, "Fail to fsync the AOF file: " + Errno(e));
    bio_errno_logged_ = e;
  }
  if (state_ != State::kOff && flush_postponed_start_ != 0) Flush(false);
  if (state_ != State::kOff && !last_write_ok_ && now_s != last_write_retry_s_) {
    last_write_retry_s_ = now_s;
    Flush(false);
  }
}

// ---------------------------------------------------------------------------------------------
// Turning it on and off
// ---------------------------------------------------------------------------------------------

bool AofWriter::Start() {
  if (state_ != State::kOff) return true;
  state_ = State::kWaitRewrite;
  // Inside EXEC (the running client denies blocking) a fork would capture half a transaction
  // whose propagated whole then lands in the new incr file too.
  bool in_exec = false;
  for (const auto& [id, c] : server_.clients()) in_exec = in_exec || c->Has(kClientDenyBlocking);
  if (server_.snapshot().child_running()) {
    rewrite_scheduled_ = true;
    server_.Log(Server::kWarning,
                "AOF was enabled but there is already another background operation. An AOF "
                "background was scheduled to start when possible.");
  } else if (in_exec) {
    rewrite_scheduled_ = true;
    server_.Log(Server::kWarning,
                "AOF was enabled during a transaction. An AOF background was scheduled to start "
                "when possible.");
  } else {
    if (child_running()) {
      server_.Log(Server::kWarning,
                  "AOF was enabled but there is already an AOF rewriting in background. Stopping "
                  "background AOF and starting a rewrite now.");
      KillChild();
    }
    if (!StartRewrite()) {
      state_ = State::kOff;
      server_.Log(Server::kWarning,
                  "Redis needs to enable the AOF but can't trigger a background AOF rewrite "
                  "operation. Check the above logs for more info about the error.");
      return false;
    }
  }
  last_fsync_s_ = server_.clock().NowMs() / 1000;
  server_.propagation_sink = this;
  ApplyPolicy();
  return true;
}

void AofWriter::Stop() {
  if (state_ == State::kOff) return;
  Flush(true);
  if (fd_ != -1) {
    if (fdatasync(fd_) == -1) {
      server_.Log(Server::kWarning, "Fail to fsync the AOF file: " + Errno(errno));
    } else {
      fsync_offset_ = current_size_;
      last_fsync_s_ = server_.clock().NowMs() / 1000;
    }
    BioSubmit(fd_, true);
    fd_ = -1;
  }
  feed_.Reset();
  state_ = State::kOff;
  rewrite_scheduled_ = false;
  last_incr_size_ = 0;
  KillChild();
  std::string().swap(buf_);
  server_.propagation_sink = nullptr;
  ApplyPolicy();
}

bool AofWriter::PrepareForShutdown(bool force) {
  if (child_running()) {
    if (state_ == State::kWaitRewrite) {
      if (!force) {
        server_.Log(Server::kWarning, "Writing initial AOF, can't exit.");
        return false;
      }
      server_.Log(Server::kWarning, "Writing initial AOF. Exit anyway.");
    }
    server_.Log(Server::kWarning, "There is a child rewriting the AOF. Killing it!");
    KillChild();
  }
  if (state_ != State::kOff) {
    server_.Log(Server::kNotice, "Calling fsync() on the AOF file.");
    Flush(true);
    if (fd_ != -1 && fdatasync(fd_) == -1) {
      server_.Log(Server::kWarning, "Fail to fsync the AOF file: " + Errno(errno) + ".");
    }
  }
  return true;
}

AofWriter::Info AofWriter::info() const {
  const int64_t now_s = server_.clock().NowMs() / 1000;
  Info i{};
  i.enabled = state_ != State::kOff;
  i.rewrite_in_progress = child_running();
  i.rewrite_scheduled = rewrite_scheduled_;
  i.last_rewrite_time_sec = rewrite_time_last_;
  i.current_rewrite_time_sec = rewrite_time_start_ == -1 ? -1 : now_s - rewrite_time_start_;
  i.last_bgrewrite_ok = last_bgrewrite_ok_;
  i.rewrites = rewrites_;
  i.consecutive_failures = consecutive_failures_;
  i.last_write_ok = last_write_ok_;
  i.last_cow_size = last_cow_size_;
  i.current_size = current_size_;
  i.base_size = base_size_;
  i.buffer_length = buf_.size();
  i.pending_bio_fsync = bio_pending_.load(std::memory_order_relaxed);
  i.delayed_fsync = delayed_fsync_;
  return i;
}

}  // namespace baozi
