#pragma once
// The configuration reference in Markdown, generated from the schema table: this is the text of
// docs/configuration.md (a unit test keeps the committed file equal to it).
//
// Usage:
//   std::cout << config::renderReference();   // authgate check-config --print-reference

#include <string>

namespace authgate::core::config {

std::string renderReference();

}  // namespace authgate::core::config
