// Dict: the keyspace hash table. A chained hash table keyed by strings, built the way Redis's
// dict.c is, because SCAN's guarantees depend on exactly this layout.
//
// Layout. Bucket arrays have power-of-two sizes and a key lives in bucket hash & (size - 1), i.e.
// the low k bits of its hash for a table of 2^k buckets. Each entry is one heap node holding the
// next pointer, the value and the key's bytes inline (one allocation per key, whatever its
// length: on a cache of a million small keys the key's std::string alone would cost more). The
// table grows when size reaches the bucket count (load factor 1), to the next power of two above
// size, and shrinks when fewer than 10% of the buckets would be used, to the next power of two at
// or above size (never below 4 buckets).
//
// Incremental rehash. A resize allocates the second table and then moves one old bucket per
// Find/FindOrInsert/Erase, plus whatever RehashStep()/RehashForMicros() do from the server's
// idle hook. While rehashing, lookups check both tables and inserts go to the new one. One step
// looks at no more than 10 empty buckets per bucket it was asked to move, so a call is bounded
// even when a shrink leaves long empty runs.
//
// Why SCAN uses a reverse-binary cursor. Growing from 2^k to 2^(k+1) buckets splits bucket b into
// b and b + 2^k (the new hash bit decides); shrinking merges them back. A cursor that counted
// 0, 1, 2, ... would, after a grow, find that the halves of buckets it already visited are
// scattered across the part of the table still ahead of it, and after a shrink it would skip
// merged buckets. Instead the cursor counts with its bits reversed: it increments the highest
// masked bit and carries downwards. Write r_k(b) for the k low bits of b read backwards; the
// cursor c visits buckets in increasing r_k order, so "visited" is always {b : r_k(b) < r_k(c)}.
// For a bucket b < 2^k, r_{k+1}(b) = 2 r_k(b) and r_{k+1}(b + 2^k) = 2 r_k(b) + 1: growing
// keeps the order, both halves of a visited bucket stay behind the cursor, both halves of an
// unvisited one stay ahead, so after a grow nothing is missed or repeated. After a shrink to
// 2^(k-1), a small bucket whose r_{k-1} is below the cursor's held only entries from two big
// buckets already visited, so nothing is missed; only the bucket under the cursor can mix
// visited and unvisited entries, which is where duplicates come from. Setting every bit above
// the mask before the reversed increment makes the carry run through the masked bits only; when
// it overflows out of the lowest bit the cursor becomes 0 and the scan is complete.
//
// During a rehash an entry is in one table or the other, and may move between calls. A Scan call
// visits the small table's bucket c & m_small and then every large-table bucket whose low bits
// equal it, i.e. all buckets that small bucket splits into. In reversed order those expansions
// are consecutive, so the call advances the cursor past the whole group in both views at once.
// Whichever table an entry sits in, it lies in a group that is entirely behind or entirely ahead
// of the cursor. Entries may be reported twice (they moved, or a shrink merged buckets) but an
// entry present for the whole scan is never missed. The same reasoning shows a cursor from a
// table of any size keeps its meaning in a table of any other size, so grows, shrinks and
// rehashes between Scan calls are all safe. Scan pauses rehashing while it runs its callback so
// the chain it is walking stays put.
//
// Usage:
//   Dict<int> d;
//   *d.FindOrInsert("k").first = 5;
//   uint64_t cursor = 0;
//   do cursor = d.Scan(cursor, [&](std::string_view key, int& v) { ... }); while (cursor);
#pragma once

#include <algorithm>
#include <bit>
#include <cassert>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace baozi {

// xxh3-64 with the process-wide seed, randomized at start-up so clients cannot aim keys at one
// bucket chain.
uint64_t HashKey(std::string_view key);
uint64_t HashSeed();
// For tests. Only call it while no Dict holds entries: stored keys are not rehashed.
void SetHashSeed(uint64_t seed);

namespace dict_internal {

inline uint64_t ReverseBits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
  v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
  v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
  return std::byteswap(v);
}

}  // namespace dict_internal

template <class V>
class Dict {
 public:
  static constexpr size_t kInitialBuckets = 4;
  static constexpr size_t kMinFillPercent = 10;
  // Entries sampled by RandomEntry before picking one (Redis GETFAIR_NUM_ENTRIES).
  static constexpr size_t kFairSampleSize = 20;

