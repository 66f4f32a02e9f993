#pragma once
// Where an allowed request goes in reverse-proxy mode.
//
// Usage:
//   auto upstream = Upstream::parse("http://127.0.0.1:8080");   // or "static://200"
//   http::Response answer = co_await upstream->forward(request, executor);
//
//   static://CODE   answers CODE with body "Authenticated" (oauth2-proxy's static upstream; the
//                   Envoy ext_authz HTTP mode uses static://200)
//   http://host:port[/base]  forwards method, path, query, headers and body; answers with the
//                   upstream's status, headers and body
//
// The proxied request and answer are buffered (bounded by the server's body limit); streaming
// both ways, WebSocket upgrades and a keep-alive pool are the reverse proxy's next steps.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>

#include "core/result.h"
#include "io/http/message.h"

namespace authgate::io::frontend {

class Upstream {
 public:
  static core::Result<Upstream, std::string> parse(std::string_view url);

  bool isStatic() const { return staticStatus_ != 0; }
  unsigned staticStatus() const { return staticStatus_; }

  // Sends `request` (already stripped and given identity headers) to the upstream. A dead
  // upstream is a 502 answer, never an exception.
  boost::asio::awaitable<http::Response> forward(const http::Request& request,
                                                 std::string_view path_and_query) const;

 private:
  unsigned staticStatus_ = 0;
  std::string host_;
  std::string port_;
  std::string basePath_;  // prefix added to every forwarded path, without trailing '/'
  std::chrono::seconds timeout_{30};
};

}  // namespace authgate::io::frontend
