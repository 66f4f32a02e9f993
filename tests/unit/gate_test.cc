// The decision engine end to end in memory: a login from the first protected request to the
// session cookie, and every endpoint, with tokens signed at test time and a pinned clock.
#include "core/gate/gate.h"

#include <gtest/gtest.h>

#include <boost/url/parse.hpp>
#include <map>

#include "core/crypto/fake_random.h"
#include "jose_testing.h"

namespace authgate::core::gate {
namespace {

namespace jt = jose::testing;

constexpr UnixSeconds kNow = jt::kNow;
constexpr std::string_view kIssuer = "https://idp.test";

struct Http {
  std::string method = "GET";
  std::string path = "/";
  std::string query;
  std::vector<std::pair<std::string, std::string>> headers;
  UnixSeconds now = kNow;
};

class GateTest : public ::testing::Test {
 protected:
  GateTest() {
    settings_.client = {"client-1", "", {"openid", "email", "profile"}};
    settings_.cookieName = "_authgate";
    settings_.allowedAlgorithms = {jose::Algorithm::RS256};
    auto secret = session::decodeCookieSecret("q-LUN0AXjfvdlqTV4BSDCpxMNTTMWcoPYV_Ohhj2HVg=");
    secrets_.push_back(*secret);
    provider_.issuer = kIssuer;
    provider_.authorizationEndpoint = "https://idp.test/authorize";
    provider_.endSessionEndpoint = "https://idp.test/logout";
    provider_.keys = std::make_shared<jose::Jwks>(
        jt::jwksOf({jt::publicJwk(jt::rsa2048().get(), "k1", "RS256")}));
    rebuild();
  }

  void rebuild() {
    auto gate = Gate::create(settings_, secrets_, {".example.com"});
    ASSERT_TRUE(gate) << gate.error();
    gate_.emplace(std::move(*gate));
  }

  // Runs a request through decide() with the views a front end would build.
  Decision send(const Http& http, const ProviderSnapshot* provider) {
    std::vector<HeaderView> headers;
    for (const auto& [name, value] : http.headers) {
      headers.push_back({name, value});
    }
    last_ = http;
    CheckRequest request{.method = http.method, .scheme = "https", .host = "app.example.com",
                         .path = http.path, .query = http.query, .headers = headers,
                         .peer = "127.0.0.1", .now = http.now};
    return gate_->decide(request, provider, random_);
  }
  Decision send(const Http& http) { return send(http, &provider_); }

  Respond finish(const Http& http, const Exchange& exchange,
                 const Result<oidc::TokenResponse, oidc::TokenError>& tokens) {
    std::vector<HeaderView> headers;
    for (const auto& [name, value] : http.headers) {
      headers.push_back({name, value});
    }
    CheckRequest request{.method = http.method, .scheme = "https", .host = "app.example.com",
                         .path = http.path, .query = http.query, .headers = headers,
                         .peer = "127.0.0.1", .now = http.now};
    return gate_->completeLogin(request, exchange, tokens, provider_, random_);
  }

  std::string idToken(const std::string& nonce, UnixSeconds exp = kNow + 3600) {
    boost::json::object claims{{"iss", kIssuer},      {"sub", "alice-id"},
                               {"aud", "client-1"},   {"exp", exp},
                               {"iat", kNow},         {"nonce", nonce},
                               {"email", "alice@example.com"},
                               {"preferred_username", "alice"},
                               {"groups", boost::json::array{"admins", "devs"}}};
    return jt::makeToken(jose::Algorithm::RS256, jt::rsa2048().get(),
                         {{"alg", "RS256"}, {"kid", "k1"}, {"typ", "JWT"}}, claims);
  }

