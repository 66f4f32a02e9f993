#pragma once
// Several identity providers (the `providers:` list): each has a gate of its own (its client,
// claims and session cookie), and every request is answered by one of them. This picks which.
//
// Usage:
//   ProviderChoice choice(routes, {{.issuer = "https://sso.corp", .cookieName = "_authgate"},
//                                  {.issuer = "https://login.partner", .cookieName = "_ag_p"}},
//                         settings.proxyPrefix, settings.trustedProxies);
//   std::optional<std::size_t> lane = choice.choose(request);   // nullopt: the chooser page
//
// Rules, first applicable wins:
//   1) the provider's own endpoints name it: <prefix>/start and /sign_in with `provider=ID`
//      (an unknown id: nullopt); /callback by the login-state cookie its `state` belongs to;
//      /backchannel_logout by the (unverified, only for routing) `iss` of the logout token;
//   2) the providers' hosts and path prefixes (provider_routes.h), on the request's host and
//      normalized path; for /auth and /userinfo on the original request the gateway names
//      (X-Original-URI / X-Forwarded-Uri, believed from trusted proxies only);
//   3) the first provider whose session cookie the request carries (a user who picked a
//      provider on the chooser page stays with it where no route decides);
//   4) nullopt: no provider applies, the chooser page lists them all.
// With one provider the answer is always 0.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/gate/check_request.h"
#include "core/gate/provider_routes.h"
#include "core/net/ip_network.h"

namespace authgate::core::gate {

struct ProviderLane {
  std::string issuer;
  std::string cookieName;  // its session cookie; login-state cookies are named after it
};

class ProviderChoice {
 public:
  ProviderChoice(ProviderRoutes routes, std::vector<ProviderLane> lanes, std::string proxyPrefix,
                 std::vector<net::IpNetwork> trustedProxies);

  std::optional<std::size_t> choose(const CheckRequest& request) const;
  std::size_t size() const { return lanes_.size(); }

 private:
  std::optional<std::size_t> byEndpoint(const CheckRequest& request, std::string_view endpoint,
                                        bool& decided) const;
  std::optional<std::size_t> byCookie(const CheckRequest& request) const;

  ProviderRoutes routes_;
  std::vector<ProviderLane> lanes_;
  std::string proxyPrefix_;
  std::vector<net::IpNetwork> trustedProxies_;
};

}  // namespace authgate::core::gate
