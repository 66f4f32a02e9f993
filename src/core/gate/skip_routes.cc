#include "core/gate/skip_routes.h"

#include <algorithm>
#include <boost/regex.hpp>
#include <exception>

#include "core/encoding/ascii.h"

namespace authgate::core::gate {

namespace {

struct Route {
  std::string method;  // upper-cased; empty: any method
  bool negate = false;
  boost::regex pattern;
};

constexpr std::string_view kAcmePrefix = "/.well-known/acme-challenge/";

bool isMethodChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '_';
}

bool isMethodOrEmpty(std::string_view text) {
  return std::all_of(text.begin(), text.end(), isMethodChar);
}

bool isBase64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

// RFC 3986 §2.3.
bool isUnreserved(char c) {
  return isBase64UrlChar(c) || c == '.' || c == '~';
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  const char lower = encoding::asciiLower(c);
  if (lower >= 'a' && lower <= 'f') {
    return lower - 'a' + 10;
  }
  return -1;
}

std::string quoted(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

Result<Route, std::string> compileRoute(std::string_view entry, bool methods) {
  Route route;
  std::string_view regex = entry;
  if (methods) {
    const std::size_t bang = entry.find("!=");
    const std::size_t eq = entry.find('=');
    // "!=" holds the first '=': the text before it is the method (or nothing).
    if (bang != std::string_view::npos && bang + 1 == eq &&
        isMethodOrEmpty(entry.substr(0, bang))) {
      route.method = encoding::toUpperAscii(entry.substr(0, bang));
      route.negate = true;
      regex = entry.substr(bang + 2);
    } else if (eq != std::string_view::npos && isMethodOrEmpty(entry.substr(0, eq))) {
      route.method = encoding::toUpperAscii(entry.substr(0, eq));
      regex = entry.substr(eq + 1);
    }
  }
  if (regex.empty()) {
    return fail(std::string("empty path regex (it would match every path; use \"^/\" to mean it)"));
  }
  try {
    route.pattern = boost::regex(regex.begin(), regex.end(), boost::regex::perl);
  } catch (const boost::regex_error& error) {
    return fail("bad regex: " + std::string(error.what()));
  }
  return route;
}

// Whether the route lets (method, path) through. A regex the engine gives up on (its complexity
// limit on a pathological path) skips nothing: fail closed.
bool routeSkips(const Route& route, std::string_view method, std::string_view path) {
  if (!route.method.empty() && route.method != method) {
    return false;
  }
  try {
    const bool matches = boost::regex_search(path.begin(), path.end(), route.pattern,
                                             boost::match_default | boost::match_any);
    return matches != route.negate;
  } catch (const std::exception&) {
    return false;
  }
}

// RFC 3986 §5.2.4 remove_dot_segments, on a path already cut and decoded.
std::string removeDotSegments(std::string_view input) {
  std::string output;
  output.reserve(input.size());
  while (!input.empty()) {
    if (input.starts_with("../")) {  // A
      input.remove_prefix(3);
    } else if (input.starts_with("./")) {  // A
      input.remove_prefix(2);
    } else if (input.starts_with("/./")) {  // B
      input.remove_prefix(2);
    } else if (input == "/.") {  // B
      input = "/";
    } else if (input.starts_with("/../") || input == "/..") {  // C
      input = input.size() == 3 ? std::string_view("/") : input.substr(3);
      const std::size_t slash = output.rfind('/');
      output.erase(slash == std::string::npos ? 0 : slash);
    } else if (input == "." || input == "..") {  // D
      input = {};
    } else {  // E: the first segment, with its leading '/', moves to the output
      const std::size_t next = input.find('/', 1);
      output.append(input.substr(0, next));
      input = next == std::string_view::npos ? std::string_view() : input.substr(next);
    }
  }
  return output;
}

}  // namespace

struct SkipRoutes::Compiled {
  std::vector<Route> routes;
};

std::string normalizedPath(std::string_view path) {
  std::size_t end = path.find_first_of("?#");
  for (std::size_t i = path.find('%'); i != std::string_view::npos && i < end;
       i = path.find('%', i + 1)) {
    if (i + 2 < path.size() && path[i + 1] == '2' && path[i + 2] == '3') {
      end = i;
    }
  }
  path = path.substr(0, end);
  std::string decoded;
  decoded.reserve(path.size());
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '%' && i + 2 < path.size() && hexValue(path[i + 1]) >= 0 &&
        hexValue(path[i + 2]) >= 0) {
      const char byte = static_cast<char>(hexValue(path[i + 1]) * 16 + hexValue(path[i + 2]));
      if (isUnreserved(byte)) {
        decoded += byte;
      } else {
        decoded += '%';
        decoded += static_cast<char>(path[i + 1] >= 'a' ? path[i + 1] - 'a' + 'A' : path[i + 1]);
        decoded += static_cast<char>(path[i + 2] >= 'a' ? path[i + 2] - 'a' + 'A' : path[i + 2]);
      }
      i += 2;
    } else {
      decoded += path[i];
    }
  }
  return removeDotSegments(decoded);
}

std::optional<std::string> skipRouteProblem(std::string_view entry, bool methods) {
  auto route = compileRoute(entry, methods);
  if (!route) {
    return route.error();
  }
  return std::nullopt;
}

bool isAcmeChallenge(std::string_view method, std::string_view normalized_path) {
  if ((method != "GET" && method != "HEAD") || !normalized_path.starts_with(kAcmePrefix)) {
    return false;
  }
  const std::string_view token = normalized_path.substr(kAcmePrefix.size());
  return !token.empty() && std::all_of(token.begin(), token.end(), isBase64UrlChar);
}

Result<SkipRoutes, std::string> SkipRoutes::compile(const std::vector<std::string>& routes,
                                                    bool acmeChallenge,
                                                    const std::vector<std::string>& pathRegexes) {
  auto compiled = std::make_shared<Compiled>();
  for (const std::string& entry : routes) {
    auto route = compileRoute(entry, true);
    if (!route) {
      return fail("skip_auth_routes entry " + quoted(entry) + ": " + route.error());
    }
    compiled->routes.push_back(std::move(*route));
  }
  for (const std::string& entry : pathRegexes) {
    auto route = compileRoute(entry, false);
    if (!route) {
      return fail("skip_auth_regex entry " + quoted(entry) + ": " + route.error());
    }
    compiled->routes.push_back(std::move(*route));
  }
  if (compiled->routes.empty()) {
    return SkipRoutes(nullptr, acmeChallenge);
  }
  return SkipRoutes(std::move(compiled), acmeChallenge);
}

bool SkipRoutes::skips(std::string_view method, std::string_view path) const {
  if (empty()) {
    return false;
  }
  const std::string normalized = normalizedPath(path);
  if (acmeChallenge_ && isAcmeChallenge(method, normalized)) {
    return true;
  }
  if (routes_ == nullptr) {
    return false;
  }
  return std::any_of(routes_->routes.begin(), routes_->routes.end(),
                     [&](const Route& route) { return routeSkips(route, method, normalized); });
}

}  // namespace authgate::core::gate
