#include "core/oidc/login_request.h"

#include <algorithm>
#include <array>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "core/crypto/sha256.h"
#include "core/encoding/base64url.h"

namespace authgate::core::oidc {
namespace {

std::string randomToken(RandomSource& random) {
  std::array<std::uint8_t, 32> bytes{};
  random.fill(bytes);
  return base64url::encode(bytes);
}

std::string joinScopes(const std::vector<std::string>& scopes) {
  std::string joined = "openid";
  for (const std::string& scope : scopes) {
    if (scope != "openid" && !scope.empty()) {
      joined += ' ';
      joined += scope;
    }
  }
  return joined;
}

}  // namespace

LoginRequest LoginRequest::create(RandomSource& random, std::string return_to, UnixSeconds now) {
  LoginRequest login;
  login.state = randomToken(random);
  login.nonce = randomToken(random);
  login.codeVerifier = randomToken(random);
  login.returnTo = std::move(return_to);
  login.createdAt = now;
  return login;
}

std::string pkceChallengeS256(std::string_view code_verifier) {
  return base64url::encode(crypto::sha256({code_verifier}));
}

std::string authorizationUrl(std::string_view authorization_endpoint,
                             const ClientRegistration& client, const LoginRequest& login) {
  auto parsed = boost::urls::parse_absolute_uri(authorization_endpoint);
  if (!parsed) {
    return {};
  }
  boost::urls::url url(*parsed);
  auto params = url.params();
  params.append({"response_type", "code"});
  params.append({"client_id", client.clientId});
  params.append({"redirect_uri", client.redirectUri});
  params.append({"scope", joinScopes(client.scopes)});
  params.append({"state", login.state});
  params.append({"nonce", login.nonce});
  params.append({"code_challenge", pkceChallengeS256(login.codeVerifier)});
  params.append({"code_challenge_method", "S256"});
  return std::string(url.buffer());
}

}  // namespace authgate::core::oidc
