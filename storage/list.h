// ListObject: Redis 7.0's quicklist, a doubly linked list of listpack nodes.
//
// A list is a chain of nodes, each owning one Listpack of consecutive elements. The ends of the
// list are the ends of the head and tail listpacks, so a push or pop touches one node and costs
// what a listpack append/delete at its end costs; an index walks whole nodes by their element
// count (kept in each listpack's header) from whichever end is nearer, then seeks inside one
// node. Nodes stay small so that an insert or delete in the middle moves at most one node's
// bytes.
//
// How big a node may grow is the list's fill factor, list-max-listpack-size when the list was
// created, with Redis's rules (quicklist.c) so that node boundaries, and so memory, come out as
// Redis's do:
//   - fill -1..-5: a node's listpack may grow to 4, 8, 16, 32 or 64 KB; the size checked is
//     the current size plus the new element plus 8 bytes of estimated entry overhead;
//   - fill > 0: at most `fill` entries per node, but never past 8 KB (SIZE_SAFETY_LIMIT);
//   - an element of 1 GB or more (packed_threshold) always gets a node of its own, which
//     nothing is ever inserted into or merged with (Redis's "plain" node; here it is a listpack
//     of one entry, recognisable by its size).
// A push that does not fit the end node starts a new node. An insert in the middle of a full
// node uses the neighbour when the insert is at the node's edge and the neighbour has room,
// otherwise splits the node at the insert point; after a split the nodes around it are merged
// pairwise where the merged listpack would still fit (Redis's _quicklistMergeNodes). Deletes
// never merge; a node that empties is freed. Nodes are always plain listpacks: Redis's LZF
// compression of inner nodes (list-compress-depth) trades CPU for memory that these lists
// already undercut, so the parameter is deliberately absent.
//
// Reading goes through a Cursor (node + listpack position) that steps forwards or backwards
// without seeking again, so a range reply walks the listpack bytes once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/listpack.h"
#include "storage/value.h"

namespace baozi {

class ListObject {
 private:
  struct Node {
    Node* prev = nullptr;
    Node* next = nullptr;
    Listpack lp;
  };

 public:
  enum class Where : uint8_t { kHead, kTail };

  // Elements this long or longer get a node of their own (quicklist's packed_threshold).
  static constexpr size_t kPackedThreshold = size_t{1} << 30;
  // The node limit used for positive fill factors.
  static constexpr size_t kSizeSafetyLimit = 8192;

  // `fill` is list-max-listpack-size; clamped to -5..32767 as Redis does.
  explicit ListObject(int fill = -2);
  ListObject(const ListObject& o);  // deep copy (COPY), same node layout
  ListObject& operator=(const ListObject&) = delete;
  ~ListObject();

  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  Encoding encoding() const { return Encoding::kQuicklist; }
  // Heap bytes owned, including the object itself.
  size_t MemoryUsage() const;
  // MEMORY USAGE's estimate, in allocator size classes: the object, plus the average of the
  // first `samples` nodes (node and listpack) times the node count, as Redis samples quicklist
  // nodes. samples >= node_count() walks every node and is exact.
  size_t MemoryUsage(size_t samples) const;
  int fill() const { return fill_; }
  size_t node_count() const { return nodes_; }

  // A read position. Valid until the list is modified.
  class Cursor {
   public:
    Cursor() = default;
    bool valid() const { return node_ != nullptr; }
    LpEntry entry() const { return node_->lp.Get(pos_); }
    // The element as a string; integers are printed into `buf` (kIntBufSize bytes).
    std::string_view View(char* buf) const { return entry().View(buf); }
    bool Equals(std::string_view s) const { return node_->lp.Equals(pos_, s); }
    void Next() {
      pos_ = node_->lp.Next(pos_);
      if (pos_ == Listpack::kNone) {
        node_ = node_->next;
        if (node_ != nullptr) pos_ = node_->lp.First();
      }
    }
    void Prev() {
      pos_ = node_->lp.Prev(pos_);
      if (pos_ == Listpack::kNone) {
        node_ = node_->prev;
        if (node_ != nullptr) pos_ = node_->lp.Last();
      }
    }
    void Step(Where towards) { towards == Where::kTail ? Next() : Prev(); }

   private:
    friend class ListObject;
    Cursor(const Node* n, Listpack::Pos p) : node_(n), pos_(p) {}
    const Node* node_ = nullptr;
    Listpack::Pos pos_ = Listpack::kNone;
  };

  // The element at `index` (negative counts from the tail); an invalid cursor when out of range.
  Cursor Seek(int64_t index) const;
  Cursor Front() const {
    Cursor c;
    if (head_ != nullptr) c = Cursor(head_, head_->lp.First());
    return c;
  }
  Cursor Back() const {
    Cursor c;
    if (tail_ != nullptr) c = Cursor(tail_, tail_->lp.Last());
    return c;
  }

