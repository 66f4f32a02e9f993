#include "io/idp/jwks_cache.h"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <cctype>
#include <chrono>

#include "core/encoding/ascii.h"

namespace authgate::io::idp {
namespace {

// delta-seconds (RFC 9111 §1.2.2): digits only; values past a year are clamped later anyway,
// so saturate instead of overflowing.
std::optional<std::int64_t> parseDeltaSeconds(std::string_view text) {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    text = text.substr(1, text.size() - 2);  // §5.2: senders should not quote, but some do
  }
  if (text.empty()) {
    return std::nullopt;
  }
  std::int64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    value = std::min<std::int64_t>(value * 10 + (c - '0'), std::int64_t{1} << 40);
  }
  return value;
}

bool hasKid(const core::jose::Jwks& jwks, std::string_view kid) {
  return std::any_of(jwks.keys.begin(), jwks.keys.end(),
                     [&](const core::jose::Jwk& key) { return key.kid() && *key.kid() == kid; });
}

}  // namespace

std::optional<std::int64_t> parseMaxAge(std::string_view cacheControl) {
  std::optional<std::int64_t> maxAge;
  bool seenMaxAge = false;
  bool noCache = false;
  while (!cacheControl.empty()) {
    const std::size_t comma = cacheControl.find(',');
    const std::string_view directive =
        core::encoding::trimSpaceAndTab(cacheControl.substr(0, comma));
    cacheControl = comma == std::string_view::npos ? "" : cacheControl.substr(comma + 1);
    const std::size_t equals = directive.find('=');
    const std::string_view name = core::encoding::trimSpaceAndTab(directive.substr(0, equals));
    if (core::encoding::equalsIgnoreCase(name, "max-age") && equals != std::string_view::npos &&
        !seenMaxAge) {
      seenMaxAge = true;
      maxAge = parseDeltaSeconds(core::encoding::trimSpaceAndTab(directive.substr(equals + 1)));
    } else if (core::encoding::equalsIgnoreCase(name, "no-store") ||
               core::encoding::equalsIgnoreCase(name, "no-cache")) {
      noCache = true;  // wins over any max-age: the IdP asks us not to reuse the answer
    }
  }
  return noCache ? std::optional<std::int64_t>(0) : maxAge;
}

std::int64_t cacheLifetime(std::string_view cacheControl, const JwksCacheOptions& options) {
  const auto maxAge = parseMaxAge(cacheControl);
  const std::int64_t seconds = maxAge ? *maxAge : options.defaultMaxAge.count();
  return std::clamp<std::int64_t>(seconds, options.minMaxAge.count(), options.maxMaxAge.count());
}

std::shared_ptr<JwksCache> JwksCache::create(std::string jwksUri, std::shared_ptr<HttpClient> http,
                                             const core::Clock& clock,
                                             boost::asio::any_io_executor executor,
                                             JwksCacheOptions options,
                                             std::shared_ptr<IdpCounters> counters, LogSink log) {
  return std::shared_ptr<JwksCache>(new JwksCache(std::move(jwksUri), std::move(http), clock,
                                                  std::move(executor), options, std::move(counters),
                                                  std::move(log)));
}

JwksCache::JwksCache(std::string jwksUri, std::shared_ptr<HttpClient> http,
                     const core::Clock& clock, boost::asio::any_io_executor executor,
                     JwksCacheOptions options, std::shared_ptr<IdpCounters> counters, LogSink log)
    : uri_(std::move(jwksUri)),
      http_(std::move(http)),
      clock_(clock),
      executor_(std::move(executor)),
      options_(options),
      counters_(std::move(counters)),
      log_(std::move(log)) {}

KeySet JwksCache::current() {
  KeySet keys = keys_.load(std::memory_order_acquire);
  const core::UnixSeconds now = clock_.now();
  if (now >= expiresAt() && now >= nextFetchAllowed_.load(std::memory_order_acquire)) {
    const std::lock_guard lock(mutex_);
    if (!inFlight_ && now >= expiresAt() && mayFetchLocked(now)) {
      startFetchLocked(now);
    }
  }
  return keys;
}

