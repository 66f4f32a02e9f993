#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config_test_support.h"
#include "core/config/loader.h"

namespace authgate::core::config {
namespace {

using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::kMinimalYaml;
using testing::lines;

const std::string kData = AUTHGATE_TEST_DATA "/config/";

Result<Config, Problems> loadWith(std::string yaml, std::map<std::string, std::string> env = {},
                                  std::vector<FlagValue> flags = {}, FileReader reader = {}) {
  return load(Inputs{.file = yaml,
                     .env = std::move(env),
                     .flags = std::move(flags),
                     .readFile = std::move(reader)});
}

std::vector<std::string> problemsOf(std::string yaml, std::map<std::string, std::string> env = {},
                                    std::vector<FlagValue> flags = {}, FileReader reader = {}) {
  auto loaded = loadWith(std::move(yaml), std::move(env), std::move(flags), std::move(reader));
  return loaded ? std::vector<std::string>{} : lines(loaded.error());
}

FileReader fakeFiles(std::map<std::string, std::string> files) {
  return [files = std::move(files)](const std::string& path) -> Result<std::string, std::string> {
    const auto found = files.find(path);
    if (found == files.end()) {
      return fail(std::string("No such file or directory"));
    }
    return found->second;
  };
}

TEST(ConfigLoader, MinimalConfigGetsEveryDefault) {
  auto loaded = loadWith(std::string(kMinimalYaml));
  ASSERT_TRUE(loaded) << ::testing::PrintToString(lines(loaded.error()));
  const Config& c = *loaded;
  EXPECT_EQ(c.server.httpAddress, "0.0.0.0:4180");  // oauth2-proxy's port, on every interface
  EXPECT_EQ(c.server.httpsAddress, "");
  EXPECT_EQ(c.server.threads, 0);
  EXPECT_EQ(c.server.maxConnections, 10000);
  EXPECT_EQ(c.server.maxHeaderBytes, 32 * 1024);
  EXPECT_EQ(c.server.headerTimeout, seconds{10});
  EXPECT_EQ(c.server.idleTimeout, seconds{60});
  EXPECT_EQ(c.server.drainTimeout, seconds{10});
  EXPECT_EQ(c.proxyPrefix, "/oauth2");
  EXPECT_EQ(c.pingPath, "/ping");
  EXPECT_EQ(c.readyPath, "/ready");
  EXPECT_FALSE(c.reverseProxy);
  EXPECT_TRUE(c.skipProviderButton);
  EXPECT_EQ(c.provider.type, "oidc");
  EXPECT_THAT(c.provider.caFiles, IsEmpty());
  EXPECT_EQ(c.provider.codeChallengeMethod, "");
  EXPECT_FALSE(c.headers.accessToken);
  EXPECT_TRUE(c.headers.gatewayXAuthRequest);
  EXPECT_FALSE(c.headers.gatewayAuthorization);
  EXPECT_TRUE(c.headers.upstreamUser);
  EXPECT_FALSE(c.headers.upstreamAuthorization);
  EXPECT_THAT(c.warnings, IsEmpty());
  EXPECT_THAT(c.upstreams, IsEmpty());
  EXPECT_THAT(c.provider.scopes, ElementsAre("openid", "email", "profile"));
  EXPECT_THAT(c.provider.allowedAlgorithms, ElementsAre("RS256"));
  EXPECT_EQ(c.provider.clockSkew, seconds{30});
  EXPECT_EQ(c.provider.clientSecret.value, "client-secret-value");
  EXPECT_EQ(c.cookie.name, "_authgate");
  EXPECT_EQ(c.cookie.secret.key.bytes.size(), 32u);
  EXPECT_EQ(c.cookie.secret.configured, "q-LUN0AXjfvdlqTV4BSDCpxMNTTMWcoPYV_Ohhj2HVg=");
  EXPECT_EQ(c.cookie.path, "/");
  EXPECT_EQ(c.cookie.expire, seconds{168 * 3600});
  EXPECT_EQ(c.cookie.refresh, seconds{0});
  EXPECT_TRUE(c.cookie.secure);
  EXPECT_TRUE(c.cookie.httpOnly);
  EXPECT_EQ(c.cookie.sameSite, "lax");
  EXPECT_EQ(c.cookie.csrfExpire, seconds{15 * 60});
  EXPECT_EQ(c.logging.level, "info");
  EXPECT_EQ(c.sources.at("cookie.expire"), Source::Default);
  EXPECT_EQ(c.sources.at("cookie.secret"), Source::File);
}

TEST(ConfigLoader, ValidFullFileFillsEveryField) {
  auto loaded = loadWith(testing::readTestFile(kData + "valid_full.yaml"));
  ASSERT_TRUE(loaded) << ::testing::PrintToString(lines(loaded.error()));
  const Config& c = *loaded;
  EXPECT_EQ(c.server.httpAddress, "0.0.0.0:4180");
  EXPECT_EQ(c.server.httpsAddress, "[::]:8443");
  EXPECT_EQ(c.server.tlsKeyFile, "/etc/authgate/tls.key");
  EXPECT_EQ(c.server.threads, 4);
  EXPECT_EQ(c.server.maxConnections, 20000);
  EXPECT_EQ(c.server.maxHeaderBytes, 65536);
  EXPECT_EQ(c.server.headerTimeout, seconds{5});
  EXPECT_EQ(c.server.idleTimeout, seconds{120});
  EXPECT_EQ(c.server.drainTimeout, seconds{30});
  EXPECT_EQ(c.proxyPrefix, "/auth");
  EXPECT_EQ(c.pingPath, "/healthz");
  EXPECT_EQ(c.readyPath, "/readyz");
  EXPECT_TRUE(c.reverseProxy);
  EXPECT_TRUE(c.skipProviderButton);
  EXPECT_EQ(c.provider.type, "oidc");
  EXPECT_THAT(c.provider.caFiles, ElementsAre("/etc/authgate/idp-ca.pem"));
  EXPECT_EQ(c.provider.codeChallengeMethod, "S256");
  EXPECT_TRUE(c.headers.accessToken);
  EXPECT_TRUE(c.headers.gatewayXAuthRequest);
  EXPECT_TRUE(c.headers.gatewayAuthorization);
  EXPECT_TRUE(c.headers.upstreamUser);
  EXPECT_TRUE(c.headers.upstreamAuthorization);
  EXPECT_THAT(c.warnings, IsEmpty());  // reverse_proxy comes with trusted_proxies
  EXPECT_THAT(c.upstreams, ElementsAre("http://127.0.0.1:8080/", "static://202"));
  EXPECT_EQ(c.redirectUrl, "https://auth.example.com/auth/callback");
  EXPECT_THAT(c.whitelistDomains, ElementsAre(".example.com", "app.example.org:8443"));
  EXPECT_THAT(c.emailDomains, ElementsAre("example.com", "*.example.org"));
  EXPECT_THAT(c.trustedProxies, ElementsAre("10.0.0.0/8", "fd00::/8", "192.168.1.7"));
  EXPECT_EQ(c.provider.issuerUrl, "https://idp.example.com/realms/main");
  EXPECT_EQ(c.provider.clientId, "authgate-client");
  EXPECT_THAT(c.provider.allowedAlgorithms, ElementsAre("RS256", "ES256", "EdDSA"));
  EXPECT_EQ(c.provider.clockSkew, seconds{60});
  EXPECT_EQ(c.cookie.name, "__Host-authgate");
  ASSERT_EQ(c.cookie.previousSecrets.size(), 1u);
  EXPECT_EQ(c.cookie.previousSecrets[0].key.bytes.size(), 16u);
  EXPECT_EQ(c.cookie.expire, seconds{12 * 3600});
  EXPECT_EQ(c.cookie.refresh, seconds{5400});
  EXPECT_EQ(c.cookie.sameSite, "strict");
  EXPECT_EQ(c.cookie.csrfExpire, seconds{600});
  EXPECT_EQ(c.logging.level, "debug");
  EXPECT_EQ(c.sources.at("logging.level"), Source::File);
}

TEST(ConfigLoader, InvalidFileReportsEveryProblemAtOnce) {
  EXPECT_THAT(
      problemsOf(testing::readTestFile(kData + "invalid_several.yaml")),
      ElementsAre(
          "cookie.secert: unknown option; did you mean cookie.secret? (line 15)",
          "provider.clock_skew: expected a duration like 168h, 15m or 30s, found \"10x\"",
          "cookie.secret: must decode to 16, 24 or 32 bytes, got 15",
          "cookie.secure: expected a bool (true or false), found \"yes\"",
          "server.http_address: must be host:port, [ipv6]:port or :port, found \"localhost\"",
          "proxy_prefix: must be a path like /oauth2 (leading '/', no trailing '/', no query), "
          "found \"oauth2\"",
          "upstreams: must be an http(s) URL or static://CODE, found \"ftp://files.example.com\"",
          "trusted_proxies: prefix length must be 0-32, found \"10.0.0.0/33\"",
          "provider.issuer_url: must be an http(s) URL, found \"ldap://idp.example.com\"",
          "provider.allowed_algorithms: must be one of RS256, RS384, RS512, PS256, PS384, PS512, "
          "ES256, ES384, ES512, EdDSA, found \"HS256\"",
          "cookie.samesite: must be one of lax, strict, none, \"\", found \"sometimes\"",
          "logging.level: must be one of trace, debug, info, warn, error, found \"verbose\"",
          "cookie.refresh: must be less than cookie.expire (1h), got 2h"));
}

TEST(ConfigLoader, FlagsOverrideEnvironmentOverrideFile) {
  const std::string yaml = std::string(kMinimalYaml) + "  expire: 12h\n";
  auto fileOnly = loadWith(yaml);
  ASSERT_TRUE(fileOnly);
  EXPECT_EQ(fileOnly->cookie.expire, seconds{12 * 3600});
  EXPECT_EQ(fileOnly->sources.at("cookie.expire"), Source::File);

  auto withEnv = loadWith(yaml, {{"AUTHGATE_COOKIE_EXPIRE", "10h"}});
  ASSERT_TRUE(withEnv);
  EXPECT_EQ(withEnv->cookie.expire, seconds{10 * 3600});
  EXPECT_EQ(withEnv->sources.at("cookie.expire"), Source::Env);

  auto withFlag = loadWith(yaml, {{"AUTHGATE_COOKIE_EXPIRE", "10h"}},
                           {{"cookie.expire", "9h"}, {"cookie.expire", "8h"}});
  ASSERT_TRUE(withFlag);
  EXPECT_EQ(withFlag->cookie.expire, seconds{8 * 3600});  // the last flag wins
  EXPECT_EQ(withFlag->sources.at("cookie.expire"), Source::Flag);
}

TEST(ConfigLoader, EnvironmentAndFlagsCanSupplyEverything) {
  auto loaded = loadWith("",
                         {{"AUTHGATE_PROVIDER_ISSUER_URL", "https://idp.example.com"},
                          {"AUTHGATE_PROVIDER_CLIENT_ID", "id"},
                          {"AUTHGATE_PROVIDER_CLIENT_SECRET", "s"},
                          {"AUTHGATE_UNRELATED", "ignored"},
                          {"PATH", "/bin"}},
                         {{"cookie.secret", "0123456789abcdef"}});
  ASSERT_TRUE(loaded) << ::testing::PrintToString(lines(loaded.error()));
  EXPECT_EQ(loaded->provider.clientId, "id");
  EXPECT_EQ(loaded->cookie.secret.key.bytes.size(), 16u);
}

TEST(ConfigLoader, ListsFromEnvironmentAreCommaSeparated) {
  auto loaded = loadWith(std::string(kMinimalYaml) + "upstreams: [http://file.example/]\n",
                         {{"AUTHGATE_UPSTREAMS", "http://a.example/, http://b.example/"},
                          {"AUTHGATE_PROVIDER_SCOPES", "openid,groups"}});
  ASSERT_TRUE(loaded);
  EXPECT_THAT(loaded->upstreams, ElementsAre("http://a.example/", "http://b.example/"));
  EXPECT_THAT(loaded->provider.scopes, ElementsAre("openid", "groups"));
}

TEST(ConfigLoader, ListFlagsAccumulateAndReplaceOtherSources) {
  auto loaded = loadWith(std::string(kMinimalYaml) + "upstreams: [http://file.example/]\n",
                         {{"AUTHGATE_UPSTREAMS", "http://env.example/"}},
                         {{"upstreams", "http://a.example/"},
                          {"cookie.expire", "1h"},
                          {"upstreams", "http://b.example/,static://200"}});
  ASSERT_TRUE(loaded);
  EXPECT_THAT(loaded->upstreams,
              ElementsAre("http://a.example/", "http://b.example/", "static://200"));
}

TEST(ConfigLoader, UnknownKeysAreErrorsWithSuggestions) {
  const std::string yaml = std::string(kMinimalYaml) +
                           "  secure: true\n"
                           "  sammesite: lax\n"
                           "cookies:\n  name: x\n"
                           "cookie_secret: x\n"
                           "completely_unrelated_option: 1\n";
  EXPECT_THAT(
      problemsOf(yaml),
      ElementsAre("cookie.sammesite: unknown option; did you mean cookie.samesite? (line 8)",
                  "cookies: unknown option; did you mean cookie? (line 9)",
                  "cookie_secret: unknown option; did you mean cookie.secret? (line 11)",
                  "completely_unrelated_option: unknown option (line 12)"));
  EXPECT_THAT(problemsOf(std::string(kMinimalYaml), {}, {{"cookie.nmae", "x"}}),
              ElementsAre("cookie.nmae: unknown option; did you mean cookie.name? (from the "
                          "command line)"));
}

TEST(ConfigLoader, WrongTypesNameKeyExpectedTypeAndWhatWasFound) {
  const std::string yaml = std::string(kMinimalYaml) +
                           "  name: [a, b]\n"
                           "  secure: 1\n"
                           "  domains: example.com\n"
                           "  expire: {h: 1}\n"
                           "upstreams: [[http://a/]]\n"
                           "server: 8080\n";
  EXPECT_THAT(
      problemsOf(yaml),
      ElementsAre("cookie.name: expected a string, found a list (line 7)",
                  "cookie.domains: expected a list, found a scalar (line 9)",
                  "cookie.expire: expected a duration, found a mapping (line 10)",
                  "upstreams: expected a list of scalars, found a list in it (line 11)",
                  "server: expected a mapping of server.* options, found a scalar (line 12)",
                  "cookie.secure: expected a bool (true or false), found \"1\""));
  EXPECT_THAT(problemsOf(std::string(kMinimalYaml), {{"AUTHGATE_COOKIE_REFRESH", "-5m"}}),
              ElementsAre("cookie.refresh: must not be negative, found \"-5m\" (from "
                          "AUTHGATE_COOKIE_REFRESH)"));
}

TEST(ConfigLoader, DuplicateKeysAreErrors) {
  EXPECT_THAT(problemsOf(std::string(kMinimalYaml) + "  path: /a\n  path: /b\n"),
              ElementsAre("cookie.path: duplicate key (line 8)"));
}

TEST(ConfigLoader, NullValuesLeaveTheDefault) {
  auto loaded = loadWith(std::string(kMinimalYaml) + "  path:\nserver:\nlogging: ~\n");
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->cookie.path, "/");
  EXPECT_EQ(loaded->sources.at("cookie.path"), Source::Default);
}

TEST(ConfigLoader, MalformedYamlIsOneProblemWithLineAndColumn) {
  EXPECT_THAT(problemsOf("cookie:\n  secret: [a\n"),
              ElementsAre("config: line 3, column 1: end of sequence flow not found"));
  EXPECT_THAT(problemsOf("a: b\n c: d\n"), ElementsAre(HasSubstr("config: line 2, column 3")));
  EXPECT_THAT(problemsOf("- a\n- b\n"),
              ElementsAre("config: expected a mapping of options, found a list (line 1)"));
  EXPECT_THAT(problemsOf("a: 1\n---\nb: 2\n"),
              ElementsAre("config: expected one YAML document, found more"));
  EXPECT_THAT(problemsOf("? [a, b]\n: c\n" + std::string(kMinimalYaml)),
              ElementsAre("config: mapping keys must be strings, found a list (line 1)"));
}

// yaml-cpp 0.7's LoadAll never returns on these (jbeder/yaml-cpp#1040).
TEST(ConfigLoader, StrayTokensThatStallTheParserAreReported) {
  EXPECT_THAT(problemsOf(","), ElementsAre("config: line 1, column 1: unexpected token"));
  EXPECT_THAT(problemsOf("# comment\n  , x"),
              ElementsAre("config: line 2, column 3: unexpected token"));
  EXPECT_THAT(problemsOf("- a\n,"), ElementsAre("config: line 2, column 1: unexpected token"));
}

TEST(ConfigLoader, RejectsOversizedAndDeeplyNestedInput) {
  EXPECT_THAT(problemsOf(std::string(kMaxYamlBytes + 1, '#')),
              ElementsAre("config: file is larger than 1048576 bytes (1048577)"));
  EXPECT_THAT(problemsOf("a: " + std::string(100, '[') + std::string(100, ']')),
              ElementsAre("config: nesting deeper than 64 levels"));
}

TEST(ConfigLoader, SecretFilesLoseExactlyOneTrailingNewline) {
  const std::string yaml = R"(provider:
  issuer_url: https://idp.example.com
  client_id: authgate
  client_secret_file: /s/client
cookie:
  secret_file: /s/cookie
)";
  auto loaded =
      loadWith(yaml, {}, {},
               fakeFiles({{"/s/client", "pass\n\n"},
                          {"/s/cookie", "q-LUN0AXjfvdlqTV4BSDCpxMNTTMWcoPYV_Ohhj2HVg=\r\n"}}));
  ASSERT_TRUE(loaded) << ::testing::PrintToString(lines(loaded.error()));
  EXPECT_EQ(loaded->provider.clientSecret.value, "pass\n");
  EXPECT_EQ(loaded->provider.clientSecretFile.path, "/s/client");
  EXPECT_EQ(loaded->cookie.secret.key.bytes.size(), 32u);
  EXPECT_EQ(loaded->sources.at("cookie.secret"), Source::SecretFile);
  EXPECT_EQ(loaded->sources.at("cookie.secret_file"), Source::File);
}

