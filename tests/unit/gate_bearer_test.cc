// Bearer JWTs with RequestAuthentication semantics: where tokens are read, which rule verifies
// them, every refusal's description, output headers, header removal and the verified-token
// cache. Tokens are signed with the test-only fixture keys of tests/data/jose/keys/private/.
#include <gtest/gtest.h>

#include <map>
#include <utility>

#include "bearer_testing.h"
#include "core/gate/bearer.h"
#include "core/gate/identity_headers.h"
#include "core/jose/jws.h"

namespace authgate::core::gate {
namespace {

using jose::Algorithm;
using jose::testing::fixtureToken;
using jose::testing::kNow;
using Kind = BearerOutcome::Kind;

constexpr const char* kIssuer = "https://issuer.test";
constexpr const char* kOtherIssuer = "https://other.test";

std::shared_ptr<const jose::Jwks> fixtureJwks(const std::string& file) {
  return std::make_shared<const jose::Jwks>(jose::testing::loadJwks(file));
}

// Keys per rule, and a record of every unknownKey() call.
class FakeKeys final : public BearerKeySource {
 public:
  std::map<std::size_t, std::shared_ptr<const jose::Jwks>> sets;
  mutable std::vector<std::pair<std::size_t, std::string>> unknown;

  std::shared_ptr<const jose::Jwks> keysFor(std::size_t rule) const override {
    const auto found = sets.find(rule);
    return found == sets.end() ? nullptr : found->second;
  }
  void unknownKey(std::size_t rule, std::string_view kid) const override {
    unknown.emplace_back(rule, std::string(kid));
  }
};

boost::json::object claims(const std::string& issuer = kIssuer) {
  return {{"iss", issuer},
          {"sub", "user-1"},
          {"aud", "api"},
          {"exp", kNow + 600},
          {"iat", kNow - 10},
          {"email", "user@example.com"},
          {"groups", boost::json::array{"admins", "dev"}}};
}

// Signed with the ES256 fixture key, whose public half is in jwks.json under kid es256-p256.
std::string token(const boost::json::object& payload = claims()) {
  return fixtureToken(payload, "es256", Algorithm::ES256, "es256-p256");
}

policy::JwtRule rule(const std::string& issuer = kIssuer) {
  policy::JwtRule rule;
  rule.issuer = issuer;
  rule.origin = "test rule " + issuer;
  return rule;
}

// A request owning its header strings.
struct Request {
  std::vector<std::pair<std::string, std::string>> owned;
  std::vector<HeaderView> views;
  std::string query;
  CheckRequest request;

  Request& header(std::string name, std::string value) {
    owned.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  Request& withQuery(std::string text) {
    query = std::move(text);
    return *this;
  }
  const CheckRequest& get() {
    views.clear();
    for (const auto& [name, value] : owned) {
      views.push_back({name, value});
    }
    request = CheckRequest{.method = "GET",
                           .scheme = "https",
                           .host = "api.example.com",
                           .path = "/items",
                           .query = query,
                           .headers = views,
                           .peer = "10.0.0.1",
                           .now = kNow};
    return request;
  }
};

class GateBearerTest : public ::testing::Test {
 protected:
  void SetUp() override { keys_.sets[0] = fixtureJwks("jwks.json"); }

  BearerAuthenticator make(std::vector<policy::JwtRule> rules,
                           std::vector<Algorithm> algorithms = {Algorithm::ES256,
                                                                Algorithm::RS256}) {
    auto created = BearerAuthenticator::create(
        std::move(rules), {.allowedAlgorithms = std::move(algorithms), .skewSeconds = 30});
    if (!created) {
      ADD_FAILURE() << created.error();
      std::abort();
    }
    return std::move(*created);
  }

  BearerOutcome check(const BearerAuthenticator& bearer, Request& request, UnixSeconds now = kNow) {
    return bearer.authenticate(request.get(), keys_, settings_, now);
  }

  BearerOutcome bearerHeader(const BearerAuthenticator& bearer, const std::string& jwt) {
    Request request;
    request.header("Authorization", "Bearer " + jwt);
    return check(bearer, request);
  }

