#pragma once
// IP addresses and CIDR networks (RFC 4632 §3.1, RFC 4291 §2.3) in one compact form, for the
// trusted-proxy checks that run on every request: parsed once at configuration load, then matched
// by comparing at most 16 bytes.
//
// Usage:
//   auto network = net::parseIpNetwork("10.0.0.0/8");          // or "fd00::/8", "192.0.2.7"
//   auto peer = net::parseIpAddress("10.1.2.3");
//   if (network && peer && network->contains(*peer)) { ... }
//
// IPv4 is kept as an IPv4-mapped IPv6 address (::ffff:a.b.c.d, RFC 4291 §2.5.5.2) so that a
// dual-stack listener's "::ffff:10.1.2.3" peer matches the network 10.0.0.0/8. A consequence:
// "::/0" (or "::ffff:0:0/96") contains every IPv4 address too.
//
// Parsing is strict: no zone identifiers ("fe80::1%eth0"), no brackets, no leading or trailing
// spaces, no octal or hexadecimal IPv4 parts; a prefix length is decimal without a sign.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"

namespace authgate::core::net {

struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};  // network byte order; IPv4 mapped as ::ffff:a.b.c.d

  bool isV4() const;  // an IPv4-mapped address
  bool operator==(const IpAddress&) const = default;
};

// An address in dotted-quad IPv4 or RFC 4291 §2.2 text; nullopt for anything else.
std::optional<IpAddress> parseIpAddress(std::string_view text);
// Canonical text: dotted quad for IPv4 (mapped) addresses, RFC 5952 form for IPv6.
std::string toString(const IpAddress& address);

struct IpNetwork {
  IpAddress base;           // host bits cleared
  std::uint8_t prefix = 0;  // 0-128 over the 16-byte form (IPv4 /8 is stored as /104)

  bool contains(const IpAddress& address) const;
  bool operator==(const IpNetwork&) const = default;
};

// "address/prefix" or a single address (a /32 or /128). Host bits below the prefix are allowed
// and cleared (10.1.2.3/8 is 10.0.0.0/8), as most CIDR parsers do. The error is a sentence
// fragment that quotes nothing (callers quote the value).
Result<IpNetwork, std::string> parseIpNetwork(std::string_view text);

// True when any of `networks` contains `address`.
bool containsAny(std::span<const IpNetwork> networks, const IpAddress& address);

}  // namespace authgate::core::net
