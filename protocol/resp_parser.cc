// Request parsing, matching what Redis 7.0 accepts and rejects byte for byte.
//
// The first byte of a request picks the format: '*' starts a multibulk command, anything else an
// inline one. Both formats are framed by lines, and the way Redis finds those lines shapes the
// rules below more than the RESP specification does:
//
// * Redis looks for the terminator with a C string search, which stops at a NUL byte. A NUL before
//   the terminator therefore hides it: the request never completes and only the size limit ends
//   it. We search for the terminator and for NUL together to get the same effect.
// * A line may be at most 64KB (PROTO_INLINE_MAX_SIZE) long; when that many bytes are buffered
//   without a terminator the request fails ("too big inline request", "too big mbulk count string",
//   "too big bulk count string"). Redis applies the check to whatever happens to be in its buffer,
//   so its outcome for a line just over the limit depends on how the bytes were chunked by the
//   network. We make it depend on the bytes alone by searching only the first 64KB + 1 bytes of a
//   line, which is what Redis sees when bytes arrive one at a time.
// * Multibulk lines are found by their '\r'; the byte after it is skipped without being checked,
//   and so are the two bytes after a bulk's payload. "*1\rX$4\r\nPINGxx" is a valid PING.
// * Inline lines end at '\n', with one '\r' before it dropped, and are split into arguments with
//   the quoting rules of sdssplitargs (see SplitInline).
// * Numbers use Redis's strict integer syntax: no sign other than a leading '-', no leading zeros,
//   no "-0", no spaces, at most 20 characters.
//
// Progress inside an incomplete request is kept as offsets from the start of the caller's buffer,
// so each byte is looked at once however the request is split: a line being searched remembers
// how far the search got, and a multibulk command remembers every argument already framed.
#include "protocol/resp_parser.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <climits>
#include <cstring>

#include "protocol/split_args.h"

