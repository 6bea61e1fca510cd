// Save -> Load and DumpPayload -> LoadPayload round trips over every type and encoding, with
// deadlines and LRU/LFU data; and the string and length encodings byte for byte.
#include <lzf.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "persistence/rdb.h"
#include "persistence/rdb_format.h"
#include "rdb_test_util.h"

namespace baozi::rdb {
namespace {

using testing::DescribeValue;
using testing::Hex;
using testing::Snapshot;

constexpr int64_t kNow = 1700000000000;

Value Str(std::string_view s) { return Value::FromString(s); }

template <class T>
Value Wrap(T* o) {
  return Value::Wrap(o);
}

// A keyspace holding every encoding baozi can produce under the given limits.
void Populate(Keyspace& ks) {
  const EncodingLimits& lim = ks.limits;
  Db& db = ks.db(0);
  db.Add("s:int8", Value::FromInt(-100));
  db.Add("s:int16", Value::FromInt(30000));
  db.Add("s:int32", Value::FromInt(-2000000000));
  db.Add("s:int64", Value::FromInt(std::numeric_limits<int64_t>::min()));
  db.Add("s:emb", Str("hello world"));
  db.Add("s:empty", Str(""));
  db.Add("s:raw", Str(std::string(300, 'z')));
  db.Add("s:random", Str([] {
           std::string s;
           std::mt19937 rng(7);
           for (int i = 0; i < 100; ++i) s.push_back(static_cast<char>(rng()));
           return s;
         }()));
  db.Add("s:notcanon", Str("-0"));
  DbEntry& ttl = db.Add("s:ttl", Str("expiring"));
  db.SetExpire(ttl, kNow + 123456);

  auto* small_list = new ListObject(lim.list_max_listpack_size);
  for (const char* e : {"a", "1", "-5", "3000000000", ""}) small_list->PushTail(e);
  db.Add("l:small", Wrap(small_list));
  auto* big_list = new ListObject(lim.list_max_listpack_size);
  for (int i = 0; i < 5000; ++i) big_list->PushTail("element-" + std::to_string(i));
  REQUIRE(big_list->node_count() > 3);
  DbEntry& bl = db.Add("l:big", Wrap(big_list));
  db.SetExpire(bl, kNow + 1);

  auto* i16 = new SetObject();
  for (int v : {1, 2, -3, 32767}) i16->Add(std::to_string(v), lim.set_max_intset_entries);
  db.Add("set:i16", Wrap(i16));
  auto* i32 = new SetObject();
  for (int64_t v : {1, 70000, -70000}) i32->AddInt(v, lim.set_max_intset_entries);
  db.Add("set:i32", Wrap(i32));
  auto* i64 = new SetObject();
  for (int64_t v : {int64_t{1}, int64_t{5000000000}, std::numeric_limits<int64_t>::min()}) {
    i64->AddInt(v, lim.set_max_intset_entries);
  }
  db.Add("set:i64", Wrap(i64));
  auto* ht = new SetObject();
  for (const char* m : {"a", "b", "10", ""}) ht->Add(m, lim.set_max_intset_entries);
  db.Add("set:ht", Wrap(ht));
  auto* bigint = new SetObject();
  for (int i = 0; i < 1000; ++i) bigint->AddInt(i * 3, lim.set_max_intset_entries);
  REQUIRE(bigint->encoding() == Encoding::kHashtable);
  db.Add("set:bigint", Wrap(bigint));

  auto* zlp = new ZsetObject();
  zlp->Insert("a", 1, lim);
  zlp->Insert("b", 2.5, lim);
  zlp->Insert("c", -HUGE_VAL, lim);
  zlp->Insert("d", HUGE_VAL, lim);
  zlp->Insert("e", 1e300, lim);
  zlp->Insert("f", -0.0, lim);
  zlp->Insert("12", 0.1, lim);
  db.Add("z:lp", Wrap(zlp));
  auto* zsl = new ZsetObject();
  for (int i = 0; i < 300; ++i) zsl->Insert("m" + std::to_string(i), i * 0.25 - 10, lim);
  zsl->Insert("ninf", -HUGE_VAL, lim);
  zsl->Insert("pinf", HUGE_VAL, lim);
  REQUIRE(zsl->encoding() == Encoding::kSkiplist);
  db.Add("z:sl", Wrap(zsl));
  auto* zlong = new ZsetObject();
  zlong->Insert("x", 1, lim);
  zlong->Insert(std::string(100, 'L'), 2, lim);
  REQUIRE(zlong->encoding() == Encoding::kSkiplist);
  db.Add("z:long", Wrap(zlong));

  auto* hlp = new HashObject();
  hlp->Set("f1", "v1", lim);
  hlp->Set("f2", "123", lim);
  hlp->Set("", "empty-field", lim);
  hlp->Set("n", "-9", lim);
  db.Add("h:lp", Wrap(hlp));
  auto* hht = new HashObject();
  for (int i = 0; i < 1000; ++i) hht->Set("field" + std::to_string(i), std::to_string(i), lim);
  REQUIRE(hht->encoding() == Encoding::kHashtable);
  db.Add("h:ht", Wrap(hht));
  auto* hlong = new HashObject();
  hlong->Set("a", std::string(100, 'V'), lim);
  REQUIRE(hlong->encoding() == Encoding::kHashtable);
  db.Add("h:long", Wrap(hlong));

  Db& db5 = ks.db(5);
  db5.Add("other", Str("db five"));
  DbEntry& e5 = db5.Add("other:ttl", Value::FromInt(5));
  db5.SetExpire(e5, kNow + 99999);
}

std::string SaveToString(Keyspace& ks, SaveOptions opts = {}) {
  std::string out;
  StringSink sink(&out);
  opts.now_ms = kNow;
  REQUIRE(Save(ks, sink, opts));
  return out;
}

TEST_CASE("RDB Save then Load reproduces every key, encoding and deadline", "[rdb]") {
  for (bool compress : {true, false}) {
    for (bool checksum : {true, false}) {
      Keyspace ks(16);
      ks.set_now_ms(kNow);
      Populate(ks);
      SaveOptions opts;
      opts.compress = compress;
      opts.checksum = checksum;
      opts.redis_ver = "7.0.15";
      opts.used_mem = 4242;
      const std::string file = SaveToString(ks, opts);
      CHECK(file.substr(0, 9) == "REDIS0010");
      if (!checksum) CHECK(file.substr(file.size() - 8) == std::string(8, '\0'));

      Keyspace loaded(16);
      LoadOptions lo;
      lo.now_ms = kNow;
      auto stats = Load(file, loaded, lo);
      REQUIRE(stats.has_value());
      CHECK(stats->rdb_version == 10);
      CHECK(stats->keys_loaded == 25);
      CHECK(stats->expired_skipped == 0);
      CHECK(Snapshot(loaded) == Snapshot(ks));
      REQUIRE(stats->aux.size() == 5);
      CHECK(stats->aux[0] == std::pair<std::string, std::string>("redis-ver", "7.0.15"));
      CHECK(stats->aux[1].second == "64");
      CHECK(stats->aux[2] == std::pair<std::string, std::string>("ctime", "1700000000"));
      CHECK(stats->aux[3] == std::pair<std::string, std::string>("used-mem", "4242"));
      CHECK(stats->aux[4] == std::pair<std::string, std::string>("aof-base", "0"));
    }
  }
}

TEST_CASE("RDB files are smaller with compression on", "[rdb]") {
  Keyspace ks(16);
  ks.set_now_ms(kNow);
  Populate(ks);
  SaveOptions on;
  SaveOptions off;
  off.compress = false;
  CHECK(SaveToString(ks, on).size() < SaveToString(ks, off).size());
}

TEST_CASE("RDB Load drops keys that expired, unless now_ms is 0", "[rdb]") {
  Keyspace ks(16);
  ks.set_now_ms(kNow);
  Populate(ks);
  const std::string file = SaveToString(ks);
  Keyspace later(16);
  LoadOptions lo;
  lo.now_ms = kNow + 50000;  // l:big (kNow+1) is gone, the others remain
  auto stats = Load(file, later, lo);
  REQUIRE(stats.has_value());
  CHECK(stats->expired_skipped == 1);
  CHECK(later.db(0).Peek("l:big") == nullptr);
  CHECK(later.db(0).Peek("s:ttl") != nullptr);

  Keyspace all(16);
  auto kept = Load(file, all, LoadOptions{});
  REQUIRE(kept.has_value());
  CHECK(kept->expired_skipped == 0);
  CHECK(all.db(0).Peek("l:big") != nullptr);
}

TEST_CASE("RDB carries LRU idle times and LFU counters", "[rdb]") {
  SECTION("LRU") {
    Keyspace ks(16);
    ks.set_now_ms(kNow);
    DbEntry& e = ks.db(0).Add("k", Value::FromInt(1));
    REQUIRE(ks.SetAccessData(e.value, -1, 1000));
    SaveOptions opts;
    opts.save_lru = true;
    const std::string file = SaveToString(ks, opts);
    CHECK(file.find(static_cast<char>(kOpIdle)) != std::string::npos);
    Keyspace out(16);
    LoadOptions lo;
    lo.now_ms = kNow;
    REQUIRE(Load(file, out, lo).has_value());
    CHECK(out.IdleSeconds(out.db(0).Peek("k")->value) == 1000);
  }
  SECTION("LFU") {
    Keyspace ks(16);
    ks.SetPolicyMode(true, true);
    ks.set_now_ms(kNow);
    DbEntry& e = ks.db(0).Add("k", Value::FromInt(1));
    REQUIRE(ks.SetAccessData(e.value, 42, -1));
    SaveOptions opts;
    opts.save_lfu = true;
    const std::string file = SaveToString(ks, opts);
    Keyspace out(16);
    out.SetPolicyMode(true, true);
    LoadOptions lo;
    lo.now_ms = kNow;
    REQUIRE(Load(file, out, lo).has_value());
    CHECK(out.LfuFrequency(out.db(0).Peek("k")->value) == 42);
  }
}

TEST_CASE("RDB Load refuses duplicate keys, bad databases and bad checksums", "[rdb]") {
  Keyspace ks(16);
  ks.set_now_ms(kNow);
  ks.db(0).Add("k", Str("v"));
  std::string file = SaveToString(ks);

  SECTION("database index beyond the keyspace") {
    Keyspace small(1);
    Keyspace src(4);
    src.db(3).Add("k", Str("v"));
    auto r = Load(SaveToString(src), small, LoadOptions{});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().reason.find("database index 3") != std::string::npos);
  }
  SECTION("wrong checksum") {
    file[file.size() - 1] ^= 1;
    Keyspace out(16);
    auto r = Load(file, out, LoadOptions{});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().reason == "wrong checksum");
    CHECK(r.error().offset == file.size() - 8);
    Keyspace again(16);
    LoadOptions no_verify;
    no_verify.verify_checksum = false;
    CHECK(Load(file, again, no_verify).has_value());
  }
  SECTION("zero checksum is accepted") {
    std::fill(file.end() - 8, file.end(), '\0');
    Keyspace out(16);
    CHECK(Load(file, out, LoadOptions{}).has_value());
  }
  SECTION("duplicate key") {
    // Repeat the key record: type 0, key "k", value "v" before EOF.
    std::string body = file.substr(0, file.size() - 9);
    const std::string record = std::string(1, '\0') + "\x01k\x01v";
    body += record + record;
    body += static_cast<char>(kOpEof);
    unsigned char crc[8];
    PutLe64(Crc64(0, body.data(), body.size()), crc);
    body.append(reinterpret_cast<char*>(crc), 8);
    Keyspace out(16);
    auto r = Load(body, out, LoadOptions{});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().reason.find("duplicate key") != std::string::npos);
  }
  SECTION("bad signature and version") {
    Keyspace out(16);
    CHECK(Load("RADIS0010", out, LoadOptions{}).error().reason.find("signature") !=
          std::string::npos);
    CHECK(Load("REDIS0011", out, LoadOptions{}).error().reason.find("version 11") !=
          std::string::npos);
    CHECK(Load("REDIS00", out, LoadOptions{}).error().reason == "unexpected end of file");
  }
}

