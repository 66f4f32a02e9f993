#pragma once
// The normalized request every front end builds (HTTP server, reverse proxy, Envoy ext_authz HTTP
// and gRPC) before it asks the gate for a decision. Views only: the front end owns the bytes and
// keeps them alive for the duration of the call.
//
// Usage:
//   std::vector<gate::HeaderView> headers = ...;       // as received, names in any case
//   gate::CheckRequest request{.method = "GET", .scheme = "https", .host = "app.example.com",
//                              .path = "/reports", .query = "q=1", .headers = headers,
//                              .peer = "10.0.0.7", .now = clock.now(),
//                              .requestId = id};   // isAcceptableRequestId(x) ? x : newRequestId()
//   gate::Decision decision = gate.decide(request);

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/encoding/ascii.h"
#include "core/random.h"

namespace authgate::core::gate {

struct HeaderView {
  std::string_view name;
  std::string_view value;
};

// ASCII case-insensitive equality, for header and cookie attribute names (RFC 9110 §5.1).
using encoding::equalsIgnoreCase;

struct CheckRequest {
  std::string_view method;  // as sent: "GET", "POST", ...
  std::string_view scheme;  // the public scheme ("https" behind a TLS-terminating gateway)
  std::string_view host;    // the public host, with ":port" when not the default
  std::string_view path;    // percent-encoded path, no query, starts with '/'
  std::string_view query;   // without the '?'; empty when none
  std::span<const HeaderView> headers;
  std::string_view peer;  // the connecting peer's IP address
  UnixSeconds now = 0;
  // Names this request in error pages and in the log so a user's report can be matched to a
  // log line: the client's X-Request-Id when well-formed, else one the front end made up.
  // Empty: pages show none. Echoed into pages escaped, so any bytes are safe here.
  std::string_view requestId;
  // The request body, read by the front end only where the gate needs it (the back-channel
  // logout endpoint's form); empty elsewhere.
  std::string_view body;

  // The first header with this name, or nullopt.
  std::optional<std::string_view> header(std::string_view name) const;
};

// True for a client-supplied request id authgate adopts: 1-128 characters of [A-Za-z0-9._-]
// (the usual UUID and hex ids fit; nothing that could split a log line or a header).
bool isAcceptableRequestId(std::string_view id);
// Fresh request ids for requests that arrive without one. They correlate log lines and
// authorize nothing, so they need to be unique and hard to guess, not secret: a random 64-bit
// prefix drawn once and a counter, instead of a call into the CSPRNG per request. Each id is
// base64url(prefix || counter as 8 big-endian bytes): 22 characters (RFC 4648 §5). One sequence
// per thread.
class RequestIdSequence {
 public:
  explicit RequestIdSequence(RandomSource& random);
  std::string next();

 private:
  std::array<std::uint8_t, 16> bytes_{};  // the prefix, then the counter
  std::uint64_t counter_ = 0;
};

// The part of `path` below `prefix` when the path is the prefix itself ("") or lies under it
// ("/oauth2/auth" below "/oauth2" -> "/auth"); nullopt otherwise ("/oauth2x" is not below it).
std::optional<std::string_view> pathBelow(std::string_view path, std::string_view prefix);

// The decoded value of a query parameter ("a=1&b=2"), or empty when absent or malformed.
std::string queryParam(std::string_view query, std::string_view name);

}  // namespace authgate::core::gate
