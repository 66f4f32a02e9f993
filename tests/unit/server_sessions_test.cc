// Server-side sessions (session_store: redis) through the whole decision path: the gate, the
// DecisionRunner's store steps and the gRPC front end, with the store in memory
// (memory_session_store.h). Redis itself is covered by redis_*_test.cc and the e2e suite.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <future>

#include "core/encoding/base64url.h"
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
    auto run = [this, path, cookie]() -> asio::awaitable<gate::Decision> {
      const std::vector<gate::HeaderView> headers{{"Cookie", cookie}};
      gate::CheckRequest request{.method = "GET",
                                 .scheme = "https",
                                 .host = "app.example.com",
                                 .path = path,
                                 .headers = headers,
                                 .peer = "203.0.113.9"};
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

}  // namespace
}  // namespace authgate::io::extauthz
