// Evaluation order across policies: AUDIT recorded, DENY before ALLOW, no ALLOW = allow, ALLOW
// present but none matching = deny; policies without rules match nothing.
#include <gtest/gtest.h>

#include "policy_testing.h"

namespace authgate::core::policy {
namespace {

using testing::loadOrFail;
using testing::Request;

Decision evaluate(const std::string& yaml, void (*change)(Request&) = nullptr) {
  const Loaded loaded = loadOrFail(yaml);
  Request request;
  if (change != nullptr) {
    change(request);
  }
  Decision decision = loaded.policies.evaluate(request.input);
  // Views into `loaded` die with it; keep only what the tests compare.
  decision.policy = decision.policy.empty() ? ""
                                            : (decision.policy == "deny-admin"  ? "deny-admin"
                                               : decision.policy == "allow-api" ? "allow-api"
                                                                                : "other");
  return decision;
}

constexpr const char* kDenyAndAllow = R"(policies:
  - name: deny-admin
    action: DENY
    rules:
      - to: [{operation: {paths: ["/admin*"]}}]
  - name: allow-api
    action: ALLOW
    rules:
      - to: [{operation: {paths: ["/nothing"]}}]
      - to: [{operation: {paths: ["/api/*", "/admin/*"]}}]
)";

TEST(PolicyEval, NoPoliciesAllows) {
  const Decision decision = evaluate("policies: []\n");
  EXPECT_TRUE(decision.allowed);
  EXPECT_EQ(decision.outcome, Outcome::AllowedNoAllowPolicies);
}

TEST(PolicyEval, AllowMatchReportsPolicyAndRule) {
  const Decision decision = evaluate(kDenyAndAllow);
  EXPECT_TRUE(decision.allowed);
  EXPECT_EQ(decision.outcome, Outcome::AllowedByPolicy);
  EXPECT_EQ(decision.policy, "allow-api");
  EXPECT_EQ(decision.rule, 1u);
}

TEST(PolicyEval, DenyWinsOverAllow) {
  const Decision decision = evaluate(kDenyAndAllow, [](Request& r) { r.input.path = "/admin/x"; });
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.outcome, Outcome::DeniedByPolicy);
  EXPECT_EQ(decision.policy, "deny-admin");
  EXPECT_EQ(decision.rule, 0u);
}

TEST(PolicyEval, AllowPresentNoneMatchingDenies) {
  const Decision decision = evaluate(kDenyAndAllow, [](Request& r) { r.input.path = "/other"; });
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.outcome, Outcome::DeniedNoAllowMatch);
  EXPECT_EQ(decision.policy, "");
  EXPECT_FALSE(decision.rule.has_value());
}

TEST(PolicyEval, OnlyDenyPoliciesAllowTheRest) {
  const std::string yaml = R"(policies:
  - name: deny-admin
    action: DENY
    rules: [{to: [{operation: {paths: ["/admin*"]}}]}]
)";
  EXPECT_TRUE(evaluate(yaml).allowed);
  EXPECT_EQ(evaluate(yaml).outcome, Outcome::AllowedNoAllowPolicies);
  EXPECT_FALSE(evaluate(yaml, [](Request& r) { r.input.path = "/admin"; }).allowed);
}

TEST(PolicyEval, AllowWithoutRulesDeniesEverything) {
  const Decision decision = evaluate("policies: [{name: allow-nothing, action: ALLOW}]\n");
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.outcome, Outcome::DeniedNoAllowMatch);
}

TEST(PolicyEval, AllowWithEmptyRuleAllowsEverything) {
  EXPECT_TRUE(evaluate("policies: [{name: all, action: ALLOW, rules: [{}]}]\n").allowed);
}

TEST(PolicyEval, DenyWithoutRulesMatchesNothing) {
  const Decision decision = evaluate("policies: [{name: d, action: DENY, rules: []}]\n");
  EXPECT_TRUE(decision.allowed);
  EXPECT_EQ(decision.outcome, Outcome::AllowedNoAllowPolicies);
}

TEST(PolicyEval, DenyWithEmptyRuleDeniesEverything) {
  const Decision decision = evaluate("policies: [{name: d, action: DENY, rules: [{}]}]\n");
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.outcome, Outcome::DeniedByPolicy);
}

TEST(PolicyEval, ActionDefaultsToAllow) {
  const Loaded loaded = loadOrFail("policies: [{name: p, rules: [{}]}]\n");
  ASSERT_EQ(loaded.policies.policies().size(), 1u);
  EXPECT_EQ(loaded.policies.policies()[0].action, Action::Allow);
}

