// The AOF command-stream reader: Redis 7.0's loadSingleAppendOnlyFile parsing, on bytes in
// memory, classifying a bad input as Redis does without ever trusting a declared length.
//
// Redis reads the file with stdio: a line with fgets into a 1024-byte buffer (so at most 1023
// bytes, through the first '\n'); '#' starts an annotation (the rest of that buffer is
// skipped); otherwise the line must start with '*' and atoi of the rest is argc (< 1 is a
// format error). Each argument is a line starting with '$', strtol of the rest as the length
// (no check of what follows the digits), that many bytes with fread, then two bytes with
// fread that are discarded unchecked. Every failure is one of two kinds:
//   - a read that comes back short. If the stream hit the end of the file, it is a
//     truncation (Redis's uxeof: with aof-load-truncated the valid prefix loads and the file
//     is cut there); this covers every cut of a well-formed file at any byte.
//   - anything else, a format error ("Bad file format reading the append only file"): a line
//     not starting with '*' or '$', a count < 1, and a '*' followed by a NUL byte.
// Redis would malloc a negative (huge unsigned) length and abort; we call it corrupt. A length
// larger than what is left is a truncation without allocating anything: the bytes are only
// viewed once they are known to exist.
//
// MULTI/EXEC: a MULTI command (by name, case-insensitive, as the command lookup finds it)
// opens a transaction that only EXEC closes (while it is open Redis queues everything else,
// DISCARD and MULTI included). At a clean end of input inside a transaction, Redis reverts it:
// the valid prefix ends where the last command before the MULTI ended, and the load counts as
// truncated. Redis moves that point at a nested MULTI too, into the open transaction; we keep
// the outermost one, so the valid prefix always reads back clean (Redis never writes nested
// MULTIs, so only hand-made files see the difference).
#include <algorithm>

#include "persistence/aof.h"
#include "persistence/aof_internal.h"

namespace baozi::aof {
namespace {

constexpr size_t kLineBuf = 1024;  // Redis's AOF_ANNOTATION_LINE_MAX_LEN

}  // namespace

CommandReader::CommandReader(std::string_view data, size_t start)
    : data_(data), pos_(std::min(start, data.size())), valid_up_to_(pos_) {}

std::string_view CommandReader::ReadLine() {
  if (pos_ >= data_.size()) {
    eof_ = true;
    return {};
  }
  bool hit_eof = false;
  const std::string_view chunk = internal::FgetsChunk(data_, pos_, kLineBuf, &hit_eof);
  if (hit_eof) eof_ = true;
  pos_ += chunk.size();
  return chunk;
}

bool CommandReader::Fail(ReadStatus s, size_t offset, std::string_view reason) {
  status_ = s;
  error_offset_ = offset;
  reason_ = reason;
  // Queued commands of an open transaction never ran: keep nothing of it.
  valid_prefix_ = in_multi_ ? before_multi_ : valid_up_to_;
  done_ = true;
  argv_.clear();
  return false;
}

bool CommandReader::Next() {
  if (done_) return false;
  argv_.clear();
  while (true) {
    const size_t line_start = pos_;
    const std::string_view line = ReadLine();
    if (line.empty()) {
      // Clean end of input.
      done_ = true;
      if (in_multi_) {
        reverted_multi_ = true;
        status_ = ReadStatus::kTruncated;
        error_offset_ = multi_start_;
        valid_prefix_ = before_multi_;
        reason_ = "MULTI without EXEC at the end of the file";
      }
      return false;
    }
    if (line[0] == '#') continue;  // annotation
    cmd_start_ = line_start;
    if (line[0] != '*') return Fail(ReadStatus::kCorrupt, line_start, "expected '*'");
    if (line.size() == 1 || line[1] == '\0') {
      // Redis: "goto readerr", a truncation if the stream is at its end, else an I/O error.
      return eof_ ? Fail(ReadStatus::kTruncated, line_start, "unexpected end of file")
                  : Fail(ReadStatus::kCorrupt, line_start, "NUL byte after '*'");
    }
    // atoi: strtol narrowed to int.
    const int argc = static_cast<int>(internal::StrToL(line.substr(1)).value);
    if (argc < 1) return Fail(ReadStatus::kCorrupt, line_start, "invalid argument count");
    for (int j = 0; j < argc; ++j) {
      const size_t arg_start = pos_;
      const std::string_view len_line = ReadLine();
      if (len_line.empty()) {
        return Fail(ReadStatus::kTruncated, line_start, "unexpected end of file");
      }
      if (len_line[0] != '$') return Fail(ReadStatus::kCorrupt, arg_start, "expected '$'");
      const int64_t len = internal::StrToL(len_line.substr(1)).value;
      if (len < 0) return Fail(ReadStatus::kCorrupt, arg_start, "negative bulk length");
      const size_t left = data_.size() - pos_;
      if (static_cast<uint64_t>(len) > left) {
        eof_ = true;
        return Fail(ReadStatus::kTruncated, line_start, "unexpected end of file");
      }
      argv_.push_back(data_.substr(pos_, static_cast<size_t>(len)));
      pos_ += static_cast<size_t>(len);
      if (data_.size() - pos_ < 2) {
        eof_ = true;
        return Fail(ReadStatus::kTruncated, line_start, "unexpected end of file");
      }
      pos_ += 2;  // the CRLF, unchecked as Redis leaves it
    }
    if (internal::EqualsNoCase(argv_[0], "multi")) {
      if (!in_multi_) {
        before_multi_ = valid_up_to_;
        multi_start_ = line_start;
      }
      in_multi_ = true;
    } else if (in_multi_ && internal::EqualsNoCase(argv_[0], "exec")) {
      in_multi_ = false;
    }
    valid_up_to_ = pos_;
    ++commands_;
    return true;
  }
}

}  // namespace baozi::aof
