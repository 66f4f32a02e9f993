#pragma once
// The HTTP front end: turns each request of the HTTP server into a gate::CheckRequest, asks the
// gate through DecisionRunner (which performs the IdP I/O a decision may need) and translates the
// answer back: a direct response, or the request forwarded to the upstream with identity headers
// (reverse-proxy mode; static://200 for Envoy's HTTP check).
//
// Envoy's ext_authz HTTP service (Istio envoyExtAuthzHttp) is answered in check mode: the request
// is the original one re-sent by Envoy (method, path and query, Host, the allowed headers), and an
// allowed check is answered 200 with no body and the gateway identity headers (Envoy copies those
// listed in headersToUpstreamOnAllow onto the upstream request) plus a refreshed Set-Cookie (for
// headersToDownstreamOnAllow); every denial is the gate's own answer (302 to the IdP, 401, 403,
// the callback's and sign-out's 302 with Set-Cookie), which Envoy relays to the client. Check
// mode applies to paths under FrontendOptions::extAuthzPrefix (Istio's pathPrefix, stripped
// before deciding) and to every path an upstream static://CODE serves (oauth2-proxy's
// `--upstream=static://200` set-up, answered with CODE).
//
// Usage:
//   DecisionRunner runner(gate, provider, clock);       // shared with the gRPC front end
//   HttpFrontend frontend(runner, upstream, {.extAuthzPrefix = "/check"});
//   http::Server server(options, frontend);

#include <memory>
#include <string>

#include "core/clock.h"
#include "core/gate/gate.h"
#include "io/frontend/decision_observer.h"
#include "io/frontend/decision_runner.h"
#include "io/frontend/upstream.h"
#include "io/http/handler.h"
#include "io/idp/provider.h"

namespace authgate::io::frontend {

class HttpFrontend final : public http::Handler {
 public:
  struct Options {
    std::string extAuthzPrefix;            // "" = none; else "/x": paths below it are Envoy checks
    DecisionObserver* observer = nullptr;  // told about every answered request; may be null
  };

  HttpFrontend(DecisionRunner& runner, Upstream upstream, Options options);

  boost::asio::awaitable<http::Response> handle(http::Request& request) override;
  // Request bodies are relayed upstream as they come (streamed), except the one body the gate
  // reads: the back-channel logout's form, buffered (at most the server's maxBodyBytes).
  bool streamsRequestBody(const http::Request& head) const override;

 private:
  // Which front end a request below no ext_authz prefix came to.
  FrontEnd frontEndOf(std::string_view path) const;
  boost::asio::awaitable<http::Response> answer(http::Request& request,
                                                const core::gate::Decision& decision,
                                                std::string_view path_and_query,
                                                unsigned check_status);
  boost::asio::awaitable<http::Response> forward(http::Request& request,
                                                 const core::gate::Allow& allow,
                                                 std::string_view path_and_query);

  DecisionRunner& runner_;
  std::string backchannelLogoutPath_;    // <proxy prefix>/backchannel_logout
  std::vector<std::string> ownCookies_;  // removed from proxied requests (with their chunks)
  Upstream upstream_;
  Options options_;
};

// The answer to an allowed Envoy HTTP check: `status` (200), no body, the gateway identity
// headers, the headers for the client (Set-Cookie) and x-envoy-auth-headers-to-remove naming the
// client-sent identity headers that the gateway headers do not overwrite.
http::Response checkAllowed(const core::gate::Allow& allow, unsigned status);

// Turns the gate's direct answer into an HTTP response with X-Request-Id (when given); logs its
// reason, if any, with the request id.
http::Response toHttpResponse(const core::gate::Respond& respond, std::string_view request_id = {});

}  // namespace authgate::io::frontend
