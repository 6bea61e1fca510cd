// Listpack against Redis 7.0.15's byte format. The known buffers below were produced by the real
// redis-server (Debian 7.0.15, rdbcompression off, list-max-listpack-size -5): the values were
// RPUSHed or HSET, `DUMP key` was taken, and the listpack string was cut out of the RDB payload
// (quicklist-2 node, or hash-listpack value). The rest checks every encoding boundary, walking,
// seeking, the mutations at the head/middle/tail, Find with skip, the saturating u16 count,
// hostile buffers, and a long random run against a std::vector<std::string> model.
#include "storage/listpack.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace baozi {
namespace {

using Pos = Listpack::Pos;

std::string Hex(const unsigned char* p, size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += kDigits[p[i] >> 4];
    out += kDigits[p[i] & 15];
  }
  return out;
}

std::string Hex(const Listpack& lp) { return Hex(lp.data(), lp.bytes()); }

uint64_t Fnv1a(const unsigned char* p, size_t n) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ULL;
  return h;
}

std::string At(const Listpack& lp, Pos p) {
  char buf[kIntBufSize];
  return std::string(lp.Get(p).View(buf));
}

std::vector<std::string> Forward(const Listpack& lp) {
  std::vector<std::string> out;
  for (Pos p = lp.First(); p != Listpack::kNone; p = lp.Next(p)) out.push_back(At(lp, p));
  return out;
}

std::vector<std::string> Backward(const Listpack& lp) {
  std::vector<std::string> out;
  for (Pos p = lp.Last(); p != Listpack::kNone; p = lp.Prev(p)) out.push_back(At(lp, p));
  return out;
}

void CheckMatches(const Listpack& lp, const std::vector<std::string>& model) {
  REQUIRE(Listpack::Validate(lp.data(), lp.bytes(), true));
  REQUIRE(lp.size() == model.size());
  REQUIRE(lp.empty() == model.empty());
  REQUIRE(Forward(lp) == model);
  std::vector<std::string> rev(model.rbegin(), model.rend());
  REQUIRE(Backward(lp) == rev);
}

std::vector<unsigned char> Unhex(std::string_view h) {
  std::vector<unsigned char> out;
  auto nib = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (size_t i = 0; i + 1 < h.size(); i += 2) {
    out.push_back(static_cast<unsigned char>(nib(h[i]) << 4 | nib(h[i + 1])));
  }
  return out;
}

TEST_CASE("empty listpack", "[listpack]") {
  Listpack lp;
  CHECK(Hex(lp) == "070000000000ff");
  CHECK(lp.bytes() == 7);
  CHECK(lp.size() == 0);
  CHECK(lp.empty());
  CHECK(lp.First() == Listpack::kNone);
  CHECK(lp.Last() == Listpack::kNone);
  CHECK(lp.Seek(0) == Listpack::kNone);
  CHECK(lp.Seek(-1) == Listpack::kNone);
  CHECK(lp.Find(lp.First(), "a", 0) == Listpack::kNone);
  CHECK(lp.MemoryUsage() == 0);  // the shared buffer
  CHECK(lp.Delete(Listpack::kNone) == Listpack::kNone);
  lp.DeleteRange(int64_t{0}, 5);
  lp.Clear();
  CHECK(Listpack::Validate(lp.data(), lp.bytes(), true));

  // Moved-from and emptied listpacks stay usable.
  Listpack a;
  a.Append("x");
  CHECK(a.MemoryUsage() >= 10);
  Listpack b(std::move(a));
  CHECK(a.size() == 0);  // NOLINT(bugprone-use-after-move): documented moved-from state
  a.Append("y");
  CHECK(Forward(a) == std::vector<std::string>{"y"});
  CHECK(Forward(b) == std::vector<std::string>{"x"});
  b.Delete(b.First());
  CHECK(Hex(b) == "070000000000ff");
  b.Append("z");
  a.Clear();
  CHECK(Hex(a) == "070000000000ff");
  CHECK(Forward(b) == std::vector<std::string>{"z"});
}

