#pragma once
// The production Clock and RandomSource: the wall clock and OpenSSL's OS-seeded CSPRNG.

#include "core/clock.h"
#include "core/random.h"

namespace authgate::io {

class SystemClock final : public core::Clock {
 public:
  core::UnixSeconds now() const override;
};

class OpenSslRandom final : public core::RandomSource {
 public:
  void fill(std::span<std::uint8_t> out) override;
};

}  // namespace authgate::io
