#pragma once
// Who is really asking: the public scheme, public host and client IP of a request that may have
// come through a gateway (Envoy, nginx, a cloud load balancer). Forwarding headers are believed
// only from peers inside trusted_proxies; anyone else could write them.
//
// Usage:
//   const auto trusted = config.trustedProxyNetworks;               // parsed once at load
//   gate::Forwarded origin = gate::resolveForwarded(
//       {.peer = request.peerAddress, .connectionScheme = "https", .headers = headers,
//        .trustedProxies = trusted, .realClientIpHeader = "X-Real-IP"});
//   checkRequest.scheme = origin.scheme; checkRequest.host = origin.host;
//   log(origin.clientIp);
//
// The rules, for a peer inside trustedProxies:
// 1) scheme: X-Forwarded-Proto when it is "http" or "https" (any case), else the connection's;
// 2) host: X-Forwarded-Host when it is a valid host[:port], else the Host header;
// 3) client IP: the realClientIpHeader when it holds one valid address; for X-Forwarded-For, or
//    when that header is absent or invalid, X-Forwarded-For read right to left skipping trusted
//    proxies (the rightmost untrusted hop, which no client can forge); else the peer.
// For a peer outside trustedProxies (or an empty list): the connection's scheme, the Host
// header and the peer, whatever the headers say.
// When a header appears several times or holds a comma list (Proto, Host), the rightmost value
// is taken: it is the one the nearest (trusted) proxy wrote. A value that does not parse is
// ignored, never trusted in part.
//
// Pure: no allocation; the result's views point into the input's strings (or static text).

#include <span>
#include <string_view>

#include "core/gate/check_request.h"
#include "core/net/ip_network.h"

namespace authgate::core::gate {

struct ForwardedInput {
  std::string_view peer;              // the connecting peer's address, as the socket gave it
  std::string_view connectionScheme;  // "http" or "https": what the peer connected with
  std::span<const HeaderView> headers;
  std::span<const net::IpNetwork> trustedProxies;
  std::string_view realClientIpHeader = "X-Real-IP";  // real_client_ip_header
};

struct Forwarded {
  std::string_view scheme;    // "http" or "https"
  std::string_view host;      // host[:port]; empty when the request names no valid host
  std::string_view clientIp;  // an address (no brackets, no port); the peer when not forwarded
  bool trustedPeer = false;   // the peer is inside trustedProxies
};

Forwarded resolveForwarded(const ForwardedInput& input);

// host[:port] per RFC 9110 §7.2 / RFC 3986 §3.2.2: a reg-name of letters, digits, '-', '.', '_',
// an IPv4 address or a bracketed IPv6 address, then an optional port of 1-5 digits (<= 65535).
bool isValidHostHeader(std::string_view host);

// For /auth (nginx auth_request, Caddy and Traefik forward auth) the policies judge the original
// request, which the gateway names in X-Original-URI / X-Original-Method (nginx's usual
// proxy_set_header) or X-Forwarded-Uri / X-Forwarded-Method (Caddy, Traefik). Believed only
// from trusted proxies, like X-Forwarded-Host; otherwise the /auth request itself is judged.
CheckRequest originalRequest(const CheckRequest& request,
                             std::span<const net::IpNetwork> trustedProxies);

}  // namespace authgate::core::gate
