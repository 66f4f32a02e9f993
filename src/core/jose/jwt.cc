#include "core/jose/jwt.h"

#include <utility>

namespace authgate::core::jose {
namespace {

// The checks after parsing. `payload` is the payload already parsed by parseJwt, or null: then
// it is parsed here, and only once its signature verifies (RFC 8725 §3.4 spirit: no work on
// forged content).
Result<VerifiedJwt, Failure> verifyParsed(const ParsedJws& parsed,
                                          const boost::json::object* payload, const Jwks& jwks,
                                          const VerifyOptions& options) {
  auto signature = verifyJws(parsed, jwks, options.allowedAlgorithms);
  if (!signature) {
    return fail(signature.error());
  }
  auto claims = payload != nullptr ? validateClaims(*payload, options.claims)
                                   : validateClaims(parsed.payload, options.claims);
  if (!claims) {
    return fail(claims.error());
  }
  auto alg = lookupAlgorithm(parsed.alg);  // cannot fail: verifyJws resolved it
  if (!alg) {
    return fail(alg.error());
  }
  return VerifiedJwt{*alg, parsed.header, std::move(*claims)};
}

}  // namespace

Result<VerifiedJwt, Failure> verifyJwt(std::string_view token, const Jwks& jwks,
                                       const VerifyOptions& options) {
  auto parsed = parseJws(token);
  if (!parsed) {
    return fail(parsed.error());
  }
  return verifyParsedJwt(*parsed, jwks, options);
}

Result<VerifiedJwt, Failure> verifyParsedJwt(const ParsedJws& parsed, const Jwks& jwks,
                                             const VerifyOptions& options) {
  return verifyParsed(parsed, nullptr, jwks, options);
}

Result<ParsedJwt, Failure> parseJwt(std::string_view token) {
  auto jws = parseJws(token);
  if (!jws) {
    return fail(jws.error());
  }
  auto payload = parseClaims(jws->payload);
  if (!payload) {
    return fail(payload.error());
  }
  return ParsedJwt{std::move(*jws), std::move(*payload)};
}

Result<VerifiedJwt, Failure> verifyParsedJwt(const ParsedJwt& parsed, const Jwks& jwks,
                                             const VerifyOptions& options) {
  return verifyParsed(parsed.jws, &parsed.payload, jwks, options);
}

}  // namespace authgate::core::jose
