// Server: the state every command can reach — configuration, the keyspace, the command table,
// clients, statistics, the slow log — with no sockets in it. The network layer (network.h)
// drives it from the Asio reactor; the in-process test harness drives it directly with a
// ManualClock. BeforeSleep() is Redis's beforeSleep: the one place, once per loop turn, where
// work that must happen after a batch of commands runs (and where later issues serve blocked
// clients, run active expiry and flush the AOF before replies leave).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "server/blocking.h"
#include "server/client.h"
#include "server/command.h"
#include "server/config.h"
#include "server/multi.h"
#include "server/pubsub.h"
#include "server/tracking.h"
#include "storage/clock.h"
#include "storage/db.h"
#include "storage/eviction.h"

namespace baozi {

class Snapshot;
class PropagationSink;
class AofWriter;
class ScriptEngine;

struct ServerStats {
  uint64_t total_commands_processed = 0;
  uint64_t total_connections_received = 0;
  uint64_t rejected_connections = 0;
  uint64_t total_net_input_bytes = 0;
  uint64_t total_net_output_bytes = 0;
  uint64_t total_error_replies = 0;
  uint64_t unexpected_error_replies = 0;
  uint64_t total_reads_processed = 0;
  uint64_t total_writes_processed = 0;
  uint64_t client_query_buffer_limit_disconnections = 0;
  // maxmemory eviction (server/eviction.cc): keys evicted, and how long memory stayed over the
  // limit with nothing left to evict (INFO's total/current_eviction_exceeded_time).
  uint64_t evicted_keys = 0;
  uint64_t total_eviction_exceeded_us = 0;
  int64_t eviction_exceeded_since_us = 0;  // start of the current stretch (clock us), 0 = none
  // A time-limited eviction run stopped short of the limit (maxmemory-eviction-tenacity); the
  // network layer runs another slice every loop turn until it is done (evictionTimeProc).
  bool eviction_continues = false;
  // Background children (server/child_process.h): INFO's total_forks and latest_fork_usec.
  uint64_t total_forks = 0;
  int64_t latest_fork_usec = 0;
  std::map<std::string, uint64_t, std::less<>> error_codes;  // errorstat_<CODE>:count=
  // instantaneous_ops_per_sec and friends: samples taken by Cron every 100 ms.
  struct Metric {
    int64_t last_sample_ms = 0;
    uint64_t last_sample_count = 0;
    uint64_t samples[16] = {};
    int idx = 0;
  };
  Metric ops, net_input, net_output;
  // Biggest client query / output buffer seen in each of the last 8 seconds (slot = unix second
  // % 8; Redis's clientsCronTrackExpansiveClients). The network layer's cron fills them; INFO's
  // client_recent_max_*_buffer is their maximum.
  static constexpr int kClientPeakSlots = 8;
  size_t client_peak_input[kClientPeakSlots] = {};
  size_t client_peak_output[kClientPeakSlots] = {};
};

struct SlowLogEntry {
  uint64_t id;
  int64_t time_s;
  int64_t duration_us;
  std::vector<std::string> args;
  std::string peer;
  std::string name;
};

class Server {
 public:
  explicit Server(const Clock* clock);
  ~Server();
  // Call once the configuration is loaded: sizes the keyspace and wires config hooks.
  void Init();

  Config& config() { return config_; }
  const Config& config() const { return config_; }
  ConfigTable& config_table() { return config_table_; }
  Keyspace& keyspace() { return *keyspace_; }
  CommandRegistry& registry() { return registry_; }
  const Clock& clock() const { return *clock_; }
  ServerStats& stats() { return stats_; }
  BlockingManager& blocking() { return blocking_; }
  PubSub& pubsub() { return pubsub_; }
  WatchTable& watches() { return watches_; }
  // CLIENT TRACKING (server/tracking.h).
  Tracking& tracking() { return tracking_; }
  // Eviction candidates kept across performEvictions calls (server/eviction.cc).
  EvictionPool& eviction_pool() { return eviction_pool_; }

