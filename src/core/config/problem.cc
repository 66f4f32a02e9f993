#include "core/config/problem.h"

namespace authgate::core::config {

std::string toString(const Problem& problem) {
  return problem.key + ": " + problem.message;
}

std::ostream& operator<<(std::ostream& out, const Problem& problem) {
  return out << toString(problem);
}

}  // namespace authgate::core::config
