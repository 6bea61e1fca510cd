// ExpiryWheel: where every key with a TTL waits for its deadline, so active expiry finds due keys
// without looking at any other key.
//
// Redis finds expired keys by sampling: every cycle it picks 20 random keys with a TTL, deletes
// the expired ones, and repeats while more than a quarter were stale. Keys nobody reads can sit
// in memory for seconds, and the cost of finding them grows with the keys that are not due. A
// hierarchical timing wheel (Varghese & Lauck's scheme 7, the layout of the Linux kernel's old
// timer wheel) makes the cost proportional to the keys that actually expire.
//
// Time is counted in milliseconds, and a record's "tick" is its deadline + 1: the first
// millisecond at which Redis considers the key expired (a key is expired once now > deadline).
// Ticks are read as base-64 numbers, six bits per digit. The wheel keeps its own clock `cur_`
// (the last tick it advanced to) and eleven levels of 64 slots. A record whose tick is later than
// cur_ lives at the level of the highest base-64 digit in which its tick differs from cur_, in
// the slot numbered by that digit of its tick: level 0 holds the next 64 ms one slot per tick,
// level 1 the next 4 s in 64 ms slots, level 2 the next 4.4 min in 4 s slots, and so on; eleven
// levels cover every int64 deadline. Because the digits above the record's level are the same as
// cur_'s and its digit at that level is larger, cur_ reaches the start of the record's slot
// before it could pass the record's tick.
//
// Advancing the clock from cur_ to T visits, per level, only the slots whose start lies in
// (cur_, T] — bitmaps of the occupied slots make that a few word operations — and splices each
// such slot's whole list onto a work list in O(1): level-0 slots are due by construction and go
// to the due list; a higher slot may hold records due by T and records that are not, so it goes
// to the cascade list. Splicing never touches a record, so a slot of a million keys that all
// expire in the same second costs the same as a slot of one. The per-record work happens in
// Run(), in bounded portions: a cascaded record is re-filed relative to the new cur_ (it drops at
// least one level, so a record is moved at most eleven times in its life) or found due; a due
// record is removed and handed to the caller, who deletes the key. The server calls Run() with a
// time budget and yields to the event loop between portions, so a mass expiry costs many short
// slices instead of one long stall.
//
// Records live in a dense array of 32-byte entries addressed by 32-bit handles (chunked, so
// growth never copies and a million volatile keys never trigger one huge reallocation). The key
// stores its handle; a record stores its owner. Removal unlinks the record from its doubly linked
// list and moves the last record into the hole, telling that record's owner its new handle
// through the relocate callback, so removal is O(1) and the array stays dense. Dense records give
// eviction what Redis's expires dict gives it: a uniformly random key with a TTL in O(1)
// (RandomHandle). The lists are circular with one sentinel record per slot and per work list,
// stored at the front of the same array, so unlinking only touches the two neighbours. Each list
// keeps a count (for the occupancy bitmaps and INFO's stale-key estimate); a record remembers its
// list and that list's epoch, and a splice bumps the slot's epoch instead of visiting the
// records it moves, so a record whose epoch is stale is known to be on the slot's work list.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace baozi {

class ExpiryWheel {
 public:
  using Handle = uint32_t;
  static constexpr Handle kNoHandle = UINT32_MAX;
  // A record moved to a new handle: the owner must remember it.
  using RelocateFn = void (*)(void* owner, Handle handle);

  static constexpr int kSlotBits = 6;
  static constexpr int kSlots = 1 << kSlotBits;
  static constexpr int kLevels = 11;  // 66 bits: any tick

  explicit ExpiryWheel(RelocateFn relocate) : relocate_(relocate) {}
  ExpiryWheel(ExpiryWheel&&) noexcept = default;
  ExpiryWheel& operator=(ExpiryWheel&&) noexcept = default;

  // Records in the wheel (keys with a TTL).
  size_t size() const { return records_ == 0 ? 0 : records_ - kSentinels; }
  bool empty() const { return size() == 0; }

  // Files a record due after `when` (absolute ms). `now` is the caller's clock; it lets an empty
  // wheel start its own clock there instead of at 0.
  Handle Insert(int64_t when, void* owner, int64_t now);
  // Changes a record's deadline.
  void Update(Handle h, int64_t when);
  // Removes a record. The owner of the record moved into its place is told its new handle.
  void Remove(Handle h);
  int64_t When(Handle h) const { return At(h).when; }
  void* Owner(Handle h) const { return At(h).owner; }

