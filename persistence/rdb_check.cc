// baozi-check-rdb: the RDB reader run over a file on its own, with redis-check-rdb's verdict.
//
// The file is loaded whole into a scratch keyspace by the same rdb::Load the server runs at
// start-up, so the tool accepts exactly what the server accepts: a file it calls OK is one the
// server will start on, and for any other it names the offset of the first bad byte and why.
// Keys already past their deadline are loaded too (now = 0), so they can be counted the way
// redis-check-rdb counts them.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "persistence/rdb.h"
#include "storage/clock.h"

namespace baozi::rdb {

namespace {

constexpr int kDefaultDatabases = 16;

int Usage(std::FILE* out, const char* self) {
  std::fprintf(out, "Usage: %s [--databases <n>] <rdb-file-name>\n", self);
  return 1;
}

}  // namespace

int RunCheckRdb(int argc, char** argv, std::FILE* out) {
  const char* self = argc > 0 ? argv[0] : "baozi-check-rdb";
  int databases = kDefaultDatabases;
  const char* path = nullptr;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--databases") == 0 && i + 1 < argc) {
      databases = std::atoi(argv[++i]);
      if (databases < 1) return Usage(out, self);
    } else if (path == nullptr && argv[i][0] != '-') {
      path = argv[i];
    } else {
      return Usage(out, self);
    }
  }
  if (path == nullptr) return Usage(out, self);

  std::fprintf(out, "[offset 0] Checking RDB file %s\n", path);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(out, "--- RDB ERROR DETECTED ---\n");
    std::fprintf(out, "[offset 0] Cannot open the file: %s\n", std::strerror(errno));
    return 1;
  }
  const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  Keyspace ks(databases);
  const int64_t now_ms = SystemClock().NowMs();
  ks.set_now_ms(now_ms);
  LoadOptions opts;  // now_ms 0: every key is loaded, expired or not
  // Function libraries are read (not compiled) as redis-check-rdb reads them; it refuses the
  // pre-GA record the server itself still converts.
  opts.accept_pre_ga_functions = false;
  auto r = Load(data, ks, opts);
  if (!r) {
    std::fprintf(out, "--- RDB ERROR DETECTED ---\n");
    std::fprintf(out, "[offset %llu] %s\n", static_cast<unsigned long long>(r.error().offset),
                 r.error().reason.c_str());
    std::fprintf(out, "[additional info] File size: %zu bytes\n", data.size());
    return 1;
  }
  for (const auto& [name, value] : r->aux) {
    std::fprintf(out, "[info] AUX FIELD %s = '%s'\n", name.c_str(), value.c_str());
  }
  uint64_t expires = 0, expired = 0;
  for (int i = 0; i < ks.size(); ++i) {
    Db& db = ks.db(i);
    db.ForEach([&](std::string_view, DbEntry& e) {
      if (!db.HasExpire(e)) return;
      ++expires;
      if (db.ExpireOf(e) < now_ms) ++expired;
    });
  }
  std::fprintf(out, "[offset %zu] \\o/ RDB looks OK! \\o/\n", data.size());
  std::fprintf(out, "[info] %llu keys read\n", static_cast<unsigned long long>(r->keys_loaded));
  std::fprintf(out, "[info] %llu expires\n", static_cast<unsigned long long>(expires));
  std::fprintf(out, "[info] %llu already expired\n", static_cast<unsigned long long>(expired));
  if (r->empty_keys_skipped != 0) {
    std::fprintf(out, "[info] %llu empty keys skipped\n",
                 static_cast<unsigned long long>(r->empty_keys_skipped));
  }
  return 0;
}

}  // namespace baozi::rdb
