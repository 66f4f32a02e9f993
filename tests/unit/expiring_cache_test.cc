// The per-thread expiring cache (expiring_cache.h): each thread has its own slot, bounded by
// slotCapacity(); erase() reaches every slot; thread indices are given back and reused; threads
// beyond kMaxThreadIndices share a locked fallback; the counters sum every slot.
#include "core/gate/expiring_cache.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace authgate::core::gate {
namespace {

constexpr UnixSeconds kNow = 1760000000;
using Cache = ExpiringCache<std::string>;

Cache::Key keyOf(const std::string& name) {
  return crypto::sha256({name});
}

void put(Cache& cache, const std::string& name, UnixSeconds validUntil = kNow + 60) {
  cache.insert(keyOf(name), std::make_shared<const std::string>(name), validUntil, kNow);
}

bool has(Cache& cache, const std::string& name, UnixSeconds now = kNow) {
  const auto found = cache.find(keyOf(name), now);
  return found && *found == name;
}

// Runs `action` on a new thread and waits for it.
template <typename Action>
void onAnotherThread(Action action) {
  std::thread thread(action);
  thread.join();
}

TEST(ExpiringCache, SlotCapacitySplitsTheCapacityBetweenTheExpectedThreads) {
  EXPECT_EQ(Cache(1000, 4).slotCapacity(), 250u);
  EXPECT_EQ(Cache(1000, 1).slotCapacity(), 1000u);
  EXPECT_EQ(Cache(100, 4).slotCapacity(), Cache::kMinSlotCapacity);  // not below the minimum
  EXPECT_EQ(Cache(10, 4).slotCapacity(), 10u);                       // nor above the capacity
  EXPECT_EQ(Cache(1000, 0).slotCapacity(), 1000u);
  EXPECT_EQ(Cache(0, 4).slotCapacity(), 0u);
}

TEST(ExpiringCache, OneThreadFillsItsSlotExactlyAndNoFurther) {
  Cache cache(1000, 4);
  for (int i = 0; i < 5000; ++i) {
    const std::string name = "k" + std::to_string(i);
    put(cache, name);
    ASSERT_TRUE(has(cache, name)) << i;  // the entry just inserted is always there
    ASSERT_EQ(cache.size(), std::min<std::size_t>(static_cast<std::size_t>(i) + 1, 250)) << i;
  }
}

TEST(ExpiringCache, AnEntryIsUsedUntilItsValidUntilThenDropped) {
  Cache cache(100, 1);
  put(cache, "a", kNow + 10);
  EXPECT_TRUE(has(cache, "a", kNow + 9));
  EXPECT_FALSE(has(cache, "a", kNow + 10));
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_FALSE(has(cache, "a", kNow));
}

TEST(ExpiringCache, AValueInsertedOnOneThreadIsAMissOnAnother) {
  Cache cache(100, 2);
  put(cache, "mine");
  onAnotherThread([&cache] {
    EXPECT_FALSE(has(cache, "mine"));
    cache.insert(keyOf("mine"), std::make_shared<const std::string>("theirs"), kNow + 60, kNow);
    EXPECT_EQ(*cache.find(keyOf("mine"), kNow), "theirs");
  });
  // The other thread's slot is not this one's; its entry is still counted.
  EXPECT_EQ(*cache.find(keyOf("mine"), kNow), "mine");
  EXPECT_EQ(cache.size(), 2u);
}

TEST(ExpiringCache, EraseOnOneThreadIsSeenByEveryOtherThread) {
  Cache cache(100, 2);
  std::latch inserted(1);
  std::latch erased(1);
  std::thread worker([&] {
    put(cache, "session");
    put(cache, "other");
    EXPECT_TRUE(has(cache, "session"));
    inserted.count_down();
    erased.wait();
    EXPECT_FALSE(has(cache, "session"));
    put(cache, "session");  // a request that read the session before the erase
    EXPECT_FALSE(has(cache, "session"));
    EXPECT_TRUE(has(cache, "other"));
  });
  inserted.wait();
  cache.erase(keyOf("session"));
  erased.count_down();
  worker.join();
  EXPECT_EQ(cache.size(), 1u);
}

TEST(ExpiringCache, ASlotThatMissedMoreErasuresThanAreKeptEmpties) {
  Cache cache(100, 1);
  put(cache, "kept-until-now");
  onAnotherThread([&cache] {
    for (std::size_t i = 0; i <= Cache::kErasedKeysKept; ++i) {
      cache.erase(keyOf("gone-" + std::to_string(i)));
    }
  });
  EXPECT_FALSE(has(cache, "kept-until-now"));
  EXPECT_EQ(cache.size(), 0u);
  put(cache, "gone-0");  // fell out of the list: may come back
  EXPECT_TRUE(has(cache, "gone-0"));
  put(cache, "gone-1");  // still in the list: refused
  EXPECT_FALSE(has(cache, "gone-1"));
}

TEST(ExpiringCache, AThreadStartedAfterAnotherExitedInheritsItsSlot) {
  Cache cache(1000, 1);
  constexpr int kThreads = 200;
  int inherited = 0;
  for (int i = 0; i < kThreads; ++i) {
    onAnotherThread([&cache, &inherited, i] {
      // The index the last thread gave back is the next one taken (thread_index.h rule 1).
      if (i > 0 && has(cache, "t" + std::to_string(i - 1))) {
        ++inherited;
      }
      put(cache, "t" + std::to_string(i));
    });
  }
  EXPECT_EQ(inherited, kThreads - 1);
  EXPECT_EQ(cache.size(), std::size_t{kThreads});  // all in one reused slot
}

TEST(ExpiringCache, ManyShortLivedThreadsNeverRunOutOfIndices) {
  Cache cache(1000, 1);
  constexpr int kBatches = 10;
  constexpr int kBatch = 20;
  std::atomic<int> ownEntriesFound{0};
  for (int batch = 0; batch < kBatches; ++batch) {
    std::vector<std::thread> threads;
    for (int t = 0; t < kBatch; ++t) {
      threads.emplace_back([&cache, &ownEntriesFound, batch, t] {
        const std::string name = std::to_string(batch) + "-" + std::to_string(t);
        put(cache, name);
        ownEntriesFound += has(cache, name) ? 1 : 0;
      });
    }
    for (auto& thread : threads) {
      thread.join();
    }
  }
  EXPECT_EQ(ownEntriesFound.load(), kBatches * kBatch);
  EXPECT_EQ(cache.hits(), std::uint64_t{kBatches * kBatch});
}

// More live threads than indices: the extra ones share the fallback slot, so each of them sees
// what every other fallback thread inserted, while an indexed thread sees only its own entry.
TEST(ExpiringCache, ThreadsBeyondTheIndicesShareTheFallbackSlot) {
  Cache cache(1000, 1);
  constexpr std::size_t kThreads = kMaxThreadIndices + 6;
  std::latch allInserted(kThreads);
  std::vector<std::size_t> found(kThreads, 0);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      put(cache, "t" + std::to_string(t));
      allInserted.arrive_and_wait();
      for (std::size_t other = 0; other < kThreads; ++other) {
        found[t] += has(cache, "t" + std::to_string(other)) ? 1u : 0u;
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  const auto fallbackThreads = static_cast<std::size_t>(
      std::count_if(found.begin(), found.end(), [](std::size_t n) { return n > 1; }));
  EXPECT_GE(fallbackThreads, 6u);
  for (const std::size_t count : found) {
    EXPECT_TRUE(count == 1 || count == fallbackThreads) << count;
  }
  EXPECT_EQ(cache.size(), kThreads);
  EXPECT_EQ(cache.hits(), kThreads - fallbackThreads + fallbackThreads * fallbackThreads);
}

TEST(ExpiringCache, CountersSumEverySlotAndCanBeReadWhileThreadsWork) {
  Cache cache(100, 2);
  constexpr int kThreads = 4;
  constexpr int kRounds = 1000;
  std::atomic<bool> done{false};
  std::uint64_t lastSeen = 0;
  bool neverWentBack = true;
  std::thread scraper([&] {
    while (!done.load()) {
      const std::uint64_t seen = cache.hits() + cache.misses();
      neverWentBack = neverWentBack && seen >= lastSeen;
      lastSeen = seen;
      EXPECT_LE(cache.size(), (kMaxThreadIndices + 1) * cache.slotCapacity());
    }
  });
  // No worker exits before all are done, so none inherits another's warm slot.
  std::latch allDone(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&cache, &allDone] {
      for (int i = 0; i < kRounds; ++i) {
        const std::string name = "k" + std::to_string(i % 10);
        if (!has(cache, name)) {  // a miss the first time round, a hit afterwards
          put(cache, name);
        }
      }
      allDone.arrive_and_wait();
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  done = true;
  scraper.join();
  EXPECT_TRUE(neverWentBack);
  EXPECT_EQ(cache.misses(), std::uint64_t{kThreads * 10});
  EXPECT_EQ(cache.hits(), std::uint64_t{kThreads * (kRounds - 10)});
  EXPECT_EQ(cache.size(), std::size_t{kThreads * 10});
}

TEST(ExpiringCache, CapacityZeroStoresNothingAndCountsMisses) {
  Cache cache(0);
  put(cache, "a");
  EXPECT_FALSE(has(cache, "a"));
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.misses(), 1u);
}

}  // namespace
}  // namespace authgate::core::gate
