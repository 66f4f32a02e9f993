#pragma once
// "Did you mean": the known name nearest to a misspelt one, for unknown-key messages.
//
// Usage:
//   if (auto near = config::nearest("cookie.secert", names)) message += "; did you mean " + *near;

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace authgate::core::config {

// The candidate within a small edit distance (insertions, deletions, substitutions and
// transpositions) of `name`, or nullopt when none is close. Names longer than 64 characters get
// no suggestion, which keeps the cost bounded on hostile input.
std::optional<std::string> nearest(std::string_view name, std::span<const std::string> candidates);

}  // namespace authgate::core::config
