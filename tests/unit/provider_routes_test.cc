// gate::ProviderRoutes: which `providers:` entry a request signs in with (host patterns, path
// prefixes, first match wins) and the lookup of a session's provider by id.
#include "core/gate/provider_routes.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace authgate::core::gate {
namespace {

TEST(ProviderRoutes, ExactHostIgnoresCasePortAndTrailingDot) {
  const ProviderRoutes routes(std::vector<ProviderRoute>{{"corp", {"Corp.Example.com"}, {}}});
  for (const char* host : {"corp.example.com", "CORP.example.COM", "corp.example.com:8443",
                           "corp.example.com.", "corp.example.com.:80"}) {
    EXPECT_EQ(routes.match(host, "/"), std::optional<std::size_t>(0)) << host;
  }
  for (const char* host : {"example.com", "xcorp.example.com", "corp.example.co",
                           "a.corp.example.com", "corp.example.com.evil", ""}) {
    EXPECT_EQ(routes.match(host, "/"), std::nullopt) << host;
  }
}

TEST(ProviderRoutes, WildcardMatchesOneOrMoreLabelsButNotTheDomainItself) {
  const ProviderRoutes routes(std::vector<ProviderRoute>{{"corp", {"*.Example.com"}, {}}});
  EXPECT_EQ(routes.match("a.example.com", "/"), std::optional<std::size_t>(0));
  EXPECT_EQ(routes.match("A.B.EXAMPLE.com:443", "/"), std::optional<std::size_t>(0));
  EXPECT_EQ(routes.match("example.com", "/"), std::nullopt);
  EXPECT_EQ(routes.match(".example.com", "/"), std::nullopt);
  EXPECT_EQ(routes.match("badexample.com", "/"), std::nullopt);
  EXPECT_EQ(routes.match("a.example.com.evil", "/"), std::nullopt);
}

TEST(ProviderRoutes, Ipv6LiteralKeepsItsBrackets) {
  const ProviderRoutes routes(
      std::vector<ProviderRoute>{{"local", {"[::1]"}, {}}, {"v4", {"127.0.0.1"}, {}}});
  EXPECT_EQ(routes.match("[::1]:8080", "/"), std::optional<std::size_t>(0));
  EXPECT_EQ(routes.match("[::1]", "/"), std::optional<std::size_t>(0));
  EXPECT_EQ(routes.match("[::2]:8080", "/"), std::nullopt);
  EXPECT_EQ(routes.match("::1", "/"), std::nullopt);  // unbracketed: no port to strip
  EXPECT_EQ(routes.match("127.0.0.1:4180", "/"), std::optional<std::size_t>(1));
}

TEST(ProviderRoutes, PathPrefixesAreCaseSensitivePrefixes) {
  const ProviderRoutes routes(std::vector<ProviderRoute>{{"corp", {}, {"/corp/", "/admin"}}});
  EXPECT_EQ(routes.match("any.host", "/corp/x"), std::optional<std::size_t>(0));
  EXPECT_EQ(routes.match("any.host", "/corp/"), std::optional<std::size_t>(0));
  EXPECT_EQ(routes.match("any.host", "/administrators"), std::optional<std::size_t>(0));
  EXPECT_EQ(routes.match("any.host", "/corp"), std::nullopt);
  EXPECT_EQ(routes.match("any.host", "/CORP/x"), std::nullopt);
  EXPECT_EQ(routes.match("any.host", "/"), std::nullopt);
}

TEST(ProviderRoutes, HostsAndPrefixesMustBothMatch) {
  const ProviderRoutes routes(
      std::vector<ProviderRoute>{{"corp", {"corp.example.com"}, {"/corp/"}}});
  EXPECT_EQ(routes.match("corp.example.com", "/corp/a"), std::optional<std::size_t>(0));
  EXPECT_EQ(routes.match("corp.example.com", "/other"), std::nullopt);
  EXPECT_EQ(routes.match("other.example.com", "/corp/a"), std::nullopt);
}

TEST(ProviderRoutes, FirstMatchWinsAndAnEmptyEntryMatchesEverything) {
  const ProviderRoutes routes(std::vector<ProviderRoute>{{"corp", {"*.corp.example.com"}, {}},
                                                         {"admin", {}, {"/admin/"}},
                                                         {"public", {}, {}},
                                                         {"unreachable", {"x.example.com"}, {}}});
  EXPECT_EQ(routes.match("a.corp.example.com", "/admin/x"), std::optional<std::size_t>(0));
  EXPECT_EQ(routes.match("www.example.com", "/admin/x"), std::optional<std::size_t>(1));
  EXPECT_EQ(routes.match("www.example.com", "/"), std::optional<std::size_t>(2));
  EXPECT_EQ(routes.match("x.example.com", "/"), std::optional<std::size_t>(2));
}

TEST(ProviderRoutes, NoRoutesMatchNothing) {
  const ProviderRoutes routes(std::vector<ProviderRoute>{});
  EXPECT_EQ(routes.size(), 0u);
  EXPECT_EQ(routes.match("example.com", "/"), std::nullopt);
  EXPECT_EQ(routes.find("default"), std::nullopt);
}

TEST(ProviderRoutes, FindByIdIsExact) {
  const ProviderRoutes routes(
      std::vector<ProviderRoute>{{"corp", {"corp.example.com"}, {}}, {"public", {}, {}}});
  EXPECT_EQ(routes.size(), 2u);
  EXPECT_EQ(routes.find("corp"), std::optional<std::size_t>(0));
  EXPECT_EQ(routes.find("public"), std::optional<std::size_t>(1));
  EXPECT_EQ(routes.find("Corp"), std::nullopt);
  EXPECT_EQ(routes.find(""), std::nullopt);
}

}  // namespace
}  // namespace authgate::core::gate
