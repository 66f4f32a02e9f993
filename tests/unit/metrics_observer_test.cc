// The request metrics (MetricsObserver), the /metrics handler and the collector's families for
// the server and IdP counters.
#include "io/metrics/metrics_observer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "io/metrics/collector.h"
#include "io/metrics/metrics_handler.h"

namespace authgate::io::metrics {
namespace {

using namespace std::chrono_literals;
namespace gate = core::gate;
using frontend::DecisionRecord;
using frontend::FrontEnd;
using frontend::Verdict;

bool contains(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

std::string render(const MetricsObserver& observer) {
  TextWriter out;
  observer.render(out);
  return std::move(out).text();
}

TEST(MetricsObserver, CountsRequestsByFrontEndAndVerdict) {
  MetricsObserver observer;
  const gate::Decision allow = gate::Allow{};
  const gate::Decision login = gate::Respond{.status = 302};
  observer.observe(
      {.frontEnd = FrontEnd::ReverseProxy, .decision = &allow, .status = 200, .latency = 300us});
  observer.observe(
      {.frontEnd = FrontEnd::ReverseProxy, .decision = &allow, .status = 200, .latency = 2ms});
  observer.observe(
      {.frontEnd = FrontEnd::ReverseProxy, .decision = &login, .status = 302, .latency = 100us});
  observer.observe(
      {.frontEnd = FrontEnd::ExtAuthzGrpc, .decision = nullptr, .status = 503, .latency = 20s});
  EXPECT_EQ(observer.requests(FrontEnd::ReverseProxy, Verdict::Allow), 2u);
  EXPECT_EQ(observer.requests(FrontEnd::ReverseProxy, Verdict::Redirect), 1u);
  EXPECT_EQ(observer.requests(FrontEnd::ExtAuthzGrpc, Verdict::Error), 1u);
  EXPECT_EQ(observer.requests(FrontEnd::AuthRequest, Verdict::Allow), 0u);

  const HistogramSnapshot proxy = observer.latency(FrontEnd::ReverseProxy);
  EXPECT_EQ(proxy.count(), 3u);
  EXPECT_EQ(proxy.sumNanos, 2'400'000u);
  EXPECT_EQ(proxy.buckets[latencyBucket(100us)], 1u);
  EXPECT_EQ(proxy.buckets[latencyBucket(300us)], 1u);
  EXPECT_EQ(proxy.buckets[latencyBucket(2ms)], 1u);
  EXPECT_EQ(observer.latency(FrontEnd::ExtAuthzGrpc).buckets[kLatencyBuckets - 1], 1u);

  const std::string text = render(observer);
  EXPECT_TRUE(contains(text, "authgate_requests_total{front_end=\"proxy\",decision=\"allow\"} 2"));
  EXPECT_TRUE(
      contains(text, "authgate_requests_total{front_end=\"proxy\",decision=\"redirect\"} 1"));
  EXPECT_TRUE(
      contains(text, "authgate_requests_total{front_end=\"ext_authz_grpc\",decision=\"error\"} 1"));
  // Every pair is there from the start, zeros included.
  EXPECT_TRUE(
      contains(text, "authgate_requests_total{front_end=\"endpoint\",decision=\"answer\"} 0"));
  EXPECT_TRUE(contains(text, "authgate_request_duration_seconds_count{front_end=\"proxy\"} 3"));
  EXPECT_TRUE(contains(
      text, "authgate_request_duration_seconds_bucket{front_end=\"proxy\",le=\"0.0005\"} 2"));
  EXPECT_TRUE(contains(text, "# TYPE authgate_request_duration_seconds histogram"));
}

TEST(MetricsObserver, CountsLoginFlowStepsByOutcome) {
  MetricsObserver observer;
  gate::Decision login = gate::Respond{.status = 302};
  gate::setFlow(login, gate::FlowStep::Login, "ok");
  gate::Decision callback = gate::Respond{.status = 302};
  gate::setFlow(callback, gate::FlowStep::Callback, "ok");
  gate::Decision refused = gate::Respond{.status = 403};
  gate::setFlow(refused, gate::FlowStep::Callback, "state_invalid");
  gate::Decision refreshed = gate::Allow{};
  gate::setFlow(refreshed, gate::FlowStep::Refresh, "ok");
  const gate::Decision plain = gate::Allow{};

  const gate::Decision* decisions[] = {&login, &login, &callback, &refused, &refreshed, &plain};
  for (const gate::Decision* decision : decisions) {
    observer.observe({.frontEnd = FrontEnd::Endpoint, .decision = decision, .status = 302});
  }
  EXPECT_EQ(observer.flowEvents(gate::FlowStep::Login, "ok"), 2u);
  EXPECT_EQ(observer.flowEvents(gate::FlowStep::Callback, "ok"), 1u);
  EXPECT_EQ(observer.flowEvents(gate::FlowStep::Callback, "state_invalid"), 1u);
  EXPECT_EQ(observer.flowEvents(gate::FlowStep::Refresh, "ok"), 1u);
  EXPECT_EQ(observer.flowEvents(gate::FlowStep::SignOut, "ok"), 0u);

  const std::string text = render(observer);
  EXPECT_TRUE(contains(text, "authgate_flow_events_total{step=\"login\",outcome=\"ok\"} 2"));
  EXPECT_TRUE(contains(text, "authgate_flow_events_total{step=\"callback\",outcome=\"ok\"} 1"));
  EXPECT_TRUE(
      contains(text, "authgate_flow_events_total{step=\"callback\",outcome=\"state_invalid\"} 1"));
  EXPECT_TRUE(contains(text, "authgate_flow_events_total{step=\"refresh\",outcome=\"ok\"} 1"));
  EXPECT_EQ(text.find("step=\"none\""), std::string::npos);  // a plain Allow is no flow event
}

TEST(MetricsObserver, CapsDistinctFlowLabelSets) {
  MetricsObserver observer;
  // Outcomes must be static text: keep them alive for the observer's lifetime.
  std::vector<std::string> outcomes;
  for (std::size_t i = 0; i < MetricsObserver::kMaxFlowLabelSets + 10; ++i) {
    outcomes.push_back("reason_" + std::to_string(i));
  }
  for (const std::string& outcome : outcomes) {
    gate::Decision decision = gate::Respond{.status = 403};
    gate::setFlow(decision, gate::FlowStep::Callback, outcome);
    observer.observe({.frontEnd = FrontEnd::Endpoint, .decision = &decision, .status = 403});
  }
  EXPECT_EQ(observer.flowEvents(gate::FlowStep::Callback, "reason_0"), 1u);
  EXPECT_EQ(observer.flowEvents(gate::FlowStep::Callback, "other"), 10u);
  const std::string text = render(observer);
  EXPECT_TRUE(contains(text, "authgate_flow_events_total{step=\"callback\",outcome=\"other\"} 10"));
  EXPECT_EQ(text.find("reason_" + std::to_string(MetricsObserver::kMaxFlowLabelSets)),
            std::string::npos);
}

TEST(MetricsObserver, CountsFromManyThreadsAtOnce) {
  MetricsObserver observer;
  gate::Decision login = gate::Respond{.status = 302};
  gate::setFlow(login, gate::FlowStep::Login, "ok");
  const gate::Decision allow = gate::Allow{};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5000; ++i) {
        observer.observe({.frontEnd = FrontEnd::AuthRequest, .decision = &allow, .status = 202});
        observer.observe({.frontEnd = FrontEnd::Endpoint, .decision = &login, .status = 302});
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(observer.requests(FrontEnd::AuthRequest, Verdict::Allow), 30000u);
  EXPECT_EQ(observer.requests(FrontEnd::Endpoint, Verdict::Redirect), 30000u);
  EXPECT_EQ(observer.flowEvents(gate::FlowStep::Login, "ok"), 30000u);
  EXPECT_EQ(observer.latency(FrontEnd::AuthRequest).count(), 30000u);
}

http::Request request(std::string method, std::string target) {
  http::Request out;
  out.method = std::move(method);
  out.target = std::move(target);
  return out;
}

TEST(MetricsHandler, AnswersGetAndHeadOnMetricsOnly) {
  int scrapes = 0;
  MetricsHandler handler([&scrapes] {
    ++scrapes;
    return std::string("up 1\n");
  });
  const http::Response ok = handler.answer(request("GET", "/metrics"));
  EXPECT_EQ(ok.status, 200u);
  EXPECT_EQ(ok.body, "up 1\n");
  EXPECT_EQ(ok.headers.find("content-type"), std::optional<std::string_view>(kContentType));
  EXPECT_EQ(handler.answer(request("HEAD", "/metrics")).status, 200u);
  EXPECT_EQ(handler.answer(request("GET", "/metrics?name[]=up")).status, 200u);
  EXPECT_EQ(scrapes, 3);
  EXPECT_EQ(handler.answer(request("GET", "/")).status, 404u);
  EXPECT_EQ(handler.answer(request("GET", "/metricsx")).status, 404u);
  const http::Response post = handler.answer(request("POST", "/metrics"));
  EXPECT_EQ(post.status, 405u);
  EXPECT_EQ(post.headers.find("allow"), std::optional<std::string_view>("GET, HEAD"));
  EXPECT_EQ(scrapes, 3);
}

TEST(MetricsCollector, RendersServerCounters) {
  http::ServerCounters counters;
  counters.connectionsAccepted = 7;
  counters.badRequests = 2;
  counters.timeouts = 1;
  TextWriter out;
  renderServer(out, counters, 3);
  const std::string text = std::move(out).text();
  EXPECT_TRUE(contains(text, "authgate_active_connections 3"));
  EXPECT_TRUE(contains(text, "authgate_http_connections_total 7"));
  EXPECT_TRUE(contains(text, "authgate_http_request_errors_total{reason=\"bad_request\"} 2"));
  EXPECT_TRUE(contains(text, "authgate_http_request_errors_total{reason=\"timeout\"} 1"));
  EXPECT_TRUE(contains(text, "# TYPE authgate_active_connections gauge"));
}

TEST(MetricsCollector, RendersIdpRequestsByEndpointAndOutcomeWithLatency) {
  idp::IdpCounters counters;
  counters.recordCall(idp::IdpEndpoint::Token, idp::TokenOutcome::Ok, 40ms);
  counters.recordCall(idp::IdpEndpoint::Token, idp::TokenOutcome::Rejected, 10ms);
  counters.recordCall(idp::IdpEndpoint::Jwks, idp::TokenOutcome::Unavailable, 2s);
  idp::IdpCounters::bump(counters.jwksFetchFailures);
  TextWriter out;
  renderIdp(out, counters.snapshot());
  const std::string text = std::move(out).text();
  EXPECT_TRUE(contains(text, "authgate_idp_requests_total{endpoint=\"token\",outcome=\"ok\"} 1"));
  EXPECT_TRUE(
      contains(text, "authgate_idp_requests_total{endpoint=\"token\",outcome=\"rejected\"} 1"));
  EXPECT_TRUE(
      contains(text, "authgate_idp_requests_total{endpoint=\"jwks\",outcome=\"unavailable\"} 1"));
  EXPECT_TRUE(
      contains(text, "authgate_idp_requests_total{endpoint=\"userinfo\",outcome=\"ok\"} 0"));
  EXPECT_TRUE(contains(text, "authgate_idp_request_duration_seconds_count{endpoint=\"token\"} 2"));
  EXPECT_TRUE(contains(text, "authgate_idp_request_duration_seconds_sum{endpoint=\"token\"} 0.05"));
  EXPECT_TRUE(contains(
      text, "authgate_idp_request_duration_seconds_bucket{endpoint=\"jwks\",le=\"2.5\"} 1"));
  EXPECT_TRUE(contains(text, "authgate_jwks_refreshes_total{outcome=\"error\"} 1"));
}

}  // namespace
}  // namespace authgate::io::metrics
