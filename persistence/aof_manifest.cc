// The multi-part AOF manifest: parsing, printing and the bookkeeping a rewrite does to it.
//
// A manifest is a small text file, one line per AOF file: `file <name> seq <n> type <b|h|i>`.
// Redis 7.0 reads it with fgets into a 1025-byte buffer, so a line (newline included) of more
// than 1024 bytes, and a last line without '\n', are refused as "too long"; lines starting
// with '#' are skipped; a line is trimmed of blanks, split the way redis-cli splits its input
// (sdssplitargs: quotes and backslash escapes), and must hold an even number of at least six
// words, read as key/value pairs with case-insensitive keys, unknown keys ignored for forward
// compatibility. seq is read with atoll (so "7x" is 7 and "x" is 0, which is refused), the
// type is the first byte of its word. One base at most; incr sequence numbers strictly
// increase. Names with blanks, quotes or unprintable bytes are written back quoted, the way
// sdscatrepr prints them, so the round trip is exact.
//
// The operations mirror Redis's: a rewrite start opens a new incr; a rewrite end installs a
// new base and turns the old base and the incrs it covers into history, which is deleted
// later. Each keeps curr_base_file_seq / curr_incr_file_seq, so names never repeat.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "persistence/aof.h"
#include "persistence/aof_internal.h"

namespace baozi::aof {
namespace {

using internal::CString;
using internal::EqualsNoCase;
using internal::FgetsChunk;
using internal::IsCSpace;

constexpr size_t kManifestMaxLine = 1024;

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

std::string_view Trim(std::string_view s, std::string_view chars) {
  const size_t b = s.find_first_not_of(chars);
  if (b == std::string_view::npos) return {};
  const size_t e = s.find_last_not_of(chars);
  return s.substr(b, e - b + 1);
}

bool IsPrint(unsigned char c) { return c >= 0x20 && c < 0x7f; }

std::string FormatLine(const FileInfo& f) {
  std::string out = "file ";
  // Redis quotes only what sdsneedsrepr flags, which misses "'" and the empty name: a name
  // like "it's" then opens a quote when read back, and an empty one leaves the line a word
  // short, so the manifest no longer loads. We quote those too (Redis reads the quoted forms
  // fine); every other name is written exactly as Redis writes it.
  const bool quote = f.name.empty() || NeedsRepr(f.name) || f.name.find('\'') != std::string::npos;
  out += quote ? Repr(f.name) : f.name;
  out += " seq ";
  out += std::to_string(f.seq);
  out += " type ";
  out += static_cast<char>(f.type);
  out += '\n';
  return out;
}

}  // namespace

std::optional<std::vector<std::string>> SplitArgs(std::string_view line) {
  const std::string_view s = CString(line);
  std::vector<std::string> out;
  size_t p = 0;
  auto at = [&](size_t i) { return i < s.size() ? s[i] : '\0'; };
  while (true) {
    while (p < s.size() && IsCSpace(s[p])) ++p;
    if (p >= s.size()) return out;
    bool inq = false;
    bool insq = false;
    bool done = false;
    std::string cur;
    while (!done) {
      const char c = at(p);
      if (inq) {
        if (c == '\\' && at(p + 1) == 'x' && IsHexDigit(at(p + 2)) && IsHexDigit(at(p + 3))) {
          cur.push_back(static_cast<char>(HexValue(at(p + 2)) * 16 + HexValue(at(p + 3))));
          p += 3;
        } else if (c == '\\' && at(p + 1) != '\0') {
          ++p;
          switch (at(p)) {
            case 'n':
              cur.push_back('\n');
              break;
            case 'r':
              cur.push_back('\r');
              break;
            case 't':
              cur.push_back('\t');
              break;
            case 'b':
              cur.push_back('\b');
              break;
            case 'a':
              cur.push_back('\a');
              break;
            default:
              cur.push_back(at(p));
              break;
          }
        } else if (c == '"') {
          // The closing quote must be followed by a blank or the end.
          if (at(p + 1) != '\0' && !IsCSpace(at(p + 1))) return std::nullopt;
          done = true;
        } else if (c == '\0') {
          return std::nullopt;  // unterminated quotes
        } else {
          cur.push_back(c);
        }
      } else if (insq) {
        if (c == '\\' && at(p + 1) == '\'') {
          ++p;
          cur.push_back('\'');
        } else if (c == '\'') {
          if (at(p + 1) != '\0' && !IsCSpace(at(p + 1))) return std::nullopt;
          done = true;
        } else if (c == '\0') {
          return std::nullopt;
        } else {
          cur.push_back(c);
        }
      } else {
        switch (c) {
          case ' ':
          case '\n':
          case '\r':
          case '\t':
          case '\0':
            done = true;
            break;
          case '"':
            inq = true;
            break;
          case '\'':
            insq = true;
            break;
          default:
            cur.push_back(c);
            break;
        }
      }
      if (p < s.size()) ++p;
    }
    out.push_back(std::move(cur));
  }
}

bool NeedsRepr(std::string_view s) {
  for (unsigned char c : s) {
    if (c == '\\' || c == '"' || !IsPrint(c) || c == ' ') return true;
  }
  return false;
}

std::string Repr(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '\\':
      case '"':
        out.push_back('\\');
        out.push_back(static_cast<char>(c));
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      default:
        if (IsPrint(c)) {
          out.push_back(static_cast<char>(c));
        } else {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\x%02x", c);
          out += buf;
        }
        break;
    }
  }
  out.push_back('"');
  return out;
}

