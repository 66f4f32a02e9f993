#include "core/gate/gate.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/gate/forwarded.h"
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
           redirect::RedirectPolicy redirects, std::optional<session::TicketCodec> tickets)
    : settings_(std::move(settings)),
      sessions_(std::move(sessions)),
      tickets_(std::move(tickets)),
      logins_(std::move(logins)),
      redirects_(std::move(redirects)),
      policyCounters_(settings_.policyCounters
                          ? settings_.policyCounters
                          : std::make_shared<PolicyCounters>(settings_.policies.policies().size())),
      sessionCache_(std::make_shared<SessionCache>(settings_.sessionCacheSize)),
      openRoute_(std::make_shared<const AllowedHeaders>(
          AllowedHeaders{.remove = spoofableIdentityHeaders(settings_)})),
      removedOnAllow_(settings_.bearer ? settings_.bearer->removedOnAllow(settings_)
                                       : openRoute_->remove) {}

OpenedSession Gate::prepare(session::Session session) const {
  return prepareSession(std::move(session), settings_, !settings_.policies.empty(),
                        removedOnAllow_);
}

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
  std::optional<session::TicketCodec> tickets;
  if (settings.serverSessions) {
    auto codec = session::TicketCodec::create(secrets);
    if (!codec) {
      return fail("cookie secrets: " + codec.error());
    }
    tickets.emplace(std::move(*codec));
  }
  LoginStateCookies logins(std::move(*login_box), settings.cookieName);
  return Gate(std::move(settings), std::move(*sessions), std::move(logins), std::move(*redirects),
              std::move(tickets));
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
                      RandomSource& random, const BearerKeySource* bearerKeys) const {
  // 1) liveness and readiness.
  if (request.path == settings_.pingPath) {
    return plainText(200, "OK");
  }
  if (request.path == settings_.readyPath) {
    return provider ? plainText(200, "OK")
                    : plainText(503, "not ready: the identity provider is not reachable yet");
  }
  // 2) the gate's own endpoints.
  if (const auto below = pathBelow(request.path, settings_.proxyPrefix)) {
    const std::string_view endpoint = *below;
    if (endpoint == "/start" || endpoint == "/sign_in") {
      return startLogin(request, provider, redirects_.sanitize(returnTarget(request)), random);
    }
    if (endpoint == "/callback") {
      return callback(request);
    }
    if (endpoint == "/sign_out") {
      return signOut(request, provider);
    }
    if (endpoint == "/backchannel_logout") {
      return backchannelLogout(request, provider);
    }
    if (endpoint == "/auth" || endpoint == "/userinfo") {
      return authorize(request, provider, random, bearerKeys);
    }
    return errorPage(request, 404, "Not Found", "There is no such endpoint.");
  }
  // 3) everything else is a protected resource.
  return authorize(request, provider, random, bearerKeys);
}

namespace {

// A key source with no keys: every bearer token is refused until keys are configured.
class NoBearerKeys final : public BearerKeySource {
 public:
  std::shared_ptr<const jose::Jwks> keysFor(std::size_t) const override { return nullptr; }
  void unknownKey(std::size_t, std::string_view) const override {}
};

}  // namespace

Respond Gate::invalidToken(const CheckRequest& request, const BearerOutcome& outcome) {
  Respond respond = errorPage(request, 401,
                              {.code = "invalid_token",
                               .title = "Unauthorized",
                               .message = "The bearer token was refused: " + outcome.description});
  // RFC 6750 §3: the description is printable ASCII without the quote and the backslash.
  std::string description;
  for (const char c : outcome.description) {
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      description += c;
    }
  }
  respond.headers.push_back(
      {"WWW-Authenticate",
       "Bearer realm=\"authgate\", error=\"invalid_token\", error_description=\"" + description +
           "\""});
  respond.reason = "bearer token refused: " + outcome.detail;
  return respond;
}

