// authgate check-config: load a configuration the way `serve` will, then print every problem
// (exit 1) or the effective value and source of every option (exit 0). Every option of the
// schema table is also a flag here, so the same command line can be checked before it is served.

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>

#include "app/commands.h"
#include "core/config/loader.h"
#include "core/config/reference.h"
#include "core/config/schema.h"
#include "core/config/summary.h"

extern char** environ;  // POSIX; the process environment

namespace authgate::app {
namespace {

namespace config = core::config;

// Secret files hold a key or a password; anything this large is the wrong file.
constexpr std::size_t kMaxSecretFileBytes = 64 * 1024;

struct CheckConfigArgs {
  std::string configPath;
  std::vector<std::string> sets;  // key=value
  bool printReference = false;
  std::map<std::string, std::vector<std::string>> flags;  // dotted key -> values given
};

// Reads a whole file of at most `limit` bytes.
core::Result<std::string, std::string> readFile(const std::string& path, std::size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return core::fail(std::string(std::strerror(errno)));
  }
  std::string content(limit + 1, '\0');
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  if (in.bad()) {
    return core::fail(std::string("read error"));
  }
  content.resize(static_cast<std::size_t>(in.gcount()));
  if (content.size() > limit) {
    return core::fail("larger than " + std::to_string(limit) + " bytes");
  }
  return content;
}

std::map<std::string, std::string> authgateEnvironment() {
  std::map<std::string, std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const std::size_t equals = text.find('=');
    if (text.starts_with("AUTHGATE_") && equals != std::string_view::npos) {
      env.emplace(text.substr(0, equals), text.substr(equals + 1));
    }
  }
  return env;
}

int run(const CheckConfigArgs& args) {
  if (args.printReference) {
    std::cout << config::renderReference();
    return 0;
  }
  config::Problems problems;
  std::string yaml;
  if (!args.configPath.empty()) {
    auto text = readFile(args.configPath, config::kMaxYamlBytes);
    if (!text) {
      std::cerr << "config: cannot read \"" << args.configPath << "\": " << text.error() << '\n';
      return 1;
    }
    yaml = std::move(*text);
  }
  std::vector<config::FlagValue> flags;
  for (const auto& [key, values] : args.flags) {
    for (const std::string& value : values) {
      flags.push_back({key, value});
    }
  }
  // --set comes after the named flags, so it wins when both name the same scalar option.
  for (const std::string& set : args.sets) {
    const std::size_t equals = set.find('=');
    if (equals == std::string::npos) {
      problems.push_back({set, "--set expects key=value"});
      continue;
    }
    flags.push_back({set.substr(0, equals), set.substr(equals + 1)});
  }
  config::Inputs inputs{
      .yaml = yaml,
      .env = authgateEnvironment(),
      .flags = std::move(flags),
      .readFile = [](const std::string& path) { return readFile(path, kMaxSecretFileBytes); },
  };
  auto loaded = config::load(inputs);
  if (!loaded) {
    problems.insert(problems.end(), loaded.error().begin(), loaded.error().end());
  }
  if (!problems.empty()) {
    for (const config::Problem& problem : problems) {
      std::cerr << problem << '\n';
    }
    return 1;
  }
  std::cout << config::renderSummary(*loaded);
  return 0;
}

}  // namespace

void addCheckConfigCommand(CLI::App& app, int& exit_code) {
  CLI::App* command = app.add_subcommand(
      "check-config",
      "Validate a configuration (file < AUTHGATE_* environment < flags) and print the effective "
      "value and source of every option, secrets masked; exit 1 listing every problem.");
  auto args = std::make_shared<CheckConfigArgs>();
  command->add_option("-c,--config", args->configPath, "YAML configuration file");
  command
      ->add_option("--set", args->sets, "Set any option by its dotted key: key=value (repeatable)")
      ->allow_extra_args(false);
  command->add_flag("--print-reference", args->printReference,
                    "Print the configuration reference (docs/configuration.md) and exit");
  for (const config::Option& option : config::options()) {
    std::vector<std::string>& values = args->flags[std::string(option.key)];
    const std::string flag(option.flag);
    const std::string help = std::string(option.description) + " [" + std::string(option.key) + "]";
    CLI::Option* added = option.type() == config::Type::Bool
                             ? command->add_flag(flag, values, help)
                             : command->add_option(flag, values, help)->allow_extra_args(false);
    added->group("Options (docs/configuration.md)");
  }
  command->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace authgate::app
