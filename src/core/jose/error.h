#pragma once
// Outcomes of verifying a JWS/JWT: one value per distinct reason a token is refused.
//
// Usage:
//   auto verified = jose::verifyJwt(token, jwks, options);
//   if (!verified) {
//     metrics.count(jose::toString(verified.error().code));   // stable label
//     log.info("{}: {}", jose::toString(verified.error().code), verified.error().detail);
//   }
//
// The checks run in a fixed order (size, structure, header, key selection, key/alg agreement,
// signature, then the claims iss, aud, azp, exp, nbf, iat, nonce, sub), so every token has
// exactly one error: the first check it fails. tests/data/jose/cases.json relies on this order.

#include <string>
#include <string_view>

namespace authgate::core::jose {

enum class Error {
  TokenTooLarge,            // token over 64 KiB, refused before any parsing
  MalformedToken,           // not three '.'-separated segments, or a segment not strict base64url
  MalformedHeader,          // header not a JSON object; `alg` missing/not a string; bad kid/crit
  MalformedClaims,          // payload not a JSON object, or a registered claim of the wrong type
  UnknownAlgorithm,         // `alg` not in the algorithm table (e.g. "XYZ256")
  AlgorithmNotAllowed,      // `alg` is none or HS*, or not in the issuer's allow-list
  UnsupportedCritical,      // `crit` is empty or names an extension we do not understand
  KeyNotFound,              // no key with the token's kid (or of the alg's type when kid-less);
                            // also: a JWKS document that cannot be used at all
  KeyAlgorithmMismatch,     // the selected JWK does not fit the alg, its use, or its key_ops
  SignatureInvalid,         // the signature does not verify (including a wrong length)
  IssuerMismatch,           // `iss` missing or not exactly the expected issuer
  AudienceMismatch,         // `aud` missing or naming none of the accepted audiences
  AuthorizedPartyMismatch,  // several audiences without azp = client id, or a wrong azp
  Expired,                  // now >= exp + skew
  NotYetValid,              // now < nbf - skew
  IssuedInFuture,           // iat > now + skew
  NonceMismatch,            // a nonce is expected and the token's is missing or different
  SubjectMissing,           // `sub` missing or empty
  ClaimMissing,             // another required claim (`exp`) is missing
};

// The enumerator's name, e.g. "SignatureInvalid": stable, usable as a metric label.
std::string_view toString(Error error);

// An error with a human-readable explanation for logs. The detail names what was wrong
// (claim names, sizes, expected values from configuration); it never contains key material,
// signatures or nonces.
struct Failure {
  Error code;
  std::string detail;
};

// For details that mention untrusted text (a kid, an alg name, a claim value): at most 64
// characters, non-printable bytes shown as '?', in double quotes.
std::string quoteUntrusted(std::string_view text);

}  // namespace authgate::core::jose
