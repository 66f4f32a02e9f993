#pragma once
// The signed-in user as authgate remembers them between requests: identity claims from the ID
// token, the provider's tokens, and when each of them stops being valid.
//
// Usage:
//   Session session{.subject = claims.sub, .email = claims.email, ...,
//                   .createdAt = now, .expiresAt = now + config.cookie.lifetime};
//   auto cookie = codec.seal(session, random);
//
// A plain value: copy it, compare it, put it in a cookie (session_codec.h) or a store.

#include <string>
#include <vector>

#include "core/clock.h"

namespace authgate::core::session {

struct Session {
  std::string subject;            // "sub" of the ID token (OIDC Core §2)
  std::string email;              // "email" claim, empty when absent
  std::string user;               // the user name passed upstream (configured claim)
  std::string preferredUsername;  // "preferred_username" claim, empty when absent
  std::vector<std::string> groups;
  std::string idToken;                    // compact JWS, empty when not kept
  std::string accessToken;                // opaque or JWT, empty when not kept
  std::string refreshToken;               // empty when the provider issued none
  UnixSeconds idTokenExpiresAt = 0;       // 0: none / unknown
  UnixSeconds accessTokenExpiresAt = 0;   // 0: none / unknown
  UnixSeconds refreshTokenExpiresAt = 0;  // 0: none / unknown
  UnixSeconds createdAt = 0;              // when the login completed
  std::string providerId;                 // which configured provider signed the user in
  // createdAt + cookie lifetime. A session is expired once expiresAt < now; 0 is always expired
  // (fail closed: a session without an end is never accepted).
  UnixSeconds expiresAt = 0;

  bool operator==(const Session& other) const = default;
};

}  // namespace authgate::core::session
