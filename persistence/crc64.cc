// CRC-64/Jones, the checksum of RDB files and DUMP payloads, as Redis's crc64.c computes it:
// polynomial 0xad93d23594c935a9, reflected input and output, initial value 0, no final xor.
//
// Reflected CRCs are computed LSB first, so the table-driven step is the reflected polynomial
// (0x95ac9329ac4bc9b5) shifted right. One table gives a byte per step; eight tables, where
// table k holds the CRC of a byte followed by k zero bytes, let one 64-bit load advance eight
// bytes with eight independent lookups ("slicing by 8"), several times faster on files of
// hundreds of megabytes. The tables are built once at compile time.
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

#include "persistence/rdb.h"

namespace baozi::rdb {
namespace {

constexpr uint64_t kReflectedPoly = 0x95ac9329ac4bc9b5ULL;

using Tables = std::array<std::array<uint64_t, 256>, 8>;

constexpr Tables MakeTables() {
  Tables t{};
  for (uint64_t b = 0; b < 256; ++b) {
    uint64_t crc = b;
    for (int i = 0; i < 8; ++i) crc = (crc & 1) ? (crc >> 1) ^ kReflectedPoly : crc >> 1;
    t[0][b] = crc;
  }
  for (size_t k = 1; k < 8; ++k) {
    for (size_t b = 0; b < 256; ++b) t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xff];
  }
  return t;
}

constexpr Tables kTables = MakeTables();

}  // namespace

uint64_t Crc64(uint64_t crc, const void* data, size_t len) {
  const auto* p = static_cast<const unsigned char*>(data);
  while (len >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
    crc ^= w;
    crc = kTables[7][crc & 0xff] ^ kTables[6][(crc >> 8) & 0xff] ^ kTables[5][(crc >> 16) & 0xff] ^
          kTables[4][(crc >> 24) & 0xff] ^ kTables[3][(crc >> 32) & 0xff] ^
          kTables[2][(crc >> 40) & 0xff] ^ kTables[1][(crc >> 48) & 0xff] ^ kTables[0][crc >> 56];
    p += 8;
    len -= 8;
  }
  while (len-- > 0) crc = kTables[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return crc;
}

}  // namespace baozi::rdb
