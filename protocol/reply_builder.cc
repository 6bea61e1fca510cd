#include "protocol/reply_builder.h"

#include <cassert>
#include <charconv>
#include <cmath>
#include <cstring>

namespace baozi::protocol {
namespace {

// Room for a type byte, a 64-bit number with its sign and "\r\n".
constexpr size_t kHeaderMax = 32;

// Writes "<prefix><v>\r\n" into buf and returns its length.
template <typename Int>
size_t FormatHeader(char (&buf)[kHeaderMax], char prefix, Int v) {
  buf[0] = prefix;
  auto [end, ec] = std::to_chars(buf + 1, buf + kHeaderMax - 2, v);
  assert(ec == std::errc());
  end[0] = '\r';
  end[1] = '\n';
  return static_cast<size_t>(end + 2 - buf);
}

}  // namespace

void ReplyBuilder::SendOk() { out_->append("+OK\r\n"); }

void ReplyBuilder::SendSimple(std::string_view s) {
  out_->push_back('+');
  out_->append(s);
  out_->append("\r\n");
}

void ReplyBuilder::SendError(std::string_view msg) { SendError(msg, true); }

void ReplyBuilder::SendError(std::string_view msg, bool count) {
  if (count) {
    ++error_count_;
  } else {
    ++uncounted_errors_;
  }
  const size_t start = out_->size();
  if (!msg.empty() && msg[0] == '-') {
    out_->append(msg);
    // Redis takes the code from the first 32 bytes only; without a space there it counts "ERR".
    std::string_view head = msg.substr(0, 32);
    size_t space = head.find(' ');
    if (space == std::string_view::npos) {
      last_error_code_.assign("ERR");
    } else {
      last_error_code_.assign(msg.substr(1, space - 1));
    }
  } else {
    out_->append("-ERR ");
    out_->append(msg);
    last_error_code_.assign("ERR");
  }
  for (size_t i = start; i < out_->size(); ++i) {
    char& c = (*out_)[i];
    if (c == '\r' || c == '\n') c = ' ';
  }
  out_->append("\r\n");
}

void ReplyBuilder::SendLong(int64_t v) {
  char buf[kHeaderMax];
  out_->append(buf, FormatHeader(buf, ':', v));
}

void ReplyBuilder::SendBulk(std::string_view s) {
  char buf[kHeaderMax];
  out_->append(buf, FormatHeader(buf, '$', s.size()));
  out_->append(s);
  out_->append("\r\n");
}

void ReplyBuilder::SendNull() { out_->append(resp3_ ? "_\r\n" : "$-1\r\n"); }

void ReplyBuilder::SendNullArray() { out_->append(resp3_ ? "_\r\n" : "*-1\r\n"); }

void ReplyBuilder::SendDouble(double d) {
  // Redis 7.0 spells infinities itself and prints everything else with "%.17g", which
  // std::to_chars with general format and precision 17 reproduces (nan included).
  char text[64];
  size_t len;
  if (std::isinf(d)) {
    const char* s = d > 0 ? "inf" : "-inf";
    len = std::strlen(s);
    std::memcpy(text, s, len);
  } else {
    auto [end, ec] = std::to_chars(text, text + sizeof(text), d, std::chars_format::general, 17);
    assert(ec == std::errc());
    len = static_cast<size_t>(end - text);
  }
  if (resp3_) {
    out_->push_back(',');
    out_->append(text, len);
    out_->append("\r\n");
  } else {
    SendBulk(std::string_view(text, len));
  }
}

void ReplyBuilder::SendBool(bool b) {
  if (resp3_) {
    out_->append(b ? "#t\r\n" : "#f\r\n");
  } else {
    out_->append(b ? ":1\r\n" : ":0\r\n");
  }
}

void ReplyBuilder::SendVerbatim(std::string_view s, std::string_view type) {
  if (!resp3_) return SendBulk(s);
  char buf[kHeaderMax];
  out_->append(buf, FormatHeader(buf, '=', s.size() + type.size() + 1));
  out_->append(type);
  out_->push_back(':');
  out_->append(s);
  out_->append("\r\n");
}

void ReplyBuilder::SendBigNumber(std::string_view digits) {
  if (!resp3_) return SendBulk(digits);
  out_->push_back('(');
  out_->append(digits);
  out_->append("\r\n");
}

void ReplyBuilder::StartArray(size_t n) {
  char buf[kHeaderMax];
  out_->append(buf, FormatHeader(buf, '*', n));
}

void ReplyBuilder::StartMap(size_t n) {
  char buf[kHeaderMax];
  out_->append(buf, resp3_ ? FormatHeader(buf, '%', n) : FormatHeader(buf, '*', n * 2));
}

void ReplyBuilder::StartSet(size_t n) {
  char buf[kHeaderMax];
  out_->append(buf, FormatHeader(buf, resp3_ ? '~' : '*', n));
}

void ReplyBuilder::StartPush(size_t n) {
  char buf[kHeaderMax];
  out_->append(buf, FormatHeader(buf, resp3_ ? '>' : '*', n));
}

void ReplyBuilder::SendBulkArray(std::initializer_list<std::string_view> items) {
  StartArray(items.size());
  for (std::string_view s : items) SendBulk(s);
}

// A deferred header is a single marker byte (the RESP3 type of the aggregate) written at the
// handle's offset; SetDeferredLen turns it into the real header, inserting the digits after it.
// Inserting shifts everything written since, which is why only LIFO-nested defers are allowed:
// an inner header is always completed before the outer one moves it.
ReplyBuilder::DeferHandle ReplyBuilder::DeferArrayLen() {
  out_->push_back('*');
  ++holds_;
  return out_->size() - 1;
}

ReplyBuilder::DeferHandle ReplyBuilder::DeferMapLen() {
  out_->push_back('%');
  ++holds_;
  return out_->size() - 1;
}

ReplyBuilder::DeferHandle ReplyBuilder::DeferSetLen() {
  out_->push_back('~');
  ++holds_;
  return out_->size() - 1;
}

void ReplyBuilder::SetDeferredLen(DeferHandle h, size_t n) {
  ReleasePushes();
  assert(h < out_->size());
  char marker = (*out_)[h];
  assert(marker == '*' || marker == '%' || marker == '~');
  char buf[kHeaderMax];
  size_t len;
  if (resp3_ || marker == '*') {
    len = FormatHeader(buf, marker, n);
  } else {
    len = FormatHeader(buf, '*', marker == '%' ? n * 2 : n);
  }
  out_->replace(h, 1, buf, len);
}

}  // namespace baozi::protocol
