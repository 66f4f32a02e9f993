#pragma once
// Shared by the policy_*_test.cc files: a realistic request and identity, and a loader for
// one-policy sets written in authgate's format.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>
#include <vector>

#include "core/policy/loader.h"

namespace authgate::core::policy::testing {

struct Request {
  std::vector<gate::HeaderView> headers = {
      {"X-Env", "prod"}, {"x-multi", "a"}, {"X-Multi", "b"}, {"X-Empty", ""}};
  boost::json::object claims = boost::json::parse(R"({
      "iss": "https://idp.example.com", "sub": "alice", "aud": ["client-id", "other"],
      "azp": "client-id", "scope": "read write", "permission": "p1 p2",
      "groups": ["admins", "dev"], "org": {"team": {"name": "core"}}, "level": 3,
      "email_verified": true, "roles": "a b"})")
                                   .as_object();
  std::vector<std::string> audiences = {"client-id", "other"};
  PolicyInput input{.method = "GET",
                    .host = "app.example.com",
                    .path = "/api/items",
                    .destinationPort = 443,
                    .sourceIp = "10.0.0.7",
                    .remoteIp = "203.0.113.9",
                    .destinationIp = "10.1.0.1",
                    .sni = "app.example.com",
                    .headers = {},
                    .identity = {}};

  Request() {
    input.headers = headers;
    input.identity = IdentityView{.claims = &claims,
                                  .issuer = "https://idp.example.com",
                                  .subject = "alice",
                                  .audiences = audiences,
                                  .presenter = "client-id"};
  }
  Request(const Request&) = delete;
  void anonymous() { input.identity = {}; }
};

inline Loaded loadOrFail(const std::string& yaml) {
  auto loaded = loadPolicyDocument(yaml, "test.yaml");
  if (!loaded) {
    for (const auto& error : loaded.error()) {
      ADD_FAILURE() << toString(error);
    }
    return {};
  }
  return std::move(*loaded);
}

inline LoadErrors errorsOf(const std::string& yaml) {
  auto loaded = loadPolicyDocument(yaml, "test.yaml");
  return loaded ? LoadErrors{} : loaded.error();
}

}  // namespace authgate::core::policy::testing
