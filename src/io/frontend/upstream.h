#pragma once
// Where an allowed request goes in reverse-proxy mode: the configured upstreams, routed by path
// and relayed by io/proxy (streaming both ways, keep-alive pool, WebSocket tunnels).
//
// Usage:
//   auto upstream = Upstream::create({"http://127.0.0.1:8080/", "static://200"});
//   http::Response answer = co_await upstream->forward(request, request.target);
//
//   static://CODE             answers CODE with body "Authenticated" (oauth2-proxy's static
//                             upstream; the Envoy ext_authz HTTP mode uses static://200)
//   http(s)://host[:port]/p   requests whose path is under /p (ending in '/') or exactly /p go
//                             there with their path and query unchanged; the longest mount wins
//
// The handler must stream request bodies (http::Handler::streamsRequestBody) for uploads to be
// relayed without buffering; a buffered Request::body is sent as it is.

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "io/http/message.h"
#include "io/proxy/proxy.h"

namespace authgate::io::frontend {

class Upstream {
 public:
  // Every URL must parse; mount paths must be unique. An empty list is static://200.
  static core::Result<Upstream, std::string> create(const std::vector<std::string>& urls,
                                                    proxy::ProxyOptions options = {});
  // One upstream.
  static core::Result<Upstream, std::string> parse(std::string_view url);

  // Sends `request` (already stripped and given identity headers) to the route of its path. A
  // dead upstream is a 502 answer, a timeout 504, no route 404; never an exception.
  boost::asio::awaitable<http::Response> forward(const http::Request& request,
                                                 std::string_view path_and_query) const;

  // The CODE of the static://CODE route serving `path`, or 0 when an http(s) route (or none)
  // serves it.
  unsigned staticStatus(std::string_view path) const;

  proxy::ProxyCounters counters() const { return proxy_->counters(); }

 private:
  explicit Upstream(std::shared_ptr<proxy::Proxy> proxy) : proxy_(std::move(proxy)) {}
  std::shared_ptr<proxy::Proxy> proxy_;  // shared: copies of an Upstream share one pool
};

}  // namespace authgate::io::frontend
