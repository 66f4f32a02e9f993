#include "io/frontend/http_frontend.h"

#include <spdlog/spdlog.h>

#include <vector>

#include "core/gate/cookies.h"

namespace authgate::io::frontend {
namespace {

namespace asio = boost::asio;
namespace gate = core::gate;

// "X-Forwarded-User" also arrives as "X_Forwarded_User"; some servers treat both as one name.
std::string underscored(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c == '-') {
      c = '_';
    }
  }
  return out;
}

// The Cookie header without authgate's own cookies: the upstream never sees sessions or tokens.
std::string withoutOwnCookies(std::string_view header, std::string_view own_prefix) {
  std::string kept;
  const gate::RequestCookies cookies = gate::parseCookieHeader(header);
  for (const auto& pair : cookies.pairs()) {
    if (pair.name.starts_with(own_prefix)) {
      continue;
    }
    if (!kept.empty()) {
      kept += "; ";
    }
    kept.append(pair.name).append("=").append(pair.value);
  }
  return kept;
}

}  // namespace

http::Response toHttpResponse(const gate::Respond& respond) {
  http::Response response;
  response.status = static_cast<unsigned>(respond.status);
  for (const auto& header : respond.headers) {
    response.headers.add(header.name, header.value);
  }
  response.body = respond.body;
  if (!respond.reason.empty()) {
    spdlog::warn("answered {}: {}", respond.status, respond.reason);
  }
  return response;
}

HttpFrontend::HttpFrontend(std::shared_ptr<const gate::Gate> gate,
                           std::shared_ptr<idp::Provider> provider, Upstream upstream,
                           const core::Clock& clock)
    : runner_(std::move(gate), std::move(provider), clock), upstream_(std::move(upstream)) {}

asio::awaitable<http::Response> HttpFrontend::handle(http::Request& request) {
  const std::string_view target = request.target;
  const std::size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);

  thread_local std::vector<gate::HeaderView> scratch;
  scratch.clear();
  for (const auto& field : request.headers) {
    scratch.push_back({field.name, field.value});
  }
  gate::CheckRequest check{.method = request.method,
                           .scheme = request.secure ? "https" : "http",
                           .host = request.headers.find("Host").value_or(""),
                           .path = path,
                           .query = query,
                           .headers = scratch,
                           .peer = request.peerAddress};
  gate::Decision decision = runner_.decide(check);
  if (!isFinal(decision)) {
    // The rest waits for the IdP, while other requests on this thread reuse `scratch`.
    const std::vector<gate::HeaderView> headers(scratch.begin(), scratch.end());
    check.headers = headers;
    decision = co_await runner_.complete(check, std::move(decision));
  }
  co_return co_await answer(request, decision, target);
}

asio::awaitable<http::Response> HttpFrontend::answer(http::Request& request,
                                                     const gate::Decision& decision,
                                                     std::string_view path_and_query) {
  if (const auto* allow = std::get_if<gate::Allow>(&decision)) {
    co_return co_await forward(request, *allow, path_and_query);
  }
  co_return toHttpResponse(std::get<gate::Respond>(decision));
}

asio::awaitable<http::Response> HttpFrontend::forward(http::Request& request,
                                                      const gate::Allow& allow,
                                                      std::string_view path_and_query) {
  for (const std::string& name : allow.removeHeaders) {
    request.headers.remove(name);
    request.headers.remove(underscored(name));
  }
  // Every Cookie field (a gateway may split them), joined into one (RFC 6265 section 5.4).
  std::string kept;
  for (const http::Headers::Field field : request.headers) {
    if (http::equalsIgnoreCase(field.name, "Cookie")) {
      const std::string part = withoutOwnCookies(field.value, runner_.gate().settings().cookieName);
      if (!part.empty()) {
        kept.append(kept.empty() ? "" : "; ").append(part);
      }
    }
  }
  if (request.headers.remove("Cookie") > 0 && !kept.empty()) {
    request.headers.add("Cookie", kept);
  }
  for (const auto& header : allow.upstreamHeaders) {
    request.headers.set(header.name, header.value);
  }
  http::Response response = co_await upstream_.forward(request, path_and_query);
  for (const auto& header : allow.responseHeaders) {
    response.headers.add(header.name, header.value);
  }
  co_return response;
}

}  // namespace authgate::io::frontend
