#pragma once
// The one decision: every front end turns its request into a CheckRequest, asks the gate, and
// translates the Decision back. The gate holds no mutable state: it can be shared by threads.
//
// Usage:
//   auto gate = Gate::create(settings, secrets, whitelist);       // once per configuration
//   Decision decision = gate->decide(request, provider.get(), random);
//   if (auto* exchange = std::get_if<Exchange>(&decision)) {
//     auto tokens = co_await idp.exchangeCode(exchange->code, ...);
//     decision = gate->completeLogin(request, *exchange, tokens, *provider, random);
//   }
//   if (auto* refresh = std::get_if<Refresh>(&decision)) {   // one grant per refresh->sessionKey
//     auto tokens = co_await idp.refresh(refresh->refreshToken);
//     decision = gate->completeRefresh(request, *refresh, tokens, provider.get(), random);
//   }
//   // Server-side sessions (settings.serverSessions) add two steps: LoadSession (read the
//   // store, then completeLoad) and StoreSession (write or delete, then send `then`).
//   // io/frontend/DecisionRunner runs these steps until the decision is an Allow or a Respond.
//
// decide() handles, in this order:
//   1) the ping and ready paths;
//   2) the gate's endpoints under the proxy prefix: start, callback, sign_out, auth, userinfo;
//   3) every other path: a valid bearer token (settings.bearer) or session -> Allow with
//      identity headers; an invalid bearer token -> 401 invalid_token; none -> a login
//      (browsers) or 401 JSON (API clients).
// Before 3), settings.skipRoutes lets requests through without login (skip_auth_routes, ACME).
// For signed-in requests settings.access (email_domains, allowed_groups, ...) is checked first.
// Authorization policies (settings.policies) judge every request that reaches 3) or /auth: a
// signed-in request the policies refuse gets 403 naming the policy; an anonymous request that a
// DENY policy matches gets 403 before any login (an ALLOW it lacks may come with the login).
// Token expiry is always checked: a session whose tokens expired, or that is older than
// settings.refreshAfter, yields Refresh when it holds a refresh token; expired tokens without one
// mean no session.

#include <span>
#include <string>

#include "core/gate/authorization.h"
#include "core/gate/bearer.h"
#include "core/gate/check_request.h"
#include "core/gate/decision.h"
#include "core/gate/gate_settings.h"
#include "core/gate/login_state.h"
#include "core/gate/opened_session.h"
#include "core/jose/jwt.h"
#include "core/oidc/token_response.h"
#include "core/random.h"
#include "core/redirect/redirect_policy.h"
#include "core/result.h"
#include "core/session/session_codec.h"
#include "core/session/ticket.h"

namespace authgate::core::gate {

// The session cache's key for a server-side session: SHA-256 of its ticket id.
crypto::Sha256Digest sessionCacheKeyOf(const session::Ticket& ticket);

class Gate {
 public:
  // Fails with a message naming what is wrong (no secret is ever part of it).
  static Result<Gate, std::string> create(GateSettings settings,
                                          std::span<const session::CookieSecret> secrets,
                                          const std::vector<std::string>& whitelist_domains);

  // `bearerKeys` gives the key sets of settings.bearer's rules (null: none loaded, so every
  // bearer token is refused).
  Decision decide(const CheckRequest& request, const ProviderSnapshot* provider,
                  RandomSource& random, const BearerKeySource* bearerKeys = nullptr) const;

  // Finishes a login after the code exchange: validates the ID token (signature, iss, aud,
  // azp, exp, nonce: OIDC Core §3.1.3.7), seals the session, clears the login-state cookie and
  // sends the browser back to where it started: a Respond, or with server-side sessions a
  // StoreSession whose `then` is that Respond.
  Decision completeLogin(const CheckRequest& request, const Exchange& exchange,
                         const Result<oidc::TokenResponse, oidc::TokenError>& tokens,
                         const ProviderSnapshot& provider, RandomSource& random) const;

  // Finishes a refresh (RFC 6749 §6) after the refresh_token grant and answers `request` as
  // decide() would have with a valid session:
  //  - success: the session takes the new access token and expiry, the new refresh token when
  //    the IdP rotated it, and a new ID token when one came (verified like at login, but
  //    without nonce and with the same `sub`: OIDC Core §12.2); it is sealed again and the
  //    answer carries its Set-Cookie lines (Allow::responseHeaders, or the Respond's headers
  //    for /auth and /userinfo);
  //  - the IdP refused (invalid_grant, ...) or its answer cannot be trusted: the session ends,
  //    its cookies are cleared and the request is unauthenticated (login, or 401);
  //  - the IdP is unreachable or overloaded: nothing ends; the old session still serves while
  //    its tokens are valid (a cookie.refresh refresh), otherwise 503.
  // `provider` may be nullptr (provider not ready).
  Decision completeRefresh(const CheckRequest& request, const Refresh& refresh,
                           const Result<oidc::TokenResponse, oidc::TokenError>& tokens,
                           const ProviderSnapshot* provider, RandomSource& random) const;