namespace baozi::protocol {
namespace {

// Longest line (inline request or multibulk header) accepted without its terminator.
constexpr size_t kMaxLine = 64 * 1024;
// Redis rejects bigger multibulk counts outright.
constexpr int64_t kMaxMultibulk = INT_MAX;
// Before authentication only small requests get through, so that an unauthenticated client cannot
// make the server buffer much.
constexpr int64_t kUnauthMaxMultibulk = 10;
constexpr int64_t kUnauthMaxBulk = 16 * 1024;
// Never trust a declared count for an allocation; the vector grows as arguments really arrive.
constexpr size_t kMaxReserve = 1024;
// Argument vectors bigger than this are released once their command is done.
constexpr size_t kKeepCapacity = 64 * 1024;

// Redis's string2ll grammar: "0", or an optional '-' followed by a non-zero digit and more digits,
// fitting in int64 and shorter than 21 characters.
bool ParseStrictInt(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() >= 21) return false;
  if (s == "0") {
    *out = 0;
    return true;
  }
  size_t digits = s[0] == '-' ? 1 : 0;
  if (digits == s.size() || s[digits] < '1' || s[digits] > '9') return false;
  for (size_t i = digits; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

// isspace() in the C locale.
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// Splits an inline line into arguments the way sdssplitargs does:
// - blanks (isspace) separate arguments; an unquoted argument ends only at ' ', '\t', '\r', '\n',
//   so "\v" and "\f" inside a word are kept;
// - a quote may open anywhere inside a word and the quoted part joins it ('a"b c"' is "ab c"),
//   but a closing quote must be followed by a blank or the end of the line;
// - inside double quotes \xHH (two hex digits), \n \r \t \b \a and \<any other char> (that char)
//   are escapes; a backslash that ends the line is an unterminated quote;
// - inside single quotes only \' is an escape.
// The line holds no NUL (the terminator search stops at one), so the end of the view plays the
// part of the C string terminator. Arguments are appended to `buf`; their (offset, length) pairs
// to `offsets`. Returns false for unbalanced quotes.
bool SplitInline(std::string_view line, std::string* buf,
                 std::vector<std::pair<size_t, size_t>>* offsets) {
  const size_t n = line.size();
  auto at = [&](size_t i) -> char { return i < n ? line[i] : '\0'; };
  size_t p = 0;
  while (true) {
    while (p < n && IsSpace(line[p])) ++p;
    if (p >= n) return true;
    size_t start = buf->size();
    bool in_double = false;
    bool in_single = false;
    bool done = false;
    while (!done) {
      char c = at(p);
      if (in_double) {
        if (c == '\\' && at(p + 1) == 'x' && IsHexDigit(at(p + 2)) && IsHexDigit(at(p + 3))) {
          buf->push_back(static_cast<char>(HexValue(at(p + 2)) * 16 + HexValue(at(p + 3))));
          p += 3;
        } else if (c == '\\' && p + 1 < n) {
          ++p;
          char e = line[p];
          switch (e) {
            case 'n':
              e = '\n';
              break;
            case 'r':
              e = '\r';
              break;
            case 't':
              e = '\t';
              break;
            case 'b':
              e = '\b';
              break;
            case 'a':
              e = '\a';
              break;
            default:
              break;
          }
          buf->push_back(e);
        } else if (c == '"') {
          if (p + 1 < n && !IsSpace(line[p + 1])) return false;
          done = true;
        } else if (p >= n) {
          return false;
        } else {
          buf->push_back(c);
        }
      } else if (in_single) {
        if (c == '\\' && at(p + 1) == '\'') {
          ++p;
          buf->push_back('\'');
        } else if (c == '\'') {
          if (p + 1 < n && !IsSpace(line[p + 1])) return false;
          done = true;
        } else if (p >= n) {
          return false;
        } else {
          buf->push_back(c);
        }
      } else {
        switch (c) {
          case ' ':
          case '\n':
          case '\r':
          case '\t':
          case '\0':
            // A NUL can only be the end of the line here, see the function comment.
            done = true;
            break;
          case '"':
            in_double = true;
            break;
          case '\'':
            in_single = true;
            break;
          default:
            buf->push_back(c);
            break;
        }
      }
      if (p < n) ++p;
    }
    offsets->emplace_back(start, buf->size() - start);
  }
}

}  // namespace

void RespParser::ClearCommand() {
  kind_ = Kind::kUnknown;
  multibulk_len_ = 0;
  bulk_len_ = -1;
  pos_ = 0;
  scan_ = 0;
  nul_seen_ = false;
  offsets_.clear();
  // Do not keep the bookkeeping of one huge command alive for the rest of the connection.
  if (offsets_.capacity() > kKeepCapacity) offsets_.shrink_to_fit();
}

void RespParser::Reset() {
  ClearCommand();
  args_.clear();
  error_.clear();
  failed_ = false;
}

size_t RespParser::PendingBulkBytes() const {
  if (kind_ != Kind::kMultibulk || bulk_len_ < 0) return 0;
  return pos_ + static_cast<size_t>(bulk_len_) + 2;
}

RespParser::Status RespParser::Fail(std::string_view message) {
  error_.assign(message);
  failed_ = true;
  ClearCommand();
  return kError;
}

RespParser::Status RespParser::Next(std::string_view input, size_t* consumed) {
  *consumed = 0;
  args_.clear();
  if (args_.capacity() > kKeepCapacity) args_.shrink_to_fit();
  if (failed_) return kError;
  assert(input.size() >= pos_ && "the caller dropped bytes of a partial command");
  if (input.empty()) return kNeedMore;
  if (kind_ == Kind::kUnknown) kind_ = input[0] == '*' ? Kind::kMultibulk : Kind::kInline;
  return kind_ == Kind::kInline ? ParseInline(input, consumed) : ParseMultibulk(input, consumed);
}

// Returns the offset of `terminator` in the line starting at `start`, or npos when it has not
// arrived (or a NUL hides it). *too_big tells whether the line is already over the limit.
size_t RespParser::FindLineEnd(std::string_view input, size_t start, char terminator,
                               bool* too_big) {
  const size_t avail = input.size() - start;
  *too_big = false;
  if (!nul_seen_) {
    const size_t window_end = start + std::min(avail, kMaxLine + 1);
    const size_t from = start + scan_;
    if (from < window_end) {
      const char* base = input.data();
      const void* hit = std::memchr(base + from, terminator, window_end - from);
      const size_t end = hit ? static_cast<const char*>(hit) - base : window_end;
      if (std::memchr(base + from, '\0', end - from) != nullptr) {
        nul_seen_ = true;
      } else if (hit != nullptr) {
        return end;
      } else {
        scan_ = window_end - start;
      }
    }
  }
  *too_big = avail > kMaxLine;
  return std::string_view::npos;
}

RespParser::Status RespParser::ParseInline(std::string_view input, size_t* consumed) {
  bool too_big;
  const size_t newline = FindLineEnd(input, 0, '\n', &too_big);
  if (newline == std::string_view::npos) {
    if (too_big) return Fail("Protocol error: too big inline request");
    return kNeedMore;
  }
  size_t line_len = newline;
  if (line_len > 0 && input[line_len - 1] == '\r') --line_len;

  inline_buf_.clear();
  inline_buf_.reserve(line_len);
  offsets_.clear();
  if (!SplitInline(input.substr(0, line_len), &inline_buf_, &offsets_)) {
    return Fail("Protocol error: unbalanced quotes in request");
  }
  args_.reserve(offsets_.size());
  for (auto [off, len] : offsets_) args_.emplace_back(inline_buf_.data() + off, len);
  *consumed = newline + 1;
  ClearCommand();
  return kOk;
}

RespParser::Status RespParser::ParseMultibulk(std::string_view input, size_t* consumed) {
  bool too_big;
  if (multibulk_len_ == 0) {
    const size_t cr = FindLineEnd(input, 0, '\r', &too_big);
    if (cr == std::string_view::npos) {
      if (too_big) return Fail("Protocol error: too big mbulk count string");
      return kNeedMore;
    }
    // The byte after '\r' must be present; Redis does not look at it.
    if (cr + 2 > input.size()) return kNeedMore;
    int64_t count;
    if (!ParseStrictInt(input.substr(1, cr - 1), &count) || count > kMaxMultibulk) {
      return Fail("Protocol error: invalid multibulk length");
    }
    if (count > kUnauthMaxMultibulk && !limits_.authenticated) {
      return Fail("Protocol error: unauthenticated multibulk length");
    }
    pos_ = cr + 2;
    scan_ = 0;
    if (count <= 0) {
      *consumed = pos_;
      ClearCommand();
      return kOk;
    }
    multibulk_len_ = count;
    offsets_.reserve(std::min(static_cast<size_t>(count), kMaxReserve));
  }

  while (offsets_.size() < static_cast<size_t>(multibulk_len_)) {
    if (bulk_len_ < 0) {
      const size_t cr = FindLineEnd(input, pos_, '\r', &too_big);
      if (cr == std::string_view::npos) {
        if (too_big) return Fail("Protocol error: too big bulk count string");
        return kNeedMore;
      }
      if (cr + 2 > input.size()) return kNeedMore;
      if (input[pos_] != '$') {
        // The offending byte can only be a line break when it is the '\r' ending an empty line,
        // and Redis maps line breaks in error texts to spaces.
        std::string message = "Protocol error: expected '$', got ' '";
        if (input[pos_] != '\r' && input[pos_] != '\n') message[message.size() - 2] = input[pos_];
        return Fail(message);
      }
      int64_t len;
      if (!ParseStrictInt(input.substr(pos_ + 1, cr - pos_ - 1), &len) || len < 0 ||
          len > limits_.max_bulk_len) {
        return Fail("Protocol error: invalid bulk length");
      }
      if (len > kUnauthMaxBulk && !limits_.authenticated) {
        return Fail("Protocol error: unauthenticated bulk length");
      }
      pos_ = cr + 2;
      scan_ = 0;
      bulk_len_ = len;
    }
    // The payload and the two bytes after it (meant to be "\r\n", never checked).
    if (input.size() - pos_ < static_cast<size_t>(bulk_len_) + 2) return kNeedMore;
    offsets_.emplace_back(pos_, static_cast<size_t>(bulk_len_));
    pos_ += static_cast<size_t>(bulk_len_) + 2;
    bulk_len_ = -1;
  }

  args_.reserve(offsets_.size());
  for (auto [off, len] : offsets_) args_.emplace_back(input.data() + off, len);
  *consumed = pos_;
  ClearCommand();
  return kOk;
}

std::optional<std::vector<std::string>> SplitArgs(std::string_view line) {
  std::string buf;
  std::vector<std::pair<size_t, size_t>> offsets;
  if (!SplitInline(line, &buf, &offsets)) return std::nullopt;
  std::vector<std::string> out;
  out.reserve(offsets.size());
  for (auto [off, len] : offsets) out.emplace_back(buf, off, len);
  return out;
}

}  // namespace baozi::protocol
