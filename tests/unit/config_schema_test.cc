#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "config_test_support.h"
#include "core/config/loader.h"
#include "core/config/reference.h"
#include "core/config/schema.h"
#include "core/config/summary.h"

namespace authgate::core::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ConfigSchema, KeysFlagsAndEnvironmentNamesAreUnique) {
  std::set<std::string_view> keys;
  std::set<std::string_view> flags;
  std::set<std::string> envs;
  for (const Option& option : options()) {
    EXPECT_TRUE(keys.insert(option.key).second) << option.key;
    EXPECT_TRUE(flags.insert(option.flag).second) << option.flag;
    EXPECT_TRUE(envs.insert(envName(option)).second) << option.key;
    EXPECT_TRUE(option.flag.starts_with("--")) << option.key;
    if (!option.flagAlias.empty()) {
      EXPECT_TRUE(flags.insert(option.flagAlias).second) << option.flagAlias;
      EXPECT_TRUE(option.flagAlias.starts_with("--")) << option.key;
    }
    EXPECT_FALSE(option.description.empty()) << option.key;
    EXPECT_FALSE(option.example.empty()) << option.key;
    EXPECT_EQ(findOption(option.key), &option);
  }
  EXPECT_EQ(findOption("cookie"), nullptr);
  EXPECT_EQ(findOption("nope"), nullptr);
}

TEST(ConfigSchema, SectionsAreContiguous) {
  // The reference opens one heading per section: a section split in two would get two.
  std::set<std::string> closed;
  std::string current = "-";
  for (const Option& option : options()) {
    const std::size_t dot = option.key.find('.');
    const std::string section(dot == std::string_view::npos ? "" : option.key.substr(0, dot));
    if (section != current) {
      EXPECT_TRUE(closed.insert(current).second || current == "-") << option.key;
      EXPECT_FALSE(closed.contains(section)) << option.key;
      current = section;
    }
  }
}

TEST(ConfigSchema, EnvironmentNamesFollowTheKey) {
  EXPECT_EQ(envName(*findOption("cookie.secret")), "AUTHGATE_COOKIE_SECRET");
  EXPECT_EQ(envName(*findOption("server.http_address")), "AUTHGATE_SERVER_HTTP_ADDRESS");
  EXPECT_EQ(envName(*findOption("proxy_prefix")), "AUTHGATE_PROXY_PREFIX");
}

TEST(ConfigSchema, TypesComeFromTheBoundFields) {
  EXPECT_EQ(findOption("cookie.expire")->type(), Type::Duration);
  EXPECT_EQ(findOption("cookie.secure")->type(), Type::Bool);
  EXPECT_EQ(findOption("upstreams")->type(), Type::List);
  EXPECT_EQ(findOption("provider.client_secret")->type(), Type::Secret);
  EXPECT_EQ(findOption("cookie.secret")->type(), Type::CookieSecret);
  EXPECT_EQ(findOption("cookie.previous_secrets")->type(), Type::CookieSecretList);
  EXPECT_EQ(findOption("cookie.secret_file")->type(), Type::SecretFile);
  Config config;
  for (const Option& option : options()) {
    EXPECT_EQ(option.field.ref(config).index(), static_cast<std::size_t>(option.type()));
    EXPECT_EQ(option.field.cref(config).index(), static_cast<std::size_t>(option.type()));
  }
}

TEST(ConfigSchema, SecretFilesPairWithASecret) {
  for (const Option& option : options()) {
    if (option.type() == Type::SecretFile) {
      const Option* secret = findOption(option.fills);
      ASSERT_NE(secret, nullptr) << option.key;
      EXPECT_TRUE(isSecret(*secret));
      EXPECT_EQ(secretFileFor(secret->key), &option);
      EXPECT_EQ(option.key, std::string(secret->key) + "_file");
    } else {
      EXPECT_TRUE(option.fills.empty()) << option.key;
    }
  }
}

