// Stream commands on entries (t_stream.c): XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM, XSETID,
// and the readers XREAD and XREADGROUP with their blocking forms. Consumer-group management
// and XINFO live in stream_group_commands.cc.
//
// Unlike the other collections, a stream is never deleted when it empties: XDEL and XTRIM
// leave an empty stream with its last ID, so that IDs keep growing.
//
// Propagation follows Redis 7.0, which keeps replicas and the AOF exact where the command
// depends on time or on limits:
//  - XADD propagates the ID it generated ("*" or "<ms>-*" replaced by the ID), and a trim with
//    "~" (whose work depends on node boundaries and LIMIT) as "=" with the length or first ID
//    the trim actually reached; XTRIM likewise.
//  - XREADGROUP never propagates itself: each entry it hands out becomes an
//    "XCLAIM key group consumer 0 id TIME t RETRYCOUNT n FORCE JUSTID LASTID last", and a NOACK
//    read that moved the group becomes "XGROUP SETID key group last ENTRIESREAD n", preceded by
//    "XGROUP CREATECONSUMER" when the read created its consumer.
//
// Blocking (server/blocking.h): XREAD and XREADGROUP with BLOCK park the client on their keys
// with '$' replaced by the IDs it stood for. XADD signals its key; when the client runs again
// it is served Redis's way (serveClientsBlockedOnStreamKey): only from the key that was
// signalled, as soon as that stream's last ID passes the one it waits after (even if the new
// entries were deleted meanwhile: it then gets an empty list), with COUNT 1000 when none was
// given, and with an error when the stream or the group of an XREADGROUP has gone.
#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "server/blocking.h"
#include "server/cmd_context.h"
#include "server/commands/common.h"
#include "server/commands/stream_common.h"
#include "server/scripting/scripting.h"
#include "storage/keyspace_events.h"
#include "storage/numbers.h"
#include "storage/stream.h"

