#pragma once
// Why a session or login-state cookie could not be used (or written).
//
// Usage:
//   auto session = codec.open(cookie, now);
//   if (!session) { metrics.count(toString(session.error().code)); log(session.error().detail); }
//
// The detail names the field or size that was wrong; it never contains secrets, plaintext or the
// cookie's text, so it can be logged. Clients only ever see a generic answer.

#include <string>
#include <string_view>

namespace authgate::core::session {

enum class Error {
  // Not strict base64url, or too short to hold a version byte, a nonce and a tag.
  Malformed,
  // Decoded, but the leading version byte is not one this build writes.
  UnsupportedVersion,
  // AES-GCM refused it under every configured key: wrong secret, tampered, truncated, or sealed
  // for another purpose. Deliberately one code: which of these it was is not told.
  AuthenticationFailed,
  // Authentic, but the session's expiresAt is before now.
  Expired,
  // The cookie was split into chunks and one of them (not the last) is absent.
  MissingChunk,
  // More chunks than allowed, or a value larger than a cookie family can carry.
  TooLarge,
  // Authentic and decrypted, but the payload does not parse as this purpose's format. Only our
  // own (older or buggy) writer can produce it.
  CorruptPayload,
};

std::string_view toString(Error error);

struct Failure {
  Error code;
  std::string detail;  // for logs: what was wrong, never secrets or cookie contents
};

}  // namespace authgate::core::session
