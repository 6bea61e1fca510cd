// Helpers shared by the sorted-set command files (zset_commands.cc, zset_range_commands.cc and
// the set-operation commands).
#pragma once

#include <string_view>

#include "server/cmd_context.h"
#include "storage/db.h"
#include "storage/zset.h"

namespace baozi {

// The key's entry when it holds a sorted set, nullptr when missing, kWrongType otherwise.
inline Result<DbEntry*> FindZset(Db& db, std::string_view key, bool for_read) {
  DbEntry* e = for_read ? db.FindRead(key) : db.FindWrite(key);
  if (e != nullptr && e->value.type() != ObjType::kZset) return Fail(Errc::kWrongType);
  return e;
}

// After elements left a sorted set: an empty set's key goes away (as Redis deletes it),
// otherwise the change is recorded.
inline void AfterZsetRemoval(Db& db, DbEntry& e, std::string_view key) {
  if (e.value.zset().empty()) {
    db.Delete(key);
  } else {
    db.MarkModified(e);
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
