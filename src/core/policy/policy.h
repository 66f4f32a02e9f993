#pragma once
// The compiled authorization policies and their evaluation, with Istio AuthorizationPolicy
// semantics (istio/api security/v1beta1/authorization_policy.proto).
//
// Usage:
//   auto set = policy::loadPolicies(config_node["policies"], warnings);   // loader.h
//   policy::PolicyInput input{.method = "GET", .host = "app.example.com", .path = "/admin",
//                             .headers = request.headers, .identity = identityOf(claims)};
//   policy::Decision decision = set->evaluate(input);
//   if (!decision.allowed) return forbidden(decision.policy);
//
// Evaluation (authorization_policy.proto, "Action"; CUSTOM is not part of authgate's engine):
//   1) every matching AUDIT policy is recorded in Decision::audits (no effect on the verdict)
//   2) a matching DENY policy denies                             Outcome::DeniedByPolicy
//   3) no ALLOW policy at all allows                              Outcome::AllowedNoAllowPolicies
//   4) a matching ALLOW policy allows                             Outcome::AllowedByPolicy
//   5) otherwise deny                                             Outcome::DeniedNoAllowMatch
// A policy matches when one of its rules does; a policy without rules matches nothing. A rule
// matches when one `from` source (or none listed), one `to` operation (or none listed) and every
// `when` condition match; so an empty rule `{}` matches every request. Within a field the
// values are ORed, fields are ANDed, and a notX field matches when none of its values does.
//
// evaluate() reads only views and the compiled form: it allocates nothing.

#include <array>
#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/gate/check_request.h"
#include "core/jose/claims.h"
#include "core/policy/conditions.h"

namespace authgate::core::policy {

enum class Action : std::uint8_t { Allow, Deny, Audit };
std::string_view toString(Action action);  // "ALLOW", "DENY", "AUDIT"

struct Rule {
  std::vector<Source> from;     // empty: any source
  std::vector<Operation> to;    // empty: any operation
  std::vector<Condition> when;  // all must match

  bool matches(const ParsedInput& request) const;
};

struct Policy {
  std::string name;
  Action action = Action::Allow;
  std::vector<Rule> rules;  // empty: matches nothing

  // The index of the first matching rule, or nullopt.
  std::optional<std::size_t> match(const ParsedInput& request) const;
};

enum class Outcome : std::uint8_t {
  AllowedByPolicy,         // an ALLOW policy matched (and no DENY did)
  AllowedNoAllowPolicies,  // no DENY matched and there is no ALLOW policy
  DeniedByPolicy,          // a DENY policy matched
  DeniedNoAllowMatch,      // ALLOW policies exist and none matched
};
std::string_view toString(Outcome outcome);  // the enumerator's name, a metric label

struct Decision {
  static constexpr std::size_t kMaxAudits = 8;

  bool allowed = false;
  Outcome outcome = Outcome::DeniedNoAllowMatch;
  std::string_view policy;  // the matching DENY or ALLOW policy's name; empty otherwise
  std::optional<std::uint32_t> policyIndex;  // its index in PolicySet::policies()
  std::optional<std::size_t> rule;           // index of its matching rule
  // Indices (into PolicySet::policies()) of the matching AUDIT policies, the first kMaxAudits;
  // auditsTotal counts them all.
  std::array<std::uint32_t, kMaxAudits> audits{};
  std::size_t auditCount = 0;
  std::size_t auditsTotal = 0;
};

class PolicySet {
 public:
  PolicySet() = default;
  explicit PolicySet(std::vector<Policy> policies);

  // Appends another set's policies (e.g. authgate's own after those of Istio files).
  void append(PolicySet other);

  Decision evaluate(const PolicyInput& input) const;

  const std::vector<Policy>& policies() const { return policies_; }
  bool empty() const { return policies_.empty(); }

 private:
  std::vector<Policy> policies_;
  bool hasAllow_ = false;
};

}  // namespace authgate::core::policy
