// maxmemory enforcement (Redis's performEvictions): while used memory is over the limit, remove
// the key the policy picks (storage/eviction.h) as a DEL would — watchers of it fail their EXEC,
// subscribers see "evicted" — until memory is back under the limit or nothing is left to evict.
// The dispatcher calls it before every command (a deny-oom command is refused when it fails)
// and once after every top-level command, so a single large write does not leave the server
// over the limit until the next command arrives.
#pragma once

#include <cstdint>

#include "server/config.h"
#include "storage/eviction.h"

namespace baozi {

class Server;

enum class EvictResult {
  kOk,       // under the limit, or evicting is not allowed right now (clients paused)
  kRunning,  // still over the limit, but out of time: later loop turns continue
  kFail,     // over the limit and nothing (more) can be evicted
};

EvictPolicy ToEvictPolicy(MaxmemoryPolicy p);

// `bounded`: stop after maxmemory-eviction-tenacity's time limit (see below) and leave the
// rest to later loop turns, as Redis does. The dispatcher passes false after a command that
// grew memory itself, so such a command never leaves memory over the limit.
EvictResult PerformEvictions(Server& server, bool bounded = true);

// One more time-limited run for a run that stopped short (ServerStats::eviction_continues),
// called by the network layer once per loop turn until the run ends (evictionTimeProc).
void ContinueEvictions(Server& server);

// How long one eviction run may take (Redis's evictionTimeLimitUs): 50 us per step of
// maxmemory-eviction-tenacity up to 10 (the default, 500 us), then 15% more per step, and no
// limit at 100.
int64_t EvictionTimeLimitUs(int tenacity);

// Microseconds the current over-the-limit stretch has lasted (0 when there is none).
int64_t CurrentEvictionExceededUs(Server& server);

}  // namespace baozi