struct Boundary {
  std::string value;
  bool is_int;
  std::string head;   // expected leading bytes of the entry, hex
  size_t entry_size;  // encoding + data + backlen
};

TEST_CASE("every encoding boundary round-trips", "[listpack]") {
  const std::vector<Boundary> cases = {
      {"0", true, "00", 2},
      {"127", true, "7f", 2},
      {"128", true, "c080", 3},
      {"-1", true, "dfff", 3},
      {"-4096", true, "d000", 3},
      {"4095", true, "cfff", 3},
      {"4096", true, "f10010", 4},
      {"-4097", true, "f1ffef", 4},
      {"32767", true, "f1ff7f", 4},
      {"-32768", true, "f10080", 4},
      {"32768", true, "f2008000", 5},
      {"-32769", true, "f2ff7fff", 5},
      {"8388607", true, "f2ffff7f", 5},
      {"-8388608", true, "f2000080", 5},
      {"8388608", true, "f300008000", 6},
      {"-8388609", true, "f3ffff7fff", 6},
      {"2147483647", true, "f3ffffff7f", 6},
      {"-2147483648", true, "f300000080", 6},
      {"2147483648", true, "f40000008000000000", 10},
      {"-2147483649", true, "f4ffffff7fffffffff", 10},
      {"9223372036854775807", true, "f4ffffffffffffff7f", 10},
      {"-9223372036854775808", true, "f40000000000000080", 10},
      // Not canonical int64s: stored as strings.
      {"9223372036854775808", false, "93", 21},
      {"-9223372036854775809", false, "94", 22},
      {"007", false, "83303037", 5},
      {"-0", false, "822d30", 4},
      {" 1", false, "822031", 4},
      {"1 ", false, "823120", 4},
      {"+1", false, "822b31", 4},
      {"", false, "80", 2},
      {"-", false, "812d", 3},
      {std::string(63, 'x'), false, "bf78", 65},
      {std::string(64, 'x'), false, "e04078", 67},
      {std::string(125, 'x'), false, "e07d78", 128},  // encoded 127: 1-byte backlen
      {std::string(126, 'x'), false, "e07e78", 130},  // encoded 128: 2-byte backlen
      {std::string(4095, 'x'), false, "efff78", 4099},
      {std::string(4096, 'x'), false, "f00010000078", 4103},
      {std::string(16377, 'x'), false, "f0f93f000078", 16384},  // encoded 16382: 2 bytes
      {std::string(16378, 'x'), false, "f0fa3f000078", 16386},  // encoded 16383: 3 (Redis)
  };
  Listpack all;
  std::vector<std::string> model;
  for (const auto& c : cases) {
    INFO(c.value.substr(0, 24) << " (" << c.value.size() << " bytes)");
    Listpack lp;
    lp.Append(c.value);
    REQUIRE(lp.size() == 1);
    CHECK(lp.bytes() == 7 + c.entry_size);
    CHECK(Hex(lp.data() + 6, c.head.size() / 2) == c.head);
    const LpEntry e = lp.Get(lp.First());
    CHECK(e.is_int() == c.is_int);
    CHECK(At(lp, lp.First()) == c.value);
    CHECK(lp.Equals(lp.First(), c.value));
    CHECK(lp.Find(lp.First(), c.value, 0) == lp.First());
    CHECK(Listpack::Validate(lp.data(), lp.bytes(), true));
    // The integer entry points straight to AppendInt's encoding too.
    if (c.is_int) {
      Listpack li;
      li.AppendInt(e.ival);
      CHECK(Hex(li) == Hex(lp));
      CHECK(std::to_string(e.ival) == c.value);
    }
    all.Append(c.value);
    model.push_back(c.value);
    all.Prepend(c.value);
    model.insert(model.begin(), c.value);
  }
  CheckMatches(all, model);
}

