#pragma once
// The cookie secret as oauth2-proxy users already generate it:
//   openssl rand -base64 32 | tr -- '+/' '-_'
// A value that decodes as URL-safe base64 (trailing '=' allowed) to 16, 24 or 32 bytes is used
// decoded; otherwise its raw bytes are used, which must then be 16, 24 or 32 bytes long.
//
// Usage:
//   auto secret = session::decodeCookieSecret(config_value);
//   if (!secret) report("cookie.secret: " + secret.error());

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace authgate::core::session {

struct CookieSecret {
  std::vector<std::uint8_t> bytes;  // 16, 24 or 32 bytes of key material
};

// The error is a sentence fragment naming what was wrong, e.g.
// "must decode to 16, 24 or 32 bytes, got 12"; it never contains the secret.
Result<CookieSecret, std::string> decodeCookieSecret(std::string_view configured);

}  // namespace authgate::core::session
