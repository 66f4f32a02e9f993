// Token refresh in the decision engine: when decide() asks for a refresh, and what
// completeRefresh() makes of the IdP's answer (new cookie, rotated refresh token, a refused grant
// ending the session, an unreachable IdP ending nothing). Sessions are sealed directly with the
// gate's secret, so each test states the exact session it starts from.
#include <gtest/gtest.h>

#include <boost/url/parse.hpp>

#include "core/crypto/fake_random.h"
#include "core/gate/gate.h"
#include "jose_testing.h"

namespace authgate::core::gate {
namespace {

namespace jt = jose::testing;

constexpr UnixSeconds kNow = jt::kNow;
constexpr std::string_view kIssuer = "https://idp.test";
constexpr std::string_view kSecret = "q-LUN0AXjfvdlqTV4BSDCpxMNTTMWcoPYV_Ohhj2HVg=";

struct Http {
  std::string method = "GET";
  std::string path = "/reports";
  std::vector<std::pair<std::string, std::string>> headers;
  UnixSeconds now = kNow;
};

class GateRefreshTest : public ::testing::Test {
 protected:
  GateRefreshTest() {
    settings_.client = {"client-1", "", {"openid", "email"}};
    settings_.allowedAlgorithms = {jose::Algorithm::RS256};
    secrets_.push_back(*session::decodeCookieSecret(kSecret));
    codec_.emplace(*session::SessionCodec::create(secrets_));
    provider_.issuer = kIssuer;
    provider_.authorizationEndpoint = "https://idp.test/authorize";
    provider_.keys = std::make_shared<jose::Jwks>(
        jt::jwksOf({jt::publicJwk(jt::rsa2048().get(), "k1", "RS256")}));
    rebuild();
  }

  void rebuild() {
    auto gate = Gate::create(settings_, secrets_, {});
    ASSERT_TRUE(gate) << gate.error();
    gate_.emplace(std::move(*gate));
  }

  // A session signed in an hour ago whose access token expired a second ago.
  static session::Session expiredSession() {
    return session::Session{.subject = "alice-id",
                            .email = "alice@example.com",
                            .user = "alice@example.com",
                            .preferredUsername = "alice",
                            .groups = {"devs"},
                            .idToken = "old-id-token",
                            .accessToken = "at-1",
                            .refreshToken = "rt-1",
                            .idTokenExpiresAt = kNow - 1,
                            .accessTokenExpiresAt = kNow - 1,
                            .refreshTokenExpiresAt = 0,
                            .createdAt = kNow - 3600,
                            .providerId = "",
                            .expiresAt = kNow + 3600 * 24};
  }

  std::string cookieFor(const session::Session& session) {
    auto sealed = codec_->seal(session, random_);
    EXPECT_TRUE(sealed);
    return "_authgate=" + *sealed;
  }

  CheckRequest checkOf(const Http& http) {
    views_.clear();
    for (const auto& [name, value] : http.headers) {
      views_.push_back({name, value});
    }
    held_ = http;
    return CheckRequest{.method = http.method,
                        .scheme = "https",
                        .host = "app.example.com",
                        .path = http.path,
                        .query = "",
                        .headers = views_,
                        .peer = "127.0.0.1",
                        .now = http.now};
  }
  Decision send(const Http& http) { return gate_->decide(checkOf(http), &provider_, random_); }
  // completeRefresh() for `http` sent with the cookie of the last refreshOf().
  Decision complete(Http http, const Refresh& refresh,
                    const Result<oidc::TokenResponse, oidc::TokenError>& tokens) {
    http.headers.emplace_back("Cookie", cookie_);
    return gate_->completeRefresh(checkOf(http), refresh, tokens, &provider_, random_);
  }

  // decide() for `session` must ask for a refresh; returns it.
  Refresh refreshOf(const session::Session& session, Http http = {}) {
    cookie_ = cookieFor(session);
    http.headers.emplace_back("Cookie", cookie_);
    Decision decision = send(http);
    EXPECT_TRUE(std::holds_alternative<Refresh>(decision)) << decision.index();
    return std::holds_alternative<Refresh>(decision) ? std::get<Refresh>(decision) : Refresh{};
  }

  std::string idToken(const std::string& sub, boost::json::array groups,
                      const std::string& audience = "client-1") {
    boost::json::object claims{{"iss", kIssuer},
                               {"sub", sub},
                               {"aud", audience},
                               {"exp", kNow + 600},
                               {"iat", kNow},
                               {"email", "alice@example.com"},
                               {"groups", std::move(groups)}};
    return jt::makeToken(jose::Algorithm::RS256, jt::rsa2048().get(),
                         {{"alg", "RS256"}, {"kid", "k1"}, {"typ", "JWT"}}, claims);
  }

