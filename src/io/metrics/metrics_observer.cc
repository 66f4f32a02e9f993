#include "io/metrics/metrics_observer.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace authgate::io::metrics {
namespace {

namespace gate = core::gate;
using frontend::FrontEnd;
using frontend::Verdict;

std::size_t requestSlot(FrontEnd frontEnd, Verdict verdict) {
  return static_cast<std::size_t>(frontEnd) * frontend::kVerdicts +
         static_cast<std::size_t>(verdict);
}

}  // namespace

MetricsObserver::MetricsObserver()
    : requests_(frontend::kFrontEnds * frontend::kVerdicts),
      latency_(frontend::kFrontEnds),
      flows_(kMaxFlowLabelSets + gate::kFlowSteps) {}

void MetricsObserver::observe(const frontend::DecisionRecord& record) noexcept {
  requests_.add(requestSlot(record.frontEnd, record.verdict()));
  latency_.observe(static_cast<std::size_t>(record.frontEnd), record.latency);
  const gate::FlowEvent flow = record.flow();
  if (flow.step != gate::FlowStep::None) {
    flows_.add(flowSlot(flow.step, flow.outcome));
  }
}

std::size_t MetricsObserver::flowSlot(gate::FlowStep step, std::string_view outcome) noexcept {
  for (std::size_t slot = 0; slot < kMaxFlowLabelSets; ++slot) {
    FlowLabelSet& entry = flowLabels_[slot];
    std::uint8_t state = entry.state.load(std::memory_order_acquire);
    if (state == 0) {
      if (entry.state.compare_exchange_strong(state, 1, std::memory_order_acquire)) {
        entry.step = step;
        entry.outcome = outcome;
        entry.state.store(2, std::memory_order_release);
        return slot;
      }
      // Another thread claimed it meanwhile: `state` now holds what it saw.
    }
    // A slot being written (1) is skipped: at worst the same pair gets two slots, which the
    // scrape adds together.
    if (state == 2 && entry.step == step && entry.outcome == outcome) {
      return slot;
    }
  }
  return kMaxFlowLabelSets + static_cast<std::size_t>(step);
}

std::uint64_t MetricsObserver::requests(FrontEnd frontEnd, Verdict verdict) const {
  return requests_.totals()[requestSlot(frontEnd, verdict)];
}

HistogramSnapshot MetricsObserver::latency(FrontEnd frontEnd) const {
  return latency_.snapshot(static_cast<std::size_t>(frontEnd));
}

std::uint64_t MetricsObserver::flowEvents(gate::FlowStep step, std::string_view outcome) const {
  const std::vector<std::uint64_t> totals = flows_.totals();
  std::uint64_t total = 0;
  for (std::size_t slot = 0; slot < kMaxFlowLabelSets; ++slot) {
    const FlowLabelSet& entry = flowLabels_[slot];
    if (entry.state.load(std::memory_order_acquire) == 2 && entry.step == step &&
        entry.outcome == outcome) {
      total += totals[slot];
    }
  }
  if (outcome == "other") {
    total += totals[kMaxFlowLabelSets + static_cast<std::size_t>(step)];
  }
  return total;
}

void MetricsObserver::render(TextWriter& out) const {
  out.family("authgate_requests_total", MetricType::Counter,
             "Requests answered, by front end and decision.");
  const std::vector<std::uint64_t> requests = requests_.totals();
  for (std::size_t f = 0; f < frontend::kFrontEnds; ++f) {
    for (std::size_t v = 0; v < frontend::kVerdicts; ++v) {
      const auto frontEnd = static_cast<FrontEnd>(f);
      const auto verdict = static_cast<Verdict>(v);
      out.sample(
          "authgate_requests_total",
          {{"front_end", frontend::toString(frontEnd)}, {"decision", frontend::toString(verdict)}},
          requests[requestSlot(frontEnd, verdict)]);
    }
  }

  out.family("authgate_request_duration_seconds", MetricType::Histogram,
             "Time from a request's arrival to its answer, by front end.");
  const std::vector<HistogramSnapshot> latency = latency_.snapshots();
  for (std::size_t f = 0; f < frontend::kFrontEnds; ++f) {
    out.histogram("authgate_request_duration_seconds",
                  {{"front_end", frontend::toString(static_cast<FrontEnd>(f))}}, latency[f]);
  }

  // Ordered by (step, outcome), duplicates of a pair added together.
  std::map<std::pair<std::size_t, std::string_view>, std::uint64_t> flows;
  const std::vector<std::uint64_t> totals = flows_.totals();
  for (std::size_t slot = 0; slot < kMaxFlowLabelSets; ++slot) {
    const FlowLabelSet& entry = flowLabels_[slot];
    if (entry.state.load(std::memory_order_acquire) == 2) {
      flows[{static_cast<std::size_t>(entry.step), entry.outcome}] += totals[slot];
    }
  }
  for (std::size_t step = 0; step < gate::kFlowSteps; ++step) {
    if (const std::uint64_t other = totals[kMaxFlowLabelSets + step]; other != 0) {
      flows[{step, "other"}] += other;
    }
  }
  out.family("authgate_flow_events_total", MetricType::Counter,
             "Login-flow steps (login, callback, refresh, sign_out) by outcome.");
  for (const auto& [key, count] : flows) {
    out.sample(
        "authgate_flow_events_total",
        {{"step", gate::toString(static_cast<gate::FlowStep>(key.first))}, {"outcome", key.second}},
        count);
  }
}

}  // namespace authgate::io::metrics
