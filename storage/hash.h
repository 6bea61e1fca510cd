// HashObject: the value of a hash key, in one of Redis 7.0's two encodings.
//
// "listpack" while the hash is small: one Listpack holding field, value, field, value... in
// insertion order, byte for byte what Redis stores (canonical integers packed as integers). A
// lookup walks the fields (Listpack::Find with skip 1), which for a few dozen short entries in
// one cache-friendly buffer beats hashing; an update replaces the value entry in place, so the
// order stays the insertion order HGETALL shows. Small hashes are most of the memory of a
// typical dataset, and this encoding costs a byte or two of overhead per string.
//
// "hashtable" once the hash outgrows it: a HashTable (below), whose every entry is a single
// allocation holding the chain link, both lengths, the field and the value. Redis spends three
// allocations per field (dict entry, field sds, value sds); with malloc rounding each up, one
// node is the difference between beating Redis's memory and losing to it for values of more
// than a few bytes.
//
// Conversion happens exactly where Redis 7.0.15 does it, and only upwards: before an insertion
// or update whose field or value is longer than hash-max-listpack-value (hashTypeTryConversion
// for HSET/HSETNX, the checks inside hashTypeSet that HINCRBY/HINCRBYFLOAT reach), or when the
// listpack would pass 1 GiB (lpSafeToAdd); and after an insertion or update that leaves the
// field count above hash-max-listpack-entries. Deleting fields never converts back.
//
//   HashObject h;
//   h.Set("f", "v", limits);            // true: a new field
//   char buf[kIntBufSize];
//   if (auto v = h.Get("f", buf)) ...   // a view into the listpack or the node
//   h.ForEach([](std::string_view field, std::string_view value) { ... });
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/alloc_size.h"
#include "storage/dict.h"  // HashKey, dict_internal::ReverseBits
#include "storage/encoding_limits.h"
#include "storage/listpack.h"
#include "storage/value.h"

namespace baozi {

// One hashtable entry: the chain link, then the field's and the value's lengths, then their
// bytes, in one malloc'd block.
struct HashNode {
  HashNode* next;
  uint32_t flen;
  uint32_t vlen;

  const char* bytes() const { return reinterpret_cast<const char*>(this + 1); }
  char* bytes() { return reinterpret_cast<char*>(this + 1); }
  std::string_view field() const { return {bytes(), flen}; }
  std::string_view value() const { return {bytes() + flen, vlen}; }
};
static_assert(sizeof(HashNode) == 16);

// The hashtable encoding: field -> value, chained, with the layout, growth policy, incremental
// rehash and reverse-binary SCAN cursor of storage/dict.h (its header explains why SCAN needs
// exactly this layout), but nodes that carry the value bytes too. An update that still fits the
// node's allocation writes in place; otherwise the node is reallocated and relinked.
//
// Views returned by Find, ForEach, Scan and RandomEntry stay valid until the entry is updated or
// removed (rehash steps move nodes between chains, never in memory).
class HashTable {
 public:
  static constexpr size_t kInitialBuckets = 4;
  static constexpr size_t kMinFillPercent = 10;

  HashTable() = default;
  ~HashTable() { Clear(); }
  HashTable(const HashTable&) = delete;
  HashTable& operator=(const HashTable&) = delete;

  size_t size() const { return tables_[0].used + tables_[1].used; }
  bool empty() const { return size() == 0; }
  size_t bucket_count() const { return tables_[0].size + tables_[1].size; }
  bool IsRehashing() const { return rehash_idx_ >= 0; }

  // Lookups never step the rehash, so they work on a const table.
  const HashNode* Find(std::string_view field) const;
  // Inserts or updates; true when the field is new.
  bool Set(std::string_view field, std::string_view value);
  bool Erase(std::string_view field);
  void Clear();
  // Sizes the table for n entries ahead of a bulk load.
  void Reserve(size_t n);

  // fn(const HashNode&) for every entry; fn must not modify the table.
  template <class Fn>
  void ForEach(Fn&& fn) const {
    for (const Table& t : tables_) {
      for (size_t i = 0; i < t.size; ++i) {
        for (const HashNode* n = t.buckets[i]; n != nullptr; n = n->next) fn(*n);
      }
    }
  }