  // Logs in through start -> callback -> completeLogin; returns the Cookie header to send.
  std::string login(const std::string& target = "/reports?x=1") {
    auto started = std::get<Respond>(send({.path = target}));
    EXPECT_EQ(started.status, 302);
    const auto query = queryOf(header(started, "Location"));
    const std::string login_cookie = cookiePair(header(started, "Set-Cookie"));
    Http callback{.path = "/oauth2/callback",
                  .query = "code=the-code&state=" + query.at("state"),
                  .headers = {{"Cookie", login_cookie}}};
    auto exchange = std::get<Exchange>(send(callback));
    oidc::TokenResponse tokens{.accessToken = "at", .idToken = idToken(query.at("nonce")),
                               .refreshToken = "rt", .accessTokenExpiresAt = kNow + 3600};
    Respond done = finish(callback, exchange, tokens);
    EXPECT_EQ(done.status, 302) << done.reason;
    EXPECT_EQ(header(done, "Location"), target);
    std::string cookies;
    for (const auto& line : done.headers) {
      if (line.name == "Set-Cookie" && line.value.starts_with("_authgate=")) {
        cookies = cookiePair(line.value);
      }
    }
    EXPECT_FALSE(cookies.empty());
    return cookies;
  }

  static std::string header(const Respond& respond, std::string_view name) {
    for (const auto& line : respond.headers) {
      if (line.name == name) {
        return line.value;
      }
    }
    return {};
  }
  static std::string header(const std::vector<HeaderLine>& lines, std::string_view name) {
    return header(Respond{.status = 0, .headers = lines, .body = {}, .reason = {}}, name);
  }
  static std::string cookiePair(const std::string& set_cookie) {
    return set_cookie.substr(0, set_cookie.find(';'));
  }
  static std::map<std::string, std::string> queryOf(const std::string& url) {
    std::map<std::string, std::string> out;
    auto parsed = boost::urls::parse_uri(url);
    EXPECT_TRUE(parsed) << url;
    for (const auto& param : parsed->params()) {
      out[param.key] = param.value;
    }
    return out;
  }

