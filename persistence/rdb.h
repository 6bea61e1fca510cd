// RDB: Redis's snapshot format, version 10 (what Redis 7.0 writes and reads), so a dump.rdb
// moves between baozi and Redis in both directions, and DUMP payloads with it.
//
// This header is the whole interface the server uses; the format itself (opcodes, length and
// integer encodings, LZF strings, the per-type object layouts, the CRC-64 trailer) lives in
// rdb_save.cc and rdb_load.cc, each opening with its own account of the format.
//
// The layer depends on storage/ only. It reads and writes a Keyspace and Values; files,
// fork(), fsync and rename are the server's business (it hands the writer a Sink and the
// reader the bytes of a file it has mapped).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/db.h"
#include "storage/encoding_limits.h"
#include "storage/value.h"

namespace baozi::rdb {

inline constexpr int kVersion = 10;

// Why a load failed, and where: the byte offset into the input at which the bad or missing
// data starts, and a reason for the log ("unexpected end of file", "wrong checksum", "unknown
// object type 21", ...).
struct Error {
  uint64_t offset = 0;
  std::string reason;
};
template <class T>
using Expected = std::expected<T, Error>;

// Where a writer's bytes go. Write is called with small pieces; a sink buffers as it likes.
class Sink {
 public:
  virtual ~Sink() = default;
  // False on an I/O error; the writer then stops and reports failure.
  virtual bool Write(const void* data, size_t len) = 0;
};

class StringSink final : public Sink {
 public:
  explicit StringSink(std::string* out) : out_(out) {}
  bool Write(const void* data, size_t len) override {
    out_->append(static_cast<const char*>(data), len);
    return true;
  }

