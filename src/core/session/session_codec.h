#pragma once
// Session <-> cookie value: the serialized Session (session_serialization.h) in a SealedBox
// bound to the session purpose, plus the expiry check that decides whether it can be trusted now.
//
// Usage:
//   auto codec = session::SessionCodec::create(config.cookieSecrets);  // once, at start-up
//   auto value = codec->seal(session, random);           // Result<std::string, Failure>
//   auto session = codec->open(joined_cookie_value, clock.now());
//   if (!session) { /* Malformed ... Expired: start a login, count the error code */ }
//
// open() decides in this order, each step only on what the previous one vouched for:
//   1) size and base64url      -> TooLarge / Malformed
//   2) version byte            -> UnsupportedVersion
//   3) AES-GCM under each key  -> AuthenticationFailed
//   4) payload format          -> CorruptPayload
//   5) session expiry          -> Expired (expiresAt < now)

#include <span>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/random.h"
#include "core/result.h"
#include "core/session/cookie_secret.h"
#include "core/session/sealed_box.h"
#include "core/session/session.h"
#include "core/session/session_error.h"

namespace authgate::core::session {

class SessionCodec {
 public:
  // Derives the keys once. `purpose` is kSessionPurpose in production; the error names no secret.
  static Result<SessionCodec, std::string> create(std::span<const CookieSecret> secrets,
                                                  std::string_view purpose = kSessionPurpose);
  explicit SessionCodec(SealedBox box) : box_(std::move(box)) {}

  // TooLarge when a field or the whole session passes the format's limits.
  Result<std::string, Failure> seal(const Session& session, RandomSource& random) const;
  Result<Session, Failure> open(std::string_view sealed, UnixSeconds now) const;

  // The generic box underneath, for callers that seal other payloads under the same purpose.
  const SealedBox& box() const { return box_; }

 private:
  SealedBox box_;
};

// `session` while it is valid at `now`; Expired once expiresAt < now (step 5 above, shared by
// every store).
Result<Session, Failure> unlessExpired(Session session, UnixSeconds now);

}  // namespace authgate::core::session
