// Server-assisted client-side caching (Redis 7.0 tracking.c): CLIENT TRACKING.
//
// Default mode: after a read-only command runs, the keys it named are remembered in one table,
// key name -> ids of the clients that may have cached it. Databases are not told apart, as in
// Redis. When a key is modified (Server::SignalModifiedKey: commands, expiry, eviction) every
// remembered client is sent one invalidation and the key leaves the table, so a client is told
// once per read, not once per write. The table is bounded by tracking-table-max-keys: before
// each command, keys over the limit are invalidated early (Redis trackingLimitUsedSlots).
//
// BCAST mode: nothing is remembered per read. A client subscribes to key prefixes ("" = all
// keys); a modified key is collected under every prefix it starts with, together with the
// client that modified it (for NOLOOP), and once per event-loop turn (BeforeSleep) each prefix
// sends its collected keys, sorted and deduplicated, as one invalidation to its clients.
//
// Delivery (Redis sendTrackingMessage): a RESP3 client gets `>2 invalidate [keys]`; with
// REDIRECT the message goes to the other client instead — as a push if it speaks RESP3, or as a
// `__redis__:invalidate` pub/sub message if it is a subscribed RESP2 client. A redirect target
// that has gone marks the client broken_redirect and (RESP3) sends it `tracking-redir-broken`.
// An invalidation for the client whose own command caused it waits until that command's reply
// is written (Redis tracking_pending_keys), so it never splits a reply. FLUSHALL/FLUSHDB send
// every tracking client a null instead of a key list and forget the whole table.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/client.h"
#include "server/string_map.h"

namespace baozi {

class Server;
class Command;

class Tracking {
 public:
  explicit Tracking(Server& server) : server_(server) {}

  // CLIENT TRACKING ON/OFF (Redis enableTracking/disableTracking). `options` holds the
  // kClientTrackingBcast/Optin/Optout/Noloop bits. Callers validate first.
  void Enable(Client& c, uint64_t redirect, uint32_t options,
              std::span<const std::string_view> prefixes);
  void Disable(Client& c);
  // The error text for BCAST prefixes that overlap each other or the client's own, "" if none.
  std::string PrefixCollision(const Client& c, std::span<const std::string_view> prefixes) const;

  // After a read-only command of `c` (or of a script `c` runs): remember the keys in `argv`.
  void RememberKeys(Client& c, const Command& cmd, std::span<const std::string_view> argv);
  // A key changed: invalidate it for the clients that read it and collect it for BCAST prefixes.
  void InvalidateKey(std::string_view key, bool bcast = true);
  // FLUSHALL / FLUSHDB.
  void InvalidateOnFlush();

  // The client whose command is running: its own invalidations wait for HandlePending().
  // Set by the dispatcher around each top-level command; nullptr between commands.
  // (`executing` once its handler runs; before that, LimitUsedSlots' invalidations go out
  // at once, as Redis sends them from processCommand).
  Client* current() const { return current_; }
  bool executing() const { return executing_; }
  void set_current(Client* c, bool executing) {
    current_ = c;
    executing_ = executing;
  }
  void HandlePending();
  // Once per loop turn: the keys collected for BCAST prefixes.
  void BroadcastPending();
  // Before each command: invalidate keys until the table is within tracking-table-max-keys.
  void LimitUsedSlots();

  // INFO.
  size_t clients() const { return clients_; }
  size_t total_keys() const { return table_.size(); }
  size_t total_items() const { return total_items_; }
  size_t total_prefixes() const { return prefixes_.size(); }

 private:
  struct BcastState {
    std::vector<uint64_t> clients;         // ids, in subscription order
    std::map<std::string, uint64_t> keys;  // collected since the last broadcast -> modifier id
  };
  // Redis sendTrackingMessage: `data` is a key name, or (proto) an encoded RESP value.
  void Send(Client& c, std::string_view data, bool proto);
  void Notify(Client& c) const;
  static std::string BroadcastReply(const BcastState& bs, uint64_t exclude);

  Server& server_;
  size_t clients_ = 0;
  size_t total_items_ = 0;
  StringMap<std::vector<uint64_t>> table_;
  std::map<std::string, BcastState, std::less<>> prefixes_;
  Client* current_ = nullptr;
  bool executing_ = false;
  // Invalidations for current_ raised by its own command; nullopt = FLUSH's null.
  std::vector<std::optional<std::string>> pending_;
  unsigned limit_effort_rounds_ = 0;
};

}  // namespace baozi
