// Forked children: BGSAVE and BGREWRITEAOF write their files from a fork() of the server, so the
// child sees the dataset frozen at the fork (copy-on-write) while the parent goes on serving.
// One place prepares every child the same way — default signal handlers, a process name, only
// the report pipe left open, 'C' in its log lines — and counts the forks for INFO.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

namespace baozi {

class Server;

// fork() for a background job named `name` (shown by ps). In the child (return 0) every file
// descriptor but `keep_fd` (and stdin/stdout/stderr) is closed; it must end with _exit. In the
// parent the fork counts in INFO's total_forks and its duration in latest_fork_usec; -1 with
// errno as fork() when it failed.
pid_t ForkChild(Server& server, const char* name, int keep_fd);

// How a background child ended, once waitpid(WNOHANG) says it has.
struct ChildExit {
  bool waitpid_failed = false;  // logged as Redis logs it; count it as a failed job
  int exitcode = -1;            // when it exited
  int bysignal = 0;             // when a signal ended it
  bool ok() const { return !waitpid_failed && bysignal == 0 && exitcode == 0; }
};
// nullopt while child `pid` (of kind `type`, "RDB" or "AOF", for the log) still runs.
std::optional<ChildExit> ReapChild(Server& server, pid_t pid, const char* type);

// The Private_Dirty bytes of this process (what a forked child had to copy), as Redis's
// zmalloc_get_private_dirty measures them; children report it.
uint64_t PrivateDirtyBytes();

}  // namespace baozi