TEST(ConfigLoader, ReadsRealSecretFiles) {
  const std::string yaml =
      "provider:\n  issuer_url: https://idp.example.com\n  client_id: a\n"
      "  client_secret_file: " +
      kData +
      "client_secret.txt\n"
      "cookie:\n  secret_file: " +
      kData + "cookie_secret.txt\n";
  auto loaded =
      loadWith(yaml, {}, {}, [](const std::string& path) -> Result<std::string, std::string> {
        return testing::readTestFile(path);
      });
  ASSERT_TRUE(loaded) << ::testing::PrintToString(lines(loaded.error()));
  EXPECT_EQ(loaded->provider.clientSecret.value, "client-secret-from-file");
  EXPECT_EQ(loaded->cookie.secret.configured, "q-LUN0AXjfvdlqTV4BSDCpxMNTTMWcoPYV_Ohhj2HVg=");
}

TEST(ConfigLoader, SecretFileProblemsNameTheKeyAndPath) {
  const std::string yaml = R"(provider:
  issuer_url: https://idp.example.com
  client_id: authgate
  client_secret: inline
  client_secret_file: /s/client
cookie:
  secret_file: /s/missing
)";
  EXPECT_THAT(problemsOf(yaml, {}, {}, fakeFiles({{"/s/client", "x"}})),
              ElementsAre("provider.client_secret: set either provider.client_secret or "
                          "provider.client_secret_file, not both",
                          "cookie.secret_file: cannot read \"/s/missing\": No such file or "
                          "directory"));
  EXPECT_THAT(problemsOf("cookie:\n  secret_file: /s/short\n", {}, {},
                         fakeFiles({{"/s/short", "AAAAAAAAAAAAAAAAAAAA\n"}})),
              ::testing::Contains("cookie.secret_file: must decode to 16, 24 or 32 bytes, got 15"));
}

