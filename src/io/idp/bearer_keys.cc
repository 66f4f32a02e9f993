#include "io/idp/bearer_keys.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <map>
#include <random>

#include "core/jose/jwks.h"
#include "io/idp/discovery.h"

namespace authgate::io::idp {

std::optional<std::chrono::milliseconds> parseRuleTimeout(std::string_view text) {
  double scale = 1000;  // milliseconds per unit
  if (text.ends_with("ms")) {
    scale = 1;
    text.remove_suffix(2);
  } else if (text.ends_with("s")) {
    text.remove_suffix(1);
  } else {
    return std::nullopt;
  }
  double value = 0;
  const auto* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || stop != end || !(value > 0)) {
    return std::nullopt;
  }
  const double millis = value * scale;
  if (millis < 1 || millis > 3600.0 * 1000) {
    return std::nullopt;
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(millis));
}

core::Result<std::shared_ptr<BearerKeys>, std::string> BearerKeys::create(
    boost::asio::any_io_executor executor, std::vector<core::policy::JwtRule> rules,
    std::shared_ptr<Provider> provider, std::string providerIssuer, HttpClientOptions http,
    const core::Clock& clock, LogSink log, BearerKeysOptions options) {
  if (options.retryInitial.count() <= 0 || options.retryMax < options.retryInitial) {
    return core::fail(std::string("bearer keys: retry delays must satisfy 0 < initial <= max"));
  }
  std::shared_ptr<BearerKeys> keys(
      new BearerKeys(std::move(executor), provider, clock, std::move(log), options));
  auto defaultClient = HttpClient::create(http);
  if (!defaultClient) {
    return core::fail(defaultClient.error());
  }
  std::map<std::string, Source*> shared;  // "uri <url>" / "issuer <url>" -> its source
  for (const auto& rule : rules) {
    const std::string where = (rule.origin.empty() ? rule.issuer : rule.origin) + ": ";
    auto source = std::make_unique<Source>();
    if (!rule.jwks.empty()) {
      auto parsed = core::jose::parseJwks(rule.jwks);
      if (!parsed) {
        return core::fail(where + "jwks: " + parsed.error().detail);
      }
      if (parsed->keys.empty()) {
        return core::fail(where + "jwks holds no usable key" +
                          (parsed->skipped.empty()
                               ? std::string()
                               : " (" + core::jose::describe(parsed->skipped.front()) + ")"));
      }
      for (const auto& skipped : parsed->skipped) {
        warn(keys->log_, where + "jwks: " + core::jose::describe(skipped));
      }
      source->kind = Source::Kind::Inline;
      source->inlineKeys = std::make_shared<const core::jose::Jwks>(std::move(*parsed));
      keys->ruleSources_.push_back(source.get());
      keys->sources_.push_back(std::move(source));
      continue;
    }
    if (rule.jwksUri.empty() && provider && rule.issuer == providerIssuer) {
      source->kind = Source::Kind::Provider;
      source->location = rule.issuer;
      keys->ruleSources_.push_back(source.get());
      keys->sources_.push_back(std::move(source));
      continue;
    }
    const bool byUri = !rule.jwksUri.empty();
    const std::string key = (byUri ? "uri " + rule.jwksUri : "issuer " + rule.issuer);
    if (auto found = shared.find(key); found != shared.end()) {
      keys->ruleSources_.push_back(found->second);
      continue;
    }
    if (!byUri) {
      if (auto issuer = checkIssuer(rule.issuer); !issuer) {
        return core::fail(where + issuer.error());
      }
    }
    source->kind = byUri ? Source::Kind::JwksUri : Source::Kind::Discovery;
    source->location = byUri ? rule.jwksUri : rule.issuer;
    source->http = *defaultClient;
    if (!rule.timeout.empty()) {
      const auto timeout = parseRuleTimeout(rule.timeout);
      if (!timeout) {
        return core::fail(where + "timeout \"" + rule.timeout +
                          "\" is not a duration such as \"5s\" or \"500ms\" (at most 1 hour)");
      }
      HttpClientOptions own = http;
      own.connectTimeout = *timeout;
      own.readTimeout = *timeout;
      auto client = HttpClient::create(own);
      if (!client) {
        return core::fail(client.error());
      }
      source->http = std::move(*client);
    }
    if (byUri) {
      source->cache.store(JwksCache::create(rule.jwksUri, source->http, clock, keys->executor_,
                                            options.jwks, keys->counters_, keys->log_));
    }
    shared.emplace(key, source.get());
    keys->ruleSources_.push_back(source.get());
    keys->sources_.push_back(std::move(source));
  }
  return keys;
}

