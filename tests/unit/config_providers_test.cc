// config::loadProviders through config::load: the `providers:` section (defaults, every rule
// and its exact key), the provider.* keys it replaces, effectiveProviders and the summary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "config_test_support.h"
#include "core/config/providers.h"
#include "core/config/summary.h"

namespace authgate::core::config {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

constexpr std::string_view kCookie = R"(cookie:
  secret: q-LUN0AXjfvdlqTV4BSDCpxMNTTMWcoPYV_Ohhj2HVg=
)";

// Two valid entries: corp by host, public for everything else.
constexpr std::string_view kTwo = R"(providers:
  - id: corp
    name: Corp SSO
    issuer_url: https://sso.corp.example
    client_id: authgate-corp
    client_secret: corp-secret-value
    scopes: [openid, email, groups]
    email_claim: mail
    user_claim: preferred_username
    groups_claim: roles
    cookie_name: _corp_session
    hosts: [corp.example.com, "*.corp.example.com"]
    path_prefixes: [/corp/]
  - id: public
    issuer_url: https://accounts.example.com
    client_id: authgate
    client_secret_file: /secrets/public
)";

Result<std::string, std::string> readSecrets(const std::string& path) {
  if (path == "/secrets/public") {
    return std::string("public-secret-value\n");
  }
  if (path == "/secrets/empty") {
    return std::string("\n");
  }
  return fail(std::string("No such file or directory"));
}

Result<Config, Problems> loadYaml(const std::string& text) {
  return load(Inputs{.file = text, .readFile = readSecrets});
}

// The problems of a configuration with `entries` (YAML list items under providers:).
std::vector<std::string> problemsOf(const std::string& entries, std::string_view extra = "") {
  auto loaded = loadYaml(std::string(kCookie) + std::string(extra) + "providers:\n" + entries);
  EXPECT_FALSE(loaded) << "expected problems";
  return loaded ? std::vector<std::string>{} : testing::lines(loaded.error());
}

// A valid entry with `id`, plus `more` keys (each "    key: value\n").
std::string entry(const std::string& id, const std::string& more = "") {
  return "  - id: " + id +
         "\n    issuer_url: https://idp.example.com\n    client_id: c\n    client_secret: s\n" +
         more;
}

TEST(ConfigProviders, TwoEntriesLoadWithDefaultsApplied) {
  auto loaded = loadYaml(std::string(kCookie) + std::string(kTwo));
  ASSERT_TRUE(loaded) << ::testing::PrintToString(testing::lines(loaded.error()));
  ASSERT_EQ(loaded->providers.size(), 2u);
  const ProviderEntry& corp = loaded->providers[0];
  EXPECT_EQ(corp.id, "corp");
  EXPECT_EQ(corp.name, "Corp SSO");
  EXPECT_EQ(corp.issuerUrl, "https://sso.corp.example");
  EXPECT_EQ(corp.clientId, "authgate-corp");
  EXPECT_EQ(corp.clientSecret.value, "corp-secret-value");
  EXPECT_THAT(corp.scopes, ElementsAre("openid", "email", "groups"));
  EXPECT_EQ(corp.emailClaim, "mail");
  EXPECT_EQ(corp.userClaim, "preferred_username");
  EXPECT_EQ(corp.groupsClaim, "roles");
  EXPECT_EQ(corp.cookieName, "_corp_session");
  EXPECT_THAT(corp.hosts, ElementsAre("corp.example.com", "*.corp.example.com"));
  EXPECT_THAT(corp.pathPrefixes, ElementsAre("/corp/"));
  const ProviderEntry& open = loaded->providers[1];
  EXPECT_EQ(open.name, "public");
  EXPECT_EQ(open.clientSecret.value, "public-secret-value");  // one newline stripped
  EXPECT_EQ(open.scopes, loaded->provider.scopes);
  EXPECT_EQ(open.emailClaim, "email");
  EXPECT_EQ(open.userClaim, "email");
  EXPECT_EQ(open.groupsClaim, "groups");
  EXPECT_EQ(open.cookieName, "_authgate_public");
  EXPECT_THAT(open.hosts, IsEmpty());
  EXPECT_THAT(open.pathPrefixes, IsEmpty());
}

TEST(ConfigProviders, FirstEntryDefaultsToTheCookieNameAndInheritsProviderOptions) {
  auto loaded = loadYaml(
      "cookie:\n  name: sid\n  secret: q-LUN0AXjfvdlqTV4BSDCpxMNTTMWcoPYV_Ohhj2HVg=\n"
      "provider:\n  scopes: [openid, profile]\n  email_claim: upn\n"
      "providers:\n" +
      entry("one", "    hosts: [a.example.com]\n") + entry("two"));
  ASSERT_TRUE(loaded) << ::testing::PrintToString(testing::lines(loaded.error()));
  EXPECT_EQ(loaded->providers[0].cookieName, "sid");
  EXPECT_EQ(loaded->providers[1].cookieName, "sid_two");
  EXPECT_THAT(loaded->providers[1].scopes, ElementsAre("openid", "profile"));
  EXPECT_EQ(loaded->providers[1].emailClaim, "upn");
}

