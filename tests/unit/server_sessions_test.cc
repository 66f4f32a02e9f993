// Server-side sessions (session_store: redis) through the whole decision path: the gate, the
// DecisionRunner's store steps and the gRPC front end, with the store in memory
// (memory_session_store.h). Redis itself is covered by redis_*_test.cc and the e2e suite.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <future>

#include "core/encoding/base64url.h"
#include "core/oidc/logout_token.h"
#include "core/session/ticket.h"
#include "grpc_check_fixture.h"
#include "io/frontend/decision_runner.h"
#include "io/grpc/check_translation.h"
#include "memory_session_store.h"

namespace authgate::io::extauthz {
namespace {

namespace asio = boost::asio;
namespace gate = core::gate;
using sessions::testing::MemorySessionStore;
using testing::Answer;
using testing::cookiePair;
using testing::valueOf;
using testing::valuesOf;

constexpr std::chrono::seconds kCookieExpire{std::chrono::hours(168)};

class ServerSessionsTest : public testing::GrpcCheckFixture {
 protected:
  void configureGate(gate::GateSettings& settings) override {
    settings.cookieExpire = kCookieExpire;
    settings.serverSessions = gate::GateSettings::ServerSessions{
        .keyPrefix = "test:", .idleTimeout = idleTimeout_, .localCacheTtl = localCacheTtl_};
    store_ = memory_;
    settings_ = settings;
  }

  std::size_t storedSessions() {
    const std::lock_guard lock(memory_->mutex());
    return memory_->entries.size();
  }
  MemorySessionStore::Entry onlyEntry() {
    const std::lock_guard lock(memory_->mutex());
    EXPECT_EQ(memory_->entries.size(), 1u);
    return memory_->entries.empty() ? MemorySessionStore::Entry{}
                                    : memory_->entries.begin()->second;
  }
  int loads() {
    const std::lock_guard lock(memory_->mutex());
    return memory_->loads;
  }
  void setDown(bool down) {
    const std::lock_guard lock(memory_->mutex());
    memory_->down = down;
  }
  // The whole decision on io_'s thread, as an HTTP worker makes it: the session cache is per
  // thread, so a session read from the store is found again by the thread that read it.
  gate::Decision decideOnIo(const std::string& path, const std::string& cookie) {
    return decideOnIo("GET", path, {{"Cookie", cookie}}, "");
  }
  gate::Decision decideOnIo(std::string method, std::string path,
                            std::vector<std::pair<std::string, std::string>> fields,
                            std::string body) {
    auto run = [=, this]() -> asio::awaitable<gate::Decision> {
      std::vector<gate::HeaderView> headers;
      for (const auto& [name, value] : fields) {
        headers.push_back({name, value});
      }
      gate::CheckRequest request{.method = method,
                                 .scheme = "https",
                                 .host = "app.example.com",
                                 .path = path,
                                 .headers = headers,
                                 .peer = "203.0.113.9",
                                 .body = body};
      gate::Decision decision = runner_->decide(request);
      if (!frontend::isFinal(decision)) {
        decision = co_await runner_->complete(request, std::move(decision));
      }
      co_return decision;
    };
    return asio::co_spawn(io_, run(), asio::use_future).get();
  }
  static bool allowedDecision(const gate::Decision& decision) {
    return std::holds_alternative<gate::Allow>(decision);
  }
  bool allowed(const Answer& answer) {
    return answer.transport.ok() && answer.response.status().code() == kRpcOk;
  }
  int deniedStatus(const Answer& answer) {
    return answer.response.denied_response().status().code();
  }

  // A logout token from the IdP (Back-Channel Logout 1.0 §2.4) with these claims changed.
  std::string signLogoutToken(const boost::json::object& changes = {}) {
    namespace jt = core::jose::testing;
    boost::json::object claims{{"iss", idp_.baseUrl()},
                               {"aud", "client-1"},
                               {"iat", clock_.now()},
                               {"exp", clock_.now() + 120},
                               {"jti", "logout-1"},
                               {"sid", "idp-session-1"},
                               {"events", boost::json::object{{core::oidc::kBackchannelLogoutEvent,
                                                               boost::json::object{}}}}};
    for (const auto& [name, value] : changes) {
      if (value.is_null()) {
        claims.erase(name);
      } else {
        claims[name] = value;
      }
    }
    return jt::makeToken(core::jose::Algorithm::RS256, jt::rsa2048().get(),
                         {{"alg", "RS256"}, {"kid", "k1"}, {"typ", "logout+jwt"}}, claims);
  }
  gate::Decision backchannelLogout(const std::string& token,
                                   std::string type = "application/x-www-form-urlencoded") {
    return decideOnIo("POST", "/oauth2/backchannel_logout", {{"Content-Type", type}},
                      "logout_token=" + token);
  }
  static int statusOf(const gate::Decision& decision) {
    return std::holds_alternative<gate::Respond>(decision)
               ? std::get<gate::Respond>(decision).status
               : -1;
  }

