// The logout token of Back-Channel Logout 1.0 (core/oidc/logout_token.h): what passes, and each
// rule of §2.6 refusing on its own.
#include "core/oidc/logout_token.h"

#include <gtest/gtest.h>

#include <functional>

#include "jose_testing.h"

namespace authgate::core::oidc {
namespace {

namespace jt = jose::testing;

constexpr UnixSeconds kNow = jt::kNow;
constexpr std::string_view kIssuer = "https://idp.test";

boost::json::object goodClaims() {
  return {{"iss", kIssuer},
          {"aud", "client-1"},
          {"iat", kNow - 5},
          {"exp", kNow + 120},
          {"jti", "logout-1"},
          {"sub", "alice-id"},
          {"sid", "idp-session-1"},
          {"events", boost::json::object{{kBackchannelLogoutEvent, boost::json::object{}}}}};
}

std::string sign(const boost::json::object& claims) {
  return jt::makeToken(jose::Algorithm::RS256, jt::rsa2048().get(),
                       {{"alg", "RS256"}, {"kid", "k1"}, {"typ", "logout+jwt"}}, claims);
}

const jose::Jwks& keys() {
  static const jose::Jwks jwks = jt::jwksOf({jt::publicJwk(jt::rsa2048().get(), "k1", "RS256")});
  return jwks;
}

LogoutTokenRules rules() {
  return {.issuer = std::string(kIssuer),
          .clientId = "client-1",
          .allowedAlgorithms = {jose::Algorithm::RS256},
          .skewSeconds = 30,
          .now = kNow};
}

TEST(LogoutTokenTest, AValidTokenNamesItsSessionAndSubject) {
  auto logout = verifyLogoutToken(sign(goodClaims()), keys(), rules());
  ASSERT_TRUE(logout) << logout.error();
  EXPECT_EQ(logout->issuer, kIssuer);
  EXPECT_EQ(logout->subject, "alice-id");
  EXPECT_EQ(logout->sessionId, "idp-session-1");
}

TEST(LogoutTokenTest, SidOrSubAloneIsEnough) {
  auto claims = goodClaims();
  claims.erase("sub");
  auto by_session = verifyLogoutToken(sign(claims), keys(), rules());
  ASSERT_TRUE(by_session) << by_session.error();
  EXPECT_EQ(by_session->subject, "");
  EXPECT_EQ(by_session->sessionId, "idp-session-1");

  claims = goodClaims();
  claims.erase("sid");
  auto by_subject = verifyLogoutToken(sign(claims), keys(), rules());
  ASSERT_TRUE(by_subject) << by_subject.error();
  EXPECT_EQ(by_subject->subject, "alice-id");
  EXPECT_EQ(by_subject->sessionId, "");
}

struct Refusal {
  const char* name;
  std::function<void(boost::json::object&)> change;
  const char* errorContains;
};

class LogoutTokenRefusalTest : public ::testing::TestWithParam<Refusal> {};

TEST_P(LogoutTokenRefusalTest, IsRefusedNamingTheRule) {
  auto claims = goodClaims();
  GetParam().change(claims);
  auto logout = verifyLogoutToken(sign(claims), keys(), rules());
  ASSERT_FALSE(logout) << GetParam().name;
  EXPECT_NE(logout.error().find(GetParam().errorContains), std::string::npos) << logout.error();
}

INSTANTIATE_TEST_SUITE_P(
    EachRule, LogoutTokenRefusalTest,
    ::testing::Values(
        Refusal{"OtherIssuer", [](auto& c) { c["iss"] = "https://evil.test"; }, "iss"},
        Refusal{"OtherAudience", [](auto& c) { c["aud"] = "client-2"; }, "aud"},
        Refusal{"Expired", [](auto& c) { c["exp"] = kNow - 60; }, "expired"},
        Refusal{"NoIssuedAt", [](auto& c) { c.erase("iat"); }, "\"iat\" is missing"},
        Refusal{"IssuedInTheFuture", [](auto& c) { c["iat"] = kNow + 600; }, "issued at"},
        Refusal{"NoEvents", [](auto& c) { c.erase("events"); }, "\"events\""},
        Refusal{"EventsNotAnObject", [](auto& c) { c["events"] = "logout"; }, "\"events\""},
        Refusal{"AnotherEvent",
                [](auto& c) {
                  c["events"] =
                      boost::json::object{{"http://example.com/other", boost::json::object{}}};
                },
                "back-channel logout event"},
        Refusal{"EventNotAnObject",
                [](auto& c) {
                  c["events"] = boost::json::object{{kBackchannelLogoutEvent, true}};
                },
                "back-channel logout event"},
        Refusal{"ANonce", [](auto& c) { c["nonce"] = "n-1"; }, "nonce"},
        Refusal{"NoJti", [](auto& c) { c.erase("jti"); }, "\"jti\" is missing"},
        Refusal{"NeitherSidNorSub",
                [](auto& c) {
                  c.erase("sid");
                  c.erase("sub");
                },
                "neither"},
        Refusal{"SidNotAString", [](auto& c) { c["sid"] = 7; }, "\"sid\""},
        Refusal{"EmptySid",
                [](auto& c) {
                  c.erase("sub");
                  c["sid"] = "";
                },
                "\"sid\""}),
    [](const ::testing::TestParamInfo<Refusal>& param) { return std::string(param.param.name); });

TEST(LogoutTokenTest, AnIdTokenIsNeverALogoutToken) {
  // What the provider signs at login: no events, a nonce.
  boost::json::object id_token{{"iss", kIssuer},        {"aud", "client-1"}, {"iat", kNow},
                               {"exp", kNow + 600},     {"sub", "alice-id"}, {"nonce", "n-1"},
                               {"sid", "idp-session-1"}};
  EXPECT_FALSE(verifyLogoutToken(sign(id_token), keys(), rules()));
}

TEST(LogoutTokenTest, TheSignatureIsChecked) {
  std::string token = sign(goodClaims());
  token.back() = token.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(verifyLogoutToken(token, keys(), rules()));
  EXPECT_FALSE(verifyLogoutToken("not.a.token", keys(), rules()));
  EXPECT_FALSE(verifyLogoutToken("", keys(), rules()));
  auto only_es256 = rules();
  only_es256.allowedAlgorithms = {jose::Algorithm::ES256};
  EXPECT_FALSE(verifyLogoutToken(sign(goodClaims()), keys(), only_es256));
}

}  // namespace
}  // namespace authgate::core::oidc
