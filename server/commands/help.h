// HELP replies of container commands: the lines given, then Redis's closing "HELP" entry.
#pragma once

#include <initializer_list>
#include <string_view>

#include "server/cmd_context.h"

namespace baozi {

inline void SendHelp(CmdContext& ctx, std::initializer_list<std::string_view> lines) {
  ctx.rb().StartArray(lines.size() + 2);
  for (std::string_view l : lines) ctx.rb().SendSimple(l);
  ctx.rb().SendSimple("HELP");
  ctx.rb().SendSimple("    Prints this help.");
}

}  // namespace baozi
