// Shared by the keyspace-notification command tests: a harness whose "sub" client listens on
// every keyevent channel of every database (notify-keyspace-events KEAn, so a key's creation
// shows as "new" in its place), and a WATCH/EXEC probe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tests/command/harness.h"

namespace baozi::testing {

using Argv = std::vector<std::string_view>;
using Events = std::vector<std::string>;

struct NotifyHarness {
  NotifyHarness() { h.Run({"PSUBSCRIBE", "__keyevent@*__:*"}, "sub"); }

  // The keyevents published since the last call, as "event key" ("event@N key" for database
  // N other than 0). Frames look like ["pmessage", "__keyevent@*__:*", "__keyevent@1__:move_to",
  // "k"]: the channel is the second "__keyevent@", after the pattern's.
  Events Take() {
    Events out;
    for (const std::string& f : h.TakeFrames("sub")) {
      constexpr std::string_view kPrefix = "\"__keyevent@";
      size_t at = f.find(kPrefix);
      if (at != std::string::npos && f[at + kPrefix.size()] == '*') at = f.find(kPrefix, at + 1);
      if (at == std::string::npos) continue;  // not a pmessage (the PSUBSCRIBE reply)
      at += kPrefix.size();
      size_t db_end = f.find("__:", at);
      std::string db = f.substr(at, db_end - at);
      size_t ev_start = db_end + 3;
      size_t ev_end = f.find('"', ev_start);
      size_t key_start = f.find('"', ev_end + 1) + 1;
      std::string ev = f.substr(ev_start, ev_end - ev_start);
      if (db != "0") ev += "@" + db;
      out.push_back(ev + " " + f.substr(key_start, f.rfind('"') - key_start));
    }
    return out;
  }

  // Runs a row's setup; "@wait" moves the clock past the short TTLs it set, without running
  // the cron, so those keys expire lazily on the next command.
  void Setup(const std::vector<Argv>& setup) {
    for (const Argv& c : setup) {
      if (c.size() == 1 && c[0] == "@wait") {
        h.clock().AdvanceUs(150'000);
      } else {
        h.Run(c);
      }
    }
  }

  // The events `command` publishes after `setup`.
  Events Run(const std::vector<Argv>& setup, const Argv& command) {
    Setup(setup);
    Take();
    h.Run(command);
    return Take();
  }

  CommandHarness h{"notify-keyspace-events KEAn"};
};

// One command and the events it must publish after its setup.
struct Row {
  std::vector<Argv> setup;
  Argv command;
  Events events;
};

inline void CheckRows(const std::vector<Row>& rows) {
  for (const Row& row : rows) {
    NotifyHarness n;
    std::string shown;
    for (std::string_view a : row.command) shown += std::string(a) + " ";
    INFO(shown);
    CHECK(n.Run(row.setup, row.command) == row.events);
  }
}

constexpr std::string_view kAborted = "nil-array";  // EXEC after a watched key changed
constexpr std::string_view kRan = "[PONG]";         // EXEC with its WATCH intact

// WATCH `key` on "w", `change` on the default client, then MULTI/PING/EXEC on "w": "nil-array"
// if the change invalidated the WATCH, "[PONG]" if not.
inline std::string WatchedExec(const std::vector<Argv>& setup, std::string_view key,
                               const Argv& change) {
  CommandHarness h;
  for (const Argv& c : setup) h.Run(c);
  CHECK(h.Run({"WATCH", key}, "w") == "OK");
  h.Run(change);
  CHECK(h.Run({"MULTI"}, "w") == "OK");
  CHECK(h.Run({"PING"}, "w") == "QUEUED");
  return h.Run({"EXEC"}, "w");
}

}  // namespace baozi::testing
