// WATCH bookkeeping for MULTI/EXEC (Redis multi.c).
//
// A transaction is optimistic: WATCH names keys, and if any of them changes before EXEC the
// transaction does not run (EXEC answers a null array and redis-py raises WatchError). "Changes"
// means any command that modifies the key (each handler reports it through
// CmdContext::SignalModifiedKey, Redis's signalModifiedKey), expiry deleting it, FLUSHDB,
// FLUSHALL, SWAPDB and, once eviction exists, eviction.
//
// Each database maps a watched key to the clients watching it, and each client keeps the list of
// (db, key) it watches, so a modification costs one hash lookup — none at all while nothing is
// watched — and UNWATCH, EXEC or a disconnect undo a client's watches without a scan.
//
// Expiry needs care, as in Redis 7.0. A key that is logically expired but not yet deleted when
// WATCH runs is remembered as `expired`: its later deletion is no change. A key that was alive
// at WATCH and whose deadline passes before EXEC fails the transaction even if nobody deleted
// it yet (EXEC checks with AnyExpired). A flush only touches watchers of keys that existed.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/client.h"
#include "server/string_map.h"
#include "storage/db.h"

namespace baozi {

class WatchTable {
 public:
  void Watch(Client& c, Db& db, std::string_view key);
  void UnwatchAll(Client& c);
  // signalModifiedKey: every client watching `key` in `db` gets kClientDirtyCas.
  void Touch(Db& db, std::string_view key) {
    if (watched_ == 0) return;
    TouchSlow(db, key);
  }
  // FLUSHDB/FLUSHALL (replaced_with = nullptr) and SWAPDB (the db whose contents move in):
  // touches watchers of keys that existed in `emptied` or will exist after the swap.
  void TouchAllInDb(Db& emptied, Db* replaced_with);
  // EXEC: has a key that was alive at WATCH time expired since?
  bool AnyExpired(Client& c, Keyspace& ks) const;
  size_t watched_keys() const { return watched_; }

 private:
  void TouchSlow(Db& db, std::string_view key);
  void MarkDirty(Client& c);
  using KeyMap = StringMap<std::vector<Client*>>;
  KeyMap& ForDb(int db) {
    if (by_db_.size() <= static_cast<size_t>(db)) by_db_.resize(db + 1);
    return by_db_[db];
  }

  std::vector<KeyMap> by_db_;
  size_t watched_ = 0;  // (client, key) pairs
};

}  // namespace baozi
