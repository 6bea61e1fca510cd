// Listpack: a sequence of strings and integers packed into one allocation, byte-compatible with
// Redis's listpack (the RDB writer can store the buffer as it is, and Redis's can be adopted).
//
// Layout. A 6-byte header holds the total size of the buffer (u32, little endian) and the
// number of entries (u16; 65535 means "too many, count them by walking"), then come the entries,
// then one 0xFF byte. Each entry is an encoding byte (plus length bytes for longer strings), its
// data, and a "backlen": the size of encoding + data written so that it can be read from its
// last byte leftwards, 7 bits per byte with the high bit marking "more bytes to the left". The
// encoding byte says how long the entry is, so walking right needs only the entry itself, and
// the backlen just before any entry says how far back the previous one starts, so walking left
// needs nothing else either. No entry records anything about its neighbours, which is why an
// insertion or deletion never cascades (unlike the ziplist this format replaced).
//
// Encodings, by the first byte:
//   0xxxxxxx                       integer 0..127, the byte itself
//   10llllll + data                string of up to 63 bytes
//   110xxxxx xxxxxxxx              integer -4096..4095 (13 bits, two's complement, big end first)
//   1110llll llllllll + data       string of up to 4095 bytes
//   0xF0 + u32 length + data       longer string
//   0xF1 / 0xF2 / 0xF3 / 0xF4      16/24/32/64-bit integer, little endian
//   0xFF                           terminator (never the start of an entry)
// A string that is the canonical decimal form of an int64 (ParseInt64: no '+', no leading
// zero, no blanks, "-0" excluded) is always stored as the smallest integer that holds it, so
// "007" and "-0" stay strings while "7" takes one byte. Equality with a string therefore holds
// for an integer entry exactly when the string is canonical and has the same value.
//
// Mutations follow Redis's order of work, so a sequence of pushes, inserts and deletes yields
// the same bytes as Redis produces for it: grow the allocation (in place when malloc's usable
// size already covers it), move the tail once, write the entry, fix the header; when shrinking,
// move first and give memory back after. The u16 count saturates at 65535 on insertion, stays
// "unknown" through deletions, and is written back when size() recounts a listpack that has
// shrunk below it again.
//
// An empty listpack points at a shared read-only 7-byte buffer, so default construction and
// moved-from objects allocate nothing; the first mutation allocates.
//
// Positions are byte offsets into the buffer, so they stay meaningful across the reallocations
// that mutations do; every mutation returns the position callers continue from.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "storage/value.h"  // kIntBufSize

namespace baozi {

// One element as stored: an integer, or a string viewed inside the listpack's buffer (valid
// until the next mutation).
struct LpEntry {
  const char* str = nullptr;  // nullptr: integer
  uint32_t len = 0;
  int64_t ival = 0;

  bool is_int() const { return str == nullptr; }
  // The string form; integers are printed into `buf` (kIntBufSize bytes).
  std::string_view View(char* buf) const;
};

struct LpEncoded;  // an entry encoded for writing (listpack.cc)

class Listpack {
 public:
  using Pos = uint32_t;
  static constexpr Pos kNone = 0;  // no entry (past either end); the header occupies offset 0
  static constexpr size_t kHeaderSize = 6;
  // Redis refuses to grow a listpack past 1 GiB (lpSafeToAdd); callers convert before that.
  static constexpr size_t kMaxSafetySize = size_t{1} << 30;

  Listpack();  // empty: header + terminator
  ~Listpack();
  Listpack(const Listpack& o);
  Listpack& operator=(const Listpack& o);
  Listpack(Listpack&& o) noexcept;
  Listpack& operator=(Listpack&& o) noexcept;

  size_t size() const;   // number of entries
  size_t bytes() const;  // total buffer size, as the header records it
  bool empty() const { return buf_[kHeaderSize] == kEof; }
  // Whether `add` more bytes keep the buffer within kMaxSafetySize (Redis lpSafeToAdd).
  bool SafeToAdd(size_t add) const { return bytes() + add <= kMaxSafetySize; }
  // The raw buffer (RDB), and adopting one (RDB load; `Validate` first when untrusted).
  const unsigned char* data() const { return buf_; }
  // Redis lpValidateIntegrity: the header's size matches `len` and the last byte is the
  // terminator; with `deep`, every entry is bounds-checked, its backlen must match its size
  // and the header's count (unless 65535) must match. Never reads outside [p, p+len).
  static bool Validate(const unsigned char* p, size_t len, bool deep);
  // Copies the buffer. Bytes that fail the shallow check give an empty listpack; only deeply
  // validated bytes are safe to walk.
  static Listpack FromBytes(const unsigned char* p, size_t len);
  // Validate(p, len, deep) then FromBytes; nullopt when invalid.
  static std::optional<Listpack> TryFromBytes(const unsigned char* p, size_t len, bool deep);

