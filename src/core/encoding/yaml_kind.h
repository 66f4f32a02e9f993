#pragma once
// How a YAML node is named in error messages ("expected a list, found a scalar"), the same in
// the configuration reader and the policy loader.

#include <yaml-cpp/yaml.h>

namespace authgate::core::encoding {

// "null", "a scalar", "a list" or "a mapping".
const char* yamlKindOf(const YAML::Node& node);

}  // namespace authgate::core::encoding
