// Fuzzes the readers of server-side sessions (session_store: redis). The first input byte picks
// the entry point (mod 2), the rest is its input:
//   0: TicketCodec::open of the rest as the cookie's value (fixed test secret)
//   1: openRecord of the rest as what Redis returned for a fixed ticket; a record that opens
//      must seal back into one that opens to the same session
// Nothing here may crash, leak or accept a value it did not seal.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>
#include <vector>

#include "core/crypto/fake_random.h"
#include "core/session/ticket.h"

namespace {

using namespace authgate::core;

constexpr UnixSeconds kFuzzNow = 1700000000;

const session::TicketCodec& ticketCodec() {
  static const session::TicketCodec codec = [] {
    std::vector<std::uint8_t> bytes(32);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      bytes[i] = static_cast<std::uint8_t>(i);  // 00 01 .. 1f, as session_cookie_fuzz
    }
    const std::vector<session::CookieSecret> secrets{session::CookieSecret{bytes}};
    return *session::TicketCodec::create(secrets);
  }();
  return codec;
}

session::Ticket fixedTicket() {
  session::Ticket ticket;
  for (std::size_t i = 0; i < ticket.id.size(); ++i) {
    ticket.id[i] = static_cast<std::uint8_t>(0xa0 + i);
  }
  for (std::size_t i = 0; i < ticket.key.size(); ++i) {
    ticket.key[i] = static_cast<std::uint8_t>(0x40 + i);
  }
  return ticket;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  const std::span<const std::uint8_t> rest(data + 1, size - 1);
  const std::string_view text(reinterpret_cast<const char*>(rest.data()), rest.size());
  if (data[0] % 2 == 0) {
    (void)ticketCodec().open(text);
    return 0;
  }
  const session::Ticket ticket = fixedTicket();
  if (auto opened = session::openRecord(rest, ticket, kFuzzNow)) {
    crypto::FakeRandom random;
    auto sealed = session::sealRecord(*opened, ticket, random);
    if (!sealed) {
      std::abort();
    }
    auto again = session::openRecord(*sealed, ticket, kFuzzNow);
    if (!again || !(*again == *opened)) {
      std::abort();
    }
  }
  return 0;
}
