#pragma once
// What the decision runner needs of a server-side session store (session_store: redis): read,
// write and delete sealed session records (core/session/ticket.h) by key, and a short lock that
// makes a refresh single-flight across replicas. Records are opaque bytes: the store never sees
// a token in the clear.
//
// Usage:
//   std::shared_ptr<SessionStore> store = RedisSessionStore::create(client);  // or a test fake
//   auto record = co_await store->load(key, std::chrono::seconds(0));  // Result<optional<bytes>>
//   co_await store->save(key, bytes, std::chrono::hours(12));
//   if (co_await store->lock(lockKey, token, 10s) == true) { ...; co_await store->unlock(...); }
//   co_await store->addToSets({sidSet, subSet}, key, 12h);     // back-channel logout's index
//   for (auto& key : *co_await store->members(sidSet)) { erase(key); announceErased(key); }
//
// Rules:
//   1) Every operation completes on the caller's executor; failures (store unreachable, a
//      timeout) are values, never exceptions, and name no key content beyond the key.
//   2) load() with touch > 0 also sets the key's expiry to `touch` (session_idle_timeout).
//   3) lock() takes the lock only when nobody holds it (SET NX PX); unlock() releases it only
//      if `token` still holds it, so a lock that expired and was taken by another replica is
//      not released by the first.
//   4) healthy() is cheap and thread-safe (for /ready and to fail fast).
//   5) announceErased(key) tells every replica sharing the store that the session under `key`
//      is gone (so that none keeps serving it from memory); best effort: a replica that misses
//      announcements drops its whole memory when it can listen again.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace authgate::io::sessions {

using Record = std::optional<std::vector<std::uint8_t>>;  // nullopt: no such key

class SessionStore {
 public:
  virtual ~SessionStore() = default;

  virtual boost::asio::awaitable<core::Result<Record, std::string>> load(
      std::string key, std::chrono::seconds touch) = 0;
  virtual boost::asio::awaitable<core::Result<core::Ok, std::string>> save(
      std::string key, std::vector<std::uint8_t> record, std::chrono::seconds ttl) = 0;
  virtual boost::asio::awaitable<core::Result<core::Ok, std::string>> erase(std::string key) = 0;
  // True when taken, false when another holder has it.
  virtual boost::asio::awaitable<core::Result<bool, std::string>> lock(
      std::string key, std::string token, std::chrono::milliseconds ttl) = 0;
  virtual boost::asio::awaitable<void> unlock(std::string key, std::string token) = 0;
  // Adds `member` to each set and keeps each set at least `ttl` longer.
  virtual boost::asio::awaitable<core::Result<core::Ok, std::string>> addToSets(
      std::vector<std::string> sets, std::string member, std::chrono::seconds ttl) = 0;
  // The set's members (none when there is no such set).
  virtual boost::asio::awaitable<core::Result<std::vector<std::string>, std::string>> members(
      std::string set) = 0;
  virtual boost::asio::awaitable<void> announceErased(std::string key) = 0;
  virtual bool healthy() const = 0;
};

}  // namespace authgate::io::sessions
