// The login and sign-out halves of Gate: starting the authorization-code flow, checking the
// callback, finishing the login after the code exchange, and signing out.
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "core/gate/gate.h"
#include "core/gate/identity_headers.h"
#include "core/gate/responses.h"
#include "core/gate/session_claims.h"
#include "core/jose/jwt.h"
#include "core/session/cookie_chunks.h"

namespace authgate::core::gate {

Respond Gate::chooserPage(const CheckRequest& request, std::string_view return_to) const {
  const bool asked = gateEndpoint(request) == "/start" || gateEndpoint(request) == "/sign_in";
  Respond respond;
  respond.status = asked ? 200 : 403;  // 403 like oauth2-proxy's sign-in page for a resource
  respond.headers.push_back({"Content-Type", "text/html; charset=utf-8"});
  respond.body =
      "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Sign in</title></head>\n"
      "<body><h1>Sign in</h1>\n<ul id=\"providers\">\n";
  for (const GateSettings::ProviderLink& link : settings_.chooser) {
    boost::urls::url start(settings_.proxyPrefix + "/start");
    start.params().append({"provider", link.id});
    start.params().append({"rd", return_to});
    respond.body += "<li><a href=\"" + htmlEscape(start.buffer()) + "\">Sign in with " +
                    htmlEscape(link.name) + "</a></li>\n";
  }
  respond.body += "</ul>\n</body></html>\n";
  addNoCacheHeaders(respond);
  return respond;
}

Decision Gate::startLogin(const CheckRequest& request, const ProviderSnapshot* provider,
                          std::string return_to, RandomSource& random) const {
  if (!settings_.chooser.empty()) {
    return chooserPage(request, return_to);
  }
  if (provider == nullptr || !provider->reachable) {
    // Sending the browser to a dead IdP would only show it a connection error.
    Respond respond = idpUnreachablePage(request);
    respond.reason = provider == nullptr
                         ? "login not started: the identity provider is not ready"
                         : "login not started: the identity provider is unreachable";
    respond.flow = {.step = FlowStep::Login, .outcome = "idp_unreachable"};
    return respond;
  }
  oidc::LoginRequest login = oidc::LoginRequest::create(random, std::move(return_to), request.now);
  auto sealed = logins_.seal(login, random);
  if (!sealed) {
    Respond respond = signInErrorPage(request, 500, "The sign-in could not be started.");
    respond.reason = "login state not sealed: " + sealed.error();
    respond.flow = {.step = FlowStep::Login, .outcome = "state_not_sealed"};
    return respond;
  }
  oidc::ClientRegistration client = settings_.client;
  client.redirectUri = redirectUri(request);
  Respond respond =
      redirectTo(oidc::authorizationUrl(provider->authorizationEndpoint, client, login));
  respond.headers.push_back({"Set-Cookie", logins_.cookieName(login.state) + "=" + *sealed + "; " +
                                               attributesFor(request, settings_.loginStateExpire)});
  // Cap the logins in progress: each tab's login has its own cookie; the oldest go first so
  // abandoned attempts never pile up into a 431 (oauth2-proxy #2163).
  const RequestCookies cookies = parseCookieHeader(request.header("Cookie").value_or(""));
  auto pending = logins_.pending(cookies);
  const std::size_t keep = settings_.maxPendingLogins > 0 ? settings_.maxPendingLogins - 1 : 0;
  for (std::size_t i = 0; i + keep < pending.size(); ++i) {
    respond.headers.push_back(
        {"Set-Cookie", pending[i].first + "=; " + attributesFor(request, std::chrono::seconds(0))});
  }
  respond.flow = {.step = FlowStep::Login, .outcome = "ok"};
  return respond;
}

Decision Gate::callback(const CheckRequest& request) const {
  if (const std::string error = queryParam(request.query, "error"); !error.empty()) {
    // RFC 6749 §4.1.2.1: the IdP refused; show its error code, never retry silently. The
    // description is free text anyone can put in a link: the log gets it, the page does not.
    const std::string description = queryParam(request.query, "error_description");
    Respond respond = signInRefusedPage(request, error);
    respond.reason = "the identity provider refused the sign-in: " + headerSafe(error) +
                     (description.empty() ? "" : " (" + headerSafe(description) + ")");
    respond.flow = {.step = FlowStep::Callback, .outcome = "idp_refused"};
    return respond;
  }
  const std::string state = queryParam(request.query, "state");
  const std::string code = queryParam(request.query, "code");
  const RequestCookies cookies = parseCookieHeader(request.header("Cookie").value_or(""));
  auto login = logins_.open(cookies, state);
  if (!login) {
    Respond respond = signInErrorPage(
        request, 403, "This sign-in link is not valid in this browser any more. Start again.");
    respond.reason = "callback refused: " + login.error();
    respond.flow = {.step = FlowStep::Callback, .outcome = "state_invalid"};
    return respond;
  }
  if (login->createdAt + settings_.loginStateExpire.count() < request.now) {
    Respond respond = signInErrorPage(request, 403, "The sign-in took too long. Start again.");
    respond.reason = "callback refused: the login state expired";
    respond.flow = {.step = FlowStep::Callback, .outcome = "state_expired"};
    return respond;
  }
  if (code.empty()) {
    Respond respond = signInErrorPage(request, 403, "The identity provider sent no code.");
    respond.reason = "callback refused: no code";
    respond.flow = {.step = FlowStep::Callback, .outcome = "no_code"};
    return respond;
  }
  return Exchange{.code = code,
                  .codeVerifier = login->codeVerifier,
                  .redirectUri = redirectUri(request),
                  .loginState = std::string(*cookies.find(logins_.cookieName(state))),
                  .loginCookieName = logins_.cookieName(state)};
}

Result<jose::VerifiedJwt, jose::Failure> Gate::verifyIdToken(const ProviderSnapshot& provider,
                                                             std::string_view id_token,
                                                             std::optional<std::string> nonce,
                                                             UnixSeconds now) const {
  if (!provider.keys) {
    return fail(jose::Failure{jose::Error::KeyNotFound, "no key set loaded"});
  }
  jose::VerifyOptions options;
  options.allowedAlgorithms = settings_.allowedAlgorithms;
  options.claims = jose::ClaimRules{.issuer = provider.issuer,
                                    .audiences = {settings_.client.clientId},
                                    .clientId = settings_.client.clientId,
                                    .nonce = std::move(nonce),
                                    .skewSeconds = settings_.clockSkewSeconds,
                                    .now = now};
  return jose::verifyJwt(id_token, *provider.keys, options);
}

Result<std::vector<std::string>, session::Failure> Gate::sessionCookies(
    const CheckRequest& request, const session::Session& session, RandomSource& random) const {
  auto sealed = sessions_.seal(session, random);
  if (!sealed) {
    return fail(sealed.error());
  }
  return cookieLines(request, *sealed);
}

Result<std::vector<std::string>, session::Failure> Gate::ticketCookies(
    const CheckRequest& request, const session::Ticket& ticket, RandomSource& random) const {
  auto sealed = tickets_->seal(ticket, random);
  if (!sealed) {
    return fail(sealed.error());
  }
  return cookieLines(request, *sealed);
}

Result<std::vector<std::string>, session::Failure> Gate::cookieLines(const CheckRequest& request,
                                                                     std::string_view value) const {
  const RequestCookies cookies = parseCookieHeader(request.header("Cookie").value_or(""));
  return session::replaceCookie(settings_.cookieName, value,
                                attributesFor(request, settings_.cookieExpire),
                                [&](std::string_view n) { return cookies.find(n); });
}

Decision Gate::completeLogin(const CheckRequest& request, const Exchange& exchange,
                             const Result<oidc::TokenResponse, oidc::TokenError>& tokens,
                             const ProviderSnapshot& provider, RandomSource& random) const {
  if (!tokens) {
    // No answer at all: the same page as a login started while the IdP is known to be down.
    Respond respond =
        tokens.error().error == "transport_error" || tokens.error().error == "provider_not_ready"
            ? idpUnreachablePage(request)
            : signInErrorPage(request, 502,
                              "The identity provider did not complete the sign-in. Start again.");
    respond.reason = "token endpoint: " + tokens.error().error + ": " + tokens.error().detail;
    respond.flow = {.step = FlowStep::Callback,
                    .outcome = respond.status == 502 ? std::string_view("token_refused")
                                                     : std::string_view("idp_unreachable")};
    return respond;
  }
  auto login = logins_.openValue(exchange.loginState);
  if (!login) {
    Respond respond = signInErrorPage(request, 403, "Start again.");
    respond.reason = login.error();
    respond.flow = {.step = FlowStep::Callback, .outcome = "state_invalid"};
    return respond;
  }
  auto verified = verifyIdToken(provider, tokens->idToken, login->nonce, request.now);
  if (!verified) {
    Respond respond =
        signInErrorPage(request, 403, "The identity provider's answer could not be verified.");
    respond.reason = "ID token refused: " + std::string(jose::toString(verified.error().code)) +
                     ": " + verified.error().detail;
    respond.flow = {.step = FlowStep::Callback, .outcome = "id_token_invalid"};
    return respond;
  }
  const jose::Claims& claims = verified->claims;
  session::Session session;
  setIdentity(session, claims, settings_);
  session.idToken = tokens->idToken;
  session.accessToken = tokens->accessToken;
  session.refreshToken = tokens->refreshToken;
  session.idTokenExpiresAt = claims.exp;
  session.accessTokenExpiresAt = tokens->accessTokenExpiresAt;
  session.createdAt = request.now;
  session.expiresAt = request.now + settings_.cookieExpire.count();
  session.providerId = settings_.providerId;

  const auto not_stored = [&](const session::Failure& failure) {
    Respond respond = signInErrorPage(request, 500, "The session could not be stored.");
    respond.reason = "session not stored: " + failure.detail;
    respond.flow = {.step = FlowStep::Callback, .outcome = "not_stored"};
    return respond;
  };
  const std::optional<session::Ticket> ticket =
      tickets_ ? std::optional(session::newTicket(random)) : std::nullopt;
  auto lines =
      ticket ? ticketCookies(request, *ticket, random) : sessionCookies(request, session, random);
  if (!lines) {
    return not_stored(lines.error());
  }
  Respond respond = redirectTo(redirects_.sanitize(login->returnTo));
  addSetCookies(respond, *lines);
  respond.headers.push_back({"Set-Cookie", exchange.loginCookieName + "=; " +
                                               attributesFor(request, std::chrono::seconds(0))});
  respond.user = userOf(session);
  respond.flow = {.step = FlowStep::Callback, .outcome = "ok"};
  if (!ticket) {
    return respond;
  }
  auto store = storeSession(session, *ticket, std::move(respond), request.now, random);
  if (!store) {
    return not_stored(store.error());
  }
  // Back-channel logout finds the session by these; they last as long as it can.
  store->indexKeys = logoutIndexKeysOf(claims);
  store->indexTtl = std::chrono::seconds(std::max<UnixSeconds>(session.expiresAt - request.now, 1));
  return std::move(*store);
}

Decision Gate::signOut(const CheckRequest& request, const ProviderSnapshot* provider) const {
  const RequestCookies cookies = parseCookieHeader(request.header("Cookie").value_or(""));
  std::string target = redirects_.sanitize(queryParam(request.query, "rd"));
  std::string id_token;
  std::optional<session::Ticket> ticket;
  std::string chunks;
  if (auto joined = session::joinCookie(
          settings_.cookieName, [&](std::string_view n) { return cookies.find(n); }, chunks);
      joined && joined->has_value()) {
    if (tickets_) {
      // The stored session is deleted. Its ID token comes from memory when this replica served
      // it lately; the store is not read for it (id_token_hint is optional: RP-Initiated
      // Logout 1.0 §2).
      if (auto opened = tickets_->open(**joined)) {
        ticket = *opened;
        if (auto cached = sessionCache_->find(sessionCacheKeyOf(*ticket), request.now)) {
          id_token = cached->session.idToken;
        }
      }
    } else if (auto opened = sessions_.open(**joined, request.now)) {
      id_token = opened->idToken;
    }
  }
  // RP-Initiated Logout 1.0 §2: end the IdP session too when the IdP offers it and is reachable
  // (else only the local session ends: better than a browser stuck on a dead IdP).
  if (provider && provider->reachable && !provider->endSessionEndpoint.empty()) {
    if (auto parsed = boost::urls::parse_absolute_uri(provider->endSessionEndpoint)) {
      boost::urls::url url(*parsed);
      if (!id_token.empty()) {
        url.params().append({"id_token_hint", id_token});
      }
      url.params().append({"client_id", settings_.client.clientId});
      if (target.starts_with("/")) {
        target = std::string(request.scheme) + "://" + std::string(request.host) + target;
      }
      url.params().append({"post_logout_redirect_uri", target});
      target = std::string(url.buffer());
    }
  }
  Respond respond = redirectTo(target);
  addSetCookies(respond,
                session::clearCookies(settings_.cookieName, attributesFor(request, std::nullopt),
                                      [&](std::string_view n) { return cookies.find(n); }));
  respond.flow = {.step = FlowStep::SignOut, .outcome = "ok"};
  if (!ticket) {
    return respond;
  }
  forgetSession(ticket->id);
  return StoreSession{.storeKey = storeKeyOf(*ticket), .then = std::move(respond)};
}

}  // namespace authgate::core::gate
