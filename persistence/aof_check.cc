// baozi-check-aof: redis-check-aof 7.0's rules, messages and exit codes.
//
// The checker is stricter than the loader. It reads each command with fgets into a 128-byte
// buffer per "*<n>" / "$<n>" line and insists on "\r\n" right after the digits, reads
// <len> + 2 bytes per argument and insists they end in "\r\n", rejects lengths below 0, and
// tracks MULTI/EXEC (a second MULTI or an EXEC without MULTI is an error; reaching the end
// inside MULTI is one too). The valid prefix ("ok_up_to") is the start of the first command
// that failed, or of the open MULTI: redis-check-aof only advances it between commands outside
// a transaction. Errors print as "0x<offset, %16llx>: <reason>", the offset being where the
// failing line or byte run starts. Its line counter ("ok_up_to_line") counts every CRLF it
// consumed, including those after ok_up_to, and runs on across the files of a multi-part AOF:
// we reproduce that too.
//
// A file starting with "REDIS" (an RDB base, or an old RDB-preamble AOF) has its RDB part
// checked by loading it into a scratch keyspace (redis-check-rdb's own report is not
// reproduced: one line says whether the preamble is sane), then its tail as commands.
#include <libgen.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdarg>
#include <cstring>

#include "persistence/aof.h"
#include "persistence/aof_internal.h"

namespace baozi::aof {
namespace {

using internal::CString;
using internal::FgetsChunk;
using Status = CheckFileResult::Status;

std::string Printf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string Printf(const char* fmt, ...) {
  char buf[2048];
  va_list ap;
  va_start(ap, fmt);
  const int n = std::vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  return std::string(buf, n < 0 ? 0 : std::min<size_t>(static_cast<size_t>(n), sizeof(buf) - 1));
}

// printf("%02x", c) of a plain (signed) char, as redis-check-aof prints unexpected bytes.
std::string HexByte(char c) {
  return Printf("%02x", static_cast<unsigned>(static_cast<int>(static_cast<signed char>(c))));
}

// Where a loaded RDB ended, once rdb::LoadStats reports it (a member `end_offset`, requested
// from the codec); until then nullopt, and only a whole-file RDB (a multi-part base) is checked.
template <class Stats>
std::optional<size_t> RdbEndOffset(const Stats& stats) {
  if constexpr (requires { stats.end_offset; }) {
    return static_cast<size_t>(stats.end_offset);
  } else {
    return std::nullopt;
  }
}

class SingleFileChecker {
 public:
  SingleFileChecker(std::string_view data, const CheckFileOptions& opts, int64_t* line)
      : data_(data), opts_(opts), line_(line) {}