TEST(ConfigLoader, RequiredOptionsAreReportedTogether) {
  EXPECT_THAT(
      problemsOf(""),
      ElementsAre("provider.issuer_url: is required", "provider.client_id: is required",
                  "provider.client_secret: is required (or set provider.client_secret_file)",
                  "cookie.secret: is required (or set cookie.secret_file)"));
}

TEST(ConfigLoader, CookieSecretsAreDecodedAndCheckedWithoutLeaking) {
  const std::string bad = "ZZZZZZZZZZZZZZZZZZZZ";  // 15 bytes decoded, 20 raw
  auto problems = problemsOf(
      std::string(kMinimalYaml) + "  previous_secrets: [AAAAAAAAAAAAAAAAAAAAAA, " + bad + "]\n",
      {{"AUTHGATE_COOKIE_SECRET", "short"}});
  EXPECT_THAT(
      problems,
      ElementsAre("cookie.secret: must decode to 16, 24 or 32 bytes, got 5 (from "
                  "AUTHGATE_COOKIE_SECRET)",
                  "cookie.previous_secrets: item 2: must decode to 16, 24 or 32 bytes, got 15"));
  for (const std::string& line : problems) {
    EXPECT_THAT(line, ::testing::Not(HasSubstr(bad)));
  }
  EXPECT_THAT(problemsOf(std::string(kMinimalYaml), {{"AUTHGATE_COOKIE_SECRET", ""}}),
              ElementsAre("cookie.secret: must not be empty (from AUTHGATE_COOKIE_SECRET)"));
}

