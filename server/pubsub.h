// Publish/subscribe (Redis pubsub.c): channels, glob patterns and shard channels.
//
// The server keeps, for each channel, pattern and shard channel, the list of subscribed clients
// in subscription order; each client keeps the set of names it subscribed to
// (Client::pubsub), so SUBSCRIBE can ignore duplicates and a disconnect or RESET removes a
// client from exactly the lists it is on.
//
// PUBLISH is one pass over the channel's subscribers and one over the patterns. The message
// frame is encoded once per publish ([message, channel, payload]; once per matching pattern for
// [pmessage, pattern, channel, payload]) and the same bytes are appended to every receiver's
// output: RESP2 and RESP3 frames differ only in their first byte ('*' or the push type '>'),
// which is patched per client. 10,000 subscribers therefore cost 10,000 appends and no
// formatting. A large frame is not even copied: it is made immutable once per protocol and every
// receiver queues a reference to it (Client::shared_out), so a 1 MB message to 10,000
// subscribers holds 1 MB (2 if both protocols listen), not 10 GB, while they drain. Each receiver
// is then queued for writing and its output-buffer limit checked, so a subscriber that stops
// reading is closed instead of growing without bound.
//
// Keyspace notifications (notify-keyspace-events) are ordinary publishes on
// __keyspace@<db>__:<key> and __keyevent@<db>__:<event>.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/client.h"
#include "server/string_map.h"

namespace baozi {

class Server;

class PubSub {
 public:
  enum Kind { kChannel = 0, kPattern = 1, kShard = 2 };

  explicit PubSub(Server& server) : server_(server) {}

  // (P|S)SUBSCRIBE one name; the reply frame is written by the caller. True if it was new.
  bool Subscribe(Client& c, Kind kind, std::string_view name);
  bool Unsubscribe(Client& c, Kind kind, std::string_view name);
  // The names a client is subscribed to (for unsubscribe-all), in no particular order.
  std::vector<std::string> Subscriptions(const Client& c, Kind kind) const;
  // Drops every subscription without writing anything (disconnect, RESET).
  void RemoveClient(Client& c);

  // PUBLISH / SPUBLISH: returns the number of receivers (pattern matches count per pattern).
  int64_t Publish(std::string_view channel, std::string_view message);
  int64_t PublishShard(std::string_view channel, std::string_view message);

  // PUBSUB CHANNELS/SHARDCHANNELS/NUMSUB/SHARDNUMSUB/NUMPAT and INFO.
  std::vector<std::string_view> Names(Kind kind, std::string_view pattern) const;  // "" = all
  size_t Subscribers(Kind kind, std::string_view name) const;
  size_t Count(Kind kind) const { return maps_[kind].size(); }

  // Frames written to a client for its own (un)subscribe commands.
  static void ReplySubscribed(Client& c, Kind kind, std::string_view name);
  static void ReplyUnsubscribed(Client& c, Kind kind, const std::string* name);

 private:
  using Map = StringMap<std::vector<Client*>>;
  int64_t Deliver(const std::vector<Client*>& clients, const std::string& frame);
  // Frames at least this big are shared between receivers rather than copied into each
  // output buffer; below it a copy is cheaper than the reference count and the extra chunk.
  static constexpr size_t kShareFrameBytes = 16 * 1024;

  Server& server_;
  Map maps_[3];
  std::string frame_;  // reused encoding buffer
};

}  // namespace baozi
