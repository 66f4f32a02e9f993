#pragma once
// The definitions of frontend_driver.h (included at its end; not included on its own).

#include <algorithm>
#include <cctype>
#include <chrono>

#include "frontend_driver.h"

namespace authgate::io::frontend::testing {

inline void FrontendDriver::SetUp() {
  GateFixture::SetUp();
  if (HasFatalFailure()) {
    return;
  }
  auto codec = core::session::SessionCodec::create(secrets_);
  ASSERT_TRUE(codec) << codec.error();
  codec_.emplace(std::move(*codec));

  http::ServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.threads = 1;
  upstreamServer_.emplace(options, recorder_);
  auto started = upstreamServer_->start();
  ASSERT_TRUE(started) << started.error();
  auto proxied =
      Upstream::parse("http://127.0.0.1:" + std::to_string(upstreamServer_->httpPort()) + "/");
  ASSERT_TRUE(proxied) << proxied.error();
  auto checked = Upstream::parse("static://200");
  ASSERT_TRUE(checked) << checked.error();
  proxy_.emplace(*runner_, *proxied, HttpFrontend::Options{});
  check_.emplace(*runner_, *checked, HttpFrontend::Options{});
  prefixed_.emplace(*runner_, *proxied, HttpFrontend::Options{.extAuthzPrefix = "/check"});
}

inline void FrontendDriver::TearDown() {
  if (upstreamServer_) {
    upstreamServer_->stop();
  }
  GateFixture::TearDown();
}

inline std::string FrontendDriver::cookieFor(SessionKind kind, const std::string& refreshToken) {
  if (kind == SessionKind::None) {
    return "";
  }
  const core::UnixSeconds now = clock_.now();
  const bool expired =
      kind == SessionKind::ExpiredWithRefresh || kind == SessionKind::ExpiredWithoutRefresh;
  const core::UnixSeconds tokensEnd = expired ? now - 1 : now + 3600;
  const core::session::Session session{
      .subject = "alice-id",
      .email = kAlice,
      .user = kAlice,
      .preferredUsername = "alice",
      .groups = {"admins", "devs"},
      .idToken = signIdToken(kAlice, ""),
      .accessToken = "at-1",
      .refreshToken = kind == SessionKind::ExpiredWithoutRefresh ? "" : refreshToken,
      .idTokenExpiresAt = tokensEnd,
      .accessTokenExpiresAt = tokensEnd,
      .refreshTokenExpiresAt = 0,
      .createdAt = now - 3600,
      .providerId = "",
      .expiresAt = now + 24 * 3600};
  auto sealed = codec_->seal(session, random_);
  EXPECT_TRUE(sealed);
  std::string value = sealed ? *sealed : std::string();
  if (kind == SessionKind::Tampered && !value.empty()) {
    char& c = value[value.size() / 2];
    c = c == 'A' ? 'B' : 'A';  // still base64url, no longer what was sealed
  }
  return "_authgate=" + value;
}

inline Outcome FrontendDriver::reduce(bool allowed, int status, const Lines& headers,
                                      const std::string& user) const {
  Outcome outcome{.allowed = allowed, .status = allowed ? 0 : status, .user = user};
  const std::string base = idp_.baseUrl();
  for (const auto& [name, value] : headers) {
    if (http::equalsIgnoreCase(name, "Location")) {
      outcome.location = value.starts_with(base + "/authorize?") ? Where::IdpAuthorize
                         : value.starts_with(base + "/logout")   ? Where::IdpLogout
                                                                 : Where::Other;
    }
    if (http::equalsIgnoreCase(name, "Set-Cookie") && value.starts_with("_authgate=")) {
      outcome.cookie = value.find("Max-Age=0") != std::string::npos ? SessionCookie::Cleared
                                                                    : SessionCookie::Set;
    }
  }
  return outcome;
}

inline std::string FrontendDriver::valueIn(const Lines& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (http::equalsIgnoreCase(key, name)) {
      return value;
    }
  }
  return "";
}

inline HttpAnswer FrontendDriver::runHttp(HttpFrontend& frontend, const std::string& target,
                                          const Call& call) {
  http::Request request;
  request.method = call.method;
  request.target = target;
  request.headers.add("Host", call.host);
  if (!call.accept.empty()) {
    request.headers.add("Accept", call.accept);
  }
  for (const auto& [name, value] : call.headers) {
    request.headers.add(name, value);
  }
  if (!call.cookie.empty()) {
    request.headers.add("Cookie", call.cookie);
  }
  request.peerAddress = call.peer;
  request.secure = true;  // the gRPC calls say https too: the same public origin
  auto done =
      boost::asio::co_spawn(io_, handleOn(frontend, std::move(request)), boost::asio::use_future);
  if (done.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    ADD_FAILURE() << "no answer in time";
    return {};
  }
  return done.get();
}

