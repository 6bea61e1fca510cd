// The keyspace: numbered databases, each a Dict of key -> entry, with Redis's lazy expiry. Every
// lookup first checks the key's deadline against the command's time snapshot
// (Keyspace::now_ms(), set once per command by the dispatcher, as Redis's commandTimeSnapshot) and
// deletes the key if it is due, so no command ever observes an expired key.
//
// A key with a TTL has a record in its db's ExpiryWheel (storage/expiry_wheel.h) holding the
// deadline, and its entry holds the record's 32-bit handle; a key without one pays nothing but the
// handle, which fits in the entry's padding. The wheel is the one source of truth for deadlines:
// lazy expiry reads it, active expiry (ActiveExpire) pops due records from it, and the volatile
// eviction policies sample it. The sum of the deadlines is kept alongside, which gives INFO's
// `avg_ttl=` exactly in O(1).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "storage/dict.h"
#include "storage/encoding_limits.h"
#include "storage/expiry_wheel.h"
#include "storage/keyspace_events.h"
#include "storage/value.h"

namespace baozi {

inline constexpr int64_t kNoExpire = -1;

struct DbEntry {
  Value value;
  // The key's record in its db's expiry wheel; kNoHandle when the key has no TTL. Only Db
  // touches it (Db::ExpireOf reads the deadline).
  ExpiryWheel::Handle ttl = ExpiryWheel::kNoHandle;
};

// An entry taken out of a db (RENAME, MOVE) with its deadline.
struct ExtractedEntry {
  Value value;
  int64_t expire_ms = kNoExpire;
};

struct KeyspaceStats {
  uint64_t expired_keys = 0;
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;
  uint64_t dirty = 0;  // changes since the last save (Redis server.dirty)
};

class Keyspace;

class Db {
 public:
  Db(Keyspace* ks, int index) : ks_(ks), index_(index), wheel_(&RelocateEntry) {}
  Db(Db&&) = default;
  Db& operator=(Db&&) = default;

  int index() const { return index_; }
  size_t size() const { return dict_.size(); }
  size_t expires_count() const { return wheel_.size(); }
  // Average remaining TTL in ms over keys with a TTL (0 when none), as INFO keyspace reports it.
  int64_t AvgTtl(int64_t now_ms) const;

  // Lookups. Each applies lazy expiry first; nullptr when the key is missing or just expired.
  // Redis's lookupKey flags: reads count keyspace hits/misses, and every lookup but the
  // introspective ones (TYPE, TTL, OBJECT...) refreshes the key's LRU/LFU data.
  enum LookupFlags : uint8_t {
    kLookupNone = 0,
    kLookupNoTouch = 1,
    kLookupNoStats = 2,
    kLookupNoNotify = 4,  // no "keymiss" event (OBJECT)
  };
  DbEntry* Lookup(std::string_view key, uint8_t flags);
  // Existence with lazy expiry only: no stats, no LRU update.
  DbEntry* Find(std::string_view key) { return Lookup(key, kLookupNoTouch | kLookupNoStats); }
  // lookupKeyRead / lookupKeyWrite.
  DbEntry* FindRead(std::string_view key) { return Lookup(key, kLookupNone); }
  DbEntry* FindWrite(std::string_view key) { return Lookup(key, kLookupNoStats); }
  // Introspection (EXISTS, TYPE, TTL, OBJECT): counted as a read, leaves access data alone.
  DbEntry* FindReadNoTouch(std::string_view key) { return Lookup(key, kLookupNoTouch); }
  // OBJECT: like FindReadNoTouch, and a miss raises no "keymiss" event.
  DbEntry* FindIntrospect(std::string_view key) {
    return Lookup(key, kLookupNoTouch | kLookupNoNotify);
  }
  // The entry as stored, expired or not, with no side effect (WATCH's bookkeeping).
  DbEntry* Peek(std::string_view key) { return dict_.Find(key); }
  bool IsExpired(const DbEntry& e) const;
  // Replaces the value of an existing entry found with a write lookup, keeping its TTL (Redis
  // dbOverwrite: the LFU counter carries over; under LRU the access time is now).
  void Overwrite(DbEntry& e, Value value);
  // A stream leaving `key` (deleted, expired, replaced, renamed away) is reported to the
  // blocking layer while clients wait on streams: a waiting XREADGROUP then ends with an error.
  void SignalIfStreamGone(std::string_view key, const Value& old);
  // Records an in-place modification of a value (APPEND, SETRANGE, SETBIT...) of an entry found
  // with a write lookup, which already counted the access.
  void MarkModified(DbEntry& e);

