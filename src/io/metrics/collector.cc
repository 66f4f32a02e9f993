#include "io/metrics/collector.h"

#include <unistd.h>

#include <fstream>
#include <map>

#include "core/gate/bearer.h"

namespace authgate::io::metrics {
namespace {

namespace gate = core::gate;

// The sum of the login providers' and the bearer-token key sets' counters: all talk to IdPs.
idp::IdpCountersSnapshot operator+(idp::IdpCountersSnapshot a, const idp::IdpCountersSnapshot& b) {
  a.discoveryAttempts += b.discoveryAttempts;
  a.discoverySuccesses += b.discoverySuccesses;
  a.jwksFetches += b.jwksFetches;
  a.jwksFetchSuccesses += b.jwksFetchSuccesses;
  a.jwksFetchFailures += b.jwksFetchFailures;
  a.unknownKidLookups += b.unknownKidLookups;
  a.unknownKidRateLimited += b.unknownKidRateLimited;
  a.userinfoCalls += b.userinfoCalls;
  a.userinfoFailures += b.userinfoFailures;
  for (std::size_t grant = 0; grant < idp::kGrants; ++grant) {
    for (std::size_t outcome = 0; outcome < idp::kTokenOutcomes; ++outcome) {
      a.tokenCalls[grant][outcome] += b.tokenCalls[grant][outcome];
    }
  }
  for (std::size_t endpoint = 0; endpoint < idp::kIdpEndpoints; ++endpoint) {
    for (std::size_t outcome = 0; outcome < idp::kTokenOutcomes; ++outcome) {
      a.calls[endpoint][outcome] += b.calls[endpoint][outcome];
    }
    a.latency[endpoint] += b.latency[endpoint];
  }
  return a;
}

void counter(TextWriter& out, std::string_view name, std::string_view help, std::uint64_t value) {
  out.family(name, MetricType::Counter, help);
  out.sample(name, {}, value);
}

void gauge(TextWriter& out, std::string_view name, std::string_view help, double value) {
  out.family(name, MetricType::Gauge, help);
  out.sample(name, Labels{}, value);
}

std::string_view grantLabel(core::oidc::Grant grant) {
  switch (grant) {
    case core::oidc::Grant::AuthorizationCode:
      return "authorization_code";
    case core::oidc::Grant::RefreshToken:
      return "refresh_token";
  }
  return "authorization_code";
}

void renderExtAuthz(TextWriter& out, const extauthz::ExtAuthzCounters& counters) {
  out.family("authgate_grpc_checks_total", MetricType::Counter,
             "Envoy ext_authz gRPC Check calls answered, by result.");
  out.sample("authgate_grpc_checks_total", {{"result", "allowed"}}, counters.allowed);
  out.sample("authgate_grpc_checks_total", {{"result", "denied"}}, counters.denied);
  out.sample("authgate_grpc_checks_total", {{"result", "failed"}}, counters.failures);
  counter(out, "authgate_grpc_checks_resumed_total",
          "gRPC checks that waited for the IdP (code exchange, refresh) before their answer.",
          counters.resumed);
}

}  // namespace

void renderServer(TextWriter& out, const http::ServerCounters& counters, std::size_t active) {
  gauge(out, "authgate_active_connections", "Open connections on the HTTP(S) listeners.",
        static_cast<double>(active));
  counter(out, "authgate_http_connections_total", "Connections accepted and served.",
          counters.connectionsAccepted);
  counter(out, "authgate_http_connections_rejected_total",
          "Connections closed at once because server.max_connections was reached.",
          counters.connectionsRejected);
  counter(out, "authgate_http_requests_total", "HTTP requests read and handed to the gate.",
          counters.requests);
  out.family("authgate_http_request_errors_total", MetricType::Counter,
             "HTTP requests or connections that failed in the server, by reason.");
  const std::pair<std::string_view, std::uint64_t> errors[] = {
      {"bad_request", counters.badRequests},
      {"headers_too_large", counters.headersTooLarge},
      {"body_too_large", counters.bodiesTooLarge},
      {"timeout", counters.timeouts},
      {"handler_failure", counters.handlerFailures},
      {"tls_handshake", counters.tlsHandshakeFailures},
  };
  for (const auto& [reason, value] : errors) {
    out.sample("authgate_http_request_errors_total", {{"reason", reason}}, value);
  }
  counter(out, "authgate_http_upgrades_total",
          "Connections handed over after a 101 (WebSocket through the proxy).", counters.upgrades);
}

void renderIdp(TextWriter& out, const idp::IdpCountersSnapshot& counters) {
  out.family("authgate_idp_requests_total", MetricType::Counter,
             "Requests to the identity provider, by endpoint and outcome.");
  for (std::size_t e = 0; e < idp::kIdpEndpoints; ++e) {
    for (std::size_t o = 0; o < idp::kTokenOutcomes; ++o) {
      out.sample("authgate_idp_requests_total",
                 {{"endpoint", idp::toString(static_cast<idp::IdpEndpoint>(e))},
                  {"outcome", idp::toString(static_cast<idp::TokenOutcome>(o))}},
                 counters.calls[e][o]);
    }
  }
  out.family("authgate_idp_request_duration_seconds", MetricType::Histogram,
             "Latency of requests to the identity provider, by endpoint.");
  for (std::size_t e = 0; e < idp::kIdpEndpoints; ++e) {
    out.histogram("authgate_idp_request_duration_seconds",
                  {{"endpoint", idp::toString(static_cast<idp::IdpEndpoint>(e))}},
                  counters.latency[e]);
  }
  out.family("authgate_idp_token_grants_total", MetricType::Counter,
             "Token endpoint grants, by grant type and outcome (\"unavailable\" includes calls "
             "refused before discovery).");
  for (std::size_t g = 0; g < idp::kGrants; ++g) {
    for (std::size_t o = 0; o < idp::kTokenOutcomes; ++o) {
      out.sample("authgate_idp_token_grants_total",
                 {{"grant", grantLabel(static_cast<core::oidc::Grant>(g))},
                  {"outcome", idp::toString(static_cast<idp::TokenOutcome>(o))}},
                 counters.tokenCalls[g][o]);
    }
  }
  out.family("authgate_jwks_refreshes_total", MetricType::Counter,
             "JWKS fetches (initial, expiry, unknown kid), by outcome.");
  out.sample("authgate_jwks_refreshes_total", {{"outcome", "ok"}}, counters.jwksFetchSuccesses);
  out.sample("authgate_jwks_refreshes_total", {{"outcome", "error"}}, counters.jwksFetchFailures);
  counter(out, "authgate_jwks_unknown_kid_total",
          "Tokens whose kid was not in the key set (each may trigger a refresh).",
          counters.unknownKidLookups);
  counter(out, "authgate_jwks_unknown_kid_rate_limited_total",
          "Unknown-kid lookups that fetched nothing because of the refresh rate limit.",
          counters.unknownKidRateLimited);
}

void renderGate(TextWriter& out, const gate::Gate& theGate) {
  const gate::GateSettings& settings = theGate.settings();
  if (settings.bearer) {
    const gate::VerifiedTokenCache& cache = settings.bearer->cache();
    counter(out, "authgate_token_cache_hits_total",
            "Bearer tokens found in the verified-token cache (no signature check).", cache.hits());
    counter(out, "authgate_token_cache_misses_total",
            "Bearer tokens not in the verified-token cache (verified, then cached).",
            cache.misses());
  }
  const gate::PolicyCounters& policies = theGate.policyCounters();
  // Two policies of one name (from two files) share a series: a family must not repeat one.
  std::map<std::string_view, std::uint64_t> matches;
  const auto& list = settings.policies.policies();
  for (std::size_t index = 0; index < list.size(); ++index) {
    matches[list[index].name] += policies.matched(index);
  }
  out.family("authgate_policy_matches_total", MetricType::Counter,
             "Requests a DENY or ALLOW policy decided, or an AUDIT policy matched, by policy.");
  for (const auto& [name, value] : matches) {
    out.sample("authgate_policy_matches_total", {{"policy", name}}, value);
  }
  counter(out, "authgate_policy_denied_no_allow_match_total",
          "Requests denied because ALLOW policies exist and none matched.",
          policies.deniedNoAllowMatch());
  counter(out, "authgate_policy_allowed_no_allow_policies_total",
          "Requests allowed because no policy denied and there are no ALLOW policies.",
          policies.allowedNoAllowPolicies());
}

void renderProcess(TextWriter& out) {
  // statm: size resident shared text lib data dt, in pages (proc(5)).
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size = 0;
  std::uint64_t resident = 0;
  const long page = ::sysconf(_SC_PAGESIZE);
  if (!(statm >> size >> resident) || page <= 0) {
    return;
  }
  gauge(out, "process_resident_memory_bytes", "Resident memory size in bytes.",
        static_cast<double>(resident * static_cast<std::uint64_t>(page)));
}

std::string collect(const CollectorSources& sources) {
  TextWriter out;
  out.family("authgate_build_info", MetricType::Gauge, "authgate's version; always 1.");
  out.sample("authgate_build_info", {{"version", sources.version}}, std::uint64_t{1});
  if (sources.observer != nullptr) {
    sources.observer->render(out);
  }
  if (sources.server != nullptr) {
    renderServer(out, sources.server->counters(), sources.server->activeConnections());
  }
  if (sources.extAuthz != nullptr) {
    renderExtAuthz(out, sources.extAuthz->counters());
  }
  if (!sources.providers.empty() || sources.bearerKeys != nullptr) {
    idp::IdpCountersSnapshot idpCounters;
    for (const ProviderSource& source : sources.providers) {
      idpCounters = idpCounters + source.provider->counters();
    }
    if (sources.bearerKeys != nullptr) {
      idpCounters = idpCounters + sources.bearerKeys->counters();
    }
    renderIdp(out, idpCounters);
  }
  if (!sources.providers.empty()) {
    out.family("authgate_idp_up", MetricType::Gauge,
               "1 while the identity provider answers its health probe, else 0, by provider.");
    for (const ProviderSource& source : sources.providers) {
      const Label provider{"provider", source.id};
      out.sample("authgate_idp_up", Labels(&provider, 1), source.provider->reachable() ? 1.0 : 0.0);
    }
  }
  if (sources.gate != nullptr) {
    renderGate(out, *sources.gate);
  }
  renderProcess(out);
  return std::move(out).text();
}

}  // namespace authgate::io::metrics
