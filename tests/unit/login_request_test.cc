#include "core/oidc/login_request.h"

#include <gtest/gtest.h>

#include <boost/url/parse.hpp>
#include <map>

#include "core/encoding/base64url.h"

namespace authgate::core::oidc {
namespace {

// Deterministic bytes: 0, 1, 2, ... so each call gives different, predictable output.
class CountingRandom final : public RandomSource {
 public:
  void fill(std::span<std::uint8_t> out) override {
    for (auto& byte : out) {
      byte = next_++;
    }
  }

 private:
  std::uint8_t next_ = 0;
};

TEST(Pkce, MatchesRfc7636AppendixB) {
  EXPECT_EQ(pkceChallengeS256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(LoginRequest, DrawsThreeIndependent256BitValues) {
  CountingRandom random;
  const LoginRequest login = LoginRequest::create(random, "/app", 1700000000);
  for (const std::string* value : {&login.state, &login.nonce, &login.codeVerifier}) {
    EXPECT_EQ(value->size(), 43u);
    EXPECT_EQ(base64url::decode(*value)->size(), 32u);
  }
  EXPECT_NE(login.state, login.nonce);
  EXPECT_NE(login.nonce, login.codeVerifier);
  EXPECT_EQ(login.returnTo, "/app");
  EXPECT_EQ(login.createdAt, 1700000000);
}

std::map<std::string, std::string> queryOf(const std::string& url) {
  std::map<std::string, std::string> query;
  auto parsed = boost::urls::parse_absolute_uri(url);
  EXPECT_TRUE(parsed) << url;
  for (const auto& param : parsed->params()) {
    query[param.key] = param.value;
  }
  return query;
}

TEST(AuthorizationUrl, CarriesEveryParameterOfTheCodeFlowWithPkce) {
  CountingRandom random;
  const LoginRequest login = LoginRequest::create(random, "/", 0);
  const ClientRegistration client{
      "my client", "https://app.example.com/oauth2/callback", {"email", "profile", "openid"}};
  const std::string url = authorizationUrl("https://idp.example.com/authorize", client, login);
  ASSERT_TRUE(url.starts_with("https://idp.example.com/authorize?")) << url;
  auto query = queryOf(url);
  EXPECT_EQ(query["response_type"], "code");
  EXPECT_EQ(query["client_id"], "my client");
  EXPECT_EQ(query["redirect_uri"], "https://app.example.com/oauth2/callback");
  EXPECT_EQ(query["scope"], "openid email profile");
  EXPECT_EQ(query["state"], login.state);
  EXPECT_EQ(query["nonce"], login.nonce);
  EXPECT_EQ(query["code_challenge"], pkceChallengeS256(login.codeVerifier));
  EXPECT_EQ(query["code_challenge_method"], "S256");
  EXPECT_EQ(query.count("code_verifier"), 0u);  // the verifier never leaves authgate
}

TEST(AuthorizationUrl, KeepsParametersTheEndpointAlreadyHas) {
  CountingRandom random;
  const LoginRequest login = LoginRequest::create(random, "/", 0);
  const std::string url = authorizationUrl("https://idp.example.com/authorize?tenant=a%20b",
                                           {"c", "https://x/cb", {}}, login);
  auto query = queryOf(url);
  EXPECT_EQ(query["tenant"], "a b");
  EXPECT_EQ(query["scope"], "openid");
}

TEST(AuthorizationUrl, IsEmptyForARelativeEndpoint) {
  CountingRandom random;
  EXPECT_EQ(authorizationUrl("/authorize", {}, LoginRequest::create(random, "/", 0)), "");
}

}  // namespace
}  // namespace authgate::core::oidc
