// Fuzzes the AOF side of persistence/ with one input used three ways: the command-stream
// reader (after an RDB preamble when the input has one, as loading does), redis-check-aof's
// analysis of the same bytes, and the manifest parser. Checks beyond "no crash":
//   - every command the reader returns lies inside the input, and offsets only move forward;
//   - the valid prefix it reports (what aof-load-truncated keeps) reads back cleanly;
//   - a non-empty manifest that parses prints to a form that parses to the same manifest.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "persistence/aof.h"
#include "persistence/rdb.h"
#include "storage/db.h"

namespace {

[[noreturn]] void Fail(const char* what) {
  __builtin_printf("aof_fuzz: %s\n", what);
  std::abort();
}

uint64_t ReadAll(std::string_view data, size_t start, baozi::aof::ReadStatus* status,
                 size_t* valid_prefix) {
  baozi::aof::CommandReader r(data, start);
  size_t last_end = start;
  while (r.Next()) {
    if (r.command_start() < last_end || r.command_end() > data.size() ||
        r.command_start() >= r.command_end()) {
      Fail("command offsets out of order or out of the input");
    }
    for (std::string_view a : r.argv()) {
      if (a.data() < data.data() || a.data() + a.size() > data.data() + data.size()) {
        Fail("argument outside the input");
      }
    }
    last_end = r.command_end();
  }
  *status = r.status();
  *valid_prefix = r.valid_prefix();
  if (r.valid_prefix() > data.size()) Fail("valid prefix past the end");
  return r.commands();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);

  size_t start = 0;
  if (baozi::aof::HasRdbPreamble(in)) {
    baozi::Keyspace ks(16);
    baozi::rdb::LoadOptions opts;
    opts.verify_checksum = false;
    auto r = baozi::rdb::Load(in, ks, opts);
    if (r) start = r->end_offset;
  }
  if (start <= in.size()) {
    baozi::aof::ReadStatus st;
    size_t prefix = 0;
    ReadAll(in, start, &st, &prefix);
    if (st != baozi::aof::ReadStatus::kOk && prefix >= start) {
      baozi::aof::ReadStatus st2;
      size_t prefix2 = 0;
      ReadAll(in.substr(0, prefix), start, &st2, &prefix2);
      if (st2 != baozi::aof::ReadStatus::kOk) Fail("the valid prefix does not read cleanly");
    }
  }

  baozi::aof::CheckFileOptions co;
  co.name = "fuzz.aof";
  co.path = "fuzz.aof";
  co.preamble = baozi::aof::HasRdbPreamble(in);
  int64_t line = 1;
  auto check = baozi::aof::CheckAofFile(in, co, &line);
  if (check.ok_up_to > size) Fail("check: ok_up_to past the end");

  auto m = baozi::aof::Manifest::Parse(in);
  // A manifest of comment lines only parses (Redis skips them before any other check) to an
  // empty manifest, which prints as nothing, which Redis refuses as empty: no round trip.
  if (m && !m->empty()) {
    std::string text = m->ToString();
    // A name of odd bytes prints quoted, four bytes per byte; past Redis's 1024-byte line
    // limit the printed form cannot be read back, in Redis as here.
    size_t longest = 0, from = 0;
    for (size_t nl; (nl = text.find('\n', from)) != std::string::npos; from = nl + 1) {
      longest = std::max(longest, nl + 1 - from);
    }
    if (longest >= 1024) return 0;
    auto m2 = baozi::aof::Manifest::Parse(text);
    if (!m2) Fail("a printed manifest does not parse");
    if (m2->base() != m->base() || m2->incrs() != m->incrs() || m2->history() != m->history()) {
      Fail("manifest round trip changed it");
    }
  }
  return 0;
}
