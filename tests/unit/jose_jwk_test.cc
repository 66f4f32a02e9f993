#include <gtest/gtest.h>

#include "core/jose/jwk.h"
#include "core/jose/jwks.h"
#include "jose_testing.h"

namespace authgate::core::jose {
namespace {

using testing::ecKey;
using testing::ed25519;
using testing::publicJwk;
using testing::rsa2048;

Result<Jwk, KeyProblem> parse(const boost::json::object& jwk) {
  return parseJwk(boost::json::serialize(jwk));
}

void expectRejected(const boost::json::object& jwk, KeyRejection reason) {
  auto parsed = parse(jwk);
  ASSERT_FALSE(parsed) << boost::json::serialize(jwk);
  EXPECT_EQ(parsed.error().reason, reason)
      << toString(parsed.error().reason) << ": " << parsed.error().detail;
}

TEST(JoseJwk, LoadsEachSupportedKeyType) {
  auto rsa = parse(publicJwk(rsa2048().get(), "r1", "RS256"));
  ASSERT_TRUE(rsa) << rsa.error().detail;
  EXPECT_EQ(rsa->kty(), KeyType::Rsa);
  EXPECT_EQ(rsa->bits(), 2048);
  EXPECT_EQ(rsa->kid(), "r1");
  EXPECT_EQ(rsa->alg(), Algorithm::RS256);
  EXPECT_NE(rsa->pkey(), nullptr);
  for (const Curve curve : {Curve::P256, Curve::P384, Curve::P521}) {
    auto ec = parse(publicJwk(ecKey(curve).get()));
    ASSERT_TRUE(ec) << ec.error().detail;
    EXPECT_EQ(ec->kty(), KeyType::Ec);
    EXPECT_EQ(ec->curve(), curve);
    EXPECT_FALSE(ec->kid());
    EXPECT_FALSE(ec->alg());
  }
  auto okp = parse(publicJwk(ed25519().get()));
  ASSERT_TRUE(okp) << okp.error().detail;
  EXPECT_EQ(okp->curve(), Curve::Ed25519);
}

TEST(JoseJwk, RejectsRsa1024AsWeak) {
  const auto small = testing::generateKey("RSA", nullptr, 1024);
  expectRejected(publicJwk(small.get()), KeyRejection::WeakKey);
}

TEST(JoseJwk, RejectsBadRsaExponentsAndEncodings) {
  auto jwk = publicJwk(rsa2048().get());
  jwk["e"] = "AQ";  // 1
  expectRejected(jwk, KeyRejection::WeakKey);
  jwk["e"] = "Ag";  // 2: even
  expectRejected(jwk, KeyRejection::WeakKey);
  jwk["e"] = "AAEAAQ";  // 65537 with a leading zero octet: not minimal (RFC 7518 §6.3.1.2)
  expectRejected(jwk, KeyRejection::BadMember);
  jwk["e"] = 65537;
  expectRejected(jwk, KeyRejection::BadMember);
  jwk["e"] = "AQAB";
  jwk["n"] = "AA" + std::string(jwk["n"].as_string());  // leading zero octet
  expectRejected(jwk, KeyRejection::BadMember);
  jwk.erase("n");
  expectRejected(jwk, KeyRejection::BadMember);
}

TEST(JoseJwk, RejectsAnEcPointOffTheCurve) {
  auto jwk = publicJwk(ecKey(Curve::P256).get());
  auto y = *base64url::decode(jwk["y"].as_string());
  y.back() ^= 1;  // (x, y+-1) is not on P-256
  jwk["y"] = base64url::encode(y);
  expectRejected(jwk, KeyRejection::InvalidKey);
}

TEST(JoseJwk, RejectsWrongCoordinateLengths) {
  auto jwk = publicJwk(ecKey(Curve::P256).get());
  auto x = *base64url::decode(jwk["x"].as_string());
  auto shorter = x;
  shorter.erase(shorter.begin());
  jwk["x"] = base64url::encode(shorter);
  expectRejected(jwk, KeyRejection::InvalidKey);
  auto longer = x;
  longer.insert(longer.begin(), 0);  // the same number, padded: not the field size
  jwk["x"] = base64url::encode(longer);
  expectRejected(jwk, KeyRejection::InvalidKey);

  auto p384 = publicJwk(ecKey(Curve::P384).get());
  p384["crv"] = "P-256";  // 48-byte coordinates announced as P-256
  expectRejected(p384, KeyRejection::InvalidKey);

  auto okp = publicJwk(ed25519().get());
  okp["x"] = base64url::encode(std::string(31, 'a'));
  expectRejected(okp, KeyRejection::InvalidKey);
}

TEST(JoseJwk, RejectsPrivateKeyMaterial) {
  for (const char* member : {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}) {
    auto jwk = publicJwk(rsa2048().get());
    jwk[member] = "AQAB";
    expectRejected(jwk, KeyRejection::PrivateKeyMaterial);
  }
  auto ec = publicJwk(ecKey(Curve::P256).get());
  ec["d"] = "c2VjcmV0";
  auto parsed = parse(ec);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().detail.find("c2VjcmV0"), std::string::npos);  // no key material
}

TEST(JoseJwk, RejectsUnsupportedTypesAndCurves) {
  expectRejected({{"kty", "oct-ish"}}, KeyRejection::UnsupportedKeyType);
  expectRejected({{"n", "AQAB"}}, KeyRejection::UnsupportedKeyType);
  expectRejected({{"kty", 3}}, KeyRejection::UnsupportedKeyType);
  auto ec = publicJwk(ecKey(Curve::P256).get());
  ec["crv"] = "secp256k1";
  expectRejected(ec, KeyRejection::UnsupportedCurve);
  ec["crv"] = "Ed25519";  // an OKP curve on an EC key
  expectRejected(ec, KeyRejection::UnsupportedCurve);
  auto okp = publicJwk(ed25519().get());
  okp["crv"] = "X25519";
  expectRejected(okp, KeyRejection::UnsupportedCurve);
  okp["crv"] = "P-256";
  expectRejected(okp, KeyRejection::UnsupportedCurve);
  auto notObject = parseJwk("[1]");
  ASSERT_FALSE(notObject);
  EXPECT_EQ(notObject.error().reason, KeyRejection::NotAnObject);
  EXPECT_EQ(parseJwk("{").error().reason, KeyRejection::NotAnObject);
}

TEST(JoseJwk, RejectsAnAlgThatDoesNotFitTheKey) {
  expectRejected(publicJwk(rsa2048().get(), "", "ES256"), KeyRejection::AlgorithmConflict);
  expectRejected(publicJwk(ecKey(Curve::P256).get(), "", "ES384"), KeyRejection::AlgorithmConflict);
  expectRejected(publicJwk(ed25519().get(), "", "RS256"), KeyRejection::AlgorithmConflict);
  expectRejected(publicJwk(rsa2048().get(), "", "HS256"), KeyRejection::AlgorithmConflict);
  expectRejected(publicJwk(rsa2048().get(), "", "RSA-OAEP"), KeyRejection::AlgorithmConflict);
  EXPECT_TRUE(parse(publicJwk(rsa2048().get(), "", "PS256")));
}

TEST(JoseJwk, RejectsMembersOfTheWrongType) {
  auto jwk = publicJwk(ed25519().get());
  jwk["kid"] = 7;
  expectRejected(jwk, KeyRejection::BadMember);
  jwk = publicJwk(ed25519().get());
  jwk["use"] = boost::json::array{"sig"};
  expectRejected(jwk, KeyRejection::BadMember);
  jwk = publicJwk(ed25519().get());
  jwk["key_ops"] = "verify";
  expectRejected(jwk, KeyRejection::BadMember);
  jwk["key_ops"] = boost::json::array{"verify", 1};
  expectRejected(jwk, KeyRejection::BadMember);
  jwk = publicJwk(ed25519().get());
  jwk["x"] = "not+base64url";
  expectRejected(jwk, KeyRejection::BadMember);
}

TEST(JoseJwk, FitsChecksTypeAlgUseAndKeyOps) {
  auto jwk = publicJwk(ecKey(Curve::P256).get(), "k", "ES256");
  std::string why;
  EXPECT_TRUE(parse(jwk)->fits(Algorithm::ES256, &why));
  EXPECT_FALSE(parse(jwk)->fits(Algorithm::ES384, &why));
  EXPECT_FALSE(parse(jwk)->fits(Algorithm::RS256, &why));
  EXPECT_NE(why.find("needs a RSA key"), std::string::npos) << why;
  jwk["use"] = "enc";
  EXPECT_FALSE(parse(jwk)->fits(Algorithm::ES256, &why));
  EXPECT_NE(why.find("use"), std::string::npos);
  jwk["use"] = "sig";
  jwk["key_ops"] = boost::json::array{"sign"};
  EXPECT_FALSE(parse(jwk)->fits(Algorithm::ES256, &why));
  EXPECT_NE(why.find("key_ops"), std::string::npos);
  jwk["key_ops"] = boost::json::array{"sign", "verify"};
  EXPECT_TRUE(parse(jwk)->fits(Algorithm::ES256));
  auto rsa = parse(publicJwk(rsa2048().get(), "", "RS256"));
  EXPECT_FALSE(rsa->fits(Algorithm::PS256, &why));
  EXPECT_EQ(why, "the JWK is for RS256, the token uses PS256");
}

TEST(JoseJwks, SkipsBadKeysAndKeepsTheOthers) {
  const auto small = testing::generateKey("RSA", nullptr, 1024);
  auto offCurve = publicJwk(ecKey(Curve::P256).get(), "off");
  offCurve["x"] = publicJwk(ecKey(Curve::P256).get())["y"];
  auto withPrivate = publicJwk(ed25519().get(), "priv");
  withPrivate["d"] = "AAAA";
  const std::string text = testing::jwksText({
      publicJwk(rsa2048().get(), "good-rsa", "RS256"),
      publicJwk(small.get(), "weak"),
      {{"kty", "XYZ"}, {"kid", "strange"}},
      offCurve,
      withPrivate,
      publicJwk(ed25519().get(), "good-ed"),
  });
  auto jwks = parseJwks(text);
  ASSERT_TRUE(jwks) << jwks.error().detail;
  ASSERT_EQ(jwks->keys.size(), 2u);
  EXPECT_EQ(jwks->keys[0].kid(), "good-rsa");
  EXPECT_EQ(jwks->keys[1].kid(), "good-ed");
  ASSERT_EQ(jwks->skipped.size(), 4u);
  EXPECT_EQ(jwks->skipped[0].index, 1u);
  EXPECT_EQ(jwks->skipped[0].kid, "weak");
  EXPECT_EQ(jwks->skipped[0].reason, KeyRejection::WeakKey);
  EXPECT_EQ(jwks->skipped[1].reason, KeyRejection::UnsupportedKeyType);
  EXPECT_EQ(jwks->skipped[2].reason, KeyRejection::InvalidKey);
  EXPECT_EQ(jwks->skipped[3].reason, KeyRejection::PrivateKeyMaterial);
  EXPECT_EQ(describe(jwks->skipped[3]),
            "key 4 (kid \"priv\"): PrivateKeyMaterial: the JWK carries the private member \"d\"");
}

TEST(JoseJwks, MalformedDocumentsAreErrors) {
  for (std::string_view bad : {"", "not json", "[]", "{}", R"({"keys":{}})", R"({"keys":"x"})"}) {
    auto jwks = parseJwks(bad);
    ASSERT_FALSE(jwks) << bad;
    EXPECT_EQ(jwks.error().code, Error::KeyNotFound);
  }
  auto empty = parseJwks(R"({"keys":[]})");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->keys.empty());
  auto junk = parseJwks(R"({"keys":[1, "x", null, []]})");
  ASSERT_TRUE(junk);
  EXPECT_EQ(junk->skipped.size(), 4u);
  EXPECT_EQ(junk->skipped[0].reason, KeyRejection::NotAnObject);
}

