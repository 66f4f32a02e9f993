#include "core/jose/jwt.h"

#include "core/jose/jws.h"

namespace authgate::core::jose {

Result<VerifiedJwt, Failure> verifyJwt(std::string_view token, const Jwks& jwks,
                                       const VerifyOptions& options) {
  auto parsed = parseJws(token);
  if (!parsed) {
    return fail(parsed.error());
  }
  auto signature = verifyJws(*parsed, jwks, options.allowedAlgorithms);
  if (!signature) {
    return fail(signature.error());
  }
  // Only an authentic payload is parsed (RFC 8725 §3.4 spirit: no work on forged content).
  auto claims = validateClaims(parsed->payload, options.claims);
  if (!claims) {
    return fail(claims.error());
  }
  auto alg = lookupAlgorithm(parsed->alg);  // cannot fail: verifyJws resolved it
  if (!alg) {
    return fail(alg.error());
  }
  return VerifiedJwt{*alg, std::move(parsed->header), std::move(*claims)};
}

}  // namespace authgate::core::jose
