#pragma once
// HKDF with SHA-256 (RFC 5869), through OpenSSL 3's EVP_KDF "HKDF" (extract then expand).
//
// Usage:
//   std::array<std::uint8_t, 32> key;
//   if (!crypto::hkdfSha256(secret.bytes, {}, crypto::asBytes("authgate session v1"), key)) {
//     return fail("key derivation failed");
//   }
//
// `info` carries the purpose label (RFC 5869 §3.2): keys derived from one secret under different
// labels are independent, so a value sealed for one purpose never opens under another.

#include <cstddef>
#include <cstdint>
#include <span>

namespace authgate::core::crypto {

// RFC 5869 §2.3: L <= 255 * HashLen.
inline constexpr std::size_t kHkdfSha256MaxOutput = 255 * 32;

// Fills `out` with HKDF-SHA256(ikm, salt, info). An empty salt means HashLen zero bytes
// (RFC 5869 §2.2). Returns false, leaving `out` zeroed, when `out` is empty, longer than
// kHkdfSha256MaxOutput, `ikm` is empty, or OpenSSL fails.
[[nodiscard]] bool hkdfSha256(std::span<const std::uint8_t> ikm, std::span<const std::uint8_t> salt,
                              std::span<const std::uint8_t> info, std::span<std::uint8_t> out);

}  // namespace authgate::core::crypto
