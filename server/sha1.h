// SHA-1 (FIPS 180-4), small and self-contained: DEBUG DIGEST mixes SHA-1 hashes exactly as
// Redis's debug.c does, and script ids (EVAL's SHA1) reuse it later. Not for security.
//
//   Sha1 h;
//   h.Update(data, len);
//   Sha1::Digest d = h.Final();          // 20 bytes
//   std::string hex = Sha1::Hex(d);      // 40 lowercase hex digits
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace baozi {

class Sha1 {
 public:
  using Digest = std::array<uint8_t, 20>;

  Sha1() { Reset(); }
  void Reset();
  void Update(const void* data, size_t len);
  Digest Final();

  static Digest Of(const void* data, size_t len) {
    Sha1 h;
    h.Update(data, len);
    return h.Final();
  }
  static Digest Of(std::string_view s) { return Of(s.data(), s.size()); }
  static std::string Hex(const Digest& d);

 private:
  void Block(const uint8_t* p);

  uint32_t state_[5];
  uint64_t length_ = 0;  // bytes hashed so far
  uint8_t buf_[64];
  size_t buf_len_ = 0;
};

}  // namespace baozi
