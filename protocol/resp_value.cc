#include "protocol/resp_value.h"

#include <algorithm>
#include <charconv>

namespace baozi::protocol {
namespace {

// Replies nest far less than this; the bound keeps malformed input from exhausting the stack.
constexpr int kMaxDepth = 1000;
constexpr size_t kMaxReserve = 1024;

class Reader {
 public:
  explicit Reader(std::string_view buf) : buf_(buf) {}

  // Same contract as ParseReply, for the value starting at pos_.
  long Parse(RespValue* out, int depth) {
    if (depth > kMaxDepth) return -1;
    if (pos_ >= buf_.size()) return 0;
    const char type = buf_[pos_++];
    std::string_view line;
    if (long r = ReadLine(&line); r <= 0) return r;
    *out = RespValue{};
    switch (type) {
      case '+':
        out->type = RespValue::kSimple;
        out->str.assign(line);
        return 1;
      case '-':
        out->type = RespValue::kError;
        out->str.assign(line);
        return 1;
      case ':':
        out->type = RespValue::kInteger;
        return ParseInt(line, &out->integer) ? 1 : -1;
      case '_':
        out->type = RespValue::kNull;
        return line.empty() ? 1 : -1;
      case ',':
        out->type = RespValue::kDouble;
        out->str.assign(line);
        return line.empty() ? -1 : 1;
      case '(':
        out->type = RespValue::kBigNumber;
        out->str.assign(line);
        return line.empty() ? -1 : 1;
      case '#':
        out->type = RespValue::kBool;
        if (line != "t" && line != "f") return -1;
        out->integer = line == "t";
        return 1;
      case '$':
      case '!':
      case '=':
        return ParseBlob(type, line, out);
      case '*':
      case '%':
      case '~':
      case '>':
        return ParseAggregate(type, line, out, depth);
      case '|': {
        // An attribute describes the reply that follows it; keep only that reply.
        RespValue attribute;
        if (long r = ParseAggregate('%', line, &attribute, depth); r <= 0) return r;
        return Parse(out, depth);
      }
      default:
        return -1;
    }
  }

  size_t pos() const { return pos_; }

 private:
  // Reads up to "\r\n". Returns 1, 0 when the line is not complete, -1 for a bare '\r'.
  long ReadLine(std::string_view* line) {
    size_t cr = buf_.find('\r', pos_);
    if (cr == std::string_view::npos || cr + 1 >= buf_.size()) return 0;
    if (buf_[cr + 1] != '\n') return -1;
    *line = buf_.substr(pos_, cr - pos_);
    pos_ = cr + 2;
    return 1;
  }

  static bool ParseInt(std::string_view s, int64_t* v) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
    return !s.empty() && ec == std::errc() && end == s.data() + s.size();
  }

  long ParseBlob(char type, std::string_view line, RespValue* out) {
    int64_t len;
    if (!ParseInt(line, &len)) return -1;
    if (len == -1 && type == '$') {
      out->type = RespValue::kNull;
      return 1;
    }
    if (len < 0) return -1;
    if (buf_.size() - pos_ < static_cast<uint64_t>(len) + 2) return 0;
    std::string_view body = buf_.substr(pos_, static_cast<size_t>(len));
    if (buf_.compare(pos_ + len, 2, "\r\n") != 0) return -1;
    pos_ += static_cast<size_t>(len) + 2;
    if (type == '=') {
      // "fmt:" (three characters and a colon) precedes the text.
      if (body.size() < 4 || body[3] != ':') return -1;
      out->type = RespValue::kVerbatim;
      body.remove_prefix(4);
    } else {
      out->type = type == '$' ? RespValue::kBulk : RespValue::kError;
    }
    out->str.assign(body);
    return 1;
  }

  long ParseAggregate(char type, std::string_view line, RespValue* out, int depth) {
    int64_t n;
    if (!ParseInt(line, &n)) return -1;
    if (n == -1 && type == '*') {
      out->type = RespValue::kNullArray;
      return 1;
    }
    if (n < 0) return -1;
    switch (type) {
      case '*':
        out->type = RespValue::kArray;
        break;
      case '%':
        out->type = RespValue::kMap;
        break;
      case '~':
        out->type = RespValue::kSet;
        break;
      default:
        out->type = RespValue::kPush;
        break;
    }
    const uint64_t count = type == '%' ? static_cast<uint64_t>(n) * 2 : static_cast<uint64_t>(n);
    out->elems.reserve(std::min<uint64_t>(count, kMaxReserve));
    for (uint64_t i = 0; i < count; ++i) {
      out->elems.emplace_back();
      if (long r = Parse(&out->elems.back(), depth + 1); r <= 0) return r;
    }
    return 1;
  }

