// Snapshots: the server side of RDB persistence. persistence/rdb.h turns a keyspace into RDB
// bytes and back; this class decides when that happens and where the bytes go.
//
//  - SAVE (SaveSync) writes the file from the loop thread; BGSAVE (StartBackgroundSave) fork()s
//    and the child writes it from its copy-on-write image of memory while the loop keeps
//    serving. Either way the bytes go to temp-<pid>.rdb in `dir` through a buffered fd, which is
//    fsynced, renamed over `dbfilename`, and the directory fsynced, so a crash leaves either
//    the old file or the new one, never half of one.
//  - The child reports over a pipe how much memory copy-on-write cost it (Private_Dirty in
//    /proc/self/smaps, as Redis measures it), every second or so while it runs and once at the
//    end (INFO's current_cow_* and rdb_last_cow_size).
//  - Cron() (Server::Cron, at hz) reaps a finished child without blocking (waitpid WNOHANG),
//    then, with no child running, starts a BGSAVE when a `save <seconds> <changes>` point is due
//    or one was scheduled — after a failed attempt not before CONFIG_BGSAVE_RETRY_DELAY (5 s),
//    as serverCron does.
//  - A failed background save makes write commands fail with -MISCONF while
//    stop-writes-on-bgsave-error is on and save points exist (WritesDenied), until a save works.
//  - LoadAtStartup maps dir/dbfilename and loads it whole; any error is fatal (one log line with
//    the file, the offset and the reason), so a server never starts on a partial dataset.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace baozi {

class Server;

class Snapshot {
 public:
  explicit Snapshot(Server& server);
  ~Snapshot();
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  // Redis rdbSave in the foreground: writes the file, then resets the dirty counter and
  // lastsave. False (logged) on any error.
  bool SaveSync();
  // Redis rdbSaveBackground: forks a child that writes the file. False when a child is already
  // running or fork failed (logged; the latter counts as a failed save).
  bool StartBackgroundSave();
  bool child_running() const { return child_pid_ != -1; }
  // BGSAVE SCHEDULE / BGSAVE inside EXEC: start one from the cron as soon as possible.
  void ScheduleBackgroundSave() { bgsave_scheduled_ = true; }

  // Periodic work (see the header comment).
  void Cron();

  // Redis prepareForShutdown/finishShutdown: kills a saving child and, when save points exist
  // (and not `nosave`) or `save` is forced, saves synchronously. False when that save failed and
  // `force` is not set: the shutdown is cancelled. Logs as Redis does.
  bool PrepareForShutdown(bool nosave, bool save, bool force);

  // FLUSHALL (Redis flushAllDataAndResetRDB): a running save child is killed, and with save
  // points the now empty dataset is saved at once, so a restart cannot bring the data back.
  void AfterFlushAll();

  // -MISCONF: the last background save failed and writes are refused until one succeeds.
  // Inline, the common case (the last save worked) first: the dispatcher asks before every
  // command.
  bool WritesDenied() const { return !last_bgsave_ok_ && DeniedByConfig(); }

  // Loads dir/dbfilename into the (empty) keyspace. A missing file is an empty dataset. False
  // after logging one line when the file is unreadable, truncated or corrupt.
  bool LoadAtStartup();
  // DEBUG RELOAD's load (the caller saves first unless NOSAVE): reads the file again, replacing
  // the dataset (flush) or adding to it (merge: a key in both is replaced; without merge a
  // duplicate is an error, where Redis would stop the server). False (logged) on any error; the
  // dataset is then unchanged.
  bool Reload(bool flush, bool merge);

  // INFO persistence / stats.
  struct Info {
    bool bgsave_in_progress;
    bool last_bgsave_ok;
    int64_t last_bgsave_time_sec;     // -1 before the first
    int64_t current_bgsave_time_sec;  // -1 when none runs
    uint64_t rdb_saves;
    uint64_t last_cow_size;
    uint64_t current_cow_peak;
    uint64_t current_cow_size;
    int64_t current_cow_size_age;  // seconds since the child last measured it
    uint64_t current_save_keys_total;
    uint64_t current_save_keys_processed;  // as of the child's last report (about 1 s)
    uint64_t keys_loaded;
    uint64_t keys_expired;
  };
  Info info() const;
  void CountSave() { rdb_saves_++; }

 private:
  bool DeniedByConfig() const;
  // Writes the RDB file (temp file, fsync, rename, directory fsync) from this process; used by
  // both SAVE and the child. `info_fd` >= 0 in a child: where copy-on-write reports go.
  bool WriteFile(int info_fd);
  void ReapChild();
  void ReadChildInfo();
  void KillChild();
  void ResetChildState();

  Server& server_;
  pid_t child_pid_ = -1;
  int info_pipe_ = -1;  // read end of the child's report pipe
  bool bgsave_scheduled_ = false;
  bool last_bgsave_ok_ = true;
  int64_t last_bgsave_try_s_ = 0;
  uint64_t dirty_before_bgsave_ = 0;
  int64_t save_time_start_s_ = -1;
  int64_t save_time_last_s_ = -1;
  uint64_t rdb_saves_ = 0;
  uint64_t last_cow_size_ = 0;
  uint64_t current_cow_peak_ = 0;
  uint64_t current_cow_size_ = 0;
  int64_t current_cow_updated_ms_ = 0;
  uint64_t current_save_keys_total_ = 0;
  uint64_t current_save_keys_processed_ = 0;
  uint64_t final_cow_size_ = 0;  // the child's last report, kept until it is reaped
  uint64_t keys_loaded_ = 0;
  uint64_t keys_expired_ = 0;
};

}  // namespace baozi
