#include "server/commands/stream_common.h"

#include "storage/numbers.h"

namespace baozi {

Result<DbEntry*> FindStream(Db& db, std::string_view key, bool for_read) {
  DbEntry* e = for_read ? db.FindRead(key) : db.FindWrite(key);
  if (e != nullptr && e->value.type() != ObjType::kStream) return Fail(Errc::kWrongType);
  return e;
}

std::optional<StreamId> ParseIdOrReply(CmdContext& ctx, std::string_view arg, uint64_t missing_seq,
                                       bool strict, bool* seq_given) {
  auto id = ParseStreamId(arg, missing_seq, strict, seq_given);
  if (!id) ctx.SendError("Invalid stream ID specified as stream command argument");
  return id;
}

void SendStreamId(protocol::ReplyBuilder& rb, StreamId id) {
  char buf[StreamId::kBufSize];
  rb.SendBulk({buf, id.Format(buf)});
}

void ReplyEntry(protocol::ReplyBuilder& rb, const StreamObject::Iterator& it) {
  rb.StartArray(2);
  SendStreamId(rb, it.id());
  rb.StartArray(it.num_fields() * 2);
  it.ForEachField([&](std::string_view f, std::string_view v) {
    rb.SendBulk(f);
    rb.SendBulk(v);
  });
}

bool ReplyEntryById(protocol::ReplyBuilder& rb, const StreamObject& s, StreamId id) {
  StreamObject::Iterator it(s, id, id, false);
  if (!it.Next()) return false;
  ReplyEntry(rb, it);
  return true;
}

size_t ReplyRange(protocol::ReplyBuilder& rb, const StreamObject& s, StreamId start, StreamId end,
                  size_t count, bool rev) {
  auto h = rb.DeferArrayLen();
  size_t n = 0;
  for (StreamObject::Iterator it(s, start, end, rev); it.Next();) {
    ReplyEntry(rb, it);
    if (++n == count) break;
  }
  rb.SetDeferredLen(h, n);
  return n;
}

void PropagateXclaim(CmdContext& ctx, std::string_view key, const StreamGroup& group,
                     std::string_view group_name, StreamId id, const StreamNack& nack) {
  if (!ctx.propagating()) return;
  char idbuf[StreamId::kBufSize], lastbuf[StreamId::kBufSize];
  char timebuf[kIntBufSize], countbuf[kIntBufSize];
  ctx.AlsoPropagate({"XCLAIM",
                     key,
                     group_name,
                     nack.consumer->name,
                     "0",
                     {idbuf, id.Format(idbuf)},
                     "TIME",
                     {timebuf, FormatInt64(nack.delivery_time, timebuf)},
                     "RETRYCOUNT",
                     {countbuf, FormatInt64(static_cast<int64_t>(nack.delivery_count), countbuf)},
                     "FORCE",
                     "JUSTID",
                     "LASTID",
                     {lastbuf, group.last_id.Format(lastbuf)}});
}

void PropagateGroupId(CmdContext& ctx, std::string_view key, const StreamGroup& group,
                      std::string_view group_name) {
  if (!ctx.propagating()) return;
  char lastbuf[StreamId::kBufSize], readbuf[kIntBufSize];
  ctx.AlsoPropagate({"XGROUP",
                     "SETID",
                     key,
                     group_name,
                     {lastbuf, group.last_id.Format(lastbuf)},
                     "ENTRIESREAD",
                     {readbuf, FormatInt64(group.entries_read, readbuf)}});
}

}  // namespace baozi
