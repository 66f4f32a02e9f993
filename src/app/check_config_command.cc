// authgate check-config: load a configuration the way `serve` will, then print every problem
// (exit 1) or the effective value and source of every option (exit 0). Every option of the
// schema table is also a flag here, so the same command line can be checked before it is served.

#include <iostream>
#include <memory>

#include "app/commands.h"
#include "app/config_options.h"
#include "core/config/reference.h"
#include "core/config/summary.h"

namespace authgate::app {
namespace {

namespace config = core::config;

int run(const ConfigArgs& args, bool print_reference) {
  if (print_reference) {
    std::cout << config::renderReference();
    return 0;
  }
  auto loaded = loadConfig(args);
  if (!loaded) {
    for (const config::Problem& problem : loaded.error()) {
      std::cerr << problem << '\n';
    }
    return 1;
  }
  printWarnings(*loaded);
  std::cout << config::renderSummary(*loaded);
  return 0;
}

}  // namespace

void addCheckConfigCommand(CLI::App& app, int& exit_code) {
  CLI::App* command = app.add_subcommand(
      "check-config",
      "Validate a configuration (file < AUTHGATE_*/OAUTH2_PROXY_* environment < flags) and print "
      "the effective value and source of every option, secrets masked, warnings on stderr; exit 1 "
      "listing every problem.");
  auto args = std::make_shared<ConfigArgs>();
  auto print_reference = std::make_shared<bool>(false);
  addConfigOptions(*command, args);
  command->add_flag("--print-reference", *print_reference,
                    "Print the configuration reference (docs/configuration.md) and exit");
  command->callback([args, print_reference, command, &exit_code] {
    exit_code = reportUnexpectedArguments(*command) ? kUsageExitCode : run(*args, *print_reference);
  });
}

}  // namespace authgate::app
