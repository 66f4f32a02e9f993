#include "app/metrics_wiring.h"

#include <spdlog/spdlog.h>

#include <string_view>

#include "app/wiring.h"

namespace authgate::app {
namespace {

constexpr std::string_view kKey = "server.metrics_address";

core::Result<io::http::ServerOptions, std::string> metricsServerOptions(std::string_view text) {
  auto address = splitAddress(kKey, text);
  if (!address) {
    return core::fail(address.error());
  }
  io::http::ServerOptions options;
  options.address = address->host;
  options.port = address->port;
  // A scrape every few seconds from a handful of Prometheus servers: one thread is plenty, and
  // a small connection limit keeps a misbehaving client from holding more.
  options.threads = 1;
  options.maxConnections = 64;
  options.maxBodyBytes = 4096;
  options.headerTimeout = std::chrono::seconds(5);
  options.idleTimeout = std::chrono::seconds(30);
  options.drainTimeout = std::chrono::seconds(1);
  return options;
}

}  // namespace

MetricsListener::MetricsListener(io::http::ServerOptions options,
                                 io::metrics::CollectorSources sources)
    : sources_(sources),
      handler_([this] { return io::metrics::collect(sources_); }),
      server_(std::move(options), handler_) {}

MetricsListener::~MetricsListener() {
  server_.stop();
}

core::Result<std::unique_ptr<MetricsListener>, std::string> startMetricsListener(
    const std::string& address, const io::metrics::CollectorSources& sources) {
  if (address.empty()) {
    return std::unique_ptr<MetricsListener>();
  }
  auto options = metricsServerOptions(address);
  if (!options) {
    return core::fail(options.error());
  }
  const std::string host = options->address;
  auto listener = std::make_unique<MetricsListener>(std::move(*options), sources);
  if (auto started = listener->start(); !started) {
    return core::fail(std::string(kKey) + ": " + started.error());
  }
  const bool ipv6 = host.find(':') != std::string::npos;
  spdlog::info("serving metrics on http://{}{}{}:{}/metrics", ipv6 ? "[" : "", host,
               ipv6 ? "]" : "", listener->port());
  return listener;
}

}  // namespace authgate::app
