#include "core/encoding/json.h"

#include <gtest/gtest.h>

namespace authgate::core {
namespace {

TEST(Json, ParsesAnObject) {
  auto doc = json::parse(R"({"a":"b","n":[1,2,{"c":true}]})");
  ASSERT_TRUE(doc);
  const auto& object = doc->as_object();
  ASSERT_NE(json::findString(object, "a"), nullptr);
  EXPECT_EQ(*json::findString(object, "a"), "b");
  EXPECT_NE(json::findArray(object, "n"), nullptr);
  EXPECT_EQ(json::findString(object, "n"), nullptr);
  EXPECT_EQ(json::findString(object, "missing"), nullptr);
}

TEST(Json, RejectsDocumentsOverTheSizeLimit) {
  std::string big = "\"" + std::string(100, 'x') + "\"";
  auto doc = json::parse(big, json::Limits{.maxBytes = 50});
  ASSERT_FALSE(doc);
  EXPECT_NE(doc.error().detail.find("exceeds the limit"), std::string::npos);
}

TEST(Json, RejectsNestingOverTheDepthLimit) {
  std::string deep(40, '[');
  deep += std::string(40, ']');
  EXPECT_FALSE(json::parse(deep, json::Limits{.maxDepth = 16}));
  EXPECT_TRUE(json::parse("[[[1]]]", json::Limits{.maxDepth = 16}));
}

TEST(Json, RejectsDuplicateMembersAtAnyDepth) {
  auto top = json::parse(R"({"alg":"RS256","alg":"none"})");
  ASSERT_FALSE(top);
  EXPECT_NE(top.error().detail.find("duplicate member \"alg\""), std::string::npos);
  EXPECT_FALSE(json::parse(R"({"a":{"x":1,"x":2}})"));
  EXPECT_FALSE(json::parse(R"([{"x":1},{"y":1,"y":2}])"));
  EXPECT_TRUE(json::parse(R"({"a":{"x":1},"b":{"x":2}})"));
}

TEST(Json, RejectsMalformedAndTrailingInput) {
  for (std::string_view bad : {"", "{", "{\"a\":}", "{} {}", "[1,]", "nul", "{\"a\":1,}"}) {
    EXPECT_FALSE(json::parse(bad)) << bad;
  }
}

}  // namespace
}  // namespace authgate::core
