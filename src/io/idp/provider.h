#pragma once
// One OpenID Provider as authgate sees it: discovery, the JWKS cache, the token and userinfo
// endpoints, behind one object the decision layer's adapters can share across threads.
//
// Usage:
//   idp::ProviderOptions options;
//   options.issuer = "https://idp.example";          // exactly as the IdP writes it (§4.3)
//   options.client = {.clientId = "authgate", .clientSecret = secret};
//   options.log = [](std::string_view line) { spdlog::warn("{}", line); };
//   auto provider = idp::Provider::create(executor, std::move(options), clock);
//   if (!provider) return fail(provider.error());     // bad issuer URL, unreadable CA file
//   (*provider)->start();                              // returns at once; authgate serves anyway
//   ...
//   if (!provider->ready()) -> answer 503 to logins   // discovery + first JWKS not done yet
//   if (!provider->reachable()) -> answer 503 to logins  // the IdP went away since
//   auto keys = co_await provider->keysWithKid(kid);   // or currentKeys() on the hot path
//   auto tokens = co_await provider->exchangeCode(code, verifier, redirect_uri);
//
// Start-up: discovery (<issuer>/.well-known/openid-configuration) is retried with exponential
// backoff (retryInitial doubling to retryMax, each delay drawn from [d/2, d] so that replicas
// restarted together do not hit the IdP in step) until it succeeds, then the first JWKS load
// the same way; ready() turns true after both. Metadata is fetched once per process (later:
// periodic re-discovery). All background work runs on the executor given to create(); the
// public calls may come from coroutines on any executor/thread. The clock must outlive it.
//
// Health: once ready, a background probe GETs the discovery document every healthInterval
// (healthRecheck while the IdP is unreachable, so a recovery is seen soon), with the HTTP
// client's normal timeouts; no user request ever waits for it. reachable() is the latest signal:
//   - probe: an HTTP 200 answer -> reachable; a transport failure or any other status -> not;
//   - token endpoint call: a transport failure -> unreachable at once; a token response or an
//     OAuth error answer (RFC 6749 §5.2: the IdP is up and decided) -> reachable; an HTTP error
//     without an OAuth error, or a malformed answer -> the probe runs at once and decides;
//   - keysWithKid() JWKS fetch: success -> reachable; failure -> the probe runs at once (the
//     JWKS cache does not say whether the failure was the transport or the content).
// Each change of reachable() is logged once and counted (health()).

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/oidc/provider_metadata.h"
#include "core/result.h"
#include "io/idp/http_client.h"
#include "io/idp/jwks_cache.h"
#include "io/idp/observability.h"
#include "io/idp/token_client.h"

namespace authgate::io::idp {

struct ProviderOptions {
  std::string issuer;  // absolute http(s) URL, no query or fragment; http only for loopback
  ClientCredentials client;
  HttpClientOptions http;
  JwksCacheOptions jwks;
  std::chrono::milliseconds retryInitial{1000};     // first delay after a failed discovery/JWKS
  std::chrono::milliseconds retryMax{60000};        // the doubling stops here
  std::chrono::milliseconds healthInterval{10000};  // between probes while reachable
  std::chrono::milliseconds healthRecheck{1000};    // between probes while unreachable (capped
                                                    // at healthInterval)
  LogSink log;                                      // warnings; may be empty
};

// What the health probe saw (relaxed counters, as IdpCounters).
struct ProviderHealth {
  std::uint64_t probes = 0;         // probes finished
  std::uint64_t probeFailures = 0;  // ... of which found the IdP unreachable
  std::uint64_t becameUnreachable = 0;
  std::uint64_t becameReachable = 0;  // after having been unreachable (not the first success)
};

class Provider : public std::enable_shared_from_this<Provider> {
 public:
  // Checks the options (issuer URL, client id, retry delays) and loads the TLS trust store.
  // Warnings found here (an http:// issuer off loopback) go to options.log and warnings().
  static core::Result<std::shared_ptr<Provider>, std::string> create(
      boost::asio::any_io_executor executor, ProviderOptions options, const core::Clock& clock);

  // Starts discovery in the background. Call once.
  void start();
  // Ends the retry loop at its next wait (thread-safe). In-flight requests still complete.
  void stop();

  // True once discovery and the first JWKS load have succeeded; never false again.
  bool ready() const { return ready_.load(std::memory_order_acquire); }
  // False until discovery succeeded; afterwards whether the IdP answered the last health
  // signal (see "Health" above). Lock-free, for the hot path.
  bool reachable() const { return reachable_.load(std::memory_order_acquire); }
  ProviderHealth health() const;
  // nullptr until discovery succeeded.
  std::shared_ptr<const core::oidc::ProviderMetadata> metadata() const;

  // The key set for verification (nullptr before the first JWKS load). See jwks_cache.h.
  KeySet currentKeys() const;
  boost::asio::awaitable<KeySet> keysWithKid(std::string kid);

  // Token and userinfo endpoints (token_client.h). Before discovery they fail at once with
  // "provider_not_ready".
  boost::asio::awaitable<TokenResult> exchangeCode(std::string code, std::string codeVerifier,
                                                   std::string redirectUri);
  boost::asio::awaitable<TokenResult> refresh(std::string refreshToken);
  boost::asio::awaitable<UserinfoResult> userinfo(std::string accessToken);

  IdpCountersSnapshot counters() const { return counters_->snapshot(); }
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  Provider(boost::asio::any_io_executor executor, ProviderOptions options, const core::Clock& clock,
           std::shared_ptr<HttpClient> http);
  static boost::asio::awaitable<void> run(std::shared_ptr<Provider> self);
  // After ready: one probe per interval until stop().
  static boost::asio::awaitable<void> watchHealth(std::shared_ptr<Provider> self);
  // Waits about `delay` (jittered); false when stop() was called. probeNow() ends it early.
  boost::asio::awaitable<bool> backOff(std::chrono::milliseconds delay);
  TokenResult notReady(core::oidc::Grant grant) const;
  // Records a health signal (thread-safe); logs and counts a change.
  void markReachable(bool reachable, std::string_view why);
  // Reads a token call's outcome as a health signal (see "Health" above).
  void noteTokenResult(const TokenResult& result);
  // Lets the health probe run now instead of at the end of its wait (thread-safe).
  void probeNow();

  const boost::asio::any_io_executor executor_;
  const ProviderOptions options_;
  const core::Clock& clock_;
  const std::shared_ptr<IdpCounters> counters_;
  const std::shared_ptr<HttpClient> http_;
  const TokenClient tokens_;
  std::vector<std::string> warnings_;

  std::atomic<bool> ready_{false};
  std::atomic<bool> reachable_{false};
  std::atomic<std::uint64_t> probes_{0};
  std::atomic<std::uint64_t> probeFailures_{0};
  std::atomic<std::uint64_t> becameUnreachable_{0};
  std::atomic<std::uint64_t> becameReachable_{0};
  std::atomic<bool> stopped_{false};
  std::atomic<std::shared_ptr<const core::oidc::ProviderMetadata>> metadata_;
  std::atomic<std::shared_ptr<JwksCache>> jwks_;
  boost::asio::steady_timer timer_;  // used only by run(), on executor_
  std::minstd_rand jitter_;          // idem; jitter needs no cryptographic randomness
};

}  // namespace authgate::io::idp
