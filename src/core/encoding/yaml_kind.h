#pragma once
// YAML helpers shared by the configuration reader and the policy loader: how a node is named in
// error messages ("expected a list, found a scalar"), and the nesting bound checked before
// yaml-cpp parses untrusted text.

#include <yaml-cpp/yaml.h>

#include <string_view>

namespace authgate::core::encoding {

// "null", "a scalar", "a list" or "a mapping".
const char* yamlKindOf(const YAML::Node& node);

// Flow collections ([...], {...}) nested deeper than this are refused before yaml-cpp sees the
// text: its parser recurses once per level, and no configuration or policy needs more than a few.
inline constexpr int kMaxYamlFlowDepth = 64;

// The deepest nesting of flow brackets in `text` (a quick bound, not a parse: brackets inside
// quoted scalars count too, which only errs towards refusing).
int maxFlowDepth(std::string_view text);

}  // namespace authgate::core::encoding
