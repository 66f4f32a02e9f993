// gate::SkipRoutes: oauth2-proxy's skip_auth_routes forms, matching on the normalized path only
// (dot-segments, encoded dots, query and fragment), the ACME challenge rule, and bad entries.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/gate/skip_routes.h"

namespace authgate::core::gate {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

SkipRoutes compiled(const std::vector<std::string>& routes, bool acme = false,
                    const std::vector<std::string>& regexes = {}) {
  auto skip = SkipRoutes::compile(routes, acme, regexes);
  EXPECT_TRUE(skip) << skip.error();
  return skip ? *skip : SkipRoutes{};
}

TEST(GateSkipRoutes, PlainRegexAnyMethod) {
  const SkipRoutes skip = compiled({"^/public/"});
  EXPECT_FALSE(skip.empty());
  EXPECT_TRUE(skip.skips("GET", "/public/logo.png"));
  EXPECT_TRUE(skip.skips("POST", "/public/form"));
  EXPECT_FALSE(skip.skips("GET", "/private/public/"));
  EXPECT_FALSE(skip.skips("GET", "/public"));
}

TEST(GateSkipRoutes, UnanchoredRegexSearchesAnywhere) {
  // Go's MatchString semantics: anchors are the operator's job.
  const SkipRoutes skip = compiled({"/health"});
  EXPECT_TRUE(skip.skips("GET", "/api/health"));
  EXPECT_TRUE(skip.skips("GET", "/health"));
  EXPECT_FALSE(skip.skips("GET", "/heal"));
}

TEST(GateSkipRoutes, MethodForms) {
  const SkipRoutes skip = compiled({"GET=^/api/status$", "post=^/hooks/", "PUT!=^/private/"});
  EXPECT_TRUE(skip.skips("GET", "/api/status"));
  EXPECT_FALSE(skip.skips("HEAD", "/api/status"));
  EXPECT_FALSE(skip.skips("POST", "/api/status"));
  EXPECT_FALSE(skip.skips("GET", "/api/status/x"));
  EXPECT_TRUE(skip.skips("POST", "/hooks/github"));   // the method is upper-cased
  EXPECT_FALSE(skip.skips("post", "/hooks/github"));  // methods are case-sensitive (RFC 9110 §9.1)
  EXPECT_FALSE(skip.skips("GET", "/hooks/github"));
  EXPECT_TRUE(skip.skips("PUT", "/upload"));  // negated: any path but /private/...
  EXPECT_FALSE(skip.skips("PUT", "/private/x"));
  EXPECT_FALSE(skip.skips("DELETE", "/upload"));
}

TEST(GateSkipRoutes, NegationWithoutMethod) {
  const SkipRoutes skip = compiled({"!=^/app/"});
  EXPECT_TRUE(skip.skips("GET", "/landing"));
  EXPECT_TRUE(skip.skips("DELETE", "/landing"));
  EXPECT_FALSE(skip.skips("GET", "/app/settings"));
}

TEST(GateSkipRoutes, EqualsInsideARegexIsNotAMethod) {
  // "^/a(?=b)" has no method: its prefix before '=' is not a method name.
  const SkipRoutes skip = compiled({"^/a(?=b)", "^/x(?!=y)"});
  EXPECT_TRUE(skip.skips("GET", "/ab"));
  EXPECT_FALSE(skip.skips("GET", "/ac"));
  EXPECT_TRUE(skip.skips("GET", "/xz"));
  EXPECT_FALSE(skip.skips("GET", "/x=y"));
}

TEST(GateSkipRoutes, DotSegmentsCannotEscapeThePrefix) {
  const SkipRoutes skip = compiled({"^/public/"});
  EXPECT_FALSE(skip.skips("GET", "/public/../admin"));
  EXPECT_FALSE(skip.skips("GET", "/public/../admin/"));
  EXPECT_FALSE(skip.skips("GET", "/public/%2e%2e/admin"));
  EXPECT_FALSE(skip.skips("GET", "/public/%2E./admin"));
  EXPECT_FALSE(skip.skips("GET", "/public/x/../../admin"));
  EXPECT_FALSE(skip.skips("GET", "/public/.."));
  EXPECT_TRUE(skip.skips("GET", "/public/./css/../site.css"));
  EXPECT_TRUE(skip.skips("GET", "/admin/../public/x"));
  EXPECT_TRUE(skip.skips("GET", "/%70ublic/x"));  // %70 is 'p': the same resource upstream
}

TEST(GateSkipRoutes, QueryAndFragmentAreNeverMatched) {
  const SkipRoutes skip = compiled({"public"});
  EXPECT_FALSE(skip.skips("GET", "/admin?next=/public"));
  EXPECT_FALSE(skip.skips("GET", "/admin#public"));
  EXPECT_FALSE(skip.skips("GET", "/admin%23/public"));  // GHSA-pxq7-h93f-9jrg
  EXPECT_TRUE(skip.skips("GET", "/public?x=1"));
  const SkipRoutes anchored = compiled({"^/api/status$"});
  EXPECT_TRUE(anchored.skips("GET", "/api/status?verbose=1"));
}

TEST(GateSkipRoutes, NormalizedPath) {
  EXPECT_EQ(normalizedPath("/a/b/c/./../../g"), "/a/g");  // RFC 3986 §5.2.4's example
  EXPECT_EQ(normalizedPath("mid/content=5/../6"), "mid/6");
  EXPECT_EQ(normalizedPath("/"), "/");
  EXPECT_EQ(normalizedPath("/.."), "/");
  EXPECT_EQ(normalizedPath("/../../x"), "/x");
  EXPECT_EQ(normalizedPath("/a/."), "/a/");
  EXPECT_EQ(normalizedPath("/a//b/../c"), "/a//c");
  EXPECT_EQ(normalizedPath("/a%2fb%7E%41"), "/a%2Fb~A");
  EXPECT_EQ(normalizedPath("/a%2"), "/a%2");
  EXPECT_EQ(normalizedPath("/a%zz"), "/a%zz");
  EXPECT_EQ(normalizedPath("/a?b/../c"), "/a");
  EXPECT_EQ(normalizedPath("/a%23b"), "/a");
  EXPECT_EQ(normalizedPath("/a%2523"), "/a%2523");
  EXPECT_EQ(normalizedPath(""), "");
}

TEST(GateSkipRoutes, AcmeChallengeWhenOn) {
  const SkipRoutes skip = compiled({}, true);
  EXPECT_FALSE(skip.empty());
  const std::string token =
      "/.well-known/acme-challenge/LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0";
  EXPECT_TRUE(skip.skips("GET", token));
  EXPECT_TRUE(skip.skips("HEAD", token));
  EXPECT_FALSE(skip.skips("POST", token));
  EXPECT_FALSE(skip.skips("GET", "/.well-known/acme-challenge/"));
  EXPECT_FALSE(skip.skips("GET", "/.well-known/acme-challenge/a/b"));
  EXPECT_FALSE(skip.skips("GET", "/.well-known/acme-challenge/a.b"));
  EXPECT_FALSE(skip.skips("GET", "/.well-known/acme-challenge/../../admin"));
  EXPECT_FALSE(skip.skips("GET", "/x/.well-known/acme-challenge/abc"));
  EXPECT_TRUE(skip.skips("GET", "/.well-known/acme-challenge/abc?x=1"));
  EXPECT_FALSE(skip.skips("GET", "/admin"));
}

TEST(GateSkipRoutes, AcmeChallengeWhenOff) {
  const SkipRoutes skip = compiled({}, false);
  EXPECT_TRUE(skip.empty());
  EXPECT_FALSE(skip.skips("GET", "/.well-known/acme-challenge/abc"));
  EXPECT_TRUE(SkipRoutes{}.empty());
  EXPECT_FALSE(SkipRoutes{}.skips("GET", "/"));
  const SkipRoutes routesOnly = compiled({"^/public/"}, false);
  EXPECT_FALSE(routesOnly.skips("GET", "/.well-known/acme-challenge/abc"));
}

TEST(GateSkipRoutes, SkipAuthRegexIsPathOnly) {
  // A deprecated skip_auth_regex entry is one regex even where it looks like METHOD=regex.
  const SkipRoutes skip = compiled({}, false, {"^/static/", "GET=x"});
  EXPECT_TRUE(skip.skips("POST", "/static/app.js"));
  EXPECT_TRUE(skip.skips("PUT", "/GET=x"));
  EXPECT_FALSE(skip.skips("GET", "/x"));
}

TEST(GateSkipRoutes, BadEntriesAreNamed) {
  auto bad = SkipRoutes::compile({"^/ok/", "GET=^/broken[", "^/never/"}, true);
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error(), StartsWith("skip_auth_routes entry \"GET=^/broken[\": bad regex"));
  auto empty = SkipRoutes::compile({"GET="}, true);
  ASSERT_FALSE(empty);
  EXPECT_THAT(empty.error(), HasSubstr("\"GET=\": empty path regex"));
  EXPECT_FALSE(SkipRoutes::compile({""}, false));
  EXPECT_FALSE(SkipRoutes::compile({"!="}, false));
  auto regex = SkipRoutes::compile({}, false, {"(unclosed"});
  ASSERT_FALSE(regex);
  EXPECT_THAT(regex.error(), StartsWith("skip_auth_regex entry \"(unclosed\": bad regex"));
  EXPECT_EQ(skipRouteProblem("GET=^/x", true), std::nullopt);
  EXPECT_NE(skipRouteProblem("GET=(", true), std::nullopt);
}

TEST(GateSkipRoutes, CopiesShareTheCompiledRoutes) {
  const SkipRoutes original = compiled({"^/public/"}, true);
  const SkipRoutes copy = original;  // NOLINT: the copy is what is tested
  EXPECT_TRUE(copy.skips("GET", "/public/x"));
  EXPECT_TRUE(copy.skips("GET", "/.well-known/acme-challenge/t"));
}

TEST(GateSkipRoutes, LongPathsDoNotBreakMatching) {
  // Boost.Regex matches without recursion; a path near the header limit is just a path.
  const SkipRoutes skip = compiled({"^/public/(a|b)*$"});
  EXPECT_TRUE(skip.skips("GET", "/public/" + std::string(30000, 'a')));
  EXPECT_FALSE(skip.skips("GET", "/public/" + std::string(30000, 'a') + "c"));
}

}  // namespace
}  // namespace authgate::core::gate
