#include "core/session/session_codec.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/crypto/bytes.h"
#include "core/crypto/fake_random.h"
#include "core/encoding/base64url.h"
#include "core/session/session_serialization.h"

namespace authgate::core::session {
namespace {

constexpr UnixSeconds kNow = 1700000000;

CookieSecret secret(std::uint8_t fill, std::size_t size = 32) {
  return CookieSecret{std::vector<std::uint8_t>(size, fill)};
}

SessionCodec codecWith(std::vector<CookieSecret> secrets,
                       std::string_view purpose = kSessionPurpose) {
  auto codec = SessionCodec::create(secrets, purpose);
  EXPECT_TRUE(codec);
  return std::move(*codec);
}

SealedBox boxWith(std::vector<CookieSecret> secrets, std::string_view purpose) {
  auto box = SealedBox::create(secrets, purpose);
  EXPECT_TRUE(box);
  return std::move(*box);
}

std::string jwtLike(std::size_t size, char fill) {
  std::string token = "eyJhbGciOiJSUzI1NiJ9.";
  token.append(size - token.size() - 44, fill);
  token.append(".").append(43, 'S');
  return token;
}

Session fullSession() {
  Session session;
  session.subject = "248289761001";
  session.email = "jane.doe@example.com";
  session.user = "jane";
  session.preferredUsername = "j.doe";
  session.groups = {"engineering", "oncall"};
  session.idToken = jwtLike(200, 'I');
  session.accessToken = "SlAV32hkKG";
  session.refreshToken = "8xLOxBtZp8";
  session.idTokenExpiresAt = kNow + 3600;
  session.accessTokenExpiresAt = kNow + 3600;
  session.refreshTokenExpiresAt = kNow + 86400;
  session.createdAt = kNow;
  session.providerId = "default";
  session.expiresAt = kNow + 7 * 86400;
  return session;
}

Session threeKibSession() {
  Session session = fullSession();
  session.idToken = jwtLike(1024, 'I');
  session.accessToken = jwtLike(1024, 'A');
  session.refreshToken = jwtLike(1024, 'R');
  return session;
}

std::string sealOrDie(const SessionCodec& codec, const Session& session, RandomSource& random) {
  auto sealed = codec.seal(session, random);
  EXPECT_TRUE(sealed);
  return sealed ? *sealed : std::string();
}

Error openError(const SessionCodec& codec, std::string_view text, UnixSeconds now = kNow) {
  auto opened = codec.open(text, now);
  EXPECT_FALSE(opened);
  return opened ? Error::CorruptPayload : opened.error().code;
}

TEST(SessionCodec, RoundTripsAFullSession) {
  crypto::FakeRandom random;
  const auto codec = codecWith({secret(1)});
  const auto opened = codec.open(sealOrDie(codec, fullSession(), random), kNow);
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, fullSession());
}

TEST(SessionCodec, RoundTripsAThreeKibSessionAndReportsItsSize) {
  crypto::FakeRandom random;
  const auto codec = codecWith({secret(1)});
  const std::string sealed = sealOrDie(codec, threeKibSession(), random);
  // 3,072 bytes of tokens + claims + 29 bytes of box, times 4/3 for base64url.
  EXPECT_GT(sealed.size(), 4096u);
  EXPECT_LT(sealed.size(), 4400u);
  const auto opened = codec.open(sealed, kNow);
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, threeKibSession());
}

TEST(SessionCodec, RoundTripsEmptyFields) {
  crypto::FakeRandom random;
  const auto codec = codecWith({secret(1)});
  Session session;
  session.expiresAt = kNow;
  const auto opened = codec.open(sealOrDie(codec, session, random), kNow);
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, session);
}

TEST(SessionCodec, WorksWith16And24ByteSecrets) {
  crypto::FakeRandom random;
  for (const std::size_t size : {16u, 24u}) {
    const auto codec = codecWith({secret(9, size)});
    EXPECT_TRUE(codec.open(sealOrDie(codec, fullSession(), random), kNow)) << size;
  }
}

TEST(SessionCodec, TwoSealsOfOneSessionDiffer) {
  crypto::FakeRandom random;
  const auto codec = codecWith({secret(1)});
  EXPECT_NE(sealOrDie(codec, fullSession(), random), sealOrDie(codec, fullSession(), random));
}

