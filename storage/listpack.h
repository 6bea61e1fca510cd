// Listpack: a sequence of strings and integers packed into one allocation, byte-compatible with
// Redis's listpack (the RDB writer can store the buffer as it is, and Redis's can be adopted).
//
// [IMPLEMENTER: replace this paragraph with the essay on the layout: header (total bytes u32,
// element count u16, 65535 = "count it"), entries of encoding + data + backlen so the list walks
// both ways, 0xFF terminator; integers in 7/13/16/24/32/64 bits, strings with 6/12/32-bit
// lengths; a string that is a canonical int64 is stored as an integer.]
//
// Positions are byte offsets into the buffer, so they stay meaningful across the reallocations
// that mutations do; every mutation returns the position callers continue from.
#pragma once

#include <cstddef>
#include <cstdint>
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

class Listpack {
 public:
  using Pos = uint32_t;
  static constexpr Pos kNone = 0;  // no entry (past either end); the header occupies offset 0

  Listpack();  // empty: header + terminator
  ~Listpack();
  Listpack(const Listpack& o);
  Listpack& operator=(const Listpack& o);
  Listpack(Listpack&& o) noexcept;
  Listpack& operator=(Listpack&& o) noexcept;

  size_t size() const;   // number of entries
  size_t bytes() const;  // total buffer size, as the header records it
  bool empty() const { return size() == 0; }
  // The raw buffer (RDB), and adopting one (RDB load; `Validate` first when untrusted).
  const unsigned char* data() const { return buf_; }
  static bool Validate(const unsigned char* p, size_t len, bool deep);
  static Listpack FromBytes(const unsigned char* p, size_t len);

  // Walking. Each returns kNone past the end.
  Pos First() const;
  Pos Last() const;
  Pos Next(Pos p) const;
  Pos Prev(Pos p) const;
  // The entry at a 0-based index; negative counts from the end (-1 = last). kNone if out of range.
  Pos Seek(int64_t index) const;
  LpEntry Get(Pos p) const;
  // Whether the entry equals `s` (integers compare by their string form).
  bool Equals(Pos p, std::string_view s) const;

  // Mutations. The string is stored as an integer when it is a canonical int64.
  void Append(std::string_view s);
  void AppendInt(int64_t v);
  void Prepend(std::string_view s);
  // Inserts before (or after) the entry at p; returns the position of the new entry.
  Pos InsertBefore(Pos p, std::string_view s);
  Pos InsertAfter(Pos p, std::string_view s);
  // Replaces the entry at p; returns its position (unchanged offset).
  Pos Replace(Pos p, std::string_view s);
  // Deletes the entry at p; returns the position of the entry that followed it (or kNone).
  Pos Delete(Pos p);
  // Deletes `count` entries starting at p; returns the position that followed them (or kNone).
  Pos DeleteRange(Pos p, size_t count);
  // Deletes `count` entries starting at a 0-based index (negative from the end).
  void DeleteRange(int64_t index, size_t count);

  // Searches from p for an entry equal to `s`, testing only every (skip+1)-th entry (skip=1
  // walks the keys of a field/value listpack). Returns kNone when not found.
  Pos Find(Pos p, std::string_view s, uint32_t skip) const;

  // Bytes the buffer occupies on the heap (for MEMORY USAGE and INFO).
  size_t MemoryUsage() const;

 private:
  unsigned char* buf_;
};

}  // namespace baozi
