#pragma once
// The policies' view of a request, and their verdict in the gate's terms.
//
// Usage (inside the gate, once the request's identity is known):
//   RequestIdentity identity = sessionIdentity(session);      // or a bearer token's claims
//   PolicyVerdict verdict = evaluatePolicies(settings, request, identity, counters);
//   if (!verdict.decision.allowed) return forbiddenPage(request, ..., verdict.decision.policy);
//
// The request's attributes (policy/conditions.h): source.ip is the connecting peer, remote.ip
// the client resolved through trusted proxies (forwarded.h: X-Forwarded-For or
// real_client_ip_header, believed only from settings.trustedProxies),
// request.path the normalized path (skip_routes.h normalizedPath: escaped unreserved characters
// decoded, dot-segments removed), destination.port the port of the public host (the Host's explicit
// port, else 443 for https and 80 for http), request.headers every header as received.

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/gate/check_request.h"
#include "core/gate/decision.h"
#include "core/gate/gate_settings.h"
#include "core/jose/claims.h"
#include "core/policy/policy.h"
#include "core/session/session.h"

namespace authgate::core::gate {

// Who is asking, for the policies: the claims of a verified token, or nobody.
struct RequestIdentity {
  std::optional<jose::Claims> claims;  // nullopt: anonymous
  std::string provider = {};           // the session's provider id; "" for bearer tokens

  policy::IdentityView view() const;  // views into `claims`: keep this alive while used
  std::string principal() const;      // "<iss>/<sub>", "" when anonymous
};

// A session's identity: the payload of its ID token, verified when the session was made (login
// or refresh) and sealed since, so it is read here without checking the signature again. A
// session without an ID token (or with one that cannot be read) gets `sub`, `email`, `groups`
// and `preferred_username` from the session itself and no issuer. `provider` is the session's
// providerId (request.auth.provider).
RequestIdentity sessionIdentity(const session::Session& session);

// What each policy decided, for metrics and the operator: relaxed atomic counters shared by
// every thread (the only mutable state behind the gate).
class PolicyCounters {
 public:
  explicit PolicyCounters(std::size_t policies);

  void record(const policy::Decision& decision);
  // Requests a DENY or ALLOW policy decided, or an AUDIT policy matched.
  std::uint64_t matched(std::size_t policy) const;
  std::uint64_t deniedNoAllowMatch() const { return noAllowMatch_.load(std::memory_order_relaxed); }
  std::uint64_t allowedNoAllowPolicies() const {
    return noAllowPolicies_.load(std::memory_order_relaxed);
  }

 private:
  std::size_t size_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> matched_;
  std::atomic<std::uint64_t> noAllowMatch_{0};
  std::atomic<std::uint64_t> noAllowPolicies_{0};
};

struct PolicyVerdict {
  policy::Decision decision;
  // One record per matching AUDIT policy and, when denied, one for the denial.
  std::vector<AuditRecord> audits;
};

// settings.policies' verdict on `request` made by `identity`; counted when `counters` is set.
PolicyVerdict evaluatePolicies(const GateSettings& settings, const CheckRequest& request,
                               const RequestIdentity& identity, PolicyCounters* counters);

}  // namespace authgate::core::gate
