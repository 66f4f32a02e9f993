// Key sets for bearer-token rules: inline JWKS, the login provider's keys, a jwks_uri of the
// rule's own, and discovery of the rule's issuer, against the fake IdP.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <mutex>

#include "idp_testing.h"
#include "io/idp/bearer_keys.h"

namespace authgate::io::idp {
namespace {

namespace asio = boost::asio;

using testing::FakeIdp;
using testing::FakeReply;
using testing::FakeRequest;
using testing::runUntil;

const std::string kJwksPath = std::string(AUTHGATE_TEST_DATA) + "/jose/jwks.json";
constexpr core::UnixSeconds kNow = 1760000000;

// The fixture JWKS reduced to the keys whose kid is in `kids`.
std::string jwksWith(std::initializer_list<std::string_view> kids) {
  auto document = boost::json::parse(testing::readFile(kJwksPath)).as_object();
  boost::json::array kept;
  for (const auto& key : document.at("keys").as_array()) {
    const auto kid = key.as_object().at("kid").as_string();
    if (std::find(kids.begin(), kids.end(), std::string_view(kid)) != kids.end()) {
      kept.push_back(key);
    }
  }
  document["keys"] = std::move(kept);
  return boost::json::serialize(document);
}

bool hasKid(const std::shared_ptr<const core::jose::Jwks>& keys, std::string_view kid) {
  return keys && std::any_of(keys->keys.begin(), keys->keys.end(),
                             [&](const core::jose::Jwk& key) { return key.kid() == kid; });
}

core::policy::JwtRule rule(std::string issuer) {
  core::policy::JwtRule made;
  made.issuer = std::move(issuer);
  made.origin = "rule " + made.issuer;
  return made;
}

class IdpBearerKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    serveJwks(jwksWith({"es256-p256"}));
    const std::string base = idp_.baseUrl();
    const std::string document =
        boost::json::serialize(boost::json::object{{"issuer", base},
                                                   {"authorization_endpoint", base + "/authorize"},
                                                   {"token_endpoint", base + "/token"},
                                                   {"jwks_uri", base + "/jwks"}});
    idp_.route("/.well-known/openid-configuration",
               [document](const FakeRequest&) { return FakeReply{.body = document}; });
  }

  void serveJwks(std::string body) {
    idp_.route("/jwks", [body](const FakeRequest&) {
      return FakeReply{.body = body, .cacheControl = "max-age=3600"};
    });
  }

  core::Result<std::shared_ptr<BearerKeys>, std::string> create(
      std::vector<core::policy::JwtRule> rules, std::shared_ptr<Provider> provider = nullptr,
      std::string providerIssuer = "") {
    return BearerKeys::create(context_.get_executor(), std::move(rules), std::move(provider),
                              std::move(providerIssuer), {}, clock_,
                              [this](std::string_view line) {
                                const std::lock_guard lock(logMutex_);
                                log_.emplace_back(line);
                              },
                              {.jwks = {},
                               .retryInitial = std::chrono::milliseconds(10),
                               .retryMax = std::chrono::milliseconds(40)});
  }

  std::shared_ptr<BearerKeys> started(std::vector<core::policy::JwtRule> rules) {
    auto keys = create(std::move(rules));
    EXPECT_TRUE(keys) << keys.error();
    if (!keys) {
      return nullptr;
    }
    (*keys)->start();
    return *keys;
  }

  core::FakeClock clock_{kNow};
  FakeIdp idp_;
  asio::io_context context_;
  std::mutex logMutex_;
  std::vector<std::string> log_;
};

TEST_F(IdpBearerKeysTest, InlineJwksIsParsedOnce) {
  auto inlined = rule("https://inline.test");
  inlined.jwks = jwksWith({"rs256-2048", "es256-p256"});
  auto keys = create({inlined});
  ASSERT_TRUE(keys) << keys.error();
  const auto set = (*keys)->keysFor(0);
  ASSERT_TRUE(set);
  EXPECT_EQ(set->keys.size(), 2u);
  EXPECT_EQ((*keys)->keysFor(0), set);      // the same snapshot every time
  EXPECT_EQ((*keys)->keysFor(1), nullptr);  // no such rule
  (*keys)->unknownKey(0, "other");          // nothing to refetch
  EXPECT_EQ(idp_.hits("/jwks"), 0u);
}

TEST_F(IdpBearerKeysTest, InlineJwksWithoutUsableKeyIsAnError) {
  for (const std::string& bad : {std::string("not json"), std::string(R"({"keys":[]})"),
                                 std::string(R"({"keys":[{"kty":"oct","k":"AAAA"}]})")}) {
    auto inlined = rule("https://inline.test");
    inlined.jwks = bad;
    auto keys = create({inlined});
    ASSERT_FALSE(keys) << bad;
    EXPECT_NE(keys.error().find("rule https://inline.test"), std::string::npos) << keys.error();
  }
}

