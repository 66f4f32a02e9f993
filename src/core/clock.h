#pragma once
// The core never reads the wall clock: whoever calls it passes a Clock.
//
// Usage:
//   SystemClock clock;                       // production (src/io)
//   FakeClock clock{UnixSeconds{1700000000}}; // tests
//   validateClaims(claims, rules, clock.now());

#include <cstdint>

namespace authgate::core {

// Seconds since the Unix epoch, the unit of JWT NumericDate (RFC 7519 §2) and of session expiry.
using UnixSeconds = std::int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual UnixSeconds now() const = 0;
};

// A clock that stands still until told to move: for tests and for replaying a fixed instant.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(UnixSeconds now) : now_(now) {}
  UnixSeconds now() const override { return now_; }
  void set(UnixSeconds now) { now_ = now; }
  void advance(UnixSeconds seconds) { now_ += seconds; }

 private:
  UnixSeconds now_;
};

}  // namespace authgate::core
