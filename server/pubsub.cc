#include "server/pubsub.h"

#include <algorithm>
#include <memory>

#include "server/server.h"
#include "storage/glob.h"

namespace baozi {
namespace {

StringSet& NamesOf(ClientPubSub& ps, PubSub::Kind kind) {
  switch (kind) {
    case PubSub::kChannel:
      return ps.channels;
    case PubSub::kPattern:
      return ps.patterns;
    case PubSub::kShard:
      break;
  }
  return ps.shard_channels;
}

void UpdatePubSubFlag(Client& c) {
  if (c.SubscriptionCount() + c.ShardSubscriptionCount() > 0) {
    c.Set(kClientPubSub);
  } else {
    c.Clear(kClientPubSub);
  }
}

void AppendBulk(std::string& out, std::string_view s) {
  out += '$';
  out += std::to_string(s.size());
  out += "\r\n";
  out.append(s);
  out += "\r\n";
}

constexpr std::string_view kSubscribeNames[3] = {"subscribe", "psubscribe", "ssubscribe"};
constexpr std::string_view kUnsubscribeNames[3] = {"unsubscribe", "punsubscribe", "sunsubscribe"};

size_t CountFor(const Client& c, PubSub::Kind kind) {
  return kind == PubSub::kShard ? c.ShardSubscriptionCount() : c.SubscriptionCount();
}

}  // namespace

bool PubSub::Subscribe(Client& c, Kind kind, std::string_view name) {
  if (!c.pubsub) c.pubsub = std::make_unique<ClientPubSub>();
  auto [it, inserted] = NamesOf(*c.pubsub, kind).emplace(name);
  if (!inserted) return false;
  maps_[kind][*it].push_back(&c);
  UpdatePubSubFlag(c);
  return true;
}

bool PubSub::Unsubscribe(Client& c, Kind kind, std::string_view name) {
  if (!c.pubsub) return false;
  auto& mine = NamesOf(*c.pubsub, kind);
  auto it = mine.find(name);
  if (it == mine.end()) return false;
  auto m = maps_[kind].find(*it);
  if (m != maps_[kind].end()) {
    auto& subs = m->second;
    subs.erase(std::find(subs.begin(), subs.end(), &c));
    if (subs.empty()) maps_[kind].erase(m);
  }
  mine.erase(it);
  UpdatePubSubFlag(c);
  return true;
}

std::vector<std::string> PubSub::Subscriptions(const Client& c, Kind kind) const {
  if (!c.pubsub) return {};
  auto& mine = NamesOf(*c.pubsub, kind);
  return {mine.begin(), mine.end()};
}

void PubSub::RemoveClient(Client& c) {
  if (!c.pubsub) return;
  for (Kind kind : {kChannel, kPattern, kShard}) {
    for (const std::string& name : Subscriptions(c, kind)) Unsubscribe(c, kind, name);
  }
  c.pubsub.reset();
}

int64_t PubSub::Deliver(const std::vector<Client*>& clients, const std::string& frame) {
  std::shared_ptr<const std::string> shared[2];  // RESP2, RESP3; made on first use
  for (Client* c : clients) {
    const bool resp3 = c->resp() == 3;
    std::string& out = c->PushTarget();
    if (frame.size() >= kShareFrameBytes && &out == &c->out()) {
      if (!shared[resp3]) {
        auto bytes = std::make_shared<std::string>(frame);
        (*bytes)[0] = resp3 ? '>' : '*';
        shared[resp3] = std::move(bytes);
      }
      c->AppendShared(shared[resp3]);
    } else {
      size_t at = out.size();
      out += frame;
      out[at] = resp3 ? '>' : '*';
    }
    // The hook queues the write and checks the output-buffer limit; a client over it is
    // closed later (never from inside the hook), so `clients` stays valid during the loop.
    if (server_.on_reply_ready) server_.on_reply_ready(c);
  }
  return static_cast<int64_t>(clients.size());
}

int64_t PubSub::Publish(std::string_view channel, std::string_view message) {
  int64_t receivers = 0;
  if (auto it = maps_[kChannel].find(channel); it != maps_[kChannel].end()) {
    frame_ = "*3\r\n$7\r\nmessage\r\n";
    AppendBulk(frame_, channel);
    AppendBulk(frame_, message);
    receivers += Deliver(it->second, frame_);
  }
  for (auto& [pattern, clients] : maps_[kPattern]) {
    if (!GlobMatch(pattern, channel)) continue;
    frame_ = "*4\r\n$8\r\npmessage\r\n";
    AppendBulk(frame_, pattern);
    AppendBulk(frame_, channel);
    AppendBulk(frame_, message);
    receivers += Deliver(clients, frame_);
  }
  return receivers;
}

int64_t PubSub::PublishShard(std::string_view channel, std::string_view message) {
  auto it = maps_[kShard].find(channel);
  if (it == maps_[kShard].end()) return 0;
  frame_ = "*3\r\n$8\r\nsmessage\r\n";
  AppendBulk(frame_, channel);
  AppendBulk(frame_, message);
  return Deliver(it->second, frame_);
}

std::vector<std::string_view> PubSub::Names(Kind kind, std::string_view pattern) const {
  std::vector<std::string_view> out;
  for (auto& [name, clients] : maps_[kind]) {
    if (pattern.empty() || GlobMatch(pattern, name)) out.push_back(name);
  }
  return out;
}

size_t PubSub::Subscribers(Kind kind, std::string_view name) const {
  auto it = maps_[kind].find(name);
  return it == maps_[kind].end() ? 0 : it->second.size();
}

void PubSub::ReplySubscribed(Client& c, Kind kind, std::string_view name) {
  protocol::ReplyBuilder rb(&c.OwnPushTarget());
  rb.set_resp3(c.resp() == 3);
  rb.StartPush(3);
  rb.SendBulk(kSubscribeNames[kind]);
  rb.SendBulk(name);
  rb.SendLong(static_cast<int64_t>(CountFor(c, kind)));
}

void PubSub::ReplyUnsubscribed(Client& c, Kind kind, const std::string* name) {
  protocol::ReplyBuilder rb(&c.OwnPushTarget());
  rb.set_resp3(c.resp() == 3);
  rb.StartPush(3);
  rb.SendBulk(kUnsubscribeNames[kind]);
  if (name != nullptr) {
    rb.SendBulk(*name);
  } else {
    rb.SendNull();
  }
  rb.SendLong(static_cast<int64_t>(CountFor(c, kind)));
}

}  // namespace baozi
