#include "io/frontend/decision_observer.h"

namespace authgate::io::frontend {

namespace gate = core::gate;

std::string_view toString(FrontEnd frontEnd) {
  switch (frontEnd) {
    case FrontEnd::ReverseProxy:
      return "proxy";
    case FrontEnd::AuthRequest:
      return "auth_request";
    case FrontEnd::ExtAuthzHttp:
      return "ext_authz_http";
    case FrontEnd::ExtAuthzGrpc:
      return "ext_authz_grpc";
    case FrontEnd::Endpoint:
      return "endpoint";
  }
  return "proxy";
}

std::string_view toString(Verdict verdict) {
  switch (verdict) {
    case Verdict::Allow:
      return "allow";
    case Verdict::Redirect:
      return "redirect";
    case Verdict::Unauthenticated:
      return "unauthenticated";
    case Verdict::Forbidden:
      return "forbidden";
    case Verdict::Error:
      return "error";
    case Verdict::Answer:
      return "answer";
  }
  return "answer";
}

Verdict DecisionRecord::verdict() const {
  if (decision != nullptr && std::holds_alternative<gate::Allow>(*decision)) {
    return Verdict::Allow;
  }
  if (status >= 500) {
    return Verdict::Error;
  }
  if (status >= 300 && status < 400) {
    return Verdict::Redirect;
  }
  if (status == 401) {
    return Verdict::Unauthenticated;
  }
  if (status == 403) {
    return Verdict::Forbidden;
  }
  if (frontEnd == FrontEnd::AuthRequest && status >= 200 && status < 300) {
    return Verdict::Allow;  // 202 with the identity headers
  }
  return Verdict::Answer;
}

std::string_view DecisionRecord::user() const {
  if (decision == nullptr) {
    return {};
  }
  if (const auto* allow = std::get_if<gate::Allow>(decision)) {
    return allow->user();
  }
  if (const auto* respond = std::get_if<gate::Respond>(decision)) {
    return respond->user;
  }
  return {};
}

std::string_view DecisionRecord::policy() const {
  const auto* respond = decision == nullptr ? nullptr : std::get_if<gate::Respond>(decision);
  if (respond == nullptr) {
    return {};
  }
  for (const gate::AuditRecord& audit : respond->audits) {
    if (audit.action == "DENY" || audit.action == "ALLOW") {
      return audit.policy;
    }
  }
  return {};
}

gate::FlowEvent DecisionRecord::flow() const {
  if (decision == nullptr) {
    return {};
  }
  if (const auto* allow = std::get_if<gate::Allow>(decision)) {
    return allow->flow;
  }
  if (const auto* respond = std::get_if<gate::Respond>(decision)) {
    return respond->flow;
  }
  return {};
}

}  // namespace authgate::io::frontend
