#pragma once
// The metrics of every answered request, as a DecisionObserver that each front end calls:
//   authgate_requests_total{front_end, decision}        counter
//   authgate_request_duration_seconds{front_end}        histogram
//   authgate_flow_events_total{step, outcome}           counter, login-flow steps only
//
// Usage:
//   metrics::MetricsObserver metrics;
//   observers.add(metrics);                 // io::frontend::ObserverList
//   ... later, on a scrape ...
//   metrics::TextWriter out;
//   metrics.render(out);
//
// observe() runs on the allow path of every request, on every thread: it takes no lock,
// allocates nothing and formats no string. Labels are indices into fixed tables (front end x
// verdict is a 5x6 array); a flow outcome (static text from the core) is found in, or added
// to, a small lock-free table of at most kMaxFlowLabelSets (step, outcome) pairs, past which
// it is counted as outcome "other" so that a bug elsewhere cannot grow the label sets.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "io/frontend/decision_observer.h"
#include "io/metrics/histogram.h"
#include "io/metrics/sharded_counters.h"
#include "io/metrics/text_format.h"

namespace authgate::io::metrics {

class MetricsObserver final : public frontend::DecisionObserver {
 public:
  static constexpr std::size_t kMaxFlowLabelSets = 64;

  MetricsObserver();

  void observe(const frontend::DecisionRecord& record) noexcept override;

  // Appends the three families above (every front end x decision pair, with zeros, so that
  // rates work from the first scrape).
  void render(TextWriter& out) const;

  // For tests and the collector: the count of one label set.
  std::uint64_t requests(frontend::FrontEnd frontEnd, frontend::Verdict verdict) const;
  std::uint64_t flowEvents(core::gate::FlowStep step, std::string_view outcome) const;
  HistogramSnapshot latency(frontend::FrontEnd frontEnd) const;

 private:
  // One (step, outcome) pair. `state` goes 0 (free) -> 1 (being written) -> 2 (published);
  // step and outcome are written before the release store of 2 and read after its acquire.
  struct FlowLabelSet {
    std::atomic<std::uint8_t> state{0};
    core::gate::FlowStep step = core::gate::FlowStep::None;
    std::string_view outcome;
  };
  // The slot of (step, outcome), claiming a free one if needed; kMaxFlowLabelSets + step when
  // the table is full (the "other" counter of that step).
  std::size_t flowSlot(core::gate::FlowStep step, std::string_view outcome) noexcept;

  ShardedCounters requests_;  // frontEnd * kVerdicts + verdict
  LatencyHistograms latency_;
  ShardedCounters flows_;  // flowSlot(); the last kFlowSteps: overflow per step
  std::array<FlowLabelSet, kMaxFlowLabelSets> flowLabels_{};
};

}  // namespace authgate::io::metrics
