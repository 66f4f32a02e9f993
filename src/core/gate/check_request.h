#pragma once
// The normalized request every front end builds (HTTP server, reverse proxy, Envoy ext_authz HTTP
// and gRPC) before it asks the gate for a decision. Views only: the front end owns the bytes and
// keeps them alive for the duration of the call.
//
// Usage:
//   std::vector<gate::HeaderView> headers = ...;       // as received, names in any case
//   gate::CheckRequest request{.method = "GET", .scheme = "https", .host = "app.example.com",
//                              .path = "/reports", .query = "q=1", .headers = headers,
//                              .peer = "10.0.0.7", .now = clock.now()};
//   gate::Decision decision = gate.decide(request);

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace authgate::core::gate {

struct HeaderView {
  std::string_view name;
  std::string_view value;
};

// ASCII case-insensitive equality, for header and cookie attribute names (RFC 9110 §5.1).
bool equalsIgnoreCase(std::string_view a, std::string_view b);

struct CheckRequest {
  std::string_view method;  // as sent: "GET", "POST", ...
  std::string_view scheme;  // the public scheme ("https" behind a TLS-terminating gateway)
  std::string_view host;    // the public host, with ":port" when not the default
  std::string_view path;    // percent-encoded path, no query, starts with '/'
  std::string_view query;   // without the '?'; empty when none
  std::span<const HeaderView> headers;
  std::string_view peer;    // the connecting peer's IP address
  UnixSeconds now = 0;

  // The first header with this name, or nullopt.
  std::optional<std::string_view> header(std::string_view name) const;
};

// The decoded value of a query parameter ("a=1&b=2"), or empty when absent or malformed.
std::string queryParam(std::string_view query, std::string_view name);

}  // namespace authgate::core::gate
