#pragma once
// What the IdP client reports: atomic counters (asserted by tests, exported as metrics later) and
// a log sink for warnings (the app layer plugs spdlog in; tests may leave it empty).
//
// Usage:
//   auto counters = std::make_shared<idp::IdpCounters>();
//   ... hand it to the HTTP client users (Provider does this itself) ...
//   idp::IdpCountersSnapshot now = counters->snapshot();
//   metrics.set("idp_jwks_fetches", now.jwksFetches);
//
// Counters only grow; they are relaxed atomics because each one is independent.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include "core/oidc/token_response.h"

namespace authgate::io::idp {

// Receives one human-readable warning per call (never secrets). Empty: warnings are dropped.
using LogSink = std::function<void(std::string_view)>;

// How a token endpoint call ended.
enum class TokenOutcome {
  Ok,           // a well-formed token response
  Rejected,     // the IdP answered an OAuth error (RFC 6749 §5.2), e.g. invalid_grant
  Malformed,    // the IdP answered 200 with a body that is not a valid token response
  Unavailable,  // no answer: not discovered yet, connect/TLS/timeout/size failure
};
inline constexpr std::size_t kTokenOutcomes = 4;
inline constexpr std::size_t kGrants = 2;  // core::oidc::Grant

struct IdpCountersSnapshot {
  std::uint64_t discoveryAttempts = 0;
  std::uint64_t discoverySuccesses = 0;
  std::uint64_t jwksFetches = 0;  // started fetches (initial, expiry, unknown kid)
  std::uint64_t jwksFetchSuccesses = 0;
  std::uint64_t jwksFetchFailures = 0;
  std::uint64_t unknownKidLookups = 0;      // keysWithKid() calls whose kid was not in the set
  std::uint64_t unknownKidRateLimited = 0;  // ... of which no fetch was allowed (30 s limit)
  std::uint64_t userinfoCalls = 0;
  std::uint64_t userinfoFailures = 0;
  std::array<std::array<std::uint64_t, kTokenOutcomes>, kGrants> tokenCalls{};

  std::uint64_t tokenCallsFor(core::oidc::Grant grant, TokenOutcome outcome) const {
    return tokenCalls[static_cast<std::size_t>(grant)][static_cast<std::size_t>(outcome)];
  }
};

struct IdpCounters {
  std::atomic<std::uint64_t> discoveryAttempts{0};
  std::atomic<std::uint64_t> discoverySuccesses{0};
  std::atomic<std::uint64_t> jwksFetches{0};
  std::atomic<std::uint64_t> jwksFetchSuccesses{0};
  std::atomic<std::uint64_t> jwksFetchFailures{0};
  std::atomic<std::uint64_t> unknownKidLookups{0};
  std::atomic<std::uint64_t> unknownKidRateLimited{0};
  std::atomic<std::uint64_t> userinfoCalls{0};
  std::atomic<std::uint64_t> userinfoFailures{0};
  std::array<std::array<std::atomic<std::uint64_t>, kTokenOutcomes>, kGrants> tokenCalls{};

  static void bump(std::atomic<std::uint64_t>& counter) {
    counter.fetch_add(1, std::memory_order_relaxed);
  }
  void countToken(core::oidc::Grant grant, TokenOutcome outcome) {
    bump(tokenCalls[static_cast<std::size_t>(grant)][static_cast<std::size_t>(outcome)]);
  }

  IdpCountersSnapshot snapshot() const {
    const auto read = [](const std::atomic<std::uint64_t>& counter) {
      return counter.load(std::memory_order_relaxed);
    };
    IdpCountersSnapshot out;
    out.discoveryAttempts = read(discoveryAttempts);
    out.discoverySuccesses = read(discoverySuccesses);
    out.jwksFetches = read(jwksFetches);
    out.jwksFetchSuccesses = read(jwksFetchSuccesses);
    out.jwksFetchFailures = read(jwksFetchFailures);
    out.unknownKidLookups = read(unknownKidLookups);
    out.unknownKidRateLimited = read(unknownKidRateLimited);
    out.userinfoCalls = read(userinfoCalls);
    out.userinfoFailures = read(userinfoFailures);
    for (std::size_t grant = 0; grant < kGrants; ++grant) {
      for (std::size_t outcome = 0; outcome < kTokenOutcomes; ++outcome) {
        out.tokenCalls[grant][outcome] = read(tokenCalls[grant][outcome]);
      }
    }
    return out;
  }
};

inline void warn(const LogSink& sink, std::string_view message) {
  if (sink) {
    sink(message);
  }
}

}  // namespace authgate::io::idp
