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
  if (options.healthInterval.count() <= 0 || options.healthRecheck.count() <= 0) {
    return core::fail(std::string("idp: health probe intervals must be above 0"));
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
    auto metadata =
        co_await fetchProviderMetadata(self->http_, options.issuer, self->counters_.get());
    if (metadata) {
      IdpCounters::bump(self->counters_->discoverySuccesses);
      self->metadata_.store(
          std::make_shared<const core::oidc::ProviderMetadata>(std::move(*metadata)),
          std::memory_order_release);
      self->reachable_.store(true, std::memory_order_release);  // the first signal: no log
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
      co_await watchHealth(std::move(self));
      co_return;
    }
    if (!co_await self->backOff(delay)) {  // the cache has logged why
      co_return;
    }
    delay = std::min(delay * 2, options.retryMax);
  }
}

boost::asio::awaitable<void> Provider::watchHealth(std::shared_ptr<Provider> self) {
  const ProviderOptions& options = self->options_;
  const std::string url = discoveryUrl(options.issuer);
  for (;;) {
    const auto delay = self->reachable() ? options.healthInterval
                                         : std::min(options.healthRecheck, options.healthInterval);
    if (!co_await self->backOff(delay)) {
      co_return;
    }
    // Only the status counts: the document was checked at discovery, and parsing it again on
    // every probe would cost more than it tells.
    const auto started = std::chrono::steady_clock::now();
    auto answer = co_await self->http_->get(url);
    self->counters_->recordCall(IdpEndpoint::Discovery,
                                !answer                 ? TokenOutcome::Unavailable
                                : answer->status == 200 ? TokenOutcome::Ok
                                                        : TokenOutcome::Rejected,
                                std::chrono::steady_clock::now() - started);
    self->probes_.fetch_add(1, std::memory_order_relaxed);
    if (answer && answer->status == 200) {
      self->markReachable(true, "the discovery document answers again");
      continue;
    }
    self->probeFailures_.fetch_add(1, std::memory_order_relaxed);
    self->markReachable(
        false, answer ? "discovery document: HTTP status " + std::to_string(answer->status)
                      : "discovery document: " + std::string(toString(answer.error().code)) + ": " +
                            answer.error().detail);
  }
}

void Provider::markReachable(bool reachable, std::string_view why) {
  if (reachable_.exchange(reachable, std::memory_order_acq_rel) == reachable) {
    return;
  }
  (reachable ? becameReachable_ : becameUnreachable_).fetch_add(1, std::memory_order_relaxed);
  warn(options_.log, reachable ? "reachable again (" + std::string(why) + ")"
                               : "unreachable: " + std::string(why) +
                                     "; logins answer 503 until it answers again");
}

void Provider::noteTokenResult(const TokenResult& result) {
  if (result) {
    markReachable(true, "the token endpoint answered");
  } else if (result.error().error == kTransportError) {
    markReachable(false, "token endpoint: " + result.error().detail);
  } else if (result.error().error == "malformed_response" ||
             result.error().error.starts_with("http_")) {
    probeNow();  // an answer, but not an OAuth one: a proxy in front of a dead IdP, maybe
  } else {
    markReachable(true, "the token endpoint answered");  // an OAuth error: the IdP decided
  }
}

void Provider::probeNow() {
  if (!ready()) {
    return;  // the start-up loop retries by itself; waking it would only skip its backoff
  }
  boost::asio::post(executor_, [self = shared_from_this()] { self->timer_.cancel(); });
}

ProviderHealth Provider::health() const {
  return {.probes = probes_.load(std::memory_order_relaxed),
          .probeFailures = probeFailures_.load(std::memory_order_relaxed),
          .becameUnreachable = becameUnreachable_.load(std::memory_order_relaxed),
          .becameReachable = becameReachable_.load(std::memory_order_relaxed)};
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
  const auto self = shared_from_this();
  const auto jwks = jwks_.load(std::memory_order_acquire);
  if (!jwks) {
    co_return nullptr;
  }
  // The cache reports fetches only through the counters: a change across this call is (most
  // likely) this call's fetch, or one it joined.
  const auto before = counters_->snapshot();
  KeySet keys = co_await jwks->withKid(std::move(kid));
  const auto after = counters_->snapshot();
  if (after.jwksFetchSuccesses > before.jwksFetchSuccesses) {
    markReachable(true, "the JWKS answered");
  } else if (after.jwksFetchFailures > before.jwksFetchFailures) {
    probeNow();
  }
  co_return keys;
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
  TokenResult result = co_await tokens_.exchangeCode(
      metadata->tokenEndpoint, std::move(code), std::move(codeVerifier), std::move(redirectUri));
  noteTokenResult(result);
  co_return result;
}

boost::asio::awaitable<TokenResult> Provider::refresh(std::string refreshToken) {
  const auto self = shared_from_this();
  const auto metadata = self->metadata();
  if (!metadata) {
    co_return notReady(core::oidc::Grant::RefreshToken);
  }
  TokenResult result = co_await tokens_.refresh(metadata->tokenEndpoint, std::move(refreshToken));
  noteTokenResult(result);
  co_return result;
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
