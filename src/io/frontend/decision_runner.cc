#include "io/frontend/decision_runner.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <exception>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "core/gate/identity_headers.h"
#include "core/jose/jws.h"
#include "io/idp/single_flight.h"
#include "io/system.h"

namespace authgate::io::frontend {
namespace {

namespace asio = boost::asio;
namespace gate = core::gate;

using RefreshFlight = idp::Flight<idp::TokenResult>;

// One line per policy audit record (gate/decision.h AuditRecord): the policy, its rule, who
// asked and for what, with the request id. Claim-derived text goes through headerSafe() so a
// crafted `sub` cannot forge log lines.
void logAudits(const gate::Decision& decision, const gate::CheckRequest& check) {
  const std::vector<gate::AuditRecord>* audits = nullptr;
  if (const auto* allow = std::get_if<gate::Allow>(&decision)) {
    audits = &allow->audits;
  } else if (const auto* respond = std::get_if<gate::Respond>(&decision)) {
    audits = &respond->audits;
  }
  if (audits == nullptr) {
    return;
  }
  for (const gate::AuditRecord& record : *audits) {
    const std::string rule = record.rule ? std::to_string(*record.rule) : std::string("-");
    const std::string principal =
        record.principal.empty() ? std::string("anonymous") : gate::headerSafe(record.principal);
    const char* what = record.action == "AUDIT" ? "matched" : "denied";
    spdlog::info(
        "policy audit: {} {} policy=\"{}\" rule={} principal=\"{}\" request=\"{}\" "
        "request_id={}",
        record.action, what, record.policy, rule, principal, gate::headerSafe(record.target),
        check.requestId);
  }
}

}  // namespace

core::RandomSource& threadRandom() {
  thread_local OpenSslRandom random;
  return random;
}

std::string newRequestId() {
  thread_local gate::RequestIdSequence ids(threadRandom());
  return ids.next();
}

bool isFinal(const gate::Decision& decision) {
  return std::holds_alternative<gate::Allow>(decision) ||
         std::holds_alternative<gate::Respond>(decision);
}

struct DecisionRunner::RefreshFlights {
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

DecisionRunner::DecisionRunner(std::shared_ptr<const gate::Gate> gate,
                               std::shared_ptr<idp::Provider> provider, const core::Clock& clock,
                               std::shared_ptr<const gate::BearerKeySource> bearerKeys)
    : gate_(std::move(gate)),
      provider_(std::move(provider)),
      bearerKeys_(std::move(bearerKeys)),
      clock_(clock),
      refreshes_(std::make_shared<RefreshFlights>()) {}

std::shared_ptr<const gate::ProviderSnapshot> DecisionRunner::providerSnapshot() {
  if (!provider_->ready()) {
    return nullptr;
  }
  auto keys = provider_->currentKeys();
  const bool reachable = provider_->reachable();
  auto cached = snapshot_.load(std::memory_order_acquire);
  if (cached && cached->keys == keys && cached->reachable == reachable) {
    return cached;
  }
  auto metadata = provider_->metadata();
  if (!metadata || !keys) {
    return nullptr;
  }
  auto fresh = std::make_shared<const gate::ProviderSnapshot>(
      gate::ProviderSnapshot{.issuer = metadata->issuer,
                             .authorizationEndpoint = metadata->authorizationEndpoint,
                             .endSessionEndpoint = metadata->endSessionEndpoint,
                             .keys = std::move(keys),
                             .reachable = reachable});
  snapshot_.store(fresh, std::memory_order_release);
  return fresh;
}

gate::Decision DecisionRunner::decide(gate::CheckRequest& check) {
  check.now = clock_.now();
  const auto provider = providerSnapshot();
  gate::Decision decision = gate_->decide(check, provider.get(), threadRandom(), bearerKeys_.get());
  logAudits(decision, check);
  return decision;
}

asio::awaitable<gate::Decision> DecisionRunner::complete(gate::CheckRequest check,
                                                         gate::Decision decision) {
  if (auto* exchange = std::get_if<gate::Exchange>(&decision)) {
    co_return co_await finishLogin(check, *exchange);
  }
  auto* refresh = std::get_if<gate::Refresh>(&decision);
  if (refresh == nullptr) {
    co_return decision;
  }
  const idp::TokenResult tokens = co_await refreshOnce(*refresh);
  const auto snapshot = co_await snapshotFor(tokens);
  check.now = clock_.now();
  gate::Decision done =
      gate_->completeRefresh(check, *refresh, tokens, snapshot.get(), threadRandom());
  logAudits(done, check);
  co_return done;
}

asio::awaitable<idp::TokenResult> DecisionRunner::refreshOnce(const gate::Refresh& refresh) {
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

asio::awaitable<std::shared_ptr<const gate::ProviderSnapshot>> DecisionRunner::snapshotFor(
    const idp::TokenResult& tokens) {
  auto provider = providerSnapshot();
  if (tokens && provider && !tokens->idToken.empty()) {
    auto parsed = core::jose::parseJws(tokens->idToken);
    if (parsed && parsed->kid) {
      bool known = false;
      for (const auto& key : provider->keys->keys) {
        known = known || key.kid() == *parsed->kid;
      }
      if (!known) {
        co_await provider_->keysWithKid(*parsed->kid);
        provider = providerSnapshot();
      }
    }
  }
  co_return provider;
}

asio::awaitable<gate::Decision> DecisionRunner::finishLogin(const gate::CheckRequest& check,
                                                            const gate::Exchange& exchange) {
  auto tokens =
      co_await provider_->exchangeCode(exchange.code, exchange.codeVerifier, exchange.redirectUri);
  auto provider = co_await snapshotFor(tokens);
  if (!provider) {
    co_return gate::Respond{
        .status = 503,
        .headers = {{"Content-Type", "text/plain; charset=utf-8"}},
        .body = "The sign-in service cannot be reached right now. Try again shortly.\n",
        .reason = "callback while the provider is not ready"};
  }
  gate::CheckRequest now = check;
  now.now = clock_.now();
  co_return gate_->completeLogin(now, exchange, tokens, *provider, threadRandom());
}

}  // namespace authgate::io::frontend
