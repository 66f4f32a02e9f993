#include "io/proxy/forward_headers.h"

#include <array>

#include "core/encoding/ascii.h"

namespace authgate::io::proxy {
namespace {

using core::encoding::equalsIgnoreCase;
using core::encoding::trimSpaceAndTab;

constexpr std::array<std::string_view, 9> kHopByHop = {
    "connection", "keep-alive",         "proxy-connection",   "te", "trailer", "transfer-encoding",
    "upgrade",    "proxy-authenticate", "proxy-authorization"};

// Calls f(token) for each element of a comma-separated list (RFC 9110 section 5.6.1).
template <class F>
void forEachToken(std::string_view list, F f) {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view token = trimSpaceAndTab(list.substr(0, comma));
    if (!token.empty()) {
      f(token);
    }
    if (comma == std::string_view::npos) {
      break;
    }
    list.remove_prefix(comma + 1);
  }
}

bool hasToken(const http::Headers& headers, std::string_view name, std::string_view wanted) {
  bool found = false;
  for (const http::Headers::Field field : headers) {
    if (equalsIgnoreCase(field.name, name)) {
      forEachToken(field.value, [&](std::string_view token) {
        found = found || equalsIgnoreCase(token, wanted);
      });
    }
  }
  return found;
}

bool isForwardedField(std::string_view name) {
  return equalsIgnoreCase(name, "x-forwarded-for") || equalsIgnoreCase(name, "x-forwarded-proto") ||
         equalsIgnoreCase(name, "x-forwarded-host");
}

void appendField(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

}  // namespace

void HopByHop::addConnectionTokens(std::string_view connectionValue) {
  forEachToken(connectionValue, [&](std::string_view token) { named_.emplace_back(token); });
}

bool HopByHop::contains(std::string_view name) const {
  for (std::string_view fixed : kHopByHop) {
    if (equalsIgnoreCase(name, fixed)) {
      return true;
    }
  }
  for (const std::string& named : named_) {
    if (equalsIgnoreCase(name, named)) {
      return true;
    }
  }
  return false;
}

HopByHop hopByHopOf(const http::Headers& headers) {
  HopByHop hop;
  for (const http::Headers::Field field : headers) {
    if (equalsIgnoreCase(field.name, "connection")) {
      hop.addConnectionTokens(field.value);
    }
  }
  return hop;
}

bool isWebSocketUpgrade(const http::Request& request) {
  return request.method == "GET" && hasToken(request.headers, "connection", "upgrade") &&
         hasToken(request.headers, "upgrade", "websocket");
}

void writeUpstreamHead(const http::Request& request, std::string_view target,
                       std::string_view originHost, const UpstreamBody& body, bool webSocket,
                       std::string& out) {
  writeUpstreamHead(request, target, originHost, HostHeader::Client, body, webSocket, out);
}

void writeUpstreamHead(const http::Request& request, std::string_view target,
                       std::string_view originHost, HostHeader host, const UpstreamBody& body,
                       bool webSocket, std::string& out) {
  out.clear();
  out.append(request.method).append(" ").append(target).append(" HTTP/1.1\r\n");
  const HopByHop hop = hopByHopOf(request.headers);
  std::string forwardedFor;
  for (const http::Headers::Field field : request.headers) {
    if (equalsIgnoreCase(field.name, "x-forwarded-for")) {
      // Several fields are one list (RFC 9110 section 5.3).
      if (!forwardedFor.empty()) {
        forwardedFor.append(", ");
      }
      forwardedFor.append(trimSpaceAndTab(field.value));
      continue;
    }
    if (hop.contains(field.name) || isForwardedField(field.name) ||
        equalsIgnoreCase(field.name, "content-length") || equalsIgnoreCase(field.name, "expect") ||
        (host == HostHeader::Origin && equalsIgnoreCase(field.name, "host"))) {
      continue;  // Expect: the server answered 100 Continue itself when the body was read
    }
    appendField(out, field.name, field.value);
  }
  if (!forwardedFor.empty()) {
    forwardedFor.append(", ");
  }
  forwardedFor.append(request.peerAddress);
  appendField(out, "X-Forwarded-For", forwardedFor);
  appendField(out, "X-Forwarded-Proto", request.secure ? "https" : "http");
  const auto clientHost = request.headers.find("host");
  if (clientHost) {
    appendField(out, "X-Forwarded-Host", *clientHost);
  }
  if (!clientHost || host == HostHeader::Origin) {
    appendField(out, "Host", originHost);  // HTTP/1.1 requires one (RFC 9112 section 3.2)
  }
  switch (body.kind) {
    case BodyKind::None:
      break;
    case BodyKind::Length:
      appendField(out, "Content-Length", std::to_string(body.length));
      break;
    case BodyKind::Chunked:
      appendField(out, "Transfer-Encoding", "chunked");
      break;
  }
  if (webSocket) {
    appendField(out, "Connection", "Upgrade");
    appendField(out, "Upgrade", "websocket");
  }
  out.append("\r\n");
}

bool keepResponseField(std::string_view name, const HopByHop& hop, bool switching) {
  if (switching && equalsIgnoreCase(name, "upgrade")) {
    return true;
  }
  return !hop.contains(name) && !equalsIgnoreCase(name, "content-length");
}

}  // namespace authgate::io::proxy
