#pragma once
// The HTTP front end: turns each request of the HTTP server into a gate::CheckRequest, asks the
// gate through DecisionRunner (which performs the IdP I/O a decision may need) and translates the
// answer back: a direct response, or the request forwarded to the upstream with identity headers
// (reverse-proxy mode; static://200 for Envoy's HTTP check).
//
// Usage:
//   HttpFrontend frontend(gate, provider, upstream, clock);
//   http::Server server(options, frontend);

#include <memory>

#include "core/clock.h"
#include "core/gate/gate.h"
#include "io/frontend/decision_runner.h"
#include "io/frontend/upstream.h"
#include "io/http/handler.h"
#include "io/idp/provider.h"

namespace authgate::io::frontend {

class HttpFrontend final : public http::Handler {
 public:
  HttpFrontend(std::shared_ptr<const core::gate::Gate> gate,
               std::shared_ptr<idp::Provider> provider, Upstream upstream,
               const core::Clock& clock);

  boost::asio::awaitable<http::Response> handle(http::Request& request) override;
  // Request bodies are never read by the gate, only relayed upstream: streamed, not buffered.
  bool streamsRequestBody(const http::Request&) const override { return true; }

 private:
  boost::asio::awaitable<http::Response> answer(http::Request& request,
                                                const core::gate::Decision& decision,
                                                std::string_view path_and_query);
  boost::asio::awaitable<http::Response> forward(http::Request& request,
                                                 const core::gate::Allow& allow,
                                                 std::string_view path_and_query);

  DecisionRunner runner_;
  Upstream upstream_;
};

// Turns the gate's direct answer into an HTTP response (logs its reason, if any).
http::Response toHttpResponse(const core::gate::Respond& respond);

}  // namespace authgate::io::frontend
