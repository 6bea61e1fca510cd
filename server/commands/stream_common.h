// Helpers shared by the stream command files (stream_commands.cc: entries and reads;
// stream_group_commands.cc: consumer groups and XINFO).
#pragma once

#include <optional>
#include <string_view>

#include "server/cmd_context.h"
#include "storage/db.h"
#include "storage/stream.h"

namespace baozi {

// The key's entry when it holds a stream, nullptr when missing, kWrongType otherwise.
Result<DbEntry*> FindStream(Db& db, std::string_view key, bool for_read);

// Redis streamGenericParseIDOrReply: parses an ID argument (see ParseStreamId), replying
// "Invalid stream ID specified as stream command argument" when it is not one.
std::optional<StreamId> ParseIdOrReply(CmdContext& ctx, std::string_view arg, uint64_t missing_seq,
                                       bool strict, bool* seq_given = nullptr);

// What printf's "%s" shows of an argument: Redis formats names into errors as C strings, so they
// end at the first NUL byte.
inline std::string_view CStr(std::string_view s) { return s.substr(0, s.find('\0')); }

// A bulk "<ms>-<seq>".
void SendStreamId(protocol::ReplyBuilder& rb, StreamId id);

// The entry the iterator stands on, as [id, [field, value, ...]].
void ReplyEntry(protocol::ReplyBuilder& rb, const StreamObject::Iterator& it);

// The entry `id` as [id, [field, value, ...]]; false (nothing sent) when it is not a live entry.
bool ReplyEntryById(protocol::ReplyBuilder& rb, const StreamObject& s, StreamId id);

// XRANGE's reply: an array of the live entries in [start, end] (at most `count`, 0 = all),
// walking backwards when `rev`. Returns how many were sent.
size_t ReplyRange(protocol::ReplyBuilder& rb, const StreamObject& s, StreamId start, StreamId end,
                  size_t count, bool rev);

// Redis streamPropagateXCLAIM: "XCLAIM key group consumer 0 id TIME t RETRYCOUNT n FORCE JUSTID
// LASTID last", which recreates the NACK of `id` as it stands (XREADGROUP, XCLAIM, XAUTOCLAIM).
void PropagateXclaim(CmdContext& ctx, std::string_view key, const StreamGroup& group,
                     std::string_view group_name, StreamId id, const StreamNack& nack);

// Redis streamPropagateGroupID: "XGROUP SETID key group last ENTRIESREAD n".
void PropagateGroupId(CmdContext& ctx, std::string_view key, const StreamGroup& group,
                      std::string_view group_name);

}  // namespace baozi
