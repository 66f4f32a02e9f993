#pragma once
// Server-side sessions (session_store: redis): the browser's cookie carries only a ticket, an
// opaque id and a key of its own; the store keeps the session under the id, sealed with that
// key. A copy of the store (a stolen Redis dump) holds no readable token, and a ticket opens
// nothing but its own session.
//
// Usage:
//   auto codec = session::TicketCodec::create(config.cookieSecrets);  // once, at start-up
//   session::Ticket ticket = session::newTicket(random);              // at login
//   auto cookie = codec->seal(ticket, random);                        // the cookie's value
//   auto record = session::sealRecord(session, ticket, random);       // SET <prefix><id> record
//   auto again = codec->open(cookie_value);                           // on each request
//   auto stored = session::openRecord(record_bytes, *again, now);     // after GET <prefix><id>
//
// Formats:
//   cookie: a SealedBox (sealed_box.h) under kTicketPurpose holding id (16) || key (32)
//   record: version (1 byte, 0x01) || nonce (12) || AES-256-GCM(serializeSession) || tag (16),
//           keyed by the ticket's key, with associated data = version || kRecordPurpose || id,
//           so a record moved under another id does not open.
// The id is 128 random bits (unguessable, RFC 6265bis §8 "session identifiers"); the key 256.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/crypto/aead.h"
#include "core/random.h"
#include "core/result.h"
#include "core/session/cookie_secret.h"
#include "core/session/sealed_box.h"
#include "core/session/session.h"
#include "core/session/session_error.h"

namespace authgate::core::session {

inline constexpr std::string_view kTicketPurpose = "authgate ticket v1";
inline constexpr std::string_view kRecordPurpose = "authgate session record v1";
inline constexpr std::size_t kTicketIdSize = 16;
inline constexpr std::uint8_t kRecordVersion = 0x01;

struct Ticket {
  std::array<std::uint8_t, kTicketIdSize> id{};
  std::array<std::uint8_t, crypto::kAes256KeySize> key{};

  // base64url(id), 22 characters: the session's name in the store (never secret on its own).
  std::string idText() const;
  bool operator==(const Ticket&) const = default;
};

// A fresh ticket: id and key from `random`.
Ticket newTicket(RandomSource& random);

class TicketCodec {
 public:
  static Result<TicketCodec, std::string> create(std::span<const CookieSecret> secrets);

  Result<std::string, Failure> seal(const Ticket& ticket, RandomSource& random) const;
  // Malformed, UnsupportedVersion, AuthenticationFailed or TooLarge as SealedBox::openBytes;
  // CorruptPayload when the opened payload is not id || key.
  Result<Ticket, Failure> open(std::string_view sealed) const;

 private:
  explicit TicketCodec(SealedBox box) : box_(std::move(box)) {}
  SealedBox box_;
};

// The stored form of `session` under `ticket`. TooLarge as serializeSession.
Result<std::vector<std::uint8_t>, Failure> sealRecord(const Session& session, const Ticket& ticket,
                                                      RandomSource& random);

// The session in `record`: UnsupportedVersion, AuthenticationFailed (another ticket's record,
// or tampered), CorruptPayload, or Expired (expiresAt < now, as SessionCodec::open).
Result<Session, Failure> openRecord(std::span<const std::uint8_t> record, const Ticket& ticket,
                                    UnixSeconds now);

}  // namespace authgate::core::session
