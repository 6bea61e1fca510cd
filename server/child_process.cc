#include "server/child_process.h"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "server/latency.h"
#include "server/server.h"

namespace baozi {

pid_t ForkChild(Server& server, const char* name, int keep_fd) {
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    for (int sig : {SIGTERM, SIGINT, SIGUSR1, SIGHUP}) signal(sig, SIG_DFL);
    signal(SIGPIPE, SIG_IGN);
    prctl(PR_SET_NAME, name);
    if (keep_fd > 3) close_range(3, static_cast<unsigned>(keep_fd - 1), 0);
    close_range(static_cast<unsigned>(std::max(keep_fd, 2) + 1), ~0U, 0);
    server.set_log_role('C');
    return 0;
  }
  if (pid > 0) {
    const int saved = errno;
    ServerStats& st = server.stats();
    st.total_forks++;
    st.latest_fork_usec = std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::steady_clock::now() - start)
                              .count();
    LatencyAddSampleIfNeeded(server, "fork", st.latest_fork_usec / 1000);
    errno = saved;
  }
  return pid;
}

std::optional<ChildExit> ReapChild(Server& server, pid_t pid, const char* type) {
  int status = 0;
  const pid_t got = waitpid(pid, &status, WNOHANG);
  if (got == 0) return std::nullopt;
  ChildExit e;
  if (got == -1) {
    server.Log(Server::kWarning, std::string("waitpid() returned an error: ") +
                                     std::strerror(errno) + ". child_type: " + type +
                                     ", child_pid = " + std::to_string(pid));
    e.waitpid_failed = true;
    return e;
  }
  if (WIFEXITED(status)) e.exitcode = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) e.bysignal = WTERMSIG(status);
  return e;
}

// Redis zmalloc_get_private_dirty(-1): smaps_rollup sums it in the kernel; smaps is the
// fallback.
uint64_t PrivateDirtyBytes() {
  FILE* f = std::fopen("/proc/self/smaps_rollup", "r");
  if (f == nullptr) f = std::fopen("/proc/self/smaps", "r");
  if (f == nullptr) return 0;
  char line[256];
  uint64_t total = 0;
  while (std::fgets(line, sizeof(line), f) != nullptr) {
    if (std::strncmp(line, "Private_Dirty:", 14) == 0) {
      total += std::strtoull(line + 14, nullptr, 10) * 1024;
    }
  }
  std::fclose(f);
  return total;
}

}  // namespace baozi
