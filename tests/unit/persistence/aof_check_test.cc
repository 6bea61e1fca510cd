// baozi-check-aof against redis-check-aof 7.0.15: the same files give the same output, exit
// status and --fix result. Every expected text below was printed by Debian's redis-check-aof
// for the same bytes ({F} stands for the path passed on the command line).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "persistence/aof.h"

namespace baozi::aof {
namespace {

namespace fs = std::filesystem;

std::string Resp(std::initializer_list<std::string_view> args) {
  std::vector<std::string_view> v(args);
  std::string out;
  AppendCommand(&out, v);
  return out;
}

const std::string kGood =
    Resp({"SET", "a", "1"}) + Resp({"MULTI"}) + Resp({"SET", "b", "2"}) + Resp({"EXEC"});

class TempDir {
 public:
  TempDir() {
    static int n = 0;
    path_ = fs::temp_directory_path() /
            ("baozi-aof-check-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string Write(const std::string& name, std::string_view bytes) const {
    const fs::path p = path_ / name;
    std::ofstream(p, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return p.string();
  }
  std::string Path(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

struct Run {
  int rc;
  std::string out;
};

Run Check(std::vector<std::string> args, std::string_view input = "") {
  std::FILE* in = std::tmpfile();
  std::FILE* out = std::tmpfile();
  std::fwrite(input.data(), 1, input.size(), in);
  std::rewind(in);
  args.insert(args.begin(), "redis-check-aof");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  const int rc = RunCheckAof(static_cast<int>(argv.size()), argv.data(), in, out);
  std::fflush(out);
  std::rewind(out);
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), out)) > 0) text.append(buf, n);
  std::fclose(in);
  std::fclose(out);
  return {rc, text};
}

std::string Subst(std::string s, const std::string& f) {
  for (size_t at; (at = s.find("{F}")) != std::string::npos;) s.replace(at, 3, f);
  return s;
}

TEST_CASE("check-aof: single files as redis-check-aof reports them", "[aof][check]") {
  struct Case {
    std::string name;
    std::string bytes;
    int rc;
    std::string out;
  };
  const std::string bad = "AOF {F} is not valid. Use the --fix option to try fixing it.\n";
  const std::vector<Case> cases = {
      {"ok", kGood, 0,
       "AOF analyzed: filename={F}, size=83, ok_up_to=83, ok_up_to_line=21, diff=0\n"
       "AOF {F} is valid\n"},
      {"empty", "", 0, "AOF {F} is empty\n"},
      {"annot", "#TS:100\r\n" + kGood + "#TS:200\r\n" + Resp({"SET", "q", "1"}), 0,
       "AOF analyzed: filename={F}, size=128, ok_up_to=128, ok_up_to_line=28, diff=0\n"
       "AOF {F} is valid\n"},
      {"zeroargc", "*0\r\n" + kGood, 0,
       "AOF analyzed: filename={F}, size=87, ok_up_to=87, ok_up_to_line=22, diff=0\n"
       "AOF {F} is valid\n"},
      {"trunc", kGood + Resp({"SET", "c", "3"}).substr(0, 22), 1,
       "0x              67: Expected \\r\\n, got: 0000\n"
       "AOF analyzed: filename={F}, size=105, ok_up_to=83, ok_up_to_line=26, diff=22\n" +
           bad},
      {"trunc_line", kGood + "*3\r\n$3", 1,
       "0x              57: Expected \\r\\n, got: 0000\n"
       "AOF analyzed: filename={F}, size=89, ok_up_to=83, ok_up_to_line=22, diff=6\n" +
           bad},
      {"openmulti", kGood + Resp({"MULTI"}) + Resp({"SET", "x", "y"}), 1,
       "0x              7a: Reached EOF before reading EXEC for MULTI\n"
       "AOF analyzed: filename={F}, size=125, ok_up_to=83, ok_up_to_line=31, diff=42\n" +
           bad},
      {"garbage", kGood + "X", 1,
       "AOF {F} format error\n"
       "AOF analyzed: filename={F}, size=84, ok_up_to=83, ok_up_to_line=21, diff=1\n" +
           bad},
      {"prefixstar", kGood + "$3\r\n", 1,
       "AOF {F} format error\n"
       "AOF analyzed: filename={F}, size=87, ok_up_to=83, ok_up_to_line=21, diff=4\n" +
           bad},
      {"nocrlf", kGood + "*1\r\n$4\r\nPINGxx", 1,
       "0x              5b: Expected \\r\\n, got: 7878\n"
       "AOF analyzed: filename={F}, size=97, ok_up_to=83, ok_up_to_line=23, diff=14\n" +
           bad},
      {"badcount", kGood + "*3x\r\n", 1,
       "0x              53: Expected \\r\\n, got: 780d\n"
       "AOF analyzed: filename={F}, size=88, ok_up_to=83, ok_up_to_line=21, diff=5\n" +
           bad},
      {"lfonly", kGood + "*1\n$4\r\nPING\r\n", 1,
       "0x              53: Expected \\r\\n, got: 0a00\n"
       "AOF analyzed: filename={F}, size=96, ok_up_to=83, ok_up_to_line=21, diff=13\n" +
           bad},
      {"neglen", kGood + "*1\r\n$-5\r\n", 1,
       "0x              57: Expected to read string of -5 bytes, which is not in the suitable "
       "range\n"
       "AOF analyzed: filename={F}, size=92, ok_up_to=83, ok_up_to_line=23, diff=9\n" +
           bad},
      {"highbyte",
       kGood + "*1\r\n\xff"
               "4\r\n",
       1,
       "0x              57: Expected prefix '$', got: '\xff'\n"
       "AOF analyzed: filename={F}, size=91, ok_up_to=83, ok_up_to_line=22, diff=8\n" +
           bad},
      {"nulprefix",
       kGood + std::string("*1\r\n\0"
                           "4\r\n",
                           8),
       1,
       "0x              57: Expected prefix '$', got: '\n"
       "AOF analyzed: filename={F}, size=91, ok_up_to=83, ok_up_to_line=22, diff=8\n" +
           bad},
      {"dupmulti", Resp({"MULTI"}) + Resp({"MULTI"}), 1,
       "0x              17: Unexpected MULTI in AOF {F}\n"
       "AOF analyzed: filename={F}, size=30, ok_up_to=0, ok_up_to_line=7, diff=30\n" +
           bad},
      {"execnomulti", Resp({"SET", "a", "1"}) + Resp({"EXEC"}), 1,
       "0x              23: Unexpected EXEC in AOF {F}\n"
       "AOF analyzed: filename={F}, size=41, ok_up_to=27, ok_up_to_line=11, diff=14\n" +
           bad},
  };
  TempDir dir;
  for (const Case& c : cases) {
    const std::string f = dir.Write(c.name + ".aof", c.bytes);
    INFO(c.name);
    const Run r = Check({f});
    CHECK(r.rc == c.rc);
    CHECK(r.out == Subst("Start checking Old-Style AOF\n" + c.out, f));
  }
}

TEST_CASE("check-aof: --fix, --truncate-to-timestamp, usage", "[aof][check]") {
  TempDir dir;
  const std::string trunc = kGood + Resp({"SET", "c", "3"}).substr(0, 22);
  const std::string f = dir.Write("t.aof", trunc);
  const std::string head =
      "Start checking Old-Style AOF\n"
      "0x              67: Expected \\r\\n, got: 0000\n"
      "AOF analyzed: filename={F}, size=105, ok_up_to=83, ok_up_to_line=26, diff=22\n"
      "This will shrink the AOF {F} from 105 bytes, with 22 bytes, to 83 bytes\n"
      "Continue? [y/N]: ";
  Run no = Check({"--fix", f}, "n\n");
  CHECK(no.rc == 1);
  CHECK(no.out == Subst(head + "Aborting...\n", f));
  CHECK(fs::file_size(f) == 105);
  Run yes = Check({"--fix", f}, "y\n");
  CHECK(yes.rc == 0);
  CHECK(yes.out == Subst(head + "Successfully truncated AOF {F}\n", f));
  CHECK(fs::file_size(f) == 83);
  CHECK(Check({f}).rc == 0);

  const std::string a =
      dir.Write("a.aof", "#TS:100\r\n" + kGood + "#TS:200\r\n" + Resp({"SET", "q", "1"}));
  Run ts = Check({"--truncate-to-timestamp", "150", a});
  CHECK(ts.rc == 0);
  CHECK(ts.out == Subst("Start checking Old-Style AOF\n"
                        "Successfully truncated AOF {F} to timestamp 150\n",
                        a));
  CHECK(fs::file_size(a) == 92);
  CHECK(Check({"--truncate-to-timestamp", "15x", a}).out == "Invalid timestamp, aborting...\n");

  const std::string usage =
      "Usage: redis-check-aof [--fix|--truncate-to-timestamp $timestamp] "
      "<file.manifest|file.aof>\n";
  CHECK(Check({}).out == usage);
  CHECK(Check({"--fox", f}).rc == 1);
  Run missing = Check({dir.Path("missing.aof")});
  CHECK(missing.rc == 1);
  CHECK(missing.out.starts_with("Cannot open file "));
}

TEST_CASE("check-aof: multi-part through the manifest", "[aof][check]") {
  TempDir dir;
  dir.Write("appendonly.aof.manifest",
            "file appendonly.aof.1.base.aof seq 1 type b\n"
            "file appendonly.aof.1.incr.aof seq 1 type i\n"
            "file appendonly.aof.2.incr.aof seq 2 type i\n");
  dir.Write("appendonly.aof.1.base.aof", Resp({"SELECT", "0"}) + Resp({"SET", "a", "1"}));
  dir.Write("appendonly.aof.1.incr.aof", "");
  const std::string cut = Resp({"SET", "b", "2"}) + Resp({"SET", "c", "3"}).substr(0, 7);
  dir.Write("appendonly.aof.2.incr.aof", cut);
  const std::string manifest = dir.Path("appendonly.aof.manifest");
  const std::string head =
      "Start checking Multi Part AOF\n"
      "Start to check BASE AOF (RESP format).\n"
      "AOF analyzed: filename=appendonly.aof.1.base.aof, size=50, ok_up_to=50, "
      "ok_up_to_line=13, diff=0\n"
      "BASE AOF appendonly.aof.1.base.aof is valid\n"
      "Start to check INCR files.\n";
  Run r = Check({manifest});
  CHECK(r.rc == 1);
  CHECK(r.out == head +
                     "INCR AOF appendonly.aof.1.incr.aof is empty\n"
                     "0x              1f: Expected \\r\\n, got: 0d00\n"
                     "AOF analyzed: filename=appendonly.aof.2.incr.aof, size=34, ok_up_to=27, "
                     "ok_up_to_line=21, diff=7\n"
                     "AOF appendonly.aof.2.incr.aof is not valid. Use the --fix option to try "
                     "fixing it.\n");
  Run fix = Check({"--fix", manifest}, "y\n");
  CHECK(fix.rc == 0);
  CHECK(
      fix.out.ends_with("Continue? [y/N]: Successfully truncated AOF appendonly.aof.2.incr.aof\n"
                        "All AOF files and manifest are valid\n"));
  CHECK(fs::file_size(dir.Path("appendonly.aof.2.incr.aof")) == 27);
  Run again = Check({manifest});
  CHECK(again.rc == 0);
  CHECK(again.out == head +
                         "INCR AOF appendonly.aof.1.incr.aof is empty\n"
                         "AOF analyzed: filename=appendonly.aof.2.incr.aof, size=27, "
                         "ok_up_to=27, ok_up_to_line=20, diff=0\n"
                         "INCR AOF appendonly.aof.2.incr.aof is valid\n"
                         "All AOF files and manifest are valid\n");

  // Only the last file may be truncated.
  dir.Write("appendonly.aof.1.incr.aof", cut);
  Run nonlast = Check({"--fix", manifest}, "y\n");
  CHECK(nonlast.rc == 1);
  CHECK(nonlast.out.ends_with(
      "Failed to truncate AOF appendonly.aof.1.incr.aof because it is not the last file\n"));

  // A broken manifest stops everything.
  dir.Write("appendonly.aof.manifest", "file a seq 1 type b\nfile b seq 1 type b\n");
  Run bad = Check({manifest});
  CHECK(bad.rc == 1);
  CHECK(bad.out.ends_with("Found duplicate base file information\n"));
}

TEST_CASE("check-aof: an RDB base file", "[aof][check]") {
  TempDir dir;
  Keyspace ks(16);
  ks.db(0).Add("k", Value::FromString("v"));
  std::string rdb_bytes;
  rdb::StringSink sink(&rdb_bytes);
  REQUIRE(rdb::Save(ks, sink, rdb::SaveOptions{}));
  dir.Write("appendonly.aof.manifest",
            "file appendonly.aof.1.base.rdb seq 1 type b\n"
            "file appendonly.aof.1.incr.aof seq 1 type i\n");
  dir.Write("appendonly.aof.1.base.rdb", rdb_bytes);
  dir.Write("appendonly.aof.1.incr.aof", Resp({"SET", "a", "1"}));
  Run r = Check({dir.Path("appendonly.aof.manifest")});
  CHECK(r.rc == 0);
  CHECK(
      r.out.starts_with("Start checking Multi Part AOF\n"
                        "Start to check BASE AOF (RDB format).\n"
                        "RDB preamble is OK, proceeding with AOF tail...\n"));
  std::string broken = rdb_bytes;
  broken[broken.size() - 3] ^= 0x55;  // the checksum
  dir.Write("appendonly.aof.1.base.rdb", broken);
  Run b = Check({dir.Path("appendonly.aof.manifest")});
  CHECK(b.rc == 1);
  CHECK(b.out.ends_with("RDB preamble of AOF file is not sane, aborting.\n"));
}

TEST_CASE("check-aof: seeded random mutations never crash", "[aof][check]") {
  std::string base;
  for (int i = 0; i < 10; ++i) {
    base += Resp({"SET", "k" + std::to_string(i), std::string(static_cast<size_t>(i * 5), 'v')});
    if (i % 4 == 0) base += Resp({"MULTI"});
    if (i % 4 == 2) base += Resp({"EXEC"});
    if (i % 3 == 0) base += "#TS:" + std::to_string(100 + i) + "\r\n";
  }
  std::mt19937_64 rng(77);
  for (int iter = 0; iter < 5000; ++iter) {
    std::string d = base;
    for (int e = 0; e < 3 && !d.empty(); ++e) {
      const size_t at = rng() % d.size();
      switch (rng() % 4) {
        case 0:
          d[at] = static_cast<char>(rng());
          break;
        case 1:
          d.insert(at, std::to_string(rng()));
          break;
        case 2:
          d.erase(at, 1 + rng() % 6);
          break;
        default:
          d.resize(at);
          break;
      }
    }
    CheckFileOptions o;
    o.name = o.path = "f.aof";
    o.to_timestamp = (iter % 3 == 0) ? 105 : 0;
    int64_t line = 1;
    const CheckFileResult r = CheckAofFile(d, o, &line);
    REQUIRE(r.ok_up_to <= d.size());
    REQUIRE(r.diff <= d.size());
    if (r.status == CheckFileResult::Status::kOk && o.to_timestamp == 0) {
      REQUIRE(r.ok_up_to == d.size());
      // What the checker accepts, the loader reads cleanly.
      CommandReader reader(d);
      while (reader.Next()) {
      }
      CHECK(reader.status() == ReadStatus::kOk);
    }
  }
}

}  // namespace
}  // namespace baozi::aof