  // Visits the chains at `cursor` and returns the next cursor (0: done), as Dict::Scan does.
  // fn(const HashNode&) must not modify the table.
  template <class Fn>
  uint64_t Scan(uint64_t cursor, Fn&& fn) const {
    if (empty()) return 0;
    if (!IsRehashing()) {
      const uint64_t mask = tables_[0].size - 1;
      VisitBucket(tables_[0], cursor & mask, fn);
      return NextCursor(cursor, mask);
    }
    const Table* small = &tables_[0];
    const Table* large = &tables_[1];
    if (small->size > large->size) std::swap(small, large);
    const uint64_t small_mask = small->size - 1;
    const uint64_t large_mask = large->size - 1;
    VisitBucket(*small, cursor & small_mask, fn);
    do {
      VisitBucket(*large, cursor & large_mask, fn);
      cursor = NextCursor(cursor, large_mask);
    } while ((cursor & (small_mask ^ large_mask)) != 0);
    return cursor;
  }

  // A random entry of a non-empty table: a random non-empty bucket of either table's live range,
  // then a random element of its chain (Redis's dictGetRandomKey).
  template <class Rng>
  const HashNode& RandomEntry(Rng& rng) const {
    const HashNode* head = nullptr;
    if (IsRehashing()) {
      const uint64_t lo = static_cast<uint64_t>(rehash_idx_);
      const uint64_t span = tables_[0].size + tables_[1].size - lo;
      do {
        const uint64_t h = lo + static_cast<uint64_t>(rng()) % span;
        head =
            h >= tables_[0].size ? tables_[1].buckets[h - tables_[0].size] : tables_[0].buckets[h];
      } while (head == nullptr);
    } else {
      const uint64_t mask = tables_[0].size - 1;
      do {
        head = tables_[0].buckets[static_cast<uint64_t>(rng()) & mask];
      } while (head == nullptr);
    }
    size_t len = 0;
    for (const HashNode* n = head; n != nullptr; n = n->next) ++len;
    for (size_t pick = static_cast<uint64_t>(rng()) % len; pick > 0; --pick) head = head->next;
    return *head;
  }

  // Bucket arrays and nodes (as malloc reports their usable size).
  size_t MemoryUsage() const {
    return sizeof(*this) + bucket_count() * sizeof(HashNode*) + node_bytes_;
  }
  // The same in allocator size classes, the table object itself included (MEMORY USAGE). Exact
  // in O(1): node sizes are summed as nodes come and go.
  size_t AllocatedBytes() const {
    return AllocSize(sizeof(*this)) + AllocSize(tables_[0].size * sizeof(HashNode*)) +
           AllocSize(tables_[1].size * sizeof(HashNode*)) + node_bytes_;
  }

 private:
  struct Table {
    std::unique_ptr<HashNode*[]> buckets;
    size_t size = 0;  // 0 or a power of two
    size_t used = 0;
  };

  static uint64_t NextCursor(uint64_t cursor, uint64_t mask) {
    cursor |= ~mask;
    cursor = dict_internal::ReverseBits(cursor);
    ++cursor;
    return dict_internal::ReverseBits(cursor);
  }
  template <class Fn>
  static void VisitBucket(const Table& t, uint64_t idx, Fn& fn) {
    for (const HashNode* n = t.buckets[idx]; n != nullptr; n = n->next) fn(*n);
  }

  HashNode* NewNode(std::string_view field, std::string_view value);
  void FreeNode(HashNode* n);
  // The link that points at field's node (nullptr when absent); *table gets the table index.
  HashNode** FindLink(std::string_view field, uint64_t h, int* table);
  void UpdateValue(HashNode** link, std::string_view value);
  void StepIfRehashing() {
    if (IsRehashing()) RehashStep(1);
  }
  void RehashStep(int n);
  void GrowIfNeeded();
  void ShrinkIfNeeded();
  bool Resize(size_t want);

  Table tables_[2];
  int64_t rehash_idx_ = -1;  // next old-table bucket to move; -1 when not rehashing
  size_t node_bytes_ = 0;
};

// A field or value as stored: a listpack integer or a string viewed in place. Valid until the
// hash is next modified.
using HashRef = LpEntry;
struct HashEntryRef {
  HashRef field;
  HashRef value;
};

class HashObject {
 public:
  HashObject() = default;  // an empty listpack; allocates nothing until the first Set
  // Adopts a listpack of field/value pairs (RDB load). The caller checks the limits.
  explicit HashObject(Listpack lp) : lp_(std::move(lp)) {}
  HashObject(const HashObject& o);  // deep copy, same encoding (COPY)
  HashObject& operator=(const HashObject&) = delete;
  HashObject(HashObject&& o) noexcept : lp_(std::move(o.lp_)), table_(o.table_) {
    o.table_ = nullptr;
  }
  HashObject& operator=(HashObject&& o) noexcept;
  ~HashObject();

