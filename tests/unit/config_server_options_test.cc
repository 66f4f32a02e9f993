// The options added for oauth2-proxy parity and the server limits: their ranges, the values
// authgate refuses, and the warnings for accepted options that change nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config_test_support.h"
#include "core/config/loader.h"

namespace authgate::core::config {
namespace {

using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::kMinimalYaml;
using testing::lines;

std::vector<std::string> problemsWith(std::vector<FlagValue> flags) {
  auto loaded = load(Inputs{.file = kMinimalYaml, .flags = std::move(flags)});
  return loaded ? std::vector<std::string>{} : lines(loaded.error());
}

std::vector<std::string> warningsWith(std::vector<FlagValue> flags) {
  auto loaded = load(Inputs{.file = kMinimalYaml, .flags = std::move(flags)});
  EXPECT_TRUE(loaded) << ::testing::PrintToString(lines(loaded.error()));
  return loaded ? lines(loaded->warnings) : std::vector<std::string>{};
}

TEST(ConfigServerOptions, LimitsTakeTheirValues) {
  auto loaded =
      load(Inputs{.file = kMinimalYaml,
                  .env = {{"AUTHGATE_SERVER_THREADS", "3"}, {"AUTHGATE_SERVER_DRAIN_TIMEOUT", "0"}},
                  .flags = {{"server.max_connections", "1"},
                            {"server.max_header_bytes", "1048576"},
                            {"server.header_timeout", "1s"},
                            {"server.idle_timeout", "5m"}}});
  ASSERT_TRUE(loaded) << ::testing::PrintToString(lines(loaded.error()));
  EXPECT_EQ(loaded->server.threads, 3);
  EXPECT_EQ(loaded->server.drainTimeout, seconds{0});  // close at once
  EXPECT_EQ(loaded->server.maxConnections, 1);
  EXPECT_EQ(loaded->server.maxHeaderBytes, 1048576);
  EXPECT_EQ(loaded->server.headerTimeout, seconds{1});
  EXPECT_EQ(loaded->server.idleTimeout, seconds{300});
}

TEST(ConfigServerOptions, LimitsOutOfRangeAreProblems) {
  EXPECT_THAT(problemsWith({{"server.threads", "-1"},
                            {"server.max_connections", "0"},
                            {"server.max_header_bytes", "1023"},
                            {"server.header_timeout", "0"},
                            {"server.idle_timeout", "0"}}),
              ElementsAre("server.threads: must be from 0 to 1024, got -1",
                          "server.max_connections: must be from 1 to 1000000, got 0",
                          "server.max_header_bytes: must be from 1024 to 1048576, got 1023",
                          "server.header_timeout: must be greater than 0",
                          "server.idle_timeout: must be greater than 0"));
  EXPECT_THAT(problemsWith({{"server.threads", "1025"}, {"server.max_header_bytes", "1048577"}}),
              ElementsAre("server.threads: must be from 0 to 1024, got 1025",
                          "server.max_header_bytes: must be from 1024 to 1048576, got 1048577"));
  EXPECT_THAT(problemsWith({{"server.threads", "four"}}),
              ElementsAre("server.threads: expected an integer, found \"four\" (from the command "
                          "line)"));
}

TEST(ConfigServerOptions, ProviderTypeIsOnlyOidc) {
  EXPECT_THAT(problemsWith({{"provider.type", "oidc"}}), IsEmpty());
  EXPECT_THAT(problemsWith({{"provider.type", "google"}}),
              ElementsAre("provider.type: only oidc (any OpenID Connect provider, given by "
                          "provider.issuer_url) is supported, found \"google\" (from the command "
                          "line)"));
}

TEST(ConfigServerOptions, CodeChallengeMethodIsS256OrEmpty) {
  EXPECT_THAT(problemsWith({{"provider.code_challenge_method", "S256"}}), IsEmpty());
  EXPECT_THAT(problemsWith({{"provider.code_challenge_method", ""}}), IsEmpty());
  EXPECT_THAT(problemsWith({{"provider.code_challenge_method", "plain"}}),
              ElementsAre("provider.code_challenge_method: must be S256 or \"\" (authgate always "
                          "uses PKCE with S256), found \"plain\" (from the command line)"));
}

TEST(ConfigServerOptions, AtMostOneProviderCaFile) {
  EXPECT_THAT(problemsWith({{"provider.ca_files", "/etc/a.pem"}}), IsEmpty());
  EXPECT_THAT(problemsWith({{"provider.ca_files", "/etc/a.pem"}, {"provider.ca_files", "/b.pem"}}),
              ElementsAre("provider.ca_files: at most one file is supported, got 2 (concatenate "
                          "the certificates into one PEM file)"));
}

TEST(ConfigServerOptions, IdentityHeadersCanBeTurnedOff) {
  auto defaults = load(Inputs{.file = kMinimalYaml});
  ASSERT_TRUE(defaults);
  EXPECT_TRUE(defaults->headers.gatewayXAuthRequest);  // authgate's default, unlike oauth2-proxy
  EXPECT_TRUE(defaults->headers.upstreamUser);
  auto off = load(Inputs{.file = kMinimalYaml,
                         .env = {{"OAUTH2_PROXY_SET_XAUTHREQUEST", "false"}},
                         .flags = {{"headers.upstream.user", "false"}}});
  ASSERT_TRUE(off) << ::testing::PrintToString(lines(off.error()));
  EXPECT_FALSE(off->headers.gatewayXAuthRequest);
  EXPECT_FALSE(off->headers.upstreamUser);
}

TEST(ConfigServerOptions, ProxyOptionsTakeTheirValues) {
  auto defaults = load(Inputs{.file = kMinimalYaml});
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->proxy.connectTimeout, seconds{10});
  EXPECT_EQ(defaults->proxy.responseTimeout, seconds{30});
  EXPECT_EQ(defaults->proxy.idleTimeout, seconds{30});
  EXPECT_EQ(defaults->proxy.maxIdleConnections, 32);
  EXPECT_TRUE(defaults->proxy.passHostHeader);
  auto set =
      load(Inputs{.file = std::string(kMinimalYaml) +
                          "proxy:\n  connect_timeout: 2s\n  pass_host_header: false\n",
                  .env = {{"OAUTH2_PROXY_UPSTREAM_TIMEOUT", "1m30s"}},
                  .flags = {{"proxy.idle_timeout", "5m"}, {"proxy.max_idle_connections", "0"}}});
  ASSERT_TRUE(set) << ::testing::PrintToString(lines(set.error()));
  EXPECT_EQ(set->proxy.connectTimeout, seconds{2});
  EXPECT_EQ(set->proxy.responseTimeout, seconds{90});
  EXPECT_EQ(set->proxy.idleTimeout, seconds{300});
  EXPECT_EQ(set->proxy.maxIdleConnections, 0);
  EXPECT_FALSE(set->proxy.passHostHeader);
}

TEST(ConfigServerOptions, ProxyOptionsOutOfRangeAreProblems) {
  EXPECT_THAT(problemsWith({{"proxy.connect_timeout", "0"},
                            {"proxy.response_timeout", "0"},
                            {"proxy.idle_timeout", "0"},
                            {"proxy.max_idle_connections", "10001"}}),
              ElementsAre("proxy.connect_timeout: must be greater than 0",
                          "proxy.response_timeout: must be greater than 0",
                          "proxy.idle_timeout: must be greater than 0",
                          "proxy.max_idle_connections: must be from 0 to 10000, got 10001"));
  EXPECT_THAT(problemsWith({{"proxy.max_idle_connections", "-1"}}),
              ElementsAre("proxy.max_idle_connections: must be from 0 to 10000, got -1"));
  EXPECT_THAT(problemsWith({{"proxy.response_timeout", "30"}}),
              ElementsAre("proxy.response_timeout: expected a duration like 168h, 15m or 30s, "
                          "found \"30\" (from the command line)"));
}

TEST(ConfigServerOptions, EmailClaimAndRealClientIpHeader) {
  auto defaults = load(Inputs{.file = kMinimalYaml});
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->provider.emailClaim, "email");
  EXPECT_EQ(defaults->realClientIpHeader, "X-Real-IP");
  EXPECT_THAT(
      problemsWith({{"provider.email_claim", "sub"}, {"real_client_ip_header", "x-forwarded-for"}}),
      IsEmpty());
  EXPECT_THAT(problemsWith({{"provider.email_claim", ""}, {"real_client_ip_header", "Forwarded"}}),
              ElementsAre("real_client_ip_header: must be one of X-Real-IP, X-Forwarded-For, "
                          "X-ProxyUser-IP, X-Envoy-External-Address, CF-Connecting-IP, found "
                          "\"Forwarded\" (from the command line)",
                          "provider.email_claim: must be a claim name (1-256 printable "
                          "characters, no spaces), found \"\" (from the command line)"));
}

