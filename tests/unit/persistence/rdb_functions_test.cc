// Function libraries in RDB files and FUNCTION DUMP payloads: the bytes Redis 7.0.15 writes, the
// pre-GA record it still converts, and the error texts FUNCTION RESTORE answers with.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "persistence/aof.h"
#include "persistence/rdb.h"
#include "persistence/rdb_format.h"
#include "tests/unit/persistence/rdb_test_util.h"

namespace baozi::rdb::testing {
namespace {

constexpr char kMyLib[] =
    "#!lua name=mylib\nredis.register_function('myfunc', function(keys, args) return args[1] "
    "end)";
constexpr char kShort[] = "#!lua name=short\nredis.register_function('s', function() return 1 end)";

std::string Str(std::string_view s) {
  std::string out;
  unsigned char b[9];
  out.append(reinterpret_cast<const char*>(b), EncodeLength(s.size(), b));
  out.append(s);
  return out;
}

// A payload's footer: RDB version 10 and the CRC-64 of everything before it.
std::string WithFooter(std::string body) {
  body.push_back(10);
  body.push_back(0);
  unsigned char crc[8];
  PutLe64(Crc64(0, body.data(), body.size()), crc);
  body.append(reinterpret_cast<const char*>(crc), 8);
  return body;
}

class StrSink : public Sink {
 public:
  bool Write(const void* d, size_t n) override {
    out.append(static_cast<const char*>(d), n);
    return true;
  }
  std::string out;
};

TEST_CASE("FUNCTION DUMP payloads are byte for byte Redis's", "[rdb][functions]") {
  // FUNCTION DUMP on redis-server 7.0.15 with mylib loaded, rdbcompression yes and no, and
  // with `short` loaded as well.
  const std::vector<std::string_view> one = {kMyLib};
  CHECK(Hex(DumpFunctions(one, true)) ==
        "f5c34056405b1f23216c7561206e616d653d6d796c69620a72656469732e72656769737465725f0b66756e"
        "6374696f6e28276d79400b02272c2040066012116b6579732c2061726773292072657475726e600c075b31"
        "5d20656e64290a008d5936adc6e707da");
  CHECK(Hex(DumpFunctions(one, false)) ==
        "f5405b23216c7561206e616d653d6d796c69620a72656469732e72656769737465725f66756e6374696f6e"
        "28276d7966756e63272c2066756e6374696f6e286b6579732c2061726773292072657475726e2061726773"
        "5b315d20656e64290a008e999fad1198c73a");
  const std::vector<std::string_view> two = {kMyLib, kShort};
  CHECK(Hex(DumpFunctions(two, true)) ==
        "f5c34056405b1f23216c7561206e616d653d6d796c69620a72656469732e72656769737465725f0b66756e"
        "6374696f6e28276d79400b02272c2040066012116b6579732c2061726773292072657475726e600c075b31"
        "5d20656e6429f5404623216c7561206e616d653d73686f72740a72656469732e72656769737465725f6675"
        "6e6374696f6e282773272c2066756e6374696f6e28292072657475726e203120656e64290a0014b1306c7c"
        "c0e4fb");
  // An empty set of libraries is just the footer.
  CHECK(DumpFunctions({}, true).size() == 10);
}

TEST_CASE("FUNCTION RESTORE reads back what DUMP wrote", "[rdb][functions]") {
  const std::vector<std::string_view> two = {kMyLib, kShort};
  for (bool compress : {true, false}) {
    const std::string p = DumpFunctions(two, compress);
    REQUIRE(VerifyPayload(p));
    auto codes = LoadFunctionsPayload(p);
    REQUIRE(codes.has_value());
    CHECK(*codes == std::vector<std::string>{kMyLib, kShort});
  }
  auto none = LoadFunctionsPayload(DumpFunctions({}, true));
  REQUIRE(none.has_value());
  CHECK(none->empty());
}

TEST_CASE("FUNCTION RESTORE's errors are Redis's texts", "[rdb][functions]") {
  auto reason = [](std::string body) {
    auto r = LoadFunctionsPayload(WithFooter(std::move(body)));
    REQUIRE_FALSE(r.has_value());
    return r.error().reason;
  };
  CHECK(reason(std::string(1, '\0') + Str("k") + Str("v")) == "given type is not a function");
  CHECK(reason("\xf5\x32"
               "abc") == "Failed loading library payload");
  CHECK(reason("\xf5") == "Failed loading library payload");
  CHECK(reason("\xf6") == "Failed loading library name");
  CHECK(reason("\xf6" + Str("lib")) == "Failed loading engine name");
  // The reader runs into the footer as Redis's does: the version byte (10) is read as the
  // description flag here.
  CHECK(reason("\xf6" + Str("lib") + Str("LUA")) == "Failed loading library blob");
  CHECK(reason("\xf6" + Str("lib") + Str("LUA") + "\x01") == "Failed loading library description");
  CHECK(reason("\xf6" + Str("lib") + Str("LUA") + '\0') == "Failed loading library blob");
}

TEST_CASE("Pre-GA function records are converted as Redis 7.0 converts them", "[rdb][functions]") {
  const std::string blob = "redis.register_function('fold', function() return 'old' end)";
  auto r = LoadFunctionsPayload(WithFooter("\xf6" + Str("oldlib") + Str("LUA") + '\0' + Str(blob) +
                                           "\xf6" + Str("l2") + Str("LUA") + "\x01" +
                                           Str("a description") + Str(blob)));
  REQUIRE(r.has_value());
  REQUIRE(r->size() == 2);
  CHECK((*r)[0] == "#!LUA name=oldlib\n" + blob);
  CHECK((*r)[1] == "#!LUA name=l2\n" + blob);
}

TEST_CASE("RDB files carry function libraries before the databases", "[rdb][functions]") {
  Keyspace ks(16);
  ks.db(0).Add("k", Value::FromString("v"));
  SaveOptions opts;
  opts.function_libraries = {kMyLib, kShort};
  StrSink sink;
  REQUIRE(Save(ks, sink, opts));
  const size_t f1 = sink.out.find('\xf5');
  const size_t sel = sink.out.find('\xfe');
  REQUIRE(f1 != std::string::npos);
  CHECK(f1 < sel);

  Keyspace loaded(16);
  auto r = Load(sink.out, loaded, LoadOptions{});
  REQUIRE(r.has_value());
  CHECK(r->function_libraries == std::vector<std::string>{kMyLib, kShort});
  CHECK(r->keys_loaded == 1);

  // A file without libraries has none.
  StrSink plain;
  REQUIRE(Save(ks, plain, SaveOptions{}));
  Keyspace k3(16);
  auto r3 = Load(plain.out, k3, LoadOptions{});
  REQUIRE(r3.has_value());
  CHECK(r3->function_libraries.empty());
}

TEST_CASE("A pre-GA record in a file: the server converts it, the checker refuses it",
          "[rdb][functions]") {
  std::string file = "REDIS0010";
  file += "\xf6" + Str("oldlib") + Str("LUA") + '\0' + Str("redis.register_function('f', f)");
  file += static_cast<char>(kOpEof);
  unsigned char crc[8];
  PutLe64(Crc64(0, file.data(), file.size()), crc);
  file.append(reinterpret_cast<const char*>(crc), 8);

  Keyspace ks(16);
  auto r = Load(file, ks, LoadOptions{});
  REQUIRE(r.has_value());
  CHECK(r->function_libraries ==
        std::vector<std::string>{"#!LUA name=oldlib\nredis.register_function('f', f)"});

  LoadOptions check;
  check.accept_pre_ga_functions = false;
  Keyspace k2(16);
  auto refused = Load(file, k2, check);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().reason == "Pre-release function format not supported 10");
  CHECK(refused.error().offset == 9);