  // A key changed (Redis signalModifiedKey): WATCHes on it fail their EXEC.
  // Clients tracking it (CLIENT TRACKING) are sent an invalidation.
  void SignalModifiedKey(Db& db, std::string_view key) {
    watches_.Touch(db, key);
    if (tracking_.clients() > 0 || tracking_.total_keys() > 0) tracking_.InvalidateKey(key);
  }
  // FLUSHALL / FLUSHDB (Redis signalFlushedDb's tracking part).
  void SignalFlushed() { tracking_.InvalidateOnFlush(); }
  // Redis notifyKeyspaceEvent: publishes `event` for `key` when notify-keyspace-events enables
  // its class. Cheap when disabled: one test of the configured mask.
  void NotifyKeyspaceEvent(uint32_t type, std::string_view event, std::string_view key, int dbid) {
    if ((config_.notify_keyspace_events & type) == 0) return;
    PublishKeyspaceEvent(event, key, dbid);
  }

  const std::string& run_id() const { return run_id_; }
  int64_t start_time_ms() const { return start_time_ms_; }
  int64_t lastsave_s() const { return lastsave_s_; }
  void set_lastsave_s(int64_t s) { lastsave_s_ = s; }
  // SAVE/BGSAVE, save points, loading (server/snapshot.h).
  Snapshot& snapshot() { return *snapshot_; }
  // The append-only file (server/aof.h).
  AofWriter& aof() { return *aof_; }
  // Lua scripts and functions (server/scripting/scripting.h).
  ScriptEngine& scripting() { return *scripting_; }

  // Clients
  uint64_t NextClientId() { return next_client_id_++; }
  void AddClient(Client* c);
  void RemoveClient(Client* c);
  Client* FindClient(uint64_t id) const;
  const std::map<uint64_t, Client*>& clients() const { return clients_; }
  size_t client_count() const { return clients_.size(); }
  std::vector<Client*>& monitors() { return monitors_; }

  // Slow log
  std::deque<SlowLogEntry>& slowlog() { return slowlog_; }
  uint64_t NextSlowlogId() { return next_slowlog_id_++; }

  // Latency monitor events (LATENCY LATEST/HISTORY/...; server/latency.h).
  LatencyMonitor& latency() { return latency_; }

  // CLIENT PAUSE state. Deadline is unix ms; 0 = not paused.
  struct Pause {
    int64_t deadline_ms = 0;
    bool all = false;  // ALL vs WRITE
  };
  Pause& pause() { return pause_; }
  bool IsPaused(int64_t now_ms) const { return pause_.deadline_ms > now_ms; }
  // Clients held by a pause, resumed in order when it ends.
  std::vector<uint64_t>& paused_clients() { return paused_clients_; }

  bool active_expire_enabled() const { return active_expire_enabled_; }
  void set_active_expire_enabled(bool on) { active_expire_enabled_ = on; }
  // Active expiry. The network layer keeps a timer armed for NextActiveExpireMs() (unix ms;
  // INT64_MAX when no key has a TTL or DEBUG SET-ACTIVE-EXPIRE 0; `now` when a backlog is
  // waiting) and runs one ActiveExpireSlice() when it fires: a slice deletes due keys from the
  // expiry wheels for at most a millisecond or two. RunDueActiveExpiry() runs slices until
  // nothing is due (the test harness's AdvanceTime).
  int64_t NextActiveExpireMs() const;
  void ActiveExpireSlice();
  void RunDueActiveExpiry();
  struct ExpireStats {
    double stale_perc = 0;  // 0..1
    uint64_t time_cap_reached_count = 0;
    uint64_t cpu_us = 0;
  };
  const ExpireStats& expire_stats() const { return expire_stats_; }

  // Once per loop turn (see the header comment).
  void BeforeSleep();
  // Periodic work at `hz`: client timeouts, ops/sec samples, incremental rehash.
  void Cron();

