#include <gtest/gtest.h>

#include <set>

#include "core/jose/algorithm.h"
#include "core/jose/error.h"

namespace authgate::core::jose {
namespace {

TEST(JoseAlgorithm, EveryNameResolvesToItsOwnRow) {
  for (const auto& spec : kAlgorithms) {
    auto alg = lookupAlgorithm(spec.name);
    ASSERT_TRUE(alg) << spec.name;
    EXPECT_EQ(*alg, spec.alg);
    EXPECT_EQ(toString(*alg), spec.name);
    EXPECT_EQ(&specOf(*alg), &spec);
  }
  EXPECT_EQ(allAlgorithms().size(), 10u);
}

TEST(JoseAlgorithm, TableMatchesRfc7518AndRfc8037) {
  const auto& rs384 = specOf(Algorithm::RS384);
  EXPECT_EQ(rs384.kty, KeyType::Rsa);
  EXPECT_EQ(rs384.digest, Digest::Sha384);
  EXPECT_EQ(rs384.padding, Padding::Pkcs1v15);
  const auto& ps512 = specOf(Algorithm::PS512);
  EXPECT_EQ(ps512.kty, KeyType::Rsa);
  EXPECT_EQ(ps512.digest, Digest::Sha512);
  EXPECT_EQ(ps512.padding, Padding::Pss);
  EXPECT_EQ(specOf(Algorithm::ES256).curve, Curve::P256);
  EXPECT_EQ(specOf(Algorithm::ES256).signatureSize, 64u);
  EXPECT_EQ(specOf(Algorithm::ES384).curve, Curve::P384);
  EXPECT_EQ(specOf(Algorithm::ES384).signatureSize, 96u);
  EXPECT_EQ(specOf(Algorithm::ES512).curve, Curve::P521);
  EXPECT_EQ(specOf(Algorithm::ES512).digest, Digest::Sha512);
  EXPECT_EQ(specOf(Algorithm::ES512).signatureSize, 132u);  // 2 x 66, RFC 7518 §3.4
  const auto& eddsa = specOf(Algorithm::EdDSA);
  EXPECT_EQ(eddsa.kty, KeyType::Okp);
  EXPECT_EQ(eddsa.curve, Curve::Ed25519);
  EXPECT_EQ(eddsa.digest, Digest::None);
  EXPECT_EQ(eddsa.signatureSize, 64u);
}

TEST(JoseAlgorithm, NoneAndHmacAreNeverAllowed) {
  for (const char* name : {"none", "HS256", "HS384", "HS512"}) {
    auto alg = lookupAlgorithm(name);
    ASSERT_FALSE(alg) << name;
    EXPECT_EQ(alg.error().code, Error::AlgorithmNotAllowed) << name;
  }
}

TEST(JoseAlgorithm, AnythingElseIsUnknownWithoutDefaulting) {
  for (const char* name :
       {"XYZ256", "NONE", "rs256", "RS256 ", "", "ES256K", "Ed25519", "RSA1_5", "HS1024"}) {
    auto alg = lookupAlgorithm(name);
    ASSERT_FALSE(alg) << name;
    EXPECT_EQ(alg.error().code, Error::UnknownAlgorithm) << name;
  }
  auto embeddedNul = lookupAlgorithm(std::string_view("RS256\0", 6));
  ASSERT_FALSE(embeddedNul);
  EXPECT_EQ(embeddedNul.error().detail, "unknown algorithm \"RS256?\"");
}

TEST(JoseAlgorithm, KeyTypeAndCurveNamesRoundTrip) {
  for (const KeyType kty : {KeyType::Rsa, KeyType::Ec, KeyType::Okp}) {
    EXPECT_EQ(keyTypeFromName(toString(kty)), kty);
  }
  for (const Curve curve : {Curve::P256, Curve::P384, Curve::P521, Curve::Ed25519}) {
    EXPECT_EQ(curveFromName(toString(curve)), curve);
  }
  EXPECT_FALSE(keyTypeFromName("oct"));
  EXPECT_FALSE(curveFromName("secp256k1"));
  EXPECT_FALSE(curveFromName("X25519"));
  EXPECT_EQ(coordinateSize(Curve::P521), 66u);
}

TEST(JoseError, EveryCodeHasADistinctName) {
  std::set<std::string_view> names;
  for (int i = 0; i <= static_cast<int>(Error::ClaimMissing); ++i) {
    names.insert(toString(static_cast<Error>(i)));
  }
  EXPECT_EQ(names.size(), 19u);
  EXPECT_EQ(toString(Error::SignatureInvalid), "SignatureInvalid");
  EXPECT_EQ(toString(Error::TokenTooLarge), "TokenTooLarge");
  EXPECT_FALSE(names.contains("Unknown"));
}

TEST(JoseError, QuotesUntrustedTextShortAndPrintable) {
  EXPECT_EQ(quoteUntrusted("abc"), "\"abc\"");
  EXPECT_EQ(quoteUntrusted("a\nb\"c"), "\"a?b?c\"");
  EXPECT_EQ(quoteUntrusted(std::string(100, 'x')), "\"" + std::string(64, 'x') + "...\"");
}

}  // namespace
}  // namespace authgate::core::jose
