// Forked children: BGSAVE and BGREWRITEAOF write their files from a fork() of the server, so the
// child sees the dataset frozen at the fork (copy-on-write) while the parent goes on serving.
// One place prepares every child the same way — default signal handlers, a process name, only
// the report pipe left open, 'C' in its log lines — and counts the forks for INFO.
#pragma once

#include <sys/types.h>

#include <cstdint>

namespace baozi {

class Server;

// fork() for a background job named `name` (shown by ps). In the child (return 0) every file
// descriptor but `keep_fd` (and stdin/stdout/stderr) is closed; it must end with _exit. In the
// parent the fork counts in INFO's total_forks and its duration in latest_fork_usec; -1 with
// errno as fork() when it failed.
pid_t ForkChild(Server& server, const char* name, int keep_fd);

// The Private_Dirty bytes of this process (what a forked child had to copy), as Redis's
// zmalloc_get_private_dirty measures them; children report it.
uint64_t PrivateDirtyBytes();

}  // namespace baozi
