// The append-only file, the parts that do not need a server: Redis 7's multi-part manifest,
// the RESP command-stream reader that loading and the checker share, the command form of a
// keyspace for a rewrite with `aof-use-rdb-preamble no`, and the RESP encoding of executed
// commands with Redis's SELECT rule.
//
// Layout on disk (Redis 7.0): a directory (appenddirname) holding a manifest
// `<appendfilename>.manifest` that lists a base file `<appendfilename>.<seq>.base.rdb` (RDB
// preamble) or `.base.aof` (commands), then incremental files `<appendfilename>.<seq>.incr.aof`
// in sequence order, plus "history" entries (the previous base and incrs after a rewrite,
// waiting to be deleted). Loading replays the base, then each incr in order.
//
// The layer depends on storage/ only. The server owns file descriptors, fork(), fsync policy
// and the dispatcher that replays commands; this header gives it pure data and text in and
// out, plus two small file helpers (read a whole file, write the manifest atomically).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "persistence/rdb.h"
#include "storage/db.h"

namespace baozi::aof {

// ---------------------------------------------------------------------------------------------
// Manifest (aof_manifest.cc)
// ---------------------------------------------------------------------------------------------

enum class FileType : char { kBase = 'b', kHistory = 'h', kIncr = 'i' };

struct FileInfo {
  std::string name;
  int64_t seq = 0;
  FileType type = FileType::kBase;
  bool operator==(const FileInfo&) const = default;
};

// Why a manifest was refused, with Redis's texts (aofLoadManifestFromFile): `reason` is one of
// "Found an empty AOF manifest", "The AOF manifest file contains too long line", "Invalid AOF
// manifest file format", "File can't be a path, just a filename", "Found duplicate base file
// information", "Found a non-monotonic sequence number", "Unknown AOF file type". `line` is the
// 1-based line number and `text` the trimmed line when Redis reports them (line 0 otherwise).
struct ManifestError {
  int line = 0;
  std::string text;
  std::string reason;
  // The lines Redis logs before exiting, without log prefixes, '\n'-separated:
  // "*** FATAL AOF MANIFEST FILE ERROR ***", ["Reading the manifest file, at line N",
  // ">>> 'text'",] reason.
  std::string LogText() const;
};

class Manifest {
 public:
  // Parses a manifest file's bytes exactly as Redis 7.0 does: lines of at most 1024 bytes
  // each ending in '\n' (the last line too), '#' comment lines, space-separated key/value
  // pairs split as sdssplitargs splits them (quotes and escapes), keys case-insensitive,
  // unknown keys ignored, at least file/seq/type present.
  static std::expected<Manifest, ManifestError> Parse(std::string_view text);
  // The file form: base first, then history, then incrs, one "file <name> seq <n> type <t>"
  // line each; names needing it are quoted as sdscatrepr does (and, unlike Redis, names with
  // a "'", which Redis writes bare and then cannot read back).
  std::string ToString() const;

  const std::optional<FileInfo>& base() const { return base_; }
  const std::vector<FileInfo>& incrs() const { return incrs_; }
  const std::vector<FileInfo>& history() const { return history_; }
  int64_t base_seq() const { return base_seq_; }
  int64_t incr_seq() const { return incr_seq_; }
  // No base and no incr: nothing to load (Redis AOF_NOT_EXIST).
  bool empty() const { return !base_ && incrs_.empty(); }
  // Base + incrs: the files a load reads, in this order.
  size_t load_file_count() const { return (base_ ? 1 : 0) + incrs_.size(); }

  // Changed since parsed or last persisted (the server skips rewriting a clean manifest).
  bool dirty() const { return dirty_; }
  void set_dirty(bool d) { dirty_ = d; }

  // After a successful rewrite (getNewBaseFileNameAndMarkPreAsHistory): the current base, if
  // any, moves to the front of the history; a new base `<appendfilename>.<seq+1>.base.rdb`
  // (`.aof` without the RDB preamble) takes its place. Returns the new name.
  const std::string& NewBase(std::string_view appendfilename, bool rdb_preamble);
  // A new incr `<appendfilename>.<seq+1>.incr.aof` at the end of the incr list (at rewrite
  // start, and at start-up when there is none). Returns its name.
  const std::string& NewIncr(std::string_view appendfilename);
  // The incr to append to at start-up: the last one, or a new one (getLastIncrAofName).
  const std::string& LastIncrOrNew(std::string_view appendfilename);
  // After a successful rewrite (markRewrittenIncrAofAsHistory): every incr but the last one
  // when `keep_last` (the AOF is on and the last incr is the file being written) becomes
  // history, each pushed to the front of the history list as Redis does.
  void MarkRewrittenIncrsAsHistory(bool keep_last);
  // Hands over the history entries for deletion and forgets them (aofDelHistoryFiles).
  std::vector<FileInfo> TakeHistory();
  // Upgrade from a single pre-7.0 AOF (aofUpgradePrepare): the old file becomes base seq 1.
  void SetUpgradeBase(std::string_view appendfilename);