Decision Gate::authorize(const CheckRequest& request, const ProviderSnapshot* provider,
                         RandomSource& random, const BearerKeySource* bearerKeys) const {
  // Routes open without login: no identity is passed on (client copies of identity headers are
  // still removed), but DENY policies apply as to any anonymous request.
  if (gateEndpoint(request).empty() && settings_.skipRoutes.skips(request.method, request.path)) {
    std::vector<AuditRecord> audits;
    if (auto denied = enforcePolicies(request, RequestIdentity{}, audits)) {
      return std::move(*denied);
    }
    Allow open;
    open.headers = openRoute_;
    open.audits = std::move(audits);
    return open;
  }
  if (settings_.bearer && !settings_.bearer->empty()) {
    static const NoBearerKeys kNoKeys;
    const BearerOutcome bearer = settings_.bearer->authenticate(
        request, bearerKeys ? *bearerKeys : kNoKeys, settings_, request.now);
    if (bearer.kind == BearerOutcome::Kind::Invalid) {
      return invalidToken(request, bearer);
    }
    if (bearer.kind == BearerOutcome::Kind::Valid) {
      // Only the policies read the identity: without any, the claims are not copied.
      const RequestIdentity identity =
          settings_.policies.empty() ? RequestIdentity{} : RequestIdentity{bearer.identity->claims};
      return authorized(request, bearer.identity->session, identity, bearer.allowed, {});
    }
  }
  const RequestCookies cookies = parseCookieHeader(request.header("Cookie").value_or(""));
  std::string chunks;  // used (allocated) only for a cookie that came in chunks
  if (auto joined = session::joinCookie(
          settings_.cookieName, [&](std::string_view name) { return cookies.find(name); }, chunks);
      joined && joined->has_value()) {
    if (tickets_) {
      return authorizeTicket(request, **joined, provider, random);
    }
    // A cookie seen before is not opened again until its session could answer differently
    // (reusableUntil); a cookie that needs a refresh is never cached.
    const bool cached = sessionCache_->capacity() > 0;
    const crypto::Sha256Digest key = cached ? crypto::sha256({**joined}) : crypto::Sha256Digest{};
    if (cached) {
      if (auto hit = sessionCache_->find(key, request.now)) {
        return authorized(request, *hit, {});
      }
    }
    if (auto opened = sessions_.open(**joined, request.now); opened) {
      return serveSession(request, std::move(*opened), key, std::nullopt, nullptr, provider,
                          random);
    }
  }
  return unauthenticated(request, provider, random);
}

Decision Gate::serveSession(const CheckRequest& request, session::Session session,
                            const crypto::Sha256Digest& cacheKey,
                            std::optional<UnixSeconds> cacheUntil, const session::Ticket* ticket,
                            const ProviderSnapshot* provider, RandomSource& random) const {
  if (auto refresh = refreshFor(session, request.now)) {
    if (ticket) {
      refresh->storeKey = storeKeyOf(*ticket);
      refresh->lockKey = settings_.serverSessions->keyPrefix + "lock:" + ticket->idText();
      refresh->sessionKey = ticket->idText();  // one grant per stored session, not per token
      refresh->ticket = *ticket;
    }
    return std::move(*refresh);
  }
  if (!tokensValid(session, request.now)) {
    return unauthenticated(request, provider, random);
  }
  UnixSeconds until = reusableUntil(session, settings_);
  if (cacheUntil) {
    until = std::min(until, *cacheUntil);
  }
  auto prepared = std::make_shared<const OpenedSession>(prepare(std::move(session)));
  if (sessionCache_->capacity() > 0) {
    sessionCache_->insert(cacheKey, prepared, until, request.now);
  }
  return authorized(request, *prepared, {});
}

std::string_view Gate::gateEndpoint(const CheckRequest& request) const {
  return request.path.starts_with(settings_.proxyPrefix)
             ? request.path.substr(settings_.proxyPrefix.size())
             : std::string_view();
}

