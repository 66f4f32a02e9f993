#pragma once
// Runs the gate's decision for any front end (HTTP, reverse proxy, Envoy ext_authz HTTP and gRPC)
// and performs the IdP I/O a decision may need, so that every front end gets a final answer the
// same way:
//   - decide() is the fast path: no I/O, no lock; most requests end here with Allow or Respond;
//   - complete() finishes an Exchange (the login callback's code exchange) or a Refresh (the
//     refresh_token grant) and returns the Allow or Respond that answers the original request.
//
// Refreshes are single-flight per session across every thread: concurrent requests with the same
// session wait for one refresh_token grant and all get its result (a rotated refresh token can be
// used once; the IdP revokes the grant when a used one comes back). A successful result stays
// available for kRefreshResultGrace, so that requests still carrying the old cookie (sent before
// the browser stored the new one) get the new tokens instead of replaying the old.
//
// Usage:
//   DecisionRunner runner(gate, provider, clock);
//   gate::Decision decision = runner.decide(check);
//   if (!isFinal(decision)) {            // the check's header bytes must outlive the await
//     decision = co_await runner.complete(check, std::move(decision));
//   }

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>

#include "core/clock.h"
#include "core/gate/gate.h"
#include "core/gate/provider_choice.h"
#include "core/random.h"
#include "io/idp/provider.h"
#include "io/sessions/session_store.h"

namespace authgate::io::frontend {

// How long a successful refresh is handed to requests that still carry the refreshed cookie.
inline constexpr std::chrono::seconds kRefreshResultGrace{10};

// True for Allow and Respond: the decision needs no more I/O.
bool isFinal(const core::gate::Decision& decision);

class DecisionRunner {
 public:
  // One identity provider's gate and IdP client (`providers:` has several).
  struct Lane {
    std::shared_ptr<const core::gate::Gate> gate;
    std::shared_ptr<idp::Provider> provider;
  };

  // `bearerKeys`: the key sets of the gate's bearer-token rules (io/idp/bearer_keys.h); null
  // when there are none.
  // `store`: the server-side session store when the gate keeps sessions there
  // (GateSettings::serverSessions), else null.
  DecisionRunner(std::shared_ptr<const core::gate::Gate> gate,
                 std::shared_ptr<idp::Provider> provider, const core::Clock& clock,
                 std::shared_ptr<const core::gate::BearerKeySource> bearerKeys = nullptr,
                 std::shared_ptr<sessions::SessionStore> store = nullptr);
  // Several providers: `choice` picks the lane of each request (core/gate/provider_choice.h);
  // when it picks none, `chooser` (a gate whose settings list the providers) answers.
  DecisionRunner(std::vector<Lane> lanes, std::shared_ptr<const core::gate::Gate> chooser,
                 core::gate::ProviderChoice choice, const core::Clock& clock,
                 std::shared_ptr<const core::gate::BearerKeySource> bearerKeys,
                 std::shared_ptr<sessions::SessionStore> store);

  // The gate's decision with the provider's current snapshot; `check.now` is set here.
  core::gate::Decision decide(core::gate::CheckRequest& check);

  // Turns an Exchange, a Refresh, a LoadSession, a StoreSession or an EndSessions into the final
  // Allow or Respond (a final decision is returned as it is), performing the IdP and session-store
  // I/O each step needs. Never throws for IdP or store trouble: that becomes an error page.
  boost::asio::awaitable<core::gate::Decision> complete(core::gate::CheckRequest check,
                                                        core::gate::Decision decision);

  // The first provider's gate: the settings every lane shares (paths, trusted proxies).
  const core::gate::Gate& gate() const { return *lanes_.front()->gate; }
  idp::Provider& provider() const { return *lanes_.front()->provider; }
  // Every lane's session cookie name (a proxied request loses them all).
  std::vector<std::string> cookieNames() const;
  // Drops the in-memory copy of a stored session from every lane (Gate::forgetStoredSession).
  void forgetStoredSession(std::string_view storeKey) const;

 private:
  struct LaneState {
    LaneState(std::shared_ptr<const core::gate::Gate> g, std::shared_ptr<idp::Provider> p)
        : gate(std::move(g)), provider(std::move(p)) {}
    std::shared_ptr<const core::gate::Gate> gate;
    std::shared_ptr<idp::Provider> provider;
    std::atomic<std::shared_ptr<const core::gate::ProviderSnapshot>> snapshot;
  };
  LaneState& laneFor(const core::gate::CheckRequest& check) const;
  // /ready: the store and every provider.
  core::gate::Decision ready(core::gate::CheckRequest& check);
  // What the gate needs of the provider; rebuilt only when the key set or the IdP's health
  // (Provider::reachable()) changes.
  std::shared_ptr<const core::gate::ProviderSnapshot> providerSnapshot(LaneState& lane);
  boost::asio::awaitable<core::gate::Decision> finishLogin(LaneState& lane,
                                                           const core::gate::CheckRequest& check,
                                                           const core::gate::Exchange& exchange);
  // The snapshot that can verify the ID token in `tokens`: a key id it does not know yet is
  // looked up once (OIDC Core §10.1.1: the IdP may just have rotated its keys).
  boost::asio::awaitable<std::shared_ptr<const core::gate::ProviderSnapshot>> snapshotFor(
      LaneState& lane, const idp::TokenResult& tokens);
  // The refresh_token grant for `refresh`, shared with every concurrent request of its session.
  boost::asio::awaitable<idp::TokenResult> refreshOnce(LaneState& lane,
                                                       const core::gate::Refresh& refresh);
  // The next step of `decision` (one I/O step: a grant, a store read or write).
  boost::asio::awaitable<core::gate::Decision> step(LaneState& lane,
                                                    core::gate::CheckRequest& check,
                                                    core::gate::Decision decision);
  boost::asio::awaitable<core::gate::Decision> refreshSession(LaneState& lane,
                                                              core::gate::CheckRequest& check,
                                                              const core::gate::Refresh& refresh);
  // A server-side session's refresh, single-flight across replicas through the store's lock:
  // the replica holding it refreshes; the others wait for the stored session to change.
  boost::asio::awaitable<core::gate::Decision> refreshStoredSession(
      LaneState& lane, core::gate::CheckRequest& check, const core::gate::Refresh& refresh);
  // Deletes a stored session and has every replica drop its copy (SessionStore rule 5).
  boost::asio::awaitable<core::Result<core::Ok, std::string>> eraseSession(std::string storeKey);
  // Back-channel logout: every session the index sets list, then the sets.
  boost::asio::awaitable<core::gate::Decision> endSessions(LaneState& lane,
                                                           core::gate::CheckRequest& check,
                                                           core::gate::EndSessions& end);
  boost::asio::awaitable<core::gate::Decision> loadSession(LaneState& lane,
                                                           core::gate::CheckRequest& check,
                                                           const core::gate::LoadSession& load);

  std::vector<std::unique_ptr<LaneState>> lanes_;  // the providers' lanes, then the chooser's
  core::gate::ProviderChoice choice_;
  std::shared_ptr<const core::gate::BearerKeySource> bearerKeys_;
  std::shared_ptr<sessions::SessionStore> store_;
  const core::Clock& clock_;
  struct RefreshFlights;  // refreshes in flight and just done, by session key
  std::shared_ptr<RefreshFlights> refreshes_;
};

// This thread's random generator. Read it again after every co_await: a coroutine must not keep
// a thread_local's address across a suspension.
core::RandomSource& threadRandom();

// A fresh request id from this thread's RequestIdSequence (core/gate/check_request.h).
std::string newRequestId();

}  // namespace authgate::io::frontend
