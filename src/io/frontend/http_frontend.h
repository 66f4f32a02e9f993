#pragma once
// The HTTP front end: turns each request of the HTTP server into a gate::CheckRequest, asks the
// gate, performs the I/O the decision needs (the code exchange, a JWKS refresh for an unknown
// key id) and translates the answer back: a direct response, or the request forwarded to the
// upstream with identity headers (reverse-proxy mode; static://200 for Envoy's HTTP check).
//
// Usage:
//   HttpFrontend frontend(gate, provider, upstream, clock);
//   http::Server server(options, frontend);

#include <atomic>
#include <memory>

#include "core/clock.h"
#include "core/gate/gate.h"
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

 private:
  // What the gate needs of the provider; rebuilt only when the key set changes.
  std::shared_ptr<const core::gate::ProviderSnapshot> providerSnapshot(bool refresh_keys_first);
  boost::asio::awaitable<http::Response> finishLogin(const core::gate::CheckRequest& check,
                                                     const core::gate::Exchange& exchange);
  boost::asio::awaitable<http::Response> forward(http::Request& request,
                                                 const core::gate::Allow& allow,
                                                 std::string_view path_and_query);

  std::shared_ptr<const core::gate::Gate> gate_;
  std::shared_ptr<idp::Provider> provider_;
  Upstream upstream_;
  const core::Clock& clock_;
  std::atomic<std::shared_ptr<const core::gate::ProviderSnapshot>> snapshot_;
};

// Turns the gate's direct answer into an HTTP response (logs its reason, if any).
http::Response toHttpResponse(const core::gate::Respond& respond);

}  // namespace authgate::io::frontend
