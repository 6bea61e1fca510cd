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
  }
  return "none";
}

void Db::CountExpire(int64_t old_ms, int64_t new_ms) {
  if (old_ms != kNoExpire) {
    --expires_;
    expire_sum_ -= old_ms;
  }
  if (new_ms != kNoExpire) {
    ++expires_;
    expire_sum_ += new_ms;
  }
}

int64_t Db::AvgTtl(int64_t now_ms) const {
  if (expires_ == 0) return 0;
  __int128 avg = expire_sum_ / static_cast<__int128>(expires_) - now_ms;
  return avg > 0 ? static_cast<int64_t>(avg) : 0;
}

// Redis's keyIsExpired: a key is expired once the clock is past its deadline (now > when), so
// at exactly the deadline it is still alive.
bool Db::IsExpired(const DbEntry& e) const {
  return e.expire_ms != kNoExpire && e.expire_ms < ks_->now_ms();
}

bool Db::ExpireIfNeeded(std::string_view key, DbEntry& e) {
  if (e.expire_ms == kNoExpire || e.expire_ms >= ks_->now_ms()) return false;
  ks_->stats().expired_keys++;
  std::string owned(key);  // the key view may point into the entry we are about to free
  CountExpire(e.expire_ms, kNoExpire);
  dict_.Erase(owned);
  if (ks_->on_expired) ks_->on_expired(*this, owned);
  return true;
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

void Db::MarkModified(DbEntry& e) {
  ks_->stats().dirty++;
  ks_->Touch(e.value);
}

void Db::Overwrite(DbEntry& e, Value value) {
  ks_->stats().dirty++;
  uint32_t access = e.value.lru();
  e.value = std::move(value);
  e.value.set_lru(access);
  ks_->Touch(e.value);
}

DbEntry& Db::Set(std::string_view key, Value value, int64_t expire_ms, bool keep_ttl) {
  ks_->stats().dirty++;
  auto [e, inserted] = dict_.FindOrInsert(key);
  int64_t old = inserted ? kNoExpire : e->expire_ms;
  bool was_expired = !inserted && old != kNoExpire && old < ks_->now_ms();
  int64_t next = keep_ttl && !inserted && !was_expired ? old : expire_ms;
  CountExpire(old, next);
  e->value = std::move(value);
  e->value.set_lru(ks_->InitialAccess());
  e->expire_ms = next;
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
  if (!inserted) CountExpire(e->expire_ms, kNoExpire);
  e->value = std::move(value);
  e->value.set_lru(ks_->InitialAccess());
  e->expire_ms = kNoExpire;
  ks_->SignalIfWaited(*this, key, e->value.type());
  ks_->Notify(*this, notify::kNew, "new", key);
  return *e;
}

bool Db::Delete(std::string_view key) {
  DbEntry* e = Find(key);
  if (e == nullptr) return false;
  CountExpire(e->expire_ms, kNoExpire);
  ks_->stats().dirty++;
  return dict_.Erase(key);
}

bool Db::Remove(std::string_view key) {
  DbEntry* e = dict_.Find(key);
  if (e == nullptr) return false;
  CountExpire(e->expire_ms, kNoExpire);
  ks_->stats().dirty++;
  return dict_.Erase(key);
}

std::optional<DbEntry> Db::Extract(std::string_view key) {
  if (Find(key) == nullptr) return std::nullopt;
  auto e = dict_.Extract(key);
  if (e) CountExpire(e->expire_ms, kNoExpire);
  return e;
}

void Db::SetExpire(DbEntry& e, int64_t expire_ms) {
  ks_->stats().dirty++;
  CountExpire(e.expire_ms, expire_ms);
  e.expire_ms = expire_ms;
}

std::optional<std::string> Db::RandomKey() {
  // Like Redis, give up on finding a non-expired key after many tries when all keys are volatile.
  for (int tries = 0; tries < 100 && dict_.size() > 0; ++tries) {
    auto [key, entry] = dict_.RandomEntry(ks_->rng());
    if (entry == nullptr) return std::nullopt;
    if (entry->expire_ms != kNoExpire && entry->expire_ms < ks_->now_ms()) {
      std::string k(key);
      if (expires_ == dict_.size() && tries >= 99) return k;
      Find(k);  // lazily expire it and try again
      continue;
    }
    return std::string(key);
  }
  return std::nullopt;
}

size_t Db::ActiveExpireStep(size_t buckets) {
  if (expires_ == 0) {
    expire_cursor_ = 0;
    return 0;
  }
  const int64_t now = ks_->now_ms();
  std::vector<std::string> due;
  for (size_t i = 0; i < buckets; ++i) {
    expire_cursor_ = dict_.Scan(expire_cursor_, [&](std::string_view key, DbEntry& e) {
      if (e.expire_ms != kNoExpire && e.expire_ms < now) due.emplace_back(key);
    });
    if (expire_cursor_ == 0) break;
  }
  for (const std::string& key : due) {
    if (DbEntry* e = dict_.Find(key)) ExpireIfNeeded(key, *e);
  }
  return due.size();
}

void Db::Clear() {
  ks_->stats().dirty += dict_.size();
  expire_cursor_ = 0;
  dict_.Clear();
  expires_ = 0;
  expire_sum_ = 0;
}

void Db::SwapContents(Db& other) {
  dict_.Swap(other.dict_);
  std::swap(expires_, other.expires_);
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
}  // namespace

uint32_t Keyspace::InitialAccess() const {
  if (lfu_mode_) return (LfuMinutes(now_ms_) << 8) | kLfuInitVal;
  return static_cast<uint32_t>(now_ms_ / 1000);
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
    v.set_lru(static_cast<uint32_t>(now_ms_ / 1000));
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
  int64_t now = now_ms_ / 1000;
  int64_t idle = now - static_cast<int64_t>(v.lru());
  return idle > 0 ? idle : 0;
}

void Keyspace::FlushAll() {
  for (auto& db : dbs_) db.Clear();
}

}  // namespace baozi
