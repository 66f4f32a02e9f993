#include "core/config/checks.h"

#include <algorithm>
#include <boost/url/ipv4_address.hpp>
#include <boost/url/ipv6_address.hpp>
#include <boost/url/parse.hpp>
#include <cstdint>

#include "core/config/values.h"
#include "core/encoding/ascii.h"
#include "core/gate/skip_routes.h"
#include "core/net/ip_network.h"

namespace authgate::core::config::checks {
namespace {

using Reason = std::optional<std::string>;

bool isControl(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7f;
}

bool hasControlOrSpace(std::string_view value) {
  for (char c : value) {
    if (isControl(c) || c == ' ') {
      return true;
    }
  }
  return false;
}

bool isDigits(std::string_view value) {
  if (value.empty()) {
    return false;
  }
  for (char c : value) {
    if (c < '0' || c > '9') {
      return false;
    }
  }
  return true;
}

// A decimal number within [low, high]; digits only, at most 5 of them.
bool isNumberIn(std::string_view value, int low, int high) {
  if (!isDigits(value) || value.size() > 5) {
    return false;
  }
  int number = 0;
  for (char c : value) {
    number = number * 10 + (c - '0');
  }
  return number >= low && number <= high;
}

// RFC 1123 §2.1 host name: dot-separated labels of letters, digits and '-', no empty label,
// no label starting or ending with '-'.
bool isHostName(std::string_view host) {
  if (host.empty() || host.size() > 253) {
    return false;
  }
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = host.find('.', start);
    const std::string_view label =
        host.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      const bool ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) {
        return false;
      }
    }
    if (dot == std::string_view::npos) {
      return true;
    }
    start = dot + 1;
  }
}

// Strips a leading "." or "*." (a subdomain wildcard) from a domain pattern.
std::string_view withoutWildcard(std::string_view value) {
  if (value.starts_with("*.")) {
    return value.substr(2);
  }
  if (value.starts_with(".")) {
    return value.substr(1);
  }
  return value;
}

// Parses an absolute http(s) URL; reason on failure.
Reason httpUrl(std::string_view value, bool allowQuery) {
  if (hasControlOrSpace(value)) {
    return "must be an http(s) URL, found " + quote(value);
  }
  auto url = boost::urls::parse_absolute_uri(value);
  if (!url) {
    return "must be an http(s) URL, found " + quote(value);
  }
  const std::string_view scheme = url->scheme();
  if (scheme != "http" && scheme != "https") {
    return "must be an http(s) URL, found " + quote(value);
  }
  if (!url->has_authority() || url->encoded_host().empty()) {
    return "must name a host, found " + quote(value);
  }
  if (url->has_userinfo()) {
    return "must not contain user information, found " + quote(value);
  }
  if (url->has_fragment()) {
    return "must not contain a fragment, found " + quote(value);
  }
  if (!allowQuery && url->has_query()) {
    return "must not contain a query, found " + quote(value);
  }
  return std::nullopt;
}

}  // namespace

Reason issuerUrl(std::string_view value) {
  return httpUrl(value, false);
}

Reason issuerAudience(std::string_view value) {
  // The issuer URL may hold '=' only in a query, which an issuer has none of (OIDC Discovery
  // §2): the last '=' separates the audience.
  const std::size_t equals = value.rfind('=');
  if (equals == std::string_view::npos || equals + 1 == value.size()) {
    return "must be issuer=audience, found " + quote(value);
  }
  if (auto reason = httpUrl(value.substr(0, equals), false)) {
    return "the issuer of " + quote(value) + " " + *reason;
  }
  return std::nullopt;
}

Reason redirectUrl(std::string_view value) {
  if (value.empty()) {
    return std::nullopt;
  }
  return httpUrl(value, true);
}

Reason upstream(std::string_view value) {
  if (value.starts_with("static://")) {
    if (!isNumberIn(value.substr(9), 100, 599)) {
      return "static upstream must be static://CODE with an HTTP status 100-599, found " +
             quote(value);
    }
    return std::nullopt;
  }
  if (auto reason = httpUrl(value, true)) {
    return "must be an http(s) URL or static://CODE, found " + quote(value);
  }
  return std::nullopt;
}

Reason listenAddress(std::string_view value) {
  if (value.empty()) {
    return std::nullopt;
  }
  const std::string expected = "must be host:port, [ipv6]:port or :port, found " + quote(value);
  const std::size_t colon = value.rfind(':');
  if (colon == std::string_view::npos || !isNumberIn(value.substr(colon + 1), 0, 65535)) {
    return expected;
  }
  const std::string_view host = value.substr(0, colon);
  if (host.empty() || isHostName(host) || boost::urls::parse_ipv4_address(host)) {
    return std::nullopt;
  }
  if (host.size() > 2 && host.front() == '[' && host.back() == ']' &&
      boost::urls::parse_ipv6_address(host.substr(1, host.size() - 2))) {
    return std::nullopt;
  }
  return expected;
}

Reason pathPrefix(std::string_view value) {
  if (value.size() < 2 || value.front() != '/' || value.back() == '/' || value[1] == '/' ||
      value.find_first_of("?#;\\") != std::string_view::npos || hasControlOrSpace(value)) {
    return "must be a path like /oauth2 (leading '/', no trailing '/', no query), found " +
           quote(value);
  }
  return std::nullopt;
}