BearerKeys::BearerKeys(boost::asio::any_io_executor executor, std::shared_ptr<Provider> provider,
                       const core::Clock& clock, LogSink log, BearerKeysOptions options)
    : executor_(std::move(executor)),
      provider_(std::move(provider)),
      clock_(clock),
      log_(std::move(log)),
      options_(options),
      counters_(std::make_shared<IdpCounters>()) {}

void BearerKeys::start() {
  for (const auto& source : sources_) {
    if (source->kind == Source::Kind::JwksUri || source->kind == Source::Kind::Discovery) {
      boost::asio::co_spawn(executor_, run(shared_from_this(), *source), boost::asio::detached);
    }
  }
}

std::shared_ptr<const core::jose::Jwks> BearerKeys::keysFor(std::size_t rule) const {
  if (rule >= ruleSources_.size()) {
    return nullptr;
  }
  const Source& source = *ruleSources_[rule];
  switch (source.kind) {
    case Source::Kind::Inline:
      return source.inlineKeys;
    case Source::Kind::Provider:
      return provider_->currentKeys();
    case Source::Kind::JwksUri:
    case Source::Kind::Discovery:
      if (auto cache = source.cache.load(std::memory_order_acquire)) {
        return cache->current();
      }
      return nullptr;
  }
  return nullptr;
}

void BearerKeys::unknownKey(std::size_t rule, std::string_view kid) const {
  if (rule >= ruleSources_.size() || kid.empty()) {
    return;  // a kid-less token never triggers a refetch (JwksCache rule 4)
  }
  const Source& source = *ruleSources_[rule];
  switch (source.kind) {
    case Source::Kind::Inline:
      return;  // nothing to refetch
    case Source::Kind::Provider:
      boost::asio::co_spawn(executor_, refetchProvider(provider_, std::string(kid)),
                            boost::asio::detached);
      return;
    case Source::Kind::JwksUri:
    case Source::Kind::Discovery:
      if (auto cache = source.cache.load(std::memory_order_acquire)) {
        boost::asio::co_spawn(executor_, refetch(std::move(cache), std::string(kid)),
                              boost::asio::detached);
      }
      return;
  }
}

boost::asio::awaitable<void> BearerKeys::refetch(std::shared_ptr<JwksCache> cache,
                                                 std::string kid) {
  co_await cache->withKid(std::move(kid));
}

boost::asio::awaitable<void> BearerKeys::refetchProvider(std::shared_ptr<Provider> provider,
                                                         std::string kid) {
  co_await provider->keysWithKid(std::move(kid));
}

boost::asio::awaitable<void> BearerKeys::run(std::shared_ptr<BearerKeys> self, Source& source) {
  auto delay = self->options_.retryInitial;
  // Discovery first when the rule names no JWKS URI (OpenID Connect Discovery §4).
  while (!source.cache.load(std::memory_order_acquire)) {
    if (self->stopped_.load(std::memory_order_acquire)) {
      co_return;
    }
    IdpCounters::bump(self->counters_->discoveryAttempts);
    auto metadata =
        co_await fetchProviderMetadata(source.http, source.location, self->counters_.get());
    if (metadata) {
      IdpCounters::bump(self->counters_->discoverySuccesses);
      source.cache.store(
          JwksCache::create(metadata->jwksUri, source.http, self->clock_, self->executor_,
                            self->options_.jwks, self->counters_, self->log_),
          std::memory_order_release);
      break;
    }
    warn(self->log_,
         "bearer tokens of " + source.location + ": " + metadata.error() + "; retrying");
    if (!co_await self->backOff(delay)) {
      co_return;
    }
    delay = std::min(delay * 2, self->options_.retryMax);
  }
  const auto cache = source.cache.load(std::memory_order_acquire);
  delay = self->options_.retryInitial;
  while (!co_await cache->load()) {  // the cache logs why
    if (!co_await self->backOff(delay)) {
      co_return;
    }
    delay = std::min(delay * 2, self->options_.retryMax);
  }
}

boost::asio::awaitable<bool> BearerKeys::backOff(std::chrono::milliseconds delay) {
  // Jitter so that replicas started together do not fetch in step; not cryptographic.
  thread_local std::minstd_rand jitter{std::random_device{}()};
  const auto half = delay.count() / 2;
  std::uniform_int_distribution<std::chrono::milliseconds::rep> pick(half, delay.count());
  boost::asio::steady_timer timer(executor_, std::chrono::milliseconds(pick(jitter)));
  co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  co_return !stopped_.load(std::memory_order_acquire);
}

}  // namespace authgate::io::idp
