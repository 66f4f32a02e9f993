#include <gtest/gtest.h>

#include "core/jose/jws.h"
#include "jose_testing.h"

namespace authgate::core::jose {
namespace {

using testing::keyFor;
using testing::makeToken;
using testing::publicJwk;

const std::string kPayload = R"({"sub":"x"})";

std::string tokenFor(Algorithm alg, const std::string& kid = "k1") {
  boost::json::object header{{"alg", toString(alg)}};
  if (!kid.empty()) {
    header["kid"] = kid;
  }
  return makeToken(alg, keyFor(alg).get(), header, kPayload);
}

Jwks jwksFor(Algorithm alg, const std::string& kid = "k1") {
  return testing::jwksOf({publicJwk(keyFor(alg).get(), kid, std::string(toString(alg)))});
}

Error verifyError(const std::string& token, const Jwks& jwks,
                  std::vector<Algorithm> allowed = VerifyOptions::defaultAlgorithms()) {
  auto parsed = parseJws(token);
  if (!parsed) {
    return parsed.error().code;
  }
  auto verified = verifyJws(*parsed, jwks, allowed);
  EXPECT_FALSE(verified) << token;
  return verified ? Error::ClaimMissing : verified.error().code;
}

std::string segment(const std::string& json) {
  return base64url::encode(json);
}

TEST(JoseJws, VerifiesEveryAlgorithmSignedByOpenSsl) {
  for (const Algorithm alg : allAlgorithms()) {
    const std::string token = tokenFor(alg);
    auto parsed = parseJws(token);
    ASSERT_TRUE(parsed) << toString(alg) << ": " << parsed.error().detail;
    EXPECT_EQ(parsed->alg, toString(alg));
    EXPECT_EQ(parsed->kid, "k1");
    EXPECT_EQ(parsed->payload, kPayload);
    EXPECT_EQ(parsed->signingInput, token.substr(0, token.rfind('.')));
    auto verified = verifyJws(*parsed, jwksFor(alg), VerifyOptions::defaultAlgorithms());
    EXPECT_TRUE(verified) << toString(alg) << ": " << verified.error().detail;
  }
}

TEST(JoseJws, ParseRejectsOversizedTokensFirst) {
  std::string huge(kMaxTokenSize + 1, 'a');
  EXPECT_EQ(parseJws(huge).error().code, Error::TokenTooLarge);
  huge[5] = '.';  // still too large, whatever the content
  EXPECT_EQ(parseJws(huge).error().code, Error::TokenTooLarge);
  EXPECT_EQ(parseJws(std::string(kMaxTokenSize, 'a')).error().code, Error::MalformedToken);
}

TEST(JoseJws, ParseRejectsBadStructure) {
  const std::string header = segment(R"({"alg":"EdDSA"})");
  for (const std::string& bad :
       {std::string(""), std::string("."), std::string("abc"), header + ".e30",
        header + ".e30.AA.AA", header + ".e30.A+", header + ".e30.AA==", header + ".e3=.AA",
        header + "!.e30.AA", header + ".e30.AB", header + ".e30.A", " " + header + ".e30.AA"}) {
    auto parsed = parseJws(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code, Error::MalformedToken) << bad;
  }
}

TEST(JoseJws, ParseRejectsBadHeaders) {
  for (const std::string& header :
       {std::string(""), std::string("not json"), std::string("[]"), std::string("{}"),
        std::string(R"({"alg":256})"), std::string(R"({"alg":null})"),
        std::string(R"({"alg":"RS256","kid":7})"), std::string(R"({"alg":"RS256","typ":{}})"),
        std::string(R"({"alg":"RS256","crit":"exp"})"),
        std::string(R"({"alg":"RS256","crit":[1]})"),
        std::string(R"({"alg":"RS256","alg":"none"})"), std::string(R"({"alg":"RS256"} x)")}) {
    auto parsed = parseJws(segment(header) + ".e30.AA");
    ASSERT_FALSE(parsed) << header;
    EXPECT_EQ(parsed.error().code, Error::MalformedHeader) << header;
  }
}

TEST(JoseJws, ParseDoesNotReadThePayload) {
  auto parsed = parseJws(segment(R"({"alg":"EdDSA"})") + "." + segment("not json") + ".");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->payload, "not json");
  EXPECT_TRUE(parsed->signature.empty());
}

TEST(JoseJws, HeaderChecksComeInContractOrder) {
  const Jwks jwks = jwksFor(Algorithm::ES256);
  auto withHeader = [](const std::string& header) { return segment(header) + ".e30.AA"; };
  EXPECT_EQ(verifyError(withHeader(R"({"alg":"XYZ256","crit":[]})"), jwks),
            Error::UnknownAlgorithm);
  EXPECT_EQ(verifyError(withHeader(R"({"alg":"none","crit":[]})"), jwks),
            Error::AlgorithmNotAllowed);
  EXPECT_EQ(verifyError(withHeader(R"({"alg":"HS256","kid":"k1"})"), jwks),
            Error::AlgorithmNotAllowed);
  EXPECT_EQ(verifyError(withHeader(R"({"alg":"ES256","crit":[],"kid":"nope"})"), jwks,
                        {Algorithm::RS256}),
            Error::AlgorithmNotAllowed);
  EXPECT_EQ(verifyError(withHeader(R"({"alg":"ES256","crit":[],"kid":"nope"})"), jwks),
            Error::UnsupportedCritical);
  EXPECT_EQ(verifyError(withHeader(R"({"alg":"ES256","crit":["b64"],"b64":false})"), jwks),
            Error::UnsupportedCritical);
  EXPECT_EQ(verifyError(withHeader(R"({"alg":"ES256","kid":"nope"})"), jwks), Error::KeyNotFound);
  EXPECT_EQ(verifyError(withHeader(R"({"alg":"ES256","kid":"k1"})"), jwks),
            Error::SignatureInvalid);
  EXPECT_EQ(verifyError(withHeader(R"({"alg":"ES256","kid":"k1"})"), jwks, {}),
            Error::AlgorithmNotAllowed);  // an empty allow-list allows nothing
}

TEST(JoseJws, KidLessTokensTryEveryKeyOfTheRightType) {
  const auto other = testing::generateKey("ED25519");
  const Jwks jwks =
      testing::jwksOf({publicJwk(other.get(), "a"), publicJwk(keyFor(Algorithm::ES256).get(), "b"),
                       publicJwk(keyFor(Algorithm::EdDSA).get(), "c")});
  const std::string token = tokenFor(Algorithm::EdDSA, "");
  auto parsed = parseJws(token);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(verifyJws(*parsed, jwks, VerifyOptions::defaultAlgorithms()));
  const Jwks wrongOnly = testing::jwksOf({publicJwk(other.get())});
  EXPECT_EQ(verifyError(token, wrongOnly), Error::SignatureInvalid);
  const Jwks noOkp = testing::jwksOf({publicJwk(keyFor(Algorithm::ES256).get())});
  EXPECT_EQ(verifyError(token, noOkp), Error::KeyNotFound);
  // ES384 needs a P-384 key: a P-256 key is not a candidate.
  EXPECT_EQ(verifyError(tokenFor(Algorithm::ES384, ""), noOkp), Error::KeyNotFound);
}

TEST(JoseJws, KidMustMatchExactly) {
  const Jwks withoutKid = testing::jwksOf({publicJwk(keyFor(Algorithm::EdDSA).get())});
  EXPECT_EQ(verifyError(tokenFor(Algorithm::EdDSA, "k1"), withoutKid), Error::KeyNotFound);
  EXPECT_EQ(verifyError(tokenFor(Algorithm::EdDSA, "K1"), jwksFor(Algorithm::EdDSA)),
            Error::KeyNotFound);
}

TEST(JoseJws, SelectedKeyMustAgreeWithTheAlg) {
  const auto& rsa = keyFor(Algorithm::RS256);
  // A PS256 signature by the key published for RS256 (RFC 7517 §4.4).
  const std::string ps =
      makeToken(Algorithm::PS256, rsa.get(), {{"alg", "PS256"}, {"kid", "r"}}, kPayload);
  EXPECT_EQ(verifyError(ps, testing::jwksOf({publicJwk(rsa.get(), "r", "RS256")})),
            Error::KeyAlgorithmMismatch);
  EXPECT_TRUE(verifyJws(*parseJws(ps), testing::jwksOf({publicJwk(rsa.get(), "r")}),
                        VerifyOptions::defaultAlgorithms()));
  // An ES256 token naming an RSA key.
  EXPECT_EQ(
      verifyError(tokenFor(Algorithm::ES256, "r"), testing::jwksOf({publicJwk(rsa.get(), "r")})),
      Error::KeyAlgorithmMismatch);
  auto enc = publicJwk(keyFor(Algorithm::ES256).get(), "k1");
  enc["use"] = "enc";
  EXPECT_EQ(verifyError(tokenFor(Algorithm::ES256), testing::jwksOf({enc})),
            Error::KeyAlgorithmMismatch);
  auto signOnly = publicJwk(keyFor(Algorithm::ES256).get(), "k1");
  signOnly["key_ops"] = boost::json::array{"sign"};
  EXPECT_EQ(verifyError(tokenFor(Algorithm::ES256), testing::jwksOf({signOnly})),
            Error::KeyAlgorithmMismatch);
}

TEST(JoseJws, EmbeddedKeysAndUrlsAreIgnored) {
  const auto attacker = testing::generateKey("EC", "P-256");
  boost::json::object header{{"alg", "ES256"},
                             {"kid", "k1"},
                             {"jwk", publicJwk(attacker.get())},
                             {"jku", "https://attacker.invalid/jwks"},
                             {"x5u", "https://attacker.invalid/cert"},
                             {"x5c", boost::json::array{"MIIB"}}};
  const std::string forged = makeToken(Algorithm::ES256, attacker.get(), header, kPayload);
  EXPECT_EQ(verifyError(forged, jwksFor(Algorithm::ES256)), Error::SignatureInvalid);
  const std::string ours =
      makeToken(Algorithm::ES256, keyFor(Algorithm::ES256).get(), header, kPayload);
  EXPECT_TRUE(
      verifyJws(*parseJws(ours), jwksFor(Algorithm::ES256), VerifyOptions::defaultAlgorithms()));
}

TEST(JoseJws, SignatureLengthsAreExact) {
  for (const Algorithm alg : allAlgorithms()) {
    const Jwks jwks = jwksFor(alg);
    const std::string token = tokenFor(alg);
    auto parsed = *parseJws(token);
    const auto& key = jwks.keys.front();
    ASSERT_TRUE(verifySignature(alg, key, parsed.signingInput, parsed.signature));
    auto longer = parsed.signature;
    longer.push_back(0);
    EXPECT_FALSE(verifySignature(alg, key, parsed.signingInput, longer)) << toString(alg);
    auto zeroPrefixed = parsed.signature;
    zeroPrefixed.insert(zeroPrefixed.begin(), 0);
    EXPECT_FALSE(verifySignature(alg, key, parsed.signingInput, zeroPrefixed)) << toString(alg);
    EXPECT_FALSE(verifySignature(alg, key, parsed.signingInput, {})) << toString(alg);
    const std::vector<std::uint8_t> zeros(parsed.signature.size(), 0);
    EXPECT_FALSE(verifySignature(alg, key, parsed.signingInput, zeros)) << toString(alg);
  }
}

TEST(JoseJws, EcdsaDerSignaturesAreRefused) {
  const auto& key = keyFor(Algorithm::ES256);
  const std::string input = segment(R"({"alg":"ES256"})") + "." + segment(kPayload);
  // Sign with OpenSSL's DER output, as a confused signer would.
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get());
  std::vector<unsigned char> der(128);
  std::size_t size = der.size();
  ASSERT_EQ(EVP_DigestSign(ctx.get(), der.data(), &size,
                           reinterpret_cast<const unsigned char*>(input.data()), input.size()),
            1);
  der.resize(size);
  const std::string token = input + "." + testing::b64(der);
  EXPECT_EQ(verifyError(token, testing::jwksOf({publicJwk(key.get())})), Error::SignatureInvalid);
}

}  // namespace
}  // namespace authgate::core::jose
