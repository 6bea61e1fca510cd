// Commands as the AOF writes them: the RESP form of one executed command (with Redis's SELECT
// rule), and the command form of a whole keyspace for a rewrite without the RDB preamble.
//
// A rewrite (Redis rewriteAppendOnlyFileRio) starts with one FUNCTION LOAD <code> per function
// library, then walks the databases in order; each non-empty one starts with SELECT <index>, then
// every key becomes the commands that rebuild it: SET for a string, RPUSH for a list (head to
// tail), SADD for a set, ZADD <score> <member> for a sorted set, HMSET for a hash, and for a
// stream (Redis rewriteStreamObject) one XADD per entry with its ID (an empty stream: XADD key
// MAXLEN 0 0-1 x y), XSETID with the last ID, ENTRIESADDED and MAXDELETEDID, then per group
// XGROUP CREATE ... ENTRIESREAD, per pending entry of each consumer XCLAIM key group consumer 0
// id TIME t RETRYCOUNT n JUSTID FORCE, and XGROUP CREATECONSUMER for a consumer with nothing
// pending. The other collections go out in commands of at most 64 items
// (AOF_REWRITE_ITEMS_PER_CMD): each command's header announces min(64, items left), so a key of
// 130 items is 64 + 64 + 2. A key with a TTL is followed by
// PEXPIREAT <key> <deadline ms>. Scores are printed with "%.17g" (rioWriteBulkDouble in 7.0), so
// they read back exactly; infinities print as "inf" / "-inf", which ZADD accepts. Integers stored
// as integers (int strings, intset members, listpack integers) print in decimal, which is what
// Redis's rioWriteBulkLongLong writes for them too.
//
// The byte stream equals Redis's for the same data except for the iteration order of
// hashtable-encoded hashes, sets and skiplist sorted sets (hash order in Redis, ours differs;
// we write sorted sets in rank order), and of the keys within a database.
//
// Output is gathered in a 64 KB buffer and handed to the sink in large pieces.
#include <cstdio>
#include <cstring>

#include "persistence/aof.h"
#include "storage/hash.h"
#include "storage/list.h"
#include "storage/numbers.h"
#include "storage/set.h"
#include "storage/stream.h"
#include "storage/zset.h"

namespace baozi::aof {
namespace {

void AppendHeader(std::string* out, char prefix, uint64_t n) {
  char buf[32];
  buf[0] = prefix;
  size_t len = 1 + FormatUint64(n, buf + 1);
  buf[len++] = '\r';
  buf[len++] = '\n';
  out->append(buf, len);
}

void AppendBulk(std::string* out, std::string_view s) {
  AppendHeader(out, '$', s.size());
  out->append(s);
  out->append("\r\n", 2);
}

class Writer {
 public:
  explicit Writer(rdb::Sink* sink) : sink_(sink) { buf_.reserve(kBufSize + 1024); }

  bool ok() const { return ok_; }

  void Raw(std::string_view s) {
    buf_.append(s);
    MaybeFlush();
  }
  void Count(uint64_t n) {
    AppendHeader(&buf_, '*', n);
    MaybeFlush();
  }
  void Bulk(std::string_view s) {
    if (s.size() >= kBufSize) {
      // A big value goes straight to the sink rather than through the buffer.
      AppendHeader(&buf_, '$', s.size());
      Flush();
      Emit(s);
      buf_.append("\r\n", 2);
      return;
    }
    AppendBulk(&buf_, s);
    MaybeFlush();
  }
  void BulkInt(int64_t v) {
    char buf[kIntBufSize];
    Bulk(std::string_view(buf, FormatInt64(v, buf)));
  }
  void BulkDouble(double d) {
    char buf[128];
    const int n = std::snprintf(buf, sizeof(buf), "%.17g", d);
    Bulk(std::string_view(buf, static_cast<size_t>(n)));
  }
  void Flush() {
    if (!buf_.empty()) Emit(buf_);
    buf_.clear();
  }

