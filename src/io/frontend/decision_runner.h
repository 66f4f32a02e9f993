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
  // `bearerKeys`: the key sets of the gate's bearer-token rules (io/idp/bearer_keys.h); null
  // when there are none.
  // `store`: the server-side session store when the gate keeps sessions there
  // (GateSettings::serverSessions), else null.
  DecisionRunner(std::shared_ptr<const core::gate::Gate> gate,
                 std::shared_ptr<idp::Provider> provider, const core::Clock& clock,
                 std::shared_ptr<const core::gate::BearerKeySource> bearerKeys = nullptr,
                 std::shared_ptr<sessions::SessionStore> store = nullptr);

  // The gate's decision with the provider's current snapshot; `check.now` is set here.
  core::gate::Decision decide(core::gate::CheckRequest& check);

  // Turns an Exchange, a Refresh, a LoadSession, a StoreSession or an EndSessions into the final
  // Allow or Respond (a final decision is returned as it is), performing the IdP and session-store
  // I/O each step needs. Never throws for IdP or store trouble: that becomes an error page.
  boost::asio::awaitable<core::gate::Decision> complete(core::gate::CheckRequest check,
                                                        core::gate::Decision decision);

  const core::gate::Gate& gate() const { return *gate_; }
  idp::Provider& provider() const { return *provider_; }

 private:
  // What the gate needs of the provider; rebuilt only when the key set or the IdP's health
  // (Provider::reachable()) changes.
  std::shared_ptr<const core::gate::ProviderSnapshot> providerSnapshot();
  boost::asio::awaitable<core::gate::Decision> finishLogin(const core::gate::CheckRequest& check,
                                                           const core::gate::Exchange& exchange);
  // The snapshot that can verify the ID token in `tokens`: a key id it does not know yet is
  // looked up once (OIDC Core §10.1.1: the IdP may just have rotated its keys).
  boost::asio::awaitable<std::shared_ptr<const core::gate::ProviderSnapshot>> snapshotFor(
      const idp::TokenResult& tokens);
  // The refresh_token grant for `refresh`, shared with every concurrent request of its session.
  boost::asio::awaitable<idp::TokenResult> refreshOnce(const core::gate::Refresh& refresh);
  // The next step of `decision` (one I/O step: a grant, a store read or write).
  boost::asio::awaitable<core::gate::Decision> step(core::gate::CheckRequest& check,
                                                    core::gate::Decision decision);
  boost::asio::awaitable<core::gate::Decision> refreshSession(core::gate::CheckRequest& check,
                                                              const core::gate::Refresh& refresh);
  // A server-side session's refresh, single-flight across replicas through the store's lock:
  // the replica holding it refreshes; the others wait for the stored session to change.
  boost::asio::awaitable<core::gate::Decision> refreshStoredSession(
      core::gate::CheckRequest& check, const core::gate::Refresh& refresh);
  // Deletes a stored session and has every replica drop its copy (SessionStore rule 5).
  boost::asio::awaitable<core::Result<core::Ok, std::string>> eraseSession(std::string storeKey);
  // Back-channel logout: every session the index sets list, then the sets.
  boost::asio::awaitable<core::gate::Decision> endSessions(core::gate::CheckRequest& check,
                                                           core::gate::EndSessions& end);
  boost::asio::awaitable<core::gate::Decision> loadSession(core::gate::CheckRequest& check,
                                                           const core::gate::LoadSession& load);

  std::shared_ptr<const core::gate::Gate> gate_;
  std::shared_ptr<idp::Provider> provider_;
  std::shared_ptr<const core::gate::BearerKeySource> bearerKeys_;
  std::shared_ptr<sessions::SessionStore> store_;
  const core::Clock& clock_;
  std::atomic<std::shared_ptr<const core::gate::ProviderSnapshot>> snapshot_;
  struct RefreshFlights;  // refreshes in flight and just done, by session key
  std::shared_ptr<RefreshFlights> refreshes_;
};

// This thread's random generator. Read it again after every co_await: a coroutine must not keep
// a thread_local's address across a suspension.
core::RandomSource& threadRandom();

// A fresh request id from this thread's RequestIdSequence (core/gate/check_request.h).
std::string newRequestId();

}  // namespace authgate::io::frontend
