#pragma once
// One thing wrong with the configuration. Loading reports every problem at once, each naming
// the dotted key it concerns, so that an operator fixes a file in one pass.
//
// Usage:
//   for (const config::Problem& problem : problems) std::cerr << problem << '\n';
//   // cookie.secret: must decode to 16, 24 or 32 bytes, got 12

#include <ostream>
#include <string>
#include <vector>

namespace authgate::core::config {

struct Problem {
  std::string key;      // dotted option key, or "config" for the file as a whole
  std::string message;  // what is wrong; never contains a secret value

  bool operator==(const Problem&) const = default;
};

using Problems = std::vector<Problem>;

// "key: message"
std::string toString(const Problem& problem);
std::ostream& operator<<(std::ostream& out, const Problem& problem);

}  // namespace authgate::core::config