TEST_CASE("DUMP payloads round-trip every encoding", "[rdb][dump]") {
  Keyspace ks(16);
  ks.set_now_ms(kNow);
  Populate(ks);
  for (int i = 0; i < ks.size(); ++i) {
    ks.db(i).ForEach([&](std::string_view key, DbEntry& e) {
      for (bool compress : {true, false}) {
        INFO(std::string(key));
        const std::string payload = DumpPayload(e.value, compress);
        CHECK(VerifyPayload(payload));
        auto v = LoadPayload(payload, ks.limits);
        REQUIRE(v.has_value());
        CHECK(DescribeValue(*v) == DescribeValue(e.value));
      }
    });
  }
}

TEST_CASE("DUMP payload footer: version and CRC-64", "[rdb][dump]") {
  const std::string p = DumpPayload(Str("hello"), true);
  CHECK(Hex(p.substr(0, p.size() - 8)) == "000568656c6c6f0a00");
  CHECK(VerifyPayload(p));
  std::string bad = p;
  bad[2] ^= 1;
  CHECK_FALSE(VerifyPayload(bad));
  CHECK(VerifyPayload(bad, true));
  std::string newer = p;
  newer[p.size() - 10] = 11;
  CHECK_FALSE(VerifyPayload(newer, true));
  CHECK_FALSE(VerifyPayload("short"));
  // Redis 7.0.15: DUMP of SET k hello.
  CHECK(Hex(p) == Hex(std::string("\x00\x05hello\x0a\x00", 9) + p.substr(9)));
}

