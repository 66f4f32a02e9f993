// Envoy ext_authz gRPC messages <-> the gate's model, without a server: the golden request
// bytes of tests/data/envoy (made by a hand-written encoder, make_check_request.py), Envoy's
// raw-header mode, and the header rules of the response.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "grpc_ext_authz_testing.h"
#include "io/grpc/check_translation.h"

namespace authgate::io::extauthz {
namespace {

namespace gate = core::gate;
using testing::envoyRequest;
using testing::valueOf;
using testing::valuesOf;

std::string readData(const std::string& relative) {
  std::ifstream in(std::filesystem::path(AUTHGATE_TEST_DATA) / relative, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(GrpcCheckTranslation, DecodesEnvoysGoldenCheckRequest) {
  v3::CheckRequest request;
  ASSERT_TRUE(request.ParseFromString(readData("envoy/check_request_v3.bin")));
  const auto expected = boost::json::parse(readData("envoy/check_request_v3.json")).as_object();

  std::vector<gate::HeaderView> headers;
  const gate::CheckRequest check = toCheckRequest(request, headers);
  EXPECT_EQ(check.method, expected.at("method").as_string());
  EXPECT_EQ(check.scheme, expected.at("scheme").as_string());
  EXPECT_EQ(check.host, expected.at("host").as_string());
  EXPECT_EQ(check.path, expected.at("path").as_string());
  EXPECT_EQ(check.query, expected.at("query").as_string());
  EXPECT_EQ(check.peer, expected.at("peer").as_string());
  EXPECT_EQ(check.now, 0);  // DecisionRunner::decide() sets it from its clock
  EXPECT_EQ(check.requestId, "8f0c6a3e-7e0e-4c5a-9a55-1f1f6c1f2a10");  // Envoy's x-request-id

  std::map<std::string, std::string> seen;
  for (const gate::HeaderView& header : check.headers) {
    EXPECT_FALSE(header.name.starts_with(":")) << header.name;
    EXPECT_TRUE(seen.emplace(header.name, header.value).second) << "twice: " << header.name;
  }
  std::map<std::string, std::string> want;
  for (const auto& [name, value] : expected.at("headers").as_object()) {
    want.emplace(name, value.as_string());
  }
  EXPECT_EQ(seen, want);
  EXPECT_EQ(check.header("Cookie"), "_authgate=c2Vzc2lvbi12YWx1ZQ; theme=dark");
  EXPECT_EQ(gate::queryParam(check.query, "y"), "/");
}

TEST(GrpcCheckTranslation, FallsBackToPseudoHeadersWhenFieldsAreEmpty) {
  v3::CheckRequest request;
  auto& http = *request.mutable_attributes()->mutable_request()->mutable_http();
  (*http.mutable_headers())[":method"] = "DELETE";
  (*http.mutable_headers())[":path"] = "/items/7";
  (*http.mutable_headers())[":authority"] = "api.example.com:8443";
  (*http.mutable_headers())[":scheme"] = "https";
  std::vector<gate::HeaderView> headers;
  const gate::CheckRequest check = toCheckRequest(request, headers);
  EXPECT_EQ(check.method, "DELETE");
  EXPECT_EQ(check.path, "/items/7");
  EXPECT_EQ(check.query, "");
  EXPECT_EQ(check.host, "api.example.com:8443");
  EXPECT_EQ(check.scheme, "https");
  EXPECT_EQ(check.peer, "");
  EXPECT_EQ(check.requestId, "");
  EXPECT_TRUE(check.headers.empty());
}

TEST(GrpcCheckTranslation, ReadsEnvoysRawHeaderMap) {
  v3::CheckRequest request;
  auto& http = *request.mutable_attributes()->mutable_request()->mutable_http();
  http.set_method("GET");
  http.set_path("/a?b=c");
  for (const auto& [name, value, raw] :
       {std::tuple{":authority", "", "app.example.com"}, std::tuple{"cookie", "", "s=1"},
        std::tuple{"x-forwarded-proto", "https", ""}}) {
    auto* header = http.mutable_header_map()->add_headers();
    header->set_key(name);
    header->set_value(value);
    header->set_raw_value(raw);
  }
  std::vector<gate::HeaderView> headers;
  const gate::CheckRequest check = toCheckRequest(request, headers);
  EXPECT_EQ(check.host, "app.example.com");
  EXPECT_EQ(check.scheme, "https");
  EXPECT_EQ(check.query, "b=c");
  ASSERT_EQ(check.headers.size(), 2u);
  EXPECT_EQ(check.header("cookie"), "s=1");
}

TEST(GrpcCheckTranslation, AdoptsOnlyAWellFormedRequestId) {
  for (const auto& [sent, want] : {std::pair{"abc-123_x.y", "abc-123_x.y"},
                                   std::pair{"bad id\r\nx: y", ""}, std::pair{"", ""}}) {
    v3::CheckRequest request = envoyRequest({.headers = {{"x-request-id", sent}}});
    std::vector<gate::HeaderView> headers;
    EXPECT_EQ(toCheckRequest(request, headers).requestId, want) << sent;
  }
}

TEST(GrpcCheckTranslation, TheForwardedProtoOfAFrontProxyWinsOverEnvoysScheme) {
  // TLS ended at a load balancer in front of Envoy: Envoy saw http, the browser used https.
  for (const auto& [forwarded, scheme, want] :
       {std::tuple{"https", "http", "https"}, std::tuple{"http, HTTPS", "http", "https"},
        std::tuple{"http", "https", "http"}, std::tuple{"gopher", "https", "https"},
        std::tuple{"", "", "http"}}) {
    v3::CheckRequest request = envoyRequest({});
    auto& http = *request.mutable_attributes()->mutable_request()->mutable_http();
    http.set_scheme(scheme);
    http.mutable_headers()->erase(":scheme");
    (*http.mutable_headers())["x-forwarded-proto"] = forwarded;
    std::vector<gate::HeaderView> headers;
    EXPECT_EQ(toCheckRequest(request, headers).scheme, want) << forwarded << " / " << scheme;
  }
}

TEST(GrpcCheckTranslation, AnAllowOverwritesIdentityAndRemovesOnlyWhatItDoesNotSet) {
  gate::Allow allow;
  allow.headers = std::make_shared<const gate::AllowedHeaders>(gate::AllowedHeaders{
      .upstream = {{"X-Forwarded-User", "alice"}},  // reverse-proxy mode only
      .gateway = {{"X-Auth-Request-User", "alice"}, {"Authorization", "Bearer t"}},
      .remove = {"X-Auth-Request-User", "X-Auth-Request-Email", "Authorization"},
      .user = "alice"});
  allow.responseHeaders = {{"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"}};
  v3::CheckResponse response;
  toCheckResponse(gate::Decision(allow), response);

  ASSERT_TRUE(response.has_status());
  EXPECT_EQ(response.status().code(), kRpcOk);
  ASSERT_TRUE(response.has_ok_response());
  const auto& ok = response.ok_response();
  ASSERT_EQ(ok.headers_size(), 2);
  for (const auto& option : ok.headers()) {
    ASSERT_TRUE(option.has_append()) << option.header().key();
    EXPECT_FALSE(option.append().value());
  }
  EXPECT_EQ(valueOf(ok.headers(), "X-Auth-Request-User"), "alice");
  EXPECT_EQ(valueOf(ok.headers(), "Authorization"), "Bearer t");
  EXPECT_EQ(valueOf(ok.headers(), "X-Forwarded-User"), "");
  // Envoy removes after it sets: the names just set are not listed; '_' spellings are.
  const std::vector<std::string> removed(ok.headers_to_remove().begin(),
                                         ok.headers_to_remove().end());
  EXPECT_EQ(removed, (std::vector<std::string>{"X_Auth_Request_User", "X-Auth-Request-Email",
                                               "X_Auth_Request_Email"}));
  EXPECT_EQ(valuesOf(ok.response_headers_to_add(), "Set-Cookie"),
            (std::vector<std::string>{"a=1", "b=2"}));
  for (const auto& option : ok.response_headers_to_add()) {
    EXPECT_FALSE(option.has_append());
  }
}

TEST(GrpcCheckTranslation, ADirectAnswerBecomesADeniedResponse) {
  for (const auto& [status, code] :
       {std::pair{302, kRpcUnauthenticated}, std::pair{401, kRpcUnauthenticated},
        std::pair{303, kRpcUnauthenticated}, std::pair{403, kRpcPermissionDenied},
        std::pair{200, kRpcPermissionDenied}, std::pair{503, kRpcPermissionDenied}}) {
    gate::Respond respond{
        .status = status,
        .headers = {{"Location", "/x"}, {"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"}},
        .body = "body",
        .reason = "secret detail"};
    v3::CheckResponse response;
    toCheckResponse(gate::Decision(respond), response);
    EXPECT_EQ(response.status().code(), code) << status;
    EXPECT_EQ(response.status().message(), "");
    ASSERT_TRUE(response.has_denied_response());
    const auto& denied = response.denied_response();
    EXPECT_EQ(static_cast<int>(denied.status().code()), status);
    EXPECT_EQ(denied.body(), "body");
    ASSERT_EQ(denied.headers_size(), 3);
    for (const auto& option : denied.headers()) {
      EXPECT_FALSE(option.has_append());
      EXPECT_EQ(option.append_action(), 0);
    }
    EXPECT_EQ(valuesOf(denied.headers(), "Set-Cookie"), (std::vector<std::string>{"a=1", "b=2"}));
  }
}

TEST(GrpcCheckTranslation, ADecisionThatStillNeedsTheIdpIsNeverAnAllow) {
  v3::CheckResponse response;
  toCheckResponse(gate::Decision(gate::Exchange{}), response);
  EXPECT_NE(response.status().code(), kRpcOk);
  EXPECT_EQ(static_cast<int>(response.denied_response().status().code()), 500);
}

}  // namespace
}  // namespace authgate::io::extauthz