TEST(ConfigServerOptions, TrustedProxiesAreParsedOnce) {
  auto loaded = load(Inputs{
      .file = kMinimalYaml,
      .flags = {{"trusted_proxies", "10.0.0.0/8, fd00::/8"}, {"trusted_proxies", "192.0.2.7"}}});
  ASSERT_TRUE(loaded) << ::testing::PrintToString(lines(loaded.error()));
  ASSERT_EQ(loaded->trustedProxyNetworks.size(), 3u);
  EXPECT_TRUE(loaded->trustedProxyNetworks[0].contains(*net::parseIpAddress("10.2.3.4")));
  EXPECT_TRUE(loaded->trustedProxyNetworks[1].contains(*net::parseIpAddress("fd00::9")));
  EXPECT_TRUE(loaded->trustedProxyNetworks[2].contains(*net::parseIpAddress("192.0.2.7")));
  auto none = load(Inputs{.file = kMinimalYaml});
  ASSERT_TRUE(none);
  EXPECT_THAT(none->trustedProxyNetworks, IsEmpty());
  EXPECT_THAT(problemsWith({{"trusted_proxies", "10.0.0.0/8"}, {"trusted_proxies", "proxy.lan"}}),
              ElementsAre("trusted_proxies: must be an IP address or CIDR like 10.0.0.0/8 or "
                          "fd00::/8, found \"proxy.lan\" (from the command line)"));
}

