#include "io/metrics/metrics_handler.h"

#include <string_view>

#include "io/metrics/text_format.h"

namespace authgate::io::metrics {

boost::asio::awaitable<http::Response> MetricsHandler::handle(http::Request& request) {
  co_return answer(request);
}

http::Response MetricsHandler::answer(const http::Request& request) const {
  std::string_view path = request.target;
  if (const std::size_t query = path.find('?'); query != std::string_view::npos) {
    path = path.substr(0, query);  // Prometheus may add ?name[]=... ; the answer is the same
  }
  if (path != "/metrics") {
    return http::textResponse(404, "not found: the metrics are at /metrics\n");
  }
  if (request.method != "GET" && request.method != "HEAD") {
    http::Response response = http::textResponse(405, "method not allowed\n");
    response.headers.set("Allow", "GET, HEAD");
    return response;
  }
  http::Response response = http::textResponse(200, render_(), kContentType);
  response.headers.set("Cache-Control", "no-store");
  return response;
}

}  // namespace authgate::io::metrics
