// The gate applying authorization policies (core/gate/authorization.h): which requests reach the
// upstream, the 403 that names the refusing policy, audit records, counters, and the original
// request /oauth2/auth judges.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "core/crypto/fake_random.h"
#include "core/gate/gate.h"
#include "core/policy/loader.h"
#include "core/session/session_codec.h"
#include "jose_testing.h"

namespace authgate::core::gate {
namespace {

namespace jt = jose::testing;

constexpr UnixSeconds kNow = jt::kNow;
constexpr std::string_view kIssuer = "https://idp.test";
constexpr std::string_view kSecret = "q-LUN0AXjfvdlqTV4BSDCpxMNTTMWcoPYV_Ohhj2HVg=";

struct Http {
  std::string method = "GET";
  std::string path = "/reports";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string peer = "203.0.113.9";
  bool signedIn = true;
  bool withIdToken = true;
};

class GatePolicyTest : public ::testing::Test {
 protected:
  GatePolicyTest() {
    secrets_.push_back(*session::decodeCookieSecret(kSecret));
    provider_.issuer = kIssuer;
    provider_.authorizationEndpoint = "https://idp.test/authorize";
    provider_.keys = std::make_shared<jose::Jwks>(
        jt::jwksOf({jt::publicJwk(jt::rsa2048().get(), "k1", "RS256")}));
  }

  void withPolicies(const std::string& yaml) {
    auto loaded = policy::loadPolicies(YAML::Load(yaml));
    ASSERT_TRUE(loaded);
    GateSettings settings;
    settings.client = {"client-1", "", {"openid", "email"}};
    settings.policies = std::move(loaded->policies);
    settings.trustedProxies = {*net::parseIpNetwork("10.0.0.0/8")};
    settings.realClientIpHeader = "X-Forwarded-For";
    auto gate = Gate::create(std::move(settings), secrets_, {});
    ASSERT_TRUE(gate) << gate.error();
    gate_.emplace(std::move(*gate));
  }

  std::string cookie(bool withIdToken) {
    const boost::json::object claims{{"iss", kIssuer},
                                     {"sub", "alice-id"},
                                     {"aud", "client-1"},
                                     {"exp", kNow + 3600},
                                     {"email", "alice@example.com"},
                                     {"groups", boost::json::array{"admins", "devs"}}};
    const session::Session session{
        .subject = "alice-id",
        .email = "alice@example.com",
        .user = "alice@example.com",
        .groups = {"admins", "devs"},
        .idToken = withIdToken ? jt::makeToken(jose::Algorithm::RS256, jt::rsa2048().get(),
                                               {{"alg", "RS256"}, {"kid", "k1"}}, claims)
                               : "",
        .accessTokenExpiresAt = kNow + 3600,
        .createdAt = kNow,
        .expiresAt = kNow + 3600};
    auto codec = session::SessionCodec::create(secrets_);
    auto sealed = codec->seal(session, random_);
    return "_authgate=" + *sealed;
  }

  Decision send(Http http) {
    if (http.signedIn) {
      http.headers.emplace_back("Cookie", cookie(http.withIdToken));
    }
    std::vector<HeaderView> headers;
    for (const auto& [name, value] : http.headers) {
      headers.push_back({name, value});
    }
    const CheckRequest request{.method = http.method,
                               .scheme = "https",
                               .host = "app.example.com",
                               .path = http.path,
                               .query = "",
                               .headers = headers,
                               .peer = http.peer,
                               .now = kNow,
                               .requestId = "req-7"};
    return gate_->decide(request, &provider_, random_);
  }

  static int statusOf(const Decision& decision) {
    if (const auto* allow = std::get_if<Allow>(&decision)) {
      return allow->status;
    }
    return std::get<Respond>(decision).status;
  }

  std::vector<session::CookieSecret> secrets_;
  ProviderSnapshot provider_;
  crypto::FakeRandom random_;
  std::optional<Gate> gate_;
};

constexpr const char* kAudienceIsClient = R"(
- name: audience-is-client
  rules:
    - when: [{key: request.auth.audiences, values: [client-1]}]
)";

TEST_F(GatePolicyTest, WithoutPoliciesEverySignedInUserPasses) {
  withPolicies("[]");
  EXPECT_TRUE(std::holds_alternative<Allow>(send({})));
}

TEST_F(GatePolicyTest, AnAllowPolicyOnTheIdTokensAudienceLetsTheSessionThrough) {
  withPolicies(kAudienceIsClient);
  const Decision decision = send({});
  ASSERT_TRUE(std::holds_alternative<Allow>(decision));
  EXPECT_TRUE(std::get<Allow>(decision).audits.empty());
  EXPECT_EQ(gate_->policyCounters().matched(0), 1u);
}

TEST_F(GatePolicyTest, NoMatchingAllowPolicyIsA403WithoutAPolicyName) {
  withPolicies(R"(
- name: other-audience
  rules:
    - when: [{key: request.auth.audiences, values: [someone-else]}]
)");
  const Decision decision = send({.headers = {{"Accept", "application/json"}}});
  ASSERT_TRUE(std::holds_alternative<Respond>(decision));
  const Respond& denied = std::get<Respond>(decision);
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.body,
            R"({"error":"forbidden","message":"No access policy lets you open this page.",)"
            R"("request_id":"req-7"})");
  ASSERT_EQ(denied.audits.size(), 1u);
  EXPECT_EQ(denied.audits[0].action, "ALLOW");
  EXPECT_EQ(denied.audits[0].principal, "https://idp.test/alice-id");
  EXPECT_EQ(denied.audits[0].target, "GET app.example.com/reports");
  EXPECT_EQ(gate_->policyCounters().deniedNoAllowMatch(), 1u);
}

