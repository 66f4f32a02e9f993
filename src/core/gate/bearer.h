#pragma once
// API clients calling with a bearer JWT instead of a session cookie, with the semantics of
// Istio's RequestAuthentication (Envoy jwt_authn): the rules come from Istio files or from
// authgate's `jwt_rules:` section (core/policy/jwt_rule.h).
//
// Usage:
//   auto bearer = BearerAuthenticator::create(rules, {.allowedAlgorithms = {RS256, ES256}});
//   if (!bearer) return fail(bearer.error());          // a rule that cannot work
//   BearerOutcome outcome = bearer->authenticate(request, keys, settings, request.now);
//   switch (outcome.kind) {
//     case BearerOutcome::Kind::Absent:  ... anonymous: sessions, login, policies decide
//     case BearerOutcome::Kind::Invalid: ... 401, WWW-Authenticate: Bearer error="invalid_token",
//                                            error_description=outcome.description (RFC 6750 §3)
//     case BearerOutcome::Kind::Valid:   ... outcome.identity->session, and what an Allow
//                                            passes on: outcome.allowed
//   }
//
// How a request is read:
//   1) Token locations per rule: its fromHeaders (name case-insensitive; the value must start
//      with the prefix, compared case-insensitively as auth-schemes are (RFC 9110 §11.1), and
//      the rest, trimmed of spaces, is the token), fromParams (query parameters), fromCookies.
//      A rule without any location uses Istio's default: `Authorization: Bearer <token>`, then
//      the `access_token` query parameter (RFC 6750 §2.1, §2.3).
//   2) The token is the first one found going through the rules in order, and each rule's
//      locations in order; other tokens in the same request are ignored. A header whose value
//      lacks the prefix holds no token (so `Authorization: Basic ...` leaves the request
//      anonymous); a present but empty token is Invalid.
//   3) The candidate rules are those that list the location the token came from. A cache hit
//      for (candidate, token) is Valid at once (core/gate/token_cache.h).
//   4) Otherwise the payload's `iss` is read WITHOUT trusting it, only to pick the candidates
//      with that issuer; none -> Invalid. Each of them, in order, verifies the token with
//      jose::verifyJwt: signature with the rule's keys and the algorithm allow-list, iss, aud
//      against the rule's audiences (any audience when the list is empty), exp/nbf/iat with
//      the skew, sub required, no nonce expected, no azp rule (access tokens, RFC 9068 §4).
//      The first that verifies wins; when none does, the first candidate's failure is reported,
//      preferring one that is not an audience mismatch (the rule for the token's audience
//      says "expired" where another rule of the issuer would say "audience").
//      Keys not loaded yet -> Invalid; KeyNotFound -> keys.unknownKey(rule, kid), then Invalid.
//   5) A present but invalid token is never treated as anonymous (fail closed).
//   6) removedHeader: when the winning rule's forwardOriginalToken is false, the header the
//      token came in. Tokens from a query parameter or a cookie are left in place: rewriting
//      the request target or the Cookie header is not something every front end can do.
//   7) What an Allow passes on (AllowedHeaders: the session's identity headers followed by the
//      output headers, removedOnAllow() plus removedHeader, the user) is built when the token
//      is verified, once per location of the rule, and kept with the cached identity: a cache
//      hit reads the token as a view of the request and allocates nothing.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/gate/check_request.h"
#include "core/gate/decision.h"
#include "core/gate/gate_settings.h"
#include "core/gate/token_cache.h"
#include "core/jose/algorithm.h"
#include "core/jose/claims.h"
#include "core/jose/jwks.h"
#include "core/policy/jwt_rule.h"
#include "core/result.h"
#include "core/session/session.h"

