#pragma once
// SHA-256 (FIPS 180-4) of short inputs, for cache keys and PKCE (RFC 7636 §4.2): one function
// instead of an EVP set-up at every call site.
//
// Usage:
//   const crypto::Sha256Digest key = crypto::sha256({prefix, token});   // of the concatenation

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string_view>

namespace authgate::core::crypto {

using Sha256Digest = std::array<std::uint8_t, 32>;

// The digest of the concatenation of `parts`. SHA-256 cannot fail on valid input: if OpenSSL
// cannot hash at all (out of memory, a broken provider) the process aborts, since a cache or a
// PKCE challenge that cannot tell inputs apart must not answer.
Sha256Digest sha256(std::initializer_list<std::string_view> parts);

}  // namespace authgate::core::crypto
