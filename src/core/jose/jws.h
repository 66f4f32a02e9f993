#pragma once
// JWS Compact Serialization (RFC 7515 §7.1): parsing and signature verification.
//
// Usage:
//   auto parsed = jose::parseJws(token);                  // size, structure, header JSON
//   if (!parsed) return fail(parsed.error());
//   auto checked = jose::verifyJws(*parsed, jwks, allowed);  // alg, crit, key, signature
//   if (!checked) return fail(checked.error());
//   // only now is parsed->payload authentic
//
// Header rules:
//   - `alg` must be a string in the algorithm table and in the caller's allow-list (RFC 8725
//     §3.1); none and HS* are refused whatever the list says.
//   - `kid` and `typ` must be strings when present; `crit` an array of strings.
//   - `crit` (RFC 7515 §4.1.11): we understand no extension, so any name is refused, and so is
//     an empty list (which the RFC forbids).
//   - `jku`, `x5u`, `jwk`, `x5c` are ignored: keys come only from the configured JWKS, never
//     from the token itself (RFC 8725 §3.10).

#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/jose/algorithm.h"
#include "core/jose/error.h"
#include "core/jose/jwks.h"
#include "core/result.h"

namespace authgate::core::jose {

inline constexpr std::size_t kMaxTokenSize = 64 * 1024;

struct ParsedJws {
  std::string alg;  // as written; resolved by verifyJws
  std::optional<std::string> kid;
  std::optional<std::string> typ;
  std::optional<std::vector<std::string>> crit;
  boost::json::object header;  // the whole protected header
  std::string payload;         // decoded bytes; not yet authentic
  // "<header>.<payload>" as it appears in the token (RFC 7515 §5.2 step 8). A view into the
  // string given to parseJws, which must outlive this value.
  std::string_view signingInput;
  std::vector<std::uint8_t> signature;  // decoded
};

// Size (TokenTooLarge), three segments of strict base64url (MalformedToken), a header that is
// a JSON object with a string alg and well-typed kid/typ/crit (MalformedHeader). The payload is
// decoded but not parsed: it is only read after its signature verifies.
Result<ParsedJws, Failure> parseJws(std::string_view token);

// Checks, in order: alg known (UnknownAlgorithm), alg allowed (AlgorithmNotAllowed), crit
// (UnsupportedCritical), a key (KeyNotFound), key/alg agreement (KeyAlgorithmMismatch), the
// signature (SignatureInvalid). With a kid, only keys with that kid are tried; without one,
// every key of the alg's type and curve is, and one verifying is enough.
Result<Ok, Failure> verifyJws(const ParsedJws& parsed, const Jwks& jwks,
                              std::span<const Algorithm> allowed);

// The signature check alone, for a key already chosen (`key.fits(alg)` is the caller's job).
bool verifySignature(Algorithm alg, const Jwk& key, std::string_view signingInput,
                     std::span<const std::uint8_t> signature);

}  // namespace authgate::core::jose
