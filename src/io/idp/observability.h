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
// Counters only grow; they are relaxed atomics because each one is independent. Every request
// to the IdP is also recorded with its endpoint, outcome and latency (recordCall), for
// authgate_idp_requests_total and authgate_idp_request_duration_seconds.

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include "core/oidc/token_response.h"
#include "io/metrics/histogram.h"

namespace authgate::io::idp {

// Receives one human-readable warning per call (never secrets). Empty: warnings are dropped.
using LogSink = std::function<void(std::string_view)>;

// How a token endpoint call ended; recordCall() uses the same outcomes for every endpoint.
enum class TokenOutcome {
  Ok,           // a well-formed token response
  Rejected,     // the IdP answered an OAuth error (RFC 6749 §5.2), e.g. invalid_grant; for the
                // other endpoints: an HTTP error status
  Malformed,    // the IdP answered 200 with a body that is not a valid token response
  Unavailable,  // no answer: not discovered yet, connect/TLS/timeout/size failure
};
inline constexpr std::size_t kTokenOutcomes = 4;
inline constexpr std::size_t kGrants = 2;  // core::oidc::Grant
// "ok", "rejected", "malformed", "unavailable".
inline std::string_view toString(TokenOutcome outcome) {
  switch (outcome) {
    case TokenOutcome::Ok:
      return "ok";
    case TokenOutcome::Rejected:
      return "rejected";
    case TokenOutcome::Malformed:
      return "malformed";
    case TokenOutcome::Unavailable:
      return "unavailable";
  }
  return "unavailable";
}

// Which of the IdP's endpoints a request went to.
enum class IdpEndpoint {
  Discovery,  // the discovery document (start-up, and the health probe)
  Jwks,       // the key set
  Token,      // the token endpoint (code exchange, refresh)
  Userinfo,   // the userinfo endpoint
};
inline constexpr std::size_t kIdpEndpoints = 4;
// "discovery", "jwks", "token", "userinfo".
inline std::string_view toString(IdpEndpoint endpoint) {
  switch (endpoint) {
    case IdpEndpoint::Discovery:
      return "discovery";
    case IdpEndpoint::Jwks:
      return "jwks";
    case IdpEndpoint::Token:
      return "token";
    case IdpEndpoint::Userinfo:
      return "userinfo";
  }
  return "discovery";
}

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
  // Requests sent to each endpoint, by outcome, and their latency (recordCall).
  std::array<std::array<std::uint64_t, kTokenOutcomes>, kIdpEndpoints> calls{};
  std::array<metrics::HistogramSnapshot, kIdpEndpoints> latency{};

  std::uint64_t callsFor(IdpEndpoint endpoint, TokenOutcome outcome) const {
    return calls[static_cast<std::size_t>(endpoint)][static_cast<std::size_t>(outcome)];
  }
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
  std::array<std::array<std::atomic<std::uint64_t>, kTokenOutcomes>, kIdpEndpoints> calls{};
  metrics::LatencyHistograms latency{kIdpEndpoints};

  static void bump(std::atomic<std::uint64_t>& counter) {
    counter.fetch_add(1, std::memory_order_relaxed);
  }
  void countToken(core::oidc::Grant grant, TokenOutcome outcome) {
    bump(tokenCalls[static_cast<std::size_t>(grant)][static_cast<std::size_t>(outcome)]);
  }
  // One request to `endpoint` that took `elapsed` (from sending to the verdict on its answer).
  void recordCall(IdpEndpoint endpoint, TokenOutcome outcome, std::chrono::nanoseconds elapsed) {
    bump(calls[static_cast<std::size_t>(endpoint)][static_cast<std::size_t>(outcome)]);
    latency.observe(static_cast<std::size_t>(endpoint), elapsed);
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
    for (std::size_t endpoint = 0; endpoint < kIdpEndpoints; ++endpoint) {
      for (std::size_t outcome = 0; outcome < kTokenOutcomes; ++outcome) {
        out.calls[endpoint][outcome] = read(calls[endpoint][outcome]);
      }
    }
    const auto histograms = latency.snapshots();
    for (std::size_t endpoint = 0; endpoint < kIdpEndpoints; ++endpoint) {
      out.latency[endpoint] = histograms[endpoint];
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
