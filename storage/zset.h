// ZsetObject: a sorted set in one of Redis 7.0's two encodings.
//
//  - listpack: member and score entries alternate in one Listpack, ordered by score then by
//    member bytes. A score is stored the way Redis stores it (an integer entry when it is an
//    integral value within +-2^62, else its "%.17g" text), so the bytes match Redis's and
//    -0 reads back as 0, exactly as it does in Redis. Lookups walk the pairs.
//  - skiplist: a SkipList ordered by (score, member) plus a MemberIndex from member to node
//    (storage/skiplist.h); a member's bytes live once, inside its node.
//
// A set starts as a listpack and converts to a skiplist, for good, when an insertion would
// take it past zset-max-listpack-entries elements or add a member longer than
// zset-max-listpack-value bytes (Redis's zsetAdd check, done before inserting). Creators that
// know the final size ahead (ZRANGESTORE, ZUNIONSTORE...) pass it to the sizing constructor,
// Redis's zsetTypeCreate; ConvertToListpackIfNeeded is Redis's zsetConvertToListpackIfNeeded
// for results that turn out small.
//
// Reading goes through an Iterator that walks in rank order either way from any starting
// point (a rank, the first/last element of a score or lex range):
//
//   for (auto it = z.FirstIn(range); !it.done() && range.LteMax(it.score()); it.Next())
//     Emit(it.member(), it.score());
//
// An iterator (and any member view it hands out) is valid until the set is modified.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "storage/encoding_limits.h"
#include "storage/listpack.h"
#include "storage/skiplist.h"
#include "storage/value.h"

namespace baozi {

// Redis's d2string, used for skiplist scores in ZSCAN: "inf"/"-inf", else "%.17g" (which
// keeps -0 as "-0"). Returns the length written into `buf` (kScoreBufSize bytes).
inline constexpr size_t kScoreBufSize = 32;
size_t FormatScore(double score, char* buf);

class ZsetObject {
 public:
  // ZADD's options (Redis ZADD_IN_*).
  enum AddFlag : uint32_t {
    kAddNone = 0,
    kAddIncr = 1 << 0,
    kAddNx = 1 << 1,
    kAddXx = 1 << 2,
    kAddGt = 1 << 3,
    kAddLt = 1 << 4,
  };
  // What Add did (Redis ZADD_OUT_*).
  enum class AddStatus : uint8_t {
    kNop,      // the element exists and the options kept it as it was, or XX on a missing one
    kAdded,    // a new element
    kUpdated,  // an existing element got a different score
    kSame,     // an existing element whose (possibly incremented) score is unchanged
    kNan,      // the increment produced NaN; nothing changed
  };
  struct AddResult {
    AddStatus status;
    double score;  // the element's score afterwards (kAdded, kUpdated, kSame)
  };

  // An empty listpack-encoded set.
  ZsetObject();
  // Redis zsetTypeCreate: a skiplist (its index sized for `size_hint`) when the hints already
  // exceed the listpack limits, else an empty listpack.
  ZsetObject(size_t size_hint, size_t member_len_hint, const EncodingLimits& limits);
  // Adopts a listpack of member/score pairs in order (RDB load, validated by the caller).
  explicit ZsetObject(Listpack lp);
  ZsetObject(const ZsetObject& o);  // deep copy (COPY), same encoding
  ZsetObject& operator=(const ZsetObject&) = delete;
  ~ZsetObject();

  size_t size() const;
  bool empty() const { return size() == 0; }
  Encoding encoding() const { return sl_ ? Encoding::kSkiplist : Encoding::kListpack; }
  bool is_listpack() const { return sl_ == nullptr; }
  // The listpack (RDB writes it as is); nullptr when skiplist-encoded.
  const Listpack* listpack() const { return sl_ == nullptr ? &*lp_ : nullptr; }
  // Heap bytes owned, including the object itself.
  size_t MemoryUsage() const;
  // MEMORY USAGE, in allocator size classes: exact for a listpack; for a skiplist the object,
  // the header node and the member index, plus the average of the first `samples` element
  // nodes times the element count (Redis samples skiplist nodes the same way).
  size_t MemoryUsage(size_t samples) const;