 private:
  std::string* out_;
};

struct SaveOptions {
  bool compress = true;   // rdbcompression: LZF for strings longer than 20 bytes when it pays
  bool checksum = true;   // rdbchecksum: a CRC-64 trailer (else eight zero bytes)
  int64_t now_ms = 0;     // the "ctime" aux field
  uint64_t used_mem = 0;  // the "used-mem" aux field
  bool aof_base = false;  // the "aof-base" aux field: 1 for an AOF's RDB preamble
  // The "redis-ver" aux field (the server passes its version string; persistence/ does not
  // include server/).
  std::string redis_ver = "7.0.15";
  // LRU idle times (lru) or LFU counters (lfu) per key, as Redis writes them under an LRU or
  // LFU maxmemory policy; neither otherwise.
  bool save_lru = false;
  bool save_lfu = false;
  // Counts the keys written so far, when set (a saving child reports its progress from it:
  // INFO's current_save_keys_processed).
  uint64_t* keys_written = nullptr;
  // The code of every function library (what FUNCTION LOAD was given, shebang included). Each
  // becomes a FUNCTION2 record (opcode, code as a string) after the aux fields and before the
  // databases, where Redis 7.0's rdbSaveFunctions writes them.
  std::vector<std::string_view> function_libraries;
};

// Writes every database of `ks` (header, aux fields, SELECTDB/RESIZEDB per non-empty database,
// the keys with their deadlines, EOF and checksum). Keys whose deadline has passed are written
// too, as Redis does; loading drops them. Returns false if the sink failed.
bool Save(Keyspace& ks, Sink& sink, const SaveOptions& opts);

struct LoadOptions {
  // Keys already expired at this time are not loaded (a master's rule in Redis). 0 loads every
  // key whatever its deadline (Redis does so for an AOF's RDB preamble and on replicas).
  // When set, Load also sets the keyspace clock to it (ks.set_now_ms), so that IDLE/FREQ
  // data is applied relative to the load time.
  int64_t now_ms = 0;
  // Whether the CRC-64 trailer is checked (a zero trailer is always accepted, as Redis does
  // for files written with rdbchecksum no).
  bool verify_checksum = true;
  // Redis 7.0 rc1/rc2 wrote libraries with the old FUNCTION opcode (name, engine, optional
  // description, code); the 7.0 server still converts them, redis-check-rdb refuses them.
  bool accept_pre_ga_functions = true;
};

struct LoadStats {
  uint64_t keys_loaded = 0;
  uint64_t expired_skipped = 0;
  // Keys whose collection was empty in the file: skipped with a warning, as Redis 7.0 does
  // (older versions could write them, Redis issue 8453).
  uint64_t empty_keys_skipped = 0;
  // One past the last byte of the RDB (its checksum): an AOF with an RDB preamble goes on with
  // commands from here.
  uint64_t end_offset = 0;
  int rdb_version = 0;
  // Every aux field in file order (redis-ver, ctime, aof-base, ...).
  std::vector<std::pair<std::string, std::string>> aux;
  // The code of every function library in the file, in file order; a pre-GA record is
  // converted to "#!<engine> name=<name>\n<code>" as Redis 7.0 converts it. The layer does not
  // compile them: the caller does (and fails the load when one does not compile).
  std::vector<std::string> function_libraries;
};

// Loads a whole RDB file held in memory into `ks`, which should be empty. On error the
// keyspace holds whatever was loaded before the bad byte; the caller discards it (start-up
// exits, DEBUG RELOAD flushes first). A key present twice or a database index beyond
// ks.size() is an error. Loaded values get compact encodings under ks.limits as Redis would
// choose them; listpacks, intsets, ziplists and zipmaps from the file are validated entry by
// entry before use, so no input can crash the server.
Expected<LoadStats> Load(std::string_view data, Keyspace& ks, const LoadOptions& opts);

// DUMP: the value in RDB object form (type byte, object), then kVersion as 2 bytes little
// endian and a CRC-64 (little endian) of everything before it.
std::string DumpPayload(const Value& value, bool compress);

// RESTORE's first check (Redis verifyDumpPayload): at least 10 bytes, a version this reader
// knows, a matching CRC-64 unless `skip_checksum`. False means "-ERR DUMP payload version or
// checksum are wrong".
bool VerifyPayload(std::string_view payload, bool skip_checksum = false);

// The value of a verified payload. An error means "-ERR Bad data format"; nothing is ever
// trusted that was not checked, so a corrupt payload can do no worse.
Expected<Value> LoadPayload(std::string_view payload, const EncodingLimits& limits);

// FUNCTION DUMP: one FUNCTION2 record per library code, then kVersion (2 bytes LE) and the
// CRC-64 of everything before it (Redis functionDumpCommand).
std::string DumpFunctions(std::span<const std::string_view> codes, bool compress);

// FUNCTION RESTORE's reading of a payload that passed VerifyPayload (Redis's loop in
// functionRestoreCommand): records are read while more than the 10-byte footer is left (a
// record may run into the footer, as Redis's reader lets it). The error reason is Redis's reply
// text ("given type is not a function", "Failed loading library payload", ...).
Expected<std::vector<std::string>> LoadFunctionsPayload(std::string_view payload);

// The whole baozi-check-rdb tool: `baozi-check-rdb <dump.rdb>` loads the file into a scratch
// keyspace with every check the server applies at start-up and prints redis-check-rdb's
// verdict: the aux fields, "\o/ RDB looks OK! \o/" with the counts of keys read, keys with a
// TTL and keys already expired (exit 0), or "--- RDB ERROR DETECTED ---" with the offset of
// the first bad byte and the reason (exit 1). persistence/tools/check_rdb_main.cc wraps it.
int RunCheckRdb(int argc, char** argv, std::FILE* out);

// CRC-64/Jones with reflected in and out, as Redis's crc64.c (check value of "123456789":
// 0xe9c6d914c4b8d9ca). `crc` chains calls: Crc64(Crc64(0, a), b) == Crc64(0, a + b).
uint64_t Crc64(uint64_t crc, const void* data, size_t len);

}  // namespace baozi::rdb