TEST(ConfigLoader, EmptyEnvironmentValueSetsAnEmptyString) {
  auto loaded = loadWith(std::string(kMinimalYaml), {{"AUTHGATE_COOKIE_SAMESITE", ""}});
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->cookie.sameSite, "");
}

std::vector<std::string> relationProblems(const std::string& extra) {
  return problemsOf(std::string(kMinimalYaml) + extra);
}

TEST(ConfigLoader, RefreshMustBeBelowExpire) {
  EXPECT_THAT(relationProblems("  expire: 1h\n  refresh: 1h\n"),
              ElementsAre("cookie.refresh: must be less than cookie.expire (1h), got 1h"));
  EXPECT_THAT(relationProblems("  expire: 0\n  refresh: 1m\n"),
              ElementsAre("cookie.refresh: must be less than cookie.expire (0s), got 1m"));
  EXPECT_THAT(relationProblems("  expire: 0\n  refresh: 0\n"), IsEmpty());
  EXPECT_THAT(relationProblems("  expire: 2h\n  refresh: 1h59m59s\n"), IsEmpty());
}

TEST(ConfigLoader, CookieAttributeRules) {
  EXPECT_THAT(relationProblems("  samesite: none\n  secure: false\n"),
              ElementsAre("cookie.samesite: none requires cookie.secure: true"));
  EXPECT_THAT(relationProblems("  samesite: none\n"), IsEmpty());
  const std::string host =
      "cookie.name: the __Host- prefix requires cookie.secure: true, cookie.path: / and no "
      "cookie.domains";
  EXPECT_THAT(relationProblems("  name: __Host-a\n  path: /app\n"), ElementsAre(host));
  EXPECT_THAT(relationProblems("  name: __Host-a\n  domains: [example.com]\n"), ElementsAre(host));
  EXPECT_THAT(relationProblems("  name: __Host-a\n  secure: false\n"), ElementsAre(host));
  EXPECT_THAT(relationProblems("  name: __Secure-a\n  secure: false\n"),
              ElementsAre("cookie.name: the __Secure- prefix requires cookie.secure: true"));
  EXPECT_THAT(relationProblems("  csrf_expire: 0\n"),
              ElementsAre("cookie.csrf_expire: must be greater than 0"));
  EXPECT_THAT(relationProblems("  name: \"a b\"\n"),
              ElementsAre(HasSubstr("cookie.name: must be a cookie token")));
  EXPECT_THAT(relationProblems("  name: " + std::string(257, 'n') + "\n"),
              ElementsAre("cookie.name: must be at most 256 characters, got 257"));
}

