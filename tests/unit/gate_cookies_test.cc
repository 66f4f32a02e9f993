#include "core/gate/cookies.h"

#include <gtest/gtest.h>

namespace authgate::core::gate {
namespace {

TEST(CookieHeader, ReadsPairsAndSkipsJunk) {
  auto cookies = parseCookieHeader(" a=1; b = two ;; junk; =nameless; c=\"quoted\"; a=second");
  EXPECT_EQ(cookies.find("a"), "1");  // first wins
  EXPECT_EQ(cookies.find("b"), "two");
  EXPECT_EQ(cookies.find("c"), "quoted");
  EXPECT_EQ(cookies.find("junk"), std::nullopt);
  EXPECT_EQ(cookies.find(""), std::nullopt);
  EXPECT_EQ(cookies.pairs().size(), 4u);
}

TEST(CookieHeader, ReadsAtMostTheLimit) {
  std::string header;
  for (std::size_t i = 0; i < kMaxRequestCookies + 50; ++i) {
    header += "c" + std::to_string(i) + "=v;";
  }
  EXPECT_EQ(parseCookieHeader(header).pairs().size(), kMaxRequestCookies);
  EXPECT_TRUE(parseCookieHeader("").pairs().empty());
}

TEST(SetCookie, WritesEveryAttribute) {
  CookieAttributes attributes{.path = "/", .domain = ".example.com", .secure = true,
                              .httpOnly = true, .sameSite = SameSite::Lax};
  EXPECT_EQ(cookieAttributesText(attributes, std::chrono::seconds(3600)),
            "Path=/; Domain=.example.com; Max-Age=3600; HttpOnly; Secure; SameSite=Lax");
  attributes = {.path = "/app", .domain = "", .secure = false, .httpOnly = false,
                .sameSite = SameSite::Unset};
  EXPECT_EQ(cookieAttributesText(attributes, std::nullopt), "Path=/app");
  EXPECT_EQ(cookieAttributesText(attributes, std::chrono::seconds(-5)), "Path=/app; Max-Age=0");
}

TEST(CookieDomain, TheLongestMatchingDomainWins) {
  const std::vector<std::string> domains{".example.com", ".app.example.com", "other.org"};
  EXPECT_EQ(cookieDomainFor("x.app.example.com", domains), ".app.example.com");
  EXPECT_EQ(cookieDomainFor("app.example.com:8443", domains), ".app.example.com");
  EXPECT_EQ(cookieDomainFor("www.example.com", domains), ".example.com");
  EXPECT_EQ(cookieDomainFor("OTHER.org", domains), "other.org");
  EXPECT_EQ(cookieDomainFor("notexample.com", domains), "");
  EXPECT_EQ(cookieDomainFor("evil.org", domains), "");
}

}  // namespace
}  // namespace authgate::core::gate
