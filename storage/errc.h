// Errors returned by storage operations. Storage never sees a reply or a client, so
// operations report an Errc and the server maps it to Redis's exact text
// (server/reply_errors.cc). Keep this list in step with ToMessage() there.
#pragma once

#include <cstdint>
#include <expected>

namespace baozi {

enum class Errc : uint8_t {
  kWrongType,      // WRONGTYPE Operation against a key holding the wrong kind of value
  kNotInteger,     // value is not an integer or out of range
  kNotFloat,       // value is not a valid float
  kOverflow,       // increment or decrement would overflow
  kNanOrInfinity,  // increment would produce NaN or Infinity
  kOutOfRange,     // index out of range
  kSyntax,         // syntax error
  kNoSuchKey,      // no such key
  kStringTooLong,  // string exceeds maximum allowed size (proto-max-bulk-len)
  kBitOffset,      // bit offset is not an integer or out of range
  kBitValue,       // bit is not an integer or out of range
  kInvalidExpire,  // invalid expire time in '<cmd>' command (server adds the name)
  kNotPositive,    // value is out of range, must be positive
  kDbIndex,        // DB index is out of range
  kSameObject,     // source and destination objects are the same
};

template <class T>
using Result = std::expected<T, Errc>;

inline std::unexpected<Errc> Fail(Errc e) { return std::unexpected<Errc>(e); }

}  // namespace baozi