std::string ManifestError::LogText() const {
  std::string out = "*** FATAL AOF MANIFEST FILE ERROR ***\n";
  if (line > 0) {
    out += "Reading the manifest file, at line " + std::to_string(line) + "\n";
    out += ">>> '" + text + "'\n";
  }
  out += reason;
  return out;
}

std::expected<Manifest, ManifestError> Manifest::Parse(std::string_view text) {
  Manifest am;
  int64_t maxseq = 0;
  int linenum = 0;
  size_t pos = 0;
  auto fail = [&](std::string_view reason, std::string_view line = {}, bool with_line = false) {
    ManifestError e;
    if (with_line) {
      e.line = linenum;
      e.text = std::string(line);
    }
    e.reason = std::string(reason);
    return std::unexpected(std::move(e));
  };
  while (true) {
    if (pos >= text.size()) {
      if (linenum == 0) return fail("Found an empty AOF manifest");
      break;
    }
    bool hit_eof = false;
    const std::string_view chunk = FgetsChunk(text, pos, kManifestMaxLine + 1, &hit_eof);
    pos += chunk.size();
    ++linenum;
    const std::string_view buf = CString(chunk);
    if (!buf.empty() && buf[0] == '#') continue;
    if (buf.find('\n') == std::string_view::npos) {
      return fail("The AOF manifest file contains too long line");
    }
    const std::string_view line = Trim(buf, " \t\r\n");
    if (line.empty()) return fail("Invalid AOF manifest file format", line, true);
    auto argv = SplitArgs(line);
    if (!argv || argv->size() < 6 || argv->size() % 2 != 0) {
      return fail("Invalid AOF manifest file format", line, true);
    }
    FileInfo ai;
    bool has_name = false;
    char type = 0;
    for (size_t i = 0; i < argv->size(); i += 2) {
      const std::string& k = (*argv)[i];
      const std::string& v = (*argv)[i + 1];
      if (EqualsNoCase(k, "file")) {
        // sdsnew(argv[i+1]): the name is cut at a NUL an escape may have produced.
        ai.name = std::string(CString(v));
        has_name = true;
        if (ai.name.find('/') != std::string::npos || ai.name.find('\\') != std::string::npos) {
          return fail("File can't be a path, just a filename", line, true);
        }
      } else if (EqualsNoCase(k, "seq")) {
        ai.seq = internal::StrToL(v).value;
      } else if (EqualsNoCase(k, "type")) {
        type = v.empty() ? '\0' : v[0];
      }
    }
    if (!has_name || ai.seq == 0 || type == '\0') {
      return fail("Invalid AOF manifest file format", line, true);
    }
    if (type == 'b') {
      if (am.base_) return fail("Found duplicate base file information", line, true);
      ai.type = FileType::kBase;
      am.base_seq_ = ai.seq;
      am.base_ = std::move(ai);
    } else if (type == 'h') {
      ai.type = FileType::kHistory;
      am.history_.push_back(std::move(ai));
    } else if (type == 'i') {
      if (ai.seq <= maxseq) return fail("Found a non-monotonic sequence number", line, true);
      ai.type = FileType::kIncr;
      am.incr_seq_ = ai.seq;
      maxseq = ai.seq;
      am.incrs_.push_back(std::move(ai));
    } else {
      return fail("Unknown AOF file type", line, true);
    }
  }
  return am;
}

std::string Manifest::ToString() const {
  std::string out;
  if (base_) out += FormatLine(*base_);
  for (const FileInfo& f : history_) out += FormatLine(f);
  for (const FileInfo& f : incrs_) out += FormatLine(f);
  return out;
}

