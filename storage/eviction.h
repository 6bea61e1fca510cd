// Choosing what to evict when the server is over maxmemory: Redis's approximated LRU/LFU.
//
// Keeping an exact LRU list (or an exact frequency heap) would cost two pointers per key and a
// list splice on every read. Like Redis (evict.c) we instead sample: every time a victim is
// needed, `samples` random keys of each database (maxmemory-samples; only keys with a TTL for
// the volatile-* policies; a database of at most 32 keys is simply visited whole, since samples
// can repeat) are scored, and the best of them join a small pool of 16 candidates
// kept sorted by score across calls. The victim is the best-scored pool entry still worth
// evicting. Because the pool remembers good candidates from earlier rounds, every eviction
// effectively chooses among far more than `samples` keys, which is what brings the
// approximation close to true LRU.
//
// Scores: higher means a better victim.
//   LRU          idle time in ms (time since the last access);
//   LFU          255 - the decayed logarithmic access counter;
//   volatile-ttl the nearest deadline first (UINT64_MAX - 1 - deadline);
// and a key whose deadline has already passed scores UINT64_MAX under every policy: removing it
// loses nothing, and the caller lets it leave through expiry instead of counting an eviction.
// The random policies keep no pool: a random key of the next database (round-robin, as Redis)
// that has candidates.
//
// The pool is kept across calls, so its entries go stale: when an entry is popped its key is
// looked up again and skipped if it vanished, lost its TTL under a volatile policy, or now scores
// lower than when it was sampled (it was read since — Redis would still evict it). Entries own
// their key bytes in buffers that are reused, never freed, as entries move: in steady state
// sampling and picking allocate nothing.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/db.h"

namespace baozi {

// The maxmemory policies, as storage sees them (the server maps its config enum to this).
enum class EvictPolicy : uint8_t {
  kNoEviction,
  kAllKeysLru,
  kVolatileLru,
  kAllKeysLfu,
  kVolatileLfu,
  kAllKeysRandom,
  kVolatileRandom,
  kVolatileTtl,
};

// Whether a policy only considers keys with a TTL.
constexpr bool IsVolatilePolicy(EvictPolicy p) {
  return p == EvictPolicy::kVolatileLru || p == EvictPolicy::kVolatileLfu ||
         p == EvictPolicy::kVolatileRandom || p == EvictPolicy::kVolatileTtl;
}

// The chosen key. `key` views a buffer owned by the pool: valid until the next call on it.
struct Victim {
  int db;
  std::string_view key;
  bool expired;  // its deadline has passed: expire it rather than evict it
};

class EvictionPool {
 public:
  static constexpr int kSize = 16;  // Redis's EVPOOL_SIZE

  // The next key to remove under `policy`, sampling `samples` keys per database (pooled
  // policies). nullopt when nothing can be evicted: noeviction, no keys, or no key with a TTL
  // under a volatile policy. The caller must delete the victim before calling again (a victim
  // left in place can be chosen again).
  std::optional<Victim> PickVictim(Keyspace& ks, EvictPolicy policy, int samples);

  // Forgets every candidate.
  void Clear() { used_ = 0; }
  // Candidates currently held (tests).
  int size() const { return used_; }

 private:
  // Small and trivially copyable, so keeping the pool sorted moves 24-byte records; the key
  // bytes stay put in keys_[slot].
  struct Entry {
    uint64_t score;
    const DbEntry* entry;  // identity for de-duplication only, never dereferenced
    int32_t db;
    uint8_t slot;  // which keys_ buffer holds the key
  };

  std::optional<Victim> PickPooled(Keyspace& ks, EvictPolicy policy, int samples);
  std::optional<Victim> PickRandom(Keyspace& ks, EvictPolicy policy);
  void Insert(uint64_t score, int db, std::string_view key, const DbEntry* entry);
  std::optional<Victim> PopBest(Keyspace& ks, EvictPolicy policy);
  // Last resort when sampling keeps missing (a sparse table, few keys with a TTL): the first
  // candidate a SCAN of `db` meets, copied into scratch_.
  bool ScanForCandidate(Db& db, bool volatile_only);

  static constexpr std::array<Entry, kSize> InitialPool() {
    std::array<Entry, kSize> p{};
    for (int i = 0; i < kSize; ++i) p[i].slot = static_cast<uint8_t>(i);
    return p;
  }

  // pool_[0, used_) are the candidates in ascending score order; pool_[used_, kSize) are spare
  // records whose slots are free key buffers.
  std::array<Entry, kSize> pool_ = InitialPool();
  std::array<std::string, kSize> keys_;  // reused, never freed while the pool lives
  int used_ = 0;
  // What the entries were scored under: a policy change or another keyspace empties the pool.
  EvictPolicy filled_for_ = EvictPolicy::kNoEviction;
  const Keyspace* filled_from_ = nullptr;
  unsigned next_db_ = 0;  // the random policies' round-robin position
  std::string scratch_;   // the random policies' victim key
};

// The victim score of `e` under a pooled policy (see the header comment); exposed for tests.
uint64_t EvictionScore(const Keyspace& ks, const Db& db, const DbEntry& e, EvictPolicy policy);

}  // namespace baozi