  std::shared_ptr<MemorySessionStore> memory_ = std::make_shared<MemorySessionStore>();
  std::chrono::seconds idleTimeout_{0};
  std::chrono::seconds localCacheTtl_{5};
  gate::GateSettings settings_;
};

TEST_F(ServerSessionsTest, TheCookieCarriesATicketAndTheStoreASealedSession) {
  const std::string cookie = login();
  ASSERT_FALSE(cookie.empty());
  // A ticket (id and key, sealed) is far smaller than a session with three tokens.
  EXPECT_LT(cookie.size(), 150u) << cookie;
  const MemorySessionStore::Entry entry = onlyEntry();
  EXPECT_EQ(entry.ttl, kCookieExpire);
  const std::string record(entry.record.begin(), entry.record.end());
  {
    const std::lock_guard lock(mutex_);
    ASSERT_FALSE(idToken_.empty());
    // Nothing readable in the store: no token, no e-mail address.
    EXPECT_EQ(record.find(idToken_.substr(0, 40)), std::string::npos);
    EXPECT_EQ(record.find("alice@example.com"), std::string::npos);
    EXPECT_EQ(record.find("rt-1"), std::string::npos);
  }
  const std::string key = memory_->entries.begin()->first;
  EXPECT_TRUE(key.starts_with("test:session:")) << key;

  const Answer answer = check({.path = "/reports", .headers = {{"cookie", cookie}}});
  ASSERT_TRUE(allowed(answer));
  EXPECT_EQ(valueOf(answer.response.ok_response().headers(), "X-Auth-Request-User"),
            "alice@example.com");
}

TEST_F(ServerSessionsTest, RepeatedRequestsAreServedFromMemoryUntilTheLocalTtl) {
  const std::string cookie = login();
  const int before = loads();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(allowedDecision(decideOnIo("/", cookie)));
  }
  EXPECT_EQ(loads(), before + 1);  // read once, then from memory
  clock_.advance(localCacheTtl_.count());
  ASSERT_TRUE(allowedDecision(decideOnIo("/", cookie)));
  EXPECT_EQ(loads(), before + 2);
}

// The gRPC service decides on gRPC's threads and completes on the I/O thread: the completion
// finds there what the first one read, so repeated checks stay off the store too.
TEST_F(ServerSessionsTest, RepeatedGrpcChecksReadTheStoreOnce) {
  const std::string cookie = login();
  const int before = loads();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(allowed(check({.path = "/", .headers = {{"cookie", cookie}}})));
  }
  EXPECT_EQ(loads(), before + 1);
}

TEST_F(ServerSessionsTest, ASessionGoneFromTheStoreMeansALogin) {
  const std::string cookie = login();
  {
    const std::lock_guard lock(memory_->mutex());
    memory_->entries.clear();  // expired in Redis, or deleted by another replica
  }
  const Answer answer = check({.path = "/reports", .headers = {{"cookie", cookie}}});
  ASSERT_TRUE(answer.transport.ok());
  EXPECT_EQ(deniedStatus(answer), ::envoy::type::v3::Found);
  EXPECT_TRUE(valueOf(answer.response.denied_response().headers(), "Location")
                  .starts_with(idp_.baseUrl() + "/authorize?"));
}

TEST_F(ServerSessionsTest, ARecordUnderAnotherTicketDoesNotOpen) {
  const std::string first = login();
  const std::string second = login();
  {
    const std::lock_guard lock(memory_->mutex());
    ASSERT_EQ(memory_->entries.size(), 2u);
    // Swap the two records: each ticket now finds the other's session under its id.
    auto one = memory_->entries.begin();
    auto two = std::next(one);
    std::swap(one->second.record, two->second.record);
  }
  for (const std::string& cookie : {first, second}) {
    const Answer answer = check({.path = "/", .headers = {{"cookie", cookie}}});
    EXPECT_EQ(deniedStatus(answer), ::envoy::type::v3::Found);
  }
}

