#pragma once
// Test-only helpers for grpc_*_test.cc: an Envoy-style CheckRequest builder and readers for the
// CheckResponse, independent of the server's translation code.

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "envoy/service/auth/v3/external_auth.pb.h"

namespace authgate::io::extauthz::testing {

namespace v3 = ::envoy::service::auth::v3;

struct EnvoyCall {
  std::string method = "GET";
  std::string path = "/";  // query included, as Envoy sends :path
  std::string host = "app.example.com";
  std::vector<std::pair<std::string, std::string>> headers;  // regular ones, lower-case
  std::string peer = "203.0.113.9";
};

// What Envoy's gRPC client fills in: the fields and every header, pseudo-headers included.
inline v3::CheckRequest envoyRequest(const EnvoyCall& call) {
  v3::CheckRequest request;
  auto* attributes = request.mutable_attributes();
  attributes->mutable_source()->mutable_address()->mutable_socket_address()->set_address(call.peer);
  attributes->mutable_source()->mutable_address()->mutable_socket_address()->set_port_value(40000);
  auto* http = attributes->mutable_request()->mutable_http();
  http->set_id("1234");
  http->set_method(call.method);
  http->set_path(call.path);
  http->set_host(call.host);
  http->set_scheme("https");
  http->set_protocol("HTTP/1.1");
  auto& headers = *http->mutable_headers();
  headers[":authority"] = call.host;
  headers[":method"] = call.method;
  headers[":path"] = call.path;
  headers[":scheme"] = "https";
  headers["x-forwarded-proto"] = "https";
  for (const auto& [name, value] : call.headers) {
    headers[name] = value;
  }
  return request;
}

using HeaderOptions =
    google::protobuf::RepeatedPtrField<::envoy::config::core::v3::HeaderValueOption>;

// Every value of `name` (exact spelling), in order.
inline std::vector<std::string> valuesOf(const HeaderOptions& options, const std::string& name) {
  std::vector<std::string> values;
  for (const auto& option : options) {
    if (option.header().key() == name) {
      values.push_back(option.header().value());
    }
  }
  return values;
}

inline std::string valueOf(const HeaderOptions& options, const std::string& name) {
  auto values = valuesOf(options, name);
  return values.empty() ? std::string() : values.front();
}

// "name=value" of a Set-Cookie line.
inline std::string cookiePair(const std::string& set_cookie) {
  return set_cookie.substr(0, set_cookie.find(';'));
}

}  // namespace authgate::io::extauthz::testing
