// COMMAND and its subcommands, generated from the command table: our registry decides which
// commands exist and how they behave; Redis's descriptive metadata (command_meta.h) supplies the
// reply fields (ACL categories, key specs, docs) byte-for-byte.
#include "protocol/resp_value.h"
#include "server/cmd_context.h"
#include "server/command_meta.h"
#include "server/commands/common.h"
#include "server/commands/help.h"
#include "storage/glob.h"

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
      ctx.rb().SendNullArray();
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

// COMMAND GETKEYS command [arg ...]
void CmdCommandGetKeys(CmdContext& ctx) {
  auto argv = ctx.args().subspan(2);
  const Command* c = ctx.server().registry().Find(argv[0]);
  if (c != nullptr && c->IsContainer() && argv.size() >= 2) c = c->FindSubcommand(argv[1]);
  if (c == nullptr) return ctx.SendError("Invalid command specified");
  if (c->spec().keys.first <= 0) return ctx.SendError("The command has no key arguments");
  int argc = static_cast<int>(argv.size());
  if ((c->arity() > 0 && c->arity() != argc) || argc < -c->arity()) {
    return ctx.SendError("Invalid number of arguments specified for command");
  }
  std::vector<size_t> pos = c->KeyPositions(argv.size());
  if (pos.empty()) return ctx.SendError("Invalid arguments specified for command");
  ctx.rb().StartArray(pos.size());
  for (size_t p : pos) ctx.rb().SendBulk(argv[p]);
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
