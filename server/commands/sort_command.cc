// PLACEHOLDER: the sort command family registers here.
#include "server/command.h"

namespace baozi {

void RegisterSortCommands(CommandRegistry&) {}

}  // namespace baozi
