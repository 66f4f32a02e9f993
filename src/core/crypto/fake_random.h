#pragma once
// A deterministic RandomSource for tests, fuzz seeds and reproducible fixtures, as FakeClock is
// for time. Never use it to seal anything real: its output is predictable by design.
//
// Usage:
//   crypto::FakeRandom random;                    // a fixed pseudo-random stream (seed 1)
//   crypto::FakeRandom nist({0xca, 0xfe, ...});   // these bytes first (e.g. a test vector's IV)

#include <cstdint>
#include <deque>
#include <span>
#include <vector>

#include "core/random.h"

namespace authgate::core::crypto {

class FakeRandom final : public RandomSource {
 public:
  explicit FakeRandom(std::uint64_t seed = 1) : state_(seed) {}
  explicit FakeRandom(const std::vector<std::uint8_t>& first, std::uint64_t seed = 1)
      : queued_(first.begin(), first.end()), state_(seed) {}

  // Queues `bytes` to be returned before the pseudo-random stream continues.
  void queue(std::span<const std::uint8_t> bytes) {
    queued_.insert(queued_.end(), bytes.begin(), bytes.end());
  }

  void fill(std::span<std::uint8_t> out) override {
    for (std::uint8_t& byte : out) {
      if (!queued_.empty()) {
        byte = queued_.front();
        queued_.pop_front();
      } else {
        byte = static_cast<std::uint8_t>(next() >> 56);
      }
    }
  }

 private:
  // SplitMix64: small, fast, and good enough to make distinct nonces in tests.
  std::uint64_t next() {
    state_ += 0x9E3779B97F4A7C15ULL;
    std::uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

  std::deque<std::uint8_t> queued_;
  std::uint64_t state_;
};

}  // namespace authgate::core::crypto
