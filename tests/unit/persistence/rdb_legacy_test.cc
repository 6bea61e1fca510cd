// Encodings only older Redis versions write: ziplists (lists, hashes and sorted sets of Redis
// 2.6 to 6.2), zipmaps (hashes of Redis < 2.6), plain lists, text-double sorted sets, ziplist
// quicklists, and the seconds EXPIRETIME opcode. The bytes are built here from the format's
// description, independently of the reader.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "persistence/rdb.h"
#include "persistence/rdb_format.h"
#include "rdb_test_util.h"

namespace baozi::rdb {
namespace {

using testing::DescribeValue;
using testing::Hex;

void Le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}

// A ziplist entry with an explicit encoding byte for integers (0 = pick a string form).
struct ZlIn {
  std::string str;
  int64_t ival = 0;
  uint8_t int_enc = 0;
};
ZlIn S(std::string s) { return {std::move(s), 0, 0}; }
ZlIn I(int64_t v, uint8_t enc) { return {"", v, enc}; }

std::string Ziplist(const std::vector<ZlIn>& items) {
  std::string body;
  size_t prev = 0;
  size_t tail = 10;
  for (const ZlIn& it : items) {
    std::string e;
    if (prev < 254) {
      e.push_back(static_cast<char>(prev));
    } else {
      e.push_back(static_cast<char>(0xFE));
      Le(e, prev, 4);
    }
    if (it.int_enc == 0) {
      const size_t n = it.str.size();
      if (n < 64) {
        e.push_back(static_cast<char>(n));
      } else if (n < 16384) {
        e.push_back(static_cast<char>(0x40 | (n >> 8)));
        e.push_back(static_cast<char>(n & 0xFF));
      } else {
        e.push_back(static_cast<char>(0x80));
        for (int i = 3; i >= 0; --i) e.push_back(static_cast<char>(n >> (8 * i)));
      }
      e += it.str;
    } else {
      e.push_back(static_cast<char>(it.int_enc));
      switch (it.int_enc) {
        case 0xFE:
          Le(e, static_cast<uint64_t>(it.ival), 1);
          break;
        case 0xC0:
          Le(e, static_cast<uint64_t>(it.ival), 2);
          break;
        case 0xF0:
          Le(e, static_cast<uint64_t>(it.ival), 3);
          break;
        case 0xD0:
          Le(e, static_cast<uint64_t>(it.ival), 4);
          break;
        case 0xE0:
          Le(e, static_cast<uint64_t>(it.ival), 8);
          break;
        default:
          break;  // 0xF1..0xFD: the value is in the encoding byte
      }
    }
    tail = 10 + body.size();
    body += e;
    prev = e.size();
  }
  std::string zl;
  Le(zl, 10 + body.size() + 1, 4);
  Le(zl, tail, 4);
  Le(zl, items.size(), 2);
  zl += body;
  zl.push_back(static_cast<char>(0xFF));
  return zl;
}

std::string Zipmap(const std::vector<std::pair<std::string, std::string>>& pairs, int free) {
  std::string zm(1, static_cast<char>(pairs.size() < 254 ? pairs.size() : 254));
  auto len = [&](size_t n) {
    if (n < 254) {
      zm.push_back(static_cast<char>(n));
    } else {
      zm.push_back(static_cast<char>(0xFE));
      Le(zm, n, 4);
    }
  };
  for (const auto& [f, v] : pairs) {
    len(f.size());
    zm += f;
    len(v.size());
    zm.push_back(static_cast<char>(free));
    zm += v;
    zm += std::string(free, '?');
  }
  zm.push_back(static_cast<char>(0xFF));
  return zm;
}

std::string RdbString(std::string_view s) {
  unsigned char b[9];
  return std::string(reinterpret_cast<char*>(b), EncodeLength(s.size(), b)) + std::string(s);
}
std::string RdbLen(uint64_t n) {
  unsigned char b[9];
  return std::string(reinterpret_cast<char*>(b), EncodeLength(n, b));
}

// type + object + footer, as DUMP writes it.
std::string Payload(uint8_t type, const std::string& object, int version = 9) {
  std::string p(1, static_cast<char>(type));
  p += object;
  Le(p, static_cast<uint64_t>(version), 2);
  Le(p, Crc64(0, p.data(), p.size()), 8);
  return p;
}

Value MustLoad(const std::string& payload, const EncodingLimits& lim = {}) {
  REQUIRE(VerifyPayload(payload));
  auto v = LoadPayload(payload, lim);
  INFO((v ? std::string() : v.error().reason));
  REQUIRE(v.has_value());
  return std::move(*v);
}

std::string Items(const Value& v) {
  const std::string d = DescribeValue(v);
  return d.substr(d.rfind('\t') + 1);
}
std::string HexList(std::initializer_list<std::string_view> xs) {
  std::string out;
  for (auto x : xs) out += (out.empty() ? "" : ",") + Hex(x);
  return out;
}

TEST_CASE("Ziplist lists load with every entry encoding", "[rdb][legacy]") {
  const std::string big(300, 'b');
  const std::string huge(20000, 'h');
  const std::string zl = Ziplist({S("a"), S(big), I(-100, 0xFE), I(-30000, 0xC0), I(-8000000, 0xF0),
                                  I(-2000000000, 0xD0), I(-9000000000000000000, 0xE0), I(0, 0xF1),
                                  I(12, 0xFD), S(huge), S("")});
  const Value v = MustLoad(Payload(kTypeListZiplist, RdbString(zl)));
  REQUIRE(v.type() == ObjType::kList);
  CHECK(Items(v) == HexList({"a", big, "-100", "-30000", "-8000000", "-2000000000",
                             "-9000000000000000000", "0", "12", huge, ""}));

  // The same ziplist as the node of a RDB_TYPE_LIST_QUICKLIST (Redis 3.2 to 6.2), twice.
  const Value q = MustLoad(Payload(kTypeListQuicklist, RdbLen(2) + RdbString(zl) + RdbString(zl)));
  CHECK(q.list().size() == 22);
  CHECK(q.list().node_count() == 2);
}

TEST_CASE("Corrupt ziplists are refused", "[rdb][legacy]") {
  const std::string zl = Ziplist({S("a"), I(5, 0xC0), S("ccc")});
  REQUIRE(LoadPayload(Payload(kTypeListZiplist, RdbString(zl)), {}).has_value());
  for (size_t i = 0; i < zl.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = zl;
      bad[i] ^= static_cast<char>(1 << bit);
      auto v = LoadPayload(Payload(kTypeListZiplist, RdbString(bad)), {});
      if (v) Items(*v);  // a flip inside a string's bytes is still a valid ziplist
    }
  }
  // Specific breakages: wrong prevlen, wrong tail, wrong count, bad encoding byte, no end.
  std::string wrong_prev = zl;
  wrong_prev[10 + 3] = 9;  // second entry's prevlen
  CHECK_FALSE(LoadPayload(Payload(kTypeListZiplist, RdbString(wrong_prev)), {}).has_value());
  std::string wrong_tail = zl;
  wrong_tail[4] = 10;
  CHECK_FALSE(LoadPayload(Payload(kTypeListZiplist, RdbString(wrong_tail)), {}).has_value());
  std::string wrong_count = zl;
  wrong_count[8] = 7;
  CHECK_FALSE(LoadPayload(Payload(kTypeListZiplist, RdbString(wrong_count)), {}).has_value());
  std::string bad_enc = zl;
  bad_enc[10 + 4] = static_cast<char>(0xC5);
  CHECK_FALSE(LoadPayload(Payload(kTypeListZiplist, RdbString(bad_enc)), {}).has_value());
  std::string no_end = zl;
  no_end.back() = 0;
  CHECK_FALSE(LoadPayload(Payload(kTypeListZiplist, RdbString(no_end)), {}).has_value());
  // An empty ziplist list is an empty key (a format error in a payload).
  CHECK_FALSE(LoadPayload(Payload(kTypeListZiplist, RdbString(Ziplist({}))), {}).has_value());
}