  CheckFileResult Run() {
    CheckFileResult res;
    res.size = data_.size();
    if (data_.empty()) {
      res.status = Status::kEmpty;
      return res;
    }
    if (opts_.preamble) {
      Keyspace scratch(16);
      rdb::LoadOptions lo;
      auto loaded = rdb::Load(data_, scratch, lo);
      std::optional<size_t> end;
      if (loaded) {
        end = RdbEndOffset(*loaded);
        // Without an end offset from the codec, a base file is RDB from end to end.
        if (!end && opts_.name.ends_with(".rdb")) end = data_.size();
      }
      if (!loaded) {
        res.output += "RDB preamble of AOF file is not sane, aborting.\n";
        res.status = Status::kFatal;
        return res;
      }
      if (!end) {
        res.output +=
            "RDB preamble is OK, but the codec does not report where it ends: the AOF tail of "
            "an old-style RDB-preamble AOF cannot be checked, aborting.\n";
        res.status = Status::kFatal;
        return res;
      }
      res.output += "RDB preamble is OK, proceeding with AOF tail...\n";
      pos_ = *end;
    }

    size_t ok_pos = pos_;
    while (true) {
      if (multi_ == 0) ok_pos = pos_;
      if (pos_ >= data_.size()) {
        eof_ = true;
        break;
      }
      // redis-check-aof peeks one byte and seeks back, which clears the EOF flag.
      eof_ = false;
      const char c = data_[pos_];
      if (c == '#') {
        if (auto st = Annotation(&res)) {
          res.status = *st;
          return res;
        }
      } else if (c == '*') {
        if (!ProcessResp()) break;
      } else {
        res.output += "AOF " + opts_.name + " format error\n";
        break;
      }
    }
    if (eof_ && multi_ != 0 && error_.empty()) Error("Reached EOF before reading EXEC for MULTI");
    if (!error_.empty()) res.output += error_ + "\n";
    res.error = error_;
    res.ok_up_to = ok_pos;
    res.diff = data_.size() - ok_pos;
    if (res.diff == 0 && opts_.to_timestamp != 0) {
      res.output += Printf("Truncate nothing in AOF %s to timestamp %lld\n", opts_.name.c_str(),
                           static_cast<long long>(opts_.to_timestamp));
      res.status = Status::kOk;
      return res;
    }
    res.output += Printf(
        "AOF analyzed: filename=%s, size=%lld, ok_up_to=%lld, ok_up_to_line=%lld, diff=%lld\n",
        opts_.name.c_str(), static_cast<long long>(res.size), static_cast<long long>(ok_pos),
        static_cast<long long>(*line_), static_cast<long long>(res.diff));
    res.status = res.diff > 0 ? Status::kInvalid : Status::kOk;
    return res;
  }

 private:
  // ERROR(): the message goes through two fixed buffers (1024, then 1044 bytes) and is read
  // back as a C string, so a NUL printed by %c ends it.
  void Error(const std::string& msg) {
    std::string inner = std::string(CString(msg));
    if (inner.size() > 1023) inner.resize(1023);
    std::string full =
        Printf("0x%16llx: %s", static_cast<unsigned long long>(epos_), inner.c_str());
    if (full.size() > 1043) full.resize(1043);
    error_ = std::move(full);
  }

  // fgets(buf, size): the bytes read; sets eof_ when the read ran out of input.
  std::string_view Fgets(size_t size) {
    if (pos_ >= data_.size()) {
      eof_ = true;
      return {};
    }
    bool hit = false;
    const std::string_view chunk = FgetsChunk(data_, pos_, size, &hit);
    if (hit) eof_ = true;
    pos_ += chunk.size();
    return chunk;
  }

  // strncmp(p, "\r\n", 2) on two bytes of a C buffer.
  bool ConsumeNewline(char c0, char c1) {
    if (c0 != '\r' || c1 != '\n') {
      Error("Expected \\r\\n, got: " + HexByte(c0) + HexByte(c1));
      return false;
    }
    *line_ += 1;
    return true;
  }

  bool ReadLong(char prefix, int64_t* target) {
    epos_ = pos_;
    const std::string_view buf = Fgets(128);
    if (buf.empty()) return false;
    // fgets stores the line and a NUL into a 128-byte stack buffer; when a line ends right
    // after its digits, redis-check-aof prints the byte after that NUL, left over from some
    // earlier call (which one depends on the compiler's stack layout). We print 00 for it.
    std::memset(line_buf_, 0, sizeof(line_buf_));
    std::memcpy(line_buf_, buf.data(), buf.size());
    line_buf_[buf.size()] = '\0';
    if (buf[0] != prefix) {
      Error(Printf("Expected prefix '%c', got: '", prefix) + std::string(1, buf[0]) + "'");
      return false;
    }
    const auto r = internal::StrToL(buf.substr(1));
    *target = r.value;
    const size_t at = 1 + r.end;  // at most buf.size() <= 127
    return ConsumeNewline(line_buf_[at], line_buf_[at + 1]);
  }

