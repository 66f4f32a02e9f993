#include "core/gate/forwarded.h"

#include "core/encoding/ascii.h"

namespace authgate::core::gate {
namespace {

using encoding::equalsIgnoreCase;
using encoding::trimSpaceAndTab;

// Longest host accepted (RFC 1035 §2.3.4 names are at most 253 characters, plus ":65535").
constexpr std::size_t kMaxHost = 253 + 6;

bool isDigits(std::string_view text) {
  if (text.empty()) {
    return false;
  }
  for (char c : text) {
    if (c < '0' || c > '9') {
      return false;
    }
  }
  return true;
}

bool isPort(std::string_view text) {
  if (!isDigits(text) || text.size() > 5) {
    return false;
  }
  unsigned value = 0;
  for (char c : text) {
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value <= 65535;
}

bool isRegNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

// The rightmost element of every field named `name` taken as one comma-separated list
// (RFC 9110 §5.3), trimmed; nullopt when there is no such field or the element is empty.
std::optional<std::string_view> rightmost(std::span<const HeaderView> headers,
                                          std::string_view name) {
  std::optional<std::string_view> last;
  for (const HeaderView& header : headers) {
    if (equalsIgnoreCase(header.name, name)) {
      const std::size_t comma = header.value.rfind(',');
      last = trimSpaceAndTab(comma == std::string_view::npos ? header.value
                                                             : header.value.substr(comma + 1));
    }
  }
  if (last && last->empty()) {
    return std::nullopt;
  }
  return last;
}

// The address part of one X-Forwarded-For or real-IP element: "192.0.2.1", "2001:db8::1",
// "[2001:db8::1]", "[2001:db8::1]:443" or "192.0.2.1:443" (some load balancers add the port).
std::optional<std::string_view> addressPart(std::string_view element) {
  element = trimSpaceAndTab(element);
  if (element.starts_with('[')) {
    const std::size_t close = element.find(']');
    if (close == std::string_view::npos) {
      return std::nullopt;
    }
    const std::string_view rest = element.substr(close + 1);
    if (!rest.empty() && !(rest.front() == ':' && isPort(rest.substr(1)))) {
      return std::nullopt;
    }
    element = element.substr(1, close - 1);
    if (element.find(':') == std::string_view::npos) {
      return std::nullopt;  // only IPv6 goes in brackets
    }
  } else if (const std::size_t colon = element.find(':');
             colon != std::string_view::npos &&
             element.find(':', colon + 1) == std::string_view::npos) {
    if (!isPort(element.substr(colon + 1))) {
      return std::nullopt;
    }
    element = element.substr(0, colon);  // IPv4 with a port
  }
  if (!net::parseIpAddress(element)) {
    return std::nullopt;
  }
  return element;
}

// The one address of a single-valued header such as X-Real-IP; nullopt when the header is
// absent, repeated, a list or no address.
std::optional<std::string_view> singleAddress(std::span<const HeaderView> headers,
                                              std::string_view name) {
  std::optional<std::string_view> found;
  for (const HeaderView& header : headers) {
    if (equalsIgnoreCase(header.name, name)) {
      if (found || header.value.find(',') != std::string_view::npos) {
        return std::nullopt;
      }
      found = header.value;
    }
  }
  return found ? addressPart(*found) : std::nullopt;
}

// X-Forwarded-For read right to left: each element was appended by the hop to its right, so the
// first element (from the right) that is not a trusted proxy is the client as the trusted chain
// saw it. Stops at an element that does not parse: what lies left of it cannot be vouched for,
// so the last good hop is the answer. Nullopt when the header has no usable element.
std::optional<std::string_view> rightmostUntrusted(std::span<const HeaderView> headers,
                                                   std::span<const net::IpNetwork> trusted) {
  std::optional<std::string_view> last;
  // Fields are walked last to first, and each field's elements right to left.
  for (auto header = headers.rbegin(); header != headers.rend(); ++header) {
    if (!equalsIgnoreCase(header->name, "X-Forwarded-For")) {
      continue;
    }
    std::string_view list = header->value;
    while (true) {
      const std::size_t comma = list.rfind(',');
      const std::string_view element =
          comma == std::string_view::npos ? list : list.substr(comma + 1);
      const auto address = addressPart(element);
      if (!address) {
        return last;
      }
      last = *address;
      const auto parsed = net::parseIpAddress(*address);
      if (!net::containsAny(trusted, *parsed)) {
        return last;
      }
      if (comma == std::string_view::npos) {
        break;
      }
      list = list.substr(0, comma);
    }
  }
  return last;  // every hop was a trusted proxy: the leftmost one
}

std::string_view clientIpOf(const ForwardedInput& input) {
  if (!equalsIgnoreCase(input.realClientIpHeader, "X-Forwarded-For")) {
    if (auto real = singleAddress(input.headers, input.realClientIpHeader)) {
      return *real;
    }
  }
  if (auto forwarded = rightmostUntrusted(input.headers, input.trustedProxies)) {
    return *forwarded;
  }
  return input.peer;
}

std::string_view ownScheme(std::string_view connectionScheme) {
  return equalsIgnoreCase(connectionScheme, "https") ? "https" : "http";
}

std::string_view hostHeader(std::span<const HeaderView> headers) {
  for (const HeaderView& header : headers) {
    if (equalsIgnoreCase(header.name, "Host")) {
      const std::string_view host = trimSpaceAndTab(header.value);
      return isValidHostHeader(host) ? host : std::string_view();
    }
  }
  return {};
}

}  // namespace

bool isValidHostHeader(std::string_view host) {
  if (host.empty() || host.size() > kMaxHost) {
    return false;
  }
  std::string_view name = host;
  if (host.front() == '[') {
    const std::size_t close = host.find(']');
    if (close == std::string_view::npos) {
      return false;
    }
    const std::string_view address = host.substr(1, close - 1);
    if (address.find(':') == std::string_view::npos || !net::parseIpAddress(address)) {
      return false;
    }
    const std::string_view rest = host.substr(close + 1);
    return rest.empty() || (rest.front() == ':' && isPort(rest.substr(1)));
  }
  if (const std::size_t colon = host.find(':'); colon != std::string_view::npos) {
    if (!isPort(host.substr(colon + 1))) {
      return false;
    }
    name = host.substr(0, colon);
  }
  if (name.empty()) {
    return false;
  }
  for (char c : name) {
    if (!isRegNameChar(c)) {
      return false;
    }
  }
  return true;
}

Forwarded resolveForwarded(const ForwardedInput& input) {
  Forwarded out{.scheme = ownScheme(input.connectionScheme),
                .host = hostHeader(input.headers),
                .clientIp = input.peer,
                .trustedPeer = false};
  const auto peer = net::parseIpAddress(input.peer);
  if (!peer || !net::containsAny(input.trustedProxies, *peer)) {
    return out;
  }
  out.trustedPeer = true;
  if (const auto proto = rightmost(input.headers, "X-Forwarded-Proto")) {
    if (equalsIgnoreCase(*proto, "https")) {
      out.scheme = "https";
    } else if (equalsIgnoreCase(*proto, "http")) {
      out.scheme = "http";
    }
  }
  if (const auto host = rightmost(input.headers, "X-Forwarded-Host")) {
    if (isValidHostHeader(*host)) {
      out.host = *host;
    }
  }
  out.clientIp = clientIpOf(input);
  return out;
}

CheckRequest originalRequest(const CheckRequest& request,
                             std::span<const net::IpNetwork> trustedProxies) {
  CheckRequest original = request;
  const auto peer = net::parseIpAddress(request.peer);
  if (!peer || !net::containsAny(trustedProxies, *peer)) {
    return original;
  }
  std::optional<std::string_view> uri = request.header("X-Original-URI");
  if (!uri) {
    uri = request.header("X-Forwarded-Uri");
  }
  if (uri && uri->starts_with('/')) {
    const std::size_t question = uri->find('?');
    original.path = uri->substr(0, question);
    original.query =
        question == std::string_view::npos ? std::string_view() : uri->substr(question + 1);
  }
  std::optional<std::string_view> method = request.header("X-Original-Method");
  if (!method) {
    method = request.header("X-Forwarded-Method");
  }
  if (method && !method->empty()) {
    original.method = *method;
  }
  return original;
}

}  // namespace authgate::core::gate
