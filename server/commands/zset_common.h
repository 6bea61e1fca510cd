// Helpers shared by the sorted-set command files (zset_commands.cc, zset_range_commands.cc and
// the set-operation commands).
#pragma once

#include <string_view>

#include "server/cmd_context.h"
#include "storage/db.h"
#include "storage/keyspace_events.h"
#include "storage/zset.h"

namespace baozi {

// The key's entry when it holds a sorted set, nullptr when missing, kWrongType otherwise.
inline Result<DbEntry*> FindZset(Db& db, std::string_view key, bool for_read) {
  DbEntry* e = for_read ? db.FindRead(key) : db.FindWrite(key);
  if (e != nullptr && e->value.type() != ObjType::kZset) return Fail(Errc::kWrongType);
  return e;
}

// After elements left a sorted set: an empty set's key goes away (as Redis deletes it),
// otherwise the change is recorded. True when the key was deleted (the caller publishes "del"
// after its own event, as t_zset.c does).
inline bool AfterZsetRemoval(Db& db, DbEntry& e, std::string_view key) {
  if (e.value.zset().empty()) {
    db.Delete(key);
    return true;
  }
  db.MarkModified(e);
  return false;
}

// Publishes the result of a *STORE (ZRANGESTORE, ZUNIONSTORE...) as t_zset.c does: a stored
// result signals the key and raises `event`; an empty one, which deleted the destination, raises
// "del" and signals only when there was something to delete.
inline void NotifyZsetStore(CmdContext& ctx, std::string_view key, std::string_view event,
                            bool stored, bool deleted) {
  if (stored) {
    ctx.SignalModifiedKey(key);
    ctx.Notify(notify::kZset, event, key);
  } else if (deleted) {
    ctx.SignalModifiedKey(key);
    ctx.Notify(notify::kGeneric, "del", key);
  }
}

// Stores a result set under `key` as Redis's setKey does: overwrites any value and its TTL;
// a key that did not exist is added, which also wakes clients blocked on it.
inline void StoreZset(Db& db, std::string_view key, ZsetObject* z) {
  if (db.Find(key) != nullptr) {
    db.Set(key, Value::Wrap(z));
  } else {
    db.Add(key, Value::Wrap(z));
  }
}

// Registration of the range family (zset_range_commands.cc).
void RegisterZsetRangeCommands(CommandRegistry& r);

}  // namespace baozi
