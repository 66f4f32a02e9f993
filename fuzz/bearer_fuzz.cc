// libFuzzer entry point: the input is the credential part of a request, offered to the bearer
// authenticator in every location kind at once (Authorization header value, query string and
// Cookie header), with rules for the fixture issuer and the fixture JWKS
// (tests/data/jose/jwks.json) at the fixtures' `now`. Seeds: fuzz/corpus/bearer/.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>

#include "core/gate/bearer.h"

namespace {

namespace gate = authgate::core::gate;
namespace jose = authgate::core::jose;
namespace policy = authgate::core::policy;

constexpr authgate::core::UnixSeconds kNow = 1760000000;

class FixtureKeys final : public gate::BearerKeySource {
 public:
  FixtureKeys() {
    const auto path = std::filesystem::path(AUTHGATE_TEST_DATA) / "jose" / "jwks.json";
    std::ifstream in(path, std::ios::binary);
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    auto parsed = jose::parseJwks(text);
    if (!parsed || parsed->keys.empty()) {
      std::fprintf(stderr, "bearer_fuzz: cannot load %s\n", path.c_str());
      std::abort();
    }
    keys_ = std::make_shared<const jose::Jwks>(std::move(*parsed));
  }
  std::shared_ptr<const jose::Jwks> keysFor(std::size_t) const override { return keys_; }
  void unknownKey(std::size_t, std::string_view) const override {}

 private:
  std::shared_ptr<const jose::Jwks> keys_;
};

struct Fixture {
  FixtureKeys keys;
  gate::GateSettings settings;
  gate::BearerAuthenticator bearer;
};

gate::BearerAuthenticator makeAuthenticator() {
  policy::JwtRule defaults;
  defaults.issuer = "https://issuer.test";
  defaults.outputClaimToHeaders = {{"X-Sub", "sub"}, {"X-Nested", "a.b.c"}};
  defaults.outputPayloadToHeader = "X-Payload";
  policy::JwtRule custom;
  custom.issuer = "https://issuer.test";
  custom.audiences = {"authgate-client"};
  custom.fromHeaders = {{"X-Token", ""}};
  custom.fromParams = {"jwt"};
  custom.fromCookies = {"jwt"};
  // A small cache, so that eviction runs too.
  auto created = gate::BearerAuthenticator::create(
      {defaults, custom}, {.allowedAlgorithms = {jose::Algorithm::RS256, jose::Algorithm::ES256,
                                                 jose::Algorithm::EdDSA},
                           .skewSeconds = 30,
                           .cacheCapacity = 8});
  if (!created) {
    std::abort();
  }
  return std::move(*created);
}

Fixture& fixture() {
  static Fixture instance{FixtureKeys{}, gate::GateSettings{}, makeAuthenticator()};
  return instance;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fixture();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string cookie = "jwt=" + std::string(input);
  const std::array<gate::HeaderView, 3> headers{
      {{"Authorization", input}, {"X-Token", input}, {"Cookie", cookie}}};
  for (const std::string_view query : {input, std::string_view()}) {
    const gate::CheckRequest request{.method = "GET",
                                     .scheme = "https",
                                     .host = "api.test",
                                     .path = "/",
                                     .query = query,
                                     .headers = headers,
                                     .peer = "127.0.0.1",
                                     .now = kNow};
    Fixture& f = fixture();
    const auto outcome = f.bearer.authenticate(request, f.keys, f.settings, kNow);
    if (outcome.kind == gate::BearerOutcome::Kind::Valid) {
      // An accepted token passed every check: spot-check the invariants.
      if (!outcome.identity || outcome.identity->claims.iss != "https://issuer.test" ||
          outcome.identity->claims.sub.empty() || outcome.identity->claims.exp + 30 <= kNow) {
        std::abort();
      }
    } else if (outcome.kind == gate::BearerOutcome::Kind::Invalid && outcome.description.empty()) {
      std::abort();  // every refusal says why
    }
  }
  return 0;
}
