// gate::checkAccess and its inputs: email_domains, the allowed-emails file, allowed_groups and
// the per-request overrides of /oauth2/auth, with oauth2-proxy's semantics and the multi-'@'
// bypass closed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "core/gate/access_rules.h"

namespace authgate::core::gate {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

session::Session user(std::string email, std::vector<std::string> groups = {}) {
  session::Session session;
  session.subject = "sub-1";
  session.email = std::move(email);
  session.groups = std::move(groups);
  return session;
}

std::shared_ptr<EmailListHandle> handleOf(std::string_view text) {
  auto list = EmailList::parse(text);
  EXPECT_TRUE(list) << list.error();
  return std::make_shared<EmailListHandle>(list ? std::move(*list) : EmailList{});
}

AccessDenial check(const AccessRules& rules, std::string email,
                   std::vector<std::string> groups = {},
                   const AccessOverrides* overrides = nullptr) {
  return checkAccess(rules, user(std::move(email), std::move(groups)), overrides);
}

TEST(GateAccessRules, NothingConfiguredRestrictsNothing) {
  const AccessRules rules;
  EXPECT_FALSE(rules.restricts());
  EXPECT_EQ(check(rules, "anyone@anywhere.example"), AccessDenial::None);
  EXPECT_EQ(check(rules, ""), AccessDenial::None);
  EXPECT_EQ(check(rules, "no-at-sign"), AccessDenial::None);
}

TEST(GateAccessRules, ExactDomainMatchesThatDomainOnly) {
  const AccessRules rules{.emailDomains = {"example.com"}};
  EXPECT_TRUE(rules.restricts());
  EXPECT_EQ(check(rules, "alice@example.com"), AccessDenial::None);
  EXPECT_EQ(check(rules, "Alice@EXAMPLE.Com"), AccessDenial::None);
  EXPECT_EQ(check(rules, "alice@sub.example.com"), AccessDenial::EmailDomain);
  EXPECT_EQ(check(rules, "alice@notexample.com"), AccessDenial::EmailDomain);
  EXPECT_EQ(check(rules, "alice@example.com.evil"), AccessDenial::EmailDomain);
  EXPECT_EQ(check(rules, "alice@example.org"), AccessDenial::EmailDomain);
}

TEST(GateAccessRules, LeadingDotOrStarDotMatchesSubdomainsOnly) {
  for (const char* pattern : {".example.com", "*.example.com", "*.EXAMPLE.com"}) {
    const AccessRules rules{.emailDomains = {pattern}};
    EXPECT_EQ(check(rules, "bob@eu.example.com"), AccessDenial::None) << pattern;
    EXPECT_EQ(check(rules, "bob@a.b.Example.COM"), AccessDenial::None) << pattern;
    // oauth2-proxy: the bare domain is not a subdomain of itself.
    EXPECT_EQ(check(rules, "bob@example.com"), AccessDenial::EmailDomain) << pattern;
    EXPECT_EQ(check(rules, "bob@badexample.com"), AccessDenial::EmailDomain) << pattern;
    EXPECT_EQ(check(rules, "bob@.example.com"), AccessDenial::EmailDomain) << pattern;
  }
}

TEST(GateAccessRules, MultipleAtSignsNeverMatch) {
  // GHSA-c5c4-8r6x-56w3: "attacker@evil.com@example.com" ends with "@example.com".
  const AccessRules rules{.emailDomains = {"example.com", ".example.com"}};
  EXPECT_EQ(check(rules, "attacker@evil.com@example.com"), AccessDenial::EmailDomain);
  EXPECT_EQ(check(rules, "attacker@evil.com@eu.example.com"), AccessDenial::EmailDomain);
  EXPECT_EQ(check(rules, "@example.com"), AccessDenial::EmailDomain);
  EXPECT_EQ(check(rules, "example.com"), AccessDenial::EmailDomain);
  EXPECT_EQ(check(rules, "alice@"), AccessDenial::EmailDomain);
  EXPECT_EQ(check(rules, ""), AccessDenial::EmailDomain);
  EXPECT_FALSE(emailDomainAllowed("a@b@example.com", {"example.com"}));
  EXPECT_TRUE(emailDomainAllowed("a@example.com", {"example.com"}));
}

TEST(GateAccessRules, StarAllowsAnyNonEmptyEmail) {
  // As oauth2-proxy: with oidc_email_claim=sub the "email" holds no '@' at all.
  const AccessRules rules{.emailDomains = {"*"}};
  EXPECT_EQ(check(rules, "alice@example.com"), AccessDenial::None);
  EXPECT_EQ(check(rules, "248289761001"), AccessDenial::None);
  EXPECT_EQ(check(rules, "a@b@c"), AccessDenial::None);
  EXPECT_EQ(check(rules, ""), AccessDenial::EmailDomain);
}

TEST(GateAccessRules, EmailsFileOrDomainsEitherAllows) {
  const AccessRules rules{.emailDomains = {"example.com"},
                          .allowedEmails = handleOf("carol@partner.example\n")};
  EXPECT_EQ(check(rules, "alice@example.com"), AccessDenial::None);
  EXPECT_EQ(check(rules, "carol@partner.example"), AccessDenial::None);
  EXPECT_EQ(check(rules, "CAROL@Partner.Example"), AccessDenial::None);
  EXPECT_EQ(check(rules, "dave@partner.example"), AccessDenial::EmailNotListed);
  EXPECT_EQ(check(rules, ""), AccessDenial::EmailNotListed);
}

TEST(GateAccessRules, EmailsFileAloneRestricts) {
  const AccessRules rules{.allowedEmails = handleOf("carol@partner.example\n")};
  EXPECT_TRUE(rules.restricts());
  EXPECT_EQ(check(rules, "carol@partner.example"), AccessDenial::None);
  EXPECT_EQ(check(rules, "alice@example.com"), AccessDenial::EmailNotListed);
  EXPECT_EQ(check(rules, "carol@partner.example@evil"), AccessDenial::EmailNotListed);
}

TEST(GateAccessRules, ReplacedListTakesEffect) {
  auto handle = handleOf("old@example.com\n");
  const AccessRules rules{.allowedEmails = handle};
  const auto before = handle->current();
  EXPECT_EQ(check(rules, "new@example.com"), AccessDenial::EmailNotListed);
  handle->replace(std::make_shared<const EmailList>(*EmailList::parse("new@example.com\n")));
  EXPECT_EQ(check(rules, "new@example.com"), AccessDenial::None);
  EXPECT_EQ(check(rules, "old@example.com"), AccessDenial::EmailNotListed);
  EXPECT_TRUE(before->contains("old@example.com"));  // a reader's snapshot stays whole
}

TEST(GateAccessRules, GroupsNeedAnyOneExactly) {
  const AccessRules rules{.allowedGroups = {"admins", "ops"}};
  EXPECT_TRUE(rules.restricts());
  EXPECT_EQ(check(rules, "a@example.com", {"dev", "ops"}), AccessDenial::None);
  EXPECT_EQ(check(rules, "a@example.com", {"admins"}), AccessDenial::None);
  EXPECT_EQ(check(rules, "a@example.com", {"Admins", "op"}), AccessDenial::Group);
  EXPECT_EQ(check(rules, "a@example.com", {}), AccessDenial::Group);
}

TEST(GateAccessRules, EmailRuleIsCheckedBeforeGroups) {
  const AccessRules rules{.emailDomains = {"example.com"}, .allowedGroups = {"admins"}};
  EXPECT_EQ(check(rules, "a@other.example", {}), AccessDenial::EmailDomain);
  EXPECT_EQ(check(rules, "a@example.com", {}), AccessDenial::Group);
  EXPECT_EQ(check(rules, "a@example.com", {"admins"}), AccessDenial::None);
}

TEST(GateAccessOverrides, ParsesEveryOccurrenceAndCommaLists) {
  const auto overrides = AccessOverrides::fromQuery(
      "rd=%2F&allowed_groups=a,b&allowed_groups=c,,&allowed_email_domains=Example.COM,"
      "%2Aexample.org&allowed_emails=U%40X.example+&other=1");
  EXPECT_THAT(overrides.groups, ElementsAre("a", "b", "c"));
  EXPECT_THAT(overrides.emailDomains, ElementsAre("example.com", "*example.org"));
  EXPECT_THAT(overrides.emails, ElementsAre("u@x.example "));
  EXPECT_FALSE(overrides.empty());
  EXPECT_TRUE(AccessOverrides::fromQuery("").empty());
  EXPECT_TRUE(AccessOverrides::fromQuery("allowed_groups=&allowed_emails").empty());
  EXPECT_TRUE(AccessOverrides::fromQuery("rd=/x&allowed_groupsX=a").empty());
  EXPECT_THAT(AccessOverrides::fromQuery("allowed%5Fgroups=Admins").groups, ElementsAre("Admins"));
}

TEST(GateAccessOverrides, EachGivenParameterMustHold) {
  const AccessRules none;
  const auto overrides = AccessOverrides::fromQuery(
      "allowed_groups=admins,ops&allowed_email_domains=example.com&allowed_emails=alice@example."
      "com,"
      "bob@example.com");
  EXPECT_EQ(check(none, "alice@example.com", {"ops"}, &overrides), AccessDenial::None);
  EXPECT_EQ(check(none, "Bob@Example.com", {"admins"}, &overrides), AccessDenial::None);
  EXPECT_EQ(check(none, "alice@example.com", {"dev"}, &overrides), AccessDenial::OverrideGroup);
  EXPECT_EQ(check(none, "carol@example.com", {"ops"}, &overrides), AccessDenial::OverrideEmail);
  EXPECT_EQ(check(none, "alice@example.org", {"ops"}, &overrides),
            AccessDenial::OverrideEmailDomain);
}

TEST(GateAccessOverrides, ConfiguredRulesComeFirst) {
  const AccessRules rules{.allowedGroups = {"staff"}};
  const auto overrides = AccessOverrides::fromQuery("allowed_groups=admins");
  EXPECT_EQ(check(rules, "a@example.com", {"admins"}, &overrides), AccessDenial::Group);
  EXPECT_EQ(check(rules, "a@example.com", {"staff"}, &overrides), AccessDenial::OverrideGroup);
  EXPECT_EQ(check(rules, "a@example.com", {"staff", "admins"}, &overrides), AccessDenial::None);
}

TEST(GateAccessOverrides, EmailDomainsFollowEndpointMatching) {
  const AccessRules none;
  const auto dotted = AccessOverrides::fromQuery("allowed_email_domains=.example.com");
  // Unlike email_domains, the bare domain matches too (oauth2-proxy's IsEndpointAllowed).
  EXPECT_EQ(check(none, "a@example.com", {}, &dotted), AccessDenial::None);
  EXPECT_EQ(check(none, "a@eu.EXAMPLE.com", {}, &dotted), AccessDenial::None);
  EXPECT_EQ(check(none, "a@badexample.com", {}, &dotted), AccessDenial::OverrideEmailDomain);
  EXPECT_EQ(check(none, "a@evil@example.com", {}, &dotted), AccessDenial::OverrideEmailDomain);
  EXPECT_EQ(check(none, "", {}, &dotted), AccessDenial::OverrideEmailDomain);
  const auto starred = AccessOverrides::fromQuery("allowed_email_domains=*.example.com");
  EXPECT_EQ(check(none, "a@example.com", {}, &starred), AccessDenial::None);
  EXPECT_EQ(check(none, "a@x.example.com", {}, &starred), AccessDenial::None);
  const auto exact = AccessOverrides::fromQuery("allowed_email_domains=example.com");
  EXPECT_EQ(check(none, "a@x.example.com", {}, &exact), AccessDenial::OverrideEmailDomain);
  const auto wildcard = AccessOverrides::fromQuery("allowed_email_domains=*");
  EXPECT_EQ(check(none, "a@example.com", {}, &wildcard), AccessDenial::OverrideEmailDomain);
}

TEST(GateAccessOverrides, MalformedParameterDeniesInsteadOfVanishing) {
  const AccessRules none;
  const auto groups = AccessOverrides::fromQuery("allowed_groups=admins%ZZ");
  EXPECT_TRUE(groups.malformedGroups);
  EXPECT_FALSE(groups.empty());
  EXPECT_EQ(check(none, "a@example.com", {"admins"}, &groups), AccessDenial::OverrideGroup);
  const auto domains = AccessOverrides::fromQuery("allowed_email_domains=example.com%");
  EXPECT_EQ(check(none, "a@example.com", {}, &domains), AccessDenial::OverrideEmailDomain);
  const auto emails = AccessOverrides::fromQuery("allowed_emails=a@example.com%4");
  EXPECT_EQ(check(none, "a@example.com", {}, &emails), AccessDenial::OverrideEmail);
  const auto empty = AccessOverrides::fromQuery("allowed_emails=x@y&allowed_emails=");
  EXPECT_EQ(check(none, "", {}, &empty), AccessDenial::OverrideEmail);
}

TEST(GateEmailList, ParsesLinesCommentsAndFirstColumn) {
  auto list = EmailList::parse(
      "# staff\n"
      "alice@example.com\n"
      "  Bob@Example.COM  \r\n"
      "\n"
      "\t\n"
      "carol@partner.example, Carol Partner\n"
      "alice@example.com\n"
      "# dave@example.com\n"
      "erin@example.com");
  ASSERT_TRUE(list) << list.error();
  EXPECT_EQ(list->size(), 4u);
  EXPECT_TRUE(list->contains("alice@example.com"));
  EXPECT_TRUE(list->contains("ALICE@example.com"));
  EXPECT_TRUE(list->contains("bob@example.com"));
  EXPECT_TRUE(list->contains("carol@partner.example"));
  EXPECT_TRUE(list->contains("erin@example.com"));
  EXPECT_FALSE(list->contains("dave@example.com"));
  EXPECT_FALSE(list->contains("carol@partner.example, Carol Partner"));
  EXPECT_FALSE(list->contains(""));
  EXPECT_FALSE(list->contains("alice@example.co"));
  EXPECT_FALSE(list->contains("alice@example.comm"));
  ASSERT_TRUE(EmailList::parse(""));
  EXPECT_EQ(EmailList::parse("# nobody\n\n")->size(), 0u);
}

TEST(GateEmailList, BadLinesNameTheirNumber) {
  const struct {
    const char* text;
    const char* error;
  } cases[] = {
      {"alice@example.com\nbob\n", "line 2: "},
      {"a@b@example.com\n", "line 1: "},
      {"ok@example.com\n\n# c\n@example.com\n", "line 4: "},
      {"alice@\n", "line 1: "},
      {"al ice@example.com\n", "line 1: "},
      {"\"alice\"@example.com\n", "line 1: "},
      {"Alice <alice@example.com>\n", "line 1: "},
      {"alice@exa\x01mple.com\n", "line 1: "},
      {"ok@example.com\r\n,alice@example.com\r\n", "line 2: "},
  };
  for (const auto& c : cases) {
    auto list = EmailList::parse(c.text);
    ASSERT_FALSE(list) << c.text;
    EXPECT_THAT(list.error(), ::testing::StartsWith(c.error)) << c.text;
    EXPECT_THAT(list.error(), Not(HasSubstr("example.com"))) << c.text;
  }
}

// The seeds of fuzz/email_list_fuzz.cc (file text NUL email NUL query): each file part parses,
// except the seeds named bad_*, which must not.
TEST(GateEmailList, FuzzSeedsParseAsNamed) {
  std::size_t seeds = 0;
  for (const auto& entry : std::filesystem::directory_iterator(
           std::filesystem::path(AUTHGATE_FUZZ_CORPUS) / "email_list")) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string content((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
    const std::string file = content.substr(0, content.find('\0'));
    const bool bad = entry.path().filename().string().starts_with("bad_");
    EXPECT_EQ(EmailList::parse(file).hasValue(), !bad) << entry.path();
    ++seeds;
  }
  EXPECT_GE(seeds, 4u);
}

TEST(GateAccessRules, DenialNames) {
  EXPECT_STREQ(toString(AccessDenial::None), "none");
  EXPECT_STREQ(toString(AccessDenial::EmailDomain), "email_domain");
  EXPECT_STREQ(toString(AccessDenial::EmailNotListed), "email_not_listed");
  EXPECT_STREQ(toString(AccessDenial::Group), "group");
  EXPECT_STREQ(toString(AccessDenial::OverrideGroup), "override_group");
  EXPECT_STREQ(toString(AccessDenial::OverrideEmailDomain), "override_email_domain");
  EXPECT_STREQ(toString(AccessDenial::OverrideEmail), "override_email");
}

}  // namespace
}  // namespace authgate::core::gate
