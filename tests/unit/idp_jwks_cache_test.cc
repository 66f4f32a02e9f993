#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <mutex>
#include <thread>

#include "idp_testing.h"
#include "io/idp/jwks_cache.h"

namespace authgate::io::idp {
namespace {

namespace asio = boost::asio;

using testing::FakeIdp;
using testing::FakeReply;
using testing::FakeRequest;
using testing::runTask;
using testing::runUntil;

const std::string kJwksPath = std::string(AUTHGATE_TEST_DATA) + "/jose/jwks.json";

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

bool hasKid(const KeySet& keys, std::string_view kid) {
  return keys && std::any_of(keys->keys.begin(), keys->keys.end(),
                             [&](const core::jose::Jwk& key) { return key.kid() == kid; });
}

TEST(IdpCacheControl, ReadsMaxAge) {
  EXPECT_EQ(parseMaxAge("max-age=600"), 600);
  EXPECT_EQ(parseMaxAge("public, MAX-AGE = 120 ,must-revalidate"), 120);
  EXPECT_EQ(parseMaxAge("max-age=\"30\""), 30);
  EXPECT_EQ(parseMaxAge("max-age=10, max-age=99999"), 10);  // the first one
  EXPECT_EQ(parseMaxAge("no-store"), 0);
  EXPECT_EQ(parseMaxAge("no-cache, max-age=900"), 0);
  EXPECT_EQ(parseMaxAge(""), std::nullopt);
  EXPECT_EQ(parseMaxAge("public"), std::nullopt);
  EXPECT_EQ(parseMaxAge("max-age=-5"), std::nullopt);
  EXPECT_EQ(parseMaxAge("max-age=1h"), std::nullopt);
  EXPECT_EQ(parseMaxAge("max-age="), std::nullopt);
  EXPECT_EQ(parseMaxAge("s-maxage=50"), std::nullopt);
  EXPECT_EQ(parseMaxAge("max-age=99999999999999999999999"), std::int64_t{1} << 40);
}

TEST(IdpCacheControl, BoundsTheLifetime) {
  const JwksCacheOptions options;
  EXPECT_EQ(cacheLifetime("", options), 3600);           // default
  EXPECT_EQ(cacheLifetime("max-age=10", options), 300);  // min 5 min
  EXPECT_EQ(cacheLifetime("no-store", options), 300);
  EXPECT_EQ(cacheLifetime("max-age=7200", options), 7200);
  EXPECT_EQ(cacheLifetime("max-age=999999", options), 86400);  // max 24 h
}

class IdpJwksCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setJwks(testing::readFile(kJwksPath), "max-age=600");
    idp_.start();
    auto http = HttpClient::create({});
    ASSERT_TRUE(http);
    cache_ = JwksCache::create(idp_.baseUrl() + "/jwks", *http, clock_, context_.get_executor(), {},
                               counters_, [this](std::string_view line) {
                                 const std::lock_guard lock(logMutex_);
                                 log_.emplace_back(line);
                               });
  }
  void setJwks(std::string body, std::string cacheControl,
               FakeReply::Mode mode = FakeReply::Mode::Answer) {
    idp_.route("/jwks", [=](const FakeRequest&) {
      return FakeReply{.body = body, .cacheControl = cacheControl, .mode = mode};
    });
  }
  bool load() {
    auto loaded = runTask(context_, cache_->load());
    return loaded && *loaded;
  }
  KeySet withKid(std::string kid) {
    auto keys = runTask(context_, cache_->withKid(std::move(kid)));
    EXPECT_TRUE(keys.has_value());
    return keys ? *keys : nullptr;
  }
  IdpCountersSnapshot counters() const { return counters_->snapshot(); }

  static constexpr core::UnixSeconds kNow = 1760000000;
  core::FakeClock clock_{kNow};
  FakeIdp idp_;
  asio::io_context context_;
  std::shared_ptr<IdpCounters> counters_ = std::make_shared<IdpCounters>();
  std::mutex logMutex_;
  std::vector<std::string> log_;
  std::shared_ptr<JwksCache> cache_;
};

TEST_F(IdpJwksCacheTest, LoadsTheSetAndHonoursMaxAge) {
  EXPECT_EQ(cache_->current(), nullptr);  // starts the first fetch...
  EXPECT_EQ(counters().jwksFetches, 1u);
  ASSERT_TRUE(load());  // ...which load() joins
  EXPECT_EQ(counters().jwksFetches, 1u);
  const KeySet first = cache_->current();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->keys.size(), 10u);
  EXPECT_EQ(cache_->expiresAt(), kNow + 600);

  clock_.advance(599);
  EXPECT_EQ(cache_->current(), first);
  EXPECT_EQ(counters().jwksFetches, 1u);

  setJwks(jwksWith({"rs256-2048"}), "max-age=7200");
  clock_.advance(1);
  EXPECT_EQ(cache_->current(), first);  // stale while revalidating: the old set at once
  EXPECT_EQ(counters().jwksFetches, 2u);
  EXPECT_EQ(cache_->current(), first);  // no second fetch while one is in flight
  EXPECT_EQ(counters().jwksFetches, 2u);
  ASSERT_TRUE(runUntil(context_, [&] { return counters().jwksFetchSuccesses == 2; }));
  const KeySet second = cache_->current();
  ASSERT_TRUE(second);
  EXPECT_NE(second, first);
  EXPECT_EQ(second->keys.size(), 1u);
  EXPECT_EQ(cache_->expiresAt(), kNow + 600 + 7200);
  EXPECT_EQ(idp_.hits("/jwks"), 2u);
}

