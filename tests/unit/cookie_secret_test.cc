#include "core/session/cookie_secret.h"

#include <gtest/gtest.h>

namespace authgate::core::session {
namespace {

TEST(CookieSecret, DecodesUrlSafeBase64Of32Bytes) {
  // openssl rand -base64 32 | tr -- '+/' '-_'
  auto secret = decodeCookieSecret("q-LUN0AXjfvdlqTV4BSDCpxMNTTMWcoPYV_Ohhj2HVg=");
  ASSERT_TRUE(secret);
  EXPECT_EQ(secret->bytes.size(), 32u);
  EXPECT_EQ(secret->bytes[0], 0xab);
}

TEST(CookieSecret, DecodesUnpaddedBase64Of16And24Bytes) {
  EXPECT_EQ(decodeCookieSecret("AAAAAAAAAAAAAAAAAAAAAA")->bytes.size(), 16u);
  EXPECT_EQ(decodeCookieSecret("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")->bytes.size(), 24u);
}

TEST(CookieSecret, UsesRawBytesWhenTheyAreAKeySize) {
  auto secret = decodeCookieSecret("0123456789abcdef!");  // 17 raw, not base64
  EXPECT_FALSE(secret);
  auto raw = decodeCookieSecret("0123456789abcde!");  // 16 raw bytes, '!' is not base64
  ASSERT_TRUE(raw);
  EXPECT_EQ(std::string(raw->bytes.begin(), raw->bytes.end()), "0123456789abcde!");
}

TEST(CookieSecret, StandardAlphabetFallsBackToRawAndFails) {
  // '+' and '/' are not URL-safe: the 44 raw characters are no AES key size.
  auto secret = decodeCookieSecret("q+LUN0AXjfvdlqTV4BSDCpxMNTTMWcoPYV/Ohhj2HVg=");
  ASSERT_FALSE(secret);
  EXPECT_EQ(secret.error(), "must decode to 16, 24 or 32 bytes, got 44");
}

TEST(CookieSecret, ReportsTheDecodedSizeWithoutTheSecret) {
  auto secret = decodeCookieSecret("AAAAAAAAAAAAAAA");  // 11 bytes decoded, 15 raw
  ASSERT_FALSE(secret);
  EXPECT_EQ(secret.error(), "must decode to 16, 24 or 32 bytes, got 11");
  EXPECT_EQ(decodeCookieSecret("").error(), "must not be empty");
}

}  // namespace
}  // namespace authgate::core::session
