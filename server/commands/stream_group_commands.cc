// Consumer-group commands and stream introspection (Redis 7.0 t_stream.c): XGROUP
// CREATE/SETID/DESTROY/CREATECONSUMER/DELCONSUMER/HELP, XACK, XPENDING, XCLAIM, XAUTOCLAIM and
// XINFO STREAM/GROUPS/CONSUMERS/HELP. XREADGROUP, which feeds the pending lists, lives with the
// other reads in stream_commands.cc.
//
// A group's pending entries list (PEL) maps each delivered-but-unacknowledged ID to a NACK that
// records the owning consumer, the last delivery time and the delivery count; each consumer keeps
// pointers to its own NACKs. XACK drops NACKs, XCLAIM/XAUTOCLAIM move them between consumers, and
// XPENDING/XINFO walk them in ID order.
//
// Error precedence is 7.0.15's, which is not uniform: XGROUP validates its options before the key,
// XACK answers 0 for a missing key or group before parsing a single ID, XPENDING and XAUTOCLAIM
// parse every argument before the lookup, while XCLAIM looks the group up first and then parses.
// XCLAIM parses all IDs silently first, so that a trailing option is recognised and a bad ID can
// never leave half the claims done.
//
// Entries deleted from the stream while pending (XDEL, trimming) are dropped from the PEL when a
// claim meets them: XCLAIM skips them in its reply, XAUTOCLAIM lists them in its third element.
//
// Propagation. XCLAIM and XAUTOCLAIM never propagate themselves, since their effect depends on
// the clock: each NACK they touch goes out as "XCLAIM key group consumer 0 id TIME t RETRYCOUNT n
// FORCE JUSTID LASTID last", which recreates it exactly (a dropped NACK is sent this way too, and
// the replica drops it the same way, the entry being gone there as well); an XCLAIM whose LASTID
// only advanced the group sends "XGROUP SETID key group id ENTRIESREAD n". The XGROUP forms, XACK
// and consumer creation propagate their own argv when they change something.
//
// Keyspace events and WATCH: XGROUP reports "xgroup-create", "xgroup-setid", "xgroup-destroy",
// "xgroup-createconsumer", "xgroup-delconsumer" (consumers created by a claim included), and
// only MKSTREAM's new key is signalled to WATCH; Redis 7.0 signals nothing else here, and
// XACK/XCLAIM/XAUTOCLAIM publish no event of their own.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/blocking.h"
#include "server/cmd_context.h"
#include "server/commands/common.h"
#include "server/commands/help.h"
#include "server/commands/stream_common.h"
#include "storage/keyspace_events.h"
#include "storage/numbers.h"
#include "storage/stream.h"

