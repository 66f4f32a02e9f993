// verifyJwt end to end: the fixture manifest (tests/data/jose/cases.json), the RFC vectors, and
// a mutation sweep over every valid fixture's signature.
#include <gtest/gtest.h>

#include <set>

#include "core/jose/jws.h"
#include "core/jose/jwt.h"
#include "jose_testing.h"

namespace authgate::core::jose {
namespace {

using testing::loadJwks;
using testing::loadManifest;
using testing::Manifest;
using testing::optionsFor;
using testing::readFile;

std::string outcome(const Result<VerifiedJwt, Failure>& result) {
  return result ? "Ok" : std::string(toString(result.error().code));
}

struct Case {
  std::string name;
  std::string token;
  std::string jwks;
  std::string expect;
  VerifyOptions options;
};

std::vector<Case> allCases() {
  const Manifest manifest = loadManifest();
  std::vector<Case> cases;
  for (const auto& entry : manifest.cases()) {
    const auto& object = entry.as_object();
    cases.push_back({std::string(object.at("name").as_string()),
                     readFile(testing::joseData() / std::string(object.at("token").as_string())),
                     std::string(object.at("jwks").as_string()),
                     std::string(object.at("expect").as_string()), optionsFor(manifest, object)});
  }
  return cases;
}

TEST(JoseJwtCases, EveryFixtureCaseGivesItsExpectedOutcome) {
  const auto cases = allCases();
  ASSERT_GE(cases.size(), 40u);
  std::set<std::string> seen;
  for (const auto& testCase : cases) {
    const Jwks jwks = loadJwks(testCase.jwks);
    auto verified = verifyJwt(testCase.token, jwks, testCase.options);
    EXPECT_EQ(outcome(verified), testCase.expect)
        << testCase.name << (verified ? "" : ": " + verified.error().detail);
    seen.insert(testCase.expect);
  }
  // The fixtures exercise every error code (MalformedClaims through ClaimMissing included).
  for (int i = 0; i <= static_cast<int>(Error::ClaimMissing); ++i) {
    EXPECT_TRUE(seen.contains(std::string(toString(static_cast<Error>(i)))))
        << "no fixture expects " << toString(static_cast<Error>(i));
  }
}

TEST(JoseJwtCases, ValidFixturesExposeHeaderAndClaims) {
  const Manifest manifest = loadManifest();
  for (const auto& testCase : allCases()) {
    if (testCase.expect != "Ok") {
      continue;
    }
    auto verified = verifyJwt(testCase.token, loadJwks(testCase.jwks), testCase.options);
    ASSERT_TRUE(verified) << testCase.name;
    // Compare with the decoded JSON written beside each token by the generator.
    const auto decoded =
        boost::json::parse(readFile(testing::joseData() / "tokens" / (testCase.name + ".json")));
    EXPECT_EQ(boost::json::value(verified->header), decoded.at("header")) << testCase.name;
    EXPECT_EQ(boost::json::value(verified->claims.all), decoded.at("payload")) << testCase.name;
    EXPECT_EQ(verified->claims.sub, decoded.at("payload").at("sub").as_string());
    EXPECT_EQ(toString(verified->alg), decoded.at("header").at("alg").as_string());
  }
}

// RFC 7515 A.2 / A.3 and RFC 8037 A.4: signature only (their claims expired in 2011, and the
// RFC 8037 payload is not JSON).
TEST(JoseJwtCases, RfcVectorsVerify) {
  const auto vectors = boost::json::parse(readFile(testing::joseData() / "rfc/vectors.json"));
  std::size_t count = 0;
  for (const auto& vector : vectors.at("vectors").as_array()) {
    const std::string name(vector.at("name").as_string());
    const std::string token =
        readFile(testing::joseData() / std::string(vector.at("token").as_string()));
    auto key = parseJwk(readFile(testing::joseData() / std::string(vector.at("jwk").as_string())));
    ASSERT_TRUE(key) << name << ": " << key.error().detail;
    auto jwks =
        parseJwks("{\"keys\":[" +
                  readFile(testing::joseData() / std::string(vector.at("jwk").as_string())) + "]}");
    ASSERT_TRUE(jwks) << name;
    auto parsed = parseJws(token);
    ASSERT_TRUE(parsed) << name << ": " << parsed.error().detail;
    EXPECT_EQ(parsed->alg, vector.at("alg").as_string());
    auto verified = verifyJws(*parsed, *jwks, VerifyOptions::defaultAlgorithms());
    EXPECT_TRUE(verified) << name << ": " << (verified ? "" : verified.error().detail);
    auto tampered = std::string(token);
    tampered[tampered.find('.') + 2] ^= 0x01;  // a payload character: the signature must fail
    auto parsedTampered = parseJws(tampered);
    if (parsedTampered) {
      EXPECT_FALSE(verifyJws(*parsedTampered, *jwks, VerifyOptions::defaultAlgorithms())) << name;
    }
    ++count;
  }
  EXPECT_EQ(count, 3u);
}

// jwt_verify_lib's fuzzJwtSignature idea: every single-bit change and every truncation of a
// valid signature must give exactly SignatureInvalid, never a crash, never another code.
TEST(JoseJwtCases, EveryBitFlipAndTruncationOfValidSignaturesIsRefused) {
  std::size_t mutations = 0;
  for (const auto& testCase : allCases()) {
    if (testCase.expect != "Ok") {
      continue;
    }
    const Jwks jwks = loadJwks(testCase.jwks);
    const std::size_t dot = testCase.token.rfind('.');
    const std::string prefix = testCase.token.substr(0, dot + 1);
    const auto signature = *base64url::decode(std::string_view(testCase.token).substr(dot + 1));
    // Re-encoding and re-parsing the 64 KiB fixture thousands of times would dominate the
    // suite under sanitizers: large tokens are parsed once and mutated after parsing.
    const bool large = testCase.token.size() > 8 * 1024;
    auto parsed = parseJws(testCase.token);
    ASSERT_TRUE(parsed) << testCase.name;
    auto expectRefused = [&](const std::vector<std::uint8_t>& mutated, const char* what,
                             std::size_t at) {
      std::string got;
      if (large) {
        auto copy = *parsed;
        copy.signature = mutated;
        auto verified = verifyJws(copy, jwks, testCase.options.allowedAlgorithms);
        got = verified ? "Ok" : std::string(toString(verified.error().code));
      } else {
        got = outcome(verifyJwt(prefix + base64url::encode(mutated), jwks, testCase.options));
      }
      ASSERT_EQ(got, "SignatureInvalid") << testCase.name << " " << what << " " << at;
      ++mutations;
    };
    for (std::size_t bit = 0; bit < signature.size() * 8; ++bit) {
      auto flipped = signature;
      flipped[bit / 8] ^= static_cast<std::uint8_t>(1U << (bit % 8));
      expectRefused(flipped, "bit", bit);
    }
    for (std::size_t length = 0; length < signature.size(); ++length) {
      expectRefused({signature.begin(), signature.begin() + static_cast<std::ptrdiff_t>(length)},
                    "length", length);
    }
  }
  EXPECT_GT(mutations, 10000u);
}

TEST(JoseJwt, VerifiesATokenMadeHere) {
  const auto& key = testing::keyFor(Algorithm::PS384);
  const std::string token =
      testing::makeToken(Algorithm::PS384, key.get(),
                         {{"alg", "PS384"}, {"kid", "p"}, {"typ", "JWT"}}, testing::goodClaims());
  VerifyOptions options;
  options.claims = testing::rules();
  options.allowedAlgorithms = {Algorithm::PS384};
  auto verified =
      verifyJwt(token, testing::jwksOf({testing::publicJwk(key.get(), "p", "PS384")}), options);
  ASSERT_TRUE(verified) << verified.error().detail;
  EXPECT_EQ(verified->alg, Algorithm::PS384);
  EXPECT_EQ(verified->header.at("typ").as_string(), "JWT");
  EXPECT_EQ(verified->claims.sub, "user-1");
  options.allowedAlgorithms = {Algorithm::PS256};
  EXPECT_EQ(
      outcome(verifyJwt(token, testing::jwksOf({testing::publicJwk(key.get(), "p")}), options)),
      "AlgorithmNotAllowed");
}

TEST(JoseJwt, ClaimsAreCheckedOnlyAfterTheSignature) {
  const auto& key = testing::keyFor(Algorithm::EdDSA);
  const auto jwks = testing::jwksOf({testing::publicJwk(key.get(), "e")});
  VerifyOptions options;
  options.claims = testing::rules();
  const boost::json::object header{{"alg", "EdDSA"}, {"kid", "e"}};
  std::string token = testing::makeToken(Algorithm::EdDSA, key.get(), header, std::string("[]"));
  EXPECT_EQ(outcome(verifyJwt(token, jwks, options)), "MalformedClaims");
  token.back() = token.back() == 'A' ? 'Q' : 'A';
  EXPECT_EQ(outcome(verifyJwt(token, jwks, options)), "SignatureInvalid");
}

}  // namespace
}  // namespace authgate::core::jose
