#include "core/oidc/token_response.h"

#include <gtest/gtest.h>

namespace authgate::core::oidc {
namespace {

constexpr UnixSeconds kNow = 1700000000;

TEST(TokenResponse, ReadsACodeExchangeAnswer) {
  auto tokens = parseTokenResponse(
      200,
      R"({"access_token":"at","token_type":"bearer","id_token":"a.b.c","refresh_token":"rt",
          "expires_in":3600,"scope":"openid email"})",
      Grant::AuthorizationCode, kNow);
  ASSERT_TRUE(tokens) << tokens.error().detail;
  EXPECT_EQ(tokens->accessToken, "at");
  EXPECT_EQ(tokens->idToken, "a.b.c");
  EXPECT_EQ(tokens->refreshToken, "rt");
  EXPECT_EQ(tokens->accessTokenExpiresAt, kNow + 3600);
}

TEST(TokenResponse, AcceptsExpiresInAsADecimalString) {
  auto tokens = parseTokenResponse(
      200, R"({"access_token":"at","token_type":"Bearer","id_token":"x","expires_in":"3599"})",
      Grant::AuthorizationCode, kNow);
  ASSERT_TRUE(tokens) << tokens.error().detail;
  EXPECT_EQ(tokens->accessTokenExpiresAt, kNow + 3599);
}

TEST(TokenResponse, ARefreshAnswerMayOmitTheIdToken) {
  auto tokens = parseTokenResponse(200, R"({"access_token":"at","token_type":"Bearer"})",
                                   Grant::RefreshToken, kNow);
  ASSERT_TRUE(tokens);
  EXPECT_EQ(tokens->idToken, "");
  EXPECT_EQ(tokens->accessTokenExpiresAt, 0);
  EXPECT_FALSE(parseTokenResponse(200, R"({"access_token":"at","token_type":"Bearer"})",
                                  Grant::AuthorizationCode, kNow));
}

TEST(TokenResponse, ReportsTheIdpErrorCode) {
  auto tokens =
      parseTokenResponse(400, R"({"error":"invalid_grant","error_description":"code expired"})",
                         Grant::AuthorizationCode, kNow);
  ASSERT_FALSE(tokens);
  EXPECT_EQ(tokens.error().error, "invalid_grant");
  EXPECT_EQ(tokens.error().detail, "code expired");
  auto gateway = parseTokenResponse(502, "<html>bad gateway</html>", Grant::RefreshToken, kNow);
  ASSERT_FALSE(gateway);
  EXPECT_EQ(gateway.error().error, "http_502");
}

TEST(TokenResponse, RefusesMalformedAnswers) {
  for (
      std::string_view body : {
          "",
          "[]",
          R"({"token_type":"Bearer","id_token":"x"})",
          R"({"access_token":"at","id_token":"x"})",
          R"({"access_token":"at","token_type":"mac","id_token":"x"})",
          R"({"access_token":7,"token_type":"Bearer","id_token":"x"})",
          R"({"access_token":"at","token_type":"Bearer","id_token":""})",
          R"({"access_token":"at","token_type":"Bearer","id_token":"x","refresh_token":1})",
          R"({"access_token":"at","token_type":"Bearer","id_token":"x","expires_in":-5})",
          R"({"access_token":"at","token_type":"Bearer","id_token":"x","expires_in":"12s"})",
          R"({"access_token":"at","token_type":"Bearer","id_token":"x","expires_in":1e99})",
          R"({"access_token":"at","token_type":"Bearer","id_token":"x","expires_in":18446744073709551615})",
      }) {
    auto tokens = parseTokenResponse(200, body, Grant::AuthorizationCode, kNow);
    ASSERT_FALSE(tokens) << body;
    EXPECT_EQ(tokens.error().error, "malformed_response") << body;
  }
}

}  // namespace
}  // namespace authgate::core::oidc
