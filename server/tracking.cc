// CLIENT TRACKING bookkeeping and delivery; the design is described in tracking.h.
#include "server/tracking.h"

#include <algorithm>

#include "server/command.h"
#include "server/commands/common.h"
#include "server/server.h"

namespace baozi {
namespace {

void AppendBulk(std::string& out, std::string_view s) {
  out += '$';
  out += std::to_string(s.size());
  out += "\r\n";
  out.append(s);
  out += "\r\n";
}

// Redis stringCheckPrefix: one is a prefix of the other.
bool Overlap(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  return a.substr(0, n) == b.substr(0, n);
}

}  // namespace

void Tracking::Enable(Client& c, uint64_t redirect, uint32_t options,
                      std::span<const std::string_view> prefixes) {
  if (!c.Has(kClientTracking)) ++clients_;
  c.Set(kClientTracking);
  for (uint32_t f : {kClientTrackingBrokenRedir, kClientTrackingBcast, kClientTrackingOptin,
                     kClientTrackingOptout, kClientTrackingNoloop}) {
    c.Clear(static_cast<ClientFlag>(f));
  }
  c.tracking_redirect = redirect;
  if (options & kClientTrackingBcast) {
    c.Set(kClientTrackingBcast);
    auto add = [&](std::string_view p) {
      if (!c.tracking_prefixes.emplace(p).second) return;
      auto it = prefixes_.find(p);
      if (it == prefixes_.end()) it = prefixes_.emplace(std::string(p), BcastState{}).first;
      it->second.clients.push_back(c.id());
    };
    if (prefixes.empty()) add("");
    for (std::string_view p : prefixes) add(p);
  }
  for (uint32_t f : {kClientTrackingOptin, kClientTrackingOptout, kClientTrackingNoloop}) {
    if (options & f) c.Set(static_cast<ClientFlag>(f));
  }
}

void Tracking::Disable(Client& c) {
  if (c.Has(kClientTrackingBcast)) {
    for (const std::string& p : c.tracking_prefixes) {
      auto it = prefixes_.find(p);
      if (it == prefixes_.end()) continue;
      auto& ids = it->second.clients;
      ids.erase(std::remove(ids.begin(), ids.end(), c.id()), ids.end());
      if (ids.empty()) prefixes_.erase(it);
    }
    c.tracking_prefixes.clear();
  }
  if (c.Has(kClientTracking)) {
    --clients_;
    for (uint32_t f :
         {kClientTracking, kClientTrackingBrokenRedir, kClientTrackingBcast, kClientTrackingOptin,
          kClientTrackingOptout, kClientTrackingCaching, kClientTrackingNoloop}) {
      c.Clear(static_cast<ClientFlag>(f));
    }
  }
}

std::string Tracking::PrefixCollision(const Client& c,
                                      std::span<const std::string_view> prefixes) const {
  for (size_t i = 0; i < prefixes.size(); ++i) {
    for (const std::string& mine : c.tracking_prefixes) {
      if (Overlap(mine, prefixes[i])) {
        return "Prefix '" + std::string(prefixes[i]) + "' overlaps with an existing prefix '" +
               mine + "'. Prefixes for a single client must not overlap.";
      }
    }
    for (size_t j = i + 1; j < prefixes.size(); ++j) {
      if (Overlap(prefixes[i], prefixes[j])) {
        return "Prefix '" + std::string(prefixes[i]) + "' overlaps with another provided prefix '" +
               std::string(prefixes[j]) + "'. Prefixes for a single client must not overlap.";
      }
    }
  }
  return {};
}

void Tracking::RememberKeys(Client& c, const Command& cmd, std::span<const std::string_view> argv) {
  const bool optin = c.Has(kClientTrackingOptin), optout = c.Has(kClientTrackingOptout);
  const bool caching = c.Has(kClientTrackingCaching);
  if ((optin && !caching) || (optout && caching)) return;
  // Shard channels are keys to COMMAND, not data a client caches.
  if (cmd.Has(kPubSub)) return;
  for (size_t pos : CommandKeyPositions(cmd, argv)) {
    auto it = table_.find(argv[pos]);
    if (it == table_.end())
      it = table_.emplace(std::string(argv[pos]), std::vector<uint64_t>{}).first;
    auto& ids = it->second;
    if (std::find(ids.begin(), ids.end(), c.id()) == ids.end()) {
      ids.push_back(c.id());
      ++total_items_;
    }
  }
}

void Tracking::Notify(Client& c) const {
  if (server_.on_reply_ready) server_.on_reply_ready(&c);
}

void Tracking::Send(Client& c, std::string_view data, bool proto) {
  Client* to = &c;
  bool redirected = false;
  if (c.tracking_redirect != 0) {
    to = server_.FindClient(c.tracking_redirect);
    if (to == nullptr) {
      c.Set(kClientTrackingBrokenRedir);
      if (c.resp() > 2) {
        std::string& out = c.PushTarget();
        out += ">2\r\n";
        AppendBulk(out, "tracking-redir-broken");
        out += ':';
        out += std::to_string(c.tracking_redirect);
        out += "\r\n";
        Notify(c);
      }
      return;
    }
    redirected = true;
  }
  std::string& out = to->PushTarget();
  if (to->resp() > 2) {
    out += ">2\r\n";
    AppendBulk(out, "invalidate");
  } else if (redirected && to->Has(kClientPubSub)) {
    out += "*3\r\n";
    AppendBulk(out, "message");
    AppendBulk(out, "__redis__:invalidate");
  } else {
    // RESP2 has no pushes on a connection that also carries replies.
    return;
  }
  if (proto) {
    out.append(data);
  } else {
    out += "*1\r\n";
    AppendBulk(out, data);
  }
  Notify(*to);
}

void Tracking::InvalidateKey(std::string_view key, bool bcast) {
  if (bcast && !prefixes_.empty()) {
    const uint64_t modifier = current_ != nullptr ? current_->id() : 0;
    for (auto& [prefix, bs] : prefixes_) {
      if (key.starts_with(prefix)) bs.keys.insert_or_assign(std::string(key), modifier);
    }
  }
  auto it = table_.find(key);
  if (it == table_.end()) return;
  // Taken out first: a message may not reach back into the table, but keep it simple.
  std::vector<uint64_t> ids = std::move(it->second);
  std::string name = it->first;
  table_.erase(it);
  total_items_ -= ids.size();
  for (uint64_t id : ids) {
    Client* target = server_.FindClient(id);
    if (target == nullptr || !target->Has(kClientTracking) || target->Has(kClientTrackingBcast)) {
      continue;
    }
    if (target->Has(kClientTrackingNoloop) && target == current_) continue;
    if (target == current_ && executing_) {
      pending_.emplace_back(name);
    } else {
      Send(*target, name, false);
    }
  }
}

void Tracking::InvalidateOnFlush() {
  if (clients_ > 0) {
    for (auto& [id, c] : server_.clients()) {
      if (!c->Has(kClientTracking)) continue;
      if (c == current_) {
        pending_.emplace_back(std::nullopt);
      } else {
        Send(*c, c->resp() > 2 ? "_\r\n" : "$-1\r\n", true);
      }
    }
  }
  table_.clear();
  total_items_ = 0;
}

void Tracking::HandlePending() {
  if (pending_.empty()) return;
  std::vector<std::optional<std::string>> keys;
  keys.swap(pending_);
  if (current_ == nullptr) return;
  for (const auto& k : keys) {
    if (k) {
      Send(*current_, *k, false);
    } else {
      Send(*current_, current_->resp() > 2 ? "_\r\n" : "$-1\r\n", true);
    }
  }
}

std::string Tracking::BroadcastReply(const BcastState& bs, uint64_t exclude) {
  size_t n = 0;
  for (const auto& [key, who] : bs.keys) {
    if (exclude == 0 || who != exclude) ++n;
  }
  if (n == 0) return {};
  std::string out = "*" + std::to_string(n) + "\r\n";
  for (const auto& [key, who] : bs.keys) {
    if (exclude == 0 || who != exclude) AppendBulk(out, key);
  }
  return out;
}

void Tracking::BroadcastPending() {
  if (clients_ == 0) return;
  for (auto& [prefix, bs] : prefixes_) {
    if (bs.keys.empty()) continue;
    const std::string common = BroadcastReply(bs, 0);
    // Copied: a redirect-broken message cannot change the list, but Send must not see it move.
    const std::vector<uint64_t> ids = bs.clients;
    for (uint64_t id : ids) {
      Client* c = server_.FindClient(id);
      if (c == nullptr) continue;
      if (c->Has(kClientTrackingNoloop)) {
        std::string own = BroadcastReply(bs, id);
        if (!own.empty()) Send(*c, own, true);
      } else {
        Send(*c, common, true);
      }
    }
    bs.keys.clear();
  }
}

void Tracking::LimitUsedSlots() {
  const uint64_t max_keys = server_.config().tracking_table_max_keys;
  if (max_keys == 0) return;
  if (table_.size() <= max_keys) {
    limit_effort_rounds_ = 0;
    return;
  }
  // The effort grows each time a run ends still over the limit (Redis's timeout_counter).
  unsigned effort = 100 * (limit_effort_rounds_ + 1);
  while (effort-- > 0 && !table_.empty()) {
    // Hash order stands in for Redis's random walk: any key will do.
    std::string key = table_.begin()->first;
    InvalidateKey(key, /*bcast=*/false);
    if (table_.size() <= max_keys) {
      limit_effort_rounds_ = 0;
      return;
    }
  }
  ++limit_effort_rounds_;
}

}  // namespace baozi
