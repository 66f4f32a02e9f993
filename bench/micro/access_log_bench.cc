// Cost of the access log on the allow path: AccessLog::observe() formats one whole line into the
// request thread's batch, which reaches the asynchronous logger's queue once per 32 KiB (or by
// the flusher). Measured against a null sink (the writer thread's stderr write is off the
// request path), for one and for two request threads, and the formatting alone.

#include <benchmark/benchmark.h>
#include <spdlog/sinks/null_sink.h>

#include <memory>

#include "io/logging/access_log.h"
#include "io/logging/log_setup.h"

namespace authgate {
namespace {

namespace logging = io::logging;
using io::frontend::DecisionRecord;

const core::gate::Decision& allowed() {
  static const core::gate::Decision decision = [] {
    core::gate::Allow allow;
    allow.headers = std::make_shared<const core::gate::AllowedHeaders>(core::gate::AllowedHeaders{
        .upstream = {}, .gateway = {}, .remove = {}, .user = "alice@example.com"});
    return core::gate::Decision(allow);
  }();
  return decision;
}

DecisionRecord record() {
  return {.frontEnd = io::frontend::FrontEnd::ReverseProxy,
          .requestId = "Z3JhbmRtYS1yZXF1ZXN0LWlk",
          .method = "GET",
          .host = "app.example.com",
          .path = "/api/v1/items/42/details",
          .decision = &allowed(),
          .status = 200,
          .latency = std::chrono::microseconds(850)};
}

void formatOnly(benchmark::State& state, logging::LogFormat format) {
  const logging::AccessLog access(nullptr, format);
  const DecisionRecord line_of = record();
  for (auto _ : state) {
    logging::LineBuffer line;
    access.format(line_of, line);
    benchmark::DoNotOptimize(line.data());
  }
}

void BM_AccessLogFormatJson(benchmark::State& state) {
  formatOnly(state, logging::LogFormat::Json);
}
BENCHMARK(BM_AccessLogFormatJson);

void BM_AccessLogFormatText(benchmark::State& state) {
  formatOnly(state, logging::LogFormat::Text);
}
BENCHMARK(BM_AccessLogFormatText);

// The pipeline, shared by the benchmark's threads (set up by thread 0).
std::unique_ptr<logging::Logging> pipeline;

void BM_AccessLogObserveJson(benchmark::State& state) {
  if (state.thread_index() == 0) {
    pipeline = logging::configureLogging({.format = logging::LogFormat::Json,
                                          .accessLog = true,
                                          .sink = std::make_shared<spdlog::sinks::null_sink_mt>()});
  }
  const DecisionRecord line_of = record();
  for (auto _ : state) {
    pipeline->accessLog()->observe(line_of);
  }
  if (state.thread_index() == 0) {
    state.counters["dropped"] = static_cast<double>(pipeline->droppedLines());
    pipeline.reset();
  }
}
BENCHMARK(BM_AccessLogObserveJson)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
}  // namespace authgate