TEST_CASE("Equals compares integers by their string form", "[listpack]") {
  Listpack lp;
  lp.Append("7");
  lp.Append("007");
  lp.Append("-0");
  const Pos seven = lp.First(), zeros = lp.Next(seven), minus = lp.Next(zeros);
  CHECK(lp.Equals(seven, "7"));
  CHECK_FALSE(lp.Equals(seven, "007"));
  CHECK_FALSE(lp.Equals(seven, "07"));
  CHECK_FALSE(lp.Equals(seven, "7 "));
  CHECK_FALSE(lp.Equals(seven, "+7"));
  CHECK(lp.Equals(zeros, "007"));
  CHECK_FALSE(lp.Equals(zeros, "7"));
  CHECK(lp.Equals(minus, "-0"));
  CHECK_FALSE(lp.Equals(minus, "0"));
  CHECK(lp.Find(lp.First(), "007", 0) == zeros);
  CHECK(lp.Find(lp.First(), "-0", 0) == minus);
  CHECK(lp.Find(lp.First(), "0", 0) == Listpack::kNone);
}

TEST_CASE("byte-exact buffers from Redis 7.0.15", "[listpack]") {
  SECTION("RPUSH of every integer width and a few near-integers") {
    const std::vector<std::string> vals = {"a",
                                           "b",
                                           "c",
                                           "0",
                                           "1",
                                           "-1",
                                           "127",
                                           "128",
                                           "-4096",
                                           "4095",
                                           "4096",
                                           "-4097",
                                           "32767",
                                           "32768",
                                           "-32768",
                                           "-32769",
                                           "8388607",
                                           "8388608",
                                           "-8388608",
                                           "-8388609",
                                           "2147483647",
                                           "2147483648",
                                           "-2147483648",
                                           "-2147483649",
                                           "9223372036854775807",
                                           "-9223372036854775808",
                                           "9223372036854775808",
                                           "-9223372036854775809",
                                           "007",
                                           "-0",
                                           " 1",
                                           "1 ",
                                           "+1",
                                           ""};
    const std::string expected =
        "c8000000220081610281620281630200010101dfff027f01c08002d00002cfff02f1001003f1ffef"
        "03f1ff7f03f200800004f1008003f2ff7fff04f2ffff7f04f30000800005f200008004f3ffff7fff"
        "05f3ffffff7f05f4000000800000000009f30000008005f4ffffff7fffffffff09f4ffffffffffff"
        "ff7f09f4000000000000008009933932323333373230333638353437373538303814942d39323233"
        "333732303336383534373735383039158330303704822d30038220310382312003822b31038001ff";
    Listpack lp;
    for (const auto& v : vals) lp.Append(v);
    CHECK(Hex(lp) == expected);
    CheckMatches(lp, vals);
    // Adopting Redis's bytes gives the same listpack.
    const auto raw = Unhex(expected);
    REQUIRE(Listpack::Validate(raw.data(), raw.size(), true));
    auto adopted = Listpack::TryFromBytes(raw.data(), raw.size(), true);
    REQUIRE(adopted.has_value());
    CheckMatches(*adopted, vals);
    // Built from the other end, same bytes.
    Listpack rev;
    for (auto it = vals.rbegin(); it != vals.rend(); ++it) rev.Prepend(*it);
    CHECK(Hex(rev) == expected);
  }
  SECTION("long strings around the backlen and length-field boundaries") {
    const std::vector<std::string> vals = {std::string(63, 'x'),    std::string(64, 'y'),
                                           std::string(125, 'z'),   std::string(126, 'q'),
                                           std::string(4095, 'w'),  std::string(4096, 'v'),
                                           std::string(16377, 'u'), std::string(16378, 't')};
    Listpack lp;
    for (const auto& v : vals) lp.Append(v);
    CHECK(lp.bytes() == 41369);
    CHECK(Fnv1a(lp.data(), lp.bytes()) == 0x8941acf929bce714ULL);
    CheckMatches(lp, vals);
  }
  SECTION("HSET name baozi age 7 neg -12345 f 3.14") {
    Listpack lp;
    lp.AppendPair("name", "baozi");
    lp.AppendPair("age", "7");
    lp.AppendPair("neg", "-12345");
    lp.AppendPair("f", "3.14");
    CHECK(Hex(lp) ==
          "2d0000000800846e616d65058562616f7a690683616765040701836e656704f1c7cf0381660284332e31"
          "3405ff");
  }
}

