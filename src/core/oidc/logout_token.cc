#include "core/oidc/logout_token.h"

#include "core/jose/error.h"
#include "core/jose/jwt.h"

namespace authgate::core::oidc {
namespace {

// A claim that, when present, must be a non-empty string: its value, or an error.
Result<std::string, std::string> optionalString(const boost::json::object& claims,
                                                std::string_view name) {
  const boost::json::value* value = claims.if_contains(name);
  if (value == nullptr) {
    return std::string();
  }
  if (!value->is_string() || value->get_string().empty()) {
    return fail("\"" + std::string(name) + "\" is not a non-empty string");
  }
  return std::string(value->get_string());
}

}  // namespace

Result<LogoutToken, std::string> verifyLogoutToken(std::string_view token, const jose::Jwks& keys,
                                                   const LogoutTokenRules& rules) {
  jose::VerifyOptions options;
  options.allowedAlgorithms = rules.allowedAlgorithms;
  // Logout tokens carry neither azp nor (always) sub; nonce is refused below instead.
  options.claims = jose::ClaimRules{.issuer = rules.issuer,
                                    .audiences = {rules.clientId},
                                    .clientId = rules.clientId,
                                    .nonce = std::nullopt,
                                    .skewSeconds = rules.skewSeconds,
                                    .now = rules.now,
                                    .checkAudience = true,
                                    .checkAuthorizedParty = false,
                                    .requireSubject = false};
  auto verified = jose::verifyJwt(token, keys, options);
  if (!verified) {
    return fail(std::string(jose::toString(verified.error().code)) + ": " +
                verified.error().detail);
  }
  const jose::Claims& claims = verified->claims;
  if (!claims.iat) {
    return fail(std::string("\"iat\" is missing"));
  }
  // §2.4: events is a JSON object whose member for this event is a JSON object.
  const boost::json::value* events = claims.all.if_contains("events");
  if (events == nullptr || !events->is_object()) {
    return fail(std::string("\"events\" is missing or not an object"));
  }
  const boost::json::value* event = events->get_object().if_contains(kBackchannelLogoutEvent);
  if (event == nullptr || !event->is_object()) {
    return fail(std::string("\"events\" does not name the back-channel logout event"));
  }
  if (claims.all.contains("nonce")) {
    return fail(std::string("a logout token must not contain \"nonce\""));
  }
  auto jti = optionalString(claims.all, "jti");
  if (!jti) {
    return fail(jti.error());
  }
  if (jti->empty()) {
    return fail(std::string("\"jti\" is missing"));
  }
  auto sid = optionalString(claims.all, "sid");
  if (!sid) {
    return fail(sid.error());
  }
  auto sub = optionalString(claims.all, "sub");
  if (!sub) {
    return fail(sub.error());
  }
  if (sid->empty() && sub->empty()) {
    return fail(std::string("neither \"sid\" nor \"sub\" names what to log out"));
  }
  return LogoutToken{
      .issuer = claims.iss, .subject = std::move(*sub), .sessionId = std::move(*sid)};
}

}  // namespace authgate::core::oidc
