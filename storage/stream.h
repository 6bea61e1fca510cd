// StreamObject: the value of a stream key, laid out as Redis 7.0 lays it out so that RDB files
// and DUMP payloads carry the very same bytes.
//
// Entries. A stream is an ordered map from a "master ID" to a listpack node holding a run of
// consecutive entries (Redis keeps the same pairs in a radix tree keyed by the 128-bit
// big-endian ID; std::map gives the same order). A node opens with a master entry:
//
//   count | deleted | num-fields | field_1 ... field_N | 0
//
// where `count` is the number of live entries in the node, `deleted` the number of entries
// flagged deleted, and the fields are those of the entry that created the node. Every entry
// follows as
//
//   flags | ms-diff | seq-diff | [num-fields | field_1 value_1 ... field_N value_N] | lp-count
//
// with the ID stored as the difference to the master ID, and the field names left out (only
// the values written) when they equal the master fields, flag SAMEFIELDS (2). lp-count, the
// number of listpack elements of the entry before it, lets an iterator walk a node backwards;
// the master entry's trailing 0 stops it. XDEL and exact trimming do not remove entries: they
// set flag DELETED (1) and move one from `count` to `deleted`, and a node whose `count` drops
// to zero leaves the map. A new node starts when the last one holds stream-node-max-entries
// entries (live and deleted) or would pass stream-node-max-bytes; this is Redis's
// streamAppendItem, so the nodes split where Redis's split.
//
// Alongside: the last ID handed out (entries never get an ID at or below it, even after
// deletions), the first live ID, the greatest ID ever deleted by XDEL and the number of
// entries ever added. Redis 7.0 uses the last three to tell a consumer group how far behind
// it is (entries-read and lag) without walking the stream.
//
// Consumer groups. A group has a last-delivered ID, an entries-read counter, a pending entries
// list (PEL: ID -> NACK with delivery time, delivery count and owning consumer) and its
// consumers, each with its own PEL of pointers into the group's. Both are ordered maps, as
// Redis's radix trees are ordered, because XPENDING, XINFO and XAUTOCLAIM walk them in ID or
// name order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "storage/encoding_limits.h"
#include "storage/listpack.h"
#include "storage/value.h"

namespace baozi {

struct StreamId {
  uint64_t ms = 0;
  uint64_t seq = 0;

  auto operator<=>(const StreamId&) const = default;
  bool IsZero() const { return ms == 0 && seq == 0; }
  static constexpr StreamId Min() { return {0, 0}; }
  static constexpr StreamId Max() { return {UINT64_MAX, UINT64_MAX}; }
  // The next / previous ID (Redis streamIncrID / streamDecrID); false, leaving the ID
  // unchanged, at the end of the range.
  bool Incr();
  bool Decr();

  // "<ms>-<seq>" into `buf` (kBufSize bytes); returns the length.
  static constexpr size_t kBufSize = 48;
  size_t Format(char* buf) const;
  std::string ToString() const;
  // The 16-byte big-endian form (the RDB key of a node, PEL entries in RDB).
  void Encode(unsigned char* out) const;
  static StreamId Decode(const unsigned char* in);
};

// Redis streamGenericParseIDOrReply, without the reply: "<ms>-<seq>", or "<ms>" with the
// sequence `missing_seq`; "-" and "+" are the minimum and maximum unless `strict`. With
// `seq_given` non-null (XADD) "<ms>-*" is accepted and reported as *seq_given = false.
// nullopt when invalid (Redis: "Invalid stream ID specified as stream command argument").
std::optional<StreamId> ParseStreamId(std::string_view s, uint64_t missing_seq, bool strict,
                                      bool* seq_given = nullptr);

struct StreamConsumer;

// A pending entry: delivered to `consumer` and not acknowledged yet.
struct StreamNack {
  int64_t delivery_time = 0;  // unix ms of the last delivery
  uint64_t delivery_count = 0;
  StreamConsumer* consumer = nullptr;
};

struct StreamConsumer {
  std::string name;
  int64_t seen_time = 0;                // unix ms of the consumer's last read or claim
  std::map<StreamId, StreamNack*> pel;  // points into the group's pel
};

struct StreamGroup {
  // Redis SCG_INVALID_ENTRIES_READ: the group's read counter is unknown.
  static constexpr int64_t kInvalidEntriesRead = -1;

