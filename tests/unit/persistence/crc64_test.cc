#include <catch2/catch.hpp>
#include <string>

#include "persistence/rdb.h"

namespace baozi::rdb {
namespace {

TEST_CASE("CRC-64 check value matches Redis's crc64.c", "[crc64]") {
  CHECK(Crc64(0, "123456789", 9) == 0xe9c6d914c4b8d9caULL);
  CHECK(Crc64(0, "", 0) == 0);
}

TEST_CASE("CRC-64 chains across any split", "[crc64]") {
  std::string s;
  for (int i = 0; i < 1000; ++i) s.push_back(static_cast<char>(i * 37 + (i >> 3)));
  const uint64_t whole = Crc64(0, s.data(), s.size());
  for (size_t cut = 0; cut <= s.size(); cut += 7) {
    CHECK(Crc64(Crc64(0, s.data(), cut), s.data() + cut, s.size() - cut) == whole);
  }
  // A bytewise reference, against the sliced loop.
  uint64_t crc = 0;
  for (unsigned char c : s) crc = Crc64(crc, &c, 1);
  CHECK(crc == whole);
}

}  // namespace
}  // namespace baozi::rdb
