#pragma once
// Builds a Config from its sources: schema defaults < file < environment < flags (oauth2-proxy's
// precedence too: command line > environment > config file).
// Pure: the caller hands in the file's text, the environment and the flags, and a function that
// reads secret files, so tests and the fuzzer drive it without touching the machine.
//
// Usage:
//   config::Inputs inputs{.file = text, .format = config::formatOfPath(path), .env = environment,
//                         .flags = {{"cookie.expire", "12h"}}, .readFile = readSecretFile};
//   auto loaded = config::load(inputs);
//   if (!loaded) { for (const auto& problem : loaded.error()) std::cerr << problem << '\n'; }
//
// Rules:
// - The file is authgate's YAML, or oauth2-proxy's TOML (toml_reader.h) when its name ends in
//   .toml or .cfg (formatOfPath).
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

// Configuration files (YAML or TOML) larger than this are rejected unread.
inline constexpr std::size_t kMaxYamlBytes = 1024 * 1024;

struct FlagValue {
  std::string key;  // dotted key, e.g. "cookie.secret"
  std::string value;
};

// Reads a file whole; the error says why it could not (e.g. "No such file or directory").
using FileReader = std::function<Result<std::string, std::string>(const std::string& path)>;

// The secret a *_file option names: the file's content minus ONE trailing newline ("\n" or
// "\r\n"); the error says why it could not be read. A null reader fails every read.
Result<std::string, std::string> readSecretFile(const FileReader& readFile,
                                                const std::string& path);

enum class FileFormat {
  Yaml,  // authgate's own: nested mappings with authgate's keys
  Toml,  // oauth2-proxy's: flat, with oauth2-proxy's config names
};

// Toml for a path ending in ".toml" or ".cfg" (oauth2-proxy's examples use both; any case),
// else Yaml.
FileFormat formatOfPath(std::string_view path);

struct Inputs {
  std::string_view file = {};  // the configuration file's text; empty if none
  FileFormat format = FileFormat::Yaml;
  std::map<std::string, std::string> env = {};  // AUTHGATE_* and OAUTH2_PROXY_* variables
  std::vector<FlagValue> flags = {};            // in command-line order
  FileReader readFile = {};                     // for *_file options; null: every read fails
};

Result<Config, Problems> load(const Inputs& inputs);

}  // namespace authgate::core::config