TEST_F(IdpJwksCacheTest, ClampsMaxAgeToTheBounds) {
  setJwks(testing::readFile(kJwksPath), "max-age=10");
  ASSERT_TRUE(load());
  EXPECT_EQ(cache_->expiresAt(), kNow + 300);
  clock_.advance(299);
  cache_->current();
  EXPECT_EQ(counters().jwksFetches, 1u);
  setJwks(testing::readFile(kJwksPath), "");  // absent: one hour
  clock_.advance(1);
  cache_->current();
  EXPECT_EQ(counters().jwksFetches, 2u);
  ASSERT_TRUE(runUntil(context_, [&] { return counters().jwksFetchSuccesses == 2; }));
  EXPECT_EQ(cache_->expiresAt(), kNow + 300 + 3600);
}

TEST_F(IdpJwksCacheTest, FailedRefreshKeepsTheKeysAndRetriesAfter30Seconds) {
  ASSERT_TRUE(load());
  const KeySet first = cache_->current();
  idp_.route("/jwks", [](const FakeRequest&) { return FakeReply{.status = 503, .body = "{}"}; });
  clock_.advance(600);
  EXPECT_EQ(cache_->current(), first);
  ASSERT_TRUE(runUntil(context_, [&] { return counters().jwksFetchFailures == 1; }));
  EXPECT_EQ(cache_->current(), first);  // kept, and no new attempt yet
  clock_.advance(29);
  EXPECT_EQ(cache_->current(), first);
  EXPECT_EQ(counters().jwksFetches, 2u);
  clock_.advance(1);
  cache_->current();
  EXPECT_EQ(counters().jwksFetches, 3u);
  ASSERT_TRUE(runUntil(context_, [&] { return counters().jwksFetchFailures == 2; }));
  const std::lock_guard lock(logMutex_);
  ASSERT_FALSE(log_.empty());
  EXPECT_NE(log_.back().find("HTTP status 503"), std::string::npos) << log_.back();
}

TEST_F(IdpJwksCacheTest, UnknownKidRefetchesAtMostOncePer30Seconds) {
  setJwks(jwksWith({"rs256-2048"}), "max-age=3600");
  ASSERT_TRUE(load());
  setJwks(testing::readFile(kJwksPath), "max-age=3600");  // the IdP rotates a key in

  EXPECT_TRUE(hasKid(withKid("rs256-2048"), "rs256-2048"));  // known: no lookup counted
  EXPECT_EQ(counters().unknownKidLookups, 0u);

  EXPECT_FALSE(hasKid(withKid("es256-p256"), "es256-p256"));  // t0: the load was just now
  clock_.advance(29);
  EXPECT_FALSE(hasKid(withKid("es256-p256"), "es256-p256"));
  EXPECT_EQ(counters().jwksFetches, 1u);
  EXPECT_EQ(counters().unknownKidRateLimited, 2u);

  clock_.advance(1);
  EXPECT_TRUE(hasKid(withKid("es256-p256"), "es256-p256"));  // t0+30: one refetch
  EXPECT_EQ(counters().jwksFetches, 2u);

  EXPECT_FALSE(hasKid(withKid("forged-kid"), "forged-kid"));  // limited again
  clock_.advance(29);
  EXPECT_FALSE(hasKid(withKid("forged-kid"), "forged-kid"));
  EXPECT_EQ(counters().jwksFetches, 2u);
  clock_.advance(1);
  EXPECT_FALSE(hasKid(withKid("forged-kid"), "forged-kid"));  // fetched, still unknown
  EXPECT_EQ(counters().jwksFetches, 3u);
  EXPECT_EQ(counters().unknownKidLookups, 6u);
  EXPECT_EQ(counters().unknownKidRateLimited, 4u);
  EXPECT_EQ(idp_.hits("/jwks"), 3u);
  EXPECT_EQ(withKid(""), cache_->current());  // kid-less token: never a refetch
  EXPECT_EQ(counters().unknownKidLookups, 6u);
}

TEST_F(IdpJwksCacheTest, TenConcurrentUnknownKidLookupsShareOneFetch) {
  setJwks(jwksWith({"rs256-2048"}), "max-age=3600");
  ASSERT_TRUE(load());
  clock_.advance(60);
  setJwks(testing::readFile(kJwksPath), "max-age=3600", FakeReply::Mode::Hold);

  // Half of the callers run on another thread's io_context: the result must reach them there.
  asio::io_context other;
  auto otherWork = asio::make_work_guard(other);
  std::thread otherThread([&] { other.run(); });
  std::mutex mutex;
  std::vector<KeySet> results;
  auto lookup = [&]() -> asio::awaitable<void> {
    KeySet keys = co_await cache_->withKid("es256-p256");
    const std::lock_guard lock(mutex);
    results.push_back(std::move(keys));
  };
  for (int i = 0; i < 10; ++i) {
    asio::co_spawn(i % 2 == 0 ? context_.get_executor() : other.get_executor(), lookup,
                   asio::detached);
  }
  // All ten have asked while the one fetch is held at the IdP.
  ASSERT_TRUE(runUntil(context_, [&] { return counters().unknownKidLookups == 10; }));
  EXPECT_EQ(counters().jwksFetches, 2u);
  idp_.release();
  ASSERT_TRUE(runUntil(context_, [&] {
    const std::lock_guard lock(mutex);
    return results.size() == 10;
  }));
  otherWork.reset();
  otherThread.join();
  for (const KeySet& keys : results) {
    EXPECT_TRUE(hasKid(keys, "es256-p256"));
    EXPECT_EQ(keys, results.front());  // one snapshot shared by all
  }
  EXPECT_EQ(counters().jwksFetches, 2u);
  EXPECT_EQ(counters().unknownKidRateLimited, 0u);
  EXPECT_EQ(idp_.hits("/jwks"), 2u);
}

}  // namespace
}  // namespace authgate::io::idp