  // Server-side sessions (settings.serverSessions): answers `request` with what the store held
  // for the LoadSession's key. `stored` is the record, nothing (the session ended: signed out,
  // expired, idle) or the store's failure, which fails closed with storeUnavailable (never an
  // allow, never a login that would loop).
  Decision completeLoad(const CheckRequest& request, const LoadSession& load,
                        const Result<std::optional<std::vector<std::uint8_t>>, std::string>& stored,
                        const ProviderSnapshot* provider, RandomSource& random) const;
  // The answer from this thread's session cache for a LoadSession, when it holds the session:
  // a front end that decides on one thread and completes on another (the gRPC service) finds
  // there what an earlier completion read from the store.
  std::optional<Decision> cachedLoad(const CheckRequest& request, const LoadSession& load) const;
  // 503 with Retry-After: the session store cannot be reached; `reason` goes to the log only.
  Respond storeUnavailable(const CheckRequest& request, std::string reason) const;
  // Drops the in-memory copy of the session with this ticket id (sign-out, back-channel logout).
  void forgetSession(std::span<const std::uint8_t> ticketId) const;
  // The same for the session stored under `storeKey` (a StoreSession's or a logout index's
  // member, as another replica announces it); a key that names no session is ignored.
  void forgetStoredSession(std::string_view storeKey) const;
  // Drops every in-memory session copy: announcements may have been missed (the store's
  // notification channel was down).
  void forgetStoredSessions() const;

  const GateSettings& settings() const { return settings_; }
  // What each of settings().policies decided so far.
  const PolicyCounters& policyCounters() const { return *policyCounters_; }
  // The opened-session cache (hits() / misses() for metrics).
  const SessionCache& sessionCache() const { return *sessionCache_; }

 private:
  Gate(GateSettings settings, session::SessionCodec sessions, LoginStateCookies logins,
       redirect::RedirectPolicy redirects, std::optional<session::TicketCodec> tickets);

  // oauth2-proxy's shortcuts (settings.access, and the /auth query's narrowing) for `user`:
  // nullopt when allowed, else the 403 naming the option that refused.
  std::optional<Respond> enforceAccessRules(const CheckRequest& request,
                                            const session::Session& user) const;
  // The policies' verdict on `request` by `identity` (the original request's method and path
  // for /auth); nullopt when allowed, else the 403 (or, for an anonymous request that only
  // lacks an ALLOW, nothing: signing in may help). `audits` receives the AUDIT records.
  std::optional<Respond> enforcePolicies(const CheckRequest& request,
                                         const RequestIdentity& identity,
                                         std::vector<AuditRecord>& audits) const;

