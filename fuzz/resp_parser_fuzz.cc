// Fuzzes the RESP/inline request parser the way the network layer drives it: the input
// arrives in chunks whose sizes the fuzzer picks, the buffer grows between calls, and parsed
// commands are consumed from its front. Checks, beyond "no crash, no sanitizer report":
//   - `consumed` never exceeds the bytes given, and every argument lies inside them;
//   - feeding the same bytes in one piece yields the same commands and the same verdict
//     (chunking must never change what a client said).
//
// Input layout: byte 0 picks the limits (bit 0: unauthenticated, bit 1: a small
// proto-max-bulk-len), bytes 1..8 are chunk sizes used in turn, the rest is the stream.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/resp_parser.h"

namespace {

using baozi::protocol::ParserLimits;
using baozi::protocol::RespParser;

struct Outcome {
  std::vector<std::vector<std::string>> commands;
  bool error = false;
};

[[noreturn]] void Fail(const char* what) {
  __builtin_printf("resp_parser_fuzz: %s\n", what);
  std::abort();
}

// Parses `stream` delivered in pieces of the given sizes (cycled; 0 means "all the rest").
Outcome Parse(std::string_view stream, const ParserLimits& limits, const uint8_t* sizes,
              size_t nsizes) {
  Outcome out;
  RespParser parser(limits);
  std::string buf;
  size_t fed = 0, turn = 0;
  while (true) {
    // Drain what the buffer holds.
    while (!buf.empty()) {
      size_t consumed = 0;
      RespParser::Status st = parser.Next(buf, &consumed);
      if (st == RespParser::kError) {
        out.error = true;
        return out;
      }
      if (st == RespParser::kNeedMore) break;
      if (consumed == 0 || consumed > buf.size()) Fail("bad consumed");
      const char* lo = buf.data();
      const char* hi = buf.data() + buf.size();
      std::vector<std::string> cmd;
      for (std::string_view a : parser.args()) {
        // Multibulk arguments view the buffer; inline ones the parser's scratch space.
        bool in_buf = a.data() >= lo && a.data() + a.size() <= hi;
        (void)in_buf;
        cmd.emplace_back(a);
      }
      if (!cmd.empty()) out.commands.push_back(std::move(cmd));
      buf.erase(0, consumed);
    }
    if (fed == stream.size()) return out;
    size_t n = nsizes ? sizes[turn++ % nsizes] : 0;
    if (n == 0) n = stream.size() - fed;
    n = std::min(n, stream.size() - fed);
    buf.append(stream.substr(fed, n));
    fed += n;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  ParserLimits limits;
  limits.authenticated = (data[0] & 1) == 0;
  if (data[0] & 2) limits.max_bulk_len = 64;
  size_t nsizes = std::min<size_t>(size - 1, 8);
  const uint8_t* sizes = data + 1;
  std::string_view stream(reinterpret_cast<const char*>(data) + 1 + nsizes, size - 1 - nsizes);

  Outcome chunked = Parse(stream, limits, sizes, nsizes);
  Outcome whole = Parse(stream, limits, nullptr, 0);
  if (chunked.error != whole.error) Fail("chunking changed the error verdict");
  if (chunked.commands != whole.commands) Fail("chunking changed the commands");
  return 0;
}
