#include "core/encoding/base64url.h"

#include <gtest/gtest.h>

namespace authgate::core {
namespace {

TEST(Base64Url, EncodesRfc4648Vectors) {
  EXPECT_EQ(base64url::encode(std::string_view("")), "");
  EXPECT_EQ(base64url::encode(std::string_view("f")), "Zg");
  EXPECT_EQ(base64url::encode(std::string_view("fo")), "Zm8");
  EXPECT_EQ(base64url::encode(std::string_view("foo")), "Zm9v");
  EXPECT_EQ(base64url::encode(std::string_view("foob")), "Zm9vYg");
  EXPECT_EQ(base64url::encode(std::string_view("fooba")), "Zm9vYmE");
  EXPECT_EQ(base64url::encode(std::string_view("foobar")), "Zm9vYmFy");
}

TEST(Base64Url, UsesTheUrlSafeAlphabet) {
  const std::uint8_t bytes[] = {0xfb, 0xff, 0xbf};
  EXPECT_EQ(base64url::encode(bytes), "-_-_");
  auto decoded = base64url::decode("-_-_");
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, std::vector<std::uint8_t>(std::begin(bytes), std::end(bytes)));
}

TEST(Base64Url, RoundTripsEveryLength) {
  std::string data;
  for (int i = 0; i < 300; ++i) {
    auto decoded = base64url::decodeToString(base64url::encode(data));
    ASSERT_TRUE(decoded) << i;
    EXPECT_EQ(*decoded, data);
    data.push_back(static_cast<char>(i * 7));
  }
}

TEST(Base64Url, RejectsPaddingStrayCharactersAndBadLengths) {
  using namespace std::string_view_literals;
  for (std::string_view bad : {"Zg=="sv, "Zm8="sv, "Zm9v\n"sv, " Zm9v"sv, "Zm+v"sv, "Zm/v"sv, "Z"sv,
                               "Zm9vY"sv, "Zm9v."sv, "Zm\0v"sv}) {
    EXPECT_FALSE(base64url::decode(bad)) << bad;
  }
}

TEST(Base64Url, RejectsNonCanonicalTrailingBits) {
  EXPECT_TRUE(base64url::decode("Zg"));
  EXPECT_FALSE(base64url::decode("Zh"));  // same byte, low bits set
  EXPECT_TRUE(base64url::decode("Zm8"));
  EXPECT_FALSE(base64url::decode("Zm9"));
}

}  // namespace
}  // namespace authgate::core
