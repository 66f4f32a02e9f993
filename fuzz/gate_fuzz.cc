// Fuzzes the decision on whatever a client can put in a request: method, path, query, the
// Cookie header (session and login-state cookies included) and the body the gate reads (the
// back-channel logout form); and the choice between several providers' gates on the same
// request. Input lines: method, path, query, cookie header, accept header; the rest is the
// body. Odd-sized inputs go to a gate with server-side sessions (tickets, logout tokens).
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "core/crypto/fake_random.h"
#include "core/gate/gate.h"
#include "core/gate/provider_choice.h"

namespace {

using namespace authgate::core;

std::unique_ptr<gate::Gate> makeGate(bool serverSessions) {
  gate::GateSettings settings;
  settings.client = {"client-1", "", {"openid", "email"}};
  if (serverSessions) {
    settings.serverSessions = gate::GateSettings::ServerSessions{};
  }
  std::vector<session::CookieSecret> secrets{
      *session::decodeCookieSecret("q-LUN0AXjfvdlqTV4BSDCpxMNTTMWcoPYV_Ohhj2HVg=")};
  return std::make_unique<gate::Gate>(*gate::Gate::create(settings, secrets, {".example.com"}));
}

const gate::Gate& theGate(bool serverSessions) {
  static const auto withCookies = makeGate(false);
  static const auto withStore = makeGate(true);
  return serverSessions ? *withStore : *withCookies;
}

const gate::ProviderChoice& theChoice() {
  static const gate::ProviderChoice choice(
      gate::ProviderRoutes(std::vector<gate::ProviderRoute>{{"corp", {"*.corp.test"}, {}},
                                                            {"partner", {}, {"/partner/"}}}),
      {{.issuer = "https://idp.test", .cookieName = "_authgate"},
       {.issuer = "https://partner.test", .cookieName = "_authgate_partner"}},
      "/oauth2", {});
  return choice;
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
  const std::string_view body = input;
  const std::array<gate::HeaderView, 2> headers{gate::HeaderView{"Cookie", fields[3]},
                                                gate::HeaderView{"Accept", fields[4]}};
  gate::CheckRequest request{.method = fields[0],
                             .scheme = "https",
                             .host = "app.example.com",
                             .path = fields[1],
                             .query = fields[2],
                             .headers = headers,
                             .peer = "127.0.0.1",
                             .now = 1760000000,
                             .body = body};
  static gate::ProviderSnapshot provider{.issuer = "https://idp.test",
                                         .authorizationEndpoint = "https://idp.test/authorize",
                                         .endSessionEndpoint = "https://idp.test/logout",
                                         .keys = nullptr};
  crypto::FakeRandom random(1);
  (void)theChoice().choose(request);
  (void)theGate(size % 2 == 1).decide(request, (size % 4 < 2) ? &provider : nullptr, random);
  return 0;
}
