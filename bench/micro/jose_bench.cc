// JWT verification cost per algorithm, on the committed fixtures (tests/data/jose) at the
// manifest's `now`: the full verifyJwt (parse, key selection, signature, claims) and the
// signature check alone; and, as a baseline measured in the same run, the bare RSA-2048
// public-key operation that `openssl speed rsa2048` times.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include "core/jose/jws.h"
#include "core/jose/jwt.h"

namespace {

namespace jose = authgate::core::jose;

std::string readData(const std::string& relative) {
  std::ifstream in(std::string(AUTHGATE_TEST_DATA) + "/jose/" + relative, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read tests/data/jose/" + relative);
  }
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Fixture {
  jose::Jwks jwks;
  jose::VerifyOptions options;
};

const Fixture& fixture() {
  static const Fixture loaded = [] {
    const auto manifest = boost::json::parse(readData("cases.json")).as_object();
    auto jwks = jose::parseJwks(readData("jwks.json"));
    if (!jwks) {
      throw std::runtime_error(jwks.error().detail);
    }
    Fixture f{std::move(*jwks), {}};
    const std::string audience(manifest.at("audience").as_string());
    f.options.claims = {.issuer = std::string(manifest.at("issuer").as_string()),
                        .audiences = {audience},
                        .clientId = audience,
                        .nonce = std::string(manifest.at("nonce").as_string()),
                        .skewSeconds = 30,
                        .now = manifest.at("now").to_number<std::int64_t>()};
    return f;
  }();
  return loaded;
}

void verifyJwt(benchmark::State& state, const char* tokenName) {
  const std::string token = readData(std::string("tokens/") + tokenName + ".jwt");
  const auto& f = fixture();
  if (!jose::verifyJwt(token, f.jwks, f.options)) {
    state.SkipWithError("fixture does not verify");
    return;
  }
  for (auto _ : state) {
    auto verified = jose::verifyJwt(token, f.jwks, f.options);
    benchmark::DoNotOptimize(verified);
  }
}

void verifySignatureOnly(benchmark::State& state, const char* tokenName) {
  const std::string token = readData(std::string("tokens/") + tokenName + ".jwt");
  const auto& f = fixture();
  auto parsed = jose::parseJws(token);
  if (!parsed) {
    state.SkipWithError("fixture does not parse");
    return;
  }
  auto alg = jose::lookupAlgorithm(parsed->alg);
  const jose::Jwk* key = nullptr;
  for (const auto& candidate : f.jwks.keys) {
    if (candidate.kid() == parsed->kid) {
      key = &candidate;
    }
  }
  if (!alg || key == nullptr ||
      !jose::verifySignature(*alg, *key, parsed->signingInput, parsed->signature)) {
    state.SkipWithError("fixture signature does not verify");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        jose::verifySignature(*alg, *key, parsed->signingInput, parsed->signature));
  }
}

// EVP_PKEY_verify of the fixture's SHA-256 digest with one context initialized beforehand:
// the RSA work of an RS256 check without hashing or per-call set-up (what openssl speed does).
void BM_RawRsa2048VerifyPrehashed(benchmark::State& state) {
  const std::string token = readData("tokens/rs256_valid.jwt");
  auto parsed = jose::parseJws(token);
  const jose::Jwk* key = nullptr;
  for (const auto& candidate : fixture().jwks.keys) {
    if (parsed && candidate.kid() == parsed->kid) {
      key = &candidate;
    }
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digestSize = 0;
  EVP_PKEY_CTX* ctx = key != nullptr ? EVP_PKEY_CTX_new(key->pkey(), nullptr) : nullptr;
  const bool ready = ctx != nullptr && EVP_PKEY_verify_init(ctx) == 1 &&
                     EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
                     EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) == 1 &&
                     EVP_Digest(parsed->signingInput.data(), parsed->signingInput.size(), digest,
                                &digestSize, EVP_sha256(), nullptr) == 1 &&
                     EVP_PKEY_verify(ctx, parsed->signature.data(), parsed->signature.size(),
                                     digest, digestSize) == 1;
  if (!ready) {
    state.SkipWithError("the fixture signature does not verify");
  } else {
    for (auto _ : state) {
      benchmark::DoNotOptimize(EVP_PKEY_verify(ctx, parsed->signature.data(),
                                               parsed->signature.size(), digest, digestSize));
    }
  }
  EVP_PKEY_CTX_free(ctx);
}

BENCHMARK(BM_RawRsa2048VerifyPrehashed);
BENCHMARK_CAPTURE(verifyJwt, RS256_2048, "rs256_valid");
BENCHMARK_CAPTURE(verifyJwt, PS256_2048, "ps256_valid");
BENCHMARK_CAPTURE(verifyJwt, ES256, "es256_valid");
BENCHMARK_CAPTURE(verifyJwt, EdDSA, "eddsa_valid");
BENCHMARK_CAPTURE(verifySignatureOnly, RS256_2048, "rs256_valid");
BENCHMARK_CAPTURE(verifySignatureOnly, PS256_2048, "ps256_valid");
BENCHMARK_CAPTURE(verifySignatureOnly, ES256, "es256_valid");
BENCHMARK_CAPTURE(verifySignatureOnly, EdDSA, "eddsa_valid");

}  // namespace
