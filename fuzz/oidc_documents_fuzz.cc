// Fuzzes the parsers of what the IdP and the browser send during a login: the discovery document,
// the token endpoint's answer and the `rd` redirect target. The first byte picks the parser.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/oidc/provider_metadata.h"
#include "core/oidc/token_response.h"
#include "core/redirect/redirect_policy.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace authgate::core;
  if (size == 0) {
    return 0;
  }
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 4) {
    case 0:
      (void)oidc::parseProviderMetadata(input, "https://idp.example.com");
      break;
    case 1:
      (void)oidc::parseTokenResponse(200, input, oidc::Grant::AuthorizationCode, 1700000000);
      break;
    case 2:
      (void)oidc::parseTokenResponse(400, input, oidc::Grant::RefreshToken, 1700000000);
      break;
    default: {
      static const auto policy =
          *redirect::RedirectPolicy::compile({".example.com", "app.example.org:*"});
      (void)policy.sanitize(input);
      break;
    }
  }
  return 0;
}
