#include "server/command.h"

#include <algorithm>

namespace baozi {

namespace {
// ASCII only, as std::tolower is in the "C" LC_CTYPE the server keeps (main sets LC_COLLATE
// alone), without a libc call per byte.
char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }
}  // namespace

std::string_view LowercaseInto(std::string_view name, char* buf, size_t cap) {
  if (name.size() > cap) return {};
  for (size_t i = 0; i < name.size(); ++i) buf[i] = AsciiLower(name[i]);
  return {buf, name.size()};
}

std::string Lowercase(std::string_view name) {
  std::string out(name);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

Command::Command(const CommandSpec& spec, const Command* parent) : spec_(spec), parent_(parent) {
  full_name_ = parent ? parent->full_name() + "|" + std::string(spec.name) : std::string(spec.name);
}

Command* Command::AddSubcommand(const CommandSpec& spec) {
  subcommands_.push_back(std::make_unique<Command>(spec, this));
  Command* c = subcommands_.back().get();
  sub_index_[c->name()] = c;
  return c;
}

Command* Command::FindSubcommand(std::string_view name) const {
  char buf[64];
  std::string_view lower = LowercaseInto(name, buf, sizeof(buf));
  if (lower.empty()) return nullptr;
  auto it = sub_index_.find(lower);
  return it == sub_index_.end() ? nullptr : it->second;
}

std::vector<size_t> Command::KeyPositions(size_t argc) const {
  std::vector<size_t> out;
  const KeySpec& k = spec_.keys;
  if (k.first <= 0 || k.step <= 0) return out;
  int last = k.last >= 0 ? k.last : static_cast<int>(argc) + k.last;
  for (int i = k.first; i <= last && i < static_cast<int>(argc); i += k.step) out.push_back(i);
  return out;
}

CommandRegistry::CommandRegistry() {
  RegisterConnectionCommands(*this);
  RegisterServerCommands(*this);
  RegisterIntrospectionCommands(*this);
  RegisterMultiCommands(*this);
  RegisterPubSubCommands(*this);
  RegisterKeyCommands(*this);
  RegisterStringCommands(*this);
  RegisterBitCommands(*this);
  RegisterHashCommands(*this);
  RegisterListCommands(*this);
  RegisterSetCommands(*this);
  RegisterZsetCommands(*this);
  RegisterZsetSetopCommands(*this);
  RegisterStreamCommands(*this);
  RegisterStreamGroupCommands(*this);
  RegisterSortCommands(*this);
  RegisterMemoryCommands(*this);
  RegisterScriptCommands(*this);
  RegisterFunctionCommands(*this);
  RegisterLatencyCommands(*this);
}

Command* CommandRegistry::Add(const CommandSpec& spec) {
  owned_.push_back(std::make_unique<Command>(spec, nullptr));
  Command* c = owned_.back().get();
  all_.push_back(c);
  index_[c->name()] = c;
  return c;
}

std::expected<void, std::string> CommandRegistry::Rename(std::string_view from,
                                                         std::string_view to) {
  Command* c = Find(from);
  if (c == nullptr) return std::unexpected("No such command in rename-command");
  // Each command sits in the index once, under its current name.
  for (auto it = index_.begin(); it != index_.end(); ++it) {
    if (it->second == c) {
      index_.erase(it);
      break;
    }
  }
  if (to.empty()) {
    std::erase(all_, c);
    return {};
  }
  std::string lower = Lowercase(to);
  if (index_.contains(lower)) return std::unexpected("Target command name already exists");
  renamed_.push_back(std::move(lower));
  index_[renamed_.back()] = c;
  return {};
}

Command* CommandRegistry::Find(std::string_view name) const {
  char buf[64];
  std::string_view lower = LowercaseInto(name, buf, sizeof(buf));
  if (lower.empty()) return nullptr;
  auto it = index_.find(lower);
  return it == index_.end() ? nullptr : it->second;
}

}  // namespace baozi
