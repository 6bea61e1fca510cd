// The append-only file in the server (Redis 7.0's aof.c): what `appendonly yes` does.
//
// AofWriter is the PropagationSink the server feeds while the AOF is on: every propagated
// command is appended to an in-memory buffer (with a SELECT when the database changes), and
// the buffer reaches the file once per loop turn, before any reply of that turn is written to
// a socket (BeforeSleep, and FlushBeforeReply on the socket path). What a crash can cost
// depends on appendfsync:
//   - always:   the turn's bytes are written and fdatasync'ed before any reply leaves; a write
//               or fsync error ends the process, so no acknowledged write is ever lost.
//   - everysec: the write happens before replies leave (so a crash of the process loses
//               nothing acknowledged), fdatasync runs in a background thread about once a second;
//               a power cut loses at most ~2 s (a write is postponed while an fsync is still
//               running, for up to 2 s, as Redis does).
//   - no:       the kernel decides when the bytes reach the disk.
// A failed write under everysec/no keeps the bytes in the buffer, retries from the cron, and
// makes writes fail with -MISCONF until a write works again.
//
// On disk it is Redis 7.0's multi-part AOF (persistence/aof.h's Manifest): appenddirname/
// holds the manifest, one base file (an RDB with aof-use-rdb-preamble, else commands) and
// incremental files in order. A rewrite (BGREWRITEAOF, CONFIG SET appendonly yes, auto
// rewrite by growth) opens a new incr file first, so writes during the rewrite land there, and
// forks a child that writes the new base from its copy-on-write image; when it is reaped the
// base is renamed in, the manifest is persisted, and the old base and incrs are deleted.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>

#include "persistence/aof.h"
#include "server/propagate.h"

namespace baozi {

class Server;

class AofWriter final : public PropagationSink {
 public:
  explicit AofWriter(Server& server);
  ~AofWriter() override;
  AofWriter(const AofWriter&) = delete;
  AofWriter& operator=(const AofWriter&) = delete;

  // feedAppendOnlyFile.
  void Feed(int db, std::span<const std::string_view> argv) override;

  // Start-up with appendonly yes: reads the manifest and loads base + incrs through the
  // dispatcher, then opens (or creates) the files to append to and starts feeding. False after
  // logging when the server must not start (corrupt or unreadable files).
  bool LoadAtStartup();

  // flushAppendOnlyFile(0) at the top of the loop's before-sleep work.
  void BeforeSleep() { Flush(false); }
  // Called before bytes are written to a client socket: under `always` no reply may leave
  // before the turn's AOF bytes are on disk.
  void FlushBeforeReply() {
    if (!buf_.empty() && always_) Flush(false);
  }
  // Cron work (serverCron): reaps a rewrite child, starts a scheduled or automatic rewrite,
  // retries a postponed or failed write.
  void Cron();

  // CONFIG SET appendonly yes/no (startAppendOnly/stopAppendOnly). Start is false when no
  // rewrite could be started (logged).
  bool Start();
  void Stop();

  // BGREWRITEAOF (rewriteAppendOnlyFileBackground): false when it could not start (logged).
  bool StartRewrite();
  void ScheduleRewrite() {
    rewrite_scheduled_ = true;
    consecutive_failures_ = 0;
  }
  bool child_running() const { return child_pid_ != -1; }

  // SHUTDOWN (prepareForShutdown): kills a rewrite child; flushes and fsyncs the file. False
  // (the shutdown is refused) while the first base of an AOF being turned on is still being
  // written, unless `force`.
  bool PrepareForShutdown(bool force);

  // -MISCONF: the last write (or background fsync) failed. `err` is its errno.
  // Inline: the dispatcher asks before every command.
  bool WritesDenied(int* err) const {
    if (state_ == State::kOff) return false;
    if (!last_write_ok_) {
      *err = last_write_errno_;
      return true;
    }
    if (int e = bio_fsync_errno_.load(std::memory_order_relaxed); e != 0) {
      *err = e;
      return true;
    }
    return false;
  }

