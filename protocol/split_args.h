// Redis's sdssplitargs: the one argument splitter for inline commands and redis.conf lines, so a
// quoted value means the same thing typed into telnet and written in a config file.
//
//   SplitArgs("set \"a b\" 'c'")   -> {"set", "a b", "c"}
//   SplitArgs("get \"unbalanced")  -> nullopt
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace baozi::protocol {

std::optional<std::vector<std::string>> SplitArgs(std::string_view line);

}  // namespace baozi::protocol
