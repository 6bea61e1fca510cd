// Intset: a sorted array of distinct integers in the smallest width that holds them all, the
// compact encoding Redis gives sets of integers ("OBJECT ENCODING" says "intset").
//
// Layout. One heap block, byte for byte Redis's: a 4-byte width (2, 4 or 8: int16, int32 or
// int64 entries), a 4-byte count, then the entries, all little-endian, in ascending order. Being
// the same bytes means an RDB file stores and loads an intset as one opaque string
// (RDB_TYPE_SET_INTSET) with no conversion either way, and MEMORY USAGE counts what Redis counts.
// The block is reallocated to the exact size on every insert and removal, as Redis does: the
// array is bounded by set-max-intset-entries (512 by default), so the O(n) memmove of an insert
// stays a few kilobytes at most and spare capacity would only cost memory.
//
// Upgrade. All entries share one width, chosen by the widest value ever added. Adding a value
// that does not fit the current width widens every entry in place, walking from the end so no
// entry is overwritten before it has been moved. A value that needs a wider type is necessarily
// below every entry (if negative) or above every entry (if positive), so it goes at the front or
// the back and needs no search. Widths never shrink again: removing the wide value keeps the
// wide layout, as in Redis.
//
// Search. Binary search over the sorted entries, after two O(1) checks against the first and the
// last entry, which settle appends of growing sequences (the common case) without a search.
//
//   Intset s;
//   s.Add(5);  s.Add(-70000);  // now 4-byte entries: -70000, 5
//   s.Contains(5);             // true
//   s.Blob();                  // the 16 bytes Redis would write into an RDB file
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace baozi {

class Intset {
 public:
  static constexpr size_t kHeaderBytes = 8;

  Intset() = default;
  Intset(const Intset& o);
  Intset& operator=(const Intset& o);
  Intset(Intset&& o) noexcept : blob_(o.blob_) { o.blob_ = nullptr; }
  Intset& operator=(Intset&& o) noexcept;
  ~Intset();

  size_t size() const { return blob_ == nullptr ? 0 : ReadU32(blob_ + 4); }
  bool empty() const { return size() == 0; }
  // Bytes per entry: 2, 4 or 8.
  size_t width() const { return blob_ == nullptr ? 2 : ReadU32(blob_); }

  // Adds v; false if it was already present.
  bool Add(int64_t v);
  // Removes v; false if it was absent.
  bool Remove(int64_t v);
  // Removes the entry at `pos` (< size()).
  void RemoveAt(size_t pos);
  bool Contains(int64_t v) const;
  // The entry at `pos` (< size()) in ascending order.
  int64_t Get(size_t pos) const { return GetAt(blob_ + kHeaderBytes, pos, width()); }
  // Position of v, or nullopt.
  std::optional<size_t> Find(int64_t v) const;

  // The exact bytes of Redis's intset (header and entries), what RDB stores.
  std::string_view Blob() const;
  // Rebuilds an intset from RDB bytes. Checked as Redis's intsetValidateIntegrity (deep): a known
  // width, a length that matches the byte count, at least one entry, strictly ascending entries.
  static std::optional<Intset> FromBlob(std::string_view bytes);

  // Heap bytes owned (the block; the Intset itself is the caller's).
  size_t HeapBytes() const { return blob_ == nullptr ? 0 : kHeaderBytes + size() * width(); }

  // The width Redis picks for a value (_intsetValueEncoding).
  static size_t WidthFor(int64_t v) {
    if (v < INT32_MIN || v > INT32_MAX) return 8;
    if (v < INT16_MIN || v > INT16_MAX) return 4;
    return 2;
  }

 private:
  static uint32_t ReadU32(const uint8_t* p);
  static void WriteU32(uint8_t* p, uint32_t v);
  static int64_t GetAt(const uint8_t* entries, size_t pos, size_t width);
  static void SetAt(uint8_t* entries, size_t pos, size_t width, int64_t v);

  // Binary search: true and the position if found, else false and the insertion point.
  bool Search(int64_t v, size_t* pos) const;
  // Reallocates for n entries of `width` bytes and stores both in the header.
  void Resize(size_t n, size_t width);
  void Upgrade(int64_t v);
  uint8_t* entries() const { return blob_ + kHeaderBytes; }

  uint8_t* blob_ = nullptr;  // nullptr until the first Add: an empty int16 set
};

}  // namespace baozi