namespace authgate::core::gate {

// Keys for each rule (index into the rules given to BearerAuthenticator::create()). Implemented
// in io (io/idp/bearer_keys.h); tests use a fake.
class BearerKeySource {
 public:
  virtual ~BearerKeySource() = default;
  // The rule's current key set; nullptr while it is not loaded yet.
  virtual std::shared_ptr<const jose::Jwks> keysFor(std::size_t rule) const = 0;
  // A verified-looking token (its issuer matched the rule) named a kid the set lacks (empty
  // for a kid-less token): the source may refetch in the background, rate-limited.
  virtual void unknownKey(std::size_t rule, std::string_view kid) const = 0;
};

// Who a verified token says the caller is. Immutable once built; shared by the cache.
struct BearerIdentity {
  std::size_t rule = 0;  // index of the rule that verified it
  std::string token;     // the compact JWT as received
  jose::Claims claims;
  // subject/email/user/preferredUsername/groups as for a login (setIdentity), accessToken =
  // token, expiresAt = accessTokenExpiresAt = exp, createdAt = iat (or the verification time).
  session::Session session;
  // The rule's outputClaimToHeaders (claims absent or of another type left out) and
  // outputPayloadToHeader, to set on the upstream request. Values through headerSafe().
  std::vector<HeaderLine> outputHeaders;
  // What an Allow passes on (rule 7), for each location of the rule, in the rule's order (the
  // defaults filled in); locations that leave the token in place share one.
  std::vector<std::shared_ptr<const AllowedHeaders>> allowedByLocation;
};

struct BearerOutcome {
  enum class Kind {
    Absent,   // no token in any location a rule lists: the request is anonymous
    Valid,    // identity is set
    Invalid,  // a token was present and is refused: answer 401 (never anonymous)
  };
  Kind kind = Kind::Absent;
  std::shared_ptr<const BearerIdentity> identity;  // Valid
  // Invalid: the RFC 6750 §3 error_description, e.g. "the token expired". Quotes nothing from
  // the token, so it is safe to send to the client.
  std::string description;
  // Invalid: more for the log (jose's detail: claim names, kids and issuers quoted at most 64
  // characters); never send it to the client.
  std::string detail;
  // Valid and !forwardOriginalToken: the request header the token came in, to strip (rule 6);
  // else empty. Points into the authenticator's rules.
  std::string_view removedHeader;
  // Valid: what an Allow passes on (rule 7), removedHeader included.
  std::shared_ptr<const AllowedHeaders> allowed;
};

class BearerAuthenticator {
 public:
  struct Options {
    std::vector<jose::Algorithm> allowedAlgorithms;  // must not be empty
    std::int64_t skewSeconds = 30;                   // for exp, nbf, iat; not negative
    std::size_t cacheCapacity = 10000;               // verified tokens kept; 0: no cache
  };

  // Fails on a rule that could never accept a token (empty issuer, empty location name or
  // claim/header name) and on options that allow nothing; the message names the rule's origin.
  static Result<BearerAuthenticator, std::string> create(std::vector<policy::JwtRule> rules,
                                                         Options options);

  // Thread-safe. `now` is the request's arrival time. A cache hit returns the identity as
  // built by the call that verified the token, with that call's `settings` (claims for user,
  // email, groups): when the settings change (a reload), build a new authenticator.
  BearerOutcome authenticate(const CheckRequest& request, const BearerKeySource& keys,
                             const GateSettings& settings, UnixSeconds now) const;

  bool empty() const { return rules_.empty(); }
  const std::vector<policy::JwtRule>& rules() const { return rules_; }
  // Every header name some rule outputs (claims, payload): front ends should strip client
  // copies of them from every request, as for the identity headers, since a token lacking a
  // claim leaves its header unset.
  std::vector<std::string> outputHeaderNames() const;
  // The client-sent headers an Allow strips from every signed-in request: the spoofable
  // identity headers of `settings` (spoofableIdentityHeaders), then outputHeaderNames().
  std::vector<std::string> removedOnAllow(const GateSettings& settings) const;
  // hits() / misses() for metrics.
  const VerifiedTokenCache& cache() const { return *cache_; }

  // One place a token can be (rule 1 above); public for the helpers of bearer.cc.
  struct Location {
    enum class Kind { Header, Param, Cookie };
    Kind kind = Kind::Header;
    std::string name;
    std::string prefix;  // headers only
  };

 private:
  BearerAuthenticator(std::vector<policy::JwtRule> rules, Options options);

  std::vector<policy::JwtRule> rules_;
  Options options_;
  std::vector<std::vector<Location>> locations_;  // per rule, the defaults filled in
  std::shared_ptr<VerifiedTokenCache> cache_;     // shared: the authenticator stays movable
};

}  // namespace authgate::core::gate
