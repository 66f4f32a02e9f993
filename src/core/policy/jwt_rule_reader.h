#pragma once
// Reading one RequestAuthentication jwtRule from YAML, in either spelling of its keys: Istio's
// camelCase (spec.jwtRules[] of an Istio file) or authgate's snake_case (the `jwt_rules:`
// section). One reader, so both get the same checks and the same error paths. Used by
// loader.cc; not a public entry point (see loader.h: loadIstioFile, loadJwtRules).
//
// Usage:
//   JwtRule rule = compileJwtRule(node, "jwt_rules[0]", JwtKeyStyle::Snake, context);
//   if (!context.errors.empty()) fail(context.errors);
//
// Checks: unknown keys (with a suggestion and the line), issuer present and non-empty, the
// JWKS URI http(s), forward_original_token a boolean, header locations with a name, claim
// outputs with a header and a claim, no empty strings in lists.

#include <yaml-cpp/node/node.h>

#include <string>

#include "core/policy/jwt_rule.h"
#include "core/policy/rule_compiler.h"

namespace authgate::core::policy {

enum class JwtKeyStyle {
  Istio,  // issuer, audiences, jwksUri, fromHeaders, forwardOriginalToken, ...
  Snake,  // issuer, audiences, jwks_uri, from_headers, forward_original_token, ...
};

// Every problem goes to `context`; the rule is returned as far as it could be read.
JwtRule compileJwtRule(const YAML::Node& node, const std::string& path, JwtKeyStyle style,
                       CompileContext& context);

}  // namespace authgate::core::policy
