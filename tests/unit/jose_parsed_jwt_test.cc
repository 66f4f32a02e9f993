// verifyParsedJwt / parseJwt against verifyJwt on the fixture manifest and the fuzz seeds, and
// the per-key verification contexts (core/jose/verify_contexts.h): which algorithms get a
// template, and the same answers from many threads sharing one key.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "core/jose/jws.h"
#include "core/jose/jwt.h"
#include "core/jose/verify_contexts.h"
#include "jose_testing.h"

namespace authgate::core::jose {
namespace {

std::string outcome(const Result<VerifiedJwt, Failure>& result) {
  return result ? "Ok" : std::string(toString(result.error().code));
}

// Both entry points give what verifyJwt gives: the same outcome, header and claims. parseJwt
// may refuse a payload that is not a JSON object before the signature; verifyJwt must then
// refuse the token too.
void expectAgreement(const std::string& token, const Jwks& jwks, const VerifyOptions& options,
                     const std::string& name) {
  const auto expected = verifyJwt(token, jwks, options);
  auto parsedJws = parseJws(token);
  if (!parsedJws) {
    ASSERT_FALSE(expected) << name;
    EXPECT_EQ(parsedJws.error().code, expected.error().code) << name;
    EXPECT_EQ(parseJwt(token).error().code, expected.error().code) << name;
    return;
  }
  const auto viaJws = verifyParsedJwt(*parsedJws, jwks, options);
  EXPECT_EQ(outcome(viaJws), outcome(expected)) << name;
  auto parsedJwt = parseJwt(token);
  if (!parsedJwt) {
    EXPECT_EQ(parsedJwt.error().code, Error::MalformedClaims) << name;
    EXPECT_FALSE(expected) << name;
    return;
  }
  const auto viaJwt = verifyParsedJwt(*parsedJwt, jwks, options);
  EXPECT_EQ(outcome(viaJwt), outcome(expected)) << name;
  if (expected && viaJws && viaJwt) {
    for (const auto* got : {&*viaJws, &*viaJwt}) {
      EXPECT_EQ(got->alg, expected->alg) << name;
      EXPECT_EQ(got->header, expected->header) << name;
      EXPECT_EQ(got->claims.all, expected->claims.all) << name;
      EXPECT_EQ(got->claims.sub, expected->claims.sub) << name;
      EXPECT_EQ(got->claims.exp, expected->claims.exp) << name;
    }
  }
}

TEST(JoseParsedJwt, AgreesWithVerifyJwtOnEveryFixtureCase) {
  const auto manifest = testing::loadManifest();
  std::size_t valid = 0;
  for (const auto& entry : manifest.cases()) {
    const auto& testCase = entry.as_object();
    const std::string name(testCase.at("name").as_string());
    const std::string token =
        testing::readFile(testing::joseData() / std::string(testCase.at("token").as_string()));
    const Jwks jwks = testing::loadJwks(std::string(testCase.at("jwks").as_string()));
    expectAgreement(token, jwks, testing::optionsFor(manifest, testCase), name);
    if (testCase.at("expect").as_string() == "Ok") {
      ++valid;
    }
  }
  EXPECT_GE(valid, 4u);
}

TEST(JoseParsedJwt, AgreesWithVerifyJwtOnTheFuzzSeeds) {
  const Jwks jwks = testing::loadJwks("jwks.json");
  VerifyOptions options;  // as in fuzz/jws_fuzz.cc
  options.claims = {.issuer = "https://issuer.test",
                    .audiences = {"authgate-client"},
                    .clientId = "authgate-client",
                    .nonce = std::string("nonce-123"),
                    .skewSeconds = 30,
                    .now = 1760000000};
  std::size_t seeds = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::path(AUTHGATE_FUZZ_CORPUS) / "jws")) {
    expectAgreement(testing::readFile(entry.path()), jwks, options, entry.path().filename());
    ++seeds;
  }
  EXPECT_GE(seeds, 20u);
}

TEST(JoseParsedJwt, ExposesTheUnverifiedPayloadAndRefusesNonObjectsEarly) {
  const auto& key = testing::keyFor(Algorithm::EdDSA);
  const boost::json::object header{{"alg", "EdDSA"}, {"kid", "e"}};
  const std::string token =
      testing::makeToken(Algorithm::EdDSA, key.get(), header, testing::goodClaims());
  auto parsed = parseJwt(token);
  ASSERT_TRUE(parsed) << parsed.error().detail;
  EXPECT_EQ(parsed->payload, testing::goodClaims());
  EXPECT_EQ(parsed->jws.kid, "e");

  std::string array = testing::makeToken(Algorithm::EdDSA, key.get(), header, std::string("[]"));
  array.back() = array.back() == 'A' ? 'Q' : 'A';  // forged, yet refused for its payload
  EXPECT_EQ(parseJwt(array).error().code, Error::MalformedClaims);
  EXPECT_EQ(parseJwt("a.b").error().code, Error::MalformedToken);
}