  StreamId last_id;
  int64_t entries_read = kInvalidEntriesRead;
  std::map<StreamId, StreamNack> pel;
  std::map<std::string, std::unique_ptr<StreamConsumer>, std::less<>> consumers;

  StreamConsumer* FindConsumer(std::string_view name) const;
  // A new consumer (Redis streamCreateConsumer); nullptr when the name is taken.
  StreamConsumer* CreateConsumer(std::string_view name, int64_t seen_time);
  // Removes the consumer and its pending entries (from the group's PEL too); returns how many
  // entries it had pending. The consumer must exist.
  size_t DeleteConsumer(std::string_view name);
  // XREADGROUP delivering `id` to `c` (streamReplyWithRange's PEL part): a new NACK, or an
  // existing one moved to `c`, either way with delivery count 1 and time `now_ms`.
  StreamNack& Deliver(StreamId id, StreamConsumer* c, int64_t now_ms);
  // Moves a NACK (possibly new, owned by no one yet) to a consumer's PEL (XCLAIM).
  void Reassign(StreamId id, StreamNack& nack, StreamConsumer* to);
  // Removes `id` from the group's and its consumer's PEL; false when it was not pending.
  bool Ack(StreamId id);
};

class StreamObject {
 public:
  // The stream-node-max-* settings.
  using NodeLimits = EncodingLimits::StreamNode;

  // XADD/XTRIM's trimming arguments (Redis streamAddTrimArgs, parsed by the command).
  struct TrimArgs {
    enum class Strategy : uint8_t { kNone, kMaxLen, kMinId };
    Strategy strategy = Strategy::kNone;
    uint64_t maxlen = 0;
    StreamId minid;
    bool approx = false;
    int64_t limit = 0;  // 0: unlimited
  };

  // Redis STREAM_LISTPACK_MAX_SIZE: one entry's fields and values may not exceed it.
  static constexpr size_t kListpackMaxSize = size_t{1} << 30;

  StreamObject() = default;
  StreamObject(const StreamObject& o);
  StreamObject& operator=(const StreamObject&) = delete;
  ~StreamObject();

  size_t size() const { return length_; }
  Encoding encoding() const { return Encoding::kStream; }
  size_t MemoryUsage() const;

  StreamId last_id() const { return last_id_; }
  StreamId first_id() const { return first_id_; }
  StreamId max_deleted_id() const { return max_deleted_id_; }
  uint64_t entries_added() const { return entries_added_; }
  void set_last_id(StreamId id) { last_id_ = id; }
  void set_first_id(StreamId id) { first_id_ = id; }
  void set_max_deleted_id(StreamId id) { max_deleted_id_ = id; }
  void set_entries_added(uint64_t n) { entries_added_ = n; }
  // Only for loading: the number of live entries, as the file records it.
  void set_length(uint64_t n) { length_ = n; }

  // The ID "*" produces at `now_ms` (Redis streamNextID).
  StreamId NextId(int64_t now_ms) const;
  // Appends an entry with `id` (> last_id(), checked by the caller) and the field, value,
  // field, value... of `field_values`; updates length, last ID, entries added and first ID.
  void Append(StreamId id, std::span<const std::string_view> field_values,
              const NodeLimits& limits);
  // Flags the live entry `id` deleted (Redis streamDeleteItem); false when there is none. Only
  // the entry and the length change: XDEL maintains first and max-deleted IDs itself.
  bool Delete(StreamId id);
  // Redis streamTrim; returns the number of entries removed and updates the first ID.
  int64_t Trim(const TrimArgs& args);

  // The first or last entry's ID, deleted entries included unless `skip_tombstones`; for an
  // empty stream Max() (first) or Min() (last) (Redis streamGetEdgeID).
  StreamId EdgeId(bool first, bool skip_tombstones) const;
  // Redis streamLastValidID: the last live entry's ID, or last_id() when there is none.
  StreamId LastValidId() const;
  bool HasEntry(StreamId id) const;

