#include "io/frontend/http_frontend.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <vector>

#include "core/gate/cookies.h"
#include "core/gate/forwarded.h"

namespace authgate::io::frontend {
namespace {

namespace asio = boost::asio;
namespace gate = core::gate;

// "X-Forwarded-User" also arrives as "X_Forwarded_User"; some servers treat both as one name.
// Written into `out`, which a caller reuses.
std::string_view underscored(std::string_view name, std::string& out) {
  out.assign(name);
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

// The Cookie header without authgate's own cookies (every provider's session cookie, its
// chunks and login-state cookies, all named after it): the upstream never sees sessions or
// tokens.
std::string withoutOwnCookies(std::string_view header, std::span<const std::string> own_prefixes) {
  std::string kept;
  const gate::RequestCookies cookies = gate::parseCookieHeader(header);
  for (const auto& pair : cookies.pairs()) {
    if (std::any_of(own_prefixes.begin(), own_prefixes.end(),
                    [&](const std::string& own) { return pair.name.starts_with(own); })) {
      continue;
    }
    if (!kept.empty()) {
      kept += "; ";
    }
    kept.append(pair.name).append("=").append(pair.value);
  }
  return kept;
}

// The target below an ext_authz path prefix ("/check" + "/a?b" -> "/a?b"), or nullopt.
std::optional<std::string_view> belowPrefix(std::string_view target, std::string_view prefix) {
  if (prefix.empty() || !target.starts_with(prefix)) {
    return std::nullopt;
  }
  const std::string_view rest = target.substr(prefix.size());
  if (rest.empty() || rest.front() == '?') {
    return std::nullopt;  // the prefix itself names no original request
  }
  if (rest.front() != '/') {
    return std::nullopt;  // "/checkout" is not below "/check"
  }
  return rest;
}

}  // namespace

http::Response checkAllowed(const gate::Allow& allow, unsigned status) {
  constexpr std::string_view kRemoveHeader = "x-envoy-auth-headers-to-remove";
  http::Response response;
  response.status = status;
  thread_local std::string remove;  // reused: one answer at a time per thread
  remove.clear();
  for (const std::string& name : allow.removeHeaders()) {
    const bool overwritten = std::any_of(
        allow.gatewayHeaders().begin(), allow.gatewayHeaders().end(),
        [&](const gate::HeaderLine& line) { return http::equalsIgnoreCase(line.name, name); });
    if (!overwritten) {
      remove.append(remove.empty() ? "" : ", ").append(name);
    }
  }
  std::size_t bytes = kRemoveHeader.size() + remove.size();
  for (const auto* lines : {&allow.gatewayHeaders(), &allow.responseHeaders}) {
    for (const auto& header : *lines) {
      bytes += header.name.size() + header.value.size();
    }
  }
  response.headers.reserve(allow.gatewayHeaders().size() + allow.responseHeaders.size() + 1, bytes);
  for (const auto& header : allow.gatewayHeaders()) {
    response.headers.add(header.name, header.value);
  }
  for (const auto& header : allow.responseHeaders) {
    response.headers.add(header.name, header.value);
  }
  if (!remove.empty()) {
    response.headers.add(kRemoveHeader, remove);
  }
  return response;
}

http::Response toHttpResponse(const gate::Respond& respond, std::string_view request_id) {
  http::Response response;
  response.status = static_cast<unsigned>(respond.status);
  for (const auto& header : respond.headers) {
    response.headers.add(header.name, header.value);
  }
  if (!request_id.empty()) {
    response.headers.add("X-Request-Id", request_id);
  }
  response.body = respond.body;
  if (!respond.reason.empty()) {
    spdlog::warn("answered {} (request {}): {}", respond.status, request_id, respond.reason);
  }
  return response;
}

HttpFrontend::HttpFrontend(DecisionRunner& runner, Upstream upstream, Options options)
    : runner_(runner),
      backchannelLogoutPath_(runner.gate().settings().proxyPrefix + "/backchannel_logout"),
      ownCookies_(runner.cookieNames()),
      upstream_(std::move(upstream)),
      options_(std::move(options)) {}

bool HttpFrontend::streamsRequestBody(const http::Request& head) const {
  const std::string_view target = head.target;
  return target.substr(0, target.find('?')) != backchannelLogoutPath_;
}

FrontEnd HttpFrontend::frontEndOf(std::string_view path) const {
  const gate::GateSettings& settings = runner_.gate().settings();
  if (path == settings.pingPath || path == settings.readyPath) {
    return FrontEnd::Endpoint;
  }
  if (const auto endpoint = gate::pathBelow(path, settings.proxyPrefix)) {
    return *endpoint == "/auth" ? FrontEnd::AuthRequest : FrontEnd::Endpoint;
  }
  return FrontEnd::ReverseProxy;
}

asio::awaitable<http::Response> HttpFrontend::handle(http::Request& request) {
  const auto started = std::chrono::steady_clock::now();
  std::string_view target = request.target;
  unsigned check_status = 0;  // non-zero: an Envoy check, answered with this status on allow
  if (const auto checked = belowPrefix(target, options_.extAuthzPrefix)) {
    target = *checked;
    check_status = 200;
  }
  const std::size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  const FrontEnd front_end = check_status != 0 ? FrontEnd::ExtAuthzHttp : frontEndOf(path);
  if (check_status == 0) {
    check_status = upstream_.staticStatus(path);
  }

  // The client's (or gateway's) request id when well-formed, else a new one; set on the request
  // before the views below are taken, so the upstream and every log line see the same id.
  if (const auto id = request.headers.find("X-Request-Id");
      !id || !gate::isAcceptableRequestId(*id)) {
    request.headers.set("X-Request-Id", newRequestId());
  }
  thread_local std::vector<gate::HeaderView> scratch;
  scratch.clear();
  for (const auto& field : request.headers) {
    scratch.push_back({field.name, field.value});
  }
  // The public scheme and host: X-Forwarded-Proto/-Host only from trusted_proxies.
  const gate::GateSettings& settings = runner_.gate().settings();
  const gate::Forwarded origin =
      gate::resolveForwarded({.peer = request.peerAddress,
                              .connectionScheme = request.secure ? "https" : "http",
                              .headers = scratch,
                              .trustedProxies = settings.trustedProxies,
                              .realClientIpHeader = settings.realClientIpHeader});
  gate::CheckRequest check{
      .method = request.method,
      .scheme = origin.scheme,
      .host = origin.host,
      .path = path,
      .query = query,
      .headers = scratch,
      .peer = request.peerAddress,
      .requestId = request.headers.find("X-Request-Id").value_or(""),
      .body = request.bodyReader == nullptr ? std::string_view(request.body) : std::string_view()};
  gate::Decision decision = runner_.decide(check);
  if (!isFinal(decision)) {
    // The rest waits for the IdP, while other requests on this thread reuse `scratch`.
    const std::vector<gate::HeaderView> headers(scratch.begin(), scratch.end());
    check.headers = headers;
    decision = co_await runner_.complete(check, std::move(decision));
  }
  if (options_.observer == nullptr) {
    co_return co_await answer(request, decision, target, check_status);
  }
  // forward() edits the request's header fields, which `origin.host` and the id may point into:
  // the record of a forwarded request takes copies.
  std::string_view host = origin.host;
  std::string_view request_id = check.requestId;
  std::string host_copy;
  std::string request_id_copy;
  if (check_status == 0 && std::holds_alternative<gate::Allow>(decision)) {
    host = host_copy = host;
    request_id = request_id_copy = request_id;
  }
  http::Response response = co_await answer(request, decision, target, check_status);
  options_.observer->observe({.frontEnd = front_end,
                              .requestId = request_id,
                              .method = request.method,
                              .host = host,
                              .path = path,
                              .decision = &decision,
                              .status = response.status,
                              .latency = std::chrono::steady_clock::now() - started});
  co_return response;
}

asio::awaitable<http::Response> HttpFrontend::answer(http::Request& request,
                                                     const gate::Decision& decision,
                                                     std::string_view path_and_query,
                                                     unsigned check_status) {
  if (const auto* allow = std::get_if<gate::Allow>(&decision)) {
    if (check_status != 0) {
      co_return checkAllowed(*allow, check_status);
    }
    co_return co_await forward(request, *allow, path_and_query);
  }
  co_return toHttpResponse(std::get<gate::Respond>(decision),
                           request.headers.find("X-Request-Id").value_or(""));
}

asio::awaitable<http::Response> HttpFrontend::forward(http::Request& request,
                                                      const gate::Allow& allow,
                                                      std::string_view path_and_query) {
  thread_local std::string spelling;  // reused: no allocation per removed name
  for (const std::string& name : allow.removeHeaders()) {
    request.headers.remove(name);
    request.headers.remove(underscored(name, spelling));
  }
  // Every Cookie field (a gateway may split them), joined into one (RFC 6265 section 5.4).
  std::string kept;
  for (const http::Headers::Field field : request.headers) {
    if (http::equalsIgnoreCase(field.name, "Cookie")) {
      const std::string part = withoutOwnCookies(field.value, ownCookies_);
      if (!part.empty()) {
        kept.append(kept.empty() ? "" : "; ").append(part);
      }
    }
  }
  if (request.headers.remove("Cookie") > 0 && !kept.empty()) {
    request.headers.add("Cookie", kept);
  }
  for (const auto& header : allow.upstreamHeaders()) {
    request.headers.set(header.name, header.value);
  }
  http::Response response = co_await upstream_.forward(request, path_and_query);
  for (const auto& header : allow.responseHeaders) {
    response.headers.add(header.name, header.value);
  }
  co_return response;
}

}  // namespace authgate::io::frontend
