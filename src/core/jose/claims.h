#pragma once
// Validation of JWT claims (RFC 7519 §4.1) and of the ID Token rules of OpenID Connect Core
// §3.1.3.7, on a payload whose signature has already been verified.
//
// Usage:
//   jose::ClaimRules rules{.issuer = "https://idp.example.com",
//                          .audiences = {"my-client"}, .clientId = "my-client",
//                          .nonce = expected_nonce, .now = clock.now()};
//   auto claims = jose::validateClaims(payload_object, rules);
//   if (claims) use(claims->sub);
//
// Checks, in this order (the first failing one is reported):
//   1) iss  present and exactly rules.issuer                      IssuerMismatch
//   2) aud  present (string or array) naming an accepted audience AudienceMismatch
//           (skipped when !checkAudience)
//   3) azp  with several audiences: present; when present: = clientId  AuthorizedPartyMismatch
//           (skipped when !checkAuthorizedParty)
//   4) exp  present (ClaimMissing); now >= exp + skew is           Expired
//   5) nbf  when present: now < nbf - skew is                      NotYetValid
//   6) iat  when present: iat > now + skew is                      IssuedInFuture
//   7) nonce when rules.nonce is set: present and equal            NonceMismatch
//   8) sub  present and non-empty (unless !requireSubject)          SubjectMissing
// Before all of them, every registered claim present must have its type (MalformedClaims):
// strings for iss/sub/azp/nonce/jti, a string or array of strings for aud, numbers for
// exp/nbf/iat (NumericDate, RFC 7519 §2: integer or with a fraction).
//
// ID tokens keep the defaults. Bearer access tokens (Istio RequestAuthentication semantics)
// turn off rule 3, which OIDC Core defines for ID tokens only (an RFC 9068 access token names
// several audiences and carries client_id instead), and rule 2 when no audience is configured
// (Istio: an empty `audiences` list accepts any audience).

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/jose/error.h"
#include "core/result.h"

namespace authgate::core::jose {

struct ClaimRules {
  std::string issuer;
  std::vector<std::string> audiences;  // any one of them in `aud` is enough
  std::string clientId;                // what `azp` must be when checked
  std::optional<std::string> nonce;    // nullopt: no nonce expected (e.g. access tokens)
  std::int64_t skewSeconds = 30;       // tolerance for exp, nbf, iat; negative counts as 0
  UnixSeconds now = 0;
  bool checkAudience = true;         // false: `aud` may be absent or name anything (rule 2 off)
  bool checkAuthorizedParty = true;  // false: `azp` is not compared (rule 3 off; ID tokens only)
  bool requireSubject = true;        // false: `sub` may be absent (rule 8 off; logout tokens)
};

struct Claims {
  std::string iss;
  std::string sub;
  std::vector<std::string> aud;  // a single string `aud` becomes one element; empty when absent
  std::optional<std::string> azp;
  // NumericDates rounded toward refusal: exp down, nbf and iat up; saturated to the int64
  // range. The checks themselves compare the exact values.
  UnixSeconds exp = 0;
  std::optional<UnixSeconds> nbf;
  std::optional<UnixSeconds> iat;
  std::optional<std::string> nonce;
  boost::json::object all;  // every claim, registered or not
};

// `payload` is the decoded (and verified) JWS payload: it must be a JSON object.
Result<Claims, Failure> validateClaims(std::string_view payload, const ClaimRules& rules);
// The same on a payload already parsed (by parseClaims); the object ends up in Claims::all,
// copied or, from an rvalue, moved.
Result<Claims, Failure> validateClaims(const boost::json::object& payload, const ClaimRules& rules);
Result<Claims, Failure> validateClaims(boost::json::object&& payload, const ClaimRules& rules);

// The decoded JWS payload as a JSON object (at most 64 KiB, nesting 16; MalformedClaims
// otherwise): the parse validateClaims(std::string_view, ...) starts with.
Result<boost::json::object, Failure> parseClaims(std::string_view payload);

}  // namespace authgate::core::jose