  Dict() = default;
  ~Dict() { Clear(); }
  Dict(const Dict&) = delete;
  Dict& operator=(const Dict&) = delete;
  Dict(Dict&& other) noexcept { Swap(other); }
  Dict& operator=(Dict&& other) noexcept {
    if (this != &other) {
      Clear();
      Swap(other);
    }
    return *this;
  }

  size_t size() const { return tables_[0].used + tables_[1].used; }
  bool empty() const { return size() == 0; }
  // Buckets in both tables (Redis dictSlots).
  size_t bucket_count() const { return tables_[0].size + tables_[1].size; }
  bool IsRehashing() const { return rehash_idx_ >= 0; }

  V* Find(std::string_view key) {
    if (empty()) return nullptr;
    StepIfRehashing();
    Node* n = FindNode(key, HashKey(key));
    return n ? &n->value : nullptr;
  }
  const V* Find(std::string_view key) const {
    const Node* n = FindNode(key, HashKey(key));
    return n ? &n->value : nullptr;
  }
  // Key and value of an existing entry; {"", nullptr} when absent.
  std::pair<std::string_view, V*> FindEntry(std::string_view key) {
    if (empty()) return {std::string_view(), nullptr};
    StepIfRehashing();
    Node* n = FindNode(key, HashKey(key));
    if (n == nullptr) return {std::string_view(), nullptr};
    return {n->key(), &n->value};
  }
  // The stored key (valid while the entry lives); nullopt when absent.
  std::optional<std::string_view> FindKey(std::string_view key) const {
    const Node* n = FindNode(key, HashKey(key));
    if (n == nullptr) return std::nullopt;
    return n->key();
  }

  // The value slot for key; a new entry's value is V(args...).
  template <class... Args>
  std::pair<V*, bool> TryEmplace(std::string_view key, Args&&... args) {
    assert(pause_rehash_ == 0 && "Dict modified from inside Scan/ForEach");
    StepIfRehashing();
    const uint64_t h = HashKey(key);
    if (Node* n = FindNode(key, h)) return {&n->value, false};
    GrowIfNeeded();
    Table& t = tables_[IsRehashing() ? 1 : 0];
    Node*& head = t.buckets[h & (t.size - 1)];
    head = NewNode(head, key, std::forward<Args>(args)...);
    ++t.used;
    node_bytes_ += NodeBytes(key.size());
    return {&head->value, true};
  }
  std::pair<V*, bool> FindOrInsert(std::string_view key) { return TryEmplace(key); }

  bool Erase(std::string_view key) {
    return EraseWith(key, [](V&) {});
  }
  // Erases in one lookup what Find + Erase would do in two: before_erase(value) sees the entry
  // just before it goes. `key` may view the stored key itself.
  template <class Fn>
  bool EraseWith(std::string_view key, Fn&& before_erase) {
    Node* n = Unlink(key);
    if (n == nullptr) return false;
    before_erase(n->value);
    DeleteNode(n);
    ShrinkIfNeeded();
    return true;
  }
  std::optional<V> Extract(std::string_view key) {
    Node* n = Unlink(key);
    if (n == nullptr) return std::nullopt;
    std::optional<V> out(std::move(n->value));
    DeleteNode(n);
    ShrinkIfNeeded();
    return out;
  }

  void Clear() {
    assert(pause_rehash_ == 0 && "Dict modified from inside Scan/ForEach");
    for (Table& t : tables_) {
      for (size_t i = 0; i < t.size; ++i) {
        for (Node* n = t.buckets[i]; n != nullptr;) {
          Node* next = n->next;
          FreeNode(n);
          n = next;
        }
      }
      t = Table{};
    }
    rehash_idx_ = -1;
    node_bytes_ = 0;
  }

  void Swap(Dict& other) noexcept {
    std::swap(tables_[0], other.tables_[0]);
    std::swap(tables_[1], other.tables_[1]);
    std::swap(rehash_idx_, other.rehash_idx_);
    std::swap(node_bytes_, other.node_bytes_);
    std::swap(pause_rehash_, other.pause_rehash_);
  }

  // Sizes the table for n entries ahead of bulk loading (Redis dictExpand). Returns false if a
  // rehash is in progress or the table is already that large.
  bool Reserve(size_t n) {
    if (n <= tables_[0].size) return false;
    return Resize(n);
  }

