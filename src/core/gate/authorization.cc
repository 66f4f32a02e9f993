#include "core/gate/authorization.h"

#include <boost/json/array.hpp>
#include <charconv>

#include "core/encoding/base64url.h"
#include "core/encoding/json.h"
#include "core/gate/forwarded.h"
#include "core/gate/skip_routes.h"

namespace authgate::core::gate {
namespace {

std::string stringOf(const boost::json::object& claims, std::string_view name) {
  const boost::json::string* value = json::findString(claims, name);
  return value ? std::string(*value) : std::string();
}

// The ID token's payload as an object, or nullopt when it cannot be read (it was verified when
// stored, so this only fails for a session that holds no ID token).
std::optional<boost::json::object> idTokenPayload(std::string_view token) {
  const std::size_t first = token.find('.');
  const std::size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos) {
    return std::nullopt;
  }
  const auto text = base64url::decodeToString(token.substr(first + 1, second - first - 1));
  if (!text) {
    return std::nullopt;
  }
  auto value = json::parse(*text);
  if (!value || !value->is_object()) {
    return std::nullopt;
  }
  return std::move(value->get_object());
}

jose::Claims claimsOf(boost::json::object payload) {
  jose::Claims claims;
  claims.iss = stringOf(payload, "iss");
  claims.sub = stringOf(payload, "sub");
  if (const boost::json::value* aud = payload.if_contains("aud")) {
    if (aud->is_string()) {
      claims.aud.emplace_back(aud->get_string());
    } else if (aud->is_array()) {
      for (const boost::json::value& entry : aud->get_array()) {
        if (entry.is_string()) {
          claims.aud.emplace_back(entry.get_string());
        }
      }
    }
  }
  if (const boost::json::string* azp = json::findString(payload, "azp")) {
    claims.azp = std::string(*azp);
  }
  claims.all = std::move(payload);
  return claims;
}

// The port of the public host: "host:8443" -> 8443, "[::1]:80" -> 80, none -> the scheme's.
std::uint16_t destinationPort(const CheckRequest& request) {
  const std::string_view host = request.host;
  const std::size_t colon = host.rfind(':');
  const std::size_t bracket = host.rfind(']');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || bracket < colon)) {
    std::uint16_t port = 0;
    const char* end = host.data() + host.size();
    if (auto [ptr, ec] = std::from_chars(host.data() + colon + 1, end, port);
        ec == std::errc() && ptr == end) {
      return port;
    }
  }
  return request.scheme == "https" ? 443 : 80;
}

AuditRecord auditOf(std::string action, std::string_view policy, std::optional<std::size_t> rule,
                    const CheckRequest& request, const RequestIdentity& identity) {
  return AuditRecord{.action = std::move(action),
                     .policy = std::string(policy),
                     .rule = rule,
                     .principal = identity.principal(),
                     .target = std::string(request.method) + " " + std::string(request.host) +
                               std::string(request.path)};
}

}  // namespace

policy::IdentityView RequestIdentity::view() const {
  if (!claims) {
    return policy::IdentityView{};
  }
  policy::IdentityView identity = policy::identityOf(*claims);
  identity.provider = provider;
  return identity;
}

std::string RequestIdentity::principal() const {
  return claims ? claims->iss + "/" + claims->sub : std::string();
}

RequestIdentity sessionIdentity(const session::Session& session) {
  if (auto payload = idTokenPayload(session.idToken)) {
    return RequestIdentity{claimsOf(std::move(*payload)), session.providerId};
  }
  boost::json::object payload;
  payload["sub"] = session.subject;
  if (!session.email.empty()) {
    payload["email"] = session.email;
  }
  if (!session.preferredUsername.empty()) {
    payload["preferred_username"] = session.preferredUsername;
  }
  boost::json::array groups;
  for (const std::string& group : session.groups) {
    groups.emplace_back(group);
  }
  payload["groups"] = std::move(groups);
  return RequestIdentity{claimsOf(std::move(payload)), session.providerId};
}

PolicyCounters::PolicyCounters(std::size_t policies)
    : size_(policies), matched_(std::make_unique<std::atomic<std::uint64_t>[]>(policies)) {}

void PolicyCounters::record(const policy::Decision& decision) {
  if (decision.policyIndex && *decision.policyIndex < size_) {
    matched_[*decision.policyIndex].fetch_add(1, std::memory_order_relaxed);
  }
  for (std::size_t i = 0; i < decision.auditCount; ++i) {
    if (decision.audits[i] < size_) {
      matched_[decision.audits[i]].fetch_add(1, std::memory_order_relaxed);
    }
  }
  if (decision.outcome == policy::Outcome::DeniedNoAllowMatch) {
    noAllowMatch_.fetch_add(1, std::memory_order_relaxed);
  } else if (decision.outcome == policy::Outcome::AllowedNoAllowPolicies) {
    noAllowPolicies_.fetch_add(1, std::memory_order_relaxed);
  }
}

std::uint64_t PolicyCounters::matched(std::size_t policy) const {
  return policy < size_ ? matched_[policy].load(std::memory_order_relaxed) : 0;
}

PolicyVerdict evaluatePolicies(const GateSettings& settings, const CheckRequest& request,
                               const RequestIdentity& identity, PolicyCounters* counters) {
  const policy::PolicySet& policies = settings.policies;
  const Forwarded origin = resolveForwarded({.peer = request.peer,
                                             .connectionScheme = request.scheme,
                                             .headers = request.headers,
                                             .trustedProxies = settings.trustedProxies,
                                             .realClientIpHeader = settings.realClientIpHeader});
  // Policies judge the path the upstream will serve (RFC 3986 §6.2.2 normalization, as Istio's
  // default path normalization does): "/public/../admin" and "/%61dmin" are "/admin". Most
  // paths need nothing, and cost no copy.
  const bool plain = request.path.find('%') == std::string_view::npos &&
                     request.path.find("/.") == std::string_view::npos;
  const std::string normalized = plain ? std::string() : normalizedPath(request.path);
  const policy::PolicyInput input{
      .method = request.method,
      .host = request.host,
      .path = plain ? request.path : std::string_view(normalized),
      .destinationPort = destinationPort(request),
      .sourceIp = request.peer,
      .remoteIp = origin.clientIp,
      .destinationIp = {},
      .sni = {},
      .headers = request.headers,
      .identity = identity.view(),
  };
  PolicyVerdict verdict{policies.evaluate(input), {}};
  const policy::Decision& decision = verdict.decision;
  if (counters != nullptr) {
    counters->record(decision);
  }
  for (std::size_t i = 0; i < decision.auditCount; ++i) {
    verdict.audits.push_back(auditOf("AUDIT", policies.policies()[decision.audits[i]].name,
                                     std::nullopt, request, identity));
  }
  if (decision.outcome == policy::Outcome::DeniedByPolicy) {
    verdict.audits.push_back(auditOf("DENY", decision.policy, decision.rule, request, identity));
  } else if (decision.outcome == policy::Outcome::DeniedNoAllowMatch) {
    verdict.audits.push_back(auditOf("ALLOW", "", std::nullopt, request, identity));
  }
  return verdict;
}

}  // namespace authgate::core::gate