  // Redis streamEstimateDistanceFromFirstEverEntry: the entries-read counter of `id`, or
  // StreamGroup::kInvalidEntriesRead when it cannot be known.
  int64_t EstimateDistanceFromFirstEverEntry(StreamId id) const;
  // Redis streamRangeHasTombstones for [start, end].
  bool RangeHasTombstones(StreamId start, StreamId end) const;

  // Walks live entries with start <= ID <= end, forwards or backwards:
  //
  //   for (StreamObject::Iterator it(s, start, end, rev); it.Next();) {
  //     Emit(it.id(), it.num_fields());
  //     it.ForEachField([](std::string_view f, std::string_view v) { ... });
  //   }
  //
  // Views are valid until the stream is modified; an iterator must not outlive a change.
  class Iterator {
   public:
    Iterator(const StreamObject& s, StreamId start, StreamId end, bool rev,
             bool skip_tombstones = true);
    bool Next();
    StreamId id() const { return id_; }
    size_t num_fields() const { return static_cast<size_t>(num_fields_); }
    bool deleted() const { return (flags_ & kFlagDeleted) != 0; }
    // fn(std::string_view field, std::string_view value), in the entry's order.
    template <class Fn>
    void ForEachField(Fn&& fn) const {
      char fbuf[kIntBufSize], vbuf[kIntBufSize];
      Listpack::Pos f = (flags_ & kFlagSameFields) ? master_fields_ : Listpack::kNone;
      Listpack::Pos p = values_;
      for (int64_t i = 0; i < num_fields_; ++i) {
        std::string_view field;
        if (f != Listpack::kNone) {
          field = lp_->Get(f).View(fbuf);
          f = lp_->Next(f);
        } else {
          field = lp_->Get(p).View(fbuf);
          p = lp_->Next(p);
        }
        std::string_view value = lp_->Get(p).View(vbuf);
        p = lp_->Next(p);
        fn(field, value);
      }
    }

   private:
    using NodeIt = std::map<StreamId, Listpack>::const_iterator;
    bool EnterNode();

    const StreamObject& s_;
    StreamId start_, end_;
    bool rev_;
    bool skip_tombstones_;
    bool started_ = false;
    NodeIt node_;
    const Listpack* lp_ = nullptr;
    StreamId master_id_;
    int64_t master_fields_count_ = 0;
    Listpack::Pos master_fields_ = Listpack::kNone;
    Listpack::Pos pos_ = Listpack::kNone;  // forwards: the lp-count before the next entry
    Listpack::Pos values_ = Listpack::kNone;
    Listpack::Pos flags_pos_ = Listpack::kNone;  // the current entry's flags
    StreamId id_;
    int64_t num_fields_ = 0;
    int64_t flags_ = 0;
  };

  // The nodes, for persistence and XINFO.
  size_t node_count() const { return nodes_.size(); }
  // The number of nodes of Redis's radix tree over the master IDs (XINFO's radix-tree-nodes).
  size_t RaxNodeCount() const;
  template <class Fn>
  void ForEachNode(Fn&& fn) const {  // fn(StreamId master, const Listpack& lp)
    for (const auto& [id, lp] : nodes_) fn(id, lp);
  }
  // Loading: adopts a node (validated by the caller; masters must come in ascending order).
  void AdoptNode(StreamId master, Listpack lp) {
    nodes_.emplace_hint(nodes_.end(), master, std::move(lp));
  }

  // Consumer groups, by name.
  using GroupMap = std::map<std::string, std::unique_ptr<StreamGroup>, std::less<>>;
  const GroupMap& groups() const { return groups_; }
  StreamGroup* FindGroup(std::string_view name) const;
  // nullptr when a group of that name exists.
  StreamGroup* CreateGroup(std::string_view name, StreamId last_id, int64_t entries_read);
  bool DestroyGroup(std::string_view name);

  static constexpr int64_t kFlagDeleted = 1;
  static constexpr int64_t kFlagSameFields = 2;

 private:
  std::map<StreamId, Listpack> nodes_;
  GroupMap groups_;
  uint64_t length_ = 0;
  StreamId last_id_;
  StreamId first_id_;
  StreamId max_deleted_id_;
  uint64_t entries_added_ = 0;
};

}  // namespace baozi