TEST(JoseParsedJwt, ReportsTheSignatureBeforeTheClaims) {
  const auto& key = testing::keyFor(Algorithm::ES256);
  const auto jwks = testing::jwksOf({testing::publicJwk(key.get(), "e")});
  VerifyOptions options;
  options.claims = testing::rules();
  options.claims.now = testing::kNow + 100000;  // the claims have expired
  std::string token = testing::makeToken(Algorithm::ES256, key.get(),
                                         {{"alg", "ES256"}, {"kid", "e"}}, testing::goodClaims());
  EXPECT_EQ(outcome(verifyParsedJwt(*parseJwt(token), jwks, options)), "Expired");
  token.back() = token.back() == 'A' ? 'Q' : 'A';
  EXPECT_EQ(outcome(verifyParsedJwt(*parseJwt(token), jwks, options)), "SignatureInvalid");
  EXPECT_EQ(outcome(verifyParsedJwt(*parseJws(token), jwks, options)), "SignatureInvalid");
}

TEST(JoseVerifyContexts, TemplatesExistExactlyForTheKeysAlgorithms) {
  struct Expectation {
    Algorithm keyOf;
    std::vector<Algorithm> templated;
  };
  const std::vector<Expectation> expectations{
      {Algorithm::RS256,
       {Algorithm::RS256, Algorithm::RS384, Algorithm::RS512, Algorithm::PS256, Algorithm::PS384,
        Algorithm::PS512}},
      {Algorithm::ES256, {Algorithm::ES256}},
      {Algorithm::ES384, {Algorithm::ES384}},
      {Algorithm::ES512, {Algorithm::ES512}},
      {Algorithm::EdDSA, {}},  // pure Ed25519 keeps the one-shot path
  };
  for (const auto& expectation : expectations) {
    const auto jwks =
        testing::jwksOf({testing::publicJwk(testing::keyFor(expectation.keyOf).get())});
    const auto& contexts = jwks.keys.front().verifyContexts();
    for (const Algorithm alg : allAlgorithms()) {
      const bool expected = std::find(expectation.templated.begin(), expectation.templated.end(),
                                      alg) != expectation.templated.end();
      EXPECT_EQ(contexts.hasTemplate(alg), expected)
          << toString(alg) << " on a key for " << toString(expectation.keyOf);
    }
  }
}

TEST(JoseVerifyContexts, AWrongKeyTypeStillFails) {
  // No template for RS256 on an EC key: the one-shot path runs and refuses, as before.
  const std::string token =
      testing::makeToken(Algorithm::RS256, testing::keyFor(Algorithm::RS256).get(),
                         {{"alg", "RS256"}}, testing::goodClaims());
  auto parsed = *parseJws(token);
  const auto ec = testing::jwksOf({testing::publicJwk(testing::keyFor(Algorithm::ES256).get())});
  EXPECT_FALSE(
      verifySignature(Algorithm::RS256, ec.keys.front(), parsed.signingInput, parsed.signature));
  const auto rsa = testing::jwksOf({testing::publicJwk(testing::keyFor(Algorithm::RS256).get())});
  EXPECT_TRUE(
      verifySignature(Algorithm::RS256, rsa.keys.front(), parsed.signingInput, parsed.signature));
  EXPECT_FALSE(verifySignature(Algorithm::PS256, rsa.keys.front(), parsed.signingInput,
                               parsed.signature));  // same key, template of another padding
}

// One Jwk shared by several threads, as the gate's workers share a JWKS snapshot: every
// thread must get every answer right (run under ASan/TSan builds to catch races).
TEST(JoseVerifyContexts, ThreadsSharingAKeyGetTheSameAnswers) {
  for (const Algorithm alg :
       {Algorithm::RS256, Algorithm::PS384, Algorithm::ES256, Algorithm::ES512, Algorithm::EdDSA}) {
    const auto& key = testing::keyFor(alg);
    const auto jwks = testing::jwksOf({testing::publicJwk(key.get())});
    const std::string token = testing::makeToken(
        alg, key.get(), {{"alg", std::string(toString(alg))}}, testing::goodClaims());
    const auto parsed = *parseJws(token);
    auto forged = parsed.signature;
    forged[forged.size() / 2] ^= 0x01;
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 50; ++i) {
          const Jwk& shared = jwks.keys.front();
          if (!verifySignature(alg, shared, parsed.signingInput, parsed.signature) ||
              verifySignature(alg, shared, parsed.signingInput, forged)) {
            ++wrong;
          }
        }
      });
    }
    for (auto& thread : threads) {
      thread.join();
    }
    EXPECT_EQ(wrong.load(), 0) << toString(alg);
  }
}

}  // namespace
}  // namespace authgate::core::jose
