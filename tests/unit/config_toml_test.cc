// oauth2-proxy's TOML configuration file: its keys mapped to authgate's options, oauth2-proxy's
// precedence (command line > environment > file), and every problem naming the key.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config_test_support.h"
#include "core/config/loader.h"

namespace authgate::core::config {
namespace {

using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::lines;

constexpr std::string_view kRequired = R"(oidc_issuer_url = "https://idp.example.com"
client_id = "authgate"
client_secret = "client-secret-value"
cookie_secret = "q-LUN0AXjfvdlqTV4BSDCpxMNTTMWcoPYV_Ohhj2HVg="
)";

Result<Config, Problems> loadToml(std::string_view text, std::vector<FlagValue> flags = {},
                                  std::map<std::string, std::string> env = {}) {
  return load(Inputs{
      .file = text, .format = FileFormat::Toml, .env = std::move(env), .flags = std::move(flags)});
}

std::vector<std::string> problemsOf(const std::string& text) {
  auto loaded = loadToml(text);
  return loaded ? std::vector<std::string>{} : lines(loaded.error());
}

TEST(ConfigToml, FormatFollowsTheFileName) {
  EXPECT_EQ(formatOfPath("/etc/oauth2-proxy/oauth2-proxy.cfg"), FileFormat::Toml);
  EXPECT_EQ(formatOfPath("proxy.toml"), FileFormat::Toml);
  EXPECT_EQ(formatOfPath("PROXY.TOML"), FileFormat::Toml);
  EXPECT_EQ(formatOfPath("authgate.yaml"), FileFormat::Yaml);
  EXPECT_EQ(formatOfPath("authgate.yml"), FileFormat::Yaml);
  EXPECT_EQ(formatOfPath("conf.d/authgate"), FileFormat::Yaml);
  EXPECT_EQ(formatOfPath("/etc/x.toml/authgate"), FileFormat::Yaml);  // a directory's dot
  EXPECT_EQ(formatOfPath(""), FileFormat::Yaml);
}

TEST(ConfigToml, TheSeedFileLoads) {
  const std::string text =
      testing::readTestFile(AUTHGATE_TEST_DATA "/config/oauth2_proxy_seed.toml");
  ASSERT_FALSE(text.empty());
  auto loaded = loadToml(text);
  ASSERT_TRUE(loaded) << ::testing::PrintToString(lines(loaded.error()));
  const Config& c = *loaded;
  EXPECT_EQ(c.server.httpAddress, "0.0.0.0:4180");
  EXPECT_EQ(c.provider.issuerUrl, "https://idp.example.com");
  EXPECT_EQ(c.provider.clientSecret.value, "client-secret-do-not-print-7f3a");
  EXPECT_EQ(c.cookie.secret.key.bytes.size(), 32u);
  EXPECT_THAT(c.provider.scopes, ElementsAre("openid"));
  EXPECT_EQ(c.provider.emailClaim, "sub");
  EXPECT_TRUE(c.skipJwtBearerTokens);
  EXPECT_THAT(c.emailDomains, ElementsAre("*"));
  EXPECT_THAT(c.upstreams, ElementsAre("static://200"));
  EXPECT_EQ(c.proxy.responseTimeout, seconds{45});
  EXPECT_EQ(c.cookie.refresh, seconds{300});
  EXPECT_EQ(c.cookie.expire, seconds{4 * 3600});
  EXPECT_THAT(c.cookie.domains, ElementsAre(".example.com"));
  EXPECT_TRUE(c.headers.gatewayXAuthRequest);
  EXPECT_TRUE(c.headers.gatewayAuthorization);
  EXPECT_TRUE(c.headers.upstreamAuthorization);
  EXPECT_TRUE(c.headers.accessToken);
  EXPECT_TRUE(c.proxy.passHostHeader);
  EXPECT_TRUE(c.reverseProxy);
  EXPECT_THAT(c.trustedProxies, ElementsAre("10.0.0.0/8", "fd00::/8"));
  EXPECT_EQ(c.trustedProxyNetworks.size(), 2u);
  EXPECT_EQ(c.realClientIpHeader, "X-Forwarded-For");
  EXPECT_EQ(c.sources.at("cookie.expire"), Source::File);
  EXPECT_EQ(c.sources.at("cookie.name"), Source::Default);
  EXPECT_THAT(lines(c.warnings),
              ElementsAre("silence_ping_logging: ignored: an oauth2-proxy logging, page or "
                          "metrics option authgate does not have (line 33)"));
}

TEST(ConfigToml, CommandLineOverEnvironmentOverFile) {
  const std::string text = std::string(kRequired) +
                           "cookie_expire = \"4h\"\ncookie_refresh = \"5m\"\n"
                           "email_domains = [\"a.example\"]\n";
  auto loaded = loadToml(text, {{"cookie.expire", "2h"}},
                         {{"OAUTH2_PROXY_COOKIE_EXPIRE", "3h"},
                          {"OAUTH2_PROXY_COOKIE_REFRESH", "10m"},
                          {"AUTHGATE_SERVER_THREADS", "2"}});
  ASSERT_TRUE(loaded) << ::testing::PrintToString(lines(loaded.error()));
  EXPECT_EQ(loaded->cookie.expire, seconds{7200});
  EXPECT_EQ(loaded->sources.at("cookie.expire"), Source::Flag);
  EXPECT_EQ(loaded->cookie.refresh, seconds{600});
  EXPECT_EQ(loaded->sources.at("cookie.refresh"), Source::Env);
  EXPECT_THAT(loaded->emailDomains, ElementsAre("a.example"));
  EXPECT_EQ(loaded->server.threads, 2);  // authgate's own options beside the TOML file
}

TEST(ConfigToml, ValuesTakeOauth2ProxysShapes) {
  auto loaded = loadToml(std::string(kRequired) +
                         "Scope = \"openid email groups\"\n"  // viper ignores the key's case
                         "upstreams = \"http://a.example/,static://202\"\n"
                         "cookie_refresh = 0\n"
                         "cookie_expire = \"4h0m0s\"\n"
                         "cookie_secure = false\n"
                         "pass_user_headers = false\n"
                         "set_xauthrequest = false\n");
  ASSERT_TRUE(loaded) << ::testing::PrintToString(lines(loaded.error()));
  EXPECT_THAT(loaded->provider.scopes, ElementsAre("openid", "email", "groups"));
  EXPECT_THAT(loaded->upstreams, ElementsAre("http://a.example/", "static://202"));
  EXPECT_EQ(loaded->cookie.refresh, seconds{0});
  EXPECT_EQ(loaded->cookie.expire, seconds{4 * 3600});
  EXPECT_FALSE(loaded->cookie.secure);
  EXPECT_FALSE(loaded->headers.upstreamUser);
  EXPECT_FALSE(loaded->headers.gatewayXAuthRequest);
}

TEST(ConfigToml, UnknownAndUnsupportedKeysAreNamed) {
  EXPECT_THAT(
      problemsOf(std::string(kRequired) + "upstream = [\"static://200\"]\n"
                                          "redis_connection_idle_timeout = 30\n"
                                          "frobnicate = 1\n"),
      // In key order: toml++ keeps a table sorted.
      ElementsAre(
          "frobnicate: unknown option: not an oauth2-proxy option authgate supports (line "
          "7)",
          "redis_connection_idle_timeout: oauth2-proxy's redis_connection_idle_timeout is not yet "
          "supported by authgate (refused rather than ignored, so that nothing runs with "
          "it silently dropped) (line 6)",
          "upstream: unknown option: not an oauth2-proxy option authgate supports (line "
          "5); did you mean upstreams?"));
}

TEST(ConfigToml, WrongShapesAreProblemsNamingTheKey) {
  EXPECT_THAT(problemsOf(std::string(kRequired) + "cookie_expire = 3600\n"),
              ElementsAre("cookie_expire: expected a duration string like \"168h\", found the "
                          "integer 3600 (cookie_expire, line 5)"));
  EXPECT_THAT(problemsOf(std::string(kRequired) + "cookie_name = [\"a\"]\n"),
              ElementsAre("cookie_name: expected a string, found an array (cookie_name, line 5)"));
  EXPECT_THAT(problemsOf(std::string(kRequired) + "email_domains = [[\"a\"]]\n"),
              ElementsAre("email_domains: expected an array of strings, found an array in it "
                          "(email_domains, line 5)"));
  EXPECT_THAT(problemsOf(std::string(kRequired) + "cookie_expire = 1.5\n"),
              ElementsAre("cookie_expire: expected a duration, found a float (cookie_expire, "
                          "line 5)"));
  EXPECT_THAT(problemsOf(std::string(kRequired) + "[cookie]\nsecure = true\n"),
              ElementsAre("cookie: unknown option: not an oauth2-proxy option authgate supports "
                          "(line 5)"));
  // Typed validation still names authgate's key, and where the value came from.
  EXPECT_THAT(problemsOf(std::string(kRequired) + "cookie_secure = \"yes\"\n"),
              ElementsAre("cookie.secure: expected a bool (true or false), found \"yes\" "
                          "(cookie_secure, line 5)"));
  EXPECT_THAT(problemsOf(std::string(kRequired) + "trusted_proxy_ips = [\"10.0.0.0/33\"]\n"),
              ElementsAre("trusted_proxies: prefix length must be 0-32, found \"10.0.0.0/33\" "
                          "(trusted_proxy_ips, line 5)"));
}

TEST(ConfigToml, MalformedTomlIsOneProblem) {
  auto loaded = loadToml("client_id = \"a\"\ncookie_expire = \n");
  ASSERT_FALSE(loaded);
  ASSERT_EQ(loaded.error().size(), 1u);
  EXPECT_EQ(loaded.error()[0].key, "config");
  EXPECT_THAT(loaded.error()[0].message, HasSubstr("line 2"));
  auto duplicate = loadToml("client_id = \"a\"\nclient_id = \"b\"\n");
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error()[0].key, "config");
  auto cased = loadToml(std::string(kRequired) + "CLIENT_ID = \"b\"\n");
  ASSERT_FALSE(cased);
  EXPECT_THAT(lines(cased.error()), ElementsAre("client_id: set twice, on lines 2 and 5"));
}

TEST(ConfigToml, EmptyFileSetsNothing) {
  auto loaded =
      loadToml("# nothing\n", {},
               {{"OAUTH2_PROXY_OIDC_ISSUER_URL", "https://idp.example.com"},
                {"OAUTH2_PROXY_CLIENT_ID", "a"},
                {"OAUTH2_PROXY_CLIENT_SECRET", "b"},
                {"OAUTH2_PROXY_COOKIE_SECRET", "q-LUN0AXjfvdlqTV4BSDCpxMNTTMWcoPYV_Ohhj2HVg="}});
  ASSERT_TRUE(loaded) << ::testing::PrintToString(lines(loaded.error()));
  EXPECT_EQ(loaded->sources.at("cookie.expire"), Source::Default);
}

TEST(ConfigToml, OversizedFileIsRefusedUnread) {
  const std::string huge(kMaxYamlBytes + 1, '#');
  auto loaded = loadToml(huge);
  ASSERT_FALSE(loaded);
  EXPECT_THAT(lines(loaded.error()),
              ElementsAre("config: file is larger than 1048576 bytes (1048577)"));
}

}  // namespace
}  // namespace authgate::core::config