  bool ReadString(std::string_view* str) {
    int64_t len;
    if (!ReadLong('$', &len)) return false;
    if (len < 0 || len > LONG_MAX - 2) {
      Error(Printf("Expected to read string of %lld bytes, which is not in the suitable range",
                   static_cast<long long>(len)));
      return false;
    }
    const uint64_t want = static_cast<uint64_t>(len) + 2;
    epos_ = pos_;
    const uint64_t real = std::min<uint64_t>(want, data_.size() - pos_);
    const std::string_view bytes = data_.substr(pos_, static_cast<size_t>(real));
    pos_ += static_cast<size_t>(real);
    if (real != want) {
      eof_ = true;
      Error(Printf("Expected to read %lld bytes, got %lld bytes", static_cast<long long>(want),
                   static_cast<long long>(real)));
      return false;
    }
    if (!ConsumeNewline(bytes[static_cast<size_t>(len)], bytes[static_cast<size_t>(len) + 1])) {
      return false;
    }
    *str = CString(bytes.substr(0, static_cast<size_t>(len)));
    return true;
  }

  bool ProcessResp() {
    int64_t argc;
    if (!ReadLong('*', &argc)) return false;
    for (int64_t i = 0; i < argc; ++i) {
      std::string_view str;
      if (!ReadString(&str)) return false;
      if (i != 0) continue;
      if (internal::EqualsNoCase(str, "multi")) {
        if (multi_++ != 0) {
          Error("Unexpected MULTI in AOF " + opts_.path);
          return false;
        }
      } else if (internal::EqualsNoCase(str, "exec")) {
        if (--multi_ != 0) {
          Error("Unexpected EXEC in AOF " + opts_.path);
          return false;
        }
      }
    }
    return true;
  }

  // processAnnotations; a status when the check ends here.
  std::optional<Status> Annotation(CheckFileResult* res) {
    epos_ = pos_;
    const std::string_view buf = CString(Fgets(1024));
    if (opts_.to_timestamp == 0 || !buf.starts_with("#TS:")) return std::nullopt;
    const auto r = internal::StrToL(buf.substr(4));
    const size_t end = 4 + r.end;
    const bool range_error = r.end != 0 && (r.value == INT64_MAX || r.value == INT64_MIN);
    if (range_error || end >= buf.size() || buf[end] != '\r') {
      res->output += "Invalid timestamp annotation\n";
      return Status::kFatal;
    }
    if (r.value <= opts_.to_timestamp) return std::nullopt;
    const long long ts = static_cast<long long>(opts_.to_timestamp);
    if (epos_ == 0) {
      res->output +=
          Printf("AOF %s has nothing before timestamp %lld, aborting...\n", opts_.path.c_str(), ts);
      return Status::kFatal;
    }
    if (!opts_.last_file) {
      res->output += Printf(
          "Failed to truncate AOF %s to timestamp %lld to offset %lld because it is not the last "
          "file.\n",
          opts_.path.c_str(), ts, static_cast<long long>(epos_));
      res->output +=
          "If you insist, please delete all files after this file according to the manifest "
          "file and delete the corresponding records in manifest file manually. Then re-run "
          "redis-check-aof.\n";
      return Status::kFatal;
    }
    res->ok_up_to = epos_;
    res->diff = data_.size() - epos_;
    return Status::kTimestampTruncate;
  }

  std::string_view data_;
  const CheckFileOptions& opts_;
  int64_t* line_;
  size_t pos_ = 0;
  size_t epos_ = 0;
  int multi_ = 0;
  bool eof_ = false;
  std::string error_;
  char line_buf_[129] = {};  // fgets's 128 bytes, and one more for a read past it
};

// ---- the tool -----------------------------------------------------------------------------

// redis-check-aof exits 1 from deep inside on any fatal condition; here each step returns
// nullopt (or false) after printing, and Main turns that into the exit status.
class Tool {
 public:
  Tool(std::FILE* in, std::FILE* out) : in_(in), out_(out) {}

