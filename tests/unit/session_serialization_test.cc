#include "core/session/session_serialization.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace authgate::core::session {
namespace {

Session fullSession() {
  Session session;
  session.subject = "248289761001";
  session.email = "jane.doe@example.com";
  session.user = "jane";
  session.preferredUsername = "j.doe";
  session.groups = {"engineering", "oncall", ""};
  session.idToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIyNDgyODk3NjEwMDEifQ.c2ln";
  session.accessToken = "SlAV32hkKG";
  session.refreshToken = "8xLOxBtZp8";
  session.idTokenExpiresAt = 1700003600;
  session.accessTokenExpiresAt = 1700003601;
  session.refreshTokenExpiresAt = 0;
  session.createdAt = 1700000000;
  session.providerId = "default";
  session.expiresAt = 1700604800;
  return session;
}

std::vector<std::uint8_t> serialized(const Session& session) {
  auto bytes = serializeSession(session);
  EXPECT_TRUE(bytes);
  return bytes ? *bytes : std::vector<std::uint8_t>{};
}

TEST(SessionSerialization, RoundTripsAFullSession) {
  const auto parsed = parseSession(serialized(fullSession()));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, fullSession());
}

TEST(SessionSerialization, RoundTripsAnEmptySession) {
  const auto parsed = parseSession(serialized(Session{}));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, Session{});
}

TEST(SessionSerialization, RoundTripsNegativeAndExtremeTimes) {
  Session session;
  session.createdAt = INT64_MIN;
  session.expiresAt = INT64_MAX;
  session.idTokenExpiresAt = -1;
  const auto parsed = parseSession(serialized(session));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, session);
}

// Pins the wire format: a change here breaks every cookie in the field.
TEST(SessionSerialization, WritesTheDocumentedLayout) {
  Session session;
  session.subject = "s";
  session.groups = {"g"};
  session.createdAt = 0x0102;
  session.expiresAt = -2;
  session.providerId = "p";
  const std::vector<std::uint8_t> expected = {
      0x01,                                            // format version
      0x00, 0x01, 's',                                 // subject
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00,              // email, user, preferredUsername
      0x00, 0x01, 0x00, 0x01, 'g',                     // one group
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00,              // idToken, accessToken, refreshToken
      0,    0,    0,    0,    0,    0,    0,    0,     // idTokenExpiresAt
      0,    0,    0,    0,    0,    0,    0,    0,     // accessTokenExpiresAt
      0,    0,    0,    0,    0,    0,    0,    0,     // refreshTokenExpiresAt
      0,    0,    0,    0,    0,    0,    0x01, 0x02,  // createdAt
      0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE,  // expiresAt
      0x00, 0x01, 'p',                                 // providerId
  };
  EXPECT_EQ(serialized(session), expected);
}

TEST(SessionSerialization, RejectsTrailingBytes) {
  auto bytes = serialized(fullSession());
  bytes.push_back(0);
  const auto parsed = parseSession(bytes);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, Error::CorruptPayload);
  EXPECT_EQ(parsed.error().detail, "1 trailing bytes after the last field");
}

TEST(SessionSerialization, RejectsEveryTruncation) {
  const auto bytes = serialized(fullSession());
  for (std::size_t length = 0; length < bytes.size(); ++length) {
    const auto parsed = parseSession(std::span(bytes).first(length));
    ASSERT_FALSE(parsed) << "length " << length;
    EXPECT_EQ(parsed.error().code, Error::CorruptPayload) << "length " << length;
  }
}

TEST(SessionSerialization, RejectsAnUnknownFormatVersion) {
  auto bytes = serialized(fullSession());
  bytes[0] = 2;
  const auto parsed = parseSession(bytes);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, Error::CorruptPayload);
  EXPECT_EQ(parsed.error().detail, "format version 2 is not supported");
}

TEST(SessionSerialization, RejectsALengthOverTheFieldLimitEvenWhenTheBytesArePresent) {
  // Subject claims 1025 bytes and they are all there: still refused (limit 1024).
  std::vector<std::uint8_t> bytes = {0x01, 0x04, 0x01};
  bytes.resize(bytes.size() + 1025 + 200, 0);
  const auto parsed = parseSession(bytes);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, Error::CorruptPayload);
  EXPECT_EQ(parsed.error().detail, "subject: truncated or longer than its limit");
}

TEST(SessionSerialization, RejectsALengthPastTheEnd) {
  const std::vector<std::uint8_t> bytes = {0x01, 0x00, 0x05, 'a', 'b'};
  const auto parsed = parseSession(bytes);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().detail, "subject: truncated or longer than its limit");
}

TEST(SessionSerialization, RejectsAGroupCountOverTheLimitOrPastTheEnd) {
  // Four empty claims, then a group count.
  std::vector<std::uint8_t> prefix = {0x01, 0, 0, 0, 0, 0, 0, 0, 0};
  auto tooMany = prefix;
  tooMany.insert(tooMany.end(), {0x01, 0x01});  // 257 groups
  tooMany.resize(tooMany.size() + 257 * 2 + 100, 0);
  EXPECT_EQ(parseSession(tooMany).error().detail, "groups: truncated or longer than its limit");
  auto unbacked = prefix;
  unbacked.insert(unbacked.end(), {0x00, 0xFF});  // 255 groups, 3 bytes left
  unbacked.insert(unbacked.end(), {0, 0, 0});
  EXPECT_EQ(parseSession(unbacked).error().detail, "groups: truncated or longer than its limit");
}

TEST(SessionSerialization, AcceptsFieldsExactlyAtTheirLimits) {
  Session session;
  session.subject.assign(kMaxClaimSize, 's');
  session.idToken.assign(kMaxTokenSize, 't');
  session.groups.assign(kMaxGroups, "g");
  const auto parsed = parseSession(serialized(session));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, session);
}

TEST(SessionSerialization, RefusesToWriteOversizedFields) {
  Session longSubject;
  longSubject.subject.assign(kMaxClaimSize + 1, 's');
  auto bytes = serializeSession(longSubject);
  ASSERT_FALSE(bytes);
  EXPECT_EQ(bytes.error().code, Error::TooLarge);
  EXPECT_EQ(bytes.error().detail, "subject: 1025 exceeds the limit of 1024");

  Session longToken;
  longToken.refreshToken.assign(kMaxTokenSize + 1, 'r');
  EXPECT_EQ(serializeSession(longToken).error().detail,
            "refreshToken: 16385 exceeds the limit of 16384");

  Session manyGroups;
  manyGroups.groups.assign(kMaxGroups + 1, "g");
  EXPECT_EQ(serializeSession(manyGroups).error().detail, "groups: 257 exceeds the limit of 256");

  Session longGroup;
  longGroup.groups = {std::string(kMaxClaimSize + 1, 'g')};
  EXPECT_EQ(serializeSession(longGroup).error().code, Error::TooLarge);

  Session longProvider;
  longProvider.providerId.assign(kMaxClaimSize + 1, 'p');
  EXPECT_EQ(serializeSession(longProvider).error().detail,
            "providerId: 1025 exceeds the limit of 1024");
}

}  // namespace
}  // namespace authgate::core::session