inline bool FrontendDriver::trusted(const std::string& address) const {
  const auto parsed = core::net::parseIpAddress(address);
  return parsed && core::net::containsAny(runner_->gate().settings().trustedProxies, *parsed);
}

inline Answer FrontendDriver::through(FrontEnd frontEnd, const Call& call) {
  switch (frontEnd) {
    case FrontEnd::Proxy: {
      const int before = recorder_.seen().first;
      const HttpAnswer answer = runHttp(*proxy_, call.target, call);
      const auto [hits, user] = recorder_.seen();
      const bool forwarded = hits > before;
      // Forwarded with anything but the upstream's 200 is no agreement either.
      Outcome outcome =
          reduce(forwarded, static_cast<int>(answer.status), answer.headers, forwarded ? user : "");
      if (forwarded && answer.status != 200) {
        outcome.status = static_cast<int>(answer.status);
      }
      return {outcome, valueIn(answer.headers, "Content-Type"), forwarded ? "" : answer.body};
    }
    case FrontEnd::AuthUrl:
      return throughAuthUrl(call);
    case FrontEnd::HttpCheck:
    case FrontEnd::PrefixCheck: {
      const HttpAnswer answer = frontEnd == FrontEnd::HttpCheck
                                    ? runHttp(*check_, call.target, call)
                                    : runHttp(*prefixed_, "/check" + call.target, call);
      const bool allowed = answer.status == 200;
      return {reduce(allowed, static_cast<int>(answer.status), answer.headers,
                     valueIn(answer.headers, "X-Auth-Request-User")),
              valueIn(answer.headers, "Content-Type"), allowed ? "" : answer.body};
    }
    case FrontEnd::GrpcCheck:
      return throughGrpc(call);
  }
  return {};
}

inline Answer FrontendDriver::throughAuthUrl(const Call& call) {
  Call asked = call;
  if (!authGateway_.empty()) {
    // nginx's auth_request subrequest and Caddy's forward_auth are GETs.
    asked.method = "GET";
    asked.headers.emplace_back("X-Forwarded-Uri", call.target);
    asked.headers.emplace_back("X-Forwarded-Method", call.method);
    if (!trusted(call.peer)) {
      auto xff = std::find_if(asked.headers.begin(), asked.headers.end(), [](const auto& header) {
        return http::equalsIgnoreCase(header.first, "X-Forwarded-For");
      });
      if (xff == asked.headers.end()) {
        asked.headers.emplace_back("X-Forwarded-For", call.peer);
      } else {
        xff->second += ", " + call.peer;
      }
      asked.peer = authGateway_;
    }
  }
  const HttpAnswer answer = runHttp(*proxy_, "/oauth2/auth", asked);
  const bool allowed = answer.status == 202;
  return {reduce(allowed, static_cast<int>(answer.status), answer.headers,
                 valueIn(answer.headers, "X-Auth-Request-User")),
          valueIn(answer.headers, "Content-Type"), allowed ? "" : answer.body};
}

inline Answer FrontendDriver::throughGrpc(const Call& call) {
  extauthz::testing::EnvoyCall envoy{
      .method = call.method, .path = call.target, .host = call.host, .peer = call.peer};
  auto lower = [](std::string name) {
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return name;
  };
  if (!call.accept.empty()) {
    envoy.headers.emplace_back("accept", call.accept);
  }
  // Envoy's CheckRequest holds each header once, a repeated one joined with ','.
  for (const auto& [name, value] : call.headers) {
    const std::string key = lower(name);
    auto seen = std::find_if(envoy.headers.begin(), envoy.headers.end(),
                             [&key](const auto& header) { return header.first == key; });
    if (seen == envoy.headers.end()) {
      envoy.headers.emplace_back(key, value);
    } else {
      seen->second += "," + value;
    }
  }
  if (!call.cookie.empty()) {
    envoy.headers.emplace_back("cookie", call.cookie);
  }
  ::grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  extauthz::v3::CheckResponse response;
  const ::grpc::Status transport =
      v3_->Check(&context, extauthz::testing::envoyRequest(envoy), &response);
  if (!transport.ok()) {
    return {Outcome{.status = -1, .user = "transport: " + transport.error_message()}};
  }
  const bool allowed = response.status().code() == extauthz::kRpcOk && response.has_ok_response() &&
                       !response.has_denied_response();
  Lines headers;
  const auto& options = allowed ? response.ok_response().response_headers_to_add()
                                : response.denied_response().headers();
  for (const auto& option : options) {
    headers.emplace_back(option.header().key(), option.header().value());
  }
  Answer answer{reduce(
      allowed, response.denied_response().status().code(), headers,
      allowed ? extauthz::testing::valueOf(response.ok_response().headers(), "X-Auth-Request-User")
              : "")};
  answer.contentType = valueIn(headers, "Content-Type");
  answer.body = response.denied_response().body();
  answer.rpcCode = response.status().code();
  return answer;
}

}  // namespace authgate::io::frontend::testing
