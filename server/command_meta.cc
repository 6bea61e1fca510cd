// Replays Redis's own COMMAND INFO / COMMAND DOCS bytes, captured in RESP3.
//
// RESP3 is stored because it is the lossless encoding: it tells maps, sets and arrays apart, and
// simple strings from bulk strings, while RESP2 folds all aggregates into arrays. Re-emitting a
// parsed RESP3 value element by element through the ReplyBuilder gives RESP3 clients the original
// bytes and RESP2 clients exactly what Redis writes for them (its RESP2 output is the same value
// tree passed through the same map -> flat array, set -> array rules). The generator checks that
// claim against a RESP2 capture for every record, and the unit test re-checks it.
//
// Container commands keep their subcommands nested, as Redis reports them; filtering those is the
// only reason to walk the tree for a RESP3 client, so the unfiltered RESP3 case is a plain copy.
#include "server/command_meta.h"

#include <algorithm>
#include <cassert>

#include "protocol/resp_value.h"

namespace baozi {
namespace {

#define BAOZI_COMMAND_META_ENTRIES
#include "server/command_meta_data.inc"
#undef BAOZI_COMMAND_META_ENTRIES

constexpr bool NameLess(const CommandMeta& a, const CommandMeta& b) { return a.name < b.name; }
static_assert(std::is_sorted(std::begin(kCommandMetaEntries), std::end(kCommandMetaEntries),
                             NameLess),
              "command_meta_data.inc must be sorted by name for FindCommandMeta");

// Index of the subcommands array inside a COMMAND INFO entry (element 10 in Redis's docs).
constexpr size_t kInfoSubcommandsIndex = 9;

using protocol::RespValue;

RespValue Parse(std::string_view bytes) {
  RespValue value;
  [[maybe_unused]] long used = protocol::ParseReply(bytes, &value);
  // The bytes come from the generator, which only stores complete replies.
  assert(used == static_cast<long>(bytes.size()));
  return value;
}

void StartAggregate(RespValue::Type type, size_t n, protocol::ReplyBuilder& rb) {
  switch (type) {
    case RespValue::kMap:
      rb.StartMap(n);
      break;
    case RespValue::kSet:
      rb.StartSet(n);
      break;
    default:
      rb.StartArray(n);
      break;
  }
}

void Emit(const RespValue& v, protocol::ReplyBuilder& rb) {
  switch (v.type) {
    case RespValue::kSimple:
      rb.SendSimple(v.str);
      return;
    case RespValue::kInteger:
      rb.SendLong(v.integer);
      return;
    case RespValue::kBulk:
      rb.SendBulk(v.str);
      return;
    case RespValue::kNull:
      rb.SendNull();
      return;
    case RespValue::kArray:
    case RespValue::kSet:
      StartAggregate(v.type, v.elems.size(), rb);
      break;
    case RespValue::kMap:
      rb.StartMap(v.elems.size() / 2);
      break;
    default:
      // The generator refuses any other type, so none can reach here.
      assert(false && "unexpected RESP type in command metadata");
      return;
  }
  for (const RespValue& e : v.elems) Emit(e, rb);
}

// Emits `list` (INFO subcommand entries or the DOCS subcommands map) with only the entries whose
// name passes `keep`. `stride` is 1 for an array of entries named by their first element and 2
// for a map keyed by name.
void EmitFiltered(const RespValue& list, size_t stride,
                  const std::function<bool(std::string_view)>& keep, protocol::ReplyBuilder& rb) {
  auto name_of = [&](size_t i) -> std::string_view {
    return stride == 2 ? list.elems[i].str : list.elems[i].elems.front().str;
  };
  std::vector<size_t> kept;
  for (size_t i = 0; i < list.elems.size(); i += stride) {
    if (keep(name_of(i))) kept.push_back(i);
  }
  StartAggregate(list.type, kept.size(), rb);
  for (size_t i : kept) {
    for (size_t k = 0; k < stride; ++k) Emit(list.elems[i + k], rb);
  }
}

}  // namespace

const CommandMeta* FindCommandMeta(std::string_view name) {
  auto it = std::lower_bound(std::begin(kCommandMetaEntries), std::end(kCommandMetaEntries), name,
                             [](const CommandMeta& m, std::string_view n) { return m.name < n; });
  if (it == std::end(kCommandMetaEntries) || it->name != name) return nullptr;
  return &*it;
}

std::span<const CommandMeta> AllCommandMeta() { return kCommandMetaEntries; }

void EmitCommandInfo(const CommandMeta& meta, protocol::ReplyBuilder& rb,
                     const std::function<bool(std::string_view)>& keep_subcommand) {
  if (rb.resp3() && !keep_subcommand) return rb.SendRaw(meta.info_resp3);
  RespValue entry = Parse(meta.info_resp3);
  if (!keep_subcommand) return Emit(entry, rb);
  rb.StartArray(entry.elems.size());
  for (size_t i = 0; i < entry.elems.size(); ++i) {
    if (i == kInfoSubcommandsIndex) {
      EmitFiltered(entry.elems[i], 1, keep_subcommand, rb);
    } else {
      Emit(entry.elems[i], rb);
    }
  }
}

void EmitCommandDocs(const CommandMeta& meta, protocol::ReplyBuilder& rb,
                     const std::function<bool(std::string_view)>& keep_subcommand) {
  if (rb.resp3() && !keep_subcommand) return rb.SendRaw(meta.docs_resp3);
  RespValue docs = Parse(meta.docs_resp3);
  if (!keep_subcommand) return Emit(docs, rb);
  rb.StartMap(docs.elems.size() / 2);
  for (size_t i = 0; i + 1 < docs.elems.size(); i += 2) {
    Emit(docs.elems[i], rb);
    if (docs.elems[i].str == "subcommands") {
      EmitFiltered(docs.elems[i + 1], 2, keep_subcommand, rb);
    } else {
      Emit(docs.elems[i + 1], rb);
    }
  }
}

std::vector<KeySpecInfo> ParseKeySpecs(const CommandMeta& meta) {
  constexpr size_t kInfoKeySpecsIndex = 8;
  RespValue entry = Parse(meta.info_resp3);
  std::vector<KeySpecInfo> specs;
  if (entry.elems.size() <= kInfoKeySpecsIndex) return specs;
  // A map's value by key, or nullptr.
  auto field = [](const RespValue& map, std::string_view key) -> const RespValue* {
    for (size_t i = 0; i + 1 < map.elems.size(); i += 2) {
      if (map.elems[i].str == key) return &map.elems[i + 1];
    }
    return nullptr;
  };
  auto number = [&](const RespValue* map, std::string_view key) {
    const RespValue* v = map != nullptr ? field(*map, key) : nullptr;
    return v != nullptr ? static_cast<int>(v->integer) : 0;
  };
  for (const RespValue& s : entry.elems[kInfoKeySpecsIndex].elems) {
    KeySpecInfo k;
    if (const RespValue* flags = field(s, "flags")) {
      for (const RespValue& f : flags->elems) k.not_key |= f.str == "not_key";
    }
    if (const RespValue* bs = field(s, "begin_search")) {
      const RespValue* type = field(*bs, "type");
      const RespValue* spec = field(*bs, "spec");
      if (type != nullptr && type->str == "index") {
        k.begin = KeySpecInfo::kIndex;
        k.index = number(spec, "index");
      } else if (type != nullptr && type->str == "keyword") {
        k.begin = KeySpecInfo::kKeyword;
        const RespValue* kw = spec != nullptr ? field(*spec, "keyword") : nullptr;
        if (kw != nullptr) k.keyword = kw->str;
        k.startfrom = number(spec, "startfrom");
      }
    }
    if (const RespValue* fk = field(s, "find_keys")) {
      const RespValue* type = field(*fk, "type");
      const RespValue* spec = field(*fk, "spec");
      if (type != nullptr && type->str == "range") {
        k.find = KeySpecInfo::kRange;
        k.lastkey = number(spec, "lastkey");
        k.keystep = number(spec, "keystep");
        k.limit = number(spec, "limit");
      } else if (type != nullptr && type->str == "keynum") {
        k.find = KeySpecInfo::kKeynum;
        k.keynumidx = number(spec, "keynumidx");
        k.firstkey = number(spec, "firstkey");
        k.keystep = number(spec, "keystep");
      }
    }
    specs.push_back(std::move(k));
  }
  return specs;
}

CommandInfoFields ParseInfoFields(const CommandMeta& meta) {
  RespValue entry = Parse(meta.info_resp3);
  CommandInfoFields fields;
  fields.arity = static_cast<int>(entry.elems[1].integer);
  for (const RespValue& flag : entry.elems[2].elems) fields.flags.push_back(flag.str);
  fields.first_key = static_cast<int>(entry.elems[3].integer);
  fields.last_key = static_cast<int>(entry.elems[4].integer);
  fields.step = static_cast<int>(entry.elems[5].integer);
  return fields;
}

}  // namespace baozi
