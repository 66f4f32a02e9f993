// gate::resolveForwarded: forwarding headers believed only from trusted proxies, the rightmost
// untrusted X-Forwarded-For hop, the real-IP header, and strict parsing of every value.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/gate/forwarded.h"

namespace authgate::core::gate {
namespace {

std::vector<net::IpNetwork> networks(std::initializer_list<const char*> texts) {
  std::vector<net::IpNetwork> out;
  for (const char* text : texts) {
    auto network = net::parseIpNetwork(text);
    EXPECT_TRUE(network) << text;
    if (network) {
      out.push_back(*network);
    }
  }
  return out;
}

struct Case {
  const char* name;
  const char* peer;
  const char* connectionScheme;
  std::vector<HeaderView> headers;
  const char* realClientIpHeader;
  const char* scheme;  // expected
  const char* host;
  const char* clientIp;
  bool trusted;
};

TEST(GateForwarded, Table) {
  const auto trusted = networks({"10.0.0.0/8", "fd00::/8", "192.0.2.7"});
  const std::vector<Case> cases = {
      {"untrusted peer: headers ignored",
       "203.0.113.9",
       "http",
       {{"Host", "app.example"},
        {"X-Forwarded-Proto", "https"},
        {"X-Forwarded-Host", "evil.example"},
        {"X-Forwarded-For", "1.2.3.4"},
        {"X-Real-IP", "1.2.3.4"}},
       "X-Real-IP",
       "http",
       "app.example",
       "203.0.113.9",
       false},
      {"trusted peer: proto, host and real IP believed",
       "10.1.2.3",
       "http",
       {{"Host", "internal:8080"},
        {"X-Forwarded-Proto", "HTTPS"},
        {"X-Forwarded-Host", "app.example"},
        {"X-Real-IP", "198.51.100.4"}},
       "X-Real-IP",
       "https",
       "app.example",
       "198.51.100.4",
       true},
      {"trusted single address",
       "192.0.2.7",
       "https",
       {{"Host", "a"}},
       "X-Real-IP",
       "https",
       "a",
       "192.0.2.7",
       true},
      {"neighbour of a single address is not trusted",
       "192.0.2.8",
       "http",
       {{"Host", "a"}, {"X-Forwarded-Proto", "https"}},
       "X-Real-IP",
       "http",
       "a",
       "192.0.2.8",
       false},
      {"ipv4-mapped peer matches an ipv4 network",
       "::ffff:10.9.9.9",
       "http",
       {{"Host", "a"}, {"X-Forwarded-Proto", "https"}},
       "X-Real-IP",
       "https",
       "a",
       "::ffff:10.9.9.9",
       true},
      {"ipv6 trusted peer",
       "fd12::1",
       "http",
       {{"host", "a"}, {"x-forwarded-for", "2001:db8::5"}},
       "X-Forwarded-For",
       "http",
       "a",
       "2001:db8::5",
       true},
      {"xff: rightmost untrusted hop wins over a forged left entry",
       "10.0.0.1",
       "http",
       {{"Host", "a"}, {"X-Forwarded-For", "6.6.6.6, 198.51.100.4, 10.0.0.2"}},
       "X-Forwarded-For",
       "http",
       "a",
       "198.51.100.4",
       true},
      {"xff: several fields are one list",
       "10.0.0.1",
       "http",
       {{"Host", "a"}, {"X-Forwarded-For", "6.6.6.6"}, {"X-Forwarded-For", "198.51.100.4"}},
       "X-Forwarded-For",
       "http",
       "a",
       "198.51.100.4",
       true},
      {"xff: all hops trusted gives the leftmost",
       "10.0.0.1",
       "http",
       {{"Host", "a"}, {"X-Forwarded-For", "10.0.0.3, 10.0.0.2"}},
       "X-Forwarded-For",
       "http",
       "a",
       "10.0.0.3",
       true},
      {"xff: garbage stops the walk at the last good hop",
       "10.0.0.1",
       "http",
       {{"Host", "a"}, {"X-Forwarded-For", "198.51.100.4, not-an-ip, 10.0.0.2"}},
       "X-Forwarded-For",
       "http",
       "a",
       "10.0.0.2",
       true},
      {"xff: garbage at the right end falls back to the peer",
       "10.0.0.1",
       "http",
       {{"Host", "a"}, {"X-Forwarded-For", "198.51.100.4, 999.1.1.1"}},
       "X-Forwarded-For",
       "http",
       "a",
       "10.0.0.1",
       true},
      {"xff: ports and brackets are removed",
       "10.0.0.1",
       "http",
       {{"Host", "a"}, {"X-Forwarded-For", "[2001:db8::9]:443"}},
       "X-Forwarded-For",
       "http",
       "a",
       "2001:db8::9",
       true},
      {"xff: ipv4 with a port",
       "10.0.0.1",
       "http",
       {{"Host", "a"}, {"X-Forwarded-For", "198.51.100.4:5555"}},
       "X-Forwarded-For",
       "http",
       "a",
       "198.51.100.4",
       true},
      {"xff: empty element",
       "10.0.0.1",
       "http",
       {{"Host", "a"}, {"X-Forwarded-For", " , "}},
       "X-Forwarded-For",
       "http",
       "a",
       "10.0.0.1",
       true},
      {"real-ip absent falls back to xff",
       "10.0.0.1",
       "http",
       {{"Host", "a"}, {"X-Forwarded-For", "198.51.100.4"}},
       "X-Real-IP",
       "http",
       "a",
       "198.51.100.4",
       true},
      {"real-ip list is refused",
       "10.0.0.1",
       "http",
       {{"Host", "a"}, {"X-Real-IP", "1.1.1.1, 2.2.2.2"}},
       "X-Real-IP",
       "http",
       "a",
       "10.0.0.1",
       true},
      {"real-ip twice is refused",
       "10.0.0.1",
       "http",
       {{"Host", "a"}, {"X-Real-IP", "1.1.1.1"}, {"x-real-ip", "2.2.2.2"}},
       "X-Real-IP",
       "http",
       "a",
       "10.0.0.1",
       true},
      {"other real-ip header name",
       "10.0.0.1",
       "http",
       {{"Host", "a"}, {"X-Real-IP", "1.1.1.1"}, {"CF-Connecting-IP", "2001:db8::7"}},
       "CF-Connecting-IP",
       "http",
       "a",
       "2001:db8::7",
       true},
      {"bad proto ignored",
       "10.0.0.1",
       "https",
       {{"Host", "a"}, {"X-Forwarded-Proto", "javascript"}},
       "X-Real-IP",
       "https",
       "a",
       "10.0.0.1",
       true},
      {"proto list: rightmost",
       "10.0.0.1",
       "http",
       {{"Host", "a"}, {"X-Forwarded-Proto", "http, https"}},
       "X-Real-IP",
       "https",
       "a",
       "10.0.0.1",
       true},
      {"bad forwarded host ignored",
       "10.0.0.1",
       "http",
       {{"Host", "a.example"}, {"X-Forwarded-Host", "evil.example/path"}},
       "X-Real-IP",
       "http",
       "a.example",
       "10.0.0.1",
       true},
      {"forwarded host with port and ipv6 literal",
       "10.0.0.1",
       "http",
       {{"Host", "a"}, {"X-Forwarded-Host", "[2001:db8::1]:8443"}},
       "X-Real-IP",
       "http",
       "[2001:db8::1]:8443",
       "10.0.0.1",
       true},
      {"forwarded host port out of range",
       "10.0.0.1",
       "http",
       {{"Host", "a"}, {"X-Forwarded-Host", "b:65536"}},
       "X-Real-IP",
       "http",
       "a",
       "10.0.0.1",
       true},
      {"invalid Host header gives an empty host",
       "203.0.113.9",
       "http",
       {{"Host", "a b"}},
       "X-Real-IP",
       "http",
       "",
       "203.0.113.9",
       false},
      {"no Host header", "203.0.113.9", "http", {}, "X-Real-IP", "http", "", "203.0.113.9", false},
      {"unparsable peer is never trusted",
       "10.0.0.1%eth0",
       "http",
       {{"Host", "a"}, {"X-Forwarded-Proto", "https"}},
       "X-Real-IP",
       "http",
       "a",
       "10.0.0.1%eth0",
       false},
  };
  for (const Case& c : cases) {
    const Forwarded got = resolveForwarded({.peer = c.peer,
                                            .connectionScheme = c.connectionScheme,
                                            .headers = c.headers,
                                            .trustedProxies = trusted,
                                            .realClientIpHeader = c.realClientIpHeader});
    EXPECT_EQ(got.scheme, c.scheme) << c.name;
    EXPECT_EQ(got.host, c.host) << c.name;
    EXPECT_EQ(got.clientIp, c.clientIp) << c.name;
    EXPECT_EQ(got.trustedPeer, c.trusted) << c.name;
  }
}

TEST(GateForwarded, EmptyTrustListBelievesNothing) {
  const std::vector<HeaderView> headers = {{"Host", "a"},
                                           {"X-Forwarded-Proto", "https"},
                                           {"X-Forwarded-Host", "b"},
                                           {"X-Forwarded-For", "1.1.1.1"}};
  const Forwarded got =
      resolveForwarded({.peer = "127.0.0.1", .connectionScheme = "http", .headers = headers});
  EXPECT_EQ(got.scheme, "http");
  EXPECT_EQ(got.host, "a");
  EXPECT_EQ(got.clientIp, "127.0.0.1");
  EXPECT_FALSE(got.trustedPeer);
}

TEST(GateForwarded, TrustEverythingStillParsesStrictly) {
  const auto all = networks({"0.0.0.0/0", "::/0"});
  const std::string longHost(300, 'a');
  const std::vector<HeaderView> headers = {{"Host", "a"},
                                           {"X-Forwarded-Host", longHost},
                                           {"X-Forwarded-For", "[::1"},
                                           {"X-Forwarded-Proto", ""}};
  const Forwarded got = resolveForwarded(
      {.peer = "::1", .connectionScheme = "http", .headers = headers, .trustedProxies = all});
  EXPECT_TRUE(got.trustedPeer);
  EXPECT_EQ(got.host, "a");
  EXPECT_EQ(got.scheme, "http");
  EXPECT_EQ(got.clientIp, "::1");
}

TEST(GateForwarded, ValidHostHeaders) {
  for (const char* good : {"a", "a.example", "a.example:1", "A-b_c.example:65535", "192.0.2.1:80",
                           "[::1]", "[2001:db8::1]:443"}) {
    EXPECT_TRUE(isValidHostHeader(good)) << good;
  }
  for (const char* bad : {"", ":80", "a:", "a:80:81", "a:99999", "[::1", "[10.0.0.1]", "[::1]x",
                          "a/b", "a b", "a@b", "ä.example"}) {
    EXPECT_FALSE(isValidHostHeader(bad)) << bad;
  }
}

}  // namespace
}  // namespace authgate::core::gate
