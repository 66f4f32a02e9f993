#include "core/redis/cluster_slots.h"

#include <array>
#include <charconv>

namespace authgate::core::redis {
namespace {

constexpr std::array<std::uint16_t, 256> makeCrc16Table() {
  std::array<std::uint16_t, 256> table{};
  for (unsigned byte = 0; byte < 256; ++byte) {
    std::uint16_t crc = static_cast<std::uint16_t>(byte << 8);
    for (int bit = 0; bit < 8; ++bit) {
      crc = static_cast<std::uint16_t>((crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1);
    }
    table[byte] = crc;
  }
  return table;
}

constexpr std::array<std::uint16_t, 256> kCrc16Table = makeCrc16Table();

template <class Number>
std::optional<Number> decimal(std::string_view text, Number max) {
  Number value{};
  const char* end = text.data() + text.size();
  auto [last, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || last != end || value > max) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::uint16_t crc16(std::string_view bytes) {
  std::uint16_t crc = 0;
  for (const char c : bytes) {
    const auto index = static_cast<std::uint8_t>((crc >> 8) ^ static_cast<std::uint8_t>(c));
    crc = static_cast<std::uint16_t>((crc << 8) ^ kCrc16Table[index]);
  }
  return crc;
}

std::uint16_t keySlot(std::string_view key) {
  const std::size_t open = key.find('{');
  if (open != std::string_view::npos) {
    const std::size_t close = key.find('}', open + 1);
    if (close != std::string_view::npos && close > open + 1) {
      key = key.substr(open + 1, close - open - 1);
    }
  }
  return crc16(key) % kClusterSlots;
}

std::optional<Redirect> parseRedirect(std::string_view errorText) {
  Redirect redirect{};
  if (errorText.starts_with("MOVED ")) {
    redirect.kind = RedirectKind::Moved;
    errorText.remove_prefix(6);
  } else if (errorText.starts_with("ASK ")) {
    redirect.kind = RedirectKind::Ask;
    errorText.remove_prefix(4);
  } else {
    return std::nullopt;
  }
  const std::size_t space = errorText.find(' ');
  if (space == std::string_view::npos) {
    return std::nullopt;
  }
  const auto slot = decimal<std::uint16_t>(errorText.substr(0, space), kClusterSlots - 1);
  const std::string_view address = errorText.substr(space + 1);
  const std::size_t colon = address.rfind(':');
  if (!slot || colon == std::string_view::npos) {
    return std::nullopt;
  }
  const auto port = decimal<std::uint16_t>(address.substr(colon + 1), 65535);
  if (!port || *port == 0 || address.substr(0, colon).find(' ') != std::string_view::npos) {
    return std::nullopt;
  }
  redirect.slot = *slot;
  redirect.host = std::string(address.substr(0, colon));
  redirect.port = *port;
  return redirect;
}

}  // namespace authgate::core::redis