boost::asio::awaitable<KeySet> JwksCache::withKid(std::string kid) {
  KeySet keys = current();
  if (kid.empty() || (keys && hasKid(*keys, kid))) {
    co_return keys;
  }
  IdpCounters::bump(counters_->unknownKidLookups);
  std::shared_ptr<FetchFlight> flight;
  {
    const std::lock_guard lock(mutex_);
    const core::UnixSeconds now = clock_.now();
    if (inFlight_) {
      flight = inFlight_;
    } else if (mayFetchLocked(now)) {
      flight = startFetchLocked(now);
    }
  }
  if (!flight) {
    IdpCounters::bump(counters_->unknownKidRateLimited);
    co_return keys;
  }
  const Outcome outcome = co_await flight->wait();
  co_return outcome.keys;
}

boost::asio::awaitable<bool> JwksCache::load() {
  std::shared_ptr<FetchFlight> flight;
  {
    const std::lock_guard lock(mutex_);
    flight = inFlight_ ? inFlight_ : startFetchLocked(clock_.now());
  }
  const Outcome outcome = co_await flight->wait();
  co_return outcome.fetched;
}

bool JwksCache::mayFetchLocked(core::UnixSeconds now) const {
  return !lastFetchStart_ || now - *lastFetchStart_ >= options_.unknownKidInterval.count() ||
         now < *lastFetchStart_;  // the clock went back: do not stay locked out
}

std::shared_ptr<JwksCache::FetchFlight> JwksCache::startFetchLocked(core::UnixSeconds now) {
  inFlight_ = std::make_shared<FetchFlight>();
  lastFetchStart_ = now;
  nextFetchAllowed_.store(now + options_.unknownKidInterval.count(), std::memory_order_release);
  IdpCounters::bump(counters_->jwksFetches);
  boost::asio::co_spawn(executor_, fetch(shared_from_this(), inFlight_), boost::asio::detached);
  return inFlight_;
}

boost::asio::awaitable<void> JwksCache::fetch(std::shared_ptr<JwksCache> self,
                                              std::shared_ptr<FetchFlight> flight) {
  const auto started = std::chrono::steady_clock::now();
  auto answer = co_await self->http_->get(self->uri_);
  Outcome outcome{self->keys_.load(std::memory_order_acquire), false};
  std::string problem;
  TokenOutcome called = TokenOutcome::Ok;
  if (!answer) {
    called = TokenOutcome::Unavailable;
    problem = std::string(toString(answer.error().code)) + ": " + answer.error().detail;
  } else if (answer->status != 200) {
    called = TokenOutcome::Rejected;
    problem = "HTTP status " + std::to_string(answer->status);
  } else if (auto parsed = core::jose::parseJwks(answer->body); !parsed) {
    called = TokenOutcome::Malformed;
    problem = parsed.error().detail;
  } else {
    for (const auto& skipped : parsed->skipped) {
      warn(self->log_, "JWKS " + self->uri_ + ": skipped " + core::jose::describe(skipped));
    }
    outcome.keys = std::make_shared<const core::jose::Jwks>(std::move(*parsed));
    outcome.fetched = true;
    self->keys_.store(outcome.keys, std::memory_order_release);
    self->expiresAt_.store(self->clock_.now() + cacheLifetime(answer->cacheControl, self->options_),
                           std::memory_order_release);
  }
  self->counters_->recordCall(IdpEndpoint::Jwks, called,
                              std::chrono::steady_clock::now() - started);
  if (outcome.fetched) {
    IdpCounters::bump(self->counters_->jwksFetchSuccesses);
  } else {
    IdpCounters::bump(self->counters_->jwksFetchFailures);
    warn(self->log_,
         "JWKS fetch from " + self->uri_ + " failed (keeping the previous keys): " + problem);
  }
  {
    const std::lock_guard lock(self->mutex_);
    self->inFlight_.reset();
  }
  flight->complete(std::move(outcome));
}

}  // namespace authgate::io::idp
