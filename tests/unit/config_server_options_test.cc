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
  auto loaded = load(Inputs{.yaml = kMinimalYaml, .flags = std::move(flags)});
  return loaded ? std::vector<std::string>{} : lines(loaded.error());
}

std::vector<std::string> warningsWith(std::vector<FlagValue> flags) {
  auto loaded = load(Inputs{.yaml = kMinimalYaml, .flags = std::move(flags)});
  EXPECT_TRUE(loaded) << ::testing::PrintToString(lines(loaded.error()));
  return loaded ? lines(loaded->warnings) : std::vector<std::string>{};
}

TEST(ConfigServerOptions, LimitsTakeTheirValues) {
  auto loaded =
      load(Inputs{.yaml = kMinimalYaml,
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

TEST(ConfigServerOptions, IdentityHeadersAuthgateAlwaysSendsCannotBeTurnedOff) {
  EXPECT_THAT(problemsWith({{"headers.gateway.x_auth_request", "true"},
                            {"headers.upstream.user", "true"},
                            {"headers.gateway.authorization", "true"},
                            {"headers.upstream.authorization", "false"}}),
              IsEmpty());
  EXPECT_THAT(
      problemsWith(
          {{"headers.gateway.x_auth_request", "false"}, {"headers.upstream.user", "false"}}),
      ElementsAre("headers.gateway.x_auth_request: false is not supported: authgate always "
                  "answers /oauth2/auth with X-Auth-Request-User, -Email, -Groups and "
                  "-Preferred-Username",
                  "headers.upstream.user: false is not supported: authgate always sends "
                  "X-Forwarded-User, -Email, -Groups and -Preferred-Username to the upstream"));
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