  FakeKeys keys_;
  GateSettings settings_;
};

TEST_F(GateBearerTest, DefaultLocationIsTheAuthorizationHeader) {
  const auto bearer = make({rule()});
  const std::string jwt = token();
  Request request;
  request.header("authorization", "Bearer " + jwt);
  const auto outcome = check(bearer, request);
  ASSERT_EQ(outcome.kind, Kind::Valid) << outcome.description << " / " << outcome.detail;
  const BearerIdentity& identity = *outcome.identity;
  EXPECT_EQ(identity.rule, 0u);
  EXPECT_EQ(identity.token, jwt);
  EXPECT_EQ(identity.claims.sub, "user-1");
  EXPECT_EQ(identity.session.subject, "user-1");
  EXPECT_EQ(identity.session.email, "user@example.com");
  EXPECT_EQ(identity.session.user, "user@example.com");  // settings.userClaim = email
  EXPECT_EQ(identity.session.groups, (std::vector<std::string>{"admins", "dev"}));
  EXPECT_EQ(identity.session.accessToken, jwt);
  EXPECT_EQ(identity.session.accessTokenExpiresAt, kNow + 600);
  EXPECT_EQ(identity.session.expiresAt, kNow + 600);
  EXPECT_TRUE(identity.outputHeaders.empty());
  // forwardOriginalToken defaults to false: the header is stripped, in the rule's spelling.
  EXPECT_EQ(outcome.removedHeader, "Authorization");
  // What an Allow passes on: the identity headers, and every header removed on allow plus it.
  ASSERT_NE(outcome.allowed, nullptr);
  std::vector<std::string> removed = bearer.removedOnAllow(settings_);
  removed.emplace_back("Authorization");
  EXPECT_EQ(outcome.allowed->remove, removed);
  EXPECT_EQ(outcome.allowed->upstream, upstreamIdentityHeaders(identity.session, settings_));
  EXPECT_EQ(outcome.allowed->gateway, gatewayIdentityHeaders(identity.session, settings_));
  EXPECT_EQ(outcome.allowed->user, "user@example.com");
}

TEST_F(GateBearerTest, DefaultLocationsAlsoReadTheAccessTokenParameter) {
  const auto bearer = make({rule()});
  Request request;
  request.withQuery("a=1&access_token=" + token());
  const auto outcome = check(bearer, request);
  ASSERT_EQ(outcome.kind, Kind::Valid) << outcome.description;
  EXPECT_TRUE(outcome.removedHeader.empty());  // query tokens are left in place
  ASSERT_NE(outcome.allowed, nullptr);
  EXPECT_EQ(outcome.allowed->remove, bearer.removedOnAllow(settings_));
}

TEST_F(GateBearerTest, PrefixIsComparedCaseInsensitively) {
  const auto bearer = make({rule()});
  Request request;
  request.header("Authorization", "bEARER   " + token() + " ");
  EXPECT_EQ(check(bearer, request).kind, Kind::Valid);
}

TEST_F(GateBearerTest, NoTokenOrAnotherSchemeIsAnonymous) {
  const auto bearer = make({rule()});
  Request none;
  EXPECT_EQ(check(bearer, none).kind, Kind::Absent);
  Request basic;
  basic.header("Authorization", "Basic dXNlcjpwYXNz");
  EXPECT_EQ(check(bearer, basic).kind, Kind::Absent);
  Request elsewhere;
  elsewhere.header("X-Token", token()).withQuery("token=" + token());
  EXPECT_EQ(check(bearer, elsewhere).kind, Kind::Absent);
}

TEST_F(GateBearerTest, ConfiguredHeaderWithAndWithoutPrefix) {
  auto custom = rule();
  custom.fromHeaders = {{"X-Jwt", ""}, {"X-Api-Auth", "Token "}};
  const auto bearer = make({custom});
  Request plain;
  plain.header("x-jwt", token());
  auto outcome = check(bearer, plain);
  ASSERT_EQ(outcome.kind, Kind::Valid) << outcome.description;
  EXPECT_EQ(outcome.removedHeader, "X-Jwt");
  EXPECT_EQ(outcome.allowed->remove.back(), "X-Jwt");
  Request prefixed;
  prefixed.header("X-Api-Auth", "token " + token());
  outcome = check(bearer, prefixed);
  ASSERT_EQ(outcome.kind, Kind::Valid) << outcome.description;
  EXPECT_EQ(outcome.removedHeader, "X-Api-Auth");
  EXPECT_EQ(outcome.allowed->remove.back(), "X-Api-Auth");
  // Prefix mismatch: no token there.
  Request mismatch;
  mismatch.header("X-Api-Auth", "Bearer " + token());
  EXPECT_EQ(check(bearer, mismatch).kind, Kind::Absent);
  // Configured locations replace the defaults.
  EXPECT_EQ(bearerHeader(bearer, token()).kind, Kind::Absent);
}

TEST_F(GateBearerTest, ConfiguredParamAndCookie) {
  auto custom = rule();
  custom.fromParams = {"jwt"};
  custom.fromCookies = {"api_token"};
  const auto bearer = make({custom});
  Request param;
  param.withQuery("jwt=" + token());
  EXPECT_EQ(check(bearer, param).kind, Kind::Valid);
  Request cookie;
  cookie.header("Cookie", "theme=dark; api_token=" + token() + "; x=1");
  const auto outcome = check(bearer, cookie);
  ASSERT_EQ(outcome.kind, Kind::Valid) << outcome.description;
  EXPECT_TRUE(outcome.removedHeader.empty());  // cookies are left in place
  Request other;
  other.header("Cookie", "API_TOKEN=" + token());  // cookie names are case-sensitive
  EXPECT_EQ(check(bearer, other).kind, Kind::Absent);
}

TEST_F(GateBearerTest, IssuerPicksTheRule) {
  // Rule 0 trusts the "other-" keys (same kids, different keys), rule 1 the main ones.
  keys_.sets[0] = fixtureJwks("jwks_other.json");
  keys_.sets[1] = fixtureJwks("jwks.json");
  const auto bearer = make({rule(kOtherIssuer), rule(kIssuer)});
  auto outcome = bearerHeader(bearer, token());
  ASSERT_EQ(outcome.kind, Kind::Valid) << outcome.description;
  EXPECT_EQ(outcome.identity->rule, 1u);
  const std::string other =
      fixtureToken(claims(kOtherIssuer), "other-es256", Algorithm::ES256, "es256-p256");
  outcome = bearerHeader(bearer, other);
  ASSERT_EQ(outcome.kind, Kind::Valid) << outcome.description;
  EXPECT_EQ(outcome.identity->rule, 0u);
  // A token claiming one issuer but signed with the other's key is refused.
  const std::string forged =
      fixtureToken(claims(kIssuer), "other-es256", Algorithm::ES256, "es256-p256");
  outcome = bearerHeader(bearer, forged);
  EXPECT_EQ(outcome.kind, Kind::Invalid);
  EXPECT_EQ(outcome.description, "the token's signature is invalid");
}

TEST_F(GateBearerTest, IssuerWithoutARuleAtThatLocationIsInvalid) {
  auto elsewhere = rule(kOtherIssuer);
  elsewhere.fromHeaders = {{"X-Other", ""}};
  keys_.sets[1] = fixtureJwks("jwks.json");
  const auto bearer = make({rule(), elsewhere});
  const std::string other =
      fixtureToken(claims(kOtherIssuer), "es256", Algorithm::ES256, "es256-p256");
  auto outcome = bearerHeader(bearer, other);
  EXPECT_EQ(outcome.kind, Kind::Invalid);
  EXPECT_EQ(outcome.description, "the token's issuer is not accepted");
  outcome = bearerHeader(bearer, token(claims("https://unknown.test")));
  EXPECT_EQ(outcome.kind, Kind::Invalid);
  EXPECT_EQ(outcome.description, "the token's issuer is not accepted");
  // At its own location, the same token is fine.
  Request own;
  own.header("X-Other", other);
  const auto valid = check(bearer, own);
  ASSERT_EQ(valid.kind, Kind::Valid) << valid.description;
  EXPECT_EQ(valid.identity->rule, 1u);
}

TEST_F(GateBearerTest, FirstTokenInRuleThenLocationOrderWins) {
  auto first = rule(kOtherIssuer);
  first.fromHeaders = {{"X-First", ""}};
  auto second = rule(kIssuer);
  second.fromHeaders = {{"X-Second", ""}};
  keys_.sets[0] = fixtureJwks("jwks.json");
  keys_.sets[1] = fixtureJwks("jwks.json");
  const auto bearer = make({first, second});
  Request both;
  both.header("X-Second", token())
      .header("X-First",
              fixtureToken(claims(kOtherIssuer), "es256", Algorithm::ES256, "es256-p256"));
  auto outcome = check(bearer, both);
  ASSERT_EQ(outcome.kind, Kind::Valid) << outcome.description;
  EXPECT_EQ(outcome.identity->rule, 0u);
  EXPECT_EQ(outcome.removedHeader, "X-First");
  // An invalid first token is not rescued by a valid second one.
  Request broken;
  broken.header("X-Second", token()).header("X-First", "garbage");
  outcome = check(bearer, broken);
  EXPECT_EQ(outcome.kind, Kind::Invalid);
  EXPECT_EQ(outcome.description, "the token is not a JWT");
}

TEST_F(GateBearerTest, AudiencesEmptyMeansAny) {
  const auto bearer = make({rule()});
  auto payload = claims();
  payload["aud"] = "whoever";
  EXPECT_EQ(bearerHeader(bearer, token(payload)).kind, Kind::Valid);
  payload.erase("aud");
  EXPECT_EQ(bearerHeader(bearer, token(payload)).kind, Kind::Valid);
}

TEST_F(GateBearerTest, AudienceMustBeOneOfTheList) {
  auto limited = rule();
  limited.audiences = {"orders", "api"};
  const auto bearer = make({limited});
  auto payload = claims();
  payload["aud"] = boost::json::array{"web", "api"};  // several audiences, no azp: fine
  EXPECT_EQ(bearerHeader(bearer, token(payload)).kind, Kind::Valid);
  payload["aud"] = "web";
  const auto outcome = bearerHeader(bearer, token(payload));
  EXPECT_EQ(outcome.kind, Kind::Invalid);
  EXPECT_EQ(outcome.description, "the token's audience is not accepted");
  EXPECT_NE(outcome.detail.find("AudienceMismatch"), std::string::npos);
}

TEST_F(GateBearerTest, SameIssuerTwoRulesEitherMayVerify) {
  auto orders = rule();
  orders.audiences = {"orders"};
  auto api = rule();
  api.audiences = {"api"};
  keys_.sets[1] = fixtureJwks("jwks.json");
  const auto bearer = make({orders, api});
  const auto outcome = bearerHeader(bearer, token());
  ASSERT_EQ(outcome.kind, Kind::Valid) << outcome.description;
  EXPECT_EQ(outcome.identity->rule, 1u);
}

TEST_F(GateBearerTest, ExpiryWithSkew) {
  const auto bearer = make({rule()});
  auto payload = claims();
  payload["exp"] = kNow - 20;  // within the 30 s skew
  EXPECT_EQ(bearerHeader(bearer, token(payload)).kind, Kind::Valid);
  payload["exp"] = kNow - 30;
  const auto outcome = bearerHeader(bearer, token(payload));
  EXPECT_EQ(outcome.kind, Kind::Invalid);
  EXPECT_EQ(outcome.description, "the token expired");
  payload = claims();
  payload["nbf"] = kNow + 100;
  EXPECT_EQ(bearerHeader(bearer, token(payload)).description, "the token is not valid yet");
  payload = claims();
  payload.erase("sub");
  EXPECT_EQ(bearerHeader(bearer, token(payload)).description, "the token has no subject");
  payload = claims();
  payload["nonce"] = "anything";  // no nonce is expected, and one present is not checked
  EXPECT_EQ(bearerHeader(bearer, token(payload)).kind, Kind::Valid);
}

TEST_F(GateBearerTest, BadSignatureAndAlgorithmAllowList) {
  const auto bearer = make({rule()}, {Algorithm::ES256});
  const std::string jwt = token();
  std::string flipped = jwt;
  flipped[flipped.size() - 5] = flipped[flipped.size() - 5] == 'A' ? 'B' : 'A';
  auto outcome = bearerHeader(bearer, flipped);
  EXPECT_EQ(outcome.kind, Kind::Invalid);
  EXPECT_EQ(outcome.description, "the token's signature is invalid");
  const std::string rs256 = fixtureToken(claims(), "rs256", Algorithm::RS256, "rs256-2048");
  outcome = bearerHeader(bearer, rs256);
  EXPECT_EQ(outcome.kind, Kind::Invalid);
  EXPECT_EQ(outcome.description, "the token's algorithm is not allowed");
  // The same RS256 token verifies where RS256 is allowed.
  EXPECT_EQ(bearerHeader(make({rule()}), rs256).kind, Kind::Valid);
}

TEST_F(GateBearerTest, UnknownKidAsksTheSourceToRefetch) {
  const auto bearer = make({rule()});
  const std::string jwt = fixtureToken(claims(), "es256", Algorithm::ES256, "rotated-key");
  const auto outcome = bearerHeader(bearer, jwt);
  EXPECT_EQ(outcome.kind, Kind::Invalid);
  EXPECT_EQ(outcome.description, "the token's signing key is not known");
  ASSERT_EQ(keys_.unknown.size(), 1u);
  EXPECT_EQ(keys_.unknown[0], (std::pair<std::size_t, std::string>{0, "rotated-key"}));
  // A token of an unknown issuer never reaches the key source.
  keys_.unknown.clear();
  bearerHeader(bearer,
               fixtureToken(claims("https://x.test"), "es256", Algorithm::ES256, "rotated-key"));
  EXPECT_TRUE(keys_.unknown.empty());
}

TEST_F(GateBearerTest, KeysNotLoadedYet) {
  keys_.sets.clear();
  const auto bearer = make({rule()});
  const auto outcome = bearerHeader(bearer, token());
  EXPECT_EQ(outcome.kind, Kind::Invalid);
  EXPECT_EQ(outcome.description, "the issuer's keys are not available yet");
}

TEST_F(GateBearerTest, NotAJwtIsInvalidNotAnonymous) {
  const auto bearer = make({rule()});
  for (const char* bad : {"abc", "a.b", "a.b.c.d", "e30.e30.e30"}) {
    const auto outcome = bearerHeader(bearer, bad);
    EXPECT_EQ(outcome.kind, Kind::Invalid) << bad;
    EXPECT_FALSE(outcome.description.empty()) << bad;
    EXPECT_EQ(outcome.description.find(bad), std::string::npos) << outcome.description;
  }
  EXPECT_EQ(bearerHeader(bearer, "abc").description, "the token is not a JWT");
  Request empty;
  empty.header("Authorization", "Bearer ");
  EXPECT_EQ(check(bearer, empty).kind, Kind::Invalid);
  const auto misses = bearer.cache().misses();
  const auto huge = bearerHeader(bearer, std::string(jose::kMaxTokenSize + 1, 'a'));
  EXPECT_EQ(huge.kind, Kind::Invalid);
  EXPECT_EQ(huge.description, "the token is too large");
  EXPECT_EQ(bearer.cache().misses(), misses);  // refused before the cache is asked
}

TEST_F(GateBearerTest, OutputHeaders) {
  auto outputs = rule();
  outputs.outputClaimToHeaders = {{"X-Sub", "sub"},           {"X-Team", "org.team.name"},
                                  {"X-Groups", "groups"},     {"X-Level", "level"},
                                  {"X-Verified", "verified"}, {"X-Missing", "nope"},
                                  {"X-Object", "org"},        {"X-Evil", "evil"}};
  outputs.outputPayloadToHeader = "X-Jwt-Payload";
  const auto bearer = make({outputs});
  auto payload = claims();
  payload["org"] = boost::json::object{{"team", boost::json::object{{"name", "core"}}}};
  payload["level"] = 3;
  payload["verified"] = true;
  payload["evil"] = "a\r\nX-Injected: 1";
  const std::string jwt = token(payload);
  const auto outcome = bearerHeader(bearer, jwt);
  ASSERT_EQ(outcome.kind, Kind::Valid) << outcome.description;
  const std::string segment = jwt.substr(jwt.find('.') + 1, jwt.rfind('.') - jwt.find('.') - 1);
  EXPECT_EQ(outcome.identity->outputHeaders, (std::vector<HeaderLine>{{"X-Sub", "user-1"},
                                                                      {"X-Team", "core"},
                                                                      {"X-Groups", "admins,dev"},
                                                                      {"X-Level", "3"},
                                                                      {"X-Verified", "true"},
                                                                      {"X-Evil", "aX-Injected: 1"},
                                                                      {"X-Jwt-Payload", segment}}));
  // An Allow sets them after the identity headers, on the upstream and for a gateway.
  std::vector<HeaderLine> upstream = upstreamIdentityHeaders(outcome.identity->session, settings_);
  upstream.insert(upstream.end(), outcome.identity->outputHeaders.begin(),
                  outcome.identity->outputHeaders.end());
  EXPECT_EQ(outcome.allowed->upstream, upstream);
  std::vector<HeaderLine> gateway = gatewayIdentityHeaders(outcome.identity->session, settings_);
  gateway.insert(gateway.end(), outcome.identity->outputHeaders.begin(),
                 outcome.identity->outputHeaders.end());
  EXPECT_EQ(outcome.allowed->gateway, gateway);
  // The payload header is the base64url JSON payload.
  const auto decoded = base64url::decodeToString(segment);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(boost::json::parse(*decoded), boost::json::value(payload));
  EXPECT_EQ(bearer.outputHeaderNames(),
            (std::vector<std::string>{"X-Sub", "X-Team", "X-Groups", "X-Level", "X-Verified",
                                      "X-Missing", "X-Object", "X-Evil", "X-Jwt-Payload"}));
}

TEST_F(GateBearerTest, ForwardOriginalTokenKeepsTheHeader) {
  auto forward = rule();
  forward.forwardOriginalToken = true;
  const auto outcome = bearerHeader(make({forward}), token());
  ASSERT_EQ(outcome.kind, Kind::Valid);
  EXPECT_TRUE(outcome.removedHeader.empty());
}

TEST_F(GateBearerTest, CacheHitNeedsNoKeys) {
  const auto bearer = make({rule()});
  const std::string jwt = token();
  const auto first = bearerHeader(bearer, jwt);
  ASSERT_EQ(first.kind, Kind::Valid);
  EXPECT_EQ(bearer.cache().misses(), 1u);
  keys_.sets.clear();  // a hit must not need them
  const auto second = bearerHeader(bearer, jwt);
  ASSERT_EQ(second.kind, Kind::Valid) << second.description;
  EXPECT_EQ(second.identity, first.identity);
  EXPECT_EQ(second.removedHeader, "Authorization");
  EXPECT_EQ(second.allowed, first.allowed);  // prepared once, when the token was verified
  EXPECT_EQ(bearer.cache().hits(), 1u);
  // Past exp + skew the entry is not used: verification runs again (and has no keys now).
  Request later;
  later.header("Authorization", "Bearer " + jwt);
  EXPECT_EQ(check(bearer, later, kNow + 600 + 29).kind, Kind::Valid);
  const auto expired = check(bearer, later, kNow + 600 + 30);
  EXPECT_EQ(expired.kind, Kind::Invalid);
  EXPECT_EQ(expired.description, "the issuer's keys are not available yet");
}

TEST_F(GateBearerTest, CreateRefusesRulesThatCannotWork) {
  auto noIssuer = rule("");
  EXPECT_FALSE(BearerAuthenticator::create({noIssuer}, {.allowedAlgorithms = {Algorithm::ES256}}));
  EXPECT_FALSE(BearerAuthenticator::create({rule()}, {.allowedAlgorithms = {}}));
  EXPECT_FALSE(BearerAuthenticator::create(
      {rule()}, {.allowedAlgorithms = {Algorithm::ES256}, .skewSeconds = -1}));
  auto noName = rule();
  noName.fromHeaders = {{"", "Bearer "}};
  auto created = BearerAuthenticator::create({noName}, {.allowedAlgorithms = {Algorithm::ES256}});
  ASSERT_FALSE(created);
  EXPECT_NE(created.error().find("test rule"), std::string::npos) << created.error();
  auto empty = BearerAuthenticator::create({}, {.allowedAlgorithms = {Algorithm::ES256}});
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  Request request;
  request.header("Authorization", "Bearer " + token());
  EXPECT_EQ(empty->authenticate(request.get(), keys_, settings_, kNow).kind, Kind::Absent);
}

}  // namespace
}  // namespace authgate::core::gate
