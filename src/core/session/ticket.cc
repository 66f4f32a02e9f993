#include "core/session/ticket.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "core/encoding/base64url.h"
#include "core/session/session_codec.h"
#include "core/session/session_serialization.h"

namespace authgate::core::session {
namespace {

constexpr std::size_t kTicketPayloadSize = kTicketIdSize + crypto::kAes256KeySize;

std::vector<std::uint8_t> recordAad(const Ticket& ticket) {
  std::vector<std::uint8_t> aad;
  aad.reserve(1 + kRecordPurpose.size() + ticket.id.size());
  aad.push_back(kRecordVersion);
  aad.insert(aad.end(), kRecordPurpose.begin(), kRecordPurpose.end());
  aad.insert(aad.end(), ticket.id.begin(), ticket.id.end());
  return aad;
}

}  // namespace

std::string Ticket::idText() const {
  return base64url::encode(id);
}

Ticket newTicket(RandomSource& random) {
  Ticket ticket;
  random.fill(ticket.id);
  random.fill(ticket.key);
  return ticket;
}

Result<TicketCodec, std::string> TicketCodec::create(std::span<const CookieSecret> secrets) {
  auto box = SealedBox::create(secrets, kTicketPurpose);
  if (!box) {
    return fail(box.error());
  }
  return TicketCodec(std::move(*box));
}

Result<std::string, Failure> TicketCodec::seal(const Ticket& ticket, RandomSource& random) const {
  std::array<std::uint8_t, kTicketPayloadSize> payload;
  std::copy(ticket.id.begin(), ticket.id.end(), payload.begin());
  std::copy(ticket.key.begin(), ticket.key.end(), payload.begin() + kTicketIdSize);
  auto sealed = box_.sealBytes(payload, random);
  OPENSSL_cleanse(payload.data(), payload.size());
  return sealed;
}

Result<Ticket, Failure> TicketCodec::open(std::string_view sealed) const {
  auto payload = box_.openBytes(sealed);
  if (!payload) {
    return fail(payload.error());
  }
  if (payload->size() != kTicketPayloadSize) {
    const std::size_t size = payload->size();
    OPENSSL_cleanse(payload->data(), payload->size());
    return fail(Failure{Error::CorruptPayload, "ticket payload is " + std::to_string(size) +
                                                   " bytes, expected " +
                                                   std::to_string(kTicketPayloadSize)});
  }
  Ticket ticket;
  std::copy_n(payload->begin(), kTicketIdSize, ticket.id.begin());
  std::copy_n(payload->begin() + kTicketIdSize, crypto::kAes256KeySize, ticket.key.begin());
  OPENSSL_cleanse(payload->data(), payload->size());
  return ticket;
}

Result<std::vector<std::uint8_t>, Failure> sealRecord(const Session& session, const Ticket& ticket,
                                                      RandomSource& random) {
  auto bytes = serializeSession(session);
  if (!bytes) {
    return fail(bytes.error());
  }
  std::vector<std::uint8_t> record{kRecordVersion};
  record.reserve(1 + crypto::kGcmOverhead + bytes->size());
  crypto::aes256GcmSeal(crypto::Aes256GcmKey(ticket.key), *bytes, recordAad(ticket), random,
                        record);
  OPENSSL_cleanse(bytes->data(), bytes->size());  // it holds the tokens
  return record;
}

Result<Session, Failure> openRecord(std::span<const std::uint8_t> record, const Ticket& ticket,
                                    UnixSeconds now) {
  if (record.size() < 1 + crypto::kGcmOverhead) {
    return fail(Failure{Error::Malformed, "session record of " + std::to_string(record.size()) +
                                              " bytes is too short"});
  }
  if (record[0] != kRecordVersion) {
    return fail(
        Failure{Error::UnsupportedVersion, "session record version " + std::to_string(record[0])});
  }
  auto bytes =
      crypto::aes256GcmOpen(crypto::Aes256GcmKey(ticket.key), record.subspan(1), recordAad(ticket));
  if (!bytes) {
    return fail(
        Failure{Error::AuthenticationFailed, "session record does not open with this ticket"});
  }
  auto session = parseSession(*bytes);
  OPENSSL_cleanse(bytes->data(), bytes->size());
  if (!session) {
    return fail(session.error());
  }
  return unlessExpired(std::move(*session), now);
}

}  // namespace authgate::core::session
