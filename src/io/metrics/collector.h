#pragma once
// What GET /metrics shows: the request metrics of a MetricsObserver plus the counters that the
// live objects already keep (HTTP server, gRPC service, IdP client, bearer-token cache,
// policies), read and rendered at scrape time, so nothing on the request path pays for them.
//
// Usage (app/metrics_wiring.cc):
//   metrics::CollectorSources sources{.version = AUTHGATE_VERSION, .server = &server,
//                                     .providers = {{"default", provider.get()}},
//                                     .gate = &runner.gate(), .observer = &observer};
//   std::string body = metrics::collect(sources);      // text format 0.0.4
//
// Every pointer may be null: its families are then left out (a gRPC listener that is off, no
// bearer-token rules). The pointed-to objects must outlive every collect() call.

#include <string>
#include <string_view>
#include <vector>

#include "core/gate/gate.h"
#include "io/grpc/ext_authz_service.h"
#include "io/http/server.h"
#include "io/idp/bearer_keys.h"
#include "io/idp/provider.h"
#include "io/metrics/metrics_observer.h"
#include "io/metrics/text_format.h"

namespace authgate::io::metrics {

// A login provider and its id (the `providers:` entry's, "default" without that section).
struct ProviderSource {
  std::string id;
  const idp::Provider* provider = nullptr;
};

struct CollectorSources {
  std::string_view version;                             // authgate_build_info{version}
  const http::Server* server = nullptr;                 // the main listener
  const extauthz::ExtAuthzService* extAuthz = nullptr;  // Envoy ext_authz over gRPC
  std::vector<ProviderSource> providers;                // the login providers
  const idp::BearerKeys* bearerKeys = nullptr;          // the bearer-token rules' key sets
  const core::gate::Gate* gate = nullptr;               // policies, bearer-token cache
  const MetricsObserver* observer = nullptr;            // requests and login-flow events
};

// The whole scrape.
std::string collect(const CollectorSources& sources);

// The parts, for tests.
void renderServer(TextWriter& out, const http::ServerCounters& counters, std::size_t active);
void renderIdp(TextWriter& out, const idp::IdpCountersSnapshot& counters);
void renderGate(TextWriter& out, const core::gate::Gate& gate);
// process_resident_memory_bytes from /proc/self/statm; nothing where that file is missing.
void renderProcess(TextWriter& out);

}  // namespace authgate::io::metrics
