// Listpack implementation; the format and the order of work are described in listpack.h.
//
// Reading stays cheap by never decoding more than the first byte when only the size of an entry
// is needed: the common entries, small integers and strings under 64 bytes, are sized and read
// from that byte alone by the inline Next/Get in listpack.h, and only the rarer encodings call
// in here. Find converts the searched-for string to an integer at most once, and only if it
// meets an integer entry; it rejects same-length strings on their last byte before memcmp,
// since keys of one object tend to share a prefix. Writing goes through one primitive, Splice,
// which replaces a byte range with one of another length using at most one realloc and one memmove;
// every mutation is a Splice followed by writing the encoded entries into the hole.
#include "storage/listpack.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "storage/numbers.h"

namespace baozi {
namespace {

// The shared empty listpack: 7 bytes, 0 entries, terminator. Read-only; Splice never writes it.
alignas(8) const unsigned char kEmptyBuf[8] = {7, 0, 0, 0, 0, 0, 0xFF, 0};
constexpr uint32_t kCountUnknown = 0xFFFF;

uint32_t ReadU32(const unsigned char* p) {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}

// Reads a backlen whose last byte is at `last`, leftwards. UINT64_MAX when it claims more than
// five bytes (only corrupt data does).
uint64_t DecodeBacklen(const unsigned char* last) {
  uint64_t v = 0;
  for (unsigned shift = 0;; shift += 7) {
    v |= uint64_t{*last & 127u} << shift;
    if (!(*last & 128u)) return v;
    if (shift >= 28) return UINT64_MAX;
    --last;
  }
}

// Writes the backlen of an encoding + data of `l` bytes; returns its size (1..5). The byte at
// the lowest address holds the most significant bits and is the only one without the high bit.
// Redis's size thresholds sit one below each power of 2^7 (l < 16383 for two bytes, ...), so a
// length of exactly 2^(7k)-1 takes a byte more than it needs; the same bytes must come out.
uint8_t EncodeBacklen(uint64_t l, unsigned char* out) {
  const uint8_t n = l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
  for (uint8_t i = 0; i < n; ++i) {
    out[i] = static_cast<unsigned char>((l >> (7 * (n - 1 - i))) & 127u);
    if (i > 0) out[i] |= 128u;
  }
  return n;
}

// The integer a string stands for when it is the canonical form of one.
std::optional<int64_t> AsCanonicalInt(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  const char c = s[0];
  if (c != '-' && (c < '0' || c > '9')) return std::nullopt;
  return ParseInt64(s);
}

[[noreturn]] void OutOfMemory() { std::abort(); }

}  // namespace

// An entry ready to be written: encoding (plus length bytes, or the whole integer), the string
// data (not copied), and the backlen.
struct LpEncoded {
  unsigned char head[9];
  uint8_t head_len = 0;
  uint8_t back_len = 0;
  unsigned char back[5];
  const char* data = nullptr;
  size_t data_len = 0;

  size_t total() const { return head_len + data_len + back_len; }

  void SetInt(int64_t v) {
    if (v >= 0 && v <= 127) {
      head[0] = static_cast<unsigned char>(v);
      head_len = 1;
    } else if (v >= -4096 && v <= 4095) {
      const uint64_t u = static_cast<uint64_t>(v) & 0x1FFF;
      head[0] = static_cast<unsigned char>(0xC0 | (u >> 8));
      head[1] = static_cast<unsigned char>(u);
      head_len = 2;
    } else {
      const uint64_t u = static_cast<uint64_t>(v);
      int bytes;
      if (v >= -32768 && v <= 32767) {
        head[0] = 0xF1;
        bytes = 2;
      } else if (v >= -8388608 && v <= 8388607) {
        head[0] = 0xF2;
        bytes = 3;
      } else if (v >= INT32_MIN && v <= INT32_MAX) {
        head[0] = 0xF3;
        bytes = 4;
      } else {
        head[0] = 0xF4;
        bytes = 8;
      }
      for (int i = 0; i < bytes; ++i) head[1 + i] = static_cast<unsigned char>(u >> (8 * i));
      head_len = static_cast<uint8_t>(1 + bytes);
    }
    data = nullptr;
    data_len = 0;
    back_len = EncodeBacklen(head_len, back);
  }