  // Inserts or overwrites (Redis setKey). `expire_ms` = kNoExpire clears any TTL unless
  // kSetKeepTtl. Overwriting counts as one write access to the key (setKey's lookup) unless the
  // caller already looked it up for writing (kSetLookedUp), and keeps the old LFU counter.
  enum SetFlags : uint8_t { kSetKeepTtl = 1, kSetLookedUp = 2 };
  DbEntry& Set(std::string_view key, Value value, int64_t expire_ms = kNoExpire, uint8_t flags = 0);
  // Inserts a key that must not exist (checked by the caller).
  DbEntry& Add(std::string_view key, Value value);
  bool Delete(std::string_view key);
  // Redis's dbDelete: removes the entry whatever its deadline. A *STORE command replaces its
  // destination without reading it, so an expired one is deleted as it stands ("del", where a
  // lookup would have expired it first).
  bool Remove(std::string_view key);
  // Removes the entry and hands it over (RENAME, MOVE).
  std::optional<ExtractedEntry> Extract(std::string_view key);

  // Sets the deadline of an existing entry, keeping the expire counters right.
  void SetExpire(DbEntry& e, int64_t expire_ms);
  // The entry's deadline (absolute unix ms), or kNoExpire.
  int64_t ExpireOf(const DbEntry& e) const {
    return e.ttl == ExpiryWheel::kNoHandle ? kNoExpire : wheel_.When(e.ttl);
  }
  bool HasExpire(const DbEntry& e) const { return e.ttl != ExpiryWheel::kNoHandle; }

  // Eviction sampling (Redis dictGetSomeKeys on the main dict, or on the expires dict for the
  // volatile policies): up to `count` entries, cheap and not uniform; fn(key, entry) may not
  // modify the db. Returns how many were reported. Expired entries may be reported.
  template <class Fn>
  size_t SampleKeys(size_t count, Fn&& fn) {
    return dict_.SampleEntries(ks_rng(), count, std::forward<Fn>(fn));
  }
  // Uniform picks (with replacement) among the keys with a TTL, from the wheel's dense records.
  template <class Fn>
  size_t SampleVolatile(size_t count, Fn&& fn) {
    const size_t n = std::min(count, wheel_.size());
    for (size_t i = 0; i < n; ++i) {
      auto* e = static_cast<DbEntry*>(wheel_.Owner(wheel_.RandomHandle(ks_rng()())));
      fn(Dict<DbEntry>::KeyOf(e), *e);
    }
    return n;
  }

  // SCAN over the underlying dict; fn(key, entry) may not modify the db. Keys that are already
  // expired are reported too: the caller filters them through Find (lazy expiry) afterwards.
  template <class Fn>
  uint64_t Scan(uint64_t cursor, Fn&& fn) {
    return dict_.Scan(cursor, std::forward<Fn>(fn));
  }
  template <class Fn>
  void ForEach(Fn&& fn) {
    dict_.ForEach(std::forward<Fn>(fn));
  }
  // A random live key (RANDOMKEY): retries past expired ones like Redis, bounded.
  std::optional<std::string> RandomKey();

  void Clear();
  void SwapContents(Db& other);
  // Active expiry: advances the wheel to the keyspace clock and deletes due keys, doing at most
  // `max_work` units of wheel work (ExpiryWheel::Run). Returns the number of keys deleted.
  size_t ActiveExpire(size_t max_work);
  // Wheel work is left over (a mass expiry continues in the next slice).
  bool HasExpireBacklog() const { return wheel_.HasBacklog(); }
  // Expired keys still in memory because their slice has not come yet.
  size_t ExpireBacklog() const { return wheel_.due_backlog(); }
  // When ActiveExpire next has something to do (unix ms), or INT64_MAX.
  int64_t NextExpireEventMs() const { return wheel_.NextEventMs(); }

  // Periodic upkeep: shrink a table that emptied and rehash for up to `us` microseconds.
  bool Maintain(int64_t us) {
    dict_.ShrinkIfNeeded();
    return dict_.RehashForMicros(us);
  }
  size_t MemoryUsage() const { return dict_.MemoryUsage() + wheel_.MemoryUsage(); }
  // MEMORY STATS: the main table's buckets (Redis dictSlots) and the expiry wheel's bytes.
  size_t bucket_count() const { return dict_.bucket_count(); }
  size_t ExpiryMemoryUsage() const { return wheel_.MemoryUsage(); }

 private:
  static void RelocateEntry(void* owner, ExpiryWheel::Handle h) {
    static_cast<DbEntry*>(owner)->ttl = h;
  }
  std::mt19937_64& ks_rng();
  // Gives the entry a deadline, changes it, or (kNoExpire) removes it.
  void SetTtl(DbEntry& e, int64_t expire_ms);
  void DropTtl(DbEntry& e) { SetTtl(e, kNoExpire); }
  void ReplaceValue(DbEntry& e, Value value);
  // Deletes a key whose deadline has passed (its TTL record already gone) and reports it.
  void DeleteExpired(std::string_view key);
  bool ExpireIfNeeded(std::string_view key, DbEntry& e);

