#pragma once
// The HTTP handler of the metrics listener: GET (or HEAD) /metrics answers the text exposition
// format; any other path is 404, any other method 405. It runs on its own io::http::Server
// (server.metrics_address), apart from the traffic listener, so scrapes never queue behind
// requests and the metrics are not exposed where the users are.
//
// Usage:
//   metrics::MetricsHandler handler([&] { return metrics::collect(sources); });
//   http::Server server(options, handler);

#include <functional>
#include <string>
#include <utility>

#include "io/http/handler.h"

namespace authgate::io::metrics {

class MetricsHandler final : public http::Handler {
 public:
  // `render` builds the scrape's body; it is called on the listener's thread.
  explicit MetricsHandler(std::function<std::string()> render) : render_(std::move(render)) {}

  boost::asio::awaitable<http::Response> handle(http::Request& request) override;
  // The same answer, without the coroutine (for tests).
  http::Response answer(const http::Request& request) const;

 private:
  std::function<std::string()> render_;
};

}  // namespace authgate::io::metrics