Reason cookiePath(std::string_view value) {
  if (value.empty() || value.front() != '/' || value.find(';') != std::string_view::npos ||
      hasControlOrSpace(value)) {
    return "must be a path starting with '/' without ';' or spaces, found " + quote(value);
  }
  return std::nullopt;
}

Reason cookieName(std::string_view value) {
  if (value.empty()) {
    return std::string("must not be empty");
  }
  if (value.size() > 256) {
    return "must be at most 256 characters, got " + std::to_string(value.size());
  }
  // RFC 7230 §3.2.6 tchar.
  constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
  for (char c : value) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    kSymbols.find(c) != std::string_view::npos;
    if (!ok) {
      return "must be a cookie token (letters, digits and !#$%&'*+-.^_`|~), found " + quote(value);
    }
  }
  return std::nullopt;
}

Reason cookieDomain(std::string_view value) {
  const std::string_view host = value.starts_with(".") ? value.substr(1) : value;
  if (!isHostName(host)) {
    return "must be a domain like example.com or .example.com, found " + quote(value);
  }
  return std::nullopt;
}

Reason whitelistDomain(std::string_view value) {
  std::string_view host = withoutWildcard(value);
  if (const std::size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    const std::string_view port = host.substr(colon + 1);
    if (port != "*" && !isNumberIn(port, 1, 65535)) {
      return "port must be a number 1-65535 or *, found " + quote(value);
    }
    host = host.substr(0, colon);
  }
  if (!isHostName(host)) {
    return "must be a domain like example.com, .example.com or *.example.com:8443, found " +
           quote(value);
  }
  return std::nullopt;
}

Reason emailDomain(std::string_view value) {
  if (value == "*") {
    return std::nullopt;
  }
  if (!isHostName(withoutWildcard(value))) {
    return "must be *, a domain, or .domain for subdomains, found " + quote(value);
  }
  return std::nullopt;
}

Reason cidr(std::string_view value) {
  auto network = net::parseIpNetwork(value);
  if (!network) {
    return network.error() + ", found " + quote(value);
  }
  return std::nullopt;
}

Reason realClientIpHeader(std::string_view value) {
  constexpr std::string_view kAllowed[] = {"X-Real-IP", "X-Forwarded-For", "X-ProxyUser-IP",
                                           "X-Envoy-External-Address", "CF-Connecting-IP"};
  for (std::string_view allowed : kAllowed) {
    if (encoding::equalsIgnoreCase(value, allowed)) {
      return std::nullopt;
    }
  }
  return "must be one of X-Real-IP, X-Forwarded-For, X-ProxyUser-IP, X-Envoy-External-Address, "
         "CF-Connecting-IP, found " +
         quote(value);
}

Reason claimName(std::string_view value) {
  const bool ok =
      !value.empty() && value.size() <= 256 && std::all_of(value.begin(), value.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte > 0x20 && byte < 0x7f;
      });
  if (!ok) {
    return "must be a claim name (1-256 printable characters, no spaces), found " + quote(value);
  }
  return std::nullopt;
}

Reason optionalPathPrefix(std::string_view value) {
  return value.empty() ? std::nullopt : pathPrefix(value);
}

Reason scopeToken(std::string_view value) {
  // scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
  bool ok = !value.empty();
  for (char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    ok = ok && byte >= 0x21 && byte <= 0x7e && byte != 0x22 && byte != 0x5c;
  }
  if (!ok) {
    return "must be a scope token (printable, no spaces, quotes or backslashes), found " +
           quote(value);
  }
  return std::nullopt;
}

Reason providerType(std::string_view value) {
  if (value != "oidc") {
    return "only oidc (any OpenID Connect provider, given by provider.issuer_url) is supported, "
           "found " +
           quote(value);
  }
  return std::nullopt;
}

Reason codeChallengeMethod(std::string_view value) {
  if (!value.empty() && value != "S256") {
    return "must be S256 or \"\" (authgate always uses PKCE with S256), found " + quote(value);
  }
  return std::nullopt;
}

Reason filePath(std::string_view value) {
  if (value.empty() || std::any_of(value.begin(), value.end(), isControl)) {
    return "must be a file path, found " + quote(value);
  }
  return std::nullopt;
}

Reason optionalFilePath(std::string_view value) {
  return value.empty() ? std::nullopt : filePath(value);
}

Reason groupName(std::string_view value) {
  if (value.empty() || std::any_of(value.begin(), value.end(), isControl)) {
    return "must be a group name (not empty, no control characters), found " + quote(value);
  }
  return std::nullopt;
}

Reason skipAuthRoute(std::string_view value) {
  if (auto problem = gate::skipRouteProblem(value, true)) {
    return "entry " + quote(value) + ": " + *problem;
  }
  return std::nullopt;
}

Reason skipAuthRegex(std::string_view value) {
  if (auto problem = gate::skipRouteProblem(value, false)) {
    return "entry " + quote(value) + ": " + *problem;
  }
  return std::nullopt;
}

}  // namespace authgate::core::config::checks
