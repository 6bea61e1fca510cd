// Helpers shared by command families.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/cmd_context.h"
#include "storage/db.h"

namespace baozi {

// Case-insensitive comparison with an ASCII keyword ("NX", "WITHSCORES").
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// Looks a key up for reading/writing and checks it holds a string: nullptr when missing,
// kWrongType when it holds another type.
Result<DbEntry*> FindString(Db& db, std::string_view key, bool for_read);

// Parses an integer argument, replying Redis's error when it is not one.
std::optional<int64_t> ArgInt(CmdContext& ctx, std::string_view arg);
// Same, with a custom message for the error (e.g. "timeout is not an integer or out of range").
std::optional<int64_t> ArgInt(CmdContext& ctx, std::string_view arg, std::string_view error);

// Adds a (relative or absolute) expire value to a base, as Redis's expire commands do; nullopt
// on overflow (the caller replies "invalid expire time in '<cmd>' command").
std::optional<int64_t> CheckedAdd(int64_t a, int64_t b);

// "invalid expire time in '<cmd>' command"
void ReplyInvalidExpire(CmdContext& ctx);

// Replies the string value of an entry (integer-encoded values are printed).
void ReplyStringValue(CmdContext& ctx, const Value& v);

// The handler of a container command (CONFIG, CLIENT...). It never runs: the dispatcher resolves
// argv[1] to a subcommand, and a bare container name fails the container's arity (-2) first.
inline void CmdContainer(CmdContext&) {}

// Runs a glob match against a key (KEYS, SCAN MATCH).
bool KeyMatches(std::string_view pattern, std::string_view key);

// The arguments every SCAN-family command shares: "cursor [MATCH pattern] [COUNT count]", plus
// "[TYPE type]" for SCAN itself.
struct ScanArgs {
  uint64_t cursor = 0;
  std::string_view pattern;  // empty when every element matches ("MATCH *" included)
  int64_t count = 10;
  std::optional<std::string_view> type;

  bool Matches(std::string_view s) const { return pattern.empty() || KeyMatches(pattern, s); }
};
// Parses from the cursor argument at `cursor_index`; replies Redis's error and returns nullopt
// on bad input ("invalid cursor", a non-integer or < 1 COUNT, unknown options).
std::optional<ScanArgs> ParseScanArgs(CmdContext& ctx, size_t cursor_index, bool allow_type);
// An integer in [1, LLONG_MAX]; any other input gets `error` (numkeys, COUNT).
std::optional<int64_t> ArgPositive(CmdContext& ctx, std::string_view arg, std::string_view error);

// LMPOP/ZMPOP and their blocking forms: "numkeys key [key ...] <where> [COUNT count]".
struct MPopArgs {
  std::span<const std::string_view> keys;
  bool second_where = false;  // the direction was `where1` (RIGHT, MAX)
  int64_t count = 1;          // 1 when COUNT is absent
};
// Parses from numkeys (at `numkeys_index`) on, in Redis's order: numkeys, that a direction
// follows the keys, the direction (`where0` or `where1`, else a syntax error), then COUNT.
// Replies the error and returns nullopt on bad input.
std::optional<MPopArgs> ParseMPopArgs(CmdContext& ctx, size_t numkeys_index,
                                      std::string_view where0, std::string_view where1);

// Replies [next-cursor, [items...]].
void ReplyScanPage(CmdContext& ctx, uint64_t next, std::span<const std::string> items);

// One CLIENT LIST / CLIENT INFO line, without the newline (connection_commands.cc). The network
// layer logs it when it closes a client over its output-buffer limit, as Redis does.
std::string ClientInfoLine(Server& server, const Client& c);

// The key arguments of one invocation of `cmd` (argv[0] its name), as COMMAND GETKEYS finds
// them: key specs first, the command's own key finder where they cannot be followed; none when
// the arguments are invalid. Client tracking remembers these (introspection_commands.cc).
std::vector<size_t> CommandKeyPositions(const Command& cmd, std::span<const std::string_view> argv);

}  // namespace baozi
