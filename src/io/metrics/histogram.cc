#include "io/metrics/histogram.h"

namespace authgate::io::metrics {

std::size_t latencyBucket(std::chrono::nanoseconds latency) noexcept {
  const auto nanos =
      latency.count() < 0 ? std::uint64_t{0} : static_cast<std::uint64_t>(latency.count());
  std::size_t bucket = 0;
  while (bucket < kLatencyBoundsNanos.size() && nanos > kLatencyBoundsNanos[bucket]) {
    ++bucket;
  }
  return bucket;
}

std::uint64_t HistogramSnapshot::count() const {
  std::uint64_t total = 0;
  for (const std::uint64_t bucket : buckets) {
    total += bucket;
  }
  return total;
}

HistogramSnapshot& HistogramSnapshot::operator+=(const HistogramSnapshot& other) {
  for (std::size_t bucket = 0; bucket < kLatencyBuckets; ++bucket) {
    buckets[bucket] += other.buckets[bucket];
  }
  sumNanos += other.sumNanos;
  return *this;
}

LatencyHistograms::LatencyHistograms(std::size_t series)
    : series_(series), counters_(series * kSlotsPerSeries) {}

void LatencyHistograms::observe(std::size_t series, std::chrono::nanoseconds latency) noexcept {
  if (series >= series_) {
    return;
  }
  const std::size_t base = series * kSlotsPerSeries;
  counters_.add(base + latencyBucket(latency));
  counters_.add(base + kLatencyBuckets,
                latency.count() < 0 ? 0 : static_cast<std::uint64_t>(latency.count()));
}

HistogramSnapshot LatencyHistograms::snapshot(std::size_t series) const {
  if (series >= series_) {
    return {};
  }
  return snapshots()[series];
}

std::vector<HistogramSnapshot> LatencyHistograms::snapshots() const {
  const std::vector<std::uint64_t> totals = counters_.totals();
  std::vector<HistogramSnapshot> out(series_);
  for (std::size_t series = 0; series < series_; ++series) {
    const std::size_t base = series * kSlotsPerSeries;
    for (std::size_t bucket = 0; bucket < kLatencyBuckets; ++bucket) {
      out[series].buckets[bucket] = totals[base + bucket];
    }
    out[series].sumNanos = totals[base + kLatencyBuckets];
  }
  return out;
}

}  // namespace authgate::io::metrics