TEST_CASE("Empty collections in a payload are a format error", "[rdb][dump]") {
  // RDB_TYPE_SET with 0 members.
  std::string p("\x02\x00\x0a\x00", 4);
  unsigned char crc[8];
  PutLe64(Crc64(0, p.data(), p.size()), crc);
  p.append(reinterpret_cast<char*>(crc), 8);
  REQUIRE(VerifyPayload(p));
  CHECK_FALSE(LoadPayload(p, EncodingLimits{}).has_value());
}

// Length and integer forms at every boundary.
TEST_CASE("RDB length encoding boundaries", "[rdb][format]") {
  struct Case {
    uint64_t len;
    const char* hex;
  };
  const Case cases[] = {
      {0, "00"},
      {63, "3f"},
      {64, "4040"},
      {16383, "7fff"},
      {16384, "8000004000"},
      {UINT32_MAX, "80ffffffff"},
      {uint64_t{UINT32_MAX} + 1, "810000000100000000"},
      {UINT64_MAX, "81ffffffffffffffff"},
  };
  for (const Case& c : cases) {
    unsigned char buf[9];
    const size_t n = EncodeLength(c.len, buf);
    CHECK(Hex(std::string_view(reinterpret_cast<char*>(buf), n)) == c.hex);
  }
  // Decoding, through string values of those lengths.
  for (size_t len : {size_t{0}, size_t{1}, size_t{63}, size_t{64}, size_t{16383}, size_t{16384},
                     size_t{70000}}) {
    std::string s(len, 'x');
    for (size_t i = 0; i < len; ++i) s[i] = static_cast<char>('a' + (i * 7) % 26);
    const std::string p = DumpPayload(Value::FromStringNoInt(s), false);
    unsigned char buf[9];
    const size_t n = EncodeLength(len, buf);
    CHECK(p.substr(1, n) == std::string(reinterpret_cast<char*>(buf), n));
    auto v = LoadPayload(p, EncodingLimits{});
    REQUIRE(v.has_value());
    CHECK(v->ToString() == s);
  }
}

