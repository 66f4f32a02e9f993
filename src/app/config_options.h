#pragma once
// The configuration options every serving command takes: --config FILE, --set key=value, and
// one flag per row of the schema table (oauth2-proxy's names), plus the AUTHGATE_* environment.
//
// Usage:
//   auto args = std::make_shared<ConfigArgs>();
//   addConfigOptions(*command, args);
//   command->callback([args] { auto config = loadConfig(*args); ... });

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

// File < environment < flags < --set. Problems name the key and what is wrong.
core::Result<core::config::Config, core::config::Problems> loadConfig(const ConfigArgs& args);

}  // namespace authgate::app
