#include "storage/expiry_wheel.h"

#include <algorithm>
#include <bit>
#include <limits>
#include <utility>

namespace baozi {

uint64_t ExpiryWheel::TickOf(int64_t when) {
  // Deadlines before the epoch are long due; the largest one must not overflow into tick 0.
  if (when < 0) return 0;
  if (when == std::numeric_limits<int64_t>::max()) return static_cast<uint64_t>(when);
  return static_cast<uint64_t>(when) + 1;
}

void ExpiryWheel::InitSentinels() {
  chunks_.push_back(std::make_unique<Record[]>(kChunkSize));
  for (Handle h = 0; h < kSentinels; ++h) {
    Record& s = At(h);
    s = Record{0, nullptr, h, h, h, 0};  // an empty circular list
  }
  counts_.assign(kSentinels, 0);
  epochs_.assign(kSentinels, 0);
  occupied_.fill(0);
  records_ = kSentinels;
}

ExpiryWheel::Handle ExpiryWheel::Allocate() {
  if ((records_ >> kChunkBits) == chunks_.size()) {
    chunks_.push_back(std::make_unique<Record[]>(kChunkSize));
  }
  return records_++;
}

ExpiryWheel::Handle ExpiryWheel::Insert(int64_t when, void* owner, int64_t now) {
  if (records_ == 0) InitSentinels();
  if (size() == 0 && now > 0) {
    // Nothing is filed, so the clock may jump: records then start near level 0 rather than
    // cascading down from the level of "now" seen from the epoch.
    cur_ = std::max(cur_, static_cast<uint64_t>(now));
  }
  Handle h = Allocate();
  Record& r = At(h);
  r.when = when;
  r.owner = owner;
  r.prev = r.next = h;
  r.list = h;
  File(h);
  return h;
}

void ExpiryWheel::Update(Handle h, int64_t when) {
  At(h).when = when;
  Refile(h);
}

void ExpiryWheel::Remove(Handle h) {
  Unlink(h);
  Handle last = records_ - 1;
  if (h != last) {
    // Move the last record into the hole and repoint its neighbours and owner.
    Record& moved = At(last);
    Record& hole = At(h);
    hole = moved;
    // Every record in use is on a list with a sentinel, so both neighbours exist.
    At(hole.prev).next = h;
    At(hole.next).prev = h;
    relocate_(hole.owner, h);
  }
  --records_;
  // Keep one spare chunk so a size oscillating at a boundary does not allocate each time.
  while (chunks_.size() > 1 && (records_ >> kChunkBits) + 2 < chunks_.size()) chunks_.pop_back();
}

void ExpiryWheel::Unlink(Handle h) {
  Record& r = At(h);
  At(r.prev).next = r.next;
  At(r.next).prev = r.prev;
  uint32_t list = ListOf(r);
  if (--counts_[list] == 0 && list < kWheelSentinels) {
    occupied_[list / kSlots] &= ~(uint64_t{1} << (list % kSlots));
  }
  r.prev = r.next = h;
}

void ExpiryWheel::LinkLast(Handle list, Handle h) {
  Record& s = At(list);
  Record& r = At(h);
  r.prev = s.prev;
  r.next = list;
  At(s.prev).next = h;
  s.prev = h;
  r.list = list;
  r.epoch = epochs_[list];
  if (counts_[list]++ == 0 && list < kWheelSentinels) {
    occupied_[list / kSlots] |= uint64_t{1} << (list % kSlots);
  }
}

void ExpiryWheel::File(Handle h) {
  uint64_t tick = TickOf(At(h).when);
  if (tick <= cur_) {
    LinkLast(kDueList, h);
    return;
  }
  // The highest base-64 digit where tick and cur_ differ picks the level; tick's digit there
  // picks the slot.
  int level = (63 - std::countl_zero(tick ^ cur_)) / kSlotBits;
  int slot = static_cast<int>((tick >> (level * kSlotBits)) & (kSlots - 1));
  LinkLast(static_cast<Handle>(level * kSlots + slot), h);
}

void ExpiryWheel::SpliceSlot(Handle from) {
  Record& f = At(from);
  if (f.next == from) return;
  Handle first = f.next;
  Handle last = f.prev;
  // Level-0 slots are due by construction; a higher slot may hold records that are not due
  // yet, which Run re-files. The records keep their stale list and epoch: ListOf maps them to
  // the same destination.
  const Handle to = from < kSlots ? kDueList : kCascadeList;
  ++epochs_[from];
  Record& t = At(to);
  At(t.prev).next = first;
  At(first).prev = t.prev;
  At(last).next = to;
  t.prev = last;
  f.next = f.prev = from;
  counts_[to] += counts_[from];
  counts_[from] = 0;
  if (from < kWheelSentinels) occupied_[from / kSlots] &= ~(uint64_t{1} << (from % kSlots));
}

void ExpiryWheel::Advance(int64_t now) {
  if (records_ == 0 || now <= 0) return;
  const uint64_t target = static_cast<uint64_t>(now);
  if (target <= cur_) return;
  for (int level = 0; level < kLevels; ++level) {
    const int shift = level * kSlotBits;
    // Slot starts in (cur_, target] at this level are the digit values lo..hi.
    const uint64_t lo = (cur_ >> shift) + 1;
    const uint64_t hi = target >> shift;
    if (hi < lo) break;  // this digit did not change, so no higher one did
    uint64_t mask = ~uint64_t{0};
    if (hi - lo < kSlots - 1) {
      const uint64_t span = hi - lo + 1;
      mask = std::rotl((uint64_t{1} << span) - 1, static_cast<int>(lo & (kSlots - 1)));
    }
    uint64_t slots_to_splice = occupied_[level] & mask;
    // Visit the slots in time order, starting at lo's digit, so due records queue up roughly in
    // deadline order.
    const int start = static_cast<int>(lo & (kSlots - 1));
    slots_to_splice = std::rotr(slots_to_splice, start);
    while (slots_to_splice != 0) {
      int i = std::countr_zero(slots_to_splice);
      slots_to_splice &= slots_to_splice - 1;
      int slot = (i + start) & (kSlots - 1);
      SpliceSlot(static_cast<Handle>(level * kSlots + slot));
    }
  }
  cur_ = target;
}

int64_t ExpiryWheel::NextEventMs() const {
  if (records_ == 0) return std::numeric_limits<int64_t>::max();
  if (HasBacklog()) return static_cast<int64_t>(cur_);
  uint64_t best = std::numeric_limits<uint64_t>::max();
  for (int level = 0; level < kLevels; ++level) {
    if (occupied_[level] == 0) continue;
    const int shift = level * kSlotBits;
    // Every occupied slot's digit is above cur_'s digit at this level (see the essay), so the
    // lowest occupied slot starts first.
    uint64_t digit = static_cast<uint64_t>(std::countr_zero(occupied_[level]));
    uint64_t base = (cur_ >> shift) & ~uint64_t{kSlots - 1};
    uint64_t start = (base | digit) << shift;
    best = std::min(best, start);
  }
  // The clock value at which that tick is reached.
  return best > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
             ? std::numeric_limits<int64_t>::max()
             : static_cast<int64_t>(best);
}

void ExpiryWheel::Clear() {
  chunks_.clear();
  counts_.clear();
  epochs_.clear();
  occupied_.fill(0);
  records_ = 0;
  cur_ = 0;
}

void ExpiryWheel::Swap(ExpiryWheel& other) noexcept {
  std::swap(relocate_, other.relocate_);
  chunks_.swap(other.chunks_);
  std::swap(records_, other.records_);
  std::swap(cur_, other.cur_);
  std::swap(occupied_, other.occupied_);
  counts_.swap(other.counts_);
  epochs_.swap(other.epochs_);
}

size_t ExpiryWheel::MemoryUsage() const {
  return chunks_.size() * kChunkSize * sizeof(Record) +
         (counts_.capacity() + epochs_.capacity()) * sizeof(uint32_t);
}

}  // namespace baozi