TEST_CASE("RDB integer string forms", "[rdb][format]") {
  struct Case {
    const char* s;
    const char* hex;  // the bytes after the type byte
  };
  const Case cases[] = {
      {"0", "c000"},
      {"127", "c07f"},
      {"-128", "c080"},
      {"128", "c18000"},
      {"-32768", "c10080"},
      {"32768", "c200800000"},
      {"2147483647", "c2ffffff7f"},
      {"-2147483648", "c200000080"},
      {"2147483648", "0a32313437343833363438"},
      {"007", "03303037"},
      {"-0", "022d30"},
  };
  for (const Case& c : cases) {
    INFO(c.s);
    for (const Value& v : {Value::FromString(c.s), Value::RawString(c.s)}) {
      const std::string p = DumpPayload(v, true);
      CHECK(Hex(p.substr(1, p.size() - 11)) == c.hex);
      auto back = LoadPayload(p, EncodingLimits{});
      REQUIRE(back.has_value());
      CHECK(back->ToString() == c.s);
      CHECK(back->encoding() == Value::FromString(c.s).encoding());
    }
  }
}

TEST_CASE("LZF strings round-trip and are used only when they pay", "[rdb][lzf]") {
  std::string compressible;
  for (int i = 0; i < 2000; ++i) compressible += "abc" + std::to_string(i % 10);
  const std::string p = DumpPayload(Str(compressible), true);
  CHECK(static_cast<unsigned char>(p[1]) == 0xC3);
  CHECK(p.size() < compressible.size() / 4);
  auto v = LoadPayload(p, EncodingLimits{});
  REQUIRE(v.has_value());
  CHECK(v->ToString() == compressible);

  // 20 bytes: never compressed; 21 repeated bytes: compressed.
  CHECK(static_cast<unsigned char>(DumpPayload(Str(std::string(20, 'a')), true)[1]) == 20);
  CHECK(static_cast<unsigned char>(DumpPayload(Str(std::string(21, 'a')), true)[1]) == 0xC3);
  // Incompressible bytes stay raw.
  std::string noise;
  std::mt19937 rng(1);
  for (int i = 0; i < 200; ++i) noise.push_back(static_cast<char>(rng()));
  const std::string q = DumpPayload(Str(noise), true);
  CHECK(static_cast<unsigned char>(q[1]) == 0x40);

  // The library itself, both ways.
  std::string out(compressible.size(), '\0');
  const unsigned n = lzf_compress(compressible.data(), compressible.size(), out.data(), out.size());
  REQUIRE(n > 0);
  std::string back(compressible.size(), '\0');
  CHECK(lzf_decompress(out.data(), n, back.data(), back.size()) == compressible.size());
  CHECK(back == compressible);
}

