// Per-thread sharded counters and latency histograms: every increment from every thread is in
// the total, threads that exited still count, buckets follow Prometheus's `le`.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "io/metrics/histogram.h"
#include "io/metrics/sharded_counters.h"

namespace authgate::io::metrics {
namespace {

using namespace std::chrono_literals;

TEST(MetricsShardedCounters, StartAtZeroAndAddOnOneThread) {
  ShardedCounters counters(10);
  EXPECT_EQ(counters.totals(), std::vector<std::uint64_t>(10, 0));
  EXPECT_EQ(counters.shards(), 0u);
  counters.add(0);
  counters.add(9, 5);
  counters.add(10);  // out of range: ignored
  const auto totals = counters.totals();
  EXPECT_EQ(totals[0], 1u);
  EXPECT_EQ(totals[9], 5u);
  EXPECT_EQ(totals[1], 0u);
  EXPECT_EQ(counters.shards(), 1u);  // one thread, one shard however many adds
}

TEST(MetricsShardedCounters, MergesEveryThreadsShardAndKeepsExitedThreads) {
  constexpr int kThreads = 8;
  constexpr std::uint64_t kAdds = 20000;
  ShardedCounters counters(3);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&counters, t] {
      for (std::uint64_t i = 0; i < kAdds; ++i) {
        counters.add(0);
        counters.add(1 + static_cast<std::size_t>(t % 2), 2);
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();  // every thread has exited: its shard still counts
  }
  const auto totals = counters.totals();
  EXPECT_EQ(totals[0], kThreads * kAdds);
  EXPECT_EQ(totals[1], kThreads / 2 * kAdds * 2);
  EXPECT_EQ(totals[2], kThreads / 2 * kAdds * 2);
  EXPECT_EQ(counters.shards(), static_cast<std::size_t>(kThreads));
}

TEST(MetricsShardedCounters, ScrapesWhileThreadsCountAndNeverGoDown) {
  ShardedCounters counters(1);
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < 200000; ++i) {
      counters.add(0);
    }
    done = true;
  });
  std::uint64_t last = 0;
  while (!done) {
    const std::uint64_t now = counters.totals()[0];
    EXPECT_GE(now, last);
    last = now;
  }
  writer.join();
  EXPECT_EQ(counters.totals()[0], 200000u);
}

TEST(MetricsShardedCounters, TwoInstancesOnOneThreadStayApart) {
  ShardedCounters a(2);
  ShardedCounters b(2);
  a.add(1);
  b.add(1, 7);
  {
    ShardedCounters gone(2);  // a destroyed instance's id is never reused
    gone.add(0);
  }
  ShardedCounters c(2);
  c.add(0, 3);
  EXPECT_EQ(a.totals(), (std::vector<std::uint64_t>{0, 1}));
  EXPECT_EQ(b.totals(), (std::vector<std::uint64_t>{0, 7}));
  EXPECT_EQ(c.totals(), (std::vector<std::uint64_t>{3, 0}));
}

TEST(MetricsHistogram, BucketsAreUpperBoundsInclusive) {
  EXPECT_EQ(latencyBucket(0ns), 0u);
  EXPECT_EQ(latencyBucket(-5ns), 0u);
  EXPECT_EQ(latencyBucket(100us), 0u);  // le="0.0001" includes 0.0001
  EXPECT_EQ(latencyBucket(100001ns), 1u);
  EXPECT_EQ(latencyBucket(1ms), 3u);
  EXPECT_EQ(latencyBucket(10s), 15u);
  EXPECT_EQ(latencyBucket(10s + 1ns), 16u);  // +Inf
  EXPECT_EQ(latencyBucket(1h), kLatencyBuckets - 1);
}

TEST(MetricsHistogram, CountsSumsAndKeepsSeriesApartAcrossThreads) {
  LatencyHistograms histograms(2);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&histograms] {
      for (int i = 0; i < 1000; ++i) {
        histograms.observe(0, 2ms);  // le 0.0025
        histograms.observe(1, 30s);  // +Inf
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  histograms.observe(5, 1ms);  // unknown series: ignored
  const HistogramSnapshot first = histograms.snapshot(0);
  EXPECT_EQ(first.count(), 4000u);
  EXPECT_EQ(first.buckets[latencyBucket(2ms)], 4000u);
  EXPECT_EQ(first.sumNanos, std::uint64_t{4000} * 2'000'000);
  EXPECT_DOUBLE_EQ(first.sumSeconds(), 8.0);
  const HistogramSnapshot second = histograms.snapshots()[1];
  EXPECT_EQ(second.count(), 4000u);
  EXPECT_EQ(second.buckets[kLatencyBuckets - 1], 4000u);

  HistogramSnapshot both = first;
  both += second;
  EXPECT_EQ(both.count(), 8000u);
  EXPECT_EQ(both.sumNanos, first.sumNanos + second.sumNanos);
}

}  // namespace
}  // namespace authgate::io::metrics
