// Heap allocations per gate decision on the allow path (issue 6, "Hot-path work"): a repeated
// session cookie and a repeated bearer token are answered from the gate's caches, and the Allow
// shares the identity headers built when the session was opened or the token verified
// (AllowedHeaders) instead of copying them.
//
// This file replaces the global operator new with one that counts, on the calling thread only,
// while `tCounting` is set. AddressSanitizer replaces operator new itself (and would lose its
// new/delete mismatch checks for the whole binary), so under ASan the tests are skipped.
#include <gtest/gtest.h>

#include <cstdlib>
#include <new>

#include "bearer_testing.h"
#include "core/crypto/fake_random.h"
#include "core/gate/gate.h"

#if !defined(__SANITIZE_ADDRESS__)

namespace {

thread_local bool tCounting = false;
thread_local std::size_t tAllocations = 0;

}  // namespace

// operator new[] and the nothrow forms of libstdc++ call this one; the aligned forms are not
// used by the gate.
void* operator new(std::size_t size) {
  if (tCounting) {
    ++tAllocations;
  }
  if (void* memory = std::malloc(size == 0 ? 1 : size)) {
    return memory;
  }
  throw std::bad_alloc();
}
void operator delete(void* memory) noexcept {
  std::free(memory);
}
void operator delete(void* memory, std::size_t) noexcept {
  std::free(memory);
}

#endif  // !defined(__SANITIZE_ADDRESS__)

namespace authgate::core::gate {
namespace {

namespace jt = jose::testing;

constexpr UnixSeconds kNow = jt::kNow;
constexpr std::string_view kSecret = "q-LUN0AXjfvdlqTV4BSDCpxMNTTMWcoPYV_Ohhj2HVg=";
constexpr const char* kIssuer = "https://issuer.test";

// The fixture JWKS for every rule.
class FixtureKeys final : public BearerKeySource {
 public:
  std::shared_ptr<const jose::Jwks> keysFor(std::size_t) const override { return keys_; }
  void unknownKey(std::size_t, std::string_view) const override {}

 private:
  std::shared_ptr<const jose::Jwks> keys_ =
      std::make_shared<const jose::Jwks>(jt::loadJwks("jwks.json"));
};

class GateAllocationTest : public ::testing::Test {
 protected:
  void SetUp() override {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "AddressSanitizer replaces operator new itself";
#endif
    settings_.client = {"client-1", "", {"openid", "email"}};
    settings_.allowedAlgorithms = {jose::Algorithm::RS256};
    // Output headers and the default location (Authorization: Bearer, removed upstream), so the
    // bearer Allow carries more than the session's identity headers.
    policy::JwtRule rule;
    rule.issuer = kIssuer;
    rule.origin = "test rule";
    rule.outputClaimToHeaders = {{.header = "X-Sub", .claim = "sub"}};
    auto bearer = BearerAuthenticator::create(
        {rule}, {.allowedAlgorithms = {jose::Algorithm::ES256}, .skewSeconds = 30});
    ASSERT_TRUE(bearer) << bearer.error();
    settings_.bearer = std::make_shared<const BearerAuthenticator>(std::move(*bearer));
    secrets_.push_back(*session::decodeCookieSecret(kSecret));
    auto gate = Gate::create(settings_, secrets_, {});
    ASSERT_TRUE(gate) << gate.error();
    gate_.emplace(std::move(*gate));
  }

  std::string sessionCookie() {
    const session::Session alice{.subject = "alice-id",
                                 .email = "alice@example.com",
                                 .user = "alice@example.com",
                                 .preferredUsername = "alice",
                                 .groups = {"admins", "devs"},
                                 .idToken = "",
                                 .accessToken = "at-1",
                                 .refreshToken = "",
                                 .idTokenExpiresAt = kNow + 600,
                                 .accessTokenExpiresAt = kNow + 600,
                                 .refreshTokenExpiresAt = 0,
                                 .createdAt = kNow - 30,
                                 .providerId = "",
                                 .expiresAt = kNow + 86400};
    auto codec = session::SessionCodec::create(secrets_);
    EXPECT_TRUE(codec);
    auto sealed = codec->seal(alice, random_);
    EXPECT_TRUE(sealed);
    return "_authgate=" + *sealed;
  }

  static std::string bearerToken() {
    const boost::json::object claims{{"iss", kIssuer},
                                     {"sub", "user-1"},
                                     {"aud", "api"},
                                     {"exp", kNow + 600},
                                     {"iat", kNow - 10},
                                     {"email", "user@example.com"},
                                     {"groups", {"admins", "dev"}}};
    return "Bearer " + jt::fixtureToken(claims, "es256", jose::Algorithm::ES256, "es256-p256");
  }

  // Decides a browser request carrying `name: value`, counting the allocations made on this
  // thread while deciding and while destroying the decision. Fails unless it is an Allow.
  std::size_t allocationsFor(std::string_view name, std::string_view value) {
    const HeaderView headers[] = {{name, value},
                                  {"Accept", "text/html"},
                                  {"User-Agent", "test"},
                                  {"X-Request-Id", "0123456789abcdef0123456789abcdef"}};
    [[maybe_unused]] const CheckRequest request{.method = "GET",
                                                .scheme = "https",
                                                .host = "app.example.com",
                                                .path = "/reports/2026",
                                                .query = "page=2",
                                                .headers = headers,
                                                .peer = "10.0.0.1",
                                                .now = kNow};
    std::size_t counted = 0;
#if !defined(__SANITIZE_ADDRESS__)
    tAllocations = 0;
    tCounting = true;
    {
      const Decision decision = gate_->decide(request, nullptr, random_, &keys_);
      tCounting = false;
      EXPECT_TRUE(std::holds_alternative<Allow>(decision));
      tCounting = true;
    }
    tCounting = false;
    counted = tAllocations;
#endif
    return counted;
  }

  GateSettings settings_;
  std::vector<session::CookieSecret> secrets_;
  std::optional<Gate> gate_;
  crypto::FakeRandom random_;
  FixtureKeys keys_;
};

TEST_F(GateAllocationTest, RepeatedSessionCookieIsAnsweredWithoutAllocating) {
  const std::string cookie = sessionCookie();
  const std::size_t first = allocationsFor("Cookie", cookie);  // opens and caches the session
  const std::size_t repeated = allocationsFor("Cookie", cookie);
  // A cache hit parses the Cookie header into views kept inline, hashes the one cookie's value
  // (a view of the header) into the cache key and answers with the cached headers: nothing to
  // allocate.
  constexpr std::size_t kCookieAllocations = 0;
  EXPECT_LE(repeated, kCookieAllocations) << "first request: " << first;
  EXPECT_LT(repeated, first);
  RecordProperty("first", static_cast<int>(first));
  RecordProperty("repeated", static_cast<int>(repeated));
}

TEST_F(GateAllocationTest, RepeatedBearerTokenIsAnsweredWithoutAllocating) {
  const std::string authorization = bearerToken();
  const std::size_t first = allocationsFor("Authorization", authorization);  // verifies, caches
  const std::size_t repeated = allocationsFor("Authorization", authorization);
  // A cache hit reads the token as a view of the header, hashes it into the cache key and
  // answers with the headers prepared when the token was verified: nothing to allocate.
  constexpr std::size_t kBearerAllocations = 0;
  EXPECT_LE(repeated, kBearerAllocations) << "first request: " << first;
  RecordProperty("first", static_cast<int>(first));
  RecordProperty("repeated", static_cast<int>(repeated));
}

}  // namespace
}  // namespace authgate::core::gate