namespace baozi {
namespace {

using TrimStrategy = StreamObject::TrimArgs::Strategy;

// Redis XREAD_BLOCKED_DEFAULT_COUNT: a blocked reader served without COUNT gets at most this.
constexpr int64_t kBlockedDefaultCount = 1000;

void SignalStreamReady(CmdContext& ctx, std::string_view key) {
  ctx.server().keyspace().SignalIfWaited(ctx.db(), key, ObjType::kStream);
}

// XADD's and XTRIM's options (Redis streamAddTrimArgs).
struct AddTrimArgs {
  StreamObject::TrimArgs trim;
  size_t trim_arg = 0;  // where the MAXLEN/MINID threshold sits
  bool id_given = false;
  bool seq_given = true;
  StreamId id;
  bool no_mkstream = false;
};

// Redis streamParseAddOrTrimArgsOrReply: returns the index of XADD's ID argument (XTRIM: past
// the options), or nullopt after replying an error.
std::optional<size_t> ParseAddTrimArgs(CmdContext& ctx, AddTrimArgs& a, bool xadd) {
  constexpr std::string_view kBothStrategies =
      "syntax error, MAXLEN and MINID options at the same time are not compatible";
  StreamObject::TrimArgs& t = a.trim;
  bool limit_given = false;
  size_t i = 2;
  for (; i < ctx.argc(); ++i) {
    const size_t more = ctx.argc() - 1 - i;
    std::string_view opt = ctx.arg(i);
    if (xadd && opt == "*") break;
    const bool maxlen = EqualsIgnoreCase(opt, "maxlen");
    if ((maxlen || EqualsIgnoreCase(opt, "minid")) && more > 0) {
      if (t.strategy != TrimStrategy::kNone) {
        ctx.SendError(kBothStrategies);
        return std::nullopt;
      }
      t.approx = false;
      std::string_view next = ctx.arg(i + 1);
      if (more >= 2 && next == "~") {
        t.approx = true;
        ++i;
      } else if (more >= 2 && next == "=") {
        ++i;
      }
      if (maxlen) {
        auto n = ArgInt(ctx, ctx.arg(i + 1));
        if (!n) return std::nullopt;
        if (*n < 0) {
          ctx.SendError("The MAXLEN argument must be >= 0.");
          return std::nullopt;
        }
        t.maxlen = static_cast<uint64_t>(*n);
        t.strategy = TrimStrategy::kMaxLen;
      } else {
        auto id = ParseIdOrReply(ctx, ctx.arg(i + 1), 0, true);
        if (!id) return std::nullopt;
        t.minid = *id;
        t.strategy = TrimStrategy::kMinId;
      }
      a.trim_arg = ++i;
    } else if (EqualsIgnoreCase(opt, "limit") && more > 0) {
      auto n = ArgInt(ctx, ctx.arg(i + 1));
      if (!n) return std::nullopt;
      if (*n < 0) {
        ctx.SendError("The LIMIT argument must be >= 0.");
        return std::nullopt;
      }
      t.limit = *n;
      limit_given = true;
      ++i;
    } else if (xadd && EqualsIgnoreCase(opt, "nomkstream")) {
      a.no_mkstream = true;
    } else if (xadd) {
      auto id = ParseIdOrReply(ctx, opt, 0, true, &a.seq_given);
      if (!id) return std::nullopt;
      a.id = *id;
      a.id_given = true;
      break;
    } else {
      ctx.SendError(Errc::kSyntax);
      return std::nullopt;
    }
  }
  if (t.limit != 0 && t.strategy == TrimStrategy::kNone) {
    ctx.SendError("syntax error, LIMIT cannot be used without specifying a trimming strategy");
    return std::nullopt;
  }
  if (!xadd && t.strategy == TrimStrategy::kNone) {
    ctx.SendError("syntax error, XTRIM must be called with a trimming strategy");
    return std::nullopt;
  }
  if (ctx.client().Has(kClientMustObey)) {
    t.limit = 0;  // the recorded command was rewritten to say exactly what to trim
  } else if (limit_given) {
    if (!t.approx) {
      ctx.SendError("syntax error, LIMIT cannot be used without the special ~ option");
      return std::nullopt;
    }
  } else if (t.approx) {
    // Redis bounds the work of a "~" trim without LIMIT.
    const int64_t per_node = ctx.config().stream_node_max_entries;
    t.limit = per_node > 0 && per_node <= 10000 ? 100 * per_node : per_node > 0 ? 1000000 : 10000;
  } else {
    t.limit = 0;
  }
  return i;
}

// Rewrites a "~" trim that removed something into its exact form for propagation (Redis
// streamRewriteApproxSpecifier and streamRewriteTrimArgument): "=" and the length or first
// ID the trim left. `argv` starts as the command's own arguments.
void RewriteApproxTrim(const AddTrimArgs& a, const StreamObject& s,
                       std::vector<std::string_view>& argv, std::string& threshold) {
  argv[a.trim_arg - 1] = "=";
  if (a.trim.strategy == TrimStrategy::kMaxLen) {
    char buf[kIntBufSize];
    threshold.assign(buf, FormatInt64(static_cast<int64_t>(s.size()), buf));
  } else {
    threshold = s.EdgeId(true, false).ToString();
  }
  argv[a.trim_arg] = threshold;
}

// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value ...
void CmdXAdd(CmdContext& ctx) {
  AddTrimArgs a;
  auto idpos = ParseAddTrimArgs(ctx, a, true);
  if (!idpos) return;
  const size_t field_pos = *idpos + 1;
  if (ctx.argc() < field_pos + 2 || (ctx.argc() - field_pos) % 2 == 1) {
    return ctx.SendArityError();
  }
  if (a.id_given && a.seq_given && a.id.IsZero()) {
    return ctx.SendError("The ID specified in XADD must be greater than 0-0");
  }
  auto fields = ctx.args().subspan(field_pos);
  size_t total = 0;
  for (std::string_view f : fields) total += f.size();

  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  auto found = FindStream(db, key, false);
  if (!found) return ctx.SendError(found.error());
  DbEntry* e = *found;
  if (e == nullptr) {
    if (a.no_mkstream) return ctx.rb().SendNull();
    if (total > StreamObject::kListpackMaxSize) {
      return ctx.SendError("Elements are too large to be stored");
    }
    e = &db.Add(key, Value::Wrap(new StreamObject()));
  }
  StreamObject& s = e->value.stream();
  if (s.last_id() == StreamId::Max()) {
    return ctx.SendError("The stream has exhausted the last possible ID, unable to add more items");
  }

  // Redis streamAppendItem's ID rules.
  StreamId id;
  bool id_ok = true;
  if (!a.id_given) {
    id = s.NextId(ctx.now_ms());
  } else if (a.seq_given) {
    id = a.id;
  } else if (s.last_id().ms == a.id.ms) {
    id = s.last_id();
    id_ok = id.Incr() && id.ms == a.id.ms;
  } else {
    id = a.id;
  }
  if (!id_ok || id <= s.last_id()) {
    return ctx.SendError(
        "The ID specified in XADD is equal or smaller than the target stream top item");
  }
  if (total > StreamObject::kListpackMaxSize) {
    return ctx.SendError("Elements are too large to be stored");
  }
  s.Append(id, fields, ctx.server().keyspace().limits.stream_node);
  SendStreamId(ctx.rb(), id);
  db.MarkModified(*e);
  ctx.SignalModifiedKey(key);
  ctx.Notify(notify::kStream, "xadd", key);

  std::vector<std::string_view> argv;
  std::string threshold;
  if (a.trim.strategy != TrimStrategy::kNone) {
    if (s.Trim(a.trim) != 0) ctx.Notify(notify::kStream, "xtrim", key);
    if (a.trim.approx && ctx.propagating()) {
      argv.assign(ctx.args().begin(), ctx.args().end());
      RewriteApproxTrim(a, s, argv, threshold);
    }
  }
  char idbuf[StreamId::kBufSize];
  if ((!a.id_given || !a.seq_given) && ctx.propagating()) {
    if (argv.empty()) argv.assign(ctx.args().begin(), ctx.args().end());
    argv[*idpos] = {idbuf, id.Format(idbuf)};
  }
  if (!argv.empty()) ctx.PropagateAs(argv);
  SignalStreamReady(ctx, key);
}

// The start and end of a range: "-", "+", an ID (a missing sequence is `missing_seq`), or
// "(" and a strict ID for an exclusive bound (Redis streamParseIntervalIDOrReply).
std::optional<StreamId> ParseIntervalId(CmdContext& ctx, std::string_view arg, uint64_t missing_seq,
                                        bool* exclusive) {
  *exclusive = arg.size() > 1 && arg[0] == '(';
  if (*exclusive) return ParseIdOrReply(ctx, arg.substr(1), missing_seq, true);
  return ParseIdOrReply(ctx, arg, missing_seq, false);
}

// XRANGE key start end [COUNT count], XREVRANGE key end start [COUNT count]
void RangeGeneric(CmdContext& ctx, bool rev) {
  bool start_ex = false, end_ex = false;
  auto start = ParseIntervalId(ctx, ctx.arg(rev ? 3 : 2), 0, &start_ex);
  if (!start) return;
  if (start_ex && !start->Incr()) return ctx.SendError("invalid start ID for the interval");
  auto end = ParseIntervalId(ctx, ctx.arg(rev ? 2 : 3), UINT64_MAX, &end_ex);
  if (!end) return;
  if (end_ex && !end->Decr()) return ctx.SendError("invalid end ID for the interval");
  int64_t count = -1;
  for (size_t j = 4; j < ctx.argc(); ++j) {
    if (EqualsIgnoreCase(ctx.arg(j), "count") && j + 1 < ctx.argc()) {
      auto n = ArgInt(ctx, ctx.arg(++j));
      if (!n) return;
      count = std::max<int64_t>(*n, 0);
    } else {
      return ctx.SendError(Errc::kSyntax);
    }
  }
  auto e = FindStream(ctx.db(), ctx.arg(1), true);
  if (!e) return ctx.SendError(e.error());
  if (*e == nullptr) return ctx.rb().StartArray(0);
  if (count == 0) return ctx.rb().SendNullArray();
  ReplyRange(ctx.rb(), (*e)->value.stream(), *start, *end,
             count < 0 ? 0 : static_cast<size_t>(count), rev);
}

void CmdXRange(CmdContext& ctx) { RangeGeneric(ctx, false); }
void CmdXRevRange(CmdContext& ctx) { RangeGeneric(ctx, true); }

// XLEN key
void CmdXLen(CmdContext& ctx) {
  auto e = FindStream(ctx.db(), ctx.arg(1), true);
  if (!e) return ctx.SendError(e.error());
  ctx.rb().SendLong(*e == nullptr ? 0 : static_cast<int64_t>((*e)->value.stream().size()));
}

// XDEL key id [id ...]
void CmdXDel(CmdContext& ctx) {
  std::string_view key = ctx.arg(1);
  auto found = FindStream(ctx.db(), key, false);
  if (!found) return ctx.SendError(found.error());
  if (*found == nullptr) return ctx.rb().SendLong(0);
  // Every ID is checked before any is deleted, so a bad one leaves the stream untouched.
  std::vector<StreamId> ids;
  ids.reserve(ctx.argc() - 2);
  for (size_t j = 2; j < ctx.argc(); ++j) {
    auto id = ParseIdOrReply(ctx, ctx.arg(j), 0, true);
    if (!id) return;
    ids.push_back(*id);
  }
  StreamObject& s = (*found)->value.stream();
  int64_t deleted = 0;
  bool first_deleted = false;
  for (StreamId id : ids) {
    if (!s.Delete(id)) continue;
    first_deleted = first_deleted || id == s.first_id();
    if (id > s.max_deleted_id()) s.set_max_deleted_id(id);
    ++deleted;
  }
  if (deleted != 0) {
    if (s.size() == 0) {
      s.set_first_id(StreamId::Min());
    } else if (first_deleted) {
      s.set_first_id(s.EdgeId(true, true));
    }
    ctx.db().MarkModified(**found);
    ctx.SignalModifiedKey(key);
    ctx.Notify(notify::kStream, "xdel", key);
  }
  ctx.rb().SendLong(deleted);
}

// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]
void CmdXTrim(CmdContext& ctx) {
  AddTrimArgs a;
  if (!ParseAddTrimArgs(ctx, a, false)) return;
  std::string_view key = ctx.arg(1);
  auto found = FindStream(ctx.db(), key, false);
  if (!found) return ctx.SendError(found.error());
  if (*found == nullptr) return ctx.rb().SendLong(0);
  StreamObject& s = (*found)->value.stream();
  const int64_t deleted = s.Trim(a.trim);
  if (deleted != 0) {
    ctx.Notify(notify::kStream, "xtrim", key);
    if (a.trim.approx && ctx.propagating()) {
      std::vector<std::string_view> argv(ctx.args().begin(), ctx.args().end());
      std::string threshold;
      RewriteApproxTrim(a, s, argv, threshold);
      ctx.PropagateAs(argv);
    }
    ctx.SignalModifiedKey(key);
    ctx.db().MarkModified(**found);
  }
  ctx.rb().SendLong(deleted);
}

// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]
void CmdXSetId(CmdContext& ctx) {
  auto id = ParseIdOrReply(ctx, ctx.arg(2), 0, true);
  if (!id) return;
  int64_t entries_added = -1;
  StreamId max_deleted;
  for (size_t i = 3; i < ctx.argc(); i += 2) {
    const bool more = i + 1 < ctx.argc();
    if (EqualsIgnoreCase(ctx.arg(i), "entriesadded") && more) {
      auto n = ArgInt(ctx, ctx.arg(i + 1));
      if (!n) return;
      if (*n < 0) return ctx.SendError("entries_added must be positive");
      entries_added = *n;
    } else if (EqualsIgnoreCase(ctx.arg(i), "maxdeletedid") && more) {
      auto m = ParseIdOrReply(ctx, ctx.arg(i + 1), 0, true);
      if (!m) return;
      if (*id < *m) {
        return ctx.SendError(
            "The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
      }
      max_deleted = *m;
    } else {
      return ctx.SendError(Errc::kSyntax);
    }
  }
  std::string_view key = ctx.arg(1);
  auto found = FindStream(ctx.db(), key, false);
  if (!found) return ctx.SendError(found.error());
  if (*found == nullptr) return ctx.SendError(Errc::kNoSuchKey);
  StreamObject& s = (*found)->value.stream();
  if (s.size() > 0) {
    if (*id < s.LastValidId()) {
      return ctx.SendError("The ID specified in XSETID is smaller than the target stream top item");
    }
    if (entries_added != -1 && s.size() > static_cast<uint64_t>(entries_added)) {
      return ctx.SendError(
          "The entries_added specified in XSETID is smaller than the target stream length");
    }
  }
  s.set_last_id(*id);
  if (entries_added != -1) s.set_entries_added(static_cast<uint64_t>(entries_added));
  if (!max_deleted.IsZero()) s.set_max_deleted_id(max_deleted);
  ctx.db().MarkModified(**found);
  ctx.SignalModifiedKey(key);
  ctx.Notify(notify::kStream, "xsetid", key);
  ctx.rb().SendOk();
}

// ---------------------------------------------------------------------------------------------
// XREAD / XREADGROUP

struct ReadArgs {
  bool group_mode = false;
  int64_t timeout = -1;  // ms; -1: no BLOCK
  int64_t count = 0;     // 0: no limit
  bool noack = false;
  std::string_view group;
  std::string_view consumer;
  size_t streams_arg = 0;  // first key
  size_t nstreams = 0;
  std::string_view key(const CmdContext& ctx, size_t k) const { return ctx.arg(streams_arg + k); }
  std::string_view id(const CmdContext& ctx, size_t k) const {
    return ctx.arg(streams_arg + nstreams + k);
  }
};

// The group-side context of a read: which group, for whom, and how to propagate it.
struct GroupRead {
  StreamGroup* group = nullptr;
  StreamConsumer* consumer = nullptr;
  std::string_view key;
  std::string_view group_name;
};

// Redis streamReplyWithRange for XREAD/XREADGROUP: the entries after `start` as an array,
// at most `count` (0: all). With a group, the group's last ID and read counter follow the
// entries handed out, and each one enters the PEL unless NOACK; both are propagated.
void ReplyNewEntries(CmdContext& ctx, StreamObject& s, StreamId start, int64_t count, GroupRead* g,
                     bool noack) {
  auto& rb = ctx.rb();
  auto h = rb.DeferArrayLen();
  int64_t n = 0;
  bool moved_last_id = false;
  for (StreamObject::Iterator it(s, start, StreamId::Max(), false); it.Next();) {
    const StreamId id = it.id();
    if (g != nullptr && id > g->group->last_id) {
      StreamGroup& grp = *g->group;
      if (grp.entries_read != StreamGroup::kInvalidEntriesRead &&
          !s.RangeHasTombstones(id, StreamId::Max())) {
        ++grp.entries_read;
      } else if (s.entries_added() != 0) {
        grp.entries_read = s.EstimateDistanceFromFirstEverEntry(id);
      }
      grp.last_id = id;
      moved_last_id = true;
    }
    ReplyEntry(rb, it);
    if (g != nullptr && !noack) {
      StreamNack& nack = g->group->Deliver(id, g->consumer, ctx.now_ms());
      PropagateXclaim(ctx, g->key, *g->group, g->group_name, id, nack);
    }
    if (++n == count) break;
  }
  rb.SetDeferredLen(h, static_cast<size_t>(n));
  if (g != nullptr && noack && moved_last_id) {
    PropagateGroupId(ctx, g->key, *g->group, g->group_name);
  }
}

// XREADGROUP with an ID other than '>': the consumer's own pending entries after `start`
// (Redis streamReplyWithRangeFromConsumerPEL). An entry deleted meanwhile shows as its ID
// and a null; the others count as delivered once more.
void ReplyConsumerHistory(CmdContext& ctx, const StreamObject& s, StreamId start, int64_t count,
                          StreamConsumer& consumer) {
  auto& rb = ctx.rb();
  auto h = rb.DeferArrayLen();
  int64_t n = 0;
  for (auto it = consumer.pel.lower_bound(start);
       it != consumer.pel.end() && (count == 0 || n < count); ++it, ++n) {
    if (ReplyEntryById(rb, s, it->first)) {
      it->second->delivery_time = ctx.now_ms();
      it->second->delivery_count++;
    } else {
      rb.StartArray(2);
      SendStreamId(rb, it->first);
      rb.SendNullArray();
    }
  }
  rb.SetDeferredLen(h, static_cast<size_t>(n));
}

// The consumer a read that serves something acts for, created on first use (Redis
// streamCreateConsumer with SCC_DEFAULT: an event and a change; a NOACK read also propagates
// the creation, since no XCLAIM will), and marked seen now.
StreamConsumer* ReadingConsumer(CmdContext& ctx, GroupRead& g, std::string_view name, DbEntry& e,
                                bool noack) {
  StreamConsumer* c = g.group->FindConsumer(name);
  if (c == nullptr) {
    c = g.group->CreateConsumer(name, ctx.now_ms());
    ctx.Notify(notify::kStream, "xgroup-createconsumer", g.key);
    ctx.db().MarkModified(e);
    if (noack) ctx.AlsoPropagate({"XGROUP", "CREATECONSUMER", g.key, g.group_name, name});
  }
  c->seen_time = ctx.now_ms();
  return c;
}

// Parses the options before STREAMS; nullopt after replying an error.
std::optional<ReadArgs> ParseReadArgs(CmdContext& ctx, bool group_mode) {
  ReadArgs r;
  r.group_mode = group_mode;
  bool has_group = false;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    const size_t more = ctx.argc() - i - 1;
    std::string_view o = ctx.arg(i);
    if (EqualsIgnoreCase(o, "block") && more > 0) {
      if (&ctx.client() == &ctx.server().scripting().script_client()) {
        ctx.SendError(std::string(ctx.arg(0)) +
                      " command is not allowed with BLOCK option from scripts");
        return std::nullopt;
      }
      auto t = ArgInt(ctx, ctx.arg(++i), "timeout is not an integer or out of range");
      if (!t) return std::nullopt;
      if (*t < 0) {
        ctx.SendError("timeout is negative");
        return std::nullopt;
      }
      r.timeout = *t;
    } else if (EqualsIgnoreCase(o, "count") && more > 0) {
      auto n = ArgInt(ctx, ctx.arg(++i));
      if (!n) return std::nullopt;
      r.count = std::max<int64_t>(*n, 0);
    } else if (EqualsIgnoreCase(o, "streams") && more > 0) {
      r.streams_arg = i + 1;
      const size_t n = ctx.argc() - r.streams_arg;
      if (n % 2 != 0) {
        // 7.0.15 names XREAD and '$' for both commands.
        ctx.SendError(
            "Unbalanced XREAD list of streams: for each stream key an ID or '$' must be "
            "specified.");
        return std::nullopt;
      }
      r.nstreams = n / 2;
      break;
    } else if (EqualsIgnoreCase(o, "group") && more >= 2) {
      if (!group_mode) {
        ctx.SendError(
            "The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
        return std::nullopt;
      }
      has_group = true;
      r.group = ctx.arg(i + 1);
      r.consumer = ctx.arg(i + 2);
      i += 2;
    } else if (EqualsIgnoreCase(o, "noack")) {
      if (!group_mode) {
        ctx.SendError(
            "The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
        return std::nullopt;
      }
      r.noack = true;
    } else {
      ctx.SendError(Errc::kSyntax);
      return std::nullopt;
    }
  }
  if (r.streams_arg == 0) {
    ctx.SendError(Errc::kSyntax);
    return std::nullopt;
  }
  if (group_mode && !has_group) {
    ctx.SendError("Missing GROUP option for XREADGROUP");
    return std::nullopt;
  }
  return r;
}

// Opens the reply entry of one stream: [key, entries] inside the outer array in RESP2, a
// key => entries pair of the outer map in RESP3.
void StartStreamReply(CmdContext& ctx, std::string_view key) {
  if (!ctx.rb().resp3()) ctx.rb().StartArray(2);
  ctx.rb().SendBulk(key);
}

// A blocked reader runs again because `key` was signalled (Redis
// serveClientsBlockedOnStreamKey and the deleted-key rule of 7.0).
void ServeBlockedRead(CmdContext& ctx, const ReadArgs& r, std::string_view key) {
  size_t k = 0;
  while (k < r.nstreams && r.key(ctx, k) != key) ++k;
  auto keep_waiting = [&] {
    ctx.Block(ctx.args().subspan(r.streams_arg, r.nstreams), ObjType::kStream, 0);
  };
  if (k == r.nstreams) return keep_waiting();
  DbEntry* e = ctx.db().Find(key);
  const bool is_stream = e != nullptr && e->value.type() == ObjType::kStream;
  GroupRead g;
  StreamId after;
  if (r.group_mode) {
    if (!is_stream) return ctx.SendError("-UNBLOCKED the stream key no longer exists");
    g.group = e->value.stream().FindGroup(r.group);
    if (g.group == nullptr) {
      return ctx.SendError(
          "-NOGROUP the consumer group this client was blocked on no longer exists");
    }
    after = g.group->last_id;
  } else {
    if (!is_stream) return keep_waiting();
    after = ParseStreamId(r.id(ctx, k), 0, true).value_or(StreamId::Max());
  }
  StreamObject& s = e->value.stream();
  if (!(s.last_id() > after)) return keep_waiting();
  StreamId start = after;
  start.Incr();
  if (r.group_mode) {
    g.key = key;
    g.group_name = r.group;
    g.consumer = ReadingConsumer(ctx, g, r.consumer, *e, r.noack);
  }
  if (ctx.rb().resp3()) {
    ctx.rb().StartMap(1);
  } else {
    ctx.rb().StartArray(1);
  }
  StartStreamReply(ctx, key);
  ReplyNewEntries(ctx, s, start, r.count != 0 ? r.count : kBlockedDefaultCount,
                  r.group_mode ? &g : nullptr, r.noack);
}

// XREAD [COUNT count] [BLOCK ms] STREAMS key [key ...] id [id ...]
// XREADGROUP GROUP group consumer [COUNT count] [BLOCK ms] [NOACK] STREAMS key ... id ...
void ReadGeneric(CmdContext& ctx, bool group_mode) {
  auto parsed = ParseReadArgs(ctx, group_mode);
  // The reply (or the XCLAIMs) say what happened; the command itself is never propagated.
  ctx.PreventPropagation();
  if (!parsed) return;
  const ReadArgs& r = *parsed;
  BlockingManager& blocking = ctx.server().blocking();
  if (blocking.IsReprocessing(ctx.client())) {
    const std::string* key = blocking.serving_key();
    return ServeBlockedRead(ctx, r, key != nullptr ? std::string_view(*key) : std::string_view());
  }

  Db& db = ctx.db();
  std::vector<StreamId> ids(r.nstreams);
  std::vector<StreamGroup*> groups(group_mode ? r.nstreams : 0);
  for (size_t k = 0; k < r.nstreams; ++k) {
    std::string_view key = r.key(ctx, k);
    auto found = FindStream(db, key, true);
    if (!found) return ctx.SendError(found.error());
    DbEntry* e = *found;
    if (group_mode) {
      StreamGroup* g = e == nullptr ? nullptr : e->value.stream().FindGroup(r.group);
      if (g == nullptr) {
        return ctx.SendError("-NOGROUP No such key '" + std::string(CStr(key)) +
                             "' or consumer group '" + std::string(CStr(r.group)) +
                             "' in XREADGROUP with GROUP option");
      }
      groups[k] = g;
    }
    std::string_view id = r.id(ctx, k);
    if (id == "$") {
      if (group_mode) {
        return ctx.SendError(
            "The $ ID is meaningless in the context of XREADGROUP: you want to read the history "
            "of this consumer by specifying a proper ID, or use the > ID to get new messages. "
            "The $ ID would just return an empty result set.");
      }
      ids[k] = e != nullptr ? e->value.stream().last_id() : StreamId::Min();
    } else if (id == ">") {
      if (!group_mode) {
        return ctx.SendError(
            "The > ID can be specified only when calling XREADGROUP using the GROUP <group> "
            "<consumer> option.");
      }
      ids[k] = StreamId::Max();
    } else {
      auto parsed_id = ParseIdOrReply(ctx, id, 0, true);
      if (!parsed_id) return;
      ids[k] = *parsed_id;
    }
  }

  auto& rb = ctx.rb();
  size_t served = 0;
  protocol::ReplyBuilder::DeferHandle h = 0;
  for (size_t k = 0; k < r.nstreams; ++k) {
    std::string_view key = r.key(ctx, k);
    DbEntry* e = db.FindRead(key);  // Redis looks every key up a second time here
    if (e == nullptr) continue;
    StreamObject& s = e->value.stream();
    StreamId after = ids[k];
    bool serve = false, history = false;
    GroupRead g;
    if (group_mode) {
      g.group = groups[k];
      if (after != StreamId::Max()) {
        serve = history = true;
      } else if (s.size() != 0 && s.LastValidId() > g.group->last_id) {
        serve = true;
        after = g.group->last_id;
      }
    } else if (s.size() != 0 && s.LastValidId() > after) {
      serve = true;
    }
    if (!serve) continue;
    if (group_mode) {
      g.key = key;
      g.group_name = r.group;
      g.consumer = ReadingConsumer(ctx, g, r.consumer, *e, r.noack);
    }
    if (served++ == 0) h = rb.resp3() ? rb.DeferMapLen() : rb.DeferArrayLen();
    StreamId start = after;
    start.Incr();
    StartStreamReply(ctx, key);
    if (history) {
      ReplyConsumerHistory(ctx, s, start, r.count, *g.consumer);
    } else {
      ReplyNewEntries(ctx, s, start, r.count, group_mode ? &g : nullptr, r.noack);
    }
    if (group_mode) db.MarkModified(*e);
  }
  if (served != 0) return rb.SetDeferredLen(h, served);

  if (r.timeout == -1 || !ctx.CanBlock()) return rb.SendNullArray();
  int64_t deadline = 0;
  if (r.timeout > 0) {
    deadline = r.timeout > std::numeric_limits<int64_t>::max() - ctx.now_ms()
                   ? std::numeric_limits<int64_t>::max()
                   : ctx.now_ms() + r.timeout;
  }
  // Saved to run again with '$' replaced by the IDs it stood for now.
  std::vector<std::string> resolved;
  std::vector<std::string_view> argv(ctx.args().begin(), ctx.args().end());
  resolved.reserve(r.nstreams);
  for (size_t k = 0; k < r.nstreams; ++k) {
    if (r.id(ctx, k) != "$") continue;
    resolved.push_back(ids[k].ToString());
    argv[r.streams_arg + r.nstreams + k] = resolved.back();
  }
  ctx.Block(ctx.args().subspan(r.streams_arg, r.nstreams), ObjType::kStream, deadline, argv);
}

void CmdXRead(CmdContext& ctx) { ReadGeneric(ctx, false); }
void CmdXReadGroup(CmdContext& ctx) { ReadGeneric(ctx, true); }

}  // namespace

void RegisterStreamCommands(CommandRegistry& r) {
  r.Add({"xadd", -5, kWrite | kDenyOom | kFast, {1, 1, 1}, CmdXAdd, "stream"});
  r.Add({"xrange", -4, kReadOnly, {1, 1, 1}, CmdXRange, "stream"});
  r.Add({"xrevrange", -4, kReadOnly, {1, 1, 1}, CmdXRevRange, "stream"});
  r.Add({"xlen", 2, kReadOnly | kFast, {1, 1, 1}, CmdXLen, "stream"});
  r.Add({"xdel", -3, kWrite | kFast, {1, 1, 1}, CmdXDel, "stream"});
  r.Add({"xtrim", -4, kWrite, {1, 1, 1}, CmdXTrim, "stream"});
  r.Add({"xsetid", -3, kWrite | kDenyOom | kFast, {1, 1, 1}, CmdXSetId, "stream"});
  r.Add({"xread", -4, kReadOnly | kBlocking, {0, 0, 0}, CmdXRead, "stream"});
  r.Add({"xreadgroup", -7, kWrite | kBlocking, {0, 0, 0}, CmdXReadGroup, "stream"});
}

}  // namespace baozi