  GateSettings settings_;
  std::vector<session::CookieSecret> secrets_;
  ProviderSnapshot provider_;
  std::optional<Gate> gate_;
  crypto::FakeRandom random_{7};
  Http last_;
};

TEST_F(GateTest, AnswersPingAndReadiness) {
  EXPECT_EQ(std::get<Respond>(send({.path = "/ping"})).status, 200);
  EXPECT_EQ(std::get<Respond>(send({.path = "/ready"})).status, 200);
  EXPECT_EQ(std::get<Respond>(send({.path = "/ready"}, nullptr)).status, 503);
}

TEST_F(GateTest, SendsABrowserWithoutSessionToTheIdp) {
  auto respond = std::get<Respond>(send({.path = "/reports", .query = "x=1"}));
  ASSERT_EQ(respond.status, 302);
  const std::string location = header(respond, "Location");
  ASSERT_TRUE(location.starts_with("https://idp.test/authorize?")) << location;
  auto query = queryOf(location);
  EXPECT_EQ(query["client_id"], "client-1");
  EXPECT_EQ(query["redirect_uri"], "https://app.example.com/oauth2/callback");
  EXPECT_EQ(query["code_challenge_method"], "S256");
  EXPECT_EQ(query["scope"], "openid email profile");
  const std::string cookie = header(respond, "Set-Cookie");
  EXPECT_TRUE(cookie.starts_with("_authgate_csrf_" + query["state"].substr(0, 12) + "="));
  EXPECT_NE(cookie.find("Max-Age=900; HttpOnly; Secure; SameSite=Lax"), std::string::npos);
}

TEST_F(GateTest, GivesApiClientsA401InsteadOfARedirect) {
  for (const Http& http : {Http{.method = "POST", .path = "/api"},
                           Http{.path = "/api", .headers = {{"Accept", "application/json"}}},
                           Http{.path = "/api", .headers = {{"X-Requested-With", "XMLHttpRequest"}}}}) {
    auto respond = std::get<Respond>(send(http));
    EXPECT_EQ(respond.status, 401) << http.method << " " << http.path;
    EXPECT_EQ(header(respond, "Content-Type"), "application/json");
    EXPECT_EQ(header(respond, "WWW-Authenticate"), "Bearer realm=\"authgate\"");
  }
}

TEST_F(GateTest, CannotStartALoginBeforeTheProviderIsReady) {
  EXPECT_EQ(std::get<Respond>(send({.path = "/oauth2/start"}, nullptr)).status, 503);
}

TEST_F(GateTest, CompletesALoginAndAllowsTheSession) {
  const std::string cookie = login();
  auto allow = std::get<Allow>(send({.path = "/reports", .headers = {{"Cookie", cookie}}}));
  EXPECT_EQ(header(allow.upstreamHeaders, "X-Forwarded-User"), "alice@example.com");
  EXPECT_EQ(header(allow.upstreamHeaders, "X-Forwarded-Email"), "alice@example.com");
  EXPECT_EQ(header(allow.upstreamHeaders, "X-Forwarded-Groups"), "admins,devs");
  EXPECT_EQ(header(allow.upstreamHeaders, "X-Forwarded-Preferred-Username"), "alice");
  EXPECT_EQ(header(allow.upstreamHeaders, "Authorization"), "");
  EXPECT_NE(std::find(allow.removeHeaders.begin(), allow.removeHeaders.end(), "X-Forwarded-User"),
            allow.removeHeaders.end());
}

TEST_F(GateTest, AnswersTheAuthEndpointForGateways) {
  auto unauthenticated = std::get<Respond>(send({.path = "/oauth2/auth"}));
  EXPECT_EQ(unauthenticated.status, 401);
  const std::string cookie = login();
  auto accepted = std::get<Respond>(send({.path = "/oauth2/auth", .headers = {{"Cookie", cookie}}}));
  EXPECT_EQ(accepted.status, 202);
  EXPECT_EQ(header(accepted, "X-Auth-Request-Email"), "alice@example.com");
  EXPECT_EQ(header(accepted, "X-Auth-Request-Groups"), "admins,devs");
}

TEST_F(GateTest, AnswersUserinfo) {
  EXPECT_EQ(std::get<Respond>(send({.path = "/oauth2/userinfo"})).status, 401);
  const std::string cookie = login();
  auto info = std::get<Respond>(send({.path = "/oauth2/userinfo", .headers = {{"Cookie", cookie}}}));
  EXPECT_EQ(info.status, 200);
  EXPECT_EQ(info.body,
            R"({"user":"alice@example.com","email":"alice@example.com","groups":["admins","devs"],)"
            R"("preferredUsername":"alice"})");
}

TEST_F(GateTest, RefusesAnExpiredOrTamperedSession) {
  const std::string cookie = login();
  // Tokens expire after an hour; the cookie would live a week, but expiry is always checked:
  // the session is not allowed as it is, it needs its refresh token (gate_refresh_test.cc).
  auto later = send({.path = "/reports", .headers = {{"Cookie", cookie}}, .now = kNow + 3601});
  ASSERT_TRUE(std::holds_alternative<Refresh>(later));
  EXPECT_EQ(std::get<Refresh>(later).refreshToken, "rt");
  std::string tampered = cookie;
  tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
  auto forged = send({.path = "/reports", .headers = {{"Cookie", tampered}}});
  EXPECT_EQ(std::get<Respond>(forged).status, 302);
}

TEST_F(GateTest, ShowsTheIdpErrorOnTheCallback) {
  auto respond = std::get<Respond>(send(
      {.path = "/oauth2/callback", .query = "error=access_denied&error_description=%3Cb%3Eno%3C%2Fb%3E"}));
  EXPECT_EQ(respond.status, 403);
  EXPECT_NE(respond.body.find("access_denied"), std::string::npos);
  EXPECT_EQ(respond.body.find("<b>"), std::string::npos);  // escaped
}

TEST_F(GateTest, RefusesACallbackWithoutItsLoginCookieOrWithAnotherState) {
  auto started = std::get<Respond>(send({.path = "/"}));
  const auto query = queryOf(header(started, "Location"));
  const std::string cookie = cookiePair(header(started, "Set-Cookie"));
  auto no_cookie = send({.path = "/oauth2/callback", .query = "code=c&state=" + query.at("state")});
  EXPECT_EQ(std::get<Respond>(no_cookie).status, 403);
  std::string other_state = query.at("state");
  other_state.back() = other_state.back() == 'A' ? 'B' : 'A';  // same cookie name, other state
  auto mismatch = send({.path = "/oauth2/callback", .query = "code=c&state=" + other_state,
                        .headers = {{"Cookie", cookie}}});
  EXPECT_EQ(std::get<Respond>(mismatch).status, 403);
  auto too_late = send({.path = "/oauth2/callback", .query = "code=c&state=" + query.at("state"),
                        .headers = {{"Cookie", cookie}}, .now = kNow + 901});
  EXPECT_EQ(std::get<Respond>(too_late).status, 403);
  auto ok = send({.path = "/oauth2/callback", .query = "code=c&state=" + query.at("state"),
                  .headers = {{"Cookie", cookie}}});
  auto exchange = std::get<Exchange>(ok);
  EXPECT_EQ(exchange.code, "c");
  EXPECT_EQ(exchange.redirectUri, "https://app.example.com/oauth2/callback");
  EXPECT_EQ(oidc::pkceChallengeS256(exchange.codeVerifier), query.at("code_challenge"));
}

TEST_F(GateTest, RefusesAnIdTokenWithAnotherNonce) {
  auto started = std::get<Respond>(send({.path = "/"}));
  const auto query = queryOf(header(started, "Location"));
  Http callback{.path = "/oauth2/callback", .query = "code=c&state=" + query.at("state"),
                .headers = {{"Cookie", cookiePair(header(started, "Set-Cookie"))}}};
  auto exchange = std::get<Exchange>(send(callback));
  oidc::TokenResponse tokens{.accessToken = "at", .idToken = idToken("another-nonce"),
                             .refreshToken = "", .accessTokenExpiresAt = 0};
  Respond done = finish(callback, exchange, tokens);
  EXPECT_EQ(done.status, 403);
  EXPECT_NE(done.reason.find("NonceMismatch"), std::string::npos) << done.reason;
  EXPECT_EQ(header(done, "Set-Cookie"), "");
}

TEST_F(GateTest, ReportsATokenEndpointFailure) {
  auto started = std::get<Respond>(send({.path = "/"}));
  const auto query = queryOf(header(started, "Location"));
  Http callback{.path = "/oauth2/callback", .query = "code=c&state=" + query.at("state"),
                .headers = {{"Cookie", cookiePair(header(started, "Set-Cookie"))}}};
  auto exchange = std::get<Exchange>(send(callback));
  Respond done = finish(callback, exchange, fail(oidc::TokenError{"invalid_grant", "used"}));
  EXPECT_EQ(done.status, 502);
  EXPECT_NE(done.reason.find("invalid_grant"), std::string::npos);
}

TEST_F(GateTest, CapsTheLoginsInProgress) {
  std::string cookies;
  for (int i = 0; i < 5; ++i) {
    auto started = std::get<Respond>(send({.path = "/", .headers = {{"Cookie", cookies}},
                                           .now = kNow + i}));
    cookies += (cookies.empty() ? "" : "; ") + cookiePair(header(started, "Set-Cookie"));
  }
  auto sixth = std::get<Respond>(send({.path = "/", .headers = {{"Cookie", cookies}},
                                       .now = kNow + 10}));
  int cleared = 0;
  for (const auto& line : sixth.headers) {
    if (line.name == "Set-Cookie" && line.value.find("Max-Age=0") != std::string::npos) {
      ++cleared;
    }
  }
  EXPECT_EQ(cleared, 1);  // 5 pending + 1 new: the oldest goes
}

TEST_F(GateTest, SignsOutAtTheIdp) {
  const std::string cookie = login();
  auto respond = std::get<Respond>(
      send({.path = "/oauth2/sign_out", .query = "rd=/bye", .headers = {{"Cookie", cookie}}}));
  EXPECT_EQ(respond.status, 302);
  auto query = queryOf(header(respond, "Location"));
  EXPECT_FALSE(query["id_token_hint"].empty());
  EXPECT_EQ(query["post_logout_redirect_uri"], "https://app.example.com/bye");
  EXPECT_NE(header(respond, "Set-Cookie").find("_authgate=; "), std::string::npos);
  EXPECT_NE(header(respond, "Set-Cookie").find("Max-Age=0"), std::string::npos);
}

TEST_F(GateTest, SignOutRefusesAForeignRedirect) {
  provider_.endSessionEndpoint.clear();
  auto respond = std::get<Respond>(send({.path = "/oauth2/sign_out", .query = "rd=//evil.com"}));
  EXPECT_EQ(header(respond, "Location"), "/");
}

}  // namespace
}  // namespace authgate::core::gate
