// The gate's opened-session cache (opened_session.h): a repeated cookie is answered from the
// cache exactly as if it had been opened, until the session could answer differently (cookie
// expiry, token expiry, cookie.refresh), and never for another cookie value.
#include <gtest/gtest.h>

#include "core/crypto/fake_random.h"
#include "core/gate/gate.h"
#include "jose_testing.h"

namespace authgate::core::gate {
namespace {

namespace jt = jose::testing;

constexpr UnixSeconds kNow = jt::kNow;
constexpr std::string_view kSecret = "q-LUN0AXjfvdlqTV4BSDCpxMNTTMWcoPYV_Ohhj2HVg=";

class GateSessionCacheTest : public ::testing::Test {
 protected:
  GateSessionCacheTest() {
    settings_.client = {"client-1", "", {"openid", "email"}};
    settings_.allowedAlgorithms = {jose::Algorithm::RS256};
    secrets_.push_back(*session::decodeCookieSecret(kSecret));
    codec_.emplace(*session::SessionCodec::create(secrets_));
    provider_.issuer = "https://idp.test";
    provider_.authorizationEndpoint = "https://idp.test/authorize";
    provider_.keys = std::make_shared<jose::Jwks>(
        jt::jwksOf({jt::publicJwk(jt::rsa2048().get(), "k1", "RS256")}));
  }

  void build() {
    auto gate = Gate::create(settings_, secrets_, {});
    ASSERT_TRUE(gate) << gate.error();
    gate_.emplace(std::move(*gate));
  }

  // Signed in 30 s ago; tokens good for 10 more minutes; cookie good for a day.
  static session::Session aliceSession() {
    return session::Session{.subject = "alice-id",
                            .email = "alice@example.com",
                            .user = "alice@example.com",
                            .preferredUsername = "alice",
                            .groups = {"devs"},
                            .idToken = "",
                            .accessToken = "at-1",
                            .refreshToken = "rt-1",
                            .idTokenExpiresAt = kNow + 600,
                            .accessTokenExpiresAt = kNow + 600,
                            .refreshTokenExpiresAt = 0,
                            .createdAt = kNow - 30,
                            .providerId = "",
                            .expiresAt = kNow + 86400};
  }

  std::string cookieFor(const session::Session& session) {
    auto sealed = codec_->seal(session, random_);
    EXPECT_TRUE(sealed);
    return "_authgate=" + *sealed;
  }

  Decision send(const std::string& cookie, UnixSeconds now, std::string_view path = "/reports",
                std::string_view query = "") {
    const HeaderView headers[] = {{"Cookie", cookie}, {"Accept", "text/html"}};
    const CheckRequest request{.method = "GET",
                               .scheme = "https",
                               .host = "app.example.com",
                               .path = path,
                               .query = query,
                               .headers = headers,
                               .peer = "127.0.0.1",
                               .now = now};
    return gate_->decide(request, &provider_, random_);
  }

