#pragma once
// What the gate needs to know, in the gate's own terms: the app layer builds it from the
// configuration once at start-up (and again on reload), so the core never reads config keys.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/gate/access_rules.h"
#include "core/gate/cookies.h"
#include "core/gate/skip_routes.h"
#include "core/jose/algorithm.h"
#include "core/jose/jwks.h"
#include "core/net/ip_network.h"
#include "core/oidc/login_request.h"
#include "core/policy/policy.h"

namespace authgate::core::gate {

class BearerAuthenticator;  // bearer.h (which needs GateSettings itself)
class PolicyCounters;       // authorization.h (likewise)

struct GateSettings {
  std::string proxyPrefix = "/oauth2";
  std::string pingPath = "/ping";
  std::string readyPath = "/ready";

  std::string cookieName = "_authgate";
  CookieAttributes cookie;                 // domain chosen per request from cookieDomains
  std::vector<std::string> cookieDomains;  // the longest one matching the host wins
  std::chrono::seconds cookieExpire{std::chrono::hours(168)};
  std::chrono::seconds loginStateExpire{std::chrono::minutes(15)};
  std::size_t maxPendingLogins = 5;  // older login-state cookies are deleted beyond this
  // cookie.refresh: refresh a session older than this (now - createdAt) even while its tokens
  // are valid, so revocations at the IdP take effect; 0 = only when the tokens expire.
  std::chrono::seconds refreshAfter{0};
  // Opened session cookies kept (opened_session.h), keyed by SHA-256 of the cookie; 0: none.
  std::size_t sessionCacheSize = 10000;

  // session_store: redis (session/ticket.h): the cookie carries a ticket and the session lives
  // in the store under keyPrefix + "session:" + the ticket's id. Unset: the cookie holds it all.
  struct ServerSessions {
    std::string keyPrefix = "authgate:";
    // A session unused this long ends (the store's expiry slides on each read); 0: never.
    std::chrono::seconds idleTimeout{0};
    // A session read from the store answers later requests from memory this long (bounded
    // by sessionCacheSize); 0: every request reads the store.
    std::chrono::seconds localCacheTtl{5};
  };
  std::optional<ServerSessions> serverSessions;

  // Several providers (`providers:`): each has a gate of its own; its id is recorded in the
  // sessions it makes (Session::providerId, the policies' request.auth.provider).
  std::string providerId;
  // Set on the gate that answers when no provider applies (gate/provider_choice.h): a login
  // there is a page listing these, each linking to <proxyPrefix>/start?provider=<id>.
  struct ProviderLink {
    std::string id;
    std::string name;
  };
  std::vector<ProviderLink> chooser;

  // clientId, scopes; redirectUri empty means "<scheme>://<host><proxyPrefix>/callback".
  oidc::ClientRegistration client;
  std::vector<jose::Algorithm> allowedAlgorithms{jose::Algorithm::RS256};
  std::int64_t clockSkewSeconds = 30;
  std::string userClaim = "email";   // X-Forwarded-User; falls back to `sub`
  std::string emailClaim = "email";  // X-Forwarded-Email (oauth2-proxy's oidc_email_claim)
  std::string groupsClaim = "groups";

  bool passAuthorizationHeader = false;  // Authorization: Bearer <id_token> to the upstream
  bool passAccessToken = false;          // X-Forwarded-Access-Token / X-Auth-Request-Access-Token
  bool setAuthorizationHeader = false;   // Authorization: Bearer <id_token> on /oauth2/auth
  // X-Auth-Request-User, -Email, -Groups, -Preferred-Username (and -Access-Token with
  // passAccessToken) on /oauth2/auth and check answers (oauth2-proxy's set_xauthrequest).
  bool setXAuthRequest = true;
  // X-Forwarded-User, -Email, -Groups, -Preferred-Username to the upstream (pass_user_headers).
  // Client copies of every identity header are removed whatever these say.
  bool passUserHeaders = true;

  // Authorization policies (Istio AuthorizationPolicy semantics, core/policy), applied to every
  // request that reaches a protected resource or /auth; empty: every signed-in user passes.
  policy::PolicySet policies;
  // Where the gate counts what each policy decided (for /metrics). The gates of one
  // configuration (one per provider) share one, so the counts are totals; null: the gate makes
  // its own.
  std::shared_ptr<PolicyCounters> policyCounters;
  // oauth2-proxy's shortcuts: email_domains, the allowed-emails file, allowed_groups (and the
  // /auth query's narrowing), checked for every signed-in request before the policies.
  AccessRules access;
  // Requests that need no login (skip_auth_routes, ACME challenges); DENY policies still apply.
  SkipRoutes skipRoutes;
  // Bearer JWTs (jwt_rules, RequestAuthentication, skip_jwt_bearer_tokens); null or empty: none.
  // A token found in a rule's location decides the request's identity before any cookie.
  std::shared_ptr<const BearerAuthenticator> bearer;

  // Peers whose X-Forwarded-* and realClientIpHeader are believed (gate/forwarded.h).
  std::vector<net::IpNetwork> trustedProxies;
  std::string realClientIpHeader = "X-Real-IP";
};

// What discovery and the JWKS gave; the gate is handed nullptr while the provider is not ready.
struct ProviderSnapshot {
  std::string issuer;
  std::string authorizationEndpoint;
  std::string endSessionEndpoint;  // empty when the IdP publishes none
  std::shared_ptr<const jose::Jwks> keys;
  // False while the adapter's health probe finds the IdP unreachable (io::idp::Provider::
  // reachable()): the gate then sends no browser there (logins answer 503, sign-out stays
  // local). Sessions still work; a due refresh is still tried (the IdP may be back before the
  // probe says so) and, failing, keeps the valid session (Gate::completeRefresh).
  bool reachable = true;
};

}  // namespace authgate::core::gate
