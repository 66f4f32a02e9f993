#pragma once
// Which configured identity provider a request signs in with: the `hosts` and `path_prefixes`
// of each `providers:` entry (config/providers.h), tested in order on every request that needs
// a login, so written for the hot path: the patterns are lower-cased once here and match()
// allocates nothing.
//
// Usage:
//   ProviderRoutes routes({{"corp", {"corp.example.com", "*.corp.example.com"}, {}},
//                          {"public", {}, {}}});
//   std::optional<std::size_t> chosen = routes.match(request.host, normalizedPath);
//   if (!chosen) -> no provider for this request (refuse it: fail closed)
//   std::optional<std::size_t> known = routes.find(session.providerId);
//
// Rules:
//   1) An entry matches when (its hosts are empty or one matches the host) AND (its path
//      prefixes are empty or the path starts with one); an entry with neither matches every
//      request. The first matching entry wins.
//   2) Hosts: ASCII case is ignored, and so are a ":port" and one trailing '.' of the request's
//      host ("Corp.Example.com.:8443" is "corp.example.com"). An IPv6 literal keeps its
//      brackets: "[::1]:8080" is "[::1]". A pattern "*.example.com" matches "a.example.com" and
//      "a.b.example.com" (one or more labels) but not "example.com".
//   3) Path prefixes are compared byte for byte (paths are case-sensitive, RFC 3986 §6.2.2.1).
//      Pass the normalized path (skip_routes.h normalizedPath), as the policies see it: a raw
//      "/public/../corp/x" must not pick another provider than the "/corp/x" the upstream serves.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace authgate::core::gate {

struct ProviderRoute {
  std::string id;
  std::vector<std::string> hosts;         // exact hosts or "*.suffix" wildcards
  std::vector<std::string> pathPrefixes;  // "/corp/"
};

class ProviderRoutes {
 public:
  explicit ProviderRoutes(std::vector<ProviderRoute> routes);

  // The index of the first route that matches, or nullopt when none does.
  std::optional<std::size_t> match(std::string_view host, std::string_view path) const;
  // The index of the route named `id`, or nullopt.
  std::optional<std::size_t> find(std::string_view id) const;
  std::size_t size() const { return routes_.size(); }

 private:
  // A host pattern lower-cased: `name` is the whole host, or for a wildcard the suffix with
  // its leading dot (".example.com").
  struct HostPattern {
    std::string name;
    bool wildcard = false;
  };
  struct Compiled {
    std::string id;
    std::vector<HostPattern> hosts;
    std::vector<std::string> pathPrefixes;
  };

  static bool hostMatches(const Compiled& route, std::string_view host);
  static bool pathMatches(const Compiled& route, std::string_view path);

  std::vector<Compiled> routes_;
};

}  // namespace authgate::core::gate
