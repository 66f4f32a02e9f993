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

#include <boost/json/object.hpp>
#include <string_view>
#include <vector>

#include "core/jose/algorithm.h"
#include "core/jose/claims.h"
#include "core/jose/error.h"
#include "core/jose/jwks.h"
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

Result<VerifiedJwt, Failure> verifyJwt(std::string_view token, const Jwks& jwks,
                                       const VerifyOptions& options);

}  // namespace authgate::core::jose
