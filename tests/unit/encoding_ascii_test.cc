// encoding::equalsIgnoreCase and encoding::trimSpaceAndTab: ASCII only, locale-independent.
#include <gtest/gtest.h>

#include "core/encoding/ascii.h"

namespace authgate::core::encoding {
namespace {

TEST(EncodingAscii, EqualsIgnoreCase) {
  EXPECT_TRUE(equalsIgnoreCase("Content-Length", "content-length"));
  EXPECT_TRUE(equalsIgnoreCase("", ""));
  EXPECT_FALSE(equalsIgnoreCase("abc", "abcd"));
  EXPECT_FALSE(equalsIgnoreCase("a-b", "a_b"));
  EXPECT_FALSE(equalsIgnoreCase("\xc3\x84", "\xc3\xa4"));  // Ä vs ä: not ASCII, not folded
  EXPECT_FALSE(equalsIgnoreCase("@", "`"));                // 0x40 / 0x60 differ by 0x20 too
  EXPECT_FALSE(equalsIgnoreCase("[", "{"));
  static_assert(asciiLower('Z') == 'z' && asciiLower('z') == 'z' && asciiLower('@') == '@');
}

TEST(EncodingAscii, TrimSpaceAndTab) {
  EXPECT_EQ(trimSpaceAndTab(" \t a b \t "), "a b");
  EXPECT_EQ(trimSpaceAndTab(""), "");
  EXPECT_EQ(trimSpaceAndTab(" \t "), "");
  EXPECT_EQ(trimSpaceAndTab("\na\r"), "\na\r");  // only SP and HTAB are OWS
}

}  // namespace
}  // namespace authgate::core::encoding