  // Starts a shrink if fewer than 10% of the buckets would be used. No-op while rehashing.
  void ShrinkIfNeeded() {
    if (IsRehashing() || pause_rehash_ != 0) return;
    const Table& t = tables_[0];
    if (t.size > kInitialBuckets && t.used * 100 / t.size < kMinFillPercent) Resize(t.used);
  }

  // Moves up to n buckets to the new table, visiting at most 10 * n empty ones. Returns true if
  // the rehash is still in progress.
  bool RehashStep(int n) {
    if (!IsRehashing() || pause_rehash_ != 0) return IsRehashing();
    Table& from = tables_[0];
    Table& to = tables_[1];
    size_t empty_visits = static_cast<size_t>(n) * 10;
    while (n-- > 0 && from.used != 0) {
      // used != 0 guarantees a non-empty bucket at or after rehash_idx_.
      while (from.buckets[rehash_idx_] == nullptr) {
        ++rehash_idx_;
        if (--empty_visits == 0) return true;
      }
      for (Node* node = from.buckets[rehash_idx_]; node != nullptr;) {
        Node* next = node->next;
        Node*& head = to.buckets[HashKey(node->key()) & (to.size - 1)];
        node->next = head;
        head = node;
        --from.used;
        ++to.used;
        node = next;
      }
      from.buckets[rehash_idx_] = nullptr;
      ++rehash_idx_;
    }
    if (from.used != 0) return true;
    tables_[0] = std::move(tables_[1]);
    tables_[1] = Table{};
    rehash_idx_ = -1;
    return false;
  }

  // Rehashes in steps of 100 buckets until `microseconds` have passed (checked between steps).
  // Returns true if still rehashing.
  bool RehashForMicros(int64_t microseconds) {
    if (!IsRehashing() || pause_rehash_ != 0) return IsRehashing();
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::microseconds(microseconds);
    while (RehashStep(100)) {
      if (std::chrono::steady_clock::now() >= deadline) break;
    }
    return IsRehashing();
  }

  // Visits the bucket chains at `cursor` (see the essay above) and returns the next cursor; 0
  // when the scan is complete. fn(std::string_view key, V& value) may read this Dict (Find
  // does not rehash meanwhile) but must not modify it.
  template <class Fn>
  uint64_t Scan(uint64_t cursor, Fn&& fn) {
    if (empty()) return 0;
    PauseRehash pause(this);
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
    // Every large bucket that small bucket splits into; the bits in large_mask but not in
    // small_mask enumerate them, and they are consecutive in reversed order.
    do {
      VisitBucket(*large, cursor & large_mask, fn);
      cursor = NextCursor(cursor, large_mask);
    } while ((cursor & (small_mask ^ large_mask)) != 0);
    return cursor;
  }

  // fn(std::string_view key, V& value) for every entry; fn must not modify this Dict.
  template <class Fn>
  void ForEach(Fn&& fn) {
    PauseRehash pause(this);
    for (const Table& t : tables_) {
      for (size_t i = 0; i < t.size; ++i) VisitBucket(t, i, fn);
    }
  }
  template <class Fn>
  void ForEach(Fn&& fn) const {
    for (const Table& t : tables_) {
      for (size_t i = 0; i < t.size; ++i) {
        for (const Node* n = t.buckets[i]; n != nullptr; n = n->next) {
          fn(n->key(), static_cast<const V&>(n->value));
        }
      }
    }
  }

  // Up to `count` entries from a random stretch of buckets, for eviction-style sampling (Redis
  // dictGetSomeKeys): cheap, not uniform, and may report fewer than asked even when the Dict
  // holds more. Calls fn(std::string_view key, V& value) for each; returns how many.
  template <class Rng, class Fn>
  size_t SampleEntries(Rng& rng, size_t count, Fn&& fn) {
    PauseRehash pause(this);
    return SampleNodes(rng, count, [&](Node* n) { fn(n->key(), n->value); });
  }

  // A random entry, close enough to uniform for RANDOMKEY and eviction (Redis
  // dictGetFairRandomKey): pick uniformly among a sample of up to 20 entries, falling back to a
  // random non-empty bucket's random chain element. {nullptr, nullptr} when empty.
  template <class Rng>
  std::pair<std::string_view, V*> RandomEntry(Rng& rng) {
    if (empty()) return {std::string_view(), nullptr};
    Node* sample[kFairSampleSize];
    size_t found = 0;
    SampleNodes(rng, kFairSampleSize, [&](Node* n) { sample[found++] = n; });
    Node* n = found != 0 ? sample[static_cast<uint64_t>(rng()) % found] : AnyNode(rng);
    return {n->key(), &n->value};
  }

