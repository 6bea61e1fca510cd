// Descriptive command metadata for COMMAND INFO and COMMAND DOCS, as Redis 7.0 reports it.
//
// The command registry owns behaviour (arity, flags, key triple, handler). Everything else
// COMMAND INFO/DOCS print (ACL categories, tips, key specs, summary, since, group, complexity,
// history, argument trees) is data captured from a real redis-server by
// scripts/gen_command_meta.py and compiled in from command_meta_data.inc. Each record keeps the
// exact RESP3 bytes Redis sent; the Emit functions replay them through a ReplyBuilder, which
// produces what Redis sends to RESP2 clients (maps flattened, sets as arrays) as well.
//
//   const CommandMeta* meta = FindCommandMeta("config|get");   // nullptr: not a Redis command
//
//   // COMMAND INFO get            -> *1 <entry>
//   rb.StartArray(1);
//   EmitCommandInfo(*meta, rb, nullptr);
//
//   // COMMAND DOCS get            -> %1 "get" <docs value>   (the name key is the caller's)
//   rb.StartMap(1);
//   rb.SendBulk(meta->name);
//   EmitCommandDocs(*meta, rb, nullptr);
//
//   // A container whose subcommands we only partly implement:
//   EmitCommandInfo(*FindCommandMeta("config"), rb,
//                   [&](std::string_view sub) { return registry.Find(sub) != nullptr; });
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/reply_builder.h"

namespace baozi {

struct CommandMeta {
  std::string_view name;        // lowercase: "get", "config|get"
  std::string_view info_resp3;  // one COMMAND INFO entry (the 10-element array)
  std::string_view docs_resp3;  // one COMMAND DOCS value (the map under the name key)
};

// nullptr if Redis 7.0 has no such command. `name` must be lowercase.
const CommandMeta* FindCommandMeta(std::string_view name);
// Every command and subcommand Redis 7.0 knows, sorted by name.
std::span<const CommandMeta> AllCommandMeta();

// `keep_subcommand` is asked, with the full "parent|sub" name, about each subcommand nested in a
// container's entry (INFO element 10, DOCS "subcommands" map); those it rejects are left out.
// nullptr keeps all of them.
void EmitCommandInfo(const CommandMeta& meta, protocol::ReplyBuilder& rb,
                     const std::function<bool(std::string_view)>& keep_subcommand);
// Emits the docs value only; the caller writes the name key before it.
void EmitCommandDocs(const CommandMeta& meta, protocol::ReplyBuilder& rb,
                     const std::function<bool(std::string_view)>& keep_subcommand);

// The behavioural part of an INFO entry, which the registry test compares with our own specs.
struct CommandInfoFields {
  int arity;
  std::vector<std::string> flags;  // "write", "readonly", "fast", ... in Redis's order
  int first_key, last_key, step;
};
CommandInfoFields ParseInfoFields(const CommandMeta& meta);

// One of COMMAND INFO's key specs (Redis 7.0 keySpec): where the search for keys begins (an
// argument index, or the argument after a keyword) and how keys are found from there (a range,
// or a count argument). kUnknown is Redis's "unknown" (keys found by the command's own code).
struct KeySpecInfo {
  enum Begin { kIndex, kKeyword, kBeginUnknown } begin = kBeginUnknown;
  int index = 0;
  std::string keyword;
  int startfrom = 0;
  enum Find { kRange, kKeynum, kFindUnknown } find = kFindUnknown;
  int lastkey = 0, keystep = 1, limit = 0;  // range
  int keynumidx = 0, firstkey = 0;          // keynum (keystep shared)
  bool not_key = false;                     // the NOT_KEY flag: a spec that names no key
};
std::vector<KeySpecInfo> ParseKeySpecs(const CommandMeta& meta);

}  // namespace baozi
