#include "core/policy/jwt_rule_reader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

namespace authgate::core::policy {
namespace {

// The fields of a jwtRule, in the order of both key tables below.
enum JwtRuleField : std::size_t {
  kIssuer,
  kAudiences,
  kJwksUri,
  kJwks,
  kFromHeaders,
  kFromParams,
  kFromCookies,
  kOutputPayloadToHeader,
  kForwardOriginalToken,
  kOutputClaimToHeaders,
  kTimeout,
  kSpaceDelimitedClaims,
};
// Istio's camelCase names (RequestAuthentication spec.jwtRules[]).
const std::vector<std::string> kJwtRuleKeys = {"issuer",
                                               "audiences",
                                               "jwksUri",
                                               "jwks",
                                               "fromHeaders",
                                               "fromParams",
                                               "fromCookies",
                                               "outputPayloadToHeader",
                                               "forwardOriginalToken",
                                               "outputClaimToHeaders",
                                               "timeout",
                                               "spaceDelimitedClaims"};
// authgate's own snake_case names (the `jwt_rules:` configuration section).
const std::vector<std::string> kJwtRuleSnakeKeys = {"issuer",
                                                    "audiences",
                                                    "jwks_uri",
                                                    "jwks",
                                                    "from_headers",
                                                    "from_params",
                                                    "from_cookies",
                                                    "output_payload_to_header",
                                                    "forward_original_token",
                                                    "output_claim_to_headers",
                                                    "timeout",
                                                    "space_delimited_claims"};

bool parseBool(const YAML::Node& node, const std::string& path, CompileContext& context) {
  auto text = scalar(node, path, context);
  if (!text) {
    return false;
  }
  if (*text == "true" || *text == "True" || *text == "TRUE") {
    return true;
  }
  if (!(*text == "false" || *text == "False" || *text == "FALSE")) {
    context.error(Error::BadValue, path, "expected true or false", node);
  }
  return false;
}

std::vector<std::string> values(const YAML::Node& node, const std::string& path,
                                CompileContext& context) {
  std::vector<std::string> out;
  for (Item& item : scalarList(node, path, context)) {
    if (item.value.empty()) {
      context.error(Error::EmptyValue, item.path, "empty value not allowed");
    }
    out.push_back(std::move(item.value));
  }
  return out;
}

// A list of small mappings ({name, prefix}, {header, claim}) with two string fields.
template <class T>
std::vector<T> pairs(const YAML::Node& node, const std::string& path, const std::string& first,
                     const std::string& second, std::string T::*firstField,
                     std::string T::*secondField, bool secondRequired, CompileContext& context) {
  std::vector<T> out;
  if (!node.IsDefined() || node.IsNull()) {
    return out;
  }
  if (!node.IsSequence()) {
    context.error(Error::WrongType, path, "expected a list", node);
    return out;
  }
  const std::vector<std::string> known = {first, second};
  std::size_t i = 0;
  for (const auto& entry : node) {
    const YAML::Node item = entry;
    const std::string at = path + "[" + std::to_string(i++) + "]";
    T value{};
    const bool isMap = forEachEntry(
        item, at, context, [&](const std::string& key, const YAML::Node& v, const std::string& k) {
          if (key == first || key == second) {
            if (auto text = scalar(v, k, context)) {
              value.*(key == first ? firstField : secondField) = *text;
            }
          } else {
            unknownKey(key, k, v, known, context);
          }
        });
    if (isMap && (value.*firstField).empty()) {
      context.error(Error::MissingField, at + "." + first, first + " is required", item);
    }
    if (isMap && secondRequired && (value.*secondField).empty()) {
      context.error(Error::MissingField, at + "." + second, second + " is required", item);
    }
    out.push_back(std::move(value));
  }
  return out;
}

}  // namespace

JwtRule compileJwtRule(const YAML::Node& node, const std::string& path, JwtKeyStyle style,
                       CompileContext& context) {
  const std::vector<std::string>& names =
      style == JwtKeyStyle::Istio ? kJwtRuleKeys : kJwtRuleSnakeKeys;
  JwtRule rule;
  const bool isMap = forEachEntry(
      node, path, context,
      [&](const std::string& key, const YAML::Node& value, const std::string& at) {
        auto text = [&](std::string& out) {
          if (auto v = scalar(value, at, context)) {
            out = *v;
          }
        };
        const auto found = std::find(names.begin(), names.end(), key);
        if (found == names.end()) {
          unknownKey(key, at, value, names, context);
          return;
        }
        switch (static_cast<JwtRuleField>(found - names.begin())) {
          case kIssuer:
            text(rule.issuer);
            break;
          case kAudiences:
            rule.audiences = values(value, at, context);
            break;
          case kJwksUri:
            text(rule.jwksUri);
            if (!rule.jwksUri.starts_with("https://") && !rule.jwksUri.starts_with("http://")) {
              context.error(Error::BadValue, at, key + " must be an http(s) URL", value);
            }
            break;
          case kJwks:
            text(rule.jwks);
            break;
          case kFromHeaders:
            rule.fromHeaders =
                pairs<JwtHeaderLocation>(value, at, "name", "prefix", &JwtHeaderLocation::name,
                                         &JwtHeaderLocation::prefix, false, context);
            break;
          case kFromParams:
            rule.fromParams = values(value, at, context);
            break;
          case kFromCookies:
            rule.fromCookies = values(value, at, context);
            break;
          case kOutputPayloadToHeader:
            text(rule.outputPayloadToHeader);
            break;
          case kForwardOriginalToken:
            rule.forwardOriginalToken = parseBool(value, at, context);
            break;
          case kOutputClaimToHeaders:
            rule.outputClaimToHeaders =
                pairs<ClaimToHeader>(value, at, "header", "claim", &ClaimToHeader::header,
                                     &ClaimToHeader::claim, true, context);
            break;
          case kTimeout:
            text(rule.timeout);
            break;
          case kSpaceDelimitedClaims:
            rule.spaceDelimitedClaims = values(value, at, context);
            break;
        }
      });
  if (isMap && rule.issuer.empty()) {
    context.error(Error::MissingField, path + "." + names[kIssuer], "issuer is required", node);
  }
  return rule;
}

}  // namespace authgate::core::policy
