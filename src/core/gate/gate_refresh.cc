// The refresh half of Gate: when a session needs new tokens (RFC 6749 §6, OIDC Core §12) and
// what the answer of the refresh_token grant does to it.
#include "core/crypto/sha256.h"
#include "core/encoding/base64url.h"
#include "core/gate/gate.h"
#include "core/gate/responses.h"
#include "core/gate/session_claims.h"
#include "core/session/cookie_chunks.h"

namespace authgate::core::gate {
namespace {

// RFC 6749 §5.1 makes expires_in only RECOMMENDED. Without it, and without a new ID token that
// bounds the session, the new access token is assumed to live this long: long enough not to
// send every request to the token endpoint, short enough that a revocation soon takes effect.
constexpr std::int64_t kAssumedAccessTokenLifetime = 300;

// Seconds a browser is told to wait when the IdP cannot refresh its session right now.
constexpr std::string_view kRetryAfterSeconds = "5";

// The token endpoint could not answer now, as opposed to refusing the grant: the adapter's own
// codes (io/idp/token_client.h), the overload codes some IdPs send, and HTTP 429/5xx answers
// without an OAuth error body (named "http_<status>" by oidc::parseTokenResponse).
bool idpUnavailable(std::string_view error) {
  return error == "transport_error" || error == "provider_not_ready" ||
         error == "temporarily_unavailable" || error == "server_error" || error == "http_429" ||
         (error.size() == 8 && error.starts_with("http_5"));
}

// base64url(SHA-256(refresh token)): a key for the refresh in flight that does not put the
// token itself into maps and logs.
std::string sessionKeyOf(std::string_view refresh_token) {
  return base64url::encode(crypto::sha256({refresh_token}));
}

}  // namespace

std::optional<Refresh> Gate::refreshFor(const session::Session& session, UnixSeconds now) const {
  if (session.refreshToken.empty() ||
      (session.refreshTokenExpiresAt != 0 && session.refreshTokenExpiresAt <= now)) {
    return std::nullopt;
  }
  // cookie.refresh (oauth2-proxy): an old enough session is refreshed while its tokens are
  // still valid, so that a user disabled at the IdP loses access within that interval.
  const bool due = settings_.refreshAfter.count() > 0 &&
                   now - session.createdAt > settings_.refreshAfter.count();
  if (!due && tokensValid(session, now)) {
    return std::nullopt;
  }
  return Refresh{.refreshToken = session.refreshToken,
                 .sessionKey = sessionKeyOf(session.refreshToken),
                 .session = session};
}

Decision Gate::completeRefresh(const CheckRequest& request, const Refresh& refresh,
                               const Result<oidc::TokenResponse, oidc::TokenError>& tokens,
                               const ProviderSnapshot* provider, RandomSource& random) const {
  const session::Session& old = refresh.session;
  // The session ends: its cookies are cleared and the request is answered as without one.
  auto end_session = [&](std::string_view outcome, std::string reason) -> Decision {
    Decision answer = unauthenticated(request, provider, random);
    setFlow(answer, FlowStep::Refresh, outcome);
    if (auto* respond = std::get_if<Respond>(&answer)) {
      const RequestCookies cookies = parseCookieHeader(request.header("Cookie").value_or(""));
      addSetCookies(*respond, session::clearCookies(
                                  settings_.cookieName, attributesFor(request, std::nullopt),
                                  [&](std::string_view n) { return cookies.find(n); }));
      respond->reason = std::move(reason);
    }
    if (refresh.ticket) {
      // The grant is gone: so is the stored session, on every replica.
      forgetSession(refresh.ticket->id);
      return StoreSession{.storeKey = refresh.storeKey, .then = finalAnswer(std::move(answer))};
    }
    return answer;
  };

  if (!tokens) {
    const oidc::TokenError& error = tokens.error();
    if (!idpUnavailable(error.error)) {
      // RFC 6749 §5.2: invalid_grant and the like; the grant is gone (revoked, expired, or a
      // rotated token replayed), so is the session.
      return end_session("refused", "refresh refused: " + error.error + ": " + error.detail);
    }
    if (tokensValid(old, request.now)) {
      // Only cookie.refresh was due: try again later.
      Decision kept = authorized(request, prepare(old), {});
      setFlow(kept, FlowStep::Refresh, "deferred");
      return kept;
    }
    Respond respond = errorPage(request, 503, "Identity provider unavailable",
                                "Your session needs renewing and the sign-in service cannot be "
                                "reached right now. Try again shortly.");
    respond.headers.push_back({"Retry-After", std::string(kRetryAfterSeconds)});
    respond.reason = "refresh failed: " + error.error + ": " + error.detail;
    respond.flow = {.step = FlowStep::Refresh, .outcome = "idp_unreachable"};
    return respond;
  }

  session::Session session = old;
  if (!tokens->idToken.empty()) {
    // OIDC Core §12.2: the same iss, aud and sub as at login; no nonce (there was no request).
    // The refresh token is spent by now, so an answer that cannot be trusted ends the session.
    if (provider == nullptr) {
      return end_session("id_token_invalid",
                         "refresh: a new ID token but no provider keys to verify it");
    }
    auto verified = verifyIdToken(*provider, tokens->idToken, std::nullopt, request.now);
    if (!verified) {
      return end_session(
          "id_token_invalid",
          "refresh: ID token refused: " + std::string(jose::toString(verified.error().code)) +
              ": " + verified.error().detail);
    }
    if (verified->claims.sub != old.subject) {
      return end_session("subject_changed", "refresh: the new ID token names another subject");
    }
    setIdentity(session, verified->claims, settings_);
    session.idToken = tokens->idToken;
    session.idTokenExpiresAt = verified->claims.exp;
  }
  session.accessToken = tokens->accessToken;
  session.accessTokenExpiresAt = tokens->accessTokenExpiresAt;
  if (session.accessTokenExpiresAt == 0 && tokens->idToken.empty()) {
    session.accessTokenExpiresAt = request.now + kAssumedAccessTokenLifetime;
  }
  if (!tokens->refreshToken.empty()) {
    // RFC 6749 §6: a rotated refresh token replaces the old one, which the IdP now refuses.
    session.refreshToken = tokens->refreshToken;
    session.refreshTokenExpiresAt = 0;
  }
  // The refreshed cookie starts a new lifetime (as oauth2-proxy re-saves it); createdAt also
  // restarts the cookie.refresh interval.
  session.createdAt = request.now;
  session.expiresAt = request.now + settings_.cookieExpire.count();
  if (refresh.ticket) {
    // The cookie (the ticket) stays as it is; the store takes the new tokens before the answer.
    Decision refreshed = authorized(request, prepare(session), {});
    setFlow(refreshed, FlowStep::Refresh, "ok");
    auto store = storeSession(session, *refresh.ticket, finalAnswer(std::move(refreshed)),
                              request.now, random);
    if (!store) {
      return end_session("not_stored", "refreshed session not stored: " + store.error().detail);
    }
    return std::move(*store);
  }
  auto lines = sessionCookies(request, session, random);
  if (!lines) {
    return end_session("not_stored", "refreshed session not stored: " + lines.error().detail);
  }
  Decision refreshed = authorized(request, prepare(std::move(session)), *lines);
  setFlow(refreshed, FlowStep::Refresh, "ok");
  return refreshed;
}

}  // namespace authgate::core::gate
