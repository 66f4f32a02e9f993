#pragma once
// The pure parts of Redis Cluster routing: which of the 16384 hash slots a key belongs to, and
// what a MOVED or ASK redirection error asks the client to do (Redis Cluster specification,
// "Key distribution model" and "Redirection and resharding").
//
// Usage:
//   const std::uint16_t slot = redis::keySlot("user:{42}:session");   // hashes only "42"
//   if (auto redirect = redis::parseRedirect(errorText)) {
//     // MOVED: refresh the slot map, retry at redirect->host:port
//     // ASK:   retry once at redirect->host:port, preceded by ASKING
//   }
//
// Rules:
//   1) slot = CRC16(key) mod 16384, CRC16 being the XMODEM variant (polynomial 0x1021, initial
//      value 0, no reflection): crc16("123456789") == 0x31C3.
//   2) Hash tags: when the key has a '{' and a later '}' with at least one byte between the
//      first '{' and the first '}' after it, only those bytes are hashed; otherwise the whole key.
//   3) A redirect is "MOVED <slot> <host>:<port>" or "ASK <slot> <host>:<port>", the port after
//      the last ':' (so IPv6 hosts work); slot < 16384, port 1..65535. The host may be empty
//      (Redis 7 "unknown endpoint"): it then means the host of the node that answered.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace authgate::core::redis {

inline constexpr std::uint16_t kClusterSlots = 16384;

std::uint16_t crc16(std::string_view bytes);
std::uint16_t keySlot(std::string_view key);

enum class RedirectKind {
  Moved,  // the slot lives elsewhere for good: refresh the slot map
  Ask,    // the slot is migrating: ask the target once, preceded by ASKING
};

struct Redirect {
  RedirectKind kind;
  std::uint16_t slot;
  std::string host;  // may be empty (rule 3)
  std::uint16_t port;
};

// The redirect an error reply's text describes; nullopt when it is not a well-formed one.
std::optional<Redirect> parseRedirect(std::string_view errorText);

}  // namespace authgate::core::redis