  int Main(int argc, char** argv) {
    const int rc = Run(argc, argv);
    std::fflush(out_);
    return rc;
  }

 private:
  int Run(int argc, char** argv) {
    std::string filepath;
    const char* prog = argc > 0 ? argv[0] : "baozi-check-aof";
    if (argc == 2) {
      filepath = argv[1];
    } else if (argc == 3 && std::strcmp(argv[1], "--fix") == 0) {
      filepath = argv[2];
      fix_ = true;
    } else if (argc == 4 && std::strcmp(argv[1], "--truncate-to-timestamp") == 0) {
      const auto r = internal::StrToL(argv[2]);
      if (r.end == 0 || r.end != std::strlen(argv[2]) || r.value == INT64_MAX ||
          r.value == INT64_MIN) {
        Print("Invalid timestamp, aborting...\n");
        return 1;
      }
      to_timestamp_ = r.value;
      filepath = argv[3];
    } else {
      Print(
          Printf("Usage: %s [--fix|--truncate-to-timestamp $timestamp] "
                 "<file.manifest|file.aof>\n",
                 prog));
      return 1;
    }
    std::string tmp = filepath;
    const std::string dir = ::dirname(tmp.data());

    const auto manifest = IsManifest(filepath);
    if (!manifest) return 1;
    if (*manifest) return CheckMultiPart(dir, filepath) ? 0 : 1;
    const auto rdb = IsRdb(filepath);
    if (!rdb) return 1;
    Print("Start checking Old-Style AOF\n");
    const auto st = CheckSingle(filepath, filepath, true, *rdb);
    if (!st) return 1;
    Report("", filepath, *st);
    return 0;
  }

  void Print(const std::string& s) { std::fwrite(s.data(), 1, s.size(), out_); }

  std::optional<std::string> Read(const std::string& path) {
    auto data = ReadWholeFile(path);
    if (!data) {
      Print("Cannot open file " + path + ": " + data.error() + "\n");
      return std::nullopt;
    }
    return std::move(*data);
  }

  // fileIsRDB: at least 8 bytes starting with "REDIS".
  std::optional<bool> IsRdb(const std::string& path) {
    const auto data = Read(path);
    if (!data) return std::nullopt;
    return data->size() >= 8 && data->starts_with("REDIS");
  }

  // fileIsManifest: some line that is not a comment starts with "file".
  std::optional<bool> IsManifest(const std::string& path) {
    const auto data = Read(path);
    if (!data) return std::nullopt;
    size_t pos = 0;
    bool is_manifest = false;
    while (pos < data->size()) {
      bool hit = false;
      const std::string_view chunk = FgetsChunk(*data, pos, 1025, &hit);
      pos += chunk.size();
      if (chunk[0] == '#') continue;
      if (chunk.starts_with("file")) is_manifest = true;
    }
    return is_manifest;
  }

