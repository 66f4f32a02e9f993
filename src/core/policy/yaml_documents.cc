#include "core/policy/yaml_documents.h"

namespace authgate::core::policy {
namespace {

bool isMarker(std::string_view line, std::string_view marker) {
  if (!line.starts_with(marker)) {
    return false;
  }
  if (line.size() == marker.size()) {
    return true;
  }
  const char next = line[marker.size()];
  return next == ' ' || next == '\t' || next == '\r';
}

// Blank, a comment, or a directive: nothing a document is made of.
bool isFiller(std::string_view line) {
  const std::size_t first = line.find_first_not_of(" \t\r");
  return first == std::string_view::npos || line[first] == '#' || line.starts_with('%');
}

}  // namespace

std::vector<YamlDocument> splitYamlDocuments(std::string_view stream) {
  std::vector<YamlDocument> documents;
  YamlDocument current;
  bool hasContent = false;
  bool hasMarker = false;
  auto finish = [&] {
    if (hasContent) {
      documents.push_back(std::move(current));
    }
    current = YamlDocument{};
    hasContent = false;
    hasMarker = false;
  };
  std::size_t lineNumber = 0;
  while (!stream.empty()) {
    const std::size_t newline = stream.find('\n');
    const std::string_view line = stream.substr(0, newline);
    stream.remove_prefix(newline == std::string_view::npos ? stream.size() : newline + 1);
    if (isMarker(line, "---")) {
      // Directives and comments before the first "---" belong to the document it starts.
      if (hasContent || hasMarker) {
        finish();
      }
      if (current.text.empty()) {
        current.firstLine = lineNumber;
      }
      hasMarker = true;
      // Content on the marker line ("--- !tag", "--- {a: 1}") makes a document.
      const std::string_view rest = line.substr(3);
      hasContent = hasContent || !isFiller(rest);
    } else if (isMarker(line, "...")) {
      finish();
      ++lineNumber;
      current.firstLine = lineNumber;
      continue;
    } else {
      if (current.text.empty()) {
        current.firstLine = lineNumber;
      }
      hasContent = hasContent || !isFiller(line);
    }
    current.text.append(line);
    current.text.push_back('\n');
    ++lineNumber;
  }
  finish();
  return documents;
}

}  // namespace authgate::core::policy
