// PLACEHOLDER: the zset command family registers here.
#include "server/command.h"

namespace baozi {

void RegisterZsetCommands(CommandRegistry&) {}

}  // namespace baozi