TEST(SessionCodec, RotationOpensWithAnyListedSecretAndSealsWithTheFirst) {
  crypto::FakeRandom random;
  const auto before = codecWith({secret(1)});
  const auto during = codecWith({secret(2), secret(1)});
  const auto after = codecWith({secret(2)});
  const std::string old = sealOrDie(before, fullSession(), random);
  ASSERT_TRUE(during.open(old, kNow));  // old secret now second: still opens
  EXPECT_EQ(openError(after, old), Error::AuthenticationFailed);  // old secret removed

  const std::string fresh = sealOrDie(during, fullSession(), random);
  EXPECT_TRUE(after.open(fresh, kNow));  // sealed under the new first secret
  EXPECT_EQ(openError(before, fresh), Error::AuthenticationFailed);
}

TEST(SessionCodec, PurposesNeverOpenEachOthersValues) {
  crypto::FakeRandom random;
  const auto sessions = codecWith({secret(1)});
  const auto loginState = boxWith({secret(1)}, kLoginStatePurpose);
  const std::string sessionCookie = sealOrDie(sessions, fullSession(), random);
  const auto asLoginState = loginState.openBytes(sessionCookie);
  ASSERT_FALSE(asLoginState);
  EXPECT_EQ(asLoginState.error().code, Error::AuthenticationFailed);

  const auto state = loginState.sealBytes(crypto::asBytes("state|nonce|verifier|/return"), random);
  ASSERT_TRUE(state);
  EXPECT_EQ(openError(sessions, *state), Error::AuthenticationFailed);
  const auto back = loginState.openBytes(*state);
  ASSERT_TRUE(back);
  EXPECT_EQ(crypto::asText(*back), "state|nonce|verifier|/return");
  EXPECT_EQ(loginState.purpose(), kLoginStatePurpose);
}

TEST(SessionCodec, ExpiryIsCheckedAgainstThePinnedNow) {
  crypto::FakeRandom random;
  const auto codec = codecWith({secret(1)});
  const std::string sealed = sealOrDie(codec, fullSession(), random);
  const UnixSeconds end = fullSession().expiresAt;
  EXPECT_TRUE(codec.open(sealed, end));  // still valid at its last second
  const auto late = codec.open(sealed, end + 1);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, Error::Expired);
  EXPECT_EQ(late.error().detail, "session expired at 1700604800, now is 1700604801");

  Session unbounded = fullSession();
  unbounded.expiresAt = 0;  // fail closed
  EXPECT_EQ(openError(codec, sealOrDie(codec, unbounded, random)), Error::Expired);
}

TEST(SessionCodec, ReportsMalformedText) {
  const auto codec = codecWith({secret(1)});
  EXPECT_EQ(openError(codec, ""), Error::Malformed);
  EXPECT_EQ(openError(codec, "not base64!"), Error::Malformed);
  EXPECT_EQ(openError(codec, "AQ=="), Error::Malformed);  // padding is not allowed
  // A version byte and 27 more bytes: one short of nonce + tag.
  std::vector<std::uint8_t> shortBox(kSealedBoxOverhead - 1, 0);
  shortBox[0] = kSealedBoxVersion;
  const auto opened = codec.open(base64url::encode(shortBox), kNow);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, Error::Malformed);
  EXPECT_EQ(opened.error().detail, "28 bytes is shorter than the minimum 29");
}

TEST(SessionCodec, ReportsUnsupportedVersion) {
  crypto::FakeRandom random;
  const auto codec = codecWith({secret(1)});
  auto box = *base64url::decode(sealOrDie(codec, fullSession(), random));
  box[0] = 0x02;
  const auto opened = codec.open(base64url::encode(box), kNow);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, Error::UnsupportedVersion);
  EXPECT_EQ(opened.error().detail, "version byte 2 is not supported");
  EXPECT_EQ(openError(codec, base64url::encode(std::vector<std::uint8_t>{0x00})),
            Error::UnsupportedVersion);
}

TEST(SessionCodec, ReportsTooLargeTextAndSessions) {
  crypto::FakeRandom random;
  const auto codec = codecWith({secret(1)});
  EXPECT_EQ(openError(codec, std::string(kMaxSealedTextSize + 1, 'A')), Error::TooLarge);
  Session huge = fullSession();
  huge.groups.assign(kMaxGroups, std::string(kMaxClaimSize, 'g'));  // 256 KiB of groups
  const auto sealed = codec.seal(huge, random);
  ASSERT_FALSE(sealed);
  EXPECT_EQ(sealed.error().code, Error::TooLarge);
  EXPECT_EQ(
      codec.box().sealBytes(std::vector<std::uint8_t>(kMaxPayloadSize + 1), random).error().code,
      Error::TooLarge);
}

