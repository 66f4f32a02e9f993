#include "core/policy/policy.h"

#include <algorithm>

namespace authgate::core::policy {

std::string_view toString(Action action) {
  switch (action) {
    case Action::Allow:
      return "ALLOW";
    case Action::Deny:
      return "DENY";
    case Action::Audit:
      return "AUDIT";
  }
  return "UNKNOWN";
}

std::string_view toString(Outcome outcome) {
  switch (outcome) {
    case Outcome::AllowedByPolicy:
      return "AllowedByPolicy";
    case Outcome::AllowedNoAllowPolicies:
      return "AllowedNoAllowPolicies";
    case Outcome::DeniedByPolicy:
      return "DeniedByPolicy";
    case Outcome::DeniedNoAllowMatch:
      return "DeniedNoAllowMatch";
  }
  return "Unknown";
}

bool Rule::matches(const ParsedInput& request) const {
  auto source = [&](const Source& s) { return s.matches(request); };
  auto operation = [&](const Operation& o) { return o.matches(request); };
  auto condition = [&](const Condition& c) { return c.matches(request); };
  return (from.empty() || std::any_of(from.begin(), from.end(), source)) &&
         (to.empty() || std::any_of(to.begin(), to.end(), operation)) &&
         std::all_of(when.begin(), when.end(), condition);
}

std::optional<std::size_t> Policy::match(const ParsedInput& request) const {
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (rules[i].matches(request)) {
      return i;
    }
  }
  return std::nullopt;
}

PolicySet::PolicySet(std::vector<Policy> policies) : policies_(std::move(policies)) {
  hasAllow_ = std::any_of(policies_.begin(), policies_.end(),
                          [](const Policy& p) { return p.action == Action::Allow; });
}

void PolicySet::append(PolicySet other) {
  for (Policy& policy : other.policies_) {
    policies_.push_back(std::move(policy));
  }
  hasAllow_ = hasAllow_ || other.hasAllow_;
}

Decision PolicySet::evaluate(const PolicyInput& input) const {
  const ParsedInput request(input);
  Decision decision;
  // 1) AUDIT: recorded, no effect on the verdict.
  for (std::size_t i = 0; i < policies_.size(); ++i) {
    if (policies_[i].action == Action::Audit && policies_[i].match(request)) {
      if (decision.auditCount < Decision::kMaxAudits) {
        decision.audits[decision.auditCount++] = static_cast<std::uint32_t>(i);
      }
      ++decision.auditsTotal;
    }
  }
  // 2) DENY first: any match denies.
  for (std::size_t i = 0; i < policies_.size(); ++i) {
    if (policies_[i].action != Action::Deny) {
      continue;
    }
    if (auto rule = policies_[i].match(request)) {
      decision.allowed = false;
      decision.outcome = Outcome::DeniedByPolicy;
      decision.policy = policies_[i].name;
      decision.policyIndex = static_cast<std::uint32_t>(i);
      decision.rule = rule;
      return decision;
    }
  }
  // 3) No ALLOW policy: allow.
  if (!hasAllow_) {
    decision.allowed = true;
    decision.outcome = Outcome::AllowedNoAllowPolicies;
    return decision;
  }
  // 4) A matching ALLOW policy allows; 5) otherwise deny.
  for (std::size_t i = 0; i < policies_.size(); ++i) {
    if (policies_[i].action != Action::Allow) {
      continue;
    }
    if (auto rule = policies_[i].match(request)) {
      decision.allowed = true;
      decision.outcome = Outcome::AllowedByPolicy;
      decision.policy = policies_[i].name;
      decision.policyIndex = static_cast<std::uint32_t>(i);
      decision.rule = rule;
      return decision;
    }
  }
  decision.allowed = false;
  decision.outcome = Outcome::DeniedNoAllowMatch;
  return decision;
}

}  // namespace authgate::core::policy
