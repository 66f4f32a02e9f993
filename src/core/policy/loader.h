#pragma once
// Loading authorization policies: authgate's own `policies:` configuration section, and Istio's
// AuthorizationPolicy and RequestAuthentication files as they are applied to a cluster.
//
// Usage:
//   auto own = policy::loadPolicies(root["policies"]);   // YAML::Node of the config section
//   auto istio = policy::loadIstioFile(file_text, "authz.yaml");
//   if (!own || !istio) { report(own.error()); report(istio.error()); return; }
//   for (const std::string& warning : istio->warnings) log.warn(warning);
//   PolicySet set = std::move(istio->policies);
//   set.append(std::move(own->policies));
//
// authgate's section is a list of {name, action, rules}; `rules` is exactly Istio's spec.rules:
//   policies:
//     - name: api-readers
//       action: ALLOW                         # ALLOW (default), DENY or AUDIT
//       rules:
//         - to: [{operation: {methods: [GET], paths: ["/api/*"]}}]
//           when: [{key: request.auth.audiences, values: [client-id]}]
//
// An Istio file holds any number of documents separated by `---`. Documents of kind
// AuthorizationPolicy and RequestAuthentication (apiVersion security.istio.io/v1 or v1beta1)
// are read; other kinds are skipped with a warning. Fields that only mean something inside a
// mesh are reported once each as warnings and then:
//   - metadata.namespace, spec.selector, spec.targetRef(s): ignored (the file applies to
//     everything authgate protects);
//   - action CUSTOM (with its provider) and istio.io/dry-run policies: the policy is skipped;
//   - source principals / namespaces / serviceAccounts / trustDomains and the when keys
//     source.principal / .namespace / .serviceAccount / .trustDomain (mTLS peer identity):
//     there is no peer identity, so their values never match and their not-values always do.
// Every other unknown key, bad value or malformed YAML is an error naming the file, the
// document (counted from 1) and the key path, e.g. "authz.yaml: document 2:
// spec.rules[0].when[1].key: unknown attribute "request.foo" (line 14)".

#include <yaml-cpp/node/node.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/policy/error.h"
#include "core/policy/jwt_rule.h"
#include "core/policy/policy.h"
#include "core/result.h"

namespace authgate::core::policy {

struct Loaded {
  PolicySet policies;
  std::vector<JwtRule> jwtRules;      // from RequestAuthentication documents
  std::vector<std::string> warnings;  // each distinct warning once
};

// Limits on what one load accepts, so that hostile or runaway files cost bounded work (YAML
// aliases can repeat a large node many times).
inline constexpr std::size_t kMaxPolicyFileBytes = 1024 * 1024;
inline constexpr std::size_t kMaxPolicyNodes = 200'000;  // YAML nodes visited per load

// `section` is the value of the `policies:` key (null: no policies). `where` prefixes the key
// paths in errors ("policies[2].rules[0]...").
Result<Loaded, LoadErrors> loadPolicies(const YAML::Node& section,
                                        std::string_view where = "policies");

// A YAML text whose root is a mapping with a `policies:` list (authgate's format on its own).
Result<Loaded, LoadErrors> loadPolicyDocument(std::string_view text, std::string_view fileName);

// An Istio multi-document YAML file.
Result<Loaded, LoadErrors> loadIstioFile(std::string_view text, std::string_view fileName);

// authgate's own `jwt_rules:` section: a list of RequestAuthentication jwtRules with snake_case
// keys, read by the same code as Istio's camelCase ones (same checks, same error paths):
//   jwt_rules:
//     - issuer: https://idp.example.com          # required, non-empty
//       audiences: [api]                          # empty or absent: any audience
//       jwks_uri: https://idp.example.com/jwks    # http(s); or jwks: <inline JSON>; or neither
//       from_headers: [{name: Authorization, prefix: "Bearer "}]
//       from_params: [access_token]
//       from_cookies: [session_jwt]
//       forward_original_token: false
//       output_payload_to_header: X-Jwt-Payload
//       output_claim_to_headers: [{header: X-Tenant, claim: org.tenant}]
//       timeout: 5s
//       space_delimited_claims: [roles]
// `section` null or undefined: no rules. Each rule's origin is "<where>[i]".
Result<std::vector<JwtRule>, LoadErrors> loadJwtRules(const YAML::Node& section,
                                                      std::string_view where = "jwt_rules");

}  // namespace authgate::core::policy
