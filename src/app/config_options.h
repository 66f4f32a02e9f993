#pragma once
// The configuration options every serving command takes: --config FILE, --set key=value, and
// one flag per row of the schema table (oauth2-proxy's names), plus the AUTHGATE_* and
// OAUTH2_PROXY_* environment.
//
// Usage:
//   auto args = std::make_shared<ConfigArgs>();
//   addConfigOptions(*command, args);
//   command->callback([args, command] {
//     if (reportUnexpectedArguments(*command)) return;   // exit status 2
//     auto config = loadConfig(*args); ...
//   });

#include <CLI/App.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/config/config.h"
#include "core/config/problem.h"
#include "core/result.h"

namespace authgate::app {

struct ConfigArgs {
  std::string configPath;
  std::vector<std::string> sets;                          // key=value
  std::map<std::string, std::vector<std::string>> flags;  // dotted key -> values given
};

void addConfigOptions(CLI::App& command, const std::shared_ptr<ConfigArgs>& args);

// File < environment (AUTHGATE_*, then OAUTH2_PROXY_*) < flags < --set. Problems name the key
// and what is wrong.
core::Result<core::config::Config, core::config::Problems> loadConfig(const ConfigArgs& args);

// Prints one line per argument the command did not recognise (an unknown flag, with "did you
// mean" for a near one, or a stray word) to stderr; true when there was any.
bool reportUnexpectedArguments(const CLI::App& command);

// Prints the loaded configuration's warnings to stderr ("warning: key: message").
void printWarnings(const core::config::Config& loaded);

// The exit status for a command line that cannot be run (unknown flag, stray argument).
inline constexpr int kUsageExitCode = 2;

}  // namespace authgate::app
