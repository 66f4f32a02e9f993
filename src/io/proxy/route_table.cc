#include "io/proxy/route_table.h"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <charconv>

namespace authgate::io::proxy {

core::Result<Route, std::string> parseRoute(std::string_view url) {
  const auto quoted = [&] { return "\"" + std::string(url) + "\""; };
  Route route;
  if (url.starts_with("static://")) {
    const std::string_view code = url.substr(9);
    unsigned status = 0;
    auto [end, ec] = std::from_chars(code.data(), code.data() + code.size(), status);
    if (ec != std::errc() || end != code.data() + code.size() || status < 200 || status > 599) {
      return core::fail(quoted() + ": static:// needs an HTTP status code 200-599");
    }
    route.path = "/";  // the legacy options mount a static upstream at the root only
    route.prefix = true;
    route.staticStatus = status;
    return route;
  }
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed || parsed->encoded_host().empty() ||
      (parsed->scheme_id() != boost::urls::scheme::http &&
       parsed->scheme_id() != boost::urls::scheme::https) ||
      parsed->has_userinfo() || parsed->has_query()) {
    return core::fail(quoted() + ": expected http(s)://host[:port][/path] or static://CODE");
  }
  route.origin.tls = parsed->scheme_id() == boost::urls::scheme::https;
  std::string host(parsed->encoded_host());
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  route.origin.host = std::move(host);
  route.origin.port = parsed->has_port() ? std::string(parsed->port())
                                         : std::string(route.origin.tls ? "443" : "80");
  route.origin.authority = std::string(parsed->encoded_authority());
  route.path = parsed->encoded_path().empty() ? "/" : std::string(parsed->encoded_path());
  route.prefix = route.path.back() == '/';
  return route;
}

core::Result<RouteTable, std::string> RouteTable::parse(const std::vector<std::string>& urls) {
  RouteTable table;
  for (const std::string& url : urls) {
    auto route = parseRoute(url);
    if (!route) {
      return core::fail(route.error());
    }
    for (const Route& existing : table.routes_) {
      if (existing.path == route->path) {
        return core::fail("\"" + url + "\": another upstream is already mounted at " + route->path);
      }
    }
    table.routes_.push_back(std::move(*route));
  }
  std::stable_sort(table.routes_.begin(), table.routes_.end(),
                   [](const Route& a, const Route& b) { return a.path.size() > b.path.size(); });
  return table;
}

const Route* RouteTable::match(std::string_view path) const {
  for (const Route& route : routes_) {
    if (route.prefix ? path.starts_with(route.path) : path == route.path) {
      return &route;
    }
  }
  return nullptr;
}

}  // namespace authgate::io::proxy
