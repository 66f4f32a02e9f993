#pragma once
// The one entry point for a signed JWT: structure, header, key, signature, then claims.
//
// Usage:
//   jose::VerifyOptions options;
//   options.claims = {.issuer = issuer, .audiences = {client_id}, .clientId = client_id,
//                     .nonce = std::nullopt, .now = clock.now()};
//   options.allowedAlgorithms = {jose::Algorithm::RS256, jose::Algorithm::ES256};
//   auto verified = jose::verifyJwt(token, *jwks_snapshot, options);
//   if (!verified) return deny(verified.error());
//   identity.subject = verified->claims.sub;
//
// The order of checks and the error for each are listed in core/jose/error.h. Nothing in here
// throws on untrusted input, reads a clock or fetches anything: the JWKS and `now` come in.
//
// A caller that must look into the token before verifying it (the bearer path reads the
// unverified `iss` to pick its rules) parses it once and verifies the parse:
//   auto parsed = jose::parseJwt(token);            // parseJws + the payload as a JSON object
//   if (!parsed) return deny(parsed.error());
//   route_on(parsed->payload);                      // NOT authentic yet
//   auto verified = jose::verifyParsedJwt(*parsed, *jwks_snapshot, options);

#include <boost/json/object.hpp>
#include <string_view>
#include <vector>

#include "core/jose/algorithm.h"
#include "core/jose/claims.h"
#include "core/jose/error.h"
#include "core/jose/jwks.h"
#include "core/jose/jws.h"
#include "core/result.h"

namespace authgate::core::jose {

struct VerifyOptions {
  // The issuer's allow-list; an empty list allows nothing. Defaults to the whole table.
  std::vector<Algorithm> allowedAlgorithms = defaultAlgorithms();
  ClaimRules claims;

  static std::vector<Algorithm> defaultAlgorithms() {
    const auto all = allAlgorithms();
    return {all.begin(), all.end()};
  }
};

struct VerifiedJwt {
  Algorithm alg;
  boost::json::object header;  // the protected header as sent
  Claims claims;
};

// parseJws, then verifyParsedJwt.
Result<VerifiedJwt, Failure> verifyJwt(std::string_view token, const Jwks& jwks,
                                       const VerifyOptions& options);

// Everything verifyJwt does after parseJws (verifyJws, then validateClaims on the payload,
// parsed only once its signature verifies), with the same errors in the same order.
Result<VerifiedJwt, Failure> verifyParsedJwt(const ParsedJws& parsed, const Jwks& jwks,
                                             const VerifyOptions& options);

// A token parsed as a JWT but not verified: its JWS, and its payload already parsed as a JSON
// object (validateClaims' limits) so that it can be read before verification without parsing
// it twice. Nothing in it is authentic until verifyParsedJwt succeeds.
struct ParsedJwt {
  ParsedJws jws;  // its signingInput is a view into the token given to parseJwt
  boost::json::object payload;
};

// parseJws, then the payload as a JSON object (MalformedClaims otherwise). Unlike verifyJwt,
// which reports a forged token's signature first, a payload that is not JSON fails here,
// before any signature check.
Result<ParsedJwt, Failure> parseJwt(std::string_view token);

// verifyParsedJwt on a ParsedJwt: the same checks, reusing its parsed payload.
Result<VerifiedJwt, Failure> verifyParsedJwt(const ParsedJwt& parsed, const Jwks& jwks,
                                             const VerifyOptions& options);

}  // namespace authgate::core::jose
