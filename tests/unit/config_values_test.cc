#include <gtest/gtest.h>

#include "core/config/values.h"

namespace authgate::core::config {
namespace {

using std::chrono::seconds;

TEST(ConfigValues, ParsesBooleansOfTheYamlCoreSchema) {
  EXPECT_EQ(parseBool("true"), true);
  EXPECT_EQ(parseBool("TRUE"), true);
  EXPECT_EQ(parseBool("False"), false);
  EXPECT_EQ(parseBool("yes"), std::nullopt);
  EXPECT_EQ(parseBool("1"), std::nullopt);
  EXPECT_EQ(parseBool(""), std::nullopt);
  EXPECT_EQ(parseBool(" true"), std::nullopt);
}

TEST(ConfigValues, ParsesIntegersWithinInt64) {
  EXPECT_EQ(parseInt("0"), 0);
  EXPECT_EQ(parseInt("-42"), -42);
  EXPECT_EQ(parseInt("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(parseInt("-9223372036854775808"), INT64_MIN);
  EXPECT_EQ(parseInt("9223372036854775808"), std::nullopt);
  EXPECT_EQ(parseInt("-9223372036854775809"), std::nullopt);
  EXPECT_EQ(parseInt("99999999999999999999"), std::nullopt);
  EXPECT_EQ(parseInt("12a"), std::nullopt);
  EXPECT_EQ(parseInt("-"), std::nullopt);
  EXPECT_EQ(parseInt(""), std::nullopt);
}

TEST(ConfigValues, ParsesDurations) {
  EXPECT_EQ(*parseDuration("168h"), seconds{168 * 3600});
  EXPECT_EQ(*parseDuration("15m"), seconds{900});
  EXPECT_EQ(*parseDuration("30s"), seconds{30});
  EXPECT_EQ(*parseDuration("1h30m"), seconds{5400});
  EXPECT_EQ(*parseDuration("1h0m5s"), seconds{3605});
  EXPECT_EQ(*parseDuration("0"), seconds{0});
  EXPECT_EQ(*parseDuration("0s"), seconds{0});
  EXPECT_EQ(*parseDuration("87600h"), kMaxDuration);
}

TEST(ConfigValues, RejectsJunkDurations) {
  for (const char* junk : {"10x", "", "h", "10", "1.5h", "1h1h", "30s1m", "1h 30m", " 1h", "1H",
                           "1d", "ms", "5ms", "+5m"}) {
    auto parsed = parseDuration(junk);
    ASSERT_FALSE(parsed) << junk;
    EXPECT_EQ(parsed.error(), "expected a duration like 168h, 15m or 30s, found " + quote(junk));
  }
}

TEST(ConfigValues, RejectsNegativeAndOverflowingDurations) {
  EXPECT_EQ(parseDuration("-5m").error(), "must not be negative, found \"-5m\"");
  EXPECT_EQ(parseDuration("87601h").error(), "must be at most 87600h, found \"87601h\"");
  EXPECT_EQ(parseDuration("87600h1s").error(), "must be at most 87600h, found \"87600h1s\"");
  EXPECT_FALSE(parseDuration("99999999999999999999999999h"));
  EXPECT_FALSE(parseDuration("9223372036854775807s"));
}

TEST(ConfigValues, FormatsDurationsCanonically) {
  EXPECT_EQ(formatDuration(seconds{0}), "0s");
  EXPECT_EQ(formatDuration(seconds{168 * 3600}), "168h");
  EXPECT_EQ(formatDuration(seconds{5400}), "1h30m");
  EXPECT_EQ(formatDuration(seconds{3605}), "1h5s");
  EXPECT_EQ(formatDuration(seconds{59}), "59s");
  for (const char* text : {"1h30m", "15m", "30s", "2h1m1s"}) {
    EXPECT_EQ(formatDuration(*parseDuration(text)), text);
  }
}

TEST(ConfigValues, SplitsCommaSeparatedLists) {
  using V = std::vector<std::string>;
  EXPECT_EQ(splitList("a,b"), (V{"a", "b"}));
  EXPECT_EQ(splitList(" a , b ,, c,"), (V{"a", "b", "c"}));
  EXPECT_EQ(splitList(""), V{});
  EXPECT_EQ(splitList(" , "), V{});
  EXPECT_EQ(splitList("single"), V{"single"});
  // oauth2-proxy's --scope is space-separated; commas still work.
  EXPECT_EQ(splitList("openid email,profile  groups", ", \t"),
            (V{"openid", "email", "profile", "groups"}));
  EXPECT_EQ(splitList("a b", ","), V{"a b"});
}

TEST(ConfigValues, QuotesWithEscapesAndACap) {
  EXPECT_EQ(quote("a\"b"), "\"a\\\"b\"");
  EXPECT_EQ(quote(std::string("x\n\0y", 4)), "\"x\\x0a\\x00y\"");
  const std::string shown = quote(std::string(200, 'z'));
  EXPECT_EQ(shown, "\"" + std::string(80, 'z') + "...\"");
}

}  // namespace
}  // namespace authgate::core::config
