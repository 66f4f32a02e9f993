#pragma once
// The IdP's discovery document (OpenID Connect Discovery 1.0 §3, §4.2), parsed strictly.
//
// Usage:
//   auto metadata = parseProviderMetadata(body, configured_issuer);
//   if (!metadata) log(metadata.error().detail);   // e.g. issuer mismatch, endpoint missing
//
// §4.3: the `issuer` in the document must be identical to the issuer URL it was fetched for;
// otherwise a compromised or misconfigured endpoint could impersonate another IdP.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace authgate::core::oidc {

struct ProviderMetadata {
  std::string issuer;
  std::string authorizationEndpoint;
  std::string tokenEndpoint;
  std::string jwksUri;
  std::string userinfoEndpoint;    // empty when not published
  std::string endSessionEndpoint;  // empty when not published (RP-Initiated Logout 1.0)
  std::vector<std::string> idTokenSigningAlgs;
  std::vector<std::string> codeChallengeMethods;
  std::vector<std::string> tokenEndpointAuthMethods;
};

struct MetadataError {
  std::string detail;
};

Result<ProviderMetadata, MetadataError> parseProviderMetadata(std::string_view document,
                                                              std::string_view expected_issuer);

}  // namespace authgate::core::oidc
