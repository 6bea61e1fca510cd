// Blocking pops (BLPOP, BRPOP, BRPOPLPUSH, BLMOVE, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP).
//
// [Essay: to be completed with the implementation.]
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "storage/value.h"

namespace baozi {

class CmdContext;

// Parses a blocking command's timeout (seconds as a double; 0 = forever) into an absolute
// deadline in unix ms, 0 meaning none. Replies Redis's error and returns nullopt when invalid.
std::optional<int64_t> ParseBlockTimeout(CmdContext& ctx, std::string_view arg);

}  // namespace baozi
