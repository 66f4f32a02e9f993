// Placeholder until the command lands; replaced by its real implementation.
#include "app/commands.h"

namespace authgate::app {
void addCheckConfigCommand(CLI::App&, int&) {}
}  // namespace authgate::app