 private:
  std::optional<FileInfo> base_;
  std::vector<FileInfo> incrs_;
  std::vector<FileInfo> history_;
  int64_t base_seq_ = 0;
  int64_t incr_seq_ = 0;
  bool dirty_ = false;
};

// File names, as Redis builds them.
std::string ManifestFileName(std::string_view appendfilename);      // "<f>.manifest"
std::string TempManifestFileName(std::string_view appendfilename);  // "temp-<f>.manifest"
std::string TempIncrFileName(std::string_view appendfilename);      // "temp-<f>.incr"
std::string BaseFileName(std::string_view appendfilename, int64_t seq, bool rdb_preamble);
std::string IncrFileName(std::string_view appendfilename, int64_t seq);
// The rewrite child's output before it is renamed to the new base ("temp-rewriteaof-bg-<pid>.aof").
std::string TempRewriteFileName(int pid);

// sdssplitargs: words separated by blanks; "double quotes" with \n \r \t \b \a \\ \" and \xHH
// escapes, 'single quotes' with \' only; a closing quote must be followed by a blank or the
// end. nullopt on unbalanced quotes (Redis returns NULL).
std::optional<std::vector<std::string>> SplitArgs(std::string_view line);
// sdsneedsrepr / sdscatrepr: whether a name must be quoted in the manifest, and its quoted form.
bool NeedsRepr(std::string_view s);
std::string Repr(std::string_view s);

// Reads a whole file. The error is strerror(errno).
std::expected<std::string, std::string> ReadWholeFile(const std::string& path);
// persistAofManifest's I/O: writes `text` to dir/TempManifestFileName, fsyncs it, renames it
// over dir/ManifestFileName and fsyncs the directory. The error is the line Redis logs
// ("Can't open the AOF manifest file ...", "Fail to fsync the temp AOF file ...", ...).
std::expected<void, std::string> WriteManifestFile(const std::string& dir,
                                                   std::string_view appendfilename,
                                                   std::string_view text);

// ---------------------------------------------------------------------------------------------
// Command-stream reader (aof_reader.cc)
// ---------------------------------------------------------------------------------------------

// A file that starts with "REDIS" is an RDB (a multi-part base `.rdb`, or a pre-7.0 AOF with
// an RDB preamble): the caller loads it with rdb::Load, then reads commands after it.
inline bool HasRdbPreamble(std::string_view data) { return data.starts_with("REDIS"); }

// Reads RESP commands from the bytes of one AOF file (or the tail after an RDB preamble) with
// the rules of Redis 7.0's loader (loadSingleAppendOnlyFile): lines read as fgets reads them
// into a 1024-byte buffer, '#' annotation lines skipped, "*<argc>" then per argument
// "$<len>", <len> bytes and two bytes that are not checked. Nothing is copied: argv() views
// the input. A declared length is never allocated for; bytes that do not exist make a
// truncation, as a short read does in Redis.
//
//   aof::CommandReader r(bytes);
//   while (r.Next()) Replay(r.argv());
//   if (r.status() != aof::ReadStatus::kOk) ... r.valid_prefix(), r.error_offset(), r.reason()
enum class ReadStatus : uint8_t {
  kOk,         // clean end of input
  kTruncated,  // the input ends inside a command, or inside MULTI ... without EXEC
  kCorrupt,    // a byte that can never start a valid continuation (Redis's "Bad file format")
};

class CommandReader {
 public:
  // `start`: where commands begin (after an RDB preamble); offsets are into `data`.
  explicit CommandReader(std::string_view data, size_t start = 0);

  // The next command; false at the end of input or on an error (see status()).
  bool Next();
  std::span<const std::string_view> argv() const { return argv_; }
  size_t command_start() const { return cmd_start_; }  // offset of its '*'
  size_t command_end() const { return pos_; }          // one past its last byte

  ReadStatus status() const { return status_; }
  // Where the problem is: the first byte of the bad line, the start of a command cut short,
  // or (EOF inside a transaction) the start of the open MULTI.
  size_t error_offset() const { return error_offset_; }
  // What aof-load-truncated keeps: the end of the last complete command outside an open
  // transaction. Redis keeps up to the last complete command even inside MULTI, which leaves
  // a dangling MULTI that swallows whatever is appended next; we cut before the MULTI (the
  // loaded data is the same: queued commands never ran).
  size_t valid_prefix() const { return status_ == ReadStatus::kOk ? pos_ : valid_prefix_; }
  // Set when the input ended cleanly but inside MULTI (Redis: "Revert incomplete MULTI/EXEC
  // transaction in AOF file ...").
  bool reverted_multi() const { return reverted_multi_; }
  // A short reason for logs ("unexpected end of file", "expected '*'", ...).
  std::string_view reason() const { return reason_; }
  // Commands returned so far.
  uint64_t commands() const { return commands_; }

