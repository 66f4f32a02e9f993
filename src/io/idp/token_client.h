#pragma once
// The token endpoint (authorization code and refresh grants) and the userinfo endpoint.
//
// Usage:
//   TokenClient tokens(http, {.clientId = id, .clientSecret = secret}, clock, counters);
//   auto answer = co_await tokens.exchangeCode(metadata.tokenEndpoint, code, verifier, redirect);
//   if (!answer) log(answer.error().error, answer.error().detail);   // e.g. "invalid_grant"
//   else verify answer->idToken with jose::verifyJwt before trusting anything in it
//
// Errors are core::oidc::TokenError values: the IdP's OAuth `error` code (RFC 6749 §5.2),
// "malformed_response" for a 200 answer that is not a token response, or one of ours:
//   "transport_error"     no usable HTTP answer (connect, TLS, timeout, size limit)
//   "provider_not_ready"  (Provider only) discovery has not succeeded yet
// Every call is counted by grant and TokenOutcome in IdpCounters.

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/oidc/token_response.h"
#include "core/result.h"
#include "io/idp/form_encoding.h"
#include "io/idp/http_client.h"
#include "io/idp/observability.h"

namespace authgate::io::idp {

// How the client authenticates at the token endpoint (OIDC Core §9).
enum class ClientAuthMethod {
  ClientSecretBasic,  // HTTP Basic with the form-encoded id and secret (RFC 6749 §2.3.1); default
  ClientSecretPost,   // client_id and client_secret as form fields (RFC 6749 §2.3.1, discouraged)
};

struct ClientCredentials {
  std::string clientId;
  std::string clientSecret;
  ClientAuthMethod method = ClientAuthMethod::ClientSecretBasic;
};

struct UserinfoError {
  std::string detail;  // one line for the log; never the access token
};

using TokenResult = core::Result<core::oidc::TokenResponse, core::oidc::TokenError>;
using UserinfoResult = core::Result<boost::json::object, UserinfoError>;

inline constexpr std::string_view kTransportError = "transport_error";
inline constexpr std::string_view kProviderNotReady = "provider_not_ready";

class TokenClient {
 public:
  TokenClient(std::shared_ptr<HttpClient> http, ClientCredentials credentials,
              const core::Clock& clock, std::shared_ptr<IdpCounters> counters);

  // RFC 6749 §4.1.3 with the PKCE verifier (RFC 7636 §4.5). The answer must carry an id_token.
  boost::asio::awaitable<TokenResult> exchangeCode(std::string tokenEndpoint, std::string code,
                                                   std::string codeVerifier,
                                                   std::string redirectUri) const;

  // RFC 6749 §6. The answer may lack an id_token (OIDC Core §12.2).
  boost::asio::awaitable<TokenResult> refresh(std::string tokenEndpoint,
                                              std::string refreshToken) const;

  // OIDC Core §5.3: GET with the access token as a Bearer credential (RFC 6750 §2.1); the JSON
  // object on 200. Signed (application/jwt) answers are not supported. The caller must check
  // that its `sub` equals the ID token's (§5.3.2).
  boost::asio::awaitable<UserinfoResult> userinfo(std::string userinfoEndpoint,
                                                  std::string accessToken) const;

 private:
  boost::asio::awaitable<TokenResult> call(std::string tokenEndpoint, FormFields form,
                                           core::oidc::Grant grant) const;

  std::shared_ptr<HttpClient> http_;
  ClientCredentials credentials_;
  const core::Clock& clock_;
  std::shared_ptr<IdpCounters> counters_;
};

}  // namespace authgate::io::idp