TEST(ConfigServerOptions, GatewayKeys) {
  auto defaults = load(Inputs{.file = kMinimalYaml});
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->server.grpcAddress, "0.0.0.0:9191");
  EXPECT_EQ(defaults->extAuthzPrefix, "");
  EXPECT_THAT(problemsWith({{"server.grpc_address", ""}, {"ext_authz_prefix", "/ext-authz"}}),
              IsEmpty());
  EXPECT_THAT(problemsWith({{"server.grpc_address", "localhost"}, {"ext_authz_prefix", "check"}}),
              ElementsAre("server.grpc_address: must be host:port, [ipv6]:port or :port, found "
                          "\"localhost\" (from the command line)",
                          "ext_authz_prefix: must be a path like /oauth2 (leading '/', no "
                          "trailing '/', no query), found \"check\" (from the command line)"));
  EXPECT_THAT(problemsWith({{"server.grpc_address", ":4180"}}),
              ElementsAre("server.grpc_address: must not use the port of server.http_address "
                          "(0.0.0.0:4180)"));
  EXPECT_THAT(problemsWith({{"server.grpc_address", "127.0.0.1:4180"},
                            {"server.http_address", "127.0.0.2:4180"}}),
              IsEmpty());  // different interfaces
  EXPECT_THAT(problemsWith({{"ext_authz_prefix", "/oauth2/check"}}),
              ElementsAre("ext_authz_prefix: must not overlap proxy_prefix (/oauth2), found "
                          "\"/oauth2/check\""));
  EXPECT_THAT(problemsWith({{"ext_authz_prefix", "/oauth2x"}}), IsEmpty());
}

TEST(ConfigServerOptions, PingAndReadyPaths) {
  EXPECT_THAT(problemsWith({{"ping_path", "/healthz"}, {"ready_path", "/readyz"}}), IsEmpty());
  EXPECT_THAT(problemsWith({{"ping_path", "/same"}, {"ready_path", "/same"}}),
              ElementsAre("ready_path: must differ from ping_path (/same)"));
  EXPECT_THAT(problemsWith({{"ping_path", "ping"}}),
              ElementsAre("ping_path: must be a path like /oauth2 (leading '/', no trailing '/', "
                          "no query), found \"ping\" (from the command line)"));
}

TEST(ConfigServerOptions, ReverseProxyWithoutTrustedProxiesIsAWarning) {
  EXPECT_THAT(warningsWith({{"reverse_proxy", "true"}}),
              ElementsAre("reverse_proxy: has no effect: authgate believes X-Forwarded-* headers "
                          "only from trusted_proxies (--trusted-proxy-ip), which is empty"));
  EXPECT_THAT(warningsWith({{"reverse_proxy", "true"}, {"trusted_proxies", "10.0.0.0/8"}}),
              IsEmpty());
  EXPECT_THAT(warningsWith({{"reverse_proxy", "false"}}), IsEmpty());
}

TEST(ConfigServerOptions, SkipProviderButtonFalseIsAWarning) {
  EXPECT_THAT(warningsWith({{"skip_provider_button", "false"}}),
              ElementsAre("skip_provider_button: false has no effect: authgate has no sign-in "
                          "page and always sends browsers straight to the provider"));
  EXPECT_THAT(warningsWith({{"skip_provider_button", "true"}}), IsEmpty());
  EXPECT_THAT(warningsWith({}), IsEmpty());
}

}  // namespace
}  // namespace authgate::core::config
