#pragma once
// The logout token of OpenID Connect Back-Channel Logout 1.0: a JWT the OpenID Provider POSTs to
// the RP's back-channel logout endpoint when a user's session at the provider ends, naming the
// session (`sid`) or the user (`sub`) whose RP sessions must end too.
//
// Usage:
//   auto logout = oidc::verifyLogoutToken(form_value, *provider.keys,
//                                         {.issuer = provider.issuer, .clientId = "authgate",
//                                          .allowedAlgorithms = {Algorithm::RS256}, .now = now});
//   if (!logout) return 400 naming logout.error();
//   end every session of (logout->issuer, logout->sessionId or logout->subject)
//
// Checks (§2.6 "Logout Token Validation"), the first failing one reported:
//   1) a JWS signed by one of `keys` with an allowed algorithm (never "none");
//   2) iss, aud (the client id), exp and iat as for an ID token (iat is required here);
//   3) `events` is a JSON object with the member
//      "http://schemas.openid.net/event/backchannel-logout", itself a JSON object;
//   4) `sid` or `sub` present (strings, not empty); each present one is a string;
//   5) no `nonce` (so an ID token can never pass as a logout token, §2.4);
//   6) `jti` present (§2.4 REQUIRED).
// A replayed token ends nothing more than its first delivery did, so `jti` is not remembered.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/jose/algorithm.h"
#include "core/jose/jwks.h"
#include "core/result.h"

namespace authgate::core::oidc {

inline constexpr std::string_view kBackchannelLogoutEvent =
    "http://schemas.openid.net/event/backchannel-logout";

struct LogoutTokenRules {
  std::string issuer;
  std::string clientId;
  std::vector<jose::Algorithm> allowedAlgorithms;
  std::int64_t skewSeconds = 30;
  UnixSeconds now = 0;
};

struct LogoutToken {
  std::string issuer;
  std::string subject;    // empty when the token names a session only
  std::string sessionId;  // `sid`; empty when the token names a user only
};

// The error names the check that failed (never a claim's value beyond what jose reports).
Result<LogoutToken, std::string> verifyLogoutToken(std::string_view token, const jose::Jwks& keys,
                                                   const LogoutTokenRules& rules);

}  // namespace authgate::core::oidc
