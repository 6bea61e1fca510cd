// PLACEHOLDER: the list command family registers here.
#include "server/command.h"

namespace baozi {

void RegisterListCommands(CommandRegistry&) {}

}  // namespace baozi