  // checkSingleAof with its handling of the result; nullopt when the tool exits 1.
  std::optional<Status> CheckSingle(const std::string& name, const std::string& path,
                                    bool last_file, bool preamble) {
    auto data = ReadWholeFile(path);
    if (!data) {
      Print("Cannot open file " + path + ": " + data.error() + ", aborting...\n");
      return std::nullopt;
    }
    CheckFileOptions o;
    o.name = name;
    o.path = path;
    o.last_file = last_file;
    o.preamble = preamble;
    o.to_timestamp = to_timestamp_;
    const CheckFileResult r = CheckAofFile(*data, o, &line_);
    Print(r.output);
    switch (r.status) {
      case Status::kOk:
      case Status::kEmpty:
        return r.status;
      case Status::kFatal:
        return std::nullopt;
      case Status::kTimestampTruncate:
        if (::truncate(path.c_str(), static_cast<off_t>(r.ok_up_to)) == -1) {
          Print(Printf("Failed to truncate AOF %s to timestamp %lld\n", path.c_str(),
                       static_cast<long long>(to_timestamp_)));
          return std::nullopt;
        }
        return r.status;
      case Status::kInvalid:
        break;
    }
    if (!fix_) {
      Print("AOF " + name + " is not valid. Use the --fix option to try fixing it.\n");
      return std::nullopt;
    }
    if (!last_file) {
      Print("Failed to truncate AOF " + name + " because it is not the last file\n");
      return std::nullopt;
    }
    Print(Printf("This will shrink the AOF %s from %lld bytes, with %lld bytes, to %lld bytes\n",
                 name.c_str(), static_cast<long long>(r.size), static_cast<long long>(r.diff),
                 static_cast<long long>(r.ok_up_to)));
    Print("Continue? [y/N]: ");
    std::fflush(out_);
    char buf[2];
    if (std::fgets(buf, sizeof(buf), in_) == nullptr || (buf[0] != 'y' && buf[0] != 'Y')) {
      Print("Aborting...\n");
      return std::nullopt;
    }
    if (::truncate(path.c_str(), static_cast<off_t>(r.ok_up_to)) == -1) {
      Print("Failed to truncate AOF " + name + "\n");
      return std::nullopt;
    }
    return Status::kInvalid;  // now truncated
  }

  void Report(std::string_view kind, const std::string& name, Status st) {
    const std::string prefix = kind.empty() ? "AOF " : std::string(kind) + " AOF ";
    switch (st) {
      case Status::kOk:
        Print(prefix + name + " is valid\n");
        break;
      case Status::kEmpty:
        Print(prefix + name + " is empty\n");
        break;
      case Status::kTimestampTruncate:
        Print(Printf("Successfully truncated AOF %s to timestamp %lld\n", name.c_str(),
                     static_cast<long long>(to_timestamp_)));
        break;
      case Status::kInvalid:
        Print("Successfully truncated AOF " + name + "\n");
        break;
      case Status::kFatal:
        break;
    }
  }

  bool CheckMultiPart(const std::string& dir, const std::string& manifest_path) {
    Print("Start checking Multi Part AOF\n");
    auto text = ReadWholeFile(manifest_path);
    if (!text) {
      Print("Fatal error: can't open the AOF manifest file " + manifest_path +
            " for reading: " + text.error() + "\n");
      return false;
    }
    auto am = Manifest::Parse(*text);
    if (!am) {
      Print(am.error().LogText() + "\n");
      return false;
    }
    const size_t total = am->load_file_count();
    size_t n = 0;
    if (const auto& base = am->base()) {
      const std::string path = dir + "/" + base->name;
      const bool last = ++n == total;
      const auto rdb = IsRdb(path);
      if (!rdb) return false;
      Print(Printf("Start to check BASE AOF (%s format).\n", *rdb ? "RDB" : "RESP"));
      const auto st = CheckSingle(base->name, path, last, *rdb);
      if (!st) return false;
      Report("BASE", base->name, *st);
    }
    if (!am->incrs().empty()) {
      Print("Start to check INCR files.\n");
      for (const FileInfo& f : am->incrs()) {
        const bool last = ++n == total;
        const auto st = CheckSingle(f.name, dir + "/" + f.name, last, false);
        if (!st) return false;
        Report("INCR", f.name, *st);
      }
    }
    Print("All AOF files and manifest are valid\n");
    return true;
  }

  std::FILE* in_;
  std::FILE* out_;
  bool fix_ = false;
  int64_t to_timestamp_ = 0;
  int64_t line_ = 1;
};

}  // namespace

CheckFileResult CheckAofFile(std::string_view data, const CheckFileOptions& opts, int64_t* line) {
  return SingleFileChecker(data, opts, line).Run();
}

int RunCheckAof(int argc, char** argv, std::FILE* in, std::FILE* out) {
  return Tool(in, out).Main(argc, argv);
}

}  // namespace baozi::aof
