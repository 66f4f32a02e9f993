#include "core/config/values.h"

#include <limits>

#include "core/encoding/ascii.h"

namespace authgate::core::config {
namespace {

constexpr std::string_view kDurationExpected = "expected a duration like 168h, 15m or 30s";

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

std::optional<bool> parseBool(std::string_view text) {
  if (text == "true" || text == "True" || text == "TRUE") {
    return true;
  }
  if (text == "false" || text == "False" || text == "FALSE") {
    return false;
  }
  return std::nullopt;
}

std::optional<std::int64_t> parseInt(std::string_view text) {
  const bool negative = text.starts_with('-');
  if (negative) {
    text.remove_prefix(1);
  }
  if (text.empty() || text.size() > 19) {
    return std::nullopt;
  }
  // Accumulate as a negative number: its range is one larger, so INT64_MIN parses too.
  std::int64_t value = 0;
  for (char c : text) {
    if (!isDigit(c)) {
      return std::nullopt;
    }
    const std::int64_t digit = c - '0';
    if (value < (std::numeric_limits<std::int64_t>::min() + digit) / 10) {
      return std::nullopt;
    }
    value = value * 10 - digit;
  }
  if (!negative) {
    if (value == std::numeric_limits<std::int64_t>::min()) {
      return std::nullopt;
    }
    value = -value;
  }
  return value;
}

Result<std::chrono::seconds, std::string> parseDuration(std::string_view text) {
  const std::string found = std::string(kDurationExpected) + ", found " + quote(text);
  if (text == "0") {
    return std::chrono::seconds{0};
  }
  if (text.starts_with('-')) {
    return fail("must not be negative, found " + quote(text));
  }
  constexpr std::string_view kUnits = "hms";
  constexpr std::int64_t kUnitSeconds[] = {3600, 60, 1};
  std::size_t nextUnit = 0;  // units must come in the order h, m, s
  std::int64_t total = 0;
  std::size_t i = 0;
  if (text.empty()) {
    return fail(found);
  }
  while (i < text.size()) {
    std::int64_t number = 0;
    const std::size_t start = i;
    while (i < text.size() && isDigit(text[i])) {
      number = number * 10 + (text[i] - '0');
      if (number > kMaxDuration.count()) {
        return fail("must be at most " + formatDuration(kMaxDuration) + ", found " + quote(text));
      }
      ++i;
    }
    if (i == start || i == text.size()) {
      return fail(found);
    }
    const std::size_t unit = kUnits.find(text[i], nextUnit);
    if (unit == std::string_view::npos) {
      return fail(found);
    }
    ++i;
    nextUnit = unit + 1;
    total += number * kUnitSeconds[unit];  // number <= kMaxDuration: no overflow
    if (total > kMaxDuration.count()) {
      return fail("must be at most " + formatDuration(kMaxDuration) + ", found " + quote(text));
    }
  }
  return std::chrono::seconds{total};
}

std::string formatDuration(std::chrono::seconds duration) {
  std::int64_t seconds = duration.count();
  if (seconds == 0) {
    return "0s";
  }
  std::string text;
  if (seconds < 0) {
    text = "-";
    seconds = -seconds;
  }
  if (seconds >= 3600) {
    text += std::to_string(seconds / 3600) + "h";
  }
  if (seconds % 3600 >= 60) {
    text += std::to_string(seconds % 3600 / 60) + "m";
  }
  if (seconds % 60 != 0) {
    text += std::to_string(seconds % 60) + "s";
  }
  return text;
}

std::vector<std::string> splitList(std::string_view text, std::string_view separators) {
  std::vector<std::string> items;
  while (true) {
    const std::size_t comma = text.find_first_of(separators);
    const std::string_view item = encoding::trimSpaceAndTab(text.substr(0, comma));
    if (!item.empty()) {
      items.emplace_back(item);
    }
    if (comma == std::string_view::npos) {
      return items;
    }
    text.remove_prefix(comma + 1);
  }
}

std::string quote(std::string_view text) {
  constexpr std::size_t kMaxShown = 80;
  constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte == '"' || byte == '\\') {
      out += '\\';
      out += text[i];
    } else if (byte < 0x20 || byte == 0x7f) {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += text[i];
    }
  }
  if (text.size() > kMaxShown) {
    out += "...";
  }
  return out + "\"";
}

}  // namespace authgate::core::config