  GateSettings settings_;
  std::vector<session::CookieSecret> secrets_;
  std::optional<session::SessionCodec> codec_;
  std::optional<Gate> gate_;
  ProviderSnapshot provider_;
  crypto::FakeRandom random_;
};

TEST_F(GateSessionCacheTest, RepeatedCookieIsAnsweredFromTheCacheWithTheSameHeaders) {
  build();
  const std::string cookie = cookieFor(aliceSession());
  const Decision first = send(cookie, kNow);
  const Decision second = send(cookie, kNow + 1);
  ASSERT_TRUE(std::holds_alternative<Allow>(first));
  ASSERT_TRUE(std::holds_alternative<Allow>(second));
  // The very headers built when the session was opened: shared, not rebuilt nor copied.
  ASSERT_NE(std::get<Allow>(first).headers, nullptr);
  EXPECT_EQ(std::get<Allow>(second).headers, std::get<Allow>(first).headers);
  EXPECT_EQ(std::get<Allow>(second).user(), "alice@example.com");
  EXPECT_EQ(gate_->sessionCache().hits(), 1U);
  EXPECT_EQ(gate_->sessionCache().misses(), 1U);
}

TEST_F(GateSessionCacheTest, SizeZeroOpensEveryCookie) {
  settings_.sessionCacheSize = 0;
  build();
  const std::string cookie = cookieFor(aliceSession());
  EXPECT_TRUE(std::holds_alternative<Allow>(send(cookie, kNow)));
  EXPECT_TRUE(std::holds_alternative<Allow>(send(cookie, kNow)));
  EXPECT_EQ(gate_->sessionCache().hits(), 0U);
}

TEST_F(GateSessionCacheTest, ExpiredTokensAreRefreshedNotServedFromTheCache) {
  build();
  const std::string cookie = cookieFor(aliceSession());
  ASSERT_TRUE(std::holds_alternative<Allow>(send(cookie, kNow)));
  EXPECT_TRUE(std::holds_alternative<Allow>(send(cookie, kNow + 599)));
  EXPECT_TRUE(std::holds_alternative<Refresh>(send(cookie, kNow + 600)));
}

TEST_F(GateSessionCacheTest, CookieRefreshIntervalEndsTheCachedAnswer) {
  settings_.refreshAfter = std::chrono::seconds(60);
  build();
  const std::string cookie = cookieFor(aliceSession());  // created 30 s ago
  ASSERT_TRUE(std::holds_alternative<Allow>(send(cookie, kNow)));
  EXPECT_TRUE(std::holds_alternative<Allow>(send(cookie, kNow + 30)));
  EXPECT_TRUE(std::holds_alternative<Refresh>(send(cookie, kNow + 31)));
}

TEST_F(GateSessionCacheTest, ExpiredCookieIsNotServedFromTheCache) {
  build();
  session::Session session = aliceSession();
  session.refreshToken.clear();
  session.expiresAt = kNow + 5;
  const std::string cookie = cookieFor(session);
  ASSERT_TRUE(std::holds_alternative<Allow>(send(cookie, kNow)));
  EXPECT_TRUE(std::holds_alternative<Allow>(send(cookie, kNow + 5)));
  const Decision expired = send(cookie, kNow + 6);
  ASSERT_TRUE(std::holds_alternative<Respond>(expired));
  EXPECT_EQ(std::get<Respond>(expired).status, 302);  // a new login
}

TEST_F(GateSessionCacheTest, AnotherCookieValueNeverHitsTheCachedSession) {
  build();
  const std::string cookie = cookieFor(aliceSession());
  ASSERT_TRUE(std::holds_alternative<Allow>(send(cookie, kNow)));
  std::string tampered = cookie;
  tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
  const Decision decision = send(tampered, kNow);
  ASSERT_TRUE(std::holds_alternative<Respond>(decision));
  EXPECT_EQ(std::get<Respond>(decision).status, 302);
  EXPECT_EQ(gate_->sessionCache().hits(), 0U);
}

TEST_F(GateSessionCacheTest, AccessRulesStillJudgeEveryRequestOfACachedSession) {
  build();
  const std::string cookie = cookieFor(aliceSession());
  ASSERT_TRUE(std::holds_alternative<Respond>(send(cookie, kNow, "/oauth2/auth")));
  const Decision narrowed = send(cookie, kNow, "/oauth2/auth", "allowed_emails=bob%40example.com");
  ASSERT_TRUE(std::holds_alternative<Respond>(narrowed));
  EXPECT_EQ(std::get<Respond>(narrowed).status, 403);
  EXPECT_EQ(gate_->sessionCache().hits(), 1U);
}

TEST(ReusableUntil, IsTheEarliestMomentTheAnswerCouldChange) {
  GateSettings settings;
  session::Session session{.refreshToken = "rt",
                           .idTokenExpiresAt = 500,
                           .accessTokenExpiresAt = 400,
                           .createdAt = 100,
                           .expiresAt = 1000};
  EXPECT_EQ(reusableUntil(session, settings), 400);  // the access token counts first
  session.accessTokenExpiresAt = 0;
  EXPECT_EQ(reusableUntil(session, settings), 500);
  settings.refreshAfter = std::chrono::seconds(60);
  EXPECT_EQ(reusableUntil(session, settings), 161);  // refreshFor: due once now - 100 > 60
  session.refreshToken.clear();
  EXPECT_EQ(reusableUntil(session, settings), 500);  // no refresh without a refresh token
  session.idTokenExpiresAt = 0;
  EXPECT_EQ(reusableUntil(session, settings), 1001);  // open() refuses expiresAt < now
}

}  // namespace
}  // namespace authgate::core::gate
