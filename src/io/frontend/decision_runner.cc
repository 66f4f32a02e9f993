#include "io/frontend/decision_runner.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "core/encoding/base64url.h"
#include "core/gate/identity_headers.h"
#include "core/gate/responses.h"
#include "core/jose/jws.h"
#include "io/idp/single_flight.h"
#include "io/system.h"

namespace authgate::io::frontend {
namespace {

namespace asio = boost::asio;
namespace gate = core::gate;

using RefreshFlight = idp::Flight<idp::TokenResult>;

// A server-side session's refresh lock outlives a slow token endpoint (a lock that expires
// early only lets a second replica refresh too); waiters poll the store meanwhile.
constexpr std::chrono::milliseconds kRefreshLockLifetime{10'000};
constexpr std::chrono::milliseconds kRefreshLockPoll{50};
constexpr std::chrono::milliseconds kStoredRefreshWait{12'000};

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
                               std::shared_ptr<const gate::BearerKeySource> bearerKeys,
                               std::shared_ptr<sessions::SessionStore> store)
    : DecisionRunner({Lane{std::move(gate), std::move(provider)}}, nullptr,
                     gate::ProviderChoice(gate::ProviderRoutes(std::vector<gate::ProviderRoute>{}),
                                          {}, "", {}),
                     clock, std::move(bearerKeys), std::move(store)) {}

DecisionRunner::DecisionRunner(std::vector<Lane> lanes, std::shared_ptr<const gate::Gate> chooser,
                               gate::ProviderChoice choice, const core::Clock& clock,
                               std::shared_ptr<const gate::BearerKeySource> bearerKeys,
                               std::shared_ptr<sessions::SessionStore> store)
    : choice_(std::move(choice)),
      bearerKeys_(std::move(bearerKeys)),
      store_(std::move(store)),
      clock_(clock),
      refreshes_(std::make_shared<RefreshFlights>()) {
  for (Lane& lane : lanes) {
    lanes_.push_back(std::make_unique<LaneState>(std::move(lane.gate), std::move(lane.provider)));
  }
  if (chooser) {
    // No IdP of its own: the first provider's, for /ready and the bearer-token answers.
    lanes_.push_back(std::make_unique<LaneState>(std::move(chooser), lanes_.front()->provider));
  }
}

DecisionRunner::LaneState& DecisionRunner::laneFor(const gate::CheckRequest& check) const {
  if (lanes_.size() == 1) {
    return *lanes_.front();
  }
  const std::optional<std::size_t> chosen = choice_.choose(check);
  return *lanes_[chosen.value_or(lanes_.size() - 1)];  // none: the chooser, last
}

std::vector<std::string> DecisionRunner::cookieNames() const {
  std::vector<std::string> names;
  for (const auto& lane : lanes_) {
    names.push_back(lane->gate->settings().cookieName);
  }
  return names;
}

void DecisionRunner::forgetStoredSession(std::string_view storeKey) const {
  for (const auto& lane : lanes_) {
    lane->gate->forgetStoredSession(storeKey);
  }
}

std::shared_ptr<const gate::ProviderSnapshot> DecisionRunner::providerSnapshot(LaneState& lane) {
  if (!lane.provider->ready()) {
    return nullptr;
  }
  auto keys = lane.provider->currentKeys();
  const bool reachable = lane.provider->reachable();
  auto cached = lane.snapshot.load(std::memory_order_acquire);
  if (cached && cached->keys == keys && cached->reachable == reachable) {
    return cached;
  }
  auto metadata = lane.provider->metadata();
  if (!metadata || !keys) {
    return nullptr;
  }
  auto fresh = std::make_shared<const gate::ProviderSnapshot>(
      gate::ProviderSnapshot{.issuer = metadata->issuer,
                             .authorizationEndpoint = metadata->authorizationEndpoint,
                             .endSessionEndpoint = metadata->endSessionEndpoint,
                             .keys = std::move(keys),
                             .reachable = reachable});
  lane.snapshot.store(fresh, std::memory_order_release);
  return fresh;
}

gate::Decision DecisionRunner::decide(gate::CheckRequest& check) {
  check.now = clock_.now();
  if (check.path == gate().settings().readyPath) {
    return ready(check);
  }
  LaneState& lane = laneFor(check);
  const auto provider = providerSnapshot(lane);
  gate::Decision decision =
      lane.gate->decide(check, provider.get(), threadRandom(), bearerKeys_.get());
  logAudits(decision, check);
  return decision;
}

gate::Decision DecisionRunner::ready(gate::CheckRequest& check) {
  if (store_ && !store_->healthy()) {
    return gate::plainText(503, "not ready: the session store (Redis) is not reachable");
  }
  // Ready when every provider is: a request may need any of them.
  for (const auto& lane : lanes_) {
    const auto provider = providerSnapshot(*lane);
    gate::Decision decision = lane->gate->decide(check, provider.get(), threadRandom());
    if (!std::holds_alternative<gate::Respond>(decision) ||
        std::get<gate::Respond>(decision).status != 200) {
      return decision;
    }
  }
  return gate::plainText(200, "OK");
}

asio::awaitable<gate::Decision> DecisionRunner::complete(gate::CheckRequest check,
                                                         gate::Decision decision) {
  LaneState& lane = laneFor(check);  // the one decide() chose: the choice is the request's
  // A login's exchange may end in a store write, a load in a refresh, a refresh in a write:
  // one step at a time until the answer is final.
  while (!isFinal(decision)) {
    decision = co_await step(lane, check, std::move(decision));
  }
  co_return decision;
}

asio::awaitable<gate::Decision> DecisionRunner::step(LaneState& lane, gate::CheckRequest& check,
                                                     gate::Decision decision) {
  if (auto* exchange = std::get_if<gate::Exchange>(&decision)) {
    co_return co_await finishLogin(lane, check, *exchange);
  }
  if (auto* refresh = std::get_if<gate::Refresh>(&decision)) {
    if (refresh->ticket) {
      co_return co_await refreshStoredSession(lane, check, *refresh);
    }
    co_return co_await refreshSession(lane, check, *refresh);
  }
  if (auto* load = std::get_if<gate::LoadSession>(&decision)) {
    co_return co_await loadSession(lane, check, *load);
  }
  if (!store_) {
    co_return lane.gate->storeUnavailable(check, "no session store configured");
  }
  if (auto* end = std::get_if<gate::EndSessions>(&decision)) {
    co_return co_await endSessions(lane, check, *end);
  }
  auto& store = std::get<gate::StoreSession>(decision);
  core::Result<core::Ok, std::string> written = core::Ok{};
  if (store.record.empty()) {
    written = co_await eraseSession(store.storeKey);
  } else {
    written = co_await store_->save(store.storeKey, std::move(store.record), store.ttl);
    if (written && !store.indexKeys.empty()) {
      written =
          co_await store_->addToSets(std::move(store.indexKeys), store.storeKey, store.indexTtl);
    }
  }
  if (!written) {
    co_return lane.gate->storeUnavailable(check, "session store: " + written.error());
  }
  gate::Decision answer =
      std::visit([](auto& then) -> gate::Decision { return std::move(then); }, store.then);
  logAudits(answer, check);
  co_return answer;
}

asio::awaitable<core::Result<core::Ok, std::string>> DecisionRunner::eraseSession(
    std::string storeKey) {
  auto erased = co_await store_->erase(storeKey);
  if (erased) {
    // After the delete: a replica that forgets its copy must find nothing when it reads again.
    forgetStoredSession(storeKey);
    co_await store_->announceErased(std::move(storeKey));
  }
  co_return erased;
}

asio::awaitable<gate::Decision> DecisionRunner::endSessions(LaneState& lane,
                                                            gate::CheckRequest& check,
                                                            gate::EndSessions& end) {
  std::size_t ended = 0;
  for (std::string& index : end.indexKeys) {
    auto keys = co_await store_->members(index);
    if (!keys) {
      co_return lane.gate->storeUnavailable(check, "session store: " + keys.error());
    }
    for (std::string& key : *keys) {
      auto erased = co_await eraseSession(std::move(key));
      if (!erased) {
        co_return lane.gate->storeUnavailable(check, "session store: " + erased.error());
      }
    }
    ended += keys->size();
    if (auto erased = co_await store_->erase(std::move(index)); !erased) {
      co_return lane.gate->storeUnavailable(check, "session store: " + erased.error());
    }
  }
  spdlog::info("back-channel logout (request {}): {} session(s) ended", check.requestId, ended);
  co_return std::move(end.then);
}

asio::awaitable<gate::Decision> DecisionRunner::refreshSession(LaneState& lane,
                                                               gate::CheckRequest& check,
                                                               const gate::Refresh& refresh) {
  const idp::TokenResult tokens = co_await refreshOnce(lane, refresh);
  const auto snapshot = co_await snapshotFor(lane, tokens);
  check.now = clock_.now();
  gate::Decision done =
      lane.gate->completeRefresh(check, refresh, tokens, snapshot.get(), threadRandom());
  logAudits(done, check);
  co_return done;
}

asio::awaitable<gate::Decision> DecisionRunner::loadSession(LaneState& lane,
                                                            gate::CheckRequest& check,
                                                            const gate::LoadSession& load) {
  if (!store_) {
    co_return lane.gate->storeUnavailable(check, "no session store configured");
  }
  if (auto cached = lane.gate->cachedLoad(check, load)) {
    co_return std::move(*cached);  // read by an earlier completion on this thread
  }
  auto stored = co_await store_->load(load.storeKey, load.touch);
  check.now = clock_.now();
  const auto provider = providerSnapshot(lane);
  gate::Decision decision =
      lane.gate->completeLoad(check, load, stored, provider.get(), threadRandom());
  logAudits(decision, check);
  co_return decision;
}

asio::awaitable<gate::Decision> DecisionRunner::refreshStoredSession(LaneState& lane,
                                                                     gate::CheckRequest& check,
                                                                     const gate::Refresh& refresh) {
  if (!store_) {
    co_return lane.gate->storeUnavailable(check, "no session store configured");
  }
  const gate::LoadSession reload{.storeKey = refresh.storeKey, .ticket = *refresh.ticket};
  std::array<std::uint8_t, 16> tokenBytes;
  threadRandom().fill(tokenBytes);
  const std::string token = core::base64url::encode(tokenBytes);
  asio::steady_timer timer(co_await asio::this_coro::executor);
  const auto deadline = std::chrono::steady_clock::now() + kStoredRefreshWait;
  while (true) {
    auto locked = co_await store_->lock(refresh.lockKey, token, kRefreshLockLifetime);
    if (!locked) {
      co_return lane.gate->storeUnavailable(check, "session store: " + locked.error());
    }
    if (*locked) {
      break;
    }
    // Another replica (or request) refreshes this session: once it has stored the result, the
    // session read again no longer asks for a refresh.
    timer.expires_after(kRefreshLockPoll);
    co_await timer.async_wait(asio::use_awaitable);
    gate::Decision reread = co_await loadSession(lane, check, reload);
    if (!std::holds_alternative<gate::Refresh>(reread)) {
      co_return reread;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      co_return lane.gate->storeUnavailable(check, "session store: the refresh lock stayed taken");
    }
  }
  // Ours. The session may have been refreshed between our read and the lock: read it again.
  gate::Decision decision = co_await loadSession(lane, check, reload);
  if (auto* due = std::get_if<gate::Refresh>(&decision)) {
    decision = co_await refreshSession(lane, check, *due);
    if (std::holds_alternative<gate::StoreSession>(decision)) {
      decision = co_await step(lane, check, std::move(decision));  // stored before the lock goes
    }
  }
  co_await store_->unlock(refresh.lockKey, token);
  co_return decision;
}

asio::awaitable<idp::TokenResult> DecisionRunner::refreshOnce(LaneState& lane,
                                                              const gate::Refresh& refresh) {
  if (refresh.sessionKey.empty()) {
    co_return co_await lane.provider->refresh(refresh.refreshToken);
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
                   RefreshFlights::run(refreshes_, lane.provider, refresh.sessionKey,
                                       refresh.refreshToken, flight),
                   asio::detached);
  }
  co_return co_await flight->wait();
}

asio::awaitable<std::shared_ptr<const gate::ProviderSnapshot>> DecisionRunner::snapshotFor(
    LaneState& lane, const idp::TokenResult& tokens) {
  auto provider = providerSnapshot(lane);
  if (tokens && provider && !tokens->idToken.empty()) {
    auto parsed = core::jose::parseJws(tokens->idToken);
    if (parsed && parsed->kid) {
      bool known = false;
      for (const auto& key : provider->keys->keys) {
        known = known || key.kid() == *parsed->kid;
      }
      if (!known) {
        co_await lane.provider->keysWithKid(*parsed->kid);
        provider = providerSnapshot(lane);
      }
    }
  }
  co_return provider;
}

asio::awaitable<gate::Decision> DecisionRunner::finishLogin(LaneState& lane,
                                                            const gate::CheckRequest& check,
                                                            const gate::Exchange& exchange) {
  auto tokens = co_await lane.provider->exchangeCode(exchange.code, exchange.codeVerifier,
                                                     exchange.redirectUri);
  auto provider = co_await snapshotFor(lane, tokens);
  if (!provider) {
    co_return gate::Respond{
        .status = 503,
        .headers = {{"Content-Type", "text/plain; charset=utf-8"}},
        .body = "The sign-in service cannot be reached right now. Try again shortly.\n",
        .reason = "callback while the provider is not ready"};
  }
  gate::CheckRequest now = check;
  now.now = clock_.now();
  co_return lane.gate->completeLogin(now, exchange, tokens, *provider, threadRandom());
}

}  // namespace authgate::io::frontend
