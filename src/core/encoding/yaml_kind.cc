#include "core/encoding/yaml_kind.h"

namespace authgate::core::encoding {

const char* yamlKindOf(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return "null";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
  }
  return "something else";
}

}  // namespace authgate::core::encoding
