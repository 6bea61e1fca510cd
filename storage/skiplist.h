// SkipList and MemberIndex: the two halves of a big sorted set (Redis's "skiplist" encoding).
//
// SkipList keeps (score, member) pairs ordered by score, then by member bytes, with span counts
// for O(log n) rank queries and a backward pointer for reverse walks (ZREVRANGE). MemberIndex
// maps a member to its node, so ZSCORE and ZRANK find an element without a walk. Both are
// described in skiplist.cc.
//
//   SkipList sl;
//   MemberIndex idx;
//   SkipList::Node* n = sl.Insert(1.5, "a");
//   idx.Insert(n);
//   sl.Rank(n);                    // 1
//   idx.Find("a")->score();        // 1.5
//   sl.UpdateScore(n, 3);          // same node, new place
//   idx.Erase(n); sl.Erase(n);     // always unlink from the index before freeing
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace baozi {

// A score interval for ZRANGEBYSCORE & co.; either end may be open ("(1.5").
struct ZScoreRange {
  double min = 0;
  double max = 0;
  bool minex = false;
  bool maxex = false;

  bool GteMin(double v) const { return minex ? v > min : v >= min; }
  bool LteMax(double v) const { return maxex ? v < max : v <= max; }
  // True when no score can lie inside (Redis checks this before walking).
  bool Empty() const { return min > max || (min == max && (minex || maxex)); }
};

// A member interval for ZRANGEBYLEX & co. An end is a value (inclusive "[a" or exclusive "(a")
// or one of the sentinels "-" (below every string) and "+" (above every string).
struct ZLexRange {
  enum class Edge : uint8_t { kValue, kMinusInf, kPlusInf };
  std::string_view min;
  std::string_view max;
  Edge min_edge = Edge::kValue;
  Edge max_edge = Edge::kValue;
  bool minex = false;
  bool maxex = false;

  bool GteMin(std::string_view v) const {
    int c = CompareToEdge(v, min_edge, min);
    return minex ? c > 0 : c >= 0;
  }
  bool LteMax(std::string_view v) const {
    int c = CompareToEdge(v, max_edge, max);
    return maxex ? c < 0 : c <= 0;
  }
  bool Empty() const;

 private:
  static int CompareToEdge(std::string_view v, Edge e, std::string_view bound) {
    if (e == Edge::kMinusInf) return 1;
    if (e == Edge::kPlusInf) return -1;
    return v.compare(bound);
  }
};

// Parses ZRANGEBYSCORE-style bounds ("1", "(1", "-inf", "+inf"); false when either is not a
// float (Redis: "min or max is not a float").
bool ParseScoreRange(std::string_view min, std::string_view max, ZScoreRange* out);
// Parses ZRANGEBYLEX-style bounds ("[a", "(a", "-", "+"); false when invalid (Redis: "min or
// max not valid string range item"). The views point into the arguments.
bool ParseLexRange(std::string_view min, std::string_view max, ZLexRange* out);

class SkipList {
 public:
  static constexpr int kMaxLevel = 32;

  // One element: score, backward link and height, then `height` forward pointers, `height`
  // spans and the member's bytes, all in one allocation.
  class Node {
   public:
    double score() const { return score_; }
    std::string_view member() const { return {MemberBytes(), len_}; }
    Node* next() const { return Forward()[0]; }
    Node* prev() const { return backward_; }
    int height() const { return height_; }

   private:
    friend class SkipList;
    Node** Forward() { return reinterpret_cast<Node**>(this + 1); }
    Node* const* Forward() const { return reinterpret_cast<Node* const*>(this + 1); }
    uint32_t* Span() { return reinterpret_cast<uint32_t*>(Forward() + height_); }
    const uint32_t* Span() const { return reinterpret_cast<const uint32_t*>(Forward() + height_); }
    char* MemberBytes() { return reinterpret_cast<char*>(Span() + height_); }
    const char* MemberBytes() const { return reinterpret_cast<const char*>(Span() + height_); }

    double score_;
    Node* backward_;
    uint32_t len_;
    uint8_t height_;
  };

  SkipList();
  ~SkipList();
  SkipList(const SkipList& o);  // deep copy, same order (O(n))
  SkipList& operator=(const SkipList&) = delete;

  size_t size() const { return length_; }
  bool empty() const { return length_ == 0; }
  Node* first() const { return head_->Forward()[0]; }
  Node* last() const { return tail_; }

  // Inserts a member that is not present (the caller checks the index).
  Node* Insert(double score, std::string_view member);
  // Appends a member that sorts after every present one (copies, loading sorted data).
  Node* Append(double score, std::string_view member);
  // Unlinks and frees the node.
  void Erase(Node* n);
  // Gives the node a new score and moves it to its new place. The node's address does not
  // change, so an index pointing at it stays valid.
  void UpdateScore(Node* n, double score);

  // 1-based rank of a node in the list.
  size_t Rank(const Node* n) const;
  // The node at a 1-based rank, nullptr when out of range.
  Node* AtRank(size_t rank) const;

  // The first / last node inside the range, nullptr when none.
  Node* FirstInRange(const ZScoreRange& r) const;
  Node* LastInRange(const ZScoreRange& r) const;
  Node* FirstInRange(const ZLexRange& r) const;
  Node* LastInRange(const ZLexRange& r) const;
  // Unlinks a run of nodes and returns it as a chain (walk it with next() until nullptr, free
  // each with FreeNode after dropping it from any index). `*count` receives its length.
  Node* DetachRange(const ZScoreRange& r, size_t* count);
  Node* DetachRange(const ZLexRange& r, size_t* count);
  Node* DetachRankRange(size_t start, size_t end, size_t* count);  // 1-based, inclusive
  static void FreeNode(Node* n);

  // Heap bytes of the header node and every element node.
  size_t MemoryUsage() const { return bytes_; }
  // Checks ordering, spans, backward links, length and level (tests).
  bool CheckInvariants() const;

 private:
  static Node* NewNode(int height, double score, std::string_view member);
  static size_t NodeBytes(int height, size_t member_len);
  static int RandomLevel();
  static bool Less(const Node* n, double score, std::string_view member) {
    return n->score_ < score || (n->score_ == score && n->member() < member);
  }
  // Fills update[] with the last node before `n` at every level.
  void FindPredecessors(const Node* n, Node** update) const;
  void Unlink(Node* n, Node** update);
  void Link(Node* x, Node** update, const uint64_t* rank);
  template <class Before, class Inside>
  Node* DetachWhile(Before before, Inside inside, size_t* count);
  // Finds where (score, member) belongs: update[] and the rank of each update[i].
  void FindInsertPoint(double score, std::string_view member, Node** update, uint64_t* rank) const;

  Node* head_;
  Node* tail_ = nullptr;
  size_t length_ = 0;
  int level_ = 1;
  size_t bytes_ = 0;
};

// An open-addressing hash table of node pointers keyed by the nodes' members: the member
// bytes are stored once, in the node. Each slot is 8 bytes: the node address in the low 48
// bits and 16 bits of the member's hash on top, which rule out almost every non-matching
// slot without touching its node. See skiplist.cc for the layout and the SCAN cursor.
class MemberIndex {
 public:
  MemberIndex() = default;
  ~MemberIndex();
  MemberIndex(const MemberIndex&) = delete;
  MemberIndex& operator=(const MemberIndex&) = delete;

  size_t size() const { return size_; }
  size_t capacity() const { return cap_; }
  SkipList::Node* Find(std::string_view member) const;
  // Adds a node whose member is not present.
  void Insert(SkipList::Node* n);
  // Removes exactly this node (which must be present).
  void Erase(const SkipList::Node* n);
  // Sizes the table for n entries.
  void Reserve(size_t n);
  void Clear();

  // Visits the home slots from `cursor` on until at least `count` entries were reported or
  // the table ends; returns the next cursor (0 = done). fn(const SkipList::Node*). An entry
  // present for the whole scan is reported at least once, across any resizes in between.
  template <class Fn>
  uint64_t Scan(uint64_t cursor, size_t count, Fn&& fn) const;

  size_t MemoryUsage() const { return cap_ * sizeof(uint64_t); }

 private:
  static constexpr int kTagShift = 48;
  static constexpr uint64_t kPtrMask = (uint64_t{1} << kTagShift) - 1;

  static SkipList::Node* NodeOf(uint64_t slot) {
    return reinterpret_cast<SkipList::Node*>(slot & kPtrMask);
  }
  static uint64_t Tag(uint64_t hash) { return hash << kTagShift; }  // low hash bits on top
  size_t Home(uint64_t hash) const {
    return static_cast<size_t>((static_cast<unsigned __int128>(hash) * cap_) >> 64);
  }
  // The smallest hash whose home is `b` (0 when b == cap_: the scan is over).
  uint64_t BucketStart(size_t b) const;
  void Rehash(size_t new_cap);
  void PlaceNew(uint64_t slot, uint64_t hash);
  size_t Next(size_t i) const { return i + 1 == cap_ ? 0 : i + 1; }

  uint64_t* slots_ = nullptr;
  size_t cap_ = 0;
  size_t size_ = 0;
};

uint64_t HashMember(std::string_view member);

template <class Fn>
uint64_t MemberIndex::Scan(uint64_t cursor, size_t count, Fn&& fn) const {
  if (size_ == 0) return 0;
  size_t reported = 0;
  size_t b = Home(cursor);
  // A cursor from a differently sized table may fall inside this bucket; entries with a hash
  // below it were reported already.
  bool filter = BucketStart(b) != cursor;
  for (;;) {
    for (size_t i = b; slots_[i] != 0; i = Next(i)) {
      const SkipList::Node* n = NodeOf(slots_[i]);
      uint64_t h = HashMember(n->member());
      if (Home(h) != b || (filter && h < cursor)) continue;
      fn(n);
      ++reported;
    }
    filter = false;
    ++b;
    if (b == cap_) return 0;
    if (reported >= count) return BucketStart(b);
  }
}

}  // namespace baozi