TEST(ConfigLoader, ListenerRules) {
  EXPECT_THAT(relationProblems("server:\n  https_address: :8443\n"),
              ElementsAre("server.tls_cert_file: is required when server.https_address is set",
                          "server.tls_key_file: is required when server.https_address is set"));
  EXPECT_THAT(relationProblems("server:\n  tls_cert_file: /c\n"),
              ElementsAre("server.tls_cert_file: has no effect without server.https_address"));
  const std::string kHttpRequired =
      "server.http_address: must be set: the plain-HTTP listener (which also answers ping_path "
      "and ready_path) cannot be turned off";
  EXPECT_THAT(relationProblems("server:\n  http_address: \"\"\n"), ElementsAre(kHttpRequired));
  EXPECT_THAT(relationProblems("server:\n  http_address: \"\"\n  https_address: :8443\n"
                               "  tls_cert_file: /c\n  tls_key_file: /k\n"),
              ElementsAre(kHttpRequired));
  EXPECT_THAT(relationProblems("server:\n  https_address: :8443\n"
                               "  tls_cert_file: /c\n  tls_key_file: /k\n"),
              IsEmpty());
}

TEST(ConfigLoader, ProviderRules) {
  EXPECT_THAT(problemsOf(std::string(kMinimalYaml),
                         {{"AUTHGATE_PROVIDER_SCOPES", "email,profile"},
                          {"AUTHGATE_PROVIDER_ALLOWED_ALGORITHMS", ""}},
                         {{"provider.clock_skew", "99999999h"}}),
              ElementsAre("provider.clock_skew: must be at most 87600h, found \"99999999h\" (from "
                          "the command line)",
                          "provider.scopes: must include openid (OpenID Connect Core 3.1.2.1)",
                          "provider.allowed_algorithms: must list at least one algorithm"));
  EXPECT_THAT(problemsOf(std::string(kMinimalYaml), {{"AUTHGATE_PROVIDER_SCOPES", "openid,a\"b"}}),
              ElementsAre(HasSubstr("provider.scopes: must be a scope token")));
}

}  // namespace
}  // namespace authgate::core::config