  // A handle chosen uniformly among the records, from a random number r; kNoHandle when empty.
  Handle RandomHandle(uint64_t r) const {
    return empty() ? kNoHandle : static_cast<Handle>(kSentinels + r % size());
  }

  // Moves the clock to `now` (never backwards), then does up to `max_work` units of work: each
  // cascaded record re-filed and each due record removed counts one. A due record (deadline <
  // now) is removed from the wheel before fn(owner, when) runs, so fn may delete the key and use
  // the wheel freely. Returns the number of due records handed to fn.
  template <class Fn>
  size_t Run(int64_t now, size_t max_work, Fn&& fn) {
    if (records_ == 0) return 0;
    Advance(now);
    size_t expired = 0;
    for (size_t work = 0; work < max_work; ++work) {
      Handle h = At(kCascadeList).next;
      if (h != kCascadeList) {
        Refile(h);
        continue;
      }
      h = At(kDueList).next;
      if (h == kDueList) break;
      Record& r = At(h);
      void* owner = r.owner;
      int64_t when = r.when;
      if (when >= now) {
        // Only when the caller's clock went backwards: keep the record for a later run.
        Unlink(h);
        LinkLast(kDueList, h);
        continue;
      }
      Remove(h);
      ++expired;
      fn(owner, when);
    }
    return expired;
  }
  // Work is left for Run (due or cascaded records not processed yet).
  bool HasBacklog() const {
    return records_ != 0 && (counts_[kCascadeList] != 0 || counts_[kDueList] != 0);
  }
  // Due records not yet handed out (for INFO's expired_stale_perc).
  size_t due_backlog() const { return records_ == 0 ? 0 : counts_[kDueList]; }
  // The earliest clock value at which Run can find work, or INT64_MAX if none; at most `now`
  // returned as is when there is a backlog.
  int64_t NextEventMs() const;

  void Clear();
  void Swap(ExpiryWheel& other) noexcept;
  size_t MemoryUsage() const;

  // For tests: the level a record is filed at, or -1 while it is on a work list.
  int LevelOf(Handle h) const {
    uint32_t list = ListOf(At(h));
    return list < kWheelSentinels ? static_cast<int>(list / kSlots) : -1;
  }

 private:
  struct Record {
    int64_t when;  // deadline, absolute unix ms
    void* owner;   // the key's entry; unused in sentinels
    Handle prev;
    Handle next;
    uint32_t list;   // the sentinel of the list it was linked to...
    uint32_t epoch;  // ...and that list's epoch then (see ListOf)
  };
  static_assert(sizeof(Record) == 32);

  static constexpr Handle kWheelSentinels = kLevels * kSlots;
  static constexpr Handle kCascadeList = kWheelSentinels;
  static constexpr Handle kDueList = kWheelSentinels + 1;
  static constexpr Handle kSentinels = kWheelSentinels + 2;
  static constexpr int kChunkBits = 12;
  static constexpr size_t kChunkSize = size_t{1} << kChunkBits;

  Record& At(Handle h) { return chunks_[h >> kChunkBits][h & (kChunkSize - 1)]; }
  const Record& At(Handle h) const { return chunks_[h >> kChunkBits][h & (kChunkSize - 1)]; }

  static uint64_t TickOf(int64_t when);
  // The list a record is on now: the one it was linked to, unless that slot has since been
  // spliced onto a work list.
  uint32_t ListOf(const Record& r) const {
    if (r.list >= kWheelSentinels || r.epoch == epochs_[r.list]) return r.list;
    return r.list < kSlots ? kDueList : kCascadeList;
  }
  void InitSentinels();
  Handle Allocate();
  void Unlink(Handle h);
  void LinkLast(Handle list, Handle h);
  // Files a record relative to cur_ (a slot, or the due list if its tick has passed).
  void File(Handle h);
  void Refile(Handle h) {
    Unlink(h);
    File(h);
  }
  void Advance(int64_t now);
  // Moves a whole slot's list onto the end of its work list (due for level 0, else cascade).
  void SpliceSlot(Handle from);

  RelocateFn relocate_;
  std::vector<std::unique_ptr<Record[]>> chunks_;
  Handle records_ = 0;  // sentinels + records in use; 0 until the first Insert
  uint64_t cur_ = 0;    // every record with tick <= cur_ is on a work list
  std::array<uint64_t, kLevels> occupied_{};  // bit s of level l: slot s is not empty
  std::vector<uint32_t> counts_;              // records per list, indexed by sentinel
  std::vector<uint32_t> epochs_;              // per list; a splice bumps the slot's
};

}  // namespace baozi