  Decision startLogin(const CheckRequest& request, const ProviderSnapshot* provider,
                      std::string return_to, RandomSource& random) const;
  // The page listing settings.chooser's providers, each starting a login back to `return_to`.
  Respond chooserPage(const CheckRequest& request, std::string_view return_to) const;
  Decision callback(const CheckRequest& request) const;
  Decision signOut(const CheckRequest& request, const ProviderSnapshot* provider) const;
  // <prefix>/backchannel_logout (gate_backchannel.cc).
  Decision backchannelLogout(const CheckRequest& request, const ProviderSnapshot* provider) const;
  // "<keyPrefix>logout:<kind>:<base64url(SHA-256(issuer NUL value))>": the set of the store
  // keys of the sessions with this `sid` or `sub` (kind) at this issuer.
  std::string logoutIndexKey(std::string_view kind, std::string_view issuer,
                             std::string_view value) const;
  // The index sets a session signed in with these ID token claims belongs to.
  std::vector<std::string> logoutIndexKeysOf(const jose::Claims& claims) const;
  Decision authorize(const CheckRequest& request, const ProviderSnapshot* provider,
                     RandomSource& random, const BearerKeySource* bearerKeys) const;
  // The session a valid cookie or record holds: a Refresh when due, else the answer with it
  // (kept in the session cache under `cacheKey` until `cacheUntil`, capped by reusableUntil).
  // `ticket`: the server-side session's ticket, null for cookie sessions.
  Decision serveSession(const CheckRequest& request, session::Session session,
                        const crypto::Sha256Digest& cacheKey, std::optional<UnixSeconds> cacheUntil,
                        const session::Ticket* ticket, const ProviderSnapshot* provider,
                        RandomSource& random) const;
  // Server-side sessions: the cookie's ticket -> the cached session, or a LoadSession.
  Decision authorizeTicket(const CheckRequest& request, std::string_view cookie,
                           const ProviderSnapshot* provider, RandomSource& random) const;
  // The write that stores `session` under `ticket` before `then` is sent.
  Result<StoreSession, session::Failure> storeSession(const session::Session& session,
                                                      const session::Ticket& ticket,
                                                      std::variant<Allow, Respond> then,
                                                      UnixSeconds now, RandomSource& random) const;
  std::string storeKeyOf(const session::Ticket& ticket) const;
  // The answer for a request made with this session; `set_cookies` go to the client with it.
  Decision authorized(const CheckRequest& request, const OpenedSession& opened,
                      const std::vector<std::string>& set_cookies) const;
  // The same for a session from a cookie or a verified bearer token: `identity` is what the
  // policies judge, `allowed` what an Allow (or /auth's 202) passes on.
  Decision authorized(const CheckRequest& request, const session::Session& session,
                      const RequestIdentity& identity,
                      const std::shared_ptr<const AllowedHeaders>& allowed,
                      const std::vector<std::string>& set_cookies) const;
  // prepareSession with this gate's settings (the policy identity only when there are policies).
  OpenedSession prepare(session::Session session) const;
  // 401 with `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750 §3.1).
  static Respond invalidToken(const CheckRequest& request, const BearerOutcome& outcome);
  // The answer without a session: 401 on /auth and /userinfo and for API clients, else a login.
  Decision unauthenticated(const CheckRequest& request, const ProviderSnapshot* provider,
                           RandomSource& random) const;
  // The gate endpoint ("/auth", "/userinfo", ...) the path names, or empty.
  std::string_view gateEndpoint(const CheckRequest& request) const;
  // False once the access token (or, when its expiry is unknown, the ID token) expired.
  static bool tokensValid(const session::Session& session, UnixSeconds now);
  // Refresh when the session's tokens expired or refreshAfter passed and a refresh token exists.
  std::optional<Refresh> refreshFor(const session::Session& session, UnixSeconds now) const;
  // Signature, iss, aud, azp, exp (OIDC Core §3.1.3.7); the nonce only when given.
  Result<jose::VerifiedJwt, jose::Failure> verifyIdToken(const ProviderSnapshot& provider,
                                                         std::string_view id_token,
                                                         std::optional<std::string> nonce,
                                                         UnixSeconds now) const;
  // Set-Cookie lines storing `session`, replacing the family's cookies the request carries.
  Result<std::vector<std::string>, session::Failure> sessionCookies(const CheckRequest& request,
                                                                    const session::Session& session,
                                                                    RandomSource& random) const;
  // The same for a server-side session's ticket.
  Result<std::vector<std::string>, session::Failure> ticketCookies(const CheckRequest& request,
                                                                   const session::Ticket& ticket,
                                                                   RandomSource& random) const;
  // Set-Cookie lines for the sealed cookie `value` (chunked when long).
  Result<std::vector<std::string>, session::Failure> cookieLines(const CheckRequest& request,
                                                                 std::string_view value) const;

  std::string attributesFor(const CheckRequest& request,
                            std::optional<std::chrono::seconds> max_age) const;
  std::string redirectUri(const CheckRequest& request) const;

  GateSettings settings_;
  session::SessionCodec sessions_;
  std::optional<session::TicketCodec> tickets_;  // set with settings.serverSessions
  LoginStateCookies logins_;
  redirect::RedirectPolicy redirects_;
  std::shared_ptr<PolicyCounters> policyCounters_;  // atomics: shared, never replaced
  std::shared_ptr<SessionCache> sessionCache_;      // shared: the gate stays movable
  // Built once: what an Allow on an open route passes on (only the client-sent
  // spoofableIdentityHeaders to remove), and the headers removed from signed-in requests (those
  // and every bearer rule's output header: BearerAuthenticator::removedOnAllow).
  std::shared_ptr<const AllowedHeaders> openRoute_;
  std::vector<std::string> removedOnAllow_;
};

}  // namespace authgate::core::gate
