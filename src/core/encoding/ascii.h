#pragma once
// ASCII text helpers shared by every layer that reads protocol text (header fields, cookie
// attributes, Cache-Control directives, configuration lists). Locale-independent on purpose:
// std::tolower and std::isspace depend on the C locale, protocol grammars do not.
//
// Usage:
//   if (encoding::equalsIgnoreCase(field.name, "Connection")) { ... }
//   std::string_view token = encoding::trimSpaceAndTab("  no-cache ");   // "no-cache"

#include <string>
#include <string_view>

namespace authgate::core::encoding {

// 'A'-'Z' to 'a'-'z'; every other byte unchanged.
constexpr char asciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// 'a'-'z' to 'A'-'Z'; every other byte unchanged.
constexpr char asciiUpper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

// `text` with asciiLower / asciiUpper applied to every byte.
std::string toLowerAscii(std::string_view text);
std::string toUpperAscii(std::string_view text);

// True when a and b are equal ignoring ASCII case: header field names and tokens
// (RFC 9110 section 5.1), cookie attribute names (RFC 6265 section 5.2).
bool equalsIgnoreCase(std::string_view a, std::string_view b);

// `text` without leading and trailing SP and HTAB: the optional whitespace (OWS) around list
// elements and field values (RFC 9110 section 5.6.3).
std::string_view trimSpaceAndTab(std::string_view text);

}  // namespace authgate::core::encoding
