#pragma once
// Where the key set of each bearer-token rule comes from (core::gate::BearerKeySource).
//
// Usage:
//   auto keys = idp::BearerKeys::create(executor, rules, provider, provider_issuer, http_options,
//                                       clock, log);
//   if (!keys) return fail(keys.error());   // unusable inline JWKS, bad issuer URL or timeout
//   (*keys)->start();                        // returns at once; fetches run in the background
//   bearer.authenticate(request, **keys, settings, now);
//
// Per rule, in this order (policy::JwtRule):
//   1) inline `jwks`: parsed once at create() with core::jose::parseJwks; no usable key is an
//      error, since every token would fail.
//   2) no `jwksUri` and the issuer is the login provider's: the provider's own keys
//      (Provider::currentKeys(); an unknown kid -> Provider::keysWithKid()).
//   3) `jwksUri`: a JwksCache of its own, loaded by start() with retry and backoff.
//   4) otherwise OpenID Connect discovery of the issuer (Discovery §4), in the background with
//      retry and backoff, then a JwksCache for the jwks_uri it names.
// Rules naming the same JWKS URI (3) or the same issuer (4) share one cache. A rule's `timeout`
// ("5s", "500ms", "1.5s") bounds its fetches (connect, and read); the default is the
// HttpClientOptions given. keysFor() never blocks: nullptr until the first fetch succeeded.
// unknownKey() spawns a detached JwksCache::withKid() on the executor, which rate-limits itself
// (one refetch per unknownKidInterval); an empty kid never refetches. Thread-safe.

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/gate/bearer.h"
#include "core/policy/jwt_rule.h"
#include "core/result.h"
#include "io/idp/http_client.h"
#include "io/idp/jwks_cache.h"
#include "io/idp/observability.h"
#include "io/idp/provider.h"

namespace authgate::io::idp {

struct BearerKeysOptions {
  JwksCacheOptions jwks;
  std::chrono::milliseconds retryInitial{1000};  // first delay after a failed discovery/JWKS
  std::chrono::milliseconds retryMax{60000};     // the doubling stops here
};

// A rule's `timeout` (a protobuf Duration as Istio writes it: "5s", "1.5s", "500ms"), or
// nullopt when it is not a positive duration of at most one hour.
std::optional<std::chrono::milliseconds> parseRuleTimeout(std::string_view text);

class BearerKeys final : public core::gate::BearerKeySource,
                         public std::enable_shared_from_this<BearerKeys> {
 public:
  // `provider` may be null; `providerIssuer` is its issuer exactly as configured (rule 2).
  static core::Result<std::shared_ptr<BearerKeys>, std::string> create(
      boost::asio::any_io_executor executor, std::vector<core::policy::JwtRule> rules,
      std::shared_ptr<Provider> provider, std::string providerIssuer, HttpClientOptions http,
      const core::Clock& clock, LogSink log, BearerKeysOptions options = {});

  // Starts the fetches of rules 3 and 4 in the background. Call once.
  void start();
  // Ends the retry loops at their next wait (thread-safe).
  void stop() { stopped_.store(true, std::memory_order_release); }

  std::shared_ptr<const core::jose::Jwks> keysFor(std::size_t rule) const override;
  void unknownKey(std::size_t rule, std::string_view kid) const override;

  IdpCountersSnapshot counters() const { return counters_->snapshot(); }

 private:
  struct Source {
    enum class Kind { Inline, Provider, JwksUri, Discovery };
    Kind kind = Kind::Inline;
    std::string location;  // the JWKS URI or the issuer, for logs and sharing
    std::shared_ptr<const core::jose::Jwks> inlineKeys;
    std::shared_ptr<HttpClient> http;
    // JwksUri: set by create(); Discovery: set once discovery succeeded.
    std::atomic<std::shared_ptr<JwksCache>> cache;
  };

  BearerKeys(boost::asio::any_io_executor executor, std::shared_ptr<Provider> provider,
             const core::Clock& clock, LogSink log, BearerKeysOptions options);

  static boost::asio::awaitable<void> run(std::shared_ptr<BearerKeys> self, Source& source);
  static boost::asio::awaitable<void> refetch(std::shared_ptr<JwksCache> cache, std::string kid);
  static boost::asio::awaitable<void> refetchProvider(std::shared_ptr<Provider> provider,
                                                      std::string kid);
  // Waits about `delay` (jittered by half); false once stop() was called.
  boost::asio::awaitable<bool> backOff(std::chrono::milliseconds delay);

  const boost::asio::any_io_executor executor_;
  const std::shared_ptr<Provider> provider_;
  const core::Clock& clock_;
  const LogSink log_;
  const BearerKeysOptions options_;
  const std::shared_ptr<IdpCounters> counters_;
  std::vector<std::unique_ptr<Source>> sources_;  // shared by rules (see rule 3, 4)
  std::vector<Source*> ruleSources_;              // per rule
  std::atomic<bool> stopped_{false};
};

}  // namespace authgate::io::idp
