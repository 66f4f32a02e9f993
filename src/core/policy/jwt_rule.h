#pragma once
// A RequestAuthentication jwtRule (istio/api security/v1beta1/request_authentication.proto,
// "JWTRule"), as read from an Istio file, for the bearer-token validation.
//
// Usage:
//   auto loaded = policy::loadIstioFile(text, "authn.yaml");
//   for (const policy::JwtRule& rule : loaded->jwtRules) {
//     if (rule.usesDefaultLocations()) { /* Authorization: Bearer, then ?access_token= */ }
//   }
//
// Semantics the consumer applies (Istio's, via Envoy jwt_authn):
//   - a token from `issuer` must name one of `audiences` when that list is non-empty;
//   - keys from `jwks` (inline JSON) when set, else from `jwksUri`, else OIDC discovery;
//   - an invalid token is refused (401), a missing one leaves the request anonymous;
//   - the token is removed before forwarding unless forwardOriginalToken.

#include <string>
#include <vector>

namespace authgate::core::policy {

struct JwtHeaderLocation {
  std::string name;    // header name as written
  std::string prefix;  // e.g. "Bearer "; empty: the whole value is the token
  bool operator==(const JwtHeaderLocation&) const = default;
};

struct ClaimToHeader {
  std::string header;  // header to set upstream
  std::string claim;   // claim name; nested claims as "a.b.c"
  bool operator==(const ClaimToHeader&) const = default;
};

struct JwtRule {
  std::string origin;  // "<file>: document N (<metadata.name>) jwtRules[i]", for logs
  std::string issuer;
  std::vector<std::string> audiences;
  std::string jwksUri;  // http(s) URL; empty when not set
  std::string jwks;     // inline JWKS JSON text; empty when not set
  std::vector<JwtHeaderLocation> fromHeaders;
  std::vector<std::string> fromParams;
  std::vector<std::string> fromCookies;
  bool forwardOriginalToken = false;
  std::string outputPayloadToHeader;
  std::vector<ClaimToHeader> outputClaimToHeaders;
  std::vector<std::string> spaceDelimitedClaims;  // besides scope and permission
  std::string timeout;  // JWKS fetch timeout as written ("5s"); empty: default

  // No location configured: Istio's default, `Authorization: Bearer <token>` and then the
  // `access_token` query parameter.
  bool usesDefaultLocations() const {
    return fromHeaders.empty() && fromParams.empty() && fromCookies.empty();
  }
};

}  // namespace authgate::core::policy