TEST_CASE("walking, Seek and Find", "[listpack]") {
  Listpack lp;
  std::vector<std::string> model;
  for (int i = 0; i < 50; ++i) {
    model.push_back(i % 3 == 0 ? std::to_string(i * 1000) : "s" + std::to_string(i));
    lp.Append(model.back());
  }
  CheckMatches(lp, model);
  for (int64_t i = -60; i < 60; ++i) {
    const Pos p = lp.Seek(i);
    const int64_t idx = i < 0 ? i + 50 : i;
    if (idx < 0 || idx >= 50) {
      CHECK(p == Listpack::kNone);
    } else {
      CHECK(At(lp, p) == model[static_cast<size_t>(idx)]);
    }
  }
  CHECK(lp.Seek(INT64_MIN) == Listpack::kNone);
  CHECK(lp.Seek(INT64_MAX) == Listpack::kNone);
  CHECK(lp.Seek(0) == lp.First());
  CHECK(lp.Seek(-1) == lp.Last());

  // Find from every start, with skips.
  CHECK(lp.Find(lp.First(), "s1", 0) == lp.Seek(1));
  CHECK(lp.Find(lp.First(), "3000", 0) == lp.Seek(3));
  CHECK(lp.Find(lp.Seek(4), "3000", 0) == Listpack::kNone);
  CHECK(lp.Find(lp.First(), "3000", 1) == Listpack::kNone);  // index 3 is odd
  CHECK(lp.Find(lp.Seek(1), "3000", 1) == lp.Seek(3));
  CHECK(lp.Find(lp.First(), "6000", 1) == lp.Seek(6));
  CHECK(lp.Find(lp.First(), "s49", 2) == Listpack::kNone);  // 49 is not a multiple of 3
  CHECK(lp.Find(lp.Seek(1), "s49", 2) == lp.Seek(49));
  CHECK(lp.Find(lp.First(), "nope", 0) == Listpack::kNone);
  CHECK(lp.Find(lp.First(), "", 0) == Listpack::kNone);
  CHECK(lp.Find(Listpack::kNone, "s1", 0) == Listpack::kNone);

  // A field/value listpack: a value equal to a later field is not a match with skip 1.
  Listpack h;
  h.AppendPair("a", "b");
  h.AppendPair("b", "1");
  h.AppendPair("1", "x");
  CHECK(h.Find(h.First(), "b", 1) == h.Seek(2));
  CHECK(h.Find(h.First(), "1", 1) == h.Seek(4));
  CHECK(h.Find(h.First(), "x", 1) == Listpack::kNone);
  CHECK(At(h, h.Next(h.Find(h.First(), "1", 1))) == "x");
}