  // Redis zsetAdd: inserts or updates one element under ZADD's flags. NaN scores must not be
  // passed (the command rejects them when parsing); an increment reaching NaN gives kNan.
  AddResult Add(std::string_view member, double score, uint32_t flags,
                const EncodingLimits& limits);
  // Inserts or sets the score without options; true when the member was new.
  bool Insert(std::string_view member, double score, const EncodingLimits& limits) {
    return Add(member, score, kAddNone, limits).status == AddStatus::kAdded;
  }
  // Bulk building from sorted data (set operations, loading): adds a member that is not
  // present and sorts after every element present, without searching. Converts at the listpack
  // limits like Add.
  void AppendSorted(std::string_view member, double score, const EncodingLimits& limits);
  // Removes a member; false when absent.
  bool Remove(std::string_view member);
  std::optional<double> Score(std::string_view member) const;
  // 0-based rank counted from the lowest score (or from the highest when `reverse`).
  std::optional<size_t> Rank(std::string_view member, bool reverse) const;

  // Removes the element with the lowest (or highest) rank; the set must not be empty.
  void PopFront();
  void PopBack();
  // Removes by 0-based ranks [start, end] (ascending, in range); returns how many.
  size_t RemoveRankRange(size_t start, size_t end);
  size_t RemoveRange(const ZScoreRange& r);
  size_t RemoveRange(const ZLexRange& r);
  // Elements in a range (ZCOUNT, ZLEXCOUNT).
  size_t Count(const ZScoreRange& r) const;
  size_t Count(const ZLexRange& r) const;

  void ConvertToSkiplist();
  // Redis zsetConvertToListpackIfNeeded: back to a listpack when the set is small enough.
  // `max_member_len` and `total_member_len` describe the members (set operations track them).
  void ConvertToListpackIfNeeded(size_t max_member_len, size_t total_member_len,
                                 const EncodingLimits& limits);

  class Iterator {
   public:
    bool done() const { return lp_ ? pos_ == Listpack::kNone : node_ == nullptr; }
    // Integer-encoded listpack members are printed into the iterator itself.
    std::string_view member() const;
    double score() const;
    void Next();  // towards higher rank (higher score)
    void Prev();  // towards lower rank

   private:
    friend class ZsetObject;
    Iterator(const Listpack* lp, Listpack::Pos pos) : lp_(lp), pos_(pos) {}
    explicit Iterator(const SkipList::Node* n) : node_(n) {}

    const Listpack* lp_ = nullptr;
    Listpack::Pos pos_ = Listpack::kNone;  // the member entry
    const SkipList::Node* node_ = nullptr;
    mutable char buf_[kIntBufSize];
  };

  Iterator Begin() const;  // lowest rank
  Iterator Last() const;   // highest rank
  // 0-based ascending rank; done() when out of range.
  Iterator AtRank(size_t rank) const;
  // The lowest / highest element inside the range; done() when the range holds none.
  Iterator FirstIn(const ZScoreRange& r) const;
  Iterator LastIn(const ZScoreRange& r) const;
  Iterator FirstIn(const ZLexRange& r) const;
  Iterator LastIn(const ZLexRange& r) const;

  // fn(std::string_view member, double score) for every element in rank order.
  template <class Fn>
  void ForEach(Fn&& fn) const {
    for (Iterator it = Begin(); !it.done(); it.Next()) fn(it.member(), it.score());
  }

  // ZSCAN. A listpack reports everything at once and returns 0; a skiplist reports the index's
  // buckets from `cursor` until about `count` elements, returning the next cursor (0 = done).
  // fn(std::string_view member, std::string_view score) gets the score as Redis prints it
  // there: a listpack's stored entry as it is, a skiplist's through FormatScore.
  template <class Fn>
  uint64_t Scan(uint64_t cursor, size_t count, Fn&& fn) const {
    if (sl_ == nullptr) {
      char mbuf[kIntBufSize];
      char sbuf[kIntBufSize];
      for (Listpack::Pos p = lp_->First(); p != Listpack::kNone; p = lp_->Next(lp_->Next(p))) {
        fn(lp_->Get(p).View(mbuf), lp_->Get(lp_->Next(p)).View(sbuf));
      }
      return 0;
    }
    return sl_->index.Scan(cursor, count, [&](const SkipList::Node* n) {
      char buf[kScoreBufSize];
      fn(n->member(), std::string_view(buf, FormatScore(n->score(), buf)));
    });
  }

 private:
  struct Big {
    SkipList list;
    MemberIndex index;
  };

  Listpack::Pos LpFind(std::string_view member, double* score) const;
  // FirstIn/LastIn on the listpack, for score and lex ranges alike.
  template <class Range>
  Iterator LpFirstIn(const Range& r) const;
  template <class Range>
  Iterator LpLastIn(const Range& r) const;
  void LpInsert(std::string_view member, double score);
  void RemoveNode(SkipList::Node* n);
  void FreeChain(SkipList::Node* chain);

  // Exactly one is set: the listpack, or the skiplist and its index.
  std::optional<Listpack> lp_;
  Big* sl_ = nullptr;
};

}  // namespace baozi