TEST(JoseJwks, LoadsAtMostTheKeyLimit) {
  const auto key = publicJwk(ed25519().get());
  boost::json::array keys;
  for (std::size_t i = 0; i < kMaxJwksKeys + 3; ++i) {
    keys.push_back(key);
  }
  auto jwks = parseJwks(boost::json::serialize(boost::json::object{{"keys", keys}}));
  ASSERT_TRUE(jwks);
  EXPECT_EQ(jwks->keys.size(), kMaxJwksKeys);
  ASSERT_EQ(jwks->skipped.size(), 3u);
  EXPECT_EQ(jwks->skipped[0].reason, KeyRejection::TooManyKeys);
}

TEST(JoseJwks, FixtureSetsLoadEveryKey) {
  for (const char* name :
       {"jwks.json", "jwks_other.json", "jwks_use_enc.json", "jwks_key_ops_sign.json"}) {
    auto jwks = parseJwks(testing::readFile(testing::joseData() / name));
    ASSERT_TRUE(jwks) << name;
    EXPECT_TRUE(jwks->skipped.empty()) << name << ": " << describe(jwks->skipped.front());
    EXPECT_FALSE(jwks->keys.empty()) << name;
  }
  EXPECT_EQ(testing::loadJwks("jwks.json").keys.size(), 10u);
}

TEST(JoseJwks, FixturePrivateKeysAreRefusedAsPublicKeys) {
  auto jwk = parseJwk(testing::readFile(testing::joseData() / "keys/private/es256.jwk.json"));
  ASSERT_FALSE(jwk);
  EXPECT_EQ(jwk.error().reason, KeyRejection::PrivateKeyMaterial);
}

}  // namespace
}  // namespace authgate::core::jose
