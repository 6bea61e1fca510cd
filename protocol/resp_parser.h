// Incremental parser for client requests: RESP2 multibulk ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n") and
// inline commands ("GET k\r\n", with Redis's quoting rules).
//
// Usage:
//   RespParser parser;
//   size_t consumed;
//   switch (parser.Next(input, &consumed)) {
//     case RespParser::kOk:       Execute(parser.args()); input.remove_prefix(consumed); break;
//     case RespParser::kNeedMore: read more, call Next again with the same bytes plus the new ones;
//     case RespParser::kError:    reply "-ERR " + parser.error(), then close the connection.
//   }
//
// The parser keeps its progress inside a partially received command as offsets from the start of
// `input`, so a caller may move or grow its buffer between calls as long as the unconsumed bytes
// stay the same. args() are views into `input` for multibulk commands (no copies on the hot path)
// and into the parser's scratch space for inline commands (which need unescaping); they are valid
// until the next call to Next() or until `input` changes.
//
// A complete request with no arguments ("\r\n", "*0\r\n", "*-1\r\n") yields kOk with empty args():
// Redis skips those silently, and so must the caller.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace baozi::protocol {

struct ParserLimits {
  int64_t max_bulk_len = 512LL * 1024 * 1024;  // proto-max-bulk-len
  bool authenticated = true;                   // before AUTH, Redis allows only tiny requests
};

class RespParser {
 public:
  enum Status { kOk, kNeedMore, kError };

  explicit RespParser(ParserLimits limits = {}) : limits_(limits) {}

  Status Next(std::string_view input, size_t* consumed);

  std::span<const std::string_view> args() const { return {args_.data(), args_.size()}; }
  // Error text without "ERR ", e.g. "Protocol error: invalid bulk length".
  std::string_view error() const { return error_; }

  void set_limits(const ParserLimits& limits) { limits_ = limits; }
  // Forgets a partially parsed command (used after a protocol error or a reset).
  void Reset();

  // Bytes of the command being parsed that are already known to be needed, so the caller can
  // reserve its buffer for a big bulk (Redis's querybuf optimisation); 0 when unknown.
  size_t PendingBulkBytes() const;

 private:
  enum class Kind : uint8_t { kUnknown, kInline, kMultibulk };

  Status ParseInline(std::string_view input, size_t* consumed);
  Status ParseMultibulk(std::string_view input, size_t* consumed);
  size_t FindLineEnd(std::string_view input, size_t start, char terminator, bool* too_big);
  Status Fail(std::string_view message);
  void ClearCommand();

  ParserLimits limits_;
  std::vector<std::string_view> args_;
  std::string error_;
  bool failed_ = false;
  Kind kind_ = Kind::kUnknown;
  // Multibulk progress: arguments still expected in total (0 = count line not read yet), the
  // announced length of the bulk being read (-1 = its "$len" line not read yet) and the offset of
  // the first byte not yet parsed.
  int64_t multibulk_len_ = 0;
  int64_t bulk_len_ = -1;
  size_t pos_ = 0;
  // Bytes after the current line start already searched for its terminator, so a line that
  // arrives one byte at a time is scanned once; nul_seen_ records that a NUL hides the terminator.
  size_t scan_ = 0;
  bool nul_seen_ = false;
  std::vector<std::pair<size_t, size_t>> offsets_;  // (offset, length) of parsed arguments
  std::string inline_buf_;                          // unescaped inline arguments, back to back
};

}  // namespace baozi::protocol