  Keyspace* ks_;
  int index_;
  Dict<DbEntry> dict_;
  ExpiryWheel wheel_;
  __int128 expire_sum_ = 0;  // sum of the deadlines in the wheel, for avg_ttl
  std::string expired_key_;  // ActiveExpire's copy of the key it deletes (the node is freed)
};

class Keyspace {
 public:
  explicit Keyspace(int databases);

  int size() const { return static_cast<int>(dbs_.size()); }
  Db& db(int i) { return dbs_[i]; }

  // The time snapshot every expiry decision of the current command uses.
  int64_t now_ms() const { return now_ms_; }
  void set_now_ms(int64_t ms) {
    now_ms_ = ms;
    // The LRU clock in 1/256 s (see below), derived once per command rather than with a
    // division on every key access.
    lru_clock_ = static_cast<uint32_t>((static_cast<uint64_t>(ms) << 8) / 1000);
  }
  // Access data kept in Value::lru(), as Redis keeps it in robj->lru: in LRU mode the last
  // access time in 1/256 s units modulo 2^32 (Redis keeps seconds modulo 2^24: the same 194-day
  // wrap, but eviction can tell apart keys read within the same second); in LFU mode (an LFU
  // maxmemory policy) 16 bits of minutes since the last decrement and an 8-bit logarithmic
  // access counter.
  void SetPolicyMode(bool lfu, bool lru_or_lfu_policy) {
    lfu_mode_ = lfu;
    lru_or_lfu_policy_ = lru_or_lfu_policy;
  }
  bool lfu_mode() const { return lfu_mode_; }
  bool lfu_or_lru_policy() const { return lru_or_lfu_policy_; }
  int lfu_log_factor = 10;
  int lfu_decay_time = 1;
  // Access time stamp for a newly created value.
  uint32_t InitialAccess() const;
  void Touch(Value& v);
  // OBJECT IDLETIME: whole seconds between the access and now, counted on second boundaries as
  // Redis's 24-bit LRU clock does.
  int64_t IdleSeconds(const Value& v) const;
  // Idle time for eviction, at the clock's full resolution (1/256 s).
  uint64_t IdleMs(const Value& v) const;
  // The value of Redis's robj->lru for DEBUG OBJECT: LRU clock seconds, or the LFU data.
  uint32_t RedisLruField(const Value& v) const;
  int LfuFrequency(const Value& v) const;
  // RESTORE's IDLETIME/FREQ and an RDB's LRU/LFU opcodes (Redis objectSetLRUOrLFU): in LFU mode
  // a frequency (>= 0) becomes the counter, otherwise an idle time (>= 0) back-dates the last
  // access. Returns false, leaving the value alone, when the mode's own figure is -1.
  bool SetAccessData(Value& v, int64_t lfu_freq, int64_t lru_idle_seconds);
  // CLIENT NO-TOUCH: lookups of the current command must not update access data.
  bool no_touch = false;

  // Lazy expiry can be turned off for tests and DEBUG SET-ACTIVE-EXPIRE's sibling semantics.
  KeyspaceStats& stats() { return stats_; }

  // Called for every key deleted by expiry, after it is gone (WATCH, the "expired" event).
  std::function<void(Db&, std::string_view key)> on_expired;

  // Keyspace events storage raises itself ("new" on insert, "keymiss" on a counted read miss),
  // delivered through on_event only when `notify_flags` (notify-keyspace-events) enables their
  // class, so the disabled path is one test on a member.
  uint32_t notify_flags = 0;
  std::function<void(Db&, uint32_t type, std::string_view event, std::string_view key)> on_event;
  void Notify(Db& db, uint32_t type, std::string_view event, std::string_view key) {
    if ((notify_flags & type) != 0 && on_event) on_event(db, type, event, key);
  }

  // Blocking pops. The server counts the clients waiting for a list or a sorted set; while any
  // waits, every key added with such a value is reported through on_key_ready (Redis's
  // signalKeyAsReady from dbAdd), which is how a push, a RENAME or a BLMOVE target wakes them.
  // With no waiter the check is one load on the insert path.
  uint32_t waiters[6] = {};  // indexed by ObjType
  std::function<void(Db&, std::string_view key)> on_key_ready;
  void SignalIfWaited(Db& db, std::string_view key, ObjType t) {
    if (waiters[static_cast<int>(t)] != 0 && on_key_ready) on_key_ready(db, key);
  }

  // Compact-encoding thresholds (hash-max-listpack-entries...), kept in step with the config.
  EncodingLimits limits;

  std::mt19937_64& rng() { return rng_; }

  void FlushAll();

 private:
  std::vector<Db> dbs_;
  int64_t now_ms_ = 0;
  uint32_t lru_clock_ = 0;
  KeyspaceStats stats_;
  std::mt19937_64 rng_;
  bool lfu_mode_ = false;
  bool lru_or_lfu_policy_ = false;
};

}  // namespace baozi