TEST_CASE("Ziplist hashes and sorted sets load and convert at the limits", "[rdb][legacy]") {
  const Value h = MustLoad(
      Payload(kTypeHashZiplist, RdbString(Ziplist({S("f1"), S("v1"), S("n"), I(7, 0xF8)}))));
  CHECK(h.encoding() == Encoding::kListpack);
  CHECK(Items(h) == HexList({"f1", "v1", "n", "7"}));

  std::vector<ZlIn> many;
  for (int i = 0; i < 20; ++i) {
    many.push_back(S("f" + std::to_string(i)));
    many.push_back(S("v"));
  }
  EncodingLimits small;
  small.hash_max_listpack_entries = 16;
  small.zset_max_listpack_entries = 4;
  CHECK(MustLoad(Payload(kTypeHashZiplist, RdbString(Ziplist(many))), small).encoding() ==
        Encoding::kHashtable);
  // Duplicate field, odd count.
  CHECK_FALSE(
      LoadPayload(Payload(kTypeHashZiplist, RdbString(Ziplist({S("f"), S("1"), S("f"), S("2")}))),
                  {})
          .has_value());
  CHECK_FALSE(
      LoadPayload(Payload(kTypeHashZiplist, RdbString(Ziplist({S("f"), S("1"), S("g")}))), {})
          .has_value());

  const Value z = MustLoad(
      Payload(kTypeZsetZiplist,
              RdbString(Ziplist({S("a"), I(1, 0xF2), S("b"), S("2.5"), S("c"), S("inf")}))));
  CHECK(z.encoding() == Encoding::kListpack);
  CHECK(Items(z) == HexList({"a", "1", "b", "2.5", "c", "inf"}));
  const Value zbig =
      MustLoad(Payload(kTypeZsetZiplist,
                       RdbString(Ziplist({S("a"), I(1, 0xF2), S("b"), I(2, 0xF3), S("c"),
                                          I(3, 0xF4), S("d"), I(4, 0xF5), S("e"), I(5, 0xF6)}))),
               small);
  CHECK(zbig.encoding() == Encoding::kSkiplist);
  CHECK(zbig.zset().size() == 5);
  // A score that is not a number, and members out of order.
  CHECK_FALSE(
      LoadPayload(Payload(kTypeZsetZiplist, RdbString(Ziplist({S("a"), S("x")}))), {}).has_value());
  CHECK_FALSE(
      LoadPayload(Payload(kTypeZsetZiplist, RdbString(Ziplist({S("a"), S("2"), S("b"), S("1")}))),
                  {})
          .has_value());
}