TEST(ConfigProviders, EffectiveProvidersAreTheSectionsEntries) {
  auto loaded = loadYaml(std::string(kCookie) + std::string(kTwo));
  ASSERT_TRUE(loaded);
  const auto effective = effectiveProviders(*loaded);
  ASSERT_EQ(effective.size(), 2u);
  EXPECT_EQ(effective[0].id, "corp");
  EXPECT_EQ(effective[1].id, "public");
}

TEST(ConfigProviders, EffectiveProvidersWithoutTheSectionAreProviderOptions) {
  auto loaded = loadYaml(std::string(testing::kMinimalYaml));
  ASSERT_TRUE(loaded);
  EXPECT_THAT(loaded->providers, IsEmpty());
  const auto effective = effectiveProviders(*loaded);
  ASSERT_EQ(effective.size(), 1u);
  const ProviderEntry& only = effective[0];
  EXPECT_EQ(only.id, "default");
  EXPECT_EQ(only.issuerUrl, "https://idp.example.com");
  EXPECT_EQ(only.clientId, "authgate");
  EXPECT_EQ(only.clientSecret.value, "client-secret-value");
  EXPECT_EQ(only.scopes, loaded->provider.scopes);
  EXPECT_EQ(only.emailClaim, "email");
  EXPECT_EQ(only.userClaim, "email");
  EXPECT_EQ(only.groupsClaim, "groups");
  EXPECT_EQ(only.cookieName, "_authgate");
  EXPECT_THAT(only.hosts, IsEmpty());
  EXPECT_THAT(only.pathPrefixes, IsEmpty());
}

TEST(ConfigProviders, ProviderKeysTheSectionReplacesAreProblems) {
  const auto problems = problemsOf(entry("one"),
                                   "provider:\n  issuer_url: https://idp.example.com\n"
                                   "  client_id: authgate\n  client_secret: x\n");
  const std::string why = ": not used when `providers:` is set; give each entry its own";
  EXPECT_THAT(problems, ElementsAre("provider.issuer_url" + why, "provider.client_id" + why,
                                    "provider.client_secret" + why));
  EXPECT_THAT(problemsOf(entry("one"), "provider:\n  client_secret_file: /secrets/public\n"),
              ElementsAre("provider.client_secret_file" + why));
}

TEST(ConfigProviders, RequiredProviderOptionsAreNotRequiredWithTheSection) {
  auto loaded = loadYaml(std::string(kCookie) + "providers:\n" + entry("one"));
  EXPECT_TRUE(loaded) << ::testing::PrintToString(testing::lines(loaded.error()));
}

TEST(ConfigProviders, SectionMustBeANonEmptyList) {
  auto loaded = loadYaml(std::string(kCookie) + "providers: []\n");
  ASSERT_FALSE(loaded);
  EXPECT_THAT(testing::lines(loaded.error()),
              ElementsAre("providers: expected a list of providers, found an empty list (line 3)"));
  loaded = loadYaml(std::string(kCookie) + "providers: {id: x}\n");
  ASSERT_FALSE(loaded);
  EXPECT_THAT(testing::lines(loaded.error()),
              ElementsAre("providers: expected a list of providers, found a mapping (line 3)"));
  EXPECT_THAT(problemsOf("  - just-text\n"),
              ElementsAre("providers[0]: expected a mapping, found a scalar (line 4)"));
}

TEST(ConfigProviders, UnknownAndDuplicateKeys) {
  EXPECT_THAT(problemsOf(entry("one", "    client_secert_file: x\n")),
              ElementsAre("providers[0].client_secert_file: unknown key \"client_secert_file\"; "
                          "did you mean client_secret_file? (line 8)"));
  EXPECT_THAT(problemsOf(entry("one", "    id: two\n")),
              ElementsAre("providers[0].id: duplicate key (line 8)"));
  EXPECT_THAT(problemsOf(entry("one", "    hosts: a.example.com\n")),
              ElementsAre("providers[0].hosts: expected a list, found a scalar (line 8)"));
  EXPECT_THAT(problemsOf(entry("one", "    name: [a]\n")),
              ElementsAre("providers[0].name: expected a string, found a list (line 8)"));
  EXPECT_THAT(problemsOf("  - id: [one]\n    issuer_url: {a: b}\n    client_id: c\n"
                         "    client_secret: [s]\n"),
              ElementsAre("providers[0].id: expected a string, found a list (line 4)",
                          "providers[0].issuer_url: expected a string, found a mapping (line 5)",
                          "providers[0].client_secret: expected a string, found a list (line 7)"));
}