  // The session stored by the first session Set-Cookie line among `lines`.
  session::Session storedSession(const std::vector<HeaderLine>& lines, UnixSeconds now = kNow) {
    for (const auto& line : lines) {
      if (line.name == "Set-Cookie" && line.value.starts_with("_authgate=")) {
        const std::string value = line.value.substr(10, line.value.find(';') - 10);
        auto opened = codec_->open(value, now);
        EXPECT_TRUE(opened);
        return opened ? *opened : session::Session{};
      }
    }
    ADD_FAILURE() << "no session cookie set";
    return {};
  }

  static std::string header(const std::vector<HeaderLine>& lines, std::string_view name) {
    for (const auto& line : lines) {
      if (line.name == name) {
        return line.value;
      }
    }
    return {};
  }
  static bool clearsSession(const std::vector<HeaderLine>& lines) {
    for (const auto& line : lines) {
      if (line.name == "Set-Cookie" && line.value.starts_with("_authgate=;") &&
          line.value.find("Max-Age=0") != std::string::npos) {
        return true;
      }
    }
    return false;
  }

  GateSettings settings_;
  std::vector<session::CookieSecret> secrets_;
  std::optional<session::SessionCodec> codec_;
  ProviderSnapshot provider_;
  std::optional<Gate> gate_;
  crypto::FakeRandom random_{11};
  std::vector<HeaderView> views_;
  Http held_;
  std::string cookie_;
};

oidc::TokenResponse rotated(std::string access = "at-2") {
  return {.accessToken = std::move(access),
          .idToken = "",
          .refreshToken = "rt-2",
          .accessTokenExpiresAt = kNow + 300};
}

TEST_F(GateRefreshTest, ExpiredTokensWithARefreshTokenAskForARefresh) {
  const session::Session session = expiredSession();
  for (const char* path : {"/reports", "/oauth2/auth", "/oauth2/userinfo"}) {
    Refresh refresh = refreshOf(session, {.path = path});
    EXPECT_EQ(refresh.refreshToken, "rt-1") << path;
    EXPECT_EQ(refresh.session, session) << path;
    // base64url(SHA-256(token)), the same construction as the PKCE S256 challenge.
    EXPECT_EQ(refresh.sessionKey, oidc::pkceChallengeS256("rt-1")) << path;
  }
  session::Session other = session;
  other.refreshToken = "rt-other";
  EXPECT_NE(refreshOf(other).sessionKey, refreshOf(session).sessionKey);
}

TEST_F(GateRefreshTest, ExpiredTokensWithoutARefreshTokenMeanNoSession) {
  session::Session session = expiredSession();
  session.refreshToken.clear();
  const std::string cookie = cookieFor(session);
  auto browser = std::get<Respond>(send({.headers = {{"Cookie", cookie}}}));
  EXPECT_EQ(browser.status, 302);
  EXPECT_TRUE(header(browser.headers, "Location").starts_with("https://idp.test/authorize?"));
  auto api = std::get<Respond>(send({.method = "POST", .headers = {{"Cookie", cookie}}}));
  EXPECT_EQ(api.status, 401);
  auto gateway = std::get<Respond>(send({.path = "/oauth2/auth", .headers = {{"Cookie", cookie}}}));
  EXPECT_EQ(gateway.status, 401);
}

TEST_F(GateRefreshTest, AnExpiredRefreshTokenIsNotTried) {
  session::Session session = expiredSession();
  session.refreshTokenExpiresAt = kNow;
  auto respond = std::get<Respond>(send({.headers = {{"Cookie", cookieFor(session)}}}));
  EXPECT_EQ(respond.status, 302);
}

TEST_F(GateRefreshTest, CookieRefreshIntervalRefreshesValidTokens) {
  session::Session session = expiredSession();
  session.accessTokenExpiresAt = kNow + 600;
  session.createdAt = kNow - 60;
  // Off by default: valid tokens are used as they are.
  EXPECT_TRUE(std::holds_alternative<Allow>(send({.headers = {{"Cookie", cookieFor(session)}}})));
  settings_.refreshAfter = std::chrono::seconds(60);
  rebuild();
  EXPECT_TRUE(std::holds_alternative<Allow>(send({.headers = {{"Cookie", cookieFor(session)}}})));
  session.createdAt = kNow - 61;
  EXPECT_EQ(refreshOf(session).refreshToken, "rt-1");
  // Without a refresh token there is nothing to refresh with: the valid session still serves.
  session.refreshToken.clear();
  EXPECT_TRUE(std::holds_alternative<Allow>(send({.headers = {{"Cookie", cookieFor(session)}}})));
}

TEST_F(GateRefreshTest, ARefreshAllowsTheRequestAndReissuesTheCookie) {
  const Refresh refresh = refreshOf(expiredSession());
  Decision decision = complete({}, refresh, rotated());
  ASSERT_TRUE(std::holds_alternative<Allow>(decision));
  const Allow& allow = std::get<Allow>(decision);
  EXPECT_EQ(header(allow.upstreamHeaders(), "X-Forwarded-User"), "alice@example.com");
  EXPECT_EQ(header(allow.upstreamHeaders(), "X-Forwarded-Groups"), "devs");
  const session::Session stored = storedSession(allow.responseHeaders);
  EXPECT_EQ(stored.accessToken, "at-2");
  EXPECT_EQ(stored.accessTokenExpiresAt, kNow + 300);
  EXPECT_EQ(stored.refreshToken, "rt-2");  // rotated
  EXPECT_EQ(stored.subject, "alice-id");
  EXPECT_EQ(stored.idToken, "old-id-token");  // none came back: kept (OIDC Core §12.2)
  EXPECT_EQ(stored.createdAt, kNow);
  EXPECT_EQ(stored.expiresAt, kNow + settings_.cookieExpire.count());
  EXPECT_NE(header(allow.responseHeaders, "Set-Cookie").find("HttpOnly"), std::string::npos);
  // The new cookie works without another refresh.
  const std::string cookie = header(allow.responseHeaders, "Set-Cookie");
  Decision next =
      send({.headers = {{"Cookie", cookie.substr(0, cookie.find(';'))}}, .now = kNow + 10});
  EXPECT_TRUE(std::holds_alternative<Allow>(next));
}

TEST_F(GateRefreshTest, KeepsTheRefreshTokenWhenTheIdpDoesNotRotateIt) {
  const Refresh refresh = refreshOf(expiredSession());
  oidc::TokenResponse tokens = rotated();
  tokens.refreshToken.clear();
  auto allow = std::get<Allow>(complete({}, refresh, tokens));
  EXPECT_EQ(storedSession(allow.responseHeaders).refreshToken, "rt-1");
}

TEST_F(GateRefreshTest, AnswersTheGatewayAndUserinfoEndpointsWithTheNewCookie) {
  const Refresh auth = refreshOf(expiredSession(), {.path = "/oauth2/auth"});
  auto accepted = std::get<Respond>(complete({.path = "/oauth2/auth"}, auth, rotated()));
  EXPECT_EQ(accepted.status, 202);
  EXPECT_EQ(header(accepted.headers, "X-Auth-Request-Email"), "alice@example.com");
  EXPECT_EQ(storedSession(accepted.headers).accessToken, "at-2");
  const Refresh info = refreshOf(expiredSession(), {.path = "/oauth2/userinfo"});
  auto userinfo = std::get<Respond>(complete({.path = "/oauth2/userinfo"}, info, rotated("at-3")));
  EXPECT_EQ(userinfo.status, 200);
  EXPECT_NE(userinfo.body.find("alice@example.com"), std::string::npos);
  EXPECT_EQ(storedSession(userinfo.headers).accessToken, "at-3");
}

TEST_F(GateRefreshTest, TakesIdentityFromAVerifiedNewIdToken) {
  const Refresh refresh = refreshOf(expiredSession());
  oidc::TokenResponse tokens = rotated();
  tokens.idToken = idToken("alice-id", {"admins", "devs"});
  auto allow = std::get<Allow>(complete({}, refresh, tokens));
  EXPECT_EQ(header(allow.upstreamHeaders(), "X-Forwarded-Groups"), "admins,devs");
  const session::Session stored = storedSession(allow.responseHeaders);
  EXPECT_EQ(stored.idToken, tokens.idToken);
  EXPECT_EQ(stored.idTokenExpiresAt, kNow + 600);
  EXPECT_EQ(stored.groups, (std::vector<std::string>{"admins", "devs"}));
}

TEST_F(GateRefreshTest, EndsTheSessionOnAnIdTokenThatCannotBeTrusted) {
  const Refresh refresh = refreshOf(expiredSession());
  for (const std::string& id_token :
       {idToken("mallory-id", {"admins"}), idToken("alice-id", {}, "another-client"),
        std::string("not.a.jwt")}) {
    oidc::TokenResponse tokens = rotated();
    tokens.idToken = id_token;
    auto respond = std::get<Respond>(complete({}, refresh, tokens));
    EXPECT_EQ(respond.status, 302);
    EXPECT_TRUE(clearsSession(respond.headers));
    EXPECT_NE(respond.reason.find("refresh"), std::string::npos);
  }
}

TEST_F(GateRefreshTest, ARefusedRefreshEndsTheSession) {
  const auto refused = fail(oidc::TokenError{"invalid_grant", "grant revoked"});
  const Refresh refresh = refreshOf(expiredSession());
  auto browser = std::get<Respond>(complete({}, refresh, refused));
  EXPECT_EQ(browser.status, 302);
  EXPECT_TRUE(header(browser.headers, "Location").starts_with("https://idp.test/authorize?"));
  EXPECT_TRUE(clearsSession(browser.headers));
  EXPECT_NE(browser.reason.find("invalid_grant"), std::string::npos);

  auto api = std::get<Respond>(complete({.method = "POST"}, refresh, refused));
  EXPECT_EQ(api.status, 401);
  EXPECT_EQ(header(api.headers, "WWW-Authenticate"), "Bearer realm=\"authgate\"");
  EXPECT_TRUE(clearsSession(api.headers));

  auto gateway = std::get<Respond>(
      complete({.path = "/oauth2/auth"}, refresh, fail(oidc::TokenError{"invalid_client", "x"})));
  EXPECT_EQ(gateway.status, 401);
  EXPECT_TRUE(clearsSession(gateway.headers));
}

TEST_F(GateRefreshTest, ARefusalEndsEvenASessionWhoseTokensAreStillValid) {
  settings_.refreshAfter = std::chrono::seconds(60);
  rebuild();
  session::Session session = expiredSession();
  session.accessTokenExpiresAt = kNow + 600;
  const Refresh refresh = refreshOf(session);
  auto respond = std::get<Respond>(
      complete({}, refresh, fail(oidc::TokenError{"invalid_grant", "user disabled"})));
  EXPECT_EQ(respond.status, 302);
  EXPECT_TRUE(clearsSession(respond.headers));
}

TEST_F(GateRefreshTest, AnUnreachableIdpEndsNoSession) {
  const Refresh refresh = refreshOf(expiredSession());
  for (const char* error :
       {"transport_error", "provider_not_ready", "temporarily_unavailable", "http_503"}) {
    for (const Http& http : {Http{}, Http{.method = "POST"}}) {
      auto respond = std::get<Respond>(complete(http, refresh, fail(oidc::TokenError{error, ""})));
      EXPECT_EQ(respond.status, 503) << error;
      EXPECT_FALSE(header(respond.headers, "Retry-After").empty());
      EXPECT_EQ(header(respond.headers, "Set-Cookie"), "") << error;
    }
  }
  // A refresh that was only due by cookie.refresh keeps serving the valid tokens meanwhile.
  settings_.refreshAfter = std::chrono::seconds(60);
  rebuild();
  session::Session session = expiredSession();
  session.accessTokenExpiresAt = kNow + 600;
  auto allow = std::get<Allow>(
      complete({}, refreshOf(session), fail(oidc::TokenError{"transport_error", "refused"})));
  EXPECT_EQ(header(allow.upstreamHeaders(), "X-Forwarded-User"), "alice@example.com");
  EXPECT_TRUE(allow.responseHeaders.empty());
}

TEST_F(GateRefreshTest, ATokenWithoutLifetimeIsNotRefreshedOnEveryRequest) {
  const Refresh refresh = refreshOf(expiredSession());
  oidc::TokenResponse tokens = rotated();
  tokens.accessTokenExpiresAt = 0;  // no expires_in, no ID token
  auto allow = std::get<Allow>(complete({}, refresh, tokens));
  const std::string cookie = header(allow.responseHeaders, "Set-Cookie");
  Decision next =
      send({.headers = {{"Cookie", cookie.substr(0, cookie.find(';'))}}, .now = kNow + 1});
  EXPECT_TRUE(std::holds_alternative<Allow>(next));
  EXPECT_GT(storedSession(allow.responseHeaders).accessTokenExpiresAt, kNow);
}

}  // namespace
}  // namespace authgate::core::gate
