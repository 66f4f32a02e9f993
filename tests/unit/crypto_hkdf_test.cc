#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/crypto/bytes.h"
#include "core/crypto/hkdf.h"

namespace authgate::core::crypto {
namespace {

std::vector<std::uint8_t> hex(std::string_view text) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < text.size(); i += 2) {
    out.push_back(
        static_cast<std::uint8_t>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

std::vector<std::uint8_t> range(int first, int last) {  // [first, last]
  std::vector<std::uint8_t> out;
  for (int b = first; b <= last; ++b) {
    out.push_back(static_cast<std::uint8_t>(b));
  }
  return out;
}

std::vector<std::uint8_t> derive(const std::vector<std::uint8_t>& ikm,
                                 const std::vector<std::uint8_t>& salt,
                                 const std::vector<std::uint8_t>& info, std::size_t length) {
  std::vector<std::uint8_t> out(length);
  EXPECT_TRUE(hkdfSha256(ikm, salt, info, out));
  return out;
}

// RFC 5869 Appendix A.1: basic test case with SHA-256.
TEST(CryptoHkdf, Rfc5869TestCase1) {
  EXPECT_EQ(
      derive(std::vector<std::uint8_t>(22, 0x0b), range(0x00, 0x0c), range(0xf0, 0xf9), 42),
      hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"));
}

// RFC 5869 Appendix A.2: longer inputs and outputs (82 bytes: three HMAC blocks).
TEST(CryptoHkdf, Rfc5869TestCase2) {
  EXPECT_EQ(derive(range(0x00, 0x4f), range(0x60, 0xaf), range(0xb0, 0xff), 82),
            hex("b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac78272"
                "71cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f"
                "1d87"));
}

// RFC 5869 Appendix A.3: zero-length salt and info.
TEST(CryptoHkdf, Rfc5869TestCase3) {
  EXPECT_EQ(
      derive(std::vector<std::uint8_t>(22, 0x0b), {}, {}, 42),
      hex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"));
}

TEST(CryptoHkdf, DistinctInfoLabelsGiveUnrelatedKeys) {
  const std::vector<std::uint8_t> secret(32, 0x42);
  std::vector<std::uint8_t> session(32);
  std::vector<std::uint8_t> login(32);
  ASSERT_TRUE(hkdfSha256(secret, {}, asBytes("authgate session v1"), session));
  ASSERT_TRUE(hkdfSha256(secret, {}, asBytes("authgate login-state v1"), login));
  EXPECT_NE(session, login);
}

TEST(CryptoHkdf, RejectsEmptyOrOverlongOutputAndEmptyKey) {
  const std::vector<std::uint8_t> secret(32, 0x42);
  std::vector<std::uint8_t> none;
  EXPECT_FALSE(hkdfSha256(secret, {}, {}, none));
  std::vector<std::uint8_t> overlong(kHkdfSha256MaxOutput + 1, 0xEE);
  EXPECT_FALSE(hkdfSha256(secret, {}, {}, overlong));
  EXPECT_EQ(overlong, std::vector<std::uint8_t>(kHkdfSha256MaxOutput + 1, 0));  // zeroed
  std::vector<std::uint8_t> out(32);
  EXPECT_FALSE(hkdfSha256({}, {}, {}, out));
  std::vector<std::uint8_t> longest(kHkdfSha256MaxOutput);
  EXPECT_TRUE(hkdfSha256(secret, {}, {}, longest));
}

}  // namespace
}  // namespace authgate::core::crypto
