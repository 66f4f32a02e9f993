// Fuzzes the decision on whatever a client can put in a request: method, path, query and the
// Cookie header (session and login-state cookies included). Input lines: method, path, query,
// cookie header, accept header.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "core/crypto/fake_random.h"
#include "core/gate/gate.h"

namespace {

using namespace authgate::core;

const gate::Gate& theGate() {
  static const auto instance = [] {
    gate::GateSettings settings;
    settings.client = {"client-1", "", {"openid", "email"}};
    std::vector<session::CookieSecret> secrets{
        *session::decodeCookieSecret("q-LUN0AXjfvdlqTV4BSDCpxMNTTMWcoPYV_Ohhj2HVg=")};
    return std::make_unique<gate::Gate>(*gate::Gate::create(settings, secrets, {".example.com"}));
  }();
  return *instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::array<std::string_view, 5> fields{};
  for (auto& field : fields) {
    const std::size_t end = input.find('\n');
    field = input.substr(0, end);
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
  }
  const std::array<gate::HeaderView, 2> headers{gate::HeaderView{"Cookie", fields[3]},
                                                gate::HeaderView{"Accept", fields[4]}};
  gate::CheckRequest request{.method = fields[0],
                             .scheme = "https",
                             .host = "app.example.com",
                             .path = fields[1],
                             .query = fields[2],
                             .headers = headers,
                             .peer = "127.0.0.1",
                             .now = 1760000000};
  static gate::ProviderSnapshot provider{.issuer = "https://idp.test",
                                         .authorizationEndpoint = "https://idp.test/authorize",
                                         .endSessionEndpoint = "https://idp.test/logout",
                                         .keys = nullptr};
  crypto::FakeRandom random(1);
  (void)theGate().decide(request, (size % 2) ? &provider : nullptr, random);
  return 0;
}
