#include "app/config_options.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>

#include "core/config/loader.h"
#include "core/config/oauth2_proxy.h"
#include "core/config/schema.h"
#include "core/config/suggest.h"
#include "core/encoding/ascii.h"

extern char** environ;  // POSIX; the process environment

namespace authgate::app {
namespace {

namespace config = core::config;

// Secret files hold a key or a password; anything this large is the wrong file.
constexpr std::size_t kMaxSecretFileBytes = 64 * 1024;

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

// AUTHGATE_* and oauth2-proxy's OAUTH2_PROXY_* variables; the loader ignores every other.
std::map<std::string, std::string> configEnvironment() {
  std::map<std::string, std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const std::size_t equals = text.find('=');
    if ((text.starts_with("AUTHGATE_") || text.starts_with(config::kOauth2ProxyEnvPrefix)) &&
        equals != std::string_view::npos) {
      env.emplace(text.substr(0, equals), text.substr(equals + 1));
    }
  }
  return env;
}

// "--skip-jwt-bearer-tokens" -> "skip_jwt_bearer_tokens" (oauth2-proxy's config name).
std::string oauth2ProxyName(std::string_view flag) {
  while (flag.starts_with('-')) {
    flag.remove_prefix(1);
  }
  std::string name(flag);
  for (char& c : name) {
    c = c == '-' ? '_' : core::encoding::asciiLower(c);
  }
  return name;
}

}  // namespace

core::Result<config::Config, config::Problems> loadConfig(const ConfigArgs& args) {
  config::Problems problems;
  std::string file;
  if (!args.configPath.empty()) {
    auto text = readFile(args.configPath, config::kMaxYamlBytes);
    if (!text) {
      return core::fail(
          config::Problems{{"config", "cannot read \"" + args.configPath + "\": " + text.error()}});
    }
    file = std::move(*text);
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
      .file = file,
      .format = config::formatOfPath(args.configPath),
      .env = configEnvironment(),
      .flags = std::move(flags),
      .readFile = [](const std::string& path) { return readFile(path, kMaxSecretFileBytes); },
  };
  auto loaded = config::load(inputs);
  if (!loaded) {
    problems.insert(problems.end(), loaded.error().begin(), loaded.error().end());
  }
  if (!problems.empty()) {
    return core::fail(std::move(problems));
  }
  return std::move(*loaded);
}

void addConfigOptions(CLI::App& command, const std::shared_ptr<ConfigArgs>& args) {
  // Unknown arguments are collected rather than thrown, so that reportUnexpectedArguments can
  // name them in authgate's words (CLI11 would say only "not expected").
  command.allow_extras();
  command.add_option("-c,--config", args->configPath,
                     "Configuration file: authgate's YAML, or oauth2-proxy's TOML when the name "
                     "ends in .toml or .cfg");
  command
      .add_option("--set", args->sets, "Set any option by its dotted key: key=value (repeatable)")
      ->allow_extra_args(false);
  for (const config::Option& option : config::options()) {
    std::vector<std::string>& values = args->flags[std::string(option.key)];
    const std::string flag = std::string(option.flag) +
                             (option.flagAlias.empty() ? "" : "," + std::string(option.flagAlias));
    const std::string help = std::string(option.description) + " [" + std::string(option.key) + "]";
    CLI::Option* added = option.type() == config::Type::Bool
                             ? command.add_flag(flag, values, help)
                             : command.add_option(flag, values, help)->allow_extra_args(false);
    added->group("Options (docs/configuration.md)");
  }
}

bool reportUnexpectedArguments(const CLI::App& command) {
  const std::vector<std::string> extras = command.remaining();
  if (extras.empty()) {
    return false;
  }
  std::vector<std::string> flags;
  for (const config::Option& option : config::options()) {
    flags.emplace_back(option.flag);
    if (!option.flagAlias.empty()) {
      flags.emplace_back(option.flagAlias);
    }
  }
  const std::string prefix = "authgate " + command.get_name() + ": ";
  bool afterUnknownFlag = false;  // a word right after an unknown flag is taken as its value
  for (const std::string& extra : extras) {
    if (!extra.starts_with("-")) {
      if (!afterUnknownFlag) {
        std::cerr << prefix << "unexpected argument \"" << extra << "\"\n";
      }
      afterUnknownFlag = false;
      continue;
    }
    const std::size_t equals = extra.find('=');
    const std::string flag = extra.substr(0, equals);
    afterUnknownFlag = equals == std::string::npos;
    const std::string name = oauth2ProxyName(flag);
    if (config::classifyOauth2ProxyName(name) == config::ForeignVariable::NotYetSupported) {
      std::cerr << prefix << "unsupported flag " << flag << ": "
                << config::notYetSupportedMessage(name) << '\n';
      continue;
    }
    std::cerr << prefix << "unknown flag " << flag
              << ": authgate has no such option (docs/configuration.md lists its flags, including "
                 "the oauth2-proxy flags it accepts)";
    if (auto near = config::nearest(flag, flags)) {
      std::cerr << "; did you mean " << *near << "?";
    }
    std::cerr << '\n';
  }
  std::cerr << "Run with --help for the options.\n";
  return true;
}

void printWarnings(const config::Config& loaded) {
  for (const config::Problem& warning : loaded.warnings) {
    std::cerr << "warning: " << warning << '\n';
  }
}

}  // namespace authgate::app
