// PLACEHOLDER: the set command family registers here.
#include "server/command.h"

namespace baozi {

void RegisterSetCommands(CommandRegistry&) {}

}  // namespace baozi