TEST(ConfigProviders, RequiredKeys) {
  EXPECT_THAT(problemsOf("  - name: nothing\n"),
              ElementsAre("providers[0].id: is required", "providers[0].issuer_url: is required",
                          "providers[0].client_id: is required",
                          "providers[0].client_secret: is required (or set "
                          "providers[0].client_secret_file)"));
}

TEST(ConfigProviders, IdsAreTokensAndUnique) {
  for (const char* bad :
       {"Corp", "-corp", "_corp", "co rp", "\"\"", "abcdefghijklmnopqrstuvwxyz0123456"}) {
    const auto problems = problemsOf(entry(bad));
    ASSERT_EQ(problems.size(), 1u) << bad;
    EXPECT_THAT(problems[0], StartsWith("providers[0].id: must be 1 to 32 of a-z")) << bad;
  }
  auto loaded = loadYaml(std::string(kCookie) + "providers:\n" +
                         entry("a-1_b", "    hosts: [a.example.com]\n") +
                         entry("abcdefghijklmnopqrstuvwxyz012345"));
  EXPECT_TRUE(loaded) << ::testing::PrintToString(testing::lines(loaded.error()));
  EXPECT_THAT(problemsOf(entry("one", "    hosts: [a.example.com]\n") + entry("one")),
              ElementsAre("providers[1].id: duplicate id \"one\" (also providers[0].id)"));
}

TEST(ConfigProviders, NameIssuerAndClaims) {
  EXPECT_THAT(problemsOf(entry("one", "    name: \"\"\n")),
              ElementsAre("providers[0].name: must be text without control characters, found "
                          "\"\""));
  EXPECT_THAT(problemsOf(entry("one", "    name: \"a\\tb\"\n")),
              ElementsAre(StartsWith("providers[0].name: must be text without control")));
  EXPECT_THAT(problemsOf("  - id: one\n    issuer_url: ftp://idp.example.com\n"
                         "    client_id: c\n    client_secret: s\n"),
              ElementsAre("providers[0].issuer_url: must be an http(s) URL, found "
                          "\"ftp://idp.example.com\""));
  EXPECT_THAT(problemsOf(entry("one", "    user_claim: a b\n    groups_claim: \"\"\n")),
              ElementsAre(StartsWith("providers[0].user_claim: must be a claim name"),
                          StartsWith("providers[0].groups_claim: must be a claim name")));
  EXPECT_THAT(problemsOf(entry("one", "    email_claim: \"\"\n")),
              ElementsAre(StartsWith("providers[0].email_claim: must be a claim name")));
}

TEST(ConfigProviders, ScopesMustIncludeOpenid) {
  EXPECT_THAT(
      problemsOf(entry("one", "    scopes: [email]\n")),
      ElementsAre("providers[0].scopes: must include openid (OpenID Connect Core 3.1.2.1)"));
  EXPECT_THAT(problemsOf(entry("one", "    scopes: [openid, \"a\\\"b\"]\n")),
              ElementsAre(StartsWith("providers[0].scopes: ")));
}

TEST(ConfigProviders, ClientSecretOrItsFileExactlyOnce) {
  const std::string base =
      "  - id: one\n    issuer_url: https://idp.example.com\n    client_id: c\n";
  EXPECT_THAT(problemsOf(base + "    client_secret: s\n    client_secret_file: /secrets/public\n"),
              ElementsAre("providers[0].client_secret: set either providers[0].client_secret or "
                          "providers[0].client_secret_file, not both"));
  EXPECT_THAT(problemsOf(base + "    client_secret_file: /secrets/missing\n"),
              ElementsAre("providers[0].client_secret_file: cannot read \"/secrets/missing\": "
                          "No such file or directory"));
  EXPECT_THAT(problemsOf(base + "    client_secret_file: /secrets/empty\n"),
              ElementsAre("providers[0].client_secret: is required: "
                          "providers[0].client_secret_file is empty"));
  EXPECT_THAT(problemsOf(base + "    client_secret: \"\"\n"),
              ElementsAre("providers[0].client_secret: is required (or set "
                          "providers[0].client_secret_file)"));
}

