// Fuzzes the inline-command splitter (Redis's sdssplitargs: inline requests and redis.conf
// lines) and the parser's inline path. Checks, beyond "no crash":
//   - whatever SplitArgs accepts survives a round trip: each argument written back in the
//     "\xHH" quoted form and split again gives the same arguments;
//   - an inline request the parser accepts yields the same arguments SplitArgs gives for the
//     line (Redis splits both with the same function).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/resp_parser.h"
#include "protocol/split_args.h"

namespace {

[[noreturn]] void Fail(const char* what) {
  __builtin_printf("inline_fuzz: %s\n", what);
  std::abort();
}

std::string Quote(std::string_view arg) {
  static const char kHex[] = "0123456789abcdef";
  std::string q = "\"";
  for (unsigned char c : arg) {
    q += "\\x";
    q += kHex[c >> 4];
    q += kHex[c & 15];
  }
  q += '"';
  return q;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  auto args = baozi::protocol::SplitArgs(line);
  if (args) {
    std::string again;
    for (const std::string& a : *args) {
      again += Quote(a);
      again += ' ';
    }
    auto round = baozi::protocol::SplitArgs(again);
    if (!round || *round != *args) Fail("quoted round trip changed the arguments");
  }

  // The same bytes as one inline request, when they form one (no '*' start, one line).
  if (size == 0 || line[0] == '*' || line.find('\n') != std::string_view::npos) return 0;
  std::string req(line);
  req += "\r\n";
  baozi::protocol::RespParser parser;
  size_t consumed = 0;
  auto st = parser.Next(req, &consumed);
  if (st == baozi::protocol::RespParser::kOk) {
    if (consumed != req.size()) Fail("inline request not consumed whole");
    std::vector<std::string> got(parser.args().begin(), parser.args().end());
    if (!args) Fail("parser accepted a line SplitArgs refuses");
    // The parser strips the trailing \r; SplitArgs saw the line without it. A line that
    // already ended in '\r' is trimmed differently, so only compare plain lines.
    if (!line.ends_with('\r') && got != *args) Fail("parser and SplitArgs disagree");
  }
  return 0;
}