  void SetString(std::string_view s) {
    if (auto v = AsCanonicalInt(s)) return SetInt(*v);
    const size_t len = s.size();
    if (len > UINT32_MAX) OutOfMemory();  // unrepresentable; callers convert long before
    if (len < 64) {
      head[0] = static_cast<unsigned char>(0x80 | len);
      head_len = 1;
    } else if (len < 4096) {
      head[0] = static_cast<unsigned char>(0xE0 | (len >> 8));
      head[1] = static_cast<unsigned char>(len);
      head_len = 2;
    } else {
      head[0] = 0xF0;
      for (int i = 0; i < 4; ++i) head[1 + i] = static_cast<unsigned char>(len >> (8 * i));
      head_len = 5;
    }
    data = s.data();
    data_len = len;
    back_len = EncodeBacklen(head_len + len, back);
  }

  unsigned char* WriteTo(unsigned char* dst) const {
    std::memcpy(dst, head, head_len);
    dst += head_len;
    if (data_len != 0) std::memcpy(dst, data, data_len);
    dst += data_len;
    std::memcpy(dst, back, back_len);
    return dst + back_len;
  }
};

std::string_view LpEntry::View(char* buf) const {
  if (str != nullptr) return {str, len};
  return {buf, FormatInt64(ival, buf)};
}

// ---- Construction ----------------------------------------------------------------------------

Listpack::Listpack() : buf_(const_cast<unsigned char*>(kEmptyBuf)) {}

Listpack::~Listpack() {
  if (!IsShared()) std::free(buf_);
}

Listpack::Listpack(const Listpack& o) : buf_(const_cast<unsigned char*>(kEmptyBuf)) {
  if (o.IsShared()) return;
  const size_t n = o.bytes();
  auto* p = static_cast<unsigned char*>(std::malloc(n));
  if (p == nullptr) OutOfMemory();
  std::memcpy(p, o.buf_, n);
  buf_ = p;
}

Listpack& Listpack::operator=(const Listpack& o) {
  if (this != &o) {
    Listpack copy(o);
    *this = std::move(copy);
  }
  return *this;
}

Listpack::Listpack(Listpack&& o) noexcept : buf_(o.buf_) {
  o.buf_ = const_cast<unsigned char*>(kEmptyBuf);
}

Listpack& Listpack::operator=(Listpack&& o) noexcept {
  if (this != &o) {
    if (!IsShared()) std::free(buf_);
    buf_ = o.buf_;
    o.buf_ = const_cast<unsigned char*>(kEmptyBuf);
  }
  return *this;
}

bool Listpack::IsShared() const { return buf_ == kEmptyBuf; }

bool Listpack::Validate(const unsigned char* p, size_t len, bool deep) {
  if (p == nullptr || len < kHeaderSize + 1) return false;
  if (ReadU32(p) != len) return false;
  const size_t last = len - 1;  // the terminator
  if (p[last] != kEof) return false;
  if (!deep) return true;

  size_t count = 0;
  size_t off = kHeaderSize;
  while (p[off] != kEof) {  // off <= last throughout, and p[last] is the terminator
    const unsigned char b = p[off];
    // Bytes to read before the size is known.
    size_t hdr;
    if (b < 0xE0 || (b >= 0xF1 && b <= 0xF4)) {
      hdr = 1;
    } else if (b < 0xF0) {
      hdr = 2;
    } else if (b == 0xF0) {
      hdr = 5;
    } else {
      return false;  // 0xF5..0xFE encode nothing
    }
    if (off + hdr > last) return false;
    const uint64_t total = EntrySize(p + off);  // < 2^33, cannot overflow
    if (total > last - off) return false;
    off += total;
    // The backlen must describe the entry it ends; it lies inside that entry (>= 2 bytes) and
    // reads at most 5 bytes leftwards from off-1 >= 7, so it stays inside the buffer.
    const uint64_t enc = DecodeBacklen(p + off - 1);
    if (enc == UINT64_MAX || enc + BacklenSize(enc) != total) return false;
    ++count;
  }
  if (off != last) return false;
  const uint32_t numele = p[4] | (uint32_t{p[5]} << 8);
  return numele == kCountUnknown || numele == count;
}

Listpack Listpack::FromBytes(const unsigned char* p, size_t len) {
  Listpack lp;
  if (!Validate(p, len, false) || len == kHeaderSize + 1) return lp;
  auto* b = static_cast<unsigned char*>(std::malloc(len));
  if (b == nullptr) OutOfMemory();
  std::memcpy(b, p, len);
  lp.buf_ = b;
  return lp;
}

std::optional<Listpack> Listpack::TryFromBytes(const unsigned char* p, size_t len, bool deep) {
  if (!Validate(p, len, deep)) return std::nullopt;
  return FromBytes(p, len);
}

// ---- Reading ---------------------------------------------------------------------------------

size_t Listpack::bytes() const { return ReadU32(buf_); }

size_t Listpack::size() const {
  const uint32_t n = HeaderCount();
  if (n != kCountUnknown) return n;
  size_t count = 0;
  for (size_t off = kHeaderSize; buf_[off] != kEof; off += EntrySize(buf_ + off)) ++count;
  // The header can hold it again (deletions leave it "unknown"): store it as Redis does.
  if (count < kCountUnknown) SetHeaderCount(static_cast<uint32_t>(count));
  return count;
}

uint64_t Listpack::EntrySizeSlow(const unsigned char* e) {
  const unsigned char b = e[0];
  if (b < 0xF0) {  // 12-bit string
    const uint64_t l = 2 + ((uint64_t{b} & 0xF) << 8 | e[1]);
    return l + BacklenSize(l);
  }
  switch (b) {
    case 0xF0: {
      const uint64_t l = 5 + uint64_t{ReadU32(e + 1)};
      return l + BacklenSize(l);
    }
    case 0xF1:
      return 4;
    case 0xF2:
      return 5;
    case 0xF3:
      return 6;
    case 0xF4:
      return 10;
    default:
      return 2;  // corrupt (or the terminator): step forward rather than stand still
  }
}

LpEntry Listpack::GetSlow(const unsigned char* e) {
  const unsigned char b = e[0];
  if (b < 0xE0) {  // 13-bit integer
    const int64_t u = (int64_t{b} & 0x1F) << 8 | e[1];
    return LpEntry{nullptr, 0, u >= 4096 ? u - 8192 : u};
  }
  if (b < 0xF0) {
    const uint32_t len = (uint32_t{b} & 0xF) << 8 | e[1];
    return LpEntry{reinterpret_cast<const char*>(e + 2), len, 0};
  }
  switch (b) {
    case 0xF0:
      return LpEntry{reinterpret_cast<const char*>(e + 5), ReadU32(e + 1), 0};
    case 0xF1:
      return LpEntry{nullptr, 0, static_cast<int16_t>(e[1] | (e[2] << 8))};
    case 0xF2: {
      const int64_t u = e[1] | (e[2] << 8) | (int64_t{e[3]} << 16);
      return LpEntry{nullptr, 0, u >= (1 << 23) ? u - (1 << 24) : u};
    }
    case 0xF3:
      return LpEntry{nullptr, 0, static_cast<int32_t>(ReadU32(e + 1))};
    case 0xF4: {
      const uint64_t u = uint64_t{ReadU32(e + 1)} | uint64_t{ReadU32(e + 5)} << 32;
      return LpEntry{nullptr, 0, static_cast<int64_t>(u)};
    }
    default:  // corrupt: Redis reports this recognisable integer rather than crashing
      return LpEntry{nullptr, 0, static_cast<int64_t>(12345678900000000ULL + b)};
  }
}

Listpack::Pos Listpack::Prev(Pos p) const {
  if (p <= kHeaderSize) return kNone;
  const uint64_t l = DecodeBacklen(buf_ + p - 1);
  return static_cast<Pos>(p - (l + BacklenSize(l)));
}

Listpack::Pos Listpack::Last() const { return Prev(static_cast<Pos>(bytes() - 1)); }

Listpack::Pos Listpack::Seek(int64_t index) const {
  // Walk from whichever end is nearer; without a count, positive indexes go forward and
  // negative ones backward (Redis lpSeek).
  bool forward = true;
  const uint32_t n = HeaderCount();
  if (n != kCountUnknown) {
    if (index < 0) index += n;
    if (index < 0 || index >= int64_t{n}) return kNone;
    if (index > int64_t{n} / 2) {
      forward = false;
      index -= n;
    }
  } else if (index < 0) {
    forward = false;
  }
  if (forward) {
    Pos p = First();
    for (; index > 0 && p != kNone; --index) p = Next(p);
    return p;
  }
  Pos p = Last();
  for (; index < -1 && p != kNone; ++index) p = Prev(p);
  return p;
}

bool Listpack::Equals(Pos p, std::string_view s) const {
  const LpEntry e = Get(p);
  if (!e.is_int()) {
    return e.len == s.size() && (e.len == 0 || std::memcmp(e.str, s.data(), e.len) == 0);
  }
  auto v = AsCanonicalInt(s);
  return v && *v == e.ival;
}

Listpack::Pos Listpack::Find(Pos p, std::string_view s, uint32_t skip) const {
  if (p == kNone) return kNone;
  const unsigned char* base = buf_;
  const size_t slen = s.size();
  // The integer form of `s`, computed the first time an integer entry is met (0: not yet,
  // 1: s is an integer, -1: it is not).
  int int_state = 0;
  int64_t sval = 0;
  size_t off = p;
  for (;;) {
    const unsigned char* e = base + off;
    const unsigned char b = e[0];
    if ((b & 0xC0) == 0x80) {  // 6-bit string, the common case: sized by its first byte
      const size_t len = b & 0x3Fu;
      // Keys often share a prefix ("field:1", "field:2"), so the last byte rejects first.
      if (len == slen && (len == 0 || (e[len] == static_cast<unsigned char>(s[len - 1]) &&
                                       std::memcmp(e + 1, s.data(), len) == 0))) {
        return off;
      }
      off += len + 2;
    } else {
      const LpEntry en = b < 0x80 ? LpEntry{nullptr, 0, b} : GetSlow(e);
      if (!en.is_int()) {
        if (en.len == slen && (slen == 0 || std::memcmp(en.str, s.data(), slen) == 0)) {
          return off;
        }
      } else {
        if (int_state == 0) {
          auto v = AsCanonicalInt(s);
          int_state = v ? 1 : -1;
          if (v) sval = *v;
        }
        if (int_state > 0 && en.ival == sval) return off;
      }
      off += EntrySize(e);
    }
    if (base[off] == kEof) return kNone;
    for (uint32_t k = skip; k != 0; --k) {
      off += EntrySize(base + off);
      if (base[off] == kEof) return kNone;
    }
  }
}

size_t Listpack::MemoryUsage() const { return IsShared() ? 0 : malloc_usable_size(buf_); }

// ---- Writing ---------------------------------------------------------------------------------

void Listpack::SetBytes(size_t n) {
  buf_[0] = static_cast<unsigned char>(n);
  buf_[1] = static_cast<unsigned char>(n >> 8);
  buf_[2] = static_cast<unsigned char>(n >> 16);
  buf_[3] = static_cast<unsigned char>(n >> 24);
}

void Listpack::AddCount(int64_t delta) {
  const uint32_t n = HeaderCount();
  if (n == kCountUnknown) return;  // stays unknown until size() recounts
  int64_t c = int64_t{n} + delta;
  if (c > kCountUnknown) c = kCountUnknown;
  if (c < 0) c = 0;
  SetHeaderCount(static_cast<uint32_t>(c));
}

bool Listpack::Aliases(std::string_view s) const {
  const auto d = reinterpret_cast<uintptr_t>(s.data());
  const auto b = reinterpret_cast<uintptr_t>(buf_);
  return d >= b && d < b + bytes();
}

unsigned char* Listpack::Splice(Pos at, size_t old_len, size_t new_len) {
  const size_t old_bytes = bytes();
  const size_t new_bytes = old_bytes - old_len + new_len;
  if (new_bytes > UINT32_MAX) OutOfMemory();  // the header cannot record it
  const size_t tail = old_bytes - at - old_len;
  if (IsShared()) {
    auto* b = static_cast<unsigned char*>(std::malloc(new_bytes));
    if (b == nullptr) OutOfMemory();
    std::memcpy(b, buf_, at);
    std::memcpy(b + at + new_len, buf_ + at + old_len, tail);
    buf_ = b;
  } else if (new_bytes > old_bytes) {
    if (new_bytes > malloc_usable_size(buf_)) {
      auto* b = static_cast<unsigned char*>(std::realloc(buf_, new_bytes));
      if (b == nullptr) OutOfMemory();
      buf_ = b;
    }
    std::memmove(buf_ + at + new_len, buf_ + at + old_len, tail);
  } else {
    if (new_len != old_len) std::memmove(buf_ + at + new_len, buf_ + at + old_len, tail);
    if (new_bytes < old_bytes) {
      auto* b = static_cast<unsigned char*>(std::realloc(buf_, new_bytes));
      if (b == nullptr) OutOfMemory();
      buf_ = b;
    }
  }
  SetBytes(new_bytes);
  return buf_ + at;
}

Listpack::Pos Listpack::InsertEncoded(Pos at, const LpEncoded* items, int n) {
  size_t total = 0;
  for (int i = 0; i < n; ++i) total += items[i].total();
  unsigned char* dst = Splice(at, 0, total);
  for (int i = 0; i < n; ++i) dst = items[i].WriteTo(dst);
  AddCount(n);
  return at;
}

Listpack::Pos Listpack::ReplaceEncoded(Pos p, const LpEncoded& item) {
  const size_t old_len = EntrySize(buf_ + p);
  item.WriteTo(Splice(p, old_len, item.total()));
  return p;
}

void Listpack::Append(std::string_view s) { InsertBefore(kNone, s); }

void Listpack::AppendInt(int64_t v) { InsertIntBefore(kNone, v); }

void Listpack::Prepend(std::string_view s) {
  if (Aliases(s)) return Prepend(std::string(s));
  LpEncoded enc;
  enc.SetString(s);
  InsertEncoded(kHeaderSize, &enc, 1);
}

void Listpack::PrependInt(int64_t v) {
  LpEncoded enc;
  enc.SetInt(v);
  InsertEncoded(kHeaderSize, &enc, 1);
}

void Listpack::AppendPair(std::string_view a, std::string_view b) { InsertPairBefore(kNone, a, b); }

Listpack::Pos Listpack::InsertBefore(Pos p, std::string_view s) {
  if (Aliases(s)) return InsertBefore(p, std::string(s));
  LpEncoded enc;
  enc.SetString(s);
  return InsertEncoded(p == kNone ? static_cast<Pos>(bytes() - 1) : p, &enc, 1);
}

Listpack::Pos Listpack::InsertAfter(Pos p, std::string_view s) {
  return InsertBefore(p + static_cast<Pos>(EntrySize(buf_ + p)), s);
}

Listpack::Pos Listpack::InsertIntBefore(Pos p, int64_t v) {
  LpEncoded enc;
  enc.SetInt(v);
  return InsertEncoded(p == kNone ? static_cast<Pos>(bytes() - 1) : p, &enc, 1);
}

Listpack::Pos Listpack::InsertPairBefore(Pos p, std::string_view a, std::string_view b) {
  if (Aliases(a) || Aliases(b)) return InsertPairBefore(p, std::string(a), std::string(b));
  LpEncoded enc[2];
  enc[0].SetString(a);
  enc[1].SetString(b);
  return InsertEncoded(p == kNone ? static_cast<Pos>(bytes() - 1) : p, enc, 2);
}

Listpack::Pos Listpack::Replace(Pos p, std::string_view s) {
  if (Aliases(s)) return Replace(p, std::string(s));
  LpEncoded enc;
  enc.SetString(s);
  return ReplaceEncoded(p, enc);
}

Listpack::Pos Listpack::ReplaceInt(Pos p, int64_t v) {
  LpEncoded enc;
  enc.SetInt(v);
  return ReplaceEncoded(p, enc);
}

Listpack::Pos Listpack::Delete(Pos p) { return DeleteRange(p, size_t{1}); }

Listpack::Pos Listpack::DeleteRange(Pos p, size_t count) {
  if (p == kNone || count == 0) return p;
  size_t end = p;
  size_t deleted = 0;
  for (; deleted < count && buf_[end] != kEof; ++deleted) end += EntrySize(buf_ + end);
  Splice(p, end - p, 0);
  AddCount(-static_cast<int64_t>(deleted));
  return buf_[p] == kEof ? kNone : p;
}

void Listpack::DeleteRange(int64_t index, size_t count) {
  if (count == 0) return;
  DeleteRange(Seek(index), count);
}

void Listpack::Clear() {
  if (IsShared()) return;
  Splice(kHeaderSize, bytes() - kHeaderSize - 1, 0);
  SetHeaderCount(0);
}

}  // namespace baozi