TEST_F(ServerSessionsTest, StoreOutageFailsClosedWith503AndRecovers) {
  const std::string cookie = login();
  clock_.advance(localCacheTtl_.count() + 1);  // nothing in memory any more
  setDown(true);
  const Answer down = check({.path = "/reports", .headers = {{"cookie", cookie}}});
  ASSERT_TRUE(down.transport.ok());
  EXPECT_EQ(deniedStatus(down), ::envoy::type::v3::ServiceUnavailable);
  EXPECT_EQ(valueOf(down.response.denied_response().headers(), "Retry-After"), "5");
  // A login while the store is down is not finished with a cookie for a session never stored.
  const Answer login_done = startAndCallBack("/x");
  EXPECT_EQ(deniedStatus(login_done), ::envoy::type::v3::ServiceUnavailable);
  const auto set_cookies = valuesOf(login_done.response.denied_response().headers(), "Set-Cookie");
  EXPECT_TRUE(std::none_of(set_cookies.begin(), set_cookies.end(),
                           [](const std::string& c) { return c.starts_with("_authgate="); }));
  setDown(false);
  EXPECT_TRUE(allowed(check({.path = "/reports", .headers = {{"cookie", cookie}}})));
}

TEST_F(ServerSessionsTest, ReadyFollowsTheStore) {
  EXPECT_NE(deniedStatus(check({.path = "/ready"})), ::envoy::type::v3::ServiceUnavailable);
  setDown(true);
  const Answer down = check({.path = "/ready"});
  EXPECT_EQ(deniedStatus(down), ::envoy::type::v3::ServiceUnavailable);
}

TEST_F(ServerSessionsTest, SignOutDeletesTheStoredSession) {
  const std::string cookie = login();
  ASSERT_TRUE(allowedDecision(decideOnIo("/", cookie)));  // now in this thread's memory
  const gate::Decision out = decideOnIo("/oauth2/sign_out", cookie);
  ASSERT_TRUE(std::holds_alternative<gate::Respond>(out));
  const auto& respond = std::get<gate::Respond>(out);
  EXPECT_EQ(respond.status, 302);
  // The hint came from memory: the IdP can end its own session without asking the user.
  const auto location =
      std::find_if(respond.headers.begin(), respond.headers.end(),
                   [](const gate::HeaderLine& h) { return h.name == "Location"; });
  ASSERT_NE(location, respond.headers.end());
  EXPECT_NE(location->value.find("id_token_hint="), std::string::npos) << location->value;
  EXPECT_EQ(storedSessions(), 0u);
  // A copy of the cookie kept by someone else opens nothing now, even on this thread, whose
  // memory had the session.
  const gate::Decision replay = decideOnIo("/", cookie);
  ASSERT_TRUE(std::holds_alternative<gate::Respond>(replay));
  EXPECT_EQ(std::get<gate::Respond>(replay).status, 302);
  EXPECT_EQ(deniedStatus(check({.path = "/", .headers = {{"cookie", cookie}}})),
            ::envoy::type::v3::Found);
}

class ServerSessionsIdleTest : public ServerSessionsTest {
 protected:
  ServerSessionsIdleTest() { idleTimeout_ = std::chrono::minutes(30); }
};

TEST_F(ServerSessionsIdleTest, TheIdleTimeoutBoundsTheTtlAndEachReadSlidesIt) {
  const std::string cookie = login();
  EXPECT_EQ(onlyEntry().ttl, std::chrono::minutes(30));
  ASSERT_TRUE(allowed(check({.path = "/", .headers = {{"cookie", cookie}}})));
  const std::lock_guard lock(memory_->mutex());
  EXPECT_EQ(memory_->lastTouch, std::chrono::minutes(30));
}

TEST_F(ServerSessionsTest, ARefreshRewritesTheStoredSessionAndKeepsTheCookie) {
  {
    const std::lock_guard lock(mutex_);
    accessTokenLifetime_ = 60;
  }
  const std::string cookie = login();
  const auto before = onlyEntry().record;
  clock_.advance(120);
  const Answer answer = check({.path = "/reports", .headers = {{"cookie", cookie}}});
  ASSERT_TRUE(allowed(answer));
  EXPECT_TRUE(
      valuesOf(answer.response.ok_response().response_headers_to_add(), "Set-Cookie").empty());
  EXPECT_NE(onlyEntry().record, before);
  {
    const std::lock_guard lock(memory_->mutex());
    EXPECT_TRUE(memory_->locks.empty());  // released
  }
  // The stored session holds the new tokens: no second grant.
  clock_.advance(localCacheTtl_.count() + 1);
  ASSERT_TRUE(allowed(check({.path = "/reports", .headers = {{"cookie", cookie}}})));
  const std::lock_guard lock(mutex_);
  EXPECT_EQ(refreshes_, 1);
}

