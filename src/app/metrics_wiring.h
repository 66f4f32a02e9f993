#pragma once
// The Prometheus listener (server.metrics_address): a second io::http::Server with one thread
// that answers GET /metrics from the live objects (io/metrics/collector.h).
//
// Usage (serve_command.cc):
//   auto metrics = startMetricsListener(cfg.server.metricsAddress, sources);
//   if (!metrics) { std::cerr << metrics.error(); ... }   // names server.metrics_address
//   // *metrics is null when the address is "" (off); the listener stops when destroyed.

#include <cstdint>
#include <memory>
#include <string>

#include "core/result.h"
#include "io/http/server.h"
#include "io/metrics/collector.h"
#include "io/metrics/metrics_handler.h"

namespace authgate::app {

class MetricsListener {
 public:
  MetricsListener(io::http::ServerOptions options, io::metrics::CollectorSources sources);
  ~MetricsListener();  // stops the listener
  MetricsListener(const MetricsListener&) = delete;
  MetricsListener& operator=(const MetricsListener&) = delete;

  core::Result<core::Ok, std::string> start() { return server_.start(); }
  std::uint16_t port() const { return server_.httpPort(); }
  void stop() { server_.stop(); }

 private:
  io::metrics::CollectorSources sources_;
  io::metrics::MetricsHandler handler_;
  io::http::Server server_;
};

// Binds `address` ("host:port"; port 0 = any free port) and logs
// "serving metrics on http://<host>:<port>/metrics" with the bound port. Null when `address`
// is empty. The objects behind `sources` must outlive the returned listener.
core::Result<std::unique_ptr<MetricsListener>, std::string> startMetricsListener(
    const std::string& address, const io::metrics::CollectorSources& sources);

}  // namespace authgate::app