  // Walking. Each returns kNone past the end.
  Pos First() const { return buf_[kHeaderSize] == kEof ? kNone : Pos{kHeaderSize}; }
  Pos Last() const;
  Pos Next(Pos p) const {
    Pos n = p + static_cast<Pos>(EntrySize(buf_ + p));
    return buf_[n] == kEof ? kNone : n;
  }
  Pos Prev(Pos p) const;
  // The entry at a 0-based index; negative counts from the end (-1 = last). kNone if out of range.
  Pos Seek(int64_t index) const;
  LpEntry Get(Pos p) const {
    const unsigned char* e = buf_ + p;
    if (e[0] < 0x80) return LpEntry{nullptr, 0, e[0]};
    if (e[0] < 0xC0) return LpEntry{reinterpret_cast<const char*>(e + 1), e[0] & 0x3Fu, 0};
    return GetSlow(e);
  }
  // Whether the entry equals `s` (integers compare by their string form).
  bool Equals(Pos p, std::string_view s) const;
  // Calls fn(std::string_view) for every entry head to tail (integers printed on the stack).
  template <class F>
  void ForEach(F&& fn) const {
    char buf[kIntBufSize];
    for (Pos p = First(); p != kNone; p = Next(p)) fn(Get(p).View(buf));
  }

  // Mutations. The string is stored as an integer when it is a canonical int64. A string that
  // points into this listpack's own buffer is copied first, so Append(Get(p).View(buf)) is fine.
  void Append(std::string_view s);
  void AppendInt(int64_t v);
  void Prepend(std::string_view s);
  void PrependInt(int64_t v);
  // Two entries with one reallocation and one move (a field and its value, a member and its
  // score).
  void AppendPair(std::string_view a, std::string_view b);
  // Inserts before (or after) the entry at p; returns the position of the new entry.
  // InsertBefore(kNone, ...) appends.
  Pos InsertBefore(Pos p, std::string_view s);
  Pos InsertAfter(Pos p, std::string_view s);
  Pos InsertIntBefore(Pos p, int64_t v);
  // Inserts a then b before the entry at p (kNone: at the end); returns the position of a.
  Pos InsertPairBefore(Pos p, std::string_view a, std::string_view b);
  // Replaces the entry at p; returns its position (unchanged offset).
  Pos Replace(Pos p, std::string_view s);
  Pos ReplaceInt(Pos p, int64_t v);
  // Deletes the entry at p; returns the position of the entry that followed it (or kNone).
  Pos Delete(Pos p);
  // Deletes `count` entries starting at p; returns the position that followed them (or kNone).
  Pos DeleteRange(Pos p, size_t count);
  // Deletes `count` entries starting at a 0-based index (negative from the end). Note that a
  // plain int literal index is ambiguous with the Pos overload: pass an int64_t.
  void DeleteRange(int64_t index, size_t count);
  // Removes every entry (keeps the allocation).
  void Clear();

  // Searches from p for an entry equal to `s`, testing only every (skip+1)-th entry (skip=1
  // walks the keys of a field/value listpack). Returns kNone when not found or p is kNone.
  Pos Find(Pos p, std::string_view s, uint32_t skip) const;

  // Bytes the buffer occupies on the heap (for MEMORY USAGE and INFO); 0 when empty and never
  // mutated (the shared buffer).
  size_t MemoryUsage() const;

 private:
  static constexpr unsigned char kEof = 0xFF;

  // Size of the backlen that records an encoding + data of `l` bytes.
  static uint32_t BacklenSize(uint64_t l) {
    return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
  }
  // Bytes of the entry at e (not the terminator), backlen included.
  static uint64_t EntrySize(const unsigned char* e) {
    const unsigned char b = e[0];
    if (b < 0x80) return 2;
    if (b < 0xC0) return (b & 0x3Fu) + 2;  // 6-bit string: 1 + len <= 64, one backlen byte
    if (b < 0xE0) return 3;
    return EntrySizeSlow(e);
  }
  static uint64_t EntrySizeSlow(const unsigned char* e);
  static LpEntry GetSlow(const unsigned char* e);

  uint32_t HeaderCount() const { return buf_[4] | (uint32_t{buf_[5]} << 8); }
  void SetHeaderCount(uint32_t n) const {
    buf_[4] = static_cast<unsigned char>(n);
    buf_[5] = static_cast<unsigned char>(n >> 8);
  }
  void SetBytes(size_t n);
  void AddCount(int64_t delta);
  bool IsShared() const;
  bool Aliases(std::string_view s) const;
  // Replaces `old_len` bytes at `at` with `new_len` bytes of unspecified content, moving the
  // tail once and reallocating as needed; returns the (possibly moved) address of `at`.
  unsigned char* Splice(Pos at, size_t old_len, size_t new_len);
  Pos InsertEncoded(Pos at, const LpEncoded* items, int n);
  Pos ReplaceEncoded(Pos p, const LpEncoded& item);

  unsigned char* buf_;
};

}  // namespace baozi