TEST(PolicyEval, AuditRecordsEveryMatchWithoutChangingTheVerdict) {
  const std::string yaml = R"(policies:
  - {name: audit-all, action: AUDIT, rules: [{}]}
  - {name: audit-none, action: AUDIT, rules: [{to: [{operation: {methods: [DELETE]}}]}]}
  - {name: audit-api, action: AUDIT, rules: [{to: [{operation: {paths: ["/api/*"]}}]}]}
)";
  const Loaded loaded = loadOrFail(yaml);
  Request request;
  const Decision decision = loaded.policies.evaluate(request.input);
  EXPECT_TRUE(decision.allowed);  // AUDIT policies are not ALLOW policies
  EXPECT_EQ(decision.outcome, Outcome::AllowedNoAllowPolicies);
  ASSERT_EQ(decision.auditCount, 2u);
  EXPECT_EQ(decision.auditsTotal, 2u);
  EXPECT_EQ(loaded.policies.policies()[decision.audits[0]].name, "audit-all");
  EXPECT_EQ(loaded.policies.policies()[decision.audits[1]].name, "audit-api");
}

TEST(PolicyEval, AuditHitsAreRecordedOnDenyToo) {
  const Loaded loaded = loadOrFail(R"(policies:
  - {name: a, action: AUDIT, rules: [{}]}
  - {name: d, action: DENY, rules: [{}]}
)");
  Request request;
  const Decision decision = loaded.policies.evaluate(request.input);
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.auditCount, 1u);
}

TEST(PolicyEval, AuditHitsBeyondTheArrayAreCounted) {
  std::string yaml = "policies:\n";
  for (int i = 0; i < 12; ++i) {
    yaml += "  - {name: a" + std::to_string(i) + ", action: AUDIT, rules: [{}]}\n";
  }
  const Loaded loaded = loadOrFail(yaml);
  Request request;
  const Decision decision = loaded.policies.evaluate(request.input);
  EXPECT_EQ(decision.auditCount, Decision::kMaxAudits);
  EXPECT_EQ(decision.auditsTotal, 12u);
}

TEST(PolicyEval, AppendKeepsAllowPresence) {
  Loaded denies = loadOrFail(
      "policies: [{name: d, action: DENY, rules: [{to: [{operation: {paths: [/x]}}]}]}]\n");
  Loaded allows = loadOrFail(
      "policies: [{name: a, action: ALLOW, rules: [{to: [{operation: {paths: [/y]}}]}]}]\n");
  PolicySet set = std::move(denies.policies);
  set.append(std::move(allows.policies));
  Request request;
  EXPECT_EQ(set.evaluate(request.input).outcome, Outcome::DeniedNoAllowMatch);
  request.input.path = "/y";
  EXPECT_TRUE(set.evaluate(request.input).allowed);
  request.input.path = "/x";
  EXPECT_EQ(set.evaluate(request.input).outcome, Outcome::DeniedByPolicy);
}

TEST(PolicyEval, IdentityOfClaimsViewsTheVerifiedToken) {
  jose::Claims claims;
  claims.iss = "https://idp.example.com";
  claims.sub = "bob";
  claims.aud = {"client-id"};
  claims.azp = "client-id";
  claims.all = boost::json::object{{"iss", claims.iss}, {"sub", "bob"}, {"groups", {"ops"}}};
  const Loaded loaded = loadOrFail(R"(policies:
  - name: ops
    rules:
      - from: [{source: {requestPrincipals: ["https://idp.example.com/bob"]}}]
        when:
          - {key: request.auth.presenter, values: [client-id]}
          - {key: "request.auth.claims[groups]", values: [ops]}
)");
  Request request;
  request.input.identity = identityOf(claims);
  EXPECT_TRUE(loaded.policies.evaluate(request.input).allowed);
  claims.azp.reset();
  request.input.identity = identityOf(claims);
  EXPECT_FALSE(loaded.policies.evaluate(request.input).allowed);
}

TEST(PolicyEval, OutcomeAndActionNames) {
  EXPECT_EQ(toString(Outcome::DeniedByPolicy), "DeniedByPolicy");
  EXPECT_EQ(toString(Outcome::AllowedNoAllowPolicies), "AllowedNoAllowPolicies");
  EXPECT_EQ(toString(Action::Audit), "AUDIT");
  EXPECT_EQ(toString(Error::BadPathTemplate), "BadPathTemplate");
}

}  // namespace
}  // namespace authgate::core::policy
