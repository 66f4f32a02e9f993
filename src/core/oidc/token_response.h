#pragma once
// The token endpoint's answer (RFC 6749 §5.1 success, §5.2 error; OIDC Core §3.1.3.3).
//
// Usage:
//   auto tokens = parseTokenResponse(http_status, body, now);
//   if (!tokens) log(tokens.error().detail);   // IdP error code, or what was malformed
//   verify tokens->idToken with jose::verifyJwt before trusting anything in it

#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"

namespace authgate::core::oidc {

struct TokenResponse {
  std::string accessToken;
  std::string idToken;       // empty only on a refresh answer that carries none (§12.2)
  std::string refreshToken;  // empty when the IdP issued none
  UnixSeconds accessTokenExpiresAt = 0;  // now + expires_in; 0 when the IdP gave no lifetime
};

struct TokenError {
  std::string error;   // the IdP's `error` code (e.g. "invalid_grant"), or "malformed_response"
  std::string detail;  // human-readable, for the log
};

enum class Grant {
  AuthorizationCode,  // an id_token is required
  RefreshToken,       // an id_token is optional
};

Result<TokenResponse, TokenError> parseTokenResponse(int http_status, std::string_view body,
                                                     Grant grant, UnixSeconds now);

}  // namespace authgate::core::oidc
