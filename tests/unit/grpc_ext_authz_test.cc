// The Envoy ext_authz gRPC service end to end in one process: a real gRPC server on 127.0.0.1,
// generated client stubs as Envoy's stand-in, a real idp::Provider against a fake IdP (discovery,
// JWKS, token endpoint) and a pinned clock. Covers the browser flow (login redirect, callback
// with its code exchange completed off the gRPC threads, allow with identity headers), sign-out,
// a refresh, the v2 name, health and graceful shutdown.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/url/parse.hpp>
#include <future>
#include <map>
#include <mutex>

#include "envoy/service/auth/v2/external_auth.grpc.pb.h"
#include "envoy/service/auth/v3/external_auth.grpc.pb.h"
#include "frontend_testing.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc_check_fixture.h"
#include "grpc_ext_authz_testing.h"
#include "idp_testing.h"
#include "io/grpc/check_translation.h"
#include "io/grpc/ext_authz_service.h"
#include "jose_testing.h"

namespace authgate::io::extauthz {
namespace {

namespace asio = boost::asio;
namespace gate = core::gate;
namespace jt = core::jose::testing;
using idp::testing::FakeIdp;
using idp::testing::FakeReply;
using idp::testing::FakeRequest;
using testing::cookiePair;
using testing::EnvoyCall;
using testing::envoyRequest;
using testing::valueOf;
using testing::valuesOf;

using testing::Answer;

class GrpcExtAuthzTest : public testing::GrpcCheckFixture {};

TEST_F(GrpcExtAuthzTest, SendsABrowserWithoutSessionToTheIdp) {
  const Answer answer = check({.path = "/reports?x=1"});
  ASSERT_TRUE(answer.transport.ok()) << answer.transport.error_message();
  ASSERT_TRUE(answer.response.has_status());
  EXPECT_EQ(answer.response.status().code(), kRpcUnauthenticated);
  ASSERT_TRUE(answer.response.has_denied_response());
  const auto& denied = answer.response.denied_response();
  EXPECT_EQ(denied.status().code(), ::envoy::type::v3::Found);
  const std::string location = valueOf(denied.headers(), "Location");
  EXPECT_TRUE(location.starts_with(idp_.baseUrl() + "/authorize?")) << location;
  EXPECT_EQ(queryOf(location)["redirect_uri"], "https://app.example.com/oauth2/callback");
  const auto cookies = valuesOf(denied.headers(), "Set-Cookie");
  ASSERT_EQ(cookies.size(), 1u);
  EXPECT_TRUE(cookies[0].starts_with("_authgate_csrf_")) << cookies[0];
  for (const auto& option : denied.headers()) {
    EXPECT_FALSE(option.has_append()) << option.header().key();
  }
  const ExtAuthzCounters counters = service_->counters();
  EXPECT_EQ(counters.checks, 1u);
  EXPECT_EQ(counters.denied, 1u);
  EXPECT_EQ(counters.resumed, 0u);
}

TEST_F(GrpcExtAuthzTest, TheCallbackExchangesTheCodeOffTheGrpcThreadsAndSetsTheSession) {
  const Answer done = startAndCallBack("/reports?x=1");
  ASSERT_TRUE(done.transport.ok()) << done.transport.error_message();
  EXPECT_EQ(done.response.status().code(), kRpcUnauthenticated);
  const auto& denied = done.response.denied_response();
  EXPECT_EQ(denied.status().code(), ::envoy::type::v3::Found);
  EXPECT_EQ(valueOf(denied.headers(), "Location"), "/reports?x=1");
  const auto cookies = valuesOf(denied.headers(), "Set-Cookie");
  ASSERT_GE(cookies.size(), 2u);  // the session, and the login state cleared
  EXPECT_TRUE(std::any_of(cookies.begin(), cookies.end(),
                          [](const std::string& c) { return c.starts_with("_authgate="); }));
  EXPECT_TRUE(std::any_of(cookies.begin(), cookies.end(), [](const std::string& c) {
    return c.starts_with("_authgate_csrf_") && c.find("Max-Age=0") != std::string::npos;
  }));
  EXPECT_EQ(idp_.hits("/token"), 1u);
  EXPECT_EQ(service_->counters().resumed, 1u);
}

TEST_F(GrpcExtAuthzTest, AValidSessionIsAllowedWithIdentityHeaders) {
  const std::string session = login();
  const Answer answer = check({.path = "/reports?x=1",
                               .headers = {{"cookie", session},
                                           {"x-auth-request-user", "mallory"},
                                           {"authorization", "Bearer forged"}}});
  ASSERT_TRUE(answer.transport.ok());
  ASSERT_TRUE(answer.response.has_status());  // present even though code 0 is the default
  EXPECT_EQ(answer.response.status().code(), kRpcOk);
  ASSERT_TRUE(answer.response.has_ok_response());
  const auto& ok = answer.response.ok_response();
  EXPECT_EQ(valueOf(ok.headers(), "X-Auth-Request-User"), "alice@example.com");
  EXPECT_EQ(valueOf(ok.headers(), "X-Auth-Request-Email"), "alice@example.com");
  EXPECT_EQ(valueOf(ok.headers(), "X-Auth-Request-Groups"), "admins,devs");
  EXPECT_EQ(valueOf(ok.headers(), "X-Auth-Request-Preferred-Username"), "alice");
  {
    const std::lock_guard lock(mutex_);
    EXPECT_EQ(valueOf(ok.headers(), "Authorization"), "Bearer " + idToken_);
  }
  for (const auto& option : ok.headers()) {
    ASSERT_TRUE(option.has_append()) << option.header().key();
    EXPECT_FALSE(option.append().value()) << option.header().key();
  }
  const std::vector<std::string> removed(ok.headers_to_remove().begin(),
                                         ok.headers_to_remove().end());
  for (const char* name : {"X-Forwarded-User", "X_Forwarded_User", "X-Auth-Request-Access-Token"}) {
    EXPECT_NE(std::find(removed.begin(), removed.end(), name), removed.end()) << name;
  }
  for (const char* name : {"Authorization", "X-Auth-Request-User"}) {  // set above, overwritten
    EXPECT_EQ(std::find(removed.begin(), removed.end(), name), removed.end()) << name;
  }
  EXPECT_EQ(ok.response_headers_to_add_size(), 0);
}

TEST_F(GrpcExtAuthzTest, ARefreshSendsTheNewCookieToTheClient) {
  {
    const std::lock_guard lock(mutex_);
    accessTokenLifetime_ = 60;
  }
  const std::string session = login();
  clock_.advance(120);  // the access token expired; the session holds a refresh token
  const Answer answer = check({.path = "/reports", .headers = {{"cookie", session}}});
  ASSERT_TRUE(answer.transport.ok());
  EXPECT_EQ(answer.response.status().code(), kRpcOk);
  const auto& ok = answer.response.ok_response();
  EXPECT_EQ(valueOf(ok.headers(), "X-Auth-Request-User"), "alice@example.com");
  const auto cookies = valuesOf(ok.response_headers_to_add(), "Set-Cookie");
  ASSERT_FALSE(cookies.empty());
  EXPECT_TRUE(cookies[0].starts_with("_authgate=")) << cookies[0];
  EXPECT_NE(cookiePair(cookies[0]), session);
  for (const auto& option : ok.response_headers_to_add()) {
    EXPECT_FALSE(option.has_append());
  }
  const std::lock_guard lock(mutex_);
  EXPECT_EQ(refreshes_, 1);
  EXPECT_EQ(service_->counters().resumed, 2u);  // the code exchange and the refresh
}

TEST_F(GrpcExtAuthzTest, SignOutClearsTheSessionWithARedirect) {
  const std::string session = login();
  const Answer answer = check({.path = "/oauth2/sign_out", .headers = {{"cookie", session}}});
  ASSERT_TRUE(answer.transport.ok());
  EXPECT_EQ(answer.response.status().code(), kRpcUnauthenticated);
  const auto& denied = answer.response.denied_response();
  EXPECT_EQ(denied.status().code(), ::envoy::type::v3::Found);
  EXPECT_FALSE(valueOf(denied.headers(), "Location").empty());
  const auto cookies = valuesOf(denied.headers(), "Set-Cookie");
  ASSERT_FALSE(cookies.empty());
  EXPECT_TRUE(std::any_of(cookies.begin(), cookies.end(), [](const std::string& c) {
    return c.starts_with("_authgate=") && c.find("Max-Age=0") != std::string::npos;
  }));
}

TEST_F(GrpcExtAuthzTest, AnswersUnderTheV2ServiceName) {
  auto v2 = ::envoy::service::auth::v2::Authorization::NewStub(channel_);
  const Answer denied = checkWith(*v2, {.path = "/reports"});
  ASSERT_TRUE(denied.transport.ok()) << denied.transport.error_message();
  EXPECT_EQ(denied.response.status().code(), kRpcUnauthenticated);
  EXPECT_EQ(denied.response.denied_response().status().code(), ::envoy::type::v3::Found);

  const Answer allowed = checkWith(*v2, {.path = "/", .headers = {{"cookie", login()}}});
  ASSERT_TRUE(allowed.transport.ok());
  EXPECT_EQ(allowed.response.status().code(), kRpcOk);
  EXPECT_EQ(valueOf(allowed.response.ok_response().headers(), "X-Auth-Request-User"),
            "alice@example.com");
}

TEST_F(GrpcExtAuthzTest, ReportsServingOnTheStandardHealthService) {
  auto health = ::grpc::health::v1::Health::NewStub(channel_);
  for (const char* service :
       {"", "envoy.service.auth.v3.Authorization", "envoy.service.auth.v2.Authorization"}) {
    ::grpc::ClientContext context;
    ::grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    ::grpc::health::v1::HealthCheckResponse response;
    const ::grpc::Status status = health->Check(&context, request, &response);
    ASSERT_TRUE(status.ok()) << service << ": " << status.error_message();
    EXPECT_EQ(response.status(), ::grpc::health::v1::HealthCheckResponse::SERVING) << service;
  }
  ::grpc::ClientContext context;
  ::grpc::health::v1::HealthCheckRequest request;
  request.set_service("no.such.Service");
  ::grpc::health::v1::HealthCheckResponse response;
  EXPECT_EQ(health->Check(&context, request, &response).error_code(), ::grpc::NOT_FOUND);
}

TEST_F(GrpcExtAuthzTest, ShutdownLetsACheckWaitingForTheIdpFinish) {
  {
    const std::lock_guard lock(mutex_);
    holdTokens_ = true;
  }
  auto callback = std::async(std::launch::async, [this] { return startAndCallBack("/held"); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (idp_.hits("/token") == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();  // waiting for the exchange to reach the IdP, not for time
  }
  ASSERT_EQ(idp_.hits("/token"), 1u);
  auto stopped =
      std::async(std::launch::async, [this] { service_->shutdown(std::chrono::seconds(10)); });
  idp_.release();
  stopped.get();
  const Answer done = callback.get();
  ASSERT_TRUE(done.transport.ok()) << done.transport.error_message();
  EXPECT_EQ(done.response.denied_response().status().code(), ::envoy::type::v3::Found);
  EXPECT_EQ(valueOf(done.response.denied_response().headers(), "Location"), "/held");
  // No new call after shutdown.
  const Answer refused = check({.path = "/"});
  EXPECT_FALSE(refused.transport.ok());
}

TEST_F(GrpcExtAuthzTest, RefusesAnAddressAlreadyInUse) {
  ExtAuthzService second(
      ExtAuthzOptions{.address = "127.0.0.1:" + std::to_string(service_->port())}, *runner_,
      io_.get_executor());
  auto started = second.start();
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().find("grpc_address"), std::string::npos);
}

}  // namespace
}  // namespace authgate::io::extauthz
