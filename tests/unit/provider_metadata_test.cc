#include "core/oidc/provider_metadata.h"

#include <gtest/gtest.h>

namespace authgate::core::oidc {
namespace {

constexpr std::string_view kIssuer = "https://idp.example.com";

constexpr std::string_view kGoodDocument = R"({
  "issuer": "https://idp.example.com",
  "authorization_endpoint": "https://idp.example.com/auth",
  "token_endpoint": "https://idp.example.com/token",
  "jwks_uri": "https://idp.example.com/jwks",
  "userinfo_endpoint": "https://idp.example.com/me",
  "end_session_endpoint": "https://idp.example.com/session/end",
  "id_token_signing_alg_values_supported": ["RS256", "ES256"],
  "code_challenge_methods_supported": ["S256"],
  "scopes_supported": ["openid", "email"]
})";

TEST(ProviderMetadata, ReadsEveryEndpointAndList) {
  auto metadata = parseProviderMetadata(kGoodDocument, kIssuer);
  ASSERT_TRUE(metadata) << metadata.error().detail;
  EXPECT_EQ(metadata->authorizationEndpoint, "https://idp.example.com/auth");
  EXPECT_EQ(metadata->tokenEndpoint, "https://idp.example.com/token");
  EXPECT_EQ(metadata->jwksUri, "https://idp.example.com/jwks");
  EXPECT_EQ(metadata->userinfoEndpoint, "https://idp.example.com/me");
  EXPECT_EQ(metadata->endSessionEndpoint, "https://idp.example.com/session/end");
  EXPECT_EQ(metadata->idTokenSigningAlgs, (std::vector<std::string>{"RS256", "ES256"}));
  EXPECT_EQ(metadata->codeChallengeMethods, (std::vector<std::string>{"S256"}));
}

TEST(ProviderMetadata, OptionalEndpointsMayBeAbsent) {
  auto metadata = parseProviderMetadata(
      R"({"issuer":"https://idp.example.com","authorization_endpoint":"https://idp.example.com/a",
          "token_endpoint":"https://idp.example.com/t","jwks_uri":"https://idp.example.com/k"})",
      kIssuer);
  ASSERT_TRUE(metadata) << metadata.error().detail;
  EXPECT_EQ(metadata->userinfoEndpoint, "");
  EXPECT_EQ(metadata->endSessionEndpoint, "");
}

TEST(ProviderMetadata, RequiresTheIssuerToMatchExactly) {
  for (std::string_view issuer :
       {"https://idp.example.com/", "https://IDP.example.com", "https://evil.example.com"}) {
    auto metadata = parseProviderMetadata(kGoodDocument, issuer);
    ASSERT_FALSE(metadata) << issuer;
    EXPECT_NE(metadata.error().detail.find("§4.3"), std::string::npos);
  }
}

TEST(ProviderMetadata, RefusesMissingOrMalformedMembers) {
  const std::string base = R"("issuer":"https://idp.example.com")";
  for (const std::string& body : {
           std::string("[]"),
           std::string("not json"),
           "{" + base + "}",
           "{" + base + R"(,"authorization_endpoint":"/relative","token_endpoint":"https://x/t",)" +
               R"("jwks_uri":"https://x/k"})",
           "{" + base + R"(,"authorization_endpoint":"https://x/a","token_endpoint":7,)" +
               R"("jwks_uri":"https://x/k"})",
           "{" + base +
               R"(,"authorization_endpoint":"https://x/a","token_endpoint":"https://x/t",)" +
               R"x("jwks_uri":"javascript:alert(1)"})x",
           "{" + base +
               R"(,"authorization_endpoint":"https://x/a","token_endpoint":"https://x/t",)" +
               R"("jwks_uri":"https://x/k","id_token_signing_alg_values_supported":"RS256"})",
           std::string(R"({"authorization_endpoint":"https://x/a"})"),
       }) {
    EXPECT_FALSE(parseProviderMetadata(body, kIssuer)) << body;
  }
}

}  // namespace
}  // namespace authgate::core::oidc
