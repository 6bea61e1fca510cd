// Streams in RDB form: DUMP payloads written by redis-server 7.0.15 load and are written back
// byte for byte; the three stream type numbers (15 of Redis 5/6, 19 of 7.0, 21 of 7.2) load,
// with 7.0's derivations for what 15 lacks; whole-file and payload round trips keep entries,
// tombstones, counters, groups, PELs and consumers; corrupt streams are refused and flipped
// bytes never crash the loader (run this under the BAOZI_SANITIZE build); the AOF rewrite of a
// stream equals Redis's BGREWRITEAOF output.
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "persistence/aof.h"
#include "persistence/rdb.h"
#include "persistence/rdb_format.h"
#include "rdb_test_util.h"
#include "storage/stream.h"
#include "storage/stream_validate.h"

namespace baozi::rdb {
namespace {

using testing::Hex;

// DUMP payloads from redis-server 7.0.15 (rdbcompression yes), made by:
//   XADD s 1-1 a 1 b 2; XADD s 1-2 a 3 b 4; XADD s 2-0 c 5; XADD s 3-0 a 7 b 8; XDEL s 1-2
//   XGROUP CREATE s g1 0; XREADGROUP GROUP g1 alice COUNT 2 STREAMS s >
//   XCLAIM s g1 alice 0 1-1 TIME 1000 RETRYCOUNT 3 JUSTID
//   XCLAIM s g1 alice 0 2-0 TIME 2000 RETRYCOUNT 1 JUSTID
//   XGROUP CREATECONSUMER s g1 bob; XGROUP CREATE s g0 $
//   XGROUP CREATE e g $ MKSTREAM
//   XADD big <1000+i>-<i%3> field <i> other v<7i> for i in 0..119, then XDEL of i = 5, 50, 119
// clang-format off
const char kRedisGroups[] =
    "13011000000000000000010000000000000001c34044404a124a0000001f0003010101020181610281620200"
    "200900002001401102050103600902030104200b40130adfff02010181630205010620270002400f02070108"
    "201c00ff030300010101020402026730030081ffffffffffffffff0000026731020081ffffffffffffffff02"
    "00000000000000010000000000000001e8030000000000000300000000000000020000000000000000d00700"
    "0000000000010205616c6963651d970b02a20100000200000000000000010000000000000001000000000000"
    "0002000000000000000003626f621d970b02a2010000000a0055bc44a2e72e971b";
const char kRedisEmpty[] =
    "13000000000000000000010167000081ffffffffffffffff00000a00a01a953dfb9cddde";
const char kRedisBig[] =
    "13021000000000000003e80000000000000000c344b8464c084c0600005e0262010220010e856669656c6406"
    "856f746865720600201100006001048276300305200d800002827637600d8001048376313404401c0003202a"
    "0003200e013231600e0004202c0004400e0038200e01030140210005200e013335200e02020106202c000620"
    "0e013432600e0007202c0007400e0039600e000820210008200e013536600e0009202c0009200e013633600e"
    "000a202c000a200e013730600e000b202c000b400e0037600e000c202c000c200e00388095000d202c000d20"
    "0e00398095000e202c000e400e40950202010f202c070f01847631303505400f0010202d0010400f01313260"
    "0f001120230011600f0039600f0012202f0012400f013236600f0013202f0013400f013333600f0014202f00"
    "14400f013430600f0015202f0015600f0037600f0016202f0016400f013534600f0017202f0017400f013631"
    "600f0018202f0018600f0038600f0019202f0019400f0037809f001a202f001a400f0038809f001b202f001b"
    "600f809f001c202f001c400f0039809f001d202f001d200f013230809f001e202f001e400f0031809f001f20"
    "2f001f600f809f0020202f0020400f0032809f0021202f0021400f0033809f0022202f0022600f809f002320"
    "2f0023400f0034809f0024202f0024400f0035809f0025202f0025600f809f0026202f0026400f0036809f00"
    "27202f0027400f0037809f0028202f0028400f0038809f0029202f0029600f809f002a202f002a400f003980"
    "9f002b202f002b200f013330809f002c202f002c600f809f002d202f002d400f0031809f002e202f002e400f"
    "0032809f002f202f002f600f809f0030202f0030400f0033809f0031202f0031400f0034409f02030132202f"
    "0032400f0035809f0033202f0033600f809f0034202f0034400f0036809f0035202f0035400f0037809f0036"
    "202f0036600f809f0037202f0037400f0038809f0038202f0038400f0039809f0039202f0039600f809f003a"
    "202f003a200f013430809f003b202f003b400f0031409f0202013c202f003c400f0032809f003d202f003d60"
    "0f809f003e2023003e400f0033809f003f202f003f400f0034809f0040202f0040600f809f0041202f004140"
    "0f0035809f0042202f0042400f0036809f0043202f0043600f809f0044202f0044400f0037809f0045202f00"
    "45400f0038809f0046202f0046400f0039809f0047202f0047600f809f0048202f0048200f013530809f0049"
    "202f0049400f0031809f004a202f004a600f809f004b202f004b400f0032809f004c202f004c400f0033809f"
    "004d202f004d600f809f004e202f004e400f0034809f004f202f004f400f0035809f0050202f0050400f0036"
    "809f0051202f0051600f809f0052202f0052400f0037809f0053202f0053400f0038809f0054202f0054600f"
    "809f0055202f0055400f0039809f0056202f0056200f013630809f0057202f0057600f809f0058202f005840"
    "0f0031809f0059202f0059400f0032809f005a202f005a400f0033809f005b202f005b600f809f005c202f00"
    "5c400f0034809f005d202f005d400f0035809f005e202f005e600f809f005f202f005f400f0036809f006020"
    "2f0060400f0037809f0061202f0061600f809f46260062400f0038809f0063202f0063400f0039209f0101ff"
    "10000000000000044c0000000000000001c3411641631a630100007e00130101010201856669656c6406856f"
    "74686572060020110000200108640184763730300505200f40000065600f0037600f050201dfff0266401001"
    "31346010000320300067400f013231600f000420310068600f0038600f000540300069401001333560100006"
    "2030006a400f013432600f00072030006b600f0039600f00084030006c4010013536601000092030006d400f"
    "013633600f000a2030006e400f003780a2000b4030006f601080a3000c20300070400f003880a2000d203000"
    "71400f003980a2000e40300072601080a3000f20300073200f01383080a2001020300074400f003180a20011"
    "40300075601080a3001220300076400f003240a2010301414d0077400f003320a20101ff4075445f0243e800"
    "445f024078000a0078ca2a0c0e949332";
// clang-format on

// The XADDs, XSETID, XGROUPs and XCLAIMs of key "s" in Redis's BGREWRITEAOF base file
// (aof-use-rdb-preamble no) for the dataset above.
const char kRedisAofS[] =
    "*7\r\n$4\r\nXADD\r\n$1\r\ns\r\n$3\r\n1-1\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n"
    "2\r\n*5\r\n$4\r\nXADD\r\n$1\r\ns\r\n$3\r\n2-0\r\n$1\r\nc\r\n$1\r\n5\r\n*7\r\n$4\r\n"
    "XADD\r\n$1\r\ns\r\n$3\r\n3-0\r\n$1\r\na\r\n$1\r\n7\r\n$1\r\nb\r\n$1\r\n8\r\n*7\r\n"
    "$6\r\nXSETID\r\n$1\r\ns\r\n$3\r\n3-0\r\n$12\r\nENTRIESADDED\r\n$1\r\n4\r\n$12\r\n"
    "MAXDELETEDID\r\n$3\r\n1-2\r\n*7\r\n$6\r\nXGROUP\r\n$6\r\nCREATE\r\n$1\r\ns\r\n$2\r\n"
    "g0\r\n$3\r\n3-0\r\n$11\r\nENTRIESREAD\r\n$2\r\n-1\r\n*7\r\n$6\r\nXGROUP\r\n$6\r\n"
    "CREATE\r\n$1\r\ns\r\n$2\r\ng1\r\n$3\r\n2-0\r\n$11\r\nENTRIESREAD\r\n$2\r\n-1\r\n"
    "*12\r\n$6\r\nXCLAIM\r\n$1\r\ns\r\n$2\r\ng1\r\n$5\r\nalice\r\n$1\r\n0\r\n$3\r\n"
    "1-1\r\n$4\r\nTIME\r\n$4\r\n1000\r\n$10\r\nRETRYCOUNT\r\n$1\r\n3\r\n$6\r\nJUSTID\r\n"
    "$5\r\nFORCE\r\n*12\r\n$6\r\nXCLAIM\r\n$1\r\ns\r\n$2\r\ng1\r\n$5\r\nalice\r\n$1\r\n"
    "0\r\n$3\r\n2-0\r\n$4\r\nTIME\r\n$4\r\n2000\r\n$10\r\nRETRYCOUNT\r\n$1\r\n1\r\n$6\r\n"
    "JUSTID\r\n$5\r\nFORCE\r\n*5\r\n$6\r\nXGROUP\r\n$14\r\nCREATECONSUMER\r\n$1\r\ns\r\n"
    "$2\r\ng1\r\n$3\r\nbob\r\n";
const char kRedisAofE[] =
    "*7\r\n$4\r\nXADD\r\n$1\r\ne\r\n$6\r\nMAXLEN\r\n$1\r\n0\r\n$3\r\n0-1\r\n$1\r\nx\r\n"
    "$1\r\ny\r\n*7\r\n$6\r\nXSETID\r\n$1\r\ne\r\n$3\r\n0-0\r\n$12\r\nENTRIESADDED\r\n"
    "$1\r\n0\r\n$12\r\nMAXDELETEDID\r\n$3\r\n0-0\r\n*7\r\n$6\r\nXGROUP\r\n$6\r\n"
    "CREATE\r\n$1\r\ne\r\n$1\r\ng\r\n$3\r\n0-0\r\n$11\r\nENTRIESREAD\r\n$2\r\n-1\r\n";

std::string Unhex(std::string_view h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// Body + RDB version + CRC-64, as DUMP frames an object.
std::string Seal(std::string body) {
  body.push_back(static_cast<char>(kVersion));
  body.push_back(0);
  unsigned char crc[8];
  PutLe64(Crc64(0, body.data(), body.size()), crc);
  body.append(reinterpret_cast<const char*>(crc), 8);
  return body;
}

const EncodingLimits kLimits;

const StreamObject& AsStream(const Expected<Value>& v) {
  REQUIRE(v.has_value());
  REQUIRE(v->type() == ObjType::kStream);
  return v->stream();
}

// Everything a stream holds, tombstones and node boundaries included, as text.
std::string Describe(const StreamObject& s) {
  std::string out = "len=" + std::to_string(s.size()) + " last=" + s.last_id().ToString() +
                    " first=" + s.first_id().ToString() +
                    " maxdel=" + s.max_deleted_id().ToString() +
                    " added=" + std::to_string(s.entries_added()) + "\n";
  s.ForEachNode([&](StreamId master, const Listpack& lp) {
    out += "node " + master.ToString() + " " + std::to_string(lp.bytes()) + " bytes\n";
  });
  for (StreamObject::Iterator it(s, StreamId::Min(), StreamId::Max(), false, false); it.Next();) {
    out += it.id().ToString() + (it.deleted() ? " (deleted)" : "");
    it.ForEachField([&](std::string_view f, std::string_view v) {
      out += " ";
      out += f;
      out += "=";
      out += v;
    });
    out += "\n";
  }
  for (const auto& [name, g] : s.groups()) {
    out += "group " + name + " last=" + g->last_id.ToString() +
           " read=" + std::to_string(g->entries_read) + "\n";
    for (const auto& [id, nack] : g->pel) {
      out += "  nack " + id.ToString() + " t=" + std::to_string(nack.delivery_time) +
             " n=" + std::to_string(nack.delivery_count) + " by " + nack.consumer->name + "\n";
    }
    for (const auto& [cname, c] : g->consumers) {
      out += "  consumer " + cname + " seen=" + std::to_string(c->seen_time) + ":";
      for (const auto& [id, nack] : c->pel) {
        out += " " + id.ToString();
        REQUIRE(nack == &g->pel.at(id));
      }
      out += "\n";
    }
  }
  return out;
}

// Writes stream payloads field by field, for the older and newer type numbers and for
// corrupt variants.
class Builder {
 public:
  Builder& Byte(uint8_t b) {
    body_.push_back(static_cast<char>(b));
    return *this;
  }
  Builder& Len(uint64_t n) {
    unsigned char b[9];
    body_.append(reinterpret_cast<const char*>(b), EncodeLength(n, b));
    return *this;
  }
  Builder& Str(std::string_view s) {
    Len(s.size());
    body_.append(s);
    return *this;
  }
  Builder& Id(StreamId id) { return Len(id.ms).Len(id.seq); }
  Builder& RawId(StreamId id) {
    unsigned char b[16];
    id.Encode(b);
    body_.append(reinterpret_cast<const char*>(b), 16);
    return *this;
  }
  Builder& Ms(int64_t ms) {
    unsigned char b[8];
    PutLe64(static_cast<uint64_t>(ms), b);
    body_.append(reinterpret_cast<const char*>(b), 8);
    return *this;
  }
  Builder& Node(StreamId master, const Listpack& lp) {
    unsigned char key[16];
    master.Encode(key);
    Str(std::string_view(reinterpret_cast<const char*>(key), 16));
    return Str(std::string_view(reinterpret_cast<const char*>(lp.data()), lp.bytes()));
  }
  std::string Payload() const { return Seal(body_); }

 private:
  std::string body_;
};

// A node from its elements; numbers become listpack integers.
Listpack Lp(const std::vector<std::string>& elements) {
  Listpack lp;
  for (const auto& e : elements) lp.Append(e);
  return lp;
}

// The node Redis builds for XADD 1-1 a 1 b 2; XADD 1-2 a 3 b 4; XADD 2-0 c 5.
std::vector<std::string> GoodNode() {
  return {"3", "0", "2",  "a", "b", "0",        // master entry
          "2", "0", "0",  "1", "2", "5",        // 1-1, same fields
          "2", "0", "1",  "3", "4", "5",        // 1-2, same fields
          "0", "1", "-1", "1", "c", "5", "6"};  // 2-0, own field
}
constexpr StreamId kMaster{1, 1};

StreamObject::NodeLimits Limits() { return {}; }

void Add(StreamObject& s, StreamId id, std::vector<std::string_view> fv) {
  s.Append(id, fv, Limits());
}

struct PelSpec {
  StreamId id;
  int64_t time;
  uint64_t count;
};
struct ConsumerSpec {
  std::string name;
  int64_t seen;
  std::vector<StreamId> pel;
};

// A type 15/19/21 payload holding the GoodNode() stream (length 3, last ID 2-0) and one group
// "g" at 1-2 with the given PEL and consumers; `groups` > 1 repeats the group (same name).
std::string Craft(uint8_t type, const std::vector<PelSpec>& pel,
                  const std::vector<ConsumerSpec>& consumers, int groups = 1,
                  const std::vector<std::string>& node = GoodNode(), uint64_t length = 3) {
  Builder b;
  b.Byte(type).Len(1).Node(kMaster, Lp(node)).Len(length).Id({2, 0});
  if (type != kTypeStreamListpacks) b.Id({1, 1}).Id({0, 0}).Len(3);
  b.Len(groups);
  for (int i = 0; i < groups; ++i) {
    b.Str("g").Id({1, 2});
    if (type != kTypeStreamListpacks) b.Len(2);
    b.Len(pel.size());
    for (const auto& p : pel) b.RawId(p.id).Ms(p.time).Len(p.count);
    b.Len(consumers.size());
    for (const auto& c : consumers) {
      b.Str(c.name).Ms(c.seen);
      if (type == kTypeStreamListpacks3) b.Ms(c.seen + 5);
      b.Len(c.pel.size());
      for (StreamId id : c.pel) b.RawId(id);
    }
  }
  return b.Payload();
}

const std::vector<PelSpec> kPel = {{{1, 1}, 1000, 3}, {{1, 2}, 2000, 1}};
const std::vector<ConsumerSpec> kConsumers = {{"alice", 500, {{1, 1}, {1, 2}}}, {"bob", 600, {}}};

// Loads and must fail.
void Rejects(const std::string& payload) {
  REQUIRE(VerifyPayload(payload));
  CHECK_FALSE(LoadPayload(payload, kLimits).has_value());
}

TEST_CASE("Redis 7.0 stream payloads load and are written back byte for byte", "[rdb][stream]") {
  for (const char* hex : {kRedisGroups, kRedisEmpty, kRedisBig}) {
    const std::string payload = Unhex(hex);
    REQUIRE(VerifyPayload(payload));
    auto v = LoadPayload(payload, kLimits);
    REQUIRE(v.has_value());
    CHECK(v->encoding() == Encoding::kStream);
    CHECK(Hex(DumpPayload(*v, true)) == Hex(payload));
  }
}

TEST_CASE("what a Redis stream payload holds", "[rdb][stream]") {
  auto v = LoadPayload(Unhex(kRedisGroups), kLimits);
  const StreamObject& s = AsStream(v);
  const std::string d = Describe(s);
  CHECK(d.starts_with("len=3 last=3-0 first=1-1 maxdel=1-2 added=4\nnode 1-1 "));
  CHECK(d.find("1-1 a=1 b=2\n1-2 (deleted) a=3 b=4\n2-0 c=5\n3-0 a=7 b=8\n") != std::string::npos);
  CHECK(d.find("group g0 last=3-0 read=-1\ngroup g1 last=2-0 read=-1\n"
               "  nack 1-1 t=1000 n=3 by alice\n  nack 2-0 t=2000 n=1 by alice\n") !=
        std::string::npos);
  CHECK(d.find("  consumer alice seen=") != std::string::npos);
  CHECK(d.find("  consumer bob seen=") != std::string::npos);

  // The same entries appended here make the same node bytes (so DUMP equals Redis's).
  StreamObject mine;
  Add(mine, {1, 1}, {"a", "1", "b", "2"});
  Add(mine, {1, 2}, {"a", "3", "b", "4"});
  Add(mine, {2, 0}, {"c", "5"});
  Add(mine, {3, 0}, {"a", "7", "b", "8"});
  REQUIRE(mine.Delete({1, 2}));
  std::string theirs_lp, mine_lp;
  s.ForEachNode([&](StreamId, const Listpack& lp) {
    theirs_lp.assign(reinterpret_cast<const char*>(lp.data()), lp.bytes());
  });
  mine.ForEachNode([&](StreamId, const Listpack& lp) {
    mine_lp.assign(reinterpret_cast<const char*>(lp.data()), lp.bytes());
  });
  CHECK(Hex(mine_lp) == Hex(theirs_lp));

  auto big = LoadPayload(Unhex(kRedisBig), kLimits);
  CHECK(AsStream(big).node_count() == 2);
  CHECK(AsStream(big).size() == 117);
  auto empty = LoadPayload(Unhex(kRedisEmpty), kLimits);
  CHECK(AsStream(empty).size() == 0);
  CHECK(AsStream(empty).groups().size() == 1);
}

TEST_CASE("the node listpack matches the one appended entry by entry", "[rdb][stream]") {
  StreamObject s;
  Add(s, {1, 1}, {"a", "1", "b", "2"});
  Add(s, {1, 2}, {"a", "3", "b", "4"});
  Add(s, {2, 0}, {"c", "5"});
  const Listpack expected = Lp(GoodNode());
  s.ForEachNode([&](StreamId master, const Listpack& lp) {
    CHECK(master == kMaster);
    CHECK(Hex(std::string_view(reinterpret_cast<const char*>(lp.data()), lp.bytes())) ==
          Hex(std::string_view(reinterpret_cast<const char*>(expected.data()), expected.bytes())));
  });
  StreamNodeSummary sum;
  REQUIRE(ValidateStreamNode(kMaster, expected.data(), expected.bytes(), true, &sum));
  CHECK(sum.live == 3);
  CHECK(sum.deleted == 0);
  CHECK(sum.first_live == StreamId{1, 1});
  CHECK(sum.last_live == StreamId{2, 0});
}

TEST_CASE("the three stream type numbers", "[rdb][stream]") {
  auto v19 = LoadPayload(Craft(kTypeStreamListpacks2, kPel, kConsumers), kLimits);
  const std::string d19 = Describe(AsStream(v19));
  CHECK(d19.starts_with("len=3 last=2-0 first=1-1 maxdel=0-0 added=3\n"));
  CHECK(d19.find("group g last=1-2 read=2\n  nack 1-1 t=1000 n=3 by alice\n"
                 "  nack 1-2 t=2000 n=1 by alice\n  consumer alice seen=500: 1-1 1-2\n"
                 "  consumer bob seen=600:\n") != std::string::npos);

  SECTION("21 (Redis 7.2): the consumers' active time is read and dropped") {
    auto v21 = LoadPayload(Craft(kTypeStreamListpacks3, kPel, kConsumers), kLimits);
    CHECK(Describe(AsStream(v21)) == d19);
    // Written back as 7.0 writes it.
    CHECK(DumpPayload(*v21, false) == Craft(kTypeStreamListpacks2, kPel, kConsumers));
  }
  SECTION("15 (Redis 5 and 6): counters derived as Redis 7.0 derives them") {
    auto v15 = LoadPayload(Craft(kTypeStreamListpacks, kPel, kConsumers), kLimits);
    const StreamObject& s = AsStream(v15);
    CHECK(s.entries_added() == 3);
    CHECK(s.max_deleted_id() == StreamId{0, 0});
    CHECK(s.first_id() == StreamId{1, 1});
    // streamEstimateDistanceFromFirstEverEntry knows only the positions before or at the
    // first entry and at the last ID; 1-2 sits in between.
    CHECK(s.groups().at("g")->entries_read == StreamGroup::kInvalidEntriesRead);
  }
  SECTION("15 with a tombstone first: the first ID skips it") {
    auto node = GoodNode();
    node[0] = "2";
    node[1] = "1";
    node[6] = "3";  // 1-1 deleted (DELETED | SAMEFIELDS)
    auto v15 = LoadPayload(Craft(kTypeStreamListpacks, {}, {}, 0, node, 2), kLimits);
    CHECK(AsStream(v15).first_id() == StreamId{1, 2});
    CHECK(AsStream(v15).entries_added() == 2);
  }
  SECTION("an unknown type stays unknown") {
    std::string p = Craft(kTypeStreamListpacks2, kPel, kConsumers);
    p[0] = 20;
    CHECK_FALSE(LoadPayload(Seal(p.substr(0, p.size() - 10)), kLimits).has_value());
  }
}

TEST_CASE("an entry may sit behind a tombstone above the last ID", "[rdb][stream]") {
  // XADD 1-1, 1-2, 1-3; XDEL 1-3; XSETID 1-2; XADD 1-3: Redis keeps both 1-3s in the node.
  const std::vector<std::string> node = {"3", "1", "1", "a", "0",             // master
                                         "2", "0", "0", "1", "4",             // 1-1
                                         "2", "0", "1", "1", "4",             // 1-2
                                         "3", "0", "2", "1", "4",             // 1-3 deleted
                                         "0", "0", "2", "1", "b", "2", "6"};  // 1-3 again
  Builder b;
  b.Byte(kTypeStreamListpacks2).Len(1).Node(kMaster, Lp(node)).Len(3).Id({1, 3});
  b.Id({1, 1}).Id({1, 3}).Len(4).Len(0);
  auto v = LoadPayload(b.Payload(), kLimits);
  CHECK(Describe(AsStream(v)).find("1-3 (deleted) a=1\n1-3 b=2\n") != std::string::npos);
}

TEST_CASE("corrupt streams are refused", "[rdb][stream]") {
  SECTION("the structure of a node") {
    auto bad = [](auto edit) {
      auto node = GoodNode();
      edit(node);
      Rejects(Craft(kTypeStreamListpacks2, {}, {}, 0, node));
    };
    bad([](auto& n) { n[24] = "5"; });       // lp-count off
    bad([](auto& n) { n[0] = "2"; });        // live count
    bad([](auto& n) { n[1] = "1"; });        // deleted count
    bad([](auto& n) { n[5] = "1"; });        // master terminator
    bad([](auto& n) { n[2] = "-1"; });       // negative field count
    bad([](auto& n) { n[6] = "4"; });        // unknown flag
    bad([](auto& n) { n[6] = "x"; });        // flags not an integer
    bad([](auto& n) { n[7] = "ms"; });       // ID difference not an integer
    bad([](auto& n) { n[8] = "-1"; });       // first entry below the master (1-0)
    bad([](auto& n) { n[14] = "0"; });       // 1-1 twice
    bad([](auto& n) { n.push_back("0"); });  // trailing element
    bad([](auto& n) { n.pop_back(); });      // missing lp-count
    bad([](auto& n) { n.resize(6); });       // entries missing
    bad([](auto& n) { n[21] = "2"; });       // fields run past the end
  }
  SECTION("nodes") {
    Listpack good = Lp(GoodNode());
    auto with_nodes = [&](auto add) {
      Builder b;
      b.Byte(kTypeStreamListpacks2);
      add(b);
      b.Len(3).Id({2, 0}).Id({1, 1}).Id({0, 0}).Len(3).Len(0);
      return b.Payload();
    };
    // A node key that is not 16 bytes.
    Rejects(with_nodes([&](Builder& b) {
      b.Len(1)
          .Str("123456789012345")
          .Str(std::string_view(reinterpret_cast<const char*>(good.data()), good.bytes()));
    }));
    // An empty listpack.
    Rejects(with_nodes([&](Builder& b) { b.Len(1).Node(kMaster, Listpack()); }));
    // Not a listpack.
    Rejects(with_nodes([&](Builder& b) {
      unsigned char key[16];
      kMaster.Encode(key);
      b.Len(1).Str(std::string_view(reinterpret_cast<const char*>(key), 16)).Str("garbage!");
    }));
    // The same node twice.
    Rejects(with_nodes([&](Builder& b) { b.Len(2).Node(kMaster, good).Node(kMaster, good); }));
    // A second node whose entries lie below the first's.
    Rejects(with_nodes([&](Builder& b) { b.Len(2).Node(kMaster, good).Node({0, 5}, good); }));
  }
  SECTION("the stream's metadata") {
    Rejects(Craft(kTypeStreamListpacks2, {}, {}, 0, GoodNode(), 4));  // length
    Builder b;  // last ID below the last entry
    b.Byte(kTypeStreamListpacks2).Len(1).Node(kMaster, Lp(GoodNode())).Len(3).Id({1, 5});
    b.Id({1, 1}).Id({0, 0}).Len(3).Len(0);
    Rejects(b.Payload());
    Builder e;  // entries without any node
    e.Byte(kTypeStreamListpacks2).Len(0).Len(3).Id({2, 0}).Id({1, 1}).Id({0, 0}).Len(3).Len(0);
    Rejects(e.Payload());
  }
  SECTION("groups, PELs and consumers") {
    Rejects(Craft(kTypeStreamListpacks2, kPel, kConsumers, 2));  // duplicate group
    Rejects(Craft(kTypeStreamListpacks2, {kPel[0], kPel[0]}, {{"alice", 1, {{1, 1}}}}));
    Rejects(Craft(kTypeStreamListpacks2, kPel, {kConsumers[0], kConsumers[0]}));
    // A consumer's entry missing from the group's PEL.
    Rejects(Craft(kTypeStreamListpacks2, kPel, {{"alice", 1, {{1, 1}, {1, 2}, {2, 0}}}}));
    // A NACK nobody owns.
    Rejects(Craft(kTypeStreamListpacks2, kPel, {{"alice", 1, {{1, 1}}}}));
    // A NACK owned twice, by one consumer or by two.
    Rejects(Craft(kTypeStreamListpacks2, kPel, {{"alice", 1, {{1, 1}, {1, 1}, {1, 2}}}}));
    Rejects(Craft(kTypeStreamListpacks2, kPel, {{"a", 1, {{1, 1}, {1, 2}}}, {"b", 1, {{1, 1}}}}));
  }
  SECTION("every truncation") {
    for (const std::string& p :
         {Unhex(kRedisGroups), Craft(kTypeStreamListpacks3, kPel, kConsumers)}) {
      const std::string body = p.substr(0, p.size() - 10);
      for (size_t n = 1; n < body.size(); ++n) {
        CHECK_FALSE(LoadPayload(Seal(body.substr(0, n)), kLimits).has_value());
      }
    }
  }
}

TEST_CASE("streams survive a whole-file round trip", "[rdb][stream]") {
  Keyspace ks(16);
  for (const char* hex : {kRedisGroups, kRedisEmpty, kRedisBig}) {
    auto v = LoadPayload(Unhex(hex), kLimits);
    REQUIRE(v.has_value());
    ks.db(hex == kRedisBig ? 3 : 0)
        .Add(hex == kRedisGroups  ? "s"
             : hex == kRedisEmpty ? "e"
                                  : "b",
             std::move(*v));
  }
  StreamObject* made = new StreamObject();
  for (uint64_t i = 1; i <= 1000; ++i) {
    const std::string v = std::string(i % 50, 'v');
    Add(*made, {i, i % 4}, {"f", v, "n", std::to_string(i)});
  }
  StreamGroup* g = made->CreateGroup("grp", {500, 0}, 500);
  StreamConsumer* c = g->CreateConsumer("c", 77);
  for (uint64_t i = 1; i < 500; i += 7) g->Deliver({i, i % 4}, c, 1000 + static_cast<int64_t>(i));
  REQUIRE(made->node_count() > 3);
  DbEntry& e = ks.db(0).Add("made", Value::Wrap(made));
  ks.db(0).SetExpire(e, 1900000000000);

  for (bool compress : {true, false}) {
    std::string file;
    StringSink sink(&file);
    SaveOptions so;
    so.compress = compress;
    REQUIRE(Save(ks, sink, so));
    Keyspace back(16);
    auto r = Load(file, back, LoadOptions{});
    REQUIRE(r.has_value());
    CHECK(r->keys_loaded == 4);
    for (auto [db, key] : {std::pair{0, "s"}, {0, "e"}, {3, "b"}, {0, "made"}}) {
      DbEntry* a = ks.db(db).Peek(key);
      DbEntry* b = back.db(db).Peek(key);
      REQUIRE(b != nullptr);
      CHECK(Describe(b->value.stream()) == Describe(a->value.stream()));
      CHECK(DumpPayload(b->value, compress) == DumpPayload(a->value, compress));
    }
    CHECK(back.db(0).ExpireOf(*back.db(0).Peek("made")) == 1900000000000);
  }
}

TEST_CASE("the AOF rewrite of a stream equals Redis's", "[aof][stream]") {
  for (auto [hex, key, expected] :
       {std::tuple{kRedisGroups, "s", kRedisAofS}, {kRedisEmpty, "e", kRedisAofE}}) {
    Keyspace ks(16);
    auto v = LoadPayload(Unhex(hex), kLimits);
    REQUIRE(v.has_value());
    ks.db(0).Add(key, std::move(*v));
    std::string out;
    StringSink sink(&out);
    REQUIRE(aof::RewriteAsCommands(ks, sink, aof::RewriteOptions{}));
    CHECK(out == std::string("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n") + expected);
  }
}

// Walks everything a loaded stream offers, so the sanitizers see every read.
void Exercise(const StreamObject& s) {
  size_t n = 0;
  for (bool rev : {false, true}) {
    for (StreamObject::Iterator it(s, StreamId::Min(), StreamId::Max(), rev, false); it.Next();) {
      it.ForEachField([&](std::string_view f, std::string_view v) { n += f.size() + v.size(); });
    }
  }
  (void)s.EdgeId(true, true);
  (void)s.EdgeId(false, false);
  (void)s.LastValidId();
  (void)s.RaxNodeCount();
  StreamObject copy(s);
  for (const auto& [name, g] : copy.groups()) {
    while (!g->consumers.empty()) g->DeleteConsumer(g->consumers.begin()->first);
    CHECK(g->pel.empty());
  }
  CHECK(n < (size_t{1} << 40));
}

TEST_CASE("flipped bytes in stream payloads never crash the loader", "[rdb][stream][fuzz]") {
  std::mt19937 rng(20261122);
  size_t loaded = 0;
  for (const std::string& base : {Unhex(kRedisGroups), Unhex(kRedisEmpty), Unhex(kRedisBig),
                                  Craft(kTypeStreamListpacks, kPel, kConsumers),
                                  Craft(kTypeStreamListpacks3, kPel, kConsumers)}) {
    const std::string body = base.substr(0, base.size() - 10);
    for (int round = 0; round < 4000; ++round) {
      std::string p = body;
      const int flips = 1 + static_cast<int>(rng() % 2);
      for (int i = 0; i < flips; ++i) {
        p[rng() % p.size()] ^= static_cast<char>(1 + rng() % 255);
      }
      auto v = LoadPayload(Seal(p), kLimits);
      if (!v || v->type() != ObjType::kStream) continue;
      ++loaded;
      Exercise(v->stream());
      // Whatever loads must save and load again to the same thing.
      auto again = LoadPayload(DumpPayload(*v, true), kLimits);
      REQUIRE(again.has_value());
      CHECK(Describe(again->stream()) == Describe(v->stream()));
    }
  }
  CHECK(loaded > 1000);
}

}  // namespace
}  // namespace baozi::rdb
