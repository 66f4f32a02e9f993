// Bearer-token authentication per request, on the committed RS256 fixture token
// (tests/data/jose) at the manifest's `now`: a verified-token cache hit against a full
// verification (cache capacity 0), and a request without any token.
#include <benchmark/benchmark.h>

#include <array>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>

#include "core/gate/bearer.h"

namespace {

namespace gate = authgate::core::gate;
namespace jose = authgate::core::jose;

constexpr authgate::core::UnixSeconds kNow = 1760000000;  // tests/data/jose/cases.json

std::string readData(const std::string& relative) {
  std::ifstream in(std::string(AUTHGATE_TEST_DATA) + "/jose/" + relative, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read tests/data/jose/" + relative);
  }
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class FixtureKeys final : public gate::BearerKeySource {
 public:
  FixtureKeys() {
    auto parsed = jose::parseJwks(readData("jwks.json"));
    if (!parsed) {
      throw std::runtime_error(parsed.error().detail);
    }
    keys_ = std::make_shared<const jose::Jwks>(std::move(*parsed));
  }
  std::shared_ptr<const jose::Jwks> keysFor(std::size_t) const override { return keys_; }
  void unknownKey(std::size_t, std::string_view) const override {}

 private:
  std::shared_ptr<const jose::Jwks> keys_;
};

gate::BearerAuthenticator authenticator(std::size_t cacheCapacity) {
  authgate::core::policy::JwtRule rule;
  rule.issuer = "https://issuer.test";
  rule.audiences = {"authgate-client"};
  auto created = gate::BearerAuthenticator::create(
      {rule}, {.allowedAlgorithms = {jose::Algorithm::RS256}, .cacheCapacity = cacheCapacity});
  if (!created) {
    throw std::runtime_error(created.error());
  }
  return std::move(*created);
}

void authenticate(benchmark::State& state, std::size_t cacheCapacity, bool withToken) {
  const FixtureKeys keys;
  const gate::GateSettings settings;
  const auto bearer = authenticator(cacheCapacity);
  const std::string value = "Bearer " + readData("tokens/rs256_valid.jwt");
  const std::array<gate::HeaderView, 2> headers{
      {{"Accept", "application/json"}, {withToken ? "Authorization" : "X-Other", value}}};
  const gate::CheckRequest request{.method = "GET",
                                   .scheme = "https",
                                   .host = "api.test",
                                   .path = "/items",
                                   .headers = headers,
                                   .now = kNow};
  const auto expected =
      withToken ? gate::BearerOutcome::Kind::Valid : gate::BearerOutcome::Kind::Absent;
  if (bearer.authenticate(request, keys, settings, kNow).kind != expected) {
    state.SkipWithError("the fixture token is not accepted");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(bearer.authenticate(request, keys, settings, kNow));
  }
}

void BM_BearerCacheHit(benchmark::State& state) {
  authenticate(state, 10000, true);
}
void BM_BearerUncachedRs256(benchmark::State& state) {
  authenticate(state, 0, true);
}
void BM_BearerNoToken(benchmark::State& state) {
  authenticate(state, 10000, false);
}

}  // namespace

BENCHMARK(BM_BearerCacheHit);
BENCHMARK(BM_BearerUncachedRs256);
BENCHMARK(BM_BearerNoToken);
