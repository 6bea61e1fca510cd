#include "storage/hash.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <new>

namespace baozi {

// ---- HashTable -------------------------------------------------------------------------------

HashNode* HashTable::NewNode(std::string_view field, std::string_view value) {
  auto* n = static_cast<HashNode*>(std::malloc(sizeof(HashNode) + field.size() + value.size()));
  if (n == nullptr) throw std::bad_alloc();
  n->next = nullptr;
  n->flen = static_cast<uint32_t>(field.size());
  n->vlen = static_cast<uint32_t>(value.size());
  if (!field.empty()) std::memcpy(n->bytes(), field.data(), field.size());
  if (!value.empty()) std::memcpy(n->bytes() + field.size(), value.data(), value.size());
  node_bytes_ += malloc_usable_size(n);
  return n;
}

void HashTable::FreeNode(HashNode* n) {
  node_bytes_ -= malloc_usable_size(n);
  std::free(n);
}

void HashTable::Clear() {
  for (Table& t : tables_) {
    for (size_t i = 0; i < t.size; ++i) {
      for (HashNode* n = t.buckets[i]; n != nullptr;) {
        HashNode* next = n->next;
        FreeNode(n);
        n = next;
      }
    }
    t = Table{};
  }
  rehash_idx_ = -1;
}

const HashNode* HashTable::Find(std::string_view field) const {
  if (empty()) return nullptr;
  const uint64_t h = HashKey(field);
  const int last = IsRehashing() ? 1 : 0;
  for (int i = 0; i <= last; ++i) {
    const Table& t = tables_[i];
    for (const HashNode* n = t.buckets[h & (t.size - 1)]; n != nullptr; n = n->next) {
      if (n->field() == field) return n;
    }
  }
  return nullptr;
}

HashNode** HashTable::FindLink(std::string_view field, uint64_t h, int* table) {
  if (empty()) return nullptr;
  const int last = IsRehashing() ? 1 : 0;
  for (int i = 0; i <= last; ++i) {
    Table& t = tables_[i];
    for (HashNode** link = &t.buckets[h & (t.size - 1)]; *link != nullptr; link = &(*link)->next) {
      if ((*link)->field() == field) {
        if (table != nullptr) *table = i;
        return link;
      }
    }
  }
  return nullptr;
}

bool HashTable::Set(std::string_view field, std::string_view value) {
  StepIfRehashing();
  const uint64_t h = HashKey(field);
  if (HashNode** link = FindLink(field, h, nullptr)) {
    UpdateValue(link, value);
    return false;
  }
  GrowIfNeeded();
  Table& t = tables_[IsRehashing() ? 1 : 0];
  HashNode*& head = t.buckets[h & (t.size - 1)];
  HashNode* n = NewNode(field, value);
  n->next = head;
  head = n;
  ++t.used;
  return true;
}

void HashTable::UpdateValue(HashNode** link, std::string_view value) {
  HashNode* n = *link;
  const size_t need = sizeof(HashNode) + n->flen + value.size();
  const size_t have = malloc_usable_size(n);
  // Rewritten values (counters above all) keep their length or close to it: write in place
  // unless the block would then waste more than half of itself.
  if (need <= have && (have <= 2 * need || have - need <= 32)) {
    std::memmove(n->bytes() + n->flen, value.data(), value.size());
    n->vlen = static_cast<uint32_t>(value.size());
    return;
  }
  // A new node first: `value` may point into the old one.
  HashNode* fresh = NewNode(n->field(), value);
  fresh->next = n->next;
  *link = fresh;
  FreeNode(n);
}

bool HashTable::Erase(std::string_view field) {
  if (empty()) return false;
  StepIfRehashing();
  int table = 0;
  HashNode** link = FindLink(field, HashKey(field), &table);
  if (link == nullptr) return false;
  HashNode* n = *link;
  *link = n->next;
  --tables_[table].used;
  FreeNode(n);
  if (empty()) {
    // Nothing left to move: drop both arrays now, even halfway through a rehash.
    Clear();
  } else {
    ShrinkIfNeeded();
  }
  return true;
}

void HashTable::Reserve(size_t n) {
  if (n > tables_[0].size) Resize(n);
}

void HashTable::RehashStep(int n) {
  Table& from = tables_[0];
  Table& to = tables_[1];
  size_t empty_visits = static_cast<size_t>(n) * 10;
  while (n-- > 0 && from.used != 0) {
    while (from.buckets[rehash_idx_] == nullptr) {
      ++rehash_idx_;
      if (--empty_visits == 0) return;
    }
    for (HashNode* node = from.buckets[rehash_idx_]; node != nullptr;) {
      HashNode* next = node->next;
      HashNode*& head = to.buckets[HashKey(node->field()) & (to.size - 1)];
      node->next = head;
      head = node;
      --from.used;
      ++to.used;
      node = next;
    }
    from.buckets[rehash_idx_] = nullptr;
    ++rehash_idx_;
  }
  if (from.used != 0) return;
  tables_[0] = std::move(tables_[1]);
  tables_[1] = Table{};
  rehash_idx_ = -1;
}

void HashTable::GrowIfNeeded() {
  if (IsRehashing()) return;
  const Table& t = tables_[0];
  if (t.size == 0) {
    Resize(kInitialBuckets);
  } else if (t.used >= t.size) {
    Resize(t.used + 1);
  }
}

void HashTable::ShrinkIfNeeded() {
  if (IsRehashing()) return;
  const Table& t = tables_[0];
  if (t.size > kInitialBuckets && t.used * 100 / t.size < kMinFillPercent && Resize(t.used)) {
    // A shrink starts at 10% fill, so a small table is at most ~10 times its entries: finish
    // at once rather than leave the big empty array behind until later writes move it.
    if (tables_[0].used <= 64) {
      while (IsRehashing()) RehashStep(100);
    }
  }
}

bool HashTable::Resize(size_t want) {
  if (IsRehashing() || tables_[0].used > want) return false;
  size_t buckets = kInitialBuckets;
  while (buckets < want && buckets < (size_t{1} << 62)) buckets <<= 1;
  if (buckets == tables_[0].size) return false;
  Table fresh;
  fresh.buckets = std::make_unique<HashNode*[]>(buckets);
  fresh.size = buckets;
  if (tables_[0].size == 0) {
    tables_[0] = std::move(fresh);
    return true;
  }
  tables_[1] = std::move(fresh);
  rehash_idx_ = 0;
  return true;
}

// ---- HashObject ------------------------------------------------------------------------------

HashObject::HashObject(const HashObject& o) : lp_(o.lp_) {
  if (o.table_ == nullptr) return;
  table_ = new HashTable;
  table_->Reserve(o.size());
  o.table_->ForEach([&](const HashNode& n) { table_->Set(n.field(), n.value()); });
}

HashObject& HashObject::operator=(HashObject&& o) noexcept {
  if (this != &o) {
    delete table_;
    lp_ = std::move(o.lp_);
    table_ = o.table_;
    o.table_ = nullptr;
  }
  return *this;
}

HashObject::~HashObject() { delete table_; }

size_t HashObject::MemoryUsage() const {
  if (table_ == nullptr) return sizeof(*this) + lp_.MemoryUsage();
  return sizeof(*this) + table_->MemoryUsage();
}

size_t HashObject::MemoryUsage(size_t /*samples*/) const {
  const size_t self = AllocSize(sizeof(*this));
  if (table_ == nullptr) return self + lp_.MemoryUsage();
  return self + table_->AllocatedBytes();
}

std::optional<std::string_view> HashObject::Get(std::string_view field, char* buf) const {
  if (table_) {
    const HashNode* n = table_->Find(field);
    if (n == nullptr) return std::nullopt;
    return n->value();
  }
  const Listpack::Pos p = lp_.Find(lp_.First(), field, 1);
  if (p == Listpack::kNone) return std::nullopt;
  return lp_.Get(lp_.Next(p)).View(buf);
}

bool HashObject::Contains(std::string_view field) const {
  if (table_) return table_->Find(field) != nullptr;
  return lp_.Find(lp_.First(), field, 1) != Listpack::kNone;
}

bool HashObject::Set(std::string_view field, std::string_view value, const EncodingLimits& limits) {
  if (table_ == nullptr) {
    const size_t max_value = limits.hash_max_listpack_value;
    if (field.size() > max_value || value.size() > max_value ||
        !lp_.SafeToAdd(field.size() + value.size())) {
      ConvertToHashtable();
    } else {
      bool added = false;
      const Listpack::Pos p = lp_.Find(lp_.First(), field, 1);
      if (p != Listpack::kNone) {
        lp_.Replace(lp_.Next(p), value);
      } else {
        lp_.AppendPair(field, value);
        added = true;
      }
      // Checked after updates too, as Redis does: a lowered limit converts on the next write.
      if (size() > limits.hash_max_listpack_entries) ConvertToHashtable();
      return added;
    }
  }
  return table_->Set(field, value);
}

bool HashObject::Delete(std::string_view field) {
  if (table_) return table_->Erase(field);
  const Listpack::Pos p = lp_.Find(lp_.First(), field, 1);
  if (p == Listpack::kNone) return false;
  lp_.DeleteRange(p, 2);
  return true;
}

void HashObject::ConvertToHashtable() {
  if (table_) return;
  auto table = std::make_unique<HashTable>();
  table->Reserve(lp_.size() / 2);
  char fbuf[kIntBufSize];
  char vbuf[kIntBufSize];
  for (Listpack::Pos p = lp_.First(); p != Listpack::kNone;) {
    const Listpack::Pos v = lp_.Next(p);
    table->Set(lp_.Get(p).View(fbuf), lp_.Get(v).View(vbuf));
    p = lp_.Next(v);
  }
  table_ = table.release();
  lp_ = Listpack();
}

void HashObject::CollectRefs(std::vector<HashEntryRef>& out) const {
  out.reserve(out.size() + size());
  ForEachRef([&](const HashEntryRef& e) { out.push_back(e); });
}

}  // namespace baozi
