#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <map>

#include "core/jose/jwt.h"
#include "idp_testing.h"
#include "io/idp/discovery.h"
#include "io/idp/provider.h"

namespace authgate::io::idp {
namespace {

namespace asio = boost::asio;

using core::oidc::Grant;
using testing::FakeIdp;
using testing::FakeReply;
using testing::FakeRequest;
using testing::runTask;
using testing::runUntil;

const std::string kData = std::string(AUTHGATE_TEST_DATA) + "/jose/";
constexpr core::UnixSeconds kNow = 1760000000;  // tests/data/jose/cases.json

// Decodes a form body independently of form_encoding.cc: '+' is a space, %XX a byte.
std::map<std::string, std::string> parseForm(const std::string& body) {
  auto decode = [](std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '+') {
        out += ' ';
      } else if (text[i] == '%' && i + 2 < text.size()) {
        out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
        i += 2;
      } else {
        out += text[i];
      }
    }
    return out;
  };
  std::map<std::string, std::string> fields;
  std::string_view rest = body;
  while (!rest.empty()) {
    const std::string_view pair = rest.substr(0, rest.find('&'));
    rest = pair.size() == rest.size() ? "" : rest.substr(pair.size() + 1);
    const std::size_t equals = pair.find('=');
    fields[decode(pair.substr(0, equals))] =
        equals == std::string_view::npos ? "" : decode(pair.substr(equals + 1));
  }
  return fields;
}

class IdpProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    idTokenValid_ = testing::readFile(kData + "tokens/rs256_valid.jwt");
    serveDiscovery(idp_.baseUrl());
    idp_.route("/jwks", [](const FakeRequest&) {
      return FakeReply{.body = testing::readFile(kData + "jwks.json"),
                       .cacheControl = "max-age=3600"};
    });
    idp_.route("/token", [this](const FakeRequest& request) { return tokenEndpoint(request); });
  }

  void serveDiscovery(const std::string& issuer) {
    const std::string base = idp_.baseUrl();
    const std::string document =
        boost::json::serialize(boost::json::object{{"issuer", issuer},
                                                   {"authorization_endpoint", base + "/authorize"},
                                                   {"token_endpoint", base + "/token"},
                                                   {"jwks_uri", base + "/jwks"},
                                                   {"userinfo_endpoint", base + "/userinfo"}});
    idp_.route("/.well-known/openid-configuration",
               [document](const FakeRequest&) { return FakeReply{.body = document}; });
  }

  // The fake token endpoint: checks client authentication and the grant's fields, then answers.
  FakeReply tokenEndpoint(const FakeRequest& request) {
    auto form = parseForm(request.body);
    const auto authorization = request.headers.find("authorization");
    bool authenticated = false;
    if (expectPostAuth_) {
      authenticated = authorization == request.headers.end() && form["client_id"] == "client:1" &&
                      form["client_secret"] == "s3cr et";
    } else {
      // base64("client%3A1:s3cr+et"): both parts form-encoded first (RFC 6749 §2.3.1).
      authenticated = authorization != request.headers.end() &&
                      authorization->second == "Basic Y2xpZW50JTNBMTpzM2NyK2V0" &&
                      form.count("client_secret") == 0;
    }
    if (!authenticated) {
      return FakeReply{.status = 401, .body = R"({"error":"invalid_client"})"};
    }
    if (form["grant_type"] == "authorization_code") {
      if (form["code"] != "code-1" || form["code_verifier"] != "verifier-1" ||
          form["redirect_uri"] != "https://app.test/oauth2/callback?x=1") {
        return FakeReply{.status = 400,
                         .body = R"({"error":"invalid_grant","error_description":"bad code"})"};
      }
      return FakeReply{.body = R"({"access_token":"at-1","token_type":"Bearer","expires_in":300,)"
                               R"("refresh_token":"rt-1","id_token":")" +
                               idTokenValid_ + "\"}"};
    }
    if (form["grant_type"] == "refresh_token" && form["refresh_token"] == "rt-1") {
      return FakeReply{.body = R"({"access_token":"at-2","token_type":"bearer"})"};
    }
    return FakeReply{.status = 400, .body = R"({"error":"unsupported_grant_type"})"};
  }

  std::shared_ptr<Provider> makeProvider(ProviderOptions options = {}) {
    if (options.issuer.empty()) {
      options.issuer = idp_.baseUrl();
    }
    options.client = {.clientId = "client:1",
                      .clientSecret = "s3cr et",
                      .method = expectPostAuth_ ? ClientAuthMethod::ClientSecretPost
                                                : ClientAuthMethod::ClientSecretBasic};
    options.retryInitial = std::chrono::milliseconds(10);
    options.retryMax = std::chrono::milliseconds(40);
    options.log = [this](std::string_view line) { log_.emplace_back(line); };
    auto provider = Provider::create(context_.get_executor(), std::move(options), clock_);
    EXPECT_TRUE(provider) << provider.error();
    return provider ? *provider : nullptr;
  }
  std::shared_ptr<Provider> startReady(ProviderOptions options = {}) {
    idp_.start();
    auto provider = makeProvider(std::move(options));
    provider->start();
    EXPECT_TRUE(runUntil(context_, [&] { return provider->ready(); }));
    return provider;
  }

  std::string idTokenValid_;
  std::atomic<bool> expectPostAuth_{false};  // read by the fake's thread
  core::FakeClock clock_{kNow};
  FakeIdp idp_;
  asio::io_context context_;
  std::vector<std::string> log_;  // written on this thread only (the provider runs here)
};