TEST_CASE("insert, replace and delete at the head, middle and tail", "[listpack]") {
  Listpack lp;
  std::vector<std::string> model = {"a", "b", "c"};
  for (const auto& s : model) lp.Append(s);

  // Head.
  Pos p = lp.InsertBefore(lp.First(), "h0");
  model.insert(model.begin(), "h0");
  CHECK(p == lp.First());
  CheckMatches(lp, model);
  p = lp.InsertAfter(lp.First(), "12345");
  model.insert(model.begin() + 1, "12345");
  CHECK(At(lp, p) == "12345");
  CHECK(p == lp.Seek(1));
  CheckMatches(lp, model);
  lp.PrependInt(-5);
  model.insert(model.begin(), "-5");
  CheckMatches(lp, model);

  // Middle.
  p = lp.Seek(3);
  p = lp.Replace(p, std::string(300, 'm'));  // grows
  model[3] = std::string(300, 'm');
  CHECK(p == lp.Seek(3));
  CheckMatches(lp, model);
  p = lp.Replace(p, "9");  // shrinks, to an integer
  model[3] = "9";
  CHECK(lp.Get(p).is_int());
  CheckMatches(lp, model);
  p = lp.ReplaceInt(p, 100000);
  model[3] = "100000";
  CheckMatches(lp, model);
  p = lp.InsertIntBefore(p, 7);
  model.insert(model.begin() + 3, "7");
  CHECK(At(lp, p) == "7");
  CheckMatches(lp, model);
  p = lp.Delete(p);
  model.erase(model.begin() + 3);
  CHECK(At(lp, p) == "100000");
  CheckMatches(lp, model);
  p = lp.InsertPairBefore(p, "k", "v");
  model.insert(model.begin() + 3, {"k", "v"});
  CHECK(At(lp, p) == "k");
  CheckMatches(lp, model);
  p = lp.DeleteRange(p, 2);
  model.erase(model.begin() + 3, model.begin() + 5);
  CHECK(At(lp, p) == "100000");
  CheckMatches(lp, model);

  // Tail.
  p = lp.InsertAfter(lp.Last(), "t1");
  model.push_back("t1");
  CHECK(p == lp.Last());
  CheckMatches(lp, model);
  p = lp.InsertBefore(Listpack::kNone, "t2");  // kNone: append
  model.push_back("t2");
  CHECK(p == lp.Last());
  CheckMatches(lp, model);
  p = lp.Replace(lp.Last(), "t3");
  model.back() = "t3";
  CheckMatches(lp, model);
  CHECK(lp.Delete(lp.Last()) == Listpack::kNone);
  model.pop_back();
  CheckMatches(lp, model);
  CHECK(lp.DeleteRange(lp.Seek(-2), 10) == Listpack::kNone);  // runs off the end
  model.resize(model.size() - 2);
  CheckMatches(lp, model);

  // Index ranges.
  lp.DeleteRange(int64_t{0}, 1);
  model.erase(model.begin());
  CheckMatches(lp, model);
  lp.DeleteRange(int64_t{-2}, 1);
  model.erase(model.end() - 2);
  CheckMatches(lp, model);
  lp.DeleteRange(int64_t{99}, 1);  // out of range: nothing
  CheckMatches(lp, model);
  lp.DeleteRange(int64_t{1}, 0);
  CheckMatches(lp, model);
  lp.DeleteRange(int64_t{0}, SIZE_MAX);
  model.clear();
  CheckMatches(lp, model);
  CHECK(Hex(lp) == "070000000000ff");

  // A string that lives in the listpack itself.
  lp.Append(std::string(100, 'q'));
  lp.Append("w");
  char buf[kIntBufSize];
  lp.Append(lp.Get(lp.First()).View(buf));
  lp.Prepend(lp.Get(lp.First()).View(buf));
  lp.InsertPairBefore(lp.Seek(1), lp.Get(lp.Seek(2)).View(buf), lp.Get(lp.First()).View(buf));
  lp.Replace(lp.Seek(2), lp.Get(lp.First()).View(buf));
  const std::string q(100, 'q');
  CheckMatches(lp, {q, "w", q, q, "w", q});
}

TEST_CASE("copies are independent", "[listpack]") {
  Listpack a;
  a.Append("1");
  a.Append("two");
  Listpack b(a);
  b.Append("three");
  Listpack c;
  c = b;
  c.Delete(c.First());
  Listpack& same = a;
  a = same;  // self-assignment is harmless
  CheckMatches(a, {"1", "two"});
  CheckMatches(b, {"1", "two", "three"});
  CheckMatches(c, {"two", "three"});
  c = Listpack();
  CheckMatches(c, {});
  b = std::move(a);
  CheckMatches(b, {"1", "two"});
}

