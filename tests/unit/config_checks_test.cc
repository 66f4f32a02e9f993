#include <gtest/gtest.h>

#include "core/config/checks.h"

namespace authgate::core::config::checks {
namespace {

TEST(ConfigChecks, IssuerUrlIsHttpOrHttpsWithHostAndNoQueryOrFragment) {
  EXPECT_FALSE(issuerUrl("https://idp.example.com"));
  EXPECT_FALSE(issuerUrl("http://localhost:8080/realms/x"));
  EXPECT_EQ(issuerUrl("ldap://idp.example.com"),
            "must be an http(s) URL, found \"ldap://idp.example.com\"");
  EXPECT_TRUE(issuerUrl("idp.example.com"));
  EXPECT_TRUE(issuerUrl(""));
  EXPECT_EQ(issuerUrl("https:///path"), "must name a host, found \"https:///path\"");
  EXPECT_TRUE(issuerUrl("https://idp.example.com?x=1"));
  EXPECT_TRUE(issuerUrl("https://idp.example.com#f"));
  EXPECT_TRUE(issuerUrl("https://user:pw@idp.example.com"));
  EXPECT_TRUE(issuerUrl("https://idp.example.com/a b"));
}

TEST(ConfigChecks, RedirectUrlMayBeEmptyOrAnAbsoluteUrlWithoutFragment) {
  EXPECT_FALSE(redirectUrl(""));
  EXPECT_FALSE(redirectUrl("https://auth.example.com/oauth2/callback"));
  EXPECT_TRUE(redirectUrl("/oauth2/callback"));
  EXPECT_TRUE(redirectUrl("https://auth.example.com/cb#x"));
}

TEST(ConfigChecks, UpstreamIsHttpUrlOrStaticCode) {
  EXPECT_FALSE(upstream("http://127.0.0.1:8080/"));
  EXPECT_FALSE(upstream("static://202"));
  EXPECT_TRUE(upstream("static://99"));
  EXPECT_TRUE(upstream("static://600"));
  EXPECT_TRUE(upstream("static://ok"));
  EXPECT_TRUE(upstream("ftp://x"));
  EXPECT_TRUE(upstream("127.0.0.1:8080"));
}

TEST(ConfigChecks, ListenAddressIsHostPort) {
  for (const char* good : {"", "127.0.0.1:4180", ":4180", "localhost:80", "[::1]:8443", "[::]:0"}) {
    EXPECT_FALSE(listenAddress(good)) << good;
  }
  for (const char* bad : {"localhost", "127.0.0.1:", "127.0.0.1:65536", "::1:80", "[::1]", "a b:80",
                          "host:-1", "[zz]:80"}) {
    EXPECT_TRUE(listenAddress(bad)) << bad;
  }
}

TEST(ConfigChecks, PathPrefixAndCookiePath) {
  EXPECT_FALSE(pathPrefix("/oauth2"));
  EXPECT_FALSE(pathPrefix("/a/b"));
  for (const char* bad : {"", "/", "oauth2", "/oauth2/", "//x", "/a?b", "/a#b", "/a b"}) {
    EXPECT_TRUE(pathPrefix(bad)) << bad;
  }
  EXPECT_FALSE(cookiePath("/"));
  EXPECT_FALSE(cookiePath("/app"));
  EXPECT_TRUE(cookiePath(""));
  EXPECT_TRUE(cookiePath("app"));
  EXPECT_TRUE(cookiePath("/a;Secure"));
}

TEST(ConfigChecks, CookieNameIsATokenOfAtMost256Characters) {
  EXPECT_FALSE(cookieName("_oauth2_proxy"));
  EXPECT_FALSE(cookieName("__Host-authgate"));
  EXPECT_FALSE(cookieName(std::string(256, 'a')));
  EXPECT_EQ(cookieName(std::string(257, 'a')), "must be at most 256 characters, got 257");
  EXPECT_EQ(cookieName(""), "must not be empty");
  for (const char* bad : {"a b", "a=b", "a;b", "a,b", "a\"b", "a(b)", "a\tb", "a/b", "é"}) {
    EXPECT_TRUE(cookieName(bad)) << bad;
  }
}

TEST(ConfigChecks, Domains) {
  EXPECT_FALSE(cookieDomain("example.com"));
  EXPECT_FALSE(cookieDomain(".example.com"));
  EXPECT_TRUE(cookieDomain("*.example.com"));
  EXPECT_TRUE(cookieDomain("example.com:443"));
  EXPECT_TRUE(cookieDomain("exa mple.com"));
  EXPECT_TRUE(cookieDomain("-bad.com"));
  for (const char* good :
       {"example.com", ".example.com", "*.example.com", "a.example:8443", ".example.com:*"}) {
    EXPECT_FALSE(whitelistDomain(good)) << good;
  }
  for (const char* bad : {"", "https://example.com", "example.com/path", "example.com:0",
                          "example.com:x", "*example.com"}) {
    EXPECT_TRUE(whitelistDomain(bad)) << bad;
  }
  EXPECT_FALSE(emailDomain("*"));
  EXPECT_FALSE(emailDomain("example.com"));
  EXPECT_FALSE(emailDomain(".example.com"));
  EXPECT_TRUE(emailDomain("user@example.com"));
  EXPECT_TRUE(emailDomain(""));
}

TEST(ConfigChecks, CidrAcceptsAddressesAndPrefixes) {
  for (const char* good :
       {"10.0.0.0/8", "192.168.1.7", "0.0.0.0/0", "::/0", "fd00::/8", "::1", "2001:db8::/128"}) {
    EXPECT_FALSE(cidr(good)) << good;
  }
  EXPECT_EQ(cidr("10.0.0.0/33"), "prefix length must be 0-32, found \"10.0.0.0/33\"");
  EXPECT_EQ(cidr("fd00::/129"), "prefix length must be 0-128, found \"fd00::/129\"");
  for (const char* bad :
       {"10.0.0/8", "10.0.0.0/", "10.0.0.0/-1", "host", "", "10.0.0.256", "fd00::/8/8"}) {
    EXPECT_TRUE(cidr(bad)) << bad;
  }
}

TEST(ConfigChecks, ScopeTokens) {
  EXPECT_FALSE(scopeToken("openid"));
  EXPECT_FALSE(scopeToken("https://graph.example.com/.default"));
  EXPECT_TRUE(scopeToken("open id"));
  EXPECT_TRUE(scopeToken(""));
  EXPECT_TRUE(scopeToken("a\"b"));
  EXPECT_TRUE(scopeToken("a\\b"));
}

}  // namespace
}  // namespace authgate::core::config::checks
