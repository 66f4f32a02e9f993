// Loading: authgate's `policies:` section, Istio files as applied to a cluster, and every kind
// of load error naming file, document and key path.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/policy/yaml_documents.h"
#include "policy_testing.h"

namespace authgate::core::policy {
namespace {

using testing::errorsOf;
using testing::Request;

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string dataFile(const char* name) {
  return readFile(std::filesystem::path(AUTHGATE_TEST_DATA) / "policy" / name);
}

bool hasError(const LoadErrors& errors, Error code, const std::string& where) {
  return std::any_of(errors.begin(), errors.end(),
                     [&](const LoadError& e) { return e.code == code && e.where == where; });
}

std::string dump(const LoadErrors& errors) {
  std::string out;
  for (const LoadError& e : errors) {
    out += std::string(toString(e.code)) + " " + toString(e) + "\n";
  }
  return out;
}

TEST(PolicyLoader, IstioFileLoadsAsIs) {
  auto loaded = loadIstioFile(dataFile("istio_audience_allow.yaml"), "authz.yaml");
  ASSERT_TRUE(loaded) << dump(loaded.error());
  const auto& policies = loaded->policies.policies();
  ASSERT_EQ(policies.size(), 2u);  // CUSTOM skipped, ConfigMap skipped
  EXPECT_EQ(policies[0].name, "require-audience");
  EXPECT_EQ(policies[0].action, Action::Allow);
  EXPECT_EQ(policies[1].name, "deny-admin-from-outside");
  EXPECT_EQ(policies[1].action, Action::Deny);

  ASSERT_EQ(loaded->jwtRules.size(), 1u);
  const JwtRule& rule = loaded->jwtRules[0];
  EXPECT_EQ(rule.issuer, "https://idp.example.com");
  EXPECT_EQ(rule.audiences, std::vector<std::string>{"client-id"});
  EXPECT_EQ(rule.jwksUri, "https://idp.example.com/.well-known/jwks.json");
  EXPECT_TRUE(rule.forwardOriginalToken);
  EXPECT_EQ(rule.fromHeaders, (std::vector<JwtHeaderLocation>{{"Authorization", "Bearer "}}));
  EXPECT_EQ(rule.fromCookies, std::vector<std::string>{"id_token"});
  EXPECT_FALSE(rule.usesDefaultLocations());
  EXPECT_EQ(rule.outputClaimToHeaders,
            (std::vector<ClaimToHeader>{{"x-user-email", "email"}, {"x-team", "org.team"}}));
  EXPECT_EQ(rule.origin, "authz.yaml: document 1: idp-tokens jwtRules[0]");

  // Each mesh-only field once, however often it appears.
  const auto& warnings = loaded->warnings;
  auto count = [&](std::string_view needle) {
    return std::count_if(warnings.begin(), warnings.end(),
                         [&](const std::string& w) { return w.find(needle) != std::string::npos; });
  };
  EXPECT_EQ(count("spec.selector"), 1);
  EXPECT_EQ(count("metadata.namespace"), 1);
  EXPECT_EQ(count("CUSTOM"), 1);
  EXPECT_EQ(count("ConfigMap"), 1);

  Request request;  // audience client-id, peer 10.0.0.7, remote 203.0.113.9
  EXPECT_TRUE(loaded->policies.evaluate(request.input).allowed);
  request.input.path = "/admin/users";
  EXPECT_EQ(loaded->policies.evaluate(request.input).policy, "deny-admin-from-outside");
  request.input.remoteIp = "10.2.3.4";
  EXPECT_TRUE(loaded->policies.evaluate(request.input).allowed);
  request.anonymous();
  EXPECT_EQ(loaded->policies.evaluate(request.input).outcome, Outcome::DeniedNoAllowMatch);
}

TEST(PolicyLoader, AuthgateFileLoads) {
  auto loaded = loadPolicyDocument(dataFile("authgate_policies.yaml"), "authgate.yaml");
  ASSERT_TRUE(loaded) << dump(loaded.error());
  ASSERT_EQ(loaded->policies.policies().size(), 3u);
  Request request;
  request.input.path = "/api/v1/items/42";
  const Decision decision = loaded->policies.evaluate(request.input);
  EXPECT_TRUE(decision.allowed);
  EXPECT_EQ(decision.policy, "api-readers");
  request.input.path = "/api/v1/other";
  EXPECT_FALSE(loaded->policies.evaluate(request.input).allowed);
}

TEST(PolicyLoader, ConfigSectionFromNode) {
  const YAML::Node root = YAML::Load("policies:\n  - {name: a, action: DENY, rules: [{}]}\n");
  auto loaded = loadPolicies(root["policies"]);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->policies.policies()[0].action, Action::Deny);
  EXPECT_TRUE(loadPolicies(YAML::Node())->policies.empty());
}

TEST(PolicyLoader, UnknownKeysAreNamedWithTheirPath) {
  const auto errors = errorsOf(R"(policies:
  - name: a
    rules:
      - to: [{operation: {path: [/x]}}]
        when:
          - {key: source.ip, values: [1.2.3.4]}
          - {key: request.foo, values: [x]}
      - frm: []
  - name: b
    acton: DENY
)");
  EXPECT_TRUE(
      hasError(errors, Error::UnknownKey, "test.yaml: policies[0].rules[0].to[0].operation.path"))
      << dump(errors);
  EXPECT_TRUE(
      hasError(errors, Error::UnknownAttribute, "test.yaml: policies[0].rules[0].when[1].key"))
      << dump(errors);
  EXPECT_TRUE(hasError(errors, Error::UnknownKey, "test.yaml: policies[0].rules[1].frm"));
  EXPECT_TRUE(hasError(errors, Error::UnknownKey, "test.yaml: policies[1].acton"));
  EXPECT_EQ(errors.size(), 4u) << dump(errors);
  const auto path = std::find_if(errors.begin(), errors.end(), [](const LoadError& e) {
    return e.where.ends_with("operation.path");
  });
  EXPECT_NE(path->message.find("did you mean paths?"), std::string::npos) << path->message;
}

struct BadValueCase {
  const char* rule;
  Error code;
  const char* where;
};

class PolicyBadValue : public ::testing::TestWithParam<BadValueCase> {};

TEST_P(PolicyBadValue, IsReportedAtItsPath) {
  const auto errors = errorsOf(std::string("policies:\n  - name: p\n    rules:\n      - ") +
                               GetParam().rule + "\n");
  ASSERT_EQ(errors.size(), 1u) << dump(errors);
  EXPECT_EQ(errors[0].code, GetParam().code) << dump(errors);
  EXPECT_EQ(errors[0].where, std::string("test.yaml: policies[0].rules[0].") + GetParam().where);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PolicyBadValue,
    ::testing::Values(
        BadValueCase{"{from: [{source: {ipBlocks: [10.0.0.0/33]}}]}", Error::BadIp,
                     "from[0].source.ipBlocks[0]"},
        BadValueCase{"{from: [{source: {notIpBlocks: [ok, 1.2.3.4]}}]}", Error::BadIp,
                     "from[0].source.notIpBlocks[0]"},
        BadValueCase{"{from: [{source: {remoteIpBlocks: [1.2.3.4/08]}}]}", Error::BadIp,
                     "from[0].source.remoteIpBlocks[0]"},
        BadValueCase{"{when: [{key: source.ip, values: ['::1/129']}]}", Error::BadIp,
                     "when[0].values[0]"},
        BadValueCase{"{to: [{operation: {ports: ['65536']}}]}", Error::BadPort,
                     "to[0].operation.ports[0]"},
        BadValueCase{"{when: [{key: destination.port, notValues: [http]}]}", Error::BadPort,
                     "when[0].notValues[0]"},
        BadValueCase{"{to: [{operation: {paths: ['/{id}/{*}']}}]}", Error::BadPathTemplate,
                     "to[0].operation.paths[0]"},
        BadValueCase{"{to: [{operation: {paths: ['/{**}/x']}}]}", Error::BadPathTemplate,
                     "to[0].operation.paths[0]"},
        BadValueCase{"{to: [{operation: {notPaths: ['/a{*}']}}]}", Error::BadPathTemplate,
                     "to[0].operation.notPaths[0]"},
        BadValueCase{"{to: [{operation: {paths: ['/*/{*}']}}]}", Error::BadPathTemplate,
                     "to[0].operation.paths[0]"},
        BadValueCase{"{to: [{operation: {paths: ['']}}]}", Error::EmptyValue,
                     "to[0].operation.paths[0]"},
        BadValueCase{"{when: [{key: 'request.headers[]', values: [x]}]}", Error::UnknownAttribute,
                     "when[0].key"},
        BadValueCase{"{when: [{key: 'request.auth.claims[a]b', values: [x]}]}",
                     Error::UnknownAttribute, "when[0].key"},
        BadValueCase{"{when: [{key: 'experimental.envoy.filters.x[y]', values: [x]}]}",
                     Error::UnknownAttribute, "when[0].key"},
        BadValueCase{"{when: [{key: source.ip}]}", Error::MissingField, "when[0]"},
        BadValueCase{"{when: [{values: [x]}]}", Error::MissingField, "when[0].key"},
        BadValueCase{"{when: [{key: [a], values: [x]}]}", Error::WrongType, "when[0].key"},
        BadValueCase{"{to: {operation: {paths: [/x]}}}", Error::WrongType, "to"},
        BadValueCase{"{to: [{operation: {paths: /x}}]}", Error::WrongType, "to[0].operation.paths"},
        BadValueCase{"{from: [{source: {ipBlocks: [1.1.1.1], ipBlocks: [2.2.2.2]}}]}",
                     Error::DuplicateKey, "from[0].source.ipBlocks"}));

TEST(PolicyLoader, BadActionsAndNames) {
  auto errors = errorsOf("policies: [{name: a, action: PERMIT}]\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, Error::BadAction);
  EXPECT_EQ(errors[0].where, "test.yaml: policies[0].action");
  errors = errorsOf("policies: [{name: a, action: CUSTOM}]\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, Error::BadAction);
  errors = errorsOf("policies: [{name: a}, {name: a}, {rules: []}, {name: ''}]\n");
  EXPECT_TRUE(hasError(errors, Error::DuplicateKey, "test.yaml: policies[1].name"));
  EXPECT_TRUE(hasError(errors, Error::MissingField, "test.yaml: policies[2].name"));
  EXPECT_TRUE(hasError(errors, Error::EmptyValue, "test.yaml: policies[3].name"));
  errors = errorsOf("policies: {name: a}\n");
  EXPECT_TRUE(hasError(errors, Error::WrongType, "test.yaml: policies")) << dump(errors);
  errors = errorsOf("other: 1\n");
  EXPECT_TRUE(hasError(errors, Error::UnknownKey, "test.yaml: other"));
}

TEST(PolicyLoader, IstioErrorsNameFileDocumentAndPath) {
  auto loaded = loadIstioFile(
      readFile(std::filesystem::path(AUTHGATE_FUZZ_CORPUS) / "policy_file" / "errors.yaml"),
      "bad.yaml");
  ASSERT_FALSE(loaded);
  const LoadErrors& errors = loaded.error();
  EXPECT_TRUE(hasError(errors, Error::BadAction, "bad.yaml: document 1: spec.action"))
      << dump(errors);
  EXPECT_TRUE(hasError(errors, Error::BadPathTemplate,
                       "bad.yaml: document 1: spec.rules[0].to[0].operation.paths[0]"));
  EXPECT_TRUE(hasError(errors, Error::BadPort,
                       "bad.yaml: document 1: spec.rules[0].to[0].operation.ports[0]"));
  EXPECT_TRUE(hasError(errors, Error::BadIp,
                       "bad.yaml: document 1: spec.rules[0].from[0].source.ipBlocks[0]"));
  EXPECT_TRUE(
      hasError(errors, Error::EmptyValue, "bad.yaml: document 1: spec.rules[0].when[0].values[0]"));
  EXPECT_EQ(errors.size(), 5u) << dump(errors);
}

TEST(PolicyLoader, IstioDocumentChecks) {
  auto errorsFor = [](const std::string& text) {
    auto loaded = loadIstioFile(text, "f.yaml");
    return loaded ? LoadErrors{} : loaded.error();
  };
  const std::string head = "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\n";
  auto errors = errorsFor(
      "apiVersion: security.istio.io/v2\nkind: AuthorizationPolicy\n"
      "metadata: {name: a}\n");
  EXPECT_TRUE(hasError(errors, Error::UnsupportedDocument, "f.yaml: document 1: apiVersion"));
  errors = errorsFor("---\n" + head + "metadata: {name: a}\n---\n" + head +
                     "metadata: {name: b, nmespace: x}\nspec: {actions: DENY}\n");
  EXPECT_TRUE(hasError(errors, Error::UnknownKey, "f.yaml: document 2: metadata.nmespace"))
      << dump(errors);
  EXPECT_TRUE(hasError(errors, Error::UnknownKey, "f.yaml: document 2: spec.actions"));
  errors = errorsFor(head + "spec: {}\n");
  EXPECT_TRUE(hasError(errors, Error::MissingField, "f.yaml: document 1: metadata.name"));
  errors = errorsFor(head + "metadata: {name: a}\nspec: {action: DENY, provider: {name: x}}\n");
  EXPECT_TRUE(hasError(errors, Error::BadAction, "f.yaml: document 1: spec.provider"));
  errors = errorsFor(
      "apiVersion: security.istio.io/v1\nkind: RequestAuthentication\n"
      "metadata: {name: r}\nspec:\n  jwtRules:\n  - jwksUri: ftp://x\n"
      "    forwardOriginalToken: yes\n    fromHeaders: [{prefix: x}]\n"
      "    outputClaimToHeaders: [{header: h}]\n    issuer2: x\n");
  EXPECT_TRUE(hasError(errors, Error::MissingField, "f.yaml: document 1: spec.jwtRules[0].issuer"));
  EXPECT_TRUE(hasError(errors, Error::BadValue, "f.yaml: document 1: spec.jwtRules[0].jwksUri"));
  EXPECT_TRUE(hasError(errors, Error::BadValue,
                       "f.yaml: document 1: spec.jwtRules[0].forwardOriginalToken"));
  EXPECT_TRUE(hasError(errors, Error::MissingField,
                       "f.yaml: document 1: spec.jwtRules[0].fromHeaders[0].name"));
  EXPECT_TRUE(hasError(errors, Error::MissingField,
                       "f.yaml: document 1: spec.jwtRules[0].outputClaimToHeaders[0].claim"));
  EXPECT_TRUE(hasError(errors, Error::UnknownKey, "f.yaml: document 1: spec.jwtRules[0].issuer2"));
  errors = errorsFor("a: [1, 2\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, Error::MalformedYaml);
  errors = errorsFor(std::string(100, '[') + std::string(100, ']'));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, Error::MalformedYaml);
}

TEST(PolicyLoader, IstioEmptySpecDeniesAndDryRunIsSkipped) {
  auto loaded = loadIstioFile(
      "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: deny-all}\n"
      "spec: {}\n---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\n"
      "metadata: {name: dry, annotations: {istio.io/dry-run: \"true\"}}\nspec: {rules: [{}]}\n",
      "f.yaml");
  ASSERT_TRUE(loaded) << dump(loaded.error());
  ASSERT_EQ(loaded->policies.policies().size(), 1u);
  Request request;
  EXPECT_EQ(loaded->policies.evaluate(request.input).outcome, Outcome::DeniedNoAllowMatch);
}

TEST(PolicyLoader, MeshPeerFieldsWarnOnceAndNeverMatch) {
  auto loaded = loadPolicyDocument(R"(policies:
  - name: a
    rules:
      - from: [{source: {principals: [cluster.local/ns/a/sa/b]}}]
      - from: [{source: {principals: [x]}}]
        when: [{key: source.namespace, values: [a]}]
)",
                                   "p.yaml");
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->warnings.size(), 2u);
  Request request;
  EXPECT_FALSE(loaded->policies.evaluate(request.input).allowed);
}

TEST(PolicyLoader, AliasesCannotBlowUpTheWork) {
  // 1000 policies x 8 sources x 32 aliased addresses: over kMaxPolicyNodes, from a small text.
  std::string yaml = "x: &a [1.1.1.1";
  for (int i = 1; i < 32; ++i) {
    yaml += ", 1.1.1.1";
  }
  yaml += "]\npolicies:\n";
  for (int i = 0; i < 1000; ++i) {
    yaml += "  - {name: p" + std::to_string(i) +
            ", rules: [{from: [{source: {ipBlocks: *a}}, {source: {ipBlocks: *a}}, {source: "
            "{ipBlocks: *a}}, {source: {ipBlocks: *a}}, {source: {ipBlocks: *a}}, {source: "
            "{ipBlocks: *a}}, {source: {ipBlocks: *a}}, {source: {ipBlocks: *a}}]}]}\n";
  }
  const YAML::Node root = YAML::Load(yaml);
  auto loaded = loadPolicies(root["policies"]);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().back().code, Error::TooLarge);
}

