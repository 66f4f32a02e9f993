#include "core/redirect/redirect_policy.h"

#include <gtest/gtest.h>

namespace authgate::core::redirect {
namespace {

RedirectPolicy examplePolicy() {
  auto policy =
      RedirectPolicy::compile({"app.example.com", ".corp.example.org", "*.wild.example.net",
                               "ports.example.com:8443", "any.example.com:*"});
  EXPECT_TRUE(policy) << policy.error();
  return *policy;
}

TEST(RedirectPolicy, AcceptsSafeTargets) {
  const RedirectPolicy policy = examplePolicy();
  for (const char* target : {
           "/",
           "/app",
           "/app/page?x=1&y=%2F#frag",
           "/%2f%2fevil.com",  // stays a path: browsers do not decode %2f into a separator
           "/a.b/c..d/.e",
           "https://app.example.com/",
           "http://app.example.com/welcome?x=1",
           "HTTPS://APP.EXAMPLE.COM/Case",
           "https://corp.example.org/",
           "https://deep.sub.corp.example.org/x",
           "https://a.wild.example.net/",
           "https://ports.example.com:8443/",
           "https://any.example.com:9999/",
           "https://any.example.com/",
       }) {
    EXPECT_EQ(policy.validate(target), std::optional<std::string>(target)) << target;
  }
}

// At least thirty hostile payloads from open-redirect corpora; each must fall back to "/".
TEST(RedirectPolicy, RefusesHostileTargets) {
  const RedirectPolicy policy = examplePolicy();
  for (const char* target : {
           "",
           "//evil.com",
           "//evil.com/path",
           "///evil.com",
           "/\\evil.com",
           "\\/evil.com",
           "\\\\evil.com",
           "/ /evil.com",
           "/\t/evil.com",
           "/\n/evil.com",
           "/\r\n/evil.com",
           "/app\r\nSet-Cookie: x=y",
           " /app",
           "/app ",
           "/../evil",
           "/app/../../evil",
           "/app/./x",
           "/app/..",
           "/%2e%2e/evil",
           "/app/%2E%2e/x",
           "/.%2e/x",
           "https://evil.com",
           "https://evil.com/",
           "https://evil.com#.app.example.com",
           "https://evil.com?.app.example.com",
           "https://evil.com\\.app.example.com",
           "https://app.example.com.evil.com/",
           "https://app.example.com@evil.com/",
           "https://user:pass@app.example.com/",
           "https://evilapp.example.com/",
           "https://xcorp.example.org/",
           "https://wild.example.net.evil/",
           "https://app.example.com./",
           "https://app.example.com:443/",
           "https://app.example.com:/",
           "https://ports.example.com/",
           "https://ports.example.com:8444/",
           "javascript:alert(1)",
           "JaVaScRiPt:alert(1)",
           "data:text/html,<script>alert(1)</script>",
           "ftp://app.example.com/",
           "https:evil.com",
           "https:/evil.com",
           "https:///evil.com",
           "http://[::1]/",
           "http://127.0.0.1/",
           "https://%65vil.com/",
           "https://app.example.com/%2e%2e/",
           "https://аpp.example.com/",  // Cyrillic 'а' (IDN homograph, raw UTF-8)
           "evil.com",
           "app",
       }) {
    EXPECT_EQ(policy.validate(target), std::nullopt) << target;
    EXPECT_EQ(policy.sanitize(target), "/") << target;
  }
}

TEST(RedirectPolicy, WithoutWhitelistOnlyRelativePathsPass) {
  auto policy = RedirectPolicy::compile({});
  ASSERT_TRUE(policy);
  EXPECT_EQ(policy->sanitize("/ok"), "/ok");
  EXPECT_EQ(policy->sanitize("https://app.example.com/"), "/");
}

TEST(RedirectPolicy, RejectsMalformedWhitelistEntries) {
  for (const char* entry : {"", ".", "*.", "exa mple.com", "example.com:port",
                            "example.com:", "example.com.", "https://example.com"}) {
    auto policy = RedirectPolicy::compile({entry});
    EXPECT_FALSE(policy) << entry;
  }
  auto policy = RedirectPolicy::compile({"bad host"});
  ASSERT_FALSE(policy);
  EXPECT_NE(policy.error().find("\"bad host\""), std::string::npos);
}

}  // namespace
}  // namespace authgate::core::redirect
