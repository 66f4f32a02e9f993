#pragma once
// Test-only fixture shared by the front-end tests (grpc_ext_authz_test.cc,
// frontend_agreement_test.cc): one gate behind every front end, with a real idp::Provider
// against a fake IdP (discovery, JWKS, token endpoint), a pinned clock, a DecisionRunner and the
// Envoy ext_authz gRPC service on 127.0.0.1. io_ runs on its own thread, as in the program.
// A test changes the gate's settings (policies, trusted proxies, ...) by overriding
// configureGate(), which SetUp calls just before it builds the gate.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/json.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/gate/gate.h"
#include "core/session/cookie_secret.h"
#include "envoy/service/auth/v3/external_auth.grpc.pb.h"
#include "idp_testing.h"
#include "io/frontend/decision_runner.h"
#include "io/grpc/ext_authz_service.h"
#include "jose_testing.h"

namespace authgate::io::frontend::testing {

// The gate's cookie secret: tests seal sessions with it directly.
inline constexpr std::string_view kCookieSecret = "q-LUN0AXjfvdlqTV4BSDCpxMNTTMWcoPYV_Ohhj2HVg=";

class GateFixture : public ::testing::Test {
 protected:
  using FakeIdp = idp::testing::FakeIdp;
  using FakeReply = idp::testing::FakeReply;
  using FakeRequest = idp::testing::FakeRequest;

  void SetUp() override {
    namespace jt = core::jose::testing;
    const std::string base = idp_.baseUrl();
    const std::string discovery =
        boost::json::serialize(boost::json::object{{"issuer", base},
                                                   {"authorization_endpoint", base + "/authorize"},
                                                   {"end_session_endpoint", base + "/logout"},
                                                   {"token_endpoint", base + "/token"},
                                                   {"jwks_uri", base + "/jwks"}});
    idp_.route("/.well-known/openid-configuration",
               [discovery](const FakeRequest&) { return FakeReply{.body = discovery}; });
    const std::string jwks = jt::jwksText({jt::publicJwk(jt::rsa2048().get(), "k1", "RS256")});
    idp_.route("/jwks", [jwks](const FakeRequest&) { return FakeReply{.body = jwks}; });
    idp_.route("/token", [this](const FakeRequest& request) { return tokenEndpoint(request); });
    idp_.start();

    idp::ProviderOptions options;
    options.issuer = base;
    options.client = {.clientId = "client-1", .clientSecret = "s3cret"};
    options.retryInitial = std::chrono::milliseconds(10);
    options.retryMax = std::chrono::milliseconds(40);
    auto provider = idp::Provider::create(io_.get_executor(), options, clock_);
    ASSERT_TRUE(provider) << provider.error();
    provider_ = *provider;
    provider_->start();
    ASSERT_TRUE(idp::testing::runUntil(io_, [this] { return provider_->ready(); }));
    ioThread_ = std::thread([this] { io_.run(); });

    core::gate::GateSettings settings;
    settings.client = {.clientId = "client-1", .redirectUri = "", .scopes = {"openid", "email"}};
    settings.setAuthorizationHeader = true;   // Authorization: Bearer <id_token> on allow
    settings.passAuthorizationHeader = true;  // ... and a client's own one is spoofable
    auto secret = core::session::decodeCookieSecret(kCookieSecret);
    ASSERT_TRUE(secret);
    secrets_ = {*secret};
    configureGate(settings);
    if (HasFatalFailure()) {
      return;
    }
    auto built = core::gate::Gate::create(settings, secrets_, {".example.com"});
    ASSERT_TRUE(built) << built.error();
    runner_.emplace(std::make_shared<const core::gate::Gate>(std::move(*built)), provider_, clock_,
                    bearerKeys_, store_);

    service_.emplace(extauthz::ExtAuthzOptions{.address = "127.0.0.1:0"}, *runner_,
                     io_.get_executor());
    auto started = service_->start();
    ASSERT_TRUE(started) << started.error();
    ASSERT_GT(service_->port(), 0);
    channel_ = ::grpc::CreateChannel("127.0.0.1:" + std::to_string(service_->port()),
                                     ::grpc::InsecureChannelCredentials());
    v3_ = ::envoy::service::auth::v3::Authorization::NewStub(channel_);
  }

