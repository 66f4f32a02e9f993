#include "core/gate/bearer.h"

#include <boost/json/serialize.hpp>
#include <forward_list>
#include <limits>
#include <optional>
#include <utility>

#include "core/encoding/json.h"
#include "core/gate/cookies.h"
#include "core/gate/identity_headers.h"
#include "core/gate/opened_session.h"
#include "core/gate/session_claims.h"
#include "core/jose/jwt.h"

namespace authgate::core::gate {
namespace {

using Location = BearerAuthenticator::Location;

// RFC 6750 §2.1 and §2.3: Istio's default when a rule lists no location.
std::vector<Location> locationsOf(const policy::JwtRule& rule) {
  if (rule.usesDefaultLocations()) {
    return {{Location::Kind::Header, "Authorization", "Bearer "},
            {Location::Kind::Param, "access_token", ""}};
  }
  std::vector<Location> out;
  for (const auto& header : rule.fromHeaders) {
    out.push_back({Location::Kind::Header, header.name, header.prefix});
  }
  for (const auto& param : rule.fromParams) {
    out.push_back({Location::Kind::Param, param, ""});
  }
  for (const auto& cookie : rule.fromCookies) {
    out.push_back({Location::Kind::Cookie, cookie, ""});
  }
  return out;
}

bool isSpace(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && isSpace(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && isSpace(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

// The request as the locations see it; the Cookie header is parsed once, when first needed.
// Tokens are views of the request, except decoded query parameters, which this object keeps.
class RequestTokens {
 public:
  explicit RequestTokens(const CheckRequest& request) : request_(request) {}

  // The token at `location`, or nullopt when the location holds none (rule 2 of bearer.h).
  std::optional<std::string_view> at(const Location& location) {
    switch (location.kind) {
      case Location::Kind::Header: {
        const auto value = request_.header(location.name);
        if (!value || value->size() < location.prefix.size() ||
            !equalsIgnoreCase(value->substr(0, location.prefix.size()), location.prefix)) {
          return std::nullopt;
        }
        return trim(value->substr(location.prefix.size()));
      }
      case Location::Kind::Param: {
        std::string value = queryParam(request_.query, location.name);
        if (value.empty()) {
          return std::nullopt;
        }
        decoded_.push_front(std::move(value));  // a list: earlier views stay valid
        return decoded_.front();
      }
      case Location::Kind::Cookie: {
        if (!cookies_) {
          cookies_ = parseCookieHeader(request_.header("Cookie").value_or(""));
        }
        return cookies_->find(location.name);
      }
    }
    return std::nullopt;
  }

 private:
  const CheckRequest& request_;
  std::optional<RequestCookies> cookies_;
  std::forward_list<std::string> decoded_;
};

bool sameLocation(const Location& a, const Location& b) {
  return a.kind == b.kind &&
         (a.kind == Location::Kind::Header ? equalsIgnoreCase(a.name, b.name) : a.name == b.name);
}

// Rule 6 of bearer.h: the header a token came in is removed unless the rule forwards it.
bool stripsToken(const policy::JwtRule& rule, const Location& location) {
  return !rule.forwardOriginalToken && location.kind == Location::Kind::Header;
}

// The RFC 6750 §3 error_description for each refusal: fixed text, nothing from the token.
std::string describe(jose::Error error) {
  switch (error) {
    case jose::Error::TokenTooLarge:
      return "the token is too large";
    case jose::Error::MalformedToken:
      return "the token is not a JWT";
    case jose::Error::MalformedHeader:
      return "the token's header is malformed";
    case jose::Error::MalformedClaims:
      return "the token's claims are malformed";
    case jose::Error::UnknownAlgorithm:
      return "the token's algorithm is not supported";
    case jose::Error::AlgorithmNotAllowed:
      return "the token's algorithm is not allowed";
    case jose::Error::UnsupportedCritical:
      return "the token requires an unsupported extension";
    case jose::Error::KeyNotFound:
      return "the token's signing key is not known";
    case jose::Error::KeyAlgorithmMismatch:
      return "the token's signing key does not fit its algorithm";
    case jose::Error::SignatureInvalid:
      return "the token's signature is invalid";
    case jose::Error::IssuerMismatch:
      return "the token's issuer is not accepted";
    case jose::Error::AudienceMismatch:
      return "the token's audience is not accepted";
    case jose::Error::AuthorizedPartyMismatch:
      return "the token's authorized party is not accepted";
    case jose::Error::Expired:
      return "the token expired";
    case jose::Error::NotYetValid:
      return "the token is not valid yet";
    case jose::Error::IssuedInFuture:
      return "the token was issued in the future";
    case jose::Error::NonceMismatch:
      return "the token's nonce is not accepted";
    case jose::Error::SubjectMissing:
      return "the token has no subject";
    case jose::Error::ClaimMissing:
      return "the token has no expiry";
  }
  return "the token is not accepted";
}

BearerOutcome invalid(std::string description, std::string detail) {
  BearerOutcome outcome;
  outcome.kind = BearerOutcome::Kind::Invalid;
  outcome.description = std::move(description);
  outcome.detail = std::move(detail);
  return outcome;
}

BearerOutcome invalid(const jose::Failure& failure) {
  return invalid(describe(failure.code),
                 std::string(jose::toString(failure.code)) + ": " + failure.detail);
}

// The claim at a dotted path ("a.b.c" -> claims["a"]["b"]["c"]), or nullptr.
const boost::json::value* claimAt(const boost::json::object& claims, std::string_view path) {
  const boost::json::object* object = &claims;
  while (true) {
    const auto dot = path.find('.');
    const auto* value = object->if_contains(path.substr(0, dot));
    if (value == nullptr || dot == std::string_view::npos) {
      return value;
    }
    object = value->if_object();
    if (object == nullptr) {
      return nullptr;
    }
    path.remove_prefix(dot + 1);
  }
}

// Strings as they are, numbers and booleans as JSON text, arrays of strings joined by ','
// (Envoy's claim_to_headers); anything else has no header form.
std::optional<std::string> headerValueOf(const boost::json::value& value) {
  if (const auto* text = value.if_string()) {
    return std::string(*text);
  }
  if (value.is_number() || value.is_bool()) {
    return boost::json::serialize(value);
  }
  const auto* array = value.if_array();
  if (array == nullptr) {
    return std::nullopt;
  }
  std::string joined;
  for (const auto& element : *array) {
    const auto* text = element.if_string();
    if (text == nullptr) {
      return std::nullopt;
    }
    joined += (joined.empty() ? "" : ",");
    joined += *text;
  }
  return joined;
}

std::vector<HeaderLine> outputHeaders(const policy::JwtRule& rule, const jose::Claims& claims,
                                      std::string_view token) {
  std::vector<HeaderLine> out;
  for (const auto& output : rule.outputClaimToHeaders) {
    const auto* value = claimAt(claims.all, output.claim);
    if (value == nullptr) {
      continue;
    }
    if (auto text = headerValueOf(*value)) {
      out.push_back({output.header, headerSafe(*text)});
    }
  }
  if (!rule.outputPayloadToHeader.empty()) {
    // Envoy forwards the payload segment as received: base64url without padding.
    const auto first = token.find('.');
    const auto second = token.find('.', first + 1);
    out.push_back(
        {rule.outputPayloadToHeader, headerSafe(token.substr(first + 1, second - first - 1))});
  }
  return out;
}

// `locations`: the rule's; `removed`: what every Allow strips (removedOnAllow).
std::shared_ptr<const BearerIdentity> identityOf(std::size_t index, const policy::JwtRule& rule,
                                                 const std::vector<Location>& locations,
                                                 std::string token, jose::Claims claims,
                                                 const GateSettings& settings,
                                                 const std::vector<std::string>& removed,
                                                 UnixSeconds now) {
  auto identity = std::make_shared<BearerIdentity>();
  identity->rule = index;
  setIdentity(identity->session, claims, settings);
  identity->session.accessToken = token;
  identity->session.accessTokenExpiresAt = claims.exp;
  identity->session.expiresAt = claims.exp;
  identity->session.createdAt = claims.iat.value_or(now);
  identity->outputHeaders = outputHeaders(rule, claims, token);
  identity->claims = std::move(claims);
  identity->token = std::move(token);
  std::shared_ptr<const AllowedHeaders> tokenKept;  // for every location that keeps the token
  for (const Location& location : locations) {
    if (stripsToken(rule, location)) {
      std::vector<std::string> stripped = removed;
      stripped.push_back(location.name);
      identity->allowedByLocation.push_back(allowedHeaders(
          identity->session, settings, std::move(stripped), identity->outputHeaders));
      continue;
    }
    if (!tokenKept) {
      tokenKept = allowedHeaders(identity->session, settings, removed, identity->outputHeaders);
    }
    identity->allowedByLocation.push_back(tokenKept);
  }
  return identity;
}

// exp + skew without overflow: the instant verification starts refusing the token.
UnixSeconds validUntil(UnixSeconds exp, std::int64_t skew) {
  constexpr UnixSeconds kMax = std::numeric_limits<UnixSeconds>::max();
  return exp > kMax - skew ? kMax : exp + skew;
}

}  // namespace

BearerAuthenticator::BearerAuthenticator(std::vector<policy::JwtRule> rules, Options options)
    : rules_(std::move(rules)),
      options_(std::move(options)),
      cache_(std::make_shared<VerifiedTokenCache>(options_.cacheCapacity)) {
  for (const auto& rule : rules_) {
    locations_.push_back(locationsOf(rule));
  }
}

Result<BearerAuthenticator, std::string> BearerAuthenticator::create(
    std::vector<policy::JwtRule> rules, Options options) {
  if (options.allowedAlgorithms.empty()) {
    return fail(std::string("no signature algorithm is allowed for bearer tokens"));
  }
  if (options.skewSeconds < 0) {
    return fail(std::string("the clock skew for bearer tokens cannot be negative"));
  }
  for (const auto& rule : rules) {
    const std::string where = (rule.origin.empty() ? "a JWT rule" : rule.origin) + ": ";
    if (rule.issuer.empty()) {
      return fail(where + "issuer is empty");
    }
    for (const auto& header : rule.fromHeaders) {
      if (header.name.empty()) {
        return fail(where + "a header location has no name");
      }
    }
    for (const auto& names : {&rule.fromParams, &rule.fromCookies}) {
      for (const auto& name : *names) {
        if (name.empty()) {
          return fail(where + "a parameter or cookie location has no name");
        }
      }
    }
    for (const auto& output : rule.outputClaimToHeaders) {
      if (output.header.empty() || output.claim.empty()) {
        return fail(where + "an output claim header needs a header and a claim");
      }
    }
  }
  return BearerAuthenticator(std::move(rules), std::move(options));
}

std::vector<std::string> BearerAuthenticator::outputHeaderNames() const {
  std::vector<std::string> names;
  for (const auto& rule : rules_) {
    for (const auto& output : rule.outputClaimToHeaders) {
      names.push_back(output.header);
    }
    if (!rule.outputPayloadToHeader.empty()) {
      names.push_back(rule.outputPayloadToHeader);
    }
  }
  return names;
}

std::vector<std::string> BearerAuthenticator::removedOnAllow(const GateSettings& settings) const {
  std::vector<std::string> names = spoofableIdentityHeaders(settings);
  // A token without a claim leaves its output header unset: a client's copy must not pass.
  for (std::string& name : outputHeaderNames()) {
    names.push_back(std::move(name));
  }
  return names;
}

BearerOutcome BearerAuthenticator::authenticate(const CheckRequest& request,
                                                const BearerKeySource& keys,
                                                const GateSettings& settings,
                                                UnixSeconds now) const {
  // 1)-2) The first token in rule order, then location order.
  RequestTokens tokens(request);
  std::optional<std::string_view> token;
  const Location* from = nullptr;
  for (const auto& locations : locations_) {
    for (const auto& location : locations) {
      if ((token = tokens.at(location))) {
        from = &location;
        break;
      }
    }
    if (token) {
      break;
    }
  }
  if (!token || from == nullptr) {
    return {};
  }
  if (token->empty()) {
    return invalid("the token is empty", "an empty token in " + from->name);
  }
  if (token->size() > jose::kMaxTokenSize) {  // before hashing it for the cache
    return invalid(describe(jose::Error::TokenTooLarge),
                   std::to_string(token->size()) + " bytes in " + from->name);
  }

  // 3) The rules that list this location and find this same token there; a cache hit wins.
  // Where rule i lists the token's location, as an index into locations_[i]; none when it
  // lists it with another header prefix (a parameter or cookie of the same name holds the same
  // token). Found anew for each use: a list of candidates would be an allocation per request.
  auto locationIn = [&](std::size_t i) -> std::optional<std::size_t> {
    for (std::size_t at = 0; at < locations_[i].size(); ++at) {
      const Location& location = locations_[i][at];
      if (sameLocation(location, *from) &&
          (location.kind != Location::Kind::Header || tokens.at(location) == token)) {
        return at;
      }
    }
    return std::nullopt;
  };
  auto valid = [&](std::shared_ptr<const BearerIdentity> identity, std::size_t at) {
    BearerOutcome outcome;
    outcome.kind = BearerOutcome::Kind::Valid;
    const Location& location = locations_[identity->rule][at];
    if (stripsToken(rules_[identity->rule], location)) {
      outcome.removedHeader = location.name;
    }
    outcome.allowed = identity->allowedByLocation[at];
    outcome.identity = std::move(identity);
    return outcome;
  };
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    if (const auto at = locationIn(i)) {
      if (auto cached = cache_->find(i, *token, now)) {
        return valid(std::move(cached), *at);
      }
    }
  }

  // 4) The unverified issuer only selects the rules; verification decides. The token and its
  // payload JSON are parsed once, here, and verified as parsed.
  auto parsed = jose::parseJwt(*token);
  if (!parsed) {
    return invalid(parsed.error());
  }
  const auto* issuer = json::findString(parsed->payload, "iss");
  if (issuer == nullptr) {
    return invalid(describe(jose::Error::IssuerMismatch), "the token has no string \"iss\"");
  }
  std::optional<BearerOutcome> first;
  bool firstIsAudience = false;
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    const auto& rule = rules_[i];
    const auto at = locationIn(i);
    if (!at || rule.issuer != *issuer) {
      continue;
    }
    const auto jwks = keys.keysFor(i);
    if (!jwks) {
      if (!first) {
        first = invalid("the issuer's keys are not available yet",
                        "no key set loaded yet for " + rule.origin);
      }
      continue;
    }
    jose::VerifyOptions verify;
    verify.allowedAlgorithms = options_.allowedAlgorithms;
    verify.claims = {.issuer = rule.issuer,
                     .audiences = rule.audiences,
                     .clientId = {},
                     .nonce = std::nullopt,
                     .skewSeconds = options_.skewSeconds,
                     .now = now,
                     .checkAudience = !rule.audiences.empty(),
                     .checkAuthorizedParty = false};
    auto verified = jose::verifyParsedJwt(*parsed, *jwks, verify);
    if (!verified) {
      if (verified.error().code == jose::Error::KeyNotFound) {
        keys.unknownKey(i, parsed->jws.kid.value_or(""));
      }
      // Report the most telling failure: a rule whose audience the token names explains
      // more ("expired") than one for another audience of the same issuer.
      if (!first || (firstIsAudience && verified.error().code != jose::Error::AudienceMismatch)) {
        first = invalid(verified.error());
        firstIsAudience = verified.error().code == jose::Error::AudienceMismatch;
      }
      continue;
    }
    const UnixSeconds until = validUntil(verified->claims.exp, options_.skewSeconds);
    auto identity =
        identityOf(i, rule, locations_[i], std::string(*token), std::move(verified->claims),
                   settings, removedOnAllow(settings), now);
    cache_->insert(i, *token, identity, until, now);
    return valid(std::move(identity), *at);
  }
  if (first) {
    return std::move(*first);
  }
  return invalid(describe(jose::Error::IssuerMismatch),
                 "issuer " + jose::quoteUntrusted(*issuer) + " has no rule for " + from->name);
}

}  // namespace authgate::core::gate
