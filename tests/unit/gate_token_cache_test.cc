// The verified-token cache: keyed by (rule, token), valid until exp + skew, bounded, shared by
// threads.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "core/gate/bearer.h"
#include "core/gate/token_cache.h"

namespace authgate::core::gate {
namespace {

constexpr UnixSeconds kNow = 1760000000;

std::shared_ptr<const BearerIdentity> identity(const std::string& token) {
  auto made = std::make_shared<BearerIdentity>();
  made->token = token;
  return made;
}

TEST(GateTokenCache, FindsWhatWasInsertedUnderTheSameRule) {
  VerifiedTokenCache cache(100);
  EXPECT_EQ(cache.find(0, "t1", kNow), nullptr);
  const auto stored = identity("t1");
  cache.insert(0, "t1", stored, kNow + 60, kNow);
  EXPECT_EQ(cache.find(0, "t1", kNow), stored);
  EXPECT_EQ(cache.find(1, "t1", kNow), nullptr);  // another rule: another entry
  EXPECT_EQ(cache.find(0, "t2", kNow), nullptr);
  EXPECT_EQ(cache.find(0, "t", kNow), nullptr);
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.misses(), 4u);
  // A second insert for the same key replaces the entry.
  const auto newer = identity("t1");
  cache.insert(0, "t1", newer, kNow + 120, kNow);
  EXPECT_EQ(cache.find(0, "t1", kNow + 90), newer);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(GateTokenCache, AnExpiredEntryIsNotUsedAndIsDropped) {
  VerifiedTokenCache cache(100);
  cache.insert(0, "t", identity("t"), kNow + 60, kNow);
  EXPECT_NE(cache.find(0, "t", kNow + 59), nullptr);
  EXPECT_EQ(cache.find(0, "t", kNow + 60), nullptr);  // validUntil is exclusive
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.find(0, "t", kNow), nullptr);  // gone, even for an earlier clock
  // Already expired or empty entries are not stored at all.
  cache.insert(0, "old", identity("old"), kNow, kNow);
  cache.insert(0, "none", nullptr, kNow + 60, kNow);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(GateTokenCache, CapacityIsRespected) {
  for (const std::size_t capacity :
       {std::size_t{1}, std::size_t{3}, std::size_t{64}, std::size_t{100}, std::size_t{1000}}) {
    VerifiedTokenCache cache(capacity);
    for (int i = 0; i < 5000; ++i) {
      const std::string token = "token-" + std::to_string(i);
      cache.insert(0, token, identity(token), kNow + 60, kNow);
      ASSERT_LE(cache.size(), capacity) << capacity;
      // The entry just inserted is always there.
      ASSERT_NE(cache.find(0, token, kNow), nullptr) << capacity << " " << i;
    }
  }
  VerifiedTokenCache off(0);
  off.insert(0, "t", identity("t"), kNow + 60, kNow);
  EXPECT_EQ(off.size(), 0u);
  EXPECT_EQ(off.find(0, "t", kNow), nullptr);
}

TEST(GateTokenCache, AFullCacheDropsExpiredEntriesFirst) {
  VerifiedTokenCache cache(3);  // small: a slot of 3
  cache.insert(0, "short", identity("short"), kNow + 10, kNow);
  cache.insert(0, "long-1", identity("long-1"), kNow + 100, kNow);
  cache.insert(0, "long-2", identity("long-2"), kNow + 100, kNow);
  cache.insert(0, "new", identity("new"), kNow + 100, kNow + 20);
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_NE(cache.find(0, "long-1", kNow + 20), nullptr);
  EXPECT_NE(cache.find(0, "long-2", kNow + 20), nullptr);
  EXPECT_NE(cache.find(0, "new", kNow + 20), nullptr);
  // Nothing expired: one arbitrary entry makes room.
  cache.insert(0, "newest", identity("newest"), kNow + 100, kNow + 20);
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_NE(cache.find(0, "newest", kNow + 20), nullptr);
}

TEST(GateTokenCache, IsSafeToShareBetweenThreads) {
  VerifiedTokenCache cache(256);
  constexpr int kThreads = 4;
  constexpr int kRounds = 2000;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&cache, &wrong, t] {
      for (int i = 0; i < kRounds; ++i) {
        const std::string token = "t" + std::to_string((i * 7 + t) % 500);
        if (auto found = cache.find(0, token, kNow); found && found->token != token) {
          ++wrong;
        }
        cache.insert(0, token, identity(token), kNow + 60, kNow);
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(cache.hits() + cache.misses(), std::uint64_t{kThreads * kRounds});
  // Each thread has its own slot of at most the capacity (expiring_cache.h rule 4).
  EXPECT_LE(cache.size(), kThreads * 256u);
}

}  // namespace
}  // namespace authgate::core::gate