TEST(ConfigProviders, CookieNamesAreTokensWithThePrefixRules) {
  EXPECT_THAT(problemsOf(entry("one", "    cookie_name: \"a;b\"\n")),
              ElementsAre(StartsWith("providers[0].cookie_name: must be a cookie token")));
  auto loaded = loadYaml(
      "cookie:\n  secure: false\n  secret: q-LUN0AXjfvdlqTV4BSDCpxMNTTMWcoPYV_Ohhj2HVg=\n"
      "providers:\n" +
      entry("one", "    cookie_name: __Secure-one\n"));
  ASSERT_FALSE(loaded);
  EXPECT_THAT(testing::lines(loaded.error()),
              ElementsAre("providers[0].cookie_name: the __Secure- prefix requires cookie.secure: "
                          "true"));
}

TEST(ConfigProviders, CookieNamesMustNotCollide) {
  const std::string first = entry("one", "    hosts: [a.example.com]\n");
  EXPECT_THAT(problemsOf(entry("one", "    hosts: [a.example.com]\n    cookie_name: _x\n") +
                         entry("two", "    cookie_name: _x\n")),
              ElementsAre("providers[1].cookie_name: must differ from providers[0].cookie_name: "
                          "is the session cookie of one too: \"_x\""));
  // "_authgate_0" is the first chunk of the first entry's "_authgate".
  EXPECT_THAT(problemsOf(first + entry("0")),
              ElementsAre("providers[1].cookie_name: must differ from providers[0].cookie_name: "
                          "\"_authgate_0\" is a chunk name of one's cookie \"_authgate\""));
  EXPECT_THAT(problemsOf(first + entry("two", "    cookie_name: _authgate_csrf_x\n")),
              ElementsAre("providers[1].cookie_name: must differ from providers[0].cookie_name: "
                          "\"_authgate_csrf_x\" starts with the login-state prefix of one's "
                          "cookie \"_authgate_csrf_\""));
  EXPECT_THAT(
      problemsOf(entry("one", "    hosts: [a.example.com]\n    cookie_name: _a_csrf_b\n") +
                 entry("two", "    cookie_name: _a\n")),
      ElementsAre("providers[0].cookie_name: must differ from providers[1].cookie_name: "
                  "\"_a_csrf_b\" starts with the login-state prefix of two's cookie \"_a_csrf_\""));
}

TEST(ConfigProviders, HostsAndPathPrefixes) {
  auto loaded = loadYaml(std::string(kCookie) + "providers:\n" +
                         entry("one",
                               "    hosts: [A.example.com, \"*.b.example\", 10.0.0.1, "
                               "\"[::1]\"]\n    path_prefixes: [/, /a/, /b]\n"));
  EXPECT_TRUE(loaded) << ::testing::PrintToString(testing::lines(loaded.error()));
  for (const char* bad : {"a.example.com:443", "*", "*.", "http://a.example.com", "[::1",
                          "[::1]:80", ".a.example.com", "*.[::1]", "a_b.example", ""}) {
    EXPECT_THAT(problemsOf(entry("one", std::string("    hosts: [\"") + bad + "\"]\n")),
                ElementsAre(StartsWith("providers[0].hosts: must be a host like")))
        << bad;
  }
  for (const char* bad : {"corp", "/a/../b", "/a/.", "/a?b", "/%61", "/a b", ""}) {
    EXPECT_THAT(problemsOf(entry("one", std::string("    path_prefixes: [\"") + bad + "\"]\n")),
                ElementsAre(StartsWith("providers[0].path_prefixes: must be a normalized path")))
        << bad;
  }
}

TEST(ConfigProviders, EntriesAfterACatchAllAreNeverChosen) {
  EXPECT_THAT(
      problemsOf(entry("one") + entry("two", "    hosts: [a.example.com]\n") + entry("three")),
      ElementsAre("providers[1]: never chosen: providers[0] matches every request",
                  "providers[2]: never chosen: providers[0] matches every request"));
}

TEST(ConfigProviders, SummaryListsEntriesWithoutSecrets) {
  auto loaded = loadYaml(std::string(kCookie) + std::string(kTwo));
  ASSERT_TRUE(loaded);
  const std::string summary = renderSummary(*loaded);
  EXPECT_THAT(summary, HasSubstr("providers: corp  issuer \"https://sso.corp.example\"  client "
                                 "\"authgate-corp\"  hosts [\"corp.example.com\", "
                                 "\"*.corp.example.com\"]  path_prefixes [\"/corp/\"]  cookie "
                                 "\"_corp_session\"\n"));
  EXPECT_THAT(summary, HasSubstr("providers: public  issuer \"https://accounts.example.com\""));
  EXPECT_THAT(summary, Not(HasSubstr("corp-secret-value")));
  EXPECT_THAT(summary, Not(HasSubstr("public-secret-value")));
}

}  // namespace
}  // namespace authgate::core::config
