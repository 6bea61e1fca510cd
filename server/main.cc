// baozi-server [configfile] [--directive value ...]: the same command line as redis-server.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <asio.hpp>
#include <clocale>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "server/allocator.h"
#include "server/aof.h"
#include "server/network.h"
#include "server/server.h"
#include "server/snapshot.h"
#include "server/version.h"
#include "storage/clock.h"

namespace {

void Daemonize() {
  if (fork() != 0) std::exit(0);
  setsid();
  int fd = open("/dev/null", O_RDWR, 0);
  if (fd != -1) {
    dup2(fd, STDIN_FILENO);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    if (fd > STDERR_FILENO) close(fd);
  }
}

}  // namespace

int main(int argc, char** argv) {
  // SORT ... ALPHA collates with strcoll in the environment's locale, as Redis does.
  std::setlocale(LC_COLLATE, "");
  if (argc == 2 && (std::string(argv[1]) == "-v" || std::string(argv[1]) == "--version")) {
    std::printf("baozi server v=%s redis_version=%s\n", baozi::kBaoziVersion.data(),
                baozi::kRedisVersion.data());
    return 0;
  }
  baozi::SystemClock clock;
  baozi::Server server(&clock);
  server.config_table().SetCommandRenamer([&server](std::string_view from, std::string_view to) {
    return server.registry().Rename(from, to);
  });
  if (auto r = server.config_table().LoadCommandLine(argc, argv); !r) {
    std::fprintf(stderr, "%s\n", r.error().c_str());
    return 1;
  }
  const baozi::Config& cfg = server.config();
  if (cfg.daemonize) Daemonize();
  if (!cfg.dir.empty() && chdir(cfg.dir.c_str()) != 0) {
    std::fprintf(stderr, "Can't chdir to '%s'\n", cfg.dir.c_str());
    return 1;
  }
  server.Init();
  server.Log(baozi::Server::kNotice, "oO0OoO0OoO0Oo baozi is starting oO0OoO0OoO0Oo");
  server.Log(baozi::Server::kNotice, "baozi version=" + std::string(baozi::kBaoziVersion) +
                                         ", redis_version=" + std::string(baozi::kRedisVersion) +
                                         ", pid=" + std::to_string(getpid()) + ", just started");

  // One thread and no cross-thread posting: let Asio drop its scheduler and reactor locks.
  asio::io_context io(ASIO_CONCURRENCY_HINT_UNSAFE);
  baozi::Network network(server, io);
  if (auto r = network.Listen(); !r) {
    server.Log(baozi::Server::kWarning, r.error());
    return 1;
  }
  if (!cfg.pidfile.empty()) {
    if (FILE* f = std::fopen(cfg.pidfile.c_str(), "w")) {
      std::fprintf(f, "%d\n", static_cast<int>(getpid()));
      std::fclose(f);
    }
  }
  server.Log(baozi::Server::kNotice, "Server initialized");
  // Never serve a partial dataset: a file that cannot be loaded whole ends the process.
  // With appendonly yes the AOF is the dataset (Redis ignores the RDB file then).
  if (cfg.appendonly ? !server.aof().LoadAtStartup() : !server.snapshot().LoadAtStartup()) {
    return 1;
  }
  server.Log(baozi::Server::kNotice, "Ready to accept connections tcp");
  baozi::alloc::StartBackgroundPurge();
  server.RecordStartupMemory();
  network.Run();
  if (!cfg.pidfile.empty()) unlink(cfg.pidfile.c_str());
  server.Log(baozi::Server::kWarning, "baozi is now ready to exit, bye bye...");
  return 0;
}
