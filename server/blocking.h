// Blocking commands: BLPOP, BRPOP, BRPOPLPUSH, BLMOVE, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP, and
// XREAD/XREADGROUP with BLOCK.
//
// A blocking command first runs like its non-blocking form. When every key it names is empty
// it calls CmdContext::Block(), which lands here: the client stops processing input (its
// connection keeps reading, so a disconnect is still seen), the command's arguments are copied
// (they pointed into the input buffer), and the client joins the FIFO queue of each key. Nothing
// else changes on the hot path: clients that never block pay for one flag test per command.
//
// Waking is Redis's "ready keys" scheme. Storage reports every key added with a list or a
// sorted set while a client of that type waits (Keyspace::SignalIfWaited, from Db::Add), which
// covers pushes to a fresh key, RENAME, MOVE, COPY, SORT ... STORE and a BLMOVE's target. The
// key goes on a ready list, deduplicated. After the command that produced it has finished — so
// a multi-key push, and later an EXEC, is seen whole — ServeReady() walks the ready keys in the
// order they became ready and, for each, offers the key to its waiters first come first served:
// a waiter's command simply runs again from the start with its saved arguments (Redis 7.2's
// reprocessing model). If it finds data it replies and leaves every queue; if the element is
// already gone (an earlier waiter took it) it calls Block() again and keeps its place. Serving
// can make more keys ready (BLMOVE pushes), so the loop runs until the ready list is empty.
//
// Streams differ in three ways. XADD signals its key itself (a stream grows in place). A stream
// waiter needs new entries, not any value: XREAD saves the IDs that '$' stood for when it
// blocked, runs again, and is served only what came after them, and only from the key being
// served (serving_key()). And a stream key that is deleted or replaced, or whose group XGROUP
// DESTROY removes, is signalled too, because Redis 7.0 ends a waiting XREADGROUP with an error
// then; a plain XREAD keeps waiting.
//
// Timeouts sit in an ordered set of (deadline, client id); BeforeSleep answers the expired ones
// with a null array, and the network arms a timer for the earliest deadline so a 1 ms timeout
// is not held up until the next cron tick. CLIENT UNBLOCK ends a wait early (as a timeout, or
// with an -UNBLOCKED error), and a client that goes away is simply forgotten: no element was
// taken on its behalf, so nothing is lost.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "server/string_map.h"
#include "storage/value.h"

namespace baozi {

class CmdContext;
class Client;
class Command;
class Db;
class Server;

// Parses a blocking command's timeout (seconds as a double; 0 = forever) into an absolute
// deadline in unix ms, 0 meaning none. Replies Redis's error and returns nullopt when invalid.
std::optional<int64_t> ParseBlockTimeout(CmdContext& ctx, std::string_view arg);

class BlockingManager {
 public:
  explicit BlockingManager(Server& server) : server_(server) {}

  // Parks `c` (see the header comment). While the command runs again after a wake-up, a second
  // call only records that the client stays parked.
  void Block(Client& c, const Command& cmd, std::span<const std::string_view> argv,
             std::span<const std::string_view> keys, ObjType type, int64_t deadline_ms);
  bool IsBlocked(const Client& c) const;
  // True while `c`'s command is running again after a wake-up.
  bool IsReprocessing(const Client& c) const { return reprocessing_ == &c; }
  // The key whose arrival is being served while a command runs again (nullptr otherwise).
  const std::string* serving_key() const { return serving_key_; }

  // A client going away: forget it.
  void Remove(Client& c);
  // CLIENT UNBLOCK: ends the wait with a timeout reply or an -UNBLOCKED error. False when `c`
  // was not blocked.
  bool Unblock(Client& c, bool as_error);

  // From the keyspace: `key` in `db` now holds a value some waiter may want.
  void SignalReady(Db& db, std::string_view key);
  // After SWAPDB: keys waited on in either database may now hold data.
  void SignalSwappedDbs(int a, int b);
  // After FLUSHDB (that db) or FLUSHALL (-1): stream readers learn that their keys are gone.
  void SignalFlushed(int db_index);
  bool HasReady() const { return !ready_.empty(); }
  // Serves waiters of ready keys until none is left (see the header comment).
  void ServeReady();

  // Answers the clients whose deadline is at or before `now_ms`.
  void ExpireTimeouts(int64_t now_ms);
  // The earliest deadline, 0 when no blocked client has one.
  int64_t NextDeadline() const { return timeouts_.empty() ? 0 : timeouts_.begin()->first; }

  size_t blocked_clients() const { return waits_.size(); }
  size_t clients_with_timeout() const { return timeouts_.size(); }

 private:
  struct Wait {
    const Command* cmd = nullptr;
    std::vector<std::string> argv;
    std::vector<std::string> keys;
    ObjType type = ObjType::kList;
    int db = 0;
    int64_t deadline_ms = 0;
  };
  struct ReadyKey {
    int db;
    std::string key;
  };

  // Removes every trace of the wait; the client runs its pending input again.
  void Finish(Client& c, Wait& w);
  bool Reprocess(Client& c);
  std::vector<uint64_t>* Queue(int db, std::string_view key);
  bool HasStreamWaiter(const std::vector<uint64_t>& ids) const;

  Server& server_;
  std::unordered_map<uint64_t, Wait> waits_;  // by client id
  // Per database: key -> client ids in arrival order.
  std::vector<StringMap<std::vector<uint64_t>>> queues_;
  std::set<std::pair<int64_t, uint64_t>> timeouts_;
  std::vector<ReadyKey> ready_;
  const Client* reprocessing_ = nullptr;
  const std::string* serving_key_ = nullptr;
  bool still_blocked_ = false;
};

}  // namespace baozi
