// Fuzzes the redis.conf parser (ConfigTable::LoadString) and CONFIG GET's formatting of
// whatever it accepted. Lines naming `include` are dropped first (they would read arbitrary
// files, /dev/stdin included); `dir` is kept, and the working directory it changes is put
// back after every input so crash artifacts still land where libFuzzer was told.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/config.h"

namespace {

bool MentionsInclude(std::string_view line) {
  static constexpr std::string_view kWord = "include";
  for (size_t i = 0; i + kWord.size() <= line.size(); ++i) {
    size_t j = 0;
    while (j < kWord.size() && (line[i + j] | 0x20) == kWord[j]) ++j;
    if (j == kWord.size()) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string cwd = [] {
    char buf[4096];
    return std::string(getcwd(buf, sizeof buf) ? buf : ".");
  }();
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string text;
  while (!in.empty()) {
    size_t nl = in.find('\n');
    std::string_view line = in.substr(0, nl == std::string_view::npos ? in.size() : nl + 1);
    in.remove_prefix(line.size());
    if (!MentionsInclude(line)) text += line;
  }

  baozi::Config cfg;
  baozi::ConfigTable table(&cfg);
  auto r = table.LoadString(text, "fuzz.conf");
  std::string_view all[] = {"*"};
  auto params = table.Get(all);
  (void)params;
  (void)r;
  if (chdir(cwd.c_str()) != 0) __builtin_trap();
  return 0;
}