TEST(SessionCodec, ReportsCorruptPayloadForAuthenticBytesThatAreNoSession) {
  crypto::FakeRandom random;
  const auto codec = codecWith({secret(1)});
  const auto sealed = codec.box().sealBytes(crypto::asBytes("not a session"), random);
  ASSERT_TRUE(sealed);
  EXPECT_EQ(openError(codec, *sealed), Error::CorruptPayload);
}

TEST(SessionCodec, FailureDetailsCarryNoCookieContents) {
  crypto::FakeRandom random;
  const auto codec = codecWith({secret(1)});
  const auto other = codecWith({secret(2)});
  const std::string sealed = sealOrDie(other, fullSession(), random);
  const auto opened = codec.open(sealed, kNow);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().detail, "no configured secret authenticates it");
  EXPECT_EQ(toString(opened.error().code), "authentication_failed");
}

TEST(SessionCodec, CreationFailsWithoutSecretsOrPurpose) {
  EXPECT_EQ(SessionCodec::create(std::vector<CookieSecret>{}).error(),
            "at least one cookie secret is required");
  EXPECT_EQ(SessionCodec::create(std::vector{secret(1)}, "").error(),
            "the purpose label must not be empty");
  EXPECT_EQ(SessionCodec::create(std::vector{secret(1), CookieSecret{}}).error(),
            "cookie secret #1 is empty");
}

// Flip each bit of the decoded box: the version byte answers UnsupportedVersion, every other
// bit AuthenticationFailed, under both positions of the key in a rotation list.
TEST(SessionCodec, EveryFlippedBitOfTheBoxIsRefusedPrecisely) {
  crypto::FakeRandom random;
  const auto codec = codecWith({secret(2), secret(1)});
  const auto sealer = codecWith({secret(1)});
  const auto box = *base64url::decode(sealOrDie(sealer, fullSession(), random));
  for (std::size_t bit = 0; bit < box.size() * 8; ++bit) {
    auto tampered = box;
    tampered[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    const Error expected = bit < 8 ? Error::UnsupportedVersion : Error::AuthenticationFailed;
    ASSERT_EQ(openError(codec, base64url::encode(tampered)), expected) << "bit " << bit;
  }
}

// Truncate the box at every length: too short for a box -> Malformed, else AuthenticationFailed.
TEST(SessionCodec, EveryTruncationOfTheBoxIsRefusedPrecisely) {
  crypto::FakeRandom random;
  const auto codec = codecWith({secret(1)});
  const auto box = *base64url::decode(sealOrDie(codec, fullSession(), random));
  for (std::size_t length = 0; length < box.size(); ++length) {
    const auto text = base64url::encode(std::span(box).first(length));
    const Error expected =
        length < kSealedBoxOverhead ? Error::Malformed : Error::AuthenticationFailed;
    ASSERT_EQ(openError(codec, text), expected) << "length " << length;
  }
}

// The same on the cookie text a browser sends back: dropping characters can also leave a
// dangling character (length % 4 == 1) or stray low bits, which strict base64url refuses.
TEST(SessionCodec, EveryTruncationAndBitFlipOfTheTextIsRefusedPrecisely) {
  crypto::FakeRandom random;
  const auto codec = codecWith({secret(1)});
  const std::string text = sealOrDie(codec, fullSession(), random);
  const auto expectedFor = [](std::string_view candidate) {
    const auto box = base64url::decode(candidate);
    if (!box || box->empty()) {
      return Error::Malformed;
    }
    if ((*box)[0] != kSealedBoxVersion) {
      return Error::UnsupportedVersion;
    }
    return box->size() < kSealedBoxOverhead ? Error::Malformed : Error::AuthenticationFailed;
  };
  std::size_t malformed = 0;
  for (std::size_t length = 0; length < text.size(); ++length) {
    const std::string_view prefix = std::string_view(text).substr(0, length);
    const Error expected = expectedFor(prefix);
    malformed += expected == Error::Malformed ? 1 : 0;
    ASSERT_EQ(openError(codec, prefix), expected) << "length " << length;
  }
  EXPECT_GT(malformed, text.size() / 4);  // every length % 4 == 1, at least
  for (std::size_t bit = 0; bit < text.size() * 8; ++bit) {
    std::string tampered = text;
    tampered[bit / 8] = static_cast<char>(tampered[bit / 8] ^ (1 << (bit % 8)));
    ASSERT_EQ(openError(codec, tampered), expectedFor(tampered)) << "bit " << bit;
  }
}

}  // namespace
}  // namespace authgate::core::session