TEST(IdpDiscovery, BuildsTheWellKnownUrlAndChecksTheIssuer) {
  EXPECT_EQ(discoveryUrl("https://idp.test"), "https://idp.test/.well-known/openid-configuration");
  EXPECT_EQ(discoveryUrl("https://idp.test/realms/a/"),
            "https://idp.test/realms/a/.well-known/openid-configuration");
  EXPECT_TRUE(checkIssuer("https://idp.test/realms/a"));
  EXPECT_FALSE(checkIssuer("https://idp.test/?tenant=1"));
  EXPECT_FALSE(checkIssuer("https://idp.test/#x"));
  EXPECT_FALSE(checkIssuer("idp.test"));
  EXPECT_FALSE(checkIssuer("ftp://idp.test"));
}

TEST(IdpDiscovery, WarnsAboutPlainHttpOffLoopback) {
  EXPECT_TRUE(insecureIssuerWarning("http://idp.example"));
  EXPECT_TRUE(insecureIssuerWarning("http://10.0.0.8:8080/realm"));
  for (const char* fine : {"https://idp.example", "http://localhost:8080", "http://127.0.0.2",
                           "http://[::1]:9000", "http://idp.localhost"}) {
    EXPECT_FALSE(insecureIssuerWarning(fine)) << fine;
  }
}

TEST_F(IdpProviderTest, RecordsTheInsecureIssuerWarning) {
  auto provider = makeProvider({.issuer = "http://idp.example"});
  ASSERT_EQ(provider->warnings().size(), 1u);
  ASSERT_EQ(log_.size(), 1u);
  EXPECT_NE(log_[0].find("plain http"), std::string::npos);
  EXPECT_TRUE(makeProvider()->warnings().empty());  // http://127.0.0.1 is loopback
}

TEST_F(IdpProviderTest, DiscoversLoadsKeysAndBecomesReady) {
  auto provider = startReady();
  const auto counters = provider->counters();
  EXPECT_EQ(counters.discoveryAttempts, 1u);
  EXPECT_EQ(counters.discoverySuccesses, 1u);
  EXPECT_EQ(counters.jwksFetches, 1u);
  ASSERT_TRUE(provider->metadata());
  EXPECT_EQ(provider->metadata()->tokenEndpoint, idp_.baseUrl() + "/token");
  // The loaded keys verify a fixture token.
  const KeySet keys = provider->currentKeys();
  ASSERT_TRUE(keys);
  core::jose::VerifyOptions options;
  options.claims = {.issuer = "https://issuer.test",
                    .audiences = {"authgate-client"},
                    .clientId = "authgate-client",
                    .nonce = "nonce-123",
                    .now = kNow};
  auto verified = core::jose::verifyJwt(idTokenValid_, *keys, options);
  EXPECT_TRUE(verified) << verified.error().detail;
}

