#include <gtest/gtest.h>

#include <utility>

#include "core/jose/claims.h"
#include "jose_testing.h"

namespace authgate::core::jose {
namespace {

using testing::goodClaims;
using testing::kNow;
using testing::rules;

Error errorOf(const boost::json::object& claims, const ClaimRules& rules = testing::rules()) {
  auto validated = validateClaims(claims, rules);
  EXPECT_FALSE(validated) << boost::json::serialize(claims);
  return validated ? Error::TokenTooLarge : validated.error().code;
}

boost::json::object with(const char* name, boost::json::value value) {
  auto claims = goodClaims();
  claims[name] = std::move(value);
  return claims;
}

boost::json::object without(const char* name) {
  auto claims = goodClaims();
  claims.erase(name);
  return claims;
}

TEST(JoseClaims, AcceptsGoodClaimsAndExposesThem) {
  auto claims = with("azp", "client");
  claims["nbf"] = kNow - 5;
  claims["groups"] = boost::json::array{"a"};
  auto validated = validateClaims(claims, rules());
  ASSERT_TRUE(validated) << validated.error().detail;
  EXPECT_EQ(validated->iss, "https://issuer.test");
  EXPECT_EQ(validated->sub, "user-1");
  EXPECT_EQ(validated->aud, std::vector<std::string>{"client"});
  EXPECT_EQ(validated->azp, "client");
  EXPECT_EQ(validated->exp, kNow + 600);
  EXPECT_EQ(validated->nbf, kNow - 5);
  EXPECT_EQ(validated->iat, kNow - 10);
  EXPECT_EQ(validated->nonce, "n-1");
  EXPECT_TRUE(validated->all.contains("groups"));
}

TEST(JoseClaims, PayloadMustBeAJsonObject) {
  for (std::string_view bad : {"", "not json", "[]", "\"x\"", "1", "{\"a\":1,\"a\":2}"}) {
    auto validated = validateClaims(bad, rules());
    ASSERT_FALSE(validated) << bad;
    EXPECT_EQ(validated.error().code, Error::MalformedClaims) << bad;
  }
  EXPECT_TRUE(validateClaims(boost::json::serialize(goodClaims()), rules()));
}

TEST(JoseClaims, ParsedOnceTheyGiveTheSameAnswerCopiedOrMoved) {
  for (std::string_view bad : {"", "not json", "[]", "{\"a\":1,\"a\":2}"}) {
    EXPECT_EQ(parseClaims(bad).error().code, Error::MalformedClaims) << bad;
  }
  const std::string text = boost::json::serialize(with("groups", boost::json::array{"a", "b"}));
  auto parsed = parseClaims(text);
  ASSERT_TRUE(parsed) << parsed.error().detail;
  const auto fromText = validateClaims(text, rules());
  const auto copied = validateClaims(std::as_const(*parsed), rules());
  ASSERT_TRUE(fromText && copied);
  EXPECT_EQ(copied->all, fromText->all);
  EXPECT_EQ(*parsed, fromText->all);  // a const payload is left as it was
  const auto moved = validateClaims(std::move(*parsed), rules());
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->all, fromText->all);
  EXPECT_EQ(moved->sub, fromText->sub);
  // A refusal is the same whichever overload runs.
  auto expired = with("exp", kNow - 100);
  EXPECT_EQ(validateClaims(std::as_const(expired), rules()).error().code, Error::Expired);
  EXPECT_EQ(validateClaims(std::move(expired), rules()).error().code, Error::Expired);
}

TEST(JoseClaims, RegisteredClaimsMustHaveTheirTypes) {
  for (const char* name : {"iss", "sub", "azp", "nonce", "jti"}) {
    EXPECT_EQ(errorOf(with(name, 1)), Error::MalformedClaims) << name;
  }
  for (const char* name : {"exp", "nbf", "iat"}) {
    EXPECT_EQ(errorOf(with(name, "1760000600")), Error::MalformedClaims) << name;
    EXPECT_EQ(errorOf(with(name, nullptr)), Error::MalformedClaims) << name;
    EXPECT_EQ(errorOf(with(name, true)), Error::MalformedClaims) << name;
  }
  EXPECT_EQ(errorOf(with("aud", 42)), Error::MalformedClaims);
  EXPECT_EQ(errorOf(with("aud", boost::json::array{"client", 1})), Error::MalformedClaims);
  // A type error is reported even when an earlier check would also fail.
  auto both = with("exp", "soon");
  both["iss"] = "https://elsewhere";
  EXPECT_EQ(errorOf(both), Error::MalformedClaims);
}

TEST(JoseClaims, NumericDatesMayHaveFractions) {
  auto validated = validateClaims(with("exp", static_cast<double>(kNow) + 600.75), rules());
  ASSERT_TRUE(validated);
  EXPECT_EQ(validated->exp, kNow + 600);  // rounded down, toward expiry
  auto fractional = with("iat", static_cast<double>(kNow) + 0.25);
  EXPECT_EQ(validateClaims(fractional, rules())->iat, kNow + 1);  // rounded up
  // The checks compare the exact value: exp = now - 30 + 0.5 is still inside the skew.
  EXPECT_TRUE(validateClaims(with("exp", static_cast<double>(kNow) - 29.5), rules()));
  EXPECT_EQ(errorOf(with("exp", static_cast<double>(kNow) - 30.5)), Error::Expired);
  // Huge values saturate instead of overflowing.
  auto far = validateClaims(with("exp", 1e300), rules());
  ASSERT_TRUE(far);
  EXPECT_EQ(far->exp, std::numeric_limits<UnixSeconds>::max());
  EXPECT_TRUE(validateClaims(with("exp", std::numeric_limits<std::uint64_t>::max()), rules()));
  EXPECT_EQ(errorOf(with("exp", -1e300)), Error::Expired);
}

TEST(JoseClaims, Issuer) {
  EXPECT_EQ(errorOf(without("iss")), Error::IssuerMismatch);
  EXPECT_EQ(errorOf(with("iss", "https://issuer.test/")), Error::IssuerMismatch);
  EXPECT_EQ(errorOf(with("iss", "HTTPS://issuer.test")), Error::IssuerMismatch);
  auto validated = validateClaims(with("iss", "https://evil\n"), rules());
  EXPECT_EQ(validated.error().detail, "issuer \"https://evil?\" is not \"https://issuer.test\"");
}

TEST(JoseClaims, Audience) {
  EXPECT_EQ(errorOf(without("aud")), Error::AudienceMismatch);
  EXPECT_EQ(errorOf(with("aud", "other")), Error::AudienceMismatch);
  EXPECT_EQ(errorOf(with("aud", boost::json::array{})), Error::AudienceMismatch);
  EXPECT_EQ(errorOf(with("aud", boost::json::array{"a", "b"})), Error::AudienceMismatch);
  auto rulesTwo = rules();
  rulesTwo.audiences = {"api", "client"};
  EXPECT_TRUE(validateClaims(with("aud", "api"), rulesTwo));
  EXPECT_TRUE(validateClaims(with("aud", boost::json::array{"client"}), rules()));
}

TEST(JoseClaims, AuthorizedParty) {
  auto several = with("aud", boost::json::array{"client", "api"});
  EXPECT_EQ(errorOf(several), Error::AuthorizedPartyMismatch);
  several["azp"] = "api";
  EXPECT_EQ(errorOf(several), Error::AuthorizedPartyMismatch);
  several["azp"] = "client";
  EXPECT_TRUE(validateClaims(several, rules()));
  EXPECT_EQ(errorOf(with("azp", "someone-else")), Error::AuthorizedPartyMismatch);
  auto noClient = rules();
  noClient.clientId.clear();
  EXPECT_EQ(errorOf(with("azp", "client"), noClient), Error::AuthorizedPartyMismatch);
}

TEST(JoseClaims, AudienceCheckCanBeTurnedOff) {
  auto any = rules();
  any.checkAudience = false;
  any.audiences.clear();
  auto validated = validateClaims(with("aud", "whoever"), any);
  ASSERT_TRUE(validated) << validated.error().detail;
  EXPECT_EQ(validated->aud, std::vector<std::string>{"whoever"});
  auto absent = validateClaims(without("aud"), any);
  ASSERT_TRUE(absent) << absent.error().detail;
  EXPECT_TRUE(absent->aud.empty());
  // The type is still checked, and the default still refuses the same claims.
  EXPECT_EQ(errorOf(with("aud", 1), any), Error::MalformedClaims);
  auto checked = any;
  checked.checkAudience = true;
  EXPECT_EQ(errorOf(with("aud", "whoever"), checked), Error::AudienceMismatch);
  EXPECT_EQ(errorOf(without("aud"), checked), Error::AudienceMismatch);
}

TEST(JoseClaims, AuthorizedPartyCheckCanBeTurnedOff) {
  // An RFC 9068 access token: several audiences, no azp, or an azp naming another client.
  auto accessToken = rules();
  accessToken.checkAuthorizedParty = false;
  auto several = with("aud", boost::json::array{"client", "api"});
  EXPECT_TRUE(validateClaims(several, accessToken));
  several["azp"] = "someone-else";
  auto validated = validateClaims(several, accessToken);
  ASSERT_TRUE(validated) << validated.error().detail;
  EXPECT_EQ(validated->azp, "someone-else");
  EXPECT_EQ(errorOf(several), Error::AuthorizedPartyMismatch);  // the default still checks
  // The audience rule stays on on its own.
  EXPECT_EQ(errorOf(with("aud", "other"), accessToken), Error::AudienceMismatch);
}

TEST(JoseClaims, ExpiryWithSkew) {
  EXPECT_EQ(errorOf(without("exp")), Error::ClaimMissing);
  EXPECT_EQ(errorOf(with("exp", kNow - 30)), Error::Expired);
  EXPECT_TRUE(validateClaims(with("exp", kNow - 29), rules()));
  auto strict = rules();
  strict.skewSeconds = 0;
  EXPECT_EQ(errorOf(with("exp", kNow), strict), Error::Expired);
  EXPECT_TRUE(validateClaims(with("exp", kNow + 1), strict));
  strict.skewSeconds = -100;  // a negative skew counts as 0
  EXPECT_TRUE(validateClaims(with("exp", kNow + 1), strict));
}

TEST(JoseClaims, NotBeforeWithSkew) {
  EXPECT_EQ(errorOf(with("nbf", kNow + 31)), Error::NotYetValid);
  EXPECT_TRUE(validateClaims(with("nbf", kNow + 30), rules()));
}

TEST(JoseClaims, IssuedAtWithSkew) {
  EXPECT_EQ(errorOf(with("iat", kNow + 31)), Error::IssuedInFuture);
  EXPECT_TRUE(validateClaims(with("iat", kNow + 30), rules()));
  EXPECT_TRUE(validateClaims(without("iat"), rules()));
}

TEST(JoseClaims, Nonce) {
  EXPECT_EQ(errorOf(without("nonce")), Error::NonceMismatch);
  EXPECT_EQ(errorOf(with("nonce", "n-2")), Error::NonceMismatch);
  EXPECT_EQ(errorOf(with("nonce", "n-1 ")), Error::NonceMismatch);
  auto validated = validateClaims(with("nonce", "n-2"), rules());
  EXPECT_EQ(validated.error().detail.find("n-"), std::string::npos);  // values not logged
  auto noNonce = rules();
  noNonce.nonce.reset();
  EXPECT_TRUE(validateClaims(without("nonce"), noNonce));
  EXPECT_TRUE(validateClaims(with("nonce", "anything"), noNonce));
}

TEST(JoseClaims, Subject) {
  EXPECT_EQ(errorOf(without("sub")), Error::SubjectMissing);
  EXPECT_EQ(errorOf(with("sub", "")), Error::SubjectMissing);
}

TEST(JoseClaims, ChecksRunInContractOrder) {
  // Every check fails at once; removing the reported cause reveals the next one.
  boost::json::object claims{{"iss", "x"},        {"aud", boost::json::array{"client", "b"}},
                             {"azp", "b"},        {"exp", kNow - 100},
                             {"nbf", kNow + 100}, {"iat", kNow + 100},
                             {"nonce", "bad"}};
  EXPECT_EQ(errorOf(claims), Error::IssuerMismatch);
  claims["iss"] = "https://issuer.test";
  claims["aud"] = "nobody";
  EXPECT_EQ(errorOf(claims), Error::AudienceMismatch);
  claims["aud"] = boost::json::array{"client", "b"};
  EXPECT_EQ(errorOf(claims), Error::AuthorizedPartyMismatch);
  claims["azp"] = "client";
  EXPECT_EQ(errorOf(claims), Error::Expired);
  claims["exp"] = kNow + 100;
  EXPECT_EQ(errorOf(claims), Error::NotYetValid);
  claims["nbf"] = kNow;
  EXPECT_EQ(errorOf(claims), Error::IssuedInFuture);
  claims["iat"] = kNow;
  EXPECT_EQ(errorOf(claims), Error::NonceMismatch);
  claims["nonce"] = "n-1";
  EXPECT_EQ(errorOf(claims), Error::SubjectMissing);
  claims["sub"] = "s";
  EXPECT_TRUE(validateClaims(claims, rules()));
}

}  // namespace
}  // namespace authgate::core::jose