TEST_CASE("the u16 count saturates beyond 65535", "[listpack]") {
  Listpack lp;
  for (int i = 0; i < 65534; ++i) lp.AppendInt(i % 100);
  CHECK(Hex(lp.data() + 4, 2) == "feff");
  lp.Append("x");
  CHECK(Hex(lp.data() + 4, 2) == "ffff");  // 65535 means "unknown"
  CHECK(lp.size() == 65535);
  CHECK(Hex(lp.data() + 4, 2) == "ffff");  // 65535 entries cannot be recorded
  for (int i = 0; i < 5000; ++i) lp.AppendPair("f", "v");
  CHECK(lp.size() == 75535);
  CHECK(lp.Seek(75534) == lp.Last());
  CHECK(lp.Seek(-75535) == lp.First());
  CHECK(lp.Seek(75535) == Listpack::kNone);
  CHECK(lp.Seek(-75536) == Listpack::kNone);
  CHECK(At(lp, lp.Seek(65534)) == "x");
  CHECK(At(lp, lp.Seek(-10001)) == "x");
  CHECK(Listpack::Validate(lp.data(), lp.bytes(), true));
  // Deleting leaves the header unknown until size() counts again, as Redis does.
  lp.DeleteRange(int64_t{0}, 20000);
  CHECK(Hex(lp.data() + 4, 2) == "ffff");
  CHECK(Listpack::Validate(lp.data(), lp.bytes(), true));
  CHECK(lp.size() == 55535);
  CHECK(Hex(lp.data() + 4, 2) == "efd8");
  CHECK(At(lp, lp.Seek(45534)) == "x");
  CHECK(Listpack::Validate(lp.data(), lp.bytes(), true));
  // A pair pushing 65534 over the edge saturates rather than wrapping.
  while (lp.size() < 65534) lp.AppendInt(1);
  lp.AppendPair("a", "b");
  CHECK(Hex(lp.data() + 4, 2) == "ffff");
  CHECK(lp.size() == 65536);
}