TEST_F(IdpProviderTest, RefusesAnIssuerMismatch) {
  serveDiscovery("https://evil.test");  // OIDC Discovery §4.3
  idp_.start();
  auto provider = makeProvider();
  provider->start();
  ASSERT_TRUE(runUntil(context_, [&] { return provider->counters().discoveryAttempts >= 3; }));
  EXPECT_FALSE(provider->ready());
  EXPECT_EQ(provider->metadata(), nullptr);
  EXPECT_EQ(provider->counters().discoverySuccesses, 0u);
  EXPECT_EQ(provider->counters().jwksFetches, 0u);
  ASSERT_FALSE(log_.empty());
  EXPECT_NE(log_[0].find("is not the configured issuer"), std::string::npos) << log_[0];
  provider->stop();
}

TEST_F(IdpProviderTest, RetriesDiscoveryUntilTheIdpComesUp) {
  auto provider = makeProvider();
  provider->start();  // the fake is bound but not listening: connections are refused
  ASSERT_TRUE(runUntil(context_, [&] { return provider->counters().discoveryAttempts >= 3; }));
  EXPECT_FALSE(provider->ready());
  auto notYet = runTask(context_, provider->exchangeCode("code-1", "verifier-1", "x"));
  ASSERT_TRUE(notYet && !*notYet);
  EXPECT_EQ(notYet->error().error, "provider_not_ready");
  idp_.start();
  ASSERT_TRUE(runUntil(context_, [&] { return provider->ready(); }));
  const auto counters = provider->counters();
  EXPECT_GE(counters.discoveryAttempts, 4u);
  EXPECT_EQ(counters.discoverySuccesses, 1u);
  EXPECT_EQ(counters.tokenCallsFor(Grant::AuthorizationCode, TokenOutcome::Unavailable), 1u);
}

TEST_F(IdpProviderTest, RetriesTheFirstJwksLoad) {
  int calls = 0;  // the fake runs routes on its one thread
  idp_.route("/jwks", [&calls](const FakeRequest&) {
    return ++calls <= 2 ? FakeReply{.status = 503, .body = "{}"}
                        : FakeReply{.body = testing::readFile(kData + "jwks.json")};
  });
  auto provider = startReady();
  const auto counters = provider->counters();
  EXPECT_EQ(counters.jwksFetches, 3u);
  EXPECT_EQ(counters.jwksFetchFailures, 2u);
  EXPECT_EQ(counters.discoveryAttempts, 1u);
}

TEST_F(IdpProviderTest, ExchangesACodeWithClientSecretBasic) {
  auto provider = startReady();
  auto tokens = runTask(context_, provider->exchangeCode("code-1", "verifier-1",
                                                         "https://app.test/oauth2/callback?x=1"));
  ASSERT_TRUE(tokens && *tokens) << (*tokens).error().detail;
  EXPECT_EQ((*tokens)->accessToken, "at-1");
  EXPECT_EQ((*tokens)->refreshToken, "rt-1");
  EXPECT_EQ((*tokens)->idToken, idTokenValid_);
  EXPECT_EQ((*tokens)->accessTokenExpiresAt, kNow + 300);
  EXPECT_EQ(parseForm(idp_.lastRequest("/token").body)["grant_type"], "authorization_code");
  EXPECT_EQ(provider->counters().tokenCallsFor(Grant::AuthorizationCode, TokenOutcome::Ok), 1u);
}

