// Per-client state that does not depend on a socket: the in-process test harness creates
// Clients directly, the network layer wraps one in each Connection.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "protocol/reply_builder.h"
#include "server/string_map.h"

namespace baozi {

class Command;

enum ClientFlag : uint32_t {
  kClientCloseAfterReply = 1 << 0,  // QUIT, protocol errors: flush the reply, then close
  kClientCloseAsap = 1 << 1,        // CLIENT KILL, timeout: close without flushing
  kClientMonitor = 1 << 2,
  kClientUnixSocket = 1 << 3,
  kClientNoEvict = 1 << 4,
  kClientNoTouch = 1 << 5,
  kClientReplyOff = 1 << 6,
  kClientReplySkipNext = 1 << 7,  // set by CLIENT REPLY SKIP, becomes ReplySkip for one command
  kClientReplySkip = 1 << 8,
  kClientPaused = 1 << 9,  // waiting for CLIENT UNPAUSE before its next command
  kClientLocal = 1 << 10,  // loopback or unix socket peer (enable-debug-command local)
  kClientPendingWrite = 1 << 11,
  kClientBlocked = 1 << 12,       // waiting in a blocking command (server/blocking.h)
  kClientDenyBlocking = 1 << 13,  // EXEC, scripts: blocking commands answer at once
  kClientMulti = 1 << 14,         // between MULTI and EXEC/DISCARD: commands are queued
  kClientDirtyCas = 1 << 15,      // a WATCHed key changed: EXEC answers a null array
  kClientDirtyExec = 1 << 16,     // a command was rejected while queuing: EXEC answers EXECABORT
  kClientPubSub = 1 << 17,        // subscribed to at least one channel, pattern or shard channel
  // CLIENT TRACKING (server/tracking.h).
  kClientTracking = 1 << 18,
  kClientTrackingBrokenRedir = 1 << 19,  // the redirect target is gone
  kClientTrackingBcast = 1 << 20,
  kClientTrackingOptin = 1 << 21,
  kClientTrackingOptout = 1 << 22,
  kClientTrackingCaching = 1 << 23,  // CLIENT CACHING yes|no, for the next command only
  kClientTrackingNoloop = 1 << 24,
  // The AOF loader (Redis mustObeyClient): commands it replays were already trimmed as
  // recorded, so XADD/XTRIM ignore the default LIMIT of '~'.
  kClientMustObey = 1 << 25,
};

// MULTI's queue (server/multi.h). Arguments are owned: the input buffer they came from is
// reused long before EXEC.
struct QueuedCommand {
  const Command* cmd;
  std::vector<std::string> argv;
};
struct MultiState {
  std::vector<QueuedCommand> commands;
  uint32_t cmd_flags = 0;  // union of the queued commands' flags (EXEC's OOM and pause checks)
};
// One WATCHed key. `expired` remembers that the key had already expired (but was not yet
// deleted) when WATCH ran, so its deletion later is not a change (Redis 7.0's watchedKey).
struct WatchedKey {
  int db;
  std::string key;
  bool expired;
};
// Subscriptions (server/pubsub.h), allocated on the first SUBSCRIBE.
struct ClientPubSub {
  StringSet channels, patterns, shard_channels;
};

class Client {
 public:
  Client(uint64_t id, int64_t now_ms) : id_(id), ctime_ms_(now_ms), last_interaction_ms_(now_ms) {
    rb_.set_resp3(false);
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  uint64_t id() const { return id_; }
  protocol::ReplyBuilder& rb() { return rb_; }
  std::string& out() { return out_; }
  const std::string& out() const { return out_; }

  int db() const { return db_; }
  void set_db(int db) { db_ = db; }
  int resp() const { return rb_.resp3() ? 3 : 2; }
  void set_resp(int v) { rb_.set_resp3(v == 3); }

  bool authenticated() const { return authenticated_; }
  void set_authenticated(bool a) { authenticated_ = a; }

  uint32_t flags() const { return flags_; }
  bool Has(ClientFlag f) const { return (flags_ & f) != 0; }
  void Set(ClientFlag f) { flags_ |= f; }
  void Clear(ClientFlag f) { flags_ &= ~static_cast<uint32_t>(f); }

  const std::string& name() const { return name_; }
  void set_name(std::string_view n) { name_ = n; }
  std::string lib_name, lib_ver;

  int64_t ctime_ms() const { return ctime_ms_; }
  int64_t last_interaction_ms() const { return last_interaction_ms_; }
  void set_last_interaction_ms(int64_t ms) { last_interaction_ms_ = ms; }

  // Peer and local addresses as CLIENT LIST prints them ("127.0.0.1:5000", "/tmp/x.sock:0").
  std::string addr = "?:0";
  std::string laddr = "?:0";
  int fd = -1;

  const Command* last_cmd = nullptr;
  // Sizes the network layer keeps current for CLIENT LIST / INFO.
  size_t qbuf = 0, qbuf_free = 0, argv_mem = 0;
  uint64_t net_input_bytes = 0, net_output_bytes = 0;
  uint64_t commands_processed = 0;
  uint64_t errors_accounted = 0;  // rb().error_count() already added to INFO errorstats

  // MULTI/EXEC and WATCH state; `multi` exists only between MULTI and EXEC/DISCARD.
  std::unique_ptr<MultiState> multi;
  std::vector<WatchedKey> watched;
  std::unique_ptr<ClientPubSub> pubsub;
  // CLIENT TRACKING: the client receiving this one's invalidations (0 = itself), and the BCAST
  // prefixes in byte order (as CLIENT TRACKINGINFO lists them).
  uint64_t tracking_redirect = 0;
  std::set<std::string, std::less<>> tracking_prefixes;
  // Pub/sub frames that arrived while this client's own reply was mid-aggregate
  // (ReplyBuilder::IsHolding); appended once its command has finished.
  std::string pending_push;
  bool executing = false;  // inside Dispatch: a reply being built may still be dropped
  // Where an out-of-band frame goes now: after the reply being built if it is mid-aggregate or
  // will be dropped (CLIENT REPLY OFF/SKIP), straight to the output otherwise.
  std::string& PushTarget() { return rb_.IsHolding() ? pending_push : OwnPushTarget(); }
  // Where a frame answering this client's own (un)subscribe goes: it is a push, so CLIENT
  // REPLY OFF/SKIP do not drop it, but it is still part of this command's reply.
  std::string& OwnPushTarget() {
    return executing && (Has(kClientReplyOff) || Has(kClientReplySkip)) ? pending_push : out_;
  }
  void FlushPendingPushes() {
    rb_.ClearHolds();
    if (pending_push.empty()) return;
    out_ += pending_push;
    pending_push.clear();
  }
  // Channels + patterns, as SUBSCRIBE/PSUBSCRIBE replies count them (shard channels apart).
  size_t SubscriptionCount() const {
    return pubsub ? pubsub->channels.size() + pubsub->patterns.size() : 0;
  }
  size_t ShardSubscriptionCount() const { return pubsub ? pubsub->shard_channels.size() : 0; }

  // Kept current by the network layer (output-buffer limits, CLIENT LIST omem/tot-mem): the
  // tail of a reply the socket did not take, held apart from out() until it is writable, and
  // that buffer's allocation.
  size_t pending_write_bytes = 0, pending_write_capacity = 0;
  // Large pub/sub frames are not copied per receiver: every subscriber queues the same
  // immutable bytes (PubSub::Deliver). They wait here, in order, ahead of out(), which holds
  // what was written after them; the network layer writes both with one gathered write.
  std::deque<std::shared_ptr<const std::string>> shared_out;
  size_t shared_off = 0;    // bytes of shared_out.front() already sent
  size_t shared_bytes = 0;  // unsent bytes in shared_out
  void AppendShared(std::shared_ptr<const std::string> frame) {
    if (!out_.empty()) {
      // What came before the frame must go before it: it becomes a chunk of its own.
      shared_bytes += out_.size();
      shared_out.push_back(std::make_shared<const std::string>(std::move(out_)));
      out_.clear();
    }
    shared_bytes += frame->size();
    shared_out.push_back(std::move(frame));
  }
  void DropShared() {
    shared_out.clear();
    shared_off = shared_bytes = 0;
  }
  // Everything unsent that the client layer holds, in order (the in-process harness).
  std::string TakeOutput() {
    std::string all;
    for (size_t i = 0; i < shared_out.size(); ++i) {
      all.append(*shared_out[i], i == 0 ? shared_off : 0);
    }
    DropShared();
    all += out_;
    out_.clear();
    return all;
  }
  // Unsent reply bytes, what the output-buffer limits compare (Redis's omem).
  size_t UnsentOutputBytes() const {
    return shared_bytes + out_.size() + pending_push.size() + pending_write_bytes;
  }
  // When the unsent output was first seen at or over the soft limit (unix seconds; 0 = not).
  int64_t obuf_soft_limit_reached_s = 0;
  // CLIENT LIST events=: the connection always waits for readability, and for writability too
  // while part of a reply waits for the socket.
  bool events_write = false;

 private:
  uint64_t id_;
  std::string out_;
  protocol::ReplyBuilder rb_{&out_};
  int db_ = 0;
  bool authenticated_ = false;
  uint32_t flags_ = 0;
  std::string name_;
  int64_t ctime_ms_;
  int64_t last_interaction_ms_;
};

}  // namespace baozi
