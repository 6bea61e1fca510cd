// SetObject: the value of a set key, in one of Redis 7.0's two encodings.
//
// "intset" (storage/intset.h) while every member is an integer in canonical form (Redis's
// string2ll: no '+', no leading zeros, no spaces, fits an int64) and there are at most
// set-max-intset-entries of them; "hashtable" (a Dict keyed by member, with an empty value)
// otherwise. Redis 7.0 has no listpack sets. The conversion happens inside Add, exactly where
// Redis's setTypeAdd does it: adding a non-integer, or an integer that makes the intset longer
// than the limit (capped at 2^30, as Redis caps it). A set never converts back, with two
// exceptions that follow from Redis building a fresh set: results of SINTERSTORE, SUNIONSTORE and
// SDIFFSTORE (and the replies of SUNION, SDIFF and SPOP-all, which iterate such a fresh set)
// start as an empty intset, and SPOP's "keep the survivors" path creates the set for the first
// survivor (ForMember).
//
// Order. Intsets iterate in ascending numeric order, which Redis clients see in SMEMBERS and
// friends; hashtables iterate in table order, which depends on the hash seed.
//
//   SetObject s;                       // empty intset
//   s.Add("5", limits.set_max_intset_entries);
//   s.Add("x", limits.set_max_intset_entries);  // now a hashtable
//   s.ForEach([](std::string_view m) { ... });
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "storage/dict.h"
#include "storage/intset.h"
#include "storage/numbers.h"
#include "storage/value.h"

namespace baozi {

// The hashtable's value: members only. (It still costs the node 4 bytes of padding; see the
// Dict node layout.)
struct SetNoValue {};
using SetDict = Dict<SetNoValue>;

// One member as the encoding holds it: an integer from an intset, or a string from a hashtable
// (valid until the set is next modified).
struct SetMember {
  std::string_view str;
  int64_t integer = 0;
  bool is_int = false;

  static SetMember Int(int64_t v) { return {std::string_view(), v, true}; }
  static SetMember Str(std::string_view s) { return {s, 0, false}; }
  // The member as a string; integers are printed into buf (kIntBufSize bytes).
  std::string_view View(char* buf) const {
    return is_int ? std::string_view(buf, FormatInt64(integer, buf)) : str;
  }
};

class SetObject {
 public:
  // Redis clamps set-max-intset-entries to this: intset offsets are 32-bit.
  static constexpr size_t kMaxIntsetEntriesCap = size_t{1} << 30;

  // An empty intset (Redis createIntsetObject).
  SetObject() = default;
  // An empty set that can take `first` without converting (Redis setTypeCreate): an intset for
  // an integer, a hashtable otherwise.
  static SetObject ForMember(std::string_view first);
  // An empty hashtable sized for n members.
  static SetObject Hashtable(size_t n);
  // A set wrapping RDB intset bytes; converted to a hashtable when longer than the limit, as
  // Redis's loader does. nullopt when the bytes fail the integrity check.
  static std::optional<SetObject> FromIntsetBlob(std::string_view bytes, size_t max_intset_entries);

  SetObject(const SetObject& o);  // deep copy, same encoding (COPY)
  SetObject& operator=(const SetObject&) = delete;
  SetObject(SetObject&&) noexcept = default;
  SetObject& operator=(SetObject&&) noexcept = default;
  ~SetObject() = default;

  size_t size() const { return dict_ ? dict_->size() : intset_.size(); }
  bool empty() const { return size() == 0; }
  Encoding encoding() const { return dict_ ? Encoding::kHashtable : Encoding::kIntset; }
  bool is_intset() const { return !dict_; }
  // Heap bytes owned, including the object itself.
  size_t MemoryUsage() const {
    return sizeof(*this) + (dict_ ? dict_->MemoryUsage() : intset_.HeapBytes());
  }
  // MEMORY USAGE, in allocator size classes: exact for an intset; for a hashtable the object,
  // the bucket arrays and the average node of the first `samples` members (in table order, as
  // Redis's dict iterator samples) times the member count.
  size_t MemoryUsage(size_t samples) const;

  // Adds a member; true if it was new. Converts to a hashtable as described above.
  bool Add(std::string_view member, size_t max_intset_entries);
  bool AddInt(int64_t v, size_t max_intset_entries);
  bool Add(const SetMember& m, size_t max_intset_entries) {
    return m.is_int ? AddInt(m.integer, max_intset_entries) : Add(m.str, max_intset_entries);
  }
  // Removes a member; true if it was there.
  bool Remove(std::string_view member);
  bool Remove(const SetMember& m);
  bool Contains(std::string_view member) const;
  bool ContainsInt(int64_t v) const;
  bool Contains(const SetMember& m) const {
    return m.is_int ? ContainsInt(m.integer) : Contains(m.str);
  }

  void ConvertToHashtable();

  // fn(const SetMember&) for every member: ascending for intsets, table order for hashtables.
  // fn must not modify this set.
  template <class Fn>
  void ForEachMember(Fn&& fn) const {
    if (dict_) {
      dict_->ForEach([&](std::string_view k, const SetNoValue&) { fn(SetMember::Str(k)); });
    } else {
      for (size_t i = 0, n = intset_.size(); i < n; ++i) fn(SetMember::Int(intset_.Get(i)));
    }
  }
  // fn(std::string_view) for every member, in the same order (integers printed on the stack).
  template <class Fn>
  void ForEach(Fn&& fn) const {
    ForEachMember([&](const SetMember& m) {
      char buf[kIntBufSize];
      fn(m.View(buf));
    });
  }

  // A uniformly (intset) or nearly uniformly (hashtable, Redis dictGetFairRandomKey) chosen
  // member of a non-empty set.
  template <class Rng>
  SetMember RandomMember(Rng& rng) {
    if (dict_) return SetMember::Str(dict_->RandomEntry(rng).first);
    return SetMember::Int(intset_.Get(static_cast<uint64_t>(rng()) % intset_.size()));
  }
  // Removes a random member of a non-empty set, first showing it to fn(const SetMember&).
  template <class Rng, class Fn>
  void PopRandom(Rng& rng, Fn&& fn) {
    if (dict_) {
      const std::string_view k = dict_->RandomEntry(rng).first;
      fn(SetMember::Str(k));
      EraseFromDict(k);  // the view stays valid until the node is unlinked
    } else {
      const size_t pos = static_cast<uint64_t>(rng()) % intset_.size();
      fn(SetMember::Int(intset_.Get(pos)));
      intset_.RemoveAt(pos);
    }
  }

  // One SSCAN step: fn(const SetMember&) for what the step visits; returns the next cursor (0
  // when done). An intset is reported whole in one step, as Redis does for compact encodings.
  template <class Fn>
  uint64_t Scan(uint64_t cursor, Fn&& fn) {
    if (dict_) {
      return dict_->Scan(cursor,
                         [&](std::string_view k, const SetNoValue&) { fn(SetMember::Str(k)); });
    }
    ForEachMember(fn);
    return 0;
  }

  // The encodings themselves (RDB, DEBUG).
  const Intset& intset() const { return intset_; }
  const SetDict* dict() const { return dict_.get(); }

  static size_t EffectiveIntsetLimit(size_t max_intset_entries) {
    return std::min(max_intset_entries, kMaxIntsetEntriesCap);
  }

 private:
  bool EraseFromDict(std::string_view member);
  Intset intset_;                  // the members while intset-encoded
  std::unique_ptr<SetDict> dict_;  // set once hashtable-encoded
};

}  // namespace baozi
