// PLACEHOLDER: the hash command family registers here.
#include "server/command.h"

namespace baozi {

void RegisterHashCommands(CommandRegistry&) {}

}  // namespace baozi
