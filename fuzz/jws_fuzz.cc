// libFuzzer entry point: the input is a compact JWS/JWT, verified with verifyJwt against the
// fixture JWKS (tests/data/jose/jwks.json) at the fixtures' `now`. Seeds: fuzz/corpus/jws/.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

#include "core/jose/jws.h"
#include "core/jose/jwt.h"

namespace {

namespace jose = authgate::core::jose;

// AUTHGATE_TEST_DATA is the absolute path of tests/data (fuzz/CMakeLists.txt).
const jose::Jwks& fixtureJwks() {
  static const jose::Jwks jwks = [] {
    const auto path = std::filesystem::path(AUTHGATE_TEST_DATA) / "jose" / "jwks.json";
    std::ifstream in(path, std::ios::binary);
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    auto parsed = jose::parseJwks(text);
    if (!parsed || parsed->keys.empty()) {
      std::fprintf(stderr, "jws_fuzz: cannot load %s\n", path.c_str());
      std::abort();
    }
    return std::move(*parsed);
  }();
  return jwks;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fixtureJwks();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view token(reinterpret_cast<const char*>(data), size);
  jose::VerifyOptions options;
  options.claims = {.issuer = "https://issuer.test",
                    .audiences = {"authgate-client"},
                    .clientId = "authgate-client",
                    .nonce = std::string("nonce-123"),
                    .skewSeconds = 30,
                    .now = 1760000000};
  auto verified = jose::verifyJwt(token, fixtureJwks(), options);
  if (verified) {
    // An accepted token must have passed every check: spot-check the invariants.
    if (verified->claims.iss != "https://issuer.test" || verified->claims.sub.empty()) {
      std::abort();
    }
  }
  // The signature-only path, with a restricted allow-list.
  if (auto parsed = jose::parseJws(token); parsed) {
    const jose::Algorithm allowed[] = {jose::Algorithm::ES256, jose::Algorithm::EdDSA};
    (void)jose::verifyJws(*parsed, fixtureJwks(), allowed);
  }
  return 0;
}
