// Ziplist and zipmap walkers (see legacy_encodings.h).
//
// Ziplist layout: u32 total bytes, u32 offset of the last entry, u16 entry count (65535 =
// unknown), the entries, then 0xFF. Each entry starts with the byte size of the previous entry
// (one byte below 254, else 0xFE and a u32), then an encoding: 00llllll, 01llllll llllllll and
// 10______ + u32 big endian are strings of that many bytes; 0xC0/0xD0/0xE0/0xF0/0xFE are
// 16/32/64/24/8-bit little-endian integers; 0xF1..0xFD are the integers 0..12 in the byte
// itself. Because each entry records its predecessor's size, validation checks that chain
// as well as the bounds.
//
// Zipmap layout: a u8 pair count (254 = unknown), then field length, field, value length, one
// byte of trailing free space, value, that many free bytes, ..., and 0xFF. Lengths are one
// byte below 254, else 0xFE and a u32 little endian.
#include "persistence/legacy_encodings.h"

#include <cstring>
#include <vector>

namespace baozi::rdb::legacy {
namespace {

uint32_t Le32(const unsigned char* p) {
  return p[0] | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}

constexpr size_t kZlHeader = 10;
constexpr unsigned char kZlEnd = 0xFF;

// Decodes the entry at `off`; false when it is malformed or runs past `end` (the offset of
// the terminator). On success sets the entry's total size and its content.
bool ZlEntry(const unsigned char* zl, size_t off, size_t end, uint32_t* prevlen, size_t* size,
             ZlItem* item) {
  size_t p = off;
  if (p >= end) return false;
  if (zl[p] < 254) {
    *prevlen = zl[p];
    p += 1;
  } else if (zl[p] == 254) {
    if (end - p < 5) return false;
    *prevlen = Le32(zl + p + 1);
    p += 5;
  } else {
    return false;
  }
  if (p >= end) return false;
  const unsigned char enc = zl[p];
  uint64_t len = 0;
  size_t header = 0;
  item->is_int = false;
  if (enc < 0xC0) {
    switch (enc & 0xC0) {
      case 0x00:
        len = enc & 0x3F;
        header = 1;
        break;
      case 0x40:
        if (end - p < 2) return false;
        len = ((enc & 0x3Fu) << 8) | zl[p + 1];
        header = 2;
        break;
      default:
        if (end - p < 5) return false;
        len = (uint32_t{zl[p + 1]} << 24) | (uint32_t{zl[p + 2]} << 16) |
              (uint32_t{zl[p + 3]} << 8) | zl[p + 4];
        header = 5;
        break;
    }
    if (end - p - header < len) return false;
    item->str = std::string_view(reinterpret_cast<const char*>(zl + p + header), len);
  } else {
    item->is_int = true;
    header = 1;
    const unsigned char* d = zl + p + 1;
    auto need = [&](size_t n) { return end - p - 1 >= n; };
    switch (enc) {
      case 0xC0:
        if (!need(2)) return false;
        item->ival = static_cast<int16_t>(d[0] | (d[1] << 8));
        len = 2;
        break;
      case 0xD0:
        if (!need(4)) return false;
        item->ival = static_cast<int32_t>(Le32(d));
        len = 4;
        break;
      case 0xE0: {
        if (!need(8)) return false;
        uint64_t v = 0;
        for (int i = 7; i >= 0; --i) v = (v << 8) | d[i];
        item->ival = static_cast<int64_t>(v);
        len = 8;
        break;
      }
      case 0xF0: {
        if (!need(3)) return false;
        const uint32_t v = (uint32_t{d[0]} << 8) | (uint32_t{d[1]} << 16) | (uint32_t{d[2]} << 24);
        item->ival = static_cast<int32_t>(v) >> 8;
        len = 3;
        break;
      }
      case 0xFE:
        if (!need(1)) return false;
        item->ival = static_cast<int8_t>(d[0]);
        len = 1;
        break;
      default:
        if (enc >= 0xF1 && enc <= 0xFD) {
          item->ival = (enc & 0x0F) - 1;
          len = 0;
          break;
        }
        return false;
    }
  }
  *size = (p - off) + header + len;
  return true;
}

bool ZipmapLen(const unsigned char* zm, size_t size, size_t* p, uint64_t* len) {
  if (*p >= size) return false;
  if (zm[*p] < 254) {
    *len = zm[*p];
    *p += 1;
    return true;
  }
  if (size - *p < 5) return false;
  *len = Le32(zm + *p + 1);
  *p += 5;
  return true;
}

}  // namespace

bool WalkZiplist(std::string_view bytes, const std::function<bool(const ZlItem&)>& fn) {
  const auto* zl = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t size = bytes.size();
  if (size < kZlHeader + 1) return false;
  if (Le32(zl) != size) return false;
  const uint32_t tail = Le32(zl + 4);
  if (tail > size - 1) return false;
  if (zl[size - 1] != kZlEnd) return false;
  const uint32_t header_count = zl[8] | (uint32_t{zl[9]} << 8);

  const size_t end = size - 1;
  // First pass: validate everything, remembering where entries start.
  std::vector<uint32_t> starts;
  size_t off = kZlHeader;
  size_t prev_size = 0;
  while (off < end) {
    if (zl[off] == kZlEnd) break;
    uint32_t prevlen;
    size_t esize;
    ZlItem item;
    if (!ZlEntry(zl, off, end, &prevlen, &esize, &item)) return false;
    if (prevlen != prev_size) return false;
    starts.push_back(static_cast<uint32_t>(off));
    prev_size = esize;
    off += esize;
  }
  if (off != end) return false;
  const size_t expected_tail = starts.empty() ? kZlHeader : starts.back();
  if (tail != expected_tail) return false;
  if (header_count != 0xFFFF && header_count != starts.size()) return false;

  for (uint32_t s : starts) {
    uint32_t prevlen;
    size_t esize;
    ZlItem item;
    ZlEntry(zl, s, end, &prevlen, &esize, &item);
    if (!fn(item)) return false;
  }
  return true;
}

bool WalkZipmap(std::string_view bytes,
                const std::function<bool(std::string_view, std::string_view)>& fn) {
  const auto* zm = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t size = bytes.size();
  if (size < 2) return false;
  struct Pair {
    size_t f, flen, v, vlen;
  };
  std::vector<Pair> pairs;
  size_t p = 1;
  while (true) {
    if (p >= size) return false;
    if (zm[p] == 0xFF) break;
    uint64_t flen;
    uint64_t vlen;
    if (!ZipmapLen(zm, size, &p, &flen)) return false;
    if (size - p < flen) return false;
    const size_t f = p;
    p += flen;
    if (!ZipmapLen(zm, size, &p, &vlen)) return false;
    if (p >= size) return false;
    const size_t free_bytes = zm[p++];
    if (size - p < vlen || size - p - vlen < free_bytes) return false;
    pairs.push_back({f, flen, p, vlen});
    p += vlen + free_bytes;
  }
  if (pairs.empty()) return false;
  if (zm[0] != 254 && zm[0] != pairs.size()) return false;
  if (p != size - 1) return false;
  for (const Pair& pr : pairs) {
    if (!fn(bytes.substr(pr.f, pr.flen), bytes.substr(pr.v, pr.vlen))) return false;
  }
  return true;
}

}  // namespace baozi::rdb::legacy
