// A value stored under a key. Strings keep Redis's three encodings because OBJECT ENCODING must
// answer as Redis would and because integers are worth storing as integers: "int" (the value is
// the canonical decimal form of an int64 and at most 20 bytes), "embstr" (at most 44 bytes, the
// size Redis allocates together with its object header) and "raw" (longer, or a value that was
// modified in place by APPEND, SETRANGE, SETBIT...).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "storage/numbers.h"

namespace baozi {

enum class ObjType : uint8_t { kString, kList, kSet, kZset, kHash };

enum class Encoding : uint8_t { kInt, kEmbStr, kRaw };

inline constexpr size_t kEmbStrMaxLen = 44;
inline constexpr size_t kIntBufSize = 24;

// Redis's name for a type, as TYPE and SCAN TYPE spell it.
std::string_view TypeName(ObjType t);

class Value {
 public:
  Value() : data_(std::string()) {}

  // A string as SET stores it: integer-encoded when it is a canonical int64 of <= 20 bytes.
  static Value FromString(std::string_view s) {
    Value v;
    if (s.size() <= 20) {
      if (auto n = ParseInt64(s)) {
        v.data_ = *n;
        return v;
      }
    }
    v.data_ = std::string(s);
    v.enc_ = s.size() <= kEmbStrMaxLen ? Encoding::kEmbStr : Encoding::kRaw;
    return v;
  }
  // A string that is never integer-encoded (INCRBYFLOAT results): embstr or raw by length.
  static Value FromStringNoInt(std::string s) {
    Value v;
    v.enc_ = s.size() <= kEmbStrMaxLen ? Encoding::kEmbStr : Encoding::kRaw;
    v.data_ = std::move(s);
    return v;
  }
  // A string built in place (SETRANGE, SETBIT, BITOP, APPEND on an existing value): always raw.
  static Value RawString(std::string s) {
    Value v;
    v.data_ = std::move(s);
    v.enc_ = Encoding::kRaw;
    return v;
  }
  static Value FromInt(int64_t n) {
    Value v;
    v.data_ = n;
    return v;
  }

  ObjType type() const { return type_; }
  bool is_string() const { return type_ == ObjType::kString; }
  Encoding encoding() const {
    return std::holds_alternative<int64_t>(data_) ? Encoding::kInt : enc_;
  }
  bool is_int() const { return std::holds_alternative<int64_t>(data_); }
  int64_t int_value() const { return std::get<int64_t>(data_); }

  // The string form. Integer-encoded values are printed into `buf` (kIntBufSize bytes).
  std::string_view View(char* buf) const {
    if (auto* n = std::get_if<int64_t>(&data_)) return {buf, FormatInt64(*n, buf)};
    return std::get<std::string>(data_);
  }
  std::string ToString() const {
    char buf[kIntBufSize];
    return std::string(View(buf));
  }
  size_t StringLength() const {
    char buf[kIntBufSize];
    return View(buf).size();
  }
  // Converts to a raw string for in-place modification (Redis dbUnshareStringValue).
  std::string& MutableString() {
    if (auto* n = std::get_if<int64_t>(&data_)) data_ = Int64ToString(*n);
    enc_ = Encoding::kRaw;
    return std::get<std::string>(data_);
  }

  // LRU clock in seconds for OBJECT IDLETIME (Redis keeps 24 bits of it; we keep 32).
  uint32_t lru() const { return lru_; }
  void set_lru(uint32_t s) { lru_ = s; }

  size_t MemoryUsage() const;

 private:
  ObjType type_ = ObjType::kString;
  Encoding enc_ = Encoding::kEmbStr;
  uint32_t lru_ = 0;
  std::variant<int64_t, std::string> data_;
};

}  // namespace baozi
