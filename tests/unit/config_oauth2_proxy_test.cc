// oauth2-proxy compatibility of the configuration: OAUTH2_PROXY_* variables as aliases of the
// options oauth2-proxy has too (AUTHGATE_* winning), the rule for every other OAUTH2_PROXY_*
// variable, oauth2-proxy's list syntax, and the flag names in the schema table.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "config_test_support.h"
#include "core/config/loader.h"
#include "core/config/oauth2_proxy.h"
#include "core/config/reference.h"
#include "core/config/schema.h"

namespace authgate::core::config {
namespace {

using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::kMinimalYaml;
using testing::lines;

// The required options as oauth2-proxy's variables, as a Helm chart's Secret would set them.
std::map<std::string, std::string> oauth2ProxyEnv(std::map<std::string, std::string> more = {}) {
  std::map<std::string, std::string> env{
      {"OAUTH2_PROXY_OIDC_ISSUER_URL", "https://idp.example.com"},
      {"OAUTH2_PROXY_CLIENT_ID", "from-oauth2-proxy"},
      {"OAUTH2_PROXY_CLIENT_SECRET", "client-secret-value"},
      {"OAUTH2_PROXY_COOKIE_SECRET", "q-LUN0AXjfvdlqTV4BSDCpxMNTTMWcoPYV_Ohhj2HVg="},
  };
  for (auto& [name, value] : more) {
    env[name] = value;
  }
  return env;
}

TEST(ConfigOauth2Proxy, VariablesSetTheirOptions) {
  auto loaded = load(Inputs{.env = oauth2ProxyEnv({
                                {"OAUTH2_PROXY_HTTP_ADDRESS", "127.0.0.1:4181"},
                                {"OAUTH2_PROXY_UPSTREAMS", "http://a.example/,static://202"},
                                {"OAUTH2_PROXY_EMAIL_DOMAINS", "example.com,*.example.org"},
                                {"OAUTH2_PROXY_WHITELIST_DOMAINS", ".example.com"},
                                {"OAUTH2_PROXY_COOKIE_DOMAINS", ".example.com"},
                                {"OAUTH2_PROXY_COOKIE_EXPIRE", "4h0m0s"},
                                {"OAUTH2_PROXY_COOKIE_SECURE", "false"},
                                {"OAUTH2_PROXY_SCOPE", "openid email groups"},
                                {"OAUTH2_PROXY_PROVIDER", "oidc"},
                                {"OAUTH2_PROXY_PROVIDER_CA_FILES", "/etc/ca.pem"},
                                {"OAUTH2_PROXY_CODE_CHALLENGE_METHOD", "S256"},
                                {"OAUTH2_PROXY_SET_AUTHORIZATION_HEADER", "true"},
                                {"OAUTH2_PROXY_PASS_ACCESS_TOKEN", "true"},
                                {"OAUTH2_PROXY_PASS_AUTHORIZATION_HEADER", "true"},
                                {"OAUTH2_PROXY_TRUSTED_PROXY_IPS", "10.0.0.0/8"},
                                {"OAUTH2_PROXY_PING_PATH", "/healthz"},
                            })});
  ASSERT_TRUE(loaded) << ::testing::PrintToString(lines(loaded.error()));
  const Config& c = *loaded;
  EXPECT_EQ(c.provider.issuerUrl, "https://idp.example.com");
  EXPECT_EQ(c.provider.clientId, "from-oauth2-proxy");
  EXPECT_EQ(c.provider.clientSecret.value, "client-secret-value");
  EXPECT_EQ(c.cookie.secret.key.bytes.size(), 32u);
  EXPECT_EQ(c.server.httpAddress, "127.0.0.1:4181");
  EXPECT_THAT(c.upstreams, ElementsAre("http://a.example/", "static://202"));
  EXPECT_THAT(c.emailDomains, ElementsAre("example.com", "*.example.org"));
  EXPECT_THAT(c.whitelistDomains, ElementsAre(".example.com"));
  EXPECT_THAT(c.cookie.domains, ElementsAre(".example.com"));
  EXPECT_EQ(c.cookie.expire, seconds{4 * 3600});  // Go's time.Duration text
  EXPECT_FALSE(c.cookie.secure);
  EXPECT_THAT(c.provider.scopes, ElementsAre("openid", "email", "groups"));  // space-separated
  EXPECT_THAT(c.provider.caFiles, ElementsAre("/etc/ca.pem"));
  EXPECT_EQ(c.provider.codeChallengeMethod, "S256");
  EXPECT_TRUE(c.headers.gatewayAuthorization);
  EXPECT_TRUE(c.headers.accessToken);
  EXPECT_TRUE(c.headers.upstreamAuthorization);
  EXPECT_THAT(c.trustedProxies, ElementsAre("10.0.0.0/8"));
  EXPECT_EQ(c.pingPath, "/healthz");
  EXPECT_EQ(c.sources.at("provider.client_id"), Source::Env);
  EXPECT_THAT(c.warnings, IsEmpty());
}

TEST(ConfigOauth2Proxy, AuthgateVariableWinsAndTheIgnoredOneIsNamed) {
  auto loaded = load(Inputs{.env = oauth2ProxyEnv({{"AUTHGATE_PROVIDER_CLIENT_ID", "winner"},
                                                   {"AUTHGATE_COOKIE_EXPIRE", "2h"},
                                                   {"OAUTH2_PROXY_COOKIE_EXPIRE", "2h"}})});
  ASSERT_TRUE(loaded) << ::testing::PrintToString(lines(loaded.error()));
  EXPECT_EQ(loaded->provider.clientId, "winner");
  EXPECT_EQ(loaded->cookie.expire, seconds{7200});
  // Equal values need no warning; different ones do.
  EXPECT_THAT(lines(loaded->warnings),
              ElementsAre("OAUTH2_PROXY_CLIENT_ID: ignored: AUTHGATE_PROVIDER_CLIENT_ID is set "
                          "too and takes precedence"));
}

TEST(ConfigOauth2Proxy, ProblemsNameTheVariableTheyCameFrom) {
  auto loaded = load(Inputs{.env = oauth2ProxyEnv({{"OAUTH2_PROXY_COOKIE_SECURE", "yes"}})});
  ASSERT_FALSE(loaded);
  EXPECT_THAT(lines(loaded.error()),
              ElementsAre("cookie.secure: expected a bool (true or false), found \"yes\" (from "
                          "OAUTH2_PROXY_COOKIE_SECURE)"));
}

TEST(ConfigOauth2Proxy, FlagsAndFileStillWinOverTheEnvironment) {
  auto loaded =
      load(Inputs{.file = "cookie:\n  expire: 1h\n",
                  .env = oauth2ProxyEnv({{"OAUTH2_PROXY_COOKIE_EXPIRE", "3h"},
                                         {"OAUTH2_PROXY_SCOPE", "openid email"}}),
                  .flags = {{"provider.scopes", "openid profile"}, {"provider.scopes", "groups"}}});
  ASSERT_TRUE(loaded) << ::testing::PrintToString(lines(loaded.error()));
  EXPECT_EQ(loaded->cookie.expire, seconds{3 * 3600});  // environment over file
  EXPECT_THAT(loaded->provider.scopes, ElementsAre("openid", "profile", "groups"));
  EXPECT_EQ(loaded->sources.at("provider.scopes"), Source::Flag);
}

TEST(ConfigOauth2Proxy, UnsupportedVariablesAreProblemsWithSuggestions) {
  auto loaded =
      load(Inputs{.env = oauth2ProxyEnv({{"OAUTH2_PROXY_REDIS_CONNECTION_IDLE_TIMEOUT", "30"},
                                         {"OAUTH2_PROXY_UPSTREAM", "static://200"}})});
  ASSERT_FALSE(loaded);
  EXPECT_THAT(
      lines(loaded.error()),
      ElementsAre("OAUTH2_PROXY_REDIS_CONNECTION_IDLE_TIMEOUT: oauth2-proxy's "
                  "redis_connection_idle_timeout is not yet supported by authgate (refused rather "
                  "than ignored, so that nothing runs with it silently dropped)",
                  "OAUTH2_PROXY_UPSTREAM: not an option authgate supports (oauth2-proxy "
                  "variables are accepted only for the options docs/configuration.md "
                  "lists); did you mean OAUTH2_PROXY_UPSTREAMS?"));
}

TEST(ConfigOauth2Proxy, CosmeticVariablesAreWarningsAndServiceLinksAreIgnored) {
  auto loaded = load(Inputs{.env = oauth2ProxyEnv({
                                {"OAUTH2_PROXY_SILENCE_PING_LOGGING", "true"},
                                {"OAUTH2_PROXY_SERVICE_HOST", "10.96.0.12"},
                                {"OAUTH2_PROXY_SERVICE_PORT", "80"},
                                {"OAUTH2_PROXY_SERVICE_PORT_HTTP", "80"},
                                {"OAUTH2_PROXY_PORT", "tcp://10.96.0.12:80"},
                                {"OAUTH2_PROXY_PORT_80_TCP", "tcp://10.96.0.12:80"},
                                {"OAUTH2_PROXY_PORT_80_TCP_ADDR", "10.96.0.12"},
                                {"OAUTH2_PROXY_REDIS_MASTER_SERVICE_HOST", "10.96.0.13"},
                            })});
  ASSERT_TRUE(loaded) << ::testing::PrintToString(lines(loaded.error()));
  EXPECT_THAT(lines(loaded->warnings),
              ElementsAre("OAUTH2_PROXY_SILENCE_PING_LOGGING: ignored: an oauth2-proxy logging, "
                          "page or metrics option authgate does not have"));
}

TEST(ConfigOauth2Proxy, ClassifiesForeignVariables) {
  EXPECT_EQ(classifyForeignVariable("OAUTH2_PROXY_SERVICE_HOST"), ForeignVariable::ServiceLink);
  EXPECT_EQ(classifyForeignVariable("OAUTH2_PROXY_PORT_4180_TCP_PROTO"),
            ForeignVariable::ServiceLink);
  EXPECT_EQ(classifyForeignVariable("OAUTH2_PROXY_PORT_443_UDP"), ForeignVariable::ServiceLink);
  EXPECT_EQ(classifyForeignVariable("OAUTH2_PROXY_BANNER"), ForeignVariable::Ignorable);
  EXPECT_EQ(classifyForeignVariable("OAUTH2_PROXY_METRICS_SECURE_ADDRESS"),
            ForeignVariable::Ignorable);
  EXPECT_EQ(classifyForeignVariable("OAUTH2_PROXY_PORT_80_TCP_OTHER"),
            ForeignVariable::Unsupported);
  EXPECT_EQ(classifyForeignVariable("OAUTH2_PROXY_PASS_BASIC_AUTH"), ForeignVariable::Unsupported);
  EXPECT_EQ(classifyForeignVariable("OAUTH2_PROXY_REDIS_CONNECTION_IDLE_TIMEOUT"),
            ForeignVariable::NotYetSupported);
  EXPECT_EQ(classifyOauth2ProxyName("redis_connection_idle_timeout"),
            ForeignVariable::NotYetSupported);
  EXPECT_EQ(classifyOauth2ProxyName("banner"), ForeignVariable::Ignorable);
  EXPECT_EQ(classifyOauth2ProxyName("service_host"), ForeignVariable::Unsupported);
  EXPECT_EQ(classifyForeignVariable("OAUTH2_PROXY_"), ForeignVariable::Unsupported);
  EXPECT_EQ(classifyForeignVariable("AUTHGATE_BANNER"), ForeignVariable::Unsupported);
  EXPECT_STREQ(toString(ForeignVariable::Ignorable), "ignorable");
}

TEST(ConfigOauth2Proxy, IgnorableOptionsAreNoAuthgateOptions) {
  for (std::string_view name : ignorableOauth2ProxyOptions()) {
    for (const Option& option : options()) {
      EXPECT_NE(option.oauth2Proxy, name);
    }
  }
}

TEST(ConfigOauth2Proxy, SchemaUsesOauth2ProxysNames) {
  // The list: each is oauth2-proxy's flag and viper's variable for one authgate option.
  const std::map<std::string_view, std::pair<std::string_view, std::string_view>> expected{
      {"--http-address", {"server.http_address", "OAUTH2_PROXY_HTTP_ADDRESS"}},
      {"--https-address", {"server.https_address", "OAUTH2_PROXY_HTTPS_ADDRESS"}},
      {"--tls-cert-file", {"server.tls_cert_file", "OAUTH2_PROXY_TLS_CERT_FILE"}},
      {"--tls-key-file", {"server.tls_key_file", "OAUTH2_PROXY_TLS_KEY_FILE"}},
      {"--provider", {"provider.type", "OAUTH2_PROXY_PROVIDER"}},
      {"--oidc-issuer-url", {"provider.issuer_url", "OAUTH2_PROXY_OIDC_ISSUER_URL"}},
      {"--client-id", {"provider.client_id", "OAUTH2_PROXY_CLIENT_ID"}},
      {"--client-secret", {"provider.client_secret", "OAUTH2_PROXY_CLIENT_SECRET"}},
      {"--client-secret-file", {"provider.client_secret_file", "OAUTH2_PROXY_CLIENT_SECRET_FILE"}},
      {"--cookie-secret", {"cookie.secret", "OAUTH2_PROXY_COOKIE_SECRET"}},
      {"--cookie-secret-file", {"cookie.secret_file", "OAUTH2_PROXY_COOKIE_SECRET_FILE"}},
      {"--cookie-name", {"cookie.name", "OAUTH2_PROXY_COOKIE_NAME"}},
      {"--cookie-domain", {"cookie.domains", "OAUTH2_PROXY_COOKIE_DOMAINS"}},
      {"--cookie-path", {"cookie.path", "OAUTH2_PROXY_COOKIE_PATH"}},
      {"--cookie-expire", {"cookie.expire", "OAUTH2_PROXY_COOKIE_EXPIRE"}},
      {"--cookie-refresh", {"cookie.refresh", "OAUTH2_PROXY_COOKIE_REFRESH"}},
      {"--cookie-secure", {"cookie.secure", "OAUTH2_PROXY_COOKIE_SECURE"}},
      {"--cookie-httponly", {"cookie.httponly", "OAUTH2_PROXY_COOKIE_HTTPONLY"}},
      {"--cookie-samesite", {"cookie.samesite", "OAUTH2_PROXY_COOKIE_SAMESITE"}},
      {"--redirect-url", {"redirect_url", "OAUTH2_PROXY_REDIRECT_URL"}},
      {"--whitelist-domain", {"whitelist_domains", "OAUTH2_PROXY_WHITELIST_DOMAINS"}},
      {"--email-domain", {"email_domains", "OAUTH2_PROXY_EMAIL_DOMAINS"}},
      {"--upstream", {"upstreams", "OAUTH2_PROXY_UPSTREAMS"}},
      {"--scope", {"provider.scopes", "OAUTH2_PROXY_SCOPE"}},
      {"--skip-provider-button", {"skip_provider_button", "OAUTH2_PROXY_SKIP_PROVIDER_BUTTON"}},
      {"--set-xauthrequest", {"headers.gateway.x_auth_request", "OAUTH2_PROXY_SET_XAUTHREQUEST"}},
      {"--set-authorization-header",
       {"headers.gateway.authorization", "OAUTH2_PROXY_SET_AUTHORIZATION_HEADER"}},
      {"--pass-access-token", {"headers.access_token", "OAUTH2_PROXY_PASS_ACCESS_TOKEN"}},
      {"--pass-authorization-header",
       {"headers.upstream.authorization", "OAUTH2_PROXY_PASS_AUTHORIZATION_HEADER"}},
      {"--pass-user-headers", {"headers.upstream.user", "OAUTH2_PROXY_PASS_USER_HEADERS"}},
      {"--reverse-proxy", {"reverse_proxy", "OAUTH2_PROXY_REVERSE_PROXY"}},
      {"--provider-ca-file", {"provider.ca_files", "OAUTH2_PROXY_PROVIDER_CA_FILES"}},
      {"--code-challenge-method",
       {"provider.code_challenge_method", "OAUTH2_PROXY_CODE_CHALLENGE_METHOD"}},
      {"--proxy-prefix", {"proxy_prefix", "OAUTH2_PROXY_PROXY_PREFIX"}},
      {"--ping-path", {"ping_path", "OAUTH2_PROXY_PING_PATH"}},
      {"--ready-path", {"ready_path", "OAUTH2_PROXY_READY_PATH"}},
      {"--upstream-timeout", {"proxy.response_timeout", "OAUTH2_PROXY_UPSTREAM_TIMEOUT"}},
      {"--pass-host-header", {"proxy.pass_host_header", "OAUTH2_PROXY_PASS_HOST_HEADER"}},
      {"--oidc-email-claim", {"provider.email_claim", "OAUTH2_PROXY_OIDC_EMAIL_CLAIM"}},
      {"--real-client-ip-header", {"real_client_ip_header", "OAUTH2_PROXY_REAL_CLIENT_IP_HEADER"}},
      {"--trusted-proxy-ip", {"trusted_proxies", "OAUTH2_PROXY_TRUSTED_PROXY_IPS"}},
  };
  for (const auto& [flag, keyAndEnv] : expected) {
    const Option* option = findOption(keyAndEnv.first);
    ASSERT_NE(option, nullptr) << keyAndEnv.first;
    EXPECT_EQ(option->flag, flag);
    EXPECT_EQ(oauth2ProxyEnvName(*option), keyAndEnv.second);
    EXPECT_EQ(findByOauth2ProxyEnv(keyAndEnv.second), option);
  }
  std::set<std::string> names;
  for (const Option& option : options()) {
    if (!option.oauth2Proxy.empty()) {
      EXPECT_TRUE(names.insert(oauth2ProxyEnvName(option)).second) << option.key;
    } else {
      EXPECT_EQ(oauth2ProxyEnvName(option), "");
    }
  }
  EXPECT_EQ(oauth2ProxyEnvName(*findOption("cookie.previous_secrets")), "");
  EXPECT_EQ(findByOauth2ProxyEnv("OAUTH2_PROXY_BANNER"), nullptr);
  EXPECT_EQ(findByOauth2ProxyName("upstream_timeout"), findOption("proxy.response_timeout"));
  EXPECT_EQ(findByOauth2ProxyName(""), nullptr);
  EXPECT_EQ(findOption("trusted_proxies")->flagAlias, "--trusted-proxy");
}

TEST(ConfigOauth2Proxy, SeedVariablesAreAccepted) {
  // The seed deployment's values that used to be startup errors.
  auto loaded = load(Inputs{.env = oauth2ProxyEnv({
                                {"OAUTH2_PROXY_PASS_HOST_HEADER", "false"},
                                {"OAUTH2_PROXY_OIDC_EMAIL_CLAIM", "sub"},
                                {"OAUTH2_PROXY_REAL_CLIENT_IP_HEADER", "X-Forwarded-For"},
                                {"OAUTH2_PROXY_UPSTREAM_TIMEOUT", "45s"},
                                {"OAUTH2_PROXY_PASS_USER_HEADERS", "false"},
                                {"OAUTH2_PROXY_SET_XAUTHREQUEST", "false"},
                            })});
  ASSERT_TRUE(loaded) << ::testing::PrintToString(lines(loaded.error()));
  EXPECT_FALSE(loaded->proxy.passHostHeader);
  EXPECT_EQ(loaded->provider.emailClaim, "sub");
  EXPECT_EQ(loaded->realClientIpHeader, "X-Forwarded-For");
  EXPECT_EQ(loaded->proxy.responseTimeout, seconds{45});
  EXPECT_FALSE(loaded->headers.upstreamUser);
  EXPECT_FALSE(loaded->headers.gatewayXAuthRequest);
}

TEST(ConfigOauth2Proxy, ReferenceMapsEveryOauth2ProxyName) {
  const std::string reference = renderReference();
  EXPECT_THAT(reference, HasSubstr("## Coming from oauth2-proxy"));
  for (const Option& option : options()) {
    if (!option.oauth2Proxy.empty()) {
      EXPECT_THAT(reference, HasSubstr("| `" + std::string(option.flag) + "` | `" +
                                       oauth2ProxyEnvName(option) + "` | [`" +
                                       std::string(option.key) + "`]"));
    }
  }
  EXPECT_THAT(reference, HasSubstr("| `--upstream` | `OAUTH2_PROXY_UPSTREAMS` | [`upstreams`]"
                                   "(#upstreams) | `AUTHGATE_UPSTREAMS` |"));
  EXPECT_THAT(reference, HasSubstr("`silence_ping_logging`"));
  EXPECT_THAT(reference,
              HasSubstr("saying \"not yet supported\": `redis_connection_idle_timeout`"));
  EXPECT_THAT(reference,
              HasSubstr("| Flag | `--trusted-proxy-ip` or `--trusted-proxy` (repeatable) |"));
}

}  // namespace
}  // namespace authgate::core::config
