#pragma once
// A JSON Web Key Set (RFC 7517 §5): the usable signature keys of one issuer, plus a record of
// every key that was skipped and why.
//
// Usage:
//   auto jwks = jose::parseJwks(http_body);
//   if (!jwks) return fail(jwks.error());               // not JSON, or no "keys" array
//   for (const auto& skipped : jwks->skipped) log.warn(...);
//   auto snapshot = std::make_shared<const jose::Jwks>(std::move(*jwks));  // share across threads
//
// One bad key does not poison the set: an IdP that publishes, say, an X25519 encryption key
// next to its signing keys must keep working (RFC 7517 §5: "implementations SHOULD ignore JWKs
// ... that they do not understand"). A document that is not a JWKS at all is an error.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/jose/error.h"
#include "core/jose/jwk.h"
#include "core/result.h"

namespace authgate::core::jose {

struct SkippedKey {
  std::size_t index;               // position in the "keys" array
  std::optional<std::string> kid;  // when the JWK had a string kid
  KeyRejection reason;
  std::string detail;
};

// An immutable value once built: every Jwk already holds its OpenSSL key.
struct Jwks {
  std::vector<Jwk> keys;
  std::vector<SkippedKey> skipped;
};

inline constexpr std::size_t kMaxJwksBytes = 1024 * 1024;
inline constexpr std::size_t kMaxJwksKeys = 100;  // later keys are skipped (TooManyKeys)

// Fails (code KeyNotFound, the one jose::Error that fits "no usable key set") when `text` is
// not a JSON object with a "keys" array, or is larger than kMaxJwksBytes. An empty or
// all-skipped set is returned as is: every token will then fail with KeyNotFound.
Result<Jwks, Failure> parseJwks(std::string_view text);

// A one-line summary of a skipped key for logs: "key 2 (kid \"abc\"): WeakKey: RSA modulus...".
std::string describe(const SkippedKey& skipped);

}  // namespace authgate::core::jose
