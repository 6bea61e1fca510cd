// Redis 7.0 functions (functions.c): FUNCTION LOAD|LIST|DELETE|FLUSH|DUMP|RESTORE|STATS|KILL|HELP,
// FCALL and FCALL_RO. The libraries and their interpreter are server/scripting/functions.h; this
// file parses arguments and shapes replies.
//
// FUNCTION LOAD, DELETE, FLUSH and RESTORE change the server's data as a key write does: they
// move the dirty counter (so save points count them) and propagate as themselves. FCALL
// propagates the commands its function ran, never itself.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "persistence/rdb.h"
#include "server/cmd_context.h"
#include "server/commands/common.h"
#include "server/commands/help.h"
#include "server/dispatcher.h"
#include "server/scripting/functions.h"
#include "server/scripting/scripting.h"
#include "storage/glob.h"
#include "storage/numbers.h"

namespace baozi {
namespace {

FunctionRegistry& Registry(CmdContext& ctx) { return ctx.server().scripting().functions(); }

// Redis's server.dirty++: the change counts for save points and propagates the command.
void MarkDirty(CmdContext& ctx) { ctx.server().keyspace().stats().dirty++; }

// Redis addReplySubcommandSyntaxError.
void SubcommandSyntaxError(CmdContext& ctx) {
  std::string cmd(ctx.arg(0));
  for (char& c : cmd) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  ctx.SendError("unknown subcommand or wrong number of arguments for '" +
                std::string(ctx.arg(1).substr(0, 128)) + "'. Try " + cmd + " HELP.");
}

// FUNCTION LOAD [REPLACE] code
void CmdFunctionLoad(CmdContext& ctx) {
  bool replace = false;
  size_t pos = 2;
  while (pos < ctx.argc() - 1) {
    std::string_view opt = ctx.arg(pos++);
    if (EqualsIgnoreCase(opt, "replace")) {
      replace = true;
      continue;
    }
    return ctx.SendError("Unknown option given: " + std::string(opt));
  }
  // The AOF's client (Redis mustObeyClient) loads whatever it was given, however slow.
  const int64_t timeout = ctx.client().id() == 0 ? 0 : FunctionRegistry::kLoadTimeoutMs;
  FunctionRegistry& reg = Registry(ctx);
  auto name = reg.Create(ctx.arg(pos), replace, reg.libraries(), timeout);
  if (!name) return ctx.SendError(name.error());
  MarkDirty(ctx);
  ctx.rb().SendBulk(*name);
}

// FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]
void CmdFunctionList(CmdContext& ctx) {
  bool with_code = false;
  std::optional<std::string_view> pattern;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    if (!with_code && EqualsIgnoreCase(a, "withcode")) {
      with_code = true;
      continue;
    }
    if (!pattern && EqualsIgnoreCase(a, "libraryname")) {
      if (i >= ctx.argc() - 1) return ctx.SendError("library name argument was not given");
      pattern = ctx.arg(++i);
      continue;
    }
    return ctx.SendError("Unknown argument " + std::string(a.substr(0, a.find('\0'))));
  }
  protocol::ReplyBuilder& rb = ctx.rb();
  const FunctionLibraries& libs = Registry(ctx).libraries();
  protocol::ReplyBuilder::DeferHandle len{};
  if (pattern) {
    len = rb.DeferArrayLen();
  } else {
    rb.StartArray(libs.library_count());
  }
  size_t n = 0;
  for (const auto& [name, lib] : libs.libraries()) {
    if (pattern && !GlobMatch(*pattern, name, /*nocase=*/true)) continue;
    ++n;
    rb.StartMap(with_code ? 4 : 3);
    rb.SendBulk("library_name");
    rb.SendBulk(name);
    rb.SendBulk("engine");
    rb.SendBulk("LUA");
    rb.SendBulk("functions");
    rb.StartArray(lib->functions.size());
    for (const auto& f : lib->functions) {
      rb.StartMap(3);
      rb.SendBulk("name");
      rb.SendBulk(f->name);
      rb.SendBulk("description");
      if (f->description) {
        rb.SendBulk(*f->description);
      } else {
        rb.SendNull();
      }
      rb.SendBulk("flags");
      size_t count = 0;
      for (const ScriptFlagName& fl : kFunctionFlagNames) count += (f->flags & fl.flag) ? 1 : 0;
      rb.StartSet(count);
      for (const ScriptFlagName& fl : kFunctionFlagNames) {
        if (f->flags & fl.flag) rb.SendSimple(fl.name);
      }
    }
    if (with_code) {
      rb.SendBulk("library_code");
      rb.SendBulk(lib->code);
    }
  }
  if (pattern) rb.SetDeferredLen(len, n);
}

// FUNCTION DELETE library
void CmdFunctionDelete(CmdContext& ctx) {
  if (!Registry(ctx).Delete(ctx.arg(2))) return ctx.SendError("Library not found");
  MarkDirty(ctx);
  ctx.rb().SendOk();
}

// FUNCTION FLUSH [ASYNC|SYNC]: either way the libraries are gone before the reply.
void CmdFunctionFlush(CmdContext& ctx) {
  if (ctx.argc() > 3) return SubcommandSyntaxError(ctx);
  if (ctx.argc() == 3 && !EqualsIgnoreCase(ctx.arg(2), "sync") &&
      !EqualsIgnoreCase(ctx.arg(2), "async")) {
    return ctx.SendError("FUNCTION FLUSH only supports SYNC|ASYNC option");
  }
  Registry(ctx).Flush();
  MarkDirty(ctx);
  ctx.rb().SendOk();
}

// FUNCTION DUMP: the libraries as FUNCTION2 records, RDB version and CRC-64.
void CmdFunctionDump(CmdContext& ctx) {
  std::vector<std::string_view> codes = Registry(ctx).Codes();
  ctx.rb().SendBulk(rdb::DumpFunctions(codes, ctx.config().rdbcompression));
}

// FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE]
void CmdFunctionRestore(CmdContext& ctx) {
  if (ctx.argc() > 4) return SubcommandSyntaxError(ctx);
  LibraryPolicy policy = LibraryPolicy::kAppend;
  if (ctx.argc() == 4) {
    std::string_view p = ctx.arg(3);
    if (EqualsIgnoreCase(p, "append")) {
      policy = LibraryPolicy::kAppend;
    } else if (EqualsIgnoreCase(p, "replace")) {
      policy = LibraryPolicy::kReplace;
    } else if (EqualsIgnoreCase(p, "flush")) {
      policy = LibraryPolicy::kFlush;
    } else {
      return ctx.SendError(
          "Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
    }
  }
  std::string_view payload = ctx.arg(2);
  if (!rdb::VerifyPayload(payload)) {
    return ctx.SendError("DUMP payload version or checksum are wrong");
  }
  auto codes = rdb::LoadFunctionsPayload(payload);
  if (!codes) return ctx.SendError(codes.error().reason);
  FunctionRegistry& reg = Registry(ctx);
  std::unique_ptr<FunctionLibraries> libs = reg.NewLibraries();
  for (const std::string& code : *codes) {
    auto r = reg.Create(code, /*replace=*/false, *libs, /*timeout_ms=*/0);
    if (!r) return ctx.SendError(r.error());
  }
  if (auto r = reg.Join(*libs, policy); !r) return ctx.SendError(r.error());
  MarkDirty(ctx);
  ctx.rb().SendOk();
}

// FUNCTION STATS: the running function (name, its FCALL, how long it has run) and the engine's
// counts.
void CmdFunctionStats(CmdContext& ctx) {
  ScriptEngine& engine = ctx.server().scripting();
  ScriptRun* run = engine.running();
  if (run != nullptr && run->eval_mode) return ctx.SendError(engine.BusyError());
  FunctionRegistry& reg = Registry(ctx);
  protocol::ReplyBuilder& rb = ctx.rb();
  rb.StartMap(2);
  rb.SendBulk("running_script");
  if (run == nullptr) {
    rb.SendNull();
  } else {
    rb.StartMap(3);
    rb.SendBulk("name");
    rb.SendBulk(run->funcname);
    rb.SendBulk("command");
    rb.StartArray(reg.running_argv.size());
    for (std::string_view a : reg.running_argv) rb.SendBulk(a);
    rb.SendBulk("duration_ms");
    const int64_t now_us = MonotonicUs();
    rb.SendLong((now_us - run->start_us) / 1000);
  }
  rb.SendBulk("engines");
  rb.StartMap(1);
  rb.SendBulk("LUA");
  rb.StartMap(2);
  rb.SendBulk("libraries_count");
  rb.SendLong(static_cast<int64_t>(reg.libraries().library_count()));
  rb.SendBulk("functions_count");
  rb.SendLong(static_cast<int64_t>(reg.libraries().registered_functions()));
}

// FUNCTION KILL
void CmdFunctionKill(CmdContext& ctx) { ctx.server().scripting().Kill(ctx, /*is_eval=*/false); }

// FUNCTION HELP
void CmdFunctionHelp(CmdContext& ctx) {
  SendHelp(
      ctx,
      {
          "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
          "LOAD [REPLACE] <FUNCTION CODE>",
          "    Create a new library with the given library name and code.",
          "DELETE <LIBRARY NAME>",
          "    Delete the given library.",
          "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
          "    Return general information on all the libraries:",
          "    * Library name",
          "    * The engine used to run the Library",
          "    * Library description",
          "    * Functions list",
          "    * Library code (if WITHCODE is given)",
          "    It also possible to get only function that matches a pattern using LIBRARYNAME "
          "argument.",
          "STATS",
          "    Return information about the current function running:",
          "    * Function name",
          "    * Command used to run the function",
          "    * Duration in MS that the function is running",
          "    If no function is running, return nil",
          "    In addition, returns a list of available engines.",
          "KILL",
          "    Kill the current running function.",
          "FLUSH [ASYNC|SYNC]",
          "    Delete all the libraries.",
          "    When called without the optional mode argument, the behavior is determined by the",
          "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
          "    * ASYNC: Asynchronously flush the libraries.",
          "    * SYNC: Synchronously flush the libraries.",
          "DUMP",
          "    Return a serialized payload representing the current libraries, can be restored "
          "using FUNCTION RESTORE command",
          "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
          "    Restore the libraries represented by the given payload, it is possible to give a "
          "restore policy to",
          "    control how to handle existing libraries (default APPEND):",
          "    * FLUSH: delete all existing libraries.",
          "    * APPEND: appends the restored libraries to the existing libraries. On collision, "
          "abort.",
          "    * REPLACE: appends the restored libraries to the existing libraries, On collision, "
          "replace the old",
          "      libraries with the new libraries (notice that even on this option there is a "
          "chance of failure",
          "      in case of functions name collision with another library).",
      });
}

// FCALL / FCALL_RO function numkeys [key ...] [arg ...]
void FcallGeneric(CmdContext& ctx, bool ro) {
  Server& server = ctx.server();
  // MONITOR skips FCALL in the dispatcher; it is shown here, ahead of what the function runs.
  if (!server.monitors().empty()) FeedMonitors(server, ctx.client(), ctx.args());
  FunctionRegistry& reg = Registry(ctx);
  const FunctionInfo* f = reg.libraries().FindFunction(ctx.arg(1));
  if (f == nullptr) return ctx.SendError("Function not found");
  auto numkeys = ParseInt64(ctx.arg(2));
  if (!numkeys) return ctx.SendError("Bad number of keys provided");
  if (*numkeys > static_cast<int64_t>(ctx.argc() - 3)) {
    return ctx.SendError("Number of keys can't be greater than number of args");
  }
  if (*numkeys < 0) return ctx.SendError("Number of keys can't be negative");
  auto args = ctx.args();
  auto keys = args.subspan(3, static_cast<size_t>(*numkeys));
  auto argv = args.subspan(3 + static_cast<size_t>(*numkeys));
  const int ref = f->ref;
  reg.running_argv = args;
  server.scripting().Run(ctx, reg.vm(), f->name, f->flags, ro, /*eval_mode=*/false, keys, argv,
                         [ref](lua_State* L) { lua_rawgeti(L, LUA_REGISTRYINDEX, ref); });
  reg.running_argv = {};
}

void CmdFcall(CmdContext& ctx) { FcallGeneric(ctx, false); }
void CmdFcallRo(CmdContext& ctx) { FcallGeneric(ctx, true); }

}  // namespace

void RegisterFunctionCommands(CommandRegistry& r) {
  constexpr uint32_t kFcallFlags = kNoScript | kStale | kSkipMonitor | kNoMandatoryKeys;
  // may-replicate, hidden by COMMAND INFO as for EVAL: CLIENT PAUSE WRITE holds FCALL.
  r.Add({"fcall", -3, kFcallFlags | kMayReplicate, {}, CmdFcall, "scripting"});
  r.Add({"fcall_ro", -3, kFcallFlags | kReadOnly, {}, CmdFcallRo, "scripting"});
  Command* fn = r.Add({"function", -2, 0, {}, CmdContainer, "scripting"});
  fn->AddSubcommand({"delete", 3, kWrite | kNoScript, {}, CmdFunctionDelete, "scripting"});
  fn->AddSubcommand({"dump", 2, kNoScript, {}, CmdFunctionDump, "scripting"});
  fn->AddSubcommand({"flush", -2, kWrite | kNoScript, {}, CmdFunctionFlush, "scripting"});
  fn->AddSubcommand({"help", 2, kLoading | kStale, {}, CmdFunctionHelp, "scripting"});
  fn->AddSubcommand({"kill", 2, kNoScript | kAllowBusy, {}, CmdFunctionKill, "scripting"});
  fn->AddSubcommand({"list", -2, kNoScript, {}, CmdFunctionList, "scripting"});
  fn->AddSubcommand({"load", -3, kWrite | kDenyOom | kNoScript, {}, CmdFunctionLoad, "scripting"});
  fn->AddSubcommand(
      {"restore", -3, kWrite | kDenyOom | kNoScript, {}, CmdFunctionRestore, "scripting"});
  fn->AddSubcommand({"stats", 2, kNoScript | kAllowBusy, {}, CmdFunctionStats, "scripting"});
}

}  // namespace baozi