// Two replicas (two gates and runners sharing the store) see the same expired session at once:
// the one holding the store's lock refreshes, the other waits and uses the stored result.
TEST_F(ServerSessionsTest, ARefreshIsSingleFlightAcrossReplicas) {
  {
    const std::lock_guard lock(mutex_);
    accessTokenLifetime_ = 60;
  }
  const std::string cookie = login();
  clock_.advance(120);
  auto second_gate = gate::Gate::create(settings_, secrets_, {".example.com"});
  ASSERT_TRUE(second_gate) << second_gate.error();
  frontend::DecisionRunner replica_b(std::make_shared<const gate::Gate>(std::move(*second_gate)),
                                     provider_, clock_, nullptr, store_);
  {
    const std::lock_guard lock(mutex_);
    holdTokens_ = true;
  }
  auto on_a = std::async(std::launch::async, [&] {
    return check({.path = "/reports", .headers = {{"cookie", cookie}}});
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (idp_.hits("/token") < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();  // the login's exchange, then A's refresh grant, held
  }
  ASSERT_EQ(idp_.hits("/token"), 2u);

  const std::vector<gate::HeaderView> headers{{"Cookie", cookie}};
  gate::CheckRequest request{.method = "GET",
                             .scheme = "https",
                             .host = "app.example.com",
                             .path = "/reports",
                             .headers = headers,
                             .peer = "203.0.113.9"};
  gate::Decision first = replica_b.decide(request);
  ASSERT_TRUE(std::holds_alternative<gate::LoadSession>(first));
  auto on_b = asio::co_spawn(io_, replica_b.complete(request, std::move(first)), asio::use_future);
  // B is waiting on A's lock now (or soon): let A's grant finish.
  while (true) {
    {
      const std::lock_guard lock(memory_->mutex());
      if (memory_->lockAttempts >= 2) {
        break;
      }
    }
    ASSERT_LT(std::chrono::steady_clock::now(), deadline);
    std::this_thread::yield();
  }
  idp_.release();
  ASSERT_TRUE(allowed(on_a.get()));
  const gate::Decision b = on_b.get();
  ASSERT_TRUE(std::holds_alternative<gate::Allow>(b));
  const std::lock_guard lock(mutex_);
  EXPECT_EQ(refreshes_, 1);
}

// Back-Channel Logout 1.0: the IdP's logout token ends every session of its `sid`, in the store
// and in every replica's memory, and the index that found them.
TEST_F(ServerSessionsTest, BackchannelLogoutEndsEverySessionOfTheProviderSession) {
  const std::string first = login();
  const std::string second = login();  // another browser, same IdP session
  ASSERT_TRUE(allowedDecision(decideOnIo("/", first)));
  ASSERT_TRUE(allowedDecision(decideOnIo("/", second)));  // both in this thread's memory
  ASSERT_EQ(storedSessions(), 2u);
  std::vector<std::string> session_keys;
  {
    const std::lock_guard lock(memory_->mutex());
    ASSERT_EQ(memory_->sets.size(), 2u);  // by sid and by sub
    for (const auto& [set, members] : memory_->sets) {
      EXPECT_TRUE(set.starts_with("test:logout:")) << set;
      EXPECT_EQ(members.size(), 2u);
      EXPECT_EQ(memory_->setTtls[set], kCookieExpire);
    }
    for (const auto& [key, entry] : memory_->entries) {
      session_keys.push_back(key);
    }
  }

  const gate::Decision done = backchannelLogout(signLogoutToken());
  ASSERT_EQ(statusOf(done), 200);
  const auto& respond = std::get<gate::Respond>(done);
  EXPECT_TRUE(std::any_of(respond.headers.begin(), respond.headers.end(), [](const auto& h) {
    return h.name == "Cache-Control" && h.value.find("no-store") != std::string::npos;
  }));
  EXPECT_EQ(storedSessions(), 0u);
  {
    const std::lock_guard lock(memory_->mutex());
    EXPECT_EQ(memory_->sets.size(), 1u);  // the sid's set is gone; the sub's expires
    std::vector<std::string> announced = memory_->announced;
    std::sort(announced.begin(), announced.end());
    EXPECT_EQ(announced, session_keys);  // the other replicas drop their copies
  }
  EXPECT_EQ(statusOf(decideOnIo("/", first)), 302);
  EXPECT_EQ(statusOf(decideOnIo("/", second)), 302);
}

TEST_F(ServerSessionsTest, BackchannelLogoutBySubjectEndsAllOfTheUsersSessions) {
  const std::string cookie = login();
  ASSERT_TRUE(allowedDecision(decideOnIo("/", cookie)));
  EXPECT_EQ(statusOf(backchannelLogout(signLogoutToken({{"sid", nullptr}, {"sub", "bob-id"}}))),
            200);
  EXPECT_TRUE(allowedDecision(decideOnIo("/", cookie)));  // another user: nothing ended
  EXPECT_EQ(statusOf(backchannelLogout(signLogoutToken({{"sid", nullptr}, {"sub", "alice-id"}}))),
            200);
  EXPECT_EQ(storedSessions(), 0u);
  EXPECT_EQ(statusOf(decideOnIo("/", cookie)), 302);
}

TEST_F(ServerSessionsTest, ARefusedLogoutRequestEndsNothing) {
  const std::string cookie = login();
  ASSERT_TRUE(allowedDecision(decideOnIo("/", cookie)));
  EXPECT_EQ(statusOf(backchannelLogout(signLogoutToken({{"aud", "client-2"}}))), 400);
  EXPECT_EQ(statusOf(backchannelLogout(signLogoutToken({{"nonce", "n"}}))), 400);
  EXPECT_EQ(statusOf(backchannelLogout(signLogoutToken({{"events", nullptr}}))), 400);
  EXPECT_EQ(statusOf(backchannelLogout("not-a-token")), 400);
  EXPECT_EQ(statusOf(backchannelLogout(signLogoutToken(), "application/json")), 400);
  EXPECT_EQ(statusOf(decideOnIo("POST", "/oauth2/backchannel_logout",
                                {{"Content-Type", "application/x-www-form-urlencoded"}}, "")),
            400);
  const gate::Decision get = decideOnIo("/oauth2/backchannel_logout", "");
  EXPECT_EQ(statusOf(get), 405);
  EXPECT_EQ(storedSessions(), 1u);
  EXPECT_TRUE(allowedDecision(decideOnIo("/", cookie)));
}

TEST_F(ServerSessionsTest, BackchannelLogoutWithTheStoreDownAsksForARetry) {
  const std::string cookie = login();
  setDown(true);
  EXPECT_EQ(statusOf(backchannelLogout(signLogoutToken())), 503);
  setDown(false);
  EXPECT_EQ(statusOf(backchannelLogout(signLogoutToken())), 200);
  EXPECT_EQ(storedSessions(), 0u);
}

// Another replica announced a deletion: this one drops its copy without reading the store.
TEST_F(ServerSessionsTest, AnAnnouncedDeletionDropsTheCopyInMemory) {
  const std::string cookie = login();
  ASSERT_TRUE(allowedDecision(decideOnIo("/", cookie)));
  std::string key;
  {
    const std::lock_guard lock(memory_->mutex());
    key = memory_->entries.begin()->first;
    memory_->entries.clear();  // deleted by the other replica
  }
  EXPECT_TRUE(allowedDecision(decideOnIo("/", cookie)));                   // still in memory
  runner_->gate().forgetStoredSession("test:session:not-base64url!");      // ignored
  runner_->gate().forgetStoredSession("other:session:" + key.substr(13));  // not ours
  EXPECT_TRUE(allowedDecision(decideOnIo("/", cookie)));
  runner_->gate().forgetStoredSession(key);
  EXPECT_EQ(statusOf(decideOnIo("/", cookie)), 302);
}

TEST_F(ServerSessionsTest, MissedAnnouncementsDropEverySessionInMemory) {
  const std::string cookie = login();
  ASSERT_TRUE(allowedDecision(decideOnIo("/", cookie)));
  const int before = loads();
  runner_->gate().forgetStoredSessions();
  EXPECT_TRUE(allowedDecision(decideOnIo("/", cookie)));
  EXPECT_EQ(loads(), before + 1);  // read from the store again
}

}  // namespace
}  // namespace authgate::io::extauthz
