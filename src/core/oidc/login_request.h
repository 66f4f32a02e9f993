#pragma once
// The start of an OpenID Connect authorization-code login (OIDC Core 1.0 §3.1.2.1) with PKCE
// (RFC 7636): fresh state, nonce and code verifier, and the URL that sends the browser to the IdP.
//
// Usage:
//   LoginRequest login = LoginRequest::create(random, "/app", clock.now());
//   std::string location = authorizationUrl(endpoint, client, login);   // -> 302 Location
//   // keep `login` in the sealed login-state cookie until the callback
//
// State, nonce and verifier are each 32 random bytes in base64url (43 characters), so the verifier
// meets RFC 7636 §4.1 (43 to 128 unreserved characters) and all three carry 256 bits of entropy.

#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/random.h"

namespace authgate::core::oidc {

struct LoginRequest {
  std::string state;         // CSRF token echoed by the IdP (OAuth 2.0, RFC 6749 §10.12)
  std::string nonce;         // bound into the ID token (OIDC Core §3.1.2.1)
  std::string codeVerifier;  // PKCE secret; only its S256 challenge leaves authgate
  std::string returnTo;      // validated redirect target after login
  UnixSeconds createdAt = 0;

  static LoginRequest create(RandomSource& random, std::string return_to, UnixSeconds now);
};

// RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier))).
std::string pkceChallengeS256(std::string_view code_verifier);

struct ClientRegistration {
  std::string clientId;
  std::string redirectUri;          // absolute callback URL registered at the IdP
  std::vector<std::string> scopes;  // "openid" is added when missing
};

// The authorization endpoint with the request parameters appended to any it already has.
// Returns an empty string when `authorization_endpoint` is not an absolute URL.
std::string authorizationUrl(std::string_view authorization_endpoint,
                             const ClientRegistration& client, const LoginRequest& login);

}  // namespace authgate::core::oidc
