#include "core/gate/provider_routes.h"

#include <algorithm>

#include "core/encoding/ascii.h"

namespace authgate::core::gate {
namespace {

// The host without ":port" and without one trailing '.'; an IPv6 literal keeps its brackets.
std::string_view bareHost(std::string_view host) {
  if (host.starts_with('[')) {
    const std::size_t close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(0, close + 1);
  }
  const std::size_t colon = host.find(':');
  // More than one ':' without brackets is no host:port (RFC 9110 §7.2): keep it whole.
  if (colon != std::string_view::npos && host.find(':', colon + 1) == std::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (host.ends_with('.')) {
    host.remove_suffix(1);
  }
  return host;
}

// `text` equals `lowered` (already lower case) ignoring the ASCII case of `text` only.
bool equalsLowered(std::string_view text, std::string_view lowered) {
  return text.size() == lowered.size() &&
         std::equal(text.begin(), text.end(), lowered.begin(),
                    [](char a, char b) { return encoding::asciiLower(a) == b; });
}

}  // namespace

ProviderRoutes::ProviderRoutes(std::vector<ProviderRoute> routes) {
  routes_.reserve(routes.size());
  for (ProviderRoute& route : routes) {
    Compiled compiled{std::move(route.id), {}, std::move(route.pathPrefixes)};
    for (const std::string& host : route.hosts) {
      const bool wildcard = host.starts_with("*.");
      // "*.example.com" keeps ".example.com": the label before it must be non-empty.
      compiled.hosts.push_back(
          {encoding::toLowerAscii(wildcard ? std::string_view(host).substr(1) : host), wildcard});
    }
    routes_.push_back(std::move(compiled));
  }
}

bool ProviderRoutes::hostMatches(const Compiled& route, std::string_view host) {
  if (route.hosts.empty()) {
    return true;
  }
  return std::any_of(route.hosts.begin(), route.hosts.end(), [host](const HostPattern& pattern) {
    if (!pattern.wildcard) {
      return equalsLowered(host, pattern.name);
    }
    return host.size() > pattern.name.size() &&
           equalsLowered(host.substr(host.size() - pattern.name.size()), pattern.name);
  });
}

bool ProviderRoutes::pathMatches(const Compiled& route, std::string_view path) {
  return route.pathPrefixes.empty() ||
         std::any_of(route.pathPrefixes.begin(), route.pathPrefixes.end(),
                     [path](const std::string& prefix) { return path.starts_with(prefix); });
}

std::optional<std::size_t> ProviderRoutes::match(std::string_view host,
                                                 std::string_view path) const {
  const std::string_view bare = bareHost(host);
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    if (hostMatches(routes_[i], bare) && pathMatches(routes_[i], path)) {
      return i;
    }
  }
  return std::nullopt;
}

std::optional<std::size_t> ProviderRoutes::find(std::string_view id) const {
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    if (routes_[i].id == id) {
      return i;
    }
  }
  return std::nullopt;
}

}  // namespace authgate::core::gate