  // Called by SetUp with the fixture's settings (the fake IdP already answers at idp_.baseUrl()):
  // the place to add policies, trusted proxies or bearer rules (and bearerKeys_ for them). A
  // fatal failure here stops SetUp.
  virtual void configureGate(core::gate::GateSettings& /*settings*/) {}

  void TearDown() override {
    if (service_) {
      service_->shutdown(std::chrono::seconds(5));
    }
    if (provider_) {
      provider_->stop();
    }
    work_.reset();
    io_.stop();
    if (ioThread_.joinable()) {
      ioThread_.join();
    }
  }

  // An ID token for "alice-id" (IdP session "idp-session-1") signed with the IdP's key; `nonce`
  // is left out when empty. Besides the usual claims it carries the kinds the policy tables
  // match on: azp, a space-separated scope, a nested object and a boolean.
  std::string signIdToken(const std::string& email, const std::string& nonce) {
    namespace jt = core::jose::testing;
    boost::json::object claims{{"iss", idp_.baseUrl()},
                               {"sub", "alice-id"},
                               {"aud", "client-1"},
                               {"exp", clock_.now() + 3600},
                               {"iat", clock_.now()},
                               {"email", email},
                               {"preferred_username", "alice"},
                               {"groups", boost::json::array{"admins", "devs"}},
                               {"azp", "client-1"},
                               {"scope", "openid email reports.read"},
                               {"org", boost::json::object{{"team", "core"}, {"level", 3}}},
                               {"email_verified", true},
                               {"sid", "idp-session-1"}};
    if (!nonce.empty()) {
      claims["nonce"] = nonce;
    }
    return jt::makeToken(core::jose::Algorithm::RS256, jt::rsa2048().get(),
                         {{"alg", "RS256"}, {"kid", "k1"}, {"typ", "JWT"}}, claims);
  }

  // The fake token endpoint: the authorization_code grant signs any code for alice (with the
  // nonce of the last login redirect); the refresh_token grant answers at-2/rt-2, plus a new ID
  // token naming `refreshEmail_` when that is set.
  FakeReply tokenEndpoint(const FakeRequest& request) {
    const std::lock_guard lock(mutex_);
    const FakeReply::Mode mode = holdTokens_ ? FakeReply::Mode::Hold : FakeReply::Mode::Answer;
    if (request.body.find("grant_type=refresh_token") != std::string::npos) {
      ++refreshes_;
      std::string body = R"({"access_token":"at-2","token_type":"Bearer",)"
                         R"("expires_in":3600,"refresh_token":"rt-2")";
      if (!refreshEmail_.empty()) {
        body += R"(,"id_token":")" + signIdToken(refreshEmail_, "") + "\"";
      }
      return FakeReply{.body = body + "}", .mode = mode};
    }
    idToken_ = signIdToken("alice@example.com", nonce_);
    return FakeReply{.body = R"({"access_token":"at-1","token_type":"Bearer","expires_in":)" +
                             std::to_string(accessTokenLifetime_) +
                             R"(,"refresh_token":"rt-1","id_token":")" + idToken_ + "\"}",
                     .mode = mode};
  }

  core::FakeClock clock_{core::jose::testing::kNow};
  FakeIdp idp_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ =
      boost::asio::make_work_guard(io_);
  std::thread ioThread_;
  std::shared_ptr<idp::Provider> provider_;
  std::vector<core::session::CookieSecret> secrets_;
  std::shared_ptr<const core::gate::BearerKeySource> bearerKeys_;  // set by configureGate
  std::shared_ptr<sessions::SessionStore> store_;  // set by configureGate (serverSessions)
  std::optional<DecisionRunner> runner_;
  std::optional<extauthz::ExtAuthzService> service_;
  std::shared_ptr<::grpc::Channel> channel_;
  std::unique_ptr<::envoy::service::auth::v3::Authorization::Stub> v3_;

  std::mutex mutex_;  // the fake IdP's thread reads these
  std::string nonce_;
  std::string idToken_;
  std::string refreshEmail_;
  int accessTokenLifetime_ = 3600;
  int refreshes_ = 0;
  bool holdTokens_ = false;
};

}  // namespace authgate::io::frontend::testing
