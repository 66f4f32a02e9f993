#pragma once
// Builds a Config from its sources: schema defaults < YAML file < environment < flags.
// Pure: the caller hands in the file's text, the environment and the flags, and a function that
// reads secret files, so tests and the fuzzer drive it without touching the machine.
//
// Usage:
//   config::Inputs inputs{.yaml = text, .env = environment, .flags = {{"cookie.expire", "12h"}},
//                         .readFile = readSecretFile};
//   auto loaded = config::load(inputs);
//   if (!loaded) { for (const auto& problem : loaded.error()) std::cerr << problem << '\n'; }
//
// Rules:
// - YAML: nested mappings (cookie: {secret: ...}); unknown keys, wrong types, duplicate keys and
//   malformed YAML are problems (with "did you mean" for near misses and line numbers).
// - Environment: AUTHGATE_<KEY> with '.' -> '_' upper-cased; for the options oauth2-proxy has
//   too, also OAUTH2_PROXY_<oauth2-proxy name> (AUTHGATE_* wins when both are set). Other
//   OAUTH2_PROXY_* variables follow oauth2_proxy.h (ignored, a warning or a problem); other
//   variables are ignored.
// - Flags: dotted keys; the last value of a scalar wins, list values accumulate.
// - Lists from the environment and flags are comma-separated.
// - A *_file option names a file whose content, minus ONE trailing newline, is the secret.
// - Every problem is reported, not just the first. Config::warnings holds what is accepted but
//   worth a word (an option with no effect, an ignored oauth2-proxy variable).

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.h"
#include "core/config/problem.h"
#include "core/result.h"

namespace authgate::core::config {

// Configuration files larger than this are rejected unread.
inline constexpr std::size_t kMaxYamlBytes = 1024 * 1024;

struct FlagValue {
  std::string key;  // dotted key, e.g. "cookie.secret"
  std::string value;
};

// Reads a file whole; the error says why it could not (e.g. "No such file or directory").
using FileReader = std::function<Result<std::string, std::string>(const std::string& path)>;

struct Inputs {
  std::string_view yaml = {};                   // the configuration file's text; empty if none
  std::map<std::string, std::string> env = {};  // AUTHGATE_* and OAUTH2_PROXY_* variables
  std::vector<FlagValue> flags = {};            // in command-line order
  FileReader readFile = {};                     // for *_file options; null: every read fails
};

Result<Config, Problems> load(const Inputs& inputs);

}  // namespace authgate::core::config
