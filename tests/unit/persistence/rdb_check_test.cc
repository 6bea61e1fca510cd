// baozi-check-rdb (rdb::RunCheckRdb): the verdicts redis-check-rdb gives for the same files.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "persistence/rdb.h"
#include "tests/unit/persistence/rdb_test_util.h"

namespace baozi::rdb::testing {
namespace {

struct CheckRun {
  int status;
  std::string output;
};

CheckRun Check(std::vector<std::string> args) {
  args.insert(args.begin(), "baozi-check-rdb");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  std::FILE* out = std::tmpfile();
  REQUIRE(out != nullptr);
  int status = RunCheckRdb(static_cast<int>(argv.size()), argv.data(), out);
  std::rewind(out);
  std::string text;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof(buf), out)) > 0;) text.append(buf, n);
  std::fclose(out);
  return {status, text};
}

TEST_CASE("baozi-check-rdb: a Redis-made file looks OK, with redis-check-rdb's counts",
          "[rdb][check]") {
  // redis-check-rdb tests/fixtures/rdb/dataset.rdb: 28 keys read, 4 expires.
  auto r = Check({(FixtureDir() / "dataset.rdb").string()});
  CHECK(r.status == 0);
  CHECK(r.output.find("[info] AUX FIELD redis-ver = '7.0.15'\n") != std::string::npos);
  CHECK(r.output.find("[offset 1952] \\o/ RDB looks OK! \\o/\n") != std::string::npos);
  CHECK(r.output.find("[info] 28 keys read\n[info] 4 expires\n") != std::string::npos);
}

TEST_CASE("baozi-check-rdb: a truncated file is an error at the offset redis-check-rdb names",
          "[rdb][check]") {
  const std::string data = ReadFile(FixtureDir() / "dataset.rdb");
  auto path = std::filesystem::temp_directory_path() /
              ("baozi-check-rdb-" + std::to_string(::getpid()) + ".rdb");
  {
    std::ofstream f(path, std::ios::binary);
    f.write(data.data(), 1000);  // redis-check-rdb: "[offset 998] Unexpected EOF reading RDB file"
  }
  auto r = Check({path.string()});
  std::filesystem::remove(path);
  CHECK(r.status == 1);
  CHECK(r.output.find("--- RDB ERROR DETECTED ---\n[offset 998] unexpected end of file\n") !=
        std::string::npos);
}

TEST_CASE("baozi-check-rdb: usage and missing files", "[rdb][check]") {
  CHECK(Check({}).status == 1);
  CHECK(Check({}).output.find("Usage:") != std::string::npos);
  auto r = Check({"/nonexistent/dump.rdb"});
  CHECK(r.status == 1);
  CHECK(r.output.find("--- RDB ERROR DETECTED ---") != std::string::npos);
}

}  // namespace
}  // namespace baozi::rdb::testing
