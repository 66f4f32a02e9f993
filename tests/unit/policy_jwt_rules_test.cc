// authgate's own `jwt_rules:` section (snake_case), read by the same code as Istio's jwtRules.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <string>

#include "core/policy/loader.h"

namespace authgate::core::policy {
namespace {

Result<std::vector<JwtRule>, LoadErrors> load(const std::string& yaml) {
  const YAML::Node root = YAML::Load(yaml);
  return loadJwtRules(root["jwt_rules"]);
}

LoadErrors errorsOf(const std::string& yaml) {
  auto loaded = load(yaml);
  EXPECT_FALSE(loaded) << yaml;
  return loaded ? LoadErrors{} : loaded.error();
}

const LoadError* findError(const LoadErrors& errors, Error code, const std::string& where) {
  const auto found = std::find_if(errors.begin(), errors.end(), [&](const LoadError& error) {
    return error.code == code && error.where == where;
  });
  return found == errors.end() ? nullptr : &*found;
}

std::string dump(const LoadErrors& errors) {
  std::string out;
  for (const auto& error : errors) {
    out += toString(error) + "\n";
  }
  return out;
}

TEST(PolicyJwtRules, ReadsEveryField) {
  auto loaded = load(R"(
jwt_rules:
  - issuer: https://idp.example.com
    audiences: [api, other]
    jwks_uri: https://idp.example.com/jwks
    from_headers: [{name: X-Token, prefix: "Bearer "}, {name: X-Raw}]
    from_params: [token]
    from_cookies: [session_jwt]
    forward_original_token: true
    output_payload_to_header: X-Jwt-Payload
    output_claim_to_headers: [{header: X-Tenant, claim: org.tenant}]
    timeout: 5s
    space_delimited_claims: [roles]
  - issuer: https://other.example.com
    jwks: '{"keys": []}'
)");
  ASSERT_TRUE(loaded) << dump(loaded.error());
  ASSERT_EQ(loaded->size(), 2u);
  const JwtRule& rule = (*loaded)[0];
  EXPECT_EQ(rule.origin, "jwt_rules[0]");
  EXPECT_EQ(rule.issuer, "https://idp.example.com");
  EXPECT_EQ(rule.audiences, (std::vector<std::string>{"api", "other"}));
  EXPECT_EQ(rule.jwksUri, "https://idp.example.com/jwks");
  EXPECT_EQ(rule.fromHeaders,
            (std::vector<JwtHeaderLocation>{{"X-Token", "Bearer "}, {"X-Raw", ""}}));
  EXPECT_EQ(rule.fromParams, std::vector<std::string>{"token"});
  EXPECT_EQ(rule.fromCookies, std::vector<std::string>{"session_jwt"});
  EXPECT_TRUE(rule.forwardOriginalToken);
  EXPECT_EQ(rule.outputPayloadToHeader, "X-Jwt-Payload");
  EXPECT_EQ(rule.outputClaimToHeaders, (std::vector<ClaimToHeader>{{"X-Tenant", "org.tenant"}}));
  EXPECT_EQ(rule.timeout, "5s");
  EXPECT_EQ(rule.spaceDelimitedClaims, std::vector<std::string>{"roles"});
  EXPECT_FALSE(rule.usesDefaultLocations());

  const JwtRule& second = (*loaded)[1];
  EXPECT_EQ(second.origin, "jwt_rules[1]");
  EXPECT_EQ(second.jwks, R"({"keys": []})");
  EXPECT_TRUE(second.audiences.empty());
  EXPECT_FALSE(second.forwardOriginalToken);
  EXPECT_TRUE(second.usesDefaultLocations());
}

TEST(PolicyJwtRules, AbsentOrNullSectionIsNoRules) {
  auto absent = load("other: 1\n");
  ASSERT_TRUE(absent);
  EXPECT_TRUE(absent->empty());
  auto null = load("jwt_rules:\n");
  ASSERT_TRUE(null);
  EXPECT_TRUE(null->empty());
}

TEST(PolicyJwtRules, CamelCaseKeysAreUnknownHere) {
  const auto errors = errorsOf(
      "jwt_rules:\n"
      "  - issuer: https://idp.example.com\n"
      "    jwksUri: https://idp.example.com/jwks\n"
      "    forwardOriginalToken: true\n");
  const LoadError* uri = findError(errors, Error::UnknownKey, "jwt_rules[0].jwksUri");
  ASSERT_NE(uri, nullptr) << dump(errors);
  EXPECT_NE(uri->message.find("line 3"), std::string::npos) << uri->message;
  EXPECT_NE(findError(errors, Error::UnknownKey, "jwt_rules[0].forwardOriginalToken"), nullptr)
      << dump(errors);
  EXPECT_EQ(errors.size(), 2u) << dump(errors);
}

TEST(PolicyJwtRules, ReportsEveryProblemWithItsPath) {
  const auto errors = errorsOf(
      "jwt_rules:\n"
      "  - jwks_uri: ftp://idp.example.com/jwks\n"
      "    forward_original_token: yes\n"
      "    from_headers: [{prefix: x}]\n"
      "    output_claim_to_headers: [{header: h}]\n"
      "    audiences: ['']\n"
      "    isuer: x\n"
      "  - issuer: ''\n");
  EXPECT_NE(findError(errors, Error::MissingField, "jwt_rules[0].issuer"), nullptr) << dump(errors);
  const LoadError* uri = findError(errors, Error::BadValue, "jwt_rules[0].jwks_uri");
  ASSERT_NE(uri, nullptr) << dump(errors);
  EXPECT_NE(uri->message.find("jwks_uri must be an http(s) URL"), std::string::npos);
  EXPECT_NE(findError(errors, Error::BadValue, "jwt_rules[0].forward_original_token"), nullptr)
      << dump(errors);
  EXPECT_NE(findError(errors, Error::MissingField, "jwt_rules[0].from_headers[0].name"), nullptr)
      << dump(errors);
  EXPECT_NE(findError(errors, Error::MissingField, "jwt_rules[0].output_claim_to_headers[0].claim"),
            nullptr)
      << dump(errors);
  EXPECT_NE(findError(errors, Error::EmptyValue, "jwt_rules[0].audiences[0]"), nullptr)
      << dump(errors);
  const LoadError* typo = findError(errors, Error::UnknownKey, "jwt_rules[0].isuer");
  ASSERT_NE(typo, nullptr) << dump(errors);
  EXPECT_NE(typo->message.find("line 7"), std::string::npos) << typo->message;
  // An empty issuer counts as missing.
  EXPECT_NE(findError(errors, Error::MissingField, "jwt_rules[1].issuer"), nullptr) << dump(errors);
}

TEST(PolicyJwtRules, PlainHttpJwksUriIsAccepted) {
  auto loaded = load(
      "jwt_rules:\n  - issuer: http://127.0.0.1:9000\n    jwks_uri: http://127.0.0.1:9000/jwks\n");
  ASSERT_TRUE(loaded) << dump(loaded.error());
  EXPECT_EQ((*loaded)[0].jwksUri, "http://127.0.0.1:9000/jwks");
}

TEST(PolicyJwtRules, WrongShapesAreErrors) {
  auto errors = errorsOf("jwt_rules: {issuer: x}\n");
  EXPECT_NE(findError(errors, Error::WrongType, "jwt_rules"), nullptr) << dump(errors);
  errors = errorsOf("jwt_rules: [just-a-string]\n");
  EXPECT_NE(findError(errors, Error::WrongType, "jwt_rules[0]"), nullptr) << dump(errors);
  errors = errorsOf("jwt_rules: [{issuer: x, from_params: {a: b}}]\n");
  EXPECT_NE(findError(errors, Error::WrongType, "jwt_rules[0].from_params"), nullptr)
      << dump(errors);
}

TEST(PolicyJwtRules, WhereNamesTheSection) {
  const YAML::Node root = YAML::Load("auth:\n  bearer: [{issuer: x, nope: 1}]\n");
  auto loaded = loadJwtRules(root["auth"]["bearer"], "auth.bearer");
  ASSERT_FALSE(loaded);
  EXPECT_NE(findError(loaded.error(), Error::UnknownKey, "auth.bearer[0].nope"), nullptr)
      << dump(loaded.error());
}

}  // namespace
}  // namespace authgate::core::policy