TEST_CASE("Validate rejects hostile bytes without reading outside them", "[listpack]") {
  Listpack good;
  for (const char* s : {"a", "12345", "-70000", "hello world", "9999999999"}) good.Append(s);
  good.Append(std::string(70, 'z'));
  good.Append(std::string(5000, 'y'));
  const std::vector<unsigned char> base(good.data(), good.data() + good.bytes());
  REQUIRE(Listpack::Validate(base.data(), base.size(), true));

  auto with_len = [](std::vector<unsigned char> v) {
    const size_t n = v.size();
    for (int i = 0; i < 4; ++i)
      v[static_cast<size_t>(i)] = static_cast<unsigned char>(n >> (8 * i));
    return v;
  };
  CHECK_FALSE(Listpack::Validate(nullptr, 0, true));
  CHECK_FALSE(Listpack::Validate(base.data(), 6, false));
  CHECK_FALSE(Listpack::Validate(base.data(), base.size() - 1, false));  // size mismatch
  {
    auto v = base;
    v.back() = 0;  // no terminator
    CHECK_FALSE(Listpack::Validate(v.data(), v.size(), false));
  }
  {
    auto v = base;
    v[4] = 3;  // wrong count
    CHECK(Listpack::Validate(v.data(), v.size(), false));
    CHECK_FALSE(Listpack::Validate(v.data(), v.size(), true));
    v[4] = 0xFF;  // unknown count is fine
    v[5] = 0xFF;
    CHECK(Listpack::Validate(v.data(), v.size(), true));
  }
  {
    auto v = base;
    v[6] = 0xF5;  // no such encoding
    CHECK_FALSE(Listpack::Validate(v.data(), v.size(), true));
  }
  {
    auto v = base;
    v[8] = 3;  // backlen of "a" no longer matches
    CHECK_FALSE(Listpack::Validate(v.data(), v.size(), true));
  }
  {
    // A 32-bit string claiming 4 GiB, at the very end.
    std::vector<unsigned char> v = {0, 0, 0, 0, 1, 0, 0xF0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    v = with_len(v);
    CHECK_FALSE(Listpack::Validate(v.data(), v.size(), true));
    // A 12-bit string header cut by the terminator.
    v = with_len({0, 0, 0, 0, 1, 0, 0xE0, 0xFF});
    CHECK_FALSE(Listpack::Validate(v.data(), v.size(), true));
    // A terminator in the middle.
    v = with_len({0, 0, 0, 0, 1, 0, 0x01, 0x01, 0xFF, 0x01, 0x01, 0xFF});
    CHECK_FALSE(Listpack::Validate(v.data(), v.size(), true));
  }
  // FromBytes on garbage gives an empty listpack; TryFromBytes says no.
  const unsigned char junk[] = {1, 2, 3};
  CHECK(Listpack::FromBytes(junk, sizeof(junk)).size() == 0);
  CHECK_FALSE(Listpack::TryFromBytes(junk, sizeof(junk), false).has_value());

  // Random corruption: whatever passes a deep check must walk cleanly both ways (run under
  // ASan to catch out-of-bounds reads). Buffers are copied to exact-size heap blocks.
  std::mt19937_64 rng(7);
  int accepted = 0;
  for (int round = 0; round < 20000; ++round) {
    std::vector<unsigned char> v = base;
    const int kind = static_cast<int>(rng() % 3);
    if (kind == 0) {
      for (int k = 0, n = 1 + static_cast<int>(rng() % 3); k < n; ++k) {
        v[6 + rng() % (v.size() - 6)] = static_cast<unsigned char>(rng());
      }
    } else if (kind == 1) {
      v.resize(7 + rng() % (v.size() - 7));
      v.back() = 0xFF;
      v = with_len(v);
    } else {
      const size_t at = 6 + rng() % (v.size() - 7);
      v.erase(v.begin() + static_cast<ptrdiff_t>(at),
              v.begin() + static_cast<ptrdiff_t>(std::min(v.size() - 1, at + 1 + rng() % 8)));
      v = with_len(v);
    }
    std::unique_ptr<unsigned char[]> exact(new unsigned char[v.size()]);
    std::copy(v.begin(), v.end(), exact.get());
    if (!Listpack::Validate(exact.get(), v.size(), true)) continue;
    ++accepted;
    auto lp = Listpack::TryFromBytes(exact.get(), v.size(), true);
    REQUIRE(lp.has_value());
    const auto fwd = Forward(*lp);
    const auto bwd = Backward(*lp);
    REQUIRE(fwd.size() == lp->size());
    REQUIRE(std::vector<std::string>(bwd.rbegin(), bwd.rend()) == fwd);
  }
  CHECK(accepted > 0);  // flips inside string data keep the buffer valid
}

// A random string: mostly short, sometimes an integer in some width, sometimes a near-integer,
// sometimes long.
std::string RandomValue(std::mt19937_64& rng) {
  switch (rng() % 10) {
    case 0:
      return std::to_string(static_cast<int64_t>(rng()));
    case 1:
      return std::to_string(static_cast<int64_t>(rng() % 20000) - 10000);
    case 2:
      return std::to_string(static_cast<int32_t>(rng()));
    case 3: {
      static const char* kOdd[] = {
          "007", "-0",  " 1", "1 ", "+5", "", "-", "9223372036854775808", "-9223372036854775809",
          "1e3", "0x10"};
      return kOdd[rng() % (sizeof(kOdd) / sizeof(kOdd[0]))];
    }
    case 4:
      return std::string(50 + rng() % 200, static_cast<char>('a' + rng() % 26));
    case 5:
      if (rng() % 20 == 0) return std::string(4000 + rng() % 200, 'L');
      [[fallthrough]];
    default: {
      std::string s(rng() % 12, ' ');
      for (auto& c : s) c = static_cast<char>(rng() % 256);
      return s;
    }
  }
}

TEST_CASE("random operations against a vector model", "[listpack]") {
  std::mt19937_64 rng(20240607);
  Listpack lp;
  std::vector<std::string> model;
  for (int step = 0; step < 40000; ++step) {
    const size_t n = model.size();
    const int op = static_cast<int>(rng() % 12);
    const std::string v = RandomValue(rng);
    const size_t idx = n == 0 ? 0 : rng() % n;
    const Pos at = n == 0 ? Listpack::kNone : lp.Seek(static_cast<int64_t>(idx));
    switch (op) {
      case 0:
        lp.Append(v);
        model.push_back(v);
        break;
      case 1:
        lp.Prepend(v);
        model.insert(model.begin(), v);
        break;
      case 2:
        if (n == 0) break;
        REQUIRE(lp.InsertBefore(at, v) == at);
        model.insert(model.begin() + static_cast<ptrdiff_t>(idx), v);
        break;
      case 3: {
        if (n == 0) break;
        const Pos p = lp.InsertAfter(at, v);
        REQUIRE(p == lp.Seek(static_cast<int64_t>(idx + 1)));
        model.insert(model.begin() + static_cast<ptrdiff_t>(idx + 1), v);
        break;
      }
      case 4:
        if (n == 0) break;
        REQUIRE(lp.Replace(at, v) == at);
        model[idx] = v;
        break;
      case 5: {
        if (n == 0) break;
        const Pos next = lp.Delete(at);
        model.erase(model.begin() + static_cast<ptrdiff_t>(idx));
        REQUIRE(next == (idx < model.size() ? at : Listpack::kNone));
        break;
      }
      case 6: {
        if (n == 0) break;
        const size_t cnt = rng() % 4;
        lp.DeleteRange(at, cnt);
        model.erase(model.begin() + static_cast<ptrdiff_t>(idx),
                    model.begin() + static_cast<ptrdiff_t>(std::min(n, idx + cnt)));
        break;
      }
      case 7: {
        if (n == 0) break;
        const size_t cnt = rng() % 3;
        const int64_t neg = static_cast<int64_t>(idx) - static_cast<int64_t>(n);
        lp.DeleteRange(rng() % 2 ? neg : static_cast<int64_t>(idx), cnt);
        model.erase(model.begin() + static_cast<ptrdiff_t>(idx),
                    model.begin() + static_cast<ptrdiff_t>(std::min(n, idx + cnt)));
        break;
      }
      case 8: {
        const std::string w = RandomValue(rng);
        lp.InsertPairBefore(at, v, w);
        model.insert(model.begin() + static_cast<ptrdiff_t>(n == 0 ? 0 : idx), {v, w});
        break;
      }
      case 9: {
        const int64_t x = static_cast<int64_t>(rng()) >> (rng() % 64);
        lp.AppendInt(x);
        model.push_back(std::to_string(x));
        break;
      }
      case 10: {
        // Find the first occurrence from a random start, with skip 0 or 1.
        if (n == 0) break;
        const std::string& target = rng() % 2 ? model[rng() % n] : v;
        const uint32_t skip = static_cast<uint32_t>(rng() % 2);
        size_t expect = SIZE_MAX;
        for (size_t i = idx; i < n; i += skip + 1) {
          if (model[i] == target) {
            expect = i;
            break;
          }
        }
        const Pos got = lp.Find(at, target, skip);
        if (expect == SIZE_MAX) {
          REQUIRE(got == Listpack::kNone);
        } else {
          REQUIRE(got == lp.Seek(static_cast<int64_t>(expect)));
        }
        break;
      }
      default: {
        if (n == 0) break;
        REQUIRE(At(lp, at) == model[idx]);
        REQUIRE(lp.Equals(at, model[idx]));
        const int64_t neg = static_cast<int64_t>(idx) - static_cast<int64_t>(n);
        REQUIRE(lp.Seek(neg) == at);
        break;
      }
    }
    if (model.size() > 300) {  // keep it small enough that checks stay cheap
      lp.DeleteRange(int64_t{0}, 150);
      model.erase(model.begin(), model.begin() + 150);
    }
    if (step % 97 == 0) {
      CheckMatches(lp, model);
      // The bytes are a function of the content alone.
      Listpack rebuilt;
      for (const auto& s : model) rebuilt.Append(s);
      REQUIRE(Hex(rebuilt) == Hex(lp));
    } else {
      REQUIRE(lp.size() == model.size());
    }
  }
  CheckMatches(lp, model);
}

}  // namespace
}  // namespace baozi
