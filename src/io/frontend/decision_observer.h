#pragma once
// What every front end reports once per answered request: the metrics (io/metrics) and the access
// log (io/logging) are DecisionObservers. One record describes the request (without its query,
// headers or body: nothing secret), the gate's final decision and what the client got.
//
// Usage (a front end):
//   const auto started = std::chrono::steady_clock::now();
//   ... decide, answer ...
//   observer.observe({.frontEnd = FrontEnd::ReverseProxy, .requestId = id, .method = "GET",
//                     .host = host, .path = path, .decision = &decision, .status = 200,
//                     .latency = std::chrono::steady_clock::now() - started});
//
// observe() is called on the thread that answered (an HTTP worker, a gRPC thread, the IdP
// thread after a code exchange), concurrently from all of them, and on the allow path: it must
// not block, take a contended lock or do I/O.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/gate/decision.h"

namespace authgate::io::frontend {

enum class FrontEnd : std::uint8_t {
  ReverseProxy,  // a request authgate forwards to its upstream (or a static:// upstream)
  AuthRequest,   // /oauth2/auth: nginx auth_request, Caddy/Traefik forward auth
  ExtAuthzHttp,  // Envoy ext_authz over HTTP (a path under ext_authz_prefix)
  ExtAuthzGrpc,  // Envoy ext_authz over gRPC (Authorization/Check)
  Endpoint,      // authgate's own endpoints: /oauth2/start, callback, sign_out, userinfo, ping
};
inline constexpr std::size_t kFrontEnds = 5;
// "proxy", "auth_request", "ext_authz_http", "ext_authz_grpc", "endpoint".
std::string_view toString(FrontEnd frontEnd);

// The decision as the operator reads it, from the final decision and the status.
enum class Verdict : std::uint8_t {
  Allow,            // let through (Allow; /oauth2/auth's 2xx)
  Redirect,         // 3xx: to the IdP for a login, back after the callback, after sign-out
  Unauthenticated,  // 401: no session on an API request or /auth, an invalid bearer token
  Forbidden,        // 403: policies, access rules, a refused callback
  Error,            // 5xx: the IdP unreachable, a failure
  Answer,           // another direct answer (/ping, /userinfo, 404 of an unknown endpoint)
};
inline constexpr std::size_t kVerdicts = 6;
// "allow", "redirect", "unauthenticated", "forbidden", "error", "answer".
std::string_view toString(Verdict verdict);

struct DecisionRecord {
  FrontEnd frontEnd = FrontEnd::ReverseProxy;
  std::string_view requestId;
  std::string_view method;
  std::string_view host;
  std::string_view path;  // without the query
  // The final decision (an Allow or a Respond); null when the front end failed before the gate
  // answered (then the status says what the client got).
  const core::gate::Decision* decision = nullptr;
  unsigned status = 0;  // what the client got (for a proxied request, the upstream's status)
  std::chrono::nanoseconds latency{0};  // from the request's arrival to its answer

  Verdict verdict() const;
  // The session's user ("" when anonymous) and the policy behind a denial ("" when none).
  std::string_view user() const;
  std::string_view policy() const;
  // The login-flow step the decision ended, if any.
  core::gate::FlowEvent flow() const;
};

class DecisionObserver {
 public:
  virtual ~DecisionObserver() = default;
  virtual void observe(const DecisionRecord& record) noexcept = 0;
};

// Hands each record to several observers (metrics and access log), in order.
class ObserverList final : public DecisionObserver {
 public:
  void add(DecisionObserver& observer) { observers_.push_back(&observer); }
  bool empty() const { return observers_.empty(); }
  void observe(const DecisionRecord& record) noexcept override {
    for (DecisionObserver* observer : observers_) {
      observer->observe(record);
    }
  }

 private:
  std::vector<DecisionObserver*> observers_;
};

}  // namespace authgate::io::frontend