  // The key of the entry whose value is *v, which must live in a Dict<V>: nodes never move, so
  // a pointer to a value is a stable handle on its entry (the expiry wheel keeps such pointers).
  static std::string_view KeyOf(const V* v) {
    const char* p = reinterpret_cast<const char*>(v) - offsetof(Node, value);
    return reinterpret_cast<const Node*>(p)->key();
  }

  // The size of the one allocation holding an entry whose key has `key_len` bytes, and the part
  // of it that is not key bytes (MEMORY USAGE / MEMORY STATS).
  static size_t EntryBytes(size_t key_len) { return NodeBytes(key_len); }
  static size_t EntryHeaderBytes() { return offsetof(Node, key_start); }

  // Approximate bytes: bucket arrays (one pointer per bucket) and the nodes with their inline
  // keys (values' own heap storage is the caller's to count).
  size_t MemoryUsage() const {
    return sizeof(*this) + bucket_count() * sizeof(Node*) + node_bytes_;
  }

 private:
  // One allocation per entry: the chain link, the value, then the key's bytes right after its
  // length (no std::string object, no second allocation for long keys).
  struct Node {
    Node* next;
    [[no_unique_address]] V value;  // an empty V (sets) takes no space
    uint32_t key_len;
    char key_start[4];  // the key continues past the end of the struct

    std::string_view key() const { return {key_start, key_len}; }
  };

  static size_t NodeBytes(size_t key_len) {
    // offsetof on a Node whose V is not standard-layout is conditionally supported; g++ and
    // clang both support it (the layout is the plain struct's) but clang warns.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"
    return std::max(sizeof(Node), offsetof(Node, key_start) + key_len);
#pragma GCC diagnostic pop
  }
  template <class... Args>
  static Node* NewNode(Node* next, std::string_view key, Args&&... args) {
    void* mem = ::operator new(NodeBytes(key.size()));
    Node* n =
        new (mem) Node{next, V(std::forward<Args>(args)...), static_cast<uint32_t>(key.size()), {}};
    std::memcpy(n->key_start, key.data(), key.size());
    return n;
  }
  static void FreeNode(Node* n) {
    n->~Node();
    ::operator delete(static_cast<void*>(n));
  }

  struct Table {
    std::unique_ptr<Node*[]> buckets;
    size_t size = 0;  // 0 or a power of two
    size_t used = 0;
  };

  // Rehash steps move chains; keep them still while a caller's callback runs between links.
  class PauseRehash {
   public:
    explicit PauseRehash(Dict* d) : d_(d) { ++d_->pause_rehash_; }
    ~PauseRehash() { --d_->pause_rehash_; }
    PauseRehash(const PauseRehash&) = delete;
    PauseRehash& operator=(const PauseRehash&) = delete;

   private:
    Dict* d_;
  };

  static uint64_t NextCursor(uint64_t cursor, uint64_t mask) {
    cursor |= ~mask;  // so the carry runs through the masked bits only
    cursor = dict_internal::ReverseBits(cursor);
    ++cursor;
    return dict_internal::ReverseBits(cursor);
  }

  template <class Fn>
  static void VisitBucket(const Table& t, uint64_t idx, Fn& fn) {
    for (Node* n = t.buckets[idx]; n != nullptr;) {
      Node* next = n->next;
      fn(n->key(), n->value);
      n = next;
    }
  }

  void StepIfRehashing() {
    if (IsRehashing() && pause_rehash_ == 0) RehashStep(1);
  }

  Node* FindNode(std::string_view key, uint64_t h) const {
    if (empty()) return nullptr;
    const int last = IsRehashing() ? 1 : 0;
    for (int i = 0; i <= last; ++i) {
      const Table& t = tables_[i];
      for (Node* n = t.buckets[h & (t.size - 1)]; n != nullptr; n = n->next) {
        if (n->key() == key) return n;
      }
    }
    return nullptr;
  }

  Node* Unlink(std::string_view key) {
    assert(pause_rehash_ == 0 && "Dict modified from inside Scan/ForEach");
    if (empty()) return nullptr;
    StepIfRehashing();
    const uint64_t h = HashKey(key);
    const int last = IsRehashing() ? 1 : 0;
    for (int i = 0; i <= last; ++i) {
      Table& t = tables_[i];
      for (Node** link = &t.buckets[h & (t.size - 1)]; *link != nullptr; link = &(*link)->next) {
        Node* n = *link;
        if (n->key() == key) {
          *link = n->next;
          --t.used;
          return n;
        }
      }
    }
    return nullptr;
  }