TEST(PolicyYamlDocuments, SplitsOnMarkersOnly) {
  const auto documents = splitYamlDocuments(
      "# leading comment\n%YAML 1.2\n---\na: 1\nb: |\n  --- not a marker\n...\n"
      "---\n# only a comment\n--- {c: 3}\n---\n---x: 5\n");
  ASSERT_EQ(documents.size(), 3u);
  EXPECT_EQ(documents[0].firstLine, 0u);
  EXPECT_EQ(YAML::Load(documents[0].text)["b"].as<std::string>(), "--- not a marker\n");
  EXPECT_EQ(documents[1].firstLine, 9u);
  EXPECT_EQ(YAML::Load(documents[1].text)["c"].as<int>(), 3);
  EXPECT_EQ(documents[2].firstLine, 10u);
  EXPECT_EQ(YAML::Load(documents[2].text)["---x"].as<int>(), 5);
}

TEST(PolicyCorpus, EverySeedLoadsOrFailsWithReasons) {
  const auto corpus = std::filesystem::path(AUTHGATE_FUZZ_CORPUS) / "policy_file";
  std::size_t loadedCount = 0;
  std::size_t seeds = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    ++seeds;
    const std::string text = readFile(entry.path());
    auto istio = loadIstioFile(text, "seed");
    if (istio) {
      ++loadedCount;
      Request request;
      (void)istio->policies.evaluate(request.input);
    } else {
      EXPECT_FALSE(istio.error().empty());
    }
  }
  EXPECT_GE(seeds, 4u);
  EXPECT_GE(loadedCount, 2u);
}

}  // namespace
}  // namespace authgate::core::policy