const std::string& Manifest::NewBase(std::string_view appendfilename, bool rdb_preamble) {
  if (base_) {
    base_->type = FileType::kHistory;
    history_.insert(history_.begin(), std::move(*base_));
  }
  ++base_seq_;
  base_ =
      FileInfo{BaseFileName(appendfilename, base_seq_, rdb_preamble), base_seq_, FileType::kBase};
  dirty_ = true;
  return base_->name;
}

const std::string& Manifest::NewIncr(std::string_view appendfilename) {
  ++incr_seq_;
  incrs_.push_back(FileInfo{IncrFileName(appendfilename, incr_seq_), incr_seq_, FileType::kIncr});
  dirty_ = true;
  return incrs_.back().name;
}

const std::string& Manifest::LastIncrOrNew(std::string_view appendfilename) {
  if (incrs_.empty()) return NewIncr(appendfilename);
  return incrs_.back().name;
}

void Manifest::MarkRewrittenIncrsAsHistory(bool keep_last) {
  if (incrs_.empty()) return;
  // Walking from the tail (skipping the file being written), each moves to the history head,
  // so the history ends up in ascending order in front of what it held.
  size_t n = incrs_.size() - (keep_last ? 1 : 0);
  for (size_t i = n; i-- > 0;) {
    FileInfo h = incrs_[i];
    h.type = FileType::kHistory;
    history_.insert(history_.begin(), std::move(h));
  }
  incrs_.erase(incrs_.begin(), incrs_.begin() + static_cast<ptrdiff_t>(n));
  dirty_ = true;
}

std::vector<FileInfo> Manifest::TakeHistory() {
  std::vector<FileInfo> out = std::move(history_);
  history_.clear();
  if (!out.empty()) dirty_ = true;
  return out;
}

void Manifest::SetUpgradeBase(std::string_view appendfilename) {
  base_ = FileInfo{std::string(appendfilename), 1, FileType::kBase};
  base_seq_ = 1;
  dirty_ = true;
}

std::string ManifestFileName(std::string_view f) { return std::string(f) + ".manifest"; }
std::string TempManifestFileName(std::string_view f) {
  return "temp-" + std::string(f) + ".manifest";
}
std::string TempIncrFileName(std::string_view f) { return "temp-" + std::string(f) + ".incr"; }
std::string BaseFileName(std::string_view f, int64_t seq, bool rdb_preamble) {
  return std::string(f) + "." + std::to_string(seq) + ".base" + (rdb_preamble ? ".rdb" : ".aof");
}
std::string IncrFileName(std::string_view f, int64_t seq) {
  return std::string(f) + "." + std::to_string(seq) + ".incr.aof";
}
std::string TempRewriteFileName(int pid) {
  return "temp-rewriteaof-bg-" + std::to_string(pid) + ".aof";
}

std::expected<std::string, std::string> ReadWholeFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd == -1) return std::unexpected(std::string(std::strerror(errno)));
  std::string out;
  char buf[65536];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const int en = errno;
      ::close(fd);
      return std::unexpected(std::string(std::strerror(en)));
    }
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

std::expected<void, std::string> WriteManifestFile(const std::string& dir,
                                                   std::string_view appendfilename,
                                                   std::string_view text) {
  const std::string am_name = ManifestFileName(appendfilename);
  const std::string tmp_name = TempManifestFileName(appendfilename);
  const std::string am_path = dir + "/" + am_name;
  const std::string tmp_path = dir + "/" + tmp_name;
  auto err = [](std::string s) { return std::unexpected(std::move(s)); };

  const int fd = ::open(tmp_path.c_str(), O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC, 0644);
  if (fd == -1) {
    return err("Can't open the AOF manifest file " + tmp_name + ": " + std::strerror(errno));
  }
  size_t off = 0;
  while (off < text.size()) {
    const ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int en = errno;
      ::close(fd);
      return err("Error trying to write the temporary AOF manifest file " + tmp_name + ": " +
                 std::strerror(en));
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) == -1) {
    const int en = errno;
    ::close(fd);
    return err("Fail to fsync the temp AOF file " + tmp_name + ": " + std::strerror(en) + ".");
  }
  ::close(fd);
  if (::rename(tmp_path.c_str(), am_path.c_str()) != 0) {
    return err("Error trying to rename the temporary AOF manifest file " + tmp_name + " into " +
               am_name + ": " + std::strerror(errno));
  }
  // The rename (and any new AOF file in the directory) is durable only once the directory is.
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd == -1 || ::fsync(dfd) == -1) {
    const int en = errno;
    if (dfd != -1) ::close(dfd);
    return err("Fail to fsync AOF directory " + am_path + ": " + std::strerror(en) + ".");
  }
  ::close(dfd);
  return {};
}

}  // namespace baozi::aof
