#pragma once
// The compact binary form of a Session, the plaintext inside a session cookie.
//
// Usage:
//   auto bytes = session::serializeSession(session);   // TooLarge past the limits below
//   auto again = session::parseSession(*bytes);        // CorruptPayload on any deviation
//
// Format (all integers big-endian; str = u16 length || that many bytes):
//   u8  format version (kSessionFormatVersion)
//   str subject, str email, str user, str preferredUsername
//   u16 group count, then that many str
//   str idToken, str accessToken, str refreshToken
//   i64 idTokenExpiresAt, accessTokenExpiresAt, refreshTokenExpiresAt, createdAt, expiresAt
//   str providerId
// Parsing is strict: every length is checked against what is left and against its field's
// limit, and no byte may follow providerId. The same limits apply when serializing, so a session
// that serializes always parses back equal.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/result.h"
#include "core/session/session.h"
#include "core/session/session_error.h"

namespace authgate::core::session {

inline constexpr std::uint8_t kSessionFormatVersion = 1;
// Subject, email, user, preferred username, provider id and each group name.
inline constexpr std::size_t kMaxClaimSize = 1024;
// Each of the ID, access and refresh tokens.
inline constexpr std::size_t kMaxTokenSize = 16 * 1024;
inline constexpr std::size_t kMaxGroups = 256;

// TooLarge (naming the field) when a field or the group count passes its limit.
Result<std::vector<std::uint8_t>, Failure> serializeSession(const Session& session);

// CorruptPayload (naming the field) on a wrong version, truncation, an oversized length or
// trailing bytes.
Result<Session, Failure> parseSession(std::span<const std::uint8_t> bytes);

}  // namespace authgate::core::session
