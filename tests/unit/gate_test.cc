// The decision engine end to end in memory: a login from the first protected request to the
// session cookie, and every endpoint, with tokens signed at test time and a pinned clock.
#include "core/gate/gate.h"

#include <gtest/gtest.h>

#include <boost/url/parse.hpp>
#include <map>

#include "core/crypto/fake_random.h"
#include "core/encoding/json.h"
#include "core/gate/responses.h"
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
  std::string requestId = "req-1";
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
    CheckRequest request{.method = http.method,
                         .scheme = "https",
                         .host = "app.example.com",
                         .path = http.path,
                         .query = http.query,
                         .headers = headers,
                         .peer = "127.0.0.1",
                         .now = http.now,
                         .requestId = http.requestId};
    return gate_->decide(request, provider, random_);
  }
  Decision send(const Http& http) { return send(http, &provider_); }

  Respond finish(const Http& http, const Exchange& exchange,
                 const Result<oidc::TokenResponse, oidc::TokenError>& tokens) {
    std::vector<HeaderView> headers;
    for (const auto& [name, value] : http.headers) {
      headers.push_back({name, value});
    }
    CheckRequest request{.method = http.method,
                         .scheme = "https",
                         .host = "app.example.com",
                         .path = http.path,
                         .query = http.query,
                         .headers = headers,
                         .peer = "127.0.0.1",
                         .now = http.now,
                         .requestId = http.requestId};
    return std::get<Respond>(gate_->completeLogin(request, exchange, tokens, provider_, random_));
  }

  std::string idToken(const std::string& nonce, UnixSeconds exp = kNow + 3600) {
    boost::json::object claims{{"iss", kIssuer},
                               {"sub", "alice-id"},
                               {"aud", "client-1"},
                               {"exp", exp},
                               {"iat", kNow},
                               {"nonce", nonce},
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
    oidc::TokenResponse tokens{.accessToken = "at",
                               .idToken = idToken(query.at("nonce")),
                               .refreshToken = "rt",
                               .accessTokenExpiresAt = kNow + 3600};
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
  for (const Http& http :
       {Http{.method = "POST", .path = "/api"},
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
  EXPECT_EQ(header(allow.upstreamHeaders(), "X-Forwarded-User"), "alice@example.com");
  EXPECT_EQ(header(allow.upstreamHeaders(), "X-Forwarded-Email"), "alice@example.com");
  EXPECT_EQ(header(allow.upstreamHeaders(), "X-Forwarded-Groups"), "admins,devs");
  EXPECT_EQ(header(allow.upstreamHeaders(), "X-Forwarded-Preferred-Username"), "alice");
  EXPECT_EQ(header(allow.upstreamHeaders(), "Authorization"), "");
  EXPECT_NE(
      std::find(allow.removeHeaders().begin(), allow.removeHeaders().end(), "X-Forwarded-User"),
      allow.removeHeaders().end());
}

TEST_F(GateTest, ReturnsWhereXAuthRequestRedirectSaysWhenThereIsNoRd) {
  // nginx: error_page 401 = /oauth2/start, with X-Auth-Request-Redirect: $request_uri.
  const auto returnTo = [&](const Http& start) {
    auto started = std::get<Respond>(send(start));
    EXPECT_EQ(started.status, 302);
    const auto query = queryOf(header(started, "Location"));
    Http callback{.path = "/oauth2/callback",
                  .query = "code=c&state=" + query.at("state"),
                  .headers = {{"Cookie", cookiePair(header(started, "Set-Cookie"))}}};
    auto exchange = std::get<Exchange>(send(callback));
    oidc::TokenResponse tokens{
        .accessToken = "at", .idToken = idToken(query.at("nonce")), .refreshToken = "rt"};
    return header(finish(callback, exchange, tokens), "Location");
  };
  EXPECT_EQ(returnTo({.path = "/oauth2/start",
                      .headers = {{"X-Auth-Request-Redirect", "/report?a=1&b=2"}}}),
            "/report?a=1&b=2");
  // rd wins; the header is validated like rd.
  EXPECT_EQ(returnTo({.path = "/oauth2/start",
                      .query = "rd=/mine",
                      .headers = {{"X-Auth-Request-Redirect", "/report"}}}),
            "/mine");
  EXPECT_EQ(returnTo({.path = "/oauth2/start",
                      .headers = {{"X-Auth-Request-Redirect", "https://evil.test/"}}}),
            "/");
}

TEST_F(GateTest, AnswersTheAuthEndpointForGateways) {
  auto unauthenticated = std::get<Respond>(send({.path = "/oauth2/auth"}));
  EXPECT_EQ(unauthenticated.status, 401);
  const std::string cookie = login();
  auto accepted =
      std::get<Respond>(send({.path = "/oauth2/auth", .headers = {{"Cookie", cookie}}}));
  EXPECT_EQ(accepted.status, 202);
  EXPECT_EQ(header(accepted, "X-Auth-Request-Email"), "alice@example.com");
  EXPECT_EQ(header(accepted, "X-Auth-Request-Groups"), "admins,devs");
}

TEST_F(GateTest, AnswersUserinfo) {
  EXPECT_EQ(std::get<Respond>(send({.path = "/oauth2/userinfo"})).status, 401);
  const std::string cookie = login();
  auto info =
      std::get<Respond>(send({.path = "/oauth2/userinfo", .headers = {{"Cookie", cookie}}}));
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

TEST_F(GateTest, ShowsTheIdpErrorCodeOnTheCallbackButNotItsDescription) {
  auto respond = std::get<Respond>(send({.path = "/oauth2/callback",
                                         .query = "error=access_denied&error_description=%3Cb%3E"
                                                  "call%20evil.example%3C%2Fb%3E",
                                         .requestId = "a<b"}));
  EXPECT_EQ(respond.status, 403);
  EXPECT_EQ(header(respond, "Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(respond.body.find("<title>Sign-in refused</title>"), std::string::npos);
  EXPECT_NE(respond.body.find("(access_denied)"), std::string::npos) << respond.body;
  EXPECT_EQ(respond.body.find("evil.example"), std::string::npos);  // free text: the log only
  EXPECT_NE(respond.reason.find("evil.example"), std::string::npos);
  EXPECT_NE(respond.body.find("<code id=\"request-id\">a&lt;b</code>"), std::string::npos)
      << respond.body;
  // An "error code" that is not one is not echoed at all.
  auto odd = std::get<Respond>(
      send({.path = "/oauth2/callback", .query = "error=%3Cscript%3Ealert(1)%3C%2Fscript%3E"}));
  EXPECT_EQ(odd.status, 403);
  EXPECT_EQ(odd.body.find("script"), std::string::npos) << odd.body;
  EXPECT_EQ(odd.body.find("alert"), std::string::npos) << odd.body;
}

TEST_F(GateTest, AnswersApiClientsWithJsonErrorsCarryingTheRequestId) {
  auto refused = std::get<Respond>(send({.path = "/oauth2/callback",
                                         .query = "error=access_denied&error_description=x",
                                         .headers = {{"Accept", "application/json"}}}));
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(header(refused, "Content-Type"), "application/json");
  auto parsed = json::parse(refused.body);
  ASSERT_TRUE(parsed) << refused.body;
  EXPECT_EQ(*parsed, (boost::json::value{
                         {"error", "sign_in_refused"},
                         {"message", "The identity provider refused the sign-in (access_denied)."},
                         {"request_id", "req-1"}}));
  auto bad_state = std::get<Respond>(send({.path = "/oauth2/callback",
                                           .query = "code=c&state=nope",
                                           .headers = {{"X-Requested-With", "XMLHttpRequest"}}}));
  EXPECT_EQ(bad_state.status, 403);
  auto state_json = json::parse(bad_state.body);
  ASSERT_TRUE(state_json) << bad_state.body;
  EXPECT_EQ(state_json->as_object().at("error").as_string(), "sign_in_failed");
  EXPECT_EQ(state_json->as_object().at("request_id").as_string(), "req-1");
  EXPECT_FALSE(bad_state.reason.empty());
  // Without a request id the field is left out.
  auto unnamed = std::get<Respond>(send({.method = "POST", .path = "/api", .requestId = ""}));
  EXPECT_EQ(unnamed.status, 401);
  EXPECT_EQ(unnamed.body, R"({"error":"Unauthorized","message":"Sign in first."})");
}

TEST_F(GateTest, RefusesACallbackWithoutItsLoginCookieOrWithAnotherState) {
  auto started = std::get<Respond>(send({.path = "/"}));
  const auto query = queryOf(header(started, "Location"));
  const std::string cookie = cookiePair(header(started, "Set-Cookie"));
  auto no_cookie = send({.path = "/oauth2/callback", .query = "code=c&state=" + query.at("state")});
  EXPECT_EQ(std::get<Respond>(no_cookie).status, 403);
  std::string other_state = query.at("state");
  other_state.back() = other_state.back() == 'A' ? 'B' : 'A';  // same cookie name, other state
  auto mismatch = send({.path = "/oauth2/callback",
                        .query = "code=c&state=" + other_state,
                        .headers = {{"Cookie", cookie}}});
  EXPECT_EQ(std::get<Respond>(mismatch).status, 403);
  auto too_late = send({.path = "/oauth2/callback",
                        .query = "code=c&state=" + query.at("state"),
                        .headers = {{"Cookie", cookie}},
                        .now = kNow + 901});
  EXPECT_EQ(std::get<Respond>(too_late).status, 403);
  auto ok = send({.path = "/oauth2/callback",
                  .query = "code=c&state=" + query.at("state"),
                  .headers = {{"Cookie", cookie}}});
  auto exchange = std::get<Exchange>(ok);
  EXPECT_EQ(exchange.code, "c");
  EXPECT_EQ(exchange.redirectUri, "https://app.example.com/oauth2/callback");
  EXPECT_EQ(oidc::pkceChallengeS256(exchange.codeVerifier), query.at("code_challenge"));
}

TEST_F(GateTest, RefusesAnIdTokenWithAnotherNonce) {
  auto started = std::get<Respond>(send({.path = "/"}));
  const auto query = queryOf(header(started, "Location"));
  Http callback{.path = "/oauth2/callback",
                .query = "code=c&state=" + query.at("state"),
                .headers = {{"Cookie", cookiePair(header(started, "Set-Cookie"))}}};
  auto exchange = std::get<Exchange>(send(callback));
  oidc::TokenResponse tokens{.accessToken = "at",
                             .idToken = idToken("another-nonce"),
                             .refreshToken = "",
                             .accessTokenExpiresAt = 0};
  Respond done = finish(callback, exchange, tokens);
  EXPECT_EQ(done.status, 403);
  EXPECT_NE(done.reason.find("NonceMismatch"), std::string::npos) << done.reason;
  EXPECT_EQ(header(done, "Set-Cookie"), "");
}

TEST_F(GateTest, ShowsTheForbiddenPageWithTheRequestId) {
  std::vector<HeaderView> headers;
  CheckRequest request{.method = "GET",
                       .scheme = "https",
                       .host = "app.example.com",
                       .path = "/admin",
                       .query = "",
                       .headers = headers,
                       .peer = "127.0.0.1",
                       .now = kNow,
                       .requestId = "r-42"};
  Respond page = forbiddenPage(request, "Only <admins> may open this page.");
  EXPECT_EQ(page.status, 403);
  EXPECT_NE(page.body.find("<h1>Access denied</h1>"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("Only &lt;admins&gt; may"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find(">r-42</code>"), std::string::npos) << page.body;
  EXPECT_NE(header(page, "Cache-Control").find("no-store"), std::string::npos);
  const std::vector<HeaderView> json_headers{{"accept", "application/json"}};
  request.headers = json_headers;
  Respond api = forbiddenPage(request, "No.");
  EXPECT_EQ(api.body, R"({"error":"forbidden","message":"No.","request_id":"r-42"})");
}

TEST_F(GateTest, AcceptsWellFormedRequestIdsAndMakesRandomOnes) {
  EXPECT_TRUE(isAcceptableRequestId("0f8fad5b-d9cb-469f-a165-70867728950e"));
  EXPECT_TRUE(isAcceptableRequestId("a.b_c-D9"));
  EXPECT_TRUE(isAcceptableRequestId(std::string(128, 'x')));
  EXPECT_FALSE(isAcceptableRequestId(std::string(129, 'x')));
  EXPECT_FALSE(isAcceptableRequestId(""));
  for (const char* bad : {"a b", "a<b", "a\r\nX: y", "a/b", "a%20", "\xc3\xa9"}) {
    EXPECT_FALSE(isAcceptableRequestId(bad)) << bad;
  }
  crypto::FakeRandom random{3};
  RequestIdSequence ids(random);
  const std::string first = ids.next();
  const std::string second = ids.next();
  EXPECT_EQ(first.size(), 22u);  // 16 bytes, base64url without padding
  EXPECT_NE(first, second);
  EXPECT_EQ(first.substr(0, 10), second.substr(0, 10));  // the same random prefix
  EXPECT_TRUE(isAcceptableRequestId(first)) << first;
  crypto::FakeRandom other{4};
  EXPECT_NE(RequestIdSequence(other).next().substr(0, 10), first.substr(0, 10));
  crypto::FakeRandom zeros{std::vector<std::uint8_t>(16, 0)};
  RequestIdSequence counted(zeros);
  EXPECT_EQ(counted.next(), "AAAAAAAAAAAAAAAAAAAAAA");
  EXPECT_EQ(counted.next(), "AAAAAAAAAAAAAAAAAAAAAQ");  // counter 1 in the last byte
}

TEST(PathBelow, IsThePrefixItselfOrBelowIt) {
  EXPECT_EQ(pathBelow("/oauth2/auth", "/oauth2"), std::optional<std::string_view>("/auth"));
  EXPECT_EQ(pathBelow("/oauth2", "/oauth2"), std::optional<std::string_view>(""));
  EXPECT_EQ(pathBelow("/oauth2x", "/oauth2"), std::nullopt);
  EXPECT_EQ(pathBelow("/app", "/oauth2"), std::nullopt);
}

TEST_F(GateTest, SendsNoBrowserToAnUnreachableIdp) {
  provider_.reachable = false;
  for (const Http& http : {Http{.path = "/reports", .query = "x=1"}, Http{.path = "/oauth2/start"},
                           Http{.path = "/oauth2/sign_in", .query = "rd=/x"}}) {
    auto respond = std::get<Respond>(send(http));
    EXPECT_EQ(respond.status, 503) << http.path;
    EXPECT_EQ(header(respond, "Location"), "") << http.path;
    EXPECT_EQ(header(respond, "Set-Cookie"), "") << http.path;  // no login state either
    EXPECT_EQ(header(respond, "Content-Type"), "text/html; charset=utf-8");
    EXPECT_NE(respond.body.find("<title>Sign-in unavailable</title>"), std::string::npos);
    EXPECT_NE(respond.body.find("<code id=\"request-id\">req-1</code>"), std::string::npos);
    EXPECT_NE(respond.reason.find("unreachable"), std::string::npos);
  }
  auto api = std::get<Respond>(
      send({.path = "/oauth2/start", .headers = {{"Accept", "application/json"}}}));
  EXPECT_EQ(api.status, 503);
  auto parsed = json::parse(api.body);
  ASSERT_TRUE(parsed) << api.body;
  EXPECT_EQ(parsed->as_object().at("error").as_string(), "idp_unreachable");
  EXPECT_EQ(parsed->as_object().at("request_id").as_string(), "req-1");
  // Not ready at all: the same page.
  auto not_ready = std::get<Respond>(send({.path = "/reports"}, nullptr));
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_NE(not_ready.body.find("Sign-in unavailable"), std::string::npos);
  // Back: logins start again.
  provider_.reachable = true;
  EXPECT_EQ(std::get<Respond>(send({.path = "/reports"})).status, 302);
}

TEST_F(GateTest, KeepsServingSessionsWhileTheIdpIsUnreachable) {
  const std::string cookie = login();
  provider_.reachable = false;
  auto allow = send({.path = "/reports", .headers = {{"Cookie", cookie}}});
  ASSERT_TRUE(std::holds_alternative<Allow>(allow));
  EXPECT_EQ(header(std::get<Allow>(allow).upstreamHeaders(), "X-Forwarded-Email"),
            "alice@example.com");
  auto gateway = std::get<Respond>(send({.path = "/oauth2/auth", .headers = {{"Cookie", cookie}}}));
  EXPECT_EQ(gateway.status, 202);
  EXPECT_EQ(header(gateway, "X-Auth-Request-Email"), "alice@example.com");
  // Not ready at all (authgate restarted during the outage): the same.
  EXPECT_TRUE(std::holds_alternative<Allow>(
      send({.path = "/reports", .headers = {{"Cookie", cookie}}}, nullptr)));
  // Expired tokens still ask for a refresh: completeRefresh decides once it failed or not.
  auto expired = send({.path = "/reports", .headers = {{"Cookie", cookie}}, .now = kNow + 3601});
  EXPECT_TRUE(std::holds_alternative<Refresh>(expired));
}

TEST_F(GateTest, SignsOutLocallyWhileTheIdpIsUnreachable) {
  const std::string cookie = login();
  provider_.reachable = false;
  auto respond = std::get<Respond>(
      send({.path = "/oauth2/sign_out", .query = "rd=/bye", .headers = {{"Cookie", cookie}}}));
  EXPECT_EQ(respond.status, 302);
  EXPECT_EQ(header(respond, "Location"), "/bye");
  EXPECT_NE(header(respond, "Set-Cookie").find("_authgate=; "), std::string::npos);
}

TEST_F(GateTest, ShowsTheUnreachablePageWhenTheCodeExchangeGetsNoAnswer) {
  auto started = std::get<Respond>(send({.path = "/"}));
  const auto query = queryOf(header(started, "Location"));
  Http callback{.path = "/oauth2/callback",
                .query = "code=c&state=" + query.at("state"),
                .headers = {{"Cookie", cookiePair(header(started, "Set-Cookie"))}}};
  auto exchange = std::get<Exchange>(send(callback));
  Respond done = finish(callback, exchange,
                        fail(oidc::TokenError{"transport_error", "Connect: refused by 10.0.0.1"}));
  EXPECT_EQ(done.status, 503);
  EXPECT_NE(done.body.find("Sign-in unavailable"), std::string::npos);
  EXPECT_EQ(done.body.find("10.0.0.1"), std::string::npos);  // detail: the log only
  EXPECT_NE(done.reason.find("10.0.0.1"), std::string::npos);
}

TEST_F(GateTest, ReportsATokenEndpointFailure) {
  auto started = std::get<Respond>(send({.path = "/"}));
  const auto query = queryOf(header(started, "Location"));
  Http callback{.path = "/oauth2/callback",
                .query = "code=c&state=" + query.at("state"),
                .headers = {{"Cookie", cookiePair(header(started, "Set-Cookie"))}}};
  auto exchange = std::get<Exchange>(send(callback));
  Respond done = finish(callback, exchange, fail(oidc::TokenError{"invalid_grant", "used"}));
  EXPECT_EQ(done.status, 502);
  EXPECT_NE(done.reason.find("invalid_grant"), std::string::npos);
  EXPECT_NE(done.body.find("<title>Sign-in failed</title>"), std::string::npos);
  EXPECT_NE(done.body.find(">req-1</code>"), std::string::npos);
  EXPECT_EQ(done.body.find("used"), std::string::npos);
}

TEST_F(GateTest, CapsTheLoginsInProgress) {
  std::string cookies;
  for (int i = 0; i < 5; ++i) {
    auto started =
        std::get<Respond>(send({.path = "/", .headers = {{"Cookie", cookies}}, .now = kNow + i}));
    cookies += (cookies.empty() ? "" : "; ") + cookiePair(header(started, "Set-Cookie"));
  }
  auto sixth =
      std::get<Respond>(send({.path = "/", .headers = {{"Cookie", cookies}}, .now = kNow + 10}));
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

// A cookie session lives in the browser alone: the provider cannot end it from the back channel,
// and says so instead of getting a 200 that ended nothing.
TEST_F(GateTest, BackchannelLogoutNeedsServerSideSessions) {
  auto respond =
      std::get<Respond>(send({.method = "POST",
                              .path = "/oauth2/backchannel_logout",
                              .headers = {{"Content-Type", "application/x-www-form-urlencoded"}}}));
  EXPECT_EQ(respond.status, 501);
  EXPECT_NE(respond.body.find("session_store: redis"), std::string::npos) << respond.body;
}

// Several providers: the gate answering where no provider applies lists them instead of
// starting a login of its own.
TEST_F(GateTest, TheChooserPageListsTheProvidersInsteadOfALogin) {
  settings_.chooser = {{.id = "corp", .name = "Corp SSO"},
                       {.id = "partner", .name = "Partner <x>"}};
  rebuild();
  auto page = std::get<Respond>(send({.path = "/reports", .query = "x=1&y=2"}));
  EXPECT_EQ(page.status, 403);
  EXPECT_EQ(header(page, "Set-Cookie"), "");  // no login started
  EXPECT_NE(
      page.body.find(
          R"(href="/oauth2/start?provider=corp&amp;rd=/reports?x=1%26y=2">Sign in with Corp SSO<)"),
      std::string::npos)
      << page.body;
  EXPECT_NE(page.body.find("Sign in with Partner &lt;x&gt;"), std::string::npos) << page.body;
  auto asked = std::get<Respond>(send({.path = "/oauth2/start", .query = "rd=%2Fhome"}));
  EXPECT_EQ(asked.status, 200);
  EXPECT_NE(asked.body.find("rd=/home"), std::string::npos) << asked.body;
  // API clients still get 401, not a page.
  auto api =
      std::get<Respond>(send({.path = "/reports", .headers = {{"Accept", "application/json"}}}));
  EXPECT_EQ(api.status, 401);
}

TEST_F(GateTest, SessionsRecordTheProviderThatSignedTheUserIn) {
  settings_.providerId = "corp";
  rebuild();
  const std::string cookie = login();
  auto codec = session::SessionCodec::create(secrets_);
  ASSERT_TRUE(codec);
  auto session = codec->open(cookie.substr(cookie.find('=') + 1), kNow);
  ASSERT_TRUE(session);
  EXPECT_EQ(session->providerId, "corp");
}

}  // namespace
}  // namespace authgate::core::gate
