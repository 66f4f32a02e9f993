#pragma once
// Strict base64url (RFC 4648 §5) without padding, as JOSE requires (RFC 7515 §2, Appendix C).
//
// Usage:
//   std::string text = base64url::encode(bytes);
//   auto bytes = base64url::decode(text);   // std::nullopt on any stray character or padding
//
// Strict means: only the 64 URL-safe characters, no '=', no whitespace, no length that leaves a
// single dangling character, and no non-zero bits in the unused low bits of the last character
// (so every byte string has exactly one accepted encoding).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace authgate::core::base64url {

std::string encode(std::span<const std::uint8_t> bytes);
std::string encode(std::string_view bytes);

std::optional<std::vector<std::uint8_t>> decode(std::string_view text);
// The same, into a string (for JSON segments and other text payloads).
std::optional<std::string> decodeToString(std::string_view text);

// Length of the encoding of `size` bytes.
constexpr std::size_t encodedSize(std::size_t size) {
  return (size * 4 + 2) / 3;
}

}  // namespace authgate::core::base64url
