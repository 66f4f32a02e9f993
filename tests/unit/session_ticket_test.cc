// Server-side session tickets and records (core/session/ticket.h): what the cookie carries and
// what Redis holds, and every way either can be refused.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/crypto/fake_random.h"
#include "core/session/sealed_box.h"
#include "core/session/ticket.h"

namespace authgate::core::session {
namespace {

constexpr UnixSeconds kNow = 1700000000;

std::vector<CookieSecret> secrets(std::uint8_t fill) {
  return {CookieSecret{std::vector<std::uint8_t>(32, fill)}};
}

TicketCodec codecWith(std::uint8_t fill) {
  auto codec = TicketCodec::create(secrets(fill));
  EXPECT_TRUE(codec);
  return std::move(*codec);
}

Session alice() {
  return Session{.subject = "alice-id",
                 .email = "alice@example.com",
                 .user = "alice",
                 .idToken = "eyJhbGciOiJSUzI1NiJ9.payload.signature",
                 .accessToken = "access-token-value",
                 .refreshToken = "refresh-token-value",
                 .createdAt = kNow,
                 .expiresAt = kNow + 3600};
}

TEST(SessionTicket, ATicketSurvivesTheCookieAndNamesItselfInBase64url) {
  crypto::FakeRandom random;
  const Ticket ticket = newTicket(random);
  EXPECT_NE(ticket.id, Ticket{}.id);
  EXPECT_NE(ticket.key, Ticket{}.key);
  EXPECT_EQ(ticket.idText().size(), 22u);  // 16 bytes, unpadded base64url
  const TicketCodec codec = codecWith(7);
  auto cookie = codec.seal(ticket, random);
  ASSERT_TRUE(cookie);
  EXPECT_LT(cookie->size(), 120u);
  auto opened = codec.open(*cookie);
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, ticket);
}

TEST(SessionTicket, ACookieFromAnotherSecretOrPurposeDoesNotOpen) {
  crypto::FakeRandom random;
  const Ticket ticket = newTicket(random);
  auto cookie = codecWith(7).seal(ticket, random);
  ASSERT_TRUE(cookie);
  EXPECT_EQ(codecWith(8).open(*cookie).error().code, Error::AuthenticationFailed);
  // A session cookie (another purpose) is not a ticket, even under the same secret.
  auto box = SealedBox::create(secrets(7), kSessionPurpose);
  ASSERT_TRUE(box);
  const std::vector<std::uint8_t> payload(48, 1);
  auto other = box->sealBytes(payload, random);
  ASSERT_TRUE(other);
  EXPECT_EQ(codecWith(7).open(*other).error().code, Error::AuthenticationFailed);
}

TEST(SessionTicket, APayloadOfTheWrongSizeIsCorrupt) {
  crypto::FakeRandom random;
  auto box = SealedBox::create(secrets(7), kTicketPurpose);
  ASSERT_TRUE(box);
  const std::vector<std::uint8_t> payload(47, 1);
  auto sealed = box->sealBytes(payload, random);
  ASSERT_TRUE(sealed);
  EXPECT_EQ(codecWith(7).open(*sealed).error().code, Error::CorruptPayload);
}

TEST(SessionTicket, ARecordOpensWithItsTicketOnly) {
  crypto::FakeRandom random;
  const Ticket ticket = newTicket(random);
  auto record = sealRecord(alice(), ticket, random);
  ASSERT_TRUE(record);
  const std::string text(record->begin(), record->end());
  EXPECT_EQ(text.find("alice@example.com"), std::string::npos);
  EXPECT_EQ(text.find("refresh-token-value"), std::string::npos);
  auto opened = openRecord(*record, ticket, kNow);
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, alice());

  Ticket otherKey = ticket;
  otherKey.key[0] ^= 1;
  EXPECT_EQ(openRecord(*record, otherKey, kNow).error().code, Error::AuthenticationFailed);
  // The id is bound in: the same key under another id (a record moved to another key) fails.
  Ticket otherId = ticket;
  otherId.id[15] ^= 1;
  EXPECT_EQ(openRecord(*record, otherId, kNow).error().code, Error::AuthenticationFailed);
}

TEST(SessionTicket, EveryBitOfARecordMatters) {
  crypto::FakeRandom random;
  const Ticket ticket = newTicket(random);
  auto record = sealRecord(alice(), ticket, random);
  ASSERT_TRUE(record);
  for (std::size_t i = 0; i < record->size(); ++i) {
    std::vector<std::uint8_t> flipped = *record;
    flipped[i] ^= 0x01;
    auto opened = openRecord(flipped, ticket, kNow);
    ASSERT_FALSE(opened) << "byte " << i;
    EXPECT_EQ(opened.error().code, i == 0 ? Error::UnsupportedVersion : Error::AuthenticationFailed)
        << "byte " << i;
  }
  for (std::size_t size = 0; size < record->size(); ++size) {
    const std::span<const std::uint8_t> cut(record->data(), size);
    EXPECT_FALSE(openRecord(cut, ticket, kNow)) << "size " << size;
  }
  EXPECT_EQ(openRecord({}, ticket, kNow).error().code, Error::Malformed);
}

TEST(SessionTicket, AnExpiredRecordIsRefused) {
  crypto::FakeRandom random;
  const Ticket ticket = newTicket(random);
  auto record = sealRecord(alice(), ticket, random);
  ASSERT_TRUE(record);
  EXPECT_TRUE(openRecord(*record, ticket, kNow + 3600));
  EXPECT_EQ(openRecord(*record, ticket, kNow + 3601).error().code, Error::Expired);
}

}  // namespace
}  // namespace authgate::core::session
