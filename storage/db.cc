#include "storage/db.h"

#include <algorithm>

namespace baozi {

std::string_view TypeName(ObjType t) {
  switch (t) {
    case ObjType::kString:
      return "string";
    case ObjType::kList:
      return "list";
    case ObjType::kSet:
      return "set";
    case ObjType::kZset:
      return "zset";
    case ObjType::kHash:
      return "hash";
    case ObjType::kStream:
      return "stream";
  }
  return "none";
}

void Db::SetTtl(DbEntry& e, int64_t expire_ms) {
  const bool had = e.ttl != ExpiryWheel::kNoHandle;
  if (had) expire_sum_ -= wheel_.When(e.ttl);
  if (expire_ms == kNoExpire) {
    if (had) {
      wheel_.Remove(e.ttl);
      e.ttl = ExpiryWheel::kNoHandle;
    }
    return;
  }
  expire_sum_ += expire_ms;
  if (had) {
    wheel_.Update(e.ttl, expire_ms);
  } else {
    e.ttl = wheel_.Insert(expire_ms, &e, ks_->now_ms());
  }
}

int64_t Db::AvgTtl(int64_t now_ms) const {
  if (wheel_.empty()) return 0;
  __int128 avg = expire_sum_ / static_cast<__int128>(wheel_.size()) - now_ms;
  return avg > 0 ? static_cast<int64_t>(avg) : 0;
}

// Redis's keyIsExpired: a key is expired once the clock is past its deadline (now > when), so
// at exactly the deadline it is still alive.
bool Db::IsExpired(const DbEntry& e) const {
  return HasExpire(e) && wheel_.When(e.ttl) < ks_->now_ms();
}

void Db::DeleteExpired(std::string_view key) {
  ks_->stats().expired_keys++;
  if (ks_->waiters[static_cast<int>(ObjType::kStream)] != 0) {
    if (DbEntry* e = dict_.Find(key)) SignalIfStreamGone(key, e->value);
  }
  dict_.Erase(key);
  if (ks_->on_expired) ks_->on_expired(*this, key);
}

bool Db::ExpireIfNeeded(std::string_view key, DbEntry& e) {
  if (!IsExpired(e)) return false;
  DropTtl(e);
  expired_key_.assign(key);  // the key view may point into the entry we are about to free
  DeleteExpired(expired_key_);
  return true;
}

size_t Db::ActiveExpire(size_t max_work) {
  return wheel_.Run(ks_->now_ms(), max_work, [this](void* owner, int64_t when) {
    auto* e = static_cast<DbEntry*>(owner);
    e->ttl = ExpiryWheel::kNoHandle;  // the wheel already dropped the record
    expire_sum_ -= when;
    expired_key_.assign(Dict<DbEntry>::KeyOf(e));
    DeleteExpired(expired_key_);
  });
}

DbEntry* Db::Lookup(std::string_view key, uint8_t flags) {
  DbEntry* e = dict_.Find(key);
  if (e != nullptr && ExpireIfNeeded(key, *e)) e = nullptr;
  if (!(flags & kLookupNoStats)) {
    if (e == nullptr) {
      ks_->stats().keyspace_misses++;
      if (!(flags & kLookupNoNotify)) ks_->Notify(*this, notify::kKeyMiss, "keymiss", key);
    } else {
      ks_->stats().keyspace_hits++;
    }
  }
  if (e != nullptr && !(flags & kLookupNoTouch) && !ks_->no_touch) ks_->Touch(e->value);
  return e;
}

// The lookup that found the entry already counted the access; a modification adds none.
void Db::MarkModified(DbEntry&) { ks_->stats().dirty++; }

void Db::Overwrite(DbEntry& e, Value value) {
  ks_->stats().dirty++;
  ReplaceValue(e, std::move(value));
}

void Db::SignalIfStreamGone(std::string_view key, const Value& old) {
  if (ks_->waiters[static_cast<int>(ObjType::kStream)] != 0 && old.type() == ObjType::kStream) {
    ks_->SignalIfWaited(*this, key, ObjType::kStream);
  }
}

// Redis dbSetValue: the new value takes over the old one's LFU data (a replaced counter is still
// the key's popularity); under LRU it is a new object, accessed now.
void Db::ReplaceValue(DbEntry& e, Value value) {
  SignalIfStreamGone(Dict<DbEntry>::KeyOf(&e), e.value);
  uint32_t access = e.value.lru();
  e.value = std::move(value);
  e.value.set_lru(ks_->lfu_mode() ? access : ks_->InitialAccess());
}

DbEntry& Db::Set(std::string_view key, Value value, int64_t expire_ms, uint8_t flags) {
  ks_->stats().dirty++;
  auto [e, inserted] = dict_.FindOrInsert(key);
  int64_t old = inserted ? kNoExpire : ExpireOf(*e);
  bool was_expired = !inserted && old != kNoExpire && old < ks_->now_ms();
  int64_t next = (flags & kSetKeepTtl) && !inserted && !was_expired ? old : expire_ms;
  if (next != old) SetTtl(*e, next);
  if (inserted || was_expired) {
    e->value = std::move(value);
    e->value.set_lru(ks_->InitialAccess());
  } else {
    // Redis's setKey looks the key up for writing (one access) unless its caller just did.
    if (!(flags & kSetLookedUp) && !ks_->no_touch) ks_->Touch(e->value);
    ReplaceValue(*e, std::move(value));
  }
  if (was_expired) {
    // Overwriting a key that had already expired: Redis expires it first, and so do we.
    ks_->stats().expired_keys++;
    if (ks_->on_expired) ks_->on_expired(*this, key);
  }
  if (inserted || was_expired) {
    ks_->SignalIfWaited(*this, key, e->value.type());
    ks_->Notify(*this, notify::kNew, "new", key);
  }
  return *e;
}

DbEntry& Db::Add(std::string_view key, Value value) {
  ks_->stats().dirty++;
  auto [e, inserted] = dict_.FindOrInsert(key);
  if (!inserted) DropTtl(*e);
  e->value = std::move(value);
  e->value.set_lru(ks_->InitialAccess());
  ks_->SignalIfWaited(*this, key, e->value.type());
  ks_->Notify(*this, notify::kNew, "new", key);
  return *e;
}

bool Db::Delete(std::string_view key) {
  DbEntry* e = Find(key);
  if (e == nullptr) return false;
  DropTtl(*e);
  ks_->stats().dirty++;
  SignalIfStreamGone(key, e->value);
  return dict_.Erase(key);
}

bool Db::Remove(std::string_view key) {
  // One lookup: eviction removes a key per write, so this is on a hot path.
  return dict_.EraseWith(key, [this, key](DbEntry& e) {
    DropTtl(e);
    ks_->stats().dirty++;
    SignalIfStreamGone(key, e.value);
  });
}

std::optional<ExtractedEntry> Db::Extract(std::string_view key) {
  DbEntry* e = Find(key);
  if (e == nullptr) return std::nullopt;
  int64_t expire_ms = ExpireOf(*e);
  DropTtl(*e);
  SignalIfStreamGone(key, e->value);
  auto taken = dict_.Extract(key);
  return ExtractedEntry{std::move(taken->value), expire_ms};
}

void Db::SetExpire(DbEntry& e, int64_t expire_ms) {
  ks_->stats().dirty++;
  SetTtl(e, expire_ms);
}

std::optional<std::string> Db::RandomKey() {
  // Like Redis, give up on finding a non-expired key after many tries when all keys are volatile.
  for (int tries = 0; tries < 100 && dict_.size() > 0; ++tries) {
    auto [key, entry] = dict_.RandomEntry(ks_->rng());
    if (entry == nullptr) return std::nullopt;
    if (IsExpired(*entry)) {
      std::string k(key);
      if (wheel_.size() == dict_.size() && tries >= 99) return k;
      Find(k);  // lazily expire it and try again
      continue;
    }
    return std::string(key);
  }
  return std::nullopt;
}

void Db::Clear() {
  ks_->stats().dirty += dict_.size();
  wheel_.Clear();
  dict_.Clear();
  expire_sum_ = 0;
}

void Db::SwapContents(Db& other) {
  dict_.Swap(other.dict_);
  wheel_.Swap(other.wheel_);
  std::swap(expire_sum_, other.expire_sum_);
}

std::mt19937_64& Db::ks_rng() { return ks_->rng(); }

Keyspace::Keyspace(int databases) : rng_(std::random_device{}()) {
  dbs_.reserve(databases);
  for (int i = 0; i < databases; ++i) dbs_.emplace_back(this, i);
}

namespace {
constexpr int kLfuInitVal = 5;
uint32_t LfuMinutes(int64_t now_ms) { return static_cast<uint32_t>(now_ms / 60000) & 65535; }
// The LRU clock (Keyspace::lru_clock_): 1/256 s units, modulo 2^32. Its top 24 bits are
// Redis's LRU clock (seconds modulo 2^24).
constexpr uint32_t kLruSecondsMask = (1u << 24) - 1;
}  // namespace

uint32_t Keyspace::InitialAccess() const {
  if (lfu_mode_) return (LfuMinutes(now_ms_) << 8) | kLfuInitVal;
  return lru_clock_;
}

int Keyspace::LfuFrequency(const Value& v) const {
  uint32_t ldt = v.lru() >> 8;
  int counter = static_cast<int>(v.lru() & 255);
  uint32_t now = LfuMinutes(now_ms_);
  uint32_t elapsed = now >= ldt ? now - ldt : 65535 - ldt + now;
  uint32_t periods = lfu_decay_time > 0 ? elapsed / static_cast<uint32_t>(lfu_decay_time) : 0;
  if (periods > 0) counter = periods > static_cast<uint32_t>(counter) ? 0 : counter - periods;
  return counter;
}

void Keyspace::Touch(Value& v) {
  if (!lfu_mode_) {
    v.set_lru(lru_clock_);
    return;
  }
  // Logarithmic increment: the more hits a key has, the less likely one more hit counts.
  int counter = LfuFrequency(v);
  if (counter < 255) {
    double r = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
    double base = std::max(counter - kLfuInitVal, 0);
    if (r < 1.0 / (base * lfu_log_factor + 1)) ++counter;
  }
  v.set_lru((LfuMinutes(now_ms_) << 8) | static_cast<uint32_t>(counter));
}

int64_t Keyspace::IdleSeconds(const Value& v) const {
  return ((lru_clock_ >> 8) - (v.lru() >> 8)) & kLruSecondsMask;
}

uint64_t Keyspace::IdleMs(const Value& v) const {
  return static_cast<uint64_t>(lru_clock_ - v.lru()) * 1000 / 256;
}

uint32_t Keyspace::RedisLruField(const Value& v) const {
  return lfu_mode_ ? v.lru() & kLruSecondsMask : v.lru() >> 8;
}

bool Keyspace::SetAccessData(Value& v, int64_t lfu_freq, int64_t lru_idle_seconds) {
  if (lfu_mode_) {
    if (lfu_freq < 0) return false;
    v.set_lru((LfuMinutes(now_ms_) << 8) | static_cast<uint32_t>(std::min<int64_t>(lfu_freq, 255)));
    return true;
  }
  if (lru_idle_seconds < 0) return false;
  // Modulo 2^32, as the clock itself wraps; an idle time beyond the wrap is as old as it gets.
  uint64_t back = static_cast<uint64_t>(lru_idle_seconds) << 8;
  v.set_lru(lru_clock_ - static_cast<uint32_t>(std::min<uint64_t>(back, 0xFFFFFFFFu)));
  return true;
}

void Keyspace::FlushAll() {
  for (auto& db : dbs_) db.Clear();
}

}  // namespace baozi
