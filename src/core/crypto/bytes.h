#pragma once
// Views of text as bytes, for handing labels and cookie text to the crypto primitives.
//
// Usage:
//   crypto::hkdfSha256(secret, {}, crypto::asBytes("authgate session v1"), key);

#include <cstdint>
#include <span>
#include <string_view>

namespace authgate::core::crypto {

inline std::span<const std::uint8_t> asBytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

inline std::string_view asText(std::span<const std::uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace authgate::core::crypto
