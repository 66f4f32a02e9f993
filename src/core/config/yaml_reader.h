#pragma once
// Reads the YAML configuration file into raw option values, checking its shape against the
// schema: nested mappings down to known keys, scalars for scalar options, sequences of scalars
// for lists. Typed parsing and validation happen later, in the loader, for every source alike.
// yaml-cpp reports malformed YAML by throwing; this is the boundary where that becomes a Problem.

#include <yaml-cpp/node/node.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.h"
#include "core/config/problem.h"

namespace authgate::core::config {

// An option's value as text, before typed parsing: one item for scalars, any number for lists.
struct RawValue {
  std::vector<std::string> items;
  Source source = Source::Default;
  std::string origin;  // appended to problems, e.g. " (from AUTHGATE_COOKIE_EXPIRE)"
};
using RawValues = std::map<std::string, RawValue, std::less<>>;

// Top-level keys whose value is a structure of its own, read by its own loader (core/policy):
// `policies` (authorization policies), `jwt_rules` (bearer-token issuers) and `providers`
// (several identity providers, providers.h).
inline constexpr std::string_view kStructuredSections[] = {"policies", "jwt_rules", "providers"};
// Their YAML values as found in the file, by key (absent when the file does not set them).
using StructuredSections = std::map<std::string, YAML::Node, std::less<>>;

// Adds every option the YAML text sets to `values`, the structured sections to `sections` and
// every shape problem to `problems`. False when the text is no readable YAML mapping at all (too
// large, malformed, not a mapping): then nothing else about the configuration is worth reporting.
bool readYaml(std::string_view text, RawValues& values, Problems& problems,
              StructuredSections& sections);

// The names a misspelt key is compared with: every option key, every section ("cookie") and
// every structured section.
const std::vector<std::string>& knownNames();
// "unknown option", plus "; did you mean X?" when a known name is close.
std::string unknownOptionMessage(std::string_view key);

}  // namespace authgate::core::config