std::optional<Respond> Gate::enforceAccessRules(const CheckRequest& request,
                                                const session::Session& user) const {
  const bool forAuth = gateEndpoint(request) == "/auth";
  if (!settings_.access.restricts() && !forAuth) {
    return std::nullopt;
  }
  // Only /oauth2/auth takes per-location narrowing (nginx: auth_request /oauth2/auth?...).
  const AccessOverrides overrides =
      forAuth ? AccessOverrides::fromQuery(request.query) : AccessOverrides{};
  const AccessDenial denial =
      checkAccess(settings_.access, user, overrides.empty() ? nullptr : &overrides);
  if (denial == AccessDenial::None) {
    return std::nullopt;
  }
  // Named like the option that refused, so the user knows what to ask for (403, not 401: a
  // new login would not change the answer, and nginx would turn a 401 into a login loop).
  std::string_view rule;
  switch (denial) {
    case AccessDenial::EmailDomain:
      rule = "email_domains";
      break;
    case AccessDenial::EmailNotListed:
      rule = "allowed_emails_file";
      break;
    case AccessDenial::Group:
      rule = "allowed_groups";
      break;
    case AccessDenial::OverrideGroup:
      rule = "allowed_groups (this location)";
      break;
    case AccessDenial::OverrideEmailDomain:
      rule = "allowed_email_domains (this location)";
      break;
    case AccessDenial::OverrideEmail:
      rule = "allowed_emails (this location)";
      break;
    case AccessDenial::None:
      break;
  }
  Respond denied = forbiddenPage(request, "Your account is not allowed here.", rule);
  denied.reason = std::string("access refused: ") + toString(denial);
  return denied;
}

std::optional<Respond> Gate::enforcePolicies(const CheckRequest& request,
                                             const RequestIdentity& identity,
                                             std::vector<AuditRecord>& audits) const {
  if (settings_.policies.empty()) {
    return std::nullopt;
  }
  const bool forAuth = gateEndpoint(request) == "/auth";
  const CheckRequest judged =
      forAuth ? originalRequest(request, settings_.trustedProxies) : request;
  PolicyVerdict verdict = evaluatePolicies(settings_, judged, identity, policyCounters_.get());
  const policy::Decision& decision = verdict.decision;
  if (decision.allowed ||
      (!identity.claims && decision.outcome == policy::Outcome::DeniedNoAllowMatch)) {
    audits = std::move(verdict.audits);
    return std::nullopt;
  }
  Respond denied = decision.outcome == policy::Outcome::DeniedByPolicy
                       ? forbiddenPage(request, "An access policy does not let you open this page.",
                                       decision.policy)
                       : forbiddenPage(request, "No access policy lets you open this page.");
  denied.reason = decision.outcome == policy::Outcome::DeniedByPolicy
                      ? "denied by policy " + std::string(decision.policy)
                      : std::string("no ALLOW policy matched");
  denied.audits = std::move(verdict.audits);
  return denied;
}

Decision Gate::authorized(const CheckRequest& request, const OpenedSession& opened,
                          const std::vector<std::string>& set_cookies) const {
  return authorized(request, opened.session, opened.identity, opened.allowed, set_cookies);
}

Decision Gate::authorized(const CheckRequest& request, const session::Session& session,
                          const RequestIdentity& identity,
                          const std::shared_ptr<const AllowedHeaders>& allowed,
                          const std::vector<std::string>& set_cookies) const {
  const std::string_view endpoint = gateEndpoint(request);
  std::vector<AuditRecord> audits;
  if (endpoint != "/userinfo") {
    if (auto denied = enforceAccessRules(request, session)) {
      addSetCookies(*denied, set_cookies);
      denied->user = allowed->user;
      return std::move(*denied);
    }
    if (auto denied = enforcePolicies(request, identity, audits)) {
      addSetCookies(*denied, set_cookies);  // a refreshed session stays refreshed
      denied->user = allowed->user;
      return std::move(*denied);
    }
  }
  if (endpoint == "/auth") {
    // nginx auth_request and forward-auth gateways: 202 with identity (and a refreshed cookie,
    // which the gateway passes on: auth_request_set + add_header Set-Cookie).
    Respond accepted = plainText(202, "");
    accepted.headers = allowed->gateway;
    addSetCookies(accepted, set_cookies);
    accepted.audits = std::move(audits);
    accepted.user = allowed->user;
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
    respond.user = allowed->user;
    return respond;
  }
  Allow allow;
  allow.headers = allowed;  // shared, not copied
  for (const std::string& line : set_cookies) {
    allow.responseHeaders.push_back({"Set-Cookie", line});
  }
  allow.audits = std::move(audits);
  return allow;
}

Decision Gate::unauthenticated(const CheckRequest& request, const ProviderSnapshot* provider,
                               RandomSource& random) const {
  const std::string_view endpoint = gateEndpoint(request);
  if (endpoint != "/userinfo") {
    std::vector<AuditRecord> audits;
    if (auto denied = enforcePolicies(request, RequestIdentity{}, audits)) {
      return std::move(*denied);
    }
  }
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