  size_t size() const { return table_ ? table_->size() : lp_.size() / 2; }
  bool empty() const { return table_ ? table_->empty() : lp_.empty(); }
  Encoding encoding() const { return table_ ? Encoding::kHashtable : Encoding::kListpack; }
  bool is_listpack() const { return table_ == nullptr; }
  // The listpack while listpack-encoded (RDB writes it as it is), else nullptr.
  const Listpack* listpack() const { return table_ ? nullptr : &lp_; }
  // Heap bytes owned, including the object itself.
  size_t MemoryUsage() const;
  // MEMORY USAGE, in allocator size classes. Both encodings know their size exactly in O(1)
  // (the listpack's allocation; the table's bucket arrays and running node total), so unlike
  // Redis no sampling is needed and `samples` does not change the answer.
  size_t MemoryUsage(size_t samples) const;

  // The value of `field` viewed in place (a listpack integer is printed into buf, kIntBufSize
  // bytes); nullopt when absent. No allocation, no copy of a string value.
  std::optional<std::string_view> Get(std::string_view field, char* buf) const;
  bool Contains(std::string_view field) const;

  // Sets field to value, converting as Redis does (see the top of this file). Returns true when
  // the field is new.
  bool Set(std::string_view field, std::string_view value, const EncodingLimits& limits);
  // Removes field; false when it was absent.
  bool Delete(std::string_view field);
  // Converts a listpack to a hashtable (a no-op on a hashtable).
  void ConvertToHashtable();

  // fn(std::string_view field, std::string_view value) for every pair: insertion order for a
  // listpack, table order for a hashtable. fn must not modify the hash.
  template <class Fn>
  void ForEach(Fn&& fn) const {
    if (table_) {
      table_->ForEach([&](const HashNode& n) { fn(n.field(), n.value()); });
      return;
    }
    char fbuf[kIntBufSize];
    char vbuf[kIntBufSize];
    for (Listpack::Pos p = lp_.First(); p != Listpack::kNone;) {
      const Listpack::Pos v = lp_.Next(p);
      fn(lp_.Get(p).View(fbuf), lp_.Get(v).View(vbuf));
      p = lp_.Next(v);
    }
  }
  // Same, with the stored form (a listpack integer stays an integer, so the reply can print it
  // without the callback juggling buffers).
  template <class Fn>
  void ForEachRef(Fn&& fn) const {
    if (table_) {
      table_->ForEach([&](const HashNode& n) { fn(Ref(n)); });
      return;
    }
    for (Listpack::Pos p = lp_.First(); p != Listpack::kNone;) {
      const Listpack::Pos v = lp_.Next(p);
      fn(HashEntryRef{lp_.Get(p), lp_.Get(v)});
      p = lp_.Next(v);
    }
  }
  // Every pair in ForEach order, appended to out (HRANDFIELD's sampling works on these).
  void CollectRefs(std::vector<HashEntryRef>& out) const;

  // One step of HSCAN (Redis scanGenericCommand): a listpack reports everything and returns 0;
  // a hashtable scans buckets until `count` strings were seen (fields and values both count, as
  // in Redis's reply list) or 10 * count buckets were visited, and returns the next cursor.
  // fn(const HashEntryRef&); the refs stay valid until the hash is next modified.
  template <class Fn>
  uint64_t Scan(uint64_t cursor, size_t count, Fn&& fn) const {
    if (!table_) {
      ForEachRef(fn);
      return 0;
    }
    size_t seen = 0;
    size_t max_iterations = count * 10;
    do {
      cursor = table_->Scan(cursor, [&](const HashNode& n) {
        seen += 2;
        fn(Ref(n));
      });
    } while (cursor != 0 && max_iterations-- > 0 && seen < count);
    return cursor;
  }

  // A random pair of a non-empty hash: uniform for a listpack, by bucket then chain for a
  // hashtable (as Redis picks).
  template <class Rng>
  HashEntryRef RandomEntry(Rng& rng) const {
    if (table_) return Ref(table_->RandomEntry(rng));
    const uint64_t i = static_cast<uint64_t>(rng()) % size();
    const Listpack::Pos p = lp_.Seek(static_cast<int64_t>(2 * i));
    return {lp_.Get(p), lp_.Get(lp_.Next(p))};
  }

 private:
  static HashRef Ref(std::string_view s) {
    return HashRef{s.data(), static_cast<uint32_t>(s.size()), 0};
  }
  static HashEntryRef Ref(const HashNode& n) { return {Ref(n.field()), Ref(n.value())}; }

  Listpack lp_;                 // the pairs while listpack-encoded; empty afterwards
  HashTable* table_ = nullptr;  // the hashtable once converted
};

}  // namespace baozi