TEST_CASE("Zipmap hashes load, with big lengths and free bytes", "[rdb][legacy]") {
  const std::string long_value(300, 'z');
  const Value h =
      MustLoad(Payload(kTypeHashZipmap, RdbString(Zipmap({{"a", "1"}, {"bb", "two"}}, 0))));
  CHECK(h.encoding() == Encoding::kListpack);
  CHECK(Items(h) == HexList({"a", "1", "bb", "two"}));
  const Value big =
      MustLoad(Payload(kTypeHashZipmap, RdbString(Zipmap({{"a", long_value}, {"b", "x"}}, 3))));
  CHECK(big.encoding() == Encoding::kHashtable);  // a value over hash-max-listpack-value
  CHECK(Items(big) == HexList({"a", long_value, "b", "x"}));
  // Duplicates, a wrong count, an empty zipmap, a length past the end.
  CHECK_FALSE(
      LoadPayload(Payload(kTypeHashZipmap, RdbString(Zipmap({{"a", "1"}, {"a", "2"}}, 0))), {})
          .has_value());
  std::string wrong_count = Zipmap({{"a", "1"}}, 0);
  wrong_count[0] = 2;
  CHECK_FALSE(LoadPayload(Payload(kTypeHashZipmap, RdbString(wrong_count)), {}).has_value());
  CHECK_FALSE(LoadPayload(Payload(kTypeHashZipmap, RdbString(Zipmap({}, 0))), {}).has_value());
  std::string overrun = Zipmap({{"a", "1"}}, 0);
  overrun[1] = 100;
  CHECK_FALSE(LoadPayload(Payload(kTypeHashZipmap, RdbString(overrun)), {}).has_value());
}

TEST_CASE("Old plain lists and text-double sorted sets load", "[rdb][legacy]") {
  const Value l =
      MustLoad(Payload(kTypeList, RdbLen(3) + RdbString("x") + "\xc0\x05" + RdbString("z")));
  CHECK(Items(l) == HexList({"x", "5", "z"}));

  // RDB_TYPE_ZSET: doubles as text, 253/254/255 for nan/+inf/-inf.
  std::string z = RdbLen(3) + RdbString("a") +
                  "\x03"
                  "1.5" +
                  RdbString("b") + "\xfe" + RdbString("c") + "\xff";
  const Value zs = MustLoad(Payload(kTypeZset, z));
  CHECK(zs.encoding() == Encoding::kListpack);
  CHECK(Items(zs) == HexList({"c", "-inf", "a", "1.5", "b", "inf"}));
  std::string nan = RdbLen(1) + RdbString("a") + "\xfd";
  CHECK_FALSE(LoadPayload(Payload(kTypeZset, nan), {}).has_value());
  // Binary doubles (ZSET_2) with a NaN.
  std::string nan2 = RdbLen(1) + RdbString("a");
  Le(nan2, 0x7ff8000000000000ULL, 8);
  CHECK_FALSE(LoadPayload(Payload(kTypeZset2, nan2), {}).has_value());
  // Duplicates in plain encodings.
  CHECK_FALSE(
      LoadPayload(Payload(kTypeSet, RdbLen(2) + RdbString("1") + RdbString("1")), {}).has_value());
  CHECK_FALSE(
      LoadPayload(Payload(kTypeSet, RdbLen(2) + RdbString("a") + RdbString("a")), {}).has_value());
  CHECK_FALSE(LoadPayload(Payload(kTypeHash, RdbLen(2) + RdbString("f") + RdbString("1") +
                                                 RdbString("f") + RdbString("2")),
                          {})
                  .has_value());
  CHECK_FALSE(LoadPayload(Payload(kTypeZset2, RdbLen(2) + RdbString("m") + std::string(8, '\0') +
                                                  RdbString("m") + std::string(8, '\0')),
                          {})
                  .has_value());
}

