#include "server/multi.h"

#include <algorithm>

namespace baozi {

void WatchTable::Watch(Client& c, Db& db, std::string_view key) {
  for (const WatchedKey& wk : c.watched) {
    if (wk.db == db.index() && wk.key == key) return;
  }
  DbEntry* e = db.Peek(key);
  c.watched.push_back({db.index(), std::string(key), e != nullptr && db.IsExpired(*e)});
  ForDb(db.index())[std::string(key)].push_back(&c);
  ++watched_;
}

void WatchTable::UnwatchAll(Client& c) {
  for (const WatchedKey& wk : c.watched) {
    KeyMap& m = ForDb(wk.db);
    auto it = m.find(wk.key);
    if (it == m.end()) continue;
    auto& clients = it->second;
    clients.erase(std::remove(clients.begin(), clients.end(), &c), clients.end());
    if (clients.empty()) m.erase(it);
    --watched_;
  }
  c.watched.clear();
}

void WatchTable::MarkDirty(Client& c) {
  c.Set(kClientDirtyCas);
  // The transaction is lost already; further changes need not find this client again.
  UnwatchAll(c);
}

namespace {
WatchedKey* FindWatched(Client& c, int db, std::string_view key) {
  for (WatchedKey& wk : c.watched) {
    if (wk.db == db && wk.key == key) return &wk;
  }
  return nullptr;
}
}  // namespace

void WatchTable::TouchSlow(Db& db, std::string_view key) {
  if (by_db_.size() <= static_cast<size_t>(db.index())) return;
  KeyMap& m = by_db_[db.index()];
  auto it = m.find(key);
  if (it == m.end()) return;
  std::vector<Client*> clients = it->second;  // MarkDirty edits the list
  bool exists = db.Peek(key) != nullptr;
  for (Client* c : clients) {
    WatchedKey* wk = FindWatched(*c, db.index(), key);
    if (wk != nullptr && wk->expired && !exists) {
      // Watched while already expired, and now deleted: logically no change.
      wk->expired = false;
      continue;
    }
    MarkDirty(*c);
  }
}

void WatchTable::TouchAllInDb(Db& emptied, Db* replaced_with) {
  if (watched_ == 0 || by_db_.size() <= static_cast<size_t>(emptied.index())) return;
  KeyMap& m = by_db_[emptied.index()];
  std::vector<std::pair<std::string, std::vector<Client*>>> affected;
  for (auto& [key, clients] : m) {
    bool in_emptied = emptied.Peek(key) != nullptr;
    bool in_replacement = replaced_with != nullptr && replaced_with->Peek(key) != nullptr;
    if (in_emptied || in_replacement) affected.emplace_back(key, clients);
  }
  for (auto& [key, clients] : affected) {
    bool in_emptied = emptied.Peek(key) != nullptr;
    DbEntry* repl = replaced_with != nullptr ? replaced_with->Peek(key) : nullptr;
    for (Client* c : clients) {
      WatchedKey* wk = FindWatched(*c, emptied.index(), key);
      if (wk == nullptr) continue;  // already dirty and unwatched
      if (wk->expired) {
        if (repl == nullptr) {
          wk->expired = false;  // the expired key is gone: no logical change
          continue;
        }
        if (replaced_with->IsExpired(*repl)) continue;  // expired before, expired after
      } else if (!in_emptied && repl != nullptr && replaced_with->IsExpired(*repl)) {
        wk->expired = true;  // nothing became an expired key: still nothing
        continue;
      }
      MarkDirty(*c);
    }
  }
}

bool WatchTable::AnyExpired(Client& c, Keyspace& ks) const {
  for (const WatchedKey& wk : c.watched) {
    if (wk.expired) continue;
    Db& db = ks.db(wk.db);
    DbEntry* e = db.Peek(wk.key);
    if (e != nullptr && db.IsExpired(*e)) return true;
  }
  return false;
}

}  // namespace baozi
