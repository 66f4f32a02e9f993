#include "io/frontend/http_frontend.h"

#include <spdlog/spdlog.h>

#include <vector>

#include "core/gate/cookies.h"
#include "core/jose/jws.h"
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

}  // namespace

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
      clock_(clock) {}

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

  thread_local std::vector<gate::HeaderView> headers;
  headers.clear();
  for (const auto& field : request.headers) {
    headers.push_back({field.name, field.value});
  }
  const gate::CheckRequest check{.method = request.method,
                                 .scheme = request.secure ? "https" : "http",
                                 .host = request.headers.find("Host").value_or(""),
                                 .path = path,
                                 .query = query,
                                 .headers = headers,
                                 .peer = request.peerAddress,
                                 .now = clock_.now()};
  thread_local OpenSslRandom random;
  const auto provider = providerSnapshot(false);
  gate::Decision decision = gate_->decide(check, provider.get(), random);

  if (auto* respond = std::get_if<gate::Respond>(&decision)) {
    co_return toHttpResponse(*respond);
  }
  if (auto* exchange = std::get_if<gate::Exchange>(&decision)) {
    co_return co_await finishLogin(check, *exchange);
  }
  co_return co_await forward(request, std::get<gate::Allow>(decision), target);
}

asio::awaitable<http::Response> HttpFrontend::finishLogin(const gate::CheckRequest& check,
                                                          const gate::Exchange& exchange) {
  auto tokens =
      co_await provider_->exchangeCode(exchange.code, exchange.codeVerifier, exchange.redirectUri);
  auto provider = providerSnapshot(false);
  if (tokens && provider) {
    // OIDC Core §10.1.1: a key the IdP just rotated in is fetched once, then the token retried.
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
  if (!provider) {
    co_return toHttpResponse(gate::Respond{
        .status = 503,
        .headers = {{"Content-Type", "text/plain; charset=utf-8"}},
        .body = "The sign-in service cannot be reached right now. Try again shortly.\n",
        .reason = "callback while the provider is not ready"});
  }
  thread_local OpenSslRandom random;
  co_return toHttpResponse(gate_->completeLogin(check, exchange, tokens, *provider, random));
}

asio::awaitable<http::Response> HttpFrontend::forward(http::Request& request,
                                                      const gate::Allow& allow,
                                                      std::string_view path_and_query) {
  for (const std::string& name : allow.removeHeaders) {
    request.headers.remove(name);
    request.headers.remove(underscored(name));
  }
  if (const auto cookie = request.headers.find("Cookie")) {
    std::string kept = withoutOwnCookies(*cookie, gate_->settings().cookieName);
    request.headers.remove("Cookie");
    if (!kept.empty()) {
      request.headers.add("Cookie", kept);
    }
  }
  for (const auto& header : allow.upstreamHeaders) {
    request.headers.set(header.name, header.value);
  }
  http::Response response = co_await upstream_.forward(request, std::string(path_and_query));
  for (const auto& header : allow.responseHeaders) {
    response.headers.add(header.name, header.value);
  }
  co_return response;
}

}  // namespace authgate::io::frontend
