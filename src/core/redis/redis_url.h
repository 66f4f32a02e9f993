#pragma once
// The address of a Redis server as a URL: redis://[[user]:password@]host[:port][/db] for plain
// TCP and rediss:// for TLS (the forms of the IANA "redis" and "rediss" scheme registrations).
//
// Usage:
//   auto url = redis::parseRedisUrl("rediss://:s3cret@redis.internal:6380/2");
//   if (!url) return fail(url.error());        // e.g. "redis URL: port 99999 is out of range"
//   connect(url->host, url->port, url->tls);   // then AUTH url->password, SELECT url->db
//
// Rules:
//   1) The scheme is redis or rediss (case-insensitive); unix:// and anything else are refused.
//   2) A host is required; an IPv6 literal is written in brackets and returned without them.
//   3) The port is 1..65535, 6379 when absent; the db is a decimal 0..kMaxDb, 0 when absent.
//   4) User and password are percent-decoded; "redis://:pw@h" has a password and no user.
//   5) Query and fragment are refused: options such as TLS settings come from the configuration,
//      never from parameters silently ignored here.
// The error text never contains the password.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace authgate::core::redis {

inline constexpr std::uint16_t kDefaultPort = 6379;
// Redis's own limit is the "databases" setting (16 by default); this bound only keeps the number
// sane, the server refuses a SELECT beyond its setting.
inline constexpr int kMaxDb = 1 << 20;

struct RedisUrl {
  bool tls = false;  // rediss://
  std::string host;  // DNS name or IP literal (IPv6 without brackets)
  std::uint16_t port = kDefaultPort;
  std::string username;  // empty: the default user (AUTH with the password only)
  std::string password;  // empty: no AUTH
  int db = 0;
};

Result<RedisUrl, std::string> parseRedisUrl(std::string_view text);

}  // namespace authgate::core::redis
