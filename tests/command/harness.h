// In-process command harness: runs commands through the real dispatcher and reply builder with
// no sockets and an injected clock (Dragonfly's BaseFamilyTest idea). Replies come back as
// RespValue's compact DebugString form, so tests read like a redis-cli session:
//
//   CommandHarness h;
//   CHECK(h.Run({"SET", "k", "v", "PX", "100"}) == "OK");
//   h.AdvanceTime(std::chrono::milliseconds(100));
//   CHECK(h.Run({"GET", "k"}) == "nil");
//   CHECK(h.Run({"GET"}) == "(error) ERR wrong number of arguments for 'get' command");
//   h.Run({"CLIENT", "SETNAME", "a"}, "conn-a");   // a second client
#pragma once

#include <chrono>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/resp_value.h"
#include "server/client.h"
#include "server/dispatcher.h"
#include "server/server.h"
#include "storage/clock.h"

namespace baozi::testing {

class CommandHarness {
 public:
  // `config` is applied as redis.conf text before the server initialises, after `save ""`: a
  // test harness has no save points unless it asks for them, so nothing forks the test process
  // or writes dump.rdb behind a test's back (FLUSHALL saves when save points exist).
  explicit CommandHarness(std::string_view config = "") : server_(&clock_) {
    if (auto r = server_.config_table().LoadString("save \"\"", "test"); !r) {
      throw std::runtime_error(r.error());
    }
    if (!config.empty()) {
      auto r = server_.config_table().LoadString(config, "test");
      if (!r) throw std::runtime_error(r.error());
    }
    server_.Init();
  }
  ~CommandHarness() {
    for (auto& [name, c] : clients_) server_.RemoveClient(c.get());
  }

  Server& server() { return server_; }
  ManualClock& clock() { return clock_; }

  Client& client(std::string_view name = "default") {
    auto it = clients_.find(std::string(name));
    if (it != clients_.end()) return *it->second;
    auto c = std::make_unique<Client>(server_.NextClientId(), clock_.NowMs());
    c->addr = "127.0.0.1:" + std::to_string(40000 + clients_.size());
    c->laddr = "127.0.0.1:6379";
    c->Set(kClientLocal);
    server_.AddClient(c.get());
    Client& ref = *c;
    clients_.emplace(std::string(name), std::move(c));
    return ref;
  }

  // Runs one command and returns its reply (the first one, if it wrote several) in DebugString
  // form; "" if the command wrote nothing.
  std::string Run(std::initializer_list<std::string_view> argv, std::string_view conn = "default") {
    return Run(std::vector<std::string_view>(argv), conn);
  }
  std::string Run(const std::vector<std::string_view>& argv, std::string_view conn = "default") {
    auto v = RunValue(argv, conn);
    return raw_.empty() ? std::string() : v.DebugString();
  }
  protocol::RespValue RunValue(const std::vector<std::string_view>& argv,
                               std::string_view conn = "default") {
    Client& c = client(conn);
    Dispatch(server_, c, argv);
    raw_ = c.TakeOutput();
    protocol::RespValue v;
    if (!raw_.empty()) protocol::ParseReply(raw_, &v);
    return v;
  }
  // The exact bytes of the last reply.
  const std::string& raw() const { return raw_; }

  // What a client was sent outside its own commands (a blocked client served, timed out or
  // unblocked), in DebugString form; "" when nothing. Clears it.
  std::string TakeReply(std::string_view conn = "default") {
    Client& c = client(conn);
    raw_ = c.TakeOutput();
    if (raw_.empty()) return std::string();
    protocol::RespValue v;
    protocol::ParseReply(raw_, &v);
    return v.DebugString();
  }
  // Every frame waiting in a client's buffer (the frames of a SUBSCRIBE of several channels,
  // published messages, a MONITOR feed), oldest first, in DebugString form. Clears it.
  std::vector<std::string> TakeFrames(std::string_view conn = "default") {
    Client& c = client(conn);
    raw_ = c.TakeOutput();
    return Frames(raw_);
  }
  // Splits bytes holding several replies (e.g. raw() after a multi-frame command).
  static std::vector<std::string> Frames(std::string_view raw) {
    std::vector<std::string> frames;
    while (!raw.empty()) {
      protocol::RespValue v;
      long n = protocol::ParseReply(raw, &v);
      if (n <= 0) {
        frames.push_back("<unparsable: " + std::string(raw.substr(0, 40)) + ">");
        break;
      }
      frames.push_back(v.DebugString());
      raw.remove_prefix(static_cast<size_t>(n));
    }
    return frames;
  }
  bool IsBlocked(std::string_view conn) { return client(conn).Has(kClientBlocked); }

  // A client disconnecting, as the network layer would report it.
  void Disconnect(std::string_view conn) {
    auto it = clients_.find(conn);
    if (it == clients_.end()) return;
    server_.RemoveClient(it->second.get());
    clients_.erase(it);
  }

  // Moves the injected clock and runs the periodic and before-sleep work, as the reactor would.
  void AdvanceTime(std::chrono::milliseconds ms) {
    clock_.AdvanceUs(ms.count() * 1000);
    server_.Cron();
    server_.RunDueActiveExpiry();
    server_.BeforeSleep();
  }

 private:
  ManualClock clock_;
  Server server_;
  std::map<std::string, std::unique_ptr<Client>, std::less<>> clients_;
  std::string raw_;
};

}  // namespace baozi::testing
