// The multi-part AOF manifest: parsing with every error of Redis 7.0's aofLoadManifestFromFile
// (texts checked against redis-server 7.0.15's start-up log), printing, quoting, and the
// bookkeeping of a rewrite.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <random>
#include <string>

#include "persistence/aof.h"

namespace baozi::aof {
namespace {

std::string ParseError(std::string_view text) {
  auto m = Manifest::Parse(text);
  REQUIRE_FALSE(m.has_value());
  return m.error().reason;
}

TEST_CASE("manifest: parses Redis's own file", "[aof][manifest]") {
  const std::string text =
      "file appendonly.aof.2.base.rdb seq 2 type b\n"
      "file appendonly.aof.1.incr.aof seq 1 type h\n"
      "file appendonly.aof.2.incr.aof seq 2 type h\n"
      "file appendonly.aof.3.incr.aof seq 3 type i\n"
      "file appendonly.aof.4.incr.aof seq 4 type i\n";
  auto m = Manifest::Parse(text);
  REQUIRE(m.has_value());
  REQUIRE(m->base().has_value());
  CHECK(m->base()->name == "appendonly.aof.2.base.rdb");
  CHECK(m->base()->seq == 2);
  CHECK(m->base_seq() == 2);
  CHECK(m->history().size() == 2);
  CHECK(m->history()[1].type == FileType::kHistory);
  REQUIRE(m->incrs().size() == 2);
  CHECK(m->incrs()[1].name == "appendonly.aof.4.incr.aof");
  CHECK(m->incr_seq() == 4);
  CHECK(m->load_file_count() == 3);
  CHECK_FALSE(m->dirty());
  CHECK(m->ToString() == text);
}

TEST_CASE("manifest: lenient parts", "[aof][manifest]") {
  // Comments, CRLF, extra blanks, case-insensitive keys, unknown keys, any key order, a seq
  // read with atoll, a type read from its first byte.
  auto m = Manifest::Parse(
      "# a comment\n"
      "  FILE   a.base.aof  Seq 7x TYPE base   \r\n"
      "seq 3 type incr file b.incr.aof future value\n");
  REQUIRE(m.has_value());
  CHECK(m->base()->name == "a.base.aof");
  CHECK(m->base()->seq == 7);
  REQUIRE(m->incrs().size() == 1);
  CHECK(m->incrs()[0].seq == 3);
  // Only comments is an empty but valid manifest.
  auto c = Manifest::Parse("# nothing\n");
  REQUIRE(c.has_value());
  CHECK(c->empty());
  // Negative base seq passes (atoll gives -1, non-zero).
  CHECK(Manifest::Parse("file x seq -1 type b\n").has_value());
  // A comment line need not end in '\n'.
  CHECK(Manifest::Parse("file x seq 1 type b\n# trailing").has_value());
}

TEST_CASE("manifest: every error of aofLoadManifestFromFile", "[aof][manifest]") {
  CHECK(ParseError("") == "Found an empty AOF manifest");
  CHECK(ParseError("file a seq 1 type b") == "The AOF manifest file contains too long line");
  CHECK(ParseError("file a seq 1 type b\nfile b seq 1 type i") ==
        "The AOF manifest file contains too long line");
  CHECK(ParseError("file " + std::string(1100, 'a') + " seq 1 type b\n") ==
        "The AOF manifest file contains too long line");
  CHECK(ParseError("   \n") == "Invalid AOF manifest file format");
  CHECK(ParseError("file a seq 1 type b extra\n") == "Invalid AOF manifest file format");
  CHECK(ParseError("file a seq 1\n") == "Invalid AOF manifest file format");
  CHECK(ParseError("file a seq 0 type b\n") == "Invalid AOF manifest file format");
  CHECK(ParseError("file a seq x type b\n") == "Invalid AOF manifest file format");
  CHECK(ParseError("name a seq 1 type b\n") == "Invalid AOF manifest file format");
  CHECK(ParseError("file a seq 1 type \"\"\n") == "Invalid AOF manifest file format");
  CHECK(ParseError("file \"a\"b seq 1 type b\n") == "Invalid AOF manifest file format");
  CHECK(ParseError("file \"ab seq 1 type b\n") == "Invalid AOF manifest file format");
  CHECK(ParseError("file a/b seq 1 type b\n") == "File can't be a path, just a filename");
  CHECK(ParseError("file a\\\\b seq 1 type b\n") == "File can't be a path, just a filename");
  CHECK(ParseError("file \"a\\\\b\" seq 1 type b\n") == "File can't be a path, just a filename");
  CHECK(ParseError("file a seq 1 type b\nfile b seq 2 type b\n") ==
        "Found duplicate base file information");
  CHECK(ParseError("file x seq 2 type i\nfile y seq 2 type i\n") ==
        "Found a non-monotonic sequence number");
  CHECK(ParseError("file x seq -2 type i\n") == "Found a non-monotonic sequence number");
  CHECK(ParseError("file a seq 1 type x\n") == "Unknown AOF file type");

  // The log lines, as redis-server 7.0.15 printed them.
  auto m = Manifest::Parse("# c\nfile a seq 1 type b\nfile b seq 2 type b\n");
  REQUIRE_FALSE(m.has_value());
  CHECK(m.error().line == 3);
  CHECK(m.error().LogText() ==
        "*** FATAL AOF MANIFEST FILE ERROR ***\n"
        "Reading the manifest file, at line 3\n"
        ">>> 'file b seq 2 type b'\n"
        "Found duplicate base file information");
  auto e = Manifest::Parse("");
  REQUIRE_FALSE(e.has_value());
  CHECK(e.error().LogText() ==
        "*** FATAL AOF MANIFEST FILE ERROR ***\nFound an empty AOF manifest");
  auto blank = Manifest::Parse("\t \n");
  REQUIRE_FALSE(blank.has_value());
  CHECK(blank.error().LogText() ==
        "*** FATAL AOF MANIFEST FILE ERROR ***\n"
        "Reading the manifest file, at line 1\n"
        ">>> ''\n"
        "Invalid AOF manifest file format");
}

TEST_CASE("manifest: quoting round trips", "[aof][manifest]") {
  CHECK_FALSE(NeedsRepr("appendonly.aof.1.base.rdb"));
  CHECK(NeedsRepr("a b"));
  CHECK(NeedsRepr("a\"b"));
  CHECK(NeedsRepr(std::string("a\x01", 2)));
  CHECK(Repr("a b") == "\"a b\"");
  CHECK(Repr("q\"\\\n\r\t\a\b\x7f\xff") == "\"q\\\"\\\\\\n\\r\\t\\a\\b\\x7f\\xff\"");

  for (std::string name :
       {std::string("my file.aof"), std::string("tab\there"), std::string("quote\"s"),
        std::string("\xe4\xb8\xad.aof"), std::string("back\\slash")}) {
    if (name.find('\\') != std::string::npos) continue;  // refused as a path
    Manifest m;
    m.SetUpgradeBase(name);
    const std::string text = m.ToString();
    auto back = Manifest::Parse(text);
    INFO(text);
    REQUIRE(back.has_value());
    CHECK(back->base()->name == name);
    CHECK(back->ToString() == text);
  }
}

TEST_CASE("manifest: SplitArgs follows sdssplitargs", "[aof][manifest]") {
  using V = std::vector<std::string>;
  CHECK(SplitArgs("  a  b\tc ") == V{"a", "b", "c"});
  CHECK(SplitArgs("\"a\\x41\\n\" 'it\\'s'") == V{"aA\n", "it's"});
  CHECK(SplitArgs("ab\"cd\"") == V{"abcd"});
  // A quote inside an unquoted word opens a quoted part, and sdsneedsrepr does not flag "'":
  // Redis writes a name like "it's" bare and cannot read it back. We quote it.
  CHECK_FALSE(SplitArgs("file it's seq 1 type b").has_value());
  Manifest m;
  m.SetUpgradeBase("it's");
  CHECK(m.ToString() == "file \"it's\" seq 1 type b\n");
  CHECK(Manifest::Parse(m.ToString())->base()->name == "it's");
  // An empty name (a manifest may say file "") would leave Redis's line a word short.
  auto empty = Manifest::Parse("file \"\" seq 1 type b\n");
  REQUIRE(empty);
  CHECK(empty->ToString() == "file \"\" seq 1 type b\n");
  CHECK(Manifest::Parse(empty->ToString())->base()->name.empty());
  CHECK(SplitArgs("") == V{});
  CHECK_FALSE(SplitArgs("\"open").has_value());
  CHECK_FALSE(SplitArgs("'open").has_value());
  CHECK_FALSE(SplitArgs("\"a\"b").has_value());
}

TEST_CASE("manifest: rewrite bookkeeping as Redis does it", "[aof][manifest]") {
  Manifest m;
  CHECK(m.empty());
  // Start-up with an empty dataset: a base, then an incr.
  CHECK(m.NewBase("appendonly.aof", true) == "appendonly.aof.1.base.rdb");
  CHECK(m.LastIncrOrNew("appendonly.aof") == "appendonly.aof.1.incr.aof");
  CHECK(m.LastIncrOrNew("appendonly.aof") == "appendonly.aof.1.incr.aof");
  CHECK(m.dirty());
  CHECK(m.ToString() ==
        "file appendonly.aof.1.base.rdb seq 1 type b\n"
        "file appendonly.aof.1.incr.aof seq 1 type i\n");
  // A rewrite starts: new incr 2. It ends: base 2, old base and incr 1 become history.
  CHECK(m.NewIncr("appendonly.aof") == "appendonly.aof.2.incr.aof");
  CHECK(m.NewBase("appendonly.aof", false) == "appendonly.aof.2.base.aof");
  m.MarkRewrittenIncrsAsHistory(/*keep_last=*/true);
  CHECK(m.ToString() ==
        "file appendonly.aof.2.base.aof seq 2 type b\n"
        "file appendonly.aof.1.incr.aof seq 1 type h\n"
        "file appendonly.aof.1.base.rdb seq 1 type h\n"
        "file appendonly.aof.2.incr.aof seq 2 type i\n");
  const auto gone = m.TakeHistory();
  REQUIRE(gone.size() == 2);
  CHECK(gone[0].name == "appendonly.aof.1.incr.aof");
  CHECK(m.history().empty());
  // Failed rewrites leave several incrs; with the AOF off every incr becomes history.
  m.NewIncr("appendonly.aof");
  m.NewIncr("appendonly.aof");
  m.MarkRewrittenIncrsAsHistory(/*keep_last=*/false);
  CHECK(m.incrs().empty());
  CHECK(m.history().size() == 3);
  CHECK(m.history()[0].seq == 2);
  CHECK(m.history()[2].seq == 4);
  // Sequence numbers never repeat.
  CHECK(m.NewIncr("appendonly.aof") == "appendonly.aof.5.incr.aof");

  CHECK(ManifestFileName("appendonly.aof") == "appendonly.aof.manifest");
  CHECK(TempManifestFileName("appendonly.aof") == "temp-appendonly.aof.manifest");
  CHECK(TempIncrFileName("appendonly.aof") == "temp-appendonly.aof.incr");
  CHECK(TempRewriteFileName(42) == "temp-rewriteaof-bg-42.aof");
}

TEST_CASE("manifest: atomic write and read back", "[aof][manifest]") {
  const auto dir =
      std::filesystem::temp_directory_path() / ("baozi-aof-manifest-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  Manifest m;
  m.NewBase("x.aof", true);
  m.NewIncr("x.aof");
  REQUIRE(WriteManifestFile(dir.string(), "x.aof", m.ToString()).has_value());
  CHECK_FALSE(std::filesystem::exists(dir / "temp-x.aof.manifest"));
  auto text = ReadWholeFile((dir / "x.aof.manifest").string());
  REQUIRE(text.has_value());
  CHECK(*text == m.ToString());
  auto missing = WriteManifestFile((dir / "nope").string(), "x.aof", "x");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().starts_with("Can't open the AOF manifest file temp-x.aof.manifest: "));
  CHECK_FALSE(ReadWholeFile((dir / "nope").string()).has_value());
  std::filesystem::remove_all(dir);
}

TEST_CASE("manifest: seeded random mutations never crash", "[aof][manifest]") {
  const std::string base =
      "file \"a b.aof\" seq 2 type b\n# c\nfile x seq 1 type h\nfile y seq 3 type i\n";
  std::mt19937_64 rng(5);
  const std::string alphabet = "\"'\\ \t\r\n#x0123456789abfseqtypei/";
  for (int iter = 0; iter < 20000; ++iter) {
    std::string d = base;
    for (int e = 0; e < 3 && !d.empty(); ++e) {
      const size_t at = rng() % d.size();
      if (rng() % 2) {
        d[at] = alphabet[rng() % alphabet.size()];
      } else {
        d.erase(at, 1 + rng() % 4);
      }
    }
    auto m = Manifest::Parse(d);
    if (m) {
      // Whatever parses prints back to text that parses to the same manifest.
      auto again = Manifest::Parse(m->ToString());
      if (!m->empty() || !m->history().empty()) {
        INFO(m->ToString());
        REQUIRE(again.has_value());
        CHECK(again->ToString() == m->ToString());
      }
    } else {
      CHECK_FALSE(m.error().reason.empty());
    }
  }
}

}  // namespace
}  // namespace baozi::aof
