// The identity headers per setting: set_xauthrequest and pass_user_headers turned off, the
// access token and Authorization headers that stand on their own, and the client copies that
// are removed whatever the settings say. Also the email claim (oidc_email_claim).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/gate/identity_headers.h"
#include "core/gate/session_claims.h"

namespace authgate::core::gate {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

session::Session alice() {
  session::Session s;
  s.subject = "u-1";
  s.email = "alice@example.com";
  s.user = "alice@example.com";
  s.preferredUsername = "alice";
  s.groups = {"admins", "devs"};
  s.idToken = "id.token.sig";
  s.accessToken = "access-token";
  return s;
}

std::vector<std::string> names(const std::vector<HeaderLine>& headers) {
  std::vector<std::string> out;
  for (const HeaderLine& header : headers) {
    out.push_back(header.name);
  }
  return out;
}

TEST(GateIdentityHeaders, DefaultsSendTheUserBothWays) {
  const GateSettings settings;
  EXPECT_THAT(names(upstreamIdentityHeaders(alice(), settings)),
              ElementsAre("X-Forwarded-User", "X-Forwarded-Email", "X-Forwarded-Groups",
                          "X-Forwarded-Preferred-Username"));
  EXPECT_THAT(names(gatewayIdentityHeaders(alice(), settings)),
              ElementsAre("X-Auth-Request-User", "X-Auth-Request-Email", "X-Auth-Request-Groups",
                          "X-Auth-Request-Preferred-Username"));
}

TEST(GateIdentityHeaders, SetXAuthRequestFalseSendsNoXAuthRequestHeaders) {
  GateSettings settings;
  settings.setXAuthRequest = false;
  settings.passAccessToken = true;
  EXPECT_THAT(gatewayIdentityHeaders(alice(), settings), IsEmpty());
  settings.setAuthorizationHeader = true;  // independent of set_xauthrequest
  EXPECT_THAT(gatewayIdentityHeaders(alice(), settings),
              ElementsAre(HeaderLine{"Authorization", "Bearer id.token.sig"}));
  // The upstream side is untouched.
  EXPECT_THAT(names(upstreamIdentityHeaders(alice(), settings)), Contains("X-Forwarded-User"));
}

TEST(GateIdentityHeaders, AccessTokenOnTheGatewayNeedsSetXAuthRequest) {
  GateSettings settings;
  settings.passAccessToken = true;
  EXPECT_THAT(gatewayIdentityHeaders(alice(), settings),
              Contains(HeaderLine{"X-Auth-Request-Access-Token", "access-token"}));
}

TEST(GateIdentityHeaders, PassUserHeadersFalseSendsNoUserUpstream) {
  GateSettings settings;
  settings.passUserHeaders = false;
  EXPECT_THAT(upstreamIdentityHeaders(alice(), settings), IsEmpty());
  settings.passAccessToken = true;
  settings.passAuthorizationHeader = true;
  EXPECT_THAT(upstreamIdentityHeaders(alice(), settings),
              ElementsAre(HeaderLine{"X-Forwarded-Access-Token", "access-token"},
                          HeaderLine{"Authorization", "Bearer id.token.sig"}));
  // Gateways still get theirs, and client copies are still removed.
  EXPECT_THAT(names(gatewayIdentityHeaders(alice(), settings)), Contains("X-Auth-Request-User"));
  const auto removed = spoofableIdentityHeaders(settings);
  for (const char* name : {"X-Forwarded-User", "X-Forwarded-Email", "X-Forwarded-Groups",
                           "X-Forwarded-Preferred-Username", "X-Auth-Request-User"}) {
    EXPECT_THAT(removed, Contains(name));
  }
}

TEST(GateIdentityHeaders, EmailComesFromTheConfiguredClaim) {
  jose::Claims claims;
  claims.sub = "u-42";
  claims.all = boost::json::object{{"sub", "u-42"}, {"email", "bob@example.com"}};
  GateSettings settings;
  session::Session session;
  setIdentity(session, claims, settings);
  EXPECT_EQ(session.email, "bob@example.com");
  settings.emailClaim = "sub";  // the seed deployment's oidc_email_claim
  setIdentity(session, claims, settings);
  EXPECT_EQ(session.email, "u-42");
  settings.emailClaim = "missing";
  setIdentity(session, claims, settings);
  EXPECT_EQ(session.email, "");
}

}  // namespace
}  // namespace authgate::core::gate