  // Shutdown request from SHUTDOWN or a signal; the loop owner polls it.
  bool shutdown_requested() const { return shutdown_requested_; }
  // A signal's shutdown (SIGTERM/SIGINT): prepares it as SHUTDOWN without arguments does (the
  // final save when save points exist); if that fails the server keeps running, as Redis does.
  void RequestShutdown();
  // The shutdown was prepared already (SHUTDOWN did it): the loop owner stops.
  void ConfirmShutdown() { shutdown_requested_ = true; }

  // Where executed writes go in replayable form (server/propagate.h): the AOF writer while
  // appendonly is on, nullptr otherwise (then nothing is built for propagation at all).
  PropagationSink* propagation_sink = nullptr;

  // Hooks the network layer installs so commands can act on connections.
  std::function<void(Client*)> on_kill_client;    // close the connection soon
  std::function<void(Client*)> on_resume_client;  // a paused client may run again
  std::function<void(Client*)> on_reply_ready;    // out() has bytes to send
  // Called from inside a script that runs past busy-reply-threshold (Redis
  // processEventsWhileBlocked): serve other clients' input without waiting — the dispatcher
  // answers them -BUSY except for allow-busy commands — and write their replies. Never runs
  // timers, never touches the client running the script.
  std::function<void()> process_events_while_blocked;
  // Port/bind/unixsocket changes from CONFIG SET.
  std::function<std::expected<void, std::string>()> on_listeners_changed;

  // Logging in Redis's format, honouring loglevel/logfile.
  enum LogLevel { kDebug = 0, kVerbose = 1, kNotice = 2, kWarning = 3 };
  void Log(LogLevel level, std::string_view msg) const;
  // The role letter after the pid in log lines: 'M' (main), 'C' in a forked child.
  void set_log_role(char role) { log_role_ = role; }

  // Bytes in use as maxmemory counts them (Redis zmalloc_used_memory). Tests install
  // `memory_probe` to drive eviction deterministically; otherwise the allocator's own count.
  size_t UsedMemory() const { return memory_probe ? memory_probe() : AllocatorUsedMemory(); }
  std::function<size_t()> memory_probe;
  static size_t AllocatorUsedMemory();
  size_t peak_memory() const { return peak_memory_; }
  void UpdatePeakMemory();
  // INFO used_memory_startup / MEMORY STATS startup.allocated (Redis initial_memory_usage):
  // recorded once, when start-up is complete and before the first client is served.
  void RecordStartupMemory();
  size_t startup_memory() const { return startup_memory_; }

 private:
  void PublishKeyspaceEvent(std::string_view event, std::string_view key, int dbid);
  void TrackMetric(ServerStats::Metric& m, uint64_t value, int64_t now_ms);

  Config config_;
  ConfigTable config_table_;
  const Clock* clock_;
  std::unique_ptr<Keyspace> keyspace_;
  CommandRegistry registry_;
  ServerStats stats_;
  BlockingManager blocking_{*this};
  PubSub pubsub_{*this};
  Tracking tracking_{*this};
  std::string event_channel_;  // PublishKeyspaceEvent's channel name buffer
  WatchTable watches_;
  EvictionPool eviction_pool_;
  std::string run_id_;
  int64_t start_time_ms_;
  int64_t lastsave_s_;
  uint64_t next_client_id_ = 1;
  std::map<uint64_t, Client*> clients_;
  std::vector<Client*> monitors_;
  std::deque<SlowLogEntry> slowlog_;
  uint64_t next_slowlog_id_ = 0;
  LatencyMonitor latency_;
  Pause pause_;
  std::vector<uint64_t> paused_clients_;
  bool active_expire_enabled_ = true;
  int expire_next_db_ = 0;
  ExpireStats expire_stats_;
  bool shutdown_requested_ = false;
  char log_role_ = 'M';
  std::unique_ptr<Snapshot> snapshot_;
  std::unique_ptr<AofWriter> aof_;
  std::unique_ptr<ScriptEngine> scripting_;
  size_t peak_memory_ = 0;
  size_t startup_memory_ = 0;
};

uint64_t InstantaneousMetric(const ServerStats::Metric& m);

}  // namespace baozi