TEST_F(GatePolicyTest, ADenyPolicyIsNamedInThePageAndTheAuditRecord) {
  withPolicies(R"(
- name: no-admin
  action: DENY
  rules:
    - to: [{operation: {paths: ["/public/*"]}}]
    - to: [{operation: {paths: ["/admin/*"]}}]
)");
  EXPECT_TRUE(std::holds_alternative<Allow>(send({})));
  const Decision decision = send({.path = "/admin/users"});
  ASSERT_TRUE(std::holds_alternative<Respond>(decision));
  const Respond& denied = std::get<Respond>(decision);
  EXPECT_EQ(denied.status, 403);
  EXPECT_NE(denied.body.find("<code id=\"policy\">no-admin</code>"), std::string::npos)
      << denied.body;
  EXPECT_NE(denied.body.find(">req-7</code>"), std::string::npos);
  EXPECT_EQ(denied.body.find("/admin/*"), std::string::npos) << "rules are not shown";
  ASSERT_EQ(denied.audits.size(), 1u);
  EXPECT_EQ(denied.audits[0], (AuditRecord{.action = "DENY",
                                           .policy = "no-admin",
                                           .rule = 1,
                                           .principal = "https://idp.test/alice-id",
                                           .target = "GET app.example.com/admin/users"}));
  EXPECT_EQ(denied.reason, "denied by policy no-admin");
  EXPECT_EQ(gate_->policyCounters().matched(0), 1u);
}

TEST_F(GatePolicyTest, AnonymousRequestsMeetDenyPoliciesBeforeAnyLogin) {
  withPolicies(R"(
- name: blocked-network
  action: DENY
  rules:
    - from: [{source: {remoteIpBlocks: ["198.51.100.0/24"]}}]
- name: audience-is-client
  rules:
    - when: [{key: request.auth.audiences, values: [client-1]}]
)");
  // Anonymous, lacking only an ALLOW: the login may supply it.
  EXPECT_EQ(statusOf(send({.signedIn = false})), 302);
  // remote.ip comes from X-Forwarded-For only through a trusted proxy (10.0.0.0/8).
  EXPECT_EQ(statusOf(send({.headers = {{"X-Forwarded-For", "198.51.100.7"}},
                           .peer = "10.1.2.3",
                           .signedIn = false})),
            403);
  EXPECT_EQ(statusOf(send({.headers = {{"X-Forwarded-For", "198.51.100.7"}},
                           .peer = "203.0.113.9",
                           .signedIn = false})),
            302);
  EXPECT_EQ(statusOf(send({.headers = {{"X-Forwarded-For", "198.51.100.7"}}, .peer = "10.1.2.3"})),
            403);
}

TEST_F(GatePolicyTest, AuditPoliciesAreRecordedWithoutChangingTheVerdict) {
  withPolicies(R"(
- name: watch-reports
  action: AUDIT
  rules: [{to: [{operation: {paths: ["/reports"]}}]}]
)");
  const Decision decision = send({});
  ASSERT_TRUE(std::holds_alternative<Allow>(decision));
  ASSERT_EQ(std::get<Allow>(decision).audits.size(), 1u);
  EXPECT_EQ(std::get<Allow>(decision).audits[0].action, "AUDIT");
  EXPECT_EQ(std::get<Allow>(decision).audits[0].policy, "watch-reports");
}

TEST_F(GatePolicyTest, AuthJudgesTheOriginalRequestNamedByATrustedGateway) {
  withPolicies(R"(
- name: no-admin
  action: DENY
  rules: [{to: [{operation: {methods: [POST], paths: ["/admin/*"]}}]}]
)");
  const std::vector<std::pair<std::string, std::string>> original{
      {"X-Original-URI", "/admin/users?x=1"}, {"X-Original-Method", "POST"}};
  EXPECT_EQ(statusOf(send({.path = "/oauth2/auth", .headers = original, .peer = "10.0.0.5"})), 403);
  // Caddy and Traefik name it X-Forwarded-Uri / X-Forwarded-Method.
  EXPECT_EQ(
      statusOf(send({.path = "/oauth2/auth",
                     .headers = {{"X-Forwarded-Uri", "/admin/x"}, {"X-Forwarded-Method", "POST"}},
                     .peer = "10.0.0.5"})),
      403);
  // From an untrusted peer the headers are not believed: /oauth2/auth itself is judged.
  EXPECT_EQ(statusOf(send({.path = "/oauth2/auth", .headers = original})), 202);
  EXPECT_EQ(statusOf(send({.path = "/oauth2/auth", .peer = "10.0.0.5"})), 202);
}

TEST_F(GatePolicyTest, ASessionWithoutAnIdTokenIsJudgedOnItsOwnClaims) {
  withPolicies(R"(
- name: admins
  rules: [{when: [{key: "request.auth.claims[groups]", values: [admins]}]}]
- name: never
  action: DENY
  rules: [{from: [{source: {requestPrincipals: ["https://idp.test/*"]}}]}]
)");
  // No ID token: groups come from the session, and there is no issuer to match.
  EXPECT_TRUE(std::holds_alternative<Allow>(send({.withIdToken = false})));
  EXPECT_EQ(statusOf(send({})), 403);
}

TEST_F(GatePolicyTest, UserinfoIsNotSubjectToPolicies) {
  withPolicies(R"(
- name: nothing
  rules: [{to: [{operation: {paths: ["/nowhere"]}}]}]
)");
  EXPECT_EQ(statusOf(send({.path = "/oauth2/userinfo"})), 200);
  EXPECT_EQ(statusOf(send({.path = "/reports"})), 403);
}

}  // namespace
}  // namespace authgate::core::gate
