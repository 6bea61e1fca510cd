// A decoded reply, as a client sees it: the reading side of the protocol, used by tests to check
// what the server wrote and by the server to replay canned replies captured from Redis.
//
//   RespValue v;
//   long used = ParseReply("*2\r\n:1\r\n$1\r\na\r\n", &v);  // 16; v.type == kArray
//   v.DebugString();                                         // [1, "a"]
//   EncodeReply(v);                                          // "*2\r\n:1\r\n$1\r\na\r\n"
//
// Both RESP2 and RESP3 are understood. Maps keep their keys and values interleaved in `elems`.
// RESP3 attributes ("|") are read and dropped, as most clients do.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace baozi::protocol {

struct RespValue {
  enum Type {
    kSimple,
    kError,
    kInteger,
    kBulk,
    kNull,
    kNullArray,
    kArray,
    kMap,
    kSet,
    kPush,
    kDouble,
    kBool,
    kVerbatim,
    kBigNumber
  };
  Type type = kNull;
  std::string str =
      {};  // simple/error/bulk/verbatim (without the "txt:" prefix)/bignumber/double text
  int64_t integer = 0;                // integer, bool (0/1)
  std::vector<RespValue> elems = {};  // array/set/push; map as k1,v1,k2,v2...

  // Compact human form for test failure messages: "OK", (error) "ERR x", 5, "bulk", nil,
  // [a, b], {k => v}, ~{a}, >[a], (double) 1.5, true, (big) 123.
  std::string DebugString() const;

  bool operator==(const RespValue&) const = default;
};

// Parses one reply at the start of buf. Returns bytes consumed, 0 if incomplete, -1 if malformed.
long ParseReply(std::string_view buf, RespValue* out);

// Encodes a value as RESP3 bytes, the inverse of ParseReply: a null array stays "*-1", a verbatim
// string gets the "txt" format.
std::string EncodeReply(const RespValue& v);
void EncodeReply(const RespValue& v, std::string* out);

}  // namespace baozi::protocol
