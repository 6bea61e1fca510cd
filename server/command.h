// The declarative command table. One CommandSpec per command says everything the dispatcher
// needs to know before a handler runs: Redis arity (N exact, -N at least N, counting the name),
// flags, the legacy (first, last, step) key triple, and the handler. Containers (CONFIG, CLIENT,
// OBJECT, ...) carry their subcommands as specs of their own, and arity is checked per
// subcommand, so no handler ever counts its arguments to protect itself.
#pragma once

#include <cstdint>
#include <deque>
#include <expected>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/latency.h"

namespace baozi {

class CmdContext;
using Handler = void (*)(CmdContext&);

enum CmdFlag : uint32_t {
  kWrite = 1 << 0,
  kReadOnly = 1 << 1,
  kDenyOom = 1 << 2,
  kFast = 1 << 3,
  kBlocking = 1 << 4,
  kNoMulti = 1 << 5,
  kPubSub = 1 << 6,
  kAdmin = 1 << 7,
  kLoading = 1 << 8,
  kStale = 1 << 9,
  kNoAuth = 1 << 10,       // allowed before AUTH (AUTH, HELLO, QUIT, RESET...)
  kSkipMonitor = 1 << 11,  // never shown to MONITOR (AUTH, HELLO: they carry passwords)
  kSkipSlowlog = 1 << 12,
  kNoScript = 1 << 13,
  kMayReplicate = 1 << 14,
  kSentinel = 1 << 15,
  kOnlySentinel = 1 << 16,
  kNoMandatoryKeys = 1 << 17,
  kAllowBusy = 1 << 18,
  kNoAsyncLoading = 1 << 19,
  kProtected = 1 << 20,  // DEBUG: refused unless enable-debug-command allows it (CMD_PROTECTED)
};

// Redis's legacy key triple; last < 0 counts from the end (-1 = the last argument).
struct KeySpec {
  int first = 0;
  int last = 0;
  int step = 0;
};

struct CommandStats {
  uint64_t calls = 0;
  uint64_t usec = 0;
  uint64_t rejected_calls = 0;
  uint64_t failed_calls = 0;
};

struct CommandSpec {
  std::string_view name;  // lowercase, as Redis reports it
  int arity = 0;
  uint32_t flags = 0;
  KeySpec keys;
  Handler handler = nullptr;
  std::string_view group;
};

class Command {
 public:
  Command(const CommandSpec& spec, const Command* parent);

  const CommandSpec& spec() const { return spec_; }
  std::string_view name() const { return spec_.name; }
  // "get" or "config|get": the name Redis uses in errors, stats and COMMAND replies.
  const std::string& full_name() const { return full_name_; }
  const Command* parent() const { return parent_; }
  int arity() const { return spec_.arity; }
  uint32_t flags() const { return spec_.flags; }
  bool Has(CmdFlag f) const { return (spec_.flags & f) != 0; }
  Handler handler() const { return spec_.handler; }

  bool IsContainer() const { return !subcommands_.empty(); }
  Command* AddSubcommand(const CommandSpec& spec);
  Command* FindSubcommand(std::string_view name) const;
  const std::vector<std::unique_ptr<Command>>& subcommands() const { return subcommands_; }

  // Positions of the key arguments of one invocation (COMMAND GETKEYS, WATCH...).
  std::vector<size_t> KeyPositions(size_t argc) const;

  CommandStats& stats() const { return stats_; }
  // The latency histogram (LATENCY HISTOGRAM, INFO latencystats), created on the first call
  // recorded; null until then and after CONFIG RESETSTAT.
  LatencyHistogram* latency_histogram() const { return latency_histogram_.get(); }
  void RecordLatency(int64_t ns) const {
    if (!latency_histogram_) latency_histogram_ = std::make_unique<LatencyHistogram>();
    latency_histogram_->Record(ns);
  }
  void ResetLatencyHistogram() const { latency_histogram_.reset(); }

 private:
  CommandSpec spec_;
  const Command* parent_;
  std::string full_name_;
  std::vector<std::unique_ptr<Command>> subcommands_;
  std::unordered_map<std::string_view, Command*> sub_index_;
  mutable CommandStats stats_;
  mutable std::unique_ptr<LatencyHistogram> latency_histogram_;
};

class CommandRegistry {
 public:
  CommandRegistry();  // registers every command family

  Command* Add(const CommandSpec& spec);
  // Case-insensitive; no allocation.
  Command* Find(std::string_view name) const;
  // Top-level commands in registration order.
  const std::vector<Command*>& all() const { return all_; }
  // rename-command (config file): `from` answers to `to` from now on (still reporting its own
  // name in COMMAND, errors and stats, as in Redis); an empty `to` removes it. Errors are
  // Redis's load-time reasons.
  std::expected<void, std::string> Rename(std::string_view from, std::string_view to);

  // Visits every command and subcommand.
  template <class Fn>
  void ForEachIncludingSubcommands(Fn&& fn) const {
    for (Command* c : all_) {
      fn(*c);
      for (auto& s : c->subcommands()) fn(*s);
    }
  }

 private:
  std::vector<std::unique_ptr<Command>> owned_;
  std::vector<Command*> all_;
  std::unordered_map<std::string_view, Command*> index_;
  std::deque<std::string> renamed_;  // owns the index keys Rename added
};

// Lowercases name into buf (at most cap bytes); returns the view or an empty view when too long.
std::string_view LowercaseInto(std::string_view name, char* buf, size_t cap);
// The same, into a new string of any length.
std::string Lowercase(std::string_view name);

// Each command family registers itself from its own file.
void RegisterStringCommands(CommandRegistry& r);
void RegisterBitCommands(CommandRegistry& r);
void RegisterHashCommands(CommandRegistry& r);
void RegisterListCommands(CommandRegistry& r);
void RegisterSetCommands(CommandRegistry& r);
void RegisterZsetCommands(CommandRegistry& r);
void RegisterZsetSetopCommands(CommandRegistry& r);
void RegisterStreamCommands(CommandRegistry& r);
void RegisterStreamGroupCommands(CommandRegistry& r);
void RegisterSortCommands(CommandRegistry& r);
void RegisterKeyCommands(CommandRegistry& r);
void RegisterServerCommands(CommandRegistry& r);
void RegisterConnectionCommands(CommandRegistry& r);
void RegisterIntrospectionCommands(CommandRegistry& r);
void RegisterMultiCommands(CommandRegistry& r);
void RegisterPubSubCommands(CommandRegistry& r);
void RegisterMemoryCommands(CommandRegistry& r);
void RegisterScriptCommands(CommandRegistry& r);
void RegisterFunctionCommands(CommandRegistry& r);
void RegisterLatencyCommands(CommandRegistry& r);

}  // namespace baozi
