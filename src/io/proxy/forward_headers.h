#pragma once
// The header rules of forwarding (pure functions, no I/O):
//   - hop-by-hop fields are dropped both ways (RFC 9110 section 7.6.1): Connection, the fields
//     Connection names, Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade,
//     Proxy-Authenticate, Proxy-Authorization; framing (Content-Length) is rewritten by whoever
//     sends the message;
//   - X-Forwarded-For gets the client's address appended, X-Forwarded-Proto and
//     X-Forwarded-Host are set to what the client used;
//   - a WebSocket opening handshake (RFC 6455 section 4.1) keeps "Connection: Upgrade" and
//     "Upgrade: websocket"; any other upgrade is dropped like the hop-by-hop fields it is.
//
// Usage:
//   const HopByHop hop(request.headers);               // reads the Connection tokens
//   std::string head;
//   writeUpstreamHead(request, "/path?q", {.kind = BodyKind::Chunked}, head);

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "io/http/message.h"

namespace authgate::io::proxy {

// The hop-by-hop field names of one message: the fixed list plus those its Connection names.
class HopByHop {
 public:
  HopByHop() = default;
  // Reads every Connection field's comma-separated tokens.
  void addConnectionTokens(std::string_view connectionValue);
  bool contains(std::string_view name) const;

 private:
  std::vector<std::string> named_;
};

// Hop-by-hop names of a received message's headers.
HopByHop hopByHopOf(const http::Headers& headers);

// True for a WebSocket opening handshake: GET, Connection has the token "upgrade" and Upgrade
// names "websocket" (RFC 6455 section 4.2.1).
bool isWebSocketUpgrade(const http::Request& request);

enum class BodyKind {
  None,     // no body, no framing field
  Length,   // Content-Length: length
  Chunked,  // Transfer-Encoding: chunked (the client's length is unknown)
};
struct UpstreamBody {
  BodyKind kind = BodyKind::None;
  std::uint64_t length = 0;
};

// Which Host the upstream gets (oauth2-proxy's pass_host_header).
enum class HostHeader {
  Client,  // the client's (originHost stands in when it sent none)
  Origin,  // originHost, the upstream URL's host[:port]
};

// The request line and header section sent upstream, into out (cleared first). X-Forwarded-Host
// carries the client's Host either way.
void writeUpstreamHead(const http::Request& request, std::string_view target,
                       std::string_view originHost, HostHeader host, const UpstreamBody& body,
                       bool webSocket, std::string& out);
// The same with HostHeader::Client.
void writeUpstreamHead(const http::Request& request, std::string_view target,
                       std::string_view originHost, const UpstreamBody& body, bool webSocket,
                       std::string& out);

// True when a field received from upstream is passed on to the client. For a 101 answer the
// Upgrade field is kept (the server writes "Connection: Upgrade" itself).
bool keepResponseField(std::string_view name, const HopByHop& hop, bool switching);

}  // namespace authgate::io::proxy