 private:
  static constexpr size_t kBufSize = 64 * 1024;

  void MaybeFlush() {
    if (buf_.size() >= kBufSize) Flush();
  }
  void Emit(std::string_view s) {
    if (ok_ && !sink_->Write(s.data(), s.size())) ok_ = false;
  }

  rdb::Sink* sink_;
  std::string buf_;
  bool ok_ = true;
};

// The header of each batch: "*<2 + items * per_item>", the command name and the key.
class Batcher {
 public:
  Batcher(Writer& w, std::string_view cmd, std::string_view key, uint64_t items, int per_item)
      : w_(w), cmd_(cmd), key_(key), items_(items), per_item_(per_item) {}

  // Called before each item.
  void Item() {
    if (count_ == 0) {
      const uint64_t n = std::min<uint64_t>(items_, kRewriteItemsPerCmd);
      w_.Count(2 + n * static_cast<uint64_t>(per_item_));
      w_.Bulk(cmd_);
      w_.Bulk(key_);
    }
    if (++count_ == kRewriteItemsPerCmd) count_ = 0;
    --items_;
  }

 private:
  Writer& w_;
  std::string_view cmd_;
  std::string_view key_;
  uint64_t items_;
  int per_item_;
  uint64_t count_ = 0;
};

void BulkId(Writer& w, StreamId id) {
  char buf[StreamId::kBufSize];
  w.Bulk(std::string_view(buf, id.Format(buf)));
}

// Redis 7.0 rewriteStreamObject.
void WriteStream(Writer& w, std::string_view key, const StreamObject& s) {
  if (s.size() > 0) {
    for (StreamObject::Iterator it(s, StreamId::Min(), StreamId::Max(), false); it.Next();) {
      w.Count(3 + 2 * it.num_fields());
      w.Raw("$4\r\nXADD\r\n");
      w.Bulk(key);
      BulkId(w, it.id());
      it.ForEachField([&](std::string_view f, std::string_view v) {
        w.Bulk(f);
        w.Bulk(v);
      });
    }
  } else {
    // An empty stream: add an entry and trim it away at once, leaving the key behind.
    w.Raw("*7\r\n$4\r\nXADD\r\n");
    w.Bulk(key);
    w.Raw("$6\r\nMAXLEN\r\n$1\r\n0\r\n$3\r\n0-1\r\n$1\r\nx\r\n$1\r\ny\r\n");
  }
  // Restores what the entries alone cannot: the last ID after deletions, the counters.
  w.Raw("*7\r\n$6\r\nXSETID\r\n");
  w.Bulk(key);
  BulkId(w, s.last_id());
  w.Raw("$12\r\nENTRIESADDED\r\n");
  w.BulkInt(static_cast<int64_t>(s.entries_added()));
  w.Raw("$12\r\nMAXDELETEDID\r\n");
  BulkId(w, s.max_deleted_id());

  for (const auto& [name, g] : s.groups()) {
    w.Raw("*7\r\n$6\r\nXGROUP\r\n$6\r\nCREATE\r\n");
    w.Bulk(key);
    w.Bulk(name);
    BulkId(w, g->last_id);
    w.Raw("$11\r\nENTRIESREAD\r\n");
    w.BulkInt(g->entries_read);
    // Pending entries come back through forced XCLAIMs, which also create their consumer;
    // consumers with nothing pending need XGROUP CREATECONSUMER.
    for (const auto& [cname, c] : g->consumers) {
      if (c->pel.empty()) {
        w.Raw("*5\r\n$6\r\nXGROUP\r\n$14\r\nCREATECONSUMER\r\n");
        w.Bulk(key);
        w.Bulk(name);
        w.Bulk(cname);
        continue;
      }
      for (const auto& [id, nack] : c->pel) {
        w.Raw("*12\r\n$6\r\nXCLAIM\r\n");
        w.Bulk(key);
        w.Bulk(name);
        w.Bulk(cname);
        w.Raw("$1\r\n0\r\n");
        BulkId(w, id);
        w.Raw("$4\r\nTIME\r\n");
        w.BulkInt(nack->delivery_time);
        w.Raw("$10\r\nRETRYCOUNT\r\n");
        w.BulkInt(static_cast<int64_t>(nack->delivery_count));
        w.Raw("$6\r\nJUSTID\r\n$5\r\nFORCE\r\n");
      }
    }
  }
}

void WriteKey(Writer& w, std::string_view key, const Value& v) {
  switch (v.type()) {
    case ObjType::kString: {
      w.Raw("*3\r\n$3\r\nSET\r\n");
      w.Bulk(key);
      char buf[kIntBufSize];
      w.Bulk(v.View(buf));
      return;
    }
    case ObjType::kList: {
      const ListObject& l = v.list();
      Batcher b(w, "RPUSH", key, l.size(), 1);
      l.ForEach([&](std::string_view e) {
        b.Item();
        w.Bulk(e);
      });
      return;
    }
    case ObjType::kSet: {
      const SetObject& s = v.set();
      Batcher b(w, "SADD", key, s.size(), 1);
      s.ForEach([&](std::string_view m) {
        b.Item();
        w.Bulk(m);
      });
      return;
    }
    case ObjType::kZset: {
      const ZsetObject& z = v.zset();
      Batcher b(w, "ZADD", key, z.size(), 2);
      z.ForEach([&](std::string_view m, double score) {
        b.Item();
        w.BulkDouble(score);
        w.Bulk(m);
      });
      return;
    }
    case ObjType::kHash: {
      const HashObject& h = v.hash();
      Batcher b(w, "HMSET", key, h.size(), 2);
      h.ForEach([&](std::string_view f, std::string_view val) {
        b.Item();
        w.Bulk(f);
        w.Bulk(val);
      });
      return;
    }
    case ObjType::kStream:
      WriteStream(w, key, v.stream());
      return;
  }
}

}  // namespace

void AppendCommand(std::string* out, std::span<const std::string_view> argv) {
  AppendHeader(out, '*', argv.size());
  for (std::string_view a : argv) AppendBulk(out, a);
}

void CommandFeed::Append(std::string* out, int db, std::span<const std::string_view> argv) {
  if (db != selected_db_) {
    char num[16];
    const size_t n = FormatInt64(db, num);
    out->append("*2\r\n$6\r\nSELECT\r\n");
    AppendBulk(out, std::string_view(num, n));
    selected_db_ = db;
  }
  AppendCommand(out, argv);
}

std::string TimestampAnnotation(int64_t unix_seconds) {
  return "#TS:" + std::to_string(unix_seconds) + "\r\n";
}

bool RewriteAsCommands(Keyspace& ks, rdb::Sink& sink, const RewriteOptions& opts) {
  Writer w(&sink);
  if (opts.timestamp) w.Raw(TimestampAnnotation(opts.now_seconds));
  // Redis rewriteFunctions: the libraries come first, each as the FUNCTION LOAD that made it.
  for (std::string_view code : opts.function_libraries) {
    w.Raw("*3\r\n$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n");
    w.Bulk(code);
  }
  for (int i = 0; i < ks.size() && w.ok(); ++i) {
    Db& db = ks.db(i);
    if (db.size() == 0) continue;
    w.Raw("*2\r\n$6\r\nSELECT\r\n");
    w.BulkInt(i);
    db.ForEach([&](std::string_view key, DbEntry& e) {
      if (!w.ok()) return;
      WriteKey(w, key, e.value);
      const int64_t deadline = db.ExpireOf(e);
      if (deadline != kNoExpire) {
        w.Raw("*3\r\n$9\r\nPEXPIREAT\r\n");
        w.Bulk(key);
        w.BulkInt(deadline);
      }
    });
  }
  w.Flush();
  return w.ok();
}

}  // namespace baozi::aof
