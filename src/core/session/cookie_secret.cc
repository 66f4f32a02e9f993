#include "core/session/cookie_secret.h"

#include "core/encoding/base64url.h"

namespace authgate::core::session {
namespace {

bool isAesKeySize(std::size_t size) {
  return size == 16 || size == 24 || size == 32;
}

}  // namespace

Result<CookieSecret, std::string> decodeCookieSecret(std::string_view configured) {
  if (configured.empty()) {
    return fail(std::string("must not be empty"));
  }
  std::string_view unpadded = configured;
  while (!unpadded.empty() && unpadded.back() == '=') {
    unpadded.remove_suffix(1);
  }
  if (auto decoded = base64url::decode(unpadded); decoded && isAesKeySize(decoded->size())) {
    return CookieSecret{std::move(*decoded)};
  }
  if (isAesKeySize(configured.size())) {
    return CookieSecret{std::vector<std::uint8_t>(configured.begin(), configured.end())};
  }
  const std::size_t got =
      base64url::decode(unpadded) ? base64url::decode(unpadded)->size() : configured.size();
  return fail("must decode to 16, 24 or 32 bytes, got " + std::to_string(got));
}

}  // namespace authgate::core::session
