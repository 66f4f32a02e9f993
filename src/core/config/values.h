#pragma once
// Text forms of option values, shared by every source (YAML scalars, environment variables,
// flags, schema defaults) so that a value means the same wherever it is written.
//
// Usage:
//   auto expire = config::parseDuration("168h");   // 604800 s
//   auto hosts = config::splitList("a.example, b.example");  // {"a.example", "b.example"}

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace authgate::core::config {

// The largest duration accepted: 10 years (87600h). Larger values are surely mistakes and
// would overflow arithmetic on Unix seconds far sooner than int64 does.
inline constexpr std::chrono::seconds kMaxDuration{87600LL * 3600};

// true/True/TRUE or false/False/FALSE (the YAML 1.2 core schema booleans).
std::optional<bool> parseBool(std::string_view text);
// An optional '-' then decimal digits, within int64.
std::optional<std::int64_t> parseInt(std::string_view text);
// "0", or one or more <digits><unit> with units h, m, s each at most once and in that order:
// 168h, 15m, 30s, 1h30m. No sign, no fractions. The error is a sentence fragment.
Result<std::chrono::seconds, std::string> parseDuration(std::string_view text);
// The canonical text of a duration: 168h, 1h30m, 45s, 0s.
std::string formatDuration(std::chrono::seconds duration);
// Comma-separated items with surrounding spaces trimmed; empty items are dropped, so "" is [].
// `separators` lists every character that separates items (", " also splits on spaces).
std::vector<std::string> splitList(std::string_view text, std::string_view separators = ",");
// `text` in double quotes for messages, with control characters escaped and long text cut.
std::string quote(std::string_view text);

}  // namespace authgate::core::config
