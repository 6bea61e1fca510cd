// Fuzzes command dispatch: random argv, any command, through the real dispatcher and reply
// builder of an in-process Server (as tests/command/harness.h builds it), over a keyspace the
// input itself fills. Every input gets a fresh server, so a crash replays from its input alone.
//
// Input: text lines, each one command split as an inline request is (quotes, "\xHH"); a line
// "N:..." with N in 0..2 runs on client N (default 0). Every 8 commands the injected clock
// moves 50 ms and the periodic work runs (expiry, blocked-client timeouts).
//
// Checks, beyond "no crash, no sanitizer report":
//   - every reply any client receives is well-formed RESP (a wrong deferred length shows);
//   - a command answers with exactly one reply (push frames aside), unless it blocked its
//     client or is a (un)subscribe, or the client is in RESP2 pub/sub mode (messages and
//     replies are then the same shape).
// Commands that would wait on the wall clock, stop the process, fork, or touch files are not
// run: DEBUG, SHUTDOWN, SAVE/BGSAVE/BGREWRITEAOF, MONITOR, replication, scripts (a script may
// loop forever: its time limit runs on the real clock), CONFIG other than GET/RESETSTAT and a
// few harmless SETs, CLIENT KILL/PAUSE/REPLY. proto-max-bulk-len is 1mb so SETRANGE and friends
// cannot ask for half a gigabyte.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/resp_value.h"
#include "protocol/split_args.h"
#include "server/client.h"
#include "server/dispatcher.h"
#include "server/server.h"
#include "storage/clock.h"

namespace {

using namespace baozi;

[[noreturn]] void Fail(const char* what, const std::vector<std::string>& argv,
                       std::string_view raw) {
  std::string cmd;
  for (auto& a : argv) cmd += a + " ";
  __builtin_printf("dispatch_fuzz: %s\n  command: %s\n  output: %.*s\n", what, cmd.c_str(),
                   static_cast<int>(std::min<size_t>(raw.size(), 2000)), raw.data());
  std::abort();
}

bool Eq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
  }
  return true;
}

bool Allowed(const std::vector<std::string>& argv) {
  static constexpr std::string_view kDenied[] = {
      "debug",    "shutdown", "save",      "bgsave",    "bgrewriteaof", "monitor",
      "sync",     "psync",    "replicaof", "slaveof",   "migrate",      "failover",
      "wait",     "waitaof",  "eval",      "eval_ro",   "evalsha",      "evalsha_ro",
      "fcall",    "fcall_ro", "function",  "script",    "module",       "acl",
      "replconf", "cluster",  "readonly",  "readwrite", "lolwut"};
  std::string_view name = argv[0];
  for (std::string_view d : kDenied) {
    if (Eq(name, d)) return false;
  }
  if (Eq(name, "config")) {
    if (argv.size() < 2) return true;
    if (Eq(argv[1], "get") || Eq(argv[1], "resetstat") || Eq(argv[1], "help")) return true;
    if (!Eq(argv[1], "set")) return false;
    static constexpr std::string_view kSafe[] = {"hash-max-listpack-entries",
                                                 "hash-max-listpack-value",
                                                 "list-max-listpack-size",
                                                 "set-max-intset-entries",
                                                 "set-max-listpack-entries",
                                                 "zset-max-listpack-entries",
                                                 "zset-max-listpack-value",
                                                 "notify-keyspace-events",
                                                 "lazyfree-lazy-user-del",
                                                 "maxmemory-policy",
                                                 "stream-node-max-entries",
                                                 "list-compress-depth",
                                                 "lfu-log-factor",
                                                 "slowlog-log-slower-than"};
    for (size_t i = 2; i < argv.size(); i += 2) {
      bool ok = false;
      for (std::string_view s : kSafe) ok = ok || Eq(argv[i], s);
      if (!ok) return false;
    }
    return true;
  }
  if (Eq(name, "client") && argv.size() >= 2 &&
      (Eq(argv[1], "kill") || Eq(argv[1], "pause") || Eq(argv[1], "reply"))) {
    return false;
  }
  return true;
}

