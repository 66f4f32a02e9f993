#include "core/gate/gate.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/gate/identity_headers.h"
#include "core/gate/responses.h"
#include "core/session/cookie_chunks.h"

namespace authgate::core::gate {
// The tokens can no longer be trusted without a refresh once the access token expired, when its
// expiry is known, else the ID token's (oauth2-proxy #780: always checked).
bool Gate::tokensValid(const session::Session& session, UnixSeconds now) {
  const UnixSeconds expires =
      session.accessTokenExpiresAt != 0 ? session.accessTokenExpiresAt : session.idTokenExpiresAt;
  return expires == 0 || expires > now;
}

Gate::Gate(GateSettings settings, session::SessionCodec sessions, LoginStateCookies logins,
           redirect::RedirectPolicy redirects)
    : settings_(std::move(settings)),
      sessions_(std::move(sessions)),
      logins_(std::move(logins)),
      redirects_(std::move(redirects)) {}

Result<Gate, std::string> Gate::create(GateSettings settings,
                                       std::span<const session::CookieSecret> secrets,
                                       const std::vector<std::string>& whitelist_domains) {
  auto sessions = session::SessionCodec::create(secrets, session::kSessionPurpose);
  if (!sessions) {
    return fail("cookie secrets: " + sessions.error());
  }
  auto login_box = session::SealedBox::create(secrets, session::kLoginStatePurpose);
  if (!login_box) {
    return fail("cookie secrets: " + login_box.error());
  }
  auto redirects = redirect::RedirectPolicy::compile(whitelist_domains);
  if (!redirects) {
    return fail("whitelist_domains: " + redirects.error());
  }
  LoginStateCookies logins(std::move(*login_box), settings.cookieName);
  return Gate(std::move(settings), std::move(*sessions), std::move(logins), std::move(*redirects));
}

std::string Gate::attributesFor(const CheckRequest& request,
                                std::optional<std::chrono::seconds> max_age) const {
  CookieAttributes attributes = settings_.cookie;
  attributes.domain = cookieDomainFor(request.host, settings_.cookieDomains);
  return cookieAttributesText(attributes, max_age);
}

std::string Gate::redirectUri(const CheckRequest& request) const {
  if (!settings_.client.redirectUri.empty()) {
    return settings_.client.redirectUri;
  }
  return std::string(request.scheme) + "://" + std::string(request.host) + settings_.proxyPrefix +
         "/callback";
}

namespace {

// Where to go after the login: `rd`, else X-Auth-Request-Redirect (as oauth2-proxy reads it:
// nginx and Caddy cannot URL-escape $request_uri into `rd`, but can pass it as this header).
// Either way the redirect policy validates it.
std::string returnTarget(const CheckRequest& request) {
  std::string rd = queryParam(request.query, "rd");
  if (rd.empty()) {
    rd = request.header("X-Auth-Request-Redirect").value_or("");
  }
  return rd;
}

}  // namespace

Decision Gate::decide(const CheckRequest& request, const ProviderSnapshot* provider,
                      RandomSource& random) const {
  // 1) liveness and readiness.
  if (request.path == settings_.pingPath) {
    return plainText(200, "OK");
  }
  if (request.path == settings_.readyPath) {
    return provider ? plainText(200, "OK")
                    : plainText(503, "not ready: the identity provider is not reachable yet");
  }
  // 2) the gate's own endpoints.
  const std::string& prefix = settings_.proxyPrefix;
  if (request.path.starts_with(prefix) &&
      (request.path.size() == prefix.size() || request.path[prefix.size()] == '/')) {
    const std::string_view endpoint = request.path.substr(prefix.size());
    if (endpoint == "/start" || endpoint == "/sign_in") {
      return startLogin(request, provider, redirects_.sanitize(returnTarget(request)), random);
    }
    if (endpoint == "/callback") {
      return callback(request);
    }
    if (endpoint == "/sign_out") {
      return signOut(request, provider);
    }
    if (endpoint == "/auth" || endpoint == "/userinfo") {
      return authorize(request, provider, random);
    }
    return errorPage(request, 404, "Not Found", "There is no such endpoint.");
  }
  // 3) everything else is a protected resource.
  return authorize(request, provider, random);
}

Decision Gate::authorize(const CheckRequest& request, const ProviderSnapshot* provider,
                         RandomSource& random) const {
  const RequestCookies cookies = parseCookieHeader(request.header("Cookie").value_or(""));
  if (auto joined = session::joinCookie(settings_.cookieName,
                                        [&](std::string_view name) { return cookies.find(name); });
      joined && joined->has_value()) {
    if (auto opened = sessions_.open(**joined, request.now); opened) {
      if (auto refresh = refreshFor(*opened, request.now)) {
        return std::move(*refresh);
      }
      if (tokensValid(*opened, request.now)) {
        return authorized(request, *opened, {});
      }
    }
  }
  return unauthenticated(request, provider, random);
}

std::string_view Gate::gateEndpoint(const CheckRequest& request) const {
  return request.path.starts_with(settings_.proxyPrefix)
             ? request.path.substr(settings_.proxyPrefix.size())
             : std::string_view();
}

Decision Gate::authorized(const CheckRequest& request, const session::Session& session,
                          const std::vector<std::string>& set_cookies) const {
  const std::string_view endpoint = gateEndpoint(request);
  if (endpoint == "/auth") {
    // nginx auth_request and forward-auth gateways: 202 with identity (and a refreshed cookie,
    // which the gateway passes on: auth_request_set + add_header Set-Cookie).
    Respond accepted = plainText(202, "");
    accepted.headers = gatewayIdentityHeaders(session, settings_);
    addSetCookies(accepted, set_cookies);
    return accepted;
  }
  if (endpoint == "/userinfo") {
    boost::json::object info;
    info["user"] = session.user.empty() ? session.subject : session.user;
    info["email"] = session.email;
    boost::json::array groups;
    for (const auto& group : session.groups) {
      groups.emplace_back(group);
    }
    info["groups"] = std::move(groups);
    info["preferredUsername"] = session.preferredUsername;
    Respond respond = plainText(200, boost::json::serialize(info));
    respond.headers = {{"Content-Type", "application/json"}};
    addNoCacheHeaders(respond);
    addSetCookies(respond, set_cookies);
    return respond;
  }
  Allow allow;
  allow.upstreamHeaders = upstreamIdentityHeaders(session, settings_);
  allow.gatewayHeaders = gatewayIdentityHeaders(session, settings_);
  allow.removeHeaders = spoofableIdentityHeaders(settings_);
  for (const std::string& line : set_cookies) {
    allow.responseHeaders.push_back({"Set-Cookie", line});
  }
  return allow;
}

Decision Gate::unauthenticated(const CheckRequest& request, const ProviderSnapshot* provider,
                               RandomSource& random) const {
  const std::string_view endpoint = gateEndpoint(request);
  if (endpoint == "/auth" || endpoint == "/userinfo") {
    return errorPage(request, 401, "Unauthorized", "Sign in first.");
  }
  if (wantsJson(request)) {
    Respond respond = errorPage(request, 401, "Unauthorized", "Sign in first.");
    respond.headers.push_back({"WWW-Authenticate", "Bearer realm=\"authgate\""});
    return respond;
  }
  std::string here(request.path);
  if (!request.query.empty()) {
    here += '?';
    here += request.query;
  }
  return startLogin(request, provider, redirects_.sanitize(here), random);
}

}  // namespace authgate::core::gate
