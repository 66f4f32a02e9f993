#include "io/idp/provider.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "io/idp/discovery.h"

namespace authgate::io::idp {

core::Result<std::shared_ptr<Provider>, std::string> Provider::create(
    boost::asio::any_io_executor executor, ProviderOptions options, const core::Clock& clock) {
  if (auto issuer = checkIssuer(options.issuer); !issuer) {
    return core::fail("idp: " + issuer.error());
  }
  if (options.client.clientId.empty()) {
    return core::fail(std::string("idp: the client id is empty"));
  }
  if (options.retryInitial.count() <= 0 || options.retryMax < options.retryInitial) {
    return core::fail(std::string("idp: retry delays must satisfy 0 < initial <= max"));
  }
  auto http = HttpClient::create(options.http);
  if (!http) {
    return core::fail(http.error());
  }
  std::shared_ptr<Provider> provider(
      new Provider(std::move(executor), std::move(options), clock, std::move(*http)));
  if (auto warning = insecureIssuerWarning(provider->options_.issuer)) {
    warn(provider->options_.log, *warning);
    provider->warnings_.push_back(std::move(*warning));
  }
  return provider;
}

Provider::Provider(boost::asio::any_io_executor executor, ProviderOptions options,
                   const core::Clock& clock, std::shared_ptr<HttpClient> http)
    : executor_(std::move(executor)),
      options_(std::move(options)),
      clock_(clock),
      counters_(std::make_shared<IdpCounters>()),
      http_(std::move(http)),
      tokens_(http_, options_.client, clock_, counters_),
      timer_(executor_),
      jitter_(std::random_device{}()) {}

void Provider::start() {
  boost::asio::co_spawn(executor_, run(shared_from_this()), boost::asio::detached);
}

void Provider::stop() {
  stopped_.store(true, std::memory_order_release);
  boost::asio::post(executor_, [self = shared_from_this()] { self->timer_.cancel(); });
}

std::shared_ptr<const core::oidc::ProviderMetadata> Provider::metadata() const {
  return metadata_.load(std::memory_order_acquire);
}

boost::asio::awaitable<void> Provider::run(std::shared_ptr<Provider> self) {
  const ProviderOptions& options = self->options_;
  auto delay = options.retryInitial;
  while (!self->stopped_.load(std::memory_order_acquire)) {
    IdpCounters::bump(self->counters_->discoveryAttempts);
    auto metadata = co_await fetchProviderMetadata(self->http_, options.issuer);
    if (metadata) {
      IdpCounters::bump(self->counters_->discoverySuccesses);
      self->metadata_.store(
          std::make_shared<const core::oidc::ProviderMetadata>(std::move(*metadata)),
          std::memory_order_release);
      break;
    }
    warn(options.log, metadata.error() + "; retrying");
    if (!co_await self->backOff(delay)) {
      co_return;
    }
    delay = std::min(delay * 2, options.retryMax);
  }
  const auto metadata = self->metadata();
  if (!metadata) {
    co_return;  // stopped
  }
  auto jwks = JwksCache::create(metadata->jwksUri, self->http_, self->clock_, self->executor_,
                                options.jwks, self->counters_, options.log);
  self->jwks_.store(jwks, std::memory_order_release);
  delay = options.retryInitial;
  while (!self->stopped_.load(std::memory_order_acquire)) {
    if (co_await jwks->load()) {
      self->ready_.store(true, std::memory_order_release);
      co_return;
    }
    if (!co_await self->backOff(delay)) {  // the cache has logged why
      co_return;
    }
    delay = std::min(delay * 2, options.retryMax);
  }
}

boost::asio::awaitable<bool> Provider::backOff(std::chrono::milliseconds delay) {
  const auto half = delay.count() / 2;
  std::uniform_int_distribution<std::chrono::milliseconds::rep> pick(half, delay.count());
  timer_.expires_after(std::chrono::milliseconds(pick(jitter_)));
  co_await timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  co_return !stopped_.load(std::memory_order_acquire);
}

KeySet Provider::currentKeys() const {
  const auto jwks = jwks_.load(std::memory_order_acquire);
  return jwks ? jwks->current() : nullptr;
}

boost::asio::awaitable<KeySet> Provider::keysWithKid(std::string kid) {
  const auto jwks = jwks_.load(std::memory_order_acquire);
  if (!jwks) {
    co_return nullptr;
  }
  co_return co_await jwks->withKid(std::move(kid));
}

TokenResult Provider::notReady(core::oidc::Grant grant) const {
  counters_->countToken(grant, TokenOutcome::Unavailable);
  return core::fail(
      core::oidc::TokenError{std::string(kProviderNotReady),
                             "discovery of " + options_.issuer + " has not succeeded yet"});
}

boost::asio::awaitable<TokenResult> Provider::exchangeCode(std::string code,
                                                           std::string codeVerifier,
                                                           std::string redirectUri) {
  const auto self = shared_from_this();
  const auto metadata = self->metadata();
  if (!metadata) {
    co_return notReady(core::oidc::Grant::AuthorizationCode);
  }
  co_return co_await tokens_.exchangeCode(metadata->tokenEndpoint, std::move(code),
                                          std::move(codeVerifier), std::move(redirectUri));
}

boost::asio::awaitable<TokenResult> Provider::refresh(std::string refreshToken) {
  const auto self = shared_from_this();
  const auto metadata = self->metadata();
  if (!metadata) {
    co_return notReady(core::oidc::Grant::RefreshToken);
  }
  co_return co_await tokens_.refresh(metadata->tokenEndpoint, std::move(refreshToken));
}

boost::asio::awaitable<UserinfoResult> Provider::userinfo(std::string accessToken) {
  const auto self = shared_from_this();
  const auto metadata = self->metadata();
  if (!metadata) {
    IdpCounters::bump(counters_->userinfoCalls);
    IdpCounters::bump(counters_->userinfoFailures);
    co_return core::fail(UserinfoError{"discovery has not succeeded yet"});
  }
  co_return co_await tokens_.userinfo(metadata->userinfoEndpoint, std::move(accessToken));
}

}  // namespace authgate::io::idp
