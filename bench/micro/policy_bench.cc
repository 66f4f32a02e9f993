// Cost of the policy decision on the allow path: a 50-rule set (DENY, AUDIT and ALLOW policies
// using every kind of matcher) evaluated per request, for a request that falls through to the
// last ALLOW rule (the worst case a real set sees) and one denied early.

#include <benchmark/benchmark.h>

#include <boost/json/parse.hpp>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/policy/loader.h"

namespace authgate {
namespace {

namespace policy = core::policy;

// 10 DENY + 5 AUDIT policies of 2 rules, and 1 ALLOW policy of 20 rules: 50 rules.
std::string fiftyRules() {
  std::string yaml = "policies:\n";
  for (int i = 0; i < 10; ++i) {
    yaml += "  - name: deny-" + std::to_string(i) + "\n    action: DENY\n    rules:\n";
    yaml += "      - from: [{source: {ipBlocks: [\"192.168." + std::to_string(i) + ".0/24\"]}}]\n";
    yaml += "      - to: [{operation: {paths: [\"/blocked/" + std::to_string(i) +
            "/{**}\"], methods: [DELETE]}}]\n";
  }
  for (int i = 0; i < 5; ++i) {
    yaml += "  - name: audit-" + std::to_string(i) + "\n    action: AUDIT\n    rules:\n";
    yaml += "      - when: [{key: \"request.headers[x-audit-" + std::to_string(i) +
            "]\", values: [\"*\"]}]\n";
    yaml +=
        "      - to: [{operation: {hosts: [\"audit" + std::to_string(i) + ".example.com\"]}}]\n";
  }
  yaml += "  - name: allow\n    action: ALLOW\n    rules:\n";
  for (int i = 0; i < 19; ++i) {
    yaml += "      - to: [{operation: {hosts: [\"*.svc" + std::to_string(i) +
            ".example.com\"], paths: [\"/api/v" + std::to_string(i) + "/{*}/items\"]}}]\n";
    yaml += "        when: [{key: \"request.auth.claims[groups]\", values: [team-" +
            std::to_string(i) + "]}]\n";
  }
  yaml +=
      "      - from: [{source: {requestPrincipals: [\"https://idp.example.com/*\"]}}]\n"
      "        to: [{operation: {hosts: [\"*.example.com\"], paths: [\"/api/{*}/items/{**}\"]}}]\n"
      "        when:\n"
      "          - {key: request.auth.audiences, values: [client-id]}\n"
      "          - {key: \"request.auth.claims[scope]\", values: [read]}\n";
  return yaml;
}

struct Fixture {
  policy::Loaded loaded;
  boost::json::object claims =
      boost::json::parse(
          R"({"iss":"https://idp.example.com","sub":"alice","aud":["client-id"],
          "scope":"openid profile read","groups":["admins","dev"]})")
          .as_object();
  std::vector<std::string> audiences = {"client-id"};
  std::vector<core::gate::HeaderView> headers = {{"Host", "app.example.com"},
                                                 {"User-Agent", "bench"},
                                                 {"Accept", "*/*"},
                                                 {"X-Forwarded-For", "203.0.113.9"},
                                                 {"Cookie", "_authgate=abc"}};
  policy::PolicyInput input;

  Fixture() {
    auto result = policy::loadPolicyDocument(fiftyRules(), "bench.yaml");
    if (!result) {
      std::abort();
    }
    loaded = std::move(*result);
    input = {.method = "GET",
             .host = "App.Example.com",
             .path = "/api/v2/items/42",
             .destinationPort = 443,
             .sourceIp = "10.0.0.7",
             .remoteIp = "203.0.113.9",
             .headers = headers,
             .identity = {.claims = &claims,
                          .issuer = "https://idp.example.com",
                          .subject = "alice",
                          .audiences = audiences,
                          .presenter = {}}};
  }
};

void BM_PolicyEvaluate50RulesAllowLast(benchmark::State& state) {
  Fixture fixture;
  std::size_t rules = 0;
  for (const auto& p : fixture.loaded.policies.policies()) {
    rules += p.rules.size();
  }
  if (rules != 50) {
    std::abort();
  }
  for (auto _ : state) {
    const policy::Decision decision = fixture.loaded.policies.evaluate(fixture.input);
    if (!decision.allowed || *decision.rule != 19) {
      std::abort();
    }
    benchmark::DoNotOptimize(decision);
  }
}
BENCHMARK(BM_PolicyEvaluate50RulesAllowLast);

void BM_PolicyEvaluate50RulesDenyFirst(benchmark::State& state) {
  Fixture fixture;
  fixture.input.sourceIp = "192.168.0.5";
  for (auto _ : state) {
    const policy::Decision decision = fixture.loaded.policies.evaluate(fixture.input);
    if (decision.allowed) {
      std::abort();
    }
    benchmark::DoNotOptimize(decision);
  }
}
BENCHMARK(BM_PolicyEvaluate50RulesDenyFirst);

void BM_PolicyLoad50Rules(benchmark::State& state) {
  const std::string yaml = fiftyRules();
  for (auto _ : state) {
    auto loaded = policy::loadPolicyDocument(yaml, "bench.yaml");
    benchmark::DoNotOptimize(loaded);
  }
}
BENCHMARK(BM_PolicyLoad50Rules);

}  // namespace
}  // namespace authgate
