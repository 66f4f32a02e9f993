#include "io/frontend/http_frontend.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <exception>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "core/gate/cookies.h"
#include "core/jose/jws.h"
#include "io/idp/single_flight.h"
#include "io/system.h"

namespace authgate::io::frontend {
namespace {

namespace asio = boost::asio;
namespace gate = core::gate;

// "X-Forwarded-User" also arrives as "X_Forwarded_User"; some servers treat both as one name.
std::string underscored(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c == '-') {
      c = '_';
    }
  }
  return out;
}

// The Cookie header without authgate's own cookies: the upstream never sees sessions or tokens.
std::string withoutOwnCookies(std::string_view header, std::string_view own_prefix) {
  std::string kept;
  const gate::RequestCookies cookies = gate::parseCookieHeader(header);
  for (const auto& pair : cookies.pairs()) {
    if (pair.name.starts_with(own_prefix)) {
      continue;
    }
    if (!kept.empty()) {
      kept += "; ";
    }
    kept.append(pair.name).append("=").append(pair.value);
  }
  return kept;
}

// This thread's generator. Read it again after every co_await: a coroutine must not keep a
// thread_local's address across a suspension.
core::RandomSource& threadRandom() {
  thread_local OpenSslRandom random;
  return random;
}

using RefreshFlight = idp::Flight<idp::TokenResult>;

}  // namespace

struct HttpFrontend::RefreshFlights {
  struct Entry {
    std::shared_ptr<RefreshFlight> flight;
    // Set when the grant succeeded; the entry is dropped kRefreshResultGrace later. Failed
    // grants are dropped at once, so the next request tries again.
    std::optional<std::chrono::steady_clock::time_point> succeededAt;
  };
  std::mutex mutex;
  std::unordered_map<std::string, Entry> entries;

  // Runs the grant detached from any request, so a client that goes away while it waits
  // cannot leave the other waiters without an answer.
  static asio::awaitable<void> run(std::shared_ptr<RefreshFlights> self,
                                   std::shared_ptr<idp::Provider> provider, std::string key,
                                   std::string refresh_token,
                                   std::shared_ptr<RefreshFlight> flight) {
    idp::TokenResult result = core::fail(
        core::oidc::TokenError{std::string(idp::kTransportError), "the refresh did not finish"});
    try {
      result = co_await provider->refresh(std::move(refresh_token));
    } catch (const std::exception& error) {
      result = core::fail(core::oidc::TokenError{std::string(idp::kTransportError), error.what()});
    }
    {
      const std::lock_guard lock(self->mutex);
      auto found = self->entries.find(key);
      if (found != self->entries.end() && found->second.flight == flight) {
        if (result) {
          found->second.succeededAt = std::chrono::steady_clock::now();
        } else {
          self->entries.erase(found);
        }
      }
    }
    flight->complete(std::move(result));
  }
};

http::Response toHttpResponse(const gate::Respond& respond) {
  http::Response response;
  response.status = static_cast<unsigned>(respond.status);
  for (const auto& header : respond.headers) {
    response.headers.add(header.name, header.value);
  }
  response.body = respond.body;
  if (!respond.reason.empty()) {
    spdlog::warn("answered {}: {}", respond.status, respond.reason);
  }
  return response;
}

HttpFrontend::HttpFrontend(std::shared_ptr<const gate::Gate> gate,
                           std::shared_ptr<idp::Provider> provider, Upstream upstream,
                           const core::Clock& clock)
    : gate_(std::move(gate)),
      provider_(std::move(provider)),
      upstream_(std::move(upstream)),
      clock_(clock),
      refreshes_(std::make_shared<RefreshFlights>()) {}

std::shared_ptr<const gate::ProviderSnapshot> HttpFrontend::providerSnapshot(bool) {
  if (!provider_->ready()) {
    return nullptr;
  }
  auto keys = provider_->currentKeys();
  auto cached = snapshot_.load(std::memory_order_acquire);
  if (cached && cached->keys == keys) {
    return cached;
  }
  auto metadata = provider_->metadata();
  if (!metadata || !keys) {
    return nullptr;
  }
  auto fresh = std::make_shared<const gate::ProviderSnapshot>(gate::ProviderSnapshot{
      .issuer = metadata->issuer,
      .authorizationEndpoint = metadata->authorizationEndpoint,
      .endSessionEndpoint = metadata->endSessionEndpoint,
      .keys = std::move(keys)});
  snapshot_.store(fresh, std::memory_order_release);
  return fresh;
}

