#include "core/gate/provider_choice.h"

#include "core/gate/cookies.h"
#include "core/gate/forwarded.h"
#include "core/gate/login_state.h"
#include "core/gate/skip_routes.h"
#include "core/jose/jwt.h"
#include "core/session/cookie_chunks.h"

namespace authgate::core::gate {
namespace {

// The logout token's `iss`, unverified: it only picks the gate that will verify it.
std::string unverifiedIssuer(const CheckRequest& request) {
  const std::string token = queryParam(request.body, "logout_token");
  auto parsed = jose::parseJwt(token);
  if (!parsed) {
    return {};
  }
  const boost::json::value* iss = parsed->payload.if_contains("iss");
  return iss && iss->is_string() ? std::string(iss->get_string()) : std::string();
}

}  // namespace

ProviderChoice::ProviderChoice(ProviderRoutes routes, std::vector<ProviderLane> lanes,
                               std::string proxyPrefix, std::vector<net::IpNetwork> trustedProxies)
    : routes_(std::move(routes)),
      lanes_(std::move(lanes)),
      proxyPrefix_(std::move(proxyPrefix)),
      trustedProxies_(std::move(trustedProxies)) {}

std::optional<std::size_t> ProviderChoice::choose(const CheckRequest& request) const {
  if (lanes_.size() <= 1) {
    return lanes_.empty() ? std::nullopt : std::optional<std::size_t>(0);
  }
  std::string_view endpoint;
  if (const auto below = pathBelow(request.path, proxyPrefix_)) {
    endpoint = *below;
    bool decided = false;
    if (auto lane = byEndpoint(request, endpoint, decided); decided) {
      return lane;
    }
  }
  const bool forGateway = endpoint == "/auth" || endpoint == "/userinfo";
  const CheckRequest judged = forGateway ? originalRequest(request, trustedProxies_) : request;
  if (auto lane = routes_.match(judged.host, normalizedPath(judged.path))) {
    return lane;
  }
  return byCookie(request);
}

std::optional<std::size_t> ProviderChoice::byEndpoint(const CheckRequest& request,
                                                      std::string_view endpoint,
                                                      bool& decided) const {
  if (endpoint == "/start" || endpoint == "/sign_in") {
    const std::string id = queryParam(request.query, "provider");
    decided = !id.empty();
    return decided ? routes_.find(id) : std::nullopt;
  }
  if (endpoint == "/callback") {
    const std::string state = queryParam(request.query, "state");
    const RequestCookies cookies = parseCookieHeader(request.header("Cookie").value_or(""));
    for (std::size_t lane = 0; lane < lanes_.size(); ++lane) {
      if (cookies.find(loginStateCookieName(lanes_[lane].cookieName, state))) {
        decided = true;
        return lane;
      }
    }
    return std::nullopt;  // no login of ours: the route picks the gate that refuses it
  }
  if (endpoint == "/backchannel_logout") {
    const std::string issuer = unverifiedIssuer(request);
    for (std::size_t lane = 0; lane < lanes_.size(); ++lane) {
      if (!issuer.empty() && lanes_[lane].issuer == issuer) {
        decided = true;
        return lane;
      }
    }
  }
  return std::nullopt;
}

std::optional<std::size_t> ProviderChoice::byCookie(const CheckRequest& request) const {
  const std::optional<std::string_view> header = request.header("Cookie");
  if (!header) {
    return std::nullopt;
  }
  const RequestCookies cookies = parseCookieHeader(*header);
  for (std::size_t lane = 0; lane < lanes_.size(); ++lane) {
    // The cookie itself, or its first chunk when it was split (session/cookie_chunks.h).
    const std::string& name = lanes_[lane].cookieName;
    if (cookies.find(name) || cookies.find(session::chunkName(name, 0))) {
      return lane;
    }
  }
  return std::nullopt;
}

}  // namespace authgate::core::gate
