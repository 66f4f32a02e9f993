#include <gtest/gtest.h>

#include "io/idp/form_encoding.h"

namespace authgate::io::idp {
namespace {

TEST(IdpFormEncoding, EncodesComponentsLikeTheUrlencodedSerializer) {
  EXPECT_EQ(formEncodeComponent("AZaz09*-._"), "AZaz09*-._");
  EXPECT_EQ(formEncodeComponent("a b"), "a+b");
  EXPECT_EQ(formEncodeComponent("a+b&c=d/e?f:g~%"), "a%2Bb%26c%3Dd%2Fe%3Ff%3Ag%7E%25");
  EXPECT_EQ(formEncodeComponent("\xc3\xa9\n"), "%C3%A9%0A");  // UTF-8 bytes, upper-case hex
  EXPECT_EQ(formEncodeComponent(""), "");
}

TEST(IdpFormEncoding, JoinsFields) {
  EXPECT_EQ(formEncode({{"grant_type", "authorization_code"},
                        {"redirect_uri", "https://app.test/cb?x=1"}}),
            "grant_type=authorization_code&redirect_uri=https%3A%2F%2Fapp.test%2Fcb%3Fx%3D1");
  EXPECT_EQ(formEncode({}), "");
}

TEST(IdpFormEncoding, BasicAuthorizationMatchesRfc6749) {
  // RFC 6749 §2.3.1's example credentials (base64 of "s6BhdRkqt3:7Fjfp0ZBr1KtDRbnfVdmIw").
  EXPECT_EQ(basicAuthorization("s6BhdRkqt3", "7Fjfp0ZBr1KtDRbnfVdmIw"),
            "Basic czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3");
  // A ':' in the id and a space in the secret are form-encoded before base64, so the server can
  // split at the one real ':' ("client%3A1:s3cr+et").
  EXPECT_EQ(basicAuthorization("client:1", "s3cr et"), "Basic Y2xpZW50JTNBMTpzM2NyK2V0");
  EXPECT_EQ(basicAuthorization("a", ""), "Basic YTo=");  // padding kept (RFC 7617 §2)
}

}  // namespace
}  // namespace authgate::io::idp
