#include "storage/intset.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace baozi {
namespace {

std::vector<int64_t> Contents(const Intset& s) {
  std::vector<int64_t> out;
  for (size_t i = 0; i < s.size(); ++i) out.push_back(s.Get(i));
  return out;
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

constexpr int64_t kMin64 = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax64 = std::numeric_limits<int64_t>::max();

TEST_CASE("Intset starts empty with 2-byte entries", "[intset]") {
  Intset s;
  CHECK(s.size() == 0);
  CHECK(s.empty());
  CHECK(s.width() == 2);
  CHECK_FALSE(s.Contains(0));
  CHECK_FALSE(s.Remove(0));
  CHECK(Hex(s.Blob()) == "0200000000000000");
  CHECK(s.HeapBytes() == 0);
}

TEST_CASE("Intset keeps entries sorted and distinct", "[intset]") {
  Intset s;
  CHECK(s.Add(5));
  CHECK(s.Add(1));
  CHECK(s.Add(3));
  CHECK_FALSE(s.Add(3));
  CHECK(s.Add(-7));
  CHECK(Contents(s) == std::vector<int64_t>{-7, 1, 3, 5});
  CHECK(s.Contains(-7));
  CHECK(s.Contains(5));
  CHECK_FALSE(s.Contains(4));
  CHECK_FALSE(s.Contains(100));
  CHECK_FALSE(s.Contains(-100));
  CHECK(s.Find(3) == 2u);
  CHECK_FALSE(s.Find(2).has_value());
  CHECK(s.HeapBytes() == Intset::kHeaderBytes + 4 * 2);
}

TEST_CASE("Intset widths follow Redis's value encoding", "[intset]") {
  CHECK(Intset::WidthFor(0) == 2);
  CHECK(Intset::WidthFor(32767) == 2);
  CHECK(Intset::WidthFor(-32768) == 2);
  CHECK(Intset::WidthFor(32768) == 4);
  CHECK(Intset::WidthFor(-32769) == 4);
  CHECK(Intset::WidthFor(2147483647) == 4);
  CHECK(Intset::WidthFor(-2147483648LL) == 4);
  CHECK(Intset::WidthFor(2147483648LL) == 8);
  CHECK(Intset::WidthFor(-2147483649LL) == 8);
  CHECK(Intset::WidthFor(kMax64) == 8);
  CHECK(Intset::WidthFor(kMin64) == 8);
}

TEST_CASE("Intset upgrades at the boundaries, appending or prepending", "[intset]") {
  Intset s;
  s.Add(1);
  s.Add(-1);
  s.Add(32767);
  s.Add(-32768);
  CHECK(s.width() == 2);

  SECTION("positive value past int16 goes last") {
    CHECK(s.Add(32768));
    CHECK(s.width() == 4);
    CHECK(Contents(s) == std::vector<int64_t>{-32768, -1, 1, 32767, 32768});
    CHECK_FALSE(s.Add(32768));
  }
  SECTION("negative value past int16 goes first") {
    CHECK(s.Add(-32769));
    CHECK(s.width() == 4);
    CHECK(Contents(s) == std::vector<int64_t>{-32769, -32768, -1, 1, 32767});
  }
  SECTION("straight to int64 from int16") {
    CHECK(s.Add(kMin64));
    CHECK(s.width() == 8);
    CHECK(Contents(s) == std::vector<int64_t>{kMin64, -32768, -1, 1, 32767});
    CHECK(s.Add(kMax64));
    CHECK(Contents(s) == std::vector<int64_t>{kMin64, -32768, -1, 1, 32767, kMax64});
    CHECK(s.HeapBytes() == Intset::kHeaderBytes + 6 * 8);
  }
  SECTION("int32 to int64") {
    CHECK(s.Add(2147483647));
    CHECK(s.width() == 4);
    CHECK(s.Add(-2147483648LL));
    CHECK(s.width() == 4);
    CHECK(s.Add(2147483648LL));
    CHECK(s.width() == 8);
    CHECK(Contents(s) ==
          std::vector<int64_t>{-2147483648LL, -32768, -1, 1, 32767, 2147483647, 2147483648LL});
  }
  SECTION("the width never shrinks") {
    s.Add(100000);
    CHECK(s.width() == 4);
    CHECK(s.Remove(100000));
    CHECK(s.width() == 4);
    CHECK(Contents(s) == std::vector<int64_t>{-32768, -1, 1, 32767});
  }
}

TEST_CASE("Intset blob is Redis's byte layout", "[intset]") {
  Intset s;
  s.Add(1);
  s.Add(-2);
  // encoding 2, length 2, then -2 and 1 as little-endian int16.
  CHECK(Hex(s.Blob()) == "0200000002000000feff0100");
  s.Add(65536);
  CHECK(Hex(s.Blob()) == "0400000003000000feffffff0100000000000100");
}

TEST_CASE("Intset removal", "[intset]") {
  Intset s;
  for (int64_t v : {10, 20, 30, 40}) s.Add(v);
  CHECK_FALSE(s.Remove(25));
  CHECK_FALSE(s.Remove(1LL << 40));  // wider than the entries: cannot be present
  CHECK(s.Remove(10));
  CHECK(s.Remove(40));
  CHECK(Contents(s) == std::vector<int64_t>{20, 30});
  s.RemoveAt(1);
  CHECK(Contents(s) == std::vector<int64_t>{20});
  s.RemoveAt(0);
  CHECK(s.empty());
  CHECK(Hex(s.Blob()) == "0200000000000000");
  CHECK(s.Add(7));
  CHECK(Contents(s) == std::vector<int64_t>{7});
}

TEST_CASE("Intset FromBlob checks integrity like intsetValidateIntegrity", "[intset]") {
  Intset s;
  for (int64_t v : {-5, 0, 70000}) s.Add(v);
  auto back = Intset::FromBlob(s.Blob());
  REQUIRE(back.has_value());
  CHECK(Contents(*back) == Contents(s));
  CHECK(back->width() == 4);

  std::string blob(s.Blob());
  CHECK_FALSE(Intset::FromBlob(blob.substr(0, 7)).has_value());   // no header
  CHECK_FALSE(Intset::FromBlob(blob.substr(0, 15)).has_value());  // truncated
  CHECK_FALSE(Intset::FromBlob(blob + "x").has_value());          // trailing bytes
  CHECK_FALSE(Intset::FromBlob(std::string("\x02\0\0\0\0\0\0\0", 8)).has_value());  // empty
  std::string bad_width = blob;
  bad_width[0] = 3;
  CHECK_FALSE(Intset::FromBlob(bad_width).has_value());
  // Out of order and duplicate entries.
  CHECK_FALSE(Intset::FromBlob(std::string("\x02\0\0\0\x02\0\0\0\x05\0\x01\0", 12)).has_value());
  CHECK_FALSE(Intset::FromBlob(std::string("\x02\0\0\0\x02\0\0\0\x05\0\x05\0", 12)).has_value());
  // A wide encoding holding small values is valid (Redis never narrows).
  auto wide = Intset::FromBlob(std::string("\x08\0\0\0\x01\0\0\0\x05\0\0\0\0\0\0\0", 16));
  REQUIRE(wide.has_value());
  CHECK(wide->width() == 8);
  CHECK(Contents(*wide) == std::vector<int64_t>{5});
}

TEST_CASE("Intset copies and moves", "[intset]") {
  Intset a;
  for (int64_t v : {3, 1, 2}) a.Add(v);
  Intset b(a);
  b.Add(4);
  CHECK(a.size() == 3);
  CHECK(b.size() == 4);
  Intset c(std::move(b));
  CHECK(c.size() == 4);
  CHECK(b.size() == 0);  // NOLINT(bugprone-use-after-move): moved-from is empty
  a = c;
  CHECK(Contents(a) == std::vector<int64_t>{1, 2, 3, 4});
  Intset d;
  d = std::move(a);
  CHECK(Contents(d) == std::vector<int64_t>{1, 2, 3, 4});
}

TEST_CASE("Intset matches a std::set model under random operations", "[intset]") {
  std::mt19937_64 rng(12345);
  for (int round = 0; round < 20; ++round) {
    Intset s;
    std::set<int64_t> model;
    size_t widest = 2;
    // Each round favours a different magnitude, so upgrades happen at varied sizes.
    const int magnitude = round % 4;
    auto draw = [&]() -> int64_t {
      switch (rng() % 5 == 0 ? (rng() % 4) : magnitude) {
        case 0:
          return static_cast<int64_t>(rng() % 200) - 100;
        case 1:
          return static_cast<int64_t>(rng() % 140000) - 70000;
        case 2:
          return static_cast<int64_t>(rng() % 6000000000ULL) - 3000000000LL;
        default:
          return static_cast<int64_t>(rng());
      }
    };
    for (int op = 0; op < 600; ++op) {
      const int64_t v = rng() % 4 == 0 && !model.empty()
                            ? *std::next(model.begin(), static_cast<long>(rng() % model.size()))
                            : draw();
      if (rng() % 3 == 0) {
        CHECK(s.Remove(v) == (model.erase(v) == 1));
      } else {
        CHECK(s.Add(v) == model.insert(v).second);
        widest = std::max(widest, Intset::WidthFor(v));
      }
      CHECK(s.size() == model.size());
      CHECK(s.Contains(v) == model.contains(v));
    }
    CHECK(s.width() == widest);
    CHECK(Contents(s) == std::vector<int64_t>(model.begin(), model.end()));
    CHECK(s.HeapBytes() == Intset::kHeaderBytes + model.size() * widest);
    auto back = Intset::FromBlob(s.Blob());
    if (model.empty()) {
      CHECK_FALSE(back.has_value());
    } else {
      REQUIRE(back.has_value());
      CHECK(Contents(*back) == Contents(s));
    }
  }
}

}  // namespace
}  // namespace baozi