  std::string_view buf_;
  size_t pos_ = 0;
};

void AppendHeader(char type, int64_t n, std::string* out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), n);
  out->push_back(type);
  out->append(buf, end);
  out->append("\r\n");
}

void AppendQuoted(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          out->append("\\x");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 15]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

void AppendDebug(const RespValue& v, std::string* out) {
  auto list = [&](std::string_view open, std::string_view close) {
    out->append(open);
    for (size_t i = 0; i < v.elems.size(); ++i) {
      if (i > 0) out->append(", ");
      AppendDebug(v.elems[i], out);
    }
    out->append(close);
  };
  switch (v.type) {
    case RespValue::kSimple:
      out->append(v.str);
      break;
    case RespValue::kError:
      out->append("(error) ").append(v.str);
      break;
    case RespValue::kInteger:
      out->append(std::to_string(v.integer));
      break;
    case RespValue::kBulk:
      AppendQuoted(v.str, out);
      break;
    case RespValue::kNull:
      out->append("nil");
      break;
    case RespValue::kNullArray:
      out->append("nil-array");
      break;
    case RespValue::kArray:
      list("[", "]");
      break;
    case RespValue::kSet:
      list("~{", "}");
      break;
    case RespValue::kPush:
      list(">[", "]");
      break;
    case RespValue::kMap:
      out->append("{");
      for (size_t i = 0; i + 1 < v.elems.size(); i += 2) {
        if (i > 0) out->append(", ");
        AppendDebug(v.elems[i], out);
        out->append(" => ");
        AppendDebug(v.elems[i + 1], out);
      }
      out->append("}");
      break;
    case RespValue::kDouble:
      out->append("(double) ").append(v.str);
      break;
    case RespValue::kBool:
      out->append(v.integer ? "true" : "false");
      break;
    case RespValue::kVerbatim:
      out->append("(verbatim) ");
      AppendQuoted(v.str, out);
      break;
    case RespValue::kBigNumber:
      out->append("(big) ").append(v.str);
      break;
  }
}

}  // namespace

std::string RespValue::DebugString() const {
  std::string out;
  AppendDebug(*this, &out);
  return out;
}

long ParseReply(std::string_view buf, RespValue* out) {
  Reader reader(buf);
  long r = reader.Parse(out, 0);
  return r <= 0 ? r : static_cast<long>(reader.pos());
}

void EncodeReply(const RespValue& v, std::string* out) {
  switch (v.type) {
    case RespValue::kSimple:
      out->append("+").append(v.str).append("\r\n");
      return;
    case RespValue::kError:
      out->append("-").append(v.str).append("\r\n");
      return;
    case RespValue::kInteger:
      AppendHeader(':', v.integer, out);
      return;
    case RespValue::kBulk:
      AppendHeader('$', static_cast<int64_t>(v.str.size()), out);
      out->append(v.str).append("\r\n");
      return;
    case RespValue::kNull:
      out->append("_\r\n");
      return;
    case RespValue::kNullArray:
      out->append("*-1\r\n");
      return;
    case RespValue::kDouble:
      out->append(",").append(v.str).append("\r\n");
      return;
    case RespValue::kBool:
      out->append(v.integer ? "#t\r\n" : "#f\r\n");
      return;
    case RespValue::kVerbatim:
      AppendHeader('=', static_cast<int64_t>(v.str.size() + 4), out);
      out->append("txt:").append(v.str).append("\r\n");
      return;
    case RespValue::kBigNumber:
      out->append("(").append(v.str).append("\r\n");
      return;
    case RespValue::kArray:
      AppendHeader('*', static_cast<int64_t>(v.elems.size()), out);
      break;
    case RespValue::kSet:
      AppendHeader('~', static_cast<int64_t>(v.elems.size()), out);
      break;
    case RespValue::kPush:
      AppendHeader('>', static_cast<int64_t>(v.elems.size()), out);
      break;
    case RespValue::kMap:
      AppendHeader('%', static_cast<int64_t>(v.elems.size() / 2), out);
      break;
  }
  for (const RespValue& e : v.elems) EncodeReply(e, out);
}

std::string EncodeReply(const RespValue& v) {
  std::string out;
  EncodeReply(v, &out);
  return out;
}

}  // namespace baozi::protocol
