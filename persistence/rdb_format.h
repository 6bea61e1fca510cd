// The vocabulary shared by the RDB writer and reader: opcodes, object type ids, and the
// length, integer and double encodings, as Redis 7.0's rdb.h defines them.
//
// Lengths. The top two bits of the first byte choose the form: 00 a 6-bit length in the same
// byte, 01 a 14-bit length (big endian across two bytes), 10 followed by a 32-bit (0x80) or
// 64-bit (0x81) big-endian length, and 11 "encoded string" whose low six bits say which
// special string form follows: an 8, 16 or 32-bit little-endian integer, or an LZF block
// (compressed length, original length, compressed bytes).
//
// Everything else in the file is little endian: millisecond deadlines (8 bytes), second
// deadlines of old files (4 bytes), binary doubles (8 bytes), the CRC-64 trailer.
#pragma once

#include <cstddef>
#include <cstdint>

namespace baozi::rdb {

// Object types (the byte before a key).
enum Type : uint8_t {
  kTypeString = 0,
  kTypeList = 1,
  kTypeSet = 2,
  kTypeZset = 3,
  kTypeHash = 4,
  kTypeZset2 = 5,
  kTypeModulePreGa = 6,
  kTypeModule2 = 7,
  kTypeHashZipmap = 9,
  kTypeListZiplist = 10,
  kTypeSetIntset = 11,
  kTypeZsetZiplist = 12,
  kTypeHashZiplist = 13,
  kTypeListQuicklist = 14,
  kTypeStreamListpacks = 15,
  kTypeHashListpack = 16,
  kTypeZsetListpack = 17,
  kTypeListQuicklist2 = 18,
  kTypeStreamListpacks2 = 19,
  // Redis 7.2 (RDB version 11; 20 is its SET_LISTPACK): consumers also carry an active time.
  kTypeStreamListpacks3 = 21,
};

// Redis rdbIsObjectType for version 10, plus Redis 7.2's stream type 21, which we load as an
// extension (7.0.15 refuses it). 20, 7.2's set listpack, stays unknown.
inline bool IsObjectType(int t) {
  return (t >= 0 && t <= 7) || (t >= 9 && t <= 19) || t == kTypeStreamListpacks3;
}

// Opcodes (bytes that are not object types).
enum Opcode : uint8_t {
  kOpFunction2 = 245,
  kOpFunction = 246,
  kOpModuleAux = 247,
  kOpIdle = 248,
  kOpFreq = 249,
  kOpAux = 250,
  kOpResizeDb = 251,
  kOpExpireTimeMs = 252,
  kOpExpireTime = 253,
  kOpSelectDb = 254,
  kOpEof = 255,
};

// Length forms.
inline constexpr uint8_t kLen6Bit = 0;
inline constexpr uint8_t kLen14Bit = 1;
inline constexpr uint8_t kLen32Bit = 0x80;
inline constexpr uint8_t kLen64Bit = 0x81;
inline constexpr uint8_t kEncVal = 3;
// Special string encodings (after an kEncVal byte).
inline constexpr uint8_t kEncInt8 = 0;
inline constexpr uint8_t kEncInt16 = 1;
inline constexpr uint8_t kEncInt32 = 2;
inline constexpr uint8_t kEncLzf = 3;

// Quicklist node containers in RDB_TYPE_LIST_QUICKLIST_2.
inline constexpr uint64_t kContainerPlain = 1;
inline constexpr uint64_t kContainerPacked = 2;

// Old-style string doubles (RDB_TYPE_ZSET): the length byte's special values.
inline constexpr uint8_t kDoubleNan = 253;
inline constexpr uint8_t kDoublePosInf = 254;
inline constexpr uint8_t kDoubleNegInf = 255;

// Writes the length form of `len` into `out` (at least 9 bytes); returns the bytes used.
inline size_t EncodeLength(uint64_t len, unsigned char* out) {
  if (len < (1u << 6)) {
    out[0] = static_cast<unsigned char>(len);
    return 1;
  }
  if (len < (1u << 14)) {
    out[0] = static_cast<unsigned char>((len >> 8) | (kLen14Bit << 6));
    out[1] = static_cast<unsigned char>(len);
    return 2;
  }
  if (len <= UINT32_MAX) {
    out[0] = kLen32Bit;
    for (int i = 0; i < 4; ++i) out[1 + i] = static_cast<unsigned char>(len >> (24 - 8 * i));
    return 5;
  }
  out[0] = kLen64Bit;
  for (int i = 0; i < 8; ++i) out[1 + i] = static_cast<unsigned char>(len >> (56 - 8 * i));
  return 9;
}

// The integer string forms for values that fit 8, 16 or 32 bits (Redis rdbEncodeInteger);
// returns the bytes used, or 0 when the value needs more.
inline size_t EncodeInteger(int64_t v, unsigned char* out) {
  size_t n;
  if (v >= -(1 << 7) && v <= (1 << 7) - 1) {
    out[0] = (kEncVal << 6) | kEncInt8;
    n = 1;
  } else if (v >= -(1 << 15) && v <= (1 << 15) - 1) {
    out[0] = (kEncVal << 6) | kEncInt16;
    n = 2;
  } else if (v >= -(int64_t{1} << 31) && v <= (int64_t{1} << 31) - 1) {
    out[0] = (kEncVal << 6) | kEncInt32;
    n = 4;
  } else {
    return 0;
  }
  const auto u = static_cast<uint64_t>(v);
  for (size_t i = 0; i < n; ++i) out[1 + i] = static_cast<unsigned char>(u >> (8 * i));
  return n + 1;
}

inline void PutLe64(uint64_t v, unsigned char* out) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<unsigned char>(v >> (8 * i));
}
inline uint64_t GetLe64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
inline uint32_t GetLe32(const unsigned char* p) {
  return p[0] | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}

}  // namespace baozi::rdb