  // A truncated FUNCTION2 record names the library error as Redis's loader logs it.
  std::string bad =
      "REDIS0010\xf5\x32"
      "abc";
  Keyspace k3(16);
  auto t = Load(bad, k3, LoadOptions{});
  REQUIRE_FALSE(t.has_value());
  CHECK(t.error().reason == "Failed loading library, Failed loading library payload");
}

TEST_CASE("baozi-check-rdb accepts a file with functions", "[rdb][functions][check]") {
  Keyspace ks(16);
  ks.db(0).Add("k", Value::FromString("v"));
  SaveOptions opts;
  opts.function_libraries = {kMyLib};
  StrSink sink;
  REQUIRE(Save(ks, sink, opts));
  auto path = std::filesystem::temp_directory_path() /
              ("baozi-fn-check-" + std::to_string(getpid()) + ".rdb");
  {
    std::ofstream out(path, std::ios::binary);
    out << sink.out;
  }
  std::string arg0 = "baozi-check-rdb", arg1 = path.string();
  char* argv[] = {arg0.data(), arg1.data()};
  std::FILE* out = std::tmpfile();
  REQUIRE(out != nullptr);
  const int status = RunCheckRdb(2, argv, out);
  std::rewind(out);
  std::string text;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof(buf), out)) > 0;) text.append(buf, n);
  std::fclose(out);
  std::filesystem::remove(path);
  CHECK(status == 0);
  CHECK(text.find("RDB looks OK!") != std::string::npos);
  CHECK(text.find("[info] 1 keys read\n") != std::string::npos);
}

TEST_CASE("An AOF rewrite starts with one FUNCTION LOAD per library", "[aof][functions]") {
  Keyspace ks(16);
  ks.db(0).Add("k", Value::FromString("v"));
  aof::RewriteOptions opts;
  opts.function_libraries = {kShort};
  StrSink sink;
  REQUIRE(aof::RewriteAsCommands(ks, sink, opts));
  const std::string expected_head = std::string("*3\r\n$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n$") +
                                    std::to_string(std::string_view(kShort).size()) + "\r\n" +
                                    kShort + "\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n";
  CHECK(sink.out.rfind(expected_head, 0) == 0);
}

}  // namespace
}  // namespace baozi::rdb::testing