  void DeleteNode(Node* n) {
    node_bytes_ -= NodeBytes(n->key_len);
    FreeNode(n);
  }

  void GrowIfNeeded() {
    if (IsRehashing()) return;
    const Table& t = tables_[0];
    if (t.size == 0) {
      Resize(kInitialBuckets);
    } else if (t.used >= t.size) {
      Resize(t.used + 1);
    }
  }

  // Allocates a table of the next power of two >= max(want, 4) and starts rehashing into it
  // (or installs it directly when there is no table yet).
  bool Resize(size_t want) {
    if (IsRehashing() || tables_[0].used > want) return false;
    size_t buckets = kInitialBuckets;
    while (buckets < want && buckets < (size_t{1} << 62)) buckets <<= 1;
    if (buckets == tables_[0].size) return false;
    Table fresh;
    fresh.buckets = std::make_unique<Node*[]>(buckets);
    fresh.size = buckets;
    if (tables_[0].size == 0) {
      tables_[0] = std::move(fresh);
      return true;
    }
    tables_[1] = std::move(fresh);
    rehash_idx_ = 0;
    return true;
  }

  template <class Rng, class Fn>
  size_t SampleNodes(Rng& rng, size_t count, Fn&& fn) {
    if (count > size()) count = size();
    if (count == 0) return 0;
    for (size_t j = 0; j < count && IsRehashing(); ++j) StepIfRehashing();
    const int tables = IsRehashing() ? 2 : 1;
    uint64_t max_mask = tables_[0].size - 1;
    if (tables == 2 && tables_[1].size - 1 > max_mask) max_mask = tables_[1].size - 1;
    uint64_t i = static_cast<uint64_t>(rng()) & max_mask;
    size_t empty_run = 0;
    size_t stored = 0;
    size_t max_steps = count * 10;
    // Each sampled entry is a cache miss (a random node), and the bucket run is read first. The
    // chains' first nodes do not depend on one another, so they are prefetched as they are
    // found and visited in batches: the misses overlap instead of queueing one behind the
    // other, which is most of what sampling costs on a table larger than the cache.
    constexpr size_t kBatch = 16;
    Node* heads[kBatch];
    size_t batched = 0;
    auto visit_batch = [&]() {
      for (size_t b = 0; b < batched; ++b) {
        for (Node* n = heads[b]; n != nullptr; n = n->next) {
          fn(n);
          if (++stored == count) return true;
        }
      }
      batched = 0;
      return false;
    };
    while (stored + batched < count && max_steps-- > 0) {
      for (int j = 0; j < tables; ++j) {
        // Old-table buckets below rehash_idx_ are already empty.
        if (tables == 2 && j == 0 && i < static_cast<uint64_t>(rehash_idx_)) {
          if (i >= tables_[1].size) {
            i = static_cast<uint64_t>(rehash_idx_);
          } else {
            continue;
          }
        }
        const Table& t = tables_[j];
        if (i >= t.size) continue;
        Node* n = t.buckets[i];
        if (n == nullptr) {
          // A long empty run: jump elsewhere rather than crawl through a sparse stretch.
          if (++empty_run >= 5 && empty_run > count) {
            i = static_cast<uint64_t>(rng()) & max_mask;
            empty_run = 0;
          }
          continue;
        }
        empty_run = 0;
        __builtin_prefetch(n);
        heads[batched++] = n;
        if (batched == kBatch && visit_batch()) return stored;
      }
      i = (i + 1) & max_mask;
    }
    visit_batch();
    return stored;
  }

  // A random non-empty bucket (both tables' live ranges), then a random element of its chain.
  template <class Rng>
  Node* AnyNode(Rng& rng) {
    Node* head = nullptr;
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
    for (Node* n = head; n != nullptr; n = n->next) ++len;
    size_t pick = static_cast<uint64_t>(rng()) % len;
    while (pick-- > 0) head = head->next;
    return head;
  }

  Table tables_[2];
  int64_t rehash_idx_ = -1;  // next old-table bucket to move; -1 when not rehashing
  size_t node_bytes_ = 0;    // allocated node bytes, for MemoryUsage
  int pause_rehash_ = 0;
};

}  // namespace baozi