TEST_F(IdpBearerKeysTest, JwksUriIsLoadedAtStartAndRefetchedForAnUnknownKid) {
  idp_.start();
  auto own = rule("https://api.test");
  own.jwksUri = idp_.baseUrl() + "/jwks";
  const auto keys = started({own});
  ASSERT_TRUE(keys);
  ASSERT_TRUE(runUntil(context_, [&] { return keys->keysFor(0) != nullptr; }));
  EXPECT_TRUE(hasKid(keys->keysFor(0), "es256-p256"));
  EXPECT_EQ(idp_.hits("/jwks"), 1u);
  EXPECT_EQ(idp_.hits("/.well-known/openid-configuration"), 0u);

  // The issuer rotates in a new key; a token names it.
  serveJwks(jwksWith({"es256-p256", "rs256-2048"}));
  clock_.advance(31);  // past the cache's unknown-kid rate limit
  keys->unknownKey(0, "rs256-2048");
  ASSERT_TRUE(runUntil(context_, [&] { return hasKid(keys->keysFor(0), "rs256-2048"); }));
  EXPECT_EQ(idp_.hits("/jwks"), 2u);
  // A flood of unknown kids within the rate limit fetches nothing more.
  for (int i = 0; i < 20; ++i) {
    keys->unknownKey(0, "forged-" + std::to_string(i));
  }
  runUntil(
      context_, [] { return false; }, std::chrono::milliseconds(100));
  EXPECT_EQ(idp_.hits("/jwks"), 2u);
  keys->unknownKey(0, "");  // a kid-less token never refetches
  EXPECT_EQ(keys->counters().unknownKidRateLimited, 20u);
}

TEST_F(IdpBearerKeysTest, RulesWithTheSameJwksUriShareOneCache) {
  idp_.start();
  auto first = rule("https://api.test");
  first.jwksUri = idp_.baseUrl() + "/jwks";
  auto second = first;
  second.audiences = {"other"};
  const auto keys = started({first, second});
  ASSERT_TRUE(keys);
  ASSERT_TRUE(runUntil(context_, [&] { return keys->keysFor(0) && keys->keysFor(1); }));
  EXPECT_EQ(keys->keysFor(0), keys->keysFor(1));
  EXPECT_EQ(idp_.hits("/jwks"), 1u);
}

TEST_F(IdpBearerKeysTest, NoJwksUriMeansDiscoveryWithRetry) {
  // The IdP is not up yet: discovery fails, is retried, and succeeds once it is.
  const auto keys = started({rule(idp_.baseUrl())});
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->keysFor(0), nullptr);
  ASSERT_TRUE(runUntil(context_, [&] { return keys->counters().discoveryAttempts >= 2; }));
  EXPECT_EQ(keys->keysFor(0), nullptr);
  idp_.start();
  ASSERT_TRUE(runUntil(context_, [&] { return keys->keysFor(0) != nullptr; }));
  EXPECT_TRUE(hasKid(keys->keysFor(0), "es256-p256"));
  EXPECT_EQ(keys->counters().discoverySuccesses, 1u);
  EXPECT_GE(idp_.hits("/.well-known/openid-configuration"), 1u);
  const std::lock_guard lock(logMutex_);
  EXPECT_FALSE(log_.empty());  // the failed attempts were logged
}

TEST_F(IdpBearerKeysTest, TheLoginProvidersIssuerUsesItsKeys) {
  idp_.start();
  ProviderOptions options;
  options.issuer = idp_.baseUrl();
  options.client = {.clientId = "client"};
  options.retryInitial = std::chrono::milliseconds(10);
  options.retryMax = std::chrono::milliseconds(40);
  auto provider = Provider::create(context_.get_executor(), options, clock_);
  ASSERT_TRUE(provider) << provider.error();
  auto keys =
      create({rule(idp_.baseUrl()), rule("https://elsewhere.test")}, *provider, idp_.baseUrl());
  ASSERT_TRUE(keys) << keys.error();
  EXPECT_EQ((*keys)->keysFor(0), nullptr);  // the provider is not started yet
  (*provider)->start();
  ASSERT_TRUE(runUntil(context_, [&] { return (*provider)->ready(); }));
  EXPECT_EQ((*keys)->keysFor(0), (*provider)->currentKeys());
  EXPECT_NE((*keys)->keysFor(0), nullptr);
  // The rule's own keys did not need a fetch of their own; the other issuer is not started.
  EXPECT_EQ((*keys)->counters().jwksFetches, 0u);
  EXPECT_EQ((*keys)->keysFor(1), nullptr);
  // An unknown kid goes to the provider's cache.
  serveJwks(jwksWith({"es256-p256", "eddsa-ed25519"}));
  clock_.advance(31);
  (*keys)->unknownKey(0, "eddsa-ed25519");
  ASSERT_TRUE(
      runUntil(context_, [&] { return hasKid((*provider)->currentKeys(), "eddsa-ed25519"); }));
  (*provider)->stop();
}

TEST_F(IdpBearerKeysTest, RuleTimeoutsAndIssuersAreChecked) {
  EXPECT_EQ(parseRuleTimeout("5s"), std::chrono::milliseconds(5000));
  EXPECT_EQ(parseRuleTimeout("1.5s"), std::chrono::milliseconds(1500));
  EXPECT_EQ(parseRuleTimeout("250ms"), std::chrono::milliseconds(250));
  for (const char* bad : {"", "s", "5", "-1s", "0s", "5m", "abc", "2h", "7200s", "1e9s"}) {
    EXPECT_EQ(parseRuleTimeout(bad), std::nullopt) << bad;
  }
  auto slow = rule("https://api.test");
  slow.jwksUri = "https://api.test/jwks";
  slow.timeout = "soon";
  auto keys = create({slow});
  ASSERT_FALSE(keys);
  EXPECT_NE(keys.error().find("timeout"), std::string::npos);
  slow.timeout = "2s";
  EXPECT_TRUE(create({slow}));
  auto bad = rule("not a url");
  EXPECT_FALSE(create({bad}));  // discovery needs an http(s) issuer
}

}  // namespace
}  // namespace authgate::io::idp
