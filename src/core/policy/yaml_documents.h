#pragma once
// Splits a multi-document YAML stream (Kubernetes manifests) into its documents, so that each is
// parsed on its own with YAML::Load. YAML::LoadAll is avoided on purpose: yaml-cpp 0.7 loops
// forever on some inputs (jbeder/yaml-cpp#1040; see core/config/yaml_reader.cc).
//
// Usage:
//   for (const YamlDocument& document : splitYamlDocuments(text)) {
//     YAML::Node root = YAML::Load(document.text);   // lines counted from document.firstLine
//   }
//
// A line that starts with "---" or "..." followed by a space, a tab or the end of the line is a
// document marker (YAML 1.2 §9.1.4 and §9.1.2: such lines cannot occur inside a document's
// content, not even in block or quoted scalars), so splitting there never cuts a document.
// Documents holding only blank lines, comments and directives are dropped; a document keeps its
// own "---" line (which may carry content: "--- !tag"), and directives ("%YAML") stay with the
// document that follows them.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace authgate::core::policy {

struct YamlDocument {
  std::string text;
  std::size_t firstLine = 0;  // lines of the stream before this document's first line
};

std::vector<YamlDocument> splitYamlDocuments(std::string_view stream);

}  // namespace authgate::core::policy
