#include "server/eviction.h"

#include <chrono>
#include <cmath>
#include <limits>

#include "server/latency.h"
#include "server/propagate.h"
#include "server/server.h"

namespace baozi {

EvictPolicy ToEvictPolicy(MaxmemoryPolicy p) {
  switch (p) {
    case MaxmemoryPolicy::kVolatileLru:
      return EvictPolicy::kVolatileLru;
    case MaxmemoryPolicy::kVolatileLfu:
      return EvictPolicy::kVolatileLfu;
    case MaxmemoryPolicy::kVolatileRandom:
      return EvictPolicy::kVolatileRandom;
    case MaxmemoryPolicy::kVolatileTtl:
      return EvictPolicy::kVolatileTtl;
    case MaxmemoryPolicy::kAllKeysLru:
      return EvictPolicy::kAllKeysLru;
    case MaxmemoryPolicy::kAllKeysLfu:
      return EvictPolicy::kAllKeysLfu;
    case MaxmemoryPolicy::kAllKeysRandom:
      return EvictPolicy::kAllKeysRandom;
    case MaxmemoryPolicy::kNoEviction:
      return EvictPolicy::kNoEviction;
  }
  return EvictPolicy::kNoEviction;
}

namespace {

// INFO's total/current_eviction_exceeded_time: how long memory has stayed over the limit with
// nothing left to evict. A stretch starts at the first failed call and ends at the first call
// that finds memory under the limit again.
void TrackExceeded(Server& server, EvictResult result) {
  ServerStats& st = server.stats();
  if (result != EvictResult::kOk) {
    if (st.eviction_exceeded_since_us == 0) st.eviction_exceeded_since_us = server.clock().NowUs();
  } else if (st.eviction_exceeded_since_us != 0) {
    st.total_eviction_exceeded_us += CurrentEvictionExceededUs(server);
    st.eviction_exceeded_since_us = 0;
  }
}

}  // namespace

int64_t EvictionTimeLimitUs(int tenacity) {
  if (tenacity <= 10) return 50 * static_cast<int64_t>(std::max(tenacity, 0));
  if (tenacity < 100) return static_cast<int64_t>(500.0 * std::pow(1.15, tenacity - 10.0));
  return std::numeric_limits<int64_t>::max();
}

EvictResult PerformEvictions(Server& server, bool bounded) {
  const Config& cfg = server.config();
  Keyspace& ks = server.keyspace();
  // While clients are paused the dataset must stay still, evictions included (a fake OK that
  // leaves the statistics alone, as Redis).
  if (server.IsPaused(ks.now_ms())) return EvictResult::kOk;
  EvictResult result = EvictResult::kOk;
  ServerStats& st = server.stats();
  if (cfg.maxmemory != 0 && server.UsedMemory() > cfg.maxmemory) {
    result = EvictResult::kFail;
    const EvictPolicy policy = ToEvictPolicy(cfg.maxmemory_policy);
    EvictionPool& pool = server.eviction_pool();
    // Freeing a lot at once (a lowered maxmemory, one huge write) is spread over loop turns, so
    // clients keep being served; the clock is read every 16 keys, as Redis does.
    const int64_t limit_us = bounded ? EvictionTimeLimitUs(cfg.maxmemory_eviction_tenacity)
                                     : std::numeric_limits<int64_t>::max();
    const auto start = std::chrono::steady_clock::now();
    uint64_t freed = 0;
    while (auto victim = pool.PickVictim(ks, policy, cfg.maxmemory_samples)) {
      Db& db = ks.db(victim->db);
      // A key already past its deadline leaves as expiry removes it ("expired", expired_keys);
      // Find does that, and returns it only if it was not due after all.
      if (!victim->expired || db.Find(victim->key) != nullptr) {
        const auto del_start = std::chrono::steady_clock::now();
        db.Remove(victim->key);
        LatencyAddSampleIfNeeded(server, "eviction-del",
                                 std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::steady_clock::now() - del_start)
                                     .count());
        ks.stats().dirty--;  // an eviction is no change to save (Redis leaves server.dirty alone)
        server.stats().evicted_keys++;
        server.SignalModifiedKey(db, victim->key);
        server.NotifyKeyspaceEvent(notify::kEvicted, "evicted", victim->key, db.index());
        // Fed at once, never inside the MULTI/EXEC of the command that triggered it.
        propagation::Deletion(server, db.index(), victim->key, cfg.lazyfree_lazy_eviction);
        propagation::FlushPending(server);
      }
      if (server.UsedMemory() <= cfg.maxmemory) {
        // A scheduled continuation runs once more and ends when it finds memory under the
        // limit (Redis's isEvictionProcRunning).
        result = st.eviction_continues ? EvictResult::kRunning : EvictResult::kOk;
        break;
      }
      if (++freed % 16 == 0 && limit_us != std::numeric_limits<int64_t>::max() &&
          std::chrono::steady_clock::now() - start > std::chrono::microseconds(limit_us)) {
        st.eviction_continues = true;
        result = EvictResult::kRunning;
        break;
      }
    }
    LatencyAddSampleIfNeeded(server, "eviction-cycle",
                             std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::steady_clock::now() - start)
                                 .count());
  }
  TrackExceeded(server, result);
  return result;
}

void ContinueEvictions(Server& server) {
  server.keyspace().set_now_ms(server.clock().NowMs());
  if (PerformEvictions(server) != EvictResult::kRunning) server.stats().eviction_continues = false;
}

int64_t CurrentEvictionExceededUs(Server& server) {
  int64_t since = server.stats().eviction_exceeded_since_us;
  if (since == 0) return 0;
  int64_t us = server.clock().NowUs() - since;
  return us > 0 ? us : 0;
}

}  // namespace baozi