bool IsSubscribeFamily(std::string_view name) {
  static constexpr std::string_view kNames[] = {"subscribe",   "psubscribe",   "ssubscribe",
                                                "unsubscribe", "punsubscribe", "sunsubscribe"};
  for (std::string_view n : kNames) {
    if (Eq(name, n)) return true;
  }
  return false;
}

// Splits a client's output into frames; aborts on bytes that are not RESP. Returns the number
// of frames that are not pushes.
size_t CheckFrames(std::string_view raw, const std::vector<std::string>& argv) {
  size_t non_push = 0;
  std::string_view rest = raw;
  while (!rest.empty()) {
    protocol::RespValue v;
    long n = protocol::ParseReply(rest, &v);
    if (n <= 0) Fail("malformed reply", argv, raw);
    if (rest[0] != '>') ++non_push;
    rest.remove_prefix(static_cast<size_t>(n));
  }
  return non_push;
}

struct Harness {
  ManualClock clock;
  Server server{&clock};
  std::unique_ptr<Client> clients[3];

  Harness() {
    auto r = server.config_table().LoadString("save \"\"\nproto-max-bulk-len 1mb\n", "fuzz");
    if (!r) __builtin_trap();
    server.Init();
  }
  ~Harness() {
    for (auto& c : clients) {
      if (c) server.RemoveClient(c.get());
    }
  }
  Client& client(int i) {
    if (!clients[i]) {
      clients[i] = std::make_unique<Client>(server.NextClientId(), clock.NowMs());
      clients[i]->addr = "127.0.0.1:" + std::to_string(40000 + i);
      clients[i]->laddr = "127.0.0.1:6379";
      clients[i]->Set(kClientLocal);
      server.AddClient(clients[i].get());
    }
    return *clients[i];
  }
  void Drop(int i) {
    server.RemoveClient(clients[i].get());
    clients[i].reset();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;  // a few dozen commands is plenty; keeps runs fast
  Harness h;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  int count = 0;
  static const std::vector<std::string> kNone;
  while (!in.empty()) {
    size_t nl = in.find('\n');
    std::string_view line = in.substr(0, nl);
    in.remove_prefix(nl == std::string_view::npos ? in.size() : nl + 1);
    int who = 0;
    if (line.size() >= 2 && line[0] >= '0' && line[0] <= '2' && line[1] == ':') {
      who = line[0] - '0';
      line.remove_prefix(2);
    }
    auto split = protocol::SplitArgs(line);
    if (!split || split->empty()) continue;
    std::vector<std::string>& argv = *split;
    if (!Allowed(argv)) continue;

    Client& c = h.client(who);
    if (c.Has(kClientBlocked)) continue;  // a blocked client sends nothing the server reads
    bool was_pubsub = c.Has(kClientPubSub);
    std::vector<std::string_view> views(argv.begin(), argv.end());
    DispatchResult res = Dispatch(h.server, c, views);
    if (res != DispatchResult::kDone) __builtin_trap();  // CLIENT PAUSE is never run
    std::string raw = c.TakeOutput();
    size_t replies = CheckFrames(raw, argv);
    bool resp2_pubsub = c.resp() == 2 && (was_pubsub || c.Has(kClientPubSub));
    if (!c.Has(kClientBlocked) && !IsSubscribeFamily(argv[0]) && !resp2_pubsub && replies != 1) {
      Fail("command did not answer with exactly one reply", argv, raw);
    }
    if (c.Has(kClientBlocked) && replies != 0) Fail("blocked client got a reply", argv, raw);
    h.server.BeforeSleep();
    for (int i = 0; i < 3; ++i) {
      if (!h.clients[i]) continue;
      CheckFrames(h.clients[i]->TakeOutput(), kNone);
      if (h.clients[i]->Has(kClientCloseAfterReply) || h.clients[i]->Has(kClientCloseAsap)) {
        h.Drop(i);
      }
    }
    if (++count % 8 == 0) {
      h.clock.AdvanceUs(50'000);
      h.server.Cron();
      h.server.RunDueActiveExpiry();
      h.server.BeforeSleep();
      for (auto& cl : h.clients) {
        if (cl) CheckFrames(cl->TakeOutput(), kNone);
      }
    }
  }
  return 0;
}
