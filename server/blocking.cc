#include "server/blocking.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "server/cmd_context.h"
#include "server/server.h"
#include "storage/numbers.h"

namespace baozi {

std::optional<int64_t> ParseBlockTimeout(CmdContext& ctx, std::string_view arg) {
  auto secs = ParseLongDouble(arg);
  if (!secs) {
    ctx.SendError("timeout is not a float or out of range");
    return std::nullopt;
  }
  // Redis rounds up to whole milliseconds (0.0001 waits 1 ms, -0.0001 rounds to 0: forever)
  // and converts with a plain cast: values beyond the int64 range (inf, 1e400, 2^63 ms) come
  // out as LLONG_MIN on x86 and are reported as negative. Both quirks are observable.
  long double ms = std::ceil(*secs * 1000.0L);
  constexpr long double kLimit = 9223372036854775808.0L;  // 2^63
  if (!(ms > -kLimit && ms < kLimit) || static_cast<int64_t>(ms) < 0) {
    ctx.SendError("timeout is negative");
    return std::nullopt;
  }
  auto tval = static_cast<int64_t>(ms);
  if (tval == 0) return 0;
  int64_t now = ctx.now_ms();
  // Redis 7.0 adds the time unchecked; a deadline past the int64 range never arrives.
  if (tval > std::numeric_limits<int64_t>::max() - now) return std::numeric_limits<int64_t>::max();
  return tval + now;
}

bool CmdContext::CanBlock() const { return !client_.Has(kClientDenyBlocking); }

void CmdContext::Block(std::span<const std::string_view> keys, ObjType type, int64_t deadline_ms) {
  server_.blocking().Block(client_, cmd_, args_, keys, type, deadline_ms);
}

void CmdContext::Block(std::span<const std::string_view> keys, ObjType type, int64_t deadline_ms,
                       std::span<const std::string_view> argv) {
  server_.blocking().Block(client_, cmd_, argv, keys, type, deadline_ms);
}

void BlockingManager::Block(Client& c, const Command& cmd, std::span<const std::string_view> argv,
                            std::span<const std::string_view> keys, ObjType type,
                            int64_t deadline_ms) {
  if (reprocessing_ == &c) {
    still_blocked_ = true;
    return;
  }
  Wait& w = waits_[c.id()];
  w.cmd = &cmd;
  w.argv.assign(argv.begin(), argv.end());
  w.type = type;
  w.db = c.db();
  w.deadline_ms = deadline_ms;
  if (queues_.size() < static_cast<size_t>(server_.keyspace().size())) {
    queues_.resize(server_.keyspace().size());
  }
  for (std::string_view key : keys) {
    // A key named twice is waited on once, as Redis keeps the keys in a dict.
    if (std::find(w.keys.begin(), w.keys.end(), key) != w.keys.end()) continue;
    w.keys.emplace_back(key);
    queues_[w.db][std::string(key)].push_back(c.id());
  }
  if (deadline_ms != 0) timeouts_.emplace(deadline_ms, c.id());
  server_.keyspace().waiters[static_cast<int>(type)]++;
  c.Set(kClientBlocked);
}

bool BlockingManager::IsBlocked(const Client& c) const { return waits_.contains(c.id()); }

std::vector<uint64_t>* BlockingManager::Queue(int db, std::string_view key) {
  if (static_cast<size_t>(db) >= queues_.size()) return nullptr;
  auto& m = queues_[db];
  auto it = m.find(key);
  return it == m.end() ? nullptr : &it->second;
}

void BlockingManager::Finish(Client& c, Wait& w) {
  for (const std::string& key : w.keys) {
    auto& m = queues_[w.db];
    auto it = m.find(key);
    if (it == m.end()) continue;
    std::erase(it->second, c.id());
    if (it->second.empty()) m.erase(it);
  }
  if (w.deadline_ms != 0) timeouts_.erase({w.deadline_ms, c.id()});
  server_.keyspace().waiters[static_cast<int>(w.type)]--;
  c.Clear(kClientBlocked);
  waits_.erase(c.id());
}

void BlockingManager::Remove(Client& c) {
  auto it = waits_.find(c.id());
  if (it != waits_.end()) Finish(c, it->second);
}

bool BlockingManager::Unblock(Client& c, bool as_error) {
  auto it = waits_.find(c.id());
  if (it == waits_.end()) return false;
  if (as_error) {
    c.rb().SendError("-UNBLOCKED client unblocked via CLIENT UNBLOCK");
  } else {
    c.rb().SendNullArray();
  }
  Finish(c, it->second);
  if (server_.on_reply_ready) server_.on_reply_ready(&c);
  if (server_.on_resume_client) server_.on_resume_client(&c);
  return true;
}

void BlockingManager::SignalReady(Db& db, std::string_view key) {
  if (Queue(db.index(), key) == nullptr) return;
  // The list holds the keys filled by one command: short enough to search.
  for (const ReadyKey& rk : ready_) {
    if (rk.db == db.index() && rk.key == key) return;
  }
  ready_.push_back({db.index(), std::string(key)});
}

bool BlockingManager::HasStreamWaiter(const std::vector<uint64_t>& ids) const {
  for (uint64_t id : ids) {
    auto w = waits_.find(id);
    if (w != waits_.end() && w->second.type == ObjType::kStream) return true;
  }
  return false;
}

void BlockingManager::SignalSwappedDbs(int a, int b) {
  for (int index : {a, b}) {
    if (static_cast<size_t>(index) >= queues_.size()) continue;
    Db& db = server_.keyspace().db(index);
    std::vector<std::string> keys;
    for (const auto& [key, ids] : queues_[index]) {
      // A stream reader is told even when its key is gone (Redis 7.0 ends an XREADGROUP then).
      DbEntry* e = db.Find(key);
      if (HasStreamWaiter(ids) || (e != nullptr && (e->value.type() == ObjType::kList ||
                                                    e->value.type() == ObjType::kZset))) {
        keys.push_back(key);
      }
    }
    for (const std::string& key : keys) SignalReady(db, key);
  }
}

void BlockingManager::SignalFlushed(int db_index) {
  for (size_t index = 0; index < queues_.size(); ++index) {
    if (db_index >= 0 && static_cast<size_t>(db_index) != index) continue;
    Db& db = server_.keyspace().db(static_cast<int>(index));
    std::vector<std::string> keys;
    for (const auto& [key, ids] : queues_[index]) {
      if (HasStreamWaiter(ids)) keys.push_back(key);
    }
    for (const std::string& key : keys) SignalReady(db, key);
  }
}

bool BlockingManager::Reprocess(Client& c) {
  auto it = waits_.find(c.id());
  if (it == waits_.end()) return false;
  Wait& w = it->second;
  std::vector<std::string_view> argv(w.argv.begin(), w.argv.end());
  server_.keyspace().set_now_ms(server_.clock().NowMs());
  reprocessing_ = &c;
  still_blocked_ = false;
  CmdContext ctx(server_, c, *w.cmd, argv);
  propagation::RunHandler(server_, ctx);  // served later: propagates as its own unit
  c.FlushPendingPushes();
  reprocessing_ = nullptr;
  if (still_blocked_) return false;
  Finish(c, w);
  if (server_.on_reply_ready) server_.on_reply_ready(&c);
  if (server_.on_resume_client) server_.on_resume_client(&c);
  return true;
}

void BlockingManager::ServeReady() {
  while (!ready_.empty()) {
    std::vector<ReadyKey> batch;
    batch.swap(ready_);
    for (const ReadyKey& rk : batch) {
      std::vector<uint64_t>* q = Queue(rk.db, rk.key);
      if (q == nullptr) continue;
      // The clients waiting now, in arrival order; Reprocess edits the queue as they leave.
      std::vector<uint64_t> ids = *q;
      Db& db = server_.keyspace().db(rk.db);
      for (uint64_t id : ids) {
        auto w = waits_.find(id);
        if (w == waits_.end()) continue;
        // A pop needs its type of value; a stream reader decides for itself, since a deleted
        // or replaced stream, or a destroyed group, ends an XREADGROUP with an error.
        if (w->second.type != ObjType::kStream) {
          DbEntry* e = db.Find(rk.key);
          if (e == nullptr || w->second.type != e->value.type()) continue;
        }
        Client* c = server_.FindClient(id);
        if (c == nullptr) continue;
        serving_key_ = &rk.key;
        Reprocess(*c);
        serving_key_ = nullptr;
      }
    }
  }
}

void BlockingManager::ExpireTimeouts(int64_t now_ms) {
  while (!timeouts_.empty() && timeouts_.begin()->first <= now_ms) {
    uint64_t id = timeouts_.begin()->second;
    Client* c = server_.FindClient(id);
    if (c == nullptr) {
      timeouts_.erase(timeouts_.begin());
      continue;
    }
    Unblock(*c, /*as_error=*/false);
  }
}

}  // namespace baozi
