#pragma once
// authgate's reverse proxy: routes a request by path (route_table.h) and relays it to an
// http(s) upstream over a pooled keep-alive connection, streaming both bodies, or answers for a
// static:// route.
//   1) no route for the path            -> 404
//   2) static://CODE                    -> CODE "Authenticated"
//   3) WebSocket opening handshake      -> forwarded on a fresh connection; on 101 the client's
//                                          and the upstream's sockets are spliced (relay.h)
//   4) anything else                    -> request head and body streamed upstream, the answer
//                                          streamed back (Content-Length or chunked)
// Failures: no connection or a broken exchange -> 502, connectTimeout/readTimeout -> 504. A
// reused idle connection that turns out closed before any answer byte is retried once on a new
// connection when the method is idempotent (RFC 9110 section 9.2.2) and no body byte of the
// client was consumed yet.
//
// Usage:
//   auto proxy = Proxy::create({"http://127.0.0.1:8080/", "https://api.internal/api/"}, {});
//   http::Response answer = co_await (*proxy)->forward(request, request.target);
//   (the handler must stream request bodies: Handler::streamsRequestBody -> true)
//
// ProxyOptions (default -> meaning):
//   connectTimeout 10 s     resolve + connect + TLS handshake
//   readTimeout 30 s        waiting for the answer's head, and for each piece of its body
//   writeTimeout 30 s       sending each piece of the request
//   maxIdlePerThread 32     idle keep-alive connections kept per upstream and worker thread
//   idleTimeout 30 s        an idle connection older than this is closed instead of reused
//   caFile ""               PEM trust anchors for https upstreams, besides the system store
//   passHostHeader true     the client's Host goes upstream; false: the upstream URL's authority

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "io/http/message.h"
#include "io/proxy/route_table.h"
#include "io/proxy/upstream_connection.h"

namespace authgate::io::proxy {

struct ProxyOptions {
  std::chrono::milliseconds connectTimeout{10'000};
  std::chrono::milliseconds readTimeout{30'000};
  std::chrono::milliseconds writeTimeout{30'000};
  std::size_t maxIdlePerThread = 32;
  std::chrono::milliseconds idleTimeout{30'000};
  std::string caFile;
  bool passHostHeader = true;
};

// Totals since creation (relaxed atomics, read with counters()).
struct ProxyCounters {
  std::uint64_t requests = 0;           // forwarded to an http(s) upstream
  std::uint64_t connectionsOpened = 0;  // new upstream connections
  std::uint64_t connectionsReused = 0;  // exchanges on a pooled connection
  std::uint64_t retries = 0;            // stale pooled connection, retried on a new one
  std::uint64_t badGateway = 0;         // 502 answers
  std::uint64_t gatewayTimeouts = 0;    // 504 answers
  std::uint64_t upgrades = 0;           // WebSocket tunnels opened
  std::uint64_t bytesUpstream = 0;      // request body bytes relayed
  std::uint64_t bytesDownstream = 0;    // response body bytes relayed
};

class Proxy : public std::enable_shared_from_this<Proxy> {
 public:
  static core::Result<std::shared_ptr<Proxy>, std::string> create(
      const std::vector<std::string>& upstreams, ProxyOptions options);

  // Never throws for upstream failures: they are 502/504 answers.
  boost::asio::awaitable<http::Response> forward(const http::Request& request,
                                                 std::string_view target);

  const RouteTable& routes() const { return routes_; }
  ProxyCounters counters() const;

  // Internal to the proxy's relays (relay.cc).
  struct Counters {
    std::atomic<std::uint64_t> requests{0}, connectionsOpened{0}, connectionsReused{0}, retries{0},
        badGateway{0}, gatewayTimeouts{0}, upgrades{0}, bytesUpstream{0}, bytesDownstream{0};
  };
  Counters& liveCounters() { return counters_; }
  const ProxyOptions& options() const { return options_; }

  Proxy(RouteTable routes, ProxyOptions options, std::shared_ptr<asio::ssl::context> tls);

 private:
  boost::asio::awaitable<http::Response> exchange(const Route& route, const ConnectionPool& pool,
                                                  const http::Request& request,
                                                  std::string_view target);
  http::Response failure(unsigned status);

  RouteTable routes_;
  ProxyOptions options_;
  std::shared_ptr<asio::ssl::context> tls_;  // null when no route is https
  std::vector<ConnectionPool> pools_;        // parallel to routes_.routes()
  Counters counters_;
};

inline void bump(std::atomic<std::uint64_t>& counter, std::uint64_t by = 1) {
  counter.fetch_add(by, std::memory_order_relaxed);
}

}  // namespace authgate::io::proxy