TEST_CASE("A huge declared count fails without allocating", "[rdb][format]") {
  // RDB_TYPE_SET with 2^40 members, then nothing.
  for (const char* hdr :
       {"\x02\x81\x00\x00\x01\x00\x00\x00\x00\x00", "\x05\x81\x00\x00\x01\x00\x00\x00\x00\x00",
        "\x04\x81\x00\x00\x01\x00\x00\x00\x00\x00", "\x12\x81\x00\x00\x01\x00\x00\x00\x00\x00"}) {
    std::string p(hdr, 10);
    p += std::string("\x0a\x00", 2) + std::string(8, '\0');
    auto v = LoadPayload(p, EncodingLimits{});
    REQUIRE_FALSE(v.has_value());
    CHECK(v.error().reason == "unexpected end of file");
  }
  // A string claiming 2^40 bytes, and an LZF block claiming a huge expansion.
  std::string s("\x00\x81\x00\x00\x01\x00\x00\x00\x00\x00\x0a\x00", 12);
  s += std::string(8, '\0');
  CHECK_FALSE(LoadPayload(s, EncodingLimits{}).has_value());
  std::string lzf("\x00\xc3\x02\x80\x7f\xff\xff\xff\x00\x61\x0a\x00", 12);
  lzf += std::string(8, '\0');
  CHECK_FALSE(LoadPayload(lzf, EncodingLimits{}).has_value());
}

TEST_CASE("Non-minimal length forms are accepted, as Redis reads them", "[rdb][format]") {
  // A set of three members counted with the 32-bit form.
  std::string p(
      "\x02\x80\x00\x00\x00\x03\x01"
      "a\x01"
      "b\x01"
      "c",
      12);
  p += std::string("\x0a\x00", 2) + std::string(8, '\0');
  auto v = LoadPayload(p, EncodingLimits{});
  REQUIRE(v.has_value());
  CHECK(v->set().size() == 3);
}

}  // namespace
}  // namespace baozi::rdb
