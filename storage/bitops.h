// Bit operations over string values (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD), with
// Redis 7.0's exact range rules. These are pure functions over bytes: the command handlers look
// keys up, parse arguments in Redis's order, create or fetch the std::string and turn the results
// into replies. Bit 0 is the most significant bit of byte 0, as in Redis.
//
// Handler sketches (see each function for the Redis argument-check order it relies on):
//
//   // SETBIT key offset value
//   auto off = ParseBitOffset(argv[2], false, 0, max_bulk_len);  // Result<uint64_t>
//   // value: ParseInt64 must succeed and be 0 or 1, else "bit is not an integer or out of range"
//   std::string& s = <lookup for write, WRONGTYPE, create "" if missing>;
//   bool changed; int old = SetBit(s, off, on, &changed);   // reply :old
//
//   // BITFIELD key ...
//   auto ops = ParseBitfield(args_after_key, /*read_only=*/false, max_bulk_len);
//   if (!ops) reply error *ops.error();
//   if (BitfieldWrites(*ops)) { s = lookup-for-write (create ""); r = ExecBitfield(s, *ops, &n); }
//   else { v = lookup-read ("" if missing); r = ExecBitfieldRead(v, *ops); }
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/errc.h"

namespace baozi {

// Redis getBitOffsetFromArgument. `arg` must be a strict int64 (ParseInt64); with `hash_allowed`
// and bits > 0 a leading '#' means "field index", multiplied by `bits` (wrapping like Redis's
// signed multiply). Fails with Errc::kBitOffset ("bit offset is not an integer or out of range")
// when negative or when offset/8 >= max_bulk_len (proto-max-bulk-len). Redis skips the size
// limit for the master and AOF clients (mustObeyClient): pass UINT64_MAX for those.
[[nodiscard]] Result<uint64_t> ParseBitOffset(std::string_view arg, bool hash_allowed, int bits,
                                              uint64_t max_bulk_len);

// GETBIT: the bit at `bitoffset`; bits past the end of `s` read as 0.
int GetBit(std::string_view s, uint64_t bitoffset);

// SETBIT: sets the bit to `on` (0 or 1), growing `s` with zero bytes to reach it, and returns the
// previous bit. `changed` (optional) is set when `s` grew or the bit flipped: exactly when Redis
// signals the key, fires the "setbit" event and bumps dirty (so the command propagates).
int SetBit(std::string& s, uint64_t bitoffset, int on, bool* changed = nullptr);

// BITCOUNT with a range: Redis's rules applied to raw `start`/`end` as parsed from the request
// (negative = from the end, both clamped; with `bit_unit` they count bits, else bytes). Returns 0
// for an empty range. The whole string is BitCount(s, 0, -1, false).
int64_t BitCount(std::string_view s, int64_t start, int64_t end, bool bit_unit);
// Number of set bits in the whole of `s`.
int64_t PopCount(std::string_view s);

// BITPOS on an existing key: the first bit equal to `bit` (0 or 1) in the range, or -1. `start`
// absent means 0; `end` absent means "to the end of the string", and then looking for 0 in a
// string with no 0 bits returns the first bit past the string (the value is treated as
// zero-padded on the right); with an explicit `end` that case is -1. `bit_unit` requires `end`
// (Redis only accepts BIT|BYTE as the 6th argument). Missing keys are the handler's: 0 for bit 0,
// -1 for bit 1.
int64_t BitPos(std::string_view s, int bit, std::optional<int64_t> start,
               std::optional<int64_t> end, bool bit_unit);

enum class BitOpKind : uint8_t { kAnd, kOr, kXor, kNot };
// Case-insensitive "AND" | "OR" | "XOR" | "NOT"; nullopt means Redis's "syntax error".
std::optional<BitOpKind> ParseBitOpKind(std::string_view name);
// BITOP: the result is as long as the longest source, shorter sources (and missing keys, passed
// as empty views) count as zero bytes. kNot uses srcs[0] only. An empty result means Redis
// deletes the destination key instead of storing "" (and replies 0).
std::string BitOp(BitOpKind op, std::span<const std::string_view> srcs);

// One parsed BITFIELD sub-command. `value` is the SET value or the INCRBY increment; `overflow`
// is the OVERFLOW mode in force when the sub-command appeared.
struct BitfieldOp {
  enum class Kind : uint8_t { kGet, kSet, kIncrBy };
  enum class Overflow : uint8_t { kWrap, kSat, kFail };
  Kind kind = Kind::kGet;
  bool is_signed = false;
  int bits = 0;  // 1..64 signed, 1..63 unsigned
  uint64_t offset = 0;
  int64_t value = 0;
  Overflow overflow = Overflow::kWrap;
};

// Parses everything after the key, in Redis's order, returning the first error's text without
// the "ERR " prefix: "syntax error", "Invalid OVERFLOW type specified", the bitfield type error,
// "bit offset is not an integer or out of range", "value is not an integer or out of range";
// then, only once every argument parsed, "BITFIELD_RO only supports the GET subcommand" when
// `read_only` and some op writes. An empty `args` is valid (reply: empty array).
std::expected<std::vector<BitfieldOp>, std::string> ParseBitfield(
    std::span<const std::string_view> args, bool read_only, uint64_t max_bulk_len);

// True when some op is SET or INCRBY: the handler must then look the key up for writing and
// create it if missing (Redis does so even if every write then fails under OVERFLOW FAIL).
bool BitfieldWrites(std::span<const BitfieldOp> ops);

// Runs ops that may write. Grows `s` with zero bytes to cover the farthest bit any SET/INCRBY
// touches (even those that end up failing), then executes in order; nullopt marks an op that
// overflowed under FAIL (nil reply). `changes` (optional) counts the writes that happened while
// the string grew or that changed their field's value. When it is > 0 Redis signals the key,
// fires "setbit" and propagates; it adds the count itself to the dirty counter.
std::vector<std::optional<int64_t>> ExecBitfield(std::string& s, std::span<const BitfieldOp> ops,
                                                 size_t* changes = nullptr);
// Runs GET-only ops against a value that is never modified (missing key: pass "").
std::vector<std::optional<int64_t>> ExecBitfieldRead(std::string_view s,
                                                     std::span<const BitfieldOp> ops);

}  // namespace baozi
