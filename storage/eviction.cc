#include "storage/eviction.h"

#include <algorithm>
#include <limits>

namespace baozi {
namespace {

constexpr uint64_t kDeadScore = std::numeric_limits<uint64_t>::max();
// Sampling rounds before falling back to a SCAN: a round misses only on a very sparse table or
// when keys with a TTL are rare among the sampled ones.
constexpr int kSampleRounds = 32;
// A pool buffer that grew past this for a huge key is given back once it holds a small one.
constexpr size_t kMaxKeptKeyBytes = 4096;

bool IsLru(EvictPolicy p) {
  return p == EvictPolicy::kAllKeysLru || p == EvictPolicy::kVolatileLru;
}
bool IsLfu(EvictPolicy p) {
  return p == EvictPolicy::kAllKeysLfu || p == EvictPolicy::kVolatileLfu;
}
bool IsRandom(EvictPolicy p) {
  return p == EvictPolicy::kAllKeysRandom || p == EvictPolicy::kVolatileRandom;
}

// A database this small is visited whole rather than sampled (see PickPooled).
constexpr size_t kVisitWholeDb = 32;

template <class Fn>
void VisitAll(Db& db, bool volatile_only, Fn&& fn) {
  uint64_t cursor = 0;
  do {
    cursor = db.Scan(cursor, [&](std::string_view key, DbEntry& e) {
      if (!volatile_only || db.HasExpire(e)) fn(key, e);
    });
  } while (cursor != 0);
}

size_t Candidates(const Db& db, bool volatile_only) {
  return volatile_only ? db.expires_count() : db.size();
}

}  // namespace

uint64_t EvictionScore(const Keyspace& ks, const Db& db, const DbEntry& e, EvictPolicy policy) {
  const bool has_ttl = db.HasExpire(e);
  const int64_t deadline = has_ttl ? db.ExpireOf(e) : 0;
  if (has_ttl && deadline < ks.now_ms()) return kDeadScore;
  // IdleMs has the LRU clock's full resolution (finer than OBJECT IDLETIME's seconds), so keys
  // read within the same second are told apart.
  if (IsLru(policy)) return ks.IdleMs(e.value);
  if (IsLfu(policy)) return static_cast<uint64_t>(255 - ks.LfuFrequency(e.value));
  // volatile-ttl: the sooner the deadline, the higher the score; no TTL scores lowest.
  if (!has_ttl) return 0;
  return kDeadScore - 1 - static_cast<uint64_t>(std::max<int64_t>(deadline, 0));
}

std::optional<Victim> EvictionPool::PickVictim(Keyspace& ks, EvictPolicy policy, int samples) {
  if (policy == EvictPolicy::kNoEviction) return std::nullopt;
  if (IsRandom(policy)) return PickRandom(ks, policy);
  return PickPooled(ks, policy, samples);
}

std::optional<Victim> EvictionPool::PickPooled(Keyspace& ks, EvictPolicy policy, int samples) {
  if (filled_for_ != policy || filled_from_ != &ks) {
    used_ = 0;
    filled_for_ = policy;
    filled_from_ = &ks;
  }
  const bool volatile_only = IsVolatilePolicy(policy);
  const size_t count = static_cast<size_t>(std::max(samples, 1));
  for (int round = 0; round < kSampleRounds; ++round) {
    // Every database contributes samples, so the choice is global rather than per database.
    size_t total = 0;
    for (int i = 0; i < ks.size(); ++i) {
      Db& db = ks.db(i);
      size_t n = Candidates(db, volatile_only);
      if (n == 0) continue;
      total += n;
      auto add = [&](std::string_view key, DbEntry& e) {
        Insert(EvictionScore(ks, db, e, policy), i, key, &e);
      };
      if (db.size() <= kVisitWholeDb) {
        // Samples may repeat (SampleVolatile draws with replacement, SampleKeys can meet a
        // chain twice while the table rehashes), so a small db would often be seen only in
        // part; Redis's walk of a small table sees it all, and so does this.
        VisitAll(db, volatile_only, add);
      } else if (volatile_only) {
        db.SampleVolatile(count, add);
      } else {
        db.SampleKeys(count, add);
      }
    }
    if (total == 0) return std::nullopt;
    if (auto v = PopBest(ks, policy)) return v;
  }
  // Sampling kept missing: take any candidate rather than fail while some exist.
  for (int i = 0; i < ks.size(); ++i) {
    Db& db = ks.db(i);
    if (Candidates(db, volatile_only) == 0 || !ScanForCandidate(db, volatile_only)) continue;
    DbEntry* e = db.Peek(scratch_);
    return Victim{i, scratch_, e != nullptr && EvictionScore(ks, db, *e, policy) == kDeadScore};
  }
  return std::nullopt;
}

void EvictionPool::Insert(uint64_t score, int db, std::string_view key, const DbEntry* entry) {
  // k = the number of entries that score lower than the newcomer.
  int k = 0;
  while (k < used_ && pool_[k].score < score) ++k;
  // A full pool keeps out a newcomer worse than every entry: the common case, decided first.
  if (k == 0 && used_ == kSize) return;
  // The same key sampled again (a small table, a repeated draw): keep one entry. Entries are
  // compared by address, never dereferenced; a stale address matching a new key only costs
  // this one sample.
  for (int i = 0; i < used_; ++i) {
    if (pool_[i].entry == entry && pool_[i].db == db) return;
  }
  if (used_ < kSize) {
    // Open position k by moving [k, used_) one to the right; the spare at used_ lands at k.
    std::rotate(pool_.begin() + k, pool_.begin() + used_, pool_.begin() + used_ + 1);
    ++used_;
  } else {
    // Full: the worst entry (position 0) leaves and [1, k) slides left, so the newcomer sits
    // at k - 1 and reuses the leaver's key buffer.
    --k;
    std::rotate(pool_.begin(), pool_.begin() + 1, pool_.begin() + k + 1);
  }
  Entry& e = pool_[k];
  e.score = score;
  e.entry = entry;
  e.db = db;
  std::string& buf = keys_[e.slot];
  buf.assign(key);
  if (buf.capacity() > kMaxKeptKeyBytes && key.size() <= kMaxKeptKeyBytes) buf.shrink_to_fit();
}

std::optional<Victim> EvictionPool::PopBest(Keyspace& ks, EvictPolicy policy) {
  const bool volatile_only = IsVolatilePolicy(policy);
  while (used_ > 0) {
    // The entry leaves the pool but its key buffer keeps the bytes until it is reused, so the
    // victim's view stays valid until the next call.
    const Entry& best = pool_[--used_];
    const std::string& key = keys_[best.slot];
    if (best.db >= ks.size()) continue;
    Db& db = ks.db(best.db);
    const DbEntry* e = db.Peek(key);
    if (e == nullptr) continue;                        // deleted since it was sampled
    if (volatile_only && !db.HasExpire(*e)) continue;  // lost its TTL
    uint64_t now_score = EvictionScore(ks, db, *e, policy);
    if (now_score < best.score) continue;  // read (or its TTL pushed back) since sampling
    return Victim{best.db, key, now_score == kDeadScore};
  }
  return std::nullopt;
}

std::optional<Victim> EvictionPool::PickRandom(Keyspace& ks, EvictPolicy policy) {
  const bool volatile_only = IsVolatilePolicy(policy);
  const unsigned dbs = static_cast<unsigned>(ks.size());
  for (unsigned i = 0; i < dbs; ++i) {
    const int j = static_cast<int>(++next_db_ % dbs);
    Db& db = ks.db(j);
    if (Candidates(db, volatile_only) == 0) continue;
    bool found = false;
    auto take = [&](std::string_view key, DbEntry&) {
      scratch_.assign(key);
      found = true;
    };
    for (int round = 0; round < kSampleRounds && !found; ++round) {
      if (volatile_only) {
        db.SampleVolatile(1, take);
      } else {
        db.SampleKeys(1, take);
      }
    }
    if (!found && !ScanForCandidate(db, volatile_only)) continue;
    const DbEntry* e = db.Peek(scratch_);
    bool expired = e != nullptr && db.HasExpire(*e) && db.ExpireOf(*e) < ks.now_ms();
    return Victim{j, scratch_, expired};
  }
  return std::nullopt;
}

bool EvictionPool::ScanForCandidate(Db& db, bool volatile_only) {
  bool found = false;
  uint64_t cursor = 0;
  do {
    cursor = db.Scan(cursor, [&](std::string_view key, DbEntry& e) {
      if (found || (volatile_only && !db.HasExpire(e))) return;
      scratch_.assign(key);
      found = true;
    });
  } while (!found && cursor != 0);
  return found;
}

}  // namespace baozi