TEST_F(IdpProviderTest, ExchangesACodeWithClientSecretPost) {
  expectPostAuth_ = true;
  auto provider = startReady();
  auto tokens = runTask(context_, provider->exchangeCode("code-1", "verifier-1",
                                                         "https://app.test/oauth2/callback?x=1"));
  ASSERT_TRUE(tokens && *tokens) << (*tokens).error().detail;
  EXPECT_EQ((*tokens)->accessToken, "at-1");
  EXPECT_EQ(idp_.lastRequest("/token").headers.count("authorization"), 0u);
}

TEST_F(IdpProviderTest, MapsTokenEndpointErrors) {
  auto provider = startReady();
  auto badCode = runTask(context_, provider->exchangeCode("code-2", "verifier-1", "x"));
  ASSERT_TRUE(badCode && !*badCode);
  EXPECT_EQ(badCode->error().error, "invalid_grant");
  EXPECT_EQ(badCode->error().detail, "bad code");

  expectPostAuth_ = true;  // the fake now expects post auth: our basic auth is refused
  auto badClient = runTask(context_, provider->refresh("rt-1"));
  ASSERT_TRUE(badClient && !*badClient);
  EXPECT_EQ(badClient->error().error, "invalid_client");

  idp_.route("/token", [](const FakeRequest&) { return FakeReply{.body = "{}"}; });
  auto malformed = runTask(context_, provider->refresh("rt-1"));
  ASSERT_TRUE(malformed && !*malformed);
  EXPECT_EQ(malformed->error().error, "malformed_response");

  const auto counters = provider->counters();
  EXPECT_EQ(counters.tokenCallsFor(Grant::AuthorizationCode, TokenOutcome::Rejected), 1u);
  EXPECT_EQ(counters.tokenCallsFor(Grant::RefreshToken, TokenOutcome::Rejected), 1u);
  EXPECT_EQ(counters.tokenCallsFor(Grant::RefreshToken, TokenOutcome::Malformed), 1u);
}

TEST_F(IdpProviderTest, RefreshesATokenWithoutIdToken) {
  auto provider = startReady();
  auto tokens = runTask(context_, provider->refresh("rt-1"));
  ASSERT_TRUE(tokens && *tokens) << (*tokens).error().detail;
  EXPECT_EQ((*tokens)->accessToken, "at-2");
  EXPECT_TRUE((*tokens)->idToken.empty());
  EXPECT_EQ(provider->counters().tokenCallsFor(Grant::RefreshToken, TokenOutcome::Ok), 1u);
}

TEST_F(IdpProviderTest, TokenEndpointTimeoutIsUnavailable) {
  idp_.route("/token", [](const FakeRequest&) { return FakeReply{.mode = FakeReply::Mode::Hang}; });
  idp_.start();
  auto provider = makeProvider({.http = {.readTimeout = std::chrono::milliseconds(200)}});
  provider->start();
  ASSERT_TRUE(runUntil(context_, [&] { return provider->ready(); }));
  auto tokens = runTask(context_, provider->refresh("rt-1"));
  ASSERT_TRUE(tokens && !*tokens);
  EXPECT_EQ(tokens->error().error, "transport_error");
  EXPECT_NE(tokens->error().detail.find("Timeout"), std::string::npos) << tokens->error().detail;
  EXPECT_EQ(provider->counters().tokenCallsFor(Grant::RefreshToken, TokenOutcome::Unavailable), 1u);
}

