// OpenID Connect Back-Channel Logout 1.0 on the gate's side: the provider POSTs a logout token
// to <proxy prefix>/backchannel_logout; the gate verifies it and names the index sets whose
// sessions must end (EndSessions). Logins add each stored session to the sets of its provider
// session id (`sid`) and of its subject, which is how the sessions are found. Only server-side
// sessions can be ended this way: a cookie session lives in the browser alone.
#include "core/crypto/sha256.h"
#include "core/encoding/base64url.h"
#include "core/gate/gate.h"
#include "core/gate/responses.h"
#include "core/oidc/logout_token.h"

namespace authgate::core::gate {
namespace {

// The form's media type (§2.5), parameters such as charset allowed.
bool isFormBody(const CheckRequest& request) {
  const std::string_view type = request.header("Content-Type").value_or("");
  constexpr std::string_view kForm = "application/x-www-form-urlencoded";
  return type.size() >= kForm.size() && equalsIgnoreCase(type.substr(0, kForm.size()), kForm) &&
         (type.size() == kForm.size() || type[kForm.size()] == ';' || type[kForm.size()] == ' ');
}

// §2.8: 400 for a request that is not a valid logout request, with an OAuth error code.
Respond badLogoutRequest(const CheckRequest& request, std::string reason) {
  Respond respond = errorPage(request, 400,
                              {.code = "invalid_request",
                               .title = "Bad Request",
                               .message = "The logout token was refused."});
  respond.reason = "back-channel logout: " + std::move(reason);
  return respond;
}

}  // namespace

std::string Gate::logoutIndexKey(std::string_view kind, std::string_view issuer,
                                 std::string_view value) const {
  // Hashed: provider ids can be long and hold any character; the issuer keeps two providers'
  // equal ids apart.
  const crypto::Sha256Digest digest = crypto::sha256({issuer, std::string_view("\0", 1), value});
  return settings_.serverSessions->keyPrefix + "logout:" + std::string(kind) + ":" +
         base64url::encode(digest);
}

std::vector<std::string> Gate::logoutIndexKeysOf(const jose::Claims& claims) const {
  std::vector<std::string> keys{logoutIndexKey("sub", claims.iss, claims.sub)};
  if (const auto* sid = claims.all.if_contains("sid");
      sid && sid->is_string() && !sid->get_string().empty()) {
    keys.push_back(logoutIndexKey("sid", claims.iss, sid->get_string()));
  }
  return keys;
}

Decision Gate::backchannelLogout(const CheckRequest& request,
                                 const ProviderSnapshot* provider) const {
  if (request.method != "POST") {
    Respond respond = errorPage(request, 405, "Method Not Allowed", "Use POST.");
    respond.headers.push_back({"Allow", "POST"});
    return respond;
  }
  if (!tickets_) {
    Respond respond = errorPage(
        request, 501,
        {.code = "not_implemented",
         .title = "Not Implemented",
         .message = "Back-channel logout needs server-side sessions (session_store: redis)."});
    respond.reason = "back-channel logout: cookie sessions cannot be ended by the provider";
    return respond;
  }
  if (!isFormBody(request)) {
    return badLogoutRequest(request, "the body is not application/x-www-form-urlencoded");
  }
  const std::string token = queryParam(request.body, "logout_token");
  if (token.empty()) {
    return badLogoutRequest(request, "no logout_token");
  }
  if (provider == nullptr || !provider->keys) {
    Respond respond = idpUnreachablePage(request);
    respond.reason = "back-channel logout: the provider's keys are not loaded yet";
    return respond;
  }
  auto logout = oidc::verifyLogoutToken(token, *provider->keys,
                                        {.issuer = provider->issuer,
                                         .clientId = settings_.client.clientId,
                                         .allowedAlgorithms = settings_.allowedAlgorithms,
                                         .skewSeconds = settings_.clockSkewSeconds,
                                         .now = request.now});
  if (!logout) {
    return badLogoutRequest(request, logout.error());
  }
  // §2.7: with a sid, that provider session's sessions end; with only a sub, all of the user's.
  Respond done = plainText(200, "");
  addNoCacheHeaders(done);  // §2.8: Cache-Control: no-store
  return EndSessions{.indexKeys = {logout->sessionId.empty()
                                       ? logoutIndexKey("sub", logout->issuer, logout->subject)
                                       : logoutIndexKey("sid", logout->issuer, logout->sessionId)},
                     .then = std::move(done)};
}

}  // namespace authgate::core::gate
