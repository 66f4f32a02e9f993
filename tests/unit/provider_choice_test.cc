// Which provider's gate answers a request (core/gate/provider_choice.h): each rule on its own,
// and the order between them.
#include "core/gate/provider_choice.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/encoding/base64url.h"
#include "core/net/ip_network.h"

namespace authgate::core::gate {
namespace {

struct Request {
  std::string method = "GET";
  std::string host = "app.example.com";
  std::string path = "/";
  std::string query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string peer = "203.0.113.9";
};

class ProviderChoiceTest : public ::testing::Test {
 protected:
  // corp: corp.example.com; partner: any host below /partner/; nothing else routes.
  ProviderChoice choice_{
      ProviderRoutes(std::vector<ProviderRoute>{{"corp", {"corp.example.com"}, {}},
                                                {"partner", {}, {"/partner/"}}}),
      {{.issuer = "https://sso.corp.test", .cookieName = "_authgate"},
       {.issuer = "https://login.partner.test", .cookieName = "_authgate_partner"}},
      "/oauth2",
      {*net::parseIpNetwork("10.0.0.0/8")}};

  std::optional<std::size_t> choose(const Request& r) {
    std::vector<HeaderView> headers;
    for (const auto& [name, value] : r.headers) {
      headers.push_back({name, value});
    }
    const CheckRequest request{.method = r.method,
                               .scheme = "https",
                               .host = r.host,
                               .path = r.path,
                               .query = r.query,
                               .headers = headers,
                               .peer = r.peer,
                               .body = r.body};
    return choice_.choose(request);
  }
};

TEST_F(ProviderChoiceTest, HostsAndPathPrefixesRoute) {
  EXPECT_EQ(choose({.host = "corp.example.com", .path = "/reports"}), 0u);
  EXPECT_EQ(choose({.host = "app.example.com", .path = "/partner/x"}), 1u);
  // The corp host wins over the partner prefix: first match.
  EXPECT_EQ(choose({.host = "corp.example.com", .path = "/partner/x"}), 0u);
  // A path that only looks like it is below the prefix once normalized.
  EXPECT_EQ(choose({.path = "/partner/../reports"}), std::nullopt);
  EXPECT_EQ(choose({.path = "/reports"}), std::nullopt);
}

TEST_F(ProviderChoiceTest, ASessionCookieKeepsItsProviderWhereNoRouteDecides) {
  EXPECT_EQ(choose({.path = "/reports", .headers = {{"Cookie", "a=1; _authgate_partner=x"}}}), 1u);
  EXPECT_EQ(choose({.path = "/reports", .headers = {{"Cookie", "_authgate_0=x"}}}), 0u);
  // A route still decides over a cookie of another provider.
  EXPECT_EQ(choose({.host = "corp.example.com", .headers = {{"Cookie", "_authgate_partner=x"}}}),
            0u);
  // A login-state cookie is no session.
  EXPECT_EQ(choose({.path = "/reports", .headers = {{"Cookie", "_authgate_csrf_abc=x"}}}),
            std::nullopt);
}

TEST_F(ProviderChoiceTest, StartNamesItsProvider) {
  EXPECT_EQ(choose({.path = "/oauth2/start", .query = "provider=partner&rd=%2F"}), 1u);
  EXPECT_EQ(
      choose({.host = "corp.example.com", .path = "/oauth2/sign_in", .query = "provider=partner"}),
      1u);
  EXPECT_EQ(choose({.host = "corp.example.com", .path = "/oauth2/start", .query = "provider=nope"}),
            std::nullopt);
  // Without `provider` the host decides as for any request.
  EXPECT_EQ(choose({.host = "corp.example.com", .path = "/oauth2/start"}), 0u);
}

TEST_F(ProviderChoiceTest, TheCallbackGoesWhereItsLoginStateCookieIs) {
  const std::string state = "abcdefghijklmnopqrstuvwxyz";
  EXPECT_EQ(choose({.path = "/oauth2/callback",
                    .query = "code=c&state=" + state,
                    .headers = {{"Cookie", "_authgate_partner_csrf_abcdefghijkl=v"}}}),
            1u);
  EXPECT_EQ(choose({.host = "app.example.com",
                    .path = "/oauth2/callback",
                    .query = "code=c&state=" + state,
                    .headers = {{"Cookie", "_authgate_csrf_abcdefghijkl=v"}}}),
            0u);
  // No login of ours: the route decides who refuses it.
  EXPECT_EQ(choose({.host = "corp.example.com", .path = "/oauth2/callback", .query = "state=x"}),
            0u);
}

TEST_F(ProviderChoiceTest, ALogoutTokenGoesToItsIssuer) {
  const auto token = [](std::string_view issuer) {
    return base64url::encode(std::string_view(R"({"alg":"RS256"})")) + "." +
           base64url::encode("{\"iss\":\"" + std::string(issuer) + "\"}") + ".c2ln";
  };
  EXPECT_EQ(choose({.method = "POST",
                    .host = "corp.example.com",
                    .path = "/oauth2/backchannel_logout",
                    .body = "logout_token=" + token("https://login.partner.test")}),
            1u);
  // An issuer nobody has: the route's gate refuses the token.
  EXPECT_EQ(choose({.method = "POST",
                    .host = "corp.example.com",
                    .path = "/oauth2/backchannel_logout",
                    .body = "logout_token=" + token("https://evil.test")}),
            0u);
  EXPECT_EQ(choose({.method = "POST", .path = "/oauth2/backchannel_logout", .body = "x=y"}),
            std::nullopt);
}

TEST_F(ProviderChoiceTest, AuthRequestsRouteOnTheOriginalRequestFromTrustedGateways) {
  const Request from_nginx{.host = "app.example.com",
                           .path = "/oauth2/auth",
                           .headers = {{"X-Original-URI", "/partner/report?x=1"}},
                           .peer = "10.1.2.3"};
  EXPECT_EQ(choose(from_nginx), 1u);
  Request untrusted = from_nginx;
  untrusted.peer = "203.0.113.9";
  EXPECT_EQ(choose(untrusted), std::nullopt);  // the header is not believed
}

TEST(ProviderChoiceSingleTest, OneProviderIsAlwaysChosen) {
  const ProviderChoice one(ProviderRoutes(std::vector<ProviderRoute>{{"default", {}, {}}}),
                           {{.issuer = "https://idp.test", .cookieName = "_authgate"}}, "/oauth2",
                           {});
  const CheckRequest request{.method = "GET", .host = "anything", .path = "/x"};
  EXPECT_EQ(one.choose(request), 0u);
}

}  // namespace
}  // namespace authgate::core::gate