TEST_F(IdpProviderTest, FetchesUserinfoWithTheBearerToken) {
  idp_.route("/userinfo", [](const FakeRequest& request) {
    const auto authorization = request.headers.find("authorization");
    return authorization != request.headers.end() && authorization->second == "Bearer at-1"
               ? FakeReply{.body = R"({"sub":"alice","email":"alice@example.test"})"}
               : FakeReply{.status = 401, .body = "{}"};
  });
  auto provider = startReady();
  auto claims = runTask(context_, provider->userinfo("at-1"));
  ASSERT_TRUE(claims && *claims) << (*claims).error().detail;
  EXPECT_EQ((*claims)->at("sub").as_string(), "alice");
  auto refused = runTask(context_, provider->userinfo("at-2"));
  ASSERT_TRUE(refused && !*refused);
  EXPECT_NE(refused->error().detail.find("401"), std::string::npos);
  auto injected = runTask(context_, provider->userinfo("at-1\r\nX: y"));
  ASSERT_TRUE(injected && !*injected);
  EXPECT_EQ(provider->counters().userinfoCalls, 3u);
  EXPECT_EQ(provider->counters().userinfoFailures, 2u);
  EXPECT_EQ(idp_.hits("/userinfo"), 2u);
}

// Health probes every few milliseconds here, so the tests see changes quickly.
ProviderOptions fastProbes() {
  ProviderOptions options;
  options.healthInterval = std::chrono::milliseconds(30);
  options.healthRecheck = std::chrono::milliseconds(10);
  return options;
}
// Probes so rare that none runs during a test: every change must come from a call.
ProviderOptions noProbes() {
  ProviderOptions options;
  options.healthInterval = std::chrono::hours(1);
  options.healthRecheck = std::chrono::hours(1);
  return options;
}

bool logged(const std::vector<std::string>& log, std::string_view text) {
  return std::any_of(log.begin(), log.end(),
                     [&](const std::string& line) { return line.find(text) != std::string::npos; });
}

TEST_F(IdpProviderTest, IsUnreachableUntilDiscoverySucceeds) {
  auto provider = makeProvider(fastProbes());
  EXPECT_FALSE(provider->reachable());
  provider->start();  // the fake is not listening yet
  ASSERT_TRUE(runUntil(context_, [&] { return provider->counters().discoveryAttempts >= 2; }));
  EXPECT_FALSE(provider->reachable());
  idp_.start();
  ASSERT_TRUE(runUntil(context_, [&] { return provider->ready(); }));
  EXPECT_TRUE(provider->reachable());
  EXPECT_EQ(provider->health().becameReachable, 0u);  // the first success is no recovery
  provider->stop();
}

TEST_F(IdpProviderTest, NoticesTheIdpGoingDownAndComingBackWithoutAnyRequest) {
  auto provider = startReady(fastProbes());
  ASSERT_TRUE(provider->reachable());
  ASSERT_TRUE(runUntil(context_, [&] { return provider->health().probes >= 2; }));
  EXPECT_TRUE(provider->reachable());
  EXPECT_EQ(provider->health().probeFailures, 0u);
  const std::size_t discoveries = idp_.hits("/.well-known/openid-configuration");
  EXPECT_GE(discoveries, 3u);  // discovery, then the probes

  idp_.goDown();
  ASSERT_TRUE(runUntil(context_, [&] { return !provider->reachable(); }));
  EXPECT_TRUE(provider->ready());  // ready() never turns false again
  EXPECT_EQ(provider->health().becameUnreachable, 1u);
  EXPECT_GE(provider->health().probeFailures, 1u);
  EXPECT_TRUE(logged(log_, "unreachable: discovery document: Connect"));

  idp_.comeBack();
  ASSERT_TRUE(runUntil(context_, [&] { return provider->reachable(); }));
  const ProviderHealth health = provider->health();
  EXPECT_EQ(health.becameUnreachable, 1u);
  EXPECT_EQ(health.becameReachable, 1u);
  EXPECT_TRUE(logged(log_, "reachable again"));
  EXPECT_GT(idp_.hits("/.well-known/openid-configuration"), discoveries);
  provider->stop();
}