// Each option's documented example is a valid value for that option.
TEST(ConfigSchema, EveryExampleIsValidForItsOption) {
  for (const Option& option : options()) {
    if (option.type() == Type::SecretFile || option.fills.size() > 0) {
      continue;  // an example path names no file here
    }
    std::string yaml;
    std::string_view key = option.key;
    std::string indent;
    for (auto dot = key.find('.'); dot != std::string_view::npos; dot = key.find('.')) {
      yaml += indent + std::string(key.substr(0, dot)) + ":\n";
      indent += "  ";
      key.remove_prefix(dot + 1);
    }
    yaml += indent + std::string(key) + ": " + std::string(option.example) + "\n";
    // Files an example names (policy_files) exist here, empty.
    auto loaded = load(Inputs{.file = yaml, .readFile = [](const std::string&) {
                                return core::Result<std::string, std::string>(std::string());
                              }});
    ASSERT_FALSE(loaded);  // required options are missing
    for (const Problem& problem : loaded.error()) {
      if (problem.message.ends_with("without server.https_address")) {
        continue;  // the TLS file examples only make sense with an HTTPS listener
      }
      EXPECT_NE(problem.key, option.key) << toString(problem) << " for example " << yaml;
    }
  }
}

TEST(ConfigSchema, DocsEqualTheGeneratedReference) {
  const std::string docs = testing::readTestFile(AUTHGATE_TEST_DATA "/../../docs/configuration.md");
  EXPECT_EQ(docs, renderReference())
      << "regenerate: authgate check-config --print-reference > docs/configuration.md";
}

TEST(ConfigSchema, ReferenceDocumentsEveryOption) {
  const std::string reference = renderReference();
  for (const Option& option : options()) {
    EXPECT_THAT(reference, HasSubstr("### `" + std::string(option.key) + "`"));
    EXPECT_THAT(reference, HasSubstr("`" + std::string(option.flag) + "`"));
    EXPECT_THAT(reference, HasSubstr("`" + envName(option) + "`"));
    EXPECT_THAT(reference, HasSubstr(std::string(option.description)));
  }
  EXPECT_THAT(reference, HasSubstr("| Default | `168h` |"));
  EXPECT_THAT(reference, HasSubstr("| Default | `[openid, email, profile]` |"));
  EXPECT_THAT(reference, HasSubstr("| Allowed | `lax`, `strict`, `none`, `\"\"` |"));
  EXPECT_THAT(reference, HasSubstr("one\n  trailing newline"));
}

TEST(ConfigSummary, ShowsEveryValueAndSourceWithSecretsMasked) {
  const std::string previous = "AAAAAAAAAAAAAAAAAAAAAA";
  auto loaded = load(Inputs{
      .file = testing::kMinimalYaml,
      .env = {{"AUTHGATE_COOKIE_EXPIRE", "10h"}, {"AUTHGATE_COOKIE_PREVIOUS_SECRETS", previous}},
      .flags = {{"logging.level", "debug"}}});
  ASSERT_TRUE(loaded);
  const std::string summary = renderSummary(*loaded);
  EXPECT_THAT(summary, Not(HasSubstr("client-secret-value")));
  EXPECT_THAT(summary, Not(HasSubstr("q-LUN0AXjfvdlqTV4BSDCpxMNTTMWcoPYV_Ohhj2HVg")));
  EXPECT_THAT(summary, Not(HasSubstr(previous)));
  EXPECT_THAT(summary, ::testing::ContainsRegex("cookie.secret +\\*{8} \\(32 bytes\\) +file\n"));
  EXPECT_THAT(summary,
              ::testing::ContainsRegex("provider.client_secret +\\*{8} \\(19 bytes\\) +file\n"));
  EXPECT_THAT(summary, ::testing::ContainsRegex(
                           "cookie.previous_secrets +\\[\\*{8} \\(16 bytes\\)\\] +env\n"));
  EXPECT_THAT(summary, ::testing::ContainsRegex("cookie.expire +10h +env\n"));
  EXPECT_THAT(summary, ::testing::ContainsRegex("logging.level +\"debug\" +flag\n"));
  EXPECT_THAT(summary, ::testing::ContainsRegex("cookie.path +\"/\" +default\n"));
  EXPECT_THAT(summary, ::testing::ContainsRegex("provider.scopes +\\[\"openid\", \"email\", "
                                                "\"profile\"\\] +default\n"));
  EXPECT_EQ(static_cast<std::size_t>(std::count(summary.begin(), summary.end(), '\n')),
            options().size());
}

}  // namespace
}  // namespace authgate::core::config
