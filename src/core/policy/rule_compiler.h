#pragma once
// Compiles the YAML of Istio `rules` (from / to / when) into the matchers of conditions.h, and
// the small YAML-walking helpers the loaders share. Used by loader.cc; not a public entry point.
//
// Usage:
//   CompileContext context{.prefix = "authz.yaml: document 2: "};
//   std::vector<Rule> rules = compileRules(spec["rules"], "spec.rules", context);
//   if (!context.errors.empty()) fail(context.errors);
//
// Every problem is recorded and the walk goes on, so one load reports all of them.

#include <yaml-cpp/node/node.h>

#include <cstddef>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/policy/error.h"
#include "core/policy/policy.h"

namespace authgate::core::policy {

struct CompileContext {
  std::string prefix;          // prepended to every key path: "file: document 2: "
  std::size_t lineOffset = 0;  // lines before the document in its file
  std::size_t budget = 0;      // YAML nodes that may still be visited
  bool exhausted = false;
  LoadErrors errors;
  std::vector<std::string> warnings;
  std::set<std::string, std::less<>> warned;

  void error(Error code, const std::string& path, std::string message);
  void error(Error code, const std::string& path, std::string message, const YAML::Node& at);
  // A warning keyed by `field`: the first one per field is kept.
  void warn(std::string_view field, std::string message);
  // Counts one visited node; false (and one TooLarge error) once the budget is spent.
  bool spend(const std::string& path);
  std::string line(const YAML::Node& node) const;  // " (line N)", or "" without a mark
};

// The callback gets (key, value, path of the value). Non-scalar and duplicate keys are errors.
// False when `node` is not a mapping (a null node is an empty mapping).
bool forEachEntry(
    const YAML::Node& node, const std::string& path, CompileContext& context,
    const std::function<void(const std::string&, const YAML::Node&, const std::string&)>& visit);
// The scalars of a list (a null node is an empty list), each with its path.
struct Item {
  std::string value;
  std::string path;
};
std::vector<Item> scalarList(const YAML::Node& node, const std::string& path,
                             CompileContext& context);
// A scalar's text, or nullopt with an error.
std::optional<std::string> scalar(const YAML::Node& node, const std::string& path,
                                  CompileContext& context);
// An "unknown key" error, with a suggestion from `known` when one is close.
void unknownKey(const std::string& key, const std::string& path, const YAML::Node& at,
                std::span<const std::string> known, CompileContext& context);

std::vector<Rule> compileRules(const YAML::Node& node, const std::string& path,
                               CompileContext& context);

}  // namespace authgate::core::policy