 private:
  // fgets into a 1024-byte buffer: up to 1023 bytes, through the first '\n'.
  std::string_view ReadLine();
  bool Fail(ReadStatus s, size_t offset, std::string_view reason);

  std::string_view data_;
  size_t pos_;
  size_t cmd_start_ = 0;
  std::vector<std::string_view> argv_;
  ReadStatus status_ = ReadStatus::kOk;
  size_t error_offset_ = 0;
  size_t valid_up_to_;
  size_t valid_prefix_ = 0;
  size_t before_multi_ = 0;
  size_t multi_start_ = 0;
  bool in_multi_ = false;
  bool eof_ = false;  // a read reached the end of the input (feof)
  bool done_ = false;
  bool reverted_multi_ = false;
  std::string_view reason_;
  uint64_t commands_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Checker (aof_check.cc): redis-check-aof's rules and messages
// ---------------------------------------------------------------------------------------------

struct CheckFileOptions {
  std::string name;  // as printed in "AOF analyzed: filename=..." (the manifest's name)
  std::string path;  // as printed in "Unexpected MULTI in AOF <path>"
  bool last_file = true;
  bool preamble = false;     // the file starts with an RDB (checked, then the tail)
  int64_t to_timestamp = 0;  // --truncate-to-timestamp (0: off)
};

struct CheckFileResult {
  enum class Status : uint8_t {
    kOk,                 // valid (diff 0)
    kEmpty,              // zero bytes
    kInvalid,            // diff > 0: --fix may truncate at ok_up_to
    kTimestampTruncate,  // --truncate-to-timestamp: truncate at ok_up_to
    kFatal,              // redis-check-aof exits 1 (message in output)
  };
  Status status = Status::kOk;
  uint64_t size = 0;
  uint64_t ok_up_to = 0;  // offset of the first bad byte's command (the valid prefix)
  uint64_t diff = 0;
  std::string error;   // "0x<offset>: <reason>" as printed, or empty
  std::string output;  // everything redis-check-aof prints for this file up to the analysis
};

// checkSingleAof on a file's bytes. `line` carries redis-check-aof's line counter, which runs
// on across the files of a multi-part AOF (start it at 1).
CheckFileResult CheckAofFile(std::string_view data, const CheckFileOptions& opts, int64_t* line);

// The whole tool: `baozi-check-aof [--fix|--truncate-to-timestamp <ts>] <file.manifest|file.aof>`
// with redis-check-aof's output and exit status; --fix asks "Continue? [y/N]:" on `in`.
// persistence/tools/check_aof_main.cc wraps it.
int RunCheckAof(int argc, char** argv, std::FILE* in, std::FILE* out);

// ---------------------------------------------------------------------------------------------
// Writing commands (aof_rewrite.cc)
// ---------------------------------------------------------------------------------------------

// Redis's AOF_REWRITE_ITEMS_PER_CMD.
inline constexpr size_t kRewriteItemsPerCmd = 64;

// One command as RESP ("*<argc>\r\n" then "$<len>\r\n<bytes>\r\n" per argument).
void AppendCommand(std::string* out, std::span<const std::string_view> argv);

// The feed of executed commands (feedAppendOnlyFile): a SELECT precedes a command whose
// database differs from the last one written. Reset() forgets the last database (Redis sets
// aof_selected_db = -1 at start-up and when a rewrite starts, so each new incr file begins
// with a SELECT).
class CommandFeed {
 public:
  void Append(std::string* out, int db, std::span<const std::string_view> argv);
  void Reset() { selected_db_ = -1; }
  int selected_db() const { return selected_db_; }

 private:
  int selected_db_ = -1;
};

// "#TS:<unix seconds>\r\n" (aof-timestamp-enabled).
std::string TimestampAnnotation(int64_t unix_seconds);

struct RewriteOptions {
  // aof-timestamp-enabled: a "#TS:" annotation first, with this time.
  bool timestamp = false;
  int64_t now_seconds = 0;
  // The function libraries' code: one FUNCTION LOAD each, before the databases.
  std::vector<std::string_view> function_libraries;
};

// rewriteAppendOnlyFileRio: per non-empty database "SELECT <i>", then per key SET / RPUSH /
// SADD / ZADD (scores "%.17g") / HMSET batched by kRewriteItemsPerCmd, then PEXPIREAT
// <deadline ms> for a key with a TTL. Keys already expired are written too, as Redis does.
// False if the sink failed.
bool RewriteAsCommands(Keyspace& ks, rdb::Sink& sink, const RewriteOptions& opts);

}  // namespace baozi::aof
