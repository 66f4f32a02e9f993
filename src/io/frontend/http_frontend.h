#pragma once
// The HTTP front end: turns each request of the HTTP server into a gate::CheckRequest, asks the
// gate, performs the I/O the decision needs (the code exchange, the refresh_token grant, a JWKS
// refresh for an unknown key id) and translates the answer back: a direct response, or the
// request forwarded to the upstream with identity headers (reverse-proxy mode; static://200 for
// Envoy's HTTP check).
//
// Refreshes are single-flight per session across every worker thread: concurrent requests with
// the same session wait for one refresh_token grant and all get its result (a rotated refresh
// token can be used once; the IdP revokes the grant when a used one comes back). A successful
// result stays available for kRefreshResultGrace, so that requests still carrying the old cookie
// (sent before the browser stored the new one) get the new tokens instead of replaying the old.
//
// Usage:
//   HttpFrontend frontend(gate, provider, upstream, clock);
//   http::Server server(options, frontend);

#include <atomic>
#include <chrono>
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
  // Request bodies are never read by the gate, only relayed upstream: streamed, not buffered.
  bool streamsRequestBody(const http::Request&) const override { return true; }

 private:
  // What the gate needs of the provider; rebuilt only when the key set changes.
  std::shared_ptr<const core::gate::ProviderSnapshot> providerSnapshot(bool refresh_keys_first);
  boost::asio::awaitable<http::Response> finishLogin(const core::gate::CheckRequest& check,
                                                     const core::gate::Exchange& exchange);
  // The snapshot that can verify the ID token in `tokens`: a key id it does not know yet is
  // looked up once (OIDC Core §10.1.1: the IdP may just have rotated its keys).
  boost::asio::awaitable<std::shared_ptr<const core::gate::ProviderSnapshot>> snapshotFor(
      const idp::TokenResult& tokens);
  // The refresh_token grant for `refresh`, shared with every concurrent request of its session.
  boost::asio::awaitable<idp::TokenResult> refreshOnce(const core::gate::Refresh& refresh);
  boost::asio::awaitable<http::Response> forward(http::Request& request,
                                                 const core::gate::Allow& allow,
                                                 std::string_view path_and_query);

  std::shared_ptr<const core::gate::Gate> gate_;
  std::shared_ptr<idp::Provider> provider_;
  Upstream upstream_;
  const core::Clock& clock_;
  std::atomic<std::shared_ptr<const core::gate::ProviderSnapshot>> snapshot_;
  struct RefreshFlights;  // refreshes in flight and just done, by session key
  std::shared_ptr<RefreshFlights> refreshes_;
};

// How long a successful refresh is handed to requests that still carry the refreshed cookie.
inline constexpr std::chrono::seconds kRefreshResultGrace{10};

// Turns the gate's direct answer into an HTTP response (logs its reason, if any).
http::Response toHttpResponse(const core::gate::Respond& respond);

}  // namespace authgate::io::frontend
