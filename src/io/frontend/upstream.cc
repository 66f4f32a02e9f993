#include "io/frontend/upstream.h"

namespace authgate::io::frontend {

core::Result<Upstream, std::string> Upstream::create(const std::vector<std::string>& urls,
                                                     proxy::ProxyOptions options) {
  auto proxy = proxy::Proxy::create(urls.empty() ? std::vector<std::string>{"static://200"} : urls,
                                    std::move(options));
  if (!proxy) {
    return core::fail(proxy.error());
  }
  return Upstream(std::move(*proxy));
}

core::Result<Upstream, std::string> Upstream::parse(std::string_view url) {
  return create({std::string(url)});
}

boost::asio::awaitable<http::Response> Upstream::forward(const http::Request& request,
                                                         std::string_view path_and_query) const {
  co_return co_await proxy_->forward(request, path_and_query);
}

unsigned Upstream::staticStatus(std::string_view path) const {
  const proxy::Route* route = proxy_->routes().match(path);
  return route == nullptr ? 0 : route->staticStatus;
}

}  // namespace authgate::io::frontend
