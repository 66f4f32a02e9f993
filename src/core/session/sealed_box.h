#pragma once
// A sealed box for cookie values: AES-256-GCM under keys derived from the configured cookie
// secrets, bound to a purpose, encoded as base64url text (a valid cookie value, RFC 6265 §4.1.1).
//
// Usage:
//   auto box = session::SealedBox::create(secrets, session::kLoginStatePurpose);  // at start-up
//   if (!box) return fail("cookie.secrets: " + box.error());
//   auto cookie = box->sealBytes(payload, random);        // Result<std::string, Failure>
//   auto payload = box->openBytes(request_cookie_value);  // Result<bytes, Failure>
//
// Wire format (before base64url):
//   version (1 byte, 0x01) || nonce (12) || AES-256-GCM ciphertext || tag (16)
// with associated data = version byte || purpose label, so neither the version nor the purpose
// can be swapped without the tag failing.
//
// Keys: key_i = HKDF-SHA256(ikm = secret_i, salt = empty, info = purpose label, L = 32)
// (RFC 5869), derived once in create(). secrets[0] seals; every secret opens, in order, so a new
// secret can be put first while cookies sealed under the old one (now second) still open.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto/aead.h"
#include "core/random.h"
#include "core/result.h"
#include "core/session/cookie_secret.h"
#include "core/session/session_error.h"

namespace authgate::core::session {

// Purpose labels: one per kind of cookie. Changing a label invalidates every cookie of that kind.
inline constexpr std::string_view kSessionPurpose = "authgate session v1";
inline constexpr std::string_view kLoginStatePurpose = "authgate login-state v1";

// The version byte this build writes and accepts.
inline constexpr std::uint8_t kSealedBoxVersion = 0x01;
// Decoded bytes a sealed value has besides its payload.
inline constexpr std::size_t kSealedBoxOverhead = 1 + crypto::kGcmOverhead;
// Largest payload sealBytes accepts: its sealed text (about 60 KiB) still fits the 16 chunks of
// 4,000-byte Set-Cookie lines that cookie_chunks.h allows, with room for names and attributes.
inline constexpr std::size_t kMaxPayloadSize = 44 * 1024;
// Longest text openBytes reads: anything longer is refused before decoding.
inline constexpr std::size_t kMaxSealedTextSize = 64 * 1024;

class SealedBox {
 public:
  // Fails (with a message naming no secret) when `secrets` is empty, a secret is empty,
  // `purpose` is empty, or key derivation fails.
  static Result<SealedBox, std::string> create(std::span<const CookieSecret> secrets,
                                               std::string_view purpose);

  // Seals `payload` under the first secret. TooLarge when payload exceeds kMaxPayloadSize.
  Result<std::string, Failure> sealBytes(std::span<const std::uint8_t> payload,
                                         RandomSource& random) const;

  // Opens a value produced by sealBytes under any configured secret and the same purpose.
  // Errors: TooLarge (text over kMaxSealedTextSize), Malformed, UnsupportedVersion,
  // AuthenticationFailed.
  Result<std::vector<std::uint8_t>, Failure> openBytes(std::string_view sealed) const;

  std::string_view purpose() const;

 private:
  SealedBox(std::vector<crypto::Aes256GcmKey> keys, std::vector<std::uint8_t> aad);

  std::vector<crypto::Aes256GcmKey> keys_;  // keys_[0] seals, all open
  std::vector<std::uint8_t> aad_;           // version byte || purpose label
};

}  // namespace authgate::core::session
