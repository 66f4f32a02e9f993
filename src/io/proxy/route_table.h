#pragma once
// Which upstream serves a request path in reverse-proxy mode, with oauth2-proxy's legacy
// `--upstream` semantics:
//   http(s)://host[:port]/path  mounted at /path (an empty path is "/"); the request's own path
//                               and query are forwarded unchanged
//   static://CODE               mounted at "/": answers CODE with the body "Authenticated"
// A mount path ending in '/' matches every path below it, any other only itself; the longest
// mount path that matches wins. Mount paths must be unique.
//
// Usage:
//   auto table = RouteTable::parse({"http://127.0.0.1:8080/", "http://127.0.0.1:9000/api/"});
//   if (!table) { print(table.error()); }
//   if (const Route* route = table->match("/api/items")) { ...route->origin... }

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace authgate::io::proxy {

// Where an http(s) route sends requests.
struct Origin {
  bool tls = false;       // https://
  std::string host;       // as written in the URL, without brackets for an IPv6 literal
  std::string port;       // "80" / "443" when the URL names none
  std::string authority;  // host[:port] as written, for messages
};

struct Route {
  std::string path;           // the mount path
  bool prefix = false;        // path ends in '/'
  unsigned staticStatus = 0;  // static://CODE; 0 for an http(s) route
  Origin origin;
};

class RouteTable {
 public:
  // Every URL is checked; the error names the first bad one.
  static core::Result<RouteTable, std::string> parse(const std::vector<std::string>& urls);

  // The route for a request path (no query), or null when none matches (404).
  const Route* match(std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;  // longest mount path first
};

// One URL as a route.
core::Result<Route, std::string> parseRoute(std::string_view url);

}  // namespace authgate::io::proxy