  // Pushes one element at either end.
  void Push(std::string_view v, Where where);
  void PushHead(std::string_view v) { Push(v, Where::kHead); }
  void PushTail(std::string_view v) { Push(v, Where::kTail); }

  // Pops one element. `fn(std::string_view)` sees it before it is deleted; the view must not be
  // kept, and the list must not be touched inside fn. Returns false when the list is empty.
  template <class Fn>
  bool Pop(Where where, Fn&& fn) {
    if (count_ == 0) return false;
    Cursor c = where == Where::kHead ? Front() : Back();
    char buf[kIntBufSize];
    fn(c.View(buf));
    PopDiscard(where);
    return true;
  }
  // Pops and returns a copy (LMOVE, whose destination may be this very list).
  std::string PopString(Where where);
  // Pops min(n, size()) elements from one end; fn sees them in pop order (outermost first).
  // Returns the number popped.
  template <class Fn>
  size_t PopMany(Where where, size_t n, Fn&& fn) {
    if (n > count_) n = count_;
    ForRange(where == Where::kHead ? 0 : -1, n, where == Where::kHead ? Where::kTail : Where::kHead,
             fn);
    if (where == Where::kHead) {
      DeleteRange(0, n);
    } else {
      DeleteRange(-static_cast<int64_t>(n), n);
    }
    return n;
  }

  // Visits up to `n` elements starting at `index`, stepping towards `towards`; fn(string_view).
  template <class Fn>
  void ForRange(int64_t index, size_t n, Where towards, Fn&& fn) const {
    char buf[kIntBufSize];
    Cursor c = index == 0 ? Front() : index == -1 ? Back() : Seek(index);
    for (; n > 0 && c.valid(); --n, c.Step(towards)) fn(c.View(buf));
  }
  // Head to tail; fn(std::string_view).
  template <class Fn>
  void ForEach(Fn&& fn) const {
    ForRange(0, count_, Where::kTail, fn);
  }

  // Replaces the element at `index`; false when out of range.
  bool Set(int64_t index, std::string_view v);
  // Inserts `v` before (or after) the first element equal to `pivot`, searching from the head.
  // False when there is no such element.
  bool InsertNear(std::string_view pivot, std::string_view v, bool after);
  // Removes elements equal to `v`, at most `limit` of them (0 = all), scanning from `from`.
  // Returns the number removed.
  size_t Remove(std::string_view v, uint64_t limit, Where from);
  // Deletes `n` elements starting at `start` (negative counts from the tail), clamped to the
  // list as quicklistDelRange clamps.
  void DeleteRange(int64_t start, size_t n);

  // The nodes' listpacks head to tail (RDB writes them as they are); fn(const Listpack&).
  template <class Fn>
  void ForEachNode(Fn&& fn) const {
    for (const Node* n = head_; n != nullptr; n = n->next) fn(n->lp);
  }
  // Adopts a whole listpack as a new tail node (RDB load); an empty one is dropped.
  void AppendListpack(Listpack lp);

 private:
  static bool IsLarge(size_t sz) { return sz >= kPackedThreshold; }
  static bool IsPlain(const Node* n) { return n->lp.bytes() >= kPackedThreshold; }
  bool SizeMeetsOptimization(size_t sz) const;
  bool AllowInsert(const Node* n, size_t sz) const;
  bool AllowMerge(const Node* a, const Node* b) const;

  // Links `n` next to `old` (after or before it); with old == nullptr the list must be empty.
  void LinkNode(Node* old, Node* n, bool after);
  void UnlinkNode(Node* n);  // and frees it; adjusts count_
  Node* NewNode(std::string_view v);
  // The node holding element `index` (0-based from the head) and the offset inside it.
  Node* Locate(size_t index, size_t* offset) const;
  // Same for an index that may be negative (from the tail); nullptr when out of range.
  Node* LocateIndex(int64_t index, size_t* offset) const;
  static Listpack::Pos SeekInNode(const Node* n, size_t offset);
  void PopDiscard(Where where);
  // Deletes the entry at `pos` of node `n`, freeing the node when it empties.
  void DeleteAt(Node* n, Listpack::Pos pos);
  // quicklist's _quicklistInsert: `v` before/after the entry at (n, pos), `offset` its index in n.
  void InsertAt(Node* n, Listpack::Pos pos, size_t offset, std::string_view v, bool after);
  Node* Split(Node* n, size_t offset, bool after);
  Node* Merge(Node* a, Node* b);
  void MergeAround(Node* center);

  Node* head_ = nullptr;
  Node* tail_ = nullptr;
  size_t count_ = 0;  // elements
  uint32_t nodes_ = 0;
  int16_t fill_;
};

}  // namespace baozi
