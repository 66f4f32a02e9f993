// Every fuzz seed goes through the same entry points as the fuzz targets (fuzz/jws_fuzz.cc,
// fuzz/jwks_fuzz.cc): nothing may crash, and the seeds that are valid fixtures must verify.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "core/jose/jws.h"
#include "core/jose/jwt.h"
#include "jose_testing.h"

namespace authgate::core::jose {
namespace {

std::vector<std::filesystem::path> seeds(const char* corpus) {
  std::vector<std::filesystem::path> paths;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::path(AUTHGATE_FUZZ_CORPUS) / corpus)) {
    paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

TEST(JoseCorpus, JwsSeedsRunAndValidOnesVerify) {
  const auto manifest = testing::loadManifest();
  std::map<std::string, boost::json::object> cases;
  for (const auto& entry : manifest.cases()) {
    cases.emplace(std::string(entry.at("name").as_string()), entry.as_object());
  }
  const Jwks jwks = testing::loadJwks("jwks.json");
  VerifyOptions fuzzOptions;  // as in fuzz/jws_fuzz.cc
  fuzzOptions.claims = {.issuer = "https://issuer.test",
                        .audiences = {"authgate-client"},
                        .clientId = "authgate-client",
                        .nonce = std::string("nonce-123"),
                        .skewSeconds = 30,
                        .now = 1760000000};
  std::size_t verifiedWithFuzzOptions = 0;
  std::size_t matched = 0;
  const auto all = seeds("jws");
  ASSERT_GE(all.size(), 20u);
  for (const auto& path : all) {
    const std::string token = testing::readFile(path);
    if (verifyJwt(token, jwks, fuzzOptions)) {
      ++verifiedWithFuzzOptions;
    }
    const auto found = cases.find(path.filename().string());
    if (found == cases.end()) {
      continue;
    }
    ++matched;
    const auto& testCase = found->second;
    const Jwks caseJwks = testing::loadJwks(std::string(testCase.at("jwks").as_string()));
    auto verified = verifyJwt(token, caseJwks, testing::optionsFor(manifest, testCase));
    EXPECT_EQ(verified ? std::string("Ok") : std::string(toString(verified.error().code)),
              testCase.at("expect").as_string())
        << path.filename();
  }
  EXPECT_GE(matched, 40u);
  // The fuzzer starts from accepted tokens, so it explores past the signature check.
  EXPECT_GE(verifiedWithFuzzOptions, 10u);
}

TEST(JoseCorpus, JwksSeedsRun) {
  std::size_t brokenKeys = 0;
  for (const auto& path : seeds("jwks")) {
    const std::string text = testing::readFile(path);
    const std::string name = path.filename().string();
    auto jwks = parseJwks(text);
    auto jwk = parseJwk(text);
    if (name.starts_with("key_")) {  // single broken keys, one per rejection reason
      EXPECT_FALSE(jwk) << name;
      ++brokenKeys;
    } else if (name.ends_with("_jwk")) {  // the RFC vectors' keys
      EXPECT_TRUE(jwk) << name;
    } else if (name == "jwks" || name == "jwks_other") {
      ASSERT_TRUE(jwks) << name;
      EXPECT_TRUE(jwks->skipped.empty()) << name;
      EXPECT_EQ(jwks->keys.size(), 10u) << name;
    }
  }
  EXPECT_GE(brokenKeys, 8u);
}

}  // namespace
}  // namespace authgate::core::jose