TEST_F(IdpProviderTest, AProbeAnsweredWithAnErrorStatusMeansUnreachable) {
  auto provider = startReady(fastProbes());
  serveDiscovery(idp_.baseUrl());
  idp_.route("/.well-known/openid-configuration",
             [](const FakeRequest&) { return FakeReply{.status = 503, .body = "{}"}; });
  ASSERT_TRUE(runUntil(context_, [&] { return !provider->reachable(); }));
  EXPECT_TRUE(logged(log_, "HTTP status 503"));
  serveDiscovery(idp_.baseUrl());
  ASSERT_TRUE(runUntil(context_, [&] { return provider->reachable(); }));
  provider->stop();
}

TEST_F(IdpProviderTest, ATokenCallThatCannotConnectMarksTheIdpUnreachableAtOnce) {
  auto provider = startReady(noProbes());
  idp_.goDown();
  auto tokens = runTask(context_, provider->refresh("rt-1"));
  ASSERT_TRUE(tokens && !*tokens);
  EXPECT_EQ(tokens->error().error, "transport_error");
  EXPECT_FALSE(provider->reachable());
  EXPECT_EQ(provider->health().probes, 0u);  // the call itself told

  idp_.comeBack();
  // An OAuth error answer means the IdP is up and decided: reachable.
  auto refused = runTask(context_, provider->exchangeCode("code-2", "verifier-1", "x"));
  ASSERT_TRUE(refused && !*refused);
  EXPECT_EQ(refused->error().error, "invalid_grant");
  EXPECT_TRUE(provider->reachable());
  EXPECT_EQ(provider->health().becameReachable, 1u);
  EXPECT_EQ(provider->health().probes, 0u);
  provider->stop();
}

TEST_F(IdpProviderTest, ATokenAnswerWithoutOAuthErrorLetsTheProbeDecide) {
  auto provider = startReady(noProbes());
  // A proxy in front of the IdP answering 502: not an OAuth answer, so the probe checks now.
  idp_.route("/token", [](const FakeRequest&) { return FakeReply{.status = 502, .body = "x"}; });
  idp_.route("/.well-known/openid-configuration",
             [](const FakeRequest&) { return FakeReply{.status = 502, .body = "x"}; });
  auto tokens = runTask(context_, provider->refresh("rt-1"));
  ASSERT_TRUE(tokens && !*tokens);
  EXPECT_EQ(tokens->error().error, "http_502");
  ASSERT_TRUE(runUntil(context_, [&] { return provider->health().probes >= 1; }));
  EXPECT_FALSE(provider->reachable());
  provider->stop();
}

TEST_F(IdpProviderTest, AFailedJwksFetchLetsTheProbeDecide) {
  auto provider = startReady(noProbes());
  idp_.goDown();
  clock_.advance(31);  // past the unknown-kid rate limit (jwks_cache.h rule 4)
  auto keys = runTask(context_, provider->keysWithKid("rotated"));
  ASSERT_TRUE(keys);
  EXPECT_TRUE(*keys);  // the old set stays
  EXPECT_EQ(provider->counters().jwksFetchFailures, 1u);
  ASSERT_TRUE(runUntil(context_, [&] { return !provider->reachable(); }));
  EXPECT_EQ(provider->health().probes, 1u);

  idp_.comeBack();
  clock_.advance(31);
  ASSERT_TRUE(runTask(context_, provider->keysWithKid("rotated-again")));
  EXPECT_EQ(provider->counters().jwksFetchSuccesses, 2u);
  EXPECT_TRUE(provider->reachable());  // the JWKS answered: no probe needed
  EXPECT_EQ(provider->health().probes, 1u);
  provider->stop();
}

TEST_F(IdpProviderTest, RefusesZeroHealthIntervals) {
  ProviderOptions options;
  options.issuer = idp_.baseUrl();
  options.client.clientId = "c";
  options.healthInterval = std::chrono::milliseconds(0);
  EXPECT_FALSE(Provider::create(context_.get_executor(), options, clock_));
  options.healthInterval = std::chrono::milliseconds(10);
  options.healthRecheck = std::chrono::milliseconds(0);
  EXPECT_FALSE(Provider::create(context_.get_executor(), options, clock_));
}

}  // namespace
}  // namespace authgate::io::idp