namespace baozi {
namespace {

constexpr std::string_view kRequiresKey =
    "The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use "
    "the MKSTREAM option to create an empty stream automatically.";

// Redis addReplySubcommandSyntaxError.
void SubcommandSyntaxError(CmdContext& ctx, std::string_view container) {
  std::string msg = "unknown subcommand or wrong number of arguments for '";
  msg.append(CStr(ctx.arg(1)).substr(0, 128));
  msg.append("'. Try ");
  msg.append(container);
  msg.append(" HELP.");
  ctx.SendError(msg);
}

// "-NOGROUP No such key '<key>' or consumer group '<group>'" (XPENDING, XCLAIM, XAUTOCLAIM).
void NoKeyOrGroup(CmdContext& ctx, std::string_view key, std::string_view group) {
  std::string msg = "-NOGROUP No such key '";
  msg.append(CStr(key));
  msg.append("' or consumer group '");
  msg.append(CStr(group));
  msg.append("'");
  ctx.SendError(msg);
}

// "-NOGROUP No such consumer group '<group>' for key name '<key>'" (XGROUP, XINFO CONSUMERS).
void NoGroupForKey(CmdContext& ctx, std::string_view group, std::string_view key) {
  std::string msg = "-NOGROUP No such consumer group '";
  msg.append(CStr(group));
  msg.append("' for key name '");
  msg.append(CStr(key));
  msg.append("'");
  ctx.SendError(msg);
}

// Redis streamParseIntervalIDOrReply: "(<id>" is exclusive and must be a strict ID; anything
// else parses as a plain ID, "-" and "+" included.
std::optional<StreamId> ParseIntervalId(CmdContext& ctx, std::string_view arg, uint64_t missing_seq,
                                        bool* exclusive) {
  *exclusive = arg.size() > 1 && arg[0] == '(';
  if (*exclusive) return ParseIdOrReply(ctx, arg.substr(1), missing_seq, true);
  return ParseIdOrReply(ctx, arg, missing_seq, false);
}

// Idle time in ms since `t` (a delivery or a consumer's last activity), never negative.
int64_t IdleSince(int64_t now, int64_t t) {
  int64_t idle = now - t;
  return idle < 0 ? 0 : idle;
}

// Finds the claiming consumer, refreshing its seen time, or creates it (a claim's consumer is
// only looked up once a NACK qualifies, so a claim of nothing leaves consumers alone).
StreamConsumer* ClaimingConsumer(CmdContext& ctx, DbEntry& e, StreamGroup& group,
                                 std::string_view name, std::string_view key) {
  const int64_t now = ctx.now_ms();
  if (StreamConsumer* c = group.FindConsumer(name)) {
    c->seen_time = now;
    return c;
  }
  StreamConsumer* c = group.CreateConsumer(name, now);
  ctx.db().MarkModified(e);
  ctx.Notify(notify::kStream, "xgroup-createconsumer", key);
  return c;
}

// ---------------------------------------------------------------------------------------------
// XGROUP

void CmdXgroupHelp(CmdContext& ctx) {
  SendHelp(ctx, {
                    "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                    "CREATE <key> <groupname> <id|$> [option]",
                    "    Create a new consumer group. Options are:",
                    "    * MKSTREAM",
                    "      Create the empty stream if it does not exist.",
                    "    * ENTRIESREAD entries_read",
                    "      Set the group's entries_read counter (internal use).",
                    "CREATECONSUMER <key> <groupname> <consumer>",
                    "    Create a new consumer in the specified group.",
                    "DELCONSUMER <key> <groupname> <consumer>",
                    "    Remove the specified consumer.",
                    "DESTROY <key> <groupname>",
                    "    Remove the specified group.",
                    "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
                    "    Set the current group ID and entries_read counter.",
                });
}

// Every XGROUP subcommand but HELP: Redis runs them through one function whose shared checks
// (options, key, group) decide which error a bad call gets, so they share one here too.
void CmdXgroup(CmdContext& ctx) {
  const std::string_view opt = ctx.arg(1);
  const bool create = EqualsIgnoreCase(opt, "create");
  const bool setid = EqualsIgnoreCase(opt, "setid");
  const bool destroy = EqualsIgnoreCase(opt, "destroy");
  const bool createconsumer = EqualsIgnoreCase(opt, "createconsumer");
  const bool delconsumer = EqualsIgnoreCase(opt, "delconsumer");
  const size_t argc = ctx.argc();
  const std::string_view key = ctx.arg(2);
  const std::string_view grpname = ctx.arg(3);

  bool mkstream = false;
  int64_t entries_read = StreamGroup::kInvalidEntriesRead;
  if (create || setid) {
    for (size_t i = 5; i < argc;) {
      if (create && EqualsIgnoreCase(ctx.arg(i), "mkstream")) {
        mkstream = true;
        ++i;
      } else if (EqualsIgnoreCase(ctx.arg(i), "entriesread") && i + 1 < argc) {
        auto v = ArgInt(ctx, ctx.arg(i + 1));
        if (!v) return;
        if (*v < 0 && *v != StreamGroup::kInvalidEntriesRead) {
          return ctx.SendError("value for ENTRIESREAD must be positive or -1");
        }
        entries_read = *v;
        i += 2;
      } else {
        return SubcommandSyntaxError(ctx, "XGROUP");
      }
    }
  }

  Db& db = ctx.db();
  auto found = FindStream(db, key, false);
  if (!found) return ctx.SendError(found.error());
  DbEntry* e = *found;
  StreamObject* s = e != nullptr ? &e->value.stream() : nullptr;
  StreamGroup* cg = nullptr;
  if (!mkstream) {
    if (s == nullptr) return ctx.SendError(kRequiresKey);
    cg = s->FindGroup(grpname);
    if (cg == nullptr && (setid || createconsumer || delconsumer)) {
      return NoGroupForKey(ctx, grpname, key);
    }
  }

  auto& rb = ctx.rb();
  if (create && argc >= 5 && argc <= 8) {
    StreamId id;
    if (ctx.arg(4) == "$") {
      if (s != nullptr) id = s->last_id();
    } else {
      auto parsed = ParseIdOrReply(ctx, ctx.arg(4), 0, true);
      if (!parsed) return;
      id = *parsed;
    }
    // MKSTREAM creates the key only now that nothing can fail.
    if (s == nullptr) {
      e = &db.Add(key, Value::Wrap(new StreamObject()));
      s = &e->value.stream();
      ctx.SignalModifiedKey(key);
    }
    if (s->CreateGroup(grpname, id, entries_read) == nullptr) {
      return ctx.SendError("-BUSYGROUP Consumer Group name already exists");
    }
    rb.SendOk();
    db.MarkModified(*e);
    ctx.Notify(notify::kStream, "xgroup-create", key);
  } else if (setid && (argc == 5 || argc == 7)) {
    StreamId id;
    if (ctx.arg(4) == "$") {
      id = s->last_id();
    } else {
      auto parsed = ParseIdOrReply(ctx, ctx.arg(4), 0, false);
      if (!parsed) return;
      id = *parsed;
    }
    cg->last_id = id;
    cg->entries_read = entries_read;
    rb.SendOk();
    db.MarkModified(*e);
    ctx.Notify(notify::kStream, "xgroup-setid", key);
  } else if (destroy && argc == 4) {
    if (cg == nullptr) return rb.SendLong(0);
    s->DestroyGroup(grpname);
    rb.SendLong(1);
    db.MarkModified(*e);
    ctx.Notify(notify::kStream, "xgroup-destroy", key);
    // Clients blocked in XREADGROUP on this group learn it is gone.
    ctx.server().blocking().SignalReady(db, key);
  } else if (createconsumer && argc == 5) {
    StreamConsumer* c = cg->CreateConsumer(ctx.arg(4), ctx.now_ms());
    if (c != nullptr) {
      db.MarkModified(*e);
      ctx.Notify(notify::kStream, "xgroup-createconsumer", key);
    }
    rb.SendLong(c != nullptr ? 1 : 0);
  } else if (delconsumer && argc == 5) {
    int64_t pending = 0;
    if (cg->FindConsumer(ctx.arg(4)) != nullptr) {
      pending = static_cast<int64_t>(cg->DeleteConsumer(ctx.arg(4)));
      db.MarkModified(*e);
      ctx.Notify(notify::kStream, "xgroup-delconsumer", key);
    }
    rb.SendLong(pending);
  } else {
    SubcommandSyntaxError(ctx, "XGROUP");
  }
}

// ---------------------------------------------------------------------------------------------
// XACK key group id [id ...]

void CmdXack(CmdContext& ctx) {
  const std::string_view key = ctx.arg(1);
  auto found = FindStream(ctx.db(), key, true);
  if (!found) return ctx.SendError(found.error());
  DbEntry* e = *found;
  StreamGroup* group = e != nullptr ? e->value.stream().FindGroup(ctx.arg(2)) : nullptr;
  if (group == nullptr) return ctx.rb().SendLong(0);

  // All or nothing: every ID is checked before the first acknowledgement.
  for (size_t j = 3; j < ctx.argc(); ++j) {
    if (!ParseIdOrReply(ctx, ctx.arg(j), 0, true)) return;
  }
  int64_t acknowledged = 0;
  for (size_t j = 3; j < ctx.argc(); ++j) {
    if (group->Ack(*ParseStreamId(ctx.arg(j), 0, true))) {
      ++acknowledged;
      ctx.db().MarkModified(*e);
    }
  }
  ctx.rb().SendLong(acknowledged);
}

// ---------------------------------------------------------------------------------------------
// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]

void CmdXpending(CmdContext& ctx) {
  const size_t argc = ctx.argc();
  const std::string_view key = ctx.arg(1);
  const std::string_view group_name = ctx.arg(2);
  const bool justinfo = argc == 3;
  if (argc != 3 && (argc < 6 || argc > 9)) return ctx.SendError(Errc::kSyntax);

  StreamId start, end;
  int64_t count = 0;
  int64_t minidle = 0;
  std::string_view consumer_name;
  bool has_consumer = false;
  if (argc >= 6) {
    size_t startidx = 3;
    if (EqualsIgnoreCase(ctx.arg(3), "idle")) {
      auto v = ArgInt(ctx, ctx.arg(4));
      if (!v) return;
      minidle = *v;
      // IDLE needs "start end count" after it.
      if (argc < 8) return ctx.SendError(Errc::kSyntax);
      startidx += 2;
    }
    auto c = ArgInt(ctx, ctx.arg(startidx + 2));
    if (!c) return;
    count = *c < 0 ? 0 : *c;
    bool exclusive = false;
    auto s = ParseIntervalId(ctx, ctx.arg(startidx), 0, &exclusive);
    if (!s) return;
    start = *s;
    if (exclusive && !start.Incr()) return ctx.SendError("invalid start ID for the interval");
    auto en = ParseIntervalId(ctx, ctx.arg(startidx + 1), UINT64_MAX, &exclusive);
    if (!en) return;
    end = *en;
    if (exclusive && !end.Decr()) return ctx.SendError("invalid end ID for the interval");
    if (startidx + 3 < argc) {
      consumer_name = ctx.arg(startidx + 3);
      has_consumer = true;
    }
  }

  auto found = FindStream(ctx.db(), key, true);
  if (!found) return ctx.SendError(found.error());
  StreamGroup* group = *found != nullptr ? (*found)->value.stream().FindGroup(group_name) : nullptr;
  if (group == nullptr) return NoKeyOrGroup(ctx, key, group_name);

  auto& rb = ctx.rb();
  if (justinfo) {
    rb.StartArray(4);
    rb.SendLong(static_cast<int64_t>(group->pel.size()));
    if (group->pel.empty()) {
      rb.SendNull();
      rb.SendNull();
      rb.SendNullArray();
      return;
    }
    SendStreamId(rb, group->pel.begin()->first);
    SendStreamId(rb, group->pel.rbegin()->first);
    size_t with_pending = 0;
    for (const auto& [name, c] : group->consumers) with_pending += c->pel.empty() ? 0 : 1;
    rb.StartArray(with_pending);
    for (const auto& [name, c] : group->consumers) {
      if (c->pel.empty()) continue;
      rb.StartArray(2);
      rb.SendBulk(name);
      char buf[24];
      rb.SendBulk({buf, FormatInt64(static_cast<int64_t>(c->pel.size()), buf)});
    }
    return;
  }

  const int64_t now = ctx.now_ms();
  auto emit = [&](StreamId id, const StreamNack& nack) {
    rb.StartArray(4);
    SendStreamId(rb, id);
    rb.SendBulk(nack.consumer->name);
    rb.SendLong(IdleSince(now, nack.delivery_time));
    rb.SendLong(static_cast<int64_t>(nack.delivery_count));
  };
  auto skip = [&](const StreamNack& nack) {
    return minidle != 0 && now - nack.delivery_time < minidle;
  };
  auto h = rb.DeferArrayLen();
  size_t n = 0;
  if (has_consumer) {
    // A consumer that does not exist has nothing pending.
    StreamConsumer* consumer = group->FindConsumer(consumer_name);
    if (consumer != nullptr) {
      for (auto it = consumer->pel.lower_bound(start);
           count != 0 && it != consumer->pel.end() && it->first <= end; ++it) {
        if (skip(*it->second)) continue;
        emit(it->first, *it->second);
        ++n;
        --count;
      }
    }
  } else {
    for (auto it = group->pel.lower_bound(start);
         count != 0 && it != group->pel.end() && it->first <= end; ++it) {
      if (skip(it->second)) continue;
      emit(it->first, it->second);
      ++n;
      --count;
    }
  }
  rb.SetDeferredLen(h, n);
}

// ---------------------------------------------------------------------------------------------
// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-ms] [RETRYCOUNT n]
//        [FORCE] [JUSTID] [LASTID id]

void CmdXclaim(CmdContext& ctx) {
  const std::string_view key = ctx.arg(1);
  const std::string_view group_name = ctx.arg(2);
  const std::string_view consumer_name = ctx.arg(3);
  auto found = FindStream(ctx.db(), key, true);
  if (!found) return ctx.SendError(found.error());
  DbEntry* e = *found;
  StreamGroup* group = e != nullptr ? e->value.stream().FindGroup(group_name) : nullptr;
  if (group == nullptr) return NoKeyOrGroup(ctx, key, group_name);
  const StreamObject& s = e->value.stream();

  auto minidle_arg = ArgInt(ctx, ctx.arg(4), "Invalid min-idle-time argument for XCLAIM");
  if (!minidle_arg) return;
  const int64_t minidle = *minidle_arg < 0 ? 0 : *minidle_arg;

  // The IDs run up to the first argument that is not one; options follow.
  size_t j = 5;
  while (j < ctx.argc() && ParseStreamId(ctx.arg(j), 0, true)) ++j;
  const size_t ids_end = j;

  const int64_t now = ctx.now_ms();
  bool force = false;
  bool justid = false;
  int64_t retrycount = -1;    // -1: RETRYCOUNT not given
  int64_t deliverytime = -1;  // -1: neither IDLE nor TIME given
  StreamId last_id;
  for (; j < ctx.argc(); ++j) {
    const size_t moreargs = ctx.argc() - 1 - j;
    std::string_view opt = ctx.arg(j);
    if (EqualsIgnoreCase(opt, "force")) {
      force = true;
    } else if (EqualsIgnoreCase(opt, "justid")) {
      justid = true;
    } else if (EqualsIgnoreCase(opt, "idle") && moreargs != 0) {
      auto v = ArgInt(ctx, ctx.arg(++j), "Invalid IDLE option argument for XCLAIM");
      if (!v) return;
      // Wraps as Redis's arithmetic does; out-of-range results fall back to now below.
      deliverytime = static_cast<int64_t>(static_cast<uint64_t>(now) - static_cast<uint64_t>(*v));
    } else if (EqualsIgnoreCase(opt, "time") && moreargs != 0) {
      auto v = ArgInt(ctx, ctx.arg(++j), "Invalid TIME option argument for XCLAIM");
      if (!v) return;
      deliverytime = *v;
    } else if (EqualsIgnoreCase(opt, "retrycount") && moreargs != 0) {
      auto v = ArgInt(ctx, ctx.arg(++j), "Invalid RETRYCOUNT option argument for XCLAIM");
      if (!v) return;
      retrycount = *v;
    } else if (EqualsIgnoreCase(opt, "lastid") && moreargs != 0) {
      auto v = ParseIdOrReply(ctx, ctx.arg(++j), 0, true);
      if (!v) return;
      last_id = *v;
    } else {
      std::string msg = "Unrecognized XCLAIM option '";
      msg.append(CStr(opt));
      msg.append("'");
      return ctx.SendError(msg);
    }
  }

  bool propagate_last_id = false;
  if (last_id > group->last_id) {
    group->last_id = last_id;
    propagate_last_id = true;
  }
  // A bogus time (in the future, or negative) is taken as now rather than failing: clients
  // compute it from their own clocks.
  if (deliverytime < 0 || deliverytime > now) deliverytime = now;

  Db& db = ctx.db();
  auto& rb = ctx.rb();
  StreamConsumer* consumer = nullptr;
  auto h = rb.DeferArrayLen();
  size_t n = 0;
  for (size_t k = 5; k < ids_end; ++k) {
    const StreamId id = *ParseStreamId(ctx.arg(k), 0, true);
    auto it = group->pel.find(id);
    if (!s.HasEntry(id)) {
      if (it != group->pel.end()) {
        PropagateXclaim(ctx, key, *group, group_name, id, it->second);
        propagate_last_id = false;
        db.MarkModified(*e);
        group->Ack(it->first);
      }
      continue;
    }
    // FORCE creates the NACK of an entry nobody has pending (how replicas learn of a PEL).
    if (force && it == group->pel.end()) {
      it = group->pel.emplace(id, StreamNack{now, 1, nullptr}).first;
    }
    if (it == group->pel.end()) continue;
    StreamNack& nack = it->second;
    if (nack.consumer != nullptr && minidle != 0 && now - nack.delivery_time < minidle) continue;
    if (consumer == nullptr) consumer = ClaimingConsumer(ctx, *e, *group, consumer_name, key);
    nack.delivery_time = deliverytime;
    if (retrycount >= 0) {
      nack.delivery_count = static_cast<uint64_t>(retrycount);
    } else if (!justid) {
      ++nack.delivery_count;
    }
    group->Reassign(id, nack, consumer);
    if (justid) {
      SendStreamId(rb, id);
    } else {
      ReplyEntryById(rb, s, id);
    }
    ++n;
    PropagateXclaim(ctx, key, *group, group_name, id, nack);
    propagate_last_id = false;
    db.MarkModified(*e);
  }
  if (propagate_last_id) {
    PropagateGroupId(ctx, key, *group, group_name);
    db.MarkModified(*e);
  }
  rb.SetDeferredLen(h, n);
  ctx.PreventPropagation();
}

// ---------------------------------------------------------------------------------------------
// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]

void CmdXautoclaim(CmdContext& ctx) {
  const std::string_view key = ctx.arg(1);
  const std::string_view group_name = ctx.arg(2);
  const std::string_view consumer_name = ctx.arg(3);
  // Each call examines at most COUNT * kAttemptsFactor PEL entries, claimed or not.
  constexpr int64_t kAttemptsFactor = 10;
  // Redis allocates COUNT stream IDs up front and fails when it cannot; an allocation past the
  // 47-bit address space always fails, which is where a Linux machine draws the line.
  constexpr int64_t kMaxAllocatableCount = int64_t{1} << 43;

  auto minidle_arg = ArgInt(ctx, ctx.arg(4), "Invalid min-idle-time argument for XAUTOCLAIM");
  if (!minidle_arg) return;
  const int64_t minidle = *minidle_arg < 0 ? 0 : *minidle_arg;
  bool exclusive = false;
  auto start_arg = ParseIntervalId(ctx, ctx.arg(5), 0, &exclusive);
  if (!start_arg) return;
  StreamId start = *start_arg;
  if (exclusive && !start.Incr()) return ctx.SendError("invalid start ID for the interval");

  int64_t count = 100;
  bool justid = false;
  for (size_t j = 6; j < ctx.argc(); ++j) {
    const size_t moreargs = ctx.argc() - 1 - j;
    if (EqualsIgnoreCase(ctx.arg(j), "count") && moreargs != 0) {
      constexpr int64_t kMaxCount = INT64_MAX / 16;  // LONG_MAX / max(sizeof(streamID), 10)
      auto v = ParseInt64(ctx.arg(j + 1));
      if (!v || *v < 1 || *v > kMaxCount) return ctx.SendError("COUNT must be > 0");
      count = *v;
      ++j;
    } else if (EqualsIgnoreCase(ctx.arg(j), "justid")) {
      justid = true;
    } else {
      return ctx.SendError(Errc::kSyntax);
    }
  }

  auto found = FindStream(ctx.db(), key, true);
  if (!found) return ctx.SendError(found.error());
  DbEntry* e = *found;
  StreamGroup* group = e != nullptr ? e->value.stream().FindGroup(group_name) : nullptr;
  if (group == nullptr) return NoKeyOrGroup(ctx, key, group_name);
  if (count > kMaxAllocatableCount) {
    return ctx.SendError(
        "Insufficient memory, failed allocating transient memory, COUNT too high.");
  }
  const StreamObject& s = e->value.stream();

  Db& db = ctx.db();
  const int64_t now = ctx.now_ms();
  int64_t attempts = count * kAttemptsFactor;
  StreamConsumer* consumer = nullptr;
  std::vector<StreamId> claimed;
  std::vector<StreamId> deleted;
  // `it` is always the next PEL entry to examine, so when the loop stops it is the cursor.
  auto it = group->pel.lower_bound(start);
  while (attempts-- != 0 && count != 0 && it != group->pel.end()) {
    auto cur = it++;
    const StreamId id = cur->first;
    StreamNack& nack = cur->second;
    if (!s.HasEntry(id)) {
      PropagateXclaim(ctx, key, *group, group_name, id, nack);
      db.MarkModified(*e);
      group->Ack(cur->first);
      deleted.push_back(id);
      --count;  // COUNT bounds the reply, deleted IDs included
      continue;
    }
    if (minidle != 0 && now - nack.delivery_time < minidle) continue;
    if (consumer == nullptr) consumer = ClaimingConsumer(ctx, *e, *group, consumer_name, key);
    nack.delivery_time = now;
    if (!justid) ++nack.delivery_count;
    group->Reassign(id, nack, consumer);
    claimed.push_back(id);
    --count;
    PropagateXclaim(ctx, key, *group, group_name, id, nack);
    db.MarkModified(*e);
  }
  const StreamId cursor = it == group->pel.end() ? StreamId{} : it->first;

  auto& rb = ctx.rb();
  rb.StartArray(3);
  SendStreamId(rb, cursor);
  rb.StartArray(claimed.size());
  for (StreamId id : claimed) {
    if (justid) {
      SendStreamId(rb, id);
    } else {
      ReplyEntryById(rb, s, id);
    }
  }
  rb.StartArray(deleted.size());
  for (StreamId id : deleted) SendStreamId(rb, id);
  ctx.PreventPropagation();
}

// ---------------------------------------------------------------------------------------------
// XINFO

void CmdXinfoHelp(CmdContext& ctx) {
  SendHelp(ctx, {
                    "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                    "CONSUMERS <key> <groupname>",
                    "    Show consumers of <groupname>.",
                    "GROUPS <key>",
                    "    Show the stream consumer groups.",
                    "STREAM <key> [FULL [COUNT <count>]",
                    "    Show information about the stream.",
                });
}

// Redis streamReplyWithCGLag: how many entries the group has yet to read, or null when that
// cannot be told without walking the stream (entries deleted past the group's position).
void ReplyGroupLag(protocol::ReplyBuilder& rb, const StreamObject& s, const StreamGroup& cg) {
  const auto added = static_cast<int64_t>(s.entries_added());
  if (added == 0) return rb.SendLong(0);
  if (cg.entries_read != StreamGroup::kInvalidEntriesRead &&
      !s.RangeHasTombstones(cg.last_id, StreamId::Max())) {
    return rb.SendLong(added - cg.entries_read);
  }
  const int64_t read = s.EstimateDistanceFromFirstEverEntry(cg.last_id);
  if (read == StreamGroup::kInvalidEntriesRead) return rb.SendNull();
  rb.SendLong(added - read);
}

void ReplyEntriesRead(protocol::ReplyBuilder& rb, const StreamGroup& cg) {
  if (cg.entries_read == StreamGroup::kInvalidEntriesRead) return rb.SendNull();
  rb.SendLong(cg.entries_read);
}

// The first (or last) live entry as [id, [field, value ...]], or null.
void ReplyEdgeEntry(protocol::ReplyBuilder& rb, const StreamObject& s, bool last) {
  StreamObject::Iterator it(s, StreamId::Min(), StreamId::Max(), last);
  if (it.Next()) return ReplyEntry(rb, it);
  rb.SendNull();
}

// XINFO STREAM key [FULL [COUNT count]], after the key lookup.
void ReplyStreamInfo(CmdContext& ctx, const StreamObject& s) {
  const size_t optc = ctx.argc() - 3;
  bool full = false;
  int64_t count = 10;  // FULL's default keeps a huge stream from stalling the server
  if (optc != 0) {
    if ((optc != 1 && optc != 3) || !EqualsIgnoreCase(ctx.arg(3), "full")) {
      return SubcommandSyntaxError(ctx, "XINFO");
    }
    if (optc == 3) {
      if (!EqualsIgnoreCase(ctx.arg(4), "count")) return SubcommandSyntaxError(ctx, "XINFO");
      auto v = ArgInt(ctx, ctx.arg(5));
      if (!v) return;
      count = *v < 0 ? 10 : *v;
    }
    full = true;
  }

  auto& rb = ctx.rb();
  rb.StartMap(full ? 9 : 10);
  rb.SendBulk("length");
  rb.SendLong(static_cast<int64_t>(s.size()));
  rb.SendBulk("radix-tree-keys");
  rb.SendLong(static_cast<int64_t>(s.node_count()));
  rb.SendBulk("radix-tree-nodes");
  rb.SendLong(static_cast<int64_t>(s.RaxNodeCount()));
  rb.SendBulk("last-generated-id");
  SendStreamId(rb, s.last_id());
  rb.SendBulk("max-deleted-entry-id");
  SendStreamId(rb, s.max_deleted_id());
  rb.SendBulk("entries-added");
  rb.SendLong(static_cast<int64_t>(s.entries_added()));
  rb.SendBulk("recorded-first-entry-id");
  SendStreamId(rb, s.first_id());

  if (!full) {
    rb.SendBulk("groups");
    rb.SendLong(static_cast<int64_t>(s.groups().size()));
    rb.SendBulk("first-entry");
    ReplyEdgeEntry(rb, s, false);
    rb.SendBulk("last-entry");
    ReplyEdgeEntry(rb, s, true);
    return;
  }

  // COUNT 0 means everything.
  const auto limit = static_cast<size_t>(count);
  auto within = [&](size_t n) { return limit == 0 || n < limit; };
  rb.SendBulk("entries");
  ReplyRange(rb, s, StreamId::Min(), StreamId::Max(), limit, false);
  rb.SendBulk("groups");
  rb.StartArray(s.groups().size());
  for (const auto& [name, cg] : s.groups()) {
    rb.StartMap(7);
    rb.SendBulk("name");
    rb.SendBulk(name);
    rb.SendBulk("last-delivered-id");
    SendStreamId(rb, cg->last_id);
    rb.SendBulk("entries-read");
    ReplyEntriesRead(rb, *cg);
    rb.SendBulk("lag");
    ReplyGroupLag(rb, s, *cg);
    rb.SendBulk("pel-count");
    rb.SendLong(static_cast<int64_t>(cg->pel.size()));
    rb.SendBulk("pending");
    size_t n = 0;
    auto h = rb.DeferArrayLen();
    for (auto it = cg->pel.begin(); it != cg->pel.end() && within(n); ++it, ++n) {
      rb.StartArray(4);
      SendStreamId(rb, it->first);
      rb.SendBulk(it->second.consumer->name);
      rb.SendLong(it->second.delivery_time);
      rb.SendLong(static_cast<int64_t>(it->second.delivery_count));
    }
    rb.SetDeferredLen(h, n);
    rb.SendBulk("consumers");
    rb.StartArray(cg->consumers.size());
    for (const auto& [cname, c] : cg->consumers) {
      rb.StartMap(4);
      rb.SendBulk("name");
      rb.SendBulk(cname);
      rb.SendBulk("seen-time");
      rb.SendLong(c->seen_time);
      rb.SendBulk("pel-count");
      rb.SendLong(static_cast<int64_t>(c->pel.size()));
      rb.SendBulk("pending");
      size_t m = 0;
      auto ch = rb.DeferArrayLen();
      for (auto it = c->pel.begin(); it != c->pel.end() && within(m); ++it, ++m) {
        rb.StartArray(3);
        SendStreamId(rb, it->first);
        rb.SendLong(it->second->delivery_time);
        rb.SendLong(static_cast<int64_t>(it->second->delivery_count));
      }
      rb.SetDeferredLen(ch, m);
    }
  }
}

// XINFO CONSUMERS/GROUPS/STREAM: one function in Redis, so the key is looked up (and a missing
// one reported) before a subcommand's own arguments are checked.
void CmdXinfo(CmdContext& ctx) {
  const std::string_view opt = ctx.arg(1);
  const std::string_view key = ctx.arg(2);
  auto found = FindStream(ctx.db(), key, true);
  if (!found) return ctx.SendError(found.error());
  if (*found == nullptr) return ctx.SendError(Errc::kNoSuchKey);
  const StreamObject& s = (*found)->value.stream();
  auto& rb = ctx.rb();

  if (EqualsIgnoreCase(opt, "consumers") && ctx.argc() == 4) {
    StreamGroup* cg = s.FindGroup(ctx.arg(3));
    if (cg == nullptr) return NoGroupForKey(ctx, ctx.arg(3), key);
    const int64_t now = ctx.now_ms();
    rb.StartArray(cg->consumers.size());
    for (const auto& [name, c] : cg->consumers) {
      rb.StartMap(3);
      rb.SendBulk("name");
      rb.SendBulk(name);
      rb.SendBulk("pending");
      rb.SendLong(static_cast<int64_t>(c->pel.size()));
      rb.SendBulk("idle");
      rb.SendLong(IdleSince(now, c->seen_time));
    }
  } else if (EqualsIgnoreCase(opt, "groups") && ctx.argc() == 3) {
    rb.StartArray(s.groups().size());
    for (const auto& [name, cg] : s.groups()) {
      rb.StartMap(6);
      rb.SendBulk("name");
      rb.SendBulk(name);
      rb.SendBulk("consumers");
      rb.SendLong(static_cast<int64_t>(cg->consumers.size()));
      rb.SendBulk("pending");
      rb.SendLong(static_cast<int64_t>(cg->pel.size()));
      rb.SendBulk("last-delivered-id");
      SendStreamId(rb, cg->last_id);
      rb.SendBulk("entries-read");
      ReplyEntriesRead(rb, *cg);
      rb.SendBulk("lag");
      ReplyGroupLag(rb, s, *cg);
    }
  } else if (EqualsIgnoreCase(opt, "stream")) {
    ReplyStreamInfo(ctx, s);
  } else {
    SubcommandSyntaxError(ctx, "XINFO");
  }
}

}  // namespace

void RegisterStreamGroupCommands(CommandRegistry& r) {
  Command* xgroup = r.Add({"xgroup", -2, 0, {}, CmdContainer, "stream"});
  xgroup->AddSubcommand({"create", -5, kWrite | kDenyOom, {2, 2, 1}, CmdXgroup, "stream"});
  xgroup->AddSubcommand({"setid", -5, kWrite, {2, 2, 1}, CmdXgroup, "stream"});
  xgroup->AddSubcommand({"destroy", 4, kWrite, {2, 2, 1}, CmdXgroup, "stream"});
  xgroup->AddSubcommand({"createconsumer", 5, kWrite | kDenyOom, {2, 2, 1}, CmdXgroup, "stream"});
  xgroup->AddSubcommand({"delconsumer", 5, kWrite, {2, 2, 1}, CmdXgroup, "stream"});
  xgroup->AddSubcommand({"help", 2, kLoading | kStale, {}, CmdXgroupHelp, "stream"});

  r.Add({"xack", -4, kWrite | kFast, {1, 1, 1}, CmdXack, "stream"});
  r.Add({"xpending", -3, kReadOnly, {1, 1, 1}, CmdXpending, "stream"});
  r.Add({"xclaim", -6, kWrite | kFast, {1, 1, 1}, CmdXclaim, "stream"});
  r.Add({"xautoclaim", -6, kWrite | kFast, {1, 1, 1}, CmdXautoclaim, "stream"});

  Command* xinfo = r.Add({"xinfo", -2, 0, {}, CmdContainer, "stream"});
  xinfo->AddSubcommand({"consumers", 4, kReadOnly, {2, 2, 1}, CmdXinfo, "stream"});
  xinfo->AddSubcommand({"groups", 3, kReadOnly, {2, 2, 1}, CmdXinfo, "stream"});
  xinfo->AddSubcommand({"stream", -3, kReadOnly, {2, 2, 1}, CmdXinfo, "stream"});
  xinfo->AddSubcommand({"help", 2, kLoading | kStale, {}, CmdXinfoHelp, "stream"});
}

}  // namespace baozi
