#pragma once
// Latency histograms with fixed buckets, sharded per thread like ShardedCounters (one histogram
// per series, e.g. per front end), and the value a scrape reads.
//
// Usage:
//   LatencyHistograms latency(kFrontEnds);          // one series per front end
//   latency.observe(series, record.latency);         // any thread, no lock, no allocation
//   HistogramSnapshot seen = latency.snapshot(series);
//   writer.histogram("authgate_request_duration_seconds", {{"front_end", "proxy"}}, seen);
//
// The buckets (seconds) are Prometheus's usual latency spread, from 100 µs to 10 s, plus +Inf.
// The sum is kept in integer nanoseconds so shards add up exactly; the count is the sum of the
// buckets, so _count always equals the +Inf bucket.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "io/metrics/sharded_counters.h"

namespace authgate::io::metrics {

// Upper bounds of the finite buckets, in nanoseconds (0.0001 s ... 10 s).
inline constexpr std::array<std::uint64_t, 16> kLatencyBoundsNanos{
    100'000,       250'000,       500'000,       1'000'000,     2'500'000,   5'000'000,
    10'000'000,    25'000'000,    50'000'000,    100'000'000,   250'000'000, 500'000'000,
    1'000'000'000, 2'500'000'000, 5'000'000'000, 10'000'000'000};
// Finite buckets plus +Inf.
inline constexpr std::size_t kLatencyBuckets = kLatencyBoundsNanos.size() + 1;

// The bucket an observation falls in: the first whose bound is >= the value (Prometheus's `le`).
std::size_t latencyBucket(std::chrono::nanoseconds latency) noexcept;

struct HistogramSnapshot {
  std::array<std::uint64_t, kLatencyBuckets> buckets{};  // per bucket, not cumulative
  std::uint64_t sumNanos = 0;

  std::uint64_t count() const;
  double sumSeconds() const { return static_cast<double>(sumNanos) / 1e9; }
  HistogramSnapshot& operator+=(const HistogramSnapshot& other);
};

class LatencyHistograms {
 public:
  explicit LatencyHistograms(std::size_t series);

  std::size_t series() const { return series_; }
  // Counts one observation in `series` (a negative latency counts as 0; an unknown series is
  // ignored).
  void observe(std::size_t series, std::chrono::nanoseconds latency) noexcept;
  HistogramSnapshot snapshot(std::size_t series) const;
  // Every series at once (one pass over the shards).
  std::vector<HistogramSnapshot> snapshots() const;

 private:
  static constexpr std::size_t kSlotsPerSeries = kLatencyBuckets + 1;  // buckets, then the sum
  const std::size_t series_;
  ShardedCounters counters_;
};

}  // namespace authgate::io::metrics
