// The quicklist behind LPUSH & co.; list.h explains the node layout and the fill rules.
#include "storage/list.h"

#include <algorithm>
#include <utility>

#include "storage/alloc_size.h"

namespace baozi {
namespace {

// quicklist's optimization_level: the node size limits of fill -1..-5.
constexpr size_t kOptimizationLevel[] = {4096, 8192, 16384, 32768, 65536};
// Estimated per-entry overhead (encoding byte(s) and backlen) added to an element's length when
// deciding whether it still fits a node; an overestimate keeps nodes just under the limit.
constexpr size_t kSizeEstimateOverhead = 8;
// A merge saves one listpack header and terminator; quicklist 7.0 estimates that as 11 bytes.
constexpr size_t kMergeSaving = 11;
constexpr int kFillMax = (1 << 15) - 1;

}  // namespace

ListObject::ListObject(int fill) { fill_ = static_cast<int16_t>(std::clamp(fill, -5, kFillMax)); }

ListObject::ListObject(const ListObject& o) : fill_(o.fill_) {
  for (const Node* n = o.head_; n != nullptr; n = n->next) {
    Node* copy = new Node{nullptr, nullptr, n->lp};
    LinkNode(tail_, copy, true);
  }
  count_ = o.count_;
}

ListObject::~ListObject() {
  Node* n = head_;
  while (n != nullptr) {
    Node* next = n->next;
    delete n;
    n = next;
  }
}

size_t ListObject::MemoryUsage() const {
  size_t total = sizeof(*this);
  for (const Node* n = head_; n != nullptr; n = n->next)
    total += sizeof(Node) + n->lp.MemoryUsage();
  return total;
}

size_t ListObject::MemoryUsage(size_t samples) const {
  size_t total = AllocSize(sizeof(*this));
  if (head_ == nullptr || samples == 0) return total;
  size_t bytes = 0, seen = 0;
  for (const Node* n = head_; n != nullptr && seen < samples; n = n->next, ++seen) {
    bytes += AllocSize(sizeof(Node)) + n->lp.MemoryUsage();
  }
  if (seen == nodes_) return total + bytes;
  return total + static_cast<size_t>(static_cast<double>(bytes) / seen * nodes_);
}

bool ListObject::SizeMeetsOptimization(size_t sz) const {
  if (fill_ >= 0) return false;
  size_t level = static_cast<size_t>(-fill_) - 1;
  return level < std::size(kOptimizationLevel) && sz <= kOptimizationLevel[level];
}

bool ListObject::AllowInsert(const Node* n, size_t sz) const {
  if (n == nullptr || IsLarge(sz) || IsPlain(n)) return false;
  size_t new_sz = n->lp.bytes() + sz + kSizeEstimateOverhead;
  if (SizeMeetsOptimization(new_sz)) return true;
  // A size-based fill that did not fit is final; a count-based one is also bounded by 8 KB.
  if (new_sz > kSizeSafetyLimit) return false;
  return static_cast<int>(n->lp.size()) < fill_;
}

bool ListObject::AllowMerge(const Node* a, const Node* b) const {
  if (a == nullptr || b == nullptr || IsPlain(a) || IsPlain(b)) return false;
  size_t merge_sz = a->lp.bytes() + b->lp.bytes() - kMergeSaving;
  if (SizeMeetsOptimization(merge_sz)) return true;
  if (merge_sz > kSizeSafetyLimit) return false;
  return static_cast<int>(a->lp.size() + b->lp.size()) <= fill_;
}

void ListObject::LinkNode(Node* old, Node* n, bool after) {
  if (old == nullptr) {
    n->prev = n->next = nullptr;
    head_ = tail_ = n;
  } else if (after) {
    n->prev = old;
    n->next = old->next;
    if (old->next != nullptr) old->next->prev = n;
    old->next = n;
    if (tail_ == old) tail_ = n;
  } else {
    n->next = old;
    n->prev = old->prev;
    if (old->prev != nullptr) old->prev->next = n;
    old->prev = n;
    if (head_ == old) head_ = n;
  }
  ++nodes_;
}

void ListObject::UnlinkNode(Node* n) {
  if (n->next != nullptr) n->next->prev = n->prev;
  if (n->prev != nullptr) n->prev->next = n->next;
  if (tail_ == n) tail_ = n->prev;
  if (head_ == n) head_ = n->next;
  --nodes_;
  count_ -= n->lp.size();
  delete n;
}

ListObject::Node* ListObject::NewNode(std::string_view v) {
  Node* n = new Node;
  n->lp.Append(v);
  return n;
}

ListObject::Node* ListObject::Locate(size_t index, size_t* offset) const {
  // Walk from whichever end is nearer, skipping whole nodes by their entry counts.
  if (index <= (count_ - 1) / 2) {
    size_t accum = 0;
    for (Node* n = head_; n != nullptr; n = n->next) {
      size_t c = n->lp.size();
      if (accum + c > index) {
        *offset = index - accum;
        return n;
      }
      accum += c;
    }
  } else {
    size_t from_tail = count_ - 1 - index;
    size_t accum = 0;
    for (Node* n = tail_; n != nullptr; n = n->prev) {
      size_t c = n->lp.size();
      if (accum + c > from_tail) {
        *offset = c - 1 - (from_tail - accum);
        return n;
      }
      accum += c;
    }
  }
  return nullptr;
}

ListObject::Node* ListObject::LocateIndex(int64_t index, size_t* offset) const {
  uint64_t i;
  if (index < 0) {
    uint64_t back = static_cast<uint64_t>(-(index + 1)) + 1;
    if (back > count_) return nullptr;
    i = count_ - back;
  } else {
    i = static_cast<uint64_t>(index);
    if (i >= count_) return nullptr;
  }
  return Locate(i, offset);
}

Listpack::Pos ListObject::SeekInNode(const Node* n, size_t offset) {
  // Listpack seeks from the end the index is relative to; pick the nearer one.
  size_t c = n->lp.size();
  return n->lp.Seek(offset <= c / 2 ? static_cast<int64_t>(offset)
                                    : static_cast<int64_t>(offset) - static_cast<int64_t>(c));
}

ListObject::Cursor ListObject::Seek(int64_t index) const {
  size_t offset;
  const Node* n = LocateIndex(index, &offset);
  if (n == nullptr) return Cursor();
  return Cursor(n, SeekInNode(n, offset));
}

void ListObject::Push(std::string_view v, Where where) {
  Node* end = where == Where::kHead ? head_ : tail_;
  if (AllowInsert(end, v.size())) {
    if (where == Where::kHead) {
      end->lp.Prepend(v);
    } else {
      end->lp.Append(v);
    }
  } else {
    LinkNode(end, NewNode(v), where == Where::kTail);
  }
  ++count_;
}

void ListObject::DeleteAt(Node* n, Listpack::Pos pos) {
  if (n->lp.size() == 1) {
    UnlinkNode(n);
    return;
  }
  n->lp.Delete(pos);
  --count_;
}

void ListObject::PopDiscard(Where where) {
  Node* n = where == Where::kHead ? head_ : tail_;
  DeleteAt(n, where == Where::kHead ? n->lp.First() : n->lp.Last());
}

std::string ListObject::PopString(Where where) {
  std::string out;
  Pop(where, [&](std::string_view v) { out.assign(v); });
  return out;
}

void ListObject::DeleteRange(int64_t start, size_t n) {
  if (n == 0 || count_ == 0) return;
  size_t first;
  if (start < 0) {
    uint64_t back = static_cast<uint64_t>(-(start + 1)) + 1;
    if (back > count_) return;
    first = count_ - back;
  } else {
    if (static_cast<uint64_t>(start) >= count_) return;
    first = static_cast<size_t>(start);
  }
  size_t extent = std::min(n, count_ - first);
  size_t offset;
  Node* node = Locate(first, &offset);
  while (extent > 0 && node != nullptr) {
    Node* next = node->next;
    size_t c = node->lp.size();
    size_t del = std::min(extent, c - offset);
    if (del == c) {
      UnlinkNode(node);
    } else {
      node->lp.DeleteRange(static_cast<int64_t>(offset), del);
      count_ -= del;
    }
    extent -= del;
    node = next;
    offset = 0;
  }
}

bool ListObject::Set(int64_t index, std::string_view v) {
  size_t offset;
  Node* n = LocateIndex(index, &offset);
  if (n == nullptr) return false;
  Listpack::Pos pos = SeekInNode(n, offset);
  if (!IsLarge(v.size()) && !IsPlain(n)) {
    n->lp.Replace(pos, v);
    return true;
  }
  // Redis inserts the new value after the old one and deletes the old one, so a large value
  // gets a node of its own and a small one replacing a large one gets a packed node.
  InsertAt(n, pos, offset, v, true);
  // The old entry is still at `offset` of n (the insert went after it, into n or past it).
  DeleteAt(n, n->lp.Seek(static_cast<int64_t>(offset)));
  return true;
}

bool ListObject::InsertNear(std::string_view pivot, std::string_view v, bool after) {
  for (Node* n = head_; n != nullptr; n = n->next) {
    size_t offset = 0;
    for (Listpack::Pos p = n->lp.First(); p != Listpack::kNone; p = n->lp.Next(p), ++offset) {
      if (n->lp.Equals(p, pivot)) {
        InsertAt(n, p, offset, v, after);
        return true;
      }
    }
  }
  return false;
}

size_t ListObject::Remove(std::string_view v, uint64_t limit, Where from) {
  size_t removed = 0;
  if (from == Where::kHead) {
    Node* n = head_;
    while (n != nullptr) {
      Node* next = n->next;
      Listpack::Pos p = n->lp.First();
      while (p != Listpack::kNone) {
        if (!n->lp.Equals(p, v)) {
          p = n->lp.Next(p);
          continue;
        }
        ++removed;
        if (n->lp.size() == 1) {
          UnlinkNode(n);
          p = Listpack::kNone;
        } else {
          p = n->lp.Delete(p);
          --count_;
        }
        if (removed == limit) return removed;
      }
      n = next;
    }
  } else {
    Node* n = tail_;
    while (n != nullptr) {
      Node* prev = n->prev;
      Listpack::Pos p = n->lp.Last();
      while (p != Listpack::kNone) {
        // Entries before p keep their offsets when p is deleted, so step back first.
        Listpack::Pos before = n->lp.Prev(p);
        if (n->lp.Equals(p, v)) {
          ++removed;
          if (n->lp.size() == 1) {
            UnlinkNode(n);
            before = Listpack::kNone;
          } else {
            n->lp.Delete(p);
            --count_;
          }
          if (removed == limit) return removed;
        }
        p = before;
      }
      n = prev;
    }
  }
  return removed;
}

ListObject::Node* ListObject::Split(Node* n, size_t offset, bool after) {
  // after: n keeps [0, offset], the new node takes (offset, end].
  // before: the new node takes [0, offset), n keeps [offset, end].
  Node* fresh = new Node{nullptr, nullptr, n->lp};
  size_t c = n->lp.size();
  if (after) {
    n->lp.DeleteRange(static_cast<int64_t>(offset + 1), c - offset - 1);
    fresh->lp.DeleteRange(int64_t{0}, offset + 1);
  } else {
    n->lp.DeleteRange(int64_t{0}, offset);
    fresh->lp.DeleteRange(static_cast<int64_t>(offset), c - offset);
  }
  return fresh;
}

ListObject::Node* ListObject::Merge(Node* a, Node* b) {
  // Like lpMerge, the bigger listpack stays and the smaller one's entries move into it.
  Node* keep;
  Node* gone;
  if (a->lp.bytes() >= b->lp.bytes()) {
    keep = a;
    gone = b;
    for (Listpack::Pos p = b->lp.First(); p != Listpack::kNone; p = b->lp.Next(p)) {
      LpEntry e = b->lp.Get(p);
      if (e.is_int()) {
        a->lp.AppendInt(e.ival);
      } else {
        a->lp.Append({e.str, e.len});
      }
    }
  } else {
    keep = b;
    gone = a;
    for (Listpack::Pos p = a->lp.Last(); p != Listpack::kNone; p = a->lp.Prev(p)) {
      LpEntry e = a->lp.Get(p);
      if (e.is_int()) {
        b->lp.PrependInt(e.ival);
      } else {
        b->lp.Prepend({e.str, e.len});
      }
    }
  }
  count_ += gone->lp.size();  // UnlinkNode subtracts them; they live on in `keep`
  UnlinkNode(gone);
  return keep;
}

void ListObject::MergeAround(Node* center) {
  Node* prev = center->prev;
  Node* prev_prev = prev != nullptr ? prev->prev : nullptr;
  Node* next = center->next;
  Node* next_next = next != nullptr ? next->next : nullptr;
  if (AllowMerge(prev, prev_prev)) Merge(prev_prev, prev);
  if (AllowMerge(next, next_next)) Merge(next, next_next);
  Node* target = center;
  if (AllowMerge(center, center->prev)) target = Merge(center->prev, center);
  if (AllowMerge(target, target->next)) Merge(target, target->next);
}

void ListObject::InsertAt(Node* n, Listpack::Pos pos, size_t offset, std::string_view v,
                          bool after) {
  size_t sz = v.size();
  bool full = !AllowInsert(n, sz);
  bool at_tail = after && n->lp.Next(pos) == Listpack::kNone;
  bool at_head = !after && offset == 0;
  bool avail_next = at_tail && AllowInsert(n->next, sz);
  bool avail_prev = at_head && AllowInsert(n->prev, sz);
  ++count_;
  if (IsLarge(sz)) {
    if (IsPlain(n) || at_tail || at_head) {
      LinkNode(n, NewNode(v), after);
    } else {
      Node* rest = Split(n, offset, after);
      Node* alone = NewNode(v);
      LinkNode(n, alone, after);
      LinkNode(alone, rest, after);
    }
    return;
  }
  if (!full) {
    if (after) {
      n->lp.InsertAfter(pos, v);
    } else {
      n->lp.InsertBefore(pos, v);
    }
  } else if (at_tail && avail_next) {
    n->next->lp.Prepend(v);
  } else if (at_head && avail_prev) {
    n->prev->lp.Append(v);
  } else if (at_tail || at_head) {
    LinkNode(n, NewNode(v), after);
  } else {
    Node* fresh = Split(n, offset, after);
    if (after) {
      fresh->lp.Prepend(v);
    } else {
      fresh->lp.Append(v);
    }
    LinkNode(n, fresh, after);
    MergeAround(n);
  }
}

void ListObject::AppendListpack(Listpack lp) {
  if (lp.empty()) return;
  Node* n = new Node;
  n->lp = std::move(lp);
  count_ += n->lp.size();
  LinkNode(tail_, n, true);
}

}  // namespace baozi
