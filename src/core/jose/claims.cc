#include "core/jose/claims.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/encoding/json.h"

namespace authgate::core::jose {
namespace {

Unexpected<Failure> failWith(Error code, std::string detail) {
  return fail(Failure{code, std::move(detail)});
}

// A registered claim read with its type checked: absent is fine, the wrong type is not.
template <class T>
using Checked = Result<std::optional<T>, Failure>;

Checked<std::string> stringClaim(const boost::json::object& claims, std::string_view name) {
  const auto* value = claims.if_contains(name);
  if (value == nullptr) {
    return std::optional<std::string>{};
  }
  const auto* text = value->if_string();
  if (text == nullptr) {
    return failWith(Error::MalformedClaims, "\"" + std::string(name) + "\" is not a string");
  }
  return std::optional<std::string>{std::string(*text)};
}

// RFC 7519 §2 NumericDate: a JSON number of seconds, possibly with a fraction.
Checked<double> dateClaim(const boost::json::object& claims, std::string_view name) {
  const auto* value = claims.if_contains(name);
  if (value == nullptr) {
    return std::optional<double>{};
  }
  double seconds = 0;
  if (const auto* i = value->if_int64(); i != nullptr) {
    seconds = static_cast<double>(*i);
  } else if (const auto* u = value->if_uint64(); u != nullptr) {
    seconds = static_cast<double>(*u);
  } else if (const auto* d = value->if_double(); d != nullptr && std::isfinite(*d)) {
    seconds = *d;
  } else {
    return failWith(Error::MalformedClaims, "\"" + std::string(name) + "\" is not a NumericDate");
  }
  return std::optional<double>{seconds};
}

Checked<std::vector<std::string>> audienceClaim(const boost::json::object& claims) {
  const auto* value = claims.if_contains("aud");
  if (value == nullptr) {
    return std::optional<std::vector<std::string>>{};
  }
  if (const auto* one = value->if_string(); one != nullptr) {
    return std::optional<std::vector<std::string>>{{std::string(*one)}};
  }
  const auto* many = value->if_array();
  if (many == nullptr) {
    return failWith(Error::MalformedClaims, "\"aud\" is neither a string nor an array");
  }
  std::vector<std::string> audiences;
  for (const auto& item : *many) {
    const auto* text = item.if_string();
    if (text == nullptr) {
      return failWith(Error::MalformedClaims, "\"aud\" holds a non-string");
    }
    audiences.emplace_back(*text);
  }
  return std::optional<std::vector<std::string>>{std::move(audiences)};
}

// Saturating conversions toward refusal (see Claims).
UnixSeconds toSeconds(double seconds, bool roundUp) {
  const double rounded = roundUp ? std::ceil(seconds) : std::floor(seconds);
  constexpr double kMax = 9.2e18;  // just inside the int64 range
  if (rounded >= kMax) {
    return std::numeric_limits<UnixSeconds>::max();
  }
  if (rounded <= -kMax) {
    return std::numeric_limits<UnixSeconds>::min();
  }
  return static_cast<UnixSeconds>(rounded);
}

bool sameSecret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// Every check of claims.h, in its order; Claims::all is left to the caller.
Result<Claims, Failure> checkClaims(const boost::json::object& payload, const ClaimRules& rules) {
  auto iss = stringClaim(payload, "iss");
  auto sub = stringClaim(payload, "sub");
  auto azp = stringClaim(payload, "azp");
  auto nonce = stringClaim(payload, "nonce");
  auto jti = stringClaim(payload, "jti");
  for (const auto* claim : {&iss, &sub, &azp, &nonce, &jti}) {
    if (!*claim) {
      return fail(claim->error());
    }
  }
  auto aud = audienceClaim(payload);
  if (!aud) {
    return fail(aud.error());
  }
  auto exp = dateClaim(payload, "exp");
  auto nbf = dateClaim(payload, "nbf");
  auto iat = dateClaim(payload, "iat");
  for (const auto* claim : {&exp, &nbf, &iat}) {
    if (!*claim) {
      return fail(claim->error());
    }
  }

  // 1) iss: exact, case-sensitive comparison (OIDC Core §3.1.3.7 step 2).
  if (!*iss || **iss != rules.issuer) {
    return failWith(Error::IssuerMismatch, *iss ? "issuer " + quoteUntrusted(**iss) + " is not " +
                                                      quoteUntrusted(rules.issuer)
                                                : std::string("\"iss\" is missing"));
  }
  // 2) aud (RFC 7519 §4.1.3, OIDC Core §3.1.3.7 step 3).
  if (rules.checkAudience) {
    if (!*aud) {
      return failWith(Error::AudienceMismatch, "\"aud\" is missing");
    }
    const bool accepted = std::any_of((*aud)->begin(), (*aud)->end(), [&](const std::string& a) {
      return std::find(rules.audiences.begin(), rules.audiences.end(), a) != rules.audiences.end();
    });
    if (!accepted) {
      return failWith(Error::AudienceMismatch, "\"aud\" names none of the accepted audiences");
    }
  }
  // 3) azp (OIDC Core §3.1.3.7 steps 4-5).
  const std::size_t audiences = *aud ? (*aud)->size() : 0;
  if (rules.checkAuthorizedParty && (*azp ? **azp != rules.clientId : audiences > 1)) {
    return failWith(Error::AuthorizedPartyMismatch,
                    *azp ? "\"azp\" " + quoteUntrusted(**azp) + " is not the client id"
                         : std::string("several audiences and no \"azp\""));
  }
  // 4)-6) time, with the skew on the side of acceptance (RFC 7519 §4.1.4-4.1.6).
  const double now = static_cast<double>(rules.now);
  const double skew = static_cast<double>(std::max<std::int64_t>(rules.skewSeconds, 0));
  if (!*exp) {
    return failWith(Error::ClaimMissing, "\"exp\" is missing");
  }
  if (now >= **exp + skew) {
    return failWith(Error::Expired, "expired at " + std::to_string(toSeconds(**exp, false)) +
                                        ", now is " + std::to_string(rules.now));
  }
  if (*nbf && now < **nbf - skew) {
    return failWith(Error::NotYetValid, "not valid before " +
                                            std::to_string(toSeconds(**nbf, true)) + ", now is " +
                                            std::to_string(rules.now));
  }
  if (*iat && **iat > now + skew) {
    return failWith(Error::IssuedInFuture, "issued at " + std::to_string(toSeconds(**iat, true)) +
                                               ", now is " + std::to_string(rules.now));
  }
  // 7) nonce (OIDC Core §3.1.3.7 step 11); the values are not logged.
  if (rules.nonce && (!*nonce || !sameSecret(**nonce, *rules.nonce))) {
    return failWith(Error::NonceMismatch,
                    *nonce ? "\"nonce\" differs from the expected one" : "\"nonce\" is missing");
  }
  // 8) sub (OIDC Core §2: REQUIRED, never empty).
  if (rules.requireSubject && (!*sub || (*sub)->empty())) {
    return failWith(Error::SubjectMissing, "\"sub\" is missing or empty");
  }

  Claims claims;
  claims.iss = std::move(**iss);
  if (*sub) {  // absent only when !rules.requireSubject
    claims.sub = std::move(**sub);
  }
  if (*aud) {
    claims.aud = std::move(**aud);
  }
  claims.azp = std::move(*azp);
  claims.exp = toSeconds(**exp, false);
  if (*nbf) {
    claims.nbf = toSeconds(**nbf, true);
  }
  if (*iat) {
    claims.iat = toSeconds(**iat, true);
  }
  claims.nonce = std::move(*nonce);
  return claims;
}

}  // namespace

Result<boost::json::object, Failure> parseClaims(std::string_view payload) {
  auto json = json::parse(payload, json::Limits{.maxBytes = 64 * 1024, .maxDepth = 16});
  if (!json) {
    return failWith(Error::MalformedClaims, "the payload is not JSON: " + json.error().detail);
  }
  auto* object = json->if_object();
  if (object == nullptr) {
    return failWith(Error::MalformedClaims, "the payload is not a JSON object");
  }
  return std::move(*object);
}

Result<Claims, Failure> validateClaims(std::string_view payload, const ClaimRules& rules) {
  auto object = parseClaims(payload);
  if (!object) {
    return fail(object.error());
  }
  return validateClaims(std::move(*object), rules);
}

Result<Claims, Failure> validateClaims(boost::json::object&& payload, const ClaimRules& rules) {
  auto claims = checkClaims(payload, rules);
  if (claims) {
    claims->all = std::move(payload);
  }
  return claims;
}

Result<Claims, Failure> validateClaims(const boost::json::object& payload,
                                       const ClaimRules& rules) {
  auto claims = checkClaims(payload, rules);
  if (claims) {
    claims->all = payload;
  }
  return claims;
}

}  // namespace authgate::core::jose
