#pragma once
// The core never draws randomness on its own: whoever calls it passes a RandomSource.
//
// Usage:
//   io::OpenSslRandom random;              // production: the OS-seeded CSPRNG (src/io)
//   std::array<std::uint8_t, 12> nonce;
//   random.fill(nonce);

#include <cstdint>
#include <span>

namespace authgate::core {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Fills `out` with cryptographically secure random bytes. Aborts the process if the
  // generator fails: continuing with predictable nonces or keys would be worse.
  virtual void fill(std::span<std::uint8_t> out) = 0;
};

}  // namespace authgate::core