  bool on() const { return state_ != State::kOff; }
  // appendfsync changed (CONFIG SET).
  void ApplyPolicy();

  struct Info {
    bool enabled;  // aof_state != off
    bool rewrite_in_progress;
    bool rewrite_scheduled;
    int64_t last_rewrite_time_sec;
    int64_t current_rewrite_time_sec;
    bool last_bgrewrite_ok;
    uint64_t rewrites;
    uint64_t consecutive_failures;
    bool last_write_ok;
    uint64_t last_cow_size;
    int64_t current_size;
    int64_t base_size;
    size_t buffer_length;
    uint64_t pending_bio_fsync;
    uint64_t delayed_fsync;
  };
  Info info() const;
  size_t buffer_bytes() const { return buf_.capacity(); }

  // Deletes the history files a rewrite left (aofDelHistoryFiles), unless aof-disable-auto-gc.
  void DeleteHistory();

 private:
  enum class State : uint8_t { kOff, kOn, kWaitRewrite };

  void Flush(bool force);
  // openNewIncrAofForAppend: a new incr (a temp incr while waiting for the first rewrite).
  bool OpenNewIncr();
  bool WriteRewriteChild();
  void ReapChild();
  void RewriteDone(bool ok, int bysignal);
  void KillChild();
  // Redis 7's aofUpgradePrepare: an old single-file AOF moves into the directory as its base.
  bool UpgradeSingleFile();
  // Creates appenddirname if missing (logged on failure).
  bool MakeDir();
  bool PersistManifest(aof::Manifest& m);
  bool LoadFile(const aof::FileInfo& f, bool last, int64_t* size);
  bool Replay(std::string_view data, size_t start, const std::string& name, bool last,
              const std::string& path);
  bool OpenAtStartup();
  std::string Path(std::string_view name) const;

  // The background fsync thread (Redis's bio AOF_FSYNC / CLOSE_FILE jobs), in order.
  void BioSubmit(int fd, bool close_only);
  void BioLoop();
  bool FsyncInProgress() const { return bio_pending_.load(std::memory_order_acquire) != 0; }

  Server& server_;
  State state_ = State::kOff;
  bool always_ = false;  // appendfsync always while on (the reply path's one test)
  aof::Manifest manifest_;
  aof::CommandFeed feed_;
  std::string buf_;
  int fd_ = -1;
  int64_t current_size_ = 0;
  int64_t base_size_ = 0;
  int64_t last_incr_size_ = 0;
  int64_t fsync_offset_ = 0;
  int64_t last_fsync_s_ = 0;
  int64_t flush_postponed_start_ = 0;
  int64_t cur_timestamp_ = 0;
  uint64_t delayed_fsync_ = 0;
  bool last_write_ok_ = true;
  int last_write_errno_ = 0;
  int64_t last_write_error_log_ = 0;
  int64_t last_write_retry_s_ = 0;

  pid_t child_pid_ = -1;
  int child_pipe_ = -1;
  bool rewrite_scheduled_ = false;
  bool last_bgrewrite_ok_ = true;
  uint64_t rewrites_ = 0;
  uint64_t consecutive_failures_ = 0;
  int64_t rewrite_time_start_ = -1;
  int64_t rewrite_time_last_ = -1;
  uint64_t last_cow_size_ = 0;
  bool child_preamble_ = true;  // aof-use-rdb-preamble when the running child was forked

  std::thread bio_;
  std::mutex bio_mu_;
  std::condition_variable bio_cv_;
  struct BioJob {
    int fd;
    bool close_only;
  };
  std::deque<BioJob> bio_jobs_;
  bool bio_stop_ = false;
  std::atomic<uint64_t> bio_pending_{0};
  std::atomic<int> bio_fsync_errno_{0};  // 0 = last background fsync worked
  int bio_errno_logged_ = 0;
};

}  // namespace baozi
