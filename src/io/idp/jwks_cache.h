#pragma once
// The issuer's current key set: an immutable snapshot swapped atomically, refreshed when its
// Cache-Control max-age runs out and, at most once per 30 s, when a token names an unknown kid.
//
// Usage:
//   auto cache = JwksCache::create(metadata.jwksUri, http, clock, executor, {}, counters, log);
//   co_await cache->load();                                  // first fetch (Provider does this)
//   auto keys = cache->current();                            // hot path: no lock, no I/O
//   auto keys = co_await cache->withKid(kid);                // may wait for one shared refetch
//   jose::verifyJwt(token, *keys, options);                  // no lock held while verifying
//
// Rules:
//   1) Lifetime = max-age of the JWKS answer (RFC 9111 §5.2.2.1; no-store / no-cache count as
//      0), clamped to [minMaxAge, maxMaxAge]; defaultMaxAge when the IdP sends none.
//   2) current() past the lifetime starts a background refresh and returns the old set at once
//      (stale while revalidating): an IdP outage does not stop verification with known keys.
//   3) A failed fetch keeps the old set; the next attempt comes no sooner than
//      unknownKidInterval later, whatever asks for it.
//   4) withKid() with a kid not in the set refetches only if no fetch started within
//      unknownKidInterval (a flood of forged kids must not turn into a flood of IdP requests);
//      every caller during a fetch joins it (single flight).
//   5) All fetches run on the executor given to create(); waiters resume on their own.
// Time comes from the injected core::Clock, so tests move it by hand. The clock, like the
// cache, must outlive the io_contexts that run its coroutines.

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/jose/jwks.h"
#include "io/idp/http_client.h"
#include "io/idp/observability.h"
#include "io/idp/single_flight.h"

namespace authgate::io::idp {

struct JwksCacheOptions {
  std::chrono::seconds minMaxAge{5 * 60};
  std::chrono::seconds maxMaxAge{24 * 3600};
  std::chrono::seconds defaultMaxAge{3600};
  std::chrono::seconds unknownKidInterval{30};
};

// The max-age directive of a Cache-Control value: seconds, 0 for no-store / no-cache, nullopt
// when neither is present or max-age is not a number. Directive names are case-insensitive;
// the first max-age wins (RFC 9111 §4.2.1); no-store / no-cache win over max-age.
std::optional<std::int64_t> parseMaxAge(std::string_view cacheControl);

// Rule 1 above: how long an answer with this Cache-Control value stays fresh, in seconds.
std::int64_t cacheLifetime(std::string_view cacheControl, const JwksCacheOptions& options);

using KeySet = std::shared_ptr<const core::jose::Jwks>;

class JwksCache : public std::enable_shared_from_this<JwksCache> {
 public:
  static std::shared_ptr<JwksCache> create(std::string jwksUri, std::shared_ptr<HttpClient> http,
                                           const core::Clock& clock,
                                           boost::asio::any_io_executor executor,
                                           JwksCacheOptions options,
                                           std::shared_ptr<IdpCounters> counters, LogSink log);

  // The current set (nullptr before the first successful fetch). Never blocks; past the
  // lifetime it starts a background refresh (rule 2).
  KeySet current();

  // The current set if it has a key with this kid; else, when allowed (rule 4), the set after a
  // refetch. The result may still lack the kid: verification then fails with KeyNotFound. An
  // empty kid (a kid-less token) never triggers a refetch.
  boost::asio::awaitable<KeySet> withKid(std::string kid);

  // Fetches now, ignoring the rate limit (or joins the fetch in flight). True when that fetch
  // succeeded and current() now holds its keys.
  boost::asio::awaitable<bool> load();

  // When the current set goes stale (UnixSeconds; 0 before the first success).
  core::UnixSeconds expiresAt() const { return expiresAt_.load(std::memory_order_acquire); }
  const std::string& uri() const { return uri_; }

 private:
  struct Outcome {
    KeySet keys;
    bool fetched = false;
  };
  using FetchFlight = Flight<Outcome>;

  JwksCache(std::string jwksUri, std::shared_ptr<HttpClient> http, const core::Clock& clock,
            boost::asio::any_io_executor executor, JwksCacheOptions options,
            std::shared_ptr<IdpCounters> counters, LogSink log);

  // With mutex_ held: starts a fetch on executor_ and returns its flight.
  std::shared_ptr<FetchFlight> startFetchLocked(core::UnixSeconds now);
  bool mayFetchLocked(core::UnixSeconds now) const;
  static boost::asio::awaitable<void> fetch(std::shared_ptr<JwksCache> self,
                                            std::shared_ptr<FetchFlight> flight);

  const std::string uri_;
  const std::shared_ptr<HttpClient> http_;
  const core::Clock& clock_;
  const boost::asio::any_io_executor executor_;
  const JwksCacheOptions options_;
  const std::shared_ptr<IdpCounters> counters_;
  const LogSink log_;

  std::atomic<KeySet> keys_;
  std::atomic<core::UnixSeconds> expiresAt_{0};
  // lastFetchStart_ + unknownKidInterval, readable without the lock: keeps current() lock-free
  // while a fetch runs or after one failed.
  std::atomic<core::UnixSeconds> nextFetchAllowed_{0};
  std::mutex mutex_;  // guards the two below; never held across I/O or verification
  std::optional<core::UnixSeconds> lastFetchStart_;
  std::shared_ptr<FetchFlight> inFlight_;
};

}  // namespace authgate::io::idp