asio::awaitable<http::Response> HttpFrontend::handle(http::Request& request) {
  const std::string_view target = request.target;
  const std::size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);

  thread_local std::vector<gate::HeaderView> scratch;
  scratch.clear();
  for (const auto& field : request.headers) {
    scratch.push_back({field.name, field.value});
  }
  gate::CheckRequest check{.method = request.method,
                           .scheme = request.secure ? "https" : "http",
                           .host = request.headers.find("Host").value_or(""),
                           .path = path,
                           .query = query,
                           .headers = scratch,
                           .peer = request.peerAddress,
                           .now = clock_.now()};
  const auto provider = providerSnapshot(false);
  gate::Decision decision = gate_->decide(check, provider.get(), threadRandom());

  if (auto* respond = std::get_if<gate::Respond>(&decision)) {
    co_return toHttpResponse(*respond);
  }
  if (auto* allow = std::get_if<gate::Allow>(&decision)) {
    co_return co_await forward(request, *allow, target);
  }
  // The rest waits for the IdP, while other requests on this thread reuse `scratch`.
  const std::vector<gate::HeaderView> headers(scratch.begin(), scratch.end());
  check.headers = headers;
  if (auto* exchange = std::get_if<gate::Exchange>(&decision)) {
    co_return co_await finishLogin(check, *exchange);
  }
  const gate::Refresh refresh = std::get<gate::Refresh>(std::move(decision));
  const idp::TokenResult tokens = co_await refreshOnce(refresh);
  const auto snapshot = co_await snapshotFor(tokens);
  check.now = clock_.now();
  decision = gate_->completeRefresh(check, refresh, tokens, snapshot.get(), threadRandom());
  if (auto* respond = std::get_if<gate::Respond>(&decision)) {
    co_return toHttpResponse(*respond);
  }
  co_return co_await forward(request, std::get<gate::Allow>(decision), target);
}

asio::awaitable<idp::TokenResult> HttpFrontend::refreshOnce(const gate::Refresh& refresh) {
  if (refresh.sessionKey.empty()) {
    co_return co_await provider_->refresh(refresh.refreshToken);
  }
  std::shared_ptr<RefreshFlight> flight;
  bool start = false;
  {
    const std::lock_guard lock(refreshes_->mutex);
    const auto now = std::chrono::steady_clock::now();
    std::erase_if(refreshes_->entries, [&](const auto& entry) {
      return entry.second.succeededAt && now - *entry.second.succeededAt > kRefreshResultGrace;
    });
    auto& entry = refreshes_->entries[refresh.sessionKey];
    if (!entry.flight) {
      entry.flight = std::make_shared<RefreshFlight>();
      start = true;
    }
    flight = entry.flight;
  }
  if (start) {
    asio::co_spawn(co_await asio::this_coro::executor,
                   RefreshFlights::run(refreshes_, provider_, refresh.sessionKey,
                                       refresh.refreshToken, flight),
                   asio::detached);
  }
  co_return co_await flight->wait();
}

asio::awaitable<std::shared_ptr<const gate::ProviderSnapshot>> HttpFrontend::snapshotFor(
    const idp::TokenResult& tokens) {
  auto provider = providerSnapshot(false);
  if (tokens && provider && !tokens->idToken.empty()) {
    auto parsed = core::jose::parseJws(tokens->idToken);
    if (parsed && parsed->kid) {
      bool known = false;
      for (const auto& key : provider->keys->keys) {
        known = known || key.kid() == *parsed->kid;
      }
      if (!known) {
        co_await provider_->keysWithKid(*parsed->kid);
        provider = providerSnapshot(false);
      }
    }
  }
  co_return provider;
}

asio::awaitable<http::Response> HttpFrontend::finishLogin(const gate::CheckRequest& check,
                                                          const gate::Exchange& exchange) {
  auto tokens =
      co_await provider_->exchangeCode(exchange.code, exchange.codeVerifier, exchange.redirectUri);
  auto provider = co_await snapshotFor(tokens);
  if (!provider) {
    co_return toHttpResponse(gate::Respond{
        .status = 503,
        .headers = {{"Content-Type", "text/plain; charset=utf-8"}},
        .body = "The sign-in service cannot be reached right now. Try again shortly.\n",
        .reason = "callback while the provider is not ready"});
  }
  co_return toHttpResponse(
      gate_->completeLogin(check, exchange, tokens, *provider, threadRandom()));
}

asio::awaitable<http::Response> HttpFrontend::forward(http::Request& request,
                                                      const gate::Allow& allow,
                                                      std::string_view path_and_query) {
  for (const std::string& name : allow.removeHeaders) {
    request.headers.remove(name);
    request.headers.remove(underscored(name));
  }
  // Every Cookie field (a gateway may split them), joined into one (RFC 6265 section 5.4).
  std::string kept;
  for (const http::Headers::Field field : request.headers) {
    if (http::equalsIgnoreCase(field.name, "Cookie")) {
      const std::string part = withoutOwnCookies(field.value, gate_->settings().cookieName);
      if (!part.empty()) {
        kept.append(kept.empty() ? "" : "; ").append(part);
      }
    }
  }
  if (request.headers.remove("Cookie") > 0 && !kept.empty()) {
    request.headers.add("Cookie", kept);
  }
  for (const auto& header : allow.upstreamHeaders) {
    request.headers.set(header.name, header.value);
  }
  http::Response response = co_await upstream_.forward(request, path_and_query);
  for (const auto& header : allow.responseHeaders) {
    response.headers.add(header.name, header.value);
  }
  co_return response;
}

}  // namespace authgate::io::frontend
