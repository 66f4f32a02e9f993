// net::IpAddress and net::IpNetwork: strict parsing, IPv4 as mapped IPv6, host bits, matching.
#include <gtest/gtest.h>

#include "core/net/ip_network.h"

namespace authgate::core::net {
namespace {

IpAddress address(const char* text) {
  auto parsed = parseIpAddress(text);
  EXPECT_TRUE(parsed) << text;
  return parsed.value_or(IpAddress{});
}

TEST(NetIpAddress, ParsesStrictly) {
  for (const char* good :
       {"0.0.0.0", "10.1.2.3", "255.255.255.255", "::", "::1", "2001:db8::1", "fe80::1:2:3:4",
        "::ffff:10.1.2.3", "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"}) {
    EXPECT_TRUE(parseIpAddress(good)) << good;
  }
  for (const char* bad :
       {"", " 10.0.0.1", "10.0.0.1 ", "10.0.0", "10.0.0.256", "010.0.0.1", "0x0a.0.0.1", "[::1]",
        "fe80::1%eth0", "1:2:3:4:5:6:7:8:9", "host", "10.0.0.1/8", "::g"}) {
    EXPECT_FALSE(parseIpAddress(bad)) << bad;
  }
  EXPECT_TRUE(address("10.1.2.3").isV4());
  EXPECT_FALSE(address("2001:db8::1").isV4());
  EXPECT_EQ(address("10.1.2.3"), address("::ffff:10.1.2.3"));
  EXPECT_EQ(toString(address("::ffff:10.1.2.3")), "10.1.2.3");
  EXPECT_EQ(toString(address("2001:0db8:0:0:0:0:0:1")), "2001:db8::1");
}

TEST(NetIpNetwork, ParsesAndMatches) {
  auto v4 = parseIpNetwork("10.1.2.3/8");  // host bits cleared
  ASSERT_TRUE(v4) << v4.error();
  EXPECT_EQ(v4->prefix, 104);
  EXPECT_EQ(toString(v4->base), "10.0.0.0");
  EXPECT_TRUE(v4->contains(address("10.255.0.1")));
  EXPECT_TRUE(v4->contains(address("::ffff:10.0.0.9")));
  EXPECT_FALSE(v4->contains(address("11.0.0.1")));
  EXPECT_FALSE(v4->contains(address("::a00:1")));  // IPv4-compatible, not mapped

  auto odd = parseIpNetwork("192.168.4.0/22");
  ASSERT_TRUE(odd);
  EXPECT_TRUE(odd->contains(address("192.168.7.255")));
  EXPECT_FALSE(odd->contains(address("192.168.8.0")));

  auto v6 = parseIpNetwork("fd00::/8");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->contains(address("fdff::1")));
  EXPECT_FALSE(v6->contains(address("fe00::1")));

  auto single = parseIpNetwork("192.0.2.7");
  ASSERT_TRUE(single);
  EXPECT_TRUE(single->contains(address("192.0.2.7")));
  EXPECT_FALSE(single->contains(address("192.0.2.6")));

  auto everything = parseIpNetwork("::/0");
  ASSERT_TRUE(everything);
  EXPECT_TRUE(everything->contains(address("1.2.3.4")));  // documented: mapped IPv4 too
  auto none4 = parseIpNetwork("0.0.0.0/0");
  ASSERT_TRUE(none4);
  EXPECT_FALSE(none4->contains(address("2001:db8::1")));
}

TEST(NetIpNetwork, RefusesBadPrefixes) {
  EXPECT_EQ(parseIpNetwork("10.0.0.0/33").error(), "prefix length must be 0-32");
  EXPECT_EQ(parseIpNetwork("fd00::/129").error(), "prefix length must be 0-128");
  for (const char* bad :
       {"10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/08", "10.0.0.0/8/8", "10.0.0.0/ 8", "fd00::/1000"}) {
    EXPECT_FALSE(parseIpNetwork(bad)) << bad;
  }
  EXPECT_EQ(parseIpNetwork("example.com/8").error(),
            "must be an IP address or CIDR like 10.0.0.0/8 or fd00::/8");
  EXPECT_TRUE(parseIpNetwork("::ffff:10.0.0.0/104"));
}

TEST(NetIpNetwork, ContainsAny) {
  const std::vector<IpNetwork> list = {*parseIpNetwork("10.0.0.0/8"),
                                       *parseIpNetwork("2001:db8::/32")};
  EXPECT_TRUE(containsAny(list, address("2001:db8:1::1")));
  EXPECT_TRUE(containsAny(list, address("10.0.0.1")));
  EXPECT_FALSE(containsAny(list, address("127.0.0.1")));
  EXPECT_FALSE(containsAny({}, address("10.0.0.1")));
}

}  // namespace
}  // namespace authgate::core::net
