#include "server/server.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <limits>
#include <random>

#include "server/allocator.h"
#include "server/aof.h"
#include "server/latency.h"
#include "server/propagate.h"
#include "server/scripting/scripting.h"
#include "server/snapshot.h"

namespace baozi {

Server::Server(const Clock* clock) : config_table_(&config_), clock_(clock) {
  start_time_ms_ = clock_->NowMs();
  lastsave_s_ = start_time_ms_ / 1000;
  std::random_device rd;
  std::mt19937_64 rng(
      (static_cast<uint64_t>(rd()) << 32) ^ rd() ^
      static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
  static const char kHex[] = "0123456789abcdef";
  run_id_.resize(40);
  for (char& ch : run_id_) ch = kHex[rng() % 16];
  snapshot_ = std::make_unique<Snapshot>(*this);
  aof_ = std::make_unique<AofWriter>(*this);
  scripting_ = std::make_unique<ScriptEngine>(*this);
}

Server::~Server() = default;

namespace {
bool IsLfuPolicy(MaxmemoryPolicy p) {
  return p == MaxmemoryPolicy::kVolatileLfu || p == MaxmemoryPolicy::kAllKeysLfu;
}
bool IsLruOrLfuPolicy(MaxmemoryPolicy p) {
  return IsLfuPolicy(p) || p == MaxmemoryPolicy::kVolatileLru || p == MaxmemoryPolicy::kAllKeysLru;
}
}  // namespace

void Server::Init() {
  keyspace_ = std::make_unique<Keyspace>(config_.databases);
  keyspace_->on_key_ready = [this](Db& db, std::string_view key) {
    blocking_.SignalReady(db, key);
  };
  // Expiry deletes a key as any command would: watchers see a change, subscribers an event.
  keyspace_->on_expired = [this](Db& db, std::string_view key) {
    NotifyKeyspaceEvent(notify::kExpired, "expired", key, db.index());
    SignalModifiedKey(db, key);
    // Redis propagateDeletion: UNLINK under lazyfree-lazy-expire, else DEL. Lazy expiry inside
    // a command joins its unit.
    propagation::Deletion(*this, db.index(), key, config_.lazyfree_lazy_expire);
  };
  keyspace_->on_event = [this](Db& db, uint32_t type, std::string_view event,
                               std::string_view key) {
    NotifyKeyspaceEvent(type, event, key, db.index());
  };
  auto apply_notify = [this](const Config& c) -> std::expected<void, std::string> {
    keyspace_->notify_flags = c.notify_keyspace_events;
    return {};
  };
  (void)apply_notify(config_);
  config_table_.SetApplyHook("notify-keyspace-events", apply_notify);
  auto apply_policy = [this](const Config& c) -> std::expected<void, std::string> {
    keyspace_->SetPolicyMode(IsLfuPolicy(c.maxmemory_policy), IsLruOrLfuPolicy(c.maxmemory_policy));
    keyspace_->lfu_log_factor = c.lfu_log_factor;
    keyspace_->lfu_decay_time = c.lfu_decay_time;
    return {};
  };
  (void)apply_policy(config_);
  config_table_.SetApplyHook({"maxmemory-policy", "lfu-log-factor", "lfu-decay-time"},
                             apply_policy);
  auto listeners = [this](const Config&) -> std::expected<void, std::string> {
    if (on_listeners_changed) return on_listeners_changed();
    return {};
  };
  config_table_.SetApplyHook({"port", "bind"}, listeners);
  auto apply_limits = [this](const Config& c) -> std::expected<void, std::string> {
    EncodingLimits& l = keyspace_->limits;
    l.hash_max_listpack_entries = static_cast<size_t>(c.hash_max_listpack_entries);
    l.hash_max_listpack_value = static_cast<size_t>(c.hash_max_listpack_value);
    l.zset_max_listpack_entries = static_cast<size_t>(c.zset_max_listpack_entries);
    l.zset_max_listpack_value = static_cast<size_t>(c.zset_max_listpack_value);
    l.set_max_intset_entries = static_cast<size_t>(c.set_max_intset_entries);
    l.list_max_listpack_size = c.list_max_listpack_size;
    l.stream_node.max_bytes = static_cast<size_t>(c.stream_node_max_bytes);
    l.stream_node.max_entries = c.stream_node_max_entries;
    return {};
  };
  (void)apply_limits(config_);
  config_table_.SetApplyHook(
      {"hash-max-listpack-entries", "hash-max-listpack-value", "zset-max-listpack-entries",
       "zset-max-listpack-value", "set-max-intset-entries", "list-max-listpack-size",
       "stream-node-max-bytes", "stream-node-max-entries"},
      apply_limits);
  // CONFIG SET appendonly (updateAppendonly): on starts the AOF with a rewrite, off stops it.
  auto apply_appendonly = [this](const Config& c) -> std::expected<void, std::string> {
    if (!c.appendonly && aof_->on()) {
      aof_->Stop();
    } else if (c.appendonly && !aof_->on() && !aof_->Start()) {
      return std::unexpected("Unable to turn on AOF. Check server logs.");
    }
    return {};
  };
  config_table_.SetApplyHook("appendonly", apply_appendonly);
  auto apply_fsync = [this](const Config&) -> std::expected<void, std::string> {
    aof_->ApplyPolicy();
    return {};
  };
  config_table_.SetApplyHook("appendfsync", apply_fsync);
  // updateAofAutoGCEnabled: turning the collection back on deletes what it kept.
  auto apply_auto_gc = [this](const Config& c) -> std::expected<void, std::string> {
    if (!c.aof_disable_auto_gc) aof_->DeleteHistory();
    return {};
  };
  config_table_.SetApplyHook("aof-disable-auto-gc", apply_auto_gc);
}

void Server::AddClient(Client* c) {
  clients_[c->id()] = c;
  stats_.total_connections_received++;
  if (config_.requirepass.empty()) c->set_authenticated(true);
}

void Server::RemoveClient(Client* c) {
  clients_.erase(c->id());
  monitors_.erase(std::remove(monitors_.begin(), monitors_.end(), c), monitors_.end());
  paused_clients_.erase(std::remove(paused_clients_.begin(), paused_clients_.end(), c->id()),
                        paused_clients_.end());
  blocking_.Remove(*c);
  watches_.UnwatchAll(*c);
  pubsub_.RemoveClient(*c);
  tracking_.Disable(*c);
  if (tracking_.current() == c) tracking_.set_current(nullptr, false);
}

void Server::PublishKeyspaceEvent(std::string_view event, std::string_view key, int dbid) {
  uint32_t flags = config_.notify_keyspace_events;
  std::string& channel = event_channel_;  // reused: no allocation per event once warm
  if (flags & notify::kKeyspace) {
    channel.assign("__keyspace@").append(std::to_string(dbid)).append("__:").append(key);
    pubsub_.Publish(channel, event);
  }
  if (flags & notify::kKeyevent) {
    channel.assign("__keyevent@").append(std::to_string(dbid)).append("__:").append(event);
    pubsub_.Publish(channel, key);
  }
}

Client* Server::FindClient(uint64_t id) const {
  auto it = clients_.find(id);
  return it == clients_.end() ? nullptr : it->second;
}

void Server::BeforeSleep() {
  int64_t now = clock_->NowMs();
  tracking_.BroadcastPending();
  if (blocking_.NextDeadline() != 0) blocking_.ExpireTimeouts(now);
  if (!paused_clients_.empty() && !IsPaused(now)) {
    // The pause ended (timeout or CLIENT UNPAUSE): resume held clients in arrival order.
    std::vector<uint64_t> ids;
    ids.swap(paused_clients_);
    for (uint64_t id : ids) {
      Client* c = FindClient(id);
      if (c == nullptr) continue;
      c->Clear(kClientPaused);
      if (on_resume_client) on_resume_client(c);
    }
  }
}

void Server::TrackMetric(ServerStats::Metric& m, uint64_t value, int64_t now_ms) {
  int64_t t = now_ms - m.last_sample_ms;
  if (m.last_sample_ms != 0 && t > 0) {
    uint64_t ops = value - m.last_sample_count;
    m.samples[m.idx] = ops * 1000 / static_cast<uint64_t>(t);
    m.idx = (m.idx + 1) % 16;
  }
  m.last_sample_ms = now_ms;
  m.last_sample_count = value;
}

uint64_t InstantaneousMetric(const ServerStats::Metric& m) {
  uint64_t sum = 0;
  for (uint64_t s : m.samples) sum += s;
  return sum / 16;
}

void Server::Cron() {
  int64_t now = clock_->NowMs();
  keyspace_->set_now_ms(now);
  TrackMetric(stats_.ops, stats_.total_commands_processed, now);
  TrackMetric(stats_.net_input, stats_.total_net_input_bytes, now);
  TrackMetric(stats_.net_output, stats_.total_net_output_bytes, now);
  // The used-memory counter is one atomic load: the peak is sampled every tick (and by INFO).
  UpdatePeakMemory();

  // Idle clients (`timeout`). Never monitors, paused or blocked clients (a blocking command has
  // its own timeout) or subscribers, which may legitimately wait for messages for hours.
  if (config_.timeout > 0) {
    for (auto& [id, c] : clients_) {
      if (c->Has(kClientMonitor) || c->Has(kClientPaused) || c->Has(kClientBlocked) ||
          c->Has(kClientPubSub)) {
        continue;
      }
      if ((now - c->last_interaction_ms()) / 1000 > config_.timeout) {
        Log(kVerbose, "Closing idle client");
        c->Set(kClientCloseAsap);
        if (on_kill_client) on_kill_client(c);
      }
    }
  }
  // Incremental rehash for a millisecond per db with work to do (Redis databasesCron).
  for (int i = 0; i < keyspace_->size(); ++i) keyspace_->db(i).Maintain(1000);
  // The AOF first (serverCron's order): a scheduled or automatic rewrite, a postponed write.
  aof_->Cron();
  // Reap a finished BGSAVE child; start one when a save point is due.
  snapshot_->Cron();
}

void Server::RequestShutdown() {
  if (!snapshot_->PrepareForShutdown(false, false, false)) {
    Log(kWarning,
        "SIGTERM received but errors trying to shut down the server, check the logs for more "
        "information");
    return;
  }
  shutdown_requested_ = true;
}

int64_t Server::NextActiveExpireMs() const {
  constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
  if (!active_expire_enabled_) return kNever;
  int64_t next = kNever;
  for (int i = 0; i < keyspace_->size(); ++i) {
    const Db& db = keyspace_->db(i);
    if (db.expires_count() != 0 || db.HasExpireBacklog()) {
      next = std::min(next, db.NextExpireEventMs());
    }
  }
  if (next == kNever) return kNever;
  // A backlog runs as soon as the loop has served I/O; otherwise wake on a grid of 100/hz ms
  // (10 ms at the default hz 10), so keys due close together go in one slice.
  const int64_t now = clock_->NowMs();
  if (next <= now) return now;
  const int64_t grid = std::max(1, 100 / std::clamp(config_.hz, 1, 500));
  return (next + grid - 1) / grid * grid;
}

void Server::ActiveExpireSlice() {
  // A slice is bounded in time (1 ms, up to 2 ms at active-expire-effort 10), so a mass expiry
  // becomes a series of short slices between which the loop serves clients; checking the clock
  // every 64 units of wheel work keeps the overshoot to a few microseconds.
  constexpr size_t kWorkPerCheck = 64;
  if (!active_expire_enabled_) return;  // a timer armed before DEBUG SET-ACTIVE-EXPIRE 0
  const auto start = std::chrono::steady_clock::now();
  const auto budget = std::chrono::microseconds(
      1000 + 1000 * (std::clamp(config_.active_expire_effort, 1, 10) - 1) / 9);
  keyspace_->set_now_ms(clock_->NowMs());
  const int dbs = keyspace_->size();
  bool out_of_time = false;
  for (int n = 0; n < dbs && !out_of_time; ++n) {
    Db& db = keyspace_->db((expire_next_db_ + n) % dbs);
    if (db.expires_count() == 0 && !db.HasExpireBacklog()) continue;
    while (true) {
      db.ActiveExpire(kWorkPerCheck);
      if (!db.HasExpireBacklog()) break;
      if (std::chrono::steady_clock::now() - start >= budget) {
        // Resume with this db next time, so every db gets its turn under a long backlog.
        expire_next_db_ = (expire_next_db_ + n) % dbs;
        out_of_time = true;
        break;
      }
    }
  }
  const auto spent = std::chrono::steady_clock::now() - start;
  LatencyAddSampleIfNeeded(*this, "expire-cycle",
                           std::chrono::duration_cast<std::chrono::milliseconds>(spent).count());
  expire_stats_.cpu_us += std::chrono::duration_cast<std::chrono::microseconds>(spent).count();
  if (out_of_time) expire_stats_.time_cap_reached_count++;
  // Redis's expired_stale_perc: a moving average of the share of keys with a TTL that are
  // already expired but still in memory, sampled once per slice.
  size_t stale = 0, volatile_keys = 0;
  for (int i = 0; i < dbs; ++i) {
    stale += keyspace_->db(i).ExpireBacklog();
    volatile_keys += keyspace_->db(i).expires_count();
  }
  double current = volatile_keys == 0 ? 0.0 : static_cast<double>(stale) / volatile_keys;
  expire_stats_.stale_perc = current * 0.05 + expire_stats_.stale_perc * 0.95;
}

void Server::RunDueActiveExpiry() {
  const int64_t now = clock_->NowMs();
  while (NextActiveExpireMs() <= now) ActiveExpireSlice();
}

void Server::Log(LogLevel level, std::string_view msg) const {
  if (static_cast<int>(level) < static_cast<int>(config_.loglevel)) return;
  // Redis's format: "pid:M 21 Nov 2026 14:00:00.123 * message".
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  localtime_r(&secs, &tm);
  char date[64];
  std::strftime(date, sizeof(date), "%d %b %Y %H:%M:%S", &tm);
  static const char kMarks[] = ".-*#";
  FILE* out = stdout;
  bool close = false;
  if (!config_.logfile.empty()) {
    out = std::fopen(config_.logfile.c_str(), "a");
    if (out == nullptr) return;
    close = true;
  }
  std::fprintf(out, "%d:%c %s.%03d %c %.*s\n", static_cast<int>(getpid()), log_role_, date,
               static_cast<int>(ms % 1000), kMarks[level], static_cast<int>(msg.size()),
               msg.data());
  std::fflush(out);
  if (close) std::fclose(out);
}

size_t Server::AllocatorUsedMemory() { return alloc::UsedBytes(); }

void Server::UpdatePeakMemory() { peak_memory_ = std::max(peak_memory_, UsedMemory()); }

void Server::RecordStartupMemory() {
  startup_memory_ = UsedMemory();
  UpdatePeakMemory();
}

}  // namespace baozi
