// COMMAND and its subcommands, generated from the command table: our registry decides which
// commands exist and how they behave; Redis's descriptive metadata (command_meta.h) supplies the
// reply fields (ACL categories, key specs, docs) byte-for-byte.
#include <algorithm>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "protocol/resp_value.h"
#include "server/cmd_context.h"
#include "server/command_meta.h"
#include "server/commands/common.h"
#include "server/commands/help.h"
#include "storage/glob.h"
#include "storage/numbers.h"

namespace baozi {
namespace {

// Resolves "get" or "config|get" against the registry.
const Command* FindByFullName(const CommandRegistry& r, std::string_view name) {
  size_t bar = name.find('|');
  const Command* c = r.Find(name.substr(0, bar));
  if (c == nullptr || bar == std::string_view::npos) return c;
  return c->FindSubcommand(name.substr(bar + 1));
}

std::function<bool(std::string_view)> KeepRegistered(const CommandRegistry& r) {
  return [&r](std::string_view full) { return FindByFullName(r, full) != nullptr; };
}

void EmitInfo(CmdContext& ctx, const Command& c) {
  const CommandMeta* meta = FindCommandMeta(c.full_name());
  if (meta == nullptr) return ctx.rb().SendNullArray();
  EmitCommandInfo(*meta, ctx.rb(), KeepRegistered(ctx.server().registry()));
}

// COMMAND
void CmdCommand(CmdContext& ctx) {
  const auto& all = ctx.server().registry().all();
  ctx.rb().StartArray(all.size());
  for (const Command* c : all) EmitInfo(ctx, *c);
}

// COMMAND COUNT
void CmdCommandCount(CmdContext& ctx) {
  ctx.rb().SendLong(static_cast<int64_t>(ctx.server().registry().all().size()));
}

// COMMAND INFO [command-name ...]
void CmdCommandInfo(CmdContext& ctx) {
  if (ctx.argc() == 2) return CmdCommand(ctx);
  ctx.rb().StartArray(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    const Command* c = FindByFullName(ctx.server().registry(), ctx.arg(i));
    if (c == nullptr) {
      ctx.rb().SendNull();  // Redis 7.0 addReplyNull: $-1, where COMMAND DOCS leaves it out
    } else {
      EmitInfo(ctx, *c);
    }
  }
}

// COMMAND DOCS [command-name ...]
void CmdCommandDocs(CmdContext& ctx) {
  const CommandRegistry& r = ctx.server().registry();
  std::vector<std::pair<const Command*, const CommandMeta*>> found;
  if (ctx.argc() == 2) {
    for (const Command* c : r.all()) {
      if (const CommandMeta* m = FindCommandMeta(c->full_name())) found.emplace_back(c, m);
    }
  } else {
    for (size_t i = 2; i < ctx.argc(); ++i) {
      const Command* c = FindByFullName(r, ctx.arg(i));
      if (c == nullptr) continue;
      if (const CommandMeta* m = FindCommandMeta(c->full_name())) found.emplace_back(c, m);
    }
  }
  ctx.rb().StartMap(found.size());
  for (auto& [c, m] : found) {
    ctx.rb().SendBulk(c->full_name());
    EmitCommandDocs(*m, ctx.rb(), KeepRegistered(r));
  }
}

// ACL categories of a command, from element 7 of its Redis INFO entry ("@read", "@string"...).
std::vector<std::string> AclCategories(const Command& c) {
  std::vector<std::string> out;
  const CommandMeta* meta = FindCommandMeta(c.full_name());
  if (meta == nullptr) return out;
  protocol::RespValue v;
  if (protocol::ParseReply(meta->info_resp3, &v) <= 0 || v.elems.size() < 7) return out;
  for (const auto& cat : v.elems[6].elems) out.push_back(cat.str);
  return out;
}

// COMMAND LIST [FILTERBY MODULE module-name|ACLCAT category|PATTERN pattern]
void CmdCommandList(CmdContext& ctx) {
  enum { kNone, kModule, kAclCat, kPattern } filter = kNone;
  std::string_view value;
  if (ctx.argc() == 5 && EqualsIgnoreCase(ctx.arg(2), "filterby")) {
    value = ctx.arg(4);
    if (EqualsIgnoreCase(ctx.arg(3), "module")) {
      filter = kModule;
    } else if (EqualsIgnoreCase(ctx.arg(3), "aclcat")) {
      filter = kAclCat;
    } else if (EqualsIgnoreCase(ctx.arg(3), "pattern")) {
      filter = kPattern;
    } else {
      return ctx.SendError(Errc::kSyntax);
    }
  } else if (ctx.argc() != 2) {
    return ctx.SendError(Errc::kSyntax);
  }
  std::vector<std::string_view> names;
  ctx.server().registry().ForEachIncludingSubcommands([&](const Command& c) {
    switch (filter) {
      case kNone:
        break;
      case kModule:
        return;  // no modules
      case kPattern:
        if (!GlobMatch(value, c.full_name(), true)) return;
        break;
      case kAclCat: {
        bool hit = false;
        for (const std::string& cat : AclCategories(c)) {
          if (EqualsIgnoreCase(std::string_view(cat).substr(1), value)) hit = true;
        }
        if (!hit) return;
        break;
      }
    }
    names.push_back(c.full_name());
  });
  ctx.rb().StartArray(names.size());
  for (std::string_view n : names) ctx.rb().SendBulk(n);
}

// Keys of one invocation from the key specs COMMAND INFO shows (Redis 7.0's
// getKeysUsingKeySpecs); nullopt when one of them cannot be followed (an "unknown" spec, a key
// count that is not a positive number).
std::optional<std::vector<size_t>> KeysFromSpecs(std::span<const KeySpecInfo> specs,
                                                 std::span<const std::string_view> argv) {
  std::vector<size_t> keys;
  const int argc = static_cast<int>(argv.size());
  for (const KeySpecInfo& s : specs) {
    if (s.not_key) continue;
    int first = 0;
    if (s.begin == KeySpecInfo::kIndex) {
      first = s.index;
    } else if (s.begin == KeySpecInfo::kKeyword) {
      const int start = s.startfrom > 0 ? s.startfrom : argc + s.startfrom;
      const int end = s.startfrom > 0 ? argc - 1 : 1;
      for (int i = start; i != end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (EqualsIgnoreCase(argv[i], s.keyword)) {
          first = i + 1;
          break;
        }
      }
      if (first == 0) continue;  // no keyword: this spec names nothing here
    } else {
      return std::nullopt;
    }
    int last;
    if (s.find == KeySpecInfo::kRange) {
      if (s.lastkey >= 0) {
        last = first + s.lastkey;
      } else if (s.limit == 0) {
        last = argc + s.lastkey;
      } else {
        last = first + ((argc - first) / s.limit + s.lastkey);
      }
    } else if (s.find == KeySpecInfo::kKeynum) {
      if (first + s.keynumidx >= argc) return std::nullopt;
      std::optional<int64_t> n = ParseInt64(argv[first + s.keynumidx]);
      // A count of 0 is not followed either (redis-server 7.0.15 answers from its key finder).
      if (!n || *n <= 0) return std::nullopt;
      first += s.firstkey;
      last = static_cast<int>(std::min<int64_t>(first + *n - 1, INT32_MAX));
    } else {
      return std::nullopt;
    }
    const int step = std::max(1, s.keystep);
    for (int i = first; i <= last; i += step) {
      // Arguments that run out leave no keys at all: the command itself will refuse them.
      if (i >= argc || i < first) return std::vector<size_t>();
      keys.push_back(i);
    }
  }
  return keys;
}

// Redis genericGetKeys: `count` keys from `first` (atoi of argv[count_at]), plus a destination
// at `store_at` when non-zero; none when the count is out of range.
std::vector<size_t> CountedKeys(std::span<const std::string_view> argv, size_t store_at,
                                size_t count_at, size_t first) {
  std::string count(argv[count_at]);
  const long n = std::strtol(count.c_str(), nullptr, 10);
  if (n < 1 || n > static_cast<long>(argv.size() - first)) return {};
  std::vector<size_t> keys;
  for (long i = 0; i < n; ++i) keys.push_back(first + i);
  if (store_at != 0) keys.push_back(store_at);
  return keys;
}

// Commands whose getkeys_proc is Redis's genericGetKeys: where the count, the first key and a
// destination are.
struct Counted {
  std::string_view name;
  size_t store_at, count_at, first;
};
constexpr Counted kCounted[] = {
    {"eval", 0, 2, 3},        {"evalsha", 0, 2, 3},     {"eval_ro", 0, 2, 3},
    {"evalsha_ro", 0, 2, 3},  {"fcall", 0, 2, 3},       {"fcall_ro", 0, 2, 3},
    {"zunionstore", 1, 2, 3}, {"zinterstore", 1, 2, 3}, {"zdiffstore", 1, 2, 3},
    {"zunion", 0, 1, 2},      {"zinter", 0, 1, 2},      {"zdiff", 0, 1, 2},
    {"zintercard", 0, 1, 2},  {"sintercard", 0, 1, 2},  {"lmpop", 0, 1, 2},
    {"zmpop", 0, 1, 2},       {"blmpop", 0, 2, 3},      {"bzmpop", 0, 2, 3},
};

// The getkeys_proc of the commands here whose specs may not be enough (Redis 7.0's).
std::optional<std::vector<size_t>> KeysFromProc(std::string_view name,
                                                std::span<const std::string_view> argv) {
  if (name == "sort_ro") return std::vector<size_t>{1};
  if (name == "sort") {
    // The key, and STORE's destination (BY/GET patterns name no key of their own).
    std::vector<size_t> keys = {1};
    size_t store = 0;
    for (size_t i = 2; i < argv.size(); ++i) {
      if (EqualsIgnoreCase(argv[i], "limit")) {
        i += 2;
      } else if (EqualsIgnoreCase(argv[i], "get") || EqualsIgnoreCase(argv[i], "by")) {
        i += 1;
      } else if (EqualsIgnoreCase(argv[i], "store") && i + 1 < argv.size()) {
        store = ++i;
      }
    }
    if (store != 0) keys.push_back(store);
    return keys;
  }

  for (const Counted& c : kCounted) {
    if (c.name == name) return CountedKeys(argv, c.store_at, c.count_at, c.first);
  }
  return std::nullopt;
}

bool HasKeysProc(std::string_view name) {
  return name == "sort" || name == "sort_ro" ||
         std::any_of(std::begin(kCounted), std::end(kCounted),
                     [&](const Counted& c) { return c.name == name; });
}

// COMMAND GETKEYS command [arg ...]
void CmdCommandGetKeys(CmdContext& ctx) {
  auto argv = ctx.args().subspan(2);
  const Command* c = ctx.server().registry().Find(argv[0]);
  if (c != nullptr && c->IsContainer() && argv.size() >= 2) c = c->FindSubcommand(argv[1]);
  if (c == nullptr) return ctx.SendError("Invalid command specified");
  const CommandMeta* meta = FindCommandMeta(c->full_name());
  std::vector<KeySpecInfo> specs;
  if (meta != nullptr) specs = ParseKeySpecs(*meta);
  const bool has_proc = HasKeysProc(c->full_name());
  const bool has_keys =
      has_proc || std::any_of(specs.begin(), specs.end(), [](auto& s) { return !s.not_key; });
  if (!has_keys) return ctx.SendError("The command has no key arguments");
  int argc = static_cast<int>(argv.size());
  if ((c->arity() > 0 && c->arity() != argc) || argc < -c->arity()) {
    return ctx.SendError("Invalid number of arguments specified for command");
  }
  // The key specs first; where they cannot be followed, the command's own key finder (Redis
  // 7.0's getKeysFromCommandWithSpecs falling back to the getkeys_proc).
  std::optional<std::vector<size_t>> keys = KeysFromSpecs(specs, argv);
  if (!keys) keys = KeysFromProc(c->full_name(), argv);
  if (!keys || keys->empty()) {
    if (c->Has(kNoMandatoryKeys)) return ctx.rb().StartArray(0);
    return ctx.SendError("Invalid arguments specified for command");
  }
  ctx.rb().StartArray(keys->size());
  for (size_t p : *keys) ctx.rb().SendBulk(argv[p]);
}

// COMMAND HELP
void CmdCommandHelp(CmdContext& ctx) {
  SendHelp(ctx, {
                    "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                    "(no subcommand)",
                    "    Return details about all Redis commands.",
                    "COUNT",
                    "    Return the total number of commands in this Redis server.",
                    "LIST",
                    "    Return a list of all commands in this Redis server.",
                    "INFO [<command-name> ...]",
                    "    Return details about multiple Redis commands.",
                    "    If no command names are given, documentation details for all",
                    "    commands are returned.",
                    "DOCS [<command-name> ...]",
                    "    Return documentation details about multiple Redis commands.",
                    "    If no command names are given, documentation details for all",
                    "    commands are returned.",
                    "GETKEYS <full-command>",
                    "    Return the keys from a full Redis command.",
                });
}

}  // namespace

std::vector<size_t> CommandKeyPositions(const Command& cmd,
                                        std::span<const std::string_view> argv) {
  // Parsed once per command: client tracking asks after every read-only command.
  static std::unordered_map<const Command*, std::vector<KeySpecInfo>> cache;
  auto it = cache.find(&cmd);
  if (it == cache.end()) {
    std::vector<KeySpecInfo> specs;
    if (const CommandMeta* meta = FindCommandMeta(cmd.full_name())) specs = ParseKeySpecs(*meta);
    it = cache.emplace(&cmd, std::move(specs)).first;
  }
  std::optional<std::vector<size_t>> keys = KeysFromSpecs(it->second, argv);
  if (!keys) keys = KeysFromProc(cmd.full_name(), argv);
  return keys ? std::move(*keys) : std::vector<size_t>();
}

void RegisterIntrospectionCommands(CommandRegistry& r) {
  Command* command = r.Add({"command", -1, kLoading | kStale, {}, CmdCommand, "server"});
  command->AddSubcommand({"count", 2, kLoading | kStale, {}, CmdCommandCount, "server"});
  command->AddSubcommand({"info", -2, kLoading | kStale, {}, CmdCommandInfo, "server"});
  command->AddSubcommand({"docs", -2, kLoading | kStale, {}, CmdCommandDocs, "server"});
  command->AddSubcommand({"list", -2, kLoading | kStale, {}, CmdCommandList, "server"});
  command->AddSubcommand({"getkeys", -4, kLoading | kStale, {}, CmdCommandGetKeys, "server"});
  command->AddSubcommand({"help", 2, kLoading | kStale, {}, CmdCommandHelp, "server"});
}

}  // namespace baozi
