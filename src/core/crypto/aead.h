#pragma once
// AES-256-GCM (NIST SP 800-38D) with a random 96-bit nonce and a 128-bit tag.
//
// Usage:
//   crypto::Aes256GcmKey key(derived);              // 32 bytes, wiped on destruction
//   std::vector<std::uint8_t> box;
//   crypto::aes256GcmSeal(key, plaintext, aad, random, box);  // appends nonce||ciphertext||tag
//   auto opened = crypto::aes256GcmOpen(key, box, aad);       // nullopt: authentication failed
//
// Opening has exactly one failure: a wrong key, a changed nonce, ciphertext, tag or associated
// data, and a truncated box all look the same to the caller, so an attacker learns nothing from
// which check failed. The tag is compared by OpenSSL in constant time.
//
// Random 96-bit nonces keep the collision chance below 2^-32 for up to 2^32 seals under one key
// (SP 800-38D §8.3); rotate the cookie secret well before that.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/random.h"

namespace authgate::core::crypto {

inline constexpr std::size_t kAes256KeySize = 32;
inline constexpr std::size_t kGcmNonceSize = 12;
inline constexpr std::size_t kGcmTagSize = 16;
// Bytes a sealed box adds to its plaintext.
inline constexpr std::size_t kGcmOverhead = kGcmNonceSize + kGcmTagSize;

// 32 bytes of AES key, wiped (OPENSSL_cleanse) when the object dies.
class Aes256GcmKey {
 public:
  explicit Aes256GcmKey(std::span<const std::uint8_t, kAes256KeySize> bytes);
  Aes256GcmKey(const Aes256GcmKey& other) = default;
  Aes256GcmKey& operator=(const Aes256GcmKey& other) = default;
  ~Aes256GcmKey();

  const std::uint8_t* data() const { return bytes_.data(); }

 private:
  std::array<std::uint8_t, kAes256KeySize> bytes_;
};

// Appends nonce (12) || ciphertext (plaintext.size()) || tag (16) to `out`. The nonce comes from
// `random`. Aborts the process if OpenSSL fails to encrypt with a valid key (an internal error
// no input can cause: continuing could emit an unauthenticated value).
void aes256GcmSeal(const Aes256GcmKey& key, std::span<const std::uint8_t> plaintext,
                   std::span<const std::uint8_t> aad, RandomSource& random,
                   std::vector<std::uint8_t>& out);

// Opens nonce || ciphertext || tag. std::nullopt means "authentication failed", whatever the
// reason; no plaintext is released before the tag has been verified.
std::optional<std::vector<std::uint8_t>> aes256GcmOpen(const Aes256GcmKey& key,
                                                       std::span<const std::uint8_t> sealed,
                                                       std::span<const std::uint8_t> aad);

}  // namespace authgate::core::crypto