TEST_CASE("Plain sets pick intset or hashtable as Redis's loader does", "[rdb][legacy]") {
  EncodingLimits lim;
  lim.set_max_intset_entries = 3;
  CHECK(
      MustLoad(Payload(kTypeSet, RdbLen(3) + RdbString("1") + RdbString("2") + RdbString("3")), lim)
          .encoding() == Encoding::kIntset);
  CHECK(MustLoad(Payload(kTypeSet, RdbLen(4) + RdbString("1") + RdbString("2") + RdbString("3") +
                                       RdbString("4")),
                 lim)
            .encoding() == Encoding::kHashtable);
  CHECK(MustLoad(Payload(kTypeSet, RdbLen(2) + RdbString("1") + RdbString("x")), lim).encoding() ==
        Encoding::kHashtable);
}

TEST_CASE("Unsupported and unknown object types fail with a reason", "[rdb][legacy]") {
  for (uint8_t t : {6, 7, 8, 15, 19, 20, 200}) {
    auto v = LoadPayload(Payload(t, RdbLen(0)), {});
    REQUIRE_FALSE(v.has_value());
    CHECK_FALSE(v.error().reason.empty());
  }
  // Streams load (stream_rdb_test.cc); one cut short after its node count is an error.
  Keyspace ks(16);
  std::string file = "REDIS0010";
  file += static_cast<char>(kTypeStreamListpacks2);
  file += RdbString("s") + RdbLen(0);
  auto r = Load(file, ks, LoadOptions{});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().reason == "unexpected end of file");
  for (uint8_t op : {kOpFunction2, kOpModuleAux}) {
    std::string f = "REDIS0010";
    f += static_cast<char>(op);
    f += RdbString("x");
    Keyspace k2(16);
    CHECK_FALSE(Load(f, k2, LoadOptions{}).has_value());
  }
}

TEST_CASE("An old-version file with EXPIRETIME in seconds and no checksum", "[rdb][legacy]") {
  // Version 4 has no CRC trailer; EXPIRETIME (253) holds seconds.
  std::string f = "REDIS0004";
  f += static_cast<char>(kOpSelectDb);
  f += RdbLen(2);
  f += static_cast<char>(kOpExpireTime);
  Le(f, 2000000000, 4);
  f += static_cast<char>(kTypeString) + RdbString("k") + RdbString("v");
  f += static_cast<char>(kOpExpireTime);
  Le(f, 1000, 4);  // long past
  f += static_cast<char>(kTypeString) + RdbString("old") + RdbString("v");
  f += static_cast<char>(kOpEof);
  Keyspace ks(16);
  LoadOptions lo;
  lo.now_ms = 1700000000000;
  auto r = Load(f, ks, lo);
  INFO((r ? std::string() : r.error().reason));
  REQUIRE(r.has_value());
  CHECK(r->rdb_version == 4);
  CHECK(r->keys_loaded == 1);
  CHECK(r->expired_skipped == 1);
  DbEntry* e = ks.db(2).Peek("k");
  REQUIRE(e != nullptr);
  CHECK(ks.db(2).ExpireOf(*e) == 2000000000000);
}

TEST_CASE("Empty keys in a file are skipped, as Redis 7.0 does", "[rdb][legacy]") {
  std::string f = "REDIS0010";
  f += static_cast<char>(kTypeSet) + RdbString("empty") + RdbLen(0);
  f += static_cast<char>(kTypeListQuicklist2) + RdbString("nolist") + RdbLen(0);
  f += static_cast<char>(kTypeString) + RdbString("k") + RdbString("v");
  f += static_cast<char>(kOpEof);
  Le(f, 0, 8);
  Keyspace ks(16);
  auto r = Load(f, ks, LoadOptions{});
  REQUIRE(r.has_value());
  CHECK(r->empty_keys_skipped == 2);
  CHECK(r->keys_loaded == 1);
}

TEST_CASE("Quicklist 2 plain nodes and bad containers", "[rdb][legacy]") {
  const Value l = MustLoad(Payload(
      kTypeListQuicklist2, RdbLen(1) + RdbLen(kContainerPlain) + RdbString("plain element"), 10));
  CHECK(Items(l) == HexList({"plain element"}));
  CHECK_FALSE(
      LoadPayload(Payload(kTypeListQuicklist2, RdbLen(1) + RdbLen(3) + RdbString("x"), 10), {})
          .has_value());
  CHECK_FALSE(LoadPayload(Payload(kTypeListQuicklist2,
                                  RdbLen(1) + RdbLen(kContainerPacked) + RdbString("garbage"), 10),
                          {})
                  .has_value());
}

}  // namespace
}  // namespace baozi::rdb
