#include "server/reply_errors.h"

namespace baozi {

std::string_view ErrorText(Errc e) {
  switch (e) {
    case Errc::kWrongType:
      return kErrWrongType;
    case Errc::kNotInteger:
      return kErrNotInteger;
    case Errc::kNotFloat:
      return "value is not a valid float";
    case Errc::kOverflow:
      return "increment or decrement would overflow";
    case Errc::kNanOrInfinity:
      return "increment would produce NaN or Infinity";
    case Errc::kOutOfRange:
      return "index out of range";
    case Errc::kSyntax:
      return "syntax error";
    case Errc::kNoSuchKey:
      return "no such key";
    case Errc::kStringTooLong:
      return "string exceeds maximum allowed size (proto-max-bulk-len)";
    case Errc::kBitOffset:
      return "bit offset is not an integer or out of range";
    case Errc::kBitValue:
      return "bit is not an integer or out of range";
    case Errc::kInvalidExpire:
      return "invalid expire time";
    case Errc::kNotPositive:
      return "value is out of range, must be positive";
    case Errc::kDbIndex:
      return "DB index is out of range";
    case Errc::kSameObject:
      return "source and destination objects are the same";
  }
  return "internal error";
}

}  // namespace baozi
