// Checks that the captured Redis 7.0 metadata re-emits byte for byte in both protocols, and that
// container filtering removes exactly the subcommands it is told to.
#include "server/command_meta.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "protocol/reply_builder.h"
#include "protocol/resp_value.h"

namespace baozi {
namespace {

struct CommandMetaResp2Digest {
  std::string_view name;
  size_t info_len;
  uint64_t info_fnv;
  size_t docs_len;
  uint64_t docs_fnv;
};

#define BAOZI_COMMAND_META_RESP2_DIGESTS
#include "server/command_meta_data.inc"
#undef BAOZI_COMMAND_META_RESP2_DIGESTS

// Replies captured from redis-server 7.0.15 over raw sockets (RESP3 after HELLO 3).
// clang-format off
// COMMAND INFO get, RESP2
constexpr std::string_view kInfoGetResp2 =
    "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@string\r\n"
    "+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n"
    "$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\n"
    "type\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n"
    ":0\r\n*0\r\n";

// COMMAND INFO get, RESP3
constexpr std::string_view kInfoGetResp3 =
    "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n~3\r\n+@read\r\n+@string\r\n"
    "+@fast\r\n~0\r\n~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n"
    "$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\n"
    "type\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n"
    ":0\r\n~0\r\n";

// COMMAND DOCS get, RESP2
constexpr std::string_view kDocsGetResp2 =
    "*2\r\n$3\r\nget\r\n*10\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n$5\r\nsince\r\n$5\r\n"
    "1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n"
    "*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n";

// COMMAND DOCS get, RESP3
constexpr std::string_view kDocsGetResp3 =
    "%1\r\n$3\r\nget\r\n%5\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n$5\r\nsince\r\n$5\r\n"
    "1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n"
    "%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n";

// COMMAND DOCS config|get, RESP2
constexpr std::string_view kDocsConfigGetResp2 =
    "*2\r\n$10\r\nconfig|get\r\n*12\r\n$7\r\nsummary\r\n$42\r\nGet the values of configuration parameters\r\n"
    "$5\r\nsince\r\n$5\r\n2.0.0\r\n$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n$62\r\nO(N) when N is the number of configuration parameters provided\r\n"
    "$7\r\nhistory\r\n*1\r\n*2\r\n$5\r\n7.0.0\r\n$65\r\nAdded the ability to pass multiple pattern parameters in one call\r\n"
    "$9\r\narguments\r\n*1\r\n*8\r\n$4\r\nname\r\n$9\r\nparameter\r\n$4\r\ntype\r\n$5\r\nblock\r\n$5\r\n"
    "flags\r\n*1\r\n+multiple\r\n$9\r\narguments\r\n*1\r\n*4\r\n$4\r\nname\r\n$9\r\nparameter\r\n$4\r\n"
    "type\r\n$6\r\nstring\r\n";

// COMMAND DOCS config|get, RESP3
constexpr std::string_view kDocsConfigGetResp3 =
    "%1\r\n$10\r\nconfig|get\r\n%6\r\n$7\r\nsummary\r\n$42\r\nGet the values of configuration parameters\r\n"
    "$5\r\nsince\r\n$5\r\n2.0.0\r\n$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n$62\r\nO(N) when N is the number of configuration parameters provided\r\n"
    "$7\r\nhistory\r\n~1\r\n*2\r\n$5\r\n7.0.0\r\n$65\r\nAdded the ability to pass multiple pattern parameters in one call\r\n"
    "$9\r\narguments\r\n*1\r\n%4\r\n$4\r\nname\r\n$9\r\nparameter\r\n$4\r\ntype\r\n$5\r\nblock\r\n$5\r\n"
    "flags\r\n~1\r\n+multiple\r\n$9\r\narguments\r\n*1\r\n%2\r\n$4\r\nname\r\n$9\r\nparameter\r\n$4\r\n"
    "type\r\n$6\r\nstring\r\n";
// clang-format on

using Keep = std::function<bool(std::string_view)>;
const Keep kKeepAll = [](std::string_view) { return true; };

uint64_t Fnv1a64(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::string Info(const CommandMeta& meta, bool resp3, const Keep& keep) {
  std::string out;
  protocol::ReplyBuilder rb(&out);
  rb.set_resp3(resp3);
  EmitCommandInfo(meta, rb, keep);
  return out;
}

std::string Docs(const CommandMeta& meta, bool resp3, const Keep& keep) {
  std::string out;
  protocol::ReplyBuilder rb(&out);
  rb.set_resp3(resp3);
  EmitCommandDocs(meta, rb, keep);
  return out;
}

// What the server's COMMAND INFO <name> / COMMAND DOCS <name> handlers write around one record.
std::string InfoReply(const CommandMeta& meta, bool resp3) {
  std::string out;
  protocol::ReplyBuilder rb(&out);
  rb.set_resp3(resp3);
  rb.StartArray(1);
  EmitCommandInfo(meta, rb, nullptr);
  return out;
}

std::string DocsReply(const CommandMeta& meta, bool resp3) {
  std::string out;
  protocol::ReplyBuilder rb(&out);
  rb.set_resp3(resp3);
  rb.StartMap(1);
  rb.SendBulk(meta.name);
  EmitCommandDocs(meta, rb, nullptr);
  return out;
}

protocol::RespValue ParseAll(std::string_view bytes) {
  protocol::RespValue v;
  REQUIRE(protocol::ParseReply(bytes, &v) == static_cast<long>(bytes.size()));
  return v;
}

// Value under `key` in a RESP3 map (or RESP2 flat key/value array); nullptr if absent.
const protocol::RespValue* Field(const protocol::RespValue& map, std::string_view key) {
  for (size_t i = 0; i + 1 < map.elems.size(); i += 2) {
    if (map.elems[i].str == key) return &map.elems[i + 1];
  }
  return nullptr;
}

TEST_CASE("FindCommandMeta looks up commands and subcommands", "[command_meta]") {
  const CommandMeta* get = FindCommandMeta("get");
  REQUIRE(get != nullptr);
  CHECK(get->name == "get");
  CommandInfoFields f = ParseInfoFields(*get);
  CHECK(f.arity == 2);
  CHECK(f.flags == std::vector<std::string>{"readonly", "fast"});
  CHECK(f.first_key == 1);
  CHECK(f.last_key == 1);
  CHECK(f.step == 1);

  CommandInfoFields mset = ParseInfoFields(*FindCommandMeta("mset"));
  CHECK(mset.arity == -3);
  CHECK(mset.flags == std::vector<std::string>{"write", "denyoom"});
  CHECK(mset.first_key == 1);
  CHECK(mset.last_key == -1);
  CHECK(mset.step == 2);

  const CommandMeta* config_get = FindCommandMeta("config|get");
  REQUIRE(config_get != nullptr);
  CHECK(ParseInfoFields(*config_get).arity == -3);

  CHECK(FindCommandMeta("GET") == nullptr);  // callers lowercase first
  CHECK(FindCommandMeta("nosuchcommand") == nullptr);
  CHECK(FindCommandMeta("config|nosuch") == nullptr);
  CHECK(FindCommandMeta("") == nullptr);
  // Every record is findable, and the table holds Redis 7.0's 240 commands plus subcommands.
  size_t top_level = 0;
  for (const CommandMeta& m : AllCommandMeta()) {
    CHECK(FindCommandMeta(m.name) == &m);
    if (m.name.find('|') == std::string_view::npos) ++top_level;
  }
  CHECK(top_level == 240);
}

TEST_CASE("COMMAND INFO/DOCS get match redis-server byte for byte", "[command_meta]") {
  const CommandMeta& get = *FindCommandMeta("get");
  CHECK(InfoReply(get, false) == kInfoGetResp2);
  CHECK(InfoReply(get, true) == kInfoGetResp3);
  CHECK(DocsReply(get, false) == kDocsGetResp2);
  CHECK(DocsReply(get, true) == kDocsGetResp3);
  // Subcommand records stand alone too (history is a set of arrays, flags a set of statuses).
  const CommandMeta& config_get = *FindCommandMeta("config|get");
  CHECK(DocsReply(config_get, false) == kDocsConfigGetResp2);
  CHECK(DocsReply(config_get, true) == kDocsConfigGetResp3);
}

TEST_CASE("every record re-emits as redis-server sent it in RESP2 and RESP3", "[command_meta]") {
  std::span<const CommandMeta> all = AllCommandMeta();
  REQUIRE(all.size() == std::size(kCommandMetaResp2Digests));
  for (size_t i = 0; i < all.size(); ++i) {
    const CommandMeta& meta = all[i];
    const CommandMetaResp2Digest& want = kCommandMetaResp2Digests[i];
    INFO(meta.name);
    REQUIRE(meta.name == want.name);
    // RESP3 through the element-by-element path (a keep-all filter forces it) and the copy path.
    CHECK(Info(meta, true, kKeepAll) == meta.info_resp3);
    CHECK(Docs(meta, true, kKeepAll) == meta.docs_resp3);
    CHECK(Info(meta, true, nullptr) == meta.info_resp3);
    CHECK(Docs(meta, true, nullptr) == meta.docs_resp3);
    for (const Keep& keep : {Keep(nullptr), kKeepAll}) {
      std::string info2 = Info(meta, false, keep);
      std::string docs2 = Docs(meta, false, keep);
      CHECK(info2.size() == want.info_len);
      CHECK(Fnv1a64(info2) == want.info_fnv);
      CHECK(docs2.size() == want.docs_len);
      CHECK(Fnv1a64(docs2) == want.docs_fnv);
    }
  }
}

TEST_CASE("containers nest exactly the subcommand records", "[command_meta]") {
  std::set<std::string_view> names;
  for (const CommandMeta& m : AllCommandMeta()) names.insert(m.name);
  for (const CommandMeta& m : AllCommandMeta()) {
    protocol::RespValue info = ParseAll(m.info_resp3);
    REQUIRE(info.elems.size() == 10);
    CHECK(info.elems[0].str == m.name);
    // The generator sorts nested subcommands so captures are reproducible.
    std::string_view previous;
    for (const protocol::RespValue& sub : info.elems[9].elems) {
      std::string_view sub_name = sub.elems[0].str;
      CHECK(previous < sub_name);
      previous = sub_name;
      INFO(sub_name);
      REQUIRE(names.count(sub_name) == 1);
      CHECK(sub_name.substr(0, sub_name.find('|')) == m.name);
      CHECK(ParseInfoFields(*FindCommandMeta(sub_name)).arity == sub.elems[1].integer);
    }
  }
}

TEST_CASE("subcommand filtering drops rejected entries", "[command_meta]") {
  const CommandMeta& config = *FindCommandMeta("config");
  const CommandMeta& config_get = *FindCommandMeta("config|get");
  auto only_get = [](std::string_view sub) { return sub == "config|get"; };

  for (bool resp3 : {false, true}) {
    INFO("resp3=" << resp3);
    std::string full = Info(config, resp3, nullptr);
    std::string filtered = Info(config, resp3, only_get);
    CHECK(filtered.size() < full.size());
    protocol::RespValue info = ParseAll(filtered);
    REQUIRE(info.elems.size() == 10);
    CHECK(info.elems[0].str == "config");
    CHECK(info.elems[1].integer == -2);
    REQUIRE(info.elems[9].elems.size() == 1);
    CHECK(info.elems[9].elems[0].elems[0].str == "config|get");
    // The kept entry is the subcommand's own record, unchanged.
    CHECK(filtered.ends_with(Info(config_get, resp3, nullptr)));
    CHECK(filtered.find("config|set") == std::string::npos);

    protocol::RespValue docs = ParseAll(Docs(config, resp3, only_get));
    const protocol::RespValue* subs = Field(docs, "subcommands");
    REQUIRE(subs != nullptr);
    REQUIRE(subs->elems.size() == 2);
    CHECK(subs->elems[0].str == "config|get");
    CHECK(Field(docs, "summary") != nullptr);
    CHECK(Field(docs, "group")->str == "server");

    // Rejecting everything leaves empty containers, not missing fields.
    auto none = [](std::string_view) { return false; };
    protocol::RespValue bare = ParseAll(Info(config, resp3, none));
    REQUIRE(bare.elems.size() == 10);
    CHECK(bare.elems[9].elems.empty());
    protocol::RespValue bare_docs = ParseAll(Docs(config, resp3, none));
    REQUIRE(Field(bare_docs, "subcommands") != nullptr);
    CHECK(Field(bare_docs, "subcommands")->elems.empty());
  }
  CHECK(Info(config, true, only_get).starts_with("*10\r\n$6\r\nconfig\r\n"));
  CHECK(Info(config, true, only_get).find("*1\r\n*10\r\n$10\r\nconfig|get") != std::string::npos);
  // A command without subcommands is unaffected by any filter.
  const CommandMeta& get = *FindCommandMeta("get");
  auto none = [](std::string_view) { return false; };
  CHECK(Info(get, true, none) == get.info_resp3);
  CHECK(Docs(get, false, none) == Docs(get, false, nullptr));
}

}  // namespace
}  // namespace baozi
