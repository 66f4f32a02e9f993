#include "core/net/ip_network.h"

#include <algorithm>
#include <boost/url/ipv4_address.hpp>
#include <boost/url/ipv6_address.hpp>

namespace authgate::core::net {
namespace {

// The longest IPv6 text: eight groups of four hex digits with an embedded dotted quad
// ("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255") is 45 characters.
constexpr std::size_t kMaxAddressText = 45;
constexpr std::uint8_t kV4Offset = 96;  // bits before the IPv4 part of a mapped address

constexpr std::array<std::uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

std::optional<std::uint8_t> parsePrefix(std::string_view text, std::uint8_t max) {
  if (text.empty() || text.size() > 3 || (text.size() > 1 && text.front() == '0')) {
    return std::nullopt;  // "", "0128" or "08": a prefix length is written without padding
  }
  unsigned value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > max) {
    return std::nullopt;
  }
  return static_cast<std::uint8_t>(value);
}

IpAddress masked(IpAddress address, std::uint8_t prefix) {
  for (std::size_t i = 0; i < address.bytes.size(); ++i) {
    const unsigned bitsBefore = static_cast<unsigned>(i) * 8;
    if (bitsBefore >= prefix) {
      address.bytes[i] = 0;
    } else if (prefix - bitsBefore < 8) {
      const unsigned keep = prefix - bitsBefore;
      address.bytes[i] = static_cast<std::uint8_t>(address.bytes[i] & (0xffU << (8 - keep)));
    }
  }
  return address;
}

}  // namespace

bool IpAddress::isV4() const {
  for (std::size_t i = 0; i < kV4MappedPrefix.size(); ++i) {
    if (bytes[i] != kV4MappedPrefix[i]) {
      return false;
    }
  }
  return true;
}

std::optional<IpAddress> parseIpAddress(std::string_view text) {
  if (text.empty() || text.size() > kMaxAddressText) {
    return std::nullopt;
  }
  // A NUL-terminated copy on the stack (no allocation on the request path): Boost.URL 1.81 has
  // read past the end of views before (see core/gate/check_request.cc).
  std::array<char, kMaxAddressText + 1> buffer{};
  std::copy(text.begin(), text.end(), buffer.begin());
  const std::string_view owned(buffer.data(), text.size());
  IpAddress address;
  if (auto v4 = boost::urls::parse_ipv4_address(owned)) {
    const auto bytes = v4->to_bytes();
    std::copy(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), address.bytes.begin());
    std::copy(bytes.begin(), bytes.end(), address.bytes.begin() + kV4MappedPrefix.size());
    return address;
  }
  if (auto v6 = boost::urls::parse_ipv6_address(owned)) {
    const auto bytes = v6->to_bytes();
    std::copy(bytes.begin(), bytes.end(), address.bytes.begin());
    return address;
  }
  return std::nullopt;
}

std::string toString(const IpAddress& address) {
  if (address.isV4()) {
    boost::urls::ipv4_address::bytes_type bytes{};
    std::copy(address.bytes.begin() + kV4MappedPrefix.size(), address.bytes.end(), bytes.begin());
    return boost::urls::ipv4_address(bytes).to_string();
  }
  boost::urls::ipv6_address::bytes_type bytes{};
  std::copy(address.bytes.begin(), address.bytes.end(), bytes.begin());
  return boost::urls::ipv6_address(bytes).to_string();
}

bool IpNetwork::contains(const IpAddress& address) const {
  return masked(address, prefix) == base;
}

Result<IpNetwork, std::string> parseIpNetwork(std::string_view text) {
  const std::size_t slash = text.find('/');
  const auto address = parseIpAddress(text.substr(0, slash));
  if (!address) {
    return fail(std::string("must be an IP address or CIDR like 10.0.0.0/8 or fd00::/8"));
  }
  const bool v4 = address->isV4() && text.substr(0, slash).find(':') == std::string_view::npos;
  const std::uint8_t max = v4 ? 32 : 128;
  std::uint8_t prefix = max;
  if (slash != std::string_view::npos) {
    const auto parsed = parsePrefix(text.substr(slash + 1), max);
    if (!parsed) {
      return fail("prefix length must be 0-" + std::to_string(max));
    }
    prefix = *parsed;
  }
  if (v4) {
    prefix = static_cast<std::uint8_t>(prefix + kV4Offset);
  }
  return IpNetwork{masked(*address, prefix), prefix};
}

bool containsAny(std::span<const IpNetwork> networks, const IpAddress& address) {
  for (const IpNetwork& network : networks) {
    if (network.contains(address)) {
      return true;
    }
  }
  return false;
}

}  // namespace authgate::core::net
