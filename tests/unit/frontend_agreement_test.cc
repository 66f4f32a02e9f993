// "One decision, many front ends": one table of requests, each sent through every front end, and
// each front end's answer reduced to the same small Outcome, which must equal the case's expected
// outcome. Where a front end's contract differs on purpose (/oauth2/auth answers 401 where a
// browser would be redirected: oauth2-proxy's contract for nginx auth_request), the table says so
// explicitly per front end. The front ends are those of frontend_driver.h (Proxy, AuthUrl,
// HttpCheck, PrefixCheck, GrpcCheck).
// Sessions are sealed at test time with the gate's secret; each front end gets its own sealed
// session with its own refresh token, so each refresh is a separate grant at the fake IdP.
// Bearer tokens are the fake IdP's ID tokens for client-1, checked with the provider's keys.
// The full authorization table (135 cases) is policy_frontends_test.cc.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <ostream>

#include "core/policy/loader.h"
#include "frontend_driver.h"
#include "io/idp/bearer_keys.h"

namespace authgate::io::frontend {
namespace {

using testing::FrontEnd;
using testing::kAlice;
using testing::kFrontEnds;
using testing::nameOf;
using testing::Outcome;
using testing::SessionCookie;
using testing::SessionKind;
using testing::Where;

enum class Bearer { None, Valid, Tampered };

struct Case {
  std::string name;
  std::string target;  // path and query of the original request
  std::string accept;
  SessionKind session = SessionKind::None;
  Bearer bearer = Bearer::None;  // an Authorization: Bearer token instead of a cookie
  Outcome expected;
  std::map<FrontEnd, Outcome> differs;  // documented, intended differences
  int refreshGrants = 0;                // refresh_token grants each front end must cause
};

void PrintTo(const Case& c, std::ostream* out) {
  *out << c.name;
}

constexpr const char* kBrowser = "text/html,application/xhtml+xml";
constexpr const char* kApi = "application/json";
const std::string kRenewed = "alice.renewed@example.com";  // the refresh's new ID token

const Outcome kLogin{.status = 302, .location = Where::IdpAuthorize};
const Outcome kUnauthorized{.status = 401};

std::vector<Case> cases() {
  return {
      {.name = "NoSessionBrowser",
       .target = "/reports?x=1",
       .accept = kBrowser,
       .expected = kLogin,
       // oauth2-proxy's contract for nginx auth_request: 401, nginx then redirects itself.
       .differs = {{FrontEnd::AuthUrl, kUnauthorized}}},
      {.name = "NoSessionApi", .target = "/reports?x=1", .accept = kApi, .expected = kUnauthorized},
      {.name = "ValidSession",
       .target = "/reports?x=1",
       .accept = kBrowser,
       .session = SessionKind::Valid,
       .expected = {.allowed = true, .user = kAlice}},
      {.name = "ExpiredSessionWithRefreshToken",
       .target = "/reports?x=1",
       .accept = kBrowser,
       .session = SessionKind::ExpiredWithRefresh,
       .expected = {.allowed = true, .user = kRenewed, .cookie = SessionCookie::Set},
       .refreshGrants = 1},
      {.name = "ExpiredSessionWithoutRefreshToken",
       .target = "/reports?x=1",
       .accept = kBrowser,
       .session = SessionKind::ExpiredWithoutRefresh,
       .expected = kLogin,
       .differs = {{FrontEnd::AuthUrl, kUnauthorized}}},
      {.name = "CallbackWithBadState",
       .target =
           "/oauth2/"
           "callback?code=the-code&state=forged-but-long-enough-to-be-a-real-state-AAAAAAAAAA",
       .accept = kBrowser,
       .expected = {.status = 403},
       // /oauth2/auth is asked about the session only, whatever the original path was.
       .differs = {{FrontEnd::AuthUrl, kUnauthorized}}},
      {.name = "SignOut",
       .target = "/oauth2/sign_out",
       .accept = kBrowser,
       .session = SessionKind::Valid,
       .expected = {.status = 302, .location = Where::IdpLogout, .cookie = SessionCookie::Cleared},
       // /oauth2/auth only reports the (still valid) session; signing out is the browser's
       // own request to /oauth2/sign_out.
       .differs = {{FrontEnd::AuthUrl, {.allowed = true, .user = kAlice}}}},
      {.name = "BearerToken",
       .target = "/reports?x=1",
       .accept = kApi,
       .bearer = Bearer::Valid,
       .expected = {.allowed = true, .user = kAlice}},
      {.name = "TamperedBearerToken",
       .target = "/reports?x=1",
       .accept = kApi,
       .bearer = Bearer::Tampered,
       .expected = kUnauthorized},
      {.name = "Forbidden",
       .target = "/admin/users",
       .accept = kBrowser,
       .session = SessionKind::Valid,
       .expected = {.status = 403}},
      {.name = "TamperedSession",
       .target = "/reports?x=1",
       .accept = kBrowser,
       .session = SessionKind::Tampered,
       .expected = kLogin,
       .differs = {{FrontEnd::AuthUrl, kUnauthorized}}},
  };
}

class FrontendAgreementTest : public testing::FrontendDriver,
                              public ::testing::WithParamInterface<Case> {
 protected:
  void SetUp() override {
    FrontendDriver::SetUp();
    if (HasFatalFailure()) {
      return;
    }
    const std::lock_guard lock(mutex_);
    refreshEmail_ = kRenewed;
  }

  // A DENY policy for "Forbidden", and bearer tokens of the fake IdP for client-1 with the
  // provider's own keys. /oauth2/auth is asked as nginx asks it: from a trusted gateway naming
  // the original request in X-Forwarded-Uri.
  void configureGate(core::gate::GateSettings& settings) override {
    auto loaded = core::policy::loadPolicies(YAML::Load(R"(
- name: no-admin
  action: DENY
  rules: [{to: [{operation: {paths: ["/admin/*"]}}]}]
)"));
    ASSERT_TRUE(loaded);
    settings.policies = std::move(loaded->policies);
    settings.trustedProxies = {*core::net::parseIpNetwork("10.0.0.0/8")};
    authGateway_ = "10.255.0.1";
    core::policy::JwtRule rule;
    rule.origin = "jwt_rules[0]";
    rule.issuer = idp_.baseUrl();
    rule.audiences = {"client-1"};
    auto bearer = core::gate::BearerAuthenticator::create(
        {rule}, {.allowedAlgorithms = {core::jose::Algorithm::RS256}});
    ASSERT_TRUE(bearer) << bearer.error();
    settings.bearer = std::make_shared<const core::gate::BearerAuthenticator>(std::move(*bearer));
    auto keys = idp::BearerKeys::create(io_.get_executor(), {rule}, provider_, idp_.baseUrl(), {},
                                        clock_, {});
    ASSERT_TRUE(keys) << keys.error();
    (*keys)->start();
    bearerKeys_ = *keys;
  }

  Outcome through(FrontEnd frontEnd, const Case& c, const std::string& cookie) {
    testing::Call call{.target = c.target, .accept = c.accept, .cookie = cookie};
    if (c.bearer != Bearer::None) {
      std::string token = signIdToken(kAlice, "");
      if (c.bearer == Bearer::Tampered) {
        token.back() = token.back() == 'A' ? 'B' : 'A';  // the signature no longer verifies
      }
      call.headers.emplace_back("Authorization", "Bearer " + token);
    }
    return FrontendDriver::through(frontEnd, call).outcome;
  }
};

TEST_P(FrontendAgreementTest, EveryFrontEndGivesTheSameAnswer) {
  const Case& c = GetParam();
  std::map<FrontEnd, Outcome> seen;
  for (const FrontEnd frontEnd : kFrontEnds) {
    SCOPED_TRACE(nameOf(frontEnd));
    const int grantsBefore = refreshes();
    const std::string cookie = cookieFor(c.session, std::string("rt-") + nameOf(frontEnd));
    seen[frontEnd] = through(frontEnd, c, cookie);
    const auto differs = c.differs.find(frontEnd);
    const Outcome& expected = differs == c.differs.end() ? c.expected : differs->second;
    EXPECT_EQ(seen[frontEnd], expected);
    EXPECT_EQ(refreshes() - grantsBefore, c.refreshGrants);
  }
  // Agreement itself: every front end without a documented difference answered alike.
  for (const FrontEnd frontEnd : kFrontEnds) {
    if (!c.differs.contains(frontEnd)) {
      EXPECT_EQ(seen[frontEnd], seen[FrontEnd::GrpcCheck]) << nameOf(frontEnd) << " vs GrpcCheck";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, FrontendAgreementTest, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& tested) {
                           return tested.param.name;
                         });

}  // namespace
}  // namespace authgate::io::frontend
